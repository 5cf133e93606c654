"""'What am I looking at?' follows the network: the notebook's unit, biases, outputs, hidden layers."""

from __future__ import annotations

import pytest

from backprop.activations import ACTIVATIONS
from backprop.explain import explanation
from backprop.network import Architecture


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
