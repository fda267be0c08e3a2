"""Unbalanced support patterns of two-player type games are solved last, until a continuum is noted
(``_pbe_unbalanced``, ``pbe._unbalanced_last``).

* The classification agrees with one computed here from the tree's nodes: which sets a pattern
  reaches, each player's mixing dimension.
* Solving every unbalanced pattern (the switch off) gives them no root, and the same equilibria,
  ``complete`` and ``degenerate`` as stopping at the first continuum: on AEG points and random
  signalling games (some with a type of prior 0), under every policy.
* The pattern that noted a continuum is tried first at the next point: one is solved there.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers.samples import points

import deterrence as dt
from deterrence.game.extensive import CHANCE, DECISION
from deterrence.solvers import _pbe_unbalanced, pbe
from deterrence.solvers._pbe_patterns import feasible_patterns
from deterrence.solvers._pbe_pruning import BeliefSupportPruner, cached_patterns
from tests.helpers.random_trees import signalling_game

POLICIES = ("free", "prior", "d1")


def _aeg_games(n: int, seed: int) -> list:
    model = dt.load_model("asymmetric_escalation")
    return [model.game(**values) for values in points("asymmetric_escalation", n, seed)]


def _reached_here(game, pattern) -> list[bool]:
    """Per set, whether some node of it has a path from the root of chance moves of positive
    probability and player moves in the pattern's supports (read from the nodes alone)."""
    ok = {game.root: True}
    for node in game.nodes:  # (preorder: a parent before its children)
        if not ok.get(node.index):
            continue
        for a, child in enumerate(node.children):
            if node.kind == CHANCE:
                ok[child] = game.chance_infos[node.infoset].probs[a] > 0
            elif node.kind == DECISION:
                ok[child] = a in pattern[node.infoset]
    return [any(ok.get(int(u)) for u in h.nodes) for h in game.infosets]


#: the trees whose classification two tests check (one object each, so that the oracle's reached
#: sets of their pattern lists are worked out once: :func:`_reached_all`)
TREES = {"aeg": _aeg_games(1, 3)[0], "sig": signalling_game(4, 3, 2, 3),
         "zero": signalling_game(5, 3, 3, 2, zero_type=True)}
_REACHED: dict[tuple, np.ndarray] = {}


def _reached_all(game, patterns) -> np.ndarray:
    """:func:`_reached_here` of every pattern, as rows (read-only; kept per tree and pattern list)."""
    key = (id(game), tuple(patterns))
    if key not in _REACHED:
        rows = np.array([_reached_here(game, p) for p in patterns], dtype=bool)
        rows.setflags(write=False)
        _REACHED[key] = rows
    return _REACHED[key]


def _classified_here(game, pattern, reached) -> bool:
    dims = [0, 0]
    for k, (h, support) in enumerate(zip(game.infosets, pattern, strict=True)):
        if len(support) > 1 and not reached[k]:
            return False
        dims[h.player] += len(support) - 1
    return dims[0] != dims[1]


def _split(game):
    ctx = pbe._Ctx(game=game, tol=1e-9, policy="free", kids=pbe.child_tables(game),
                   prior=pbe.prior_mass(game), senders=pbe._sender_sets(game))
    allowed, _, _ = pbe._counts(game)
    possible = [ctx.possible(k) for k in range(len(game.infosets))]
    _, patterns = cached_patterns(feasible_patterns, game, allowed, possible, 1e-9)
    pruner = BeliefSupportPruner(game, possible, 1e-9, ctx.batch, ctx.kids)
    return patterns, _pbe_unbalanced.unbalanced(game, pruner, patterns)


@pytest.mark.parametrize("name", ["aeg", "sig", "zero"])
def test_the_classification_agrees_with_the_tree(name):
    game = TREES[name]
    patterns, split = _split(game)
    reached = _reached_all(game, patterns)
    expected = np.array([_classified_here(game, p, on) for p, on in zip(patterns, reached, strict=True)])
    assert np.array_equal(split.mask, expected)
    assert expected.any() and not expected.all()
    assert np.array_equal(split.n_mixed, [sum(len(s) > 1 for s in p) for p in patterns])


def test_outside_the_class_nothing_is_split():
    game = dt.load_model("chain_store").game()
    assert _split(game)[1] is None


def _solved(game, policy, monkeypatch, stop: bool):
    """The solve's equilibria (rounded), flags and the roots the unbalanced patterns gave."""
    monkeypatch.setattr(_pbe_unbalanced, "STOP_AT_FIRST_CONTINUUM", stop)
    game.tree_cache.pop("pbe_unbalanced", None)
    found = {"roots": 0}
    inner = pbe._unbalanced_last

    def counted(ctx, pruner, patterns, admitted, max_mixed, split, roots):
        before = len(roots)
        out = inner(ctx, pruner, patterns, admitted, max_mixed, split, roots)
        found["roots"] += len(roots) - before
        return out

    monkeypatch.setattr(pbe, "_unbalanced_last", counted)
    res = dt.solve(game, "pbe", belief_policy=policy)
    monkeypatch.setattr(pbe, "_unbalanced_last", inner)
    eqs = sorted(tuple(np.round(np.concatenate([np.ravel(s) for s in e.strategies]), 8))
                 for e in res.equilibria)
    return eqs, res.complete, res.degenerate, found["roots"], res.notes


CASES = [*(("aeg", g) for g in _aeg_games(4, 17)),
         *(("sig", signalling_game(s, t, m, r)) for s, (t, m, r) in
           zip(range(8), itertools.cycle([(2, 2, 2), (3, 2, 3), (2, 3, 2), (3, 3, 2)]))),
         ("zero", signalling_game(9, 3, 2, 3, zero_type=True))]


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize(("kind", "game"), CASES, ids=[f"{k}{i}" for i, (k, _) in enumerate(CASES)])
def test_solving_every_unbalanced_pattern_adds_no_root_and_keeps_the_flags(monkeypatch, kind, game, policy):
    full = _solved(game, policy, monkeypatch, stop=False)
    assert full[3] == 0  # no root from any unbalanced pattern
    fast = _solved(game, policy, monkeypatch, stop=True)
    assert fast[:3] == full[:3]
    if kind == "aeg":  # (the AEG has continua at every point sampled, most patterns then unsolved)
        assert fast[2] and any(pbe.UNBALANCED_CONTINUUM in n for n in fast[4])


def test_the_pattern_that_noted_a_continuum_is_tried_first(monkeypatch):
    game = _aeg_games(1, 5)[0]
    game.tree_cache.pop("pbe_unbalanced", None)
    dt.solve(game, "pbe", belief_policy="prior")
    calls = {"in": False, "n": 0}
    inner, solve = pbe._unbalanced_last, pbe._solve_mixed

    def phase(*args):
        calls["in"] = True
        try:
            return inner(*args)
        finally:
            calls["in"] = False

    def counted(*args, **kwargs):
        calls["n"] += calls["in"]
        return solve(*args, **kwargs)

    monkeypatch.setattr(pbe, "_unbalanced_last", phase)
    monkeypatch.setattr(pbe, "_solve_mixed", counted)
    res = dt.solve(game, "pbe", belief_policy="prior")
    assert res.degenerate
    assert calls["n"] == 1


def _dims_here(pattern, game) -> list[int]:
    dims = [0, 0]
    for h, support in zip(game.infosets, pattern, strict=True):
        dims[h.player] += len(support) - 1
    return dims


@pytest.mark.parametrize("name", ["aeg", "zero"])
def test_the_shared_classification_agrees_with_the_tree(name):
    """The fields the other screens read: reached sets, support sizes, each player's dimension and
    the float route's patterns (balanced, ``d > 0``, mixing only where they reach) before it has
    left any undecided."""
    game = TREES[name]
    game.tree_cache.pop("pbe_unbalanced", None)
    patterns, split = _split(game)
    reached = _reached_all(game, patterns)
    assert np.array_equal(split.reached, reached)
    assert np.array_equal(split.sizes, [[len(s) for s in p] for p in patterns])
    dims = np.array([_dims_here(p, game) for p in patterns])
    assert np.array_equal(split.dims, dims)
    only = np.array([all(r or len(s) == 1 for s, r in zip(p, on, strict=True))
                     for p, on in zip(patterns, reached, strict=True)])
    assert np.array_equal(split.only_reached, only)
    assert np.array_equal(split.float_open, only & (dims[:, 0] == dims[:, 1]) & (dims[:, 0] > 0))


def _flags(res) -> tuple:
    eqs = sorted(tuple(np.round(np.concatenate([np.ravel(s) for s in e.strategies]), 8))
                 for e in res.equilibria)
    return eqs, res.complete, res.degenerate


@pytest.mark.parametrize("policy", POLICIES)
def test_one_pass_over_the_whole_list_per_tree(monkeypatch, policy):
    """The unbalanced split, the float route and (under ``d1``) the on-path blocks read one
    classification: they work out the reached sets of the pattern list once for the tree's points,
    for the whole list, with the same results."""
    import sys

    from deterrence.solvers._pbe_pruning import BeliefSupportPruner

    games = _aeg_games(2, 29)
    fresh = [_flags(dt.solve(g, "pbe", belief_policy=policy)) for g in games]
    screens = {"deterrence.solvers._pbe_unbalanced", "deterrence.solvers._pbe_blocks",
               "deterrence.solvers._pbe_typed_float"}
    sizes, real = [], BeliefSupportPruner.reached

    def counted(self, ind):
        if sys._getframe(1).f_globals["__name__"] in screens:
            sizes.append(len(ind))
        return real(self, ind)

    monkeypatch.setattr(BeliefSupportPruner, "reached", counted)
    games[0].tree_cache.clear()
    assert [_flags(dt.solve(g, "pbe", belief_policy=policy)) for g in games] == fresh
    assert sizes == [len(games[0].tree_cache["pbe_unbalanced"].popitem()[1].indicators)]


def test_kin_of_the_witnesses_come_next():
    """After the remembered witnesses, the patterns that mix at the same sets with the same
    supports as one of them (and differ in pure actions only) are solved, then the rest in order."""
    game = _aeg_games(1, 3)[0]
    patterns, split = _split(game)
    rows = np.flatnonzero(split.mask)
    w = int(rows[len(rows) // 2])
    split.witnesses = [w]
    try:
        got = list(split.batches(rows))
    finally:
        split.witnesses = []
    def mixing(i: int) -> dict:
        return {k: s for k, s in enumerate(patterns[i]) if len(s) > 1}

    kin = [int(i) for i in rows if i != w and mixing(i) == mixing(w)]
    assert kin and len(kin) < len(rows) - 1
    assert got[0].tolist() == [w] and got[1].tolist() == kin
    rest = [int(i) for i in rows if i != w and i not in kin]
    assert np.concatenate(got[2:]).tolist() == rest
    assert [len(b) for b in got[2:4]] == [_pbe_unbalanced.FIRST_BATCH, 2 * _pbe_unbalanced.FIRST_BATCH]


def test_kin_shorten_the_search_when_the_witnesses_fail(monkeypatch):
    """On AEG points where no remembered witness notes a continuum, trying their kin next sends
    fewer patterns through the pattern loop's screens before the first continuum, with the same
    flags."""
    model = dt.load_model("asymmetric_escalation")
    games = [model.game(values) for values in points("asymmetric_escalation", 33, 11)[:21]]
    inner, work = pbe._unbalanced_last, pbe._work
    counts = {}
    for kin in (True, False):
        if not kin:
            monkeypatch.setattr(_pbe_unbalanced.Unbalanced, "kin", lambda _, rows: np.zeros(len(rows), bool))
        calls = {"in": False, "n": 0}

        def phase(*args, calls=calls):
            calls["in"] = True
            try:
                return inner(*args)
            finally:
                calls["in"] = False

        def screened(ctx, pruner, patterns, admitted, max_mixed, calls=calls):
            calls["n"] += len(admitted) if calls["in"] else 0
            return work(ctx, pruner, patterns, admitted, max_mixed)

        monkeypatch.setattr(pbe, "_unbalanced_last", phase)
        monkeypatch.setattr(pbe, "_work", screened)
        games[0].tree_cache.pop("pbe_unbalanced", None)
        solved = [dt.solve(g, "pbe", belief_policy="prior") for g in games]
        counts[kin] = (calls["n"], [(r.complete, r.degenerate) for r in solved])
    assert counts[True][1] == counts[False][1]
    assert counts[True][0] < counts[False][0] / 2
