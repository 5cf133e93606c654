"""The reference points every figure is divided by: the notebook's loop, and the same loop in PyTorch.

``notebook_backpropagation`` is the notebook's cell 3 as written (``np.random.seed(0)`` included, the
global RNG restored afterwards so the benchmark leaves no trace).
"""

from __future__ import annotations

import importlib.util

import numpy as np

X = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]])
y = np.array([[0, 1, 1, 0]]).T


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    return x * (1 - x)


def notebook_backpropagation(X, y, learning_rate, num_iterations):
    saved = np.random.get_state()
    try:
        np.random.seed(0)
        weights = 2 * np.random.random((3, 1)) - 1
    finally:
        np.random.set_state(saved)

    for _i in range(num_iterations):
        layer0 = X
        layer1 = sigmoid(np.dot(layer0, weights))
        error = y - layer1
        delta = error * sigmoid_derivative(layer1)
        weights += learning_rate * np.dot(layer0.T, delta)

    return weights


def notebook_run() -> np.ndarray:
    """The notebook's experiment: lr 1, 10,000 iterations; returns the final weights (3, 1)."""
    return notebook_backpropagation(X, y, learning_rate=1, num_iterations=10000)


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def torch_run() -> np.ndarray:
    """The notebook's loop in PyTorch on the CPU (float64, same initial weights, same operations)."""
    import torch  # optional: never installed by this project

    torch.set_num_threads(1)
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    weights = torch.tensor(2 * np.random.RandomState(0).random_sample((3, 1)) - 1, dtype=torch.float64)
    with torch.no_grad():
        for _ in range(10000):
            layer1 = torch.sigmoid(Xt @ weights)
            delta = (yt - layer1) * (layer1 * (1 - layer1))
            weights += 1.0 * (Xt.T @ delta)
    return weights.numpy()
