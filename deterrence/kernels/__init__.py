"""kernels: see docs/discussion/architecture.md."""

from __future__ import annotations

from ._compiled import MAX_STRUCTURES, CompiledModel, compile_model, compile_tree, set_threads, threads
from ._linforms import FeatureSpace, RowSet, StructurePlan, TreePaths, build_plan, chance_arrays
from ._sample import domain_sample
from ._trees import Structure, SymbolicTree, symbolic_tree, symbolic_tree_from
from ._vectree import VectorTree

__all__ = [
    "MAX_STRUCTURES",
    "CompiledModel",
    "FeatureSpace",
    "RowSet",
    "Structure",
    "StructurePlan",
    "SymbolicTree",
    "TreePaths",
    "VectorTree",
    "build_plan",
    "chance_arrays",
    "compile_model",
    "compile_tree",
    "domain_sample",
    "set_threads",
    "symbolic_tree",
    "symbolic_tree_from",
    "threads",
]
