"""Imports and exports: a truth table from an uploaded CSV file; a finished run as a JSON record, its
history as CSV, and a standalone NumPy script.

The script is written in the notebook's style (``sigmoid``, ``sigmoid_derivative``, a
``backpropagation`` loop over ``layer0``, ``layer1``, ...) with the table, the configuration and the
initial weights written into it exactly, and the same NumPy operations in the same order as
``backprop.network``, so running it on its own replays the run: its final weights equal a NumPy replay
bit for bit (tests/test_export.py runs it and compares).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from types import MappingProxyType

import numpy as np

from backprop.errors import TableError
from backprop.limits import MAX_CSV_BYTES
from backprop.naming import bias_name, weight_name
from backprop.network import RELU_BIAS_INIT, Architecture, Params, init_params
from backprop.table import TruthTable, parse_csv
from backprop.trainer import Run

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


def run_to_dict(
    run: Run, preset: str | None = None, test_input: Sequence[float] | None = None
) -> dict[str, object]:
    """A JSON-ready record of ``run``: configuration, table, initial and final parameters, loss history.

    ``weights[l]`` has shape (sizes[l], sizes[l+1]) (rows are the layer's inputs); non-finite numbers
    become ``None``. ``history`` holds the recorded iterations (at most ``config.history_size``).
    With ``test_input`` the record also has the prediction for it.
    """
    config, final = run.config, run.final
    record: dict[str, object] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "preset": preset,
        "config": config.settings(),
        "architecture": {
            "sizes": list(run.arch.sizes),
            "hidden_activation": run.arch.activation,
            "output_activation": "sigmoid",
            "use_bias": run.arch.use_bias,
        },
        "table": {"columns": list(run.table.columns), "rows": run.table.rows()},
        "status": run.status,
        "failed_at": run.failed_at,
        "initial": _params_dict(run.initial),
        "final": {
            "iteration": final.iteration,
            "loss": final.loss,
            **_params_dict(final.params),
            "outputs": final.output.tolist(),
        },
        "history": {
            "iteration": [s.iteration for s in run.history],
            "loss": [s.loss for s in run.history],
        },
    }
    if test_input is not None:
        record["test_input"] = [float(v) for v in test_input]
        record["prediction"] = run.predict(np.array([test_input], dtype=np.float64))[0].tolist()
    return _finite_or_none(record)  # type: ignore[return-value]


def run_to_json(run: Run, preset: str | None = None, test_input: Sequence[float] | None = None) -> str:
    """:func:`run_to_dict` as indented JSON text (strict JSON: no NaN or infinity)."""
    return json.dumps(run_to_dict(run, preset, test_input), indent=2, allow_nan=False) + "\n"


def history_columns(arch: Architecture) -> list[str]:
    """Header of :func:`history_to_csv`: ``iteration``, ``loss``, then every weight layer by layer, row
    by row (``w(x1→h1)``, ``w(x1→h2)``, ...) and, with biases, the layer's biases (``b(h1)``, ...): the
    names the page shows (backprop/naming.py)."""
    columns = ["iteration", "loss"]
    for layer, (n_in, n_out) in enumerate(zip(arch.sizes[:-1], arch.sizes[1:], strict=True)):
        columns += [weight_name(arch, layer, i, j) for i in range(n_in) for j in range(n_out)]
        if arch.use_bias:
            columns += [bias_name(arch, layer, j) for j in range(n_out)]
    return columns


def history_to_csv(run: Run) -> str:
    """The recorded history as CSV: one line per recorded iteration with the loss and every parameter."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(history_columns(run.arch))
    for snapshot in run.history:
        values: list[float] = [snapshot.loss]
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


def numpy_script(run: Run, test_input: Sequence[float] | None = None, preset: str | None = None) -> str:
    """A standalone Python script (NumPy only) that reruns ``run`` and prints its prediction.

    The table, learning rate, iteration count and initial weights are written into the script exactly,
    and every operation is ``backprop.network``'s NumPy step, so its final weights are the run's (bit for
    bit those of a NumPy replay). The notebook's case (no hidden layer, no learned bias) reads like the
    notebook: ``weights``, ``layer0``, ``layer1``, ``delta``. Other networks name the weights
    ``W1, W2, ...`` and the biases ``b1, b2, ...``. Without ``test_input`` it predicts every row of the table.
    """
    arch, config, table = run.arch, run.config, run.table
    n = arch.n_layers
    notebook = n == 1 and not arch.use_bias
    act = ["sigmoid" if layer == n - 1 else arch.activation for layer in range(n)]
    W = ["weights"] if notebook else [f"W{layer}" for layer in range(1, n + 1)]
    b = [f"b{layer}" for layer in range(1, n + 1)] if arch.use_bias else []
    params = [name for layer in range(n) for name in (W[layer], *(b[layer : layer + 1]))]
    layers = [f"layer{layer}" for layer in range(n + 1)]
    delta = ["delta"] if notebook else [f"delta{layer}" for layer in range(1, n + 1)]
    target = config.target_loss
    # a diverged run stops before the update that made a weight infinite or NaN
    iterations = run.final.iteration if run.status == "non_finite" else config.n_iterations

    def forward(source: str, names: Sequence[str]) -> list[str]:
        lines, previous = [], source
        for layer in range(n):
            z = f"np.dot({previous}, {W[layer]})" + (f" + {b[layer]}" if b else "")
            lines.append(f"{names[layer]} = {act[layer]}({z})")
            previous = names[layer]
        return lines

    loop = ["# Forward propagation", "layer0 = X", *forward("layer0", layers[1:]), ""]
    loop += ["# Calculate the error", f"error = y - {layers[n]}", ""]
    if target is not None:
        loop += ["# Stop early once the loss E = 1/2 * sum(error**2) reaches the target"]
        loop += ["if 0.5 * np.sum(error * error) <= target_loss:", "    break", ""]
    loop.append("# Backpropagation" + ("" if notebook else ": the chain rule, from the output layer back"))
    loop.append(f"{delta[-1]} = error * sigmoid_derivative({layers[n]})")
    for layer in range(n - 2, -1, -1):
        loop.append(
            f"{delta[layer]} = np.dot({delta[layer + 1]}, {W[layer + 1]}.T) * "
            f"{act[layer]}_derivative({layers[layer + 1]})"
        )
    if not notebook:
        loop += ["", "# Gradient descent on E = 1/2 * sum((y - output)**2), last layer first"]
    for layer in range(n - 1, -1, -1):
        loop.append(f"{W[layer]} += learning_rate * np.dot({layers[layer]}.T, {delta[layer]})")
        if b:
            loop.append(f"{b[layer]} += learning_rate * {delta[layer]}.sum(axis=0)")
    arguments = ["X", "y", *params, "learning_rate", "num_iterations"]
    if target is not None:
        arguments.append("target_loss")
    returned = ", ".join(params)
    function = [f"def backpropagation({', '.join(arguments)}):", "    for i in range(num_iterations):"]
    function += [f"        {line}" if line else "" for line in loop]
    function += ["", f"    return {returned}"]

    sizes = " -> ".join(str(s) for s in arch.sizes)
    if notebook:
        network = "one sigmoid layer and no learned bias, as in the notebook"
    else:
        network = f"{n - 1} {arch.activation} hidden layer{'s' if n > 2 else ''}, a sigmoid output, "
        network += "learned biases" if b else "no learned bias"
    settings = f"Learning rate {_number(config.learning_rate)}, {config.n_iterations:,} iterations"
    settings += f", seed {config.seed}"
    if target is not None:
        settings += f", stopping early at loss {_number(target)}"
    docstring = [
        '"""Backprop Simulator run, exported as a standalone NumPy script: python <this file>',
        "",
        f"Network: {sizes} units ({network}).",
        *([f"Preset: {preset}."] if preset else []),
        f"{settings}.",
        *(
            [f"Training diverged at update {run.failed_at:,}: this script stops just before it."]
            if run.status == "non_finite"
            else []
        ),
        "The table, the initial weights and every step are the app's, so this replays the app's run.",
        '"""',
    ]
    definitions = [_ACTIVATION_CODE["sigmoid"]]
    if n > 1 and arch.activation != "sigmoid":
        definitions.append(_ACTIVATION_CODE[arch.activation])
    definitions.append("\n".join(function) + "\n")

    data = [
        f"X = np.array({_matrix(table.X)}, dtype=float)  # Input features",
        f"y = np.array({_matrix(table.y)}, dtype=float)  # Output labels",
        "",
        *_init_comment(W, arch, config.seed, run.initial),
    ]
    for layer in range(n):
        data += _params_code(W[layer : layer + 1], run.initial.weights[layer : layer + 1], biases=False)
        if b:
            data += _params_code(b[layer : layer + 1], run.initial.biases[layer : layer + 1], biases=True)
    call = [
        f"X, y, {returned}",
        f"learning_rate={_number(config.learning_rate)}",
        f"num_iterations={iterations}",
    ]
    if target is not None:
        call.append(f"target_loss={_number(target)}")
    statement = f"{returned} = backpropagation({', '.join(call)})"
    if len(statement) > 100:
        statement = f"{returned} = backpropagation(\n    {', '.join(call)}\n)"
    data += ["", "# Perform backpropagation", statement]

    outputs = [f"hidden{layer}" for layer in range(1, n)] + ["predicted_output"]
    if test_input is not None:
        shown = ", ".join(_number(v) for v in test_input)
        result = ["# Test the trained model", f"test_input = np.array([[{shown}]], dtype=float)"]
        result += [*forward("test_input", outputs), 'print("Predicted output:", predicted_output)']
    else:
        result = ["# The trained model on every row of the table", *forward("X", outputs)]
        result.append('print("Outputs on the table:", predicted_output)')
    result += [f'print("{name} after training:", {name})' for name in params]

    top = ["\n".join(docstring), "import numpy as np"]
    return (
        "\n\n".join(top)
        + "\n\n\n"
        + "\n\n\n".join(d.rstrip("\n") for d in definitions)
        + "\n\n\n"
        + "\n".join([*data, "", *result])
        + "\n"
    )
