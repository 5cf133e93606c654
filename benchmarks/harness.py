"""A ``streamlit run`` server on a free loopback port and Debian's headless Chromium.

Shared by the browser tests (tests/browser/conftest.py) and the page and load benchmarks. Chromium is
``/usr/bin/chromium`` driven by the Playwright package; no browser is ever downloaded.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "streamlit_app.py"
CHROMIUM = Path("/usr/bin/chromium")
# Headless, as root, with no network but loopback: without the background-networking flags Chromium
# keeps trying to reach its update and sync services.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# For page.wait_for_function(METRIC_SHOWN, arg=[label, value]): true once the script is idle and exactly
# one st.metric labelled `label` shows `value`. Checked together: while a rerun changes the layout the
# previous run's metrics stay on the page beside the new ones until the script finishes, and the page
# caption also quotes the notebook's prediction, so waiting for the text alone is not enough.
METRIC_SHOWN = """([label, value]) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    const shown = [...document.querySelectorAll('[data-testid="stMetric"]')].filter(m => {
        const name = m.querySelector('[data-testid="stMetricLabel"]');
        return name && name.innerText.trim() === label;
    });
    return shown.length === 1 &&
        shown[0].querySelector('[data-testid="stMetricValue"]').innerText.trim() === value;
}"""


class ServerError(RuntimeError):
    """The server exited or did not answer its health check in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str) -> bool:
    """Whether the Streamlit server at ``url`` answers its health check with ``ok``."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def stop(server: subprocess.Popen[bytes], timeout_s: float = 15) -> None:
    """End the server this process started, by its PID: terminate, then kill if it lingers."""
    server.terminate()
    try:
        server.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=timeout_s)


@contextmanager
def streamlit_server(
    log: IO[str] | None = None, *extra_args: str, timeout_s: float = 120
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run ``streamlit run streamlit_app.py`` on 127.0.0.1 until the block ends; yield (url, process).

    ``extra_args`` are more ``--option value`` pairs for ``streamlit run``; output goes to ``log``.
    Raises :class:`ServerError` when the server exits or is not healthy within ``timeout_s``.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra_args,
    ]  # fmt: skip
    output = subprocess.DEVNULL if log is None else log
    server = subprocess.Popen(
        command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + timeout_s
        while not healthy(url):
            if server.poll() is not None:
                raise ServerError(f"streamlit exited with status {server.returncode}")
            if time.monotonic() > deadline:
                raise ServerError(f"streamlit did not answer its health check within {timeout_s:.0f} s")
            time.sleep(0.25)
        yield url, server
    finally:
        stop(server)
