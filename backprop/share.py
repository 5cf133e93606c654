"""Experiments as links: a run's settings encoded as URL query parameters, and decoded back.

Keys (each one is also the key of the page's widget that holds the setting, so the page's address bar and
:func:`encode` agree): ``preset`` (``custom`` for a table of one's own), ``table`` (omitted when it is the
preset's own table), ``lr``, ``iterations`` (the training length), ``seed``, ``layers`` and ``units1``,
``units2`` (hidden units per layer), ``activation``, ``bias``, ``early_stop`` and ``target`` (stop at that
loss), ``input`` (the test input to predict) and ``at`` (the iteration shown, when it is not the last).
Choices at their default are left out, as the page's address bar leaves them out. A table is written as
CSV with ``;`` between lines: ``x1,x2,x3,y;0,0,1,0;1,1,1,1;1,0,1,1;0,1,1,0``. Numbers are written exactly
(shortest round-trip form), so a link reopens the same run bit for bit.

Older links keep working: ``hidden=4,4`` (the hidden layers in one key), ``bias=1`` and a ``target`` without
``early_stop`` are still read. The page's view keys (``tab``, ``chain``, ``weight``, ``chain_view``,
``share``, ``present``) are read by :func:`read_view` into the form the page's widgets hold: a tab is
written by its short name (``tab=sweep``, see ``TAB_NAMES``) and read by that name or by its label, and
``chain=1`` is ``chain=true`` (so is ``present=1``, presenter mode).

Decoding never fails: a missing key takes its default silently; each bad or oversized value falls back to
its default and adds a plain-text notice (user text in it is quoted and shortened) for the page to show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import quote, urlencode, urlsplit

from backprop.activations import ACTIVATIONS
from backprop.errors import BackpropError, ConfigError, TableError
from backprop.limits import (
    MAX_HIDDEN_LAYERS,
    MAX_HIDDEN_UNITS,
    MAX_ITERATIONS,
    MAX_LEARNING_RATE,
    MAX_SEED,
    MAX_TABLE_CHARS,
    MAX_TARGET_LOSS,
    MAX_VALUE_CHARS,
    MIN_LEARNING_RATE,
)
from backprop.parse import parse_hidden, parse_inputs, parse_number, parse_whole, shown
from backprop.table import DEFAULT_PRESET, PRESETS, TruthTable, get_preset, table_from_cells
from backprop.trainer import TrainConfig

SETTING_KEYS = (
    "preset",
    "table",
    "lr",
    "iterations",
    "seed",
    "layers",
    "units1",
    "units2",
    "activation",
    "bias",
)
HAND_KEYS = ("table", "at")  # no widget of the page holds these: the page writes them itself
OLD_KEYS = ("hidden",)  # read, never written
VIEW_KEYS = ("tab", "chain", "weight", "chain_view", "share", "present", "discretize")  # the page's view
# The page's teaching tabs in a link, in the page's order: tab=sweep opens the learning-rate sweep.
TAB_NAMES = ("network", "surface", "rows", "hidden", "activations", "sweep")
QUERY_KEYS = (*SETTING_KEYS, "early_stop", "target", "input", "at", *OLD_KEYS)
DEFAULT_UNITS = 4  # units in a hidden layer when a link does not say
DEFAULT_TARGET = 0.001  # the early-stop loss when a link turns early stopping on without one
CUSTOM = "custom"  # the preset name of a table that is not a preset's (edited, uploaded, from a link)
_SHOWN_CHARS = 24

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

T = TypeVar("T")


@dataclass(frozen=True)
class Experiment:
    """Everything a link carries: preset name, table, training configuration, test input, and the
    iteration shown (``None``: the last one, ``config.n_iterations``)."""

    preset: str = DEFAULT_PRESET
    table: TruthTable = field(default_factory=lambda: get_preset(DEFAULT_PRESET).table)
    config: TrainConfig = field(default_factory=TrainConfig)
    test_input: tuple[float, ...] = get_preset(DEFAULT_PRESET).test_input
    at: int | None = None


@dataclass(frozen=True)
class Decoded:
    """An experiment read from query parameters, the notices about values that fell back to defaults,
    and whether the parameters named any experiment setting at all (a plain page address does not)."""

    experiment: Experiment
    notices: tuple[str, ...]
    from_link: bool


class _InvalidError(ValueError):
    """A value that cannot be used; its message says why (no value echoed)."""


def number_text(value: float) -> str:
    """``value`` written exactly and briefly: ``1`` for 1.0, else the shortest round-trip repr."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def default_test_input(preset: str, n_inputs: int) -> tuple[float, ...]:
    """The preset's test input when it fits ``n_inputs``, else all zeros."""
    given = get_preset(preset).test_input if preset in PRESETS else ()
    return given if len(given) == n_inputs else (0.0,) * n_inputs


# ------------------------------------------------------------------------------------------- table
def encode_table(table: TruthTable) -> str:
    """The table as compact text: CSV with ``;`` between lines (header first), numbers exact."""
    lines = [",".join(table.columns)]
    lines += [",".join(number_text(v) for v in row) for row in table.rows()]
    return ";".join(lines)


def decode_table(text: str) -> TruthTable:
    """Read :func:`encode_table` text back, validating it like a CSV file.

    Raises
    ------
    TableError
        for a malformed, oversized or invalid table, naming the bad row and column.
    """
    if len(text) > MAX_TABLE_CHARS:
        raise TableError(f"The table is longer than {MAX_TABLE_CHARS:,} characters.")
    lines = [line.split(",") for line in text.split(";") if line.strip()]
    if not lines:
        return table_from_cells([], [])  # raises a TableError about the header
    return table_from_cells(lines[0], lines[1:])


def table_fits_link(table: TruthTable) -> bool:
    """Whether ``table`` is small enough to travel in a link."""
    return len(encode_table(table)) <= MAX_TABLE_CHARS


# ------------------------------------------------------------------------------------------ encode
def encode(experiment: Experiment) -> dict[str, str]:
    """Query parameters for ``experiment``, in a fixed order.

    ``table`` is left out when it is the preset's own table, or when it is too long for a link
    (see :func:`table_fits_link`; the link then reopens the preset's table).
    """
    config, defaults = experiment.config, TrainConfig()
    params = {} if experiment.preset == DEFAULT_PRESET else {"preset": experiment.preset}
    preset_table = get_preset(experiment.preset).table if experiment.preset in PRESETS else None
    if experiment.table != preset_table and table_fits_link(experiment.table):
        params["table"] = encode_table(experiment.table)
    params["lr"] = number_text(config.learning_rate)
    params["iterations"] = str(config.n_iterations)
    params["seed"] = str(config.seed)
    if config.hidden:
        params["layers"] = str(len(config.hidden))
    for layer, units in enumerate(config.hidden, start=1):
        if units != DEFAULT_UNITS:
            params[f"units{layer}"] = str(units)
    if config.activation != defaults.activation:
        params["activation"] = config.activation
    if config.use_bias:
        params["bias"] = "true"
    if config.target_loss is not None:
        params["early_stop"] = "true"
        params["target"] = number_text(config.target_loss)
    params["input"] = ",".join(number_text(v) for v in experiment.test_input)
    if experiment.at is not None and experiment.at != config.n_iterations:
        params["at"] = str(experiment.at)
    return params


def share_url(base_url: str | None, params: Mapping[str, str]) -> str:
    """The page address with ``params`` as its query; ``,`` and ``;`` stay readable.

    With no base (not known outside a browser session) this is just the query, ``?preset=...``.
    """
    query = urlencode(params, quote_via=quote, safe=",;")
    base = (base_url or "").split("?")[0].split("#")[0]
    if base and not urlsplit(base).path:
        base += "/"  # http://host:8501 -> http://host:8501/
    return f"{base}?{query}"


# ------------------------------------------------------------------------------------------ decode
def _last(value: object) -> str:
    """One query value: the last of repeated ones (as ``st.query_params`` does), as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence) and value:
        return str(value[-1])
    return "" if isinstance(value, Sequence) else str(value)


def _choice(text: str, choices: Sequence[str]) -> str:
    value = text.strip().lower()
    if value not in choices:
        raise _InvalidError(f"not one of {', '.join(choices)}")
    return value


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value not in _TRUE + _FALSE:
        raise _InvalidError("not true or false")
    return value in _TRUE


def decode(params: Mapping[str, object], max_iterations: int = MAX_ITERATIONS) -> Decoded:
    """The experiment described by query parameters, with defaults for bad or missing values.

    Parameters
    ----------
    params : query parameters, e.g. ``st.query_params.to_dict()``; a list value counts as its last item
    max_iterations : largest iteration count accepted (the app allows fewer than the library)

    Returns
    -------
    Decoded
        ``notices`` has one plain-text line per value that fell back to its default, plus one line
        for ignored unknown keys. Missing keys take their defaults without a notice.
    """
    raw = {str(k): _last(v) for k, v in params.items()}
    defaults = TrainConfig()
    notices: list[str] = []
    from_link = any(k in raw for k in QUERY_KEYS)

    def read(key: str, parse: Callable[[str], T], default: T, default_text: str) -> T:
        if key not in raw:
            return default
        text = raw[key]
        limit = MAX_TABLE_CHARS if key == "table" else MAX_VALUE_CHARS
        try:
            if len(text) > limit:
                raise _InvalidError(f"longer than {limit:,} characters")
            return parse(text)
        except (_InvalidError, BackpropError) as error:
            if isinstance(error, ConfigError):  # backprop.parse: "<rule>; <what was wrong>."
                reason = str(error).split("; ")[0]
            elif isinstance(error, TableError):
                reason = f"not a valid table: {error}"
            else:
                reason = str(error)
            quoted = f"({len(text):,} characters)" if len(text) > _SHOWN_CHARS else shown(text)
            notices.append(f"Link value {key}={quoted}: {reason.rstrip('.')}; using {default_text}.")
            return default

    preset = read("preset", lambda t: _choice(t, [*PRESETS, CUSTOM]), DEFAULT_PRESET, DEFAULT_PRESET)
    if preset == CUSTOM and "table" not in raw:
        notices.append(f"Link value preset={CUSTOM} needs a table; using {DEFAULT_PRESET}.")
        preset = DEFAULT_PRESET
    default_table = get_preset(DEFAULT_PRESET if preset == CUSTOM else preset).table
    table = read("table", decode_table, default_table, f"the {preset} table")
    lr = read(
        "lr",
        lambda t: parse_number(t, "lr", "Learning rate", MIN_LEARNING_RATE, MAX_LEARNING_RATE),
        defaults.learning_rate,
        number_text(defaults.learning_rate),
    )
    n_iterations = read(
        "iterations",
        lambda t: parse_whole(t, "iterations", "Iterations", 0, max_iterations),
        defaults.n_iterations,
        f"{defaults.n_iterations}",
    )
    seed = read(
        "seed", lambda t: parse_whole(t, "seed", "Seed", 0, MAX_SEED), defaults.seed, str(defaults.seed)
    )
    hidden = read(
        "hidden",  # an older link's layers in one key, e.g. hidden=4,4
        lambda t: parse_hidden(t, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS),
        defaults.hidden,
        "no hidden layer",
    )
    n_layers = read(
        "layers",
        lambda t: parse_whole(t, "layers", "Hidden layers", 0, MAX_HIDDEN_LAYERS),
        len(hidden),
        "no hidden layer",
    )
    if "layers" in raw or any(f"units{i}" in raw for i in range(1, MAX_HIDDEN_LAYERS + 1)):
        hidden = tuple(
            read(
                f"units{i}",
                lambda t: parse_whole(t, "units", "Units in a hidden layer", 1, MAX_HIDDEN_UNITS),
                DEFAULT_UNITS,
                str(DEFAULT_UNITS),
            )
            for i in range(1, n_layers + 1)
        )
    activation = read(
        "activation", lambda t: _choice(t, list(ACTIVATIONS)), defaults.activation, defaults.activation
    )
    use_bias = read("bias", _bool, defaults.use_bias, "no learned bias")
    # Early stopping is on with early_stop=true, or with a target alone (an older link's form).
    early_stop = read("early_stop", _bool, "target" in raw, "no early stop")
    target: float | None = read(
        "target",
        lambda t: parse_number(t, "target", "Target loss", 0.0, MAX_TARGET_LOSS),
        DEFAULT_TARGET if "early_stop" in raw else None,
        number_text(DEFAULT_TARGET) if "early_stop" in raw else "no target loss",
    )
    fallback_input = default_test_input(preset, table.n_inputs)
    test_input = read(
        "input",
        lambda t: parse_inputs(t, table.n_inputs, "input"),
        fallback_input,
        ",".join(number_text(v) for v in fallback_input),
    )
    at: int | None = read(
        "at",
        lambda t: parse_whole(t, "at", "The iteration shown", 0, max_iterations),
        None,
        "the last iteration",
    )
    config = TrainConfig(
        learning_rate=lr,
        n_iterations=n_iterations,
        seed=seed,
        hidden=hidden,
        activation=activation,
        use_bias=use_bias,
        target_loss=target if early_stop else None,
    )

    unknown = [k for k in raw if k not in QUERY_KEYS + VIEW_KEYS]
    if unknown and from_link:
        names = ", ".join(shown(k) for k in unknown[:5]) + (", …" if len(unknown) > 5 else "")
        notices.append(f"Ignored unknown link parameters: {names}.")
    experiment = Experiment(preset, table, config, test_input, at)
    return Decoded(experiment, tuple(notices), from_link)


def read_view(params: Mapping[str, object], tabs: Sequence[str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """A link's view keys in the form the page's widgets read, with a notice per value not used.

    Parameters
    ----------
    params : query parameters; only ``VIEW_KEYS`` are read
    tabs : the page's tab labels, in ``TAB_NAMES`` order

    Returns
    -------
    ``tab`` as the open tab's label, read from its short name or its label in any case (left out for the
    first tab, the default); ``chain``, ``share`` and ``present`` as ``true`` when on (1, true, yes,
    on) and left out when off; ``weight`` and ``chain_view`` as they are. An unknown tab or switch is left
    out, with a notice.
    """
    if len(tabs) != len(TAB_NAMES):
        raise ValueError(f"Expected {len(TAB_NAMES)} tab labels, got {len(tabs)}.")
    raw = {str(k): _last(v) for k, v in params.items() if k in VIEW_KEYS}
    view: dict[str, str] = {}
    notices: list[str] = []
    if "tab" in raw:
        text = raw["tab"].strip().lower()
        found = [
            i
            for i, (name, label) in enumerate(zip(TAB_NAMES, tabs, strict=True))
            if text in (name, label.lower())
        ]
        if not found:
            notices.append(
                f"Link value tab={shown(raw['tab'])}: not one of {', '.join(TAB_NAMES)}; "
                f"using {TAB_NAMES[0]}."
            )
        elif found[0] > 0:
            view["tab"] = tabs[found[0]]
    for key in ("chain", "weight", "chain_view", "share", "present"):
        if key not in raw:
            continue
        if key in ("weight", "chain_view"):
            view[key] = raw[key]
            continue
        try:
            if _bool(raw[key]):
                view[key] = "true"
        except _InvalidError:
            notices.append(f"Link value {key}={shown(raw[key])}: not true or false; using false.")
    return view, tuple(notices)


def switch_on(value: object) -> bool:
    """Whether a link's switch (``chain``, ``share``, ``present``) is on: 1, true, yes or on in any case,
    the last of repeated values; anything else is off."""
    return _last(value).strip().lower() in _TRUE


def tab_name(label: str, tabs: Sequence[str]) -> str:
    """The short name a link gives the tab with this label (``tabs`` in ``TAB_NAMES`` order)."""
    return TAB_NAMES[list(tabs).index(label)]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$:&])")


def escape_markdown(text: str) -> str:
    """``text`` with Markdown (and Streamlit's ``$`` LaTeX) syntax escaped, to show user text safely."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
