"""One way to write a figure: the number once, with its unit, the qualifier in words and the year.

Every place that shows a figure uses :func:`figure_text` (or :func:`figure_row_text` for a Figure
node's row): the case page's size list and Facts panel, the claims' figures, ``/sources``, the
concept pages, the preview and the display text the exports carry.  Shared by every stage (like
:mod:`kb.evidence`).

A number is written in full with thousands separators — never in exponent notation — and a
fraction keeps only the decimals it has:

>>> number(1_200_000.0), number(58.1), number(0.44), number(15000)
('1,200,000', '58.1', '0.44', '15,000')

A claim's figure is its number, unit, what it counts and its year:

>>> figure_text(18, unit="%", what="of staff left", year=2015)
'18% of staff left (2015)'
>>> figure_text(20, high=24, what="issues processed in an hour", year=2017)
'20–24 issues processed in an hour (2017)'

A size figure (front matter ``size:``) counts its ``measure``; its ``note`` may open with a qualifier
("more than", "about"...) and repeat the number, which are taken in once, and whatever else the note
says follows after a dash:

>>> figure_text(15000, what="staff", year=2020, note="more than 15000 staff")
'more than 15,000 staff (2020)'
>>> figure_text(1000, what="teams", year=2020, note="around 1000; as reported by the UK partner")
'about 1,000 teams (2020) — as reported by the UK partner'
>>> figure_text(362, unit="EUR m", what="revenue", year=2016)
'€362m revenue (2016)'
>>> figure_text(400, unit="EUR m", what="revenue", year=2020, note="about")
'about €400m revenue (2020)'
>>> figure_text(13500, what="staff", year=2018, note="as reported in March 2018")
'13,500 staff (2018) — as reported in March 2018'
>>> figure_text(12000, what="staff", year=1990, note="about 7,000 in Sweden and 5,000 abroad")
'12,000 staff (1990) — about 7,000 in Sweden and 5,000 abroad'

A claim's figure may give its qualifier on its own after the number's words (``**650** US patents, more than,
as reported``, ``**300,000 GBP** (almost) spent``): it is read in words before the number, once:

>>> figure_text(650, what="US patents, more than, as reported", year=2003)
'more than 650 US patents, as reported (2003)'
>>> figure_text(300000, unit="GBP", what="(almost) spent on profit shares", year=2021)
'almost £300,000 spent on profit shares (2021)'
>>> figure_text(500, what="employees, nearly, up from about 300 in a year", year=2016)
'almost 500 employees, up from about 300 in a year (2016)'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["DISAGREEMENT", "QUALIFIERS", "disagree", "figure_row_text", "figure_text", "number"]

#: Qualifiers a note may open with, and the words the site uses for each.
QUALIFIERS: dict[str, str] = {
    "about": "about", "around": "about", "approximately": "about", "roughly": "about", "circa": "about",
    "some": "about", "more than": "more than", "over": "more than", "at least": "at least",
    "almost": "almost", "nearly": "almost", "up to": "up to", "fewer than": "fewer than",
    "less than": "less than", "under": "less than",
}
_QUALIFIER = re.compile(rf"({'|'.join(sorted(QUALIFIERS, key=len, reverse=True))})\b\s*", re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_ALTERNATIVES = "|".join(sorted(QUALIFIERS, key=len, reverse=True))
#: A qualifier standing on its own in a figure's words: between commas (or last), or in brackets.
_STANDING = re.compile(rf"(?:,\s*|\s+)({_ALTERNATIVES})\s*(?=,|$)|\s*\(({_ALTERNATIVES})\)", re.IGNORECASE)
_SEPARATORS = " ,;:—–-"


def number(value: float) -> str:
    """A number in full: thousands separators, no exponent, only the decimals it has."""
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


#: Currencies written with their sign before the number (``€400m``); other ISO codes go before it (``SEK 2bn``).
CURRENCY_SIGNS: dict[str, str] = {"EUR": "€", "GBP": "£", "USD": "$"}
_CURRENCY_CODES = {"AUD", "BRL", "CAD", "CHF", "CNY", "DKK", "INR", "JPY", "NOK", "NZD", "SEK", *CURRENCY_SIGNS}
#: A money unit as case files write it: an ISO code and an optional scale (``EUR m``, ``USD bn``, ``GBP``).
_MONEY = re.compile(r"^([A-Z]{3})(?:\s*(k|m|bn))?$")


def _amount(value: float, unit: str, high: float | None) -> str:
    """The number (or range) with its unit: ``18%``, ``€400m``, ``£4.4m``, ``SEK 2bn``, ``12 teams``.

    >>> _amount(400, "EUR m", None), _amount(4.4, "GBP m", None), _amount(2, "SEK bn", None)
    ('€400m', '£4.4m', 'SEK 2bn')
    >>> _amount(300000, "GBP", None), _amount(20, "USD m", 24), _amount(12, "teams", None)
    ('£300,000', '$20–24m', '12 teams')
    """
    amount = number(value) + (f"–{number(high)}" if high is not None else "")
    money = _MONEY.match(unit)
    if money and money.group(1) in _CURRENCY_CODES:
        code, scale = money.group(1), money.group(2) or ""
        sign = CURRENCY_SIGNS.get(code)
        return f"{sign}{amount}{scale}" if sign else f"{code} {amount}{scale}"
    return f"{amount}{unit}" if unit == "%" else f"{amount} {unit}".strip()


def _read_note(note: str, value: float, what: str) -> tuple[str, str]:
    """(qualifier, remark) of a size figure's note: the qualifier it opens with (when the figure's own
    number, or nothing, follows), and the rest without a repeat of the number or of ``what``."""
    rest, qualifier = note.strip(), ""
    match = _QUALIFIER.match(rest)
    if match:
        after = rest[match.end():]
        number_match = _NUMBER.match(after)
        if number_match and float(number_match.group().replace(",", "")) == float(value):
            qualifier, rest = QUALIFIERS[match.group(1).lower()], after[number_match.end():]
        elif not after or after[0] in _SEPARATORS:
            qualifier, rest = QUALIFIERS[match.group(1).lower()], after
    else:
        number_match = _NUMBER.match(rest)
        if number_match and float(number_match.group().replace(",", "")) == float(value):
            rest = rest[number_match.end():]
    rest = rest.lstrip(_SEPARATORS)
    if what and re.match(rf"{re.escape(what)}\b", rest, re.IGNORECASE):
        rest = rest[len(what):].lstrip(_SEPARATORS)
    return qualifier, rest


def figure_text(value: float, *, unit: str = "", what: str = "", year: int | None = None,
                high: float | None = None, note: str = "", remark: bool = True) -> str:
    """A figure as people read it: ``[qualifier] number[–high] [unit] what (year)[ — the rest of the note]``
    (``remark=False``: without the rest of the note, as a summary shows it)."""
    qualifier, rest = _read_note(note, value, what) if note else ("", "")
    if not qualifier and (standing := _STANDING.search(what)):
        qualifier = QUALIFIERS[(standing.group(1) or standing.group(2)).lower()]
        what = (what[:standing.start()] + what[standing.end():]).strip(_SEPARATORS)
    text = " ".join(part for part in (qualifier, _amount(value, unit, high), what.strip()) if part)
    if year:
        text += f" ({year})"
    return f"{text} — {rest}" if rest and remark else text


def figure_row_text(row: Mapping[str, Any], remark: bool = True) -> str:
    """:func:`figure_text` of a Figure node's row (graph, store or preview): a size figure has a ``measure``
    and its note as ``description`` (the measure itself when it has none); a claim's figure has only a
    ``description``.

    >>> figure_row_text({"measure": "staff", "value": 15000.0, "unit": "", "description": "more than 15000 staff",
    ...                  "year": 2020})
    'more than 15,000 staff (2020)'
    >>> figure_row_text({"measure": "", "value": 1.2e6, "unit": "EUR", "description": "raised", "year": 2019})
    '€1,200,000 raised (2019)'
    >>> row = {"measure": "patients", "value": 8e4, "description": "about 80,000 — clients in the year", "year": 2016}
    >>> figure_row_text(row), figure_row_text(row, remark=False)
    ('about 80,000 patients (2016) — clients in the year', 'about 80,000 patients (2016)')
    """
    measure = (row.get("measure") or "").replace("-", " ")
    description = row.get("description") or ""
    common = {"unit": row.get("unit") or "", "year": row.get("year"), "high": row.get("value_max")}
    if measure:
        return figure_text(row["value"], what=measure, note="" if description == row.get("measure") else description,
                           remark=remark, **common)
    return figure_text(row["value"], what=description, remark=remark, **common)


#: Two figures of the same measure, unit and year disagree when the larger is more than this share above
#: the smaller: "about 14,000" and "13,500" are the same figure rounded, 10,000 and 15,000 are not.
DISAGREEMENT = 0.05


def disagree(values: Iterable[float]) -> bool:
    """Whether figures for the same measure, unit and year disagree (beyond rounding, :data:`DISAGREEMENT`).

    >>> disagree([13500, 14000]), disagree([10000, 15000]), disagree([0, 3]), disagree([7])
    (False, True, True, False)
    """
    values = [abs(float(v)) for v in values]
    if len(values) < 2:
        return False
    low, high = min(values), max(values)
    return high > low * (1 + DISAGREEMENT) if low else high > 0
