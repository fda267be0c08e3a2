"""analysis: see docs/discussion/architecture.md."""

from __future__ import annotations

from ._boundaries import numeric_threshold, regime_set
from ._regimes import Regime, Regimes, StructureCondition, regimes, regimes_of_tree, threshold

__all__ = [
    "Regime",
    "Regimes",
    "StructureCondition",
    "numeric_threshold",
    "regime_set",
    "regimes",
    "regimes_of_tree",
    "threshold",
]
