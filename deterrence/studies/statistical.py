"""Strategic statistical models: the closed-form choice probabilities of the R package ``games``.

The trees ``egame12``, ``egame122`` and ``egame123`` of Kenkel & Signorino's R package
``games`` (Signorino 1999, 2003) are in ``models/`` with the outcome utilities as parameters.
This module gives their choice and outcome probabilities in closed form, on whole arrays of
utilities, with the package's conventions exactly (read from its sources, ``games/R/egame12.r``,
``egame122.r``, ``egame123.r`` of version 1.1.2, and from its article, Kenkel & Signorino 2014,
*Journal of Statistical Software* 56(8), section 2; derivations in
``docs/discussion/derivations.md#statistical-models``):

* **Agent error** (``type="agent"``): each mover's expected utility of each action gets an
  independent shock with scale ``sigma`` (1 for identification). A binary choice is
  ``Pr(R) = F((EU(R) - EU(L)) / (sigma * sqrt(2)))`` with ``F`` the standard normal CDF
  (``link="probit"``) or the logistic CDF (``link="logit"``). The package's logit agent model is
  therefore the agent logit quantal-response equilibrium with precision
  ``lambda = 1 / (sigma * sqrt(2))`` (not ``lambda = 1``); the probit one is the probit QRE at
  the same ``lambda``.
* **Private information** (``type="private"``): each player's utility of each *outcome* gets a
  shock known only to that player. The decisive error of a choice is the difference of the
  lottery-weighted outcome shocks behind the two alternatives, with variance ``sigma**2`` times
  the sum of the squared outcome weights (a sure outcome weighs 1). Only probit is defined:
  ``link="logit"`` with ``type="private"`` is coerced to probit with a warning, as the package does.

Probabilities are named as in the package: ``p1``/``p2`` are Player 1's L/R, and so on down the
tree (egame12: ``p3``/``p4`` Player 2's L/R; egame122: ``p3``/``p4`` Player 2 after L,
``p5``/``p6`` after R; egame123: ``p3``/``p4`` Player 2, ``p5``/``p6`` Player 3). Outcome
probabilities are keyed by the model files' terminal ids (``outcome1``, ...).

Utilities not identified in the package (Player 2's utility of egame12's outcome 1, ...) do not
enter; those normalised to 0 are 0.

Each tree's recursion is written once (:func:`egame12_recursion`, ...; :data:`TREES`), in terms of
a ``choose`` function for one binary choice: :func:`array_chooser` gives the package's choices on
arrays, and the estimator (:mod:`deterrence.studies.estimation`) runs the same recursions on dual
numbers for its analytic gradients. ``scale`` is one sigma for all players or ``{player: sigma}``
(the package's ``sdByPlayer``).

Examples
--------
>>> from deterrence.studies.statistical import egame12_probs
>>> r = egame12_probs(u11=0.5, u13=1, u14=-1, u24=0.5, link="logit")
>>> round(float(r.choices["p4"]), 6), round(float(r.choices["p2"]), 6)
(0.587479, 0.382898)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit
from scipy.stats import norm

from ..errors import ParameterError

__all__ = [
    "LAMBDA_AGENT",
    "TREES",
    "StatisticalProbabilities",
    "TreeForm",
    "array_chooser",
    "choice_probabilities",
    "egame12_probs",
    "egame122_probs",
    "egame123_probs",
]

#: The logit QRE precision equal to the package's agent model (sigma = 1).
LAMBDA_AGENT = 1.0 / math.sqrt(2.0)

LINKS = ("probit", "logit")
TYPES = ("agent", "private")

Chooser = Callable[[str, int, Any, Any], Any]
"""``choose(decision, player, diff, weights_sq)``: the probability that ``player`` takes the second
action at ``decision`` (``"p2"``, ``"p4"``, ``"p6"``: the package's names of those probabilities),
given the difference of its expected utilities (second minus first) and, for private information,
the sum of the squared lottery weights of the outcome shocks behind both actions."""


@dataclass(frozen=True)
class StatisticalProbabilities:
    """Choice and outcome probabilities of a strategic statistical model.

    Attributes
    ----------
    model
        ``"egame12"``, ``"egame122"`` or ``"egame123"``.
    link, type
        The link actually used (``"probit"`` after a coercion) and the error structure.
    choices
        ``"p1"``, ``"p2"``, ... as in the package: arrays broadcast from the utilities.
    outcomes
        Terminal id (``"outcome1"``, ...) -> probability array.
    """

    model: str
    link: str
    type: str
    choices: Mapping[str, np.ndarray]
    outcomes: Mapping[str, np.ndarray]


def _settle(link: str, type: str, scale: Any) -> tuple[str, Any]:
    if link not in LINKS:
        raise ParameterError(f"unknown link '{link}'; links are {', '.join(LINKS)}", name="link", value=link)
    if type not in TYPES:
        raise ParameterError(f"unknown type '{type}'; types are {', '.join(TYPES)}", name="type", value=type)
    sigma = _scales(scale)
    if type == "private" and link == "logit":
        warnings.warn(
            "logit link is not available with private information: using probit (as the R package "
            "games does)",
            UserWarning,
            stacklevel=3,
        )
        link = "probit"
    return link, sigma


def _scales(scale: Any) -> Any:
    """One sigma for every player (a number or an array), or ``{player number: sigma}``."""
    if isinstance(scale, Mapping):
        return {int(k): _scales(v) for k, v in scale.items()}
    sigma = np.asarray(scale, dtype=float)
    if not np.all(np.isfinite(sigma)) or np.any(sigma <= 0):
        raise ParameterError(
            f"scale must be positive and finite, got {scale!r}",
            name="scale",
            value=scale,
            domain=(0, math.inf),
        )
    return sigma


def _arrays(**utilities: Any) -> dict[str, np.ndarray]:
    out = {}
    for name, value in utilities.items():
        arr = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(arr)):
            raise ParameterError(f"utility '{name}' must be finite, got {value!r}", name=name, value=value)
        out[name] = arr
    return out


def _cdf(link: str, x: np.ndarray) -> np.ndarray:
    return norm.cdf(x) if link == "probit" else expit(x)


def array_chooser(link: str, type: str, sigma: Any) -> Chooser:
    """The package's binary choice on arrays: agent error (``link``, scale ``sigma * sqrt(2)``) or
    private information (probit, scale ``sigma * sqrt(sum of squared lottery weights)``).

    ``sigma`` is one scale for every player or ``{player number: scale}`` (the package's
    ``sdByPlayer``); a player missing from the mapping has scale 1.
    """

    def choose(decision: str, player: int, diff: Any, weights_sq: Any) -> Any:
        s = sigma.get(player, 1.0) if isinstance(sigma, Mapping) else sigma
        if type == "agent":
            return _cdf(link, diff / (s * math.sqrt(2.0)))
        return norm.cdf(diff / (s * np.sqrt(weights_sq)))

    return choose


# ---------------------------------------------------------------------------- the three trees
# Each recursion is written once and used twice: on arrays here, and on dual numbers by the
# estimator (deterrence.studies.estimation), which passes its own ``choose``. Only +, -, * and
# ``choose`` appear, so any number type with those operations works.


def egame12_recursion(u: Mapping[str, Any], choose: Chooser) -> tuple[dict[str, Any], dict[str, Any]]:
    """Choice and outcome probabilities of ``egame12`` from utilities ``u11, u13, u14, u24``."""
    p4 = choose("p4", 2, u["u24"], 2.0)
    p3 = 1.0 - p4
    diff = p3 * u["u13"] + p4 * u["u14"] - u["u11"]
    p2 = choose("p2", 1, diff, 1.0 + p3 * p3 + p4 * p4)
    p1 = 1.0 - p2
    choices = {"p1": p1, "p2": p2, "p3": p3, "p4": p4}
    return choices, {"outcome1": p1, "outcome3": p2 * p3, "outcome4": p2 * p4}


def egame122_recursion(u: Mapping[str, Any], choose: Chooser) -> tuple[dict[str, Any], dict[str, Any]]:
    """Choice and outcome probabilities of ``egame122`` from ``u11, u12, u13, u14, u22, u24``."""
    p4 = choose("p4", 2, u["u22"], 2.0)
    p6 = choose("p6", 2, u["u24"], 2.0)
    p3, p5 = 1.0 - p4, 1.0 - p6
    diff = p5 * u["u13"] + p6 * u["u14"] - p3 * u["u11"] - p4 * u["u12"]
    p2 = choose("p2", 1, diff, p3 * p3 + p4 * p4 + p5 * p5 + p6 * p6)
    p1 = 1.0 - p2
    choices = {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p6": p6}
    outcomes = {"outcome1": p1 * p3, "outcome2": p1 * p4, "outcome3": p2 * p5, "outcome4": p2 * p6}
    return choices, outcomes


def egame123_recursion(u: Mapping[str, Any], choose: Chooser) -> tuple[dict[str, Any], dict[str, Any]]:
    """Choice and outcome probabilities of ``egame123`` from ``u11, u13, u15, u16, u23, u25, u26, u36``."""
    p6 = choose("p6", 3, u["u36"], 2.0)
    p5 = 1.0 - p6
    diff2 = p5 * u["u25"] + p6 * u["u26"] - u["u23"]
    p4 = choose("p4", 2, diff2, p5 * p5 + p6 * p6 + 1.0)
    p3 = 1.0 - p4
    diff1 = p3 * u["u13"] + p4 * (p5 * u["u15"] + p6 * u["u16"]) - u["u11"]
    p2 = choose("p2", 1, diff1, p3 * p3 + p4 * p4 * p5 * p5 + p4 * p4 * p6 * p6 + 1.0)
    p1 = 1.0 - p2
    choices = {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p6": p6}
    outcomes = {"outcome1": p1, "outcome3": p2 * p3, "outcome5": p2 * p4 * p5, "outcome6": p2 * p4 * p6}
    return choices, outcomes


@dataclass(frozen=True)
class TreeForm:
    """A ``games`` tree as the estimator needs it.

    Attributes
    ----------
    name
        ``"egame12"``, ``"egame122"`` or ``"egame123"``.
    utilities
        The identified utilities in the package's order (the order of the formula's parts).
    players
        Number of players.
    outcomes
        Terminal ids left to right (``1, 3, 4`` for egame12), keys ``outcome<id>`` of the outcomes.
    recursion
        ``recursion(utilities, choose) -> (choices, outcomes)``.
    """

    name: str
    utilities: tuple[str, ...]
    players: int
    outcomes: tuple[int, ...]
    recursion: Callable[[Mapping[str, Any], Chooser], tuple[dict[str, Any], dict[str, Any]]]


TREES: dict[str, TreeForm] = {
    "egame12": TreeForm("egame12", ("u11", "u13", "u14", "u24"), 2, (1, 3, 4), egame12_recursion),
    "egame122": TreeForm(
        "egame122", ("u11", "u12", "u13", "u14", "u22", "u24"), 2, (1, 2, 3, 4), egame122_recursion
    ),
    "egame123": TreeForm(
        "egame123",
        ("u11", "u13", "u15", "u16", "u23", "u25", "u26", "u36"),
        3,
        (1, 3, 5, 6),
        egame123_recursion,
    ),
}


def _evaluate(
    name: str, link: str, type: str, scale: Any, utilities: dict[str, Any]
) -> StatisticalProbabilities:
    link, sigma = _settle(link, type, scale)
    u = _arrays(**utilities)
    choices, outcomes = TREES[name].recursion(u, array_chooser(link, type, sigma))
    return StatisticalProbabilities(name, link, type, choices, outcomes)


def egame12_probs(
    u11: Any,
    u13: Any,
    u14: Any,
    u24: Any,
    *,
    link: str = "probit",
    type: str = "agent",
    scale: Any = 1.0,
) -> StatisticalProbabilities:
    """Choice and outcome probabilities of ``egame12`` (2 players, 3 outcomes).

    Parameters
    ----------
    u11, u13, u14
        Player 1's utilities of outcomes 1 (L), 3 (R then L) and 4 (R then R); arrays broadcast.
    u24
        Player 2's utility of outcome 4 (its utility of outcome 3 is 0).
    link
        ``"probit"`` or ``"logit"``.
    type
        ``"agent"`` (agent error: QRE) or ``"private"`` (private information: probit only).
    scale
        sigma, the error scale (1 in the package's identified model); one for every player, or
        ``{player number: sigma}`` for one per player (the package's ``sdByPlayer``).

    Returns
    -------
    StatisticalProbabilities
        ``p1..p4`` and ``outcome1``, ``outcome3``, ``outcome4``.
    """
    return _evaluate("egame12", link, type, scale, dict(u11=u11, u13=u13, u14=u14, u24=u24))


def egame122_probs(
    u11: Any,
    u12: Any,
    u13: Any,
    u14: Any,
    u22: Any,
    u24: Any,
    *,
    link: str = "probit",
    type: str = "agent",
    scale: Any = 1.0,
) -> StatisticalProbabilities:
    """Choice and outcome probabilities of ``egame122`` (2 players, 4 outcomes).

    Parameters
    ----------
    u11, u12, u13, u14
        Player 1's utilities of outcomes 1 (L, L), 2 (L, R), 3 (R, L), 4 (R, R).
    u22, u24
        Player 2's utilities of outcomes 2 and 4 (those of outcomes 1 and 3 are 0).
    link, type, scale
        As in :func:`egame12_probs`.

    Returns
    -------
    StatisticalProbabilities
        ``p1..p6`` and ``outcome1..outcome4``.
    """
    return _evaluate(
        "egame122", link, type, scale, dict(u11=u11, u12=u12, u13=u13, u14=u14, u22=u22, u24=u24)
    )


def egame123_probs(
    u11: Any,
    u13: Any,
    u15: Any,
    u16: Any,
    u23: Any,
    u25: Any,
    u26: Any,
    u36: Any,
    *,
    link: str = "probit",
    type: str = "agent",
    scale: Any = 1.0,
) -> StatisticalProbabilities:
    """Choice and outcome probabilities of ``egame123`` (3 players, 4 outcomes).

    Parameters
    ----------
    u11, u13, u15, u16
        Player 1's utilities of outcomes 1, 3, 5 and 6.
    u23, u25, u26
        Player 2's utilities of outcomes 3, 5 and 6.
    u36
        Player 3's utility of outcome 6 (its utility of outcome 5 is 0).
    link, type, scale
        As in :func:`egame12_probs`.

    Returns
    -------
    StatisticalProbabilities
        ``p1..p6`` and ``outcome1``, ``outcome3``, ``outcome5``, ``outcome6``.
    """
    return _evaluate(
        "egame123",
        link,
        type,
        scale,
        dict(u11=u11, u13=u13, u15=u15, u16=u16, u23=u23, u25=u25, u26=u26, u36=u36),
    )


_FUNCTIONS = {"egame12": egame12_probs, "egame122": egame122_probs, "egame123": egame123_probs}


def choice_probabilities(
    model: Any,
    *,
    link: str = "probit",
    type: str = "agent",
    scale: Any = 1.0,
    **utilities: Any,
) -> StatisticalProbabilities:
    """Closed-form probabilities of a ``games`` model, by name or :class:`~deterrence.Model`.

    Utilities not given take the model's defaults (when a model is passed or the name is a
    catalogue model).

    Raises
    ------
    ParameterError
        For a model that is not one of ``egame12``, ``egame122``, ``egame123``, or an unknown
        utility name.
    """
    name = model if isinstance(model, str) else getattr(model, "name", None)
    if name not in _FUNCTIONS:
        raise ParameterError(
            f"no closed-form statistical model named {name!r}; choose from {sorted(_FUNCTIONS)}",
            name="model",
            value=name,
        )
    if isinstance(model, str):
        from ..catalogue import load_model

        model = load_model(model)
    unknown = [k for k in utilities if k not in model.parameters]
    if unknown:
        raise ParameterError(
            f"unknown utility '{unknown[0]}' for {name}; utilities are {', '.join(model.parameters)}",
            name=unknown[0],
        )
    values = {k: p.default for k, p in model.parameters.items()}
    values.update(utilities)
    return _FUNCTIONS[name](**values, link=link, type=type, scale=scale)
