"""Generated 2-D datasets, derived input features, and the train/test split.

The datasets are TensorFlow Playground's four classification sets, drawn the way it draws them, with
labels 1 (its positive class) and 0 instead of +1 and -1 so that a sigmoid output can reach them:

- ``circle``: points within radius 2.5 of the origin are 1, points in the ring 3.5..5 are 0;
- ``xor``: four clusters over [-5, 5]², 1 where x1·x2 > 0 (the quadrants kept 0.3 apart);
- ``gauss``: two Gaussian clouds centred on (2, 2) (label 1) and (-2, -2) (label 0);
- ``spiral``: two interleaved spirals.

``noise`` (0..0.5) is Playground's: for circle and xor the label is taken at a point moved by up to
``noise`` times the data's radius (so labels near the border flip), for gauss it widens the clouds, for
spiral it moves the points. Every draw comes from ``np.random.RandomState(seed)``: the same settings give
the same table on every machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from backprop.errors import ConfigError, whole_number
from backprop.limits import MAX_NOISE, MAX_POINTS, MAX_SEED, MAX_TEST_FRACTION, MIN_POINTS
from backprop.table import TruthTable

FloatArray = NDArray[np.float64]

RADIUS = 5.0  # the data spans about [-RADIUS, RADIUS]² (Playground's -6..6 view)

# The four generators below are also the exported NumPy script's (backprop/export.py copies their source).


def circle(n: int, noise: float, rng: np.random.RandomState) -> tuple[FloatArray, FloatArray]:
    # Half the points inside (label 1), half in the outer ring (label 0); the label is that of the
    # point moved by the noise, as Playground does.
    inside = np.arange(n) < n // 2
    r = np.where(inside, rng.uniform(0, RADIUS * 0.5, n), rng.uniform(RADIUS * 0.7, RADIUS, n))
    angle = rng.uniform(0, 2 * math.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    moved = X + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    return X, (np.hypot(moved[:, 0], moved[:, 1]) < RADIUS * 0.5).astype(float)


def xor(n: int, noise: float, rng: np.random.RandomState) -> tuple[FloatArray, FloatArray]:
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # keep the four clusters apart
    moved = X + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    return X, (moved[:, 0] * moved[:, 1] >= 0).astype(float)


def gauss(n: int, noise: float, rng: np.random.RandomState) -> tuple[FloatArray, FloatArray]:
    variance = 0.5 + (4.0 - 0.5) * noise / 0.5  # Playground: noise 0..0.5 -> variance 0.5..4
    label = (np.arange(n) < n // 2).astype(float)
    centre = np.where(label[:, None] == 1, 2.0, -2.0)
    return centre + rng.normal(0.0, math.sqrt(variance), (n, 2)), label


def spiral(n: int, noise: float, rng: np.random.RandomState) -> tuple[FloatArray, FloatArray]:
    half = n // 2
    parts, labels = [], []
    for count, turn, label in ((half, 0.0, 1.0), (n - half, math.pi, 0.0)):
        i = np.arange(count)
        r = i / count * RADIUS
        t = 1.75 * i / count * 2 * math.pi + turn
        points = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (count, 2)) * noise
        parts.append(points)
        labels.append(np.full(count, label))
    return np.vstack(parts), np.concatenate(labels)


Generator = Callable[[int, float, np.random.RandomState], tuple[FloatArray, FloatArray]]

# Read-only: one registry serves every session of the app.
DATASETS: Mapping[str, tuple[Generator, str]] = MappingProxyType(
    {
        "circle": (circle, "A disc of 1s inside a ring of 0s: one straight line cannot separate them."),
        "xor": (xor, "Four clusters, 1 where x1 and x2 have the same sign: exclusive-or, in 2-D."),
        "gauss": (gauss, "Two Gaussian clouds: nearly separable by one line; noise makes them overlap."),
        "spiral": (spiral, "Two interleaved spirals: the hard one, it needs depth (or sin features)."),
    }
)


@dataclass(frozen=True)
class DataSpec:
    """A generated dataset: its name, number of points, noise level and the seed of its draws."""

    name: str = "circle"
    points: int = 200
    noise: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.name not in DATASETS:
            raise ConfigError(
                f"Unknown dataset {self.name!r}; choose one of {', '.join(DATASETS)}.", "dataset"
            )
        points = whole_number(self.points, "points", MIN_POINTS, MAX_POINTS, "Points")
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "noise", fraction(self.noise, "noise", "Noise", MAX_NOISE))
        object.__setattr__(self, "seed", whole_number(self.seed, "data_seed", 0, MAX_SEED, "Data seed"))

    @property
    def description(self) -> str:
        return DATASETS[self.name][1]


def fraction(value: object, field: str, what: str, high: float) -> float:
    """``value`` as a float in 0..``high``, or a :class:`ConfigError` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ConfigError(f"{what} must be a number from 0 to {high:g}.", field)
    if not (math.isfinite(value) and 0 <= value <= high):
        raise ConfigError(f"{what} must be a number from 0 to {high:g}, got {value:g}.", field)
    return float(value)


def generate(spec: DataSpec) -> TruthTable:
    """The table of ``spec``: inputs x1, x2 and target y (1 or 0), in the order they were drawn."""
    draw, _ = DATASETS[spec.name]
    X, y = draw(spec.points, spec.noise, np.random.RandomState(spec.seed))
    return TruthTable(X, y[:, None])


# ------------------------------------------------------------------------------------------ features
@dataclass(frozen=True)
class Feature:
    """A derived input of a 2-input table: its link/CLI key, its label, and how it is computed."""

    key: str
    label: str
    compute: Callable[[FloatArray, FloatArray], FloatArray]


# Read-only, in Playground's order; a table's derived columns always follow this order.
FEATURES: Mapping[str, Feature] = MappingProxyType(
    {
        f.key: f
        for f in (
            Feature("x1sq", "x1²", lambda x1, x2: x1 * x1),
            Feature("x2sq", "x2²", lambda x1, x2: x2 * x2),
            Feature("x1x2", "x1·x2", lambda x1, x2: x1 * x2),
            Feature("sinx1", "sin x1", lambda x1, x2: np.sin(x1)),
            Feature("sinx2", "sin x2", lambda x1, x2: np.sin(x2)),
        )
    }
)


def feature_keys(keys: Iterable[object]) -> tuple[str, ...]:
    """Known feature keys, each once, in :data:`FEATURES` order; a :class:`ConfigError` for others."""
    chosen = set()
    for key in keys:
        if key not in FEATURES:
            raise ConfigError(f"Unknown feature {key!r}; choose from {', '.join(FEATURES)}.", "features")
        chosen.add(key)
    return tuple(k for k in FEATURES if k in chosen)


def with_features(X: FloatArray, keys: Sequence[str]) -> FloatArray:
    """Inputs ``X`` (n, 2) followed by the derived columns ``keys`` (n, 2 + len(keys))."""
    if not keys:
        return X
    if X.shape[-1] != 2:
        raise ConfigError(
            f"Derived features need a table with exactly two inputs x1, x2; this one has {X.shape[-1]}.",
            "features",
        )
    x1, x2 = X[..., 0], X[..., 1]
    return np.concatenate([X, np.stack([FEATURES[k].compute(x1, x2) for k in keys], axis=-1)], axis=-1)


def input_labels(n_inputs: int, keys: Sequence[str]) -> tuple[str, ...]:
    """The name of each network input: ``x1``, ``x2``, then the derived features' labels."""
    base = n_inputs - len(keys)
    return (*(f"x{i}" for i in range(1, base + 1)), *(FEATURES[k].label for k in keys))


# --------------------------------------------------------------------------------------- test split
def split_rows(n_rows: int, test_fraction: float, seed: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Row indices of the training and the test set, each ascending.

    ``round(test_fraction * n_rows)`` rows are drawn for testing by a permutation from
    ``np.random.default_rng((seed, 1))`` (a stream of its own: the initial weights keep
    ``RandomState(seed)``'s), leaving at least one row to train on.
    """
    n_test = min(round(test_fraction * n_rows), n_rows - 1)
    if n_test <= 0:
        return np.arange(n_rows), np.arange(0)
    order = np.random.default_rng((seed, 1)).permutation(n_rows)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def check_test_fraction(value: object) -> float:
    return fraction(value, "test_fraction", "Test fraction", MAX_TEST_FRACTION)
