"""The chain rule with #13's options: the numbers of the update the run actually applies, over its
mini-batch, with the penalty's term; derived inputs named and written in LaTeX."""

from __future__ import annotations

import numpy as np
import pytest

from backprop.chain import (
    gradient_check,
    layer_update,
    parameter_chain,
    parameters,
    prediction_steps,
    update_batch,
)
from backprop.chain_latex import chain_formula_tex, chain_rows_tex, matrix_form_tex, param_tex, update_tex
from backprop.datasets import DataSpec, generate
from backprop.network import penalty_gradient
from backprop.trainer import Run, TrainConfig, batch_rows, train

SETTINGS = {
    "l2, batches, features, test set": {
        "hidden": (4, 3),
        "activation": "tanh",
        "features": ("x1sq", "sinx2"),
        "test_fraction": 0.2,
        "batch_size": 7,
        "regularization": "l2",
        "reg_rate": 0.05,
    },
    "l1, batches": {"hidden": (3,), "batch_size": 9, "regularization": "l1", "reg_rate": 0.2},
    "l1 stops weights at 0": {"hidden": (3,), "regularization": "l1", "reg_rate": 3.0},
    "linear, six layers": {"hidden": (8,) * 6, "activation": "linear", "batch_size": 16},
}


@pytest.fixture(scope="module", params=list(SETTINGS))
def run(request: pytest.FixtureRequest) -> Run:
    table = generate(DataSpec("xor", 48, 0.1, 5))
    config = TrainConfig(
        learning_rate=0.05, n_iterations=12, use_bias=True, seed=2, **SETTINGS[request.param]
    )
    return train(table, config)


def _next_value(run: Run, k: int, ref: object) -> float:
    params = run.snapshot_at(k + 1).params
    if ref.source is None:  # type: ignore[attr-defined]
        return float(params.biases[ref.layer][ref.target])  # type: ignore[attr-defined]
    return float(params.weights[ref.layer][ref.source, ref.target])  # type: ignore[attr-defined]


@pytest.mark.parametrize("k", [0, 5, 10])
def test_each_parameters_new_value_is_the_update_the_run_applies(run: Run, k: int) -> None:
    for ref in parameters(run.arch):
        chain = parameter_chain(run, k, ref)
        assert chain.new == pytest.approx(_next_value(run, k, ref), rel=1e-9, abs=1e-12), chain.name
        assert chain.old + chain.step == pytest.approx(chain.new, rel=1e-12, abs=1e-15)
    for layer in range(run.arch.n_layers):
        update = layer_update(run, k, layer)
        after = run.snapshot_at(k + 1).params
        assert update.W_new == pytest.approx(after.weights[layer], rel=1e-9, abs=1e-12)
        if update.b_new is not None:
            assert update.b_new == pytest.approx(after.biases[layer], rel=1e-9, abs=1e-12)


def test_the_chain_sums_over_the_updates_batch_rows(run: Run) -> None:
    config, n = run.config, run.table.n_rows
    for k in (0, 3, 11):
        batch = update_batch(run, k)
        rows = batch_rows(n, config.batch_size, config.seed, k)
        ref = parameters(run.arch)[-1]
        chain = parameter_chain(run, k, ref)
        update = layer_update(run, k, ref.layer)
        if rows is None:
            assert batch.rows is None and chain.n_rows == n
            assert list(batch.row_numbers) == list(range(1, n + 1))
        else:
            assert list(batch.rows) == list(rows) and chain.n_rows == len(rows)
            assert list(batch.row_numbers) == list(rows + 1)
            assert update.a.shape[0] == len(rows) and update.y is not None
            assert update.y == pytest.approx(run.table.y[rows])
            assert 1 <= batch.index <= batch.per_epoch and batch.epoch == k // batch.per_epoch + 1
            assert r"\text{batch rows}" in chain_formula_tex(chain)
            assert rf"\text{{row {rows[0] + 1}:}}" in chain_rows_tex(chain)
        # the per-row terms sum to the gradient the update used
        assert float(np.sum(chain.terms)) == pytest.approx(chain.gradient)


def test_the_penalty_term_is_network_penalty_gradient_and_is_written_with_its_numbers(run: Run) -> None:
    config = run.config
    for ref in parameters(run.arch):
        chain = parameter_chain(run, 4, ref)
        W = run.snapshot_at(4).params.weights[ref.layer]
        if ref.is_bias or not config.penalized:
            assert chain.penalty_term == 0.0 and not chain.penalized
            assert r"\lambda" not in update_tex(chain)
            continue
        expected = penalty_gradient(W, config.regularization, config.reg_rate)[ref.source, ref.target]
        assert chain.penalty_term == expected
        assert chain.total_gradient == pytest.approx(chain.gradient + expected)
        tex = update_tex(chain)
        assert r"\lambda" in tex and "penalty's term" in tex
        assert param_tex(chain.name) in tex
        if config.regularization == "l2":
            assert np.isclose(chain.new, chain.old - config.learning_rate * (chain.gradient + expected))
        else:
            s = chain.old - config.learning_rate * chain.gradient
            assert chain.new == np.sign(s) * max(abs(s) - config.learning_rate * config.reg_rate, 0.0)
            assert r"\operatorname{sign}" in tex
    update = layer_update(run, 4, 0)
    _, columns = update.parameter_columns()
    if config.penalized:
        penalty = next(v for k, v in columns.items() if k.startswith("penalty term"))
        n_weights = len(update.weight_names)
        W = run.snapshot_at(4).params.weights[0]
        expected = penalty_gradient(W, config.regularization, config.reg_rate).ravel()
        assert penalty[:n_weights] == pytest.approx(expected)
        assert not penalty[n_weights:].any()  # biases carry no penalty
        assert r"\lambda" in matrix_form_tex(update)
    else:
        assert not any(k.startswith("penalty term") for k in columns)
    assert columns["new"] == pytest.approx(
        columns["old"] + next(v for k, v in columns.items() if k.startswith("step"))
    )


def test_l1_stops_a_weight_at_zero_and_says_so() -> None:
    table = generate(DataSpec("xor", 48, 0.1, 5))
    run = train(
        table,
        TrainConfig(
            learning_rate=0.05,
            n_iterations=12,
            hidden=(3,),
            use_bias=True,
            seed=2,
            regularization="l1",
            reg_rate=3.0,
        ),
    )
    stopped = [
        chain
        for k in range(run.final.iteration)
        for ref in parameters(run.arch)
        if not ref.is_bias and (chain := parameter_chain(run, k, ref)).stopped_at_zero
    ]
    assert stopped, "a rate this large sets some weights to 0"
    chain = stopped[0]
    assert chain.new == 0.0 and chain.old != 0.0
    assert "stopped at 0" in update_tex(chain)
    # the plain step old - lr (∂E/∂w + λ sign(w)) would have carried the weight across 0
    s = chain.old - chain.learning_rate * chain.gradient
    plain = chain.old - chain.learning_rate * chain.total_gradient
    if np.sign(s) == np.sign(chain.old):
        assert np.sign(plain) == -np.sign(chain.old)


def test_derived_inputs_are_named_in_the_chain_and_the_prediction(run: Run) -> None:
    features = run.config.features
    names = [parameter_chain(run, 0, ref).name for ref in parameters(run.arch) if ref.layer == 0]
    if features:
        assert any(name.startswith("w(x1²→") for name in names)
        assert any(name.startswith("w(sin x2→") for name in names)
        assert r"x_{1}^{2}" in param_tex(next(n for n in names if n.startswith("w(x1²")))
        assert r"\sin x_{2}" in param_tex(next(n for n in names if n.startswith("w(sin x2")))
        # the test input in the table's own two inputs: the features are appended
        steps = prediction_steps(run, 3, (1.5, -2.0))
        assert steps[0].source_names[2:] == ("x1²", "sin x2")
        assert steps[0].inputs == pytest.approx([1.5, -2.0, 2.25, np.sin(-2.0)])
        assert steps[-1].a == pytest.approx(run.predict([[1.5, -2.0]], 3)[0])
    assert gradient_check(run, 2).ok
