"""Ten visitors at once against one server: each session keeps its own table, settings and results.

Ten browser contexts (separate cookies and Streamlit sessions) open ten different links at the same time,
each a different table and seed; every page must show the numbers this process computes for its own
experiment, and none may show an error. Then all ten open one link at once: the same seed gives the
same numbers in every session.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from backprop.numbers import teaching_number
from backprop.share import Experiment, decode, encode, share_url
from backprop.table import TruthTable, get_preset, output_names
from backprop.trainer import TrainConfig, train

from .conftest import ARTIFACTS, IDLE, VIEWPORT

pytestmark = pytest.mark.browser

N_SESSIONS = 10
EXCEPTION = '[data-testid="stException"]'
NOTICE = '[data-testid="stAlert"]:has-text("could not be used")'


def experiment(i: int) -> Experiment:
    """Session ``i``'s experiment: its own random truth table (2 to 5 inputs, a constant-1 bias column,
    1 or 2 outputs) and its own seed, learning rate and network."""
    rng = np.random.RandomState(100 + i)
    n_inputs, n_outputs, n_rows = 2 + i % 4, 1 + i % 2, 4 + 2 * i
    X = np.hstack([rng.randint(0, 2, (n_rows, n_inputs - 1)), np.ones((n_rows, 1))])
    y = rng.randint(0, 2, (n_rows, n_outputs)).astype(float)
    config = TrainConfig(
        learning_rate=[0.5, 1.0, 2.0][i % 3],
        n_iterations=500 + 250 * i,
        seed=1000 + 7919 * i,
        hidden=() if i % 3 == 0 else (2 + i % 3,),
        activation=["sigmoid", "tanh"][i % 2],
        use_bias=i % 2 == 1,
    )
    test_input = tuple(float(v) for v in X[-1])
    return Experiment("notebook", TruthTable(X, y), config, test_input)


def expected(exp: Experiment) -> dict[str, str]:
    """The metrics the page must show for ``exp``, computed here with the same library."""
    run = train(exp.table, exp.config)
    shown = "[" + ", ".join(f"{v:g}" for v in exp.test_input) + "]"
    names = output_names(exp.table.n_outputs)
    values = run.predict(np.array([exp.test_input]))[0]
    metrics = {
        "Iteration": f"{run.final.iteration:,}",
        "Loss E = ½·Σ(y − out)²": teaching_number(run.final.loss),
    }
    for name, value in zip(names, values, strict=True):
        label = f"Prediction for {shown}" if len(names) == 1 else f"Prediction {name} for {shown}"
        metrics[label] = f"{value:.8f}"
    return metrics


def link(app_url: str, exp: Experiment) -> str:
    params = encode(exp)
    decoded = decode(params)
    assert decoded.experiment == exp and not decoded.notices  # the link carries the whole experiment
    return share_url(f"{app_url}/", params)


@pytest.fixture
def pages(chromium_browser: Any) -> Iterator[list[Any]]:
    """Ten pages, each in its own browser context; uncaught JavaScript errors fail the test."""
    contexts = [chromium_browser.new_context(viewport=VIEWPORT) for _ in range(N_SESSIONS)]
    errors: list[str] = []
    opened = []
    for context in contexts:
        context.set_default_timeout(120_000)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        opened.append(page)
    yield opened
    for context in contexts:
        context.close()
    assert not errors, errors


def shown_metrics(page: Any, labels: list[str], timeout_ms: float = 120_000) -> dict[str, str]:
    """The values of metrics ``labels`` once the script is idle and all of them are on the page."""
    page.wait_for_function(
        """(labels) => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
            const names = [...document.querySelectorAll('[data-testid="stMetricLabel"]')].map(
                n => n.innerText.trim());
            return labels.every(label => names.filter(n => n === label).length === 1);
        }""",
        arg=labels,
        timeout=timeout_ms,
    )
    page.wait_for_selector(IDLE)
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid="stMetric"]')].map(m => [
            m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
            m.querySelector('[data-testid="stMetricValue"]').innerText.trim(),
        ]))"""
    )


def open_all(pages: list[Any], urls: list[str]) -> float:
    """Start loading every page before waiting for any, so the server serves them all at once."""
    start = time.monotonic()
    for page, url in zip(pages, urls, strict=True):
        page.goto(url, wait_until="commit")
    return start


def server_log_tail(start: int) -> str:
    log = ARTIFACTS / "streamlit-server.log"
    return log.read_text(errors="replace")[start:] if log.exists() else ""


def test_ten_sessions_at_once_each_see_their_own_results(pages: list[Any], app_url: str) -> None:
    log = ARTIFACTS / "streamlit-server.log"
    log_start = len(log.read_text(errors="replace")) if log.exists() else 0
    experiments = [experiment(i) for i in range(N_SESSIONS)]
    assert len({(e.table, e.config.seed) for e in experiments}) == N_SESSIONS
    wanted = [expected(e) for e in experiments]

    start = open_all(pages, [link(app_url, e) for e in experiments])
    for i, (page, want) in enumerate(zip(pages, wanted, strict=True)):
        shown = shown_metrics(page, list(want))
        assert {label: shown[label] for label in want} == want, f"session {i}"
        assert page.locator(EXCEPTION).count() == 0 and page.locator(NOTICE).count() == 0, f"session {i}"
    elapsed = time.monotonic() - start
    print(f"ten sessions opened and checked in {elapsed:.1f} s")
    pages[0].screenshot(path=str(ARTIFACTS / "many-sessions-0.png"), full_page=True)
    pages[-1].screenshot(path=str(ARTIFACTS / "many-sessions-9.png"), full_page=True)

    # Each session kept its own experiment while the others ran: look again, after all have finished.
    for i, (page, want) in enumerate(zip(pages, wanted, strict=True)):
        shown = shown_metrics(page, list(want))
        assert {label: shown[label] for label in want} == want, f"session {i} changed"

    # All ten open the same link at once: the same seed gives the same numbers in every session.
    config = TrainConfig(n_iterations=3000, seed=4242, hidden=(3,))
    common = Experiment("xor", get_preset("xor").table, config, (1.0, 0.0, 1.0))
    want = expected(common)
    open_all(pages, [link(app_url, common)] * N_SESSIONS)
    seen = [shown_metrics(page, list(want)) for page in pages]
    assert all({label: s[label] for label in want} == want for s in seen), seen
    assert all(page.locator(EXCEPTION).count() == 0 for page in pages)

    tail = server_log_tail(log_start)
    assert "Traceback" not in tail and "Uncaught app" not in tail, tail[-2000:]
    assert elapsed < 300, f"ten sessions took {elapsed:.0f} s"
