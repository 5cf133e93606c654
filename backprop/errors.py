"""Errors raised for invalid user input: every one is a ``ValueError``."""

from __future__ import annotations


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
