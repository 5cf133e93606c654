"""The views with #13's options on: generated 2-D datasets, a test set, mini-batches, L1/L2 penalties,
derived features, linear units and deep networks, inspected as data."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from backprop.datasets import DataSpec, generate
from backprop.figures import (
    PHONE,
    SURFACE_GRID,
    SURFACE_PAD,
    SURFACE_RANGE,
    Fit,
    decision_surface_figure,
    hidden_activation_figure,
    hidden_summary,
    network_figure,
    network_summary,
    row_error_figure,
    surface_inputs,
    surface_range,
    surface_summary,
    training_figure,
    training_summary,
    training_traces,
)
from backprop.network import forward
from backprop.table import PRESETS
from backprop.trainer import Run, TrainConfig, train

ALL_FEATURES = ("x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
FITS = (Fit(), PHONE, Fit("row", 20, 20))


@pytest.fixture(scope="module")
def circle() -> object:
    return generate(DataSpec("circle", 120, 0.1, 3))


@pytest.fixture(scope="module")
def deep_run(circle: object) -> Run:
    """Six hidden layers of 8 on a circle with every derived feature, a test set, batches and L2."""
    config = TrainConfig(
        learning_rate=0.03,
        n_iterations=60,
        hidden=(8,) * 6,
        activation="tanh",
        use_bias=True,
        features=ALL_FEATURES,
        test_fraction=0.25,
        batch_size=10,
        regularization="l2",
        reg_rate=0.01,
    )
    return train(circle, config)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def l1_run(circle: object) -> Run:
    config = TrainConfig(
        learning_rate=0.05,
        n_iterations=40,
        hidden=(3, 2),
        activation="linear",
        use_bias=True,
        regularization="l1",
        reg_rate=0.05,
        batch_size=16,
    )
    return train(circle, config)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def test_set_run(circle: object) -> Run:
    return train(
        circle, TrainConfig(learning_rate=0.1, n_iterations=50, hidden=(4,), use_bias=True, test_fraction=0.5)
    )  # type: ignore[arg-type]


def _valid(fig: go.Figure) -> dict:
    go.Figure(fig.to_dict())  # plotly's full validation
    return json.loads(pio.to_json(fig, remove_uids=False))  # as sent to the browser, with the uids


def _by_meta(spec: dict, meta: str) -> dict:
    found = [t for t in spec["data"] if t.get("meta") == meta]
    assert len(found) == 1, meta
    return found[0]


# ----------------------------------------------------------------------------------- training chart
@pytest.mark.parametrize("fit", FITS, ids=lambda f: f.arrangement)
def test_with_a_test_set_the_loss_panel_shows_error_per_row_of_both_sets(test_set_run: Run, fit: Fit) -> None:
    run = test_set_run
    assert run.test_table is not None
    spec = _valid(training_figure(run, fit=fit))
    train_line, test_line = _by_meta(spec, "loss"), _by_meta(spec, "test-loss")
    losses = {s.iteration: s for s in run.history}
    for x, y in zip(train_line["x"], train_line["y"], strict=True):
        assert y == pytest.approx(losses[x].loss / run.table.n_rows, rel=1e-5)
    for x, y in zip(test_line["x"], test_line["y"], strict=True):
        assert y == pytest.approx(losses[x].test_loss / run.test_table.n_rows, rel=1e-5)
    assert test_line["line"]["dash"] != train_line["line"].get("dash", "solid")
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert any("per row E/n" in t for t in titles)
    # the loss axis holds both lines
    low, high = spec["layout"]["yaxis2"]["range"]
    values = np.log10(np.array(train_line["y"] + test_line["y"]))
    assert low <= values.min() and values.max() <= high
    # the traces the frames animate keep their places
    traces = training_traces(run.arch)
    assert spec["data"][traces.loss]["meta"] == "loss"
    assert spec["data"][traces.rows[0]]["meta"] == "rows-0"


def test_without_options_the_loss_panel_is_todays(test_set_run: Run) -> None:
    spec = _valid(training_figure(train(PRESETS["xor"].table, TrainConfig(hidden=(2,), n_iterations=20))))
    assert not [t for t in spec["data"] if t.get("meta") in ("test-loss", "penalty", "objective")]
    assert _by_meta(spec, "loss")["showlegend"] is False
    assert spec["layout"]["yaxis2"]["title"]["text"] == ""
    assert "Loss E = ½·Σ(y − out)²" in [a["text"] for a in spec["layout"]["annotations"]]


@pytest.mark.parametrize("fit", FITS, ids=lambda f: f.arrangement)
def test_with_a_penalty_the_loss_separates_data_error_and_penalty(l1_run: Run, fit: Fit) -> None:
    run = l1_run
    spec = _valid(training_figure(run, fit=fit))
    data, penalty, total = (_by_meta(spec, m) for m in ("loss", "penalty", "objective"))
    assert data["name"] == "data error E" and penalty["name"] == "L1 penalty"
    snapshots = {s.iteration: s for s in run.history}
    for x, p, t, e in zip(penalty["x"], penalty["y"], total["y"], data["y"], strict=True):
        assert p == pytest.approx(snapshots[x].penalty, rel=1e-5)
        assert t == pytest.approx(snapshots[x].loss + snapshots[x].penalty, rel=1e-5)
        assert e == pytest.approx(snapshots[x].loss, rel=1e-5)
    assert {penalty["legend"], total["legend"], data["legend"]} == {"legend3"}
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert "Loss = data error E + penalty" in titles or "E + penalty" in titles


def test_the_deep_run_with_every_option_draws_in_every_arrangement(deep_run: Run) -> None:
    for fit in FITS:
        spec = _valid(training_figure(deep_run, fit=fit))
        metas = {t.get("meta") for t in spec["data"]}
        assert {"test-loss", "penalty", "objective"} <= metas
        penalty = _by_meta(spec, "penalty")
        # per row with a test set: the penalty on the training error's scale
        first = deep_run.history[0]
        assert penalty["y"][0] == pytest.approx(first.penalty / deep_run.table.n_rows, rel=1e-5)
    summary = training_summary(deep_run)
    assert "test error per row" in summary and "L2 penalty" in summary


# --------------------------------------------------------------------------------- decision surface
def test_the_surface_follows_the_datas_extent_and_a_truth_table_keeps_its_square(test_set_run: Run) -> None:
    spec = _valid(decision_surface_figure(test_set_run))
    points = np.vstack([test_set_run.table.X, test_set_run.test_table.X])
    low, high = points.min(), points.max()
    pad = SURFACE_PAD * (high - low)
    assert spec["layout"]["xaxis"]["range"] == pytest.approx([low - pad, high + pad])
    assert spec["layout"]["yaxis"]["range"] == pytest.approx([low - pad, high + pad])
    surface = spec["data"][0]
    assert surface["x"][0] == pytest.approx(low - pad, rel=1e-3) and len(surface["x"]) == SURFACE_GRID
    xor = train(PRESETS["xor"].table, TrainConfig(hidden=(2,), use_bias=True, n_iterations=10))
    assert _valid(decision_surface_figure(xor))["layout"]["xaxis"]["range"] == list(SURFACE_RANGE)


def test_test_rows_are_drawn_apart_from_training_rows(test_set_run: Run) -> None:
    run = test_set_run
    data = _valid(decision_surface_figure(run))["data"]
    rows = next(t for t in data if t.get("uid") == "rows")
    test = next(t for t in data if t.get("uid") == "test-rows")
    assert len(rows["x"]) == run.table.n_rows and len(test["x"]) == run.test_table.n_rows
    assert test["x"] == run.test_table.X[:, 0].tolist() and test["y"] == run.test_table.X[:, 1].tolist()
    assert test["marker"]["line"]["color"] != rows["marker"]["line"]["color"]
    assert test["marker"]["line"]["width"] > rows["marker"]["line"]["width"]
    assert "test" in test["name"] and "training" in rows["name"]
    # 60 + 60 points: no row numbers written on the plot, hover only
    assert rows["mode"] == "markers" and test["mode"] == "markers"
    assert "test rows" in surface_summary(run)


def test_discretize_colours_the_surface_in_two_colours(test_set_run: Run) -> None:
    smooth = _valid(decision_surface_figure(test_set_run))["data"][0]
    two = _valid(decision_surface_figure(test_set_run, discretize=True))["data"][0]
    assert two["z"] == smooth["z"]  # the same outputs (hover shows them), coloured by their side of 0.5
    colours = {c for _, c in two["colorscale"]}
    assert len(colours) == 2
    below = [c for v, c in two["colorscale"] if v < 0.5]
    above = [c for v, c in two["colorscale"] if v > 0.5]
    assert set(below) != set(above) and len(set(below)) == len(set(above)) == 1
    assert len({c for _, c in smooth["colorscale"]}) == 3
    assert "two colours" in surface_summary(test_set_run, discretize=True)


def test_with_derived_features_the_surface_spans_x1_x2_and_the_network_reads_its_features(
    deep_run: Run,
) -> None:
    run = deep_run
    assert surface_inputs(run) == (0, 1)
    spec = _valid(decision_surface_figure(run))
    assert spec["layout"]["xaxis"]["title"]["text"] == "x1"
    assert spec["layout"]["yaxis"]["title"]["text"] == "x2"
    surface = spec["data"][0]
    grid = np.linspace(*surface_range(run, (0, 1)), SURFACE_GRID)
    gx, gy = np.meshgrid(grid, grid)
    expected = run.predict(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0].reshape(gx.shape)
    assert np.array(surface["z"]) == pytest.approx(expected, abs=6e-5)  # outputs rounded to 4 decimals
    assert not any(t.get("uid") == "unit-line" for t in spec["data"])  # no straight line in (x1, x2)


def test_no_hidden_layer_with_features_draws_no_straight_line(circle: object) -> None:
    run = train(
        circle, TrainConfig(learning_rate=0.05, n_iterations=30, use_bias=True, features=("x1sq", "x2sq"))
    )  # type: ignore[arg-type]
    data = _valid(decision_surface_figure(run))["data"]
    assert not any(t.get("uid") == "unit-line" for t in data)
    plain = train(circle, TrainConfig(learning_rate=0.05, n_iterations=30, use_bias=True))  # type: ignore[arg-type]
    assert any(t.get("uid") == "unit-line" for t in _valid(decision_surface_figure(plain))["data"])


# ------------------------------------------------------------------------- diagram and hidden layer
def test_the_diagram_at_six_layers_of_eight_names_every_derived_input(deep_run: Run) -> None:
    spec = _valid(network_figure(deep_run, row=3))
    nodes = next(t for t in spec["data"] if t.get("uid") == "nodes")
    assert len(nodes["x"]) == 7 + 6 * 8 + 1
    names = [text.split("</b>")[0].removeprefix("<b>") for text in nodes["text"]]
    assert names[:7] == ["x1", "x2", "x1²", "x2²", "x1·x2", "sin x1", "sin x2"]
    assert names[7:9] == ["h1.1", "h1.2"] and names[-1] == "out"
    # every node's value is the row's forward pass, the features included
    a = forward(deep_run.arch, deep_run.final.params, deep_run.table.X[3:4]).a
    values = [float(text.split("<br>")[1]) for text in nodes["text"]]
    assert values == pytest.approx([v for layer in a for v in layer[0]], abs=0.006)
    hover = next(t for t in spec["data"] if t.get("uid") == "edge-values")
    assert any(text.startswith("w(sin x2→h1.") for text in hover["text"])
    # the nodes sit apart: 62 px markers on a plot of the layout's height
    px_per_unit = (spec["layout"]["height"] - 200) / np.ptp(spec["layout"]["yaxis"]["range"])
    for level in set(nodes["x"]):
        heights = sorted(y for x, y in zip(nodes["x"], nodes["y"], strict=True) if x == level)
        assert len(heights) == 1 or min(np.diff(heights)) * px_per_unit >= 62
    title = spec["layout"]["title"]["text"]
    assert "x1²" not in title and len(title) < 120  # the row's own inputs, x1 and x2, in 3 digits
    assert "w(sin x1" in network_summary(deep_run, row=3) or "w(" in network_summary(deep_run, row=3)


def test_the_hidden_view_draws_a_deep_layer_and_linear_units(deep_run: Run, l1_run: Run) -> None:
    spec = _valid(hidden_activation_figure(deep_run, layer=5))
    units = [t for t in spec["data"] if str(t.get("uid", "")).startswith("unit-")]
    assert len(units) == 8 and all(len(u["x"]) == deep_run.table.n_rows for u in units)
    assert all(u["marker"]["size"] < 13 for u in units)  # many rows: small points, no labels
    linear = _valid(hidden_activation_figure(l1_run, layer=0))
    flat = next(t for t in linear["data"] if t.get("uid") == "flat")
    assert flat["x"] == [] and "never flat" in flat["name"]
    assert linear["layout"]["yaxis"]["range"][0] < 0  # a linear unit's output goes below 0
    assert "linear" in hidden_summary(l1_run, layer=0)
    _valid(row_error_figure(deep_run))


def test_on_a_phone_a_deep_networks_nodes_shrink_to_fit_their_levels(deep_run: Run) -> None:
    wide = _valid(network_figure(deep_run))
    phone = _valid(network_figure(deep_run, fit=PHONE))
    nodes = {
        name: next(t for t in spec["data"] if t.get("uid") == "nodes")
        for name, spec in (("wide", wide), ("phone", phone))
    }
    assert nodes["wide"]["marker"]["size"] == 62
    size = nodes["phone"]["marker"]["size"]
    x_range = phone["layout"]["xaxis"]["range"]
    plot_px = 360 - phone["layout"]["margin"]["l"] - phone["layout"]["margin"]["r"]  # a phone's column
    level_px = plot_px / (x_range[1] - x_range[0])  # levels are 1 apart on the x axis
    assert size < level_px  # neighbouring levels' nodes do not overlap
    assert nodes["phone"]["textfont"]["size"] >= 9
    targets = next(t for t in phone["data"] if t.get("uid") == "targets")
    assert targets["text"] == [f"y = {deep_run.table.y[0, 0]:g}"]
    # a small network keeps today's look on a phone
    xor = train(PRESETS["xor"].table, TrainConfig(hidden=(4,), use_bias=True, n_iterations=5))
    small = next(t for t in _valid(network_figure(xor, fit=PHONE))["data"] if t.get("uid") == "nodes")
    assert small["marker"]["size"] == 62


def test_hundreds_of_rows_get_summary_lines_in_the_row_error_view(deep_run: Run, test_set_run: Run) -> None:
    spec = _valid(row_error_figure(deep_run))
    lines = [
        t for t in spec["data"] if t.get("mode") == "lines" and t.get("uid") not in ("half", "error-cursor")
    ]
    assert [t["name"] for t in lines] == ["median row", "90th percentile", "largest"]
    errors = np.abs(deep_run.table.y - deep_run.history[0].output).ravel()
    assert lines[2]["y"][0] == pytest.approx(errors.max(), rel=1e-4)
    assert lines[0]["y"][0] == pytest.approx(np.median(errors), rel=1e-4)
    markers = next(t for t in spec["data"] if t.get("uid") == "error-markers")
    assert len(markers["y"]) == deep_run.table.n_rows and markers["showlegend"] is True
    assert spec["frames"][0]["traces"] == [3 + 1, 3 + 2]  # the frames move the cursor and the dots
    assert "training rows" in spec["layout"]["title"]["text"]
    few = train(PRESETS["xor"].table, TrainConfig(hidden=(2,), n_iterations=10))
    assert [t["name"] for t in _valid(row_error_figure(few))["data"][:4]] == [
        "row 1",
        "row 2",
        "row 3",
        "row 4",
    ]
