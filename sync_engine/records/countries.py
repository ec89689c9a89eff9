"""Country fields as CRMs hold them (``Germany``, ``DE``, ``deutschland``, ``U.S.A.``) -> phone regions.

A record's phone numbers are read in the record's own country, so the country fields must be read
too, and people type them every way: English or native names, ISO 3166 alpha-2 or alpha-3 codes, any
case, with or without accents and dots. Names come from ``phonenumbers``' own locale data (every region
it supports, in the languages it knows), plus the everyday names that are no official name of anything
(``USA``, ``UK``, ``England``, ``Holland``). Text that names no country gives None, never a guess.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from phonenumbers.geodata.locale import LOCALE_DATA

# Everyday names and codes that are not in the locale data, or are another region's code there.
_EVERYDAY: dict[str, str] = {
    "usa": "US", "us": "US", "united states of america": "US", "america": "US", "the united states": "US",
    "uk": "GB", "gbr": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "united kingdom of great britain and northern ireland": "GB",
    "deu": "DE", "ger": "DE", "fra": "FR", "ind": "IN", "bharat": "IN", "bra": "BR", "aus": "AU", "can": "CA",
    "esp": "ES", "mex": "MX", "jpn": "JP", "chn": "CN", "prc": "CN", "ita": "IT", "nld": "NL", "holland": "NL",
    "the netherlands": "NL", "che": "CH", "aut": "AT", "bel": "BE", "irl": "IE", "nzl": "NZ", "sgp": "SG",
    "are": "AE", "uae": "AE", "zaf": "ZA", "swe": "SE", "dnk": "DK", "nor": "NO", "fin": "FI", "pol": "PL",
    "prt": "PT", "el": "GR", "grc": "GR", "kor": "KR", "south korea": "KR", "republic of korea": "KR",
    "russia": "RU", "rus": "RU", "czech republic": "CZ", "czechia": "CZ",
    "republique francaise": "FR", "brasil": "BR", "bundesrepublik deutschland": "DE",
}
_NOT_LETTERS = re.compile(r"[^\w ]+|[\d_]+")


def _plain(text: str) -> str:
    """Casefolded, accents off, dots and other punctuation off, single spaces: ``U.S.A.`` -> ``usa``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_LETTERS.sub(lambda m: " " if m.group().strip(".") else "", letters).split())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for region, by_language in LOCALE_DATA.items():
        if region not in phonenumbers.SUPPORTED_REGIONS:
            continue
        for name in by_language.values():
            if name.startswith("*"):
                continue
            names.setdefault(_plain(name), region)
    for region in phonenumbers.SUPPORTED_REGIONS:
        names[region.casefold()] = region
    names.update(_EVERYDAY)
    return names


@lru_cache(maxsize=4096)
def country_region(text: object) -> str | None:
    """The ``phonenumbers`` region a country field names (``"Deutschland"`` -> ``"DE"``); None if it names none."""
    if not isinstance(text, str) or not text.strip():
        return None
    key = _plain(text)
    if not key:
        return None
    return _names().get(key) or _names().get(key.removeprefix("the "))
