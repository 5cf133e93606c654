"""The charts' one-sentence summaries for screen readers, checked against real runs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from backprop.figures import (
    comparison_summary,
    hidden_summary,
    network_summary,
    row_error_summary,
    surface_summary,
    sweep_summary,
    training_summary,
)
from backprop.network import forward
from backprop.numbers import teaching_number as n
from backprop.sweep import sweep
from backprop.table import PRESETS, TruthTable
from backprop.trainer import Run, TrainConfig, train

MAX_CHARS = 300
NOTEBOOK_WEIGHTS = ("w(x1→out)", "w(x2→out)", "w(x3→out)")


@pytest.fixture(scope="module")
def notebook() -> Run:
    return train(PRESETS["notebook"].table, TrainConfig())


@pytest.fixture(scope="module")
def xor_hidden() -> Run:
    return train(PRESETS["xor"].table, TrainConfig(hidden=(4,), use_bias=True))


def one_sentence(text: str) -> str:
    assert "\n" not in text and text.endswith(".") and len(text) <= MAX_CHARS, text
    assert "<" not in text and "$" not in text, text  # plain text, no markup
    return text


def test_training_summary_reads_the_notebooks_final_weights_loss_and_outputs(notebook: Run) -> None:
    text = one_sentence(training_summary(notebook))
    assert text.startswith("Training chart at iteration 10,000 of 10,000: ")
    for name, w in zip(NOTEBOOK_WEIGHTS, notebook.final.params.weights[0][:, 0], strict=True):
        assert f"{name} = {n(w)}" in text
    assert "w(x1→out) = 9.673" in text and "w(x3→out) = −4.629" in text  # the page's minus sign
    assert f"loss E = {n(notebook.final.loss)}, down from {n(notebook.history[0].loss)}" in text
    assert "loss E = 1.293e-04" in text
    assert "the 4 rows sit at out = " + ", ".join(n(v) for v in notebook.final.output[:, 0]) in text


def test_training_summary_follows_the_inspected_iteration(notebook: Run) -> None:
    early = one_sentence(training_summary(notebook, selected_iteration=10))
    assert early != training_summary(notebook)
    snapshot = notebook.snapshot_at(10)
    assert "at iteration 10 of 10,000" in early
    assert f"loss E = {n(snapshot.loss)}," in early
    assert f"w(x1→out) = {n(snapshot.params.weights[0][0, 0])}" in early
    start = one_sentence(training_summary(notebook, selected_iteration=0))
    assert f"loss E = {n(notebook.history[0].loss)};" in start and "down from" not in start


def test_training_summary_of_a_hidden_layer_names_the_count_and_the_largest_weight(xor_hidden: Run) -> None:
    text = one_sentence(training_summary(xor_hidden))
    params = xor_hidden.final.params
    values = np.concatenate([W.ravel() for W in params.weights] + [b.ravel() for b in params.biases])
    assert values.size == 21
    largest = values[np.argmax(np.abs(values))]
    assert "21 weights and biases, the largest |w| w(h" in text and f"= {n(largest)};" in text
    assert "w(x1→h1) =" not in text  # not listed one by one


def test_a_big_network_stays_one_short_sentence() -> None:
    run = train(PRESETS["parity3"].table, TrainConfig(hidden=(8, 8), use_bias=True, n_iterations=300))
    for text in (
        training_summary(run),
        network_summary(run, row=7),
        row_error_summary(run),
        hidden_summary(run, layer=1),
    ):
        one_sentence(text)
    assert "121 weights and biases" in training_summary(run)
    assert hidden_summary(run, layer=1).startswith("Hidden layer 2 (sigmoid) at iteration 300 of 300: ")


def test_network_summary_shows_one_row_and_the_weights_signs(notebook: Run, xor_hidden: Run) -> None:
    text = one_sentence(network_summary(notebook, row=1))
    assert "for row 2 [1, 1, 1]: " in text
    assert f"out = {n(notebook.final.output[1, 0])} (target 1)" in text
    assert "3 weights (1 positive, 2 negative), the largest |w| w(x1→out) = 9.673." in text
    hidden = one_sentence(network_summary(xor_hidden, row=2, selected_iteration=50))
    a = forward(xor_hidden.arch, xor_hidden.snapshot_at(50).params, PRESETS["xor"].table.X[2:3]).a
    assert "h1 = " + n(a[1][0, 0]) in hidden and f"→ out = {n(a[2][0, 0])} (target 1)" in hidden


def test_surface_summary_says_how_much_of_the_square_is_above_one_half(notebook: Run) -> None:
    text = one_sentence(surface_summary(notebook))
    share = int(text.split(" of the square")[0].rsplit(" ", 1)[1].rstrip("%"))
    assert 40 <= share <= 60  # out ≈ x1: the boundary runs down the middle
    assert "rows: 4 of 4 on their target's side of 0.5." in text
    # at the start every weight is positive: the whole square is above 0.5, the rows with target 0 not met
    start = one_sentence(surface_summary(notebook, selected_iteration=0))
    assert "above 0.5 on 100% of the square; rows: 2 of 4" in start
    with pytest.raises(ValueError):
        surface_summary(train(PRESETS["parity3"].table, TrainConfig(n_iterations=5)))


def test_row_error_summary_lists_rows_or_names_the_extremes(notebook: Run) -> None:
    snapshot = notebook.snapshot_at(100)
    text = one_sentence(row_error_summary(notebook, selected_iteration=100))
    errors = np.abs(PRESETS["notebook"].table.y[:, 0] - snapshot.output[:, 0])
    assert ", ".join(f"row {r + 1} = {n(e)}" for r, e in enumerate(errors)) in text
    assert text.endswith("0 of 4 above 0.5.")
    bits = np.array(list(itertools.product([0, 1], repeat=3)), dtype=float)
    X = np.vstack([np.hstack([bits, np.ones((8, 1))]), np.hstack([bits, np.zeros((8, 1))])])
    run = train(TruthTable(X, X[:, :1]), TrainConfig(n_iterations=20))
    many = one_sentence(row_error_summary(run))
    errors = np.abs(X[:, 0] - run.final.output[:, 0])
    worst = int(np.argmax(errors))
    assert f"largest row {worst + 1} = {n(errors[worst])}, smallest row " in many
    assert many.endswith(f"{int((errors > 0.5).sum())} of 16 above 0.5.")


def test_hidden_summary_counts_the_ringed_points(xor_hidden: Run) -> None:
    text = one_sentence(hidden_summary(xor_hidden))
    a = forward(xor_hidden.arch, xor_hidden.final.params, PRESETS["xor"].table.X).a[1]
    flat = int((a * (1 - a) < 0.01).sum())  # σ′ below 0.04 of its largest slope, 1/4
    assert text.startswith("Hidden layer (sigmoid) at iteration 10,000 of 10,000: 4 rows through 4 units")
    assert f"outputs from {n(a.min())} to {n(a.max())}; {flat} of 16 points ringed" in text
    with pytest.raises(ValueError):
        hidden_summary(xor_hidden, layer=1)


def test_comparison_summary_names_each_final_loss_and_the_lowest() -> None:
    table = PRESETS["xor"].table
    runs = [
        train(table, TrainConfig(hidden=(3,), use_bias=True, activation=a, n_iterations=2000))
        for a in ("sigmoid", "tanh", "relu")
    ]
    text = one_sentence(comparison_summary(runs))
    for run in runs:
        assert f"{run.config.activation} E = {n(run.final.loss)} after 2,000 iterations" in text
    lowest = min(runs, key=lambda r: r.final.loss).config.activation
    assert text.endswith(f"lowest: {lowest}.")


def test_sweep_summary_names_the_lowest_final_loss_and_the_chosen_run(notebook: Run) -> None:
    result = sweep(PRESETS["notebook"].table, TrainConfig(), [0.1, 1.0, 10.0])
    text = one_sentence(sweep_summary(result, 1.0))
    best = int(np.argmin(result.final_loss))
    assert text.startswith("Learning-rate sweep of 3 runs from lr 0.1 to 10, 10,000 iterations each: ")
    assert (
        f"the lowest final loss is E = {n(result.final_loss[best])} at lr {n(result.learning_rates[best])}"
        in text
    )
    assert f"yours (lr 1) ends at E = {n(notebook.final.loss)}" in text  # the same run as the page's
    assert "yours" not in sweep_summary(result, 2.0)
