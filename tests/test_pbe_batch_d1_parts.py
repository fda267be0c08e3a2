"""The parts of the batched D1 beliefs (:mod:`deterrence.solvers._pbe_batch_d1`) against what they
stand for, to the bit.

* :func:`~deterrence.solvers._pbe_batch_d1._shares` (the shares of many rows at once) against
  :func:`~deterrence.solvers._pbe_beliefs._profitable_share` row by row, on random deviation
  payoffs of one, two and three answers, with ties, near ties, signed zeros and large values;
* ``np.vecdot`` (the batch's dot products) against ``m @ x`` pair by pair, on unit-stride and
  strided vectors of two and four entries (a vector's stride decides how BLAS adds);
* :func:`~deterrence.solvers._pbe_batch_d1._answer_rows` against
  :meth:`~deterrence.solvers._pbe_table.PureTable.forced_row` action by action, and
  :func:`~deterrence.solvers._pbe_batch_d1._plays` against the path's moves tested one by one,
  on the pure tables of recorded AEG points.

The beliefs these parts make are compared with ``_Beliefs._d1``'s in ``tests/test_pbe_purebatch.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence import kernels
from deterrence.solvers import _pbe_batch_d1, _pbe_purebatch, pbe
from deterrence.solvers._pbe_beliefs import _path_moves, _profitable_share
from deterrence.solvers._pbe_context import _Ctx
from deterrence.solvers._pbe_table import PureTable
from deterrence.solvers._tree_utils import child_tables, prior_mass, undominated_actions

_VALUES = st.one_of(st.floats(-10, 10), st.sampled_from([0.0, -0.0, 1.0, 1.0 + 1e-16, 1e300, -1e300]))


def _payoffs(m: int) -> st.SearchStrategy:
    return st.lists(_VALUES, min_size=m, max_size=m)


def _one_by_one(dev: np.ndarray, ustar: np.ndarray, tol: float) -> np.ndarray:
    return np.array([_profitable_share(np.array(d), float(u), tol) for d, u in zip(dev, ustar, strict=True)])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 3).flatmap(lambda m: st.lists(st.tuples(_payoffs(m), _VALUES), min_size=1, max_size=8)),
       st.sampled_from([0.0, 1e-9, 1e-6]))
def test_shares_are_the_profitable_share_of_each_row(rows, tol):
    dev = np.array([d for d, _ in rows])
    ustar = np.array([u for _, u in rows])
    with np.errstate(over="ignore", invalid="ignore"):
        want = _one_by_one(dev, ustar, tol)
    got = _pbe_batch_d1._shares(dev, ustar, tol)
    assert got.tobytes() == want.tobytes()


def test_shares_on_ties_and_repeats():
    dev = np.array([[1.0, 1.0], [1.0, 1.0 + 1e-16], [2.0, 0.0], [0.0, 2.0], [-0.0, 0.0], [2.0, 0.0]])
    ustar = np.array([0.5, 1.0, 1.0, 1.0, 0.0, 1.0])
    assert _pbe_batch_d1._shares(dev, ustar, 0.0).tobytes() == _one_by_one(dev, ustar, 0.0).tobytes()
    three = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])  # (a repeated row: worked out once)
    u3 = np.array([2.0, 2.0, 2.5])
    assert _pbe_batch_d1._shares(three, u3, 1e-9).tobytes() == _one_by_one(three, u3, 1e-9).tobytes()


@pytest.mark.parametrize("n", [2, 4])
def test_vecdot_is_the_dot_of_each_pair(n):
    """The batch takes ``_d1``'s dot products with ``np.vecdot``: the same numbers as ``m @ x`` of
    the rows themselves, unit-stride or strided like the arrays the batch reads."""
    rng = np.random.default_rng(n)
    for rows in (1, 2, 7):
        mu = rng.dirichlet(np.ones(n), size=rows)
        values = rng.normal(0, 1e3, (rows, 30, 2)) * (rng.random((rows, 30, 2)) < 0.9)
        here = values[:, [3, 5, 8, 13][:n], 1]  # (strided for more than one row)
        want = np.array([float(m @ x) for m, x in zip(mu, here, strict=True)])
        assert np.vecdot(mu, here).tobytes() == want.tobytes()
        devs = values[:, :3 * n].reshape(rows, 3, 2 * n)[:, :, :n].copy()
        want = np.array([[float(m @ x) for x in d] for m, d in zip(mu, devs, strict=True)])
        assert np.vecdot(mu[:, None, :], devs).tobytes() == want.tobytes()


def _aeg_batches(n: int, seed: int):
    m = dt.load_model("asymmetric_escalation")
    pts = pd.DataFrame(kernels.domain_sample(m, n, seed=seed))
    for _, r in pts.iterrows():
        game = m.game(**{k: float(v) for k, v in r.items()})
        ctx = _Ctx(game=game, tol=1e-8, policy="d1", kids=child_tables(game), prior=prior_mass(game),
                   senders=pbe._sender_sets(game))
        ctx.table = PureTable(game, undominated_actions(game, 1e-8), ctx.batch, ctx.kids, ctx.prior)
        yield ctx, _pbe_purebatch._Batch(ctx, np.arange(len(ctx.table.reach)))


def test_answer_rows_are_the_forced_rows():
    for ctx, b in _aeg_batches(2, 3):
        table = ctx.table
        for k in range(len(ctx.game.infosets)):
            rows = np.asarray(b.rows)
            want = np.stack([table.forced_row(rows, [(k, x)]) for x in table.allowed[k]], axis=1)
            got = _pbe_batch_d1._answer_rows(b, k)
            assert got.dtype == want.dtype and np.array_equal(got, want)


def test_plays_are_the_path_moves_played():
    rng = np.random.default_rng(5)
    compared = 0
    for ctx, b in _aeg_batches(2, 4):
        game = ctx.game
        for v in range(len(game.nodes)):
            moves = _path_moves(game, v)
            for _ in range(3):
                sets = rng.choice(len(game.infosets), size=int(rng.integers(0, 3)), replace=False)
                devs = tuple((int(k), int(rng.integers(len(game.infosets[k].actions)))) for k in sets)
                got = _pbe_batch_d1._plays(b, v, devs)
                if moves is None:
                    assert got is None
                    continue
                forced = dict(devs)
                want = np.ones(len(b.rows), dtype=bool)
                for j, a in moves:
                    want &= (b.act[:, j] == a) if j not in forced else (forced[j] == a)
                assert np.array_equal(got, want)
                compared += 1
    assert compared > 100
