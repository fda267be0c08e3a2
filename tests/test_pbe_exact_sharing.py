"""What the exact conditions of the PBE solver (``_pbe_exact``) share between patterns and tests.

* A set's conditions are kept by what they read under the pattern (``ExactTree._vertex_plan``: the
  live sets, ``ExactTree._live_sets``), so patterns that differ only where the conditions do not
  look (a set below an action out of the support, or behind a move the supports never play) share
  one computation; each pattern still gets the conditions evaluated afresh at its vertices.
* A belief carried forward reads the source set's weights and the moves on the carry paths, not
  every set (``ExactTree.relevant_sets``).
* The one-term store lists the sets within a system by their lowest numbers
  (``OneTermStore.within``): the same sets, in the order they were added, as a scan of all of them.
* Sets of the store with the same conditions in the same places are reduced once
  (``ExactTree._test_known``), with the verdict a fresh reduction gives; so are equations the root
  screen gets again (``_pbe_pruning.root_screen``).
"""

from __future__ import annotations

import numpy as np
from helpers.root_memo_oracle import old_polynomials
from test_pbe_exact import _POINT, _random_specs

import deterrence as dt
from deterrence.solvers import _pbe_exact, _pbe_pruning, _pbe_unbalanced
from deterrence.solvers._pbe_exact import ExactTree, OneTermStore

_STORE = "pbe_one_term_store"


def _aeg(point: dict[str, float] = _POINT) -> dt.ExtensiveFormGame:
    return dt.load_model("asymmetric_escalation").game(point)


def _support(rng: np.random.Generator, m: int) -> tuple[int, ...]:
    size = int(rng.integers(1, min(m, 3) + 1))
    return tuple(sorted(int(a) for a in rng.choice(m, size=size, replace=False)))


def test_patterns_that_differ_where_a_set_does_not_look_share_its_conditions():
    """Patterns near one base (a few supports changed), Bayes' rule or random specs: the kept
    conditions are those evaluated at every vertex afresh, and fewer are computed than groups built."""
    game = _aeg()
    game.tree_cache.pop(_STORE, None)
    tree = ExactTree(game)
    rng = np.random.default_rng(31)
    sizes = [len(h.actions) for h in game.infosets]
    base = [(0,)] * len(sizes)
    checked = 0
    for _ in range(250):
        pattern = [s if rng.random() < 0.6 else _support(rng, m) for s, m in zip(base, sizes, strict=True)]
        mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
        if len(mixed) > 6:
            continue
        specs = {} if rng.random() < 0.6 else _random_specs(game, mixed, rng)
        got = tree.polynomials(pattern, mixed, specs)
        assert got is not None  # (nothing noted here)
        assert [list(p.items()) for p in got] == \
               [list(p.items()) for p in old_polynomials(ExactTree(game), pattern, mixed, specs)]
        checked += 1
    assert checked > 100
    assert len(tree._narrowed) < 0.8 * len(tree._conditions)


def test_live_sets_leave_out_what_the_supports_never_play():
    """Under Bayes' rule a set's live sets are among its relevant sets; with a support of fewer
    actions, or a pure move off the path to its nodes, some relevant set is not live."""
    game = _aeg()
    tree = ExactTree(game)
    sizes = [len(h.actions) for h in game.infosets]
    full = [tuple(range(m)) for m in sizes]
    narrowed = 0
    for k in range(len(sizes)):
        relevant = set(tree.relevant_sets(k, "reach"))
        assert set(tree._live_sets(k, "reach", full)) <= relevant
        for j in range(len(sizes)):
            for a in range(sizes[j]):
                pattern = list(full)
                pattern[j] = (a,)
                live = set(tree._live_sets(k, "reach", pattern))
                assert live <= relevant
                narrowed += len(live) < len(relevant)
    assert narrowed > 10


def test_a_carried_belief_reads_its_source_and_paths_not_every_set():
    game = _aeg()
    tree = ExactTree(game)
    every = set(range(len(game.infosets)))
    carried = 0
    for k, h in enumerate(game.infosets):
        seq = game.own_sequence(h.nodes[0], h.player)
        if not seq or not _pbe_exact.carry_paths(game, *seq[-1], k):
            continue
        prev, act = seq[-1]
        specs = {prev: ("reach",), k: ("own", prev, act)}
        reader = tree.reader(k, specs[k], specs)
        assert reader == ("own", prev, act, "reach")
        relevant = set(tree.relevant_sets(k, reader))
        assert set(tree.relevant_sets(prev, "reach")) - set(tree.relevant_sets(prev, "prior")) <= relevant
        assert relevant < every
        carried += 1
    assert carried >= 2


def test_store_lists_the_sets_within_a_system_as_a_scan_would():
    rng = np.random.default_rng(3)
    store = OneTermStore()
    for _ in range(300):
        store.add(frozenset(int(x) for x in rng.choice(40, size=int(rng.integers(1, 5)), replace=False)))
    assert store.size > 200
    for _ in range(300):
        numbers = frozenset(int(x) for x in rng.choice(40, size=int(rng.integers(1, 25)), replace=False))
        since = int(rng.integers(0, store.size + 1)) if rng.random() < 0.5 else 0
        assert store.within(numbers, since) == tuple(s for s in store.added[since:] if s <= numbers)


def test_store_sets_with_the_same_conditions_are_reduced_once(monkeypatch):
    """A solve at a point after another (the store holds the sets the first found): fewer row
    reductions than sets tested, and each test's verdict is that of a fresh reduction."""
    game = _aeg()
    game.tree_cache.pop(_STORE, None)
    dt.solve(_aeg({**_POINT, "c_status_quo": _POINT["c_status_quo"] * 1.1}), "pbe", belief_policy="free")
    counts = {"tests": 0, "reductions": 0}
    reduce, test = _pbe_exact.one_term_mask, ExactTree._test_known

    def counted(polys):
        counts["reductions"] += 1
        return reduce(polys)

    def checked(tree, known, groups, nv, pattern, specs):
        counts["tests"] += 1
        held = test(tree, known, groups, nv, pattern, specs)
        fresh = []
        for group, k, spec, sets, where in groups:
            fresh.extend(tree._embedded_group(group, k, spec, sets, where, nv, pattern, specs))
        assert held == bool(_pbe_pruning.one_term_mask(_pbe_pruning.without_monomial_factors(fresh)))
        return held

    monkeypatch.setattr(_pbe_exact, "one_term_mask", counted)
    monkeypatch.setattr(ExactTree, "_test_known", checked)
    monkeypatch.setattr(_pbe_unbalanced, "STOP_AT_FIRST_CONTINUUM", False)  # (every pattern solved)
    dt.solve(game, "pbe", belief_policy="free")
    assert counts["tests"] > 20 and counts["reductions"] < counts["tests"]


def test_root_screen_keeps_its_verdicts(monkeypatch):
    """Equations screened again are not reduced again, and get the verdict a reduction gives."""
    calls = []
    reduce = _pbe_pruning._reduced_rows

    def counted(polys):
        calls.append(1)
        return reduce(polys)

    monkeypatch.setattr(_pbe_pruning, "_reduced_rows", counted)
    monkeypatch.setattr(_pbe_pruning, "_SCREENED", {})
    systems = [[{(0, 1): 3, (1, 0): -5}, {(0, 1): 6, (1, 0): -10, (1, 1): 7}],  # one term: 7·x0x1
               [{(0, 0): 2, (0, 1): 3}, {(0, 0): -1, (1, 0): 4}],  # a one-sign row after the reduction
               [{(0, 0): 2, (0, 1): -3}, {(0, 0): -1, (1, 0): 4}]]  # neither
    first = [_pbe_pruning.root_screen(polys) for polys in systems]
    assert len(calls) == len(systems)
    again = [_pbe_pruning.root_screen([dict(p) for p in polys]) for polys in systems]
    assert again == first and len(calls) == len(systems)
    assert first[0] == 0b11 and first[1] == 0 and first[2] is None
    for polys, verdict in zip(systems, first, strict=True):
        rows, mask = reduce(polys)
        fresh = mask if rows is None else 0 if any(_pbe_pruning._one_sign(r) for r in rows) else None
        assert verdict == fresh
