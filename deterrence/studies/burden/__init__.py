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

The parts
---------
:func:`equilibrium` (the solver), :func:`cooperative_total` and :func:`random_game` are in
``_equilibrium``; the technology and the game (:class:`Technology`, :class:`BurdenGame`) in
``_game``; the sympy closed forms and the closed-form path in ``_closed``; the pledge with a
sanction in ``_pledge``; the numerical path in ``_numeric``; the result and its certificate in
``_certify``; the link to deterrence in ``_link``. The public names are imported here:
``dt.studies.burden.equilibrium(...)``.
"""

from __future__ import annotations

from ._certify import BurdenEquilibrium, Certificate, certify_profile
from ._closed import ClosedForm, closed_form
from ._equilibrium import cooperative_total, equilibrium, random_game
from ._game import S_SYMBOL, TECHNOLOGIES, UTILITIES, BurdenGame, Technology
from ._link import DeterrenceLink, linked_outcomes, required_level, solve_linked
from ._pledge import pledge_equilibria

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
