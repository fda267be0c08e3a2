"""The PBE candidates' signalling label (:func:`deterrence.solvers.pbe._label`, worked out on
Python floats) is the one numpy's formula gives: ``np.allclose(m, first, atol=1e-9)`` for pooling,
``m.max() >= 1 - 1e-10`` for a pure move and ``np.argmax`` for its action, on random moves, moves a
few tolerances apart, and moves with NaN, infinities and signed zeros."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from deterrence.solvers import pbe
from deterrence.solvers._pbe_context import _INTERIOR


def _numpy_label(senders: tuple[int, ...], beh: list[np.ndarray]) -> str:
    """The label by numpy's calls (the formula ``_label`` had before it worked on Python floats)."""
    if not senders:
        return ""
    moves = [np.asarray(beh[k]) for k in senders]
    pure = all(m.max() >= 1 - _INTERIOR for m in moves)
    with np.errstate(invalid="ignore"):
        same = all(np.allclose(m, moves[0], rtol=1e-5, atol=1e-9) for m in moves)
    if same:
        return "pooling"
    if pure:
        picks = [int(np.argmax(m)) for m in moves]
        return "separating" if len(set(picks)) == len(picks) else "partially pooling"
    return "semi-separating"


class _Senders:
    """The part of the solver's context that ``_label`` reads."""

    def __init__(self, senders: tuple[int, ...]) -> None:
        self.senders = senders


_ODD = [0.0, -0.0, 1.0, 1.0 - 1e-10, 1.0 - 2e-10, 1e-9, 2e-9, 1.00001, 0.5, 0.5 + 1e-9, 0.5 + 6e-9,
        np.nan, np.inf, -np.inf, 1e308, -1e-12]


def _moves(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random move of ``n`` actions: pure, mixed, near another, or with odd entries."""
    kind = rng.integers(4)
    if kind == 0:
        out = np.zeros(n)
        out[rng.integers(n)] = 1.0
        return out
    if kind == 1:
        return rng.dirichlet(np.ones(n))
    if kind == 2:
        return np.array([_ODD[i] for i in rng.integers(len(_ODD), size=n)])
    out = np.zeros(n)
    out[rng.integers(n)] = 1.0
    return out + rng.choice([0.0, 1e-9, -1e-9, 5e-10, 1e-5, 2e-10], size=n)


@pytest.mark.parametrize("seed", range(4))
def test_label_is_numpys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(3000):
        n, count = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        beh = [_moves(rng, n) for _ in range(count + 1)]
        senders = tuple(int(k) for k in rng.permutation(count + 1)[:count])
        with np.errstate(invalid="ignore", over="ignore"):
            if rng.random() < 0.3:  # a sender copying another's move, up to a few tolerances
                beh[-1] = beh[0] + rng.choice([0.0, 1e-9, 1e-8, 1e-5 * abs(beh[0]).max()], size=n)
            expected = _numpy_label(senders, beh)
        assert pbe._label(_Senders(senders), beh) == expected, (senders, beh)


def test_label_of_pure_and_odd_pairs() -> None:
    values = [0.0, -0.0, 1.0, 1.0 - 1e-10, 1.0 - 1e-9, np.nan, np.inf, 0.3]
    for a, b, c, d in itertools.product(values, repeat=4):
        beh = [np.array([a, b]), np.array([c, d])]
        with np.errstate(invalid="ignore"):
            expected = _numpy_label((0, 1), beh)
        assert pbe._label(_Senders((0, 1)), beh) == expected, beh
    assert pbe._label(_Senders(()), [np.array([1.0])]) == ""
