"""The pieces of the 2-player all-equilibria path made cheaper for small games (issue 15).

* the vertex kernel's breadth-first search runs through one queue of bases (compacted in place
  or grown when full): the same vertices as the numpy pivoting oracle on games that fill it;
* the bimatrix certificates' numbers come back from the compiled pass as one array: the same
  numbers as :func:`deterrence.certify` profile by profile (the per-profile path), for
  equilibria and non-equilibria of drawn games, degenerate ones included;
* both players' payoff scales of a two-player game come from one compiled pass: the same as
  :func:`~deterrence.game.scaling.player_scale` player by player;
* vertex enumeration's candidates in a nondegenerate game are known to be distinct:
  deduplication keeps them all (in a degenerate game it still compares them).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.vertex_pivot_numpy import pivot_vertices
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.certificates import certify_bimatrix_profiles
from deterrence.game.scaling import payoff_scales, player_scale
from deterrence.solvers import _vertex_kernel as kernel
from deterrence.solvers._bimatrix import polytope_p, polytope_q, scaled_positive
from deterrence.solvers.base import CandidateArrays
from deterrence.solvers.vertex_enumeration import _label_masks


def _vertex_set(masks: np.ndarray, z: np.ndarray) -> dict[tuple[int, ...], np.ndarray]:
    return {tuple(int(w) for w in masks[i]): z[i] for i in range(len(masks))}


@pytest.mark.parametrize("seed", range(3))
def test_queue_kernel_equals_numpy_pivoting_on_games_that_fill_the_queue(seed: int) -> None:
    """8x8 games have a few hundred bases: the queue (32 to start) is compacted and grown."""
    rng = np.random.default_rng([15, seed])
    a, b = rng.integers(-1000, 1001, (8, 8)).astype(float), rng.integers(-1000, 1001, (8, 8)).astype(float)
    p_matrix, p_labels, q_matrix, q_labels = kernel.polytopes(a, b)
    for (matrix, labels), (g, rhs) in (((p_matrix, p_labels), polytope_p(scaled_positive(b))),
                                       ((q_matrix, q_labels), polytope_q(scaled_positive(a)))):
        masks, z, _, err = kernel.polytope_vertices(matrix, labels)
        assert err == kernel.OK and len(masks) > 32
        oracle_z, oracle_tight = pivot_vertices(g, rhs)
        ours, theirs = _vertex_set(masks, z), _vertex_set(_label_masks(oracle_tight), oracle_z)
        assert ours.keys() == theirs.keys()
        for key in ours:
            np.testing.assert_allclose(ours[key], theirs[key], atol=1e-9)


@pytest.mark.parametrize("head,grows", [(0, True), (3, True), (15, True), (16, False), (20, False)])
def test_requeued_moves_the_waiting_bases_to_the_front(head: int, grows: bool) -> None:
    """In place when that frees half of the queue, else into arrays twice as large."""
    cap, k, d, words = 32, 3, 2, 1
    queue = kernel._queue(cap, k, d, words)
    for arr, scale in zip(queue, (1.0, 10.0, 100, 1000, 10000), strict=True):
        arr.reshape(cap, -1)[:] = (np.arange(cap)[:, None] * scale + np.arange(arr[0].size)).astype(arr.dtype)
    before = [arr[head:].copy() for arr in queue]
    state = np.zeros(8, dtype=np.int64)
    state[kernel._F], state[kernel._N] = head, cap
    moved = kernel._requeued(queue, state)
    assert state[kernel._F] == 0 and state[kernel._N] == cap - head
    assert len(moved[0]) == (2 * cap if grows else cap)
    for arr, old in zip(moved, before, strict=True):
        np.testing.assert_array_equal(arr[: cap - head], old)


_PAYOFFS = st.integers(-6, 6)


@st.composite
def _games_and_profiles(draw: st.DrawFn) -> tuple[dt.NormalFormGame, np.ndarray, np.ndarray]:
    m, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    a = np.array(draw(st.lists(_PAYOFFS, min_size=m * n, max_size=m * n))).reshape(m, n)
    b = np.array(draw(st.lists(_PAYOFFS, min_size=m * n, max_size=m * n))).reshape(m, n)
    game = dt.NormalFormGame([a, b])
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    xs, ys = rng.dirichlet(np.ones(m), 3), rng.dirichlet(np.ones(n), 3)
    xs[0], ys[0] = np.eye(m)[seed % m], np.eye(n)[seed % n]  # a pure profile too
    eqs = dt.solve(game, method="vertex_enumeration")
    if len(eqs):  # and the equilibria found
        xs = np.vstack([xs, [e.strategies[0] for e in eqs]])
        ys = np.vstack([ys, [e.strategies[1] for e in eqs]])
    return game, xs, ys


@settings(max_examples=60, deadline=None)
@given(_games_and_profiles())
def test_compiled_certificate_numbers_equal_certify_profile_by_profile(case) -> None:
    game, xs, ys = case
    certs = certify_bimatrix_profiles(game, xs, ys)
    assert certs.numbers.shape == (len(xs), 5)
    for k in range(len(xs)):
        one = dt.certify(game, [xs[k], ys[k]], "nash")
        cert = certs.certificate(k)
        assert cert.passed == one.passed == bool(certs.passed[k])
        assert cert.regret == pytest.approx(one.regret, abs=1e-12)
        assert cert.details["relative_regret"] == pytest.approx(one.details["relative_regret"], abs=1e-12)
        np.testing.assert_allclose(certs.payoffs[k], game.expected_payoffs([xs[k], ys[k]]), atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**16),
       st.sampled_from([1.0, 1e-30, 1e30, 1e300]), st.sampled_from([0.0, 1e12, -5e5]))
def test_two_player_payoff_scales_are_each_players_scale(m: int, n: int, seed: int, factor: float,
                                                         shift: float) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(-1000, 1001, (m, n)) * factor + shift
    b = rng.integers(-9, 10, (m, n)).astype(float)
    game = dt.NormalFormGame([a, b])
    assert payoff_scales(game) == tuple(player_scale(p) for p in game.payoffs)


def test_candidates_known_distinct_are_kept_without_comparing() -> None:
    xs = np.array([[0.5, 0.5], [0.5 + 1e-12, 0.5 - 1e-12]])
    ys = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert len(CandidateArrays((xs, ys)).distinct(1e-7)) == 1  # compared: within the tolerance
    known = CandidateArrays((xs, ys), distinct=True)
    assert known.distinct(1e-7) is known
    assert not known.take(np.array([0])).known_distinct  # a selection is compared again


def test_vertex_enumeration_marks_its_candidates_distinct_in_nondegenerate_games() -> None:
    from deterrence.solvers._dispatch import check_common, run_solver
    from deterrence.solvers.vertex_enumeration import SOLVER

    options = check_common(1e-8, False, 1e9)
    game = dt.NormalFormGame([np.array([[3, 0], [0, 2]]), np.array([[2, 0], [0, 3]])])
    raw = run_solver(SOLVER, game, options)
    assert isinstance(raw.candidates, CandidateArrays) and raw.candidates.known_distinct
    assert not raw.degenerate and len(raw.candidates) == 3
    degenerate = dt.NormalFormGame([np.array([[1, 1], [0, 2]]), np.array([[1, 1], [2, 0]])])
    raw = run_solver(SOLVER, degenerate, options)
    assert raw.degenerate and not raw.candidates.known_distinct
