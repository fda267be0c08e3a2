"""Every solution in a box of a small multilinear system, by subdivision and the Krawczyk test.

The system is ``F_i(x) = sum_T a[i, T] prod_{j in T} x_j = 0`` for ``i = 0..m-1``, with ``T``
running over the subsets of ``{0..m-1}`` (as bit masks) and ``x`` in a box ``[lo, hi]``. Each
``F_i`` and each partial derivative is multilinear, so its range over a box is exactly the range
of its values at the box's ``2**m`` corners. Boxes whose range of some ``F_i`` excludes 0 hold
no solution; for the others the Krawczyk operator (Krawczyk 1969; Moore 1977)::

    K(X) = c - Y F(c) + (I - Y J(X)) (X - c),     c the midpoint, Y = J(c)^-1,

with ``J(X)`` the interval Jacobian (exact, from the corners), proves a unique solution in the box
when ``K(X)`` lies inside it (Newton then converges to it), and none when ``K(X)`` misses it;
otherwise the box is split along its widest side. A box that is neither proved nor excluded at
width :data:`MIN_WIDTH` holds a singular or non-isolated solution (a continuum: a knife edge of
the model) and is reported as such. The intervals are evaluated in floating point, not with
outward rounding: "proved" means up to rounding.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

MIN_WIDTH = 1e-9
MAX_BOXES = 200_000


@dataclass(frozen=True)
class BoxSolutions:
    """Solutions of a system: ``points`` (proved unique in their box) and ``unresolved``
    (centres of the boxes left at the finest width: singular or non-isolated solutions)."""

    points: np.ndarray
    unresolved: np.ndarray


def _monomials(x: np.ndarray, m: int) -> np.ndarray:
    """``prod_{j in T} x_j`` for every subset ``T`` (bit mask), for each row of ``x``: ``(rows, 2**m)``."""
    out = np.ones((len(x), 1 << m))
    for t in range(1, 1 << m):
        low = t & -t
        j = low.bit_length() - 1
        out[:, t] = out[:, t ^ low] * x[:, j]
    return out


def derivative_coefficients(a: np.ndarray) -> np.ndarray:
    """``d[i, j, T]``: the coefficients of ``dF_i / dx_j`` (``T`` never holds ``j``)."""
    m = a.shape[0]
    d = np.zeros((m, m, 1 << m))
    for j in range(m):
        bit = 1 << j
        for t in range(1 << m):
            if not t & bit:
                d[:, j, t] = a[:, t | bit]
    return d


def _corners(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The ``2**m`` corners of each box: ``(boxes, 2**m, m)``."""
    m = lo.shape[1]
    pick = np.array(list(itertools.product((0, 1), repeat=m)), dtype=bool)
    return np.where(pick[None, :, :], hi[:, None, :], lo[:, None, :])


def _ranges(coef: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Min and max over each box of multilinear functions with coefficients ``coef`` (``(k, 2**m)``)."""
    b, m = lo.shape
    corners = _corners(lo, hi).reshape(-1, m)
    values = (_monomials(corners, m) @ coef.T).reshape(b, 1 << m, -1)
    return values.min(axis=1), values.max(axis=1)


def solve_multilinear(a: np.ndarray, lo: np.ndarray, hi: np.ndarray, tol: float = 1e-12) -> BoxSolutions:
    """Every solution of ``F(x) = 0`` in the box ``[lo, hi]`` (see the module docstring).

    Parameters
    ----------
    a
        ``(m, 2**m)`` coefficients.
    lo, hi
        The box (length ``m``).
    tol
        Values within ``tol`` of zero count as zero when excluding boxes.
    """
    a = np.asarray(a, dtype=float)
    m = a.shape[0]
    if m == 2:
        return _two(a, np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
    dcoef = derivative_coefficients(a).reshape(m * m, 1 << m)
    boxes_lo = np.asarray(lo, dtype=float)[None, :]
    boxes_hi = np.asarray(hi, dtype=float)[None, :]
    found: list[np.ndarray] = []
    unresolved: list[np.ndarray] = []
    seen = 0
    while len(boxes_lo):
        seen += len(boxes_lo)
        if seen > MAX_BOXES:
            unresolved.extend(0.5 * (boxes_lo + boxes_hi))
            break
        fmin, fmax = _ranges(a, boxes_lo, boxes_hi)
        alive = ~((fmin > tol) | (fmax < -tol)).any(axis=1)
        boxes_lo, boxes_hi = boxes_lo[alive], boxes_hi[alive]
        if not len(boxes_lo):
            break
        proved, excluded, keep = _krawczyk(a, dcoef, boxes_lo, boxes_hi)
        for k in np.flatnonzero(proved):
            found.append(_newton(a, dcoef, boxes_lo[k], boxes_hi[k]))
        rest = keep & ~proved & ~excluded
        lo_r, hi_r = boxes_lo[rest], boxes_hi[rest]
        width = hi_r - lo_r
        small = width.max(axis=1) <= MIN_WIDTH
        unresolved.extend(0.5 * (lo_r[small] + hi_r[small]))
        lo_r, hi_r, width = lo_r[~small], hi_r[~small], width[~small]
        if not len(lo_r):
            break
        axis = width.argmax(axis=1)
        mid = 0.5 * (lo_r[np.arange(len(lo_r)), axis] + hi_r[np.arange(len(lo_r)), axis])
        left_hi = hi_r.copy()
        left_hi[np.arange(len(lo_r)), axis] = mid
        right_lo = lo_r.copy()
        right_lo[np.arange(len(lo_r)), axis] = mid
        boxes_lo = np.concatenate([lo_r, right_lo])
        boxes_hi = np.concatenate([left_hi, hi_r])
    pts = _distinct(np.array(found).reshape(-1, m))
    return BoxSolutions(pts, _distinct(np.array(unresolved).reshape(-1, m), 1e-7))


def _two(a: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> BoxSolutions:
    """Two equations, each linear in the *other* unknown: ``a[0,0] + a[0,2] x1 = 0``,
    ``a[1,0] + a[1,1] x0 = 0`` (bit 0 is ``x0``, bit 1 ``x1``; the other coefficients are 0)."""
    b0, b1 = a[0, 2], a[1, 1]
    if b0 == 0.0 or b1 == 0.0:  # an equation that does not move: no isolated solution
        none = np.zeros((0, 2))
        cont = (b0 == 0.0 and a[0, 0] == 0.0) or (b1 == 0.0 and a[1, 0] == 0.0)
        return BoxSolutions(none, 0.5 * (lo + hi)[None, :] if cont else none)
    x = np.array([-a[1, 0] / b1, -a[0, 0] / b0])
    inside = np.all(x >= lo) and np.all(x <= hi)
    return BoxSolutions(x[None, :] if inside else np.zeros((0, 2)), np.zeros((0, 2)))


def _krawczyk(
    a: np.ndarray, dcoef: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per box: a unique solution proved, no solution proved, and the Jacobian at the centre usable."""
    b, m = lo.shape
    c = 0.5 * (lo + hi)
    r = 0.5 * (hi - lo)
    mono_c = _monomials(c, m)
    fc = mono_c @ a.T
    jc = (mono_c @ dcoef.T).reshape(b, m, m)
    jmin, jmax = _ranges(dcoef, lo, hi)
    jmid = (0.5 * (jmin + jmax)).reshape(b, m, m)
    jrad = (0.5 * (jmax - jmin)).reshape(b, m, m)
    det = np.linalg.det(jc)
    usable = np.abs(det) > 1e-14 * np.maximum(1.0, np.abs(jc).max(axis=(1, 2)) ** m)
    proved = np.zeros(b, dtype=bool)
    excluded = np.zeros(b, dtype=bool)
    if usable.any():
        idx = np.flatnonzero(usable)
        y = np.linalg.inv(jc[idx])
        centre = c[idx] - np.einsum("bij,bj->bi", y, fc[idx])
        eye = np.eye(m)[None]
        spread = np.abs(eye - y @ jmid[idx]) + np.abs(y) @ jrad[idx]
        half = np.einsum("bij,bj->bi", spread, r[idx])
        k_lo, k_hi = centre - half, centre + half
        inside = ((k_lo > lo[idx]) & (k_hi < hi[idx])).all(axis=1)
        apart = ((k_hi < lo[idx]) | (k_lo > hi[idx])).any(axis=1)
        proved[idx] = inside
        excluded[idx] = apart & ~inside
    return proved, excluded, np.ones(b, dtype=bool)


def _newton(a: np.ndarray, dcoef: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    m = len(lo)
    x = 0.5 * (lo + hi)
    for _ in range(60):
        mono = _monomials(x[None], m)
        f = (mono @ a.T)[0]
        jac = (mono @ dcoef.T).reshape(m, m)
        try:
            step = np.linalg.solve(jac, f)
        except np.linalg.LinAlgError:
            break
        x = np.clip(x - step, lo, hi)
        if np.abs(step).max() <= 1e-16 * max(1.0, float(np.abs(x).max())):
            break
    return x


def _distinct(points: np.ndarray, tol: float = 1e-10) -> np.ndarray:
    """Points with near-duplicates (within ``tol`` in every coordinate) removed: a point is kept
    unless an earlier kept point lies within ``tol``.

    Kept points are filed in a grid of cells of side ``2 tol``, so only the ``3**m`` cells next to
    a point's own need searching: linear in the number of points (a continuum subdivided to the
    finest width leaves tens of thousands of box centres).
    """
    width = points.shape[1] if points.ndim == 2 else 0
    out: list[np.ndarray] = []
    cells: dict[tuple[int, ...], list[np.ndarray]] = {}
    steps = list(itertools.product((-1, 0, 1), repeat=width))
    for p in points:
        cell = tuple(int(c) for c in np.floor(p / (2.0 * tol)))
        nearby = (tuple(c + d for c, d in zip(cell, step, strict=True)) for step in steps)
        if not any(np.abs(p - q).max() <= tol for near in nearby for q in cells.get(near, ())):
            out.append(p)
            cells.setdefault(cell, []).append(p)
    return np.array(out).reshape(-1, width)


__all__ = ["MIN_WIDTH", "BoxSolutions", "derivative_coefficients", "solve_multilinear"]
