"""sweeps: see docs/discussion/architecture.md."""

from __future__ import annotations

from ._design import METHODS, Design, build_design, saltelli_unit, sample_unit
from ._pointwise import evaluate_points
from ._result import SweepResult, sobol_estimates
from ._storage import FORMAT, package_versions
from ._sweep import (
    BACKENDS,
    BYTES_PER_ROW,
    CHUNK_COMPILED,
    CHUNK_POINTWISE,
    MAX_POINTS_IN_MEMORY,
    PATHS,
    sweep,
)
from ._tidy import SELECTIONS, column_order, select

__all__ = [
    "BACKENDS",
    "BYTES_PER_ROW",
    "CHUNK_COMPILED",
    "CHUNK_POINTWISE",
    "FORMAT",
    "MAX_POINTS_IN_MEMORY",
    "METHODS",
    "PATHS",
    "SELECTIONS",
    "Design",
    "SweepResult",
    "build_design",
    "column_order",
    "evaluate_points",
    "package_versions",
    "saltelli_unit",
    "sample_unit",
    "select",
    "sobol_estimates",
    "sweep",
]
