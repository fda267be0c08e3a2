"""All Nash equilibria of a nondegenerate bimatrix game by support enumeration, vectorised.

For every pair of supports ``I`` (row player) and ``J`` (column player) of equal size
``k`` the two indifference systems

``A[I, J] y_J = u 1, sum(y_J) = 1`` and ``B[I, J]^T x_I = v 1, sum(x_I) = 1``

are solved for all pairs of one size at once (``numpy.linalg.solve`` on stacked
``(k+1) x (k+1)`` systems), then filtered on arrays: nonnegative probabilities and no
pure strategy paying more than the indifference value. In a nondegenerate game every
equilibrium has supports of equal size and solves exactly one such system.

Degeneracy is *detected*, not assumed away: each half ``x`` (resp. ``y``) that passes its
own checks is a vertex of a best-response polytope, and the game is degenerate exactly
when some such vertex has a zero probability inside its support or more best responses
than its support size. Degenerate games are reported with ``degenerate=True`` and
``complete=False`` (use ``vertex_enumeration`` for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb
from typing import Any

import numpy as np

from ._bimatrix import bimatrix, candidates_from_pairs, scaled_positive
from .base import RawResult, SolveOptions, SolverInfo, SolverOptions, distinct_rows

_TOL = 1e-9  # payoffs are scaled to [1, 2]
_CHUNK = 1_500_000  # matrix entries per batch


def _combos(n: int, k: int) -> np.ndarray:
    """All ``k``-subsets of ``range(n)`` as an int array ``(C(n, k), k)``."""
    return np.array(list(combinations(range(n), k)), dtype=np.int64).reshape(-1, k)


def _half(pay: np.ndarray, own: np.ndarray, other: np.ndarray, tol: float
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve one player's indifference systems for many support pairs.

    ``pay`` has the *indifferent* player's strategies as rows and the mixing player's
    as columns; ``own`` ``(P, k)`` are the mixing player's supports and ``other`` ``(P, k)``
    the indifferent player's. Returns the mixed strategies on the supports ``(P, k)``,
    ``valid`` (nonnegative and ``other`` are best responses) and ``degen`` (valid but a
    zero probability or an extra best response).
    """
    n_pairs, k = own.shape
    sub = pay[other[:, :, None], own[:, None, :]]  # (P, k, k)
    mat = np.empty((n_pairs, k + 1, k + 1))
    mat[:, :k, :k] = sub
    mat[:, :k, k] = -1.0
    mat[:, k, :k] = 1.0
    mat[:, k, k] = 0.0
    rhs = np.zeros((n_pairs, k + 1, 1))
    rhs[:, k, 0] = 1.0
    sol = np.full((n_pairs, k + 1), np.nan)
    try:
        sol = np.linalg.solve(mat, rhs)[:, :, 0]
    except np.linalg.LinAlgError:  # some singular systems: solve the others
        det = np.abs(np.linalg.det(mat))
        ok = det > 1e-12
        if ok.any():
            try:
                sol[ok] = np.linalg.solve(mat[ok], rhs[ok])[:, :, 0]
            except np.linalg.LinAlgError:
                for idx in np.flatnonzero(ok):
                    try:
                        sol[idx] = np.linalg.solve(mat[idx], rhs[idx])[:, 0]
                    except np.linalg.LinAlgError:
                        pass
    probs, value = sol[:, :k], sol[:, k]
    finite = np.all(np.isfinite(sol), axis=1)
    payoffs = np.einsum("ipk,pk->pi", pay[:, own], probs)  # (P, n_other): every pure reply
    with np.errstate(invalid="ignore"):
        nonneg = np.all(probs >= -tol, axis=1)
        best = np.all(payoffs <= value[:, None] + tol, axis=1)
        valid = finite & nonneg & best
        n_best = np.sum(payoffs >= value[:, None] - tol, axis=1)
        degen = valid & (np.any(probs <= tol, axis=1) | (n_best > k))
    return probs, valid, degen


def support_equilibria(a: np.ndarray, b: np.ndarray, tol: float = _TOL, merge: bool = True) -> dict[str, Any]:
    """Equal-size support enumeration of the bimatrix game ``(a, b)``, as arrays.

    ``merge=False`` keeps every support pair that passes, even two whose profiles are within
    ``1e-9`` (for an exact re-solve, which tells them apart).

    Returns
    -------
    dict
        ``x`` ``(E, m)``, ``y`` ``(E, n)``, ``supports`` (list of ``(I, J)``),
        ``degenerate`` (bool) and ``pairs`` (number of support pairs examined).
    """
    a = scaled_positive(np.asarray(a, dtype=float))
    b = scaled_positive(np.asarray(b, dtype=float))
    m, n = a.shape
    bt = b.T  # column player's payoffs, its strategies as rows
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    supports: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    degenerate = False
    pairs = 0
    for k in range(1, min(m, n) + 1):
        rows, cols = _combos(m, k), _combos(n, k)
        total = len(rows) * len(cols)
        pairs += total
        step = max(1, _CHUNK // ((k + 1) * (k + 1) + m + n))
        for lo in range(0, total, step):
            flat = np.arange(lo, min(total, lo + step))
            ri, ci = np.divmod(flat, len(cols))
            sup_i, sup_j = rows[ri], cols[ci]
            ysup, y_ok, y_deg = _half(a, sup_j, sup_i, tol)
            xsup, x_ok, x_deg = _half(bt, sup_i, sup_j, tol)
            degenerate = degenerate or bool(y_deg.any() or x_deg.any())
            for p in np.flatnonzero(x_ok & y_ok):
                x = np.zeros(m)
                y = np.zeros(n)
                x[sup_i[p]] = np.clip(xsup[p], 0.0, None)
                y[sup_j[p]] = np.clip(ysup[p], 0.0, None)
                xs.append(x / x.sum())
                ys.append(y / y.sum())
                supports.append((tuple(int(i) for i in sup_i[p]), tuple(int(j) for j in sup_j[p])))
    keep = (distinct_rows((np.reshape(xs, (-1, m)), np.reshape(ys, (-1, n))), atol=1e-9) if merge
            else range(len(xs)))
    return {
        "x": np.array([xs[k] for k in keep]).reshape(-1, m),
        "y": np.array([ys[k] for k in keep]).reshape(-1, n),
        "supports": [supports[k] for k in keep],
        "degenerate": degenerate,
        "pairs": pairs,
    }


@dataclass(frozen=True)
class SupportEnumerationOptions(SolverOptions):
    """Options of ``support_enumeration``: none beyond ``tol`` and ``exact`` of :func:`deterrence.solve`."""


def run(game: Any, options: SolveOptions) -> RawResult:
    """All equilibria of a nondegenerate 2-player game; flags degenerate games as incomplete."""
    a, b = bimatrix(game)
    m, n = a.shape
    res = support_equilibria(a, b, merge=not options.exact)
    x_tight = np.zeros((len(res["x"]), m + n), dtype=bool)
    y_tight = np.zeros_like(x_tight)
    for e, (sup_i, sup_j) in enumerate(res["supports"]):
        x_tight[e, [i for i in range(m) if i not in sup_i]] = True
        x_tight[e, [m + j for j in sup_j]] = True
        y_tight[e, list(sup_i)] = True
        y_tight[e, [m + j for j in range(n) if j not in sup_j]] = True
    # exact: each pair re-solved exactly from its supports (in a degenerate game too: the floats,
    # on payoffs scaled to [1, 2], may take a near tie for a tie); the exact certificate then
    # drops a pair that is no exact equilibrium (:func:`deterrence.solve`)
    cands = candidates_from_pairs(game, res["x"], res["y"], x_tight, y_tight, exact=options.exact,
                                  strict=False)
    notes = [f"{res['pairs']} pairs of equal-size supports examined"]
    if res["degenerate"]:
        notes.insert(0, (
            "degenerate game (a mixed strategy with more pure best responses than its support "
            "size): equal-size support enumeration may miss equilibria and cannot describe "
            "equilibrium components; use method='vertex_enumeration' for the complete set"
        ))
    return RawResult(candidates=cands, complete=not res["degenerate"], degenerate=res["degenerate"],
                     notes=tuple(notes))


def estimate(game: Any) -> float:
    """Work estimate: for each support size ``k``, pairs x 2 systems x ``(k+1)**3``."""
    m, n = game.shape
    return float(sum(comb(m, k) * comb(n, k) * 2 * ((k + 1) ** 3 + (m + n) * k)
                     for k in range(1, min(m, n) + 1)))


SOLVER = SolverInfo(
    name="support_enumeration",
    concepts=frozenset({"nash"}),
    kinds=frozenset({"normal"}),
    run=run,
    options=SupportEnumerationOptions,
    finds="all",
    min_players=2,
    max_players=2,
    estimate=estimate,
    description="all equilibria of nondegenerate 2-player games by vectorised support enumeration",
)
