"""Whether one straight line (hyperplane) can separate a table's rows by target: an exact check.

A unit with no hidden layer puts rows with output above 0.5 on one side of ``w·x + b = 0``. The groups
"target above 0.5" and "target below 0.5" are separable exactly when their convex hulls are disjoint; a
small linear program (phase 1 of the simplex method) finds either a shared point, the proof that no
line works, or a separating line. Without a bias the line must pass through the origin
(:func:`through_origin_separable`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from backprop.numbers import teaching_number
from backprop.table import TruthTable, input_names

FloatArray = NDArray[np.float64]
_EPS = 1e-9


def rows_text(rows: Sequence[int]) -> str:
    """1-based rows as words: "row 3", "rows 1 and 4", "rows 1, 2 and 4" (long lists shortened)."""
    rows = list(rows)
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = [str(r) for r in rows[:8]]
    if len(rows) > 8:
        return f"rows {', '.join(shown)} and {len(rows) - 8} more"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def short_number(value: float) -> str:
    """``value`` to 3 significant digits with a true minus sign (backprop.numbers)."""
    return teaching_number(value, 3)


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

    def explanation(self, table: TruthTable, names: Sequence[str] | None = None) -> str:
        """Why no line works, with the rows and the shared point; empty unless not separable. ``names``
        name the table's columns (default ``x1..xn``; a run's derived features have their own)."""
        if self.separable is not False:
            return ""
        names = input_names(table.n_inputs) if names is None else names
        point = ", ".join(short_number(v) for v in self.point)
        axes = ", ".join(names[i] for i in self.inputs)
        where = f"({point}) in ({axes})" if len(self.inputs) > 1 else f"{axes} = {point}"
        equal = np.ptp(self.positive_weights) < 1e-9 and np.ptp(self.negative_weights) < 1e-9
        mean = "average" if equal else "weighted average"
        high = "target 1" if _binary(table, self.output) else "target above 0.5"
        low = "target 0" if _binary(table, self.output) else "target below 0.5"
        pos, neg = rows_text(self.positive), rows_text(self.negative)
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
