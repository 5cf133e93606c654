"""The library's figures: the trainer on the notebook's experiment, a 256-run sweep, a large network."""

from __future__ import annotations

import gc
import itertools
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from backprop.sweep import sweep
from backprop.table import PRESETS, TruthTable
from backprop.trainer import TrainConfig, train
from benchmarks import anchors

NOTEBOOK = PRESETS["notebook"].table


@dataclass(frozen=True)
class Timing:
    """CPU seconds per call of a subject and of the notebook's loop, measured alternately."""

    subject: list[float]
    notebook: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.subject)

    @property
    def notebook_median(self) -> float:
        return statistics.median(self.notebook)

    @property
    def ratio(self) -> float:
        """Subject time over notebook-loop time (below 1: faster than the notebook)."""
        return self.median / self.notebook_median


def seconds(fn: Callable[[], object]) -> float:
    """CPU time of this process during ``fn()``: on a shared machine, waiting for a CPU is not counted.
    (NumPy's BLAS runs these small products on the calling thread.)"""
    start = time.process_time()
    fn()
    return time.process_time() - start


def wall_seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(subject: Callable[[], object], repeats: int) -> Timing:
    """Time ``subject`` and the notebook's loop in turn, ``repeats`` times each, after one warm-up of
    each: whatever else the machine is doing falls on both alike."""
    subject()
    anchors.notebook_run()
    pairs = [(seconds(subject), seconds(anchors.notebook_run)) for _ in range(repeats)]
    return Timing([s for s, _ in pairs], [n for _, n in pairs])


def notebook_loop(repeats: int) -> list[float]:
    anchors.notebook_run()
    return [seconds(anchors.notebook_run) for _ in range(repeats)]


def train_notebook(repeats: int) -> dict[str, object]:
    """``train`` on the notebook's experiment with its full recorded history (1,000 snapshots)."""
    timing = alternate(lambda: train(NOTEBOOK, TrainConfig()), repeats)
    run = train(NOTEBOOK, TrainConfig())
    weights = anchors.notebook_run()
    return {
        "timing": timing,
        "snapshots": len(run.history),
        "max_abs_diff": float(np.abs(run.final.params.weights[0] - weights).max()),
        "bitwise": bool(np.array_equal(run.final.params.weights[0], weights)),
        "prediction": float(run.predict([1, 0, 0])[0, 0]),
    }


SWEEP_LEARNING_RATES = np.geomspace(0.01, 100.0, 256)


def sweep_notebook(repeats: int, checked_runs: int) -> dict[str, object]:
    """256 learning rates of the notebook's experiment trained together; ``checked_runs`` of them (evenly
    spread) are compared with separate ``train`` runs."""
    config = TrainConfig()
    timing = alternate(lambda: sweep(NOTEBOOK, config, SWEEP_LEARNING_RATES), repeats)
    result = sweep(NOTEBOOK, config, SWEEP_LEARNING_RATES)
    worst = 0.0
    for r in np.linspace(0, result.n_runs - 1, checked_runs).round().astype(int):
        run = train(NOTEBOOK, result.config_of(int(r)))
        worst = max(worst, float(np.abs(run.final.params.weights[0] - result.weights[0][r]).max()))
        worst = max(worst, abs(run.final.loss - float(result.final_loss[r])))
    return {"timing": timing, "runs": result.n_runs, "checked_runs": checked_runs, "max_abs_diff": worst}


def eight_input_table() -> TruthTable:
    """All 256 rows of 8 binary inputs; the target is 1 when at least 4 of them are."""
    X = np.array(list(itertools.product([0.0, 1.0], repeat=8)))
    return TruthTable(X, (X.sum(axis=1) >= 4).astype(float)[:, None])


SCALE_CONFIG = TrainConfig(learning_rate=0.5, n_iterations=100_000, hidden=(8, 8))


def scale(n_iterations: int) -> dict[str, object]:
    """Two hidden layers of 8 on the 8-input table: time, then peak memory (tracemalloc) in a second run."""
    table = eight_input_table()
    config = TrainConfig(**{**SCALE_CONFIG.__dict__, "n_iterations": n_iterations})
    train(table, TrainConfig(**{**config.__dict__, "n_iterations": 10}))  # warm-up
    gc.collect()
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    train(table, config)
    elapsed, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    run = train(table, config)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": elapsed,
        "wall_seconds": wall,
        "n_iterations": n_iterations,
        "snapshots": len(run.history),
        "status": run.status,
        "final_loss": run.final.loss,
        "peak_mb": (peak - before) / 1e6,
        "kept_mb": (current - before) / 1e6,
    }


def torch_anchor(repeats: int) -> dict[str, object] | None:
    """The notebook's loop in PyTorch on the CPU, or None when torch is not installed."""
    if not anchors.torch_available():
        return None
    timing = alternate(anchors.torch_run, repeats)
    diff = float(np.abs(anchors.torch_run() - anchors.notebook_run()).max())
    return {"timing": timing, "max_abs_diff": diff}
