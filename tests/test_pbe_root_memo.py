"""The exact root screen's memo of conditions that hold a vector of one term.

``_pbe_pruning.root_screen`` gives, with the verdict of ``no_interior_root``, the equations a
one-term row was combined from; ``ExactTree.note_one_term`` remembers their groups (a set's
conditions, by the key they are kept by) and ``ExactTree.polynomials`` then rules out, unbuilt,
every later system of the solve with all those groups. The oracles
(``tests/helpers/root_memo_oracle.py``) are the screen and the conditions as they were: the
verdict must be theirs on every system, random and recorded from AEG solves.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.root_memo_oracle import (
    divided_by_monomials,
    old_no_interior_root,
    old_polynomials,
    old_screen_on_quotients,
    one_term_in_span,
)
from test_pbe_exact import _POINT, _random_specs
from test_pbe_exact_oracles import _random_system

import deterrence as dt
from deterrence.solvers import _pbe_multilinear, _pbe_pruning, pbe
from deterrence.solvers._pbe_exact import ExactTree

_POINTS = [_POINT, {**_POINT, "p_challenger_hard": 0.7, "c_status_quo": 8.5, "c_defender_concedes": 10.0}]


def _subset(polys: list[dict], mask: int) -> list[dict]:
    return [p for i, p in enumerate(polys) if mask >> i & 1]


def _support(rng: np.random.Generator, m: int) -> tuple[int, ...]:
    size = int(rng.integers(1, min(m, 2) + 1))
    return tuple(sorted(int(a) for a in rng.choice(m, size=size, replace=False)))


# ------------------------------------------------------------------ the row reduction
def test_root_screen_gives_the_old_verdict_and_a_subset_with_a_one_term_vector():
    rng = np.random.default_rng(17)
    masks = 0
    for _ in range(4000):
        polys = _random_system(rng)
        mask = _pbe_pruning.root_screen(polys)
        assert (mask is not None) == old_no_interior_root(polys) == _pbe_pruning.no_interior_root(polys)
        if mask:
            masks += 1
            assert mask < 1 << len(polys)
            assert one_term_in_span(_subset(polys, mask)), (polys, mask)
    assert masks > 500


# ------------------------------------------------------------------ the conditions
def test_polynomials_are_the_old_ones_without_a_memo():
    game = dt.load_model("asymmetric_escalation").game(_POINT)
    game.tree_cache.pop("pbe_one_term_store", None)  # (sets an earlier test's solves noted rule systems out)
    tree = ExactTree(game)
    rng = np.random.default_rng(23)
    sizes = [len(h.actions) for h in game.infosets]
    # (150 patterns: each system of the AEG solves below is compared with the old conditions too)
    for _ in range(150):
        pattern = [tuple(sorted(int(a) for a in rng.choice(m, size=int(rng.integers(1, min(m, 3) + 1)),
                                                              replace=False))) for m in sizes]
        mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
        if rng.random() < 0.2:
            mixed = mixed[::-1]
        specs = _random_specs(game, mixed, rng)
        got = tree.polynomials(pattern, mixed, specs)
        assert got is not None and len(got.groups) == len(got)
        old = old_polynomials(ExactTree(game), pattern, mixed, specs)
        assert [list(p.items()) for p in got] == [list(p.items()) for p in old]


def test_a_noted_subset_rules_out_the_systems_that_contain_it_and_no_other():
    """Random patterns of the AEG that share sets' conditions (few supports vary): each system
    the memo rules out has the old verdict ``True``, and a one-term vector in the span of the
    conditions of the noted groups it contains; every other has the old conditions."""
    game = dt.load_model("asymmetric_escalation").game(_POINT)
    tree = ExactTree(game)
    rng = np.random.default_rng(29)
    sizes = [len(h.actions) for h in game.infosets]
    base = [tuple(range(min(m, 2))) for m in sizes]
    hits = noted = 0
    for _ in range(150):  # (about 60 hits and 44 noted sets)
        pattern = [s if rng.random() < 0.7 else _support(rng, m) for s, m in zip(base, sizes, strict=True)]
        mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
        specs = {} if rng.random() < 0.5 else _random_specs(game, mixed, rng)
        old = old_polynomials(ExactTree(game), pattern, mixed, specs)
        got = tree.polynomials(pattern, mixed, specs)
        if got is None:  # (sets noted here, or kept from other points: their quotients hold one)
            hits += 1
            assert old_screen_on_quotients(old)
            assert one_term_in_span(divided_by_monomials(old))
            continue
        assert [list(p.items()) for p in got] == [list(p.items()) for p in old]
        mask = _pbe_pruning.root_screen(got)
        assert (mask is not None) == old_no_interior_root(old)
        if mask:
            noted += 1
            got.note_one_term(mask)
    assert hits > 20 and noted > 20


# ------------------------------------------------------------------ in the solver
@pytest.mark.parametrize("policy", ["free", "d1"])
@pytest.mark.parametrize("point", range(len(_POINTS)))
def test_every_system_of_an_aeg_solve_gets_the_old_verdict(monkeypatch, policy, point):
    """Each system that reaches the exact screen: ruled out by the memo only if the old screen
    rules out its old conditions, and otherwise given them and the old verdict; each system the
    memo drops before it is solved (``pbe._unsettled``, when the solve has noted sets), likewise
    one the old screen rules out. (The screen reads the conditions divided by their monomial factors:
    the old screen on those quotients is the oracle.)"""
    built = ExactTree.polynomials
    unsettled = pbe._unsettled
    screen = _pbe_multilinear.root_screen
    counts = {"memo": 0, "screen": 0}
    last: list = []

    def polynomials(tree, pattern, mixed, specs):
        got = built(tree, pattern, mixed, specs)
        old = old_polynomials(ExactTree(tree.game), pattern, mixed, specs)
        if got is None:
            counts["memo"] += 1
            assert old_screen_on_quotients(old)
        else:
            assert [list(p.items()) for p in got] == [list(p.items()) for p in old]
        last[:] = [old]
        return got

    def root_screen(polys):
        counts["screen"] += 1
        mask = screen(polys)  # (the conditions divided by their monomial factors)
        assert polys == divided_by_monomials(last[0])
        assert (mask is not None) == old_screen_on_quotients(last[0])
        return mask

    def dropped(exact, pattern, prog, base, live, kept, systems):
        before = list(systems)
        left = unsettled(exact, pattern, prog, base, live, kept, systems)
        for n, specs in enumerate(pbe._spec_combos(base, list(prog.mixed), live)):
            if systems[n] != before[n]:
                counts["memo"] += 1
                old = old_polynomials(ExactTree(exact.game), pattern, list(prog.mixed), specs)
                assert old_screen_on_quotients(old)
        return left

    monkeypatch.setattr(ExactTree, "polynomials", polynomials)
    monkeypatch.setattr(_pbe_multilinear, "root_screen", root_screen)
    monkeypatch.setattr(pbe, "_unsettled", dropped)
    game = dt.load_model("asymmetric_escalation").game(_POINTS[point])
    game.tree_cache.pop("pbe_one_term_store", None)  # (the sets other points found: test_pbe_root_store.py)
    dt.solve(game, "pbe", belief_policy=policy)
    assert counts["memo"] > 20 and counts["screen"] > 20


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_the_memo_changes_no_result(monkeypatch, policy):
    game = dt.load_model("asymmetric_escalation").game(_POINTS[1])
    with_memo = dt.solve(game, "pbe", belief_policy=policy)
    monkeypatch.setattr(ExactTree, "note_one_term", lambda tree, conditions, mask: None)
    without = dt.solve(game, "pbe", belief_policy=policy)
    assert with_memo.notes == without.notes and len(with_memo.equilibria) == len(without.equilibria)
    for a, b in zip(with_memo.equilibria, without.equilibria, strict=True):
        assert [np.asarray(s).tolist() for s in a.strategies] == \
               [np.asarray(s).tolist() for s in b.strategies]
        assert a.beliefs == b.beliefs and a.label == b.label and repr(a.certificate) == repr(b.certificate)
