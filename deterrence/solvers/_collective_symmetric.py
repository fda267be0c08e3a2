"""Symmetric equilibria of the allies' join game with exchangeable allies, for many points at once.

With ``n`` identical allies of capability ``k`` playing the same strategy, each joins with
probability ``q = pi s_C + (1 - pi) s_U`` (``s_t`` the probability that type ``t`` joins), the
other ``n - 1`` join independently, and an ally's expected marginal contribution to the Target
side's chance of winning is the Bernstein polynomial of degree ``n - 1``::

    D(q) = sum_m C(n-1, m) q^m (1 - q)^(n-1-m) Delta(m),     Delta(m) = p((m + 1) k) - p(m k).

Type ``t`` gains ``G_t(q) = w_t v D(q) - (c - a)`` from joining. A symmetric equilibrium is a
``(s_C, s_U)`` such that each type's action is a best response at ``q``:

* both types pure (four candidates): sign conditions on ``G_C(q)``, ``G_U(q)``;
* one type mixing: ``G_t(q) = 0`` for ``q`` strictly inside the interval that type's mixing
  spans, the other type's sign condition at that ``q``: every root of a polynomial in
  Bernstein form, found by :func:`~deterrence.solvers._collective_roots.bernstein_roots`;
* both types mixing needs ``G_C = G_U = 0``, i.e. identical types (``w_C = w_U``): then every
  split with the same ``q`` is an equilibrium (a continuum; reported once, ``s_C = s_U = q``,
  flagged degenerate).

Everything is computed on arrays of points: this is the compiled path of a sweep over the
``collective_defence`` family, and the per-point solver calls it with one point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._collective_roots import bernstein_roots


@dataclass(frozen=True)
class SymmetricSolutions:
    """Symmetric join equilibria found at many points.

    Attributes
    ----------
    point
        The index of the point each solution belongs to (solutions sorted by point).
    s_c, s_u
        Probability that the committed / uncommitted type joins.
    q
        An ally's probability of joining, ``pi s_c + (1 - pi) s_u``.
    knife
        Some type is indifferent although it plays a pure action (a tie within tolerance).
    degenerate
        The solution belongs to a continuum (identical types, or a multiple root).
    """

    point: np.ndarray
    s_c: np.ndarray
    s_u: np.ndarray
    q: np.ndarray
    knife: np.ndarray
    degenerate: np.ndarray

    def __len__(self) -> int:
        return len(self.point)


def gain_scale(
    w_c: np.ndarray, w_u: np.ndarray, cost: np.ndarray, audience: np.ndarray, stakes: np.ndarray
) -> np.ndarray:
    """A payoff scale per point for the tolerance of ties: ``1 + v max(w) + c + a``."""
    return 1.0 + stakes * np.maximum(w_c, w_u) + cost + audience


def symmetric_solutions(
    pi: np.ndarray,
    w_c: np.ndarray,
    w_u: np.ndarray,
    cost: np.ndarray,
    audience: np.ndarray,
    stakes: np.ndarray,
    delta: np.ndarray,
    tol: float = 1e-9,
) -> SymmetricSolutions:
    """Every symmetric join equilibrium at every point (see the module docstring).

    Parameters
    ----------
    pi, w_c, w_u, cost, audience, stakes
        Per point: credibility, the two types' interests, the cost of fighting, the audience cost
        of staying out (of this kind of war), the stakes.
    delta
        ``(points, n)``: ``delta[:, m] = p((m + 1) k) - p(m k)``, ``m = 0..n-1``.
    tol
        Ties: gains within ``tol`` times :func:`gain_scale` of zero.
    """
    pi, w_c, w_u, cost, audience, stakes = (
        np.asarray(x, dtype=float) for x in (pi, w_c, w_u, cost, audience, stakes)
    )
    delta = np.asarray(delta, dtype=float)
    eps = tol * gain_scale(w_c, w_u, cost, audience, stakes)
    weights = np.column_stack([w_c * stakes, w_u * stakes])  # (points, 2)
    hurdle = cost - audience
    parts = [_pure(pi, weights, hurdle, delta, eps)]
    for mixing in (0, 1):
        for other in (0.0, 1.0):
            parts.append(_one_type_mixes(pi, weights, hurdle, delta, eps, mixing, other))
    parts.append(_identical_types(pi, weights, hurdle, delta, eps))
    return _collect(parts)


def _gains(weights: np.ndarray, hurdle: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``G_t = W_t D - h`` for both types: ``(points, 2)``."""
    return weights * d[:, None] - hurdle[:, None]


def _pure(
    pi: np.ndarray, weights: np.ndarray, hurdle: np.ndarray, delta: np.ndarray, eps: np.ndarray
) -> tuple:
    out = []
    for s_c in (0.0, 1.0):
        for s_u in (0.0, 1.0):
            q = pi * s_c + (1 - pi) * s_u
            g = _gains(weights, hurdle, bernstein_mean(delta, q))
            s = np.array([s_c, s_u])
            ok = np.where(s == 1.0, g >= -eps[:, None], g <= eps[:, None]).all(axis=1)
            knife = (np.abs(g) <= eps[:, None]).any(axis=1)
            idx = np.flatnonzero(ok)
            out.append(
                (
                    idx,
                    np.full(len(idx), s_c),
                    np.full(len(idx), s_u),
                    q[idx],
                    knife[idx],
                    np.zeros(len(idx), dtype=bool),
                )
            )
    return tuple(np.concatenate([o[k] for o in out]) for k in range(6))


def _one_type_mixes(
    pi: np.ndarray,
    weights: np.ndarray,
    hurdle: np.ndarray,
    delta: np.ndarray,
    eps: np.ndarray,
    mixing: int,
    other: float,
) -> tuple:
    """Type ``mixing`` mixes, the other type plays ``other``: roots of ``W_t D(q) - h = 0``."""
    share = pi if mixing == 0 else 1 - pi  # the mixing type's probability
    lo = (1 - share) * other
    hi = lo + share
    w = weights[:, mixing]
    usable = (w > 0) & (share > 0)
    coeffs = w[:, None] * delta - hurdle[:, None]
    roots = bernstein_roots(coeffs[usable], lo[usable], hi[usable])
    idx = np.flatnonzero(usable)[roots.owner]
    q = roots.x
    g = _gains(weights[idx], hurdle[idx], bernstein_mean(delta[idx], q))
    o = 1 - mixing
    ok = (g[:, o] >= -eps[idx]) if other == 1.0 else (g[:, o] <= eps[idx])
    knife = np.abs(g[:, o]) <= eps[idx]
    s_mix = (q - lo[idx]) / share[idx]
    idx, q, s_mix, knife, multi = idx[ok], q[ok], s_mix[ok], knife[ok], roots.multiple[ok]
    s_other = np.full(len(idx), other)
    s_c, s_u = (s_mix, s_other) if mixing == 0 else (s_other, s_mix)
    return idx, s_c, s_u, q, knife, multi


def _identical_types(
    pi: np.ndarray, weights: np.ndarray, hurdle: np.ndarray, delta: np.ndarray, eps: np.ndarray
) -> tuple:
    """Both types mix: only where their gains coincide (``w_C = w_U``), a continuum of splits."""
    same = (np.abs(weights[:, 0] - weights[:, 1]) <= eps) & (weights[:, 0] > 0) & (pi > 0) & (pi < 1)
    coeffs = weights[:, 0][:, None] * delta - hurdle[:, None]
    zeros = np.zeros(len(pi))
    roots = bernstein_roots(coeffs[same], zeros[same], zeros[same] + 1)
    idx = np.flatnonzero(same)[roots.owner]
    q = roots.x
    return idx, q, q.copy(), q, np.zeros(len(idx), dtype=bool), np.ones(len(idx), dtype=bool)


def _collect(parts: list[tuple]) -> SymmetricSolutions:
    cols = [np.concatenate([p[k] for p in parts]) for k in range(6)]
    point, s_c, s_u, q, knife, degenerate = cols
    point = point.astype(np.int64)
    order = np.lexsort((s_u, s_c, point))
    point, s_c, s_u, q, knife, degenerate = (c[order] for c in (point, s_c, s_u, q, knife, degenerate))
    keep = np.ones(len(point), dtype=bool)  # the same profile found twice (a root at a pure end)
    keep[1:] = ~(
        (point[1:] == point[:-1])
        & (np.abs(s_c[1:] - s_c[:-1]) <= 1e-9)
        & (np.abs(s_u[1:] - s_u[:-1]) <= 1e-9)
    )
    return SymmetricSolutions(
        point[keep], s_c[keep], s_u[keep], q[keep], knife[keep].astype(bool), degenerate[keep].astype(bool)
    )


def binomial_pmf(d: int, q: np.ndarray) -> np.ndarray:
    """``(len(q), d + 1)``: ``C(d, m) q^m (1 - q)^(d - m)`` for ``m = 0..d`` (exact at ``q`` 0 and 1)."""
    q = np.asarray(q, dtype=float)[:, None]
    m = np.arange(d + 1)[None, :]
    from scipy.special import gammaln  # here: scipy.special is slow to import

    log_c = gammaln(d + 1) - gammaln(m + 1) - gammaln(d - m + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.exp(log_c + m * np.log(q) + (d - m) * np.log1p(-q))
    out = np.where(q <= 0, (m == 0).astype(float), out)
    return np.where(q >= 1, (m == d).astype(float), out)


def bernstein_mean(values: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``E[values[M]]`` for ``M ~ Binomial(len - 1, q)``, row-wise (a Bernstein polynomial at ``q``)."""
    v = np.asarray(values, dtype=float)
    if v.shape[1] == 1:
        return v[:, 0].copy()
    return (binomial_pmf(v.shape[1] - 1, np.asarray(q, dtype=float)) * v).sum(axis=1)


__all__ = ["SymmetricSolutions", "bernstein_mean", "binomial_pmf", "gain_scale", "symmetric_solutions"]
