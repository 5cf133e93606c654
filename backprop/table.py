"""Truth tables: presets, validation of user cells and CSV text, and conversion back to CSV.

A table has input columns ``x1..xn`` and output columns ``y`` (one output) or ``y1..ym``. Like the
notebook, the gate presets carry a constant-1 input column that acts as a bias.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from backprop.errors import TableError
from backprop.limits import MAX_CSV_BYTES, MAX_INPUTS, MAX_OUTPUTS, MAX_ROWS

FloatArray = NDArray[np.float64]


def _frozen(values: object) -> FloatArray:
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):  # text, ragged rows, complex numbers
        raise TableError("X and y must be rectangular arrays of real numbers.") from None
    array.flags.writeable = False
    return array


def input_names(n_inputs: int) -> tuple[str, ...]:
    """Column names ``x1..xn``."""
    return tuple(f"x{i}" for i in range(1, n_inputs + 1))


def output_names(n_outputs: int) -> tuple[str, ...]:
    """Column names: ``y`` for one output, ``y1..ym`` for several."""
    return ("y",) if n_outputs == 1 else tuple(f"y{j}" for j in range(1, n_outputs + 1))


@dataclass(frozen=True, eq=False)
class TruthTable:
    """Training inputs ``X`` (n_rows, n_inputs) and targets ``y`` (n_rows, n_outputs), read-only."""

    X: FloatArray
    y: FloatArray

    def __post_init__(self) -> None:
        X, y = _frozen(self.X), _frozen(self.y)
        if X.ndim != 2 or y.ndim != 2 or X.shape[0] != y.shape[0]:
            raise TableError(f"X and y must be 2-D with equal row counts, got {X.shape} and {y.shape}.")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        _check_limits(X.shape[0], X.shape[1], y.shape[1])
        _check_values(X, y)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TruthTable):
            return NotImplemented
        return np.array_equal(self.X, other.X) and np.array_equal(self.y, other.y)

    def __hash__(self) -> int:
        return hash((self.X.shape, self.X.tobytes(), self.y.shape, self.y.tobytes()))

    @property
    def n_rows(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_inputs(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_outputs(self) -> int:
        return int(self.y.shape[1])

    @property
    def columns(self) -> tuple[str, ...]:
        return input_names(self.n_inputs) + output_names(self.n_outputs)

    def rows(self) -> list[list[float]]:
        """The table as plain rows ``[x1, .., xn, y1, .., ym]``."""
        return np.hstack([self.X, self.y]).tolist()

    def varying_inputs(self) -> tuple[int, ...]:
        """Indices of input columns that are not constant over the rows."""
        return tuple(int(i) for i in np.flatnonzero(np.not_equal(self.X, self.X[:1]).any(axis=0)))

    def conflicting_rows(self) -> tuple[tuple[int, ...], ...]:
        """Groups of 1-based rows with equal inputs but different targets (not exactly learnable)."""
        groups: dict[bytes, list[int]] = {}
        for i, x in enumerate(self.X):
            groups.setdefault(x.tobytes(), []).append(i)
        return tuple(
            tuple(i + 1 for i in rows)
            for rows in groups.values()
            if len(rows) > 1 and np.ptp(self.y[rows], axis=0).max() > 0
        )


def _check_limits(n_rows: int, n_inputs: int, n_outputs: int) -> None:
    if not 1 <= n_rows <= MAX_ROWS:
        raise TableError(f"A table needs 1 to {MAX_ROWS} rows; this one has {n_rows}.")
    if not 1 <= n_inputs <= MAX_INPUTS:
        raise TableError(f"A table needs 1 to {MAX_INPUTS} input columns; this one has {n_inputs}.")
    if not 1 <= n_outputs <= MAX_OUTPUTS:
        raise TableError(f"A table needs 1 to {MAX_OUTPUTS} output columns; this one has {n_outputs}.")


def _check_values(X: FloatArray, y: FloatArray) -> None:
    names = input_names(X.shape[1]) + output_names(y.shape[1])
    for values, offset in ((X, 0), (y, X.shape[1])):
        bad = np.argwhere(~np.isfinite(values))
        if bad.size:
            row, col = (int(v) for v in bad[0])
            raise TableError(
                f"Row {row + 1}, column {names[offset + col]}: not a finite number.",
                row + 1,
                names[offset + col],
            )
    bad = np.argwhere((y < 0) | (y > 1))
    if bad.size:
        row, col = (int(v) for v in bad[0])
        column = names[X.shape[1] + col]
        raise TableError(
            f"Row {row + 1}, column {column}: target {y[row, col]:g} is outside [0, 1] "
            "(a sigmoid output can only reach values between 0 and 1).",
            row + 1,
            column,
        )


def _parse_cell(value: object, row: int, column: str) -> float:
    """One cell as a float, or a :class:`TableError` naming the 1-based row and the column."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise TableError(f"Row {row}, column {column} is empty: enter a number.", row, column)
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            shown = text if len(text) <= 20 else text[:20] + "…"
            raise TableError(f"Row {row}, column {column}: {shown!r} is not a number.", row, column) from None
    else:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise TableError(f"Row {row}, column {column}: not a number.", row, column) from None
    if math.isnan(number) and not isinstance(value, str):  # an editor's empty cell arrives as NaN
        raise TableError(f"Row {row}, column {column} is empty: enter a number.", row, column)
    if not math.isfinite(number):
        raise TableError(f"Row {row}, column {column}: not a finite number.", row, column)
    return number


_INPUT_RE = re.compile(r"x([1-9]\d*)")
_OUTPUT_RE = re.compile(r"y([1-9]\d*)?")


def _split_header(columns: Sequence[str]) -> tuple[int, int]:
    """Check a header is ``x1..xn`` then ``y`` or ``y1..ym``; return (n_inputs, n_outputs)."""
    names = [str(c).strip().lower() for c in columns]
    n_inputs = 0
    while n_inputs < len(names) and _INPUT_RE.fullmatch(names[n_inputs]):
        n_inputs += 1
    n_outputs = len(names) - n_inputs
    expected = list(input_names(n_inputs)) + list(output_names(n_outputs))
    if n_inputs == 0 or n_outputs == 0 or names != expected:
        shown = ",".join(str(c) for c in columns)[:80]
        raise TableError(
            f"Header {shown!r} is not valid: expected x1,…,xn then y (or y1,…,ym), e.g. x1,x2,x3,y."
        )
    _check_limits(1, n_inputs, n_outputs)
    return n_inputs, n_outputs


def table_from_cells(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> TruthTable:
    """Build a table from a header and rows of cells (numbers or text), validating every cell.

    Parameters
    ----------
    columns : header, ``x1..xn`` then ``y`` or ``y1..ym``
    rows : n_rows sequences of n_inputs + n_outputs cells

    Raises
    ------
    TableError
        naming the first bad row (1-based) and column.
    """
    n_inputs, n_outputs = _split_header(columns)
    names = input_names(n_inputs) + output_names(n_outputs)
    if not rows:
        raise TableError("The table has no rows: add at least one.")
    if len(rows) > MAX_ROWS:
        raise TableError(f"A table needs 1 to {MAX_ROWS} rows; this one has {len(rows)}.")
    values = []
    for r, row in enumerate(rows, start=1):
        if len(row) != len(names):
            raise TableError(f"Row {r} has {len(row)} cells; the header has {len(names)}.", r)
        values.append([_parse_cell(v, r, c) for v, c in zip(row, names, strict=True)])
    data = np.array(values, dtype=np.float64)
    return TruthTable(data[:, :n_inputs], data[:, n_inputs:])


def parse_csv(text: str) -> TruthTable:
    """Parse CSV text with a header ``x1..xn,y`` (or ``y1..ym``) into a validated table."""
    if len(text.encode("utf-8", errors="replace")) > MAX_CSV_BYTES:
        raise TableError(f"The CSV is larger than {MAX_CSV_BYTES // 2**20} MB.")
    if "\x00" in text:
        raise TableError("This does not look like a CSV text file (it contains binary data).")
    try:  # newline="": lines may end in \n, \r\n or a classic Mac \r, as csv.reader expects
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    except csv.Error as error:
        raise TableError(f"This is not a valid CSV file ({error}).") from None
    lines = [line for line in rows if any(c.strip() for c in line)]
    if not lines:
        raise TableError("The CSV is empty: expected a header x1,…,xn,y and at least one row.")
    return table_from_cells(lines[0], lines[1:])


def table_to_csv(table: TruthTable) -> str:
    """The table as CSV text with its header; ``parse_csv`` reads it back unchanged."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    # whole numbers without ".0", but 1e300 stays "1e+300", not 301 digits
    cells = [[int(v) if v.is_integer() and abs(v) < 1e15 else repr(v) for v in row] for row in table.rows()]
    writer.writerows(cells)
    return out.getvalue()


@dataclass(frozen=True)
class Preset:
    """A named table with a description and a test input to predict."""

    name: str
    description: str
    table: TruthTable
    test_input: tuple[float, ...]


def _gate(name: str, description: str, outputs: Sequence[Sequence[int]]) -> Preset:
    """A 2-input gate over rows 00, 01, 10, 11, with the constant bias column as x3."""
    X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    return Preset(name, description, TruthTable(X, np.array(outputs).T.tolist()), (1.0, 1.0, 1.0))


def _three_input(name: str, description: str, parity: bool) -> Preset:
    """A 3-input function over all 8 rows, with the constant bias column as x4."""
    bits = np.array([[(i >> 2) & 1, (i >> 1) & 1, i & 1] for i in range(8)])
    y = (bits.sum(axis=1) % 2 == 1) if parity else (bits.sum(axis=1) >= 2)
    X = np.hstack([bits, np.ones((8, 1))])
    return Preset(name, description, TruthTable(X, y[:, None].astype(float)), (1.0, 1.0, 0.0, 1.0))


# Read-only: one registry serves every session of the app.
PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        p.name: p
        for p in (
            Preset(
                "notebook",
                "The notebook's table: the output copies x1; x3 is a constant 1 acting as a bias.",
                TruthTable([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], [[0], [1], [1], [0]]),
                (1.0, 0.0, 0.0),
            ),
            _gate("and", "y = x1 AND x2 (x3 is the constant bias input).", [[0, 0, 0, 1]]),
            _gate("or", "y = x1 OR x2 (x3 is the constant bias input).", [[0, 1, 1, 1]]),
            _gate("nand", "y = NOT (x1 AND x2) (x3 is the constant bias input).", [[1, 1, 1, 0]]),
            _gate("xor", "y = x1 XOR x2: not linearly separable, needs a hidden layer.", [[0, 1, 1, 0]]),
            _gate(
                "xnor", "y = NOT (x1 XOR x2): not linearly separable, needs a hidden layer.", [[1, 0, 0, 1]]
            ),
            _gate(
                "half-adder", "y1 = sum (x1 XOR x2), y2 = carry (x1 AND x2).", [[0, 1, 1, 0], [0, 0, 0, 1]]
            ),
            _three_input("majority", "y = 1 when at least two of x1, x2, x3 are 1 (x4 is the bias).", False),
            _three_input("parity3", "y = x1 XOR x2 XOR x3 (x4 is the bias): needs hidden units.", True),
            Preset(
                "overshoot",
                "Too large a step: the notebook's rows with every input doubled (0 or 2, x3 the constant "
                "bias input) and targets 0.2 and 0.8, so the best weights are finite. At lr 1 it "
                "converges; the Learning-rate sweep tab shows larger steps overshoot (lr ≈ 2–3), oscillate "
                "(≈ 4–25) and, from about lr 30, jump to where the sigmoid is flat and end worse than they "
                "started.",
                TruthTable([[0, 0, 2], [2, 2, 2], [2, 0, 2], [0, 2, 2]], [[0.2], [0.8], [0.8], [0.2]]),
                (1.0, 0.0, 2.0),
            ),
        )
    }
)
DEFAULT_PRESET = "notebook"


def get_preset(name: str) -> Preset:
    """Look up a preset by name, raising :class:`TableError` for an unknown one."""
    try:
        return PRESETS[name]
    except KeyError:
        raise TableError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.") from None
