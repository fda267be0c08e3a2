"""Some Nash equilibria of a bimatrix game by Lemke-Howson complementary pivoting.

Lemke and Howson (1964), in the tableau form of von Stengel's survey ("Computing
equilibria for two-person games", Handbook of Game Theory 3, 2002). Two tableaux, one
per best-response polytope, with one column per label (``0..m-1`` the row player's
strategies, ``m..m+n-1`` the column player's):

* for ``x``: ``B^T x + r = 1``, columns ``x_i`` (label ``i``) and slacks ``r_j`` (label ``m+j``);
* for ``y``: ``s + A y = 1``, columns ``s_i`` (label ``i``) and ``y_j`` (label ``m+j``).

From the artificial equilibrium ``(0, 0)`` the path that drops label ``k`` alternates
pivots between the tableaux until label ``k`` leaves a basis; the end point is an
equilibrium. The ratio test is lexicographic (against the columns of the initial
basis), so degenerate games cannot make it cycle. By default one path per starting
label is followed (``m + n`` paths); ``labels`` picks the labels and ``traverse=True``
also follows every path that leaves each equilibrium found (the Lemke-Howson graph).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SolverError
from ._bimatrix import bimatrix, candidates_from_pairs, scaled_positive
from .base import RawResult, SolveOptions, SolverInfo, SolverOptions

_EPS = 1e-12
_TIE = 1e-9


class _Tableaux:
    """The two Lemke-Howson tableaux and their bases (columns indexed by label)."""

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        m, n = a.shape
        self.m, self.n = m, n
        size = m + n
        # tableau 0 (x side): rows = column strategies; columns: x (0..m-1), r (m..), rhs
        t0 = np.zeros((n, size + 1))
        t0[:, :m] = b.T
        t0[:, m:size] = np.eye(n)
        t0[:, size] = 1.0
        # tableau 1 (y side): rows = row strategies; columns: s (0..m-1), y (m..), rhs
        t1 = np.zeros((m, size + 1))
        t1[:, :m] = np.eye(m)
        t1[:, m:size] = a
        t1[:, size] = 1.0
        self.tab = [t0, t1]
        self.basis = [list(range(m, size)), list(range(m))]
        self.lex_cols = [np.r_[size, m:size], np.r_[size, 0:m]]  # rhs, then initial basis
        self.tie = False

    def copy(self) -> _Tableaux:
        out = object.__new__(_Tableaux)
        out.m, out.n = self.m, self.n
        out.tab = [t.copy() for t in self.tab]
        out.basis = [list(b) for b in self.basis]
        out.lex_cols = self.lex_cols
        out.tie = False
        return out

    def pivot(self, side: int, enter: int) -> int:
        """Pivot ``enter`` into the basis of tableau ``side``; return the leaving label."""
        tab = self.tab[side]
        col = tab[:, enter]
        rows = np.flatnonzero(col > _EPS)
        if len(rows) == 0:
            raise SolverError(f"Lemke-Howson ray termination entering label {enter}: payoffs not positive?")
        for j, lex in enumerate(self.lex_cols[side]):
            vals = tab[rows, lex] / col[rows]
            lo = vals.min()
            rows = rows[vals <= lo + _TIE * (1.0 + abs(lo))]
            if len(rows) == 1:
                if j > 0:
                    self.tie = True
                break
        r = int(rows[0])
        tab[r] /= tab[r, enter]
        factor = tab[:, enter].copy()
        factor[r] = 0.0
        tab -= np.outer(factor, tab[r])
        leave = self.basis[side][r]
        self.basis[side][r] = enter
        return leave

    def side_of(self, label: int) -> int:
        """The tableau in which ``label`` is nonbasic (where it can enter)."""
        return 0 if label not in self.basis[0] else 1

    def profile(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The current (unnormalised) ``x``, ``y`` and their nonbasic-label masks."""
        m, n = self.m, self.n
        x = np.zeros(m)
        y = np.zeros(n)
        for r, v in enumerate(self.basis[0]):
            if v < m:
                x[v] = self.tab[0][r, -1]
        for r, v in enumerate(self.basis[1]):
            if v >= m:
                y[v - m] = self.tab[1][r, -1]
        x_lab = np.ones(m + n, dtype=bool)
        x_lab[self.basis[0]] = False
        y_lab = np.ones(m + n, dtype=bool)
        y_lab[self.basis[1]] = False
        return x, y, x_lab, y_lab


def _path(start: _Tableaux, label: int, max_pivots: int) -> _Tableaux:
    """Follow the path that drops ``label`` from the vertex pair ``start`` (a copy is pivoted)."""
    tab = start.copy()
    side = tab.side_of(label)
    enter = label
    for _ in range(max_pivots):
        leave = tab.pivot(side, enter)
        if leave == label:
            return tab
        enter = leave
        side = 1 - side
    raise SolverError(f"Lemke-Howson path dropping label {label} did not end within {max_pivots} pivots")


def lemke_howson(a: np.ndarray, b: np.ndarray, labels: Iterable[int] | None = None,
                 traverse: bool = False, max_pivots: int = 100_000) -> dict[str, Any]:
    """Equilibria at the ends of Lemke-Howson paths of the bimatrix game ``(a, b)``.

    Parameters
    ----------
    a, b
        Payoff matrices ``(m, n)``.
    labels
        Labels to drop from the artificial equilibrium (default: all ``m + n``).
    traverse
        Also follow every path from each equilibrium found, until no new one appears.
    max_pivots
        Safety limit per path.

    Returns
    -------
    dict
        ``x``, ``y`` (normalised, distinct), ``x_tight``/``y_tight`` (nonbasic labels),
        ``tie`` (a ratio-test tie was met: the game is degenerate) and ``paths``.
    """
    a = scaled_positive(np.asarray(a, dtype=float))
    b = scaled_positive(np.asarray(b, dtype=float))
    m, n = a.shape
    size = m + n
    labels = list(range(size)) if labels is None else [int(k) for k in labels]
    for k in labels:
        if not 0 <= k < size:
            raise SolverError(f"Lemke-Howson label {k} out of range 0..{size - 1}")
    origin = _Tableaux(a, b)
    found: list[tuple[np.ndarray, np.ndarray]] = []
    tight: list[tuple[np.ndarray, np.ndarray]] = []
    ends: list[_Tableaux] = []
    tie = False
    paths = 0

    def record(tab: _Tableaux) -> bool:
        x, y, xl, yl = tab.profile()
        x, y = np.clip(x, 0, None), np.clip(y, 0, None)
        if x.sum() <= 0 or y.sum() <= 0:  # back at the artificial equilibrium
            return False
        x, y = x / x.sum(), y / y.sum()
        flat = np.concatenate([x, y])
        if found and np.any(np.max(np.abs(np.array([np.concatenate(f) for f in found]) - flat), axis=1)
                            <= 1e-9):
            return False
        found.append((x, y))
        tight.append((xl, yl))
        ends.append(tab)
        return True

    for k in labels:
        end = _path(origin, k, max_pivots)
        paths += 1
        tie = tie or end.tie
        record(end)
    if traverse:
        done = 0
        while done < len(ends):
            start = ends[done]
            done += 1
            for k in range(size):
                end = _path(start, k, max_pivots)
                paths += 1
                tie = tie or end.tie
                record(end)
    return {
        "x": np.array([f[0] for f in found]).reshape(-1, m),
        "y": np.array([f[1] for f in found]).reshape(-1, n),
        "x_tight": np.array([t[0] for t in tight]).reshape(-1, size),
        "y_tight": np.array([t[1] for t in tight]).reshape(-1, size),
        "tie": tie,
        "paths": paths,
    }


@dataclass(frozen=True)
class LemkeHowsonOptions(SolverOptions):
    """Options of ``lemke_howson``.

    Parameters
    ----------
    labels
        The starting labels, one path each (``0..m-1`` the row player's strategies,
        ``m..m+n-1`` the column player's); ``None``: every label.
    traverse
        Also follow every path that leaves each equilibrium found (the Lemke-Howson graph
        from the artificial equilibrium's component).
    """

    labels: tuple[int, ...] | None = None
    traverse: bool = False


def run(game: Any, options: SolveOptions) -> RawResult:
    """Equilibria found by Lemke-Howson from every starting label (or ``labels=[...]``)."""
    opts = options.of(LemkeHowsonOptions)
    a, b = bimatrix(game)
    res = lemke_howson(a, b, labels=opts.labels, traverse=opts.traverse)
    cands = candidates_from_pairs(game, res["x"], res["y"], res["x_tight"], res["y_tight"],
                                  exact=options.exact)
    notes = [f"{res['paths']} Lemke-Howson paths followed; found {len(cands)} distinct equilibria "
             "(not necessarily all)"]
    if res["tie"]:
        notes.append("degenerate game: ties in the ratio test were broken lexicographically")
    return RawResult(candidates=cands, complete=False, degenerate=True if res["tie"] else None,
                     notes=tuple(notes))


def estimate(game: Any) -> float:
    """Work estimate: ``m + n`` paths of (typically) a few ``m + n`` pivots of ``(m + n)**2``."""
    m, n = game.shape
    return float((m + n) ** 4)


SOLVER = SolverInfo(
    name="lemke_howson",
    concepts=frozenset({"nash"}),
    kinds=frozenset({"normal"}),
    run=run,
    options=LemkeHowsonOptions,
    finds="some",
    min_players=2,
    max_players=2,
    estimate=estimate,
    description="some equilibria of 2-player games by Lemke-Howson from every starting label",
)
