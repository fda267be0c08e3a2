"""Collective defence studies: burden sharing in peace and reliability in war, in one sweep.

The burden-sharing model (:mod:`deterrence.studies.burden`) gives each member's peacetime
spending ``c_i`` in equilibrium, with or without the pledge (a spending target of
``target_share`` of income, a lump-sum ``sanction`` for missing it). :func:`burden_link` turns
those spending levels into the members' wartime capabilities in the collective-defence family
(``capability_i = c_i / (target_share * w_i)``: a member that meets the 2 % pledge brings
capability 1, the ally of ``extended_deterrence``; a free rider that spends nothing brings
nothing) and solves the crisis at each sanction of a sweep: how often the Attacker attacks, how
many allies fight, and how the free riders of peacetime behave in war.

Derived here [D] (``docs/discussion/derivations.md#collective-defence``): an ally's gain from
joining is ``w_t v (p(K + k_i) - p(K)) - c_L + a``; its own capability ``k_i`` scales its
marginal contribution, so a member that spends less in peace also has less reason to fight in
war, and one that spends nothing joins only if its audience cost alone covers the cost of
fighting. Free riding in peace and unreliability in war go together unless the pledge's
audience cost binds.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError

__all__ = ["burden_link", "capabilities_from_spending"]


def capabilities_from_spending(contributions: Sequence[float], incomes: Sequence[float],
                               target_share: float) -> np.ndarray:
    """Wartime capabilities from peacetime spending: ``c_i / (target_share * w_i)``.

    Meeting the pledge exactly gives capability 1.

    Raises
    ------
    ParameterError
        ``target_share`` not in (0, 1), or lists of different lengths.
    """
    c = np.asarray(contributions, dtype=float)
    w = np.asarray(incomes, dtype=float)
    if not (_is_real(target_share) and 0 < target_share < 1):
        raise ParameterError(f"target_share must lie in (0, 1) to scale capabilities, got {target_share!r}",
                             name="target_share", value=target_share)
    if c.shape != w.shape:
        raise ParameterError(f"{len(c)} contributions for {len(w)} incomes", name="contributions")
    return c / (target_share * w)


def burden_link(game: Any, sanctions: Sequence[float], *, belief_policy: str = "prior",
                selection: str = "pessimistic", **values: Any) -> pd.DataFrame:
    """Sweep the pledge's sanction: peacetime spending, then the crisis with those capabilities.

    Parameters
    ----------
    game
        A :class:`~deterrence.studies.burden.BurdenGame` with a pledge (``target_share > 0``);
        its ``sanction`` is replaced by each value of ``sanctions``.
    sanctions
        The sanctions to sweep (each ``>= 0``).
    belief_policy
        PBE off-path beliefs for the crisis (default ``"prior"``: the consistent beliefs).
    selection
        ``"pessimistic"`` (the equilibrium with the highest ``p_attack``) or ``"optimistic"``.
    **values
        Parameters of ``collective_defence`` other than the capabilities (``credibility``,
        ``cost_ally``, ``audience_cost``, ...; one value, or a list per member).

    Returns
    -------
    pandas.DataFrame
        One row per sanction: ``sanction``, ``below_pledge`` (share of members spending less
        than the target), ``total_spending``, ``deterrent`` (the burden model's ``D(S)``),
        ``total_capability``, ``p_attack``, ``p_war``, ``expected_allies_at_war``,
        ``p_target_wins``, ``p_abandonment``, ``join_free_riders`` and ``join_contributors``
        (the mean probability of joining a war the Attacker starts, once started, of the members
        below / at or above the pledge; NaN where there are none), ``n_equilibria``.

    Raises
    ------
    ParameterError
        A game without a pledge target, a negative sanction, or a parameter the family refuses.
    """
    from ..catalogue.builders import collective_defence
    from .burden import BurdenGame, equilibrium

    if not isinstance(game, BurdenGame):
        raise ParameterError(f"game must be a BurdenGame, got {type(game).__name__}", name="game", value=game)
    sanctions = _sanctions(sanctions)
    if not game.target_share > 0:
        raise ParameterError("burden_link needs a pledge: a BurdenGame with target_share > 0",
                             name="target_share", value=game.target_share)
    if selection not in ("pessimistic", "optimistic"):
        raise ParameterError(f"selection must be 'pessimistic' or 'optimistic', got {selection!r}",
                             name="selection", value=selection)
    if "capability" in values:
        raise ParameterError("the capabilities come from the burden-sharing equilibrium; do not give them",
                             name="capability")
    rows = []
    for s in sanctions:
        eq = equilibrium(replace(game, sanction=float(s)))
        caps = capabilities_from_spending(eq.contributions, game.incomes, game.target_share)
        family = collective_defence(capability=list(caps), **values)
        rows.append({"sanction": float(s), "below_pledge": float(np.mean(~eq.meets_target)),
                     "total_spending": float(eq.total), "deterrent": float(eq.deterrence),
                     "total_capability": float(caps.sum()),
                     **_crisis(family, eq.meets_target, belief_policy, selection)})
    return pd.DataFrame(rows)


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool | np.bool_)


def _sanctions(sanctions: Any) -> list[float]:
    """The sanctions to sweep: a sequence of real numbers in ``[0, inf)``."""
    if isinstance(sanctions, str | bytes) or not isinstance(sanctions, Sequence | np.ndarray):
        raise ParameterError(f"sanctions must be a sequence of numbers, got {sanctions!r}", name="sanctions",
                             value=sanctions)
    for s in sanctions:
        if not (_is_real(s) and np.isfinite(s) and s >= 0):
            raise ParameterError(f"sanction {s!r} is outside [0, inf)", name="sanction", value=s)
    return [float(s) for s in sanctions]


def _crisis(family: Any, meets: np.ndarray, belief_policy: str, selection: str) -> Mapping[str, float]:
    """The selected equilibrium of the crisis and who joins."""
    from .._solve import solve

    g = family.game()
    eqs = list(solve(g, "pbe", belief_policy=belief_policy))
    sign = 1.0 if selection == "pessimistic" else -1.0
    e = max(eqs, key=lambda x: sign * x.indicators["p_attack"])
    summary = g.summary(e.strategies)
    join = g.war_stage(e.strategies, "defence").join
    return {"p_attack": e.indicators["p_attack"], "p_war": e.indicators["p_war"],
            "p_abandonment": e.indicators["p_abandonment"],
            "expected_allies_at_war": summary.measures["expected_allies_at_war"],
            "p_target_wins": summary.measures["p_target_wins"],
            "join_free_riders": float(join[~meets].mean()) if (~meets).any() else float("nan"),
            "join_contributors": float(join[meets].mean()) if meets.any() else float("nan"),
            "n_equilibria": len(eqs)}
