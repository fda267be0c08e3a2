"""Systems ruled out before the float screens, and the root screen on quotients by monomial factors.

* ``_pbe_pruning.without_monomial_factors``: the exact root screen reads each condition divided by
  the largest monomial dividing all its terms (positive inside the box, so the same interior
  roots). Two Challenger types' conditions after a response, ``x_H · (a − b·y)`` and
  ``x_S · (c − d·y)``, then give the one-term vector ``1`` (no interior root) unless ``a/b = c/d``,
  where the system has roots; the screen must keep those.
* ``pbe._settled_patterns``: the sets of conditions kept in the tree's store (found at earlier
  points) are tested at the point, and the patterns all of whose systems hold one that holds are
  ruled out before the compiled float screens (``_pbe_prescreen``), which skip them. A solve with
  it gives what a solve without it gives, and each system it drops is one the old exact screen (on
  the quotients) rules out.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from helpers.root_memo_oracle import (
    divided_by_monomials,
    old_polynomials,
    old_screen_on_quotients,
    settled_systems,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence import kernels
from deterrence.solvers import _pbe_multilinear, _pbe_prescreen, _pbe_pruning, pbe
from deterrence.solvers._pbe_exact import ExactTree


def _two_types(a: int, b: int, c: int, d: int) -> list[dict[tuple[int, ...], int]]:
    """Unknowns (x_H, x_S, y): ``x_H · (a − b·y)`` and ``x_S · (c − d·y)``."""
    return [{(1, 0, 0): a, (1, 0, 1): -b}, {(0, 1, 0): c, (0, 1, 1): -d}]


# ------------------------------------------------------------------ quotients by monomial factors
def test_monomial_factors_are_divided_out_and_the_conditions_are_not_changed():
    polys = [{(1, 1, 0): 3, (1, 1, 1): -2}, {(0, 0, 0): 1, (1, 0, 0): 2}, {(0, 1, 1): 5}, {}]
    kept = [dict(p) for p in polys]
    out = _pbe_pruning.without_monomial_factors(polys)
    assert out == [{(0, 0, 0): 3, (0, 0, 1): -2}, {(0, 0, 0): 1, (1, 0, 0): 2}, {(0, 0, 0): 5}, {}]
    assert out == divided_by_monomials(polys)
    assert polys == kept
    assert out[1] is polys[1]  # (no factor: the same dictionary)


def test_two_types_fixing_the_defenders_mixture_at_two_values_are_ruled_out():
    """``y = 3/7`` from one type and ``y = 1/2`` from the other: no common root with every unknown
    positive. The old screen (no division) cannot see it: no one-term vector in the span of the
    products."""
    polys = _two_types(3, 7, 2, 4)
    assert _pbe_multilinear._ruled_out(polys)
    assert not _pbe_pruning.no_interior_root(polys)


@pytest.mark.parametrize(("a", "b", "c", "d"), [(3, 7, 6, 14), (1, 2, -1, -2), (2, 5, 2, 5)])
def test_two_types_at_a_point_where_the_ratios_agree_keep_their_roots(a, b, c, d):
    """At a non-generic point (``a/b = c/d``, inside ``(0, 1)``) the system has interior roots
    (``y = a/b``, any ``x_H``, ``x_S``): never ruled out."""
    polys = _two_types(a, b, c, d)
    y = Fraction(a, b)
    for p in polys:
        assert sum(coef * Fraction(1, 3) ** (m[0] + m[1]) * y ** m[2] for m, coef in p.items()) == 0
    assert _pbe_pruning.one_term_mask(_pbe_pruning.without_monomial_factors(polys)) is None
    assert not _pbe_multilinear._ruled_out(polys)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.integers(-4, 4), min_size=8, max_size=8), min_size=1, max_size=4),
       st.lists(st.integers(1, 9), min_size=3, max_size=3),
       st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=4, max_size=4))
def test_the_screen_on_quotients_never_drops_a_planted_interior_root(raw, at, factors):
    """Multilinear equations in three unknowns shifted to vanish at an interior point, each times a
    monomial in two more unknowns (the types' reach, say): never ruled out (the point, with any
    positive values of the two, is a root)."""
    x = [Fraction(v, 10) for v in at]
    monos = [(i, j, k) for i in (0, 1) for j in (0, 1) for k in (0, 1)]
    polys = []
    for c, f in zip(raw, factors, strict=False):
        value = sum(ci * x[0] ** m[0] * x[1] ** m[1] * x[2] ** m[2] for ci, m in zip(c, monos, strict=True))
        coeffs = [Fraction(ci) for ci in c]
        coeffs[0] -= value  # now vanishes at x
        poly = {(*m, *f): int(ci * 1000) for m, ci in zip(monos, coeffs, strict=True) if ci}
        if poly:
            polys.append(poly)
    if polys:
        assert not _pbe_pruning.no_interior_root(_pbe_pruning.without_monomial_factors(polys))
        assert not _pbe_multilinear._ruled_out(polys)


# ------------------------------------------------------------------ patterns settled before the float screens
def _points(n: int, seed: int) -> list[dict[str, float]]:
    m = dt.load_model("asymmetric_escalation")
    return [{k: float(v) for k, v in r.items()} for r in
            pd.DataFrame(kernels.domain_sample(m, n, seed=seed)).to_dict("records")]


def _answer(res) -> tuple:
    return (tuple(res.notes), res.complete, res.degenerate,
            [([np.asarray(s).tolist() for s in e.strategies], e.beliefs, e.label) for e in res.equilibria])


@pytest.mark.parametrize("policy", ["prior", "free", "d1"])
def test_a_solve_that_settles_patterns_early_is_a_solve_that_does_not(monkeypatch, policy):
    """Two points of the AEG after a first that feeds the store: the second solve settles patterns
    before the float screens, each of whose systems the old exact screen (on the quotients) rules
    out, and gives what a solve without it gives."""
    model = dt.load_model("asymmetric_escalation")
    first, *points = _points(3, 31)
    model.game(**first).tree_cache.pop("pbe_one_term_store", None)
    dt.solve(model.game(**first), "pbe", belief_policy=policy)
    settled_patterns = pbe._settled_patterns
    dropped: list[tuple] = []

    def recorded(ctx, chosen, programs, ok, opt_starts, flags):
        out = settled_patterns(ctx, chosen, programs, ok, opt_starts, flags)
        dropped.extend((ctx.game, *system) for system in settled_systems(chosen, programs, ok, opt_starts,
                                                                          flags, out))
        return out

    for point in points:
        monkeypatch.setattr(pbe, "_settled_patterns", recorded)
        early = dt.solve(model.game(**point), "pbe", belief_policy=policy)
        monkeypatch.setattr(pbe, "_settled_patterns", lambda *args: None)
        late = dt.solve(model.game(**point), "pbe", belief_policy=policy)
        monkeypatch.undo()
        assert _answer(early) == _answer(late)
    assert len(dropped) > 50
    for game, pattern, mixed, specs in dropped[::7]:
        assert old_screen_on_quotients(old_polynomials(ExactTree(game), pattern, mixed, specs))


def test_settled_patterns_are_ruled_out_by_the_compiled_pass_unscreened():
    """The compiled pass marks every system of a settled pattern ruled out and screens the others
    as it does without (the inputs of an AEG solve, half its patterns marked settled)."""
    captured = []
    kernel = _pbe_prescreen._prescreen_kernel

    def keep(*args):
        captured.append(args)
        return kernel(*args)

    game = dt.load_model("asymmetric_escalation").game(**_points(1, 5)[0])
    _pbe_prescreen._prescreen_kernel = keep
    try:
        dt.solve(game, "pbe", belief_policy="d1")
    finally:
        _pbe_prescreen._prescreen_kernel = kernel
    args = captured[0]  # (the first pass: the patterns that may hold an isolated equilibrium)
    plain = np.zeros(len(args[1]), dtype=np.bool_)
    marked = plain.copy()
    marked[::2] = True
    v0, s0, c0 = kernel(*args[:-1], plain)
    v1, s1, c1 = kernel(*args[:-1], marked)
    assert np.array_equal(s0, s1) and np.array_equal(c0, c1)
    for i in range(len(plain)):
        got, was = v1[s1[i]:s1[i + 1]], v0[s0[i]:s0[i + 1]]
        assert np.all(got == _pbe_prescreen.RULED_OUT) if marked[i] else np.array_equal(got, was)
    assert np.any(v0[np.repeat(marked, np.diff(s0))] != _pbe_prescreen.RULED_OUT)
