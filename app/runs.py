"""Training for the page: one cached run (or sweep) per experiment for all visitors, with a progress bar
when it takes long enough to wait for."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import streamlit as st

from backprop.sweep import Sweep, sweep
from backprop.table import TruthTable
from backprop.trainer import Run, TrainConfig, train

PROGRESS_ABOVE_WORK = 25_000  # iterations x (1 + rows x weights / 100) worth a progress bar


@st.cache_data(max_entries=64, max_size="256MB", ttl=3600, show_spinner=False)
def cached_train(table: TruthTable, config: TrainConfig, show_progress: bool = False) -> Run:
    """Train once per (table, config) for all users, with a progress bar when ``show_progress``.

    The bar is created in here: a cache hit replays what the function drew, and a bar from outside
    would be one of an earlier run, which no longer exists (Streamlit raises CacheReplayClosureError).
    """
    if not show_progress:
        return train(table, config)
    slot = st.empty()
    bar = slot.progress(0.0, text="Training…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Training… iteration {done:,} of {total:,}")

    run = train(table, config, progress=progress)
    slot.empty()
    return run


def weight_count(table: TruthTable, config: TrainConfig) -> int:
    """Number of weights of the network ``config`` trains on ``table``: the size of one update."""
    return sum(a * b for a, b in pairwise(config.architecture(table).sizes))


def run_training(table: TruthTable, config: TrainConfig) -> Run:
    """Train through the cache, with a progress bar when the work is large enough to wait for."""
    n_weights = weight_count(table, config)
    show_progress = config.n_iterations * (1 + table.n_rows * n_weights / 100) >= PROGRESS_ABOVE_WORK
    return cached_train(table, config, show_progress)


@st.cache_data(max_entries=16, max_size="64MB", ttl=3600, show_spinner=False)
def cached_sweep(table: TruthTable, config: TrainConfig, learning_rates: tuple[float, ...]) -> Sweep:
    """All learning rates trained together (backprop/sweep.py), with a progress bar, cached."""
    slot = st.empty()
    bar = slot.progress(0.0, text=f"Training {len(learning_rates)} runs together…")

    def progress(done: int, total: int) -> None:
        bar.progress(
            done / total, text=f"Training {len(learning_rates)} runs… iteration {done:,} of {total:,}"
        )

    result = sweep(table, config, learning_rates=np.array(learning_rates), progress=progress)
    slot.empty()
    return result
