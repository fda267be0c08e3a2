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
