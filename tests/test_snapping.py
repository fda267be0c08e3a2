"""Float noise around 0 is reported as 0 (issue 19: ``3.7e-17`` in a pure equilibrium)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence._solve import SNAP, snapped
from deterrence.solvers import Candidate, CandidateArrays


def test_noise_is_snapped_and_the_vector_rescaled() -> None:
    (c,) = snapped([Candidate((np.array([3.7e-17, 1 - 3.7e-17]), np.array([0.5, 0.5])))], "nash")
    assert c.strategies[0].tolist() == [0.0, 1.0]
    assert c.strategies[1].tolist() == [0.5, 0.5]


def test_candidate_arrays_are_snapped_only_where_noise_is() -> None:
    clean = CandidateArrays((np.array([[0.0, 1.0], [0.25, 0.75]]), np.array([[0.5, 0.5], [1.0, 0.0]])))
    assert snapped(clean, "nash") is clean  # exact zeros need nothing
    noisy = CandidateArrays((np.array([[-2e-17, 1.0], [0.25, 0.75]]), np.array([[0.5, 0.5], [1.0, 0.0]])))
    out = snapped(noisy, "nash")
    assert out.strategies[0].tolist() == [[0.0, 1.0], [0.25, 0.75]]
    assert out.strategies[1].tolist() == [[0.5, 0.5], [1.0, 0.0]]


def test_qre_probabilities_are_not_snapped() -> None:
    tiny = np.array([1e-20, 1 - 1e-20])
    (c,) = snapped([Candidate((tiny,))], "qre")
    assert c.strategies[0][0] == 1e-20


def test_beliefs_are_snapped_too() -> None:
    cand = Candidate((np.array([1.0, 0.0]),), beliefs=(np.array([2e-16, 1.0]),))
    (c,) = snapped([cand], "pbe")
    assert c.beliefs[0].tolist() == [0.0, 1.0]


METHODS = ["auto", "lemke_howson", "support_enumeration"]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(METHODS))
def test_solved_profiles_hold_no_noise_around_zero(seed: int, method: str) -> None:
    rng = np.random.default_rng(seed)
    # float payoffs: vertex enumeration left about one profile in two with noise like 4.7e-17
    game = dt.NormalFormGame([rng.normal(size=(4, 4)), rng.normal(size=(4, 4))])
    try:
        eqs = dt.solve(game, method=method)
    except dt.UnsupportedError:  # lemke_howson declines some degenerate games
        return
    for eq in eqs:
        for s in eq.strategies:
            assert not np.any((s > 0) & (s < SNAP)), s
        assert eq.certificate.passed


@pytest.mark.parametrize("model", ["extended_deterrence", "unilateral_deterrence"])
def test_pure_tree_answers_read_pure(model: str) -> None:
    for eq in dt.solve(dt.load_model(model).game(), "pbe"):
        for s in eq.strategies:
            assert not np.any((s > 0) & (s < SNAP)), s


def _dedupe_one_stack_per_candidate(cands, tol):
    """The deduplication before its kept vectors were one preallocated array (the oracle)."""
    from deterrence.solvers._dispatch import _flat

    atol = max(tol, 1e-9) * 10
    out, kept = [], []
    for c in cands:
        v = _flat(c)
        if kept and len(kept[0]) == len(v):
            if (np.abs(np.asarray(kept) - v).max(axis=1) <= atol).any():
                continue
        out.append(c)
        kept.append(v)
    return out


def test_dedupe_keeps_what_the_stack_per_candidate_kept():
    from deterrence.solvers._dispatch import dedupe

    rng = np.random.default_rng(4)
    dropped = 0
    for _ in range(200):
        base = [rng.dirichlet(np.ones(3)) for _ in range(int(rng.integers(2, 6)))]
        cands = []
        with_beliefs = rng.random() < 0.5
        for _ in range(int(rng.integers(0, 30))):
            b = base[int(rng.integers(len(base)))]
            noise = rng.choice([0.0, 1e-9, 5e-8, 1e-3]) * rng.normal(size=3)
            beliefs = (b + noise,) if with_beliefs else None
            cands.append(Candidate(strategies=(b + noise, 1 - b), beliefs=beliefs))
        want = _dedupe_one_stack_per_candidate(cands, 1e-9)
        assert [id(c) for c in dedupe(cands, 1e-9)] == [id(c) for c in want]
        dropped += len(cands) - len(want)
    assert dropped > 500
