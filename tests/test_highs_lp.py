"""HiGHS called directly (:mod:`deterrence.solvers._highs_lp`) against ``scipy.optimize.linprog``:
the same answers to the bit, without going through ``linprog``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deterrence.solvers import _highs_lp, _pbe_beliefs
from deterrence.solvers._highs_lp import _by_linprog, highs_x
from deterrence.solvers._pbe_beliefs import _lp_programs

#: payoffs on a coarse grid (ties between nodes and actions, so between optimal vertices, are
#: common) or anywhere
_PAYOFF = st.one_of(st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0]),
                    st.floats(-10.0, 10.0, allow_nan=False, allow_subnormal=False))


@st.composite
def _programs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """A gap matrix (nodes x actions, the prescribed action's column 0, as
    ``_supporting_belief`` makes it, some nodes' rows repeated) and a prior on the nodes."""
    n, m = draw(st.integers(3, 6)), draw(st.integers(2, 4))
    q = np.array(draw(st.lists(_PAYOFF, min_size=n * m, max_size=n * m))).reshape(n, m)
    for i, j in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2)):
        q[i] = q[j]
    act = draw(st.integers(0, m - 1))
    gap = q[:, act][:, None] - q
    weight = st.sampled_from([0.0, 0.5, 1.0, 1.0, 2.0, 3.7])
    weights = np.array(draw(st.lists(weight, min_size=n, max_size=n)))
    if weights.sum() == 0:
        weights[0] = 1.0
    return gap, weights / weights.sum()


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a.tobytes() == b.tobytes())


@settings(max_examples=300, deadline=None)
@given(_programs())
def test_belief_programs_answer_what_linprog_answers(program):
    """:func:`_lp_programs` (both its programs, through :func:`highs_x`) gives, to the bit, what it
    gives with every program handed to ``linprog`` (``_by_linprog``): the same vertex among tied
    optimal ones, the same ``None``."""
    gap, mu0 = program
    got = _lp_programs(gap, mu0, 1e-8)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_pbe_beliefs, "highs_x", _by_linprog)
        want = _lp_programs(gap, mu0, 1e-8)
    assert _same(got, want)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 2 ** 32 - 1), st.booleans())
def test_highs_x_is_linprogs_answer_on_random_programs(n, rows, seed, free_last):
    """Random programs (costs of both signs, so some unbounded; inequalities that may be
    infeasible; one equality; the last variable free or not): ``highs_x`` is ``linprog``'s ``x``
    when its status is 0, ``None`` otherwise, to the bit."""
    rng = np.random.default_rng(seed)
    c = np.round(rng.normal(size=n), 1)
    a_ub, b_ub = np.round(rng.normal(size=(rows, n)), 1), np.round(rng.normal(size=rows), 1)
    a_eq, b_eq = np.ones((1, n)), np.ones(1)
    lb, ub = np.zeros(n), np.full(n, np.inf)
    if free_last:
        lb[-1] = -np.inf
    assert _same(highs_x(c, a_ub, b_ub, a_eq, b_eq, lb, ub), _by_linprog(c, a_ub, b_ub, a_eq, b_eq, lb, ub))


def test_highs_x_does_not_go_through_linprog(monkeypatch):
    """Finite programs go to HiGHS directly (``linprog`` is never called); programs with values
    that are not finite go to ``linprog``, which refuses them as before. Skipped on a scipy whose
    ``linprog`` does not call HiGHS through the binding ``_highs_lp`` uses (there every program goes
    to ``linprog``, which the other tests then compare with itself)."""
    import scipy.optimize

    if _highs_lp._binding() is None:
        pytest.skip("this scipy's linprog does not call HiGHS through scipy.optimize._highspy._core")

    def refused(*args, **kwargs):
        raise AssertionError("linprog called")

    monkeypatch.setattr(scipy.optimize, "linprog", refused)
    gap = np.array([[0.0, -1.0], [0.0, 2.0], [0.0, 0.5]])
    mu = _lp_programs(gap, np.array([0.6, 0.2, 0.2]), 1e-8)
    assert mu is not None and mu @ gap[:, 1] >= -1e-8
    monkeypatch.undo()
    with pytest.raises(ValueError):
        highs_x(np.array([1.0, np.nan]), np.ones((1, 2)), np.ones(1), np.ones((1, 2)), np.ones(1),
                np.zeros(2), np.full(2, np.inf))
