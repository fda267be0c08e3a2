"""Belief vectors of a solved equilibrium, in the form ``dt.certify`` takes them."""

from __future__ import annotations

from typing import Any

import numpy as np


def belief_vectors(game: Any, eq: Any) -> list[np.ndarray] | None:
    """One array per information set (``game.infosets`` order) over its nodes, or ``None``."""
    if eq.beliefs is None:
        return None
    return [np.array([eq.beliefs[h.name][game.nodes[v].path] for v in h.nodes]) for h in game.infosets]
