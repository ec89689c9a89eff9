"""Specification of the org repository: tenants, their settings, and their secrets encrypted at rest."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync_engine.store.db import Store
from sync_engine.store.orgs import (
    ConnectionSecrets,
    NotConnectedError,
    Org,
    OrgExistsError,
    OrgRepository,
    UnknownOrgError,
)
from sync_engine.store.secret_box import SecretBox, SecretDecryptError, generate_key

CLIENT_SECRET = "client-secret-0123456789"
REFRESH_TOKEN = "1000.refresh.token.abcdef"
SECRETS = ConnectionSecrets(CLIENT_SECRET, REFRESH_TOKEN)
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def acme(**changes: object) -> Org:
    org = Org("acme", "Acme", "EU", "https://accounts.zoho.eu", "1000.ACME", api_domain="https://www.zohoapis.eu",
              zoho_org_id="20001", company_name="Acme GmbH", edition="enterprise", licences=50,
              daily_credit_limit=50_000 + 50 * 1_000, connected_by_email="admin@acme.example", connected_at=T0)
    return replace(org, **changes)


@pytest.fixture
def key() -> str:
    return generate_key()


@pytest.fixture
def orgs(store: Store, key: str) -> OrgRepository:
    return OrgRepository(store, SecretBox(key))


def test_an_added_org_reads_back_whole(orgs: OrgRepository) -> None:
    orgs.add(acme(), SECRETS, at=T0)
    assert orgs.get("acme") == acme()
    assert orgs.get("acme").budget_share == 0.20


def test_secrets_are_stored_encrypted_and_decrypted_only_on_request(orgs: OrgRepository, store: Store) -> None:
    orgs.add(acme(), SECRETS, at=T0)
    [(client_secret_enc, refresh_token_enc)] = store.query(
        "SELECT client_secret_enc, refresh_token_enc FROM org_secrets")
    assert CLIENT_SECRET.encode() not in client_secret_enc and REFRESH_TOKEN.encode() not in refresh_token_enc
    assert orgs.connection_secrets("acme") == SECRETS


def test_the_database_file_alone_does_not_reveal_secrets(tmp_path: Path, key: str) -> None:
    path = tmp_path / "engine.duckdb"
    with Store(path) as store:
        OrgRepository(store, SecretBox(key)).add(acme(), SECRETS)
        store.query("CHECKPOINT")
    raw = path.read_bytes()
    assert CLIENT_SECRET.encode() not in raw and REFRESH_TOKEN.encode() not in raw
    with Store(path) as store, pytest.raises(SecretDecryptError):
        OrgRepository(store, SecretBox(generate_key())).connection_secrets("acme")


def test_decrypted_secrets_never_show_in_a_repr(orgs: OrgRepository) -> None:
    orgs.add(acme(), SECRETS)
    text = repr(orgs.connection_secrets("acme"))
    assert CLIENT_SECRET not in text and REFRESH_TOKEN not in text


def test_adding_the_same_org_twice_is_refused(orgs: OrgRepository) -> None:
    orgs.add(acme(), SECRETS)
    with pytest.raises(OrgExistsError):
        orgs.add(acme(name="Other"), SECRETS)
    assert orgs.get("acme").name == "Acme"


def test_update_changes_only_the_given_fields(orgs: OrgRepository) -> None:
    orgs.add(acme(), SECRETS)
    updated = orgs.update("acme", edition="ultimate", licences=80, budget_share=0.5)
    assert updated == acme(edition="ultimate", licences=80, budget_share=0.5) == orgs.get("acme")
    assert orgs.connection_secrets("acme") == SECRETS


@pytest.mark.parametrize(("field", "value"), [("budget_share", 0), ("budget_share", 1.5), ("status", "paused"),
                                              ("status", "disconnected"), ("org_id", "other")])
def test_invalid_settings_are_refused_before_they_reach_the_file(orgs: OrgRepository, field: str,
                                                                 value: object) -> None:
    orgs.add(acme(), SECRETS)
    with pytest.raises(ValueError, match=field):
        orgs.update("acme", **{field: value})
    assert orgs.get("acme") == acme()


def test_disconnecting_deletes_the_secrets_and_keeps_the_org(orgs: OrgRepository, store: Store) -> None:
    orgs.add(acme(), SECRETS)
    later = datetime(2025, 3, 2, tzinfo=UTC)
    org = orgs.disconnect("acme", at=later)
    assert org.status == "disconnected" and org.disconnected_at == later
    assert store.query("SELECT count(*) FROM org_secrets") == [(0,)]
    with pytest.raises(NotConnectedError, match="connect it again"):
        orgs.connection_secrets("acme")
    assert [o.org_id for o in orgs.list(status="disconnected")] == ["acme"]


def test_reconnecting_stores_the_new_grant(orgs: OrgRepository) -> None:
    orgs.add(acme(), SECRETS)
    orgs.disconnect("acme")
    again = datetime(2025, 4, 1, tzinfo=UTC)
    new_grant = ConnectionSecrets(CLIENT_SECRET, "1000.second.grant")
    org = orgs.reconnect("acme", new_grant, "other-admin@acme.example", at=again, licences=60)
    assert (org.status, org.connected_at, org.disconnected_at, org.licences) == ("connected", again, None, 60)
    assert orgs.connection_secrets("acme") == new_grant


def test_list_shows_every_tenant_and_filters_by_status(orgs: OrgRepository) -> None:
    orgs.add(acme(), SECRETS)
    orgs.add(acme(org_id="globex", name="Globex", zoho_org_id="20002"), SECRETS)
    orgs.disconnect("globex")
    assert [o.org_id for o in orgs.list()] == ["acme", "globex"]
    assert [o.org_id for o in orgs.list(status="connected")] == ["acme"]
    assert orgs.find_by_zoho_org_id("20002").org_id == "globex"
    assert orgs.find_by_zoho_org_id("nope") is None


def test_unknown_orgs_are_reported_by_id(orgs: OrgRepository) -> None:
    for call in (lambda: orgs.get("nope"), lambda: orgs.update("nope", licences=1),
                 lambda: orgs.disconnect("nope"), lambda: orgs.connection_secrets("nope")):
        with pytest.raises(UnknownOrgError, match="nope"):
            call()
