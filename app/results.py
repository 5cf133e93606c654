"""The run's outcome at the inspected iteration: notices, the inspect slider, metrics, the per-row table,
and the training chart with its explanation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from app.fit import chart_fit, column_size, presenting
from app.widgets import chart_summary, plotly_config
from backprop import share
from backprop.diagnostics import diagnose
from backprop.explain import explanation as explain
from backprop.figures import training_figure, training_summary
from backprop.naming import unit_names
from backprop.numbers import teaching_number
from backprop.table import TruthTable, output_names
from backprop.trainer import Run, Snapshot, updates_per_epoch

DATASET_PRESET = "dataset"  # the preset of a generated 2-D dataset (app/state.py's DATASET)


def status_notice(run: Run) -> None:
    if run.status == "target_reached":
        st.success(
            f"Reached the target loss at iteration {run.final.iteration:,}. "
            "Untick “Stop early at a target loss” to keep stepping.",
            icon=":material/flag:",
        )
    elif run.status == "non_finite":
        st.error(
            f"The weights became infinite or NaN at iteration {run.failed_at:,}: the learning rate is too "
            f"large for this table. Showing the last finite state (iteration {run.final.iteration:,}).",
            icon=":material/error:",
        )


def generated() -> bool:
    """Whether the table is a generated 2-D dataset (the dataset preset), not a truth table one edits."""
    return st.session_state.get("preset") == DATASET_PRESET


def diagnostics_notices(run: Run) -> None:
    """Plain-language findings about the final iteration: cannot fit, dead units, stalls, conflicts."""
    for message in diagnose(run, generated=generated()).messages:
        parts = (f"**{share.escape_markdown(message.headline)}**", message.body, message.fix)
        text = "\n\n".join(share.escape_markdown(p) if i else p for i, p in enumerate(parts) if p)
        if message.level == "warning":
            st.warning(text, icon=":material/troubleshoot:")
        else:
            st.info(text, icon=":material/troubleshoot:")


def inspected_iteration(run: Run, identity: int) -> int:
    """The "Inspect iteration" slider; a new run opens at its last iteration (or at a link's ``at``)."""
    state = st.session_state
    final = run.final.iteration
    wanted = state.pop("pending_at", None)
    if final == 0:
        state.pop("inspect_run", None)  # the slider is gone: the next run opens at its end
        st.caption("Iteration 0: the initial weights. Press Step or Train.")
        return 0
    if state.get("inspect_run") != identity or "at" not in state:
        state.at = final if wanted is None else min(int(wanted), final)
        state.inspect_run = identity
    value = state.at
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= final:
        state.at = final  # a stale value from before the run changed
    st.slider(
        "Inspect iteration",
        0,
        final,
        key="at",
        help="The numbers here, the row table, the chain rule and the charts show this iteration. "
        "Step continues from it.",
    )
    return int(state.at)


def state_table(run: Run, snapshot: Snapshot) -> pd.DataFrame:
    """Per-row numbers at one iteration: inputs, and per output its target, output, error, the sigmoid's
    slope σ′(z) = out·(1 − out) (the factor that vanishes) and the delta."""
    table = run.table
    inputs = unit_names(run.arch, run.config.features)[0]
    columns: dict[str, object] = {name: table.X[:, i] for i, name in enumerate(inputs)}
    for j, name in enumerate(output_names(table.n_outputs)):
        suffix = "" if table.n_outputs == 1 else f" ({name})"
        out = snapshot.output[:, j]
        columns[f"target{suffix}"] = table.y[:, j]
        columns[f"output{suffix}"] = out
        columns[f"error y−out{suffix}"] = table.y[:, j] - out
        columns[f"σ′(z){suffix}"] = out * (1 - out)
        columns[f"delta δ{suffix}"] = snapshot.grads.delta[-1][:, j]
    return pd.DataFrame(columns, index=pd.RangeIndex(1, table.n_rows + 1, name="row"))


NARROW = 44  # pixels: inputs and targets are short; the computed columns get the room


def row_table_columns(table: TruthTable, inputs: Sequence[str]) -> dict[str, object]:
    """Short headers for the row table (so every column fits beside the metrics), each explained on hover;
    ``inputs`` name its input columns (derived features included)."""
    # 0s and 1s fit a narrow column; a generated point's 0.03611 would be cut to .03611
    short = bool(np.all((np.round(table.X) == table.X) & (np.abs(table.X) < 10)))
    config: dict[str, object] = {
        name: st.column_config.Column(name, help="An input.", width=NARROW if short else None)
        for name in inputs
    }
    for name in output_names(table.n_outputs):
        suffix = "" if table.n_outputs == 1 else f" ({name})"
        k = name[1:]  # "" for y, "2" for y2
        for column, label, help_text in (
            ("target", name, "The target: what this row should output."),
            ("output", f"out{k}", "The network's output for this row."),
            ("error y−out", f"{name} − out{k}", "The error: target minus output."),
            (
                "σ′(z)",
                f"σ′(z{k})",
                "The sigmoid's slope out·(1 − out): near 0, the row barely moves the weights.",
            ),
            ("delta δ", f"δ{k}", "The delta: error times slope, what the update multiplies by the inputs."),
        ):
            small = NARROW if column == "target" else None
            config[column + suffix] = st.column_config.Column(label, help=help_text, width=small)
    return config


def results(run: Run, iteration: int, test_input: tuple[float, ...], stepped: bool) -> None:
    """Metrics and the per-row table at the inspected iteration."""
    if stepped:
        st.caption(f"Step applied update {iteration:,}: iteration {iteration - 1:,} → {iteration:,}.")
    snapshot = run.snapshot_at(iteration)
    metrics = iteration_metrics(run, snapshot)
    for row in range(0, len(metrics), 2):
        for column, (label, value, help_text) in zip(st.columns(2), metrics[row : row + 2], strict=False):
            column.metric(label, value, help=help_text)
    prediction_metrics(run, iteration, test_input)
    rows = "Training rows" if run.test_table is not None else "Rows"
    held = (
        f" The {run.test_table.n_rows} test rows are not listed: they are never trained on."
        if run.test_table is not None
        else ""
    )
    st.caption(
        f"{rows} at iteration {iteration:,}. σ′(z) = out·(1 − out) is the sigmoid's slope: near 0 the row "
        f"barely moves the weights (the vanishing gradient).{held}"
    )
    st.dataframe(
        state_table(run, snapshot).style.format(teaching_number),
        width="stretch",
        column_config=row_table_columns(run.table, unit_names(run.arch, run.config.features)[0]),
    )


Metric = tuple[str, str, str]  # label, value, help


def iteration_metrics(run: Run, snapshot: Snapshot) -> list[Metric]:
    """The numbers at the inspected iteration: iterations (and epochs with mini-batches), the training
    error (and the test error, per row, with a test set), the penalty and the total with one."""
    config, n_train = run.config, run.table.n_rows
    it = snapshot.iteration
    found: list[Metric] = [("Iteration", f"{it:,}", "Number of updates applied.")]
    per_epoch = updates_per_epoch(n_train, config.batch_size)
    if per_epoch > 1:
        epochs = it / per_epoch
        found.append(
            (
                "Epoch",
                f"{epochs:,.2f}".rstrip("0").rstrip("."),
                f"Passes through the {n_train} training rows: {per_epoch} updates of {config.batch_size} "
                "rows make one epoch.",
            )
        )
    n = teaching_number
    if run.test_table is None:
        label = "Data error E" if config.penalized else "Loss E = ½·Σ(y − out)²"
        found.append((label, n(snapshot.loss), "Squared error summed over the table."))
    else:
        n_test = run.test_table.n_rows
        test = snapshot.test_loss if snapshot.test_loss is not None else float("nan")
        found.append(
            (
                "Training error E/n",
                n(snapshot.loss / n_train),
                f"½·Σ(y − out)² over the {n_train} training rows = {n(snapshot.loss)}, divided by {n_train}.",
            )
        )
        found.append(
            (
                "Test error E/n",
                n(test / n_test),
                f"½·Σ(y − out)² over the {n_test} held-out test rows = {n(test)}, divided by {n_test}: "
                "per row, so that it compares with the training error.",
            )
        )
    if config.penalized:
        name = config.regularization.upper()
        what = "λ·Σ|w|" if config.regularization == "l1" else "λ·½·Σw²"
        found.append((f"{name} penalty", n(snapshot.penalty), f"{what} over the weights (not the biases)."))
        found.append(
            (
                "Objective E + penalty",
                n(snapshot.loss + snapshot.penalty),
                f"What the updates descend: the data error E = ½·Σ(y − out)² summed over the {n_train} "
                f"training rows ({n(snapshot.loss)}), not per row, plus the penalty.",
            )
        )
    return found


def prediction_metrics(run: Run, iteration: int, test_input: tuple[float, ...]) -> None:
    """The network's output for the test input (its derived features appended)."""
    if len(test_input) != run.n_table_inputs:
        st.caption(f"The test input needs {run.n_table_inputs} values; set it in the sidebar's Test input.")
        return
    prediction = run.predict(np.array([test_input]), iteration)[0]
    shown = "[" + ", ".join(f"{v:g}" for v in test_input) + "]"
    names = output_names(run.table.n_outputs)
    for column, name, value in zip(st.columns(len(names)), names, prediction, strict=True):
        label = f"Prediction for {shown}" if len(names) == 1 else f"Prediction {name} for {shown}"
        column.metric(label, f"{value:.8f}", help="The network's output for the test input.")


def training_chart(run: Run, iteration: int) -> None:
    """The training chart, arranged for the width of its column in the visitor's browser."""
    fit = chart_fit(column_size(), presenting())
    chart_summary(training_summary(run, selected_iteration=iteration))
    st.plotly_chart(
        training_figure(run, selected_iteration=iteration, fit=fit),
        key="training_chart",
        width="stretch",
        config=plotly_config(),
    )


def explanation(run: Run, expanded: bool = True) -> None:
    """The algorithm and the charts in words, for the network being trained."""
    with st.expander("What am I looking at?", expanded=expanded):
        n_test = 0 if run.test_table is None else run.test_table.n_rows
        st.markdown(explain(run.arch, run.config, run.table.n_rows, n_test))
        table = run.table
        # the notebook's constant-1 column: a truth table's, never a derived feature's or a dataset's
        if table.n_inputs and not run.config.features and not generated() and np.all(table.X[:, -1] == 1):
            acts = "the first layer's biases" if run.arch.hidden else "the unit's bias"
            st.caption(f"x{table.n_inputs} is constant 1: its weights act as {acts}.")
