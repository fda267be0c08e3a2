"""The optimiser driver: maximise, check convergence, the Hessian, identification, the bootstrap.

* Maximisation: BFGS (as the package, through ``maxLik``) with the analytic gradient, on the
  mean log-likelihood, then up to a few Newton steps with the Hessian to polish the optimum.
* Convergence: the Newton decrement ``g' (-H)^-1 g / 2`` (the log-likelihood still to gain by a
  Newton step) must be below 1e-8; otherwise a :class:`ConvergenceWarning` says how far from an
  optimum the fit stopped and what to try.
* Hessian: central differences of the analytic gradient (what ``maxLik`` does when given one).
* Standard errors from the inverse of the negative Hessian. If it is not positive definite, or
  nearly singular, an :class:`IdentificationWarning` names the parameters in the flat directions;
  a singular one gives NaN standard errors, always with that warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize

from ...errors import SolverError
from ._warnings import ConvergenceWarning, IdentificationWarning

CONDITION_WEAK = 1e8
CONDITION_SINGULAR = 1e12


@dataclass(frozen=True)
class Optimum:
    """Where the optimiser stopped.

    Attributes
    ----------
    theta, llf
        The estimate and its log-likelihood.
    converged
        True if the Newton decrement is below the tolerance.
    iterations
        BFGS iterations plus Newton steps.
    message
        The optimiser's message.
    decrement
        The Newton decrement at the end (NaN where the Hessian is not negative definite).
    hessian
        The Hessian of the log-likelihood at ``theta``.
    """

    theta: np.ndarray
    llf: float
    converged: bool
    iterations: int
    message: str
    decrement: float
    hessian: np.ndarray


class Objective:
    """What the driver needs: ``value_and_grad(theta) -> (loglik, gradient)`` and ``nobs``."""

    nobs: int

    def value_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:  # pragma: no cover
        raise NotImplementedError


def numeric_hessian(grad: Callable[[np.ndarray], np.ndarray], theta: np.ndarray) -> np.ndarray:
    """Central differences of a gradient, symmetrised."""
    p = len(theta)
    H = np.zeros((p, p))
    for j in range(p):
        h = 1e-5 * max(1.0, abs(theta[j]))
        e = np.zeros(p)
        e[j] = h
        H[:, j] = (grad(theta + e) - grad(theta - e)) / (2 * h)
    return 0.5 * (H + H.T)


def _decrement(g: np.ndarray, H: np.ndarray) -> float:
    try:
        L = np.linalg.cholesky(-H)
    except np.linalg.LinAlgError:
        return float("nan")
    z = np.linalg.solve(L, g)
    return 0.5 * float(z @ z)


def maximise(obj: Any, start: np.ndarray, *, maxiter: int = 500, newton_steps: int = 5) -> Optimum:
    """Maximise ``obj``'s log-likelihood from ``start`` (see the module docstring)."""
    n = max(obj.nobs, 1)

    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        v, g = obj.value_and_grad(theta)
        if not np.isfinite(v) or not np.all(np.isfinite(g)):
            return np.inf, np.zeros_like(theta)
        return -v / n, -g / n

    v0, _ = obj.value_and_grad(start)
    if not np.isfinite(v0):
        raise SolverError("the log-likelihood is not finite at the starting values; give start= explicitly")
    res = minimize(f, start, jac=True, method="BFGS", options={"maxiter": maxiter, "gtol": 1e-8})
    theta, iterations = np.asarray(res.x, dtype=float), int(res.nit)
    grad = lambda t: obj.value_and_grad(t)[1]  # noqa: E731
    llf, g = obj.value_and_grad(theta)
    H = numeric_hessian(grad, theta)
    for _ in range(newton_steps):
        dec = _decrement(g, H)
        if not np.isfinite(dec) or dec < 1e-14:
            break
        step = np.linalg.solve(-H, g)
        new = theta + step
        v_new, g_new = obj.value_and_grad(new)
        if not np.isfinite(v_new) or v_new < llf - 1e-12:
            break
        theta, llf, g = new, v_new, g_new
        iterations += 1
        if dec < 1e-10:  # a last tiny step: the Hessian there is the same to about 1e-5
            break
        H = numeric_hessian(grad, theta)
    dec = _decrement(g, H)
    converged = bool(np.isfinite(dec) and dec < 1e-8) or (
        not np.isfinite(dec) and float(np.max(np.abs(g), initial=0.0)) / n < 1e-6 and res.success
    )
    return Optimum(theta, float(llf), converged, iterations, str(res.message), dec, H)


def warn_convergence(opt: Optimum, maxiter: int, names: Sequence[str]) -> None:
    """A :class:`ConvergenceWarning` if the fit stopped away from an optimum."""
    if opt.converged:
        return
    how = (
        f"the log-likelihood could still rise by about {opt.decrement:.2g}"
        if np.isfinite(opt.decrement)
        else "the Hessian is not negative definite there (not a maximum)"
    )
    hit = " (the iteration limit)" if opt.iterations >= maxiter else ""
    warnings.warn(
        f"the optimiser stopped after {opt.iterations} iterations{hit} without converging: {how} "
        f"(optimiser: {opt.message}). Try maxiter= larger than {maxiter}, other starting values "
        "(start='zero' or a vector), rescaling regressors with large values, or fewer parameters",
        ConvergenceWarning,
        stacklevel=3,
    )


def covariance(
    H: np.ndarray, names: Sequence[str], converged: bool = True, rank: int | None = None
) -> np.ndarray:
    """``inv(-H)``, with an :class:`IdentificationWarning` naming the parameters of flat directions
    (a :class:`ConvergenceWarning` instead when the fit stopped away from a maximum).

    ``rank``, when known, bounds the rank of the information matrix (structural fits: the number
    of free outcome frequencies): its ``p - rank`` smallest eigenvalues are then zero whatever
    their computed size (a numerical Hessian leaves them near 1e-6, not below the thresholds), and
    the parameters along them are reported as not identified, with NaN standard errors.
    """
    p = len(names)
    if p == 0:
        return np.zeros((0, 0))
    info = -H
    vals, vecs = np.linalg.eigh(info)
    top = max(float(np.max(np.abs(vals))), 1e-300)
    weak = vals <= top / CONDITION_WEAK
    deficient = max(0, p - rank) if rank is not None else 0
    weak[:deficient] = True
    if not weak.any():
        return np.linalg.inv(info)
    if not converged and vals[0] <= 0:
        warnings.warn(
            "the fit stopped where the Hessian is not negative definite (not at a maximum): standard errors "
            "are NaN; refit (see the ConvergenceWarning) before reading them",
            ConvergenceWarning,
            stacklevel=3,
        )
        return np.full((p, p), np.nan)
    involved = _loaded(vecs[:, weak], names)
    if deficient:
        msg = (
            f"{p} parameters are estimated but the data identify at most {rank} of them (the "
            f"information matrix has rank {rank} at most): these parameters are not identified: "
            f"{', '.join(involved)}. Their standard errors are NaN; fix some of them (fixed=, lam=)"
        )
        warnings.warn(msg, IdentificationWarning, stacklevel=3)
        return np.full((p, p), np.nan)
    singular = bool(np.any(vals <= top / CONDITION_SINGULAR))
    if singular:
        msg = (
            f"the information matrix (negative Hessian) is singular or not positive definite (smallest "
            f"eigenvalue {vals[0]:.3g}, largest {top:.3g}): these parameters are not identified by the "
            f"data: {', '.join(involved)}. Their standard errors are NaN; drop or fix some of them, or add "
            "variation in their regressors"
        )
        warnings.warn(msg, IdentificationWarning, stacklevel=3)
        return np.full((p, p), np.nan)
    warnings.warn(
        f"the information matrix is nearly singular (condition number {top / vals[0]:.3g}): these "
        f"parameters are weakly identified and their standard errors are large and unreliable: "
        f"{', '.join(involved)}",
        IdentificationWarning,
        stacklevel=3,
    )
    return np.linalg.inv(info)


def _loaded(vecs: np.ndarray, names: Sequence[str]) -> list[str]:
    weight = np.max(np.abs(vecs), axis=1)
    order = np.argsort(-weight)
    return [names[i] for i in order if weight[i] >= 0.15] or [names[int(order[0])]]


def bootstrap(
    obj: Any, theta: np.ndarray, reps: int, rng: np.random.Generator, maxiter: int
) -> tuple[np.ndarray, int]:
    """Nonparametric bootstrap: refit on rows drawn with replacement, starting at ``theta``;
    returns the estimates of the fits that converged and the number that did not."""
    out, failed = [], 0
    for _ in range(reps):
        rows = rng.integers(0, obj.nobs, obj.nobs)
        sub = obj.resample(rows)
        try:
            opt = maximise(sub, theta, maxiter=maxiter, newton_steps=2)
        except SolverError:
            failed += 1
            continue
        if opt.converged:
            out.append(opt.theta)
        else:
            failed += 1
    return (np.array(out) if out else np.zeros((0, len(theta)))), failed
