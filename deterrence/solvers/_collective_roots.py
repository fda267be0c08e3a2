"""All roots of polynomials in Bernstein form on intervals, for many polynomials at once.

A polynomial of degree ``d`` on ``[lo, hi]`` is written ``f(t) = sum_k b_k C(d, k) t^k (1 - t)^(d - k)``
with ``t = (x - lo) / (hi - lo)``. Two facts make root isolation exact (up to floating point):

* the number of roots in the open interval is at most the number of sign changes of the
  coefficients ``b_k``, and has the same parity (Descartes' rule of signs for the Bernstein
  basis); so no sign change means no root and one sign change exactly one;
* de Casteljau's algorithm splits the coefficients at ``t = 1/2`` into those of the two halves.

:func:`bernstein_roots` subdivides until every piece has zero or one sign change, then bisects
each bracketed root to the working precision. A piece that keeps two or more sign changes down
to width :data:`MIN_WIDTH` holds a multiple root or a cluster (a tangency: a knife edge of the
model): its midpoint is returned and flagged. Everything runs on arrays of polynomials; the
loop is over subdivision levels, not over polynomials.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: pieces narrower than this (relative to the unit interval) are not split further
MIN_WIDTH = 1e-11
#: bisection steps for a bracketed root (width 2**-60 of the piece)
BISECTIONS = 60


@dataclass(frozen=True)
class Roots:
    """Roots found by :func:`bernstein_roots`.

    Attributes
    ----------
    owner
        Index of the polynomial each root belongs to.
    x
        The root (in the polynomial's own variable, inside its interval).
    multiple
        The root sits in a piece that kept two or more sign changes down to the finest width:
        a multiple root or a cluster (a knife edge).
    """

    owner: np.ndarray
    x: np.ndarray
    multiple: np.ndarray


def restrict(coeffs: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Bernstein coefficients on ``[lo, hi]`` of polynomials given on ``[0, 1]`` (row-wise).

    Two de Casteljau splits: at ``hi`` (keep the left part), then at ``lo / hi`` of that.
    """
    c = np.asarray(coeffs, dtype=float)
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    left, _right = split(c, hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(hi > 0, lo / np.where(hi > 0, hi, 1.0), 0.0)
    _l, right = split(left, t)
    return right


def split(coeffs: np.ndarray, t: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """De Casteljau at ``t`` (per row): the coefficients of ``[0, t]`` and of ``[t, 1]``."""
    c = np.array(coeffs, dtype=float, copy=True)
    m, d1 = c.shape
    t = np.broadcast_to(np.asarray(t, dtype=float), (m,))[:, None]
    left = np.empty_like(c)
    right = np.empty_like(c)
    left[:, 0] = c[:, 0]
    right[:, -1] = c[:, -1]
    for k in range(1, d1):
        c = (1 - t) * c[:, :-1] + t * c[:, 1:]
        left[:, k] = c[:, 0]
        right[:, d1 - 1 - k] = c[:, -1]
    return left, right


def evaluate(coeffs: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The polynomials (row-wise Bernstein coefficients on ``[0, 1]``) at ``t`` (one per row)."""
    c = np.array(coeffs, dtype=float, copy=True)
    t = np.asarray(t, dtype=float)[:, None]
    while c.shape[1] > 1:
        c = (1 - t) * c[:, :-1] + t * c[:, 1:]
    return c[:, 0]


def _sign_changes(c: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Sign changes of each row, coefficients within ``tol`` of zero skipped."""
    s = np.where(c > tol[:, None], 1, np.where(c < -tol[:, None], -1, 0))
    out = np.zeros(len(c), dtype=np.int64)
    last = np.zeros(len(c), dtype=np.int64)
    for k in range(c.shape[1]):
        sk = s[:, k]
        flip = (sk != 0) & (last != 0) & (sk != last)
        out += flip
        last = np.where(sk != 0, sk, last)
    return out


def bernstein_roots(coeffs: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> Roots:
    """Every root in the open intervals ``(lo, hi)`` of polynomials given on ``[0, 1]``.

    Parameters
    ----------
    coeffs
        ``(m, d + 1)``: row ``j`` holds polynomial ``j``'s Bernstein coefficients on ``[0, 1]``.
    lo, hi
        ``(m,)``: the interval of each polynomial (``0 <= lo < hi <= 1``; rows with
        ``lo >= hi`` have no roots).

    Returns
    -------
    Roots
        The roots, sorted by polynomial then value. A root closer to an end than the working
        precision is left out (the end is a knife edge the caller tests separately).
    """
    c0 = np.asarray(coeffs, dtype=float)
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    if c0.shape[1] < 2:  # constants: no isolated root
        return Roots(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool))
    ok = hi > lo
    owner = np.flatnonzero(ok)
    scale = np.abs(c0).max(axis=1) + 1e-300
    pieces = restrict(c0[ok], lo[ok], hi[ok])
    a, b = lo[ok].copy(), hi[ok].copy()
    found_owner, found_x, found_multi = [], [], []
    while len(owner):
        tol = 1e-13 * scale[owner]
        changes = _sign_changes(pieces, tol)
        one = changes == 1
        if one.any():
            x = _bisect(pieces[one], a[one], b[one], tol[one], c0[owner[one]])
            found_owner.append(owner[one])
            found_x.append(x)
            found_multi.append(np.zeros(int(one.sum()), dtype=bool))
        more = changes >= 2
        tiny = more & (b - a <= MIN_WIDTH)
        if tiny.any():
            found_owner.append(owner[tiny])
            found_x.append(0.5 * (a[tiny] + b[tiny]))
            found_multi.append(np.ones(int(tiny.sum()), dtype=bool))
        go = more & ~tiny
        if not go.any():
            break
        left, right = split(pieces[go], 0.5)
        mid = 0.5 * (a[go] + b[go])
        owner = np.concatenate([owner[go], owner[go]])
        pieces = np.concatenate([left, right])
        a, b = np.concatenate([a[go], mid]), np.concatenate([mid, b[go]])
    if not found_owner:
        return Roots(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool))
    o, x, mflag = np.concatenate(found_owner), np.concatenate(found_x), np.concatenate(found_multi)
    inside = (x > lo[o]) & (x < hi[o])
    o, x, mflag = o[inside], x[inside], mflag[inside]
    order = np.lexsort((x, o))
    o, x, mflag = o[order], x[order], mflag[order]
    keep = np.ones(len(o), dtype=bool)  # the same root reached from two pieces (a root at a split)
    keep[1:] = ~((o[1:] == o[:-1]) & (np.abs(x[1:] - x[:-1]) <= 1e-12))
    return Roots(o[keep], x[keep], mflag[keep])


def _bisect(
    pieces: np.ndarray, a: np.ndarray, b: np.ndarray, tol: np.ndarray, full: np.ndarray
) -> np.ndarray:
    """The one root of each piece (one sign change), by bisection on ``[a, b]`` evaluating the
    whole polynomial (``full``: its coefficients on ``[0, 1]``) through binomial weights."""
    d = full.shape[1] - 1
    big = np.abs(pieces) > tol[:, None]
    first = np.argmax(big, axis=1)
    f0 = pieces[np.arange(len(pieces)), first]  # the sign the polynomial has near the left end
    lo, hi = a.copy(), b.copy()
    m = np.arange(d + 1)[None, :]
    from scipy.special import gammaln  # here: scipy.special is slow to import

    log_c = gammaln(d + 1) - gammaln(m + 1) - gammaln(d - m + 1)
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        x = mid[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.exp(log_c + m * np.log(x) + (d - m) * np.log1p(-x))
        fm = (w * full).sum(axis=1)
        same = np.sign(fm) == np.sign(f0)
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    return 0.5 * (lo + hi)


__all__ = ["MIN_WIDTH", "Roots", "bernstein_roots", "evaluate", "restrict", "split"]
