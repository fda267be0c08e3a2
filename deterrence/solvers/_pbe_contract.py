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
that holds a root.
"""

from __future__ import annotations

import itertools

import numpy as np

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
    f = np.asarray(values, dtype=float)
    eps = 1e-13 * max(1.0, float(np.abs(f).max()))
    sides = _sides(k)
    boxes = [(np.full(k, _INTERIOR), np.full(k, 1 - _INTERIOR))]
    seen = 0
    while boxes:
        lo, hi = boxes.pop()
        seen += 1
        if seen > MAX_BOXES:
            return True
        if not _contract(f, sides, lo, hi, eps):
            continue
        axis = int(np.argmax(hi - lo))
        cut = lo[axis] + _CUT * (hi[axis] - lo[axis])
        left_hi, right_lo = hi.copy(), lo.copy()
        left_hi[axis], right_lo[axis] = cut, cut
        boxes.extend([(lo.copy(), left_hi), (right_lo, hi.copy())])
    return False


_SIDES: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _sides(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per unknown, the corners (in ``itertools.product`` order) where it is at its lower and at
    its upper end: two ``(k, 2^(k-1))`` index arrays, cached."""
    out = _SIDES.get(k)
    if out is None:
        bits = np.array(list(itertools.product((0, 1), repeat=k)), dtype=bool)  # (2^k, k)
        out = (np.array([np.flatnonzero(~bits[:, i]) for i in range(k)]),
               np.array([np.flatnonzero(bits[:, i]) for i in range(k)]))
        _SIDES[k] = out
    return out


def _corner_values(f: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The equations' values at the corners of the box ``[lo, hi]`` (multilinear interpolation:
    the Kronecker product of one 2 x 2 map ``[[1 − lo_i, lo_i], [1 − hi_i, hi_i]]`` per unknown,
    built left to right), ``(equations, 2^k)``."""
    maps = np.empty((len(lo), 1, 2, 1, 2))
    maps[:, 0, 0, 0, 0], maps[:, 0, 0, 0, 1] = 1 - lo, lo
    maps[:, 0, 1, 0, 0], maps[:, 0, 1, 0, 1] = 1 - hi, hi
    m = np.ones((1, 1))
    for q in maps:
        r, c = m.shape
        m = (m[:, None, :, None] * q).reshape(2 * r, 2 * c)
    return f @ m.T


def _contract(f: np.ndarray, sides: tuple[np.ndarray, np.ndarray], lo: np.ndarray, hi: np.ndarray,
              eps: float) -> bool:
    """Shrink ``[lo, hi]`` (in place) to where a root may lie; False if nowhere. Every unknown is
    contracted on the bounds of the same round (valid: they hold on the smaller box too)."""
    for _ in range(ROUNDS):
        g = _corner_values(f, lo, hi)
        at_lo, at_hi = g[:, sides[0]], g[:, sides[1]]  # (equations, k, 2^(k-1))
        t0, t1 = _feasible_t(at_lo.min(axis=2), at_hi.min(axis=2), at_lo.max(axis=2), at_hi.max(axis=2), eps)
        if np.any(t0 > t1):
            return False
        before = hi - lo
        new_lo = lo + np.maximum(0.0, t0 - 1e-9) * before
        new_hi = lo + np.minimum(1.0, t1 + 1e-9) * before
        np.maximum(lo, new_lo, out=lo)
        np.minimum(hi, new_hi, out=hi)
        if np.all(hi - lo > 0.9 * before):
            break
    return True


def _feasible_t(amin: np.ndarray, bmin: np.ndarray, amax: np.ndarray, bmax: np.ndarray, eps: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per unknown, the ``t`` in ``[0, 1]`` with ``(1 − t) amin + t bmin <= eps`` and
    ``(1 − t) amax + t bmax >= −eps`` for every equation (arrays ``(equations, k)``; where
    ``t0 > t1`` there is none)."""
    t0 = np.zeros(amin.shape[1])
    t1 = np.ones(amin.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        for base, slope, sign in ((amin - eps, bmin - amin, 1.0), (amax + eps, bmax - amax, -1.0)):
            s, c = sign * slope, sign * base  # c + t s <= 0
            never = ((s == 0) & (c > 0)).any(axis=0)
            bound = -c / s
            t1 = np.minimum(t1, np.where(s > 0, bound, np.inf).min(axis=0))
            t0 = np.maximum(t0, np.where(s < 0, bound, -np.inf).max(axis=0))
            t0 = np.where(never, 1.0, t0)
            t1 = np.where(never, 0.0, t1)
    return t0, t1
