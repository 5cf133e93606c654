"""The truth table: its shape, the editor, and the test input to predict."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.state import (
    CUSTOM,
    default_input_text,
    mark_custom,
    on_shape_change,
    reset_editor,
    setting,
)
from app.widgets import refused_notice
from backprop import share
from backprop.editing import apply_edits, changes_rows, edits_fit
from backprop.errors import BackpropError, TableError
from backprop.limits import MAX_INPUTS, MAX_OUTPUTS, MAX_ROWS
from backprop.parse import parse_inputs, range_label
from backprop.table import PRESETS, TruthTable, table_from_cells


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


def _pending_edits(key: str) -> bool:
    """Settle the editor's pending edits before it is drawn; whether they were refused.

    Edits naming rows or columns the table lacks are dropped (the editor shows the last valid table).
    Added or deleted rows are folded into a fresh editor, so every row shows its number.
    """
    state = st.session_state
    pending = state.get(key)
    if not edits_fit(pending, len(state.table_base), state.table_columns):
        valid = state.valid_table
        reset_editor(valid.rows(), list(valid.columns))
        return True
    if changes_rows(pending):
        reset_editor(apply_edits(state.table_base, state.table_columns, pending), state.table_columns)
    return False


def _column_config(columns: list[str]) -> dict[str, object]:
    return {
        name: st.column_config.NumberColumn(
            name,
            help="Input. A column of constant 1s acts as a bias."
            if name.startswith("x")
            else "Target, from 0 to 1",
            format="%g",
        )
        for name in columns
    }


def table_editor() -> TruthTable:
    """The truth-table editor; returns the table to train on (the last valid one on bad input)."""
    state = st.session_state
    dropped = _pending_edits(f"table_editor_{state.table_version}")
    rows, columns = state.table_base, state.table_columns
    frame = pd.DataFrame(
        rows, columns=columns, index=pd.RangeIndex(1, len(rows) + 1, name="row"), dtype=float
    )
    edited = st.data_editor(
        frame,
        key=f"table_editor_{state.table_version}",
        num_rows="dynamic",
        column_config=_column_config(columns),
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
        cells = [[None if pd.isna(v) else v for v in row] for row in edited.itertuples(index=False)]
        table = table_from_cells(list(edited.columns), cells)
    except TableError as error:
        st.error(
            f"{share.escape_markdown(str(error))} Training still uses the last valid table.",
            icon=":material/warning:",
        )
        return state.valid_table
    preset = setting("preset")
    if table != state.valid_table and preset != CUSTOM and table != PRESETS[preset].table:
        mark_custom()
    state.valid_table = table
    st.caption(
        f"Up to {MAX_ROWS} rows, {MAX_INPUTS} inputs x and {MAX_OUTPUTS} targets y; each target from 0 to 1. "
        "Add a row with + below the table; tick a row's number to delete it."
    )
    return table


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
