"""Layout pieces every figure shares (axes, titles, legends, margins) and the assembly of a Figure
from its trace, layout and frame specs."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from backprop.figures.controls import CONTROLS_PX, VIEW_CONTROLS_PX, place_controls
from backprop.figures.frames import Frames
from backprop.figures.style import DESKTOP, FONT_SIZE, GRID, SMALL_FONT_SIZE, UIREVISION, Fit

Spec = dict[str, Any]

COLORBAR_PX = 92  # right margin for a colour bar with its tick labels
HEADING_CHARS = 44  # a view's heading wraps after this many characters: it fits a phone (about 360 px)
HEADING_LINE_PX = 22


def figure(data: list[Spec], layout: Spec, frames: list[Spec] | None = None) -> go.Figure:
    """A Figure from trace, layout and frame dicts written to plotly's schema, without plotly's per-value
    checks: ``_validate=False`` skips them for traces and layout but not for frames, which are set
    after. Validating builds 5–8 times slower (about 0.4 s more per rerun of the default page;
    BENCHMARKS.md). The tests pass every figure through ``go.Figure(fig.to_dict())``, plotly's full
    validation."""
    fig = go.Figure({"data": data, "layout": layout}, _validate=False)
    if frames:
        fig._frame_objs = tuple(go.Frame(frame, _validate=False) for frame in frames)
    return fig


def axis(
    domain: tuple[float, float],
    anchor: str,
    title: str,
    value_range: list[float],
    fit: Fit = DESKTOP,
    **extra: Any,
) -> Spec:
    """A fixed-range axis on ``domain`` of the paper, anchored to ``anchor``."""
    return {
        "domain": list(domain),
        "anchor": anchor,
        "title": {"text": title, "font": {"size": fit.font}},
        "range": value_range,
        "autorange": False,
        "gridcolor": GRID,
        "zerolinecolor": GRID,
        "tickfont": {"size": fit.small_font},
        **extra,
    }


def log_ticks(log_range: list[float]) -> Spec:
    """A log axis labelled at powers of ten only when it spans two decades or more (at least two
    labels); a shorter one keeps plotly's 2 and 5 between them, or it would have too few."""
    ticks: Spec = {"type": "log", "exponentformat": "power"}
    if log_range[1] - log_range[0] >= 2:
        ticks["dtick"] = 1
    return ticks


def title(text: str, x: float, y: float, size: int = FONT_SIZE, **extra: Any) -> Spec:
    """A subplot's title: an annotation centred on ``x`` just above ``y`` (paper coordinates)."""
    return {
        "text": text,
        "x": x,
        "y": y,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": size},
        **extra,
    }


def legend_margin(labels: Sequence[str], size: int = SMALL_FONT_SIZE) -> int:
    """A right margin, in px, wide enough for a vertical legend of ``labels`` beside the plots. Plotly
    widens a margin that a legend overflows, but only by drawing the whole figure a second time."""
    return round(80 * size / SMALL_FONT_SIZE) + round(0.43 * size * max(len(label) for label in labels))


def legend_above() -> Spec:
    """A horizontal legend along the top edge of the plot."""
    return {"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom", "font": {"size": SMALL_FONT_SIZE}}


def view_layout(heading: str, height: int, **extra: Any) -> Spec:
    """The layout of a single-plot view: ``heading`` at the top left, on lines of at most
    ``HEADING_CHARS`` (plotly never wraps a title, and a phone would cut it), and ``extra`` (axes,
    legend, controls)."""
    lines = textwrap.wrap(heading, HEADING_CHARS, break_on_hyphens=False) or [""]
    return {
        "height": height + HEADING_LINE_PX * (len(lines) - 1),
        # l: y tick labels such as 10⁻⁴ and the axis title; t: the heading
        "margin": {"l": 90, "r": 20, "t": 38 + HEADING_LINE_PX * len(lines), "b": 120},
        "font": {"size": FONT_SIZE},
        "title": {
            "text": "<br>".join(lines),
            "font": {"size": FONT_SIZE},
            "x": 0.0,
            "xanchor": "left",
            "y": 1.0,  # from the top of the figure down, however many lines
            "yref": "container",
            "yanchor": "top",
            # plotly centres a multi-line title on its anchor line: move it down by half the extra lines
            "pad": {"t": 10 + HEADING_LINE_PX * (len(lines) - 1) // 2},
        },
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": SMALL_FONT_SIZE}},
        "uirevision": UIREVISION,
        "showlegend": True,
        "legend": {"font": {"size": SMALL_FONT_SIZE}},
        **extra,
    }


def _fit_margins(layout: Spec, data: list[Spec]) -> Spec:
    """``layout`` with margins that hold what a view puts outside its plot: a vertical legend on the
    right, a colour bar, and the controls hung ``VIEW_CONTROLS_PX`` pixels
    below it. Sized up front: plotly widens a margin that something overflows only by drawing the whole
    figure a second time."""
    margin = layout["margin"]
    names = [t["name"] for t in data if t.get("name") and t.get("showlegend", True)]
    if names and "orientation" not in layout["legend"]:
        margin["r"] = max(margin["r"], legend_margin(names))
    if any("colorbar" in t for t in data):
        margin["r"] = max(margin["r"], COLORBAR_PX)
    if layout.get("sliders"):
        margin["b"] = VIEW_CONTROLS_PX + CONTROLS_PX
        plot = layout["height"] - margin["t"] - margin["b"]
        place_controls(layout, -VIEW_CONTROLS_PX / plot, plot)
    return layout


def view_figure(
    data: list[Spec], layout: Spec, frames: Frames, traces: list[int], changes: list[list[Spec]]
) -> go.Figure:
    """An animated view: its margins fitted to what hangs outside the plot, and one frame per snapshot
    of ``frames``, changing ``traces`` to ``changes[f]``."""
    specs = [
        {"name": str(it), "data": change, "traces": traces}
        for it, change in zip(frames.iterations, changes, strict=True)
    ]
    return figure(data, _fit_margins(layout, data), specs)
