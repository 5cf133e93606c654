"""The chain rule with the actual numbers: one parameter's gradient factor by factor, a layer's whole
update in matrix form, a prediction's arithmetic, and a finite-difference check of every gradient.

Everything is computed from a run's exact state after ``k`` updates (``Run.snapshot_at``) with the
network's own forward pass, so the numbers shown are the numbers the trainer used: over the training rows
of update ``k + 1``'s mini-batch (``trainer.batch_rows``; all training rows without batches), and with the
penalty's term (``network.penalty_gradient``) added to a weight's gradient when the run has one. Layers follow
``network``: weight layer ``l`` maps ``a[l]`` (sizes[l] units, ``a[0] = X``) to ``a[l+1]`` through
``z[l] = a[l] @ W[l] (+ b[l])``; the output unit is a sigmoid and ``E = 1/2 * sum((y - out)**2)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from backprop.activations import Activation
from backprop.errors import ConfigError
from backprop.naming import bias_name, level_names, unit_name, weight_name
from backprop.network import (
    Architecture,
    Forward,
    Gradients,
    Params,
    backward,
    descend,
    forward,
    loss,
    penalty_gradient,
    readonly,
    regularized_descend,
)
from backprop.trainer import Run, Snapshot, batch_rows, updates_per_epoch

FloatArray = NDArray[np.float64]

DEFAULT_EPSILON = 1e-5  # balances the O(ε²) truncation of a central difference against rounding
GRADIENT_CHECK_TOLERANCE = 1e-6
_EPS = float(np.finfo(np.float64).eps)


# ------------------------------------------------------------------------------------------- naming
@dataclass(frozen=True)
class ParamRef:
    """One trainable number: the weight ``W[layer][source, target]``, or the bias ``b[layer][target]``
    when ``source`` is None. ``layer`` is the 0-based weight layer."""

    layer: int
    target: int
    source: int | None = None

    @property
    def is_bias(self) -> bool:
        return self.source is None


def param_name(arch: Architecture, ref: ParamRef, features: Sequence[str] = ()) -> str:
    """The parameter's one name (backprop/naming.py): ``w(x2→h3)`` or ``b(h3)``; ``features`` are the
    run's derived inputs (``w(x1²→h1)``)."""
    if ref.source is None:
        return bias_name(arch, ref.layer, ref.target)
    return weight_name(arch, ref.layer, ref.source, ref.target, features)


def parameters(arch: Architecture) -> tuple[ParamRef, ...]:
    """Every trainable number, layer by layer: the weights row by row, then the layer's biases (when
    ``arch.use_bias``)."""
    refs: list[ParamRef] = []
    for layer in range(arch.n_layers):
        n_in, n_out = arch.sizes[layer], arch.sizes[layer + 1]
        refs.extend(ParamRef(layer, j, i) for i in range(n_in) for j in range(n_out))
        if arch.use_bias:
            refs.extend(ParamRef(layer, j) for j in range(n_out))
    return tuple(refs)


def param_value(params: Params, ref: ParamRef) -> float:
    """The current value of the parameter ``ref``."""
    if ref.source is None:
        return float(params.biases[ref.layer][ref.target])
    return float(params.weights[ref.layer][ref.source, ref.target])


def _check_ref(arch: Architecture, ref: ParamRef) -> None:
    if not 0 <= ref.layer < arch.n_layers:
        raise ConfigError(f"Layer must be from 0 to {arch.n_layers - 1}, got {ref.layer}.", "layer")
    if not 0 <= ref.target < arch.sizes[ref.layer + 1]:
        raise ConfigError(f"Unit {ref.target} does not exist in layer {ref.layer + 1}.", "target")
    if ref.source is None:
        if not arch.use_bias:
            raise ConfigError("This network has no learned biases.", "use_bias")
    elif not 0 <= ref.source < arch.sizes[ref.layer]:
        raise ConfigError(f"Unit {ref.source} does not exist in layer {ref.layer}.", "source")


@dataclass(frozen=True, eq=False)
class Batch:
    """The training rows update ``iteration + 1`` uses: ``rows`` (0-based, in the order the update takes
    them; None: every training row in order), out of ``n_train``; its epoch and place in it (1-based)."""

    iteration: int
    rows: NDArray[np.int64] | None
    n_train: int
    epoch: int
    index: int
    per_epoch: int

    @property
    def n_rows(self) -> int:
        return self.n_train if self.rows is None else int(self.rows.size)

    @property
    def row_numbers(self) -> NDArray[np.int64]:
        """1-based training-row numbers, as the tables show them."""
        return np.arange(1, self.n_train + 1) if self.rows is None else self.rows + 1


def update_batch(run: Run, iteration: int) -> Batch:
    """Which training rows the update from the state after ``iteration`` updates uses (the next one)."""
    n, size = run.table.n_rows, run.config.batch_size
    per_epoch = updates_per_epoch(n, size)
    epoch, index = divmod(iteration, per_epoch)
    rows = batch_rows(n, size, run.config.seed, iteration)  # read-only already
    return Batch(iteration, rows, n, epoch + 1, index + 1, per_epoch)


@dataclass(frozen=True, eq=False)
class _State:
    snapshot: Snapshot
    batch: Batch
    y: FloatArray  # targets of the batch's rows
    fwd: Forward  # over the batch's rows
    grads: Gradients  # of the error over the batch's rows


def _state(run: Run, iteration: int) -> _State:
    """The exact state after ``iteration`` updates, and the forward pass (with hidden activations) and
    the error's gradients over the rows of the next update."""
    snapshot = run.snapshot_at(iteration)
    batch = update_batch(run, iteration)
    X, y = run.table.X, run.table.y
    if batch.rows is not None:
        X, y = X[batch.rows], y[batch.rows]
    with np.errstate(all="ignore"):
        fwd = forward(run.arch, snapshot.params, X)
        grads = snapshot.grads if batch.rows is None else backward(run.arch, snapshot.params, fwd, y)
    return _State(snapshot, batch, y, fwd, grads)


def _weight_step(run: Run, W: FloatArray, dW: FloatArray) -> FloatArray:
    """The weights after the run's step from ``W`` with the error's gradient ``dW`` (and its penalty)."""
    config = run.config
    (new,) = regularized_descend([W], [dW], config.learning_rate, config.regularization, config.reg_rate)
    return new


# ------------------------------------------------------------------------------ one parameter's chain
@dataclass(frozen=True, eq=False)
class Upstream:
    """``∂E/∂a_j = Σ_m W[j, m] · ∂E/∂z_m``: the sum over the paths from hidden unit ``j`` through the
    units ``m`` of the layer above.

    Attributes
    ----------
    names : names of the units m, (n_next,)
    weights : ``W[l+1][j, m]``, (n_next,)
    dE_dz : ``∂E/∂z_m = -delta[l+1][:, m]``, (n_rows, n_next)
    terms : ``W[j, m] · ∂E/∂z_m``, (n_rows, n_next); their row sums are ``∂E/∂a_j``
    """

    names: tuple[str, ...]
    weights: FloatArray
    dE_dz: FloatArray
    terms: FloatArray


@dataclass(frozen=True, eq=False)
class ParamChain:
    """``∂E/∂p = Σ_rows ∂E/∂a_j · ∂a_j/∂z_j · ∂z_j/∂p`` for one parameter ``p`` feeding unit ``j``, with
    the gradient-descent step it causes. All per-row arrays have shape (n_rows,).

    Attributes
    ----------
    ref, name : which parameter (see ``param_name``)
    iteration : the state the numbers belong to (after this many updates)
    learning_rate : lr of the run
    activation : activation of unit j (the sigmoid when j is an output)
    is_output : whether j is an output unit
    source_name : the unit the weight comes from (None for a bias); target_name : unit j
    y : targets of output j (None for a hidden unit)
    z : net input of j; a : its activation (``out`` for an output)
    dE_da : ``∂E/∂a_j``: ``-(y - out)`` at an output; ``Σ_m W[j,m] ∂E/∂z_m`` below it
    da_dz : ``f'(z_j)``, written with the output: ``out (1 - out)`` for the sigmoid
    dz_dp : ``∂z_j/∂p``: the input activation ``a_i`` for a weight, 1 for a bias
    upstream : the path sum behind ``dE_da`` for a hidden unit, else None
    terms : each row's product ``dE_da · da_dz · dz_dp``
    gradient : ``∂E/∂p``, the sum of ``terms`` (over the update's batch of rows)
    batch : the training rows of this update (every one without mini-batches)
    regularization, reg_rate : the run's penalty (``"none"``, ``"l1"``, ``"l2"``) and its rate λ
    penalty_term : the penalty's gradient at p, ``λ·p`` (L2) or ``λ·sign(p)`` (L1); 0 for a bias or
        without a penalty (``network.penalty_gradient``)
    old : the parameter's value; step : ``new - old``; new : the value after the update: ``old - lr ·
        (gradient + penalty_term)``, except that L1 stops a weight at 0 rather than letting it cross
    applied : whether the run applied this update (False at its last recorded iteration)
    """

    ref: ParamRef
    name: str
    iteration: int
    learning_rate: float
    activation: Activation
    is_output: bool
    source_name: str | None
    target_name: str
    y: FloatArray | None
    z: FloatArray
    a: FloatArray
    dE_da: FloatArray
    da_dz: FloatArray
    dz_dp: FloatArray
    upstream: Upstream | None
    terms: FloatArray
    gradient: float
    old: float
    step: float
    new: float
    applied: bool
    batch: Batch
    regularization: str = "none"
    reg_rate: float = 0.0
    penalty_term: float = 0.0

    @property
    def n_rows(self) -> int:
        return int(self.terms.shape[0])

    @property
    def penalized(self) -> bool:
        """Whether a penalty acts on this parameter (a weight, in a run with a penalty)."""
        return self.regularization != "none" and self.reg_rate > 0 and not self.ref.is_bias

    @property
    def total_gradient(self) -> float:
        """``∂E/∂p`` plus the penalty's term: the gradient of what the update descends."""
        return self.gradient + self.penalty_term

    @property
    def stopped_at_zero(self) -> bool:
        """Whether L1 stopped the weight at 0: the plain step ``-lr · total_gradient`` would have
        taken it past 0 (or the error's step alone would have)."""
        plain = self.old - self.learning_rate * self.total_gradient
        return self.regularization == "l1" and self.penalized and self.new == 0.0 and plain != 0.0


def parameter_chain(run: Run, iteration: int, ref: ParamRef) -> ParamChain:
    """The chain rule for one parameter at the state after ``iteration`` updates.

    Parameters
    ----------
    run : a finished training run
    iteration : 0 to ``run.final.iteration``
    ref : the weight or bias to inspect (see ``parameters``)
    """
    arch, features = run.arch, run.config.features
    _check_ref(arch, ref)
    state = _state(run, iteration)
    snapshot, fwd = state.snapshot, state.fwd
    layer, j = ref.layer, ref.target
    activation = arch.layer_activation(layer)
    is_output = layer == arch.n_layers - 1
    a = fwd.a[layer + 1][:, j]
    upstream = None
    with np.errstate(all="ignore"):
        if is_output:
            y = state.y[:, j]
            dE_da = -(y - a)  # ∂E/∂out = -(y - out)
        else:
            y = None
            W_next = snapshot.params.weights[layer + 1][j]
            dE_dz = -state.grads.delta[layer + 1]  # ∂E/∂z_m = -δ_m
            terms_up = W_next * dE_dz  # each path j -> m
            dE_da = terms_up.sum(axis=1)  # ∂E/∂a_j = Σ_m W[j,m] ∂E/∂z_m
            upstream = Upstream(
                level_names(arch, layer + 2), readonly(W_next), readonly(dE_dz), readonly(terms_up)
            )
        da_dz = activation.derivative(a)  # f'(z) written with the output a
        dz_dp = np.ones_like(a) if ref.source is None else fwd.a[layer][:, ref.source]  # ∂z_j/∂w_ij = a_i
        terms = dE_da * da_dz * dz_dp
        gradient = float(terms.sum())
        old = param_value(snapshot.params, ref)
        config = run.config
        step, penalty_term = -config.learning_rate * gradient, 0.0  # gradient descent: p <- p - lr ∂E/∂p
        new = old + step
        if ref.source is not None and config.penalized:
            # the trainer's step on this one weight: W <- W - lr (∂E/∂W + the penalty's term), L1 stopping
            # it at 0
            W, dW = np.array([[old]]), np.array([[gradient]])
            penalty_term = float(penalty_gradient(W, config.regularization, config.reg_rate)[0, 0])
            new = float(_weight_step(run, W, dW)[0, 0])
            step = new - old
    return ParamChain(
        ref=ref,
        name=param_name(arch, ref, features),
        iteration=iteration,
        learning_rate=run.config.learning_rate,
        activation=activation,
        is_output=is_output,
        source_name=None if ref.source is None else unit_name(arch, layer, ref.source, features),
        target_name=unit_name(arch, layer + 1, j),
        y=None if y is None else readonly(y),
        z=readonly(fwd.z[layer][:, j]),
        a=readonly(a),
        dE_da=readonly(dE_da),
        da_dz=readonly(da_dz),
        dz_dp=readonly(dz_dp),
        upstream=upstream,
        terms=readonly(terms),
        gradient=gradient,
        old=old,
        step=step,
        new=new,
        applied=iteration < run.final.iteration,
        batch=state.batch,
        regularization=run.config.regularization,
        reg_rate=run.config.reg_rate,
        penalty_term=penalty_term,
    )


# ----------------------------------------------------------------------------- a layer's matrix form
@dataclass(frozen=True, eq=False)
class LayerUpdate:
    """One layer's update in the notebook's matrix form. For the output layer of the notebook's network:
    ``error = y - layer1; delta = error * sigmoid_derivative(layer1); weights += lr * X.T @ delta``.

    Attributes
    ----------
    layer : 0-based weight layer; is_output : whether it feeds the outputs
    learning_rate : lr of the run; activation : f of the layer's units
    source_names : units of a_prev, (n_in,); target_names : units of a, (n_out,)
    weight_names : ``param_name`` of ``W[i, j]`` row by row, (n_in * n_out,)
    bias_names : ``param_name`` of ``b[j]``, (n_out,); empty without biases
    a_prev : the layer's input (X for the first layer), (n_rows, n_in)
    a : the layer's output (``out`` at the output layer), (n_rows, n_out)
    y : targets at the output layer, else None, (n_rows, n_out)
    error : ``y - out`` at the output; below it ``delta[l+1] @ W[l+1].T`` (= ``-∂E/∂a``), (n_rows, n_out)
    derivative : ``f'(z)`` written with the output, e.g. ``out (1 - out)``, (n_rows, n_out)
    delta : ``error * derivative`` (= ``-∂E/∂z``), (n_rows, n_out)
    aT_delta : ``a_prev.T @ delta`` (= ``-∂E/∂W``), (n_in, n_out)
    contributions : each row's share of the error's step, ``lr * a_prev[r, i] * delta[r, j]``,
        (n_rows, n_in, n_out); without a penalty its sum over rows is ``W_new - W_old``
    W_old, W_new : weights before and after the update ``W + lr * aT_delta`` (minus ``lr *
        penalty_gradient``; L1 stops a weight at 0), (n_in, n_out)
    b_old, b_new : biases before and after ``b + lr * delta.sum(0)``, (n_out,); None without biases
    batch : the training rows of this update (the per-row arrays' rows)
    regularization : the run's penalty; penalty_gradient : its gradient at ``W_old``, ``λ·W`` (L2) or
        ``λ·sign(W)`` (L1), (n_in, n_out); None without a penalty
    """

    layer: int
    is_output: bool
    learning_rate: float
    activation: Activation
    source_names: tuple[str, ...]
    target_names: tuple[str, ...]
    weight_names: tuple[str, ...]
    bias_names: tuple[str, ...]
    a_prev: FloatArray
    a: FloatArray
    y: FloatArray | None
    error: FloatArray
    derivative: FloatArray
    delta: FloatArray
    aT_delta: FloatArray
    contributions: FloatArray
    W_old: FloatArray
    W_new: FloatArray
    b_old: FloatArray | None
    b_new: FloatArray | None
    batch: Batch
    regularization: str = "none"
    penalty_gradient: FloatArray | None = None

    def row_columns(self) -> dict[str, FloatArray]:
        """Labelled per-row columns (n_rows,) in the order they are computed: a_prev, a, (y,) error,
        f'(z), delta."""
        columns = {name: self.a_prev[:, i] for i, name in enumerate(self.source_names)}
        several = len(self.target_names) > 1
        for j, t in enumerate(self.target_names):
            columns[t] = self.a[:, j]
            if self.y is not None:
                y = f"y{j + 1}" if several else "y"
                columns[y] = self.y[:, j]
                columns[f"error {y} − {t}"] = self.error[:, j]
            else:
                columns[f"error δ·Wᵀ → {t}"] = self.error[:, j]
            columns[_derivative_label(self.activation, t)] = self.derivative[:, j]
            columns[f"δ {t}" if several or self.y is None else "δ"] = self.delta[:, j]
        return columns

    def parameter_columns(self) -> tuple[tuple[str, ...], dict[str, FloatArray]]:
        """Parameter names (weights row by row, then biases) and their columns: old value,
        ``a_prevᵀ δ`` (``Σ δ`` for a bias), the step ``lr ·`` that, and the new value. With a penalty,
        its term ``λ·w`` or ``λ·sign(w)`` (0 for a bias) before the step, which is then ``new − old``."""
        lr = self.learning_rate
        old, gain, new = [self.W_old.ravel()], [self.aT_delta.ravel()], [self.W_new.ravel()]
        penalty = [] if self.penalty_gradient is None else [self.penalty_gradient.ravel()]
        if self.b_old is not None and self.b_new is not None:
            old.append(self.b_old)
            gain.append(self.delta.sum(axis=0))
            new.append(self.b_new)
            penalty += [np.zeros_like(self.b_old)] if penalty else []
        g = np.concatenate(gain)
        columns = {"old": np.concatenate(old), "a_prevᵀδ = −∂E/∂w": g}
        if penalty:
            term = "λ·sign(w)" if self.regularization == "l1" else "λ·w"
            columns[f"penalty term {term}"] = np.concatenate(penalty)
            columns["step new − old"] = np.concatenate(new) - columns["old"]
        else:
            columns["step lr·a_prevᵀδ"] = lr * g
        columns["new"] = np.concatenate(new)
        return self.weight_names + self.bias_names, columns

    def contribution_columns(self) -> dict[str, FloatArray]:
        """Each row's share ``lr · a_i · δ_j`` of each weight's step, one column (n_rows,) per weight."""
        flat = self.contributions.reshape(self.contributions.shape[0], -1)
        return {name: flat[:, n] for n, name in enumerate(self.weight_names)}


def _derivative_label(activation: Activation, unit: str) -> str:
    """``f'(z)`` of ``unit`` written with its output, as plain text."""
    labels = {"sigmoid": f"{unit}(1 − {unit})", "tanh": f"1 − {unit}²", "relu": f"[{unit} > 0]"}
    return labels.get(activation.name, f"{activation.name}′({unit})")


def layer_update(run: Run, iteration: int, layer: int) -> LayerUpdate:
    """The whole update of weight layer ``layer`` (0-based) at the state after ``iteration`` updates."""
    arch = run.arch
    if not 0 <= layer < arch.n_layers:
        raise ConfigError(f"Layer must be from 0 to {arch.n_layers - 1}, got {layer}.", "layer")
    state = _state(run, iteration)
    snapshot, fwd, config = state.snapshot, state.fwd, run.config
    params, grads, lr = snapshot.params, state.grads, config.learning_rate
    is_output = layer == arch.n_layers - 1
    a_prev, a = fwd.a[layer], fwd.a[layer + 1]
    with np.errstate(all="ignore"):
        # the pieces of network.backpropagate's delta, shown one by one
        # error = y - layer1 at the output; below it, back through W[l+1]
        error = state.y - a if is_output else grads.delta[layer + 1] @ params.weights[layer + 1].T
        derivative = arch.layer_activation(layer).derivative(a)  # sigmoid_derivative(layer1)
        delta = grads.delta[layer]  # delta = error * sigmoid_derivative(layer1)
        aT_delta = -grads.dW[layer]  # X.T @ delta
        contributions = lr * a_prev[:, :, None] * delta[:, None, :] + 0.0  # + 0.0: no "-0" shown
        # the step the trainer takes: weights += lr * X.T @ delta (and the penalty's step)
        W_new = _weight_step(run, params.weights[layer], grads.dW[layer])
        b_old = params.biases[layer] if arch.use_bias else None
        b_new = descend([b_old], [grads.db[layer]], lr)[0] if b_old is not None else None
    refs = [ref for ref in parameters(arch) if ref.layer == layer]  # W row by row (as ravel), then b
    features = config.features
    penalty = (
        readonly(penalty_gradient(params.weights[layer], config.regularization, config.reg_rate))
        if config.penalized
        else None
    )
    return LayerUpdate(
        layer=layer,
        is_output=is_output,
        learning_rate=lr,
        activation=arch.layer_activation(layer),
        source_names=level_names(arch, layer, features),
        target_names=level_names(arch, layer + 1),
        weight_names=tuple(param_name(arch, ref, features) for ref in refs if not ref.is_bias),
        bias_names=tuple(param_name(arch, ref) for ref in refs if ref.is_bias),
        a_prev=readonly(a_prev),
        a=readonly(a),
        y=readonly(state.y) if is_output else None,
        error=readonly(error),
        derivative=readonly(derivative),
        delta=readonly(delta),
        aT_delta=readonly(aT_delta),
        contributions=readonly(contributions),
        W_old=params.weights[layer],
        W_new=readonly(W_new),
        b_old=b_old,
        b_new=None if b_new is None else readonly(b_new),
        batch=state.batch,
        regularization=config.regularization,
        penalty_gradient=penalty,
    )


# ------------------------------------------------------------------------------ a prediction, by hand
@dataclass(frozen=True, eq=False)
class PredictionLayer:
    """One layer of a single prediction: ``z_j = Σ_i a_i W[i, j] (+ b_j)``, ``a_j = f(z_j)``.

    Attributes
    ----------
    layer : 0-based weight layer; activation : f
    source_names : (n_in,); target_names : (n_out,)
    inputs : the layer's input a_prev (the test input for the first layer), (n_in,)
    W : (n_in, n_out); b : (n_out,) or None without biases
    products : ``inputs[i] * W[i, j]``, (n_in, n_out)
    z : net inputs, (n_out,); a : activations, (n_out,)
    """

    layer: int
    activation: Activation
    source_names: tuple[str, ...]
    target_names: tuple[str, ...]
    inputs: FloatArray
    W: FloatArray
    b: FloatArray | None
    products: FloatArray
    z: FloatArray
    a: FloatArray


def prediction_steps(run: Run, iteration: int, x: object) -> tuple[PredictionLayer, ...]:
    """The forward pass for one input row ``x`` layer by layer, with the weights after ``iteration``
    updates: ``x`` holds the network's inputs (n_inputs,), or the table's own (n_table_inputs,), to which
    the run's derived features are appended. The last layer's ``a`` equals ``run.predict([x],
    iteration)[0]``."""
    arch, features = run.arch, run.config.features
    row = np.asarray(x, dtype=np.float64).reshape(1, -1)
    if features and row.shape[1] == run.n_table_inputs:
        row = run.network_inputs(row)
    row = row.reshape(1, arch.n_inputs)
    params = run.snapshot_at(iteration).params
    with np.errstate(all="ignore"):
        fwd = forward(arch, params, row)
    steps = []
    for layer in range(arch.n_layers):
        inputs, W = fwd.a[layer][0], params.weights[layer]
        steps.append(
            PredictionLayer(
                layer=layer,
                activation=arch.layer_activation(layer),
                source_names=level_names(arch, layer, features),
                target_names=level_names(arch, layer + 1),
                inputs=readonly(inputs),
                W=W,
                b=params.biases[layer] if arch.use_bias else None,
                products=readonly(inputs[:, None] * W),
                z=readonly(fwd.z[layer][0]),
                a=readonly(fwd.a[layer + 1][0]),
            )
        )
    return tuple(steps)


# ----------------------------------------------------------------------------------- gradient check
@dataclass(frozen=True)
class GradientCheckRow:
    """One parameter: backpropagation's ``∂E/∂p`` against ``(E(p + ε) - E(p - ε)) / 2ε``."""

    ref: ParamRef
    name: str
    value: float
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float

    @property
    def ok(self) -> bool:
        return self.rel_error < GRADIENT_CHECK_TOLERANCE


@dataclass(frozen=True)
class GradientCheck:
    """The check of every weight and bias at one iteration."""

    iteration: int
    epsilon: float
    loss: float
    noise: float
    rows: tuple[GradientCheckRow, ...]

    @property
    def max_rel_error(self) -> float:
        return max(r.rel_error for r in self.rows)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    def columns(self) -> dict[str, object]:
        """Labelled columns, one entry per parameter."""
        return {
            "parameter": [r.name for r in self.rows],
            "backprop ∂E/∂p": np.array([r.analytic for r in self.rows]),
            "finite difference": np.array([r.numeric for r in self.rows]),
            "|difference|": np.array([r.abs_error for r in self.rows]),
            "relative error": np.array([r.rel_error for r in self.rows]),
        }


def relative_error(analytic: float, numeric: float, noise: float = 0.0) -> float:
    """``|analytic - numeric| / max(|analytic|, |numeric|, noise / GRADIENT_CHECK_TOLERANCE)``.

    ``noise`` is the rounding noise of the difference quotient: a gradient near 0 cannot be compared
    relatively, and a disagreement at the noise level must not count as a failure.
    """
    scale = max(abs(analytic), abs(numeric), noise / GRADIENT_CHECK_TOLERANCE, np.finfo(np.float64).tiny)
    return abs(analytic - numeric) / scale


def rounding_noise(output: FloatArray, y: FloatArray, epsilon: float) -> float:
    """Rounding noise of ``(E(p + ε) - E(p - ε)) / 2ε``: each E is exact to about
    ``ε_mach (E + Σ|y - out|)``, and the difference is divided by 2ε."""
    error = np.abs(y - output)
    return 8 * _EPS * (loss(output, y) + float(error.sum())) / epsilon


def _with_value(params: Params, ref: ParamRef, value: float) -> Params:
    weights = [np.array(W) for W in params.weights]
    biases = [np.array(b) for b in params.biases]
    if ref.source is None:
        biases[ref.layer][ref.target] = value
    else:
        weights[ref.layer][ref.source, ref.target] = value
    return Params(tuple(weights), tuple(biases))


def gradient_check(run: Run, iteration: int, epsilon: float = DEFAULT_EPSILON) -> GradientCheck:
    """Compare every analytic gradient at the state after ``iteration`` updates with central finite
    differences of ``E``.

    Parameters
    ----------
    run : a finished training run
    iteration : 0 to ``run.final.iteration``
    epsilon : the half-width ε of the difference ``(E(p + ε) - E(p - ε)) / 2ε``
    """
    if not (np.isfinite(epsilon) and epsilon > 0):
        raise ConfigError("Epsilon must be a positive number.", "epsilon")
    arch, X, y = run.arch, run.table.X, run.table.y
    snapshot = run.snapshot_at(iteration)
    params, grads = snapshot.params, snapshot.grads

    def error(p: Params) -> float:
        return loss(forward(arch, p, X).output, y)

    noise = rounding_noise(snapshot.output, y, epsilon)
    rows = []
    with np.errstate(all="ignore"):
        for ref in parameters(arch):
            analytic = float(
                grads.db[ref.layer][ref.target]
                if ref.source is None
                else grads.dW[ref.layer][ref.source, ref.target]
            )
            value = param_value(params, ref)
            high, low = value + epsilon, value - epsilon
            # central difference (E(p + ε) - E(p - ε)) / 2ε, error O(ε²); dividing by high - low
            # instead of 2ε removes the rounding of p ± ε
            rise = error(_with_value(params, ref, high)) - error(_with_value(params, ref, low))
            numeric = rise / (high - low)
            rows.append(
                GradientCheckRow(
                    ref=ref,
                    name=param_name(arch, ref, run.config.features),
                    value=value,
                    analytic=analytic,
                    numeric=numeric,
                    abs_error=abs(analytic - numeric),
                    rel_error=relative_error(analytic, numeric, noise),
                )
            )
    return GradientCheck(iteration, float(epsilon), snapshot.loss, noise, tuple(rows))
