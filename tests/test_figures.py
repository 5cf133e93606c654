"""The training figure inspected as data: the JSON a browser receives, checked against the run."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest

from backprop.activations import sigmoid
from backprop.figures import (
    ERROR_FLOOR,
    MAX_FRAMES,
    NEUTRAL,
    PALETTE,
    PHONE,
    PRESENTER_FONT,
    SURFACE_GRID,
    SURFACE_RANGE,
    Fit,
    decision_surface_figure,
    frame_iterations,
    frame_limit,
    hidden_activation_figure,
    network_figure,
    row_error_figure,
    shared_labels,
    summarises_hidden_layers,
    training_figure,
    training_traces,
    weight_series,
)
from backprop.network import forward, make_params
from backprop.table import PRESETS, TruthTable
from backprop.trainer import Run, TrainConfig, train

AXES = ("xaxis", "yaxis", "xaxis2", "yaxis2", "xaxis3", "yaxis3")


@pytest.fixture(scope="module")
def notebook_run() -> Run:
    return train(PRESETS["notebook"].table, TrainConfig())


@pytest.fixture(scope="module")
def xor_run() -> Run:
    return train(PRESETS["xor"].table, TrainConfig(hidden=(4,), use_bias=True))


@pytest.fixture(scope="module")
def half_adder_run() -> Run:
    return train(PRESETS["half-adder"].table, TrainConfig(hidden=(4,), use_bias=True))


@pytest.fixture(scope="module")
def large_run() -> Run:
    """The largest allowed network and table: 8 inputs, 256 rows, 4 outputs, hidden (8, 8)."""
    rng = np.random.RandomState(7)
    X = rng.randint(0, 2, (256, 8)).astype(float)
    y = rng.randint(0, 2, (256, 4)).astype(float)
    config = TrainConfig(hidden=(8, 8), use_bias=True, n_iterations=20_000, learning_rate=0.05)
    return train(TruthTable(X, y), config)


@pytest.fixture(params=["notebook_run", "xor_run", "half_adder_run"])
def run(request: pytest.FixtureRequest) -> Run:
    return request.getfixturevalue(request.param)


def spec(fig: go.Figure) -> dict[str, Any]:
    """The figure as the browser gets it; NaN or Infinity would make this strict parse fail."""

    def refuse(constant: str) -> None:
        raise ValueError(f"non-JSON number {constant}")

    return json.loads(fig.to_json(), parse_constant=refuse)


# --- frames -----------------------------------------------------------------------------------------


def test_frame_iterations_are_evenly_chosen_recorded_snapshots_with_both_ends(notebook_run: Run) -> None:
    its = frame_iterations(notebook_run)
    recorded = notebook_run.iterations.tolist()
    assert len(notebook_run.history) == 1000
    assert len(its) == MAX_FRAMES == 60
    assert its[0] == 0 and its[-1] == 10_000
    assert its == sorted(set(its))
    assert set(its) <= set(recorded)
    positions = np.array([recorded.index(i) for i in its])
    steps = np.diff(positions)
    assert steps.max() - steps.min() <= 1  # even in the history, whatever the iteration spacing
    assert frame_iterations(notebook_run, 7) == [recorded[i] for i in (0, 166, 333, 500, 666, 832, 999)]


def test_frame_iterations_keep_every_snapshot_of_a_short_run_and_refuse_fewer_than_two() -> None:
    run = train(PRESETS["and"].table, TrainConfig(n_iterations=5))
    assert frame_iterations(run) == [0, 1, 2, 3, 4, 5]
    assert frame_iterations(run, 2) == [0, 5]
    with pytest.raises(ValueError, match="at least 2"):
        frame_iterations(run, 1)
    with pytest.raises(ValueError, match="at least 2"):
        training_figure(run, max_frames=0)


def test_frames_are_named_by_iteration_and_carry_only_the_animated_traces(run: Run) -> None:
    fig = spec(training_figure(run))
    roles = training_traces(run.arch)
    expected = frame_iterations(run)
    assert [f["name"] for f in fig["frames"]] == [str(i) for i in expected]
    assert len(roles.animated) == 4 + run.arch.n_outputs
    static = set(range(len(fig["data"]))) - set(roles.animated)
    assert {*roles.weights, roles.loss, roles.sigmoid, roles.sigmoid_derivative} == static
    for frame in fig["frames"]:
        assert frame["traces"] == list(roles.animated)
        assert len(frame["data"]) == len(roles.animated)
        cursor, markers, loss_cursor, loss_marker, *rows = frame["data"]
        for change in (cursor, markers, loss_cursor, loss_marker):
            assert set(change) <= {"type", "x", "y"}
        for change in rows:  # row points carry their labels (rows on one spot share one) and their sides
            assert set(change) <= {"type", "x", "y", "text", "textposition"}
            for z, out, side in zip(change["x"], change["y"], change.get("textposition", []), strict=True):
                # towards the middle, never off the plot's edge or into its title
                assert side == f"{'bottom' if out > 0.5 else 'top'} {'left' if z > 0 else 'right'}"
        it = int(frame["name"])
        assert cursor == {"type": "scatter", "x": [it, it]} == loss_cursor
        assert markers["x"] == [it] * len(roles.weights)
        assert loss_marker["x"] == [it]
        assert all(len(r["x"]) == len(r["y"]) == run.table.n_rows for r in rows)


def test_max_frames_is_respected(notebook_run: Run) -> None:
    fig = training_figure(notebook_run, max_frames=10)
    assert [f.name for f in fig.frames] == [str(i) for i in frame_iterations(notebook_run, 10)]
    assert len(fig.layout.sliders[0].steps) == 10


def test_slider_steps_and_buttons_animate_the_frames(run: Run) -> None:
    fig = spec(training_figure(run))
    names = [f["name"] for f in fig["frames"]]
    (slider,) = fig["layout"]["sliders"]
    assert [s["label"] for s in slider["steps"]] == names
    assert [s["args"][0] for s in slider["steps"]] == [[n] for n in names]
    assert {s["method"] for s in slider["steps"]} == {"animate"}
    assert slider["active"] == len(names) - 1  # the last iteration by default
    (menu,) = fig["layout"]["updatemenus"]
    play, fast, pause = menu["buttons"]
    for button in (play, fast):
        assert button["args"][0] is None and button["args"][1]["fromcurrent"]
        assert not button["args"][1]["frame"]["redraw"]
    assert "Play" in play["label"] and "Fast" in fast["label"] and "Pause" in pause["label"]
    assert fast["args"][1]["frame"]["duration"] < play["args"][1]["frame"]["duration"]
    assert pause["args"][0] == [None]
    # the recorded iterations crowd the start (every one early on): the slider says so, or not
    gaps = np.diff([int(n) for n in names])
    uneven = gaps.max() > 3 * gaps.min()
    assert slider["currentvalue"]["suffix"] == (" (denser early on)" if uneven else "")


# --- layout and traces ------------------------------------------------------------------------------


def test_trace_roles_names_and_axes_for_the_notebook(notebook_run: Run) -> None:
    fig = spec(training_figure(notebook_run))
    roles = training_traces(notebook_run.arch)
    data = fig["data"]
    assert len(data) == 3 + 8
    assert roles.weights == (0, 1, 2) and roles.rows == (10,)
    assert [data[i]["name"] for i in roles.weights] == ["w(x1→out)", "w(x2→out)", "w(x3→out)"]
    assert data[roles.sigmoid]["name"] == "σ(z)" and data[roles.sigmoid_derivative]["line"]["dash"] == "dash"
    # few rows: labelled with their numbers; trained, rows 1 and 4 sit at out ≈ 0 and rows 2 and 3 at
    # out ≈ 1, so each pair shares one label instead of printing "14" and "23"
    assert data[roles.rows[0]]["text"] == ["rows 1, 4", "rows 2, 3", "", ""]
    assert "text" in data[roles.rows[0]]["mode"]
    assert data[roles.rows[0]]["customdata"][3] == [4, 0]  # hover still names each row and its target
    axes = [(d.get("xaxis", "x"), d.get("yaxis", "y")) for d in data]
    assert set(axes[: roles.weight_markers + 1]) == {("x", "y")}
    assert set(axes[roles.loss : roles.loss_marker + 1]) == {("x2", "y2")}
    assert set(axes[roles.sigmoid :]) == {("x3", "y3")}
    assert fig["layout"]["yaxis2"]["type"] == "log"
    assert [d["meta"] for d in data] == [
        "weight-0",
        "weight-1",
        "weight-2",
        "weight-cursor",
        "weight-markers",
        "loss",
        "loss-cursor",
        "loss-marker",
        "sigmoid",
        "sigmoid-derivative",
        "rows-0",
    ]


def test_several_outputs_get_one_point_set_each_with_distinct_symbols(half_adder_run: Run) -> None:
    fig = spec(training_figure(half_adder_run))
    roles = training_traces(half_adder_run.arch)
    rows = [fig["data"][i] for i in roles.rows]
    assert [r["name"] for r in rows] == ["rows → out1", "rows → out2"]
    assert len({r["marker"]["symbol"] for r in rows}) == 2
    assert len({r["marker"]["color"] for r in rows}) == 2


def test_small_networks_show_every_weight_and_bias(xor_run: Run) -> None:
    assert not summarises_hidden_layers(xor_run.arch)  # 12 + 4 + 4 + 1 = 21 parameters
    fig = spec(training_figure(xor_run))
    names = [fig["data"][i]["name"] for i in training_traces(xor_run.arch).weights]
    assert len(names) == 21
    assert names[:5] == ["w(x1→h1)", "w(x2→h1)", "w(x3→h1)", "b(h1)", "w(x1→h2)"]
    assert names[-5:] == ["w(h1→out)", "w(h2→out)", "w(h3→out)", "w(h4→out)", "b(out)"]


def test_weight_lines_follow_the_recorded_history(run: Run) -> None:
    fig = spec(training_figure(run))
    roles = training_traces(run.arch)
    by_iteration = {s.iteration: s for s in run.history}
    position = {s.iteration: k for k, s in enumerate(run.history)}
    series = weight_series(run)
    for trace_index, s in zip(roles.weights, series, strict=True):
        trace = fig["data"][trace_index]
        assert trace["name"] == s.name
        assert trace["x"][0] == 0 and trace["x"][-1] == run.final.iteration
        for it, value in zip(trace["x"], trace["y"], strict=True):
            snap = by_iteration[it]
            if s.kind == "norm":
                W, b = snap.params.weights[s.layer], snap.params.biases[s.layer]
                expected = math.sqrt(float((W**2).sum() + (b**2).sum()))
            else:
                expected = float(s.values[position[it]])
            assert value == pytest.approx(expected, rel=1e-5, abs=1e-9)
    loss = fig["data"][roles.loss]
    for it, value in zip(loss["x"], loss["y"], strict=True):
        assert value == pytest.approx(by_iteration[it].loss, rel=1e-5)


def test_half_adder_weights_panel_summarises_the_hidden_layer(half_adder_run: Run) -> None:
    arch = half_adder_run.arch
    assert summarises_hidden_layers(arch)  # 12 + 4 + 8 + 2 = 26 parameters
    names = [s.name for s in weight_series(half_adder_run)]
    assert names[0] == "‖W1, b1‖ (16 values)"
    assert names[1:] == [f"w(h{i}→out1)" for i in range(1, 5)] + ["b(out1)"] + [
        f"w(h{i}→out2)" for i in range(1, 5)
    ] + ["b(out2)"]
    fig = spec(training_figure(half_adder_run))
    assert "‖W‖" in fig["layout"]["annotations"][0]["text"]


def test_line_colours_are_okabe_ito_and_fonts_readable_on_a_projector(run: Run) -> None:
    fig = spec(training_figure(run))
    for trace in fig["data"]:
        if "line" in trace:
            assert trace["line"]["color"] in (*PALETTE, NEUTRAL)
    assert fig["layout"]["paper_bgcolor"] == fig["layout"]["plot_bgcolor"] == "rgba(0,0,0,0)"
    assert fig["layout"]["uirevision"]
    assert fig["layout"]["hovermode"] == "closest"

    def font_sizes(node: object) -> list[float]:
        if isinstance(node, dict):
            found = [v["size"] for k, v in node.items() if k.endswith("font") and "size" in v]
            return found + [s for k, v in node.items() if k != "template" for s in font_sizes(v)]
        if isinstance(node, list):
            return [s for v in node for s in font_sizes(v)]
        return []

    sizes = font_sizes(fig["layout"]) + font_sizes(fig["data"])
    assert len(sizes) > 10 and min(sizes) >= 14


# --- values: ranges, selected iteration, sigmoid points --------------------------------------------


def axis_values(fig: dict[str, Any]) -> dict[str, list[float]]:
    """Every plotted number, in the base data and in every frame, grouped by axis."""
    values: dict[str, list[float]] = {axis: [] for axis in AXES}
    traces = [(d, d) for d in fig["data"]]
    for frame in fig["frames"]:
        traces += [(fig["data"][i], change) for i, change in zip(frame["traces"], frame["data"], strict=True)]
    for base, trace in traces:
        suffix_x = base.get("xaxis", "x")[1:]
        suffix_y = base.get("yaxis", "y")[1:]
        for key, axis in (("x", "xaxis" + suffix_x), ("y", "yaxis" + suffix_y)):
            values[axis] += [v for v in trace.get(key, []) if v is not None]
    return values


def test_axis_ranges_are_fixed_and_contain_everything_plotted(run: Run) -> None:
    fig = spec(training_figure(run))
    values = axis_values(fig)
    sigmoid_data = fig["data"][training_traces(run.arch).sigmoid]
    for axis in AXES:
        layout = fig["layout"][axis]
        assert layout["autorange"] is False
        low, high = layout["range"]
        assert low < high
        plotted = np.array(values[axis])
        assert plotted.size > 0
        if layout.get("type") == "log":
            plotted = np.log10(plotted)
        tolerance = 1e-9 * max(1.0, abs(low), abs(high))
        assert plotted.min() >= low - tolerance, axis
        assert plotted.max() <= high + tolerance, axis
    # the sigmoid curve spans its whole axis, and the axis is centred on z = 0
    assert sigmoid_data["x"][0] == pytest.approx(fig["layout"]["xaxis3"]["range"][0], rel=1e-4)
    assert sigmoid_data["x"][-1] == pytest.approx(fig["layout"]["xaxis3"]["range"][1], rel=1e-4)
    assert fig["layout"]["xaxis3"]["range"][0] == -fig["layout"]["xaxis3"]["range"][1]


def test_initial_data_shows_exactly_the_selected_iteration(notebook_run: Run) -> None:
    evenly_chosen = frame_iterations(notebook_run)
    roles = training_traces(notebook_run.arch)
    for selected in (None, 0, 34, 37, 300, 4321, 10_000):
        fig = spec(training_figure(notebook_run, selected_iteration=selected))
        shown = 10_000 if selected is None else selected
        names = [int(f["name"]) for f in fig["frames"]]
        # the evenly chosen frames, and the selected iteration in its place when it is not one of them
        assert (
            names
            == sorted({*evenly_chosen, shown})
            == frame_iterations(notebook_run, selected_iteration=selected)
        )
        (slider,) = fig["layout"]["sliders"]
        active = slider["active"]
        assert names[active] == shown and slider["steps"][active]["label"] == str(shown)
        frame = fig["frames"][active]
        for i, change in zip(roles.animated, frame["data"], strict=True):
            for key in ("x", "y"):
                if key in change:
                    assert fig["data"][i][key] == change[key], (selected, i, key)
        snap = notebook_run.snapshot_at(shown)
        markers = fig["data"][roles.weight_markers]
        assert markers["x"] == [shown] * 3
        np.testing.assert_allclose(markers["y"], snap.params.weights[0][:, 0], rtol=1e-5)
        assert fig["data"][roles.loss_marker]["y"][0] == pytest.approx(snap.loss, rel=1e-5)
        assert fig["data"][roles.weight_cursor]["x"] == [shown, shown]


def test_sigmoid_points_are_the_runs_outputs_at_their_net_inputs(run: Run) -> None:
    fig = spec(training_figure(run, selected_iteration=run.final.iteration // 3))
    roles = training_traces(run.arch)
    X = run.table.X
    checked = [(fig["data"][i], i) for i in roles.rows]
    frames = fig["frames"]
    for frame in (frames[0], frames[len(frames) // 2], frames[-1]):
        it = int(frame["name"])
        snap = run.snapshot_at(it)
        for j, change in enumerate(frame["data"][4:]):
            np.testing.assert_allclose(change["y"], snap.output[:, j], atol=1e-5)
            # z by hand: a_prev W + b through the layers, the last layer's net input
            a = X
            for layer, (W, b) in enumerate(zip(snap.params.weights, snap.params.biases, strict=True)):
                z = a @ W + b
                a = sigmoid(z)
                if layer == run.arch.n_layers - 1:
                    np.testing.assert_allclose(change["x"], z[:, j], rtol=1e-4, atol=1e-6)
            np.testing.assert_allclose(sigmoid(np.array(change["x"])), change["y"], atol=1e-4)
    # the base data shows the selected frame's points
    active = fig["layout"]["sliders"][0]["active"]
    for j, (trace, _) in enumerate(checked):
        snap = run.snapshot_at(int(frames[active]["name"]))
        np.testing.assert_allclose(trace["y"], snap.output[:, j], atol=1e-5)
        z = forward(run.arch, snap.params, X).z[-1][:, j]
        np.testing.assert_allclose(trace["x"], z, rtol=1e-4, atol=1e-6)


def test_plotted_numbers_are_rounded_to_six_significant_digits(notebook_run: Run) -> None:
    fig = spec(training_figure(notebook_run))
    roles = training_traces(notebook_run.arch)
    data = [fig["data"][i] for i in (*roles.weights, roles.weight_markers, roles.loss, *roles.rows)]
    data += [d for f in fig["frames"] for d in f["data"]]
    numbers = [v for d in data for k in "xy" for v in d.get(k, [])]
    assert len(numbers) > 5_000
    for v in numbers:
        assert float(f"{v:.6g}") == v


# --- figures valid, small, and robust ---------------------------------------------------------------


def test_the_figure_passes_plotly_validation(run: Run) -> None:
    fig = training_figure(run)
    validated = go.Figure(fig.to_dict())  # the full per-property validation the builder skips
    assert len(validated.data) == len(fig.data) and len(validated.frames) == len(fig.frames)
    # what the page is sent is what plotly's validated figure would send, frames included
    assert validated.to_plotly_json()["frames"] == fig.to_plotly_json()["frames"]
    assert json.loads(validated.to_json()) == json.loads(fig.to_json())


def test_largest_network_and_table_stay_under_the_payload_budget(large_run: Run) -> None:
    arch = large_run.arch
    assert (arch.n_inputs, arch.hidden, arch.n_outputs, large_run.table.n_rows) == (8, (8, 8), 4, 256)
    assert summarises_hidden_layers(arch)
    fig = training_figure(large_run)
    text = fig.to_json()
    assert len(text) < 1.5e6
    data = spec(fig)
    roles = training_traces(arch)
    names = [data["data"][i]["name"] for i in roles.weights]
    assert names[:2] == ["‖W1, b1‖ (72 values)", "‖W2, b2‖ (72 values)"]
    assert len(names) == 2 + 4 * (8 + 1)
    assert names[2] == "w(h2.1→out1)" and names[-1] == "b(out4)"
    frames = [int(f["name"]) for f in data["frames"]]
    assert frames == frame_iterations(large_run)
    assert 2 <= len(frames) == frame_limit(large_run) < MAX_FRAMES  # capped by the payload budget
    assert frames[0] == 0 and frames[-1] == 20_000
    rows = data["data"][roles.rows[0]]
    assert rows["mode"] == "markers"  # 256 row labels would pile up: numbers on hover only
    go.Figure(fig.to_dict())


def test_row_points_on_one_spot_share_one_label() -> None:
    x = np.array([-4.6, 4.7, 4.8, -4.8, 0.0, np.nan])
    y = np.array([0.01, 0.99, 0.992, 0.008, 0.5, np.nan])
    assert shared_labels(x, y, (12.0, 1.16)) == ["rows 1, 4", "rows 2, 3", "", "", "5", "6"]
    apart = shared_labels(np.array([-5.0, 0.0, 5.0]), np.array([0.0, 0.5, 1.0]), (12.0, 1.16))
    assert apart == ["1", "2", "3"]
    # the same spot across units: numbers are the given rows, each once
    units = shared_labels(np.array([1.0, 1.01, 1.0, 3.0]), np.array([0.5] * 4), (8.0, 1.16), [1, 2, 1, 2])
    assert units == ["rows 1, 2", "", "", "2"]


def test_a_single_snapshot_run_still_makes_a_figure() -> None:
    run = train(PRESETS["notebook"].table, TrainConfig(n_iterations=0))
    fig = spec(training_figure(run))
    assert [f["name"] for f in fig["frames"]] == ["0"]
    assert not fig["layout"].get("sliders") and not fig["layout"].get("updatemenus")  # nothing to play
    low, high = fig["layout"]["xaxis"]["range"]
    assert low < 0 < high


def test_overflowing_net_inputs_become_gaps_not_invalid_json() -> None:
    table = PRESETS["notebook"].table
    config = TrainConfig(n_iterations=0)
    arch = config.architecture(table)
    run = train(table, config, initial=make_params(arch, [[[1.5e308], [1.5e308], [1.5e308]]]))
    fig = spec(training_figure(run))  # strict JSON: no NaN or Infinity
    rows = fig["data"][training_traces(arch).rows[0]]
    assert rows["x"] == [1.5e308, None, None, None]  # row 1 is 0 + 0 + 1.5e308; the others overflow
    for axis in AXES:
        assert all(math.isfinite(v) for v in fig["layout"][axis]["range"])


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@pytest.mark.parametrize(
    "fit", [Fit(), PHONE, Fit("row", PRESENTER_FONT + 2, PRESENTER_FONT)], ids=["grid", "stack", "row"]
)
def test_the_training_chart_arrangements_keep_panels_apart_and_their_text_sizes(run: Run, fit: Fit) -> None:
    fig = spec(training_figure(run, fit=fit))
    layout = fig["layout"]
    panels = [(layout[f"xaxis{k}"]["domain"], layout[f"yaxis{k}"]["domain"]) for k in ("", "2", "3")]
    for i, (x1, y1) in enumerate(panels):
        for x2, y2 in panels[i + 1 :]:
            assert not (overlaps(x1, x2) and overlaps(y1, y2)), (fit, x1, y1, x2, y2)
    columns = {tuple(x) for x, _ in panels}
    assert len(columns) == {"grid": 3, "stack": 1, "row": 3}[fit.arrangement]
    assert layout["font"]["size"] == fit.font
    for name in AXES:
        assert layout[name]["tickfont"]["size"] == fit.small_font
    assert layout["sliders"][0]["font"]["size"] == fit.small_font
    assert all(a["font"]["size"] == fit.font for a in layout["annotations"])


def test_sweep_figure_shows_every_run_and_the_chosen_one() -> None:
    from backprop.figures import sweep_figure
    from backprop.sweep import sweep

    table = PRESETS["notebook"].table
    lrs = np.array([0.01, 0.1, 1.0, 10.0, 100.0])
    result = sweep(table, TrainConfig(n_iterations=500), learning_rates=lrs)
    fig = sweep_figure(result, 1.0)
    go.Figure(fig.to_dict())  # plotly's full validation accepts it
    heatmap, mine, finals, marker = fig.data
    assert heatmap.type == "heatmap" and list(heatmap.y) == list(lrs)
    assert len(heatmap.x) == len(result.iterations) - 1 and 0 not in heatmap.x  # log axis: no 0
    expected = np.log10(result.losses[:, 1:])
    np.testing.assert_allclose(np.array(heatmap.z, dtype=float), expected, atol=1e-3)
    assert list(mine.y) == [1.0, 1.0] and list(marker.x) == [1.0, 1.0]
    np.testing.assert_allclose(finals.y, result.final_loss, rtol=1e-5)
    single = train(table, TrainConfig(n_iterations=500, learning_rate=10.0))
    assert finals.y[3] == pytest.approx(single.final.loss, rel=1e-5)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.domain[1] < fig.layout.xaxis2.domain[0]  # side by side on a desktop

    phone = sweep_figure(result, 1.0, PHONE)
    go.Figure(phone.to_dict())
    assert phone.layout.xaxis.domain == phone.layout.xaxis2.domain == (0.0, 1.0)  # one under the other
    assert phone.layout.yaxis2.domain[1] < phone.layout.yaxis.domain[0]
    assert phone.data[0].colorbar.x > 1  # the colour bar beside the heatmap, not over the final losses
    assert phone.data[0].z == fig.data[0].z and phone.data[2].y == fig.data[2].y


# --- Play, Step and the inspect slider show the same iteration everywhere ---------------------------


def unrecorded(run: Run) -> int:
    """An iteration between two recorded snapshots, two thirds of the way through the run."""
    recorded = run.iterations
    k = int(np.searchsorted(recorded, 2 * run.final.iteration // 3))
    selected = int(recorded[k - 1] + recorded[k]) // 2
    assert selected not in set(recorded.tolist())
    return selected


def animated_figures(run: Run, selected: int | None) -> dict[str, go.Figure]:
    figs = {
        "training": training_figure(run, selected_iteration=selected),
        "network": network_figure(run, row=2, selected_iteration=selected),
        "errors": row_error_figure(run, selected_iteration=selected),
        "surface": decision_surface_figure(run, selected_iteration=selected),
    }
    if run.arch.hidden:
        figs["hidden"] = hidden_activation_figure(run, selected_iteration=selected)
    return figs


def opening_frame(fig: dict[str, Any]) -> dict[str, Any]:
    """The frame the slider opens on, after checking the base data shows exactly that frame."""
    (slider,) = fig["layout"]["sliders"]
    frame = fig["frames"][slider["active"]]
    assert slider["steps"][slider["active"]]["label"] == frame["name"]
    for i, change in zip(frame["traces"], frame["data"], strict=True):
        for key, value in change.items():
            assert fig["data"][i][key] == value, (i, key)
    return frame


@pytest.mark.parametrize("fixture", ["notebook_run", "xor_run"])
def test_every_animated_figure_opens_on_an_unrecorded_selected_iteration(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    run: Run = request.getfixturevalue(fixture)
    selected = unrecorded(run)
    snap = run.snapshot_at(selected)
    assert snap.iteration == selected
    for name, fig in animated_figures(run, selected).items():
        data = spec(fig)
        frame = opening_frame(data)
        assert frame["name"] == str(selected), name
        # the figure's own frames, plus one for the selected iteration in its place
        names = [int(f["name"]) for f in data["frames"]]
        default = [int(f.name) for f in animated_figures(run, None)[name].frames]
        assert names == sorted([*default, selected]), name
    assert frame_iterations(run, selected_iteration=selected) == sorted([*frame_iterations(run), selected])
    assert len(frame_iterations(run, selected_iteration=selected)) == frame_limit(run) + 1


def test_the_training_figure_marks_the_selected_iterations_exact_state(notebook_run: Run) -> None:
    selected = unrecorded(notebook_run)
    snap = notebook_run.snapshot_at(selected)
    before = notebook_run.history[int(np.searchsorted(notebook_run.iterations, selected)) - 1]
    assert not np.allclose(snap.params.weights[0], before.params.weights[0], rtol=1e-7, atol=0)
    fig = spec(training_figure(notebook_run, selected_iteration=selected))
    roles = training_traces(notebook_run.arch)
    data = fig["data"]
    assert data[roles.weight_cursor]["x"] == data[roles.loss_cursor]["x"] == [selected, selected]
    assert data[roles.weight_markers]["x"] == [selected] * 3
    np.testing.assert_allclose(data[roles.weight_markers]["y"], snap.params.weights[0][:, 0], rtol=1e-5)
    assert data[roles.loss_marker]["x"] == [selected]
    assert data[roles.loss_marker]["y"][0] == pytest.approx(snap.loss, rel=1e-5)
    rows = data[roles.rows[0]]
    np.testing.assert_allclose(rows["y"], snap.output[:, 0], atol=1e-6)
    z = forward(notebook_run.arch, snap.params, notebook_run.table.X).z[-1][:, 0]
    np.testing.assert_allclose(rows["x"], z, rtol=1e-4)
    values = axis_values(fig)  # the fixed ranges hold the extra frame too
    for axis in ("yaxis", "xaxis3"):
        low, high = fig["layout"][axis]["range"]
        assert low <= min(values[axis]) and max(values[axis]) <= high


def test_the_teaching_views_show_the_selected_iterations_exact_state(xor_run: Run) -> None:
    selected = unrecorded(xor_run)
    snap = xor_run.snapshot_at(selected)
    arch, table = xor_run.arch, xor_run.table
    # traces by uid (which the JSON sent to the browser leaves out)
    figs = {name: fig.to_plotly_json() for name, fig in animated_figures(xor_run, selected).items()}
    by_uid = {name: {t.get("uid"): t for t in fig["data"]} for name, fig in figs.items()}

    errors = by_uid["errors"]
    assert errors["error-cursor"]["x"] == [selected, selected]
    expected = np.clip(np.abs(table.y - snap.output).ravel(), ERROR_FLOOR, None)
    np.testing.assert_allclose(errors["error-markers"]["y"], expected, rtol=1e-4)

    network = by_uid["network"]
    a = forward(arch, snap.params, table.X[2:3]).a
    values = [float(v) for layer in a for v in layer[0]]
    assert [text.split("<br>")[1] for text in network["nodes"]["text"]] == [f"{v:.2f}" for v in values]
    assert network["edge-values"]["text"][0] == f"w(x1→h1) = {snap.params.weights[0][0, 0]:.4g}"
    assert network["edge-values"]["text"][-1] == f"b(out) = {snap.params.biases[1][0]:.4g}"

    surface = by_uid["surface"]["surface"]
    grid = np.linspace(*SURFACE_RANGE, SURFACE_GRID)
    gx, gy = np.meshgrid(grid, grid)
    X = np.repeat(table.X[:1], gx.size, axis=0)
    X[:, 0], X[:, 1] = gx.ravel(), gy.ravel()
    out = forward(arch, snap.params, X).output[:, 0].reshape(gx.shape)
    np.testing.assert_allclose(surface["z"], out, atol=1e-4)

    hidden = by_uid["hidden"]
    passed = forward(arch, snap.params, table.X)
    for u in range(arch.hidden[0]):
        np.testing.assert_allclose(hidden[f"unit-{u}"]["x"], passed.z[0][:, u], rtol=1e-4, atol=1e-9)
        np.testing.assert_allclose(hidden[f"unit-{u}"]["y"], passed.a[1][:, u], rtol=1e-4, atol=1e-9)


def test_a_selected_iteration_that_is_a_frame_adds_none(xor_run: Run) -> None:
    frames = frame_iterations(xor_run)
    for selected in (frames[0], frames[len(frames) // 2]):
        for name, fig in animated_figures(xor_run, selected).items():
            data = spec(fig)
            default = [f.name for f in animated_figures(xor_run, None)[name].frames]
            assert [f["name"] for f in data["frames"]] == default, name
            assert opening_frame(data)["name"] == str(selected), name


def test_a_selected_iteration_outside_the_run_opens_on_its_nearest_end(notebook_run: Run) -> None:
    for selected, end in ((-5, 0), (10**6, 10_000)):
        fig = spec(training_figure(notebook_run, selected_iteration=selected))
        assert opening_frame(fig)["name"] == str(end)
        assert [f["name"] for f in fig["frames"]] == [str(i) for i in frame_iterations(notebook_run)]


def test_rows_of_several_outputs_on_one_spot_share_one_label() -> None:
    run = train(PRESETS["half-adder"].table, TrainConfig(n_iterations=3000, hidden=(4,), use_bias=True))
    fig = spec(training_figure(run))
    roles = training_traces(run.arch)
    points = [
        (x, y, label)
        for i in roles.rows
        for x, y, label in zip(fig["data"][i]["x"], fig["data"][i]["y"], fig["data"][i]["text"], strict=True)
    ]
    labelled = [(x, y) for x, y, label in points if label]
    for k, (x1, y1) in enumerate(labelled):  # no two labels printed on one spot, whatever the output
        for x2, y2 in labelled[k + 1 :]:
            assert abs(x1 - x2) > 0.01 or abs(y1 - y2) > 0.01
    named = {int(n) for _, _, label in points if label for n in label.removeprefix("rows ").split(", ")}
    assert named == set(range(1, run.table.n_rows + 1))  # every row is still named
