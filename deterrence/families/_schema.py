"""What a sweep's table holds for the collective-defence family: outcome labels, players, measures."""

from __future__ import annotations

from typing import Any

import numpy as np

#: the outcome labels of the family's games, in vocabulary order
LABELS = ("status_quo", "capitulation", "war", "allied_war", "abandonment", "entrapment")
#: the alliance measures the family adds to a sweep's table (see ``CollectiveDefenceGame.summary``)
MEASURES = (
    "expected_allies_at_war",
    "expected_entrapped",
    "p_full_abandonment",
    "p_chain_gang",
    "join_probability",
    "p_target_wins",
)
#: the players of the tidy table: ``payoff_Ally`` is the mean payoff of the allies
TABLE_PLAYERS = ("Attacker", "Defender", "Ally")



def summary_columns(summary: Any) -> dict[str, float]:
    """A row's family columns from an equilibrium's ``CollectiveDefenceGame.summary``:
    ``payoff_Ally`` (the allies' mean payoff; the payoffs are the attacker's, the defender's, then
    the allies') and the :data:`MEASURES`."""
    return {"payoff_Ally": float(np.mean(summary.payoffs[2:])),
            **{m: float(summary.measures[m]) for m in MEASURES}}


__all__ = ["LABELS", "MEASURES", "TABLE_PLAYERS", "summary_columns"]
