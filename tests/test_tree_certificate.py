"""The compiled Nash regret of trees (``deterrence.certificates.nash_regret_on_scale``) against
the certificate's older paths, kept here as oracles: ``_root_regret`` (the certificate's former
compiled path, moved here from ``deterrence/certificates.py`` when the new pass replaced it: the
same arithmetic on per-game arrays built in Python, equal bit for bit), the Python walk of
``_tree_regret`` and, without perfect recall, the pure-strategy enumeration it leaves to them."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_convert import random_games

import deterrence as dt
from deterrence._jit import njit
from deterrence.certificates import (
    _scaled_payoffs,
    _tree_regret,
    _TreeNumbers,
    nash_regret_on_scale,
)
from deterrence.game import ExtensiveFormGame, decision, terminal


# ------------------------------------------------ the oracle: the certificate's former compiled path
@dataclass(frozen=True)
class _TreeArrays:
    """A game's tree as flat arrays for :func:`_root_regret_kernel` (built once per game object)."""

    parent: np.ndarray  # per node (preorder), -1 at the root
    owner: np.ndarray  # player moving on the edge into the node, -1 for chance edges and the root
    edge_flat: np.ndarray  # flat action index of a decision edge into the node, -1 otherwise
    chance_prob: np.ndarray  # chance probability of the edge into the node (1 otherwise)
    terminals: np.ndarray  # terminal nodes (rows of game.payoffs)
    set_player: np.ndarray  # per information set
    set_offset: np.ndarray  # flat index of each set's first action; the last entry is the total
    set_nodes: np.ndarray  # member nodes of every set, set after set
    set_start: np.ndarray  # where each set's members start in set_nodes; last entry: the total


_TREE_ARRAYS: weakref.WeakKeyDictionary[ExtensiveFormGame, _TreeArrays] = weakref.WeakKeyDictionary()


def _tree_arrays(game: ExtensiveFormGame) -> _TreeArrays:
    arrays = _TREE_ARRAYS.get(game)
    if arrays is None:
        sets = game.infosets
        set_player = np.array([h.player for h in sets], dtype=np.int64)
        edge_set = np.asarray(game._edge_infoset, dtype=np.int64)  # the parent's set on decision edges
        owner = np.where(edge_set >= 0, set_player[np.maximum(edge_set, 0)], -1) if len(sets) else edge_set
        sizes = [len(h.nodes) for h in sets]
        arrays = _TREE_ARRAYS[game] = _TreeArrays(
            parent=np.asarray(game._parent, dtype=np.int64), owner=owner,
            edge_flat=np.asarray(game._edge_flat, dtype=np.int64), chance_prob=np.asarray(game._chance_prob),
            terminals=np.asarray(game.terminals, dtype=np.int64), set_player=set_player,
            set_offset=np.asarray(game._action_offset, dtype=np.int64),
            set_nodes=np.fromiter(chain.from_iterable(h.nodes for h in sets), dtype=np.int64,
                                  count=sum(sizes)),
            set_start=np.cumsum([0, *sizes]).astype(np.int64),
        )
    return arrays


@njit
def _reach_and_last(parent: np.ndarray, owner: np.ndarray, edge_flat: np.ndarray, chance_prob: np.ndarray,
                    beh: np.ndarray, n_players: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per node: the probability of reaching it, the same without each player's own moves
    ``(nodes, N)``, and each player's last own move (flat action, -1: none) ``(nodes, N)``."""
    n = parent.shape[0]
    reach = np.ones(n)
    others = np.ones((n, n_players))
    last = np.full((n, n_players), -1, dtype=np.int64)
    for v in range(1, n):
        p = parent[v]
        j = owner[v]
        prob = beh[edge_flat[v]] if j >= 0 else chance_prob[v]
        reach[v] = reach[p] * prob
        for i in range(n_players):
            others[v, i] = others[p, i] * (prob if i != j else 1.0)
            last[v, i] = last[p, i]
        if j >= 0:
            last[v, j] = edge_flat[v]
    return reach, others, last


@njit
def _root_regret_kernel(t: tuple, beh: np.ndarray, payoffs: np.ndarray) -> tuple[np.ndarray, bool]:
    """Each player's largest gain from a deviation at the root, and whether recall is perfect.

    With perfect recall the best response is a backward induction over the player's own
    sequences: the payoff of the other players' and chance's moves is summed by the player's
    last own move at each terminal node, then, from the last information set to the first,
    each set adds its best action's value to the sequence that leads to it. (Without perfect
    recall this is not valid: ``ok`` is False and the caller enumerates.)
    """
    parent, owner, edge_flat, chance_prob, terminals, set_player, set_offset, set_nodes, set_start = t
    n_players = payoffs.shape[1]
    reach, others, last = _reach_and_last(parent, owner, edge_flat, chance_prob, beh, n_players)
    n_flat = set_offset[set_offset.shape[0] - 1]
    out = np.zeros(n_players)
    for i in range(n_players):
        for h in range(set_player.shape[0]):
            if set_player[h] == i:
                first = last[set_nodes[set_start[h]], i]
                for k in range(set_start[h], set_start[h + 1]):
                    if last[set_nodes[k], i] != first:
                        return out, False
        value = np.zeros(n_flat + 1)  # by own sequence: the flat actions, then the empty sequence
        current = 0.0
        for r in range(terminals.shape[0]):
            z = terminals[r]
            s = last[z, i] if last[z, i] >= 0 else n_flat
            value[s] += others[z, i] * payoffs[r, i]
            current += reach[z] * payoffs[r, i]
        for h in range(set_player.shape[0] - 1, -1, -1):
            if set_player[h] == i:
                best = -np.inf
                for f in range(set_offset[h], set_offset[h + 1]):
                    best = max(best, value[f])
                up = last[set_nodes[set_start[h]], i]
                value[up if up >= 0 else n_flat] += best
        out[i] = max(0.0, value[n_flat] - current)
    return out, True


def _root_regret(game: ExtensiveFormGame, beh: Sequence[Any], payoffs: np.ndarray) -> np.ndarray | None:
    """Per-player Nash regret of a behaviour profile (floating point) with the terminals' ``payoffs``
    (the players' scaled payoffs, :func:`_scaled_payoffs`), or ``None`` without perfect recall."""
    a = _tree_arrays(game)
    flat = np.concatenate([np.asarray(b, dtype=float) for b in beh]) if len(beh) else np.zeros(0)
    packed = (a.parent, a.owner, a.edge_flat, a.chance_prob, a.terminals, a.set_player, a.set_offset,
              a.set_nodes, a.set_start)
    regret, ok = _root_regret_kernel(packed, flat, payoffs)
    return regret if ok and np.isfinite(regret).all() else None



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
