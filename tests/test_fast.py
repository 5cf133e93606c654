"""The two inner loops: straight-line Python (backprop/fast.py) and NumPy in place give the same runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backprop import fast
from backprop.network import (
    Architecture,
    Params,
    apply_update,
    backward,
    forward,
    init_params,
    make_params,
)
from backprop.table import PRESETS, TruthTable
from backprop.trainer import Run, TrainConfig, _NumpyLoop, _train, take_snapshot, train

NOTEBOOK = PRESETS["notebook"].table
# Inputs that are not 0 or 1 (inexact products), a constant column, targets inside (0, 1).
ODD = TruthTable(
    [[0.5, -1.25, 1.0], [0.3, 2.0, 1.0], [-0.7, 0.1, 1.0], [1.0, 0.0, 1.0], [0.0, 0.0, 1.0]],
    [[0.25, 1.0], [0.75, 0.0], [0.5, 0.5], [1.0, 0.1], [0.0, 0.9]],
)
SINGLE = TruthTable([[1.0]], [[1.0]])
XOR = PRESETS["xor"].table

# (table, config): every table shape, activation, bias setting, early stop, and learning rates from
# gentle to large. All train to the same numbers on both paths within 1e-12.
CASES = [
    (NOTEBOOK, TrainConfig()),
    (NOTEBOOK, TrainConfig(learning_rate=0.1, n_iterations=1500, seed=3)),
    (NOTEBOOK, TrainConfig(learning_rate=50.0, n_iterations=1500, seed=1)),
    (NOTEBOOK, TrainConfig(n_iterations=5000, target_loss=0.01)),
    (NOTEBOOK, TrainConfig(n_iterations=1500, use_bias=True, history_size=37)),
    (PRESETS["and"].table, TrainConfig(learning_rate=2.0, n_iterations=1500, seed=5)),
    (PRESETS["xor"].table, TrainConfig(learning_rate=1.0, n_iterations=1500, hidden=(2,), seed=2)),
    (PRESETS["xor"].table, TrainConfig(n_iterations=1500, hidden=(3,), activation="tanh", use_bias=True)),
    (
        PRESETS["xor"].table,
        TrainConfig(learning_rate=0.5, n_iterations=999, hidden=(4, 2), activation="relu"),
    ),
    (PRESETS["xor"].table, TrainConfig(n_iterations=1500, hidden=(3,), target_loss=0.05, seed=4)),
    (PRESETS["half-adder"].table, TrainConfig(n_iterations=1500, hidden=(3,), use_bias=True, seed=8)),
    (PRESETS["majority"].table, TrainConfig(learning_rate=0.8, n_iterations=1500, hidden=(2, 2), seed=6)),
    (PRESETS["parity3"].table, TrainConfig(learning_rate=2.0, n_iterations=1500, hidden=(4,), seed=1)),
    (ODD, TrainConfig(learning_rate=0.7, n_iterations=1500, hidden=(3,), activation="tanh", use_bias=True)),
    (ODD, TrainConfig(learning_rate=3.0, n_iterations=1500, use_bias=True, seed=11)),
    (SINGLE, TrainConfig(n_iterations=500, hidden=(1,), activation="relu", use_bias=True)),
]


def _fields(run: Run) -> list[np.ndarray]:
    """Every recorded number of a run, one stacked array per snapshot field."""
    h = run.history
    fields = [np.array([s.loss for s in h]), np.stack([s.output for s in h])]
    for layer in range(run.arch.n_layers):
        for part in ("weights", "biases", "delta", "dW", "db"):
            owner = "params" if part in ("weights", "biases") else "grads"
            fields.append(np.stack([getattr(getattr(s, owner), part)[layer] for s in h]))
    return fields


def _assert_same_run(a: Run, b: Run, atol: float = 1e-12) -> None:
    assert (a.status, a.failed_at) == (b.status, b.failed_at)
    np.testing.assert_array_equal(a.iterations, b.iterations)
    for x, y in zip(_fields(a), _fields(b), strict=True):
        np.testing.assert_allclose(x, y, rtol=0, atol=atol)


@pytest.mark.parametrize(("table", "config"), CASES)
def test_python_and_numpy_paths_give_the_same_run(table: TruthTable, config: TrainConfig) -> None:
    _assert_same_run(_train(table, config, None, None, "python"), _train(table, config, None, None, "numpy"))


def test_a_sensitive_run_agrees_until_its_plateau_then_both_paths_converge() -> None:
    """The limit of "the same numbers": where training balances on a plateau, the last-bit differences
    between math.exp and NumPy's vectorised exp decide which way it falls (as they would between two
    NumPy builds). The paths agree to 1e-12 up to there and end equally well trained."""
    config = TrainConfig(learning_rate=2.0, n_iterations=1500, hidden=(4,), seed=7)
    table = PRESETS["parity3"].table
    a, b = (_train(table, config, None, None, engine) for engine in ("python", "numpy"))
    for sa, sb in zip(a.history[:100], b.history[:100], strict=True):
        np.testing.assert_allclose(sa.params.weights[0], sb.params.weights[0], rtol=0, atol=1e-12)
    assert a.status == b.status == "completed"
    assert a.final.loss == pytest.approx(b.final.loss, abs=1e-4)


def test_python_path_matches_the_notebook_loop() -> None:
    rng = np.random.RandomState(0)
    weights = 2 * rng.random_sample((3, 1)) - 1
    X, y = NOTEBOOK.X, NOTEBOOK.y
    for _ in range(10_000):
        layer1 = 1 / (1 + np.exp(-np.dot(X, weights)))
        weights += 1.0 * np.dot(X.T, (y - layer1) * (layer1 * (1 - layer1)))
    run = _train(NOTEBOOK, TrainConfig(), None, None, "python")
    np.testing.assert_allclose(run.final.params.weights[0], weights, rtol=0, atol=1e-12)


def _reference(table: TruthTable, config: TrainConfig, n: int) -> list[np.ndarray]:
    """network.py's functions, one iteration at a time: the loop the trainer had before it was tuned."""
    arch = config.architecture(table)
    params = init_params(arch, config.seed)
    with np.errstate(all="ignore"):
        for _ in range(n):
            grads = backward(arch, params, forward(arch, params, table.X), table.y)
            params = apply_update(arch, params, grads, config.learning_rate)
    return [*params.weights, *params.biases]


@pytest.mark.parametrize(("table", "config"), CASES[::3])
def test_numpy_path_is_bit_for_bit_network_py(table: TruthTable, config: TrainConfig) -> None:
    config = TrainConfig(**{**config.__dict__, "n_iterations": 300, "target_loss": None})
    run = _train(table, config, None, None, "numpy")
    for got, expected in zip(
        (*run.final.params.weights, *run.final.params.biases), _reference(table, config, 300), strict=True
    ):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("engine", ["python", "numpy"])
def test_snapshots_are_bit_for_bit_take_snapshot(engine: str) -> None:
    for table, config in [CASES[4], CASES[7], CASES[13]]:
        run = _train(table, config, None, None, engine)
        for snapshot in (*run.history[::97], run.final):
            fresh = take_snapshot(run.arch, snapshot.params, table, snapshot.iteration)
            assert snapshot.loss == fresh.loss
            for x, y in zip(
                (snapshot.output, *snapshot.grads.delta, *snapshot.grads.dW, *snapshot.grads.db),
                (fresh.output, *fresh.grads.delta, *fresh.grads.dW, *fresh.grads.db),
                strict=True,
            ):
                np.testing.assert_array_equal(x, y)


def _diverging(case: int) -> tuple[TruthTable, TrainConfig, Params]:
    """ReLU runs whose weights overflow: at the first update, and at the second (found by search: with
    a sigmoid output, growing weights saturate it and stop their own growth, so overflow comes early)."""
    if case == 1:
        table = TruthTable([[1.0]], [[1.0]])
        config = TrainConfig(learning_rate=100, n_iterations=50, hidden=(2,), activation="relu")
        return table, config, make_params(config.architecture(table), [[[1.0, 1.0]], [[1e308], [-1e308]]])
    table = TruthTable([[-5.090274540348806e305], [1.4139051212580677e306]], [[1.0], [1.0]])
    config = TrainConfig(
        learning_rate=100, n_iterations=100, seed=57, hidden=(3,), activation="relu", use_bias=True
    )
    return table, config, init_params(config.architecture(table), config.seed)


@pytest.mark.parametrize("case", [1, 2])
@pytest.mark.parametrize("history_size", [1000, 2])
def test_non_finite_runs_stop_at_the_same_update_on_both_paths(case: int, history_size: int) -> None:
    """With history_size=2 the whole run is one unchecked stretch: the failing update is found on replay."""
    table, config, initial = _diverging(case)
    config = TrainConfig(**{**config.__dict__, "history_size": history_size})
    a = _train(table, config, initial, None, "python")
    b = _train(table, config, initial, None, "numpy")
    assert a.status == "non_finite" and a.failed_at == case
    assert a.final.iteration == case - 1 and a.final.params.is_finite()
    assert [s.iteration for s in a.history] == list(range(case))
    _assert_same_run(a, b, atol=0)


def test_progress_calls_are_the_same_on_both_paths() -> None:
    for table, config in [CASES[3], CASES[9], (NOTEBOOK, TrainConfig(n_iterations=1234, history_size=10))]:
        calls: dict[str, list[tuple[int, int]]] = {"python": [], "numpy": []}
        for engine, seen in calls.items():
            _train(table, config, None, lambda d, t, seen=seen: seen.append((d, t)), engine)
        assert calls["python"] == calls["numpy"]
        every = max(1, config.n_iterations // 100)
        assert all(d % every == 0 for d, _ in calls["python"])


def test_train_picks_python_for_small_networks_and_numpy_for_large() -> None:
    assert fast.fits(Architecture(3), NOTEBOOK, 1.0)
    bits = np.array([[(i >> j) & 1 for j in range(8)] for i in range(256)], dtype=float)
    big = TruthTable(bits, bits[:, :1])
    assert not fast.fits(Architecture(8, 1, (8, 8)), big, 1.0)
    config = TrainConfig(n_iterations=20, hidden=(8, 8))
    _assert_same_run(train(big, config), _train(big, config, None, None, "numpy"), atol=0)


@pytest.mark.parametrize("n", [*range(1, 20), 64, 127, 128, 129, 130, 255, 256, 300, 1024])
def test_pairwise_sum_adds_in_numpys_order(n: int) -> None:
    rng = np.random.RandomState(n)
    values = rng.standard_normal(n) * 10.0 ** rng.randint(-9, 9, n)
    names = [f"v{i}" for i in range(n)]
    total = eval(fast.pairwise_sum(names), {}, dict(zip(names, values.tolist(), strict=True)))
    assert total == float(np.sum(values))


@pytest.mark.parametrize(("rows", "columns"), [(1, 1), (4, 1), (9, 1), (130, 1), (4, 3), (9, 2), (200, 4)])
def test_bias_sums_add_in_numpys_order(rows: int, columns: int) -> None:
    """The generated -dE/db sums equal ndarray.sum(axis=0), the NumPy path's."""
    rng = np.random.RandomState(rows * 10 + columns)
    table = TruthTable(np.ones((rows, 1)), rng.random_sample((rows, columns)))
    arch = Architecture(1, columns, use_bias=True)
    src = fast._Source(arch, table)
    d = rng.standard_normal((rows, columns)) * 10.0 ** rng.randint(-9, 9, (rows, columns))
    names = {f"d1_{r}_{j}": float(d[r, j]) for r in range(rows) for j in range(columns)}
    sums = [eval(s, {}, names) for _, s in src.bias_sums(0)]
    assert sums == d.sum(axis=0).tolist()


def test_generated_source_is_plain_python_and_cached() -> None:
    arch = Architecture(3)
    source = fast.program_source(arch, NOTEBOOK)
    compile(source, "<test>", "exec")
    assert "np." not in source and "import" not in source
    assert fast.compile_program(arch, NOTEBOOK) is fast.compile_program(arch, NOTEBOOK)


def test_numpy_loop_keeps_its_own_copies() -> None:
    arch = Architecture(3)
    start = init_params(arch, 0)
    loop = _NumpyLoop(arch, NOTEBOOK, 1.0, start)
    loop.advance(10, -math.inf)
    assert not np.shares_memory(loop.W[0], start.weights[0])
    np.testing.assert_array_equal(start.weights[0], init_params(arch, 0).weights[0])


def test_hidden_layers_and_large_steps_take_the_numpy_path() -> None:
    """Where last-bit differences can grow into another run, train() is the NumPy path, operation for
    operation what a sweep or an exported NumPy script computes."""
    assert not fast.fits(Architecture(3, 1, (2,)), NOTEBOOK, 1.0)
    assert not fast.fits(Architecture(3), NOTEBOOK, fast.MAX_FAST_LEARNING_RATE * 2)
    assert fast.fits(Architecture(3), NOTEBOOK, fast.MAX_FAST_LEARNING_RATE)
    for config in (
        TrainConfig(n_iterations=300, hidden=(3,), use_bias=True),
        TrainConfig(learning_rate=50.0),
    ):
        _assert_same_run(train(NOTEBOOK, config), _train(NOTEBOOK, config, None, None, "numpy"), atol=0)
