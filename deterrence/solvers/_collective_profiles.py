"""Profiles of the aggregated collective-defence game from top choices and join equilibria."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..game.collective import CollectiveDefenceGame


def strategies_of(
    game: CollectiveDefenceGame, alpha: float, tau: float, beta: float, joins: dict[str, Any]
) -> tuple[np.ndarray, ...]:
    """The profile (one vector per information set) of top choices and join equilibria."""
    out: list[np.ndarray] = []
    for h in game.infosets:
        if h.name == "attacker":
            p = alpha
        elif h.name == "defender":
            p = tau
        elif h.name == "defender_initiative":
            p = beta
        else:
            sigma = joins[h.war].sigma
            p = float(
                sigma[h.ally][h.kind] if game.timing == "simultaneous" else sigma[h.ally][h.kind, h.state]
            )
            out.append(np.array([p, 1.0 - p]))  # intervene, stay_out
            continue
        out.append(np.array([1.0 - p, p]))
    return tuple(out)


__all__ = ["strategies_of"]
