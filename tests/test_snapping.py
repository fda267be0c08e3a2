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


def _odd_vector(rng: np.random.Generator):
    """A strategy or belief vector as a solver might give it: mostly float arrays (some with noise
    around 0), sometimes a list, a tuple, float32 or integers, an empty or a 2-d array, a scalar."""
    kind = int(rng.integers(12))
    v = rng.dirichlet(np.ones(int(rng.integers(1, 4))))
    if kind == 0:
        v[0] = rng.choice([3.7e-17, -2e-17, 0.0, -0.0])
    return [v, v, v, v, v, v, list(v), tuple(v), v.astype(np.float32), (v > 0.3).astype(np.int64),
            v[None, :], np.zeros(0) if kind == 11 else float(v[0])][kind]


def _one_by_one(cands):
    """``snapped`` of a list, candidate by candidate (the path without the test of the whole list)."""
    from deterrence._solve import _snapped_candidate

    return [_snapped_candidate(c) if isinstance(c, Candidate) and c.exact is None else c for c in cands]


def _same_candidates(got, want) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert type(a) is type(b)
        for x, y in [(a.strategies, b.strategies), (a.beliefs, b.beliefs)]:
            assert (x is None) == (y is None)
            if x is not None:
                assert type(x) is type(y) and len(x) == len(y)
                for u, w in zip(x, y, strict=True):
                    assert type(u) is type(w) and np.array_equal(np.asarray(u), np.asarray(w))


def test_snapped_list_is_the_candidates_one_by_one() -> None:
    from fractions import Fraction

    rng = np.random.default_rng(12)
    kept_all = 0
    for _ in range(400):
        plain = rng.random() < 0.6  # every vector a float array: the test of the whole list decides
        cands = []
        for _ in range(int(rng.integers(0, 6))):
            vec = (lambda: rng.dirichlet(np.ones(2))) if plain else (lambda: _odd_vector(rng))
            strategies = tuple(vec() for _ in range(int(rng.integers(1, 4))))
            beliefs = None if rng.random() < 0.3 else tuple(vec() for _ in range(2))
            if not plain and rng.random() < 0.2:
                strategies = list(strategies)
            exact = ((Fraction(1),),) if not plain and rng.random() < 0.1 else None
            cands.append(Candidate(strategies, beliefs=beliefs, exact=exact))
        got, want = snapped(cands, "pbe"), _one_by_one(cands)
        assert isinstance(got, list) and got is not cands
        same = [g is c for g, c in zip(got, cands, strict=True)]
        assert same == [w is c for w, c in zip(want, cands, strict=True)]
        _same_candidates(got, want)
        kept_all += all(same)
    assert kept_all > 100


def test_a_clean_list_is_told_at_once(monkeypatch) -> None:
    from deterrence import _solve

    cands = [Candidate((np.array([0.0, 1.0]), np.array([0.25, 0.75])), beliefs=(np.array([1.0, 0.0]),))
             for _ in range(5)]

    def refuse(c):
        raise AssertionError("a clean list is not worked through candidate by candidate")

    monkeypatch.setattr(_solve, "_snapped_candidate", refuse)
    out = snapped(cands, "pbe")
    assert all(a is b for a, b in zip(out, cands, strict=True))
    noisy = [*cands, Candidate((np.array([1e-17, 1.0]), np.array([0.5, 0.5])))]
    with pytest.raises(AssertionError, match="clean list"):
        snapped(noisy, "pbe")


def _flat_vector_by_vector(c):
    """A candidate's flat vector, each vector converted alone (the oracle of ``_dispatch._flat``)."""
    parts = [np.asarray(s, dtype=float).ravel() for s in c.strategies]
    if c.beliefs is not None:
        parts += [np.asarray(b, dtype=float).ravel() for b in c.beliefs]
    return np.concatenate(parts) if parts else np.zeros(0)


def test_flat_is_each_vector_converted_alone() -> None:
    import warnings
    from fractions import Fraction

    from deterrence.solvers._dispatch import _flat

    rng = np.random.default_rng(8)
    odd = [[Fraction(1, 3), Fraction(2, 3)], np.array(["0.5"]), np.array([1 + 0j]), np.array([[0.5], [0.5]]),
           np.array([0.5], dtype=np.longdouble) / 3, np.array([True, False]), 0.25, ()]
    for _ in range(500):
        vectors = [_odd_vector(rng) if rng.random() < 0.8 else odd[int(rng.integers(len(odd)))]
                   for _ in range(int(rng.integers(0, 5)))]
        cut = int(rng.integers(0, len(vectors) + 1))
        c = Candidate(tuple(vectors[:cut]), beliefs=None if rng.random() < 0.3 else tuple(vectors[cut:]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                want = _flat_vector_by_vector(c)
            except ValueError:
                with pytest.raises(ValueError):
                    _flat(c)
                continue
            got = _flat(c)
        assert got.dtype == want.dtype and got.shape == want.shape and got.tobytes() == want.tobytes()
