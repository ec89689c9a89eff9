"""Time the demo-org generator and report peak memory.

    python bench/generator.py            # medium (target: well under 60 s on 2 cores)
    python bench/generator.py --large    # medium, then large (1M contacts; target RSS < 8 GB)
    python bench/generator.py --preset small --seed 7

Peak RSS is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (KiB on Linux): the process-wide peak so
far, so the large figure includes anything medium left behind (it is freed first).
"""
from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import record  # noqa: E402
from zoho_emulator.seed.org import PRESETS, generate_org  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(preset: str, seed: int) -> tuple[str, str]:
    started = time.perf_counter()
    data = generate_org(preset, seed=seed)
    elapsed = time.perf_counter() - started
    counts = ", ".join(f"{name} {len(table):,}" for name, table in data.tables.items())
    print(f"{preset}: {elapsed:.1f} s, peak RSS {peak_rss_mib():,.0f} MiB "
          f"({len(data.users)} users; {counts})", flush=True)
    total = sum(len(table) for table in data.tables.values())
    del data
    gc.collect()
    return (f"{preset}: build time, peak RSS, records",
            f"{elapsed:.1f} s, {peak_rss_mib():,.0f} MiB, {total:,} records + users")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", action="store_true", help="also generate the large preset")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="generate only this preset")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    presets = [args.preset] if args.preset else ["medium"] + (["large"] if args.large else [])
    print(f"baseline peak RSS {peak_rss_mib():,.0f} MiB", flush=True)
    rows = [run(preset, args.seed) for preset in presets]
    command = "python bench/generator.py" + (" --large" if args.large else "")
    if not args.preset:
        record("Demo-org generator", command, rows,
               "Targets: medium well under 60 s; large fits in memory. Peak RSS is the process-wide peak so far.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
