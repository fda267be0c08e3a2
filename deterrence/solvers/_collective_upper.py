"""The Attacker's and the Target's choices given what the allies would do in a war, on arrays.

For each combination of join equilibria (one per kind of war) the Target side's chances of
winning are fixed: ``P_d`` in a war the Attacker starts, ``P_p`` in one the Target provokes.
Then (``v`` the stakes, ``g`` the revision, ``c_A``, ``c_D`` the costs of war):

* the attacked Target resists iff ``P_d v - c_D > 0`` (concedes if ``< 0``; both at a tie);
* with the initiative, it provokes iff ``P_p (v + g) - c_D > v``;
* the Attacker attacks iff ``(1 - tau) v + tau ((1 - P_d) v - c_A) > 0`` given the Target's
  resistance probability ``tau`` (both at a tie).

Nothing here depends on a belief: no move before the war depends on a type, so every player's
belief about the allies' types is the prior, on the path and off it (the consistent belief).
At a tie the two pure choices are both returned (the extreme points of a continuum) and flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TopChoices:
    """One row per equilibrium: the combination it extends (``owner``), the Attacker's attack
    probability ``alpha``, the Target's resistance ``tau`` and provocation ``beta`` probabilities,
    and ``knife`` (some choice was a tie)."""

    owner: np.ndarray
    alpha: np.ndarray
    tau: np.ndarray
    beta: np.ndarray
    knife: np.ndarray


def _options(value: np.ndarray, eps: np.ndarray) -> list[tuple[np.ndarray, float, np.ndarray]]:
    """``(rows, action, tie)``: the rows where the pure action (1: value > 0, 0: value < 0) is a best
    response, both actions where it is a tie."""
    tie = np.abs(value) <= eps
    return [(np.flatnonzero((value > 0) | tie), 1.0, tie), (np.flatnonzero((value < 0) | tie), 0.0, tie)]


def top_choices(
    win_defence: np.ndarray,
    win_provoked: np.ndarray | None,
    stakes: np.ndarray,
    cost_attacker: np.ndarray,
    cost_defender: np.ndarray,
    revision: np.ndarray,
    eps: np.ndarray,
) -> TopChoices:
    """Every equilibrium continuation of each combination (see the module docstring).

    ``win_provoked`` is ``None`` for games without initiative (``beta`` is then 0).
    """
    v = np.asarray(stakes, dtype=float)
    rows, alphas, taus, knives = [], [], [], []
    resist = win_defence * v - cost_defender
    for r_idx, tau, r_tie in _options(resist, eps):
        attack_value = (1 - tau) * v[r_idx] + tau * (
            (1 - win_defence[r_idx]) * v[r_idx] - cost_attacker[r_idx]
        )
        for a_sel, alpha, a_tie in _options(attack_value, eps[r_idx]):
            idx = r_idx[a_sel]
            kn = r_tie[idx] | a_tie[a_sel]
            rows.append(idx)
            alphas.append(np.full(len(idx), alpha))
            taus.append(np.full(len(idx), tau))
            knives.append(kn)
    owner = np.concatenate(rows)
    alpha = np.concatenate(alphas)
    tau = np.concatenate(taus)
    knife = np.concatenate(knives)
    if win_provoked is None:
        beta = np.zeros(len(owner))
    else:
        provoke = win_provoked[owner] * (v[owner] + revision[owner]) - cost_defender[owner] - v[owner]
        parts = _options(provoke, eps[owner])
        owner = np.concatenate([owner[p[0]] for p in parts])
        beta = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
        alpha = np.concatenate([alpha[p[0]] for p in parts])
        tau = np.concatenate([tau[p[0]] for p in parts])
        knife = np.concatenate([knife[p[0]] | p[2][p[0]] for p in parts])
    order = np.lexsort((-beta, tau, -alpha, owner))  # concede before resist, as the tree solvers list them
    return TopChoices(owner[order], alpha[order], tau[order], beta[order], knife[order])


__all__ = ["TopChoices", "top_choices"]
