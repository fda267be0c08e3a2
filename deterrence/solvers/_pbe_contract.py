"""A box-contraction screen for the PBE solver's multilinear indifference systems.

Before a support pattern's system goes to sympy (:mod:`deterrence.solvers._pbe_multilinear`),
:func:`box_may_vanish` tries to prove that it has no root in the box ``[1e-10, 1 − 1e-10]^k``
of its unknowns, the box the grid screen (``_grid_may_vanish``) covers. A multilinear ``f`` is
affine in each unknown ``x_i``: on a sub-box ``B`` with ``x_i = l + t (u − l)``,

    ``f = (1 − t) f(l, y) + t f(u, y)``, with ``f(l, y)`` between ``a_min`` and ``a_max`` and
    ``f(u, y)`` between ``b_min`` and ``b_max``, the extremes of ``f`` at the corners of ``B``
    with ``x_i = l`` (resp. ``u``),

so a root in ``B`` needs ``(1 − t) a_min + t b_min <= eps`` and ``(1 − t) a_max + t b_max >= −eps``:
an interval of ``t``. Each equation and unknown shrinks the box to that interval (intervals
widened by ``1e-9`` of the box against rounding, ``eps`` the grid screen's ``1e-13`` of the
largest value); an empty interval proves the system has no root in ``B``. Boxes that stop
shrinking are cut in two across their widest side (off the middle, like the grid's ticks) up
to :data:`MAX_BOXES` boxes. Systems whose conditions pin some unknowns and contradict each
other across them (``x = 0.20`` from one condition and ``x · (x − 0.26) = 0`` from another on
the open box) are settled here without a Gröbner basis; the screen never rules out a box
that holds a root. It runs compiled whole (:func:`box_verdict`, which the compiled float screens
of :mod:`deterrence.solvers._pbe_prescreen` call too); the corner values of each box are numpy's
matrix product, which numba hands to the BLAS as numpy does.
"""

from __future__ import annotations

import numpy as np

from .._jit import njit
from ._pbe_context import _INTERIOR

#: boxes examined at most before the screen gives up (the system then goes to sympy)
MAX_BOXES = 4
#: contraction rounds per box
ROUNDS = 6
#: where a box is cut, as a share of its widest side
_CUT = 0.5137


def box_may_vanish(values: np.ndarray | list[list[float]], k: int) -> bool:
    """False if the multilinear system certainly has no root with every unknown in
    ``[1e-10, 1 − 1e-10]``.

    Parameters
    ----------
    values
        Per equation, its values at the ``2^k`` corners of the unit box, in
        ``itertools.product((0, 1), repeat=k)`` order.
    k
        The number of unknowns.
    """
    f = np.ascontiguousarray(np.asarray(values, dtype=float).reshape(-1, 2**k))
    return bool(box_verdict(f, k))


@njit
def box_verdict(f: np.ndarray, k: int) -> bool:
    """:func:`box_may_vanish` on ``f`` (C-contiguous, ``(equations, 2^k)``), compiled (callable from
    other kernels): the boxes are examined last in, first out, each cut box's upper part first.

    The verdict is ``True`` as soon as a box is taken out past the :data:`MAX_BOXES`-th; so once as
    many boxes wait as remain to be examined after the one just taken out, it is ``True`` whatever
    that box and the next ones give (examining a box leaves one fewer waiting at worst, when it
    holds no root), and it is returned without examining them."""
    eps = 1e-13 * max(1.0, np.abs(f).max())
    lo_of = np.empty((MAX_BOXES + 2, k))
    hi_of = np.empty((MAX_BOXES + 2, k))
    lo_of[0, :], hi_of[0, :] = _INTERIOR, 1 - _INTERIOR
    t = np.empty((2, k))
    top, seen = 1, 0
    while top > 0:
        top -= 1
        lo, hi = lo_of[top].copy(), hi_of[top].copy()
        seen += 1
        if top >= MAX_BOXES + 1 - seen:
            return True  # boxes enough left to reach the last one, whatever this one gives
        if not _contract_in(f, lo, hi, eps, t):
            continue
        axis = np.argmax(hi - lo)  # the first widest side, as numpy's argmax
        cut = lo[axis] + _CUT * (hi[axis] - lo[axis])
        lo_of[top], hi_of[top] = lo, hi
        hi_of[top, axis] = cut
        lo_of[top + 1], hi_of[top + 1] = lo, hi
        lo_of[top + 1, axis] = cut
        top += 2
    return False


@njit
def _contract(f: np.ndarray, lo: np.ndarray, hi: np.ndarray, eps: float) -> bool:
    """Shrink ``[lo, hi]`` (in place) to where a root may lie; False if nowhere
    (:func:`_contract_in` with its own work array)."""
    return _contract_in(f, lo, hi, eps, np.empty((2, lo.shape[0])))


@njit
def _contract_in(f: np.ndarray, lo: np.ndarray, hi: np.ndarray, eps: float, t: np.ndarray) -> bool:
    """:func:`_contract` with a work array for the feasible ``t`` (``(2, k)``). Every unknown is
    contracted on the bounds of the same round (valid: they hold on the smaller box too). The
    values at the box's corners are the matrix product ``f @ _kronecker(lo, hi).T``, which numba
    hands to the BLAS as numpy does (the same numbers, to the bit: ``tests/test_pbe_multilinear.py``
    compares them with numpy's product)."""
    for _ in range(ROUNDS):
        status = _shrink_in(f @ _kronecker(lo, hi).T, lo, hi, eps, t)
        if status == _EMPTY:
            return False
        if status == _STALLED:
            break
    return True


_EMPTY, _STALLED, _SHRUNK = 0, 1, 2


@njit
def _kronecker(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The map from the values at the unit box's corners to those at the corners of ``[lo, hi]``
    (multilinear interpolation): the Kronecker product of one 2 x 2 map
    ``[[1 − lo_i, lo_i], [1 − hi_i, hi_i]]`` per unknown, built left to right (each entry the
    product of one entry per map, in unknown order, as ``np.kron`` forms it), ``(2^k, 2^k)``."""
    m = np.ones((1, 1))
    for i in range(lo.shape[0]):
        q = ((1 - lo[i], lo[i]), (1 - hi[i], hi[i]))
        n = m.shape[0]
        out = np.empty((2 * n, 2 * n))
        for r in range(n):
            for c in range(n):
                for a in range(2):
                    for b in range(2):
                        out[2 * r + a, 2 * c + b] = m[r, c] * q[a][b]
        m = out
    return m


@njit
def _shrink(g: np.ndarray, lo: np.ndarray, hi: np.ndarray, eps: float) -> int:
    """One contraction round (:func:`_shrink_in` with its own work array)."""
    return _shrink_in(g, lo, hi, eps, np.empty((2, lo.shape[0])))


@njit
def _shrink_in(g: np.ndarray, lo: np.ndarray, hi: np.ndarray, eps: float, t: np.ndarray) -> int:
    """One contraction round on the box ``[lo, hi]`` (shrunk in place) from the equations' values
    ``g`` at its corners, ``(equations, 2^k)``: :data:`_EMPTY` if no unknown has a feasible ``t``
    (no root in the box), :data:`_STALLED` if no side shrank by a tenth, else :data:`_SHRUNK`.

    Per unknown ``x_i``, the feasible ``t`` of every equation (:func:`_feasible_t`, rows of
    ``t``), unknown by unknown up to the first with none (the box is then left as it is); then
    the new ends ``lo + max(0, t0 − 1e-9) · (hi − lo)`` and ``lo + min(1, t1 + 1e-9) · (hi − lo)``,
    kept where they shrink the box.
    """
    k = lo.shape[0]
    for i in range(k):
        t[0, i], t[1, i] = _feasible_t(g, k, i, eps)
        if t[0, i] > t[1, i]:
            return _EMPTY
    stalled = True
    for i in range(k):
        before = hi[i] - lo[i]
        new_lo = lo[i] + max(0.0, t[0, i] - 1e-9) * before
        new_hi = lo[i] + min(1.0, t[1, i] + 1e-9) * before
        lo[i] = max(lo[i], new_lo)
        hi[i] = min(hi[i], new_hi)
        if not hi[i] - lo[i] > 0.9 * before:
            stalled = False
    return _STALLED if stalled else _SHRUNK


@njit
def _feasible_t(g: np.ndarray, k: int, i: int, eps: float) -> tuple[float, float]:
    """The ``t`` in ``[0, 1]`` (``t0 <= t <= t1``; none where ``t0 > t1``) of unknown ``x_i`` with
    ``(1 − t) a_min + t b_min <= eps`` and ``(1 − t) a_max + t b_max >= −eps`` for every equation
    (rows of ``g``; ``a_min``, ``a_max`` (``b_min``, ``b_max``) the extremes of its values at the
    corners with ``x_i`` at its lower (upper) end, the bit of weight ``2^(k−1−i)`` clear (set),
    each taken over those corners in their order): each is ``c + t s <= 0``, an upper bound
    ``−c / s`` on ``t`` where ``s > 0``, a lower one where ``s < 0``, none where ``s = 0 < c``
    (the first inequality's bounds over the equations first, then the second's)."""
    bit = 1 << (k - 1 - i)
    n_c = g.shape[1]
    upper0, lower0, never0 = np.inf, -np.inf, False
    upper1, lower1, never1 = np.inf, -np.inf, False
    for e in range(g.shape[0]):
        amin = bmin = np.inf
        amax = bmax = -np.inf
        for base in range(0, n_c, 2 * bit):
            for j in range(base, base + bit):
                x = g[e, j]
                amin = min(amin, x)
                amax = max(amax, x)
            for j in range(base + bit, base + 2 * bit):
                x = g[e, j]
                bmin = min(bmin, x)
                bmax = max(bmax, x)
        lower0, upper0, never0 = _bounded(bmin - amin, amin - eps, lower0, upper0, never0)
        lower1, upper1, never1 = _bounded(-(bmax - amax), -(amax + eps), lower1, upper1, never1)
    t0, t1 = max(0.0, lower0), min(1.0, upper0)
    if never0:
        t0, t1 = 1.0, 0.0
    t0, t1 = max(t0, lower1), min(t1, upper1)
    if never1:
        t0, t1 = 1.0, 0.0
    return t0, t1


@njit(inline=True)
def _bounded(s: float, c: float, lower: float, upper: float, never: bool) -> tuple[float, float, bool]:
    """``(lower, upper, never)`` with the bound on ``t`` of ``c + t s <= 0`` added: an upper bound
    ``−c / s`` where ``s > 0``, a lower one where ``s < 0``, none at all (``never``) where
    ``s = 0 < c``."""
    if s > 0:
        upper = min(upper, -c / s)
    elif s < 0:
        lower = max(lower, -c / s)
    elif c > 0:
        never = True
    return lower, upper, never
