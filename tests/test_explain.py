"""'What am I looking at?' follows the network: the notebook's unit, biases, outputs, hidden layers."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from backprop.activations import ACTIVATIONS
from backprop.explain import _rates, explanation, sweep_caption
from backprop.network import Architecture
from backprop.numbers import teaching_number
from backprop.sweep import Sweep, sweep
from backprop.table import PRESETS
from backprop.trainer import TrainConfig


def test_the_notebook_unit_gets_the_notebooks_four_lines() -> None:
    text = explanation(Architecture(3))
    assert text.startswith("Each iteration runs the notebook's four lines")
    assert "sigmoid_derivative(x) = x * (1 - x)" in text and "X^\\top\\delta" in text
    assert "hidden" not in text and "b^{(l)}" not in text and " + b" not in text


def test_a_learned_bias_and_several_outputs_are_named() -> None:
    text = explanation(Architecture(2, 3, use_bias=True))
    assert "$z = Xw + b$" in text and "Each of the 3 outputs" in text and "every weight and bias" in text


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_hidden_layers_get_the_chain_rule_with_their_activation(activation: str) -> None:
    arch = Architecture(2, 1, (4, 3), activation)
    text = explanation(arch)
    assert text.startswith("Each iteration runs forward and backward through the 2 hidden layers")
    assert "(4 and 3 units)" in text and ACTIVATIONS[activation].latex in text
    assert f"f'(z) = {ACTIVATIONS[activation].derivative_latex}" in text
    assert "\\delta^{(l+1)} W^{(l+1)\\top}" in text and "notebook's four lines" not in text
    assert "1 hidden layer " in explanation(Architecture(2, 1, (4,), activation))


# --- the sweep's caption is read from its runs ----------------------------------------------------------


@pytest.fixture(scope="module")
def small_sweep() -> Sweep:
    """Four learning rates on the notebook's table, 200 iterations: every loss falls steadily."""
    return sweep(
        PRESETS["notebook"].table, TrainConfig(n_iterations=200), learning_rates=[0.01, 0.1, 1.0, 10.0]
    )


def test_steady_runs_where_the_largest_step_wins_say_so(small_sweep: Sweep) -> None:
    text = sweep_caption(small_sweep, 1.0)
    assert "4 runs of this table" in text and "Yours (lr 1) ends at E = " in text
    assert "the lowest final loss is E = " in text and "at lr 10." in text
    assert "kept helping up to lr 10: no run overshot" in text
    assert "overshot the valley" not in text and "infinite" not in text
    assert "The smallest step, lr 0.01, barely moved" in text


def test_a_loss_that_rises_is_called_overshoot_and_infinite_weights_divergence(small_sweep: Sweep) -> None:
    losses = small_sweep.losses.copy()
    losses[2, 5] = losses[2, 4] * 2  # lr 1 rose on the way
    finals = small_sweep.final_loss.copy()
    finals[3] = np.inf
    crafted = replace(
        small_sweep, losses=losses, final_loss=finals, status=("completed",) * 3 + ("non_finite",)
    )
    text = sweep_caption(crafted, 0.1)
    assert "At lr 10 a weight became infinite and the run stopped: too large a step diverges." in text
    assert "At lr 1 the loss rose along the way, then settled: the step overshot the valley." in text
    assert "yet" not in text and "kept helping" not in text and "jumping" not in text


def test_a_loss_still_bouncing_at_the_end_is_oscillation_and_one_above_its_start_diverges(
    small_sweep: Sweep,
) -> None:
    losses, finals = small_sweep.losses.copy(), small_sweep.final_loss.copy()
    start = losses[0, 0]
    losses[1, -20::2] *= 1.5  # lr 0.1: up and down over the last points
    losses[2, -20::2] *= 1.5  # lr 1 too: one range "0.1–1"
    losses[3, 10:] = start * 1.2  # lr 10 ends above its start
    finals[3] = start * 1.2
    text = sweep_caption(replace(small_sweep, losses=losses, final_loss=finals), 1.0)
    assert "At lr 0.1–1 the loss was still jumping up and down at the end" in text
    assert f"At lr 10 the run ended above the loss it started from (E = {teaching_number(start)})" in text
    assert "then settled" not in text and "kept helping" not in text


def test_rounding_jitter_near_zero_is_no_rise(small_sweep: Sweep) -> None:
    losses = small_sweep.losses.copy()
    losses[3, 100:] = np.where(np.arange(losses.shape[1] - 100) % 2, 1e-31, 3e-31)  # float noise at 0
    finals = small_sweep.final_loss.copy()
    finals[3] = losses[3, -1]
    text = sweep_caption(replace(small_sweep, losses=losses, final_loss=finals), 1.0)
    assert "rose" not in text and "jumping" not in text
    assert "kept helping up to lr 10: no run overshot" in text


@pytest.mark.parametrize(
    ("runs", "expected"),
    [([2], "lr 3"), ([1, 2, 3], "lr 2–4"), ([0, 2, 3], "lr 1 and 3–4"), ([0, 2, 4, 6], "between lr 1 and 7")],
)
def test_learning_rates_are_named_in_ranges_of_neighbours(runs: list[int], expected: str) -> None:
    assert _rates(np.arange(1.0, 8.0), runs) == expected


# --- on the overshoot preset the caption names real overshoot, oscillation and divergence -------------


def _first_rate(text: str, sentence: str) -> float:
    match = re.search(r"At lr ([0-9.]+)[^:]*? " + re.escape(sentence), text)
    assert match, (sentence, text)
    return float(match.group(1))


def test_the_overshoot_presets_sweep_caption_names_what_its_runs_did() -> None:
    table = PRESETS["overshoot"].table
    rates = sorted({*np.geomspace(0.01, 100, 64).tolist(), 1.0})  # the page's sweep at lr 1
    result = sweep(table, TrainConfig(), rates)
    text = sweep_caption(result, 1.0)
    mine = rates.index(1.0)
    assert f"Yours (lr 1) ends at E = {teaching_number(result.final_loss[mine])}" in text
    start = float(result.losses[0, 0])
    by_rate = {float(lr): r for r, lr in enumerate(result.learning_rates)}

    def run_at(shown: float) -> int:  # the run whose rate the caption shows to 4 significant digits
        return next(r for lr, r in by_rate.items() if float(f"{lr:.4g}") == shown)

    overshoot = run_at(_first_rate(text, "the loss rose along the way, then settled"))
    curve = result.losses[overshoot]
    assert np.any(np.diff(curve) > 0.01 * curve[:-1]) and result.final_loss[overshoot] < 1e-12
    oscillating = run_at(_first_rate(text, "the loss was still jumping up and down at the end"))
    tail = result.losses[oscillating][len(result.iterations) * 3 // 4 :]
    assert np.sum(np.diff(tail) > 0.01 * tail[:-1]) >= 2 and result.final_loss[oscillating] < start
    diverging = run_at(_first_rate(text, "the run ended above the loss it started from"))
    assert result.final_loss[diverging] > start and result.final_loss[-1] > start
    assert "too large a step diverges" in text and "infinite" not in text
    assert (
        result.learning_rates[overshoot]
        < result.learning_rates[oscillating]
        < result.learning_rates[diverging]
    )
