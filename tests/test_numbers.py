"""The numbers that teach: significant digits, scientific at the extremes, never a false 0 or 1."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop.numbers import teaching_number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (1.0, "1"),
        (0.5, "0.5"),
        (0.26894142, "0.2689"),
        (-12.5, "−12.5"),
        (3.14159e-6, "3.142e-06"),
        (-2.5e-7, "−2.5e-07"),
        (123456.7, "1.235e+05"),
        (0.001, "0.001"),
        (0.9999999999746, "0.99999999997"),  # not "1": the gap from 1 is the vanishing gradient
        (1.00004, "1.00004"),
        (-0.99999, "−0.99999"),
        (float("nan"), "NaN"),
        (float("-inf"), "−∞"),
    ],
)
def test_examples(value: float, text: str) -> None:
    assert teaching_number(value) == text


@given(st.floats(-1e300, 1e300))
def test_only_0_and_1_read_as_0_and_1(value: float) -> None:
    text = teaching_number(value, minus="-")
    shown = float(text)
    if value not in (0.0, 1.0, -1.0):
        assert shown not in (0.0, 1.0, -1.0)
    assert math.isclose(shown, value, rel_tol=5e-4, abs_tol=1e-300)  # 4 significant digits
    assert len(text) <= 24


@given(st.floats(min_value=1e-3, max_value=9999, allow_nan=False))
def test_the_middle_range_is_never_scientific(value: float) -> None:
    assert "e" not in teaching_number(value)


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v != 0 and not 1e-3 <= abs(v) < 1e4))
def test_the_extremes_are_scientific(value: float) -> None:
    text = teaching_number(value)
    assert "e" in text, text
