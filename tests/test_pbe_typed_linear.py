"""The linear route of the PBE solver for two-player type games (``_typed_structure``,
``_pbe_typed_linear``).

* The class is detected exactly: the catalogue's two-player games whose types Nature draws first
  and whose moves are then public are in it; a three-player game and one with a chance move
  below a player's move are not, and the linear route leaves their patterns alone.
* In AEG solves, every system the linear route decides gets the points (to 1e-12) and the notes
  (none) that the generic route (the Gröbner basis) gives it, and it decides systems with roots
  and systems without.
* The exact linear solve (fraction-free elimination) agrees with sympy on random integer
  systems of every shape: the unique solution, none, or many.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
import sympy
from helpers.exact_systems import float_route_off
from helpers.pbe_context import solver_context
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence import kernels
from deterrence.solvers import _pbe_multilinear, _pbe_typed_linear, pbe
from deterrence.solvers._typed_structure import typed_structure


@pytest.mark.parametrize(("name", "inside"), [
    ("asymmetric_escalation", True), ("unilateral_deterrence", True),
    ("rudimentary_asymmetric_deterrence", True), ("chain_store", False), ("costly_signal_menu", False)])
def test_the_class_is_detected(name, inside):
    game = dt.load_model(name).game()
    found = typed_structure(game)
    assert (found is not None) == inside
    if found is not None:  # a set is its mover's type and public history, and no two sets share them
        keys = {(h.player, t, hist) for h, t, hist in zip(game.infosets, found.set_type, found.set_history,
                                                          strict=True)}
        assert len(keys) == len(game.infosets)


def test_the_aeg_types():
    game = dt.load_model("asymmetric_escalation").game()
    found = typed_structure(game)
    assert len(found.worlds) == 8
    assert sorted({t for t, _ in found.types}) == [0, 1]
    assert sorted({t for _, t in found.types}) == [0, 1, 2, 3]
    for p, sets in ((0, 6), (1, 8)):
        assert sum(h.player == p for h in game.infosets) == sets
    assert typed_structure(game) is found  # kept for the tree


def test_outside_the_class_the_route_declines():
    game = dt.load_model("costly_signal_menu").game()
    ctx = types.SimpleNamespace(game=game)
    mixed = [0, 1]
    pattern = [tuple(range(len(h.actions))) for h in game.infosets]
    reached = np.ones(len(game.infosets), dtype=bool)
    assert _pbe_typed_linear.typed_roots(ctx, pattern, mixed, reached, {}) is None


def _aeg_games(n: int, seed: int) -> list:
    model = dt.load_model("asymmetric_escalation")
    sample = kernels.domain_sample(model, n, seed=seed)
    return [model.game(**{k: float(v[i]) for k, v in sample.items()}) for i in range(n)]


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_linear_route_gives_the_generic_roots_and_notes(monkeypatch, policy):
    """Each system the solve hands the exact stage is solved both ways: the generic route alone
    (``linear=None``), then with the linear route the solver passes."""
    monkeypatch.setattr(_pbe_multilinear, "REPEATS_KEPT", False)
    float_route_off(monkeypatch)  # (else it decides most of the systems this route would)
    solve = pbe._solve_multilinear
    decided = {"roots": 0, "empty": 0}

    def both(ctx, pattern, mixed, combos, values, names, exact, screened=(), linear=None):
        told = len(ctx.continua)
        generic = solve(ctx, pattern, mixed, combos, values, names, exact, screened)
        notes = ctx.continua[told:]
        del ctx.continua[told:]
        answered = []

        def spied():
            out = linear()
            answered.append(out)
            return out

        got = solve(ctx, pattern, mixed, combos, values, names, exact, screened,
                    linear=None if linear is None else spied)
        assert ctx.continua[told:] == notes
        assert len(got) == len(generic)
        for p, q in zip(got, generic, strict=True):
            assert all(np.allclose(a, b, rtol=0, atol=1e-12) for a, b in zip(p, q, strict=True))
        if answered and answered[0] is not None:
            assert not notes
            decided["roots" if got else "empty"] += 1
        return got

    monkeypatch.setattr(pbe, "_solve_multilinear", both)
    for game in _aeg_games(3, 5):
        dt.solve(game, "pbe", belief_policy=policy)
    assert decided["roots"] > 0 and decided["empty"] > 0


def _sympy_solution(rows: list[list[int]], d: int):
    a = sympy.Matrix([r[:d] for r in rows])
    c = sympy.Matrix([-r[d] for r in rows])
    aug = a.row_join(c)
    if aug.rank() > a.rank():
        return False
    if a.rank() < d:
        return True
    sol, _ = a.gauss_jordan_solve(c)
    return [sympy.Rational(x) for x in sol]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4).flatmap(lambda d: st.tuples(st.just(d), st.lists(
    st.lists(st.integers(-3, 3), min_size=d + 1, max_size=d + 1), min_size=1, max_size=5))))
def test_exact_linear_solve_agrees_with_sympy(case):
    d, rows = case
    got = _pbe_typed_linear._solved([list(r) for r in rows], d)
    want = _sympy_solution(rows, d)
    if isinstance(want, bool):
        assert got is want
    else:
        assert [sympy.Rational(x, got[-1]) for x in got[:-1]] == want


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.integers(-3, 3), st.integers(-10**40, 10**40)),
                          st.one_of(st.integers(-3, 3), st.integers(-10**40, 10**40))), max_size=5),
       st.booleans())
def test_one_unknown_solve_agrees_with_sympy(rows, consistent):
    """The closed form for one unknown (``_solved_one``, which ``_solved`` takes for ``d = 1``):
    the unique solution, none, or many, as sympy finds them; ``consistent`` makes the rows
    multiples of the first (a solution, unless every coefficient is 0)."""
    rows = [list(r) for r in rows]
    if consistent and rows:
        a, c = rows[0]
        rows = [[a * m, c * m] for m in (r[0] % 5 - 2 for r in rows)]
    want = _sympy_solution(rows, 1) if rows else True
    for got in (_pbe_typed_linear._solved_one([list(r) for r in rows]),
                _pbe_typed_linear._solved([list(r) for r in rows], 1)):
        if isinstance(want, bool):
            assert got is want
        else:
            assert [sympy.Rational(got[0], got[1])] == want


def test_a_patterns_systems_are_worked_out_once(monkeypatch):
    """The plans and rows of a pattern's systems are kept by pattern (``_systems``): a second
    point builds no rows for the patterns the first one had, and the kept systems give the roots
    that systems worked out afresh give."""
    games = _aeg_games(2, 8)
    built = []
    terms = _pbe_typed_linear._system_terms
    monkeypatch.setattr(_pbe_typed_linear, "_system_terms", lambda *a: built.append(tuple(a[1])) or terms(*a))
    dt.solve(games[0], "pbe", belief_policy="d1")
    first = set(built)
    assert first
    del built[:]
    dt.solve(games[1], "pbe", belief_policy="d1")
    assert not set(built) & first
    tables = _pbe_typed_linear._tables(games[1])
    kept = dict(tables.systems)
    ctx = solver_context(games[1], "d1")
    for pattern, mixed in list(kept)[:60]:
        on_path = np.ones(len(pattern), dtype=bool)
        tables.systems.clear()
        fresh = _pbe_typed_linear.typed_roots(ctx, pattern, list(mixed), on_path, {})
        tables.systems.update(kept)
        again = _pbe_typed_linear.typed_roots(ctx, pattern, list(mixed), on_path, {})
        assert repr(fresh) == repr(again)
