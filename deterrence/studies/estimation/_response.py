"""The observed outcome of each row, as the index of a terminal of the tree (0 = leftmost).

The package accepts the outcome as

* **one column**: numbers or labels with exactly as many distinct values as the tree has
  outcomes, taken in sorted order (a categorical column: in its category order) from left to
  right. Numbers that are the tree's terminal ids (1, 3, 4 for ``egame12``) or 1..K are taken as
  those outcomes even if some never occur, so that a missing outcome is reported as such;
  ``outcomes=[...]`` (values in tree order) states the mapping explicitly.
* **dummy columns**, one per move as the package defines them (``esc + war`` for ``egame12``:
  Player 1 escalates, Player 2 fights), each 0 or 1; a move that was not reached may hold either.

Outcome names (used for the columns of predictions) are the values, or, for dummies, the moves
spelt out as in the package (``~esc``, ``esc,~war``, ``esc,war``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ...errors import ParameterError
from ._trees import Tree


def code_response(
    tree: Tree, df: pd.DataFrame, lhs: Sequence[str], outcomes: Sequence[Any] | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """``(index of the outcome of each row, outcome names)``."""
    if not lhs:
        raise ParameterError(
            f"the formula names no outcome: write the outcome column(s) left of '~' ({_dummy_hint(tree)})",
            name="formula",
        )
    if len(lhs) == 1:
        return _single(tree, df[lhs[0]], lhs[0], outcomes)
    if outcomes is not None:
        raise ParameterError(
            "outcomes= applies to a single outcome column, not to dummy columns", name="outcomes"
        )
    return _dummies(tree, df, lhs)


def _dummy_hint(tree: Tree) -> str:
    counts = " or ".join(str(k) for k in tree.dummy_layouts)
    return f"one column of outcomes, or {counts} dummy columns joined by '+'"


def _single(
    tree: Tree, series: pd.Series, column: str, outcomes: Sequence[Any] | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    k = len(tree.outcomes)
    values = series.to_numpy()
    if outcomes is not None:
        levels = list(outcomes)
        if len(levels) != k or len(set(levels)) != k:
            raise ParameterError(
                f"outcomes= must list {k} distinct values, one per outcome of {tree.name} left to right",
                name="outcomes",
                value=outcomes,
            )
    else:
        levels = _levels(tree, series, column)
    index = {v: i for i, v in enumerate(levels)}
    unknown = sorted({v for v in series.unique() if v not in index}, key=str)
    if unknown:
        raise ParameterError(
            f"outcome value(s) {unknown} in column '{column}' are not outcomes of {tree.name} "
            f"(outcomes, left to right: {levels}); give outcomes=[...] to map the values",
            name=column,
            value=unknown,
        )
    y = np.array([index[v] for v in values], dtype=np.int64)
    return y, tuple(_name(v) for v in levels)


def _name(v: Any) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _levels(tree: Tree, series: pd.Series, column: str) -> list[Any]:
    k = len(tree.outcomes)
    if isinstance(series.dtype, pd.CategoricalDtype) and len(series.cat.categories) == k:
        return list(series.cat.categories)
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    found = sorted(series.unique()) if numeric else sorted(series.unique(), key=str)
    if numeric:
        as_set = {float(v) for v in found}
        for ids in (tree.outcomes, tuple(range(1, k + 1))):
            if as_set <= {float(i) for i in ids}:
                return [type(found[0])(i) for i in ids] if found else list(ids)
    if len(found) == k:
        return found
    raise ParameterError(
        f"column '{column}' has {len(found)} distinct outcome value(s) {found[:10]}, but {tree.name} has {k} "
        f"outcomes (terminals {list(tree.outcomes)}); use the terminal numbers, 1..{k}, or give "
        "outcomes=[...] in tree order",
        name=column,
        value=found[:10],
    )


def _dummies(tree: Tree, df: pd.DataFrame, lhs: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    layout = tree.dummy_layouts.get(len(lhs))
    if layout is None:
        raise ParameterError(
            f"{tree.name} takes {_dummy_hint(tree)}; the formula names {len(lhs)} outcome columns "
            f"{list(lhs)}",
            name="formula",
        )
    cols = []
    for name in lhs:
        v = df[name].to_numpy()
        if pd.api.types.is_bool_dtype(df[name]):
            v = v.astype(int)
        try:
            ok = np.isin(v.astype(float), (0.0, 1.0))
        except (TypeError, ValueError):
            ok = np.zeros(len(v), dtype=bool)
        if not ok.all():
            bad = sorted({str(x) for x in v[~ok]})[:5]
            raise ParameterError(
                f"dummy outcome column '{name}' must hold 0 or 1, found {bad}", name=name, value=bad
            )
        cols.append(v.astype(float).astype(int))
    y = np.full(len(df), -1, dtype=np.int64)
    names = []
    for j, outcome in enumerate(tree.outcomes):
        path = tree.path(outcome)
        rows = np.ones(len(df), dtype=bool)
        for decision, action in path:
            rows &= cols[layout[decision]] == action
        y[rows] = j
        names.append(",".join(("" if a else "~") + lhs[layout[d]] for d, a in path))
    return y, tuple(names)
