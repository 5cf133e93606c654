"""Play / Pause and the iteration slider: client-side ``animate`` calls over a figure's frames.

The controls are a row of buttons (Play, Fast, Pause) with the slider on its own row under it, so that
neither covers the other (nor the slider's "Iteration" label) however narrow the figure. A figure of
one frame (a run of no iterations) gets no controls: there is nothing to play.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from backprop.figures.style import DESKTOP, NEUTRAL, SMALL_FONT_SIZE, Fit

Spec = dict[str, Any]

FRAME_MS = 100  # ▶ Play: 60 frames in 6 s
FAST_MS = 25  # ▶▶ Fast: four times as fast
# The teaching views hang the controls this far below the plot, under its tick labels and axis title.
# From there the buttons take BUTTONS_PX pixels, then the slider takes the rest of CONTROLS_PX (measured
# in Chromium at the desktop fonts; scaled with the font size).
VIEW_CONTROLS_PX = 84
BUTTONS_PX = 40
CONTROLS_PX = 150
# Frames denser than this ratio early on than late: the slider says so.
UNEVEN = 3.0


def _animate(duration_ms: int) -> Spec:
    return {
        "frame": {"duration": duration_ms, "redraw": False},
        "transition": {"duration": 0},
        "fromcurrent": True,
        "mode": "immediate",
    }


def unevenly_spaced(iterations: Sequence[int]) -> bool:
    """Whether the frames are much denser somewhere (early on, where training is recorded every
    iteration) than elsewhere, so that the slider's ticks are not evenly spaced in iterations."""
    gaps = np.diff(np.asarray(iterations, dtype=np.float64))
    gaps = gaps[gaps > 0]
    return gaps.size > 1 and float(gaps.max()) > UNEVEN * float(gaps.min())


def controls(iterations: Sequence[int], active: int, fit: Fit = DESKTOP) -> tuple[list[Spec], list[Spec]]:
    """Play / Fast / Pause and the iteration slider (one step per frame, ``active`` selected), as layout
    ``updatemenus`` and ``sliders``; none for a single frame. Both hang at ``y = 0`` with
    ``yanchor="top"``: ``place_controls`` puts them where the figure has room."""
    if len(iterations) < 2:
        return [], []
    still = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}
    buttons = {
        "type": "buttons",
        "direction": "left",
        "showactive": False,
        "x": 0.0,
        "xanchor": "left",
        "y": 0.0,
        "yanchor": "top",
        "pad": {"r": 10, "t": 0},
        "font": {"size": fit.small_font},
        "bgcolor": "rgba(128, 128, 128, 0.15)",
        "bordercolor": NEUTRAL,
        "buttons": [
            {"label": "▶ Play", "method": "animate", "args": [None, _animate(FRAME_MS)]},
            {"label": "▶▶ Fast", "method": "animate", "args": [None, _animate(FAST_MS)]},
            {"label": "❚❚ Pause", "method": "animate", "args": [[None], still]},
        ],
    }
    note = " (denser early on)" if unevenly_spaced(iterations) else ""
    slider = {
        "active": active,
        "x": 0.0,
        "len": 1.0,
        "xanchor": "left",
        "y": 0.0,
        "yanchor": "top",
        "pad": {"t": 0, "b": 0},
        "font": {"size": fit.small_font},
        "bgcolor": "rgba(128, 128, 128, 0.3)",
        "activebgcolor": NEUTRAL,
        "bordercolor": NEUTRAL,
        "tickcolor": NEUTRAL,
        "currentvalue": {  # from the slider's left end: a narrow plot never pushes it off the figure
            "prefix": "Iteration ",
            "suffix": note,
            "font": {"size": fit.small_font},
            "xanchor": "left",
        },
        "steps": [{"label": str(it), "method": "animate", "args": [[str(it)], still]} for it in iterations],
    }
    return [buttons], [slider]


def place_controls(layout: Spec, top: float, plot_px: float, fit: Fit = DESKTOP) -> None:
    """Hang ``layout``'s buttons at ``top`` (paper fraction of the plot's height, below 0 for under the
    plot) and its slider one button row lower, for a plot ``plot_px`` pixels high."""
    row = BUTTONS_PX * fit.small_font / SMALL_FONT_SIZE / max(plot_px, 1.0)
    for menu in layout.get("updatemenus", []):
        menu["y"] = top
    for slider in layout.get("sliders", []):
        slider["y"] = top - row


def view_controls(iterations: Sequence[int], active: int, redraw: bool = False) -> dict[str, Any]:
    """Play / Fast / Pause and the iteration slider under a single-plot figure (``redraw`` for heatmaps);
    ``view_figure`` places them once it knows the plot's height."""
    buttons, sliders = controls(iterations, active)
    if redraw:
        for menu in buttons:
            for button in menu["buttons"]:
                if button["args"][1]["frame"]["duration"]:
                    button["args"][1]["frame"]["redraw"] = True
        for slider in sliders:
            for step in slider["steps"]:
                step["args"][1]["frame"]["redraw"] = True
    return {"updatemenus": buttons, "sliders": sliders}
