"""sweeps: see docs/discussion/architecture.md."""

from __future__ import annotations

from ._design import METHODS, Design, DesignInfo, Linspace, build_design, saltelli_unit, sample_unit
from ._manifest import FORMAT, ChunkRecord, Chunks, Manifest, ModelIdentity, ParameterInfo, RunRecord
from ._pointwise import evaluate_points
from ._result import SweepResult, sobol_estimates
from ._spec import BACKENDS, MAX_POINTS_IN_MEMORY, PATHS, SweepSpec, baseline_of, check_spec
from ._storage import SweepFolder, package_versions
from ._sweep import BYTES_PER_ROW, CHUNK_COMPILED, CHUNK_POINTWISE, ChunkPlan, sweep
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
    "ChunkPlan",
    "ChunkRecord",
    "Chunks",
    "Design",
    "DesignInfo",
    "Linspace",
    "Manifest",
    "ModelIdentity",
    "ParameterInfo",
    "RunRecord",
    "SweepFolder",
    "SweepResult",
    "SweepSpec",
    "baseline_of",
    "build_design",
    "check_spec",
    "column_order",
    "evaluate_points",
    "package_versions",
    "saltelli_unit",
    "sample_unit",
    "select",
    "sobol_estimates",
    "sweep",
]
