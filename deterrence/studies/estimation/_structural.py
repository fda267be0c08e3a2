"""Structural estimation: fit a catalogue model's agent QRE to observed outcome frequencies.

The data are counts of crises by outcome (``{"status_quo": 40, "war": 8, ...}``), keyed by the
model's outcome labels or terminal names; keys must not share a terminal. For parameter values
``theta`` (chosen payoff parameters and the precision ``lambda``) the model's game is built with
``model.game(**values)`` and its agent quantal-response equilibrium gives each terminal's
probability; the log-likelihood is the multinomial ``sum_k n_k log P_k(theta)``.

The QRE: on perfect-information trees (every information set a single node, chance moves
allowed) it is unique and computed here by backward induction, logit (``softmax(lambda * v)``)
or probit (binary choices, ``Phi(lambda * (v_R - v_L))``, the convention of
:mod:`deterrence.studies.statistical`). Otherwise it is the principal-branch logit QRE of
``dt.solve(game, "qre", lam=...)`` (certified); probit is not available there.

The optimiser is L-BFGS-B within the parameters' domains (the precision on the log scale), with
central-difference gradients; standard errors come from a second-difference Hessian. Parameters
that the frequencies cannot pin down are named: up front when there are more parameters than
free frequencies, and by the singular directions of the information matrix after the fit.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import ndtr, softmax

from ...errors import DeterrenceError, ParameterError, UnsupportedError
from ._optimize import covariance
from ._result import FitInfo, FitResult
from ._warnings import ConvergenceWarning, EstimationWarning, IdentificationWarning, SeparationWarning

LAMBDA = "lambda"
_PAD = 1e-6


def qre_terminal_probabilities(game: Any, lam: float, link: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """Terminal probabilities and behaviour of the agent QRE of ``game`` at precision ``lam``."""
    if game.kind != "extensive":
        raise UnsupportedError("structural estimation needs an extensive-form model (a game tree)")
    if game.is_perfect_information():
        behaviour = _backward_qre(game, lam, link)
    else:
        if link != "logit":
            raise UnsupportedError(
                "the probit QRE is computed only on perfect-information trees; this model has information "
                "sets with several nodes: use link='logit'"
            )
        import deterrence as dt

        eq = dt.solve(game, "qre", lam=lam)[0]
        behaviour = [np.asarray(s, dtype=float) for s in eq.strategies]
    return game.terminal_probabilities(behaviour), behaviour


def _backward_qre(game: Any, lam: float, link: str) -> list[np.ndarray]:
    values = np.zeros((len(game.nodes), game.num_players))
    behaviour: list[np.ndarray] = [np.zeros(0)] * len(game.infosets)
    for nd in reversed(game.nodes):
        kids = list(nd.children)
        if nd.kind == "terminal":
            values[nd.index] = game.payoffs[game.terminal_index(nd.index)]
        elif nd.kind == "chance":
            probs = np.array([float(p) for p in game.chance_infos[nd.infoset].probs])
            values[nd.index] = probs @ values[kids]
        else:
            v = values[kids, nd.player]
            if link == "logit":
                p = softmax(lam * v)
            elif len(v) == 2:
                p1 = float(ndtr(lam * (v[1] - v[0])))
                p = np.array([1.0 - p1, p1])
            else:
                raise UnsupportedError(
                    "the probit QRE needs binary choices; information set "
                    f"'{game.infosets[nd.infoset].name}' has {len(v)} actions: use link='logit'"
                )
            behaviour[nd.infoset] = p
            values[nd.index] = p @ values[kids]
    return behaviour


@dataclass(frozen=True)
class Categories:
    """Outcome categories of the data: names, counts, and the terminals (rows of payoffs) of each."""

    names: tuple[str, ...]
    counts: np.ndarray
    terminals: tuple[tuple[int, ...], ...]


def categories(game: Any, data: Any) -> Categories:
    """Read counts by outcome label or terminal name (see the module docstring)."""
    counts = _counts(data)
    by_label: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    for row, node in enumerate(game.terminals):
        by_name.setdefault(str(game.nodes[node].label), []).append(row)
        for lab in game.terminal_outcomes[row]:
            by_label.setdefault(lab, []).append(row)
    names, terms, seen = [], [], {}
    for key in counts.index:
        rows = by_name.get(str(key), by_label.get(str(key)))
        if rows is None:
            raise ParameterError(
                f"outcome {key!r} is neither an outcome label ({sorted(by_label)}) nor a terminal name "
                f"({sorted(by_name)}) of this model",
                name="data",
                value=key,
            )
        for r in rows:
            if r in seen:
                raise ParameterError(
                    f"outcomes {seen[r]!r} and {key!r} share the terminal "
                    f"'{game.nodes[game.terminals[r]].label}': the categories must not overlap (count each "
                    "crisis once)",
                    name="data",
                )
            seen[r] = key
        names.append(str(key))
        terms.append(tuple(rows))
    return Categories(tuple(names), counts.to_numpy(dtype=float), tuple(terms))


def _counts(data: Any) -> pd.Series:
    if isinstance(data, Mapping):
        s = pd.Series(dict(data), dtype=float)
    elif (
        isinstance(data, pd.Series)
        and pd.api.types.is_numeric_dtype(data)
        and not isinstance(data.index, pd.RangeIndex)
    ):
        s = data.astype(float)
    elif isinstance(data, (pd.Series, list, tuple, np.ndarray)):
        s = pd.Series(data).dropna().astype(str).value_counts(sort=False).astype(float)
    else:
        raise ParameterError(
            "data must be counts by outcome ({'status_quo': 40, 'war': 8}) or one outcome label per crisis",
            name="data",
        )
    v = s.to_numpy()
    if len(v) == 0 or not np.all(np.isfinite(v)) or np.any(v < 0) or not np.allclose(v, np.round(v)):
        raise ParameterError(
            f"outcome counts must be non-negative whole numbers, got {dict(s)} (give counts of crises, not "
            "proportions: the standard errors depend on how many there were)",
            name="data",
        )
    if v.sum() < 1:
        raise ParameterError("the outcome counts are all zero", name="data")
    return s


class StructuralObjective:
    """The multinomial log-likelihood of the QRE outcome distribution, on the optimiser's scale."""

    def __init__(
        self,
        model: Any,
        cats: Categories,
        names: Sequence[str],
        base: dict[str, float],
        lam: float | None,
        link: str,
    ) -> None:
        self.model = model
        self.cats = cats
        self.names = list(names)
        self.base = base
        self.lam = lam
        self.link = link

    def values(self, x: np.ndarray) -> tuple[float, dict[str, float]]:
        """(lambda, payoff parameter values) at optimiser coordinates ``x`` (log lambda first if
        estimated)."""
        if self.lam is None:
            lam, rest = math.exp(float(x[0])), x[1:]
        else:
            lam, rest = self.lam, x
        vals = dict(self.base)
        vals.update({n: float(v) for n, v in zip(self.names, rest, strict=True)})
        return lam, vals

    def category_probabilities(self, x: np.ndarray) -> np.ndarray:
        lam, vals = self.values(x)
        term, _ = qre_terminal_probabilities(self.model.game(**vals), lam, self.link)
        return np.array([term[list(rows)].sum() for rows in self.cats.terminals])

    def loglik(self, x: np.ndarray) -> float:
        try:
            p = self.category_probabilities(x)
        except UnsupportedError:
            raise
        except (DeterrenceError, ValueError, ArithmeticError):
            return -math.inf
        terms = np.where(self.cats.counts > 0, self.cats.counts * np.log(np.maximum(p, 1e-300)), 0.0)
        return float(terms.sum())


def _grad(
    f: Any, x: np.ndarray, bounds: Sequence[tuple[float | None, float | None]] | None = None, h: float = 1e-5
) -> np.ndarray:
    """Central differences, one-sided next to a bound (so no evaluation leaves the domain)."""
    g = np.zeros_like(x)
    for j in range(len(x)):
        step = h * max(1.0, abs(x[j]))
        lo, hi = bounds[j] if bounds is not None else (None, None)
        up = hi is None or x[j] + step <= hi
        down = lo is None or x[j] - step >= lo
        e = np.zeros_like(x)
        e[j] = step
        if up and down:
            g[j] = (f(x + e) - f(x - e)) / (2 * step)
        elif up:
            g[j] = (f(x + e) - f(x)) / step
        else:
            g[j] = (f(x) - f(x - e)) / step
    return g


def _hessian(
    f: Any, x: np.ndarray, bounds: Sequence[tuple[float | None, float | None]], h: float = 1e-4
) -> np.ndarray:
    """Second differences of ``f``; a coordinate next to a bound is moved inside by twice the step."""
    p = len(x)
    steps = np.array([h * max(1.0, abs(v)) for v in x])
    x = np.array(x, dtype=float)
    for j, (lo, hi) in enumerate(bounds):
        if hi is not None and x[j] + 2 * steps[j] > hi:
            x[j] = hi - 2 * steps[j]
        if lo is not None and x[j] - 2 * steps[j] < lo:
            x[j] = lo + 2 * steps[j]
    H = np.zeros((p, p))
    f0 = f(x)
    for i in range(p):
        ei = np.zeros(p)
        ei[i] = steps[i]
        H[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / steps[i] ** 2
        for j in range(i):
            ej = np.zeros(p)
            ej[j] = steps[j]
            H[i, j] = H[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * steps[i] * steps[j]
            )
    return H


def _free_parameters(
    model: Any, estimate: Any, fixed: Mapping[str, float] | None
) -> tuple[list[str], dict[str, float]]:
    if isinstance(estimate, str):
        estimate = [estimate]
    names = list(estimate or [])
    known = list(model.parameters)
    for n in names + list(fixed or {}):
        if n not in known:
            raise ParameterError(f"'{n}' is not a parameter of {model.name}; parameters are {known}", name=n)
    both = sorted(set(names) & set(fixed or {}))
    if both:
        raise ParameterError(f"{both} are both estimated and fixed", name=both[0])
    if len(set(names)) != len(names):
        raise ParameterError(f"estimate= lists a parameter twice: {names}", name="estimate")
    base = {k: float(p.default) for k, p in model.parameters.items()}
    base.update({k: float(v) for k, v in (fixed or {}).items()})
    return names, base


def _bounds(model: Any, names: Sequence[str]) -> list[tuple[float | None, float | None]]:
    out = []
    for n in names:
        p = model.parameters[n]
        lo, hi = (float(v) for v in p.domain)
        # kept a hair inside the domain: at a bound a chance move may never reach an information
        # set, where the QRE (and its certificate) is not defined
        out.append(
            (
                None if not math.isfinite(lo) else lo + _PAD * max(1.0, abs(lo)),
                None if not math.isfinite(hi) else hi - _PAD * max(1.0, abs(hi)),
            )
        )
    return out


def _start_point(obj: StructuralObjective, start: Mapping[str, float] | None) -> np.ndarray:
    start = dict(start or {})
    allowed = ([LAMBDA] if obj.lam is None else []) + obj.names
    unknown = [k for k in start if k not in allowed]
    if unknown:
        raise ParameterError(f"start= names {unknown}, which are not estimated ({allowed})", name="start")
    x = [math.log(float(start.get(LAMBDA, 1.0)))] if obj.lam is None else []
    return np.array(x + [float(start.get(n, obj.base[n])) for n in obj.names])


def _identifiable(cats: Categories, game: Any, k: int) -> int:
    """The number of free outcome frequencies (the most parameters the counts can identify),
    with an :class:`IdentificationWarning` when ``k`` parameters are more than that."""
    covered = sum(len(t) for t in cats.terminals)
    free = len(cats.names) - (1 if covered == len(game.terminals) else 0)
    if k > free:
        warnings.warn(
            f"{k} parameters are estimated from {len(cats.names)} outcome frequencies, which determine at "
            f"most {free} of them: some are not identified (the fit names them); fix some with fixed= or "
            "give counts for more outcomes",
            IdentificationWarning,
            stacklevel=4,
        )
    return free


def _optimise(obj: StructuralObjective, x0: np.ndarray, bounds: list, maxiter: int, n: float) -> Any:
    if not math.isfinite(obj.loglik(x0)):
        raise ParameterError(
            "the model gives probability 0 to an observed outcome at the starting values: give start= with "
            "values where every observed outcome is possible",
            name="start",
        )
    f = lambda x: -obj.loglik(x) / n  # noqa: E731
    res = minimize(
        f,
        x0,
        jac=lambda x: _grad(f, x, bounds),
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": maxiter, "ftol": 1e-14, "gtol": 1e-9},
    )
    return res


class StructuralBackend:
    """Predictions and bootstrap of a structural fit."""

    def __init__(self, obj: StructuralObjective, bounds: list, maxiter: int) -> None:
        self.obj = obj
        self.bounds = bounds
        self.maxiter = maxiter
        self.y = np.repeat(np.arange(len(obj.cats.names)), obj.cats.counts.astype(int))

    def to_x(self, theta: np.ndarray) -> np.ndarray:
        theta = np.asarray(theta, dtype=float)
        return np.concatenate([[math.log(theta[0])], theta[1:]]) if self.obj.lam is None else theta

    def to_theta(self, x: np.ndarray) -> np.ndarray:
        return np.concatenate([[math.exp(x[0])], x[1:]]) if self.obj.lam is None else np.asarray(x)

    def predict(self, theta: np.ndarray, data: Any, kind: str) -> pd.DataFrame:
        if data is not None:
            raise UnsupportedError("a structural fit has no regressors: call predict() without data")
        lam, vals = self.obj.values(self.to_x(theta))
        game = self.obj.model.game(**vals)
        term, beh = qre_terminal_probabilities(game, lam, self.obj.link)
        if kind == "outcome":
            row = {
                f"Pr({n})": term[list(t)].sum()
                for n, t in zip(self.obj.cats.names, self.obj.cats.terminals, strict=True)
            }
        else:
            row = {
                f"{h.name}:{a}": float(p)
                for h, b in zip(game.infosets, beh, strict=True)
                for a, p in zip(h.actions, b, strict=True)
            }
        return pd.DataFrame([row])

    def outcome_loglik(self, theta: np.ndarray, k: int) -> np.ndarray:
        p = self.obj.category_probabilities(self.to_x(theta))[k]
        return np.where(self.y == k, math.log(p), math.log1p(-p))

    def bootstrap(self, theta: np.ndarray, reps: int, seed: int | None, maxiter: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        n = int(self.obj.cats.counts.sum())
        share = self.obj.cats.counts / n
        x0, out, failed = self.to_x(theta), [], 0
        for _ in range(reps):
            cats = Categories(
                self.obj.cats.names, rng.multinomial(n, share).astype(float), self.obj.cats.terminals
            )
            sub = StructuralObjective(
                self.obj.model, cats, self.obj.names, self.obj.base, self.obj.lam, self.obj.link
            )
            res = _optimise(sub, x0, self.bounds, maxiter, n)
            if res.success:
                out.append(self.to_theta(res.x))
            else:
                failed += 1
        if failed:
            warnings.warn(
                f"{failed} of {reps} bootstrap fits did not converge and were dropped",
                ConvergenceWarning,
                stacklevel=3,
            )
        names = ([LAMBDA] if self.obj.lam is None else []) + self.obj.names
        return pd.DataFrame(np.array(out) if out else np.zeros((0, len(names))), columns=names)


def fit_structural(
    model: Any,
    data: Any,
    *,
    estimate: Any,
    fixed: Mapping[str, float] | None,
    lam: float | None,
    link: str,
    start: Mapping[str, float] | None,
    maxiter: int,
    boot: int,
    seed: int | None,
) -> FitResult:
    """Fit the agent QRE of ``model`` to outcome counts (see :func:`deterrence.fit`)."""
    names, base = _free_parameters(model, estimate, fixed)
    if lam is not None and not (math.isfinite(float(lam)) and float(lam) > 0):
        raise ParameterError(
            f"lam must be a positive number (or None to estimate it), got {lam!r}", name="lam", value=lam
        )
    game = model.game(**base)
    if link == "probit" and not game.is_perfect_information():
        raise UnsupportedError(
            f"the probit QRE is computed only on perfect-information trees; {model.name} has information "
            "sets with several nodes: use link='logit'"
        )
    cats = categories(game, data)
    obj = StructuralObjective(model, cats, names, base, None if lam is None else float(lam), link)
    pnames = ([LAMBDA] if lam is None else []) + names
    if not pnames:
        raise ParameterError(
            "nothing to estimate: name parameters in estimate= or leave lam=None", name="estimate"
        )
    free = _identifiable(cats, game, len(pnames))
    bounds = ([(None, None)] if lam is None else []) + _bounds(model, names)
    n = float(cats.counts.sum())
    res = _optimise(obj, _start_point(obj, start), bounds, maxiter, n)
    x = np.asarray(res.x, dtype=float)
    given = {k: float(v) for k, v in (fixed or {}).items()}
    if lam is not None:
        given = {LAMBDA: float(lam), **given}
    return _structural_result(model, obj, cats, pnames, bounds, x, res, (maxiter, boot, seed, free), given)


def _at_bound(x: np.ndarray, bounds: list, names: Sequence[str]) -> list[str]:
    out = []
    for v, (lo, hi), n in zip(x, bounds, names, strict=True):
        if (lo is not None and v <= lo + 1e-7 * max(1.0, abs(lo))) or (
            hi is not None and v >= hi - 1e-7 * max(1.0, abs(hi))
        ):
            out.append(n)
    return out


def _warn_degenerate_precision(obj: StructuralObjective, x: np.ndarray) -> None:
    if obj.lam is not None:
        return
    lam = math.exp(float(x[0]))
    if lam < 1e-3:
        warnings.warn(
            f"the precision is estimated at {lam:.2g}, i.e. uniformly random play fits these counts best: "
            "the model's payoffs explain nothing here and the payoff parameters are not identified; fix lam= "
            "to study them, or use another model",
            IdentificationWarning,
            stacklevel=4,
        )
    elif lam > 1e3:
        warnings.warn(
            f"the precision runs off to {lam:.3g}: the counts are matched by (nearly) equilibrium play, "
            "where the likelihood is flat; fix lam= or estimate fewer parameters",
            IdentificationWarning,
            stacklevel=4,
        )


#: fitted probability below which an outcome no crisis ended in counts as driven to zero
SEPARATED = 1e-6


def _separated(obj: StructuralObjective, cats: Categories, x: np.ndarray) -> bool:
    """Warn (:class:`SeparationWarning`) and say True when the fit drives the probability of an
    outcome that no crisis ended in to (nearly) zero: the likelihood then keeps rising as the
    estimates run off to infinity, there is no maximum-likelihood estimate, and the standard
    errors of a Hessian there mean nothing (they are set to NaN)."""
    p = obj.category_probabilities(x)
    gone = [n for n, c, q in zip(cats.names, cats.counts, p, strict=True) if c == 0 and q < SEPARATED]
    if not gone:
        return False
    warnings.warn(
        f"no crisis ended in {', '.join(gone)}, and the fit drives the probability of "
        f"{'that outcome' if len(gone) == 1 else 'those outcomes'} to zero (below {SEPARATED:g}): the "
        "estimates run off towards infinity and have no maximum-likelihood value, so their standard errors "
        "are NaN; fix some parameters (fixed=, lam=) or fit counts where every outcome occurs",
        SeparationWarning,
        stacklevel=4,
    )
    return True


def _structural_result(model, obj, cats, pnames, bounds, x, res, run, given) -> FitResult:
    maxiter, boot, seed, free = run
    n = float(cats.counts.sum())
    edge = _at_bound(x, bounds, pnames)
    g = _grad(obj.loglik, x, bounds)
    interior = [i for i, nm in enumerate(pnames) if nm not in edge]
    converged = bool(res.success) and float(np.max(np.abs(g[interior]), initial=0.0)) / n < 1e-4
    if not converged:
        warnings.warn(
            f"the optimiser stopped without converging: the gradient of the log-likelihood is still "
            f"{float(np.max(np.abs(g[interior]), initial=0.0)):.3g} ({res.message}); try maxiter= larger "
            f"than {maxiter}, other start= values, or fewer estimated parameters",
            ConvergenceWarning,
            stacklevel=3,
        )
    if edge:
        warnings.warn(
            f"the estimate of {edge} is at the edge of its domain: the likelihood rises towards the bound, "
            "and standard errors (which assume an interior maximum) are not valid for it",
            EstimationWarning,
            stacklevel=3,
        )
    _warn_degenerate_precision(obj, x)
    if _separated(obj, cats, x):
        cov_x = np.full((len(pnames), len(pnames)), np.nan)
    else:
        cov_x = covariance(_hessian(obj.loglik, x, bounds), pnames, converged, rank=free)
    J = np.diag([math.exp(x[0])] + [1.0] * (len(x) - 1)) if obj.lam is None else np.eye(len(x))
    backend = StructuralBackend(obj, bounds, maxiter)
    theta = backend.to_theta(x)
    p = obj.category_probabilities(x)
    info = FitInfo(
        model=model.name,
        kind="structural",
        link=obj.link,
        type="agent",
        formula=f"{', '.join(pnames)} of the agent QRE, from counts of {', '.join(cats.names)}",
        equations=tuple(pnames),
        outcome_names=cats.names,
        converged=converged,
        iterations=int(res.nit),
        message=str(res.message),
        notes=("other parameters at their defaults or fixed= values",),
    )
    result = FitResult(
        params=pd.Series(theta, index=pnames, name="params"),
        cov=pd.DataFrame(J @ cov_x @ J.T, index=pnames, columns=pnames),
        llf=obj.loglik(x),
        loglik_obs=np.repeat(np.log(p), cats.counts.astype(int)),
        fixed_params=pd.Series(given, dtype=float),
        info=info,
        backend=backend,
    )
    if boot:
        result.bootstrap(int(boot), seed=seed, maxiter=maxiter)
    return result
