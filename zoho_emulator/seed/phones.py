"""Phone numbers for the demo org: valid per region, distinct, in the formats people type.

Formatting every number through ``phonenumbers`` would cost ~10 µs a call, too slow for a million
contacts, so numbers come from *blocks*: a prefix that ``phonenumbers`` has validated (from the
region's example number, with some prefix digits varied) plus a 4-digit tail. For each block the
formatted variants (national, international, E.164, dotted, ...) are precomputed as templates whose
last four digits are placeholders; a number is then one ``str.format``. Tails run through a
permutation of 0..9999, so every number handed out is distinct until a block is used up, when a new
block (a new, unused prefix) takes its place.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

TAIL_DIGITS = 4
_TAIL_SPACE = 10 ** TAIL_DIGITS
_STEP = 7919  # coprime with 10**4, so (i * _STEP + offset) % 10**4 visits every tail once

_KIND_TYPES = {
    "fixed": (PhoneNumberType.FIXED_LINE,
              {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}),
    "mobile": (PhoneNumberType.MOBILE,
               {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}),
}

# How people write numbers, per region (style -> weight). Styles are derived in _styles().
_NANP_STYLES = {"national": 35, "intl": 20, "dots": 12, "dashes": 18, "e164": 10, "spaces": 5}
_DEFAULT_STYLES = {"national": 40, "intl": 32, "e164": 10, "intl00": 6, "spaces": 6, "intl_plain": 6}
STYLE_WEIGHTS = {"US": _NANP_STYLES, "CA": _NANP_STYLES,
                 "JP": {"national": 45, "intl": 30, "e164": 10, "spaces": 5, "intl_plain": 10}}


def _styles(number: phonenumbers.PhoneNumber) -> dict[str, str]:
    """Every style of one number; each keeps the national significant number's digits last."""
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    bare = national.replace("(", "").replace(")", "")
    nsn = phonenumbers.national_significant_number(number)
    return {
        "national": national,
        "intl": intl,
        "e164": phonenumbers.format_number(number, PhoneNumberFormat.E164),
        "dots": ".".join(bare.replace("-", " ").split()),
        "dashes": "-".join(bare.replace("-", " ").split()),
        "spaces": " ".join(bare.replace("-", " ").split()),
        "intl00": "00" + intl[1:],
        "intl_plain": f"+{number.country_code} {nsn}",
    }


def _template(text: str) -> str:
    """Replace the last TAIL_DIGITS digits of a formatted number by ``{}`` placeholders."""
    chars = list(text)
    left = TAIL_DIGITS
    for i in range(len(chars) - 1, -1, -1):
        if chars[i].isdigit():
            chars[i] = "{}"
            left -= 1
            if left == 0:
                break
    return "".join(chars)


@dataclass
class _Block:
    templates: dict[str, str]
    offset: int
    used: int = 0

    def take(self, style: str) -> str:
        tail = (self.used * _STEP + self.offset) % _TAIL_SPACE
        self.used += 1
        return self.templates[style].format(*f"{tail:04d}")


@dataclass
class _Pool:
    example: str  # national significant number of the region's example number
    country_code: int
    allowed: set[int]
    styles: tuple[str, ...]
    cum_weights: tuple[float, ...]
    blocks: list[_Block] = field(default_factory=list)


class PhoneBook:
    """Hands out distinct, valid phone numbers per region and kind ("fixed" or "mobile")."""

    initial_blocks = 6

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._pools: dict[tuple[str, str], _Pool] = {}
        self._used_prefixes: set[tuple[str, str]] = set()
        self.blocks_made = 0

    def number(self, region: str, kind: str = "fixed", style: str | None = None) -> str:
        pool = self._pools.get((region, kind)) or self._new_pool(region, kind)
        rng = self._rng
        if style is None:
            style = rng.choices(pool.styles, cum_weights=pool.cum_weights)[0]
        blocks = pool.blocks
        index = int(rng.random() * len(blocks))
        block = blocks[index]
        text = block.take(style)
        if block.used >= _TAIL_SPACE:  # used up: a fresh prefix takes its place
            blocks[index] = self._new_block(region, pool)
        return text

    def extension(self, number: str) -> str:
        """An office number with an extension, written the ways CRMs receive them."""
        rng = self._rng
        ext = str(rng.randrange(10, 10_000))
        return f"{number} {rng.choice(('x', 'x', 'ext. ', 'ext '))}{ext}"

    # -- pools and blocks -------------------------------------------------------------------------
    def _new_pool(self, region: str, kind: str) -> _Pool:
        example_type, allowed = _KIND_TYPES[kind]
        example = phonenumbers.example_number_for_type(region, example_type)
        if example is None:
            raise ValueError(f"phonenumbers has no {kind} example number for region {region!r}")
        weights = STYLE_WEIGHTS.get(region, _DEFAULT_STYLES)
        styles = tuple(weights)
        cum, total = [], 0.0
        for s in styles:
            total += weights[s]
            cum.append(total)
        pool = _Pool(phonenumbers.national_significant_number(example), example.country_code,
                     allowed, styles, tuple(cum))
        pool.blocks = [self._new_block(region, pool) for _ in range(self.initial_blocks)]
        self._pools[(region, kind)] = pool
        return pool

    def _new_block(self, region: str, pool: _Pool) -> _Block:
        rng = self._rng
        base = pool.example[:-TAIL_DIGITS]
        for attempt in range(400):
            if attempt == 0:
                prefix = base
            else:  # vary prefix digits; phonenumbers decides what is still a valid number
                prefix = "".join(str(rng.randrange(10)) if rng.random() < (0.5 if i else 0.25)
                                 else d for i, d in enumerate(base))
            if (region, prefix) in self._used_prefixes:
                continue
            block = self._checked_block(prefix, pool)
            if block is not None:
                self._used_prefixes.add((region, prefix))
                self.blocks_made += 1
                return block
        raise RuntimeError(f"could not find another valid phone prefix for {region}")

    def _checked_block(self, prefix: str, pool: _Pool) -> _Block | None:
        rng = self._rng
        templates: dict[str, str] = {}
        for _ in range(3):
            tail = f"{rng.randrange(_TAIL_SPACE):04d}"
            number = phonenumbers.PhoneNumber(country_code=pool.country_code,
                                              national_number=int(prefix + tail))
            if str(number.national_number) != prefix + tail:  # a leading zero would be lost
                return None
            if not phonenumbers.is_valid_number(number) or \
                    phonenumbers.number_type(number) not in pool.allowed:
                return None
            styles = _styles(number)
            if not templates:
                templates = {s: _template(styles[s]) for s in pool.styles}
            elif any(templates[s].format(*tail) != styles[s] for s in pool.styles):
                return None  # formatting depends on the tail digits: not a usable block
        return _Block(templates, rng.randrange(_TAIL_SPACE))
