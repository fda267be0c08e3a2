"""From a data frame and parsed formula parts to design matrices, with R's ``model.frame`` rules.

* The columns a formula uses must exist (a misspelt name is an error that suggests the nearest).
* ``subset`` (a boolean mask) is applied first; then rows with a missing value in any used column
  are dropped and counted (R's ``na.omit``).
* Numeric columns enter as they are. Text and categorical columns are factors: dummies for every
  level but the first (categories in their declared order, text sorted, unused levels dropped),
  named ``<column><level>`` as in R (``regime1dem``). Boolean columns are the factor
  ``FALSE``/``TRUE`` (``revis1TRUE``). Products ``a:b`` are of numeric columns only.
* A text column whose values are numbers written as text (``"0.71"``), or nearly all numbers
  with a few stray entries (``"abc"``, ``"n/a"``), is an error rather than a factor with one dummy
  per distinct number: convert it with ``pd.to_numeric`` (``errors="coerce"`` makes the stray
  entries missing), or make it a ``pd.Categorical`` to use it as a factor.
* A part's columns must be linearly independent: a constant regressor next to the intercept, or a
  column that repeats a combination of others, is an error naming it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import ParameterError, UnsupportedError
from ._formula import Part

INTERCEPT = "(Intercept)"


@dataclass(frozen=True)
class Coding:
    """How one data column enters the design: ``numeric`` or ``factor`` (with its levels)."""

    name: str
    kind: str
    levels: tuple[Any, ...] = ()

    def label(self, level: Any) -> str:
        if isinstance(level, (bool, np.bool_)):
            return f"{self.name}{'TRUE' if level else 'FALSE'}"
        return f"{self.name}{level}"


@dataclass(frozen=True)
class Frame:
    """The rows used in a fit.

    Attributes
    ----------
    data
        The used columns of the kept rows (original index).
    codings
        How each column enters.
    n_input
        Rows in the data given.
    n_subset
        Rows removed by ``subset``.
    n_missing
        Rows dropped for a missing value in a used column.
    missing_by_column
        How many of the dropped rows lack each column.
    """

    data: pd.DataFrame
    codings: dict[str, Coding]
    n_input: int
    n_subset: int
    n_missing: int
    missing_by_column: dict[str, int]


def as_frame(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if data is None:
        raise ParameterError("no data: pass a pandas DataFrame (or a dict of columns)", name="data")
    try:
        return pd.DataFrame(data)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"data must be a DataFrame or a dict of columns ({exc})", name="data") from exc


def check_columns(df: pd.DataFrame, names: Sequence[str], where: dict[str, str]) -> None:
    """Every name is a column; otherwise a ParameterError naming it, where it is used, and the
    nearest column names."""
    for name in names:
        if name in df.columns:
            continue
        near = difflib.get_close_matches(name, [str(c) for c in df.columns], n=3)
        hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else ""
        raise ParameterError(
            f"column '{name}' ({where.get(name, 'used by the formula')}) is not in the data{hint} "
            f"(columns: {', '.join(map(str, list(df.columns)[:25]))}{' ...' if df.shape[1] > 25 else ''})",
            name=name,
        )


def _subset_mask(df: pd.DataFrame, subset: Any) -> np.ndarray:
    if subset is None:
        return np.ones(len(df), dtype=bool)
    if isinstance(subset, str):
        raise ParameterError(
            "subset must be a boolean mask (e.g. data['year'] >= 1850), not text: text is never evaluated",
            name="subset",
            value=subset,
        )
    if callable(subset):
        subset = subset(df)
    mask = np.asarray(subset)
    if mask.dtype != bool or mask.shape != (len(df),):
        raise ParameterError(
            f"subset must be a boolean mask with one entry per row ({len(df)}), got dtype {mask.dtype} "
            f"and shape {mask.shape}",
            name="subset",
        )
    return mask


def _is_factor(series: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


#: share of a text column's values that parse as numbers from which it is taken for a numeric
#: column stored as text (and refused) rather than a factor
NUMERIC_TEXT_SHARE = 0.9


def _refuse_numbers_as_text(name: str, series: pd.Series) -> None:
    """Raise if a text column holds numbers written as text (all, or nearly all, of its values)."""
    if len(series) == 0:
        return
    parsed = pd.to_numeric(series.astype(str).str.strip(), errors="coerce")
    numeric = parsed.notna().to_numpy()
    if numeric.mean() < NUMERIC_TEXT_SHARE:
        return
    factor = "or make it a pd.Categorical to use it as a factor"
    if numeric.all():
        raise ParameterError(
            f"column '{name}' holds numbers written as text (e.g. {series.iloc[0]!r}): as text it would "
            f"enter as a factor with one dummy per distinct value ({series.nunique()}); convert it with "
            f"pd.to_numeric, {factor}",
            name=name,
        )
    stray = series[~numeric]
    shown = ", ".join(f"{v!r} (row {i!r})" for i, v in stray.head(3).items())
    raise ParameterError(
        f"column '{name}' holds numbers and {len(stray)} text value(s) that are not: {shown}"
        f"{' ...' if len(stray) > 3 else ''}; convert it with pd.to_numeric(..., errors='coerce') (which "
        f"makes those entries missing), {factor}",
        name=name,
    )


def _coding(name: str, series: pd.Series, outcome: bool = False) -> Coding:
    if pd.api.types.is_bool_dtype(series):
        return Coding(name, "factor", (False, True))
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.unique())
        return Coding(name, "factor", tuple(c for c in series.cat.categories if c in present))
    if _is_factor(series):
        if not outcome:  # an outcome column may hold its outcome numbers as text
            _refuse_numbers_as_text(name, series)
        return Coding(name, "factor", tuple(sorted(series.unique(), key=str)))
    values = series.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        raise ParameterError(
            f"column '{name}' holds {int(bad.sum())} infinite value(s) (first at row "
            f"{series.index[int(np.argmax(bad))]!r}); replace them or drop those rows",
            name=name,
        )
    return Coding(name, "numeric")


def model_frame(
    df: pd.DataFrame, variables: Sequence[str], subset: Any = None, outcomes: Sequence[str] = ()
) -> Frame:
    """The rows and column codings of a fit (see the module docstring); ``outcomes`` names the
    outcome columns, which may hold numbers as text."""
    mask = _subset_mask(df, subset)
    used = df.loc[mask, list(variables)]
    missing = used.isna()
    keep = ~missing.any(axis=1).to_numpy()
    dropped = {c: int(missing[c].sum()) for c in used.columns if missing[c].any()}
    kept = used.loc[keep]
    if len(kept) == 0:
        raise ParameterError(
            f"no rows left: {int((~mask).sum())} removed by subset, {int((~keep).sum())} with a missing "
            f"value (by column: {dropped})",
            name="data",
        )
    codings = {name: _coding(name, kept[name], name in outcomes) for name in variables}
    return Frame(kept, codings, len(df), int((~mask).sum()), int((~keep).sum()), dropped)


def _column(df: pd.DataFrame, coding: Coding) -> tuple[np.ndarray, list[str]]:
    """The design columns of one variable."""
    series = df[coding.name]
    if coding.kind == "numeric":
        return series.to_numpy(dtype=float)[:, None], [coding.name]
    unknown = sorted({v for v in series.unique() if v not in set(coding.levels)}, key=str)
    if unknown:
        raise ParameterError(
            f"column '{coding.name}' has level(s) {unknown} that the fit did not see; levels are "
            f"{list(coding.levels)}",
            name=coding.name,
        )
    values = series.to_numpy()
    cols = [(values == level).astype(float) for level in coding.levels[1:]]
    return (np.column_stack(cols) if cols else np.zeros((len(df), 0))), [
        coding.label(v) for v in coding.levels[1:]
    ]


def design_matrix(
    df: pd.DataFrame, part: Part, codings: dict[str, Coding], where: str
) -> tuple[np.ndarray, list[str]]:
    """The columns of one formula part on the rows of ``df``: intercept first, then each term."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    if part.intercept:
        blocks.append(np.ones((len(df), 1)))
        names.append(INTERCEPT)
    for term in part.terms:
        if len(term) == 1:
            x, labels = _column(df, codings[term[0]])
        else:
            factors = [v for v in term if codings[v].kind != "numeric"]
            if factors:
                raise UnsupportedError(
                    f"the product '{':'.join(term)}' in {where} involves the factor '{factors[0]}'; make "
                    "the dummy columns you want in the data and multiply those"
                )
            x = np.prod([df[v].to_numpy(dtype=float) for v in term], axis=0)[:, None]
            labels = [":".join(term)]
        blocks.append(x)
        names += labels
    X = np.column_stack(blocks) if blocks else np.zeros((len(df), 0))
    return X, names


def check_independent(X: np.ndarray, names: list[str], where: str) -> None:
    """Raise if a column of ``X`` is constant beside the intercept or a combination of earlier ones."""
    for j in range(X.shape[1]):
        col = X[:, j]
        if names[j] != INTERCEPT and INTERCEPT in names[:j] and np.ptp(col) == 0:
            raise ParameterError(
                f"regressor '{names[j]}' in {where} is constant ({col[0]:g}) on the {len(col)} rows used: "
                "it cannot be told apart from the intercept; remove it, or drop the intercept with '- 1'",
                name=names[j],
            )
        if j == 0:
            if not np.any(col):
                raise ParameterError(
                    f"regressor '{names[j]}' in {where} is zero on every row used", name=names[j]
                )
            continue
        prev = X[:, :j]
        coef, *_ = np.linalg.lstsq(prev, col, rcond=None)
        resid = col - prev @ coef
        if np.linalg.norm(resid) <= 1e-9 * max(1.0, np.linalg.norm(col)):
            combo = [names[i] for i in np.flatnonzero(np.abs(coef) > 1e-9)]
            raise ParameterError(
                f"regressor '{names[j]}' in {where} is a linear combination of {combo} on the rows used "
                "(perfect collinearity): remove one of them",
                name=names[j],
            )
