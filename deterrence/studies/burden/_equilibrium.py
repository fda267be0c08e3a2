"""The burden-sharing solver: :func:`equilibrium`, :func:`cooperative_total`, :func:`random_game`.

The model, its closed forms, the pledge, the certificate and the link to deterrence are
described in the package docstring (:mod:`deterrence.studies.burden`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ...errors import ParameterError, SolverError, UnsupportedError
from ._certify import BurdenEquilibrium, Certificate, _result, certify_profile
from ._closed import ClosedForm, _closed_floors, closed_form
from ._game import S_SYMBOL, TECHNOLOGIES, UTILITIES, BurdenGame, Technology, _check_choice, check_grid
from ._link import DeterrenceLink, linked_outcomes, required_level, solve_linked
from ._numeric import _numerical
from ._pledge import _closed_pledge, pledge_equilibria


# ---------------------------------------------------------------------------- public solve
def equilibrium(game: BurdenGame, method: str = "auto", *, grid: int = 2001, certify: bool = True,
                require_certified: bool = True, check_unique: bool = False) -> BurdenEquilibrium:
    """The Nash equilibrium of a burden-sharing game, certified.

    Without a pledge the equilibrium total is unique (Bergstrom, Blume & Varian 1986). With a
    pledge the game (a lump-sum sanction makes payoffs jump) may have several pure equilibria or,
    in principle, none; this returns the one reached from the no-pledge profile by single
    switches of side (the numerical path: by best-response iteration from zero contributions);
    see :func:`pledge_equilibria` for all of them.

    Parameters
    ----------
    game
        The :class:`BurdenGame` (with a pledge when ``target_share`` and ``sanction`` are > 0).
    method
        ``"closed_form"`` (sympy-derived formulas; the pledge by switches over who meets it),
        ``"numerical"`` (best-response iteration with scipy, no formula used) or ``"auto"``
        (closed form where one exists).
    grid
        Points of the deviation grid per member in :func:`certify_profile`.
    certify, require_certified
        Run the certificate; raise :class:`~deterrence.errors.SolverError` if it fails.
    check_unique
        With a pledge: enumerate every pledge equilibrium (at most 12 members) to fill ``unique``.
    """
    if not isinstance(game, BurdenGame):
        raise ParameterError(f"game must be a BurdenGame, got {type(game).__name__}", name="game", value=game)
    _check_choice("method", method, ("auto", "closed_form", "numerical"))
    check_grid(grid)
    if method == "auto":
        tech = game.technology
        try:
            closed_form(game.utility, tech if tech.kind == "custom" else tech.kind)
            method = "closed_form"
        except UnsupportedError:
            method = "numerical"
    unique: bool | None
    if method == "closed_form":
        if game.pledge_active:
            c, _found_by_flips, it = _closed_pledge(game)
        else:
            c, unique, it = _closed_floors(game, np.zeros(game.n))
    else:
        c, it = _numerical(game)
        unique = True
    if game.pledge_active:
        unique = len(pledge_equilibria(game)) == 1 if check_unique else None
    eq = _result(game, c, method, unique, it, grid, certify)
    if certify and require_certified and not eq.certified:
        raise SolverError(f"burden-sharing equilibrium ({method}) failed certification: max grid gain "
                          f"{eq.max_grid_gain:.3g}, KKT residual {eq.kkt_residual:.3g}, second order "
                          f"{eq.second_order:.3g}")
    return eq


def cooperative_total(game: BurdenGame) -> float:
    """The total a utilitarian planner buys (the Samuelson condition ``sum_i MRS_i = 1``).

    Quasilinear: ``(sum_i v_i) D'(S*) = 1`` (capped by total income); this is also the Lindahl
    total. Log (equal welfare weights): the planner equalises the consumption of contributing
    members at ``1 / (V D'(S))``, which is the Nash equilibrium of the game in which every member
    values the deterrent at ``V = sum_i v_i``; computed that way.
    """
    V = float(np.sum(game.v))
    g = replace(game.without_pledge(), valuations=tuple([V] * game.n))
    return float(_closed_floors(g, np.zeros(game.n))[0].sum())


def random_game(rng: np.random.Generator, n: int | None = None, utility: str = "quasilinear",
                technology: str = "exponential", size_valuation: bool = False) -> BurdenGame:
    """A random game for tests and examples: incomes log-uniform in ``[0.2, 5]``, valuations
    uniform in ``[0.2, 6]`` (or proportional to income, ``v_i = theta w_i``, if ``size_valuation``),
    scale uniform in ``[0.3, 2]``."""
    n = int(rng.integers(1, 7)) if n is None else n
    w = np.exp(rng.uniform(np.log(0.2), np.log(5.0), n))
    v = rng.uniform(0.2, 2.0) * w if size_valuation else rng.uniform(0.2, 6.0, n)
    tech = Technology(technology, float(rng.uniform(0.3, 2.0)))
    return BurdenGame(tuple(w), tuple(v), tech, utility)


__all__ = [
    "S_SYMBOL",
    "TECHNOLOGIES",
    "UTILITIES",
    "BurdenEquilibrium",
    "BurdenGame",
    "Certificate",
    "ClosedForm",
    "DeterrenceLink",
    "Technology",
    "certify_profile",
    "closed_form",
    "cooperative_total",
    "equilibrium",
    "linked_outcomes",
    "pledge_equilibria",
    "random_game",
    "required_level",
    "solve_linked",
]
