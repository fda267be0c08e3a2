"""Pieces of the PBE solver's beliefs (:mod:`deterrence.solvers._pbe_beliefs`) against numpy."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from deterrence.solvers._pbe_beliefs import _clipped

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
