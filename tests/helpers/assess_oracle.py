"""The PBE solver's ``_assess`` as it was before the carried-belief test ran first (the oracle of
``tests/test_pbe_assess_order.py``): every unreached set visited in index order, its belief built by
``_Beliefs.belief`` when reached."""

from __future__ import annotations

import numpy as np

from deterrence.solvers._pbe_beliefs import _Beliefs, _br_actions
from deterrence.solvers._pbe_context import _INTERIOR
from deterrence.solvers.pbe import _Ctx, _Verdict


def assess_in_index_order(ctx: _Ctx, beh: list[np.ndarray], row: int | None = None) -> _Verdict | None:
    """``pbe._assess`` at main 6082fc5, verbatim."""
    game, tol = ctx.game, ctx.tol
    bel = _Beliefs(ctx, beh, row)
    for k in range(len(game.infosets)):  # on-path sets first: cheapest test
        if bel.on_path[k]:
            payoff = bel.mu[k] @ ctx.q(bel.values, k)
            if payoff.max() - payoff @ beh[k] > tol:
                return None
    loose = None
    for k, h in enumerate(game.infosets):
        if bel.on_path[k]:
            continue
        mu = bel.belief(k)
        if mu is None:
            return None
        q = ctx.q(bel.values, k)
        payoff = mu @ q
        if payoff.max() - payoff @ beh[k] > tol:
            return None
        used = int(np.count_nonzero(beh[k] > _INTERIOR))
        if loose is None and len(h.actions) > used:
            if ctx.policy == "free" and k not in bel.fixed:
                if len(_br_actions(q[ctx.possible(k)], tol)) > used:
                    loose = f"'{h.name}' (unreached; another action is optimal under some belief)"
            elif int(np.sum(payoff >= payoff.max() - tol)) > used:
                loose = f"'{h.name}' (unreached; an unused action ties under the policy's belief)"
    beliefs = [np.asarray(bel.mu[k], dtype=float) for k in range(len(game.infosets))]
    return _Verdict(beliefs=beliefs, loose=loose)
