"""One sentence per chart for screen readers: what the chart shows and its values at the shown iteration.

Each function takes what its figure builder takes and returns plain text (no markup), its numbers written
as the page writes them (``teaching_number``). Long lists (many weights, many rows) are summarised, so a
sentence stays about 300 characters at most. The values come from the figure modules' own helpers, so a
summary and its chart cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from backprop.diagnostics import unmet
from backprop.figures.diagram import _edge_values, _edges
from backprop.figures.frames import Frames
from backprop.figures.hidden import _points
from backprop.figures.surface import _surfaces, surface_inputs, surface_range
from backprop.figures.weights import series_layout, series_values
from backprop.naming import unit_names
from backprop.network import forward
from backprop.numbers import teaching_number as n
from backprop.sweep import Sweep
from backprop.table import output_names
from backprop.trainer import Run, Snapshot

FloatArray = NDArray[np.float64]

# Named one by one up to these counts; more are summarised (how many, their range, the largest).
MAX_LISTED_WEIGHTS = 4
MAX_LISTED_VALUES = 8


def _shown(run: Run, selected_iteration: int | None) -> Snapshot:
    """The state a figure opens on: ``selected_iteration`` exactly, default the last."""
    return run.final if selected_iteration is None else run.snapshot_at(selected_iteration)


def _alone(snapshot: Snapshot) -> Frames:
    """One snapshot as the frames of a view, for the figure modules' per-frame helpers."""
    return Frames((snapshot,), 0, np.array([0]))


def _when(run: Run, snapshot: Snapshot) -> str:
    return f"at iteration {snapshot.iteration:,} of {run.final.iteration:,}"


def _count(k: int, noun: str) -> str:
    return f"{k:,} {noun}" + ("" if k == 1 else "s")


def _listed(pairs: Iterable[tuple[str, float]]) -> str:
    return ", ".join(f"{name} = {n(value)}" for name, value in pairs)


def _span(values: FloatArray) -> str:
    return f"from {n(np.nanmin(values))} to {n(np.nanmax(values))}"


def _parameters(run: Run, snapshot: Snapshot, signs: bool = False) -> str:
    """How many weights (and biases) the network has, optionally how many are positive and negative,
    and the largest by size, named as the network diagram's edges."""
    edges = _edges(run.arch, run.config.features)
    values = _edge_values(edges, snapshot)
    k = int(np.argmax(np.abs(values)))
    kinds = "weights and biases" if run.arch.use_bias else "weights"
    split = f" ({int((values > 0).sum())} positive, {int((values < 0).sum())} negative)" if signs else ""
    return f"{len(edges):,} {kinds}{split}, the largest |w| {edges[k][3]} = {n(values[k])}"


def _weights(run: Run, snapshot: Snapshot) -> str:
    """The weights panel: each of its lines when few (weights, biases, hidden layers' norms), else the
    number of parameters and the largest."""
    names = [name for name, *_ in series_layout(run.arch)]
    if len(names) > MAX_LISTED_WEIGHTS:
        return _parameters(run, snapshot)
    values = series_values(run.arch, [snapshot])[:, 0].tolist()
    return "weights " + _listed(zip(names, values, strict=True))


def _sides(output: FloatArray, y: FloatArray) -> str:
    """How many outputs are on their target's side of 0.5, as the diagnostics count them."""
    return f"{int((~unmet(output, y)).sum())} of {output.size} on their target's side of 0.5"


def _outputs(run: Run, snapshot: Snapshot) -> str:
    """Where the rows sit on the output sigmoid: every output when few, else their range."""
    out, table = snapshot.output, run.table
    rows = f"the {_count(table.n_rows, 'row')} sit at"
    if out.size > MAX_LISTED_VALUES:
        return f"{rows} outputs {_span(out)}, {_sides(out, table.y)}"
    names = unit_names(run.arch)[-1]
    return f"{rows} " + " and ".join(
        f"{name} = " + ", ".join(n(v) for v in out[:, k]) for k, name in enumerate(names)
    )


def _loss(run: Run, snapshot: Snapshot) -> str:
    """The loss panel's values: E (per row with a test set, and the test error beside it), the penalty."""
    per_row = run.test_table is not None
    scale = 1.0 / run.table.n_rows if per_row else 1.0
    name = "training error per row E/n" if per_row else "loss E"
    start, now = scale * run.history[0].loss, scale * snapshot.loss
    if snapshot.iteration == 0:
        text = f"{name} = {n(start)}"
    else:
        trend = "down" if now < start else "up" if now > start else "unchanged"
        text = f"{name} = {n(now)}, {trend} from {n(start)} at iteration 0"
    if run.test_table is not None and snapshot.test_loss is not None:
        text += f", test error per row {n(snapshot.test_loss / run.test_table.n_rows)}"
    if run.config.penalized:
        text += f", {run.config.regularization.upper()} penalty {n(scale * snapshot.penalty)}"
    return text


def training_summary(run: Run, selected_iteration: int | None = None) -> str:
    """The training chart (``training_figure``) in one sentence: the weights, the loss and where the rows
    sit on the output sigmoid, at ``selected_iteration`` (default the last)."""
    s = _shown(run, selected_iteration)
    return f"Training chart {_when(run, s)}: {_weights(run, s)}; {_loss(run, s)}; {_outputs(run, s)}."


def _units(run: Run, row: int, snapshot: Snapshot) -> str:
    """One row's hidden values (when few) and outputs with their targets, as the diagram's nodes show."""
    arch, table = run.arch, run.table
    with np.errstate(all="ignore"):
        a = forward(arch, snapshot.params, table.X[row : row + 1]).a
    names = unit_names(arch)
    hidden = [
        (name, float(v))
        for level in range(1, arch.n_layers)
        for name, v in zip(names[level], a[level][0], strict=True)
    ]
    outputs = ", ".join(
        f"{name} = {n(v)} (target {n(y)})"
        for name, v, y in zip(names[-1], a[-1][0], table.y[row], strict=True)
    )
    return (_listed(hidden) + " → " if 0 < len(hidden) <= MAX_LISTED_VALUES else "") + outputs


def network_summary(run: Run, row: int = 0, selected_iteration: int | None = None) -> str:
    """The network diagram (``network_figure``) in one sentence: one row's values on the units, and the
    weights' signs and largest size."""
    s = _shown(run, selected_iteration)
    inputs = ", ".join(f"{v:.3g}" for v in run.table.X[row, : run.n_table_inputs])
    return (
        f"Network diagram {_when(run, s)} for row {row + 1} [{inputs}]: {_units(run, row, s)}; "
        f"{_parameters(run, s, signs=True)}."
    )


def surface_summary(
    run: Run, output: int = 0, selected_iteration: int | None = None, discretize: bool = False
) -> str:
    """The decision surface (``decision_surface_figure``) in one sentence: how much of the square the
    output puts above 0.5, and how many rows (training, then test) are on their target's side."""
    table, s = run.table, _shown(run, selected_iteration)
    inputs = surface_inputs(run)
    if len(inputs) != 2:
        raise ValueError(f"A decision surface needs exactly 2 varying inputs; this table has {len(inputs)}.")
    x_i, x_j = (unit_names(run.arch, run.config.features)[0][k] for k in inputs)
    out = unit_names(run.arch)[-1][output]
    above = float((_surfaces(run, output, _alone(s))[1][0] > 0.5).mean())
    low, high = surface_range(run, inputs)
    colours = " in two colours (above or below 0.5)" if discretize else ""
    rows = "training rows" if run.test_table is not None else "rows"
    sentence = (
        f"Decision surface{colours} of {out} over {x_i} and {x_j}, each from {n(low)} to {n(high)}, "
        f"{_when(run, s)}: {out} is above 0.5 on {above:.0%} of the square; {rows}: "
        f"{_sides(s.output[:, [output]], table.y[:, [output]])}"
    )
    if run.test_table is not None:
        with np.errstate(all="ignore"):
            test = forward(run.arch, s.params, run.test_table.X).output
        sentence += f"; test rows: {_sides(test[:, [output]], run.test_table.y[:, [output]])}"
    return sentence + "."


def row_error_summary(run: Run, selected_iteration: int | None = None) -> str:
    """The per-row error (``row_error_figure``) in one sentence: every row's ``|y − out|`` when few, else
    the largest and smallest, and how many are above 0.5."""
    table, s = run.table, _shown(run, selected_iteration)
    labels = [
        f"row {r + 1}" if table.n_outputs == 1 else f"row {r + 1}, {name}"
        for r in range(table.n_rows)
        for name in output_names(table.n_outputs)
    ]
    errors = np.abs(table.y - s.output).ravel()  # row-major (row, output), as the figure's lines
    if errors.size <= MAX_LISTED_VALUES:
        values = _listed(zip(labels, errors.tolist(), strict=True))
    else:
        hi, lo = int(np.nanargmax(errors)), int(np.nanargmin(errors))
        values = f"largest {labels[hi]} = {n(errors[hi])}, smallest {labels[lo]} = {n(errors[lo])}"
    return (
        f"Error of each row |y − out| {_when(run, s)}: {values}; "
        f"{int((errors > 0.5).sum())} of {errors.size} above 0.5."
    )


def hidden_summary(run: Run, layer: int = 0, selected_iteration: int | None = None) -> str:
    """A hidden layer's chart (``hidden_activation_figure``) in one sentence: where its points sit on the
    curve and how many are ringed (slope about 0)."""
    arch, s = run.arch, _shown(run, selected_iteration)
    if not 0 <= layer < len(arch.hidden):
        raise ValueError(f"The network has {len(arch.hidden)} hidden layers; layer {layer} does not exist.")
    Z, A, flat = _points(run, layer, _alone(s))
    which = "" if len(arch.hidden) == 1 else f" {layer + 1}"
    return (
        f"Hidden layer{which} ({arch.layer_activation(layer).name}) {_when(run, s)}: "
        f"{_count(run.table.n_rows, 'row')} through {_count(arch.hidden[layer], 'unit')}, net inputs z "
        f"{_span(Z)}, outputs {_span(A)}; {int(flat.sum())} of {flat.size} points ringed where the slope "
        "is about 0."
    )


def comparison_summary(runs: Sequence[Run]) -> str:
    """The activation comparison (``activation_comparison_figure``) in one sentence: each activation's
    final loss, and the lowest."""
    if not runs:
        raise ValueError("comparison_summary needs at least one run.")
    finals = np.array([r.final.loss for r in runs])
    best = runs[int(np.argmin(np.where(np.isnan(finals), np.inf, finals)))].config.activation
    each = "; ".join(
        f"{r.config.activation} E = {n(r.final.loss)} after {r.final.iteration:,} iterations" for r in runs
    )
    return f"Loss with each hidden activation (same table, seed and learning rate): {each}; lowest: {best}."


def sweep_summary(result: Sweep, chosen_learning_rate: float) -> str:
    """The learning-rate sweep (``sweep_figure``) in one sentence: the lowest final loss and its learning
    rate, where the chosen learning rate ends, and how many runs reached an infinite weight."""
    rates, finals = result.learning_rates, result.final_loss
    parts = []
    if np.isfinite(finals).any():
        best = int(np.nanargmin(np.where(np.isfinite(finals), finals, np.nan)))
        parts.append(f"the lowest final loss is E = {n(finals[best])} at lr {n(rates[best])}")
    mine = np.flatnonzero(rates == chosen_learning_rate)
    if mine.size:
        parts.append(f"yours (lr {n(chosen_learning_rate)}) ends at E = {n(finals[mine[0]])}")
    infinite = sum(status == "non_finite" for status in result.status)
    if infinite:
        parts.append(f"{_count(infinite, 'run')} reached an infinite weight")
    head = (
        f"Learning-rate sweep of {_count(result.n_runs, 'run')} from lr {n(rates.min())} to "
        f"{n(rates.max())}, {result.config.n_iterations:,} iterations each"
    )
    return head + (": " + "; ".join(parts) if parts else "") + "."
