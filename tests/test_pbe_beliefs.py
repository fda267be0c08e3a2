"""Pieces of the PBE solver's beliefs (:mod:`deterrence.solvers._pbe_beliefs`) against numpy."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import deterrence as dt
from deterrence.solvers._pbe_beliefs import _clipped, _supporting_belief

_EDGES = [0.0, -0.0, 1e-300, -1e-300, 0.25, 0.5, 1.0, 2.0, -3.0, 0.30000000000000004]


def _same(a: float, b: float) -> bool:
    return a == b and np.signbit(a) == np.signbit(b)


def test_clipped_is_numpys_clip_on_ties_and_signed_zeros():
    for x, lo, hi in itertools.product(_EDGES, repeat=3):
        if lo <= hi:
            assert _same(_clipped(x, lo, hi), float(np.clip(x, lo, hi))), (x, lo, hi)


@given(st.floats(allow_nan=False), st.floats(allow_nan=False), st.floats(allow_nan=False))
def test_clipped_is_numpys_clip(x, a, b):
    lo, hi = min(a, b), max(a, b)
    assert _same(_clipped(x, lo, hi), float(np.clip(x, lo, hi)))


def test_lp_belief_shortcut_gives_what_the_programs_give():
    """:func:`_lp_belief` answers ``None`` without the linear programs when an action is worse at
    every node; the programs (:func:`_lp_programs`, which it ran before) are the oracle: the same
    answer on random gaps (3-6 nodes, 2-4 actions), many with such an action, some at the margin."""
    from deterrence.solvers._pbe_beliefs import _lp_belief, _lp_programs

    rng = np.random.default_rng(6)
    tol, fired = 1e-9, 0
    for i in range(300):
        n, m = int(rng.integers(3, 7)), int(rng.integers(2, 5))
        gap = rng.normal(size=(n, m))
        gap[:, 0] = 0.0  # the prescribed action
        if i % 3 == 0:  # an action worse at every node ...
            gap[:, 1] = -np.abs(gap[:, 1]) - tol
            if i % 2 == 0:  # ... by a hair
                gap[:, 1] = -tol * (1 + 1e-15) - rng.random(n) * 1e-14
        mu0 = rng.dirichlet(np.ones(n))
        found, oracle = _lp_belief(gap, mu0, tol), _lp_programs(gap, mu0, tol)
        fired += found is None and (gap.max(axis=0) < -tol - 1e-6).any()
        assert (found is None) == (oracle is None), i
        if found is not None:
            assert found.tobytes() == oracle.tobytes(), i
    assert fired > 30


def test_an_off_path_action_losing_less_than_tol_at_a_belief_end_is_supported():
    """Free beliefs at a two-node unreached set: when the only supporting belief would sit at an end
    of the belief interval and the action loses less than ``tol`` there (8.8e-10 here), the
    profile is a PBE within the tolerance, as the certificates and the compiled kernels say; the
    solver's interval ignored ``tol`` and dropped it (tripartite_crisis, ``p_realigner`` just above
    the Defender's threshold: the compiled path listed 2 equilibria, the per-point path 1)."""
    row = {"p_determined": 0.38343667708615536, "c_realignment": 11.419229600007032,
           "c_concession": -1.290135666870837, "c_status_quo": 10.873321921503269,
           "c_war_determined": 6.1671073984997005, "c_back_down": -0.6621587521152643,
           "c_war_hesitant": -0.893345219878064, "d_status_quo": 10.827375996156135,
           "d_back_down": 10.076732811335145, "d_concession": 8.797507226381182, "d_war": 7.872727862552466,
           "d_realignment": 0.06362326285477016, "pro_realign_realigner": 2.7333353399848215,
           "pro_realign_loyal": -3.05094596566963}
    threshold = (row["d_concession"] - row["d_war"]) / (row["d_concession"] - row["d_realignment"])
    grid = {"p_realigner": [threshold + 1e-10, threshold + 1e-9]}
    tables = [dt.sweep("tripartite_crisis", grid, fixed=row, path=path, progress=False).table
              for path in ("compiled", "pointwise")]
    assert list(tables[1]["n_equilibria"]) == [2, 2, 2, 2]
    # the kernels' regret is the gain on the path; the certificate's includes the off-path loss
    # (up to 8.7e-9 here, within tol)
    assert (tables[1]["regret"] <= 1e-8).all()
    pd.testing.assert_frame_equal(tables[0].drop(columns=["path", "regret"]),
                                  tables[1].drop(columns=["path", "regret"]), check_exact=False, atol=1e-9)
    q = np.array([[0.0, 1e-9], [0.0, 1.0]])  # action 0 loses 1e-9 at belief (1, 0) and more elsewhere
    mu = _supporting_belief(q, np.array([1.0, 0.0]), np.array([0.5, 0.5]), 1e-8)
    assert mu is not None and (mu @ (q[:, [0]] - q)).min() >= -1e-8 and mu[0] > 0.99
    assert _supporting_belief(q, np.array([1.0, 0.0]), np.array([0.5, 0.5]), 1e-10) is None
