"""The sidebar: the preset, the network, the training settings, and Train / Step / Reset / New seed."""

from __future__ import annotations

import streamlit as st

from app.state import (
    CUSTOM,
    DATASET,
    DATASET_START,
    DEFAULT_SETTINGS,
    PRESET_CHOICES,
    SLIDER_STEP,
    TYPED_SETTINGS,
    dataset_spec,
    default_text,
    on_new_seed,
    on_preset_change,
    on_regularization_change,
    on_reset,
    on_step,
    on_train,
    setting,
    training_rows,
)
from app.widgets import refused_notice
from backprop import share
from backprop.activations import ACTIVATIONS
from backprop.datasets import DATASETS, FEATURES
from backprop.limits import (
    MAX_HIDDEN_LAYERS,
    MAX_HIDDEN_UNITS,
    MAX_NOISE,
    MAX_POINTS,
    MAX_ROWS,
    MAX_TEST_FRACTION,
    MIN_POINTS,
)
from backprop.network import REGULARIZATIONS
from backprop.parse import range_label
from backprop.share import DEFAULT_UNITS
from backprop.table import TruthTable, get_preset

CUSTOM_DESCRIPTION = (
    "custom: your own table: edited, uploaded or opened from a link. Pick a preset to start over."
)
DATASET_DESCRIPTION = (
    "dataset: a generated 2-D dataset (circle, xor, gauss or spiral): points x1, x2 with a class y of 1 or "
    "0, as in TensorFlow Playground. Choose it, its size and noise below."
)
DATASET_START_TEXT = (
    "Choosing the dataset preset set a network that learns it: learned biases, {layers} hidden layers of "
    "{units1} {activation} units, learning rate {lr:g} and {iterations:,} iterations. Change any of them."
).format(**DATASET_START)


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
    if name == DATASET:
        bar.caption(DATASET_DESCRIPTION)
        dataset_controls()
    else:
        bar.caption(CUSTOM_DESCRIPTION if name == CUSTOM else get_preset(name).description)


def dataset_controls() -> None:
    """The generated dataset: which one, how many points, how noisy, and the seed of its draws."""
    bar = st.sidebar
    bar.selectbox(
        "Dataset",
        list(DATASETS),
        key="dataset",
        bind="query-params",
        help="circle, xor, gauss or spiral: TensorFlow Playground's four classification sets.",
    )
    refused_notice("dataset", bar)
    bar.caption(dataset_spec().description)
    bar.slider(
        f"Points ({range_label(MIN_POINTS, MAX_POINTS)})",
        MIN_POINTS,
        MAX_POINTS,
        DEFAULT_SETTINGS["points"],  # type: ignore[arg-type]
        key="points",
        bind="query-params",
        help="Number of points drawn: the rows of the table.",
    )
    refused_notice("points", bar)
    bar.slider(
        f"Noise ({range_label(0, MAX_NOISE)})",
        0.0,
        MAX_NOISE,
        0.0,
        step=SLIDER_STEP,
        key="noise",
        bind="query-params",
        help="How far points stray across the border between the classes (for gauss: how wide the "
        "clouds are). 0 draws clean classes.",
    )
    refused_notice("noise", bar)
    typed_setting(
        "data_seed", "Seeds the draws of the points and their noise: the same seed, the same table."
    )
    if st.session_state.dataset_start:
        bar.info(DATASET_START_TEXT, icon=":material/info:")


def refused_in_words(key: str, kept: str) -> None:
    """Under a widget whose value is not a plain number or word: why the value entered there was refused,
    and ``kept``, the last valid value in words."""
    message = st.session_state.refused_settings.get(key)
    if message:
        text = f"{share.escape_markdown(message)} Using {share.escape_markdown(kept)}, the last valid value."
        st.sidebar.error(text, icon=":material/warning:")


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


def feature_controls(table: TruthTable) -> None:
    """Derived inputs x1², x2², x1·x2, sin x1, sin x2: only for a table of two inputs x1, x2."""
    bar = st.sidebar
    if table.n_inputs != 2:
        bar.caption(
            f"Derived input features (x1², x1·x2, sin x1, …) need a table of exactly two inputs x1, x2; "
            f"this one has {table.n_inputs}. The 2-D dataset preset has two."
        )
        return
    bar.pills(
        "Input features",
        list(FEATURES),
        selection_mode="multi",
        format_func=lambda key: FEATURES[key].label,
        key="features",
        persist_state="session",  # kept while a table without two inputs hides it
        help="Inputs computed from x1 and x2 and given to the network beside them (read-only columns in "
        "the table). sin x1 and sin x2 help with the spiral; x1² and x2² with the circle.",
    )
    kept = ", ".join(FEATURES[key].label for key in setting("features")) or "no derived feature"
    refused_in_words("features", kept)


def network_controls(table: TruthTable) -> None:
    bar = st.sidebar
    bar.subheader("Network")
    feature_controls(table)
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


def test_and_batch_controls(table: TruthTable) -> None:
    """The share of rows held out for testing, and the rows per update (at most the training rows)."""
    bar = st.sidebar
    bar.slider(
        f"Test fraction ({range_label(0, MAX_TEST_FRACTION)})",
        0.0,
        MAX_TEST_FRACTION,
        0.0,
        step=SLIDER_STEP,
        key="test",
        bind="query-params",
        help="Share of the table's rows held out of training (the “set” column says which), drawn with "
        "the seed. Their loss is the test loss. 0 trains on every row, as the notebook does.",
    )
    refused_notice("test", bar)
    n_train = training_rows(table)
    bar.number_input(
        f"Batch size ({range_label(1, MAX_ROWS)}; empty: full batch)",
        min_value=1,
        max_value=MAX_ROWS,
        value=None,
        step=1,
        placeholder=f"full batch ({n_train:,} rows)",
        key="batch",
        bind="query-params",
        help="Training rows per update, reshuffled every epoch. Empty is the full batch: every update uses "
        "all training rows, as the notebook does.",
    )
    kept = setting("batch")
    refused_in_words("batch", "the full batch" if kept is None else f"{kept:,}")
    batch = setting("batch")
    if batch is not None and batch >= n_train:
        bar.warning(
            f"Batch size {batch:,} ≥ the {n_train:,} training rows: every update uses all {n_train:,} "
            "(the full batch).",
            icon=":material/info:",
        )


def regularization_controls() -> None:
    bar = st.sidebar
    bar.selectbox(
        "Regularization",
        list(REGULARIZATIONS),
        key="reg",
        on_change=on_regularization_change,
        bind="query-params",
        help="A penalty on the weights added to the error: l1 is rate·Σ|w| (it drives small weights to 0), "
        "l2 is rate·½·Σw² (it shrinks every weight). none is the notebook's plain error.",
    )
    refused_notice("reg", bar)
    if setting("reg") != "none":
        typed_setting("reg_rate", "The penalty's weight against the error. 0 adds no penalty.")


def training_controls(table: TruthTable) -> None:
    bar = st.sidebar
    bar.subheader("Training")
    typed_setting("lr", "Step size lr in w ← w + lr·Xᵀδ. The notebook uses 1.")
    typed_setting(
        "iterations",
        "Gradient-descent updates for Train (one batch each). The notebook uses 10,000. "
        "100000, 100,000 and 1e5 all mean the same.",
    )
    typed_setting(
        "seed",
        "Seeds np.random.RandomState for the initial weights 2·random − 1 (and the test rows and batch "
        "order). The notebook uses 0.",
    )
    test_and_batch_controls(table)
    regularization_controls()
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


def sidebar(table: TruthTable) -> None:
    """The sidebar's controls for the experiment on ``table`` (the features and batches depend on it)."""
    st.sidebar.header("Experiment")
    preset_control()
    network_controls(table)
    training_controls(table)
