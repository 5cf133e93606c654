"""A newcomer's clicks in a real browser: a seeded random walk over every control of the page.

Each step picks one action (a preset, a table cell, a row, a column, a sidebar setting, a button, the
inspected iteration, a teaching tab and the widgets inside it, an expander, the test input, an upload),
performs it as a person would, waits for the script to finish and fails on any exception shown, the
"This app has encountered an error" panel or an uncaught page error. Sequences, not states: the bugs
found this way come from what the browser sends back after a rerun changed the widgets' options.

WALK_SEED (default below) picks the walk and WALK_STEPS (default 150) its length; a failure names the
seed, the step and every action so far, and leaves a screenshot in artifacts/. A step's random numbers
come from (seed, step) alone, so the same seed replays the same walk on the same app ("New seed" draws
a new training seed, which changes numbers on the page but not which widgets are there).
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from backprop.limits import MAX_HIDDEN_LAYERS

from .conftest import ARTIFACTS, VIEWPORT, wait_for_metric
from .test_repros import (
    CELL_INPUT,
    FIRST_DATA_COLUMN,
    HEADER_PX,
    ROW_PX,
    SIDEBAR,
    AppNotIdleError,
    app_errors,
    center,
    last_server_traceback,
    poll,
    reruns,
    settle,
    table_editor,
    type_in_cell,
    upload_input,
    watch_reruns,
    widget,
)

pytestmark = pytest.mark.browser

WALK_SEED = int(os.environ.get("WALK_SEED", "20240610"))
WALK_STEPS = int(os.environ.get("WALK_STEPS", "150"))
ACTION_TIMEOUT_MS = 15_000  # one click or key press on a page that is idle
SURE, MAYBE, NONE = 5_000.0, 1_500.0, 0.0  # how long to wait for the rerun an action causes to start

# An action performs one thing a person does and returns (what it did, how long its rerun may take to
# start: SURE, MAYBE or NONE), or None when its widget is not on the page right now.
Outcome = tuple[str, float] | None
Action = Callable[[Any, random.Random], Outcome]

TEACHING_TAB = "Learning-rate sweep"  # a tab only the teaching tabs have
CHAIN = "Chain rule, step by step"
SHARE = "Share & export"

CELL_TEXTS = ["0", "1", "1", "0", "0.5", "0.25", "-2", "3", "1e3", "abc", "", "2.5"]
# Settings typed as text (the box keeps what was typed; a refused entry gets a message under it).
TYPED_TEXTS = {
    "Learning rate": ["0", "0.001", "0.5", "1", "2", "10", "100", "1000", "1e5", "abc", "", "-1"],
    "Iterations": ["0", "1", "2", "25", "1000", "5000", "20000", "1e3", "abc", "", "-3", "2.5"],
    "Seed": ["0", "1", "42", "1000", "1e5", "4294967295", "4294967296", "abc", "", "-1", "0.5"],
    "Target loss": ["0", "0.001", "0.1", "0.5", "10", "11", "abc", "", "-1"],
    "Data seed": ["0", "1", "7", "1e3", "abc", "", "-1"],
    "Regularization rate": ["0", "0.001", "0.1", "1", "10", "11", "abc", "", "-1"],
}
# Number inputs: typed (the browser keeps only what the field accepts) or stepped with + and -.
NUMBER_TEXTS = {
    "Batch size": ["1", "2", "10", "50", "256", "300", "0", "abc", "", "2.5"],
}
SLIDERS = {  # label -> name in the walk's log
    "Points": "points",
    "Noise": "noise",
    "Test fraction": "test fraction",
}
SELECTBOXES = {"Dataset": "dataset", "Regularization": "regularization", "Hidden activation": "activation"}
TEST_INPUTS = [
    "1, 0, 0",
    "0, 1, 1",
    "1,0,0,1",
    "0 1",
    "1; 1; 1; 1",
    "1",
    "abc",
    "",
    "1e400",
    "nan",
    "2, -3, 0.5",
]
BUTTONS = ["Train", "Step", "Step", "Reset", "New seed"]


def visible(locator: Any) -> Any | None:
    """The first visible match of ``locator``, or None."""
    for i in range(locator.count()):
        if locator.nth(i).is_visible():
            return locator.nth(i)
    return None


def expander(page: Any, title: str) -> Any:
    return page.locator('[data-testid="stExpander"]').filter(has_text=title)


def is_open(section: Any) -> bool:
    return bool(section.count()) and section.locator('[data-testid="stExpanderDetails"]').is_visible()


# ----------------------------------------------------------------------------------------- actions
def pick_option(page: Any, rng: random.Random, selectbox: Any, name: str) -> Outcome:
    """Open ``selectbox``, click any of its options (the current one too)."""
    if selectbox is None or selectbox.get_by_role("combobox").is_disabled():
        return None
    combobox = selectbox.get_by_role("combobox")
    current = combobox.input_value()
    options = page.locator('[role="listbox"] [role="option"]')
    # the list toggles on its button; a click that the busy page handles late can leave it closed
    for opener in (selectbox.locator('button[aria-haspopup="listbox"]'), combobox):
        opener.click()
        if poll(lambda: options.count() > 0, timeout_s=3.0):
            break
    if not options.count():
        combobox.press("ArrowDown")  # the keyboard's way to open a combobox's list
    options.first.wait_for()
    labels = options.all_inner_texts()
    choice = rng.choice(labels)
    page.locator('[role="listbox"]').get_by_role("option", name=choice, exact=True).click()
    return f"{name}: {choice!r}", NONE if choice == current else SURE


def preset(page: Any, rng: random.Random) -> Outcome:
    return pick_option(page, rng, visible(widget(page, "stSelectbox", "Preset")), "preset")


def table_shape(editor: Any) -> tuple[int, int]:
    """(rows, data columns) of the editor, from its accessible table (the rows drawn so far)."""
    rows = editor.locator('td[id^="glide-cell-1-"]').count()
    ids = editor.locator('td[id^="glide-cell-"][id$="-0"]').evaluate_all("cells => cells.map(c => c.id)")
    columns = max((int(i.split("-")[2]) for i in ids), default=0) - FIRST_DATA_COLUMN + 1
    return rows, columns


EDITABLE = re.compile(r"x\d+|y\d*")  # computed columns (x1², sin x1, set) are read-only


def editable_columns(editor: Any) -> list[int]:
    """The data columns a person can type into, by their headers (the first header is the row index)."""
    headers = editor.evaluate("e => [...e.querySelectorAll('th')].map(t => t.innerText.trim())")[1:]
    return [i for i, name in enumerate(headers) if EDITABLE.fullmatch(name)]


def cell_edit(page: Any, rng: random.Random) -> Outcome:
    editor = table_editor(page)
    rows, columns = table_shape(editor)
    editable = [c for c in editable_columns(editor) if c < columns]
    if rows < 1 or not editable:
        return None
    row, column, text = rng.randrange(rows), rng.choice(editable), rng.choice(CELL_TEXTS)
    cell = editor.locator(f"#glide-cell-{column + FIRST_DATA_COLUMN}-{row}")
    old = cell.inner_text().strip() if cell.count() else None
    type_in_cell(page, editor, row, column, text)
    return f"cell row {row + 1}, column {column + 1} of {columns}: {old!r} -> {text!r}", MAYBE


def add_row(page: Any, rng: random.Random) -> Outcome:
    editor = table_editor(page)
    center(editor)
    editor.hover()
    button = editor.locator('[data-testid="stElementToolbarButton"] button[aria-label="Add row"]')
    button.click()
    return "add a row", SURE


def delete_row(page: Any, rng: random.Random) -> Outcome:
    """Tick a row's marker, then press the toolbar's delete button (a Delete key pressed as fast as a
    script can is sometimes lost, leaving the row ticked and the toolbar over the inputs above)."""
    editor = table_editor(page)
    rows, _ = table_shape(editor)
    box = editor.bounding_box()
    if rows < 1 or box is None:
        return None
    shown = max(1, min(rows, int((box["height"] - HEADER_PX) // ROW_PX) - 1))  # rows drawn above "add"
    row = rng.randrange(shown)
    center(editor)
    box = editor.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + HEADER_PX + ROW_PX * (row + 0.5))  # the row marker
    delete = editor.locator('[data-testid="stElementToolbarButton"] button[aria-label^="Delete"]')
    if not poll(lambda: delete.count() > 0):
        return f"tick the row drawn at position {row + 1} (nothing ticked)", NONE
    editor.hover()
    delete.click()
    return f"delete the row drawn at position {row + 1} (tick its marker, toolbar delete)", SURE


def shape(page: Any, rng: random.Random) -> Outcome:
    label = rng.choice(["Input columns", "Output columns"])
    which = rng.choice(["StepUp", "StepDown"])
    field = visible(widget(page, "stNumberInput", label))
    if field is None:
        return None
    button = field.get_by_test_id(f"stNumberInput{which}")
    if button.is_disabled():
        return None
    button.click()
    return f"{label} {'+' if which == 'StepUp' else '-'}", SURE


def hidden_layers(page: Any, rng: random.Random) -> Outcome:
    radio = visible(widget(page, "stRadio", "Hidden layers"))
    if radio is None:
        return None
    options = radio.get_by_test_id("stRadioOption")
    option = options.nth(rng.randrange(options.count()))
    text = option.inner_text().strip()
    already = option.get_attribute("data-selected") == "true"
    option.click()
    return f"Hidden layers: {text}", NONE if already else SURE


def slide(page: Any, rng: random.Random, label: str, name: str) -> Outcome:
    """Focus the slider labelled ``label`` and press arrow keys (or Home/End/PageUp/PageDown)."""
    slider = visible(widget(page, "stSlider", label))
    if slider is None:
        return None
    field = slider.locator('input[type="range"]')
    old = field.input_value()
    key = rng.choice(
        ["ArrowLeft", "ArrowRight", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"]
    )
    presses = rng.randint(1, 4) if key.startswith("Arrow") else 1
    field.focus()
    for _ in range(presses):
        field.press(key)
    return f"{name} slider: {key} x{presses} ({old} -> {field.input_value()})", MAYBE


def units(page: Any, rng: random.Random) -> Outcome:
    layer = rng.randint(1, MAX_HIDDEN_LAYERS)
    return slide(page, rng, f"Units in hidden layer {layer}", f"units in layer {layer}")


def data_slider(page: Any, rng: random.Random) -> Outcome:
    label, name = rng.choice(list(SLIDERS.items()))
    return slide(page, rng, label, name)


def inspect(page: Any, rng: random.Random) -> Outcome:
    return slide(page, rng, "Inspect iteration", "Inspect iteration")


def sidebar_choice(page: Any, rng: random.Random) -> Outcome:
    label, name = rng.choice(list(SELECTBOXES.items()))
    return pick_option(page, rng, visible(widget(page, "stSelectbox", label)), name)


def feature_pill(page: Any, rng: random.Random) -> Outcome:
    """Toggle one of the derived input features (shown for a table of two inputs)."""
    group = visible(widget(page, "stButtonGroup", "Input features"))
    if group is None:
        return None
    pills = group.get_by_role("button")
    pill = pills.nth(rng.randrange(pills.count()))
    name = pill.inner_text().strip()
    pill.click()
    return f"toggle the feature {name!r}", SURE


def checkbox(page: Any, rng: random.Random) -> Outcome:
    label = rng.choice(["Learned biases", "Stop early at a target loss"])
    box = visible(page.locator(SIDEBAR).get_by_test_id("stCheckbox").filter(has_text=label))
    if box is None:
        return None
    box.locator("label").first.click()
    return f"toggle {label!r}", SURE


def typed(page: Any, rng: random.Random) -> Outcome:
    label = rng.choice(list(TYPED_TEXTS))
    field = visible(widget(page, "stTextInput", label))
    if field is None:
        return None
    entry = field.locator("input")
    old, text = entry.input_value(), rng.choice(TYPED_TEXTS[label])
    entry.fill(text)
    entry.press("Enter")
    return f"{label} {old!r} -> {text!r}", NONE if text == old else MAYBE


def number(page: Any, rng: random.Random) -> Outcome:
    label = rng.choice(list(NUMBER_TEXTS))
    field = visible(widget(page, "stNumberInput", label))
    if field is None:
        return None
    if rng.random() < 0.25:
        which = rng.choice(["StepUp", "StepDown"])
        button = field.get_by_test_id(f"stNumberInput{which}")
        if button.is_disabled():
            return None
        button.click()
        return f"{label} {'+' if which == 'StepUp' else '-'}", SURE
    text = rng.choice(NUMBER_TEXTS[label])
    entry = field.locator("input")
    entry.click()
    page.keyboard.press("Control+A")
    if text:
        page.keyboard.type(text)
    else:
        page.keyboard.press("Delete")
    page.keyboard.press("Enter")
    return f"{label} := {text!r}", MAYBE


def button(page: Any, rng: random.Random) -> Outcome:
    """Train, Step, Reset or New seed: in the sidebar or in the bar on the page (the same callbacks)."""
    name = rng.choice(BUTTONS)
    if rng.random() < 0.5:
        page.locator(SIDEBAR).get_by_role("button", name=name, exact=True).click()
        return f"press {name}", SURE
    bar = page.get_by_test_id("stMain").get_by_role("button", name=name, exact=True)
    bar.scroll_into_view_if_needed()
    bar.click()
    return f"press {name} on the page", SURE


def teaching_tabs(page: Any) -> Any:
    return page.get_by_test_id("stTabs").filter(has=page.get_by_role("tab", name=TEACHING_TAB))


def tab(page: Any, rng: random.Random) -> Outcome:
    tabs = teaching_tabs(page).first.get_by_role("tab")
    if not tabs.count():
        return None
    choice = tabs.nth(rng.randrange(tabs.count()))
    name = choice.inner_text().strip()
    already = choice.get_attribute("aria-selected") == "true"
    choice.click()
    return f"tab {name!r}", NONE if already else SURE


def tab_widget(page: Any, rng: random.Random) -> Outcome:
    """A selectbox or radio inside the open teaching tab (the Network tab's row picker and others)."""
    panel = visible(teaching_tabs(page).first.get_by_role("tabpanel"))
    if panel is None:
        return None
    widgets = panel.locator('[data-testid="stSelectbox"], [data-testid="stRadio"]')
    if not widgets.count():
        return None
    chosen = widgets.nth(rng.randrange(widgets.count()))
    label = chosen.get_by_test_id("stWidgetLabel").inner_text().strip()
    if chosen.get_attribute("data-testid") == "stSelectbox":
        return pick_option(page, rng, chosen, f"tab selectbox {label!r}")
    options = chosen.get_by_test_id("stRadioOption")
    option = options.nth(rng.randrange(options.count()))
    already = option.get_attribute("data-selected") == "true"
    option.click()
    return f"tab radio {label!r}: {option.inner_text().strip()}", NONE if already else SURE


def toggle_expander(page: Any, rng: random.Random) -> Outcome:
    title = rng.choice([CHAIN, SHARE])
    section = expander(page, title)
    if not section.count():
        return None
    was_open = is_open(section)
    section.locator("summary").first.click()
    return f"{'close' if was_open else 'open'} {title!r}", SURE


def chain_widget(page: Any, rng: random.Random) -> Outcome:
    """Inside an open "Chain rule, step by step": its weight selectbox or one of its tabs."""
    section = expander(page, CHAIN)
    if not is_open(section):
        return None
    if rng.random() < 0.5:
        return pick_option(page, rng, visible(widget(section, "stSelectbox", "Weight")), "chain weight")
    tabs = section.get_by_role("tab")
    if not tabs.count():
        return None
    choice = tabs.nth(rng.randrange(tabs.count()))
    choice.click()
    return f"chain tab {choice.inner_text().strip()!r}", NONE  # drawn in the browser: no rerun


def type_test_input(page: Any, rng: random.Random) -> Outcome:
    field = visible(widget(page, "stTextInput", "Test input"))
    if field is None:
        return None
    entry = field.locator("input")
    text = rng.choice(TEST_INPUTS)
    old = entry.input_value()
    entry.fill(text)
    entry.press("Enter")
    return f"test input {old!r} -> {text!r}", NONE if text == old else SURE


def upload(page: Any, rng: random.Random) -> Outcome:
    """A CSV through "Share & export" (opened if closed): a random table, sometimes an invalid one."""
    n_in, n_out, n_rows = rng.randint(1, 4), rng.randint(1, 2), rng.randint(1, 6)
    header = [f"x{i + 1}" for i in range(n_in)] + (
        ["y"] if n_out == 1 else [f"y{j + 1}" for j in range(n_out)]
    )
    rows = [[rng.choice(["0", "1"]) for _ in range(n_in + n_out)] for _ in range(n_rows)]
    flaw = rng.choice([None, None, None, "target 2", "text", "header only", "ragged"])
    if flaw == "target 2":
        rows[0][-1] = "2"
    elif flaw == "text":
        rows[-1][0] = "abc"
    elif flaw == "header only":
        rows = []
    elif flaw == "ragged":
        rows[0] = rows[0][:-1]
    text = "\n".join(",".join(line) for line in [header, *rows]) + "\n"
    upload_input(page).set_input_files({"name": "walk.csv", "mimeType": "text/csv", "buffer": text.encode()})
    return f"upload {text.strip()!r}", SURE


ACTIONS: list[tuple[Action, int]] = [
    (preset, 4),
    (cell_edit, 7),
    (add_row, 2),
    (delete_row, 2),
    (shape, 4),
    (hidden_layers, 3),
    (units, 3),
    (sidebar_choice, 4),
    (feature_pill, 2),
    (data_slider, 3),
    (checkbox, 2),
    (typed, 6),
    (number, 2),
    (button, 7),
    (inspect, 4),
    (tab, 5),
    (tab_widget, 4),
    (toggle_expander, 3),
    (chain_widget, 3),
    (type_test_input, 2),
    (upload, 1),
]


# -------------------------------------------------------------------------------------------- walk
_BLUR_GRID = """() => {
    const active = document.activeElement;
    if (active && active.closest('[data-testid="stDataFrame"]')) active.blur();
}"""


def close_popups(page: Any) -> None:
    """Escape an open selectbox list or a cell editor an action left behind; move the mouse off the
    page's widgets and the focus out of the table editor: its toolbar, shown on hover and while it has
    the focus, covers the number inputs above it."""
    if page.locator('[role="listbox"]').count() or page.locator(CELL_INPUT).count():
        page.keyboard.press("Escape")
    page.mouse.move(VIEWPORT["width"] - 5, VIEWPORT["height"] / 2)
    page.evaluate(_BLUR_GRID)


def fail_walk(page: Any, step: int, done: list[str], problem: str, kind: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"walk-seed{WALK_SEED}-step{step}.png"
    page.screenshot(path=str(shot))
    pytest.fail(
        f"{kind} at step {step} of the walk WALK_SEED={WALK_SEED} (rerun with WALK_SEED={WALK_SEED} "
        f"WALK_STEPS={step}, divided by the start's share of STARTS); screenshot {shot}\n{problem}\n"
        "actions so far:\n" + "\n".join(done),
        pytrace=False,
    )


# Where a walk starts, and the share of WALK_STEPS it takes: the default page, and a generated dataset
# with a test set, mini-batches, a penalty and depth (TensorFlow Playground's options, issue #13).
STARTS = {
    "default page": ("", 1.0),
    "playground": ("?dataset=circle&test=0.2&batch=20&reg=l1&reg_rate=0.01&layers=3&bias=true&lr=0.01", 0.5),
}


@pytest.mark.parametrize("start", list(STARTS))
def test_random_walk(page: Any, app_url: str, js_errors: list[str], start: str) -> None:
    from playwright.sync_api import Error as PlaywrightError

    query, share = STARTS[start]
    steps = max(1, round(WALK_STEPS * share))
    print(f"WALK_SEED={WALK_SEED} WALK_STEPS={WALK_STEPS} start={start!r} ({steps} steps)")
    if query:
        page.goto(app_url + query)
    wait_for_metric(page, "Iteration", "10,000")
    watch_reruns(page)
    page.context.set_default_timeout(ACTION_TIMEOUT_MS)
    actions, weights = zip(*ACTIONS, strict=True)
    done: list[str] = []
    started, attempt = time.monotonic(), 0
    while len(done) < steps and attempt < 4 * steps:
        rng = random.Random(f"{WALK_SEED}:{attempt}")
        attempt += 1
        action = rng.choices(actions, weights)[0]
        before = reruns(page)
        try:
            outcome = action(page, rng)
        except (PlaywrightError, AssertionError) as error:
            if app_errors(page, js_errors):  # the app failed under the action: report that below
                outcome = (f"{action.__name__} (interrupted: {str(error).splitlines()[0]})", NONE)
            else:
                problem = f"{action.__name__} could not be performed: {str(error)[:1500]}"
                fail_walk(page, len(done) + 1, done, problem, "TEST HARNESS PROBLEM (not an app error)")
        if outcome is None:
            continue
        description, start_ms = outcome
        done.append(f"{len(done) + 1:3d}. {description}  [{time.monotonic() - started:.0f} s]")
        try:
            settle(page, before, rerun=start_ms > 0, start_ms=start_ms)
        except AppNotIdleError as error:
            fail_walk(page, len(done), done, str(error), "APP TOO SLOW (still running, no error shown)")
        errors = app_errors(page, js_errors)
        if errors:
            problem = "\n".join(errors) + "\nlast traceback in the server log:\n" + last_server_traceback()
            fail_walk(page, len(done), done, problem, "APP ERROR")
        close_popups(page)
    elapsed = time.monotonic() - started
    print("\n".join(done))
    print(f"{len(done)} actions in {elapsed:.0f} s ({attempt - len(done)} skipped: widget not shown)")
    assert len(done) >= steps, f"only {len(done)} of {attempt} actions could be performed"
