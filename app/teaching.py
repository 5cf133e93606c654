"""The teaching tabs: network diagram, decision surface, per-row error, hidden layer, activations, and the
learning-rate sweep. Only the open tab is drawn; each draws inside its own guard."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from app.fit import chart_fit, measured_size
from app.runs import cached_sweep, run_training, weight_count
from app.widgets import chart_summary, guarded, plotly_config, settle_choice
from backprop.activations import ACTIVATIONS
from backprop.diagnostics import decision_line, fits
from backprop.errors import ConfigError
from backprop.explain import sweep_caption
from backprop.figures import (
    MAX_ROW_LINES,
    activation_comparison_figure,
    comparison_summary,
    decision_surface_figure,
    hidden_activation_figure,
    hidden_summary,
    network_figure,
    network_summary,
    row_error_figure,
    row_error_summary,
    surface_inputs,
    surface_summary,
    sweep_figure,
    sweep_summary,
)
from backprop.limits import MAX_LEARNING_RATE
from backprop.table import TruthTable, input_names, output_names
from backprop.trainer import Run, TrainConfig

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


def _row_label(run: Run, row: int) -> str:
    """A training row by its number and its own inputs (derived features left out): ``row 3: [1, 0]``."""
    values = run.table.X[row, : run.n_table_inputs]
    return f"row {row + 1}: [" + ", ".join(f"{v:.3g}" for v in values) + "]"


def network_view(run: Run, iteration: int) -> None:
    """The network as a diagram, with one row's values on its units."""
    table = run.table
    rows = list(range(table.n_rows))
    settle_choice("network_row", rows, lambda r: _row_label(run, r))
    which = "Training row" if run.test_table is not None else "Row"
    row = st.columns([2, 3])[0].selectbox(
        f"{which} shown on the units",
        rows,
        format_func=lambda r: _row_label(run, r),
        key="network_row",
        help="The units show this row's input, hidden values and output.",
    )
    chart_summary(network_summary(run, row=row, selected_iteration=iteration))
    fit = chart_fit(measured_size(), presenting=False)  # on a phone, a deep network's nodes shrink to fit
    st.plotly_chart(
        network_figure(run, row=row, selected_iteration=iteration, fit=fit),
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
    inputs = surface_inputs(run)
    if len(inputs) != 2:
        st.info(
            f"The decision surface needs exactly two inputs that vary; this table has {len(inputs)}. "
            "Try the XOR, AND or half-adder preset.",
            icon=":material/info:",
        )
        return
    output = 0
    if table.n_outputs > 1:
        outputs = list(range(table.n_outputs))
        output_label = output_names(table.n_outputs).__getitem__
        settle_choice("surface_output", outputs, output_label)
        output = st.columns([2, 3])[0].selectbox(
            "Output", outputs, format_func=output_label, key="surface_output"
        )
    discretize = st.toggle(
        "Discretize output",
        key="discretize",
        bind="query-params",
        help="Colour the square in two colours only: where the output is at least 0.5 and where it is "
        "below, the class the network picks at each point.",
    )
    chart, notes = st.columns([3, 2], gap="medium")
    chart_summary(
        surface_summary(run, output=output, selected_iteration=iteration, discretize=discretize), chart
    )
    chart.plotly_chart(
        decision_surface_figure(run, output=output, selected_iteration=iteration, discretize=discretize),
        key="surface_chart",
        width="stretch",
        config=plotly_config(),
    )
    names = input_names(run.n_table_inputs)
    own = run.n_table_inputs
    fixed = [f"{names[k]} = {table.X[0, k]:g}" for k in range(own) if k not in inputs]
    with notes:
        st.markdown(
            "The colour is the network's output at every point of the square; the dark curve is where "
            "it crosses 0.5, the **decision boundary**. Rows (◆ target 1, ● target 0) on the matching "
            "colour are learned."
        )
        if run.test_table is not None:
            st.caption(
                f"Points with a dark rim are the {run.test_table.n_rows} test rows: never trained on, they "
                "show whether the boundary generalizes."
            )
        if run.config.features:
            st.caption(
                "The network also reads its derived features, computed from x1 and x2 at every point, so "
                "its boundary can curve even without a hidden layer."
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
    chart_summary(row_error_summary(run, selected_iteration=iteration))
    st.plotly_chart(
        row_error_figure(run, selected_iteration=iteration),
        key="row_error_chart",
        width="stretch",
        config=plotly_config(),
    )
    if run.table.n_rows * run.table.n_outputs > MAX_ROW_LINES:
        st.caption(
            "Too many rows for a line each: the lines are the median row, the 90th percentile and the "
            "largest error, and the dots at the cursor are every row (hover for its number). Rows above "
            "the dotted 0.5 are still on the wrong side."
        )
        return
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
            icon=":material/info:",
        )
        return
    layer = 0
    if len(hidden) > 1:
        layers = list(range(len(hidden)))
        settle_choice("hidden_view_layer", layers, lambda k: f"layer {k + 1}")
        layer = st.radio(
            "Hidden layer",
            layers,
            format_func=lambda k: f"layer {k + 1}",
            horizontal=True,
            key="hidden_view_layer",
        )
    chart_summary(hidden_summary(run, layer=layer, selected_iteration=iteration))
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
            "sigmoid, tanh, ReLU and linear units on this table.",
            icon=":material/info:",
        )
        return
    runs, refused = [], []
    for name in ACTIVATIONS:
        try:
            runs.append(run_training(table, replace(config, activation=name)))
        except ConfigError as error:
            refused.append(f"{name}: {error}")
    if refused:
        st.caption("Not compared: " + "; ".join(refused))
    if not runs:
        return
    chart_summary(comparison_summary(runs))
    st.plotly_chart(activation_comparison_figure(runs), key="activation_chart", width="stretch")
    learned = [r.config.activation for r in runs if fits(r)]
    st.caption(
        "Same table, seed, learning rate and iterations; only the hidden activation differs. "
        + (f"Fit every row: {', '.join(learned)}." if learned else "None of them fits every row yet.")
    )


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
            icon=":material/timer:",
        )
        if not st.button("Run the sweep", key="run_sweep", help="Train every learning rate now."):
            return
        st.session_state.sweep_approved = identity
    try:
        result = cached_sweep(table, config, learning_rates)
    except ConfigError as error:
        st.warning(f"The sweep cannot run this experiment: {error}", icon=":material/warning:")
        return
    chart_summary(sweep_summary(result, lr))
    fit = chart_fit(measured_size(), presenting=False)  # on a phone, the final losses under the heatmap
    st.plotly_chart(sweep_figure(result, lr, fit), key="sweep_chart", width="stretch")
    st.caption(sweep_caption(result, lr))


def teaching_tabs(run: Run, iteration: int, table: TruthTable, config: TrainConfig) -> None:
    views = (
        lambda: network_view(run, iteration),
        lambda: surface_view(run, iteration),
        lambda: row_error_view(run, iteration),
        lambda: hidden_layer_view(run, iteration),
        lambda: activations_view(table, config),
        lambda: sweep_view(table, config),
    )  # in TEACHING_TABS order
    tabs = st.tabs(TEACHING_TABS, key="tab", on_change="rerun", bind="query-params")
    for name, tab, draw in zip(TEACHING_TABS, tabs, views, strict=True):
        with tab:
            if tab.open:  # only the open tab is drawn: switching tabs reruns the script
                with guarded(name):
                    draw()
