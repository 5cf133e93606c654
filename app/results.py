"""The run's outcome at the inspected iteration: notices, the inspect slider, metrics, the per-row table,
and the training chart with its explanation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app.widgets import plotly_config
from backprop import share
from backprop.diagnostics import diagnose
from backprop.figures import training_figure
from backprop.table import TruthTable, input_names, output_names
from backprop.trainer import Run, Snapshot


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


def diagnostics_notices(run: Run) -> None:
    """Plain-language findings about the final iteration: cannot fit, dead units, stalls, conflicts."""
    for message in diagnose(run).messages:
        parts = (f"**{share.escape_markdown(message.headline)}**", message.body, message.fix)
        text = "\n\n".join(share.escape_markdown(p) if i else p for i, p in enumerate(parts) if p)
        if message.level == "warning":
            st.warning(text, icon="🔎")
        else:
            st.info(text, icon="🔎")


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


def results(run: Run, iteration: int, test_input: tuple[float, ...], stepped: bool) -> None:
    """Metrics and the per-row table at the inspected iteration."""
    if stepped:
        st.caption(f"Step applied update {iteration:,}: iteration {iteration - 1:,} → {iteration:,}.")
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


def training_chart(run: Run, iteration: int) -> None:
    st.plotly_chart(
        training_figure(run, selected_iteration=iteration),
        key="training_chart",
        width="stretch",
        config=plotly_config(),
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
