"""One source for the outcome rules: regime labels and indicators on arrays, and the domain rule.

The vectorised functions of :mod:`deterrence.outcomes` are checked against a plain-Python
statement of the rules written here from ``docs/reference/outcomes.md`` (labels with positive
probability in vocabulary order joined by ``+``, ``mixed:`` when a player randomises;
``p_attack = 1 - P(status_quo)`` and the sums of :data:`INDICATORS`), and every path that writes
tidy rows (compiled kernels, per-point solves) is checked to call them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence import outcomes as dt_outcomes
from deterrence.kernels import compile_model, domain_sample
from deterrence.model import Parameter
from deterrence.outcomes import (
    INDICATOR_NAMES,
    OUTCOMES,
    indicator_values,
    indicators,
    regime_label,
    regime_labels,
)
from deterrence.sweeps import column_order, evaluate_points

LABELS = list(OUTCOMES)


def _label_by_hand(outcomes: dict[str, float], pure: bool) -> str:
    present = [lab for lab in LABELS if outcomes.get(lab, 0.0) > 1e-9]
    body = "+".join(present) or "none"
    return body if pure else "mixed:" + body


probabilities = st.one_of(st.just(0.0), st.just(1e-10), st.floats(0, 1, allow_nan=False))
outcome_dicts = st.dictionaries(st.sampled_from(LABELS), probabilities, max_size=len(LABELS))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(outcome_dicts, st.booleans()), min_size=1, max_size=12))
def test_regime_labels_on_arrays_equal_the_rule_one_by_one(rows):
    labels = sorted({lab for d, _ in rows for lab in d})
    arrays = {lab: np.array([d.get(lab, 0.0) for d, _ in rows]) for lab in labels}
    pure = np.array([p for _, p in rows])
    got = regime_labels(arrays, pure, n=len(rows))
    assert list(got) == [_label_by_hand(d, p) for d, p in rows]
    assert [regime_label(d, p) for d, p in rows] == list(got)


@settings(max_examples=200, deadline=None)
@given(st.lists(outcome_dicts, min_size=1, max_size=12))
def test_indicators_on_arrays_equal_the_definitions(rows):
    arrays = {lab: np.array([d.get(lab, 0.0) for d in rows]) for lab in LABELS}
    values = indicator_values(arrays, np.zeros(len(rows)))
    assert list(values) == list(INDICATOR_NAMES)
    for k, d in enumerate(rows):
        one = indicators(d)
        assert one["p_attack"] == values["p_attack"][k] == 1.0 - d.get("status_quo", 0.0)
        assert one["p_war"] == values["p_war"][k] == d.get("war", 0.0) + d.get("allied_war", 0.0)
        for name, lab in (("p_allied_war", "allied_war"), ("p_entrapment", "entrapment"),
                          ("p_abandonment", "abandonment")):
            assert one[name] == values[name][k] == d.get(lab, 0.0)


def test_indicators_on_expressions():
    x = sp.Symbol("x")
    values = indicator_values({"status_quo": 1 - x, "war": x}, sp.Integer(0))
    assert values["p_attack"] == x and values["p_war"] == x and values["p_entrapment"] == 0


def test_labels_outside_the_vocabulary_come_last():
    assert regime_label({"zz_custom": 0.5, "war": 0.5, "status_quo": 0.1}, True) == "status_quo+war+zz_custom"
    assert list(regime_labels({}, np.array([True, False]), n=2)) == ["none", "mixed:none"]


def test_kernel_and_per_point_rows_share_the_schema_and_the_rules():
    """The compiled kernel's columns are the tidy schema's, in its order, and its regimes and
    indicators are those of the per-point path at the points it decides."""
    m = dt.load_model("extended_deterrence")
    pts = pd.DataFrame(domain_sample(m, 40, seed=4))
    rows, undecided = compile_model(m, "pbe", "free").evaluate(pts)
    players, labels = list(m.players), [lab for lab in OUTCOMES if f"outcome_{lab}" in rows.columns]
    schema = column_order(list(m.parameters), players, labels)
    assert list(rows.columns) == [c for c in schema if c in rows.columns]
    assert set(schema) - set(rows.columns) == {"selected", "p_attack_baseline", "deterred"}
    decided = pts[~undecided].reset_index(names="point")
    per_point = evaluate_points(m, decided, "pbe", "free")
    keys = ["point", "regime", *INDICATOR_NAMES]
    a = rows[keys].astype({"regime": object}).sort_values(keys[:3]).reset_index(drop=True)
    b = per_point[keys].astype({"regime": object}).sort_values(keys[:3]).reset_index(drop=True)
    assert len(a) >= len(decided) > 0
    pd.testing.assert_frame_equal(a, b, check_exact=False, atol=1e-9)


# ---------------------------------------------------------------------------- the domain rule
def test_one_domain_rule_for_open_closed_and_infinite_ends():
    closed = Parameter("a", 0.5, (0, 1))
    half_open = Parameter("b", 0.5, (0, 1), open_lower=True)
    unbounded = Parameter("c", 1.0, (0, math.inf))
    values = np.array([-0.1, 0.0, 0.5, 1.0, 1.1, math.inf, -math.inf, math.nan])
    assert closed.contains(values).tolist() == [False, True, True, True, False, False, False, False]
    assert half_open.contains(values).tolist() == [False, False, True, True, False, False, False, False]
    assert half_open.contains(values, closed=True).tolist() == [False, True, True, True, False, False, False,
                                                                 False]
    assert unbounded.contains(np.array([0.0, 1e300, math.inf])).tolist() == [True, True, False]
    assert closed.contains(0.5) is True and half_open.contains(0.0) is False
    assert unbounded.bounded is False and closed.bounded is True


@pytest.mark.parametrize("value", [0.0, 1e-12, 0.5, 1.0, 1.0 + 1e-12])
def test_models_sweeps_and_parameters_agree_on_the_domain(value):
    """Parameter.check, Model.evaluate and a sweep's grid accept and refuse the same values."""
    m = dt.load_model("extended_deterrence")
    par = m.parameters["credibility"]
    inside = bool(par.contains(value))
    outcomes = []
    for attempt in (
        lambda: par.check(value),
        lambda: m.evaluate({"credibility": np.array([value])}, check=False, check_orderings=False),
        lambda: dt.sweep(m, grid={"credibility": [value]}, progress=False, path="compiled"),
    ):
        try:
            attempt()
            outcomes.append(True)
        except dt.ParameterError:
            outcomes.append(False)
    assert outcomes == [inside] * 3, (value, par.domain_text, outcomes)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*sorted(dt_outcomes.OUTCOMES), "zzz_extra"]), unique=True, max_size=7),
    st.integers(min_value=1, max_value=30),
    st.randoms(use_true_random=False),
)
def test_regime_labels_on_arrays_equal_the_rule_for_one(labels, n, rnd):
    """The vectorised labels (integer codes) are :func:`regime_name` of each equilibrium."""
    outcomes = {lab: np.array([rnd.choice([0.0, 1e-10, 0.25, 1.0]) for _ in range(n)]) for lab in labels}
    pure = np.array([rnd.random() < 0.5 for _ in range(n)])
    got = dt_outcomes.regime_labels(outcomes, pure, n=n)
    for k in range(n):
        present = [lab for lab in labels if outcomes[lab][k] > dt_outcomes.LABEL_TOL]
        assert got[k] == dt_outcomes.regime_name(present, bool(pure[k]))
