"""Generated 2-D datasets, derived features and the train/test split (backprop/datasets.py)."""

from __future__ import annotations

import numpy as np
import pytest

from backprop.datasets import DATASETS, FEATURES, DataSpec, generate, input_labels, split_rows, with_features
from backprop.errors import ConfigError
from backprop.limits import MAX_POINTS, MIN_POINTS


@pytest.mark.parametrize("name", list(DATASETS))
def test_a_dataset_is_reproducible_for_its_seed_and_differs_for_another(name: str) -> None:
    a, b = generate(DataSpec(name, 100, 0.2, 3)), generate(DataSpec(name, 100, 0.2, 3))
    assert a == b
    assert a != generate(DataSpec(name, 100, 0.2, 4))
    assert a.columns == ("x1", "x2", "y") and a.n_rows == 100


@pytest.mark.parametrize("name", list(DATASETS))
def test_both_classes_are_drawn_about_equally_and_within_the_view(name: str) -> None:
    table = generate(DataSpec(name, 200, 0.0, 0))
    share = table.y.mean()
    assert 0.35 <= share <= 0.65, share
    assert set(np.unique(table.y)) == {0.0, 1.0}
    assert np.abs(table.X).max() < 6.5  # the view spans about -6..6


def test_without_noise_the_labels_follow_the_shape() -> None:
    circle = generate(DataSpec("circle", 200, 0.0, 1))
    radius = np.hypot(*circle.X.T)
    assert (radius[circle.y[:, 0] == 1] < 2.5).all() and (radius[circle.y[:, 0] == 0] >= 3.5).all()
    xor = generate(DataSpec("xor", 200, 0.0, 1))
    assert np.array_equal(xor.y[:, 0] == 1, xor.X[:, 0] * xor.X[:, 1] >= 0)
    gauss = generate(DataSpec("gauss", 200, 0.0, 1))
    assert gauss.X[gauss.y[:, 0] == 1].mean(axis=0) == pytest.approx([2, 2], abs=0.3)
    assert gauss.X[gauss.y[:, 0] == 0].mean(axis=0) == pytest.approx([-2, -2], abs=0.3)


def test_noise_flips_labels_near_the_border_of_the_circle() -> None:
    clean, noisy = generate(DataSpec("circle", 256, 0.0, 5)), generate(DataSpec("circle", 256, 0.5, 5))
    radius = np.hypot(*noisy.X.T)
    inside = noisy.y[:, 0] == 1
    assert (radius[inside] >= 2.5).any() or (radius[~inside] < 2.5).any()  # some labels disagree
    assert not np.array_equal(clean.y, noisy.y) or not np.array_equal(clean.X, noisy.X)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "moons"}, "dataset"),
        ({"points": MIN_POINTS - 1}, "points"),
        ({"points": MAX_POINTS + 1}, "points"),
        ({"points": 20.5}, "points"),
        ({"noise": 0.6}, "noise"),
        ({"noise": -0.1}, "noise"),
        ({"noise": float("nan")}, "noise"),
        ({"seed": -1}, "data_seed"),
    ],
)
def test_out_of_range_settings_name_their_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError) as error:
        DataSpec(**kwargs)  # type: ignore[arg-type]
    assert error.value.field == field


def test_features_follow_x1_x2_in_a_fixed_order() -> None:
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    expanded = with_features(X, ("x1sq", "x1x2", "sinx2"))
    assert np.array_equal(expanded[:, :2], X)
    assert np.allclose(expanded[:, 2], X[:, 0] ** 2)
    assert np.allclose(expanded[:, 3], X[:, 0] * X[:, 1])
    assert np.allclose(expanded[:, 4], np.sin(X[:, 1]))
    assert input_labels(5, ("x1sq", "x1x2", "sinx2")) == ("x1", "x2", "x1²", "x1·x2", "sin x2")
    assert list(FEATURES) == ["x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]


def test_features_need_exactly_two_inputs() -> None:
    with pytest.raises(ConfigError, match="exactly two inputs"):
        with_features(np.zeros((4, 3)), ("x1sq",))


@pytest.mark.parametrize(
    ("n", "fraction", "n_test"), [(200, 0.5, 100), (4, 0.25, 1), (4, 0.1, 0), (3, 0.9, 2)]
)
def test_the_split_is_seeded_disjoint_and_keeps_a_training_row(n: int, fraction: float, n_test: int) -> None:
    train, test = split_rows(n, fraction, seed=7)
    assert len(test) == n_test and len(train) == n - n_test
    assert sorted({*train.tolist(), *test.tolist()}) == list(range(n))
    again = split_rows(n, fraction, seed=7)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    if n_test and n > 10:
        assert not np.array_equal(test, split_rows(n, fraction, seed=8)[1])
