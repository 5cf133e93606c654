"""One-way layers: the library never imports streamlit, only figures/ imports plotly, and the math
modules use nothing but NumPy and the standard library, and generate no code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "backprop"
# dotted below the package: "cli", "figures.training", ...
MODULES = sorted(".".join(p.relative_to(PACKAGE).with_suffix("").parts) for p in PACKAGE.rglob("*.py"))
MATH_MODULES = ("activations", "errors", "network", "sweep", "table", "trainer")
UPPER_LAYERS = {"figures", "cli", "__main__", "__init__"}


def imports_of(module: str) -> set[str]:
    """Every module ``module`` imports, at any depth of the file (functions, TYPE_CHECKING blocks)."""
    path = PACKAGE.joinpath(*module.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x / from .x import y
                base = "backprop" + (f".{node.module}" if node.module else "")
                found.update(f"{base}.{a.name}" if not node.module else base for a in node.names)
            else:
                found.add(node.module or "")
    return found


def top(name: str) -> str:
    return name.split(".")[0]


def test_the_package_modules_are_found() -> None:
    assert set(MATH_MODULES) | {"__init__", "cli", "__main__"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_no_module_imports_streamlit(module: str) -> None:
    assert "streamlit" not in {top(name) for name in imports_of(module)}


@pytest.mark.parametrize("module", MODULES)
def test_only_figures_imports_plotly(module: str) -> None:
    if top(module) != "figures":
        assert "plotly" not in {top(name) for name in imports_of(module)}


def math_closure() -> list[str]:
    """The math modules and every backprop module they import, directly or not."""
    seen, todo = set(), list(MATH_MODULES)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo += [name.split(".", 1)[1] for name in imports_of(module) if name.startswith("backprop.")]
    return sorted(seen)


@pytest.mark.parametrize("module", math_closure())
def test_math_modules_import_only_numpy_the_standard_library_and_each_other(module: str) -> None:
    """Helpers the math modules import count as math modules and follow the rule."""
    for name in imports_of(module):
        if top(name) == "backprop":
            assert top(name.removeprefix("backprop.")) not in UPPER_LAYERS, f"{module} imports {name}"
            assert name != "backprop", f"{module} imports the package, and with it the upper layers"
        else:
            assert top(name) == "numpy" or top(name) in sys.stdlib_module_names, f"{module} imports {name}"


@pytest.mark.parametrize("module", math_closure())
def test_math_modules_do_no_dynamic_imports_and_run_no_generated_code(module: str) -> None:
    """The maths is written once, in network.py and activations.py: no second copy built as source."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not names & {"__import__", "importlib", "exec", "eval", "compile"}


def test_importing_the_library_and_cli_loads_neither_streamlit_nor_plotly() -> None:
    modules = [f"backprop.{m}" for m in MODULES if top(m) != "figures" and m not in ("__main__", "__init__")]
    code = (
        "import sys, importlib\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & {'streamlit', 'plotly'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
