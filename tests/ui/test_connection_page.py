"""The Connection page: the demo org connected at start, its edition, limit and use, users and their mapping."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from sync_engine import service


@pytest.fixture
def app(admin_app: AppTest) -> AppTest:
    """Connecting, mapping and disconnecting are the demo org's admin's (CSMs see the page read-only)."""
    return admin_app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def click(app: AppTest, label: str) -> None:
    next(b for b in app.button if b.label == label).click()
    app.run()
    assert not app.exception, app.exception


def test_demo_org_is_connected_with_edition_licences_credit_limit_and_users(app: AppTest) -> None:
    app.run()
    assert not app.exception, app.exception
    shown = metrics(app)
    org = app.session_state["runtime"].orgs.list()[0]
    assert shown["Edition"] == "Enterprise"
    assert shown["Licences"] == str(org.licences)
    assert shown["Daily credit limit"] == f"{50_000 + 1_000 * org.licences:,}"
    assert int(shown["Credits used (24 h)"]) > 0
    mapped, ours = shown["Users mapped"].split(" / ")
    assert int(ours) == int(mapped) + 1  # the demo's outsider is not in Zoho
    assert any(sb.key == "pick-new.hire@demo-platform.example" for sb in app.selectbox)


def test_mapping_the_unmapped_user_releases_their_held_conversation(app: AppTest) -> None:
    app.run()
    rt = app.session_state["runtime"]
    org = rt.orgs.list()[0]
    assert service.hold_if_unmapped(rt, org.org_id, "call-9", "new.hire@demo-platform.example", {"title": "Intro"})
    held = len(rt.held.held(org.org_id, "new.hire@demo-platform.example"))
    assert held >= 1  # call-9, and whatever the demo recorded for this user
    app.run()
    picker = next(sb for sb in app.selectbox if sb.key == "pick-new.hire@demo-platform.example")
    picker.select(picker.options[1])
    click(app, "Map user")
    assert any(f"released {held} held conversation" in s.value for s in app.success)
    assert rt.held.held(org.org_id, "new.hire@demo-platform.example") == []


def test_starting_a_sign_in_offers_the_consent_link_and_bad_input_is_explained(app: AppTest) -> None:
    app.run()
    {t.label: t for t in app.text_input}["Client ID"].set_value("")
    click(app, "Start sign-in")
    assert any("client ID and client secret" in e.value for e in app.error)
    {t.label: t for t in app.text_input}["Client ID"].set_value("1000.EMULATORDEMOCLIENT")
    click(app, "Start sign-in")
    assert any("/oauth/v2/auth?" in md.value and "zoho-sign-in" in md.value for md in app.markdown)


def test_disconnecting_the_org_revokes_and_shows_nothing_connected(app: AppTest) -> None:
    app.run()
    click(app, "Disconnect this org")
    assert any("Your org is disconnected. Reconnect it below." in i.value for i in app.info)
    assert app.session_state["runtime"].orgs.list()[0].status == "disconnected"
