"""Edits of a truth table as a spreadsheet-like editor reports them, and resizing a table.

An editor reports ``{"edited_rows": {row: {column: value}}, "added_rows": [{column: value}],
"deleted_rows": [row]}`` with rows counted from 0 in the table it was given (Streamlit's data editor does).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from backprop.limits import MAX_ROWS
from backprop.table import TruthTable

Cell = float | None


def edits_fit(edits: object, n_rows: int, columns: Sequence[str]) -> bool:
    """Whether pending editor ``edits`` only name rows and columns of the table and add at most
    ``MAX_ROWS`` rows. A browser sends no others; a crafted request's would fail inside the editor
    (IndexError, KeyError) or take minutes (thousands of added rows)."""
    if not isinstance(edits, Mapping):
        return True
    known = {*columns, "_index"}
    try:
        edited, added = dict(edits.get("edited_rows") or {}), list(edits.get("added_rows") or ())
        deleted = [int(row) for row in edits.get("deleted_rows") or ()]
        return (
            len(added) <= MAX_ROWS
            and all(0 <= int(row) < n_rows for row in edited)
            and all(0 <= row < n_rows for row in deleted)
            and all(
                isinstance(cells, Mapping) and set(cells) <= known for cells in [*edited.values(), *added]
            )
        )
    except (TypeError, ValueError):
        return False


def changes_rows(edits: object) -> bool:
    """Whether ``edits`` add or delete rows (which renumbers the table)."""
    return isinstance(edits, Mapping) and bool(edits.get("added_rows") or edits.get("deleted_rows"))


def _cell(value: object) -> Cell:
    """An editor value as a number, or None for an empty (or non-numeric) cell."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def apply_edits(rows: Sequence[Sequence[Cell]], columns: Sequence[str], edits: Mapping) -> list[list[Cell]]:
    """``rows`` with ``edits`` applied in the editor's order: cell edits, deletions, then added rows.

    ``edits`` must fit the table (:func:`edits_fit`). Empty or non-numeric cells become None.
    """
    result = [[_cell(v) for v in row] for row in rows]
    position = {name: j for j, name in enumerate(columns)}
    for row, cells in (edits.get("edited_rows") or {}).items():
        for name, value in cells.items():
            if name in position:
                result[int(row)][position[name]] = _cell(value)
    deleted = {int(row) for row in edits.get("deleted_rows") or ()}
    result = [row for i, row in enumerate(result) if i not in deleted]
    for cells in edits.get("added_rows") or ():
        result.append([_cell(cells.get(name)) for name in columns])
    return result


def resized(table: TruthTable, n_inputs: int, n_outputs: int) -> TruthTable:
    """``table`` with ``n_inputs`` input and ``n_outputs`` output columns: the columns that remain keep
    their values, new ones are 0."""
    X = np.zeros((table.n_rows, n_inputs))
    keep = min(n_inputs, table.n_inputs)
    X[:, :keep] = table.X[:, :keep]
    y = np.zeros((table.n_rows, n_outputs))
    keep = min(n_outputs, table.n_outputs)
    y[:, :keep] = table.y[:, :keep]
    return TruthTable(X, y)
