"""``python -m benchmarks.load``: many users against one server, as on Streamlit Community Cloud.

Starts ``streamlit run streamlit_app.py`` on a free port of 127.0.0.1 and opens ``--sessions`` browser
sessions (separate Playwright contexts of Debian's Chromium), at most ``--concurrency`` at a time. Each
session opens its own link (a different table, seed and network; every fifth one the default page),
waits until the page shows the prediction this process computes for it, presses Step once and waits for
the next iteration, then closes. Meanwhile the server's resident memory is sampled from
``/proc/<pid>/status``.

Streamlit keeps a closed session's state for ``server.disconnectedSessionTTL`` seconds (120 by default)
in case the browser reconnects; after that it is dropped the next time a session is stored. The server is
started here with ``--ttl`` (default 20 s) so the run ends in bounded time: after each round of sessions,
the script waits out the TTL, opens and closes one more session (which makes Streamlit drop the expired
ones) and samples the memory again. A second round (``--rounds``, with new tables and seeds) shows
whether the memory freed by the first is reused or the process keeps growing.

Prints a table, then one JSON line (also saved to artifacts/load.json). Progress goes to stderr. The
server is stopped by its process id at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backprop.share import Experiment, encode, share_url
from backprop.table import TruthTable, get_preset, output_names
from backprop.trainer import TrainConfig, train
from benchmarks.harness import CHROMIUM, CHROMIUM_ARGS, METRIC_SHOWN, REPO, free_port
from benchmarks.harness import stop as stop_server

ARTIFACTS = REPO / "artifacts"
VIEWPORT = {"width": 1400, "height": 1000}
MAX_SESSIONS = 200
MAX_CONCURRENCY = 10
SESSION_TIMEOUT_MS = 180_000
SAMPLE_EVERY_S = 0.2
PCT = (50, 90, 99)


# ------------------------------------------------------------------------------------- experiments
@dataclass(frozen=True)
class Visit:
    """One session: the address it opens and the metrics it must then show."""

    url: str
    prediction_label: str
    prediction: str
    iteration: int


def experiment(i: int) -> Experiment | None:
    """Session ``i``'s experiment; None (every fifth session) for the default page."""
    if i % 5 == 4:
        return None
    rng = np.random.RandomState(500 + i)
    n_inputs, n_outputs, n_rows = 2 + i % 4, 1 + i % 2, 4 + i % 13
    X = np.hstack([rng.randint(0, 2, (n_rows, n_inputs - 1)), np.ones((n_rows, 1))])
    y = rng.randint(0, 2, (n_rows, n_outputs)).astype(float)
    config = TrainConfig(
        learning_rate=[0.5, 1.0, 2.0][i % 3],
        n_iterations=1000 + 500 * (i % 5),
        seed=20_000 + 104_729 * i,
        hidden=() if i % 3 == 0 else (2 + i % 5,),
        activation=["sigmoid", "tanh"][i % 2],
        use_bias=i % 2 == 1,
    )
    return Experiment("notebook", TruthTable(X, y), config, tuple(float(v) for v in X[-1]))


def visit(base_url: str, i: int) -> Visit:
    exp = experiment(i)
    if exp is None:
        preset = get_preset("notebook")
        exp, url = Experiment("notebook", preset.table, TrainConfig(), preset.test_input), base_url
    else:
        url = share_url(f"{base_url}/", encode(exp))
    run = train(exp.table, exp.config)
    value = run.predict(np.array([exp.test_input]))[0][0]
    shown = "[" + ", ".join(f"{v:g}" for v in exp.test_input) + "]"
    name = output_names(exp.table.n_outputs)[0]
    label = f"Prediction for {shown}" if exp.table.n_outputs == 1 else f"Prediction {name} for {shown}"
    return Visit(url, label, f"{value:.8f}", run.final.iteration)


# ----------------------------------------------------------------------------------------- server
def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode(errors="replace")
    except (urllib.error.URLError, OSError):
        return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float | None:
    """Resident memory of process ``pid`` in MiB (VmRSS of /proc/<pid>/status)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def server_metrics(base_url: str) -> dict[str, float | None]:
    """Open sessions and st.cache_data memory (MiB), from the server's /_stcore/metrics endpoint."""
    text = _get(f"{base_url}/_stcore/metrics") or ""
    active = re.search(r"^active_sessions\s+(\d+)", text, re.M)
    cache = [float(b) for b in re.findall(r"^cache_memory_bytes\{[^}]*\}\s+([\d.e+]+)", text, re.M)]
    return {
        "open_sessions": int(active.group(1)) if active else None,
        "cache_mib": sum(cache) / 2**20 if cache else None,
    }


@dataclass
class Sampler:
    """Samples the server's RSS every SAMPLE_EVERY_S seconds in a thread, each labelled with a phase."""

    pid: int
    phase: str = "before"
    samples: list[tuple[float, str, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            value = rss_mib(self.pid)
            if value is not None:
                self.samples.append((time.monotonic(), self.phase, value))
            self._stop.wait(SAMPLE_EVERY_S)

    def stop(self) -> None:
        self._stop.set()

    def of(self, phase: str) -> list[float]:
        return [v for _, p, v in self.samples if p == phase]


# ---------------------------------------------------------------------------------------- sessions
class OutOfTime(Exception):  # noqa: N818 (not an error of the app: the benchmark's own time limit)
    """The benchmark's time limit was reached; ``outcomes`` are the visits it cut short."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__("time limit reached")
        self.outcomes = outcomes


@dataclass
class Outcome:
    index: int
    load_s: float | None = None
    step_s: float | None = None
    error: str | None = None


async def one_session(browser: Any, v: Visit, index: int, semaphore: asyncio.Semaphore) -> Outcome:
    """Open ``v`` in a fresh context, check its numbers, press Step, check the next iteration, close."""
    outcome = Outcome(index)
    async with semaphore:
        context = await browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(SESSION_TIMEOUT_MS)
        try:
            page = await context.new_page()
            start = time.perf_counter()
            await page.goto(v.url, wait_until="commit")
            await page.wait_for_function(METRIC_SHOWN, arg=[v.prediction_label, v.prediction])
            outcome.load_s = time.perf_counter() - start
            if await page.locator('[data-testid="stException"]').count():
                outcome.error = "exception shown"
            step = page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Step", exact=True)
            start = time.perf_counter()
            await step.click()
            await page.wait_for_function(METRIC_SHOWN, arg=["Iteration", f"{v.iteration + 1:,}"])
            outcome.step_s = time.perf_counter() - start
        except Exception as error:  # a timeout or a wrong number: recorded, the load goes on
            outcome.error = f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"
        finally:
            await context.close()
    print(
        f"session {index + 1}: load {outcome.load_s}, step {outcome.step_s}, {outcome.error}", file=sys.stderr
    )
    return outcome


async def run_sessions(base_url: str, visits: list[Visit], concurrency: int, first: int = 0) -> list[Outcome]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            semaphore = asyncio.Semaphore(concurrency)
            tasks = [one_session(browser, v, first + i, semaphore) for i, v in enumerate(visits)]
            return list(await asyncio.gather(*tasks))
        finally:
            await browser.close()


# --------------------------------------------------------------------------------------------- run
def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def load(sessions: int, concurrency: int, ttl: int, rounds: int, max_seconds: float) -> dict[str, Any]:
    """Run the load against a fresh server; return every figure.

    Phases: idle server; one visit (the first run imports the app's modules); three visits one at a
    time (latency without contention); then per round, ``sessions`` visits ``concurrency`` at a time
    (each round its own tables and seeds), the closed sessions held for the TTL, and after their expiry.
    """
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
        "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        "--server.disconnectedSessionTTL", str(ttl),
    ]  # fmt: skip
    extra = [visit(base_url, rounds * sessions + i) for i in range(5)]  # warm-up, solo and probe visits
    log_path = ARTIFACTS / "load-server.log"
    deadline = time.monotonic() + max_seconds
    outcomes: list[Outcome] = []
    solo: list[Outcome] = []
    per_round: list[dict[str, Any]] = []

    def visits_of(first: int, chosen: list[Visit]) -> list[Outcome]:
        """The visits' outcomes; past the deadline, each one not done is an error and the run stops."""
        timeout = deadline - time.monotonic()
        try:
            if timeout <= 0:
                raise TimeoutError
            return asyncio.run(asyncio.wait_for(run_sessions(base_url, chosen, concurrency, first), timeout))
        except TimeoutError:
            raise OutOfTime(
                [Outcome(first + i, error="--max-seconds reached") for i in range(len(chosen))]
            ) from None

    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        sampler = Sampler(server.pid)
        try:
            while _get(f"{base_url}/_stcore/health") != "ok":
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"streamlit did not start:\n{log_path.read_text()[-2000:]}")
                time.sleep(0.25)
            sampler.start()
            time.sleep(3)  # idle: the server with no session yet
            sampler.phase = "warm-up"
            outcomes += visits_of(rounds * sessions, extra[:1])
            time.sleep(3)
            sampler.phase = "warm"
            time.sleep(3)
            sampler.phase = "solo"
            solo += [o for v in extra[1:4] for o in visits_of(rounds * sessions + 1, [v])]
            outcomes += solo
            for r in range(rounds):
                visits = [visit(base_url, r * sessions + i) for i in range(sessions)]
                sampler.phase = f"load {r}"
                started, cpu_start = time.monotonic(), cpu_seconds(server.pid)
                loaded = visits_of(r * sessions, visits)
                wall, cpu = time.monotonic() - started, cpu_seconds(server.pid) - cpu_start
                outcomes += loaded
                sampler.phase = f"held {r}"  # every session closed, kept for the TTL
                metrics = server_metrics(base_url)
                time.sleep(3)
                sampler.phase = f"waiting {r}"
                time.sleep(max(0.0, ttl - 1))
                # Streamlit drops expired sessions when it stores another one: one more visit does it.
                outcomes += visits_of(rounds * sessions + 4, extra[4:5])
                time.sleep(3)
                sampler.phase = f"after {r}"
                time.sleep(5)
                during, held, after = (sampler.of(f"{p} {r}") for p in ("load", "held", "after"))
                per_round.append({
                    "wall_s": round(wall, 1),
                    "server_cpu_s_per_session": round(cpu / sessions, 2),
                    "load_latency_s": {q: percentile([o.load_s for o in loaded if o.load_s], q) for q in PCT},
                    "step_latency_s": {q: percentile([o.step_s for o in loaded if o.step_s], q) for q in PCT},
                    "rss_mib_during_median": statistics.median(during) if during else None,
                    "rss_mib_during_peak": max(during) if during else None,
                    "rss_mib_held": statistics.median(held) if held else None,
                    "rss_mib_after_expiry": statistics.median(after) if after else None,
                    **metrics,
                })  # fmt: skip
        except OutOfTime as stop:
            outcomes += stop.outcomes
        finally:
            sampler.stop()
            stop_server(server)
    log_text = log_path.read_text(errors="replace")
    before, warmed = sampler.of("before"), sampler.of("warm")
    return {
        "sessions": sessions,
        "concurrency": concurrency,
        "rounds": rounds,
        "disconnected_session_ttl_s": ttl,
        "errors": [f"session {o.index + 1}: {o.error}" for o in outcomes if o.error],
        "server_tracebacks": log_text.count("Traceback"),
        "rss_mib_idle": statistics.median(before) if before else None,
        "rss_mib_after_one_visit": statistics.median(warmed) if warmed else None,
        "solo_load_latency_s": median([o.load_s for o in solo if o.load_s]),
        "solo_step_latency_s": median([o.step_s for o in solo if o.step_s]),
        "round": per_round,
    }


def report(result: dict[str, Any]) -> str:
    def s(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    def m(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    lines = [
        f"{result['rounds']} x {result['sessions']} sessions, {result['concurrency']} at a time; "
        f"disconnected-session TTL {result['disconnected_session_ttl_s']} s; "
        f"{len(result['errors'])} errors, {result['server_tracebacks']} server tracebacks",
        f"server RSS: idle {m(result['rss_mib_idle'])} MiB, after one visit "
        f"{m(result['rss_mib_after_one_visit'])} MiB; one visit alone: open "
        f"{s(result['solo_load_latency_s'])} s, Step {s(result['solo_step_latency_s'])} s",
        "",
        "| round | wall (s) | server CPU / session (s) | RSS during (median / peak, MiB) | RSS held (MiB) "
        "| RSS after expiry (MiB) | st.cache_data (MiB) | open p50 / p90 / p99 (s) "
        "| Step p50 / p90 / p99 (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r, x in enumerate(result["round"], 1):
        lat, step = x["load_latency_s"], x["step_latency_s"]
        lines.append(
            f"| {r} | {x['wall_s']} | {x['server_cpu_s_per_session']} | {m(x['rss_mib_during_median'])} / "
            f"{m(x['rss_mib_during_peak'])} | {m(x['rss_mib_held'])} | {m(x['rss_mib_after_expiry'])} | "
            f"{m(x['cache_mib'])} | {s(lat[50])} / {s(lat[90])} / {s(lat[99])} | "
            f"{s(step[50])} / {s(step[90])} / {s(step[99])} |"
        )
    lines += [f"error: {e}" for e in result["errors"][:10]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50, help="sessions to open (default: 50)")
    parser.add_argument("--concurrency", type=int, default=5, help="sessions at a time (default: 5)")
    parser.add_argument("--ttl", type=int, default=20, help="server.disconnectedSessionTTL (default: 20 s)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of --sessions sessions (default: 2)")
    parser.add_argument(
        "--max-seconds", type=float, default=2400, help="give up after this long (default: 2400)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS or not 1 <= args.concurrency <= MAX_CONCURRENCY:
        parser.error(f"--sessions must be 1 to {MAX_SESSIONS} and --concurrency 1 to {MAX_CONCURRENCY}")
    if not 1 <= args.ttl <= 600 or not 1 <= args.rounds <= 5:
        parser.error("--ttl must be 1 to 600 seconds and --rounds 1 to 5")
    load_before = os.getloadavg()[0]
    result = load(args.sessions, args.concurrency, args.ttl, args.rounds, args.max_seconds)
    result["machine"] = {
        "cpus": os.cpu_count(),
        "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],  # at start, at end
    }
    print(report(result))
    line = json.dumps(result)
    print(line)
    (ARTIFACTS / "load.json").write_text(line + "\n")
    return 1 if result["errors"] or result["server_tracebacks"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
