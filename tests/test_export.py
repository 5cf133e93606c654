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

from backprop.export import history_columns, history_to_csv, numpy_script, run_to_dict, run_to_json
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
    }
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
