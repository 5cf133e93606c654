"""``python -m benchmarks [--quick] [--no-page] [--playground]``: every figure of BENCHMARKS.md, measured now.

Prints a table, then one JSON line with each figure, its target and its ratio to the notebook's loop
timed in this same process. Library timings are CPU time of this process (time.process_time) and
alternate with the notebook's loop, so other work on the machine counts against neither; the page
timings are wall-clock, as a user waits them. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from typing import Any

import numpy as np

from benchmarks import core, page, playground

NOTEBOOK_ITERATIONS = 10_000
# Targets, as multiples of the notebook's loop timed alongside: train() with its full history, and a
# sweep of 256 runs trained together.
TRAIN_TARGET = 1.5
SWEEP_TARGET = 6.0


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a shorter scale run (<1 min)")
    parser.add_argument("--no-page", action="store_true", help="skip the app (chart JSON and Chromium)")
    parser.add_argument(
        "--playground",
        action="store_true",
        help="only TensorFlow Playground's scale run (issue #13): benchmarks/playground.py, each variant "
        "in a process of its own (with --quick: 20,000 iterations, once each)",
    )
    args = parser.parse_args(argv)
    if args.playground:
        return playground.main(["--iterations", "20000", "--repeats", "1"] if args.quick else [])
    quick = args.quick
    repeats = 5 if quick else 11
    scale_iterations = 20_000 if quick else 100_000

    machine = _machine()
    figures: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    notebook_samples: list[float] = []

    def figure(name: str, value: float, unit: str, target: str, ok: bool | None, note: str = "") -> None:
        figures[name] = {"value": value, "unit": unit, "target": target, "ok": ok, "note": note}

    _say("notebook loop and trainer ...")
    trained = core.train_notebook(repeats)
    timing = trained["timing"]
    notebook_samples += timing.notebook
    figure(
        "train_notebook_s",
        timing.median,
        "s",
        f"<= {TRAIN_TARGET:g}x the notebook loop, bit for bit its weights",
        timing.ratio <= TRAIN_TARGET and trained["bitwise"],
        f"{timing.ratio:.2f}x the notebook loop; {trained['snapshots']} snapshots; max |dW| vs notebook "
        f"{trained['max_abs_diff']:.1e} (bit for bit: {trained['bitwise']}); "
        f"prediction {trained['prediction']:.8f}",
    )

    _say("sweep of 256 learning rates ...")
    swept = core.sweep_notebook(repeats, 16 if quick else 256)
    timing = swept["timing"]
    notebook_samples += timing.notebook
    figure(
        "sweep_256_s",
        timing.median,
        "s",
        f"<= {SWEEP_TARGET:g}x one notebook loop, bit for bit the numbers of separate runs",
        timing.ratio <= SWEEP_TARGET and swept["max_abs_diff"] == 0,
        f"{timing.ratio:.2f}x one notebook loop; {swept['checked_runs']} runs checked against train(): "
        f"max diff {swept['max_abs_diff']:.1e}",
    )

    _say(f"8-input table, hidden (8, 8), {scale_iterations:,} iterations ...")
    scaled = core.scale(scale_iterations)
    limit = 10.0 * scale_iterations / 100_000
    figure(
        "scale_s",
        scaled["seconds"],
        "s",
        f"<= {limit:g} s for {scale_iterations:,} iterations",
        scaled["seconds"] <= limit,
        f"{scaled['snapshots']} snapshots, {scaled['status']}, final loss {scaled['final_loss']:.4f}; "
        f"wall clock {scaled['wall_seconds']:.2f} s"
        + ("; quick: 1/5 of the 100,000 iterations" if quick else ""),
    )
    figure(
        "scale_peak_mb",
        scaled["peak_mb"],
        "MB",
        "<= 50 MB",
        scaled["peak_mb"] <= 50,
        f"tracemalloc peak during train(); {scaled['kept_mb']:.1f} MB kept by the run",
    )

    torch = core.torch_anchor(max(3, repeats // 2))
    if torch is None:
        skipped["torch_notebook_s"] = "torch is not installed (the benchmark never installs it)"
    else:
        notebook_samples += torch["timing"].notebook
        figure(
            "torch_notebook_s",
            torch["timing"].median,
            "s",
            "",
            None,
            f"PyTorch CPU, same loop; max diff {torch['max_abs_diff']:.1e}",
        )

    if args.no_page:
        skipped["page"] = "--no-page"
    else:
        _say("chart JSON (AppTest) ...")
        charts = page.chart_json(quick)
        if isinstance(charts, str):
            skipped["chart_json_bytes"] = charts
        else:
            figure(
                "chart_json_bytes",
                charts["max_bytes"],
                "B",
                "<= 1.5 MB",
                charts["max_bytes"] <= 1_500_000,
                "; ".join(f"{label}: {size:,} B" for label, size in charts["bytes"].items()),
            )
        _say("Chromium: page load and Train ...")
        measured = page.browser(3 if quick else 5)
        if isinstance(measured, str):
            skipped["browser"] = measured
        else:
            n = len(measured["samples"]["warm_load_s"])
            figure("cold_load_s", measured["cold_load_s"], "s", "", None, "first page of a fresh server")
            figure(
                "first_visit_load_s",
                measured["first_visit_load_s"],
                "s",
                "",
                None,
                f"median of {n}: server warm, browser cache empty (a new browser context each time)",
            )
            figure(
                "warm_load_s",
                measured["warm_load_s"],
                "s",
                "<= 1.5 s",
                measured["warm_load_s"] <= 1.5,
                f"median of {n}: reloaded in the same browser, server and browser caches warm",
            )
            figure(
                "train_to_charts_s",
                measured["train_to_charts_s"],
                "s",
                "<= 1.0 s",
                measured["train_to_charts_s"] <= 1.0,
                f"median of {n}: Reset, then Train until the chart shows the trained run",
            )
            figure(
                "new_rate_to_charts_s",
                measured["new_rate_to_charts_s"],
                "s",
                "",
                None,
                f"median of {n}: a new learning rate, trained (not cached) and drawn",
            )
            if measured["app_exceptions"]:
                skipped["app_exceptions"] = f"{measured['app_exceptions']} exception(s) shown by the app"

    notebook_s = statistics.median(notebook_samples)
    for entry in figures.values():
        entry["ratio_to_notebook_loop"] = entry["value"] / notebook_s if entry["unit"] == "s" else None
    machine["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    _print_table(notebook_s, len(notebook_samples), figures, skipped, machine, quick)
    record = {
        "benchmark": "backprop-simulator",
        "mode": "quick" if quick else "full",
        "machine": machine,
        "notebook_loop_s": notebook_s,
        "notebook_loop_us_per_iteration": notebook_s / NOTEBOOK_ITERATIONS * 1e6,
        "figures": figures,
        "skipped": skipped,
    }
    print(json.dumps(record, separators=(",", ":")))
    return 0 if all(entry["ok"] is not False for entry in figures.values()) else 1


def _print_table(
    notebook_s: float,
    samples: int,
    figures: dict[str, dict[str, Any]],
    skipped: dict[str, str],
    machine: dict[str, Any],
    quick: bool,
) -> None:
    print(f"Backprop Simulator benchmarks ({'quick' if quick else 'full'})")
    print(f"{machine['cpu']}, {machine['cpus']} CPUs; Python {machine['python']}, NumPy {machine['numpy']}")
    print(f"load average {machine['load_average']} -> {machine['load_average_end']}")
    print(
        f"anchor: the notebook's loop, {notebook_s * 1e3:.1f} ms CPU per run "
        f"({notebook_s / NOTEBOOK_ITERATIONS * 1e6:.2f} us per iteration, median of {samples})\n"
    )
    header = f"{'figure':30} {'value':>12} {'x notebook':>11}  {'ok':4} target / note"
    print(header)
    print("-" * len(header))
    for name, entry in figures.items():
        value, unit = entry["value"], entry["unit"]
        shown = (
            f"{value * 1e3:9.2f} ms"
            if unit == "s" and value < 1
            else f"{value:9.2f} s "
            if unit == "s"
            else f"{value / 1e3:9.1f} kB"
            if unit == "B"
            else f"{value:9.1f} {unit}"
        )
        ratio = entry["ratio_to_notebook_loop"]
        ok = {True: "yes", False: "NO", None: ""}[entry["ok"]]
        print(
            f"{name:30} {shown:>12} {'' if ratio is None else f'{ratio:.3f}':>11}  {ok:4} {entry['target']}"
        )
        if entry["note"]:
            print(f"{'':60}{entry['note']}")
    for name, reason in skipped.items():
        print(f"{name:30} {'skipped':>12} {'':11}  {'':4} {reason}")
    print()


if __name__ == "__main__":
    raise SystemExit(main())
