"""A learning-rate sweep: the loss of every run over the iterations, and where each run ends."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from backprop.figures.layout import COLORBAR_PX, axis, figure, log_ticks, view_layout
from backprop.figures.plotted import as_list, finite_span, round_sig
from backprop.figures.style import DESKTOP, LOSS_COLOUR, PALETTE, SMALL_FONT_SIZE, Fit
from backprop.sweep import Sweep

FloatArray = NDArray[np.float64]
Spec = dict[str, Any]


def _heatmap_traces(
    lrs: FloatArray, iterations: NDArray[np.int64], log_loss: FloatArray, chosen: float, colorbar: Spec
) -> list[Spec]:
    """log10 E over (iteration, learning rate), and the chosen learning rate across it."""
    low, high = finite_span(log_loss)
    return [
        {
            "type": "heatmap",
            "x": iterations.tolist(),
            "y": round_sig(lrs, 6).tolist(),
            "z": [as_list(row) for row in round_sig(log_loss, 4)],
            "zmin": low,
            "zmax": high,
            "colorscale": "Viridis",
            "colorbar": {"title": {"text": "log₁₀ E"}, "thickness": 14, **colorbar},
            "hovertemplate": "lr %{y:.4g}<br>iteration %{x}<br>log₁₀ E = %{z:.3f}<extra></extra>",
            "name": "log10 E",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "x": [1, max(2, int(iterations.max())) if iterations.size else 2],
            "y": [chosen] * 2,
            "mode": "lines",
            "line": {"color": LOSS_COLOUR, "dash": "dash", "width": 3},
            "name": f"your learning rate ({chosen:g})",
            "hoverinfo": "skip",
        },
    ]


def _final_traces(lrs: FloatArray, final: FloatArray, chosen: float, f_range: list[float]) -> list[Spec]:
    """The final loss of each run against its learning rate, and the chosen learning rate across it."""
    ok = np.isfinite(final) & (final > 0)
    return [
        {
            "type": "scatter",
            "x": round_sig(lrs[ok], 6).tolist(),
            "y": round_sig(final[ok], 6).tolist(),
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
            "x": [chosen] * 2,
            "y": [10 ** f_range[0], 10 ** f_range[1]],
            "xaxis": "x2",
            "yaxis": "y2",
            "mode": "lines",
            "line": {"color": LOSS_COLOUR, "dash": "dash", "width": 3},
            "name": "your learning rate",
            "showlegend": False,
            "hoverinfo": "skip",
        },
    ]


def sweep_figure(result: Sweep, chosen_learning_rate: float, fit: Fit = DESKTOP) -> go.Figure:
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
    fit : ``fit.arrangement == "stack"`` (a phone) puts the final losses under the heatmap, not beside it
    """
    order = np.argsort(result.learning_rates, kind="stable")
    lrs = result.learning_rates[order]
    keep = result.iterations > 0
    iterations = result.iterations[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_loss = np.log10(result.losses[order][:, keep])
        final = result.final_loss[order]
    log_loss[~np.isfinite(log_loss)] = np.nan
    final_ok = np.isfinite(final) & (final > 0)
    f_low, f_high = finite_span(np.log10(final[final_ok])) if final_ok.any() else finite_span(log_loss)
    f_range = [f_low - 0.3, f_high + 0.3]
    x_range = [0.0, float(np.log10(max(2, iterations.max())))] if iterations.size else [0.0, 1.0]
    y_range = [float(np.log10(lrs.min())) - 0.05, float(np.log10(lrs.max())) + 0.05]
    stacked = fit.arrangement == "stack"
    if stacked:  # the heatmap on top, its colour bar on the right, the final losses below
        heading, height = (
            "Loss over iterations for each learning rate (top) and where each run ends (below)",
            860,
        )
        heat, ends = ((0.0, 1.0), (0.56, 1.0)), ((0.0, 1.0), (0.0, 0.36))
        colorbar = {"x": 1.02, "y": 1.0, "yanchor": "top", "len": 0.44}
    else:
        heading, height = (
            "Loss over iterations for each learning rate (left) and where each run ends (right)",
            520,
        )
        heat, ends = ((0.0, 0.4), (0.0, 1.0)), ((0.6, 1.0), (0.0, 1.0))
        colorbar = {"x": 0.41, "len": 0.9}
    data = _heatmap_traces(lrs, iterations, log_loss, chosen_learning_rate, colorbar)
    data += _final_traces(lrs, final, chosen_learning_rate, f_range)
    layout = view_layout(
        heading,
        height,
        xaxis=axis(heat[0], "y", "iteration (log scale)", x_range, type="log"),
        yaxis=axis(heat[1], "x", "learning rate (log scale)", y_range, type="log"),
        xaxis2=axis(ends[0], "y2", "learning rate (log scale)", y_range, type="log"),
        yaxis2=axis(ends[1], "x2", "final E (log scale)", f_range, **log_ticks(f_range)),
        legend={
            "orientation": "h",
            "x": 0.0,
            "y": -0.12 if stacked else -0.2,
            "font": {"size": SMALL_FONT_SIZE},
        },
    )
    # the last x tick label reaches past the plot; on a phone the colour bar sits on the right
    layout["margin"]["r"] = COLORBAR_PX if stacked else 30
    return figure(data, layout)
