"""Two-click crashes a newcomer found, replayed in a real browser.

Each test changes what the page's widgets offer (a preset, a table cell, a column, an uploaded table) and
then presses Step: the browser sends back the widget values it holds, some of which name options of the
previous run. AppTest cannot reproduce that; only a browser does. The helpers here (wait for a rerun to
finish, look for an app error, drive the table editor's canvas) are shared with test_random_walk.py.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import pytest

from backprop.table import TruthTable, get_preset, table_to_csv

from .conftest import ARTIFACTS, EXCEPTION, wait_for_metric

pytestmark = pytest.mark.browser

APP_ERROR = "This app has encountered an error"
# A section that raises is drawn as this notice (app/widgets.py's guard), its traceback in the server log:
# still a failure of the app, which the guard only keeps from taking the rest of the page down.
VIEW_FAILED = "This view could not be drawn"
EXPANDERS = ("Chain rule, step by step", "Share & export")
SIDEBAR = '[data-testid="stSidebar"]'
# Page errors that are not the app's: none met so far. (Pausing a Plotly animation can reject a promise;
# if that is ever seen here, its exact message goes in this tuple, with the reason, and nothing broader.)
KNOWN_PAGE_ERRORS: tuple[str, ...] = ()

# Counts the script runs the page shows: every change of the app's data-test-script-state attribute to
# "running", and the time of its last change. The attribute lags the click that causes a rerun by a few
# milliseconds (longer on a busy machine), so "idle now" alone can be the state before the rerun.
_WATCH = """() => {
    if (window.__reruns) return;
    const watch = window.__reruns = {runs: 0, changed: performance.now(), state: null};
    const app = document.querySelector('[data-testid="stApp"]');
    watch.state = app && app.getAttribute("data-test-script-state");
    new MutationObserver(records => {
        for (const record of records) {
            const state = record.target.getAttribute("data-test-script-state");
            if (record.target.dataset.testid !== "stApp" || state === watch.state) continue;
            watch.state = state;
            watch.changed = performance.now();
            if (state === "running") watch.runs += 1;
        }
    }).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-test-script-state"]});
}"""
_RUN_STARTED = f"""before => window.__reruns.runs > before ||
    document.querySelector('{EXCEPTION}') !== null"""
# Idle, and no state change for `quiet` ms: a rerun that follows the last one (a callback's, a widget's
# debounced value) starts within that time.
_SETTLED = """quiet => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app !== null && app.getAttribute("data-test-script-state") === "notRunning"
        && performance.now() - window.__reruns.changed > quiet;
}"""
QUIET_MS = 400
RERUN_START_MS = 5_000  # how long a rerun that an action should cause may take to start
RERUN_MAX_MS = 120_000  # how long any one rerun may take on a busy 2-core machine


class AppNotIdleError(AssertionError):
    """The page did not become idle in time: a slow or stuck server, not an error the app showed."""


def watch_reruns(page: Any) -> None:
    """Start counting the page's script runs (once per page; call after the first load)."""
    page.evaluate(_WATCH)


def reruns(page: Any) -> int:
    return int(page.evaluate("() => window.__reruns.runs"))


def settle(
    page: Any, before: int, rerun: bool, start_ms: float = RERUN_START_MS, timeout_ms: float = RERUN_MAX_MS
) -> None:
    """After an action: when it should rerun the script (``rerun``), wait up to ``start_ms`` for a run
    after ``before`` to start; then until the script is idle and has stayed so for QUIET_MS. Raise
    :class:`AppNotIdleError` when the page is still running after ``timeout_ms``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if rerun:
        # no rerun may come: the value did not change, or the browser refused it
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(_RUN_STARTED, arg=before, timeout=start_ms)
    try:
        page.wait_for_function(_SETTLED, arg=QUIET_MS, timeout=timeout_ms, polling=100)
    except PlaywrightTimeout as error:
        raise AppNotIdleError(f"the script was still running after {timeout_ms / 1000:.0f} s") from error


def app_errors(page: Any, js_errors: list[str]) -> list[str]:
    """What the page shows of an app failure: exceptions, the error panel, uncaught page errors."""
    found = [f"exception shown: {text[:600]}" for text in page.locator(EXCEPTION).all_inner_texts()]
    if not found and page.get_by_text(APP_ERROR).count():
        found.append(f"{APP_ERROR!r} shown")
    found += [f"a section failed: {text[:300]}" for text in page.get_by_text(VIEW_FAILED).all_inner_texts()]
    found += [f"page error: {e[:600]}" for e in js_errors if e not in KNOWN_PAGE_ERRORS]
    return found


def last_server_traceback(limit: int = 3_000) -> str:
    """The end of the last traceback in the session server's log (the page shows a redacted message)."""
    log = ARTIFACTS / "streamlit-server.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    start = text.rfind("Traceback (most recent call last)")
    return text[start:][-limit:] if start >= 0 else "(no traceback in the server log)"


def assert_no_app_error(page: Any, js_errors: list[str], after: str) -> None:
    errors = app_errors(page, js_errors)
    if errors:
        pytest.fail(
            f"after {after}:\n" + "\n".join(errors) + "\nlast traceback in the server log "
            f"({ARTIFACTS / 'streamlit-server.log'}):\n{last_server_traceback()}",
            pytrace=False,
        )


def assert_page_complete(page: Any, js_errors: list[str], after: str) -> None:
    """No app error, and the last sections drawn (the expanders) are shown: the script ran to the end."""
    assert_no_app_error(page, js_errors, after)
    for title in EXPANDERS:
        expander = page.locator('[data-testid="stExpander"]').filter(has_text=title)
        assert expander.count() == 1, f"after {after}: the {title!r} section is missing"


def metric_values(page: Any, label: str) -> list[str]:
    """The values of the metrics labelled exactly ``label`` (read once the page is idle)."""
    return page.evaluate(
        """label => [...document.querySelectorAll('[data-testid="stMetric"]')]
            .filter(m => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === label)
            .map(m => m.querySelector('[data-testid="stMetricValue"]').innerText.trim())""",
        label,
    )


# ------------------------------------------------------------------------------------------- widgets
def sidebar_button(page: Any, name: str) -> Any:
    return page.locator(SIDEBAR).get_by_role("button", name=name, exact=True)


def widget(page: Any, testid: str, label: str) -> Any:
    """The widget of type ``testid`` whose label contains ``label``."""
    labelled = page.locator('[data-testid="stWidgetLabel"]').filter(has_text=label)
    return page.locator(f'[data-testid="{testid}"]').filter(has=labelled)


def choose_option(page: Any, selectbox: Any, option: str) -> None:
    """Open ``selectbox`` and click its option ``option``."""
    selectbox.locator('button[aria-haspopup="listbox"]').click()
    page.locator('[role="listbox"]').get_by_role("option", name=option, exact=True).click()


def table_editor(page: Any) -> Any:
    """The truth-table editor: the data editor in the page column headed "Truth table"."""
    column = page.locator('[data-testid="stColumn"]').filter(
        has=page.get_by_role("heading", name="Truth table")
    )
    return column.locator('[data-testid="stDataFrame"]').first


HEADER_PX, ROW_PX = 35, 35  # the editor's header and row heights
DATA_COLUMN_X = 100  # x of the first data column (after the row markers and the index) in the editor
FIRST_DATA_COLUMN = 2  # grid column of x1: 0 is the row markers, 1 the index
CELL_INPUT = "input.gdg-input, textarea.gdg-input"  # the editor glide-data-grid opens over a cell
KEY_PAUSE_MS = 300
_CELL_EDITOR_FOCUSED = "() => document.activeElement?.classList.contains('gdg-input') === true"


def center(locator: Any) -> None:
    """Scroll ``locator`` to the middle of the window: at an edge, the page's header or the window's end
    can cover it or the toolbar shown above it on hover."""
    locator.evaluate("e => e.scrollIntoView({block: 'center'})")


def selected_cell(editor: Any) -> tuple[int, int] | None:
    """(grid column, row) of the editor's selected cell, from its accessible table."""
    ids = editor.locator('td[aria-selected="true"]').evaluate_all("cells => cells.map(c => c.id)")
    if len(ids) != 1:
        return None
    _, _, column, row = ids[0].split("-")
    return int(column), int(row)


def poll(check: Any, timeout_s: float = 3.0) -> Any:
    """``check()`` until it returns something truthy or ``timeout_s`` passes; its last value."""
    deadline = time.monotonic() + timeout_s
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def select_cell(page: Any, editor: Any, row: int, column: int) -> None:
    """Select data cell (``row``, ``column``) (0-based; column 0 is x1): click the first data cell, then
    move with the arrow keys (which scroll the canvas), one key at a time, each checked in the grid's
    accessible table. A click the busy page loses is repeated; a click on the cell already selected
    opens its editor, which is closed again."""
    center(editor)
    box = editor.bounding_box()
    assert box is not None, "the table editor is not on the page"
    first = (FIRST_DATA_COLUMN, 0)
    for _ in range(3):
        already = selected_cell(editor) == first
        page.mouse.click(box["x"] + DATA_COLUMN_X, box["y"] + HEADER_PX + ROW_PX / 2)
        if already:  # a click on the selected cell opens its editor: close it, the selection stays
            if poll(lambda: page.locator(CELL_INPUT).count(), timeout_s=1.0):
                page.keyboard.press("Escape")
                assert poll(lambda: not page.locator(CELL_INPUT).count()), "the cell editor did not close"
            break
        if poll(lambda: selected_cell(editor) == first):
            break
    position = selected_cell(editor)
    assert position == first, f"clicking the table editor's first cell selected {position}"
    target = (column + FIRST_DATA_COLUMN, row)
    moves = {"ArrowRight": (1, 0), "ArrowLeft": (-1, 0), "ArrowDown": (0, 1), "ArrowUp": (0, -1)}
    while position != target:
        if position[0] != target[0]:
            key = "ArrowRight" if target[0] > position[0] else "ArrowLeft"
        else:
            key = "ArrowDown" if target[1] > position[1] else "ArrowUp"
        step = moves[key]
        expected = (position[0] + step[0], position[1] + step[1])
        page.keyboard.press(key)
        poll(lambda expected=expected: selected_cell(editor) == expected)
        position = selected_cell(editor)
        assert position == expected, f"{key} moved the table editor's selection to {position}, not {expected}"


def type_in_cell(page: Any, editor: Any, row: int, column: int, text: str) -> None:
    """Enter, type ``text``, Enter in cell (``row``, ``column``); an empty ``text`` clears it (Delete)."""
    select_cell(page, editor, row, column)
    if text:
        # at a person's pace: an Enter that follows the previous key within a few milliseconds is
        # sometimes dropped by the grid's editor, and the edit with it
        page.wait_for_timeout(KEY_PAUSE_MS)
        page.keyboard.press("Enter")  # opens the cell's editor
        page.wait_for_function(_CELL_EDITOR_FOCUSED, timeout=5_000)
        page.keyboard.press("Control+A")  # its value is not always selected yet
        page.keyboard.type(text)
        # the grid's number editor drops what is not part of a number: wait for what it keeps
        poll(lambda: page.evaluate("() => document.activeElement.value") == text, timeout_s=1.0)
        page.wait_for_timeout(KEY_PAUSE_MS)
        page.keyboard.press("Enter")
    else:
        page.keyboard.press("Delete")


def upload_input(page: Any) -> Any:
    """Open "Share & export" if closed; its file uploader's <input type=file>."""
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="Share & export")
    if not expander.locator('[data-testid="stFileUploader"]').count():
        expander.locator("summary").click()
    uploader = expander.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploader.wait_for(state="attached")
    return uploader


# --------------------------------------------------------------------------------------------- tests
@pytest.fixture
def loaded(page: Any) -> Any:
    """The default page, loaded and idle, its reruns counted."""
    wait_for_metric(page, "Iteration", "10,000")
    watch_reruns(page)
    return page


def step_and_check(page: Any, js_errors: list[str], after: str, expected_iteration: str) -> None:
    """Press Step; the page must finish without an error and show ``expected_iteration``."""
    assert_page_complete(page, js_errors, after)
    before = reruns(page)
    sidebar_button(page, "Step").click()
    settle(page, before, rerun=True)
    assert_page_complete(page, js_errors, f"{after}, then Step")
    shown = metric_values(page, "Iteration")
    assert shown == [expected_iteration], f"after {after}, then Step: Iteration shows {shown}"


def test_preset_majority_then_step(loaded: Any, js_errors: list[str]) -> None:
    before = reruns(loaded)
    choose_option(loaded, widget(loaded, "stSelectbox", "Preset"), "majority")
    settle(loaded, before, rerun=True)
    inputs = widget(loaded, "stNumberInput", "Input columns").locator("input")
    assert inputs.input_value() == "4", "the majority preset (4 input columns) did not load"
    step_and_check(loaded, js_errors, "the majority preset", "10,001")


def test_cell_edit_then_step(loaded: Any, js_errors: list[str]) -> None:
    editor = table_editor(loaded)
    before = reruns(loaded)
    type_in_cell(loaded, editor, 0, 0, "1")  # row 1, x1: 0 -> 1
    settle(loaded, before, rerun=True)
    assert editor.locator("#glide-cell-2-0").inner_text() == "1", "the cell edit did not land"
    step_and_check(loaded, js_errors, "typing 1 into row 1's x1", "10,001")


def test_input_column_plus_then_step(loaded: Any, js_errors: list[str]) -> None:
    before = reruns(loaded)
    widget(loaded, "stNumberInput", "Input columns").get_by_test_id("stNumberInputStepUp").click()
    settle(loaded, before, rerun=True)
    step_and_check(loaded, js_errors, '"+" on Input columns', "10,001")


def test_uploaded_table_then_step(loaded: Any, js_errors: list[str], tmp_path: Path) -> None:
    notebook = get_preset("notebook").table
    X = notebook.X.copy()
    X[0] = [1, 1, 0]  # the first row differs from the shown table's
    source = tmp_path / "first-row-differs.csv"
    source.write_text(table_to_csv(TruthTable(X, notebook.y)))
    before = reruns(loaded)
    upload_input(loaded).set_input_files(str(source))
    settle(loaded, before, rerun=True)
    step_and_check(loaded, js_errors, "uploading a table whose first row differs", "10,001")


def test_step_after_inspecting_an_earlier_iteration_continues_from_it(
    loaded: Any, js_errors: list[str]
) -> None:
    """Step applies one update to the iteration shown: inspecting 9,997 and pressing Step shows 9,998."""
    slider = widget(loaded, "stSlider", "Inspect iteration").locator('input[type="range"]')
    before = reruns(loaded)
    slider.focus()
    for _ in range(3):
        loaded.keyboard.press("ArrowLeft")
    settle(loaded, before, rerun=True)
    wait_for_metric(loaded, "Iteration", "9,997", timeout_ms=10_000)
    step_and_check(loaded, js_errors, "inspecting iteration 9,997", "9,998")
