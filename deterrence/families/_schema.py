"""What a sweep's table holds for the collective-defence family: outcome labels, players, measures."""

from __future__ import annotations

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

__all__ = ["LABELS", "MEASURES", "TABLE_PLAYERS"]
