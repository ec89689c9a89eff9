"""The Write-back page: an admin sees what Zoho refused and why, fixes the cause and retries; a manager reads
the same list without any button; a manager of another org sees none of it, even with ``?org=`` in the URL.

The demo org is mirrored and pushed for real against its embedded emulator (no scheduler: nothing runs
behind the test's back); a meeting recorded by the org's inactive Zoho user (Zoho takes no activity
owned by them) is the dead letter.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from ui_sessions import new_session, runtime_of, signed_in_as

from sync_engine import service
from sync_engine.intake.imports import import_bytes
from sync_engine.runtime import Runtime
from sync_engine.store.orgs import ConnectionSecrets, Org

INACTIVE = "mohammed.khan@zencoreaerospace.com"  # the demo org's inactive Zoho user
DEAD_KEY = "wb-1/activity"
REASON = f"{INACTIVE} has no active Zoho user: map them to one on the Connection page, then retry"
OTHER_MANAGER = ("mo@other.example", "other-manager-password")


@dataclass(frozen=True)
class Seeded:
    rt: Runtime
    org_id: str
    rep_id: str  # the Zoho user the stranger is mapped to once "the cause is fixed"


@pytest.fixture
def seeded(signed_out: AppTest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seeded]:
    """The demo org mirrored and pushed once: its recorded conversations in Zoho, and one dead letter."""
    monkeypatch.setenv("SYNC_NO_SCHEDULER", "1")
    st.cache_data.clear()
    signed_out.run()
    rt = runtime_of(signed_out)
    demo = rt.demo
    service.mirror_org(rt, demo.org_id)
    data = demo.emulator.state.data
    import_bytes(rt, demo.org_id, (json.dumps(stranger_meeting(data)) + "\n").encode(), filename="late.jsonl")
    service.push_now(rt, demo.org_id)
    rep = next(u for u in data.users.values() if u.active and not u.is_admin)
    yield Seeded(rt, demo.org_id, rep.id)


def stranger_meeting(data: Any) -> dict[str, Any]:
    """A meeting with a contact known by a unique email, recorded by the org's inactive Zoho user."""
    people = [r for m in ("Contacts", "Leads") for r in data.tables[m].rows.values()]
    emails = Counter((r.get("Email") or "").lower() for r in people)
    contact = next(c for c in data.tables["Contacts"].rows.values()
                   if c.get("Email") and emails[c["Email"].lower()] == 1)
    now = datetime.now(UTC).replace(microsecond=0)
    return {"kind": "meeting", "id": "wb-1", "title": "Pricing review", "start": (now - timedelta(hours=1)).isoformat(),
            "end": (now - timedelta(minutes=30)).isoformat(), "organizer": INACTIVE,
            "user_email": INACTIVE, "attendees": [INACTIVE, contact["Email"]], "summary": "Pricing."}


def open_writeback(app: AppTest) -> AppTest:
    app.switch_page("pages/writeback.py")
    app.run()
    assert not app.exception, app.exception
    return app


def dead_table(app: AppTest) -> Any:
    return next(d.value for d in app.dataframe if "reason" in d.value.columns)


def click(app: AppTest, label: str) -> None:
    next(b for b in app.button if b.label == label).click()
    app.run()
    assert not app.exception, app.exception


def test_an_admin_sees_the_dead_letter_with_zohos_reason_fixes_the_cause_and_retries_it(signed_out, seeded):
    app = open_writeback(signed_in_as(signed_out, "admin"))
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Dead letters"] == "1" and int(metrics["Done"].replace(",", "")) > 0
    assert {"Pending", "In flight", "Credits used (24 h)", "Freshness p50 (24 h)",
            "Freshness p95 (24 h)"} <= set(metrics)
    [row] = dead_table(app).to_dict("records")
    assert (row["what"], row["code"], row["reason"], row["user"]) == ("Event", "OWNER_NOT_MAPPED", REASON,
                                                                       INACTIVE)
    assert row["conversation"] == "Pricing review (wb-1)"
    latest = next(d.value for d in app.dataframe if "Zoho record id" in d.value.columns)
    assert latest["Zoho record id"].notna().all() and len(latest) > 0

    service.map_user(seeded.rt, seeded.org_id, INACTIVE, seeded.rep_id)  # the cause, fixed
    app.multiselect[0].set_value([DEAD_KEY])  # inside the form: sent with its submit button
    click(app, "Retry selected")

    assert [s.value for s in app.success] == ["1 re-planned; the next push sends them."]
    assert {m.label: m.value for m in app.metric}["Dead letters"] == "0"
    assert not any("reason" in d.value.columns for d in app.dataframe)

    click(app, "Push now")
    assert [s.value for s in app.success] == ["Push: 0 planned; 1 created; 0 updated."]
    events = [e for e in runtime_of(app).demo.emulator.state.data.tables["Events"].rows.values()
              if e.get("Event_Title") == "Pricing review"]
    assert [e["Owner"] for e in events] == [seeded.rep_id]


def test_retrying_before_the_cause_is_fixed_says_it_is_blocked_again(signed_out, seeded):
    app = open_writeback(signed_in_as(signed_out, "admin"))
    app.multiselect[0].set_value([DEAD_KEY])  # inside the form: sent with its submit button
    click(app, "Retry selected")
    assert [s.value for s in app.success] == ["1 re-planned; the next push sends them. 1 are blocked again: their "
                                              "cause is not fixed yet (see the list)."]
    assert dead_table(app)["reason"].tolist() == [REASON]


def test_a_manager_reads_the_dead_letters_without_retry_or_push(signed_out, seeded):
    app = open_writeback(signed_in_as(signed_out, "manager"))
    assert dead_table(app)["reason"].tolist() == [REASON]
    assert not any(b.label in ("Retry selected", "Push now") for b in app.button)
    assert not app.multiselect
    assert any("An admin of the org retries these" in c.value for c in app.caption)


def add_other_org_and_its_manager(rt: Runtime) -> str:
    rt.orgs.add(Org("other", "Other", "EU", "https://accounts.zoho.eu", "1000.OTHER", company_name="Other Ltd",
                    edition="enterprise", licences=3, daily_credit_limit=53_000,
                    connected_by_email="zoho.admin@other.example", connected_at=datetime.now(UTC)),
                ConnectionSecrets("client-secret", "1000.refresh"))
    service.create_account(rt, email=OTHER_MANAGER[0], name="Mo Other", role="manager", password=OTHER_MANAGER[1],
                           org_id="other")
    return service.sign_in(rt, *OTHER_MANAGER)[1]


def test_a_manager_of_another_org_sees_none_of_this_orgs_rows(signed_out, seeded):
    token = add_other_org_and_its_manager(seeded.rt)
    app = open_writeback(new_session(token).run())
    assert app.selectbox == [] or all("(other)" in o for s in app.selectbox for o in s.options)
    assert {m.label: m.value for m in app.metric}["Dead letters"] == "0"
    assert not app.dataframe
    shown = [*app.metric, *app.caption, *app.markdown, *app.info, *app.warning, *app.success]
    assert not any(seeded.org_id in str(e.value) or "wb-1" in str(e.value) for e in shown)


@pytest.mark.parametrize("org_param", ["demo", "no-such-org"])
def test_a_manager_of_another_org_gets_not_found_for_this_orgs_id_in_the_url(signed_out, seeded, org_param):
    token = add_other_org_and_its_manager(seeded.rt)
    wanted = seeded.org_id if org_param == "demo" else org_param
    app = new_session(token).run()
    app.switch_page("pages/writeback.py")
    app.query_params["org"] = wanted
    app.run()
    assert not app.exception, app.exception
    assert [e.value for e in app.error] == [f"Org '{wanted}' was not found."]
    assert not app.dataframe and not app.metric and not app.selectbox and not app.button
