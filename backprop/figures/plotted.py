"""Numbers as they are plotted: rounded for short JSON, gaps for non-finite values, axis ranges."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
# Row points closer than these fractions of the axes' spans share one label ("rows 2, 3").
_SAME_SPOT = (0.04, 0.06)


def round_sig(values: object, digits: int) -> FloatArray:
    """``values`` rounded to ``digits`` significant digits: the same picture in shorter JSON."""
    a = np.array(values, dtype=np.float64)
    nonzero = np.isfinite(a) & (a != 0)
    if not nonzero.any():
        return a
    v = a[nonzero]
    decimals = digits - 1 - np.floor(np.log10(np.abs(v))).astype(np.int64)
    # powers of ten up to 1e22 are exact doubles, so k / 10**d is the double nearest the decimal
    up = (decimals >= 0) & (decimals <= 22)
    scale = 10.0 ** decimals[up]
    v[up] = np.round(v[up] * scale) / scale
    down = (decimals < 0) & (decimals >= -22)
    scale = 10.0 ** -decimals[down]
    v[down] = np.round(v[down] / scale) * scale
    extreme = np.abs(decimals) > 22  # below 1e-17 or above 1e27: rare, so format them one by one
    if extreme.any():
        v[extreme] = [float(f"{x:.{digits}g}") for x in v[extreme]]
    a[nonzero] = v
    return a


def as_list(values: FloatArray) -> list[Any]:
    """A JSON-ready list; non-finite values become ``None`` (a gap) rather than invalid JSON."""
    finite = np.isfinite(values)
    if finite.all():
        return values.tolist()
    out = values.astype(object)
    out[~finite] = None
    return out.tolist()


def finite_span(*arrays: FloatArray) -> tuple[float, float]:
    """The smallest and largest finite value of all ``arrays`` (0 and 1 when there is none)."""
    values = np.concatenate([np.ravel(a) for a in arrays])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    return float(values.min()), float(values.max())


def padded(low: float, high: float, fraction: float, minimum: float) -> list[float]:
    """``[low, high]`` widened by ``fraction`` of its span on each side, and to a span of at least
    ``2 * minimum`` (about its middle): a range that hardly changes would otherwise get tick labels so
    long ("0.1250001") that they spill out of their plot."""
    span = high - low
    if not np.isfinite(span):
        return [low, high]
    pad = span * fraction
    if span + 2 * pad < 2 * minimum:
        pad = max(minimum - span / 2, 0.05 * max(abs(low), abs(high)) if span == 0 else 0.0)
    return [low - pad, high + pad]


def loss_floor(loss: FloatArray) -> float:
    """The smallest positive loss (1e-12 if there is none): a log axis cannot show E = 0, so the loss is
    drawn at this value at least."""
    positive = loss[np.isfinite(loss) & (loss > 0)]
    return float(positive.min()) if positive.size else 1e-12


def curve_grid(half_width: float) -> FloatArray:
    """Sample points of an activation curve on ``[-half_width, half_width]``: even over the axis, and
    dense where a sigmoid bends (|z| < 8)."""
    bend = min(8.0, half_width)
    return np.union1d(half_width * np.linspace(-1.0, 1.0, 161), np.linspace(-bend, bend, 97))


def shared_labels(
    x: FloatArray, y: FloatArray, spans: tuple[float, float], rows: Sequence[int] | None = None
) -> list[str]:
    """Labels for points at ``(x, y)`` of table ``rows`` (default 1, 2, ...): a row's number, or one
    label for points drawn on the same spot ("rows 1, 4" on the first of them, nothing on the others),
    never two numbers printed on top of each other (read as "14"). Points are on the same spot when they
    are closer than ``_SAME_SPOT`` of the axes' ``spans``; a non-finite point is never on anyone's spot."""
    n = len(x)
    numbers = list(range(1, n + 1)) if rows is None else [int(r) for r in rows]
    group = list(range(n))
    near_x, near_y = _SAME_SPOT[0] * spans[0], _SAME_SPOT[1] * spans[1]
    finite = np.isfinite(x) & np.isfinite(y)
    for i in np.flatnonzero(finite):
        for j in np.flatnonzero(finite[:i]):
            if abs(x[i] - x[j]) < near_x and abs(y[i] - y[j]) < near_y:
                group[i] = group[j]
                break
    labels = []
    for i in range(n):
        members = sorted({numbers[r] for r in range(n) if group[r] == i})
        if group[i] != i:
            labels.append("")
        elif len(members) == 1:
            labels.append(str(members[0]))
        else:
            labels.append("rows " + ", ".join(str(r) for r in members))
    return labels


def shared_labels_by_series(Z: FloatArray, A: FloatArray, spans: tuple[float, float]) -> list[list[str]]:
    """``shared_labels`` for several series of row points at ``(Z, A)`` (rows × series, e.g. the units of
    a layer): points of any series on one spot share one label ("rows 1, 4")."""
    n_rows, n_series = Z.shape
    rows = np.tile(np.arange(1, n_rows + 1), n_series)
    flat = shared_labels(Z.T.ravel(), A.T.ravel(), spans, rows)
    return [flat[u * n_rows : (u + 1) * n_rows] for u in range(n_series)]
