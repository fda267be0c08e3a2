"""The units in which the compiled kernels compare a regret with ``tol`` and ``edge`` (private).

The per-point PBE solver finds candidates comparing payoff differences with ``tol`` in absolute
terms on the game it solves (the game as given when it is well scaled, else rescaled per player:
:func:`deterrence.game.scaling.solver_units`); it then certifies each, and a certificate passes a
regret up to ``tol`` of the player's payoff range (:mod:`deterrence.certificates`). An equilibrium
of the per-point path passes both. So the kernels divide each player's regret by the smaller of
the two units: a regret within ``tol`` of it is within ``tol`` of both, as the per-point path
accepts it. The per-point solver's unit is at most the range (a game whose payoffs span less
than 1 is solved rescaled, :func:`deterrence.game.scaling.solved_as_given`), so the smaller
is the solver's unit wherever a player's payoffs are not all equal: both paths decide on the
solver's scale.
"""

from __future__ import annotations

import numpy as np

from ..game.scaling import solver_units


def decision_units(pay: np.ndarray, solver: np.ndarray | None = None) -> np.ndarray:
    """Per point and player, the unit of the kernels' regrets: the smaller of the per-point
    solver's unit (:func:`~deterrence.game.scaling.solver_units`) and the player's payoff range
    (1 where its payoffs are all equal).

    Parameters
    ----------
    pay
        Payoffs ``(points, terminals, players)``.
    solver
        Their :func:`~deterrence.game.scaling.solver_units`, if already known.

    Returns
    -------
    np.ndarray
        ``(points, players)``, positive and finite (1 where a payoff is not finite).
    """
    pay = np.asarray(pay, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        spread = pay.max(axis=1) - pay.min(axis=1) if pay.shape[1] else np.zeros(pay.shape[::2])
    spread = np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)
    return np.minimum(solver_units(pay) if solver is None else solver, spread)
