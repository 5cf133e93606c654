"""Backprop Simulator: edit a truth table, train a small NumPy network, watch it learn.

This file sets up the page and composes its sections (app/). Data flows one way:
widgets -> valid settings + table -> TrainConfig -> cached training -> Run -> figures -> page.
Each section draws inside a guard, so one that fails says so in its place and the rest of the page stays.
In presenter mode the control bar and the training chart come first, and the introduction is hidden.
"""

from __future__ import annotations

import streamlit as st

from app.chain_rule import chain_rule_section
from app.fit import presenter_toggle, sidebar_state
from app.results import (
    diagnostics_notices,
    explanation,
    inspected_iteration,
    results,
    status_notice,
    training_chart,
)
from app.runs import run_training
from app.scroll import scroll_to_linked_section
from app.share import load_shared_experiment, share_and_export
from app.sidebar import action_buttons, sidebar
from app.state import init_state, keep_valid_settings, run_key, train_config
from app.table_panel import table_panel
from app.teaching import teaching_tabs
from app.widgets import guarded, page_style

st.set_page_config(
    page_title="Backprop Simulator",
    page_icon=":material/neurology:",
    layout="wide",
    initial_sidebar_state=sidebar_state(),
)


def main() -> None:
    init_state()
    load_shared_experiment()
    keep_valid_settings()
    page_style()
    presenting = presenter_toggle()
    if presenting:
        stage = st.container()  # the control bar and the chart, drawn once the run is known
    else:
        st.title(":material/neurology: Backprop Simulator")
        st.caption(
            "Edit a truth table, train a sigmoid unit with the delta rule, and watch every weight, the "
            "error and the outputs on the sigmoid curve move. The defaults are the classic notebook: "
            "seed 0, learning rate 1, 10,000 iterations, prediction 0.99993703 for [1, 0, 0]."
        )
    left, right = st.columns([2, 3], gap="large")
    with left:
        table, test_input = table_panel()  # before the sidebar: an edited table makes the preset "custom"
    sidebar(table)
    config = train_config(table)
    run = run_training(table, config)
    identity = run_key(table, config)
    with right:
        with guarded("notices"):
            status_notice(run)
            diagnostics_notices(run)
        # beside the numbers as well: a phone user never needs the sidebar
        action_buttons(stage if presenting else st, "page")
        iteration = inspected_iteration(run, hash((identity, run.final.iteration)))
        st.session_state.shown_iteration, st.session_state.shown_run = iteration, identity
        stepped = st.session_state.stepped == (identity, iteration)
        with guarded("results"):
            results(run, iteration, test_input, stepped)
    if presenting:
        with stage, guarded("training chart"):
            training_chart(run, iteration)
        with right, guarded("explanation"):
            explanation(run, expanded=False)
    else:
        chart, notes = st.columns([5, 2], gap="medium")
        with chart, guarded("training chart"):
            training_chart(run, iteration)
        with notes, guarded("explanation"):
            explanation(run)
    teaching_tabs(run, iteration, table, config)
    with guarded("chain rule"):
        chain_rule_section(run, iteration, test_input, stepped)
    with left, guarded("share & export"):
        share_and_export(run, table, test_input, iteration)
    scroll_to_linked_section()  # last: the section it scrolls to is on the page


main()
