"""Iterated conditional dominance kept by payoff order
(:func:`deterrence.solvers._pbe_pruning.iterated_undominated_actions`).

Oracle: the rounds worked out afresh on every game (``_iterated_undominated``, the code path the
kept results replace), on random signalling trees whose payoffs are redrawn (orders shared, ties,
pairs a tolerance apart) and on the asymmetric escalation game at sampled points.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees

import deterrence as dt
from deterrence import kernels
from deterrence.game import chance, decision, terminal
from deterrence.solvers import _pbe_pruning


def _chance_rows(game):
    return [c.probs for c in game.chance_infos]


def _counted(monkeypatch) -> list[int]:
    calls = [0]
    original = _pbe_pruning._iterated_undominated

    def counted(game, tol):
        calls[0] += 1
        return original(game, tol)

    monkeypatch.setattr(_pbe_pruning, "_iterated_undominated", counted)
    return calls


@settings(max_examples=60, deadline=None)
@given(signalling_trees(), st.integers(0, 2**32 - 1), st.sampled_from([1e-12, 1e-8, 0.5]))
def test_kept_results_equal_the_rounds_worked_out(game, seed, tol):
    """Payoffs redrawn on one tree (so the games share its ``tree_cache``): from a few integers
    (ties, repeated orders), nudged by about the tolerance, or rescaled (the same order, gaps
    across the tolerance); every result equals the rounds worked out afresh."""
    rng = np.random.default_rng(seed)
    base = np.asarray(game.payoffs, dtype=float)
    assert game.tree_cache is not None  # (made now: the copies share it)
    for _ in range(12):
        kind = rng.integers(4)
        if kind == 0:
            pay = rng.integers(-2, 3, size=base.shape).astype(float)
        elif kind == 1:
            pay = base + tol * rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0, 1.5], size=base.shape)
        elif kind == 2:
            pay = base * 3.0 + 1.0
        else:  # the same order, gaps of a few tolerances or less
            pay = base * tol * rng.choice([0.5, 1.0, 1.5, 3.0])
        g = game.with_numbers(pay.tolist(), _chance_rows(game))
        assert _pbe_pruning.iterated_undominated_actions(g, tol) == _pbe_pruning._iterated_undominated(g, tol)


def test_one_order_with_gaps_across_the_tolerance():
    """Payoffs in one order, 'in' ahead of 'out' by more than the tolerance, then by less: 'out'
    is dropped only in the first game."""
    moves = {"in": terminal({"A": 1, "B": 0}), "out": terminal({"A": 0, "B": 0})}
    g = dt.ExtensiveFormGame(decision("A", moves, infoset="A"), players=["A", "B"])
    assert g.tree_cache is not None  # (made now: the copy shares it)
    h = g.with_numbers([[0.4, 0], [0, 0]], [])
    assert _pbe_pruning.iterated_undominated_actions(g, 0.5) == [(0,)]
    assert _pbe_pruning.iterated_undominated_actions(h, 0.5) == [(0, 1)]


def test_points_in_one_order_share_one_result(monkeypatch):
    """The asymmetric escalation game keeps its payoffs' order over its domain: the rounds run once
    for all the sampled points, and each point's result is the rounds'."""
    m = dt.load_model("asymmetric_escalation")
    pts = kernels.domain_sample(m, 8, seed=5)
    games = [m.game({k: float(v[i]) for k, v in pts.items()}) for i in range(8)]
    expected = [_pbe_pruning._iterated_undominated(g, 1e-12) for g in games]
    games[0].tree_cache.pop("undominated_by_order", None)
    calls = _counted(monkeypatch)
    got = [_pbe_pruning.iterated_undominated_actions(g, 1e-12) for g in games]
    assert got == expected
    assert calls[0] == 1


def test_chance_below_a_decision_is_worked_out_every_time(monkeypatch):
    """With Nature moving after a player, a bound is an expectation: two games with the A's payoffs
    in one order get opposite answers, and nothing is kept."""
    lottery = chance({"h": (0.5, terminal({"A": 3, "B": 0})), "t": (0.5, terminal({"A": 0, "B": 0}))})
    g = dt.ExtensiveFormGame(decision("A", {"bet": lottery, "safe": terminal({"A": 1, "B": 0})}, infoset="A"),
                             players=["A", "B"])
    h = g.with_numbers([[1.5, 0], [0, 0], [1, 0]], _chance_rows(g))  # 'bet' worth 0.75 instead of 1.5
    calls = _counted(monkeypatch)
    assert _pbe_pruning._dominance_key(g, 1e-12) is None
    assert _pbe_pruning.iterated_undominated_actions(g) == [(0,)]
    assert _pbe_pruning.iterated_undominated_actions(h) == [(1,)]
    assert calls[0] == 2
