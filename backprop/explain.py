""" "What am I looking at?": the algorithm and the charts in words, for the network being trained.

The notebook's single sigmoid unit gets the notebook's four lines; a network with hidden layers, learned
biases or several outputs gets the same steps written for its layers, with its activation's derivative.
Markdown with KaTeX (``$...$``), as Streamlit renders it.
"""

from __future__ import annotations

import numpy as np

from backprop.activations import get_activation
from backprop.datasets import FEATURES
from backprop.network import Architecture, FloatArray
from backprop.numbers import teaching_number
from backprop.sweep import Sweep
from backprop.trainer import TrainConfig, updates_per_epoch

_NOTEBOOK_DERIVATIVE = (
    "The notebook's `sigmoid_derivative(x) = x * (1 - x)` is given the unit's **output**, not its net input: "
    "$\\sigma'(z) = \\sigma(z)(1-\\sigma(z)) = \\text{out}(1-\\text{out})$. Passing $z$ there is the "
    "classic mistake."
)


def _descent(arch: Architecture) -> str:
    gradient = (
        "$\\partial E/\\partial W^{(l)} = -a^{(l-1)\\top}\\delta^{(l)}$"
        if arch.hidden
        else "$\\partial E/\\partial w = -X^\\top\\delta$"
    )
    return (
        "This is gradient descent on the squared error $E = \\tfrac12\\sum (y-\\text{out})^2$: "
        f"{gradient}, so each update steps by $-\\text{{lr}}$ times the gradient."
    )


def _units(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _single_layer(arch: Architecture) -> list[str]:
    """The notebook's steps, for a network with no hidden layer (its bias and outputs named)."""
    bias = " + b" if arch.use_bias else ""
    outputs = (
        ""
        if arch.n_outputs == 1
        else f" Each of the {arch.n_outputs} outputs is its own sigmoid unit with its own column of $w$."
    )
    update = "$w \\leftarrow w + \\text{lr}\\cdot X^\\top\\delta$"
    if arch.use_bias:
        update += ", and the bias $b \\leftarrow b + \\text{lr}\\cdot\\sum_{\\text{rows}}\\delta$"
    return [
        f"1. **Forward**: net input $z = Xw{bias}$, output "
        f"$\\text{{out}} = \\sigma(z) = 1/(1+e^{{-z}})$.{outputs}",
        "2. **Error**: $y - \\text{out}$.",
        "3. **Delta**: $\\delta = (y - \\text{out})\\cdot \\text{out}\\,(1-\\text{out})$. "
        + _NOTEBOOK_DERIVATIVE,
        f"4. **Update**: {update}.",
    ]


def _layered(arch: Architecture) -> list[str]:
    """Forward through the hidden layers, the chain rule back through them, one update per layer."""
    activation = get_activation(arch.activation)
    depth = len(arch.hidden)
    sizes = " and ".join(str(h) for h in arch.hidden)
    layers = _units(depth, "hidden layer", "hidden layers")
    bias = " + b^{(l)}" if arch.use_bias else ""
    outputs = "the sigmoid output unit" if arch.n_outputs == 1 else f"{arch.n_outputs} sigmoid output units"
    update = "$W^{(l)} \\leftarrow W^{(l)} + \\text{lr}\\cdot a^{(l-1)\\top}\\delta^{(l)}$"
    if arch.use_bias:
        update += ", and $b^{(l)} \\leftarrow b^{(l)} + \\text{lr}\\cdot\\sum_{\\text{rows}}\\delta^{(l)}$"
    return [
        "1. **Forward**, layer by layer from $a^{(0)} = X$: "
        f"$z^{{(l)}} = a^{{(l-1)}}W^{{(l)}}{bias}$, then "
        f"$a^{{(l)}} = f(z^{{(l)}})$ with $f(z) = {activation.latex}$ in the {layers} ({sizes} units), "
        f"and $\\sigma$ in {outputs}.",
        "2. **Error**: $y - \\text{out}$.",
        "3. **Output delta**: $\\delta^{(L)} = (y - \\text{out})\\cdot \\text{out}\\,(1-\\text{out})$.",
        "4. **Backward (the chain rule)**: each hidden layer's delta is the delta above it sent back "
        "through the weights, times the slope of its activation: "
        f"$\\delta^{{(l)}} = \\big(\\delta^{{(l+1)}} W^{{(l+1)\\top}}\\big)\\cdot f'(z^{{(l)}})$, with "
        f"$f'(z) = {activation.derivative_latex}$ written from the unit's output $a$. A unit whose "
        "slope is near 0 passes almost nothing back.",
        f"5. **Update**, every layer at once: {update}.",
    ]


def charts_text(arch: Architecture) -> str:
    """What the training chart shows, for this network."""
    weights = "every weight" + (" and bias" if arch.use_bias else "")
    outputs = "the output unit's" if arch.n_outputs == 1 else "the output units'"
    return (
        f"**Charts**: {weights} over the iterations, the loss $E$ (log scale), and "
        f"{outputs} sigmoid (solid) and its derivative (dashed) with each table row drawn at its net input "
        "and output. Press ▶ Play to replay training (▶▶ Fast, four times as fast): all three move "
        "together. Rows far out on the flat parts of the curve have a tiny derivative, so they barely move "
        "the weights: the vanishing gradient."
    )


def options_text(config: TrainConfig, n_train: int, n_test: int) -> list[str]:
    """What the run's options beyond the notebook change, one paragraph each: mini-batches, the penalty,
    the test set and the derived features (none for the notebook's settings)."""
    parts = []
    if config.batch_size is not None and config.batch_size < n_train:
        per_epoch = updates_per_epoch(n_train, config.batch_size)
        parts.append(
            f"**Mini-batches**: each iteration (one update) uses {config.batch_size} of the {n_train} "
            f"training rows, a new shuffle every epoch; {per_epoch} updates make one epoch, one pass "
            "through every row. The sums over the rows above are over the batch's rows."
        )
    if config.penalized:
        name = config.regularization.upper()
        rate = teaching_number(config.reg_rate)
        if config.regularization == "l2":
            penalty = "$\\lambda\\cdot\\tfrac12\\sum w^2$"
            step = (
                "adds $\\lambda w$ to each weight's gradient, pulling every weight towards 0 in proportion "
                "to its size"
            )
        else:
            penalty = "$\\lambda\\cdot\\sum |w|$"
            step = (
                "moves each weight $\\text{lr}\\cdot\\lambda$ towards 0 after the error's step, and stops it "
                "at 0 rather than letting it cross: that is how L1 sets weights to exactly 0"
            )
        parts.append(
            f"**{name} penalty** (λ = {rate}): the update descends the data error $E$ plus {penalty} over "
            f"the weights (not the biases); it {step}. The loss chart shows the penalty beside the data "
            "error."
        )
    if n_test:
        parts.append(
            f"**Test set**: {n_test} rows are held out and never trained on; their error shows how well the "
            "network does on points it has not seen. The loss chart shows the error per row, $E/n$, for the "
            f"{n_train} training and the {n_test} test rows, so the two compare."
        )
    if config.features:
        names = ", ".join(FEATURES[k].label for k in config.features)
        parts.append(
            f"**Derived features**: the network also reads {names}, computed from x1 and x2 for every row "
            "(and for every point of the decision surface)."
        )
    return parts


def explanation(
    arch: Architecture, config: TrainConfig | None = None, n_train: int = 0, n_test: int = 0
) -> str:
    """The steps of one iteration and what the charts show, for ``arch``, as Markdown; with the run's
    ``config`` and its numbers of training and test rows, what its options change as well."""
    steps = _layered(arch) if arch.hidden else _single_layer(arch)
    layers = _units(len(arch.hidden), "hidden layer", "hidden layers")
    batched = config is not None and config.batch_size is not None and config.batch_size < n_train
    rows = "a mini-batch of rows" if batched else "the whole table"
    intro = (
        f"Each iteration runs forward and backward through the {layers} over {rows}:"
        if arch.hidden
        else f"Each iteration runs the notebook's four lines over {rows}:"
    )
    extra = [] if config is None else options_text(config, n_train, n_test)
    return "\n\n".join([intro, "\n".join(steps), _descent(arch), *extra, charts_text(arch)])


def _rises(losses: FloatArray, start: float) -> FloatArray:
    """Where a recorded loss curve goes up: by more than 1 % of its last value, and by more than a
    billionth of the starting loss (a loss already at rounding level, ~1e-30, jitters: that is no rise)."""
    finite = losses[np.isfinite(losses)]
    step = finite[1:] - finite[:-1]
    return (step > 0.01 * finite[:-1]) & (step > 1e-9 * start)


def _rose(losses: FloatArray, start: float) -> bool:
    """Whether a run's recorded loss went up somewhere along the way."""
    return bool(np.any(_rises(losses, start)))


def _oscillates(losses: FloatArray, start: float) -> bool:
    """Whether a run's loss was still going up and down at the end: at least two rises in the last
    quarter of its recorded curve."""
    finite = losses[np.isfinite(losses)]
    return int(np.sum(_rises(finite[len(finite) * 3 // 4 :], start))) >= 2


def _rates(rates: FloatArray, runs: list[int]) -> str:
    """The learning rates of ``runs`` (indices into the ascending ``rates``), neighbours joined in
    ranges: "lr 6.218–11.16 and 41.6–100"; more than three ranges read "between lr a and b"."""
    n = teaching_number
    groups: list[list[int]] = []
    for r in runs:
        if groups and r == groups[-1][-1] + 1:
            groups[-1].append(r)
        else:
            groups.append([r])
    if len(groups) > 3:
        return f"between lr {n(rates[runs[0]])} and {n(rates[runs[-1]])}"
    parts = [n(rates[g[0]]) if len(g) == 1 else f"{n(rates[g[0]])}–{n(rates[g[-1]])}" for g in groups]
    return "lr " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1])


def sweep_caption(sweep: Sweep, learning_rate: float) -> str:
    """What a learning-rate sweep shows, read from its runs: which step did best, and which steps were too
    large (a loss that rose on the way and came back, one still going up and down at the end, one that
    ended above where it started or reached an infinite weight) or too small to get far."""
    rates, finals = sweep.learning_rates, sweep.final_loss
    usable = np.where(np.isfinite(finals), finals, np.nan)
    best = int(np.nanargmin(usable))
    mine = int(np.flatnonzero(rates == learning_rate)[0])
    n = teaching_number
    start = float(sweep.losses[mine, 0])  # every run starts from the same loss when they share a seed
    starts = sweep.losses[:, 0]
    text = [
        f"{sweep.n_runs} runs of this table, network, seed and {sweep.config.n_iterations:,} iterations, one "
        f"per learning rate, trained together as one batch. Yours (lr {n(learning_rate)}) ends at "
        f"E = {n(finals[mine])}; the lowest final loss is E = {n(finals[best])} at lr {n(rates[best])}."
    ]
    runs = range(sweep.n_runs)
    infinite = [r for r in runs if sweep.status[r] == "non_finite"]
    worse = [r for r in runs if r not in infinite and finals[r] > starts[r]]
    settled = set(infinite) | set(worse)
    bouncing = [r for r in runs if r not in settled and _oscillates(sweep.losses[r], starts[r])]
    settled |= set(bouncing)
    rose = [r for r in runs if r not in settled and _rose(sweep.losses[r], starts[r])]
    if rose:
        text.append(
            f"At {_rates(rates, rose)} the loss rose along the way, then settled: the step overshot the "
            "valley" + (", yet the largest step still ended lowest." if best == sweep.n_runs - 1 else ".")
        )
    if bouncing:
        text.append(
            f"At {_rates(rates, bouncing)} the loss was still jumping up and down at the end: each step "
            "overshoots the valley, back and forth (oscillation)."
        )
    if worse:
        text.append(
            f"At {_rates(rates, worse)} the run ended above the loss it started from "
            + (f"(E = {n(start)})" if np.all(starts[worse] == start) else "")
            + ": too large a step diverges."
        )
    if infinite:
        text.append(
            f"At {_rates(rates, infinite)} a weight became infinite and the run stopped: too large a step "
            "diverges."
        )
    if not (rose or bouncing or worse or infinite):
        text.append(
            f"On this table a larger step kept helping up to lr {n(rates[-1])}: no run "
            "overshot in this many iterations."
            if best == sweep.n_runs - 1
            else f"Past lr {n(rates[best])} a larger step ended higher, though no run's loss "
            "rose along the way."
        )
    smallest = finals[0]
    if np.isfinite(smallest) and smallest > 0.5 * starts[0]:
        text.append(f"The smallest step, lr {n(rates[0])}, barely moved: E = {n(smallest)}.")
    elif np.isfinite(smallest) and smallest > 10 * finals[best] + 1e-9 * starts[0]:
        text.append(f"The smallest step, lr {n(rates[0])}, is slow: it ends at E = {n(smallest)}.")
    return " ".join(text)
