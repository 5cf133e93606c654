"""Command line: the notebook's defaults, JSON output, and one-line errors with exit status 2."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backprop import cli
from backprop.datasets import DataSpec, generate
from backprop.network import make_params
from backprop.table import MAX_CSV_BYTES, PRESETS, TruthTable
from backprop.trainer import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]
REQUIRED_KEYS = {"config", "status", "iterations", "loss", "weights", "biases", "predictions", "targets"}
NEW_KEYS = {"test_loss", "penalty", "epochs"}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    status, out, err = run_cli(capsys, "--json", *argv)
    assert status == 0, err
    assert err == ""
    assert out.count("\n") == 1  # one JSON object on one line
    return json.loads(out)


def assert_usage_error(status: int, out: str, err: str) -> str:
    assert status == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("backprop: error: ")
    assert "Traceback" not in err
    return err


# --- the notebook's defaults ------------------------------------------------------------------------


def test_defaults_reproduce_the_notebook(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys)
    assert status == 0 and err == ""
    assert "Predicted output: [[0.99993703]]" in out.splitlines()
    assert "Input: 1,0,0" in out
    assert "Final loss:" in out and "Weights W1 3x1:" in out
    assert "10,000 of 10,000 iterations" in out
    assert len(out.splitlines()) < 25  # short


def test_predict_prints_the_notebooks_format_for_each_input(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "--predict", "1,0,0", "--predict", "0, 1, 1")
    assert status == 0
    lines = out.splitlines()
    assert lines.count("Predicted output: [[0.99993703]]") == 1
    assert lines[-4:-2] == ["Input: 1,0,0", "Predicted output: [[0.99993703]]"]
    assert lines[-2] == "Input: 0,1,1"
    assert lines[-1].startswith("Predicted output: [[0.00")


def test_json_has_the_required_keys_and_the_notebooks_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys)
    assert report.keys() >= REQUIRED_KEYS | NEW_KEYS
    assert report["status"] == "completed" and report["iterations"] == 10_000
    assert report["failed_at"] is None
    assert report["config"] == {
        "preset": "notebook",
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
    assert report["test_loss"] is None and report["penalty"] == 0.0 and report["epochs"] == 10_000
    run = train(PRESETS["notebook"].table, TrainConfig())
    np.testing.assert_array_equal(np.array(report["weights"][0]), run.final.params.weights[0])
    assert report["biases"] == [[0.0]]
    assert report["loss"] == run.final.loss
    # without --predict, predictions are for the table's rows
    assert report["inputs"] == PRESETS["notebook"].table.X.tolist()
    np.testing.assert_array_equal(report["predictions"], run.final.output)
    assert report["targets"] == [[0.0], [1.0], [1.0], [0.0]]
    assert report["columns"] == ["x1", "x2", "x3", "y"]


def test_json_predictions_follow_predict_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, "--predict", "1,0,0", "--predict", "0,0,1")
    assert report["inputs"] == [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    assert len(report["predictions"]) == 2
    assert round(report["predictions"][0][0], 8) == 0.99993703
    assert report["targets"] == [[0.0], [1.0], [1.0], [0.0]]  # still the table's y


def test_json_for_a_hidden_layer_network_with_biases(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(
        capsys, "--preset=half-adder", "--hidden=4,3", "--activation=tanh", "--bias", "--iterations=200"
    )
    shapes = [np.array(W).shape for W in report["weights"]]
    assert shapes == [(3, 4), (4, 3), (3, 2)]
    assert [len(b) for b in report["biases"]] == [4, 3, 2]
    assert np.array(report["predictions"]).shape == (4, 2)
    assert report["config"]["hidden"] == [4, 3] and report["config"]["use_bias"] is True
    assert report["iterations"] == 200


def test_options_reach_the_training_config(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, "--preset", "xor", "--lr", "0.5", "--iterations", "30", "--seed", "4294967295")
    config = TrainConfig(learning_rate=0.5, n_iterations=30, seed=2**32 - 1)
    run = train(PRESETS["xor"].table, config)
    np.testing.assert_array_equal(report["weights"][0], run.final.params.weights[0])
    assert report["config"]["seed"] == 2**32 - 1


def test_target_loss_stops_early(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, "--target-loss", "0.05")
    assert report["status"] == "target_reached"
    assert report["iterations"] < 10_000 and report["loss"] <= 0.05
    status, out, _ = run_cli(capsys, "--target-loss", "0.05")
    assert status == 0 and "(target reached)" in out


def test_table_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "or.csv"
    path.write_bytes("\ufeffx1,x2,y\r\n0,0,0\r\n0,1,1\r\n1,0,1\r\n1,1,1\r\n".encode())
    report = run_json(capsys, "--table", str(path), "--bias", "--iterations", "2000")
    assert report["config"]["table"] == str(path)
    assert report["targets"] == [[0.0], [1.0], [1.0], [1.0]]
    assert np.all(np.round(report["predictions"]) == report["targets"])
    status, out, _ = run_cli(capsys, "--table", str(path), "--predict", "1,1")
    assert status == 0
    assert "'or.csv', 4 rows" in out
    assert "Input: 1,1" in out and "Predicted output: [[" in out


def test_plain_output_is_short_for_long_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "long.csv"
    path.write_text("x1,y\n" + "".join(f"{i / 40},{i % 2}\n" for i in range(40)))
    status, out, _ = run_cli(capsys, "--table", str(path), "--iterations", "10")
    assert status == 0
    assert "Outputs on the table" not in out and "40 rows" in out
    assert len(out.splitlines()) < 10


def test_help_documents_every_option_with_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, "--help")
    assert status == 0 and err == ""
    for option in [
        "--preset",
        "--table",
        "--lr",
        "--iterations",
        "--seed",
        "--target-loss",
        "--hidden",
        "--activation",
        "--bias",
        "--predict",
        "--json",
    ]:
        assert option in out
    flat = " ".join(out.split())
    for text in [
        "(default: 1)",
        "(default: 10000)",
        "(default: 0)",
        "(default: notebook)",
        "(default: sigmoid)",
    ]:
        assert text in flat
    for name in PRESETS:
        assert name in flat
    assert "Exit status" in flat


def test_main_reads_sys_argv_by_default(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setattr(sys, "argv", ["backprop", "--iterations", "5", "--json"])
    assert cli.main() == 0
    assert json.loads(capsys.readouterr().out)["iterations"] == 5


# --- bad arguments: exit 2, one line, no traceback ---------------------------------------------------

BAD_ARGUMENTS = [
    (["--lr", "0"], "--lr"),
    (["--lr", "-1"], "--lr"),
    (["--lr", "101"], "--lr"),
    (["--lr", "abc"], "--lr"),
    (["--lr", "nan"], "--lr"),
    (["--lr", "inf"], "--lr"),
    (["--lr"], "--lr"),
    (["--iterations", "0"], "--iterations"),
    (["--iterations", "1000001"], "--iterations"),
    (["--iterations", "2.5"], "--iterations"),
    (["--iterations", "many"], "--iterations"),
    (["--seed", "-1"], "--seed"),
    (["--seed", "4294967296"], "--seed"),
    (["--seed", "x"], "--seed"),
    (["--preset", "nope"], "--preset"),
    (["--preset", "xor", "--table", "t.csv"], "not allowed"),
    (["--hidden", "4,3,2,2,2,2,2"], "--hidden"),
    (["--hidden", "9"], "--hidden"),
    (["--hidden", "-1"], "--hidden"),
    (["--hidden", "a"], "--hidden"),
    (["--hidden", "4,"], "--hidden"),
    (["--activation", "softmax"], "--activation"),
    (["--target-loss", "-1"], "--target-loss"),
    (["--target-loss", "nan"], "--target-loss"),
    (["--target-loss", "11"], "--target-loss"),
    (["--iterations", "1_000"], "--iterations"),
    (["--predict", "1,0"], "3 inputs"),
    (["--predict", "1,0,0,1"], "3 inputs"),
    (["--predict", "1,0,0", "--predict", "1"], "3 inputs"),
    (["--preset", "half-adder", "--predict", "1,1,1,1"], "3 inputs"),
    (["--predict", "x,y,z"], "--predict"),
    (["--predict", "1,,0"], "--predict"),
    (["--predict=-1,0,inf"], "--predict"),
    (["--predict"], "--predict"),
    (["--bogus"], "unrecognized"),
    (["--iter", "5"], "unrecognized"),  # no abbreviations
    (["extra"], "unrecognized"),
    (["--bias=yes"], "--bias"),
    (["--table"], "--table"),
]


@pytest.mark.parametrize(("argv", "mentions"), BAD_ARGUMENTS)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], mentions: str
) -> None:
    err = assert_usage_error(*run_cli(capsys, *argv))
    assert mentions in err


BAD_FILES = {
    "missing.csv": (None, "no such file"),
    "directory": ("dir", "is a directory"),
    "binary.csv": (b"x1,y\n\x00\x01\x02\x03\n", "binary"),
    "image.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    "latin1.csv": ("x1,y\n1,0\ncafé,1\n".encode("latin-1"), "not UTF-8"),
    "utf16.csv": ("x1,y\n1,0\n".encode("utf-16"), "is UTF-16 text; save it as UTF-8"),
    "utf16be.csv": (codecs.BOM_UTF16_BE + "x1,y\n1,0\n".encode("utf-16-be"), "UTF-16"),
    "huge.csv": (b"x1,y\n" + b"0,0\n" * (MAX_CSV_BYTES // 4), "larger than 1 MB"),
    "empty.csv": (b"", "empty"),
    "header.csv": (b"a,b\n1,0\n", "Header"),
    "ragged.csv": (b"x1,x2,y\n0,0,0\n1,1\n", "Row 2 has 2 cells"),
    "text.csv": (b"x1,y\n0,0\nyes,1\n", "Row 2, column x1"),
    "target.csv": (b"x1,y\n0,0\n1,2\n", "Row 2, column y"),
    "norows.csv": (b"x1,y\n", "no rows"),
    "multiline\nname.csv": (None, "no such file"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_table_files_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    content, mentions = BAD_FILES[name]
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    err = assert_usage_error(*run_cli(capsys, "--table", str(path)))
    assert mentions in err


def test_unreadable_table_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "t.csv"
    path.write_text("x1,y\n0,0\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli, "open", refuse, raising=False)
    err = assert_usage_error(*run_cli(capsys, "--table", str(path)))
    assert "permission denied" in err


def test_predict_arity_is_checked_against_a_table_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "t.csv"
    path.write_text("x1,x2,y\n0,1,1\n")
    err = assert_usage_error(*run_cli(capsys, "--table", str(path), "--predict", "1"))
    assert "--predict 1 has 1 value; the table has 2 inputs (x1,x2)" in err


# --- how a run ends ---------------------------------------------------------------------------------


def _diverging_train(table: TruthTable, config: TrainConfig):
    """Train from explicit huge weights that overflow on the first update (see test_trainer)."""
    arch = config.architecture(table)
    weights = [np.ones((arch.n_inputs, 2)), np.array([[1e308], [-1e308]])]
    return train(table, config, initial=make_params(arch, weights))


def test_non_finite_run_exits_1_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "train", _diverging_train)
    argv = ["--hidden", "2", "--activation", "relu", "--lr", "100"]
    status, out, err = run_cli(capsys, *argv)
    assert status == 1
    assert err.count("\n") == 1 and err.startswith("backprop: error: training diverged")
    assert "iteration 1" in err and "Traceback" not in err
    assert "0 of 10,000 iterations (non finite)" in out

    status, out, err = run_cli(capsys, "--json", *argv)
    assert status == 1 and "diverged" in err
    report = json.loads(out)
    assert report["status"] == "non_finite" and report["failed_at"] == 1 and report["iterations"] == 0


def test_interrupt_exits_130_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "train", interrupted)
    status, out, err = run_cli(capsys)
    assert status == 130 and out == "" and err == "backprop: error: interrupted\n"


def test_json_never_contains_nan() -> None:
    assert cli._finite_or_none({"a": [1.0, float("nan"), [float("inf")]], "b": -float("inf"), "c": "x"}) == {
        "a": [1.0, None, [None]],
        "b": None,
        "c": "x",
    }


# --- the real entry point ---------------------------------------------------------------------------


def test_python_dash_m_backprop() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "backprop", "--predict", "1,0,0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "Predicted output: [[0.99993703]]" in ok.stdout
    assert ok.stderr == ""

    bad = subprocess.run(
        [sys.executable, "-m", "backprop", "--iterations", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("backprop: error: argument --iterations")
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(("typed", "iterations"), [("1e3", 1000), ("1,000", 1000), ("1000", 1000)])
def test_numbers_are_read_as_the_page_and_links_read_them(
    capsys: pytest.CaptureFixture[str], typed: str, iterations: int
) -> None:
    assert run_json(capsys, "--iterations", typed)["iterations"] == iterations


def test_an_empty_hidden_option_means_no_hidden_layer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_json(capsys, "--hidden", "", "--iterations", "5")["config"]["hidden"] == []


# --- generated datasets and the options beyond the notebook ---------------------------------------------

SPIRAL = ["--dataset", "spiral", "--points", "60", "--noise", "0.2", "--data-seed", "3"]
SPIRAL_OPTIONS = [
    *("--test-fraction", "0.25", "--batch-size", "7", "--features", "x1sq,sinx2,x1x2"),
    *("--regularization", "l2", "--reg-rate", "0.01", "--hidden", "3,3,2,2,2,2", "--bias"),
    *("--activation", "linear", "--lr", "0.01", "--iterations", "40", "--seed", "5"),
]
SPIRAL_CONFIG = TrainConfig(
    learning_rate=0.01,
    n_iterations=40,
    seed=5,
    hidden=(3, 3, 2, 2, 2, 2),
    activation="linear",
    use_bias=True,
    features=("x1sq", "x1x2", "sinx2"),
    test_fraction=0.25,
    batch_size=7,
    regularization="l2",
    reg_rate=0.01,
)


def test_a_dataset_run_is_the_librarys_and_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, *SPIRAL, *SPIRAL_OPTIONS)
    assert run_json(capsys, *SPIRAL, *SPIRAL_OPTIONS) == report
    run = train(generate(DataSpec("spiral", 60, 0.2, 3)), SPIRAL_CONFIG)
    assert report["config"] == {
        **{"dataset": "spiral", "points": 60, "noise": 0.2, "data_seed": 3},
        **SPIRAL_CONFIG.settings(),
    }
    for got, want in zip(report["weights"], run.final.params.weights, strict=True):
        np.testing.assert_array_equal(got, want)
    assert [np.shape(W) for W in report["weights"]] == [
        (5, 3),
        (3, 3),
        (3, 2),
        (2, 2),
        (2, 2),
        (2, 2),
        (2, 1),
    ]
    assert report["loss"] == run.final.loss and report["test_loss"] == run.final.test_loss
    assert report["penalty"] == run.final.penalty > 0
    assert report["epochs"] == 40 / 7 == run.epochs  # 45 training rows: 7 batches an epoch
    # predictions and targets are the training rows', their inputs the table's own x1, x2
    assert report["columns"] == ["x1", "x2", "y"]
    assert report["inputs"] == run.table.X[:, :2].tolist() and len(report["inputs"]) == 45
    assert report["targets"] == run.table.y.tolist()
    np.testing.assert_array_equal(report["predictions"], run.final.output)


def test_the_text_report_names_the_dataset_the_split_and_the_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run_cli(capsys, *SPIRAL, *SPIRAL_OPTIONS)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith(
        "Table: dataset 'spiral' (60 points, noise 0.2, data seed 3), 45 training rows + 15 test rows; "
        "network 5 -> 3 -> 3 -> 2 -> 2 -> 2 -> 2 -> 1 units (linear hidden"
    )
    assert (
        lines[2]
        == "Options: features x1², x1·x2, sin x2; batches of 7 rows (5.714 epochs); L2 penalty at rate 0.01"
    )
    assert lines[3].startswith("Final loss: ") and "+ penalty" in lines[3] and "test loss:" in lines[3]
    assert lines[-2:] == ["Input: 0,0", f"Predicted output: {train_spiral().predict([[0.0, 0.0]])}"]


def train_spiral():
    return train(generate(DataSpec("spiral", 60, 0.2, 3)), SPIRAL_CONFIG)


def test_predict_takes_the_tables_own_inputs_for_a_featured_run(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, *SPIRAL, *SPIRAL_OPTIONS, "--predict=-1.5,2", "--predict", "0,0")
    assert report["inputs"] == [[-1.5, 2.0], [0.0, 0.0]]
    np.testing.assert_array_equal(report["predictions"], train_spiral().predict([[-1.5, 2.0], [0.0, 0.0]]))


def test_a_small_featured_table_shows_its_own_inputs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "t.csv"
    path.write_text("x1,x2,y\n0,1,0\n1,1,1\n1,0,1\n")
    status, out, _ = run_cli(capsys, "--table", str(path), "--features", "x1x2", "--iterations", "5")
    assert status == 0
    assert "network 3 -> 1 units" in out
    assert "  0,1 | 0 | [" in out and "  1,1 | 1 | [" in out


def test_dataset_defaults_and_a_test_set_without_other_options(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, "--dataset", "circle", "--iterations", "3", "--test-fraction", "0.1")
    assert (
        report["config"].items() >= {"dataset": "circle", "points": 200, "noise": 0.0, "data_seed": 0}.items()
    )
    assert len(report["targets"]) == 180 and report["test_loss"] > 0
    assert report["epochs"] == 3 and report["penalty"] == 0.0
    assert report["config"]["batch_size"] is None


def test_help_documents_the_new_options(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "--help")
    assert status == 0
    flat = " ".join(out.split())
    for text in (
        "--dataset {circle,xor,gauss,spiral}",
        "--points N",
        "--noise F",
        "--data-seed N",
        "--test-fraction F",
        "--batch-size N",
        "--regularization {none,l1,l2}",
        "--reg-rate RATE",
        "--features LIST",
        "{sigmoid,tanh,relu,linear}",
        "at most 6 layers",
        "10 to 256 (default: 200)",
        "x1sq, x2sq, x1x2, sinx1, sinx2",
        "test_loss, penalty",
    ):
        assert text in flat, text
    assert "python -m backprop --dataset spiral" in out  # the example, one unbroken command


NEW_BAD_ARGUMENTS = [
    (["--points", "50"], "argument --points: only with --dataset"),
    (["--preset", "xor", "--noise", "0.1"], "argument --noise: only with --dataset"),
    (["--data-seed", "1"], "argument --data-seed: only with --dataset"),
    (["--dataset", "moons"], "argument --dataset: invalid choice"),
    (["--dataset", "xor", "--preset", "xor"], "not allowed with"),
    (["--dataset", "xor", "--points", "9"], "Points must be a whole number from 10 to 256"),
    (["--dataset", "xor", "--points", "257"], "argument --points"),
    (["--dataset", "xor", "--points", "1.5"], "argument --points"),
    (["--dataset", "xor", "--noise", "0.51"], "Noise must be a number from 0 to 0.5"),
    (["--dataset", "xor", "--noise=-0.1"], "argument --noise"),
    (["--dataset", "xor", "--data-seed", "4294967296"], "Data seed must be a whole number"),
    (["--test-fraction", "0.91"], "Test fraction must be a number from 0 to 0.9"),
    (["--test-fraction", "x"], "argument --test-fraction"),
    (["--batch-size", "0"], "Batch size must be a whole number from 1 to 256"),
    (["--batch-size", "5"], "argument --batch-size: Batch size must be at most the 4 training rows, got 5"),
    (["--test-fraction", "0.5", "--batch-size", "3"], "at most the 2 training rows, got 3"),
    (["--dataset", "gauss", "--points", "20", "--batch-size", "21"], "at most the 20 training rows"),
    (["--regularization", "l3"], "argument --regularization: invalid choice"),
    (["--reg-rate", "10.5"], "Regularization rate must be a number from 0 to 10"),
    (["--reg-rate", "nan"], "argument --reg-rate"),
    (["--features", "x1sq"], "argument --features: derived features need a table with exactly two inputs"),
    (["--dataset", "xor", "--features", "x1,x2"], "argument --features: Features must be a comma-separated"),
    (["--hidden", "1,1,1,1,1,1,1"], "up to 6 comma-separated sizes"),
    (["--activation", "Linear"], "argument --activation"),
    (["--dataset", "xor", "--predict", "1,0,0"], "the table has 2 inputs (x1,x2)"),
]


@pytest.mark.parametrize(("argv", "mentions"), NEW_BAD_ARGUMENTS)
def test_bad_new_options_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], mentions: str
) -> None:
    err = assert_usage_error(*run_cli(capsys, *argv, "--iterations", "2"))
    assert mentions in err, err


def test_the_featured_table_message_names_the_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "one.csv"
    path.write_text("x1,y\n0,0\n1,1\n")
    err = assert_usage_error(*run_cli(capsys, "--table", str(path), "--features", "sinx1"))
    assert err == (
        "backprop: error: argument --features: derived features need a table with exactly two inputs x1, x2; "
        "the table ('one.csv') has 1 input\n"
    )


@pytest.mark.parametrize(
    ("argv", "hidden"),
    [(["--activation", "linear", "--hidden", "2"], [2]), (["--hidden", "1,1,1,1,1,1"], [1] * 6)],
)
def test_linear_and_six_layers_train(
    capsys: pytest.CaptureFixture[str], argv: list[str], hidden: list[int]
) -> None:
    report = run_json(capsys, *argv, "--iterations", "20")
    assert report["config"]["hidden"] == hidden and len(report["weights"]) == len(hidden) + 1
    assert report["status"] == "completed"
