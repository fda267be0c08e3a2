"""Logit tracing with the Jacobian's columns eliminated in a fill-reducing order.

The compiled path follower factors ``[J; tangent]`` with its columns in the order
``sy.cols`` (a minimum-degree order of the Jacobian's pattern) and solves with the factors'
nonzeros only. Checked here: the order is a permutation that cuts the fill-in of the factors;
the solves and the sign of the determinant agree with numpy's dense linear algebra; and the
branch traced with the order agrees with the branch traced in the natural order (the
algorithm before the order was introduced), point by point at fixed precisions, on seeded
N-player trees of the hunt generator, whose ``homotopy`` answers stay certified.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.hunt_trees import hunt_tree, profile_of, regrets

from deterrence.solvers import _logit
from deterrence.solvers import _logit_kernels as kern
from deterrence.solvers.homotopy import logit_homotopy

#: (seed, players, decisions, perfect recall, payoff range, chance of a chain): 5-player trees
#: of 130-220 information sets whose branch turns many times, and smaller ones
TREES = [(119, 5, 300, False, 10, 0.02), (101, 5, 300, True, 10, 0.02), (13, 5, 300, True, 3, 0.05),
         (7, 4, 80, True, 3, 0.05), (3, 3, 60, False, 2, 0.05)]


def _game(spec):
    seed, players, decisions, recall, span, chain = spec
    return hunt_tree(seed, players, decisions, recall=recall, payoff_range=span, p_chain=chain).game()


def _natural(lg: _logit.LogitGame) -> _logit.LogitGame:
    """The same game with the columns eliminated in their natural order."""
    sy = lg.sy._replace(cols=np.arange(lg.n + 1, dtype=np.int64))
    return _logit.LogitGame(lg.game, sy, lg.scale, lg.goff, lg.tree, lg.weights, lg.recall, lg.regret_args,
                            lg.ranges)


def test_minimum_degree_order_of_an_arrow_makes_no_fill_in() -> None:
    n = 7
    arrow = np.eye(n, dtype=bool)
    arrow[0, :] = arrow[:, 0] = True  # unknown 0 touches every other: eliminated first, it fills all
    order = _logit.fill_reducing_order(arrow)
    assert sorted(order.tolist()) == list(range(n))
    a = np.where(arrow, 1.0, 0.0) + n * np.eye(n)  # diagonally dominant: no row exchanges
    lu, _, _ = kern.lu_factor(np.ascontiguousarray(a[np.ix_(order, order)]))
    assert np.count_nonzero(lu) == np.count_nonzero(a)
    lu0, _, _ = kern.lu_factor(a)
    assert np.count_nonzero(lu0) == n * n


@pytest.mark.parametrize("spec", TREES[:3])
def test_the_order_is_a_permutation_that_cuts_the_fill_in(spec) -> None:
    lg = _logit.logit_game(_game(spec))
    cols = lg.sy.cols
    assert sorted(cols.tolist()) == list(range(lg.n + 1)) and cols[-1] == lg.n
    y = np.zeros(lg.n + 1)
    y[:-1] = np.random.default_rng(1).normal(0.0, 2.0, lg.n)
    y[-1] = 5.0
    tau = np.random.default_rng(2).normal(size=lg.n + 1)
    _, jac = kern.system(lg.sy, y, True)
    ordered, _, _ = kern.lu_factor(kern._augmented(jac, tau, cols))
    natural, _, _ = kern.lu_factor(kern._augmented(jac, tau, np.arange(lg.n + 1)))
    assert np.count_nonzero(ordered) < np.count_nonzero(natural)


def test_ordered_solves_and_sign_match_dense_linear_algebra() -> None:
    rng = np.random.default_rng(5)
    for n in (1, 6, 50):
        a = rng.normal(size=(n, n)) * (rng.random((n, n)) < 0.15) + np.eye(n) * rng.choice([-1, 1], n)
        cols = rng.permutation(n).astype(np.int64)
        lu, perm, sign = kern.lu_factor(np.ascontiguousarray(a[:, cols]))
        b = rng.normal(size=n)
        dense = kern.ordered_solve(lu, perm, cols, b)
        sparse = kern.sparse_ordered_solve(*kern.compress_factors(lu), lu, perm, cols, b)
        assert np.allclose(a @ dense, b)
        assert np.array_equal(sparse, dense)  # the same operations, less the zero terms
        assert sign * kern.permutation_sign(cols) == np.sign(np.linalg.det(a))


def test_frame_gives_the_tangent_and_the_orientation_of_the_natural_order() -> None:
    lg = _logit.logit_game(_game(TREES[0]))
    nat = _natural(lg)
    rng = np.random.default_rng(3)
    y = np.concatenate([rng.normal(0.0, 2.0, lg.n), [7.0]])
    tau_prev = rng.normal(size=lg.n + 1)
    _, _, tau, sign = kern.frame(lg.sy, y, tau_prev)
    _, _, tau0, sign0 = kern.frame(nat.sy, y, tau_prev)
    _, jac = kern.system(lg.sy, y, True)
    assert np.allclose(tau, tau0, atol=1e-10)
    assert sign == sign0 == np.sign(np.linalg.det(np.vstack([jac, tau])))


@pytest.mark.parametrize("spec", TREES)
def test_branch_agrees_with_the_natural_order_at_fixed_precisions(spec) -> None:
    lg = _logit.logit_game(_game(spec))
    nat = _natural(lg)
    for lam in (0.05, 0.3, 1.0):
        ours = _logit.LogitPath(lg).point_at(lam)
        theirs = _logit.LogitPath(nat).point_at(lam)
        assert np.max(np.abs(lg.probs(ours) - lg.probs(theirs))) <= 1e-9


@pytest.mark.parametrize("spec", TREES)
def test_homotopy_answers_on_hunt_trees_stay_certified(spec) -> None:
    seed, players, decisions, recall, span, chain = spec
    tree = hunt_tree(seed, players, decisions, recall=recall, payoff_range=span, p_chain=chain)
    game = tree.game()
    res = logit_homotopy(game)
    reg = regrets(tree, profile_of(game, res.profile), enumerate_up_to=256)
    unit = 1e-7 * max(1.0, float(np.ptp(game.payoffs)))
    assert reg.max_agent <= unit
    if recall:
        assert reg.max_nash is not None and reg.max_nash <= unit
