"""``python -m sync_engine``: the same onboarding and views as the app, without the UI.

    python -m sync_engine connect --data-centre EU --client-id ID --client-secret S --refresh-token T
    python -m sync_engine connect --accounts-url http://127.0.0.1:8800 --client-id ID --client-secret S \\
        --redirect-uri http://localhost:8501/            # prints the consent URL, reads the redirect back
    python -m sync_engine orgs
    python -m sync_engine run                          # the scheduled jobs, headless
    python -m sync_engine import meetings.ics --org ORG_ID --user-email rep@corp.com
    python -m sync_engine match --in conversations.jsonl --out matches.jsonl
    python -m sync_engine status [--org ORG_ID]             # the org, its users and its mirror per module
    python -m sync_engine mirror [--org ORG_ID] --wait      # first pull (or every poll) now; exit 0 when current
    python -m sync_engine users --org ORG_ID [--refresh]
    python -m sync_engine import-users --org ORG_ID --file users.csv   # columns: email, full_name
    python -m sync_engine map --org ORG_ID --email someone@corp.com --zoho-user 5725767000000411001
    python -m sync_engine disconnect --org ORG_ID
    python -m sync_engine accounts add --email a@corp.com --name "A" --role admin [--org ORG_ID] --password-stdin
    python -m sync_engine accounts list
    python -m sync_engine accounts remove --email a@corp.com
    python -m sync_engine writeback status --org ORG_ID      # outbox counts, rate-limit pause, freshness
    python -m sync_engine writeback dead --org ORG_ID        # what Zoho refused, and why
    python -m sync_engine writeback retry --org ORG_ID (--all | --key OP_KEY ...)
    python -m sync_engine writeback push --org ORG_ID        # one push cycle now

Secrets may come from the environment instead of flags (ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN), so
they stay out of shell history. Nothing here prints a token.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sync_engine import service
from sync_engine.connect.onboarding import OnboardingRefused
from sync_engine.records.users import OurUser
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.store.db import DatabaseInUse
from sync_engine.store.orgs import UnknownOrgError
from sync_engine.zoho import ZohoError
from sync_engine.zoho.auth.oauth import parse_authorization_redirect


def _connect(rt: Runtime, args: argparse.Namespace) -> int:
    dc = "LOCAL" if args.accounts_url else args.data_centre
    secret = args.client_secret or os.environ.get("ZOHO_CLIENT_SECRET", "")
    refresh_token = args.refresh_token or os.environ.get("ZOHO_REFRESH_TOKEN")
    if not secret:
        raise OnboardingRefused("--client-secret (or ZOHO_CLIENT_SECRET) is required")
    if refresh_token:
        connected = service.connect_with_refresh_token(rt, data_centre_code=dc, accounts_url=args.accounts_url,
                                                       client_id=args.client_id, client_secret=secret,
                                                       refresh_token=refresh_token)
    else:
        if not args.redirect_uri:
            raise OnboardingRefused("give --refresh-token (self-client) or --redirect-uri for the browser sign-in")
        begun = service.begin_connect(rt, data_centre_code=dc, accounts_url=args.accounts_url,
                                      client_id=args.client_id, client_secret=secret, redirect_uri=args.redirect_uri)
        print("Open this URL, sign in as a Zoho CRM administrator and accept:\n")
        print(begun.authorization_url + "\n")
        try:
            answer = (args.redirected_to or input("Paste the full URL your browser was sent back to: ")).strip()
        except EOFError:
            raise OnboardingRefused("no redirect URL was given; paste it, or use --redirected-to") from None
        back = parse_authorization_redirect(answer)
        connected = service.finish_connect(rt, state=back.state or "", code=back.code,
                                           accounts_server=back.accounts_server, error=back.error)
    _print_status(rt, connected.org.org_id)
    print(("Reconnected" if connected.reconnected else "Connected") + f" as {connected.admin_email}.")
    return 0


def _print_status(rt: Runtime, org_id: str) -> None:
    overview = service.connection_overview(rt, org_id)
    org = overview.org
    print(f"{org.org_id}: {org.company_name} — {(org.edition or '?').title()}, {org.licences} licences, "
          f"daily credit limit {org.daily_credit_limit:,} (our budget {overview.credit_budget:,}), "
          f"used in the last 24 h {overview.credits_used_24h:,}; status {org.status}")
    counts = overview.counts
    print(f"users: {counts.mapped} mapped ({counts.mapped_to_inactive} to inactive Zoho users), "
          f"{counts.unmapped_ours} of ours unmapped, {counts.unmapped_zoho} Zoho users unmapped, "
          f"{counts.held_conversations} conversations held")


def _orgs(rt: Runtime, args: argparse.Namespace) -> int:
    orgs = service.list_orgs(rt)
    if not orgs:
        print("No org is connected. Run: python -m sync_engine connect --help")
    for org in orgs:
        print(f"{org.org_id}\t{org.status}\t{org.company_name}\t{org.edition}\t{org.data_centre}")
    return 0


def _status(rt: Runtime, args: argparse.Namespace) -> int:
    org_id = args.org or _only_org(rt)
    _print_status(rt, org_id)
    _print_mirror(service.mirror_status(rt, org_id))
    return 0


def _print_mirror(progress: service.MirrorProgress) -> None:
    """The mirror per module: how it is pulled, records done of expected, finished or not."""
    state = "current (incremental polls)" if progress.phase == "incremental" else "first pull not finished"
    print(f"mirror: {state}; {progress.credits_spent:,} credits spent by the {progress.phase} job")
    for m in progress.modules:
        expected = f"{m.expected:,}" if m.expected is not None else "?"
        done = "done" if m.finished else ("not planned" if m.method is None else "in progress")
        print(f"  {m.module:<9} {m.method or '-':<5} {m.done:>10,} of {expected:>10} records  {done}")


def _mirror(rt: Runtime, args: argparse.Namespace) -> int:
    """The first pull (or an incremental pass) in the foreground, with progress; 0 once the mirror is current."""
    org_id = args.org or _only_org(rt)
    if not args.wait:
        report = service.mirror_org(rt, org_id)
        print(f"{org_id}: {report.phase}: ran {', '.join(report.ran) or 'nothing due'}; "
              f"{report.written:,} written, {report.removed:,} removed")
        _print_mirror(service.mirror_status(rt, org_id))
        return 0
    shown = {"at": 0.0}

    def progress(p: service.MirrorProgress) -> None:
        now = time.monotonic()
        if now - shown["at"] < args.progress_every and p.fraction < 1.0:
            return
        shown["at"] = now
        expected = f"{p.records_expected:,}" if p.records_expected is not None else "?"
        eta = f", ~{p.eta_s:,.0f} s left" if p.eta_s is not None else ""
        print(f"{p.phase}: {p.fraction:.0%} ({p.records_done:,} of {expected} records; "
              f"finished: {', '.join(p.finished_modules) or 'none yet'}; {p.credits_spent:,} credits{eta})", flush=True)

    report = service.mirror_until_current(rt, org_id, on_progress=progress)
    print(f"{org_id}: mirror current ({report.phase}: ran {', '.join(report.ran) or 'nothing due'}; "
          f"{report.written:,} written, {report.removed:,} removed)")
    _print_mirror(service.mirror_status(rt, org_id))
    return 0


def _users(rt: Runtime, args: argparse.Namespace) -> int:
    if args.refresh:
        released = service.refresh_zoho_users(rt, args.org)
        print(f"Zoho users refreshed; {len(released)} held conversations released.")
    mapping = service.connection_overview(rt, args.org).mapping
    for pair in mapping.matched:
        flag = "  (inactive in Zoho)" if pair.inactive else ""
        print(f"mapped\t{pair.ours.email}\t{pair.zoho.zoho_user_id}\t{pair.zoho.email}\t{pair.matched_by}{flag}")
    for user in mapping.unmatched_ours:
        print(f"unmapped (ours)\t{user.email}")
    for zoho in mapping.unmatched_zoho:
        print(f"unmapped (Zoho)\t{zoho.zoho_user_id}\t{zoho.email}\t{zoho.status}")
    return 0


def _import_users(rt: Runtime, args: argparse.Namespace) -> int:
    """Our platform's users from a CSV with an ``email`` column (and optionally ``full_name``)."""
    users = read_our_users(Path(args.file))
    released = service.set_our_users(rt, args.org, users)
    print(f"{len(users)} users imported; {len(released)} held conversations released.")
    return _users(rt, argparse.Namespace(org=args.org, refresh=False))


def read_our_users(path: Path) -> list[OurUser]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "email" not in reader.fieldnames:
                raise OnboardingRefused(f"{path}: the first line must name the columns, including 'email'")
            users = []
            for line, row in enumerate(reader, start=2):
                email = (row.get("email") or "").strip()
                if "@" not in email:
                    raise OnboardingRefused(f"{path}, line {line}: {email!r} is not an email address; "
                                            "nothing was imported")
                users.append(OurUser(email, (row.get("full_name") or "").strip()))
    except (OSError, UnicodeDecodeError) as err:
        raise OnboardingRefused(f"cannot read {path}: {err}") from None
    return users


def _map(rt: Runtime, args: argparse.Namespace) -> int:
    released = service.map_user(rt, args.org, args.email, args.zoho_user)
    print(f"{args.email} mapped to {args.zoho_user}; {len(released)} held conversations released.")
    return 0


def _disconnect(rt: Runtime, args: argparse.Namespace) -> int:
    org = service.disconnect(rt, args.org)
    print(f"{org.org_id} disconnected; its token was revoked and deleted. The credit ledger is kept.")
    return 0


def _import(rt: Runtime, args: argparse.Namespace) -> int:
    """Import a calendar (.ics), dialer log (.csv) or JSON Lines file; report numbered errors."""
    from sync_engine.intake.imports import import_bytes

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise OnboardingRefused(f"cannot read {path}: {err.strerror}") from None
    summary = import_bytes(rt, args.org, data, filename=path.name, user_email=args.user_email,
                           default_tz=args.timezone)
    for error in summary.errors:
        print(f"error: {error}", file=sys.stderr)
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(summary.describe(f"{path.name} ({summary.format or 'unknown format'})"))
    return 1 if summary.outcome == "error" else 0


def _match(rt: Runtime, args: argparse.Namespace) -> int:
    """Offline: match a file's conversations against the mirror; one JSON object per line out."""
    from sync_engine.matching.run import match_file

    org_id = args.org or _only_org(rt)
    mirror = service.mirror_status(rt, org_id)
    if mirror.phase != "incremental":
        done = ", ".join(f"{m.module} {m.done:,}/{m.expected if m.expected is not None else '?'}"
                         for m in mirror.modules)
        raise OnboardingRefused(f"the mirror of {org_id} is {'empty' if not mirror.records_done else 'unfinished'} "
                                f"({done}): matching against it would miss records. Run: python -m sync_engine "
                                f"mirror --org {org_id} --wait")
    try:
        text = Path(args.input).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise OnboardingRefused(f"cannot read {args.input}: {err}") from None
    results, parsed = match_file(rt, org_id, text, filename=Path(args.input).name)
    for error in parsed.errors:
        print(f"error: {error}", file=sys.stderr)
    for warning in parsed.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    try:
        for result in results:
            out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    print(f"{len(results)} matched against {org_id}'s mirror: "
          + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())), file=sys.stderr)
    return 1 if parsed.errors and not results else 0


def _activity_types(rt: Runtime, args: argparse.Namespace) -> int:
    """Define the org's activity types from a JSON file (see sync_engine/matching/activity_type_codec.py)."""
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise OnboardingRefused(f"cannot read {args.file}: {err}") from None
    try:
        count = service.set_activity_types(rt, args.org, text)
    except ValueError as err:
        raise OnboardingRefused(f"{args.file}: {err}") from None
    print(f"{count} activity types defined for {args.org}; they apply from the next match.")
    return 0


def _deal_rules(rt: Runtime, args: argparse.Namespace) -> int:
    try:
        service.set_deal_rules(rt, args.org, args.json)
    except ValueError as err:
        raise OnboardingRefused(str(err)) from None
    print(f"deal rules set for {args.org}; they apply from the next match.")
    return 0


def _accounts(rt: Runtime, args: argparse.Namespace) -> int:
    """Dashboard sign-in accounts. The password comes from stdin or a prompt, never from a flag."""
    from getpass import getpass

    from sync_engine.service.access import AccountRefused

    if args.action == "list":
        for account in service.list_accounts(rt):
            state = "disabled" if account.disabled else "active"
            print(f"{account.email}\t{account.role}\t{account.org_id or '-'}\t{account.display_name}\t{state}")
        return 0
    if args.action == "remove":
        if not service.remove_account(rt, args.email):
            print(f"error: there is no account for {args.email}", file=sys.stderr)
            return 1
        print(f"{args.email} removed and signed out everywhere.")
        return 0
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else getpass("Password (10+ characters): ")
    try:
        viewer = service.create_account(rt, email=args.email, name=args.name or args.email, role=args.role,
                                        password=password, org_id=args.org)
    except AccountRefused as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 1
    scope = viewer.scope if viewer.role != "admin" or viewer.org_id else "no org yet: connecting one binds it"
    print(f"{viewer.email} added as {viewer.role} ({scope}).")
    return 0


def _writeback_status(rt: Runtime, args: argparse.Namespace) -> int:
    status = service.writeback_status(rt, args.org)
    print(f"{args.org}: " + ", ".join(f"{n:,} {state.replace('_', ' ')}" for state, n in status.counts.items()))
    paused = status.paused_until
    print(f"paused by Zoho's rate limit until {paused:%H:%M:%S} UTC" if paused else
          "not paused by Zoho's rate limit (as seen by this process)")
    print(f"credits used in the last 24 h: {status.credits_used_24h:,} of a {status.credit_budget:,} budget")
    if status.unanswered.calls:
        print(f"unsettled: {status.unanswered.describe()}")
    fresh = status.freshness
    if fresh.activities:
        print(f"freshness (conversation end -> activity in Zoho, last 24 h, {fresh.activities} activities): "
              f"p50 {fresh.p50_s:,.0f} s, p95 {fresh.p95_s:,.0f} s")
    else:
        print("freshness: no activity written in the last 24 h")
    return 0


def _writeback_dead(rt: Runtime, args: argparse.Namespace) -> int:
    letters = service.dead_letter_list(rt, args.org)
    for d in letters:
        print(f"{d.op_key}\t{d.what}\t{d.code}\t{d.attempts} attempt(s)\t{d.when:%Y-%m-%d %H:%M}\t{d.reason}")
    print(f"{len(letters)} dead letter(s)", file=sys.stderr)
    return 0


def _writeback_retry(rt: Runtime, args: argparse.Namespace) -> int:
    dead = {d.op_key for d in service.dead_letter_list(rt, args.org)}
    keys = sorted(dead) if args.all else args.key
    unknown = sorted(set(keys) - dead)
    for key in unknown:
        print(f"warning: {key} is not a dead letter of {args.org}; skipped", file=sys.stderr)
    replanned = service.retry_dead_letters(rt, args.org, keys) if keys else 0
    still = {d.op_key for d in service.dead_letter_list(rt, args.org)} & set(keys)
    print(f"{replanned} re-planned; the next push sends them."
          + (f" {len(still)} blocked again (cause not fixed): {', '.join(sorted(still))}" if still else ""))
    return 1 if unknown and not replanned else 0


def _writeback_push(rt: Runtime, args: argparse.Namespace) -> int:
    print(f"{args.org}: {service.push_now(rt, args.org).describe()}")
    return 0


def _only_org(rt: Runtime) -> str:
    orgs = service.list_orgs(rt, connected_only=True)
    if not orgs:
        raise OnboardingRefused("no org is connected; connect one first (python -m sync_engine connect --help)")
    if len(orgs) != 1:
        raise OnboardingRefused(f"{len(orgs)} orgs are connected: name one with --org "
                                "(python -m sync_engine orgs lists them)")
    return orgs[0].org_id


def _run(rt: Runtime, args: argparse.Namespace) -> int:
    """Headless: the scheduler's jobs without the UI, until interrupted."""
    from sync_engine.jobs.scheduler import SyncScheduler

    scheduler = SyncScheduler(rt, first_run_within_s=args.first_run_within)
    scheduler.start()
    orgs = service.list_orgs(rt, connected_only=True)
    print(f"scheduler running for {len(orgs)} connected org(s); Ctrl-C to stop", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(args.reload_every):
            scheduler.reload()
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown()
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m sync_engine", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    root.add_argument("--db", help="DuckDB file (default: $SYNC_DATA_DIR/sync.duckdb or data/runtime/sync.duckdb)")
    sub = root.add_subparsers(dest="command", required=True)
    connect = sub.add_parser("connect", help="connect a Zoho org (OAuth sign-in or self-client refresh token)")
    where = connect.add_mutually_exclusive_group()
    where.add_argument("--data-centre", default="US", help="US, EU, IN, AU, JP, CA, SA or CN")
    where.add_argument("--accounts-url", help="a custom accounts server, e.g. the emulator's URL")
    connect.add_argument("--client-id", required=True)
    connect.add_argument("--client-secret", help="or set ZOHO_CLIENT_SECRET")
    connect.add_argument("--refresh-token", help="self-client refresh token; or set ZOHO_REFRESH_TOKEN")
    connect.add_argument("--redirect-uri", help="registered redirect URI, for the browser sign-in")
    connect.add_argument("--redirected-to", help="the URL the browser was sent back to (else asked for)")
    connect.set_defaults(run=_connect)
    sub.add_parser("orgs", help="list connected orgs").set_defaults(run=_orgs)
    headless = sub.add_parser("run", help="run the scheduled jobs (mirror, users, ...) without the UI")
    headless.add_argument("--reload-every", type=float, default=60.0, help="seconds between checks for new orgs")
    headless.add_argument("--first-run-within", type=float, default=None, metavar="SECONDS",
                          help="start every job at most this long after starting (default: each job's own delay)")
    headless.set_defaults(run=_run)
    status = sub.add_parser("status", help="edition, credit limit and use, users, the mirror per module")
    status.add_argument("--org", help="needed when several orgs are connected")
    status.set_defaults(run=_status)
    disconnect = sub.add_parser("disconnect", help="revoke and forget an org's token")
    disconnect.add_argument("--org", required=True)
    disconnect.set_defaults(run=_disconnect)
    mirror = sub.add_parser("mirror", help="pull the org's records now: the first pull, or the polls that are due")
    mirror.add_argument("--org", help="needed when several orgs are connected")
    mirror.add_argument("--wait", action="store_true",
                        help="in the foreground until the mirror is current (the whole first pull, or every poll)")
    mirror.add_argument("--progress-every", type=float, default=2.0, help="seconds between progress lines")
    mirror.set_defaults(run=_mirror)
    users = sub.add_parser("users", help="our users and Zoho users, mapped and unmapped")
    users.add_argument("--org", required=True)
    users.add_argument("--refresh", action="store_true", help="pull Zoho's users first")
    users.set_defaults(run=_users)
    import_users = sub.add_parser("import-users", help="our platform's users from a CSV (email, full_name)")
    import_users.add_argument("--org", required=True)
    import_users.add_argument("--file", required=True)
    import_users.set_defaults(run=_import_users)
    importing = sub.add_parser("import", help="import conversations: .ics calendar, dialer .csv, .jsonl")
    importing.add_argument("file")
    importing.add_argument("--org", required=True)
    importing.add_argument("--user-email", help="the calendar's owner / default recording user")
    importing.add_argument("--timezone", default="UTC", help="zone for times written without one")
    importing.set_defaults(run=_import)
    matching = sub.add_parser("match", help="match conversations offline against the mirror (no Zoho calls)")
    matching.add_argument("--in", dest="input", required=True)
    matching.add_argument("--out", dest="output", default="-", help="matches as JSON Lines (default: stdout)")
    matching.add_argument("--org", help="needed when several orgs are connected")
    matching.set_defaults(run=_match)
    types = sub.add_parser("activity-types", help="define the org's activity types from a JSON file")
    types.add_argument("--org", required=True)
    types.add_argument("--file", required=True)
    types.set_defaults(run=_activity_types)
    deals = sub.add_parser("deal-rules", help='how to pick among open deals, e.g. \'{"order": ["nearest_closing"]}\'')
    deals.add_argument("--org", required=True)
    deals.add_argument("--json", required=True,
                       help="keys: order, pipelines, skip_stages, without_contact, single_only")
    deals.set_defaults(run=_deal_rules)
    mapping = sub.add_parser("map", help="map one of our users to a Zoho user by hand")
    mapping.add_argument("--org", required=True)
    mapping.add_argument("--email", required=True)
    mapping.add_argument("--zoho-user", required=True, help="the Zoho user id")
    mapping.set_defaults(run=_map)
    accounts = sub.add_parser("accounts", help="dashboard sign-in accounts: add, list, remove")
    actions = accounts.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add an account (csm: every org, or one with --org; admin, manager: one org)")
    add.add_argument("--email", required=True)
    add.add_argument("--name", help="display name (default: the email)")
    add.add_argument("--role", required=True, choices=("csm", "admin", "manager"))
    add.add_argument("--org", help="the org a manager reads or an admin administers (an admin may have none yet)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin's first line")
    actions.add_parser("list", help="list accounts")
    remove = actions.add_parser("remove", help="remove an account and end its sessions")
    remove.add_argument("--email", required=True)
    accounts.set_defaults(run=_accounts)
    writeback = sub.add_parser("writeback", help="write-back: status, dead letters, retry, push now")
    steps = writeback.add_subparsers(dest="action", required=True)
    for name, run, help_text in (("status", _writeback_status, "outbox counts, rate-limit pause, freshness"),
                                 ("dead", _writeback_dead, "what Zoho refused (or could not be sent), and why"),
                                 ("push", _writeback_push, "match, plan and push once now; prints the report")):
        step = steps.add_parser(name, help=help_text)
        step.add_argument("--org", required=True)
        step.set_defaults(run=run)
    retry = steps.add_parser("retry", help="plan dead letters again, once their cause is fixed")
    retry.add_argument("--org", required=True)
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every dead letter of the org")
    which.add_argument("--key", action="append", help="a dead letter's key (writeback dead lists them); repeatable")
    retry.set_defaults(run=_writeback_retry)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    run: Callable[[Runtime, argparse.Namespace], int] = args.run
    try:
        rt = open_runtime(args.db)
    except DatabaseInUse as in_use:
        print(f"error: {in_use}", file=sys.stderr)
        return 1
    try:
        return run(rt, args)
    except (OnboardingRefused, ZohoError) as err:
        message = err.describe() if isinstance(err, ZohoError) else str(err)
        print(f"error: {message}", file=sys.stderr)
        return 1
    except UnknownOrgError as err:
        print(f"error: {err}. List orgs with: python -m sync_engine orgs", file=sys.stderr)
        return 1
    finally:
        rt.close()
