"""Network: gradients against central finite differences, stacks of networks, a published worked
example, parameters."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from backprop.errors import ConfigError
from backprop.limits import MAX_HIDDEN_LAYERS
from backprop.network import (
    RELU_BIAS_INIT,
    Architecture,
    Params,
    apply_update,
    backpropagate,
    backward,
    descend,
    forward,
    init_params,
    loss,
    losses,
    make_params,
    predict,
    propagate,
)
from backprop.table import PRESETS

# --- gradients vs central finite differences of E = 1/2 * sum((y - out)^2) ---------------------------

ARCHITECTURES = [
    (hidden, activation, use_bias, n_outputs)
    for hidden, activation, use_bias, n_outputs in itertools.product(
        [(), (4,), (3, 2)], ["sigmoid", "tanh", "relu"], [False, True], [1, 3]
    )
    if hidden or activation == "sigmoid"  # without hidden layers the activation is unused
]


def _energy(arch: Architecture, params: Params, X: np.ndarray, y: np.ndarray) -> float:
    return loss(forward(arch, params, X).output, y)


def _random_problem(arch: Architecture, seed: int) -> tuple[Params, np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (6, arch.n_inputs))
    y = rng.uniform(0, 1, (6, arch.n_outputs))
    sizes = arch.sizes
    weights = [rng.normal(0, 0.9, (a, b)) for a, b in itertools.pairwise(sizes)]
    biases = [rng.normal(0, 0.5, b) if arch.use_bias else np.zeros(b) for b in sizes[1:]]
    return make_params(arch, weights, biases), X, y


def _away_from_kinks(arch: Architecture, params: Params, X: np.ndarray) -> bool:
    """For ReLU: every hidden net input is clearly non-zero and some units are active."""
    if arch.activation != "relu" or not arch.hidden:
        return True
    zs = forward(arch, params, X).z[:-1]
    return all(np.abs(z).min() > 1e-3 and (z > 0).mean() > 0.3 for z in zs)


def _numeric_gradient(arch: Architecture, params: Params, X: np.ndarray, y: np.ndarray, h: float = 1e-6):
    def perturbed(kind: str, layer: int, index: tuple[int, ...], step: float) -> Params:
        weights = [W.copy() for W in params.weights]
        biases = [b.copy() for b in params.biases]
        (weights if kind == "W" else biases)[layer][index] += step
        return Params(tuple(weights), tuple(biases))

    dW = [np.zeros_like(W) for W in params.weights]
    db = [np.zeros_like(b) for b in params.biases]
    for kind, arrays in (("W", dW), ("b", db)):
        for layer, grad in enumerate(arrays):
            for index in np.ndindex(grad.shape):
                plus = _energy(arch, perturbed(kind, layer, index, h), X, y)
                minus = _energy(arch, perturbed(kind, layer, index, -h), X, y)
                grad[index] = (plus - minus) / (2 * h)
    return dW, db


def _assert_gradient_close(analytic: np.ndarray, numeric: np.ndarray) -> None:
    diff = np.abs(analytic - numeric)
    scale = np.maximum(np.abs(analytic), np.abs(numeric))
    # elementwise relative error < 1e-6 (with a 1e-9 floor for entries that are ~0 in both)
    assert np.all(diff <= 1e-6 * scale + 1e-9), (analytic, numeric)
    norm = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if norm > 0:
        assert np.linalg.norm(analytic - numeric) / norm < 1e-6


@pytest.mark.parametrize(("hidden", "activation", "use_bias", "n_outputs"), ARCHITECTURES)
def test_gradients_match_central_finite_differences(
    hidden: tuple[int, ...], activation: str, use_bias: bool, n_outputs: int
) -> None:
    arch = Architecture(5, n_outputs, hidden, activation, use_bias)
    for seed in range(100):
        params, X, y = _random_problem(arch, seed)
        if _away_from_kinks(arch, params, X):
            break
    else:
        pytest.fail("no ReLU problem away from kinks")
    grads = backward(arch, params, forward(arch, params, X), y)
    dW, db = _numeric_gradient(arch, params, X, y)
    for layer in range(arch.n_layers):
        assert grads.dW[layer].shape == params.weights[layer].shape
        _assert_gradient_close(grads.dW[layer], dW[layer])
        _assert_gradient_close(grads.db[layer], db[layer])
        if not use_bias:
            np.testing.assert_array_equal(grads.db[layer], 0.0)
    assert any(np.abs(g).max() > 1e-3 for g in grads.dW)  # the check was not vacuous


def test_delta_is_minus_de_dz_and_has_the_layer_shapes() -> None:
    arch = Architecture(5, 2, (3, 4), "tanh", True)
    params, X, y = _random_problem(arch, 1)
    fwd = forward(arch, params, X)
    grads = backward(arch, params, fwd, y)
    for layer, delta in enumerate(grads.delta):
        assert delta.shape == fwd.z[layer].shape == (6, arch.sizes[layer + 1])
        # dE/db_l = -sum over rows of delta_l, which the finite-difference test checks against E
        np.testing.assert_allclose(grads.db[layer], -delta.sum(axis=0))


def test_notebook_step_is_the_notebooks_formula_exactly() -> None:
    table = PRESETS["notebook"].table
    arch = Architecture(3)
    params = init_params(arch, 0)
    X, y = table.X, table.y
    weights = params.weights[0].copy()
    layer1 = 1 / (1 + np.exp(-np.dot(X, weights)))
    delta = (y - layer1) * (layer1 * (1 - layer1))
    weights += 1 * np.dot(X.T, delta)
    fwd = forward(arch, params, X)
    np.testing.assert_array_equal(fwd.output, layer1)
    grads = backward(arch, params, fwd, y)
    np.testing.assert_array_equal(grads.delta[0], delta)
    np.testing.assert_array_equal(apply_update(arch, params, grads, 1.0).weights[0], weights)


# --- stacks of networks: leading axes of runs or snapshots ----------------------------------------------


def _stack(arrays: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """``arrays`` stacked on new leading axes of ``shape``."""
    stacked = np.stack(arrays)
    return stacked.reshape(shape + stacked.shape[1:])


@pytest.mark.parametrize("per_network_table", [False, True])
@pytest.mark.parametrize(("hidden", "activation", "use_bias", "n_outputs"), ARCHITECTURES)
def test_a_stack_of_networks_gives_each_network_its_own_numbers_exactly(
    hidden: tuple[int, ...], activation: str, use_bias: bool, n_outputs: int, per_network_table: bool
) -> None:
    """Six networks on leading axes (2, 3): forward, backward, loss and update, bit for bit each alone."""
    arch = Architecture(5, n_outputs, hidden, activation, use_bias)
    problems = [_random_problem(arch, seed) for seed in range(6)]
    lead = (2, 3)
    if per_network_table:
        X, y = _stack([X for _, X, _ in problems], lead), _stack([y for _, _, y in problems], lead)
    else:  # one table shared by every network (a sweep, a history)
        X, y = problems[0][1], problems[0][2]
        problems = [(params, X, y) for params, _, _ in problems]
    weights = [_stack([p.weights[layer] for p, _, _ in problems], lead) for layer in range(arch.n_layers)]
    biases = [_stack([p.biases[layer] for p, _, _ in problems], lead) for layer in range(arch.n_layers)]
    rates = np.linspace(0.1, 2.0, 6)
    z, a = propagate(arch, weights, biases, X)
    delta, dW, db = backpropagate(arch, weights, a, y)
    E = losses(a[-1], y)
    new_W = descend(weights, dW, rates.reshape((*lead, 1, 1)))
    new_b = descend(biases, db, rates.reshape((*lead, 1))) if use_bias else biases
    assert len(db) == (arch.n_layers if use_bias else 0)  # no bias gradients computed without biases
    assert E.shape == lead and all(
        d.shape == (*lead, 6, n) for d, n in zip(delta, arch.sizes[1:], strict=True)
    )
    for i, (params, X_i, y_i) in enumerate(problems):
        index = np.unravel_index(i, lead)
        fwd = forward(arch, params, X_i)
        grads = backward(arch, params, fwd, y_i)
        new = apply_update(arch, params, grads, rates[i])
        assert E[index] == loss(fwd.output, y_i)
        pairs = [
            (z, fwd.z),
            (a[1:], fwd.a[1:]),
            (delta, grads.delta),
            (dW, grads.dW),
            (db if use_bias else [np.zeros_like(b) for b in biases], grads.db),
            (new_W, new.weights),
            (new_b, new.biases),
        ]
        for stacked, alone in pairs:
            for got, want in zip(stacked, alone, strict=True):
                np.testing.assert_array_equal(got[index], want)


def test_params_and_the_records_hold_stacks_too() -> None:
    arch = Architecture(3, 1, (2,), "tanh", True)
    alone = [init_params(arch, seed) for seed in range(4)]
    stacked = Params(
        tuple(np.stack([p.weights[layer] for p in alone]) for layer in range(2)),
        tuple(np.stack([p.biases[layer] for p in alone]) for layer in range(2)),
    )
    X, y = PRESETS["notebook"].table.X, PRESETS["notebook"].table.y
    fwd = forward(arch, stacked, X)
    grads = backward(arch, stacked, fwd, y)
    assert fwd.output.shape == (4, 4, 1) and grads.dW[0].shape == (4, 3, 2) and grads.db[1].shape == (4, 1)
    for r, params in enumerate(alone):
        np.testing.assert_array_equal(fwd.output[r], forward(arch, params, X).output)
    assert stacked.is_finite()


# --- a published worked example ---------------------------------------------------------------------


def test_matt_mazur_step_by_step_example_one_update() -> None:
    """Matt Mazur, "A Step by Step Backpropagation Example" (2015): 2-2-2 sigmoid network, lr 0.5.

    Mazur's biases are shared per layer and never updated; ours are per unit and learned. Weight updates
    of one step are computed at the old parameters, so after one step every weight agrees with his.
    """
    arch = Architecture(2, 2, (2,), "sigmoid", use_bias=True)
    # W[i, j] is the weight from unit i to unit j: w1 i1->h1, w2 i2->h1, w3 i1->h2, w4 i2->h2; w5..w8 likewise
    params = make_params(
        arch,
        [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
        [[0.35, 0.35], [0.60, 0.60]],
    )
    X, y = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    fwd = forward(arch, params, X)
    np.testing.assert_allclose(fwd.z[0], [[0.3775, 0.3925]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(fwd.a[1], [[0.593269992, 0.596884378]], rtol=0, atol=5e-10)
    np.testing.assert_allclose(fwd.output, [[0.75136507, 0.772928465]], rtol=0, atol=5e-9)
    assert loss(fwd.output, y) == pytest.approx(0.298371109, abs=5e-10)
    grads = backward(arch, params, fwd, y)
    assert grads.dW[1][0, 0] == pytest.approx(0.082167041, abs=5e-10)  # dE/dw5
    assert grads.dW[0][0, 0] == pytest.approx(0.000438568, abs=5e-10)  # dE/dw1
    W1, W2 = apply_update(arch, params, grads, 0.5).weights
    w1, w2, w3, w4 = W1[0, 0], W1[1, 0], W1[0, 1], W1[1, 1]
    w5, w6, w7, w8 = W2[0, 0], W2[1, 0], W2[0, 1], W2[1, 1]
    published = [0.149780716, 0.19956143, 0.24975114, 0.29950229, 0.35891648, 0.408666186, 0.511301270]
    np.testing.assert_allclose([w1, w2, w3, w4, w5, w6, w7], published, rtol=0, atol=6e-9)
    assert w8 == pytest.approx(0.561370121, abs=6e-9)


def test_one_update_by_hand_with_plain_floats() -> None:
    """A 2-1-1 network (tanh hidden unit, sigmoid output, biases) on two rows, computed with floats."""
    x_rows, targets = [(0.5, -1.0), (1.0, 2.0)], [0.2, 0.9]
    w1, w2, b1, v, c, lr = 0.3, -0.7, 0.1, 1.5, -0.2, 0.25
    gw1 = gw2 = gb1 = gv = gc = 0.0
    for (x1, x2), t in zip(x_rows, targets, strict=True):
        h = math.tanh(w1 * x1 + w2 * x2 + b1)
        out = 1 / (1 + math.exp(-(v * h + c)))
        d_out = (t - out) * out * (1 - out)  # -dE/dz at the output
        d_h = d_out * v * (1 - h * h)  # -dE/dz at the hidden unit
        gw1, gw2, gb1 = gw1 + d_h * x1, gw2 + d_h * x2, gb1 + d_h
        gv, gc = gv + d_out * h, gc + d_out
    expected_W1 = [[w1 + lr * gw1], [w2 + lr * gw2]]
    expected = (expected_W1, [b1 + lr * gb1], [[v + lr * gv]], [c + lr * gc])

    arch = Architecture(2, 1, (1,), "tanh", use_bias=True)
    params = make_params(arch, [[[w1], [w2]], [[v]]], [[b1], [c]])
    X, y = np.array(x_rows), np.array(targets)[:, None]
    new = apply_update(arch, params, backward(arch, params, forward(arch, params, X), y), lr)
    got = (new.weights[0], new.biases[0], new.weights[1], new.biases[1])
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-14, atol=1e-15)


# --- parameters and architecture ---------------------------------------------------------------------


def test_init_params_is_the_notebooks_draw_and_leaves_the_global_rng_alone() -> None:
    before = np.random.get_state()
    params = init_params(Architecture(3), 0)
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]
    expected = 2 * np.random.RandomState(0).random_sample((3, 1)) - 1
    np.testing.assert_array_equal(params.weights[0], expected)
    np.testing.assert_array_equal(params.biases[0], [0.0])


def test_init_params_draws_layers_in_order_and_scales_relu_layers() -> None:
    arch = Architecture(3, 2, (4, 5), "relu", True)
    params = init_params(arch, 7)
    rng = np.random.RandomState(7)
    draws = [2 * rng.random_sample(shape) - 1 for shape in [(3, 4), (4, 5), (5, 2)]]
    np.testing.assert_allclose(params.weights[0], draws[0] * math.sqrt(6 / 3))
    np.testing.assert_allclose(params.weights[1], draws[1] * math.sqrt(6 / 4))
    np.testing.assert_array_equal(params.weights[2], draws[2])  # the sigmoid output keeps U(-1, 1)
    assert [b.shape for b in params.biases] == [(4,), (5,), (2,)]
    # hidden ReLU biases start slightly positive (fewer units dead from the start), the output's at 0
    np.testing.assert_array_equal(params.biases[0], np.full(4, RELU_BIAS_INIT))
    np.testing.assert_array_equal(params.biases[1], np.full(5, RELU_BIAS_INIT))
    np.testing.assert_array_equal(params.biases[2], [0.0, 0.0])
    without_bias = init_params(Architecture(3, 2, (4, 5), "relu", False), 7)
    assert all(not b.any() for b in without_bias.biases)
    assert all(not b.any() for b in init_params(Architecture(3, 2, (4, 5), "tanh", True), 7).biases)
    assert init_params(arch, 8).weights[0].tolist() != params.weights[0].tolist()


def test_params_are_read_only_copies() -> None:
    arch = Architecture(2, 1, (), "sigmoid", True)
    source = np.array([[1.0], [2.0]])
    params = make_params(arch, [source], [[0.5]])
    source[0, 0] = 99.0
    assert params.weights[0][0, 0] == 1.0
    for array in (*params.weights, *params.biases):
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0.0


@pytest.mark.parametrize(
    ("weights", "biases", "match"),
    [
        ([[[1.0], [2.0]]], None, "Expected 2 weight matrices"),
        ([np.zeros((2, 3)), np.zeros((2, 1))], None, r"W2 must have shape \(3, 1\)"),
        ([np.zeros((3, 3)), np.zeros((3, 1))], None, r"W1 must have shape \(2, 3\)"),
        ([np.zeros((2, 3)), np.zeros((3, 1))], [np.zeros(3)], "Expected 2 bias vectors"),
        ([np.zeros((2, 3)), np.zeros((3, 1))], [np.zeros(2), np.zeros(1)], "b1 must have 3 values"),
        ([np.zeros((2, 3)), np.zeros((3, 1))], [np.zeros(3), np.ones(1)], "need use_bias=True"),
        ([np.full((2, 3), np.nan), np.zeros((3, 1))], None, "finite"),
        ([np.zeros((2, 3)), np.full((3, 1), np.inf)], None, "finite"),
    ],
)
def test_make_params_checks_shapes_biases_and_finiteness(
    weights: list, biases: list | None, match: str
) -> None:
    with pytest.raises(ConfigError, match=match):
        make_params(Architecture(2, 1, (3,)), weights, biases)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n_inputs": 0}, "n_inputs"),
        ({"n_inputs": 9}, "n_inputs"),
        ({"n_inputs": 2, "n_outputs": 0}, "n_outputs"),
        ({"n_inputs": 2, "n_outputs": 5}, "n_outputs"),
        ({"n_inputs": 2, "hidden": (2,) * (MAX_HIDDEN_LAYERS + 1)}, "hidden"),
        ({"n_inputs": 2, "hidden": (0,)}, "hidden"),
        ({"n_inputs": 2, "hidden": (9,)}, "hidden"),
        ({"n_inputs": 2, "activation": "softmax"}, "activation"),
    ],
)
def test_architecture_limits_are_config_errors(kwargs: dict, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        Architecture(**kwargs)
    assert info.value.field == field


def test_architecture_sizes_and_layer_activations() -> None:
    arch = Architecture(3, 2, [4, 3], "tanh")  # type: ignore[arg-type]
    assert arch.hidden == (4, 3) and arch.sizes == (3, 4, 3, 2) and arch.n_layers == 3
    assert [arch.layer_activation(layer).name for layer in range(3)] == ["tanh", "tanh", "sigmoid"]
    assert Architecture(3).layer_activation(0).name == "sigmoid"


def test_predict_and_loss() -> None:
    arch = Architecture(3)
    params = make_params(arch, [[[1.0], [-2.0], [0.5]]])
    out = predict(arch, params, [1, 0, 0])
    assert out.shape == (1, 1)
    assert out[0, 0] == 1 / (1 + math.exp(-1.0))
    assert predict(arch, params, np.zeros((5, 3))).shape == (5, 1)
    assert loss(np.array([[0.5], [1.0]]), np.array([[1.0], [0.0]])) == 0.5 * (0.25 + 1.0)
    assert loss(np.zeros((2, 2)), np.zeros((2, 2))) == 0.0
    per_network = losses(np.array([[[0.5], [1.0]], [[1.0], [0.0]]]), np.array([[1.0], [0.0]]))
    assert per_network.shape == (2,) and per_network.tolist() == [0.5 * (0.25 + 1.0), 0.5 * (0.0 + 0.0)]
