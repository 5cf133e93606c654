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
from backprop.network import make_params
from backprop.table import MAX_CSV_BYTES, PRESETS, TruthTable
from backprop.trainer import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]
REQUIRED_KEYS = {"config", "status", "iterations", "loss", "weights", "biases", "predictions", "targets"}


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
    assert report.keys() >= REQUIRED_KEYS
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
    }
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
    (["--hidden", "4,3,2"], "--hidden"),
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
