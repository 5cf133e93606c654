"""Training: configuration, one iteration, and the loop that records a bounded history.

One iteration is the notebook's: forward pass over the whole table, backward pass, one gradient-descent
step on ``E = 1/2 * sum((y - out)**2)``. The history keeps every iteration up to half its budget, then
evenly spaced ones up to the last, so memory does not grow with the iteration count.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from backprop.errors import ConfigError
from backprop.network import (
    Architecture,
    Gradients,
    Params,
    apply_update,
    backward,
    forward,
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
        object.__setattr__(self, "hidden", tuple(self.hidden))
        target = self.target_loss
        if target is not None:
            if isinstance(target, bool) or not isinstance(target, numbers.Real) or not math.isfinite(target):
                raise ConfigError("Target loss must be a finite number.", "target_loss")
            if target < 0:
                raise ConfigError("Target loss cannot be negative.", "target_loss")
            object.__setattr__(self, "target_loss", float(target))
        size = _whole(self.history_size, "history_size", 2, 100_000, "History size")
        object.__setattr__(self, "history_size", size)

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
    start = init_params(arch, config.seed) if initial is None else initial
    params = start
    X, y, lr = table.X, table.y, config.learning_rate
    n = config.n_iterations
    schedule = recording_schedule(n, config.history_size).tolist()
    report_every = max(1, n // 100)
    history: list[Snapshot] = []
    status: Status = "completed"
    failed_at = None
    next_record = 0
    with np.errstate(all="ignore"):
        for k in range(n + 1):
            fwd = forward(arch, params, X)
            grads = backward(arch, params, fwd, y)
            E = loss(fwd.output, y)
            reached = config.target_loss is not None and config.target_loss >= E
            if k == schedule[next_record] or k == n or reached:
                history.append(_freeze(k, params, fwd.output, E, grads))
                next_record = min(next_record + 1, len(schedule) - 1)
            if k == n:
                break
            if reached:
                status = "target_reached"
                break
            updated = apply_update(arch, params, grads, lr)
            if not updated.is_finite():
                status, failed_at = "non_finite", k + 1
                if history[-1].iteration != k:
                    history.append(_freeze(k, params, fwd.output, E, grads))
                break
            params = updated
            if progress is not None and (k + 1) % report_every == 0:
                progress(k + 1, n)
    return Run(table, config, arch, start, tuple(history), status, failed_at)
