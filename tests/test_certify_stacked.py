"""The PBE certificates of many candidates taken as one stack (:mod:`deterrence.game._vectors`) and the
largest gains of every candidate sorted at once are those of the candidates one by one.

* :func:`deterrence.game._vectors.stacked` / :func:`~deterrence.game._vectors.float_vectors` on odd vectors;
* ``certificates._behaviours``: float profiles are stacked without ``check_behaviour`` and the
  distribution test runs on each row (a faulty row sends the batch one by one, which raises the
  first error in order); other profiles are checked one by one as before;
* ``certificates._keep_largest_rows`` against ``_keep_largest_row`` row by row (ties, NaN, signed
  zeros, more sets than details shown, a name twice).
"""

from __future__ import annotations

import numpy as np
import pytest

import deterrence as dt
from deterrence import _solve, certificates
from deterrence.errors import GameError
from deterrence.game._vectors import float_vectors, stacked
from deterrence.solvers import Candidate, SolveOptions


def test_stacked_takes_float_vectors_of_the_sizes_only():
    a, b = np.array([0.25, 0.75]), np.array([1.0])
    assert stacked([(a, b), [b * 0, a]], [2, 1]) is None  # sizes out of order
    assert stacked([(a, b), [a, b]], [2, 1]).tolist() == [[0.25, 0.75, 1.0]] * 2
    assert stacked([(a, b)], [2, 1]).flags.c_contiguous
    for odd in [(a, [1.0]), (a, b.astype(np.float32)), (a, b[None, :]), (a, np.array([1])), (a,), (a, b, b)]:
        assert stacked([(a, b), odd], [2, 1]) is None
    assert stacked([np.array([a, a])], [2, 2]) is None  # a 2-d array, not a list of vectors
    assert stacked([], [2]) is None and stacked([()], []) is None
    assert float_vectors([]) and float_vectors([a, b]) and not float_vectors([a, 1.0])
    assert not float_vectors([a, np.float64(1.0)]) and not float_vectors([a, np.zeros((1, 1))])


def _candidates(game, rng, n=5) -> list[Candidate]:
    return [Candidate(strategies=tuple(np.eye(len(h.actions))[rng.integers(len(h.actions))]
                                       for h in game.infosets),
                      beliefs=tuple(rng.dirichlet(np.ones(len(h.nodes))) for h in game.infosets))
            for _ in range(n)]


def test_float_profiles_are_stacked_without_check_behaviour(monkeypatch):
    game = dt.load_model("costly_signal_menu").game()
    cands = _candidates(game, np.random.default_rng(3))
    want = certificates._pbe_certificates(game, cands, 1e-8)
    with monkeypatch.context() as m:
        m.setattr(type(game), "check_behaviour", lambda *a, **k: pytest.fail("checked one by one"))
        got = certificates._pbe_certificates(game, cands, 1e-8)
    assert [repr(c) for c in got[0]] == [repr(c) for c in want[0]]
    assert got[1].tobytes() == want[1].tobytes()
    listed = [Candidate(strategies=[list(s) for s in c.strategies], beliefs=c.beliefs) for c in cands]
    seen = []
    real = type(game).check_behaviour
    with monkeypatch.context() as m:
        m.setattr(type(game), "check_behaviour", lambda self, *a, **k: seen.append(1) or real(self, *a, **k))
        again = certificates._pbe_certificates(game, listed, 1e-8)
    assert len(seen) == len(listed) and [repr(c) for c in again[0]] == [repr(c) for c in want[0]]


@pytest.mark.parametrize("fault", [1.1, -0.5, np.nan, np.inf])
def test_a_row_that_is_no_distribution_sends_the_batch_one_by_one(fault):
    game = dt.load_model("costly_signal_menu").game()
    cands = _candidates(game, np.random.default_rng(4))
    bad = list(cands[2].strategies)
    bad[1] = bad[1].copy()
    bad[1][0] = fault
    cands[2] = Candidate(strategies=tuple(bad), beliefs=cands[2].beliefs)
    assert certificates._pbe_certificates(game, cands, 1e-8) is None
    assert certificates._behaviours(game, cands, 1e-8) is None
    with pytest.raises(GameError, match="not a probability vector") as many:
        _solve.certify_and_wrap(game, cands[2:3], "pbe", SolveOptions(tol=1e-8))
    with pytest.raises(GameError) as alone:
        game.check_behaviour(list(bad), atol=1e-8)
    assert str(many.value) == str(alone.value)


def test_largest_gains_sorted_at_once_are_row_by_row():
    rng = np.random.default_rng(9)
    pool = [0.0, -0.0, 1e-9, 2.5, -1.0, np.nan, np.inf, 2.5]
    for _ in range(300):
        n_rows, n_keys = int(rng.integers(1, 5)), int(rng.integers(0, 2 * certificates._MAX_DETAILS))
        picks = rng.integers(len(pool), size=(n_rows, n_keys))
        table = np.where(rng.random((n_rows, n_keys)) < 0.5, np.array(pool)[picks],
                         rng.normal(size=(n_rows, n_keys)))
        keys = [f"set {i}" for i in range(n_keys)]
        if n_keys > 1 and rng.random() < 0.2:
            keys[-1] = keys[0]
        got = [{"first": 1.0} for _ in range(n_rows)]
        want = [{"first": 1.0} for _ in range(n_rows)]
        certificates._keep_largest_rows(got, keys, table)
        for d, row in zip(want, table, strict=True):
            certificates._keep_largest_row(d, keys, row)
        assert repr(got) == repr(want)
        assert [list(d) for d in got] == [list(d) for d in want]
