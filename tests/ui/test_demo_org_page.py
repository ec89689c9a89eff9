"""The demo page renders the emulated org's edition, licences, users and records per module."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from zoho_emulator.generator import generate_org

ROOT = Path(__file__).resolve().parents[2]


def test_demo_page_shows_edition_licences_users_and_record_counts() -> None:
    expected = generate_org("small", seed=1)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Edition"] == expected.org.edition.title()
    assert metrics["Licences"] == str(expected.org.licences)
    assert metrics["Users"] == str(len(expected.users))
    counts = app.dataframe[0].value.set_index("module")["records"].to_dict()
    converted = sum(1 for r in expected.tables["Leads"] if r.get("Converted__s"))
    for module, table in expected.tables.items():
        want = len(table) - (converted if module == "Leads" else 0)
        assert counts[module] in (len(table), want), module
    users = app.dataframe[1].value
    assert set(users["email"]) == {u.email for u in expected.users.values()}
