"""Share & export on the page: a link opens its experiment, the link follows the run, CSV upload and the
downloads. (The link format itself: tests/test_share.py; the real address bar: tests/browser.)"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from streamlit.testing.v1 import AppTest

from app.teaching import TEACHING_TABS
from backprop.share import TAB_NAMES, Experiment, decode, decode_table, encode, share_url
from backprop.table import TruthTable, get_preset, table_to_csv
from backprop.trainer import TrainConfig, train
from tests.app.pagetest import fresh, link, metric, plain, shown_link


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


XOR_LINK = {
    "preset": "xor",
    "lr": "0.5",
    "iterations": "3000",
    "seed": "3",
    "hidden": "4",
    "activation": "tanh",
    "bias": "1",
    "input": "1,0,1",
}


def _open(link: dict[str, str] | None = None) -> AppTest:
    """The page opened from ``link`` with Share & export open (where the link is shown)."""
    return fresh(**(link or {}), share="true")


def test_a_link_opens_its_experiment_in_the_app() -> None:
    at = _open(XOR_LINK)
    assert not at.warning
    config = TrainConfig(
        learning_rate=0.5, n_iterations=3000, seed=3, hidden=(4,), activation="tanh", use_bias=True
    )
    run = train(get_preset("xor").table, config)
    expected = f"{run.predict([[1, 0, 1]])[0, 0]:.8f}"
    assert metric(at, "Prediction for [1, 0, 1]") == expected
    assert metric(at, "Iteration") == "3,000"
    assert at.session_state["layers"] == 1 and at.session_state["activation"] == "tanh"
    # an older link (hidden=4, bias=1) is rewritten in the widgets' keys, in the address bar and the link
    new_keys = {**XOR_LINK, "layers": "1", "bias": "true"}
    del new_keys["hidden"]
    assert link(at) == new_keys
    assert decode(query(shown_link(at))).experiment.config == config


def test_the_default_page_gets_the_default_link() -> None:
    at = _open()
    assert metric(at, "Prediction for [1, 0, 0]") == "0.99993703"
    assert shown_link(at) == share_url(None, encode(Experiment()))
    assert "table" not in at.query_params and "at" not in at.query_params  # the keys the page writes


def test_a_junk_link_opens_the_defaults_with_a_visible_notice() -> None:
    at = _open({"lr": "abc", "seed": "1e999", "preset": "<script>", "hidden": "9,9,9", "table": "x" * 10_000})
    assert metric(at, "Prediction for [1, 0, 0]") == "0.99993703"
    assert len(at.warning) == 1
    notice = at.warning[0].value
    for key in ("preset", "table", "lr", "seed", "hidden"):
        assert f"Link value {key}=" in notice
    assert "<script>" not in notice  # escaped: shown as text, never as markup
    assert link(at) == encode(Experiment()) and "table" not in at.query_params  # cleaned up


def test_the_address_bar_follows_the_experiment() -> None:
    at = _open()
    at.text_input(key="lr").set_value("0.25").run()
    assert link(at)["lr"] == "0.25"
    assert "at" not in at.query_params and "at" not in link(at)  # the last iteration is shown
    next(b for b in at.button if b.label == "Step").click().run()
    # the training length and the iteration shown travel apart
    assert link(at)["iterations"] == "10000" and link(at)["at"] == at.query_params["at"] == "10001"
    reopened = _open(link(at))
    assert metric(reopened, "Iteration") == "10,001"
    assert metric(reopened, "Prediction") == metric(at, "Prediction")


def test_a_link_made_while_stepping_keeps_the_training_length() -> None:
    at = _open()
    next(b for b in at.button if b.label == "Reset").click().run()
    for _ in range(3):
        next(b for b in at.button if b.label == "Step").click().run()
    assert metric(at, "Iteration") == "3"
    assert link(at)["iterations"] == "10000" and link(at)["at"] == at.query_params["at"] == "3"
    reopened = _open(link(at))
    assert metric(reopened, "Iteration") == "3"
    assert metric(reopened, "Prediction") == metric(at, "Prediction")
    next(b for b in reopened.button if b.label == "Train").click().run()
    assert metric(reopened, "Iteration") == "10,000"


def test_an_old_link_with_zero_iterations_shows_the_initial_weights_and_trains_in_full() -> None:
    at = _open({**encode(Experiment()), "iterations": "0"})
    assert metric(at, "Iteration") == "0" and not at.warning
    assert link(at)["iterations"] == "10000"  # the shared link names it; the address bar leaves it out
    assert "iterations" not in at.query_params and link(at)["at"] == at.query_params["at"] == "0"
    next(b for b in at.button if b.label == "Train").click().run()
    assert metric(at, "Iteration") == "10,000"


def test_a_rewritten_link_leaves_the_settings_at_their_default_out_of_the_address_bar() -> None:
    """As Streamlit leaves out every widget bound to the address bar while it holds its default."""
    at = fresh(tab="sweep", lr="1", iterations="10000", seed="0", input="1,0,0")
    assert dict(at.query_params) == {"tab": "Learning-rate sweep"}
    at = fresh(preset="xor", tab="sweep", lr="0.5", seed="0", input="1,0,0", early_stop="true")
    expected = {"preset": "xor", "lr": "0.5", "early_stop": "true", "input": "1,0,0"}
    expected["tab"] = "Learning-rate sweep"
    assert dict(at.query_params) == expected  # input: not xor's own (1, 1, 1)
    reopened = fresh(**expected)
    assert shown_link(reopened) == shown_link(at)
    assert reopened.session_state["input"] == "1,0,0"
    assert reopened.session_state["valid_settings"]["lr"] == 0.5


def test_a_link_with_a_table_and_target_loss() -> None:
    table = TruthTable([[0, 0], [0, 1], [1, 0], [1, 1]], [[0.1], [0.9], [0.9], [0.1]])
    experiment = Experiment(
        "notebook", table, TrainConfig(hidden=(3,), use_bias=True, target_loss=0.01), (0.0, 1.0)
    )
    at = _open(encode(experiment))
    assert not at.warning
    assert at.session_state["valid_table"] == table
    run = train(table, experiment.config)
    assert run.status == "target_reached"
    assert metric(at, "Iteration") == f"{run.final.iteration:,}"
    assert metric(at, "Prediction for [0, 1]") == f"{run.predict([[0, 1]])[0, 0]:.8f}"


def test_uploaded_table_round_trips_and_bad_files_are_refused() -> None:
    at = _open()
    table = TruthTable([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], [[0, 1], [1, 1], [1, 1], [0.5, 0.25]])
    text = table_to_csv(table)
    at.file_uploader(key="table_upload").set_value(("gates.csv", text.encode(), "text/csv")).run()
    assert not at.exception and not at.error
    assert at.session_state["valid_table"] == table
    assert table_to_csv(at.session_state["valid_table"]) == text  # what "Table (CSV)" downloads
    assert metric(at, "Prediction y1 for [1, 0, 0]")
    assert decode_table(at.query_params["table"]) == table

    for name, data, reason in [
        ("bad.csv", b"x1,y\n0,2\n", "outside [0, 1]"),
        ("latin1.csv", "x1,y\n0,0\n\xe9,1\n".encode("latin-1"), "not UTF-8"),
        ("big.csv", b"x1,y\n" + b"0,0\n" * 300_000, "larger than 1 MB"),
        ("binary.csv", b"x1,y\n\x00\x01", "binary"),
    ]:
        at.file_uploader(key="table_upload").set_value((name, data, "text/csv")).run()
        assert not at.exception
        errors = [e.value.replace("\\", "") for e in at.error]
        assert any(name in e and reason in e for e in errors), errors
        assert at.session_state["valid_table"] == table  # the last valid table stays


def test_uploading_a_bom_csv_from_a_spreadsheet_works() -> None:
    at = _open()
    at.file_uploader(key="table_upload").set_value(
        ("excel.csv", "\ufeffx1,x2,y\r\n0,1,1\r\n1,0,0\r\n".encode(), "text/csv")
    )
    at.run()
    assert not at.error
    assert at.session_state["valid_table"] == TruthTable([[0, 1], [1, 0]], [[1], [0]])


def test_downloads_and_png_export_are_offered() -> None:
    at = _open()
    labels = [d.label for d in at.get("download_button")]
    assert sorted(labels) == ["History (CSV)", "NumPy script", "Run (JSON)", "Table (CSV)"]
    assert all(d.help for d in at.get("download_button"))
    chart = at.get("plotly_chart")[0]
    config = json.loads(chart.proto.config)
    assert config["toImageButtonOptions"]["format"] == "png"
    assert config.get("displayModeBar", True) is not False
    assert "toImage" not in config.get("modeBarButtonsToRemove", [])


# --- prepared links reopen the exact view ----------------------------------------------------------------


def test_a_prepared_link_opens_each_tab_by_its_short_name_and_the_chain_rule_with_chain_1() -> None:
    for name, label in zip(TAB_NAMES, TEACHING_TABS, strict=True):
        at = fresh(tab=name, chain="1")
        assert not at.warning, name
        assert at.session_state["tab"] == label and at.session_state["chain"] is True
        # rewritten once in the form the widgets read: the tab's label (the first tab is the default)
        assert at.query_params.get("tab") == (None if label == TEACHING_TABS[0] else label)
        assert at.query_params["chain"] == "true"


def test_the_shown_link_names_the_tab_briefly_and_reopens_the_same_view() -> None:
    at = fresh(tab="Learning-rate sweep", lr="2")  # an older link: the tab by its label
    assert not at.warning and at.session_state["tab"] == "Learning-rate sweep"
    copied = shown_link(at)
    assert query(copied)["tab"] == ["sweep"] and query(copied)["lr"] == ["2"]
    other = fresh(**{key: values[-1] for key, values in query(copied).items()})
    assert not other.warning
    assert other.session_state["tab"] == "Learning-rate sweep" and other.session_state["lr"] == "2"
    assert shown_link(other) == copied


def test_a_link_to_an_unknown_tab_opens_the_first_with_a_notice() -> None:
    at = fresh(tab="<img src=x>", lr="0.5")
    assert at.session_state["tab"] == TEACHING_TABS[0]
    (notice,) = [plain(w.value) for w in at.warning]
    assert "tab='<img src=x>': not one of network, surface, rows, hidden, activations, sweep" in notice
    assert "tab" not in at.query_params and at.query_params["lr"] == "0.5"


def test_a_presenter_link_opens_the_chart_first_with_large_text_and_no_introduction() -> None:
    for written in ("1", "true", "yes"):
        at = fresh(present=written)
        assert not at.warning, written
        assert at.session_state["present"] is True and at.query_params["present"] == "true"
        assert not at.title  # the introduction is hidden
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert spec["layout"]["height"] <= 560  # whole within a 1280×720 projector, under the bar
        assert spec["layout"]["font"]["size"] >= 20
        ticks = [v["tickfont"]["size"] for k, v in spec["layout"].items() if k.startswith(("xaxis", "yaxis"))]
        assert min(ticks) >= 20
    assert query(shown_link(at))["present"] == ["true"]  # a lecturer's prepared link keeps it
    plain_page = fresh()
    assert plain_page.title and "present" not in plain_page.query_params
    assert "present" not in query(shown_link(plain_page))
