"""A fully connected network: parameters, forward pass, backward pass, loss and update.

Conventions (the notebook's): rows are examples, ``z = a_prev @ W + b``, ``a = f(z)``. The error signal
``delta = -dE/dz`` is written as the notebook writes it, ``(y - out) * out * (1 - out)`` at the output,
and gradient descent on ``E = 1/2 * sum((y - out)**2)`` is
``W <- W - lr * dE/dW = W + lr * a_prev.T @ delta``.

This is the only place the maths is written. Arrays may carry leading axes (many runs of a sweep,
many snapshots of a history): activations are (..., n_rows, units), weights (..., n_in, n_out) and
biases (..., n_out), and every operation is batched over the leading axes (``@`` is NumPy's batched
matrix product), giving each network of the batch the numbers it would get alone.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from backprop.activations import ACTIVATIONS, Activation, get_activation
from backprop.errors import ConfigError, whole_number
from backprop.limits import MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, MAX_INPUTS, MAX_OUTPUTS

FloatArray = NDArray[np.float64]

OUTPUT_ACTIVATION = ACTIVATIONS["sigmoid"]


def readonly(array: object) -> FloatArray:
    """A float64 copy of ``array`` that cannot be written to."""
    copy = np.array(array, dtype=np.float64, copy=True)
    copy.flags.writeable = False
    return copy


@dataclass(frozen=True)
class Architecture:
    """Layer sizes and activations. Hidden layers use ``activation``; the output unit is a sigmoid.

    With ``use_bias`` off (the notebook) no layer has a learned bias: a constant-1 input column
    plays that role for the first layer.
    """

    n_inputs: int
    n_outputs: int = 1
    hidden: tuple[int, ...] = ()
    activation: str = "sigmoid"
    use_bias: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "n_inputs", whole_number(self.n_inputs, "n_inputs", 1, MAX_INPUTS, "Inputs"))
        n_outputs = whole_number(self.n_outputs, "n_outputs", 1, MAX_OUTPUTS, "Outputs")
        object.__setattr__(self, "n_outputs", n_outputs)
        object.__setattr__(self, "hidden", hidden_layers(self.hidden))
        check_activation_and_bias(self.activation, self.use_bias)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Units per layer, inputs first: ``(n_inputs, *hidden, n_outputs)``."""
        return (self.n_inputs, *self.hidden, self.n_outputs)

    @property
    def n_layers(self) -> int:
        """Number of weight layers (1 with no hidden layer)."""
        return len(self.hidden) + 1

    @functools.cached_property
    def layer_activations(self) -> tuple[Activation, ...]:
        """Activation of each weight layer: ``activation`` for the hidden ones, then the sigmoid output."""
        return (*(get_activation(self.activation),) * len(self.hidden), OUTPUT_ACTIVATION)

    def layer_activation(self, layer: int) -> Activation:
        """Activation of weight layer ``layer`` (0-based): hidden ones, then the sigmoid output."""
        return self.layer_activations[layer]


def hidden_layers(hidden: object) -> tuple[int, ...]:
    """Hidden layer sizes as a tuple: at most ``MAX_HIDDEN_LAYERS`` whole numbers 1..``MAX_HIDDEN_UNITS``.

    Raises :class:`ConfigError` (field ``"hidden"``) for anything else.
    """
    if isinstance(hidden, str | bytes) or not isinstance(hidden, Iterable):
        raise ConfigError("Hidden layers must be a sequence of unit counts such as (4,) or (4, 3).", "hidden")
    sizes = tuple(itertools.islice(hidden, MAX_HIDDEN_LAYERS + 1))
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise ConfigError(f"At most {MAX_HIDDEN_LAYERS} hidden layers.", "hidden")
    return tuple(whole_number(h, "hidden", 1, MAX_HIDDEN_UNITS, "Units in a hidden layer") for h in sizes)


def check_activation_and_bias(activation: object, use_bias: object) -> None:
    """Raise :class:`ConfigError` unless ``activation`` is a known name and ``use_bias`` a bool."""
    if not isinstance(activation, str):
        raise ConfigError(f"Activation must be one of {', '.join(ACTIVATIONS)}.", "activation")
    get_activation(activation)
    if not isinstance(use_bias, bool | np.bool_):
        raise ConfigError("Learned biases must be True or False.", "use_bias")


def _float_array(values: object, field: str, what: str) -> FloatArray:
    """``values`` as a float64 array, or a :class:`ConfigError` (text, ragged lists, complex numbers)."""
    try:
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} must be a rectangular array of real numbers.", field) from None


@dataclass(frozen=True, eq=False)
class Params:
    """Weights ``W[l]`` (sizes[l], sizes[l+1]) and biases ``b[l]`` (sizes[l+1],), read-only copies.

    With leading axes, (..., sizes[l], sizes[l+1]) and (..., sizes[l+1]): a stack of networks.
    """

    weights: tuple[FloatArray, ...]
    biases: tuple[FloatArray, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", tuple(readonly(W) for W in self.weights))
        object.__setattr__(self, "biases", tuple(readonly(b) for b in self.biases))

    def is_finite(self) -> bool:
        return all(np.isfinite(a).all() for a in (*self.weights, *self.biases))


def _init_scale(arch: Architecture, layer: int) -> float:
    """Half-width of the uniform initialisation of layer ``layer``.

    Sigmoid and tanh keep the notebook's U(-1, 1). ReLU layers use He's uniform bound sqrt(6 / fan_in),
    which keeps the variance of their outputs from shrinking layer by layer.
    """
    if layer < arch.n_layers - 1 and arch.activation == "relu":
        return float(np.sqrt(6.0 / arch.sizes[layer]))
    return 1.0


# A learned ReLU bias starts slightly positive, so a unit begins active for more rows: a unit whose
# z < 0 on every row outputs 0 and gets no gradient, and never recovers ("dead").
RELU_BIAS_INIT = 0.1


def _init_bias(arch: Architecture, layer: int) -> float:
    """Initial value of every learned bias of layer ``layer``: 0, or ``RELU_BIAS_INIT`` for ReLU units."""
    if arch.use_bias and layer < arch.n_layers - 1 and arch.activation == "relu":
        return RELU_BIAS_INIT
    return 0.0


def init_params(arch: Architecture, seed: int) -> Params:
    """Random initial parameters, the notebook's way: ``2 * random((n_in, n_out)) - 1`` per layer.

    Layers are drawn in order from one ``np.random.RandomState(seed)`` (the stream ``np.random.seed``
    gives, without touching the global RNG); learned biases start at zero, hidden ReLU ones at
    ``RELU_BIAS_INIT``.
    """
    rng = np.random.RandomState(seed)
    weights = []
    for layer, (n_in, n_out) in enumerate(zip(arch.sizes[:-1], arch.sizes[1:], strict=True)):
        W = 2 * rng.random_sample((n_in, n_out)) - 1
        scale = _init_scale(arch, layer)
        weights.append(W if scale == 1.0 else W * scale)
    biases = tuple(np.full(n, _init_bias(arch, layer)) for layer, n in enumerate(arch.sizes[1:]))
    return Params(tuple(weights), biases)


def make_params(
    arch: Architecture,
    weights: Sequence[object],
    biases: Sequence[object] | None = None,
) -> Params:
    """Explicit parameters (e.g. from a published worked example), checked against ``arch``.

    Parameters
    ----------
    weights : one array-like per layer, shape (sizes[l], sizes[l+1])
    biases : one array-like per layer, shape (sizes[l+1],); zeros when omitted
    """
    shapes = list(zip(arch.sizes[:-1], arch.sizes[1:], strict=True))
    if len(weights) != len(shapes):
        raise ConfigError(f"Expected {len(shapes)} weight matrices, got {len(weights)}.", "weights")
    Ws = [_float_array(W, "weights", "Each weight matrix") for W in weights]
    for layer, (W, shape) in enumerate(zip(Ws, shapes, strict=True)):
        if W.shape != shape:
            raise ConfigError(f"W{layer + 1} must have shape {shape}, got {W.shape}.", "weights")
    if biases is None:
        bs = [np.zeros(n) for n in arch.sizes[1:]]
    else:
        if len(biases) != len(shapes):
            raise ConfigError(f"Expected {len(shapes)} bias vectors, got {len(biases)}.", "biases")
        bs = [_float_array(b, "biases", "Each bias vector").reshape(-1) for b in biases]
        for layer, (b, n) in enumerate(zip(bs, arch.sizes[1:], strict=True)):
            if b.shape != (n,):
                raise ConfigError(f"b{layer + 1} must have {n} values, got {b.size}.", "biases")
            if not arch.use_bias and np.any(b != 0):
                raise ConfigError("Non-zero biases need use_bias=True.", "biases")
    params = Params(tuple(Ws), tuple(bs))
    if not params.is_finite():
        raise ConfigError("Initial weights and biases must be finite numbers.", "weights")
    return params


@dataclass(frozen=True)
class Forward:
    """Net inputs ``z[l]`` (..., n_rows, sizes[l+1]) and activations ``a[l]``, with ``a[0] = X``."""

    z: tuple[FloatArray, ...]
    a: tuple[FloatArray, ...]

    @property
    def output(self) -> FloatArray:
        return self.a[-1]


@dataclass(frozen=True)
class Gradients:
    """Error signals ``delta[l] = -dE/dz[l]`` (..., n_rows, sizes[l+1]) and ``dE/dW[l]``, ``dE/db[l]``."""

    delta: tuple[FloatArray, ...]
    dW: tuple[FloatArray, ...]
    db: tuple[FloatArray, ...]


# The records above are what the rest of the library reads. The three functions below compute them
# from bare sequences of arrays, for the training loops (trainer.py, sweep.py), which call them many
# thousands of times and keep nothing per iteration. (Plain loops and lists: on arrays of a few numbers,
# Python's own overhead is a large part of an iteration.)


def propagate(
    arch: Architecture, weights: Sequence[FloatArray], biases: Sequence[FloatArray], X: FloatArray
) -> tuple[list[FloatArray], list[FloatArray]]:
    """Forward pass: net inputs ``z`` and activations ``a`` of every layer (``a[0] = X``).

    Parameters
    ----------
    weights : per layer, (..., sizes[l], sizes[l+1]); leading axes are runs or snapshots
    biases : per layer, (..., sizes[l+1]); read only with ``arch.use_bias``
    X : (n_rows, n_inputs), or (..., n_rows, n_inputs)

    Returns ``z`` and ``a``, per layer (..., n_rows, sizes[l+1]).
    """
    a, zs, activations, use_bias, functions = X, [], [X], arch.use_bias, arch.layer_activations
    for layer, W in enumerate(weights):
        z = a @ W  # z = a_prev W (+ b)
        if use_bias:
            z += biases[layer][..., None, :]
        a = functions[layer].function(z)  # a = f(z)
        zs.append(z)
        activations.append(a)
    return zs, activations


def backpropagate(
    arch: Architecture, weights: Sequence[FloatArray], a: Sequence[FloatArray], y: FloatArray
) -> tuple[list[FloatArray], list[FloatArray], list[FloatArray]]:
    """Backward pass from the activations ``a`` of :func:`propagate`: ``delta``, ``dE/dW`` and ``dE/db``.

    Shapes are those of :func:`propagate`; ``y`` is (n_rows, n_outputs) or (..., n_rows, n_outputs).
    Without learned biases ``dE/db`` is not computed (an empty list): :func:`backward` records zeros.
    """
    out, activations = a[-1], arch.layer_activations
    # delta_L = (y - out) * sigma'(out): the notebook's `error * sigmoid_derivative(layer1)`
    delta = (y - out) * OUTPUT_ACTIVATION.derivative(out)
    deltas = [delta]
    for layer in range(len(weights) - 1, 0, -1):
        # delta_l = (delta_{l+1} W_{l+1}^T) * f'(a_l): the chain rule summed over outgoing paths
        delta = delta @ weights[layer].mT
        delta *= activations[layer - 1].derivative(a[layer])
        deltas.append(delta)
    deltas.reverse()
    dW, db = [], []
    for a_prev, d in zip(a, deltas, strict=False):  # a has one more entry, the output
        dW.append(-(a_prev.mT @ d))  # dE/dW_l = -a_{l-1}^T delta_l
        if arch.use_bias:
            # dE/db_l = -sum over rows of delta_l. (A row of ones times delta would be one BLAS call and
            # 3x faster, but it adds in another order: the exported script's delta.sum(axis=0) would no
            # longer repeat the trainer's numbers bit for bit.)
            db.append(-d.sum(axis=-2))
    return deltas, dW, db


def descend(
    params: Sequence[FloatArray], gradients: Sequence[FloatArray], learning_rate: float | FloatArray
) -> list[FloatArray]:
    """One gradient-descent step ``p <- p - lr * dE/dp`` for each array, as new arrays.

    ``learning_rate`` is a number, or an array broadcasting against each parameter (e.g. (R, 1, 1)
    for the weights of R runs with a learning rate each).
    """
    stepped = []
    for p, g in zip(params, gradients, strict=True):
        stepped.append(p - learning_rate * g)
    return stepped


REGULARIZATIONS = ("none", "l1", "l2")


def penalties(weights: Sequence[FloatArray], regularization: str, rate: float) -> FloatArray:
    """The penalty added to the error, per leading index: ``rate * sum |W|`` (L1) or
    ``rate * 1/2 * sum W**2`` (L2) over every weight of every layer (biases are not penalised), 0 with
    ``"none"``."""
    total = np.zeros(weights[0].shape[:-2])
    if regularization == "none":
        return total
    for W in weights:
        total = total + (np.abs(W) if regularization == "l1" else 0.5 * W * W).sum(axis=(-2, -1))
    return rate * total


def penalty_gradient(W: FloatArray, regularization: str, rate: float) -> FloatArray:
    """d(penalty)/dW: ``rate * sign(W)`` (L1) or ``rate * W`` (L2), zeros with ``"none"``."""
    if regularization == "l1":
        return rate * np.sign(W)
    if regularization == "l2":
        return rate * W
    return np.zeros_like(W)


def regularized_descend(
    weights: Sequence[FloatArray],
    dW: Sequence[FloatArray],
    learning_rate: float | FloatArray,
    regularization: str,
    rate: float,
) -> list[FloatArray]:
    """One step on the error plus the penalty, as new arrays.

    L2 adds its gradient ``rate * W`` to the error's. L1 takes the error's step, then moves every weight
    ``lr * rate`` towards 0 and stops it at 0 rather than letting it cross (the proximal step; TensorFlow
    Playground stops a weight at 0 the same way): that is what sets weights to exactly 0. Where a weight
    does not reach 0 this is the plain step ``W - lr * (dE/dW + rate * sign(W))``.
    """
    if regularization == "l2":
        return descend(weights, [g + rate * W for g, W in zip(dW, weights, strict=True)], learning_rate)
    stepped = descend(weights, dW, learning_rate)
    if regularization == "l1":
        shrink = learning_rate * rate
        return [np.sign(W) * np.maximum(np.abs(W) - shrink, 0.0) for W in stepped]
    return stepped


def all_finite(arrays: Sequence[FloatArray], core_dims: int) -> NDArray[np.bool_]:
    """Whether every value of each array is finite, per leading index: shape (...).

    ``core_dims`` is the number of trailing axes that belong to one network (2 for weights, 1 for
    biases), so a stack of R runs gives (R,) and a single network a 0-d array.
    """
    axes = tuple(range(-core_dims, 0))
    ok = np.isfinite(arrays[0]).all(axis=axes)
    for array in arrays[1:]:
        ok = ok & np.isfinite(array).all(axis=axes)
    return ok


def forward(arch: Architecture, params: Params, X: FloatArray) -> Forward:
    """Forward pass over all rows of ``X`` (n_rows, n_inputs), as :func:`propagate`."""
    z, a = propagate(arch, params.weights, params.biases, X)
    return Forward(tuple(z), tuple(a))


def predict(arch: Architecture, params: Params, X: FloatArray) -> FloatArray:
    """Network outputs (n_rows, n_outputs) for inputs ``X`` (n_rows, n_inputs), or one row (n_inputs,).

    Raises :class:`ConfigError` (field ``"inputs"``) for values that are not finite numbers, or rows
    whose length is not ``n_inputs``.
    """
    with np.errstate(all="ignore"):
        return forward(arch, params, input_rows(X, arch.n_inputs)).output


def input_rows(X: object, n_inputs: int) -> FloatArray:
    """``X`` as rows (n, n_inputs) of finite floats: a row (n_inputs,) or rows (n, n_inputs).

    Raises :class:`ConfigError` (field ``"inputs"``) for values that are not finite numbers, or rows
    whose length is not ``n_inputs``.
    """
    X = _float_array(X, "inputs", "Inputs")
    if X.ndim > 2 or X.shape[-1:] != (n_inputs,):
        raise ConfigError(f"Each input row needs {n_inputs} values, got shape {X.shape}.", "inputs")
    if not np.isfinite(X).all():
        raise ConfigError("Inputs must be finite numbers.", "inputs")
    return X.reshape(-1, n_inputs)


def losses(output: FloatArray, y: FloatArray) -> FloatArray:
    """Sum-of-squares error ``E = 1/2 * sum((y - out)**2)`` over rows and outputs, per leading index.

    ``output`` (..., n_rows, n_outputs) gives (...): a 0-d array for one network, (R,) for R runs.
    """
    error = y - output
    return 0.5 * np.sum(error * error, axis=(-2, -1))


def loss(output: FloatArray, y: FloatArray) -> float:
    """``E = 1/2 * sum((y - out)**2)`` of one network's ``output`` (n_rows, n_outputs), as a float."""
    return float(losses(output, y))


def backward(arch: Architecture, params: Params, fwd: Forward, y: FloatArray) -> Gradients:
    """Backpropagate the error of one forward pass through every layer, as :func:`backpropagate`."""
    delta, dW, db = backpropagate(arch, params.weights, fwd.a, y)
    if not arch.use_bias:  # no biases to learn: their gradient is recorded as zero
        db = [np.zeros(d.shape[:-2] + d.shape[-1:]) for d in delta]
    return Gradients(tuple(delta), tuple(dW), tuple(db))


def apply_update(arch: Architecture, params: Params, grads: Gradients, learning_rate: float) -> Params:
    """One gradient-descent step ``W <- W - lr * dE/dW`` (and ``b`` when biases are learned)."""
    weights = descend(params.weights, grads.dW, learning_rate)
    biases = descend(params.biases, grads.db, learning_rate) if arch.use_bias else params.biases
    return Params(tuple(weights), tuple(biases))
