"""Per-point evaluation: build the game at each parameter point, solve it, write tidy rows.

This is the fallback path of a sweep (and the reference the compiled kernels are tested
against): for every row of a table of parameter points it calls ``model.game(**row)`` and
:func:`deterrence.solve`, and writes one row per certified equilibrium in the schema of
:mod:`deterrence.sweeps._tidy`, with ``path="pointwise"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DeterrenceError, OrderingError, SweepError
from ..outcomes import indicator_values, label_order, regime_labels
from ._tidy import ERROR_COLUMN, coerce, column_order, empty_row, outcome_column, payoff_column

ON_ERROR = ("raise", "record")


def parameter_names(model: Any) -> list[str]:
    """The model's parameter names, in declaration order."""
    return list(model.parameters)


def schema(model: Any) -> tuple[list[str], list[str]]:
    """Players and outcome labels of a model's games, as used for the tidy columns.

    Players come from ``model.players`` when the model declares them, else from the game at
    the defaults; outcome labels are those that occur in the game at the defaults, in
    vocabulary order (the tree, hence the label set, is the same at every point). A model family
    (:mod:`deterrence.families`) states its own.
    """
    if callable(getattr(model, "schema", None)):
        players, labels = model.schema()
        return list(players), list(labels)
    game = model.game()
    players = [str(p) for p in getattr(model, "players", None) or game.players]
    found: set[str] = set()
    if game.kind == "extensive":
        for labels in game.terminal_outcomes:
            found.update(labels)
    else:
        found.update(game.outcomes)
    return players, label_order(found)


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
    if on_error not in ON_ERROR:
        raise SweepError(f"unknown on_error '{on_error}'; choose one of {', '.join(ON_ERROR)}")
    given = _given_parameters(model, points)
    if players is None or labels is None:
        p0, l0 = schema(model)
        players = p0 if players is None else players
        labels = l0 if labels is None else labels
    columns = [*column_order(parameter_names(model), players, labels), *getattr(model, "measures", ())]
    if on_error == "record":
        columns.append(ERROR_COLUMN)
    solved = _solve_points(model, points, given, concept, belief_policy, on_error, solve_options)
    return coerce(pd.DataFrame(_rows(model, solved, columns, players, labels), columns=columns))


def _given_parameters(model: Any, points: pd.DataFrame) -> list[str]:
    """The parameter columns of ``points`` (a ``SweepError`` names any that is no parameter)."""
    given = [c for c in points.columns if c != "point"]
    unknown = [c for c in given if c not in model.parameters]
    if unknown:
        raise SweepError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))} for model "
            f"'{getattr(model, 'name', '?')}'; parameters are {', '.join(parameter_names(model))}"
        )
    return given


@dataclass(frozen=True)
class _Solved:
    """One point: its id and parameter values, and its equilibria or the error that stopped it."""

    point: int
    values: dict[str, float]
    equilibria: Any = None
    error: str | None = None
    game: Any = None


def _solve_points(
    model: Any,
    points: pd.DataFrame,
    given: Sequence[str],
    concept: str,
    belief_policy: str,
    on_error: str,
    solve_options: Mapping[str, Any],
) -> list[_Solved]:
    """Build and solve the game at every point (``on_error="record"`` keeps failures as errors)."""
    from .._solve import solve  # late: keeps the import graph one-way and light
    from ..solvers import belief_options

    defaults = {n: float(model.parameters[n].default) for n in parameter_names(model)}
    ids = _point_ids(points)
    columns = {c: points[c].to_numpy(dtype=float) for c in given}
    out = []
    for k in range(len(points)):
        values = {**defaults, **{c: float(columns[c][k]) for c in given}}
        try:
            game = _game_at(model, {c: values[c] for c in given}, on_error)
            eqs = solve(game, concept, **belief_options(concept, belief_policy), **solve_options)
        except DeterrenceError as exc:
            if on_error == "raise":
                exc.add_note(f"at sweep point {int(ids[k])}: {_describe(values)}")
                raise
            out.append(_Solved(int(ids[k]), values, error=f"{type(exc).__name__}: {exc}"))
            continue
        out.append(_Solved(int(ids[k]), values, equilibria=eqs, game=game))
    return out


#: what a sweep can do with a point that violates an ordering (it takes no ``check_orderings``)
_SWEEP_ORDERING_HINT = (
    "a sweep solves only points that keep the model's orderings: choose grid values that keep it"
)

#: the same, where the sweep stops at the point (``on_error="raise"``): it can record it instead
_RAISE_ORDERING_HINT = (
    f"{_SWEEP_ORDERING_HINT}, or record such points as errors with on_error='record' "
    "(on the command line: --on-error record)"
)


def _game_at(model: Any, values: Mapping[str, float], on_error: str) -> Any:
    """``model.game(**values)``, an ordering violation told as a sweep can act on it (the model's own
    advice, ``check_orderings=False``, is an option sweeps do not take; ``on_error="record"``, the
    option a raising sweep can take, is advised only there: a recorded error's run already records)."""
    try:
        return model.game(**values)
    except OrderingError as exc:
        raise exc.with_advice(_RAISE_ORDERING_HINT if on_error == "raise" else _SWEEP_ORDERING_HINT) from None


def _rows(model: Any, solved: Sequence[_Solved], columns: Sequence[str], players: Sequence[str],
          labels: Sequence[str]) -> list[dict[str, Any]]:
    """Tidy rows: one per equilibrium, one (``error`` or ``no_equilibrium``) per point without one.
    A model with a ``table_values(game, equilibrium)`` method (a model family) fills its own
    columns from it: the payoff of a player the table aggregates and the family's measures.

    The regime and the indicators of every equilibrium are computed at once, on arrays, by
    :mod:`deterrence.outcomes` (the rules the compiled kernels use).
    """
    rows: list[dict[str, Any]] = []
    eqs: list[Any] = []
    own = getattr(model, "table_values", None)  # a model family's own columns (mean ally payoff, measures)
    for item in solved:
        base = {"point": item.point, **item.values}
        if item.equilibria is None or len(item.equilibria) == 0:
            row = {**empty_row(columns), **base, "path": "pointwise", ERROR_COLUMN: item.error}
            row["regime"] = "error" if item.equilibria is None else "no_equilibrium"
            rows.append(row)
            continue
        for j, eq in enumerate(item.equilibria):
            row = {**empty_row(columns), **base, "equilibrium": j, "n_equilibria": len(item.equilibria)}
            for p in players:
                row[payoff_column(p)] = float(eq.payoffs.get(p, np.nan))
            for lab in labels:
                row[outcome_column(lab)] = float(eq.outcomes.get(lab, 0.0))
            row.update(regret=float(eq.certificate.regret), bayes_error=float(eq.certificate.bayes_error))
            if own is not None:
                row.update(own(item.game, eq))
            row["path"] = "pointwise"
            rows.append(row)
            eqs.append((row, eq))
    _label_equilibria(eqs)
    return rows


def _label_equilibria(eqs: Sequence[tuple[dict[str, Any], Any]]) -> None:
    """Fill in the regime and the indicators of every equilibrium row (in place, vectorised)."""
    if not eqs:
        return
    found = label_order({lab for _row, eq in eqs for lab in eq.outcomes})
    outcome = {lab: np.array([float(eq.outcomes.get(lab, 0.0)) for _row, eq in eqs]) for lab in found}
    pure = np.array([eq.is_pure() for _row, eq in eqs], dtype=bool)
    regimes = regime_labels(outcome, pure, n=len(eqs))
    values = indicator_values(outcome, np.zeros(len(eqs)))
    for k, (row, _eq) in enumerate(eqs):
        row["regime"] = regimes[k]
        row.update({name: float(v[k]) for name, v in values.items()})
