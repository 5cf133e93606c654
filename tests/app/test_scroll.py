"""A prepared link scrolls the page to the section it opens, once: which section is decided from the link
on the session's first run (the scrolling itself, in a real browser: tests/browser/test_scroll.py)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from app.share import linked_section
from tests.app.pagetest import fresh, rerun


def scrolled_to(at: AppTest) -> str | None:
    """The section this run asks the browser to scroll to (None: no scroll)."""
    found = [c for c in at.get("bidi_component") if c.key == "scroll_to_section"]
    return json.loads(found[0].proto.json)["section"] if found else None


@pytest.mark.parametrize(
    ("link", "section"),
    [
        ({"tab": "sweep"}, "tab"),
        ({"tab": "Learning-rate sweep"}, "tab"),  # as the address bar writes it
        ({"tab": "network"}, "tab"),  # the first tab, named: the link is about the tabs
        ({"preset": "xor", "layers": "1", "tab": "hidden"}, "tab"),
        ({"chain": "1", "weight": "w(x1→out)", "chain_view": "Matrix form"}, "chain"),
        ({"chain": "true", "tab": "surface"}, "chain"),  # the chain rule, further down, wins
        ({}, None),
        ({"preset": "xor", "lr": "0.5", "at": "12"}, None),  # no view key: the page opens at its top
        ({"share": "true"}, None),
        ({"chain": "0", "tab": "network"}, "tab"),
        ({"tab": "bogus"}, None),  # its warning, at the top, must be seen
        ({"lr": "abc", "tab": "sweep"}, None),
    ],
)
def test_a_link_scrolls_to_the_section_it_opens_on_the_first_run_only(link, section) -> None:
    at = fresh(**link)
    assert scrolled_to(at) == section
    assert "linked_section" not in at.session_state  # used up: no later rerun scrolls again
    rerun(at)
    assert scrolled_to(at) is None


def test_a_clicked_tab_or_section_never_scrolls() -> None:
    at = fresh()
    at.session_state["tab"] = "Learning-rate sweep"
    at.query_params["tab"] = "Learning-rate sweep"
    at.session_state["chain"] = True
    rerun(at)
    assert scrolled_to(at) is None


def test_linked_section_is_the_chain_rule_then_a_named_tab() -> None:
    assert linked_section({"chain": "1", "tab": "sweep"}, {"chain": "true", "tab": "x"}, ()) == "chain"
    assert linked_section({"tab": "network"}, {}, ()) == "tab"
    assert linked_section({"weight": "w(x1→out)"}, {"weight": "w(x1→out)"}, ()) is None
    assert linked_section({"tab": "sweep"}, {"tab": "x"}, ("Link value lr='abc': ...",)) is None
