"""The error of every row over the iterations, on a log axis: which rows learn when."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from backprop.figures.controls import view_controls
from backprop.figures.frames import FRAME_NUMBER_BUDGET, MAX_FRAMES, line_indices, view_frames
from backprop.figures.layout import axis, view_figure, view_layout
from backprop.figures.plotted import as_list, finite_span, padded, round_sig
from backprop.figures.style import DASHES, NEUTRAL, PALETTE
from backprop.table import TruthTable, output_names
from backprop.trainer import Run, Snapshot

FloatArray = NDArray[np.float64]
Spec = dict[str, Any]

ERROR_FLOOR = 1e-6
# Above this many (row, output) lines, the lines summarise the rows (median, 90th percentile, largest) and
# the cursor's dots show every row: hundreds of lines of 8 colours cannot be told apart.
MAX_ROW_LINES = 24
_SUMMARY = (("median row", 50, "solid"), ("90th percentile", 90, "dash"), ("largest", 100, "dot"))


def _errors(table: TruthTable, snapshots: tuple[Snapshot, ...]) -> FloatArray:
    """``|y − out|`` at each snapshot, floored at ``ERROR_FLOOR`` and rounded: (n_snapshots,
    n_rows * n_outputs), columns row-major (row, output)."""
    errors = np.abs(table.y[None] - np.stack([s.output for s in snapshots]))
    return round_sig(np.clip(errors.reshape(len(snapshots), -1), ERROR_FLOOR, None), 5)


def _line_traces(labels: list[str], x_lines: list[int], E: FloatArray) -> list[Spec]:
    """One line per (row, output) over the iterations ``x_lines``; ``E`` is (n_vertices, n_lines)."""
    return [
        {
            "type": "scatter",
            "x": x_lines,
            "y": as_list(E[:, k]),
            "mode": "lines",
            "name": label,
            "line": {
                "color": PALETTE[k % len(PALETTE)],
                "dash": DASHES[(k // len(PALETTE)) % len(DASHES)],
                "width": 2.5,
            },
            "hovertemplate": "iteration %{x}<br>|y − out| = %{y:.3g}<extra>" + label + "</extra>",
        }
        for k, label in enumerate(labels)
    ]


def _summary_traces(x_lines: list[int], E: FloatArray) -> list[Spec]:
    """For many rows: the median, 90th percentile and largest ``|y − out|`` over the rows at each
    iteration ``x_lines``; ``E`` is (n_vertices, n_lines)."""
    return [
        {
            "type": "scatter",
            "x": x_lines,
            "y": as_list(round_sig(np.percentile(E, q, axis=1), 5)),
            "mode": "lines",
            "name": name,
            "line": {"color": PALETTE[k], "dash": dash, "width": 3},
            "hovertemplate": "iteration %{x}<br>|y − out| = %{y:.3g}<extra>" + name + "</extra>",
        }
        for k, (name, q, dash) in enumerate(_SUMMARY)
    ]


def _marked_traces(
    labels: list[str], it: int, errors: FloatArray, x_range: list[float], y_range: list[float]
) -> list[Spec]:
    """The dotted line at 0.5, then the cursor and one marker per line (``errors``) at iteration ``it``
    (small grey dots when the lines summarise the rows)."""
    n_lines = len(labels)
    many = n_lines > MAX_ROW_LINES
    return [
        {
            "type": "scatter",
            "uid": "half",
            "x": x_range,
            "y": [0.5, 0.5],
            "mode": "lines",
            "line": {"color": NEUTRAL, "dash": "dot", "width": 2},
            "name": "0.5: wrong side above",
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "uid": "error-cursor",
            "x": [it, it],
            "y": [10.0 ** y_range[0], 10.0 ** y_range[1]],
            "mode": "lines",
            "line": {"color": NEUTRAL, "width": 1.5, "dash": "dot"},
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "uid": "error-markers",
            "x": [it] * n_lines,
            "y": as_list(errors),
            "mode": "markers",
            "marker": {
                "color": NEUTRAL if many else [PALETTE[k % len(PALETTE)] for k in range(n_lines)],
                "size": 6 if many else 10,
                "line": {"color": NEUTRAL, "width": 1},
                "opacity": 0.6 if many else 1.0,
            },
            "text": labels,
            "hovertemplate": "%{text}: %{y:.3g}<extra>iteration %{x}</extra>",
            "name": "each row, at the cursor",
            "showlegend": many,
        },
    ]


def row_error_figure(
    run: Run, selected_iteration: int | None = None, max_frames: int = MAX_FRAMES
) -> go.Figure:
    """``|y − out|`` of every row over the recorded iterations, on a log axis: which rows learn when.

    One line per row (per row and output with several outputs), a dotted line at 0.5 (above it a
    row with a 0/1 target is on the wrong side), and a cursor with one marker per line that the
    frames move; the figure opens on ``selected_iteration`` exactly (default the last). Errors below
    ``ERROR_FLOOR`` are drawn at it. Above ``MAX_ROW_LINES`` lines (a generated dataset), three lines
    summarise the rows instead (median, 90th percentile, largest) and the cursor's markers are grey dots.
    """
    table = run.table
    labels = [
        f"row {r + 1}" if table.n_outputs == 1 else f"row {r + 1}, {name}"
        for r in range(table.n_rows)
        for name in output_names(table.n_outputs)
    ]
    n_lines = len(labels)
    frames = view_frames(run, n_lines + 2, FRAME_NUMBER_BUDGET, max_frames, selected_iteration)
    line_idx = line_indices(len(run.history), n_lines, frames.recorded)
    E_lines = _errors(table, run.history)[line_idx]
    E = _errors(table, frames.snapshots)  # (n_frames, n_lines)
    low, high = np.log10(finite_span(E_lines, E))
    y_range = padded(float(min(low, np.log10(0.5))), float(max(high, 0.0)), 0.05, 0.25)
    x_range = padded(0.0, float(run.final.iteration), 0.02, 0.5)
    many = n_lines > MAX_ROW_LINES
    x_lines = run.iterations[line_idx].tolist()
    data = _summary_traces(x_lines, E_lines) if many else _line_traces(labels, x_lines, E_lines)
    data += _marked_traces(labels, frames.shown.iteration, E[frames.active], x_range, y_range)
    first = len(data) - 2  # the cursor and the markers, which the frames move
    changes = [
        [{"type": "scatter", "x": [it, it]}, {"type": "scatter", "x": [it] * n_lines, "y": as_list(E[f])}]
        for f, it in enumerate(frames.iterations)
    ]
    rows = "training rows" if run.test_table is not None else "rows"
    layout = view_layout(
        f"Error of the {table.n_rows} {rows}, |y − out| (log scale)"
        if many
        else "Error of each row, |y − out| (log scale)",
        560,
        xaxis=axis((0.0, 1.0), "y", "iteration", x_range),
        yaxis=axis((0.0, 1.0), "x", "|y − out|", y_range, type="log", exponentformat="power", dtick=1),
        **view_controls(frames.iterations, frames.active),
    )
    return view_figure(data, layout, frames, [first, first + 1], changes)
