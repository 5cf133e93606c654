"""Training beyond the notebook: datasets that learn, mini-batches, L1/L2, a test set, depth, features."""

from __future__ import annotations

import numpy as np
import pytest

from backprop.datasets import DATASETS, DataSpec, generate, with_features
from backprop.errors import ConfigError
from backprop.limits import MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS
from backprop.network import (
    REGULARIZATIONS,
    backpropagate,
    penalties,
    penalty_gradient,
    propagate,
)
from backprop.table import PRESETS
from backprop.trainer import Run, TrainConfig, batch_rows, train, updates_per_epoch

TANH8 = {"hidden": (8,), "activation": "tanh", "use_bias": True}


def accuracy(run: Run) -> float:
    return float(((run.final.output > 0.5) == (run.table.y > 0.5)).mean())


@pytest.mark.parametrize("name", ["circle", "xor", "gauss"])
def test_a_small_tanh_network_learns_each_dataset(name: str) -> None:
    table = generate(DataSpec(name, 200, 0.1, 0))
    run = train(table, TrainConfig(learning_rate=0.01, n_iterations=3000, **TANH8))  # type: ignore[arg-type]
    assert accuracy(run) >= 0.9


def test_the_spiral_needs_depth() -> None:
    table = generate(DataSpec("spiral", 200, 0.0, 0))
    shallow = train(table, TrainConfig(learning_rate=0.01, n_iterations=20_000, **TANH8))  # type: ignore[arg-type]
    deep = train(
        table,
        TrainConfig(
            learning_rate=0.01, n_iterations=20_000, hidden=(8, 8, 8), activation="tanh", use_bias=True
        ),
    )
    assert accuracy(shallow) < 0.9 and accuracy(deep) >= 0.95


def test_defaults_are_the_notebook() -> None:
    run = train(PRESETS["notebook"].table)
    assert f"{run.predict([1, 0, 0])[0, 0]:.8f}" == "0.99993703"
    assert run.test_table is None and run.final.test_loss is None and run.final.penalty == 0.0


# ------------------------------------------------------------------------------------------ batches
def test_each_epoch_visits_every_row_once_in_a_new_order() -> None:
    n, size = 10, 3
    assert updates_per_epoch(n, size) == 4
    assert updates_per_epoch(n, None) == updates_per_epoch(n, 10) == 1
    epochs = [np.concatenate([batch_rows(n, size, 5, k) for k in range(e * 4, e * 4 + 4)]) for e in range(3)]
    for rows in epochs:
        assert sorted(rows.tolist()) == list(range(n))
    assert not np.array_equal(epochs[0], epochs[1])
    assert [len(batch_rows(n, size, 5, k)) for k in range(4)] == [3, 3, 3, 1]
    assert batch_rows(n, None, 5, 7) is None and batch_rows(n, 10, 5, 7) is None


def test_mini_batch_runs_are_reproducible_for_a_seed_and_differ_from_full_batch() -> None:
    table = generate(DataSpec("gauss", 60, 0.2, 1))
    config = TrainConfig(learning_rate=0.05, n_iterations=200, batch_size=8, **TANH8)  # type: ignore[arg-type]
    a, b = train(table, config), train(table, config)
    assert np.array_equal(a.final.params.weights[0], b.final.params.weights[0])
    full = train(table, TrainConfig(learning_rate=0.05, n_iterations=200, **TANH8))  # type: ignore[arg-type]
    assert not np.allclose(a.final.params.weights[0], full.final.params.weights[0])
    other_seed = train(table, TrainConfig(**{**config.__dict__, "seed": 1}))
    assert not np.allclose(a.final.params.weights[0], other_seed.final.params.weights[0])
    assert a.epochs == pytest.approx(200 / 8)


def test_a_batch_of_every_row_is_full_batch_to_the_bit() -> None:
    table = PRESETS["xor"].table
    full = train(table, TrainConfig(n_iterations=300, hidden=(3,)))
    whole = train(table, TrainConfig(n_iterations=300, hidden=(3,), batch_size=4))
    assert np.array_equal(full.final.params.weights[1], whole.final.params.weights[1])


def test_online_updates_are_the_delta_rule_row_by_row() -> None:
    table = PRESETS["notebook"].table
    run = train(table, TrainConfig(n_iterations=8, batch_size=1, history_size=100))
    W = run.initial.weights[0].copy()
    for k in range(8):
        (row,) = batch_rows(4, 1, 0, k)
        x, y = table.X[row : row + 1], table.y[row : row + 1]
        out = 1 / (1 + np.exp(-(x @ W)))
        W = W + x.T @ ((y - out) * out * (1 - out))
        assert np.allclose(run.snapshot_at(k + 1).params.weights[0], W, rtol=0, atol=1e-15)


def test_a_batch_larger_than_the_training_rows_is_refused() -> None:
    with pytest.raises(ConfigError, match="at most the 3 training rows") as error:
        train(PRESETS["notebook"].table, TrainConfig(batch_size=4, test_fraction=0.25))
    assert error.value.field == "batch_size"


# ----------------------------------------------------------------------------------- regularization
def test_l2_shrinks_weights_and_l1_drives_some_to_zero() -> None:
    table = generate(DataSpec("gauss", 100, 0.1, 2))
    base = {
        "learning_rate": 0.01,
        "n_iterations": 2000,
        "hidden": (8,),
        "activation": "tanh",
        "use_bias": True,
    }
    plain = train(table, TrainConfig(**base))  # type: ignore[arg-type]
    l2 = train(table, TrainConfig(**base, regularization="l2", reg_rate=1.0))  # type: ignore[arg-type]
    l1 = train(table, TrainConfig(**base, regularization="l1", reg_rate=1.0))  # type: ignore[arg-type]

    def norm(run: Run) -> float:
        return float(sum((W * W).sum() for W in run.final.params.weights))

    assert norm(l2) < 0.5 * norm(plain)
    zeros = sum(int((W == 0).sum()) for W in l1.final.params.weights)
    assert zeros >= 5 and not any((W == 0).any() for W in plain.final.params.weights)
    assert accuracy(l2) >= 0.9 and accuracy(l1) >= 0.9
    assert l2.final.penalty == pytest.approx(0.5 * norm(l2))
    assert l1.final.penalty == pytest.approx(sum(np.abs(W).sum() for W in l1.final.params.weights))


def test_a_rate_of_zero_or_none_leaves_training_unchanged() -> None:
    table = PRESETS["xor"].table
    plain = train(table, TrainConfig(n_iterations=200, hidden=(2,)))
    for regularization in REGULARIZATIONS:
        run = train(table, TrainConfig(n_iterations=200, hidden=(2,), regularization=regularization))
        assert np.array_equal(run.final.params.weights[0], plain.final.params.weights[0])


# -------------------------------------------------------------------------------------- test set
def test_the_test_set_is_held_out_and_its_loss_recorded() -> None:
    table = generate(DataSpec("circle", 100, 0.1, 0))
    run = train(table, TrainConfig(learning_rate=0.01, n_iterations=500, test_fraction=0.3, **TANH8))  # type: ignore[arg-type]
    assert run.table.n_rows == 70 and run.test_table is not None and run.test_table.n_rows == 30
    rows = {tuple(r) for r in run.table.rows()} | {tuple(r) for r in run.test_table.rows()}
    assert rows == {tuple(r) for r in table.rows()}
    assert all(s.test_loss is not None for s in run.history)
    final = run.final
    out = propagate(run.arch, final.params.weights, final.params.biases, run.test_table.X)[1][-1]
    assert final.test_loss == pytest.approx(0.5 * ((run.test_table.y - out) ** 2).sum(), rel=1e-12)
    assert run.history[-1].test_loss < run.history[0].test_loss


# ----------------------------------------------------------------------------- every option at once
def _objective(run: Run, rows: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray]) -> float:
    """The error on the batch ``rows`` of the training table plus the run's penalty."""
    X, y = run.table.X[rows], run.table.y[rows]
    out = propagate(run.arch, weights, biases, X)[1][-1]
    config = run.config
    return float(0.5 * ((y - out) ** 2).sum() + penalties(weights, config.regularization, config.reg_rate))


def _nudged(arrays: list[np.ndarray], layer: int, index: tuple[int, ...], by: float) -> list[np.ndarray]:
    copies = [a.copy() for a in arrays]
    copies[layer][index] += by
    return copies


@pytest.mark.parametrize(
    ("activation", "regularization"), [("tanh", "l2"), ("linear", "l1"), ("sigmoid", "l2"), ("relu", "l1")]
)
def test_a_gradient_check_passes_with_every_option_on(activation: str, regularization: str) -> None:
    """Finite differences of the objective (error on a batch + penalty) against backpropagation's
    gradient plus the penalty's, at depth, with derived features, a test set and mini-batches."""
    table = generate(DataSpec("xor", 40, 0.2, 3))
    config = TrainConfig(
        learning_rate=0.01,
        n_iterations=50,
        hidden=(5, 4, 3),
        activation=activation,
        use_bias=True,
        features=("x1sq", "x1x2", "sinx2"),
        test_fraction=0.25,
        batch_size=7,
        regularization=regularization,
        reg_rate=0.1,
    )
    run = train(table, config)
    weights = [np.array(W) for W in run.final.params.weights]
    biases = [np.array(b) for b in run.final.params.biases]
    rows = batch_rows(run.table.n_rows, 7, config.seed, 50)
    _, a = propagate(run.arch, weights, biases, run.table.X[rows])
    _, dW, db = backpropagate(run.arch, weights, a, run.table.y[rows])
    h = 1e-6
    for layer, W in enumerate(weights):
        grad = dW[layer] + penalty_gradient(W, regularization, 0.1)
        for index in np.ndindex(W.shape):
            if abs(W[index]) < 1e-4:
                continue  # |W| is not differentiable at 0
            plus = _objective(run, rows, _nudged(weights, layer, index, h), biases)
            minus = _objective(run, rows, _nudged(weights, layer, index, -h), biases)
            assert (plus - minus) / (2 * h) == pytest.approx(grad[index], abs=1e-6), (layer, index)
        for j in range(len(biases[layer])):
            plus = _objective(run, rows, weights, _nudged(biases, layer, (j,), h))
            minus = _objective(run, rows, weights, _nudged(biases, layer, (j,), -h))
            assert (plus - minus) / (2 * h) == pytest.approx(db[layer][j], abs=1e-6), (layer, j)


def test_deepest_network_trains_and_its_snapshots_replay() -> None:
    table = generate(DataSpec("circle", 50, 0.1, 0))
    hidden = (MAX_HIDDEN_UNITS,) * MAX_HIDDEN_LAYERS
    config = TrainConfig(
        learning_rate=0.01, n_iterations=1500, hidden=hidden, activation="tanh", use_bias=True, batch_size=10
    )
    run = train(table, TrainConfig(**{**config.__dict__, "history_size": 20}))
    assert run.arch.n_layers == MAX_HIDDEN_LAYERS + 1
    replayed = run.snapshot_at(1333)
    again = train(table, TrainConfig(**{**config.__dict__, "n_iterations": 1333}))
    for W, V in zip(replayed.params.weights, again.final.params.weights, strict=True):
        assert np.array_equal(W, V)


def test_linear_hidden_units_compose_to_one_linear_map() -> None:
    table = generate(DataSpec("circle", 100, 0.0, 0))
    run = train(
        table,
        TrainConfig(learning_rate=0.01, n_iterations=2000, hidden=(8, 8), activation="linear", use_bias=True),
    )
    assert accuracy(run) < 0.8  # a linear network draws one straight line: no disc


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"batch_size": 0}, "batch_size"),
        ({"regularization": "l3"}, "regularization"),
        ({"reg_rate": -1.0}, "reg_rate"),
        ({"reg_rate": 11.0}, "reg_rate"),
        ({"test_fraction": 0.95}, "test_fraction"),
        ({"features": ("cos",)}, "features"),
        ({"features": "x1sq"}, "features"),
        ({"hidden": (2,) * (MAX_HIDDEN_LAYERS + 1)}, "hidden"),
    ],
)
def test_options_out_of_range_are_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError) as error:
        TrainConfig(**kwargs)  # type: ignore[arg-type]
    assert error.value.field == field


def test_features_need_a_two_input_table() -> None:
    with pytest.raises(ConfigError, match="exactly two inputs"):
        train(PRESETS["notebook"].table, TrainConfig(features=("x1sq",)))


@pytest.mark.parametrize("name", list(DATASETS))
def test_a_run_with_options_pickles_and_unpickles_equal(name: str) -> None:
    import pickle

    table = generate(DataSpec(name, 30, 0.1, 0))
    config = TrainConfig(
        learning_rate=0.01,
        n_iterations=30,
        test_fraction=0.2,
        regularization="l2",
        reg_rate=0.1,
        **TANH8,  # type: ignore[arg-type]
    )
    run = train(table, config)
    back = pickle.loads(pickle.dumps(run))
    assert [s.test_loss for s in back.history] == [s.test_loss for s in run.history]
    assert [s.penalty for s in back.history] == [s.penalty for s in run.history]
    assert back.test_table == run.test_table


def test_a_featured_run_predicts_from_the_tables_own_inputs() -> None:
    table = generate(DataSpec("circle", 40, 0.0, 0))
    features = ("x1sq", "x2sq")
    run = train(table, TrainConfig(learning_rate=0.01, n_iterations=50, features=features, **TANH8))  # type: ignore[arg-type]
    assert run.n_table_inputs == 2 and run.arch.n_inputs == 4
    row = table.X[:1]
    expected = propagate(
        run.arch, run.final.params.weights, run.final.params.biases, with_features(row, features)
    )
    assert np.array_equal(run.predict(row), expected[1][-1])
    assert np.array_equal(run.predict([0.5, -1.0]), run.predict([[0.5, -1.0]]))
    with pytest.raises(ConfigError, match="needs 2 values"):
        run.predict([1.0, 2.0, 3.0])
