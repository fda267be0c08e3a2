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
