"""The closed-form solver of the PBE guard's systems (deterrence.kernels._closedform), against
exact solutions (sympy, rational coefficients) and constructed roots."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from deterrence.errors import SolverError
from deterrence.kernels import _closedform as CF
from deterrence.kernels._systems import CLOSED, CURVE, classify
from deterrence.solvers._pbe_exact import _polynomial_plan

EDGE = 1e-7


def _blocks(pattern: np.ndarray, monos: np.ndarray) -> tuple[list, list]:
    """The blocks and unmatched equations of a CLOSED system (:func:`classify`)."""
    kind, blocks, unmatched, _ = classify(pattern, [tuple(m) for m in monos], monos.shape[1])
    assert kind == CLOSED
    return [(b.equations, b.unknowns) for b in blocks], list(unmatched)


def layout(shapes: tuple[int, ...]) -> tuple[np.ndarray, list[list[int]]]:
    """The per-point solver's monomials and the groups for sets with these support sizes."""
    _, monos = _polynomial_plan(shapes)
    offsets = list(itertools.accumulate((m - 1 for m in shapes), initial=0))
    groups = [list(range(offsets[i], offsets[i + 1])) for i in range(len(shapes))]
    return np.array([m for _, m in monos]), groups


def exact_roots_in_box(coef: np.ndarray, monos: np.ndarray, groups: list[list[int]]) -> list[tuple] | None:
    """Exact roots strictly inside the open box (None: not finitely many)."""
    xs = sympy.symbols(f"x0:{monos.shape[1]}")
    eqs = [sum(sympy.Rational(int(c)) * sympy.Mul(*[xs[u] for u in np.flatnonzero(m)])
               for c, m in zip(row, monos, strict=True)) for row in coef]
    sols = sympy.solve(eqs, xs, dict=True)
    out = []
    for sol in sols:
        if len(sol) < len(xs) or any(not v.is_real for v in sol.values()):
            if len(sol) < len(xs):
                return None
            continue
        pt = tuple(float(sol[x]) for x in xs)
        if all(v > 0 for v in pt) and all(sum(pt[u] for u in g) < 1 for g in groups):
            out.append(pt)
    return out


def near_face(pt: tuple, groups: list[list[int]], margin: float) -> bool:
    return min(pt) < margin or any(1 - sum(pt[u] for u in g) < margin for g in groups)


def check_against_exact(coef, monos, groups, blocks, unmatched) -> str:
    plan = CF.closed_form_plan(coef != 0, monos, groups, blocks, unmatched)
    result = CF.solve_closed_form(coef.astype(float), 0.0, plan)
    exact = exact_roots_in_box(coef, monos, groups)
    if result.verdict == CF.UNSURE:
        return "unsure"
    assert exact is not None, "a curve of roots must not be decided"
    if result.verdict == CF.NO_ROOT:
        assert exact == [], (exact, coef)
        return "none"
    assert len(result.roots) == len(exact)
    for pt in exact:
        assert not near_face(pt, groups, EDGE)
        hits = [k for k in range(len(result.roots))
                if np.all(np.abs(result.roots[k] - pt) <= result.radii[k] + 1e-12)]
        assert len(hits) == 1, (pt, result.roots, result.radii)
    return "roots"


def test_bilinear_pairs_against_sympy():
    """Random integer bilinear pairs in two binary sets: verdicts and roots as sympy's."""
    monos, groups = layout((2, 2))  # columns: 1, x1, x0, x0 x1
    rng = np.random.default_rng(3)
    counts = {"unsure": 0, "none": 0, "roots": 0}
    for _ in range(150):
        coef = rng.integers(-9, 10, size=(2, 4))
        coef[coef == 0] = 1
        counts[check_against_exact(coef, monos, groups, [((0, 1), (0, 1))], [])] += 1
    assert counts["roots"] > 10 and counts["none"] > 10
    # knife edges only: small integers often give a root exactly on a face (a factor 1 - x0)
    assert counts["unsure"] <= 8, counts


def test_chains_against_sympy():
    """1x1 block, then a bilinear 2x2 block depending on it, then a 1x1 block, in three binary
    sets and a ternary one (a same-set linear block): compared with sympy."""
    monos, groups = layout((2, 2, 3))  # x0 | x1 | x2, x3
    rng = np.random.default_rng(5)
    counts = {"unsure": 0, "none": 0, "roots": 0}
    n_mono = len(monos)
    uses = [set(np.flatnonzero(m)) for m in monos]
    for _ in range(60):
        coef = np.zeros((4, n_mono), dtype=np.int64)
        # e0, e1: the linear same-set block in x2, x3 (constant and x2, x3 terms)
        for e in (0, 1):
            for j in range(n_mono):
                if uses[j] <= {2, 3}:
                    coef[e, j] = rng.integers(-9, 10) or 1
        # e2, e3: bilinear in x0, x1 with coefficients multilinear in x2, x3
        for e in (2, 3):
            for j in range(n_mono):
                coef[e, j] = rng.integers(-9, 10) or 1
        blocks = [((0, 1), (2, 3)), ((2, 3), (0, 1))]
        counts[check_against_exact(coef, monos, groups, blocks, [])] += 1
    assert counts["roots"] + counts["none"] >= 50, counts


def test_unmatched_equations():
    """An unmatched equation that fails at the root rules it out; one that holds is UNSURE."""
    monos, groups = layout((2, 2))  # 1, x1, x0, x0 x1
    e0 = [-1, 0, 4, 0]  # x0 = 1/4
    e1 = [-2, 4, 0, 0]  # x1 = 1/2
    for e2, verdict in (([1, -1, 1, 0], CF.NO_ROOT), ([-3, 1, 10, 0], CF.UNSURE)):
        coef = np.array([e0, e1, e2], dtype=float)
        plan = CF.closed_form_plan(coef != 0, monos, groups, [((0,), (0,)), ((1,), (1,))], [2])
        assert CF.solve_closed_form(coef, 0.0, plan).verdict == verdict
    plan = CF.closed_form_plan(np.array([e0, e1]) != 0, monos, groups, [((0,), (0,)), ((1,), (1,))], [])
    r = CF.solve_closed_form(np.array([e0, e1], dtype=float), 1e-15, plan)
    assert r.verdict == CF.ROOTS and np.allclose(r.roots, [[0.25, 0.5]])


@pytest.mark.parametrize("e0, why", [
    ([0.0, 0.0, 3.0, 0.0], "edge"),       # x0 = 0 (a structural constant that is 0 here)
    ([-1e-9, 0.0, 1.0, 0.0], "edge"),     # x0 = 1e-9, within the edge
    ([-1.0, 0.0, 1.0 + 1e-9, 0.0], "edge"),  # x0 just below 1
    ([1e-12, 0.0, 1e-12, 0.0], "pivot"),  # the equation vanishes to the margin
])
def test_knife_edges_affine(e0, why):
    monos, groups = layout((2, 2))
    coef = np.array([e0, [-2.0, 4.0, 0.0, 0.0]])
    pattern = np.array([[True, False, True, False], [True, True, False, False]])
    plan = CF.closed_form_plan(pattern, monos, groups, [((0,), (0,)), ((1,), (1,))], [])
    # the first row's scale is tiny in the last case: compare with the other row's error bound
    err = np.where(pattern, 1e-10, 0.0) if why == "pivot" else 1e-16
    r = CF.solve_closed_form(coef, err, plan)
    assert r.verdict == CF.UNSURE, r
    assert why in r.reason


def test_double_root_is_unsure_and_split_roots_are_found():
    """(x0 - 1/2)^2 = 0 as a bilinear pair: x0 x1 - x0/2 ... with x1 = x0: a tangency."""
    monos, groups = layout((2, 2))  # 1, x1, x0, x0 x1
    # e0: x1 - x0 = 0; e1: x0 x1 - x0 + 1/4 + t = 0  ->  x0^2 - x0 + 1/4 + t = 0
    cases = ((0.0, CF.UNSURE, 0), (1e-13, CF.UNSURE, 0), (-0.01, CF.ROOTS, 2), (0.01, CF.NO_ROOT, 0))
    for t, verdict, n in cases:
        coef = np.array([[0.0, 1.0, -1.0, 0.0], [0.25 + t, 0.0, -1.0, 1.0]])
        pattern = np.array([[False, True, True, False], [True, False, True, True]])
        plan = CF.closed_form_plan(pattern, monos, groups, [((0, 1), (0, 1))], [])
        r = CF.solve_closed_form(coef, 1e-16, plan)
        assert r.verdict == verdict, (t, r)
        assert len(r.roots) == n
        if n:
            assert np.allclose(np.sort(r.roots[:, 0]), [0.4, 0.6])


def test_monomial_factor_divided_and_structural_zero_checked():
    """x1 (x0 - 1/2) = 0 is divided by x1 (> 0 in the box); a coefficient outside the pattern
    that is not 0 makes the point UNSURE."""
    monos, groups = layout((2, 2))  # 1, x1, x0, x0 x1
    coef = np.array([[0.0, -0.5, 0.0, 1.0], [-0.25, 1.0, 0.0, 0.0]])
    pattern = coef != 0
    found = _blocks(pattern, monos)
    assert found == ([((0,), (0,)), ((1,), (1,))], [])
    plan = CF.closed_form_plan(pattern, monos, groups, *found)
    r = CF.solve_closed_form(coef, 1e-16, plan)
    assert r.verdict == CF.ROOTS and np.allclose(r.roots, [[0.5, 0.25]])
    bad = coef.copy()
    bad[0, 0] = 1e-20
    assert CF.solve_closed_form(bad, 1e-16, plan).verdict == CF.UNSURE
    many = CF.solve_closed_form(np.stack([coef, bad]), 1e-16, plan)
    assert [m.verdict for m in many] == [CF.ROOTS, CF.UNSURE]


def test_homogeneous_block_root_on_face_is_ruled_out():
    """a x0 + b x1 = 0 twice (different sets, determinant not 0): the only root is 0, on the face."""
    monos, groups = layout((2, 2))
    coef = np.array([[0.0, 0.05, -0.14, 0.0], [0.0, 0.013, -0.046, 0.0]])
    plan = CF.closed_form_plan(coef != 0, monos, groups, [((0, 1), (0, 1))], [])
    assert CF.solve_closed_form(coef, 1e-16, plan).verdict == CF.NO_ROOT


def test_curve_shaped_and_bad_plans():
    monos, groups = layout((2, 2))
    pattern = np.array([[True, True, True, True], [False, False, False, False]])
    assert classify(pattern, [tuple(m) for m in monos], monos.shape[1])[0] == CURVE
    full = np.ones((2, 4), dtype=bool)
    with pytest.raises(SolverError, match="solving order"):
        CF.closed_form_plan(full, monos, groups, [((0,), (0,)), ((1,), (1,))], [])
    with pytest.raises(SolverError, match="equations"):
        CF.closed_form_plan(full, monos, groups, [((0, 1), (0,))], [])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1),
       root=st.tuples(st.floats(0.05, 0.9), st.floats(0.05, 0.9),
                      st.floats(0.05, 0.45), st.floats(0.05, 0.45)))
def test_constructed_roots_are_found(seed, root):
    """A system built to vanish at a chosen point inside the box is never NO_ROOT; every root
    returned satisfies every equation and is inside the box by the edge."""
    monos, groups = layout((2, 2, 3))
    rng = np.random.default_rng(seed)
    coef = rng.uniform(-1, 1, size=(4, len(monos)))
    blocks = [((0, 1), (2, 3)), ((2, 3), (0, 1))]
    uses = [set(np.flatnonzero(m)) for m in monos]
    for e in (0, 1):
        coef[e, [j for j in range(len(monos)) if not uses[j] <= {2, 3}]] = 0.0
    x = np.array(root)
    values = np.array([np.prod(x[list(u)]) for u in uses])
    coef[:, 0] -= coef @ values  # the constant term (column 0) makes ``root`` a root
    plan = CF.closed_form_plan(coef != 0, monos, groups, blocks, [])
    err = 1e-14 * np.abs(coef).max(axis=1, keepdims=True) * (coef != 0)
    r = CF.solve_closed_form(coef, err, plan)
    assert r.verdict != CF.NO_ROOT
    if r.verdict == CF.ROOTS:
        assert any(np.all(np.abs(m - x) <= rad + 1e-9) for m, rad in zip(r.roots, r.radii, strict=True))
        for m, rad in zip(r.roots, r.radii, strict=True):
            assert (m - rad > EDGE).all()
            assert all(np.sum(m[g] + rad[g]) < 1 - EDGE for g in groups)
            vals = coef @ np.array([np.prod(m[list(u)]) for u in uses])
            assert np.all(np.abs(vals) <= 1e-6 * np.abs(coef).sum(axis=1))


def from_terms(monos: np.ndarray, rows: list[dict[tuple[int, ...], float]]) -> np.ndarray:
    """Coefficients from {unknowns of the monomial: coefficient} per equation."""
    index = {tuple(np.flatnonzero(m)): j for j, m in enumerate(monos)}
    coef = np.zeros((len(rows), len(monos)))
    for e, row in enumerate(rows):
        for us, c in row.items():
            coef[e, index[us]] = c
    return coef


@pytest.mark.parametrize("rows, verdict", [
    # 2 x1 - x0 = 0 twice (proportional: the roots lie on the ray x1 = x0 / 2), then
    # x0 x2 + x1 x2 + 3 x0 = t (1.5 x2 + 3): x2 = -2, no root
    ([{(1,): 2, (0,): -1}, {(1,): 4, (0,): -2}, {(0, 2): 1, (1, 2): 1, (0,): 3}], CF.NO_ROOT),
    # ... then 4 x1 x2 - x0 = t (2 x2 - 1): x2 = 1/2, a curve of roots in the box
    ([{(1,): 2, (0,): -1}, {(1,): 4, (0,): -2}, {(1, 2): 4, (0,): -1}], CF.UNSURE),
    # x1 + x0 = 0 twice: the ray x1 = -x0 leaves the box
    ([{(1,): 1, (0,): 1}, {(1,): 2, (0,): 2}, {(1, 2): 4, (0,): -1}], CF.NO_ROOT),
    # a determinant that is not 0: the only root of the block is 0, on the face
    ([{(1,): 2, (0,): -1}, {(1,): 4, (0,): 2}, {(1, 2): 4, (0,): -1}], CF.NO_ROOT),
])
def test_rank_deficient_homogeneous_block(rows, verdict):
    """A homogeneous 2x2 block whose determinant may be 0 puts its unknowns on a ray; later
    equations are divided by the ray's parameter (> 0 in the box)."""
    monos, groups = layout((2, 2, 2))
    coef = from_terms(monos, rows)
    blocks, unmatched = _blocks(coef != 0, monos)
    assert [sorted(b[0]) for b in blocks] == [[0, 1], [2]] and [b[1] for b in blocks] == [(0, 1), (2,)]
    plan = CF.closed_form_plan(coef != 0, monos, groups, blocks, unmatched)
    r = CF.solve_closed_form(coef, 1e-15, plan)
    assert r.verdict == verdict, r
    if verdict == CF.UNSURE:
        assert "ray" in r.reason
