"""Recipe certificates (:mod:`deterrence.kernels._recipes`): discovery accepts only structural
cancellations, and the per-point check never rules out a system with a root inside the box.

The synthetic systems have two unknowns ``x, y`` (columns: the monomials ``1, y, x, xy`` in the
per-point solver's product order, exponents ``(x, y)``) and entries that are rational functions
of parameters ``t``; exact coefficients are ``Fraction``s, the float ones their rounding, with an
error bound of one unit in the last place."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from deterrence.kernels import _recipes as R

MONOMIALS = [(0, 0), (0, 1), (1, 0), (1, 1)]   # columns 1, y, x, xy


def _structural(t: list[Fraction], survivor_values=None, third: bool = True) -> list[list[Fraction]]:
    """Three equations; rows 0 and 1 are proportional on columns 0 (1) and 2 (x) for every ``t``
    (``alpha g`` and ``beta g``), and on the survivors 1 (y) and 3 (xy) their combination
    ``beta row0 - alpha row1`` is ``survivor_values(t)`` (default ``(t0^2 + 1, t1^2)``, both > 0).
    Without the ``third`` equation (a zero row) no combination of three rows can settle it."""
    t0, t1, t2, t3 = t
    g = [t0, t1 - t2]
    alpha, beta = t0 + 3, t1 * t2 - 2
    target = survivor_values(t) if survivor_values else [t0 * t0 + 1, t1 * t1]
    row0 = [alpha * g[0], t3, alpha * g[1], t0 * t1]
    row1 = [beta * g[0], (beta * row0[1] - target[0]) / alpha,
            beta * g[1], (beta * row0[3] - target[1]) / alpha]
    row2 = [t2 - 1, t0 + t3, t1, -t3] if third else [Fraction(0)] * 4
    return [row0, row1, row2]


def _random_t(rng: np.random.Generator) -> list[Fraction]:
    """Parameters: random rationals in (1/2, 5/2) with denominators up to 2**30 (nonzero g0, alpha)."""
    return [Fraction(int(rng.integers(2**29, 5 * 2**29)), 2**30) for _ in range(4)]


def _floats(matrix: list[list[Fraction]]) -> tuple[np.ndarray, np.ndarray]:
    """Rounded coefficients and a bound on the rounding: ``|exact - float| <= err``."""
    f = np.array([[float(x) for x in row] for row in matrix])
    return f, np.spacing(np.abs(f))


def _discovered(rng: np.random.Generator) -> R.Recipe:
    probes = [_structural(_random_t(rng), third=False) for _ in range(4)]
    found = R.discover_recipes(probes, lambda r: _structural(_random_t(r), third=False), rng)
    assert all(found.settled)
    assert len(found.recipes) == 1
    return found.recipes[0]


def test_every_accepted_recipe_cancels_at_fresh_points():
    """Whatever discovery accepts (with the third equation, generic 3-row recipes too) cancels
    exactly off its survivors at 20 fresh parameter points."""
    rng = np.random.default_rng(6)
    probes = [_structural(_random_t(rng)) for _ in range(6)]
    found = R.discover_recipes(probes, lambda r: _structural(_random_t(r)), rng)
    assert found.recipes
    assert all(_cancels_identically(recipe, lambda r: _structural(_random_t(r)), rng)
               for recipe in found.recipes)


def _cancels_identically(recipe: R.Recipe, draw, rng: np.random.Generator) -> bool:
    """The recipe's combination is exactly 0 off its survivors at 20 fresh parameter points."""
    keep = set(recipe.survivors) | set(recipe.pivots)
    return all(not any(x for j, x in enumerate(R.exact_combination(recipe, draw(rng))) if j not in keep)
               for _ in range(20))


def test_discovery_finds_the_structural_cancellation():
    recipe = _discovered(np.random.default_rng(1))
    assert recipe.rows == (0, 1)
    assert set(recipe.survivors) == {1, 3}
    assert R.verify_structure(recipe, lambda r: _structural(_random_t(r)), np.random.default_rng(2))


def test_structural_recipe_rules_out_at_new_points():
    rng = np.random.default_rng(3)
    recipe = _discovered(rng)
    exact = [_structural(_random_t(rng)) for _ in range(50)]
    coef, err = map(np.stack, zip(*(_floats(m) for m in exact), strict=True))
    assert (R.check_points([recipe], coef, err) == R.RULED_OUT).all()
    assert all(R.rules_out_exactly(recipe, m) for m in exact)


def test_non_structural_cancellation_is_rejected_at_build_time():
    """At the probe point t* the rows are proportional off the survivors by accident (a term
    ``(t0 - t0*) h`` that vanishes there): the recipe holds at t*, but not identically."""
    rng = np.random.default_rng(4)
    star = _random_t(rng)

    def accidental(t: list[Fraction]) -> list[list[Fraction]]:
        m = _structural(t, third=False)
        m[1][2] += (t[0] - star[0]) * (t[3] + 1)
        return m

    probe = accidental(star)
    assert R.rules_out_exactly(_recipe(), probe)
    draw = lambda r: accidental(_random_t(r))  # noqa: E731
    assert not R.verify_structure(_recipe(), draw, rng)
    found = R.discover_recipes([probe] + [draw(rng) for _ in range(4)], draw, rng)
    assert _recipe() not in found.recipes
    assert all(_cancels_identically(recipe, draw, rng) for recipe in found.recipes)


def test_a_float_near_cancellation_is_not_accepted_either():
    """Proportional to 1e-17 (below float resolution) but not exactly: rejected."""
    rng = np.random.default_rng(5)

    def near(t: list[Fraction]) -> list[list[Fraction]]:
        m = _structural(t, third=False)
        m[1][2] += Fraction(1, 10**17)
        return m

    draw = lambda r: near(_random_t(r))  # noqa: E731
    coef, err = _floats(draw(rng))
    assert R.check_points([_recipe()], coef[None], err[None])[0] == R.RULED_OUT   # floats can't tell
    assert not R.verify_structure(_recipe(), draw, rng)
    found = R.discover_recipes([draw(rng) for _ in range(4)], draw, rng)
    assert _recipe() not in found.recipes
    assert all(_cancels_identically(recipe, draw, rng) for recipe in found.recipes)


def _recipe() -> R.Recipe:
    return R.Recipe(rows=(0, 1), pivots=(0,), survivors=(1, 3))


def test_knife_edge_survivor_is_unknown():
    """A survivor of exact value 0, or 1e-300 (positive but below its bound): never ruled out."""
    t = [Fraction(3, 4), Fraction(5, 4), Fraction(7, 8), Fraction(9, 8)]
    for tiny in (Fraction(0), Fraction(1, 10**300), Fraction(-1, 10**300)):
        exact = _structural(t, lambda s, tiny=tiny: [tiny, s[1] * s[1]])
        coef, err = _floats(exact)
        assert R.check_points([_recipe()], coef[None], err[None])[0] == R.UNKNOWN


def test_vanishing_multipliers_and_bad_numbers_are_unknown():
    t = [Fraction(0), Fraction(5, 4), Fraction(7, 8), Fraction(9, 8)]   # g0 = t0 = 0: lambda = 0
    coef, err = _floats(_structural(t))
    assert R.check_points([_recipe()], coef[None], err[None])[0] == R.UNKNOWN
    coef, err = _floats(_structural([Fraction(3, 4), *t[1:]]))
    assert R.check_points([_recipe()], coef[None], err[None])[0] == R.RULED_OUT
    for bad in (np.nan, np.inf):
        broken = coef.copy()
        broken[1, 1] = bad
        assert R.check_points([_recipe()], broken[None], err[None])[0] == R.UNKNOWN
    assert R.check_points([_recipe()], coef[None], 1e3 * np.abs(coef)[None])[0] == R.UNKNOWN


def test_a_broken_structural_claim_is_caught_by_the_residuals():
    """A recipe whose cancelled columns do not cancel at the point: UNKNOWN."""
    t = [Fraction(3, 4), Fraction(5, 4), Fraction(7, 8), Fraction(9, 8)]
    exact = _structural(t)
    exact[1][2] += Fraction(1, 1000)
    coef, err = _floats(exact)
    assert R.check_points([_recipe()], coef[None], err[None])[0] == R.UNKNOWN


_coordinate = st.one_of(st.fractions(Fraction(1, 10**6), Fraction(999999, 10**6)),
                        st.sampled_from([Fraction(1, 10**15), Fraction(10**15 - 1, 10**15)]))
_entry = st.fractions(Fraction(-5), Fraction(5), max_denominator=10**6)


@settings(max_examples=300, deadline=None)
@given(x=_coordinate, y=_coordinate, t=st.lists(st.fractions(Fraction(1, 2), Fraction(5, 2),
                                                             max_denominator=10**4),
                                                 min_size=4, max_size=4),
       s=st.lists(_entry, min_size=2, max_size=2))
def test_never_ruled_out_with_a_root_in_the_box(x, y, t, s):
    """Systems with the structural cancellation and a chosen root ``(x, y)`` inside the box: each
    equation's ``y`` coefficient (a survivor) is shifted so that it vanishes there. The
    combination ``c_y y + c_xy xy`` then vanishes at the root, so it is never of one sign; the
    survivors start at the knife edge ``c_y y + c_xy xy = 0`` (``s``) or near it."""
    s1 = s[1] if s[1] else Fraction(1)
    exact = _structural(t, lambda _t: [-s1 * x, s1])   # s0 y + s1 x y = 0 at the root
    root = [x**a * y**b for a, b in MONOMIALS]
    for row in exact:   # put the root on row 0 and row 2 by their survivor column y
        row[1] -= sum(c * m for c, m in zip(row, root, strict=True)) / y
    assert all(sum(c * m for c, m in zip(row, root, strict=True)) == 0 for row in exact)
    coef, err = _floats(exact)
    assert R.check_points([_recipe()], coef[None], err[None])[0] == R.UNKNOWN
