"""Loss curves of one experiment under different hidden activations, on one log axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from backprop.figures.frames import line_indices
from backprop.figures.layout import axis, figure, log_ticks, view_layout
from backprop.figures.plotted import as_list, finite_span, loss_floor, padded, round_sig
from backprop.figures.style import DASHES, FONT_SIZE, PALETTE
from backprop.trainer import Run

Spec = dict[str, Any]


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
        E = round_sig(np.maximum(loss, loss_floor(loss)), 6)
        idx = line_indices(len(run.history), len(runs), np.array([len(run.history) - 1]))
        spans.append(E[idx])
        name = run.config.activation
        data.append(
            {
                "type": "scatter",
                "x": run.iterations[idx].tolist(),
                "y": as_list(E[idx]),
                "mode": "lines",
                "name": f"{name}: final E = {run.final.loss:.2g}",
                "line": {"color": PALETTE[(0, 2, 3, 5)[k % 4]], "dash": DASHES[k % len(DASHES)], "width": 3},
                "hovertemplate": "iteration %{x}<br>E = %{y:.4g}<extra>" + name + "</extra>",
            }
        )
    low, high = np.log10(finite_span(*spans))
    e_range = padded(float(low), float(high), 0.06, 0.25)
    layout = view_layout(
        "Loss E = ½·Σ(y − out)² with each hidden activation (same table, seed and learning rate)",
        520,
        xaxis=axis((0.0, 1.0), "y", "iteration", padded(0.0, float(longest), 0.02, 0.5)),
        yaxis=axis(
            (0.0, 1.0),
            "x",
            "E (log scale)",
            e_range,
            **log_ticks(e_range),
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
    return figure(data, layout)
