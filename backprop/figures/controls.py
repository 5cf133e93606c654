"""Play / Pause and the iteration slider: client-side ``animate`` calls over a figure's frames."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backprop.figures.style import FONT_SIZE, NEUTRAL, SMALL_FONT_SIZE

Spec = dict[str, Any]

FRAME_MS = 100
# The teaching views hang Play / Pause and the slider this far below the plot (a fraction of its
# height); they take CONTROLS_PX pixels from there down at the fonts below (measured in Chromium).
VIEW_CONTROLS_Y = -0.16
CONTROLS_PX = 96


def controls(iterations: Sequence[int], active: int) -> tuple[list[Spec], list[Spec]]:
    """Play / Pause buttons and the iteration slider (one step per frame, ``active`` selected), as
    layout ``updatemenus`` and ``sliders``."""
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


def view_controls(iterations: Sequence[int], active: int, redraw: bool = False) -> dict[str, Any]:
    """Play / Pause and the iteration slider under a single-plot figure (``redraw`` for heatmaps)."""
    buttons, sliders = controls(iterations, active)
    if redraw:
        for button in buttons[0]["buttons"]:
            if button["args"][1]["frame"]["duration"]:
                button["args"][1]["frame"]["redraw"] = True
        for step in sliders[0]["steps"]:
            step["args"][1]["frame"]["redraw"] = True
    buttons[0]["y"] = sliders[0]["y"] = VIEW_CONTROLS_Y
    sliders[0]["x"], sliders[0]["len"] = 0.22, 0.78
    return {"updatemenus": buttons, "sliders": sliders}
