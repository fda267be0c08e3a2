"""Shared helpers of the 2-player (bimatrix) Nash solvers.

The best-response polytopes of a bimatrix game ``(A, B)`` with positive payoffs are

``P = {x >= 0 : B^T x <= 1}`` and ``Q = {y >= 0 : A y <= 1}``.

Both are written here as ``{z : G z <= b}`` with one constraint row per *label*:
labels ``0..m-1`` are the row player's pure strategies, labels ``m..m+n-1`` the column
player's. In ``P`` label ``i < m`` is the constraint ``x_i >= 0`` and label ``m + j`` is
``(B^T x)_j <= 1``; in ``Q`` label ``i`` is ``(A y)_i <= 1`` and label ``m + j`` is
``y_j >= 0``. A vertex pair ``(x, y) != (0, 0)`` is an (extreme) equilibrium, after
normalising, exactly when every label is tight at ``x`` or at ``y``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from .._jit import njit
from ..errors import GameError, SolverError
from .base import CandidateArrays


def bimatrix(game: Any) -> tuple[np.ndarray, np.ndarray]:
    """The payoff matrices ``(A, B)`` of a 2-player normal-form game, as floats.

    Raises
    ------
    GameError
        If the game is not a 2-player normal-form game.
    """
    if getattr(game, "kind", None) != "normal" or getattr(game, "num_players", 0) != 2:
        raise GameError(f"a bimatrix solver needs a 2-player normal-form game, got {game!r}")
    a, b = game.payoffs
    return np.asarray(a, dtype=float), np.asarray(b, dtype=float)


@njit
def scaled_positive(a: np.ndarray) -> np.ndarray:
    """``a`` (floats) mapped by a positive affine transformation onto ``[1, 2]`` (constant -> 1)."""
    lo, hi = a.min(), a.max()
    span = hi - lo
    out = np.ones(a.shape)
    if span > 0:
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                out[i, j] = 1.0 + (a[i, j] - lo) / span
    return out


def polytope_p(b_pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Constraints ``(G, b)`` of ``P = {x >= 0, B^T x <= 1}``, one row per label."""
    m, _ = b_pos.shape
    g = np.vstack([-np.eye(m), b_pos.T])
    rhs = np.concatenate([np.zeros(m), np.ones(b_pos.shape[1])])
    return g, rhs


def polytope_q(a_pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Constraints ``(G, b)`` of ``Q = {A y <= 1, y >= 0}``, one row per label."""
    m, n = a_pos.shape
    g = np.vstack([a_pos, -np.eye(n)])
    rhs = np.concatenate([np.ones(m), np.zeros(n)])
    return g, rhs


def bit_keys(tight: np.ndarray) -> np.ndarray:
    """Hashable, sortable keys of rows of a boolean label matrix.

    ``int64`` bitmasks when there are at most 62 labels, otherwise packed bytes viewed
    as a ``numpy.void`` dtype (both work with ``np.unique``, ``np.isin`` and sorting).
    """
    tight = np.asarray(tight, dtype=bool)
    n_labels = tight.shape[1]
    if n_labels <= 62:
        weights = np.left_shift(np.int64(1), np.arange(n_labels, dtype=np.int64))
        return tight.astype(np.int64) @ weights
    packed = np.ascontiguousarray(np.packbits(tight, axis=1))
    return packed.view(np.dtype((np.void, packed.shape[1]))).ravel()


# ---------------------------------------------------------------------------- exact arithmetic
def rational_matrices(game: Any) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    """The two payoff matrices of a bimatrix game as nested lists of exact ``Fraction``
    (:meth:`~deterrence.NormalFormGame.rational_payoffs`: as given, or floats converted exactly)."""
    a, b = game.rational_payoffs()
    return ([[Fraction(v) for v in row] for row in a.tolist()],
            [[Fraction(v) for v in row] for row in b.tolist()])


def solve_exact(rows: Sequence[Sequence[Fraction]], rhs: Sequence[Fraction]) -> list[Fraction] | None:
    """The unique solution of a (possibly over-determined) linear system, exactly.

    Gauss-Jordan elimination in rational arithmetic. Returns ``None`` if the system is
    inconsistent or its solution is not unique.
    """
    n_cols = len(rows[0]) if rows else 0
    mat = [[*r, c] for r, c in zip(rows, rhs, strict=True)]
    pivot_row = 0
    pivots: list[int] = []
    for col in range(n_cols):
        sel = next((r for r in range(pivot_row, len(mat)) if mat[r][col] != 0), None)
        if sel is None:
            return None  # a free variable: the solution is not unique
        mat[pivot_row], mat[sel] = mat[sel], mat[pivot_row]
        piv = mat[pivot_row][col]
        prow = [v / piv for v in mat[pivot_row]]
        mat[pivot_row] = prow
        for r in range(len(mat)):
            if r != pivot_row and mat[r][col] != 0:
                f = mat[r][col]
                mat[r] = [v - f * p for v, p in zip(mat[r], prow, strict=True)]
        pivots.append(col)
        pivot_row += 1
    if any(mat[r][-1] != 0 for r in range(pivot_row, len(mat))):
        return None
    return [mat[k][-1] for k in range(n_cols)]


def exact_strategy(
    payoff_t: list[list[Fraction]], zero: Sequence[int], indifferent: Sequence[int]
) -> tuple[Fraction, ...] | None:
    """Exact mixed strategy with given zero entries making the given opponent strategies indifferent.

    Parameters
    ----------
    payoff_t
        The opponent's payoffs with *this* player's strategies as columns: row ``j`` gives
        the opponent's payoff of its strategy ``j`` against each of this player's pure
        strategies.
    zero
        Indices of this player's strategies played with probability 0.
    indifferent
        The opponent's strategies that must all earn the same (unknown) payoff.

    Returns
    -------
    tuple of Fraction or None
        The strategy, or ``None`` if these conditions do not determine a unique one.
    """
    k = len(payoff_t[0])
    rows: list[list[Fraction]] = []
    rhs: list[Fraction] = []
    one, nil = Fraction(1), Fraction(0)
    for i in zero:  # s_i = 0
        rows.append([one if c == i else nil for c in range(k)] + [nil])
        rhs.append(nil)
    for j in indifferent:  # payoff_j . s - v = 0
        rows.append([*payoff_t[j], -one])
        rhs.append(nil)
    rows.append([one] * k + [nil])  # probabilities sum to one
    rhs.append(one)
    sol = solve_exact(rows, rhs)
    if sol is None:
        return None
    return tuple(sol[:k])


def exact_profile(
    game: Any, x_labels: np.ndarray, y_labels: np.ndarray
) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    """Exact equilibrium from the tight-label sets of a vertex pair (labels as in the module doc).

    Raises
    ------
    SolverError
        If the label sets do not determine a unique exact profile (a float misjudgement).
    """
    m = game.payoffs[0].shape[0]
    fa, fb = rational_matrices(game)
    fb_t = [list(col) for col in zip(*fb, strict=True)]  # n rows: column player's payoff per row strategy
    lx = np.flatnonzero(x_labels)
    ly = np.flatnonzero(y_labels)
    x = exact_strategy(fb_t, [int(i) for i in lx if i < m], [int(j) - m for j in lx if j >= m])
    y = exact_strategy(fa, [int(j) - m for j in ly if j >= m], [int(i) for i in ly if i < m])
    if x is None or y is None:
        raise SolverError(
            "exact re-solve of a vertex pair failed (the floating-point label sets do not determine "
            "a unique profile); the game is numerically ill-conditioned"
        )
    return x, y


def is_exact_equilibrium(fa: Sequence[Sequence[Fraction]], fb: Sequence[Sequence[Fraction]],
                         x: Sequence[Fraction], y: Sequence[Fraction]) -> bool:
    """Whether ``(x, y)`` (exact probability vectors) is an exact Nash equilibrium of ``(fa, fb)``:
    every pure strategy either player uses earns exactly its best payoff against the other."""
    row = [sum((a * q for a, q in zip(r, y, strict=True)), Fraction(0)) for r in fa]
    col = [sum((fb[i][j] * p for i, p in enumerate(x)), Fraction(0)) for j in range(len(y))]
    return (all(v == max(row) for v, p in zip(row, x, strict=True) if p > 0)
            and all(v == max(col) for v, q in zip(col, y, strict=True) if q > 0))


# ---------------------------------------------------------------------------- candidates
def candidates_from_pairs(
    game: Any,
    xs: np.ndarray,
    ys: np.ndarray,
    x_tight: np.ndarray | None = None,
    y_tight: np.ndarray | None = None,
    exact: bool = False,
    strict: bool = True,
) -> CandidateArrays:
    """Normalised vertex pairs as candidates (exact versions from the label sets if asked).

    ``strict=False``: a pair whose labels determine no unique exact profile (a degenerate game)
    keeps its floats, as the exact rationals they are, for the exact certificate to judge,
    instead of raising :class:`~deterrence.errors.SolverError`.
    """
    xs = np.clip(np.asarray(xs, dtype=float), 0.0, None)
    ys = np.clip(np.asarray(ys, dtype=float), 0.0, None)
    xs = xs / xs.sum(axis=1, keepdims=True)
    ys = ys / ys.sum(axis=1, keepdims=True)
    if not (exact and x_tight is not None and y_tight is not None):
        return CandidateArrays((xs, ys))
    profiles = [_exact_or_floats(game, xs[k], ys[k], x_tight[k], y_tight[k], strict) for k in range(len(xs))]
    xs = np.array([[float(v) for v in fx] for fx, _ in profiles]).reshape(xs.shape)
    ys = np.array([[float(v) for v in fy] for _, fy in profiles]).reshape(ys.shape)
    return CandidateArrays((xs, ys), exact=profiles)


def _exact_or_floats(game: Any, x: np.ndarray, y: np.ndarray, x_tight: np.ndarray, y_tight: np.ndarray,
                     strict: bool) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    """:func:`exact_profile` of one pair; unless ``strict``, where it fails or gives a negative
    probability, the floats ``x`` and ``y`` as exact rationals (each divided by its exact sum, so
    it sums to 1 exactly)."""
    try:
        profile = exact_profile(game, x_tight, y_tight)
        if strict or all(v >= 0 for s in profile for v in s):
            return profile
    except SolverError:
        if strict:
            raise
    fx, fy = [Fraction(float(v)) for v in x], [Fraction(float(v)) for v in y]
    return tuple(v / sum(fx) for v in fx), tuple(v / sum(fy) for v in fy)
