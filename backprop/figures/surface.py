"""The decision surface: the network's output over the square of its two varying inputs, animated."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from backprop.figures.controls import view_controls
from backprop.figures.frames import FRAME_NUMBER_BUDGET, MAX_FRAMES, Frames, view_frames
from backprop.figures.layout import axis, legend_above, view_figure, view_layout
from backprop.figures.plotted import as_list, round_sig
from backprop.figures.style import MAX_LABELLED_ROWS, POSITIVE, SMALL_FONT_SIZE, TARGET_ZERO
from backprop.naming import unit_names
from backprop.network import forward
from backprop.table import input_names
from backprop.trainer import Run

FloatArray = NDArray[np.float64]
Spec = dict[str, Any]

SURFACE_GRID = 26
SURFACE_RANGE = (-0.25, 1.25)
_SCALE = [[0.0, TARGET_ZERO], [0.5, "#F2F2F2"], [1.0, POSITIVE]]


def _clip_line(a: float, b: float, c: float, low: float, high: float) -> list[float | None]:
    """End points ``[x0, x1], [y0, y1]`` (flattened as x0, x1, y0, y1) of ``a x + b y + c = 0`` inside
    the square ``[low, high]²``, or Nones when the line misses it or is no line (a = b = 0)."""
    points = []
    if abs(b) > 1e-12:
        points += [(x, -(a * x + c) / b) for x in (low, high)]
    if abs(a) > 1e-12:
        points += [(-(b * y + c) / a, y) for y in (low, high)]
    inside = sorted(
        {
            (round(x, 9), round(y, 9))
            for x, y in points
            if low - 1e-9 <= x <= high + 1e-9 and low - 1e-9 <= y <= high + 1e-9
        }
    )
    if len(inside) < 2 or not np.isfinite(inside).all():
        return [None, None, None, None]
    (x0, y0), (x1, y1) = inside[0], inside[-1]
    return [x0, x1, y0, y1]


def _surfaces(run: Run, output: int, frames: Frames) -> tuple[FloatArray, list[FloatArray]]:
    """The grid of each varying input, and the output ``output`` over the grid at every frame."""
    table = run.table
    i, j = table.varying_inputs()
    grid = np.linspace(*SURFACE_RANGE, SURFACE_GRID)
    gx, gy = np.meshgrid(grid, grid)  # rows follow x_j (the y axis), columns x_i
    X = np.repeat(table.X[:1], gx.size, axis=0)
    X[:, i], X[:, j] = gx.ravel(), gy.ravel()
    with np.errstate(all="ignore"):
        Z = [
            np.round(forward(run.arch, s.params, X).output[:, output].reshape(gx.shape), 4)
            for s in frames.snapshots
        ]
    return grid, Z


def _unit_lines(run: Run, output: int, frames: Frames) -> list[list[float | None]]:
    """For a network with no hidden layer: the output unit's line ``w·x = 0`` in the square at every
    frame (the other inputs at their constant values)."""
    table = run.table
    inputs = table.varying_inputs()
    i, j = inputs
    constant = [k for k in range(table.n_inputs) if k not in inputs]
    lines = []
    for s in frames.snapshots:
        w = s.params.weights[0][:, output]
        c = float(table.X[0, constant] @ w[constant])
        c += float(s.params.biases[0][output]) if run.arch.use_bias else 0.0
        lines.append(_clip_line(float(w[i]), float(w[j]), c, *SURFACE_RANGE))
    return lines


def _rows_trace(run: Run, output: int) -> Spec:
    """The training rows at their two varying inputs, coloured and shaped by target."""
    table = run.table
    i, j = table.varying_inputs()
    y = table.y[:, output]
    return {
        "type": "scatter",
        "uid": "rows",
        "x": table.X[:, i].tolist(),
        "y": table.X[:, j].tolist(),
        "mode": "markers+text" if table.n_rows <= MAX_LABELLED_ROWS else "markers",
        "text": [str(r) for r in range(1, table.n_rows + 1)],
        "textposition": "top center",
        "textfont": {"size": SMALL_FONT_SIZE},
        "customdata": y.tolist(),
        "marker": {
            "size": 18,
            "color": y.tolist(),
            "cmin": 0.0,
            "cmax": 1.0,
            "colorscale": _SCALE,
            "symbol": ["diamond" if t else "circle" for t in y >= 0.5],
            "line": {"color": "#333333", "width": 3},
        },
        "name": "rows (◆ target ≥ 0.5, ● below)",
        "hovertemplate": "row %{text}<br>target %{customdata}<extra></extra>",
    }


def _surface_trace(names: list[str], out_name: str, grid: FloatArray, Z: FloatArray) -> Spec:
    x_name, y_name = names
    return {
        "type": "contour",
        "uid": "surface",
        "x": round_sig(grid, 4).tolist(),
        "y": round_sig(grid, 4).tolist(),
        "z": as_list(Z),
        "zmin": 0.0,
        "zmax": 1.0,
        "colorscale": _SCALE,
        "contours": {"coloring": "heatmap", "start": 0.5, "end": 0.5, "size": 0.5, "showlines": True},
        "line": {"width": 3, "color": "#333333"},
        "colorbar": {
            "title": {"text": out_name, "font": {"size": SMALL_FONT_SIZE}},
            "tickfont": {"size": SMALL_FONT_SIZE},
            "len": 0.8,
        },
        "hovertemplate": f"{x_name} = %{{x:.2f}}<br>{y_name} = %{{y:.2f}}<br>"
        + f"{out_name} = %{{z:.3f}}<extra></extra>",
        "name": f"{out_name} (line: 0.5)",
    }


def decision_surface_figure(
    run: Run, output: int = 0, selected_iteration: int | None = None, max_frames: int = MAX_FRAMES
) -> go.Figure:
    """The network's output over the square of its two varying inputs, with the training rows on it.

    The two varying inputs (``table.varying_inputs()``) run from -0.25 to 1.25 on a
    ``SURFACE_GRID``² grid; every other input stays at its constant value. A contour at 0.5 marks
    the decision boundary. For a network with no hidden layer the unit's line ``w·x = 0`` is drawn
    dashed as well (it is that boundary). Frames (a subset of ``training_figure``'s, by the payload
    budget, plus the selected iteration, shown exactly) update the surface and the line.

    Raises
    ------
    ValueError
        unless the table has exactly two varying inputs.
    """
    arch, table = run.arch, run.table
    inputs = table.varying_inputs()
    if len(inputs) != 2:
        raise ValueError(f"A decision surface needs exactly 2 varying inputs; this table has {len(inputs)}.")
    frames = view_frames(run, SURFACE_GRID**2 + 4, FRAME_NUMBER_BUDGET, max_frames, selected_iteration)
    active = frames.active
    grid, Z = _surfaces(run, output, frames)
    names = input_names(table.n_inputs)
    axis_names = [names[k] for k in inputs]
    out_name = unit_names(arch)[-1][output]
    data: list[Spec] = [_surface_trace(axis_names, out_name, grid, Z[active])]
    lines = _unit_lines(run, output, frames) if arch.n_layers == 1 else None
    if lines is not None:
        data.append(
            {
                "type": "scatter",
                "uid": "unit-line",
                "x": lines[active][:2],
                "y": lines[active][2:],
                "mode": "lines",
                "line": {"color": "#333333", "width": 3, "dash": "dash"},
                "name": "the unit's line w·x = 0",
                "hoverinfo": "skip",
            }
        )
    data.append(_rows_trace(run, output))
    animated = [0] + ([1] if lines is not None else [])
    changes = [
        [{"type": "contour", "z": as_list(Z[f])}]
        + ([{"type": "scatter", "x": lines[f][:2], "y": lines[f][2:]}] if lines is not None else [])
        for f in range(len(frames.snapshots))
    ]
    low, high = SURFACE_RANGE
    layout = view_layout(
        f"Decision surface: {out_name} over ({axis_names[0]}, {axis_names[1]})",
        640,
        xaxis={**axis((0.0, 1.0), "y", axis_names[0], [low, high]), "constrain": "domain"},
        yaxis={**axis((0.0, 1.0), "x", axis_names[1], [low, high]), "scaleanchor": "x"},
        legend=legend_above(),
        **view_controls(frames.iterations, active, redraw=True),
    )
    layout["margin"]["t"] = 100
    return view_figure(data, layout, frames, animated, changes)
