"""The app's "Chain rule, step by step" section through AppTest: it renders, follows the chosen weight and
the inspected iteration, and writes exactly chain.py's numbers."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from backprop.chain import GRADIENT_CHECK_TOLERANCE, ParamRef, parameter_chain, prediction_steps
from backprop.chain_latex import WEIGHT_DIGITS, chain_rows_tex, prediction_tex, tex_number, update_tex
from backprop.table import PRESETS
from backprop.trainer import Run, TrainConfig, train
from tests.app.pagetest import APP, rerun

TITLE = "Chain rule, step by step"
FORMULA = re.compile(r'<div class="formula"[^>]*>\n\n\$\$\n(.*)\n\$\$\n\n</div>', re.DOTALL)


def fresh() -> AppTest:
    """The default page with the section opened by its link key (it is drawn only while open)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["chain"] = "true"
    at.run()
    assert not at.exception, at.exception
    return at


def section(at: AppTest):
    matches = [e for e in at.expander if e.label == TITLE]
    assert len(matches) == 1, [e.label for e in at.expander]
    return matches[0]


def latex(at: AppTest) -> list[str]:
    """The section's formulas (app.chain_rule.formula): their LaTeX, without the box and the $$ fences."""
    found = (FORMULA.fullmatch(element.value) for element in section(at).markdown)
    return [match.group(1) for match in found if match]


@pytest.fixture(scope="module")
def notebook_run() -> Run:
    """The app's default experiment."""
    return train(PRESETS["notebook"].table, TrainConfig())


@pytest.fixture(scope="module")
def default_app() -> AppTest:
    return fresh()


def test_section_renders_below_the_chart_with_its_tabs(default_app: AppTest) -> None:
    part = section(default_app)
    assert [t.label for t in part.tabs] == ["One weight", "Matrix form", "Prediction", "Gradient check"]
    assert part.selectbox(key="weight").options == ["w(x1→out)", "w(x2→out)", "w(x3→out)"]
    text = " ".join(m.value for m in part.markdown)
    assert "`sigmoid_derivative(x) = x * (1 - x)`" in text and "**output**" in text
    assert [c.language for c in part.code] == ["python"]
    assert "weights += learning_rate * np.dot(layer0.T, delta)" in part.code[0].value


def last_number(tex: str) -> float:
    """The number an aligned block ends with, read back from its LaTeX (``-2.38 \\times 10^{-4}``)."""
    found = re.search(r"= (-?[\d.]+)(?: \\times 10\^\{(-?\d+)\})?\\end\{aligned\}$", tex)
    mantissa, exponent = found.groups()
    return float(mantissa) * 10 ** int(exponent or 0)


def test_latex_holds_chain_py_numbers_for_the_default_page(default_app: AppTest, notebook_run: Run) -> None:
    chain = parameter_chain(notebook_run, 10_000, ParamRef(0, 0, 0))
    shown = latex(default_app)
    assert chain_rows_tex(chain) in shown
    assert update_tex(chain) in shown
    rows = next(s for s in shown if s.startswith(r"\begin{aligned}\text{row 1:}"))
    for r in range(chain.n_rows):
        assert tex_number(chain.terms[r]) in rows
    # the displayed sum and new weight, read back, are chain.py's to their printed precision
    gradient = last_number(rows)
    assert gradient == pytest.approx(chain.gradient, rel=1e-5)
    new = last_number(update_tex(chain))
    assert new == pytest.approx(chain.new, rel=10 ** -(WEIGHT_DIGITS - 1))
    (step,) = prediction_steps(notebook_run, 10_000, (1, 0, 0))
    assert prediction_tex(step) in shown
    assert r"\sigma(9.6728) = 0.99993703" in prediction_tex(step)


def test_picking_a_weight_changes_the_formula(notebook_run: Run) -> None:
    at = fresh()
    before = latex(at)
    section(at).selectbox(key="weight").set_value("w(x3→out)")
    rerun(at)
    after = latex(at)
    assert after != before
    chain = parameter_chain(notebook_run, 10_000, ParamRef(0, 0, 2))
    assert chain_rows_tex(chain) in after and update_tex(chain) in after
    assert r"w_{x_{3} \to \text{out}}" in after[0]


def test_the_inspected_iteration_drives_the_numbers(notebook_run: Run) -> None:
    at = fresh()
    at.slider(key="at").set_value(3)
    rerun(at)
    chain = parameter_chain(notebook_run, 3, ParamRef(0, 0, 0))
    shown = latex(at)
    assert chain_rows_tex(chain) in shown and update_tex(chain) in shown
    assert chain.new == pytest.approx(notebook_run.snapshot_at(4).params.weights[0][0, 0], abs=1e-12)
    assert tex_number(chain.new, WEIGHT_DIGITS) in update_tex(chain)


def test_gradient_check_table_is_all_green_on_the_default_page(default_app: AppTest) -> None:
    part = section(default_app)
    frame = next(d.value for d in part.dataframe if "relative error" in d.value.columns)
    assert list(frame["parameter"]) == ["w(x1→out)", "w(x2→out)", "w(x3→out)"]
    assert (frame["relative error"] < GRADIENT_CHECK_TOLERANCE).all()
    assert any("agree with finite differences" in s.value for s in part.success)


def test_hidden_layers_biases_and_a_shape_change() -> None:
    at = fresh()
    section(at).selectbox(key="weight").set_value("w(x3→out)")
    rerun(at)
    at.radio(key="layers").set_value(2)
    at.checkbox(key="bias").check()
    rerun(at)
    at.selectbox(key="activation").set_value("tanh")  # enabled once there is a hidden layer
    rerun(at)
    box = section(at).selectbox(key="weight")
    assert box.value == "w(x1→h1.1)"  # the old weight is gone: back to the first parameter
    assert "b(out)" in box.options and "w(h2.4→out)" in box.options
    box.set_value("w(x2→h1.3)")
    rerun(at)
    shown = latex(at)
    assert r"\sum_m W_{h^{(1)}_{3},m}" in shown[0]
    assert r"\text{error} &= \delta^{(2)}\, (W^{(2)})^\top" in " ".join(shown)
    frame = next(d.value for d in section(at).dataframe if "relative error" in d.value.columns)
    assert (frame["relative error"] < GRADIENT_CHECK_TOLERANCE).all()


def test_several_outputs() -> None:
    at = fresh()
    at.selectbox(key="preset").set_value("half-adder")
    rerun(at)
    box = section(at).selectbox(key="weight")
    assert "w(x1→out2)" in box.options
    box.set_value("w(x1→out2)")
    rerun(at)
    assert r"w_{x_{1} \to \text{out}_{2}}" in latex(at)[0]


def test_the_section_is_drawn_only_while_open() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    rerun(at)  # collapsed, as a visitor first sees it: nothing inside is computed or sent
    part = section(at)
    assert not latex(at) and not part.selectbox and not part.dataframe and not part.tabs
    at.session_state["chain"] = True  # what clicking its header does
    rerun(at)
    assert len(latex(at)) >= 3 and section(at).selectbox(key="weight")


def test_the_chosen_weight_survives_closing_and_reopening_the_section(notebook_run: Run) -> None:
    at = fresh()
    section(at).selectbox(key="weight").set_value("w(x2→out)")
    rerun(at)
    at.session_state["chain"] = False  # what closing it in a browser does: the address bar drops chain
    del at.query_params["chain"]
    rerun(at)
    assert not section(at).selectbox
    at.session_state["chain"] = True
    rerun(at)
    assert section(at).selectbox(key="weight").value == "w(x2→out)"
    assert chain_rows_tex(parameter_chain(notebook_run, 10_000, ParamRef(0, 0, 1))) in latex(at)
