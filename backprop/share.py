"""Experiments as links: a run's settings encoded as URL query parameters, and decoded back.

Keys (each one is also the key of the page's widget that holds the setting, so the page's address bar and
:func:`encode` agree): ``preset`` (``custom`` for a table of one's own, ``dataset`` for a generated 2-D
dataset), ``table`` (omitted when it is the preset's own table or the generated dataset's), ``dataset``
(circle, xor, gauss or spiral; on its own it means ``preset=dataset``), ``points``, ``noise`` and
``data_seed`` (how the dataset is drawn), ``lr``, ``iterations`` (the training length), ``seed``,
``test`` (the fraction of rows held out for testing), ``batch`` (rows per update; omitted or ``full``: the
whole training table), ``layers`` and ``units1`` .. ``units6`` (hidden units per layer), ``activation``,
``bias``, ``features`` (derived inputs of a 2-input table, a comma list such as ``x1sq,x1x2``; repeated
``features=`` values are read too), ``reg`` (none, l1, l2) and ``reg_rate``, ``early_stop`` and ``target``
(stop at that loss), ``input`` (the test input to predict, the table's own inputs) and ``at`` (the
iteration shown, when it is not the last). Choices at their default are left out, as the page's address
bar leaves them out. A table is written as CSV with ``;`` between lines:
``x1,x2,x3,y;0,0,1,0;1,1,1,1;1,0,1,1;0,1,1,0``. Numbers are written exactly (shortest round-trip form),
so a link reopens the same run bit for bit; a generated dataset travels as its four settings, which
redraw the same table bit for bit.

Older links keep working: ``hidden=4,4`` (the hidden layers in one key), ``bias=1`` and a ``target`` without
``early_stop`` are still read. The page's view keys (``tab``, ``chain``, ``weight``, ``chain_view``,
``share``, ``present``) are read by :func:`read_view` into the form the page's widgets hold: a tab is
written by its short name (``tab=sweep``, see ``TAB_NAMES``) and read by that name or by its label, and
``chain=1`` is ``chain=true`` (so is ``present=1``, presenter mode).

Decoding never fails: a missing key takes its default silently; each bad or oversized value falls back to
its default and adds a plain-text notice (user text in it is quoted and shortened) for the page to show.
So do values that do not fit the table: features on a table without exactly two inputs (none are used),
a batch larger than the training rows (the full batch is used).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import quote, urlencode, urlsplit

from backprop.activations import ACTIVATIONS
from backprop.datasets import DATASETS, DataSpec, generate, split_rows
from backprop.errors import BackpropError, ConfigError, TableError
from backprop.limits import (
    MAX_HIDDEN_LAYERS,
    MAX_HIDDEN_UNITS,
    MAX_ITERATIONS,
    MAX_LEARNING_RATE,
    MAX_NOISE,
    MAX_POINTS,
    MAX_REG_RATE,
    MAX_ROWS,
    MAX_SEED,
    MAX_TABLE_CHARS,
    MAX_TARGET_LOSS,
    MAX_TEST_FRACTION,
    MAX_VALUE_CHARS,
    MIN_LEARNING_RATE,
    MIN_POINTS,
)
from backprop.network import REGULARIZATIONS
from backprop.parse import parse_features, parse_hidden, parse_inputs, parse_number, parse_whole, shown
from backprop.table import DEFAULT_PRESET, PRESETS, TruthTable, get_preset, table_from_cells
from backprop.trainer import TrainConfig

DATA_KEYS = ("dataset", "points", "noise", "data_seed")  # a generated dataset, with preset=dataset
UNIT_KEYS = tuple(f"units{layer}" for layer in range(1, MAX_HIDDEN_LAYERS + 1))
SETTING_KEYS = (
    "preset",
    "table",
    *DATA_KEYS,
    "lr",
    "iterations",
    "seed",
    "test",
    "batch",
    "layers",
    *UNIT_KEYS,
    "activation",
    "bias",
    "features",
    "reg",
    "reg_rate",
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
DATASET = "dataset"  # the preset name of a generated 2-D dataset (Experiment.data says which)
FULL_BATCH = "full"  # batch=full: every training row in each update (the default, left out of links)
_SHOWN_CHARS = 24

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
_DATA_DEFAULTS = (DataSpec().name, DataSpec().points, DataSpec().noise, DataSpec().seed)

T = TypeVar("T")


@dataclass(frozen=True)
class Experiment:
    """Everything a link carries: preset name, table, training configuration, test input (the table's own
    inputs), the iteration shown (``None``: the last one, ``config.n_iterations``), and the dataset the
    table was generated from (``None`` unless ``preset`` is ``"dataset"``)."""

    preset: str = DEFAULT_PRESET
    table: TruthTable = field(default_factory=lambda: get_preset(DEFAULT_PRESET).table)
    config: TrainConfig = field(default_factory=TrainConfig)
    test_input: tuple[float, ...] = get_preset(DEFAULT_PRESET).test_input
    at: int | None = None
    data: DataSpec | None = None


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
    """The preset's test input when it fits ``n_inputs``, else all zeros (a generated dataset's: the
    origin, the centre of its picture)."""
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
    (see :func:`table_fits_link`; the link then reopens the preset's table). A generated dataset is
    written as ``preset=dataset`` and its settings that are not at their default; when the table is not
    the one they draw (edited), the link carries the table as ``preset=custom``.
    """
    config, defaults = experiment.config, TrainConfig()
    params = _source_params(experiment)
    params["lr"] = number_text(config.learning_rate)
    params["iterations"] = str(config.n_iterations)
    params["seed"] = str(config.seed)
    if config.test_fraction != defaults.test_fraction:
        params["test"] = number_text(config.test_fraction)
    if config.batch_size is not None:
        params["batch"] = str(config.batch_size)
    if config.hidden:
        params["layers"] = str(len(config.hidden))
    for layer, units in enumerate(config.hidden, start=1):
        if units != DEFAULT_UNITS:
            params[f"units{layer}"] = str(units)
    if config.activation != defaults.activation:
        params["activation"] = config.activation
    if config.use_bias:
        params["bias"] = "true"
    if config.features:
        params["features"] = ",".join(config.features)
    if config.regularization != defaults.regularization:
        params["reg"] = config.regularization
    if config.reg_rate != defaults.reg_rate:
        params["reg_rate"] = number_text(config.reg_rate)
    if config.target_loss is not None:
        params["early_stop"] = "true"
        params["target"] = number_text(config.target_loss)
    params["input"] = ",".join(number_text(v) for v in experiment.test_input)
    if experiment.at is not None and experiment.at != config.n_iterations:
        params["at"] = str(experiment.at)
    return params


def _source_params(experiment: Experiment) -> dict[str, str]:
    """Where the table comes from: ``preset``, the dataset's settings, or ``table``."""
    data, table = experiment.data, experiment.table
    # an edited dataset too long for a link reopens the dataset as drawn, as a long table reopens the preset's
    if data is not None and (table == generate(data) or not table_fits_link(table)):
        params = {"preset": DATASET}
        for key, value, default in zip(
            DATA_KEYS, (data.name, data.points, data.noise, data.seed), _DATA_DEFAULTS, strict=True
        ):
            if value != default:
                params[key] = number_text(value) if key == "noise" else str(value)
        return params
    preset = CUSTOM if experiment.preset == DATASET else experiment.preset
    params = {} if preset == DEFAULT_PRESET else {"preset": preset}
    preset_table = get_preset(preset).table if preset in PRESETS else None
    if table != preset_table and table_fits_link(table):
        params["table"] = encode_table(table)
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


def _joined(value: object) -> str:
    """A key whose repeated values all count (``features=x1sq&features=x2sq``, as a page's multiselect
    writes them), as one comma list."""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return ",".join(str(v) for v in value)
    return str(value)


def _batch(text: str) -> int | None:
    if text.strip().lower() == FULL_BATCH:
        return None
    return parse_whole(text, "batch", "Batch size", 1, MAX_ROWS)


class _Reader:
    """Reads a link's values, each one checked, collecting a notice for each value that is not used."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = raw
        self.notices: list[str] = []

    def __contains__(self, key: str) -> bool:
        return key in self.raw

    def read(self, key: str, parse: Callable[[str], T], default: T, default_text: str) -> T:
        """``parse`` of the value of ``key``; ``default`` when it is missing, or with a notice when
        ``parse`` refuses it."""
        if key not in self.raw:
            return default
        text = self.raw[key]
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
            self.refuse(key, reason, default_text)
            return default

    def refuse(self, key: str, reason: str, default_text: str) -> None:
        """A notice that the value of ``key`` is not used, and why."""
        text = self.raw[key]
        quoted = f"({len(text):,} characters)" if len(text) > _SHOWN_CHARS else shown(text)
        self.notices.append(f"Link value {key}={quoted}: {reason.rstrip('.')}; using {default_text}.")


def decode(params: Mapping[str, object], max_iterations: int = MAX_ITERATIONS) -> Decoded:
    """The experiment described by query parameters, with defaults for bad or missing values.

    Parameters
    ----------
    params : query parameters, e.g. ``st.query_params.to_dict()``; a list value counts as its last item
        (``features``: all its items)
    max_iterations : largest iteration count accepted (the app allows fewer than the library)

    Returns
    -------
    Decoded
        ``notices`` has one plain-text line per value that fell back to its default, plus one line
        for ignored unknown keys. Missing keys take their defaults without a notice.
    """
    raw = {str(k): _joined(v) if k == "features" else _last(v) for k, v in params.items()}
    reader = _Reader(raw)
    from_link = any(k in raw for k in QUERY_KEYS)
    preset, data, table = _read_source(reader)
    config = _read_config(reader, table, max_iterations)
    fallback_input = default_test_input(preset, table.n_inputs)
    test_input = reader.read(
        "input",
        lambda t: parse_inputs(t, table.n_inputs, "input"),
        fallback_input,
        ",".join(number_text(v) for v in fallback_input),
    )
    at: int | None = reader.read(
        "at",
        lambda t: parse_whole(t, "at", "The iteration shown", 0, max_iterations),
        None,
        "the last iteration",
    )
    notices = reader.notices
    unknown = [k for k in raw if k not in QUERY_KEYS + VIEW_KEYS]
    if unknown and from_link:
        names = ", ".join(shown(k) for k in unknown[:5]) + (", …" if len(unknown) > 5 else "")
        notices.append(f"Ignored unknown link parameters: {names}.")
    experiment = Experiment(preset, table, config, test_input, at, data)
    return Decoded(experiment, tuple(notices), from_link)


def _read_source(reader: _Reader) -> tuple[str, DataSpec | None, TruthTable]:
    """The preset, the generated dataset (with ``preset=dataset``, or ``dataset`` alone) and the table."""
    choices = [*PRESETS, CUSTOM, DATASET]
    implied = DATASET if "dataset" in reader and "preset" not in reader else DEFAULT_PRESET
    preset = reader.read("preset", lambda t: _choice(t, choices), implied, implied)
    if preset == CUSTOM and "table" not in reader:
        reader.notices.append(f"Link value preset={CUSTOM} needs a table; using {DEFAULT_PRESET}.")
        preset = DEFAULT_PRESET
    data = _read_data(reader) if preset == DATASET else None
    if data is not None:
        default_table, default_text = generate(data), f"the {data.name} dataset"
    else:
        default_table = get_preset(DEFAULT_PRESET if preset == CUSTOM else preset).table
        default_text = f"the {preset} table"
    table = reader.read("table", decode_table, None, default_text)
    if table is None:
        return preset, data, default_table
    if preset == DATASET:  # a generated table edited on the page: a table of one's own
        return CUSTOM, None, table
    return preset, data, table


def _read_data(reader: _Reader) -> DataSpec:
    default = DataSpec()
    name = reader.read("dataset", lambda t: _choice(t, list(DATASETS)), default.name, default.name)
    points = reader.read(
        "points",
        lambda t: parse_whole(t, "points", "Points", MIN_POINTS, MAX_POINTS),
        default.points,
        str(default.points),
    )
    noise = reader.read(
        "noise",
        lambda t: parse_number(t, "noise", "Noise", 0.0, MAX_NOISE),
        default.noise,
        number_text(default.noise),
    )
    seed = reader.read(
        "data_seed",
        lambda t: parse_whole(t, "data_seed", "Data seed", 0, MAX_SEED),
        default.seed,
        str(default.seed),
    )
    return DataSpec(name, points, noise, seed)


def _read_config(reader: _Reader, table: TruthTable, max_iterations: int) -> TrainConfig:
    """The training settings; features and the batch size are checked against ``table``."""
    defaults = TrainConfig()
    read = reader.read
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
    test_fraction = read(
        "test",
        lambda t: parse_number(t, "test", "Test fraction", 0.0, MAX_TEST_FRACTION),
        defaults.test_fraction,
        "no test set",
    )
    batch_size = _read_batch(reader, split_rows(table.n_rows, test_fraction, seed)[0].size)
    features = _read_features(reader, table.n_inputs)
    return TrainConfig(
        learning_rate=lr,
        n_iterations=n_iterations,
        seed=seed,
        hidden=_read_hidden(reader),
        activation=read(
            "activation", lambda t: _choice(t, list(ACTIVATIONS)), defaults.activation, defaults.activation
        ),
        use_bias=read("bias", _bool, defaults.use_bias, "no learned bias"),
        target_loss=_read_target(reader),
        features=features,
        test_fraction=test_fraction,
        batch_size=batch_size,
        regularization=read("reg", lambda t: _choice(t, REGULARIZATIONS), defaults.regularization, "none"),
        reg_rate=read(
            "reg_rate",
            lambda t: parse_number(t, "reg_rate", "Regularization rate", 0.0, MAX_REG_RATE),
            defaults.reg_rate,
            number_text(defaults.reg_rate),
        ),
    )


def _read_batch(reader: _Reader, n_train: int) -> int | None:
    """The batch size: ``None`` (every row) when missing, ``full``, or larger than the training rows."""
    batch_size = reader.read("batch", _batch, None, "the full batch")
    if batch_size is not None and batch_size > n_train:
        reader.refuse("batch", f"larger than the {n_train} training rows", "the full batch")
        return None
    return batch_size


def _read_features(reader: _Reader, n_inputs: int) -> tuple[str, ...]:
    features = reader.read("features", parse_features, (), "no derived feature")
    if features and n_inputs != 2:
        reason = f"derived features need a table with exactly two inputs x1, x2; it has {n_inputs}"
        reader.refuse("features", reason, "no derived feature")
        return ()
    return features


def _read_target(reader: _Reader) -> float | None:
    """The early-stop loss: on with early_stop=true, or with a target alone (an older link's form)."""
    early_stop = reader.read("early_stop", _bool, "target" in reader, "no early stop")
    target: float | None = reader.read(
        "target",
        lambda t: parse_number(t, "target", "Target loss", 0.0, MAX_TARGET_LOSS),
        DEFAULT_TARGET if "early_stop" in reader else None,
        number_text(DEFAULT_TARGET) if "early_stop" in reader else "no target loss",
    )
    return target if early_stop else None


def _read_hidden(reader: _Reader) -> tuple[int, ...]:
    """Hidden layers from ``layers`` and ``units1``.. (or an older link's ``hidden=4,4``)."""
    hidden = reader.read(
        "hidden",  # an older link's layers in one key, e.g. hidden=4,4
        lambda t: parse_hidden(t, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS),
        (),
        "no hidden layer",
    )
    n_layers = reader.read(
        "layers",
        lambda t: parse_whole(t, "layers", "Hidden layers", 0, MAX_HIDDEN_LAYERS),
        len(hidden),
        "no hidden layer",
    )
    if "layers" not in reader and not any(key in reader for key in UNIT_KEYS):
        return hidden
    return tuple(
        reader.read(
            f"units{i}",
            lambda t: parse_whole(t, "units", "Units in a hidden layer", 1, MAX_HIDDEN_UNITS),
            DEFAULT_UNITS,
            str(DEFAULT_UNITS),
        )
        for i in range(1, n_layers + 1)
    )


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
