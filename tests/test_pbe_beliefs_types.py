"""The PBE solver's D1 type weights read off the tree give what evaluating the profile gives.

* :func:`~deterrence.solvers._pbe_beliefs._type_unreached` (whether a D1 type of an indicator
  profile gets weight 0, from the paths) against what it replaced,
  ``_deviation_weights(ctx, ind, k, [type], [False]).sum() <= 0`` (the forced profile evaluated);
* :func:`~deterrence.solvers._pbe_beliefs._forced_reach` (the forced profile built flat) against
  the list-of-copies version it replaced (kept here as the oracle), to the bit, with the same
  cache key.

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

from deterrence.solvers._pbe_beliefs import (
    _deviation_groups,
    _deviation_weights,
    _forced_reach,
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
