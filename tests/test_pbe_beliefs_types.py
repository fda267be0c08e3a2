"""The PBE solver's D1 type weights read off the tree give what evaluating the profile gives.

* :func:`~deterrence.solvers._pbe_beliefs._type_unreached` (whether a D1 type of an indicator
  profile gets weight 0, from the paths) against what it replaced,
  ``_deviation_weights(ctx, ind, k, [type], [False]).sum() <= 0`` (the forced profile evaluated);
* :func:`~deterrence.solvers._pbe_beliefs._forced_reach` (the forced profile built flat) against
  the list-of-copies version it replaced (kept here as the oracle), to the bit, with the same
  cache key; and :func:`~deterrence.solvers._pbe_beliefs._forced_reach_at` (the reach at a set's
  nodes, from the paths) against the same oracle at those nodes, to the bit;
* :func:`~deterrence.solvers._pbe_beliefs._kept_deviation_groups` given the profile as a function
  calls it only for groups not kept yet, and gives the groups of the profile itself;
* :func:`~deterrence.solvers._pbe_beliefs._br_actions_uncached` against its definition, action by
  action (best at some node within the tolerance, or optimal under some belief).

On catalogue models at seeded points (with Nature's zero-probability moves) and random
signalling trees, over random indicator profiles, random deviations and every D1 type.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.pbe_context import catalogue_games, solver_context
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pbe_patterns import signalling_trees

from deterrence.solvers import _pbe_beliefs
from deterrence.solvers._pbe_beliefs import (
    _br_actions_uncached,
    _deviation_groups,
    _deviation_weights,
    _forced_reach,
    _forced_reach_at,
    _kept_deviation_groups,
    _supporting_belief,
    _type_unreached,
)


def _indicator(game, rng) -> list[np.ndarray]:
    """A random indicator profile: a random nonempty support at every set, 1.0 on it."""
    ind = []
    for h in game.infosets:
        n = len(h.actions)
        b = (rng.random(n) < 0.5).astype(float)
        b[rng.integers(n)] = 1.0
        ind.append(b)
    return ind


def _random_devs(game, rng) -> list[tuple[int, int]]:
    sets = rng.choice(len(game.infosets), size=int(rng.integers(1, 4)), replace=False)
    return [(int(k), int(rng.integers(len(game.infosets[k].actions)))) for k in sets]


def _check_types(ctx, ind, rng) -> tuple[int, int]:
    """Compare the two on every D1 type of every set, and on random deviations; the count compared
    and how many of them are unreached."""
    game, n, zero = ctx.game, 0, 0
    for k, h in enumerate(game.infosets):
        types = [(devs, tuple(ps)) for devs, ps in _deviation_groups(game, ind, k).items()]
        types += [(tuple(_random_devs(game, rng)),
                   tuple(int(p) for p in rng.choice(len(h.nodes), size=int(rng.integers(1, len(h.nodes) + 1)),
                                                    replace=False)))]
        for t in types:
            old = bool(_deviation_weights(ctx, ind, k, [t], [False]).sum() <= 0)
            assert _type_unreached(ctx, ind, k, *t) == old, (k, t)
            n, zero = n + 1, zero + old
    return n, zero


def _old_forced_reach(ctx, beh, devs) -> tuple[np.ndarray, bytes]:
    """The replaced evaluation: the profile copied set by set, each deviation set's entry replaced."""
    forced = [x.copy() for x in beh]
    for iota, a in devs:
        forced[iota] = np.zeros(len(ctx.game.infosets[iota].actions))
        forced[iota][a] = 1.0
    return ctx.game.realization_probabilities(forced), np.concatenate(forced).tobytes()


def _check_forced(ctx, beh, devs) -> None:
    expected, key = _old_forced_reach(ctx, beh, devs)
    got = _forced_reach(ctx, beh, devs, None)
    assert np.array_equal(got, expected)
    assert key in ctx.cache and np.array_equal(ctx.cache[key], expected)
    for k, h in enumerate(ctx.game.infosets):  # at a set's nodes only: the same numbers, to the bit
        nodes = list(h.nodes)
        assert _forced_reach_at(ctx, beh, devs, None, nodes).tobytes() == expected[nodes].tobytes(), k


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store", "costly_signal_menu"])
def test_type_unreached_is_the_evaluated_weight_test(name):
    rng = np.random.default_rng(11)
    compared = unreached = 0
    for game in catalogue_games(name, 3, seed=7):
        ctx = solver_context(game, "d1")
        for _ in range(25):
            ind = _indicator(game, rng)
            n, zero = _check_types(ctx, ind, rng)
            compared, unreached = compared + n, unreached + zero
    assert compared > 100 and 0 < unreached < compared  # both answers occur


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store"])
def test_forced_reach_is_the_copied_profile_evaluated(name):
    rng = np.random.default_rng(12)
    for game in catalogue_games(name, 2, seed=7):
        ctx = solver_context(game, "d1")
        for _ in range(40):
            beh = [rng.dirichlet(np.ones(len(h.actions))) * (rng.random(len(h.actions)) < 0.8)
                   for h in game.infosets]  # mixed, with exact zeros
            _check_forced(ctx, beh, _random_devs(game, rng))
            _check_forced(ctx, _indicator(game, rng), _random_devs(game, rng))


@settings(max_examples=40, deadline=None)
@given(signalling_trees(), st.integers(0, 2**31 - 1))
def test_type_weights_on_random_signalling_trees(game, seed):
    rng = np.random.default_rng(seed)
    ctx = solver_context(game, "d1")
    for _ in range(5):
        ind = _indicator(game, rng)
        _check_types(ctx, ind, rng)
        _check_forced(ctx, ind, _random_devs(game, rng))


@pytest.mark.parametrize("name", ["asymmetric_escalation", "chain_store"])
def test_kept_groups_ask_for_the_profile_only_when_not_kept(name):
    rng = np.random.default_rng(13)
    game = catalogue_games(name, 1, seed=9)[0]
    game.tree_cache.pop("pbe_deviation_groups_on_paths", None)
    asked = []
    for _ in range(30):
        ind = _indicator(game, rng)
        zeros = np.concatenate(ind) <= _pbe_beliefs._REACH
        for k in range(len(game.infosets)):
            got = _kept_deviation_groups(game, lambda ind=ind: asked.append(1) or ind, k, zeros)
            assert got == _deviation_groups(game, ind, k)
    kept = len(game.tree_cache["pbe_deviation_groups_on_paths"])
    assert len(asked) == kept < 30 * len(game.infosets)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**31 - 1), st.sampled_from([0.0, 1e-9, 0.3]))
def test_br_actions_are_the_actions_best_somewhere_or_supported(nodes, actions, seed, tol):
    rng = np.random.default_rng(seed)
    q = rng.integers(-3, 4, (nodes, actions)).astype(float) + (rng.random((nodes, actions)) < 0.5) * 0.1
    mu0 = np.full(nodes, 1.0 / nodes)
    want = []
    for b in range(actions):
        e = np.zeros(actions)
        e[b] = 1.0
        if np.any(q[:, b] >= q.max(axis=1) - tol) or _supporting_belief(q, e, mu0, tol) is not None:
            want.append(b)
    assert _br_actions_uncached(q, tol) == tuple(want)
