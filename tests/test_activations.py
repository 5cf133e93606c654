"""Activations: derivatives written with the output agree with numeric derivatives of the function."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from backprop.activations import ACTIVATIONS, get_activation, relu, sigmoid
from backprop.errors import ConfigError

# ReLU has a kink at 0: keep the grid away from it.
Z = np.concatenate([np.linspace(-6.0, -0.05, 60), np.linspace(0.05, 6.0, 60)])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_from_output_matches_numeric_derivative(name: str) -> None:
    act = ACTIVATIONS[name]
    h = 1e-6
    numeric = (act.function(Z + h) - act.function(Z - h)) / (2 * h)
    analytic = act.derivative(act.function(Z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_registry_records_are_named_and_have_latex(name: str) -> None:
    act = get_activation(name)
    assert act.name == name
    assert act.latex and act.derivative_latex


def test_sigmoid_no_overflow_warning_at_extremes() -> None:
    z = np.array([-1e4, -1e3, -710.0, 710.0, 1e3, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = sigmoid(z)
    assert np.all(np.isfinite(a))
    assert np.all((a >= 0) & (a <= 1))
    assert a[-1] == 1.0
    assert 0 <= a[0] < 1e-300


def test_sigmoid_is_the_notebooks_expression_bit_for_bit() -> None:
    z = np.linspace(-50, 50, 2001)
    np.testing.assert_array_equal(sigmoid(z), 1 / (1 + np.exp(-z)))


def test_sigmoid_of_zero_and_symmetry() -> None:
    assert sigmoid(np.array(0.0)) == 0.5
    z = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(sigmoid(z) + sigmoid(-z), 1.0, rtol=0, atol=1e-15)


def test_relu_and_its_derivative_values() -> None:
    z = np.array([-2.0, -0.0, 0.0, 0.5, 3.0])
    np.testing.assert_array_equal(relu(z), [0.0, 0.0, 0.0, 0.5, 3.0])
    np.testing.assert_array_equal(ACTIVATIONS["relu"].derivative(relu(z)), [0, 0, 0, 1, 1])


def test_tanh_derivative_from_output() -> None:
    a = np.tanh(np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_allclose(ACTIVATIONS["tanh"].derivative(a), 1 / np.cosh([-1.0, 0.0, 2.0]) ** 2)


def test_unknown_activation_is_a_config_error_naming_the_field() -> None:
    with pytest.raises(ConfigError, match="softmax") as info:
        get_activation("softmax")
    assert info.value.field == "activation"
    assert isinstance(info.value, ValueError)
