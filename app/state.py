"""Per-session state: defaults, the settings' rules, and the callbacks of the page's buttons.

Every key of ``st.session_state`` gets its default in :func:`init_state`, before any widget exists.
Settings are checked by :func:`keep_valid_settings` at the top of every run: the page always trains with
``valid_settings``, the last values the core accepted.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import streamlit as st

from backprop import share
from backprop.datasets import DATASETS, DataSpec, feature_keys, fraction, generate, split_rows
from backprop.editing import resized
from backprop.errors import BackpropError, ConfigError, whole_number
from backprop.limits import (
    APP_MAX_ITERATIONS,
    MAX_HIDDEN_LAYERS,
    MAX_INPUTS,
    MAX_LEARNING_RATE,
    MAX_NOISE,
    MAX_OUTPUTS,
    MAX_POINTS,
    MAX_REG_RATE,
    MAX_ROWS,
    MAX_SEED,
    MAX_TARGET_LOSS,
    MAX_TEST_FRACTION,
    MIN_LEARNING_RATE,
    MIN_POINTS,
)
from backprop.network import REGULARIZATIONS, check_activation_and_bias, hidden_layers
from backprop.parse import parse_number, parse_whole
from backprop.table import DEFAULT_PRESET, PRESETS, TruthTable, get_preset
from backprop.trainer import TrainConfig

CUSTOM = share.CUSTOM
DATASET = "dataset"  # the preset of a generated 2-D dataset (link: preset=dataset)
PRESET_CHOICES = (*PRESETS, DATASET, CUSTOM)
# The network choosing the dataset preset starts from: it learns every dataset at noise 0 (spiral to about
# 97% of its points; one hidden layer gets spiral only to about 72%). The user can change each of them.
DATASET_START: Mapping[str, object] = MappingProxyType(
    {
        "bias": True,
        "layers": 2,
        "units1": 8,
        "units2": 8,
        "activation": "tanh",
        "lr": 0.01,
        "iterations": 3000,
    }
)
# A penalty chosen while its rate is 0 (which adds nothing) starts at this rate: with it L1 zeroes 18 of the
# circle start network's 88 weights in 3,000 iterations and the network still learns (0.001 changes little).
DEFAULT_REG_RATE = 0.01
SLIDER_STEP = 0.05  # the Noise and Test fraction sliders' step

# Settings typed as text: (what the message calls it, whole number?, lowest, highest). The box keeps what
# was typed; a refused entry gets a message under it and the page goes on with the last valid value.
TYPED_SETTINGS: Mapping[str, tuple[str, bool, float, float]] = MappingProxyType(
    {
        "lr": ("Learning rate", False, MIN_LEARNING_RATE, MAX_LEARNING_RATE),
        "iterations": ("Iterations", True, 1, APP_MAX_ITERATIONS),
        "seed": ("Seed", True, 0, MAX_SEED),
        "target": ("Target loss", False, 0.0, MAX_TARGET_LOSS),
        "data_seed": ("Data seed", True, 0, MAX_SEED),
        "reg_rate": ("Regularization rate", False, 0.0, MAX_REG_RATE),
    }
)
DEFAULT_SETTINGS: Mapping[str, object] = MappingProxyType(
    {
        "preset": DEFAULT_PRESET,
        "lr": 1.0,
        "iterations": 10_000,
        "seed": 0,
        "target": 0.001,
        "early_stop": False,
        "layers": 0,
        **{f"units{i}": share.DEFAULT_UNITS for i in range(1, MAX_HIDDEN_LAYERS + 1)},
        "activation": "sigmoid",
        "bias": False,
        "n_inputs": get_preset(DEFAULT_PRESET).table.n_inputs,
        "n_outputs": get_preset(DEFAULT_PRESET).table.n_outputs,
        # the generated 2-D dataset (preset "dataset")
        "dataset": "circle",
        "points": DataSpec().points,
        "noise": 0.0,
        "data_seed": 0,
        # training beyond the notebook
        "features": (),  # derived inputs of a 2-input table (datasets.FEATURES keys), in their order
        "test": 0.0,  # the share of rows held out as the test set
        "batch": None,  # rows per update; None: the full batch, the notebook's
        "reg": "none",
        "reg_rate": 0.0,
    }
)


def setting_text(key: str, value: float) -> str:
    """A typed setting's value as its box shows it: ``10,000`` iterations, ``0.5`` learning rate."""
    if key == "iterations":
        return f"{int(value):,}"
    return str(int(value)) if TYPED_SETTINGS[key][1] else share.number_text(value)


def default_text(key: str) -> str:
    """What the box of typed setting ``key`` holds by default. It is also the default its widget names,
    so the address bar leaves the setting out while the box holds it (Streamlit writes a bound widget's
    key only when its value differs from the widget's default)."""
    return setting_text(key, DEFAULT_SETTINGS[key])  # type: ignore[arg-type]


def input_text(test_input: tuple[float, ...]) -> str:
    """A test input as its box shows it: ``1, 0, 0``."""
    return ", ".join(share.number_text(v) for v in test_input)


def default_input_text(preset: str, n_inputs: int) -> str:
    """The test input's default for ``preset``, as its box shows it: the one a link without ``input``
    opens (the preset's own, or zeros for a custom table), so the address bar may leave it out."""
    return input_text(share.default_test_input(preset, n_inputs))


def _table_state(table: TruthTable, test_input: tuple[float, ...]) -> dict[str, object]:
    return {
        "table_base": table.rows(),
        "table_columns": list(table.columns),
        "valid_table": table,
        "input": input_text(test_input),
        "valid_test_input": test_input,
        "n_inputs": table.n_inputs,
        "n_outputs": table.n_outputs,
    }


def init_state() -> None:
    """Give every session-state key its default once per session."""
    preset = get_preset(DEFAULT_PRESET)
    defaults: dict[str, object] = {
        **{k: setting_text(k, v) if k in TYPED_SETTINGS else v for k, v in DEFAULT_SETTINGS.items()},  # type: ignore[arg-type]
        "trained_to": None,  # None: train all iterations; an int: stepping, that many updates
        "stepped": None,  # (run key, iteration) that the last Step reached
        "dataset_spec": None,  # the DataSpec the table was drawn from, while the preset is "dataset"
        "dataset_start": False,  # the dataset preset was chosen: its starting network was applied
        "shown_iteration": 0,  # the iteration the page shows: Step continues from it
        "table_version": 0,
        "present": False,  # presenter mode (the sidebar's toggle; present=true in a link)
        "valid_settings": dict(DEFAULT_SETTINGS),
        "refused_settings": {},
        **_table_state(preset.table, preset.test_input),
    }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def checked_setting(key: str, value: object) -> object:
    """``value`` as widget ``key`` holds it; a :class:`BackpropError` saying why when it is refused."""
    if key in TYPED_SETTINGS:
        what, whole, low, high = TYPED_SETTINGS[key]
        if whole:
            return parse_whole(value, key, what, int(low), int(high))
        return parse_number(value, key, what, low, high)
    if key == "preset":
        if value in (CUSTOM, DATASET):
            return value
        return get_preset(value if isinstance(value, str) else "").name
    if key in ("early_stop", "bias"):
        if not isinstance(value, bool | np.bool_):
            raise ConfigError("This setting must be on or off.", key)
        return bool(value)
    if key == "layers":
        return whole_number(value, key, 0, MAX_HIDDEN_LAYERS, "Hidden layers")
    if key.startswith("units"):
        return hidden_layers((value,))[0]
    if key == "activation":
        check_activation_and_bias(value, False)
        return value
    if key == "n_inputs":
        return whole_number(value, key, 1, MAX_INPUTS, "Input columns")
    if key == "n_outputs":
        return whole_number(value, key, 1, MAX_OUTPUTS, "Output columns")
    return _checked_option(key, value)


def _tidy(value: float) -> float:
    """A slider's fraction without float noise: a browser may send 0.15000000000000002 for 0.15."""
    return round(value, 10)


def _checked_option(key: str, value: object) -> object:
    """The settings of #13: the dataset, the derived features, the test set, batches, the penalty."""
    if key in ("dataset", "reg"):
        choices = tuple(DATASETS) if key == "dataset" else REGULARIZATIONS
        if value not in choices:
            what = "Dataset" if key == "dataset" else "Regularization"
            raise ConfigError(f"{what} must be one of {', '.join(choices)}.", key)
        return value
    if key == "points":
        return whole_number(value, key, MIN_POINTS, MAX_POINTS, "Points")
    if key in ("noise", "test"):
        what, high = ("Noise", MAX_NOISE) if key == "noise" else ("Test fraction", MAX_TEST_FRACTION)
        return _tidy(fraction(value, key, what, high))
    if key == "batch":
        return None if value is None else whole_number(value, key, 1, MAX_ROWS, "Batch size")
    if key == "features":
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ConfigError("Features must be a list of feature names.", key)
        return feature_keys(value)
    raise ConfigError(f"Unknown setting {key!r}.", key)


def keep_valid_settings() -> None:
    """Read every setting with the core's rules. A refused choice goes back to its last valid value; a
    refused typed entry stays in its box (nothing typed is lost) while the page uses the last valid value.
    Either way the reason is kept for the message under the widget."""
    state, refused = st.session_state, {}
    valid = state.valid_settings
    for key in DEFAULT_SETTINGS:
        value = state.get(key, valid[key])
        try:
            valid[key] = checked_setting(key, value)
        except BackpropError as error:
            refused[key] = str(error)
        if key not in TYPED_SETTINGS:
            if not _same(valid[key], value):
                state[key] = valid[key]
        elif not isinstance(value, str):  # a number put there by code: show it as text
            state[key] = setting_text(key, valid[key])  # type: ignore[arg-type]
    state.refused_settings = refused
    keep_dataset_table()


def dataset_spec() -> DataSpec:
    """The generated dataset the settings describe."""
    return DataSpec(setting("dataset"), setting("points"), setting("noise"), setting("data_seed"))


def keep_dataset_table() -> None:
    """With the dataset preset, make the table the dataset its settings describe, drawn again whenever one
    of them changes (a new editor shows it; the test input is kept when it still fits)."""
    state = st.session_state
    if setting("preset") != DATASET:
        state.dataset_spec, state.dataset_start = None, False
        return
    spec = dataset_spec()
    if state.get("dataset_spec") == spec:
        return
    last = state.valid_test_input
    apply_table(generate(spec), last if len(last) == 2 else (0.0, 0.0), DATASET)
    state.dataset_spec = spec


def preset_table(name: str) -> TruthTable | None:
    """The table preset ``name`` gives (the dataset's as its settings describe it); None for custom."""
    if name == DATASET:
        return generate(dataset_spec())
    return PRESETS[name].table if name in PRESETS else None


def _same(kept: object, value: object) -> bool:
    """Whether a widget holding ``value`` shows ``kept`` (the features' pills give a list for a tuple)."""
    if isinstance(kept, tuple) and isinstance(value, list):
        return list(kept) == value
    return type(kept) is type(value) and kept == value


def setting(key: str) -> Any:
    """The value the page uses for setting ``key``: the last one its rules accepted."""
    return st.session_state.valid_settings[key]


def set_setting(key: str, value: object) -> None:
    """Set a setting from code (a link, a callback): its widget and its valid value together."""
    st.session_state.valid_settings[key] = value
    st.session_state[key] = setting_text(key, value) if key in TYPED_SETTINGS else value  # type: ignore[arg-type]


def training_rows(table: TruthTable) -> int:
    """Rows of ``table`` left to train on once the test fraction is held out (the trainer's split)."""
    train_rows, _ = split_rows(table.n_rows, setting("test"), setting("seed"))
    return int(train_rows.size)


def batch_size(table: TruthTable) -> int | None:
    """The batch size the page trains ``table`` with: None (the full batch) when the setting is, or when
    it is at least the training rows (every update uses them all either way)."""
    batch = setting("batch")
    return None if batch is None or batch >= training_rows(table) else batch


def features(table: TruthTable) -> tuple[str, ...]:
    """The derived features the page trains ``table`` with: they need exactly two inputs x1, x2."""
    return tuple(setting("features")) if table.n_inputs == 2 else ()


def train_config(table: TruthTable) -> TrainConfig:
    """The configuration of the run to show on ``table``: the valid settings, cut at the stepped
    iteration. Features are dropped for a table without exactly two inputs, and a batch at least as large
    as the training rows is the full batch."""
    layers = setting("layers")
    trained_to = st.session_state.trained_to
    return TrainConfig(
        learning_rate=setting("lr"),
        n_iterations=setting("iterations") if trained_to is None else trained_to,
        seed=setting("seed"),
        hidden=tuple(setting(f"units{i}") for i in range(1, layers + 1)),
        activation=setting("activation"),
        use_bias=setting("bias"),
        target_loss=setting("target") if setting("early_stop") else None,
        features=features(table),
        test_fraction=setting("test"),
        batch_size=batch_size(table),
        regularization=setting("reg"),
        reg_rate=setting("reg_rate"),
    )


def run_key(table: TruthTable, config: TrainConfig) -> int:
    """What identifies an experiment apart from how far it was trained."""
    return hash((table, TrainConfig(**{**config.__dict__, "n_iterations": 0})))


# -------------------------------------------------------------------------------------------- tables
def reset_editor(table_base: list[list[float | None]], columns: list[str]) -> None:
    """Show ``table_base`` in a fresh editor: a new key drops the old editor's pending edits."""
    st.session_state.table_base = table_base
    st.session_state.table_columns = columns
    st.session_state.table_version += 1


def apply_table(table: TruthTable, test_input: tuple[float, ...], preset: str) -> None:
    """Make ``table`` the one to edit and train on, with ``test_input`` (exact: no rounding in the text).

    Only for callbacks and the link, which run before any widget exists.
    """
    for key, value in _table_state(table, test_input).items():
        st.session_state[key] = value
    st.session_state.valid_settings.update(n_inputs=table.n_inputs, n_outputs=table.n_outputs)
    set_setting("preset", preset)
    st.session_state.table_version += 1


def mark_custom() -> None:
    """The table is now the user's own: the preset box and the link say ``custom``.

    Only before the test input's box is drawn. Its default becomes a custom table's (zeros): set the box
    again so that Streamlit writes ``input`` to the address bar now that it differs from the default."""
    set_setting("preset", CUSTOM)
    if "input" in st.session_state:
        st.session_state.input = st.session_state.input


# ----------------------------------------------------------------------------------------- callbacks
def on_preset_change() -> None:
    name = st.session_state.preset
    if name == DATASET:  # the table is drawn by keep_dataset_table, once the settings are checked
        for key, value in DATASET_START.items():
            set_setting(key, value)
        st.session_state.dataset_spec = None
        st.session_state.dataset_start = True  # say so under the preset
        st.session_state.trained_to = None
        return
    if name not in PRESETS:  # "custom" keeps the table; anything else is refused by the settings check
        return
    preset = get_preset(name)
    apply_table(preset.table, preset.test_input, name)
    st.session_state.trained_to = None


def on_shape_change() -> None:
    """Add or drop input/output columns, keeping the values of the columns that remain."""
    try:
        n_in = checked_setting("n_inputs", st.session_state.n_inputs)
        n_out = checked_setting("n_outputs", st.session_state.n_outputs)
    except BackpropError:
        return  # refused with a message under the box by the settings check
    table = resized(st.session_state.valid_table, n_in, n_out)
    last = st.session_state.valid_test_input
    test_input = tuple(last[:n_in]) + (0.0,) * max(0, n_in - len(last))
    apply_table(table, test_input, CUSTOM)


def on_train() -> None:
    st.session_state.trained_to = None
    st.session_state.pop("inspect_run", None)  # show the trained run's last iteration


def on_step() -> None:
    """One more update after the iteration shown (which may be an earlier one, being inspected)."""
    st.session_state.trained_to = st.session_state.shown_iteration + 1
    st.session_state.stepped = (st.session_state.get("shown_run"), st.session_state.trained_to)
    st.session_state.pop("inspect_run", None)  # show the stepped iteration, even if the run is the same


def on_regularization_change() -> None:
    """A penalty chosen while its rate is 0 would change nothing: start it at a small rate."""
    if st.session_state.reg in REGULARIZATIONS[1:] and setting("reg_rate") == 0:
        set_setting("reg_rate", DEFAULT_REG_RATE)


def on_reset() -> None:
    st.session_state.trained_to = 0


def on_new_seed() -> None:
    set_setting("seed", secrets.randbelow(MAX_SEED + 1))
