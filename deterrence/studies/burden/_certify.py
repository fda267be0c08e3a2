"""Certified burden-sharing equilibria: the result type and :func:`certify_profile`.

Part of :mod:`deterrence.studies.burden`; the public names are re-exported there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...errors import ParameterError
from ._game import BurdenGame, check_grid


# ---------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class BurdenEquilibrium:
    """A certified Nash equilibrium of a :class:`BurdenGame`.

    Attributes
    ----------
    contributions, payoffs
        Per member.
    total, deterrence
        ``S`` and ``D(S)``.
    meets_target
        Per member: contributes at least ``target_share * w_i``.
    method
        ``"closed_form"`` or ``"numerical"``.
    max_grid_gain
        The largest gain any member finds by moving its contribution anywhere in ``[0, w_i]``
        (fine grid plus local refinement); ``<= tol`` certifies.
    kkt_residual
        ``max_i |c_i - clip(c_i + du_i/dc_i, lo_i, hi_i)|`` on each member's box (``[floor, w_i]``
        for members meeting a sanctioned target, ``[0, w_i]`` otherwise).
    second_order
        ``max_i d2u_i/dc_i2`` at the equilibrium (``<= 0``: concave, a maximum).
    certified
        All three checks pass.
    unique
        Without a pledge: False where the closed form picked one of a continuum (members tied
        at the margin). With a pledge: whether :func:`pledge_equilibria` found exactly one
        equilibrium, or ``None`` where that was not checked (``check_unique=False``).
    iterations
        Best-response sweeps (numerical path) or contributor sets tried (closed form).
    """

    contributions: np.ndarray
    total: float
    deterrence: float
    payoffs: np.ndarray
    meets_target: np.ndarray
    method: str
    max_grid_gain: float
    kkt_residual: float
    second_order: float
    certified: bool
    unique: bool | None = True
    iterations: int = 0

    @property
    def shares(self) -> np.ndarray:
        """Each member's share of total spending (zeros if nobody spends)."""
        return self.contributions / self.total if self.total > 0 else np.zeros_like(self.contributions)


@dataclass(frozen=True)
class Certificate:
    """What :func:`certify_profile` measured (see :class:`BurdenEquilibrium`)."""

    max_grid_gain: float
    kkt_residual: float
    second_order: float
    certified: bool


def certify_profile(game: BurdenGame, contributions: Sequence[float], *, grid: int = 2001,
                    refine: bool = True, tol: float = 1e-9, kkt_tol: float = 1e-7) -> Certificate:
    """Check that no member gains by changing its contribution by any amount.

    Each member's payoff (sanction included) is evaluated on ``grid`` evenly spaced contributions
    in ``[0, w_i]`` plus its target, with the others fixed; the best grid point is refined by a
    second grid, 400 times finer, over its two neighbouring cells (the payoff is concave in
    ``c_i`` between sanction jumps, so the grid maximum is within ``|u''| h^2 / 2`` of the true
    one). The gain tolerance is relative: ``tol * (1 + max |u_i|)``.
    """
    check_grid(grid)
    c = np.asarray(contributions, dtype=float)
    w, v = game.w, game.v
    if c.shape != w.shape or not np.all((c >= -1e-12) & (c <= w * (1 + 1e-12))):  # NaN fails too
        raise ParameterError("contributions must be one value in [0, w_i] per member", name="contributions",
                             value=c)
    S = c.sum()
    Sm = S - c
    base = game._u(w, v, c, Sm)
    t = np.linspace(0.0, 1.0, grid)
    devs = w[:, None] * t[None, :]
    devs = np.concatenate([devs, game.floors[:, None]], axis=1)
    U = game._u(w[:, None], v[:, None], devs, Sm[:, None])
    gains = U - base[:, None]
    best = np.nanmax(np.where(np.isnan(gains), -np.inf, gains), axis=1)
    if refine:  # zoom: a second grid across the two cells around each member's best grid point
        step = w / (grid - 1)
        j = np.argmax(np.where(np.isnan(gains), -np.inf, gains), axis=1)
        x0 = devs[np.arange(game.n), j]
        lo, hi = np.maximum(0.0, x0 - step), np.minimum(w, x0 + step)
        zoom = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, 401)[None, :]
        Uz = game._u(w[:, None], v[:, None], zoom, Sm[:, None])
        best = np.maximum(best, np.nanmax(np.where(np.isnan(Uz), -np.inf, Uz), axis=1) - base)
    max_gain = float(max(0.0, best.max()))
    meets = game.meets(c)
    lo_box = np.where(meets & game.pledge_active, game.floors, 0.0)
    g = game._du(w, v, c, S)
    proj = np.clip(c + g, lo_box, w)
    kkt = float(np.max(np.abs(c - proj)))
    so = float(np.max(game._d2u(w, v, c, S)))
    scale = 1.0 + float(np.max(np.abs(base[np.isfinite(base)]))) if np.isfinite(base).any() else 1.0
    ok = bool(max_gain <= tol * scale and kkt <= kkt_tol * (1 + S) and so <= 0 and np.isfinite(base).all())
    return Certificate(max_gain, kkt, so, ok)


def _result(game: BurdenGame, c: np.ndarray, method: str, unique: bool, iterations: int,
            grid: int, certify: bool) -> BurdenEquilibrium:
    c = np.minimum(np.maximum(np.asarray(c, dtype=float), 0.0), game.w)
    S = float(c.sum())
    cert = certify_profile(game, c, grid=grid) if certify else Certificate(np.nan, np.nan, np.nan, False)
    pay = game.payoffs(c)
    meets = game.meets(c)
    for a in (c, pay, meets):
        a.setflags(write=False)
    return BurdenEquilibrium(c, S, float(game.technology.value(S)), pay, meets, method,
                             cert.max_grid_gain, cert.kkt_residual, cert.second_order, cert.certified,
                             unique, iterations)



__all__ = ["BurdenEquilibrium", "Certificate", "certify_profile"]
