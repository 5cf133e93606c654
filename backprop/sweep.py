"""Many training runs at once: one table and network at many learning rates and/or seeds.

The runs' parameters are stacked along a leading axis and network.py's functions train them together
(batched matrix products), so one NumPy call advances all of them. Each run follows ``train``'s rules
(initial weights from its seed, the same update, an early stop at ``target_loss``, a stop before an
update that would make a weight non-finite), and NumPy computes each run of the batch as it would alone,
so run ``r`` gives bit for bit the numbers ``train(table, sweep.config_of(r))`` gives
(tests/test_sweep.py). Every option of TrainConfig applies: derived features, a test split and the
batches' order drawn from each run's seed (runs with different seeds train on their own rows: the rows
are gathered per run, X becomes (R, rows, inputs)), and L1 or L2 with each run's learning rate. Only a
loss curve on the training rows is kept per run (at most ``curve_points`` iterations) and the final
parameters: to look inside one run, train it again with ``config_of``.
"""

from __future__ import annotations

import dataclasses
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
    regularized_descend,
)
from backprop.table import TruthTable
from backprop.trainer import (
    Status,
    TrainConfig,
    epoch_order,
    recording_schedule,
    split_table,
    updates_per_epoch,
)

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

    Arrays are indexed by run first. ``losses[r, t]`` is run ``r``'s loss on its training rows after
    ``iterations[t]`` updates, NaN once the run has stopped (target reached, or its next update would
    have made a weight non-finite); ``final_loss[r]`` is its loss at ``final_iteration[r]``.
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
    config : architecture, iterations, early-stop target and training options shared by every run
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
    data = _Rows(table, config, run_seeds)
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
    runs = _Runs(arch, data, config, lrs, W0, b0)
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
        final_loss = _losses(arch, data.X, data.y, runs.final_W, runs.final_b)
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


def _losses(arch: Architecture, X: FloatArray, y: FloatArray, weights: Arrays, biases: Arrays) -> FloatArray:
    """E of every run on its training rows ``X``, ``y``, (R,), at these parameters."""
    _, a = propagate(arch, weights, biases, X)
    return losses(a[-1], y)


class _Rows:
    """The training rows of every run, and each update's batch of them, as ``train`` draws them.

    ``X`` and ``y`` are (rows, n) when every run trains on the same rows (no test split, or one seed),
    else (R, rows, n): the split is drawn from each run's seed. A batch is gathered per run the same way:
    each seed reshuffles the rows every epoch (trainer.epoch_order).
    """

    def __init__(self, table: TruthTable, config: TrainConfig, run_seeds: IntArray) -> None:
        seeds, self.of_run = np.unique(run_seeds, return_inverse=True)
        self.seeds = seeds.tolist()
        tables = [split_table(table, dataclasses.replace(config, seed=seed))[0] for seed in self.seeds]
        self.n_rows, self.batch_size = tables[0].n_rows, config.batch_size
        if self.batch_size is not None and self.batch_size > self.n_rows:
            raise ConfigError(
                f"Batch size must be at most the {self.n_rows} training rows, got {self.batch_size}.",
                "batch_size",
            )
        self.shared = len(tables) == 1 or config.test_fraction == 0  # every run on the same rows
        if self.shared:
            self.X, self.y = tables[0].X, tables[0].y
        else:
            self.X = np.stack([tables[i].X for i in self.of_run])
            self.y = np.stack([tables[i].y for i in self.of_run])
        self.per_epoch = updates_per_epoch(self.n_rows, self.batch_size)
        self.full_batch = self.per_epoch == 1
        self._epoch, self._orders = -1, np.empty((0, 0), dtype=np.int64)

    def batch(self, k: int) -> tuple[FloatArray, FloatArray]:
        """Inputs and targets of update ``k``: (batch, n) when the runs share them, else (R, batch, n)."""
        if self.full_batch:
            return self.X, self.y
        epoch, batch = divmod(k, self.per_epoch)
        if epoch != self._epoch:  # each seed's order of the rows in this epoch, (seeds, n_rows)
            self._epoch = epoch
            self._orders = np.stack([epoch_order(self.n_rows, seed, epoch) for seed in self.seeds])
        assert self.batch_size is not None
        rows = self._orders[:, batch * self.batch_size : (batch + 1) * self.batch_size]
        if len(self.seeds) == 1:
            return self.X[rows[0]], self.y[rows[0]]
        rows = rows[self.of_run]  # (R, batch)
        if self.shared:
            return self.X[rows], self.y[rows]
        runs = np.arange(len(rows))[:, None]
        return self.X[runs, rows], self.y[runs, rows]


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
        data: _Rows,
        config: TrainConfig,
        lrs: FloatArray,
        W0: list[FloatArray],
        b0: list[FloatArray],
    ) -> None:
        R = len(lrs)
        self.arch, self.data, self.target = arch, data, config.target_loss
        self.penalized, self.regularization, self.reg_rate = (
            config.penalized,
            config.regularization,
            config.reg_rate,
        )
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
        return _losses(self.arch, self.data.X, self.data.y, self.W, self.b)

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
        arch, data, X, y, full_batch = self.arch, self.data, self.data.X, self.data.y, self.data.full_batch
        penalized, regularization, rate = self.penalized, self.regularization, self.reg_rate
        for i in range(m):
            a: list[FloatArray] | None = None
            if self.target is not None:  # the loss on all training rows, as train() checks it
                _, a = propagate(arch, self.W, self.b, X)
                reached = self.active & (losses(a[-1], y) <= self.target)
                if reached.any():
                    self.stop(reached, k + i, _TARGET)
            if not self.active.any():
                return
            X_k, y_k = (X, y) if full_batch else data.batch(k + i)
            if a is None or not full_batch:
                _, a = propagate(arch, self.W, self.b, X_k)  # every run: X @ W is (R, rows, n)
            _, dW, db = backpropagate(arch, self.W, a, y_k)
            if penalized:
                new_W = regularized_descend(self.W, dW, self.lr_W, regularization, rate)
            else:
                new_W = descend(self.W, dW, self.lr_W)
            new_b = descend(self.b, db, self.lr_b) if arch.use_bias else self.b
            if check_each:
                failed = self.active & ~_finite(new_W, new_b)
                if failed.any():
                    self.stop(failed, k + i, _NON_FINITE)
            self.W, self.b = new_W, new_b
