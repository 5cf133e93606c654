"""Activations and their derivatives computed into preallocated arrays.

The same operations as activations.py, in the same order, so the same bits, but without allocating: for
the training loops, where a fresh array per operation costs more than the arithmetic on a small table.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def activate(name: str, z: FloatArray, tmp: FloatArray) -> None:
    """``z <- f(z)`` for activation ``name`` (``tmp``: scratch of the same shape)."""
    if name == "sigmoid":  # 1 / (1 + exp(-max(z, -700)))
        np.maximum(z, -700.0, out=tmp)
        np.negative(tmp, out=tmp)
        np.exp(tmp, out=z)
        np.add(z, 1.0, out=z)
        np.divide(1.0, z, out=z)
    elif name == "tanh":
        np.tanh(z, out=z)
    elif name == "relu":
        np.maximum(z, 0.0, out=z)
    else:
        raise ValueError(f"No in-place form of activation {name!r}.")


def derivative(name: str, a: FloatArray, out: FloatArray) -> None:
    """``out <- f'(z)`` written with the output ``a = f(z)``, as activations.py writes it."""
    if name == "sigmoid":  # a (1 - a)
        np.subtract(1.0, a, out=out)
        np.multiply(a, out, out=out)
    elif name == "tanh":  # 1 - a^2
        np.multiply(a, a, out=out)
        np.subtract(1.0, out, out=out)
    elif name == "relu":  # [a > 0]
        np.greater(a, 0.0, out=out)
    else:
        raise ValueError(f"No in-place derivative of activation {name!r}.")
