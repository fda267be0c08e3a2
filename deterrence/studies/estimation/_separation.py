"""Separation: does a combination of a decision's regressors predict its observed choices perfectly?

For one binary decision with rows ``X`` and choices ``y`` (1 = second action), there is
(quasi-)complete separation when some ``b != 0`` has ``X b >= 0`` on every row with ``y = 1`` and
``X b <= 0`` on every row with ``y = 0``: the likelihood then keeps rising as ``b`` grows and the
maximum-likelihood estimate does not exist. The linear programme of Konis (2007) (maximise the
total signed margin with ``-1 <= b <= 1``) finds such a ``b`` when there is one.

For the last movers of a tree the choice index is linear in their coefficients, so the test is
exact. Higher up it is run on the design of statistical backward induction (the regressors
weighted by the estimated downstream probabilities), which is exact given those probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import linprog


def separating_direction(X: np.ndarray, y: np.ndarray, tol: float = 1e-7) -> np.ndarray | None:
    """A direction ``b`` that separates ``y`` (normalised, largest entry 1), or None."""
    n, p = X.shape
    if n == 0 or p == 0 or len(np.unique(y)) < 2:
        return None
    scale = np.maximum(np.max(np.abs(X), axis=0), 1e-12)
    Z = (X / scale) * np.where(y > 0, 1.0, -1.0)[:, None]
    res = linprog(-Z.sum(axis=0), A_ub=-Z, b_ub=np.zeros(n), bounds=[(-1, 1)] * p, method="highs")
    if res.status != 0 or -res.fun <= tol * n:
        return None
    b = res.x / scale
    return b / np.max(np.abs(b))


def describe(b: np.ndarray, names: Sequence[str]) -> str:
    """The regressors that carry a separating direction, largest first."""
    order = np.argsort(-np.abs(b))
    return ", ".join(f"{names[i]} ({b[i]:+.2g})" for i in order if abs(b[i]) > 1e-6)
