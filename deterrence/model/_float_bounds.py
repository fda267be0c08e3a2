"""An expression's floating-point value on arrays of points, with a bound on its rounding error.

:func:`value_and_error` evaluates a sympy expression of the parameters in float64, node by node
(numpy, on whole arrays), and carries beside each value a bound on its distance from the
value of the same expression computed exactly at the decimals the floats print as (how
:meth:`Model.game <deterrence.model.Model.game>` reads a float: ``Fraction(repr(x))``,
:func:`~deterrence.model._specs.exact_fraction`). A running error bound (first-order
propagation with the cross terms kept, plus one rounding per operation):

* a parameter ``x``: ``u |x|`` (a float is within half an ulp of the decimal it prints as);
* ``a + b``: ``ea + eb`` plus the rounding of the sum; ``a * b``: ``|a| eb + |b| ea + ea eb``
  plus the rounding of the product;
* ``a ** p`` (``p`` a number; ``1/a`` and ``sqrt(a)`` are such powers): ``|p|`` times the
  largest ``|x| ** (p - 1)`` on ``[|a| - ea, |a| + ea]`` times ``ea`` (infinite when that
  interval reaches 0 and ``p < 1``), the error of ``p`` as a float, and one rounding;
* ``exp(a)``: ``exp(a) (exp(ea) - 1)``; ``log(a)``: ``-log1p(-ea / a)`` (infinite unless
  ``a > ea``); ``abs``, ``min`` and ``max``: the largest of their arguments' bounds;
* anything else (a power with a non-constant exponent, a function outside the parser's
  allow-list): infinite, so that the point is decided exactly.

Every rounding adds ``u |v| + 2**-1074`` (``u = 2**-53``, the smallest subnormal covering
underflow). The bound is computed in floating point itself, so callers use it with a safety
factor (:data:`SAFETY`); a bound that is not small beside the value (or not finite) means only
"decide this point exactly".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import sympy as sp

from .._numbers import postorder

#: the unit roundoff of float64
UNIT_ROUNDOFF = 2.0**-53
#: the smallest positive float (a rounding's absolute error when the result underflows)
_TINY = 2.0**-1074
#: a float value counts as decided by its sign only when it exceeds this many times its bound
SAFETY = 8.0

Pair = tuple[np.ndarray, np.ndarray]


def value_and_error(expr: sp.Expr, values: Mapping[sp.Symbol, np.ndarray]) -> Pair:
    """``expr``'s float value at every point of ``values`` (``{symbol: float array}``, arrays of
    one shape) and a bound on its error (see the module's docstring); both broadcast to the
    arrays' shape. Values outside the reals are NaN, with an infinite bound."""
    memo: dict[sp.Basic, Pair] = {}
    with np.errstate(all="ignore"):
        for node in postorder(expr):
            memo[node] = _node(node, [memo[a] for a in node.args], values)
    value, error = memo[expr]
    error = np.where(np.isnan(value) | np.isnan(error), np.inf, error)
    shape = np.broadcast_shapes(*(np.shape(a) for a in values.values())) if values else ()
    return np.broadcast_to(value, shape), np.broadcast_to(error, shape)


def decided(value: np.ndarray, error: np.ndarray) -> np.ndarray:
    """Where the sign of ``value`` is certain: ``|value| > SAFETY * error`` (False at NaN)."""
    return np.abs(value) > SAFETY * error


def _rounded(value: np.ndarray, error: np.ndarray) -> Pair:
    """``value`` with one more rounding added to its bound."""
    return value, error + UNIT_ROUNDOFF * np.abs(value) + _TINY


def _node(node: sp.Basic, args: Sequence[Pair], values: Mapping[sp.Symbol, np.ndarray]) -> Pair:
    if not node.args:
        return _atom(node, values)
    if isinstance(node, sp.Add):
        return _fold(args, _add)
    if isinstance(node, sp.Mul):
        return _fold(args, _mul)
    if isinstance(node, sp.Pow):
        return _pow(node, args[0])
    if isinstance(node, sp.exp):
        return _exp(*args[0])
    if isinstance(node, sp.log):
        return _log(*args[0])
    if isinstance(node, sp.Abs):
        return np.abs(args[0][0]), args[0][1]
    if isinstance(node, (sp.Min, sp.Max)):
        pick = np.minimum if isinstance(node, sp.Min) else np.maximum
        value = args[0][0]
        for v, _e in args[1:]:
            value = pick(value, v)  # NaN propagates
        return value, np.maximum.reduce(np.broadcast_arrays(*(e for _v, e in args)))
    return _unknown()


def _unknown() -> Pair:
    return np.array(np.nan), np.array(np.inf)


def _atom(node: sp.Basic, values: Mapping[sp.Symbol, np.ndarray]) -> Pair:
    if node in values:
        v = np.asarray(values[node], dtype=float)
        return v, UNIT_ROUNDOFF * np.abs(v) + _TINY
    if isinstance(node, sp.Integer) and abs(int(node)) <= 2**53:
        return np.array(float(int(node))), np.array(0.0)
    if node.is_number and node.is_real and node.is_finite:
        try:
            v = np.array(float(node))
        except (TypeError, ValueError, OverflowError):
            return _unknown()
        return _rounded(v, np.array(0.0))
    return _unknown()  # a symbol without values, oo, zoo, nan, I


def _fold(args: Sequence[Pair], step: object) -> Pair:
    acc = args[0]
    for arg in args[1:]:
        acc = step(acc, arg)  # type: ignore[operator]
    return acc


def _add(a: Pair, b: Pair) -> Pair:
    return _rounded(a[0] + b[0], a[1] + b[1])


def _mul(a: Pair, b: Pair) -> Pair:
    (va, ea), (vb, eb) = a, b
    return _rounded(va * vb, np.abs(va) * eb + np.abs(vb) * ea + ea * eb)


def _pow(node: sp.Pow, base: Pair) -> Pair:
    expo = node.exp
    if not (expo.is_number and expo.is_real and expo.is_finite):
        return _unknown()
    p = float(expo)
    vb, eb = base
    value = np.power(vb, p)
    mag = np.abs(vb)
    lo, hi = mag - eb, mag + eb
    if isinstance(expo, sp.Integer) and p >= 1:
        slope = np.power(hi, p - 1)
    else:  # the derivative |p| x**(p-1) may blow up near 0: only an interval away from 0 is bounded
        slope = np.where(lo > 0, np.maximum(np.power(np.abs(lo), p - 1), np.power(hi, p - 1)), np.inf)
    error = abs(p) * slope * eb
    if not isinstance(expo, sp.Integer):  # p as a float is off by u |p|, moving x**p by |x**p log x| u |p|
        error = error + np.abs(value * np.log(mag)) * UNIT_ROUNDOFF * abs(p)
    v, e = _rounded(value, error)
    return v, e + UNIT_ROUNDOFF * np.abs(v)  # pow itself is within an ulp, not half of one


def _exp(va: np.ndarray, ea: np.ndarray) -> Pair:
    value = np.exp(va)
    v, e = _rounded(value, value * np.expm1(ea))
    return v, e + UNIT_ROUNDOFF * v


def _log(va: np.ndarray, ea: np.ndarray) -> Pair:
    value = np.log(va)
    error = np.where(va > ea, -np.log1p(-ea / np.where(va > 0, va, 1.0)), np.inf)
    v, e = _rounded(value, error)
    return v, e + UNIT_ROUNDOFF * np.abs(v)
