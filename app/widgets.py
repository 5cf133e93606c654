"""Small page helpers shared by every section: a guard around each view, choices that survive what a
browser sends back, the message under a refused setting, the charts' toolbar and their text for screen
readers."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st

from backprop import share

T = TypeVar("T")
LOG = logging.getLogger("backprop.app")
VIEW_FAILED = "This view could not be drawn; the rest of the page is unaffected."
# The page's own style, drawn once per run (a style-only st.html takes no room):
# - .sr-only: read by screen readers, not shown (the usual clip pattern); its block takes no room.
# - Streamlit's Plotly theme writes chart text (ticks, axis titles, legends, the slider) in #808495, 3.8:1
#   on the light theme's white. This darkens exactly that grey, so only the light theme changes: 7:1.
# - .formula (app/chain_rule.formula): a formula wider than its box (most of them on a phone) scrolls
#   sideways inside it. st.latex would let KaTeX's own block scroll, which the keyboard cannot reach (a
#   scrollable region must be focusable); the box of the app's own takes the scrolling over and is a stop
#   of the Tab key, so the arrow keys scroll it.
_PAGE_CSS = """
<style>
.sr-only, [data-testid="stElementContainer"]:has(> [data-testid="stMarkdown"] .sr-only) {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;
}
[data-testid="stPlotlyChart"] text[style*="fill: rgb(128, 132, 149)"] { fill: #555966 !important; }
[data-testid="stMarkdownContainer"] .formula { max-width: 100%; overflow-x: auto; overflow-y: hidden; }
[data-testid="stMarkdownContainer"] .formula > .katex-display { overflow: visible; }
[data-testid="stMarkdownContainer"] .formula:focus-visible {
  outline: 2px solid currentColor; outline-offset: -2px; border-radius: 0.25rem;
}
</style>
"""


@contextmanager
def guarded(view: str) -> Iterator[None]:
    """Draw one section of the page; if it fails unexpectedly, say so in that section only.

    The traceback goes to the server log, never to the page. Streamlit's own control flow (rerun, stop)
    derives from BaseException and passes through.
    """
    try:
        yield
    except Exception:
        LOG.exception("The %s view could not be drawn", view)
        st.error(f"{VIEW_FAILED} ({view})", icon=":material/warning:")


def settle_choice(key: str, options: Sequence[T], format_func: Callable[[T], str] = str) -> T:
    """Make widget ``key``'s value one of ``options`` before the widget is drawn, and return it.

    After the options change (another table, another network) a browser sends back the old option's
    label, which Streamlit passes on as a plain string. A label that still names an option selects it;
    anything else falls back to the first option.
    """
    value = st.session_state.get(key)
    for option in options:
        if type(option) is type(value) and option == value:
            return option
    labels = [format_func(option) for option in options]
    chosen = options[labels.index(value)] if isinstance(value, str) and value in labels else options[0]
    st.session_state[key] = chosen
    return chosen


def refused_notice(key: str, where: Any = None) -> None:
    """Under a widget: why the value entered there was refused, and which value the page uses instead."""
    message = st.session_state.refused_settings.get(key)
    if not message:
        return
    kept = st.session_state.valid_settings[key]
    if isinstance(kept, bool):
        kept = "on" if kept else "off"
    elif isinstance(kept, int):
        kept = f"{kept:,}"
    elif isinstance(kept, float):
        kept = share.number_text(kept)
    text = f"{share.escape_markdown(message)} Using {share.escape_markdown(str(kept))}, the last valid value."
    (where or st).error(text, icon=":material/warning:")


def plotly_config() -> dict[str, object]:
    """Plotly's toolbar: "Download plot as a PNG" at twice the screen resolution, no Plotly logo.

    A new dict per chart: module-level objects are shared by every session of the server.
    """
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": "backprop-training", "scale": 2},
    }


def page_style() -> None:
    """The page's own style (``_PAGE_CSS``): hidden chart summaries, chart text at 4.5:1 or more on the
    light theme, and the chain rule's scrolling formula boxes."""
    st.html(_PAGE_CSS)


def chart_summary(text: str, where: Any = None) -> None:
    """Right before a chart (in ``where``, default the current container): ``text``, one sentence saying
    what the chart shows with its values, for screen readers only (hidden by ``page_style``)."""
    where = where or st
    where.markdown(f'<p class="sr-only">{html.escape(text)}</p>', unsafe_allow_html=True)
