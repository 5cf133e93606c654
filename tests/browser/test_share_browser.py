"""Shareable links, CSV upload and downloads in a real browser.

A link copied in one browser context (its own cookies, storage and Streamlit session) must reopen the
identical run in a second, fresh one; an uploaded table must come back unchanged from the download.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from backprop.share import decode
from backprop.table import TruthTable, get_preset, table_to_csv
from backprop.trainer import TrainConfig, train

from .conftest import ARTIFACTS, IDLE, VIEWPORT, wait_for_metric, wait_idle

pytestmark = pytest.mark.browser

XOR_QUERY = "preset=xor&lr=0.5&iterations=3000&seed=3&hidden=4&activation=tanh&bias=1&input=1,0,1"
XOR_CONFIG = TrainConfig(
    learning_rate=0.5, n_iterations=3000, seed=3, hidden=(4,), activation="tanh", use_bias=True
)
LINK = '[data-testid="stExpander"] [data-testid="stCode"]'
NOTICE = '[data-testid="stAlert"]:has-text("could not be used")'


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture
def second_context(chromium_browser: Any) -> Iterator[Any]:
    """Another browser context: no shared cookies, storage or Streamlit session with `page`."""
    context = chromium_browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    yield context
    context.close()


def metrics(page: Any) -> dict[str, str]:
    """Every st.metric on the page, label -> value, once the script is idle."""
    page.wait_for_selector(IDLE)
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid="stMetric"]')].map(m => [
            m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
            m.querySelector('[data-testid="stMetricValue"]').innerText.trim(),
        ]))"""
    )


def open_share(page: Any) -> Any:
    """Expand "Share & export" (if closed) and return its body."""
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="Share & export")
    body = expander.locator('[data-testid="stExpanderDetails"]')
    if not body.is_visible():
        expander.locator("summary").click()
    body.wait_for(state="visible")
    return expander


def shown_link(page: Any) -> str:
    open_share(page)
    return page.locator(LINK).first.inner_text().strip()


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def address(page: Any) -> dict[str, list[str]]:
    """The address bar's query as the document holds it (``page.url`` can trail a history update)."""
    page.wait_for_selector(IDLE)
    return query(page.evaluate("() => location.href"))


def settles(page: Any, check: Any, timeout_s: float = 10.0) -> dict[str, list[str]]:
    """The address bar's query once ``check(query)`` holds: the browser writes it after the rerun."""
    deadline = time.monotonic() + timeout_s
    while not check(found := address(page)) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert check(found), found
    return found


def test_a_copied_link_reopens_the_identical_run_in_a_fresh_context(
    page: Any, app_url: str, second_context: Any
) -> None:
    expected = train(get_preset("xor").table, XOR_CONFIG).predict([[1, 0, 1]])[0, 0]
    page.goto(f"{app_url}/?{XOR_QUERY}")
    wait_for_metric(page, "Prediction for [1, 0, 1]", f"{expected:.8f}")
    first = metrics(page)
    assert first["Iteration"] == "3,000"
    assert first["Prediction for [1, 0, 1]"] == f"{expected:.8f}"
    assert page.locator(NOTICE).count() == 0  # a clean link: no notices

    # one more update, so the link must carry state the first URL did not
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Step", exact=True).click()
    wait_for_metric(page, "Iteration", "3,001")
    first = metrics(page)
    assert first["Iteration"] == "3,001"

    # copy with the code block's copy button, as a user would
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    open_share(page)
    block = page.locator(LINK).first
    block.hover()
    block.get_by_role("button").first.click()
    copied = page.evaluate("() => navigator.clipboard.readText()").strip()
    assert copied == shown_link(page)
    assert copied.startswith(app_url)
    # the training length and the iteration shown travel apart
    assert query(copied)["iterations"] == ["3000"] and query(copied)["at"] == ["3001"]
    bar = settles(page, lambda q: q.get("at") == ["3001"])
    assert {k: v for k, v in bar.items() if k != "share"} == query(copied)  # the address bar is the link
    assert decode(query(copied)).notices == ()

    other = second_context.new_page()
    other.goto(copied)
    wait_for_metric(other, "Iteration", "3,001")
    assert metrics(other) == first
    assert shown_link(other) == copied
    ARTIFACTS.mkdir(exist_ok=True)
    other.screenshot(path=str(ARTIFACTS / "share-reopened.png"))


def test_a_junk_link_shows_a_notice_and_opens_the_defaults(page: Any, app_url: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    payload = quote("<svg onload=alert(1)>")
    page.goto(f"{app_url}/?lr=abc&seed=1e999&preset={payload}&hidden=9,9,9")
    wait_for_metric(page, "Prediction for [1, 0, 0]", "0.99993703")
    notice = page.locator(NOTICE)
    expect(notice).to_be_visible()
    text = notice.inner_text()
    for key in ("lr=", "seed=", "preset=", "hidden="):
        assert key in text
    assert "'<svg onload=alert(1)>'" in text  # shown as text, not run as markup
    assert dialogs == []
    shown = metrics(page)
    assert shown.get("Prediction for [1, 0, 0]") == "0.99993703", shown
    # the address bar: what is used, the default learning rate left out as its widget leaves it
    settles(page, lambda q: "lr" not in q and "hidden" not in q and q.get("seed") is None)


def test_uploaded_table_comes_back_from_the_download(page: Any, tmp_path: Path) -> None:
    table = TruthTable([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], [[0, 0.25], [1, 0], [1, 0], [0, 1]])
    text = table_to_csv(table)
    source = tmp_path / "uploaded.csv"
    source.write_text(text)
    wait_for_metric(page, "Prediction for [1, 0, 0]", "0.99993703")
    share = open_share(page)
    share.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(source))
    wait_idle(page, "Prediction y2 for")
    expected = train(table, TrainConfig()).predict([[1, 0, 0]])[0]
    wait_for_metric(page, "Prediction y2 for [1, 0, 0]", f"{expected[1]:.8f}")
    assert metrics(page)["Prediction y1 for [1, 0, 0]"] == f"{expected[0]:.8f}"
    assert address(page)["table"] == ["x1,x2,x3,y1,y2;0,0,1,0,0.25;0,1,1,1,0;1,0,1,1,0;1,1,1,0,1"]

    with page.expect_download() as info:
        share.get_by_role("button", name="Table (CSV)", exact=True).click()
    downloaded = tmp_path / "downloaded.csv"
    info.value.save_as(downloaded)
    assert downloaded.read_text() == text

    bad = tmp_path / "bad.csv"
    bad.write_text("x1,y\n0,2\n")
    share.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bad))
    error = share.locator('[data-testid="stAlert"]').filter(has_text="bad.csv")
    expect(error).to_contain_text("outside [0, 1]")
    assert "Prediction y2 for [1, 0, 0]" in metrics(page)  # the last valid table stays


def test_script_download_and_png_export(page: Any, tmp_path: Path) -> None:
    wait_for_metric(page, "Prediction for [1, 0, 0]", "0.99993703")
    share = open_share(page)
    with page.expect_download() as info:
        share.get_by_role("button", name="NumPy script", exact=True).click()
    script = tmp_path / "script.py"
    info.value.save_as(script)
    assert "weights += learning_rate * np.dot(layer0.T, delta)" in script.read_text()

    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    chart.hover()
    button = chart.locator('.modebar-btn[data-title="Download plot as a PNG"]')
    expect(button).to_be_attached()
    with page.expect_download() as info:
        button.click()
    assert info.value.suggested_filename == "backprop-training.png"
    png = tmp_path / "figure.png"
    info.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_address_bar_follows_every_setting_and_the_view_and_reopens_them(
    page: Any, app_url: str, second_context: Any
) -> None:
    """Widgets bound to the address bar: typed, chosen and set by a button; the open tab and sections."""
    wait_for_metric(page, "Prediction for [1, 0, 0]", "0.99993703")
    bar = page.locator('[data-testid="stSidebar"]')
    box = bar.get_by_role("textbox", name="Learning rate (0.001–100)")
    box.fill("0.3")
    box.press("Enter")
    settles(page, lambda q: q.get("lr") == ["0.3"])
    bar.get_by_text("1", exact=True).click()  # one hidden layer
    settles(page, lambda q: q.get("layers") == ["1"])
    bar.get_by_role("button", name="New seed", exact=True).click()  # set by code, not typed
    seed = settles(page, lambda q: q.get("seed", ["0"]) != ["0"])["seed"][0]
    assert bar.get_by_role("textbox", name="Seed (0–4,294,967,295)").input_value() == seed
    page.get_by_role("tab", name="Decision surface").click()
    page.locator('[data-testid="stExpander"] summary').filter(has_text="Chain rule").click()
    found = settles(page, lambda q: q.get("tab") == ["Decision surface"] and q.get("chain") == ["true"])
    wait_idle(page, "Weight or bias")
    shown = metrics(page)

    other = second_context.new_page()
    other.goto(f"{app_url}/?" + "&".join(f"{k}={quote(v[-1])}" for k, v in found.items()))
    wait_for_metric(other, "Iteration", shown["Iteration"])
    assert metrics(other) == shown
    side = other.locator('[data-testid="stSidebar"]')
    assert side.get_by_role("textbox", name="Learning rate (0.001–100)").input_value() == "0.3"
    assert side.get_by_role("textbox", name="Seed (0–4,294,967,295)").input_value() == seed
    expect(other.get_by_role("tab", name="Decision surface")).to_have_attribute("aria-selected", "true")
    expect(other.get_by_text("Weight or bias")).to_be_visible()  # the chain rule is open
    assert other.locator(NOTICE).count() == 0


def test_a_plain_visit_leaves_the_address_bar_bare_and_a_changed_setting_joins_it(
    page: Any, app_url: str
) -> None:
    """Settings at their default stay out of the address bar, as for every widget bound to it: a typed
    setting's widget names the default its box holds. A changed one appears, and leaves when set back."""
    wait_for_metric(page, "Prediction for [1, 0, 0]", "0.99993703")
    for _ in range(10):  # and stays bare while any late rerun (the chart measuring its column) runs
        assert urlsplit(page.evaluate("location.href")).query == "", page.evaluate("location.href")
        page.wait_for_timeout(200)
    box = page.locator('[data-testid="stSidebar"]').get_by_role("textbox", name="Learning rate (0.001–100)")
    box.fill("2")
    box.press("Enter")
    assert settles(page, lambda q: q.get("lr") == ["2"]) == {"lr": ["2"]}
    box.fill("1")
    box.press("Enter")
    settles(page, lambda q: q == {})
    # a link the page rewrites (a tab by its short name) keeps the defaults out too
    page.goto(f"{app_url}/?tab=sweep&lr=1&seed=0")
    wait_for_metric(page, "Prediction for [1, 0, 0]", "0.99993703")
    settles(page, lambda q: q == {"tab": ["Learning-rate sweep"]})
