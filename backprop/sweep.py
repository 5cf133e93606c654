"""Many training runs at once: one table and network at many learning rates and/or seeds.

The runs' parameters are stacked along a leading axis and network.py's functions train them together
(batched matrix products), so one NumPy call advances all of them. Each run follows ``train``'s rules
(initial weights from its seed, the same update, an early stop at ``target_loss``, a stop before an
update that would make a weight non-finite), and NumPy computes each run of the batch as it would alone,
so run ``r`` gives bit for bit the numbers ``train(table, sweep.config_of(r))`` gives
(tests/test_sweep.py). Only a loss curve is kept per run (at most ``curve_points`` iterations) and the
final parameters: to look inside one run, train it again with ``config_of``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from backprop.errors import ConfigError
from backprop.limits import MAX_BATCH_VALUES, MAX_LEARNING_RATE, MAX_RUNS, MAX_SEED
from backprop.network import (
    Architecture,
    Params,
    all_finite,
    backpropagate,
    descend,
    init_params,
    losses,
    make_params,
    propagate,
)
from backprop.table import TruthTable
from backprop.trainer import Status, TrainConfig, recording_schedule

FloatArray = NDArray[np.float64]
Arrays = Sequence[FloatArray]  # one array per layer, each stacked over the runs
IntArray = NDArray[np.int64]

DEFAULT_CURVE_POINTS = 200

_NOTEBOOK_CONFIG = TrainConfig()
_STATUS: tuple[Status, ...] = ("completed", "target_reached", "non_finite")
_COMPLETED, _TARGET, _NON_FINITE = 0, 1, 2


@dataclass(frozen=True, eq=False)
class Sweep:
    """Runs that differ only in learning rate and seed, trained together.

    Arrays are indexed by run first. ``losses[r, t]`` is run ``r``'s loss after ``iterations[t]``
    updates, NaN once the run has stopped (target reached, or its next update would have made a weight
    non-finite); ``final_loss[r]`` is its loss at ``final_iteration[r]``.
    """

    table: TruthTable
    config: TrainConfig  # shared settings; its own learning_rate and seed are replaced per run
    initial: Params | None  # explicit starting parameters shared by all runs, else drawn from each seed
    learning_rates: FloatArray  # (R,)
    seeds: IntArray  # (R,)
    iterations: IntArray  # (T,) recorded iterations, ascending from 0 to n_iterations
    losses: FloatArray  # (R, T)
    final_loss: FloatArray  # (R,)
    final_iteration: IntArray  # (R,)
    status: tuple[Status, ...]  # (R,)
    failed_at: IntArray  # (R,) the update that would have made a weight non-finite, -1 if none
    weights: tuple[FloatArray, ...]  # final weights per layer, (R, sizes[l], sizes[l+1])
    biases: tuple[FloatArray, ...]  # final biases per layer, (R, sizes[l+1])

    @property
    def n_runs(self) -> int:
        return len(self.learning_rates)

    def config_of(self, run: int) -> TrainConfig:
        """The configuration that trains run ``run`` alone, with ``train(table, config, initial)``."""
        return TrainConfig(
            **{
                **self.config.__dict__,
                "learning_rate": float(self.learning_rates[run]),
                "seed": int(self.seeds[run]),
            }
        )

    def params_of(self, run: int) -> Params:
        """Final parameters of run ``run``."""
        return Params(tuple(W[run] for W in self.weights), tuple(b[run] for b in self.biases))


def grid(learning_rates: Sequence[float], seeds: Sequence[int]) -> tuple[FloatArray, IntArray]:
    """Every (learning rate, seed) pair, learning rate varying slowest: arguments for :func:`sweep`."""
    lr, seed = np.meshgrid(np.asarray(learning_rates, dtype=np.float64), np.asarray(seeds), indexing="ij")
    return lr.ravel(), seed.ravel().astype(np.int64)


def _learning_rates(values: object) -> FloatArray:
    lrs = np.atleast_1d(np.asarray(values, dtype=object)).ravel()
    for lr in lrs:
        if isinstance(lr, bool | np.bool_) or not isinstance(lr, numbers.Real) or not math.isfinite(lr):
            raise ConfigError("Learning rates must be finite numbers.", "learning_rates")
        if not 0 < lr <= MAX_LEARNING_RATE:
            raise ConfigError(
                f"Learning rates must be above 0 and at most {MAX_LEARNING_RATE:g}, got {float(lr):g}.",
                "learning_rates",
            )
    return lrs.astype(np.float64)


def _seeds(values: object) -> IntArray:
    seeds = np.atleast_1d(np.asarray(values, dtype=object)).ravel()
    for seed in seeds:
        whole = isinstance(seed, numbers.Integral) and not isinstance(seed, bool | np.bool_)
        if not whole or not 0 <= int(seed) <= MAX_SEED:
            raise ConfigError(f"Seeds must be whole numbers from 0 to {MAX_SEED:,}.", "seeds")
    return seeds.astype(np.int64)


def sweep(
    table: TruthTable,
    config: TrainConfig = _NOTEBOOK_CONFIG,
    learning_rates: Sequence[float] | FloatArray | None = None,
    seeds: Sequence[int] | IntArray | None = None,
    *,
    initial: Params | None = None,
    curve_points: int = DEFAULT_CURVE_POINTS,
    progress: Callable[[int, int], None] | None = None,
) -> Sweep:
    """Train one run per learning rate (and/or seed), all together.

    Parameters
    ----------
    table : the truth table, X (n_rows, n_inputs) and y (n_rows, n_outputs)
    config : architecture, iterations and early-stop target shared by every run
    learning_rates : (R,) one per run; None for ``config.learning_rate``; a single value for all runs
    seeds : (R,) one per run, paired with ``learning_rates``; None or a single value for all runs
        (use :func:`grid` for every combination)
    initial : explicit starting parameters for every run, instead of drawing them from the seeds
    curve_points : most loss-curve points kept per run (``recording_schedule``)
    progress : called as ``progress(done, total)`` about a hundred times; an exception it raises stops
    """
    lrs = _learning_rates(config.learning_rate if learning_rates is None else learning_rates)
    run_seeds = _seeds(config.seed if seeds is None else seeds)
    if len(lrs) != len(run_seeds):
        if min(len(lrs), len(run_seeds)) != 1:
            raise ConfigError(
                f"Got {len(lrs)} learning rates and {len(run_seeds)} seeds: give one of each per run, "
                "or a single value of either.",
                "seeds",
            )
        lrs, run_seeds = np.broadcast_arrays(lrs, run_seeds)
        lrs, run_seeds = lrs.copy(), run_seeds.copy()
    R = len(lrs)
    arch = config.architecture(table)
    if not 1 <= R <= MAX_RUNS:
        raise ConfigError(f"A sweep has 1 to {MAX_RUNS} runs, got {R}.", "learning_rates")
    if R * table.n_rows * max(arch.sizes) > MAX_BATCH_VALUES:
        raise ConfigError(f"{R} runs of a {table.n_rows}-row table is too large a sweep.", "learning_rates")
    if not isinstance(curve_points, numbers.Integral) or not 2 <= curve_points <= 100_000:
        raise ConfigError("curve_points must be a whole number from 2 to 100,000.", "curve_points")
    if initial is not None:
        initial = make_params(arch, initial.weights, initial.biases)
        starts = {int(s): initial for s in np.unique(run_seeds)}
    else:
        starts = {int(s): init_params(arch, int(s)) for s in np.unique(run_seeds)}
    W0 = [np.stack([starts[int(s)].weights[layer] for s in run_seeds]) for layer in range(arch.n_layers)]
    b0 = [np.stack([starts[int(s)].biases[layer] for s in run_seeds]) for layer in range(arch.n_layers)]

    n = config.n_iterations
    iterations = recording_schedule(n, int(curve_points))
    report_every = max(1, n // 100)
    stops = set(iterations.tolist())
    if progress is not None:
        stops |= set(range(report_every, n + 1, report_every))
    column = {int(k): t for t, k in enumerate(iterations)}
    runs = _Runs(arch, table, lrs, W0, b0, config.target_loss)
    losses = np.full((R, len(iterations)), np.nan)
    k = 0
    with np.errstate(all="ignore"):
        for stop in sorted(stops):
            if stop > k:
                runs.advance(k, stop - k)
                k = stop
                if progress is not None and k % report_every == 0:
                    progress(k, n)
            if k in column:
                losses[runs.active, column[k]] = runs.losses()[runs.active]
            if not runs.active.any():
                break
        runs.stop(runs.active.copy(), n, _COMPLETED)
        final_loss = _losses(arch, table, runs.final_W, runs.final_b)
    weights, biases = tuple(runs.final_W), tuple(runs.final_b)
    arrays = (lrs, run_seeds, iterations, losses, final_loss, *weights, *biases)
    for array in (*arrays, runs.final_iteration, runs.failed_at):
        array.flags.writeable = False
    return Sweep(
        table=table,
        config=config,
        initial=initial,
        learning_rates=lrs,
        seeds=run_seeds,
        iterations=iterations,
        losses=losses,
        final_loss=final_loss,
        final_iteration=runs.final_iteration,
        status=tuple(_STATUS[s] for s in runs.status),
        failed_at=runs.failed_at,
        weights=weights,
        biases=biases,
    )


def _losses(arch: Architecture, table: TruthTable, weights: Arrays, biases: Arrays) -> FloatArray:
    """E of every run, (R,), at these parameters."""
    _, a = propagate(arch, weights, biases, table.X)
    return losses(a[-1], table.y)


def _finite(weights: Arrays, biases: Arrays) -> NDArray[np.bool_]:
    """(R,) whether each run's weights and biases are all finite."""
    return all_finite(weights, 2) & all_finite(biases, 1)


class _Runs:
    """Every run's parameters, stacked on a leading axis, and how each run ended.

    A run that stops (target reached, or its next update would make a weight non-finite) has its
    parameters copied out; the stack keeps computing it with the others, and its values are ignored.
    """

    def __init__(
        self,
        arch: Architecture,
        table: TruthTable,
        lrs: FloatArray,
        W0: list[FloatArray],
        b0: list[FloatArray],
        target: float | None,
    ) -> None:
        R = len(lrs)
        self.arch, self.table, self.target = arch, table, target
        self.W, self.b = W0, b0
        self.lr_W, self.lr_b = lrs[:, None, None], lrs[:, None]  # each run its own learning rate
        self.active = np.ones(R, dtype=bool)
        self.status = np.full(R, _COMPLETED, dtype=np.int8)
        self.final_iteration = np.full(R, -1, dtype=np.int64)
        self.failed_at = np.full(R, -1, dtype=np.int64)
        self.final_W = [np.empty_like(W) for W in self.W]
        self.final_b = [np.empty_like(b) for b in self.b]

    def losses(self) -> FloatArray:
        """E of every run, (R,), at the current parameters."""
        return _losses(self.arch, self.table, self.W, self.b)

    def stop(self, runs: NDArray[np.bool_], k: int, status: int) -> None:
        """Stop ``runs`` at iteration ``k``, with their current parameters."""
        for final, p in zip((*self.final_W, *self.final_b), (*self.W, *self.b), strict=True):
            final[runs] = p[runs]
        self.final_iteration[runs] = k
        self.status[runs] = status
        if status == _NON_FINITE:
            self.failed_at[runs] = k + 1
        self.active &= ~runs

    def advance(self, k: int, m: int) -> None:
        """``m`` iterations from iteration ``k``. Runs stop before an update when their loss is at most
        the target, or before one that would make one of their weights non-finite."""
        start, active = (self.W, self.b), self.active.copy()
        self._descend(k, m, check_each=False)
        ended = active & ~self.active  # reached the target on the way: their state is the one copied out
        finite = np.where(ended, _finite(self.final_W, self.final_b), _finite(self.W, self.b))
        if (active & ~finite).any():
            # Some run's values became infinite or NaN on the way, and stayed so (inf and nan propagate
            # through p - lr * g): redo the stretch checking every update, to stop before the one that did it.
            (self.W, self.b), self.active = start, active
            self._descend(k, m, check_each=True)

    def _descend(self, k: int, m: int, check_each: bool) -> None:
        arch, X, y = self.arch, self.table.X, self.table.y
        for i in range(m):
            _, a = propagate(arch, self.W, self.b, X)  # forward pass of every run: X @ W is (R, rows, n)
            if self.target is not None:
                reached = self.active & (losses(a[-1], y) <= self.target)
                if reached.any():
                    self.stop(reached, k + i, _TARGET)
            if not self.active.any():
                return
            _, dW, db = backpropagate(arch, self.W, a, y)
            new_W = descend(self.W, dW, self.lr_W)
            new_b = descend(self.b, db, self.lr_b) if arch.use_bias else self.b
            if check_each:
                failed = self.active & ~_finite(new_W, new_b)
                if failed.any():
                    self.stop(failed, k + i, _NON_FINITE)
            self.W, self.b = new_W, new_b
