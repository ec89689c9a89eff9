"""Sign-in with roles, on a real DuckDB file: hashing, sessions and their expiry, the throttle, scope."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync_engine import service
from sync_engine.runtime import Runtime
from sync_engine.service import access
from sync_engine.service.access import AccountRefused, OrgNotVisible, SessionPolicy, SignInRefused, Viewer
from sync_engine.store.orgs import ConnectionSecrets, Org
from sync_engine.zoho.calls import ApiCall

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def add_org(rt: Runtime, org_id: str) -> None:
    rt.orgs.add(Org(org_id, org_id.title(), "EU", "https://accounts.zoho.eu", f"1000.{org_id}", company_name=org_id,
                    edition="enterprise", licences=10, daily_credit_limit=60_000),
                ConnectionSecrets("client-secret", "1000.refresh"))


@pytest.fixture
def two_orgs(rt: Runtime) -> Runtime:
    add_org(rt, "org-a")
    add_org(rt, "org-b")
    return rt


# -- hashing and accounts ---------------------------------------------------------------------------
def test_the_password_is_stored_as_an_argon2id_hash_never_in_clear(rt: Runtime, tmp_path: Path) -> None:
    access.create_account(rt, "Casey@Corp.COM ", "Casey", "csm", PASSWORD)
    stored = rt.store.query("SELECT email, password_hash FROM dashboard_accounts")
    assert stored[0][0] == "casey@corp.com"
    assert stored[0][1].startswith("$argon2id$") and PASSWORD not in stored[0][1]
    rt.store.close()
    assert PASSWORD.encode() not in (tmp_path / "sync.duckdb").read_bytes()


def test_two_accounts_with_the_same_password_get_different_hashes(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    access.create_account(rt, "b@corp.com", "B", "csm", PASSWORD)
    hashes = {h for (h,) in rt.store.query("SELECT password_hash FROM dashboard_accounts")}
    assert len(hashes) == 2


@pytest.mark.parametrize(("email", "role", "password", "org_id", "says"), [
    ("not-an-email", "csm", PASSWORD, None, "not an email address"),
    ("a@corp.com", "owner", PASSWORD, None, "role must be one of csm, admin, manager"),
    ("a@corp.com", "csm", "too short", None, "at least 10 characters"),
    ("a@corp.com", "manager", PASSWORD, None, "A manager sees one org"),
    ("a@corp.com", "manager", PASSWORD, "no-such-org", "There is no org 'no-such-org'"),
    ("a@corp.com", "admin", PASSWORD, "no-such-org", "There is no org 'no-such-org'"),
    ("a@corp.com", "csm", PASSWORD, "no-such-org", "There is no org 'no-such-org'"),
])
def test_an_account_that_cannot_work_is_refused_with_what_to_change(two_orgs: Runtime, email: str, role: str,
                                                                    password: str, org_id: str | None,
                                                                    says: str) -> None:
    with pytest.raises(AccountRefused, match=says):
        access.create_account(two_orgs, email, "Name", role, password, org_id)
    assert access.list_accounts(two_orgs) == []


def test_an_email_has_one_account_whatever_its_case(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    with pytest.raises(AccountRefused, match="already an account"):
        access.create_account(rt, "A@Corp.com", "A again", "csm", PASSWORD)


def test_listing_shows_accounts_without_their_hashes_and_removing_ends_their_sessions(two_orgs: Runtime) -> None:
    access.create_account(two_orgs, "m@corp.com", "Mo", "manager", PASSWORD, "org-a")
    _, token = access.sign_in(two_orgs, "m@corp.com", PASSWORD)
    [account] = access.list_accounts(two_orgs)
    assert (account.email, account.role, account.org_id, account.disabled) == ("m@corp.com", "manager", "org-a", False)
    assert "argon2" not in repr(account)
    assert access.remove_account(two_orgs, "M@corp.com")
    assert access.viewer_for(two_orgs, token) is None
    assert not access.remove_account(two_orgs, "m@corp.com")


# -- signing in ---------------------------------------------------------------------------------------
def test_signing_in_gives_the_viewer_and_a_token_of_which_only_the_digest_is_stored(two_orgs: Runtime) -> None:
    access.create_account(two_orgs, "m@corp.com", "Mo", "manager", PASSWORD, "org-a")
    viewer, token = access.sign_in(two_orgs, " M@Corp.com", PASSWORD, now=T0)
    assert viewer == Viewer("m@corp.com", "Mo", "manager", "org-a")
    assert len(token) >= 40
    stored = two_orgs.store.query("SELECT token_sha256 FROM dashboard_sessions")
    assert stored == [(access.token_digest(token),)] and token not in stored[0][0]
    assert access.viewer_for(two_orgs, token, now=T0 + timedelta(minutes=5)) == viewer


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    with pytest.raises(SignInRefused) as wrong_password:
        access.sign_in(rt, "a@corp.com", "wrong password!")
    with pytest.raises(SignInRefused) as unknown_email:
        access.sign_in(rt, "nobody@corp.com", PASSWORD)
    assert str(wrong_password.value) == str(unknown_email.value) == "The email or password is wrong."


def test_a_disabled_account_cannot_sign_in_and_its_sessions_stop_working(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    _, token = access.sign_in(rt, "a@corp.com", PASSWORD)
    with rt.store.transaction() as cur:
        cur.execute("UPDATE dashboard_accounts SET disabled = true WHERE email = 'a@corp.com'")
    assert access.viewer_for(rt, token) is None
    with pytest.raises(SignInRefused, match="disabled"):
        access.sign_in(rt, "a@corp.com", PASSWORD)


# -- sessions -----------------------------------------------------------------------------------------
def test_a_session_ends_one_hour_after_its_last_use(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    _, token = access.sign_in(rt, "a@corp.com", PASSWORD, now=T0)
    assert access.viewer_for(rt, token, now=T0 + timedelta(minutes=50)) is not None  # used: idle clock restarts
    assert access.viewer_for(rt, token, now=T0 + timedelta(minutes=109)) is not None
    assert access.viewer_for(rt, token, now=T0 + timedelta(minutes=170)) is None
    assert access.viewer_for(rt, token, now=T0 + timedelta(minutes=171)) is None  # gone, not just refused
    assert rt.store.query("SELECT count(*) FROM dashboard_sessions") == [(0,)]


def test_a_session_ends_eight_hours_after_sign_in_however_busy(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    _, token = access.sign_in(rt, "a@corp.com", PASSWORD, now=T0)
    for half_hours in range(1, 16):  # used every 30 minutes, up to 7 h 30
        assert access.viewer_for(rt, token, now=T0 + timedelta(minutes=30 * half_hours)) is not None
    assert access.viewer_for(rt, token, now=T0 + timedelta(hours=7, minutes=59)) is not None
    assert access.viewer_for(rt, token, now=T0 + timedelta(hours=8)) is None


def test_the_limits_come_from_the_policy(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    short = SessionPolicy(lifetime=timedelta(seconds=30), idle=timedelta(seconds=10))
    _, token = access.sign_in(rt, "a@corp.com", PASSWORD, now=T0, policy=short)
    assert access.viewer_for(rt, token, now=T0 + timedelta(seconds=9), policy=short) is not None
    assert access.viewer_for(rt, token, now=T0 + timedelta(seconds=20), policy=short) is None


def test_signing_out_ends_that_session_only(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    _, laptop = access.sign_in(rt, "a@corp.com", PASSWORD)
    _, phone = access.sign_in(rt, "a@corp.com", PASSWORD)
    access.sign_out(rt, laptop)
    assert access.viewer_for(rt, laptop) is None
    assert access.viewer_for(rt, phone) is not None
    assert access.viewer_for(rt, "made-up-token") is None and access.viewer_for(rt, None) is None


def test_expired_sessions_of_everyone_are_swept(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    access.create_account(rt, "b@corp.com", "B", "csm", PASSWORD)
    access.sign_in(rt, "a@corp.com", PASSWORD, now=T0)
    _, fresh = access.sign_in(rt, "b@corp.com", PASSWORD, now=T0 + timedelta(hours=2))
    assert access.sweep_sessions(rt, now=T0 + timedelta(hours=2, minutes=1)) == 1
    assert rt.store.query("SELECT email FROM dashboard_sessions") == [("b@corp.com",)]
    assert access.viewer_for(rt, fresh, now=T0 + timedelta(hours=2, minutes=2)) is not None


# -- throttle -----------------------------------------------------------------------------------------
def fail(rt: Runtime, email: str, at: datetime) -> str:
    with pytest.raises(SignInRefused) as refused:
        access.sign_in(rt, email, "wrong password!", now=at)
    return str(refused.value)


def test_five_failures_within_fifteen_minutes_lock_the_email_for_fifteen_minutes(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    for minute in range(5):
        assert fail(rt, "a@corp.com", T0 + timedelta(minutes=2 * minute)) == access.WRONG_CREDENTIALS
    with pytest.raises(SignInRefused, match="locked for 15 more minute"):  # even with the right password
        access.sign_in(rt, "a@corp.com", PASSWORD, now=T0 + timedelta(minutes=8, seconds=1))
    with pytest.raises(SignInRefused, match="locked for 1 more minute"):
        access.sign_in(rt, "a@corp.com", PASSWORD, now=T0 + timedelta(minutes=22, seconds=30))
    viewer, _ = access.sign_in(rt, "a@corp.com", PASSWORD, now=T0 + timedelta(minutes=23))
    assert viewer.email == "a@corp.com"


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    for minute in (0, 4, 8, 12, 16, 20):
        fail(rt, "a@corp.com", T0 + timedelta(minutes=minute))
    viewer, _ = access.sign_in(rt, "a@corp.com", PASSWORD, now=T0 + timedelta(minutes=21))
    assert viewer.role == "csm"


def test_a_successful_sign_in_clears_the_count(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    for minute in range(4):
        fail(rt, "a@corp.com", T0 + timedelta(minutes=minute))
    access.sign_in(rt, "a@corp.com", PASSWORD, now=T0 + timedelta(minutes=5))
    assert fail(rt, "a@corp.com", T0 + timedelta(minutes=6)) == access.WRONG_CREDENTIALS  # the 5th, not 5 in a row


def test_an_unknown_email_locks_like_a_known_one_and_locks_only_that_email(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    for minute in range(5):
        fail(rt, "ghost@corp.com", T0 + timedelta(minutes=minute))
        fail(rt, "a@corp.com", T0 + timedelta(minutes=minute))
    assert "locked" in fail(rt, "ghost@corp.com", T0 + timedelta(minutes=6))
    assert "locked" in fail(rt, "a@corp.com", T0 + timedelta(minutes=6))
    access.create_account(rt, "b@corp.com", "B", "csm", PASSWORD)
    assert access.sign_in(rt, "b@corp.com", PASSWORD, now=T0 + timedelta(minutes=6))[0].email == "b@corp.com"


def test_twelve_simultaneous_wrong_passwords_get_at_most_five_checked(rt: Runtime) -> None:
    access.create_account(rt, "a@corp.com", "A", "csm", PASSWORD)
    start = threading.Barrier(12)

    def attempt(_: int) -> str:
        start.wait()
        with pytest.raises(SignInRefused) as refused:
            access.sign_in(rt, "a@corp.com", "wrong password!", now=T0)
        return str(refused.value)

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(attempt, range(12)))
    assert answers.count(access.WRONG_CREDENTIALS) == access.MAX_FAILURES
    assert sum("locked" in answer for answer in answers) == 12 - access.MAX_FAILURES
    with pytest.raises(SignInRefused, match="locked"):  # and the right password waits for the lock too
        access.sign_in(rt, "a@corp.com", PASSWORD, now=T0 + timedelta(seconds=1))


# -- the demo's accounts --------------------------------------------------------------------------------
def test_demo_accounts_are_created_once_and_a_removed_one_stays_removed(two_orgs: Runtime) -> None:
    created = access.ensure_demo_accounts(two_orgs, "org-a")
    assert sorted(created) == sorted(a.email for a in access.DEMO_ACCOUNTS)
    assert access.remove_account(two_orgs, "csm@demo.example")
    assert access.ensure_demo_accounts(two_orgs, "org-a") == []  # the next start of the demo
    assert "csm@demo.example" not in {a.email for a in access.list_accounts(two_orgs)}
    with pytest.raises(SignInRefused, match="wrong"):
        access.sign_in(two_orgs, "csm@demo.example", "demo-csm-password")


def test_every_demo_account_sees_the_demo_org_alone_not_a_real_org_beside_it(two_orgs: Runtime) -> None:
    access.ensure_demo_accounts(two_orgs, "org-a")  # org-b: a real org connected beside the demo
    for demo in access.DEMO_ACCOUNTS:
        viewer, _ = access.sign_in(two_orgs, demo.email, demo.password)
        assert [o.org_id for o in service.visible_orgs(two_orgs, viewer)] == ["org-a"], demo.role
        with pytest.raises(OrgNotVisible):
            service.visible_org(two_orgs, viewer, "org-b")
        assert viewer.role != "csm" or viewer.scope == "org-a"


def test_a_demo_csm_made_by_an_older_release_for_every_org_is_narrowed_to_the_demo_org(two_orgs: Runtime) -> None:
    access.create_account(two_orgs, "csm@demo.example", "Casey CSM", "csm", "demo-csm-password")
    access.ensure_demo_accounts(two_orgs, "org-a")
    viewer, _ = access.sign_in(two_orgs, "csm@demo.example", "demo-csm-password")
    assert viewer.org_id == "org-a" and not viewer.can_view("org-b")


def test_a_csm_given_an_org_sees_only_that_org(two_orgs: Runtime) -> None:
    viewer = access.create_account(two_orgs, "c@corp.com", "C", "csm", PASSWORD, org_id="org-b")
    assert [o.org_id for o in service.visible_orgs(two_orgs, viewer)] == ["org-b"]


# -- scope ----------------------------------------------------------------------------------------------
CSM = Viewer("c@corp.com", "C", "csm", None)
MANAGER_A = Viewer("m@corp.com", "M", "manager", "org-a")
ADMIN_A = Viewer("a@corp.com", "A", "admin", "org-a")
ADMIN_NO_ORG = Viewer("n@corp.com", "N", "admin", None)


def test_a_csm_sees_every_org_and_the_others_only_their_own(two_orgs: Runtime) -> None:
    assert [o.org_id for o in service.visible_orgs(two_orgs, CSM)] == ["org-a", "org-b"]
    assert [o.org_id for o in service.visible_orgs(two_orgs, MANAGER_A)] == ["org-a"]
    assert [o.org_id for o in service.visible_orgs(two_orgs, ADMIN_A)] == ["org-a"]
    assert service.visible_orgs(two_orgs, ADMIN_NO_ORG) == []


def test_another_orgs_id_is_refused_exactly_like_an_unknown_one(two_orgs: Runtime) -> None:
    with pytest.raises(OrgNotVisible) as other:
        service.org_choices(two_orgs, MANAGER_A, requested="org-b")
    with pytest.raises(OrgNotVisible) as unknown:
        service.org_choices(two_orgs, MANAGER_A, requested="org-z")
    shown = {str(other.value).replace("org-b", "X"), str(unknown.value).replace("org-z", "X")}
    assert shown == {"Org 'X' was not found."}
    assert isinstance(other.value, PermissionError)
    with pytest.raises(OrgNotVisible, match="'org-z' was not found"):
        service.visible_org(two_orgs, CSM, "org-z")
    assert list(service.org_choices(two_orgs, CSM, requested="org-b").values()) == ["org-b", "org-a"]


def test_only_an_admin_of_the_org_may_administer_it(two_orgs: Runtime) -> None:
    access.require_admin(ADMIN_A, "org-a")
    for viewer, org_id in ((ADMIN_A, "org-b"), (MANAGER_A, "org-a"), (CSM, "org-a"), (ADMIN_NO_ORG, "org-a")):
        with pytest.raises(OrgNotVisible):
            access.require_admin(viewer, org_id)
    with pytest.raises(OrgNotVisible):
        service.disconnect_as(two_orgs, ADMIN_A, "org-b")
    assert two_orgs.orgs.get("org-b").status == "connected"


def conversations(org: str, n: int) -> bytes:
    lines = [{"kind": "meeting", "id": f"{org}-{i}", "title": f"{org} meeting {i}",
              "start": f"2026-11-2{i}T10:00:00+00:00", "end": f"2026-11-2{i}T10:30:00+00:00",
              "organizer": f"rep@{org}.example", "user_email": f"rep@{org}.example",
              "attendees": [f"rep@{org}.example", "buyer@customer.example"]} for i in range(n)]
    return "\n".join(json.dumps(line) for line in lines).encode()


def test_a_manager_of_org_a_never_gets_org_b_rows_from_what_the_pages_call(two_orgs: Runtime) -> None:
    from sync_engine.views import dashboard

    rt = two_orgs
    now = datetime.now(UTC)
    for org, credits in (("org-a", 10), ("org-b", 700)):
        rt.ledger.record(ApiCall(org, now - timedelta(hours=1), "GET", "records.list", "/crm/v8/Deals", "Deals", 200,
                                 None, credits, 5.0, "mirror", None))
        service.import_conversations(rt, org, conversations(org, 3), filename="c.jsonl")
    rt.ledger.flush()
    choices = service.org_choices(rt, MANAGER_A)
    assert list(choices.values()) == ["org-a"]
    assert set(service.visible_credits_by_org(rt, MANAGER_A)["org_id"]) == {"org-a"}
    assert set(service.visible_credits_by_org(rt, CSM)["org_id"]) == {"org-a", "org-b"}
    assert {row.org_id for row in service.visible_job_table(rt, MANAGER_A, {})} == {"org-a"}
    assert {row.org_id for row in service.visible_job_table(rt, CSM, {})} == {"org-a", "org-b"}
    for org_id in choices.values():  # every org a page can pick: none of its rows are org B's
        assert all(r["id"].startswith("org-a") for r in service.conversation_table(rt, org_id))
        summary = dashboard.match_summary(rt, org_id)
        assert summary.total == 3 and set(summary.by_user["user"]) == {"rep@org-a.example"}
        assert dashboard.credit_status(rt, org_id).used_24h == 10
        assert service.connection_overview(rt, org_id).org.org_id == "org-a"
