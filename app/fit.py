"""How the training chart fits the visitor's screen, and presenter mode for a live class.

Streamlit does not tell the server how wide a browser is, so a small component beside the chart
measures the chart's column in the browser and reports a size class (narrow, medium, wide) whenever
it changes: on the first load, when the window is resized or turned, when the sidebar opens or shuts,
or when the browser zooms. The page reruns once on such a change and draws the chart arranged for it:
one column on a phone, a grid on a desktop, and a single short row with large text for a projector.
"""

from __future__ import annotations

import streamlit as st
import streamlit.components.v2 as components

from backprop.figures import DESKTOP, PHONE, PRESENTER_FONT, Fit
from backprop.share import switch_on

NARROW_PX = 600  # below this the chart's column is a phone's: panels one under the other
WIDE_PX = 800  # from this a presenter's chart puts its three panels on one row (1280 px, sidebar open)
SIZES = ("narrow", "medium", "wide")

_MEASURE_JS = """
export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const host = parentElement.host || parentElement;
  // the chart's column, or in presenter mode the page's own block (the chart is in no column there)
  const column = host.closest('[data-testid="stColumn"], [data-testid="stVerticalBlock"]');
  let sent = data.size;
  const report = () => {
    const width = column ? column.getBoundingClientRect().width : 0;
    if (!width) return;
    const size = width < data.narrow ? "narrow" : width < data.wide ? "medium" : "wide";
    if (size !== sent) {
      sent = size;
      setStateValue("size", size);
    }
  };
  const observer = new ResizeObserver(report);
  if (column) observer.observe(column);
  report();
  return () => observer.disconnect();
}
"""

_measure = components.component("backprop_column_width", js=_MEASURE_JS)

# Presenter mode: no room lost above the chart, and formulas big enough to read across a room.
_PRESENTER_CSS = """
<style>
.stMainBlockContainer { padding-top: 4rem; }  /* just under the header and its menu */
.katex { font-size: 1.75em; }  /* 28 px: the smallest sub- and superscripts (half size) are 14 px */
</style>
"""


def column_size() -> str:
    """The size class of the current column in the browser (``measured_size`` until it has measured)."""
    guess = measured_size()
    result = _measure(
        key="column_size",
        data={"size": guess, "narrow": NARROW_PX, "wide": WIDE_PX},
        default={"size": guess},
        on_size_change=lambda: None,
        height=0,
    )
    size = result.get("size") if hasattr(result, "get") else getattr(result, "size", None)
    return size if size in SIZES else guess


def measured_size() -> str:
    """The size class ``column_size`` last measured; before that, the likeliest: a desktop's chart column
    ("medium", so that a desktop's first visit draws once, not twice) or a projector's page ("wide")."""
    size = st.session_state.get("column_size", {}).get("size")
    return size if size in SIZES else ("wide" if presenting() else "medium")


def chart_fit(size: str, presenting: bool) -> Fit:
    """How the training chart is arranged for a column of ``size`` ("narrow", "medium", "wide")."""
    if size == "narrow":
        return PHONE
    if not presenting:
        return DESKTOP
    arrangement = "row" if size == "wide" else "grid"
    return Fit(arrangement, PRESENTER_FONT + 2, PRESENTER_FONT)


def sidebar_state() -> str:
    """The sidebar on arrival: shut for a presenter link (``present=1``), so the chart has the width of
    the screen (its panels on one row even at 125 % zoom), and as Streamlit chooses otherwise."""
    return "collapsed" if switch_on(st.query_params.get("present", "")) else "auto"


def presenting() -> bool:
    """Whether presenter mode is on (the sidebar's toggle, ``present=true`` in the address bar)."""
    return bool(st.session_state.get("present"))


def presenter_toggle() -> bool:
    """Presenter mode's switch, at the top of the sidebar so that a link's ``present=true`` is read before
    the page is laid out; with it on, its style. Returns whether presenter mode is on."""
    st.sidebar.toggle(
        "Presenter mode",
        key="present",
        bind="query-params",
        help="For a projector: the training chart first, whole and with large text, Train, Step and "
        "Reset just above it, and the introduction hidden. Links keep it: present=true.",
    )
    if presenting():
        st.html(_PRESENTER_CSS)
    return presenting()
