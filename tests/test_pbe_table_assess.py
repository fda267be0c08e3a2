"""Pure profiles assessed from the PBE solver's pure table
(:meth:`PureTable.evaluated <deterrence.solvers._pbe_table.PureTable.evaluated>`) get the numbers
the game's own methods give, to the bit, and the same verdicts and beliefs.

Oracles: ``game.realization_probabilities``, ``game.edge_probabilities`` and
``game.node_values`` of each row's profile (the methods ``pbe._assess`` calls without the
table), on the AEG at sampled points, the catalogue's signalling models, random trees (chance
moves anywhere, imperfect recall too) and random signalling trees; and ``pbe._assess`` without
the row, under every policy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers.random_trees import random_tree
from hypothesis import given, settings
from test_pbe_patterns import signalling_trees

import deterrence as dt
from deterrence import kernels
from deterrence.solvers import pbe
from deterrence.solvers._pbe_context import _Ctx
from deterrence.solvers._pbe_table import PureTable
from deterrence.solvers._tree_utils import child_tables, prior_mass, undominated_actions


def _ctx(game, policy="free") -> _Ctx:
    ctx = _Ctx(game=game, tol=1e-8, policy=policy, kids=child_tables(game), prior=prior_mass(game),
               senders=pbe._sender_sets(game))
    allowed = undominated_actions(game, 1e-8)
    ctx.table = PureTable(game, allowed, ctx.batch, ctx.kids, ctx.prior)
    return ctx


def _profile(game, table, row) -> list[np.ndarray]:
    beh = [np.zeros(len(h.actions)) for h in game.infosets]
    for k, p in enumerate(table.positions[row].tolist()):
        beh[k][table.allowed[k][p]] = 1.0
    return beh


def _same_bits(a, b) -> None:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape and a.tobytes() == b.tobytes()


def _check_rows(game, rows=None) -> int:
    table = _ctx(game).table
    rows = range(len(table.reach)) if rows is None else rows
    for row in rows:
        beh = _profile(game, table, row)
        reach, edge, values = table.evaluated(row)
        _same_bits(reach, game.realization_probabilities(beh))
        _same_bits(edge, game.edge_probabilities(beh))
        _same_bits(values, game.node_values(beh))
    return len(rows)


def _aeg_games(n: int, seed: int):
    m = dt.load_model("asymmetric_escalation")
    pts = pd.DataFrame(kernels.domain_sample(m, n, seed=seed))
    return [m.game(**{k: float(v) for k, v in r.items()}) for _, r in pts.iterrows()]


def test_aeg_rows_are_the_games_numbers_to_the_bit():
    for game in _aeg_games(3, 11):
        assert _check_rows(game) > 100


@pytest.mark.parametrize("name", ["costly_signal_pledge", "chain_store", "costly_signal_menu",
                                  "rudimentary_asymmetric_deterrence"])
def test_catalogue_rows_are_the_games_numbers_to_the_bit(name):
    _check_rows(dt.load_model(name).game())


@pytest.mark.parametrize("recall", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_random_tree_rows_are_the_games_numbers_to_the_bit(seed, recall):
    game = random_tree(2 + seed % 2, 4 + seed % 4, seed, recall=recall)
    table = _ctx(game).table
    rng = np.random.default_rng(seed)
    _check_rows(game, sorted(rng.choice(len(table.reach), size=min(200, len(table.reach)), replace=False)))


@settings(max_examples=20, deadline=None)
@given(signalling_trees())
def test_random_signalling_tree_rows_are_the_games_numbers_to_the_bit(game):
    _check_rows(game)


def test_deep_trees_are_not_read_off_the_table():
    """On a deep, narrow tree ``node_values`` folds in node order: the table gives nothing."""
    game = dt.load_model("chain_store").game()
    table = _ctx(game).table
    game.__dict__["_deep"] = True
    try:
        assert table.evaluated(0) is None
    finally:
        game.__dict__["_deep"] = False


def _verdict(v):
    return None if v is None else ([b.tobytes() for b in v.beliefs], v.loose)


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_aeg_pure_profiles_get_the_same_verdicts_from_the_table(policy):
    """``_assess`` with the row (numbers read off the table) and without any table (the game's
    methods), to the bit, under every policy."""
    kept = 0
    for game in _aeg_games(2, 4):
        ctx, plain = _ctx(game, policy), _ctx(game, policy)
        plain.table = None
        for row in range(len(ctx.table.reach)):
            beh = _profile(game, ctx.table, row)
            with_row, without = pbe._assess(ctx, beh, row), pbe._assess(plain, beh)
            assert _verdict(with_row) == _verdict(without)
            kept += with_row is not None
    assert kept > 0


@pytest.mark.parametrize("seed", range(4))
def test_answer_values_are_the_games_node_values_to_the_bit(seed):
    """The row with an answer forced at a set is the profile under its edge probabilities with the
    answer's at the set's edges (what the D1 scores evaluate), on random trees and the AEG."""
    games = [random_tree(2, 5 + seed, seed), *_aeg_games(1, seed)]
    rng = np.random.default_rng(seed)
    for game in games:
        ctx = _ctx(game)
        table = ctx.table
        for row in rng.choice(len(table.reach), size=min(60, len(table.reach)), replace=False).tolist():
            beh = _profile(game, table, row)
            edge = game.edge_probabilities(beh)
            for k, h in enumerate(game.infosets):
                for b in range(len(h.actions)):
                    got = table.answer_values(row, k, b)
                    if b not in table.allowed[k]:
                        assert got is None
                        continue
                    alt = edge.copy()
                    alt[ctx.kids[k]] = 0.0
                    alt[ctx.kids[k][:, b]] = 1.0
                    _same_bits(got, game.node_values(beh, alt))
