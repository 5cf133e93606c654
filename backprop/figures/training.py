"""The training figure: weights, loss and the output sigmoid of a run, animated together.

One figure whose subplots share animation frames, so they never disagree: every weight over the
iterations (top left), the loss on a log axis (top right), and the output unit's sigmoid with each
training row sitting on it at ``(z, out)`` (bottom).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from backprop.activations import sigmoid
from backprop.figures.controls import controls
from backprop.figures.frames import MAX_FRAMES, Frames, line_indices, training_frames
from backprop.figures.layout import axis, figure, legend_margin, title
from backprop.figures.plotted import as_list, curve_grid, finite_span, loss_floor, padded, round_sig
from backprop.figures.style import (
    FONT_SIZE,
    LOSS_COLOUR,
    MAX_LABELLED_ROWS,
    NEUTRAL,
    PALETTE,
    ROW_SYMBOLS,
    SMALL_FONT_SIZE,
    UIREVISION,
)
from backprop.figures.weights import series_layout, series_styles, series_values, summarises_hidden_layers
from backprop.naming import unit_names
from backprop.network import Architecture, forward
from backprop.trainer import Run

FloatArray = NDArray[np.float64]
Spec = dict[str, Any]

# Subplot grid: weights top left, loss top right, sigmoid along the bottom.
_TOP = (0.60, 1.0)
_BOTTOM = (0.0, 0.44)
_LEFT = (0.0, 0.44)
_RIGHT = (0.56, 1.0)
_CURSOR = {"color": NEUTRAL, "width": 1.5, "dash": "dot"}


@dataclass(frozen=True)
class TrainingTraces:
    """Indices into ``training_figure(run).data``, by role; the order depends only on the network.

    Frames update exactly ``animated``: ``weight_cursor``, ``weight_markers``, ``loss_cursor``,
    ``loss_marker`` and ``rows`` (one trace of row points per output unit), in that order.
    """

    weights: tuple[int, ...]
    weight_cursor: int
    weight_markers: int
    loss: int
    loss_cursor: int
    loss_marker: int
    sigmoid: int
    sigmoid_derivative: int
    rows: tuple[int, ...]

    @property
    def animated(self) -> tuple[int, ...]:
        """The trace indices every frame lists, in frame order."""
        return (self.weight_cursor, self.weight_markers, self.loss_cursor, self.loss_marker, *self.rows)


def training_traces(arch: Architecture) -> TrainingTraces:
    """Where each role sits in ``training_figure(run).data`` for a run on network ``arch``.

    The order: weight lines, weight cursor, weight markers, loss line, loss cursor, loss marker,
    σ(z), σ'(z), then one row-point trace per output unit. Each trace's ``meta`` also names its role
    (``"weight-0"``, ``"weight-cursor"``, ``"loss"``, ``"sigmoid"``, ``"rows-0"``, ...).
    """
    s = len(series_layout(arch))
    return TrainingTraces(
        weights=tuple(range(s)),
        weight_cursor=s,
        weight_markers=s + 1,
        loss=s + 2,
        loss_cursor=s + 3,
        loss_marker=s + 4,
        sigmoid=s + 5,
        sigmoid_derivative=s + 6,
        rows=tuple(range(s + 7, s + 7 + arch.n_outputs)),
    )


@dataclass(frozen=True)
class _Plotted:
    """Every number the training figure plots, rounded; lines over the history, the rest per frame."""

    x_lines: list[int]  # iterations of the line vertices
    W_lines: FloatArray  # (n_series, n_vertices)
    E_lines: FloatArray  # (n_vertices,)
    W: FloatArray  # (n_series, n_frames)
    E: FloatArray  # (n_frames,)
    Z: FloatArray  # (n_frames, n_rows, n_outputs): net input of the output layer
    OUT: FloatArray  # (n_frames, n_rows, n_outputs)


def _plotted(run: Run, frames: Frames) -> _Plotted:
    arch = run.arch
    W = round_sig(series_values(arch, run.history), 6)
    line_idx = line_indices(len(run.history), W.shape[0] + 1, frames.recorded)
    loss = np.array([s.loss for s in run.history])
    floor = loss_floor(loss)  # a log axis cannot show E = 0: draw it at the smallest positive loss
    E = round_sig(np.maximum(loss, floor), 6)
    with np.errstate(all="ignore"):
        # z = a_prev W (+ b) of the output layer at every frame
        Z = np.stack([forward(arch, s.params, run.table.X).z[-1] for s in frames.snapshots])
    return _Plotted(
        x_lines=run.iterations[line_idx].tolist(),
        W_lines=W[:, line_idx],
        E_lines=E[line_idx],
        W=round_sig(series_values(arch, frames.snapshots), 6),
        E=round_sig(np.maximum([s.loss for s in frames.snapshots], floor), 6),
        Z=round_sig(Z, 5),
        OUT=np.round(np.stack([s.output for s in frames.snapshots]), 6),
    )


def _weight_panel(run: Run, p: _Plotted, it: int, active: int, w_range: list[float]) -> list[Spec]:
    """The weight lines, the cursor and one marker per line at iteration ``it`` (frame ``active``)."""
    arch = run.arch
    styles = series_styles(arch)
    names = [name for name, *_ in series_layout(arch)]
    data: list[Spec] = []
    for k, (name, layer, kind, _, _) in enumerate(series_layout(arch)):
        colour, dash = styles[k]
        trace = {
            "type": "scatter",
            "meta": f"weight-{k}",
            "name": name,
            "x": p.x_lines,
            "y": as_list(p.W_lines[k]),
            "mode": "lines",
            "line": {"color": colour, "dash": dash, "width": 4 if kind == "norm" else 2.5},
            "legendgroup": f"layer{layer + 1}",
            "hovertemplate": "iteration %{x}<br>%{y:.5g}<extra>%{fullData.name}</extra>",
        }
        if arch.n_layers > 1:
            output = " (output)" if layer == arch.n_layers - 1 else ""
            trace["legendgrouptitle"] = {"text": f"Layer {layer + 1}{output}"}
        data.append(trace)
    data += [
        {
            "type": "scatter",
            "meta": "weight-cursor",
            "x": [it, it],
            "y": w_range,
            "mode": "lines",
            "line": _CURSOR,
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "meta": "weight-markers",
            "x": [it] * len(names),
            "y": as_list(p.W[:, active]),
            "mode": "markers",
            "marker": {
                "color": [colour for colour, _ in styles],
                "size": 10,
                "line": {"color": NEUTRAL, "width": 1},
            },
            "text": names,
            "hovertemplate": "%{text} = %{y:.5g}<extra>iteration %{x}</extra>",
            "showlegend": False,
        },
    ]
    return data


def _loss_panel(p: _Plotted, it: int, active: int, loss_range: list[float]) -> list[Spec]:
    """The loss line, the cursor and the marker at iteration ``it`` (frame ``active``)."""
    on_axes = {"xaxis": "x2", "yaxis": "y2"}
    return [
        {
            "type": "scatter",
            "meta": "loss",
            "name": "loss E",
            "x": p.x_lines,
            "y": as_list(p.E_lines),
            **on_axes,
            "mode": "lines",
            "line": {"color": LOSS_COLOUR, "width": 3},
            "hovertemplate": "iteration %{x}<br>E = %{y:.4g}<extra></extra>",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "meta": "loss-cursor",
            "x": [it, it],
            "y": [10.0 ** loss_range[0], 10.0 ** loss_range[1]],
            **on_axes,
            "mode": "lines",
            "line": _CURSOR,
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "meta": "loss-marker",
            "x": [it],
            "y": [float(p.E[active])],
            **on_axes,
            "mode": "markers",
            "marker": {"color": LOSS_COLOUR, "size": 12, "line": {"color": NEUTRAL, "width": 1}},
            "hovertemplate": "iteration %{x}<br>E = %{y:.4g}<extra></extra>",
            "showlegend": False,
        },
    ]


def _sigmoid_panel(run: Run, p: _Plotted, active: int, z_half: float) -> list[Spec]:
    """σ(z), σ′(z) and one trace of row points ``(z, out)`` per output unit at frame ``active``."""
    table = run.table
    zs = curve_grid(z_half)
    a = sigmoid(zs)
    data: list[Spec] = []
    for name, values, dash, uid in (
        ("σ(z)", a, "solid", "sigmoid"),
        ("σ′(z) = σ(1 − σ)", a * (1 - a), "dash", "sigmoid-derivative"),
    ):
        data.append(
            {
                "type": "scatter",
                "meta": uid,
                "name": name,
                "x": round_sig(zs, 5).tolist(),
                "y": np.round(values, 5).tolist(),
                "xaxis": "x3",
                "yaxis": "y3",
                "mode": "lines",
                "line": {"color": NEUTRAL, "width": 3, "dash": dash},
                "legend": "legend2",
                "hovertemplate": "z = %{x:.3g}<br>%{y:.4f}<extra>" + name + "</extra>",
            }
        )
    outputs = unit_names(run.arch)[-1]
    labelled = table.n_rows <= MAX_LABELLED_ROWS
    for j, out_name in enumerate(outputs):
        data.append(
            {
                "type": "scatter",
                "meta": f"rows-{j}",
                "name": f"rows → {out_name}" if len(outputs) > 1 else "training rows",
                "x": as_list(p.Z[active, :, j]),
                "y": as_list(p.OUT[active, :, j]),
                "xaxis": "x3",
                "yaxis": "y3",
                "mode": "markers+text" if labelled else "markers",
                "text": [str(r) for r in range(1, table.n_rows + 1)],
                "textposition": "top left" if j % 2 else "top right",
                "textfont": {"size": SMALL_FONT_SIZE},
                "customdata": table.y[:, j].tolist(),
                "marker": {
                    "color": PALETTE[j],
                    "symbol": ROW_SYMBOLS[j % len(ROW_SYMBOLS)],
                    "size": 13 if labelled else 9,
                    "line": {"color": NEUTRAL, "width": 1},
                },
                "legend": "legend2",
                "hovertemplate": "row %{text}<br>z = %{x:.4g}<br>"
                + out_name
                + " = %{y:.5f}<br>target %{customdata}<extra></extra>",
            }
        )
    return data


def _frame_specs(run: Run, p: _Plotted, frames: Frames) -> list[Spec]:
    """One frame per snapshot of ``frames``, changing only ``training_traces(run.arch).animated``."""
    animated = list(training_traces(run.arch).animated)
    n_series = p.W.shape[0]
    specs: list[Spec] = []
    for f, it in enumerate(frames.iterations):
        changes: list[Spec] = [
            {"type": "scatter", "x": [it, it]},
            {"type": "scatter", "x": [it] * n_series, "y": as_list(p.W[:, f])},
            {"type": "scatter", "x": [it, it]},
            {"type": "scatter", "x": [it], "y": [float(p.E[f])]},
        ]
        changes += [
            {"type": "scatter", "x": as_list(p.Z[f, :, j]), "y": as_list(p.OUT[f, :, j])}
            for j in range(run.arch.n_outputs)
        ]
        specs.append({"name": str(it), "data": changes, "traces": animated})
    return specs


def _layout(run: Run, data: list[Spec], frames: Frames, ranges: dict[str, list[float]]) -> Spec:
    """Three subplots with fixed ``ranges`` (by axis), their titles, legends and the controls."""
    summarised = summarises_hidden_layers(run.arch)
    weights_title = "Weights (hidden layers: ‖W‖)" if summarised else "Weights"
    legend_labels = [name for name, *_ in series_layout(run.arch)] + [
        t["legendgrouptitle"]["text"] for t in data if "legendgrouptitle" in t
    ]
    buttons, sliders = controls(frames.iterations, frames.active)
    return {
        "height": 880,
        "margin": {"l": 80, "r": legend_margin(["Weights", *legend_labels]), "t": 60, "b": 170},
        "font": {"size": FONT_SIZE},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": SMALL_FONT_SIZE}},
        "uirevision": UIREVISION,
        "legend": {
            "font": {"size": SMALL_FONT_SIZE},
            "title": {"text": "Weights", "font": {"size": FONT_SIZE}},
            "grouptitlefont": {"size": SMALL_FONT_SIZE},
        },
        "legend2": {
            "font": {"size": SMALL_FONT_SIZE},
            "x": 0.01,
            "y": _BOTTOM[1] - 0.01,
            "xanchor": "left",
            "yanchor": "top",
            "bgcolor": "rgba(128, 128, 128, 0.12)",
        },
        "xaxis": axis(_LEFT, "y", "iteration", ranges["x"]),
        "yaxis": axis(_TOP, "x", "value", ranges["w"]),
        "xaxis2": axis(_RIGHT, "y2", "iteration", list(ranges["x"]), matches="x"),
        "yaxis2": axis(_TOP, "x2", "", ranges["loss"], type="log", exponentformat="power"),
        "xaxis3": axis((0.0, 1.0), "y3", "net input z of the output unit", ranges["z"]),
        "yaxis3": axis(_BOTTOM, "x3", "out = σ(z)", [-0.08, 1.08]),
        "annotations": [
            title(weights_title, sum(_LEFT) / 2, _TOP[1]),
            title("Loss E = ½·Σ(y − out)²", sum(_RIGHT) / 2, _TOP[1]),
            title(
                "Output unit: σ(z) and σ′(z) = σ(1 − σ); the points are the training rows at (z, out)",
                0.5,
                _BOTTOM[1],
            ),
        ],
        "updatemenus": buttons,
        "sliders": sliders,
    }


def training_figure(
    run: Run, selected_iteration: int | None = None, max_frames: int = MAX_FRAMES
) -> go.Figure:
    """Weights, loss and the output sigmoid of a run, animated together over its recorded history.

    Parameters
    ----------
    run : a finished training run (``backprop.trainer.train``)
    selected_iteration : the iteration shown before any animation, exactly (a frame of its own,
        recomputed by ``run.snapshot_at``, when it is not one of the evenly chosen ones); default the last
    max_frames : most evenly chosen frames, at least 2 (fewer for very large tables: ``frame_limit``)

    Returns
    -------
    go.Figure
        Weights over iterations (top left; hidden layers as norms for big networks), the loss on a
        log axis (top right), and the output unit's ``σ(z)`` and ``σ'(z) = σ(1 - σ)`` with one point
        per training row and output unit at ``(z, out)`` (bottom). ``training_traces(run.arch)``
        gives the trace indices; frames are named ``str(iteration)`` (``frame_iterations``) and update
        only ``training_traces(run.arch).animated``. All axis ranges are fixed.
    """
    frames = training_frames(run, max_frames, selected_iteration)
    p = _plotted(run, frames)
    # fixed ranges from everything plotted, so nothing jumps while playing
    log_low, log_high = np.log10(finite_span(p.E_lines, p.E))
    finite_z = np.abs(p.Z[np.isfinite(p.Z)])
    z_half = max(6.0, 1.08 * float(finite_z.max())) if finite_z.size else 6.0
    ranges = {
        "x": padded(0.0, float(run.final.iteration), 0.02, 0.5),
        "w": padded(*finite_span(p.W_lines, p.W), 0.05, 0.5),
        "loss": padded(float(log_low), float(log_high), 0.06, 0.25),
        "z": [-z_half, z_half],
    }
    it, active = frames.shown.iteration, frames.active
    data = _weight_panel(run, p, it, active, ranges["w"])
    data += _loss_panel(p, it, active, ranges["loss"])
    data += _sigmoid_panel(run, p, active, z_half)
    return figure(data, _layout(run, data, frames, ranges), _frame_specs(run, p, frames))
