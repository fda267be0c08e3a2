"""The box contraction (``_pbe_contract``) against the one before its rounds were made cheaper
(``helpers/box_contract_oracle.py``, the oracle):

* a round (``_shrink``) gives the same status and shrinks the box to the same ends, to the bit,
  on random corner values (some rounded: exact zeros and ties; some with no feasible ``t`` for
  one unknown only, which the new round finds unknown by unknown);
* the contraction of a box (``_contract``) gives the same verdict and ends, to the bit, and the
  screen (``box_verdict``, which stops as soon as enough boxes are left to reach the last one)
  the same verdicts, compiled and as plain Python, on random systems and on every system the
  compiled float screens (``_pbe_prescreen``) of AEG solves hand it.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.box_contract_oracle import old_box_verdict, old_contract, old_shrink
from test_pbe_prescreen import _aeg_points, _kernel_inputs, _random_systems

import deterrence as dt
from deterrence._jit import python_version
from deterrence.solvers import _pbe_contract, _pbe_prescreen


def _random_corner_values(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Corner values ``(equations, 2^k)`` and a box; some rounded, some with one equation of one
    strict sign on one side of one unknown."""
    k = int(rng.integers(1, 8))
    g = rng.normal(size=(int(rng.integers(1, k + 2)), 2**k)) * 10.0 ** int(rng.integers(-2, 3))
    if rng.random() < 0.3:
        g = np.round(g)
    if rng.random() < 0.3:
        i, e = int(rng.integers(k)), int(rng.integers(len(g)))
        side = (np.arange(2**k) >> (k - 1 - i)) & 1 == int(rng.integers(2))
        g[e, side] = np.abs(g[e, side]) + rng.uniform(0, 1)
    lo = rng.uniform(0, 0.5, size=k)
    return np.ascontiguousarray(g), lo, lo + rng.uniform(0, 0.5, size=k)


def test_a_round_is_the_older_one_to_the_bit():
    rng = np.random.default_rng(31)
    statuses = set()
    for _ in range(2000):
        g, lo, hi = _random_corner_values(rng)
        eps = 1e-13 * max(1.0, float(np.abs(g).max()))
        expected_lo, expected_hi = lo.copy(), hi.copy()
        expected = old_shrink(g, expected_lo, expected_hi, eps)
        for shrink in (_pbe_contract._shrink, python_version(_pbe_contract._shrink)):
            got_lo, got_hi = lo.copy(), hi.copy()
            assert shrink(g, got_lo, got_hi, eps) == expected
            assert got_lo.tobytes() == expected_lo.tobytes() and got_hi.tobytes() == expected_hi.tobytes()
        statuses.add(expected)
    assert statuses == {_pbe_contract._EMPTY, _pbe_contract._STALLED, _pbe_contract._SHRUNK}


def _same_contraction_and_verdict(f: np.ndarray, k: int, plain: bool = False) -> bool:
    """Assert the new contraction and screen are the oracle's on ``f``; return the verdict."""
    eps = 1e-13 * max(1.0, float(np.abs(f).max()))
    lo, hi = np.full(k, 1e-10), np.full(k, 1 - 1e-10)
    old_lo, old_hi = lo.copy(), hi.copy()
    assert _pbe_contract._contract(f, lo, hi, eps) == old_contract(f, old_lo, old_hi, eps)
    assert lo.tobytes() == old_lo.tobytes() and hi.tobytes() == old_hi.tobytes()
    expected = old_box_verdict(f, k)
    assert _pbe_contract.box_verdict(f, k) == expected
    if plain:
        assert python_version(_pbe_contract.box_verdict)(f, k) == expected
    return bool(expected)


def test_the_screen_is_the_older_one_on_random_systems():
    verdicts = [_same_contraction_and_verdict(f, k, plain=True) for f, k in _random_systems(32, 600)]
    assert 60 < sum(verdicts) < 540


def _screened_systems(game: object, policy: str) -> list[tuple[np.ndarray, int]]:
    """Every system the compiled float screens of a solve hand the box contraction (their pass
    run as plain Python, ``box_verdict`` recording its inputs)."""
    passes = _kernel_inputs(game, policy)  # (the first, then the unbalanced patterns' batches)
    seen = []

    def keep(f: np.ndarray, k: int) -> bool:
        seen.append((f.copy(), k))
        return _pbe_contract.box_verdict(f, k)

    with pytest.MonkeyPatch.context() as mp:
        for name in ("_prescreen_kernel", "_mixing_options", "_most_options", "_pattern_verdicts",
                     "_corner_values"):
            mp.setattr(_pbe_prescreen, name, python_version(getattr(_pbe_prescreen, name)))
        mp.setattr(_pbe_prescreen, "box_verdict", keep)
        for args in passes:
            _pbe_prescreen._prescreen_kernel(*args)
    return seen


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_the_screen_is_the_older_one_on_the_aeg_systems(policy):
    """Every system of two AEG solves, of three to six unknowns; both verdicts occur."""
    m = dt.load_model("asymmetric_escalation")
    verdicts = []
    for values in _aeg_points(2, 17):
        for f, k in _screened_systems(m.game(**values), policy):
            verdicts.append((k, _same_contraction_and_verdict(f, k)))
    assert len(verdicts) > 300 and {v for _, v in verdicts} == {False, True}
    assert {k for k, _ in verdicts} == {3, 4, 5, 6}
