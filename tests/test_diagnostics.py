"""Diagnostics: exact linear separability, the unit's line, dead ReLU units, saturation, stalls, conflicts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.diagnostics import (
    DECISION_MARGIN,
    dead_units,
    decision_line,
    diagnose,
    fits,
    frozen_rows,
    has_offset,
    saturated_rows,
    separability,
    stall,
    through_origin_separable,
    unmet,
)
from backprop.network import forward, make_params
from backprop.table import PRESETS, TruthTable
from backprop.trainer import Run, TrainConfig, train

XOR = PRESETS["xor"].table


def relu_xor(seed: int) -> Run:
    return train(XOR, TrainConfig(0.5, 10_000, seed, (4,), "relu", True))


def all_functions(n_inputs: int) -> list[TruthTable]:
    """Every boolean function of ``n_inputs`` inputs as a table over all 2^n rows."""
    X = np.array(list(itertools.product((0, 1), repeat=n_inputs)), dtype=float)
    return [
        TruthTable(X, np.array(bits, dtype=float)[:, None])
        for bits in itertools.product((0, 1), repeat=len(X))
    ]


def assert_certificate(table: TruthTable, output: int = 0) -> None:
    """A "not separable" answer proves itself: each group's mix gives the same point."""
    sep = separability(table, output)
    assert sep.separable is False
    y = table.y[:, output]
    assert all(y[r - 1] > 0.5 for r in sep.positive) and all(y[r - 1] < 0.5 for r in sep.negative)
    assert sum(sep.positive_weights) == pytest.approx(1) and sum(sep.negative_weights) == pytest.approx(1)
    assert min(sep.positive_weights) > 0 and min(sep.negative_weights) > 0
    cols = list(sep.inputs)
    mix_p = np.array(sep.positive_weights) @ table.X[np.array(sep.positive) - 1][:, cols]
    mix_n = np.array(sep.negative_weights) @ table.X[np.array(sep.negative) - 1][:, cols]
    np.testing.assert_allclose(mix_p, mix_n, atol=1e-9)
    np.testing.assert_allclose(sep.point, mix_p, atol=1e-9)


# --- separability -------------------------------------------------------------------------------------


def test_presets_separability() -> None:
    answers = {
        name: [separability(p.table, j).separable for j in range(p.table.n_outputs)]
        for name, p in PRESETS.items()
    }
    assert answers == {
        "notebook": [True],
        "and": [True],
        "or": [True],
        "nand": [True],
        "xor": [False],
        "xnor": [False],
        "half-adder": [False, True],  # the sum is XOR, the carry is AND
        "majority": [True],
        "parity3": [False],
    }


def test_xor_certificate_is_the_two_diagonals_meeting_in_the_middle() -> None:
    sep = separability(XOR)
    assert (sep.positive, sep.negative, sep.inputs) == ((2, 3), (1, 4), (0, 1))
    assert sep.positive_weights == pytest.approx((0.5, 0.5)) and sep.point == pytest.approx((0.5, 0.5))
    text = sep.explanation(XOR)
    assert "The average of rows 2 and 3 (target 1)" in text and "rows 1 and 4 (target 0)" in text
    assert "(0.5, 0.5) in (x1, x2)" in text


@pytest.mark.parametrize(("n_inputs", "n_separable"), [(1, 4), (2, 14), (3, 104)])
def test_counts_of_linearly_separable_boolean_functions(n_inputs: int, n_separable: int) -> None:
    """The known counts of threshold functions: 4 of 4, 14 of 16, 104 of 256."""
    results = []
    for table in all_functions(n_inputs):
        sep = separability(table)
        assert sep.separable is not None
        if sep.separable is False:
            assert_certificate(table)
        results.append(sep.separable)
    assert sum(results) == n_separable


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda k: st.tuples(
            st.lists(st.lists(st.integers(-3, 3), min_size=k, max_size=k), min_size=2, max_size=12),
            st.lists(st.sampled_from((0.0, 0.2, 0.5, 0.8, 1.0)), min_size=12, max_size=12),
        )
    )
)
def test_any_answer_is_proven(data: tuple[list[list[int]], list[float]]) -> None:
    """Not separable comes with a checked mix; separable agrees with a perceptron that converges."""
    rows, targets = data
    table = TruthTable(np.array(rows, dtype=float), np.array(targets[: len(rows)])[:, None])
    sep = separability(table)
    assert sep.separable is not None
    if sep.separable is False:
        assert_certificate(table)
        return
    # a strictly separable set of integer points: the perceptron (with a bias) converges
    y = table.y[:, 0]
    keep = y != 0.5
    X = np.hstack([table.X[keep], np.ones((keep.sum(), 1))])
    s = np.where(y[keep] > 0.5, 1.0, -1.0)
    w = np.zeros(X.shape[1])
    for _ in range(100_000):
        wrong = np.flatnonzero(s * (X @ w) <= 0)
        if wrong.size == 0:
            break
        w += s[wrong[0]] * X[wrong[0]]
    assert (s * (X @ w) > 0).all()


def test_targets_of_one_half_one_class_and_identical_inputs() -> None:
    assert separability(TruthTable([[0], [1]], [[0.5], [0.5]])).separable is True
    assert separability(TruthTable([[0], [1], [2]], [[1], [1], [0.5]])).separable is True
    same = separability(TruthTable([[1, 1], [1, 1]], [[0], [1]]))
    assert (same.separable, same.positive, same.negative) == (False, (2,), (1,))
    # conflicting rows can be left out
    table = TruthTable([[0, 0], [0, 1], [1, 0], [1, 1], [0, 1]], [[0], [1], [1], [1], [0]])
    assert separability(table).separable is False
    assert separability(table, exclude=(2, 5)).separable is True


def test_huge_and_tiny_inputs_stay_exact() -> None:
    table = TruthTable([[0, 0], [0, 1e300], [1e300, 0], [1e300, 1e300]], [[0], [1], [1], [0]])
    assert_certificate(table)
    table = TruthTable([[0, 0], [0, 1e-300], [1e-300, 0], [1e-300, 1e-300]], [[0], [0], [0], [1]])
    assert separability(table).separable is True


# --- the unit's line and "cannot fit" --------------------------------------------------------------


def test_decision_line_is_where_the_unit_outputs_one_half() -> None:
    run = train(PRESETS["notebook"].table, TrainConfig())
    line = decision_line(run)
    assert line is not None and line.inputs == (0, 1) and not line.degenerate
    w = run.final.params.weights[0][:, 0]
    assert (line.a, line.b, line.c) == (w[0], w[1], w[2])  # x3 is the constant 1
    for x1 in (-0.25, 0.5, 1.25):
        if abs(line.b) > 1e-9:
            x2 = -(line.a * x1 + line.c) / line.b
            assert run.predict([[x1, x2, 1.0]])[0, 0] == pytest.approx(0.5, abs=1e-9)
    assert line.text().endswith("= 0") and "·x1" in line.text() and "·x2" in line.text()
    assert decision_line(train(XOR, TrainConfig(1.0, 10, 0, (2,)))) is None  # hidden layer: no one line
    assert decision_line(train(PRESETS["majority"].table, TrainConfig(n_iterations=10))) is None


def test_decision_line_folds_the_learned_bias_in() -> None:
    table = PRESETS["and"].table
    config = TrainConfig(n_iterations=0, use_bias=True)
    arch = config.architecture(table)
    run = train(table, config, initial=make_params(arch, [[[2.0], [3.0], [-1.0]]], [[-0.5]]))
    line = decision_line(run)
    assert (line.a, line.b, line.c) == (2.0, 3.0, -1.5)
    assert line.text() == "2·x1 + 3·x2 − 1.5 = 0"


def test_xor_without_a_hidden_layer_cannot_fit_and_says_why_and_what_to_do() -> None:
    for config in (TrainConfig(), TrainConfig(0.5, 10_000, 0, (), "sigmoid", True)):
        run = train(XOR, config)
        assert not fits(run)
        d = diagnose(run)
        assert d.cannot_fit
        assert d.lines[0].degenerate  # the symmetric table drives both input weights to 0
        (message,) = [m for m in d.messages if m.kind == "cannot_fit"]
        assert message.level == "warning"
        for phrase in (
            "No hidden layer: this table cannot be fit",
            "not linearly separable",
            "rows 2 and 3",
            "rows 1 and 4",
            "stuck near 0.50",
            "no line at all",
            "add a hidden layer with 2–4 units",
            "Learned biases",
        ):
            assert phrase in message.text, phrase
        assert all(m.kind != "stalled" for m in d.messages)  # the cause is already explained


def test_cannot_fit_names_the_output_and_gives_the_line_when_there_is_one() -> None:
    run = train(PRESETS["half-adder"].table, TrainConfig())
    d = diagnose(run)
    (message,) = [m for m in d.messages if m.kind == "cannot_fit"]
    assert "this table (output y1) cannot be fit" in message.headline and "y2" not in message.text
    table = TruthTable([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], [[0], [1], [1], [0.2]])
    run = train(table, TrainConfig(n_iterations=300))
    line = decision_line(run)
    assert not line.degenerate
    text = next(m.text for m in diagnose(run).messages if m.kind == "cannot_fit")
    assert f"the best line it found is {line.text()}" in text
    assert "target above 0.5" in text


def test_learnable_tables_get_no_warning() -> None:
    for name in ("notebook", "and", "or", "nand", "majority"):
        run = train(PRESETS[name].table, TrainConfig())
        assert fits(run)
        assert diagnose(run).messages == (), name
    run = train(XOR, TrainConfig(0.5, 10_000, 0, (4,), "sigmoid", True))
    assert fits(run) and diagnose(run).messages == ()


# --- dead ReLU units ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [2, 3])
def test_dead_relu_units_are_named_and_explained(seed: int) -> None:
    run = relu_xor(seed)
    dead = dead_units(run)
    assert dead
    hidden = forward(run.arch, run.final.params, XOR.X).a[1]
    assert {d.unit for d in dead} == set(np.flatnonzero((hidden <= 0).all(axis=0)))
    for d in dead:
        assert d.name == f"h{d.unit + 1}" and d.layer == 0
        # dead from `since` on: 0 for every row at every later recorded iteration
        for s in run.history:
            if s.iteration >= d.since:
                assert (forward(run.arch, s.params, XOR.X).a[1][:, d.unit] <= 0).all()
    d = diagnose(run)
    message = next(m for m in d.messages if m.kind == "dead_units")
    assert message.level == "warning"
    for phrase in ("Dead ReLU units", *(x.name for x in dead), "ReLU′(z) = 0", "no gradient", "another seed"):
        assert phrase in message.text, phrase
    assert "the table is not fit" in message.body and message.fix.startswith("Try another seed")
    stalled = next(m for m in d.messages if m.kind == "stalled")
    assert "dead ReLU units" in stalled.text and stalled.headline == "Training has stalled."


def test_dead_units_that_do_not_stop_the_fit_are_still_reported() -> None:
    run = relu_xor(1)
    assert fits(run)
    message = next(m for m in diagnose(run).messages if m.kind == "dead_units")
    assert "The other units still fit the table." in message.body


def test_no_dead_units_without_relu() -> None:
    for activation in ("sigmoid", "tanh"):
        assert dead_units(train(XOR, TrainConfig(0.5, 500, 0, (4,), activation, True))) == ()
    assert dead_units(train(XOR, TrainConfig(n_iterations=10))) == ()


# --- saturation and stalls --------------------------------------------------------------------------


def test_a_saturated_wrong_output_stalls_and_is_named() -> None:
    table = PRESETS["and"].table
    config = TrainConfig(0.5, 1000)
    run = train(table, config, initial=make_params(config.architecture(table), [[[-20], [-20], [10]]]))
    found = saturated_rows(run)
    assert {(s.row, s.name) for s in found} == {(1, "out"), (4, "out")}
    for s in found:
        assert s.slope == pytest.approx(s.value * (1 - s.value)) and s.slope < 0.01
    s = stall(run)
    assert s is not None and s.rows == (1, 4) and s.units == ("out",) and s.drop < 0.01
    assert s.end == 1000 and s.window == 1000 - s.start <= 250
    message = next(m for m in diagnose(run).messages if m.kind == "stalled")
    assert "rows 1 and 4" in message.text and "unit out is saturated" in message.text
    assert "σ′ = 9.15e−14" in message.text and "vanishing gradient" in message.text


def test_saturated_hidden_units_block_a_row() -> None:
    config = TrainConfig(0.5, 1000, 0, (2,), "sigmoid", True)
    arch = config.architecture(XOR)
    start = make_params(arch, [[[30, 30], [30, 30], [-45, -45]], [[-1], [1]]], [[0, 0], [0]])
    run = train(XOR, config, initial=start)
    found = [s for s in saturated_rows(run) if s.layer == 0]
    assert {(s.row, s.name) for s in found} == {(1, "h1"), (1, "h2")}
    s = stall(run)
    assert s is not None and s.rows == (1,) and set(s.units) == {"h1", "h2"}
    assert "units h1 and h2 are saturated" in next(m.text for m in diagnose(run).messages)


def test_saturation_while_still_learning_is_information() -> None:
    table = PRESETS["and"].table
    config = TrainConfig(0.5, 50)  # too short to call a stall
    run = train(table, config, initial=make_params(config.architecture(table), [[[-20], [-20], [10]]]))
    assert stall(run) is None
    (message,) = diagnose(run).messages
    assert (message.kind, message.level) == ("saturated", "info")
    assert "out on rows 1 and 4" in message.text


def test_unmet_targets_use_the_margin() -> None:
    y = np.array([[0.0], [1.0], [0.5], [1.0]])
    out = np.array([[0.495], [0.505], [0.9], [0.52]])
    assert unmet(out, y)[:, 0].tolist() == [True, True, False, False]
    assert DECISION_MARGIN == 0.01


# --- conflicting rows -------------------------------------------------------------------------------


def test_conflicting_rows_are_flagged_and_the_rest_still_judged() -> None:
    table = TruthTable([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]], [[0], [1], [1], [1], [0]])
    d = diagnose(train(table, TrainConfig()))
    assert d.conflicts == ((2, 5),)
    assert [m.kind for m in d.messages] == ["conflicting_rows"]  # OR on the other rows: learnable
    assert "Rows 2 and 5: same inputs, different targets" in d.messages[0].text
    table = TruthTable([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1], [1, 1, 1]], [[0], [1], [1], [0], [1]])
    d = diagnose(train(table, TrainConfig()))
    # without the conflicting rows 4 and 5, rows 1-3 (targets 0, 1, 1) are separable: no "cannot fit"
    assert [m.kind for m in d.messages] == ["conflicting_rows"] and not d.cannot_fit
    table = TruthTable([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1], [1, 1, 1]], [[0], [1], [1], [0], [0]])
    d = diagnose(train(table, TrainConfig()))  # duplicates that agree are no conflict; XOR still is
    assert d.conflicts == () and d.cannot_fit


# --- no bias --------------------------------------------------------------------------------------------
ZERO_ROW = TruthTable([[0, 0], [1, 1], [1, 0], [0, 1]], [[1], [1], [1], [0]])


@pytest.mark.parametrize(
    ("config", "frozen"),
    [
        (TrainConfig(n_iterations=50), (1,)),
        (TrainConfig(n_iterations=50, hidden=(3,), activation="tanh"), (1,)),
        (TrainConfig(n_iterations=50, hidden=(3,), activation="relu"), (1,)),
        (TrainConfig(n_iterations=50, hidden=(3,), activation="sigmoid"), ()),  # σ(0) = 0.5 reaches it
        (TrainConfig(n_iterations=50, use_bias=True), ()),
    ],
)
def test_a_row_of_zeros_without_a_bias_is_frozen_at_one_half(config: TrainConfig, frozen: tuple) -> None:
    run = train(ZERO_ROW, config)
    assert frozen_rows(run) == frozen
    if frozen:
        assert np.all(run.final.output[0] == 0.5) and np.all(run.history[0].output[0] == 0.5)
        (message,) = [m for m in diagnose(run).messages if m.kind == "cannot_fit"]
        assert "σ(0) = 0.5 forever" in message.headline
        assert "constant 1s" in message.fix and "Learned biases" in message.fix
        assert not any("more iterations" in (m.fix or "") for m in diagnose(run).messages)


def test_a_row_of_zeros_with_target_one_half_is_not_a_problem() -> None:
    table = TruthTable([[0, 0], [1, 1]], [[0.5], [1]])
    assert not [
        m for m in diagnose(train(table, TrainConfig(n_iterations=50))).messages if m.kind == "cannot_fit"
    ]


def test_offset_comes_from_a_learned_bias_or_a_constant_non_zero_column() -> None:
    notebook = PRESETS["notebook"].table
    assert has_offset(train(notebook, TrainConfig(n_iterations=1)))
    no_constant = TruthTable(notebook.X[:, :2], notebook.y)
    assert not has_offset(train(no_constant, TrainConfig(n_iterations=1)))
    assert has_offset(train(no_constant, TrainConfig(n_iterations=1, use_bias=True)))
    zeros = TruthTable(np.hstack([notebook.X[:, :2], np.zeros((4, 1))]), notebook.y)
    assert not has_offset(train(zeros, TrainConfig(n_iterations=1)))


@pytest.mark.parametrize("table", all_functions(2), ids=lambda t: "".join(str(int(v)) for v in t.y[:, 0]))
def test_lines_through_the_origin_agree_with_a_brute_force_search(table: TruthTable) -> None:
    """Over 2 inputs (no bias), try many directions w: some put every row on its side exactly when
    the exact check says so. Row (0, 0) is on w·x = 0 for every w, so it is met only with target 0.5."""
    target = table.y[:, 0]
    angles = np.linspace(0, 2 * np.pi, 3600, endpoint=False)
    W = np.stack([np.cos(angles), np.sin(angles)])
    z = table.X @ W
    ok = np.all(np.where(target[:, None] > 0.5, z > 1e-9, z < -1e-9), axis=0)
    assert through_origin_separable(table, 0) is bool(ok.any())


def test_a_table_no_line_through_the_origin_separates_says_so_with_the_fix() -> None:
    table = TruthTable([[1, 0], [0, 1], [1, 1]], [[1], [1], [0]])  # w1 > 0, w2 > 0 but w1 + w2 < 0
    run = train(table, TrainConfig(n_iterations=500))
    (message,) = [m for m in diagnose(run).messages if m.kind == "cannot_fit"]
    assert "line through the origin" in message.headline and "Learned biases" in message.fix
    fixed = train(table, TrainConfig(n_iterations=500, use_bias=True))
    assert not [m for m in diagnose(fixed).messages if "origin" in m.headline]
