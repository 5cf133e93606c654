"""The teaching views and diagnostics in the app (AppTest): every tab renders, the notices say why."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from backprop.activations import ACTIVATIONS
from tests.app.pagetest import APP, metric, open_tab

TABS = ("Network", "Decision surface", "Per-row error", "Hidden layer", "Activations", "Learning-rate sweep")


def app(preset: str = "notebook", layers: int = 0, bias: bool = False, lr: float = 1.0) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    if preset != "notebook":
        at.selectbox(key="preset").set_value(preset).run()
    at.radio(key="layers").set_value(layers)
    at.checkbox(key="bias").set_value(bias)
    at.text_input(key="lr").set_value(str(lr))
    at.run()
    assert not at.exception, at.exception
    return at


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly charts by key, as the browser receives them."""
    return {c.key: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def warnings(at: AppTest) -> list[str]:
    """The warnings' text as a reader sees it (Markdown escapes and bold marks removed)."""
    return [re.sub(r"\\(.)", r"\1", w.value).replace("**", "") for w in at.warning]


CASES = {
    "notebook": {},
    "xor with a hidden layer": {"preset": "xor", "layers": 1, "bias": True, "lr": 0.5},
    "half adder": {"preset": "half-adder", "layers": 1, "bias": True, "lr": 0.5},
}


@pytest.mark.parametrize("case", CASES)
def test_every_view_renders(case: str) -> None:
    at = app(**CASES[case])
    assert [t.label for t in at.tabs][: len(TABS)] == list(TABS)
    with_hidden = CASES[case].get("layers", 0) > 0
    expected_chart = {
        "Network": "network_chart",
        "Decision surface": "surface_chart",
        "Per-row error": "row_error_chart",
        "Hidden layer": "hidden_chart" if with_hidden else None,
        "Activations": "activation_chart" if with_hidden else None,
        "Learning-rate sweep": "sweep_chart",
    }
    for label in TABS:
        open_tab(at, label)
        keys = set(charts(at))
        assert "training_chart" in keys
        others = {name for name in expected_chart.values() if name}
        wanted = expected_chart[label]
        assert keys & others == ({wanted} if wanted else set()), (label, keys)  # only the open tab draws
        if wanted is None:
            assert any("hidden layer" in i.value for i in at.info), label


def test_xor_without_a_hidden_layer_says_it_cannot_fit_and_how_to_fix_it() -> None:
    at = app("xor")
    (text,) = [w for w in warnings(at) if "cannot be fit" in w]
    assert text.startswith("No hidden layer: this table cannot be fit, because it is not linearly separable.")
    for phrase in (
        "not linearly separable",
        "rows 2 and 3",
        "add a hidden layer with 2–4 units",
        "Learned biases",
    ):
        assert phrase in text, phrase
    open_tab(at, "Decision surface")
    surface = charts(at)["surface_chart"]
    assert any(t.get("name") == "the unit's line w·x = 0" for t in surface["data"])
    assert any("no line" in m.value for m in at.markdown)


def test_xor_with_a_hidden_layer_learns_and_raises_no_warning() -> None:
    at = app(**CASES["xor with a hidden layer"])
    assert warnings(at) == []
    open_tab(at, "Activations")
    chart = charts(at)["activation_chart"]
    assert [t["name"].split(":")[0] for t in chart["data"]] == ["sigmoid", "tanh", "relu", "linear"]
    # a network of linear units is one linear map: it cannot fit XOR
    assert any(c.value.endswith("Fit every row: sigmoid, tanh, relu.") for c in at.caption)


def test_dead_relu_units_are_named_in_the_app() -> None:
    at = app(**CASES["xor with a hidden layer"])
    at.selectbox(key="activation").set_value("relu")
    at.text_input(key="seed").set_value(str(3))
    at.run()
    assert not at.exception
    (text,) = [w for w in warnings(at) if w.startswith("Dead ReLU units")]
    assert "h1 (since iteration 2) and h3 (from the start)" in text and "ReLU′(z) = 0" in text
    assert any(w.startswith("Training has stalled") for w in warnings(at))
    open_tab(at, "Hidden layer")
    hidden = charts(at)["hidden_chart"]
    assert any(t.get("name") == "inactive: z ≤ 0, slope 0" for t in hidden["data"])


def test_conflicting_rows_are_flagged() -> None:
    at = app()
    key = f"table_editor_{at.session_state['table_version']}"
    at.session_state[key] = {
        "edited_rows": {},
        "added_rows": [{"x1": 0, "x2": 0, "x3": 1, "y": 1}],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert any("Rows 1 and 5: same inputs, different targets" in w for w in warnings(at))


def test_network_row_and_surface_output_choices() -> None:
    at = app(**CASES["half adder"])
    at.selectbox(key="network_row").set_value(3).run()
    net = charts(at)["network_chart"]
    assert net["layout"]["title"]["text"].startswith("Row 4 [1, 1, 1]")
    open_tab(at, "Decision surface")
    at.selectbox(key="surface_output").set_value(1).run()
    assert "out2" in charts(at)["surface_chart"]["layout"]["title"]["text"]
    # choices the table no longer has fall back to the first
    at.selectbox(key="preset").set_value("xor").run()
    assert not at.exception
    at.session_state["surface_output"] = 1
    at.run()
    assert not at.exception and "over (x1, x2)" in charts(at)["surface_chart"]["layout"]["title"]["text"]
    open_tab(at, "Network")
    at.selectbox(key="network_row").set_value(3).run()
    key = f"table_editor_{at.session_state['table_version']}"
    at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [3]}
    at.run()  # row 4 is gone
    assert not at.exception and at.session_state["network_row"] == 0
    assert charts(at)["network_chart"]["layout"]["title"]["text"].startswith("Row 1 [0, 0, 1]")
    at.selectbox(key="preset").set_value("majority").run()
    open_tab(at, "Decision surface")
    assert any("exactly two inputs that vary" in i.value for i in at.info)


def test_runs_with_a_progress_bar_survive_reruns() -> None:
    """Majority with a hidden layer is enough work for a progress bar; the cache hit on the next rerun
    replays the bar instead of failing (CacheReplayClosureError), in every tab."""
    at = app("majority", layers=1, bias=True)
    for label in TABS:
        open_tab(at, label)
        at.run()
        assert not at.exception, label
    open_tab(at, "Activations")
    assert len(charts(at)["activation_chart"]["data"]) == len(ACTIVATIONS)


def test_sweep_tab_highlights_the_chosen_learning_rate_and_matches_a_single_run() -> None:
    at = app(lr=2.0)
    open_tab(at, "Learning-rate sweep")
    sweep = charts(at)["sweep_chart"]
    heatmap = next(t for t in sweep["data"] if t["type"] == "heatmap")
    assert len(heatmap["y"]) == 65 and 2.0 in heatmap["y"]  # 64 log-spaced rates plus the chosen one
    mine = next(t for t in sweep["data"] if t.get("name", "").startswith("your learning rate ("))
    assert mine["y"] == [2.0, 2.0]
    caption = next(c.value for c in at.caption if "runs of this table" in c.value)
    loss = float(re.search(r"Yours \(lr 2\) ends at E = ([0-9.e+-]+)", caption).group(1))
    shown = float(next(m.value for m in at.metric if m.label.startswith("Loss")))
    assert loss == pytest.approx(shown, rel=1e-2)


def test_the_overshoot_preset_explains_itself_and_its_sweep_shows_too_large_a_step() -> None:
    at = app("overshoot")
    assert any("Too large a step" in c.value for c in at.caption)  # the description under the preset box
    assert float(metric(at, "Loss")) < 1e-12  # lr 1 converges
    open_tab(at, "Learning-rate sweep")
    caption = next(c.value for c in at.caption if "runs of this table" in c.value)
    for sentence in (
        "rose along the way",
        "still jumping up and down at the end",
        "too large a step diverges",
    ):
        assert sentence in caption, caption


def test_a_heavy_sweep_waits_for_a_click() -> None:
    at = app("parity3", layers=2)
    at.slider(key="units1").set_value(8)
    at.slider(key="units2").set_value(8)
    at.text_input(key="iterations").set_value(str(50_000))
    at.run()
    open_tab(at, "Learning-rate sweep")
    assert "sweep_chart" not in charts(at)
    assert any("may take a while" in i.value for i in at.info)
    assert any(b.label == "Run the sweep" for b in at.button)
