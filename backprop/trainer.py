"""Training: configuration, the loop that records a bounded history, and the recorded run.

One iteration is the notebook's: forward pass over the whole table, backward pass, one gradient-descent
step on ``E = 1/2 * sum((y - out)**2)``, each a call to network.py. Options go beyond it: a batch of
rows per update (shuffled each epoch), an L1 or L2 penalty on the weights, derived input features and a
held-out test set; left at their defaults, an iteration is the notebook's to the bit.

The loop keeps only the parameters of the iterations it records (every one up to half the history's
budget, then evenly spaced ones up to the last, so memory does not grow with the iteration count);
their snapshots (outputs and losses) are evaluated afterwards by the same functions over a leading axis
of snapshots. A snapshot's gradients are computed when first read: a figure reads those of the one
iteration it shows, and keeping every snapshot's error signals (rows x units each) would take 100 MB for
a thousand snapshots of 256 rows through six hidden layers of 8.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from backprop.datasets import check_test_fraction, feature_keys, fraction, split_rows, with_features
from backprop.errors import ConfigError
from backprop.limits import (
    DEFAULT_HISTORY_SIZE,
    MAX_ITERATIONS,
    MAX_LEARNING_RATE,
    MAX_REG_RATE,
    MAX_ROWS,
    MAX_SEED,
)
from backprop.network import (
    REGULARIZATIONS,
    Architecture,
    Gradients,
    Params,
    all_finite,
    backpropagate,
    backward,
    check_activation_and_bias,
    descend,
    forward,
    hidden_layers,
    init_params,
    input_rows,
    loss,
    losses,
    penalties,
    predict,
    propagate,
    readonly,
    regularized_descend,
)
from backprop.table import TruthTable

FloatArray = NDArray[np.float64]
Arrays = Sequence[FloatArray]  # one array per layer


Status = Literal["completed", "target_reached", "non_finite"]


def _whole(value: object, field: str, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if real and math.isfinite(value) and float(value).is_integer():
            value = int(value)
        else:
            raise ConfigError(f"{what} must be a whole number from {low:,} to {high:,}.", field)
    if not low <= int(value) <= high:
        raise ConfigError(f"{what} must be a whole number from {low:,} to {high:,}, got {value}.", field)
    return int(value)


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a run besides the table. Field names are the app's widget keys.

    ``n_iterations`` is the number of updates (0 shows the initial weights); training stops early once
    the loss is at most ``target_loss`` when that is set.

    Beyond the notebook: ``features`` adds derived inputs to a 2-input table (see datasets.FEATURES);
    ``test_fraction`` holds that share of the rows out of training (drawn with ``seed``);
    ``batch_size`` rows per update, reshuffled every epoch (None: the whole training table, unshuffled);
    ``regularization`` ``"l1"`` or ``"l2"`` adds ``reg_rate`` times that penalty on the weights.
    """

    learning_rate: float = 1.0
    n_iterations: int = 10_000
    seed: int = 0
    hidden: tuple[int, ...] = ()
    activation: str = "sigmoid"
    use_bias: bool = False
    target_loss: float | None = None
    history_size: int = DEFAULT_HISTORY_SIZE
    features: tuple[str, ...] = ()
    test_fraction: float = 0.0
    batch_size: int | None = None
    regularization: str = "none"
    reg_rate: float = 0.0

    def __post_init__(self) -> None:
        lr = self.learning_rate
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr):
            raise ConfigError("Learning rate must be a finite number.", "learning_rate")
        if not 0 < lr <= MAX_LEARNING_RATE:
            raise ConfigError(
                f"Learning rate must be above 0 and at most {MAX_LEARNING_RATE:g}, got {lr:g}.",
                "learning_rate",
            )
        object.__setattr__(self, "learning_rate", float(lr))
        n = _whole(self.n_iterations, "n_iterations", 0, MAX_ITERATIONS, "Iterations")
        object.__setattr__(self, "n_iterations", n)
        object.__setattr__(self, "seed", _whole(self.seed, "seed", 0, MAX_SEED, "Seed"))
        object.__setattr__(self, "hidden", hidden_layers(self.hidden))
        check_activation_and_bias(self.activation, self.use_bias)
        object.__setattr__(self, "use_bias", bool(self.use_bias))
        target = self.target_loss
        if target is not None:
            if isinstance(target, bool) or not isinstance(target, numbers.Real) or not math.isfinite(target):
                raise ConfigError("Target loss must be a finite number.", "target_loss")
            if target < 0:
                raise ConfigError("Target loss cannot be negative.", "target_loss")
            object.__setattr__(self, "target_loss", float(target))
        size = _whole(self.history_size, "history_size", 2, 100_000, "History size")
        object.__setattr__(self, "history_size", size)
        if isinstance(self.features, str) or not isinstance(self.features, Iterable):
            raise ConfigError("Features must be a sequence of feature names such as ('x1sq',).", "features")
        object.__setattr__(self, "features", feature_keys(self.features))
        object.__setattr__(self, "test_fraction", check_test_fraction(self.test_fraction))
        if self.batch_size is not None:
            batch = _whole(self.batch_size, "batch_size", 1, MAX_ROWS, "Batch size")
            object.__setattr__(self, "batch_size", batch)
        if self.regularization not in REGULARIZATIONS:
            raise ConfigError(
                f"Regularization must be one of {', '.join(REGULARIZATIONS)}, got {self.regularization!r}.",
                "regularization",
            )
        rate = fraction(self.reg_rate, "reg_rate", "Regularization rate", MAX_REG_RATE)
        object.__setattr__(self, "reg_rate", rate)

    def settings(self) -> dict[str, object]:
        """The settings that reproduce a run, as JSON-ready values (``history_size`` only sets how much
        of it is recorded)."""
        return {
            "learning_rate": self.learning_rate,
            "n_iterations": self.n_iterations,
            "seed": self.seed,
            "hidden": list(self.hidden),
            "activation": self.activation,
            "use_bias": self.use_bias,
            "target_loss": self.target_loss,
            "features": list(self.features),
            "test_fraction": self.test_fraction,
            "batch_size": self.batch_size,
            "regularization": self.regularization,
            "reg_rate": self.reg_rate,
        }

    def architecture(self, table: TruthTable) -> Architecture:
        """The network this configuration trains on ``table`` (its inputs, then the derived features)."""
        n_inputs = table.n_inputs + len(self.features)
        return Architecture(n_inputs, table.n_outputs, self.hidden, self.activation, self.use_bias)

    @property
    def penalized(self) -> bool:
        """Whether a penalty is added to the error (a regularization with a rate above 0)."""
        return self.regularization != "none" and self.reg_rate > 0


def split_table(table: TruthTable, config: TrainConfig) -> tuple[TruthTable, TruthTable | None]:
    """The training and test tables of ``table`` under ``config``: derived feature columns appended, then
    ``test_fraction`` of the rows held out (None when no row is). Without either, ``table`` itself."""
    if not config.features and config.test_fraction == 0:
        return table, None
    X = with_features(table.X, config.features)
    train_rows, test_rows = split_rows(table.n_rows, config.test_fraction, config.seed)
    test = TruthTable(X[test_rows], table.y[test_rows]) if test_rows.size else None
    return TruthTable(X[train_rows], table.y[train_rows]), test


def updates_per_epoch(n_rows: int, batch_size: int | None) -> int:
    """Updates that go once through ``n_rows`` training rows in batches of ``batch_size``."""
    return 1 if batch_size is None or batch_size >= n_rows else -(-n_rows // batch_size)


@functools.lru_cache(maxsize=8)
def epoch_order(n_rows: int, seed: int, epoch: int) -> NDArray[np.int64]:
    """The order of the training rows in epoch ``epoch`` (0-based) of a mini-batch run: a permutation
    drawn from ``default_rng((seed, 2, epoch))`` (read-only)."""
    order = np.random.default_rng((seed, 2, epoch)).permutation(n_rows)
    order.flags.writeable = False
    return order


def batch_rows(n_rows: int, batch_size: int | None, seed: int, k: int) -> NDArray[np.int64] | None:
    """The training rows of update ``k`` (0-based), or None for the whole table in its order.

    Each epoch goes through a new permutation of the rows, drawn from ``default_rng((seed, 2, epoch))``,
    in consecutive batches of ``batch_size`` (the last one smaller when the rows do not divide evenly).
    """
    per_epoch = updates_per_epoch(n_rows, batch_size)
    if per_epoch == 1:
        return None
    epoch, batch = divmod(k, per_epoch)
    assert batch_size is not None
    return epoch_order(n_rows, seed, epoch)[batch * batch_size : (batch + 1) * batch_size]


@dataclass(frozen=True)
class Snapshot:
    """The state after ``iteration`` updates: parameters, outputs (n_rows, n_outputs) and the error
    ``loss`` on the training rows ``table`` of a network ``arch``; ``grads``, the error's gradients at
    these parameters over all training rows (a mini-batch update applies its batch's share; a penalty adds
    its own term, network.penalty_gradient), are computed when first read and then kept.

    ``penalty`` is the regularization term (0 without one), so the objective is ``loss + penalty``;
    ``test_loss`` is ``E`` over the test rows (None without a test set).
    """

    iteration: int
    params: Params
    output: FloatArray
    loss: float
    penalty: float = 0.0
    test_loss: float | None = None
    arch: Architecture = dataclasses.field(kw_only=True, repr=False, compare=False)
    table: TruthTable = dataclasses.field(kw_only=True, repr=False, compare=False)

    @functools.cached_property
    def grads(self) -> Gradients:
        """``delta`` (n_rows, units) per layer, ``dE/dW`` and ``dE/db``: network.backward over ``table``,
        as read-only arrays (zeros for ``db`` without learned biases)."""
        with np.errstate(all="ignore"):
            fwd = forward(self.arch, self.params, self.table.X)
            grads = backward(self.arch, self.params, fwd, self.table.y)
        return Gradients(
            tuple(readonly(d) for d in grads.delta),
            tuple(readonly(g) for g in grads.dW),
            tuple(readonly(g) for g in grads.db),
        )


def take_snapshot(
    arch: Architecture,
    params: Params,
    table: TruthTable,
    iteration: int,
    config: TrainConfig = TrainConfig(),
    test_table: TruthTable | None = None,
) -> Snapshot:
    """Evaluate ``params`` on ``table`` (the training rows): forward pass and loss, read-only (the
    gradients when first read); the penalty of ``config`` and the loss on ``test_table``."""
    with np.errstate(all="ignore"):
        output = forward(arch, params, table.X).output
        penalty = float(penalties(params.weights, config.regularization, config.reg_rate))
        test_loss = (
            None if test_table is None else loss(forward(arch, params, test_table.X).output, test_table.y)
        )
        return Snapshot(
            iteration,
            params,
            readonly(output),
            loss(output, table.y),
            penalty,
            test_loss,
            arch=arch,
            table=table,
        )


def recording_schedule(n_iterations: int, history_size: int) -> NDArray[np.int64]:
    """Iterations to record: all when they fit; else the first half of the budget, then evenly spaced.

    Always includes 0 and ``n_iterations``; never more than ``history_size`` entries.
    """
    if n_iterations + 1 <= history_size:
        return np.arange(n_iterations + 1)
    dense = min(history_size // 2, history_size - 2)  # the spaced part needs 2 points to reach n
    spaced = np.linspace(dense, n_iterations, history_size - dense).round().astype(np.int64)
    return np.unique(np.concatenate([np.arange(dense), spaced]))


@functools.lru_cache(maxsize=64)
def _schedule(n_iterations: int, history_size: int) -> frozenset[int]:
    return frozenset(recording_schedule(n_iterations, history_size).tolist())


@dataclass(frozen=True)
class Run:
    """A finished training run: its inputs, initial parameters, recorded history and how it ended.

    ``history[-1]`` is always the final state. With status ``"non_finite"``, ``failed_at`` is the
    iteration whose update made a weight infinite or NaN; the final state is the one before it.
    ``table`` holds the training rows (with derived feature columns), ``test_table`` the held-out ones.
    """

    table: TruthTable
    config: TrainConfig
    arch: Architecture
    initial: Params
    history: tuple[Snapshot, ...]
    status: Status
    failed_at: int | None = None
    test_table: TruthTable | None = None

    @property
    def final(self) -> Snapshot:
        return self.history[-1]

    def __reduce__(self) -> tuple[Callable[..., Run], tuple[Any, ...]]:
        """Pickle the history as one array per field and layer instead of about a dozen small arrays
        per snapshot. st.cache_data pickles every cached run on each rerun that reads it, and a
        thousand snapshots one by one took longer to unpickle than training the notebook."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "history"}
        return _rebuild_run, (fields, _stacked(self.history, self.arch.n_layers))

    @property
    def epochs(self) -> float:
        """Passes through the training rows so far: updates / updates per epoch."""
        return self.final.iteration / updates_per_epoch(self.table.n_rows, self.config.batch_size)

    @property
    def iterations(self) -> NDArray[np.int64]:
        """The recorded iteration numbers, ascending."""
        return np.array([s.iteration for s in self.history])

    @property
    def n_table_inputs(self) -> int:
        """Inputs of the table trained on, before derived features were appended."""
        return self.arch.n_inputs - len(self.config.features)

    def network_inputs(self, X: object) -> FloatArray:
        """Rows of the table's own inputs ``X`` (n, n_table_inputs), with the run's derived features
        appended: what the network reads. A :class:`ConfigError` for a wrong width or non-numbers."""
        return with_features(input_rows(X, self.n_table_inputs), self.config.features)

    def predict(self, X: object, iteration: int | None = None) -> FloatArray:
        """Outputs (n, n_outputs) for inputs ``X`` with the weights after ``iteration`` updates.

        ``X`` holds the table's own inputs (n, n_table_inputs), or one row; derived features are added.
        """
        snapshot = self.final if iteration is None else self.snapshot_at(iteration)
        if self.config.features:
            X = self.network_inputs(X)
        return predict(self.arch, snapshot.params, X)

    def snapshot_at(self, iteration: int) -> Snapshot:
        """The exact state after ``iteration`` updates, recomputed from the nearest recorded one."""
        if not 0 <= iteration <= self.final.iteration:
            raise ConfigError(
                f"Iteration must be from 0 to {self.final.iteration}, got {iteration}.", "iteration"
            )
        index = int(np.searchsorted(self.iterations, iteration, side="right")) - 1
        snapshot = self.history[index]
        if iteration == snapshot.iteration:
            return snapshot
        weights, biases = snapshot.params.weights, snapshot.params.biases
        with np.errstate(all="ignore"):  # the run went on from here: no stop on the way
            replay = (self.arch, self.table, self.config, weights, biases, snapshot.iteration, iteration)
            weights, biases, _, _ = _descend(*replay, to_record=frozenset(), recorded=[])
        return take_snapshot(
            self.arch, Params(weights, biases), self.table, iteration, self.config, self.test_table
        )


ProgressCallback = Callable[[int, int], None]


def train(
    table: TruthTable,
    config: TrainConfig = TrainConfig(),
    initial: Params | None = None,
    progress: ProgressCallback | None = None,
) -> Run:
    """Train on ``table`` with gradient descent and record a bounded history.

    Parameters
    ----------
    table : the truth table, X (n_rows, n_inputs) and y (n_rows, n_outputs)
    config : learning rate, iterations, seed, architecture, early-stop target
    initial : explicit starting parameters (see ``network.make_params``); default drawn from ``seed``
    progress : called as ``progress(done, total)`` about a hundred times; an exception it raises
        stops training (a UI uses this to cancel)
    """
    arch = config.architecture(table)
    table, test_table = split_table(table, config)
    if config.batch_size is not None and config.batch_size > table.n_rows:
        raise ConfigError(
            f"Batch size must be at most the {table.n_rows} training rows, got {config.batch_size}.",
            "batch_size",
        )
    start = init_params(arch, config.seed) if initial is None else initial
    n = config.n_iterations
    report_every = max(1, n // 100)
    reports = set(range(report_every, n + 1, report_every)) if progress is not None else set()
    to_record = _schedule(n, config.history_size)
    # (iteration, weights, biases): each update makes new arrays, so keeping references is enough
    recorded: list[tuple[int, Arrays, Arrays]] = [(0, start.weights, start.biases)]
    weights, biases, k = start.weights, start.biases, 0
    status: Status = "completed"
    with np.errstate(all="ignore"):
        for stop in sorted(reports | {n}):
            before = len(recorded)
            stretch = (arch, table, config, weights, biases, k, stop, to_record, recorded)
            new_weights, new_biases, k_new, status = _descend(*stretch)
            if not _finite(arch, new_weights, new_biases):
                # A value became infinite or NaN on the way, and stayed so (inf and nan propagate through
                # p - lr * g): redo the stretch checking every update, to stop before the one that did it.
                del recorded[before:]
                new_weights, new_biases, k_new, status = _descend(*stretch, check_each=True)
            weights, biases, k = new_weights, new_biases, k_new
            if status != "completed":
                break
            if progress is not None and k in reports:
                progress(k, n)
        if recorded[-1][0] != k:  # stopped between two recorded iterations
            recorded.append((k, weights, biases))
        history = _history(arch, table, config, test_table, recorded)
    failed_at = k + 1 if status == "non_finite" else None
    return Run(table, config, arch, start, history, status, failed_at, test_table)


def _descend(
    arch: Architecture,
    table: TruthTable,
    config: TrainConfig,
    weights: Arrays,
    biases: Arrays,
    k: int,
    stop: int,
    to_record: Set[int],
    recorded: list[tuple[int, Arrays, Arrays]],
    check_each: bool = False,
) -> tuple[Arrays, Arrays, int, Status]:
    """Gradient descent from iteration ``k`` to ``stop``: each update a forward and backward pass over
    its batch of rows and one step on the error plus the penalty (with the defaults, the notebook's
    iteration); the parameters appended to ``recorded`` at the iterations in ``to_record``.

    Stops early before an update when the loss is at most ``config.target_loss``, and, with
    ``check_each``, before an update that would make a weight or bias infinite or NaN. Returns the
    parameters, their iteration and why it stopped ("completed" when it reached ``stop``).
    """
    X, y, target, lr = table.X, table.y, config.target_loss, config.learning_rate
    full_batch, use_bias = updates_per_epoch(table.n_rows, config.batch_size) == 1, arch.use_bias
    penalized, regularization, rate = config.penalized, config.regularization, config.reg_rate
    while k < stop:
        if target is not None and loss(propagate(arch, weights, biases, X)[1][-1], y) <= target:
            return weights, biases, k, "target_reached"
        X_k, y_k = (X, y) if full_batch else _batch(table, config, k)
        _, a = propagate(arch, weights, biases, X_k)
        _, dW, db = backpropagate(arch, weights, a, y_k)
        if penalized:
            new_weights = regularized_descend(weights, dW, lr, regularization, rate)
        else:
            new_weights = descend(weights, dW, lr)
        new_biases = descend(biases, db, lr) if use_bias else biases
        if check_each and not _finite(arch, new_weights, new_biases):
            return weights, biases, k, "non_finite"
        weights, biases, k = new_weights, new_biases, k + 1
        if k in to_record:
            recorded.append((k, weights, biases))
    return weights, biases, k, "completed"


def _batch(table: TruthTable, config: TrainConfig, k: int) -> tuple[FloatArray, FloatArray]:
    """Inputs and targets of update ``k``'s batch of training rows (:func:`batch_rows`)."""
    rows = batch_rows(table.n_rows, config.batch_size, config.seed, k)
    return (table.X, table.y) if rows is None else (table.X[rows], table.y[rows])


def _finite(arch: Architecture, weights: Arrays, biases: Arrays) -> bool:
    return bool(all_finite(weights, 2)) and (not arch.use_bias or bool(all_finite(biases, 1)))


# Snapshots are evaluated this many values of activations at a time: bounds the temporaries of big
# tables (z and a of every layer: 4 MB) while keeping the NumPy calls per snapshot few.
_CHUNK_VALUES = 1 << 18


def _history(
    arch: Architecture,
    table: TruthTable,
    config: TrainConfig,
    test_table: TruthTable | None,
    recorded: list[tuple[int, Arrays, Arrays]],
) -> tuple[Snapshot, ...]:
    """Snapshots of the recorded parameters: network.py's forward pass over a leading axis of snapshots,
    each snapshot getting the numbers ``take_snapshot`` gives it alone (tests check it)."""
    X, y, S = table.X, table.y, len(recorded)
    iterations = [k for k, _, _ in recorded]
    weights = [np.stack(Ws) for Ws in zip(*(W for _, W, _ in recorded), strict=True)]
    biases = [np.stack(bs) for bs in zip(*(b for _, _, b in recorded), strict=True)]
    output = np.empty((S, table.n_rows, arch.n_outputs))
    E = np.empty(S)
    test_E = np.empty(S)
    chunk = max(1, _CHUNK_VALUES // (table.n_rows * sum(arch.sizes)))
    for lo in range(0, S, chunk):
        c = slice(lo, lo + chunk)
        Ws, bs = [W[c] for W in weights], [b[c] for b in biases]
        output[c] = propagate(arch, Ws, bs, X)[1][-1]
        E[c] = losses(output[c], y)
        if test_table is not None:
            test_E[c] = losses(propagate(arch, Ws, bs, test_table.X)[1][-1], test_table.y)
    for array in (output, *weights, *biases):
        array.flags.writeable = False
    return _snapshots(
        arch,
        table,
        iterations,
        zip(*weights, strict=True),
        zip(*biases, strict=True),
        output,
        E.tolist(),
        penalties(weights, config.regularization, config.reg_rate).tolist(),
        [None] * S if test_table is None else test_E.tolist(),
    )


def _snapshots(
    arch: Architecture,
    table: TruthTable,
    iterations: Iterable[int],
    weights: Iterable[tuple[FloatArray, ...]],
    biases: Iterable[tuple[FloatArray, ...]],
    outputs: Iterable[FloatArray],
    losses: Iterable[float],
    penalty: Iterable[float],
    test_losses: Iterable[float | None],
) -> tuple[Snapshot, ...]:
    """Snapshots from per-snapshot values (read-only arrays, usually views into one stack per field).

    Built as the dataclasses' own __init__ would leave them, minus one object.__setattr__ per field (and
    Params' defensive copy: these arrays are read-only already). A third of the cost of a thousand
    snapshots, which is a fifth of training the notebook.
    """
    new, set_fields, history = object.__new__, object.__setattr__, []
    for k, W, b, out, loss_k, pen, test in zip(
        iterations, weights, biases, outputs, losses, penalty, test_losses, strict=False
    ):
        params, snapshot = new(Params), new(Snapshot)
        set_fields(params, "__dict__", {"weights": W, "biases": b})
        set_fields(
            snapshot,
            "__dict__",
            {
                "iteration": k,
                "params": params,
                "output": out,
                "loss": loss_k,
                "penalty": pen,
                "test_loss": test,
                "arch": arch,
                "table": table,
            },
        )
        history.append(snapshot)
    return tuple(history)


def _stacked(history: Sequence[Snapshot], n_layers: int) -> tuple[Any, ...]:
    """The history as one array per field and layer, stacked over the snapshots (see ``Run.__reduce__``).
    Gradients are left out: an unpickled snapshot computes them again when they are read."""

    def stack(pick: Callable[[Snapshot], FloatArray]) -> FloatArray:
        return np.stack([pick(s) for s in history])

    def layers(pick: Callable[[Snapshot, int], FloatArray]) -> list[FloatArray]:
        return [stack(lambda s, layer=layer: pick(s, layer)) for layer in range(n_layers)]

    return (
        [s.iteration for s in history],
        layers(lambda s, layer: s.params.weights[layer]),
        layers(lambda s, layer: s.params.biases[layer]),
        stack(lambda s: s.output),
        [s.loss for s in history],
        [s.penalty for s in history],
        [s.test_loss for s in history],
    )


def _unstacked(arch: Architecture, table: TruthTable, stacked: tuple[Any, ...]) -> tuple[Snapshot, ...]:
    """The inverse of ``_stacked``: snapshots whose arrays are read-only views into the stacks."""
    iterations, weights, biases, output, losses, penalty, test_losses = stacked
    for stack in (*weights, *biases, output):
        stack.flags.writeable = False
    return _snapshots(
        arch,
        table,
        iterations,
        zip(*weights, strict=True),
        zip(*biases, strict=True),
        output,
        losses,
        penalty,
        test_losses,
    )


def _rebuild_run(fields: dict[str, Any], stacked: tuple[Any, ...]) -> Run:
    return Run(history=_unstacked(fields["arch"], fields["table"], stacked), **fields)
