"""Burden-sharing in an alliance: a public-good game with continuous contributions.

The Olson–Zeckhauser (1966) model of alliance burden-sharing, with the Bergstrom, Blume &
Varian (1986) equilibrium analysis. ``N`` members; member ``i`` has income ``w_i > 0``, values
the alliance's deterrent at ``v_i >= 0`` and contributes ``c_i`` in ``[0, w_i]``. Total spending
``S = sum_j c_j`` produces the deterrent level ``D(S)`` in ``[0, 1)`` by a concave technology:

* ``"exponential"``: ``D(S) = 1 - exp(-k S)``  (``scale`` is ``k``);
* ``"contest"``:     ``D(S) = S / (S + s0)``   (``scale`` is ``s0``);
* a custom sympy expression in the symbol ``S`` (:meth:`Technology.custom`; numerical path).

Utilities (the member's payoff, before any pledge sanction):

* ``"quasilinear"``: ``u_i = v_i D(S) - c_i``. Member ``i`` alone would buy ``S_i*`` with
  ``v_i D'(S_i*) = 1``; in equilibrium only the members with the highest ``v_i`` contribute
  (up to their incomes), everyone else free rides: the exploitation of the large by the small.
* ``"log"``: ``u_i = log(w_i - c_i) + v_i D(S)``. Member ``i`` contributes
  ``c_i = max(0, w_i - 1 / (v_i D'(S)))``: exactly the members with ``w_i v_i D'(S) > 1``
  contribute, and the total solves ``S + H / D'(S) = W_C`` (``H = sum_C 1/v_i``,
  ``W_C = sum_C w_i`` over the contributors ``C``): a LambertW (exponential) or a quadratic
  (contest), derived with sympy by :func:`closed_form`.

The pledge: a target ``target_share`` of income with a lump-sum ``sanction`` (a reputation
cost) for falling short, ``u_i - sanction * 1[c_i < target_share * w_i]``. Members then choose
between meeting the target (contributing at least the floor) and their unconstrained best
response. A lump sum (rather than a penalty proportional to the shortfall) because the agreed
targets are judged pass/fail: the reputational cost is of being named among the members that
miss, not of the size of the gap; a proportional penalty would instead act as a matching
subsidy on every unit below the target.

Every equilibrium is certified by :func:`certify_profile`: no member gains by changing its
contribution to any point of a fine grid on ``[0, w_i]`` (refined around the best grid point by
a second, 400 times finer grid), the first-order (KKT) conditions hold on the member's box, and the
second derivative of its payoff in its own contribution is ``<= 0`` (the payoff is concave in
``c_i`` between sanction jumps, so the KKT point is a global best response on that piece).

The link to deterrence: :class:`DeterrenceLink` maps the deterrent level ``D(S)`` onto a
parameter of an attacker–defender–ally model (by default ``p_allied`` of
``models/extended_deterrence.toml``), and :func:`linked_outcomes` solves that model at the
resulting values (compiled kernel, per-point ``dt.solve`` where the kernel is undecided).

Continuous strategies are built in Python, not in a model file: the TOML model format describes
finite game trees, and a contribution is a real number in an interval.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import sympy as sp
from scipy import optimize, special

from .errors import ParameterError, SolverError, UnsupportedError

UTILITIES = ("quasilinear", "log")
TECHNOLOGIES = ("exponential", "contest", "custom")
S_SYMBOL = sp.Symbol("S", nonnegative=True)
_SCALE = {"exponential": sp.Symbol("k", positive=True), "contest": sp.Symbol("s0", positive=True)}
_EPS_SHORT = 1e-12  # relative slack below the target that still counts as meeting it


# ---------------------------------------------------------------------------- technology
@dataclass(frozen=True)
class Technology:
    """How total spending ``S`` becomes the deterrent level ``D(S)`` (concave, increasing, ``D(0)=0``).

    Parameters
    ----------
    kind
        ``"exponential"`` (``1 - exp(-k S)``), ``"contest"`` (``S / (S + s0)``) or ``"custom"``.
    scale
        ``k`` (exponential) or ``s0`` (contest); ignored for ``"custom"``.
    expr
        For ``"custom"``: a sympy expression in :data:`S_SYMBOL` (a sympy object, never text).
    """

    kind: str = "exponential"
    scale: float = 1.0
    expr: sp.Expr | None = field(default=None, compare=True)

    def __post_init__(self) -> None:
        if self.kind not in TECHNOLOGIES:
            raise ParameterError(f"unknown technology kind '{self.kind}'; valid: {', '.join(TECHNOLOGIES)}",
                                 name="kind", value=self.kind, domain=TECHNOLOGIES)
        if self.kind == "custom":
            if not isinstance(self.expr, sp.Expr) or self.expr.free_symbols - {S_SYMBOL}:
                raise ParameterError("a custom technology needs a sympy expression whose only symbol is "
                                     "burden.S_SYMBOL", name="expr", value=self.expr)
        elif not (np.isfinite(self.scale) and self.scale > 0):
            raise ParameterError(f"technology scale must be positive and finite, got {self.scale}",
                                 name="scale", value=self.scale, domain="(0, inf)")

    @classmethod
    def custom(cls, expr: sp.Expr) -> Technology:
        """A technology given as a sympy expression in :data:`S_SYMBOL` (numerical path only,
        unless sympy can solve its first-order conditions)."""
        return cls("custom", 1.0, expr)

    def symbolic(self, scale_symbol: bool = False) -> sp.Expr:
        """``D(S)`` as a sympy expression (with the scale as a symbol if ``scale_symbol``)."""
        if self.kind == "custom":
            return self.expr  # type: ignore[return-value]
        a = _SCALE[self.kind] if scale_symbol else sp.Float(self.scale)
        S = S_SYMBOL
        return 1 - sp.exp(-a * S) if self.kind == "exponential" else S / (S + a)

    def _funcs(self) -> tuple[Any, Any, Any]:
        return _technology_functions(self)

    def value(self, S: Any) -> np.ndarray:
        """``D(S)``."""
        return self._funcs()[0](np.asarray(S, dtype=float))

    def slope(self, S: Any) -> np.ndarray:
        """``D'(S)``."""
        return self._funcs()[1](np.asarray(S, dtype=float))

    def curvature(self, S: Any) -> np.ndarray:
        """``D''(S)``."""
        return self._funcs()[2](np.asarray(S, dtype=float))

    def inverse(self, level: Any) -> np.ndarray:
        """The spending ``S`` with ``D(S) = level`` (``inf`` for ``level >= 1``)."""
        d = np.asarray(level, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "exponential":
                out = -np.log1p(-d) / self.scale
            elif self.kind == "contest":
                out = self.scale * d / (1 - d)
            else:
                out = np.vectorize(self._invert_custom)(d)
        return np.where(d >= 1, np.inf, np.where(d <= 0, 0.0, out))

    def _invert_custom(self, d: float) -> float:
        if d <= 0:
            return 0.0
        hi = 1.0
        while float(self.value(hi)) < d:
            hi *= 2
            if hi > 1e12:
                return float("inf")
        return float(optimize.brentq(lambda s: float(self.value(s)) - d, 0.0, hi, xtol=1e-14))


@functools.lru_cache(maxsize=4096)
def _technology_functions(tech: Technology) -> tuple[Any, Any, Any]:
    fns = _technology_lambdas(tech.kind, tech.expr)
    a = tech.scale

    def wrap(f: Any) -> Any:
        def g(s: Any) -> Any:
            if np.ndim(s):
                return np.broadcast_to(np.asarray(f(s, a), dtype=float), np.shape(s)).copy()
            return float(f(s, a))

        return g

    return tuple(wrap(f) for f in fns)  # type: ignore[return-value]


@functools.lru_cache(maxsize=64)
def _technology_lambdas(kind: str, expr: sp.Expr | None) -> tuple[Any, ...]:
    """``D, D', D''`` as numpy functions of ``(S, scale)`` (one sympy derivation per kind)."""
    tech = Technology(kind, 1.0, expr)
    D = tech.symbolic(scale_symbol=True)
    a = _SCALE.get(kind, sp.Symbol("unused_scale"))
    exprs = (D, sp.diff(D, S_SYMBOL), sp.diff(D, S_SYMBOL, 2))
    return tuple(sp.lambdify((S_SYMBOL, a), e, modules="numpy") for e in exprs)


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
    return sp.lambdify(args, expr, modules=[{"_LambertWExp": _lambertw_exp}, "numpy"])


# ---------------------------------------------------------------------------- the game
@dataclass(frozen=True)
class BurdenGame:
    """An N-member burden-sharing game (see the module docstring).

    Parameters
    ----------
    incomes
        ``w_i > 0``.
    valuations
        ``v_i >= 0``: each member's value of the deterrent level ``D(S)``.
    technology
        The :class:`Technology`.
    utility
        ``"quasilinear"`` or ``"log"``.
    target_share
        The pledge's spending target as a share of income (``0.02`` is the 2 % pledge); 0: none.
    sanction
        The lump-sum reputation cost of falling short of the target.
    """

    incomes: tuple[float, ...]
    valuations: tuple[float, ...]
    technology: Technology = Technology()
    utility: str = "quasilinear"
    target_share: float = 0.0
    sanction: float = 0.0

    def __post_init__(self) -> None:
        w = tuple(float(x) for x in self.incomes)
        v = tuple(float(x) for x in self.valuations)
        object.__setattr__(self, "incomes", w)
        object.__setattr__(self, "valuations", v)
        if not w:
            raise ParameterError("a burden-sharing game needs at least one member", name="incomes", value=w)
        if len(v) != len(w):
            raise ParameterError(f"{len(w)} incomes but {len(v)} valuations", name="valuations", value=v)
        for name, xs, ok, dom in (("incomes", w, lambda x: x > 0, "(0, inf)"),
                                  ("valuations", v, lambda x: x >= 0, "[0, inf)")):
            for i, x in enumerate(xs):
                if not (np.isfinite(x) and ok(x)):
                    raise ParameterError(f"{name}[{i}] = {x} is outside {dom}", name=f"{name}[{i}]",
                                         value=x, domain=dom)
        _check_choice("utility", self.utility, UTILITIES)
        if not (0 <= self.target_share < 1):
            raise ParameterError(f"target_share = {self.target_share} is outside [0, 1)", name="target_share",
                                 value=self.target_share, domain="[0, 1)")
        if not (np.isfinite(self.sanction) and self.sanction >= 0):
            raise ParameterError(f"sanction = {self.sanction} is outside [0, inf)", name="sanction",
                                 value=self.sanction, domain="[0, inf)")

    @property
    def n(self) -> int:
        """Number of members."""
        return len(self.incomes)

    @property
    def w(self) -> np.ndarray:
        return np.array(self.incomes)

    @property
    def v(self) -> np.ndarray:
        return np.array(self.valuations)

    @property
    def floors(self) -> np.ndarray:
        """The pledge's target contribution ``target_share * w_i`` per member."""
        return self.target_share * self.w

    @property
    def pledge_active(self) -> bool:
        return self.target_share > 0 and self.sanction > 0

    def without_pledge(self) -> BurdenGame:
        return replace(self, target_share=0.0, sanction=0.0)

    # -- payoffs (vectorised: w, v, c, S_minus broadcast together)
    def _u(self, w: Any, v: Any, c: Any, S_minus: Any, sanction: bool = True) -> np.ndarray:
        S = S_minus + c
        with np.errstate(divide="ignore", invalid="ignore"):
            priv = -c if self.utility == "quasilinear" else np.log(np.maximum(w - c, 0.0))
            u = priv + v * self.technology.value(S)
        if sanction and self.pledge_active:
            u = u - self.sanction * (c < self.target_share * w * (1 - _EPS_SHORT))
        return np.asarray(u, dtype=float)

    def _du(self, w: Any, v: Any, c: Any, S: Any) -> np.ndarray:
        with np.errstate(divide="ignore"):
            priv = -1.0 if self.utility == "quasilinear" else -1.0 / (w - c)
        return np.asarray(priv + v * self.technology.slope(S), dtype=float)

    def _d2u(self, w: Any, v: Any, c: Any, S: Any) -> np.ndarray:
        with np.errstate(divide="ignore"):
            priv = 0.0 if self.utility == "quasilinear" else -1.0 / (w - c) ** 2
        return np.asarray(priv + v * self.technology.curvature(S), dtype=float)

    def payoffs(self, contributions: Sequence[float]) -> np.ndarray:
        """Every member's payoff at a contribution profile (sanction included)."""
        c = np.asarray(contributions, dtype=float)
        S = c.sum()
        return self._u(self.w, self.v, c, S - c)

    def meets(self, contributions: Sequence[float]) -> np.ndarray:
        """Which members meet the target (all True when there is no target)."""
        c = np.asarray(contributions, dtype=float)
        return c >= self.floors * (1 - _EPS_SHORT)


def _check_choice(name: str, value: str, valid: Sequence[str]) -> None:
    if value not in valid:
        raise ParameterError(f"unknown {name} '{value}'; valid: {', '.join(valid)}", name=name, value=value,
                             domain=tuple(valid))


# ---------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class BurdenEquilibrium:
    """A certified Nash equilibrium of a :class:`BurdenGame`.

    Attributes
    ----------
    contributions, payoffs
        Per member.
    total, deterrence
        ``S`` and ``D(S)``.
    meets_target
        Per member: contributes at least ``target_share * w_i``.
    method
        ``"closed_form"`` or ``"numerical"``.
    max_grid_gain
        The largest gain any member finds by moving its contribution anywhere in ``[0, w_i]``
        (fine grid plus local refinement); ``<= tol`` certifies.
    kkt_residual
        ``max_i |c_i - clip(c_i + du_i/dc_i, lo_i, hi_i)|`` on each member's box (``[floor, w_i]``
        for members meeting a sanctioned target, ``[0, w_i]`` otherwise).
    second_order
        ``max_i d2u_i/dc_i2`` at the equilibrium (``<= 0``: concave, a maximum).
    certified
        All three checks pass.
    unique
        Without a pledge: False where the closed form picked one of a continuum (members tied
        at the margin). With a pledge: whether :func:`pledge_equilibria` found exactly one
        equilibrium, or ``None`` where that was not checked (``check_unique=False``).
    iterations
        Best-response sweeps (numerical path) or contributor sets tried (closed form).
    """

    contributions: np.ndarray
    total: float
    deterrence: float
    payoffs: np.ndarray
    meets_target: np.ndarray
    method: str
    max_grid_gain: float
    kkt_residual: float
    second_order: float
    certified: bool
    unique: bool | None = True
    iterations: int = 0

    @property
    def shares(self) -> np.ndarray:
        """Each member's share of total spending (zeros if nobody spends)."""
        return self.contributions / self.total if self.total > 0 else np.zeros_like(self.contributions)


@dataclass(frozen=True)
class Certificate:
    """What :func:`certify_profile` measured (see :class:`BurdenEquilibrium`)."""

    max_grid_gain: float
    kkt_residual: float
    second_order: float
    certified: bool


def certify_profile(game: BurdenGame, contributions: Sequence[float], *, grid: int = 2001,
                    refine: bool = True, tol: float = 1e-9, kkt_tol: float = 1e-7) -> Certificate:
    """Check that no member gains by changing its contribution by any amount.

    Each member's payoff (sanction included) is evaluated on ``grid`` evenly spaced contributions
    in ``[0, w_i]`` plus its target, with the others fixed; the best grid point is refined by a
    second grid, 400 times finer, over its two neighbouring cells (the payoff is concave in
    ``c_i`` between sanction jumps, so the grid maximum is within ``|u''| h^2 / 2`` of the true
    one). The gain tolerance is relative: ``tol * (1 + max |u_i|)``.
    """
    c = np.asarray(contributions, dtype=float)
    w, v = game.w, game.v
    if c.shape != w.shape or np.any(c < -1e-12) or np.any(c > w * (1 + 1e-12)):
        raise ParameterError("contributions must be one value in [0, w_i] per member", name="contributions",
                             value=c)
    S = c.sum()
    Sm = S - c
    base = game._u(w, v, c, Sm)
    t = np.linspace(0.0, 1.0, grid)
    devs = w[:, None] * t[None, :]
    devs = np.concatenate([devs, game.floors[:, None]], axis=1)
    U = game._u(w[:, None], v[:, None], devs, Sm[:, None])
    gains = U - base[:, None]
    best = np.nanmax(np.where(np.isnan(gains), -np.inf, gains), axis=1)
    if refine:  # zoom: a second grid across the two cells around each member's best grid point
        step = w / (grid - 1)
        j = np.argmax(np.where(np.isnan(gains), -np.inf, gains), axis=1)
        x0 = devs[np.arange(game.n), j]
        lo, hi = np.maximum(0.0, x0 - step), np.minimum(w, x0 + step)
        zoom = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, 401)[None, :]
        Uz = game._u(w[:, None], v[:, None], zoom, Sm[:, None])
        best = np.maximum(best, np.nanmax(np.where(np.isnan(Uz), -np.inf, Uz), axis=1) - base)
    max_gain = float(max(0.0, best.max()))
    meets = game.meets(c)
    lo_box = np.where(meets & game.pledge_active, game.floors, 0.0)
    g = game._du(w, v, c, S)
    proj = np.clip(c + g, lo_box, w)
    kkt = float(np.max(np.abs(c - proj)))
    so = float(np.max(game._d2u(w, v, c, S)))
    scale = 1.0 + float(np.max(np.abs(base[np.isfinite(base)]))) if np.isfinite(base).any() else 1.0
    ok = bool(max_gain <= tol * scale and kkt <= kkt_tol * (1 + S) and so <= 0 and np.isfinite(base).all())
    return Certificate(max_gain, kkt, so, ok)


def _result(game: BurdenGame, c: np.ndarray, method: str, unique: bool, iterations: int,
            grid: int, certify: bool) -> BurdenEquilibrium:
    c = np.minimum(np.maximum(np.asarray(c, dtype=float), 0.0), game.w)
    S = float(c.sum())
    cert = certify_profile(game, c, grid=grid) if certify else Certificate(np.nan, np.nan, np.nan, False)
    pay = game.payoffs(c)
    meets = game.meets(c)
    for a in (c, pay, meets):
        a.setflags(write=False)
    return BurdenEquilibrium(c, S, float(game.technology.value(S)), pay, meets, method,
                             cert.max_grid_gain, cert.kkt_residual, cert.second_order, cert.certified,
                             unique, iterations)


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


def _pledge_preferences(game: BurdenGame, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each member: prefers meeting the target? and the gain from switching side."""
    w, v, f = game.w, game.v, game.floors
    Sm = c.sum() - c
    x_meet = _best_responses(game, Sm, f, w)
    x_short = _best_responses(game, Sm, np.zeros_like(f), f)
    u_meet = game._u(w, v, x_meet, Sm, sanction=False)
    u_short = game._u(w, v, x_short, Sm, sanction=False) - game.sanction
    return u_meet >= u_short, np.abs(u_meet - u_short)


def _closed_pledge(game: BurdenGame, max_flips: int | None = None) -> tuple[np.ndarray, bool, int]:
    """The pledge equilibrium reached by single switches from 'nobody is held to the target'."""
    M = np.zeros(game.n, dtype=bool)
    seen: set[bytes] = set()
    max_flips = max_flips or 4 * game.n * game.n + 10
    for it in range(max_flips):
        c, _u, _k = _closed_floors(game, np.where(M, game.floors, 0.0))
        meets = game.meets(c)
        want, gain = _pledge_preferences(game, c)
        bad = (want != meets)
        if not bad.any():
            return c, True, it + 1
        seen.add(M.tobytes())
        k = int(np.argmax(np.where(bad, gain, -1.0)))
        M = meets.copy()
        M[k] = want[k]
        if M.tobytes() in seen:
            break
    if game.n <= 12:
        eqs = pledge_equilibria(game)
        if eqs:
            return eqs[0], False, max_flips
    raise SolverError(f"pledge game with {game.n} members: single switches from the no-pledge profile cycle "
                      "and the members are too many to enumerate (at most 12)")


def pledge_equilibria(game: BurdenGame) -> list[np.ndarray]:
    """Every pure equilibrium of the pledge game, by enumerating who is held to the target.

    For each set ``M`` of members contributing at least their target, the equilibrium with
    those floors is computed in closed form and kept if every member's choice of side is a
    best response. Exponential in ``N``: at most 12 members.
    """
    if game.n > 12:
        raise UnsupportedError(f"enumerating pledge equilibria of {game.n} members (2^{game.n} sets) is too "
                               "large; at most 12", methods=("equilibrium",))
    out: list[np.ndarray] = []
    for bits in itertools.product((False, True), repeat=game.n):
        M = np.array(bits)
        c, _u, _k = _closed_floors(game, np.where(M, game.floors, 0.0))
        want, _g = _pledge_preferences(game, c)
        # members that meet the target of their own accord need no floor: the same profile
        # arises from several sets M, hence the duplicate check
        if np.array_equal(want, game.meets(c)) and not any(np.allclose(c, o, atol=1e-10) for o in out):
            out.append(c)
    return out


# ---------------------------------------------------------------------------- numerical path
def _numeric_br(game: BurdenGame, i: int, S_minus: float, lo: float, hi: float) -> float:
    """Member ``i``'s best contribution in ``[lo, hi]`` (no sanction), from its first-order
    condition: the payoff is concave in ``c_i``, so its derivative crosses zero once."""
    w, v = game.w[i], game.v[i]
    if game.utility == "log":
        hi = min(hi, w * (1 - 1e-12))
    if hi <= lo:
        return lo

    def g(x: float) -> float:
        return float(game._du(w, v, x, S_minus + x))

    if g(lo) <= 0:
        return lo
    if g(hi) >= 0:
        return hi
    return float(optimize.brentq(g, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200))


def _numeric_br_pledge(game: BurdenGame, i: int, S_minus: float) -> float:
    w = game.w[i]
    if not game.pledge_active:
        return _numeric_br(game, i, S_minus, 0.0, w)
    f = game.floors[i]
    x_meet = _numeric_br(game, i, S_minus, f, w)
    x_short = _numeric_br(game, i, S_minus, 0.0, f)
    u_meet = float(game._u(w, game.v[i], x_meet, S_minus, sanction=False))
    u_short = float(game._u(w, game.v[i], x_short, S_minus, sanction=False)) - game.sanction
    return x_meet if u_meet >= u_short else x_short


def _numerical(game: BurdenGame, c0: Sequence[float] | None = None, tol: float = 1e-14,
               max_sweeps: int = 5000) -> tuple[np.ndarray, int]:
    """Gauss–Seidel best-response iteration, then a Newton polish of the interior members'
    first-order conditions with ``scipy.optimize.root``."""
    c = np.zeros(game.n) if c0 is None else np.array(c0, dtype=float)
    S = c.sum()
    sweep = 0
    for sweep in range(1, max_sweeps + 1):  # noqa: B007 (reported as the iteration count)
        delta = 0.0
        for i in range(game.n):
            new = _numeric_br_pledge(game, i, S - c[i])
            delta = max(delta, abs(new - c[i]))
            S += new - c[i]
            c[i] = new
        S = c.sum()
        if delta <= tol * (1 + S):
            break
    else:
        raise SolverError(f"best-response iteration did not converge in {max_sweeps} sweeps "
                          f"(last change {delta:.3g}); try method='closed_form'")
    # polish: Newton on the interior members' first-order conditions, the active set fixed
    w, v = game.w, game.v
    lo = np.where(game.pledge_active & game.meets(c), game.floors, 0.0)
    interior = np.flatnonzero((c > lo + 1e-12 * (1 + w)) & (c < w * (1 - 1e-9)))
    if interior.size:
        def foc(x: np.ndarray) -> np.ndarray:
            cc = c.copy()
            cc[interior] = x
            return game._du(w[interior], v[interior], x, cc.sum())

        r = optimize.root(foc, c[interior], method="hybr", options={"xtol": 1e-15})
        x = r.x
        if (np.all(x >= lo[interior]) and np.all(x <= w[interior])
                and np.max(np.abs(foc(x))) <= np.max(np.abs(foc(c[interior])))):
            c[interior] = x
    return c, sweep


# ---------------------------------------------------------------------------- public solve
def equilibrium(game: BurdenGame, method: str = "auto", *, grid: int = 2001, certify: bool = True,
                require_certified: bool = True, check_unique: bool = False) -> BurdenEquilibrium:
    """The Nash equilibrium of a burden-sharing game, certified.

    Parameters
    ----------
    game
        The :class:`BurdenGame` (with a pledge when ``target_share`` and ``sanction`` are > 0).
    method
        ``"closed_form"`` (sympy-derived formulas; the pledge by switches over who meets it),
        ``"numerical"`` (best-response iteration with scipy, no formula used) or ``"auto"``
        (closed form where one exists).
    grid
        Points of the deviation grid per member in :func:`certify_profile`.
    certify, require_certified
        Run the certificate; raise :class:`~deterrence.errors.SolverError` if it fails.
    check_unique
        With a pledge: enumerate every pledge equilibrium (at most 12 members) to fill ``unique``.

    Without a pledge the equilibrium total is unique (Bergstrom, Blume & Varian 1986). With a
    pledge the game (a lump-sum sanction makes payoffs jump) may have several pure equilibria or,
    in principle, none; this returns the one reached from the no-pledge profile by single
    switches of side (the numerical path: by best-response iteration from zero contributions);
    see :func:`pledge_equilibria` for all of them.
    """
    _check_choice("method", method, ("auto", "closed_form", "numerical"))
    if method == "auto":
        tech = game.technology
        try:
            closed_form(game.utility, tech if tech.kind == "custom" else tech.kind)
            method = "closed_form"
        except UnsupportedError:
            method = "numerical"
    unique: bool | None
    if method == "closed_form":
        if game.pledge_active:
            c, _found_by_flips, it = _closed_pledge(game)
        else:
            c, unique, it = _closed_floors(game, np.zeros(game.n))
    else:
        c, it = _numerical(game)
        unique = True
    if game.pledge_active:
        unique = len(pledge_equilibria(game)) == 1 if check_unique else None
    eq = _result(game, c, method, unique, it, grid, certify)
    if certify and require_certified and not eq.certified:
        raise SolverError(f"burden-sharing equilibrium ({method}) failed certification: max grid gain "
                          f"{eq.max_grid_gain:.3g}, KKT residual {eq.kkt_residual:.3g}, second order "
                          f"{eq.second_order:.3g}")
    return eq


def cooperative_total(game: BurdenGame) -> float:
    """The total a utilitarian planner buys (the Samuelson condition ``sum_i MRS_i = 1``).

    Quasilinear: ``(sum_i v_i) D'(S*) = 1`` (capped by total income); this is also the Lindahl
    total. Log (equal welfare weights): the planner equalises the consumption of contributing
    members at ``1 / (V D'(S))``, which is the Nash equilibrium of the game in which every member
    values the deterrent at ``V = sum_i v_i``; computed that way.
    """
    V = float(np.sum(game.v))
    g = replace(game.without_pledge(), valuations=tuple([V] * game.n))
    return float(_closed_floors(g, np.zeros(game.n))[0].sum())


def random_game(rng: np.random.Generator, n: int | None = None, utility: str = "quasilinear",
                technology: str = "exponential", size_valuation: bool = False) -> BurdenGame:
    """A random game for tests and examples: incomes log-uniform in ``[0.2, 5]``, valuations
    uniform in ``[0.2, 6]`` (or proportional to income, ``v_i = theta w_i``, if ``size_valuation``),
    scale uniform in ``[0.3, 2]``."""
    n = int(rng.integers(1, 7)) if n is None else n
    w = np.exp(rng.uniform(np.log(0.2), np.log(5.0), n))
    v = rng.uniform(0.2, 2.0) * w if size_valuation else rng.uniform(0.2, 6.0, n)
    tech = Technology(technology, float(rng.uniform(0.3, 2.0)))
    return BurdenGame(tuple(w), tuple(v), tech, utility)


# ---------------------------------------------------------------------------- link to deterrence
@dataclass(frozen=True)
class DeterrenceLink:
    """How the alliance's deterrent level ``D(S)`` sets a parameter of a deterrence model.

    ``parameter = at_zero + (at_full - at_zero) * D(S)``: linear in the deterrent level, from
    its value with no spending (``D = 0``) to its value as spending grows without bound.

    Parameters
    ----------
    parameter
        A parameter of ``model`` (e.g. ``"p_allied"``, ``"cost_attacker"``).
    at_zero
        Value at ``D = 0``. ``None``: for ``p_allied``, the Defender's chance alone ``p_alone``
        (an ally that buys nothing adds nothing); otherwise the parameter's value in ``fixed``
        or its default.
    at_full
        Value as ``D -> 1``.
    model
        A catalogue name or a model file path.
    """

    parameter: str = "p_allied"
    at_zero: float | None = None
    at_full: float = 1.0
    model: str = "extended_deterrence"

    def load(self) -> Any:
        from .catalogue import load_model

        m = load_model(self.model)
        if self.parameter not in m.parameters:
            raise ParameterError(f"unknown parameter '{self.parameter}' for model '{m.name}'; valid: "
                                 f"{', '.join(m.parameters)}", name=self.parameter)
        return m

    def values(self, levels: Any, model: Any = None, **fixed: float) -> pd.DataFrame:
        """Model parameter values (one row per deterrent level): ``fixed``, defaults and the link."""
        m = model if model is not None else self.load()
        for k in fixed:
            if k not in m.parameters:
                raise ParameterError(f"unknown parameter '{k}' for model '{m.name}'; valid: "
                                     f"{', '.join(m.parameters)}", name=k)
            if k == self.parameter:
                raise ParameterError(f"'{k}' is set by the burden-sharing link and cannot be fixed", name=k)
        d = np.atleast_1d(np.asarray(levels, dtype=float))
        base = {n: float(fixed.get(n, p.default)) for n, p in m.parameters.items()}
        if self.at_zero is not None:
            lo = float(self.at_zero)
        elif self.parameter == "p_allied" and "p_alone" in base:
            lo = base["p_alone"]
        else:
            lo = base[self.parameter]
        pts = pd.DataFrame({n: np.full(d.size, x) for n, x in base.items()})
        pts[self.parameter] = lo + (self.at_full - lo) * d
        dom = m.parameters[self.parameter].domain
        bad = (pts[self.parameter] < dom[0] - 1e-12) | (pts[self.parameter] > dom[1] + 1e-12)
        if bad.any():
            x = float(pts[self.parameter][bad].iloc[0])
            raise ParameterError(f"the link sets {self.parameter} = {x}, outside its domain {dom}",
                                 name=self.parameter, value=x, domain=dom)
        return pts


def linked_outcomes(levels: Any, link: DeterrenceLink | None = None, *, concept: str = "pbe",
                    belief_policy: str = "free", **fixed: float) -> pd.DataFrame:
    """Solve the linked deterrence model at each deterrent level.

    Parameters
    ----------
    levels
        Deterrent levels ``D(S)`` (floats in ``[0, 1]``) or :class:`BurdenEquilibrium` objects.
    link
        The :class:`DeterrenceLink` (default: ``p_allied`` of ``extended_deterrence``).
    concept, belief_policy
        As in :func:`deterrence.solve`; the compiled kernel solves whole arrays, and points the
        kernel leaves undecided (knife edges) are solved per point with ``dt.solve``.
    fixed
        Values of the model's other parameters (defaults otherwise).

    Returns
    -------
    pandas.DataFrame
        One row per level: ``level``, the linked parameter, ``n_equilibria``, ``p_attack_min``,
        ``p_attack_max``, ``deterred`` (every equilibrium is free of attack), ``regimes`` and
        ``orderings_ok`` (the model's stated orderings hold at these values).
    """
    from .kernels import compile_model

    link = link or DeterrenceLink()
    lv = _levels(levels)
    m = link.load()
    pts = link.values(lv, m, **fixed)
    table, undecided = compile_model(m, concept, belief_policy).evaluate(pts)
    rows = []
    grouped = dict(tuple(table.groupby("point"))) if len(table) else {}
    for k in range(len(pts)):
        if undecided[k] or k not in grouped:
            rows.append(_solve_point(m, pts.iloc[k].to_dict(), concept, belief_policy))
        else:
            g = grouped[k]
            rows.append((len(g), float(g.p_attack.min()), float(g.p_attack.max()),
                         "|".join(sorted(set(g.regime)))))
    out = pd.DataFrame(rows, columns=["n_equilibria", "p_attack_min", "p_attack_max", "regimes"])
    out.insert(0, link.parameter, pts[link.parameter].to_numpy())
    out.insert(0, "level", lv)
    out["deterred"] = out["p_attack_max"] <= 1e-9
    ev = m.evaluate({n: pts[n].to_numpy() for n in m.parameters}, check=False, check_orderings=False)
    out["orderings_ok"] = np.broadcast_to(np.asarray(ev.ordering_ok, dtype=bool), (len(pts),))
    return out


def _levels(levels: Any) -> np.ndarray:
    if isinstance(levels, BurdenEquilibrium):
        levels = [levels]
    if isinstance(levels, Iterable) and not isinstance(levels, np.ndarray | str):
        return np.array([x.deterrence if isinstance(x, BurdenEquilibrium) else float(x) for x in levels])
    return np.atleast_1d(np.asarray(levels, dtype=float))


def _solve_point(m: Any, values: Mapping[str, float], concept: str, belief_policy: str) -> tuple:
    from .solving import solve

    eqs = solve(m.game(dict(values), check_orderings=False), concept, belief_policy=belief_policy)
    pa = [1.0 - float(e.outcomes.get("status_quo", 0.0)) for e in eqs]
    return (len(pa), min(pa), max(pa), "per-point")


def solve_linked(eq: BurdenEquilibrium | float, link: DeterrenceLink | None = None, *, concept: str = "pbe",
                 belief_policy: str = "free", **fixed: float) -> Any:
    """The full :class:`~deterrence.EquilibriumSet` of the linked model at one equilibrium
    (``dt.solve`` on ``model.game(**values)``)."""
    from .solving import solve

    link = link or DeterrenceLink()
    m = link.load()
    level = eq.deterrence if isinstance(eq, BurdenEquilibrium) else float(eq)
    values = link.values([level], m, **fixed).iloc[0].to_dict()
    return solve(m.game(values, check_orderings=False), concept, belief_policy=belief_policy)


def required_level(link: DeterrenceLink | None = None, *, concept: str = "pbe", belief_policy: str = "free",
                   grid: int = 1001, **fixed: float) -> float | None:
    """The smallest deterrent level ``D`` in ``[0, 1]`` from which on every equilibrium of the
    linked model is free of attack (``None`` if not even ``D = 1`` deters). Found on a grid and
    refined on a second grid inside the bracketing cell (precision about ``1/grid**2``).
    Assumes deterrence is monotone in the level (checked on the grid: an error if not)."""
    xs = np.linspace(0.0, 1.0, grid)
    out = linked_outcomes(xs, link, concept=concept, belief_policy=belief_policy, **fixed)
    ok = out["deterred"].to_numpy()
    if not ok[-1]:
        return None
    if ok[0]:
        return 0.0
    j = int(np.flatnonzero(~ok)[-1])
    if ok[:j].any():
        raise SolverError("deterrence is not monotone in the deterrent level for this link; "
                          "inspect linked_outcomes() instead")
    fine = np.linspace(xs[j], xs[j + 1], grid)
    ok2 = linked_outcomes(fine, link, concept=concept, belief_policy=belief_policy, **fixed)["deterred"]
    return float(fine[int(np.argmax(ok2.to_numpy()))])


__all__ = [
    "S_SYMBOL",
    "TECHNOLOGIES",
    "UTILITIES",
    "BurdenEquilibrium",
    "BurdenGame",
    "Certificate",
    "ClosedForm",
    "DeterrenceLink",
    "Technology",
    "certify_profile",
    "closed_form",
    "cooperative_total",
    "equilibrium",
    "linked_outcomes",
    "pledge_equilibria",
    "random_game",
    "required_level",
    "solve_linked",
]
