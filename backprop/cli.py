"""Command line: ``python -m backprop`` trains the notebook's experiment (or any truth table) and prints
the result, as text or as one JSON object.

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
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import NoReturn, TypeVar

import numpy as np

from backprop.activations import ACTIVATIONS
from backprop.errors import BackpropError, ConfigError
from backprop.limits import (
    MAX_CSV_BYTES,
    MAX_HIDDEN_LAYERS,
    MAX_HIDDEN_UNITS,
    MAX_INPUTS,
    MAX_ITERATIONS,
    MAX_LEARNING_RATE,
    MAX_OUTPUTS,
    MAX_ROWS,
    MAX_SEED,
    MAX_TARGET_LOSS,
)
from backprop.parse import parse_hidden, parse_number, parse_whole
from backprop.table import DEFAULT_PRESET, PRESETS, TruthTable, get_preset, input_names, parse_csv
from backprop.trainer import Run, TrainConfig, train

T = TypeVar("T")

PROG = "backprop"
EXIT_OK, EXIT_DIVERGED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
MAX_TABLE_ROWS_SHOWN = 16
_OPTION_OF_FIELD = MappingProxyType(
    {
        "learning_rate": "--lr",
        "n_iterations": "--iterations",
        "seed": "--seed",
        "hidden": "--hidden",
        "activation": "--activation",
        "target_loss": "--target-loss",
    }
)


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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; ``--help`` shows every option with its default."""
    defaults = TrainConfig()
    parser = _Parser(
        prog=PROG,
        description=(
            "Train a small neural network with backpropagation (gradient descent on "
            "E = 1/2 * sum((y - out)^2)) and print the weights, the loss and predictions. "
            "With no options this is the classic notebook: the 'notebook' table, learning rate 1, "
            "10000 iterations, seed 0; add --predict 1,0,0 to see its 0.99993703."
        ),
        epilog=(
            f"CSV tables (--table): a header x1,...,xn then y (one output) or y1,...,ym, one row per "
            f"example; at most {MAX_ROWS} rows, {MAX_INPUTS} inputs, {MAX_OUTPUTS} outputs, "
            f"{MAX_CSV_BYTES // 2**20} MB; targets between 0 and 1 (the output unit is a sigmoid). "
            "The gate presets, like the notebook, end with a constant-1 input acting as a bias. "
            "Exit status: 0 success, 1 training diverged (non-finite weights), 2 bad arguments or input."
        ),
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

    output = parser.add_argument_group("output")
    output.add_argument(
        "--predict",
        action="append",
        type=_inputs,
        default=[],
        metavar="X1,..,XN",
        help=(
            "predict the output for these inputs, one value per input column; repeatable "
            "(write --predict=-1,0,0 for a negative first value). Default: the preset's test input"
        ),
    )
    output.add_argument(
        "--json",
        action="store_true",
        help=(
            "print one JSON object (config, status, iterations, loss, weights, biases, inputs, "
            "predictions, targets) instead of text; predictions are for --predict inputs when "
            "given, else for the table's rows"
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


def _describe_network(config: TrainConfig, table: TruthTable) -> str:
    sizes = config.architecture(table).sizes
    layers = " -> ".join(str(s) for s in sizes)
    hidden = f"{config.activation} hidden" if config.hidden else "no hidden layer"
    bias = "learned biases" if config.use_bias else "no learned bias"
    return f"{layers} units ({hidden}, sigmoid output, {bias})"


def _format_inputs(values: Sequence[float]) -> str:
    return ",".join(f"{v:g}" for v in values)


def _json_report(run: Run, source: dict[str, object], inputs: list[tuple[float, ...]]) -> str:
    final = run.final
    X = np.array(inputs, dtype=np.float64) if inputs else run.table.X
    predictions = run.predict(X)
    report = {
        "config": {**source, **run.config.settings()},
        "status": run.status,
        "iterations": final.iteration,
        "failed_at": run.failed_at,
        "loss": final.loss,
        "weights": [W.tolist() for W in final.params.weights],
        "biases": [b.tolist() for b in final.params.biases],
        "columns": list(run.table.columns),
        "inputs": X.tolist(),
        "predictions": predictions.tolist(),
        "targets": run.table.y.tolist(),
    }
    return json.dumps(_finite_or_none(report), allow_nan=False)


def _text_report(run: Run, source: str, inputs: list[tuple[float, ...]]) -> list[str]:
    final, config, table = run.final, run.config, run.table
    lines = [
        f"Table: {source}, {table.n_rows} rows; network {_describe_network(config, table)}",
        f"Learning rate {config.learning_rate:g}, seed {config.seed}, "
        f"{final.iteration:,} of {config.n_iterations:,} iterations ({run.status.replace('_', ' ')})",
        f"Final loss: {final.loss:.8g}",
    ]
    with np.printoptions(precision=8, suppress=False, threshold=1000, linewidth=75):
        for layer, (W, b) in enumerate(zip(final.params.weights, final.params.biases, strict=True), 1):
            lines.append(f"Weights W{layer} {W.shape[0]}x{W.shape[1]}:")
            lines.append(str(W))
            if config.use_bias:
                lines.append(f"Biases b{layer}: {b}")
        if table.n_rows <= MAX_TABLE_ROWS_SHOWN:
            outputs = run.predict(table.X)
            lines.append("Outputs on the table (inputs | target | output):")
            for x, y, out in zip(table.X, table.y, outputs, strict=True):
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help: argparse has printed it and exits
            return int(exc.code or 0)
        if args.table is not None:
            table, default_input = read_table_file(args.table), None
            source_text = f"{os.path.basename(args.table)!r}"
            source: dict[str, object] = {"table": args.table}
        else:
            preset = get_preset(args.preset or DEFAULT_PRESET)
            table, default_input = preset.table, preset.test_input
            source_text = f"preset {preset.name!r}"
            source = {"preset": preset.name}
        config = TrainConfig(
            learning_rate=args.lr,
            n_iterations=args.iterations,
            seed=args.seed,
            hidden=args.hidden,
            activation=args.activation,
            use_bias=args.bias,
            target_loss=args.target_loss,
        )
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
