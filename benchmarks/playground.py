"""TensorFlow Playground's largest experiment (issue #13): 256 points, 6 hidden layers of 8, 100,000 updates.

Target: each variant trains within 15 s of wall clock and 100 MB of memory. Every variant runs in a
fresh Python process (``python -m benchmarks.playground --child NAME N``), so its peak resident set size
(the kernel's high-water mark, VmHWM) is that of one run: the interpreter, NumPy and the library
imported, the table generated, one short warm-up run, then the measured ``train()`` with its full
recorded history. Wall time is of ``train()`` alone, as a user of the page waits it.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from backprop.datasets import FEATURES, DataSpec, generate
from backprop.trainer import TrainConfig, train
from benchmarks.harness import REPO

TIME_LIMIT_S = 15.0
MEMORY_LIMIT_MB = 100.0
ITERATIONS = 100_000
DATA = DataSpec("spiral", 256, 0.0, 0)
# Playground's deepest network; its tanh, learned biases and smallest useful learning rate.
BASE = {"learning_rate": 0.01, "hidden": (8,) * 6, "activation": "tanh", "use_bias": True}
SCENARIOS: dict[str, dict[str, Any]] = {
    "full batch": {},
    "batch 10": {"batch_size": 10},
    "L2": {"regularization": "l2", "reg_rate": 0.001},
    "test split 0.5": {"test_fraction": 0.5},
    "features on": {"features": tuple(FEATURES)},
}


def config_of(name: str, n_iterations: int) -> TrainConfig:
    return TrainConfig(**BASE, **SCENARIOS[name], n_iterations=n_iterations)


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def child(name: str, n_iterations: int) -> dict[str, Any]:
    """One variant in this process: train it, and report its times and this process's memory."""
    table = generate(DATA)
    config = config_of(name, n_iterations)
    train(table, TrainConfig(**{**config.__dict__, "n_iterations": 20}))  # warm-up: caches, BLAS
    ready_kb = _status_kb("VmRSS")
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    run = train(table, config)
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    peak_kb = _status_kb("VmHWM")
    assert peak_kb >= resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 0.99
    return {
        "name": name,
        "n_iterations": n_iterations,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": peak_kb / 1024,
        "ready_rss_mb": ready_kb / 1024,
        "snapshots": len(run.history),
        "status": run.status,
        "final_loss": run.final.loss,
        "training_rows": run.table.n_rows,
        "pickled_mb": len(pickle.dumps(run)) / 1e6,
    }


def measure(name: str, n_iterations: int) -> dict[str, Any]:
    """Run :func:`child` in a fresh interpreter and read its JSON line."""
    command = [sys.executable, "-m", "benchmarks.playground", "--child", name, str(n_iterations)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_all(n_iterations: int, repeats: int, say: Any = print) -> dict[str, dict[str, Any]]:
    """Each variant ``repeats`` times in turn (variant after variant, then again), medians per variant."""
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in SCENARIOS}
    for round_ in range(repeats):
        for name in SCENARIOS:
            say(f"  {name} ({round_ + 1}/{repeats}) ...")
            samples[name].append(measure(name, n_iterations))
    results = {}
    for name, runs in samples.items():
        wall = [r["wall_s"] for r in runs]
        peak = [r["peak_rss_mb"] for r in runs]
        results[name] = {
            **runs[-1],
            "wall_s": statistics.median(wall),
            "wall_samples_s": wall,
            "cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "peak_rss_mb": max(peak),
        }
    return results


# The notebook's experiment with the defaults, timed in the tree given (any commit's backprop package).
NOTEBOOK_TIMER = """
import json, statistics, time
from backprop.table import PRESETS
from backprop.trainer import TrainConfig, train
from benchmarks.harness import REPO
table = PRESETS["notebook"].table
run = train(table, TrainConfig())
samples = []
for _ in range({repeats}):
    start = time.process_time()
    run = train(table, TrainConfig())
    samples.append(time.process_time() - start)
prediction = float(run.predict([1, 0, 0])[0, 0])
print(json.dumps({{"median_s": statistics.median(samples), "prediction": prediction}}))
"""


def notebook_in(tree: Path, repeats: int) -> dict[str, float]:
    """Median CPU time of ``train()`` on the notebook's defaults (10,000 iterations, full history) in a
    fresh process importing ``tree``'s backprop."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    code = NOTEBOOK_TIMER.format(repeats=repeats)
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare_notebook(before: Path, rounds: int, repeats: int = 11) -> dict[str, list[dict[str, float]]]:
    """The notebook's defaults in ``before`` and in this tree, alternately, ``rounds`` times each."""
    samples: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for _ in range(rounds):
        samples["before"].append(notebook_in(before, repeats))
        samples["after"].append(notebook_in(REPO, repeats))
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.playground", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--child", nargs=2, metavar=("NAME", "ITERATIONS"), help=argparse.SUPPRESS)
    parser.add_argument("--iterations", type=int, default=ITERATIONS, help="updates per run (100,000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each variant, in turn (3)")
    parser.add_argument(
        "--notebook-against",
        metavar="TREE",
        type=Path,
        help="instead: train() on the notebook's defaults here and in TREE (another checkout), alternately",
    )
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return 0
    if args.notebook_against:
        samples = compare_notebook(args.notebook_against, args.repeats)
        for side, runs in samples.items():
            times = ", ".join(f"{r['median_s'] * 1e3:.1f}" for r in runs)
            median = statistics.median(r["median_s"] for r in runs) * 1e3
            print(
                f"{side:6} median {median:6.1f} ms CPU (rounds: {times}); "
                f"prediction {runs[0]['prediction']:.8f}"
            )
        print(json.dumps(samples, separators=(",", ":")))
        return 0
    results = run_all(args.iterations, args.repeats, lambda m: print(m, file=sys.stderr, flush=True))
    ok = True
    for name, r in results.items():
        met = (
            r["wall_s"] <= TIME_LIMIT_S * args.iterations / ITERATIONS and r["peak_rss_mb"] <= MEMORY_LIMIT_MB
        )
        ok &= met
        print(
            f"{name:16} wall {r['wall_s']:6.2f} s (cpu {r['cpu_s']:6.2f} s)  "
            f"peak RSS {r['peak_rss_mb']:6.1f} MB  {'ok' if met else 'MISSED'}  "
            f"({r['snapshots']} snapshots, pickled {r['pickled_mb']:.1f} MB, loss {r['final_loss']:.3f})"
        )
    print(json.dumps(results, separators=(",", ":")))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
