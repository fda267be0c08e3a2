"""Test oracle: the plain-numpy Lemke pivoting that deterrence.solvers.lemke now compiles.

Kept to check the compiled kernel against; it is not part of the package.

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
dozen pivots to keep rounding errors small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from deterrence.errors import SolverError


@dataclass(frozen=True)
class LemkeResult:
    """Outcome of a run: the values of all variables, the final basis and the pivot count."""

    values: np.ndarray
    basis: tuple[int, ...]
    pivots: int


def _lexmin(rows: np.ndarray, values: np.ndarray, lex: np.ndarray, col: np.ndarray, rtol: float) -> int:
    """Row minimising ``[values, lex] / col`` lexicographically among ``rows`` (all with col > 0).

    Entries within ``rtol`` (relative to the column's scale) count as equal. Instead of
    walking the columns one by one, each round jumps to the first column in which the
    remaining candidates differ.
    """
    table = np.column_stack([values[rows], lex[rows]]) / col[rows][:, None]
    cand = np.arange(rows.size)
    start = 0
    while cand.size > 1 and start < table.shape[1]:
        sub = table[cand, start:]
        scale = np.maximum(1.0, np.abs(sub).max(axis=0))
        low = sub.min(axis=0)
        differs = np.flatnonzero(((sub - low) > rtol * scale).any(axis=0))
        if differs.size == 0:
            break
        j = differs[0]
        cand = cand[sub[:, j] - low[j] <= rtol * scale[j]]
        start += j + 1
    return int(rows[cand[0]])


class _Tableau:
    """The basis, its inverse, the basic values and the lexicographic perturbation rows."""

    def __init__(self, M: np.ndarray, rhs: np.ndarray, basis: list[int], free: Sequence[int]) -> None:
        self.M, self.rhs, self.basis = M, rhs, basis
        self.is_free = np.zeros(M.shape[1], dtype=bool)
        self.is_free[list(set(free))] = True
        self.B0 = M[:, basis]
        try:
            self.binv = np.linalg.inv(self.B0)
        except np.linalg.LinAlgError:
            raise SolverError("Lemke: the starting basis is singular") from None
        self.values = self.binv @ rhs
        self.lex = np.eye(M.shape[0])

    def restricted(self) -> np.ndarray:
        """Rows whose basic variable is nonnegative (not free): the rows of the ratio test."""
        return ~self.is_free[self.basis]

    def column(self, j: int) -> np.ndarray:
        """Column ``j`` of ``M`` in the current basis."""
        return self.binv @ self.M[:, j]

    def pivot(self, row: int, col: np.ndarray, entering: int) -> int:
        """Bring ``entering`` into the basis at ``row``; returns the column that left."""
        leaving = self.basis[row]
        piv = col[row]
        factor = col.copy()
        factor[row] = 0.0
        self.binv[row] /= piv
        self.values[row] /= piv
        self.lex[row] /= piv
        self.binv -= np.outer(factor, self.binv[row])
        self.values -= factor * self.values[row]
        self.lex -= np.outer(factor, self.lex[row])
        self.basis[row] = entering
        return leaving

    def refresh(self) -> None:
        """Recompute the inverse, the values and the perturbation rows from the basis."""
        try:
            self.binv = np.linalg.inv(self.M[:, self.basis])
        except np.linalg.LinAlgError:
            raise SolverError("Lemke: the basis became numerically singular") from None
        self.values = self.binv @ self.rhs
        self.lex = self.binv @ self.B0

    def result(self, pivots: int, polish: bool) -> LemkeResult:
        """All variables' values (nonbasic 0); ``polish``: basic values by a direct solve."""
        final = self.values
        if polish:
            try:
                final = np.linalg.solve(self.M[:, self.basis], self.rhs)
            except np.linalg.LinAlgError:
                final = self.values
        out = np.zeros(self.M.shape[1])
        out[self.basis] = final
        return LemkeResult(out, tuple(self.basis), pivots)


def _enter_z0(tab: _Tableau, z0: int, tol: float) -> int | None:
    """First step: ``z0`` enters at the smallest value that makes the basis feasible.

    Returns the column that left, or ``None`` if the starting basis is feasible already.
    """
    col = tab.column(z0)
    mask = tab.restricted()
    values = tab.values
    scale = max(1.0, float(np.max(np.abs(values))))
    colscale = max(1.0, float(np.max(np.abs(col))))
    # on the covering ray every nonnegative basic variable must stay nonnegative as z0 grows
    bad = mask & (((values < -tol * scale) & (col >= -tol)) | (col > tol * colscale))
    if np.any(bad):
        raise SolverError("Lemke: the starting basis is not feasible on the covering ray")
    if not np.any(mask & (values < -tol * scale)):
        return None
    rows = np.flatnonzero(mask & (col < -tol))
    # z0 must be >= (values_k + perturbation_k) / col_k for every row with col_k < 0: the
    # binding row maximises that, i.e. minimises [values, lex] / |col| lexicographically
    row = _lexmin(rows, values, tab.lex, -col, tol)
    return tab.pivot(row, col, z0)


def _complementary_pivot(tab: _Tableau, entering: int, tol: float, pivots: int) -> int:
    """One pivot of the path: ``entering`` comes in by the lexicographic ratio test; returns who left."""
    col = tab.column(entering)
    mask = tab.restricted()
    colscale = max(1.0, float(np.max(np.abs(col))))
    rows = np.flatnonzero(mask & (col > tol * colscale))
    if rows.size == 0:
        raise SolverError(f"Lemke: the path ended in a secondary ray after {pivots} pivots")
    row = _lexmin(rows, tab.values, tab.lex, col, tol)
    return tab.pivot(row, col, entering)


def lemke(
    M: np.ndarray,
    rhs: np.ndarray,
    basis: Sequence[int],
    z0: int,
    complement: dict[int, int],
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
        Column -> its complementary column, for every nonnegative variable except ``z0``.
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
    M = np.asarray(M, dtype=float)
    rhs = np.asarray(rhs, dtype=float)
    basis = list(basis)
    if len(basis) != M.shape[0] or z0 in basis:
        raise SolverError("Lemke: the starting basis must have one column per row and exclude z0")
    if refresh is None:
        refresh = max(50, M.shape[0])
    tab = _Tableau(M, rhs, basis, free)
    leaving = _enter_z0(tab, z0, tol)
    if leaving is None:
        return tab.result(0, polish=False)
    pivots = 1
    while leaving != z0:
        if pivots >= max_pivots:
            raise SolverError(f"Lemke: no solution after {max_pivots} pivots")
        leaving = _complementary_pivot(tab, complement[leaving], tol, pivots)
        pivots += 1
        if pivots % refresh == 0:
            tab.refresh()
    return tab.result(pivots, polish=True)


__all__ = ["LemkeResult", "lemke"]
