"""Shareable links: experiments round-trip through query parameters; junk falls back with notices."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.datasets import DataSpec, generate
from backprop.share import (
    MAX_TABLE_CHARS,
    QUERY_KEYS,
    SETTING_KEYS,
    TAB_NAMES,
    VIEW_KEYS,
    Experiment,
    decode,
    decode_table,
    default_test_input,
    encode,
    encode_table,
    escape_markdown,
    read_view,
    share_url,
    switch_on,
    tab_name,
    table_fits_link,
)
from backprop.table import PRESETS, TruthTable, get_preset
from backprop.trainer import TrainConfig, train


def _same(a: Experiment, b: Experiment) -> None:
    assert a.preset == b.preset
    assert a.table == b.table
    assert a.config == b.config
    assert a.test_input == b.test_input
    assert a.data == b.data


def _from_url(url: str) -> dict[str, list[str]]:
    """The query parameters a browser would send for ``url`` (what st.query_params holds)."""
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


EXPERIMENTS = [
    Experiment(),
    Experiment(
        "xor",
        get_preset("xor").table,
        TrainConfig(learning_rate=0.5, n_iterations=5000, seed=42, hidden=(4,), use_bias=True),
        (1.0, 0.0, 1.0),
    ),
    Experiment(
        "half-adder",
        get_preset("half-adder").table,
        TrainConfig(learning_rate=2.5, n_iterations=0, seed=2**32 - 1, hidden=(4, 3), activation="tanh"),
        (0.0, 1.0, 1.0),
    ),
    Experiment(
        "and",
        TruthTable([[0.1, -2.5e-7], [1e300, 1 / 3]], [[0.25, 1.0], [0.0, 0.123456789]]),
        TrainConfig(learning_rate=0.001, n_iterations=1, hidden=(8, 8), activation="relu", target_loss=0.01),
        (-1.5, 1e-300),
    ),
    Experiment(
        "dataset",
        generate(DataSpec("spiral", 100, 0.25, 7)),
        TrainConfig(
            learning_rate=0.03,
            n_iterations=300,
            seed=5,
            hidden=(8, 6, 5, 4, 3, 2),
            activation="linear",
            use_bias=True,
            features=("x1sq", "x2sq", "x1x2", "sinx1", "sinx2"),
            test_fraction=0.3,
            batch_size=10,
            regularization="l2",
            reg_rate=0.001,
        ),
        (0.5, -1.25),
        data=DataSpec("spiral", 100, 0.25, 7),
    ),
    Experiment(
        "custom",
        TruthTable([[0.5, -1], [2, 3], [-4, 0.25]], [[1], [0], [1]]),
        TrainConfig(features=("sinx2",), regularization="l1", reg_rate=0.5, batch_size=1, test_fraction=0.0),
        (1.0, 2.0),
    ),
]


@pytest.mark.parametrize("experiment", EXPERIMENTS, ids=lambda e: e.preset)
def test_encode_decode_round_trip(experiment: Experiment) -> None:
    params = encode(experiment)
    assert set(params) <= set(QUERY_KEYS)
    decoded = decode(params)
    assert decoded.notices == ()
    assert decoded.from_link
    _same(decoded.experiment, experiment)


@pytest.mark.parametrize("experiment", EXPERIMENTS, ids=lambda e: e.preset)
def test_share_url_round_trips_through_a_browser_query(experiment: Experiment) -> None:
    url = share_url("https://example.org/app/?old=1#top", encode(experiment))
    assert url.startswith("https://example.org/app/?") and "old=1" not in url and "#" not in url
    assert "old=1" not in url and "#" not in url
    decoded = decode(_from_url(url))
    assert decoded.notices == ()
    _same(decoded.experiment, experiment)


def test_the_default_link_is_short_and_readable() -> None:
    url = share_url("http://localhost:8501/", encode(Experiment()))
    assert (
        url == "http://localhost:8501/?lr=1&iterations=10000&seed=0&input=1,0,0"
    )  # choices at default left out
    assert share_url(None, {"lr": "1"}) == "?lr=1"
    assert share_url("http://127.0.0.1:8501", {"lr": "1"}) == "http://127.0.0.1:8501/?lr=1"


def test_table_is_in_the_link_only_when_it_is_not_the_presets() -> None:
    assert "table" not in encode(Experiment())
    edited = TruthTable([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], [[0], [1], [1], [1]])
    params = encode(Experiment(table=edited))
    assert params["table"] == "x1,x2,x3,y;0,0,1,0;1,1,1,1;1,0,1,1;0,1,1,1"


def test_a_table_too_long_for_a_link_is_left_out() -> None:
    X = np.random.RandomState(0).random_sample((256, 8))
    big = TruthTable(X, np.zeros((256, 1)))
    assert not table_fits_link(big)
    assert "table" not in encode(Experiment(table=big, test_input=(0.0,) * 8))


@settings(max_examples=60)
@given(
    st.integers(1, 6).flatmap(
        lambda n_rows: st.tuples(
            st.lists(
                st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=3, max_size=3),
                min_size=n_rows,
                max_size=n_rows,
            ),
            st.lists(
                st.lists(st.floats(0, 1), min_size=2, max_size=2),
                min_size=n_rows,
                max_size=n_rows,
            ),
        )
    )
)
def test_table_text_round_trips_exactly(cells: tuple[list[list[float]], list[list[float]]]) -> None:
    table = TruthTable(*cells)
    text = encode_table(table)
    assert decode_table(text) == table
    assert table_fits_link(table)


def test_repeated_values_use_the_last_like_st_query_params() -> None:
    decoded = decode({"lr": ["0.1", "0.5"], "seed": []})
    assert decoded.experiment.config.learning_rate == 0.5
    assert decoded.experiment.config.seed == 0
    assert any("seed" in n for n in decoded.notices)


# --- junk falls back to defaults, each with a notice -----------------------------------------------------

JUNK = [
    ("lr", "abc", "Learning rate must be a number from 0.001 to 100"),
    ("lr", "nan", "must be a number"),
    ("lr", "1e999", "must be a number"),
    ("lr", "0", "from 0.001 to 100"),
    ("lr", "-1", "from 0.001 to 100"),
    ("lr", "1_0", "must be a number"),
    ("iterations", "-1", "whole number"),
    ("iterations", "2.5", "whole number"),
    ("iterations", "1_000", "whole number"),
    ("iterations", "99999999", "whole number from 0 to 1,000,000"),
    ("seed", "1e999", "whole number"),
    ("seed", "4294967296", "whole number from 0 to 4,294,967,295"),
    ("seed", "", "whole number"),
    ("hidden", "4,4,4,4,4,4,4", "up to 6"),
    ("hidden", "9", "from 1 to 8"),
    ("hidden", "4,x", "comma-separated sizes"),
    ("activation", "<script>alert(1)</script>", "not one of sigmoid, tanh, relu"),
    ("preset", "<script>", "not one of notebook"),
    ("bias", "maybe", "not true or false"),
    ("early_stop", "maybe", "not true or false"),
    ("target", "-1", "from 0 to 10"),
    ("layers", "7", "from 0 to 6"),
    ("hidden", "4,0", "from 1 to"),
    ("table", "x1,y;0,2", "outside [0, 1]"),
    ("table", "a,b;1,2", "Header"),
    ("table", "", "Header"),
    ("table", "x1,y;" + ";".join(["0,0"] * (MAX_TABLE_CHARS // 4)), "longer than 4,096 characters"),
    ("input", "1,0", "Enter 3 numbers"),
    ("input", "1,0,inf", "must be a number"),
    ("at", "-1", "whole number"),
]


@pytest.mark.parametrize(("key", "value", "reason"), JUNK)
def test_junk_value_falls_back_to_the_default_with_a_notice(key: str, value: str, reason: str) -> None:
    params = encode(Experiment())
    params[key] = value
    decoded = decode(params)
    assert len(decoded.notices) == 1, decoded.notices
    notice = decoded.notices[0]
    assert notice.startswith(f"Link value {key}=") and reason in notice, notice
    assert len(notice) < 300
    _same(decoded.experiment, Experiment())


def test_several_junk_values_give_one_notice_each() -> None:
    decoded = decode(
        {
            "lr": "abc",
            "seed": "1e999",
            "preset": "<script>",
            "table": "9" * 100_000,
            "hidden": "9,9,9",
            "iterations": "5",
            "activation": "tanh",
            "bias": "1",
        }
    )
    keys = [n.split("=")[0].removeprefix("Link value ") for n in decoded.notices]
    assert keys == ["preset", "table", "lr", "seed", "hidden"]
    config = decoded.experiment.config
    assert (config.learning_rate, config.seed, config.hidden) == (1.0, 0, ())
    assert (config.n_iterations, config.activation, config.use_bias) == (5, "tanh", True)
    assert "100,000 characters" in decoded.notices[1]  # long junk is described, never echoed


def test_notices_quote_and_shorten_user_text() -> None:
    decoded = decode({**encode(Experiment()), "preset": "x" * 80 + "\n\x00"})
    assert "x" * 30 not in decoded.notices[0]
    decoded = decode({**encode(Experiment()), "activation": "a\x00b"})
    assert "'a?b'" in decoded.notices[0]


def test_max_iterations_is_the_callers() -> None:
    params = {**encode(Experiment()), "iterations": "200000"}
    assert decode(params).experiment.config.n_iterations == 200_000
    decoded = decode(params, max_iterations=100_000)
    assert decoded.experiment.config.n_iterations == 10_000
    assert "from 0 to 100,000" in decoded.notices[0]


def test_missing_values_take_their_defaults_silently() -> None:
    decoded = decode({"preset": "xor", "hidden": "4"})
    assert decoded.notices == ()
    experiment = decoded.experiment
    assert experiment.table == get_preset("xor").table
    assert experiment.test_input == get_preset("xor").test_input
    assert experiment.config == TrainConfig(hidden=(4,))


def test_a_plain_address_is_not_a_link() -> None:
    for params in ({}, {"utm_source": "mail"}):
        decoded = decode(params)
        assert not decoded.from_link and decoded.notices == ()
        _same(decoded.experiment, Experiment())


def test_unknown_keys_in_a_link_are_reported() -> None:
    decoded = decode({**encode(Experiment()), "learning_rate": "0.5"})
    assert decoded.notices == ("Ignored unknown link parameters: 'learning_rate'.",)


def test_a_table_with_other_inputs_gets_a_fitting_test_input() -> None:
    table = TruthTable([[0, 1], [1, 1]], [[0], [1]])
    decoded = decode({"preset": "notebook", "table": encode_table(table)})
    assert decoded.experiment.test_input == (0.0, 0.0)
    decoded = decode({"preset": "notebook", "table": encode_table(table), "input": "1,0,0"})
    assert "Enter 2 numbers" in decoded.notices[0]


def test_every_preset_round_trips_and_trains_the_same() -> None:
    for name, preset in PRESETS.items():
        experiment = Experiment(name, preset.table, TrainConfig(n_iterations=20), preset.test_input)
        decoded = decode(_from_url(share_url("http://h/", encode(experiment)))).experiment
        a, b = train(experiment.table, experiment.config), train(decoded.table, decoded.config)
        assert np.array_equal(a.final.params.weights[0], b.final.params.weights[0]), name


def test_escape_markdown_neutralises_markup() -> None:
    text = "[x](javascript:alert(1)) <b>*bold*</b> $x$ `code` :smile:"
    escaped = escape_markdown(text)
    for special in "[]()<>*$`:":
        assert special not in escaped.replace("\\" + special, "")


def test_older_links_are_read_in_their_own_keys() -> None:
    old = decode({"preset": "xor", "hidden": "4,3", "bias": "1", "target": "0.01"}).experiment.config
    keys = {"layers": "2", "units2": "3", "bias": "true", "early_stop": "true", "target": "0.01"}
    new = decode({"preset": "xor", **keys}).experiment.config
    assert old == new == TrainConfig(hidden=(4, 3), use_bias=True, target_loss=0.01)


def test_a_link_leaves_out_the_choices_at_their_default_as_the_address_bar_does() -> None:
    params = encode(Experiment(config=TrainConfig(hidden=(4, 2), target_loss=0.001)))
    assert params == {
        **{"lr": "1", "iterations": "10000", "seed": "0", "layers": "2", "units2": "2"},
        **{"early_stop": "true", "target": "0.001", "input": "1,0,0"},
    }
    assert decode({"layers": "1"}).experiment.config.hidden == (4,)
    assert decode({"early_stop": "true"}).experiment.config.target_loss == 0.001
    assert decode({"early_stop": "false", "target": "0.5"}).experiment.config.target_loss is None


def test_the_page_view_keys_are_known() -> None:
    decoded = decode({"lr": "0.5", "tab": "Sweep", "chain": "true", "weight": "w(x1→y)", "share": "true"})
    assert decoded.notices == () and decoded.experiment.config.learning_rate == 0.5


# --- the view: short tab names, chain=1 -----------------------------------------------------------------

LABELS = (
    "Network",
    "Decision surface",
    "Per-row error",
    "Hidden layer",
    "Activations",
    "Learning-rate sweep",
)


def test_view_tabs_are_read_by_short_name_or_label_and_written_by_short_name() -> None:
    assert TAB_NAMES == ("network", "surface", "rows", "hidden", "activations", "sweep")
    for name, label in zip(TAB_NAMES[1:], LABELS[1:], strict=True):
        for written in (name, label, name.upper(), label.lower(), f" {name} "):
            assert read_view({"tab": written}, LABELS) == ({"tab": label}, ()), written
        assert tab_name(label, LABELS) == name
    for first in ("network", "Network"):  # the first tab is the default: left out, as the page leaves it
        assert read_view({"tab": first}, LABELS) == ({}, ())


def test_view_switches_accept_1_and_leave_off_out() -> None:
    link = {
        "chain": "1",
        "share": "yes",
        "present": "1",
        "weight": "w(x1→out)",
        "chain_view": "Matrix form",
        "lr": "2",
    }
    view, notices = read_view(link, LABELS)
    assert view == {
        "chain": "true",
        "share": "true",
        "present": "true",
        "weight": "w(x1→out)",
        "chain_view": "Matrix form",
    }
    assert notices == ()
    assert read_view({"chain": "0", "share": "false", "present": "off"}, LABELS) == ({}, ())
    assert read_view({"chain": ["0", "true"]}, LABELS) == ({"chain": "true"}, ())  # the last of repeats


def test_an_unknown_tab_or_switch_is_left_out_with_a_notice() -> None:
    view, notices = read_view({"tab": "<b>nope</b>", "chain": "maybe", "share": "true"}, LABELS)
    assert view == {"share": "true"}
    assert notices == (
        "Link value tab='<b>nope</b>': not one of network, surface, rows, hidden, activations, sweep; "
        "using network.",
        "Link value chain='maybe': not true or false; using false.",
    )
    with pytest.raises(ValueError, match="6 tab labels"):
        read_view({"tab": "sweep"}, LABELS[:5])


def test_a_switch_is_on_for_1_true_yes_or_on_and_off_for_anything_else() -> None:
    for on in ("1", "true", "Yes", " ON ", ["0", "true"]):
        assert switch_on(on), on
    for off in ("0", "false", "off", "", "maybe", ["1", "0"], []):
        assert not switch_on(off), off


# --- generated datasets and the options beyond the notebook ---------------------------------------------


def _dataset(spec: DataSpec | None = None, config: TrainConfig | None = None) -> Experiment:
    spec = spec or DataSpec()
    return Experiment("dataset", generate(spec), config or TrainConfig(), (0.0, 0.0), data=spec)


def test_the_page_widgets_keys_are_link_keys_and_the_view_keys_stay() -> None:
    widgets = ["dataset", "points", "noise", "data_seed", "test", "batch", "reg", "reg_rate", "features"]
    widgets += [f"units{i}" for i in range(1, 7)]
    assert set(widgets) <= set(SETTING_KEYS) <= set(QUERY_KEYS)
    assert len(set(QUERY_KEYS)) == len(QUERY_KEYS) and not set(QUERY_KEYS) & set(VIEW_KEYS)
    assert VIEW_KEYS == ("tab", "chain", "weight", "chain_view", "share", "present", "discretize")


def test_a_dataset_travels_as_its_settings_not_its_table() -> None:
    params = encode(_dataset())
    assert params == {"preset": "dataset", "lr": "1", "iterations": "10000", "seed": "0", "input": "0,0"}
    spec = DataSpec("xor", 57, 0.125, 9)
    params = encode(_dataset(spec))
    assert "table" not in params
    assert [params[k] for k in ("dataset", "points", "noise", "data_seed")] == ["xor", "57", "0.125", "9"]
    decoded = decode(_from_url(share_url("http://h/", params)))
    assert decoded.notices == ()
    assert decoded.experiment.data == spec and decoded.experiment.table == generate(spec)
    assert decoded.experiment.preset == "dataset" and decoded.experiment.test_input == (0.0, 0.0)


def test_the_dataset_key_alone_means_a_generated_dataset() -> None:
    experiment = decode({"dataset": "gauss", "points": "30"}).experiment
    assert experiment.preset == "dataset" and experiment.data == DataSpec("gauss", 30)
    assert experiment.table == generate(DataSpec("gauss", 30)) and experiment.test_input == (0.0, 0.0)
    assert decode({"preset": "dataset"}).experiment.data == DataSpec()
    # another preset named in the link wins; its unused dataset keys are ignored
    experiment = decode({"preset": "xor", "dataset": "gauss", "noise": "junk"}).experiment
    assert (experiment.preset, experiment.data) == ("xor", None)


def test_a_dataset_link_with_a_table_opens_that_table_as_a_custom_one() -> None:
    spec = DataSpec("circle", 10)
    edited = TruthTable(generate(spec).X, 1 - generate(spec).y)
    params = encode(Experiment("dataset", edited, TrainConfig(), (0.0, 0.0), data=spec))
    assert params["preset"] == "custom" and decode_table(params["table"]) == edited
    assert "dataset" not in params
    decoded = decode({**params, "dataset": "xor"})
    assert decoded.notices == ()
    assert (decoded.experiment.preset, decoded.experiment.data) == ("custom", None)
    assert decoded.experiment.table == edited


def test_an_edited_dataset_too_long_for_a_link_reopens_the_dataset() -> None:
    spec = DataSpec("spiral", 256, 0.5, 3)
    edited = TruthTable(generate(spec).X, 1 - generate(spec).y)
    params = encode(Experiment("dataset", edited, TrainConfig(), (0.0, 0.0), data=spec))
    assert "table" not in params and params["preset"] == "dataset" and params["dataset"] == "spiral"


NEW_SETTINGS = {
    "test": ({"test": "0.25"}, {"test_fraction": 0.25}),
    "batch": ({"batch": "2"}, {"batch_size": 2}),
    "batch full": ({"batch": "FULL"}, {}),
    "reg": ({"reg": "L1"}, {"regularization": "l1"}),
    "reg_rate": ({"reg_rate": "0.003"}, {"reg_rate": 0.003}),
    "features": ({"features": "x1x2,x1sq"}, {"features": ("x1sq", "x1x2")}),
    "feature labels": ({"features": "sin x1, x2²"}, {"features": ("x2sq", "sinx1")}),
    "repeated features": ({"features": ["sinx2", "x1sq"]}, {"features": ("x1sq", "sinx2")}),
    "no feature": ({"features": ""}, {}),
    "six layers": (
        {"layers": "6", "units1": "8", "units3": "1", "units6": "2"},
        {"hidden": (8, 4, 1, 4, 4, 2)},
    ),
}


@pytest.mark.parametrize("name", list(NEW_SETTINGS))
def test_each_new_key_reaches_the_config(name: str) -> None:
    given, fields = NEW_SETTINGS[name]
    decoded = decode({"dataset": "xor", **given})
    assert decoded.notices == ()
    assert decoded.experiment.config == TrainConfig(**fields)


@pytest.mark.parametrize(
    "config",
    [
        TrainConfig(test_fraction=0.9),
        TrainConfig(batch_size=1),
        TrainConfig(regularization="l2"),
        TrainConfig(reg_rate=10),
        TrainConfig(features=("x1x2",)),
        TrainConfig(hidden=(1, 2, 3, 5, 6, 8)),
        TrainConfig(activation="linear", hidden=(2,)),
    ],
    ids=repr,
)
def test_each_new_setting_round_trips_and_defaults_are_left_out(config: TrainConfig) -> None:
    experiment = _dataset(DataSpec("gauss", 40), config)
    params = encode(experiment)
    decoded = decode(_from_url(share_url("http://h/", params)))
    assert decoded.notices == ()
    _same(decoded.experiment, experiment)
    plain = encode(_dataset(DataSpec("gauss", 40)))
    assert set(params) - set(plain) <= {"test", "batch", "reg", "reg_rate", "features", "activation"} | {
        "layers",
        *(f"units{i}" for i in range(1, 7)),
    }


def test_a_round_tripped_dataset_run_trains_the_same() -> None:
    experiment = EXPERIMENTS[4]
    decoded = decode(_from_url(share_url("http://h/", encode(experiment)))).experiment
    config = TrainConfig(**{**experiment.config.__dict__, "n_iterations": 30})
    a, b = train(experiment.table, config), train(decoded.table, config)
    assert np.array_equal(a.final.params.weights[-1], b.final.params.weights[-1])
    assert a.final.test_loss == b.final.test_loss is not None


DATASET_JUNK = [
    ("dataset", "moons", "not one of circle, xor, gauss, spiral", "circle"),
    ("points", "9", "Points must be a whole number from 10 to 256", "200"),
    ("points", "257", "from 10 to 256", "200"),
    ("points", "1.5", "whole number", "200"),
    ("noise", "0.6", "Noise must be a number from 0 to 0.5", "0"),
    ("noise", "-0.1", "from 0 to 0.5", "0"),
    ("noise", "nan", "must be a number", "0"),
    ("data_seed", "-1", "Data seed must be a whole number from 0 to 4,294,967,295", "0"),
    ("data_seed", "x", "whole number", "0"),
]


@pytest.mark.parametrize(("key", "value", "reason", "used"), DATASET_JUNK)
def test_a_bad_dataset_value_falls_back_with_a_notice(key: str, value: str, reason: str, used: str) -> None:
    decoded = decode({**encode(_dataset()), key: value})
    assert len(decoded.notices) == 1, decoded.notices
    notice = decoded.notices[0]
    assert notice.startswith(f"Link value {key}=") and reason in notice, notice
    assert notice.endswith(f"using {used}.")
    _same(decoded.experiment, _dataset())


SETTING_JUNK = [
    ("test", "0.95", "Test fraction must be a number from 0 to 0.9", "no test set"),
    ("test", "-0.1", "from 0 to 0.9", "no test set"),
    ("test", "half", "must be a number", "no test set"),
    ("batch", "0", "Batch size must be a whole number from 1 to 256", "the full batch"),
    ("batch", "257", "from 1 to 256", "the full batch"),
    ("batch", "2.5", "whole number", "the full batch"),
    ("batch", "201", "larger than the 200 training rows", "the full batch"),
    ("reg", "l3", "not one of none, l1, l2", "none"),
    ("reg_rate", "11", "Regularization rate must be a number from 0 to 10", "0"),
    ("reg_rate", "-1", "from 0 to 10", "0"),
    (
        "features",
        "x3sq",
        "Features must be a comma-separated list of x1sq, x2sq, x1x2, sinx1, sinx2",
        "no derived feature",
    ),
    ("features", "x1sq,<b>", "comma-separated list", "no derived feature"),
    ("units6", "9", "from 1 to 8", "4"),
    ("activation", "softmax", "not one of sigmoid, tanh, relu, linear", "sigmoid"),
]


@pytest.mark.parametrize(("key", "value", "reason", "used"), SETTING_JUNK)
def test_a_bad_new_setting_falls_back_with_a_notice(key: str, value: str, reason: str, used: str) -> None:
    layers = {"layers": "6"} if key == "units6" else {}
    decoded = decode({**encode(_dataset()), **layers, key: value})
    assert len(decoded.notices) == 1, decoded.notices
    notice = decoded.notices[0]
    assert notice.startswith(f"Link value {key}=") and reason in notice, notice
    assert notice.endswith(f"using {used}.")
    expected = TrainConfig(hidden=(4,) * 6) if layers else TrainConfig()
    assert decoded.experiment.config == expected


def test_a_batch_is_checked_against_the_rows_left_after_the_test_set() -> None:
    decoded = decode({"preset": "xor", "test": "0.5", "batch": "3"})
    assert decoded.notices == (
        "Link value batch='3': larger than the 2 training rows; using the full batch.",
    )
    assert decoded.experiment.config == TrainConfig(test_fraction=0.5)
    assert decode({"preset": "xor", "test": "0.5", "batch": "2"}).experiment.config.batch_size == 2


def test_features_need_a_two_input_table() -> None:
    decoded = decode({"preset": "xor", "features": "x1sq"})
    assert decoded.notices == (
        "Link value features='x1sq': derived features need a table with exactly two inputs x1, x2; it has 3; "
        "using no derived feature.",
    )
    assert decoded.experiment.config.features == ()
    table = TruthTable([[0, 1], [1, 1]], [[0], [1]])
    decoded = decode({"preset": "custom", "table": encode_table(table), "features": "x1sq"})
    assert decoded.notices == () and decoded.experiment.config.features == ("x1sq",)


def test_the_test_input_of_a_dataset_is_the_origin() -> None:
    assert default_test_input("dataset", 2) == (0.0, 0.0)
    decoded = decode({"dataset": "xor", "input": "1,2,3"})
    assert "Enter 2 numbers" in decoded.notices[0] and decoded.experiment.test_input == (0.0, 0.0)
