"""TensorFlow Playground's options in a real browser: the 2-D dataset preset and its controls, derived
features, a test set, mini-batches, L1/L2 and six hidden layers, clicked as a newcomer would, and a link
that carries them all."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import ARTIFACTS, REPO, TEACHING_TABS, wait_for_metric
from .test_repros import (
    assert_page_complete,
    choose_option,
    metric_values,
    reruns,
    settle,
    sidebar_button,
    watch_reruns,
    widget,
)

pytestmark = pytest.mark.browser

DEEP_LINK = (
    "?dataset=spiral&points=120&noise=0.1&data_seed=4&test=0.25&batch=12&reg=l1&reg_rate=0.01"
    "&features=sinx1,sinx2&layers=6&units1=8&units2=8&units3=8&units4=8&units5=8&units6=8"
    "&activation=tanh&bias=true&lr=0.01&iterations=500"
)


def act(page: Any, js_errors: list[str], what: str, action: Any) -> None:
    """Do ``action``, wait for the rerun it causes to finish, and fail on any error the app shows."""
    before = reruns(page)
    action()
    settle(page, before, rerun=True)
    assert_page_complete(page, js_errors, what)


def query(page: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def open_every_tab(page: Any, js_errors: list[str], after: str) -> list[str]:
    tabs = page.locator(TEACHING_TABS).get_by_role("tab")
    names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]
    for name in names:
        act(page, js_errors, f"{after}, then the tab {name!r}", tabs.filter(has_text=name).first.click)
        panel = page.locator(TEACHING_TABS).get_by_role("tabpanel").filter(visible=True)
        assert panel.count() == 1, f"the tab {name!r} shows nothing"
    return names


def test_a_newcomer_builds_a_playground_experiment_from_the_sidebar(page: Any, js_errors: list[str]) -> None:
    wait_for_metric(page, "Iteration", "10,000")
    watch_reruns(page)
    act(
        page,
        js_errors,
        "choosing the dataset preset",
        lambda: choose_option(page, widget(page, "stSelectbox", "Preset"), "dataset"),
    )
    assert widget(page, "stSlider", "Points").count() == 1, "the dataset's controls did not appear"
    act(
        page,
        js_errors,
        "choosing the xor dataset",
        lambda: choose_option(page, widget(page, "stSelectbox", "Dataset"), "xor"),
    )

    def slide_test_fraction() -> None:
        field = widget(page, "stSlider", "Test fraction").locator('input[type="range"]')
        field.focus()
        for _ in range(6):  # 0.05 a press
            field.press("ArrowRight")

    act(page, js_errors, "a test fraction of 0.3", slide_test_fraction)

    def type_batch() -> None:
        entry = widget(page, "stNumberInput", "Batch size").locator("input")
        entry.fill("10")
        entry.press("Enter")

    act(page, js_errors, "a batch size of 10", type_batch)
    act(
        page,
        js_errors,
        "L2 regularization",
        lambda: choose_option(page, widget(page, "stSelectbox", "Regularization"), "l2"),
    )
    pills = widget(page, "stButtonGroup", "Input features")
    act(page, js_errors, "the x1·x2 feature", lambda: pills.get_by_role("button", name="x1·x2").click())
    act(page, js_errors, "Train", sidebar_button(page, "Train").click)

    params = query(page)
    assert params.get("dataset") == "xor" and params.get("batch") == "10", params
    assert params.get("test") == "0.3" and params.get("reg") == "l2", params
    assert "x1x2" in page.url or "x1%C2%B7x2" in page.url or "features" in params, page.url
    iterations = metric_values(page, "Iteration")
    act(page, js_errors, "Step", sidebar_button(page, "Step").click)
    stepped = metric_values(page, "Iteration")
    assert stepped and stepped != iterations, f"Step did not move the iteration: {iterations} -> {stepped}"
    open_every_tab(page, js_errors, "the xor experiment")


def test_a_link_with_every_option_opens_every_tab(page: Any, app_url: str, js_errors: list[str]) -> None:
    page.goto(app_url + DEEP_LINK)
    wait_for_metric(page, "Iteration", "500")
    watch_reruns(page)
    assert_page_complete(page, js_errors, "opening the link")
    notices = page.locator('[data-testid="stAlert"]').filter(has_text="could not be used")
    assert notices.count() == 0, notices.all_inner_texts()
    radio = widget(page, "stRadio", "Hidden layers")
    assert radio.locator('[data-selected="true"], input:checked').count() >= 1
    names = open_every_tab(page, js_errors, "the deep spiral link")
    assert len(names) >= 6, names
    act(page, js_errors, "Step", sidebar_button(page, "Step").click)
    assert metric_values(page, "Iteration") == ["501"]


SPIRAL_LINK = (
    "?dataset=spiral&noise=0.1&test=0.3&batch=10&reg=l2&reg_rate=0.001&features=sinx1,sinx2&layers=2"
    "&units1=8&units2=8&activation=tanh&bias=true&lr=0.01&iterations=3000&tab=surface"
)


def test_the_spiral_with_sin_features_is_learned_and_drawn(
    page: Any, app_url: str, js_errors: list[str]
) -> None:
    """The README's Playground picture: the spiral learned with sin features, test points apart;
    BACKPROP_UPDATE_SCREENSHOT=1 refreshes docs/screenshot-playground.png."""
    page.goto(app_url + SPIRAL_LINK)
    wait_for_metric(page, "Iteration", "3,000")
    assert_page_complete(page, js_errors, "opening the spiral link")
    (train_error,) = metric_values(page, "Training error E/n")
    (test_error,) = metric_values(page, "Test error E/n")
    assert float(train_error) < 0.02 and float(test_error) < 0.05, (train_error, test_error)
    tabs = page.locator(TEACHING_TABS)
    assert tabs.get_by_role("tab", name="Decision surface").get_attribute("aria-selected") == "true"
    surface = tabs.get_by_role("tabpanel").filter(visible=True).locator('[data-testid="stPlotlyChart"]')
    surface.first.wait_for()
    page.wait_for_timeout(800)  # Plotly's first transition
    ARTIFACTS.mkdir(exist_ok=True)
    tabs.screenshot(path=str(ARTIFACTS / "playground-surface.png"))
    if os.environ.get("BACKPROP_UPDATE_SCREENSHOT") == "1":
        tabs.screenshot(path=str(REPO / "docs" / "screenshot-playground.png"))
