"""A model's orderings decided the same way on arrays as at one point, ties included.

``Model.game`` checks the orderings exactly, at the decimals the float values print as
(``Fraction(repr(x))``); ``Model.evaluate(...).ordering_ok`` (so sweeps, samples and the
explorer's map) must give the same verdict, also where the two sides are equal exactly but not
in floating point (``0.8 - 0.5 = 0.30000000000000004 > 0.3``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence._numbers import evaluate
from deterrence.errors import ParameterError
from deterrence.game import decision, terminal
from deterrence.model import Model, Parameter


def _accepts(model: Model, values: dict[str, float]) -> bool:
    """Whether ``model.game`` takes the values (False: it refuses them for an ordering)."""
    try:
        model.game(values)
    except ParameterError as exc:
        assert "violate the ordering" in str(exc), exc
        return False
    return True


def _ordering_ok(model: Model, values: dict[str, float]) -> bool:
    ev = model.evaluate({k: np.array([v]) for k, v in values.items()}, check=False, check_orderings=False)
    return bool(ev.ordering_ok[0])


# ------------------------------------------------------------------------------ the reported case
def test_a_tie_in_exact_arithmetic_fails_on_arrays_as_at_one_point() -> None:
    m = dt.load_model("extended_deterrence")
    # 1 * (0.8 - 0.5) * 1 > 0.3 is false exactly, true in floats (0.30000000000000004 > 0.3)
    assert (0.8 - 0.5) * 1.0 > 0.3
    with pytest.raises(ParameterError, match="violate the ordering"):
        m.game(p_alone=0.5)
    ev = m.evaluate({"p_alone": np.array([0.4, 0.5, 0.45])}, check=False, check_orderings=False)
    assert ev.ordering_ok.tolist() == [True, False, True]
    with pytest.raises(ParameterError, match=r"at index \(1,\).*p_alone=0\.5"):
        m.evaluate({"p_alone": np.array([0.4, 0.5, 0.45])})
    with pytest.raises(ParameterError, match="violate the ordering"):
        m.game(p_alone=0.5, exact=False)  # the float path of game reads the mask


def test_a_sum_that_is_one_exactly_but_not_in_floats() -> None:
    m = dt.load_model("alliance_moral_hazard")  # p_alone + patron_boost <= 1
    pairs = [(a / 10, b / 10) for a in range(1, 10) for b in range(1, 10) if a + b == 10]
    pairs += [(0.35, 0.65), (0.123, 0.877), (0.1 + 0.2, 0.7)]  # the last: 0.30000000000000004 + 0.7 > 1
    for p, b in pairs:
        values = {"p_alone": p, "patron_boost": b}
        assert _ordering_ok(m, values) == _accepts(m, values), values


# ------------------------------------------------------------------------------ near ties, every model
def _models_with_orderings() -> list[str]:
    return [n for n in dt.list_models("files") if dt.load_model(n).orderings]


def _round_decimal(draw: st.DrawFn) -> float:
    """A round decimal, or the float sum of two (``0.1 + 0.2``)."""
    digits = draw(st.integers(1, 3))
    terms = [draw(st.integers(-30, 30)) / 10**digits for _ in range(draw(st.integers(1, 2)))]
    return sum(terms[1:], terms[0])


def _tie_value(draw: st.DrawFn, exact: Fraction) -> float:
    """A float at or next to ``exact``: its nearest float moved by up to 2 ulps, or its
    rounding to a few decimals moved by up to one in the last place."""
    if draw(st.booleans()):
        x = float(exact)
        for _ in range(abs(k := draw(st.integers(-2, 2)))):
            x = math.nextafter(x, math.copysign(math.inf, k))
        return x
    digits = draw(st.integers(1, 4))
    return float(round(exact, digits) + Fraction(draw(st.integers(-1, 1)), 10**digits))


def _solve_for(diff: sp.Expr, s: sp.Symbol, subs: dict[sp.Symbol, sp.Rational]) -> Fraction | None:
    """The exact value of ``s`` where ``diff`` (linear in it) is 0 at ``subs``, else None."""
    d = sp.expand(diff.xreplace(subs))
    a, b = d.coeff(s, 1), d.coeff(s, 0)
    if not (a.is_Rational and b.is_Rational) or a == 0 or sp.expand(d - a * s - b) != 0:
        return None
    r = -b / a
    return Fraction(int(r.p), int(r.q))


@st.composite
def _near_tie(draw: st.DrawFn, model: Model) -> dict[str, float]:
    """Values of ``model`` (defaults elsewhere) where one comparison of an ordering is at or
    next to a tie: its other parameters round decimals, one solved for the tie."""
    comps = [c for o in model.orderings for c in o.condition.comparisons]
    comp = draw(st.sampled_from(comps))
    diff = comp.lhs - comp.rhs
    symbols = sorted(diff.free_symbols, key=str)
    solved = draw(st.sampled_from(symbols))
    values = dict(model.defaults)
    for s in symbols:
        if s != solved:
            x = _round_decimal(draw)
            values[str(s)] = x if model.parameters[str(s)].contains(x) else values[str(s)]
    subs = {s: sp.Rational(Fraction(repr(float(values[str(s)])))) for s in symbols if s != solved}
    exact = _solve_for(diff, solved, subs)
    assume(exact is not None)
    values[str(solved)] = _tie_value(draw, exact)
    assume(bool(model.parameters[str(solved)].contains(values[str(solved)])))
    return values


@pytest.mark.parametrize("name", _models_with_orderings())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_ordering_ok_is_what_game_accepts_near_ties(name: str, data: st.DataObject) -> None:
    model = dt.load_model(name)
    values = data.draw(_near_tie(model))
    assert _ordering_ok(model, values) == _accepts(model, values), values


# ------------------------------------------------------------------------------ every kind of expression
_CONDITIONS = [
    "a / b + a * b > c",
    "(a - b) ** 3 - a / 7 > c",
    "sqrt(a) * sqrt(b) - a / 3 > c",
    "exp(a / 4) - log(b) > c",
    "min(a, b) - max(a, b) / 7 > c",
    "abs(a - b) * b ** -2 + (a + b) ** (1/3) > c",
]


def _function_model(condition: str) -> Model:
    root = decision("A", {"x": terminal({"A": "a"}, "war"), "y": terminal({"A": 0}, "status_quo")})
    params = [Parameter("a", 1.0, (0, 1000)), Parameter("b", 2.0, (0, 1000)), Parameter("c", -1e9)]
    return Model.from_tree(root, name="m", players=["A"], parameters=params, orderings=[condition])


@pytest.mark.parametrize("condition", _CONDITIONS)
@settings(max_examples=80, deadline=None)
@given(a=st.integers(1, 999), b=st.integers(1, 999), k=st.integers(-3, 3), digits=st.integers(1, 2))
def test_near_ties_of_every_kind_of_expression(condition: str, a: int, b: int, k: int, digits: int) -> None:
    """``c`` at and next to the exact value of the left side (irrational ones at 128 bits)."""
    model = _function_model(condition)
    values = {"a": a / 10**digits, "b": b / 10**digits}
    comp = model.orderings[0].condition.comparisons[0]
    lhs = evaluate(comp.lhs, {model.symbols[n]: Fraction(repr(v)) for n, v in values.items()})
    assume(lhs is not None)
    c = float(lhs)
    for _ in range(abs(k)):
        c = math.nextafter(c, math.copysign(math.inf, k))
    values["c"] = c
    assert _ordering_ok(model, values) == _accepts(model, values), values


# ------------------------------------------------------------------------------ sweeps
def test_a_sweep_over_a_tie_gives_the_point_solvers_verdict() -> None:
    m = dt.load_model("extended_deterrence")
    grid = {"p_alone": [0.4, 0.5], "cost_ally": [0.25, 0.3]}
    table = dt.sweep(m, grid=grid, path="compiled", on_error="record", progress=False).table
    for (p, c), rows in table.groupby(["p_alone", "cost_ally"]):
        refused = not _accepts(m, {"p_alone": p, "cost_ally": c})
        assert ((rows["regime"] == "error").all() if refused else (rows["regime"] != "error").all()), (p, c)
        if refused:
            assert rows["error"].str.contains("violate the ordering").all()
    assert (table["regime"] == "error").sum() == 1  # (0.5, 0.3) alone: 0.8 - 0.5 = 0.3 exactly


def test_orderings_hold_on_a_sample_design_near_a_tie() -> None:
    from deterrence.sweeps._design import orderings_hold

    m = dt.load_model("extended_deterrence")
    points = pd.DataFrame({"p_alone": [0.5, 0.5, 0.45], "cost_ally": [0.3, 0.29, 0.3]})
    for name, value in m.defaults.items():
        if name not in points:
            points[name] = value
    assert orderings_hold(m, points).tolist() == [False, True, True]


def test_the_explorer_map_is_blank_where_the_point_panel_refuses_the_values() -> None:
    from deterrence.explorer import _regime_map

    cfg = dt.explorer.make_config("extended_deterrence", x="credibility", y="cost_attacker")
    values = {**cfg.values, "p_alone": 0.5, "cost_ally": 0.3}  # sliders at a tie of an ordering
    answer = dt.explorer.answer(cfg.model, values, "pbe")
    assert not answer.ok and "violate the ordering" in answer.error
    req = _regime_map.request(cfg.model, "pbe", "free", "credibility", "cost_attacker", cfg.ranges, 4, values)
    assert (_regime_map.compute(req).regime == _regime_map.OUTSIDE).all()


@pytest.mark.parametrize("condition", _CONDITIONS)
@settings(max_examples=60, deadline=None)
@given(
    a=st.lists(st.integers(1, 99_999), min_size=5, max_size=5),
    b=st.lists(st.integers(1, 99_999), min_size=5, max_size=5),
    digits=st.integers(0, 4),
)
def test_the_error_bound_holds(condition: str, a: list[int], b: list[int], digits: int) -> None:
    """The float value is within its bound of the exact value at the decimals the floats print as
    (within twice the bound: the exact value, when irrational, is itself rounded to a float)."""
    from deterrence.model._float_bounds import decided, value_and_error

    model = _function_model(condition)
    comp = model.orderings[0].condition.comparisons[0]
    xa, xb = np.array(a) / 10**digits, np.array(b) / 10**digits
    value, error = value_and_error(comp.lhs, {model.symbols["a"]: xa, model.symbols["b"]: xb})
    for i in range(len(a)):
        subs = {model.symbols[n]: Fraction(repr(float(x[i]))) for n, x in (("a", xa), ("b", xb))}
        exact = evaluate(comp.lhs, subs)
        if exact is None:  # beyond the float range (exp(710)): never decided in floats
            assert not decided(value[i : i + 1], error[i : i + 1])[0]
            continue
        assert math.isfinite(error[i])
        distance = abs(Fraction(float(value[i])) - Fraction(exact))
        assert distance <= 2 * Fraction(float(error[i])), (xa[i], xb[i])
