"""Sweeps: many runs trained together give the numbers of the same runs trained one by one.

A sweep calls network.py's functions with a leading axis of runs (batched matrix products), and NumPy
computes each run of the batch as it computes that run alone: bit for bit ``train``'s numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from backprop.datasets import DataSpec, generate
from backprop.errors import ConfigError
from backprop.limits import MAX_LEARNING_RATE
from backprop.network import make_params
from backprop.sweep import MAX_RUNS, Sweep, grid, sweep
from backprop.table import PRESETS, TruthTable
from backprop.trainer import Run, TrainConfig, train

NOTEBOOK = PRESETS["notebook"].table
# Weights overflow at the second update for some learning rates and seeds, not for others.
OVERFLOWING = TruthTable([[-5.090274540348806e305], [1.4139051212580677e306]], [[1.0], [1.0]])


def _separately(result: Sweep) -> list[Run]:
    """Each run of the sweep trained alone."""
    return [train(result.table, result.config_of(r), result.initial) for r in range(result.n_runs)]


def _assert_matches_separate_runs(result: Sweep, runs: list[Run], atol: float = 0.0) -> None:
    for r, run in enumerate(runs):
        assert result.status[r] == run.status
        assert result.final_iteration[r] == run.final.iteration
        assert result.failed_at[r] == (-1 if run.failed_at is None else run.failed_at)
        for got, want in zip(result.params_of(r).weights, run.final.params.weights, strict=True):
            np.testing.assert_allclose(got, want, rtol=0, atol=atol)
        for got, want in zip(result.params_of(r).biases, run.final.params.biases, strict=True):
            np.testing.assert_allclose(got, want, rtol=0, atol=atol)
        assert result.final_loss[r] == pytest.approx(run.final.loss, rel=0, abs=atol)
        # the run's own history has every iteration of the sweep's curve up to where it stopped
        recorded = {s.iteration: s.loss for s in run.history}
        for t, k in enumerate(result.iterations.tolist()):
            if k <= run.final.iteration:
                assert result.losses[r, t] == pytest.approx(recorded[k], rel=0, abs=atol)
            else:
                assert np.isnan(result.losses[r, t])


def test_256_learning_rates_on_the_notebook_match_256_separate_runs() -> None:
    config = TrainConfig(history_size=200)
    result = sweep(NOTEBOOK, config, np.geomspace(0.01, 100, 256), curve_points=200)
    assert result.n_runs == 256 and result.losses.shape == (256, len(result.iterations))
    assert result.iterations[0] == 0 and result.iterations[-1] == 10_000
    _assert_matches_separate_runs(result, _separately(result))
    notebook = int(np.argmin(np.abs(result.learning_rates - 1.0)))
    assert result.learning_rates[notebook] != 1.0  # geomspace misses 1: check the notebook itself below
    single = sweep(NOTEBOOK, config, [1.0])
    assert round(float(1 / (1 + np.exp(-single.weights[0][0, 0, 0]))), 8) == 0.99993703


@pytest.mark.parametrize(
    ("table", "config"),
    [
        (PRESETS["xor"].table, TrainConfig(n_iterations=600, hidden=(2,), history_size=50)),
        (
            PRESETS["half-adder"].table,
            TrainConfig(n_iterations=400, hidden=(3, 2), activation="tanh", use_bias=True, history_size=30),
        ),
        (PRESETS["and"].table, TrainConfig(n_iterations=500, use_bias=True, history_size=40)),
        (
            PRESETS["parity3"].table,
            TrainConfig(n_iterations=300, hidden=(4,), activation="relu", history_size=20),
        ),
    ],
)
def test_seeds_and_learning_rates_match_separate_runs(table: TruthTable, config: TrainConfig) -> None:
    lrs, seeds = grid([0.3, 1.0, 4.0], range(8))
    result = sweep(table, config, lrs, seeds, curve_points=config.history_size)
    assert result.n_runs == 24
    assert result.learning_rates.tolist() == [lr for lr in (0.3, 1.0, 4.0) for _ in range(8)]
    assert result.seeds.tolist() == list(range(8)) * 3
    _assert_matches_separate_runs(result, _separately(result))


def test_target_loss_stops_each_run_at_its_own_iteration() -> None:
    config = TrainConfig(n_iterations=3000, target_loss=0.01, history_size=100)
    result = sweep(NOTEBOOK, config, [0.05, 0.5, 2.0, 8.0, 30.0], curve_points=100)
    runs = _separately(result)
    assert {run.status for run in runs} == {"completed", "target_reached"}
    assert result.final_iteration.tolist() == [3000, 329, 81, 18, 4]
    _assert_matches_separate_runs(result, runs)


def test_target_loss_with_hidden_layers() -> None:
    config = TrainConfig(n_iterations=2000, hidden=(3,), target_loss=0.1, history_size=60)
    result = sweep(PRESETS["xor"].table, config, [0.5, 2.0, 5.0], [1, 2, 3], curve_points=60)
    _assert_matches_separate_runs(result, _separately(result))


def test_runs_whose_weights_overflow_stop_before_the_bad_update() -> None:
    config = TrainConfig(n_iterations=100, hidden=(3,), activation="relu", use_bias=True, history_size=20)
    lrs, seeds = grid([0.1, 10.0, 100.0], [57, 1, 3])
    result = sweep(OVERFLOWING, config, lrs, seeds, curve_points=20)
    runs = _separately(result)
    assert {run.status for run in runs} == {"completed", "non_finite"}
    _assert_matches_separate_runs(result, runs)
    for r in np.flatnonzero(result.failed_at > 0):
        assert all(np.isfinite(W[r]).all() for W in result.weights)


def test_explicit_initial_weights_overflowing_at_the_first_update() -> None:
    table = TruthTable([[1.0]], [[1.0]])
    config = TrainConfig(n_iterations=50, hidden=(2,), activation="relu", history_size=10)
    initial = make_params(config.architecture(table), [[[1.0, 1.0]], [[1e308], [-1e308]]])
    result = sweep(table, config, [1e-300, 100.0], initial=initial, curve_points=10)
    assert result.status == ("completed", "non_finite")
    assert result.failed_at.tolist() == [-1, 1] and result.final_iteration.tolist() == [50, 0]
    assert np.isnan(result.losses[1, 1:]).all() and np.isfinite(result.losses[1, 0])
    _assert_matches_separate_runs(result, _separately(result))


# --- the training options: features, a test split, mini-batches, L1/L2 ------------------------------

GENERATED = generate(DataSpec("xor", 40, 0.2, 3))
DEEP_TANH = {"hidden": (5, 4, 3), "activation": "tanh", "use_bias": True, "history_size": 30}


@pytest.mark.parametrize(
    "options",
    [
        {"features": ("x1sq", "x1x2", "sinx2")},
        {"test_fraction": 0.25},  # each seed draws its own test rows: X is gathered per run
        {"batch_size": 7},  # each seed reshuffles the rows in its own order every epoch
        {"batch_size": 1},
        {"regularization": "l2", "reg_rate": 0.05},
        {"regularization": "l1", "reg_rate": 0.05},  # the proximal step, with each run's learning rate
        {
            "features": ("x2sq", "sinx1"),
            "test_fraction": 0.3,
            "batch_size": 6,
            "regularization": "l1",
            "reg_rate": 0.02,
        },
    ],
    ids=["features", "test-split", "batch-7", "online", "l2", "l1", "all"],
)
def test_training_options_match_separate_runs(options: dict) -> None:
    config = TrainConfig(learning_rate=0.05, n_iterations=120, **DEEP_TANH, **options)
    lrs, seeds = grid([0.02, 0.2], [0, 1, 5])
    result = sweep(GENERATED, config, lrs, seeds, curve_points=30)
    runs = _separately(result)
    _assert_matches_separate_runs(result, runs)
    # the options did something: runs of different seeds saw different rows, or a penalty moved weights
    assert len({run.final.loss for run in runs}) == len(runs)


def test_a_learning_rate_sweep_with_batches_and_a_test_split_shares_one_seeds_rows() -> None:
    config = TrainConfig(n_iterations=200, **DEEP_TANH, test_fraction=0.5, batch_size=5, seed=9)
    result = sweep(GENERATED, config, [0.01, 0.1, 1.0], curve_points=30)
    assert result.seeds.tolist() == [9, 9, 9]
    _assert_matches_separate_runs(result, _separately(result))


def test_target_loss_with_batches_is_checked_on_all_training_rows() -> None:
    config = TrainConfig(n_iterations=400, hidden=(4,), batch_size=3, target_loss=4.0, history_size=50)
    result = sweep(GENERATED, config, [0.1, 1.0, 3.0], [2, 3, 4], curve_points=50)
    runs = _separately(result)
    assert {run.status for run in runs} == {"completed", "target_reached"}
    _assert_matches_separate_runs(result, runs)


def test_a_batch_larger_than_the_training_rows_is_refused() -> None:
    config = TrainConfig(n_iterations=5, batch_size=35, test_fraction=0.25)
    with pytest.raises(ConfigError, match="at most the 30 training rows") as info:
        sweep(GENERATED, config, [0.1, 1.0])
    assert info.value.field == "batch_size"


def test_single_values_broadcast_and_arrays_are_read_only() -> None:
    result = sweep(NOTEBOOK, TrainConfig(n_iterations=50, seed=3), [0.5, 1.0, 2.0])
    assert result.seeds.tolist() == [3, 3, 3]
    result = sweep(NOTEBOOK, TrainConfig(n_iterations=50, learning_rate=2.0), seeds=[1, 2])
    assert result.learning_rates.tolist() == [2.0, 2.0]
    for array in (result.losses, result.final_loss, result.weights[0], result.failed_at, result.iterations):
        with pytest.raises(ValueError, match="read-only"):
            array.flat[0] = 0


def test_progress_is_reported_like_train() -> None:
    seen: list[tuple[int, int]] = []
    sweep(NOTEBOOK, TrainConfig(n_iterations=1000), [1.0, 2.0], progress=lambda d, t: seen.append((d, t)))
    assert seen == [(k, 1000) for k in range(10, 1001, 10)]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"learning_rates": [1.0, 0.0]}, "learning_rates"),
        ({"learning_rates": [1.0, float("nan")]}, "learning_rates"),
        ({"learning_rates": [101.0]}, "learning_rates"),
        ({"learning_rates": [True]}, "learning_rates"),
        ({"learning_rates": np.ones(MAX_RUNS + 1)}, "learning_rates"),
        ({"learning_rates": [1.0, 2.0], "seeds": [1, 2, 3]}, "seeds"),
        ({"seeds": [-1]}, "seeds"),
        ({"seeds": [1.5]}, "seeds"),
        ({"curve_points": 1}, "curve_points"),
    ],
)
def test_bad_sweeps_are_config_errors_naming_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        sweep(NOTEBOOK, TrainConfig(n_iterations=5), **kwargs)
    assert info.value.field == field


# --- the overshoot preset: too large a step, seen in the page's sweep ---------------------------------


def _page_grid() -> list[float]:
    """The learning rates the page's sweep tab trains at lr 1: 64 from 0.01 to 100, log-spaced, and 1."""
    return sorted({*np.geomspace(0.01, MAX_LEARNING_RATE, 64).tolist(), 1.0})


def _rises(curve: np.ndarray, start: float) -> np.ndarray:
    """Where a recorded loss curve goes up by more than 1 % (and more than rounding noise)."""
    step = np.diff(curve)
    return (step > 0.01 * curve[:-1]) & (step > 1e-9 * start)


@pytest.fixture(scope="module")
def overshoot_sweep() -> Sweep:
    return sweep(PRESETS["overshoot"].table, TrainConfig(), _page_grid())


def test_overshoot_preset_small_steps_descend_and_large_ones_overshoot_oscillate_and_diverge(
    overshoot_sweep: Sweep,
) -> None:
    result = overshoot_sweep
    start = result.losses[0, 0]
    assert np.all(result.losses[:, 0] == start)  # one seed: every run starts at the same weights
    assert all(status == "completed" for status in result.status)  # a sigmoid unit's weights stay finite
    lrs = result.learning_rates
    rose = np.array([_rises(curve, start).any() for curve in result.losses])
    tail = len(result.iterations) * 3 // 4
    bouncing = np.array([_rises(curve[tail:], start).sum() >= 2 for curve in result.losses])
    worse = result.final_loss > start
    converged = result.final_loss < 1e-12 * start
    # up to lr 1 every loss falls all the way, and lr 1 fits the table
    assert not rose[lrs <= 1].any() and converged[lrs == 1].all()
    # overshoot: the loss rose on the way, yet the run converged
    overshot = rose & converged
    assert overshot.sum() >= 3
    # oscillation: still going up and down over the last quarter of training, well below the start
    oscillating = bouncing & ~worse
    assert oscillating.sum() >= 5
    # divergence: the largest steps end above the loss they started from
    assert worse[-5:].all() and lrs[-1] == MAX_LEARNING_RATE
    # ... in that order as the step grows
    assert lrs[overshot].min() < lrs[oscillating].min() < lrs[worse].min()
    assert lrs[overshot].max() < lrs[oscillating].min() and lrs[oscillating].max() < lrs[worse].min()


def test_overshoot_preset_largest_step_jumps_to_where_the_sigmoid_is_flat(overshoot_sweep: Sweep) -> None:
    result = overshoot_sweep
    run = train(result.table, result.config_of(result.n_runs - 1))
    first = run.history[1]
    assert first.loss > 2 * run.history[0].loss  # the very first update overshoots
    slope = run.final.output * (1 - run.final.output)
    assert np.all(slope < 1e-6)  # every row on a flat part of the sigmoid: its gradient vanishes
    assert run.final.loss > run.history[0].loss  # stuck worse than the start
