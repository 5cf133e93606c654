"""Which snapshots a figure draws: its animation frames (evenly chosen recorded snapshots plus the
selected iteration) and the vertices of its lines, within a payload budget."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from backprop.figures.weights import series_layout
from backprop.trainer import Run, Snapshot

IntArray = NDArray[np.int64]

# Each frame is also a slider step, and Chromium's cost of drawing an animated chart grows with its
# steps (Streamlit draws every chart twice as it mounts): 60 frames, shown FRAME_MS apart, are a
# 6-second replay; the exact state at any iteration is one "Inspect iteration" away (BENCHMARKS.md).
MAX_FRAMES = 60
# Payload caps in plotted numbers (about 9 JSON characters each): all frames, then all lines.
FRAME_NUMBER_BUDGET = 90_000
LINE_NUMBER_BUDGET = 30_000


@dataclass(frozen=True)
class Frames:
    """The snapshots an animated figure shows, ascending by iteration, and the one it opens on.

    ``recorded`` are the history indices of the evenly chosen frames; ``snapshots`` are their snapshots
    with, when the selected iteration is not among them, its exact state inserted in order.
    """

    snapshots: tuple[Snapshot, ...]
    active: int
    recorded: IntArray

    @property
    def iterations(self) -> list[int]:
        """The frames' iterations: also their names (as strings) and the slider's labels."""
        return [s.iteration for s in self.snapshots]

    @property
    def shown(self) -> Snapshot:
        """The snapshot the figure shows before any animation."""
        return self.snapshots[self.active]


def evenly(n_items: int, n_pick: int) -> IntArray:
    """About ``n_pick`` indices spread evenly over ``range(n_items)``, always the first and last."""
    if n_pick >= n_items:
        return np.arange(n_items)
    return np.unique(np.linspace(0, n_items - 1, max(n_pick, 2)).round().astype(np.int64))


def frame_limit(run: Run, max_frames: int = MAX_FRAMES) -> int:
    """How many evenly chosen frames a run's figure may have: ``max_frames``, or fewer when each frame
    is large. A selected iteration that is not one of them adds one frame.

    A frame carries every row's point for every output unit plus one marker per weight line; the
    count is capped so that all frames together hold at most ``FRAME_NUMBER_BUDGET`` numbers
    (256 rows and 4 outputs allow about 40 frames; the preset tables always get ``max_frames``).

    Raises
    ------
    ValueError
        if ``max_frames`` is below 2 (the first and the last iteration are always frames).
    """
    if max_frames < 2:
        raise ValueError(f"max_frames must be at least 2, got {max_frames}.")
    per_frame = 2 * run.table.n_rows * run.arch.n_outputs + 2 * len(series_layout(run.arch)) + 6
    return max(2, min(max_frames, FRAME_NUMBER_BUDGET // per_frame))


def _recorded_frames(run: Run, max_frames: int) -> IntArray:
    return evenly(len(run.history), frame_limit(run, max_frames))


def _with_selected(run: Run, recorded: IntArray, selected_iteration: int | None) -> Frames:
    """The snapshots at ``recorded`` plus the selected iteration (default the last; clamped to the
    run) in its place, recomputed exactly when it is not one of them."""
    snapshots = [run.history[i] for i in recorded.tolist()]
    iterations = [s.iteration for s in snapshots]
    last = run.final.iteration
    wanted = last if selected_iteration is None else min(max(int(selected_iteration), 0), last)
    position = bisect_left(iterations, wanted)
    if iterations[position] != wanted:
        snapshots.insert(position, run.snapshot_at(wanted))
    return Frames(tuple(snapshots), position, recorded)


def training_frames(run: Run, max_frames: int, selected_iteration: int | None) -> Frames:
    """The frames of ``training_figure``."""
    return _with_selected(run, _recorded_frames(run, max_frames), selected_iteration)


def view_frames(
    run: Run, per_frame: int, budget: int, max_frames: int, selected_iteration: int | None
) -> Frames:
    """The frames of a teaching view: ``training_figure``'s, or an even subset of them (always the first
    and last) so that all frames hold at most ``budget`` values of ``per_frame`` each; plus the selected
    iteration."""
    recorded = _recorded_frames(run, max_frames)
    limit = max(2, budget // max(per_frame, 1))
    if recorded.size > limit:
        recorded = recorded[evenly(recorded.size, limit)]
    return _with_selected(run, recorded, selected_iteration)


def frame_iterations(
    run: Run, max_frames: int = MAX_FRAMES, selected_iteration: int | None = None
) -> list[int]:
    """The iterations that ``training_figure(run, selected_iteration, max_frames)`` animates, ascending.

    Recorded snapshots evenly spaced through the history, so they follow the trainer's recording
    schedule (every iteration early on, where the weights move fastest, then evenly spaced ones),
    always including the first and the last; and ``selected_iteration`` in its place when it is not
    one of them.

    Parameters
    ----------
    run : a finished training run
    max_frames : most evenly chosen frames, at least 2; fewer for very large tables (``frame_limit``)
    selected_iteration : the iteration the figure opens on; default the last

    Returns
    -------
    list of int, at most ``frame_limit(run, max_frames) + 1`` iterations; also the frame names
    (as strings) and the slider labels
    """
    return training_frames(run, max_frames, selected_iteration).iterations


def line_indices(n_snapshots: int, n_lines: int, frames: IntArray) -> IntArray:
    """Snapshots used as line vertices: all of them, or an even subset plus every recorded frame's
    snapshot (so those frames' markers sit exactly on the lines)."""
    n_points = max(2, LINE_NUMBER_BUDGET // (2 * n_lines))
    if n_snapshots <= n_points:
        return np.arange(n_snapshots)
    return np.union1d(evenly(n_snapshots, max(2, n_points - frames.size)), frames)
