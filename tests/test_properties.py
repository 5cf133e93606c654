"""Property-based tests of the core (hypothesis): for any valid table and settings, training behaves.

- training returns finite weights, a finite loss and outputs in [0, 1], never a NumPy warning (pytest
  turns warnings into errors), and its status says how it ended;
- the recorded history stays within its bounds: at most ``history_size`` snapshots, iterations from 0
  rising to the final one;
- on the notebook's table, with a small learning rate, the loss never increases (gradient descent on a
  smooth loss; ReLU is left out: its slope jumps where a unit switches on, so no rate is small enough);
- a sweep (many runs trained together, on a leading axis) gives each run exactly what ``train`` gives it;
- hostile text and values (CSV text and bytes, link parameters, settings) give a result or the library's
  own error, never another exception.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backprop import share
from backprop.activations import ACTIVATIONS, sigmoid
from backprop.errors import BackpropError, ConfigError, TableError
from backprop.export import table_from_csv_bytes
from backprop.network import MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS
from backprop.sweep import sweep
from backprop.table import MAX_INPUTS, MAX_OUTPUTS, MAX_ROWS, PRESETS, TruthTable, parse_csv
from backprop.trainer import MAX_LEARNING_RATE, MAX_SEED, TrainConfig, train

FAST = settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
NOTEBOOK = PRESETS["notebook"].table

finite = st.floats(allow_nan=False, allow_infinity=False)
inputs = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(-1e3, 1e3), finite)
targets = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))
learning_rates = st.floats(0.0, MAX_LEARNING_RATE, exclude_min=True)
hidden_layers = st.lists(st.integers(1, MAX_HIDDEN_UNITS), max_size=MAX_HIDDEN_LAYERS).map(tuple)


@st.composite
def tables(draw: st.DrawFn, max_rows: int = MAX_ROWS) -> TruthTable:
    n_rows = draw(st.integers(1, 12) | st.integers(1, max_rows))
    n_inputs = draw(st.integers(1, MAX_INPUTS))
    n_outputs = draw(st.integers(1, MAX_OUTPUTS))
    X = draw(arrays(np.float64, (n_rows, n_inputs), elements=inputs))
    y = draw(arrays(np.float64, (n_rows, n_outputs), elements=targets))
    return TruthTable(X, y)


@st.composite
def configs(draw: st.DrawFn, max_iterations: int = 150) -> TrainConfig:
    return TrainConfig(
        learning_rate=draw(learning_rates),
        n_iterations=draw(st.integers(0, max_iterations)),
        seed=draw(st.integers(0, MAX_SEED)),
        hidden=draw(hidden_layers),
        activation=draw(st.sampled_from(list(ACTIVATIONS))),
        use_bias=draw(st.booleans()),
        target_loss=draw(st.none() | st.floats(0.0, 1.0)),
        history_size=draw(st.integers(2, 60)),
    )


# --- training on any valid table ------------------------------------------------------------------------


@FAST
@given(table=tables(), config=configs())
def test_training_returns_finite_weights_and_says_how_it_ended(
    table: TruthTable, config: TrainConfig
) -> None:
    run = train(table, config)
    final, n = run.final, config.n_iterations
    assert final.params.is_finite()
    if math.isfinite(final.loss):
        assert final.loss >= 0 and np.all((final.output >= 0) & (final.output <= 1))
    else:  # finite weights, but net inputs beyond the float range (inputs near 1e308)
        assert run.status == "non_finite" or n == 0
    if run.status == "completed":
        assert final.iteration == n and run.failed_at is None
    elif run.status == "target_reached":
        assert config.target_loss is not None and final.loss <= config.target_loss and final.iteration <= n
    else:
        assert run.status == "non_finite"
        assert run.failed_at == final.iteration + 1 <= n


@FAST
@given(table=tables(), config=configs(max_iterations=2000))
def test_history_stays_within_its_bounds(table: TruthTable, config: TrainConfig) -> None:
    run = train(table, config)
    iterations = [s.iteration for s in run.history]
    assert 1 <= len(iterations) <= config.history_size
    assert iterations[0] == 0 and iterations[-1] == run.final.iteration
    assert all(a < b for a, b in itertools.pairwise(iterations))
    for snapshot in run.history:
        assert snapshot.params.is_finite()
        assert snapshot.output.shape == table.y.shape and not snapshot.output.flags.writeable
    assert all(math.isfinite(s.loss) for s in run.history[:-1])


@FAST
@given(
    learning_rate=st.floats(0.0, 1.0, exclude_min=True),
    seed=st.integers(0, MAX_SEED),
    use_bias=st.booleans(),
)
def test_the_notebooks_network_never_increases_the_loss_at_small_learning_rates(
    learning_rate: float, seed: int, use_bias: bool
) -> None:
    config = TrainConfig(learning_rate=learning_rate, n_iterations=300, seed=seed, use_bias=use_bias)
    losses = np.array([s.loss for s in train(NOTEBOOK, config).history])
    assert np.all(np.diff(losses) <= 1e-12 * losses[:-1])


@FAST
@given(
    learning_rate=st.floats(0.0, 0.1, exclude_min=True),
    seed=st.integers(0, MAX_SEED),
    hidden=st.lists(st.integers(1, MAX_HIDDEN_UNITS), min_size=1, max_size=MAX_HIDDEN_LAYERS).map(tuple),
    activation=st.sampled_from(["sigmoid", "tanh"]),
    use_bias=st.booleans(),
)
def test_hidden_layers_never_increase_the_loss_at_small_learning_rates(
    learning_rate: float, seed: int, hidden: tuple[int, ...], activation: str, use_bias: bool
) -> None:
    config = TrainConfig(
        learning_rate=learning_rate,
        n_iterations=200,
        seed=seed,
        hidden=hidden,
        activation=activation,
        use_bias=use_bias,
    )
    losses = np.array([s.loss for s in train(NOTEBOOK, config).history])
    assert np.all(np.diff(losses) <= 1e-12 * losses[:-1])


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=tables(max_rows=16),
    config=configs(max_iterations=60),
    learning_rates=st.lists(learning_rates, min_size=1, max_size=4),
    seeds=st.lists(st.integers(0, MAX_SEED), min_size=1, max_size=4),
)
def test_a_sweep_gives_every_run_the_numbers_train_gives_it(
    table: TruthTable, config: TrainConfig, learning_rates: list[float], seeds: list[int]
) -> None:
    size = min(len(learning_rates), len(seeds))
    result = sweep(table, config, learning_rates[:size], seeds[:size], curve_points=config.history_size)
    for r in range(result.n_runs):
        run = train(table, result.config_of(r))
        assert (result.status[r], result.final_iteration[r]) == (run.status, run.final.iteration)
        for got, want in zip(
            result.params_of(r).weights + result.params_of(r).biases,
            run.final.params.weights + run.final.params.biases,
            strict=True,
        ):
            np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(result.final_loss[r], run.final.loss)


@FAST
@given(z=arrays(np.float64, st.integers(1, 50), elements=st.floats(allow_nan=False)))
def test_sigmoid_is_quiet_and_bounded_for_any_net_input(z: np.ndarray) -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = sigmoid(z)
    assert np.all((a >= 0) & (a <= 1))


# --- hostile input: a result or the library's own error ------------------------------------------------


@FAST
@given(text=st.text(alphabet=st.sampled_from("xy0123456789.,-e \n\"';abcnif\x00é\ufeff"), max_size=200))
def test_any_csv_text_gives_a_table_or_a_table_error(text: str) -> None:
    try:
        table = parse_csv(text)
    except TableError as error:
        assert "\n" not in str(error)
    else:
        assert np.isfinite(table.X).all() and ((table.y >= 0) & (table.y <= 1)).all()


@FAST
@given(data=st.binary(max_size=300) | st.text(max_size=200).map(lambda t: ("x1,y\n" + t).encode()))
def test_any_uploaded_bytes_give_a_table_or_a_table_error(data: bytes) -> None:
    try:
        table_from_csv_bytes(data)
    except TableError as error:
        assert "\n" not in str(error)


query_text = st.text(max_size=40) | st.sampled_from(
    ["nan", "inf", "-1", "1e999", "0", "<script>", "9,9,9", ""]
)


@FAST
@given(
    params=st.dictionaries(st.sampled_from([*share.QUERY_KEYS, "junk"]), query_text | st.lists(query_text))
)
def test_any_link_decodes_to_a_valid_experiment(params: dict[str, object]) -> None:
    decoded = share.decode(params, max_iterations=100_000)
    experiment = decoded.experiment
    assert 0 <= experiment.config.n_iterations <= 100_000
    assert len(experiment.test_input) == experiment.table.n_inputs
    train(experiment.table, TrainConfig(**{**experiment.config.__dict__, "n_iterations": 2}))
    for notice in decoded.notices:
        assert "\n" not in notice and len(notice) < 300


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=10),
    st.lists(st.integers(), max_size=4),
)


@FAST
@given(field=st.sampled_from(list(TrainConfig.__dataclass_fields__)), value=junk)
def test_any_setting_gives_a_config_or_a_config_error(field: str, value: object) -> None:
    try:
        config = TrainConfig(**{field: value})
    except ConfigError as error:
        assert error.field == field
    else:
        try:
            train(PRESETS["notebook"].table, TrainConfig(**{**config.__dict__, "n_iterations": 1}))
        except ConfigError as error:  # settings checked against the table: its rows, its inputs
            assert (error.field, field) in {("batch_size", "batch_size"), ("features", "features")}


@FAST
@given(
    X=junk | st.lists(st.lists(junk, max_size=3), max_size=3), y=junk | st.lists(st.lists(junk, max_size=3))
)
def test_any_arrays_give_a_table_or_a_table_error(X: object, y: object) -> None:
    try:
        TruthTable(X, y)
    except BackpropError as error:
        assert isinstance(error, TableError)
