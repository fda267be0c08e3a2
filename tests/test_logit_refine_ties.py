"""Refinement at a degenerate limit of the logit branch: an unused action tied with the support.

The tree (seed 7027 of the wrong-answer hunt: 3 players, no perfect recall, 99 information
sets) has a branch whose limit is a degenerate agent-form equilibrium: at a reached set one
action is exactly as good as the two it mixes, yet its probability on the branch vanishes like
``1 / lambda``, and the behaviour below it (unreached in the limit) only tends to what keeps it
tied. The refinement used to hold that behaviour at its traced values, which left the unused
action a gain of order ``1 / lambda``; with the action in the support the indifference
equations had no solution nearby. The branch was traced for 20,000 steps without a refinement
(``SolverError``), and the early exit found one after 7,366. Tying the action and freeing the
off-path behaviour refines the branch's first points at high precision.

Checked against what nobody here wrote: the regret oracle of :mod:`helpers.hunt_trees`.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.hunt_trees import hunt_tree, profile_of, regrets

import deterrence as dt
from deterrence.solvers import _logit
from deterrence.solvers.homotopy import PROBE_FROM, logit_homotopy


@pytest.fixture(scope="module")
def degenerate():
    return hunt_tree(7027, 3, 211, recall=False, payoff_range=10, p_chain=0.02)


def test_the_branch_refines_near_its_end_without_the_early_exit(degenerate) -> None:
    game = degenerate.game()
    res = logit_homotopy(game, probe_from=None, max_steps=2000)  # before: no refinement in 2,000 steps
    assert res.limit and not res.early and res.agent
    assert res.steps < PROBE_FROM  # the early exit needed 7,366
    assert regrets(degenerate, profile_of(game, res.profile)).max_agent <= 1e-8


def test_a_traced_point_at_high_precision_refines_to_a_nearby_equilibrium(degenerate) -> None:
    """At scaled precision 3e5 (on the branch): every support the point suggests failed before."""
    lg = _logit.logit_game(degenerate.game())
    path = _logit.LogitPath(lg)
    path.run_until(3e5)
    p = lg.probs(path.y)
    q = _logit.refine_near(lg, p, float(path.y[-1]))
    assert q is not None
    assert float(np.max(np.abs(q - p))) <= 1e-3
    # an action the refinement leaves unused at a reached set earns exactly what its support does
    reached = np.repeat(_logit.kern.reached_sets(lg.sy, q), np.diff(lg.goff))
    gains = _logit.kern.tree_agent_gains(lg.sy, q)
    assert np.any(reached & (q == 0.0) & (np.abs(gains) <= 1e-12))
    assert regrets(degenerate, profile_of(lg.game, lg.split(q))).max_agent <= 1e-8


def test_solve_returns_the_certified_equilibrium_from_the_branch(degenerate) -> None:
    eqs = dt.solve(degenerate.game(), "nash")
    assert len(eqs) == 1 and eqs[0].certificate.passed
    assert not any("early exit" in n for n in eqs.notes)


def test_a_tie_with_no_unknown_to_move_ends_newton_instead_of_raising(degenerate) -> None:
    """A tie asked for where no mixing set is left to solve (``mixed`` empty) gave the least-squares
    step an empty matrix and raised numpy's ``LinAlgError`` out of the solve (the chain store near
    its entry threshold, ``method="homotopy"``); Newton now stops and reports the residual."""
    lg = _logit.logit_game(degenerate.game())
    x = np.log(np.concatenate([np.full(n, 1.0 / n) for n in np.diff(lg.goff)]))  # uniform play
    values = _logit.kern.values_x(lg.sy, x, False)[0]
    # an action outside the support (its set's second) that earns other than the set's first
    starts = lg.goff[:-1]
    tie = next(int(a) + 1 for a, b in zip(starts, lg.goff[1:], strict=True)
               if b - a >= 2 and abs(values[a + 1] - values[a]) > 1e-6)
    mask = np.ones(len(x), dtype=np.bool_)
    mask[tie] = False
    x_out, residual = _logit.kern.support_newton(lg.sy, x, mask, np.zeros(0, dtype=np.int64), 5,
                                                 np.ones(len(lg.goff) - 1, dtype=np.bool_),
                                                 np.array([tie], dtype=np.int64))
    assert np.array_equal(x_out, x) and residual > 1e-6  # nothing moved; the tie's gap is the residual
