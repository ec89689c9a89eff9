"""Data centres: lookup by the redirect's ``location`` code and by its ``accounts-server`` URL (zoho-api.md §1)."""
from __future__ import annotations

import pytest

from sync_engine.zoho.datacentres import DATA_CENTRES, DataCentre, by_accounts_url, by_code, resolve


def test_all_eight_crm_data_centres_are_known():
    assert set(DATA_CENTRES) == {"US", "EU", "IN", "AU", "JP", "CA", "SA", "CN"}
    assert by_code("ca") == DataCentre("CA", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca")
    assert by_code("AU").api_domain == "https://www.zohoapis.com.au"


@pytest.mark.parametrize("url, code", [
    ("https://accounts.zoho.eu", "EU"), ("https://accounts.zoho.eu/", "EU"), ("accounts.zoho.in", "IN"),
    ("HTTPS://ACCOUNTS.ZOHO.COM.CN", "CN"), ("https://accounts.zoho.sa", "SA"), ("https://accounts.zoho.jp", "JP")])
def test_lookup_by_accounts_server(url, code):
    assert by_accounts_url(url).code == code


def test_unknown_code_and_server():
    with pytest.raises(ValueError, match="unknown Zoho data centre"):
        by_code("UK")
    assert by_accounts_url("https://accounts.zoho.uk") is None


def test_an_injected_base_url_serves_accounts_and_api_alike():
    local = DataCentre.custom("http://127.0.0.1:8123/")
    assert local == DataCentre("LOCAL", "http://127.0.0.1:8123", "http://127.0.0.1:8123")


def test_redirect_resolution_prefers_the_accounts_server():
    assert resolve("https://accounts.zoho.eu", "eu").code == "EU"
    assert resolve(None, "in").code == "IN"
    emulator = resolve("http://127.0.0.1:9000", "us")
    assert (emulator.accounts_url, emulator.api_domain) == ("http://127.0.0.1:9000", "http://127.0.0.1:9000")


def test_sandbox_and_developer_hosts():
    assert by_code("EU").sandbox().api_domain == "https://sandbox.zohoapis.eu"
    assert by_code("US").developer().api_domain == "https://developer.zohoapis.com"
