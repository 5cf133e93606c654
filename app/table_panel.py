"""The truth table: its shape, the editor, and the test input to predict."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import streamlit as st

from app.state import (
    CUSTOM,
    default_input_text,
    mark_custom,
    on_shape_change,
    preset_table,
    reset_editor,
    setting,
)
from app.widgets import refused_notice
from backprop import share
from backprop.datasets import FEATURES, split_rows, with_features
from backprop.editing import apply_edits, changes_rows, edits_fit
from backprop.errors import BackpropError, TableError
from backprop.limits import MAX_INPUTS, MAX_OUTPUTS, MAX_ROWS
from backprop.parse import parse_inputs, range_label
from backprop.table import TruthTable, table_from_cells

# Four significant digits, as the per-row numbers show them: a generated point's 16 digits would push the
# other columns out of sight. A cell being edited shows its full value, and the table keeps it.
CELL_FORMAT = "%.4g"
SET_COLUMN = "set"  # train or test: which rows the network trains on and which are held out


def shape_controls() -> None:
    left, right = st.columns(2)
    left.number_input(
        f"Input columns ({range_label(1, MAX_INPUTS)})",
        step=1,
        key="n_inputs",
        on_change=on_shape_change,
        help="Number of inputs x1…xn. Add a column of 1s to give the unit a bias, as the notebook does.",
    )
    right.number_input(
        f"Output columns ({range_label(1, MAX_OUTPUTS)})",
        step=1,
        key="n_outputs",
        on_change=on_shape_change,
        help="Number of targets y (or y1…ym), each learned by its own sigmoid output unit.",
    )
    refused_notice("n_inputs", left)
    refused_notice("n_outputs", right)


def shown_features(columns: list[str]) -> tuple[str, ...]:
    """The derived features the editor shows beside a table of ``columns``: those the page trains with,
    which need exactly two inputs x1, x2."""
    n_inputs = sum(name.startswith("x") for name in columns)
    return tuple(setting("features")) if n_inputs == 2 else ()


def _computed_view(columns: list[str]) -> tuple[tuple[str, ...], bool]:
    """What the editor shows beyond the table's own cells: the derived features, and the set column."""
    return shown_features(columns), setting("test") > 0


def _pending_edits(key: str) -> bool:
    """Settle the editor's pending edits before it is drawn; whether they were refused.

    Edits naming rows or columns the table lacks are dropped (the editor shows the last valid table).
    Added or deleted rows are folded into a fresh editor, so every row shows its number; so are edited
    inputs while computed features are shown (their columns then show the new values), and every edit
    when the computed columns change (a fresh editor: Streamlit keys an editor by its columns too).
    """
    state = st.session_state
    pending = state.get(key)
    columns = state.table_columns
    if not edits_fit(pending, len(state.table_base), columns):
        valid = state.valid_table
        reset_editor(valid.rows(), list(valid.columns))
        return True
    view = _computed_view(columns)
    edits_inputs = isinstance(pending, Mapping) and any(
        name.startswith("x") for cells in (pending.get("edited_rows") or {}).values() for name in cells
    )
    if changes_rows(pending) or (view[0] and edits_inputs) or state.get("editor_view") not in (None, view):
        rows = apply_edits(state.table_base, columns, pending) if isinstance(pending, Mapping) else None
        reset_editor(state.table_base if rows is None else rows, columns)
    state.editor_view = view
    return False


def _column_config(columns: list[str], computed: tuple[str, ...]) -> dict[str, object]:
    config: dict[str, object] = {
        name: st.column_config.NumberColumn(
            name,
            help="Input. A column of constant 1s acts as a bias."
            if name.startswith("x")
            else "Target, from 0 to 1",
            format=CELL_FORMAT,
        )
        for name in columns
    }
    for key in computed:
        label = FEATURES[key].label
        config[label] = st.column_config.NumberColumn(
            label,
            help=f"{label}, computed from x1 and x2: a derived input of the network, not editable.",
            format=CELL_FORMAT,
            disabled=True,
            width="small",
        )
    config[SET_COLUMN] = st.column_config.TextColumn(
        SET_COLUMN,
        help="train: the network learns from this row. test: held out (Test fraction); its error is the "
        "test loss. Not editable.",
        disabled=True,
        width="small",
    )
    return config


def editor_frame(rows: list[list[float | None]], columns: list[str]) -> pd.DataFrame:
    """The editor's data: the table's cells, the derived features computed from x1, x2 right after them
    and, with a test fraction, which set each row is in (the trainer's split of these rows)."""
    index = pd.RangeIndex(1, len(rows) + 1, name="row")
    frame = pd.DataFrame(rows, columns=columns, index=index, dtype=float)
    computed, has_set = _computed_view(columns)
    if computed:
        derived = with_features(frame[["x1", "x2"]].to_numpy(), computed)[:, 2:]
        for position, key in enumerate(computed, start=2):
            frame.insert(position, FEATURES[key].label, derived[:, position - 2])
    if has_set:
        _, test_rows = split_rows(len(rows), setting("test"), setting("seed"))
        frame[SET_COLUMN] = np.where(np.isin(np.arange(len(rows)), test_rows), "test", "train")
    return frame


def table_editor() -> TruthTable:
    """The truth-table editor; returns the table to train on (the last valid one on bad input)."""
    state = st.session_state
    dropped = _pending_edits(f"table_editor_{state.table_version}")
    rows, columns = state.table_base, state.table_columns
    frame = editor_frame(rows, columns)
    edited = st.data_editor(
        frame,
        key=f"table_editor_{state.table_version}",
        num_rows="dynamic",
        column_config=_column_config(columns, shown_features(columns)),
        hide_index=False,
        width="stretch",
    )
    if dropped:
        st.error(
            "Those table edits name rows or columns the table does not have, or add more than "
            f"{MAX_ROWS} rows: the editor shows the last valid table again.",
            icon=":material/warning:",
        )
    try:
        own = edited[columns]  # the computed columns are the page's, not the table's
        cells = [[None if pd.isna(v) else v for v in row] for row in own.itertuples(index=False)]
        table = table_from_cells(list(own.columns), cells)
    except TableError as error:
        st.error(
            f"{share.escape_markdown(str(error))} Training still uses the last valid table.",
            icon=":material/warning:",
        )
        return state.valid_table
    preset = setting("preset")
    if table != state.valid_table and preset != CUSTOM and table != preset_table(preset):
        mark_custom()
    state.valid_table = table
    st.caption(
        f"Up to {MAX_ROWS} rows, {MAX_INPUTS} inputs x and {MAX_OUTPUTS} targets y; each target from 0 to 1. "
        "Add a row with + below the table; tick a row's number to delete it."
    )
    computed_caption(columns)
    return table


def computed_caption(columns: list[str]) -> None:
    """Which columns of the editor the page computes, and what they are."""
    computed, has_set = _computed_view(columns)
    shown = [FEATURES[key].label for key in computed] + ([SET_COLUMN] if has_set else [])
    if not shown:
        return
    notes = [f"Computed, read-only columns (no ✎ in their header): {', '.join(shown)}."]
    if computed:
        notes.append("The input features are computed from x1 and x2 and given to the network too.")
    if has_set:
        notes.append(
            f"{SET_COLUMN} says which rows train and which are held out as the test set (Test fraction "
            f"{setting('test'):g}, drawn with the seed)."
        )
    st.caption(" ".join(notes))


def test_input_control(n_inputs: int) -> tuple[float, ...]:
    text = st.text_input(
        "Test input",
        default_input_text(setting("preset"), n_inputs),  # what a link without input opens
        key="input",
        bind="query-params",
        help="An input row to predict after training, e.g. 1, 0, 0.",
    )
    try:
        values = parse_inputs(text, n_inputs, "input")
    except BackpropError as error:
        st.error(
            f"{share.escape_markdown(str(error))} Showing the last valid test input.",
            icon=":material/warning:",
        )
        last = st.session_state.valid_test_input
        return last if len(last) == n_inputs else (0.0,) * n_inputs
    st.session_state.valid_test_input = values
    return values


def table_panel() -> tuple[TruthTable, tuple[float, ...]]:
    st.header("Truth table")  # the level below the page title
    shape_controls()
    table = table_editor()
    return table, test_input_control(table.n_inputs)
