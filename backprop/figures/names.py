"""The names figures give the units of a network."""

from __future__ import annotations

from backprop.network import Architecture


def unit_names(arch: Architecture) -> tuple[tuple[str, ...], ...]:
    """Names of every layer's units: ``x1..``, hidden ``h1..`` (``h1.1..``, ``h2.1..`` with two hidden
    layers), and ``out`` (``out1..`` for several outputs)."""
    names = [tuple(f"x{i}" for i in range(1, arch.n_inputs + 1))]
    for k, size in enumerate(arch.hidden, start=1):
        prefix = "h" if len(arch.hidden) == 1 else f"h{k}."
        names.append(tuple(f"{prefix}{j}" for j in range(1, size + 1)))
    n_out = arch.n_outputs
    names.append(("out",) if n_out == 1 else tuple(f"out{j}" for j in range(1, n_out + 1)))
    return tuple(names)
