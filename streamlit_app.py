"""Backprop Simulator: edit a truth table, train a small NumPy network, watch it learn.

The only module that imports streamlit. Data flows one way:
widgets -> TrainConfig + TruthTable -> cached training -> Run -> figures -> page.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pandas as pd
import streamlit as st

from backprop import export, share, table_to_csv
from backprop.activations import ACTIVATIONS
from backprop.chain import (
    GRADIENT_CHECK_TOLERANCE,
    gradient_check,
    layer_update,
    param_name,
    parameter_chain,
    parameters,
    prediction_steps,
)
from backprop.chain_latex import MAX_ROWS as CHAIN_MAX_ROWS
from backprop.chain_latex import (
    chain_formula_tex,
    chain_rows_tex,
    matrix_form_tex,
    prediction_tex,
    update_tex,
)
from backprop.diagnostics import decision_line, diagnose, fits
from backprop.errors import BackpropError, ConfigError, TableError, whole_number
from backprop.figures import (
    activation_comparison_figure,
    decision_surface_figure,
    hidden_activation_figure,
    network_figure,
    row_error_figure,
    sweep_figure,
    training_figure,
)
from backprop.network import MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, hidden_layers
from backprop.sweep import Sweep, sweep
from backprop.table import (
    DEFAULT_PRESET,
    MAX_INPUTS,
    MAX_OUTPUTS,
    MAX_ROWS,
    PRESETS,
    TruthTable,
    get_preset,
    input_names,
    output_names,
    table_from_cells,
)
from backprop.trainer import MAX_LEARNING_RATE, MAX_SEED, Run, Snapshot, TrainConfig, train

APP_MAX_ITERATIONS = 100_000
PROGRESS_ABOVE_WORK = 25_000  # iterations x (1 + rows x weights / 100) worth a progress bar

st.set_page_config(page_title="Backprop Simulator", page_icon="🧠", layout="wide")


def plotly_config() -> dict[str, object]:
    """Plotly's toolbar: "Download plot as a PNG" at twice the screen resolution, no Plotly logo.

    A new dict per chart: module-level objects are shared by every session of the server.
    """
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": "backprop-training", "scale": 2},
    }


# ---------------------------------------------------------------------------------------------- state
def _preset_state(name: str) -> dict[str, object]:
    preset = get_preset(name)
    return {
        "table_base": preset.table.rows(),
        "table_columns": list(preset.table.columns),
        "valid_table": preset.table,
        "test_input": ", ".join(f"{v:g}" for v in preset.test_input),
        "valid_test_input": preset.test_input,
        "n_inputs": preset.table.n_inputs,
        "n_outputs": preset.table.n_outputs,
    }


def init_state() -> None:
    """Give every session-state key its default once per session."""
    defaults: dict[str, object] = {
        "preset": DEFAULT_PRESET,
        "learning_rate": 1.0,
        "n_iterations": 10_000,
        "seed": 0,
        "use_target": False,
        "target_loss": 0.001,
        "hidden_layers": 0,
        "hidden_units_1": 4,
        "hidden_units_2": 4,
        "activation": "sigmoid",
        "use_bias": False,
        "trained_to": None,  # None: train all iterations; an int: stepping, that many updates
        "shown_iteration": 0,
        "table_version": 0,
        **_preset_state(DEFAULT_PRESET),
    }
    defaults["valid_settings"] = {key: defaults[key] for key in CHECKED_SETTINGS}
    defaults["refused_settings"] = {}
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


# Widget values checked with the core's rules before any widget exists: one set through session state (a
# link, a callback, an old session) that the core refuses goes back to its last valid value.
CHECKED_SETTINGS = (
    "preset",
    "learning_rate",
    "n_iterations",
    "seed",
    "use_target",
    "target_loss",
    "hidden_layers",
    "hidden_units_1",
    "hidden_units_2",
    "activation",
    "use_bias",
    "n_inputs",
    "n_outputs",
)


def checked_setting(key: str, value: object) -> object:
    """``value`` as widget ``key`` holds it; a :class:`BackpropError` saying why when it is refused."""
    if key == "preset":
        return get_preset(value if isinstance(value, str) else "").name
    if key in ("use_target", "use_bias"):
        if not isinstance(value, bool | np.bool_):
            raise ConfigError("This setting must be on or off.", key)
        return bool(value)
    if key in ("learning_rate", "target_loss") and value is None:
        raise ConfigError("Enter a number.", key)
    if key == "learning_rate":
        lr = TrainConfig(learning_rate=value).learning_rate  # type: ignore[arg-type]
        if lr < share.MIN_LEARNING_RATE:
            raise ConfigError(f"Learning rate must be at least {share.MIN_LEARNING_RATE:g}, got {lr:g}.", key)
        return lr
    if key == "target_loss":
        target = TrainConfig(target_loss=value).target_loss  # type: ignore[arg-type]
        if target > share.MAX_TARGET_LOSS:  # type: ignore[operator]
            raise ConfigError(f"Target loss must be at most {share.MAX_TARGET_LOSS:g}, got {target:g}.", key)
        return target
    if key == "n_iterations":
        return whole_number(value, key, 1, APP_MAX_ITERATIONS, "Iterations")
    if key == "seed":
        return TrainConfig(seed=value).seed  # type: ignore[arg-type]
    if key == "hidden_layers":
        return whole_number(value, key, 0, MAX_HIDDEN_LAYERS, "Hidden layers")
    if key.startswith("hidden_units_"):
        return hidden_layers((value,))[0]
    if key == "activation":
        return TrainConfig(activation=value).activation  # type: ignore[arg-type]
    if key == "n_inputs":
        return whole_number(value, key, 1, MAX_INPUTS, "Input columns")
    return whole_number(value, key, 1, MAX_OUTPUTS, "Output columns")


def keep_valid_settings() -> None:
    """Put back the last valid value of every refused setting, keeping the reason for its widget."""
    state, refused = st.session_state, {}
    valid = state.valid_settings
    for key in CHECKED_SETTINGS:
        value = state.get(key, valid[key])
        try:
            checked = checked_setting(key, value)
        except BackpropError as error:
            refused[key], checked = str(error), valid[key]
        valid[key] = checked
        if type(checked) is not type(value) or checked != value:
            state[key] = checked
    state.refused_settings = refused


def refused_notice(key: str, where: object = st.sidebar) -> None:
    """Under a widget: why the value set for it this run was refused."""
    message = st.session_state.refused_settings.get(key)
    if message:
        shown = share.escape_markdown(message)
        where.error(f"{shown} Keeping the last valid value.", icon="⚠️")  # type: ignore[attr-defined]


def _reset_editor(rows: list[list[float]], columns: Sequence[str]) -> None:
    st.session_state.table_base = rows
    st.session_state.table_columns = list(columns)
    st.session_state.table_version += 1  # a fresh editor key drops the old editor's pending edits


def on_preset_change() -> None:
    state = _preset_state(st.session_state.preset)
    for key, value in state.items():
        st.session_state[key] = value
    st.session_state.table_version += 1
    st.session_state.trained_to = None


def on_shape_change() -> None:
    """Add or drop input/output columns, keeping the values of the columns that remain."""
    table: TruthTable = st.session_state.valid_table
    n_in, n_out = st.session_state.n_inputs, st.session_state.n_outputs
    X = np.zeros((table.n_rows, n_in))
    keep = min(n_in, table.n_inputs)
    X[:, :keep] = table.X[:, :keep]
    y = np.zeros((table.n_rows, n_out))
    keep = min(n_out, table.n_outputs)
    y[:, :keep] = table.y[:, :keep]
    new = TruthTable(X, y)
    st.session_state.valid_table = new
    _reset_editor(new.rows(), new.columns)
    st.session_state.test_input = ", ".join(["0"] * n_in)
    st.session_state.valid_test_input = tuple([0.0] * n_in)


def on_train() -> None:
    st.session_state.trained_to = None


def on_step() -> None:
    st.session_state.trained_to = st.session_state.shown_iteration + 1


def on_reset() -> None:
    st.session_state.trained_to = 0


def on_new_seed() -> None:
    st.session_state.seed = secrets.randbelow(MAX_SEED + 1)


# ------------------------------------------------------------------------------------------ training
@st.cache_data(max_entries=64, max_size="256MB", ttl=3600, show_spinner=False)
def cached_train(table: TruthTable, config: TrainConfig, show_progress: bool = False) -> Run:
    """Train once per (table, config) for all users, with a progress bar when ``show_progress``.

    The bar is created in here: a cache hit replays what the function drew, and a bar from outside
    would be one of an earlier run, which no longer exists (Streamlit raises CacheReplayClosureError).
    """
    if not show_progress:
        return train(table, config)
    slot = st.empty()
    bar = slot.progress(0.0, text="Training…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Training… iteration {done:,} of {total:,}")

    run = train(table, config, progress=progress)
    slot.empty()
    return run


def weight_count(table: TruthTable, config: TrainConfig) -> int:
    """Number of weights of the network ``config`` trains on ``table``: the size of one update."""
    return sum(a * b for a, b in pairwise(config.architecture(table).sizes))


def run_training(table: TruthTable, config: TrainConfig) -> Run:
    """Train through the cache, with a progress bar when the work is large enough to wait for."""
    n_weights = weight_count(table, config)
    show_progress = config.n_iterations * (1 + table.n_rows * n_weights / 100) >= PROGRESS_ABOVE_WORK
    return cached_train(table, config, show_progress)


# --------------------------------------------------------------------------------------------- input
def read_table(edited: pd.DataFrame) -> TruthTable:
    """The editor's rows as a validated table (raises TableError naming the bad cell)."""
    rows = [[None if pd.isna(v) else v for v in row] for row in edited.itertuples(index=False)]
    return table_from_cells(list(edited.columns), rows)


def parse_test_input(text: str, n_inputs: int) -> tuple[float, ...]:
    """``"1, 0, 0"`` -> (1.0, 0.0, 0.0); raises ValueError with a message for the user."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    if len(parts) != n_inputs:
        raise ValueError(f"Enter {n_inputs} numbers separated by commas, e.g. {', '.join(['1'] * n_inputs)}.")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise ValueError("Every value must be a number, e.g. 1, 0, 0.") from None
    if not all(np.isfinite(values)):
        raise ValueError("Every value must be a finite number.")
    return values


def editor_edits_fit(edits: object, n_rows: int, columns: Sequence[str]) -> bool:
    """Whether a data editor's pending edits only name rows and columns of the table and add at most
    ``MAX_ROWS`` rows. A browser sends no others; a crafted request's would fail inside
    ``st.data_editor`` (IndexError, KeyError) or take minutes (thousands of added rows)."""
    if not isinstance(edits, dict):
        return True
    known = {*columns, "_index"}
    try:
        edited, added = dict(edits.get("edited_rows") or {}), list(edits.get("added_rows") or ())
        deleted = [int(row) for row in edits.get("deleted_rows") or ()]
        return (
            len(added) <= MAX_ROWS
            and all(0 <= int(row) < n_rows for row in edited)
            and all(0 <= row < n_rows for row in deleted)
            and all(isinstance(cells, dict) and set(cells) <= known for cells in [*edited.values(), *added])
        )
    except (TypeError, ValueError):
        return False


def table_editor() -> TruthTable:
    """The truth-table editor; returns the table to train on (the last valid one on bad input)."""
    pending = st.session_state.get(f"table_editor_{st.session_state.table_version}")
    dropped = not editor_edits_fit(pending, len(st.session_state.table_base), st.session_state.table_columns)
    if dropped:
        valid = st.session_state.valid_table
        _reset_editor(valid.rows(), valid.columns)
    columns = st.session_state.table_columns
    rows = st.session_state.table_base
    frame = pd.DataFrame(rows, columns=columns, index=pd.RangeIndex(1, len(rows) + 1), dtype=float)
    config = {
        name: st.column_config.NumberColumn(
            name,
            help="Input. A column of constant 1s acts as a bias."
            if name.startswith("x")
            else "Target in [0, 1]",
            min_value=None if name.startswith("x") else 0.0,
            max_value=None if name.startswith("x") else 1.0,
            format="%g",
        )
        for name in columns
    }
    edited = st.data_editor(
        frame,
        key=f"table_editor_{st.session_state.table_version}",
        num_rows="dynamic",
        column_config=config,
        hide_index=False,
        width="stretch",
    )
    if dropped:
        st.error(
            "Those table edits name rows or columns the table does not have, or add more than "
            f"{MAX_ROWS} rows: the editor shows the last valid table again.",
            icon="⚠️",
        )
    try:
        table = read_table(edited)
    except TableError as error:
        st.error(f"{error} Training still uses the last valid table.", icon="⚠️")
        return st.session_state.valid_table
    if len(edited) > MAX_ROWS:
        st.error(f"At most {MAX_ROWS} rows.", icon="⚠️")
        return st.session_state.valid_table
    st.session_state.valid_table = table
    return table


def shape_controls() -> None:
    left, right = st.columns(2)
    left.number_input(
        "Input columns",
        1,
        MAX_INPUTS,
        key="n_inputs",
        on_change=on_shape_change,
        help="Number of inputs x1…xn. Add a column of 1s to give the unit a bias, as the notebook does.",
    )
    right.number_input(
        "Output columns",
        1,
        MAX_OUTPUTS,
        key="n_outputs",
        on_change=on_shape_change,
        help="Number of targets y (or y1…ym), each learned by its own sigmoid output unit.",
    )
    refused_notice("n_inputs", st)
    refused_notice("n_outputs", st)


def test_input_control(n_inputs: int) -> tuple[float, ...]:
    text = st.text_input(
        "Test input", key="test_input", help="An input row to predict after training, e.g. 1, 0, 0."
    )
    try:
        values = parse_test_input(text, n_inputs)
    except ValueError as error:
        st.error(f"{error} Showing the last valid test input.", icon="⚠️")
        last = st.session_state.valid_test_input
        return last if len(last) == n_inputs else tuple([0.0] * n_inputs)
    st.session_state.valid_test_input = values
    return values


def network_controls() -> tuple[int, ...]:
    """Sidebar architecture settings; returns the hidden layer sizes."""
    st.sidebar.subheader("Network")
    layers = st.sidebar.radio(
        "Hidden layers",
        [0, 1, 2],
        key="hidden_layers",
        horizontal=True,
        help="0 is the notebook's single sigmoid unit. A hidden layer lets the network learn XOR.",
    )
    refused_notice("hidden_layers")
    hidden = []
    for i in range(1, layers + 1):
        hidden.append(
            st.sidebar.slider(
                f"Units in hidden layer {i}",
                1,
                MAX_HIDDEN_UNITS,
                key=f"hidden_units_{i}",
                help="Number of units in this hidden layer.",
            )
        )
        refused_notice(f"hidden_units_{i}")
    st.sidebar.selectbox(
        "Hidden activation",
        list(ACTIVATIONS),
        key="activation",
        disabled=layers == 0,
        help="Activation of the hidden units; the output unit is always a sigmoid.",
    )
    refused_notice("activation")
    st.sidebar.checkbox(
        "Learned biases",
        key="use_bias",
        help="Give every hidden and output unit a trained bias b (z = a·W + b). "
        "The notebook has none: its constant-1 input column plays that role.",
    )
    refused_notice("use_bias")
    return tuple(hidden)


def training_controls() -> TrainConfig:
    """Sidebar settings and actions; returns the configuration of the run to show."""
    hidden = network_controls()
    st.sidebar.subheader("Training")
    st.sidebar.number_input(
        "Learning rate",
        min_value=0.001,
        max_value=MAX_LEARNING_RATE,
        step=0.1,
        format="%.3f",
        key="learning_rate",
        help="Step size lr in w ← w + lr·Xᵀδ. The notebook uses 1.",
    )
    refused_notice("learning_rate")
    st.sidebar.number_input(
        "Iterations",
        min_value=1,
        max_value=APP_MAX_ITERATIONS,
        step=1000,
        key="n_iterations",
        help="Full-table gradient-descent updates for Train. The notebook uses 10,000.",
    )
    refused_notice("n_iterations")
    st.sidebar.number_input(
        "Seed",
        min_value=0,
        max_value=MAX_SEED,
        step=1,
        key="seed",
        help="Seeds np.random.RandomState for the initial weights 2·random − 1. The notebook uses 0.",
    )
    refused_notice("seed")
    use_target = st.sidebar.checkbox(
        "Stop early at a target loss",
        key="use_target",
        help="Stop training as soon as E = ½·Σ(y − out)² is at or below the target.",
    )
    refused_notice("use_target")
    if use_target:
        st.sidebar.number_input(
            "Target loss",
            min_value=0.0,
            max_value=10.0,
            step=0.001,
            format="%.4f",
            key="target_loss",
            help="Training stops at the first iteration whose loss is at most this.",
        )
        refused_notice("target_loss")
    a, b = st.sidebar.columns(2)
    a.button("Train", on_click=on_train, type="primary", width="stretch", help="Train all iterations.")
    b.button("Step", on_click=on_step, width="stretch", help="Apply exactly one more update.")
    a.button("Reset", on_click=on_reset, width="stretch", help="Back to the initial weights (iteration 0).")
    b.button("New seed", on_click=on_new_seed, width="stretch", help="Draw new initial weights.")
    trained_to = st.session_state.trained_to
    return TrainConfig(
        learning_rate=float(st.session_state.learning_rate),
        n_iterations=int(st.session_state.n_iterations) if trained_to is None else int(trained_to),
        seed=int(st.session_state.seed),
        hidden=hidden,
        activation=st.session_state.activation,
        use_bias=bool(st.session_state.use_bias),
        target_loss=float(st.session_state.target_loss) if use_target else None,
    )


# -------------------------------------------------------------------------------------------- output
def state_table(run: Run, snapshot: Snapshot) -> pd.DataFrame:
    """Per-row numbers at one iteration: inputs, target, output, error and delta per output."""
    table = run.table
    columns: dict[str, object] = {name: table.X[:, i] for i, name in enumerate(input_names(table.n_inputs))}
    for j, name in enumerate(output_names(table.n_outputs)):
        suffix = "" if table.n_outputs == 1 else f" ({name})"
        columns[f"target{suffix}"] = table.y[:, j]
        columns[f"output{suffix}"] = snapshot.output[:, j]
        columns[f"error y−out{suffix}"] = table.y[:, j] - snapshot.output[:, j]
        columns[f"delta δ{suffix}"] = snapshot.grads.delta[-1][:, j]
    return pd.DataFrame(columns, index=pd.RangeIndex(1, table.n_rows + 1, name="row"))


def status_notice(run: Run) -> None:
    if run.status == "target_reached":
        st.success(
            f"Reached the target loss at iteration {run.final.iteration:,}. "
            "Untick “Stop early at a target loss” to keep stepping.",
            icon="🎯",
        )
    elif run.status == "non_finite":
        st.error(
            f"The weights became infinite or NaN at iteration {run.failed_at:,}: the learning rate is too "
            f"large for this table. Showing the last finite state (iteration {run.final.iteration:,}).",
            icon="💥",
        )


def explanation(table: TruthTable) -> None:
    with st.expander("What am I looking at?", expanded=True):
        st.markdown(
            "Each iteration runs the notebook's four lines over the whole table:\n\n"
            "1. **Forward**: net input $z = Xw$, output $\\text{out} = \\sigma(z) = 1/(1+e^{-z})$.\n"
            "2. **Error**: $y - \\text{out}$.\n"
            "3. **Delta**: $\\delta = (y - \\text{out})\\cdot \\text{out}\\,(1-\\text{out})$. The notebook's "
            "`sigmoid_derivative(x) = x * (1 - x)` is given the unit's **output**, not its net input: "
            "$\\sigma'(z) = \\sigma(z)(1-\\sigma(z)) = \\text{out}(1-\\text{out})$. Passing $z$ there is the "
            "classic mistake.\n"
            "4. **Update**: $w \\leftarrow w + \\text{lr}\\cdot X^\\top\\delta$.\n\n"
            "This is gradient descent on the squared error $E = \\tfrac12\\sum (y-\\text{out})^2$: "
            "$\\partial E/\\partial w = -X^\\top\\delta$, so the update is "
            "$w - \\text{lr}\\,\\partial E/\\partial w$.\n\n"
            "**Charts**: top left, every weight over the iterations; top right, the loss $E$ (log "
            "scale); below, the output unit's sigmoid (solid) and its derivative (dashed) with each "
            "table row drawn at its net input and output. Press ▶ Play to replay training: all three "
            "move together. Rows far out on the flat parts of the curve have a tiny derivative, so "
            "they barely move the weights: the vanishing gradient."
        )
        if table.n_inputs and np.all(table.X[:, -1] == 1):
            st.caption(f"x{table.n_inputs} is constant 1: its weight acts as the unit's bias.")


def inspected_iteration(run: Run) -> int:
    """The "Inspect iteration" slider; a new run opens at its last iteration."""
    final = run.final.iteration
    if final == 0:
        st.session_state.pop("inspect_run", None)  # the slider is gone: the next run opens at its end
        st.caption("Iteration 0: the initial weights. Press Step or Train.")
        return 0
    identity = hash((run.table, run.config))
    if st.session_state.get("inspect_run") != identity or "inspect_iteration" not in st.session_state:
        st.session_state.inspect_iteration = final
        st.session_state.inspect_run = identity
    st.slider(
        "Inspect iteration",
        0,
        final,
        key="inspect_iteration",
        help="The numbers here, the row table and the charts' starting frame show this iteration.",
    )
    return int(st.session_state.inspect_iteration)


def results(run: Run, iteration: int, test_input: tuple[float, ...]) -> None:
    """Metrics and the per-row table at the inspected iteration."""
    snapshot = run.snapshot_at(iteration)
    prediction = run.predict(np.array([test_input]), iteration)[0]
    shown = "[" + ", ".join(f"{v:g}" for v in test_input) + "]"
    c1, c2 = st.columns(2)
    c1.metric("Iteration", f"{iteration:,}", help="Number of updates applied.")
    c2.metric("Loss E = ½·Σ(y − out)²", f"{snapshot.loss:.3e}", help="Squared error summed over the table.")
    names = output_names(run.table.n_outputs)
    for column, name, value in zip(st.columns(len(names)), names, prediction, strict=True):
        label = f"Prediction for {shown}" if len(names) == 1 else f"Prediction {name} for {shown}"
        column.metric(label, f"{value:.8f}", help="The network's output for the test input.")
    st.caption(f"Rows at iteration {iteration:,}")
    st.dataframe(state_table(run, snapshot), width="stretch")


# ------------------------------------------------------------------------------ share, import, export
def _apply_table(table: TruthTable, test_input: tuple[float, ...]) -> None:
    """Make ``table`` the one to edit and train on, with ``test_input`` (exact: no rounding in the text)."""
    st.session_state.valid_table = table
    st.session_state.n_inputs, st.session_state.n_outputs = table.n_inputs, table.n_outputs
    st.session_state.test_input = ", ".join(share.number_text(v) for v in test_input)
    st.session_state.valid_test_input = test_input
    _reset_editor(table.rows(), table.columns)


def load_shared_experiment() -> None:
    """Once per session, before any widget exists: open the experiment in the page's link, if any."""
    if st.session_state.get("link_loaded"):
        return
    st.session_state.link_loaded = True
    decoded = share.decode(st.query_params.to_dict(), max_iterations=APP_MAX_ITERATIONS)
    if not decoded.from_link:
        return
    experiment, config, state = decoded.experiment, decoded.experiment.config, st.session_state
    state.preset = experiment.preset
    _apply_table(experiment.table, experiment.test_input)
    state.learning_rate = config.learning_rate
    state.n_iterations = max(1, config.n_iterations)
    state.trained_to = 0 if config.n_iterations == 0 else None  # iterations=0: the initial weights
    state.seed = config.seed
    state.hidden_layers = len(config.hidden)
    for layer, units in enumerate(config.hidden, start=1):
        state[f"hidden_units_{layer}"] = units
    state.activation = config.activation
    state.use_bias = config.use_bias
    state.use_target = config.target_loss is not None
    if config.target_loss is not None:
        state.target_loss = config.target_loss
    if decoded.notices:
        lines = "\n".join(f"- {share.escape_markdown(notice)}" for notice in decoded.notices)
        st.warning(f"Some settings in this link could not be used:\n\n{lines}", icon="⚠️")


def on_upload() -> None:
    """Load an uploaded CSV table, or remember why it was refused (shown under the uploader)."""
    uploaded = st.session_state.table_upload
    if uploaded is None:
        return
    try:
        table = export.table_from_csv_bytes(uploaded.getvalue())
    except TableError as error:
        st.session_state.upload_error = (uploaded.file_id, f"{uploaded.name}: {error}")
        return
    st.session_state.upload_error = None
    last = st.session_state.valid_test_input
    fits = len(last) == table.n_inputs
    _apply_table(table, last if fits else share.default_test_input(st.session_state.preset, table.n_inputs))
    st.session_state.trained_to = None


def share_and_export(run: Run, test_input: tuple[float, ...]) -> None:
    """Keep the address bar a link to this run; show it, the CSV upload and the downloads."""
    preset = st.session_state.preset
    params = share.encode(share.Experiment(preset, run.table, run.config, test_input))
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    # Drawn only while open (opening it reruns the script): a collapsed section costs the page nothing.
    with st.expander("Share & export", icon=":material/share:", key="share_open", on_change="rerun") as box:
        if not box.open:
            return
        st.markdown("**Link to this experiment**")
        page_url = getattr(st.context, "url", None)  # the address in the user's browser, without query
        st.code(share.share_url(page_url, params), language=None, wrap_lines=True)
        st.caption(
            "Copy it with the button in the box (the address bar holds it too). Opening it reruns "
            "exactly this experiment: table, preset, learning rate, iterations, seed and network."
        )
        if not share.table_fits_link(run.table):
            st.caption("This table is too long for a link, which reopens the preset's table: share its CSV.")
        st.file_uploader(
            "Upload a truth table (CSV)",
            type="csv",
            key="table_upload",
            on_change=on_upload,
            help="A header x1,…,xn then y (or y1,…,ym), one row per example, targets in [0, 1]; "
            "at most 64 KiB. The Table CSV download below is in this format.",
        )
        refused = st.session_state.get("upload_error")
        uploaded = st.session_state.get("table_upload")
        if refused and uploaded is not None and refused[0] == uploaded.file_id:
            message = share.escape_markdown(refused[1])
            st.error(f"{message} Training still uses the last valid table.", icon="⚠️")
        a, b = st.columns(2)
        a.download_button(
            "Table (CSV)",
            table_to_csv(run.table),
            "truth-table.csv",
            "text/csv",
            key="download_table",
            on_click="ignore",
            icon=":material/table:",
            width="stretch",
            help="The truth table being trained on, as CSV (upload it again above).",
        )
        b.download_button(
            "NumPy script",
            export.numpy_script(run, test_input, preset),
            "backprop_run.py",
            "text/x-python",
            key="download_script",
            on_click="ignore",
            icon=":material/code:",
            width="stretch",
            help="A standalone Python script in the notebook's style (NumPy only) that reruns this "
            "experiment and prints the same prediction.",
        )
        a.download_button(
            "Run (JSON)",
            lambda: export.run_to_json(run, preset, test_input),
            "backprop-run.json",
            "application/json",
            key="download_json",
            on_click="ignore",
            icon=":material/data_object:",
            width="stretch",
            help="Configuration, table, initial and final weights, and the loss history.",
        )
        b.download_button(
            "History (CSV)",
            lambda: export.history_to_csv(run),
            "backprop-history.csv",
            "text/csv",
            key="download_history",
            on_click="ignore",
            icon=":material/timeline:",
            width="stretch",
            help="Loss and every weight at each recorded iteration (at most about 1,000 rows).",
        )


def chain_rule_section(run: Run, iteration: int, test_input: tuple[float, ...]) -> None:
    """The chain rule for one weight at the inspected iteration, its layer's update in matrix form, the
    test input's prediction worked out, and a finite-difference check of every gradient."""
    with st.expander("Chain rule, step by step", icon="🔗", key="chain_open", on_change="rerun") as box:
        if not box.open:  # its LaTeX and tables are drawn only while open, like the teaching tabs
            return
        refs = {param_name(run.arch, ref): ref for ref in parameters(run.arch)}
        if st.session_state.get("chain_param") not in refs:  # reopened, or the network changed shape
            kept = st.session_state.get("chain_choice")  # outlives the widget while the section is closed
            st.session_state.chain_param = kept if kept in refs else next(iter(refs))
        name = st.selectbox(
            "Weight or bias",
            list(refs),
            key="chain_param",
            help="The parameter whose gradient is written out. The iteration is the one inspected above.",
        )
        st.session_state.chain_choice = name
        chain = parameter_chain(run, iteration, refs[name])
        update = layer_update(run, iteration, chain.ref.layer)
        one, matrix, prediction, check_tab = st.tabs(
            ["One weight", "Matrix form", "Prediction", "Gradient check"]
        )
        with one:
            note = "" if chain.applied else " Training stopped here, so the run never applies this update."
            st.caption(
                f"The gradient at the weights after {iteration:,} updates, and update {iteration + 1:,} it "
                f"causes, summed over the {chain.n_rows} table rows.{note}"
            )
            st.latex(chain_formula_tex(chain))
            st.latex(chain_rows_tex(chain))
            if chain.n_rows > CHAIN_MAX_ROWS:
                st.caption(f"Rows after {CHAIN_MAX_ROWS} are summed in one line; Matrix form lists all.")
            if not chain.is_output:
                st.caption(
                    "Below the output, ∂E/∂a sums over every path through the units above: each path is a "
                    "weight times that unit's ∂E/∂net (minus its δ, listed in that layer's Matrix form)."
                )
            st.latex(update_tex(chain))
            st.markdown(
                "The notebook's `sigmoid_derivative(x) = x * (1 - x)` is given the unit's **output** "
                "$\\text{out} = \\sigma(\\text{net})$, not its net input: "
                "$\\sigma'(\\text{net}) = \\text{out}\\,(1 - \\text{out})$, which is why the middle factor "
                "is written with the output."
            )
        with matrix:
            st.latex(matrix_form_tex(update))
            if update.is_output and update.layer == 0:
                st.code(
                    "error = y - layer1\n"
                    "delta = error * sigmoid_derivative(layer1)\n"
                    "weights += learning_rate * np.dot(layer0.T, delta)",
                    language="python",
                )
            rows_index = pd.RangeIndex(1, run.table.n_rows + 1, name="row")
            st.caption("Per row: the layer's input, output, error, f′(net) and δ = error · f′(net)")
            digits = "{:.6g}"  # the precision of the formulas, not the grid's default 4 decimals
            st.dataframe(pd.DataFrame(update.row_columns(), index=rows_index).style.format(digits))
            names, columns = update.parameter_columns()
            st.caption("Per parameter: new = old + lr · a_prevᵀδ")
            frame = pd.DataFrame(columns, index=pd.Index(names, name="parameter"))
            st.dataframe(frame.style.format("{:.10g}"))
            st.caption("Each row's share lr · a_i · δ_j of each weight's step; the columns sum to the step")
            st.dataframe(pd.DataFrame(update.contribution_columns(), index=rows_index).style.format(digits))
        with prediction:
            shown = "[" + ", ".join(f"{v:g}" for v in test_input) + "]"
            st.caption(f"The test input {shown} through the network, weights after {iteration:,} updates.")
            for step in prediction_steps(run, iteration, test_input):
                st.latex(prediction_tex(step))
        with check_tab:
            check = gradient_check(run, iteration)
            if check.ok:
                st.success(
                    f"All {len(check.rows)} gradients agree with finite differences "
                    f"(largest relative error {check.max_rel_error:.1e}).",
                    icon="✅",
                )
            else:
                st.warning(
                    "Some gradients disagree with finite differences. With ReLU this happens when a "
                    "net input sits within ε of 0, where the derivative jumps.",
                    icon="⚠️",
                )
            green, red = "rgba(33, 195, 84, 0.3)", "rgba(255, 43, 43, 0.3)"
            st.dataframe(
                pd.DataFrame(check.columns())
                .style.map(
                    lambda v: f"background-color: {green if v < GRADIENT_CHECK_TOLERANCE else red}",
                    subset="relative error",
                )
                .format("{:.8e}", subset=["backprop ∂E/∂p", "finite difference"])
                .format("{:.2e}", subset=["|difference|", "relative error"]),
                width="stretch",
                hide_index=True,
            )
            st.caption(
                f"Finite difference: (E(p + ε) − E(p − ε)) / 2ε with ε = {check.epsilon:g}. Relative error: "
                "|difference| / max(|backprop|, |finite difference|), green below "
                f"{GRADIENT_CHECK_TOLERANCE:g}; the denominator is at least "
                f"{check.noise / GRADIENT_CHECK_TOLERANCE:.0e}, so gradients near 0 are not failed for "
                "the difference's own rounding noise."
            )


# ----------------------------------------------------------------------------------- teaching views
TEACHING_TABS = (
    "Network",
    "Decision surface",
    "Per-row error",
    "Hidden layer",
    "Activations",
    "Learning-rate sweep",
)
SWEEP_RUNS = 64  # learning rates from 0.01 (or the chosen one, if lower) to 100, evenly on a log scale
# runs x iterations x rows x weights above which a sweep waits for a click: about 2 s of CPU here
SWEEP_WORK_WITHOUT_ASKING = 2_000_000_000


def diagnostics_notices(run: Run) -> None:
    """Plain-language findings about the final iteration: cannot fit, dead units, stalls, conflicts."""
    for message in diagnose(run).messages:
        parts = (f"**{share.escape_markdown(message.headline)}**", message.body, message.fix)
        text = "\n\n".join(share.escape_markdown(p) if i else p for i, p in enumerate(parts) if p)
        if message.level == "warning":
            st.warning(text, icon="🔎")
        else:
            st.info(text, icon="🔎")


def _row_label(table: TruthTable, row: int) -> str:
    return f"row {row + 1}: [" + ", ".join(f"{v:g}" for v in table.X[row]) + "]"


def network_view(run: Run, iteration: int) -> None:
    """The network as a diagram, with one row's values on its units."""
    table = run.table
    if st.session_state.get("network_row", 0) >= table.n_rows:  # the table lost rows
        st.session_state.network_row = 0
    row = st.columns([2, 3])[0].selectbox(
        "Row shown on the units",
        range(table.n_rows),
        format_func=lambda r: _row_label(table, r),
        key="network_row",
        help="The units show this row's input, hidden values and output.",
    )
    st.plotly_chart(
        network_figure(run, row=row, selected_iteration=iteration),
        key="network_chart",
        width="stretch",
        config=plotly_config(),
    )
    st.caption(
        "Blue edges are positive weights, vermillion negative; the wider the edge, the larger |w|. "
        "▶ replays training: watch the weights grow and the values on the units change."
    )


def surface_view(run: Run, iteration: int) -> None:
    """The output over the square of the two varying inputs, with the rows and (one unit) its line."""
    table = run.table
    inputs = table.varying_inputs()
    if len(inputs) != 2:
        st.info(
            f"The decision surface needs exactly two inputs that vary; this table has {len(inputs)}. "
            "Try the XOR, AND or half-adder preset.",
            icon="ℹ️",
        )
        return
    output = 0
    if table.n_outputs > 1:
        if st.session_state.get("surface_output", 0) >= table.n_outputs:
            st.session_state.surface_output = 0
        output = st.columns([2, 3])[0].selectbox(
            "Output",
            range(table.n_outputs),
            format_func=lambda j: output_names(table.n_outputs)[j],
            key="surface_output",
        )
    chart, notes = st.columns([3, 2], gap="medium")
    chart.plotly_chart(
        decision_surface_figure(run, output=output, selected_iteration=iteration),
        key="surface_chart",
        width="stretch",
        config=plotly_config(),
    )
    names = input_names(table.n_inputs)
    fixed = [f"{names[k]} = {table.X[0, k]:g}" for k in range(table.n_inputs) if k not in inputs]
    with notes:
        st.markdown(
            "The colour is the network's output at every point of the square; the dark curve is where "
            "it crosses 0.5, the **decision boundary**. Rows (◆ target 1, ● target 0) on the matching "
            "colour are learned."
        )
        if fixed:
            st.caption("Held at their constant value: " + ", ".join(fixed) + ".")
        line = decision_line(run, output)
        if line is not None:
            st.markdown(
                "With no hidden layer the boundary is always one straight line, the dashed "
                "$w\\cdot x = 0$; XOR needs two. "
                + ("At the end the unit draws no line (its weights are about 0)." if line.degenerate else "")
            )
            if not line.degenerate:
                st.code(line.text(), language=None)


def row_error_view(run: Run, iteration: int) -> None:
    """Each row's error |y − out| over the iterations."""
    st.plotly_chart(
        row_error_figure(run, selected_iteration=iteration),
        key="row_error_chart",
        width="stretch",
        config=plotly_config(),
    )
    st.caption(
        "Rows learn at different times: a row whose line stays above 0.5 is still on the wrong side. "
        "A flat line high up is a row the network gives up on or cannot reach."
    )


def hidden_layer_view(run: Run, iteration: int) -> None:
    """A hidden layer's activation curve with every row on it, saturated or inactive ones ringed."""
    hidden = run.arch.hidden
    if not hidden:
        st.info(
            "No hidden layer: the only unit is the output sigmoid, drawn in the training chart above. "
            "Add a hidden layer in the sidebar (Network → Hidden layers).",
            icon="ℹ️",
        )
        return
    layer = 0
    if len(hidden) > 1:
        layer = st.radio(
            "Hidden layer",
            range(len(hidden)),
            format_func=lambda k: f"layer {k + 1}",
            horizontal=True,
            key="hidden_view_layer",
        )
    st.plotly_chart(
        hidden_activation_figure(run, layer=layer, selected_iteration=iteration),
        key="hidden_chart",
        width="stretch",
        config=plotly_config(),
    )
    st.caption(
        "Each point is one row through one hidden unit, at its net input z and output. Ringed points sit "
        "where the curve is flat (or, for ReLU, at 0): the error passing back through them is multiplied "
        "by a slope of about 0, so they barely learn — the vanishing gradient."
    )


def activations_view(table: TruthTable, config: TrainConfig) -> None:
    """The same experiment trained with each hidden activation, loss curves together."""
    if not config.hidden:
        st.info(
            "The activation only applies to hidden units: add a hidden layer in the sidebar to compare "
            "sigmoid, tanh and ReLU on this table.",
            icon="ℹ️",
        )
        return
    runs = [run_training(table, replace(config, activation=name)) for name in ACTIVATIONS]
    st.plotly_chart(activation_comparison_figure(runs), key="activation_chart", width="stretch")
    learned = [r.config.activation for r in runs if fits(r)]
    st.caption(
        "Same table, seed, learning rate and iterations; only the hidden activation differs. "
        + (f"Fit every row: {', '.join(learned)}." if learned else "None of them fits every row yet.")
    )


@st.cache_data(max_entries=16, max_size="64MB", ttl=3600, show_spinner=False)
def cached_sweep(table: TruthTable, config: TrainConfig, learning_rates: tuple[float, ...]) -> Sweep:
    """All learning rates trained together (backprop/sweep.py), with a progress bar, cached."""
    slot = st.empty()
    bar = slot.progress(0.0, text=f"Training {len(learning_rates)} runs together…")

    def progress(done: int, total: int) -> None:
        bar.progress(
            done / total, text=f"Training {len(learning_rates)} runs… iteration {done:,} of {total:,}"
        )

    result = sweep(table, config, learning_rates=np.array(learning_rates), progress=progress)
    slot.empty()
    return result


def sweep_view(table: TruthTable, config: TrainConfig) -> None:
    """The same experiment at many learning rates: where each run's loss goes, yours highlighted."""
    lr = config.learning_rate
    grid = np.geomspace(min(0.01, lr), MAX_LEARNING_RATE, SWEEP_RUNS)
    learning_rates = tuple(sorted({*grid.tolist(), lr}))
    work = len(learning_rates) * config.n_iterations * table.n_rows * weight_count(table, config)
    identity = hash((table, config))
    if work > SWEEP_WORK_WITHOUT_ASKING and st.session_state.get("sweep_approved") != identity:
        # one visitor's large sweep takes seconds of the server's CPU from every other visitor
        st.info(
            f"A sweep of this experiment trains {len(learning_rates)} runs of {config.n_iterations:,} "
            f"iterations on {table.n_rows} rows: it may take a while. Fewer iterations or a smaller "
            "network make it quick.",
            icon="⏱️",
        )
        if not st.button("Run the sweep", key="run_sweep", help="Train every learning rate now."):
            return
        st.session_state.sweep_approved = identity
    result = cached_sweep(table, config, learning_rates)
    st.plotly_chart(sweep_figure(result, lr), key="sweep_chart", width="stretch")
    finals = result.final_loss
    best = int(np.nanargmin(np.where(np.isfinite(finals), finals, np.nan)))
    mine = learning_rates.index(lr)
    diverged = sum(s == "non_finite" for s in result.status)
    st.caption(
        f"{result.n_runs} runs of this table, network, seed and {config.n_iterations:,} iterations, one per "
        f"learning rate, trained together as one batch. Yours (lr {lr:g}) ends at E = {finals[mine]:.3g}; "
        f"the lowest final loss is E = {finals[best]:.3g} at lr {learning_rates[best]:.3g}."
        + (f" {diverged} runs stopped because a weight became infinite." if diverged else "")
        + " Too small a step barely moves; too large a step overshoots and oscillates."
    )


def main() -> None:
    init_state()
    load_shared_experiment()
    keep_valid_settings()
    st.title("🧠 Backprop Simulator")
    st.caption(
        "Edit a truth table, train a sigmoid unit with the delta rule, and watch every weight, the error "
        "and the outputs on the sigmoid curve move. The defaults are the classic notebook: seed 0, "
        "learning rate 1, 10,000 iterations, prediction 0.99993703 for [1, 0, 0]."
    )
    st.sidebar.header("Experiment")
    st.sidebar.selectbox(
        "Preset",
        list(PRESETS),
        key="preset",
        on_change=on_preset_change,
        help="Load a truth table. The notebook's table is the default.",
    )
    refused_notice("preset")
    st.sidebar.caption(get_preset(st.session_state.preset).description)
    try:
        config = training_controls()
    except BackpropError as error:
        st.sidebar.error(str(error), icon="⚠️")
        return
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.subheader("Truth table")
        shape_controls()
        table = table_editor()
        test_input = test_input_control(table.n_inputs)
    with right:
        run = run_training(table, config)
        st.session_state.shown_iteration = run.final.iteration
        status_notice(run)
        diagnostics_notices(run)
        iteration = inspected_iteration(run)
        results(run, iteration, test_input)
    chart, notes = st.columns([5, 2], gap="medium")
    chart.plotly_chart(
        training_figure(run, selected_iteration=iteration),
        key="training_chart",
        width="stretch",
        config=plotly_config(),
    )
    with notes:
        explanation(table)
    views = (
        lambda: network_view(run, iteration),
        lambda: surface_view(run, iteration),
        lambda: row_error_view(run, iteration),
        lambda: hidden_layer_view(run, iteration),
        lambda: activations_view(table, config),
        lambda: sweep_view(table, config),
    )  # in TEACHING_TABS order
    tabs = st.tabs(TEACHING_TABS, key="teaching_tab", on_change="rerun")
    for tab, draw in zip(tabs, views, strict=True):
        with tab:
            if tab.open:  # only the open tab is drawn: switching tabs reruns the script
                draw()
    chain_rule_section(run, iteration, test_input)
    with left:
        share_and_export(run, test_input)


main()
