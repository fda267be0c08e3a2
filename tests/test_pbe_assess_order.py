"""The PBE solver's verdicts do not depend on the order of its tests.

* ``pbe._assess`` (the carried-belief test :func:`~deterrence.solvers.pbe._carried_rejects` run
  before any off-path policy belief) against the index-order version it replaced
  (``tests/helpers/assess_oracle.py``): the same verdict, the same beliefs to the bit and the same
  reason, on the profiles a solve of ``asymmetric_escalation`` assesses (policies ``d1`` and
  ``free``) and on random profiles (mixed, with exact zeros) of catalogue models and random
  signalling trees under every policy;
* :meth:`_Beliefs.carried_belief` is the belief :meth:`_Beliefs.belief` gives;
* :func:`~deterrence.solvers._pbe_beliefs._kept_deviation_groups` (kept by the profile's zero
  pattern, across games sharing a tree) against :func:`_deviation_groups`, with Nature's
  zero-probability moves changing between the games.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers.assess_oracle import assess_in_index_order
from helpers.pbe_context import catalogue_games, solver_context
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees

import deterrence as dt
from deterrence import kernels
from deterrence.solvers import pbe
from deterrence.solvers._pbe_beliefs import _Beliefs, _deviation_groups, _kept_deviation_groups
from deterrence.solvers._pbe_purebatch import FALLBACK
from deterrence.solvers._pbe_rootscreen import UNDECIDED


def _profile(game, rng) -> list[np.ndarray]:
    """A random profile: pure at some sets, mixed with exact zeros at others."""
    out = []
    for h in game.infosets:
        n = len(h.actions)
        if rng.random() < 0.5:
            b = np.zeros(n)
            b[rng.integers(n)] = 1.0
        else:
            b = rng.dirichlet(np.ones(n)) * (rng.random(n) < 0.7)
            if b.sum() <= 0:
                b[rng.integers(n)] = 1.0
            b = b / b.sum()
        out.append(b)
    return out


def _same(ctx, beh, row=None) -> bool:
    """Compare the two verdicts; whether it is a rejection."""
    got, want = pbe._assess(ctx, beh, row), assess_in_index_order(ctx, beh, row)
    assert (got is None) == (want is None)
    if got is None:
        return True
    assert got.loose == want.loose
    assert len(got.beliefs) == len(want.beliefs)
    for a, b in zip(got.beliefs, want.beliefs, strict=True):
        assert a.tobytes() == b.tobytes()
    return False


def _carried_agrees(ctx, beh) -> bool:
    """:meth:`_Beliefs.carried_belief` against :meth:`_Beliefs.belief` on a fresh profile; whether
    some set had a carried belief."""
    game = ctx.game
    carried = _Beliefs(ctx, beh)
    full = _Beliefs(ctx, beh)
    found = False
    for k in range(len(game.infosets)):
        if carried.on_path[k]:
            continue
        mu = carried.carried_belief(k)
        if mu is not None:
            found = True
            want = full.belief(k)
            assert want is not None and mu.tobytes() == want.tobytes()
            assert k in full.fixed and k in carried.fixed
    return found


@pytest.mark.parametrize("policy", ["d1", "free"])
def test_assess_on_recorded_escalation_profiles(policy, monkeypatch):
    m = dt.load_model("asymmetric_escalation")
    pts = pd.DataFrame(kernels.domain_sample(m, 3, seed=11))
    recorded = []
    real = pbe._assess

    def record(ctx, beh, row=None, on_path_passed=False):
        recorded.append((ctx, [b.copy() for b in beh], row))
        assert not on_path_passed  # (nothing screened)
        return real(ctx, beh, row)

    monkeypatch.setattr(pbe, "_assess", record)
    # every pure profile through ``_assess`` (not the batch of ``_pbe_purebatch``, which
    # ``tests/test_pbe_purebatch.py`` compares with ``_assess``), and every mixed one (not the screen
    # of ``_pbe_rootscreen``, which ``tests/test_pbe_rootscreen.py`` compares with ``_assess``)
    monkeypatch.setattr(pbe, "assess_rows", lambda ctx, rows: [FALLBACK] * len(rows))
    monkeypatch.setattr(pbe, "onpath_verdicts", lambda ctx, behs: [UNDECIDED] * len(behs))
    for _, r in pts.iterrows():
        dt.solve(m.game(**{k: float(v) for k, v in r.items()}), "pbe", belief_policy=policy)
    monkeypatch.undo()
    carried = sum(pbe._carried_rejects(ctx, _Beliefs(ctx, beh, row), beh) for ctx, beh, row in recorded)
    rejected = sum(_same(ctx, beh, row) for ctx, beh, row in recorded)
    assert len(recorded) > 100 and 0 < carried < rejected < len(recorded)


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store", "costly_signal_menu"])
def test_assess_on_random_profiles(name):
    rng = np.random.default_rng(3)
    carried = 0
    for game in catalogue_games(name, 2, seed=5):
        for policy in ("d1", "free", "prior"):
            ctx = solver_context(game, policy)
            for _ in range(30):
                beh = _profile(game, rng)
                _same(ctx, beh)
                carried += _carried_agrees(ctx, beh)
    assert carried > 0


@settings(max_examples=40, deadline=None)
@given(signalling_trees(), st.integers(0, 2**31 - 1))
def test_assess_on_random_signalling_trees(game, seed):
    rng = np.random.default_rng(seed)
    for policy in ("d1", "free", "prior"):
        ctx = solver_context(game, policy)
        for _ in range(5):
            beh = _profile(game, rng)
            _same(ctx, beh)
            _carried_agrees(ctx, beh)


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store", "costly_signal_menu"])
def test_kept_deviation_groups_are_the_groups(name):
    rng = np.random.default_rng(4)
    games = catalogue_games(name, 2, seed=5)
    assert all(g.tree_cache is games[0].tree_cache for g in games)  # one cache for the tree
    for _ in range(40):
        beh = _profile(games[0], rng)  # one profile for every game: the same keys
        for game in games:
            zeros = _Beliefs(solver_context(game, "d1"), beh).zeros()
            for k in range(len(game.infosets)):
                assert _kept_deviation_groups(game, beh, k, zeros) == _deviation_groups(game, beh, k)


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store", "costly_signal_menu"])
def test_deviation_groups_read_only_the_moves_on_the_paths_to_the_set(name):
    """The groups' key reads the profile's zeros at ``_path_actions`` alone: a profile changed
    anywhere else has the same groups."""
    from deterrence.solvers._pbe_beliefs import _path_actions

    rng = np.random.default_rng(6)
    game = catalogue_games(name, 1, seed=7)[0]
    offsets = game._action_offset
    for _ in range(30):
        beh = _profile(game, rng)
        for k in range(len(game.infosets)):
            on_paths = set(_path_actions(game, k).tolist())
            other = [b.copy() for b in beh]
            for j, b in enumerate(other):
                for a in range(len(b)):
                    if int(offsets[j]) + a not in on_paths:
                        b[a] = float(rng.random() < 0.5)
            assert _deviation_groups(game, other, k) == _deviation_groups(game, beh, k)
            zeros = [_Beliefs(solver_context(game, "d1"), b).zeros() for b in (beh, other)]
            assert zeros[0][_path_actions(game, k)].tobytes() == zeros[1][_path_actions(game, k)].tobytes()


def _sets_in_a_circle() -> dt.ExtensiveFormGame:
    """Nature picks who moves first; each player's one information set spans both orders (neither
    sees the other's move), so each set has a node above a node of the other."""
    from deterrence.game import chance, decision, terminal

    def second(player: str, infoset: str, base: float) -> object:
        return decision(player, {"l": terminal([base, 1.0]), "r": terminal([0.0, base])}, infoset=infoset)

    first_a = decision("A", {"l": second("B", "b", 1.0), "r": second("B", "b", 2.0)}, infoset="a")
    first_b = decision("B", {"l": second("A", "a", 3.0), "r": second("A", "a", 0.5)}, infoset="b")
    return dt.ExtensiveFormGame(chance({"a first": (0.5, first_a), "b first": (0.5, first_b)}),
                                players=["A", "B"])


def test_unreached_sets_are_tried_last_rejecting_first_only_without_a_circle(monkeypatch):
    """``pbe._offpath_rejects``: on the AEG the set that rejected a profile moves to the front of the
    order (and the verdicts stay the index-order oracle's: the tests above); on a tree whose sets are
    above one another in a circle it decides nothing (the loop in set order does)."""
    game = catalogue_games("asymmetric_escalation", 1, seed=2)[0]
    assert pbe._sets_in_order(game)
    contexts = []
    real = pbe._assess

    def record(ctx, beh, row=None, on_path_passed=False):
        contexts.append(ctx)
        return real(ctx, beh, row, on_path_passed)

    monkeypatch.setattr(pbe, "_assess", record)
    dt.solve(game, "pbe", belief_policy="d1")
    monkeypatch.undo()
    order = contexts[0].offpath_order
    assert sorted(order) == list(range(len(game.infosets))) and order != sorted(order)
    circle = _sets_in_a_circle()
    assert not pbe._sets_in_order(circle)
    ctx = solver_context(circle, "d1")
    beh = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    assert not pbe._offpath_rejects(ctx, _Beliefs(ctx, beh), beh) and ctx.offpath_order == []
