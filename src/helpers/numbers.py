"""Dutch (nl-NL) number formatting for text and tables: 1.234,5."""

from __future__ import annotations

import decimal
import math
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

from helpers.model import MISSING, STATUS_TEXT, USABLE

__all__ = ["format_number", "STATUS_TEXT"]

_LOCALE = Locale.parse("nl_NL")


@lru_cache(maxsize=16)
def _pattern(decimals: int) -> NumberPattern:
    """Babel's parsed pattern for ``decimals`` (what ``format_decimal`` parses on every
    call: a table of 500 rows formats 1.000 numbers)."""
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))


def format_number(value: float | None, decimals: int = 1, status: str = "ok") -> str:
    """Format a number the Dutch way; a status other than ok/provisional gives its text.

    Examples
    --------
    >>> format_number(1234.56, 1)
    '1.234,6'
    >>> format_number(None)
    '–'
    >>> format_number(12.0, 0, status="suppressed")
    'onderdrukt'
    """
    if status not in USABLE:
        return STATUS_TEXT.get(status, "–")
    if value is None:
        return STATUS_TEXT[MISSING]
    number = float(value)
    if math.isnan(number):  # also numpy's float32 NaN, which is not a float
        return STATUS_TEXT[MISSING]
    return _decimal(number, decimals) + ("*" if status == "provisional" else "")


# below this many units of the last decimal, a float rounded to ``decimals`` holds the
# written digits exactly, so Python's own formatting gives babel's text (checked on
# 3 million values, tests/test_numbers.py); beyond it (and for ∞) babel decides
_EXACT = 1e15


def _decimal(value: float, decimals: int) -> str:
    """``value`` rounded to ``decimals`` in nl-NL: babel's text for the pattern
    ``#,##0.0…``, by Python's formatting where that is the same text (6x faster)."""
    rounded, places = round(value, decimals), max(decimals, 0)
    if abs(rounded) * 10 ** places < _EXACT:
        text = format(rounded, f",.{places}f")
    else:
        try:
            return _pattern(decimals).apply(rounded, _LOCALE)
        except decimal.InvalidOperation:  # beyond babel's 28 digits: the digits it reads
            text = format(decimal.Decimal(repr(rounded)), f",.{places}f")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")  # 1,234.5 → 1.234,5
