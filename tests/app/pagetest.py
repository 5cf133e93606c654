"""Helpers for the page's AppTest tests: open the page, act on it, and read what a user sees.

AppTest runs the script without a browser, so widgets bound to the address bar never write it; where a
test acts as a browser would (opening a tab or a section), the helper writes the address bar too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from streamlit.testing.v1 import AppTest

from app.teaching import TEACHING_TABS

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
# What a control under test may be: input widgets end the search for "the error under this widget".
INPUT_TYPES = {"text_input", "number_input", "selectbox", "radio", "slider", "checkbox", "file_uploader"}


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def fresh(**link: str) -> AppTest:
    """A new session of the page, opened from a link with query ``link`` (none: the plain address)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(link)
    return rerun(at)


def address(at: AppTest, key: str, value: str | None) -> None:
    """What the browser does to the address bar when a bound widget changes (None: its default)."""
    if value is None:
        at.query_params.pop(key, None)
    else:
        at.query_params[key] = value


def open_tab(at: AppTest, label: str) -> None:
    """Click a teaching tab: its state, and its key in the address bar."""
    at.session_state["tab"] = label
    address(at, "tab", None if label == TEACHING_TABS[0] else label)
    rerun(at)


def open_section(at: AppTest, key: str, open_: bool = True) -> None:
    """Click an expander's header (``chain``, ``share``): its state, and its key in the address bar."""
    at.session_state[key] = open_
    address(at, key, "true" if open_ else None)
    rerun(at)


def metric(at: AppTest, prefix: str) -> str:
    values = [m.value for m in at.metric if m.label.startswith(prefix)]
    assert values, [m.label for m in at.metric]
    return values[0]


def prediction(at: AppTest) -> tuple[str, str]:
    """The label and value of the first prediction metric: which input, and the network's output."""
    found = next(m for m in at.metric if m.label.startswith("Prediction"))
    return found.label, found.value


def button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def edit_table(at: AppTest, edited_rows=None, added_rows=None, deleted_rows=None) -> None:
    """Edit the truth table as its editor sends edits: by row position and column name."""
    key = f"table_editor_{at.session_state['table_version']}"
    at.session_state[key] = {
        "edited_rows": edited_rows or {},
        "added_rows": added_rows or [],
        "deleted_rows": deleted_rows or [],
    }
    rerun(at)


def rows_table(at: AppTest) -> Any:
    """The per-row numbers at the inspected iteration (the dataframe with an 'output' column)."""
    frames = [d.value for d in at.dataframe if any(str(c).startswith("output") for c in d.value.columns)]
    assert frames, [list(d.value.columns) for d in at.dataframe]
    return frames[0]


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def plain(text: str) -> str:
    """A notice as a reader sees it: Markdown escapes and bold marks removed."""
    return re.sub(r"\\(.)", r"\1", text).replace("**", "")


def shown_link(at: AppTest) -> str:
    """The link in Share & export (opened for it)."""
    if not at.session_state["share"]:
        open_section(at, "share")
    (shown,) = [c.value for c in at.code if "?" in c.value]
    return shown


def link(at: AppTest) -> dict[str, str]:
    """The query of the link in Share & export: what the browser's address bar holds.

    Bound widgets never reach ``at.query_params`` in AppTest; the browser tests compare this link with
    the real address bar.
    """
    return dict(parse_qsl(urlsplit(shown_link(at)).query))


def walk(node: Any) -> Iterator[Any]:
    """Every element of the page in document order (main area, then sidebar)."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def error_under(at: AppTest, key: str, containing: str) -> str:
    """The st.error that follows the widget ``key`` with no other input widget in between."""
    nodes = list(walk(at._tree))
    position = next(i for i, n in enumerate(nodes) if getattr(n, "key", None) == key)
    for node in nodes[position + 1 :]:
        if node.type == "error" and containing in node.value:
            return node.value
        if node.type in INPUT_TYPES or (node.type == "dataframe" and node.key):
            break
    shown = [e.value for e in at.error]
    raise AssertionError(f"no error containing {containing!r} right under {key!r}; errors: {shown}")


# An HTML tag, a Markdown image or link: in the notices, where user text goes, only escaped ("\\<b>").
RAW_MARKUP = re.compile(r"(?<!\\)<[A-Za-z/!]|(?<!\\)!\[|(?<!\\)\]\(")


def assert_no_raw_markup(at: AppTest) -> None:
    """No notice on the page has unescaped HTML or Markdown markup: user text in it is shown as text."""
    for element in [*at.error, *at.warning, *at.info, *at.success]:
        assert not RAW_MARKUP.search(element.value), f"markup in a notice: {element.value!r}"
