"""Plotly figures built from a run's recorded history: pure functions, no Streamlit; one module per view.

``training_figure`` (training.py) shows one iteration three ways in one figure whose subplots share
animation frames, so they never disagree: every weight over the iterations, the loss
``E = 1/2 * sum((y - out)**2)`` on a log axis, and the output unit's sigmoid with each training row sitting
on it at ``(z, out)``. Play / Pause and the slider run in the browser (client-side Plotly frames, no
reruns). Frames carry only the traces that move, numbers are rounded, and the counts of frames and line
points are capped by a payload budget (frames.py), so the figure's JSON stays near a megabyte at most
whatever the run.

The teaching views animate on the same frame names (``str(iteration)``): ``network_figure``
(diagram.py: the network as a diagram, one row's values on its nodes), ``decision_surface_figure``
(surface.py: the output over two varying inputs), ``row_error_figure`` (row_error.py: ``|y − out|`` per
row) and ``hidden_activation_figure`` (hidden.py: a hidden layer's curve with every row on it). Every
animated figure opens on exactly the selected iteration: a frame of its own when it is not one of the
evenly chosen ones. ``activation_comparison_figure`` (comparison.py) and ``sweep_figure`` (sweep.py) are
static.

Every figure is assembled from plain dicts written to plotly's schema (layout.py); the tests check that
the result validates. This package is the only part of ``backprop`` that imports plotly.
"""

from backprop.figures.comparison import activation_comparison_figure
from backprop.figures.controls import CONTROLS_PX, FAST_MS, FRAME_MS, VIEW_CONTROLS_PX
from backprop.figures.diagram import EDGE_MAX_WIDTH, EDGE_WIDTHS, NETWORK_VALUE_BUDGET, network_figure
from backprop.figures.frames import (
    FRAME_NUMBER_BUDGET,
    LINE_NUMBER_BUDGET,
    MAX_FRAMES,
    frame_iterations,
    frame_limit,
)
from backprop.figures.hidden import SATURATED_SLOPE, hidden_activation_figure
from backprop.figures.layout import COLORBAR_PX
from backprop.figures.plotted import shared_labels
from backprop.figures.row_error import ERROR_FLOOR, MAX_ROW_LINES, row_error_figure
from backprop.figures.style import (
    DASHES,
    DESKTOP,
    FLAT_RING,
    FONT_SIZE,
    GRID,
    LOSS_COLOUR,
    MAX_LABELLED_ROWS,
    NEGATIVE,
    NEUTRAL,
    NODE_FILL,
    NODE_TEXT,
    PALETTE,
    PHONE,
    POSITIVE,
    PRESENTER_FONT,
    ROW_SYMBOLS,
    SMALL_FONT_SIZE,
    TARGET_ZERO,
    UIREVISION,
    Fit,
)
from backprop.figures.summaries import (
    comparison_summary,
    hidden_summary,
    network_summary,
    row_error_summary,
    surface_summary,
    sweep_summary,
    training_summary,
)
from backprop.figures.surface import (
    SURFACE_GRID,
    SURFACE_PAD,
    SURFACE_RANGE,
    decision_surface_figure,
    surface_inputs,
    surface_range,
)
from backprop.figures.sweep import sweep_figure
from backprop.figures.training import TrainingTraces, training_figure, training_traces
from backprop.figures.weights import (
    MAX_INDIVIDUAL_WEIGHTS,
    WeightSeries,
    summarises_hidden_layers,
    weight_series,
)
from backprop.naming import unit_names

__all__ = [
    "COLORBAR_PX",
    "CONTROLS_PX",
    "DASHES",
    "DESKTOP",
    "EDGE_MAX_WIDTH",
    "EDGE_WIDTHS",
    "ERROR_FLOOR",
    "FAST_MS",
    "FLAT_RING",
    "FONT_SIZE",
    "FRAME_MS",
    "FRAME_NUMBER_BUDGET",
    "GRID",
    "LINE_NUMBER_BUDGET",
    "LOSS_COLOUR",
    "MAX_FRAMES",
    "MAX_INDIVIDUAL_WEIGHTS",
    "MAX_LABELLED_ROWS",
    "MAX_ROW_LINES",
    "NEGATIVE",
    "NETWORK_VALUE_BUDGET",
    "NEUTRAL",
    "NODE_FILL",
    "NODE_TEXT",
    "PALETTE",
    "PHONE",
    "POSITIVE",
    "PRESENTER_FONT",
    "ROW_SYMBOLS",
    "SATURATED_SLOPE",
    "SMALL_FONT_SIZE",
    "SURFACE_GRID",
    "SURFACE_PAD",
    "SURFACE_RANGE",
    "TARGET_ZERO",
    "UIREVISION",
    "VIEW_CONTROLS_PX",
    "Fit",
    "TrainingTraces",
    "WeightSeries",
    "activation_comparison_figure",
    "comparison_summary",
    "decision_surface_figure",
    "frame_iterations",
    "frame_limit",
    "hidden_activation_figure",
    "hidden_summary",
    "network_figure",
    "network_summary",
    "row_error_figure",
    "row_error_summary",
    "shared_labels",
    "summarises_hidden_layers",
    "surface_inputs",
    "surface_range",
    "surface_summary",
    "sweep_figure",
    "sweep_summary",
    "training_figure",
    "training_summary",
    "training_traces",
    "unit_names",
    "weight_series",
]
