"""Zoho's data centres: which accounts server issues tokens and which API domain serves an org.

An org lives in one data centre; its tokens only work there (zoho-api.md §1, "Data centres"). The
authorization redirect names it twice — ``location=eu`` and ``accounts-server=https://accounts.zoho.eu``
— so both lookups exist. A :class:`DataCentre` is plain data: the emulator, which serves accounts and
API on one loopback URL, is just another instance (:meth:`DataCentre.custom`), so tests and real Zoho
take the same code path.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataCentre:
    code: str  # "US", "EU", ... or "LOCAL" for a stand-in
    accounts_url: str  # e.g. https://accounts.zoho.eu
    api_domain: str  # e.g. https://www.zohoapis.eu

    @classmethod
    def custom(cls, accounts_url: str, api_domain: str | None = None, code: str = "LOCAL") -> DataCentre:
        """A data centre at injected base URLs (the emulator serves both on one URL)."""
        accounts = _normalise(accounts_url)
        return cls(code, accounts, _normalise(api_domain) if api_domain else accounts)

    def sandbox(self) -> DataCentre:
        """Sandbox orgs use ``sandbox.zohoapis…`` with the same accounts server."""
        return DataCentre(self.code, self.accounts_url, self.api_domain.replace("://www.", "://sandbox.", 1))

    def developer(self) -> DataCentre:
        return DataCentre(self.code, self.accounts_url, self.api_domain.replace("://www.", "://developer.", 1))


DATA_CENTRES: dict[str, DataCentre] = {dc.code: dc for dc in (
    DataCentre("US", "https://accounts.zoho.com", "https://www.zohoapis.com"),
    DataCentre("EU", "https://accounts.zoho.eu", "https://www.zohoapis.eu"),
    DataCentre("IN", "https://accounts.zoho.in", "https://www.zohoapis.in"),
    DataCentre("AU", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
    DataCentre("JP", "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
    DataCentre("CA", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
    DataCentre("SA", "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
    DataCentre("CN", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
)}


def _normalise(url: str) -> str:
    return url.strip().rstrip("/")


def by_code(code: str) -> DataCentre:
    """``"eu"`` or ``"EU"`` (the redirect's ``location`` is lower-case) -> the EU data centre."""
    try:
        return DATA_CENTRES[code.strip().upper()]
    except KeyError:
        raise ValueError(f"unknown Zoho data centre {code!r}; expected one of {', '.join(DATA_CENTRES)}") from None


def by_accounts_url(accounts_url: str) -> DataCentre | None:
    """The data centre whose accounts server is ``accounts_url`` (scheme and case tolerant), else None."""
    wanted = _normalise(accounts_url).lower()
    if "://" not in wanted:
        wanted = f"https://{wanted}"
    return next((dc for dc in DATA_CENTRES.values() if dc.accounts_url == wanted), None)


def resolve(accounts_server: str | None, location: str | None = None) -> DataCentre:
    """The data centre an authorization redirect points at.

    A known accounts server wins; an unknown one (the emulator, a region added after this table) is
    used as given, its API domain learnt later from the token response. With no accounts server,
    ``location`` alone decides.
    """
    if accounts_server:
        known = by_accounts_url(accounts_server)
        return known or DataCentre.custom(accounts_server, code=(location or "LOCAL").upper())
    if location:
        return by_code(location)
    raise ValueError("the redirect named neither an accounts server nor a location")
