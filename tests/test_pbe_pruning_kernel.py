"""The compiled belief-support test (:meth:`BeliefSupportPruner.admits_all
<deterrence.solvers._pbe_pruning.BeliefSupportPruner.admits_all>`) gives the verdicts of the kernels
it replaced (``tests/helpers/admits_oracle.py``: every pattern redoes what reads a changed set,
nothing remembered, the bounds refolded up to the root; ``tests/helpers/admits_memo_oracle.py``:
verdicts in a hash table keyed by the support codes, the reach array brought up to date lazily),
with its verdict tables as they fit, with every fine key hashed (no direct table) and with a few
bytes of tables; and :meth:`~deterrence.solvers._pbe_pruning.BeliefSupportPruner.reached` gives the
sets of the old full reach pass. On the AEG's pattern lists at sampled points and on random trees
(signalling trees and trees with chance moves anywhere, perfect recall or not, sets of many
actions and of many nodes), in the search's order, shuffled and in random sublists."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from helpers.admits_memo_oracle import memo_admits_all, memo_reached
from helpers.admits_oracle import old_admits_all
from helpers.random_trees import random_tree
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees

import deterrence as dt
from deterrence import kernels
from deterrence.game import chance, decision, terminal
from deterrence.solvers import _pbe_patterns, _pbe_pruning
from deterrence.solvers._tree_utils import prior_mass


def _possible(game):
    """Per set, the nodes Nature reaches (all of them if it reaches none), as the solver has them."""
    prior = prior_mass(game)
    masks = [prior[list(h.nodes)] > 0 for h in game.infosets]
    return [m if m.any() else np.ones(len(m), dtype=bool) for m in masks]


def _assert_same(pruner, patterns, budgets=(None, 0, 64)):
    """The verdicts of both oracles under the given table budgets (``None``: the package's), and
    the reached sets of the old pass."""
    old = old_admits_all(pruner, patterns)
    np.testing.assert_array_equal(memo_admits_all(pruner, patterns), old)
    kept = _pbe_pruning._TABLE_BYTES
    try:
        for budget in budgets:
            _pbe_pruning._TABLE_BYTES = kept if budget is None else budget
            np.testing.assert_array_equal(pruner.admits_all(patterns), old)
    finally:
        _pbe_pruning._TABLE_BYTES = kept
    ind = pruner.indicators(patterns)
    np.testing.assert_array_equal(pruner.reached(ind), memo_reached(pruner, ind))
    return old


@pytest.mark.parametrize("seed", [0, 7])
def test_aeg_pattern_lists_keep_their_verdicts(seed):
    m = dt.load_model("asymmetric_escalation")
    pts = pd.DataFrame(kernels.domain_sample(m, 3, seed=seed))
    rng = np.random.default_rng(seed)
    for _, row in pts.iterrows():
        g = m.game(**{k: float(v) for k, v in row.items()})
        allowed = _pbe_pruning.iterated_undominated_actions(g, 1e-8)
        possible = _possible(g)
        pure, mixed = _pbe_patterns.feasible_patterns(g, allowed, possible, 1e-8)
        pruner = _pbe_pruning.BeliefSupportPruner(g, possible, 1e-8)
        for patterns in (pure, mixed, [mixed[i] for i in rng.permutation(len(mixed))[:4000]]):
            ok = _assert_same(pruner, patterns)
            assert 0 < ok.sum() < len(patterns)


def _random_lists(game, rng, size=2500):
    """The first patterns of the product of every set's supports, as many drawn at random (each
    set's support uniform) in product order, and those shuffled."""
    options = [_pbe_patterns.subsets(tuple(range(len(h.actions)))) for h in game.infosets]
    first = list(itertools.islice(itertools.product(*options), size))
    drawn = sorted({tuple(opts[int(rng.integers(len(opts)))] for opts in options) for _ in range(size)},
                   key=lambda p: tuple(opts.index(s) for opts, s in zip(options, p, strict=True)))
    return first, drawn, [drawn[i] for i in rng.permutation(len(drawn))]


@settings(max_examples=30, deadline=None)
@given(signalling_trees(), st.integers(0, 2**32 - 1))
def test_random_signalling_trees_keep_their_verdicts(game, seed):
    rng = np.random.default_rng(seed)
    pruner = _pbe_pruning.BeliefSupportPruner(game, _possible(game), 1e-12)
    for patterns in _random_lists(game, rng):
        _assert_same(pruner, patterns)


@pytest.mark.parametrize("recall", [True, False])
@pytest.mark.parametrize("seed", range(8))
def test_random_trees_keep_their_verdicts(seed, recall):
    """Random trees (chance moves anywhere) with payoffs 0 or 1 (many ties, so that many patterns
    pass) and Nature's probabilities as drawn or with one move of probability 0."""
    base = random_tree(2 + seed % 2, 5 + seed % 4, seed, recall=recall)
    rng = np.random.default_rng(seed)
    pay = rng.integers(0, 2, size=(len(base.terminals), len(base.players))).tolist()
    probs = [list(c.probs) for c in base.chance_infos]
    if probs and seed % 2:
        probs[0] = [1.0] + [0.0] * (len(probs[0]) - 1)
    game = base.with_numbers(pay, probs)
    pruner = _pbe_pruning.BeliefSupportPruner(game, _possible(game), 1e-9)
    verdicts = np.concatenate([_assert_same(pruner, patterns) for patterns in _random_lists(game, rng)])
    assert 0 < verdicts.sum() < len(verdicts)


def _wide_game(width: int, seed: int) -> dt.ExtensiveFormGame:
    """Nature picks one of two types; the sender (knowing it) picks one of ``width`` messages; the
    receiver (seeing the message only) answers with one of two actions, then (after answer 0) the
    sender again picks one of three; payoffs 0, 1 or 2 (many ties)."""
    rng = np.random.default_rng(seed)

    def pay():
        return terminal({"S": int(rng.integers(3)), "R": int(rng.integers(3))})

    def answer(t: int, m: int):
        again = decision("S", {f"z{j}": pay() for j in range(3)}, infoset=f"S{t} again")
        return decision("R", {"a0": again, "a1": pay()}, infoset=f"R{m}")

    types = {f"t{t}": (0.5, decision("S", {f"m{m}": answer(t, m) for m in range(width)}, infoset=f"S{t}"))
             for t in range(2)}
    return dt.ExtensiveFormGame(chance(types), players=["S", "R"])


@pytest.mark.parametrize(("width", "seed"), [(9, 0), (20, 1), (40, 2), (62, 4), (63, 5), (70, 3)])
def test_wide_sets_keep_their_verdicts(width, seed):
    """Sets of more than 7, 15, 31 and 62 actions (the support codes' integer widths; a set wider
    than 62 is compared action by action, its verdicts remembered per support, not as its passing
    actions)."""
    game = _wide_game(width, seed)
    rng = np.random.default_rng(seed)
    options = [tuple(range(len(h.actions))) for h in game.infosets]
    drawn = []
    for _ in range(1500):
        pattern = []
        for acts in options:
            size = int(rng.integers(1, min(3, len(acts)) + 1)) if rng.random() < 0.5 else 1
            pattern.append(tuple(sorted(rng.choice(acts, size=size, replace=False).tolist())))
        drawn.append(tuple(pattern))
    drawn = sorted(set(drawn))
    pruner = _pbe_pruning.BeliefSupportPruner(game, _possible(game), 1e-9)
    shuffled = [drawn[i] for i in rng.permutation(len(drawn))]
    ok = np.concatenate([_assert_same(pruner, p) for p in (drawn, shuffled)])
    assert 0 < ok.sum() < len(ok)


def _many_types_game(types: int, seed: int) -> dt.ExtensiveFormGame:
    """Nature picks one of ``types`` types (one of probability 0); the sender (knowing it) sends one
    of two messages; the receiver (seeing the message only: a set of ``types`` nodes, more than a
    fine key's 61 bits) answers with one of two actions; payoffs mostly 0 (many ties)."""
    rng = np.random.default_rng(seed)

    def pay():
        return terminal({"S": int(rng.random() < 0.02), "R": int(rng.random() < 0.3)})

    probs = np.full(types, 1.0 / (types - 1))
    probs[0] = 0.0

    def sender(t: int):
        return decision("S", {f"m{m}": decision("R", {"a0": pay(), "a1": pay()}, infoset=f"R{m}")
                              for m in range(2)}, infoset=f"S{t}")

    kids = {f"t{t}": (float(probs[t]), sender(t)) for t in range(types)}
    return dt.ExtensiveFormGame(chance(kids), players=["S", "R"])


@pytest.mark.parametrize(("types", "seed"), [(62, 0), (70, 1)])
def test_sets_of_many_nodes_keep_their_verdicts(types, seed):
    """Receiver sets of 62 and 70 nodes: no key fits in 62 bits, so nothing is remembered."""
    game = _many_types_game(types, seed)
    rng = np.random.default_rng(seed)
    supports = [(0,), (1,), (0, 1)]
    drawn = sorted({tuple(supports[int(rng.choice(3, p=[0.45, 0.45, 0.1]))] for _ in game.infosets)
                    for _ in range(600)})
    pruner = _pbe_pruning.BeliefSupportPruner(game, _possible(game), 1e-9)
    shuffled = [drawn[i] for i in rng.permutation(len(drawn))]
    ok = np.concatenate([_assert_same(pruner, p) for p in (drawn, shuffled)])
    assert 0 < ok.sum() < len(ok)


@pytest.mark.parametrize("kind", [_pbe_pruning.ANY, _pbe_pruning.NATURE, _pbe_pruning.SOME_SUBSET])
@pytest.mark.parametrize("seed", range(6))
def test_a_support_passes_iff_each_of_its_actions_does(seed, kind):
    """The test at a set under every support is the conjunction of the passing actions the kernel
    remembers (``_passing_actions``, read by ``_within``), with and without a pure path above, on
    random trees with payoffs 0 or 1 (many ties) and random reached nodes; where the belief at a set
    the pattern does not reach is known (``kind``: none reached at a third of the sets), what the
    kept value says (read by ``_within_packed``: one subset's actions for the whole support)."""
    game = random_tree(2 + seed % 2, 5 + seed % 4, seed, recall=True)
    rng = np.random.default_rng(seed)
    pay = rng.integers(0, 2, size=(len(game.terminals), len(game.players))).tolist()
    game = game.with_numbers(pay, [list(c.probs) for c in game.chance_infos])
    pruner = _pbe_pruning.BeliefSupportPruner(game, _possible(game), 1e-9)
    s, full, offsets = pruner._sets, pruner._full, pruner._sets.offsets
    widest = max(max(len(h.nodes), len(h.actions)) for h in game.infosets)
    bufs = (np.empty(widest, dtype=np.bool_), np.empty(widest), np.empty(widest))
    within = _pbe_pruning._within if kind == _pbe_pruning.ANY else _pbe_pruning._within_packed
    checked = failed = 0
    for _ in range(20):
        below = [tuple(sorted(rng.choice(len(h.actions), size=int(rng.integers(1, len(h.actions) + 1)),
                                         replace=False).tolist())) for h in game.infosets]
        lo, hi = pruner._bounds(below)
        for k, h in enumerate(game.infosets):
            reached = rng.random(len(h.nodes)) < 0.7
            if kind != _pbe_pruning.ANY and rng.random() < 1 / 3:
                reached[:] = False
            for pure in (True, False):
                args = (reached, pure, full, lo, hi, s.ptr, s.nodes, s.possible, s.kid_ptr, s.kids, h.player,
                        offsets, 1e-9, *bufs, kind)
                passing = _pbe_pruning._passing_actions(k, *args)
                for support in _pbe_patterns.subsets(tuple(range(len(h.actions)))):
                    row = np.zeros(int(offsets[-1]), dtype=np.bool_)
                    row[[int(offsets[k]) + a for a in support]] = True
                    expected = _pbe_pruning._set_passes(k, row, *args)
                    assert within(row, offsets[k], offsets[k + 1], passing) == expected
                    checked += 1
                    failed += not expected
    assert 0 < failed < checked
