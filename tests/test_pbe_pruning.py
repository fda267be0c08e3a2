"""The PBE solver's belief-free and belief-support pruning (:mod:`deterrence.solvers._pbe_pruning`)
loses no equilibrium.

Oracles: the same solver with the pruning switched off (``_pbe_pruning.ENABLED``), on the
catalogue's small signalling models at their defaults and at seeded points of their domains,
and on random signalling trees (hypothesis); pygambit's ``enumpure_agent_solve`` on the
Asymmetric Escalation Game (every pure agent equilibrium that is a PBE, by our certificate,
is among the solver's pure PBE).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees

import deterrence as dt
from deterrence import kernels
from deterrence.game import chance, decision, terminal
from deterrence.solvers import _pbe_patterns, _pbe_pruning
from deterrence.solvers._tree_utils import undominated_actions

SMALL = ["costly_signal_pledge", "rudimentary_asymmetric_deterrence", "chain_store", "costly_signal_menu"]


def _profiles(eqs) -> list[tuple[float, ...]]:
    return sorted(tuple(np.round(np.concatenate(e.strategies), 7)) for e in eqs)


def _with_and_without(game, policy):
    pruned = dt.solve(game, "pbe", method="pbe", belief_policy=policy)
    _pbe_pruning.ENABLED = False
    try:
        every = dt.solve(game, "pbe", method="pbe", belief_policy=policy)
    finally:
        _pbe_pruning.ENABLED = True
    return pruned, every


def _check(game, policy):
    pruned, every = _with_and_without(game, policy)
    assert _profiles(pruned) == _profiles(every)
    assert pruned.complete or not every.complete  # pruning only removes reasons to doubt completeness
    assert all(e.certificate.passed for e in pruned)


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
@pytest.mark.parametrize("name", SMALL)
def test_catalogue_signalling_models_lose_nothing(name, policy):
    _check(dt.load_model(name).game(), policy)


@pytest.mark.parametrize("name", ["costly_signal_pledge", "chain_store", "costly_signal_menu"])
def test_catalogue_signalling_models_lose_nothing_at_sampled_points(name):
    m = dt.load_model(name)
    pts = pd.DataFrame(kernels.domain_sample(m, 2, seed=7))
    for i, (_, row) in enumerate(pts.iterrows()):
        _check(m.game(**{k: float(v) for k, v in row.items()}), ["free", "d1"][i % 2])


@settings(max_examples=10, deadline=None)
@given(signalling_trees(max_messages=2), st.sampled_from(["free", "prior", "d1"]))
def test_random_signalling_trees_lose_nothing(game, policy):
    _check(game, policy)


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(signalling_trees(), st.sampled_from(["free", "prior", "d1"]))
def test_random_signalling_trees_lose_nothing_long(game, policy):
    _check(game, policy)


# ------------------------------------------------------------------ iterated dominance
def test_second_round_of_dominance_drops_what_the_first_cannot():
    """B's last move is fixed (r beats l at both nodes); only then is A's 'in' worse than 'out'
    at both of its nodes (before, 'in' might lead to B's 'l', worth 5 to A)."""
    def pay(a, b):
        return terminal({"A": a, "B": b})

    def tail(x):
        return decision("A", {"in": decision("B", {"l": pay(5, 0), "r": pay(x, 1)}, infoset="B"),
                              "out": pay(2, 0)}, infoset="A")

    g = dt.ExtensiveFormGame(chance({"s": (0.5, tail(0)), "t": (0.5, tail(1))}), players=["A", "B"])
    first = undominated_actions(g)
    iterated = _pbe_pruning.iterated_undominated_actions(g)
    a = next(h.index for h in g.infosets if h.name == "A")
    assert first[a] == (0, 1) and iterated[a] == (1,)
    for policy in ("free", "prior", "d1"):
        _check(g, policy)


def test_ties_are_not_pruned():
    """'in' ties 'out' at one node whatever B does: neither is dropped."""
    def pay(a, b):
        return terminal({"A": a, "B": b})

    def tail(x):
        return decision("A", {"in": decision("B", {"l": pay(2, 0), "r": pay(x, 1)}, infoset="B"),
                              "out": pay(2, 0)}, infoset="A")

    g = dt.ExtensiveFormGame(chance({"s": (0.5, tail(0)), "t": (0.5, tail(2))}), players=["A", "B"])
    a = next(h.index for h in g.infosets if h.name == "A")
    assert _pbe_pruning.iterated_undominated_actions(g)[a] == (0, 1)


# ------------------------------------------------------------------ the belief-support test
def test_pattern_bounds_equal_the_pattern_search_bounds():
    g = dt.load_model("asymmetric_escalation").game()
    allowed = _pbe_pruning.iterated_undominated_actions(g)
    possible = [np.ones(len(h.nodes), dtype=bool) for h in g.infosets]
    pruner = _pbe_pruning.BeliefSupportPruner(g, possible, 1e-12)
    rng = np.random.default_rng(3)
    for _ in range(20):
        pattern = tuple(tuple(sorted(rng.choice(a, size=int(rng.integers(1, len(a) + 1)), replace=False)))
                        for a in allowed)
        ref = _pbe_patterns._Bounds(g, possible, 1e-12)
        ref.assign_all(pattern)
        lo, hi = pruner._bounds(pattern)
        np.testing.assert_allclose(lo, ref.lo, atol=1e-12)
        np.testing.assert_allclose(hi, ref.hi, atol=1e-12)


def test_aeg_last_moves_are_fixed_and_patterns_shrink():
    """In the Asymmetric Escalation Game each player's last move depends on its own type only:
    one action per set survives. The belief-support test drops most of the patterns left."""
    g = dt.load_model("asymmetric_escalation").game()
    allowed = _pbe_pruning.iterated_undominated_actions(g)
    last = [h.index for h in g.infosets if "after_escalation" in h.name]
    assert len(last) == 6 and all(len(allowed[k]) == 1 for k in last)
    possible = [np.ones(len(h.nodes), dtype=bool) for h in g.infosets]
    pure, mixed = _pbe_patterns.feasible_patterns(g, allowed, possible, 1e-12)
    pruner = _pbe_pruning.BeliefSupportPruner(g, possible, 1e-12)
    kept = 0
    for pattern in pure + mixed:
        ind = [np.zeros(len(h.actions)) for h in g.infosets]
        for b, s in zip(ind, pattern, strict=True):
            b[list(s)] = 1.0
        kept += pruner.admits(pattern, g.realization_probabilities(ind))
    assert kept < len(pure + mixed) / 2


# ------------------------------------------------------------------ pygambit oracle on the AEG
def _from_gambit(game, gg, prof) -> list[np.ndarray]:
    """pygambit's behaviour profile as ours (information sets matched by a member's path)."""
    where = {}
    for nd in game.nodes:
        path, v = [], nd.index
        while game.nodes[v].parent >= 0:
            path.append(game.nodes[v].action)
            v = game.nodes[v].parent
        where[tuple(reversed(path))] = nd.index
    beh = [np.zeros(len(h.actions)) for h in game.infosets]
    for player in gg.players:
        for h in player.infosets:
            node = next(iter(h.members))
            path = []
            while node.parent is not None:
                path.append(list(node.parent.children).index(node))
                node = node.parent
            ours = game.nodes[where[tuple(reversed(path))]].infoset
            for a, act in enumerate(h.actions):
                beh[ours][a] = float(prof[act])
    return beh


@pytest.mark.slow
@pytest.mark.parametrize("point", [0, 1])
def test_aeg_pure_pbe_include_pygambits_pure_agent_equilibria_that_are_pbe(point):
    gbt = pytest.importorskip("pygambit")
    from deterrence.solvers._pbe_context import _Ctx
    from deterrence.solvers._tree_utils import child_tables, prior_mass
    from deterrence.solvers.pbe import _assess

    m = dt.load_model("asymmetric_escalation")
    values = [{}, {"p_challenger_hard": 0.8, "p_defender_hh": 0.1, "p_defender_hs": 0.3,
                   "p_defender_sh": 0.2}][point]
    g = m.game(**values)
    ours = dt.solve(g, "pbe", mixed=False)
    ours_pure = {tuple(np.concatenate(e.strategies).round().astype(int)) for e in ours}
    gg = gbt.read_efg(io.StringIO(dt.write_game(g)))
    ctx = _Ctx(game=g, tol=1e-12, policy="free", kids=child_tables(g), prior=prior_mass(g), senders=())
    found = 0
    for eq in gbt.nash.enumpure_agent_solve(gg).equilibria:
        beh = _from_gambit(g, gg, eq)
        verdict = _assess(ctx, beh)
        if verdict is None:
            continue
        cert = dt.certificates.certify(g, beh, "pbe", beliefs=verdict.beliefs)
        if cert.passed:
            found += 1
            assert tuple(np.concatenate(beh).round().astype(int)) in ours_pure
    assert found >= 1 and found == len(ours_pure)


def test_pattern_cache_serves_trees_whose_payoffs_keep_their_order():
    """Two points of the AEG with the same orderings share one pattern search; its list equals
    a fresh search's; a point whose order differs (a tie) gets its own."""
    m = dt.load_model("asymmetric_escalation")
    calls = []

    def search(game, allowed, possible, tol, mixed=True):
        calls.append(1)
        return _pbe_patterns.feasible_patterns(game, allowed, possible, tol, mixed=mixed)

    def patterns(game):
        allowed = _pbe_pruning.iterated_undominated_actions(game)
        possible = [np.ones(len(h.nodes), dtype=bool) for h in game.infosets]
        return allowed, possible, _pbe_pruning.cached_patterns(search, game, allowed, possible, 1e-12)

    _, _, first = patterns(m.game())
    allowed, possible, second = patterns(m.game(p_challenger_hard=0.3, c_status_quo=5.5))
    assert len(calls) == 1 and second == first
    assert second == _pbe_patterns.feasible_patterns(m.game(p_challenger_hard=0.3, c_status_quo=5.5),
                                                     allowed, possible, 1e-12)
    patterns(m.game(c_status_quo=4, check_orderings=False))  # ties cED: another order
    assert len(calls) == 2
