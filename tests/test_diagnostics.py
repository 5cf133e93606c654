"""Diagnostics: the unit's line, what cannot fit, dead ReLU units, saturation, stalls, conflicts (exact
linear separability has its own file)."""

from __future__ import annotations

import numpy as np
import pytest

from backprop.diagnostics import (
    DECISION_MARGIN,
    dead_units,
    decision_line,
    diagnose,
    fits,
    frozen_rows,
    has_offset,
    saturated_rows,
    stall,
    unmet,
)
from backprop.network import forward, make_params
from backprop.table import PRESETS, TruthTable
from backprop.trainer import Run, TrainConfig, train

XOR = PRESETS["xor"].table


def relu_xor(seed: int) -> Run:
    return train(XOR, TrainConfig(0.5, 10_000, seed, (4,), "relu", True))


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
    assert "σ′ = 9.15e-14" in message.text and "vanishing gradient" in message.text


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


def test_a_table_no_line_through_the_origin_separates_says_so_with_the_fix() -> None:
    table = TruthTable([[1, 0], [0, 1], [1, 1]], [[1], [1], [0]])  # w1 > 0, w2 > 0 but w1 + w2 < 0
    run = train(table, TrainConfig(n_iterations=500))
    (message,) = [m for m in diagnose(run).messages if m.kind == "cannot_fit"]
    assert "line through the origin" in message.headline and "Learned biases" in message.fix
    fixed = train(table, TrainConfig(n_iterations=500, use_bias=True))
    assert not [m for m in diagnose(fixed).messages if "origin" in m.headline]
