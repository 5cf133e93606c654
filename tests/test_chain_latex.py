"""LaTeX of the chain-rule inspector: it writes chain.py's numbers, and Streamlit's KaTeX can parse it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import streamlit

from backprop.chain import (
    ParamRef,
    layer_update,
    parameter_chain,
    parameters,
    prediction_steps,
)
from backprop.chain_latex import (
    WEIGHT_DIGITS,
    chain_formula_tex,
    chain_rows_tex,
    matrix_form_tex,
    param_tex,
    prediction_tex,
    tex_factor,
    tex_number,
    unit_tex,
    update_tex,
)
from backprop.table import PRESETS, TruthTable
from backprop.trainer import Run, TrainConfig, train


@pytest.fixture(scope="module")
def notebook_run() -> Run:
    return train(PRESETS["notebook"].table, TrainConfig(n_iterations=20))


@pytest.fixture(scope="module")
def deep_run() -> Run:
    return train(
        PRESETS["half-adder"].table,
        TrainConfig(n_iterations=20, hidden=(3, 2), activation="tanh", use_bias=True),
    )


def test_numbers() -> None:
    assert tex_number(0.0) == "0"
    assert tex_number(0.2689414213699951) == "0.268941"
    assert tex_number(-1.5e-7) == r"-1.5 \times 10^{-7}"
    assert tex_number(123456789.0) == r"1.23457 \times 10^{8}"
    assert tex_number(float("nan")) == r"\text{NaN}"
    assert tex_number(float("-inf")) == r"-\infty"
    assert tex_factor(-0.5) == "(-0.5)"
    assert tex_factor(0.5) == "0.5"
    assert tex_factor(2e-9) == r"(2 \times 10^{-9})"


def test_names() -> None:
    assert unit_tex("x1") == "x_{1}"
    assert unit_tex("h3") == "h_{3}"
    assert unit_tex("h2.1") == "h^{(2)}_{1}"
    assert unit_tex("out") == r"\text{out}"
    assert unit_tex("out2") == r"\text{out}_{2}"
    assert param_tex("w(x1→out)") == r"w_{x_{1} \to \text{out}}"
    assert param_tex("w(h1.3→h2.1)") == r"w_{h^{(1)}_{3} \to h^{(2)}_{1}}"
    assert param_tex("b(out)") == r"b_{\text{out}}"
    with pytest.raises(ValueError):
        unit_tex("<b>x</b>")
    with pytest.raises(ValueError):
        param_tex("v(x1)")


def test_rows_write_each_factor_product_and_the_sum(notebook_run: Run) -> None:
    chain = parameter_chain(notebook_run, 3, ParamRef(0, 0, 1))
    tex = chain_rows_tex(chain)
    for r in range(chain.n_rows):
        assert f"row {r + 1}:" in tex
        for value in (chain.y[r], chain.a[r], chain.dE_da[r], chain.da_dz[r], chain.dz_dp[r], chain.terms[r]):
            assert tex_number(value) in tex
    assert tex.endswith(f"= {tex_number(chain.gradient)}" + r"\end{aligned}")
    assert r"\underbrace{-(y - \text{out})}" in chain_formula_tex(chain)


def test_hidden_rows_write_the_path_sum(deep_run: Run) -> None:
    chain = parameter_chain(deep_run, 3, ParamRef(0, 2, 1))
    assert chain.upstream is not None
    tex = chain_rows_tex(chain)
    for r in range(chain.n_rows):
        for w, d in zip(chain.upstream.weights, chain.upstream.dE_dz[r], strict=True):
            assert rf"{tex_factor(w)} \cdot {tex_factor(d)}" in tex
        assert f"(1 - {{{tex_factor(chain.a[r])}}}^2)" in tex  # tanh' written with the output
    assert r"\sum_m W_{h^{(1)}_{3},m}" in chain_formula_tex(chain)


def test_many_rows_are_summarised(deep_run: Run) -> None:
    big = TruthTable([[i % 2, i // 2 % 2, 1] for i in range(12)], [[i % 2] for i in range(12)])
    run = train(big, TrainConfig(n_iterations=2))
    chain = parameter_chain(run, 1, ParamRef(0, 0, 0))
    tex = chain_rows_tex(chain)
    assert "row 8:" in tex and "row 9:" not in tex
    assert "rows 9 to 12:" in tex
    assert tex_number(sum(chain.terms[8:])) in tex
    assert tex.endswith(f"= {tex_number(chain.gradient)}" + r"\end{aligned}")


def test_update_shows_old_step_and_new(deep_run: Run) -> None:
    chain = parameter_chain(deep_run, 5, ParamRef(1, 0))
    tex = update_tex(chain)
    for value in (chain.old, chain.step, chain.new):
        assert tex_number(value, WEIGHT_DIGITS) in tex
    numbers = [
        float(n) for n in re.findall(r"-?\d+\.\d+(?: \\times 10\^\{-?\d+\})?", tex) if "times" not in n
    ]
    assert numbers[-1] == pytest.approx(chain.new, rel=1e-9)


def test_prediction_writes_each_product(notebook_run: Run) -> None:
    (step,) = prediction_steps(notebook_run, 20, (1, 0, 0))
    tex = prediction_tex(step)
    for x, w in zip(step.inputs, step.W[:, 0], strict=True):
        assert rf"{tex_factor(x)} \cdot {tex_factor(w)}" in tex
    assert rf"\sigma({tex_number(step.z[0])}) = {tex_number(step.a[0], 8)}" in tex


def test_matrix_form_names_the_layers(deep_run: Run) -> None:
    assert r"\text{error} &= y - \text{out}" in matrix_form_tex(layer_update(deep_run, 1, 2))
    hidden = matrix_form_tex(layer_update(deep_run, 1, 0))
    assert r"\delta^{(2)}\, (W^{(2)})^\top" in hidden and r"X^\top" in hidden


def _all_latex(run: Run) -> list[str]:
    out = []
    for ref in parameters(run.arch):
        chain = parameter_chain(run, 3, ref)
        out += [chain_formula_tex(chain), chain_rows_tex(chain), update_tex(chain)]
    out += [matrix_form_tex(layer_update(run, 3, layer)) for layer in range(run.arch.n_layers)]
    out += [prediction_tex(s) for s in prediction_steps(run, 3, (1,) * run.table.n_inputs)]
    return out


KATEX_CHECK = """
import katex from './katex.mjs';
import fs from 'fs';
const bad = [];
for (const s of JSON.parse(fs.readFileSync(0, 'utf8'))) {
  try { katex.renderToString(s, {displayMode: true, throwOnError: true, strict: 'error'}); }
  catch (e) { bad.push(e.message); }
}
console.log(JSON.stringify(bad));
"""


def test_katex_shipped_with_streamlit_parses_every_formula(
    notebook_run: Run, deep_run: Run, tmp_path: Path
) -> None:
    node = shutil.which("node")
    bundles = sorted((Path(streamlit.__file__).parent / "static").rglob("katex*.js"))
    if node is None or not bundles:
        pytest.skip("needs node and Streamlit's KaTeX bundle")
    (tmp_path / "katex.mjs").write_bytes(bundles[0].read_bytes())
    (tmp_path / "check.mjs").write_text(KATEX_CHECK, encoding="utf-8")
    relu = train(
        PRESETS["xor"].table, TrainConfig(n_iterations=5, hidden=(2,), activation="relu", use_bias=True)
    )
    formulas = _all_latex(notebook_run) + _all_latex(deep_run) + _all_latex(relu)
    result = subprocess.run(
        [node, "check.mjs"],
        cwd=tmp_path,
        input=json.dumps(formulas),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
