"""Imports and exports: a truth table from an uploaded CSV file; a finished run as a JSON record, its
history as CSV, and a standalone NumPy script.

The script is written in the notebook's style (``sigmoid``, ``sigmoid_derivative``, a
``backpropagation`` loop over ``layer0``, ``layer1``, ...) with the table (or the code drawing a
generated dataset from its seed), the configuration and the initial weights written into it exactly, and
the same NumPy operations in the same order as ``backprop.network`` and ``backprop.trainer`` (derived
features, the seeded test split, each epoch's shuffled mini-batches, the L1 or L2 step), so running it on
its own replays the run: its final weights equal a NumPy replay bit for bit (tests/test_export.py runs
it and compares).
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from backprop.datasets import DATASETS, FEATURES, RADIUS, DataSpec, generate, input_labels, split_rows
from backprop.errors import TableError
from backprop.limits import MAX_CSV_BYTES
from backprop.naming import bias_name, weight_name
from backprop.network import RELU_BIAS_INIT, Architecture, Params, init_params
from backprop.table import TruthTable, output_names, parse_csv
from backprop.trainer import Run, updates_per_epoch

FORMAT = "backprop-simulator/run"
FORMAT_VERSION = 1


def table_from_csv_bytes(data: bytes) -> TruthTable:
    """A truth table from an uploaded CSV file's bytes (UTF-8, with or without a byte-order mark).

    Raises
    ------
    TableError
        when the file is too large, binary, not UTF-8, or not a valid table (naming the bad cell).
    """
    if len(data) > MAX_CSV_BYTES:
        raise TableError(f"The file is larger than {MAX_CSV_BYTES // 2**20} MB.")
    if b"\x00" in data:
        raise TableError("This is not a CSV text file (it contains binary data).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError(
            f"The file is not UTF-8 text (bad byte at offset {error.start}); save it as UTF-8 CSV."
        ) from None
    return parse_csv(text)


def _finite_or_none(value: object) -> object:
    """JSON has no NaN or infinity: ``value`` with those floats replaced by ``None``, at any depth."""
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _params_dict(params: Params) -> dict[str, object]:
    return {
        "weights": [W.tolist() for W in params.weights],
        "biases": [b.tolist() for b in params.biases],
    }


def _table_dict(run: Run, table: TruthTable) -> dict[str, object]:
    """Rows of a run's training or test table, its columns named as the network's inputs (x1, x2, then
    derived features such as x1²)."""
    inputs = input_labels(run.arch.n_inputs, run.config.features)
    return {"columns": [*inputs, *output_names(table.n_outputs)], "rows": table.rows()}


def run_to_dict(
    run: Run,
    preset: str | None = None,
    test_input: Sequence[float] | None = None,
    data: DataSpec | None = None,
) -> dict[str, object]:
    """A JSON-ready record of ``run``: configuration, table, initial and final parameters, loss history.

    ``weights[l]`` has shape (sizes[l], sizes[l+1]) (rows are the layer's inputs); non-finite numbers
    become ``None``. ``table`` holds the training rows (with derived feature columns), ``test_table``
    the held-out ones (``None`` without a test set); ``data`` names the generated dataset, if any.
    ``history`` holds the recorded iterations (at most ``config.history_size``) with the loss, the
    test loss (``None`` without a test set) and the penalty. With ``test_input`` (the table's own
    inputs) the record also has the prediction for it.
    """
    config, final = run.config, run.final
    record: dict[str, object] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "preset": preset,
        "data": None
        if data is None
        else {"dataset": data.name, "points": data.points, "noise": data.noise, "data_seed": data.seed},
        "config": config.settings(),
        "architecture": {
            "sizes": list(run.arch.sizes),
            "hidden_activation": run.arch.activation,
            "output_activation": "sigmoid",
            "use_bias": run.arch.use_bias,
        },
        "table": _table_dict(run, run.table),
        "test_table": None if run.test_table is None else _table_dict(run, run.test_table),
        "status": run.status,
        "failed_at": run.failed_at,
        "initial": _params_dict(run.initial),
        "final": {
            "iteration": final.iteration,
            "epochs": run.epochs,
            "loss": final.loss,
            "test_loss": final.test_loss,
            "penalty": final.penalty,
            **_params_dict(final.params),
            "outputs": final.output.tolist(),
        },
        "history": {
            "iteration": [s.iteration for s in run.history],
            "loss": [s.loss for s in run.history],
            "test_loss": [s.test_loss for s in run.history],
            "penalty": [s.penalty for s in run.history],
        },
    }
    if test_input is not None:
        record["test_input"] = [float(v) for v in test_input]
        record["prediction"] = run.predict(np.array([test_input], dtype=np.float64))[0].tolist()
    return _finite_or_none(record)  # type: ignore[return-value]


def run_to_json(
    run: Run,
    preset: str | None = None,
    test_input: Sequence[float] | None = None,
    data: DataSpec | None = None,
) -> str:
    """:func:`run_to_dict` as indented JSON text (strict JSON: no NaN or infinity)."""
    return json.dumps(run_to_dict(run, preset, test_input, data), indent=2, allow_nan=False) + "\n"


def history_columns(
    arch: Architecture, test_loss: bool = False, penalty: bool = False, features: Sequence[str] = ()
) -> list[str]:
    """Header of :func:`history_to_csv`: ``iteration``, ``loss``, then ``test_loss`` (with a test set)
    and ``penalty`` (with a penalty), then every weight layer by layer, row by row (``w(x1→h1)``,
    ``w(x1→h2)``, ...) and, with biases, the layer's biases (``b(h1)``, ...): the names the page shows
    (backprop/naming.py; derived ``features`` by their labels, ``w(x1²→h1)``)."""
    columns = ["iteration", "loss", *["test_loss"] * test_loss, *["penalty"] * penalty]
    for layer, (n_in, n_out) in enumerate(zip(arch.sizes[:-1], arch.sizes[1:], strict=True)):
        columns += [weight_name(arch, layer, i, j, features) for i in range(n_in) for j in range(n_out)]
        if arch.use_bias:
            columns += [bias_name(arch, layer, j) for j in range(n_out)]
    return columns


def history_to_csv(run: Run) -> str:
    """The recorded history as CSV: one line per recorded iteration with the loss (the test loss and the
    penalty when the run has them) and every parameter."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    tested, penalized = run.test_table is not None, run.config.penalized
    writer.writerow(history_columns(run.arch, tested, penalized, run.config.features))
    for snapshot in run.history:
        values: list[float] = [snapshot.loss]
        if tested:
            values.append(snapshot.test_loss)  # type: ignore[arg-type]
        if penalized:
            values.append(snapshot.penalty)
        for W, b in zip(snapshot.params.weights, snapshot.params.biases, strict=True):
            values += W.ravel().tolist()
            if run.arch.use_bias:
                values += b.tolist()
        writer.writerow([snapshot.iteration, *(repr(float(v)) for v in values)])
    return out.getvalue()


# --------------------------------------------------------------------------------------------- script
def _number(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _matrix(values: object, exact_floats: bool = False) -> str:
    """A 2-D array literal; one line when short, else one row per line."""
    rows = np.asarray(values, dtype=np.float64).tolist()
    cell = (lambda v: repr(float(v))) if exact_floats else _number
    lines = ["[" + ", ".join(cell(v) for v in row) + "]" for row in rows]
    one_line = "[" + ", ".join(lines) + "]"
    if len(one_line) <= 80:
        return one_line
    return "[\n" + "".join(f"    {line},\n" for line in lines) + "]"


_ACTIVATION_CODE = MappingProxyType(
    {
        "sigmoid": """def sigmoid(x):
    # Sigmoid activation function (inputs below -700 are clipped so np.exp cannot overflow)
    return 1 / (1 + np.exp(-np.maximum(x, -700.0)))


def sigmoid_derivative(x):
    # Derivative of the sigmoid, written with its output: x = sigmoid(z), sigmoid'(z) = x * (1 - x)
    return x * (1 - x)
""",
        "tanh": """def tanh(x):
    # Hyperbolic tangent activation of the hidden layers
    return np.tanh(x)


def tanh_derivative(x):
    # Derivative of tanh, written with its output: x = tanh(z), tanh'(z) = 1 - x**2
    return 1 - x * x
""",
        "relu": """def relu(x):
    # Rectified linear unit activation of the hidden layers
    return np.maximum(x, 0.0)


def relu_derivative(x):
    # Derivative of the ReLU, written with its output: 1 where the unit is active (x > 0), else 0
    return (x > 0.0).astype(float)
""",
        "linear": """def linear(x):
    # Linear (identity) activation of the hidden layers: a stack of them is still one linear map
    return x


def linear_derivative(x):
    # Derivative of the identity: 1 everywhere
    return np.ones_like(x)
""",
    }
)


def _init_comment(names: Sequence[str], arch: Architecture, seed: int, initial: Params) -> list[str]:
    """How the initial weights were drawn, in the notebook's words, when they are the seed's."""
    drawn = init_params(arch, seed)
    pairs = [
        *zip(drawn.weights, initial.weights, strict=True),
        *zip(drawn.biases, initial.biases, strict=True),
    ]
    if not all(np.array_equal(a, b) for a, b in pairs):
        return ["# Initial weights (given explicitly, not drawn from the seed)"]
    lines = [f"# Initial weights, drawn the notebook's way: np.random.seed({seed}), then"]
    for layer, (n_in, n_out) in enumerate(zip(arch.sizes[:-1], arch.sizes[1:], strict=True)):
        draw = f"2 * np.random.random(({n_in}, {n_out})) - 1"
        if layer < arch.n_layers - 1 and arch.activation == "relu":
            draw = f"({draw}) * np.sqrt(6 / {n_in})  (He's bound for ReLU)"
        lines.append(f"#   {names[layer]} = {draw}")
    if arch.use_bias and arch.activation == "relu" and arch.n_layers > 1:
        lines.append(f"# and every bias starts at 0, except the hidden ReLU units' at {RELU_BIAS_INIT}.")
    elif arch.use_bias:
        lines.append("# and every bias starts at 0.")
    return lines


def _params_code(names: Sequence[str], values: Sequence[object], biases: bool) -> list[str]:
    lines = []
    for name, value in zip(names, values, strict=True):
        array = np.asarray(value, dtype=np.float64)
        if not biases:
            lines.append(f"{name} = np.array({_matrix(array, exact_floats=True)})")
        elif not array.any():
            lines.append(f"{name} = np.zeros({array.size})")
        else:
            lines.append(f"{name} = np.array([{', '.join(repr(float(v)) for v in array)}])")
    return lines


# Each derived feature of datasets.FEATURES, written with the script's x1, x2.
_FEATURE_CODE = MappingProxyType(
    {
        "x1sq": "x1 * x1",
        "x2sq": "x2 * x2",
        "x1x2": "x1 * x2",
        "sinx1": "np.sin(x1)",
        "sinx2": "np.sin(x2)",
    }
)


def _features_code(keys: Sequence[str]) -> str:
    labels = ", ".join(FEATURES[k].label for k in keys)
    columns = ", ".join(["X", *(_FEATURE_CODE[k] for k in keys)])
    return f"""def with_features(X):
    # Derived inputs appended to x1, x2: {labels}
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([{columns}])
"""


def original_table(run: Run) -> TruthTable:
    """The table ``run`` was trained on, as given: its training and test rows back in their places, the
    derived feature columns left out."""
    n_own = run.n_table_inputs
    if run.test_table is None:
        return TruthTable(run.table.X[:, :n_own], run.table.y)
    n_rows = run.table.n_rows + run.test_table.n_rows
    train_rows, test_rows = split_rows(n_rows, run.config.test_fraction, run.config.seed)
    X = np.empty((n_rows, n_own))
    y = np.empty((n_rows, run.arch.n_outputs))
    X[train_rows], y[train_rows] = run.table.X[:, :n_own], run.table.y
    X[test_rows], y[test_rows] = run.test_table.X[:, :n_own], run.test_table.y
    return TruthTable(X, y)


@dataclass(frozen=True)
class _Names:
    """The script's names of one network's arrays: weights, biases, activations and error signals."""

    W: tuple[str, ...]
    b: tuple[str, ...]  # empty without learned biases
    layers: tuple[str, ...]
    delta: tuple[str, ...]
    act: tuple[str, ...]  # activation of each weight layer

    @property
    def params(self) -> list[str]:
        return [name for layer, W in enumerate(self.W) for name in (W, *self.b[layer : layer + 1])]

    def forward(self, source: str, names: Sequence[str]) -> list[str]:
        """Lines of a forward pass from ``source``, naming each layer's activation ``names[l]``."""
        lines, previous = [], source
        for layer, W in enumerate(self.W):
            z = f"np.dot({previous}, {W})" + (f" + {self.b[layer]}" if self.b else "")
            lines.append(f"{names[layer]} = {self.act[layer]}({z})")
            previous = names[layer]
        return lines


def _names(arch: Architecture) -> _Names:
    n = arch.n_layers
    notebook = n == 1 and not arch.use_bias
    return _Names(
        W=("weights",) if notebook else tuple(f"W{layer}" for layer in range(1, n + 1)),
        b=tuple(f"b{layer}" for layer in range(1, n + 1)) if arch.use_bias else (),
        layers=tuple(f"layer{layer}" for layer in range(n + 1)),
        delta=("delta",) if notebook else tuple(f"delta{layer}" for layer in range(1, n + 1)),
        act=tuple("sigmoid" if layer == n - 1 else arch.activation for layer in range(n)),
    )


def _batch_lines(batched: bool) -> list[str]:
    if not batched:
        return ["# Forward propagation", "layer0 = X"]
    return [
        "# The rows of this update: each epoch goes through a new shuffle of the rows, batch by batch",
        "epoch, batch = divmod(i, batches_per_epoch)",
        "if batch == 0:",
        "    order = np.random.default_rng((seed, 2, epoch)).permutation(len(X))",
        "rows = order[batch * batch_size : (batch + 1) * batch_size]",
        "",
        "# Forward propagation",
        "layer0 = X[rows]",
    ]


def _stop_lines(names: _Names, batched: bool) -> list[str]:
    """Early stopping: the loss over every training row, before the update."""
    if not batched:
        return [
            "# Stop early once the loss E = 1/2 * sum(error**2) reaches the target",
            "if 0.5 * np.sum(error * error) <= target_loss:",
            "    break",
            "",
        ]
    lines = ["# Stop early once the loss E = 1/2 * sum(error**2) over every training row reaches the target"]
    lines += names.forward("X", ["output"] * len(names.W))
    lines += ["every_error = y - output", "if 0.5 * np.sum(every_error * every_error) <= target_loss:"]
    return [*lines, "    break", ""]


def _update_lines(names: _Names, regularization: str) -> list[str]:
    """Gradient descent on the error (and the penalty), last layer first."""
    n = len(names.W)
    notebook = names.W == ("weights",)
    title = {
        "none": "# Gradient descent on E = 1/2 * sum((y - output)**2)",
        "l2": "# Gradient descent on E + reg_rate * 1/2 * sum(W**2), the L2 penalty (biases have none)",
        "l1": "# Gradient descent on E, then the L1 penalty's step: each weight moves\n"
        "# learning_rate * reg_rate towards 0 and stops at 0 rather than crossing it (biases have none)",
    }[regularization]
    lines = [] if notebook and regularization == "none" else ["", *title.split("\n")]
    if not notebook and regularization == "none":
        lines[-1] += ", last layer first"
    for layer in range(n - 1, -1, -1):
        W, step = names.W[layer], f"np.dot({names.layers[layer]}.T, {names.delta[layer]})"
        if regularization == "l2":
            lines.append(f"{W} += learning_rate * ({step} - reg_rate * {W})")
        else:
            lines.append(f"{W} += learning_rate * {step}")
        if regularization == "l1":
            lines.append(f"{W} = np.sign({W}) * np.maximum(np.abs({W}) - learning_rate * reg_rate, 0.0)")
        if names.b:
            lines.append(f"{names.b[layer]} += learning_rate * {names.delta[layer]}.sum(axis=0)")
    return lines


def _training_function(run: Run, names: _Names, batched: bool) -> str:
    config, n = run.config, len(names.W)
    target = config.target_loss
    loop = _batch_lines(batched)
    loop += [*names.forward("layer0", names.layers[1:]), ""]
    loop += ["# Calculate the error", f"error = {'y[rows]' if batched else 'y'} - {names.layers[n]}", ""]
    if target is not None:
        loop += _stop_lines(names, batched)
    notebook = names.W == ("weights",)
    loop.append("# Backpropagation" + ("" if notebook else ": the chain rule, from the output layer back"))
    loop.append(f"{names.delta[-1]} = error * sigmoid_derivative({names.layers[n]})")
    for layer in range(n - 2, -1, -1):
        loop.append(
            f"{names.delta[layer]} = np.dot({names.delta[layer + 1]}, {names.W[layer + 1]}.T) * "
            f"{names.act[layer]}_derivative({names.layers[layer + 1]})"
        )
    loop += _update_lines(names, config.regularization)
    arguments = ["X", "y", *names.params, "learning_rate", "num_iterations"]
    arguments += ["target_loss"] * (target is not None) + ["batch_size", "seed"] * batched
    arguments += ["reg_rate"] * (config.regularization != "none")
    head = f"def backpropagation({', '.join(arguments)}):"
    if len(head) > 100:
        head = "def backpropagation(\n    " + ", ".join(arguments) + "\n):"
    function = [head]
    if batched:
        function.append("    batches_per_epoch = -(-len(X) // batch_size)  # the last batch may be smaller")
    function.append("    for i in range(num_iterations):")
    function += [f"        {line}" if line else "" for line in loop]
    function += ["", f"    return {', '.join(names.params)}"]
    return "\n".join(function) + "\n"


def _docstring(run: Run, preset: str | None, data: DataSpec | None, batched: bool) -> list[str]:
    arch, config = run.arch, run.config
    n = arch.n_layers
    sizes = " -> ".join(str(s) for s in arch.sizes)
    if n == 1 and not arch.use_bias:
        network = "one sigmoid layer and no learned bias, as in the notebook"
    else:
        network = f"{n - 1} {arch.activation} hidden layer{'s' if n > 2 else ''}, a sigmoid output, "
        network += "learned biases" if arch.use_bias else "no learned bias"
    settings = f"Learning rate {_number(config.learning_rate)}, {config.n_iterations:,} iterations"
    settings += f", seed {config.seed}"
    if target := config.target_loss:
        settings += f", stopping early at loss {_number(target)}"
    if batched:
        settings += f", batches of {config.batch_size} rows"
    if config.regularization != "none":
        settings += f", {config.regularization.upper()} penalty at rate {_number(config.reg_rate)}"
    source = []
    if data is not None:
        source.append(
            f"Data: the {data.name} dataset, {data.points} points, noise {_number(data.noise)}, "
            f"data seed {data.seed}."
        )
    elif preset:
        source.append(f"Preset: {preset}.")
    if config.features:
        source.append(f"Derived inputs: {', '.join(FEATURES[k].label for k in config.features)}.")
    if run.test_table is not None:
        source.append(f"Held out for testing: {run.test_table.n_rows} rows.")
    return [
        '"""Backprop Simulator run, exported as a standalone NumPy script: python <this file>',
        "",
        *textwrap.wrap(f"Network: {sizes} units ({network}).", 100),
        *source,
        *textwrap.wrap(f"{settings}.", 100),
        *(
            [f"Training diverged at update {run.failed_at:,}: this script stops just before it."]
            if run.status == "non_finite"
            else []
        ),
        "The table, the initial weights and every step are the app's, so this replays the app's run.",
        '"""',
    ]


def _data_lines(run: Run, data: DataSpec | None) -> list[str]:
    """The training table: drawn or written out, features appended, test rows held out."""
    config, table = run.config, original_table(run)
    if data is not None:
        lines = [
            f"# The {data.name} dataset: {data.points} points, noise {_number(data.noise)}, "
            f"drawn from np.random.RandomState({data.seed})",
            f"X, y = {data.name}({data.points}, {_number(data.noise)}, np.random.RandomState({data.seed}))",
            "y = y[:, None]  # Output labels, one column",
        ]
    else:
        lines = [
            f"X = np.array({_matrix(table.X)}, dtype=float)  # Input features",
            f"y = np.array({_matrix(table.y)}, dtype=float)  # Output labels",
        ]
    if config.features:
        lines.append("X = with_features(X)")
    if run.test_table is not None:
        n_test = run.test_table.n_rows
        lines += [
            "",
            f"# Hold {n_test} of the {table.n_rows} rows out of training, drawn with the seed's own stream",
            f"order = np.random.default_rng(({config.seed}, 1)).permutation(len(X))",
            f"test_rows, train_rows = np.sort(order[:{n_test}]), np.sort(order[{n_test}:])",
            "X_test, y_test = X[test_rows], y[test_rows]",
            "X, y = X[train_rows], y[train_rows]",
        ]
    return lines


def numpy_script(
    run: Run,
    test_input: Sequence[float] | None = None,
    preset: str | None = None,
    data: DataSpec | None = None,
) -> str:
    """A standalone Python script (NumPy only) that reruns ``run`` and prints its prediction.

    The table (or, with ``data``, the code that draws it from its seed), learning rate, iteration count
    and initial weights are written into the script exactly, and every operation is ``backprop``'s NumPy
    step (derived features, the test split, the shuffle of each epoch's batches, the penalty), so its
    final weights are the run's (bit for bit those of a NumPy replay). The notebook's case (no hidden
    layer, no learned bias) reads like the notebook: ``weights``, ``layer0``, ``layer1``, ``delta``.
    Other networks name the weights ``W1, W2, ...`` and the biases ``b1, b2, ...``. ``test_input`` holds
    the table's own inputs; without it the script predicts every training row. With a test set it also
    prints the loss on the held-out rows.
    """
    arch, config = run.arch, run.config
    if data is not None and generate(data) != original_table(run):
        data = None  # not the table it draws (edited): the script writes the table out
    names = _names(arch)
    batched = updates_per_epoch(run.table.n_rows, config.batch_size) > 1
    # a diverged run stops before the update that made a weight infinite or NaN
    iterations = run.final.iteration if run.status == "non_finite" else config.n_iterations

    definitions = [_ACTIVATION_CODE["sigmoid"]]
    if arch.n_layers > 1 and arch.activation != "sigmoid":
        definitions.append(_ACTIVATION_CODE[arch.activation])
    if data is not None:
        definitions.append(f"RADIUS = {RADIUS}  # the points span about [-RADIUS, RADIUS] on each axis")
        definitions.append(inspect.getsource(DATASETS[data.name][0]))  # the library's own generator
    if config.features:
        definitions.append(_features_code(config.features))
    definitions.append(_training_function(run, names, batched))

    lines = [*_data_lines(run, data), "", *_init_comment(names.W, arch, config.seed, run.initial)]
    for layer in range(arch.n_layers):
        lines += _params_code(
            names.W[layer : layer + 1], run.initial.weights[layer : layer + 1], biases=False
        )
        if names.b:
            lines += _params_code(
                names.b[layer : layer + 1], run.initial.biases[layer : layer + 1], biases=True
            )
    returned = ", ".join(names.params)
    call = [
        f"X, y, {returned}",
        f"learning_rate={_number(config.learning_rate)}",
        f"num_iterations={iterations}",
    ]
    if config.target_loss is not None:
        call.append(f"target_loss={_number(config.target_loss)}")
    if batched:
        call += [f"batch_size={config.batch_size}", f"seed={config.seed}"]
    if config.regularization != "none":
        call.append(f"reg_rate={_number(config.reg_rate)}")
    statement = f"{returned} = backpropagation({', '.join(call)})"
    if len(statement) > 100:
        statement = f"{returned} = backpropagation(\n    {', '.join(call)}\n)"
    if max(len(line) for line in statement.split("\n")) > 100:
        statement = f"{returned} = backpropagation(\n" + "".join(f"    {part},\n" for part in call) + ")"
    lines += ["", "# Perform backpropagation", statement, "", *_result_lines(run, names, test_input)]

    imports = "import numpy as np"
    if data is not None:  # the generator's own imports and type names
        imports = (
            "import math\n\n"
            + imports
            + "\nfrom numpy.typing import NDArray\n\nFloatArray = NDArray[np.float64]"
        )
    top = ["\n".join(_docstring(run, preset, data, batched)), imports]
    return (
        "\n\n".join(top)
        + "\n\n\n"
        + "\n\n\n".join(d.rstrip("\n") for d in definitions)
        + "\n\n\n"
        + "\n".join(lines)
        + "\n"
    )


def _result_lines(run: Run, names: _Names, test_input: Sequence[float] | None) -> list[str]:
    n = len(names.W)
    outputs = [f"hidden{layer}" for layer in range(1, n)] + ["predicted_output"]
    if test_input is not None:
        shown = ", ".join(_number(v) for v in test_input)
        test = f"np.array([[{shown}]], dtype=float)"
        if run.config.features:
            test = f"with_features({test})"
        lines = ["# Test the trained model", f"test_input = {test}"]
        lines += [*names.forward("test_input", outputs), 'print("Predicted output:", predicted_output)']
    else:
        lines = ["# The trained model on every training row", *names.forward("X", outputs)]
        lines.append('print("Outputs on the table:", predicted_output)')
    if run.test_table is not None:
        lines += ["", "# The error E = 1/2 * sum((y - output)**2) on the rows held out for testing"]
        lines += names.forward("X_test", ["test_output"] * n)
        lines += ["test_error = y_test - test_output", "test_loss = 0.5 * np.sum(test_error * test_error)"]
        lines.append('print("Test loss:", test_loss)')
    lines += [f'print("{name} after training:", {name})' for name in names.params]
    return lines
