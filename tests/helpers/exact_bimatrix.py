"""Every equilibrium of a small nondegenerate bimatrix game by exact support enumeration in
rational arithmetic: a brute force written for the tests (no library code), the oracle of the
near-tie tests (``tests/test_nash_near_ties.py``, ``tests/test_near_tie_equilibria.py``)."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations


def _solve_linear(rows: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """The unique solution of a square system (Gauss-Jordan in rationals), else None."""
    n = len(rows)
    mat = [[*r, c] for r, c in zip(rows, rhs, strict=True)]
    for col in range(n):
        piv = next((r for r in range(col, n) if mat[r][col] != 0), None)
        if piv is None:
            return None
        mat[col], mat[piv] = mat[piv], mat[col]
        mat[col] = [v / mat[col][col] for v in mat[col]]
        for r in range(n):
            if r != col and mat[r][col] != 0:
                f = mat[r][col]
                mat[r] = [v - f * p for v, p in zip(mat[r], mat[col], strict=True)]
    return [mat[r][-1] for r in range(n)]


def _mix(pay: list[list[Fraction]], own: tuple[int, ...], other: tuple[int, ...], size: int):
    """The strategy on support ``own`` making the opponent indifferent over ``other``
    (``pay[o][s]``: opponent's payoff of ``o`` against own strategy ``s``), and that value."""
    k = len(own)
    rows = [[*(pay[o][s] for s in own), Fraction(-1)] for o in other] + [[Fraction(1)] * k + [Fraction(0)]]
    sol = _solve_linear(rows, [Fraction(0)] * k + [Fraction(1)])
    if sol is None or any(p < 0 for p in sol[:k]):
        return None
    full = [Fraction(0)] * size
    for s, p in zip(own, sol[:k], strict=True):
        full[s] = p
    return tuple(full), sol[k]


def brute_force_equilibria(a: list[list[Fraction]], b: list[list[Fraction]]) -> set:
    """Every equilibrium of a nondegenerate bimatrix game by exact support enumeration."""
    m, n = len(a), len(a[0])
    bt = [list(col) for col in zip(*b, strict=True)]  # column player's payoffs, its strategies as rows
    out = set()
    for k in range(1, min(m, n) + 1):
        for sup_i in combinations(range(m), k):
            for sup_j in combinations(range(n), k):
                xs, ys = _mix(bt, sup_i, sup_j, m), _mix(a, sup_j, sup_i, n)
                if xs is None or ys is None:
                    continue
                (x, v), (y, u) = xs, ys
                row_pay = [sum(a[i][j] * y[j] for j in range(n)) for i in range(m)]
                col_pay = [sum(b[i][j] * x[i] for i in range(m)) for j in range(n)]
                if max(row_pay) == u and max(col_pay) == v:
                    out.add((x, y))
    return out
