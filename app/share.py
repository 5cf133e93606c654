"""Sharing: the link in the address bar (read once per session, then kept in step with the run), the CSV
upload, and the downloads."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from app.state import (
    CUSTOM,
    DATASET,
    DEFAULT_SETTINGS,
    TYPED_SETTINGS,
    apply_table,
    dataset_spec,
    set_setting,
    setting,
)
from app.teaching import TEACHING_TABS
from backprop import export, share, table_to_csv
from backprop.datasets import DataSpec
from backprop.errors import TableError
from backprop.limits import APP_MAX_ITERATIONS, MAX_ROWS, UPLOAD_LIMIT_MB
from backprop.table import TruthTable
from backprop.trainer import Run, TrainConfig

# Link keys the page writes itself: no widget holds them in the form links use. The derived features'
# pills would write repeated labels (features=x1²&features=sin x1); the link's form is features=x1sq,sinx1.
PAGE_HAND_KEYS = (*share.HAND_KEYS, "features")


def load_shared_experiment() -> None:
    """Once per session, before any widget exists: open the experiment in the page's link, if any.

    A link not in the form the page's widgets read (an older link's keys, a value that could not be used)
    is first rewritten in that form and the page reruns, so each widget reads the value the page uses.
    """
    state = st.session_state
    if state.get("link_loaded"):
        return
    raw: dict[str, object] = dict(st.query_params.to_dict())
    if len(st.query_params.get_all("features")) > 1:  # features=x1sq&features=x2sq: every one counts
        raw["features"] = st.query_params.get_all("features")
    decoded = share.decode(raw, max_iterations=APP_MAX_ITERATIONS)
    view, view_notices = share.read_view(raw, TEACHING_TABS)  # tab=sweep, chain=1: in the widgets' form
    as_given = {key: raw[key] for key in share.VIEW_KEYS if key in raw}
    # Read from the link as opened, before any rewrite below: brought into sight once (app/scroll.py).
    state.setdefault("linked_section", linked_section(raw, view, decoded.notices + view_notices))
    if not decoded.from_link and view == as_given and "link_notices" not in state:
        state.link_loaded = True
        return
    experiment, config = decoded.experiment, decoded.experiment.config
    # An old link's iterations=0 meant "show the initial weights": the training length is the default.
    n_iterations = config.n_iterations or TrainConfig().n_iterations
    at = 0 if config.n_iterations == 0 else experiment.at
    experiment = replace(experiment, config=replace(config, n_iterations=n_iterations), at=at)
    link = {**address_params(experiment), **view}
    if raw != link and "link_notices" not in state:  # once: the rewritten link reads back as itself
        state.link_notices = decoded.notices + view_notices
        st.query_params.from_dict(link)
        st.rerun()
    state.link_loaded = True
    notices = state.pop("link_notices", decoded.notices + view_notices)
    apply_table(experiment.table, experiment.test_input, experiment.preset)
    apply_settings(config, n_iterations, getattr(experiment, "data", None))
    if at is not None and at > n_iterations:  # stepped past the training length
        st.session_state.trained_to = at
    elif at is not None:
        st.session_state.pending_at = at
    if notices:
        lines = "\n".join(f"- {share.escape_markdown(notice)}" for notice in notices)
        st.warning(f"Some values in this link could not be used:\n\n{lines}", icon=":material/warning:")


def apply_settings(config: TrainConfig, n_iterations: int, data: DataSpec | None) -> None:
    """Give every setting the value a link opened: ``config``'s, trained ``n_iterations``, and the
    dataset ``data`` its table was drawn from (None: not a generated dataset)."""
    set_setting("lr", config.learning_rate)
    set_setting("iterations", n_iterations)
    set_setting("seed", config.seed)
    set_setting("layers", len(config.hidden))
    for layer, units in enumerate(config.hidden, start=1):
        set_setting(f"units{layer}", units)
    set_setting("activation", config.activation)
    set_setting("bias", config.use_bias)
    set_setting("early_stop", config.target_loss is not None)
    if config.target_loss is not None:
        set_setting("target", config.target_loss)
    set_setting("features", config.features)
    set_setting("test", config.test_fraction)
    set_setting("batch", config.batch_size)
    set_setting("reg", config.regularization)
    set_setting("reg_rate", config.reg_rate)
    if data is not None:
        for key, value in zip(
            ("dataset", "points", "noise", "data_seed"), data.__dict__.values(), strict=True
        ):
            set_setting(key, value)
        st.session_state.dataset_spec = data  # the table is this dataset's already


def address_params(experiment: share.Experiment) -> dict[str, str]:
    """``experiment``'s link as the address bar holds it: the typed settings at their default are left
    out, as Streamlit leaves out every widget bound to the address bar while it holds its default (a link
    without them opens the same defaults). The link in Share & export names them all."""
    default = TrainConfig(
        learning_rate=DEFAULT_SETTINGS["lr"],  # type: ignore[arg-type]
        n_iterations=DEFAULT_SETTINGS["iterations"],  # type: ignore[arg-type]
        seed=DEFAULT_SETTINGS["seed"],  # type: ignore[arg-type]
        target_loss=DEFAULT_SETTINGS["target"],  # type: ignore[arg-type]
    )
    table, preset = experiment.table, experiment.preset
    data = getattr(experiment, "data", None)
    if data is not None:  # the data seed is typed too: left out at its default
        data = replace(data, seed=DEFAULT_SETTINGS["data_seed"])
    defaults = share.encode(
        share.Experiment(preset, table, default, share.default_test_input(preset, table.n_inputs), data=data)
    )
    typed = (*TYPED_SETTINGS, "input")
    params = share.encode(experiment)
    return {key: value for key, value in params.items() if key not in typed or defaults.get(key) != value}


def linked_section(raw: dict[str, str], view: dict[str, str], notices: tuple[str, ...]) -> str | None:
    """The section a link opens, to scroll to when it is first opened, as its key on the page: ``chain``
    (the chain rule) when the link opens it, else ``tab`` (the teaching tabs) when it names a tab.

    ``raw`` is the link's query, ``view`` its view keys as :func:`share.read_view` reads them. None for a
    link that names neither, and for one with a value the page could not use: its warning, at the top of
    the page, must be seen first.
    """
    if notices:
        return None
    if view.get("chain"):
        return "chain"
    return "tab" if "tab" in raw else None  # tab=network too, which the view leaves out (the default)


def view_params() -> dict[str, str]:
    """The view a link reopens: the teaching tab by its short name (``tab=sweep``; the address bar holds
    its label, which Streamlit writes there), the chain rule and presenter mode."""
    state, view = st.session_state, {}
    if state.get("tab") in TEACHING_TABS[1:]:
        view["tab"] = share.tab_name(state.tab, TEACHING_TABS)
    if state.get("chain"):
        view["chain"] = "true"
        view |= {key: str(state[key]) for key in ("weight", "chain_view") if state.get(key) is not None}
    if state.get("present"):
        view["present"] = "true"
    return view


def on_upload() -> None:
    """Load an uploaded CSV table, or remember why it was refused (shown under the uploader)."""
    uploaded = st.session_state.table_upload
    if uploaded is None:
        return
    try:
        table = export.table_from_csv_bytes(uploaded.getvalue())
    except TableError as error:
        st.session_state.upload_error = (uploaded.file_id, f"{uploaded.name}: {error}")
        return
    st.session_state.upload_error = None
    last = st.session_state.valid_test_input
    fits = len(last) == table.n_inputs
    apply_table(table, last if fits else share.default_test_input(CUSTOM, table.n_inputs), CUSTOM)
    st.session_state.trained_to = None


def share_and_export(run: Run, table: TruthTable, test_input: tuple[float, ...], iteration: int) -> None:
    """Keep the address bar a link to this run on ``table`` (all its rows, before any is held out) and
    the iteration shown; show it, the CSV upload and the downloads. The link carries the training length
    (the Iterations setting) and the iteration shown (``at``) apart, so a link made while stepping reopens
    the same view and Train still trains it all."""
    preset = setting("preset")
    config = TrainConfig(**{**run.config.__dict__, "n_iterations": setting("iterations")})
    data = dataset_spec() if preset == DATASET else None
    params = share.encode(share.Experiment(preset, table, config, test_input, iteration, data))
    for key in PAGE_HAND_KEYS:  # the widgets keep their own keys in the address bar
        if key not in params:
            st.query_params.pop(key, None)
        elif st.query_params.get(key) != params[key]:
            st.query_params[key] = params[key]
    # Drawn only while open (opening it reruns the script): a collapsed section costs the page nothing.
    with st.expander(
        "Share & export", icon=":material/share:", key="share", on_change="rerun", bind="query-params"
    ) as box:
        if not box.open:
            return
        st.markdown("**Link to this experiment**")
        page_url = getattr(st.context, "url", None)  # the address in the user's browser, without query
        st.code(share.share_url(page_url, params | view_params()), language=None, wrap_lines=True)
        st.caption(
            "Copy it with the button in the box (the address bar holds it too). Opening it reruns "
            "exactly this experiment: table, preset, learning rate, iterations, seed, network, and the "
            "iteration shown."
        )
        if preset != DATASET and not share.table_fits_link(table):
            st.caption(
                "This table is too long for a link, which reopens the notebook's table: share its CSV."
            )
        st.file_uploader(
            "Upload a truth table (CSV)",
            type="csv",
            key="table_upload",
            on_change=on_upload,
            max_upload_size=UPLOAD_LIMIT_MB,
            help="A header x1,…,xn then y (or y1,…,ym), one row per example, targets from 0 to 1. "
            "The Table CSV download below is in this format.",
        )
        st.caption(
            f"CSV, at most {UPLOAD_LIMIT_MB} MB and {MAX_ROWS} rows: a header x1,…,xn then y (or "
            "y1,…,ym), one row per example, targets from 0 to 1."
        )
        refused = st.session_state.get("upload_error")
        uploaded = st.session_state.get("table_upload")
        if refused and uploaded is not None and refused[0] == uploaded.file_id:
            message = share.escape_markdown(refused[1])
            st.error(f"{message} Training still uses the last valid table.", icon=":material/warning:")
        # one under the other: two side by side cut "NumPy sc…" at 1280 px
        st.download_button(
            "Table (CSV)",
            table_to_csv(table),
            "truth-table.csv",
            "text/csv",
            key="download_table",
            on_click="ignore",
            icon=":material/table:",
            width="stretch",
            help="The truth table being trained on, as CSV (upload it again above).",
        )
        st.download_button(
            "NumPy script",
            export.numpy_script(run, test_input, preset),
            "backprop_run.py",
            "text/x-python",
            key="download_script",
            on_click="ignore",
            icon=":material/code:",
            width="stretch",
            help="A standalone Python script in the notebook's style (NumPy only) that reruns this "
            "experiment and prints the same prediction.",
        )
        st.download_button(
            "Run (JSON)",
            lambda: export.run_to_json(run, preset, test_input),
            "backprop-run.json",
            "application/json",
            key="download_json",
            on_click="ignore",
            icon=":material/data_object:",
            width="stretch",
            help="Configuration, table, initial and final weights, and the loss history.",
        )
        st.download_button(
            "History (CSV)",
            lambda: export.history_to_csv(run),
            "backprop-history.csv",
            "text/csv",
            key="download_history",
            on_click="ignore",
            icon=":material/timeline:",
            width="stretch",
            help="Loss and every weight at each recorded iteration (at most about 1,000 rows).",
        )
