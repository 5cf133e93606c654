"""Trainer: parity with the notebook, a plain loop over network.py, bounded history, exact replay,
early stop and divergence."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.errors import ConfigError
from backprop.network import (
    Architecture,
    Params,
    apply_update,
    backward,
    forward,
    init_params,
    loss,
    make_params,
)
from backprop.table import PRESETS, TruthTable
from backprop.trainer import (
    DEFAULT_HISTORY_SIZE,
    MAX_ITERATIONS,
    Run,
    Snapshot,
    TrainConfig,
    recording_schedule,
    take_snapshot,
    train,
)
from benchmarks import anchors

NOTEBOOK = PRESETS["notebook"].table


def _global_rng_state() -> tuple:
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return name, keys.tolist(), pos, has_gauss, cached


# --- the notebook ---------------------------------------------------------------------------------


def test_notebook_parity_weights_and_prediction() -> None:
    # the notebook's cell 3 as written (benchmarks/anchors.py, also the benchmarks' anchor)
    weights = anchors.notebook_backpropagation(anchors.X, anchors.y, learning_rate=1, num_iterations=10000)
    predicted_output = anchors.sigmoid(np.dot(np.array([[1, 0, 0]]), weights))
    assert round(float(predicted_output[0, 0]), 8) == 0.99993703

    np.random.seed(12345)  # any global state: train must neither use nor change it
    before = _global_rng_state()
    run = train(NOTEBOOK, TrainConfig())
    assert _global_rng_state() == before

    assert run.status == "completed" and run.final.iteration == 10_000
    np.testing.assert_array_equal(run.final.params.weights[0], weights)  # bit for bit
    prediction = run.predict([1, 0, 0])
    assert prediction.shape == (1, 1)
    assert round(float(prediction[0, 0]), 8) == 0.99993703
    assert f"{prediction}" == "[[0.99993703]]"


def test_notebook_parity_holds_for_other_seeds_and_rates() -> None:
    for seed, lr, n in [(1, 0.5, 300), (42, 3.0, 200)]:
        rng = np.random.RandomState(seed)
        weights = 2 * rng.random_sample((3, 1)) - 1
        X, y = NOTEBOOK.X, NOTEBOOK.y
        for _ in range(n):
            layer1 = 1 / (1 + np.exp(-np.dot(X, weights)))
            weights += lr * np.dot(X.T, (y - layer1) * (layer1 * (1 - layer1)))
        run = train(NOTEBOOK, TrainConfig(learning_rate=lr, n_iterations=n, seed=seed))
        np.testing.assert_array_equal(run.final.params.weights[0], weights)


def test_training_is_deterministic() -> None:
    config = TrainConfig(n_iterations=300, hidden=(3,), activation="tanh", use_bias=True, seed=9)
    a, b = train(PRESETS["xor"].table, config), train(PRESETS["xor"].table, config)
    for Wa, Wb in zip(a.final.params.weights, b.final.params.weights, strict=True):
        np.testing.assert_array_equal(Wa, Wb)


# --- the loop against the plainest one over network.py's records ------------------------------------

# Inputs that are not 0 or 1 (inexact products), a constant column, targets inside (0, 1).
ODD = TruthTable(
    [[0.5, -1.25, 1.0], [0.3, 2.0, 1.0], [-0.7, 0.1, 1.0], [1.0, 0.0, 1.0], [0.0, 0.0, 1.0]],
    [[0.25, 1.0], [0.75, 0.0], [0.5, 0.5], [1.0, 0.1], [0.0, 0.9]],
)
XOR = PRESETS["xor"].table
SINGLE = TruthTable([[1.0]], [[1.0]])

# (table, config): every table shape, activation, bias setting, early stop, and learning rates from
# gentle to large (where training is chaotic and any difference in rounding would show).
CASES = [
    (NOTEBOOK, TrainConfig()),
    (NOTEBOOK, TrainConfig(learning_rate=0.1, n_iterations=1500, seed=3)),
    (NOTEBOOK, TrainConfig(learning_rate=50.0, n_iterations=1500, seed=1)),
    (NOTEBOOK, TrainConfig(n_iterations=5000, target_loss=0.01)),
    (NOTEBOOK, TrainConfig(n_iterations=1500, use_bias=True, history_size=37)),
    (PRESETS["and"].table, TrainConfig(learning_rate=2.0, n_iterations=1500, seed=5)),
    (XOR, TrainConfig(learning_rate=1.0, n_iterations=1500, hidden=(2,), seed=2)),
    (XOR, TrainConfig(n_iterations=1500, hidden=(3,), activation="tanh", use_bias=True)),
    (XOR, TrainConfig(learning_rate=0.5, n_iterations=999, hidden=(4, 2), activation="relu")),
    (XOR, TrainConfig(n_iterations=1500, hidden=(3,), target_loss=0.05, seed=4)),
    (PRESETS["half-adder"].table, TrainConfig(n_iterations=1500, hidden=(3,), use_bias=True, seed=8)),
    (PRESETS["majority"].table, TrainConfig(learning_rate=0.8, n_iterations=1500, hidden=(2, 2), seed=6)),
    (PRESETS["parity3"].table, TrainConfig(learning_rate=2.0, n_iterations=1500, hidden=(4,), seed=7)),
    (ODD, TrainConfig(learning_rate=0.7, n_iterations=1500, hidden=(3,), activation="tanh", use_bias=True)),
    (ODD, TrainConfig(learning_rate=3.0, n_iterations=1500, use_bias=True, seed=11)),
    (
        TruthTable([[1.0]], [[1.0]]),
        TrainConfig(n_iterations=500, hidden=(1,), activation="relu", use_bias=True),
    ),
]


def _reference(
    table: TruthTable, config: TrainConfig, initial: Params | None = None
) -> tuple[dict[int, Params], str, int | None]:
    """train()'s rules as the plainest loop over network.py's records: the parameters after every
    update, how the run ended, and the update that would have made a value non-finite."""
    arch = config.architecture(table)
    params = init_params(arch, config.seed) if initial is None else initial
    states = {0: params}
    with np.errstate(all="ignore"):
        for k in range(config.n_iterations):
            fwd = forward(arch, params, table.X)
            if config.target_loss is not None and loss(fwd.output, table.y) <= config.target_loss:
                return states, "target_reached", None
            params = apply_update(arch, params, backward(arch, params, fwd, table.y), config.learning_rate)
            if not params.is_finite():
                return states, "non_finite", k + 1
            states[k + 1] = params
    return states, "completed", None


def _assert_run_is_the_reference(run: Run, initial: Params | None = None) -> None:
    states, status, failed_at = _reference(run.table, run.config, initial)
    assert (run.status, run.failed_at, run.final.iteration) == (status, failed_at, max(states))
    for snapshot in run.history:
        expected = states[snapshot.iteration]
        for got, want in zip(
            snapshot.params.weights + snapshot.params.biases, expected.weights + expected.biases, strict=True
        ):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(("table", "config"), CASES)
def test_train_is_bit_for_bit_a_plain_loop_over_network_py(table: TruthTable, config: TrainConfig) -> None:
    _assert_run_is_the_reference(train(table, config))


def _eight_inputs() -> TruthTable:
    """All 256 rows of 8 binary inputs, three outputs: sums over many rows (NumPy adds them pairwise)."""
    X = np.array([[(i >> j) & 1 for j in range(8)] for i in range(256)], dtype=float)
    return TruthTable(X, np.c_[X.sum(axis=1) >= 4, X[:, 0], X[:, 1] * X[:, 2]].astype(float))


@pytest.mark.parametrize(
    ("table", "config"),
    [
        CASES[4],
        CASES[7],
        CASES[13],
        (_eight_inputs(), TrainConfig(learning_rate=0.1, n_iterations=40, hidden=(8, 8), use_bias=True)),
    ],
)
def test_snapshots_are_bit_for_bit_take_snapshot(table: TruthTable, config: TrainConfig) -> None:
    """The history is evaluated over a leading axis of snapshots; each gets its own numbers exactly."""
    run = train(table, config)
    for snapshot in (*run.history[::7], run.final):
        fresh = take_snapshot(run.arch, snapshot.params, table, snapshot.iteration)
        assert snapshot.loss == fresh.loss
        for x, y in zip(
            (snapshot.output, *snapshot.grads.delta, *snapshot.grads.dW, *snapshot.grads.db),
            (fresh.output, *fresh.grads.delta, *fresh.grads.dW, *fresh.grads.db),
            strict=True,
        ):
            np.testing.assert_array_equal(x, y)


# --- bounded history --------------------------------------------------------------------------------


@settings(max_examples=300)
@given(n=st.integers(0, MAX_ITERATIONS), size=st.integers(2, 3000))
def test_recording_schedule_bounds(n: int, size: int) -> None:
    schedule = recording_schedule(n, size)
    assert len(schedule) <= size
    assert schedule[0] == 0 and schedule[-1] == n
    assert np.all(np.diff(schedule) > 0)
    if n + 1 <= size:
        np.testing.assert_array_equal(schedule, np.arange(n + 1))
    else:
        assert len(schedule) >= min(size, n + 1) // 2  # the budget is mostly used


@pytest.mark.parametrize(
    ("n", "size"),
    [
        (0, 2),
        (1, 2),
        (2, 2),
        (5, 2),
        (2, 3),
        (7, 3),
        (9, 10),
        (10, 10),
        (11, 10),
        (40, 7),
        (999, 50),
        (2500, 200),
        (2500, 1001),
    ],
)
def test_history_is_bounded_and_follows_the_schedule(n: int, size: int) -> None:
    run = train(NOTEBOOK, TrainConfig(n_iterations=n, history_size=size))
    iterations = run.iterations
    assert len(run.history) <= size
    assert iterations[0] == 0 and iterations[-1] == n
    np.testing.assert_array_equal(iterations, recording_schedule(n, size))
    if n + 1 <= size:
        np.testing.assert_array_equal(iterations, np.arange(n + 1))


def test_default_history_size() -> None:
    run = train(NOTEBOOK, TrainConfig())
    assert len(run.history) == DEFAULT_HISTORY_SIZE
    np.testing.assert_array_equal(run.iterations[:500], np.arange(500))
    assert run.history[-1].iteration == 10_000


def test_snapshots_are_read_only() -> None:
    run = train(PRESETS["half-adder"].table, TrainConfig(n_iterations=20, hidden=(3,), use_bias=True))
    for snapshot in (run.history[0], run.final, run.snapshot_at(7)):
        arrays = [
            snapshot.output,
            *snapshot.params.weights,
            *snapshot.params.biases,
            *snapshot.grads.delta,
            *snapshot.grads.dW,
            *snapshot.grads.db,
        ]
        for array in arrays:
            with pytest.raises(ValueError, match="read-only"):
                array.flat[0] = 1.0
    with pytest.raises(AttributeError):
        run.final.loss = 0.0  # type: ignore[misc]


def test_snapshot_records_loss_output_and_gradients_at_its_parameters() -> None:
    run = train(PRESETS["xor"].table, TrainConfig(n_iterations=50, hidden=(2,)))
    for snapshot in run.history[::10]:
        fresh = take_snapshot(run.arch, snapshot.params, run.table, snapshot.iteration)
        assert snapshot.loss == fresh.loss
        np.testing.assert_array_equal(snapshot.output, fresh.output)
        for g, h in zip(snapshot.grads.dW, fresh.grads.dW, strict=True):
            np.testing.assert_array_equal(g, h)
    np.testing.assert_array_equal(run.history[0].params.weights[0], run.initial.weights[0])


@pytest.mark.parametrize("k", [0, 1, 2, 24, 25, 26, 137, 410, 599, 600])
def test_snapshot_at_equals_a_fresh_training_run(k: int) -> None:
    table = PRESETS["xor"].table
    config = TrainConfig(n_iterations=600, hidden=(3,), activation="tanh", use_bias=True, history_size=50)
    run = train(table, config)
    assert {26, 137, 410, 599}.isdisjoint(run.iterations.tolist())  # these are replayed, not stored
    snapshot = run.snapshot_at(k)
    fresh = train(table, TrainConfig(**{**config.__dict__, "n_iterations": k})).final
    assert snapshot.iteration == k
    replayed, expected = snapshot.params, fresh.params
    for a, b in zip(replayed.weights + replayed.biases, expected.weights + expected.biases, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(snapshot.output, fresh.output, rtol=0, atol=1e-12)
    assert snapshot.loss == pytest.approx(fresh.loss, abs=1e-12)
    np.testing.assert_allclose(run.predict([[1, 1, 1]], iteration=k), fresh.output[3:4], rtol=0, atol=1e-12)


def test_snapshot_at_out_of_range_is_a_config_error() -> None:
    run = train(NOTEBOOK, TrainConfig(n_iterations=10))
    for k in (-1, 11):
        with pytest.raises(ConfigError, match="from 0 to 10") as info:
            run.snapshot_at(k)
        assert info.value.field == "iteration"


# --- how a run ends ---------------------------------------------------------------------------------


def test_target_loss_stops_early_at_the_first_iteration_below_it() -> None:
    run = train(NOTEBOOK, TrainConfig(target_loss=0.01))
    assert run.status == "target_reached" and run.failed_at is None
    k = run.final.iteration
    assert 0 < k < 10_000
    assert run.final.loss <= 0.01 < run.snapshot_at(k - 1).loss
    assert len(run.history) <= DEFAULT_HISTORY_SIZE


def test_target_loss_already_met_at_the_start() -> None:
    run = train(NOTEBOOK, TrainConfig(target_loss=100.0))
    assert run.status == "target_reached"
    assert [s.iteration for s in run.history] == [0]


def test_target_loss_never_reached_completes() -> None:
    run = train(NOTEBOOK, TrainConfig(n_iterations=100, target_loss=0.0))
    assert run.status == "completed" and run.final.iteration == 100


def _diverging_run() -> Run:
    """A ReLU hidden layer with explicit huge output weights: the first update overflows to infinity."""
    table = TruthTable([[1.0]], [[1.0]])
    config = TrainConfig(learning_rate=100, n_iterations=50, hidden=(2,), activation="relu")
    arch = config.architecture(table)
    initial = make_params(arch, [[[1.0, 1.0]], [[1e308], [-1e308]]])
    return train(table, config, initial=initial)


def test_non_finite_update_stops_with_failed_at_and_no_warnings() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = _diverging_run()
        run.snapshot_at(0)
        run.predict([[1.0]])
    assert caught == []
    assert run.status == "non_finite"
    assert run.failed_at == 1
    assert run.final.iteration == 0
    assert run.final.params.is_finite()
    assert np.isfinite(run.final.loss)


def test_huge_inputs_and_large_rate_train_without_warnings() -> None:
    table = TruthTable([[1e300, 1.0], [-1e300, 1.0], [1e300, -1e300], [0.0, 1.0]], [[1], [0], [0.5], [1]])
    for hidden, activation in [((), "sigmoid"), ((3,), "relu"), ((4, 2), "tanh")]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run = train(
                table, TrainConfig(learning_rate=100, n_iterations=200, hidden=hidden, activation=activation)
            )
        assert caught == []
        assert run.status in ("completed", "non_finite")
        assert run.final.params.is_finite()
        if run.status == "non_finite":
            assert run.failed_at == run.final.iteration + 1


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
def test_a_run_stops_before_the_update_that_overflows(case: int, history_size: int) -> None:
    """With history_size=2 the whole run is one stretch between two recorded iterations: the update
    that overflowed is found within it."""
    table, config, initial = _diverging(case)
    config = TrainConfig(**{**config.__dict__, "history_size": history_size})
    run = train(table, config, initial)
    assert run.status == "non_finite" and run.failed_at == case
    assert run.final.iteration == case - 1 and run.final.params.is_finite()
    assert [s.iteration for s in run.history] == list(range(case))
    _assert_run_is_the_reference(run, initial)


def test_an_overflow_is_found_even_when_the_broken_network_then_meets_the_target() -> None:
    """The first update makes the weight infinite; the output then saturates at the target (loss 0)."""
    table = TruthTable(np.full((40, 1), 1e306), np.ones((40, 1)))
    config = TrainConfig(learning_rate=100, n_iterations=30, target_loss=0.001, history_size=5)
    initial = make_params(config.architecture(table), [[[1e-306]]])
    run = train(table, config, initial)
    assert (run.status, run.failed_at, run.final.iteration) == ("non_finite", 1, 0)
    _assert_run_is_the_reference(run, initial)


def test_training_leaves_the_initial_parameters_alone() -> None:
    initial = init_params(Architecture(3), 0)
    train(NOTEBOOK, TrainConfig(n_iterations=50), initial)
    np.testing.assert_array_equal(initial.weights[0], init_params(Architecture(3), 0).weights[0])


def test_explicit_initial_parameters_are_used_and_kept() -> None:
    arch = Architecture(3)
    initial = make_params(arch, [[[0.5], [-0.5], [0.25]]])
    run = train(NOTEBOOK, TrainConfig(n_iterations=3), initial=initial)
    assert run.initial is initial
    np.testing.assert_array_equal(run.history[0].params.weights[0], [[0.5], [-0.5], [0.25]])


def test_progress_is_reported_and_can_cancel() -> None:
    calls: list[tuple[int, int]] = []
    train(NOTEBOOK, TrainConfig(n_iterations=1000), progress=lambda done, total: calls.append((done, total)))
    assert 50 <= len(calls) <= 101
    assert calls[-1] == (1000, 1000)
    assert all(total == 1000 for _, total in calls)

    class CancelledError(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        if done >= 300:
            raise CancelledError

    with pytest.raises(CancelledError):
        train(NOTEBOOK, TrainConfig(n_iterations=1000), progress=cancel)


@pytest.mark.parametrize(
    ("table", "config"), [CASES[3], CASES[9], (NOTEBOOK, TrainConfig(n_iterations=1234))]
)
def test_progress_reports_every_hundredth_of_the_run_and_changes_nothing(
    table: TruthTable, config: TrainConfig
) -> None:
    calls: list[tuple[int, int]] = []
    run = train(table, config, progress=lambda done, total: calls.append((done, total)))
    every = max(1, config.n_iterations // 100)
    assert calls == [(k, config.n_iterations) for k in range(every, run.final.iteration + 1, every)]
    quiet = train(table, config)
    assert run.iterations.tolist() == quiet.iterations.tolist() and run.status == quiet.status
    np.testing.assert_array_equal(run.final.params.weights[-1], quiet.final.params.weights[-1])


# --- configuration ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"learning_rate": 100.5}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": float("inf")}, "learning_rate"),
        ({"learning_rate": True}, "learning_rate"),
        ({"learning_rate": "1"}, "learning_rate"),
        ({"n_iterations": -1}, "n_iterations"),
        ({"n_iterations": MAX_ITERATIONS + 1}, "n_iterations"),
        ({"n_iterations": 2.5}, "n_iterations"),
        ({"n_iterations": True}, "n_iterations"),
        ({"n_iterations": float("nan")}, "n_iterations"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"seed": "0"}, "seed"),
        ({"target_loss": -0.1}, "target_loss"),
        ({"target_loss": float("nan")}, "target_loss"),
        ({"target_loss": False}, "target_loss"),
        ({"history_size": 1}, "history_size"),
    ],
)
def test_config_rejects_bad_values_naming_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        TrainConfig(**kwargs)
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_config_normalises_numbers_and_is_hashable() -> None:
    config = TrainConfig(learning_rate=2, n_iterations=np.int64(5), seed=7.0, hidden=[3], target_loss=0)
    assert config.learning_rate == 2.0 and isinstance(config.learning_rate, float)
    assert config.n_iterations == 5 and type(config.n_iterations) is int
    assert config.seed == 7 and type(config.seed) is int
    assert config.hidden == (3,) and config.target_loss == 0.0
    assert hash(config) == hash(
        TrainConfig(learning_rate=2.0, n_iterations=5, seed=7, hidden=(3,), target_loss=0.0)
    )
    with pytest.raises(AttributeError):
        config.seed = 1  # type: ignore[misc]


def test_config_architecture_errors_surface_when_training() -> None:
    with pytest.raises(ConfigError) as info:
        train(NOTEBOOK, TrainConfig(hidden=(9,)))
    assert info.value.field == "hidden"
    with pytest.raises(ConfigError) as info:
        train(NOTEBOOK, TrainConfig(activation="softmax"))
    assert info.value.field == "activation"


# --- pickling (st.cache_data copies every cached run through pickle) -----------------------------------


def _arrays(snapshot: Snapshot) -> list[np.ndarray]:
    p, g = snapshot.params, snapshot.grads
    return [*p.weights, *p.biases, snapshot.output, *g.delta, *g.dW, *g.db]


@pytest.mark.parametrize(
    "make",
    [
        lambda: train(NOTEBOOK, TrainConfig()),
        lambda: train(NOTEBOOK, TrainConfig(target_loss=0.01)),
        lambda: train(PRESETS["xor"].table, TrainConfig(n_iterations=300, hidden=(4, 3), use_bias=True)),
        lambda: train(
            PRESETS["half-adder"].table, TrainConfig(n_iterations=50, hidden=(3,), activation="relu")
        ),
        _diverging_run,
    ],
    ids=["notebook", "target", "two-hidden-biases", "relu-two-outputs", "non-finite"],
)
def test_a_pickled_run_comes_back_identical_and_read_only(make) -> None:
    run = make()
    back = pickle.loads(pickle.dumps(run))
    assert (back.table, back.config, back.arch, back.status, back.failed_at) == (
        run.table, run.config, run.arch, run.status, run.failed_at,
    )  # fmt: skip
    initial = zip(
        run.initial.weights + run.initial.biases, back.initial.weights + back.initial.biases, strict=True
    )
    for a, b in initial:
        np.testing.assert_array_equal(a, b)
    assert len(back.history) == len(run.history)
    for before, after in zip(run.history, back.history, strict=True):
        assert (after.iteration, after.loss) == (before.iteration, before.loss)
        for a, b in zip(_arrays(before), _arrays(after), strict=True):
            assert a.shape == b.shape and a.dtype == b.dtype == np.float64
            np.testing.assert_array_equal(a, b)
            assert not b.flags.writeable
    last = run.final.iteration
    np.testing.assert_array_equal(back.predict(run.table.X), run.predict(run.table.X))
    np.testing.assert_array_equal(
        back.snapshot_at(last // 2).params.weights[0], run.snapshot_at(last // 2).params.weights[0]
    )
