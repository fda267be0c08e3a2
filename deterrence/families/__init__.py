"""Model families: models whose game changes shape with a parameter, solved on an aggregated game.

A catalogue model is usually one game tree with symbolic payoffs (:class:`deterrence.Model`).
A *family* is a model whose number of players is itself a parameter: ``collective_defence``
has 1 to 32 allies, and its tree would hold ``2**32`` type profiles. A family offers what the
rest of the library uses from a model (parameters, ``game(**values)``, a no-pledge
``baseline()``, a vectorised evaluation for sweeps, exact regimes) on top of an aggregated game
(:class:`deterrence.game.collective.CollectiveDefenceGame`) that the solver
``collective`` solves and :mod:`deterrence.certificates` certifies at any size.

Public names: :class:`CollectiveDefence` (built by ``dt.builders.collective_defence``),
:data:`COMMITMENT_TYPES` (the pledge codes), :data:`MAX_MEMBERS`, :class:`IntegerParameter`.
"""

from __future__ import annotations

from ._collective import CollectiveDefence
from ._parameters import MAX_MEMBERS, PER_ALLY, IntegerParameter
from ._pledges import COMMITMENT_TYPES, DEFENCE_PACT, NO_PLEDGE, audience_multiplier
from ._schema import LABELS, MEASURES, TABLE_PLAYERS

__all__ = [
    "COMMITMENT_TYPES",
    "DEFENCE_PACT",
    "LABELS",
    "MAX_MEMBERS",
    "MEASURES",
    "NO_PLEDGE",
    "PER_ALLY",
    "TABLE_PLAYERS",
    "CollectiveDefence",
    "IntegerParameter",
    "audience_multiplier",
]
