"""Numbers of sympy expressions at known values, with the cost bounded before the work is done.

sympy evaluates numbers eagerly and exactly: ``exp(exp(exp(exp(exp(1)))))`` asked for 30 digits
needs a precision of millions of digits, ``(v**10000 + 1)**10000`` at ``v = 0.1234567`` a
rational of billions of bits, and either runs until killed. :func:`evaluate` walks the
expression once (its shared graph, so in time linear in its distinct nodes) and carries two
numbers per node:

* a floating-point value, computed as numpy would (an overflow is ``inf``, never an error);
* the exact rational value, kept only while its size, estimated *before* each operation from
  the sizes of the operands, stays within :data:`MAX_EXACT_BITS`.

An expression whose value is rational and small stays exact (``int`` or ``Fraction``); any
other is a float, recomputed at 128 bits with mpmath in a second pass over the graph when every
intermediate value was a finite float (sympy's own ``evalf`` is avoided: it raises its
precision adaptively, which takes time exponential in the depth of nested functions). The
model's exact
evaluation (:meth:`deterrence.model.Model.game`) and the expression parser's checks of constant
arguments use it.

:func:`numpy_function` is the one way the package turns expressions into numpy functions (with
dummy argument names, so that no parameter's name reaches the generated code).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath
import sympy as sp

#: largest exact rational kept (bits of numerator and denominator together); beyond, floats
MAX_EXACT_BITS = 100_000

Number = int | Fraction | float


@dataclass(frozen=True)
class _Value:
    """One node's numbers: its float value, its exact value (or None), and whether sympy may
    evaluate it: every value below it a finite float, no exact value given up for its size."""

    value: float
    exact: Fraction | None
    tame: bool


def _bits(x: Fraction) -> int:
    return x.numerator.bit_length() + x.denominator.bit_length()


def _float(x: Fraction) -> float:
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _exact_from(value: Any) -> Fraction | None:
    """A value given for a symbol as an exact Fraction (floats as the decimal they print as)."""
    if isinstance(value, sp.Rational):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, float) and math.isfinite(value):
        return Fraction(repr(value))
    return None


def _pow_float(base: float, expo: float) -> float:
    try:
        out = math.pow(base, expo)
    except OverflowError:
        return math.inf
    except (ValueError, ZeroDivisionError):  # a negative base to a fractional power; 0 to a negative one
        return math.inf if base == 0 else math.nan
    return out


def _root(x: Fraction, q: int) -> Fraction | None:
    """The exact ``q``-th root of ``x >= 0`` if it is rational, else None."""
    num, num_exact = sp.integer_nthroot(x.numerator, q)
    if not num_exact:
        return None
    den, den_exact = sp.integer_nthroot(x.denominator, q)
    return Fraction(int(num), int(den)) if den_exact else None


def _pow_exact(base: Fraction | None, expo: Fraction | None) -> tuple[Fraction | None, bool]:
    """``base ** expo`` exactly when it is rational and its size is within the limit; and whether
    its size is (False: sympy would compute a rational too large)."""
    if base is None or expo is None:
        return None, True
    if base == 0:
        return (Fraction(0) if expo > 0 else (Fraction(1) if expo == 0 else None)), True
    p, q = expo.numerator, expo.denominator
    if _bits(base) * abs(p) > MAX_EXACT_BITS * q or q > 64:
        return None, False
    if q != 1:
        if base < 0:
            return None, True
        base = _root(base, q)
        if base is None:
            return None, True
    return base**p, True


def _combine(op: str, parts: list[_Value]) -> _Value:
    """A sum or product: float and, when every part is exact and small enough, exact."""
    tame = all(p.tame for p in parts)
    exacts = [p.exact for p in parts]
    if all(e is not None for e in exacts):
        if sum(_bits(e) for e in exacts) <= MAX_EXACT_BITS:  # type: ignore[arg-type]
            exact = sum(exacts, Fraction(0)) if op == "add" else math.prod(exacts)  # type: ignore[arg-type]
            return _Value(_float(exact), exact, tame)
        tame = False
    value = sum(p.value for p in parts) if op == "add" else math.prod(p.value for p in parts)
    return _Value(value, None, tame)


def _function(node: sp.Basic, args: list[_Value]) -> _Value:
    """exp, log, Abs, Min, Max (and any other function, through sympy on finite floats)."""
    tame = all(a.tame for a in args)
    x = args[0]
    if isinstance(node, sp.exp):
        if x.exact == 0:
            return _Value(1.0, Fraction(1), tame)
        try:
            return _Value(math.exp(x.value), None, tame)
        except OverflowError:
            return _Value(math.inf, None, tame)
    if isinstance(node, sp.log):
        if x.exact == 1:
            return _Value(0.0, Fraction(0), tame)
        if math.isnan(x.value) or x.value <= 0:
            return _Value(math.nan if x.value < 0 else -math.inf, None, tame)
        return _Value(math.log(x.value), None, tame)
    if isinstance(node, sp.Abs):
        return _Value(abs(x.value), None if x.exact is None else abs(x.exact), tame)
    if isinstance(node, (sp.Min, sp.Max)):
        pick = min if isinstance(node, sp.Min) else max
        if all(a.exact is not None for a in args):
            exact = pick(a.exact for a in args)  # type: ignore[type-var]
            return _Value(_float(exact), exact, tame)
        values = [a.value for a in args]
        return _Value(math.nan if any(map(math.isnan, values)) else pick(values), None, tame)
    return _other(node, args, tame)


def _other(node: sp.Basic, args: list[_Value], tame: bool) -> _Value:
    """A function outside the parser's allow-list (a model built in Python): sympy on the floats."""
    if not all(math.isfinite(a.value) for a in args):
        return _Value(math.nan, None, False)
    try:
        value = complex(node.func(*(sp.Float(a.value, 30) for a in args)).evalf(30))
    except (TypeError, ValueError, ArithmeticError):
        return _Value(math.nan, None, False)
    return _Value(value.real if value.imag == 0 else math.nan, None, tame)


def _atom(node: sp.Basic, values: Mapping[sp.Basic, Any]) -> _Value:
    if node in values:
        raw = values[node]
        exact = _exact_from(raw)
        return _Value(_float(exact) if exact is not None else float(raw), exact, True)
    if isinstance(node, sp.Rational):
        exact = Fraction(int(node.p), int(node.q))
        return _Value(_float(exact), exact, True)
    if node.has(sp.zoo, sp.nan, sp.I) or node in (sp.oo, -sp.oo):
        return _Value(math.nan, None, False)
    if node.is_number:  # a float, pi, E, ...: a named constant evaluates quickly
        try:
            return _Value(float(node), None, True)
        except (TypeError, ValueError, OverflowError):
            return _Value(math.nan, None, False)
    return _Value(math.nan, None, False)  # a symbol without a value


def _node(node: sp.Basic, args: list[_Value], values: Mapping[sp.Basic, Any]) -> _Value:
    if not node.args:
        return _atom(node, values)
    if isinstance(node, sp.Add):
        return _combine("add", args)
    if isinstance(node, sp.Mul):
        return _combine("mul", args)
    if isinstance(node, sp.Pow):
        base, expo = args
        exact, small = _pow_exact(base.exact, expo.exact)
        value = _float(exact) if exact is not None else _pow_float(base.value, expo.value)
        return _Value(value, exact, base.tame and expo.tame and small)
    return _function(node, args)


def postorder(
    expr: sp.Basic, children: Callable[[sp.Basic], Sequence[sp.Basic]] | None = None
) -> Iterator[sp.Basic]:
    """Every distinct node of ``expr``'s graph once, each after its children (``node.args``, or
    ``children(node)``): iterative, so neither the depth nor the sharing of an expression matters
    (sympy shares repeated subexpressions; a walk of the tree they stand for can be exponential)."""
    kids = children or (lambda node: node.args)
    seen: set[sp.Basic] = set()
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            yield node
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((a, False) for a in kids(node) if a not in seen)


def _walk(expr: sp.Basic, values: Mapping[sp.Basic, Any]) -> _Value:
    """The numbers of every distinct node of ``expr``, children first."""
    memo: dict[sp.Basic, _Value] = {}
    for node in postorder(expr):
        result = _node(node, [memo[a] for a in node.args], values)
        finite = math.isfinite(result.value)
        memo[node] = _Value(result.value, result.exact, result.tame and finite)
    return memo[expr]


def float_value(expr: sp.Basic, values: Mapping[sp.Basic, Any] | None = None) -> float:
    """``expr``'s value as a float computed as numpy would: ``inf`` on overflow, ``nan`` if not
    real or not defined. Never slow: no exact arithmetic beyond :data:`MAX_EXACT_BITS`."""
    return _walk(expr, values or {}).value


def evaluate(expr: sp.Basic, values: Mapping[sp.Basic, Any] | None = None) -> Number | None:
    """``expr`` at ``values`` (``{symbol: number}``): exact where it can be, else a float.

    Returns
    -------
    int, Fraction, float or None
        ``int``/``Fraction`` if the value is rational and every exact intermediate stays within
        :data:`MAX_EXACT_BITS`; else a float (recomputed at 128 bits when every
        intermediate value is a finite float); ``None`` if the value is not a finite real number.
    """
    values = values or {}
    rational = _rational_value(expr, _exact_values(values))
    return rational if rational is not None else _evaluate_walk(expr, values)


def _evaluate_walk(expr: sp.Basic, values: Mapping[sp.Basic, Any]) -> Number | None:
    """:func:`evaluate` by the general walk of the expression's graph."""
    result = _walk(expr, values)
    if result.exact is not None:
        exact = result.exact
        return int(exact) if exact.denominator == 1 else exact
    if not math.isfinite(result.value):
        return None
    if not result.tame:
        return result.value
    return _refined(expr, values, result.value)


# ---------------------------------------------------------------------------------- rational fast path
#: a step of a rational plan: ("symbol", node), ("constant", (node, value)), ("add" | "mul", child
#: steps), ("pow", (step, integer exponent))
_Step = tuple[str, Any]


@lru_cache(maxsize=16_384)
def _rational_plan(expr: sp.Basic) -> tuple[_Step, ...] | None:
    """``expr``'s distinct nodes, children first, when it is a rational function of its symbols
    built from sums, products and integer powers of symbols and rational constants (what model
    files mostly hold); ``None`` for anything else (functions, floats, symbolic or fractional
    exponents), which :func:`_walk` evaluates. Cached per expression: the sweep's per-point
    path evaluates the same expressions at many points."""
    index: dict[sp.Basic, int] = {}
    steps: list[_Step] = []
    for node in postorder(expr):
        step: _Step
        if isinstance(node, sp.Symbol):
            step = ("symbol", node)
        elif isinstance(node, sp.Rational):
            step = ("constant", (node, Fraction(int(node.p), int(node.q))))
        elif isinstance(node, (sp.Add, sp.Mul)):
            step = ("add" if isinstance(node, sp.Add) else "mul", tuple(index[a] for a in node.args))
        elif isinstance(node, sp.Pow) and isinstance(node.args[1], sp.Integer):
            step = ("pow", (index[node.args[0]], int(node.args[1])))
        else:
            return None
        index[node] = len(steps)
        steps.append(step)
    return tuple(steps)


def _exact_values(values: Mapping[sp.Basic, Any]) -> dict[sp.Basic, Fraction | None]:
    """The values given for symbols as exact Fractions (``None``: not exact), once per point."""
    return {k: _exact_from(v) for k, v in values.items()}


def _rational_value(expr: sp.Basic, exact: Mapping[sp.Basic, Fraction | None]) -> int | Fraction | None:
    """``expr`` at the exact values ``exact`` (:func:`_exact_values`) by its rational plan: the
    exact value :func:`_walk` computes, or ``None`` where the plan does not apply (no plan, a
    value that is not exact, a zero to a negative power, a rational that may exceed
    :data:`MAX_EXACT_BITS`): the general walk decides those.

    The plan computes on numerator-denominator pairs of integers, reduced only at the end: the
    value is the same, and the pairs are never smaller than the reduced fractions, so the size
    limit, checked on them before each operation as the walk checks it, gives up wherever the
    walk would (and, rarely, where it would not: the walk then decides)."""
    try:
        steps = _rational_plan(expr)
    except TypeError:  # an unhashable expression: the general walk
        return None
    if steps is None:
        return None
    out: list[tuple[int, int]] = []
    for kind, arg in steps:
        if kind == "symbol" or kind == "constant":
            value = exact.get(arg) if kind == "symbol" else (exact.get(arg[0], arg[1]) if exact else arg[1])
            if value is None:
                return None
            out.append((value.numerator, value.denominator))
            continue
        if kind == "pow":
            (n, d), p = out[arg[0]], arg[1]
            if (n == 0 and p < 0) or (n.bit_length() + d.bit_length()) * abs(p) > MAX_EXACT_BITS:
                return None
            n, d = (n**p, d**p) if p >= 0 else (d**-p, n**-p)
            if d < 0:
                n, d = -n, -d
        else:
            parts = [out[k] for k in arg]
            if sum(n.bit_length() + d.bit_length() for n, d in parts) > MAX_EXACT_BITS:
                return None
            n, d = parts[0]
            for n2, d2 in parts[1:]:
                if kind == "mul":
                    n, d = n * n2, d * d2
                elif d == d2:
                    n += n2
                else:
                    n, d = n * d2 + n2 * d, d * d2
        out.append((n, d))
    result = Fraction(*out[-1])
    return int(result) if result.denominator == 1 else result


def evaluate_many(
    exprs: Sequence[sp.Basic], values: Mapping[sp.Basic, Any] | None = None
) -> list[Number | None]:
    """:func:`evaluate` of every expression at the same ``values`` (the values converted once)."""
    values = values or {}
    exact = _exact_values(values)
    out: list[Number | None] = []
    for expr in exprs:
        rational = _rational_value(expr, exact)
        out.append(rational if rational is not None else _evaluate_walk(expr, values))
    return out


#: the working precision (bits) of the refined value: far more than a float's 53, at a fixed cost
REFINE_BITS = 128


def _refined(expr: sp.Basic, values: Mapping[sp.Basic, Any], fallback: float) -> float:
    """The value recomputed at :data:`REFINE_BITS` bits with mpmath, one pass over the shared graph
    (sympy's own ``evalf`` raises its precision adaptively, which for nested functions takes
    time exponential in their depth); ``fallback`` where a node is outside the allow-list or
    the arithmetic leaves the reals."""
    memo: dict[sp.Basic, Any] = {}
    with mpmath.workprec(REFINE_BITS):
        try:
            for node in postorder(expr):
                memo[node] = _mp_node(node, [memo[a] for a in node.args], values)
            value = memo[expr]
        except (TypeError, ValueError, ArithmeticError, _NotReal):
            return fallback
        if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value):
            return fallback
        return float(value)


class _NotReal(Exception):
    """A node whose value is not a real number, or that the refinement does not know."""


def _mp_node(node: sp.Basic, args: list[Any], values: Mapping[sp.Basic, Any]) -> Any:
    """One node's value in mpmath (at the working precision)."""
    if not node.args:
        if node in values:
            exact = _exact_from(values[node])
            return (
                mpmath.mpf(values[node]) if exact is None else mpmath.mpf(exact.numerator) / exact.denominator
            )
        if isinstance(node, sp.Rational):
            return mpmath.mpf(int(node.p)) / int(node.q)
        if node.is_number and node.is_real:
            return mpmath.mpf(str(node.evalf(40)))
        raise _NotReal
    if isinstance(node, sp.Add):
        return mpmath.fsum(args)
    if isinstance(node, sp.Mul):
        return mpmath.fprod(args)
    if isinstance(node, sp.Pow):
        base, expo = args
        if base < 0 and not mpmath.isint(expo):
            raise _NotReal
        return mpmath.power(base, expo)
    simple = {sp.exp: mpmath.exp, sp.Abs: abs}
    if type(node) in simple:
        return simple[type(node)](args[0])
    if isinstance(node, sp.log):
        if args[0] <= 0:
            raise _NotReal
        return mpmath.log(args[0])
    if isinstance(node, (sp.Min, sp.Max)):
        return (min if isinstance(node, sp.Min) else max)(args)
    raise _NotReal


# ---------------------------------------------------------------------------------- substitution
_LOG_FLOAT_MAX = math.log(1.7976931348623157e308)


@dataclass(frozen=True)
class _Size:
    """What substituting may make of a node: a bound on the bits of the rationals sympy computes
    on the way, and its float value when it becomes a number (else None)."""

    bits: float
    value: float | None


def substitution_problem(expr: sp.Basic, subs: Mapping[sp.Basic, sp.Basic], max_bits: float) -> str | None:
    """What would go wrong in ``expr.xreplace(subs)``, or None.

    sympy evaluates numbers eagerly while it substitutes: a pinned coefficient raised to a
    power in ``expr``, pins that square each other, a function of a constant beyond the float
    range can make it compute a rational of millions of bits, or compare numbers forever. This
    walks both graphs once (no substitution done) and bounds the size of every rational that
    could appear.
    """
    memo: dict[sp.Basic, _Size] = {}

    def children(node: sp.Basic) -> Sequence[sp.Basic]:
        return (subs[node],) if node in subs else node.args

    for node in postorder(expr, children):
        kids = children(node)
        size = _size(node, [memo[a] for a in kids], node in subs)
        if size.bits > max_bits:
            return f"a number of about {size.bits:,.0f} bits (more than {max_bits:,.0f})"
        if isinstance(node, sp.Function) and any(
            a.value is not None and not math.isfinite(a.value) for a in [*(memo[k] for k in kids), size]
        ):
            return f"a constant beyond the float range in {type(node).__name__.lower()}(...)"
        memo[node] = size
    return None


def _size(node: sp.Basic, args: list[_Size], substituted: bool) -> _Size:
    if substituted:
        return args[0]
    if not node.args:
        if isinstance(node, sp.Rational):
            exact = Fraction(int(node.p), int(node.q))
            return _Size(_bits(exact), _float(exact))
        return _Size(0.0, float(node) if node.is_number and node.is_real else None)
    values = [a.value for a in args]
    numeric = all(v is not None for v in values)
    bits = sum(a.bits for a in args)
    if isinstance(node, (sp.Add, sp.Mul)):
        value = (math.fsum(values) if isinstance(node, sp.Add) else math.prod(values)) if numeric else None
        return _Size(bits + len(args), value)  # type: ignore[arg-type]
    if isinstance(node, sp.Pow):
        base, expo = args
        if expo.value is None:
            return _Size(bits, None)
        grown = base.bits * max(1.0, abs(expo.value)) if math.isfinite(expo.value) else math.inf
        return _Size(grown, _pow_float(base.value, expo.value) if base.value is not None else None)
    if isinstance(node, sp.exp) and numeric:
        # exp(n*log(b)) becomes b**n: bounded by the float range, checked through the value
        return _Size(bits + 1100, math.inf if values[0] > _LOG_FLOAT_MAX else math.exp(values[0]))  # type: ignore[operator]
    return _Size(bits, float_value(node.func(*(sp.Float(v) for v in values))) if numeric else None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------- numpy functions
# numpy_function: the one way the package turns sympy expressions into numpy functions.
#
# :func:`sympy.lambdify` writes Python source with the arguments' names as the generated
# function's parameters. A model parameter named like something that code uses (``maximum``,
# ``select``, ``numpy``) would then shadow it, and the generated function fails or, worse,
# computes with the parameter where numpy's function belongs. Renaming the arguments in the code
# (``dummify=True``) is not enough: for a single expression, lambdify also puts every symbol of the
# expression into the generated function's namespace under its name, over numpy's function of
# that name. :func:`numpy_function` therefore replaces the arguments by fresh dummy symbols in the
# expressions themselves before lambdify sees them, so no name a user gives a parameter reaches
# the generated code or its namespace.
def numpy_function(
    args: Sequence[sp.Symbol],
    exprs: Any,
    *,
    cse: bool = False,
    extra: Mapping[str, Callable[..., Any]] | None = None,
) -> Callable[..., Any]:
    """``exprs`` (an expression or a list of them) as a numpy function of ``args``, in order.

    Parameters
    ----------
    args
        The symbols, in the order the function takes their values.
    exprs
        A sympy expression, or a list of them (the function then returns a list).
    cse
        Share common sub-expressions in the generated code.
    extra
        Functions the expressions call by name, besides numpy's (e.g. a special function).

    Returns
    -------
    callable
        The function, with dummy argument names whatever the symbols are called.
    """
    dummies = [sp.Dummy(f"arg{k}") for k in range(len(args))]
    renamed = dict(zip(args, dummies, strict=True))
    modules: list[Any] = [dict(extra), "numpy"] if extra else ["numpy"]
    return sp.lambdify(dummies, _replaced(exprs, renamed), modules=modules, cse=cse, dummify=True)


def _replaced(exprs: Any, renamed: Mapping[sp.Symbol, sp.Dummy]) -> Any:
    """``exprs`` (one expression, or a list or tuple of them) with the symbols replaced."""
    if isinstance(exprs, (list, tuple)):
        return [_replaced(e, renamed) for e in exprs]
    return exprs.xreplace(renamed) if isinstance(exprs, sp.Basic) else exprs


__all__ = [
    "MAX_EXACT_BITS",
    "evaluate",
    "evaluate_many",
    "float_value",
    "numpy_function",
    "postorder",
    "substitution_problem",
]
