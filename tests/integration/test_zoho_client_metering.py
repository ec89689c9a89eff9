"""The credit ledger: one ApiCall per HTTP attempt, whose credits add up to exactly what the emulator
charged — failures, retries and refreshes included — each attributed to the job and user behind it."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from zoho_client_support import FAST_RETRY, Control, Ledger, connect, start, stop_later

from sync_engine.zoho.calls import ApiCall, attributed_to
from sync_engine.zoho.errors import RateLimited, ZohoError
from zoho_emulator import RunningEmulator


@pytest.fixture
def em() -> Iterator[RunningEmulator]:
    emulator = start(contacts=450)
    yield emulator
    stop_later(emulator)


def mixed_run(em: RunningEmulator, ledger: Ledger) -> None:
    """Reads, writes, COQL at two prices, client errors, 5xx, drops, an expired token and a 429 streak."""
    ctl = Control(em)
    client = connect(em, ledger)
    client.org()
    client.users()
    assert len(list(client.iter_records("Contacts", ["Last_Name"]))) == 453  # 3 pages
    client.coql("select id from Contacts where id is not null limit 500")  # 2 credits
    client.coql("select id from Contacts where Last_Name = 'nobody' limit 1000, 1500")  # 3 credits, 204
    ids = [r.id for r in client.insert("Contacts", [{"Last_Name": f"New {i}"} for i in range(12)])]  # 2
    client.delete("Contacts", ids[:3])
    client.deleted_records("Contacts")  # 2
    client.insert("Contacts", [{"First_Name": "no last name"}] * 11)  # all fail per record: still 2
    for failing in (lambda: client.get_record("Contacts", "5725767000099999999"),  # charged 1
                    lambda: client.coql("select nonsense"),  # rejected before work: charged 1
                    lambda: client.search("Contacts", criteria="(No_Such_Field:equals:x)")):
        with pytest.raises(ZohoError):
            failing()
    ctl.post("tokens/expire")  # a 401, then a refresh
    client.modules()
    ctl.faults(error_rate=0.3, drop_rate=0.2, seed=11)
    for _ in range(6):
        client.org()
        client.fields("Contacts")
    ctl.no_faults()
    job = client.bulk_read_create("Contacts", fields=["Last_Name"])
    client.bulk_read_status(job["id"])
    ctl.post("credits/exhaust")
    with pytest.raises(RateLimited):
        client.org()


def test_ledger_credits_equal_the_emulators_total_for_a_mixed_run(em):
    """Answered calls at Zoho's price; the dropped ones (answer unknown) at their expected price, which the
    emulator did not charge here: it dropped them before doing the work."""
    ledger = Ledger()
    mixed_run(em, ledger)
    api_calls = [c for c in ledger.calls if not c.api.startswith("oauth.")]
    usage = Control(em).settled_usage(len(api_calls))
    unanswered = [c for c in api_calls if not c.answered]
    assert unanswered and all(c.http_status == 0 and c.credits == 1 for c in unanswered)
    assert ledger.credits() - sum(c.credits for c in unanswered) == usage["total_charged"]
    assert len(api_calls) == usage["calls"]  # every attempt the emulator saw is in the ledger, and no more
    statuses = {c.http_status for c in api_calls}
    assert {0, 200, 204, 400, 401, 429, 500} <= statuses
    assert ledger.refreshes() == 2


def test_every_attempt_is_attributed_to_the_job_and_user(em):
    ledger = Ledger()
    client = connect(em, ledger)
    with attributed_to(job="mirror.initial"):
        client.org()  # includes the first token refresh
        with attributed_to(user="csm@northwind-demo.com"):
            Control(em).faults(error_rate=1.0)
            with pytest.raises(ZohoError):
                client.modules()
            Control(em).no_faults()
    client.users()
    assert [(c.api, c.job, c.user) for c in ledger.calls] == (
        [("oauth.refresh", "mirror.initial", None), ("org", "mirror.initial", None)]
        + [("settings.modules", "mirror.initial", "csm@northwind-demo.com")] * FAST_RETRY.max_attempts
        + [("users.list", None, None)])
    assert all(c.org_id == "5725767000000000001" and c.at.tzinfo is not None for c in ledger.calls)
    assert all(c.path.startswith("/crm/v8/") for c in ledger.calls if c.api != "oauth.refresh")


def test_a_failing_observer_never_fails_the_call(em):
    def broken(call: ApiCall) -> None:
        raise RuntimeError("ledger down")

    client = connect(em, broken)
    assert client.org()["company_name"] == "Northwind Demo"
