"""The float route of the PBE solver for the balanced patterns of two-player type games
(``_pbe_typed_float``).

* Every pattern the route decides, in solves of AEG points and of random trees of the class (float
  payoffs, small integer payoffs with ties and singular systems, signalling games), is solved again
  by the generic route alone: the same root (to 1e-9) or none, and no notes; a root the generic
  route's vertex tests drop (an action outside the support better at every vertex) is one the
  assessment rejects.
* The route is used: with it the pattern loop solves fewer patterns, and the solves list the same
  equilibria with the same flags and notes as without it.
* A near-singular system (singular but for rounding) is left undecided, and the solution's error
  bound holds the exact solution of the float system.
* A pattern left undecided is not looked at again at the tree's later points.
* Outside the class nothing is decided.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from helpers.exact_systems import float_route_off
from helpers.float_route import compared_routes
from helpers.random_trees import signalling_game
from helpers.samples import points
from helpers.typed_trees import typed_game
from hypothesis import example, given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.solvers import _pbe_typed_float, pbe

POLICIES = ("free", "prior", "d1")


def _aeg_games(n: int, seed: int) -> list:
    model = dt.load_model("asymmetric_escalation")
    return [model.game(**values) for values in points("asymmetric_escalation", n, seed)]


def _assert_agrees(seen) -> None:
    assert not seen.bad, seen.bad[:5]
    assert sum(seen.decided) > 0 and seen.roots + seen.dropped > 0 and seen.empty > 0
    assert all(d <= n for d, n in zip(seen.decided, seen.looked, strict=True))


def test_decided_aeg_patterns_agree_with_the_generic_route(monkeypatch):
    seen = compared_routes(monkeypatch, _aeg_games(3, 17), POLICIES)
    _assert_agrees(seen)
    assert seen.dropped > 0  # (roots that are no PBE, which the assessment rejects)


@pytest.mark.parametrize("games", [
    pytest.param(lambda: [typed_game(s) for s in range(5)], id="typed-float"),
    pytest.param(lambda: [typed_game(s, integer=True) for s in range(5)], id="typed-integer"),
    pytest.param(lambda: [signalling_game(s, 3, 2, 3, payoff_range=9) for s in range(5)], id="signalling"),
])
def test_decided_patterns_of_random_trees_agree_with_the_generic_route(monkeypatch, games):
    seen = compared_routes(monkeypatch, games(), POLICIES)
    _assert_agrees(seen)


def test_integer_trees_leave_singular_systems_undecided(monkeypatch):
    """Small integer payoffs make many balanced systems singular: the route looks at them and leaves
    them to the generic route (which agrees where the route decides)."""
    seen = compared_routes(monkeypatch, [typed_game(s, integer=True) for s in range(5)], ("prior",))
    assert not seen.bad
    assert sum(seen.looked) - sum(seen.decided) > sum(seen.looked) // 2


def _record(result) -> tuple:
    eqs = sorted((tuple(np.round(np.concatenate([np.asarray(s, float) for s in e.strategies]), 9).tolist()),
                  tuple(sorted((h, tuple(sorted((v, round(float(x), 9)) for v, x in d.items())))
                               for h, d in (e.beliefs or {}).items())))
                 for e in result.equilibria)
    return eqs, result.complete, result.degenerate, tuple(result.notes)


def _solves(monkeypatch, games, off: bool) -> tuple[list, int]:
    calls = [0]
    solve = pbe._solve_mixed

    def counted(*args, **kwargs):
        calls[0] += 1
        return solve(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(pbe, "_solve_mixed", counted)
        if off:
            float_route_off(m)
        out = [_record(dt.solve(g, "pbe", belief_policy=p)) for g in games for p in POLICIES]
    return out, calls[0]


def test_route_is_used_and_keeps_the_results(monkeypatch):
    games = [*_aeg_games(2, 23), typed_game(1), signalling_game(2, 3, 2, 3)]
    with_route, fewer = _solves(monkeypatch, games, off=False)
    without, more = _solves(monkeypatch, games, off=True)
    assert with_route == without
    assert fewer < more


def test_near_singular_system_is_left_undecided():
    """The second condition is three times the first (a singular system) with its entries rounded:
    the float matrix is not singular (a plain float solve answers), the route declines."""
    rows = np.array([[0.1, 0.3, 1.0], [0.1 * 3, 0.3 * 3, 2.0]])
    assert np.linalg.det(rows[:, :2]) != 0.0
    assert np.all(np.isfinite(np.linalg.solve(rows[:, :2], -rows[:, 2])))
    inv, y = np.zeros((2, 2)), np.zeros(2)
    assert _pbe_typed_float._solved(2, rows, np.ones(2), 1e-15, inv, y) < 0
    well = np.array([[2.0, 1.0, -1.0], [1.0, 3.0, -2.0]])
    err = _pbe_typed_float._solved(2, well, np.ones(2), 1e-15, inv, y)
    assert 0 <= err < 1e-12
    assert np.allclose(y, [0.2, 0.6], rtol=0, atol=1e-12)


def _exact_solution(rows: np.ndarray, d: int) -> list[Fraction] | None:
    """The solution of ``A y + c = 0`` in exact arithmetic over the floats' rationals (``None`` if
    singular)."""
    m = [[Fraction(float(x)) for x in r[:d]] + [-Fraction(float(r[d]))] for r in rows]
    for c in range(d):
        piv = next((r for r in range(c, d) if m[r][c] != 0), None)
        if piv is None:
            return None
        m[c], m[piv] = m[piv], m[c]
        for r in range(d):
            if r != c and m[r][c] != 0:
                f = m[r][c] / m[c][c]
                m[r] = [a - f * b for a, b in zip(m[r], m[c], strict=True)]
    return [m[r][d] / m[r][r] for r in range(d)]


@settings(max_examples=80, deadline=None)
@example((2, [1.0, 1.0, 0.0, 0.0, 9.173498319041031e-175, 1.0]))  # (a bound that overflows: none)
@example((1, [2.0, 5e-324]))  # (the solution -2.5e-324 underflows: the bound must allow for it)
@example((2, [5e-324, 1.0, 0.0, 5e-324, 1.0, 0.0]))  # (a singular system whose inverse overflows)
@example((2, [0.0, 1.0, 0.0, 5e-324, 1.0, 0.0]))  # (a subnormal pivot: NaN sums must give no bound)
@given(st.integers(1, 4).flatmap(lambda d: st.tuples(st.just(d), st.lists(
    st.floats(-8, 8, allow_nan=False, width=64), min_size=d * (d + 1), max_size=d * (d + 1)))))
def test_error_bound_holds_the_exact_solution(case):
    d, flat = case
    rows = np.array(flat).reshape(d, d + 1)
    inv, y = np.zeros((d, d)), np.zeros(d)
    err = _pbe_typed_float._solved(d, rows, np.zeros(d), 0.0, inv, y)
    exact = _exact_solution(rows, d)
    if err < 0:
        return  # (undecided: nothing claimed)
    assert exact is not None
    assert all(abs(Fraction(float(a)) - b) <= Fraction(err) for a, b in zip(y, exact, strict=True))


def test_outside_the_class_nothing_is_decided(monkeypatch):
    seen = compared_routes(monkeypatch, [dt.load_model("costly_signal_menu").game()], ("prior",))
    assert not seen.bad and sum(seen.decided) == 0


def test_undecided_patterns_are_not_looked_at_again(monkeypatch):
    """At a tree's next point, the route looks only at the patterns it did not leave undecided (the
    rest go the generic way, with the same answers)."""
    games = _aeg_games(2, 29)
    games[0].tree_cache.clear()
    looked, decided = [], []
    rows = _pbe_typed_float._decided_rows

    def counted(ctx, layout, ind, d_max):
        status, beh = rows(ctx, layout, ind, d_max)
        looked.append(len(ind))
        decided.append(int(np.count_nonzero(status != _pbe_typed_float.UNDECIDED)))
        return status, beh

    monkeypatch.setattr(_pbe_typed_float, "_decided_rows", counted)
    first = _record(dt.solve(games[0], "pbe", belief_policy="prior"))
    again = _record(dt.solve(games[0], "pbe", belief_policy="prior"))
    assert first == again
    assert decided[0] < looked[0] and looked[1] == decided[1] == decided[0]
    later = _record(dt.solve(games[1], "pbe", belief_policy="prior"))
    with monkeypatch.context() as m:
        float_route_off(m)
        assert _record(dt.solve(games[1], "pbe", belief_policy="prior")) == later
