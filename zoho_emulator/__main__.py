"""``python -m zoho_emulator --port P [--preset ...]``: serve an emulated org until interrupted."""
from __future__ import annotations

import argparse
import signal
import sys
import time

from zoho_emulator.api.server import EmulatorConfig, build_state, serve
from zoho_emulator.engine.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS
from zoho_emulator.model.editions import EDITION_LIMITS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m zoho_emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--preset", choices=("small", "medium", "large"), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edition", choices=tuple(EDITION_LIMITS), default="enterprise")
    parser.add_argument("--licences", type=int, default=None, help="user licences (default: the preset's users)")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument("--redirect-uri", action="append", dest="redirect_uris",
                        help="registered redirect URI (repeatable)")
    parser.add_argument("--refresh-token", default=None, help="pre-issue this refresh token to the org's admin")
    parser.add_argument("--location", default="us", help="data centre reported after consent")
    args = parser.parse_args(argv)
    if args.licences is not None and args.licences < 1:
        parser.error("--licences must be at least 1")
    return args


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = EmulatorConfig(preset=args.preset, seed=args.seed, edition=args.edition, licences=args.licences,
                            client_id=args.client_id, client_secret=args.client_secret,
                            redirect_uris=tuple(args.redirect_uris or DEFAULT_REDIRECT_URIS),
                            refresh_token=args.refresh_token, location=args.location)
    started = time.perf_counter()
    state = build_state(config)
    try:
        server, url = serve(state, args.host, args.port)
    except OSError as err:
        print(f"cannot listen on {args.host}:{args.port}: {err.strerror}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{name} {len(t)}" for name, t in state.data.tables.items())
    print(f"org {state.data.org.company_name!r} ({args.edition}, {state.data.org.licences} licences): "
          f"{len(state.data.users)} users, {counts}; built in {time.perf_counter() - started:.1f}s",
          file=sys.stderr)
    print(f"ready {url}", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
