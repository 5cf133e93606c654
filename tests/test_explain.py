"""'What am I looking at?' follows the network: the notebook's unit, biases, outputs, hidden layers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from backprop.activations import ACTIVATIONS
from backprop.explain import explanation, sweep_caption
from backprop.network import Architecture
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
    assert "1 run, from lr 10, stopped because a weight became infinite: too large a step diverges." in text
    assert "In 1 run, from lr 1, the loss rose along the way" in text and "yet" not in text
    assert "kept helping" not in text
