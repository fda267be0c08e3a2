"""The pure profiles assessed together (:func:`deterrence.solvers._pbe_purebatch.assess_rows`) get
``pbe._assess``'s verdicts to the bit: the same rejections, every belief's float, the same loose note.

Oracle: ``pbe._assess(ctx, beh, row)``, the per-profile path (which the solver still takes for
the rows the batch leaves), under ``free``, ``prior`` and ``d1``, on every row
of the pure table of recorded AEG points, catalogue models, random trees (perfect recall or not) and random
signalling trees; and whole solves with the batch against solves with every row left to
``_assess``.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.random_trees import random_tree
from helpers.samples import points
from hypothesis import given, settings
from test_pbe_patterns import signalling_trees

import deterrence as dt
from deterrence.solvers import _pbe_purebatch, pbe
from deterrence.solvers._pbe_context import _Ctx
from deterrence.solvers._pbe_purebatch import FALLBACK, assess_rows
from deterrence.solvers._pbe_table import PureTable
from deterrence.solvers._tree_utils import child_tables, prior_mass, undominated_actions


def _ctx(game, tol: float = 1e-8, policy: str = "free") -> _Ctx:
    ctx = _Ctx(game=game, tol=tol, policy=policy, kids=child_tables(game), prior=prior_mass(game),
               senders=pbe._sender_sets(game))
    ctx.table = PureTable(game, undominated_actions(game, tol), ctx.batch, ctx.kids, ctx.prior)
    return ctx


def _profile(table: PureTable, row: int) -> list[np.ndarray]:
    beh = [np.zeros(len(h.actions)) for h in table.game.infosets]
    for k, p in enumerate(table.positions[row].tolist()):
        beh[k][table.allowed[k][p]] = 1.0
    return beh


def _oracle(v) -> object:
    return None if v is None else ([(b.shape, b.tobytes()) for b in v.beliefs], v.loose)


def _batch(v) -> object:
    return None if v is None else ([(b.shape, b.tobytes()) for b in map(np.asarray, v[0])], v[1])


def _compare(game, tol: float = 1e-8, rows=None, policy: str = "free") -> tuple[int, int, int]:
    """Batch against ``_assess`` on ``rows`` (all by default): (rows compared, accepted, left to
    ``_assess``)."""
    ctx = _ctx(game, tol, policy)
    rows = np.arange(len(ctx.table.reach)) if rows is None else np.asarray(rows, dtype=np.int64)
    got = assess_rows(ctx, rows)
    accepted = fallback = 0
    for row, v in zip(rows.tolist(), got, strict=True):
        if v is FALLBACK:
            fallback += 1
            continue
        want = pbe._assess(ctx, _profile(ctx.table, row), row)
        assert _batch(v) == _oracle(want), row
        accepted += want is not None
    return len(rows), accepted, fallback


def _aeg_games(n: int, seed: int):
    m = dt.load_model("asymmetric_escalation")
    return [m.game(**values) for values in points("asymmetric_escalation", n, seed)]


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
@pytest.mark.parametrize("seed", [4, 11])
def test_aeg_rows_get_assess_verdicts_to_the_bit(seed, policy):
    """Every row of the AEG's pure table at recorded points; none left to ``_assess``."""
    for game in _aeg_games(3, seed):
        n, accepted, fallback = _compare(game, policy=policy)
        assert n > 100 and fallback == 0 and (accepted > 10 or policy != "free")


@pytest.mark.parametrize("name", ["costly_signal_pledge", "chain_store", "costly_signal_menu",
                                  "rudimentary_asymmetric_deterrence",
                                  "extended_deterrence", "tripartite_crisis"])
@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_catalogue_rows_get_assess_verdicts_to_the_bit(name, policy):
    game = dt.load_model(name).game()
    n_rows = len(_ctx(game).table.reach)
    rows = np.random.default_rng(0).choice(n_rows, size=min(400, n_rows), replace=False)
    _compare(game, rows=sorted(rows.tolist()), policy=policy)


@pytest.mark.parametrize("recall", [True, False])
@pytest.mark.parametrize("seed", range(8))
def test_random_tree_rows_get_assess_verdicts_to_the_bit(seed, recall):
    """Integer payoffs: exact ties at many sets (the tests' margins and their fall-backs)."""
    game = random_tree(2 + seed % 2, 4 + seed % 5, seed, recall=recall)
    n_rows = len(_ctx(game).table.reach)
    rng = np.random.default_rng(seed)
    rows = sorted(rng.choice(n_rows, size=min(300, n_rows), replace=False).tolist())
    for tol in (1e-8, 0.0):
        for policy in ("free", "prior", "d1"):
            _compare(game, tol, rows, policy)


@settings(max_examples=40, deadline=None)
@given(signalling_trees())
def test_random_signalling_tree_rows_get_assess_verdicts_to_the_bit(game):
    for tol in (1e-8, 0.0):
        for policy in ("free", "prior", "d1"):
            _compare(game, tol, policy=policy)


def test_deep_trees_are_left_to_assess():
    game = dt.load_model("chain_store").game()
    ctx = _ctx(game)
    game.__dict__["_deep"] = True
    try:
        assert assess_rows(ctx, np.arange(3)) == [FALLBACK] * 3
    finally:
        game.__dict__["_deep"] = False


def test_two_node_closed_form_is_supporting_belief():
    """The closed form on two nodes, vectorised, against ``_supporting_belief`` on random gaps
    (Nature's odds failing), small integers for ties and floats."""
    from deterrence.solvers._pbe_beliefs import _supporting_belief

    rng = np.random.default_rng(0)
    game = random_tree(2, 5, 0)
    ctx = _ctx(game)
    checked = 0
    for trial in range(400):
        n_act = int(rng.integers(2, 4))
        q = rng.integers(-3, 4, size=(2, n_act)).astype(float) if trial % 2 else rng.normal(size=(2, n_act))
        a = int(rng.integers(n_act))
        mu0 = np.array([p := float(rng.uniform(0.05, 0.95)), 1.0 - p])
        sigma = np.zeros(n_act)
        sigma[a] = 1.0
        want = _supporting_belief(q, sigma, mu0, 1e-8)
        if want is mu0:
            continue
        b = _pbe_purebatch._Batch.__new__(_pbe_purebatch._Batch)
        b.ctx, b.alive, b.fallback = ctx, np.ones(1, dtype=bool), np.zeros(1, dtype=bool)
        b.mu, b.known = [np.full((1, 2), np.nan)], np.zeros((1, 1), dtype=bool)
        gap = (q @ sigma)[:, None] - q
        b._two_nodes(0, np.array([0]), np.ones(2, dtype=bool), gap[None], float(mu0[0]))
        if b.fallback[0]:
            continue
        if want is None:
            assert not b.alive[0]
        else:
            assert b.known[0, 0] and b.mu[0][0].tobytes() == want.tobytes()
        checked += 1
    assert checked > 200


def _solve(game, batch: bool, monkeypatch, policy: str = "free"):
    if not batch:
        monkeypatch.setattr(pbe, "assess_rows", lambda ctx, rows: [FALLBACK] * len(rows))
    try:
        return dt.solve(game, "pbe", belief_policy=policy)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_aeg_solves_are_the_same_with_and_without_the_batch(monkeypatch, policy):
    """Candidates in the same order, the same beliefs, labels and notes."""
    for game in _aeg_games(2, 11):
        with_batch = _solve(game, True, monkeypatch, policy)
        without = _solve(game, False, monkeypatch, policy)
        assert len(with_batch.equilibria) == len(without.equilibria) > 0
        assert repr(with_batch.equilibria) == repr(without.equilibria)
        assert with_batch.notes == without.notes


def test_a_few_pure_profiles_are_assessed_one_by_one(monkeypatch):
    """Below ``MIN_BATCH_ROWS`` admitted pure profiles the batch's fixed cost is not worth it
    (chain store: one to five per point); with the threshold at 1 the batch gives the same result."""
    game = dt.load_model("chain_store").game()

    def refuse(ctx, rows):
        raise AssertionError(f"batch run on {len(rows)} rows")

    monkeypatch.setattr(pbe, "assess_rows", refuse)
    alone = dt.solve(game, "pbe", belief_policy="free")
    monkeypatch.undo()
    monkeypatch.setattr(pbe, "MIN_BATCH_ROWS", 1)
    together = dt.solve(game, "pbe", belief_policy="free")
    assert len(alone.equilibria) == len(together.equilibria) > 0
    assert repr(alone.equilibria) == repr(together.equilibria) and alone.notes == together.notes


def _d1_beliefs_checked(game, tol: float = 1e-8) -> int:
    """Every belief the batch worked out under ``d1`` (D1, carried or on the path) against
    ``_Beliefs.belief`` of the row's profile, to the bit; the number compared off the path."""
    from deterrence.solvers._pbe_beliefs import _Beliefs

    ctx = _ctx(game, tol, "d1")
    rows = np.arange(len(ctx.table.reach))
    b = _pbe_purebatch._Batch(ctx, rows)
    try:
        _pbe_purebatch._assess_batch(ctx, b)
    except _pbe_purebatch._Unbatched:
        return 0
    checked = 0
    for r in rows.tolist():
        bel = _Beliefs(ctx, _profile(ctx.table, r), r)
        for k in np.flatnonzero(b.known[r]).tolist():
            want = bel.belief(k)
            assert want is not None, (r, k)
            assert b.mu[k][r].tobytes() == np.asarray(want, dtype=float).tobytes(), (r, k)
            checked += not b.on_path[r, k]
    return checked


def test_aeg_d1_beliefs_are_the_profile_by_profile_beliefs_to_the_bit():
    assert sum(_d1_beliefs_checked(game) for game in _aeg_games(3, 5)) > 300


@pytest.mark.parametrize("seed", range(6))
def test_random_tree_d1_beliefs_are_the_profile_by_profile_beliefs_to_the_bit(seed):
    game = random_tree(2 + seed % 2, 4 + seed % 5, seed, recall=True)
    for tol in (1e-8, 0.0):
        _d1_beliefs_checked(game, tol)


@settings(max_examples=30, deadline=None)
@given(signalling_trees())
def test_random_signalling_tree_d1_beliefs_are_the_profile_by_profile_beliefs_to_the_bit(game):
    _d1_beliefs_checked(game)
