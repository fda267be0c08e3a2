"""Closed-form solutions on arrays, for the compiled kernels' mixed structures and off-path beliefs.

With one or two binary mixing sets the indifference conditions are linear or bilinear in the
mixing probabilities (known from their values at the pure corners): :func:`linear_root` and
:func:`bilinear_roots` solve them on whole arrays of points, flagging knife edges.
:func:`belief_interval` tests whether an off-path belief supports a profile. Used by
:mod:`deterrence.kernels` and its two evaluation paths.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def corner_coefficients(v: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """``(a, b, c, d)`` of ``a + b x + c y + d x y`` from its values at corners (0,0), (0,1), (1,0), (1,1)."""
    return v[0], v[2] - v[0], v[1] - v[0], v[3] - v[2] - v[1] + v[0]


def linear_root(at0: np.ndarray, at1: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Root in x of the line through ``(0, at0)`` and ``(1, at1)``: (x, defined, knife edge).

    Where the line is flat the root is undefined (x = 0.5 is a placeholder); a flat line at zero
    is a continuum of solutions, a knife edge.
    """
    slope = at1 - at0
    with np.errstate(divide="ignore", invalid="ignore"):
        x = -at0 / slope
    flat = np.abs(slope) < eps
    ok = ~flat & np.isfinite(x)
    return np.where(ok, x, 0.5), ok, flat & (np.abs(at0) < eps)


def bilinear_roots(first: Sequence[np.ndarray], second: Sequence[np.ndarray], eps: float) -> list[tuple]:
    """Common roots of two bilinear equations ``a + b x + c y + d x y = 0`` (on arrays).

    Eliminating y from the first gives a quadratic in x; returns two ``(x, y, defined, knife edge)``
    tuples (placeholders 0.5 where undefined). A double root, a degenerate system or a vanishing
    denominator is a knife edge.
    """
    a1, b1, c1, d1 = first
    a2, b2, c2, d2 = second
    A = b2 * d1 - d2 * b1
    B = a2 * d1 + b2 * c1 - c2 * b1 - d2 * a1
    C = a2 * c1 - c2 * a1
    out = []
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = B * B - 4 * A * C
        quad = np.abs(A) > eps
        lin = ~quad & (np.abs(B) > eps)
        sq = np.sqrt(np.where(disc >= 0, disc, 0.0))
        knife = (quad & (np.abs(disc) < eps)) | (~quad & ~lin)
        for sign in (1.0, -1.0):
            x = np.where(quad, (-B + sign * sq) / (2 * A), -C / B)
            den = c1 + d1 * x
            y = -(a1 + b1 * x) / den
            ok = (quad & (disc >= 0)) | (lin & (sign > 0))
            ok &= np.isfinite(x) & np.isfinite(y) & (np.abs(den) > eps)
            out.append((np.where(ok, x, 0.5), np.where(ok, y, 0.5), ok, knife | (np.abs(den) <= eps)))
    return out


def belief_interval(d: list[list[np.ndarray]], use: list[bool], margin: float) -> np.ndarray:
    """Is there m in [0, 1] with d0 + m (d1 - d0) >= margin for every used plan?"""
    lo = np.zeros(d[0][0].shape)
    hi = np.ones(d[0][0].shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        for (d0, d1), u in zip(d, use, strict=True):
            if not u:
                continue
            slope = d1 - d0
            bound = (margin - d0) / slope
            up = slope > 0
            down = slope < 0
            lo = np.where(up, np.maximum(lo, bound), lo)
            hi = np.where(down, np.minimum(hi, bound), hi)
            lo = np.where(~up & ~down & (d0 < margin), 2.0, lo)
    return lo <= hi

