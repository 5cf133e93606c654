"""Speed and memory benchmarks of the Backprop Simulator, measured against the notebook's own loop.

``python -m benchmarks`` (``--quick`` for a run under a minute) prints a table and, last, one JSON line.
Results and how to read them: BENCHMARKS.md.
"""
