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
from typing import Any

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
    points = table["point"].to_numpy()
    return pd.Series(_first_smallest(points, key), index=table.index)


def _first_smallest(points: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Mask of the row with the smallest ``key`` of each point (ties: the first row; a missing
    key, as on a failed point's row, counts as the largest)."""
    mask = np.zeros(len(points), dtype=bool)
    key = np.where(np.isnan(key), np.inf, key)
    if len(points) and np.all(points[1:] >= points[:-1]):  # sorted by point: one pass per group
        starts = np.flatnonzero(np.r_[True, points[1:] != points[:-1]])
        group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(points)]))
        best = key == np.minimum.reduceat(key, starts)[group]
        first = np.flatnonzero(best)
        keep = np.r_[True, group[first[1:]] != group[first[:-1]]]
        mask[first[keep]] = True
        return mask
    order = np.lexsort((key, points))
    first = np.ones(len(order), dtype=bool)
    first[1:] = points[order][1:] != points[order][:-1]
    mask[order[first]] = True
    return mask


#: columns of whole numbers, of true/false and of text (every other column holds floats)
INTEGER_COLUMNS = ("point", "equilibrium", "n_equilibria")
BOOLEAN_COLUMNS = ("selected",)
TEXT_COLUMNS = ("regime", "path", "error")
#: the baseline's columns, filled by the sweep
BASELINE_COLUMNS = ("p_attack_baseline", "deterred")
#: the optional column of messages (``on_error="record"``)
ERROR_COLUMN = "error"
#: the columns :meth:`SweepResult.partial_dependence` and friends accept, as listed in messages
MEASURES = (*INDICATOR_NAMES, "deterred", "p_attack_baseline")


def payoff_column(player: str) -> str:
    """The column of a player's expected payoff."""
    return f"payoff_{player}"


def outcome_column(label: str) -> str:
    """The column of an outcome label's probability."""
    return f"outcome_{label}"


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
        *BASELINE_COLUMNS,
        *[payoff_column(p) for p in players],
        *[outcome_column(lab) for lab in labels],
        "regret",
        "bayes_error",
        "path",
    ]


def empty_row(columns: Sequence[str]) -> dict[str, Any]:
    """A row of a point without an equilibrium: every measure NaN, no equilibrium, not selected."""
    row: dict[str, Any] = dict.fromkeys(columns, np.nan)
    row.update({"equilibrium": 0, "n_equilibria": 0, "selected": False, ERROR_COLUMN: None})
    return row


def conform(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The table with exactly the schema's ``columns`` (plus ``error`` if it has one), in order,
    with fixed dtypes; a missing ``outcome_<label>`` column is 0 (the label is never reached),
    any other missing column NaN."""
    cols = list(columns)
    if ERROR_COLUMN in table.columns and ERROR_COLUMN not in cols:
        cols.append(ERROR_COLUMN)
    for c in cols:
        if c not in table.columns:
            table[c] = 0.0 if c.startswith(outcome_column("")) else np.nan
    return coerce(table[cols])


def coerce(table: pd.DataFrame) -> pd.DataFrame:
    """Fixed dtypes for the tidy columns (so chunks concatenate and round-trip identically); a
    new frame, sharing the columns whose type is already right."""
    wanted = {
        **dict.fromkeys(INTEGER_COLUMNS, np.dtype(np.int64)),
        **dict.fromkeys(BOOLEAN_COLUMNS, np.dtype(bool)),
        **dict.fromkeys(TEXT_COLUMNS, np.dtype(object)),
    }
    columns = {}
    for col in table.columns:
        dtype = wanted.get(col, np.dtype(float))
        series = table[col]
        columns[col] = series if series.dtype == dtype else series.astype(dtype)
    if ERROR_COLUMN in columns:
        columns[ERROR_COLUMN] = errors_or_none(columns[ERROR_COLUMN])
    return pd.DataFrame(columns, index=table.index, copy=False)


def errors_or_none(series: pd.Series) -> pd.Series:
    """The ``error`` column with ``None`` where nothing failed (pandas may have made it NaN), so
    that a row reads the same whichever path or chunk it came from."""
    missing = series.isna()
    if not missing.any() or series[missing].map(lambda v: v is None).all():
        return series
    return series.astype(object).where(~missing, None)
