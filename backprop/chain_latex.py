"""LaTeX (KaTeX) for the chain-rule inspector: the formulas of ``chain`` written with the actual numbers.

Pure strings, so the app only passes them to ``st.latex``. Every number comes from the ``chain``
records through ``tex_number``; nothing here computes a gradient.
"""

from __future__ import annotations

import re

import numpy as np

from backprop.activations import Activation
from backprop.chain import LayerUpdate, ParamChain, PredictionLayer
from backprop.numbers import teaching_number

DIGITS = 6  # significant digits of factors and products
WEIGHT_DIGITS = 10  # old and new weights: an update can be far smaller than the weight
MAX_ROWS = 8  # rows written out; the rest are summed in one line
MAX_PATH_TERMS = 2  # path sums written term by term; wider ones as their value (lines must fit a screen)
TERMS_PER_LINE = 4  # row products per line of the total


def tex_number(value: float, digits: int = DIGITS) -> str:
    """``value`` as :func:`backprop.numbers.teaching_number` writes it, in LaTeX: ``0.268941``,
    ``-1.5 \\times 10^{-7}``, ``0``."""
    text = teaching_number(value, digits, minus="-")
    if text == "NaN":
        return r"\text{NaN}"
    if text.endswith("∞"):
        return text.replace("∞", r"\infty")
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def tex_factor(value: float, digits: int = DIGITS) -> str:
    """``tex_number`` in parentheses when negative or in scientific form, for use inside a product."""
    text = tex_number(value, digits)
    return f"({text})" if text.startswith("-") or r"\times" in text else text


def unit_tex(name: str) -> str:
    """A unit name (backprop/naming.py) in LaTeX: ``x_{1}``, ``h^{(2)}_{1}``, ``\\text{out}_{2}``, and the
    derived inputs ``x_{1}^{2}``, ``x_{1} x_{2}``, ``\\sin x_{1}``."""
    if match := re.fullmatch(r"x(\d+)²", name):
        return f"x_{{{match[1]}}}^{{2}}"
    if match := re.fullmatch(r"x(\d+)·x(\d+)", name):
        return f"x_{{{match[1]}}} x_{{{match[2]}}}"
    if match := re.fullmatch(r"sin x(\d+)", name):
        return rf"\sin x_{{{match[1]}}}"
    if match := re.fullmatch(r"h(\d+)\.(\d+)", name):
        return f"h^{{({match[1]})}}_{{{match[2]}}}"
    if match := re.fullmatch(r"(x|h|out)(\d*)", name):
        base = r"\text{out}" if match[1] == "out" else match[1]
        return f"{base}_{{{match[2]}}}" if match[2] else base
    raise ValueError(f"Not a unit name: {name!r}")


def param_tex(name: str) -> str:
    """A parameter name (backprop/naming.py) in LaTeX: ``w_{x_{1} \\to h_{2}}``, ``b_{\\text{out}}``."""
    if match := re.fullmatch(r"w\((.+)→(\S+)\)", name):
        return rf"w_{{{unit_tex(match[1])} \to {unit_tex(match[2])}}}"
    if match := re.fullmatch(r"b\((\S+)\)", name):
        return rf"b_{{{unit_tex(match[1])}}}"
    raise ValueError(f"Not a parameter name: {name!r}")


def derivative_tex(activation: Activation, a: str) -> str:
    """``f'(z)`` written with the output ``a`` (a symbol or a formatted number): ``a\\,(1 - a)``."""
    if activation.name == "sigmoid":
        return rf"{a}\,(1 - {a})"
    if activation.name == "tanh":
        return rf"(1 - {{{a}}}^2)"
    if activation.name == "relu":
        return rf"[{a} > 0]"
    if activation.name == "linear":
        return "1"
    return rf"\operatorname{{{activation.name}}}'({a})"


def _symbols(chain: ParamChain) -> tuple[str, str, str, str]:
    """LaTeX for the parameter p, the unit j's activation a_j, its net input, and ∂z_j/∂p."""
    p = param_tex(chain.name)
    a = unit_tex(chain.target_name)
    net = rf"\text{{net}}_{{{a}}}"
    dz_dp = "1" if chain.source_name is None else unit_tex(chain.source_name)
    return p, a, net, dz_dp


def chain_formula_tex(chain: ParamChain) -> str:
    """The chain rule for the parameter, in symbols, summed over the training rows."""
    p, a, net, dz_dp = _symbols(chain)
    if chain.is_output:
        dE_da = rf"\underbrace{{-(y - {a})}}_{{\partial E/\partial {a}}}"
    else:
        dE_da = (
            rf"\underbrace{{\textstyle\sum_m W_{{{a},m}}\,\frac{{\partial E}}{{\partial \text{{net}}_m}}}}"
            rf"_{{\partial E/\partial {a}}}"
        )
    derivative = derivative_tex(chain.activation, a)
    rows = r"\text{rows}" if chain.batch.rows is None else r"\text{batch rows}"
    return (
        rf"\frac{{\partial E}}{{\partial {p}}} = \sum_{{{rows}}} {dE_da} \cdot "
        rf"\underbrace{{{derivative}}}_{{\partial {a}/\partial {net}}} \cdot "
        rf"\underbrace{{{dz_dp}}}_{{\partial {net}/\partial {p}}}"
    )


def _upstream_tex(chain: ParamChain, r: int) -> str:
    """``∂E/∂a_j`` of row ``r`` written out: ``-(y - out)`` or the path sum ``Σ_m W_jm ∂E/∂z_m``."""
    if chain.is_output:
        assert chain.y is not None
        return rf"-({tex_number(chain.y[r])} - {tex_factor(chain.a[r])})"
    up = chain.upstream
    assert up is not None
    if len(up.names) > MAX_PATH_TERMS:
        return tex_factor(chain.dE_da[r])
    terms = " + ".join(
        rf"{tex_factor(w)} \cdot {tex_factor(d)}" for w, d in zip(up.weights, up.dE_dz[r], strict=True)
    )
    return rf"\big({terms}\big)"


def chain_rows_tex(chain: ParamChain, max_rows: int = MAX_ROWS) -> str:
    """Each row's factors as written, then as numbers with their product, on two lines (the first
    ``max_rows`` rows, then the rest as one sum), and the total ``∂E/∂p`` a few terms per line, so that
    it fits a laptop screen."""
    p = param_tex(chain.name)
    lines = []  # (line, break after it): rows are set apart by a little space
    shown = min(chain.n_rows, max_rows)
    numbers = chain.batch.row_numbers  # training-row numbers of the terms
    for r in range(shown):
        derivative = derivative_tex(chain.activation, tex_factor(chain.a[r]))
        written = rf"{_upstream_tex(chain, r)} \cdot {derivative} \cdot {tex_factor(chain.dz_dp[r])}"
        factors = rf"{tex_factor(chain.dE_da[r])} \cdot {tex_factor(chain.da_dz[r])} \cdot "
        factors += tex_factor(chain.dz_dp[r])
        lines.append((rf"\text{{row {numbers[r]}:}} \quad & {written}", r" \\ "))
        lines.append((rf"& = {factors} = {tex_number(chain.terms[r])}", r" \\[4pt] "))
    terms = [tex_factor(t) for t in chain.terms[:shown]]
    if chain.n_rows > shown:
        rest = float(np.sum(chain.terms[shown:]))
        rest_rows = chain.n_rows - shown
        rows = (
            rf"\text{{rows {shown + 1} to {chain.n_rows}:}}"
            if chain.batch.rows is None
            else rf"\text{{the other {rest_rows} rows:}}"
        )
        lines.append((rf"{rows} \quad & \textstyle\sum = {tex_number(rest)}", r" \\[4pt] "))
        terms.append(tex_factor(rest))
    chunks = [" + ".join(terms[i : i + TERMS_PER_LINE]) for i in range(0, len(terms), TERMS_PER_LINE)]
    chunks[-1] += f" = {tex_number(chain.gradient)}"
    lines.append((rf"\frac{{\partial E}}{{\partial {p}}} = \quad & {chunks[0]}", r" \\ "))
    lines.extend((rf"& + {chunk}", r" \\ ") for chunk in chunks[1:])
    body = "".join(line + gap for line, gap in lines[:-1]) + lines[-1][0]
    return r"\begin{aligned}" + body + r"\end{aligned}"


def _penalized_update_tex(chain: ParamChain) -> str:
    """The step with the penalty's term: L2 ``p_new = p - lr · (∂E/∂p + λ·p)``; L1 the error's step
    ``s = p - lr · ∂E/∂p`` then ``p_new = sign(s) · max(|s| - lr·λ, 0)``, which stops the weight at 0."""
    p = param_tex(chain.name)
    grad = rf"\frac{{\partial E}}{{\partial {p}}}"
    d = WEIGHT_DIGITS
    lr, lam = tex_number(chain.learning_rate, d), tex_number(chain.reg_rate, d)
    old, new = tex_number(chain.old, d), tex_number(chain.new, d)
    l1 = chain.regularization == "l1"
    term = rf"\lambda\,\operatorname{{sign}}({p})" if l1 else rf"\lambda\,{p}"
    term_numbers = (
        rf"{lam} \cdot \operatorname{{sign}}({old})" if l1 else rf"{lam} \cdot {tex_factor(chain.old, d)}"
    )
    lines = [
        rf"\text{{penalty's term: }} {term} &= {term_numbers} = {tex_number(chain.penalty_term, d)}",
        rf"{grad} + {term} &= {tex_factor(chain.gradient, d)} + {tex_factor(chain.penalty_term, d)} = "
        rf"{tex_number(chain.total_gradient, d)}",
    ]
    if l1:
        s = chain.old - chain.learning_rate * chain.gradient
        lines += [
            rf"s = {p} - \text{{lr}} \cdot {grad} &= {old} - {lr} \cdot {tex_factor(chain.gradient, d)} = "
            rf"{tex_number(s, d)}",
            rf"{{{p}}}^{{\text{{new}}}} = \operatorname{{sign}}(s)\,\max(|s| - \text{{lr}}\,\lambda,\ 0) &= "
            rf"\operatorname{{sign}}({tex_number(s, d)})\,"
            rf"\max({tex_number(abs(s), d)} - {lr} \cdot {lam},\ 0) = "
            rf"{new}" + (r" \quad \text{(stopped at 0)}" if chain.stopped_at_zero else ""),
        ]
    else:
        lines.append(
            rf"{{{p}}}^{{\text{{new}}}} = {p} - \text{{lr}} \cdot \Big({grad} + {term}\Big) &= "
            rf"{old} - {lr} \cdot {tex_factor(chain.total_gradient, d)} = {new}"
        )
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def update_tex(chain: ParamChain) -> str:
    """The gradient-descent step and the new value: ``p_new = p - lr · ∂E/∂p`` (10 digits, so that the
    sum can be checked by hand even when the step is tiny next to the weight); with a penalty on the
    weight, its term in the gradient (``_penalized_update_tex``)."""
    if chain.penalized:
        return _penalized_update_tex(chain)
    p = param_tex(chain.name)
    grad = rf"\frac{{\partial E}}{{\partial {p}}}"
    lr = tex_number(chain.learning_rate, WEIGHT_DIGITS)
    old, new = tex_number(chain.old, WEIGHT_DIGITS), tex_number(chain.new, WEIGHT_DIGITS)
    step = tex_number(chain.step, WEIGHT_DIGITS)
    return (
        r"\begin{aligned}"
        rf"-\text{{lr}} \cdot {grad} &= -{lr} \cdot {tex_factor(chain.gradient, WEIGHT_DIGITS)} = {step} \\ "
        rf"{{{p}}}^{{\text{{new}}}} = {p} - \text{{lr}} \cdot {grad} &= "
        rf"{old} + {tex_factor(chain.step, WEIGHT_DIGITS)} = {new}"
        r"\end{aligned}"
    )


def matrix_form_tex(update: LayerUpdate) -> str:
    """The layer's update in matrix form (the notebook's three lines for the output layer)."""
    a = "X" if update.layer == 0 else rf"{{a^{{({update.layer})}}}}"
    if update.is_output:
        error = r"\text{error} &= y - \text{out}"
    else:
        error = rf"\text{{error}} &= \delta^{{({update.layer + 2})}}\, (W^{{({update.layer + 2})}})^\top"
    W = "w" if update.is_output and update.layer == 0 else rf"W^{{({update.layer + 1})}}"
    penalty = ""
    if update.penalty_gradient is not None:
        term = r"\lambda \operatorname{sign}" + f"({W})" if update.regularization == "l1" else rf"\lambda {W}"
        penalty = rf" - \text{{lr}} \cdot {term}"
    stop = (
        r" \quad \text{(L1: stopped at 0, never across)}" if update.regularization == "l1" and penalty else ""
    )
    return (
        r"\begin{aligned}"
        rf"{error} \\ "
        rf"\delta^{{({update.layer + 1})}} &= \text{{error}} \odot f'(z) \\ "
        rf"{W} &\leftarrow {W} + \text{{lr}} \cdot {a}^\top \delta^{{({update.layer + 1})}}{penalty}{stop}"
        r"\end{aligned}"
    )


def prediction_tex(step: PredictionLayer) -> str:
    """One layer of a prediction: ``net_j = Σ_i a_i w_ij (+ b_j)`` and ``a_j = f(net_j)`` per unit."""
    lines = []
    for j, target in enumerate(step.target_names):
        unit = unit_tex(target)
        pairs = zip(step.inputs, step.W[:, j], strict=True)
        terms = [rf"{tex_factor(x)} \cdot {tex_factor(w)}" for x, w in pairs]
        if step.b is not None:
            terms.append(tex_factor(step.b[j]))
        net = rf"\text{{net}}_{{{unit}}}"
        lines.append(rf"{net} &= {' + '.join(terms)} = {tex_number(step.z[j])}")
        f = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\operatorname{relu}", "linear": ""}.get(
            step.activation.name, step.activation.name
        )
        lines.append(rf"{unit} &= {f}({tex_number(step.z[j])}) = {tex_number(step.a[j], 8)}")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"
