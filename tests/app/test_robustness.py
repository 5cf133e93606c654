"""The page survives what people do, and uses exactly what it shows (AppTest).

Stale values a browser sends back, a view that fails, typed settings outside their limits, Step after
inspecting, an edited table, links: each checked through the page as a user meets it.
"""

from __future__ import annotations

import tomllib
from unittest import mock

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app.share import UPLOAD_LIMIT_MB
from app.widgets import VIEW_FAILED
from backprop.numbers import teaching_number
from backprop.table import MAX_CSV_BYTES, PRESETS, TruthTable
from backprop.trainer import TrainConfig, train
from tests.app.pagetest import ROOT, button, edit_table, errors, fresh, link, metric, open_tab, plain

# --- stale values from the browser -----------------------------------------------------------------------


def test_a_stale_row_label_from_the_browser_falls_back_to_a_valid_row() -> None:
    """The repro of the crash: the browser sends the old option's label after the options changed."""
    at = fresh()
    open_tab(at, "Network")
    at.selectbox(key="preset").set_value("majority").run()
    open_tab(at, "Per-row error")  # AppTest cannot hold a label its selectbox lacks: set it off the tab
    at.session_state["network_row"] = "row 4: [0, 1, 1]"  # what the browser sent: an old label
    button(at, "Step").click().run()
    open_tab(at, "Network")
    assert not at.exception
    assert at.session_state["network_row"] == 0
    assert metric(at, "Iteration") == "10,001"


def test_a_stale_label_that_still_names_an_option_selects_it() -> None:
    at = fresh()
    at.session_state["network_row"] = "row 3: [1, 0, 1]"
    open_tab(at, "Network")
    assert not at.exception and at.session_state["network_row"] == 2


@pytest.mark.parametrize("value", ["y9", 7, -1, None, 2.5])
def test_a_stale_surface_output_or_hidden_layer_choice_falls_back(value: object) -> None:
    at = fresh()
    at.selectbox(key="preset").set_value("half-adder").run()
    at.radio(key="layers").set_value(2).run()
    for tab, key in (("Decision surface", "surface_output"), ("Hidden layer", "hidden_view_layer")):
        at.session_state[key] = value
        open_tab(at, tab)
        assert at.session_state[key] == 0


def test_a_stale_inspect_iteration_is_clamped_to_the_run() -> None:
    at = fresh()
    at.session_state["at"] = 99_999
    at.run()
    assert not at.exception
    shown = at.session_state["at"]
    assert 0 <= shown <= 10_000 and metric(at, "Iteration") == f"{shown:,}"


# --- one failing view never takes the page down ----------------------------------------------------------


def test_a_failing_view_says_so_in_its_place_and_the_rest_of_the_page_draws() -> None:
    at = fresh()
    with mock.patch("app.teaching.network_figure", side_effect=RuntimeError("boom")):
        open_tab(at, "Network")
    assert not at.exception
    assert any(VIEW_FAILED in e.value and "Network" in e.value for e in at.error)
    assert metric(at, "Prediction for [1, 0, 0]") == "0.99993703"
    assert {e.label for e in at.expander} >= {"Chain rule, step by step", "Share & export"}
    open_tab(at, "Per-row error")  # the other tabs still draw
    assert not [e for e in at.error if VIEW_FAILED in e.value]


def test_a_failing_chain_rule_leaves_the_charts_and_metrics() -> None:
    at = fresh()
    at.session_state["chain"] = True
    with mock.patch("app.chain_rule.parameter_chain", side_effect=ValueError("boom")):
        at.run()
    assert not at.exception
    assert any(VIEW_FAILED in e.value and "chain rule" in e.value for e in at.error)
    assert at.get("plotly_chart") and metric(at, "Iteration") == "10,000"


# --- the number shown is the number used -----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1e5", "100000", "100,000", " 100,000 ", "1E5"])
def test_iterations_typed_any_usual_way_mean_the_same(typed: str) -> None:
    at = fresh()
    at.text_input(key="iterations").set_value(typed).run()
    assert not at.exception and not errors(at)
    assert at.session_state["valid_settings"]["iterations"] == 100_000
    assert metric(at, "Iteration") == "100,000"


@pytest.mark.parametrize(
    ("key", "typed", "says"),
    [
        ("lr", "0", "Learning rate must be a number from 0.001 to 100; '0' is too small."),
        ("lr", "1000", "Learning rate must be a number from 0.001 to 100; '1000' is too large."),
        ("lr", "", "Learning rate must be a number from 0.001 to 100; the box is empty."),
        (
            "lr",
            "fast",
            "Learning rate must be a number from 0.001 to 100; 'fast' is not a number.",
        ),
        ("iterations", "2.5", "Iterations must be a whole number from 1 to 100,000; '2.5' is not whole."),
        ("iterations", "1e6", "Iterations must be a whole number from 1 to 100,000; '1e6' is too large."),
        ("seed", "-3", "Seed must be a whole number from 0 to 4,294,967,295; '-3' is too small."),
    ],
)
def test_a_refused_entry_stays_in_its_box_with_the_limits_and_the_value_used(
    key: str, typed: str, says: str
) -> None:
    at = fresh()
    at.text_input(key=key).set_value(typed).run()
    assert not at.exception
    assert at.text_input(key=key).value == typed  # nothing typed is lost
    used = {"lr": "1", "iterations": "10,000", "seed": "0"}[key]
    assert [plain(e) for e in errors(at)] == [f"{says} Using {used}, the last valid value."]
    assert metric(at, "Prediction for [1, 0, 0]") == "0.99993703"  # the page trains the value it names
    at.text_input(key=key).set_value(used).run()
    assert not errors(at)


def test_the_learning_rate_used_is_the_one_in_the_box() -> None:
    at = fresh()
    at.text_input(key="lr").set_value("0.5").run()
    at.text_input(key="lr").set_value("500").run()  # refused: the page keeps 0.5
    expected = train(PRESETS["notebook"].table, TrainConfig(learning_rate=0.5))
    assert metric(at, "Prediction for [1, 0, 0]") == f"{expected.predict([[1, 0, 0]])[0, 0]:.8f}"
    assert link(at)["lr"] == "0.5"


# --- labels stay true ------------------------------------------------------------------------------------


def test_an_edited_table_is_custom_in_the_preset_box_and_the_link() -> None:
    at = fresh()
    edit_table(at, {0: {"y": 0.25}})
    assert at.selectbox(key="preset").value == "custom"
    shared = link(at)
    assert shared["preset"] == "custom" and "table" in shared and "table" in at.query_params
    reopened = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    reopened.query_params.update(shared)
    reopened.run()
    assert not reopened.exception and not [w for w in reopened.warning if "link" in w.value]
    assert reopened.selectbox(key="preset").value == "custom"
    assert reopened.session_state["valid_table"] == at.session_state["valid_table"]
    assert metric(reopened, "Prediction") == metric(at, "Prediction")


def test_choosing_a_preset_after_custom_loads_it() -> None:
    at = fresh()
    edit_table(at, {0: {"x1": 1.0}})
    at.selectbox(key="preset").set_value("xor").run()
    assert at.session_state["valid_table"] == PRESETS["xor"].table
    assert link(at)["preset"] == "xor" and "table" not in link(at) and "table" not in at.query_params


def test_added_rows_show_their_row_number() -> None:
    at = fresh()
    edit_table(at, added_rows=[{"x1": 1.0, "x2": 1.0, "x3": 1.0, "y": 1.0}])
    (editor,) = [d for d in at.dataframe if d.key and d.key.startswith("table_editor_")]
    assert list(editor.value.index) == [1, 2, 3, 4, 5]
    assert at.session_state["valid_table"].n_rows == 5
    edit_table(at, deleted_rows=[0])
    (editor,) = [d for d in at.dataframe if d.key and d.key.startswith("table_editor_")]
    assert list(editor.value.index) == [1, 2, 3, 4]


def test_an_empty_new_row_is_named_by_its_number() -> None:
    at = fresh()
    edit_table(at, added_rows=[{}])
    assert any("Row 5" in plain(e) and "last valid table" in plain(e) for e in errors(at)), errors(at)


def test_step_after_inspecting_continues_from_the_inspected_iteration() -> None:
    at = fresh()
    at.slider(key="at").set_value(40).run()
    button(at, "Step").click().run()
    assert metric(at, "Iteration") == "41"
    assert "Step applied update 41: iteration 40 → 41." in [c.value for c in at.caption]
    expected = train(PRESETS["notebook"].table, TrainConfig(n_iterations=41))
    assert metric(at, "Loss") == teaching_number(expected.final.loss)
    assert link(at)["iterations"] == "10000" and link(at)["at"] == at.query_params["at"] == "41"


def test_step_from_the_iteration_before_the_last_shows_the_last() -> None:
    """The run is the same (10,000 updates), but the page must move on to the stepped iteration."""
    at = fresh()
    at.slider(key="at").set_value(9_999).run()
    button(at, "Step").click().run()
    assert metric(at, "Iteration") == "10,000"
    assert metric(at, "Prediction for [1, 0, 0]") == "0.99993703"


def test_after_step_the_chain_rule_shows_the_update_just_applied() -> None:
    at = fresh()
    at.session_state["chain"] = True
    button(at, "Reset").click().run()
    button(at, "Step").click().run()
    button(at, "Step").click().run()
    captions = [c.value for c in at.caption]
    assert any(c.startswith("The update Step just applied: iteration 1 → 2.") for c in captions), captions
    at.slider(key="at").set_value(1).run()  # inspecting: the next update again
    captions = [c.value for c in at.caption]
    assert any("update 2 it causes (iteration 1 → 2)" in c for c in captions), captions


def test_train_after_inspecting_shows_the_last_iteration() -> None:
    at = fresh()
    at.slider(key="at").set_value(5).run()
    button(at, "Train").click().run()
    assert metric(at, "Iteration") == "10,000"


# --- links and limits ------------------------------------------------------------------------------------


def test_a_link_that_leaves_keys_out_opens_without_a_notice() -> None:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params.update({"preset": "xor", "hidden": "4"})
    at.run()
    assert not at.exception and not at.warning
    assert at.session_state["valid_settings"]["layers"] == 1


def test_a_link_with_an_unusable_value_names_only_that_value() -> None:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params.update({"preset": "xor", "lr": "abc"})
    at.run()
    (warning,) = [w for w in at.warning if "link" in w.value]
    assert "lr='abc'" in plain(warning.value) and "iterations" not in warning.value


def test_one_upload_limit_in_the_text_the_widget_and_the_server_config() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == UPLOAD_LIMIT_MB
    assert MAX_CSV_BYTES == UPLOAD_LIMIT_MB * 2**20
    at = fresh()
    at.session_state["share"] = True
    at.run()
    assert any(f"at most {UPLOAD_LIMIT_MB} MB" in c.value for c in at.caption)


# --- diagnostics that never mislead ----------------------------------------------------------------------


def test_a_row_of_zeros_without_a_bias_is_explained_with_the_fix() -> None:
    at = fresh()
    table = TruthTable([[0, 0], [1, 1], [1, 0], [0, 1]], [[1], [1], [1], [0]])
    edit_table(at, {r: {"x1": table.X[r, 0], "x2": table.X[r, 1], "x3": 0.0} for r in range(4)})
    at.number_input(key="n_inputs").set_value(2).run()
    shown = at.session_state["valid_table"]
    assert np.all(shown.X[0] == 0)
    notices = [plain(w.value) for w in at.warning]
    assert any("all inputs 0 and no bias, so the output is σ(0) = 0.5 forever" in n for n in notices)
    assert any("constant 1s" in n and "Learned biases" in n for n in notices)
    assert not any("more iterations" in n for n in notices)
    at.checkbox(key="bias").check().run()
    assert not any("σ(0) = 0.5 forever" in plain(w.value) for w in at.warning)
