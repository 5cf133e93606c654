"""The page: JSON sent for the charts (AppTest), and load / Train timings in headless Chromium.

The browser part starts ``streamlit run streamlit_app.py`` on a free port of 127.0.0.1 (and stops that
process, by its id, at the end) and drives Debian's Chromium through the Playwright package. Each part
returns a reason string instead of figures when it cannot run (no app yet, no Playwright, no Chromium).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks.harness import APP, CHROMIUM, CHROMIUM_ARGS, ServerError, streamlit_server

CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'
NOTEBOOK_PREDICTION = "0.99993703"
TIMEOUT_MS = 120_000

# (label, widget changes) for the chart-size measurement: the default page and the heaviest settings.
CHART_CASES: list[tuple[str, list[tuple[str, str, object]]]] = [
    ("notebook (default page)", []),
    (
        "half-adder, 2 hidden layers of 8, biases",
        [
            ("selectbox", "preset", "half-adder"),
            ("radio", "layers", 2),
            ("slider", "units1", 8),
            ("slider", "units2", 8),
            ("checkbox", "bias", True),
        ],
    ),
]


def chart_json(quick: bool) -> dict[str, Any] | str:
    """Bytes of plotly JSON the page sends, summed over its charts, per case (AppTest, in process)."""
    if not APP.exists():
        return "streamlit_app.py is missing"
    try:
        from streamlit.testing.v1 import AppTest
    except ImportError:
        return "streamlit is not installed"
    sizes: dict[str, int] = {}
    for label, changes in CHART_CASES[:1] if quick else CHART_CASES:
        at = AppTest.from_file(str(APP), default_timeout=120).run()
        for kind, key, value in changes:
            getattr(at, kind)(key=key).set_value(value)
            at.run()
        if at.exception:
            return f"the app raised an exception ({label}): {at.exception[0].message}"
        sizes[label] = sum(len(chart.proto.spec) for chart in at.get("plotly_chart"))
    return {"bytes": sizes, "max_bytes": max(sizes.values())}


# The first full render, checked in one predicate on every animation frame (a frame runs only once the
# page's JavaScript is free): the script idle, the notebook's prediction shown, and every chart on the
# page drawn to the end (plotly draws an animated chart's slider last).
_LOADED = """prediction => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    const values = [...document.querySelectorAll('[data-testid="stMetricValue"]')];
    if (!values.some(v => v.textContent.trim() === prediction)) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')];
    return charts.length > 0 && charts.every(gd => gd._fullLayout && gd.querySelector('.main-svg') &&
        (!(gd.layout.sliders || []).length || gd.querySelector('.slider-container')));
}"""


def _wait_loaded(page: Any) -> None:
    page.wait_for_function(_LOADED, arg=NOTEBOOK_PREDICTION, polling="raf", timeout=TIMEOUT_MS)


# What a chart shows: its traces, its animation frames and slider (the training figure animates a run).
_FINGERPRINT = """gd => JSON.stringify([
    gd.data.map(t => [t.x, t.y]),
    ((gd._transitionData || {})._frames || []).length,
    (gd.layout.sliders || []).map(s => [s.active, (s.steps || []).length]),
])"""
_SHOWN = (
    """([label, value, before]) => {
    const fingerprint = """
    + _FINGERPRINT
    + """;
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    const metrics = [...document.querySelectorAll('[data-testid="stMetric"]')].filter(m => {
        const name = m.querySelector('[data-testid="stMetricLabel"]');
        return name && name.textContent.trim() === label;
    });
    if (label !== null) {
        if (metrics.length !== 1) return false;
        const shown = metrics[0].querySelector('[data-testid="stMetricValue"]').textContent.trim();
        if (shown !== value) return false;
    }
    const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    if (!gd || !gd.data || !gd.querySelector('.main-svg')) return false;
    return before === null || fingerprint(gd) !== before;
}"""
)


def _wait_shown(page: Any, label: str | None, value: str, before: str | None) -> None:
    """Idle, the metric ``label`` (unless None) showing ``value``, and the chart changed from ``before``."""
    page.wait_for_function(_SHOWN, arg=[label, value, before], timeout=TIMEOUT_MS)


def _sidebar_button(page: Any, name: str) -> Any:
    return page.locator('[data-testid="stSidebar"]').get_by_role("button", name=name, exact=True)


def browser(repeats: int) -> dict[str, Any] | str:
    """Page load (cold once, first visits, warm reloads) and Train -> charts updated, in seconds, ``repeats``
    each."""
    if not APP.exists():
        return "streamlit_app.py is missing"
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "the playwright package is not installed"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing"
    try:
        with streamlit_server() as (url, _server), sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                return _measure(chromium, url, repeats)
            except PlaywrightError as error:  # a timeout: the app did not show what was waited for
                return f"the page did not respond as expected: {str(error).splitlines()[0]}"
            finally:
                chromium.close()
    except ServerError as error:
        return str(error)


def _measure(chromium: Any, url: str, repeats: int) -> dict[str, Any]:
    """Cold: the fresh server's first page. First visit: the server warm, the browser's cache empty (a new
    context each time). Warm: the page reloaded in the same browser, server and browser caches warm, as a
    visitor coming back or pressing F5 sees it. Then Train and a new learning rate on that page."""

    def load(page: Any) -> float:
        start = time.perf_counter()
        page.goto(url)
        _wait_loaded(page)
        return time.perf_counter() - start

    def new_page() -> tuple[Any, Any]:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        return context, context.new_page()

    context, page = new_page()
    cold = load(page)  # the server's first session: imports, caches empty
    context.close()
    first_visit = []
    for _ in range(repeats):
        context, page = new_page()
        first_visit.append(load(page))
        context.close()
    context, page = new_page()
    load(page)  # fills this browser's cache
    warm = [load(page) for _ in range(repeats)]
    train, relearn = [], []
    for i in range(repeats):
        # Train after Reset: the page goes from the initial weights back to the trained run.
        _sidebar_button(page, "Reset").click()
        _wait_shown(page, "Iteration", "0", None)
        before = page.locator(CHART).first.evaluate(_FINGERPRINT)
        start = time.perf_counter()
        _sidebar_button(page, "Train").click()
        _wait_shown(page, None, "", before)
        train.append(time.perf_counter() - start)
        # A new learning rate: a run not in the cache, trained and drawn.
        before = page.locator(CHART).first.evaluate(_FINGERPRINT)
        field = page.locator('[data-testid="stSidebar"] [data-testid="stTextInput"]')
        field = field.filter(has_text="Learning rate").locator("input")
        field.fill(f"{1.5 + 0.25 * i:.3f}")
        start = time.perf_counter()
        field.press("Enter")
        _wait_shown(page, None, "", before)
        relearn.append(time.perf_counter() - start)
    errors = page.locator('[data-testid="stException"]').count()
    context.close()
    return {
        "cold_load_s": cold,
        "first_visit_load_s": statistics.median(first_visit),
        "warm_load_s": statistics.median(warm),
        "train_to_charts_s": statistics.median(train),
        "new_rate_to_charts_s": statistics.median(relearn),
        "samples": {
            "first_visit_load_s": first_visit,
            "warm_load_s": warm,
            "train_to_charts_s": train,
            "new_rate_to_charts_s": relearn,
        },
        "app_exceptions": errors,
    }
