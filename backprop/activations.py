"""Activation functions as records: the function, its derivative, and how to write them.

Derivatives are written in terms of the unit's *output* ``a = f(z)``, as the notebook's
``sigmoid_derivative(x) = x * (1 - x)`` is: it is cheaper, and it is what backpropagation has at hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from backprop.errors import ConfigError

FloatArray = NDArray[np.float64]

# exp(-z) overflows float64 for z < -709.78; below -700 the sigmoid is < 1e-304, i.e. 0 for any use.
_SIGMOID_FLOOR = -700.0


def sigmoid(z: FloatArray) -> FloatArray:
    """Logistic sigmoid ``1 / (1 + exp(-z))``, elementwise, without overflow for any finite ``z``.

    For ``z >= -700`` this is the notebook's expression bit for bit.
    """
    return 1.0 / (1.0 + np.exp(-np.maximum(z, _SIGMOID_FLOOR)))


def sigmoid_derivative(a: FloatArray) -> FloatArray:
    """σ'(z) written with the output ``a = σ(z)``: ``a (1 - a)``."""
    return a * (1.0 - a)


def tanh_derivative(a: FloatArray) -> FloatArray:
    """tanh'(z) written with the output ``a = tanh(z)``: ``1 - a²``."""
    return 1.0 - a * a


def relu(z: FloatArray) -> FloatArray:
    """Rectified linear unit ``max(0, z)``."""
    return np.maximum(z, 0.0)


def relu_derivative(a: FloatArray) -> FloatArray:
    """ReLU'(z) written with the output ``a = max(0, z)``: 1 where ``a > 0``, else 0."""
    return (a > 0.0).astype(np.float64)


def identity(z: FloatArray) -> FloatArray:
    """The linear activation ``f(z) = z``."""
    return z


def identity_derivative(a: FloatArray) -> FloatArray:
    """f'(z) = 1 for the linear activation, whatever the output."""
    return np.ones_like(a)


@dataclass(frozen=True)
class Activation:
    """One activation: its function, its derivative in terms of the output, and LaTeX for both."""

    name: str
    function: Callable[[FloatArray], FloatArray]
    derivative: Callable[[FloatArray], FloatArray]
    latex: str
    derivative_latex: str


# Read-only: one registry serves every session of the app.
ACTIVATIONS: Mapping[str, Activation] = MappingProxyType(
    {
        "sigmoid": Activation(
            "sigmoid", sigmoid, sigmoid_derivative, r"\sigma(z) = \frac{1}{1+e^{-z}}", r"a\,(1-a)"
        ),
        "tanh": Activation("tanh", np.tanh, tanh_derivative, r"\tanh(z)", r"1-a^2"),
        "relu": Activation("relu", relu, relu_derivative, r"\max(0, z)", r"[a > 0]"),
        "linear": Activation("linear", identity, identity_derivative, r"z", r"1"),
    }
)


def get_activation(name: str) -> Activation:
    """Look up an activation by name, raising :class:`ConfigError` for an unknown one."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(ACTIVATIONS)
        raise ConfigError(f"Unknown activation {name!r}; choose one of {known}.", "activation") from None
