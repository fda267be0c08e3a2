"""Forward-mode dual numbers on arrays: values and their derivatives along a few base directions.

A :class:`Dual` holds ``v`` (shape ``(n,)``, one value per observation) and ``d`` (shape
``(n, k)``, the derivative of each value along ``k`` base directions: the utilities and log-scales
of a strategic model). The recursions of :mod:`deterrence.studies.statistical` use only ``+``,
``-``, ``*`` and a choice function, so running them on duals gives exact derivatives of every
probability with respect to every utility in one pass; the chain rule to the coefficients is one
product with the design matrices. Numbers and arrays mix with duals as constants.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit, log_ndtr, ndtr

_SQRT_2PI = float(np.sqrt(2.0 * np.pi))


class Dual:
    """A value array with its derivatives (see the module docstring)."""

    __slots__ = ("d", "v")
    __array_ufunc__ = None  # numpy defers to our reflected operators: array * dual -> Dual

    def __init__(self, v: np.ndarray, d: np.ndarray) -> None:
        self.v = v
        self.d = d

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Dual:
        if isinstance(other, Dual):
            return Dual(self.v + other.v, self.d + other.d)
        return Dual(self.v + other, self.d)

    __radd__ = __add__

    def __neg__(self) -> Dual:
        return Dual(-self.v, -self.d)

    def __sub__(self, other: Any) -> Dual:
        if isinstance(other, Dual):
            return Dual(self.v - other.v, self.d - other.d)
        return Dual(self.v - other, self.d)

    def __rsub__(self, other: Any) -> Dual:
        return Dual(other - self.v, -self.d)

    def __mul__(self, other: Any) -> Dual:
        if isinstance(other, Dual):
            return Dual(self.v * other.v, self.d * other.v[:, None] + other.d * self.v[:, None])
        c = np.asarray(other, dtype=float)
        return Dual(self.v * c, self.d * (c[:, None] if c.ndim else c))

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Dual:
        if isinstance(other, Dual):
            q = self.v / other.v
            return Dual(q, (self.d - other.d * q[:, None]) / other.v[:, None])
        c = np.asarray(other, dtype=float)
        return Dual(self.v / c, self.d / (c[:, None] if c.ndim else c))

    def __rtruediv__(self, other: Any) -> Dual:
        q = other / self.v
        return Dual(q, -self.d * (q / self.v)[:, None])


def constant(value: Any, n: int, k: int) -> Dual:
    """A dual with zero derivatives."""
    return Dual(np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy(), np.zeros((n, k)))


def variable(value: np.ndarray, direction: int, k: int) -> Dual:
    """A base variable: derivative 1 along ``direction``, 0 along the others."""
    d = np.zeros((value.shape[0], k))
    d[:, direction] = 1.0
    return Dual(np.asarray(value, dtype=float), d)


def value(x: Any) -> np.ndarray:
    """The value of a dual, or the number itself."""
    return x.v if isinstance(x, Dual) else np.asarray(x, dtype=float)


def sqrt(x: Any) -> Any:
    if not isinstance(x, Dual):
        return np.sqrt(x)
    r = np.sqrt(x.v)
    return Dual(r, x.d * (0.5 / r)[:, None])


def exp(x: Any) -> Any:
    if not isinstance(x, Dual):
        return np.exp(x)
    e = np.exp(x.v)
    return Dual(e, x.d * e[:, None])


def cdf(link: str, x: Any, eps: float = 0.0) -> Any:
    """The link's distribution function (standard normal or logistic), clamped to
    ``[eps, 1 - eps]`` with zero derivative where clamped (the package's ``finiteProbs``)."""
    xv = value(x)
    if link == "probit":
        p = ndtr(xv)
        dens = np.exp(-0.5 * xv * xv) / _SQRT_2PI
    else:
        p = expit(xv)
        dens = p * (1.0 - p)
    if eps > 0:
        inside = (p > eps) & (p < 1.0 - eps)
        p = np.clip(p, eps, 1.0 - eps)
        dens = np.where(inside, dens, 0.0)
    if not isinstance(x, Dual):
        return p
    return Dual(p, x.d * dens[:, None])


def log(x: Any) -> Any:
    if not isinstance(x, Dual):
        return np.log(x)
    return Dual(np.log(x.v), x.d / x.v[:, None])


def log_cdf(link: str, x: np.ndarray) -> np.ndarray:
    """log F(x) without underflow (values only)."""
    return log_ndtr(x) if link == "probit" else -np.logaddexp(0.0, -x)


def pick(options: list[Any], index: np.ndarray, n: int, k: int) -> Dual:
    """Row ``i`` of the result is row ``i`` of ``options[index[i]]``."""
    rows = np.arange(n)
    vals = np.stack([np.broadcast_to(value(o), (n,)) for o in options])
    zero = np.zeros((n, k))
    ders = np.stack([o.d if isinstance(o, Dual) else zero for o in options])
    return Dual(vals[index, rows], ders[index, rows])
