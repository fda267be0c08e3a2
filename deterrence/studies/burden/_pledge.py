"""The pledge with a sanction: who meets the target, in closed form.

A member either meets the target (contributing at least its floor) or falls short and pays
the lump-sum sanction. :func:`pledge_equilibria` enumerates every pure equilibrium by who is
held to the target; ``_closed_pledge`` finds the one reached by single switches of side from
the no-pledge profile. Part of :mod:`deterrence.studies.burden`.
"""

from __future__ import annotations

import itertools

import numpy as np

from ...errors import SolverError, UnsupportedError
from ._closed import _best_responses, _closed_floors
from ._game import BurdenGame


def _pledge_preferences(game: BurdenGame, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each member: prefers meeting the target? and the gain from switching side."""
    w, v, f = game.w, game.v, game.floors
    Sm = c.sum() - c
    x_meet = _best_responses(game, Sm, f, w)
    x_short = _best_responses(game, Sm, np.zeros_like(f), f)
    u_meet = game._u(w, v, x_meet, Sm, sanction=False)
    u_short = game._u(w, v, x_short, Sm, sanction=False) - game.sanction
    return u_meet >= u_short, np.abs(u_meet - u_short)


def _closed_pledge(game: BurdenGame, max_flips: int | None = None) -> tuple[np.ndarray, bool, int]:
    """The pledge equilibrium reached by single switches from 'nobody is held to the target'."""
    M = np.zeros(game.n, dtype=bool)
    seen: set[bytes] = set()
    max_flips = max_flips or 4 * game.n * game.n + 10
    for it in range(max_flips):
        c, _u, _k = _closed_floors(game, np.where(M, game.floors, 0.0))
        meets = game.meets(c)
        want, gain = _pledge_preferences(game, c)
        bad = (want != meets)
        if not bad.any():
            return c, True, it + 1
        seen.add(M.tobytes())
        k = int(np.argmax(np.where(bad, gain, -1.0)))
        M = meets.copy()
        M[k] = want[k]
        if M.tobytes() in seen:
            break
    if game.n <= 12:
        eqs = pledge_equilibria(game)
        if eqs:
            return eqs[0], False, max_flips
    raise SolverError(f"pledge game with {game.n} members: single switches from the no-pledge profile cycle "
                      "and the members are too many to enumerate (at most 12)")


def pledge_equilibria(game: BurdenGame) -> list[np.ndarray]:
    """Every pure equilibrium of the pledge game, by enumerating who is held to the target.

    For each set ``M`` of members contributing at least their target, the equilibrium with
    those floors is computed in closed form and kept if every member's choice of side is a
    best response. Exponential in ``N``: at most 12 members.
    """
    if game.n > 12:
        raise UnsupportedError(f"enumerating pledge equilibria of {game.n} members (2^{game.n} sets) is too "
                               "large; at most 12", methods=("equilibrium",))
    out: list[np.ndarray] = []
    for bits in itertools.product((False, True), repeat=game.n):
        M = np.array(bits)
        c, _u, _k = _closed_floors(game, np.where(M, game.floors, 0.0))
        want, _g = _pledge_preferences(game, c)
        # members that meet the target of their own accord need no floor: the same profile
        # arises from several sets M, hence the duplicate check
        if np.array_equal(want, game.meets(c)) and not any(np.allclose(c, o, atol=1e-10) for o in out):
            out.append(c)
    return out



__all__ = ["pledge_equilibria"]
