"""Tidy rows from equilibria: the one table schema every sweep path (compiled or per point) writes.

One row per (parameter point, equilibrium). Columns, in order:

``point``
    global index of the parameter point;
the model's parameters (one column each);
``equilibrium``, ``n_equilibria``
    index of this equilibrium at the point, and how many hold there;
``regime``
    the equilibrium class (:func:`deterrence.outcomes.regime_label`, or the model's named class);
``selected``
    True for the one equilibrium per point that the selection rule picks (for maps);
the indicators ``p_attack``, ``p_war``, ``p_allied_war``, ``p_entrapment``, ``p_abandonment``;
``p_attack_baseline``, ``deterred``
    the no-pledge baseline's ``p_attack`` (of its selected equilibrium) and the pledge's
    deterrent effect ``p_attack_baseline - p_attack``;
``payoff_<player>`` per player; ``outcome_<label>`` per outcome label;
``regret``, ``bayes_error``
    from the certificate;
``path``
    ``"compiled"`` or ``"pointwise"``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..outcomes import INDICATOR_NAMES

#: selection rules for one regime per point (recorded in every manifest)
SELECTIONS: dict[str, str] = {
    "pessimistic": "the equilibrium with the highest p_attack (worst case for deterrence); ties: first",
    "optimistic": "the equilibrium with the lowest p_attack (best case for deterrence); ties: first",
    "first": "the first equilibrium the solver reports",
}


def select(table: pd.DataFrame, rule: str = "pessimistic") -> pd.Series:
    """Boolean mask: one selected row per ``point``.

    Parameters
    ----------
    table
        A tidy table with ``point``, ``equilibrium`` and ``p_attack`` columns.
    rule
        One of :data:`SELECTIONS`.
    """
    if rule not in SELECTIONS:
        from ..errors import SweepError

        raise SweepError(f"unknown selection rule '{rule}'; rules are {', '.join(SELECTIONS)}")
    if table.empty:
        return pd.Series([], dtype=bool, index=table.index)
    if rule == "first":
        key = table["equilibrium"].to_numpy(dtype=float)
    elif rule == "pessimistic":
        key = (
            -table["p_attack"].to_numpy(dtype=float) * 1e6 + table["equilibrium"].to_numpy(dtype=float) * 1e-3
        )
    else:
        key = (
            table["p_attack"].to_numpy(dtype=float) * 1e6 + table["equilibrium"].to_numpy(dtype=float) * 1e-3
        )
    order = np.lexsort((key, table["point"].to_numpy()))
    pts = table["point"].to_numpy()[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = pts[1:] != pts[:-1]
    mask = np.zeros(len(table), dtype=bool)
    mask[order[first]] = True
    return pd.Series(mask, index=table.index)


def column_order(parameters: Sequence[str], players: Sequence[str], labels: Sequence[str]) -> list[str]:
    """The canonical column order of a tidy table."""
    return [
        "point",
        *parameters,
        "equilibrium",
        "n_equilibria",
        "regime",
        "selected",
        *INDICATOR_NAMES,
        "p_attack_baseline",
        "deterred",
        *[f"payoff_{p}" for p in players],
        *[f"outcome_{lab}" for lab in labels],
        "regret",
        "bayes_error",
        "path",
    ]
