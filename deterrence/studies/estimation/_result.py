"""The result of :func:`deterrence.fit`: a small statsmodels-style results class.

It reads like every other Python model: ``params``, ``bse``, ``tvalues``, ``pvalues``,
``conf_int()``, ``cov_params()``, ``llf``, ``nobs``, ``df_model``, ``aic``, ``bic``,
``summary()``, ``predict()``; and like the R package: ``summary()`` prints the package's table,
``to_latex()`` its ``latexTable`` (one column per equation), ``predict_profile()`` its
``predProbs``. Standard errors come from the inverse of the negative Hessian, or from the
bootstrap when one was run (``summary(se="bootstrap")``, the package's default when present).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from ...errors import ParameterError


@dataclass(frozen=True)
class FitInfo:
    """What was fitted and how (shown by ``summary()``).

    Attributes
    ----------
    model
        The catalogue model's name.
    kind
        ``"strategic"`` (a ``games`` tree with regressors) or ``"structural"`` (a QRE of a
        catalogue model fitted to outcome frequencies).
    link, type
        The stochastic structure.
    formula
        The formula text (strategic fits), or a description of the estimated parameters.
    equations
        The equation names in order (``u11``, ``u13``, ..., ``log(sigma)``).
    outcome_names
        The outcomes, left to right.
    converged, iterations, message
        How the optimiser ended.
    n_input, n_subset, n_missing
        Rows given, removed by ``subset``, dropped for a missing value.
    notes
        Remarks printed under the table.
    """

    model: str
    kind: str
    link: str
    type: str
    formula: str
    equations: tuple[str, ...]
    outcome_names: tuple[str, ...]
    converged: bool
    iterations: int
    message: str
    n_input: int = 0
    n_subset: int = 0
    n_missing: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


class FitResult:
    """A fitted model (see the module docstring).

    Attributes
    ----------
    params
        Estimated parameters, named ``equation:regressor`` (``u11:(Intercept)``).
    fixed_params
        Parameters held fixed (utilities given with ``fixed_utils``, fixed payoffs); not in ``params``.
    llf
        The maximised log-likelihood.
    loglik_obs
        Per-observation log-likelihood contributions (for non-nested tests).
    nobs
        Observations used.
    info
        :class:`FitInfo`.
    boot_params
        Bootstrap estimates (one row per replicate) if a bootstrap was run, else None.
    """

    def __init__(
        self,
        *,
        params: pd.Series,
        cov: pd.DataFrame,
        llf: float,
        loglik_obs: np.ndarray,
        fixed_params: pd.Series,
        info: FitInfo,
        backend: Any,
        boot_params: pd.DataFrame | None = None,
    ) -> None:
        self.params = params
        self._cov = cov
        self.llf = float(llf)
        self.loglik_obs = np.asarray(loglik_obs, dtype=float)
        self.fixed_params = fixed_params
        self.info = info
        self._backend = backend
        self.boot_params = boot_params

    # ------------------------------------------------------------------ statistics
    @property
    def nobs(self) -> int:
        return int(self.loglik_obs.shape[0])

    @property
    def df_model(self) -> int:
        """Number of estimated parameters."""
        return int(self.params.shape[0])

    @property
    def aic(self) -> float:
        return -2.0 * self.llf + 2.0 * self.df_model

    @property
    def bic(self) -> float:
        return -2.0 * self.llf + np.log(self.nobs) * self.df_model

    def cov_params(self, se: str = "hessian") -> pd.DataFrame:
        """Covariance of the estimates: ``"hessian"`` (inverse of the negative Hessian) or
        ``"bootstrap"`` (of the bootstrap replicates)."""
        if se == "hessian":
            return self._cov.copy()
        if se == "bootstrap":
            if self.boot_params is None or len(self.boot_params) < 2:
                raise ParameterError(
                    "no bootstrap was run: fit(..., boot=200) or result.bootstrap(200)", name="se"
                )
            return self.boot_params.cov()
        raise ParameterError(f"se must be 'hessian' or 'bootstrap', got {se!r}", name="se", value=se)

    @property
    def bse(self) -> pd.Series:
        """Standard errors from the inverse Hessian."""
        return pd.Series(np.sqrt(np.diag(self._cov.to_numpy())), index=self.params.index, name="bse")

    @property
    def tvalues(self) -> pd.Series:
        """``params / bse`` (z statistics)."""
        return (self.params / self.bse).rename("z")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided normal p-values of the z statistics."""
        return pd.Series(2.0 * norm.sf(np.abs(self.tvalues.to_numpy())), index=self.params.index, name="p")

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald intervals ``params +- z(1 - alpha/2) * bse``."""
        z = norm.ppf(1 - alpha / 2)
        lo, hi = self.params - z * self.bse, self.params + z * self.bse
        return pd.DataFrame({"lower": lo, "upper": hi})

    @property
    def converged(self) -> bool:
        return self.info.converged

    # ------------------------------------------------------------------ reports
    def summary(self, se: str | None = None) -> Any:
        """The coefficient table with the package's layout (print it, or use ``.table``).

        Parameters
        ----------
        se
            ``"hessian"`` or ``"bootstrap"``; default: bootstrap if one was run (as the package).
        """
        from ._summary import Summary

        if se is None:
            se = "bootstrap" if self.boot_params is not None and len(self.boot_params) > 1 else "hessian"
        return Summary(self, se)

    def to_latex(self, *, digits: int = 3, se: str | None = None, caption: str = "", label: str = "") -> str:
        """A LaTeX table with one column per equation, each cell the estimate over its standard
        error in parentheses (the package's ``latexTable``)."""
        from ._summary import latex_table

        return latex_table(self, digits=digits, se=se, caption=caption, label=label)

    def __repr__(self) -> str:
        return (
            f"<FitResult {self.info.model} ({self.info.link}, {self.info.type}): {self.df_model} parameters, "
            f"{self.nobs} observations, log-likelihood {self.llf:.4f}>"
        )

    # ------------------------------------------------------------------ predictions
    def predict(self, data: Any = None, kind: str = "outcome") -> pd.DataFrame:
        """Predicted probabilities at the estimates.

        Parameters
        ----------
        data
            Rows to predict (a DataFrame with the regressors; outcome columns are not needed).
            Default: the rows used in the fit. Rows with a missing regressor get NaN.
        kind
            ``"outcome"``: one column ``Pr(<outcome>)`` per outcome; ``"action"``: the choice
            probabilities ``p1``, ``p2``, ... of the package.
        """
        if kind not in ("outcome", "action"):
            raise ParameterError(f"kind must be 'outcome' or 'action', got {kind!r}", name="kind", value=kind)
        return self._backend.predict(self.params.to_numpy(), data, kind)

    def predict_profile(
        self,
        x: str,
        *,
        n: int = 100,
        at: Mapping[str, Any] | None = None,
        xlim: Sequence[float] | None = None,
        center: str = "median",
        kind: str = "outcome",
        ci: float = 0.95,
        method: str = "delta",
        reps: int = 1000,
        seed: int | None = None,
    ) -> pd.DataFrame:
        """Predicted probabilities as one regressor varies, the others held at a typical value
        (the package's ``predProbs``), with confidence bands.

        Parameters
        ----------
        x
            The column to vary: over ``n`` points of its observed range (or ``xlim``) if numeric,
            over its levels if a factor.
        at
            Values for other columns (``{"regime1": "dem", "revis1": 1}``).
        center
            Where the others are held: ``"median"`` (the default: medians of numeric non-binary
            columns, modes of binary and factor columns) or ``"mean"`` (means instead of medians:
            the R package's ``predProbs`` default).
        kind
            ``"outcome"`` or ``"action"`` (as :meth:`predict`).
        ci
            Level of the bands (0 for none).
        method
            ``"delta"`` (delta method with the exact Jacobian of the probabilities) or
            ``"bootstrap"`` (quantiles over the bootstrap replicates if a bootstrap was run,
            otherwise over ``reps`` draws from the estimates' normal distribution, as the package).

        Returns
        -------
        pandas.DataFrame
            The profile's columns, then ``Pr(<outcome>)`` with ``...:low`` and ``...:high`` bands.
        """
        from ._profiles import predict_profile

        return predict_profile(
            self,
            x,
            n=n,
            at=at,
            xlim=xlim,
            center=center,
            kind=kind,
            ci=ci,
            method=method,
            reps=reps,
            seed=seed,
        )

    def bootstrap(self, reps: int = 200, *, seed: int | None = None, maxiter: int = 200) -> FitResult:
        """Run a nonparametric bootstrap (rows drawn with replacement, each refitted from the
        estimates) and keep its replicates in ``boot_params``; returns ``self``."""
        if int(reps) < 2:
            raise ParameterError(f"reps must be at least 2, got {reps}", name="reps", value=reps)
        self.boot_params = self._backend.bootstrap(self.params.to_numpy(), int(reps), seed, maxiter)
        return self
