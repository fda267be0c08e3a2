"""The pure stage's shortcuts (:func:`deterrence.solvers.pbe._pure_verdicts`,
:mod:`deterrence.solvers._pbe_purebatch`): each gives what the longer way gives, with less work.

* the own beliefs carried forward for all rows and paths at once (``_path_plan``) are
  ``_carried``'s to the bit, on random paths of different lengths, several to a node;
* one supporting belief per distinct (payoffs, action) at a set, not one per row;
* the profiles the batch rejects are left out of ``_pure_verdicts``' list (their behaviour
  profiles never built), the others kept in order with their rows and verdicts.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.random_trees import random_tree
from test_pbe_purebatch import _aeg_games, _ctx, _profile

import deterrence as dt
from deterrence.solvers import _pbe_beliefs, _pbe_purebatch, pbe
from deterrence.solvers._pbe_beliefs import _carried, _last_own_moves
from deterrence.solvers._pbe_context import _REACH
from deterrence.solvers._pbe_purebatch import _Batch


@pytest.mark.parametrize("seed", range(6))
def test_carried_beliefs_of_all_paths_at_once_are_carried_to_the_bit(monkeypatch, seed):
    """Random paths (``_own_paths`` replaced: 0-3 nodes each, so padded; up to three to a target,
    so in layers), random edge probabilities and beliefs at the previous set (some 0, some
    products underflowing): ``_Batch.carried`` against ``_carried`` row by row, the weights'
    sum tested as ``_Beliefs._own_consistent`` tests it."""
    game = random_tree(2, 6, 0, recall=True)
    k = next(k for k, m in enumerate(_last_own_moves(game)) if m is not None)
    prev, act = _last_own_moves(game)[k]
    ctx = _ctx(game)
    rows = np.arange(len(ctx.table.reach))
    rng = np.random.default_rng(seed)
    n_prev, n_k = len(game.infosets[prev].nodes), len(game.infosets[k].nodes)
    compared = 0
    for _ in range(20):
        paths = [(int(rng.integers(n_prev)), int(rng.integers(n_k)),
                  rng.integers(len(game.nodes), size=int(rng.integers(4))).tolist())
                 for _ in range(int(rng.integers(1, 3 * n_k + 1)))]
        monkeypatch.setattr(_pbe_purebatch, "_own_paths", lambda *args, paths=paths: paths)
        monkeypatch.setattr(_pbe_beliefs, "_own_paths", lambda *args, paths=paths: paths)
        game.tree_cache.pop(("pbe_batch_path_plan", prev, act, k), None)
        b = _Batch(ctx, rows)
        b.edge = rng.random(b.edge.shape) ** rng.choice([1.0, 200.0], size=b.edge.shape)
        b.edge[rng.random(b.edge.shape) < 0.2] = 0.0
        mu_prev = rng.random((len(rows), n_prev))
        mu_prev[mu_prev < 0.3] = 0.0
        b.mu[prev] = mu_prev
        b.mu[k] = np.full((len(rows), n_k), np.nan)
        b.known[:, k] = False
        b.carried(k, np.ones(len(rows), dtype=bool))
        assert ("pbe_batch_path_plan", prev, act, k) in game.tree_cache  # (the paths as arrays)
        for r in rows.tolist():
            w = _carried(game, b.edge[r], prev, act, k, mu_prev[r])
            s = w.sum()
            assert b.known[r, k] == bool(s > _REACH), r
            if b.known[r, k]:
                assert b.mu[k][r].tobytes() == (w / s).tobytes(), r
                compared += 1
    game.tree_cache.pop(("pbe_batch_path_plan", prev, act, k), None)
    assert compared > 0


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
