"""Lemke's complementary pivoting on a linear system with free variables (shared core, compiled).

This module is a helper, not a registered solver (it has no ``SOLVER``).

The system is ``M v = rhs`` over variables ``v`` of three kinds:

* complementary pairs ``(u, w)``, both ``>= 0`` with ``u * w = 0`` at a solution;
* free variables, which stay basic throughout and never take part in ratio tests
  (the multipliers of equality constraints, as in the sequence-form LCP);
* the artificial variable ``z0 >= 0`` of the covering vector.

The caller supplies a starting basis ``B0`` (one variable of every complementary pair, all
free variables, not ``z0``) that is feasible for all large ``z0`` along the covering ray.
The first pivot brings ``z0`` in at the smallest value that makes the basis feasible;
afterwards the complement of the variable that left enters, until ``z0`` leaves (a
solution) or an entering column has no blocking row (a secondary ray: failure).

Degeneracy is handled by the lexicographic rule relative to the starting basis: the
right-hand side is perturbed to ``rhs + B0 (eps, eps^2, ...)``, so ties in the ratio test
are broken by the rows of ``B^-1 B0``. The inverse is refreshed from scratch every few
dozen pivots to keep rounding errors small. The pivoting loop is compiled with numba when
it is installed (:mod:`deterrence._jit`) and runs as plain Python otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._jit import njit
from ..errors import SolverError

# outcomes of the kernel
_OK, _SINGULAR_START, _INFEASIBLE_START, _SECONDARY_RAY, _PIVOT_LIMIT, _SINGULAR_BASIS = range(6)


@dataclass(frozen=True)
class LemkeResult:
    """Outcome of a run: the values of all variables, the final basis and the pivot count."""

    values: np.ndarray
    basis: tuple[int, ...]
    pivots: int


@njit
def _inverse(a: np.ndarray) -> tuple[np.ndarray, bool]:
    """The inverse of a square matrix by Gauss-Jordan elimination with partial pivoting, and
    whether it exists (False when a pivot is exactly zero, as LAPACK reports)."""
    n = a.shape[0]
    work = a.copy()
    inv = np.eye(n)
    for col in range(n):
        piv = col
        for r in range(col + 1, n):
            if abs(work[r, col]) > abs(work[piv, col]):
                piv = r
        if work[piv, col] == 0.0:
            return inv, False
        if piv != col:
            for c in range(n):
                work[col, c], work[piv, c] = work[piv, c], work[col, c]
                inv[col, c], inv[piv, c] = inv[piv, c], inv[col, c]
        p = work[col, col]
        for c in range(n):
            work[col, c] /= p
            inv[col, c] /= p
        for r in range(n):
            f = work[r, col]
            if r != col and f != 0.0:
                for c in range(n):
                    work[r, c] -= f * work[col, c]
                    inv[r, c] -= f * inv[col, c]
    return inv, True


@njit
def _lexmin(rows: np.ndarray, values: np.ndarray, lex: np.ndarray, col: np.ndarray, rtol: float) -> int:
    """Row minimising ``[values, lex] / col`` lexicographically among ``rows`` (all with col > 0).

    Entries within ``rtol`` (relative to the largest of the column's candidates, at least 1)
    count as equal. Instead of walking the columns one by one, each round jumps to the first
    column in which the remaining candidates differ.
    """
    n_rows = rows.shape[0]
    width = 1 + lex.shape[1]
    table = np.empty((n_rows, width))
    for t in range(n_rows):
        r = rows[t]
        table[t, 0] = values[r] / col[r]
        for j in range(lex.shape[1]):
            table[t, 1 + j] = lex[r, j] / col[r]
    cand = np.arange(n_rows)
    n_cand = n_rows
    start = 0
    while n_cand > 1 and start < width:
        first = -1
        for j in range(start, width):
            scale, low, high = 1.0, np.inf, -np.inf
            for t in range(n_cand):
                v = table[cand[t], j]
                scale, low, high = max(scale, abs(v)), min(low, v), max(high, v)
            if high - low > rtol * scale:
                first = j
                break
        if first < 0:
            break
        kept = 0
        for t in range(n_cand):
            if table[cand[t], first] - low <= rtol * scale:
                cand[kept] = cand[t]
                kept += 1
        n_cand = kept
        start = first + 1
    return rows[cand[0]]


@njit
def _pivot(binv: np.ndarray, values: np.ndarray, lex: np.ndarray, basis: np.ndarray, row: int,
           col: np.ndarray, entering: int) -> int:
    """Bring ``entering`` into the basis at ``row``; returns the column that left."""
    leaving = basis[row]
    piv = col[row]
    size = binv.shape[0]
    for c in range(size):
        binv[row, c] /= piv
        lex[row, c] /= piv
    values[row] /= piv
    for r in range(size):
        f = col[r]
        if r != row and f != 0.0:
            for c in range(size):
                binv[r, c] -= f * binv[row, c]
                lex[r, c] -= f * lex[row, c]
            values[r] -= f * values[row]
    basis[row] = entering
    return leaving


@njit
def _blocking(col: np.ndarray, mask: np.ndarray, threshold: float, sign: float) -> np.ndarray:
    """Rows of the ratio test: restricted rows whose ``sign * col`` exceeds ``threshold``."""
    count = 0
    for r in range(col.shape[0]):
        if mask[r] and sign * col[r] > threshold:
            count += 1
    rows = np.empty(count, dtype=np.int64)
    count = 0
    for r in range(col.shape[0]):
        if mask[r] and sign * col[r] > threshold:
            rows[count] = r
            count += 1
    return rows


@njit
def _lemke_kernel(M: np.ndarray, rhs: np.ndarray, basis: np.ndarray, z0: int, complement: np.ndarray,
                  is_free: np.ndarray, max_pivots: int, refresh: int, tol: float
                  ):
    """The pivoting of :func:`lemke`; returns ``(values, basis, pivots, status)``."""
    size = M.shape[0]
    columns = np.ascontiguousarray(M.T)  # column j of M as a contiguous row (fast products)
    B0 = np.empty((size, size))
    for r in range(size):
        for c in range(size):
            B0[r, c] = M[r, basis[c]]
    binv, ok = _inverse(B0)
    if not ok:
        return np.zeros(M.shape[1]), basis, 0, _SINGULAR_START
    values = binv @ rhs
    lex = np.eye(size)
    mask = np.empty(size, dtype=np.bool_)
    for r in range(size):
        mask[r] = not is_free[basis[r]]
    col = binv @ columns[z0]
    scale = max(1.0, np.abs(values).max())
    colscale = max(1.0, np.abs(col).max())
    negative = False
    for r in range(size):  # on the covering ray every nonnegative basic variable stays nonnegative
        if mask[r] and ((values[r] < -tol * scale and col[r] >= -tol) or col[r] > tol * colscale):
            return values, basis, 0, _INFEASIBLE_START
        negative = negative or (mask[r] and values[r] < -tol * scale)
    if not negative:
        return _result(M, rhs, basis, values, False), basis, 0, _OK
    # z0 must be >= (values_k + perturbation_k) / col_k for every row with col_k < 0: the binding
    # row maximises that, i.e. minimises [values, lex] / |col| lexicographically
    row = _lexmin(_blocking(col, mask, tol, -1.0), values, lex, -col, tol)
    leaving = _pivot(binv, values, lex, basis, row, col, z0)
    pivots = 1
    while leaving != z0:
        if pivots >= max_pivots:
            return values, basis, pivots, _PIVOT_LIMIT
        entering = complement[leaving]
        col = binv @ columns[entering]
        for r in range(size):
            mask[r] = not is_free[basis[r]]
        rows = _blocking(col, mask, tol * max(1.0, np.abs(col).max()), 1.0)
        if rows.shape[0] == 0:
            return values, basis, pivots, _SECONDARY_RAY
        leaving = _pivot(binv, values, lex, basis, _lexmin(rows, values, lex, col, tol), col, entering)
        pivots += 1
        if pivots % refresh == 0:  # the inverse, the values and the perturbation rows afresh
            Bk = np.empty((size, size))
            for r in range(size):
                for c in range(size):
                    Bk[r, c] = M[r, basis[c]]
            binv, ok = _inverse(Bk)
            if not ok:
                return values, basis, pivots, _SINGULAR_BASIS
            values = binv @ rhs
            lex = binv @ B0
    return _result(M, rhs, basis, values, True), basis, pivots, _OK


@njit
def _result(M: np.ndarray, rhs: np.ndarray, basis: np.ndarray, values: np.ndarray, polish: bool
            ) -> np.ndarray:
    """All variables' values (nonbasic 0); ``polish``: basic values by a direct solve."""
    final = values
    if polish:
        size = M.shape[0]
        Bk = np.empty((size, size))
        for r in range(size):
            for c in range(size):
                Bk[r, c] = M[r, basis[c]]
        inv, ok = _inverse(Bk)
        if ok:
            final = inv @ rhs
    out = np.zeros(M.shape[1])
    for r in range(basis.shape[0]):
        out[basis[r]] = final[r]
    return out


_MESSAGES = {
    _SINGULAR_START: "Lemke: the starting basis is singular",
    _INFEASIBLE_START: "Lemke: the starting basis is not feasible on the covering ray",
    _SINGULAR_BASIS: "Lemke: the basis became numerically singular",
}


def lemke(
    M: np.ndarray,
    rhs: np.ndarray,
    basis: Sequence[int],
    z0: int,
    complement: dict[int, int] | np.ndarray,
    free: Sequence[int] = (),
    *,
    max_pivots: int = 100_000,
    refresh: int | None = None,
    tol: float = 1e-10,
) -> LemkeResult:
    """Run Lemke's algorithm from a starting basis on the covering ray.

    Parameters
    ----------
    M, rhs
        The system ``M v = rhs`` (``R`` rows, ``C`` columns).
    basis
        ``R`` column indices: the starting basis ``B0`` (must be nonsingular).
    z0
        Column of the artificial variable (not in ``basis``).
    complement
        Column -> its complementary column, for every nonnegative variable except ``z0``: a
        dict, or an integer array of length ``C`` (entries of ``z0`` and free columns unused).
    free
        Columns of free variables (must be in ``basis``; they never leave).
    max_pivots
        Give up (``SolverError``) after this many pivots.
    refresh
        Recompute the basis inverse from scratch every ``refresh`` pivots (default: the
        number of rows, at least 50, so the cubic refresh costs as much as the pivots).
    tol
        Zero tolerance for pivot elements and ratio ties.

    Returns
    -------
    LemkeResult
        Values of all ``C`` variables at the solution (``z0 = 0``).

    Raises
    ------
    SolverError
        If the starting basis is singular or infeasible on the ray, the path ends in a
        secondary ray, or the pivot limit is reached.
    """
    M = np.ascontiguousarray(M, dtype=float)
    rhs = np.ascontiguousarray(rhs, dtype=float)
    start = np.array(basis, dtype=np.int64)
    if len(start) != M.shape[0] or z0 in set(start.tolist()):
        raise SolverError("Lemke: the starting basis must have one column per row and exclude z0")
    comp = complement if isinstance(complement, np.ndarray) else _complement_array(complement, M.shape[1])
    is_free = np.zeros(M.shape[1], dtype=np.bool_)
    is_free[list(free)] = True
    if refresh is None:
        refresh = max(50, M.shape[0])
    values, final, pivots, status = _lemke_kernel(M, rhs, start, z0, np.asarray(comp, dtype=np.int64),
                                                  is_free, max_pivots, refresh, tol)
    check_status(status, pivots, max_pivots)
    return LemkeResult(values, tuple(final.tolist()), pivots)


def check_status(status: int, pivots: int, max_pivots: int) -> None:
    """Raise the ``SolverError`` of a failed run of :func:`_lemke_kernel` (nothing for success)."""
    if status == _SECONDARY_RAY:
        raise SolverError(f"Lemke: the path ended in a secondary ray after {pivots} pivots")
    if status == _PIVOT_LIMIT:
        raise SolverError(f"Lemke: no solution after {max_pivots} pivots")
    if status != _OK:
        raise SolverError(_MESSAGES[status])


def _complement_array(complement: dict[int, int], n_cols: int) -> np.ndarray:
    out = np.full(n_cols, -1, dtype=np.int64)
    for k, v in complement.items():
        out[k] = v
    return out


__all__ = ["LemkeResult", "check_status", "lemke"]
