"""``fit()``: the front door of estimation (``dt.fit``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...errors import ParameterError
from ..statistical import LINKS, TYPES, _settle
from . import _trees
from ._result import FitResult
from ._strategic import fit_strategic
from ._structural import fit_structural


def _model(model: Any) -> Any:
    if isinstance(model, str):
        from ...catalogue import load_model

        return load_model(model)
    if not hasattr(model, "game") or not hasattr(model, "parameters"):
        raise ParameterError(
            f"model must be a catalogue model or its name, got {type(model).__name__}", name="model"
        )
    return model


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_common(link: str | None, type: str, maxiter: int, boot: int, seed: Any = None) -> None:
    if link is not None and link not in LINKS:
        raise ParameterError(f"unknown link '{link}'; links are {', '.join(LINKS)}", name="link", value=link)
    if type not in TYPES:
        raise ParameterError(f"unknown type '{type}'; types are {', '.join(TYPES)}", name="type", value=type)
    for name, value in (("maxiter", maxiter), ("boot", boot)):
        if not _is_int(value):
            raise ParameterError(f"{name} must be an integer, got {value!r}", name=name, value=value)
    if seed is not None and not (_is_int(seed) and seed >= 0):
        raise ParameterError(
            f"seed must be a non-negative integer or None, got {seed!r}", name="seed", value=seed
        )
    if int(maxiter) < 1:
        raise ParameterError(
            f"maxiter must be a positive integer, got {maxiter}", name="maxiter", value=maxiter
        )
    if int(boot) < 0 or int(boot) == 1:
        raise ParameterError(
            f"boot must be 0 (none) or at least 2 replicates, got {boot}", name="boot", value=boot
        )


def _refuse(mode: str, **given: Any) -> None:
    bad = [k for k, v in given.items() if v not in (None, False)]
    if bad:
        owner = (
            "structural fits (estimate=, without a formula)"
            if mode == "strategic"
            else "strategic fits (with a formula)"
        )
        raise ParameterError(f"{', '.join(bad)} only apply to {owner}", name=bad[0])


def fit(
    model: Any,
    formula: str | None = None,
    data: Any = None,
    *,
    link: str | None = None,
    type: str = "agent",
    outcomes: Sequence[Any] | None = None,
    subset: Any = None,
    fixed_utils: Sequence[float] | None = None,
    sd_formula: str | None = None,
    sd_by_player: bool = False,
    estimate: Sequence[str] | None = None,
    fixed: Mapping[str, float] | None = None,
    lam: float | None = None,
    start: Any = None,
    maxiter: int = 500,
    boot: int = 0,
    seed: int | None = None,
) -> FitResult:
    """Fit a deterrence model to data by maximum likelihood.

    Two kinds of fit share this front door and return the same :class:`FitResult`:

    **Strategic statistical models** (``egame12``, ``egame122``, ``egame123``; the R package
    ``games``): pass a ``formula`` with one part per utility and a data frame with one row per
    crisis, e.g. ``dt.fit("egame12", "esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc +
    regime2", data)``. The package's conventions are kept: utilities in its order, ``0`` fixes a
    utility at zero, an intercept unless ``0``/``- 1``, factor columns as dummies against their first
    level, outcomes as one column or the package's dummies, rows with a missing value in a used
    column dropped (counted in the summary), agent error with scale ``sqrt(2)`` (``sigma = 1``),
    logit with private information coerced to probit (with a warning), starting values by
    statistical backward induction, BFGS, standard errors from the inverse Hessian.

    **Structural QRE fits** of any catalogue model: pass ``estimate=[...]`` (payoff parameters to
    estimate; the others at their defaults or ``fixed=``) and ``data`` as counts of crises by
    outcome (``{"status_quo": 40, "capitulation": 9, "war": 6}``); the precision ``lambda`` is
    estimated too unless ``lam=`` fixes it.

    Parameters
    ----------
    model
        A catalogue model or its name.
    formula
        ``"outcome(s) ~ u1 part | u2 part | ..."`` (strategic fits; see
        :mod:`deterrence.studies.estimation`).
    data
        A data frame (strategic) or outcome counts (structural).
    link
        ``"probit"`` (default for strategic fits) or ``"logit"`` (default for structural fits).
    type
        ``"agent"`` (agent error: QRE) or ``"private"`` (private information, strategic fits only).
    outcomes
        The values of a single outcome column in tree order, when they are not the terminal
        numbers (1, 3, 4 for egame12) or 1..K, or not sortable into tree order.
    subset
        A boolean mask of the rows to use (applied before dropping missing values).
    fixed_utils
        Known utilities, one per utility in the package's order: the utilities are not estimated,
        the error scale is (the package's ``fixedUtils``; the formula needs only its outcome side).
    sd_formula
        A formula for ``log sigma`` (``"~ balanc - 1"``); one part per player with ``sd_by_player``.
    sd_by_player
        One scale equation per player (the package's ``sdByPlayer``).
    estimate
        Structural fits: the model parameters to estimate.
    fixed
        Structural fits: values of other parameters (default: the model's defaults).
    lam
        Structural fits: a known precision (default: estimated).
    start
        Strategic fits: ``"sbi"`` (default), ``"zero"``, ``"unif"``, a vector or a mapping of
        parameter names to values. Structural fits: a mapping (``lambda`` and parameter names).
    maxiter
        Iteration limit of the optimiser.
    boot
        Number of bootstrap replicates (0: none); the summary then uses bootstrap standard errors.
    seed
        Seed of the bootstrap (and of ``start="unif"``).

    Returns
    -------
    FitResult

    Raises
    ------
    ParameterError
        A missing column, an outcome outside the tree's, a constant or collinear regressor, a
        regressor in all of a player's utilities, an outcome never observed, a misspelt option.
    ExpressionError
        Formula text that does not parse, or has the wrong number of parts.
    PerfectSeparationError
        Regressors that predict the last mover's choices perfectly (no maximum-likelihood estimate).
    ParameterError
        Also: ``maxiter`` or ``boot`` not an integer, ``seed`` not a non-negative integer; a text
        regressor column holding numbers (all, or 90% of its values) rather than categories.

    Warns
    -----
    ConvergenceWarning, IdentificationWarning, SeparationWarning
        A fit that stopped early, parameters the data do not identify (named), near-separation;
        a structural fit driving the probability of an outcome never observed to zero. In the
        last two cases, and for unidentified parameters, the standard errors are NaN.
    """
    m = _model(model)
    _check_common(link, type, maxiter, boot, seed)
    if formula is not None:
        tree = _trees.tree(m.name)
        if tree is None:
            raise ParameterError(
                f"formulas apply to the strategic statistical trees {_trees.names()}; fit {m.name!r} "
                "structurally with estimate=[...] and outcome counts",
                name="model",
                value=m.name,
            )
        _refuse("strategic", estimate=estimate, fixed=fixed, lam=lam)
        link, _ = _settle(link or "probit", type, 1.0)
        return fit_strategic(
            tree,
            formula,
            data,
            link=link,
            type=type,
            outcomes=outcomes,
            subset=subset,
            fixed_utils=fixed_utils,
            sd_formula=sd_formula,
            sd_by_player=sd_by_player,
            start=start,
            maxiter=int(maxiter),
            boot=int(boot),
            seed=seed,
        )
    if estimate is None and lam is not None:
        estimate = []
    if estimate is None:
        raise ParameterError(
            "give a formula (strategic model with regressors) or estimate=[...] (structural fit of the QRE "
            "to outcome counts)",
            name="formula",
        )
    _refuse(
        "structural",
        outcomes=outcomes,
        subset=subset,
        fixed_utils=fixed_utils,
        sd_formula=sd_formula,
        sd_by_player=sd_by_player,
    )
    if type != "agent":
        raise ParameterError(
            "structural fits use the agent QRE: type must be 'agent'", name="type", value=type
        )
    if start is not None and not isinstance(start, Mapping):
        raise ParameterError("start= for a structural fit maps parameter names to values", name="start")
    return fit_structural(
        m,
        data,
        estimate=estimate,
        fixed=fixed,
        lam=lam,
        link=link or "logit",
        start=start,
        maxiter=int(maxiter),
        boot=int(boot),
        seed=seed,
    )
