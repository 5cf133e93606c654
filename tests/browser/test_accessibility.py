"""Accessibility in a real browser: axe-core finds nothing on any teaching tab, nor in the chain rule (each
of its tabs) and Share & export once opened, light or dark; the page's main controls work from the keyboard
alone, and on a phone the formulas scroll inside their box, from the keyboard too.

axe-core (through axe-playwright-python's sync API) checks the rendered page: colour contrast, names and
labels, table headers, heading order, ARIA. Every violation fails the test, whatever its impact; no rule is
switched off. One element of Streamlit's own markup is left out of one rule (STREAMLIT_MARKUP: the file
uploader's drop zone, for presentation-role-conflict). The app has no fixed base theme, so it follows the
system: the dark case asks Chromium for a dark colour scheme.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import DRAWN, TEACHING_TABS, VIEWPORT, wait_for_metric, wait_idle

pytestmark = pytest.mark.browser

NOTEBOOK_PREDICTION = "0.99993703"
PAGES = {
    "default": "",  # the notebook's experiment: one sigmoid unit, no hidden layer
    "xor": "?preset=xor&layers=1",  # a hidden layer: every tab has a figure to draw
}
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


# The two sections below the teaching tabs, opened by their link keys: (the link, the section's key).
SECTIONS = {
    "chain rule": ("?chain=1", "chain"),
    "chain rule, hidden layer": ("?preset=xor&layers=1&chain=1", "chain"),
    "share & export": ("?share=1", "share"),
}
# True once the script is idle, the section `key` is open and drawn: no element still loading its code,
# its open tab's panel (if it has tabs) has content, every formula has its KaTeX and every table its canvas.
SECTION_DRAWN = """key => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    const section = document.querySelector(`.st-key-${key} details[open]`);
    if (!section || document.querySelector('[data-testid="stSkeleton"]')) return false;
    const tab = section.querySelector('[role="tab"][aria-selected="true"]');
    const panel = tab && document.getElementById(tab.getAttribute("aria-controls"));
    if (tab && !(panel && panel.querySelector('[data-testid="stElementContainer"]'))) return false;
    const shown = element => element.getClientRects().length > 0;
    return [...section.querySelectorAll(".formula")].filter(shown).every(f => f.querySelector(".katex"))
        && [...section.querySelectorAll('[data-testid="stDataFrame"]')].filter(shown)
            .every(grid => grid.querySelector("canvas"));
}"""
# Streamlit's own markup that the app cannot change, as (axe rule, the element's data-testid): why. Only
# these elements are left out, and only of that rule; every other rule still checks them.
STREAMLIT_MARKUP = {
    ("presentation-role-conflict", "stFileUploaderDropzone"): (
        "st.file_uploader's drop zone is a <section role=presentation> (react-dropzone's getRootProps) to "
        "which Streamlit's FileUploader (1.67) adds tabIndex -1 and aria-label / aria-disabled; a focusable "
        "element with global ARIA attributes keeps its own role, so the presentation role is ignored. "
        "No argument of st.file_uploader changes these attributes and CSS cannot; the uploader is used "
        "through its labelled Upload button, which axe checks."
    ),
}


def without_streamlit_markup(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """axe's violations without the elements listed in STREAMLIT_MARKUP, told by their own opening tag (a
    violation left with no node goes)."""
    kept = []
    for violation in violations:
        excused = [testid for rule, testid in STREAMLIT_MARKUP if rule == violation["id"]]
        nodes = [
            node
            for node in violation["nodes"]
            if not any(f'data-testid="{testid}"' in node["html"].split(">", 1)[0] for testid in excused)
        ]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


def wait_section_drawn(page: Any, key: str) -> None:
    page.wait_for_function(SECTION_DRAWN, arg=key, timeout=60_000)


@pytest.mark.parametrize("section", list(SECTIONS))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_in_the_opened_sections(
    themed_page: Any, app_url: str, axe: Any, scheme: str, section: str
) -> None:
    """The chain rule (each of its tabs) and Share & export, opened by a link: nothing found on the page."""
    query, key = SECTIONS[section]
    page = themed_page
    page.goto(app_url + query)
    wait_idle(page, "Iteration")
    wait_drawn(page)
    wait_section_drawn(page, key)
    tabs = page.locator(f".st-key-{key}").get_by_role("tab")
    names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())] or [section]
    if key == "chain":
        assert len(names) == 4, f"expected the chain rule's four tabs, found {names}"
    found: list[tuple[str, dict[str, Any]]] = []
    for i, name in enumerate(names):
        if i:  # the first tab is open on arrival
            tabs.nth(i).click()
            page.locator(f".st-key-{key}").get_by_role("tab", name=name, selected=True).wait_for()
            wait_section_drawn(page, key)
        results = axe.run(page)
        found += [(name, violation) for violation in without_streamlit_markup(results.response["violations"])]
    if found:
        pytest.fail(
            f"axe-core found violations ({scheme} theme, {section} opened):\n{describe(found)}", pytrace=False
        )


PHONE = {"width": 390, "height": 844}
# Each shown formula of the chain rule: its box and the section's, whether the formula is wider than its
# box, and if so whether the box scrolls and takes the keyboard's focus. Inline formulas in the text too.
FORMULA_BOXES = """() => {
    const section = document.querySelector('.st-key-chain details[open]');
    const area = section.getBoundingClientRect();
    const shown = element => element.getClientRects().length > 0;
    const blocks = [...section.querySelectorAll(".formula")].filter(shown).map(box => {
        const { left, right } = box.getBoundingClientRect();
        return {
            label: box.getAttribute("aria-label"), left, right,
            wider: box.scrollWidth > box.clientWidth + 1,
            scrolls: getComputedStyle(box).overflowX === "auto", focusable: box.tabIndex === 0,
        };
    });
    const inline = [...section.querySelectorAll(".katex")].filter(k => shown(k) && !k.closest(".formula"))
        .map(k => ({ label: k.textContent.slice(0, 40), ...k.getBoundingClientRect().toJSON() }));
    return { left: area.left, right: area.right, width: innerWidth, blocks, inline,
             page: document.scrollingElement.scrollWidth };
}"""


def test_formulas_scroll_inside_their_box_on_a_phone(chromium_browser: Any, app_url: str) -> None:
    """On a 390x844 phone, on each of the chain rule's tabs, no formula runs off the section's right edge:
    one wider than its box scrolls sideways in it, and the arrow keys scroll it once it has the focus."""
    context = chromium_browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        page.goto(app_url + SECTIONS["chain rule, hidden layer"][0])
        wait_idle(page, "Iteration")
        wait_section_drawn(page, "chain")
        tabs = page.locator(".st-key-chain").get_by_role("tab")
        names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]
        problems, wider = [], []
        for i, name in enumerate(names):
            if i:
                tabs.nth(i).click()
                page.locator(".st-key-chain").get_by_role("tab", name=name, selected=True).wait_for()
                wait_section_drawn(page, "chain")
            found = page.evaluate(FORMULA_BOXES)
            if found["page"] > found["width"]:
                problems.append(f"{name}: the page is {found['page']} px wide, wider than the phone")
            for box in found["blocks"] + found["inline"]:
                if box["right"] > found["right"] + 0.5 or box["left"] < found["left"] - 0.5:
                    problems.append(
                        f"{name}: {box['label']!r} runs off the section ({box['left']:.0f}-"
                        f"{box['right']:.0f} px, the section {found['left']:.0f}-{found['right']:.0f})"
                    )
            for box in found["blocks"]:
                if box["wider"]:
                    wider.append(box["label"])
                    if not (box["scrolls"] and box["focusable"]):
                        problems.append(
                            f"{name}: {box['label']!r} is wider than its box, which "
                            f"{'cannot be focused' if box['scrolls'] else 'does not scroll'}"
                        )
        assert not problems, "\n".join(problems)
        assert wider, "no formula is wider than a phone: this test no longer checks their scrolling"
        # the keyboard: Tab reaches the first tab's first formula (wider than a phone), ArrowRight scrolls it
        tabs.first.click()
        page.locator(".st-key-chain").get_by_role("tab", name=names[0], selected=True).wait_for()
        wait_section_drawn(page, "chain")
        box = page.locator(".st-key-chain .formula").filter(visible=True).first
        page.locator(".st-key-chain").get_by_role("tab", name=names[0]).focus()
        tab_to(page, box)
        page.keyboard.press("ArrowRight")
        page.wait_for_function("box => box.scrollLeft > 0", arg=box.element_handle())
    finally:
        context.close()
