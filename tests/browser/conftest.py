"""Fixtures for the real-browser tests: a `streamlit run` server on loopback and headless Chromium.

Chromium is Debian's (/usr/bin/chromium), driven by the Playwright Python package; no browser is
downloaded. When either is missing the tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    METRIC_SHOWN,
    REPO,
    ServerError,
    streamlit_server,
)

ARTIFACTS = REPO / "artifacts"
VIEWPORT = {"width": 1400, "height": 1000}
STARTUP_TIMEOUT_S = 60.0
EXCEPTION = '[data-testid="stException"]'
# The teaching tabs are the page's first tab list (the chain rule's tabs come later on the page).
TEACHING_TABS = '[data-testid="stTabs"] >> nth=0'
# True once the script is idle, the open teaching tab's panel has content, the training chart is on the page
# and every chart has its SVG (Plotly's code loads after the page's first render).
DRAWN = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    const tab = document.querySelector('[data-testid="stTabs"] [role="tab"][aria-selected="true"]');
    const panel = tab && document.getElementById(tab.getAttribute("aria-controls"));
    if (!panel || !panel.querySelector('[data-testid="stElementContainer"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return charts.length > 0 && charts.every(chart => chart.querySelector(".js-plotly-plot .main-svg"));
}"""


def _unavailable(reason: str) -> None:
    """Skip locally, but fail under CI: a CI run must never pass by skipping the browser."""
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"browser tests cannot run: {reason} (CI is set, so this is a failure)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """Headless Debian Chromium, launched once for the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install -r requirements-dev.txt)")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception as error:
        playwright.stop()
        _unavailable(f"Chromium did not start: {error}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def app_url(chromium_browser: Any) -> Iterator[str]:
    """Start `streamlit run streamlit_app.py` on a free loopback port; stop it (by its PID) at the end."""
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "streamlit-server.log"
    with log_path.open("w") as log:
        try:
            with streamlit_server(log, timeout_s=STARTUP_TIMEOUT_S) as (url, _server):
                yield url
        except ServerError as error:
            pytest.fail(f"{error}:\n{log_path.read_text()}")


@pytest.fixture
def js_errors() -> list[str]:
    """Uncaught JavaScript errors of the test's page."""
    return []


@pytest.fixture
def page(chromium_browser: Any, app_url: str, js_errors: list[str]) -> Iterator[Any]:
    """A fresh 1400x1000 page opened on the app (not yet waited for)."""
    context = chromium_browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)  # generous: a loaded 2-core machine is slow
    new_page = context.new_page()
    new_page.on("pageerror", lambda error: js_errors.append(str(error)))
    new_page.goto(app_url)
    yield new_page
    context.close()


def wait_idle(page: Any, text: str, timeout_ms: float = 60_000) -> None:
    """Wait until `text` is shown and the script has finished running; fail at once on an app error.

    The script-state attribute can lag a click by a few milliseconds, so wait for the expected
    text first (it proves the rerun happened), then for the idle state.
    """
    error = page.locator(EXCEPTION).first
    page.get_by_text(text, exact=False).first.or_(error).first.wait_for(state="visible", timeout=timeout_ms)
    if error.count():
        pytest.fail(
            f"the app shows an error instead of {text!r}: {error.inner_text()[:500]}\n"
            f"(the traceback is in {ARTIFACTS / 'streamlit-server.log'})",
            pytrace=False,
        )
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def wait_for_metric(page: Any, label: str, value: str, timeout_ms: float = 60_000) -> None:
    """Wait until the script is idle and exactly one metric `label` shows `value` (see METRIC_SHOWN)."""
    page.wait_for_function(METRIC_SHOWN, arg=[label, value], timeout=timeout_ms)
