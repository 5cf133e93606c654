"""Bringing a link's view into sight: a link that opens the chain rule or names a teaching tab scrolls the
page to that section when it is first opened, once per session.

The server cannot scroll the browser, so a small component does it in the browser: it scrolls the section
(found by its key's class, ``st-key-<key>``) to just under Streamlit's fixed header, and keeps it there while
the page streams in and its charts take their height, until the visitor scrolls, clicks or presses a key,
or for at most ``SETTLE_MS``; not at all if the visitor has scrolled before it runs. It is drawn in one
run only, so later reruns never scroll again.
"""

from __future__ import annotations

import streamlit as st
import streamlit.components.v2 as components

SETTLE_MS = 10_000  # how long the section is kept in place while the page above it still grows

_SCROLL_JS = """
export default function ({ data, parentElement }) {
  const page = (parentElement.host || parentElement).closest('[data-testid="stMainBlockContainer"]');
  if (page.closest('[data-testid="stMain"]').scrollTop > 0) return;  // the visitor scrolled already
  const align = () => {
    const section = document.querySelector(`.st-key-${data.section}`);
    if (!section) return;  // not drawn yet: the page is still streaming, and grows when it comes
    const header = document.querySelector('[data-testid="stHeader"]');
    section.style.scrollMarginTop = `${(header ? header.offsetHeight : 0) + 8}px`;
    section.scrollIntoView({ block: "start" });
  };
  const observer = new ResizeObserver(align);  // on observe, then whenever the page changes height
  const inputs = new AbortController();
  const stop = () => { observer.disconnect(); inputs.abort(); };
  for (const type of ["wheel", "touchstart", "pointerdown", "keydown"]) {  // the visitor's own scrolling
    window.addEventListener(type, stop, { capture: true, passive: true, signal: inputs.signal });
  }
  setTimeout(stop, data.settle_ms);
  observer.observe(page);
  // No cleanup: the next rerun removes this element, often before the charts above the section are drawn.
}
"""

_scroll = components.component("backprop_scroll_to_section", js=_SCROLL_JS)


def scroll_to_linked_section() -> None:
    """Once per session, at the end of the page: scroll to the section the link opened (see
    ``app.share.linked_section``), if any."""
    section = st.session_state.pop("linked_section", None)
    if section:
        _scroll(key="scroll_to_section", data={"section": section, "settle_ms": SETTLE_MS}, height=0)
