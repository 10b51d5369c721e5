"""Dutch number text: the fast path gives babel's text exactly."""

import math
import random

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from helpers import numbers
from helpers.numbers import format_number


def _babel(value: float, decimals: int) -> str:
    return numbers._pattern(decimals).apply(round(value, decimals), numbers._LOCALE)


@given(st.floats(-1e22, 1e22) | st.just(math.inf) | st.just(-math.inf), st.integers(0, 4))
def test_the_fast_text_is_babels_text_for_any_float(value, decimals):
    assert numbers._decimal(value, decimals) == _babel(value, decimals)


def test_the_fast_text_is_babels_text_on_many_values_near_halves_and_the_limit():
    rng = random.Random(19)
    values = [0.0, -0.0, -0.04, 0.05, 0.125, 2.675, 999_999.95, 1e-9, 5e-324, 1e15, -1e15,
              numbers._EXACT / 10 - 0.5, 123_456_789.125]
    for _ in range(20_000):
        value = rng.choice((-1, 1)) * 10 ** rng.uniform(-6, 16)
        values += [value, round(value, rng.randint(0, 4)) + 5 * 10 ** -rng.randint(1, 6)]
    for value in values:
        for decimals in range(5):
            assert numbers._decimal(value, decimals) == _babel(value, decimals), (value,
                                                                                  decimals)


def test_dutch_separators_statuses_and_marks():
    assert format_number(1234567.891, 2) == "1.234.567,89"
    assert format_number(-1234.5, 0) == "-1.234"  # half to even, as babel
    assert format_number(12.34, 1, "provisional") == "12,3*"
    assert format_number(math.inf, 0) == "∞"
    assert format_number(float("nan")) == "–"
    assert format_number(1e28, 0) == "10" + ".000" * 9
    assert format_number(1e27, 1) == "1" + ".000" * 9 + ",0"  # beyond babel: no error
    assert format_number(1e26, 1) == "100" + ".000" * 8 + ",0"
    assert format_number(np.float32("nan")) == "–"
    assert format_number(np.float32(2.5), 1) == "2,5"
    assert format_number(3, 0, "suppressed") == "onderdrukt"
