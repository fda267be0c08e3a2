"""The pure stage's shortcuts (:func:`deterrence.solvers.pbe._pure_verdicts`,
:mod:`deterrence.solvers._pbe_purebatch`): each gives what the longer way gives, with less work.

* one supporting belief per distinct (payoffs, action) at a set, not one per row;
* the profiles the batch rejects are left out of ``_pure_verdicts``' list (their behaviour
  profiles never built), the others kept in order with their rows and verdicts.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_pbe_purebatch import _aeg_games, _ctx, _profile

import deterrence as dt
from deterrence.solvers import _pbe_purebatch, pbe
from deterrence.solvers._pbe_purebatch import _Batch


def test_one_supporting_belief_per_distinct_payoffs_and_action(monkeypatch):
    """AEG under ``free``: the batch asks ``_supporting_belief`` once per distinct (payoffs,
    action) at a set; the verdicts are the same as ``_assess``'s (``test_pbe_purebatch``)."""
    calls: list[tuple[bytes, bytes]] = []
    original = _pbe_purebatch._supporting_belief

    def counted(q, sigma, mu0, tol):
        calls.append((q.tobytes(), sigma.tobytes()))
        return original(q, sigma, mu0, tol)

    monkeypatch.setattr(_pbe_purebatch, "_supporting_belief", counted)
    asked = distinct = 0
    orig_supporting = _Batch._supporting

    def per_set(self, k, idx):
        nonlocal asked, distinct
        calls.clear()
        orig_supporting(self, k, idx)
        asked += len(calls)
        distinct += len(set(calls))

    monkeypatch.setattr(_Batch, "_supporting", per_set)
    for game in _aeg_games(2, 11):
        dt.solve(game, "pbe", belief_policy="free")
    assert asked == distinct > 0


@pytest.mark.parametrize("policy", ["free", "d1"])
def test_pure_verdicts_leave_out_the_rejected_profiles(policy):
    """The batch's verdicts of the AEG's admitted pure profiles: ``_pure_verdicts`` lists those
    not rejected, in order, with their rows and behaviour profiles."""
    from deterrence.solvers._pbe_pruning import BeliefSupportPruner

    game = _aeg_games(1, 11)[0]
    ctx = _ctx(game, policy=policy)
    possible = [ctx.possible(k) for k in range(len(game.infosets))]
    allowed = ctx.table.allowed
    pure = [tuple((allowed[k][p],) for k, p in enumerate(pos)) for pos in ctx.table.positions.tolist()]
    pruner = BeliefSupportPruner(game, possible, ctx.tol, ctx.batch, ctx.kids)
    admitted = [p for p, ok in zip(pure, pruner.admits_all(pure), strict=True) if ok]
    rows = [ctx.table.rows(p, []).item() for p in admitted]
    verdicts = _pbe_purebatch.assess_rows(ctx, np.array(rows, dtype=np.int64))
    want = [r for r, v in zip(rows, verdicts, strict=True) if v is not None]
    got = pbe._pure_verdicts(ctx, admitted)
    assert len(want) < len(rows) and [row for _, row, _ in got] == want
    for beh, row, verdict in got:
        assert verdict is not None and type(row) is int
        assert [b.tobytes() for b in beh] == [b.tobytes() for b in _profile(ctx.table, row)]


def test_each_sets_payoffs_are_read_off_the_values_once():
    """``_Batch.q`` gives the same read-only array each time it is asked for a set."""
    game = _aeg_games(1, 11)[0]
    ctx = _ctx(game)
    b = _Batch(ctx, np.arange(40))
    for k in range(len(game.infosets)):
        q = b.q(k)
        assert q is b.q(k) and not q.flags.writeable
        want = ctx.table.values[np.arange(40)][:, ctx.kids[k], game.infosets[k].player]
        assert q.tobytes() == want.tobytes()


def test_d1_scores_once_per_distinct_inputs(monkeypatch):
    """AEG under ``d1``: within the scores of a set's last deviations, ``_profitable_share`` is
    asked (on three answers or more; fewer are worked out elementwise) once per distinct (answers'
    payoffs, payoff of the profile): rows share their continuations."""
    from deterrence.solvers import _pbe_batch_d1

    calls: list[tuple[bytes, float]] = []
    original = _pbe_batch_d1._profitable_share

    def counted(dev, ustar, tol):
        calls.append((dev.tobytes(), ustar))
        return original(dev, ustar, tol)

    monkeypatch.setattr(_pbe_batch_d1, "_profitable_share", counted)
    asked = distinct = 0
    orig_scores = _pbe_batch_d1._all_scores

    def per_call(*args):
        nonlocal asked, distinct
        calls.clear()
        out = orig_scores(*args)
        asked += len(calls)
        distinct += len(set(calls))
        return out

    monkeypatch.setattr(_pbe_batch_d1, "_all_scores", per_call)
    for game in _aeg_games(2, 11):
        dt.solve(game, "pbe", belief_policy="d1")
    assert asked == distinct > 0
