"""Starting values by statistical backward induction (Bas, Signorino & Walker 2008), as ``games`` does.

From the last movers up, each decision is one binary probit or logit regression on the rows that
reach it: the regressors of the mover's utilities weighted by the (already estimated) downstream
choice probabilities, with a minus sign on the first action's side. The fitted choice
probabilities feed the regressions above. The coefficients are multiplied by sqrt(2), the
dispersion of the agent-error model (the package's ``sbi12``, ``sbi122``, ``sbi123``).

The weights are read off the tree's own recursion: run on dual numbers whose base directions are
the utilities, with this module's ``choose`` (which fits the regression and returns constant
probabilities), the expected-utility difference at a decision *is* the weighted sum, and its
derivative with respect to each utility is the weight.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, ndtr

from . import _dual as dual
from ._likelihood import StrategicModel
from ._separation import describe, separating_direction

_EPS = 1e-10
# separation drives the regression's fitted index off to infinity; below this none is suspected
_SCREEN = 5.0


def binary_glm(
    X: np.ndarray,
    y: np.ndarray,
    link: str,
    offset: np.ndarray | None = None,
    maxit: int = 25,
    tol: float = 1e-8,
) -> np.ndarray:
    """Binary probit/logit regression by iteratively reweighted least squares (R's ``glm.fit``:
    at most 25 iterations, relative deviance change 1e-8). Under separation the coefficients grow
    without converging, as in R; the caller only uses them as starting values."""
    n, p = X.shape
    b = np.zeros(p)
    if p == 0:
        return b
    off = np.zeros(n) if offset is None else offset
    dev_old = math.inf
    for _ in range(maxit):
        eta = X @ b + off
        mu, dens = _mean_and_density(link, eta)
        w = dens * dens / (mu * (1.0 - mu))
        z = eta - off + (y - mu) / dens
        XtW = X.T * w
        try:
            b = np.linalg.solve(XtW @ X, XtW @ z)
        except np.linalg.LinAlgError:
            b, *_ = np.linalg.lstsq(X * np.sqrt(w)[:, None], z * np.sqrt(w), rcond=None)
        mu, _ = _mean_and_density(link, X @ b + off)
        dev = -2.0 * float(np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu)))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            break
        dev_old = dev
    return b


def _mean_and_density(link: str, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if link == "probit":
        mu = ndtr(eta)
        dens = np.exp(-0.5 * eta * eta) / math.sqrt(2 * math.pi)
    else:
        mu = expit(eta)
        dens = mu * (1 - mu)
    return np.clip(mu, _EPS, 1 - _EPS), np.maximum(dens, _EPS)


@dataclass(frozen=True)
class Separation:
    """A decision whose (weighted) regressors separate its observed choices."""

    decision: str
    player: int
    last: bool
    rows: int
    direction: str


def sbi_start(
    model: StrategicModel, Xs: Sequence[np.ndarray], y: np.ndarray
) -> tuple[np.ndarray, list[Separation]]:
    """Starting coefficients by statistical backward induction (scale coefficients start at 0), and
    the decisions whose regressors separate the observed choices (see :mod:`._separation`)."""
    theta = np.zeros(model.n_params)
    found: list[Separation] = []
    k = len(model.estimated)
    utilities = {}
    for i, b in enumerate(model.blocks):
        if not b.is_scale:
            utilities[b.name] = (
                dual.variable(np.zeros(len(y)), model.direction[i], k) if b.estimated else (b.fixed or 0.0)
            )
    decisions = {d.key: d for d in model.tree.decisions}
    outcome_ids = np.asarray(model.tree.outcomes)[y]

    def choose(key: str, player: int, diff: object, weights_sq: object) -> np.ndarray:
        d = decisions[key]
        rows = np.isin(outcome_ids, list(d.reached))
        right = np.isin(outcome_ids, list(d.right)).astype(float)
        blocks = [
            i
            for i in model.estimated
            if isinstance(diff, dual.Dual) and np.any(diff.d[:, model.direction[i]])
        ]
        X = (
            np.concatenate([diff.d[:, model.direction[i]][:, None] * Xs[i] for i in blocks], axis=1)
            if blocks
            else np.zeros((len(y), 0))
        )
        offset = dual.value(diff) * np.ones(len(y))
        names = [f"{model.blocks[i].name}:{c}" for i in blocks for c in model.blocks[i].columns]
        coef = binary_glm(X[rows], right[rows], model.link, offset[rows])
        eta = X[rows] @ coef + offset[rows]
        if eta.size and float(np.max(np.abs(eta))) > _SCREEN:  # fitted choices near certain: check
            b = separating_direction(X[rows], right[rows])
            if b is not None:
                last = len(d.left) == 1 and len(d.right) == 1
                found.append(Separation(key, player, last, int(rows.sum()), describe(b, names)))
        start = 0
        for i in blocks:
            width = Xs[i].shape[1]
            theta[model.slices[i]] = math.sqrt(2.0) * coef[start : start + width]
            start += width
        return _mean_and_density(model.link, X @ coef + offset)[0]

    model.tree.form.recursion(utilities, choose)
    return theta, found
