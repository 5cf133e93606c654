"""Backpropagation you can watch: a small NumPy network trainer with a recorded history.

The default experiment is the classic delta-rule notebook: a 3-input sigmoid unit trained on a 4-row
truth table with seed 0, learning rate 1 and 10,000 iterations, predicting 0.99993703 for [1, 0, 0].
"""

from backprop.errors import BackpropError, ConfigError, TableError
from backprop.network import Architecture, Params, make_params
from backprop.table import PRESETS, TruthTable, get_preset, parse_csv, table_from_cells, table_to_csv
from backprop.trainer import Run, Snapshot, TrainConfig, train

__all__ = [
    "PRESETS",
    "Architecture",
    "BackpropError",
    "ConfigError",
    "Params",
    "Run",
    "Snapshot",
    "TableError",
    "TrainConfig",
    "TruthTable",
    "get_preset",
    "make_params",
    "parse_csv",
    "table_from_cells",
    "table_to_csv",
    "train",
]
