"""Non-nested model comparison: Vuong's (1989) and Clarke's (2007) tests, as in the package.

Both compare two models of the same dependent variable from their per-observation
log-likelihoods, with the package's BIC correction for the number of parameters:

* Vuong: ``(sum(l1 - l2) - (k1 - k2) log(n) / 2) / (sqrt(n) * sd(l1 - l2))`` (``sd`` with
  denominator ``n``), standard normal under the null of equal fit.
* Clarke: the number of observations with ``l1 - l2 > (k1 - k2) log(n) / (2 n)``, binomial
  ``(n, 1/2)`` under the null; two-sided p-value ``2 * P(B <= min(b, n - b))``.

A strategic model can be compared with a binary model of one of its outcomes (``outcome1=3``:
whether the third outcome happened), as the package's ``outcome1``/``outcome2``. A model may be
a :class:`FitResult` or, for models fitted elsewhere, a pair ``(per-observation log-likelihoods,
number of parameters)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import binom, norm

from ...errors import ParameterError


@dataclass(frozen=True)
class NonNestedTest:
    """The outcome of :func:`vuong` or :func:`clarke`.

    Attributes
    ----------
    test
        ``"vuong"`` or ``"clarke"``.
    statistic
        The z statistic (Vuong) or the count of observations favouring model 1 (Clarke).
    pvalue
        Two-sided p-value.
    preferred
        1 or 2 if that model is significantly better at ``level``, else None.
    nobs, nparams, level
        As used.
    loglik1, loglik2
        The per-observation log-likelihoods compared.
    """

    test: str
    statistic: float
    pvalue: float
    preferred: int | None
    nobs: int
    nparams: tuple[int, int]
    level: float
    loglik1: np.ndarray
    loglik2: np.ndarray

    def __str__(self) -> str:
        name = "Vuong" if self.test == "vuong" else "Clarke"
        stat = f"{self.statistic:.4g}"
        if self.test == "clarke":
            stat += f" ({round(100 * self.statistic / self.nobs)}%)"
        verdict = (
            f"Model {self.preferred} is preferred (p = {self.pvalue:.3g})"
            if self.preferred
            else f"Neither model is significantly preferred (p = {self.pvalue:.3g})"
        )
        return "\n".join(
            [
                f"{name} test for non-nested models",
                f"Model 1 log-likelihood: {self.loglik1.sum():.4g}",
                f"Model 2 log-likelihood: {self.loglik2.sum():.4g}",
                f"Observations: {self.nobs}",
                f"Test statistic: {stat}",
                verdict,
            ]
        )


def _outcome_index(result: Any, outcome: Any) -> int:
    names = list(result.info.outcome_names)
    if isinstance(outcome, str):
        if outcome not in names:
            raise ParameterError(
                f"unknown outcome {outcome!r}; outcomes are {names}", name="outcome", value=outcome
            )
        return names.index(outcome)
    k = int(outcome)
    if not 1 <= k <= len(names):
        raise ParameterError(
            f"outcome must be 1..{len(names)} (or a name in {names}), got {outcome}", name="outcome"
        )
    return k - 1


def _side(model: Any, outcome: Any, which: str) -> tuple[np.ndarray, int, np.ndarray | None]:
    """(per-observation log-likelihoods, parameters, dependent variable or None)."""
    if hasattr(model, "loglik_obs") and hasattr(model, "_backend"):
        backend = model._backend
        y = getattr(backend, "y", None)
        if outcome is None:
            return model.loglik_obs, model.df_model, y
        if not hasattr(backend, "outcome_loglik"):
            raise ParameterError(
                f"{which}: this fit has no per-row outcome to restrict to", name=f"outcome{which[-1]}"
            )
        k = _outcome_index(model, outcome)
        return backend.outcome_loglik(model.params.to_numpy(), k), model.df_model, (y == k).astype(int)
    if outcome is not None:
        raise ParameterError(
            f"outcome{which[-1]} applies to a fit of deterrence.fit only", name=f"outcome{which[-1]}"
        )
    try:
        ll, k = model
        return np.asarray(ll, dtype=float).reshape(-1), int(k), None
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            f"{which} must be a FitResult or a pair (per-observation log-likelihoods, number of parameters)",
            name=which,
        ) from exc


def _prepare(model1: Any, model2: Any, outcome1: Any, outcome2: Any):
    l1, k1, y1 = _side(model1, outcome1, "model1")
    l2, k2, y2 = _side(model2, outcome2, "model2")
    if l1.shape != l2.shape:
        raise ParameterError(
            f"the models have different numbers of observations ({l1.size} and {l2.size}): they must be "
            "fitted to the same rows",
            name="model2",
        )
    if y1 is not None and y2 is not None and not np.array_equal(y1, y2):
        raise ParameterError(
            "the models do not have the same dependent variable (compare a strategic model with a binary one "
            "through outcome1=k or outcome2=k)",
            name="model2",
        )
    if not (np.all(np.isfinite(l1)) and np.all(np.isfinite(l2))):
        raise ParameterError("a per-observation log-likelihood is not finite", name="model1")
    return l1, l2, k1, k2


def vuong(
    model1: Any, model2: Any, outcome1: Any = None, outcome2: Any = None, level: float = 0.05
) -> NonNestedTest:
    """Vuong's test with the BIC correction (see the module docstring)."""
    l1, l2, k1, k2 = _prepare(model1, model2, outcome1, outcome2)
    n = l1.size
    diff = l1 - l2
    num = diff.sum() - (k1 - k2) * np.log(n) / 2
    sd = diff.std()
    stat = float(num / (np.sqrt(n) * sd)) if sd > 0 else 0.0
    p = float(2 * norm.sf(abs(stat)))
    pref = (1 if stat > 0 else 2) if p < level else None
    return NonNestedTest("vuong", stat, p, pref, n, (k1, k2), level, l1, l2)


def clarke(
    model1: Any, model2: Any, outcome1: Any = None, outcome2: Any = None, level: float = 0.05
) -> NonNestedTest:
    """Clarke's distribution-free test with the BIC correction (see the module docstring)."""
    l1, l2, k1, k2 = _prepare(model1, model2, outcome1, outcome2)
    n = l1.size
    b = int(np.sum(l1 - l2 > (k1 - k2) * np.log(n) / (2 * n)))
    p = float(min(1.0, 2 * binom.cdf(min(b, n - b), n, 0.5)))
    pref = (1 if b > n - b else 2) if p < level else None
    return NonNestedTest("clarke", float(b), p, pref, n, (k1, k2), level, l1, l2)
