"""Closed forms of the burden-sharing game: derived with sympy, then solved on arrays.

:func:`closed_form` derives the equilibrium condition for ``S`` and its solution; the
closed-form path computes the Nash equilibrium with contribution floors (the contributor set
found by sorting) and the members' clipped best responses. Part of :mod:`deterrence.studies.burden`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import special

from ..._numbers import numpy_function
from ...errors import SolverError, UnsupportedError
from ._game import _SCALE, S_SYMBOL, UTILITIES, BurdenGame, Technology, _check_choice


# ---------------------------------------------------------------------------- closed forms
@dataclass(frozen=True)
class ClosedForm:
    """A closed form derived with sympy.

    Attributes
    ----------
    utility, technology
        Which game.
    equation
        The equilibrium condition (``Eq``) in ``S`` and the symbols below.
    solution
        Its solution for ``S`` (the branch in ``[0, W]``).
    symbols
        The symbols of ``solution`` besides the scale: ``v`` (quasilinear: a member's valuation)
        or ``H, W`` (log: the sum of ``1/v_i`` and of ``w_i`` over the contributors, floors
        included in ``W``).
    """

    utility: str
    technology: str
    equation: sp.Eq
    solution: sp.Expr
    symbols: tuple[sp.Symbol, ...]


_V, _H, _W = sp.symbols("v H W", positive=True)


class _LambertWExp(sp.Function):
    """``W0(exp(x))``: evaluated stably for large ``x`` (no overflow)."""


def _lambertw_exp(x: Any) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    small = x < 500
    out = np.empty_like(x)
    out[small] = special.lambertw(np.exp(x[small])).real
    big = ~small
    if big.any():  # w + log w = x, Newton from the asymptotic start
        w = x[big] - np.log(x[big])
        for _ in range(8):
            w = w - (w + np.log(w) - x[big]) / (1 + 1 / w)
        out[big] = w
    return out


def closed_form(utility: str, technology: str | Technology = "exponential") -> ClosedForm:
    """Derive the equilibrium condition and its solution for ``S`` with sympy.

    * quasilinear: ``v D'(S) = 1`` solved for ``S``: the total a member with valuation ``v``
      would buy alone (its stand-alone demand ``S*(v)``).
    * log: ``S + H / D'(S) = W`` (the contributors' first-order conditions
      ``w_i - c_i = 1 / (v_i D'(S))`` summed) solved for ``S``.

    Derivations (and failures) are cached per utility and technology kind.

    Raises
    ------
    UnsupportedError
        If sympy finds no unique closed form (use ``method="numerical"``).
    """
    _check_choice("utility", utility, UTILITIES)
    tech = technology if isinstance(technology, Technology) else Technology(technology)
    found = _derive(utility, tech.kind, tech.expr)
    if isinstance(found, str):
        raise UnsupportedError(found, methods=("numerical",))
    return found


@functools.lru_cache(maxsize=64)
def _derive(utility: str, kind: str, expr: sp.Expr | None) -> ClosedForm | str:
    tech = Technology(kind, 1.0, expr)
    S = S_SYMBOL
    D = tech.symbolic(scale_symbol=True)
    d1 = sp.diff(D, S)
    if utility == "quasilinear":
        eq, syms = sp.Eq(_V * d1, 1), (_V,)
    else:
        eq, syms = sp.Eq(S + _H / d1, _W), (_H, _W)
    try:
        sols = sp.solve(eq, S)
    except NotImplementedError:
        sols = []
    sols = [s for s in sols if s.is_real is not False]
    if len(sols) != 1:
        return (f"no unique closed form for the {utility} game with technology {kind!r} "
                f"(sympy found {len(sols)} solutions)")
    return ClosedForm(utility, kind, eq, sp.simplify(sols[0]), syms)


def _closed_form_function(utility: str, tech: Technology) -> Any:
    f = _closed_form_lambda(utility, tech.kind, tech.expr)
    scale = tech.scale

    def evaluate(*values: Any) -> np.ndarray:
        vals = [np.asarray(v, dtype=float) for v in values]
        with np.errstate(all="ignore"):
            out = f(*vals, scale) if tech.kind != "custom" else f(*vals)
        return np.asarray(out, dtype=float)

    return evaluate


@functools.lru_cache(maxsize=64)
def _closed_form_lambda(utility: str, kind: str, expr: sp.Expr | None) -> Any:
    tech = Technology(kind, 1.0, expr)
    cf = closed_form(utility, tech if tech.kind == "custom" else tech.kind)
    expr = cf.solution.replace(sp.LambertW, lambda a: _LambertWExp(sp.expand_log(sp.log(a), force=True)))
    args = list(cf.symbols)
    if tech.kind != "custom":
        args.append(_SCALE[tech.kind])
    return numpy_function(args, expr, extra={"_LambertWExp": _lambertw_exp})


# ---------------------------------------------------------------------------- closed-form path
def _standalone(game: BurdenGame, v: np.ndarray) -> np.ndarray:
    """Quasilinear stand-alone demand ``S*(v)`` (0 where ``v D'(0) <= 1``)."""
    tech = game.technology
    f = _closed_form_function("quasilinear", tech)
    out = np.where(v * tech.slope(np.zeros_like(v)) > 1, f(np.maximum(v, 1e-300)), 0.0)
    return np.maximum(np.nan_to_num(out, nan=0.0), 0.0)


def _closed_floors(game: BurdenGame, floors: np.ndarray) -> tuple[np.ndarray, bool, int]:
    """Nash equilibrium in closed form when member ``i`` must contribute at least ``floors[i]``."""
    w, v = game.w, game.v
    F = float(floors.sum())
    cap = w - floors
    if game.utility == "quasilinear":
        tp = _standalone(game, v) - F  # what each member wants above the floors
        order = np.argsort(-tp, kind="stable")
        K = np.cumsum(cap[order])
        extra = max(0.0, float(np.max(np.minimum(K, tp[order]))))
        d = np.zeros_like(w)
        rest = extra
        for j in order:
            d[j] = min(cap[j], rest)
            rest -= d[j]
        marginal = np.abs(tp - extra) <= 1e-12 * (1 + abs(extra) + F)
        unique = int(np.sum(marginal & (cap > 0))) <= 1 or extra == 0
        return floors + d, bool(unique), 1
    # log utility: the contributors above their floors are the members with the largest (w - f) v
    key = cap * v
    order = np.argsort(-key, kind="stable")
    f = _closed_form_function("log", game.technology)
    tech = game.technology
    best, best_viol = None, np.inf
    for m in range(game.n + 1):
        C = order[:m]
        if m == 0:
            S = F
        else:
            H = float(np.sum(1.0 / v[C]))
            Wc = float(w[C].sum() + floors.sum() - floors[C].sum())
            S = float(f(H, Wc))
        if not np.isfinite(S):
            continue
        d1 = float(tech.slope(S))
        viol = 0.0
        if m > 0:
            viol = max(viol, 1.0 - key[order[m - 1]] * d1)  # the last contributor must want more
        if m < game.n:
            viol = max(viol, key[order[m]] * d1 - 1.0)  # the next one must not
        if viol <= 1e-12:
            best = (C, S)
            break
        if viol < best_viol:
            best_viol, best = viol, (C, S)
    if best is None:
        raise SolverError("log closed form: no contributor set is consistent (overflow?); "
                          "use method='numerical'")
    C, S = best
    c = floors.copy()
    d1 = float(tech.slope(S))
    c[C] = w[C] - 1.0 / (v[C] * d1)
    return np.clip(c, floors, w), True, m + 1


def _best_responses(game: BurdenGame, S_minus: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Every member's best contribution in ``[lo_i, hi_i]`` without the sanction (closed form),
    the others' total being ``S_minus[i]``: the payoff is concave in ``c_i``, so the constrained
    best response is the unconstrained one clipped to the box."""
    w, v = game.w, game.v
    if game.utility == "quasilinear":
        return np.clip(_standalone(game, v) - S_minus, lo, hi)
    # log: member i alone above the others' total: S + (1/v_i)/D'(S) = w_i + S_minus
    S = _closed_form_function("log", game.technology)(1.0 / np.maximum(v, 1e-300), w + S_minus)
    return np.where(v > 0, np.clip(S - S_minus, lo, np.minimum(hi, w)), lo)



__all__ = ["ClosedForm", "closed_form"]
