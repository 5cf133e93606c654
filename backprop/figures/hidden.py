"""A hidden layer's activation curve with every (row, unit) on it at ``(z, a)``, flat spots ringed."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from backprop.activations import Activation
from backprop.diagnostics import MAX_SLOPE, SATURATION_FRACTION
from backprop.figures.controls import view_controls
from backprop.figures.frames import FRAME_NUMBER_BUDGET, MAX_FRAMES, Frames, view_frames
from backprop.figures.layout import axis, view_figure, view_layout
from backprop.figures.plotted import as_list, curve_grid, round_sig, shared_labels_by_series
from backprop.figures.style import (
    FLAT_RING,
    MAX_LABELLED_ROWS,
    NEUTRAL,
    PALETTE,
    ROW_SYMBOLS,
    SMALL_FONT_SIZE,
)
from backprop.naming import unit_names
from backprop.network import forward
from backprop.trainer import Run

FloatArray = NDArray[np.float64]
Spec = dict[str, Any]

# Slope below which a hidden unit counts as saturated (σ′ < 0.01, tanh′ < 0.04), as diagnostics says.
SATURATED_SLOPE = MappingProxyType({name: SATURATION_FRACTION * slope for name, slope in MAX_SLOPE.items()})


def _points(run: Run, layer: int, frames: Frames) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Net inputs ``z`` and outputs ``a`` of the layer's units, (n_frames, rows, units), unrounded, and
    where their slope is nearly 0 (saturated, or an inactive ReLU)."""
    act = run.arch.layer_activation(layer)
    with np.errstate(all="ignore"):
        passes = [forward(run.arch, s.params, run.table.X) for s in frames.snapshots]
        Z = np.stack([p.z[layer] for p in passes])
        A = np.stack([p.a[layer + 1] for p in passes])
        slope = act.derivative(A)
    if act.name == "linear":  # slope 1 everywhere: never flat
        return Z, A, np.zeros(A.shape, dtype=bool)
    flat = slope < SATURATED_SLOPE[act.name] if act.name in SATURATED_SLOPE else ~(A > 0)
    return Z, A, flat


def _curve_traces(act: Activation, half: float, symbol: str) -> list[Spec]:
    """The activation ``f(z)`` and its slope ``f′(z)`` (dashed) over ``[-half, half]``."""
    zs = curve_grid(half)
    with np.errstate(all="ignore"):
        curve = act.function(zs)
        curve_slope = act.derivative(curve)
    return [
        {
            "type": "scatter",
            "uid": "curve",
            "x": round_sig(zs, 5).tolist(),
            "y": round_sig(curve, 5).tolist(),
            "mode": "lines",
            "line": {"color": NEUTRAL, "width": 3},
            "name": f"{act.name}(z)",
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "uid": "slope",
            "x": round_sig(zs, 5).tolist(),
            "y": round_sig(curve_slope, 5).tolist(),
            "mode": "lines",
            "line": {"color": NEUTRAL, "width": 3, "dash": "dash"},
            "name": f"slope {symbol}′(z)",
            "hoverinfo": "skip",
        },
    ]


def _unit_trace(u: int, name: str, labels: list[str] | None, Z: FloatArray, A: FloatArray) -> Spec:
    """Unit ``u``'s points, one per row at ``(Z, A)``, with their ``labels`` (none: hover only, and
    smaller points, so that hundreds of rows stay apart)."""
    return {
        "type": "scatter",
        "uid": f"unit-{u}",
        "x": as_list(Z),
        "y": as_list(A),
        "mode": "markers" if labels is None else "markers+text",
        "text": labels,
        "customdata": list(range(1, len(Z) + 1)),
        "textposition": "top right" if u % 2 == 0 else "bottom right",
        "textfont": {"size": SMALL_FONT_SIZE, "color": PALETTE[u % len(PALETTE)]},
        "marker": {
            "size": 13 if labels is not None or len(Z) <= MAX_LABELLED_ROWS else 7,
            "color": PALETTE[u % len(PALETTE)],
            "symbol": ROW_SYMBOLS[u % len(ROW_SYMBOLS)],
            "line": {"color": NEUTRAL, "width": 1},
        },
        "name": name,
        "hovertemplate": "row %{customdata}<br>z = %{x:.4g}<br>" + name + " = %{y:.4g}<extra></extra>",
    }


def _rings(Zr: FloatArray, Ar: FloatArray, flat: NDArray[np.bool_], f: int) -> Spec:
    """The points at frame ``f`` whose slope is nearly 0."""
    r, u = np.nonzero(flat[f])
    return {"type": "scatter", "x": as_list(Zr[f, r, u]), "y": as_list(Ar[f, r, u])}


def _ring_trace(act: Activation, rings: Spec, small: bool = False) -> Spec:
    """Rings around the points whose slope is nearly 0 (``rings``: their x and y)."""
    if act.name == "relu":
        label = "inactive: z ≤ 0, slope 0"
    elif act.name in SATURATED_SLOPE:
        label = f"saturated: slope < {SATURATED_SLOPE[act.name]:g}"
    else:
        label = f"never flat: {act.name} has slope 1"

    return {
        "type": "scatter",
        "uid": "flat",
        "x": rings["x"],
        "y": rings["y"],
        "mode": "markers",
        "marker": {
            "size": 14 if small else 26,
            "symbol": "circle-open",
            "color": FLAT_RING,
            "line": {"width": 2 if small else 3},
        },
        "name": label,
        "hoverinfo": "skip",
    }


def _y_range(name: str, half: float) -> list[float]:
    """The output axis of activation ``name`` whose z axis is ``[-half, half]``."""
    if name == "relu":
        return [-0.08 * half, 1.08 * half]
    if name == "linear":
        return [-1.08 * half, 1.08 * half]
    return [-1.12, 1.12] if name == "tanh" else [-0.08, 1.08]


def hidden_activation_figure(
    run: Run, layer: int = 0, selected_iteration: int | None = None, max_frames: int = MAX_FRAMES
) -> go.Figure:
    """A hidden layer's activation curve with every (row, unit) at its ``(z, a)``; flat spots marked.

    The hidden-layer counterpart of the output sigmoid in ``training_figure``: the curve ``f(z)``
    and its slope ``f′(z)`` (dashed), one point set per unit (colour) with one point per row, and
    rings around the points whose slope is nearly 0 (``SATURATED_SLOPE``: sigmoid σ′ < 0.01, tanh
    tanh′ < 0.04; ReLU: inactive, z ≤ 0), where almost no error passes back. The figure opens on
    ``selected_iteration`` exactly (default the last).

    Raises
    ------
    ValueError
        if the run has no hidden layer ``layer`` (0-based).
    """
    arch, table = run.arch, run.table
    if not 0 <= layer < len(arch.hidden):
        raise ValueError(f"The network has {len(arch.hidden)} hidden layers; layer {layer} does not exist.")
    act = arch.layer_activation(layer)
    n_units = arch.hidden[layer]
    per_frame = 4 * table.n_rows * n_units + 2
    frames = view_frames(run, per_frame, FRAME_NUMBER_BUDGET, max_frames, selected_iteration)
    Z, A, flat = _points(run, layer, frames)
    Zr, Ar = round_sig(Z, 5), round_sig(A, 5)
    finite = np.abs(Z[np.isfinite(Z)])
    half = max(4.0, 1.08 * float(finite.max())) if finite.size else 4.0
    symbol = "f" if act.name in ("relu", "linear") else ("σ" if act.name == "sigmoid" else "tanh")
    data = _curve_traces(act, half, symbol)
    y_range = _y_range(act.name, half)
    spans = (2 * half, y_range[1] - y_range[0])
    labelled = table.n_rows * n_units <= 2 * MAX_LABELLED_ROWS
    labels = [
        shared_labels_by_series(Zr[f], Ar[f], spans) if labelled else None
        for f in range(len(frames.snapshots))
    ]
    f0 = frames.active
    for u, name in enumerate(unit_names(arch)[layer + 1]):
        shown = labels[f0][u] if labels[f0] else None
        data.append(_unit_trace(u, name, shown, Zr[f0, :, u], Ar[f0, :, u]))

    changes = [
        [
            {"type": "scatter", "x": as_list(Zr[f, :, u]), "y": as_list(Ar[f, :, u])}
            | ({"text": labels[f][u]} if labels[f] else {})
            for u in range(n_units)
        ]
        + [_rings(Zr, Ar, flat, f)]
        for f in range(len(frames.snapshots))
    ]
    data.append(_ring_trace(act, changes[f0][-1], small=not labelled))
    which = "" if len(arch.hidden) == 1 else f" {layer + 1}"
    layout = view_layout(
        f"Hidden layer{which} ({act.name}): each row at (z, {symbol}(z)) for every unit",
        600,
        xaxis=axis((0.0, 1.0), "y", "net input z of the hidden unit", [-half, half]),
        yaxis=axis((0.0, 1.0), "x", "unit output a", y_range),
        **view_controls(frames.iterations, frames.active),
    )
    return view_figure(data, layout, frames, list(range(2, 3 + n_units)), changes)
