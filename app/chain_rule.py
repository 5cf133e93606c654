"""The chain rule for one weight with the real numbers, its layer's update in matrix form, the test
input's prediction worked out, and a finite-difference check of every gradient."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

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
from backprop.trainer import Run


def formula(tex: str, label: str) -> None:
    """A LaTeX formula in display style, like ``st.latex``, in a box that scrolls sideways when the formula
    is wider and can be reached with the keyboard (its style: ``app.widgets.page_style``; st.latex's own
    KaTeX block scrolls but no key reaches it). ``label`` names it for screen readers."""
    st.markdown(
        f'<div class="formula" role="group" tabindex="0" aria-label="{html.escape(label)}">'
        f"\n\n$$\n{tex}\n$$\n\n</div>",
        unsafe_allow_html=True,
    )


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
        refs = {param_name(run.arch, ref): ref for ref in parameters(run.arch)}
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
        with one:
            if at < iteration:
                st.caption(
                    f"The update Step just applied: iteration {at:,} → {iteration:,}. The gradient at the "
                    f"weights after {at:,} updates, summed over the {chain.n_rows} table rows, and the step "
                    "it made."
                )
            else:
                note = (
                    "" if chain.applied else " Training stopped here, so the run never applies this update."
                )
                st.caption(
                    f"The gradient at the weights after {at:,} updates, and update {at + 1:,} it causes "
                    f"(iteration {at:,} → {at + 1:,}), summed over the {chain.n_rows} table rows.{note}"
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
                formula(prediction_tex(step), f"Layer {step.layer + 1} of the prediction")
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
                f"Finite difference: (E(p + ε) − E(p − ε)) / 2ε with ε = {check.epsilon:g}. Relative error: "
                "|difference| / max(|backprop|, |finite difference|), green below "
                f"{GRADIENT_CHECK_TOLERANCE:g}; the denominator is at least "
                f"{check.noise / GRADIENT_CHECK_TOLERANCE:.0e}, so gradients near 0 are not failed for "
                "the difference's own rounding noise."
            )
