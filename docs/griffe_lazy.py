"""A Griffe extension: the names ``deterrence`` exports lazily, as members of the package.

``deterrence/__init__.py`` maps each public name to the module that defines it (``_PUBLIC``) and
each public namespace to its subpackage (``_NAMESPACES``), and imports them on first use through
a module ``__getattr__``. Static analysis cannot see through that, so this extension reads the
two tables from the source (with :func:`ast.literal_eval`, nothing is executed) and adds each
name to the package as an alias of its definition. ``::: deterrence.solve`` then documents
``dt.solve`` under its public name, with the comments and attribute docstrings that only the
source has. Loaded by ``mkdocs.yml`` (``extensions:`` of the mkdocstrings Python handler).
"""

from __future__ import annotations

import ast
from typing import Any

import griffe

PACKAGE = "deterrence"


def _table(tree: ast.Module, name: str) -> dict[str, str]:
    """The literal dict assigned to ``name`` at the top of the module ({} if absent)."""
    for stmt in tree.body:
        target = stmt.target if isinstance(stmt, ast.AnnAssign) else None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
        if isinstance(target, ast.Name) and target.id == name and stmt.value is not None:
            return dict(ast.literal_eval(stmt.value))
    return {}


class LazyExports(griffe.Extension):
    """Add the lazily exported public names of ``deterrence`` to the package as aliases."""

    def on_module_members(self, *, node: Any, mod: griffe.Module, agent: Any, **kwargs: Any) -> None:
        if mod.path != PACKAGE or not isinstance(node, ast.Module):
            return
        for name, module in _table(node, "_PUBLIC").items():
            mod.set_member(name, griffe.Alias(name, f"{PACKAGE}.{module}.{name}", parent=mod))
        for name, module in _table(node, "_NAMESPACES").items():
            mod.set_member(name, griffe.Alias(name, f"{PACKAGE}.{module}", parent=mod))
