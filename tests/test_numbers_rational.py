"""The rational fast path of ``deterrence._numbers.evaluate`` gives what the general walk gives.

Model files hold mostly sums, products and integer powers of parameters and rational constants;
``evaluate`` computes those by a plan cached per expression (the sweep's per-point path builds
the same game at many points). Whatever the plan computes must be the value, and the type, the
general walk of the expression's graph computes; where it does not apply (functions, floats,
fractional exponents, a zero to a negative power, a rational beyond the size limit) the general
walk decides.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence import _numbers
from deterrence._numbers import MAX_EXACT_BITS, evaluate, evaluate_many
from deterrence.model._specs import exact_value

X, Y, Z = sp.symbols("x y z", real=True)


def _walked(expr: sp.Expr, values: dict) -> object:
    return _numbers._evaluate_walk(expr, values)


_ATOMS = st.one_of(
    st.sampled_from([X, Y, Z]),
    st.integers(-5, 5).map(sp.Integer),
    st.tuples(st.integers(-9, 9), st.integers(1, 9)).map(lambda t: sp.Rational(*t)),
)


def _grow(children: st.SearchStrategy[sp.Expr]) -> st.SearchStrategy[sp.Expr]:
    return st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda xs: sp.Add(*xs)),
        st.lists(children, min_size=2, max_size=3).map(lambda xs: sp.Mul(*xs)),
        st.tuples(children, st.integers(-3, 4)).map(lambda t: sp.Pow(t[0], t[1])),
        st.tuples(st.sampled_from([X, Y, Z]), st.sampled_from([sp.Rational(1, 2), sp.Float(0.5)])).map(
            lambda t: t[0] ** t[1]
        ),
        children.map(sp.Abs),
        st.tuples(st.sampled_from([X, Y, Z]), children).filter(_comparable).map(lambda t: sp.Max(*t)),
    )


def _comparable(pair: tuple[sp.Expr, sp.Expr]) -> bool:
    """Whether sympy accepts ``Max(*pair)``: it refuses an argument that is not comparable
    (``zoo`` from ``0**-1``, ``nan``, ``I``), which the tree strategy can generate."""
    try:
        sp.Max(*pair)
    except ValueError:
        return False
    return True


EXPRESSIONS = st.recursive(_ATOMS, _grow, max_leaves=10)
VALUES = st.one_of(
    st.integers(-4, 4),
    st.tuples(st.integers(-20, 20), st.integers(1, 12)).map(lambda t: Fraction(*t)),
    st.sampled_from([0.0, 0.005, 0.1, 1.0, 1.99, -0.5]),
    st.tuples(st.integers(-9, 9), st.integers(1, 9)).map(lambda t: sp.Rational(*t)),
)


@settings(max_examples=300, deadline=None)
@given(expr=EXPRESSIONS, x=VALUES, y=VALUES, z=VALUES)
def test_the_fast_path_gives_the_walks_value_and_type(expr: sp.Expr, x: object, y: object, z: object) -> None:
    values = {X: x, Y: y, Z: z}
    got, walked = evaluate(expr, values), _walked(expr, values)
    assert type(got) is type(walked)
    assert got == walked or (got != got and walked != walked)  # NaN is never returned, but be exact
    assert evaluate_many([expr, expr], values) == [got, got]


def test_rational_forms_take_the_plan_and_others_do_not() -> None:
    assert _numbers._rational_plan(X * Y + sp.Rational(1, 3) * Z**2 - 1 / X) is not None
    for other in (sp.exp(X), X ** sp.Rational(1, 2), X**Y, X + sp.Float(0.5), sp.Max(X, Y), X + sp.pi):
        assert _numbers._rational_plan(other) is None


def test_edges_fall_back_to_the_walk() -> None:
    assert evaluate(1 / X, {X: 0}) is None  # zero to a negative power: not finite
    assert evaluate(X**-2 + 1, {X: 0}) is None
    assert evaluate(X * Y, {X: 0.1, Y: 3}) == Fraction(3, 10)  # a float is the decimal it prints as
    assert evaluate(X + Y, {X: 1}) is None  # a symbol without a value
    assert isinstance(evaluate(X + Y, {X: 1, Y: float("inf")}), type(None))
    bits = 2 * 7  # 100/127: 7 bits each, as in the size-limit test of the general walk
    n = MAX_EXACT_BITS // bits
    assert isinstance(evaluate(X**n, {X: Fraction(100, 127)}), Fraction)
    assert isinstance(evaluate(X ** (2 * n), {X: Fraction(100, 127)}), float)
    assert isinstance(evaluate(X ** (2 * n) + 1, {X: Fraction(100, 127)}), float)


@pytest.mark.parametrize("name", ["extended_deterrence", "brinkmanship", "egame12"])
def test_model_games_are_the_walks_games(name: str) -> None:
    """Every payoff and chance probability of a catalogue model's game, at a few points, is the
    number the general walk computes."""
    model = dt.load_model(name)
    exprs = model._exact_expressions
    for values in ({}, {n: p.domain[0] for n, p in model.parameters.items() if abs(p.domain[0]) < 1e9}):
        point = {**{n: p.default for n, p in model.parameters.items()}, **values}
        exact = {model.symbols[n]: exact_value(v) for n, v in point.items()}
        assert evaluate_many(exprs, exact) == [_walked(e, exact) for e in exprs]
