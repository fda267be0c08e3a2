"""The early exit of the logit homotopy: a branch that turns back and forth in ``lambda`` for
thousands of steps is probed every 32 steps (after ``PROBE_FROM``), and the first point that
refines into a certified equilibrium ends the search.

Checked against what nobody here wrote: the regret oracle of :mod:`helpers.hunt_trees` on the
generator's own nested tuples. Seed 143 of the tree benchmark (5 players, no perfect recall,
129 information sets) is a branch with about 140 turning points in ``lambda``: without the
probes it takes about 6,500 steps; with them it stops at the first probe that certifies.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.hunt_trees import hunt_tree, profile_of, regrets

import deterrence as dt
from deterrence.game import NormalFormGame
from deterrence.solvers import _logit
from deterrence.solvers.homotopy import PROBE_FROM, logit_homotopy


@pytest.fixture(scope="module")
def winding():
    """Seed 143 of ``benchmarks/bench_n_player.py --trees``: its branch winds for ~6,500 steps."""
    return hunt_tree(143, 5, 300, recall=False, payoff_range=10, p_chain=0.02)


def test_a_winding_branch_exits_early_with_an_equilibrium_the_oracle_certifies(winding) -> None:
    game = winding.game()
    res = logit_homotopy(game)
    assert res.early and res.limit and res.agent
    assert PROBE_FROM <= res.steps < 1000  # the branch alone runs to about 6,500 steps
    oracle = regrets(winding, profile_of(game, res.profile))
    assert oracle.max_agent <= 1e-8  # no recall: an equilibrium of the agent form


def test_solve_says_the_nash_fallback_returned_an_early_exit(winding) -> None:
    game = winding.game()
    eqs = dt.solve(game, "nash")
    assert len(eqs) == 1 and eqs[0].certificate.passed
    assert any("early exit, not necessarily the branch's limit" in n for n in eqs.notes)
    assert regrets(winding, profile_of(game, eqs[0].strategies)).max_agent <= 1e-8


def test_a_short_branch_is_not_probed_and_says_nothing_of_an_early_exit() -> None:
    tree = hunt_tree(104, 5, 300, recall=True, payoff_range=10, p_chain=0.02)  # ~20 steps
    res = logit_homotopy(tree.game())
    assert not res.early and res.steps < PROBE_FROM
    notes = dt.solve(tree.game(), "nash").notes
    assert not any("early exit" in n for n in notes)


def test_stopping_for_probes_does_not_move_the_branch() -> None:
    """The probes' stops (``stop_at``) leave the traced points as they were: QRE answers at a
    precision do not depend on them."""
    lg = _logit.logit_game(hunt_tree(143, 5, 300, recall=False, payoff_range=10, p_chain=0.02).game())
    plain: list[np.ndarray] = []
    _logit.LogitPath(lg).run_until(12.0, plain)
    stopped: list[np.ndarray] = []
    path = _logit.LogitPath(lg)
    stop = 7
    while True:
        path.run_until(12.0, stopped, stop_at=stop)
        if path.y[-1] >= 12.0:
            break
        stop += 7
    assert len(stopped) == len(plain) > 100
    assert max(float(np.max(np.abs(a - b))) for a, b in zip(plain, stopped, strict=True)) == 0.0


def test_limit_with_settle_ignores_probes() -> None:
    """``concept="qre"``'s limit (``settle=True``) is the branch's limit, probed or not."""
    rng = np.random.default_rng(7)
    lg = _logit.logit_game(NormalFormGame([rng.integers(-9, 10, size=(3, 3, 3)) for _ in range(3)]))
    a = _logit.limit(lg, settle=True)
    b = _logit.limit(lg, settle=True, probe_from=0, probe_every=1)
    assert not b.early and a.steps == b.steps
    assert all(np.array_equal(x, y) for x, y in zip(a.strategies, b.strategies, strict=True))
