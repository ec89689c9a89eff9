"""Sign-in with roles in the app: nothing but Sign in until signed in; each role's pages and only those;
each page's org picker limited to the viewer's orgs, also when the URL names another org."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from ui_sessions import PASSWORDS, ROOT, new_session, runtime_of, signed_in_as, token_for

from sync_engine import service
from sync_engine.service.access import Viewer
from sync_engine.store.orgs import ConnectionSecrets, Org

PAGE_FILES = {"connection": "Connection", "settings": "Settings", "conversations": "Conversations",
              "match_rates": "Match rates", "credits": "Credits", "jobs": "Jobs"}
ROLE_PAGES = {"csm": ["credits", "match_rates", "conversations", "jobs", "connection"],
              "admin": ["connection", "settings", "conversations", "match_rates", "credits", "jobs"],
              "manager": ["conversations", "match_rates", "credits"]}


def add_other_org(app: AppTest, org_id: str = "busy") -> None:
    runtime_of(app).orgs.add(Org(org_id, "Other", "EU", "https://accounts.zoho.eu", "1000.OTHER",
                                 company_name="Other Ltd", edition="enterprise", licences=3, daily_credit_limit=53_000,
                                 connected_by_email="zoho.admin@other.example", connected_at=datetime.now(UTC)),
                             ConnectionSecrets("client-secret", "1000.refresh"))


def fill_in_sign_in(app: AppTest, email: str, password: str) -> None:
    fields = {t.label: t for t in app.text_input}
    fields["Email"].set_value(email)
    fields["Password"].set_value(password)
    next(b for b in app.button if b.label == "Sign in").click()
    app.run()
    assert not app.exception, app.exception


def titles(app: AppTest) -> list[str]:
    return [t.value for t in app.title]


# -- signed out -----------------------------------------------------------------------------------------
def test_signed_out_the_sign_in_page_is_the_only_page(signed_out: AppTest) -> None:
    signed_out.run()
    assert not signed_out.exception, signed_out.exception
    assert titles(signed_out) == ["Sign in"]
    assert not signed_out.dataframe and not signed_out.metric
    for page in PAGE_FILES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            signed_out.switch_page(f"pages/{page}.py")


def test_a_wrong_password_and_an_unknown_email_get_the_same_refusal(signed_out: AppTest) -> None:
    signed_out.run()
    fill_in_sign_in(signed_out, PASSWORDS["demo-csm"][0], "not the password")
    wrong = [e.value for e in signed_out.error]
    fill_in_sign_in(signed_out, "nobody@demo.example", PASSWORDS["demo-csm"][1])
    assert wrong == [e.value for e in signed_out.error] == ["The email or password is wrong."]
    assert "session_token" not in signed_out.session_state


def test_signing_in_on_the_form_opens_the_roles_first_page(signed_out: AppTest) -> None:
    signed_out.run()
    fill_in_sign_in(signed_out, *PASSWORDS["manager"])
    assert titles(signed_out) == ["Conversations"]
    viewer = signed_out.session_state["viewer"]
    assert isinstance(viewer, Viewer) and viewer.role == "manager"
    assert viewer.org_id == runtime_of(signed_out).demo.org_id


# -- each role's pages ----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["csm", "admin", "manager"])
def test_each_role_gets_its_pages_in_order_and_never_the_others(signed_out: AppTest, role: str) -> None:
    app = signed_in_as(signed_out, role)
    assert titles(app) == [PAGE_FILES[ROLE_PAGES[role][0]]]
    email = PASSWORDS[role][0]
    assert any(email in c.value and role in c.value for c in app.sidebar.caption)
    assert any(b.label == "Sign out" for b in app.sidebar.button)
    for page in set(PAGE_FILES) - set(ROLE_PAGES[role]):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"pages/{page}.py")
    for page in ROLE_PAGES[role]:
        app.switch_page(f"pages/{page}.py")
        app.run()
        assert not app.exception, (page, app.exception)
        assert titles(app)[:1] == [PAGE_FILES[page]] or page == "settings", (page, titles(app))


@pytest.mark.parametrize(("role", "page"), [("manager", "connection"), ("manager", "jobs"), ("csm", "settings"),
                                            ("manager", "settings")])
def test_a_page_run_outside_its_roles_navigation_draws_nothing(signed_out: AppTest, role: str, page: str) -> None:
    """Streamlit can run a file under pages/ directly; the page checks the viewer's role itself."""
    signed_out.run()
    rt = runtime_of(signed_out)
    org_id = rt.demo.org_id
    direct = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
    direct.session_state["runtime"] = rt
    direct.session_state["viewer"] = Viewer(f"{role}@x.example", role, role, None if role == "csm" else org_id)
    direct.run()
    assert not direct.exception, direct.exception
    assert not direct.button and not direct.dataframe and not direct.metric
    assert direct.error or direct.warning


# -- sessions -------------------------------------------------------------------------------------------
def test_signing_out_ends_the_session_for_good(signed_out: AppTest) -> None:
    app = signed_in_as(signed_out, "csm")
    token = app.session_state["session_token"]
    rt = runtime_of(app)
    next(b for b in app.sidebar.button if b.label == "Sign out").click()
    app.run()
    assert "session_token" not in app.session_state and "viewer" not in app.session_state
    assert service.viewer_for(rt, token) is None
    again = new_session(token).run()  # the same token in another tab
    assert titles(again) == ["Sign in"]
    assert any("expired" in i.value for i in again.info)


def test_an_expired_session_goes_back_to_sign_in_saying_so(signed_out: AppTest) -> None:
    app = signed_in_as(signed_out, "manager")
    token = app.session_state["session_token"]
    with runtime_of(app).store.transaction() as cur:
        cur.execute("UPDATE dashboard_sessions SET last_seen_at = last_seen_at - ?", [timedelta(hours=2)])
    later = new_session(token).run()
    assert not later.exception, later.exception
    assert titles(later) == ["Sign in"]
    assert [i.value for i in later.info] == ["Your session expired: sign in again."]
    assert "session_token" not in later.session_state
    assert runtime_of(app).store.query("SELECT count(*) FROM dashboard_sessions") == [(0,)]


# -- scope and URL tampering ----------------------------------------------------------------------------
def session_at(signed_out: AppTest, role: str, org_param: str) -> AppTest:
    if "runtime" not in signed_out.session_state:
        signed_out.run()
    session = new_session(token_for(runtime_of(signed_out), role))
    session.query_params["org"] = org_param
    session.run()
    assert not session.exception, session.exception
    return session


@pytest.mark.parametrize("page", ["conversations", "match_rates", "credits"])
def test_a_manager_who_puts_another_orgs_id_in_the_url_gets_not_found_like_an_unknown_id(signed_out: AppTest,
                                                                                         page: str) -> None:
    st.cache_data.clear()
    signed_out.run()
    add_other_org(signed_out)
    shown = {}
    for org_param in ("busy", "no-such-org"):
        app = session_at(signed_out, "manager", org_param)
        if page != "conversations":
            app.switch_page(f"pages/{page}.py")
            app.query_params["org"] = org_param
            app.run()
        assert not app.exception, app.exception
        shown[org_param] = [e.value.replace(org_param, "ID") for e in app.error]
        assert not app.dataframe and not app.metric and not app.selectbox
    assert shown["busy"] == shown["no-such-org"] == ["Org 'ID' was not found."]


def test_an_admin_who_puts_another_orgs_id_in_the_url_gets_not_found_on_connection(signed_out: AppTest) -> None:
    signed_out.run()
    add_other_org(signed_out)
    app = session_at(signed_out, "admin", "busy")
    assert [e.value for e in app.error] == ["Org 'busy' was not found."]
    assert not any(b.label == "Disconnect this org" for b in app.button)


def test_a_csm_can_open_any_org_from_the_url(signed_out: AppTest) -> None:
    st.cache_data.clear()
    signed_out.run()
    add_other_org(signed_out)
    app = session_at(signed_out, "csm", "busy")
    assert titles(app) == ["Credits"] and not app.error
    assert app.selectbox[0].value.endswith("(busy)")


def test_the_demo_csm_never_sees_a_real_org_connected_beside_the_demo(signed_out: AppTest) -> None:
    st.cache_data.clear()
    signed_out.run()
    add_other_org(signed_out)
    app = session_at(signed_out, "demo-csm", "busy")
    assert [e.value for e in app.error] == ["Org 'busy' was not found."]
    demo_org = runtime_of(app).demo.org_id
    assert any(demo_org in c.value and "csm" in c.value for c in app.sidebar.caption)
    for page in ("credits", "jobs", "connection"):
        app = session_at(signed_out, "demo-csm", demo_org)
        app.switch_page(f"pages/{page}.py")
        app.run()
        assert not app.exception, (page, app.exception)
        shown = " ".join([*(str(d.value.to_dict()) for d in app.dataframe), *(s.value for s in app.selectbox)])
        assert "busy" not in shown, page


def test_a_managers_pickers_and_tables_hold_only_their_org(signed_out: AppTest) -> None:
    st.cache_data.clear()
    app = signed_in_as(signed_out, "manager")
    add_other_org(app)
    org_id = runtime_of(app).demo.org_id
    for page in ("conversations", "match_rates", "credits"):
        app.switch_page(f"pages/{page}.py")
        app.run()
        assert not app.exception, (page, app.exception)
        for picker in (s for s in app.selectbox if s.label == "Org"):
            assert all(org_id in option for option in picker.options), (page, picker.options)
        for frame in (d.value for d in app.dataframe):
            if "org_id" in frame.columns:
                assert set(frame["org_id"]) == {org_id}, page
    assert not any("Import and match" == b.label for b in app.button)


def test_a_csm_sees_connection_read_only(app: AppTest) -> None:
    add_other_org(app)
    app.switch_page("pages/connection.py")
    app.run()
    assert not app.exception, app.exception
    labels = {b.label for b in app.button}
    assert not labels & {"Disconnect this org", "Start sign-in", "Map user", "Refresh Zoho users", "Count records"}
    orgs = app.dataframe[0].value
    assert set(orgs["org id"]) == {"busy", runtime_of(app).demo.org_id}
    assert {m.label for m in app.metric} >= {"Edition", "Daily credit limit"}


def test_an_admin_without_an_org_is_asked_to_connect_one_and_sees_no_other_org(signed_out: AppTest) -> None:
    signed_out.run()
    rt = runtime_of(signed_out)
    service.create_account(rt, email="new.admin@corp.example", name="New Admin", role="admin",
                           password="new admin password")
    _, token = service.sign_in(rt, "new.admin@corp.example", "new admin password")
    app = new_session(token).run()
    assert not app.exception, app.exception
    assert titles(app) == ["Connection"]
    assert any("No org is connected yet. Connect one below." in i.value for i in app.info)
    assert any(b.label == "Start sign-in" for b in app.button)
    assert not app.metric
    app.switch_page("pages/credits.py")
    app.run()
    assert any("No org connected yet" in i.value for i in app.info) and not app.metric
