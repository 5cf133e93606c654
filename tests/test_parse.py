"""backprop/parse.py: what a person types, read as numbers, with messages that name the limits."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop.errors import ConfigError
from backprop.parse import limits_text, parse_hidden, parse_inputs, parse_number, parse_whole, range_label


@pytest.mark.parametrize(
    "text", ["100000", "100,000", "1e5", "1E5", " 100000 ", "+100000", "100000.0", "1.0e5"]
)
def test_a_whole_number_can_be_typed_every_usual_way(text: str) -> None:
    assert parse_whole(text, "n", "Iterations", 1, 100_000) == 100_000


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the box is empty"),
        ("   ", "the box is empty"),
        ("abc", "'abc' is not a number"),
        ("1_000", "'1_000' is not a number"),
        ("10,00", "'10,00' is not a number"),
        ("2.5", "'2.5' is not whole"),
        ("0", "'0' is too small"),
        ("100001", "'100001' is too large"),
        ("1e999", "'1e999' is too large"),
        ("nan", "'nan' is not a number"),
        ("inf", "'inf' is not a number"),
    ],
)
def test_a_refused_whole_number_says_why_and_names_the_limits(text: str, reason: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_whole(text, "n_iterations", "Iterations", 1, 100_000)
    assert str(error.value) == f"Iterations must be a whole number from 1 to 100,000; {reason}."
    assert error.value.field == "n_iterations"


@pytest.mark.parametrize(
    ("text", "value"), [("0.5", 0.5), (".5", 0.5), ("1e-3", 0.001), ("100", 100.0), ("1,000.5", 1000.5)]
)
def test_numbers(text: str, value: float) -> None:
    assert parse_number(text, "lr", "Learning rate", 0.001, 1000.5) == value


@pytest.mark.parametrize(
    ("text", "reason"), [("0", "too small"), ("100.01", "too large"), ("-1", "too small")]
)
def test_a_number_outside_its_limits(text: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=f"from 0.001 to 100; '{text}' is {reason}"):
        parse_number(text, "lr", "Learning rate", 0.001, 100)


def test_long_or_strange_text_is_shortened_and_made_printable() -> None:
    with pytest.raises(ConfigError) as error:
        parse_number("x\n" * 40, "lr", "Learning rate", 0.001, 100)
    assert "\n" not in str(error.value) and "…" in str(error.value)


@given(st.integers(min_value=0, max_value=10**9))
def test_grouped_and_plain_whole_numbers_agree(n: int) -> None:
    assert parse_whole(f"{n:,}", "n", "N", 0, 10**9) == parse_whole(str(n), "n", "N", 0, 10**9) == n


@given(st.floats(min_value=0.001, max_value=100, allow_nan=False))
def test_a_number_written_by_repr_reads_back_exactly(x: float) -> None:
    assert parse_number(repr(x), "lr", "Learning rate", 0.001, 100) == x


@pytest.mark.parametrize("text", ["1, 0, 0", "1,0,0", "1 0 0", "1;0;0", " 1 ,  0 , 0 ", "1e0, 0.0, -0"])
def test_a_test_input_with_any_separator(text: str) -> None:
    assert parse_inputs(text, 3) == (1.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("1, 0", "Enter 3 numbers separated by commas, e.g. 1, 1, 1; got 2."),
        ("", "Enter 3 numbers separated by commas, e.g. 1, 1, 1; the box is empty."),
        ("1, zero, 0", "Every value must be a number, e.g. 1, 1, 1; 'zero' is not."),
        ("1e999, 0, 0", "Every value must be a finite number."),
    ],
)
def test_a_bad_test_input_says_what_fits(text: str, says: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_inputs(text, 3, "test_input")
    assert str(error.value) == says and error.value.field == "test_input"


def test_limits_as_text_and_as_a_label() -> None:
    assert limits_text(0.001, 100) == "from 0.001 to 100"
    assert limits_text(0, 2**32 - 1) == "from 0 to 4,294,967,295"
    assert range_label(1, 100_000) == "1–100,000"
    assert math.isclose(parse_number("1e-3", "lr", "Learning rate", 0.001, 100), 0.001)


@pytest.mark.parametrize(
    ("text", "units"), [("", ()), ("0", ()), ("none", ()), ("4", (4,)), ("4,3", (4, 3)), (" 4 , 3 ", (4, 3))]
)
def test_hidden_layers(text: str, units: tuple[int, ...]) -> None:
    assert parse_hidden(text, 2, 8) == units


@pytest.mark.parametrize(
    ("text", "reason"),
    [("4,3,2", "has 3"), ("9", "outside 1 to 8"), ("4,x", "is not"), ("-1", "is not"), ("4,", "is not")],
)
def test_bad_hidden_layers(text: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        parse_hidden(text, 2, 8)
