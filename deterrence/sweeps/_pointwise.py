"""Per-point evaluation: build the game at each parameter point, solve it, write tidy rows.

This is the fallback path of a sweep (and the reference the compiled kernels are tested
against): for every row of a table of parameter points it calls ``model.game(**row)`` and
:func:`deterrence.solve`, and writes one row per certified equilibrium in the schema of
:mod:`deterrence.sweeps._tidy`, with ``path="pointwise"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DeterrenceError, SweepError
from ..outcomes import INDICATOR_NAMES, OUTCOMES, indicators, regime_label
from ._tidy import column_order

ON_ERROR = ("raise", "record")


def parameter_names(model: Any) -> list[str]:
    """The model's parameter names, in declaration order."""
    return list(model.parameters)


def schema(model: Any) -> tuple[list[str], list[str]]:
    """Players and outcome labels of a model's games, as used for the tidy columns.

    Players come from ``model.players`` when the model declares them, else from the game at
    the defaults; outcome labels are those that occur in the game at the defaults, in
    vocabulary order (the tree, hence the label set, is the same at every point).
    """
    game = model.game()
    players = [str(p) for p in getattr(model, "players", None) or game.players]
    found: set[str] = set()
    if game.kind == "extensive":
        for labels in game.terminal_outcomes:
            found.update(labels)
    else:
        found.update(game.outcomes)
    order = {lab: k for k, lab in enumerate(OUTCOMES)}
    labels = sorted(found, key=lambda x: (order.get(x, len(order)), x))
    return players, labels


def _point_ids(points: pd.DataFrame) -> np.ndarray:
    if "point" in points.columns:
        return points["point"].to_numpy(dtype=np.int64)
    return np.arange(len(points), dtype=np.int64)


def _describe(values: Mapping[str, float]) -> str:
    return ", ".join(f"{k}={v:.6g}" for k, v in values.items())


def evaluate_points(
    model: Any,
    points: pd.DataFrame,
    concept: str = "pbe",
    belief_policy: str = "free",
    *,
    on_error: str = "raise",
    players: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    **solve_options: Any,
) -> pd.DataFrame:
    """Solve the model's game at every parameter point; one tidy row per equilibrium.

    Parameters
    ----------
    model
        A :class:`~deterrence.Model` (anything with ``.parameters`` and ``.game(**values)``).
    points
        One row per point: a column per parameter to set (parameters not given take their
        defaults) and optionally a ``point`` column with global point ids (else ``0..n-1``).
    concept, belief_policy
        Passed to :func:`deterrence.solve`.
    on_error
        ``"raise"`` (default): a point whose game cannot be built or solved raises the
        library's error, with a note naming the point. ``"record"``: such a point gets one
        row with ``regime="error"`` and the message in an ``error`` column.
    players, labels
        The tidy columns' players and outcome labels (default: :func:`schema`).
    **solve_options
        Further options for :func:`deterrence.solve` (``method``, ``tol``, ``lam``, ...).

    Returns
    -------
    pandas.DataFrame
        Columns in :func:`deterrence.sweeps.column_order` (plus ``error`` when
        ``on_error="record"``); ``selected`` is False and the baseline columns are NaN
        (the sweep fills them).

    Raises
    ------
    SweepError
        Unknown ``on_error`` or a column that is not a parameter.
    DeterrenceError
        The first point whose game or solve fails (``on_error="raise"``).
    """
    from .._solve import solve  # late: keeps the import graph one-way and light
    from ..solvers import belief_options

    if on_error not in ON_ERROR:
        raise SweepError(f"unknown on_error '{on_error}'; choose one of {', '.join(ON_ERROR)}")
    names = parameter_names(model)
    given = [c for c in points.columns if c != "point"]
    unknown = [c for c in given if c not in model.parameters]
    if unknown:
        raise SweepError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))} for model "
            f"'{getattr(model, 'name', '?')}'; parameters are {', '.join(names)}"
        )
    if players is None or labels is None:
        p0, l0 = schema(model)
        players = p0 if players is None else players
        labels = l0 if labels is None else labels
    defaults = {n: float(model.parameters[n].default) for n in names}
    ids = _point_ids(points)
    columns = {c: points[c].to_numpy(dtype=float) for c in given}
    rows: list[dict[str, Any]] = []
    for k in range(len(points)):
        values = dict(defaults)
        values.update({c: float(columns[c][k]) for c in given})
        base = {"point": int(ids[k]), **values}
        try:
            game = model.game(**{c: values[c] for c in given})
            eqs = solve(game, concept, **belief_options(concept, belief_policy), **solve_options)
        except DeterrenceError as exc:
            if on_error == "raise":
                exc.add_note(f"at sweep point {int(ids[k])}: {_describe(values)}")
                raise
            rows.append(_error_row(base, players, labels, f"{type(exc).__name__}: {exc}"))
            continue
        if len(eqs) == 0:
            row = _error_row(base, players, labels, None)
            row["regime"] = "no_equilibrium"
            row["n_equilibria"] = 0
            rows.append(row)
            continue
        for j, eq in enumerate(eqs):
            row = dict(base)
            row["equilibrium"] = j
            row["n_equilibria"] = len(eqs)
            row["regime"] = regime_label(eq.outcomes, eq.is_pure())
            row["selected"] = False
            row.update(indicators(eq.outcomes))
            row["p_attack_baseline"] = np.nan
            row["deterred"] = np.nan
            for p in players:
                row[f"payoff_{p}"] = float(eq.payoffs.get(p, np.nan))
            for lab in labels:
                row[f"outcome_{lab}"] = float(eq.outcomes.get(lab, 0.0))
            row["regret"] = float(eq.certificate.regret)
            row["bayes_error"] = float(eq.certificate.bayes_error)
            row["path"] = "pointwise"
            if on_error == "record":
                row["error"] = None
            rows.append(row)
    cols = column_order(names, players, labels)
    if on_error == "record":
        cols.append("error")
    table = pd.DataFrame(rows, columns=cols)
    return coerce(table)


def _error_row(base: dict[str, Any], players: Sequence[str], labels: Sequence[str],
               message: str | None) -> dict[str, Any]:
    row = dict(base)
    row.update({"equilibrium": 0, "n_equilibria": 0, "regime": "error", "selected": False})
    row.update({name: np.nan for name in INDICATOR_NAMES})
    row.update({"p_attack_baseline": np.nan, "deterred": np.nan})
    row.update({f"payoff_{p}": np.nan for p in players})
    row.update({f"outcome_{lab}": np.nan for lab in labels})
    row.update({"regret": np.nan, "bayes_error": np.nan, "path": "pointwise", "error": message})
    return row


def coerce(table: pd.DataFrame) -> pd.DataFrame:
    """Fixed dtypes for the tidy columns (so chunks concatenate and round-trip identically)."""
    out = table.copy()
    for col in ("point", "equilibrium", "n_equilibria"):
        if col in out:
            out[col] = out[col].astype(np.int64)
    if "selected" in out:
        out["selected"] = out["selected"].astype(bool)
    for col in ("regime", "path"):
        if col in out:
            out[col] = out[col].astype(object)
    if "error" in out:
        out["error"] = out["error"].astype(object)
    skip = {"point", "equilibrium", "n_equilibria", "selected", "regime", "path", "error"}
    for col in out.columns:
        if col not in skip:
            out[col] = out[col].astype(float)
    return out
