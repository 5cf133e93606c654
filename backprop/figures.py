"""Plotly figures built from a run's recorded history: pure functions, no Streamlit.

``training_figure`` shows one iteration three ways in one figure whose subplots share animation
frames, so they never disagree: every weight over the iterations, the loss ``E = 1/2 * sum((y - out)**2)``
on a log axis, and the output unit's sigmoid with each training row sitting on it at ``(z, out)``.
Play / Pause and the slider run in the browser (client-side Plotly frames, no reruns). Frames carry
only the traces that move, numbers are rounded, and the counts of frames and line points are capped by
a payload budget, so the figure's JSON stays near a megabyte at most whatever the run.

The teaching views animate on the same frame names (``str(iteration)``): ``network_figure`` (the
network as a diagram, one row's values on its nodes), ``decision_surface_figure`` (the output over
two varying inputs), ``row_error_figure`` (``|y − out|`` per row) and ``hidden_activation_figure``
(a hidden layer's curve with every row on it); ``activation_comparison_figure`` is static.

Every figure is assembled as plain dicts and wrapped without plotly's per-property validation (which
would take most of a second for 200 frames); the tests check that the result validates.
This is the only module of the package that imports plotly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from backprop.activations import sigmoid
from backprop.diagnostics import MAX_SLOPE, SATURATION_FRACTION
from backprop.network import Architecture, forward
from backprop.sweep import Sweep
from backprop.table import input_names, output_names
from backprop.trainer import Run

FloatArray = NDArray[np.float64]
Kind = Literal["weight", "bias", "norm"]
IntArray = NDArray[np.int64]
Spec = dict[str, Any]

# Each frame is also a slider step, and Chromium's cost of drawing an animated chart grows with its
# steps (Streamlit draws every chart twice as it mounts): 60 frames, shown FRAME_MS apart, are a
# 6-second replay; the exact state at any iteration is one "Inspect iteration" away (BENCHMARKS.md).
MAX_FRAMES = 60
# Above this many weights and biases, hidden layers are drawn as one norm line each.
MAX_INDIVIDUAL_WEIGHTS = 24
# Payload caps in plotted numbers (about 9 JSON characters each): all frames, then all lines.
FRAME_NUMBER_BUDGET = 90_000
LINE_NUMBER_BUDGET = 30_000
# Above this many rows, row numbers show on hover only (labels would pile up).
MAX_LABELLED_ROWS = 16
FRAME_MS = 100
# The teaching views hang Play / Pause and the slider this far below the plot (a fraction of its
# height); they take CONTROLS_PX pixels from there down at the fonts below (measured in Chromium).
VIEW_CONTROLS_Y = -0.16
CONTROLS_PX = 96
COLORBAR_PX = 92  # right margin for a colour bar with its tick labels

# Okabe–Ito, with grey in place of black so every colour reads on light and dark backgrounds.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#999999")
DASHES = ("solid", "dash", "dot", "dashdot")
ROW_SYMBOLS = ("circle", "square", "diamond", "triangle-up")
NEUTRAL = "#999999"
LOSS_COLOUR = "#D55E00"
GRID = "rgba(128, 128, 128, 0.25)"
FONT_SIZE = 16
SMALL_FONT_SIZE = 14
UIREVISION = "backprop-training"

# Subplot grid: weights top left, loss top right, sigmoid along the bottom.
_TOP = (0.60, 1.0)
_BOTTOM = (0.0, 0.44)
_LEFT = (0.0, 0.44)
_RIGHT = (0.56, 1.0)


@dataclass(frozen=True)
class WeightSeries:
    """One line of the weights panel: a weight, a bias, or the norm of a hidden layer's parameters.

    ``values`` has one entry per recorded snapshot, shape (n_snapshots,).
    """

    name: str
    values: FloatArray
    layer: int
    kind: Kind


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


def unit_names(arch: Architecture) -> tuple[tuple[str, ...], ...]:
    """Names of every layer's units: ``x1..``, hidden ``h1..`` (``h1.1..``, ``h2.1..`` with two hidden
    layers), and ``out`` (``out1..`` for several outputs)."""
    names = [tuple(f"x{i}" for i in range(1, arch.n_inputs + 1))]
    for k, size in enumerate(arch.hidden, start=1):
        prefix = "h" if len(arch.hidden) == 1 else f"h{k}."
        names.append(tuple(f"{prefix}{j}" for j in range(1, size + 1)))
    n_out = arch.n_outputs
    names.append(("out",) if n_out == 1 else tuple(f"out{j}" for j in range(1, n_out + 1)))
    return tuple(names)


def summarises_hidden_layers(arch: Architecture) -> bool:
    """Whether the weights panel draws each hidden layer as one norm line (more than
    ``MAX_INDIVIDUAL_WEIGHTS`` weights and biases in all) instead of weight by weight."""
    sizes = arch.sizes
    n_params = sum(a * b for a, b in pairwise(sizes))
    n_params += sum(sizes[1:]) if arch.use_bias else 0
    return arch.n_layers > 1 and n_params > MAX_INDIVIDUAL_WEIGHTS


def _series_layout(arch: Architecture) -> list[tuple[str, int, Kind, int, int]]:
    """(name, layer, kind, source, destination) for every line of the weights panel, in trace order."""
    units = unit_names(arch)
    summarise = summarises_hidden_layers(arch)
    layout: list[tuple[str, int, Kind, int, int]] = []
    for layer in range(arch.n_layers):
        if summarise and layer < arch.n_layers - 1:
            n = arch.sizes[layer] * arch.sizes[layer + 1]
            what = f"W{layer + 1}"
            if arch.use_bias:
                n += arch.sizes[layer + 1]
                what += f", b{layer + 1}"
            layout.append((f"‖{what}‖ ({n} values)", layer, "norm", -1, -1))
            continue
        for j, destination in enumerate(units[layer + 1]):
            layout.extend(
                (f"w({source}→{destination})", layer, "weight", i, j) for i, source in enumerate(units[layer])
            )
            if arch.use_bias:
                layout.append((f"b(→{destination})", layer, "bias", -1, j))
    return layout


def _series_styles(arch: Architecture) -> list[tuple[str, str]]:
    """(colour, dash) of every line of the weights panel.

    Colour tells the source unit (the bias counts as one more source; each layer starts where the
    previous one's colours end, so layers rarely share one), dash tells the destination unit; a hidden
    layer's norm line is thick, grey and long-dashed.
    """
    summarised = summarises_hidden_layers(arch)
    styles = []
    offset = {}
    start = 0
    for layer in range(arch.n_layers):
        offset[layer] = start
        if not (summarised and layer < arch.n_layers - 1):
            start += arch.sizes[layer] + 1
    for _, layer, kind, i, j in _series_layout(arch):
        if kind == "norm":
            styles.append((NEUTRAL, ("longdash", "longdashdot")[layer % 2]))
            continue
        source = arch.sizes[layer] if kind == "bias" else i
        styles.append((PALETTE[(offset[layer] + source) % len(PALETTE)], DASHES[j % len(DASHES)]))
    return styles


def weight_series(run: Run) -> tuple[WeightSeries, ...]:
    """The lines of the weights panel, each over all recorded snapshots.

    Every weight ``w(source→destination)`` and, with learned biases, every bias ``b(→unit)``, layer by
    layer, destination by destination. When ``summarises_hidden_layers(run.arch)``, only the output
    layer is drawn weight by weight and each hidden layer ``l`` becomes one line: the Euclidean norm
    ``‖W_l‖`` of its weights (and biases).

    Parameters
    ----------
    run : a finished training run

    Returns
    -------
    tuple of WeightSeries, each with ``values`` of shape (n_snapshots,), in trace order
    """
    arch = run.arch
    W = [np.stack([s.params.weights[layer] for s in run.history]) for layer in range(arch.n_layers)]
    b = [np.stack([s.params.biases[layer] for s in run.history]) for layer in range(arch.n_layers)]
    series = []
    for name, layer, kind, i, j in _series_layout(arch):
        if kind == "norm":
            squares = (W[layer] ** 2).sum(axis=(1, 2))
            if arch.use_bias:
                squares = squares + (b[layer] ** 2).sum(axis=1)
            values = np.sqrt(squares)
        else:
            values = W[layer][:, i, j] if kind == "weight" else b[layer][:, j]
        series.append(WeightSeries(name, values, layer, kind))
    return tuple(series)


def training_traces(arch: Architecture) -> TrainingTraces:
    """Where each role sits in ``training_figure(run).data`` for a run on network ``arch``.

    The order: weight lines, weight cursor, weight markers, loss line, loss cursor, loss marker,
    σ(z), σ'(z), then one row-point trace per output unit. Each trace's ``meta`` also names its role
    (``"weight-0"``, ``"weight-cursor"``, ``"loss"``, ``"sigmoid"``, ``"rows-0"``, ...).
    """
    s = len(_series_layout(arch))
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


def _figure(data: list[Spec], layout: Spec, frames: list[Spec] | None = None) -> go.Figure:
    """A Figure from trace, layout and frame dicts written to plotly's schema, without plotly's per-value
    checks: ``_validate=False`` skips them for traces and layout but not for frames, where they were
    most of the time spent building an animated figure. The tests pass every figure through
    ``go.Figure(fig.to_dict())``, plotly's full validation."""
    fig = go.Figure({"data": data, "layout": layout}, _validate=False)
    if frames:
        fig._frame_objs = tuple(go.Frame(frame, _validate=False) for frame in frames)
    return fig


def _evenly(n_items: int, n_pick: int) -> IntArray:
    """About ``n_pick`` indices spread evenly over ``range(n_items)``, always the first and last."""
    if n_pick >= n_items:
        return np.arange(n_items)
    return np.unique(np.linspace(0, n_items - 1, max(n_pick, 2)).round().astype(np.int64))


def frame_limit(run: Run, max_frames: int = MAX_FRAMES) -> int:
    """How many frames a run's figure may have: ``max_frames``, or fewer when each frame is large.

    A frame carries every row's point for every output unit plus one marker per weight line; the
    count is capped so that all frames together hold at most ``FRAME_NUMBER_BUDGET`` numbers
    (256 rows and 4 outputs allow about 40 frames; the preset tables always get ``max_frames``).

    Raises
    ------
    ValueError
        if ``max_frames`` is below 2 (the first and the last iteration are always frames).
    """
    if max_frames < 2:
        raise ValueError(f"max_frames must be at least 2, got {max_frames}.")
    per_frame = 2 * run.table.n_rows * run.arch.n_outputs + 2 * len(_series_layout(run.arch)) + 6
    return max(2, min(max_frames, FRAME_NUMBER_BUDGET // per_frame))


def _frame_indices(run: Run, max_frames: int) -> IntArray:
    return _evenly(len(run.history), frame_limit(run, max_frames))


def frame_iterations(run: Run, max_frames: int = MAX_FRAMES) -> list[int]:
    """The iterations that ``training_figure(run, max_frames=max_frames)`` animates, ascending.

    Recorded snapshots evenly spaced through the history, so they follow the trainer's recording
    schedule (every iteration early on, where the weights move fastest, then evenly spaced ones),
    always including the first and the last.

    Parameters
    ----------
    run : a finished training run
    max_frames : most frames, at least 2; fewer for very large tables (see ``frame_limit``)

    Returns
    -------
    list of int, at most ``frame_limit(run, max_frames)`` iterations; also the frame names
    (as strings) and the slider labels
    """
    return [run.history[i].iteration for i in _frame_indices(run, max_frames)]


def _round_sig(values: object, digits: int) -> FloatArray:
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


def _as_list(values: FloatArray) -> list[Any]:
    """A JSON-ready list; non-finite values become ``None`` (a gap) rather than invalid JSON."""
    finite = np.isfinite(values)
    if finite.all():
        return values.tolist()
    out = values.astype(object)
    out[~finite] = None
    return out.tolist()


def _finite_span(*arrays: FloatArray) -> tuple[float, float]:
    values = np.concatenate([np.ravel(a) for a in arrays])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    return float(values.min()), float(values.max())


def _padded(low: float, high: float, fraction: float, minimum: float) -> list[float]:
    """``[low, high]`` widened by ``fraction`` of its span on each side (``minimum`` if it is empty)."""
    span = high - low
    if not np.isfinite(span):
        return [low, high]
    pad = span * fraction if span > 0 else max(minimum, 0.05 * max(abs(low), abs(high)))
    return [low - pad, high + pad]


def _line_indices(n_snapshots: int, n_lines: int, frames: IntArray) -> IntArray:
    """Snapshots used as line vertices: all of them, or an even subset plus every frame's snapshot
    (so the frame markers sit exactly on the lines)."""
    n_points = max(2, LINE_NUMBER_BUDGET // (2 * n_lines))
    if n_snapshots <= n_points:
        return np.arange(n_snapshots)
    return np.union1d(_evenly(n_snapshots, max(2, n_points - frames.size)), frames)


def _sigmoid_grid(half_width: float) -> FloatArray:
    """Sample points of the sigmoid curve: even over the axis, and dense where it bends (|z| < 8)."""
    bend = min(8.0, half_width)
    return np.union1d(half_width * np.linspace(-1.0, 1.0, 161), np.linspace(-bend, bend, 97))


def _controls(iterations: Sequence[int], active: int) -> tuple[list[Spec], list[Spec]]:
    """Play / Pause buttons and the iteration slider, all client-side ``animate`` calls."""
    still = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}
    play = {
        "frame": {"duration": FRAME_MS, "redraw": False},
        "transition": {"duration": 0},
        "fromcurrent": True,
        "mode": "immediate",
    }
    buttons = {
        "type": "buttons",
        "direction": "left",
        "showactive": False,
        "x": 0.0,
        "xanchor": "left",
        "y": -0.1,
        "yanchor": "top",
        "pad": {"r": 10, "t": 0},
        "font": {"size": SMALL_FONT_SIZE},
        "bgcolor": "rgba(128, 128, 128, 0.15)",
        "bordercolor": NEUTRAL,
        "buttons": [
            {"label": "▶ Play", "method": "animate", "args": [None, play]},
            {"label": "❚❚ Pause", "method": "animate", "args": [[None], still]},
        ],
    }
    slider = {
        "active": active,
        "x": 0.0,
        "len": 1.0,
        "xanchor": "left",
        "y": -0.1,
        "yanchor": "top",
        "pad": {"t": 0, "b": 0},
        "font": {"size": SMALL_FONT_SIZE},
        "bgcolor": "rgba(128, 128, 128, 0.3)",
        "activebgcolor": NEUTRAL,
        "bordercolor": NEUTRAL,
        "tickcolor": NEUTRAL,
        "currentvalue": {"prefix": "Iteration ", "font": {"size": FONT_SIZE}, "xanchor": "right"},
        "steps": [{"label": str(it), "method": "animate", "args": [[str(it)], still]} for it in iterations],
    }
    return [buttons], [slider]


def _legend_margin(labels: Sequence[str]) -> int:
    """A right margin, in px, wide enough for a vertical legend of ``labels`` beside the plots. Plotly
    widens a margin that a legend overflows, but only by drawing the whole figure a second time."""
    return 80 + round(0.43 * SMALL_FONT_SIZE * max(len(label) for label in labels))


def _axis(
    domain: tuple[float, float], anchor: str, title: str, value_range: list[float], **extra: Any
) -> Spec:
    return {
        "domain": list(domain),
        "anchor": anchor,
        "title": {"text": title, "font": {"size": FONT_SIZE}},
        "range": value_range,
        "autorange": False,
        "gridcolor": GRID,
        "zerolinecolor": GRID,
        "tickfont": {"size": SMALL_FONT_SIZE},
        **extra,
    }


def _title(text: str, x: float, y: float) -> Spec:
    return {
        "text": text,
        "x": x,
        "y": y,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": FONT_SIZE},
    }


def training_figure(
    run: Run, selected_iteration: int | None = None, max_frames: int = MAX_FRAMES
) -> go.Figure:
    """Weights, loss and the output sigmoid of a run, animated together over its recorded history.

    Parameters
    ----------
    run : a finished training run (``backprop.trainer.train``)
    selected_iteration : the iteration shown before any animation (the nearest frame is used);
        default the last
    max_frames : most animation frames, at least 2 (fewer for very large tables: ``frame_limit``)

    Returns
    -------
    go.Figure
        Weights over iterations (top left; hidden layers as norms for big networks), the loss on a
        log axis (top right), and the output unit's ``σ(z)`` and ``σ'(z) = σ(1 - σ)`` with one point
        per training row and output unit at ``(z, out)`` (bottom). ``training_traces(run.arch)``
        gives the trace indices; frames are named ``str(iteration)`` and update only
        ``training_traces(run.arch).animated``. All axis ranges are fixed.
    """
    arch, table = run.arch, run.table
    roles = training_traces(arch)
    iterations = np.array([s.iteration for s in run.history], dtype=np.int64)
    frames_idx = _frame_indices(run, max_frames)
    frame_its = iterations[frames_idx]
    wanted = int(iterations[-1]) if selected_iteration is None else int(selected_iteration)
    active = int(np.argmin(np.abs(frame_its - wanted)))
    shown = int(frames_idx[active])

    series = weight_series(run)
    W = _round_sig(np.stack([s.values for s in series]), 6)  # (n_series, n_snapshots)
    line_idx = _line_indices(len(run.history), len(series) + 1, frames_idx)
    loss = np.array([s.loss for s in run.history])
    positive = loss[np.isfinite(loss) & (loss > 0)]
    # a log axis cannot show E = 0: draw it at the smallest positive loss
    E = _round_sig(np.maximum(loss, positive.min() if positive.size else 1e-12), 6)

    # z = a_prev W (+ b) of the output layer at every frame: (n_frames, n_rows, n_outputs)
    with np.errstate(all="ignore"):
        Z = _round_sig(np.stack([forward(arch, run.history[i].params, table.X).z[-1] for i in frames_idx]), 5)
    OUT = np.round(np.stack([run.history[i].output for i in frames_idx]), 6)

    # fixed ranges from everything plotted, so nothing jumps while playing
    x_range = _padded(0.0, float(iterations[-1]), 0.02, 0.5)
    w_range = _padded(*_finite_span(W[:, line_idx]), 0.05, 0.5)
    log_low, log_high = np.log10(_finite_span(E[line_idx]))
    loss_range = _padded(float(log_low), float(log_high), 0.06, 0.25)
    finite_z = np.abs(Z[np.isfinite(Z)])
    z_half = max(6.0, 1.08 * float(finite_z.max())) if finite_z.size else 6.0

    data: list[Spec] = []
    styles = _series_styles(arch)
    x_lines = iterations[line_idx].tolist()
    summarised = summarises_hidden_layers(arch)
    for k, s in enumerate(series):
        colour, dash = styles[k]
        trace = {
            "type": "scatter",
            "meta": f"weight-{k}",
            "name": s.name,
            "x": x_lines,
            "y": _as_list(W[k, line_idx]),
            "mode": "lines",
            "line": {"color": colour, "dash": dash, "width": 4 if s.kind == "norm" else 2.5},
            "legendgroup": f"layer{s.layer + 1}",
            "hovertemplate": "iteration %{x}<br>%{y:.5g}<extra>%{fullData.name}</extra>",
        }
        if arch.n_layers > 1:
            output = " (output)" if s.layer == arch.n_layers - 1 else ""
            trace["legendgrouptitle"] = {"text": f"Layer {s.layer + 1}{output}"}
        data.append(trace)
    it = int(frame_its[active])
    cursor = {"color": NEUTRAL, "width": 1.5, "dash": "dot"}
    loss_ends = [10.0 ** loss_range[0], 10.0 ** loss_range[1]]
    data += [
        {
            "type": "scatter",
            "meta": "weight-cursor",
            "x": [it, it],
            "y": w_range,
            "mode": "lines",
            "line": cursor,
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "meta": "weight-markers",
            "x": [it] * len(series),
            "y": _as_list(W[:, shown]),
            "mode": "markers",
            "marker": {
                "color": [colour for colour, _ in styles],
                "size": 10,
                "line": {"color": NEUTRAL, "width": 1},
            },
            "text": [s.name for s in series],
            "hovertemplate": "%{text} = %{y:.5g}<extra>iteration %{x}</extra>",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "meta": "loss",
            "name": "loss E",
            "x": x_lines,
            "y": _as_list(E[line_idx]),
            "xaxis": "x2",
            "yaxis": "y2",
            "mode": "lines",
            "line": {"color": LOSS_COLOUR, "width": 3},
            "hovertemplate": "iteration %{x}<br>E = %{y:.4g}<extra></extra>",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "meta": "loss-cursor",
            "x": [it, it],
            "y": loss_ends,
            "xaxis": "x2",
            "yaxis": "y2",
            "mode": "lines",
            "line": cursor,
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "meta": "loss-marker",
            "x": [it],
            "y": [float(E[shown])],
            "xaxis": "x2",
            "yaxis": "y2",
            "mode": "markers",
            "marker": {"color": LOSS_COLOUR, "size": 12, "line": {"color": NEUTRAL, "width": 1}},
            "hovertemplate": "iteration %{x}<br>E = %{y:.4g}<extra></extra>",
            "showlegend": False,
        },
    ]
    zs = _sigmoid_grid(z_half)
    a = sigmoid(zs)
    for name, values, dash, uid in (
        ("σ(z)", a, "solid", "sigmoid"),
        ("σ′(z) = σ(1 − σ)", a * (1 - a), "dash", "sigmoid-derivative"),
    ):
        data.append(
            {
                "type": "scatter",
                "meta": uid,
                "name": name,
                "x": _round_sig(zs, 5).tolist(),
                "y": np.round(values, 5).tolist(),
                "xaxis": "x3",
                "yaxis": "y3",
                "mode": "lines",
                "line": {"color": NEUTRAL, "width": 3, "dash": dash},
                "legend": "legend2",
                "hovertemplate": "z = %{x:.3g}<br>%{y:.4f}<extra>" + name + "</extra>",
            }
        )
    outputs = unit_names(arch)[-1]
    labelled = table.n_rows <= MAX_LABELLED_ROWS
    row_numbers = [str(r) for r in range(1, table.n_rows + 1)]
    for j, out_name in enumerate(outputs):
        data.append(
            {
                "type": "scatter",
                "meta": f"rows-{j}",
                "name": f"rows → {out_name}" if len(outputs) > 1 else "training rows",
                "x": _as_list(Z[active, :, j]),
                "y": _as_list(OUT[active, :, j]),
                "xaxis": "x3",
                "yaxis": "y3",
                "mode": "markers+text" if labelled else "markers",
                "text": row_numbers,
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

    animated = list(roles.animated)
    frames: list[Spec] = []
    for f, (i, frame_it) in enumerate(zip(frames_idx.tolist(), frame_its.tolist(), strict=True)):
        changes: list[Spec] = [
            {"type": "scatter", "x": [frame_it, frame_it]},
            {"type": "scatter", "x": [frame_it] * len(series), "y": _as_list(W[:, i])},
            {"type": "scatter", "x": [frame_it, frame_it]},
            {"type": "scatter", "x": [frame_it], "y": [float(E[i])]},
        ]
        changes += [
            {"type": "scatter", "x": _as_list(Z[f, :, j]), "y": _as_list(OUT[f, :, j])}
            for j in range(len(outputs))
        ]
        frames.append({"name": str(frame_it), "data": changes, "traces": animated})

    buttons, sliders = _controls(frame_its.tolist(), active)
    weights_title = "Weights (hidden layers: ‖W‖)" if summarised else "Weights"
    legend_labels = [s.name for s in series] + [
        t["legendgrouptitle"]["text"] for t in data if "legendgrouptitle" in t
    ]
    layout: Spec = {
        "height": 880,
        "margin": {"l": 80, "r": _legend_margin(["Weights", *legend_labels]), "t": 60, "b": 170},
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
        "xaxis": _axis(_LEFT, "y", "iteration", x_range),
        "yaxis": _axis(_TOP, "x", "value", w_range),
        "xaxis2": _axis(_RIGHT, "y2", "iteration", list(x_range), matches="x"),
        "yaxis2": _axis(_TOP, "x2", "", loss_range, type="log", exponentformat="power"),
        "xaxis3": _axis((0.0, 1.0), "y3", "net input z of the output unit", [-z_half, z_half]),
        "yaxis3": _axis(_BOTTOM, "x3", "out = σ(z)", [-0.08, 1.08]),
        "annotations": [
            _title(weights_title, sum(_LEFT) / 2, _TOP[1]),
            _title("Loss E = ½·Σ(y − out)²", sum(_RIGHT) / 2, _TOP[1]),
            _title(
                "Output unit: σ(z) and σ′(z) = σ(1 − σ); the points are the training rows at (z, out)",
                0.5,
                _BOTTOM[1],
            ),
        ],
        "updatemenus": buttons,
        "sliders": sliders,
    }
    return _figure(data, layout, frames)


# ------------------------------------------------------------------------------ teaching views
# Network diagram, decision surface, per-row error and hidden-layer activations animate with the same
# frame names as ``training_figure`` (``str(iteration)``; a subset of its frames when their own frames
# are large), so one slider position means the same iteration in every view.

POSITIVE = PALETTE[0]  # Okabe–Ito blue: positive weights, target 1
NEGATIVE = PALETTE[3]  # Okabe–Ito vermillion: negative weights
TARGET_ZERO = PALETTE[1]  # Okabe–Ito orange: target 0
FLAT_RING = PALETTE[5]  # Okabe–Ito reddish purple: rings around saturated or inactive points
# Opaque light nodes with dark text: edges pass behind them, and they read on light and dark themes.
NODE_FILL = "#E6E6E6"
NODE_TEXT = "#222222"
# Edges are drawn in this many widths per sign, from 1 px up to EDGE_MAX_WIDTH for the largest |w|.
EDGE_WIDTHS = 6
EDGE_MAX_WIDTH = 12.0
# Frame budget of the network diagram in plotted values (an edge is 6 numbers, a node's text 1).
NETWORK_VALUE_BUDGET = 40_000
SURFACE_GRID = 26
SURFACE_RANGE = (-0.25, 1.25)
ERROR_FLOOR = 1e-6
# Slope below which a hidden unit counts as saturated (σ′ < 0.01, tanh′ < 0.04), as diagnostics says.
SATURATED_SLOPE = MappingProxyType({name: SATURATION_FRACTION * slope for name, slope in MAX_SLOPE.items()})


def _view_frames(run: Run, per_frame: int, budget: int, max_frames: int) -> IntArray:
    """History indices to animate: ``training_figure``'s frames, or an even subset of them (always the
    first and last) so that all frames hold at most ``budget`` values of ``per_frame`` each."""
    frames = _frame_indices(run, max_frames)
    limit = max(2, budget // max(per_frame, 1))
    return frames if frames.size <= limit else frames[_evenly(frames.size, limit)]


def _active(run: Run, frames: IntArray, selected_iteration: int | None) -> int:
    iterations = np.array([run.history[i].iteration for i in frames])
    wanted = int(iterations[-1]) if selected_iteration is None else int(selected_iteration)
    return int(np.argmin(np.abs(iterations - wanted)))


def _view_controls(run: Run, frames: IntArray, active: int, redraw: bool = False) -> dict[str, Any]:
    """Play / Pause and the iteration slider under a single-plot figure (``redraw`` for heatmaps)."""
    buttons, sliders = _controls([run.history[i].iteration for i in frames], active)
    if redraw:
        for button in buttons[0]["buttons"]:
            if button["args"][1]["frame"]["duration"]:
                button["args"][1]["frame"]["redraw"] = True
        for step in sliders[0]["steps"]:
            step["args"][1]["frame"]["redraw"] = True
    buttons[0]["y"] = sliders[0]["y"] = VIEW_CONTROLS_Y
    sliders[0]["x"], sliders[0]["len"] = 0.22, 0.78
    return {"updatemenus": buttons, "sliders": sliders}


def _fit_margins(layout: Spec, data: list[Spec]) -> Spec:
    """``layout`` with margins that hold what a teaching view puts outside its plot: a vertical legend
    on the right, a colour bar, and the controls hung at ``VIEW_CONTROLS_Y`` (a fraction of the plot's
    height) below it. Sized up front: plotly widens a margin that something overflows only by drawing
    the whole figure a second time."""
    margin = layout["margin"]
    names = [t["name"] for t in data if t.get("name") and t.get("showlegend", True)]
    if names and "orientation" not in layout["legend"]:
        margin["r"] = max(margin["r"], _legend_margin(names))
    if any("colorbar" in t for t in data):
        margin["r"] = max(margin["r"], COLORBAR_PX)
    if layout.get("sliders"):
        below = CONTROLS_PX - VIEW_CONTROLS_Y * (layout["height"] - margin["t"])
        margin["b"] = math.ceil(below / (1 - VIEW_CONTROLS_Y))
    return layout


def _view_layout(title: str, height: int, **extra: Any) -> Spec:
    return {
        "height": height,
        "margin": {"l": 90, "r": 20, "t": 60, "b": 120},  # l: y tick labels such as 10⁻⁴ and the axis title
        "font": {"size": FONT_SIZE},
        "title": {"text": title, "font": {"size": FONT_SIZE}, "x": 0.0, "xanchor": "left"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": SMALL_FONT_SIZE}},
        "uirevision": UIREVISION,
        "showlegend": True,
        "legend": {"font": {"size": SMALL_FONT_SIZE}},
        **extra,
    }


def _view_figure(
    run: Run, data: list[Spec], layout: Spec, frames: IntArray, traces: list[int], changes: list[list[Spec]]
) -> go.Figure:
    """An animated teaching view: its margins fitted to what hangs outside the plot, and one frame per
    history index in ``frames``, changing ``traces`` to ``changes[f]``."""
    specs = [
        {"name": str(run.history[i].iteration), "data": change, "traces": traces}
        for i, change in zip(frames.tolist(), changes, strict=True)
    ]
    return _figure(data, _fit_margins(layout, data), specs)


def _legend_above() -> Spec:
    """A horizontal legend along the top edge of the plot."""
    return {"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom", "font": {"size": SMALL_FONT_SIZE}}


def _unit_positions(arch: Architecture) -> tuple[list[FloatArray], list[float | None]]:
    """Node heights per layer (units centred on 0, first at the top), and the height of each source
    layer's bias node ("+1", below its units; None without learned biases or for the output layer)."""
    heights = [(len_ - 1) / 2 - np.arange(len_, dtype=np.float64) for len_ in arch.sizes]
    bottom = min(float(h.min()) for h in heights)
    bias = [bottom - 1.0 if arch.use_bias else None for _ in arch.sizes[:-1]] + [None]
    return heights, bias


def _edges(arch: Architecture) -> list[tuple[int, int, int, str]]:
    """(layer, source, destination, name) of every weight and bias; source -1 is the bias node."""
    units = unit_names(arch)
    edges = []
    for layer in range(arch.n_layers):
        for j, destination in enumerate(units[layer + 1]):
            edges.extend((layer, i, j, f"w({s}→{destination})") for i, s in enumerate(units[layer]))
            if arch.use_bias:
                edges.append((layer, -1, j, f"b(→{destination})"))
    return edges


def network_figure(
    run: Run, row: int = 0, selected_iteration: int | None = None, max_frames: int = MAX_FRAMES
) -> go.Figure:
    """The network as a diagram: units as nodes showing their values for one table row, weights as
    edges coloured by sign (blue positive, vermillion negative) and as wide as their size.

    Parameters
    ----------
    run : a finished training run
    row : the table row (0-based) whose input, hidden values and output the nodes show
    selected_iteration : the iteration shown before any animation (nearest frame); default the last
    max_frames : most animation frames (the same frames as ``training_figure``, or an even subset)

    Returns
    -------
    go.Figure
        ``2 * EDGE_WIDTHS`` line traces, one per sign (positive first) and width class, each holding
        the edges of that class as segments separated by gaps; then a marker trace at the edge
        midpoints (hover: ``_edges`` names and values), the nodes (text: each unit's name and value for
        ``row``), bias nodes, targets and the two legend entries. Frames move edges between classes
        and update the hover text and node values. The width class of ``w`` is
        ``round((EDGE_WIDTHS - 1) * |w| / largest)`` with ``largest`` the largest ``|w|`` over all
        frames, so widths compare across frames.
    """
    arch, table = run.arch, run.table
    if not 0 <= row < table.n_rows:
        raise ValueError(f"row must be from 0 to {table.n_rows - 1}, got {row}.")
    edges = _edges(arch)
    n_nodes = sum(arch.sizes)
    frames = _view_frames(run, 6 * len(edges) + n_nodes, NETWORK_VALUE_BUDGET, max_frames)
    active = _active(run, frames, selected_iteration)
    heights, bias_at = _unit_positions(arch)

    def values(i: int) -> FloatArray:
        params = run.history[i].params
        return np.array(
            [params.biases[k][j] if s < 0 else params.weights[k][s, j] for k, s, j, _ in edges],
            dtype=float,
        )

    W = np.stack([values(i) for i in frames])  # (n_frames, n_edges); parameters are always finite
    largest = float(np.abs(W).max()) or 1.0
    # class index: sign (0 positive, 1 negative) * EDGE_WIDTHS + width class
    classes = (W < 0) * EDGE_WIDTHS + np.rint(np.abs(W) / largest * (EDGE_WIDTHS - 1)).astype(np.int64)
    with np.errstate(all="ignore"):
        A = [forward(arch, run.history[i].params, table.X[row : row + 1]).a for i in frames]
    ends_x = [(float(k), float(k + 1)) for k, _, _, _ in edges]
    ends_y = [
        (float(bias_at[k] if s < 0 else heights[k][s]), float(heights[k + 1][j])) for k, s, j, _ in edges
    ]

    def edge_classes(f: int) -> list[Spec]:
        """Every class's edges as one polyline with gaps: x = [x0, x1, None, ...]."""
        segments: list[Spec] = []
        for c in range(2 * EDGE_WIDTHS):
            members = np.flatnonzero(classes[f] == c).tolist()
            xs = [v for e in members for v in (*ends_x[e], None)]
            ys = [v for e in members for v in (*ends_y[e], None)]
            segments.append({"type": "scatter", "x": xs, "y": ys})
        return segments

    labels = [name for layer in unit_names(arch) for name in layer]

    def node_text(f: int) -> list[str]:
        values = [float(v) for layer in A[f] for v in layer[0]]
        return [f"<b>{name}</b><br>{v:.2f}" for name, v in zip(labels, values, strict=True)]

    data: list[Spec] = []
    for c, segments in enumerate(edge_classes(active)):
        width = 1 + (EDGE_MAX_WIDTH - 1) * (c % EDGE_WIDTHS) / (EDGE_WIDTHS - 1)
        data.append(
            {
                **segments,
                "mode": "lines",
                "line": {"color": POSITIVE if c < EDGE_WIDTHS else NEGATIVE, "width": width},
                "hoverinfo": "skip",
                "showlegend": False,
                "name": f"{'negative' if c >= EDGE_WIDTHS else 'positive'} weights, class {c % EDGE_WIDTHS}",
            }
        )
    # hover points part-way along each edge (nearer the source for biases, whose edges fan out)
    mid_x = [x0 + (0.5 if s >= 0 else 0.35) for (x0, _), (_, s, _, _) in zip(ends_x, edges, strict=True)]
    mid_y = [
        y0 + (0.5 if s >= 0 else 0.35) * (y1 - y0)
        for (y0, y1), (_, s, _, _) in zip(ends_y, edges, strict=True)
    ]
    names = [e[3] for e in edges]

    def edge_text(f: int) -> list[str]:
        return [f"{n} = {w:.4g}" for n, w in zip(names, W[f].tolist(), strict=True)]

    node_x = [float(k) for k, size in enumerate(arch.sizes) for _ in range(size)]
    node_y = [float(h) for layer in heights for h in layer]
    data += [
        {
            "type": "scatter",
            "uid": "edge-values",
            "x": mid_x,
            "y": mid_y,
            "mode": "markers",
            "marker": {"size": 14, "color": "rgba(0,0,0,0)"},
            "text": edge_text(active),
            "hovertemplate": "%{text}<extra></extra>",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "uid": "nodes",
            "x": node_x,
            "y": node_y,
            "mode": "markers+text",
            "marker": {"size": 62, "color": NODE_FILL, "line": {"color": NEUTRAL, "width": 2}},
            "text": node_text(active),
            "textfont": {"size": SMALL_FONT_SIZE, "color": NODE_TEXT},
            "hoverinfo": "skip",
            "showlegend": False,
        },
    ]
    if arch.use_bias:
        data.append(
            {
                "type": "scatter",
                "uid": "bias-nodes",
                "x": list(range(arch.n_layers)),
                "y": bias_at[:-1],
                "mode": "markers+text",
                "marker": {"size": 36, "color": NODE_FILL, "line": {"color": NEUTRAL}},
                "text": ["+1"] * arch.n_layers,
                "textfont": {"size": SMALL_FONT_SIZE, "color": NODE_TEXT},
                "hovertemplate": "bias input, always 1<extra></extra>",
                "showlegend": False,
            }
        )
    targets = [
        f"target {name} = {v:g}" for name, v in zip(output_names(table.n_outputs), table.y[row], strict=True)
    ]
    data.append(
        {
            "type": "scatter",
            "uid": "targets",
            "x": [arch.n_layers + 0.3] * arch.n_outputs,
            "y": heights[-1].tolist(),
            "mode": "text",
            "text": targets,
            "textposition": "middle right",
            "textfont": {"size": SMALL_FONT_SIZE},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    )
    for colour, label in ((POSITIVE, "positive weight"), (NEGATIVE, "negative weight")):
        data.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "lines",
                "line": {"color": colour, "width": 6},
                "name": label,
            }
        )
    n_classes = 2 * EDGE_WIDTHS
    animated = [*range(n_classes), n_classes, n_classes + 1]
    changes = [
        [
            *edge_classes(f),
            {"type": "scatter", "text": edge_text(f)},
            {"type": "scatter", "text": node_text(f)},
        ]
        for f in range(len(frames))
    ]
    lowest = min([float(h.min()) for h in heights] + [b for b in bias_at if b is not None])
    highest = max(float(h.max()) for h in heights)
    shown = ", ".join(f"{v:g}" for v in table.X[row])
    layout = _view_layout(
        f"Row {row + 1} [{shown}] through the network: node values; edge width ∝ |weight|",
        max(440, 170 + 90 * int(max(arch.sizes) + (1 if arch.use_bias else 0))),
        xaxis={"visible": False, "range": [-0.45, arch.n_layers + 1.3], "fixedrange": True},
        yaxis={"visible": False, "range": [lowest - 0.6, highest + 0.75], "fixedrange": True},
        legend=_legend_above(),
        **_view_controls(run, frames, active),
    )
    layout["title"]["y"] = 0.98
    layout["margin"]["t"] = 90
    return _view_figure(run, data, layout, frames, animated, changes)


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


def decision_surface_figure(
    run: Run, output: int = 0, selected_iteration: int | None = None, max_frames: int = MAX_FRAMES
) -> go.Figure:
    """The network's output over the square of its two varying inputs, with the training rows on it.

    The two varying inputs (``table.varying_inputs()``) run from -0.25 to 1.25 on a
    ``SURFACE_GRID``² grid; every other input stays at its constant value. A contour at 0.5 marks
    the decision boundary. For a network with no hidden layer the unit's line ``w·x = 0`` is drawn
    dashed as well (it is that boundary). Frames (a subset of ``training_figure``'s, by the payload
    budget) update the surface and the line.

    Raises
    ------
    ValueError
        unless the table has exactly two varying inputs.
    """
    arch, table = run.arch, run.table
    inputs = table.varying_inputs()
    if len(inputs) != 2:
        raise ValueError(f"A decision surface needs exactly 2 varying inputs; this table has {len(inputs)}.")
    i, j = inputs
    low, high = SURFACE_RANGE
    grid = np.linspace(low, high, SURFACE_GRID)
    gx, gy = np.meshgrid(grid, grid)  # rows follow x_j (the y axis), columns x_i
    X = np.repeat(table.X[:1], gx.size, axis=0)
    X[:, i], X[:, j] = gx.ravel(), gy.ravel()
    frames = _view_frames(run, SURFACE_GRID**2 + 4, FRAME_NUMBER_BUDGET, max_frames)
    active = _active(run, frames, selected_iteration)
    with np.errstate(all="ignore"):
        Z = [
            np.round(forward(arch, run.history[f].params, X).output[:, output].reshape(gx.shape), 4)
            for f in frames
        ]
    names = input_names(table.n_inputs)
    out_name = unit_names(arch)[-1][output]
    scale = [[0.0, TARGET_ZERO], [0.5, "#F2F2F2"], [1.0, POSITIVE]]
    data: list[Spec] = [
        {
            "type": "contour",
            "uid": "surface",
            "x": _round_sig(grid, 4).tolist(),
            "y": _round_sig(grid, 4).tolist(),
            "z": _as_list(Z[active]),
            "zmin": 0.0,
            "zmax": 1.0,
            "colorscale": scale,
            "contours": {"coloring": "heatmap", "start": 0.5, "end": 0.5, "size": 0.5, "showlines": True},
            "line": {"width": 3, "color": "#333333"},
            "colorbar": {
                "title": {"text": out_name, "font": {"size": SMALL_FONT_SIZE}},
                "tickfont": {"size": SMALL_FONT_SIZE},
                "len": 0.8,
            },
            "hovertemplate": f"{names[i]} = %{{x:.2f}}<br>{names[j]} = %{{y:.2f}}<br>"
            + f"{out_name} = %{{z:.3f}}<extra></extra>",
            "name": f"{out_name} (line: 0.5)",
        }
    ]
    line = None
    if arch.n_layers == 1:
        constant = [k for k in range(table.n_inputs) if k not in inputs]

        def line_points(f: int) -> list[float | None]:
            p = run.history[f].params
            w = p.weights[0][:, output]
            c = float(table.X[0, constant] @ w[constant]) + (
                float(p.biases[0][output]) if arch.use_bias else 0.0
            )
            return _clip_line(float(w[i]), float(w[j]), c, low, high)

        line = [line_points(f) for f in frames]
        data.append(
            {
                "type": "scatter",
                "uid": "unit-line",
                "x": line[active][:2],
                "y": line[active][2:],
                "mode": "lines",
                "line": {"color": "#333333", "width": 3, "dash": "dash"},
                "name": "the unit's line w·x = 0",
                "hoverinfo": "skip",
            }
        )
    y = table.y[:, output]
    high_target = y >= 0.5
    data.append(
        {
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
                "colorscale": scale,
                "symbol": ["diamond" if t else "circle" for t in high_target],
                "line": {"color": "#333333", "width": 3},
            },
            "name": "rows (◆ target ≥ 0.5, ● below)",
            "hovertemplate": "row %{text}<br>target %{customdata}<extra></extra>",
        }
    )
    animated = [0] + ([1] if line is not None else [])
    changes = [
        [{"type": "contour", "z": _as_list(Z[f])}]
        + ([{"type": "scatter", "x": line[f][:2], "y": line[f][2:]}] if line is not None else [])
        for f in range(len(frames))
    ]
    layout = _view_layout(
        f"Decision surface: {out_name} over ({names[i]}, {names[j]})",
        640,
        xaxis={**_axis((0.0, 1.0), "y", names[i], [low, high]), "constrain": "domain"},
        yaxis={**_axis((0.0, 1.0), "x", names[j], [low, high]), "scaleanchor": "x"},
        legend=_legend_above(),
        **_view_controls(run, frames, active, redraw=True),
    )
    layout["margin"]["t"] = 100
    return _view_figure(run, data, layout, frames, animated, changes)


def row_error_figure(
    run: Run, selected_iteration: int | None = None, max_frames: int = MAX_FRAMES
) -> go.Figure:
    """``|y − out|`` of every row over the recorded iterations, on a log axis: which rows learn when.

    One line per row (per row and output with several outputs), a dotted line at 0.5 (above it a
    row with a 0/1 target is on the wrong side), and a cursor with one marker per line that the
    frames move. Errors below ``ERROR_FLOOR`` are drawn at it.
    """
    table = run.table
    iterations = run.iterations
    errors = np.abs(table.y[None] - np.stack([s.output for s in run.history]))  # (S, rows, outputs)
    errors = errors.reshape(len(run.history), -1)  # columns: row-major (row, output)
    n_lines = errors.shape[1]
    labels = [
        f"row {r + 1}" if table.n_outputs == 1 else f"row {r + 1}, {name}"
        for r in range(table.n_rows)
        for name in output_names(table.n_outputs)
    ]
    frames = _view_frames(run, n_lines + 2, FRAME_NUMBER_BUDGET, max_frames)
    active = _active(run, frames, selected_iteration)
    line_idx = _line_indices(len(run.history), n_lines, frames)
    E = _round_sig(np.clip(errors, ERROR_FLOOR, None), 5)
    low, high = np.log10(_finite_span(E[line_idx]))
    y_range = _padded(float(min(low, np.log10(0.5))), float(max(high, 0.0)), 0.05, 0.25)
    x_range = _padded(0.0, float(iterations[-1]), 0.02, 0.5)
    x_lines = iterations[line_idx].tolist()
    data: list[Spec] = []
    for k, label in enumerate(labels):
        data.append(
            {
                "type": "scatter",
                "x": x_lines,
                "y": _as_list(E[line_idx, k]),
                "mode": "lines",
                "name": label,
                "line": {
                    "color": PALETTE[k % len(PALETTE)],
                    "dash": DASHES[(k // len(PALETTE)) % len(DASHES)],
                    "width": 2.5,
                },
                "hovertemplate": "iteration %{x}<br>|y − out| = %{y:.3g}<extra>" + label + "</extra>",
            }
        )
    it = int(iterations[frames[active]])
    cursor = [10.0 ** y_range[0], 10.0 ** y_range[1]]
    data += [
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
            "y": cursor,
            "mode": "lines",
            "line": {"color": NEUTRAL, "width": 1.5, "dash": "dot"},
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "uid": "error-markers",
            "x": [it] * n_lines,
            "y": _as_list(E[frames[active]]),
            "mode": "markers",
            "marker": {
                "color": [PALETTE[k % len(PALETTE)] for k in range(n_lines)],
                "size": 10,
                "line": {"color": NEUTRAL, "width": 1},
            },
            "text": labels,
            "hovertemplate": "%{text}: %{y:.3g}<extra>iteration %{x}</extra>",
            "showlegend": False,
        },
    ]
    animated = [n_lines + 1, n_lines + 2]
    changes = []
    for f in frames.tolist():
        frame_it = int(iterations[f])
        changes.append(
            [
                {"type": "scatter", "x": [frame_it, frame_it]},
                {"type": "scatter", "x": [frame_it] * n_lines, "y": _as_list(E[f])},
            ]
        )
    layout = _view_layout(
        "Error of each row, |y − out| (log scale)",
        560,
        xaxis=_axis((0.0, 1.0), "y", "iteration", x_range),
        yaxis=_axis((0.0, 1.0), "x", "|y − out|", y_range, type="log", exponentformat="power", dtick=1),
        **_view_controls(run, frames, active),
    )
    return _view_figure(run, data, layout, frames, animated, changes)


def hidden_activation_figure(
    run: Run, layer: int = 0, selected_iteration: int | None = None, max_frames: int = MAX_FRAMES
) -> go.Figure:
    """A hidden layer's activation curve with every (row, unit) at its ``(z, a)``; flat spots marked.

    The hidden-layer counterpart of the output sigmoid in ``training_figure``: the curve ``f(z)``
    and its slope ``f′(z)`` (dashed), one point set per unit (colour) with one point per row, and
    rings around the points whose slope is nearly 0 (``SATURATED_SLOPE``: sigmoid σ′ < 0.01, tanh
    tanh′ < 0.04; ReLU: inactive, z ≤ 0), where almost no error passes back.

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
    frames = _view_frames(run, 4 * table.n_rows * n_units + 2, FRAME_NUMBER_BUDGET, max_frames)
    active = _active(run, frames, selected_iteration)
    with np.errstate(all="ignore"):
        passes = [forward(arch, run.history[f].params, table.X) for f in frames]
        Z = np.stack([p.z[layer] for p in passes])  # (n_frames, rows, units)
        A = np.stack([p.a[layer + 1] for p in passes])
        slope = act.derivative(A)
    flat = slope < SATURATED_SLOPE[act.name] if act.name in SATURATED_SLOPE else ~(A > 0)
    Zr, Ar = _round_sig(Z, 5), _round_sig(A, 5)
    finite = np.abs(Z[np.isfinite(Z)])
    half = max(4.0, 1.08 * float(finite.max())) if finite.size else 4.0
    zs = _sigmoid_grid(half)
    with np.errstate(all="ignore"):
        curve = act.function(zs)
        curve_slope = act.derivative(curve)
    if act.name == "relu":
        y_range = [-0.08 * half, 1.08 * half]
    elif act.name == "tanh":
        y_range = [-1.12, 1.12]
    else:
        y_range = [-0.08, 1.08]
    names = unit_names(arch)[layer + 1]
    symbol = "f" if act.name == "relu" else ("σ" if act.name == "sigmoid" else "tanh")
    data: list[Spec] = [
        {
            "type": "scatter",
            "uid": "curve",
            "x": _round_sig(zs, 5).tolist(),
            "y": _round_sig(curve, 5).tolist(),
            "mode": "lines",
            "line": {"color": NEUTRAL, "width": 3},
            "name": f"{act.name}(z)",
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "uid": "slope",
            "x": _round_sig(zs, 5).tolist(),
            "y": _round_sig(curve_slope, 5).tolist(),
            "mode": "lines",
            "line": {"color": NEUTRAL, "width": 3, "dash": "dash"},
            "name": f"slope {symbol}′(z)",
            "hoverinfo": "skip",
        },
    ]
    rows = [str(r) for r in range(1, table.n_rows + 1)]
    labelled = table.n_rows * n_units <= 2 * MAX_LABELLED_ROWS
    for u, name in enumerate(names):
        data.append(
            {
                "type": "scatter",
                "uid": f"unit-{u}",
                "x": _as_list(Zr[active, :, u]),
                "y": _as_list(Ar[active, :, u]),
                "mode": "markers+text" if labelled else "markers",
                "text": rows,
                "textposition": "top right" if u % 2 == 0 else "bottom right",
                "textfont": {"size": SMALL_FONT_SIZE, "color": PALETTE[u % len(PALETTE)]},
                "marker": {
                    "size": 13,
                    "color": PALETTE[u % len(PALETTE)],
                    "symbol": ROW_SYMBOLS[u % len(ROW_SYMBOLS)],
                    "line": {"color": NEUTRAL, "width": 1},
                },
                "name": name,
                "hovertemplate": "row %{text}<br>z = %{x:.4g}<br>" + name + " = %{y:.4g}<extra></extra>",
            }
        )
    ring_label = (
        "inactive: z ≤ 0, slope 0"
        if act.name == "relu"
        else f"saturated: slope < {SATURATED_SLOPE[act.name]:g}"
    )

    def rings(f: int) -> Spec:
        r, u = np.nonzero(flat[f])
        return {"type": "scatter", "x": _as_list(Zr[f, r, u]), "y": _as_list(Ar[f, r, u])}

    first = rings(active)
    data.append(
        {
            "type": "scatter",
            "uid": "flat",
            "x": first["x"],
            "y": first["y"],
            "mode": "markers",
            "marker": {"size": 26, "symbol": "circle-open", "color": FLAT_RING, "line": {"width": 3}},
            "name": ring_label,
            "hoverinfo": "skip",
        }
    )
    animated = list(range(2, 3 + n_units))
    changes = [
        [{"type": "scatter", "x": _as_list(Zr[f, :, u]), "y": _as_list(Ar[f, :, u])} for u in range(n_units)]
        + [rings(f)]
        for f in range(len(frames))
    ]
    which = "" if len(arch.hidden) == 1 else f" {layer + 1}"
    layout = _view_layout(
        f"Hidden layer{which} ({act.name}): each row at (z, {symbol}(z)) for every unit",
        600,
        xaxis=_axis((0.0, 1.0), "y", "net input z of the hidden unit", [-half, half]),
        yaxis=_axis((0.0, 1.0), "x", "unit output a", y_range),
        **_view_controls(run, frames, active),
    )
    return _view_figure(run, data, layout, frames, animated, changes)


def activation_comparison_figure(runs: Sequence[Run]) -> go.Figure:
    """Loss curves of the same experiment under different hidden activations, on one log axis.

    ``runs`` differ only in ``config.activation`` (e.g. sigmoid, tanh, relu); each becomes one line
    named by its activation with its final loss. Static: no frames.
    """
    if not runs:
        raise ValueError("activation_comparison_figure needs at least one run.")
    data: list[Spec] = []
    spans = []
    longest = max(int(r.final.iteration) for r in runs)
    for k, run in enumerate(runs):
        loss = np.array([s.loss for s in run.history])
        positive = loss[np.isfinite(loss) & (loss > 0)]
        E = _round_sig(np.maximum(loss, positive.min() if positive.size else 1e-12), 6)
        idx = _line_indices(len(run.history), len(runs), np.array([len(run.history) - 1]))
        spans.append(E[idx])
        name = run.config.activation
        data.append(
            {
                "type": "scatter",
                "x": run.iterations[idx].tolist(),
                "y": _as_list(E[idx]),
                "mode": "lines",
                "name": f"{name}: final E = {run.final.loss:.2g}",
                "line": {"color": PALETTE[(0, 2, 3, 5)[k % 4]], "dash": DASHES[k % len(DASHES)], "width": 3},
                "hovertemplate": "iteration %{x}<br>E = %{y:.4g}<extra>" + name + "</extra>",
            }
        )
    low, high = np.log10(_finite_span(*spans))
    layout = _view_layout(
        "Loss E = ½·Σ(y − out)² with each hidden activation (same table, seed and learning rate)",
        520,
        xaxis=_axis((0.0, 1.0), "y", "iteration", _padded(0.0, float(longest), 0.02, 0.5)),
        yaxis=_axis(
            (0.0, 1.0),
            "x",
            "E (log scale)",
            _padded(float(low), float(high), 0.06, 0.25),
            type="log",
            exponentformat="power",
            dtick=1,
        ),
        legend={
            "font": {"size": FONT_SIZE},
            "x": 0.99,
            "xanchor": "right",
            "y": 0.99,
            "bgcolor": "rgba(128, 128, 128, 0.12)",
        },
    )
    layout["margin"]["b"] = 75
    return _figure(data, layout)


def sweep_figure(result: Sweep, chosen_learning_rate: float) -> go.Figure:
    """Loss against learning rate and iteration for every run of a sweep, the chosen run highlighted.

    Left: a heatmap of log10 E over (iteration, learning rate), both axes logarithmic (iteration 0 is
    left out: it has no logarithm, and every run starts from the same loss there). Right: the final
    loss of each run against its learning rate. Runs that stopped early (target loss, or a weight about
    to become non-finite) are blank after they stopped. The chosen learning rate is drawn on both as a
    dashed line. Static: no frames.

    Parameters
    ----------
    result : a sweep over learning rates (one seed), runs sorted by learning rate
    chosen_learning_rate : the learning rate of the run the page shows
    """
    order = np.argsort(result.learning_rates, kind="stable")
    lrs = result.learning_rates[order]
    keep = result.iterations > 0
    iterations = result.iterations[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_loss = np.log10(result.losses[order][:, keep])
        final = result.final_loss[order]
    log_loss[~np.isfinite(log_loss)] = np.nan
    low, high = _finite_span(log_loss)
    final_ok = np.isfinite(final) & (final > 0)
    f_low, f_high = _finite_span(np.log10(final[final_ok])) if final_ok.any() else (low, high)
    x_range = [0.0, float(np.log10(max(2, iterations.max())))] if iterations.size else [0.0, 1.0]
    y_range = [float(np.log10(lrs.min())) - 0.05, float(np.log10(lrs.max())) + 0.05]
    data: list[Spec] = [
        {
            "type": "heatmap",
            "x": iterations.tolist(),
            "y": _round_sig(lrs, 6).tolist(),
            "z": [_as_list(row) for row in _round_sig(log_loss, 4)],
            "zmin": low,
            "zmax": high,
            "colorscale": "Viridis",
            "colorbar": {"title": {"text": "log₁₀ E"}, "x": 0.41, "len": 0.9, "thickness": 14},
            "hovertemplate": "lr %{y:.4g}<br>iteration %{x}<br>log₁₀ E = %{z:.3f}<extra></extra>",
            "name": "log10 E",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "x": [1, max(2, int(iterations.max())) if iterations.size else 2],
            "y": [chosen_learning_rate] * 2,
            "mode": "lines",
            "line": {"color": LOSS_COLOUR, "dash": "dash", "width": 3},
            "name": f"your learning rate ({chosen_learning_rate:g})",
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": _round_sig(lrs[final_ok], 6).tolist(),
            "y": _round_sig(final[final_ok], 6).tolist(),
            "xaxis": "x2",
            "yaxis": "y2",
            "mode": "lines+markers",
            "line": {"color": PALETTE[0], "width": 2},
            "marker": {"size": 6},
            "name": "final loss of each run",
            "hovertemplate": "lr %{x:.4g}<br>final E = %{y:.4g}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": [chosen_learning_rate] * 2,
            "y": [10 ** (f_low - 0.3), 10 ** (f_high + 0.3)],
            "xaxis": "x2",
            "yaxis": "y2",
            "mode": "lines",
            "line": {"color": LOSS_COLOUR, "dash": "dash", "width": 3},
            "name": "your learning rate",
            "showlegend": False,
            "hoverinfo": "skip",
        },
    ]
    layout = _view_layout(
        "Loss over iterations for each learning rate (left) and where each run ends (right)",
        520,
        xaxis=_axis((0.0, 0.4), "y", "iteration (log scale)", x_range, type="log"),
        yaxis=_axis((0.0, 1.0), "x", "learning rate (log scale)", y_range, type="log"),
        xaxis2=_axis((0.6, 1.0), "y2", "learning rate (log scale)", y_range, type="log"),
        yaxis2=_axis(
            (0.0, 1.0),
            "x2",
            "final E (log scale)",
            [f_low - 0.3, f_high + 0.3],
            type="log",
            exponentformat="power",
        ),
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "font": {"size": SMALL_FONT_SIZE}},
    )
    layout["margin"]["r"] = 30  # the last x tick label reaches past the plot
    return _figure(data, layout)
