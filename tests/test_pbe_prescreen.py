"""The compiled float screens of the PBE solver's indifference systems (``_pbe_prescreen``) against
the screens of the Python path they replace, kept here as the oracle.

The oracle (:func:`oracle_verdict`) is what ``_pbe_multilinear._screened`` did with one system's
values before the compiled pass: the box of ``_screened_box`` (numpy, ``_box_corners``), the
grid sign test ``_grid_may_vanish`` and the box contraction in numpy array operations
(``test_pbe_multilinear._contract_in_numpy``, the matrix product by numpy, the boxes in Python
lists). Against it:

* the corner values of the compiled pass are ``_box_corners``'s to the bit (random values, some
  rounded: exact zeros and ties);
* the compiled box contraction (``_pbe_contract.box_verdict``) gives the numpy one's verdicts on
  random systems and on the systems the AEG's solves screen;
* the compiled pass gives every system of every pattern kept by the vertex tests the oracle's
  verdict (in ``tests/test_pbe_vertex.py``'s comparison, AEG, chain store, costly signalling menu,
  random signalling trees, every policy), compiled and as plain Python;
* a solve with the compiled pass returns what a solve without it (every system left to
  ``_solve_multilinear``) returns: equilibria, beliefs, notes (continua too), completeness.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from test_pbe_multilinear import _contract_in_numpy, _everything

import deterrence as dt
from deterrence import kernels
from deterrence._jit import python_version
from deterrence.solvers import _pbe_contract, _pbe_multilinear, _pbe_prescreen, _pbe_unbalanced, pbe
from deterrence.solvers._pbe_prescreen import (
    BOX_ONLY,
    BOX_PASSED,
    MAX_UNKNOWNS,
    RULED_OUT,
    SCREENED,
    UNSCREENED,
)


# ---------------------------------------------------------------------------------- the oracle
def box_may_vanish_in_numpy(values, k: int) -> bool:
    """The box contraction screen as it was: numpy's matrix products, the boxes in a Python list."""
    f = np.asarray(values, dtype=float)
    eps = 1e-13 * max(1.0, float(np.abs(f).max()))
    boxes = [(np.full(k, 1e-10), np.full(k, 1 - 1e-10))]
    seen = 0
    while boxes:
        lo, hi = boxes.pop()
        seen += 1
        if seen > _pbe_contract.MAX_BOXES:
            return True
        if not _contract_in_numpy(f, lo, hi, eps):
            continue
        axis = int(np.argmax(hi - lo))
        cut = lo[axis] + _pbe_contract._CUT * (hi[axis] - lo[axis])
        left_hi, right_lo = hi.copy(), lo.copy()
        left_hi[axis], right_lo[axis] = cut, cut
        boxes.extend([(lo.copy(), left_hi), (right_lo, hi.copy())])
    return False


def oracle_verdict(pattern, mixed, values) -> int:
    """The float screens' verdict on one system (``values`` as ``_solve_pattern`` hands them to
    ``_solve_multilinear``), by the Python path; :data:`UNSCREENED` for the systems the compiled
    pass leaves alone (one mixing set, two of two actions, a support of four actions or more,
    more than ``MAX_UNKNOWNS`` unknowns), the box contraction's alone from ``BOX_ONLY`` unknowns."""
    sizes = [len(pattern[k]) for k in mixed]
    unknowns = sum(m - 1 for m in sizes)
    if len(mixed) == 1 or sizes == [2, 2] or max(sizes) > 3 or unknowns > MAX_UNKNOWNS:
        return UNSCREENED
    box = _pbe_multilinear._screened_box(pattern, mixed, values)
    if unknowns >= BOX_ONLY:  # the box contraction alone
        return BOX_PASSED if box_may_vanish_in_numpy(*box) else RULED_OUT
    may_vanish = _pbe_multilinear._grid_may_vanish(*box) and box_may_vanish_in_numpy(*box)
    return SCREENED if may_vanish else RULED_OUT


# ---------------------------------------------------------------------------------- the tests
def test_corner_values_are_those_of_box_corners_to_the_bit():
    rng = np.random.default_rng(21)
    for _ in range(500):
        sizes = rng.choice([2, 3], size=int(rng.integers(1, 6)))
        values = rng.normal(size=(int(rng.integers(1, 8)), int(np.prod(sizes))))
        values *= 10.0 ** int(rng.integers(-3, 4))
        if rng.random() < 0.4:
            values = np.round(values)  # exact zeros and ties
        expected = _pbe_multilinear._box_corners(values.tolist(), sizes.tolist())
        for corners in (_pbe_prescreen._corner_values, python_version(_pbe_prescreen._corner_values)):
            got = corners(np.ascontiguousarray(values), sizes.astype(np.int64))
            assert got.shape == expected.shape and got.tobytes() == expected.tobytes()


def _random_systems(seed: int, n: int):
    """Random systems ``(values at the corners, k)``, half of them made to vanish at a random point,
    some rounded (exact zeros and ties)."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        k = int(rng.integers(1, 8))
        f = rng.normal(size=(int(rng.integers(1, k + 2)), 2**k)) * 10.0 ** int(rng.integers(-2, 3))
        if rng.random() < 0.5:
            x = rng.uniform(0, 1, size=k)
            grid = np.array(np.meshgrid(*[[1 - xi, xi] for xi in x], indexing="ij"))
            f = f - (f @ grid.prod(axis=0).ravel())[:, None]
        if rng.random() < 0.3:
            f = np.round(f)
        yield np.ascontiguousarray(f), k


def test_compiled_box_contraction_gives_the_numpy_verdicts_on_random_systems():
    verdicts = []
    for f, k in _random_systems(22, 400):
        expected = box_may_vanish_in_numpy(f, k)
        assert _pbe_contract.box_may_vanish(f, k) == expected
        assert python_version(_pbe_contract.box_verdict)(f, k) == expected
        verdicts.append(expected)
    assert 40 < sum(verdicts) < 360


def _aeg_points(n: int, seed: int) -> list[dict[str, float]]:
    m = dt.load_model("asymmetric_escalation")
    return [{k: float(v) for k, v in r.items()} for r in
            pd.DataFrame(kernels.domain_sample(m, n, seed=seed)).to_dict("records")]


def _kernel_inputs(game, policy: str) -> list[tuple]:
    """What a solve hands the compiled pass (``_prescreen_kernel``'s arguments), one tuple per pass:
    the first, then the unbalanced patterns of a type game, every one of them (not only until a
    continuum)."""
    captured = []
    kernel = _pbe_prescreen._prescreen_kernel

    def keep(*args):
        captured.append(pickle.loads(pickle.dumps(args)))
        return kernel(*args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_pbe_prescreen, "_prescreen_kernel", keep)
        mp.setattr(_pbe_unbalanced, "STOP_AT_FIRST_CONTINUUM", False)
        dt.solve(game, "pbe", belief_policy=policy)
    return captured


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_compiled_pass_equals_its_python_version(policy, monkeypatch):
    """The pass on an AEG solve's patterns, compiled and as plain Python (the code that runs
    without numba); every verdict occurs."""
    game = dt.load_model("asymmetric_escalation").game(**_aeg_points(1, 5)[0])
    passes = _kernel_inputs(game, policy)  # (the first, then the unbalanced patterns' batches)
    compiled = [_pbe_prescreen._prescreen_kernel(*args) for args in passes]
    names = ("_prescreen_kernel", "_mixing_options", "_most_options", "_pattern_verdicts", "_corner_values")
    for name in names:
        monkeypatch.setattr(_pbe_prescreen, name, python_version(getattr(_pbe_prescreen, name)))
    plain = [_pbe_prescreen._prescreen_kernel(*args) for args in passes]
    assert {RULED_OUT, SCREENED, UNSCREENED, BOX_PASSED} <= set(compiled[0][0].tolist())
    for got, want in zip(compiled, plain, strict=True):
        for a, b in zip(got, want, strict=True):
            assert np.array_equal(a, b)


def _unscreened(flat, starts, ok, opt_starts, passed, conditions, settled=None):
    """The compiled pass screening nothing: every system goes to ``_solve_multilinear`` as before."""
    verdicts, *starts = _pbe_prescreen.joined_prescreen(flat, starts, ok, opt_starts, passed, conditions)
    return np.full_like(verdicts, UNSCREENED), *starts


@pytest.mark.parametrize(("name", "policy", "n"), [
    ("asymmetric_escalation", "free", 2), ("asymmetric_escalation", "prior", 1),
    ("asymmetric_escalation", "d1", 2), ("chain_store", "d1", 3), ("costly_signal_menu", "free", 3)])
def test_a_solve_with_the_compiled_screens_is_a_solve_without(name, policy, n, monkeypatch):
    m = dt.load_model(name)
    for values in pd.DataFrame(kernels.domain_sample(m, n, seed=9)).to_dict("records"):
        game = m.game(**{k: float(v) for k, v in values.items()})
        screened = dt.solve(game, "pbe", belief_policy=policy)
        monkeypatch.setattr(pbe, "joined_prescreen", _unscreened)
        plain = dt.solve(game, "pbe", belief_policy=policy)
        monkeypatch.undo()
        assert _everything(plain) == _everything(screened) and plain.degenerate == screened.degenerate


def test_the_float_screens_run_here_are_those_before_the_exact_row_reduction():
    """The compiled pass runs the float screens that ``_screen_order`` puts before the exact row
    reduction, and from ``MAX_UNKNOWNS + 1`` unknowns, where that comes first, none."""
    for unknowns in range(1, MAX_UNKNOWNS + 3):
        order = _pbe_multilinear._screen_order(unknowns)
        before = set(order[:order.index("exact")])
        if unknowns > MAX_UNKNOWNS:
            assert not before
        else:
            assert before == set(_pbe_prescreen.PASSED[BOX_PASSED if unknowns >= BOX_ONLY else SCREENED])
