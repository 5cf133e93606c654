"""backprop/editing.py: a table editor's edits applied in the editor's own order, and resizing."""

from __future__ import annotations

import numpy as np
import pytest

from backprop.editing import apply_edits, changes_rows, edits_fit, resized
from backprop.table import MAX_ROWS, PRESETS, TruthTable

COLUMNS = ["x1", "x2", "y"]
ROWS = [[0.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]]


def test_cell_edits_then_deletions_then_added_rows() -> None:
    edits = {
        "edited_rows": {1: {"y": 0.5}, 2: {"x2": 1}},
        "deleted_rows": [0],
        "added_rows": [{"x1": 1, "x2": 1, "y": 0}, {"x1": 1}],
    }
    assert apply_edits(ROWS, COLUMNS, edits) == [
        [0.0, 1.0, 0.5],
        [1.0, 1.0, 1.0],
        [1.0, 1.0, 0.0],
        [1.0, None, None],
    ]


@pytest.mark.parametrize("value", [None, "", "abc", float("nan"), True])
def test_empty_or_non_numeric_cells_become_none(value: object) -> None:
    assert apply_edits(ROWS, COLUMNS, {"edited_rows": {0: {"x1": value}}})[0] == [None, 0.0, 0.0]


def test_the_rows_given_are_not_changed() -> None:
    rows = [list(r) for r in ROWS]
    apply_edits(rows, COLUMNS, {"edited_rows": {0: {"x1": 5}}, "deleted_rows": [1]})
    assert rows == ROWS


@pytest.mark.parametrize(
    ("edits", "fit"),
    [
        (None, True),
        ({"edited_rows": {2: {"y": 1}}}, True),
        ({"edited_rows": {3: {"y": 1}}}, False),
        ({"edited_rows": {0: {"z": 1}}}, False),
        ({"deleted_rows": [5]}, False),
        ({"added_rows": [{"x1": 0}] * (MAX_ROWS + 1)}, False),
        ({"edited_rows": {"a": {}}}, False),
        ({"added_rows": ["x"]}, False),
    ],
)
def test_edits_fit_only_the_table_they_were_made_on(edits: object, fit: bool) -> None:
    assert edits_fit(edits, len(ROWS), COLUMNS) is fit


def test_changes_rows() -> None:
    assert changes_rows({"added_rows": [{}]}) and changes_rows({"deleted_rows": [0]})
    assert not changes_rows({"edited_rows": {0: {"y": 1}}}) and not changes_rows(None)


def test_resizing_keeps_the_columns_that_remain() -> None:
    table = PRESETS["notebook"].table
    smaller = resized(table, 2, 1)
    assert np.array_equal(smaller.X, table.X[:, :2]) and np.array_equal(smaller.y, table.y)
    larger = resized(table, 4, 2)
    assert np.array_equal(larger.X[:, :3], table.X) and not larger.X[:, 3].any()
    assert np.array_equal(larger.y[:, :1], table.y) and not larger.y[:, 1].any()
    assert resized(table, 3, 1) == TruthTable(table.X, table.y)
