"""Fitting a ``games`` tree (``egame12``, ``egame122``, ``egame123``) with regressors in the utilities.

The steps of the package's ``egame12()`` and its siblings, in order: parse the formula (and the
scale formula), build the model frame (subset, then drop rows with missing values), code the
outcome, build one design matrix per equation, refuse specifications the package refuses (a
regressor in all of a player's utilities), start from statistical backward induction, maximise,
and wrap the result. Beyond the package: constant and collinear regressors, unobserved outcomes
and separated choices are reported before fitting, by name.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import ParameterError
from . import _dual as dual
from ._design import (
    INTERCEPT,
    Coding,
    as_frame,
    check_columns,
    check_independent,
    design_matrix,
    model_frame,
)
from ._formula import Formula, Part, parse_formula
from ._likelihood import Block, Likelihood, StrategicModel
from ._optimize import bootstrap, covariance, maximise, warn_convergence
from ._response import code_response
from ._result import FitInfo, FitResult
from ._start import sbi_start
from ._trees import Tree
from ._warnings import ConvergenceWarning, PerfectSeparationError, SeparationWarning


@dataclass(frozen=True)
class Spec:
    """Everything needed to rebuild the design of a fitted model on new rows."""

    tree: Tree
    formula: Formula
    sd: Formula | None
    link: str
    type: str
    fixed_utils: tuple[float, ...] | None
    codings: dict[str, Coding]

    def regressors(self) -> list[str]:
        names = [v for part in self.formula.parts for v in part.variables()]
        if self.sd is not None:
            names += [v for part in self.sd.parts for v in part.variables()]
        return list(dict.fromkeys(names))

    def scale_name(self) -> str:
        return "log(lambda" if self.link == "logit" else "log(sigma"


def _parts(spec: Spec) -> list[tuple[Block, Part]]:
    """Each equation's block (without columns yet) and formula part."""
    out = []
    utilities = spec.tree.utilities
    for j, (u, part) in enumerate(zip(utilities, spec.formula.parts, strict=True)):
        if spec.fixed_utils is not None:
            out.append((Block(u, (INTERCEPT,), fixed=spec.fixed_utils[j]), Part((), True)))
        else:
            out.append((Block(u, ()), part))
    if spec.sd is not None:
        players = tuple(range(1, spec.tree.form.players + 1))
        if len(spec.sd.parts) == 1:
            out.append((Block(f"{spec.scale_name()})", (), players=players), spec.sd.parts[0]))
        else:
            for p, part in zip(players, spec.sd.parts, strict=True):
                out.append((Block(f"{spec.scale_name()}{p})", (), players=(p,)), part))
    return out


def designs(spec: Spec, df: pd.DataFrame, check: bool = False) -> tuple[list[Block], list[np.ndarray]]:
    """The blocks and design matrices of ``spec`` on the rows of ``df``."""
    blocks, Xs = [], []
    for block, part in _parts(spec):
        X, cols = design_matrix(df, part, spec.codings, block.name)
        if check and block.fixed is None:
            check_independent(X, cols, f"the equation {block.name}")
        blocks.append(Block(block.name, tuple(cols), block.players, block.fixed))
        Xs.append(X)
    return blocks, Xs


def _identification(spec: Spec, blocks: Sequence[Block]) -> None:
    """The package's rule: no regressor in all of a player's utilities after one of its moves."""
    if spec.fixed_utils is not None:
        return
    cols = {b.name: set(b.columns) for b in blocks}
    for player, group in spec.tree.identification_groups():
        common = set.intersection(*(cols[u] for u in group))
        if common:
            raise ParameterError(
                f"identification problem: {sorted(common)} appear in all of player {player}'s utility "
                f"equations {', '.join(group)} (Lewis & Schultz 2003); remove it from one of them, or fix "
                "one of these utilities at 0",
                name=sorted(common)[0],
            )


def _check_outcomes(spec: Spec, y: np.ndarray, names: Sequence[str]) -> None:
    if spec.fixed_utils is not None:
        return
    counts = np.bincount(y, minlength=len(names))
    for j, c in enumerate(counts):
        if c == 0:
            raise ParameterError(
                f"outcome '{names[j]}' (terminal {spec.tree.outcomes[j]} of {spec.tree.name}) never occurs "
                f"in the {len(y)} rows used: the maximum-likelihood estimate does not exist (the utilities "
                "of that outcome run off to infinity); use more data or a tree with fewer outcomes",
                name="outcome",
                value=names[j],
            )


def _separation(found: Sequence[Any]) -> None:
    for s in found:
        msg = (
            f"the regressors of player {s.player}'s decision ({s.decision}, {s.rows} rows) separate its "
            f"observed choices: along {s.direction} every choice is predicted"
        )
        if s.last:
            raise PerfectSeparationError(
                msg + " perfectly, so the maximum-likelihood estimate does not exist; drop or recode those "
                "regressors, or merge their rare categories",
                name=s.direction.split(" ")[0],
            )
        warnings.warn(
            msg + " (given the estimated later choices); the fit may not converge and its coefficients may "
            "be huge: consider dropping or recoding those regressors",
            SeparationWarning,
            stacklevel=4,
        )


class StrategicBackend:
    """Predictions, bands and bootstrap for a fitted strategic model."""

    def __init__(
        self,
        spec: Spec,
        model: StrategicModel,
        lik: Likelihood,
        frame: pd.DataFrame,
        outcome_names: tuple[str, ...],
    ) -> None:
        self.spec = spec
        self.model = model
        self.lik = lik
        self.frame = frame
        self.outcome_names = outcome_names

    @property
    def y(self) -> np.ndarray:
        return self.lik.y

    def _rows(self, data: Any) -> tuple[pd.DataFrame, np.ndarray, pd.Index]:
        if data is None:
            return self.frame, np.ones(len(self.frame), dtype=bool), self.frame.index
        df = as_frame(data)
        names = self.spec.regressors()
        check_columns(df, names, {})
        complete = ~df[names].isna().any(axis=1).to_numpy() if names else np.ones(len(df), dtype=bool)
        return df.loc[complete], complete, df.index

    def values_and_jacobian(self, theta: np.ndarray, data: Any, kind: str, jac: bool = False):
        df, complete, index = self._rows(data)
        _, Xs = designs(self.spec, df)
        choices, outcomes = self.model.probabilities(theta, Xs)
        items = (
            [(f"Pr({n})", o) for n, o in zip(self.outcome_names, outcomes, strict=True)]
            if kind == "outcome"
            else sorted(choices.items(), key=lambda kv: int(kv[0][1:]))
        )
        m = len(df)
        vals = np.full((len(index), len(items)), np.nan)
        vals[complete] = np.column_stack([np.broadcast_to(dual.value(v), (m,)) for _, v in items])
        out = pd.DataFrame(vals, index=index, columns=[k for k, _ in items])
        if not jac:
            return out, None
        J = np.full((len(index), len(items), self.model.n_params), np.nan)
        for c, (_, v) in enumerate(items):
            d = v.d if isinstance(v, dual.Dual) else np.zeros((m, len(self.model.estimated)))
            J[complete, c, :] = self.model.chain(d, Xs)
        return out, J

    def predict(self, theta: np.ndarray, data: Any, kind: str) -> pd.DataFrame:
        return self.values_and_jacobian(theta, data, kind)[0]

    def predict_draws(self, draws: np.ndarray, data: Any, kind: str) -> np.ndarray:
        """Predictions at many parameter vectors on the same rows: ``(draws, rows, columns)``."""
        df, complete, index = self._rows(data)
        _, Xs = designs(self.spec, df)
        out = []
        for theta in draws:
            choices, outcomes = self.model.probabilities(theta, Xs, derivatives=False)
            items = (
                outcomes
                if kind == "outcome"
                else [v for _, v in sorted(choices.items(), key=lambda kv: int(kv[0][1:]))]
            )
            full = np.full((len(index), len(items)), np.nan)
            full[complete] = np.column_stack([np.broadcast_to(dual.value(v), (len(df),)) for v in items])
            out.append(full)
        return np.stack(out)

    def outcome_loglik(self, theta: np.ndarray, k: int) -> np.ndarray:
        """Per-observation log-likelihood of the binary event 'outcome k occurred'."""
        p = self.predict(theta, None, "outcome").to_numpy()[:, k]
        return np.where(self.y == k, np.log(p), np.log1p(-p))

    def bootstrap(self, theta: np.ndarray, reps: int, seed: int | None, maxiter: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        draws, failed = bootstrap(self.lik, theta, reps, rng, maxiter)
        if failed:
            warnings.warn(
                f"{failed} of {reps} bootstrap fits did not converge and were dropped (as the package does)",
                ConvergenceWarning,
                stacklevel=3,
            )
        return pd.DataFrame(draws, columns=self.model.param_names)


def _start(option: Any, model: StrategicModel, Xs: list[np.ndarray], y: np.ndarray, fixed: bool, seed: Any):
    if option is None:
        option = "zero" if fixed else "sbi"
    if isinstance(option, str):
        if option == "sbi":
            return sbi_start(model, Xs, y)
        if option == "zero":
            return np.zeros(model.n_params), []
        if option == "unif":
            return np.random.default_rng(seed).uniform(-1, 1, model.n_params), []
        raise ParameterError(f"start must be 'sbi', 'zero', 'unif' or a vector, got {option!r}", name="start")
    names = model.param_names
    if isinstance(option, dict):
        unknown = [k for k in option if k not in names]
        if unknown:
            raise ParameterError(
                f"unknown parameter(s) in start: {unknown}; parameters are {names}", name="start"
            )
        return np.array([float(option.get(k, 0.0)) for k in names]), []
    vec = np.asarray(option, dtype=float).reshape(-1)
    if vec.shape != (len(names),):
        raise ParameterError(
            f"start has {vec.size} values; the model has {len(names)} parameters {names}", name="start"
        )
    return vec, []


def make_spec(
    tree: Tree,
    formula: str,
    data: pd.DataFrame,
    link: str,
    type: str,
    fixed_utils: Any,
    sd_formula: Any,
    sd_by_player: bool,
) -> tuple[Formula, Formula | None, tuple | None]:
    parsed = parse_formula(formula, part_names=None if fixed_utils is not None else tree.utilities)
    fixed = None
    if fixed_utils is not None:
        fixed = tuple(float(v) for v in np.asarray(fixed_utils, dtype=float).reshape(-1))
        if len(fixed) != len(tree.utilities) or not all(np.isfinite(fixed)):
            raise ParameterError(
                f"fixed_utils must give {len(tree.utilities)} finite values, for {', '.join(tree.utilities)}",
                name="fixed_utils",
                value=fixed_utils,
            )
        parsed = Formula(parsed.text, parsed.lhs, tuple(Part((), True) for _ in tree.utilities))
        if sd_formula is None:
            sd_formula = " | ".join(["1"] * (tree.form.players if sd_by_player else 1))
    sd = None
    if sd_formula is not None:
        need = (
            tuple(f"player {p}" for p in range(1, tree.form.players + 1))
            if sd_by_player
            else ("all players",)
        )
        sd = parse_formula(sd_formula, part_names=need, what="sd_formula")
        if sd.lhs:
            raise ParameterError(
                "sd_formula has nothing left of '~' (e.g. '~ balanc - 1')", name="sd_formula"
            )
    elif sd_by_player:
        raise ParameterError(
            "sd_by_player=True needs sd_formula= or fixed_utils= (the scale is only estimable then)",
            name="sd_by_player",
        )
    return parsed, sd, fixed


def fit_strategic(
    tree: Tree,
    formula: str,
    data: Any,
    *,
    link: str,
    type: str,
    outcomes: Any = None,
    subset: Any = None,
    fixed_utils: Any = None,
    sd_formula: Any = None,
    sd_by_player: bool = False,
    start: Any = None,
    maxiter: int = 500,
    boot: int = 0,
    seed: int | None = None,
) -> FitResult:
    """Fit a ``games`` tree (see :func:`deterrence.fit`)."""
    df = as_frame(data)
    parsed, sd, fixed = make_spec(tree, formula, df, link, type, fixed_utils, sd_formula, sd_by_player)
    where = {v: "outcome" for v in parsed.lhs}
    for u, part in zip(tree.utilities, parsed.parts, strict=True):
        where.update({v: f"in {u}" for v in part.variables() if v not in where})
    used = parsed.variables() + ([v for p in sd.parts for v in p.variables()] if sd else [])
    check_columns(df, used, where)
    frame = model_frame(df, list(dict.fromkeys(used)), subset, outcomes=parsed.lhs)
    y, names = code_response(tree, frame.data, parsed.lhs, outcomes)
    spec = Spec(tree, parsed, sd, link, type, fixed, frame.codings)
    blocks, Xs = designs(spec, frame.data, check=True)
    _identification(spec, blocks)
    _check_outcomes(spec, y, names)
    model = StrategicModel(tree, link, type, blocks)
    lik = Likelihood(model, Xs, y)
    theta0, found = _start(start, model, Xs, y, fixed is not None, seed)
    _separation(found)
    opt = maximise(lik, theta0, maxiter=maxiter)
    warn_convergence(opt, maxiter, model.param_names)
    cov = covariance(opt.hessian, model.param_names, opt.converged)
    backend = StrategicBackend(spec, model, lik, frame.data, names)
    return _result(spec, model, lik, opt, cov, frame, names, backend, boot, seed, maxiter)


def _result(spec, model, lik, opt, cov, frame, names, backend, boot, seed, maxiter) -> FitResult:
    pnames = model.param_names
    fixed = pd.Series(
        {f"{b.name}:{INTERCEPT}": b.fixed for b in model.blocks if b.fixed is not None}, dtype=float
    )
    zero = tuple(b.name for b in model.blocks if not b.columns and not b.is_scale)
    notes = [f"{u} fixed at 0" for u in zero]
    info = FitInfo(
        model=spec.tree.name,
        kind="strategic",
        link=spec.link,
        type=spec.type,
        formula=spec.formula.text + (f";  sd_formula: {spec.sd.text}" if spec.sd else ""),
        equations=tuple(b.name for b in model.blocks),
        outcome_names=names,
        converged=opt.converged,
        iterations=opt.iterations,
        message=opt.message,
        n_input=frame.n_input,
        n_subset=frame.n_subset,
        n_missing=frame.n_missing,
        notes=tuple(notes),
    )
    result = FitResult(
        params=pd.Series(opt.theta, index=pnames, name="params"),
        cov=pd.DataFrame(cov, index=pnames, columns=pnames),
        llf=opt.llf,
        loglik_obs=lik.loglik_obs(opt.theta),
        fixed_params=fixed,
        info=info,
        backend=backend,
    )
    if boot:
        result.bootstrap(int(boot), seed=seed, maxiter=maxiter)
    return result
