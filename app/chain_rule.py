"""The chain rule for one weight with the real numbers, its layer's update in matrix form, the test
input's prediction worked out, and a finite-difference check of every gradient."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from backprop.chain import (
    GRADIENT_CHECK_TOLERANCE,
    Batch,
    ParamChain,
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
from backprop.trainer import Run

MAX_LISTED_ROWS = 12  # a mini-batch's rows named in a caption; more end in "…"


def formula(tex: str, label: str) -> None:
    """A LaTeX formula in display style, like ``st.latex``, in a box that scrolls sideways when the formula
    is wider and can be reached with the keyboard (its style: ``app.widgets.page_style``; st.latex's own
    KaTeX block scrolls but no key reaches it). ``label`` names it for screen readers."""
    st.markdown(
        f'<div class="formula" role="group" tabindex="0" aria-label="{html.escape(label)}">'
        f"\n\n$$\n{tex}\n$$\n\n</div>",
        unsafe_allow_html=True,
    )


def rows_text(run: Run, batch: Batch) -> str:
    """Which rows an update sums over, for the captions: every training row, or its mini-batch's."""
    kind = "training rows" if run.test_table is not None else "table rows"
    if batch.rows is None:
        return f"the {batch.n_rows} {kind}"
    numbers = sorted(batch.row_numbers.tolist())
    listed = ", ".join(map(str, numbers[:MAX_LISTED_ROWS])) + (
        ", …" if len(numbers) > MAX_LISTED_ROWS else ""
    )
    return (
        f"the {batch.n_rows} rows of this update's mini-batch (batch {batch.index} of {batch.per_epoch} in "
        f"epoch {batch.epoch}; {kind} {listed})"
    )


def penalty_note(chain: ParamChain) -> str:
    """What the penalty does to this parameter's update."""
    if chain.ref.is_bias:
        return "Biases carry no penalty: their update is the error's step alone."
    if chain.regularization == "l2":
        return (
            "L2 adds λ·w to the gradient: every step pulls the weight towards 0 in proportion to its size "
            "(weight decay)."
        )
    stopped = " Here it did: the weight is now exactly 0." if chain.stopped_at_zero else ""
    return (
        "L1 adds λ·sign(w): every step moves the weight lr·λ towards 0, and a step that would carry it "
        f"past 0 stops it at 0 instead, which is how L1 sets weights to exactly 0.{stopped}"
    )


def prediction_view(run: Run, iteration: int, test_input: tuple[float, ...]) -> None:
    """The test input through the network layer by layer (its derived features appended)."""
    if len(test_input) not in (run.n_table_inputs, run.arch.n_inputs):
        st.info(
            f"The test input has {len(test_input)} values; this network reads {run.n_table_inputs}. "
            "Set it in the sidebar's Test input.",
            icon=":material/info:",
        )
        return
    shown = "[" + ", ".join(f"{v:g}" for v in test_input) + "]"
    added = " with its derived features appended" if run.config.features else ""
    st.caption(f"The test input {shown}{added} through the network, weights after {iteration:,} updates.")
    for step in prediction_steps(run, iteration, test_input):
        formula(prediction_tex(step), f"Layer {step.layer + 1} of the prediction")


def chain_rule_section(run: Run, iteration: int, test_input: tuple[float, ...], stepped: bool) -> None:
    """The chain rule for one weight at the inspected iteration, its layer's update in matrix form, the
    test input's prediction worked out, and a finite-difference check of every gradient.

    Right after Step (``stepped``) it shows the update Step just applied, ``iteration - 1 -> iteration``;
    otherwise the gradient at the inspected weights and the update it causes next.
    """
    with st.expander(
        "Chain rule, step by step",
        icon=":material/functions:",
        key="chain",
        on_change="rerun",
        bind="query-params",
    ) as box:
        if not box.open:  # its LaTeX and tables are drawn only while open, like the teaching tabs
            return
        features = run.config.features
        refs = {param_name(run.arch, ref, features): ref for ref in parameters(run.arch)}
        if st.session_state.get("weight") not in refs:  # reopened, or the network changed shape
            kept = st.session_state.get("chain_choice")  # outlives the widget while the section is closed
            st.session_state.weight = kept if kept in refs else next(iter(refs))
        name = st.selectbox(
            "Weight or bias",
            list(refs),
            key="weight",
            bind="query-params",
            help="The parameter whose gradient is written out. The iteration is the one inspected above.",
        )
        st.session_state.chain_choice = name
        at = iteration - 1 if stepped and iteration > 0 else iteration  # the weights the gradient is taken at
        chain = parameter_chain(run, at, refs[name])
        update = layer_update(run, at, chain.ref.layer)
        one, matrix, prediction, check_tab = st.tabs(
            ["One weight", "Matrix form", "Prediction", "Gradient check"],
            key="chain_view",
            bind="query-params",
        )
        rows = rows_text(run, chain.batch)
        with one:
            if at < iteration:
                st.caption(
                    f"The update Step just applied: iteration {at:,} → {iteration:,}. The gradient at the "
                    f"weights after {at:,} updates, summed over {rows}, and the step it made."
                )
            else:
                note = (
                    "" if chain.applied else " Training stopped here, so the run never applies this update."
                )
                st.caption(
                    f"The gradient at the weights after {at:,} updates, and update {at + 1:,} it causes "
                    f"(iteration {at:,} → {at + 1:,}), summed over {rows}.{note}"
                )
            formula(chain_formula_tex(chain), f"The chain rule for {name}")
            formula(chain_rows_tex(chain), "Each table row's term, and their sum")
            if chain.n_rows > CHAIN_MAX_ROWS:
                st.caption(f"Rows after {CHAIN_MAX_ROWS} are summed in one line; Matrix form lists all.")
            if not chain.is_output:
                st.caption(
                    "Below the output, ∂E/∂a sums over every path through the units above: each path is a "
                    "weight times that unit's ∂E/∂net (minus its δ, listed in that layer's Matrix form)."
                )
            formula(update_tex(chain), f"The update of {name}")
            if chain.penalized or (run.config.penalized and chain.ref.is_bias):
                st.caption(penalty_note(chain))
            st.markdown(
                "The notebook's `sigmoid_derivative(x) = x * (1 - x)` is given the unit's **output** "
                "$\\text{out} = \\sigma(\\text{net})$, not its net input: "
                "$\\sigma'(\\text{net}) = \\text{out}\\,(1 - \\text{out})$, which is why the middle factor "
                "is written with the output."
            )
        with matrix:
            formula(matrix_form_tex(update), f"Layer {update.layer + 1}'s update in matrix form")
            if update.is_output and update.layer == 0:
                st.code(
                    "error = y - layer1\n"
                    "delta = error * sigmoid_derivative(layer1)\n"
                    "weights += learning_rate * np.dot(layer0.T, delta)",
                    language="python",
                )
            rows_index = pd.Index(update.batch.row_numbers, name="row")
            which = "training row" if run.test_table is not None else "row"
            if update.batch.rows is not None:
                which = f"{which} of this update's mini-batch"
            st.caption(f"Per {which}: the layer's input, output, error, f′(net) and δ = error · f′(net)")
            digits = "{:.6g}"  # the precision of the formulas, not the grid's default 4 decimals
            st.dataframe(pd.DataFrame(update.row_columns(), index=rows_index).style.format(digits))
            names, columns = update.parameter_columns()
            if update.penalty_gradient is None:
                st.caption("Per parameter: new = old + lr · a_prevᵀδ")
            else:
                st.caption(
                    "Per parameter: new = old + lr · (a_prevᵀδ − penalty term); biases carry no penalty"
                    + (
                        "; L1 stops a weight at 0 rather than letting it cross"
                        if run.config.regularization == "l1"
                        else ""
                    )
                )
            frame = pd.DataFrame(columns, index=pd.Index(names, name="parameter"))
            st.dataframe(frame.style.format("{:.10g}"))
            st.caption(
                "Each row's share lr · a_i · δ_j of each weight's step; the columns sum to the "
                + ("error's part of the step" if update.penalty_gradient is not None else "step")
            )
            st.dataframe(pd.DataFrame(update.contribution_columns(), index=rows_index).style.format(digits))
        with prediction:
            prediction_view(run, iteration, test_input)
        with check_tab:
            check = gradient_check(run, at)
            if check.ok:
                st.success(
                    f"All {len(check.rows)} gradients agree with finite differences "
                    f"(largest relative error {check.max_rel_error:.1e}).",
                    icon=":material/check_circle:",
                )
            else:
                st.warning(
                    "Some gradients disagree with finite differences. With ReLU this happens when a "
                    "net input sits within ε of 0, where the derivative jumps.",
                    icon=":material/warning:",
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
                f"The gradients of E over all {run.table.n_rows} training rows (the penalty's term is "
                "exact and not part of the check). "
                f"Finite difference: (E(p + ε) − E(p − ε)) / 2ε with ε = {check.epsilon:g}. Relative error: "
                "|difference| / max(|backprop|, |finite difference|), green below "
                f"{GRADIENT_CHECK_TOLERANCE:g}; the denominator is at least "
                f"{check.noise / GRADIENT_CHECK_TOLERANCE:.0e}, so gradients near 0 are not failed for "
                "the difference's own rounding noise."
            )
