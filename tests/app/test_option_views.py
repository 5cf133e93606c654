"""The page's results, teaching tabs and chain rule with #13's options on (AppTest).

The sidebar's controls for the options are the page's; these tests draw the sections themselves for a
run trained with the options (a generated dataset, a test set, mini-batches, a penalty, derived features,
linear units, six hidden layers), as the page does once its settings flow into TrainConfig.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app.teaching import TEACHING_TABS

OPTIONS: dict[str, dict[str, Any]] = {
    "every option": {
        "learning_rate": 0.03,
        "n_iterations": 30,
        "hidden": (8,) * 6,
        "activation": "tanh",
        "use_bias": True,
        "features": ("x1sq", "x2sq", "x1x2", "sinx1", "sinx2"),
        "test_fraction": 0.3,
        "batch_size": 10,
        "regularization": "l2",
        "reg_rate": 0.01,
    },
    "l1, linear units": {
        "learning_rate": 0.02,
        "n_iterations": 25,
        "hidden": (3, 2),
        "activation": "linear",
        "use_bias": True,
        "regularization": "l1",
        "reg_rate": 0.05,
        "batch_size": 20,
    },
    "no hidden layer, features": {
        "learning_rate": 0.05,
        "n_iterations": 25,
        "use_bias": True,
        "features": ("x1sq", "x2sq"),
        "test_fraction": 0.2,
    },
}


def _page(settings: dict, dataset: str, sweep_refuses: bool) -> None:
    """The sections the page draws for one run, as streamlit_app.py composes them."""
    import streamlit as st

    from app.chain_rule import chain_rule_section
    from app.results import diagnostics_notices, explanation, results, training_chart
    from app.teaching import teaching_tabs
    from app.widgets import guarded
    from backprop.datasets import DataSpec, generate
    from backprop.trainer import TrainConfig, train

    st.session_state.setdefault("preset", "dataset")
    table = generate(DataSpec(dataset, 60, 0.1, 1))
    config = TrainConfig(**settings)
    run = train(table, config)
    with guarded("notices"):
        diagnostics_notices(run)
    with guarded("results"):
        results(run, run.final.iteration, (1.0, -1.0), False)
    with guarded("training chart"):
        training_chart(run, run.final.iteration)
    with guarded("explanation"):
        explanation(run)
    import app.teaching
    from backprop.errors import ConfigError

    def refuse(*_: object) -> None:
        raise ConfigError("Batch size must be at most the 48 training rows, got 60.", "batch_size")

    sweep = app.teaching.cached_sweep
    if sweep_refuses:  # as the sweep refuses an experiment it cannot train; the module is the process's
        app.teaching.cached_sweep = refuse
    try:
        teaching_tabs(run, run.final.iteration, table, config)
    finally:
        app.teaching.cached_sweep = sweep
    with guarded("chain rule"):
        chain_rule_section(run, run.final.iteration - 1, (1.0, -1.0), False)


def page(case: str, dataset: str = "circle", sweep_refuses: bool = False) -> AppTest:
    kwargs = {"settings": OPTIONS[case], "dataset": dataset, "sweep_refuses": sweep_refuses}
    at = AppTest.from_function(_page, default_timeout=90, kwargs=kwargs)
    return run(at)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not [e for e in at.error if "could not be drawn" in e.value], [e.value for e in at.error]
    return at


def charts(at: AppTest) -> dict[str, dict]:
    return {c.key: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("case", OPTIONS)
def test_every_tab_renders_with_the_options_on(case: str) -> None:
    at = page(case)
    # the learning-rate sweep trains with backprop/sweep.py, which learns the options separately; here
    # its tab is checked for what it does with an experiment the sweep refuses (below)
    for label in TEACHING_TABS[:-1]:
        at.session_state["tab"] = label
        run(at)
    assert "training_chart" in charts(at)


def test_results_show_epochs_test_error_and_penalty() -> None:
    at = page("every option")
    shown = metrics(at)
    assert "Epoch" in shown and float(shown["Epoch"]) == pytest.approx(
        30 / 5
    )  # 42 training rows, batches of 10
    assert {"Training error E/n", "Test error E/n", "L2 penalty", "Objective E + penalty"} <= set(shown)
    assert any(
        "Training rows at iteration" in c.value and "test rows are not listed" in c.value for c in at.caption
    )
    frame = at.dataframe[0].value
    assert list(frame.columns[:7]) == ["x1", "x2", "x1²", "x2²", "x1·x2", "sin x1", "sin x2"]
    assert len(frame) == 42
    text = " ".join(m.value for m in at.markdown)
    assert "Mini-batches" in text and "L2 penalty" in text and "Test set" in text
    notices = " ".join(w.value for w in [*at.warning, *at.info])
    assert "constant 1s" not in notices
    loss = charts(at)["training_chart"]
    assert {t.get("meta") for t in loss["data"]} >= {"test-loss", "penalty", "objective"}


def test_the_surface_tab_discretizes_and_draws_test_points() -> None:
    at = page("every option", dataset="xor")
    at.session_state["tab"] = "Decision surface"
    run(at)
    surface = charts(at)["surface_chart"]
    assert len({c for _, c in surface["data"][0]["colorscale"]}) == 3
    assert any(t.get("name", "").startswith("test rows") for t in surface["data"])
    assert surface["layout"]["xaxis"]["range"][0] < -5  # the data's ±5 extent, padded
    at.toggle(key="discretize").set_value(True)
    run(at)
    assert len({c for _, c in charts(at)["surface_chart"]["data"][0]["colorscale"]}) == 2
    assert any("dark rim" in c.value for c in at.caption)


def test_the_chain_rule_names_the_batch_and_the_penalty_term() -> None:
    at = page("every option")
    at.session_state["chain"] = True
    run(at)
    captions = " ".join(c.value for c in at.caption)
    # update 30 of 42 training rows in batches of 10: the last, smaller batch of epoch 6
    assert "the 2 rows of this update's mini-batch (batch 5 of 5 in epoch 6; training rows " in captions
    assert "L2 adds λ·w" in captions
    formulas = " ".join(m.value for m in at.markdown)
    assert "penalty's term" in formulas
    names = at.selectbox(key="weight").options
    assert any(name.startswith("w(sin x1→h1.") for name in names)
    at.selectbox(key="weight").set_value(next(n for n in names if n.startswith("w(x1²→h1.")))
    run(at)
    assert r"x_{1}^{2}" in " ".join(m.value for m in at.markdown)


def test_l1_says_it_stops_weights_at_zero() -> None:
    at = page("l1, linear units")
    at.session_state["chain"] = True
    run(at)
    captions = " ".join(c.value for c in at.caption)
    assert "stops it at 0" in captions
    assert "Epoch" in metrics(at) and "L1 penalty" in metrics(at)


def test_a_refused_sweep_says_why_next_to_the_chart() -> None:
    at = page("no hidden layer, features", sweep_refuses=True)
    at.session_state["tab"] = "Learning-rate sweep"
    run(at)
    assert any("sweep cannot run this experiment: Batch size must be at most" in w.value for w in at.warning)
    assert not [e for e in at.error if "could not be drawn" in e.value]
