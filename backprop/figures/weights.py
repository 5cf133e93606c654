"""The lines of the training figure's weights panel: one per weight and bias, or one norm per hidden
layer for big networks, with their names and styles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from backprop.figures.style import DASHES, NEUTRAL, PALETTE
from backprop.naming import bias_name, weight_name
from backprop.network import Architecture
from backprop.trainer import Run, Snapshot

FloatArray = NDArray[np.float64]
Kind = Literal["weight", "bias", "norm"]

# Above this many weights and biases, hidden layers are drawn as one norm line each.
MAX_INDIVIDUAL_WEIGHTS = 24


@dataclass(frozen=True)
class WeightSeries:
    """One line of the weights panel: a weight, a bias, or the norm of a hidden layer's parameters.

    ``values`` has one entry per recorded snapshot, shape (n_snapshots,).
    """

    name: str
    values: FloatArray
    layer: int
    kind: Kind


def summarises_hidden_layers(arch: Architecture) -> bool:
    """Whether the weights panel draws each hidden layer as one norm line (more than
    ``MAX_INDIVIDUAL_WEIGHTS`` weights and biases in all) instead of weight by weight."""
    sizes = arch.sizes
    n_params = sum(a * b for a, b in pairwise(sizes))
    n_params += sum(sizes[1:]) if arch.use_bias else 0
    return arch.n_layers > 1 and n_params > MAX_INDIVIDUAL_WEIGHTS


def series_layout(arch: Architecture) -> list[tuple[str, int, Kind, int, int]]:
    """(name, layer, kind, source, destination) for every line of the weights panel, in trace order."""
    summarise = summarises_hidden_layers(arch)
    layout: list[tuple[str, int, Kind, int, int]] = []
    for layer in range(arch.n_layers):
        if summarise and layer < arch.n_layers - 1:
            n = arch.sizes[layer] * arch.sizes[layer + 1]
            what = f"W{layer + 1}"
            if arch.use_bias:
                n += arch.sizes[layer + 1]
                what += f", b{layer + 1}"
            layout.append((f"‖{what}‖ ({n} values)", layer, "norm", -1, -1))
            continue
        for j in range(arch.sizes[layer + 1]):
            layout.extend(
                (weight_name(arch, layer, i, j), layer, "weight", i, j) for i in range(arch.sizes[layer])
            )
            if arch.use_bias:
                layout.append((bias_name(arch, layer, j), layer, "bias", -1, j))
    return layout


def series_styles(arch: Architecture) -> list[tuple[str, str]]:
    """(colour, dash) of every line of the weights panel.

    Colour tells the source unit (the bias counts as one more source; each layer starts where the
    previous one's colours end, so layers rarely share one), dash tells the destination unit; a hidden
    layer's norm line is thick, grey and long-dashed.
    """
    summarised = summarises_hidden_layers(arch)
    styles = []
    offset = {}
    start = 0
    for layer in range(arch.n_layers):
        offset[layer] = start
        if not (summarised and layer < arch.n_layers - 1):
            start += arch.sizes[layer] + 1
    for _, layer, kind, i, j in series_layout(arch):
        if kind == "norm":
            styles.append((NEUTRAL, ("longdash", "longdashdot")[layer % 2]))
            continue
        source = arch.sizes[layer] if kind == "bias" else i
        styles.append((PALETTE[(offset[layer] + source) % len(PALETTE)], DASHES[j % len(DASHES)]))
    return styles


def series_values(arch: Architecture, snapshots: Sequence[Snapshot]) -> FloatArray:
    """The value of every line of the weights panel at each of ``snapshots``, shape
    (n_series, n_snapshots), in trace order."""
    W = [np.stack([s.params.weights[layer] for s in snapshots]) for layer in range(arch.n_layers)]
    b = [np.stack([s.params.biases[layer] for s in snapshots]) for layer in range(arch.n_layers)]
    rows = []
    for _, layer, kind, i, j in series_layout(arch):
        if kind == "norm":
            squares = (W[layer] ** 2).sum(axis=(1, 2))
            if arch.use_bias:
                squares = squares + (b[layer] ** 2).sum(axis=1)
            rows.append(np.sqrt(squares))
        else:
            rows.append(W[layer][:, i, j] if kind == "weight" else b[layer][:, j])
    return np.stack(rows)


def weight_series(run: Run) -> tuple[WeightSeries, ...]:
    """The lines of the weights panel, each over all recorded snapshots.

    Every weight ``w(source→destination)`` and, with learned biases, every bias ``b(unit)`` (named by
    backprop/naming.py), layer by layer, destination by destination. When
    ``summarises_hidden_layers(run.arch)``, only the output layer is drawn weight by weight and each
    hidden layer ``l`` becomes one line: the Euclidean norm ``‖W_l‖`` of its weights (and biases).

    Parameters
    ----------
    run : a finished training run

    Returns
    -------
    tuple of WeightSeries, each with ``values`` of shape (n_snapshots,), in trace order
    """
    values = series_values(run.arch, run.history)
    return tuple(
        WeightSeries(name, row, layer, kind)
        for (name, layer, kind, _, _), row in zip(series_layout(run.arch), values, strict=True)
    )
