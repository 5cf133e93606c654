"""Exports: the run as JSON, the history as CSV, and a standalone NumPy script that reruns the run."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backprop.datasets import DataSpec, generate
from backprop.export import (
    history_columns,
    history_to_csv,
    numpy_script,
    original_table,
    run_to_dict,
    run_to_json,
)
from backprop.network import Params, apply_update, backward, forward, loss, make_params
from backprop.table import TruthTable, get_preset
from backprop.trainer import Run, TrainConfig, train

TOLERANCE = 1e-12


def _strict_json(text: str) -> dict:
    def refuse(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def notebook_run() -> Run:
    return train(get_preset("notebook").table, TrainConfig())


# --- JSON ----------------------------------------------------------------------------------------------


def test_json_has_configuration_weights_and_loss_history(notebook_run: Run) -> None:
    record = _strict_json(run_to_json(notebook_run, preset="notebook", test_input=(1, 0, 0)))
    assert record["format"] == "backprop-simulator/run" and record["version"] == 1
    assert record["preset"] == "notebook"
    assert record["config"] == {
        "learning_rate": 1.0,
        "n_iterations": 10_000,
        "seed": 0,
        "hidden": [],
        "activation": "sigmoid",
        "use_bias": False,
        "target_loss": None,
        "features": [],
        "test_fraction": 0.0,
        "batch_size": None,
        "regularization": "none",
        "reg_rate": 0.0,
    }
    assert record["data"] is None and record["test_table"] is None
    assert record["final"]["test_loss"] is None and record["final"]["penalty"] == 0.0
    assert record["final"]["epochs"] == 10_000
    assert record["architecture"]["sizes"] == [3, 1]
    assert record["table"] == {
        "columns": ["x1", "x2", "x3", "y"],
        "rows": [[0, 0, 1, 0], [1, 1, 1, 1], [1, 0, 1, 1], [0, 1, 1, 0]],
    }
    assert record["status"] == "completed" and record["failed_at"] is None
    # the notebook's initial weights: np.random.seed(0); 2 * np.random.random((3, 1)) - 1
    expected_initial = 2 * np.random.RandomState(0).random_sample((3, 1)) - 1
    assert np.array_equal(record["initial"]["weights"][0], expected_initial)
    assert record["initial"]["biases"] == [[0.0]]
    assert record["final"]["iteration"] == 10_000
    assert np.array_equal(record["final"]["weights"][0], notebook_run.final.params.weights[0])
    assert record["final"]["loss"] == notebook_run.final.loss
    history = record["history"]
    assert history["iteration"][0] == 0 and history["iteration"][-1] == 10_000
    assert len(history["iteration"]) == len(history["loss"]) == len(notebook_run.history) <= 1000
    assert history["loss"] == [s.loss for s in notebook_run.history]
    assert f"{record['prediction'][0]:.8f}" == "0.99993703"


def test_json_of_a_hidden_layer_run_has_every_layer() -> None:
    config = TrainConfig(n_iterations=50, hidden=(4, 3), activation="tanh", use_bias=True, target_loss=0.5)
    run = train(get_preset("half-adder").table, config)
    record = run_to_dict(run)
    assert record["architecture"]["sizes"] == [3, 4, 3, 2]
    assert [np.shape(W) for W in record["initial"]["weights"]] == [(3, 4), (4, 3), (3, 2)]
    assert [len(b) for b in record["final"]["biases"]] == [4, 3, 2]
    assert record["config"]["target_loss"] == 0.5
    assert "prediction" not in record
    _strict_json(json.dumps(record, allow_nan=False))


def test_json_replaces_non_finite_numbers_with_null() -> None:
    table = TruthTable([[1.0]], [[1.0]])
    config = TrainConfig(learning_rate=100, n_iterations=5, hidden=(2,), activation="relu")
    initial = make_params(config.architecture(table), [[[1.0, 1.0]], [[1e308], [-1e308]]])
    run = train(table, config, initial=initial)
    assert run.status == "non_finite"
    record = _strict_json(run_to_json(run, test_input=(1e308,)))
    assert record["status"] == "non_finite" and record["failed_at"] == 1
    assert record["final"]["iteration"] == 0


# --- history CSV -----------------------------------------------------------------------------------------


def test_history_csv_has_every_recorded_iteration_exactly(notebook_run: Run) -> None:
    rows = list(csv.reader(io.StringIO(history_to_csv(notebook_run))))
    assert rows[0] == ["iteration", "loss", "w(x1→out)", "w(x2→out)", "w(x3→out)"]
    assert len(rows) - 1 == len(notebook_run.history)
    for row, snapshot in zip(rows[1:], notebook_run.history, strict=True):
        assert int(row[0]) == snapshot.iteration
        assert float(row[1]) == snapshot.loss
        assert [float(v) for v in row[2:]] == snapshot.params.weights[0].ravel().tolist()


def test_history_columns_name_weights_and_biases_per_layer() -> None:
    run = train(get_preset("xor").table, TrainConfig(n_iterations=3, hidden=(2,), use_bias=True))
    columns = history_columns(run.arch)
    assert columns == [
        "iteration",
        "loss",
        *("w(x1→h1)", "w(x1→h2)", "w(x2→h1)", "w(x2→h2)", "w(x3→h1)", "w(x3→h2)"),
        *("b(h1)", "b(h2)"),
        *("w(h1→out)", "w(h2→out)"),
        "b(out)",
    ]
    rows = list(csv.reader(io.StringIO(history_to_csv(run))))
    assert rows[0] == columns
    last = [float(v) for v in rows[-1][2:]]
    final = run.final.params
    expected = [
        *final.weights[0].ravel(),
        *final.biases[0],
        *final.weights[1].ravel(),
        *final.biases[1],
    ]
    assert last == expected


# --- standalone script ------------------------------------------------------------------------------------

_READ_GLOBALS = """
import json, runpy, sys
names = sys.argv[2:]
scope = runpy.run_path(sys.argv[1], run_name="__main__")
print(json.dumps({name: scope[name].tolist() for name in names}))
"""


def _run_script(tmp_path: Path, text: str, names: list[str]) -> tuple[dict[str, list], str]:
    """Run the script on its own (its printed output), then again reading its final variables."""
    path = tmp_path / "backprop_run.py"
    path.write_text(text)
    plain = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path, check=True
    )
    assert plain.stderr == ""
    probe = subprocess.run(
        [sys.executable, "-c", _READ_GLOBALS, str(path), *names],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=True,
    )
    return json.loads(probe.stdout.strip().splitlines()[-1]), plain.stdout


def _assert_same_parameters(run: Run, values: dict[str, list], names: list[str]) -> None:
    final = run.final.params
    expected = []
    for layer in range(run.arch.n_layers):
        expected.append(final.weights[layer])
        if run.arch.use_bias:
            expected.append(final.biases[layer])
    assert len(expected) == len(names)
    for name, want in zip(names, expected, strict=True):
        np.testing.assert_allclose(np.array(values[name]), want, rtol=TOLERANCE, atol=TOLERANCE, err_msg=name)


def test_script_reproduces_the_notebook(tmp_path: Path, notebook_run: Run) -> None:
    text = numpy_script(notebook_run, test_input=(1, 0, 0), preset="notebook")
    # the notebook's own names and steps
    for line in (
        "def sigmoid_derivative(x):",
        "layer1 = sigmoid(np.dot(layer0, weights))",
        "delta = error * sigmoid_derivative(layer1)",
        "weights += learning_rate * np.dot(layer0.T, delta)",
        "#   weights = 2 * np.random.random((3, 1)) - 1",
        "weights = backpropagation(X, y, weights, learning_rate=1, num_iterations=10000)",
    ):
        assert line in text, line
    assert "import backprop" not in text and "from backprop" not in text
    values, stdout = _run_script(tmp_path, text, ["weights", "predicted_output"])
    _assert_same_parameters(notebook_run, values, ["weights"])
    assert "Predicted output: [[0.99993703]]" in stdout
    assert f"{values['predicted_output'][0][0]:.8f}" == "0.99993703"


def numpy_reference(run: Run) -> Params:
    """The run's final parameters recomputed with network.py's NumPy steps, one update at a time."""
    arch, table, lr = run.arch, run.table, run.config.learning_rate
    target = run.config.target_loss
    params = run.initial
    with np.errstate(all="ignore"):
        for _ in range(run.config.n_iterations):
            fwd = forward(arch, params, table.X)
            if target is not None and loss(fwd.output, table.y) <= target:
                break
            updated = apply_update(arch, params, backward(arch, params, fwd, table.y), lr)
            if not updated.is_finite():
                break
            params = updated
    return params


# The trainer runs network.py's NumPy steps, which the script repeats bit for bit.
RUNS = {
    "xor-hidden-4-bias": (
        "xor",
        TrainConfig(learning_rate=0.5, n_iterations=5000, seed=3, hidden=(4,), use_bias=True),
        (1, 0, 1),
    ),
    "half-adder-hidden-4-bias": (
        "half-adder",
        TrainConfig(n_iterations=5000, seed=0, hidden=(4,), use_bias=True),
        (1, 1, 1),
    ),
    "half-adder-relu-no-bias": (
        "half-adder",
        TrainConfig(learning_rate=0.3, n_iterations=3000, seed=1, hidden=(5,), activation="relu"),
        (0, 1, 1),
    ),
    "half-adder-tanh-4-3": (
        "half-adder",
        TrainConfig(n_iterations=4000, seed=7, hidden=(4, 3), activation="tanh", use_bias=True),
        (1, 1, 1),
    ),
    "parity3-target-loss": (
        "parity3",
        TrainConfig(n_iterations=20_000, seed=2, hidden=(6,), use_bias=True, target_loss=0.05),
        None,
    ),
    "single-layer-bias": ("and", TrainConfig(n_iterations=2000, seed=11, use_bias=True), (1, 1, 1)),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_script_reproduces_every_architecture(tmp_path: Path, name: str) -> None:
    preset, config, test_input = RUNS[name]
    run = train(get_preset(preset).table, config)
    names = []
    for layer in range(1, run.arch.n_layers + 1):
        names += [f"W{layer}"] + ([f"b{layer}"] if config.use_bias else [])
    text = numpy_script(run, test_input=test_input, preset=preset)
    values, stdout = _run_script(tmp_path, text, [*names, "predicted_output"])
    reference = numpy_reference(run)
    for layer in range(run.arch.n_layers):
        assert np.array_equal(values[f"W{layer + 1}"], reference.weights[layer])
        if config.use_bias:
            assert np.array_equal(values[f"b{layer + 1}"], reference.biases[layer])
    _assert_same_parameters(run, values, names)
    X = np.array([test_input], dtype=float) if test_input is not None else run.table.X
    np.testing.assert_allclose(values["predicted_output"], run.predict(X), rtol=0, atol=TOLERANCE)
    assert ("Predicted output:" if test_input is not None else "Outputs on the table:") in stdout
    if config.target_loss is not None:
        assert "if 0.5 * np.sum(error * error) <= target_loss:" in text


def test_script_embeds_explicit_initial_weights(tmp_path: Path) -> None:
    # Matt Mazur's worked example: weights that no seed draws
    table = TruthTable(X=[[0.05, 0.10]], y=[[0.01, 0.99]])
    config = TrainConfig(learning_rate=0.5, n_iterations=1, hidden=(2,), use_bias=True)
    initial = make_params(
        config.architecture(table),
        weights=[[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
        biases=[[0.35, 0.35], [0.60, 0.60]],
    )
    run = train(table, config, initial=initial)
    text = numpy_script(run)
    assert "given explicitly" in text and "b1 = np.array([0.35, 0.35])" in text
    values, _ = _run_script(tmp_path, text, ["W1", "b1", "W2", "b2"])
    _assert_same_parameters(run, values, ["W1", "b1", "W2", "b2"])
    expected_W2 = [[0.35891648, 0.51130127], [0.40866619, 0.56137012]]  # his w5, w7 / w6, w8
    np.testing.assert_allclose(values["W2"], expected_W2, rtol=0, atol=5e-9)


def test_script_of_a_diverged_run_stops_before_the_bad_update(tmp_path: Path) -> None:
    table = TruthTable([[1.0]], [[1.0]])
    config = TrainConfig(learning_rate=100, n_iterations=50, hidden=(2,), activation="relu")
    initial = make_params(config.architecture(table), [[[1.0, 1.0]], [[1e308], [-1e308]]])
    run = train(table, config, initial=initial)
    text = numpy_script(run, test_input=(1,))
    assert "diverged at update 1" in text and "num_iterations=0" in text
    values, _ = _run_script(tmp_path, text, ["W1", "W2"])
    _assert_same_parameters(run, values, ["W1", "W2"])


# --- the options beyond the notebook: datasets, features, test split, mini-batches, penalties ------------

_TABLE_2D = TruthTable(
    [
        *([0.5, -1.0], [2.0, 3.0], [-4.0, 0.25], [1.0, 1.0], [-2.0, -2.5], [3.5, -0.5]),
        *([0.1, 0.2], [-0.3, 4.0], [2.5, -3.0], [-1.0, 1.5], [4.0, 4.0], [-3.0, 0.0]),
    ],
    [[1], [0], [1], [1], [0], [0], [1], [0], [1], [1], [0], [0]],
)

# (data or table, config, test input): every option, in several combinations
OPTION_RUNS = {
    "spiral-features-split-batches-l2-deep": (
        DataSpec("spiral", 80, 0.2, 3),
        TrainConfig(
            learning_rate=0.05,
            n_iterations=600,
            seed=2,
            hidden=(4, 3, 3),
            activation="tanh",
            use_bias=True,
            features=("x1sq", "x2sq", "x1x2", "sinx1", "sinx2"),
            test_fraction=0.3,
            batch_size=8,
            regularization="l2",
            reg_rate=0.003,
        ),
        (0.5, -1.0),
    ),
    "circle-l1-relu-batches-target": (
        DataSpec("circle", 50, 0.1, 1),
        TrainConfig(
            learning_rate=0.1,
            n_iterations=800,
            seed=4,
            hidden=(5,),
            activation="relu",
            use_bias=True,
            batch_size=16,
            regularization="l1",
            reg_rate=0.01,
            target_loss=4.0,
        ),
        None,
    ),
    "xor-linear-six-layers-feature": (
        DataSpec("xor", 40, 0.3, 8),
        TrainConfig(
            learning_rate=0.1,
            n_iterations=300,
            seed=6,
            hidden=(2, 3, 2, 2, 3, 2),
            activation="linear",
            features=("x1x2",),
        ),
        (-2.0, 3.0),
    ),
    "gauss-test-split-one-layer": (
        DataSpec("gauss", 30, 0.5, 2**32 - 1),
        TrainConfig(learning_rate=0.2, n_iterations=500, seed=9, test_fraction=0.5),
        (1.0, 1.0),
    ),
    "table-features-split-batches-l2": (
        _TABLE_2D,
        TrainConfig(
            learning_rate=0.5,
            n_iterations=400,
            seed=1,
            hidden=(3,),
            use_bias=True,
            features=("x2sq", "sinx1"),
            test_fraction=0.25,
            batch_size=3,
            regularization="l2",
            reg_rate=0.05,
        ),
        (0.0, 1.0),
    ),
    "notebook-batches-l1": (
        get_preset("notebook").table,
        TrainConfig(n_iterations=3000, batch_size=3, regularization="l1", reg_rate=0.001),
        (1.0, 0.0, 0.0),
    ),
    "notebook-batch-of-every-row": (
        get_preset("notebook").table,
        TrainConfig(batch_size=4, regularization="l2", reg_rate=0.0),
        (1.0, 0.0, 0.0),
    ),
}


def _option_run(name: str) -> tuple[Run, DataSpec | None, tuple[float, ...] | None]:
    source, config, test_input = OPTION_RUNS[name]
    data = source if isinstance(source, DataSpec) else None
    table = generate(data) if data is not None else source
    return train(table, config), data, test_input


@pytest.mark.parametrize("name", list(OPTION_RUNS))
def test_script_reproduces_every_option_bit_for_bit(tmp_path: Path, name: str) -> None:
    run, data, test_input = _option_run(name)
    text = numpy_script(run, test_input=test_input, preset="dataset" if data else None, data=data)
    assert "import backprop" not in text and "from backprop" not in text
    names = _names_of(run)
    probe = [*names, "X", "y", "predicted_output", *(["test_loss"] if run.test_table is not None else [])]
    values, stdout = _run_script(tmp_path, text, probe)
    # the same training rows (drawn, featured and split), the same updates: the same final parameters
    assert np.array_equal(values["X"], run.table.X) and np.array_equal(values["y"], run.table.y)
    final = run.final.params
    expected = [a for layer in range(run.arch.n_layers) for a in _layer_params(run, final, layer)]
    for key, want in zip(names, expected, strict=True):
        assert np.array_equal(values[key], want), key
    X = np.array([test_input]) if test_input is not None else run.table.X[:, : run.n_table_inputs]
    np.testing.assert_allclose(values["predicted_output"], run.predict(X), rtol=0, atol=TOLERANCE)
    if run.test_table is not None:
        assert values["test_loss"] == pytest.approx(run.final.test_loss, rel=TOLERANCE)
        assert "Test loss:" in stdout
    if data is not None:
        assert f"def {data.name}(n: int, noise: float, rng: np.random.RandomState)" in text
        assert "np.array([\n" not in text.split("W1")[0]
    batched = "np.random.default_rng((seed, 2, epoch))" in text
    assert batched == (run.config.batch_size is not None and run.config.batch_size < run.table.n_rows)


def _names_of(run: Run) -> list[str]:
    if run.arch.n_layers == 1 and not run.arch.use_bias:
        return ["weights"]
    names = []
    for layer in range(1, run.arch.n_layers + 1):
        names += [f"W{layer}"] + ([f"b{layer}"] if run.arch.use_bias else [])
    return names


def _layer_params(run: Run, params: Params, layer: int) -> list[np.ndarray]:
    return [params.weights[layer], *([params.biases[layer]] if run.arch.use_bias else [])]


def test_the_option_runs_include_one_stopped_early_with_batches() -> None:
    """The script's early stop over every training row, between batches, is exercised above."""
    run, _, _ = _option_run("circle-l1-relu-batches-target")
    assert run.status == "target_reached" and run.final.iteration < run.config.n_iterations


def test_script_explains_each_option_in_comments() -> None:
    run, data, test_input = _option_run("spiral-features-split-batches-l2-deep")
    text = numpy_script(run, test_input, "dataset", data)
    for line in (
        "Data: the spiral dataset, 80 points, noise 0.2, data seed 3.",
        "Derived inputs: x1², x2², x1·x2, sin x1, sin x2.",
        "Held out for testing: 24 rows.",
        "X, y = spiral(80, 0.2, np.random.RandomState(3))",
        "    return np.column_stack([X, x1 * x1, x2 * x2, x1 * x2, np.sin(x1), np.sin(x2)])",
        "order = np.random.default_rng((2, 1)).permutation(len(X))",
        "        W4 += learning_rate * (np.dot(layer3.T, delta4) - reg_rate * W4)",
        "        b4 += learning_rate * delta4.sum(axis=0)",
        "test_input = with_features(np.array([[0.5, -1]], dtype=float))",
    ):
        assert line in text, line
    assert max(len(line) for line in text.splitlines()) <= 110
    l1, _, _ = _option_run("notebook-batches-l1")
    text = numpy_script(l1, (1, 0, 0), "notebook")
    assert "weights = np.sign(weights) * np.maximum(np.abs(weights) - learning_rate * reg_rate, 0.0)" in text
    assert "layer0 = X[rows]" in text and "delta = error * sigmoid_derivative(layer1)" in text


@pytest.mark.parametrize("name", ["circle", "xor", "gauss", "spiral"])
def test_script_draws_each_dataset_bit_for_bit(tmp_path: Path, name: str) -> None:
    for spec in (
        DataSpec(name, 10, 0.0, 0),
        DataSpec(name, 256, 0.5, 12345),
        DataSpec(name, 33, 0.17, 7),
    ):
        run = train(generate(spec), TrainConfig(n_iterations=1))
        values, _ = _run_script(tmp_path, numpy_script(run, data=spec), ["X", "y"])
        table = generate(spec)
        assert np.array_equal(values["X"], table.X) and np.array_equal(values["y"], table.y), spec


def test_script_writes_out_an_edited_dataset_table(tmp_path: Path) -> None:
    spec = DataSpec("gauss", 12)
    edited = TruthTable(generate(spec).X, 1 - generate(spec).y)
    run = train(edited, TrainConfig(n_iterations=50))
    text = numpy_script(run, data=spec)
    assert "def gauss(" not in text and "# Output labels" in text
    values, _ = _run_script(tmp_path, text, ["weights"])
    assert np.array_equal(values["weights"], run.final.params.weights[0])


def test_original_table_puts_the_test_rows_back() -> None:
    config = TrainConfig(n_iterations=1, features=("sinx2",), test_fraction=0.4, seed=3)
    run = train(_TABLE_2D, config)
    assert run.test_table is not None and run.test_table.n_rows == 5
    assert original_table(run) == _TABLE_2D
    assert original_table(train(_TABLE_2D, TrainConfig(n_iterations=1))) == _TABLE_2D


def test_json_and_csv_carry_the_options_the_test_loss_and_the_penalty() -> None:
    run, data, test_input = _option_run("spiral-features-split-batches-l2-deep")
    record = _strict_json(run_to_json(run, "dataset", test_input, data))
    assert record["data"] == {"dataset": "spiral", "points": 80, "noise": 0.2, "data_seed": 3}
    assert record["config"] == run.config.settings()
    assert record["config"]["features"] == ["x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]
    assert record["table"]["columns"] == ["x1", "x2", "x1²", "x2²", "x1·x2", "sin x1", "sin x2", "y"]
    assert len(record["table"]["rows"]) == 56 and len(record["test_table"]["rows"]) == 24
    assert record["test_table"]["columns"] == record["table"]["columns"]
    final = record["final"]
    assert final["test_loss"] == run.final.test_loss and final["penalty"] == run.final.penalty > 0
    assert final["epochs"] == 600 / 7
    history = record["history"]
    assert history["test_loss"] == [s.test_loss for s in run.history]
    assert history["penalty"] == [s.penalty for s in run.history]
    assert record["prediction"] == run.predict([test_input])[0].tolist()

    rows = list(csv.reader(io.StringIO(history_to_csv(run))))
    assert rows[0][:4] == ["iteration", "loss", "test_loss", "penalty"]
    assert rows[0] == history_columns(run.arch, test_loss=True, penalty=True, features=run.config.features)
    assert "w(x1²→h1.1)" in rows[0] and "w(sin x2→h1.1)" in rows[0]  # derived inputs by the page's names
    for row, snapshot in zip(rows[1:], run.history, strict=True):
        assert [float(v) for v in row[1:4]] == [snapshot.loss, snapshot.test_loss, snapshot.penalty]
    plain = list(csv.reader(io.StringIO(history_to_csv(_option_run("xor-linear-six-layers-feature")[0]))))
    assert plain[0][:3] == ["iteration", "loss", "w(x1→h1.1)"]
