"""The PBE certificate's former per-profile checks (main 6082fc5), kept as the oracle of the batch.

``pbe_regret_one`` is the former ``deterrence.certificates._pbe_regret`` and ``belief_errors_one``
its former ``_belief_errors``: one profile at a time, the sets' gains folded by Python's ``max``
and sorted by ``sorted``. The certificate now takes these checks over many profiles at once
(``_pbe_numbers``); tests/test_pbe_certificate_batch.py checks the two bit for bit, types of the
numbers included (a certificate's ``repr`` shows a numpy float).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from deterrence.certificates import (
    _flat_beliefs,
    _in_units,
    _keep_largest,
    _possible_nodes,
    _set_gains,
    _set_layout,
    _SetLayout,
    _tree_regret,
    _TreeNumbers,
    _worst,
)


def belief_errors_one(layout: _SetLayout, flat: np.ndarray, reach: np.ndarray, impossible: list[np.ndarray]
                      ) -> tuple[float, float]:
    """The former ``_belief_errors`` of one profile: Bayes' and Nature's largest errors."""
    bayes_error = nature_error = 0.0
    for _, at, nodes in layout.groups:
        r = reach[nodes]
        total = r.sum(axis=1)
        reached = total > 1e-12
        if reached.any():
            gap = np.abs(r[reached] / total[reached][:, None] - flat[at][reached]).max()
            bayes_error = max(bayes_error, float(gap))
    for positions in impossible:
        nature_error = max(nature_error, float(flat[positions].sum()))
    return bayes_error, nature_error


def pbe_regret_one(nums: _TreeNumbers, beh: Sequence[np.ndarray], beliefs: Any, tol: float, exact: bool,
                   details: dict[str, float]) -> tuple[float, float, float]:
    """The former ``_pbe_regret``: largest gain (game's units, relative) and the Bayes error."""
    game = nums.game
    layout = _set_layout(game)
    flat = _flat_beliefs(game, layout, beliefs, tol)
    reach = game.realization_probabilities(beh)
    bayes_error, nature_error = belief_errors_one(layout, flat, reach, _possible_nodes(game, layout))
    per_set = _set_gains(nums, layout, flat)
    units, ranges, players = nums.units.tolist(), nums.ranges, layout.player_list
    in_units = [g * units[p] for p, g in zip(players, per_set, strict=True)]
    gains = dict(zip(layout.keys, in_units, strict=True))
    regret = _worst(0.0, *in_units)
    relative = _worst(0.0, *(g / ranges[p] for p, g in zip(players, per_set, strict=True)))
    _keep_largest(details, gains)
    per = _tree_regret(nums, [(game.root, nums.one)])
    regret = _worst(regret, _in_units(per, nums.units))
    relative = _worst(relative, float((per / nums.ranges).max()))
    details["nature_error"] = nature_error
    return regret, relative, max(bayes_error, nature_error)
