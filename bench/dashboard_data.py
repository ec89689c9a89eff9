"""The large preset's dashboard data, written straight into a DuckDB file with set-based SQL.

Row-by-row inserts would take longer than the benchmark itself, so every table is filled by
``INSERT … SELECT`` over ``generate_series``. The shapes follow what the engine writes (the same
columns, the match reasons' wording, op keys of the write-back outbox), with distributions chosen to
look like a few customer orgs of different sizes: skewed users, ~90 days of meetings and calls with
more recent ones, statuses in realistic proportions, and a ledger of 30 days whose first days hold
each org's initial-sync spike (job ``mirror.initial``).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb

from sync_engine.runtime import Runtime
from sync_engine.store.orgs import ConnectionSecrets, Org
from sync_engine.zoho.editions import daily_credit_limit


@dataclass(frozen=True)
class BenchOrg:
    org_id: str
    name: str
    domain: str
    share: int  # percent of conversations, ledger rows, users and mirror records
    edition: str
    initial_day: int  # days after the ledger's first day when its initial sync ran


ORGS: tuple[BenchOrg, ...] = (
    BenchOrg("acme", "Acme Global", "acme-global.example", 45, "enterprise", 0),
    BenchOrg("borealis", "Borealis Freight", "borealis.example", 25, "enterprise", 2),
    BenchOrg("cobalt", "Cobalt Health", "cobalt-health.example", 15, "professional", 5),
    BenchOrg("driftwood", "Driftwood Media", "driftwood.example", 10, "professional", 9),
    BenchOrg("ember", "Ember Labs", "emberlabs.example", 5, "standard", 14),
)


@dataclass(frozen=True)
class Scale:
    conversations: int = 1_000_000
    ledger_rows: int = 10_000_000
    users: int = 1_000
    contacts: int = 200_000
    accounts: int = 50_000
    deals: int = 20_000
    leads: int = 30_000
    conversation_days: int = 90
    ledger_days: int = 30
    initial_share: float = 0.06  # of ledger rows, made by the initial syncs


def add_orgs(rt: Runtime, scale: Scale, now: datetime) -> None:
    """Orgs as the tests add them (no Zoho): a connected row and encrypted placeholder secrets."""
    for o in ORGS:
        connected_at = now - timedelta(days=scale.ledger_days - o.initial_day)
        licences = max(3, scale.users * o.share // 100)
        rt.orgs.add(Org(o.org_id, o.name, "US", "https://accounts.zoho.com", f"1000.{o.org_id.upper()}",
                        api_domain="https://www.zohoapis.com", zoho_org_id=f"60{zlib.crc32(o.org_id.encode()):010d}",
                        company_name=o.name, edition=o.edition, licences=licences,
                        daily_credit_limit=daily_credit_limit(o.edition, licences), budget_share=0.2,
                        connected_by_email=f"admin@{o.domain}", connected_at=connected_at),
                ConnectionSecrets("bench-secret", "1000.bench"))


def _org_table(cur: duckdb.DuckDBPyConnection, scale: Scale) -> None:
    """A helper table: each org's share as a range of percent buckets and its sizes."""
    cur.execute("CREATE TEMP TABLE bench_orgs (org_id VARCHAR, domain VARCHAR, lo INT, hi INT, users INT, "
                "contacts INT, accounts INT, deals INT, leads INT, initial_day INT)")
    lo = 0
    for o in ORGS:
        cur.execute("INSERT INTO bench_orgs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [o.org_id, o.domain, lo, lo + o.share - 1, scale.users * o.share // 100,
                     scale.contacts * o.share // 100, scale.accounts * o.share // 100,
                     scale.deals * o.share // 100, scale.leads * o.share // 100, o.initial_day])
        lo += o.share


_FIRST = "['Ana','Ben','Chloe','Dev','Elena','Farid','Grace','Hiro','Ines','Jonas','Kemi','Luca','Maya','Noor']"
_LAST = "['Silva','Okafor','Muller','Tanaka','Novak','Garcia','Smith','Khan','Rossi','Dubois','Berg','Kowalski']"
_ACCOUNT = "['Systems','Logistics','Partners','Analytics','Foods','Energy','Robotics','Retail','Capital']"


def _users_and_mirror(cur: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """~1,000 users (each org's two least active unmapped, so their conversations are held), named records."""
    cur.execute("""
        CREATE TEMP TABLE bench_users AS
        SELECT o.org_id, u.i AS n, 'rep' || u.i || '@' || o.domain AS email,
               list_element(""" + _FIRST + """, u.i % 14 + 1) || ' ' || list_element(""" + _LAST + """, u.i % 12 + 1)
                   || ' ' || u.i AS full_name,
               '4' || lpad(CAST(hash(o.org_id || u.i) % 100000000 AS VARCHAR), 12, '0') AS zoho_user_id,
               u.i >= o.users - 2 AS unmapped
        FROM bench_orgs o, generate_series(0, o.users - 1) AS u(i)""")
    cur.execute("""
        INSERT INTO zoho_users SELECT org_id, zoho_user_id, email, email, full_name,
               CASE WHEN n % 97 = 5 THEN 'inactive' ELSE 'active' END, 'Standard', 'Sales Rep', false, $now,
               NULL, NULL
        FROM bench_users WHERE NOT unmapped""", {"now": now})
    cur.execute("INSERT INTO our_users SELECT org_id, email, email, full_name FROM bench_users")
    cur.execute("INSERT INTO user_map SELECT org_id, email, zoho_user_id, 'email', $now FROM bench_users "
                "WHERE NOT unmapped", {"now": now})
    cur.execute(f"""
        INSERT INTO mirror_accounts (org_id, record_id, account_name, website, owner_id, modified_time, raw_record,
                                     synced_at)
        SELECT o.org_id, 'A' || o.org_id || a.i,
               list_element({_LAST}, a.i % 12 + 1) || ' ' || list_element({_ACCOUNT}, a.i % 9 + 1) || ' ' || a.i,
               'https://acct' || a.i || '.example', NULL, $now, '{{}}', $now
        FROM bench_orgs o, generate_series(0, o.accounts - 1) AS a(i)""", {"now": now})
    cur.execute(f"""
        INSERT INTO mirror_contacts (org_id, record_id, first_name, last_name, full_name, email, account_id,
                                     modified_time, raw_record, synced_at)
        SELECT o.org_id, 'C' || o.org_id || c.i, list_element({_FIRST}, c.i % 14 + 1),
               list_element({_LAST}, c.i % 12 + 1) || c.i,
               list_element({_FIRST}, c.i % 14 + 1) || ' ' || list_element({_LAST}, c.i % 12 + 1) || c.i,
               'person' || c.i || '@acct' || (c.i % o.accounts) || '.example', 'A' || o.org_id || (c.i % o.accounts),
               $now, '{{}}', $now
        FROM bench_orgs o, generate_series(0, o.contacts - 1) AS c(i)""", {"now": now})
    cur.execute(f"""
        INSERT INTO mirror_leads (org_id, record_id, first_name, last_name, full_name, email, company, converted,
                                  modified_time, raw_record, synced_at)
        SELECT o.org_id, 'L' || o.org_id || l.i, list_element({_FIRST}, l.i % 14 + 1), 'Lead' || l.i,
               list_element({_FIRST}, l.i % 14 + 1) || ' Lead' || l.i, 'lead' || l.i || '@prospect.example',
               'Prospect ' || l.i, false, $now, '{{}}', $now
        FROM bench_orgs o, generate_series(0, o.leads - 1) AS l(i)""", {"now": now})
    cur.execute("""
        INSERT INTO mirror_deals (org_id, record_id, deal_name, stage, pipeline, account_id, modified_time,
                                  raw_record, synced_at)
        SELECT o.org_id, 'D' || o.org_id || d.i, 'Renewal ' || d.i || ' (' || (2025 + d.i % 2) || ')',
               list_element(['Qualification','Needs Analysis','Proposal','Negotiation'], d.i % 4 + 1), 'Standard',
               'A' || o.org_id || (d.i % o.accounts), $now, '{}', $now
        FROM bench_orgs o, generate_series(0, o.deals - 1) AS d(i)""", {"now": now})


_REASONS = """CASE
  WHEN status = 'matched' AND kind = 'meeting' THEN to_json(['attendee ' || guest || ' is contact ' || contact_id
       || ' (email)', 'recording user ' || email || ' is Zoho user ' || full_name])
  WHEN status = 'matched' THEN to_json(['called number +1415555' || (n % 10000) || ' is contact ' || contact_id
       || ' (phone)', 'recording user ' || email || ' is Zoho user ' || full_name])
  WHEN status = 'partial' THEN to_json(['account ' || account_id || ' by the domain acct' || (n % 997)
       || '.example of unknown attendee ' || guest || ' (the account''s website)',
       'recording user ' || email || ' is Zoho user ' || full_name])
  WHEN status = 'ambiguous' AND v < 0.5 THEN to_json(['shared.example is the domain of 2 accounts (North, South):'
       || ' no account from 1 unknown attendee', 'recording user ' || email || ' is Zoho user ' || full_name])
  WHEN status = 'ambiguous' THEN to_json(['called number +1212555' || (n % 1000) || ' is shared by 2 contacts '
       || '(Ana, Ben), not all of one account, and none was active within 30 days of the conversation',
       'recording user ' || email || ' is Zoho user ' || full_name])
  WHEN status = 'unmatched' AND kind = 'meeting' AND v < 0.6 THEN to_json(['newco' || (n % 5000)
       || '.example is not the domain of any account: no account from 1 unknown attendee',
       'recording user ' || email || ' is Zoho user ' || full_name])
  WHEN status = 'unmatched' AND kind = 'meeting' THEN to_json(['1 attendee on personal-mail domains not in Zoho '
       || '(someone' || (n % 900) || '@gmail.com): a personal domain never links an account',
       'recording user ' || email || ' is Zoho user ' || full_name])
  WHEN status = 'unmatched' AND v < 0.8 THEN to_json(['called number +1646555' || (n % 10000)
       || ' is not on any contact, lead or account', 'recording user ' || email || ' is Zoho user ' || full_name])
  WHEN status = 'unmatched' THEN to_json(['the called number ''n/a'' is not a phone number that can be matched',
       'recording user ' || email || ' is Zoho user ' || full_name])
  ELSE to_json(['all 3 participants are from the org: an internal meeting, not logged',
       'recording user ' || email || ' is Zoho user ' || full_name])
END"""


def _conversations(cur: duckdb.DuckDBPyConnection, scale: Scale, now: datetime) -> None:
    """1M meetings and calls over 90 days (more recent ones more often), users skewed, statuses in proportion."""
    cur.execute(f"""
        CREATE TEMP TABLE bench_conversations AS
        WITH picked AS (
            SELECT s.n, o.org_id, o.domain, o.accounts, o.contacts, o.deals, o.leads,
                   CAST(floor(pow(random(), 1.7) * o.users) AS INT) AS user_n,
                   CASE WHEN random() < 0.6 THEN 'meeting' ELSE 'call' END AS kind,
                   $now - to_seconds(CAST(pow(random(), 1.25) * {scale.conversation_days} * 86400 AS BIGINT))
                       AS started_at,
                   random() AS r, random() AS v
            FROM generate_series(0, {scale.conversations - 1}) AS s(n)
            JOIN bench_orgs o ON s.n % 100 BETWEEN o.lo AND o.hi)
        SELECT p.*, u.email, u.full_name, u.zoho_user_id, u.unmapped,
               'C' || p.org_id || CAST(floor(p.v * p.contacts) AS INT) AS contact_id,
               'A' || p.org_id || (CAST(floor(p.v * p.contacts) AS INT) % p.accounts) AS account_id,
               'guest' || (p.n % 7919) || '@acct' || (p.n % 997) || '.example' AS guest,
               CASE WHEN u.unmapped THEN 'held' WHEN r < 0.55 THEN 'matched' WHEN r < 0.67 THEN 'partial'
                    WHEN r < 0.72 THEN 'ambiguous' WHEN r < 0.85 THEN 'unmatched' WHEN r < 0.975 THEN 'internal'
                    ELSE 'not matched yet' END AS status
        FROM picked p JOIN bench_users u ON u.org_id = p.org_id AND u.n = p.user_n""", {"now": now})
    cur.execute("""
        INSERT INTO conversations
        SELECT org_id, CASE kind WHEN 'meeting' THEN 'mtg-' ELSE 'call-' END || lpad(CAST(n AS VARCHAR), 7, '0'),
               kind, email,
               CASE kind WHEN 'meeting' THEN list_element(['Intro','Discovery call','Demo','Pricing review',
                   'Quarterly business review','Onboarding','Renewal check-in'], n % 7 + 1) || ' - '
                   || list_element(['Silva','Okafor','Muller','Tanaka','Novak','Garcia'], n % 6 + 1) || ' '
                   || list_element(['Systems','Logistics','Partners','Analytics'], n % 4 + 1) END,
               started_at, started_at + to_minutes(CAST(15 + (n % 4) * 15 AS BIGINT)),
               CASE kind WHEN 'meeting' THEN 'calendar.ics' ELSE 'dialer.csv' END,
               to_json({'kind': kind, 'id': n, 'user_email': email, 'start': started_at}),
               started_at + INTERVAL 10 MINUTE
        FROM bench_conversations ORDER BY started_at""")
    cur.execute(f"""
        INSERT INTO conversation_matches
        SELECT org_id, CASE kind WHEN 'meeting' THEN 'mtg-' ELSE 'call-' END || lpad(CAST(n AS VARCHAR), 7, '0'),
               status,
               CASE WHEN status = 'matched' AND v >= 0.1 THEN contact_id END,
               CASE WHEN status = 'matched' AND v < 0.1 THEN 'L' || org_id || (n % leads) END,
               CASE WHEN status IN ('matched', 'partial') AND v >= 0.1 THEN account_id END,
               CASE WHEN status IN ('matched', 'partial') AND v >= 0.1 AND r < 0.3
                    THEN 'D' || org_id || (n % deals) END,
               zoho_user_id,
               CASE WHEN status IN ('matched', 'partial') THEN list_element(['Discovery', 'Demo', 'Follow-up',
                    'Negotiation', NULL], n % 5 + 1) END,
               {_REASONS}, started_at + INTERVAL 15 MINUTE, NULL
        FROM bench_conversations WHERE status NOT IN ('held', 'not matched yet')""")
    cur.execute("""
        INSERT INTO held_conversations
        SELECT org_id, CASE kind WHEN 'meeting' THEN 'mtg-' ELSE 'call-' END || lpad(CAST(n AS VARCHAR), 7, '0'),
               email, email, to_json({'kind': kind, 'id': n}), 'no Zoho user is mapped to this user''s email',
               started_at + INTERVAL 10 MINUTE, NULL
        FROM bench_conversations WHERE status = 'held'""")


def _outbox(cur: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """An activity for most matched or partial conversations, tasks for some, stage updates for a few deals."""
    cur.execute("""
        CREATE TEMP TABLE bench_writes AS
        SELECT c.org_id, c.conversation_id, c.kind, c.ended_at, m.deal_id,
               CAST(hash(c.conversation_id) % 1000 AS INT) AS h,
               CASE WHEN c.ended_at > $now - INTERVAL 2 HOUR THEN
                        CASE WHEN hash(c.conversation_id) % 10 < 6 THEN 'pending'
                             WHEN hash(c.conversation_id) % 10 < 7 THEN 'in_flight' ELSE 'done' END
                    WHEN hash(c.conversation_id) % 1000 < 15 THEN 'dead'
                    WHEN hash(c.conversation_id) % 1000 < 25 THEN 'pending' ELSE 'done' END AS state
        FROM conversations c JOIN conversation_matches m USING (org_id, conversation_id)
        WHERE m.status IN ('matched', 'partial') AND hash(c.conversation_id) % 100 < 97""", {"now": now})
    common = """, priority, state, CASE WHEN state = 'pending' THEN 0 ELSE 1 END, NULL,
               CASE WHEN state <> 'pending' THEN ended_at + INTERVAL 20 MINUTE END,
               CASE WHEN state = 'done' THEN '5725767' || lpad(CAST(hash(op_key) % 100000000 AS VARCHAR), 9, '0') END,
               CASE WHEN state = 'dead' THEN list_element(['INVALID_DATA', 'MANDATORY_NOT_FOUND',
                    'NO_PERMISSION'], h % 3 + 1) END,
               CASE WHEN state = 'dead' THEN list_element(['the owner is not an active user',
                    'required field Subject is missing', 'permission denied to create Events'], h % 3 + 1) END,
               NULL, ended_at, ended_at + INTERVAL 15 MINUTE, ended_at + INTERVAL 21 MINUTE,
               CASE WHEN state = 'done' THEN ended_at + INTERVAL 21 MINUTE END"""
    cur.execute(f"""
        INSERT INTO writeback_outbox
        SELECT org_id, op_key, conversation_id, module, action, NULL, marker {common}
        FROM (
            SELECT *, conversation_id || '/activity' AS op_key, CASE kind WHEN 'meeting' THEN 'Events'
                   ELSE 'Calls' END AS module, 'insert' AS action, 'ci:' || conversation_id AS marker, 0 AS priority
            FROM bench_writes
            UNION ALL
            SELECT bench_writes.*, conversation_id || '/task/' || t.k, 'Tasks', 'insert',
                   'ci:' || conversation_id || '/' || t.k, 1
            FROM bench_writes, generate_series(1, 2) AS t(k) WHERE h < CASE t.k WHEN 1 THEN 300 ELSE 100 END
            UNION ALL
            SELECT *, conversation_id || '/stage', 'Deals', 'update', NULL, 1
            FROM bench_writes WHERE deal_id IS NOT NULL AND h % 4 = 0)""")


def _ledger(cur: duckdb.DuckDBPyConnection, scale: Scale, now: datetime) -> None:
    """30 days of calls in time order: routine work every day, and each org's initial sync as a burst."""
    start = now - timedelta(days=scale.ledger_days)
    initial = int(scale.ledger_rows * scale.initial_share)
    routine = scale.ledger_rows - initial
    cur.execute(f"""
        CREATE TEMP TABLE bench_calls AS
        SELECT o.org_id, $start + to_microseconds(CAST(s.n * {scale.ledger_days * 86_400_000_000 // routine}
                   AS BIGINT)) AS called_at, s.n, random() AS r, false AS initial
        FROM generate_series(0, {routine - 1}) AS s(n) JOIN bench_orgs o ON s.n % 100 BETWEEN o.lo AND o.hi
        UNION ALL
        SELECT o.org_id, $start + to_days(o.initial_day) + INTERVAL 9 HOUR
                   + to_microseconds(CAST(pow(random(), 2) * 6 * 3600 * 1e6 AS BIGINT)), s.n, random(), true
        FROM generate_series(0, {initial - 1}) AS s(n) JOIN bench_orgs o ON s.n % 100 BETWEEN o.lo AND o.hi""",
                {"start": start})
    cur.execute("""
        INSERT INTO credit_ledger
        SELECT org_id, called_at, CASE WHEN api LIKE 'records.%' AND api <> 'records.list' THEN 'POST' ELSE 'GET' END,
               api, '/crm/v8/' || module, module, http_status,
               CASE http_status WHEN 429 THEN 'TOO_MANY_REQUESTS' WHEN 400 THEN 'INVALID_DATA'
                    WHEN 500 THEN 'INTERNAL_ERROR' END,
               CASE WHEN http_status IN (0, 429) THEN 0 WHEN api IN ('bulk.create', 'bulk.download') THEN 50
                    WHEN api = 'coql' THEN 1 + n % 3 WHEN api = 'records.insert' THEN 1 + n % 2 ELSE 1 END,
               5 + r * 400, job, CASE WHEN job = 'push' THEN 'rep' || (n % 200) || '@' || domain END
        FROM (
            SELECT c.*, o.domain,
                   CASE WHEN c.initial THEN 'mirror.initial' WHEN r < 0.55 THEN 'mirror.incremental'
                        WHEN r < 0.9 THEN 'push' WHEN r < 0.95 THEN 'users.refresh' ELSE NULL END AS job,
                   CASE WHEN c.initial THEN (CASE n % 20 WHEN 0 THEN 'bulk.create' WHEN 1 THEN 'bulk.download'
                                                    ELSE 'coql' END)
                        WHEN r < 0.35 THEN 'coql' WHEN r < 0.5 THEN 'records.list' WHEN r < 0.55 THEN 'records.deleted'
                        WHEN r < 0.8 THEN 'records.insert' WHEN r < 0.9 THEN 'records.update'
                        WHEN r < 0.95 THEN 'users' ELSE 'oauth.refresh' END AS api,
                   list_element(['Contacts','Leads','Accounts','Deals','Events','Calls','Tasks'], n % 7 + 1) AS module,
                   CASE WHEN n % 1000 < 5 THEN 429 WHEN n % 1000 < 9 THEN 400 WHEN n % 1000 < 11 THEN 0
                        WHEN n % 1000 < 13 THEN 500 ELSE 200 END AS http_status
            FROM bench_calls c JOIN bench_orgs o USING (org_id)) ORDER BY called_at""")


def _job_runs(cur: duckdb.DuckDBPyConnection, scale: Scale, now: datetime) -> None:
    """What the scheduler would have recorded: mirror and match every 5 minutes, users hourly."""
    cur.execute(f"""
        INSERT INTO job_runs
        SELECT o.org_id, j.job, t.at, t.at + to_milliseconds(CAST(200 + random() * j.ms AS BIGINT)),
               CASE WHEN random() < 0.01 THEN 'failed' ELSE 'ok' END, NULL, CAST(random() * j.credits AS INT), NULL
        FROM bench_orgs o,
             (VALUES ('mirror', 300, 4000, 40), ('match', 300, 9000, 0), ('users.refresh', 3600, 800, 3)) j(job, every,
                                                                                                      ms, credits),
             LATERAL (SELECT unnest(generate_series($now - INTERVAL {scale.ledger_days} DAY, $now,
                                                    to_seconds(j.every))) AS at) t""", {"now": now})


def generate(rt: Runtime, scale: Scale, now: datetime | None = None) -> dict[str, int]:
    """Fill the runtime's store; returns rows per table."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    add_orgs(rt, scale, now)
    with rt.store.transaction() as cur:
        _org_table(cur, scale)
        _users_and_mirror(cur, now)
        _conversations(cur, scale, now)
        _outbox(cur, now)
        _ledger(cur, scale, now)
        _job_runs(cur, scale, now)
        for table in ("bench_orgs", "bench_users", "bench_conversations", "bench_writes", "bench_calls"):
            cur.execute(f"DROP TABLE {table}")
    tables = ("conversations", "conversation_matches", "held_conversations", "writeback_outbox", "credit_ledger",
              "job_runs", "zoho_users", "mirror_contacts")
    return {t: int(rt.store.query(f"SELECT count(*) FROM {t}")[0][0]) for t in tables}
