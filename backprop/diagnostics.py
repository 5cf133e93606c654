"""Why a run does or does not learn its table, in plain words: pure checks of a finished run.

- Can it fit? A network with no hidden layer draws one straight line (plane) per output unit,
  ``w·x + b = 0``, and puts the rows with target 1 on one side. When no such line exists (XOR), the
  table is *not linearly separable* and training cannot succeed: backprop/separability.py proves it
  exactly, with the rows whose averages coincide, and :func:`decision_line` gives the line the unit found.
  Without any bias the line must pass through the origin, and a row of zeros stays at σ(0) = 0.5.
- Dead ReLU units: a unit whose net input is negative on every row outputs 0 and has ReLU′ = 0, so no
  gradient reaches its weights and it never recovers (:func:`dead_units`).
- Vanishing gradients: a row whose output is wrong while a unit's derivative is nearly 0 (a saturated
  sigmoid or tanh) barely moves the weights (:func:`saturated_rows`); :func:`stall` flags a loss that
  stopped falling while targets are unmet.
- Rows with equal inputs but different targets cannot both be met (``TruthTable.conflicting_rows``).

:func:`diagnose` runs every check and returns the messages a UI shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from backprop.naming import unit_name, unit_names
from backprop.network import forward
from backprop.separability import (
    Separability,
    rows_text,
    separability,
    short_number,
    through_origin_separable,
)
from backprop.table import output_names
from backprop.trainer import Run

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# A row's target is met when its output is on the target's side of 0.5 by at least this much.
DECISION_MARGIN = 0.01
# A unit is saturated when f'(z) is below this fraction of the activation's largest slope
# (σ' < 0.01 for the sigmoid, whose slope is at most 1/4; tanh' < 0.04).
SATURATION_FRACTION = 0.04
MAX_SLOPE = MappingProxyType({"sigmoid": 0.25, "tanh": 1.0})  # read-only: shared by all sessions
# A run has stalled when the loss fell by less than this fraction over the last STALL_WINDOW of it.
STALL_DROP = 0.01
STALL_WINDOW = 0.25
STALL_MIN_ITERATIONS = 200
# Below this length, a unit's weights on the two drawn inputs are no line at all.
MIN_LINE_NORM = 1e-3

Level = Literal["warning", "info"]
Kind = Literal["conflicting_rows", "cannot_fit", "dead_units", "stalled", "saturated"]


def _names_text(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# -------------------------------------------------------------------------------------- targets
def unmet(output: FloatArray, y: FloatArray) -> BoolArray:
    """Which outputs (n_rows, n_outputs) are on the wrong side of 0.5 or within ``DECISION_MARGIN`` of it.

    Targets of exactly 0.5 have no side and always count as met.
    """
    side = np.sign(y - 0.5)
    return (side != 0) & ((output - 0.5) * side < DECISION_MARGIN)


def fits(run: Run, iteration: int | None = None) -> bool:
    """Whether every row's output is on its target's side of 0.5 (by ``DECISION_MARGIN``)."""
    snapshot = run.final if iteration is None else run.snapshot_at(iteration)
    return not unmet(snapshot.output, run.table.y).any()


# ----------------------------------------------------------------------------- decision line
@dataclass(frozen=True)
class DecisionLine:
    """The line ``a·x_i + b·x_j + c = 0`` where a unit without hidden layers outputs exactly 0.5.

    ``inputs`` are the two varying input columns (0-based) ``(i, j)``; every other input is fixed at
    its constant value and folded, with the bias, into ``c``. ``degenerate`` when ``a`` and ``b`` are
    both about 0: the unit then outputs (nearly) the same value everywhere and draws no line.
    """

    output: int
    inputs: tuple[int, int]
    a: float
    b: float
    c: float

    @property
    def degenerate(self) -> bool:
        return float(np.hypot(self.a, self.b)) < MIN_LINE_NORM

    def text(self) -> str:
        """The line as an equation, e.g. ``3.1·x1 − 2·x2 + 0.4 = 0``."""
        i, j = (f"x{k + 1}" for k in self.inputs)
        sign = lambda v: "−" if v < 0 else "+"  # noqa: E731
        return (
            f"{short_number(self.a)}·{i} {sign(self.b)} {short_number(abs(self.b))}·{j} "
            f"{sign(self.c)} {short_number(abs(self.c))} = 0"
        )


def decision_line(run: Run, output: int = 0, iteration: int | None = None) -> DecisionLine | None:
    """The unit's 0.5 line over the two varying inputs, for a run with no hidden layer (else None)."""
    inputs = run.table.varying_inputs()
    if run.arch.n_layers != 1 or len(inputs) != 2:
        return None
    params = (run.final if iteration is None else run.snapshot_at(iteration)).params
    w = params.weights[0][:, output]
    constant = [k for k in range(run.table.n_inputs) if k not in inputs]
    # z = w·x (+ b) with the constant inputs at their value: sigma(z) = 0.5 exactly where z = 0
    c = float(run.table.X[0, constant] @ w[constant])
    if run.arch.use_bias:
        c += float(params.biases[0][output])
    i, j = inputs
    return DecisionLine(output, (i, j), float(w[i]), float(w[j]), c)


# ---------------------------------------------------------------------------------- dead units
@dataclass(frozen=True)
class DeadUnit:
    """A hidden ReLU unit whose net input is at most 0 on every row: it outputs 0 and gets no gradient.

    ``layer`` is the 0-based weight layer whose outputs the unit is; ``since`` the first recorded
    iteration from which it stayed dead through the end of the run.
    """

    layer: int
    unit: int
    name: str
    since: int


def _activations(run: Run, params_list: Sequence[object]) -> list[tuple[FloatArray, ...]]:
    with np.errstate(all="ignore"):
        return [forward(run.arch, p, run.table.X).a for p in params_list]  # type: ignore[arg-type]


def dead_units(run: Run) -> tuple[DeadUnit, ...]:
    """Hidden ReLU units that output 0 for every row at the run's final iteration."""
    arch = run.arch
    if arch.activation != "relu" or arch.n_layers == 1:
        return ()
    history = run.history
    states = _activations(run, [s.params for s in history])
    dead = []
    for layer in range(arch.n_layers - 1):
        final = states[-1][layer + 1]
        for unit in np.flatnonzero(~(final > 0).any(axis=0)):
            since = history[-1].iteration
            for s in range(len(history) - 1, -1, -1):
                if (states[s][layer + 1][:, unit] > 0).any():
                    break
                since = history[s].iteration
            dead.append(DeadUnit(layer, int(unit), unit_name(arch, layer + 1, int(unit)), since))
    return tuple(dead)


# ------------------------------------------------------------------------------ saturation
@dataclass(frozen=True)
class Saturation:
    """A sigmoid or tanh unit whose slope f'(z) is nearly 0 on a row whose target is unmet.

    ``row`` is 1-based; ``layer`` the 0-based weight layer (the last is the output layer).
    """

    row: int
    layer: int
    unit: int
    name: str
    activation: str
    value: float
    slope: float


def saturated_rows(run: Run) -> tuple[Saturation, ...]:
    """(row, unit) pairs at the final iteration with a tiny slope while the row's target is unmet.

    The error a row sends back through a unit is multiplied by the unit's slope f'(z), so a unit
    saturated at 0 or 1 (or ±1 for tanh) passes almost none: the vanishing gradient. For the output
    layer the row's own output must be unmet; for a hidden unit, any of the row's outputs.
    """
    arch, table = run.arch, run.table
    a = _activations(run, [run.final.params])[0]
    missed = unmet(a[-1], table.y)
    found = []
    for layer in range(arch.n_layers):
        act = arch.layer_activation(layer)
        if act.name not in MAX_SLOPE:
            continue
        slope = act.derivative(a[layer + 1])
        tiny = slope < SATURATION_FRACTION * MAX_SLOPE[act.name]
        rows_missed = missed if layer == arch.n_layers - 1 else missed.any(axis=1, keepdims=True)
        for row, unit in np.argwhere(tiny & rows_missed):
            found.append(
                Saturation(
                    int(row) + 1,
                    layer,
                    int(unit),
                    unit_name(arch, layer + 1, int(unit)),
                    act.name,
                    float(a[layer + 1][row, unit]),
                    float(slope[row, unit]),
                )
            )
    return tuple(sorted(found, key=lambda s: (s.row, s.layer, s.unit)))


# ----------------------------------------------------------------------------------- stall
@dataclass(frozen=True)
class Stall:
    """The loss fell by less than ``STALL_DROP`` over the last ``window`` iterations while ``rows``
    (1-based, not counting conflicting rows) are unmet; ``units`` are the dead or saturated units
    that block those rows' gradients."""

    start: int
    end: int
    drop: float
    rows: tuple[int, ...]
    units: tuple[str, ...]

    @property
    def window(self) -> int:
        return self.end - self.start


def stall(run: Run) -> Stall | None:
    """Whether training stopped improving with targets still unmet (needs ``STALL_MIN_ITERATIONS``)."""
    end = run.final.iteration
    if end < STALL_MIN_ITERATIONS:
        return None
    conflicting = {r for group in run.table.conflicting_rows() for r in group}
    missed = unmet(run.final.output, run.table.y).any(axis=1)
    rows = tuple(int(r) + 1 for r in np.flatnonzero(missed) if int(r) + 1 not in conflicting)
    if not rows:
        return None
    start_at = end - STALL_WINDOW * end
    first = next(s for s in run.history if s.iteration >= start_at)
    if first.iteration == end:
        return None
    E0, E1 = first.loss, run.final.loss
    drop = (E0 - E1) / E0 if E0 > 0 else 0.0
    if not drop < STALL_DROP:
        return None
    units = [d.name for d in dead_units(run)]
    units += [s.name for s in saturated_rows(run) if s.row in rows and s.name not in units]
    return Stall(first.iteration, end, float(drop), rows, tuple(dict.fromkeys(units)))


# ------------------------------------------------------------------------------------- report
@dataclass(frozen=True)
class Message:
    """One finding for the user: a short ``headline``, the ``body`` saying why, and what to do (``fix``).

    ``level`` is "warning" (the run cannot or does not learn) or "info". All three are plain text.
    """

    kind: Kind
    level: Level
    headline: str
    body: str
    fix: str = ""

    @property
    def text(self) -> str:
        """The whole message as one paragraph."""
        return " ".join(part for part in (self.headline, self.body, self.fix) if part)


@dataclass(frozen=True)
class Diagnosis:
    """Every check of a run at its final iteration, and the messages to show (most important first)."""

    separability: tuple[Separability, ...]
    lines: tuple[DecisionLine, ...]
    dead: tuple[DeadUnit, ...]
    saturated: tuple[Saturation, ...]
    stall: Stall | None
    conflicts: tuple[tuple[int, ...], ...]
    messages: tuple[Message, ...]

    @property
    def cannot_fit(self) -> bool:
        """True when the run has no hidden layer and some output is not linearly separable."""
        return any(m.kind == "cannot_fit" for m in self.messages)


def _conflict_message(groups: tuple[tuple[int, ...], ...], generated: bool = False) -> Message:
    parts = [rows_text(g) for g in groups[:4]]
    more = f" (and {len(groups) - 4} more groups)" if len(groups) > 4 else ""
    return Message(
        "conflicting_rows",
        "warning",
        f"{'; '.join(parts).capitalize()}{more}: same inputs, different targets.",
        "No network can output two values for one input, so these rows cannot all be learned exactly; "
        "the best it can do is their average.",
        "Noise puts points of both colours on one spot; a network can only average them."
        if generated
        else "Fix: edit the targets or delete a duplicate row.",
    )


def _cannot_fit_message(
    run: Run, sep: Separability, line: DecisionLine | None, generated: bool = False
) -> Message:
    table = run.table
    name = output_names(table.n_outputs)[sep.output]
    which = "" if table.n_outputs == 1 else f" (output {name})"
    out = run.final.output[:, sep.output]
    missed = np.flatnonzero(unmet(run.final.output, table.y)[:, sep.output]) + 1
    if np.ptp(out) < 0.02:
        state = f"Every row's output is stuck near {out.mean():.2f}, the least-bad answer for squared error"
    elif missed.size:
        verb = "misses" if missed.size == 1 else "miss"
        state = f"After {run.final.iteration:,} iterations {rows_text(missed)} still {verb} 0.5"
    else:
        state = ""
    if line is None:
        drawn = "."
    elif line.degenerate:
        i, j = (f"x{k + 1}" for k in line.inputs)
        drawn = f"; the unit's weights on {i} and {j} shrank to about 0, so it draws no line at all."
    else:
        drawn = f"; the best line it found is {line.text()} (dashed on the decision surface)."
    names = unit_names(run.arch, run.config.features)[0]
    body = (
        "The output unit can only draw one straight line, with outputs above 0.5 on one side. "
        f"{sep.explanation(table, names)} {state}{drawn if state else drawn.lstrip('; ').capitalize()}"
    )
    fix = (
        "Fix: add a hidden layer with 2–4 units and tick Learned biases (sidebar → Network). Each hidden "
        "unit draws its own line and the output combines them."
    )
    if generated:
        fix = (
            "Fix: add a hidden layer (sidebar → Network), or derived features such as x1² and x2² that a "
            "line in their space can separate. With noise, some points may stay on the wrong side whatever "
            "the network."
        )
    subject = "these points" if generated else "this table"
    return Message(
        "cannot_fit",
        "warning",
        f"No hidden layer: {subject}{which} cannot be fit, because {'they are' if generated else 'it is'} "
        "not linearly separable.",
        " ".join(body.split()),
        fix,
    )


def _dead_message(run: Run, dead: tuple[DeadUnit, ...]) -> Message:
    def when(since: int) -> str:
        return "from the start" if since == 0 else f"since iteration {since:,}"

    if len({d.since for d in dead}) == 1:
        names = f"{_names_text([d.name for d in dead])} ({when(dead[0].since)})"
    else:
        names = _names_text([f"{d.name} ({when(d.since)})" for d in dead])
    n_units, alive = sum(run.arch.hidden), sum(run.arch.hidden) - len(dead)
    if len(dead) == 1:
        headline = f"Dead ReLU unit: {names} outputs 0 for every row."
        body = "Its net input is z ≤ 0 on every row, so ReLU′(z) = 0: no gradient reaches its incoming "
        body += "weights and it can never come back."
    else:
        headline = f"Dead ReLU units: {names} output 0 for every row."
        body = "Each has net input z ≤ 0 on every row, so ReLU′(z) = 0: no gradient reaches their incoming "
        body += "weights and they can never come back."
    if fits(run):
        body += " The other units still fit the table."
    else:
        body += f" Only {alive} of {n_units} hidden units are left to do the work, and the table is not fit."
    return Message(
        "dead_units",
        "warning",
        headline,
        body,
        "Try another seed, a smaller learning rate, more hidden units, or the tanh or sigmoid activation.",
    )


def _slope_example(found: Sequence[Saturation]) -> str:
    """The flattest (row, unit) pair as numbers, e.g. "row 1: h1 = 2.9e-20, σ′ = 2.9e-20"."""
    s = min(found, key=lambda s: s.slope)
    prime = "σ′" if s.activation == "sigmoid" else "tanh′"
    return f"row {s.row}: {s.name} = {short_number(s.value)}, {prime} = {short_number(s.slope)}"


def _stall_message(s: Stall, dead: tuple[DeadUnit, ...], found: Sequence[Saturation]) -> Message:
    drop = f"{100 * max(s.drop, 0.0):.2g}%"
    these = "this row" if len(s.rows) == 1 else "these rows"
    body = (
        f"The loss fell by only {drop} over the last {s.window:,} iterations, while {rows_text(s.rows)} "
        f"{'is' if len(s.rows) == 1 else 'are'} still on the wrong side of 0.5 (or undecided)."
    )
    saturated = [u for u in s.units if u not in {d.name for d in dead}]
    if dead:
        body += f" The dead ReLU units ({_names_text([d.name for d in dead])}) pass no gradient."
    if saturated:
        units = f"unit {saturated[0]} is" if len(saturated) == 1 else f"units {_names_text(saturated)} are"
        example = _slope_example([f for f in found if f.row in s.rows and f.name in saturated])
        body += (
            f" For {these} {units} saturated ({example}): the error sent back through a unit is multiplied "
            "by its slope, so it vanishes (the vanishing gradient)."
        )
    if not s.units:
        body += " Their gradient is small but has not vanished."
        fix = "Try more iterations or a larger learning rate."
    else:
        fix = "Try another seed, a smaller learning rate, or more hidden units."
    return Message("stalled", "warning", "Training has stalled.", body, fix)


def _saturation_message(found: tuple[Saturation, ...]) -> Message:
    by_unit: dict[str, list[int]] = {}
    for s in found:
        by_unit.setdefault(s.name, []).append(s.row)
    parts = [f"{name} on {rows_text(rows)}" for name, rows in list(by_unit.items())[:6]]
    return Message(
        "saturated",
        "info",
        f"Vanishing gradient: {'; '.join(parts)} ({_slope_example(found)}).",
        "There the unit sits on a flat part of its curve (slope nearly 0) while the row's output is still "
        "wrong, and the error sent back through it is multiplied by that slope, so those rows barely move "
        "the weights.",
    )


# ------------------------------------------------------------------------- no bias, no offset
def has_offset(run: Run) -> bool:
    """Whether the first layer can shift its net inputs: learned biases, or a constant non-zero input
    column (the notebook's x3 = 1)."""
    X = run.table.X
    constant = np.all(X[:1] == X, axis=0) & (X[0] != 0)
    return run.arch.use_bias or bool(constant.any())


def frozen_rows(run: Run) -> tuple[int, ...]:
    """Rows (1-based) whose output is σ(0) = 0.5 whatever the weights: all inputs 0, no learned bias,
    and every hidden activation maps 0 to 0 (tanh, ReLU), so every net input on the way is 0."""
    arch = run.arch
    if arch.use_bias or (arch.hidden and arch.activation == "sigmoid"):
        return ()
    return tuple(int(r) + 1 for r in np.flatnonzero(np.all(run.table.X == 0, axis=1)))


def _offset_fix(generated: bool) -> str:
    """How to give the first layer an offset: a constant-1 column is for a truth table one edits."""
    if generated:
        return "Fix: tick Learned biases (sidebar → Network)."
    return (
        "Fix: add an input column of constant 1s (as the notebook's x3) or tick Learned biases "
        "(sidebar → Network)."
    )


def _frozen_message(rows: tuple[int, ...], run: Run, generated: bool = False) -> Message:
    these = "this row" if len(rows) == 1 else "these rows"
    hidden = (
        ""
        if not run.arch.hidden
        else f" Its {run.arch.activation} hidden units give 0 for a net input of 0, so the zeros reach "
        "the output unchanged."
    )
    return Message(
        "cannot_fit",
        "warning",
        f"{rows_text(rows).capitalize()}: all inputs 0 and no bias, so the output is σ(0) = 0.5 forever.",
        "Without a bias every net input is a weighted sum of the inputs, so for a row of zeros it is 0 "
        f"whatever the weights: training can never move {these} away from 0.5.{hidden}",
        _offset_fix(generated),
    )


def _origin_message(run: Run, output: int, generated: bool = False) -> Message:
    table = run.table
    which = "" if table.n_outputs == 1 else f" (output {output_names(table.n_outputs)[output]})"
    return Message(
        "cannot_fit",
        "warning",
        f"No bias: this table{which} cannot be fit by a line through the origin.",
        "With no learned bias and no constant input column the output unit's boundary w·x = 0 always "
        "passes through the origin, and no such line puts the rows with target 1 on one side and those "
        "with target 0 on the other.",
        _offset_fix(generated),
    )


def diagnose(run: Run, generated: bool = False) -> Diagnosis:
    """Run every check on ``run`` at its final iteration and word the findings; ``generated``: the table is
    a generated dataset, which has no columns to edit (the fixes say so).

    Messages, most important first: conflicting rows; "cannot fit" (rows of zeros with no bias, stuck
    at 0.5; no hidden layer and no offset, where no line through the origin separates the rows; no hidden
    layer and an output that is not linearly separable, with why, the line found and the fix); dead ReLU
    units; a stall (not reported when "cannot fit" already explains it); vanishing gradients while not
    stalled.
    """
    table = run.table
    conflicts = table.conflicting_rows()
    conflicting = {r for group in conflicts for r in group}
    seps = tuple(separability(table, j, conflicting) for j in range(table.n_outputs))
    lines = tuple(line for j in range(table.n_outputs) if (line := decision_line(run, j)) is not None)
    dead = dead_units(run)
    saturated = saturated_rows(run)
    stalled = stall(run)
    messages = []
    if conflicts:
        messages.append(_conflict_message(conflicts, generated))
    cannot_fit = False
    frozen = [r for r in frozen_rows(run) if np.any(table.y[r - 1] != 0.5)]
    if frozen:
        messages.append(_frozen_message(tuple(frozen), run, generated))
        cannot_fit = True
    elif run.arch.n_layers == 1 and not has_offset(run):
        for j in range(table.n_outputs):
            if through_origin_separable(table, j) is False:
                messages.append(_origin_message(run, j, generated))
                cannot_fit = True
    if run.arch.n_layers == 1 and not cannot_fit:
        for sep in seps:
            if sep.separable is False:
                line = next((li for li in lines if li.output == sep.output), None)
                messages.append(_cannot_fit_message(run, sep, line, generated))
                cannot_fit = True
    if dead:
        messages.append(_dead_message(run, dead))
    if stalled is not None and not cannot_fit:
        messages.append(_stall_message(stalled, dead, saturated))
    elif saturated and not cannot_fit:
        messages.append(_saturation_message(saturated))
    return Diagnosis(seps, lines, dead, saturated, stalled, conflicts, tuple(messages))
