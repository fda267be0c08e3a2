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
import itertools

import numpy as np
import pandas as pd
import pytest
from helpers.gambit_sets import matched_sets
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
def _entry_game(left: float, right: tuple[float, float]) -> dt.ExtensiveFormGame:
    """Nature picks s or t (1/2 each); A, not knowing which, plays out (2 to A) or in; then B, not
    knowing either, plays l (``left`` to A) or r (``right[0]`` after s, ``right[1]`` after t)."""
    def pay(a, b):
        return terminal({"A": a, "B": b})

    def tail(x):
        return decision("A", {"in": decision("B", {"l": pay(left, 0), "r": pay(x, 1)}, infoset="B"),
                              "out": pay(2, 0)}, infoset="A")

    return dt.ExtensiveFormGame(chance({"s": (0.5, tail(right[0])), "t": (0.5, tail(right[1]))}),
                                players=["A", "B"])


def test_second_round_of_dominance_drops_what_the_first_cannot():
    """B's last move is fixed (r beats l at both nodes); only then is A's 'in' worse than 'out'
    at both of its nodes (before, 'in' might lead to B's 'l', worth 5 to A)."""
    g = _entry_game(left=5, right=(0, 1))
    first = undominated_actions(g)
    iterated = _pbe_pruning.iterated_undominated_actions(g)
    a = next(h.index for h in g.infosets if h.name == "A")
    assert first[a] == (0, 1) and iterated[a] == (1,)
    for policy in ("free", "prior", "d1"):
        _check(g, policy)


def test_ties_are_not_pruned():
    """'in' ties 'out' at one node whatever B does: neither is dropped."""
    g = _entry_game(left=2, right=(0, 2))
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


def _each_alone(pruner, patterns) -> np.ndarray:
    return np.array([pruner.admits_all([p])[0] for p in patterns], dtype=bool)


def test_a_list_of_patterns_is_tested_as_each_pattern_alone():
    """The compiled test redoes, from one pattern to the next, only what reads a changed set: its
    verdicts equal those of each pattern tested alone (a full pass), in the search's order and
    shuffled, at sampled points of the AEG."""
    m = dt.load_model("asymmetric_escalation")
    pts = pd.DataFrame(kernels.domain_sample(m, 2, seed=5))
    rng = np.random.default_rng(5)
    for _, row in pts.iterrows():
        g = m.game(**{k: float(v) for k, v in row.items()})
        allowed = _pbe_pruning.iterated_undominated_actions(g)
        possible = [np.ones(len(h.nodes), dtype=bool) for h in g.infosets]
        pure, mixed = _pbe_patterns.feasible_patterns(g, allowed, possible, 1e-12)
        pruner = _pbe_pruning.BeliefSupportPruner(g, possible, 1e-12)
        picked = [mixed[i] for i in sorted(rng.choice(len(mixed), size=600, replace=False))]
        for patterns in (pure, picked, [picked[i] for i in rng.permutation(len(picked))]):
            listed = pruner.admits_all(patterns)
            assert 0 < listed.sum() < len(patterns)
            np.testing.assert_array_equal(listed, _each_alone(pruner, patterns))


@settings(max_examples=25, deadline=None)
@given(signalling_trees(), st.randoms(use_true_random=False))
def test_every_pattern_of_random_trees_is_tested_as_alone(game, shuffle):
    allowed = [tuple(range(len(h.actions))) for h in game.infosets]
    possible = [np.ones(len(h.nodes), dtype=bool) for h in game.infosets]
    patterns = list(itertools.product(*(_pbe_patterns.subsets(a) for a in allowed)))[:3000]
    shuffle.shuffle(patterns)
    pruner = _pbe_pruning.BeliefSupportPruner(game, possible, 1e-12)
    np.testing.assert_array_equal(pruner.admits_all(patterns), _each_alone(pruner, patterns))


@pytest.mark.slow
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
    kept = int(pruner.admits_all(pure + mixed).sum())
    assert kept < len(pure + mixed) / 2


# ------------------------------------------------------------------ pygambit oracle on the AEG
def _from_gambit(game, gg, prof) -> list[np.ndarray]:
    """pygambit's behaviour profile as ours (information sets matched by a member's path)."""
    beh = [np.zeros(len(h.actions)) for h in game.infosets]
    for ours, h in matched_sets(game, gg):
        for a, act in enumerate(h.actions):
            beh[ours][a] = float(prof[act])
    return beh


@pytest.mark.slow
@pytest.mark.parametrize("point", [0, 1])
def test_aeg_pbe_include_the_outcome_of_pygambits_logit_limit(point):
    """pygambit's ``logit_solve`` follows the principal branch of the logit QRE to its limit, a
    sequential equilibrium, hence a PBE under free beliefs: its play on the path (the
    distribution over terminal nodes) is that of some PBE the pruned solver lists."""
    gbt = pytest.importorskip("pygambit")
    m = dt.load_model("asymmetric_escalation")
    values = [{}, {"p_challenger_hard": 0.75, "p_defender_hh": 0.125, "p_defender_hs": 0.375,
                   "p_defender_sh": 0.25}][point]
    g = m.game(**values)
    ours = dt.solve(g, "pbe")
    assert len(ours) >= 1 and all(e.certificate.passed for e in ours)
    gg = gbt.read_efg(io.StringIO(dt.write_game(g)))
    limit = _from_gambit(g, gg, gbt.nash.logit_solve(gg).equilibria[0])
    terminals = list(g.terminals)
    theirs = g.realization_probabilities(limit)[terminals]
    gaps = [np.abs(g.realization_probabilities(list(e.strategies))[terminals] - theirs).max() for e in ours]
    assert min(gaps) < 1e-3



def _two_type_tree(shift: float = 0.0, tie: bool = False) -> dt.ExtensiveFormGame:
    """A small signalling tree; ``shift`` moves every payoff up (same order), ``tie`` makes two
    of the sender's payoffs equal (another order)."""
    def pay(a, b):
        return terminal({"S": a + shift, "R": b + shift})

    def sender(t, x):
        msgs = {m: decision("R", {"a0": pay(x + m_i, 1 - t), "a1": pay(2 * t - m_i, t)}, infoset=f"R{m}")
                for m_i, m in enumerate(("m0", "m1"))}
        return decision("S", msgs, infoset=f"S{t}")

    types = {"t0": (0.4, sender(0, 2 if tie else 3)), "t1": (0.6, sender(1, 0.5))}
    return dt.ExtensiveFormGame(chance(types), players=["S", "R"])


def test_pattern_cache_serves_trees_whose_payoffs_keep_their_order():
    """Trees of one shape whose payoffs keep their order share one pattern search, whose list equals
    a fresh search's; a tree whose order differs (a tie) gets its own."""
    calls = []

    def search(game, allowed, possible, tol, mixed=True):
        calls.append(1)
        return _pbe_patterns.feasible_patterns(game, allowed, possible, tol, mixed=mixed)

    def patterns(game):
        allowed = _pbe_pruning.iterated_undominated_actions(game)
        possible = [np.ones(len(h.nodes), dtype=bool) for h in game.infosets]
        return allowed, possible, _pbe_pruning.cached_patterns(search, game, allowed, possible, 1e-12)

    _, _, first = patterns(_two_type_tree())
    allowed, possible, second = patterns(_two_type_tree(shift=1.5))
    assert len(calls) == 1 and second == first
    assert second == _pbe_patterns.feasible_patterns(_two_type_tree(shift=1.5), allowed, possible, 1e-12)
    patterns(_two_type_tree(tie=True))
    assert len(calls) == 2
    for policy in ("free", "d1"):  # the solver's results with the cache equal those without
        _check(_two_type_tree(shift=1.5), policy)


# ------------------------------------------------------------------ the root screen
def test_root_screen_finds_a_one_signed_combination():
    """Two indifference conditions that differ by one term (x·y): their difference is positive
    inside the box, so there is no interior root; a system with one is not screened out."""
    e2 = {(1, 0): 3, (0, 1): -5, (1, 1): 2, (0, 0): -1}
    e3 = {(1, 0): 3, (0, 1): -5, (0, 0): -1}
    assert _pbe_pruning.no_interior_root([e2, e3])
    assert _pbe_pruning.no_interior_root([{(1, 0): 2, (0, 0): 1}])
    assert not _pbe_pruning.no_interior_root([{(1, 0): 2, (0, 0): -1}, {(0, 1): 4, (0, 0): -1}])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(-4, 4), min_size=4, max_size=4), min_size=1, max_size=3),
       st.integers(1, 9), st.integers(1, 9))
def test_root_screen_never_drops_a_planted_interior_root(raw, px, py):
    """Multilinear equations in (x, y) shifted to vanish at the interior point (px/10, py/10):
    the screen never claims there is no interior root."""
    from fractions import Fraction

    x, y = Fraction(px, 10), Fraction(py, 10)
    monos = [(0, 0), (1, 0), (0, 1), (1, 1)]
    polys = []
    for c in raw:
        at = sum(ci * x**m[0] * y**m[1] for ci, m in zip(c, monos, strict=True))
        coeffs = [Fraction(ci) for ci in c]
        coeffs[0] -= at  # now vanishes at (x, y)
        scaled = [int(ci * 100) for ci in coeffs]
        polys.append({m: ci for m, ci in zip(monos, scaled, strict=True) if ci})
    polys = [p for p in polys if p]
    assert not _pbe_pruning.no_interior_root(polys)
