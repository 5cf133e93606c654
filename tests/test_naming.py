"""backprop/naming.py: one name per unit and parameter, the same in every view and export."""

from __future__ import annotations

import csv
import io

import pytest

from backprop.chain import ParamRef, param_name, parameters
from backprop.chain_latex import param_tex
from backprop.export import history_columns, history_to_csv
from backprop.figures import network_figure, weight_series
from backprop.naming import bias_name, level_names, unit_name, unit_names, weight_name
from backprop.network import Architecture
from backprop.table import PRESETS
from backprop.trainer import TrainConfig, train


def test_names_are_readable_and_unique() -> None:
    notebook = Architecture(3)
    assert [param_name(notebook, r) for r in parameters(notebook)] == ["w(x1→out)", "w(x2→out)", "w(x3→out)"]
    one = Architecture(3, 1, (4,), use_bias=True)
    assert param_name(one, ParamRef(0, 2, 1)) == "w(x2→h3)"
    assert param_name(one, ParamRef(1, 0, 2)) == "w(h3→out)"
    assert param_name(one, ParamRef(1, 0)) == "b(out)"
    assert param_name(one, ParamRef(0, 2)) == "b(h3)"
    two = Architecture(2, 2, (3, 2))
    assert level_names(two, 1) == ("h1.1", "h1.2", "h1.3")
    assert level_names(two, 2) == ("h2.1", "h2.2")
    assert level_names(two, 3) == ("out1", "out2")
    assert unit_names(two)[0] == ("x1", "x2") and unit_name(two, 3, 1) == "out2"
    assert param_name(two, ParamRef(1, 1, 2)) == "w(h1.3→h2.2)"
    for arch in (notebook, one, two, Architecture(8, 4, (8, 8), use_bias=True)):
        refs = parameters(arch)
        names = [param_name(arch, r) for r in refs]
        n_weights = sum(a * b for a, b in zip(arch.sizes[:-1], arch.sizes[1:], strict=True))
        assert len(refs) == n_weights + (sum(arch.sizes[1:]) if arch.use_bias else 0)
        assert len(set(names)) == len(names)
        for name in names:
            param_tex(name)  # every name has a LaTeX form


@pytest.mark.parametrize(
    "config", [TrainConfig(n_iterations=3), TrainConfig(n_iterations=3, hidden=(3, 2), use_bias=True)]
)
def test_one_name_for_a_weight_in_the_chain_rule_legend_diagram_and_csv(config: TrainConfig) -> None:
    run = train(PRESETS["half-adder"].table, config)
    arch = run.arch
    chain_names = {param_name(arch, r) for r in parameters(arch)}
    legend = {s.name for s in weight_series(run)}
    csv_header = set(next(csv.reader(io.StringIO(history_to_csv(run))))[2:])
    (edge_labels,) = [t.text for t in network_figure(run).data if t.text and str(t.text[0]).startswith("w(")]
    diagram = {text.split(" = ")[0] for text in edge_labels}
    assert chain_names == csv_header == set(history_columns(arch)[2:]) == diagram
    if not any(s.kind == "norm" for s in weight_series(run)):
        assert legend == chain_names
    assert weight_name(arch, 0, 0, 0) in chain_names
    if arch.use_bias:
        assert bias_name(arch, 0, 0) in chain_names
