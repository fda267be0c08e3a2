"""Solver contexts and catalogue games for the tests that call the PBE solver's internals
(``_assess``, ``_Beliefs``, the D1 type groups) directly."""

from __future__ import annotations

from typing import Any

import deterrence as dt
from deterrence.solvers import pbe
from deterrence.solvers._tree_utils import child_tables, prior_mass
from helpers.samples import points

#: per catalogue model, the parameter that is Nature's probability (set to 0 and 1 to rule moves out)
NATURE = {"asymmetric_escalation": None, "chain_store": "p_tough", "costly_signal_menu": "resolve"}


def solver_context(game: Any, policy: str) -> pbe._Ctx:
    """The PBE solver's context of ``game`` under ``policy``, as a solve builds it (tolerance 1e-12)."""
    return pbe._Ctx(game=game, tol=1e-12, policy=policy, kids=child_tables(game), prior=prior_mass(game),
                    senders=pbe._sender_sets(game))


def catalogue_games(name: str, n: int, seed: int) -> list:
    """``n`` seeded domain points of a catalogue model, plus (where it has one) its Nature's
    probability at 0 and at 1 (Nature's zero-probability moves), as games (new ones at each call;
    the points are drawn once per process: :mod:`helpers.samples`)."""
    m = dt.load_model(name)
    out = points(name, n, seed)
    first = NATURE[name]
    if first is not None:
        out += [{first: 0.0}, {first: 1.0}]
    return [m.game(**v) for v in out]
