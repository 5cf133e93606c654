"""Chain rule with numbers: every displayed factor multiplies to the trainer's own gradient, and the new
weight it shows is the weight the trainer reaches one update later."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.activations import sigmoid, sigmoid_derivative
from backprop.chain import (
    GRADIENT_CHECK_TOLERANCE,
    ParamRef,
    gradient_check,
    layer_update,
    param_value,
    parameter_chain,
    parameters,
    prediction_steps,
    relative_error,
)
from backprop.errors import ConfigError
from backprop.naming import level_names
from backprop.table import PRESETS
from backprop.trainer import Run, TrainConfig, train

TOL = 1e-12

CASES = {
    "notebook": ("notebook", TrainConfig(n_iterations=60)),
    "hidden4-bias": ("xor", TrainConfig(n_iterations=60, hidden=(4,), use_bias=True)),
    "hidden3-2-tanh": ("xor", TrainConfig(n_iterations=60, hidden=(3, 2), activation="tanh", use_bias=True)),
    "relu": ("xor", TrainConfig(n_iterations=60, hidden=(5,), activation="relu", use_bias=True, seed=3)),
    "half-adder": ("half-adder", TrainConfig(n_iterations=60, hidden=(4,), use_bias=True, learning_rate=2)),
}
ITERATIONS = (0, 1, 17, 59)


@pytest.fixture(scope="module", params=list(CASES))
def run(request: pytest.FixtureRequest) -> Run:
    preset, config = CASES[request.param]
    return train(PRESETS[preset].table, config)


@pytest.fixture(scope="module")
def notebook_run() -> Run:
    return train(PRESETS["notebook"].table, TrainConfig())


# --- one parameter's chain ------------------------------------------------------------------------


@pytest.mark.parametrize("k", ITERATIONS)
def test_new_value_is_the_trainers_next_state(run: Run, k: int) -> None:
    now, after = run.snapshot_at(k), run.snapshot_at(k + 1)
    for ref in parameters(run.arch):
        chain = parameter_chain(run, k, ref)
        assert chain.old == param_value(now.params, ref)
        assert abs(chain.new - param_value(after.params, ref)) <= TOL, chain.name
        assert chain.applied


@pytest.mark.parametrize("k", ITERATIONS)
def test_row_products_sum_to_the_trainers_gradient(run: Run, k: int) -> None:
    grads = run.snapshot_at(k).grads
    for ref in parameters(run.arch):
        chain = parameter_chain(run, k, ref)
        expected = (
            grads.db[ref.layer][ref.target] if ref.is_bias else grads.dW[ref.layer][ref.source, ref.target]
        )
        np.testing.assert_allclose(chain.terms, chain.dE_da * chain.da_dz * chain.dz_dp, rtol=0, atol=0)
        assert abs(chain.gradient - float(np.sum(chain.terms))) <= TOL
        assert abs(chain.gradient - expected) <= TOL, chain.name
        assert chain.step == -run.config.learning_rate * chain.gradient


def test_factors_are_the_named_derivatives(run: Run) -> None:
    k = 17
    snapshot = run.snapshot_at(k)
    for ref in parameters(run.arch):
        chain = parameter_chain(run, k, ref)
        act = run.arch.layer_activation(ref.layer)
        np.testing.assert_array_equal(chain.a, act.function(chain.z))
        np.testing.assert_array_equal(chain.da_dz, act.derivative(chain.a))
        if ref.is_bias:
            np.testing.assert_array_equal(chain.dz_dp, np.ones(run.table.n_rows))
        elif ref.layer == 0:
            np.testing.assert_array_equal(chain.dz_dp, run.table.X[:, ref.source])
        # dE/dz_j = dE/da_j * f'(z_j) is minus the trainer's delta
        np.testing.assert_allclose(
            chain.dE_da * chain.da_dz, -snapshot.grads.delta[ref.layer][:, ref.target], atol=TOL
        )
        if chain.is_output:
            assert chain.upstream is None
            np.testing.assert_array_equal(
                chain.dE_da, -(run.table.y[:, ref.target] - snapshot.output[:, ref.target])
            )
            np.testing.assert_array_equal(chain.da_dz, chain.a * (1 - chain.a))  # out (1 - out)
        else:
            up = chain.upstream
            assert up is not None and chain.y is None
            np.testing.assert_array_equal(up.weights, snapshot.params.weights[ref.layer + 1][ref.target])
            np.testing.assert_array_equal(up.dE_dz, -snapshot.grads.delta[ref.layer + 1])
            np.testing.assert_allclose(up.terms.sum(axis=1), chain.dE_da, atol=TOL)
            assert len(up.names) == run.arch.sizes[ref.layer + 2]


def test_the_last_iteration_shows_an_update_not_applied(run: Run) -> None:
    final = run.final.iteration
    chain = parameter_chain(run, final, parameters(run.arch)[0])
    assert not chain.applied
    assert chain.new == chain.old + chain.step


def test_notebook_final_update_matches_the_trainer(notebook_run: Run) -> None:
    """The notebook's 10,000th update of w(x1→out) lands on its weight after 10,000 iterations (which
    test_trainer pins to the notebook's own loop)."""
    chain = parameter_chain(notebook_run, 9_999, ParamRef(0, 0, 0))
    assert chain.name == "w(x1→out)"
    assert chain.new == pytest.approx(notebook_run.final.params.weights[0][0, 0], abs=TOL)


def test_chain_records_are_frozen_and_read_only(run: Run) -> None:
    chain = parameter_chain(run, 1, parameters(run.arch)[0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        chain.gradient = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        chain.terms[0] = 1.0
    update = layer_update(run, 1, 0)
    with pytest.raises(ValueError):
        update.W_new[0, 0] = 1.0


def test_bad_references_are_refused(notebook_run: Run) -> None:
    with pytest.raises(ConfigError):
        parameter_chain(notebook_run, 0, ParamRef(0, 0))  # no biases in the notebook
    with pytest.raises(ConfigError):
        parameter_chain(notebook_run, 0, ParamRef(1, 0, 0))
    with pytest.raises(ConfigError):
        parameter_chain(notebook_run, 0, ParamRef(0, 1, 0))
    with pytest.raises(ConfigError):
        parameter_chain(notebook_run, 0, ParamRef(0, 0, 3))
    with pytest.raises(ConfigError):
        parameter_chain(notebook_run, 10_001, ParamRef(0, 0, 0))
    with pytest.raises(ConfigError):
        layer_update(notebook_run, 0, 1)
    with pytest.raises(ConfigError):
        gradient_check(notebook_run, 0, epsilon=0.0)


# --- matrix form ----------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, 1, 500, 9_999])
def test_matrix_form_is_the_notebooks_three_lines(notebook_run: Run, k: int) -> None:
    X, y, lr = notebook_run.table.X, notebook_run.table.y, notebook_run.config.learning_rate
    weights = np.array(notebook_run.snapshot_at(k).params.weights[0])
    update = layer_update(notebook_run, k, 0)
    layer0 = X
    layer1 = sigmoid(np.dot(layer0, weights))
    error = y - layer1
    delta = error * sigmoid_derivative(layer1)
    weights += lr * np.dot(layer0.T, delta)
    np.testing.assert_array_equal(update.a_prev, layer0)
    np.testing.assert_array_equal(update.a, layer1)
    np.testing.assert_array_equal(update.error, error)
    np.testing.assert_array_equal(update.delta, delta)
    np.testing.assert_array_equal(update.aT_delta, np.dot(layer0.T, delta))
    np.testing.assert_array_equal(update.W_new, weights)
    np.testing.assert_array_equal(update.W_new, notebook_run.snapshot_at(k + 1).params.weights[0])
    assert update.is_output and update.b_old is None and update.y is not None


@pytest.mark.parametrize("k", ITERATIONS)
def test_every_layers_update_is_the_trainers(run: Run, k: int) -> None:
    now, after = run.snapshot_at(k), run.snapshot_at(k + 1)
    for layer in range(run.arch.n_layers):
        update = layer_update(run, k, layer)
        n_in, n_out = run.arch.sizes[layer], run.arch.sizes[layer + 1]
        assert update.contributions.shape == (run.table.n_rows, n_in, n_out)
        assert update.source_names == level_names(run.arch, layer)
        np.testing.assert_allclose(update.delta, now.grads.delta[layer], rtol=0, atol=TOL)
        np.testing.assert_array_equal(update.delta, update.error * update.derivative)
        np.testing.assert_allclose(update.W_new, after.params.weights[layer], rtol=0, atol=TOL)
        np.testing.assert_allclose(
            update.contributions.sum(axis=0), update.W_new - update.W_old, rtol=0, atol=TOL
        )
        if run.arch.use_bias:
            assert update.b_new is not None
            np.testing.assert_allclose(update.b_new, after.params.biases[layer], rtol=0, atol=TOL)
        # each weight's column of contributions is its chain's per-row products times -lr
        chain = parameter_chain(run, k, ParamRef(layer, n_out - 1, n_in - 1))
        np.testing.assert_allclose(
            update.contributions[:, n_in - 1, n_out - 1], -run.config.learning_rate * chain.terms, atol=TOL
        )


# --- prediction -----------------------------------------------------------------------------------


def test_prediction_arithmetic_gives_the_notebooks_prediction(notebook_run: Run) -> None:
    (step,) = prediction_steps(notebook_run, 10_000, (1, 0, 0))
    assert f"{step.a[0]:.8f}" == "0.99993703"
    np.testing.assert_array_equal(step.products, np.array([[1.0], [0.0], [0.0]]) * step.W)
    assert step.target_names == ("out",) and step.source_names == ("x1", "x2", "x3")


@pytest.mark.parametrize("k", [0, 59])
def test_prediction_steps_chain_through_the_layers(run: Run, k: int) -> None:
    x = PRESETS["xor"].test_input if run.table.n_inputs == 3 else (1.0,) * run.table.n_inputs
    steps = prediction_steps(run, k, x)
    assert len(steps) == run.arch.n_layers
    np.testing.assert_array_equal(steps[0].inputs, x)
    for before, after in pairwise(steps):
        np.testing.assert_array_equal(after.inputs, before.a)
    for step in steps:
        net = step.products.sum(axis=0) + (0 if step.b is None else step.b)
        np.testing.assert_allclose(net, step.z, atol=TOL)
        np.testing.assert_array_equal(step.a, step.activation.function(step.z))
    np.testing.assert_array_equal(steps[-1].a, run.predict(np.array([x]), k)[0])


# --- gradient check -------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, 1, 30, 60])
def test_finite_differences_agree_with_backpropagation(run: Run, k: int) -> None:
    check = gradient_check(run, k)
    assert len(check.rows) == len(parameters(run.arch))
    assert check.max_rel_error < GRADIENT_CHECK_TOLERANCE, max(check.rows, key=lambda r: r.rel_error)
    assert check.ok
    assert check.loss == run.snapshot_at(k).loss


@pytest.mark.parametrize("k", [0, 5_000, 10_000])
def test_finite_differences_on_the_notebook(notebook_run: Run, k: int) -> None:
    assert gradient_check(notebook_run, k).max_rel_error < GRADIENT_CHECK_TOLERANCE


def test_the_check_catches_a_gradient_off_by_a_tenth_of_a_percent(run: Run) -> None:
    check = gradient_check(run, 1)
    for row in check.rows:
        if abs(row.numeric) > 1e-3:
            assert relative_error(row.analytic * 1.001, row.numeric, check.noise) > GRADIENT_CHECK_TOLERANCE


def test_relative_error_is_zero_for_equal_values_and_finite_for_zeros() -> None:
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(2.0, 2.0) == 0.0
    assert relative_error(1.0, 0.5) == 0.5
    assert relative_error(1e-12, 0.0, noise=1e-10) < GRADIENT_CHECK_TOLERANCE


@settings(max_examples=25)
@given(
    hidden=st.sampled_from([(), (1,), (3,), (2, 2), (8,), (3, 4)]),
    activation=st.sampled_from(["sigmoid", "tanh", "relu"]),
    use_bias=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    learning_rate=st.floats(0.01, 5.0),
    preset=st.sampled_from(["notebook", "xor", "half-adder", "majority"]),
    k=st.integers(0, 4),
)
def test_any_network_new_weights_are_the_trainers(
    hidden: tuple[int, ...],
    activation: str,
    use_bias: bool,
    seed: int,
    learning_rate: float,
    preset: str,
    k: int,
) -> None:
    config = TrainConfig(
        learning_rate=learning_rate,
        n_iterations=5,
        seed=seed,
        hidden=hidden,
        activation=activation,
        use_bias=use_bias,
    )
    run = train(PRESETS[preset].table, config)
    after = run.snapshot_at(k + 1)
    for ref in parameters(run.arch):
        chain = parameter_chain(run, k, ref)
        assert abs(chain.new - param_value(after.params, ref)) <= TOL


# --- labelled columns for the page ----------------------------------------------------------------


def test_layer_columns_are_labelled_and_consistent(run: Run) -> None:
    for layer in range(run.arch.n_layers):
        update = layer_update(run, 2, layer)
        rows = update.row_columns()
        assert all(column.shape == (run.table.n_rows,) for column in rows.values())
        n_targets = len(update.target_names)
        assert len(rows) == len(update.source_names) + n_targets * (5 if update.is_output else 4)
        names, columns = update.parameter_columns()
        n_weights = len(update.source_names) * n_targets
        assert names[:n_weights] == update.weight_names
        assert len(names) == n_weights + (n_targets if run.arch.use_bias else 0)
        np.testing.assert_array_equal(
            columns["step lr·a_prevᵀδ"], update.learning_rate * columns["a_prevᵀδ = −∂E/∂w"]
        )
        np.testing.assert_allclose(columns["new"] - columns["old"], columns["step lr·a_prevᵀδ"], atol=TOL)
        contributions = update.contribution_columns()
        assert tuple(contributions) == update.weight_names
        sums = np.array([c.sum() for c in contributions.values()])
        np.testing.assert_allclose(sums, columns["step lr·a_prevᵀδ"][:n_weights], atol=TOL)


def test_notebook_row_columns_use_the_notebooks_names(notebook_run: Run) -> None:
    rows = layer_update(notebook_run, 0, 0).row_columns()
    assert list(rows) == ["x1", "x2", "x3", "out", "y", "error y − out", "out(1 − out)", "δ"]
    check = gradient_check(notebook_run, 0).columns()
    assert check["parameter"] == ["w(x1→out)", "w(x2→out)", "w(x3→out)"]
    assert set(check) == {
        "parameter",
        "backprop ∂E/∂p",
        "finite difference",
        "|difference|",
        "relative error",
    }
