"""The page's controls for the options beyond the notebook (#13), through AppTest: the generated 2-D
dataset, derived input features, the test set, batches, L1/L2 penalties and up to six hidden layers.

Each test acts as a visitor would and checks what the page shows against the library: the table it
trains on, the settings it uses, and the prediction it prints.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from backprop.activations import ACTIVATIONS
from backprop.datasets import DATASETS, DataSpec, generate, split_rows, with_features
from backprop.limits import MAX_HIDDEN_LAYERS
from backprop.trainer import TrainConfig, train
from tests.app.pagetest import APP, edit_table, error_under, fresh, link, metric, plain, prediction, rerun

KEEPING = "the last valid value."
START = {
    "bias": True,
    "layers": 2,
    "units1": 8,
    "units2": 8,
    "activation": "tanh",
    "lr": 0.01,
    "iterations": 3000,
}


def valid(at: AppTest, *keys: str) -> dict[str, object]:
    settings = at.session_state["valid_settings"]
    return {key: settings[key] for key in keys}


def editor(at: AppTest):
    return at.data_editor(key=f"table_editor_{at.session_state['table_version']}")


def dataset_page(**state: object) -> AppTest:
    """The page after choosing the dataset preset in the Preset box, then setting ``state`` (widget
    values, as the browser sends them)."""
    at = fresh()
    at.selectbox(key="preset").set_value("dataset")
    rerun(at)
    for key, value in state.items():
        at.session_state[key] = value
    return rerun(at)


def opened_with(**state: object) -> AppTest:
    """A new session with ``state`` in session state before its first run, as a link or an old session
    puts it there: the page checks it with its own rules. (After the first run Streamlit itself resets a
    value out of a widget's bounds to the widget's default: a browser cannot send one.)"""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    return rerun(at)


def expected_prediction(at: AppTest, config: TrainConfig) -> str:
    """The prediction the library makes for the page's table and test input under ``config``."""
    run = train(at.session_state["valid_table"], config)
    return f"{run.predict(np.array([at.session_state['valid_test_input']]))[0, 0]:.8f}"


def dataset_config(**changes: object) -> TrainConfig:
    """The starting network of the dataset preset, with ``changes``."""
    start = TrainConfig(
        learning_rate=0.01, n_iterations=3000, hidden=(8, 8), activation="tanh", use_bias=True
    )
    return TrainConfig(**{**start.__dict__, **changes})


# --- the dataset preset -------------------------------------------------------------------------------


def test_the_default_page_is_still_the_notebook() -> None:
    at = fresh()
    assert prediction(at) == ("Prediction for [1, 0, 0]", "0.99993703")
    assert not [w for w in at.slider if w.key in ("points", "noise")]  # no dataset controls


def test_choosing_the_dataset_preset_draws_the_dataset_and_starts_a_network_that_learns_it() -> None:
    at = dataset_page()
    assert at.session_state["valid_table"] == generate(DataSpec())
    assert valid(at, *START) == START
    assert any("set a network that learns it" in i.value for i in at.sidebar.info)
    assert list(editor(at).value.columns) == ["x1", "x2", "y"] and len(editor(at).value) == 200
    assert metric(at, "Iteration") == "3,000"
    assert prediction(at)[1] == expected_prediction(at, dataset_config())
    assert "Choose it, its size and noise below" in at.sidebar.caption[0].value or any(
        "generated 2-D dataset" in c.value for c in at.sidebar.caption
    )


@pytest.mark.parametrize("name", list(DATASETS))
def test_the_starting_network_learns_every_dataset(name: str) -> None:
    """What the caption promises: the network the dataset preset starts from classifies at least 95% of
    each dataset's points (noise 0) after its 3,000 iterations."""
    table = generate(DataSpec(name))
    run = train(table, dataset_config())
    assert ((run.final.output[:, 0] > 0.5) == (table.y[:, 0] > 0.5)).mean() >= 0.95


@pytest.mark.parametrize(
    ("key", "value", "spec"),
    [
        ("dataset", "spiral", DataSpec("spiral")),
        ("points", 40, DataSpec(points=40)),
        ("noise", 0.25, DataSpec(noise=0.25)),
        ("data_seed", "7", DataSpec(seed=7)),
    ],
)
def test_each_dataset_control_draws_the_table_again(key: str, value: object, spec: DataSpec) -> None:
    at = dataset_page()
    version = at.session_state["table_version"]
    at.session_state[key] = value
    rerun(at)
    assert at.session_state["valid_table"] == generate(spec)
    assert at.session_state["table_version"] > version  # a new editor shows it
    assert at.session_state["preset"] == "dataset"
    assert prediction(at)[1] == expected_prediction(at, dataset_config())


def test_editing_a_generated_point_makes_the_table_custom_and_keeps_the_edit() -> None:
    at = dataset_page(points=20)
    edit_table(at, edited_rows={0: {"y": 0.5}})
    assert at.session_state["preset"] == "custom"
    assert at.session_state["valid_table"].y[0, 0] == 0.5
    assert not [w for w in at.slider if w.key == "points"]  # the dataset's controls are gone


def test_the_dataset_controls_refuse_what_they_cannot_use_and_keep_the_last_value() -> None:
    at = opened_with(preset="dataset", points=5, noise=0.75, dataset="moons", data_seed="-1")
    for key in ("points", "noise", "dataset", "data_seed"):
        error_under(at, key, KEEPING)
    assert valid(at, "points", "noise", "dataset", "data_seed") == {
        "points": 200,
        "noise": 0.0,
        "dataset": "circle",
        "data_seed": 0,
    }
    assert at.session_state["valid_table"] == generate(DataSpec())
    assert at.text_input(key="data_seed").value == "-1"  # what was typed stays in its box
    at.text_input(key="data_seed").set_value("x")  # a typed box is checked on every run
    at.slider(key="points").set_value(30)
    rerun(at)
    error_under(at, "data_seed", KEEPING)
    assert at.session_state["valid_table"] == generate(DataSpec(points=30))


# --- features -----------------------------------------------------------------------------------------


def test_features_are_offered_for_two_inputs_only() -> None:
    at = fresh()  # the notebook's table has three inputs
    assert not [p for p in at.sidebar.get("button_group")]
    assert any("need a table of exactly two inputs" in c.value for c in at.sidebar.caption)
    at = dataset_page()
    assert at.sidebar.get("button_group"), "no feature pills for a 2-input table"


def test_chosen_features_are_computed_columns_of_the_table_and_inputs_of_the_network() -> None:
    at = dataset_page(points=12, features=["x1sq", "sinx2"])
    frame = editor(at).value
    assert list(frame.columns) == ["x1", "x2", "x1²", "sin x2", "y"]
    table = at.session_state["valid_table"]
    assert np.allclose(frame[["x1²", "sin x2"]].to_numpy(), with_features(table.X, ("x1sq", "sinx2"))[:, 2:])
    assert any(
        "Computed, read-only columns (no ✎ in their header): x1², sin x2." in c.value for c in at.caption
    )
    assert prediction(at)[1] == expected_prediction(at, dataset_config(features=("x1sq", "sinx2")))


def test_features_of_a_two_input_table_are_not_used_on_a_three_input_one() -> None:
    at = dataset_page(features=["x1x2"])
    at.selectbox(key="preset").set_value("xor")
    rerun(at)
    assert "x1·x2" not in editor(at).value.columns
    assert prediction(at)[1] == expected_prediction(at, dataset_config())


def test_editing_an_input_updates_its_computed_column() -> None:
    at = dataset_page(points=10, features=["x1sq"])
    edit_table(at, edited_rows={0: {"x1": 3.0}})
    assert editor(at).value["x1²"].iloc[0] == 9.0


# --- the test set and batches -------------------------------------------------------------------------


def test_the_test_fraction_marks_the_held_out_rows_and_trains_without_them() -> None:
    at = dataset_page(points=20, test=0.25)
    frame = editor(at).value
    _, test_rows = split_rows(20, 0.25, 0)
    assert list(np.flatnonzero(frame["set"] == "test")) == list(test_rows)
    assert (frame["set"] == "train").sum() == 15
    assert any("held out as the test set" in c.value for c in at.caption)
    assert prediction(at)[1] == expected_prediction(at, dataset_config(test_fraction=0.25))


def test_a_batch_size_trains_with_mini_batches() -> None:
    at = dataset_page(points=40, batch=8)
    assert prediction(at)[1] == expected_prediction(at, dataset_config(batch_size=8))
    assert not at.sidebar.warning


def test_a_batch_above_the_training_rows_is_the_full_batch_and_says_so() -> None:
    at = dataset_page(points=40, batch=30)
    assert prediction(at)[1] == expected_prediction(at, dataset_config(batch_size=30))
    at.session_state["test"] = 0.5  # 20 training rows left: a batch of 30 is all of them
    rerun(at)
    (warning,) = [w.value for w in at.sidebar.warning]
    assert "Batch size 30 ≥ the 20 training rows: every update uses all 20 (the full batch)." in warning
    assert valid(at, "batch") == {"batch": 30}  # kept: lowering the test fraction brings it back
    assert prediction(at)[1] == expected_prediction(at, dataset_config(test_fraction=0.5))
    at.session_state["points"] = 10  # fewer points: still no crash
    rerun(at)
    assert "5 training rows" in at.sidebar.warning[0].value


def test_an_empty_batch_box_is_the_full_batch() -> None:
    at = dataset_page(points=40, batch=8)
    at.number_input(key="batch").set_value(None)
    rerun(at)
    assert valid(at, "batch") == {"batch": None}
    assert prediction(at)[1] == expected_prediction(at, dataset_config())


@pytest.mark.parametrize(
    ("key", "value"),
    [("batch", 0), ("batch", 999), ("batch", 2.5), ("batch", "8"), ("test", 0.95), ("test", "half")],
)
def test_a_refused_test_fraction_or_batch_shows_why_and_keeps_the_default(key: str, value: object) -> None:
    at = opened_with(preset="dataset", **{key: value})
    error_under(at, key, KEEPING)
    assert valid(at, "batch", "test") == {"batch": None, "test": 0.0}
    metric(at, "Iteration")


# --- regularization and the network -------------------------------------------------------------------


def test_a_penalty_shows_its_rate_which_starts_above_zero() -> None:
    at = dataset_page(points=30)
    assert not [t for t in at.text_input if t.key == "reg_rate"]
    at.selectbox(key="reg").set_value("l1")
    rerun(at)
    assert at.text_input(key="reg_rate").value == "0.01"
    assert prediction(at)[1] == expected_prediction(at, dataset_config(regularization="l1", reg_rate=0.01))
    at.text_input(key="reg_rate").set_value("0.5")
    at.selectbox(key="reg").set_value("l2")
    rerun(at)
    assert prediction(at)[1] == expected_prediction(at, dataset_config(regularization="l2", reg_rate=0.5))


def test_a_refused_rate_keeps_the_last_one() -> None:
    at = dataset_page(points=30, reg="l2", reg_rate="0.1")
    at.text_input(key="reg_rate").set_value("11")
    rerun(at)
    assert "at most 10" in plain(error_under(at, "reg_rate", KEEPING)) or "10" in error_under(
        at, "reg_rate", KEEPING
    )
    assert valid(at, "reg_rate") == {"reg_rate": 0.1}


def test_six_hidden_layers_each_with_its_units_and_the_linear_activation() -> None:
    at = dataset_page(points=20, iterations="50")
    assert "linear" in at.selectbox(key="activation").options and "linear" in ACTIVATIONS
    at.radio(key="layers").set_value(MAX_HIDDEN_LAYERS)
    at.selectbox(key="activation").set_value("linear")
    rerun(at)
    sliders = [s.key for s in at.slider if (s.key or "").startswith("units")]
    assert sliders == [f"units{i}" for i in range(1, MAX_HIDDEN_LAYERS + 1)]
    at.slider(key="units6").set_value(2)
    rerun(at)
    config = dataset_config(n_iterations=50, hidden=(8, 8, 4, 4, 4, 2), activation="linear")
    assert prediction(at)[1] == expected_prediction(at, config)


# --- links --------------------------------------------------------------------------------------------

LINK = {
    "preset": "dataset",
    "dataset": "xor",
    "points": "50",
    "noise": "0.1",
    "data_seed": "3",
    "test": "0.2",
    "batch": "8",
    "layers": "3",
    "units3": "6",
    "bias": "true",
    "activation": "tanh",
    "features": "x1sq,sinx1",
    "reg": "l2",
    "reg_rate": "0.01",
    "lr": "0.05",
    "iterations": "400",
}


def test_a_link_with_every_new_key_opens_that_experiment_and_the_page_links_back_to_it() -> None:
    at = fresh(**LINK)
    assert not at.warning, [w.value for w in at.warning]
    assert valid(at, "preset", "dataset", "points", "noise", "data_seed", "test", "batch") == {
        "preset": "dataset",
        "dataset": "xor",
        "points": 50,
        "noise": 0.1,
        "data_seed": 3,
        "test": 0.2,
        "batch": 8,
    }
    assert valid(at, "features", "reg", "reg_rate", "layers", "units3") == {
        "features": ("x1sq", "sinx1"),
        "reg": "l2",
        "reg_rate": 0.01,
        "layers": 3,
        "units3": 6,
    }
    assert at.session_state["valid_table"] == generate(DataSpec("xor", 50, 0.1, 3))
    config = TrainConfig(
        learning_rate=0.05,
        n_iterations=400,
        hidden=(4, 4, 6),
        activation="tanh",
        use_bias=True,
        features=("x1sq", "sinx1"),
        test_fraction=0.2,
        batch_size=8,
        regularization="l2",
        reg_rate=0.01,
    )
    shown = prediction(at)
    assert shown[1] == expected_prediction(at, config)
    shared = link(at)
    assert {k: shared[k] for k in LINK if k not in ("bias", "activation")} == {
        k: v for k, v in LINK.items() if k not in ("bias", "activation")
    }
    again = fresh(**shared)
    assert prediction(again) == shown and not again.warning


def test_a_link_from_the_page_after_choosing_options_reopens_them() -> None:
    at = dataset_page(points=24, test=0.25, batch=6, reg="l1", features=["x2sq"])
    shown = prediction(at)
    shared = link(at)
    assert shared["preset"] == "dataset" and shared["features"] == "x2sq" and "table" not in shared
    again = fresh(**shared)
    assert prediction(again) == shown
    assert valid(again, "points", "test", "batch", "reg", "features") == valid(
        at, "points", "test", "batch", "reg", "features"
    )


def test_a_link_with_unusable_values_keeps_the_defaults_and_says_which() -> None:
    at = fresh(preset="dataset", points="5", test="2", batch="abc", reg="l3", features="zz")
    (notice,) = [plain(w.value) for w in at.warning if "link" in w.value]
    for key in ("points='5'", "test='2'", "batch='abc'", "reg='l3'", "features='zz'"):
        assert key in notice
    assert valid(at, "points", "test", "batch", "reg", "features") == {
        "points": 200,
        "test": 0.0,
        "batch": None,
        "reg": "none",
        "features": (),
    }
    assert at.session_state["valid_table"] == generate(DataSpec())


def test_a_linked_batch_above_the_training_rows_falls_back_to_the_full_batch_with_a_notice() -> None:
    at = fresh(preset="dataset", points="20", test="0.5", batch="15")
    assert any("larger than the 10 training rows" in plain(w.value) for w in at.warning)
    assert valid(at, "batch") == {"batch": None}
    metric(at, "Iteration")
