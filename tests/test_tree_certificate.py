"""The compiled Nash regret of trees (``deterrence.certificates.nash_regret_on_scale``) against
the certificate's older paths, which stay as oracles: ``_root_regret`` (the same arithmetic on
per-game arrays built in Python: equal bit for bit), the Python walk of ``_tree_regret`` and,
without perfect recall, the pure-strategy enumeration it leaves to them."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_convert import random_games

import deterrence as dt
from deterrence.certificates import (
    _root_regret,
    _scaled_payoffs,
    _tree_regret,
    _TreeNumbers,
    nash_regret_on_scale,
)
from deterrence.game import ExtensiveFormGame, decision, terminal

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _profile(game: ExtensiveFormGame, seed: int, pure_share: float) -> list[np.ndarray]:
    """A random behaviour profile, some of its vectors pure (so that some nodes are never reached)."""
    rng = np.random.default_rng(seed)
    out = []
    for h in game.infosets:
        if rng.random() < pure_share:
            out.append(np.eye(len(h.actions))[rng.integers(len(h.actions))])
        else:
            out.append(rng.dirichlet(np.ones(len(h.actions))))
    return out


@SETTINGS
@given(game=random_games(players=(2, 3), max_nodes=40, max_depth=5), seed=st.integers(0, 2**32 - 1),
       pure_share=st.sampled_from([0.0, 0.5, 1.0]))
def test_compiled_regret_equals_the_older_paths(game: ExtensiveFormGame, seed: int,
                                                pure_share: float) -> None:
    beh = _profile(game, seed, pure_share)
    fast = nash_regret_on_scale(game, beh)
    assert fast is not None
    regret, units, ranges = fast
    scaled, old_units, old_ranges = _scaled_payoffs(game)
    old = _root_regret(game, beh, scaled)
    assert old is not None
    assert regret.tolist() == old.tolist()  # the same arithmetic in the same order
    assert units.tolist() == old_units.tolist() and ranges.tolist() == old_ranges.tolist()
    nums = _TreeNumbers(game, beh, False)
    nums.exact = True  # force the Python walk
    np.testing.assert_allclose(regret, _tree_regret(nums, [(game.root, 1.0)]), atol=1e-12)


@SETTINGS
@given(game=random_games(players=2, max_nodes=30, max_depth=5, perfect_recall=False),
       seed=st.integers(0, 2**32 - 1))
def test_compiled_regret_declines_exactly_the_games_without_perfect_recall(game: ExtensiveFormGame,
                                                                           seed: int) -> None:
    beh = _profile(game, seed, 0.3)
    fast = nash_regret_on_scale(game, beh)
    assert (fast is None) == (not game.has_perfect_recall())
    cert = dt.certify(game, beh)  # whichever path serves, the certificate is the walk's
    nums = _TreeNumbers(game, beh, False)
    nums.exact = True
    walk = _tree_regret(nums, [(game.root, 1.0)])
    np.testing.assert_allclose(cert.details["relative_regret"], (walk / nums.ranges).max(), atol=1e-12)


def test_absent_minded_player_is_declined() -> None:
    game = ExtensiveFormGame(decision("A", {
        "stop": terminal([1, 0]),
        "go": decision("A", {"stop": terminal([0, 1]), "go": terminal([2, 2])}, infoset="x"),
    }, infoset="x"), players=["A", "B"])
    assert nash_regret_on_scale(game, game.uniform_behaviour()) is None
