"""Layout in a real browser: chart text that stays apart and inside its chart, presenter mode's chart whole
on a projector's screen, and row-table cells that show their whole text.

Three viewports: a desktop (1400x1000, the default page), a projector in presenter mode (1280x720,
``?present=true``) and a phone (390x844). Browser zoom is emulated by the viewport it leaves: 1280 px at
125 % and 150 % zoom are 1024 and 853 CSS px wide.

The page measures the chart's column in the browser and reruns once to redraw the training chart for it,
so every measurement waits until the script is idle and the charts have stopped changing.

Chart text is every non-empty, visible SVG ``text`` of a Plotly chart: tick labels, axis titles, titles
and annotations, legend entries, the slider's labels and current value, the Play buttons' labels, and
text drawn beside markers (markers themselves are not text). The row table is a Glide Data Grid drawn on
a canvas: its displayed cell texts, column widths and font are read from the grid's own properties, and
each text is measured with the canvas's ``measureText`` in that font.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .conftest import ARTIFACTS, DRAWN, EXCEPTION, REPO, TEACHING_TABS, wait_idle

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1400, "height": 1000}
PRESENTER = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
# A 1280x720 presenter window zoomed to 125 % and 150 %: the CSS viewport it leaves.
ZOOMED = {"125%": {"width": 1024, "height": 576}, "150%": {"width": 853, "height": 480}}
VIEWS = {  # name: (viewport, query)
    "desktop": (DESKTOP, ""),
    "presenter": (PRESENTER, "?present=true"),
    "phone": (PHONE, ""),
}
OVERLAP_TOLERANCE_PX = 2.0  # two text boxes may share this much (in both directions) without a failure
CLIP_TOLERANCE_PX = 1.0  # a text box may stick out of its chart by this much
PRESENTER_MIN_FONT_PX = 20.0
SETTLE_MS = 500  # a pause long enough for the page's measured-size rerun to start
SETTLE_ROUNDS = 40

# What the charts look like right now: their places, sizes and texts (compared twice to see them settled).
FINGERPRINT = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(chart => {
    const box = chart.getBoundingClientRect();
    const texts = [...chart.querySelectorAll(".main-svg text")].map(t => {
        const b = t.getBoundingClientRect();
        return [t.textContent, Math.round(b.x), Math.round(b.y), Math.round(b.width)];
    });
    return [Math.round(box.x), Math.round(box.y), Math.round(box.width), Math.round(box.height), texts];
})"""
# Every shown chart with its visible texts: their words, kind (the nearest class), box and font size.
CHART_TEXTS = """() => {
    const shown = element => {
        for (let e = element; e; e = e.parentElement) {
            const style = getComputedStyle(e);
            if (style.display === "none" || style.visibility === "hidden" || parseFloat(style.opacity) === 0)
                return false;
            if (e.matches('[data-testid="stPlotlyChart"]')) break;
        }
        const style = getComputedStyle(element);
        return style.fill !== "none" && parseFloat(style.fillOpacity) !== 0;
    };
    const kind = element => {
        for (let e = element; e; e = e.parentElement) {
            const name = e.getAttribute("class");
            if (name) return name.split(" ")[0];
        }
        return "text";
    };
    const rect = b => [b.left, b.top, b.right, b.bottom];
    // The box that the clip paths around an element leave visible (a plot area clips its traces' text).
    const clipBox = element => {
        let clip = null;
        for (let e = element; e && !e.matches('[data-testid="stPlotlyChart"]'); e = e.parentElement) {
            const url = (e.getAttribute("clip-path") || "").match(/url\\(['"]?#([^'")]+)/);
            const shape = url && document.getElementById(url[1]);
            const r = shape && shape.querySelector("rect");
            if (!r || !e.getScreenCTM) continue;
            const m = e.getScreenCTM();
            const [x, y, w, h] = ["x", "y", "width", "height"].map(a => parseFloat(r.getAttribute(a)) || 0);
            const xs = [x, x + w].flatMap(px => [y, y + h].map(py => m.a * px + m.c * py + m.e));
            const ys = [x, x + w].flatMap(px => [y, y + h].map(py => m.b * px + m.d * py + m.f));
            const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
            clip = clip ? [Math.max(clip[0], box[0]), Math.max(clip[1], box[1]),
                           Math.min(clip[2], box[2]), Math.min(clip[3], box[3])] : box;
        }
        return clip;
    };
    return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map((chart, index) => {
        const box = chart.getBoundingClientRect();
        const gd = chart.querySelector(".js-plotly-plot");
        const svg = chart.querySelector(".main-svg");
        const layout = (gd && gd.layout) || {};
        const title = (layout.title && (layout.title.text || layout.title)) ||
            ((layout.annotations || [])[0] || {}).text || "";
        const texts = [];
        if (box.width && box.height && svg) {
            for (const text of chart.querySelectorAll(".main-svg text")) {
                const words = text.textContent.replace(/\\u200b/g, "").replace(/\\s+/g, " ").trim();
                const b = text.getBoundingClientRect();
                if (!words || b.width < 0.5 || b.height < 0.5 || text.closest(".hoverlayer") || !shown(text))
                    continue;
                texts.push({text: words, kind: kind(text), box: rect(b), clip: clipBox(text),
                            font: parseFloat(getComputedStyle(text).fontSize)});
            }
        }
        const s = svg ? svg.getBoundingClientRect() : box;
        const area = [Math.max(box.left, s.left), Math.max(box.top, s.top),
                      Math.min(box.right, s.right), Math.min(box.bottom, s.bottom)];
        return {index, title: String(title).replace(/<[^>]*>/g, " ").slice(0, 60),
                shown: !!(box.width && box.height),
                box: rect(box), area, texts};
    });
}"""
# The row table ("Rows at iteration"): per column its title, width and displayed cell texts, read from the
# grid's properties (the grid draws on a canvas; its accessible table holds raw numbers, not the shown
# text), and each text's width in the grid's cell font. Async: waits for the font before measuring.
ROW_TABLE_CELLS = """async () => {
    const grids = [];
    const found = document.querySelectorAll('[data-testid="stDataFrame"] [data-testid="data-grid-canvas"]');
    for (const canvas of found) {
        const key = Object.keys(canvas).find(k => k.startsWith("__reactFiber"));
        let fiber = key && canvas[key];
        while (fiber && !(fiber.memoizedProps && Array.isArray(fiber.memoizedProps.columns)
                          && typeof fiber.memoizedProps.getCellContent === "function")) fiber = fiber.return;
        if (fiber) grids.push(fiber.memoizedProps);
    }
    const table = grids.filter(g => g.columns.some(c => /^out\\d*$/.test(c.title)));
    if (table.length !== 1) return {error: `found ${table.length} row tables among ${grids.length} grids`};
    const grid = table[0];
    const font = grid.theme.baseFontFull;
    await document.fonts.ready;
    await document.fonts.load(font, "0123456789.−-e+");
    const context = document.createElement("canvas").getContext("2d");
    context.font = font;
    const columns = grid.columns.map((column, c) => {
        const cells = [];
        for (let r = 0; r < grid.rows; r++) {
            const cell = grid.getCellContent([c, r]);
            if (cell.kind === "marker" || cell.displayData === undefined || cell.displayData === null)
                continue;
            const text = String(cell.displayData);
            cells.push({row: r + 1, text, width: context.measureText(text).width});
        }
        return {title: column.title, width: column.width, cells};
    });
    return {font, fontLoaded: document.fonts.check(font), padding: grid.theme.cellHorizontalPadding,
            gridWidth: grid.width, columns};
}"""


@pytest.fixture(scope="module")
def open_page(chromium_browser: Any, app_url: str) -> Iterator[Callable[[dict[str, int], str], Any]]:
    """Open the app at a viewport and query, settled; one browser page per viewport for the module."""
    pages: dict[tuple[int, int], Any] = {}
    contexts: list[Any] = []

    def open_(viewport: dict[str, int], query: str = "") -> Any:
        key = (viewport["width"], viewport["height"])
        if key not in pages:
            context = chromium_browser.new_context(viewport=viewport)
            context.set_default_timeout(60_000)
            contexts.append(context)
            pages[key] = context.new_page()
        page = pages[key]
        page.goto(f"{app_url}/{query}")
        wait_idle(page, "Iteration")
        settle(page)
        return page

    yield open_
    for context in contexts:
        context.close()


def settle(page: Any) -> None:
    """Wait until the script is idle, every chart is drawn and the charts have not changed for a moment
    (the page reruns once after measuring the chart's column)."""
    page.wait_for_function(DRAWN, timeout=60_000)
    before = page.evaluate(FINGERPRINT)
    for _ in range(SETTLE_ROUNDS):
        page.wait_for_timeout(SETTLE_MS)
        page.wait_for_function(DRAWN, timeout=60_000)
        now = page.evaluate(FINGERPRINT)
        if now == before:
            return
        before = now
    pytest.fail(f"the charts kept changing for {SETTLE_ROUNDS * SETTLE_MS / 1000:.0f} s", pytrace=False)


def _box(box: list[float]) -> str:
    left, top, right, bottom = box
    return f"[x {left:.0f}–{right:.0f}, y {top:.0f}–{bottom:.0f}]"


def chart_name(chart: dict[str, Any]) -> str:
    return f"chart {chart['index'] + 1}" + (f" ({chart['title']!r})" if chart["title"] else "")


def sticks_out(box: list[float], area: list[float]) -> bool:
    """Whether ``box`` reaches outside ``area`` ([left, top, right, bottom]) by more than the tolerance."""
    return (
        box[0] < area[0] - CLIP_TOLERANCE_PX
        or box[1] < area[1] - CLIP_TOLERANCE_PX
        or box[2] > area[2] + CLIP_TOLERANCE_PX
        or box[3] > area[3] + CLIP_TOLERANCE_PX
    )


def text_problems(chart: dict[str, Any]) -> list[str]:
    """Pairs of a chart's texts whose boxes overlap, and texts that stick out of the chart's area."""
    problems = []
    texts = chart["texts"]
    area = chart["area"]
    for t in texts:
        if sticks_out(t["box"], area):
            problems.append(
                f"{chart_name(chart)}: {t['text']!r} ({t['kind']}) {_box(t['box'])} is cut off: "
                f"outside the chart's area {_box(area)}"
            )
        elif t["clip"] and sticks_out(t["box"], t["clip"]):
            problems.append(
                f"{chart_name(chart)}: {t['text']!r} ({t['kind']}) {_box(t['box'])} is cut off by the clip "
                f"of its plot area {_box(t['clip'])}"
            )
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            width = min(a["box"][2], b["box"][2]) - max(a["box"][0], b["box"][0])
            height = min(a["box"][3], b["box"][3]) - max(a["box"][1], b["box"][1])
            if width > OVERLAP_TOLERANCE_PX and height > OVERLAP_TOLERANCE_PX:
                problems.append(
                    f"{chart_name(chart)}: {a['text']!r} ({a['kind']}) {_box(a['box'])} overlaps "
                    f"{b['text']!r} ({b['kind']}) {_box(b['box'])} by {width:.1f} x {height:.1f} px"
                )
    return problems


def chart_texts(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(CHART_TEXTS)


def fail_with(problems: list[str], where: str) -> None:
    if problems:
        unique = list(dict.fromkeys(problems))
        pytest.fail(f"{len(unique)} chart text problem(s) {where}:\n" + "\n".join(unique), pytrace=False)


@pytest.mark.parametrize("view", list(VIEWS))
def test_chart_texts_neither_overlap_nor_stick_out_on_any_tab(open_page: Any, view: str) -> None:
    viewport, query = VIEWS[view]
    page = open_page(viewport, query)
    tabs = page.locator(TEACHING_TABS).get_by_role("tab")
    names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]
    assert len(names) >= 6, f"expected the six teaching tabs, found {names}"
    problems: list[str] = []
    charts_seen = 0
    for i, name in enumerate(names):
        if i:  # the first tab is open on arrival
            tabs.nth(i).click()
            page.locator(TEACHING_TABS).get_by_role("tab", name=name, selected=True).wait_for()
            settle(page)
        for chart in chart_texts(page):
            if chart["shown"]:
                charts_seen += 1
                problems += [f"tab {name!r}, {problem}" for problem in text_problems(chart)]
    assert charts_seen > len(names), f"too few charts drawn ({charts_seen}) on the tabs {names}"
    fail_with(problems, f"({view}, {viewport['width']}x{viewport['height']}{' ' + query if query else ''})")


def page_button(page: Any, key: str) -> Any:
    """A button of the bar above the chart (not its copy in the sidebar, nor a hidden copy)."""
    return page.locator(f".st-key-{key}_page button").filter(visible=True)


def test_presenter_chart_is_whole_on_screen_below_the_bar_with_large_text(open_page: Any) -> None:
    page = open_page(PRESENTER, "?present=true")
    scrolled = page.evaluate(
        """() => Math.max(window.scrollY,
            ...[...document.querySelectorAll('[data-testid="stMain"], section.main')]
            .map(e => e.scrollTop))"""
    )
    assert scrolled == 0, f"the page opened scrolled by {scrolled} px"
    chart = chart_texts(page)[0]
    left, top, right, bottom = chart["box"]
    height = PRESENTER["height"]
    problems = []
    if top < 0 or bottom > height:
        problems.append(
            f"the training chart spans y {top:.0f}–{bottom:.0f}, not within the 0–{height} viewport"
        )
    if left < 0 or right > PRESENTER["width"]:
        problems.append(f"the training chart spans x {left:.0f}–{right:.0f}, wider than the viewport")
    for key in ("train", "step", "reset"):
        button = page_button(page, key)
        if button.count() != 1:
            problems.append(f"{key}: {button.count()} visible page-bar buttons, expected 1")
            continue
        box = button.bounding_box()
        if box["y"] < 0 or box["y"] + box["height"] > top:
            problems.append(
                f"the {key} button (y {box['y']:.0f}–{box['y'] + box['height']:.0f}) is not on screen "
                f"above the training chart (top {top:.0f})"
            )
    small = [t for t in chart["texts"] if t["font"] < PRESENTER_MIN_FONT_PX]
    if small:
        problems.append(
            f"{len(small)} text(s) of the training chart below {PRESENTER_MIN_FONT_PX:.0f} px: "
            + ", ".join(f"{t['text']!r} ({t['kind']}, {t['font']:g} px)" for t in small[:20])
        )
    assert chart["texts"], "the training chart has no text"
    if problems:
        pytest.fail("presenter mode at 1280x720:\n" + "\n".join(problems), pytrace=False)


PRESENTER_MIN_FORMULA_PX = 14.0
# Font sizes of every glyph KaTeX draws (its visible HTML; not its MathML copy for screen readers, nor the
# zero-width struts it pads lines with).
FORMULA_GLYPHS = """() => [...document.querySelectorAll('.katex-html *')]
    .filter(e => !e.childElementCount && e.textContent.replace(/\\u200b/g, '').trim()
        && e.getBoundingClientRect().width > 0)
    .map(e => [e.textContent.trim(), parseFloat(getComputedStyle(e).fontSize)])"""


def test_presenter_formulas_have_sub_and_superscripts_of_14_px_or_more(open_page: Any) -> None:
    page = open_page(PRESENTER, "?present=true&chain=1")
    glyphs = page.evaluate(FORMULA_GLYPHS)
    assert len(glyphs) > 50, f"too few formula glyphs drawn ({len(glyphs)}): is the chain rule open?"
    small = sorted(
        {(text, size) for text, size in glyphs if size < PRESENTER_MIN_FORMULA_PX}, key=lambda g: g[1]
    )
    assert not small, f"{len(small)} formula glyph(s) below {PRESENTER_MIN_FORMULA_PX:g} px: {small[:10]}"


@pytest.mark.parametrize("zoom", list(ZOOMED))
def test_presenter_training_chart_texts_at_browser_zoom(open_page: Any, zoom: str) -> None:
    viewport = ZOOMED[zoom]
    page = open_page(viewport, "?present=true")
    chart = chart_texts(page)[0]
    assert chart["shown"] and chart["texts"], "the training chart is not drawn"
    fail_with(
        text_problems(chart),
        f"in the training chart (presenter mode at {zoom} zoom, {viewport['width']}x{viewport['height']})",
    )


ROW_TABLES = {  # name: query
    "notebook": "",
    "lr100": "?lr=100",  # extreme values: saturated outputs, tiny slopes and deltas
    "four-inputs": "?preset=majority",  # x1..x4
}


@pytest.mark.parametrize("table", list(ROW_TABLES))
@pytest.mark.parametrize("view", ["desktop", "phone"])
def test_row_table_cells_show_their_whole_text(open_page: Any, view: str, table: str) -> None:
    """Each displayed cell text, with the cell's padding on both sides, fits its column's drawn width (on a
    phone the table may scroll sideways; a cut cell is still a failure)."""
    viewport = DESKTOP if view == "desktop" else PHONE
    page = open_page(viewport, ROW_TABLES[table])
    found = page.evaluate(ROW_TABLE_CELLS)
    assert "error" not in found, found.get("error")
    assert found["fontLoaded"], f"the grid's font {found['font']} did not load"
    columns = found["columns"]
    titles = [c["title"] for c in columns]
    if table == "four-inputs":
        assert "x4" in titles, titles
    assert sum(len(c["cells"]) for c in columns) >= 4 * len(columns), json.dumps(found)[:500]
    padding = found["padding"]
    cut = []
    for column in columns:
        for cell in column["cells"]:
            needed = cell["width"] + 2 * padding
            if needed > column["width"] + 0.5:
                short = needed - column["width"]
                how = "cut off" if cell["width"] + padding > column["width"] else "without its left padding"
                cut.append(
                    f"column {column['title']!r} ({column['width']} px), row {cell['row']}: "
                    f"{cell['text']!r} is {cell['width']:.1f} px, needs {needed:.1f} px with padding: "
                    f"{short:.1f} px short ({how})"
                )
    if cut:
        pytest.fail(
            f"row table cells that do not show their whole text ({view}, {viewport['width']}x"
            f"{viewport['height']}, {table} {ROW_TABLES[table] or 'default page'}; font {found['font']}, "
            f"padding {padding} px):\n" + "\n".join(cut),
            pytrace=False,
        )


SCREENSHOTS = {  # name: (viewport, query); the picture starts at the training chart's top
    "phone": (PHONE, ""),
    "presenter": (PRESENTER, "?present=true"),
}


@pytest.mark.parametrize("name", list(SCREENSHOTS))
def test_screenshots_of_the_training_chart_for_a_person_to_look_at(open_page: Any, name: str) -> None:
    """Screenshots of the page at a phone's and a projector's size, scrolled to the training chart (a
    projector's page starts with it); BACKPROP_UPDATE_SCREENSHOT=1 refreshes the README's."""
    viewport, query = SCREENSHOTS[name]
    page = open_page(viewport, query)
    if name == "phone":
        page.evaluate(
            """() => {
                const chart = document.querySelector('[data-testid="stPlotlyChart"]');
                chart.style.scrollMarginTop = "64px";  // below the page's fixed header
                chart.scrollIntoView({block: "start"});
            }"""
        )
        page.wait_for_timeout(500)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"layout-{name}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000 and page.locator(EXCEPTION).count() == 0
    if os.environ.get("BACKPROP_UPDATE_SCREENSHOT") == "1":
        (REPO / "docs" / f"screenshot-{name}.png").write_bytes(shot.read_bytes())


CUT_BUTTON_LABELS = """() => [
    ...document.querySelectorAll('[data-testid="stMain"] button .stMarkdownEllipsis')]
    .filter(label => label.getBoundingClientRect().width > 0 && label.scrollWidth > label.clientWidth + 1)
    .map(label => label.textContent.trim())"""


@pytest.mark.parametrize("view", ["presenter", "phone"])
def test_button_labels_are_whole_with_share_and_export_open(open_page: Any, view: str) -> None:
    viewport = PRESENTER if view == "presenter" else PHONE
    page = open_page(viewport, "?share=1")
    assert page.locator('[data-testid="stDownloadButton"]').count() >= 4, "Share & export is not open"
    cut = page.evaluate(CUT_BUTTON_LABELS)
    assert not cut, f"button labels cut off at {viewport['width']}x{viewport['height']}: {cut}"


BIG_NETWORK = "?preset=half-adder&layers=2&units1=8&units2=8&bias=true"  # 104 weights, a long legend


@pytest.mark.parametrize("view", ["desktop", "phone"])
def test_a_big_networks_training_chart_keeps_its_text_apart(open_page: Any, view: str) -> None:
    viewport = DESKTOP if view == "desktop" else PHONE
    page = open_page(viewport, BIG_NETWORK)
    chart = chart_texts(page)[0]
    assert chart["shown"] and chart["texts"], "the training chart is not drawn"
    fail_with(text_problems(chart), f"in a big network's training chart ({view})")
