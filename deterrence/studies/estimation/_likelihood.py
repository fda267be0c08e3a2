"""The log-likelihood of a strategic statistical model and its analytic gradient.

The parameters are the coefficients of each estimated utility (``u = X @ beta``) and of each
scale equation (``log sigma = Z @ gamma``, common or one per player). The choice and outcome
probabilities come from the tree's recursion in :mod:`deterrence.studies.statistical`, run on
:mod:`dual numbers <._dual>` whose base directions are the utilities and log-scales, so every
probability carries its exact derivative with respect to each of them; the derivative with
respect to a coefficient is that times its regressor (one product per block). Choice
probabilities are kept inside ``[eps, 1 - eps]`` as the package does (``finiteProbs``), so the
log-likelihood is always finite.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import _dual as dual
from ._trees import Tree

EPS = float(np.finfo(float).eps)
_SQRT2 = math.sqrt(2.0)


@dataclass(frozen=True)
class Block:
    """One equation: a utility (``u11``) or a scale (``log(sigma)``, ``log(sigma2)``, ...).

    Attributes
    ----------
    name
        The equation's name, the prefix of its coefficients (``u11:(Intercept)``).
    columns
        Names of its regressors (none: a utility fixed at 0, or at ``fixed``).
    players
        For a scale equation, the players whose errors it scales.
    fixed
        A utility fixed at a known value (the package's ``fixedUtils``), not estimated.
    """

    name: str
    columns: tuple[str, ...]
    players: tuple[int, ...] = ()
    fixed: float | None = None

    @property
    def is_scale(self) -> bool:
        return bool(self.players)

    @property
    def estimated(self) -> bool:
        return bool(self.columns) and self.fixed is None


class StrategicModel:
    """The probabilities and log-likelihood of one specification (tree, link, type, equations).

    Parameters
    ----------
    tree
        The tree.
    link, type
        ``"probit"``/``"logit"``, ``"agent"``/``"private"`` (private is probit only).
    blocks
        Every utility of the tree in order, then the scale equations (if any).
    """

    def __init__(self, tree: Tree, link: str, type: str, blocks: Sequence[Block]) -> None:
        self.tree = tree
        self.link = link
        self.type = type
        self.blocks = tuple(blocks)
        self.estimated = [i for i, b in enumerate(self.blocks) if b.estimated]
        sizes = [len(self.blocks[i].columns) for i in self.estimated]
        edges = np.cumsum([0, *sizes])
        self.slices = {
            i: slice(int(a), int(b)) for i, a, b in zip(self.estimated, edges[:-1], edges[1:], strict=True)
        }
        self.direction = {i: k for k, i in enumerate(self.estimated)}

    @property
    def param_names(self) -> list[str]:
        return [f"{self.blocks[i].name}:{c}" for i in self.estimated for c in self.blocks[i].columns]

    @property
    def n_params(self) -> int:
        return len(self.param_names)

    # ------------------------------------------------------------------ probabilities
    def bases(
        self, theta: np.ndarray, Xs: Sequence[np.ndarray], derivatives: bool = True
    ) -> tuple[dict[str, object], object]:
        """Utilities (duals for estimated ones, numbers for fixed ones) and the scale(s); plain arrays
        with ``derivatives=False``."""
        k = len(self.estimated)

        def linear(i: int) -> object:
            v = Xs[i] @ theta[self.slices[i]]
            return dual.variable(v, self.direction[i], k) if derivatives else v

        utilities: dict[str, object] = {}
        scales: dict[int, object] = {}
        for i, b in enumerate(self.blocks):
            if b.is_scale:
                sigma = dual.exp(linear(i))
                scales.update({p: sigma for p in b.players})
            elif b.fixed is not None:
                utilities[b.name] = float(b.fixed)
            elif not b.columns:
                utilities[b.name] = 0.0
            else:
                utilities[b.name] = linear(i)
        return utilities, (scales if scales else 1.0)

    def chooser(self, sigma: object):
        """The package's binary choice on duals (see :func:`deterrence.studies.statistical.array_chooser`)."""
        link, agent = self.link, self.type == "agent"

        def choose(decision: str, player: int, diff: object, weights_sq: object) -> object:
            s = sigma.get(player, 1.0) if isinstance(sigma, dict) else sigma
            scale = s * _SQRT2 if agent else s * dual.sqrt(weights_sq)
            return dual.cdf(link, diff / scale, EPS)

        return choose

    def probabilities(
        self, theta: np.ndarray, Xs: Sequence[np.ndarray], derivatives: bool = True
    ) -> tuple[dict[str, object], list[object]]:
        """``(choices, outcome probabilities left to right)``, as duals (or arrays)."""
        utilities, sigma = self.bases(theta, Xs, derivatives)
        choices, outcomes = self.tree.form.recursion(utilities, self.chooser(sigma))
        return choices, [outcomes[f"outcome{o}"] for o in self.tree.outcomes]

    def loglik(self, theta: np.ndarray, Xs: Sequence[np.ndarray], y: np.ndarray) -> dual.Dual:
        """Per-observation log-likelihood with its derivatives along the base directions."""
        _, outcomes = self.probabilities(theta, Xs)
        n, k = len(y), len(self.estimated)
        return dual.log(dual.pick(outcomes, y, n, k))

    # ------------------------------------------------------------------ derivatives
    def chain(self, d: np.ndarray, Xs: Sequence[np.ndarray]) -> np.ndarray:
        """Derivatives along the base directions ``(n, k)`` -> with respect to the coefficients ``(n, p)``."""
        cols = [d[:, self.direction[i]][:, None] * Xs[i] for i in self.estimated]
        return np.concatenate(cols, axis=1) if cols else np.zeros((d.shape[0], 0))


class Likelihood:
    """A :class:`StrategicModel` bound to data: the objective of the optimiser."""

    def __init__(self, model: StrategicModel, Xs: Sequence[np.ndarray], y: np.ndarray) -> None:
        self.model = model
        self.Xs = list(Xs)
        self.y = np.asarray(y, dtype=np.int64)

    @property
    def nobs(self) -> int:
        return len(self.y)

    def loglik_obs(self, theta: np.ndarray) -> np.ndarray:
        return self.model.loglik(theta, self.Xs, self.y).v

    def score_obs(self, theta: np.ndarray) -> np.ndarray:
        return self.model.chain(self.model.loglik(theta, self.Xs, self.y).d, self.Xs)

    def value_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll = self.model.loglik(theta, self.Xs, self.y)
        return float(ll.v.sum()), self.model.chain(ll.d, self.Xs).sum(axis=0)

    def resample(self, rows: np.ndarray) -> Likelihood:
        return Likelihood(self.model, [X[rows] for X in self.Xs], self.y[rows])
