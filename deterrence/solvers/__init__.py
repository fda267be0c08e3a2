"""The solver registry: one algorithm per module, each declaring what it serves.

``registry()`` returns ``{name: SolverInfo}`` for every solver module listed in
:data:`SOLVER_MODULES`, in order of preference for ``method="auto"``.
"""

from __future__ import annotations

import importlib
from functools import cache

from .base import Candidate, RawResult, SolveOptions, SolverInfo

#: module names, in order of preference when ``method="auto"`` (first that serves wins,
#: except where ``deterrence.solve`` chooses by game size)
SOLVER_MODULES: tuple[str, ...] = (
    "pure",
    "vertex_enumeration",
    "support_enumeration",
    "lemke_howson",
    "polynomial",
    "homotopy",
    "sequence_form",
    "enumerate_reduced",
    "backward_induction",
    "pbe",
    "qre",
)


@cache
def registry() -> dict[str, SolverInfo]:
    """All registered solvers by method name."""
    out: dict[str, SolverInfo] = {}
    for mod_name in SOLVER_MODULES:
        try:
            mod = importlib.import_module(f".{mod_name}", __name__)
        except ModuleNotFoundError as exc:  # a module not written yet
            if exc.name == f"{__name__}.{mod_name}":
                continue
            raise
        info: SolverInfo = mod.SOLVER
        out[info.name] = info
    return out


__all__ = ["Candidate", "RawResult", "SolveOptions", "SolverInfo", "registry"]
