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
from backprop.table import TruthTable
from backprop.trainer import Run

FloatArray = NDArray[np.float64]
Spec = dict[str, Any]

SURFACE_GRID = 26
# A truth table's square (inputs 0 and 1, a quarter of a unit around them); other data get their extent
# padded by SURFACE_PAD of its span on each side (a dataset spanning ±5 is shown over ±6, as TensorFlow
# Playground shows it).
SURFACE_RANGE = (-0.25, 1.25)
SURFACE_PAD = 0.1
_SCALE = [[0.0, TARGET_ZERO], [0.5, "#F2F2F2"], [1.0, POSITIVE]]
# Two colours only: the class the output picks (out ≥ 0.5 or not), TensorFlow Playground's "discretize".
_TWO_COLOURS = [[0.0, TARGET_ZERO], [0.5, TARGET_ZERO], [0.5, POSITIVE], [1.0, POSITIVE]]


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


def _own_inputs(run: Run, table: TruthTable) -> FloatArray:
    """``table``'s own input columns (without the run's derived features), (n_rows, n_table_inputs)."""
    return table.X[:, : run.n_table_inputs]


def _all_points(run: Run) -> FloatArray:
    """The training rows, then the test rows, at the table's own inputs."""
    parts = [_own_inputs(run, run.table)]
    if run.test_table is not None:
        parts.append(_own_inputs(run, run.test_table))
    return np.vstack(parts)


def surface_inputs(run: Run) -> tuple[int, ...]:
    """The table's inputs the surface spans: x1 and x2 for a run with derived features (the features
    follow from them), else the inputs that vary over the training and test rows (the surface needs
    exactly two)."""
    if run.config.features:
        return (0, 1)
    X = _all_points(run)
    return tuple(int(i) for i in np.flatnonzero(np.not_equal(X, X[:1]).any(axis=0)))


def surface_range(run: Run, inputs: tuple[int, ...]) -> tuple[float, float]:
    """The range of both axes: ``SURFACE_RANGE`` when every row's two inputs lie in [0, 1] (a truth
    table), else the rows' extent over both inputs padded by ``SURFACE_PAD`` of its span."""
    points = _all_points(run)[:, list(inputs)]
    low, high = float(points.min()), float(points.max())
    if low >= 0.0 and high <= 1.0:
        return SURFACE_RANGE
    pad = SURFACE_PAD * max(high - low, 1e-9)
    return low - pad, high + pad


def surface_grid(run: Run, inputs: tuple[int, ...]) -> tuple[FloatArray, FloatArray]:
    """The grid of each axis (``SURFACE_GRID`` values over ``surface_range``) and the network's inputs
    at every grid point, (SURFACE_GRID², n_inputs): the other inputs at the first row's values, the
    derived features computed from x1 and x2."""
    i, j = inputs
    grid = np.linspace(*surface_range(run, inputs), SURFACE_GRID)
    gx, gy = np.meshgrid(grid, grid)  # rows follow x_j (the y axis), columns x_i
    X = np.repeat(_own_inputs(run, run.table)[:1], gx.size, axis=0)
    X[:, i], X[:, j] = gx.ravel(), gy.ravel()
    return grid, run.network_inputs(X) if run.config.features else X


def _surfaces(run: Run, output: int, frames: Frames) -> tuple[FloatArray, list[FloatArray]]:
    """The grid of each varying input, and the output ``output`` over the grid at every frame."""
    grid, X = surface_grid(run, surface_inputs(run))
    with np.errstate(all="ignore"):
        Z = [
            np.round(forward(run.arch, s.params, X).output[:, output].reshape(grid.size, grid.size), 4)
            for s in frames.snapshots
        ]
    return grid, Z


def _unit_lines(
    run: Run, output: int, frames: Frames, square: tuple[float, float]
) -> list[list[float | None]]:
    """For a network with no hidden layer and no derived features: the output unit's line ``w·x = 0``
    in the square at every frame (the other inputs at their constant values)."""
    table = run.table
    inputs = surface_inputs(run)
    i, j = inputs
    constant = [k for k in range(table.n_inputs) if k not in inputs]
    lines = []
    for s in frames.snapshots:
        w = s.params.weights[0][:, output]
        c = float(table.X[0, constant] @ w[constant])
        c += float(s.params.biases[0][output]) if run.arch.use_bias else 0.0
        lines.append(_clip_line(float(w[i]), float(w[j]), c, *square))
    return lines


def _points_trace(run: Run, table: TruthTable, output: int, test: bool, labelled: bool) -> Spec:
    """The rows of ``table`` at their two axis inputs, filled in their target's colour and shaped by it:
    training rows with a white rim (it shows on the surface's matching colour), test rows with a dark
    rim, as TensorFlow Playground draws them. Few rows are numbered, with a dark rim."""
    i, j = surface_inputs(run)
    y = table.y[:, output]
    big = labelled and not test
    if test:
        size, rim = (14 if labelled else 9), {"color": "#111111", "width": 2.5 if labelled else 1.5}
    else:
        size, rim = (18, {"color": "#333333", "width": 3}) if big else (9, {"color": "#FFFFFF", "width": 1})
    kind = "test row" if test else "row"
    return {
        "type": "scatter",
        "uid": "test-rows" if test else "rows",
        "x": table.X[:, i].tolist(),
        "y": table.X[:, j].tolist(),
        "mode": "markers+text" if big else "markers",
        "text": [str(r) for r in range(1, table.n_rows + 1)],
        "textposition": "top center",
        "textfont": {"size": SMALL_FONT_SIZE},
        "customdata": y.tolist(),
        "marker": {
            "size": size,
            "color": y.tolist(),
            "cmin": 0.0,
            "cmax": 1.0,
            "colorscale": _SCALE,
            "symbol": ["diamond" if t else "circle" for t in y >= 0.5],
            "line": rim,
        },
        "name": "test rows (dark rim)" if test else _rows_name(run),
        "hovertemplate": f"{kind} %{{text}}<br>target %{{customdata}}<extra></extra>",
    }


def _rows_name(run: Run) -> str:
    return ("training rows" if run.test_table is not None else "rows") + " (◆ target ≥ 0.5, ● below)"


def _surface_trace(
    names: list[str], out_name: str, grid: FloatArray, Z: FloatArray, discretize: bool
) -> Spec:
    x_name, y_name = names
    return {
        "type": "contour",
        "uid": "surface",
        "x": round_sig(grid, 4).tolist(),
        "y": round_sig(grid, 4).tolist(),
        "z": as_list(Z),
        "zmin": 0.0,
        "zmax": 1.0,
        "colorscale": _TWO_COLOURS if discretize else _SCALE,
        "contours": {"coloring": "heatmap", "start": 0.5, "end": 0.5, "size": 0.5, "showlines": True},
        "line": {"width": 3, "color": "#333333"},
        "colorbar": {
            "title": {"text": out_name, "font": {"size": SMALL_FONT_SIZE}},
            "tickfont": {"size": SMALL_FONT_SIZE},
            "len": 0.8,
            **({"tickvals": [0.25, 0.75], "ticktext": ["< 0.5", "≥ 0.5"]} if discretize else {}),
        },
        "hovertemplate": f"{x_name} = %{{x:.2f}}<br>{y_name} = %{{y:.2f}}<br>"
        + f"{out_name} = %{{z:.3f}}<extra></extra>",
        "name": f"{out_name} (line: 0.5)",
    }


def decision_surface_figure(
    run: Run,
    output: int = 0,
    selected_iteration: int | None = None,
    max_frames: int = MAX_FRAMES,
    discretize: bool = False,
) -> go.Figure:
    """The network's output over the square of its two varying inputs, with the rows on it.

    The two inputs (``surface_inputs``: x1 and x2 with derived features, which are computed from them)
    span ``surface_range`` (-0.25 to 1.25 for a truth table, else the data's extent padded) on a
    ``SURFACE_GRID``² grid; every other input stays at its constant value. A contour at 0.5 marks the
    decision boundary; ``discretize`` colours the square in two colours only, by the side of 0.5 the
    output is on. For a network with no hidden layer and no derived features the unit's line ``w·x = 0``
    is drawn dashed as well (it is that boundary). Training rows are filled points, test rows hollow.
    Frames (a subset of ``training_figure``'s, by the payload budget, plus the selected iteration, shown
    exactly) update the surface and the line.

    Raises
    ------
    ValueError
        unless the rows have exactly two varying inputs.
    """
    arch, table = run.arch, run.table
    inputs = surface_inputs(run)
    if len(inputs) != 2:
        raise ValueError(f"A decision surface needs exactly 2 varying inputs; this table has {len(inputs)}.")
    frames = view_frames(run, SURFACE_GRID**2 + 4, FRAME_NUMBER_BUDGET, max_frames, selected_iteration)
    active = frames.active
    grid, Z = _surfaces(run, output, frames)
    names = unit_names(arch, run.config.features)[0]
    axis_names = [names[k] for k in inputs]
    out_name = unit_names(arch)[-1][output]
    data: list[Spec] = [_surface_trace(axis_names, out_name, grid, Z[active], discretize)]
    square = surface_range(run, inputs)
    straight = arch.n_layers == 1 and not run.config.features
    lines = _unit_lines(run, output, frames, square) if straight else None
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
    n_rows = table.n_rows + (0 if run.test_table is None else run.test_table.n_rows)
    labelled = n_rows <= MAX_LABELLED_ROWS
    data.append(_points_trace(run, table, output, False, labelled))
    if run.test_table is not None:
        data.append(_points_trace(run, run.test_table, output, True, labelled))
    animated = [0] + ([1] if lines is not None else [])
    changes = [
        [{"type": "contour", "z": as_list(Z[f])}]
        + ([{"type": "scatter", "x": lines[f][:2], "y": lines[f][2:]}] if lines is not None else [])
        for f in range(len(frames.snapshots))
    ]
    low, high = square
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
