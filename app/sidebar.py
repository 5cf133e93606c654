"""The sidebar: the preset, the network, the training settings, and Train / Step / Reset / New seed."""

from __future__ import annotations

import streamlit as st

from app.state import (
    CUSTOM,
    PRESET_CHOICES,
    TYPED_SETTINGS,
    default_text,
    on_new_seed,
    on_preset_change,
    on_reset,
    on_step,
    on_train,
    setting,
)
from app.widgets import refused_notice
from backprop.activations import ACTIVATIONS
from backprop.limits import MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS
from backprop.parse import range_label
from backprop.share import DEFAULT_UNITS
from backprop.table import get_preset

CUSTOM_DESCRIPTION = (
    "custom: your own table: edited, uploaded or opened from a link. Pick a preset to start over."
)


def preset_control() -> None:
    bar = st.sidebar
    bar.selectbox(
        "Preset",
        PRESET_CHOICES,
        key="preset",
        on_change=on_preset_change,
        bind="query-params",
        help="Load a truth table. The notebook's table is the default; an edited table is “custom”.",
    )
    refused_notice("preset", bar)
    name = setting("preset")
    bar.caption(CUSTOM_DESCRIPTION if name == CUSTOM else get_preset(name).description)


def typed_setting(key: str, help_text: str) -> None:
    """A setting typed as text, its limits in the label, and under it the message if it is refused."""
    what, _, low, high = TYPED_SETTINGS[key]
    st.sidebar.text_input(
        f"{what} ({range_label(low, high)})",
        default_text(key),  # its default, left out of the address bar; the box shows the session's value
        key=key,
        help=help_text,
        bind="query-params",
    )
    refused_notice(key, st.sidebar)


def network_controls() -> None:
    bar = st.sidebar
    bar.subheader("Network")
    bar.radio(
        "Hidden layers",
        list(range(MAX_HIDDEN_LAYERS + 1)),
        key="layers",
        horizontal=True,
        bind="query-params",
        help="0 is the notebook's single sigmoid unit. A hidden layer lets the network learn XOR.",
    )
    refused_notice("layers", bar)
    for i in range(1, setting("layers") + 1):
        bar.slider(
            f"Units in hidden layer {i}",
            1,
            MAX_HIDDEN_UNITS,
            DEFAULT_UNITS,  # the default is what a link leaves out
            key=f"units{i}",
            bind="query-params",
            help="Number of units in this hidden layer.",
        )
        refused_notice(f"units{i}", bar)
    bar.selectbox(
        "Hidden activation",
        list(ACTIVATIONS),
        key="activation",
        bind="query-params",
        # never disabled: a disabled label is faded to 2.3:1, too faint to read; the help says when it applies
        help="Activation of the hidden units, once there is a hidden layer; the output unit is always a "
        "sigmoid.",
    )
    refused_notice("activation", bar)
    bar.checkbox(
        "Learned biases",
        key="bias",
        bind="query-params",
        help="Give every hidden and output unit a trained bias b (z = a·W + b). "
        "The notebook has none: its constant-1 input column plays that role.",
    )
    refused_notice("bias", bar)


def training_controls() -> None:
    bar = st.sidebar
    bar.subheader("Training")
    typed_setting("lr", "Step size lr in w ← w + lr·Xᵀδ. The notebook uses 1.")
    typed_setting(
        "iterations",
        "Full-table gradient-descent updates for Train. The notebook uses 10,000. "
        "100000, 100,000 and 1e5 all mean the same.",
    )
    typed_setting(
        "seed", "Seeds np.random.RandomState for the initial weights 2·random − 1. The notebook uses 0."
    )
    bar.checkbox(
        "Stop early at a target loss",
        key="early_stop",
        bind="query-params",
        help="Stop training as soon as E = ½·Σ(y − out)² is at or below the target.",
    )
    refused_notice("early_stop", bar)
    if setting("early_stop"):
        typed_setting("target", "Training stops at the first iteration whose loss is at most this.")
    action_buttons(bar, "sidebar")


ACTIONS = (
    # no "primary" kind: its white text cannot reach 4.5:1 on the dark theme's accent (.streamlit/config.toml)
    ("Train", on_train, "Train all iterations.", "secondary"),
    ("Step", on_step, "Apply exactly one more update to the iteration shown.", "secondary"),
    ("Reset", on_reset, "Back to the initial weights (iteration 0).", "secondary"),
    ("New seed", on_new_seed, "Draw new initial weights.", "secondary"),
)


def action_buttons(where: object, place: str) -> None:
    """Train, Step, Reset and New seed, two by two in the sidebar; in one row that wraps on the page
    (``place`` keeps the keys of the two sets apart)."""
    if place == "sidebar":
        a, b = where.columns(2)  # type: ignore[attr-defined]
        cells = (a, b, a, b)
    else:
        row = where.container(horizontal=True, gap="small")  # type: ignore[attr-defined]
        cells = (row,) * len(ACTIONS)
    for cell, (label, callback, help_text, kind) in zip(cells, ACTIONS, strict=True):
        cell.button(
            label,
            on_click=callback,
            type=kind,
            width="stretch" if place == "sidebar" else "content",
            key=f"{label.lower().replace(' ', '_')}_{place}",
            help=help_text,
        )


def sidebar() -> None:
    st.sidebar.header("Experiment")
    preset_control()
    network_controls()
    training_controls()
