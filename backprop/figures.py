"""Plotly figures built from a run's recorded history: pure functions, no Streamlit.

``training_figure`` shows one iteration three ways in one figure whose subplots share animation
frames, so they never disagree: every weight over the iterations, the loss ``E = 1/2 * sum((y - out)**2)``
on a log axis, and the output unit's sigmoid with each training row sitting on it at ``(z, out)``.
Play / Pause and the slider run in the browser (client-side Plotly frames, no reruns). Frames carry
only the traces that move, numbers are rounded, and the counts of frames and line points are capped by
a payload budget, so the figure's JSON stays near a megabyte at most whatever the run.

The figure is assembled as plain dicts and wrapped without plotly's per-property validation (which
would take most of a second for 200 frames); the tests check that the result validates.
This is the only module of the package that imports plotly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from backprop.activations import sigmoid
from backprop.network import Architecture, forward
from backprop.trainer import Run

FloatArray = NDArray[np.float64]
Kind = Literal["weight", "bias", "norm"]
IntArray = NDArray[np.int64]
Spec = dict[str, Any]

MAX_FRAMES = 200
# Above this many weights and biases, hidden layers are drawn as one norm line each.
MAX_INDIVIDUAL_WEIGHTS = 24
# Payload caps in plotted numbers (about 9 JSON characters each): all frames, then all lines.
FRAME_NUMBER_BUDGET = 90_000
LINE_NUMBER_BUDGET = 30_000
# Above this many rows, row numbers show on hover only (labels would pile up).
MAX_LABELLED_ROWS = 16
FRAME_MS = 60

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
    layout: Spec = {
        "height": 880,
        "margin": {"l": 70, "r": 20, "t": 60, "b": 170},
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
    # dicts built above follow plotly's schema (tests validate them); skip the slow per-value checks
    return go.Figure({"data": data, "layout": layout, "frames": frames}, _validate=False)
