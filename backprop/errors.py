"""Errors raised for invalid user input: every one is a ``ValueError``."""

from __future__ import annotations

import math
import numbers


class BackpropError(ValueError):
    """Base class for every input the library refuses, with a message fit for a user."""


class ConfigError(BackpropError):
    """A training setting (learning rate, iterations, seed, architecture) is out of range.

    ``field`` names the setting, so a UI can show the message next to it.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TableError(BackpropError):
    """A truth table is malformed; ``row`` (1-based) and ``column`` locate the bad cell."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


def whole_number(value: object, field: str, low: int, high: int, what: str) -> int:
    """``value`` as an int in ``low..high``; a float such as 3.0 counts, a bool or 2.5 does not.

    Raises :class:`ConfigError` naming ``field``, with ``what`` (e.g. "Seed") as the message's subject.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{what} must be a whole number from {low:,} to {high:,}.", field)
    if not isinstance(value, numbers.Integral):
        if not (math.isfinite(value) and float(value).is_integer()):
            raise ConfigError(f"{what} must be a whole number from {low:,} to {high:,}.", field)
        value = int(value)
    if not low <= int(value) <= high:
        raise ConfigError(f"{what} must be a whole number from {low:,} to {high:,}, got {value}.", field)
    return int(value)
