"""Truth tables: validation names the bad row and column; CSV round trips; presets are right."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.errors import TableError
from backprop.table import (
    DEFAULT_PRESET,
    MAX_CSV_BYTES,
    MAX_INPUTS,
    MAX_OUTPUTS,
    MAX_ROWS,
    PRESETS,
    TruthTable,
    get_preset,
    parse_csv,
    table_from_cells,
    table_to_csv,
)

# --- bad input: each case names the row (1-based) and column when there is one ----------------------

BAD_CELLS = [
    ("x1,y\n1,\n", 1, "y", "empty"),
    ("x1,x2,y\n0,0,0\n1, ,1\n", 2, "x2", "empty"),
    ("x1,y\nabc,1\n", 1, "x1", "'abc' is not a number"),
    ("x1,y\n1,yes\n", 1, "y", "not a number"),
    ("x1,y\nnan,1\n", 1, "x1", "not a finite number"),
    ("x1,y\n0,0\n1,NaN\n", 2, "y", "not a finite number"),
    ("x1,y\ninf,1\n", 1, "x1", "not a finite number"),
    ("x1,y\n-Infinity,1\n", 1, "x1", "not a finite number"),
    ("x1,y\n1e999,1\n", 1, "x1", "not a finite number"),
    ("x1,y\n0,0\n1,-0.5\n", 2, "y", "outside [0, 1]"),
    ("x1,y1,y2\n0,0,1.5\n", 1, "y2", "outside [0, 1]"),
    ("x1,y\n1,2\n", 1, "y", "outside [0, 1]"),
]


@pytest.mark.parametrize(("text", "row", "column", "message"), BAD_CELLS)
def test_bad_cell_names_row_and_column(text: str, row: int, column: str, message: str) -> None:
    with pytest.raises(TableError, match=f"Row {row}, column {column}") as info:
        parse_csv(text)
    assert message in str(info.value)
    assert (info.value.row, info.value.column) == (row, column)


def test_long_text_cell_is_shortened_in_the_message() -> None:
    with pytest.raises(TableError) as info:
        parse_csv("x1,y\n" + "a" * 500 + ",1\n")
    assert len(str(info.value)) < 100


@pytest.mark.parametrize(
    "header",
    [
        "a,b",
        "x1,x3,y",
        "x2,y",
        "y,x1",
        "x1",
        "y",
        "x1,x2",
        "x1,y,x2",
        "x1,y1",  # one output must be called y
        "x1,y1,y3",
        "x0,y",
        "x1,x1,y",
        ",",
    ],
)
def test_bad_header(header: str) -> None:
    with pytest.raises(TableError, match="expected x1"):
        parse_csv(header + "\n" + ",".join(["0"] * len(header.split(","))) + "\n")


def test_header_is_case_and_space_insensitive_and_bom_is_ignored() -> None:
    table = parse_csv("\ufeff X1 , x2 ,Y\n0,1,1\n")
    assert table.columns == ("x1", "x2", "y")


def test_blank_lines_are_skipped() -> None:
    table = parse_csv("\nx1,y\n\n0,0\n , \n1,1\n\n")
    assert table.n_rows == 2


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("\n\n  \n", "empty"),
        ("x1,y\n", "no rows"),
        ("x1,y\n\n", "no rows"),
    ],
)
def test_empty_csv_and_no_rows(text: str, match: str) -> None:
    with pytest.raises(TableError, match=match):
        parse_csv(text)


def test_ragged_rows_name_the_row() -> None:
    with pytest.raises(TableError, match="Row 2 has 2 cells; the header has 3") as info:
        parse_csv("x1,x2,y\n0,0,0\n1,1\n")
    assert info.value.row == 2
    with pytest.raises(TableError, match="Row 1 has 4 cells") as info:
        parse_csv("x1,x2,y\n0,0,0,1\n")
    assert info.value.row == 1


def test_too_many_rows() -> None:
    rows = "\n".join(["0,0"] * (MAX_ROWS + 1))
    with pytest.raises(TableError, match=f"1 to {MAX_ROWS} rows"):
        parse_csv("x1,y\n" + rows)
    assert parse_csv("x1,y\n" + "\n".join(["0,0"] * MAX_ROWS)).n_rows == MAX_ROWS


def test_too_many_inputs_or_outputs() -> None:
    n = MAX_INPUTS + 1
    header = ",".join(f"x{i}" for i in range(1, n + 1)) + ",y"
    with pytest.raises(TableError, match=f"1 to {MAX_INPUTS} input columns"):
        parse_csv(header + "\n" + ",".join(["0"] * (n + 1)))
    m = MAX_OUTPUTS + 1
    header = "x1," + ",".join(f"y{j}" for j in range(1, m + 1))
    with pytest.raises(TableError, match=f"1 to {MAX_OUTPUTS} output columns"):
        parse_csv(header + "\n" + ",".join(["0"] * (m + 1)))


def test_binary_csv_is_refused() -> None:
    with pytest.raises(TableError, match="binary"):
        parse_csv("x1,y\n0,0\x00\x01\n")
    # bytes decoded with errors="replace" must still fail cleanly, not crash
    with pytest.raises(TableError):
        parse_csv(b"\x89PNG\r\n\x1a\n\xff\xfe".decode("utf-8", errors="replace"))


def test_too_large_csv_is_refused() -> None:
    with pytest.raises(TableError, match="larger than"):
        parse_csv("x1,y\n" + "0,0\n" * (MAX_CSV_BYTES // 4 + 1))


def test_table_from_cells_accepts_numbers_and_text_and_refuses_none_and_nan() -> None:
    table = table_from_cells(["x1", "x2", "y"], [[0, "1", 1.0], [1.5, " 2 ", "0.25"]])
    np.testing.assert_array_equal(table.X, [[0, 1], [1.5, 2]])
    np.testing.assert_array_equal(table.y, [[1], [0.25]])
    for bad in (None, math.nan, float("nan"), ""):
        with pytest.raises(TableError, match="Row 2, column x2 is empty"):
            table_from_cells(["x1", "x2", "y"], [[0, 0, 0], [1, bad, 1]])
    with pytest.raises(TableError, match="Row 1, column x1: not a number"):
        table_from_cells(["x1", "y"], [[object(), 1]])
    with pytest.raises(TableError, match="Row 1, column x1: not a finite number"):
        table_from_cells(["x1", "y"], [[math.inf, 1]])
    with pytest.raises(TableError, match="no rows"):
        table_from_cells(["x1", "y"], [])


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        ([[0.0], [1.0]], [[0.0]], "equal row counts"),
        ([0.0, 1.0], [[0.0], [1.0]], "2-D"),
        (np.zeros((0, 1)), np.zeros((0, 1)), "rows"),
        ([[np.nan]], [[0.0]], "Row 1, column x1"),
        ([[0.0, np.inf]], [[0.0]], "Row 1, column x2"),
        ([[0.0]], [[1.5]], "Row 1, column y"),
        ([[0.0]], [[0.5, -1.0]], "Row 1, column y2"),
    ],
)
def test_truth_table_validates_arrays(X: object, y: object, match: str) -> None:
    with pytest.raises(TableError, match=match):
        TruthTable(X, y)  # type: ignore[arg-type]


def test_truth_table_is_read_only_hashable_and_compares_by_value() -> None:
    source = np.array([[0.0, 1.0]])
    table = TruthTable(source, [[1.0]])
    source[0, 0] = 9.0  # the table holds its own copy
    assert table.X[0, 0] == 0.0
    with pytest.raises(ValueError, match="read-only"):
        table.X[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        table.y[0, 0] = 0.0
    same = TruthTable([[0, 1]], [[1]])
    assert table == same and hash(table) == hash(same)
    assert table != TruthTable([[0, 1]], [[0]])
    assert table != "x1,x2,y"


# --- CSV round trip -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_round_trip_through_csv(name: str) -> None:
    table = PRESETS[name].table
    text = table_to_csv(table)
    assert text.splitlines()[0] == ",".join(table.columns)
    assert parse_csv(text) == table


def test_csv_writes_whole_numbers_without_decimals_and_keeps_huge_values_short() -> None:
    table = TruthTable([[0.0, 1.0, 0.1, 1e300], [-2.0, 3.0, -1e-300, -1e20]], [[0.0, 1.0], [0.25, 1.0]])
    text = table_to_csv(table)
    assert text.splitlines() == [
        "x1,x2,x3,x4,y1,y2",
        "0,1,0.1,1e+300,0,1",
        "-2,3,-1e-300,-1e+20,0.25,1",
    ]
    assert parse_csv(text) == table


def test_full_size_table_of_huge_values_round_trips_within_the_size_limit() -> None:
    table = TruthTable(np.full((MAX_ROWS, MAX_INPUTS), -1.2345678901234567e300), np.ones((MAX_ROWS, 1)))
    assert parse_csv(table_to_csv(table)) == table


def _grid(cell: st.SearchStrategy[float], n_rows: int, n_cols: int) -> st.SearchStrategy[list[list[float]]]:
    return st.lists(st.lists(cell, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows)


@st.composite
def tables(draw: st.DrawFn) -> TruthTable:
    n_rows = draw(st.integers(1, 12))
    n_inputs = draw(st.integers(1, MAX_INPUTS))
    n_outputs = draw(st.integers(1, MAX_OUTPUTS))
    X = draw(_grid(st.floats(allow_nan=False, allow_infinity=False), n_rows, n_inputs))
    y = draw(_grid(st.floats(0.0, 1.0), n_rows, n_outputs))
    return TruthTable(X, y)


@settings(max_examples=60)
@given(tables())
def test_any_table_round_trips_through_csv_exactly(table: TruthTable) -> None:
    back = parse_csv(table_to_csv(table))
    assert back == table
    assert back.columns == table.columns


# --- presets ------------------------------------------------------------------------------------------

GATES = {
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "nand": lambda a, b: 1 - (a & b),
    "xor": lambda a, b: a ^ b,
    "xnor": lambda a, b: 1 - (a ^ b),
}


def test_notebook_preset_is_the_notebooks_data() -> None:
    preset = get_preset("notebook")
    assert DEFAULT_PRESET == "notebook"
    np.testing.assert_array_equal(preset.table.X, [[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]])
    np.testing.assert_array_equal(preset.table.y, [[0], [1], [1], [0]])
    assert preset.test_input == (1.0, 0.0, 0.0)


@pytest.mark.parametrize("name", list(GATES))
def test_gate_presets_have_their_truth_tables(name: str) -> None:
    table = PRESETS[name].table
    assert table.columns == ("x1", "x2", "x3", "y")
    assert sorted(map(tuple, table.X[:, :2].astype(int).tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    np.testing.assert_array_equal(table.X[:, 2], 1.0)  # the constant bias input
    for (a, b, _), (y,) in zip(table.X.astype(int), table.y, strict=True):
        assert y == GATES[name](a, b), (name, a, b)


def test_half_adder_preset() -> None:
    table = PRESETS["half-adder"].table
    assert table.columns == ("x1", "x2", "x3", "y1", "y2")
    for (a, b, _), (total, carry) in zip(table.X.astype(int), table.y, strict=True):
        assert (total, carry) == (a ^ b, a & b)


THREE_INPUT = {"majority": lambda s: s >= 2, "parity3": lambda s: s % 2 == 1}


@pytest.mark.parametrize("name", list(THREE_INPUT))
def test_three_input_presets(name: str) -> None:
    rule = THREE_INPUT[name]
    table = PRESETS[name].table
    assert table.n_rows == 8 and table.n_inputs == 4
    assert len({tuple(x) for x in table.X.tolist()}) == 8
    np.testing.assert_array_equal(table.X[:, 3], 1.0)
    for x, (y,) in zip(table.X.astype(int), table.y, strict=True):
        assert y == float(rule(int(x[:3].sum()))), (name, x)


def test_overshoot_preset_is_the_notebook_doubled_with_soft_targets_and_converges_at_lr_1() -> None:
    from backprop.trainer import TrainConfig, train

    notebook, preset = get_preset("notebook").table, get_preset("overshoot")
    np.testing.assert_array_equal(preset.table.X, 2 * notebook.X)
    np.testing.assert_allclose(preset.table.y, 0.2 + 0.6 * notebook.y)
    assert preset.table.varying_inputs() == (0, 1)  # x3 is the constant bias input
    run = train(preset.table, TrainConfig())  # the page's defaults: lr 1, 10,000 iterations, seed 0
    assert run.status == "completed" and run.final.loss < 1e-20
    np.testing.assert_allclose(run.final.output, preset.table.y, atol=1e-10)
    # the targets are inside (0, 1), so the best weights are finite: training stops moving them
    later = train(preset.table, TrainConfig(n_iterations=20_000))
    np.testing.assert_allclose(later.final.params.weights[0], run.final.params.weights[0], atol=1e-9)
    assert np.abs(run.final.params.weights[0]).max() < 5
    for word in ("overshoot", "oscillate", "lr 1", "Learning-rate sweep"):
        assert word in preset.description


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_consistent(name: str) -> None:
    preset = PRESETS[name]
    assert preset.name == name and preset.description
    assert len(preset.test_input) == preset.table.n_inputs
    assert preset.table.conflicting_rows() == ()


def test_unknown_preset_is_a_table_error() -> None:
    with pytest.raises(TableError, match="Unknown preset 'nope'; choose one of notebook"):
        get_preset("nope")


# --- table queries --------------------------------------------------------------------------------------


def test_conflicting_rows_groups_equal_inputs_with_different_targets() -> None:
    table = TruthTable(
        [[0, 1], [1, 1], [0, 1], [1, 0], [1, 1], [1, 0]],
        [[0, 0], [1, 1], [1, 0], [1, 1], [1, 1], [1, 1]],
    )
    assert table.conflicting_rows() == ((1, 3),)
    assert TruthTable([[0], [0], [0]], [[0], [1], [0]]).conflicting_rows() == ((1, 2, 3),)
    assert TruthTable([[0], [0]], [[1], [1]]).conflicting_rows() == ()


def test_varying_inputs_and_rows() -> None:
    table = PRESETS["notebook"].table
    assert table.varying_inputs() == (0, 1)
    assert table.rows()[1] == [1.0, 1.0, 1.0, 1.0]
    assert (table.n_rows, table.n_inputs, table.n_outputs) == (4, 3, 1)


def test_varying_inputs_with_huge_values_emits_no_overflow_warning() -> None:
    table = TruthTable([[-1e308, 5.0, 1e308], [1e308, 5.0, 1e308]], [[0], [1]])
    assert table.varying_inputs() == (0,)
