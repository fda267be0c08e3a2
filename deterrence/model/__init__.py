"""model: see docs/discussion/architecture.md."""

from __future__ import annotations

from ._model import Model
from ._specs import (
    CONCEPTS,
    NODE_KINDS,
    RESERVED,
    STATUSES,
    Baseline,
    Derived,
    Evaluation,
    ExprLike,
    ModelSpec,
    NodeSpec,
    Ordering,
    Parameter,
    Reference,
)

__all__ = [
    "CONCEPTS",
    "NODE_KINDS",
    "RESERVED",
    "STATUSES",
    "Baseline",
    "Derived",
    "Evaluation",
    "ExprLike",
    "Model",
    "ModelSpec",
    "NodeSpec",
    "Ordering",
    "Parameter",
    "Reference",
]
