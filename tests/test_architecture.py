"""The package's architecture, checked from the source (``ast``): each rule is one test.

* imports run one way: no import cycle among ``deterrence`` modules;
* ``game/`` is upstream of everything that solves, models, sweeps or analyses;
* ``solvers/`` never reach back to the front door or downstream; certificates import no solver;
* the command line uses the library only through ``import deterrence as dt``;
* few modules directly in ``deterrence/``, none named like a public ``dt.*`` function;
* no function longer than 100 lines outside the catalogue's builders (checked area by area).

An import counts wherever it is written: at module level, inside a function (a lazy import)
or under ``if TYPE_CHECKING``. ``from package import name`` counts as an import of the
submodule ``package.name`` when that is a module, else of ``package``. Importing a submodule
is not counted as importing its parent package's ``__init__`` (Python runs it, but it is not a
dependency the code states). The solver registry loads its solver modules by name at its first
call (``deterrence.solvers._dispatch.registry``, plugins): those loads are not import
statements, and no solver module is imported while ``_dispatch`` itself is being imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "deterrence"

#: most modules allowed directly in ``deterrence/`` (``__init__`` and ``__main__`` included)
MAX_TOP_LEVEL_MODULES = 15
#: longest function allowed outside ``catalogue/builders/``
MAX_FUNCTION_LINES = 100


@dataclass(frozen=True)
class Import:
    """One import statement's target, as a dotted module name, and where it is written."""

    source: str
    target: str
    line: int
    statement: str


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _base(module: str, is_package: bool, level: int) -> list[str]:
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    return parts[: len(parts) - (level - 1)] if level > 1 else parts


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The ``deterrence`` modules an import statement imports."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == "deterrence" or alias.name.startswith("deterrence."):
                yield alias.name
        return
    if node.level:
        target = ".".join(_base(module, is_package, node.level) + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not (target == "deterrence" or target.startswith("deterrence.")):
        return
    known = modules()
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        yield sub if sub in known else target


@cache
def imports() -> tuple[Import, ...]:
    """Every import of a ``deterrence`` module written anywhere in the package."""
    out = []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(name, path.name == "__init__.py", node):
                    out.append(Import(name, target, node.lineno, lines[node.lineno - 1].strip()))
    return tuple(out)


def _in(module: str, *prefixes: str) -> bool:
    """Whether ``module`` is one of ``deterrence.<prefix>`` or inside it."""
    return any(module == f"deterrence.{p}" or module.startswith(f"deterrence.{p}.") for p in prefixes)


def _shown(found: list[Import]) -> str:
    return "\n".join(f"  {i.source} (line {i.line}): {i.statement}" for i in found)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            advanced = False
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in edges.get(v, ()):
                    found.append(sorted(comp))
    return found


# ---------------------------------------------------------------------------- the rules
def test_the_import_graph_is_read() -> None:
    """The checks below see the imports they are about (a guard against a silent parser)."""
    edges = {(i.source, i.target) for i in imports()}
    assert ("deterrence._solve", "deterrence.certificates") in edges
    assert ("deterrence.solvers.backward_induction", "deterrence.solvers._dispatch") in edges
    assert ("deterrence.cli._solving", "deterrence") in edges
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"a"}}) == [["a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    edges: dict[str, set[str]] = {m: set() for m in modules()}
    for i in imports():
        if i.target in edges and i.target != i.source:
            edges[i.source].add(i.target)
    cycles = _cycles(edges)
    detail = "\n".join(
        " <-> ".join(c) + "\n" + _shown([i for i in imports() if i.source in c and i.target in c])
        for c in cycles
    )
    assert not cycles, f"import cycles among deterrence modules:\n{detail}"


def test_game_is_upstream() -> None:
    downstream = ("solvers", "_solve", "certificates", "model", "sweeps", "kernels", "analysis", "catalogue",
                  "studies", "cli")
    bad = [i for i in imports() if _in(i.source, "game") and _in(i.target, *downstream)]
    what = "solver, model, sweep, kernel, analysis, catalogue or studies code"
    assert not bad, f"game/ imports {what}:\n" + _shown(bad)


def test_solvers_never_reach_back() -> None:
    forbidden = ("_solve", "sweeps", "catalogue", "model", "kernels", "analysis", "studies", "cli")
    bad = [i for i in imports()
           if _in(i.source, "solvers") and (_in(i.target, *forbidden) or i.target == "deterrence")]
    assert not bad, "solvers/ imports the front door or downstream code:\n" + _shown(bad)


def test_certificates_import_no_solver() -> None:
    bad = [i for i in imports()
           if i.source == "deterrence.certificates" and _in(i.target, "solvers", "_solve")]
    assert not bad, "certificates.py imports solver code:\n" + _shown(bad)


def test_cli_uses_only_the_public_package() -> None:
    bad = []
    for name, path in modules().items():
        if not _in(name, "cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    as_dt = alias.name == "deterrence" and alias.asname == "dt"
                    if alias.name.startswith("deterrence") and not as_dt:
                        bad.append(f"{name} (line {node.lineno}): import {alias.name}")
            elif isinstance(node, ast.ImportFrom):
                targets = list(_targets(name, path.name == "__init__.py", node))
                if any(not _in(t, "cli") for t in targets):
                    where = "." * node.level + (node.module or "")
                    bad.append(f"{name} (line {node.lineno}): from {where} import ...")
    assert not bad, "cli/ must use the library only through 'import deterrence as dt':\n" + "\n".join(bad)


def test_few_modules_at_the_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, f"{len(top)} modules directly in deterrence/: {top}"


def test_no_module_named_like_a_public_function() -> None:
    import deterrence as dt

    functions = {n for n in dt._PUBLIC if n[:1].islower()}
    clash = sorted(name for name in modules() if name.rsplit(".", 1)[-1] in functions)
    assert not clash, f"modules or packages named like a public dt.* function: {clash}"


def _areas() -> list[str]:
    """Top-level subpackages and modules of ``deterrence``, one area each."""
    return sorted({name.split(".")[1] for name in modules() if name != "deterrence"})


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from ``def`` to the end, less the docstring: documentation does not make a function
    hard to read, its code does."""
    length = (node.end_lineno or node.lineno) - node.lineno + 1
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
            first.value.value, str):
        length -= (first.end_lineno or first.lineno) - first.lineno + 1
    return length


def _long_functions(area: str) -> list[str]:
    out = []
    for name, path in modules().items():
        if not _in(name, area) or _in(name, "catalogue.builders"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = _code_lines(node)
                if length > MAX_FUNCTION_LINES:
                    out.append(f"{name}.{node.name} ({length} lines, line {node.lineno})")
    return out


@pytest.mark.parametrize("area", _areas())
def test_no_long_functions(area: str) -> None:
    found = _long_functions(area)
    assert not found, f"functions over {MAX_FUNCTION_LINES} lines in deterrence/{area}: " + "; ".join(found)
