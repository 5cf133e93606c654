"""Exact linear separability: the LP's answer is proven (a certificate, or a perceptron that converges),
counted over every boolean function, and checked against a brute-force search through the origin."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.separability import separability, through_origin_separable
from backprop.table import PRESETS, TruthTable

XOR = PRESETS["xor"].table


def all_functions(n_inputs: int) -> list[TruthTable]:
    """Every boolean function of ``n_inputs`` inputs as a table over all 2^n rows."""
    X = np.array(list(itertools.product((0, 1), repeat=n_inputs)), dtype=float)
    return [
        TruthTable(X, np.array(bits, dtype=float)[:, None])
        for bits in itertools.product((0, 1), repeat=len(X))
    ]


def assert_certificate(table: TruthTable, output: int = 0) -> None:
    """A "not separable" answer proves itself: each group's mix gives the same point."""
    sep = separability(table, output)
    assert sep.separable is False
    y = table.y[:, output]
    assert all(y[r - 1] > 0.5 for r in sep.positive) and all(y[r - 1] < 0.5 for r in sep.negative)
    assert sum(sep.positive_weights) == pytest.approx(1) and sum(sep.negative_weights) == pytest.approx(1)
    assert min(sep.positive_weights) > 0 and min(sep.negative_weights) > 0
    cols = list(sep.inputs)
    mix_p = np.array(sep.positive_weights) @ table.X[np.array(sep.positive) - 1][:, cols]
    mix_n = np.array(sep.negative_weights) @ table.X[np.array(sep.negative) - 1][:, cols]
    np.testing.assert_allclose(mix_p, mix_n, atol=1e-9)
    np.testing.assert_allclose(sep.point, mix_p, atol=1e-9)


# --- separability -------------------------------------------------------------------------------------


def test_presets_separability() -> None:
    answers = {
        name: [separability(p.table, j).separable for j in range(p.table.n_outputs)]
        for name, p in PRESETS.items()
    }
    assert answers == {
        "notebook": [True],
        "and": [True],
        "or": [True],
        "nand": [True],
        "xor": [False],
        "xnor": [False],
        "half-adder": [False, True],  # the sum is XOR, the carry is AND
        "majority": [True],
        "parity3": [False],
        "overshoot": [True],  # targets 0.2 and 0.8 sit on either side of 0.5
    }


def test_xor_certificate_is_the_two_diagonals_meeting_in_the_middle() -> None:
    sep = separability(XOR)
    assert (sep.positive, sep.negative, sep.inputs) == ((2, 3), (1, 4), (0, 1))
    assert sep.positive_weights == pytest.approx((0.5, 0.5)) and sep.point == pytest.approx((0.5, 0.5))
    text = sep.explanation(XOR)
    assert "The average of rows 2 and 3 (target 1)" in text and "rows 1 and 4 (target 0)" in text
    assert "(0.5, 0.5) in (x1, x2)" in text


@pytest.mark.parametrize(("n_inputs", "n_separable"), [(1, 4), (2, 14), (3, 104)])
def test_counts_of_linearly_separable_boolean_functions(n_inputs: int, n_separable: int) -> None:
    """The known counts of threshold functions: 4 of 4, 14 of 16, 104 of 256."""
    results = []
    for table in all_functions(n_inputs):
        sep = separability(table)
        assert sep.separable is not None
        if sep.separable is False:
            assert_certificate(table)
        results.append(sep.separable)
    assert sum(results) == n_separable


@settings(max_examples=60)
@given(
    st.integers(1, 4).flatmap(
        lambda k: st.tuples(
            st.lists(st.lists(st.integers(-3, 3), min_size=k, max_size=k), min_size=2, max_size=12),
            st.lists(st.sampled_from((0.0, 0.2, 0.5, 0.8, 1.0)), min_size=12, max_size=12),
        )
    )
)
def test_any_answer_is_proven(data: tuple[list[list[int]], list[float]]) -> None:
    """Not separable comes with a checked mix; separable agrees with a perceptron that converges."""
    rows, targets = data
    table = TruthTable(np.array(rows, dtype=float), np.array(targets[: len(rows)])[:, None])
    sep = separability(table)
    assert sep.separable is not None
    if sep.separable is False:
        assert_certificate(table)
        return
    # a strictly separable set of integer points: the perceptron (with a bias) converges
    y = table.y[:, 0]
    keep = y != 0.5
    X = np.hstack([table.X[keep], np.ones((keep.sum(), 1))])
    s = np.where(y[keep] > 0.5, 1.0, -1.0)
    w = np.zeros(X.shape[1])
    for _ in range(100_000):
        wrong = np.flatnonzero(s * (X @ w) <= 0)
        if wrong.size == 0:
            break
        w += s[wrong[0]] * X[wrong[0]]
    assert (s * (X @ w) > 0).all()


def test_targets_of_one_half_one_class_and_identical_inputs() -> None:
    assert separability(TruthTable([[0], [1]], [[0.5], [0.5]])).separable is True
    assert separability(TruthTable([[0], [1], [2]], [[1], [1], [0.5]])).separable is True
    same = separability(TruthTable([[1, 1], [1, 1]], [[0], [1]]))
    assert (same.separable, same.positive, same.negative) == (False, (2,), (1,))
    # conflicting rows can be left out
    table = TruthTable([[0, 0], [0, 1], [1, 0], [1, 1], [0, 1]], [[0], [1], [1], [1], [0]])
    assert separability(table).separable is False
    assert separability(table, exclude=(2, 5)).separable is True


def test_huge_and_tiny_inputs_stay_exact() -> None:
    table = TruthTable([[0, 0], [0, 1e300], [1e300, 0], [1e300, 1e300]], [[0], [1], [1], [0]])
    assert_certificate(table)
    table = TruthTable([[0, 0], [0, 1e-300], [1e-300, 0], [1e-300, 1e-300]], [[0], [0], [0], [1]])
    assert separability(table).separable is True


# --- the unit's line and "cannot fit" --------------------------------------------------------------


@pytest.mark.parametrize("table", all_functions(2), ids=lambda t: "".join(str(int(v)) for v in t.y[:, 0]))
def test_lines_through_the_origin_agree_with_a_brute_force_search(table: TruthTable) -> None:
    """Over 2 inputs (no bias), try many directions w: some put every row on its side exactly when
    the exact check says so. Row (0, 0) is on w·x = 0 for every w, so it is met only with target 0.5."""
    target = table.y[:, 0]
    angles = np.linspace(0, 2 * np.pi, 3600, endpoint=False)
    W = np.stack([np.cos(angles), np.sin(angles)])
    z = table.X @ W
    ok = np.all(np.where(target[:, None] > 0.5, z > 1e-9, z < -1e-9), axis=0)
    assert through_origin_separable(table, 0) is bool(ok.any())
