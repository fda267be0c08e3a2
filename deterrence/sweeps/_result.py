"""The result of a sweep: :class:`SweepResult` (table, manifest, storage, analysis, pictures).

A :class:`SweepResult` holds the tidy table and the manifest; it saves and loads itself
(CSV, Parquet, ``manifest.json``), reads a large sweep's table from its chunks on demand,
and offers the selected equilibria, regime tables and shares, partial dependence, Sobol
indices (:func:`sobol_estimates` without SALib) and the plots of :mod:`deterrence.plot`.
Made by :func:`deterrence.sweeps.sweep`; exported by :mod:`deterrence.sweeps`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SweepError
from ._design import salib_analyzer
from ._manifest import Manifest
from ._storage import atomic_write, read_chunks, read_manifest, write_manifest
from ._tidy import MEASURES, coerce


def write_csv(table: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a tidy table as CSV with pyarrow's writer (ten times pandas' speed).

    Floats are written in their shortest exact form (``pd.read_csv`` reads back the same
    numbers; a whole number is written without ``.0``), booleans as ``true``/``false``, text in
    double quotes, missing values as empty fields.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    pa_csv.write_csv(pa.Table.from_pandas(table, preserve_index=False), str(path))


# ====================================================================== the result
@dataclass(frozen=True, eq=False, init=False)
class SweepResult:
    """A finished sweep: the tidy table and the manifest that lets anyone redo it.

    Attributes
    ----------
    table
        One row per point and equilibrium (columns in :func:`deterrence.sweeps.column_order`).
        For a sweep too large to hold in memory (more than ``max_points`` points, run with
        ``out=``) it is read from the folder's chunks on first access.
    manifest
        A :class:`~deterrence.sweeps.Manifest`: model name and sha256, concept, belief policy,
        selection rule and its description, the design (grid values, or sample method, size,
        seed and bounds), fixed values, parameter descriptions, points per path, package
        versions, the command line, times and the chunk list. ``manifest["key"]`` gives a
        field as JSON data, as in ``manifest.json``.
    folder
        The folder the result lives in (``out=`` or :meth:`load`), or ``None``.
    """

    manifest: Manifest
    folder: Path | None

    def __init__(
        self,
        table: pd.DataFrame | None,
        manifest: Manifest | Mapping[str, Any] | None = None,
        folder: str | os.PathLike[str] | None = None,
    ) -> None:
        if table is None and folder is None:
            raise SweepError("a SweepResult needs a table or the folder that holds its chunks")
        if not isinstance(manifest, Manifest):
            manifest = Manifest.from_json(dict(manifest or {}))
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "manifest", manifest)
        object.__setattr__(self, "folder", None if folder is None else Path(folder))

    @property
    def table(self) -> pd.DataFrame:
        """The tidy table (read from the folder's chunks on first access if not in memory)."""
        if self._table is None:
            assert self.folder is not None
            object.__setattr__(self, "_table", read_chunks(self.folder, self.manifest.done))
        return self._table

    # ---------------------------------------------------------------- storage
    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write ``table.csv``, ``table.parquet`` and ``manifest.json`` into ``folder`` (atomically)."""
        path = Path(folder)
        if path.exists() and not path.is_dir():
            raise SweepError(f"{str(path)!r} exists and is not a folder")
        path.mkdir(parents=True, exist_ok=True)
        atomic_write(path / "table.parquet", lambda p: self.table.to_parquet(p, index=False))
        atomic_write(path / "table.csv", lambda p: write_csv(self.table, p))
        write_manifest(path / "manifest.json", self.manifest)
        return path

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> SweepResult:
        """Read a result written by :meth:`save` or by ``sweep(..., out=folder)``.

        Raises
        ------
        SweepError
            The folder has no manifest, or its sweep is not finished.
        """
        path = Path(folder)
        mpath = path / "manifest.json"
        if not mpath.is_file():
            raise SweepError(f"{path}: no manifest.json; not a saved sweep")
        manifest = Manifest.from_json(read_manifest(mpath))
        if (path / "table.parquet").is_file():
            table = pd.read_parquet(path / "table.parquet")
        elif (path / "table.csv").is_file():
            table = pd.read_csv(path / "table.csv")
        elif manifest.status == "complete":
            return cls(None, manifest, path)  # a large sweep: the chunks are the table
        else:
            raise SweepError(
                f"{path}: the sweep there is not finished ({len(manifest.done)} of "
                f"{manifest.n_chunks or '?'} chunks); run the same sweep with out='{path}' to resume it"
            )
        return cls(coerce(table), manifest, path)

    # ---------------------------------------------------------------- views
    @property
    def parameters(self) -> list[str]:
        """The model's parameter names (table columns)."""
        return list(self.manifest.parameters)

    @property
    def varied(self) -> list[str]:
        """The parameters the design varies."""
        design = self.manifest.design
        return list(design.varied) if design is not None else []

    def selected(self) -> pd.DataFrame:
        """The selected equilibrium's row at each point."""
        return self.table[self.table["selected"].to_numpy(dtype=bool)].reset_index(drop=True)

    def regime_table(self) -> pd.DataFrame:
        """One row per point: the parameters, the selected regime, ``n_equilibria`` and the set of
        regimes of all equilibria there (``regimes``, sorted, joined by ``" | "``)."""
        sel = self.selected()
        sets = self.table.groupby("point")["regime"].agg(lambda r: " | ".join(sorted(set(r))))
        out = sel[["point", *self.parameters, "regime", "n_equilibria"]].copy()
        out["regimes"] = out["point"].map(sets).to_numpy()
        return out

    def regime_shares(self) -> pd.Series:
        """Share of points in each selected regime, largest first."""
        return self.selected()["regime"].value_counts(normalize=True)

    def partial_dependence(self, indicator: str, parameter: str, bins: int = 20) -> pd.DataFrame:
        """Partial dependence of an indicator on one parameter (selected equilibria).

        The indicator is averaged over all other parameters at each grid value of
        ``parameter`` (grid designs) or within ``bins`` equal-width bins of it (samples).

        Returns
        -------
        pandas.DataFrame
            ``parameter``, ``mean``, ``std``, ``min``, ``max``, ``count``.
        """
        self._check_column(indicator)
        if parameter not in self.parameters:
            raise SweepError(f"unknown parameter '{parameter}'; parameters are {', '.join(self.parameters)}")
        sel = self.selected()
        x = sel[parameter].to_numpy(dtype=float)
        uniq = np.unique(x)
        design = self.manifest.design
        if (design is not None and design.kind == "grid") or len(uniq) <= bins:
            key = pd.Series(x)
        else:
            edges = np.linspace(uniq[0], uniq[-1], bins + 1)
            centre = (edges[:-1] + edges[1:]) / 2
            idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
            key = pd.Series(centre[idx])
        grouped = sel[indicator].groupby(key.to_numpy())
        out = grouped.agg(["mean", "std", "min", "max", "count"]).reset_index()
        return out.rename(columns={"index": parameter}).rename(columns={out.columns[0]: parameter})

    def sobol_indices(self, indicator: str = "p_attack") -> pd.DataFrame:
        """First-order and total Sobol indices of an indicator for each varied parameter.

        Needs a Saltelli design: ``sweep(model, samples=N, method="saltelli")`` (``N * (d + 2)``
        points). Uses ``SALib.analyze.sobol`` (with bootstrap confidence intervals) when SALib
        is installed; otherwise the same estimators in numpy (:func:`sobol_estimates`): Saltelli
        et al. (2010) for the first-order index, ``S_j = mean(f(B) (f(AB_j) - f(A))) / V``, and
        Jansen (1999) for the total index, ``ST_j = mean((f(A) - f(AB_j))^2) / (2 V)``, with ``f``
        centred and ``V`` the variance of ``f(A)`` and ``f(B)`` together (no confidence
        intervals). Uses the selected equilibrium at each point.

        Returns
        -------
        pandas.DataFrame
            Index: the varied parameters; columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf``;
            ``.attrs["estimator"]`` names the estimator used.
        """
        self._check_column(indicator)
        design = self.manifest.design
        if design is None or design.method != "saltelli":
            raise SweepError(
                "Sobol indices need a Saltelli design: run sweep(model, samples=N, method='saltelli')"
            )
        names = list(design.vary)
        d = len(names)
        n_points = int(design.samples or 0) * (d + 2)
        y = self.selected().sort_values("point")[indicator].to_numpy(dtype=float)
        if len(y) != n_points or not np.all(np.isfinite(y)):
            raise SweepError(
                f"Sobol indices need a finite {indicator} at every one of the {n_points} points"
            )
        salib = salib_analyzer()
        if salib is not None:
            bounds = design.bounds or {}
            problem = {"num_vars": d, "names": names, "bounds": [list(bounds[n]) for n in names]}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = salib.analyze(
                    problem, y, calc_second_order=False, print_to_console=False, seed=design.seed
                )
            out = pd.DataFrame(
                {"S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]},
                index=pd.Index(names, name="parameter"),
            )
            out.attrs["estimator"] = "SALib.analyze.sobol (Saltelli 2010 first order, Jansen total)"
            return out
        s1, st = sobol_estimates(y, d)
        out = pd.DataFrame(
            {"S1": s1, "S1_conf": np.nan, "ST": st, "ST_conf": np.nan},
            index=pd.Index(names, name="parameter"),
        )
        out.attrs["estimator"] = "numpy (Saltelli 2010 first order, Jansen 1999 total)"
        return out

    def _check_column(self, indicator: str) -> None:
        if indicator not in self.table.columns:
            raise SweepError(f"unknown indicator '{indicator}'; indicators are {', '.join(MEASURES)}")

    # ---------------------------------------------------------------- pictures
    def plot(
        self,
        x: str,
        y: str,
        indicator: str | None = "p_attack",
        ax: Any = None,
        path: str | os.PathLike[str] | None = None,
        at: Mapping[str, float] | None = None,
    ) -> Any:
        """A labelled regime map over two parameters (see :func:`deterrence.plot.regime_map`)."""
        from ..plot import regime_map

        return regime_map(self, x, y, indicator=indicator, ax=ax, path=path, at=at)

    def plot_lines(
        self,
        x: str,
        indicator: str = "p_attack",
        by: str | None = None,
        values: Sequence[float] | None = None,
        ax: Any = None,
        path: str | os.PathLike[str] | None = None,
    ) -> Any:
        """An indicator against one parameter, one line per value of another
        (see :func:`deterrence.plot.lines`)."""
        from ..plot import lines

        return lines(self, x, indicator=indicator, by=by, values=values, ax=ax, path=path)

    def __repr__(self) -> str:
        m = self.manifest
        name = m.model.name if m.model is not None else "?"
        rows = "?" if m.n_rows is None else m.n_rows
        return f"<SweepResult {name}: {m.n_points} points, {rows} rows, concept {m.concept}>"


def sobol_estimates(y: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """First-order (Saltelli 2010) and total (Jansen 1999) Sobol indices from a Saltelli design.

    ``y`` holds the model output in the layout of :func:`saltelli_unit`: per base row
    ``A, AB_1..AB_d, B``. The output is centred before estimating (as in SALib), which lowers the
    variance of the first-order estimator.
    """
    y = np.asarray(y, dtype=float)
    y = (y - y.mean()).reshape(-1, d + 2)  # centred first, as SALib does (lower variance)
    a, b, ab = y[:, 0], y[:, -1], y[:, 1:-1]
    var = np.var(np.concatenate([a, b]))
    if var == 0:
        return np.zeros(d), np.zeros(d)
    s1 = np.mean(b[:, None] * (ab - a[:, None]), axis=0) / var
    st = 0.5 * np.mean((a[:, None] - ab) ** 2, axis=0) / var
    return s1, st
