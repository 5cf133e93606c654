"""Why a run does or does not learn its table, in plain words: pure checks of a finished run.

- Can it fit? A network with no hidden layer draws one straight line (plane) per output unit,
  ``w·x + b = 0``, and puts the rows with target 1 on one side. When no such line exists (XOR), the
  table is *not linearly separable* and training cannot succeed: :func:`separability` proves it
  exactly, with the rows whose averages coincide, and :func:`decision_line` gives the line the unit found.
- Dead ReLU units: a unit whose net input is negative on every row outputs 0 and has ReLU′ = 0, so no
  gradient reaches its weights and it never recovers (:func:`dead_units`).
- Vanishing gradients: a row whose output is wrong while a unit's derivative is nearly 0 (a saturated
  sigmoid or tanh) barely moves the weights (:func:`saturated_rows`); :func:`stall` flags a loss that
  stopped falling while targets are unmet.
- Rows with equal inputs but different targets cannot both be met (``TruthTable.conflicting_rows``).

:func:`diagnose` runs every check and returns the messages a UI shows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from backprop.naming import unit_name
from backprop.network import forward
from backprop.table import TruthTable, input_names, output_names
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
_EPS = 1e-9

Level = Literal["warning", "info"]
Kind = Literal["conflicting_rows", "cannot_fit", "dead_units", "stalled", "saturated"]


def _rows_text(rows: Sequence[int]) -> str:
    """1-based rows as words: "row 3", "rows 1 and 4", "rows 1, 2 and 4" (long lists shortened)."""
    rows = list(rows)
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = [str(r) for r in rows[:8]]
    if len(rows) > 8:
        return f"rows {', '.join(shown)} and {len(rows) - 8} more"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def _names_text(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _number(value: float) -> str:
    return f"{value:.3g}".replace("-", "−")


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


# ----------------------------------------------------------------------------- separability
@dataclass(frozen=True)
class Separability:
    """Whether a line (hyperplane) separates the rows with target above 0.5 from those below.

    ``separable`` is None only if the exact check failed numerically. When it is False, the rows
    ``positive`` (target above 0.5) mixed with ``positive_weights``, and the rows ``negative`` mixed
    with ``negative_weights``, both give the point ``point`` (in the varying inputs ``inputs``): a
    line with all of one group on one side has their mix there too, so no line separates the groups.
    Rows are 1-based; weights sum to 1.
    """

    output: int
    separable: bool | None
    inputs: tuple[int, ...] = ()
    positive: tuple[int, ...] = ()
    positive_weights: tuple[float, ...] = ()
    negative: tuple[int, ...] = ()
    negative_weights: tuple[float, ...] = ()
    point: tuple[float, ...] = ()

    def explanation(self, table: TruthTable) -> str:
        """Why no line works, with the rows and the shared point; empty unless not separable."""
        if self.separable is not False:
            return ""
        names = input_names(table.n_inputs)
        point = ", ".join(_number(v) for v in self.point)
        axes = ", ".join(names[i] for i in self.inputs)
        where = f"({point}) in ({axes})" if len(self.inputs) > 1 else f"{axes} = {point}"
        equal = np.ptp(self.positive_weights) < 1e-9 and np.ptp(self.negative_weights) < 1e-9
        mean = "average" if equal else "weighted average"
        high = "target 1" if _binary(table, self.output) else "target above 0.5"
        low = "target 0" if _binary(table, self.output) else "target below 0.5"
        pos, neg = _rows_text(self.positive), _rows_text(self.negative)
        return (
            f"The {mean} of {pos} ({high}) is the same point as the {mean} of {neg} ({low}): {where}. "
            f"A line with {pos} on one side has that point on that side too, so it cannot have {neg} "
            "on the other."
        )


def _binary(table: TruthTable, output: int) -> bool:
    return bool(np.isin(table.y[:, output], (0.0, 1.0)).all())


def _phase_one(
    A: FloatArray, b: FloatArray, max_pivots: int = 20_000
) -> tuple[FloatArray, FloatArray] | None:
    """Phase 1 of the simplex method (Bland's rule) for ``A v = b, v >= 0`` with ``b >= 0``.

    Returns (v, y): a basic solution minimising the artificial slack, and the dual ``y`` with
    ``y @ A <= 0`` for every column and ``y @ b`` equal to the remaining slack (so ``y @ b > 0``
    proves that no ``v`` exists). None if the pivot limit is reached.
    """
    m, n = A.shape
    # tableau [A | I | b] with the artificial basis, and the cost row of "minimise sum of artificials"
    T = np.hstack([A, np.eye(m), b[:, None]])
    cost = np.concatenate([np.zeros(n), np.ones(m), [0.0]])
    basis = list(range(n, n + m))
    reduced = cost - T.sum(axis=0)  # c - c_B B^-1 [A | I | b] with B = I
    for _ in range(max_pivots):
        entering = next((j for j in range(n + m) if reduced[j] < -_EPS), None)
        if entering is None:
            break
        column = T[:, entering]
        rows = [i for i in range(m) if column[i] > _EPS]
        if not rows:  # unbounded: impossible here, the objective is bounded below by 0
            return None
        ratios = [T[i, -1] / column[i] for i in rows]
        best = min(ratios)
        leaving = min(
            (i for i, r in zip(rows, ratios, strict=True) if r <= best + _EPS), key=lambda i: basis[i]
        )
        T[leaving] /= T[leaving, entering]
        for i in range(m):
            if i != leaving and T[i, entering] != 0:
                T[i] -= T[i, entering] * T[leaving]
        reduced = reduced - reduced[entering] * T[leaving]
        basis[leaving] = entering
    else:
        return None
    v = np.zeros(n + m)
    v[basis] = T[:, -1]
    # the artificial columns' reduced costs are 1 - y
    return v[:n], 1.0 - reduced[n : n + m]


def separability(table: TruthTable, output: int = 0, exclude: Collection[int] = ()) -> Separability:
    """Exact check that one straight line (hyperplane) separates the rows of ``output`` by target.

    Rows with target above 0.5 form one group, below 0.5 the other (0.5 itself has no side). The
    groups are separable exactly when their convex hulls are disjoint; a small linear program finds
    either a shared point (a mix of each group, returned as the proof) or a separating line (checked).
    Constant inputs are left out: a line's offset absorbs them. Rows in ``exclude`` (1-based, e.g.
    conflicting duplicates) are ignored.
    """
    inputs = table.varying_inputs()
    target = table.y[:, output]
    kept = ~np.isin(np.arange(1, table.n_rows + 1), list(exclude))
    pos, neg = np.flatnonzero((target > 0.5) & kept), np.flatnonzero((target < 0.5) & kept)
    if pos.size == 0 or neg.size == 0:
        return Separability(output, True, inputs)
    if not inputs:  # every row has the same inputs, and both groups exist
        mix = (1.0 / pos.size,) * pos.size, (1.0 / neg.size,) * neg.size
        return Separability(output, False, (), tuple(pos + 1), mix[0], tuple(neg + 1), mix[1], ())
    X = table.X[:, list(inputs)]
    # scale each column into [0, 2]: mixes are unchanged by an affine map, and the LP stays well scaled
    scale = np.abs(X).max(axis=0)
    U = X / scale
    U = U - U.min(axis=0)
    P, N = U[pos], U[neg]
    k = len(inputs)
    # unknowns: weights lam on P and mu on N; P^T lam - N^T mu = 0, sum(lam) = 1, sum(mu) = 1
    A = np.zeros((k + 2, pos.size + neg.size))
    A[:k, : pos.size] = P.T
    A[:k, pos.size :] = -N.T
    A[k, : pos.size] = 1.0
    A[k + 1, pos.size :] = 1.0
    b = np.zeros(k + 2)
    b[k:] = 1.0
    solved = _phase_one(A, b)
    if solved is None:
        return Separability(output, None, inputs)
    v, dual = solved
    if dual @ b > 1e-7:
        # the dual (w, alpha, beta) gives w·p <= -alpha < beta <= w·n for every p in P, n in N
        w = dual[:k]
        return Separability(output, True if (P @ w).max() < (N @ w).min() else None, inputs)
    lam, mu = v[: pos.size], v[pos.size :]
    keep_p, keep_n = lam > 1e-12, mu > 1e-12
    lam, mu = lam[keep_p] / lam[keep_p].sum(), mu[keep_n] / mu[keep_n].sum()
    rows_p, rows_n = pos[keep_p], neg[keep_n]
    point_p, point_n = lam @ X[rows_p], mu @ X[rows_n]
    if not np.allclose(point_p, point_n, rtol=1e-7, atol=1e-7 * float(scale.max())):
        return Separability(output, None, inputs)
    return Separability(
        output,
        False,
        inputs,
        tuple(int(r) + 1 for r in rows_p),
        tuple(float(x) for x in lam),
        tuple(int(r) + 1 for r in rows_n),
        tuple(float(x) for x in mu),
        tuple(float(x) for x in (point_p + point_n) / 2),
    )


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
            f"{_number(self.a)}·{i} {sign(self.b)} {_number(abs(self.b))}·{j} "
            f"{sign(self.c)} {_number(abs(self.c))} = 0"
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


def _conflict_message(groups: tuple[tuple[int, ...], ...]) -> Message:
    parts = [_rows_text(g) for g in groups[:4]]
    more = f" (and {len(groups) - 4} more groups)" if len(groups) > 4 else ""
    return Message(
        "conflicting_rows",
        "warning",
        f"{'; '.join(parts).capitalize()}{more}: same inputs, different targets.",
        "No network can output two values for one input, so these rows cannot all be learned exactly; "
        "the best it can do is their average.",
        "Fix: edit the targets or delete a duplicate row.",
    )


def _cannot_fit_message(run: Run, sep: Separability, line: DecisionLine | None) -> Message:
    table = run.table
    name = output_names(table.n_outputs)[sep.output]
    which = "" if table.n_outputs == 1 else f" (output {name})"
    out = run.final.output[:, sep.output]
    missed = np.flatnonzero(unmet(run.final.output, table.y)[:, sep.output]) + 1
    if np.ptp(out) < 0.02:
        state = f"Every row's output is stuck near {out.mean():.2f}, the least-bad answer for squared error"
    elif missed.size:
        verb = "misses" if missed.size == 1 else "miss"
        state = f"After {run.final.iteration:,} iterations {_rows_text(missed)} still {verb} 0.5"
    else:
        state = ""
    if line is None:
        drawn = "."
    elif line.degenerate:
        i, j = (f"x{k + 1}" for k in line.inputs)
        drawn = f"; the unit's weights on {i} and {j} shrank to about 0, so it draws no line at all."
    else:
        drawn = f"; the best line it found is {line.text()} (dashed on the decision surface)."
    body = (
        "The output unit can only draw one straight line, with outputs above 0.5 on one side. "
        f"{sep.explanation(table)} {state}{drawn if state else drawn.lstrip('; ').capitalize()}"
    )
    return Message(
        "cannot_fit",
        "warning",
        f"No hidden layer: this table{which} cannot be fit, because it is not linearly separable.",
        " ".join(body.split()),
        "Fix: add a hidden layer with 2–4 units and tick Learned biases (sidebar → Network). Each hidden "
        "unit draws its own line and the output combines them.",
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
    return f"row {s.row}: {s.name} = {_number(s.value)}, {prime} = {_number(s.slope)}"


def _stall_message(s: Stall, dead: tuple[DeadUnit, ...], found: Sequence[Saturation]) -> Message:
    drop = f"{100 * max(s.drop, 0.0):.2g}%"
    these = "this row" if len(s.rows) == 1 else "these rows"
    body = (
        f"The loss fell by only {drop} over the last {s.window:,} iterations, while {_rows_text(s.rows)} "
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
    parts = [f"{name} on {_rows_text(rows)}" for name, rows in list(by_unit.items())[:6]]
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


def through_origin_separable(table: TruthTable, output: int) -> bool | None:
    """Whether some ``w`` has ``w·x > 0`` on every row with target above 0.5 and ``w·x < 0`` on every
    row below: the only lines a unit with no bias and no constant input can draw pass through the origin.

    By Gordan's theorem such a ``w`` exists exactly when 0 is not a mix (convex combination) of the rows
    above 0.5 and the negated rows below. None if the exact check failed numerically.
    """
    target = table.y[:, output]
    V = np.vstack([table.X[target > 0.5], -table.X[target < 0.5]])
    if V.shape[0] == 0:
        return True
    A = np.vstack([V.T, np.ones(V.shape[0])])
    b = np.zeros(A.shape[0])
    b[-1] = 1.0
    solved = _phase_one(A, b)
    if solved is None:
        return None
    _, dual = solved
    return bool(dual @ b > 1e-7)


def _frozen_message(rows: tuple[int, ...], run: Run) -> Message:
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
        f"{_rows_text(rows).capitalize()}: all inputs 0 and no bias, so the output is σ(0) = 0.5 forever.",
        "Without a bias every net input is a weighted sum of the inputs, so for a row of zeros it is 0 "
        f"whatever the weights: training can never move {these} away from 0.5.{hidden}",
        "Fix: add an input column of constant 1s (as the notebook's x3) or tick Learned biases "
        "(sidebar → Network).",
    )


def _origin_message(run: Run, output: int) -> Message:
    table = run.table
    which = "" if table.n_outputs == 1 else f" (output {output_names(table.n_outputs)[output]})"
    return Message(
        "cannot_fit",
        "warning",
        f"No bias: this table{which} cannot be fit by a line through the origin.",
        "With no learned bias and no constant input column the output unit's boundary w·x = 0 always "
        "passes through the origin, and no such line puts the rows with target 1 on one side and those "
        "with target 0 on the other.",
        "Fix: add an input column of constant 1s (as the notebook's x3) or tick Learned biases "
        "(sidebar → Network).",
    )


def diagnose(run: Run) -> Diagnosis:
    """Run every check on ``run`` at its final iteration and word the findings.

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
        messages.append(_conflict_message(conflicts))
    cannot_fit = False
    frozen = [r for r in frozen_rows(run) if np.any(table.y[r - 1] != 0.5)]
    if frozen:
        messages.append(_frozen_message(tuple(frozen), run))
        cannot_fit = True
    elif run.arch.n_layers == 1 and not has_offset(run):
        for j in range(table.n_outputs):
            if through_origin_separable(table, j) is False:
                messages.append(_origin_message(run, j))
                cannot_fit = True
    if run.arch.n_layers == 1 and not cannot_fit:
        for sep in seps:
            if sep.separable is False:
                line = next((li for li in lines if li.output == sep.output), None)
                messages.append(_cannot_fit_message(run, sep, line))
                cannot_fit = True
    if dead:
        messages.append(_dead_message(run, dead))
    if stalled is not None and not cannot_fit:
        messages.append(_stall_message(stalled, dead, saturated))
    elif saturated and not cannot_fit:
        messages.append(_saturation_message(saturated))
    return Diagnosis(seps, lines, dead, saturated, stalled, conflicts, tuple(messages))
