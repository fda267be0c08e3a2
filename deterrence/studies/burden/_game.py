"""The burden-sharing game itself: the technology ``D(S)`` and the N-member :class:`BurdenGame`.

Part of :mod:`deterrence.studies.burden` (see its docstring for the model); the public names are
re-exported there.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import sympy as sp
from scipy import optimize

from ..._numbers import numpy_function
from ...errors import ParameterError

UTILITIES = ("quasilinear", "log")
TECHNOLOGIES = ("exponential", "contest", "custom")
S_SYMBOL = sp.Symbol("S", nonnegative=True)
_SCALE = {"exponential": sp.Symbol("k", positive=True), "contest": sp.Symbol("s0", positive=True)}
_EPS_SHORT = 1e-12  # relative slack below the target that still counts as meeting it


# ---------------------------------------------------------------------------- checks
def _is_real(x: object) -> bool:
    """A real number (Python or numpy), not a bool."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool | np.bool_)


def _reals(name: str, values: object) -> tuple[float, ...]:
    """One real number per member, as floats; a :class:`ParameterError` naming ``name[i]`` otherwise."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise ParameterError(f"{name} must be a sequence of numbers, one per member, got {values!r}",
                             name=name, value=values)
    for i, x in enumerate(values):
        if not _is_real(x):
            raise ParameterError(f"{name}[{i}] must be a real number, got {x!r}", name=f"{name}[{i}]",
                                 value=x)
    return tuple(float(x) for x in values)


def check_grid(grid: object, name: str = "grid") -> int:
    """A grid size: a whole number of at least 2 points (both ends of the interval)."""
    if not (isinstance(grid, numbers.Integral) and not isinstance(grid, bool | np.bool_) and grid >= 2):
        raise ParameterError(f"{name} must be a whole number >= 2, got {grid!r}", name=name, value=grid,
                             domain="{2, 3, ...}")
    return int(grid)


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
        elif not (_is_real(self.scale) and np.isfinite(self.scale) and self.scale > 0):
            raise ParameterError(f"technology scale must be positive and finite, got {self.scale!r}",
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
    return tuple(numpy_function((S_SYMBOL, a), e) for e in exprs)


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
        w = _reals("incomes", self.incomes)
        v = _reals("valuations", self.valuations)
        if isinstance(self.technology, str):  # a kind's name: its default scale
            object.__setattr__(self, "technology", Technology(self.technology))
        elif not isinstance(self.technology, Technology):
            raise ParameterError(f"technology must be a Technology or one of {', '.join(TECHNOLOGIES[:2])}, "
                                 f"got {type(self.technology).__name__}", name="technology",
                                 value=self.technology)
        for name in ("target_share", "sanction"):
            if not _is_real(getattr(self, name)):
                raise ParameterError(f"{name} must be a real number, got {getattr(self, name)!r}", name=name,
                                     value=getattr(self, name))
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


__all__ = ["S_SYMBOL", "TECHNOLOGIES", "UTILITIES", "BurdenGame", "Technology"]
