"""App logic through Streamlit's AppTest: what a user sees after each action."""

from __future__ import annotations

import html
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from backprop.figures import network_summary, training_summary
from backprop.numbers import teaching_number
from backprop.table import PRESETS
from backprop.trainer import TrainConfig, train
from tests.app.pagetest import button, edit_table, errors, fresh, metric, rows_table


@pytest.fixture(scope="module")
def default_app() -> AppTest:
    return fresh()


def test_default_page_shows_the_notebook_prediction(default_app: AppTest) -> None:
    at = default_app
    assert metric(at, "Prediction for [1, 0, 0]") == "0.99993703"
    assert metric(at, "Iteration") == "10,000"
    assert not errors(at)
    assert at.title[0].value.endswith("Backprop Simulator")


def test_default_chart_is_animated(default_app: AppTest) -> None:
    charts = default_app.get("plotly_chart")
    assert charts, "no plotly chart on the page"
    spec = json.loads(charts[0].proto.spec)
    assert 2 <= len(spec["frames"]) <= 60
    assert spec["layout"]["sliders"][0]["steps"][-1]["label"].replace(",", "") == "10000"


def test_charts_have_a_summary_for_screen_readers(default_app: AppTest) -> None:
    """Each chart drawn is preceded by one visually hidden sentence with its current values."""
    run = train(PRESETS["notebook"].table, TrainConfig())
    shown = [m.value for m in default_app.markdown]
    for summary in (training_summary(run), network_summary(run, row=0)):
        assert f'<p class="sr-only">{html.escape(summary)}</p>' in shown
    assert "loss E = 1.293e-04" in training_summary(run)
    at = fresh()
    at.slider(key="at").set_value(0).run()
    start = html.escape(training_summary(run, selected_iteration=0))
    assert f'<p class="sr-only">{start}</p>' in [m.value for m in at.markdown]


def test_row_table_shows_outputs_at_the_inspected_iteration(default_app: AppTest) -> None:
    frame = rows_table(default_app)
    assert list(frame["target"]) == [0.0, 1.0, 1.0, 0.0]
    assert frame["output"].iloc[1] > 0.99 and frame["output"].iloc[0] < 0.01


def test_row_table_shows_the_sigmoids_slope_and_teaching_numbers(default_app: AppTest) -> None:
    frame = rows_table(default_app)
    out = frame["output"]
    assert list(frame["σ′(z)"]) == list(out * (1 - out))  # the factor that vanishes
    np.testing.assert_allclose(frame["delta δ"], (frame["target"] - out) * out * (1 - out), rtol=1e-12)
    (shown,) = [d for d in default_app.dataframe if "σ′(z)" in d.value.columns]
    cells = shown.proto.arrow_data.styler.display_values  # what the cells say (Arrow bytes)
    for value in frame["delta δ"]:
        assert teaching_number(value).encode() in cells  # e.g. "−9.255e-05", not a float cut by its cell


def test_the_page_has_its_own_train_step_reset_bar() -> None:
    """A phone user never needs the sidebar: the same four buttons sit beside the numbers."""
    at = fresh()
    keys = [b.key for b in at.button if b.key and b.key.endswith("_page")]
    assert keys == ["train_page", "step_page", "reset_page", "new_seed_page"]
    at.button(key="reset_page").click().run()
    at.button(key="step_page").click().run()
    assert metric(at, "Iteration") == "1"
    at.button(key="train_page").click().run()
    assert metric(at, "Iteration") == "10,000"


def test_the_explanation_follows_the_network() -> None:
    at = fresh()
    (box,) = [e for e in at.expander if e.label == "What am I looking at?"]
    assert "the notebook's four lines" in box.markdown[0].value
    at.radio(key="layers").set_value(1).run()
    (box,) = [e for e in at.expander if e.label == "What am I looking at?"]
    assert "through the 1 hidden layer" in box.markdown[0].value and "chain rule" in box.markdown[0].value


def test_step_reset_and_train() -> None:
    at = fresh()
    button(at, "Step").click().run()
    assert metric(at, "Iteration") == "10,001"
    button(at, "Reset").click().run()
    assert metric(at, "Iteration") == "0"
    initial = metric(at, "Prediction")
    button(at, "Step").click().run()
    assert metric(at, "Iteration") == "1"
    assert metric(at, "Prediction") != initial
    button(at, "Train").click().run()
    assert metric(at, "Iteration") == "10,000"
    assert metric(at, "Prediction") == "0.99993703"
    button(at, "Reset").click().run()
    button(at, "Train").click().run()  # straight from iteration 0, where no slider is shown
    assert metric(at, "Iteration") == "10,000"
    assert not at.exception


def test_learning_rate_changes_the_result() -> None:
    at = fresh()
    at.text_input(key="lr").set_value(str(0.1)).run()
    assert not at.exception
    assert metric(at, "Prediction") != "0.99993703"
    assert float(metric(at, "Prediction")) > 0.5


def test_new_seed_changes_initial_weights() -> None:
    at = fresh()
    button(at, "Reset").click().run()
    before = metric(at, "Prediction")
    button(at, "New seed").click().run()
    assert at.session_state["seed"] != 0 or metric(at, "Prediction") != before


def test_editing_the_table_retrains() -> None:
    at = fresh()
    # make the output follow x2 instead of x1: rows 2 and 4 (0-based 1 and 3) swap targets
    edit_table(at, edited_rows={1: {"y": 1.0}, 2: {"y": 0.0}, 3: {"y": 1.0}})
    assert not errors(at)
    assert metric(at, "Prediction for [1, 0, 0]") != "0.99993703"
    frame = rows_table(at)
    assert list(frame["target"]) == [0.0, 1.0, 0.0, 1.0]
    assert (abs(frame["output"] - frame["target"]) < 0.05).all()


def test_bad_target_shows_error_and_keeps_last_valid_table() -> None:
    at = fresh()
    edit_table(at, edited_rows={0: {"y": 2.0}})
    messages = errors(at)
    assert any("Row 1" in m and "column y" in m for m in messages), messages
    assert metric(at, "Prediction for [1, 0, 0]") == "0.99993703"


def test_empty_new_row_is_reported() -> None:
    at = fresh()
    edit_table(at, added_rows=[{"x1": 1.0}])
    messages = errors(at)
    assert any("Row 5" in m and "empty" in m for m in messages), messages
    assert metric(at, "Prediction for [1, 0, 0]") == "0.99993703"


def test_deleting_every_row_is_reported() -> None:
    at = fresh()
    edit_table(at, deleted_rows=[0, 1, 2, 3])
    assert any("no rows" in m for m in errors(at)), errors(at)
    assert metric(at, "Prediction for [1, 0, 0]") == "0.99993703"


def test_bad_test_input_keeps_the_last_one() -> None:
    at = fresh()
    at.text_input(key="input").set_value("1, zero, 0").run()
    assert any("number" in m for m in errors(at)), errors(at)
    assert metric(at, "Prediction for [1, 0, 0]") == "0.99993703"
    at.text_input(key="input").set_value("0, 0, 1").run()
    assert not errors(at)
    assert float(metric(at, "Prediction for [0, 0, 1]")) < 0.01


def test_preset_loads_its_table() -> None:
    at = fresh()
    at.selectbox(key="preset").set_value("or").run()
    assert not at.exception
    frame = rows_table(at)
    assert list(frame["target"]) == [0.0, 1.0, 1.0, 1.0]
    assert float(metric(at, "Prediction for [1, 1, 1]")) > 0.9


def test_target_loss_stops_early() -> None:
    at = fresh()
    at.checkbox(key="early_stop").check().run()
    at.text_input(key="target").set_value(str(0.01)).run()
    assert not at.exception
    assert any("target loss" in s.value for s in at.success)
    assert int(metric(at, "Iteration").replace(",", "")) < 10_000


def test_changing_input_columns_keeps_the_page_working() -> None:
    at = fresh()
    at.number_input(key="n_inputs").set_value(2).run()
    assert not at.exception
    assert list(rows_table(at).columns[:2]) == ["x1", "x2"]
    assert metric(at, "Prediction for [1, 0]")  # the test input keeps its remaining values


def test_inspect_slider_moves_the_shown_iteration() -> None:
    at = fresh()
    at.slider(key="at").set_value(0).run()
    assert metric(at, "Iteration") == "0"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["sliders"][0]["active"] == 0


def share_section(at: AppTest):
    (part,) = [e for e in at.expander if e.label == "Share & export"]
    return part


def test_share_and_export_is_drawn_only_while_open() -> None:
    at = fresh()
    assert not share_section(at).code and not share_section(at).get("download_button")
    at.session_state["share"] = True
    at.run()
    assert not at.exception, at.exception
    part = share_section(at)
    shown = part.code[0].value
    assert "lr=1" in shown and "seed=0" in shown and "preset" not in shown  # the default preset is implied
    labels = [b.proto.label for b in part.get("download_button")]
    assert sorted(labels) == ["History (CSV)", "NumPy script", "Run (JSON)", "Table (CSV)"]
