"""The solvers: one algorithm per module, each declaring what it serves and the options it takes.

``registry()`` returns ``{name: SolverInfo}`` for every solver module listed in
:data:`SOLVER_MODULES`; :data:`AUTO` says which method ``method="auto"`` runs. Both live in
:mod:`deterrence.solvers._dispatch`, with :func:`choose_method` and :func:`check_options`
(the check :func:`deterrence.solve` applies to its keyword options, also usable before a
sweep), and :func:`solver_options` (the declared options, for listings and the CLI).
"""

from __future__ import annotations

from ._dispatch import (
    AUTO,
    COMMON_OPTIONS,
    SOLVER_MODULES,
    belief_options,
    check_options,
    choose_method,
    registry,
    solver_options,
)
from ._options import OptionSpec, option
from .base import Candidate, CandidateArrays, RawResult, SolveOptions, SolverInfo, SolverOptions

__all__ = [
    "AUTO",
    "COMMON_OPTIONS",
    "SOLVER_MODULES",
    "Candidate",
    "CandidateArrays",
    "OptionSpec",
    "RawResult",
    "SolveOptions",
    "SolverInfo",
    "SolverOptions",
    "belief_options",
    "check_options",
    "choose_method",
    "option",
    "registry",
    "solver_options",
]
