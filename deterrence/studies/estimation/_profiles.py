"""Predicted-probability profiles: one regressor varies, the others are held at typical values.

As the package's ``predProbs``: numeric non-binary columns at their medians (or at their means
with ``center="mean"``, the package's default), binary and factor columns at their modes (ties:
the value that appears first, and 1 in a 0/1 column, as the package), ``at=`` for anything else.
Bands by the delta method (the exact Jacobian of the probabilities, from the same dual numbers
as the gradient) or from the bootstrap replicates (a fitted bootstrap, or draws from the normal
distribution of the estimates when there is none, as the package).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from ...errors import ParameterError, UnsupportedError


def _mode(series: pd.Series) -> Any:
    """The most frequent value; ties go to the one that appears first, or to 1 in a 0/1 column."""
    counts = series.value_counts()
    top = counts.max()
    tied = [v for v in pd.unique(series) if counts.get(v, 0) == top]
    ones = [v for v in tied if _truthy(v)]
    return ones[0] if len(tied) > 1 and ones else tied[0]


def _truthy(v: Any) -> bool:
    try:
        return float(v) == 1.0
    except (TypeError, ValueError):
        return False


def _typical(series: pd.Series, kind: str, center: str) -> Any:
    if kind != "numeric":
        return _mode(series)
    values = series.to_numpy(dtype=float)
    if np.isin(values, (0.0, 1.0)).all():
        return float(_mode(series))
    return float(np.mean(values) if center == "mean" else np.median(values))


def profile_rows(
    backend: Any, x: str, n: int, at: Mapping[str, Any] | None, xlim: Sequence[float] | None, center: str
) -> pd.DataFrame:
    """The hypothetical observations: ``x`` on a grid, the others at typical values."""
    names = backend.spec.regressors()
    if x not in names:
        near = difflib.get_close_matches(x, names, n=3)
        raise ParameterError(
            f"'{x}' is not a regressor of this model (regressors: {names})"
            + (f"; did you mean {near[0]!r}?" if near else ""),
            name="x",
            value=x,
        )
    at = dict(at or {})
    unknown = [k for k in at if k not in names]
    if unknown:
        raise ParameterError(
            f"at= names columns that are not regressors: {unknown} (regressors: {names})", name="at"
        )
    if center not in ("mean", "median"):
        raise ParameterError(
            f"center must be 'mean' or 'median', got {center!r}", name="center", value=center
        )
    frame, codings = backend.frame, backend.spec.codings
    if codings[x].kind == "numeric":
        lo, hi = (float(frame[x].min()), float(frame[x].max())) if xlim is None else map(float, xlim)
        grid: list[Any] = list(np.linspace(lo, hi, int(n)))
    else:
        grid = list(codings[x].levels)
    rows = {x: grid}
    for name in names:
        if name != x:
            rows[name] = [
                at[name] if name in at else _typical(frame[name], codings[name].kind, center)
            ] * len(grid)
    return pd.DataFrame(rows)


def predict_profile(
    result: Any,
    x: str,
    *,
    n: int,
    at: Any,
    xlim: Any,
    center: str,
    kind: str,
    ci: float,
    method: str,
    reps: int,
    seed: int | None,
) -> pd.DataFrame:
    backend = result._backend
    if not hasattr(backend, "frame"):
        raise UnsupportedError(
            "profiles vary a regressor; this fit has none (a structural fit to frequencies)"
        )
    if method not in ("delta", "bootstrap"):
        raise ParameterError(
            f"method must be 'delta' or 'bootstrap', got {method!r}", name="method", value=method
        )
    if not 0 <= ci < 1:
        raise ParameterError(f"ci must be in [0, 1), got {ci}", name="ci", value=ci)
    rows = profile_rows(backend, x, n, at, xlim, center)
    theta = result.params.to_numpy()
    values, J = backend.values_and_jacobian(theta, rows, kind, jac=(ci > 0 and method == "delta"))
    out = rows.copy()
    if ci == 0:
        return pd.concat([out, values.set_index(out.index)], axis=1)
    if method == "delta":
        low, high = _delta_bands(result, values.to_numpy(), J, ci)
    else:
        low, high = _draw_bands(result, backend, rows, kind, ci, reps, seed)
    for j, col in enumerate(values.columns):
        out[col] = values[col].to_numpy()
        out[f"{col}:low"] = low[:, j]
        out[f"{col}:high"] = high[:, j]
    return out


def _delta_bands(result: Any, p: np.ndarray, J: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    cov = result.cov_params().to_numpy()
    if not np.all(np.isfinite(cov)):
        raise ParameterError(
            "the fit has no finite covariance (see its IdentificationWarning): no delta-method bands; use "
            "method='bootstrap' after result.bootstrap(...), or ci=0",
            name="method",
        )
    se = np.sqrt(np.maximum(np.einsum("rcp,pq,rcq->rc", J, cov, J), 0.0))
    z = norm.ppf(0.5 + ci / 2)
    return np.clip(p - z * se, 0.0, 1.0), np.clip(p + z * se, 0.0, 1.0)


def _draw_bands(
    result: Any, backend: Any, rows: pd.DataFrame, kind: str, ci: float, reps: int, seed: int | None
) -> tuple[np.ndarray, np.ndarray]:
    if result.boot_params is not None and len(result.boot_params) > 1:
        draws = result.boot_params.to_numpy()
    else:
        cov = result.cov_params().to_numpy()
        if not np.all(np.isfinite(cov)):
            raise ParameterError(
                "the fit has no finite covariance to draw from; run result.bootstrap(...) first",
                name="method",
            )
        draws = np.random.default_rng(seed).multivariate_normal(result.params.to_numpy(), cov, size=int(reps))
    sims = backend.predict_draws(draws, rows, kind)
    q = 0.5 - ci / 2
    return np.quantile(sims, q, axis=0), np.quantile(sims, 1 - q, axis=0)
