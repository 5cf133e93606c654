"""The app in a real browser: what a student sees and clicks.

Run by `scripts/test.sh`; fixtures in conftest.py start `streamlit run` on 127.0.0.1 and Debian's
headless Chromium. Screenshots go to artifacts/ (git-ignored); look at them after a change to the page.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .conftest import ARTIFACTS, IDLE, REPO, VIEWPORT, wait_for_metric, wait_idle

pytestmark = pytest.mark.browser

NOTEBOOK_PREDICTION = "0.99993703"
CHART = '[data-testid="stPlotlyChart"]'


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def metric_value(page: Any, label: str) -> Any:
    """The value element of the st.metric labelled exactly `label`."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return metric.locator('[data-testid="stMetricValue"]')


def sidebar_button(page: Any, name: str) -> Any:
    return page.locator('[data-testid="stSidebar"]').get_by_role("button", name=name, exact=True)


def sidebar_text_input(page: Any, label: str) -> Any:
    widget = page.locator('[data-testid="stSidebar"] [data-testid="stTextInput"]').filter(has_text=label)
    return widget.locator("input")


def load(page: Any) -> None:
    """Wait for the first full render: the notebook's prediction and every chart drawn."""
    wait_idle(page, NOTEBOOK_PREDICTION)
    page.locator(f"{CHART} .js-plotly-plot .main-svg").first.wait_for()


def test_first_load_shows_notebook_prediction_and_charts(page: Any, js_errors: list[str]) -> None:
    load(page)
    expect(page).to_have_title("Backprop Simulator")
    expect(metric_value(page, "Prediction for [1, 0, 0]")).to_have_text(NOTEBOOK_PREDICTION)
    expect(metric_value(page, "Iteration")).to_have_text("10,000")
    assert page.locator('[data-testid="stException"]').count() == 0
    charts = page.locator(CHART)
    assert charts.count() >= 1
    for i in range(charts.count()):
        expect(charts.nth(i).locator(".js-plotly-plot .main-svg").first).to_be_attached()
    assert js_errors == []


def _figure_state(page: Any) -> dict[str, Any]:
    """The training figure's slider position and a fingerprint of its current trace data."""
    return page.locator(f"{CHART} .js-plotly-plot").first.evaluate(
        """gd => ({
            active: gd.layout.sliders && gd.layout.sliders.length ? gd.layout.sliders[0].active : null,
            data: JSON.stringify(gd.data.map(t => [t.x, t.y])),
        })"""
    )


def test_play_animates_the_training_figure(page: Any) -> None:
    load(page)
    figure = page.locator(CHART).first
    play = figure.locator(".updatemenu-button").filter(has_text="Play")
    pause = figure.locator(".updatemenu-button").filter(has_text="Pause")
    expect(play).to_have_count(1)
    expect(pause).to_have_count(1)
    before = _figure_state(page)
    figure.scroll_into_view_if_needed()
    play.click()
    page.wait_for_timeout(1500)
    after = _figure_state(page)
    pause.click()
    assert after["active"] != before["active"], "pressing Play did not move the figure's slider"
    assert after["data"] != before["data"], "pressing Play did not change the plotted data"


def test_step_and_reset_move_the_iteration(page: Any) -> None:
    load(page)
    sidebar_button(page, "Step").click()
    wait_for_metric(page, "Iteration", "10,001")
    sidebar_button(page, "Reset").click()
    wait_for_metric(page, "Iteration", "0")
    sidebar_button(page, "Step").click()
    wait_for_metric(page, "Iteration", "1")
    expect(metric_value(page, "Iteration")).to_have_text("1")
    assert page.locator('[data-testid="stException"]').count() == 0


def test_learning_rate_input_changes_the_prediction(page: Any) -> None:
    load(page)
    prediction = metric_value(page, "Prediction for [1, 0, 0]")
    field = sidebar_text_input(page, "Learning rate")
    field.fill("0.5")
    field.press("Enter")
    expect(prediction).not_to_have_text(NOTEBOOK_PREDICTION)
    page.wait_for_selector(IDLE)
    assert float(prediction.inner_text()) < float(NOTEBOOK_PREDICTION)  # smaller steps: less trained
    assert page.locator('[data-testid="stException"]').count() == 0


# A chart whose legend, colour bar or controls overflow its margins is drawn twice by plotly (once more
# with the margins widened): the figures reserve room for them, so every chart here is drawn once.
_SHOWN_MARGINS = """previous => {
    const app = document.querySelector('[data-testid="stApp"]');
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')];
    if (app.getAttribute("data-test-script-state") !== "notRunning" || charts.length !== 2) return false;
    if (!charts.every(gd => gd._fullLayout) || charts[1].layout.title.text === previous) return false;
    return charts.map(gd => [
        gd.layout.title ? gd.layout.title.text : "training",
        gd.layout.margin,
        Object.fromEntries(["l", "r", "t", "b"].map(side => [side, Math.round(gd._fullLayout._size[side])])),
    ]);
}"""
TEACHING_TABS = ["Network", "Decision surface", "Per-row error", "Hidden layer", "Activations"]
XOR_HIDDEN = "?preset=xor&hidden=4&bias=1&activation=tanh&lr=0.5&iterations=3000&seed=3"


def test_every_chart_fits_its_margins_so_plotly_draws_it_once(page: Any, app_url: str) -> None:
    page.goto(f"{app_url}/{XOR_HIDDEN}")
    page.wait_for_selector(IDLE)
    titles, previous = set(), None
    for tab in TEACHING_TABS:
        page.get_by_role("tab", name=tab, exact=True).click()
        # read in one go once idle with the tab's own chart drawn in place of the last tab's
        charts = page.wait_for_function(_SHOWN_MARGINS, arg=previous).json_value()
        for title, asked, drawn in charts:
            assert drawn == {side: asked[side] for side in "lrtb"}, (tab, title)
            titles.add(title)
        previous = charts[1][0]
    assert len(titles) == 1 + len(TEACHING_TABS), titles


def test_screenshot(page: Any) -> None:
    """Screenshots for a person to look at; BACKPROP_UPDATE_SCREENSHOT=1 refreshes the README's.

    Streamlit scrolls inside its main container, not the document, so `full_page` alone would stop at
    the viewport: the whole page is captured by growing the viewport to the content's height.
    """
    load(page)
    page.wait_for_timeout(500)  # let Plotly finish its first transition
    ARTIFACTS.mkdir(exist_ok=True)
    top = ARTIFACTS / "app-viewport.png"
    page.screenshot(path=str(top))
    height = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('[data-testid="stMain"], section.main, body')]
            .map(e => e.scrollHeight))"""
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height) + 40, 6000)})
    page.wait_for_timeout(500)  # charts resize to the new viewport
    full = ARTIFACTS / "app-full-page.png"
    page.screenshot(path=str(full), full_page=True)
    assert top.stat().st_size > 10_000 and full.stat().st_size > 10_000
    assert page.locator('[data-testid="stException"]').count() == 0
    if os.environ.get("BACKPROP_UPDATE_SCREENSHOT") == "1":
        # The README's picture: the page from the top down to the end of the training figure.
        box = page.locator(CHART).first.bounding_box()
        assert box is not None
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": box["y"] + box["height"] + 24}
        page.screenshot(path=str(REPO / "docs" / "screenshot.png"), clip=clip)
