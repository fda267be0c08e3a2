"""The Nash regret of a behaviour profile of a tree with perfect recall, in one compiled pass.

Owned by :mod:`deterrence.certificates` (which falls back to its Python walk, and to pure-strategy
enumeration without perfect recall). It reads only the game's own edge tables and payoffs, never
a solver's numbers, and does in one call what :func:`deterrence.certificates._root_regret` does
with per-game arrays built in Python: each player's payoffs put on its scale, the perfect-recall
test, the reach probabilities and the backward induction over the player's own sequences. It
computes the same floating-point operations in the same order, so its regrets equal those of
``_root_regret`` bit for bit (``tests/test_tree_certificate.py`` checks them against it and
against the Python walk).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._jit import njit
from .game import ExtensiveFormGame
from .game.scaling import payoff_scales

_GAME_ARRAYS: weakref.WeakKeyDictionary[ExtensiveFormGame, tuple[np.ndarray, ...]] = (
    weakref.WeakKeyDictionary())


def _game_arrays(game: ExtensiveFormGame) -> tuple[np.ndarray, ...]:
    """The player of each information set, the payoffs (terminals x players), and the shifts and
    units of the players' scales (:func:`deterrence.game.scaling.payoff_scales`), kept per game
    object (its payoffs do not change)."""
    arrays = _GAME_ARRAYS.get(game)
    if arrays is None:
        scales = payoff_scales(game)
        arrays = _GAME_ARRAYS[game] = (
            np.fromiter((h.player for h in game.infosets), dtype=np.int64, count=len(game.infosets)),
            np.ascontiguousarray(game.payoffs, dtype=float).reshape(-1, game.num_players),
            np.array([float(sc.shift) for sc in scales]), np.array([sc.unit for sc in scales]))
    return arrays


def nash_regret_on_scale(game: ExtensiveFormGame, beh: Sequence[Any]
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Per-player largest gain from a deviation (on the players' scales,
    :func:`deterrence.game.scaling.player_scale`), the units of the scales and the ranges of the
    scaled payoffs (1 where a player's payoffs are all equal); ``None`` without perfect recall or
    when the float arithmetic is not finite (the caller then walks the tree)."""
    set_players, payoffs, shifts, units = _game_arrays(game)
    flat = np.concatenate(beh).astype(float, copy=False) if len(beh) else np.zeros(0)
    regret, ranges, ok = _nash_regret_kernel(
        game._parent, game._edge_infoset, game._edge_flat, game._chance_prob, game._action_offset,
        set_players, game._terminal_idx, payoffs, shifts, units, flat)
    if not ok or not all(map(math.isfinite, regret.tolist())):
        return None
    return regret, units.copy(), ranges


@njit
def _scaled(payoffs: np.ndarray, shifts: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The payoffs on each player's scale, and each player's range there (1 where it is 0)."""
    scaled = np.empty(payoffs.shape)
    ranges = np.ones(payoffs.shape[1])
    for i in range(payoffs.shape[1]):
        for r in range(payoffs.shape[0]):
            scaled[r, i] = (payoffs[r, i] - shifts[i]) / units[i]
        if payoffs.shape[0] > 0:
            span = scaled[:, i].max() - scaled[:, i].min()
            ranges[i] = span if span > 0 else 1.0
    return scaled, ranges


@njit
def _nash_regret_kernel(parent: np.ndarray, edge_set: np.ndarray, edge_flat: np.ndarray,
                        chance_prob: np.ndarray, set_offset: np.ndarray, set_player: np.ndarray,
                        terminals: np.ndarray, payoffs: np.ndarray, shifts: np.ndarray, units: np.ndarray,
                        beh: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """``(regret per player, ranges, perfect recall?)`` of the flat behaviour ``beh``.

    Per node (preorder): the probability of reaching it, the same without each player's own
    moves and each player's last own move (a flat action). Recall is perfect when every node
    of a set has its first node's last own move. The best response of player ``i`` is then a
    backward induction over its sequences: the terminals' payoffs weighted by the others' and
    chance's moves are summed by ``i``'s last own move, and from the last set to the first each
    set adds its best action's value to the sequence leading to it.
    """
    scaled, ranges = _scaled(payoffs, shifts, units)
    n_players = payoffs.shape[1]
    n, n_sets = parent.shape[0], set_player.shape[0]
    reach = np.ones(n)
    others = np.ones((n, n_players))
    last = np.full((n, n_players), -1, dtype=np.int64)
    lead = np.full(n_sets, -2, dtype=np.int64)  # the owner's last own move at each set's first node
    out = np.zeros(n_players)
    for v in range(1, n):
        p, h = parent[v], edge_set[v]
        j = set_player[h] if h >= 0 else -1
        prob = beh[edge_flat[v]] if h >= 0 else chance_prob[v]
        reach[v] = reach[p] * prob
        for i in range(n_players):
            others[v, i] = others[p, i] * (prob if i != j else 1.0)
            last[v, i] = last[p, i]
        if h >= 0:
            if lead[h] == -2:
                lead[h] = last[p, j]
            elif lead[h] != last[p, j]:
                return out, ranges, False
            last[v, j] = edge_flat[v]
    n_flat = set_offset[n_sets]
    for i in range(n_players):
        value = np.zeros(n_flat + 1)  # by own sequence: the flat actions, then the empty sequence
        current = 0.0
        for r in range(terminals.shape[0]):
            z = terminals[r]
            s = last[z, i] if last[z, i] >= 0 else n_flat
            value[s] += others[z, i] * scaled[r, i]
            current += reach[z] * scaled[r, i]
        for h in range(n_sets - 1, -1, -1):
            if set_player[h] == i:
                best = -np.inf
                for f in range(set_offset[h], set_offset[h + 1]):
                    best = max(best, value[f])
                value[lead[h] if lead[h] >= 0 else n_flat] += best
        out[i] = max(0.0, value[n_flat] - current)
    return out, ranges, True


__all__ = ["nash_regret_on_scale"]
