"""``numpy_function`` writes the same code as ``sympy.lambdify(..., modules="numpy")``.

It exists only to skip lambdify's ``from numpy import *`` (numpy's lazy submodules imported on a
sweep's way to its first point); the printer, its settings and so the generated code must stay
lambdify's own. Checked on every catalogue model's payoff, probability and ordering expressions
(what a sweep compiles), and on the functions a model file may use.
"""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
import sympy as sp

import deterrence as dt
from deterrence.model import numpy_function


def _source(f) -> str:
    """The generated code, with dummy symbols' serial numbers removed."""
    return re.sub(r"_Dummy_\d+", "_Dummy_", inspect.getsource(f))


def _model_expressions(model) -> list[sp.Expr]:
    tree = model._tree
    exprs = [tree.payoffs[t][p] for t in tree.terminals for p in model.players]
    exprs += [tree.probs[c][a] for c, a in tree.branches]
    exprs += [comp.lhs - comp.rhs for o in model.orderings for comp in o.condition.comparisons]
    return exprs


@pytest.mark.parametrize("name", dt.list_models())
def test_same_code_and_values_as_lambdify_on_the_catalogue(name: str) -> None:
    model = dt.load_model(name)
    if not isinstance(model, dt.Model):
        pytest.skip(f"{name} is a model family of its own, compiled without lambdify")
    symbols = list(model.symbols.values())
    exprs = _model_expressions(model)
    ours = numpy_function(symbols, exprs, cse=True, dummify=True)
    theirs = sp.lambdify(symbols, exprs, modules="numpy", cse=True, dummify=True)
    assert _source(ours) == _source(theirs)
    rng = np.random.default_rng(7)
    args = [rng.uniform(0.1, 0.9, 5) for _ in symbols]
    for a, b in zip(ours(*args), theirs(*args), strict=True):
        np.testing.assert_array_equal(np.broadcast_to(a, (5,)), np.broadcast_to(b, (5,)))


def test_every_model_file_function_evaluates() -> None:
    x, y = sp.symbols("x y")
    exprs = [sp.exp(x), sp.log(x), sp.sqrt(x), sp.Abs(x - y), sp.Min(x, y, 0.5), sp.Max(x, y), sp.pi * x]
    ours = numpy_function([x, y], exprs)
    theirs = sp.lambdify([x, y], exprs, modules="numpy")
    assert _source(ours) == _source(theirs)
    args = (np.array([0.2, 1.5]), np.array([0.7, -1.0]))
    for a, b in zip(ours(*args), theirs(*args), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_parameter_named_like_a_numpy_function_does_not_shadow_it() -> None:
    maximum, exp = sp.symbols("maximum exp")
    f = numpy_function([maximum, exp], [sp.exp(maximum) + exp], dummify=True)
    assert f(0.0, 2.0)[0] == pytest.approx(3.0)
