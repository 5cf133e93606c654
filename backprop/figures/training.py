"""The training figure: weights, loss and the output sigmoid of a run, animated together.

One figure whose subplots share animation frames, so they never disagree: every weight over the
iterations (top left), the loss on a log axis (top right), and the output unit's sigmoid with each
training row sitting on it at ``(z, out)`` (bottom).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from backprop.activations import sigmoid
from backprop.figures.controls import controls, place_controls
from backprop.figures.frames import MAX_FRAMES, Frames, line_indices, training_frames
from backprop.figures.layout import axis, figure, legend_margin, log_ticks, title
from backprop.figures.plotted import (
    as_list,
    curve_grid,
    finite_span,
    loss_floor,
    padded,
    round_sig,
    shared_labels_by_series,
)
from backprop.figures.style import (
    DESKTOP,
    LOSS_COLOUR,
    MAX_LABELLED_ROWS,
    NEUTRAL,
    PALETTE,
    ROW_SYMBOLS,
    UIREVISION,
    Fit,
)
from backprop.figures.weights import series_layout, series_styles, series_values, summarises_hidden_layers
from backprop.naming import unit_names
from backprop.network import Architecture, forward
from backprop.trainer import Run

FloatArray = NDArray[np.float64]
Spec = dict[str, Any]

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
    extras: tuple[_LossLine, ...] = ()  # test error, penalty, error + penalty (when the run has them)


@dataclass(frozen=True)
class _LossLine:
    """A line of the loss panel beside the training error: its role, legend name, values and look."""

    meta: str
    name: str
    values: FloatArray  # (n_vertices,), on the same scale as ``_Plotted.E_lines``
    colour: str
    dash: str


def per_row(run: Run) -> bool:
    """Whether the loss panel shows error per row (E / rows): with a test set, so that the training and
    the test error, summed over different numbers of rows, compare."""
    return run.test_table is not None


def _loss_lines(run: Run, line_idx: NDArray[np.int64]) -> tuple[FloatArray, list[_LossLine]]:
    """The training error at the line vertices ``line_idx``, and the other lines of the loss panel, all
    unfloored: E (or E / n_train with a test set), test E / n_test, the penalty and E + penalty (scaled
    as E)."""
    history = [run.history[k] for k in line_idx]
    scale = 1.0 / run.table.n_rows if per_row(run) else 1.0
    E = scale * np.array([s.loss for s in history])
    per = "/n" if per_row(run) else ""
    lines = []
    if run.test_table is not None:
        test = np.array([s.test_loss for s in history], dtype=float) / run.test_table.n_rows
        lines.append(_LossLine("test-loss", "test E/n", test, PALETTE[0], "dash"))
    if run.config.penalized:
        penalty = scale * np.array([s.penalty for s in history])
        name = f"{run.config.regularization.upper()} penalty{per}"
        lines.append(_LossLine("penalty", name, penalty, PALETTE[5], "dot"))
        objective = f"(E + penalty){per}" if per else "E + penalty"
        lines.append(_LossLine("objective", objective, E + penalty, NEUTRAL, "dashdot"))
    return E, lines


def _plotted(run: Run, frames: Frames) -> _Plotted:
    arch = run.arch
    W = round_sig(series_values(arch, run.history), 6)
    line_idx = line_indices(len(run.history), W.shape[0] + 1, frames.recorded)
    scale = 1.0 / run.table.n_rows if per_row(run) else 1.0
    loss = scale * np.array([s.loss for s in run.history])
    _, extras = _loss_lines(run, line_idx)
    # a log axis cannot show 0: draw every line at the smallest positive value at least
    floor = loss_floor(np.concatenate([loss, *(line.values for line in extras)]))
    E = round_sig(np.maximum(loss, floor), 6)
    with np.errstate(all="ignore"):
        # z = a_prev W (+ b) of the output layer at every frame
        Z = np.stack([forward(arch, s.params, run.table.X).z[-1] for s in frames.snapshots])
    return _Plotted(
        x_lines=run.iterations[line_idx].tolist(),
        W_lines=W[:, line_idx],
        E_lines=E[line_idx],
        W=round_sig(series_values(arch, frames.snapshots), 6),
        E=round_sig(np.maximum(scale * np.array([s.loss for s in frames.snapshots]), floor), 6),
        Z=round_sig(Z, 5),
        OUT=np.round(np.stack([s.output for s in frames.snapshots]), 6),
        extras=tuple(
            _LossLine(
                line.meta, line.name, round_sig(np.maximum(line.values, floor), 6), line.colour, line.dash
            )
            for line in extras
        ),
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


def _loss_name(run: Run) -> str:
    """The training error's name in the loss panel's legend and hover."""
    if per_row(run):
        return "training E/n"
    return "data error E" if run.config.penalized else "loss E"


def _extra_traces(p: _Plotted) -> list[Spec]:
    """The loss panel's other lines (test error, penalty, error + penalty), in the third legend."""
    return [
        {
            "type": "scatter",
            "meta": line.meta,
            "name": line.name,
            "x": p.x_lines,
            "y": as_list(line.values),
            "xaxis": "x2",
            "yaxis": "y2",
            "mode": "lines",
            "line": {"color": line.colour, "width": 3, "dash": line.dash},
            "legend": "legend3",
            "hovertemplate": "iteration %{x}<br>%{y:.4g}<extra>" + line.name + "</extra>",
        }
        for line in p.extras
    ]


def _loss_panel(p: _Plotted, it: int, active: int, loss_range: list[float], name: str) -> list[Spec]:
    """The loss line, the cursor and the marker at iteration ``it`` (frame ``active``); the line is in
    the third legend when the panel has other lines."""
    on_axes = {"xaxis": "x2", "yaxis": "y2"}
    return [
        {
            "type": "scatter",
            "meta": "loss",
            "name": name,
            "legend": "legend3",
            "x": p.x_lines,
            "y": as_list(p.E_lines),
            **on_axes,
            "mode": "lines",
            "line": {"color": LOSS_COLOUR, "width": 3},
            "hovertemplate": "iteration %{x}<br>%{y:.4g}<extra>" + name + "</extra>",
            "showlegend": bool(p.extras),
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
            "hovertemplate": "iteration %{x}<br>%{y:.4g}<extra>" + name + "</extra>",
            "showlegend": False,
        },
    ]


def _row_labels(p: _Plotted, f: int, z_half: float) -> list[list[str]]:
    """Row labels at frame ``f``, one list per output unit; rows of any outputs on one spot share one."""
    return shared_labels_by_series(p.Z[f], p.OUT[f], (2 * z_half, 1.16))


def _label_sides(z: FloatArray, out: FloatArray) -> list[str]:
    """Where each row label sits: towards the middle of the plot from its point (left of a point at
    z > 0, below a point at out > 0.5), so that no label runs off the plot's edge or into its title."""
    return [
        f"{'bottom' if o > 0.5 else 'top'} {'left' if v > 0 else 'right'}"
        for v, o in zip(np.nan_to_num(z), np.nan_to_num(out), strict=True)
    ]


def _sigmoid_panel(run: Run, p: _Plotted, active: int, z_half: float, fit: Fit) -> list[Spec]:
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
    rows = np.arange(1, table.n_rows + 1)
    labels = _row_labels(p, active, z_half) if labelled else []
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
                "text": labels[j] if labelled else None,
                "textposition": _label_sides(p.Z[active, :, j], p.OUT[active, :, j]),
                "textfont": {"size": fit.small_font},
                "customdata": np.column_stack([rows, table.y[:, j]]).tolist(),
                "marker": {
                    "color": PALETTE[j],
                    "symbol": ROW_SYMBOLS[j % len(ROW_SYMBOLS)],
                    "size": 13 if labelled else 9,
                    "line": {"color": NEUTRAL, "width": 1},
                },
                "legend": "legend2",
                "hovertemplate": "row %{customdata[0]}<br>z = %{x:.4g}<br>"
                + out_name
                + " = %{y:.5f}<br>target %{customdata[1]}<extra></extra>",
            }
        )
    return data


def _frame_specs(run: Run, p: _Plotted, frames: Frames, z_half: float) -> list[Spec]:
    """One frame per snapshot of ``frames``, changing only ``training_traces(run.arch).animated``."""
    animated = list(training_traces(run.arch).animated)
    n_series = p.W.shape[0]
    labelled = run.table.n_rows <= MAX_LABELLED_ROWS
    specs: list[Spec] = []
    for f, it in enumerate(frames.iterations):
        changes: list[Spec] = [
            {"type": "scatter", "x": [it, it]},
            {"type": "scatter", "x": [it] * n_series, "y": as_list(p.W[:, f])},
            {"type": "scatter", "x": [it, it]},
            {"type": "scatter", "x": [it], "y": [float(p.E[f])]},
        ]
        labels = _row_labels(p, f, z_half) if labelled else []
        for j in range(run.arch.n_outputs):
            points: Spec = {"type": "scatter", "x": as_list(p.Z[f, :, j]), "y": as_list(p.OUT[f, :, j])}
            if labelled:
                points["text"] = labels[j]
                points["textposition"] = _label_sides(p.Z[f, :, j], p.OUT[f, :, j])
            changes.append(points)
        specs.append({"name": str(it), "data": changes, "traces": animated})
    return specs


@dataclass(frozen=True)
class _Arrangement:
    """Where the three panels sit (paper domains), their titles, the legends and the controls."""

    height: int
    margin: Spec
    weights: tuple[tuple[float, float], tuple[float, float]]  # (x domain, y domain)
    loss: tuple[tuple[float, float], tuple[float, float]]
    sigmoid: tuple[tuple[float, float], tuple[float, float]]
    titles: tuple[str, str, str]
    legend: Spec
    legend2: Spec
    controls_top: float  # paper fraction of the plot height where the Play buttons hang
    slider_top: float | None = None  # None: one button row under the buttons
    sigmoid_axes: tuple[str, str] = ("net input z of the output unit", "out = σ(z)")


def _grid(weights_title: str, legend_labels: list[str], fit: Fit, loss_legend: int = 0) -> _Arrangement:
    """A desktop column: weights and loss side by side, the sigmoid along the bottom, legends right; the
    loss panel's legend of ``loss_legend`` entries under it, one a row, in the place of its axis title
    (the figure taller by as much)."""
    extra = round(max(0, loss_legend - 1) * 1.45 * fit.small_font)
    height = 900 + extra
    margin = {"l": 80, "r": legend_margin(legend_labels, fit.small_font), "t": 60, "b": 200}
    plot = height - margin["t"] - margin["b"]
    top, bottom = (1.0 - 256 / plot, 1.0), (0.0, 282 / plot)  # px of the default figure's panels
    return _Arrangement(
        height=height,
        margin=margin,
        # the gap holds the loss axis's tick labels (10⁻¹) even when a long legend narrows the plot
        weights=((0.0, 0.42), top),
        loss=((0.58, 1.0), top),
        sigmoid=((0.0, 1.0), bottom),
        titles=(
            weights_title,
            "Loss E = ½·Σ(y − out)²",
            "Output unit: σ(z), σ′(z) and each row at (z, out)",
        ),
        legend={},
        legend2={"x": 0.01, "y": bottom[1] - 0.01, "xanchor": "left", "yanchor": "top"},
        controls_top=-62 / plot,
    )


def _legend_lines(labels: list[str], fit: Fit, width_px: float = 330) -> int:
    """About how many lines a horizontal legend of ``labels`` takes in ``width_px`` (plotly wraps it)."""
    lines, used = 1, 0.0
    for label in labels:
        entry = 44 + 0.55 * fit.small_font * len(label)
        if used and used + entry > width_px:
            lines, used = lines + 1, 0.0
        used += entry
    return lines


def _stack(weights_title: str, legend_labels: list[str], fit: Fit, loss_legend: int = 0) -> _Arrangement:
    """A phone: weights, loss and sigmoid one under the other, the weights' legend above them and the
    sigmoid's inside its empty top left corner (σ is low there); the loss panel's legend of
    ``loss_legend`` entries under it, two a row, in the place of its axis title."""
    line = 1.45 * fit.small_font
    # the legend with its title, an entry a line as plotly draws it in a phone's width: a legend taller
    # than its room makes plotly shrink the panels, and their titles then run into the axis titles
    top_px = round(12 + line * (1 + len(legend_labels)))
    panels = (220, 170, 240)  # weights, loss, sigmoid
    gap = round(3 * line + 2.4 * fit.font)  # tick labels and axis title, then the next panel's title
    loss_gap = gap + round(-(-loss_legend // 2) * line)
    plot = sum(panels) + gap + loss_gap
    margin = {"l": 64, "r": 16, "t": top_px, "b": 210}
    y_sig = (0.0, panels[2] / plot)
    y_loss = ((panels[2] + loss_gap) / plot, (panels[2] + loss_gap + panels[1]) / plot)
    y_w = (1.0 - panels[0] / plot, 1.0)
    return _Arrangement(
        height=plot + margin["t"] + margin["b"],
        margin=margin,
        weights=((0.0, 1.0), y_w),
        loss=((0.0, 1.0), y_loss),
        sigmoid=((0.0, 1.0), y_sig),
        titles=("", "Loss E = ½·Σ(y − out)²", "Output unit: the rows at (z, σ(z))"),
        # entries flow along rows under the title (groups would stack as columns and run off a phone)
        legend={
            "orientation": "h",
            "x": 0.0,
            "y": 1.0,
            "xanchor": "left",
            "yanchor": "bottom",
            "traceorder": "normal",
        },
        legend2={"x": 0.01, "y": y_sig[1] - 0.01, "xanchor": "left", "yanchor": "top"},
        controls_top=-(fit.font * 4.4) / plot,
    )


def _row(weights_title: str, legend_labels: list[str], fit: Fit, loss_legend: int = 0) -> _Arrangement:
    """A projector: the three panels on one short row, Play above them and the slider below."""
    buttons_px = round(2.4 * fit.small_font)
    margin = {
        "l": round(4 * fit.font),
        "r": legend_margin(legend_labels, fit.small_font),
        "t": buttons_px + round(2.2 * fit.font),
        "b": round(3.4 * fit.font) + round(4.2 * fit.font),
    }
    height = 540
    plot = height - margin["t"] - margin["b"]
    full = (0.0, 1.0)
    return _Arrangement(
        height=height,
        margin=margin,
        weights=((0.0, 0.25), full),
        loss=((0.37, 0.61), full),
        sigmoid=((0.73, 1.0), full),
        titles=(weights_title, "Loss E", "Rows on σ(z)"),
        sigmoid_axes=("net input z", ""),
        legend={"x": 1.02, "y": 1.0, "xanchor": "left", "yanchor": "top"},
        legend2={"x": 1.02, "y": 0.0, "xanchor": "left", "yanchor": "bottom"},
        controls_top=(margin["t"] - 4) / plot + 1.0,
        slider_top=-(3.2 * fit.font) / plot,
    )


_ARRANGEMENTS = {"grid": _grid, "stack": _stack, "row": _row}


def _loss_legend(x: tuple[float, float], y: tuple[float, float], plot: float, fit: Fit) -> Spec:
    """The loss panel's legend: one row (or two) under its tick labels, or inside its top right corner
    in a presenter's row, whose bottom margin holds the slider."""
    spec: Spec = {"font": {"size": fit.small_font}, "bgcolor": "rgba(128, 128, 128, 0.12)"}
    if fit.arrangement == "row":
        return spec | {"x": x[1], "y": y[1], "xanchor": "right", "yanchor": "top"}
    below = y[0] - 2.2 * fit.small_font / plot
    if fit.arrangement == "grid":
        # one entry a row, ending at the panel's right edge: clear of the weights' legend beside it
        return spec | {
            "x": x[1],
            "y": below,
            "xanchor": "right",
            "yanchor": "top",
            "bgcolor": "rgba(0,0,0,0)",
        }
    # a phone's full-width panel: two entries a row
    return spec | {
        "orientation": "h",
        "x": x[0],
        "y": below,
        "xanchor": "left",
        "yanchor": "top",
        "entrywidth": (x[1] - x[0]) / 2,
        "entrywidthmode": "fraction",
    }


def _loss_title(run: Run, title_text: str, fit: Fit) -> str:
    """The loss panel's title: the arrangement's (``title_text``) for a plain run; with a test set, error
    per row; with a penalty, the loss as data error plus penalty."""
    short = fit.arrangement == "row"
    if per_row(run):
        return "Error per row E/n"
    if run.config.penalized:
        return "E + penalty" if short else "Loss = data error E + penalty"
    return title_text


def _layout(run: Run, data: list[Spec], frames: Frames, ranges: dict[str, list[float]], fit: Fit) -> Spec:
    """Three subplots with fixed ``ranges`` (by axis), arranged as ``fit`` says, with their titles,
    legends and the controls."""
    summarised = summarises_hidden_layers(run.arch)
    weights_title = "Weights (hidden layers: ‖W‖)" if summarised else "Weights"
    legend_labels = [name for name, *_ in series_layout(run.arch)] + [
        t["legendgrouptitle"]["text"] for t in data if "legendgrouptitle" in t
    ]
    in_loss_legend = sum(t.get("legend") == "legend3" and t.get("showlegend", True) for t in data)
    extras = in_loss_legend > 0
    a = _ARRANGEMENTS[fit.arrangement](weights_title, [weights_title, *legend_labels], fit, in_loss_legend)
    a = dataclasses.replace(a, titles=(a.titles[0], _loss_title(run, a.titles[1], fit), a.titles[2]))
    buttons, sliders = controls(frames.iterations, frames.active, fit)
    plot = a.height - a.margin["t"] - a.margin["b"]
    (wx, wy), (lx, ly), (sx, sy) = a.weights, a.loss, a.sigmoid
    titled = [
        title(text, sum(x) / 2, y[1], fit.font)
        for text, (x, y) in zip(a.titles, (a.weights, a.loss, a.sigmoid), strict=True)
        if text
    ]
    layout: Spec = {
        "height": a.height,
        "margin": a.margin,
        "font": {"size": fit.font},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": fit.small_font}},
        "uirevision": UIREVISION,
        "legend": {
            "font": {"size": fit.small_font},
            "title": {"text": weights_title, "font": {"size": fit.font}},
            "grouptitlefont": {"size": fit.small_font},
            **a.legend,
        },
        "legend2": {"font": {"size": fit.small_font}, "bgcolor": "rgba(128, 128, 128, 0.12)", **a.legend2},
        "xaxis": axis(wx, "y", "iteration", ranges["x"], fit),
        "yaxis": axis(wy, "x", "value", ranges["w"], fit),
        # with a legend of its lines under the loss panel, in the place of its axis title
        "xaxis2": axis(lx, "y2", "" if extras else "iteration", list(ranges["x"]), fit, matches="x"),
        # no axis title: the panel's title names what it plots, and a title here ran into the weights panel
        "yaxis2": axis(ly, "x2", "", ranges["loss"], fit, **log_ticks(ranges["loss"])),
        "legend3": _loss_legend(lx, ly, plot, fit),
        "xaxis3": axis(sx, "y3", a.sigmoid_axes[0], ranges["z"], fit),
        "yaxis3": axis(sy, "x3", a.sigmoid_axes[1], [-0.08, 1.08], fit),
        "annotations": titled,
        "updatemenus": buttons,
        "sliders": sliders,
    }
    if fit.arrangement == "stack":  # the title on a line of its own above the entries
        layout["legend"]["title"]["side"] = "top"
    place_controls(layout, a.controls_top, plot, fit)
    if a.slider_top is not None:
        for slider in sliders:
            slider["y"] = a.slider_top
    return layout


def training_figure(
    run: Run, selected_iteration: int | None = None, max_frames: int = MAX_FRAMES, fit: Fit = DESKTOP
) -> go.Figure:
    """Weights, loss and the output sigmoid of a run, animated together over its recorded history.

    Parameters
    ----------
    run : a finished training run (``backprop.trainer.train``)
    selected_iteration : the iteration shown before any animation, exactly (a frame of its own,
        recomputed by ``run.snapshot_at``, when it is not one of the evenly chosen ones); default the last
    max_frames : most evenly chosen frames, at least 2 (fewer for very large tables: ``frame_limit``)
    fit : how the panels are arranged and the text sizes: ``DESKTOP`` (a grid), ``PHONE`` (one column)
        or a presenter's row with large text

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
    log_low, log_high = np.log10(finite_span(p.E_lines, p.E, *(line.values for line in p.extras)))
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
    data += _loss_panel(p, it, active, ranges["loss"], _loss_name(run))
    data += _sigmoid_panel(run, p, active, z_half, fit)
    data += _extra_traces(p)
    if fit.arrangement == "stack":  # a phone: one legend that flows along rows, each entry named for itself
        for trace in data[: len(series_layout(run.arch))]:
            trace.pop("legendgroup", None)
            trace.pop("legendgrouptitle", None)
    return figure(data, _layout(run, data, frames, ranges, fit), _frame_specs(run, p, frames, z_half))
