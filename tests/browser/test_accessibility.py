"""Accessibility in a real browser: axe-core finds nothing on any teaching tab, light or dark, and the
page's main controls work from the keyboard alone.

axe-core (through axe-playwright-python's sync API) checks the rendered page: colour contrast, names and
labels, table headers, heading order, ARIA. Every violation fails the test, whatever its impact; none is
switched off. The app has no fixed base theme, so it follows the system: the dark case asks Chromium
for a dark colour scheme.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import VIEWPORT, wait_for_metric, wait_idle

pytestmark = pytest.mark.browser

NOTEBOOK_PREDICTION = "0.99993703"
# The teaching tabs are the page's first tab list (the chain rule's tabs sit in a closed expander).
TEACHING_TABS = '[data-testid="stTabs"] >> nth=0'
PAGES = {
    "default": "",  # the notebook's experiment: one sigmoid unit, no hidden layer
    "xor": "?preset=xor&layers=1",  # a hidden layer: every tab has a figure to draw
}
# True once the script is idle, the open tab's panel is drawn and every chart on the page has its SVG.
DRAWN = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    const tab = document.querySelector('[data-testid="stTabs"] [role="tab"][aria-selected="true"]');
    const panel = tab && document.getElementById(tab.getAttribute("aria-controls"));
    if (!panel || !panel.querySelector('[data-testid="stElementContainer"]')) return false;
    return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(
        chart => chart.querySelector(".js-plotly-plot .main-svg"));
}"""
NODES_SHOWN = 4  # per violation, in the failure message
# Chart text that sits on the page's background (axes, titles, legends, the slider, the Play buttons) and
# its contrast with that background, below 4.5:1. axe-core does not check SVG text. Text drawn by a trace
# sits on its markers or cells, not on the page, and is left out.
LOW_CONTRAST_CHART_TEXT = """() => {
    const rgb = c => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
        .map(v => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const opaque = c => !/^rgba\\(.*,\\s*0\\)$|^transparent$/.test(c);
    const background = element => {  // the first opaque background behind the element
        for (let e = element; e; e = e.parentElement) {
            const colour = getComputedStyle(e).backgroundColor;
            if (opaque(colour)) return colour;
        }
        return "rgb(255, 255, 255)";
    };
    const low = [];
    for (const text of document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg text')) {
        const box = text.getBoundingClientRect();
        if (!text.textContent.trim() || !box.width || text.closest("g.trace, .legendpoints")) continue;
        const ink = lum(rgb(getComputedStyle(text).fill));
        const page = lum(rgb(background(text.closest('[data-testid="stPlotlyChart"]'))));
        const ratio = (Math.max(ink, page) + 0.05) / (Math.min(ink, page) + 0.05);
        if (ratio < 4.5) low.push(`${text.textContent.trim().slice(0, 40)} (${ratio.toFixed(2)}:1)`);
    }
    return low;
}"""


@pytest.fixture(scope="module")
def axe() -> Any:
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        pytest.fail("axe-playwright-python is not installed (pip install -r requirements-dev.txt)")
    return Axe()


@pytest.fixture
def themed_page(chromium_browser: Any, app_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page in the light or dark colour scheme (the test's `scheme` parameter), not yet loaded."""
    context = chromium_browser.new_context(viewport=VIEWPORT, color_scheme=request.getfixturevalue("scheme"))
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()


def wait_drawn(page: Any) -> None:
    page.wait_for_function(DRAWN, timeout=60_000)


def describe(found: list[tuple[str, dict[str, Any]]]) -> str:
    """Each violation once, as its rule, impact and help with the first few offending nodes (their CSS
    target, HTML and axe's summary), and the tabs it was found on."""
    rules: dict[str, dict[str, Any]] = {}
    for where, violation in found:
        rule = rules.setdefault(violation["id"], {**violation, "nodes": {}, "where": []})
        rule["where"].append(where)
        for node in violation["nodes"]:
            rule["nodes"].setdefault(str(node["target"]), node)
    lines = []
    for rule in rules.values():
        nodes = list(rule["nodes"].values())
        lines.append(
            f"- {rule['id']} ({rule['impact']}): {rule['help']}; "
            f"{len(nodes)} node(s), on {', '.join(rule['where'])}"
        )
        lines.append(f"  {rule['helpUrl']}")
        for node in nodes[:NODES_SHOWN]:
            lines.append(f"  * {node['target']}: {node['html'][:200]}")
            summary = " ".join((node.get("failureSummary") or "").split())
            if summary:
                lines.append(f"    {summary[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize("preset", list(PAGES))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_on_any_teaching_tab(
    themed_page: Any, app_url: str, axe: Any, scheme: str, preset: str
) -> None:
    page = themed_page
    page.goto(app_url + PAGES[preset])
    wait_idle(page, "Iteration")
    wait_drawn(page)
    tabs = page.locator(TEACHING_TABS).get_by_role("tab")
    names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]
    assert len(names) >= 6, f"expected the six teaching tabs, found {names}"
    found: list[tuple[str, dict[str, Any]]] = []
    for i, name in enumerate(names):
        if i:  # the first tab is open on arrival
            tabs.nth(i).click()
            page.locator(TEACHING_TABS).get_by_role("tab", name=name, selected=True).wait_for()
            wait_drawn(page)
        results = axe.run(page)
        found += [(name, violation) for violation in results.response["violations"]]
        faint = page.evaluate(LOW_CONTRAST_CHART_TEXT)
        assert not faint, f"chart text below 4.5:1 ({scheme} theme, {preset} page, {name}): {faint[:10]}"
    if found:
        pytest.fail(
            f"axe-core found violations ({scheme} theme, {preset} page):\n{describe(found)}", pytrace=False
        )


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


MAX_TAB_PRESSES = 250  # the page has about 80 stops, and focus wraps around to the top


def tab_to(page: Any, target: Any) -> int:
    """Press Tab until `target` has the keyboard focus; return how many presses it took (fail if never)."""
    for presses in range(1, MAX_TAB_PRESSES + 1):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return presses
    pytest.fail(f"{MAX_TAB_PRESSES} presses of Tab never reached {target}", pytrace=False)


def page_button(page: Any, key: str) -> Any:
    """A button of the bar beside the results (not its copy in the sidebar, nor a hidden copy that
    Streamlit keeps of a wrapping row's buttons)."""
    return page.locator(f".st-key-{key}_page button").filter(visible=True)


def test_page_bar_and_tabs_work_from_the_keyboard(page: Any) -> None:
    """Train, Step and Reset on the page bar: reached by Tab, pressed with Enter or Space. The teaching
    tabs: reached by Tab, changed with the arrow keys."""
    wait_idle(page, NOTEBOOK_PREDICTION)
    page.locator("body").focus()
    tab_to(page, page_button(page, "step"))
    page.keyboard.press("Space")
    wait_for_metric(page, "Iteration", "10,001")
    tab_to(page, page_button(page, "reset"))
    page.keyboard.press("Enter")
    wait_for_metric(page, "Iteration", "0")
    tab_to(page, page_button(page, "train"))
    page.keyboard.press("Enter")
    wait_for_metric(page, "Iteration", "10,000")

    tabs = page.locator(TEACHING_TABS).get_by_role("tab")
    tab_to(page, tabs.first)  # one stop for the tab list: the open tab
    # the arrow keys move along the tabs and open the one they reach (WAI-ARIA automatic activation)
    for key, name in (
        ("ArrowRight", "Decision surface"),
        ("ArrowRight", "Per-row error"),
        ("ArrowLeft", "Decision surface"),
    ):
        page.keyboard.press(key)
        tab = page.locator(TEACHING_TABS).get_by_role("tab", name=name)
        expect(tab).to_be_focused()  # waits: React moves the focus on its next render
        page.locator(TEACHING_TABS).get_by_role("tab", name=name, selected=True).wait_for()
        wait_drawn(page)
