"""Small networks as straight-line Python: one training iteration with every number a local float.

On the notebook's 4 x 3 table NumPy spends nearly all of an iteration on per-call overhead (about a
microsecond per ufunc on arrays of four numbers, a dozen calls per iteration). For tables and networks
this small, :func:`compile_program` writes the iteration out unit by unit as Python source, once per
(architecture, table), and compiles it (the standard library's dataclasses and namedtuple build code the
same way). The equations and their order of operations are network.py's:

    z = a_prev W (+ b)               sums in the row order BLAS uses, table inputs as constants
    a = f(z)                          the sigmoid clamped at z = -700 exactly like activations.sigmoid
    delta_L = (y - out) out (1 - out)
    delta_l = (delta_{layer+1} W^T) f'(a_l)
    W <- W + lr a_prev^T delta        (= W - lr dE/dW, bit for bit)
    E = 1/2 sum (y - out)^2           summed in NumPy's pairwise order

An input of 0 drops its term and an input of 1 its multiplication; both are exact while the weights are
finite, which training guarantees. What is left differs from the NumPy path only where the two round
differently: ``math.exp`` against NumPy's vectorised ``exp`` (which may differ in the last bit), and
Python's separate multiply and add against BLAS's fused multiply-add when a product is inexact.
tests/test_fast.py checks the two paths agree to 1e-12. Where training is chaotic (large learning rates:
oscillation, plateaus) a last-bit difference grows like any other, and the two paths can end in
different minima, as two NumPy builds would (BENCHMARKS.md, "Same numbers?").
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from backprop.network import Architecture
from backprop.table import TruthTable

# Above this many multiply-adds per forward pass (rows x weights) NumPy's vectorised loops win; below
# it the straight-line code is faster (benchmarks/: the crossover is near 1,000 on this machine) and
# compiles in a few milliseconds.
MAX_TERMS = 400

# activations.sigmoid computes exp(-max(z, -700)); this is NumPy's exp(700), the value it gets below -700.
_EXP_700 = float(np.exp(np.full(8, 700.0))[0])

State = tuple[float, ...]


# Where the two paths are known to end on the same numbers (1e-12): without a hidden layer, at learning
# rates up to 3 (BENCHMARKS.md "Numerical agreement"). Hidden layers, or larger steps, make training
# sensitive enough that the last-bit differences of math.exp and BLAS's fused multiply-add can grow into
# a different run; those take the NumPy path, so the app, the sweep and an exported NumPy script agree.
MAX_FAST_LEARNING_RATE = 3.0


def fits(arch: Architecture, table: TruthTable, learning_rate: float) -> bool:
    """Whether straight-line Python both beats NumPy and gives NumPy's numbers for this run."""
    if arch.hidden or learning_rate > MAX_FAST_LEARNING_RATE:
        return False
    sizes = arch.sizes
    weights = sum(n_in * n_out for n_in, n_out in itertools.pairwise(sizes))
    return table.n_rows * weights <= MAX_TERMS


def pairwise_sum(terms: Sequence[str]) -> str:
    """An expression summing ``terms`` in the order ``np.sum`` adds a contiguous float64 array.

    NumPy's pairwise summation: below 8 terms left to right; up to 128, eight running sums combined as
    ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the remainder; above, halves at multiples of 8.
    """
    n = len(terms)
    if n == 0:
        return "0.0"
    if n < 8:
        return _chain(terms)
    if n <= 128:
        tail = n - n % 8
        r = [_chain(terms[j:tail:8]) for j in range(8)]
        quads = [f"(({r[i]}) + ({r[i + 1]})) + (({r[i + 2]}) + ({r[i + 3]}))" for i in (0, 4)]
        head = f"({quads[0]}) + ({quads[1]})"
        return _chain([f"({head})", *terms[tail:]])
    half = n // 2
    half -= half % 8
    return f"({pairwise_sum(terms[:half])}) + ({pairwise_sum(terms[half:])})"


def _chain(terms: Sequence[str]) -> str:
    """``t0 + t1 + ...`` left to right (Python's own associativity)."""
    return " + ".join(terms) if terms else "0.0"


def _product(constant: float, name: str) -> str | None:
    """``constant * name`` with exact shortcuts: None for a zero term, the name alone for a factor 1."""
    if constant == 0.0:
        return None
    if constant == 1.0:
        return name
    return f"({constant!r} * {name})"


def _dot(pairs: Sequence[tuple[float | str, str]]) -> str:
    """Sum of products in order; a float factor is a table constant, a str factor a variable."""
    terms = []
    for left, right in pairs:
        if isinstance(left, str):
            terms.append(f"{left} * {right}")
        elif (term := _product(left, right)) is not None:
            terms.append(term)
    return _chain(terms)


_ACTIVATION = MappingProxyType(
    {
        "sigmoid": "{a} = 1.0 / (1.0 + (EXP_700 if {z} < -700.0 else exp(-{z})))",
        "tanh": "{a} = tanh({z})",
        "relu": "{a} = 0.0 if {z} < 0.0 else {z}",
    }
)
_DERIVATIVE = MappingProxyType(  # f'(z) in terms of the output a, as activations.py writes it
    {
        "sigmoid": "({a} * (1.0 - {a}))",
        "tanh": "(1.0 - {a} * {a})",
        "relu": "(1.0 if {a} > 0.0 else 0.0)",
    }
)


class _Source:
    """Names and code for one (architecture, table): the building blocks of the three functions."""

    def __init__(self, arch: Architecture, table: TruthTable) -> None:
        self.arch, self.sizes, self.n_layers = arch, arch.sizes, arch.n_layers
        self.X = table.X.tolist()
        self.y = table.y.tolist()
        self.rows = range(table.n_rows)
        self.weights = [
            [[f"W{layer + 1}_{i}_{j}" for j in range(n_out)] for i in range(n_in)]
            for layer, (n_in, n_out) in enumerate(itertools.pairwise(self.sizes))
        ]
        self.biases = [[f"b{layer + 1}_{j}" for j in range(n)] for layer, n in enumerate(self.sizes[1:])]
        self.state = [w for W in self.weights for row in W for w in row]
        if arch.use_bias:
            self.state += [b for bs in self.biases for b in bs]

    def a(self, layer: int, r: int, j: int) -> float | str:
        """Activation ``j`` of row ``r`` after ``layer`` layers: a table constant for layer 0."""
        return float(self.X[r][j]) if layer == 0 else f"a{layer}_{r}_{j}"

    def forward(self) -> list[str]:
        lines = []
        for layer in range(self.n_layers):
            n_in, n_out = self.sizes[layer], self.sizes[layer + 1]
            name = "sigmoid" if layer == self.n_layers - 1 else self.arch.activation
            bias = " + b" if self.arch.use_bias else ""
            lines.append(f"# layer {layer + 1}: z = a{layer} W{layer + 1}{bias}, a{layer + 1} = {name}(z)")
            for r in self.rows:
                for j in range(n_out):
                    z = _dot([(self.a(layer, r, i), self.weights[layer][i][j]) for i in range(n_in)])
                    if self.arch.use_bias:
                        z = f"({z}) + {self.biases[layer][j]}"
                    lines.append(f"z = {z}")
                    lines.append(_ACTIVATION[name].format(a=f"a{layer + 1}_{r}_{j}", z="z"))
        return lines

    def error(self, r: int, j: int) -> str:
        """``e = y - out`` of output ``j`` on row ``r`` as an expression: the target 1 gives the same
        number as ``c = 1 - out``, the target 0 gives ``-out`` (0 - a is -a exactly: a sigmoid output is
        never 0); any other target has its own variable."""
        y = float(self.y[r][j])
        return f"c{r}_{j}" if y == 1.0 else f"(-a{self.n_layers}_{r}_{j})" if y == 0.0 else f"e{r}_{j}"

    def errors(self) -> list[str]:
        L, n_out = self.n_layers, self.sizes[-1]
        lines = ["# c = 1 - out, e = y - out"]
        for r in self.rows:
            for j in range(n_out):
                lines.append(f"c{r}_{j} = 1.0 - a{L}_{r}_{j}")
                if self.error(r, j).startswith("e"):
                    lines.append(f"e{r}_{j} = {float(self.y[r][j])!r} - a{L}_{r}_{j}")
        return lines

    def loss(self) -> str:
        squares = [
            f"{self.error(r, j)} * {self.error(r, j)}" for r in self.rows for j in range(self.sizes[-1])
        ]
        return f"E = 0.5 * ({pairwise_sum(squares)})"

    def deltas(self) -> list[str]:
        L = self.n_layers
        lines = ["# delta_L = (y - out) * out (1 - out)"]
        for r in self.rows:
            for j in range(self.sizes[-1]):
                lines.append(f"d{L}_{r}_{j} = {self.error(r, j)} * (a{L}_{r}_{j} * c{r}_{j})")
        for layer in range(L - 1, 0, -1):
            lines.append(f"# delta_{layer} = (delta_{layer + 1} W{layer + 1}^T) * f'(a{layer})")
            derivative = _DERIVATIVE[self.arch.activation]
            for r in self.rows:
                for j in range(self.sizes[layer]):
                    next_units = range(self.sizes[layer + 1])
                    back = _dot([(f"d{layer + 1}_{r}_{k}", self.weights[layer][j][k]) for k in next_units])
                    lines.append(f"d{layer}_{r}_{j} = ({back}) * {derivative.format(a=f'a{layer}_{r}_{j}')}")
        return lines

    def weight_sums(self, layer: int) -> list[tuple[str, str]]:
        """(weight, a_{layer}^T delta_{layer+1} entry) for layer ``layer`` (0-based): minus dE/dW."""
        n_in, n_out = self.sizes[layer], self.sizes[layer + 1]
        return [
            (
                self.weights[layer][i][j],
                _dot([(self.a(layer, r, i), f"d{layer + 1}_{r}_{j}") for r in self.rows]),
            )
            for i in range(n_in)
            for j in range(n_out)
        ]

    def bias_sums(self, layer: int) -> list[tuple[str, str]]:
        """(bias, column sum of delta_{layer+1}) for ``layer``: minus dE/db, in ``ndarray.sum(axis=0)``'s
        order (pairwise for a single column, which is contiguous; row by row otherwise)."""
        n_out = self.sizes[layer + 1]
        add = pairwise_sum if n_out == 1 else _chain
        return [
            (self.biases[layer][j], add([f"d{layer + 1}_{r}_{j}" for r in self.rows])) for j in range(n_out)
        ]

    def update(self, unit_rate: bool) -> list[str]:
        """The update; with ``unit_rate`` (lr = 1, the notebook's) without the multiplication by 1."""
        lines = ["# W <- W + lr a^T delta  (= W - lr dE/dW)"]
        lr = "" if unit_rate else "lr * "
        for layer in range(self.n_layers):
            lines += [f"{w} = {w} + {lr}({s})" for w, s in self.weight_sums(layer)]
            if self.arch.use_bias:
                lines += [f"{b} = {b} + {lr}({s})" for b, s in self.bias_sums(layer)]
        return lines


def _indent(lines: list[str], depth: int) -> list[str]:
    return [" " * (4 * depth) + line for line in lines]


def program_source(arch: Architecture, table: TruthTable, unit_rate: bool = False) -> str:
    """Python source of the functions :class:`Program` wraps (printable, for the curious)."""
    src = _Source(arch, table)
    update = src.update(unit_rate)
    names = "exp=exp, tanh=tanh, isfinite=isfinite, EXP_700=EXP_700"  # as locals: faster to look up
    state = ", ".join(src.state)
    unpack = f"({state},) = state"
    pack = f"({state},)"
    iteration = [*src.forward(), *src.errors(), *src.deltas()]
    finite = " and ".join(f"isfinite({v})" for v in src.state)
    lines = [
        f"def run(state, lr, n, {names}):",
        "    # n updates without checks (a non-finite weight stays non-finite: the caller checks the end)",
        f"    {unpack}",
        "    for _ in range(n):",
        *_indent([*iteration, *update], 2),
        f"    return {pack}",
        "",
        f"def run_trace(state, lr, counts, record, {names}):",
        "    # counts[0] updates without checks, record(state), counts[1] updates, record(state), ...",
        f"    {unpack}",
        "    for count in counts:",
        "        for _ in range(count):",
        *_indent([*iteration, *update], 3),
        f"        record({pack})",
        f"    return {pack}",
        "",
        f"def run_checked(state, lr, n, target, {names}):",
        "    # n updates, stopping before an update when E <= target (reason 1) or before one that makes a",
        "    # weight non-finite (reason 2); returns (state, updates done, reason)",
        f"    {unpack}",
        "    for i in range(n):",
        *_indent([*iteration, src.loss(), "if E <= target:", f"    return {pack}, i, 1", *update], 2),
        f"        if not ({finite}):",
        "            return state, i, 2",
        f"        state = {pack}",
        "    return state, n, 0",
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Program:
    """Compiled training code for one architecture and table; the state is the flat tuple of weights
    (layer by layer, row-major) followed, with ``use_bias``, by the biases.

    ``run(state, lr, n)`` does ``n`` unchecked updates; ``run_checked(state, lr, n, target)`` stops
    before an update when ``E <= target`` or before one that would make a weight non-finite and returns
    ``(state, done, reason)`` with reason 0 (ran all), 1 (target) or 2 (non-finite);
    ``run_trace(state, lr, counts, record)`` does ``counts[0]`` updates, calls ``record(state)``, does
    ``counts[1]`` updates, and so on.
    """

    arch: Architecture
    n_state: int
    run: Callable[[State, float, int], State]
    run_checked: Callable[[State, float, int, float], tuple[State, int, int]]
    run_trace: Callable[[State, float, list[int], Callable[[State], object]], State]


@functools.lru_cache(maxsize=32)
def compile_program(arch: Architecture, table: TruthTable, unit_rate: bool = False) -> Program:
    """Generate and compile the straight-line code for ``arch`` on ``table`` (cached).

    With ``unit_rate`` the functions assume a learning rate of 1 (and ignore their ``lr``)."""
    source = program_source(arch, table, unit_rate)
    namespace: dict[str, object] = {"exp": math.exp, "tanh": math.tanh, "isfinite": math.isfinite}
    namespace["EXP_700"] = _EXP_700
    exec(compile(source, f"<backprop.fast {arch.sizes}>", "exec"), namespace)
    src = _Source(arch, table)
    functions = (namespace[name] for name in ("run", "run_checked", "run_trace"))
    return Program(arch, len(src.state), *functions)
