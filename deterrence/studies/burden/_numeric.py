"""The numerical path of the burden-sharing game: best-response iteration with scipy, no formula.

Serves technologies without a closed form and cross-checks the closed forms. Part of
:mod:`deterrence.studies.burden`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import optimize

from ...errors import SolverError
from ._game import BurdenGame


# ---------------------------------------------------------------------------- numerical path
def _numeric_br(game: BurdenGame, i: int, S_minus: float, lo: float, hi: float) -> float:
    """Member ``i``'s best contribution in ``[lo, hi]`` (no sanction), from its first-order
    condition: the payoff is concave in ``c_i``, so its derivative crosses zero once."""
    w, v = game.w[i], game.v[i]
    if game.utility == "log":
        hi = min(hi, w * (1 - 1e-12))
    if hi <= lo:
        return lo

    def g(x: float) -> float:
        return float(game._du(w, v, x, S_minus + x))

    if g(lo) <= 0:
        return lo
    if g(hi) >= 0:
        return hi
    return float(optimize.brentq(g, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200))


def _numeric_br_pledge(game: BurdenGame, i: int, S_minus: float) -> float:
    w = game.w[i]
    if not game.pledge_active:
        return _numeric_br(game, i, S_minus, 0.0, w)
    f = game.floors[i]
    x_meet = _numeric_br(game, i, S_minus, f, w)
    x_short = _numeric_br(game, i, S_minus, 0.0, f)
    u_meet = float(game._u(w, game.v[i], x_meet, S_minus, sanction=False))
    u_short = float(game._u(w, game.v[i], x_short, S_minus, sanction=False)) - game.sanction
    return x_meet if u_meet >= u_short else x_short


def _numerical(game: BurdenGame, c0: Sequence[float] | None = None, tol: float = 1e-14,
               max_sweeps: int = 5000) -> tuple[np.ndarray, int]:
    """Gauss–Seidel best-response iteration, then a Newton polish of the interior members'
    first-order conditions with ``scipy.optimize.root``."""
    c = np.zeros(game.n) if c0 is None else np.array(c0, dtype=float)
    S = c.sum()
    sweep = 0
    for sweep in range(1, max_sweeps + 1):  # noqa: B007 (reported as the iteration count)
        delta = 0.0
        for i in range(game.n):
            new = _numeric_br_pledge(game, i, S - c[i])
            delta = max(delta, abs(new - c[i]))
            S += new - c[i]
            c[i] = new
        S = c.sum()
        if delta <= tol * (1 + S):
            break
    else:
        raise SolverError(f"best-response iteration did not converge in {max_sweeps} sweeps "
                          f"(last change {delta:.3g}); try method='closed_form'")
    # polish: Newton on the interior members' first-order conditions, the active set fixed
    w, v = game.w, game.v
    lo = np.where(game.pledge_active & game.meets(c), game.floors, 0.0)
    interior = np.flatnonzero((c > lo + 1e-12 * (1 + w)) & (c < w * (1 - 1e-9)))
    if interior.size:
        def foc(x: np.ndarray) -> np.ndarray:
            cc = c.copy()
            cc[interior] = x
            return game._du(w[interior], v[interior], x, cc.sum())

        r = optimize.root(foc, c[interior], method="hybr", options={"xtol": 1e-15})
        x = r.x
        if (np.all(x >= lo[interior]) and np.all(x <= w[interior])
                and np.max(np.abs(foc(x))) <= np.max(np.abs(foc(c[interior])))):
            c[interior] = x
    return c, sweep


