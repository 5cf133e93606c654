"""Sequences of user actions, not single states: a hypothesis state machine drives the page through AppTest.

Each rule is one thing a visitor does (pick a preset, edit a cell, add or delete rows, change the table's
shape, the network, the learning rate, the iterations or the seed; press Train, Step, Reset or New seed;
inspect an iteration; open a teaching tab, a section, a weight, a row; type a test input; upload a CSV),
then one ``at.run()``. After every step the page must have no exception, and the numbers it shows (the
"Iteration", "Loss" and prediction metrics, the per-row table) must be the library's
(``backprop.trainer.train``, ``Run.snapshot_at``, ``Run.predict``) for the settings the page shows.

The state machine keeps its own model of what the page should use, written from the product's rules
rather than read back from the app's bookkeeping:
- Train trains all ``n_iterations`` and shows the last one; Step after inspecting iteration i shows
  i + 1; Reset shows iteration 0; any other change of table or settings that gives another run (another
  experiment or another last iteration) opens it at its last iteration and keeps the stepping count
  (only Train, a preset and an upload go back to training all iterations); tabs and sections change
  nothing.
- A refused entry keeps the last valid value, and the page trains with that one: a typed setting's box
  keeps the refused text, any other widget goes back to the last valid value.
- The table trained on is the last valid one: the model applies the data editor's edits as the browser
  sends them (the whole pending edit state of the current editor) and validates the result itself. An
  edit that changes the table makes the preset "custom", as do a new shape and an upload.

The budget is CI's by default; ``SEQUENCE_EXAMPLES`` and ``SEQUENCE_STEPS`` raise it for a deeper local
run, e.g. ``SEQUENCE_EXAMPLES=500 SEQUENCE_STEPS=40 pytest tests/app/test_sequences.py``.
"""

from __future__ import annotations

import functools
import math
import os
import random
import secrets
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import streamlit
from hypothesis import HealthCheck, Phase, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from streamlit.testing.v1 import AppTest

from backprop.activations import ACTIVATIONS
from backprop.datasets import DATASETS, FEATURES, DataSpec, generate, split_rows
from backprop.limits import MAX_HIDDEN_LAYERS, MAX_NOISE, MAX_TEST_FRACTION, MIN_POINTS
from backprop.network import MAX_HIDDEN_UNITS, REGULARIZATIONS
from backprop.numbers import teaching_number
from backprop.share import CUSTOM, number_text
from backprop.table import MAX_INPUTS, MAX_OUTPUTS, MAX_ROWS, PRESETS, TruthTable, input_names, output_names
from backprop.trainer import MAX_LEARNING_RATE, MAX_SEED, Run, TrainConfig, train
from tests.app.pagetest import APP, address

EXAMPLES = int(os.environ.get("SEQUENCE_EXAMPLES", "20"))  # 50 x 25 takes about 10 minutes here
STEPS = int(os.environ.get("SEQUENCE_STEPS", "25"))
SHRINK = os.environ.get("SEQUENCE_SHRINK", "1") != "0"  # 0: report the first failure as found, unshrunk

APP_MAX_ITERATIONS = 100_000  # the app's Iterations box (its label shows the limits)
DATASET = "dataset"  # the preset of a generated 2-D dataset
# What choosing the dataset preset sets: a network that learns every dataset (the sidebar says so).
DATASET_START = {"bias": True, "layers": 2, "units": 8, "activation": "tanh", "lr": 0.01, "iterations": 3000}
UNIT_KEYS = [f"units{i}" for i in range(1, MAX_HIDDEN_LAYERS + 1)]
DATA_WIDGETS = ("dataset", "points", "noise")
PENALTY_START = 0.01  # the rate a penalty starts at when it is chosen while the rate is 0
MIN_LEARNING_RATE = 0.001  # the app's Learning rate box
DEFAULT_UNITS = 4
TABS = ("Network", "Decision surface", "Per-row error", "Hidden layer", "Activations", "Learning-rate sweep")
LOSS = "Loss E = ½·Σ(y − out)²"
DATA_ERROR = "Data error E"  # the loss's label when a penalty is added to it

# --- values a visitor enters ----------------------------------------------------------------------------
# Iterations stay small enough that a step (with the Activations or sweep tab open) takes well under a
# second; 10,000 is the default and the notebook's.
valid_iterations = st.sampled_from([1, 2, 3, 10, 50, 200, 1000, 10_000]) | st.integers(1, 40)
valid_rates = st.sampled_from(
    [MIN_LEARNING_RATE, 0.01, 0.1, 0.5, 1.0, 2.5, 10.0, MAX_LEARNING_RATE]
) | st.floats(MIN_LEARNING_RATE, MAX_LEARNING_RATE)
valid_seeds = st.sampled_from([0, 1, 42, MAX_SEED]) | st.integers(0, MAX_SEED)
# What is typed into the three typed settings: (text, the value it means, or None when it must be refused).
typed_texts = {
    "lr": valid_rates.map(lambda v: (repr(v), v))
    | st.sampled_from(
        [
            ("1e-3", 0.001),
            *[(t, None) for t in ("0", "-1", "0.0005", "100.5", "1e6", "1,000", "abc", "", "nan", "inf")],
        ]
    ),
    "iterations": valid_iterations.flatmap(lambda v: st.sampled_from([(str(v), v), (f"{v:,}", v)]))
    | st.sampled_from(
        [("1e3", 1000), *[(text, None) for text in ("0", "-5", "100,001", "1e7", "2.5", "ten", "")]]
    ),
    "seed": valid_seeds.flatmap(lambda v: st.sampled_from([(str(v), v), (f"{v:,}", v)]))
    | st.sampled_from([("-1", None), (str(MAX_SEED + 1), None), ("0.5", None), ("seed", None), ("", None)]),
}
# The typed settings shown only sometimes: the data seed (dataset preset), the penalty's rate (a penalty).
option_texts = {
    "data_seed": st.sampled_from([0, 1, 7, MAX_SEED]).map(lambda v: (str(v), v))
    | st.sampled_from([("-1", None), ("0.5", None), ("x", None), ("", None)]),
    "reg_rate": st.sampled_from([0.0, 0.001, 0.01, 0.5, 10.0]).map(lambda v: (repr(v), v))
    | st.sampled_from([("1e-2", 0.01), ("-1", None), ("10.5", None), ("rate", None), ("nan", None)]),
}
# Small datasets keep each step quick; the slider's own ends are there too.
points_values = st.sampled_from([MIN_POINTS, 12, 20, 33]) | st.integers(MIN_POINTS, 40)
fractions = st.integers(0, round(MAX_TEST_FRACTION / 0.05)).map(lambda k: round(k * 0.05, 2))
noises = st.integers(0, round(MAX_NOISE / 0.05)).map(lambda k: round(k * 0.05, 2))
# A cell: valid for an input column unless None; valid for a target column only in [0, 1].
cell_values = st.sampled_from([0.0, 1.0, 0.5, None, -1.0, 2.0, 1.5, -0.25, 50.0, 1e6]) | st.floats(-2.0, 2.0)
added_cells = st.sampled_from([0.0, 1.0]) | cell_values
test_values = st.lists(
    st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0, 10.0]), min_size=MAX_INPUTS + 1, max_size=MAX_INPUTS + 1
)
test_kinds = st.sampled_from(["valid", "valid", "valid", "one more", "one fewer", "word", "nan", "empty"])


@st.composite
def uploads(draw: st.DrawFn) -> tuple[str, bytes, TruthTable | None]:
    """A CSV file: (a description, its bytes, the table it holds or None when the app must refuse it)."""
    kind = draw(
        st.sampled_from(["valid", "valid", "valid", "target 1.5", "bad header", "empty", "text cell"])
    )
    if kind == "empty":
        return kind, b"", None
    if kind == "bad header":
        return kind, b"a,b\n0,1\n", None
    n_in, n_out, n_rows = draw(st.integers(1, 4)), draw(st.integers(1, 2)), draw(st.integers(1, 5))
    X = np.array(
        draw(st.lists(st.sampled_from([0.0, 1.0, 0.5, -2.0]), min_size=n_rows * n_in, max_size=n_rows * n_in))
    )
    y = np.array(
        draw(st.lists(st.sampled_from([0.0, 1.0, 0.25]), min_size=n_rows * n_out, max_size=n_rows * n_out))
    )
    X, y = X.reshape(n_rows, n_in), y.reshape(n_rows, n_out)
    cells = [[repr(float(v)) for v in row] for row in np.hstack([X, y])]
    if kind == "target 1.5":
        cells[0][-1] = "1.5"
    if kind == "text cell":
        cells[0][0] = "one"
    header = ",".join((*input_names(n_in), *output_names(n_out)))
    text = "\n".join([header, *(",".join(row) for row in cells)]) + "\n"
    return kind, text.encode(), TruthTable(X, y) if kind == "valid" else None


@functools.lru_cache(maxsize=256)
def reference(table: TruthTable, config: TrainConfig) -> Run:
    """The library's run for a table and settings: what the page must show."""
    return train(table, config)


def label(values: tuple[float, ...]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


@dataclass
class Editor:
    """What the browser's data editor holds: the table it was given and every pending edit since (the
    browser sends all of them on each change, not only the latest)."""

    key: str
    base: list[list[float]]
    columns: tuple[str, ...]
    edited: dict[int, dict[str, object]]
    added: list[dict[str, object]]
    deleted: list[int]

    def shown(self) -> list[tuple[str, int]]:
        """The rows on screen, in order: base rows not deleted, then added rows."""
        return [("base", i) for i in range(len(self.base)) if i not in self.deleted] + [
            ("added", j) for j in range(len(self.added))
        ]

    def state(self) -> dict[str, object]:
        return {
            "edited_rows": {i: dict(cells) for i, cells in self.edited.items()},
            "added_rows": [dict(cells) for cells in self.added],
            "deleted_rows": sorted(self.deleted),
        }

    def cells(self) -> list[list[object]]:
        """The table the edits make, cell by cell (None for an empty cell)."""
        rows: list[list[object]] = []
        for kind, i in self.shown():
            if kind == "base":
                edits = self.edited.get(i, {})
                rows.append([edits.get(c, v) for c, v in zip(self.columns, self.base[i], strict=True)])
            else:
                rows.append([self.added[i].get(c) for c in self.columns])
        return rows


def table_of(columns: tuple[str, ...], rows: list[list[object]]) -> TruthTable | None:
    """The table these cells make, or None when the app must refuse it (and keep the last valid one)."""
    if not rows or len(rows) > MAX_ROWS:
        return None
    n_in = sum(c.startswith("x") for c in columns)
    for row in rows:
        for k, v in enumerate(row):
            if v is None or not math.isfinite(v):
                return None
            if k >= n_in and not 0.0 <= v <= 1.0:
                return None
    data = np.array(rows, dtype=float)
    return TruthTable(data[:, :n_in], data[:, n_in:])


class PageSequences(RuleBasedStateMachine):
    """One visitor's session; the attributes after ``at`` are the model of what the page should use."""

    def __init__(self) -> None:
        super().__init__()
        streamlit.cache_data.clear()  # every sequence starts from an empty cache: it replays the same way
        preset = PRESETS["notebook"]
        self.preset = preset.name
        self.table = preset.table
        self.test_input = preset.test_input
        self.lr, self.n_iterations, self.seed = 1.0, 10_000, 0
        self.typed = {"lr": "1", "iterations": "10,000", "seed": "0"}  # what the boxes show
        self.layers, self.units, self.activation, self.bias = (
            0,
            [DEFAULT_UNITS, DEFAULT_UNITS],
            "sigmoid",
            False,
        )
        self.units += [DEFAULT_UNITS] * (MAX_HIDDEN_LAYERS - len(self.units))
        self.spec = DataSpec()  # the dataset settings (shown with the dataset preset)
        self.features: tuple[str, ...] = ()
        self.test, self.batch, self.reg, self.reg_rate = 0.0, None, "none", 0.0
        self.typed |= {"data_seed": "0", "reg_rate": "0"}
        self.view: tuple[tuple[str, ...], bool] = ((), False)  # the editor's computed columns
        self.steps: int | None = None  # None: Train (all iterations); an int: updates applied by Step/Reset
        self.inspected: int | None = None  # None: the run's last iteration
        self.tab, self.sections = "Network", {"chain": False, "share": False}
        self.identity: tuple[TruthTable, TrainConfig, int] | None = None
        self.sliders_shown = 0
        self.editor_reset = False  # the model expects the editor to be given a new table this step
        self.editor_base: list[list[float | None]] = []  # and this table in it
        self.at = AppTest.from_file(APP, default_timeout=30)
        self.at.run()
        self.editor = Editor(self.editor_key(), self.table.rows(), self.table.columns, {}, [], [])
        self.settle()
        # New seed draws from secrets; made repeatable so a failing sequence replays (and shrinks) exactly.
        self._randbelow = secrets.randbelow
        rng = random.Random(0)
        secrets.randbelow = lambda n: rng.randrange(n)  # type: ignore[assignment]

    def teardown(self) -> None:
        secrets.randbelow = self._randbelow  # type: ignore[assignment]

    # --- the model ----------------------------------------------------------------------------------
    def config(self) -> TrainConfig:
        n_train = split_rows(self.table.n_rows, self.test, self.seed)[0].size
        return TrainConfig(
            learning_rate=self.lr,
            n_iterations=self.n_iterations if self.steps is None else self.steps,
            seed=self.seed,
            hidden=tuple(self.units[: self.layers]),
            activation=self.activation,
            use_bias=self.bias,
            features=self.features if self.table.n_inputs == 2 else (),
            test_fraction=self.test,
            batch_size=None if self.batch is None or self.batch >= n_train else self.batch,
            regularization=self.reg,
            reg_rate=self.reg_rate,
        )

    def shown_view(self) -> tuple[tuple[str, ...], bool]:
        """The computed columns the editor shows: the features (two inputs only), and the set column."""
        return (self.features if self.table.n_inputs == 2 else ()), self.test > 0

    def run_expected(self) -> Run:
        return reference(self.table, self.config())

    def shown(self) -> int:
        """The iteration the page should show now."""
        return self.run_expected().final.iteration if self.inspected is None else self.inspected

    def settle(self) -> None:
        """After a step: a new run (another table or settings, or another last iteration) opens at its
        last iteration."""
        config = self.config()
        final = reference(self.table, config).final.iteration
        identity = (self.table, replace(config, n_iterations=0), final)
        if identity != self.identity:
            self.inspected = None
        self.identity = identity

    def new_table(self, table: TruthTable) -> None:
        """A table replaced from outside the editor (preset, shape, upload): a new editor shows it."""
        self.table = table
        self.editor_reset = True
        self.editor_base = table.rows()

    def editor_key(self) -> str:
        return f"table_editor_{self.at.session_state['table_version']}"

    def act(self, action: str) -> None:
        """Run the script after ``action`` (already applied to the widgets), with the action noted for
        the report of a failing sequence."""
        note(f"{action}")
        self.at.run()

    # --- rules: the table ---------------------------------------------------------------------------
    @rule(name=st.sampled_from([*PRESETS, DATASET, DATASET, CUSTOM]))
    def choose_preset(self, name: str) -> None:
        box = self.at.selectbox(key="preset")
        changed = box.value != name  # on_change fires only for a new value
        box.set_value(name)
        self.act(f"preset -> {name!r}")
        if changed and name == DATASET:
            self.preset, self.steps = name, None
            self.bias, self.layers, self.activation = True, 2, "tanh"
            self.units[:2] = [DATASET_START["units"]] * 2
            self.lr, self.n_iterations = 0.01, 3000
            self.typed |= {"lr": "0.01", "iterations": "3,000"}
            self.new_table(generate(self.spec))
            if len(self.test_input) != 2:
                self.test_input = (0.0, 0.0)
        elif changed:
            self.preset = name
            if name != CUSTOM:  # "custom" keeps the table
                preset = PRESETS[name]
                self.new_table(preset.table)
                self.test_input = preset.test_input
                self.steps = None

    def send_edits(self, action: str) -> None:
        self.at.session_state[self.editor.key] = self.editor.state()
        self.act(f"{action}; editor state now {self.editor.state()}")
        cells = self.editor.cells()
        edits_inputs = any(name.startswith("x") for row in self.editor.edited.values() for name in row)
        # rows renumbered, or an input of computed features edited: a fresh editor shows the result
        if self.editor.added or self.editor.deleted or (self.shown_view()[0] and edits_inputs):
            self.editor_reset, self.editor_base = True, cells
        table = table_of(self.editor.columns, cells)
        if table is None:
            return
        preset_table = generate(self.spec) if self.preset == DATASET else PRESETS.get(self.preset)
        if self.preset in PRESETS:
            preset_table = PRESETS[self.preset].table
        if table != self.table and self.preset != CUSTOM and table != preset_table:
            self.preset = CUSTOM  # the table is now the user's own
        self.table = table

    @precondition(lambda self: self.editor.shown())
    @rule(row=st.integers(0, 40), column=st.integers(0, 11), value=cell_values)
    def edit_cell(self, row: int, column: int, value: float | None) -> None:
        kind, i = self.editor.shown()[row % len(self.editor.shown())]
        name = self.editor.columns[column % len(self.editor.columns)]
        (self.editor.edited.setdefault(i, {}) if kind == "base" else self.editor.added[i])[name] = value
        self.send_edits(f"edit cell (shown row {row % len(self.editor.shown()) + 1}, {name}) = {value!r}")

    @rule(values=st.lists(added_cells, min_size=MAX_INPUTS + MAX_OUTPUTS, max_size=MAX_INPUTS + MAX_OUTPUTS))
    def add_row(self, values: list[float | None]) -> None:
        # a None leaves that cell of the new row empty (the browser sends no value for it)
        cells = {c: v for c, v in zip(self.editor.columns, values, strict=False) if v is not None}
        self.editor.added.append(cells)
        self.send_edits(f"add row {cells}")

    @precondition(lambda self: self.editor.shown())
    @rule(rows=st.lists(st.integers(0, 40), min_size=1, max_size=3))
    def delete_rows(self, rows: list[int]) -> None:
        shown = self.editor.shown()
        picked = sorted({r % len(shown) for r in rows})
        added = sorted((shown[r][1] for r in picked if shown[r][0] == "added"), reverse=True)
        for j in added:
            del self.editor.added[j]
        self.editor.deleted += [shown[r][1] for r in picked if shown[r][0] == "base"]
        self.send_edits(f"delete shown rows {[r + 1 for r in picked]}")

    @rule(which=st.sampled_from(["n_inputs", "n_outputs"]), value=st.integers(-1, 10))
    def set_columns(self, which: str, value: int) -> None:
        box = self.at.number_input(key=which)
        current = box.value
        box.set_value(value)
        self.act(f"{which} -> {value}")
        limit = MAX_INPUTS if which == "n_inputs" else MAX_OUTPUTS
        if value == current or not 1 <= value <= limit:  # unchanged, or refused: keep the last valid
            return
        n_in = value if which == "n_inputs" else self.table.n_inputs
        n_out = value if which == "n_outputs" else self.table.n_outputs
        X, y = np.zeros((self.table.n_rows, n_in)), np.zeros((self.table.n_rows, n_out))
        X[:, : min(n_in, self.table.n_inputs)] = self.table.X[:, :n_in]
        y[:, : min(n_out, self.table.n_outputs)] = self.table.y[:, :n_out]
        self.new_table(TruthTable(X, y))
        self.preset = CUSTOM
        # the test input keeps its first values; a new input starts at 0
        self.test_input = self.test_input[:n_in] + (0.0,) * max(0, n_in - len(self.test_input))

    @rule(kind=test_kinds, values=test_values)
    def type_test_input(self, kind: str, values: list[float]) -> None:
        n = self.table.n_inputs
        count = {"one more": n + 1, "one fewer": n - 1}.get(kind, n)
        parts = [f"{v:g}" for v in values[:count]]
        if kind == "word":
            parts[0] = "one"
        if kind == "nan":
            parts[-1] = "nan"
        text = "" if kind == "empty" else ", ".join(parts)
        self.at.text_input(key="input").set_value(text)
        self.act(f"test input -> {text!r}")
        if kind == "valid":
            self.test_input = tuple(float(p) for p in parts)

    @rule(upload=uploads())
    def upload_csv(self, upload: tuple[str, bytes, TruthTable | None]) -> None:
        kind, data, table = upload
        if not self.sections["share"]:  # the uploader is inside "Share & export"
            self.toggle_section("share", True)
            self.check()
        # AppTest uploads through the widget itself, as the browser does: the same on_change path.
        self.at.file_uploader(key="table_upload").set_value(("table.csv", data, "text/csv"))
        self.act(f"upload ({kind}) {data!r}")
        if table is None:
            return
        if len(self.test_input) != table.n_inputs:  # the last test input does not fit: zeros
            self.test_input = (0.0,) * table.n_inputs
        self.new_table(table)
        self.preset = CUSTOM
        self.steps = None

    # --- rules: the network and training settings ---------------------------------------------------
    @rule(
        change=st.tuples(st.just("layers"), st.sampled_from([0, 1, 2]) | st.integers(0, MAX_HIDDEN_LAYERS))
        | st.tuples(
            st.sampled_from([f"units{i}" for i in range(1, MAX_HIDDEN_LAYERS + 1)]),
            st.integers(1, MAX_HIDDEN_UNITS),
        )
        | st.tuples(st.just("activation"), st.sampled_from(list(ACTIVATIONS)))
        | st.tuples(st.just("bias"), st.booleans())
    )
    def set_network(self, change: tuple[str, object]) -> None:
        key, value = change
        if key.startswith("units") and int(key[-1]) > self.layers:
            key, value = "layers", int(key[-1])  # no such slider yet: add the layers instead
        if key == "activation" and self.layers == 0:
            key, value = "bias", not self.bias  # no effect without a hidden layer
        widget = {
            "layers": self.at.radio,
            "activation": self.at.selectbox,
            "bias": self.at.checkbox,
        }
        widget.get(key, self.at.slider)(key=key).set_value(value)
        self.act(f"{key} -> {value!r}")
        if key == "layers":
            self.layers = value  # type: ignore[assignment]
        elif key.startswith("units"):
            self.units[int(key[-1]) - 1] = value  # type: ignore[assignment]
        elif key == "activation":
            self.activation = value  # type: ignore[assignment]
        else:
            self.bias = value  # type: ignore[assignment]

    @rule(change=st.one_of(*(st.tuples(st.just(key), texts) for key, texts in typed_texts.items())))
    def set_typed(self, change: tuple[str, tuple[str, float | None]]) -> None:
        """Type into a typed setting's box. (A browser, or a crafted request, can only send text for it:
        AppTest refuses anything else for a text input, so numbers set by code are not sent this way.)"""
        key, (text, value) = change
        self.at.text_input(key=key).set_value(text)
        self.act(f"{key} -> {text!r}")
        self.typed[key] = text  # the box keeps what was typed, even when it is refused
        if value is not None:  # else refused: the page goes on with the last valid value
            setattr(self, {"iterations": "n_iterations"}.get(key, key), value)

    # --- rules: the options beyond the notebook (#13) --------------------------------------------------
    @precondition(lambda self: self.preset == DATASET)
    @rule(
        change=st.tuples(st.just("dataset"), st.sampled_from(list(DATASETS)))
        | st.tuples(st.just("points"), points_values)
        | st.tuples(st.just("noise"), noises)
        | st.tuples(st.just("data_seed"), option_texts["data_seed"])
    )
    def set_dataset(self, change: tuple[str, object]) -> None:
        """Change how the dataset is drawn: the table is drawn again (a new editor shows it)."""
        key, value = change
        if key == "data_seed":
            text, seed = value  # type: ignore[misc]
            self.at.text_input(key=key).set_value(text)
            self.typed["data_seed"] = text
            value = seed
        else:
            {"dataset": self.at.selectbox}.get(key, self.at.slider)(key=key).set_value(value)
        self.act(f"{key} -> {change[1]!r}")
        if value is None:  # a refused data seed: the last valid one draws the table
            return
        spec = DataSpec(
            **{**self.spec.__dict__, {"dataset": "name", "data_seed": "seed"}.get(key, key): value}
        )
        if spec != self.spec:
            self.spec = spec
            self.new_table(generate(spec))

    @precondition(lambda self: self.table.n_inputs == 2)
    @rule(chosen=st.lists(st.sampled_from(list(FEATURES)), max_size=3, unique=True))
    def set_features(self, chosen: list[str]) -> None:
        self.at.session_state["features"] = chosen  # what clicking the pills sends: the chosen keys
        self.act(f"features -> {chosen}")
        self.features = tuple(k for k in FEATURES if k in chosen)

    @rule(
        change=st.tuples(st.just("test"), fractions)
        | st.tuples(st.just("batch"), st.none() | st.sampled_from([1, 2, 5, 8]) | st.integers(1, 60))
        | st.tuples(st.just("reg"), st.sampled_from(REGULARIZATIONS))
    )
    def set_training_option(self, change: tuple[str, object]) -> None:
        key, value = change
        widget = {"test": self.at.slider, "batch": self.at.number_input, "reg": self.at.selectbox}[key]
        changed = widget(key=key).value != value
        widget(key=key).set_value(value)
        self.act(f"{key} -> {value!r}")
        if key == "reg" and changed and value != "none" and self.reg_rate == 0:
            self.reg_rate, self.typed["reg_rate"] = PENALTY_START, number_text(PENALTY_START)
        setattr(self, key, value)

    @precondition(lambda self: self.reg != "none")
    @rule(change=option_texts["reg_rate"])
    def set_rate(self, change: tuple[str, float | None]) -> None:
        text, value = change
        self.at.text_input(key="reg_rate").set_value(text)
        self.act(f"reg_rate -> {text!r}")
        self.typed["reg_rate"] = text
        if value is not None:
            self.reg_rate = value

    # --- rules: the buttons and the inspected iteration ---------------------------------------------
    def click(self, label: str) -> None:
        next(b for b in self.at.button if b.label == label).click()
        self.act(f"click {label}")

    @rule()
    def step_once(self) -> None:
        shown = self.shown()
        self.click("Step")
        self.steps, self.inspected = shown + 1, None

    @rule(button=st.sampled_from(["Train", "Reset", "New seed"]))
    def press(self, button: str) -> None:
        self.click(button)
        if button == "Train":
            self.steps, self.inspected = None, None
        elif button == "Reset":
            self.steps, self.inspected = 0, None
        else:
            text = self.at.text_input(key="seed").value
            assert text.isdigit() and 0 <= int(text) <= MAX_SEED, text
            self.seed, self.typed["seed"] = int(text), text

    @precondition(lambda self: self.run_expected().final.iteration > 0)  # no slider at iteration 0
    @rule(data=st.data())
    def inspect(self, data: st.DataObject) -> None:
        # an earlier iteration than the last (inspecting the last changes nothing): Step and Train after it
        # must continue from it and go back to the end
        self.inspect_at(data.draw(st.integers(0, self.run_expected().final.iteration - 1), label="iteration"))

    # Inspect an earlier iteration, then Step or Train: two actions (each checked). The pairs are what
    # Step's and Train's rules are about, and rare when each action is drawn on its own.
    @precondition(lambda self: self.run_expected().final.iteration > 0)
    @rule(data=st.data())
    def inspect_then_step(self, data: st.DataObject) -> None:
        self.inspect(data)
        self.check()
        self.step_once()

    @precondition(lambda self: self.run_expected().final.iteration > 0)
    @rule(data=st.data())
    def inspect_then_train(self, data: st.DataObject) -> None:
        self.inspect(data)
        self.check()
        self.press("Train")

    def inspect_at(self, value: int) -> None:
        self.at.slider(key="at").set_value(value)
        self.act(f"inspect iteration -> {value}")
        self.inspected = value

    # --- rules: views ---------------------------------------------------------------------------------
    @rule(
        view=st.tuples(st.just("tab"), st.sampled_from(TABS))
        | st.tuples(st.sampled_from(["chain", "share"]), st.booleans())
        | st.tuples(st.sampled_from(["weight", "network_row", "surface_output"]), st.integers(0, 300))
    )
    def look(self, view: tuple[str, object]) -> None:
        """Open a teaching tab or a section, or pick an option of a view's selectbox (by position)."""
        key, value = view
        if key == "tab":
            self.open_tab(value)  # type: ignore[arg-type]
        elif key in ("chain", "share"):
            self.toggle_section(key, value)  # type: ignore[arg-type]
        else:
            self.pick(key, value)  # type: ignore[arg-type]

    def open_tab(self, tab: str) -> None:
        self.at.session_state["tab"] = tab  # what clicking the tab does (a keyed st.tabs), and its link key:
        address(self.at, "tab", None if tab == TABS[0] else tab)  # the first tab is the default, left out
        self.act(f"open tab {tab!r}")
        self.tab = tab

    def toggle_section(self, key: str, open_: bool) -> None:
        self.at.session_state[key] = open_  # what clicking the expander's header does
        address(self.at, key, "true" if open_ else None)
        self.act(f"{key} -> {open_}")
        self.sections[key] = open_

    def pick(self, key: str, position: int) -> None:
        """The option at ``position`` (modulo their number) of selectbox ``key``, when it is drawn."""
        boxes = [b for b in self.at.selectbox if b.key == key]
        if not boxes:  # weight: section closed; network_row, surface_output: their tab is not open
            return
        options = boxes[0].options
        choice = options[position % len(options)]
        boxes[0].set_value(choice if key == "weight" else position % len(options))
        self.act(f"{key} -> {choice!r}")

    # --- the invariant ------------------------------------------------------------------------------
    @invariant()
    def check(self) -> None:
        assert not self.at.exception, [e.message for e in self.at.exception]
        self.adopt_forgotten_units()
        view = self.shown_view()
        if view != self.view and not self.editor_reset:  # other computed columns: a fresh editor
            self.editor_reset, self.editor_base = True, self.editor.cells()
        self.view = view
        self.check_settings()
        self.check_editor()
        self.settle()
        self.check_numbers()

    def adopt_forgotten_units(self) -> None:
        """A hidden-units slider that was not drawn in the last run may come back at its last value or at
        the default: Streamlit forgets the value of a widget that is not drawn. Either is fine as long as
        the page trains with the value it shows (check_settings, check_numbers)."""
        for layer in range(1, self.layers + 1):
            sliders = [s for s in self.at.slider if s.key == f"units{layer}"]
            if layer > self.sliders_shown and sliders and sliders[0].value == DEFAULT_UNITS:
                self.units[layer - 1] = DEFAULT_UNITS
        self.sliders_shown = self.layers

    def shown_typed(self) -> dict[str, str]:
        """The typed settings the page draws now. A box drawn again after a while hidden (the data seed
        without the dataset preset, the rate without a penalty) still holds what was typed in it."""
        keys = ["lr", "iterations", "seed"]
        keys += ["data_seed"] if self.preset == DATASET else []
        keys += ["reg_rate"] if self.reg != "none" else []
        return {key: self.typed[key] for key in keys}

    def check_settings(self) -> None:
        """The settings the page shows are the model's: a refused value shows the last valid one."""
        at = self.at
        shown = {
            "typed": {t.key: t.value for t in at.text_input if t.key in self.typed},
            "preset": at.selectbox(key="preset").value,
            "n_inputs": at.number_input(key="n_inputs").value,
            "n_outputs": at.number_input(key="n_outputs").value,
            "layers": at.radio(key="layers").value,
            "hidden units": [s.value for s in at.slider if (s.key or "").startswith("units")],
            "activation": at.selectbox(key="activation").value,
            "bias": at.checkbox(key="bias").value,
            "dataset": [
                (w.key, w.value)
                for w in [*at.selectbox, *at.slider]
                if w.key in ("dataset", "points", "noise")
            ],
            "test, batch, penalty": (
                at.slider(key="test").value,
                at.number_input(key="batch").value,
                at.selectbox(key="reg").value,
            ),
            "features": [tuple(g.value) for g in at.get("button_group") if g.key == "features"],
        }
        expected = {
            "typed": self.shown_typed(),
            "preset": self.preset,
            "n_inputs": self.table.n_inputs,
            "n_outputs": self.table.n_outputs,
            "layers": self.layers,
            "hidden units": self.units[: self.layers],
            "activation": self.activation,
            "bias": self.bias,
            "dataset": [("dataset", self.spec.name), ("points", self.spec.points), ("noise", self.spec.noise)]
            if self.preset == DATASET
            else [],
            "test, batch, penalty": (self.test, self.batch, self.reg),
            "features": [self.features] if self.table.n_inputs == 2 else [],
        }
        assert shown == expected, self.describe("settings", shown, expected)

    def check_editor(self) -> None:
        """A new editor (no pending edits, showing the new table) exactly when the table was replaced."""
        key = self.editor_key()
        replaced = key != self.editor.key
        assert replaced == self.editor_reset, self.describe(
            "the data editor",
            f"{'a new' if replaced else 'the same'} editor ({key})",
            "a new editor (the table was replaced)" if self.editor_reset else "the same editor, edits kept",
        )
        if replaced:
            self.editor = Editor(key, self.editor_base, self.table.columns, {}, [], [])
            self.editor_reset = False
        base = self.at.data_editor(key=key).value[list(self.editor.columns)]  # the computed ones are checked
        shown = (  # in tests/app/test_options.py
            tuple(base.columns),
            [[None if pd.isna(v) else v for v in row] for row in base.to_numpy().tolist()],
        )
        expected = (self.editor.columns, self.editor.base)
        assert shown == expected, self.describe("the table given to the editor", shown, expected)

    def check_numbers(self) -> None:
        """The numbers shown are the library's for those settings, at the iteration the rules say."""
        at = self.at
        run, iteration = self.run_expected(), self.shown()
        snapshot = run.snapshot_at(iteration)
        prediction = run.predict(np.array([self.test_input]), iteration)[0]
        names = output_names(self.table.n_outputs)
        if run.test_table is not None:  # per row, beside the test error (app/results.py)
            loss_label, loss = "Training error E/n", snapshot.loss / run.table.n_rows
        else:
            loss_label, loss = (DATA_ERROR if run.config.penalized else LOSS), snapshot.loss
        expected = {"Iteration": f"{iteration:,}", loss_label: teaching_number(loss)}
        for name, value in zip(names, prediction, strict=True):
            which = "Prediction" if len(names) == 1 else f"Prediction {name}"
            expected[f"{which} for {label(self.test_input)}"] = f"{value:.8f}"
        shown = {
            m.label: m.value
            for m in at.metric
            if m.label in ("Iteration", LOSS, DATA_ERROR, "Training error E/n")
            or m.label.startswith("Prediction")
        }
        assert shown == expected, self.describe("the metrics", shown, expected)
        frame = next(
            d.value for d in at.dataframe if any(str(c).startswith("output") for c in d.value.columns)
        )
        targets = [c for c in frame.columns if str(c).startswith("target")]
        shown_table = (
            frame[list(input_names(self.table.n_inputs))].to_numpy().tolist(),
            frame[targets].to_numpy().tolist(),
        )
        rows = run.table  # the training rows (with derived feature columns after the table's own inputs)
        expected_table = (rows.X[:, : self.table.n_inputs].tolist(), rows.y.tolist())
        assert shown_table == expected_table, self.describe("the per-row table", shown_table, expected_table)
        sliders = [(s.value, s.max) for s in at.slider if s.key == "at"]
        expected_slider = [(iteration, run.final.iteration)] if run.final.iteration > 0 else []
        assert sliders == expected_slider, self.describe(
            "Inspect iteration (value, max)", sliders, expected_slider
        )

    def describe(self, what: str, shown: object, expected: object) -> str:
        """A failure message: what the page shows, what the model expects, and the app's own state."""
        app = self.at.session_state
        own = {k: app[k] for k in ("trained_to", "shown_iteration", "at") if k in app}
        same_table = "valid_table" in app and app["valid_table"] == self.table
        return (
            f"{what}: the page shows {shown}\nthe model expects {expected}\n"
            f"model: table {self.table.rows()}, {self.config()}, inspected {self.inspected}, "
            f"test input {self.test_input}\napp state: {own}, its valid_table is the model's: {same_table}"
        )


PageSequences.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    derandomize=True,
    database=None,
    print_blob=False,
    phases=list(Phase) if SHRINK else [p for p in Phase if p is not Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
TestPageSequences = PageSequences.TestCase
