"""All pure-strategy Nash equilibria of an N-player normal-form game, vectorised.

A pure profile is an equilibrium when every player's payoff there is a best response
along that player's own axis. For each player ``i`` the maximum of its payoff array over
axis ``i`` (kept as a length-one axis) is compared with the whole array; the boolean arrays
of all players are AND-ed and ``np.argwhere`` lists the equilibria. No Python loop runs
over profiles: the work is ``N`` passes over arrays of ``n_1 * ... * n_N`` entries.

Ties count as best responses: a payoff within ``tol`` of the best (with ``exact=True``: exactly
equal, payoffs compared as the exact numbers they are) is a best response.

The module also holds :func:`iterated_dominance`, iterated removal of strictly dominated
pure strategies, which the polynomial solver uses for pruning and which lets this solver
say ``complete=True`` when the game is dominance-solvable (a single profile survives: that
profile is then the unique Nash equilibrium, mixed ones included).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..game import NormalFormGame
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions


def best_response_mask(payoffs: Sequence[np.ndarray], tol: float = 0.0) -> np.ndarray:
    """Boolean array over pure profiles: ``True`` where every player plays a best response.

    Parameters
    ----------
    payoffs
        One array of shape ``(n_1, ..., n_N)`` per player.
    tol
        A strategy is a best response if its payoff is at least the best minus ``tol``.

    Returns
    -------
    numpy.ndarray
        Boolean array of shape ``(n_1, ..., n_N)``.
    """
    ok = np.ones(np.shape(payoffs[0]), dtype=bool)
    for i, a in enumerate(payoffs):
        best = a.max(axis=i, keepdims=True)
        ok &= a >= best - tol
    return ok


def pure_equilibria(game: NormalFormGame, tol: float = 1e-8, exact: bool = False) -> np.ndarray:
    """Indices of all pure Nash equilibria.

    Parameters
    ----------
    game
        The normal-form game.
    tol
        Tolerance for ties (ignored when ``exact``).
    exact
        Compare the payoffs exactly, with no tolerance (floats compare exactly, and their
        order is that of the rationals they are).

    Returns
    -------
    numpy.ndarray
        Integer array of shape ``(k, N)``: one row of strategy indices per equilibrium, in
        lexicographic order.

    Examples
    --------
    >>> import numpy as np
    >>> g = NormalFormGame([np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])])
    >>> pure_equilibria(g).tolist()
    [[1, 1]]
    """
    if exact:  # the exact numbers (integers beyond 2**53, or fractions, are rounded as floats)
        return np.argwhere(best_response_mask(game.rational_payoffs(), 0))
    return np.argwhere(best_response_mask(game.payoffs, tol))


def iterated_dominance(payoffs: Sequence[np.ndarray], tol: float = 0.0) -> list[np.ndarray]:
    """Iterated removal of pure strategies strictly dominated by another pure strategy.

    Removing strictly dominated strategies keeps every Nash equilibrium (mixed ones
    included), so the survivors carry the whole equilibrium set.

    Parameters
    ----------
    payoffs
        One array of shape ``(n_1, ..., n_N)`` per player.
    tol
        ``s`` is removed if some ``t`` pays more than ``s + tol`` against every surviving
        profile of the others.

    Returns
    -------
    list of numpy.ndarray
        The surviving strategy indices of each player (sorted).
    """
    n = len(payoffs)
    alive = [np.arange(k) for k in np.shape(payoffs[0])]
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if alive[i].size == 1:
                continue
            sub = np.moveaxis(payoffs[i][np.ix_(*alive)], i, 0).reshape(alive[i].size, -1)
            # dominated[s] = exists t: sub[t] > sub[s] + tol everywhere
            gap = sub[None, :, :] - sub[:, None, :]  # gap[s, t] = sub[t] - sub[s]
            dominated = (gap > tol).all(axis=2).any(axis=1)
            if dominated.any():
                alive[i] = alive[i][~dominated]
                changed = True
    return alive


@dataclass(frozen=True)
class PureOptions(SolverOptions):
    """Options of the ``pure`` solver: none beyond ``tol`` and ``exact`` of :func:`deterrence.solve`."""


def _run(game: NormalFormGame, options: SolveOptions) -> RawResult:
    eqs = pure_equilibria(game, options.tol, options.exact)
    cands = []
    for row in eqs:
        strategies = tuple(game.pure_profile([int(k) for k in row]))
        exact = tuple(tuple(Fraction(int(x)) for x in s) for s in strategies)
        cands.append(Candidate(strategies=strategies, exact=exact, label="pure"))
    alive = iterated_dominance(game.payoffs, 0.0)
    solvable = all(a.size == 1 for a in alive)
    notes = [f"{len(cands)} pure equilibri{'um' if len(cands) == 1 else 'a'}"]
    if solvable:
        notes.append("the game is solvable by iterated strict dominance: its unique equilibrium is pure, "
                     "so the set is complete")
    else:
        notes.append("pure equilibria only: the set of pure equilibria is complete, but mixed equilibria "
                     "may exist, so complete=False")
    return RawResult(candidates=cands, complete=solvable, degenerate=None, notes=tuple(notes))


def _estimate(game: NormalFormGame) -> float:
    return float(game.num_players * 3 * np.prod(game.shape))


SOLVER = SolverInfo(
    name="pure",
    concepts=frozenset({"nash"}),
    kinds=frozenset({"normal"}),
    run=_run,
    options=PureOptions,
    finds="all",
    min_players=1,
    max_players=None,
    estimate=_estimate,
    description="all pure-strategy Nash equilibria of an N-player normal-form game (vectorised; "
    "complete only for pure equilibria)",
)

__all__ = ["SOLVER", "PureOptions", "best_response_mask", "iterated_dominance", "pure_equilibria"]
