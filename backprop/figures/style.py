"""The look shared by every figure: colours, line dashes, marker symbols, fonts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
# Above this many rows, row numbers show on hover only (labels would pile up).
MAX_LABELLED_ROWS = 16

POSITIVE = PALETTE[0]  # Okabe–Ito blue: positive weights, target 1
NEGATIVE = PALETTE[3]  # Okabe–Ito vermillion: negative weights
TARGET_ZERO = PALETTE[1]  # Okabe–Ito orange: target 0
FLAT_RING = PALETTE[5]  # Okabe–Ito reddish purple: rings around saturated or inactive points
# Opaque light nodes with dark text: edges pass behind them, and they read on light and dark themes.
NODE_FILL = "#E6E6E6"
NODE_TEXT = "#222222"


@dataclass(frozen=True)
class Fit:
    """How a figure fits the space the page gives it: how its panels are arranged and its text sizes (px).

    ``grid``: side by side on two rows (a desktop column); ``stack``: one panel under the other (a
    phone); ``row``: every panel on one short row, for a projector (presenter mode).
    """

    arrangement: Literal["grid", "stack", "row"] = "grid"
    font: int = FONT_SIZE
    small_font: int = SMALL_FONT_SIZE


DESKTOP = Fit()
PHONE = Fit("stack", 14, 12)
# Presenter mode: every chart text at least 20 px, read from the back of a lecture room.
PRESENTER_FONT = 20
