"""Burden-sharing in an alliance: a public-good game with continuous contributions.

The Olson–Zeckhauser (1966) model of alliance burden-sharing, with the Bergstrom, Blume &
Varian (1986) equilibrium analysis. ``N`` members; member ``i`` has income ``w_i > 0``, values
the alliance's deterrent at ``v_i >= 0`` and contributes ``c_i`` in ``[0, w_i]``. Total spending
``S = sum_j c_j`` produces the deterrent level ``D(S)`` in ``[0, 1)`` by a concave technology:

* ``"exponential"``: ``D(S) = 1 - exp(-k S)``  (``scale`` is ``k``);
* ``"contest"``:     ``D(S) = S / (S + s0)``   (``scale`` is ``s0``);
* a custom sympy expression in the symbol ``S`` (:meth:`Technology.custom`; numerical path).

Utilities (the member's payoff, before any pledge sanction):

* ``"quasilinear"``: ``u_i = v_i D(S) - c_i``. Member ``i`` alone would buy ``S_i*`` with
  ``v_i D'(S_i*) = 1``; in equilibrium only the members with the highest ``v_i`` contribute
  (up to their incomes), everyone else free rides: the exploitation of the large by the small.
* ``"log"``: ``u_i = log(w_i - c_i) + v_i D(S)``. Member ``i`` contributes
  ``c_i = max(0, w_i - 1 / (v_i D'(S)))``: exactly the members with ``w_i v_i D'(S) > 1``
  contribute, and the total solves ``S + H / D'(S) = W_C`` (``H = sum_C 1/v_i``,
  ``W_C = sum_C w_i`` over the contributors ``C``): a LambertW (exponential) or a quadratic
  (contest), derived with sympy by :func:`closed_form`.

The pledge: a target ``target_share`` of income with a lump-sum ``sanction`` (a reputation
cost) for falling short, ``u_i - sanction * 1[c_i < target_share * w_i]``. Members then choose
between meeting the target (contributing at least the floor) and their unconstrained best
response. A lump sum (rather than a penalty proportional to the shortfall) because the agreed
targets are judged pass/fail: the reputational cost is of being named among the members that
miss, not of the size of the gap; a proportional penalty would instead act as a matching
subsidy on every unit below the target.

Every equilibrium is certified by :func:`certify_profile`: no member gains by changing its
contribution to any point of a fine grid on ``[0, w_i]`` (refined around the best grid point by
a second, 400 times finer grid), the first-order (KKT) conditions hold on the member's box, and the
second derivative of its payoff in its own contribution is ``<= 0`` (the payoff is concave in
``c_i`` between sanction jumps, so the KKT point is a global best response on that piece).

The link to deterrence: :class:`DeterrenceLink` maps the deterrent level ``D(S)`` onto a
parameter of an attacker–defender–ally model (by default ``p_allied`` of
``models/extended_deterrence.toml``), and :func:`linked_outcomes` solves that model at the
resulting values (compiled kernel, per-point ``dt.solve`` where the kernel is undecided).

Continuous strategies are built in Python, not in a model file: the TOML model format describes
finite game trees, and a contribution is a real number in an interval.

Where the parts live
--------------------
This module holds :func:`equilibrium` (the solver), :func:`cooperative_total` and
:func:`random_game`. The technology and the game are in :mod:`deterrence.studies.burden._game`; the
sympy closed forms and the closed-form path in :mod:`deterrence.studies.burden._closed`; the pledge
with a sanction in :mod:`deterrence.studies.burden._pledge`; the numerical path in
:mod:`deterrence.studies.burden._numeric`; the result and its certificate in
:mod:`deterrence.studies.burden._certify`; the link to deterrence in :mod:`deterrence.studies.burden._link`.
Their public names are re-exported here.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ...errors import SolverError, UnsupportedError
from ._certify import BurdenEquilibrium, Certificate, _result, certify_profile
from ._closed import ClosedForm, _closed_floors, closed_form
from ._game import S_SYMBOL, TECHNOLOGIES, UTILITIES, BurdenGame, Technology, _check_choice
from ._link import DeterrenceLink, linked_outcomes, required_level, solve_linked
from ._numeric import _numerical
from ._pledge import _closed_pledge, pledge_equilibria


# ---------------------------------------------------------------------------- public solve
def equilibrium(game: BurdenGame, method: str = "auto", *, grid: int = 2001, certify: bool = True,
                require_certified: bool = True, check_unique: bool = False) -> BurdenEquilibrium:
    """The Nash equilibrium of a burden-sharing game, certified.

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

    Without a pledge the equilibrium total is unique (Bergstrom, Blume & Varian 1986). With a
    pledge the game (a lump-sum sanction makes payoffs jump) may have several pure equilibria or,
    in principle, none; this returns the one reached from the no-pledge profile by single
    switches of side (the numerical path: by best-response iteration from zero contributions);
    see :func:`pledge_equilibria` for all of them.
    """
    _check_choice("method", method, ("auto", "closed_form", "numerical"))
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
