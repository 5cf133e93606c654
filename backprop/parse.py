"""Text typed by a person -> values: numbers and whole numbers, checked against their limits.

Every parser raises :class:`ConfigError` with a message that names the setting, its limits and what was
typed, fit to show under the field where it was entered.
"""

from __future__ import annotations

import math
import re

from backprop.datasets import FEATURES, feature_keys
from backprop.errors import ConfigError

# 0.5, -2, .5, 1e5, 1.5E-3; digits may be grouped by thousands with commas: 100,000 or 1,000.5
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SHOWN_CHARS = 24


def shown(text: str) -> str:
    """User text quoted for a message: printable characters only, at most a few dozen of them."""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return repr(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…")


def _limit(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def limits_text(low: float, high: float) -> str:
    """``"from 0.001 to 100"``, with thousands separators for large whole numbers."""
    return f"from {_limit(low)} to {_limit(high)}"


def range_label(low: float, high: float) -> str:
    """``"0.001–100"``: the limits as a field's label shows them."""
    return f"{_limit(low)}–{_limit(high)}"


def _read(text: object, field: str, rule: str, low: float, high: float, whole: bool) -> float:
    """``text`` as a finite number in ``low..high`` (a whole one if ``whole``), or a ConfigError
    ``"<rule>; <what is wrong>."``."""
    raw = str(text).strip()

    def refuse(reason: str) -> ConfigError:
        return ConfigError(f"{rule}; {reason}.", field)

    if not raw:
        raise refuse("the box is empty")
    if not _NUMBER.fullmatch(raw):
        raise refuse(f"{shown(raw)} is not a number")
    value = float(raw.replace(",", ""))
    if not math.isfinite(value):
        raise refuse(f"{shown(raw)} is too large")
    if whole and not value.is_integer():
        raise refuse(f"{shown(raw)} is not whole")
    if value < low:
        raise refuse(f"{shown(raw)} is too small")
    if value > high:
        raise refuse(f"{shown(raw)} is too large")
    return value


def parse_number(text: object, field: str, what: str, low: float, high: float) -> float:
    """``text`` such as ``"0.5"``, ``"1e-3"`` or ``"1,000"`` as a finite float in ``low..high``.

    Raises
    ------
    ConfigError
        naming ``field``, saying what was typed and the limits, e.g.
        ``Learning rate must be a number from 0.001 to 100; '1000' is too large.``
    """
    return _read(text, field, f"{what} must be a number {limits_text(low, high)}", low, high, whole=False)


def parse_whole(text: object, field: str, what: str, low: int, high: int) -> int:
    """``text`` such as ``"100000"``, ``"100,000"`` or ``"1e5"`` as an int in ``low..high``.

    Raises
    ------
    ConfigError
        naming ``field``, saying what was typed and the limits.
    """
    rule = f"{what} must be a whole number {limits_text(low, high)}"
    return int(_read(text, field, rule, low, high, whole=True))


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def parse_inputs(text: object, n_inputs: int, field: str = "inputs") -> tuple[float, ...]:
    """``"1, 0, 0"`` (commas, semicolons or spaces between values) as ``n_inputs`` finite floats.

    Raises
    ------
    ConfigError
        naming ``field``, with an example of what fits.
    """
    parts = [p for p in re.split(r"[,;\s]+", str(text).strip()) if p]
    example = ", ".join(["1"] * n_inputs)
    if len(parts) != n_inputs:
        got = f"got {len(parts)}" if parts else "the box is empty"
        what = "1 number" if n_inputs == 1 else f"{n_inputs} numbers separated by commas"
        raise ConfigError(f"Enter {what}, e.g. {example}; {got}.", field)
    for part in parts:
        if not _PLAIN_NUMBER.fullmatch(part):
            raise ConfigError(f"Every value must be a number, e.g. {example}; {shown(part)} is not.", field)
    values = tuple(float(p) for p in parts)
    if not all(math.isfinite(v) for v in values):
        raise ConfigError("Every value must be a finite number.", field)
    return values


def parse_hidden(text: object, max_layers: int, max_units: int, field: str = "hidden") -> tuple[int, ...]:
    """Hidden layer sizes such as ``"4"`` or ``"4,3"``; ``""``, ``"0"`` and ``"none"`` mean none.

    Raises
    ------
    ConfigError
        naming ``field``, with the limits and an example.
    """
    raw = str(text).strip().lower()
    if raw in ("", "0", "none"):
        return ()
    rule = (
        f"Hidden layers must be up to {max_layers} comma-separated sizes from 1 to {max_units}, e.g. 4 or 4,3"
    )
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) > max_layers:
        raise ConfigError(f"{rule}; {shown(str(text))} has {len(parts)}.", field)
    if not all(p.isdigit() and p.isascii() for p in parts):
        raise ConfigError(f"{rule}; {shown(str(text))} is not.", field)
    units = tuple(int(p) for p in parts)
    if any(not 1 <= u <= max_units for u in units):
        raise ConfigError(f"{rule}; {shown(str(text))} has a size outside 1 to {max_units}.", field)
    return units


def parse_features(text: object, field: str = "features") -> tuple[str, ...]:
    """Derived features such as ``"x1sq,x1x2"`` (keys, or the labels shown for them: ``"x1², x1·x2"``),
    as keys in ``datasets.FEATURES`` order; ``""`` means none.

    Raises
    ------
    ConfigError
        naming ``field``, with the known keys and the first unknown one.
    """
    labels = {feature.label.lower(): key for key, feature in FEATURES.items()}
    names = [part.strip().lower() for part in str(text).split(",") if part.strip()]
    for name in names:
        if name not in FEATURES and name not in labels:
            rule = f"Features must be a comma-separated list of {', '.join(FEATURES)}"
            raise ConfigError(f"{rule}; {shown(name)} is not one.", field)
    return feature_keys(labels.get(name, name) for name in names)
