"""The bad inputs of tests/test_limits.py at the app level, through Streamlit's AppTest.

Whatever arrives (a widget value, a table edit, a test input, an uploaded file, a link), the app keeps
running (no exception), shows an ``st.error`` right under the input concerned, and keeps the last valid
state. User text never reaches the page as Markdown or HTML.

Settings reach the script two ways. A browser's number inputs refuse out-of-range values themselves, and
Streamlit resets a value out of a widget's bounds to the widget's default before the script sees it;
AppTest goes that way when a value is assigned after the first run. Values put into session state by the
app itself (a link, a callback, an old session) are checked by the app with the core's rules; AppTest goes
that way when the value is assigned before the first run.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backprop.errors import BackpropError
from backprop.limits import MAX_HIDDEN_LAYERS
from backprop.network import hidden_layers
from tests import test_limits as core_limits
from tests.app.pagetest import (
    APP,
    RAW_MARKUP,
    assert_no_raw_markup,
    edit_table,
    error_under,
    fresh,
    metric,
    prediction,
    rerun,
)
from tests.test_limits import APP_MAX_ITERATIONS, BAD_SETTINGS, BAD_TABLES, BadSetting, BadTable

# The options of #13 the core refuses (tests/test_limits.py), when it lists them apart from BAD_SETTINGS.
OPTION_BAD_SETTINGS: list[BadSetting] = list(getattr(core_limits, "OPTION_BAD_SETTINGS", []))

NOTEBOOK_PREDICTION = "0.99993703"
KEEPING = "the last valid value."
STILL = "Training still uses the last valid table."


def app(**state: object) -> AppTest:
    """A fresh session with ``state`` in session state before its first run (as a link would set it)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


# --- settings -----------------------------------------------------------------------------------------


# The page's setting (its widget key, which is also its link key) for a TrainConfig field.
FIELD_KEYS = {
    "learning_rate": "lr",
    "n_iterations": "iterations",
    "use_bias": "bias",
    "target_loss": "target",
    "test_fraction": "test",
    "batch_size": "batch",
    "regularization": "reg",
}


def _core_allows_hidden(value: object) -> bool:
    try:
        hidden_layers(value)  # type: ignore[arg-type]
    except BackpropError:
        return False
    return True


def app_state(bad: BadSetting) -> dict[str, object] | None:
    """The session state that carries ``bad`` into the app, or None when no widget can hold it."""
    if bad.field == "hidden":
        if not isinstance(bad.value, tuple) or _core_allows_hidden(bad.value):
            return None
        if len(bad.value) > MAX_HIDDEN_LAYERS:
            return {"layers": len(bad.value)}
        return {
            "layers": len(bad.value),
            **{f"units{i}": v for i, v in enumerate(bad.value, 1)},
        }
    if bad.field == "target_loss":
        return {"early_stop": True, "target": bad.value}
    if bad.field == "reg_rate":  # its box is shown with a penalty only
        return {"reg": "l2", "reg_rate": bad.value}
    if bad.field == "features":  # shown for a table of two inputs only
        return {"preset": "dataset", "features": bad.value}
    return {FIELD_KEYS.get(bad.field, bad.field): bad.value}


def widget_key(bad: BadSetting) -> str:
    if bad.field == "hidden":
        return "layers" if len(bad.value) > MAX_HIDDEN_LAYERS else "units1"  # type: ignore[arg-type]
    return FIELD_KEYS.get(bad.field, bad.field)


APP_BAD_SETTINGS = [s for s in BAD_SETTINGS + OPTION_BAD_SETTINGS if app_state(s) is not None]
DEFAULTS = {
    "preset": "notebook",
    "lr": 1.0,
    "iterations": 10_000,
    "seed": 0,
    "layers": 0,
    "units1": 4,
    "activation": "sigmoid",
    "bias": False,
    "early_stop": False,
    "target": 0.001,
    "features": (),
    "test": 0.0,
    "batch": None,
    "reg": "none",
    "reg_rate": 0.0,
}


def _rounds(settings: list[BadSetting]) -> list[list[BadSetting]]:
    """The bad settings grouped so that no two in a group touch the same widget: one session tests a
    group at once (each with its own error under its own widget), which keeps this file fast."""
    rounds: list[list[BadSetting]] = []
    for bad in settings:
        keys = set(app_state(bad) or ())
        group = next((r for r in rounds if not keys & {k for b in r for k in app_state(b) or ()}), None)
        if group is None:
            rounds.append(group := [])
        group.append(bad)
    return rounds


@pytest.mark.parametrize("group", _rounds(APP_BAD_SETTINGS), ids=lambda g: " ".join(b.id for b in g))
def test_each_refused_setting_shows_an_error_under_its_widget_and_keeps_the_last_valid_value(
    group: list[BadSetting],
) -> None:
    state: dict[str, object] = {}
    for bad in group:
        state |= app_state(bad) or {}
    at = app(**state)
    for bad in group:
        key = widget_key(bad)
        message = error_under(at, key, KEEPING)
        assert "\n" not in message
        assert at.session_state["valid_settings"][key] == DEFAULTS[key], bad.id
    # the run is the one of the valid settings that came with the bad ones (a hidden layer, a target)
    refused = {widget_key(b) for b in group}
    valid = tuple(sorted((k, v) for k, v in state.items() if k in DEFAULTS and k not in refused))
    assert (metric(at, "Iteration"), prediction(at)) == reference_run(valid)


@functools.cache
def reference_run(state: tuple[tuple[str, object], ...]) -> tuple[str, tuple[str, str]]:
    """Iteration and prediction of a session started with valid ``state``."""
    at = app(**dict(state))
    assert not at.error
    return metric(at, "Iteration"), prediction(at)


def test_a_refused_setting_keeps_the_last_valid_value_not_the_default() -> None:
    at = app(lr=0.5, seed=7, units1=6)
    first = prediction(at)
    valid = at.session_state["valid_settings"]
    assert (valid["lr"], valid["seed"], valid["units1"]) == (0.5, 7, 6)
    at.session_state["units1"] = 99  # no hidden layer: no slider resets it, the app refuses it
    rerun(at)
    assert at.session_state["units1"] == 6 and prediction(at) == first
    assert at.session_state["refused_settings"] == {"units1": at.session_state["refused_settings"]["units1"]}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("lr", "0"),
        ("lr", "1e6"),
        ("lr", "nan"),
        ("iterations", "0"),
        ("iterations", str(APP_MAX_ITERATIONS + 1)),
        ("seed", "-1"),
        ("seed", str(2**32)),
        ("n_inputs", 99),
    ],
)
def test_an_out_of_range_widget_value_never_breaks_the_app(key: str, value: object) -> None:
    """What a crafted request could send: the page goes on with the last valid value and says so."""
    at = app()
    at.session_state[key] = value
    rerun(at)
    error_under(at, key, KEEPING)
    assert at.session_state["valid_settings"][key] == {**DEFAULTS, "n_inputs": 3}[key]
    rerun(at)  # and the next run is fine too
    metric(at, "Iteration")


def test_the_settings_show_their_limits_where_they_are_entered() -> None:
    at = app()
    labels = {w.key: w.label for w in [*at.text_input, *at.number_input]}
    assert labels["lr"] == "Learning rate (0.001–100)"
    assert labels["iterations"] == f"Iterations (1–{APP_MAX_ITERATIONS:,})"
    assert labels["seed"] == f"Seed (0–{2**32 - 1:,})"
    assert labels["n_inputs"] == "Input columns (1–8)"
    assert labels["n_outputs"] == "Output columns (1–4)"
    sliders = [s for s in app(layers=2).slider if s.key and s.key.startswith("units")]
    assert [(s.min, s.max) for s in sliders] == [(1, 8), (1, 8)]
    assert at.radio(key="layers").options == [str(n) for n in range(MAX_HIDDEN_LAYERS + 1)]
    assert labels["batch"] == "Batch size (1–256; empty: full batch)"
    options = app(preset="dataset", reg="l2")
    labels = {w.key: w.label for w in [*options.text_input, *options.slider]}
    assert labels["data_seed"] == f"Data seed (0–{2**32 - 1:,})"
    assert labels["reg_rate"] == "Regularization rate (0–10)"
    assert (labels["points"], labels["noise"], labels["test"]) == (
        "Points (10–256)",
        "Noise (0–0.5)",
        "Test fraction (0–0.9)",
    )


def test_an_unknown_preset_falls_back_with_an_error() -> None:
    at = app(preset="<b>nope</b>")
    message = error_under(at, "preset", KEEPING)
    assert not RAW_MARKUP.search(message) and at.session_state["preset"] == "notebook"
    assert prediction(at)[1] == NOTEBOOK_PREDICTION


# --- the truth-table editor and the test input ----------------------------------------------------------


VALID_EDIT = {0: {"x1": 1.0, "y": 1.0}}  # row 1 becomes 1,0,1 -> 1: the table is still learnable
BAD_EDITS = {
    "empty cell": ({1: {"x2": None}}, None, None, "is empty"),
    "nan cell": ({1: {"x2": math.nan}}, None, None, "is empty"),
    "inf cell": ({1: {"x2": math.inf}}, None, None, "not a finite number"),
    "text cell": ({1: {"x2": "<b>1</b>"}}, None, None, "is empty"),
    "target above 1": ({1: {"y": 2.0}}, None, None, "outside [0, 1]"),
    "target below 0": ({1: {"y": -0.5}}, None, None, "outside [0, 1]"),
    "257 rows": (None, [{"x1": 0.0, "x2": 0.0, "x3": 1.0, "y": 0.0}] * 253, None, "1 to 256 rows"),
    "no rows": (None, None, [0, 1, 2, 3], "no rows"),
    "unknown column": ({1: {"x9": 1.0}}, None, None, "do not fit"),
    "unknown row": ({99: {"x1": 1.0}}, None, None, "do not fit"),
    "10,000 added rows": (None, [{"x1": 0.0}] * 10_000, None, "do not fit"),
}


@pytest.mark.parametrize("name", list(BAD_EDITS))
def test_a_bad_table_edit_shows_an_error_under_the_editor_and_trains_the_last_valid_table(name: str) -> None:
    at = app()
    edit_table(at, VALID_EDIT)
    before = (metric(at, "Loss"), prediction(at))
    assert before[1][1] != NOTEBOOK_PREDICTION  # the edit took effect
    edited, added, deleted, mentions = BAD_EDITS[name]
    if mentions == "do not fit":
        edit_table(
            at, edited, added, deleted
        )  # a crafted request: the editor goes back to the last valid table
        error_under(at, f"table_editor_{at.session_state['table_version']}", "name rows or columns")
    else:
        edit_table(at, {**VALID_EDIT, **(edited or {})}, added, deleted)
        message = error_under(at, f"table_editor_{at.session_state['table_version']}", STILL)
        assert mentions in message.replace("\\", "")  # Markdown escapes removed, as a reader sees it
    assert (metric(at, "Loss"), prediction(at)) == before
    assert at.session_state["valid_table"].X[0, 0] == 1.0


@pytest.mark.parametrize(
    "text", ["abc", "1, 2", "1, 0, 0, 0", "nan, 0, 0", "1e999, 0, 0", "", "<script>, 0, 0"]
)
def test_a_bad_test_input_shows_an_error_under_it_and_keeps_the_last_valid_input(text: str) -> None:
    at = app()
    at.text_input(key="input").set_value("0, 1, 1")
    rerun(at)
    before = prediction(at)
    assert before[0] == "Prediction for [0, 1, 1]"
    at.text_input(key="input").set_value(text)
    rerun(at)
    error_under(at, "input", "Showing the last valid test input")
    assert prediction(at) == before
    assert_no_raw_markup(at)


# --- uploads ------------------------------------------------------------------------------------------


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    if not at.session_state["share"]:  # the uploader is drawn only while "Share & export" is open
        at.session_state["share"] = True
        rerun(at)
    at.file_uploader(key="table_upload").set_value((name, data, "text/csv"))
    return rerun(at)


@pytest.fixture(scope="module")
def uploaded_xor() -> AppTest:
    at = app()
    upload(at, "xor.csv", b"x1,x2,x3,y\n0,0,1,0\n0,1,1,1\n1,0,1,1\n1,1,1,0\n")
    assert at.session_state["valid_table"].y.ravel().tolist() == [0, 1, 1, 0]
    return at


@pytest.mark.parametrize("bad", BAD_TABLES, ids=lambda t: t.id)
def test_a_bad_upload_shows_an_error_under_the_uploader_and_keeps_the_last_valid_table(
    uploaded_xor: AppTest, bad: BadTable
) -> None:
    at = uploaded_xor
    before = (metric(at, "Loss"), prediction(at))
    upload(at, "<img src=x onerror=alert(1)>.csv", bad.data)
    message = error_under(at, "table_upload", STILL)
    assert "\\<img" in message  # the file name is shown as text
    assert at.session_state["valid_table"].y.ravel().tolist() == [0, 1, 1, 0]
    assert (metric(at, "Loss"), prediction(at)) == before
    assert_no_raw_markup(at)


def test_uploads_are_capped_by_the_server_config_too() -> None:
    config = (Path(APP).parent / ".streamlit" / "config.toml").read_text()
    assert "maxUploadSize = 1" in config
    assert 'showErrorDetails = "none"' in config and "enableXsrfProtection = true" in config


# --- links --------------------------------------------------------------------------------------------

JUNK_LINKS = {
    "text": {"lr": "abc", "iterations": "many", "seed": "x"},
    "overflow": {"lr": "1e999", "seed": "1e999", "iterations": "1" + "0" * 30},
    "out of range": {"lr": "0", "iterations": str(APP_MAX_ITERATIONS + 1), "seed": "-1", "hidden": "9,9,9"},
    "script": {"table": "<script>alert(1)</script>", "activation": "<script>", "preset": "<b>x</b>"},
    "markdown": {"table": "x1,y;![x](http://e.test/p.png),1", "input": "[a](javascript:alert(1))"},
    "huge table": {"table": "x1,y;" + ";".join(["0,0"] * 20_000)},
    "257 rows": {"table": "x1,y;" + ";".join(["0,0"] * 257)},
    "nan": {"lr": "nan", "target": "nan", "input": "nan,0,0"},
    "unknown keys": {"<script>": "1", "a" * 10_000: "b"},
}


@pytest.mark.parametrize("name", list(JUNK_LINKS))
def test_junk_in_a_link_falls_back_to_defaults_with_a_notice(name: str) -> None:
    at = fresh(**dict(JUNK_LINKS[name]))
    notices = [w.value for w in at.warning]
    if name != "unknown keys":
        assert notices, "expected a notice about the link"
    assert prediction(at)[1] == NOTEBOOK_PREDICTION
    assert_no_raw_markup(at)


# --- tables that cannot be learned: allowed, and flagged -------------------------------------------------


def test_conflicting_duplicate_rows_are_trained_and_flagged() -> None:
    at = fresh()
    upload(at, "conflict.csv", b"x1,x2,y\n0,1,0\n1,1,1\n0,1,1\n1,0,1\n")
    assert at.session_state["valid_table"].n_rows == 4 and not at.error
    notices = [w.value for w in at.warning if "same inputs" in w.value]
    assert len(notices) == 1 and "1" in notices[0] and "3" in notices[0]
    metric(at, "Iteration")
    assert_no_raw_markup(at)


def test_a_stalled_run_with_saturated_units_is_flagged_with_its_rows_and_units() -> None:
    """XOR with inputs scaled by 50 (see tests/test_limits.py): both hidden units saturate, row 4 stays
    wrong, the loss stops falling."""
    at = fresh(
        **{
            "table": "x1,x2,x3,y;0,0,1,0;0,50,1,1;50,0,1,1;50,50,1,0",
            "iterations": "2000",
            "seed": "0",
            "hidden": "2",
            "input": "50,50,1",
        }
    )
    stalled = [w.value for w in at.warning if "stalled" in w.value]
    assert len(stalled) == 1, [w.value for w in at.warning]
    assert "row 4" in stalled[0] and "h1" in stalled[0] and "h2" in stalled[0] and "saturated" in stalled[0]
    assert not at.error


def test_a_run_whose_weights_overflow_stops_and_says_at_which_iteration() -> None:
    """The table of tests/test_limits.py whose ReLU network overflows at the 2nd update, from a link."""
    at = fresh(
        **{
            "preset": "notebook",
            "table": "x1,y;-5.090274540348806e+305,1;1.4139051212580677e+306,1",
            "lr": "100",
            "iterations": "100",
            "seed": "57",
            "hidden": "3",
            "activation": "relu",
            "bias": "1",
            "input": "1",
        }
    )
    assert not [w.value for w in at.warning if "could not be used" in w.value]
    stopped = [e.value for e in at.error if "infinite or NaN" in e.value]
    assert len(stopped) == 1 and "iteration 2" in stopped[0]
    assert metric(at, "Iteration") == "1"


@pytest.mark.parametrize("x", ["1e308", "-1e308", "5e-324"])
def test_extreme_but_finite_inputs_never_break_the_page(x: str) -> None:
    at = fresh(**{"table": f"x1,x2,y;{x},1,1;0,1,0", "hidden": "2", "activation": "tanh", "input": "1,1"})
    metric(at, "Iteration")
