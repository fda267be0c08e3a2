"""Sets of conditions that hold a vector of one term, carried from one point of a tree to the next.

``ExactTree.note_one_term`` also keeps each set it notes, by the keys of its groups, in the tree's
``tree_cache`` (``_pbe_exact.OneTermStore``); at the next points ``ExactTree.polynomials`` tests a
kept set that a system holds before building the system (the exact row reduction on the set's
conditions at that point) and notes it if it holds there too; and ``pbe._kept`` drops, before
they are solved, the systems that hold a set noted in the solve (``pbe._unsettled``). The oracles
(``tests/helpers/root_memo_oracle.py``) are the exact conditions and root screen as they were:
every system dropped must be one the old screen rules out, and the solves must give what they give
with the store empty.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.root_memo_oracle import old_polynomials, old_screen_on_quotients, settled_systems
from test_pbe_exact import _POINT

import deterrence as dt
from deterrence.solvers import _pbe_exact, _pbe_multilinear, pbe
from deterrence.solvers._pbe_exact import ExactTree

_OTHER = {**_POINT, "p_challenger_hard": 0.7, "c_status_quo": 8.5, "c_defender_concedes": 10.0}
_STORE = "pbe_one_term_store"


def _game(point: dict[str, float]) -> dt.ExtensiveFormGame:
    return dt.load_model("asymmetric_escalation").game(point)


def _answer(res) -> tuple:
    return (tuple(res.notes), res.complete, res.degenerate,
            [([np.asarray(s).tolist() for s in e.strategies], e.beliefs, e.label, repr(e.certificate))
             for e in res.equilibria])


def _counted_screens(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts = {"screen": 0}
    screen = _pbe_multilinear.root_screen

    def root_screen(polys):
        counts["screen"] += 1
        return screen(polys)

    monkeypatch.setattr(_pbe_multilinear, "root_screen", root_screen)
    return counts


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_sets_found_at_one_point_rule_out_systems_at_the_next_and_change_nothing(monkeypatch, policy):
    game = _game(_OTHER)
    game.tree_cache.pop(_STORE, None)
    counts = _counted_screens(monkeypatch)
    fresh = dt.solve(game, "pbe", belief_policy=policy)  # the store empty, then fed by this point
    alone = counts["screen"]
    assert _pbe_exact.one_term_store(game).size > 20
    dt.solve(_game(_POINT), "pbe", belief_policy=policy)  # (feeds it more)
    counts["screen"] = 0
    again = dt.solve(_game(_OTHER), "pbe", belief_policy=policy)
    assert counts["screen"] < alone / 2
    assert _answer(again) == _answer(fresh)


def test_a_kept_set_that_does_not_hold_at_a_point_rules_nothing_out(monkeypatch):
    """Every kept set is tested where it is used: single groups (most hold no vector of one term
    alone) kept with the sets found change no answer, and many are found not to hold."""
    game = _game(_POINT)
    game.tree_cache.pop(_STORE, None)
    fresh = dt.solve(game, "pbe", belief_policy="free")
    store = game.tree_cache[_STORE] = _pbe_exact.OneTermStore()
    numbers = list(_pbe_exact.one_term_store(_game(_POINT)).ids.values())
    keys = list(ExactTree(game)._store.ids)
    assert not numbers and not keys  # (a new store: its numbers come with the solve below)
    tested = []
    mask = _pbe_exact.one_term_mask

    def one_term_mask(polys):
        out = mask(polys)
        tested.append(out)
        return out

    monkeypatch.setattr(_pbe_exact, "one_term_mask", one_term_mask)
    note = ExactTree.note_one_term

    def noted(tree, conditions, found):  # each group of a noted set also kept alone (most hold none alone)
        note(tree, conditions, found)
        for g in conditions.groups:
            store.add(frozenset([tree._store_ids[g]]))

    monkeypatch.setattr(ExactTree, "note_one_term", noted)
    first = dt.solve(_game(_POINT), "pbe", belief_policy="free")
    again = dt.solve(_game(_POINT), "pbe", belief_policy="free")
    assert _answer(first) == _answer(again) == _answer(fresh)
    assert tested.count(None) > 5 and len(tested) - tested.count(None) > 5


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_systems_dropped_before_the_solve_are_ruled_out_by_the_old_screen(monkeypatch, policy):
    game = _game(_POINT)
    dt.solve(_game(_OTHER), "pbe", belief_policy=policy)  # (the store holds sets of this tree)
    unsettled = pbe._unsettled
    dropped = []

    def checked(exact, pattern, prog, base, live, kept, systems):
        before = list(systems)
        left = unsettled(exact, pattern, prog, base, live, kept, systems)
        assert left == any(v != pbe.RULED_OUT for v in systems)
        for n, combo in enumerate(pbe._spec_combos(base, list(prog.mixed), live)):
            if systems[n] == pbe.RULED_OUT and before[n] != pbe.RULED_OUT:
                dropped.append((pattern, list(prog.mixed), combo))
        return left

    settled = pbe._settled_patterns

    def checked_early(ctx, chosen, programs, ok, opt_starts, flags):  # (dropped before the float screens)
        out = settled(ctx, chosen, programs, ok, opt_starts, flags)
        dropped.extend(settled_systems(chosen, programs, ok, opt_starts, flags, out))
        return out

    monkeypatch.setattr(pbe, "_unsettled", checked)
    monkeypatch.setattr(pbe, "_settled_patterns", checked_early)
    dt.solve(game, "pbe", belief_policy=policy)
    assert len(dropped) > 20
    for pattern, mixed, specs in dropped:
        assert old_screen_on_quotients(old_polynomials(ExactTree(game), pattern, mixed, specs))


def test_group_numbers_read_the_tree_alone():
    """A system's store numbers are those of the groups :meth:`ExactTree.polynomials` builds for it,
    the same at every point of the tree."""
    games = [_game(_POINT), _game(_OTHER)]
    trees = [ExactTree(g) for g in games]
    rng = np.random.default_rng(8)
    sizes = [len(h.actions) for h in games[0].infosets]
    for _ in range(200):
        pattern = [tuple(sorted(int(a) for a in rng.choice(m, size=int(rng.integers(1, min(m, 3) + 1)),
                                                              replace=False))) for m in sizes]
        mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
        specs = {k: ("reach",) for k in mixed}
        numbers = [t.system_numbers(pattern, mixed, specs) for t in trees]
        assert numbers[0] == numbers[1]
        built = trees[0].polynomials(pattern, mixed, specs)
        if built is not None:
            assert numbers[0] == frozenset(trees[0]._store_ids[g] for g in built.groups) or not built.groups


def test_trees_of_a_sweeps_points_share_the_shape_and_build_the_same_conditions():
    """``ExactTree`` keeps what reads the tree alone (``_pbe_exact._Shape``) in its ``tree_cache``: the
    trees of two points share it, and give the conditions a tree with a shape of its own gives."""
    first, second = _game(_POINT), _game(_OTHER)
    a = ExactTree(first)
    b = ExactTree(second)
    assert a._placements is b._placements and a.moves is b.moves
    rng = np.random.default_rng(12)
    sizes = [len(h.actions) for h in first.infosets]
    patterns = []
    for _ in range(60):
        pattern = [tuple(sorted(int(x) for x in rng.choice(m, size=int(rng.integers(1, min(m, 3) + 1)),
                                                              replace=False))) for m in sizes]
        patterns.append((pattern, [k for k, s in enumerate(pattern) if len(s) > 1]))
    for pattern, mixed in patterns:
        a.polynomials(pattern, mixed, {k: ("reach",) for k in mixed})
    shared = [b.polynomials(p, m, {k: ("reach",) for k in m}) for p, m in patterns]
    second.tree_cache.pop("pbe_exact_shape")
    own = ExactTree(second)
    assert own.moves is not a.moves
    for (pattern, mixed), got in zip(patterns, shared, strict=True):
        want = own.polynomials(pattern, mixed, {k: ("reach",) for k in mixed})
        if got is None or want is None:  # (a set noted by one of them only: the memo)
            continue
        assert [list(p.items()) for p in got] == [list(p.items()) for p in want]
