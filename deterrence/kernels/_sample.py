"""Seeded samples of parameter points inside a model's domains that satisfy its orderings.

Used to probe the candidate structures when compiling (:func:`deterrence.kernels.compile_model`),
by :mod:`deterrence.analysis` and by the benchmarks; re-exported by :mod:`deterrence.kernels`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def domain_sample(
    model: Any, n: int, seed: int = 0, fixed: Mapping[str, Any] | None = None
) -> dict[str, np.ndarray]:
    """A seeded sample of parameter points inside the domains that satisfy the model's orderings.

    Points are drawn uniformly over the domains (infinite ends replaced by a range around the
    default) and rejected where an ordering fails, in batches, up to a million draws. Models with
    long ordering chains (Zagare–Kilgour utilities) reject almost everything; the sample is then
    completed by points drawn uniformly in a box around the defaults (which satisfy the
    orderings), shrunk until enough points pass. Parameters in ``fixed`` are pinned. Returns
    arrays for every parameter (``n`` points unless the orderings leave fewer).
    """
    rng = np.random.default_rng(seed)
    fixed = dict(fixed or {})
    ranges: dict[str, tuple[float, float]] = {}
    for name, p in model.parameters.items():
        lo, hi = float(p.domain[0]), float(p.domain[1])
        d = float(p.default)
        if not np.isfinite(lo):
            lo = d - max(1.0, 3 * abs(d))
        if not np.isfinite(hi):
            hi = d + max(1.0, 3 * abs(d))
        ranges[name] = (lo, hi)

    def draw(size: int, shrink: float | None) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for name, p in model.parameters.items():
            if name in fixed:
                out[name] = np.full(size, float(fixed[name]))
                continue
            lo, hi = ranges[name]
            if shrink is not None:
                d, half = float(p.default), shrink * (hi - lo) / 2
                lo, hi = max(lo, d - half), min(hi, d + half)
            out[name] = rng.uniform(lo, hi, size)
        ok = model.ordering_ok(out)  # (the orderings alone: no payoffs evaluated)
        return {k: v[ok] for k, v in out.items()}

    got: list[dict[str, np.ndarray]] = []
    count, drawn, batch = 0, 0, max(4 * n, 10_000)
    shrink: float | None = None
    while count < n:
        part = draw(batch, shrink)
        got.append(part)
        count += len(next(iter(part.values()))) if part else 0
        drawn += batch
        if count < n and drawn >= 1_000_000:
            shrink = 0.5 if shrink is None else shrink / 2
            drawn = 0
            if shrink < 1e-3:
                break
    return {k: np.concatenate([g[k] for g in got])[:n] for k in model.parameters}


__all__ = ["domain_sample"]
