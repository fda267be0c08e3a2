"""Python builders of the catalogue's models, by parameter name.

Each builder returns a :class:`~deterrence.Model` equal to the matching file in ``models/``
(tests check that they agree), except the builders of model families (``collective``), which
have no file. ``alliances`` holds the attacker–defender–ally models and the
strategic statistical trees; ``collective`` the collective-defence model families (1 to 32
allies; :mod:`deterrence.families`, no file); ``perfect_deterrence`` the Zagare–Kilgour family and the
reputation and teaching models; ``signalling`` the costly-signal menu (a signal level the
defender chooses); ``threats`` the brinkmanship model, the threat that leaves something to chance (teaching);
``reputation`` a patron's reputation across its protégés, and the chain store and that model in
compact form (:class:`~deterrence.game.reputation.ReputationGame`, any number of crises).
"""

from __future__ import annotations

from .alliances import (
    COMMITMENT_TYPES,
    alliance_moral_hazard,
    costly_signal_pledge,
    egame12,
    egame122,
    egame123,
    extended_deterrence,
    extended_deterrence_commitment_types,
)
from .collective import (
    collective_defence,
    collective_defence_chain_gang,
    collective_defence_sequential,
)
from .perfect_deterrence import (
    asymmetric_escalation,
    chain_store,
    mutual_deterrence,
    rudimentary_asymmetric_deterrence,
    snyder_alliance_dilemma,
    tripartite_crisis,
    unilateral_deterrence,
)
from .reputation import (
    chain_store_game,
    patron_reputation,
    patron_reputation_game,
)
from .signalling import (
    SIGNAL_LEVELS,
    costly_signal_menu,
)
from .threats import (
    brinkmanship,
)

__all__ = [
    "COMMITMENT_TYPES",
    "SIGNAL_LEVELS",
    "alliance_moral_hazard",
    "asymmetric_escalation",
    "brinkmanship",
    "chain_store",
    "chain_store_game",
    "collective_defence",
    "collective_defence_chain_gang",
    "collective_defence_sequential",
    "costly_signal_menu",
    "costly_signal_pledge",
    "egame12",
    "egame122",
    "egame123",
    "extended_deterrence",
    "extended_deterrence_commitment_types",
    "mutual_deterrence",
    "patron_reputation",
    "patron_reputation_game",
    "rudimentary_asymmetric_deterrence",
    "snyder_alliance_dilemma",
    "tripartite_crisis",
    "unilateral_deterrence",
]
