"""Vertex enumeration of a bimatrix game in exact (integer) arithmetic, for ``exact=True``.

The floating-point kernel (:mod:`._vertex_kernel`) decides that a constraint is tight when its
slack is below ``1e-9``; in a game within that distance of a payoff tie it then enumerates the
vertices of a nearby degenerate polytope, whose label sets may determine no exact profile at
all (or a different set of equilibria). Here the same search (breadth-first over the bases of
the lexicographically perturbed polytope, one pivot per edge) runs on integers: the payoffs,
taken exactly as given (floats as the rationals they are), are shifted to be positive and
multiplied by their common denominator, and every tableau is kept as integers over a common
positive determinant (integer pivoting: each division is exact). A constraint is tight exactly
when its slack is zero, and the lexicographic ratio test has no ties, so the vertices, their
labels and the completely labelled pairs are exact.

Meant for small games (pure Python): the work is a few tableau updates per basis of the
perturbed polytopes, as for the compiled kernel.
"""

from __future__ import annotations

from collections import deque
from fractions import Fraction
from math import lcm
from typing import Any

from ._bimatrix import rational_matrices

Profile = tuple[tuple[Fraction, ...], tuple[Fraction, ...]]


def exact_payoffs(game: Any) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    """The two payoff matrices of a bimatrix game as ``Fraction`` (as given, or floats exactly)."""
    return rational_matrices(game)


def _positive_integers(rows: list[list[Fraction]]) -> list[list[int]]:
    """``rows`` shifted so that the least entry is 1, then times the common denominator: a
    positive integer matrix with the same best responses (a positive affine map)."""
    low = min(v for row in rows for v in row)
    shifted = [[v - low + 1 for v in row] for row in rows]
    den = lcm(*(v.denominator for row in shifted for v in row))
    return [[int(v * den) for v in row] for row in shifted]


class _Tableau:
    """A basis of ``{z >= 0 : M z <= 1}`` (``M`` positive integers, ``k x d``) as an integer tableau.

    Row ``i`` reads ``sum_j T[i][j] var_j = T[i][-1]`` over the variables ``z_0..z_{d-1}``, then
    the slacks ``w_0..w_{k-1}``, every entry ``det`` times its value (``det > 0``).
    """

    __slots__ = ("basis", "det", "rows")

    def __init__(self, rows: list[list[int]], basis: list[int], det: int) -> None:
        self.rows, self.basis, self.det = rows, basis, det

    @classmethod
    def origin(cls, matrix: list[list[int]]) -> _Tableau:
        """The slack basis (the origin ``z = 0``)."""
        k, d = len(matrix), len(matrix[0])
        rows = [[*matrix[i], *(1 if j == i else 0 for j in range(k)), 1] for i in range(k)]
        return cls(rows, [d + i for i in range(k)], 1)

    def leaving_row(self, col: int, d: int) -> int:
        """The row the lexicographic ratio test picks for entering column ``col`` (exact: no ties)."""
        k = len(self.rows)
        best, best_key = -1, None
        for i in range(k):
            t = self.rows[i][col]
            if t <= 0:
                continue
            key = (Fraction(self.rows[i][-1], t), *(Fraction(self.rows[i][d + j], t) for j in range(k)))
            if best_key is None or key < best_key:
                best, best_key = i, key
        return best

    def pivoted(self, r: int, col: int) -> _Tableau:
        """The tableau after column ``col`` enters at row ``r`` (integer pivoting)."""
        piv, det, pivot_row = self.rows[r][col], self.det, self.rows[r]
        rows = [pivot_row[:] if i == r else
                [(v * piv - row[col] * p) // det for v, p in zip(row, pivot_row, strict=True)]
                for i, row in enumerate(self.rows)]
        basis = self.basis[:]
        basis[r] = col
        return _Tableau(rows, basis, piv)

    def vertex(self, d: int) -> tuple[frozenset[int], tuple[Fraction, ...]]:
        """The variables at zero (nonbasic, or basic with value 0) and the coordinates ``z``."""
        n_vars = len(self.rows[0]) - 1
        zero = set(range(n_vars)) - set(self.basis)
        z = [Fraction(0)] * d
        for i, v in enumerate(self.basis):
            if self.rows[i][-1] == 0:
                zero.add(v)
            elif v < d:
                z[v] = Fraction(self.rows[i][-1], self.det)
        return frozenset(zero), tuple(z)


def polytope_vertices_exact(matrix: list[list[int]], labels: list[int]
                            ) -> list[tuple[frozenset[int], tuple[Fraction, ...]]]:
    """Every vertex of ``{z >= 0 : matrix z <= 1}`` (``matrix`` positive integers), exactly.

    Parameters
    ----------
    matrix
        ``k x d`` positive integer constraint matrix.
    labels
        Label of each variable (``z`` first, then the ``k`` slacks).

    Returns
    -------
    list
        ``(tight labels, coordinates)`` of each vertex, the origin first.
    """
    d = len(matrix[0])
    start = _Tableau.origin(matrix)
    seen = {frozenset(start.basis)}
    queue = deque([start])
    vertices: dict[frozenset[int], tuple[Fraction, ...]] = {}
    while queue:
        tab = queue.popleft()
        zero, z = tab.vertex(d)
        vertices.setdefault(frozenset(labels[v] for v in zero), z)
        for col in set(range(len(labels))) - set(tab.basis):
            r = tab.leaving_row(col, d)  # always found: the polytope is bounded (matrix > 0)
            key = frozenset([*tab.basis[:r], col, *tab.basis[r + 1:]])
            if key not in seen:
                seen.add(key)
                queue.append(tab.pivoted(r, col))
    return list(vertices.items())


def _normalised(z: tuple[Fraction, ...]) -> tuple[Fraction, ...]:
    total = sum(z, Fraction(0))
    return tuple(v / total for v in z)


def exact_extreme_equilibria(game: Any) -> tuple[list[Profile], list[tuple[int, int]], bool]:
    """The extreme Nash equilibria of a bimatrix game in exact arithmetic.

    Returns
    -------
    profiles, pairs, degenerate
        Each distinct extreme equilibrium as exact probability vectors, the vertex indices
        ``(P, Q)`` of every completely labelled pair (for the components), and whether the
        game is degenerate (some vertex has more tight labels than its dimension).
    """
    fa, fb = exact_payoffs(game)
    m, n = len(fa), len(fa[0])
    b_t = [list(col) for col in zip(*_positive_integers(fb), strict=True)]  # n x m: P's constraints
    p_vertices = polytope_vertices_exact(b_t, list(range(m + n)))
    q_vertices = polytope_vertices_exact(_positive_integers(fa), [m + j for j in range(n)] + list(range(m)))
    full = frozenset(range(m + n))
    degenerate = any(len(lab) > m for lab, _ in p_vertices) or any(len(lab) > n for lab, _ in q_vertices)
    profiles: dict[Profile, None] = {}
    pairs: list[tuple[int, int]] = []
    for i, (lab_p, x) in enumerate(p_vertices[1:], start=1):
        for j, (lab_q, y) in enumerate(q_vertices[1:], start=1):
            if lab_p | lab_q == full:
                pairs.append((i, j))
                profiles.setdefault((_normalised(x), _normalised(y)), None)
    return list(profiles), pairs, degenerate
