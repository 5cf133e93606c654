"""Training: configuration, one iteration, and the loop that records a bounded history.

One iteration is the notebook's: forward pass over the whole table, backward pass, one gradient-descent
step on ``E = 1/2 * sum((y - out)**2)``. The history keeps every iteration up to half its budget, then
evenly spaced ones up to the last, so memory does not grow with the iteration count.

Two inner loops compute it: for small networks without a hidden layer, straight-line Python generated
per table (backprop/fast.py: NumPy's per-call overhead is most of an iteration there); otherwise NumPy
in place,
operation for operation network.py's functions. Training runs in stretches between recorded iterations
(and progress reports); only the parameters are kept on the way, and the snapshots (outputs, loss,
gradients) are evaluated afterwards in one batched pass. BENCHMARKS.md has the measurements.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import math
import numbers
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from backprop.errors import ConfigError
from backprop.fast import compile_program, fits
from backprop.inplace import activate, derivative
from backprop.network import (
    OUTPUT_ACTIVATION,
    Architecture,
    Gradients,
    Params,
    apply_update,
    backward,
    check_activation_and_bias,
    forward,
    hidden_layers,
    init_params,
    loss,
    predict,
    readonly,
)
from backprop.table import TruthTable

FloatArray = NDArray[np.float64]

MAX_LEARNING_RATE = 100.0
MAX_ITERATIONS = 1_000_000
MAX_SEED = 2**32 - 1
DEFAULT_HISTORY_SIZE = 1000

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
    """

    learning_rate: float = 1.0
    n_iterations: int = 10_000
    seed: int = 0
    hidden: tuple[int, ...] = ()
    activation: str = "sigmoid"
    use_bias: bool = False
    target_loss: float | None = None
    history_size: int = DEFAULT_HISTORY_SIZE

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
        }

    def architecture(self, table: TruthTable) -> Architecture:
        """The network this configuration trains on ``table``."""
        return Architecture(table.n_inputs, table.n_outputs, self.hidden, self.activation, self.use_bias)


@dataclass(frozen=True)
class Snapshot:
    """The state after ``iteration`` updates: parameters, outputs (n_rows, n_outputs), loss, and the
    gradients at these parameters (the ones the next update applies)."""

    iteration: int
    params: Params
    output: FloatArray
    loss: float
    grads: Gradients


def _freeze(iteration: int, params: Params, output: FloatArray, E: float, grads: Gradients) -> Snapshot:
    frozen = Gradients(
        tuple(readonly(d) for d in grads.delta),
        tuple(readonly(g) for g in grads.dW),
        tuple(readonly(g) for g in grads.db),
    )
    return Snapshot(iteration, params, readonly(output), E, frozen)


def take_snapshot(arch: Architecture, params: Params, table: TruthTable, iteration: int) -> Snapshot:
    """Evaluate ``params`` on ``table``: forward pass, loss and gradients, as read-only copies."""
    with np.errstate(all="ignore"):
        fwd = forward(arch, params, table.X)
        grads = backward(arch, params, fwd, table.y)
        return _freeze(iteration, params, fwd.output, loss(fwd.output, table.y), grads)


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
def _schedule(n_iterations: int, history_size: int) -> tuple[int, ...]:
    return tuple(recording_schedule(n_iterations, history_size).tolist())


@dataclass(frozen=True)
class Run:
    """A finished training run: its inputs, initial parameters, recorded history and how it ended.

    ``history[-1]`` is always the final state. With status ``"non_finite"``, ``failed_at`` is the
    iteration whose update made a weight infinite or NaN; the final state is the one before it.
    """

    table: TruthTable
    config: TrainConfig
    arch: Architecture
    initial: Params
    history: tuple[Snapshot, ...]
    status: Status
    failed_at: int | None = None

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
    def iterations(self) -> NDArray[np.int64]:
        """The recorded iteration numbers, ascending."""
        return np.array([s.iteration for s in self.history])

    def predict(self, X: object, iteration: int | None = None) -> FloatArray:
        """Outputs (n, n_outputs) for inputs ``X`` with the weights after ``iteration`` updates."""
        snapshot = self.final if iteration is None else self.snapshot_at(iteration)
        return predict(self.arch, snapshot.params, X)

    def snapshot_at(self, iteration: int) -> Snapshot:
        """The exact state after ``iteration`` updates, recomputed from the nearest recorded one."""
        if not 0 <= iteration <= self.final.iteration:
            raise ConfigError(
                f"Iteration must be from 0 to {self.final.iteration}, got {iteration}.", "iteration"
            )
        index = int(np.searchsorted(self.iterations, iteration, side="right")) - 1
        snapshot = self.history[index]
        params = snapshot.params
        with np.errstate(all="ignore"):
            for _ in range(iteration - snapshot.iteration):
                grads = backward(self.arch, params, forward(self.arch, params, self.table.X), self.table.y)
                params = apply_update(self.arch, params, grads, self.config.learning_rate)
        if iteration == snapshot.iteration:
            return snapshot
        return take_snapshot(self.arch, params, self.table, iteration)


ProgressCallback = Callable[[int, int], None]
Engine = Literal["auto", "python", "numpy"]

# How a stretch of training ended (see the loops' ``advance``).
_RAN, _TARGET, _NON_FINITE = 0, 1, 2


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
    return _train(table, config, initial, progress, "auto")


def _train(
    table: TruthTable,
    config: TrainConfig,
    initial: Params | None,
    progress: ProgressCallback | None,
    engine: Engine,
) -> Run:
    """``train`` with a choice of inner loop: straight-line Python (small networks, see backprop/fast.py)
    or NumPy in place; "auto" picks by size. Both compute the same numbers (tests/test_fast.py)."""
    arch = config.architecture(table)
    start = init_params(arch, config.seed) if initial is None else initial
    n = config.n_iterations
    schedule = _schedule(n, config.history_size)
    report_every = max(1, n // 100)
    # Train in stretches between the iterations to record and the progress reports.
    stops = list(schedule)
    if progress is not None:
        stops = sorted({*stops, *range(report_every, n + 1, report_every)})
    target = -math.inf if config.target_loss is None else config.target_loss
    if engine == "auto":
        engine = "python" if fits(arch, table, config.learning_rate) else "numpy"
    loop = (_PythonLoop if engine == "python" else _NumpyLoop)(arch, table, config.learning_rate, start)
    loop.record()
    recorded, k, reason = [0], 0, _RAN
    with np.errstate(all="ignore"):
        if target == -math.inf:
            # No loss to check: the Python loop runs from one progress report to the next (or to the
            # end) in one call, recording at every stop; the NumPy loop declines and goes stop by stop.
            marks = range(report_every, n + 1, report_every) if progress is not None else [n] * (n > 0)
            first = 1
            for mark in marks:
                last = bisect.bisect_right(stops, mark, first)
                segment = stops[first:last]
                if not loop.trace([b - a for a, b in itertools.pairwise((k, *segment))]):
                    break  # a weight became non-finite: the stop-by-stop loop finds the update
                recorded += segment
                k, first = mark, last
                if progress is not None:
                    progress(k, n)
        for stop in stops:
            if stop <= k:
                continue
            done, reason = loop.advance(stop - k, target)
            k += done
            if reason != _RAN:
                break
            if progress is not None and k % report_every == 0:
                progress(k, n)
            loop.record()
            recorded.append(k)
        if recorded[-1] != k:  # stopped early between two stops
            loop.record()
            recorded.append(k)
        if progress is not None:  # keep the scheduled iterations and the last, not the reports'
            to_record = set(schedule)
            keep = [i for i, it in enumerate(recorded) if it in to_record or it == k]
            recorded = [recorded[i] for i in keep]
        weights, biases = loop.recorded(None if progress is None else keep)
        history = _history(arch, table, start, recorded, weights, biases)
    status: Status = {_RAN: "completed", _TARGET: "target_reached", _NON_FINITE: "non_finite"}[reason]
    failed_at = k + 1 if reason == _NON_FINITE else None
    return Run(table, config, arch, start, history, status, failed_at)


class _PythonLoop:
    """Training as backprop.fast's compiled straight-line code over a flat tuple of weights."""

    def __init__(self, arch: Architecture, table: TruthTable, learning_rate: float, start: Params) -> None:
        self.arch, self.lr = arch, learning_rate
        self.program = compile_program(arch, table, learning_rate == 1.0)
        flat = [W.ravel() for W in start.weights] + (list(start.biases) if arch.use_bias else [])
        self.state = tuple(np.concatenate(flat).tolist())
        self.records = array("d")

    def advance(self, m: int, target: float) -> tuple[int, int]:
        """Up to ``m`` updates; stops before an update when ``E <= target`` or before one that makes a
        weight non-finite. Returns (updates done, reason)."""
        if target == -math.inf:
            state = self.program.run(self.state, self.lr, m)
            # A weight that became non-finite stays so (inf + x is inf or nan), so the end tells whether
            # the stretch was clean; if not, it is replayed with a check after every update.
            if all(map(math.isfinite, state)):
                self.state = state
                return m, _RAN
        self.state, done, reason = self.program.run_checked(self.state, self.lr, m, target)
        return done, reason

    def trace(self, counts: list[int]) -> bool:
        """``counts[0]`` updates, record, ``counts[1]`` updates, record, ...; False (and nothing done) if
        a weight became non-finite."""
        size = len(self.records)
        state = self.program.run_trace(self.state, self.lr, counts, self.records.extend)
        if all(map(math.isfinite, state)):
            self.state = state
            return True
        del self.records[size:]
        return False

    def record(self) -> None:
        self.records.extend(self.state)

    def recorded(self, keep: list[int] | None) -> tuple[list[FloatArray], list[FloatArray] | None]:
        """Records ``keep`` (all with None): weights (n_kept, n_in, n_out) and biases (n_kept, n_out) per
        layer."""
        flat = np.frombuffer(self.records, dtype=np.float64).reshape(-1, self.program.n_state)
        flat = flat if keep is None else flat[keep]
        sizes, start, stacks = self.arch.sizes, 0, []
        shapes = list(itertools.pairwise(sizes))
        if self.arch.use_bias:
            shapes += [(n,) for n in sizes[1:]]
        for shape in shapes:
            size = math.prod(shape)
            stacks.append(flat[:, start : start + size].reshape(-1, *shape).copy())
            start += size
        n_layers = self.arch.n_layers
        return stacks[:n_layers], (stacks[n_layers:] if self.arch.use_bias else None)


class _NumpyLoop:
    """Training as NumPy calls into preallocated buffers: network.py's forward, backward and
    apply_update rewritten in place, operation for operation, so bit for bit the same numbers."""

    def __init__(self, arch: Architecture, table: TruthTable, learning_rate: float, start: Params) -> None:
        self.arch, self.X, self.y, self.lr = arch, table.X, table.y, learning_rate
        self.W = [np.array(W) for W in start.weights]
        self.b = [np.array(b) for b in start.biases]
        rows = table.n_rows
        self.a = [table.X, *(np.empty((rows, n)) for n in arch.sizes[1:])]
        self.delta = [np.empty((rows, n)) for n in arch.sizes[1:]]
        self.tmp = [np.empty((rows, n)) for n in arch.sizes[1:]]
        self.dW = [np.empty_like(W) for W in self.W]
        self.db = [np.empty_like(b) for b in self.b]
        self.names = [arch.layer_activation(layer).name for layer in range(arch.n_layers)]
        self.records: list[tuple[FloatArray, ...]] = []

    def forward(self) -> None:
        for layer, (W, b, name) in enumerate(zip(self.W, self.b, self.names, strict=True)):
            a = self.a[layer + 1]
            np.matmul(self.a[layer], W, out=a)  # z = a_prev W (+ b)
            if self.arch.use_bias:
                np.add(a, b, out=a)
            activate(name, a, self.tmp[layer])  # a = f(z)

    def backward_and_update(self) -> None:
        out, t, L = self.a[-1], self.tmp, self.arch.n_layers
        # delta_L = (y - out) * out (1 - out)
        np.subtract(self.y, out, out=self.delta[-1])
        derivative(self.names[-1], out, t[-1])
        np.multiply(self.delta[-1], t[-1], out=self.delta[-1])
        for layer in range(L - 1, 0, -1):
            # delta_l = (delta_{layer+1} W_{layer+1}^T) * f'(a_l)
            np.matmul(self.delta[layer], self.W[layer].T, out=self.delta[layer - 1])
            derivative(self.names[layer - 1], self.a[layer], t[layer - 1])
            np.multiply(self.delta[layer - 1], t[layer - 1], out=self.delta[layer - 1])
        for layer in range(L):
            # W <- W - lr dE/dW = W + lr a_prev^T delta (the same bits: negation is exact)
            np.matmul(self.a[layer].T, self.delta[layer], out=self.dW[layer])
            np.multiply(self.dW[layer], self.lr, out=self.dW[layer])
            np.add(self.W[layer], self.dW[layer], out=self.W[layer])
            if self.arch.use_bias:
                np.sum(self.delta[layer], axis=0, out=self.db[layer])
                np.multiply(self.db[layer], self.lr, out=self.db[layer])
                np.add(self.b[layer], self.db[layer], out=self.b[layer])

    def finite(self) -> bool:
        return all(np.isfinite(p).all() for p in (*self.W, *self.b))

    def save(self) -> list[FloatArray]:
        return [p.copy() for p in (*self.W, *self.b)]

    def restore(self, saved: list[FloatArray]) -> None:
        for p, s in zip((*self.W, *self.b), saved, strict=True):
            p[...] = s

    def advance(self, m: int, target: float) -> tuple[int, int]:
        """As ``_PythonLoop.advance``."""
        if target == -math.inf:
            saved = self.save()
            for _ in range(m):
                self.forward()
                self.backward_and_update()
            if self.finite():  # non-finite weights stay non-finite, as in _PythonLoop
                return m, _RAN
            self.restore(saved)
        for i in range(m):
            self.forward()
            if loss(self.a[-1], self.y) <= target:
                return i, _TARGET
            saved = self.save()
            self.backward_and_update()
            if not self.finite():
                self.restore(saved)
                return i, _NON_FINITE
        return m, _RAN

    def trace(self, counts: list[int]) -> bool:
        """No cheaper here than stretch by stretch: the caller does that."""
        return False

    def record(self) -> None:
        self.records.append(tuple(p.copy() for p in (*self.W, *self.b)))

    def recorded(self, keep: list[int] | None) -> tuple[list[FloatArray], list[FloatArray] | None]:
        """As ``_PythonLoop.recorded``."""
        L = self.arch.n_layers
        records = self.records if keep is None else [self.records[i] for i in keep]
        stacks = [np.stack(column) for column in zip(*records, strict=True)]
        return stacks[:L], (stacks[L:] if self.arch.use_bias else None)


# Snapshots are evaluated this many at a time: bounds the temporaries of big tables.
_CHUNK_VALUES = 1 << 16


def _history(
    arch: Architecture,
    table: TruthTable,
    start: Params,
    iterations: list[int],
    weights: list[FloatArray],
    biases: list[FloatArray] | None,
) -> tuple[Snapshot, ...]:
    """Snapshots at ``iterations`` from the recorded parameters, evaluated all at once.

    network.forward and network.backward over a leading axis of snapshots: batched matmul and the
    elementwise operations give each snapshot the same bits as ``take_snapshot`` (tests check it).
    """
    X, y, S, L = table.X, table.y, len(iterations), arch.n_layers
    output = np.empty((S, table.n_rows, arch.n_outputs))
    E = np.empty(S)
    delta = [np.empty((S, table.n_rows, n)) for n in arch.sizes[1:]]
    dW = [np.empty_like(W) for W in weights]
    db = [np.empty_like(b) for b in biases] if biases is not None else None
    chunk = max(1, _CHUNK_VALUES // (table.n_rows * sum(arch.sizes)))
    for lo in range(0, S, chunk):
        c = slice(lo, lo + chunk)
        a = [X]
        for layer in range(L):
            z = np.matmul(a[-1], weights[layer][c])
            if biases is not None:
                z += biases[layer][c][:, None, :]
            a.append(arch.layer_activation(layer).function(z))
        error = y - a[-1]
        output[c] = a[-1]
        E[c] = 0.5 * np.sum(error * error, axis=(1, 2))
        d = error * OUTPUT_ACTIVATION.derivative(a[-1])
        delta[-1][c] = d
        for layer in range(L - 1, 0, -1):
            back = np.matmul(d, weights[layer][c].transpose(0, 2, 1))
            d = back * arch.layer_activation(layer - 1).derivative(a[layer])
            delta[layer - 1][c] = d
        for layer in range(L):
            a_T = a[layer].T if layer == 0 else a[layer].transpose(0, 2, 1)
            np.negative(np.matmul(a_T, delta[layer][c]), out=dW[layer][c])
            if db is not None:
                np.negative(delta[layer][c].sum(axis=1), out=db[layer][c])
    for stack in (output, *weights, *delta, *dW, *(biases or ()), *(db or ())):
        stack.flags.writeable = False
    Ws = zip(*weights, strict=True)
    bs = zip(*biases, strict=True) if biases is not None else itertools.repeat(start.biases)
    zeros = tuple(readonly(np.zeros(n)) for n in arch.sizes[1:])
    dbs = zip(*db, strict=True) if db is not None else itertools.repeat(zeros)
    return _snapshots(
        iterations, Ws, bs, output, E.tolist(), zip(*delta, strict=True), zip(*dW, strict=True), dbs
    )


def _snapshots(
    iterations: Iterable[int],
    weights: Iterable[tuple[FloatArray, ...]],
    biases: Iterable[tuple[FloatArray, ...]],
    outputs: Iterable[FloatArray],
    losses: Iterable[float],
    deltas: Iterable[tuple[FloatArray, ...]],
    dWs: Iterable[tuple[FloatArray, ...]],
    dbs: Iterable[tuple[FloatArray, ...]],
) -> tuple[Snapshot, ...]:
    """Snapshots from per-snapshot values (read-only arrays, usually views into one stack per field).

    Built as the dataclasses' own __init__ would leave them, minus one object.__setattr__ per field (and
    Params' defensive copy: these arrays are read-only already). A third of the cost of a thousand
    snapshots, which is a fifth of training the notebook.
    """
    new, set_fields, history = object.__new__, object.__setattr__, []
    for k, W, b, out, loss_k, d, g, gb in zip(
        iterations, weights, biases, outputs, losses, deltas, dWs, dbs, strict=False
    ):
        params, grads, snapshot = new(Params), new(Gradients), new(Snapshot)
        set_fields(params, "__dict__", {"weights": W, "biases": b})
        set_fields(grads, "__dict__", {"delta": d, "dW": g, "db": gb})
        set_fields(
            snapshot,
            "__dict__",
            {"iteration": k, "params": params, "output": out, "loss": loss_k, "grads": grads},
        )
        history.append(snapshot)
    return tuple(history)


def _stacked(history: Sequence[Snapshot], n_layers: int) -> tuple[Any, ...]:
    """The history as one array per field and layer, stacked over the snapshots (see ``Run.__reduce__``)."""

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
        layers(lambda s, layer: s.grads.delta[layer]),
        layers(lambda s, layer: s.grads.dW[layer]),
        layers(lambda s, layer: s.grads.db[layer]),
    )


def _unstacked(stacked: tuple[Any, ...]) -> tuple[Snapshot, ...]:
    """The inverse of ``_stacked``: snapshots whose arrays are read-only views into the stacks."""
    iterations, weights, biases, output, losses, delta, dW, db = stacked
    for stack in (*weights, *biases, output, *delta, *dW, *db):
        stack.flags.writeable = False
    return _snapshots(
        iterations,
        zip(*weights, strict=True),
        zip(*biases, strict=True),
        output,
        losses,
        zip(*delta, strict=True),
        zip(*dW, strict=True),
        zip(*db, strict=True),
    )


def _rebuild_run(fields: dict[str, Any], stacked: tuple[Any, ...]) -> Run:
    return Run(history=_unstacked(stacked), **fields)
