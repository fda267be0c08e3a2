"""A model's exact numbers: each distinct expression evaluated once gives what every expression
evaluated on its own gives, and the finiteness check on integers equals the float comparison."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import deterrence as dt
from deterrence import kernels
from deterrence._numbers import evaluate_many
from deterrence.model._numeric import _FLOAT_MAX, _not_finite, check_values
from deterrence.model._specs import exact_fraction


@pytest.mark.parametrize("name", ["costly_signal_menu", "chain_store", "tripartite_crisis"])
def test_distinct_expressions_give_every_expression_its_own_value(name):
    model = dt.load_model(name)
    distinct, index = model._distinct_expressions
    assert len(index) == len(model._exact_expressions) and len(distinct) <= len(index)
    assert all(distinct[i] == e for i, e in zip(index, model._exact_expressions, strict=True))
    sample = kernels.domain_sample(model, 5, seed=2)
    for i in range(5):
        vals = check_values(model.parameters, model.name, {k: float(v[i]) for k, v in sample.items()})
        pay, prob = model._exact_numbers(vals, True)
        subs = {model.symbols[n]: exact_fraction(v) for n, v in vals.items()}
        each = evaluate_many(model._exact_expressions, subs)  # every expression on its own
        got = [v for table in (pay, prob) for row in table.values() for v in row.values()]
        assert got == each and [type(v) for v in got] == [type(v) for v in each]


def test_not_finite_equals_the_float_comparison():
    big = int(_FLOAT_MAX)
    values = [None, 0, 1, -7, big, -big, big + 1, -big - 1, 10**400, True, Fraction(1, 3), Fraction(-5, 2),
              Fraction(big), Fraction(big + 1), Fraction(big * 3 + 1, 3), Fraction(big * 3 - 1, 3),
              Fraction(-(big * 3 + 1), 3), 0.5, -1e308, _FLOAT_MAX, math.inf, -math.inf, math.nan,
              np.float64(2.0), np.float64(np.nan)]
    for v in values:
        assert _not_finite(v) == (v is None or not abs(v) <= _FLOAT_MAX), v
