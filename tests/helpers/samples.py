"""Seeded domain points of catalogue models (:func:`deterrence.kernels.domain_sample`), drawn once
per process: several tests and parametrisations solve the same points (the AEG's orderings reject
nearly every draw, so each sample costs about a million draws). Each call returns fresh copies."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

import deterrence as dt
from deterrence import kernels


@cache
def _columns(model: str, n: int, seed: int) -> dict[str, np.ndarray]:
    out = kernels.domain_sample(dt.load_model(model), n, seed=seed)
    for column in out.values():
        column.setflags(write=False)
    return out


def sample(model: str | Path, n: int, seed: int) -> dict[str, np.ndarray]:
    """``domain_sample(load_model(model), n, seed=seed)``, as new arrays."""
    return {k: v.copy() for k, v in _columns(str(model), n, seed).items()}


def points(model: str | Path, n: int, seed: int) -> list[dict[str, float]]:
    """The points of :func:`sample` as ``{parameter: float}`` dicts, in order."""
    columns = _columns(str(model), n, seed)
    size = len(next(iter(columns.values()))) if columns else 0
    return [{k: float(v[i]) for k, v in columns.items()} for i in range(size)]
