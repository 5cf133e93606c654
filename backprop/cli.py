"""Command line: ``python -m backprop`` trains the notebook's experiment (or any truth table, or a
generated 2-D dataset) and prints the result, as text or as one JSON object.

Every option of the library is here: derived input features, a held-out test set, mini-batches, an L1 or
L2 penalty, up to six hidden layers and the linear activation.

Exit status: 0 on success, 1 when training diverged (a weight became infinite or NaN), 2 for bad
arguments or input files, with a single ``backprop: error: ...`` line on stderr.
"""

from __future__ import annotations

import argparse
import codecs
import json
import math
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import NoReturn, TypeVar

import numpy as np

from backprop.activations import ACTIVATIONS
from backprop.datasets import DATASETS, FEATURES, DataSpec, generate
from backprop.errors import BackpropError, ConfigError
from backprop.limits import (
    MAX_CSV_BYTES,
    MAX_HIDDEN_LAYERS,
    MAX_HIDDEN_UNITS,
    MAX_INPUTS,
    MAX_ITERATIONS,
    MAX_LEARNING_RATE,
    MAX_NOISE,
    MAX_OUTPUTS,
    MAX_POINTS,
    MAX_REG_RATE,
    MAX_ROWS,
    MAX_SEED,
    MAX_TARGET_LOSS,
    MAX_TEST_FRACTION,
    MIN_POINTS,
)
from backprop.network import REGULARIZATIONS
from backprop.parse import parse_features, parse_hidden, parse_number, parse_whole
from backprop.table import (
    DEFAULT_PRESET,
    PRESETS,
    TruthTable,
    get_preset,
    input_names,
    output_names,
    parse_csv,
)
from backprop.trainer import Run, TrainConfig, train

T = TypeVar("T")

PROG = "backprop"
EXIT_OK, EXIT_DIVERGED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
MAX_TABLE_ROWS_SHOWN = 16
HELP_WIDTH = 78
_OPTION_OF_FIELD = MappingProxyType(
    {
        "learning_rate": "--lr",
        "n_iterations": "--iterations",
        "seed": "--seed",
        "hidden": "--hidden",
        "activation": "--activation",
        "target_loss": "--target-loss",
        "features": "--features",
        "test_fraction": "--test-fraction",
        "batch_size": "--batch-size",
        "regularization": "--regularization",
        "reg_rate": "--reg-rate",
    }
)
DATASET_OPTIONS = ("points", "noise", "data_seed")  # argparse names of the options only --dataset takes


class UsageError(Exception):
    """A bad argument or input file; its message becomes the one line printed on stderr."""


class _Parser(argparse.ArgumentParser):
    """argparse without the usage dump: one ``backprop: error: ...`` line, then exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _argument(read: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type from one of backprop.parse's readers: its message becomes argparse's."""

    def convert(text: str) -> T:
        try:
            return read(text)
        except ConfigError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return convert


_learning_rate = _argument(lambda t: parse_number(t, "lr", "Learning rate", 0.0, MAX_LEARNING_RATE))
_iterations = _argument(lambda t: parse_whole(t, "iterations", "Iterations", 1, MAX_ITERATIONS))
_seed = _argument(lambda t: parse_whole(t, "seed", "Seed", 0, MAX_SEED))
_target_loss = _argument(lambda t: parse_number(t, "target_loss", "Target loss", 0.0, MAX_TARGET_LOSS))
_hidden = _argument(lambda t: parse_hidden(t, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS))
_points = _argument(lambda t: parse_whole(t, "points", "Points", MIN_POINTS, MAX_POINTS))
_noise = _argument(lambda t: parse_number(t, "noise", "Noise", 0.0, MAX_NOISE))
_data_seed = _argument(lambda t: parse_whole(t, "data_seed", "Data seed", 0, MAX_SEED))
_test_fraction = _argument(
    lambda t: parse_number(t, "test_fraction", "Test fraction", 0.0, MAX_TEST_FRACTION)
)
_batch_size = _argument(lambda t: parse_whole(t, "batch_size", "Batch size", 1, MAX_ROWS))
_reg_rate = _argument(lambda t: parse_number(t, "reg_rate", "Regularization rate", 0.0, MAX_REG_RATE))
_features = _argument(parse_features)


def _inputs(text: str) -> tuple[float, ...]:
    parts = text.split(",")
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a comma-separated list of numbers such as 1,0,0"
            ) from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} contains a value that is not a finite number")
        values.append(value)
    return tuple(values)


def _paragraphs(*texts: str) -> str:
    """Paragraphs wrapped for --help, never breaking an option's name; text starting with spaces (an
    example command) is kept as written."""
    return "\n\n".join(
        text if text.startswith(" ") else textwrap.fill(text, HELP_WIDTH, break_on_hyphens=False)
        for text in texts
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; ``--help`` shows every option with its default."""
    defaults = TrainConfig()
    parser = _Parser(
        prog=PROG,
        description=_paragraphs(
            "Train a small neural network with backpropagation (gradient descent on "
            "E = 1/2 * sum((y - out)^2)) and print the weights, the loss and predictions. "
            "With no options this is the classic notebook: the 'notebook' table, learning rate 1, "
            "10000 iterations, seed 0; add --predict 1,0,0 to see its 0.99993703. Beyond it: TensorFlow "
            "Playground's 2-D datasets, derived features, a test set, mini-batches and L1/L2 penalties."
        ),
        epilog=_paragraphs(
            f"CSV tables (--table): a header x1,...,xn then y (one output) or y1,...,ym, one row per "
            f"example; at most {MAX_ROWS} rows, {MAX_INPUTS} inputs, {MAX_OUTPUTS} outputs, "
            f"{MAX_CSV_BYTES // 2**20} MB; targets between 0 and 1 (the output unit is a sigmoid). "
            "The gate presets, like the notebook, end with a constant-1 input acting as a bias.",
            "Generated datasets (--dataset) have inputs x1, x2 in about [-5, 5] and targets 0 or 1; "
            "--points, --noise and --data-seed draw the same table on every machine. For example:",
            "  python -m backprop --dataset spiral --noise 0.1 --test-fraction 0.3 \\\n"
            "      --features x1sq,x2sq,sinx1,sinx2 --hidden 8,8 --activation tanh --bias \\\n"
            "      --lr 0.03 --batch-size 10 --regularization l2 --reg-rate 0.001 --iterations 5000",
            "Exit status: 0 success, 1 training diverged (non-finite weights), 2 bad arguments or input.",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    data = parser.add_argument_group("data (choose one)").add_mutually_exclusive_group()
    data.add_argument(
        "--preset",
        metavar="NAME",
        choices=list(PRESETS),
        help=f"a built-in truth table: {', '.join(PRESETS)} (default: {DEFAULT_PRESET})",
    )
    data.add_argument("--table", metavar="FILE.csv", help="a truth table read from a CSV file (see below)")
    data.add_argument(
        "--dataset",
        choices=list(DATASETS),
        help=f"a generated 2-D dataset (TensorFlow Playground's): {', '.join(DATASETS)}",
    )
    generated = parser.add_argument_group("generated dataset (only with --dataset)")
    spec = DataSpec()
    generated.add_argument(
        "--points",
        type=_points,
        metavar="N",
        help=f"number of points, {MIN_POINTS} to {MAX_POINTS} (default: {spec.points})",
    )
    generated.add_argument(
        "--noise",
        type=_noise,
        metavar="F",
        help=f"noise, 0 to {MAX_NOISE:g}: border labels flip, clouds widen (default: {spec.noise:g})",
    )
    generated.add_argument(
        "--data-seed",
        type=_data_seed,
        metavar="N",
        help=f"random seed of the points, 0 to {MAX_SEED} (default: {spec.seed})",
    )

    training = parser.add_argument_group("training")
    training.add_argument(
        "--lr",
        type=_learning_rate,
        default=defaults.learning_rate,
        metavar="RATE",
        help=f"learning rate, above 0 and at most {MAX_LEARNING_RATE:g} (default: %(default)g)",
    )
    training.add_argument(
        "--iterations",
        type=_iterations,
        default=defaults.n_iterations,
        metavar="N",
        help=f"gradient-descent updates, 1 to {MAX_ITERATIONS} (default: %(default)s)",
    )
    training.add_argument(
        "--seed",
        type=_seed,
        default=defaults.seed,
        help=f"random seed of the initial weights, 0 to {MAX_SEED} (default: %(default)s)",
    )
    training.add_argument(
        "--target-loss",
        type=_target_loss,
        default=None,
        metavar="LOSS",
        help=f"stop early once the loss is at most LOSS, 0 to {MAX_TARGET_LOSS:g} (default: off)",
    )
    training.add_argument(
        "--test-fraction",
        type=_test_fraction,
        default=defaults.test_fraction,
        metavar="F",
        help=(
            f"hold this fraction of the rows out of training as a test set, 0 to {MAX_TEST_FRACTION:g}, "
            "drawn with --seed (default: %(default)g, no test set)"
        ),
    )
    training.add_argument(
        "--batch-size",
        type=_batch_size,
        default=defaults.batch_size,
        metavar="N",
        help=(
            "rows per update, 1 to the number of training rows, reshuffled every epoch "
            "(default: every row in each update, as in the notebook)"
        ),
    )
    training.add_argument(
        "--regularization",
        choices=list(REGULARIZATIONS),
        default=defaults.regularization,
        help="penalty on the weights added to the error: l1 (sum |w|) or l2 (1/2 sum w^2) "
        "(default: %(default)s)",
    )
    training.add_argument(
        "--reg-rate",
        type=_reg_rate,
        default=defaults.reg_rate,
        metavar="RATE",
        help=f"rate of the penalty, 0 to {MAX_REG_RATE:g} (default: %(default)g)",
    )

    network = parser.add_argument_group("network")
    network.add_argument(
        "--hidden",
        type=_hidden,
        default=defaults.hidden,
        metavar="UNITS",
        help=(
            f"hidden layer sizes, e.g. 4 or 4,3 (at most {MAX_HIDDEN_LAYERS} layers of "
            f"{MAX_HIDDEN_UNITS} units; default: none, a single sigmoid layer as in the notebook)"
        ),
    )
    network.add_argument(
        "--activation",
        choices=list(ACTIVATIONS),
        default=defaults.activation,
        help="activation of the hidden layers; the output is always a sigmoid (default: %(default)s)",
    )
    network.add_argument(
        "--bias",
        action="store_true",
        help="learn a bias per unit (default: off; the notebook uses a constant-1 input instead)",
    )
    network.add_argument(
        "--features",
        type=_features,
        default=defaults.features,
        metavar="LIST",
        help=(
            f"derived inputs appended to a 2-input table, a comma list of {', '.join(FEATURES)} "
            "(x1 squared, x2 squared, x1 times x2, sin x1, sin x2; default: none)"
        ),
    )

    output = parser.add_argument_group("output")
    output.add_argument(
        "--predict",
        action="append",
        type=_inputs,
        default=[],
        metavar="X1,..,XN",
        help=(
            "predict the output for these inputs, one value per input column of the table (derived "
            "features are added); repeatable (write --predict=-1,0,0 for a negative first value). "
            "Default: the preset's test input (0,0 for a generated dataset)"
        ),
    )
    output.add_argument(
        "--json",
        action="store_true",
        help=(
            "print one JSON object (config, status, iterations, epochs, loss, test_loss, penalty, "
            "weights, biases, inputs, predictions, targets) instead of text; predictions are for "
            "--predict inputs when given, else for the training rows"
        ),
    )
    return parser


def read_table_file(path: str) -> TruthTable:
    """Read and validate a CSV truth table, turning every file problem into a :class:`UsageError`."""
    shown = repr(path)
    try:
        if os.path.isdir(path):
            raise UsageError(f"--table {shown} is a directory, not a CSV file")
        with open(path, "rb") as f:
            data = f.read(MAX_CSV_BYTES + 1)  # never more: the path may be a huge file or a device
    except FileNotFoundError:
        raise UsageError(f"--table {shown}: no such file") from None
    except PermissionError:
        raise UsageError(f"--table {shown}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"--table {shown}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > MAX_CSV_BYTES:
        raise UsageError(f"--table {shown} is larger than {MAX_CSV_BYTES // 2**20} MB")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UsageError(f"--table {shown} is UTF-16 text; save it as UTF-8 CSV")
    if b"\x00" in data:
        raise UsageError(f"--table {shown} is not a CSV text file (it contains binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"--table {shown} is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8 CSV"
        ) from None
    try:
        return parse_csv(text)
    except BackpropError as exc:
        raise UsageError(f"--table {shown}: {exc}") from None


def _predict_inputs(
    given: Sequence[tuple[float, ...]], table: TruthTable, default: tuple[float, ...] | None
) -> list[tuple[float, ...]]:
    names = ",".join(input_names(table.n_inputs))
    for values in given:
        if len(values) != table.n_inputs:
            shown = ",".join(f"{v:g}" for v in values)
            raise UsageError(
                f"--predict {shown} has {len(values)} value{'s' if len(values) != 1 else ''}; "
                f"the table has {table.n_inputs} input{'s' if table.n_inputs != 1 else ''} ({names})"
            )
    if given:
        return list(given)
    return [default] if default is not None else []


def _finite_or_none(value: object) -> object:
    """JSON has no NaN or infinity: ``value`` with those floats replaced by ``None``, at any depth."""
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _describe_network(run: Run) -> str:
    config, sizes = run.config, run.arch.sizes
    layers = " -> ".join(str(s) for s in sizes)
    hidden = f"{config.activation} hidden" if config.hidden else "no hidden layer"
    bias = "learned biases" if config.use_bias else "no learned bias"
    return f"{layers} units ({hidden}, sigmoid output, {bias})"


def _format_inputs(values: Sequence[float]) -> str:
    return ",".join(f"{v:g}" for v in values)


def _own_columns(run: Run) -> list[str]:
    """The trained table's own columns: its inputs (derived features left out) and targets."""
    return [*input_names(run.n_table_inputs), *output_names(run.arch.n_outputs)]


def _json_report(run: Run, source: dict[str, object], inputs: list[tuple[float, ...]]) -> str:
    final = run.final
    X = np.array(inputs, dtype=np.float64) if inputs else run.table.X[:, : run.n_table_inputs]
    predictions = run.predict(X)
    report = {
        "config": {**source, **run.config.settings()},
        "status": run.status,
        "iterations": final.iteration,
        "epochs": run.epochs,
        "failed_at": run.failed_at,
        "loss": final.loss,
        "test_loss": final.test_loss,
        "penalty": final.penalty,
        "weights": [W.tolist() for W in final.params.weights],
        "biases": [b.tolist() for b in final.params.biases],
        "columns": _own_columns(run),
        "inputs": X.tolist(),
        "predictions": predictions.tolist(),
        "targets": run.table.y.tolist(),
    }
    return json.dumps(_finite_or_none(report), allow_nan=False)


def _options_text(run: Run) -> list[str]:
    """A line of the options beyond the notebook that this run uses (none: no line)."""
    config, parts = run.config, []
    if config.features:
        parts.append("features " + ", ".join(FEATURES[k].label for k in config.features))
    if config.batch_size is not None:
        parts.append(f"batches of {config.batch_size} rows ({run.epochs:,.4g} epochs)")
    if config.regularization != "none":
        parts.append(f"{config.regularization.upper()} penalty at rate {config.reg_rate:g}")
    return [f"Options: {'; '.join(parts)}"] if parts else []


def _loss_text(run: Run) -> str:
    final, text = run.final, f"Final loss: {run.final.loss:.8g}"
    if run.config.penalized:
        text += f" (+ penalty {final.penalty:.8g} = objective {final.loss + final.penalty:.8g})"
    if final.test_loss is not None:
        text += f"; test loss: {final.test_loss:.8g} on {run.test_table.n_rows} rows"  # type: ignore[union-attr]
    return text


def _text_report(run: Run, source: str, inputs: list[tuple[float, ...]]) -> list[str]:
    final, config, table = run.final, run.config, run.table
    rows = f"{table.n_rows} rows"
    if run.test_table is not None:
        rows = f"{table.n_rows} training rows + {run.test_table.n_rows} test rows"
    lines = [
        f"Table: {source}, {rows}; network {_describe_network(run)}",
        f"Learning rate {config.learning_rate:g}, seed {config.seed}, "
        f"{final.iteration:,} of {config.n_iterations:,} iterations ({run.status.replace('_', ' ')})",
        *_options_text(run),
        _loss_text(run),
    ]
    with np.printoptions(precision=8, suppress=False, threshold=1000, linewidth=75):
        for layer, (W, b) in enumerate(zip(final.params.weights, final.params.biases, strict=True), 1):
            lines.append(f"Weights W{layer} {W.shape[0]}x{W.shape[1]}:")
            lines.append(str(W))
            if config.use_bias:
                lines.append(f"Biases b{layer}: {b}")
        if table.n_rows <= MAX_TABLE_ROWS_SHOWN:
            lines.append("Outputs on the table (inputs | target | output):")
            own = table.X[:, : run.n_table_inputs]
            for x, y, out in zip(own, table.y, final.output, strict=True):
                lines.append(f"  {_format_inputs(x)} | {_format_inputs(y)} | {out}")
        for values in inputs:
            lines.append(f"Input: {_format_inputs(values)}")
            # the notebook's own format: print("Predicted output:", predicted_output)
            lines.append(f"Predicted output: {run.predict(np.array([values]))}")
    return lines


def _one_line(message: str) -> str:
    return " ".join(str(message).split("\n")).replace("\r", " ")


def _fail(message: str, status: int = EXIT_USAGE) -> int:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)
    return status


def _source(args: argparse.Namespace) -> tuple[TruthTable, tuple[float, ...] | None, str, dict[str, object]]:
    """The table to train on, its default test input, and how the text and the JSON report name it."""
    given = [f"--{name.replace('_', '-')}" for name in DATASET_OPTIONS if getattr(args, name) is not None]
    if args.dataset is None and given:
        raise UsageError(f"argument {given[0]}: only with --dataset (it sets how a dataset is drawn)")
    if args.dataset is not None:
        defaults = DataSpec()
        spec = DataSpec(
            args.dataset,
            defaults.points if args.points is None else args.points,
            defaults.noise if args.noise is None else args.noise,
            defaults.seed if args.data_seed is None else args.data_seed,
        )
        text = f"dataset {spec.name!r} ({spec.points} points, noise {spec.noise:g}, data seed {spec.seed})"
        source = {"dataset": spec.name, "points": spec.points, "noise": spec.noise, "data_seed": spec.seed}
        return generate(spec), (0.0, 0.0), text, source
    if args.table is not None:
        return read_table_file(args.table), None, f"{os.path.basename(args.table)!r}", {"table": args.table}
    preset = get_preset(args.preset or DEFAULT_PRESET)
    return preset.table, preset.test_input, f"preset {preset.name!r}", {"preset": preset.name}


def _config(args: argparse.Namespace, table: TruthTable, source: str) -> TrainConfig:
    if args.features and table.n_inputs != 2:
        raise UsageError(
            f"argument --features: derived features need a table with exactly two inputs x1, x2; "
            f"the table ({source}) has {table.n_inputs} input{'s' if table.n_inputs != 1 else ''}"
        )
    return TrainConfig(
        learning_rate=args.lr,
        n_iterations=args.iterations,
        seed=args.seed,
        hidden=args.hidden,
        activation=args.activation,
        use_bias=args.bias,
        target_loss=args.target_loss,
        features=args.features,
        test_fraction=args.test_fraction,
        batch_size=args.batch_size,
        regularization=args.regularization,
        reg_rate=args.reg_rate,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help: argparse has printed it and exits
            return int(exc.code or 0)
        table, default_input, source_text, source = _source(args)
        config = _config(args, table, source_text)
        inputs = _predict_inputs(args.predict, table, default_input)
        run = train(table, config)
    except ConfigError as exc:
        option = _OPTION_OF_FIELD.get(exc.field or "")
        return _fail(f"argument {option}: {exc}" if option else str(exc))
    except (UsageError, BackpropError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)

    try:
        if args.json:
            print(_json_report(run, source, list(args.predict)))
        else:
            print("\n".join(_text_report(run, source_text, inputs)))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `python -m backprop | head -1`
        _silence_stdout()
        return EXIT_DIVERGED if run.status == "non_finite" else EXIT_OK
    if run.status == "non_finite":
        return _fail(
            f"training diverged: a weight became infinite or NaN at iteration {run.failed_at:,}; "
            "the results shown are from the iteration before. Try a smaller --lr.",
            EXIT_DIVERGED,
        )
    return EXIT_OK


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
