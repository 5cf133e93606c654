"""The network as a diagram: units as nodes showing one row's values, weights as edges coloured by sign
and as wide as their size, animated over the run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from backprop.figures.controls import view_controls
from backprop.figures.frames import MAX_FRAMES, Frames, view_frames
from backprop.figures.layout import legend_above, view_figure, view_layout
from backprop.figures.style import DESKTOP, NEGATIVE, NEUTRAL, NODE_FILL, NODE_TEXT, POSITIVE, Fit
from backprop.naming import bias_name, unit_names, weight_name
from backprop.network import Architecture, forward
from backprop.table import output_names
from backprop.trainer import Run, Snapshot

FloatArray = NDArray[np.float64]
Spec = dict[str, Any]
Edge = tuple[int, int, int, str]

# Edges are drawn in this many widths per sign, from 1 px up to EDGE_MAX_WIDTH for the largest |w|.
EDGE_WIDTHS = 6
EDGE_MAX_WIDTH = 12.0
# Frame budget of the network diagram in plotted values (an edge is 6 numbers, a node's text 1).
NETWORK_VALUE_BUDGET = 40_000
NODE_PX = 62  # a unit's circle, when the levels have room for it
# About how wide the diagram's plot is (px): a phone's column, or a desktop's. A deep network's nodes
# shrink to fit its levels side by side in it.
_PLOT_PX = {"stack": 320, "grid": 640, "row": 1000}
PHONE_MARGIN_PX = 16  # the diagram has no axes: on a phone its plot takes the width their margin had


@dataclass(frozen=True)
class _Look:
    """Sizes of the diagram's nodes and text (px), and where the targets are written."""

    node: int
    bias: int
    font: int
    short_targets: bool  # "y = 1" instead of "target y = 1", when the levels are short of room

    @property
    def right(self) -> float:
        """The x axis' room right of the output level, in levels."""
        return 1.1 if self.short_targets else 1.3


def _look(arch: Architecture, fit: Fit) -> _Look:
    """Nodes as large as ``NODE_PX`` when the levels have room, else as wide as 90 % of a level's
    share of the plot (with shorter target labels to leave them more), with text that fits in them."""
    plot = _PLOT_PX[fit.arrangement]
    short = plot / (arch.n_layers + 1.85) < NODE_PX / 0.9
    span = arch.n_layers + 0.55 + (1.1 if short else 1.3)
    node = min(NODE_PX, round(0.9 * plot / span))
    font = fit.small_font if node >= 50 else max(9, min(fit.small_font, round(node / 3.8)))
    return _Look(node, min(36, round(0.6 * node)), font, short)


def _unit_positions(arch: Architecture) -> tuple[list[FloatArray], list[float | None]]:
    """Node heights per layer (units centred on 0, first at the top), and the height of each source
    layer's bias node ("+1", below its units; None without learned biases or for the output layer)."""
    heights = [(len_ - 1) / 2 - np.arange(len_, dtype=np.float64) for len_ in arch.sizes]
    bottom = min(float(h.min()) for h in heights)
    bias = [bottom - 1.0 if arch.use_bias else None for _ in arch.sizes[:-1]] + [None]
    return heights, bias


def _edges(arch: Architecture, features: Sequence[str] = ()) -> list[Edge]:
    """(layer, source, destination, name) of every weight and bias; source -1 is the bias node.
    ``features``: the run's derived inputs, which name the inputs after x1, x2."""
    edges = []
    for layer in range(arch.n_layers):
        for j in range(arch.sizes[layer + 1]):
            edges.extend(
                (layer, i, j, weight_name(arch, layer, i, j, features)) for i in range(arch.sizes[layer])
            )
            if arch.use_bias:
                edges.append((layer, -1, j, bias_name(arch, layer, j)))
    return edges


def _edge_values(edges: list[Edge], snapshot: Snapshot) -> FloatArray:
    params = snapshot.params
    return np.array(
        [params.biases[k][j] if s < 0 else params.weights[k][s, j] for k, s, j, _ in edges], dtype=float
    )


class _Diagram:
    """Where every node and edge sits, and the values each frame shows on them."""

    def __init__(self, run: Run, row: int, frames: Frames) -> None:
        arch = run.arch
        self.arch, self.edges = arch, _edges(arch, run.config.features)
        self.heights, self.bias_at = _unit_positions(arch)
        self.W = np.stack([_edge_values(self.edges, s) for s in frames.snapshots])  # (n_frames, n_edges)
        largest = float(np.abs(self.W).max()) or 1.0  # parameters are always finite
        # class index: sign (0 positive, 1 negative) * EDGE_WIDTHS + width class
        width = np.rint(np.abs(self.W) / largest * (EDGE_WIDTHS - 1)).astype(np.int64)
        self.classes = (self.W < 0) * EDGE_WIDTHS + width
        with np.errstate(all="ignore"):
            self.A = [forward(arch, s.params, run.table.X[row : row + 1]).a for s in frames.snapshots]
        self.ends_x = [(float(k), float(k + 1)) for k, _, _, _ in self.edges]
        self.ends_y = [
            (float(self.bias_at[k] if s < 0 else self.heights[k][s]), float(self.heights[k + 1][j]))
            for k, s, j, _ in self.edges
        ]
        self.labels = [name for layer in unit_names(arch, run.config.features) for name in layer]

    def edge_classes(self, f: int) -> list[Spec]:
        """Every class's edges at frame ``f`` as one polyline with gaps: x = [x0, x1, None, ...]."""
        segments: list[Spec] = []
        for c in range(2 * EDGE_WIDTHS):
            members = np.flatnonzero(self.classes[f] == c).tolist()
            xs = [v for e in members for v in (*self.ends_x[e], None)]
            ys = [v for e in members for v in (*self.ends_y[e], None)]
            segments.append({"type": "scatter", "x": xs, "y": ys})
        return segments

    def edge_text(self, f: int) -> list[str]:
        return [f"{e[3]} = {w:.4g}" for e, w in zip(self.edges, self.W[f].tolist(), strict=True)]

    def node_text(self, f: int) -> list[str]:
        values = [float(v) for layer in self.A[f] for v in layer[0]]
        return [f"<b>{name}</b><br>{v:.2f}" for name, v in zip(self.labels, values, strict=True)]

    def changes(self, f: int) -> list[Spec]:
        """What frame ``f`` changes: the edge classes, then the edge values' and the nodes' text."""
        return [
            *self.edge_classes(f),
            {"type": "scatter", "text": self.edge_text(f)},
            {"type": "scatter", "text": self.node_text(f)},
        ]


def _edge_traces(d: _Diagram, f: int) -> list[Spec]:
    """One line trace per sign and width class, then hover points part-way along each edge (nearer the
    source for biases, whose edges fan out)."""
    data: list[Spec] = []
    for c, segments in enumerate(d.edge_classes(f)):
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
    along = [0.5 if s >= 0 else 0.35 for _, s, _, _ in d.edges]
    data.append(
        {
            "type": "scatter",
            "uid": "edge-values",
            "x": [x0 + t for (x0, _), t in zip(d.ends_x, along, strict=True)],
            "y": [y0 + t * (y1 - y0) for (y0, y1), t in zip(d.ends_y, along, strict=True)],
            "mode": "markers",
            "marker": {"size": 14, "color": "rgba(0,0,0,0)"},
            "text": d.edge_text(f),
            "hovertemplate": "%{text}<extra></extra>",
            "showlegend": False,
        }
    )
    return data


def _node_traces(d: _Diagram, run: Run, row: int, f: int, look: _Look) -> list[Spec]:
    """The units (name and value at frame ``f``), the bias nodes, the row's targets, the legend."""
    arch = d.arch
    data: list[Spec] = [
        {
            "type": "scatter",
            "uid": "nodes",
            "x": [float(k) for k, size in enumerate(arch.sizes) for _ in range(size)],
            "y": [float(h) for layer in d.heights for h in layer],
            "mode": "markers+text",
            "marker": {"size": look.node, "color": NODE_FILL, "line": {"color": NEUTRAL, "width": 2}},
            "text": d.node_text(f),
            "textfont": {"size": look.font, "color": NODE_TEXT},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    ]
    if arch.use_bias:
        data.append(
            {
                "type": "scatter",
                "uid": "bias-nodes",
                "x": list(range(arch.n_layers)),
                "y": d.bias_at[:-1],
                "mode": "markers+text",
                "marker": {"size": look.bias, "color": NODE_FILL, "line": {"color": NEUTRAL}},
                "text": ["+1"] * arch.n_layers,
                "textfont": {"size": look.font, "color": NODE_TEXT},
                "hovertemplate": "bias input, always 1<extra></extra>",
                "showlegend": False,
            }
        )
    table = run.table
    names = output_names(table.n_outputs)
    data.append(
        {
            "type": "scatter",
            "uid": "targets",
            "x": [arch.n_layers + 0.3] * arch.n_outputs,
            "y": d.heights[-1].tolist(),
            "mode": "text",
            "text": [
                f"{name} = {v:g}" if look.short_targets else f"target {name} = {v:g}"
                for name, v in zip(names, table.y[row], strict=True)
            ],
            "textposition": "middle right",
            "textfont": {"size": look.font},
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
    return data


def network_figure(
    run: Run,
    row: int = 0,
    selected_iteration: int | None = None,
    max_frames: int = MAX_FRAMES,
    fit: Fit = DESKTOP,
) -> go.Figure:
    """The network as a diagram: units as nodes showing their values for one table row, weights as
    edges coloured by sign (blue positive, vermillion negative) and as wide as their size.

    Parameters
    ----------
    run : a finished training run
    row : the table row (0-based) whose input, hidden values and output the nodes show
    selected_iteration : the iteration shown before any animation, exactly; default the last
    max_frames : most animation frames (the same frames as ``training_figure``, or an even subset)
    fit : the space it is drawn in (``PHONE``: a phone's column): a deep network's nodes shrink to fit
        its levels side by side, and its targets read ``y = 1``

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
    per_frame = 6 * len(_edges(arch)) + sum(arch.sizes)
    frames = view_frames(run, per_frame, NETWORK_VALUE_BUDGET, max_frames, selected_iteration)
    d = _Diagram(run, row, frames)
    look = _look(arch, fit)
    data = _edge_traces(d, frames.active) + _node_traces(d, run, row, frames.active, look)
    n_classes = 2 * EDGE_WIDTHS
    animated = [*range(n_classes), n_classes, n_classes + 1]
    lowest = min([float(h.min()) for h in d.heights] + [b for b in d.bias_at if b is not None])
    highest = max(float(h.max()) for h in d.heights)
    shown = ", ".join(f"{v:.3g}" for v in table.X[row, : run.n_table_inputs])
    layout = view_layout(
        f"Row {row + 1} [{shown}] through the network: node values; edge width ∝ |weight|",
        max(440, 170 + 90 * int(max(arch.sizes) + (1 if arch.use_bias else 0))),
        xaxis={"visible": False, "range": [-0.55, arch.n_layers + look.right], "fixedrange": True},
        yaxis={"visible": False, "range": [lowest - 0.6, highest + 0.75], "fixedrange": True},
        legend=legend_above(),
        **view_controls(frames.iterations, frames.active),
    )
    # the legend above the plot, under the heading (two lines on a phone), in a figure taller by as much
    layout["margin"]["t"] += 48
    layout["height"] += 48
    if fit.arrangement == "stack":
        layout["margin"]["l"] = layout["margin"]["r"] = PHONE_MARGIN_PX
    changes = [d.changes(f) for f in range(len(frames.snapshots))]
    return view_figure(data, layout, frames, animated, changes)
