"""A prepared link brings the section it opens into view, once, in a real browser at 1400x1000: the
teaching tabs for ``tab=``, the chain rule for ``chain=1``; the plain address stays at the top. (Which
section, and that only the first run scrolls: tests/app/test_scroll.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import IDLE, VIEWPORT, wait_for_metric

pytestmark = pytest.mark.browser

# The main area's scroll position, and where a section's top and the fixed header's bottom are on screen.
WHERE = """(selector) => {
  const section = document.querySelector(selector);
  return {
    scroll: document.querySelector('[data-testid="stMain"]').scrollTop,
    top: section ? section.getBoundingClientRect().top : null,
    header: document.querySelector('[data-testid="stHeader"]').getBoundingClientRect().bottom,
  };
}"""
IN_VIEW = f"([selector, height]) => {{ const w = ({WHERE})(selector); "
IN_VIEW += "return w.scroll > 0 && w.top !== null && w.top >= w.header && w.top < height; }"


@pytest.mark.parametrize(
    ("link", "selector"),
    [("tab=sweep", ".st-key-tab"), ("chain=1", ".st-key-chain"), ("present=1&tab=hidden", ".st-key-tab")],
)
def test_a_link_scrolls_its_section_into_view_and_leaves_the_scrolling_to_the_visitor(
    page: Any, app_url: str, link: str, selector: str
) -> None:
    page.goto(f"{app_url}/?{link}")
    page.wait_for_selector(IDLE)
    page.wait_for_function(IN_VIEW, arg=[selector, VIEWPORT["height"]], timeout=60_000)
    where = page.evaluate(WHERE, selector)
    assert where["header"] <= where["top"] < VIEWPORT["height"], where  # below the header, on screen

    page.mouse.move(VIEWPORT["width"] // 2, VIEWPORT["height"] // 2)
    page.mouse.wheel(0, -20_000)  # the visitor scrolls back to the top: the page never pulls them back
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop === 0")
    page.wait_for_timeout(2_000)
    assert page.evaluate(WHERE, selector)["scroll"] == 0


def test_the_plain_address_stays_at_the_top(page: Any) -> None:
    wait_for_metric(page, "Prediction for [1, 0, 0]", "0.99993703")
    assert page.locator(".st-key-scroll_to_section").count() == 0  # no scroll asked for
    page.wait_for_timeout(2_000)
    assert page.evaluate(WHERE, ".st-key-tab")["scroll"] == 0
