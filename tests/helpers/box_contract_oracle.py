"""The box contraction of :mod:`deterrence.solvers._pbe_contract` as it was before its rounds were
made cheaper (commit 34edbcb): every box examined up to the last, each round's extremes at the
corners tabled for every equation and unknown before the feasible ``t``; the oracle of
``tests/test_pbe_contract_kernel.py``. Compiled here (uncached) with numba; the corner map is the
package's ``_kronecker`` (unchanged, and compared with ``np.kron`` in ``tests/test_pbe_multilinear.py``).
"""

from __future__ import annotations

import numba
import numpy as np

from deterrence.solvers._pbe_context import _INTERIOR
from deterrence.solvers._pbe_contract import _CUT, _EMPTY, _SHRUNK, _STALLED, MAX_BOXES, ROUNDS, _kronecker


@numba.njit(cache=False)
def old_box_verdict(f: np.ndarray, k: int) -> bool:
    """:func:`box_may_vanish` on ``f`` (C-contiguous, ``(equations, 2^k)``), compiled (callable from
    other kernels): the boxes are examined last in, first out, each cut box's upper part first."""
    eps = 1e-13 * max(1.0, np.abs(f).max())
    lo_of = np.empty((MAX_BOXES + 2, k))
    hi_of = np.empty((MAX_BOXES + 2, k))
    lo_of[0, :], hi_of[0, :] = _INTERIOR, 1 - _INTERIOR
    top, seen = 1, 0
    while top > 0:
        top -= 1
        lo, hi = lo_of[top].copy(), hi_of[top].copy()
        seen += 1
        if seen > MAX_BOXES:
            return True
        if not old_contract(f, lo, hi, eps):
            continue
        axis = np.argmax(hi - lo)  # the first widest side, as numpy's argmax
        cut = lo[axis] + _CUT * (hi[axis] - lo[axis])
        lo_of[top], hi_of[top] = lo, hi
        hi_of[top, axis] = cut
        lo_of[top + 1], hi_of[top + 1] = lo, hi
        lo_of[top + 1, axis] = cut
        top += 2
    return False


@numba.njit(cache=False)
def old_contract(f: np.ndarray, lo: np.ndarray, hi: np.ndarray, eps: float) -> bool:
    """Shrink ``[lo, hi]`` (in place) to where a root may lie; False if nowhere. Every unknown is
    contracted on the bounds of the same round (valid: they hold on the smaller box too). The
    values at the box's corners are the matrix product ``f @ _kronecker(lo, hi).T``, which numba
    hands to the BLAS as numpy does (the same numbers, to the bit: ``tests/test_pbe_multilinear.py``
    compares them with numpy's product)."""
    for _ in range(ROUNDS):
        status = old_shrink(f @ _kronecker(lo, hi).T, lo, hi, eps)
        if status == _EMPTY:
            return False
        if status == _STALLED:
            break
    return True


@numba.njit(cache=False)
def old_shrink(g: np.ndarray, lo: np.ndarray, hi: np.ndarray, eps: float) -> int:
    """One contraction round on the box ``[lo, hi]`` (shrunk in place) from the equations' values
    ``g`` at its corners, ``(equations, 2^k)``: :data:`_EMPTY` if no unknown has a feasible ``t``
    (no root in the box), :data:`_STALLED` if no side shrank by a tenth, else :data:`_SHRUNK`.

    Per unknown ``x_i`` and equation: ``a_min``, ``a_max`` (``b_min``, ``b_max``), the extremes
    at the corners with ``x_i`` at its lower (upper) end; the feasible ``t`` of every equation
    (:func:`_feasible_t`); the new ends ``lo + max(0, t0 − 1e-9) · (hi − lo)`` and
    ``lo + min(1, t1 + 1e-9) · (hi − lo)``, kept where they shrink the box.
    """
    n_e, n_c = g.shape
    k = lo.shape[0]
    amin, amax = np.empty((n_e, k)), np.empty((n_e, k))
    bmin, bmax = np.empty((n_e, k)), np.empty((n_e, k))
    for e in range(n_e):
        for i in range(k):
            bit = 1 << (k - 1 - i)
            amin[e, i] = bmin[e, i] = np.inf
            amax[e, i] = bmax[e, i] = -np.inf
            for j in range(n_c):
                x = g[e, j]
                if j & bit:
                    bmin[e, i] = min(bmin[e, i], x)
                    bmax[e, i] = max(bmax[e, i], x)
                else:
                    amin[e, i] = min(amin[e, i], x)
                    amax[e, i] = max(amax[e, i], x)
    t0, t1 = old_feasible_t(amin, bmin, amax, bmax, eps)
    for i in range(k):
        if t0[i] > t1[i]:
            return _EMPTY
    stalled = True
    for i in range(k):
        before = hi[i] - lo[i]
        new_lo = lo[i] + max(0.0, t0[i] - 1e-9) * before
        new_hi = lo[i] + min(1.0, t1[i] + 1e-9) * before
        lo[i] = max(lo[i], new_lo)
        hi[i] = min(hi[i], new_hi)
        if not hi[i] - lo[i] > 0.9 * before:
            stalled = False
    return _STALLED if stalled else _SHRUNK


@numba.njit(cache=False)
def old_feasible_t(amin: np.ndarray, bmin: np.ndarray, amax: np.ndarray, bmax: np.ndarray, eps: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per unknown, the ``t`` in ``[0, 1]`` with ``(1 − t) amin + t bmin <= eps`` and
    ``(1 − t) amax + t bmax >= −eps`` for every equation (arrays ``(equations, k)``; where
    ``t0 > t1`` there is none): each is ``c + t s <= 0``, an upper bound ``−c / s`` on ``t`` where
    ``s > 0``, a lower one where ``s < 0``, none where ``s = 0 < c``."""
    n_e, k = amin.shape
    t0, t1 = np.zeros(k), np.ones(k)
    for i in range(k):
        for side in range(2):
            upper, lower, never = np.inf, -np.inf, False
            for e in range(n_e):
                if side == 0:
                    s, c = bmin[e, i] - amin[e, i], amin[e, i] - eps
                else:
                    s, c = -(bmax[e, i] - amax[e, i]), -(amax[e, i] + eps)
                if s > 0:
                    upper = min(upper, -c / s)
                elif s < 0:
                    lower = max(lower, -c / s)
                elif c > 0:
                    never = True
            t1[i] = min(t1[i], upper)
            t0[i] = max(t0[i], lower)
            if never:
                t0[i], t1[i] = 1.0, 0.0
    return t0, t1
