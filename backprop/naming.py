"""The one name of every unit and parameter, used by every view and export.

Units by level (0 = the inputs): ``x1..xn``, then the derived features' labels (``x1²``, ``sin x1``…)
when a run adds them; hidden ``h1..hk`` (``h1.1..``, ``h2.1..`` with two or more hidden layers); the
output ``out`` (``out1..outm`` with several outputs, matching the targets ``y1..ym``).
Parameters: the weight from unit ``a`` to unit ``b`` is ``w(a→b)``; the bias of unit ``b`` is ``b(b)``.
The unit names tell the layer, so a weight's name is the same in the chain rule, the legend, the network
diagram and the history CSV. Every function takes the run's derived ``features`` (``TrainConfig.features``,
default none) so that every view names a derived input the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from backprop.datasets import input_labels
from backprop.network import Architecture


def unit_name(arch: Architecture, level: int, index: int, features: Sequence[str] = ()) -> str:
    """Name of unit ``index`` (0-based) of activation level ``level`` (0 = inputs, ``arch.n_layers`` =
    outputs); ``features`` are the derived inputs' keys, which follow the table's own inputs."""
    if level == 0:
        return input_labels(arch.n_inputs, features)[index] if features else f"x{index + 1}"
    if level == arch.n_layers:
        return "out" if arch.n_outputs == 1 else f"out{index + 1}"
    return f"h{index + 1}" if len(arch.hidden) == 1 else f"h{level}.{index + 1}"


def level_names(arch: Architecture, level: int, features: Sequence[str] = ()) -> tuple[str, ...]:
    """Names of every unit of activation level ``level``."""
    return tuple(unit_name(arch, level, i, features) for i in range(arch.sizes[level]))


def unit_names(arch: Architecture, features: Sequence[str] = ()) -> tuple[tuple[str, ...], ...]:
    """Names of every level's units, inputs first."""
    return tuple(level_names(arch, level, features) for level in range(arch.n_layers + 1))


def weight_name(
    arch: Architecture, layer: int, source: int, target: int, features: Sequence[str] = ()
) -> str:
    """``w(x2→h3)``: the weight of weight layer ``layer`` (0-based) from unit ``source`` to ``target``."""
    source_name = unit_name(arch, layer, source, features)
    return f"w({source_name}→{unit_name(arch, layer + 1, target)})"


def bias_name(arch: Architecture, layer: int, target: int) -> str:
    """``b(h3)``: the bias of unit ``target`` of weight layer ``layer``'s outputs."""
    return f"b({unit_name(arch, layer + 1, target)})"
