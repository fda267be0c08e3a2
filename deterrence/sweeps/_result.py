"""The result of a sweep: :class:`SweepResult` (table, manifest, storage, analysis, pictures).

A :class:`SweepResult` holds the tidy table and the manifest; it saves and loads itself
(CSV, Parquet, ``manifest.json``), reads a table kept in a folder (its table files, or a large
sweep's chunks) on demand, and offers the selected equilibria, regime tables and shares,
partial dependence, Sobol indices (:func:`sobol_estimates` without SALib) and the plots of
:mod:`deterrence.plot`. Its summary (:meth:`SweepResult.summary`) and its pictures of a table
left in a folder are computed a part at a time, with bounded memory, however large the sweep.
Made by :func:`deterrence.sweeps.sweep`; exported by :mod:`deterrence.sweeps`.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SweepError
from ._design import Linspace, salib_analyzer
from ._manifest import Manifest
from ._slow_notice import say_if_slow, writing_tables
from ._storage import (
    check_out,
    chunk_file,
    chunk_metadata,
    folder_state,
    lock_holder,
    read_chunk,
    read_chunks,
    read_manifest,
    write_manifest,
    write_table_files,
)
from ._tidy import MEASURES, coerce

#: a picture of a table kept in a folder reads at most this many points (grids are thinned evenly)
MAP_POINTS = 250_000
#: and at most this many values along each axis it draws
MAP_SIDE = 500
#: rows per part when a table file is read a part at a time
PART_ROWS = 200_000


# ====================================================================== the result
@dataclass(frozen=True, eq=False, init=False)
class SweepResult:
    """A finished sweep: the tidy table and the manifest that lets anyone redo it.

    Attributes
    ----------
    table
        One row per point and equilibrium (columns in :func:`deterrence.sweeps.column_order`).
        For a sweep run with ``out=`` or loaded from a folder it is read from the folder (its
        ``table.parquet``, or the chunks of a sweep too large for one table file) on first access.
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
        """The tidy table (read from the folder on first access if not in memory)."""
        if self._table is None:
            assert self.folder is not None
            source = self._source()
            if source == "table.parquet":
                table = coerce(pd.read_parquet(self.folder / source))
            elif source == "table.csv":
                table = coerce(pd.read_csv(self.folder / source))
            else:
                table = (
                    coerce(pd.concat(list(self.parts()), ignore_index=True))
                    if self.manifest.done
                    else read_chunks(self.folder, ())
                )
            object.__setattr__(self, "_table", table)
        return self._table

    def _source(self) -> str:
        """Where a table not in memory is read from: ``table.parquet``, ``table.csv`` or ``chunks``."""
        assert self.folder is not None
        for name in ("table.parquet", "table.csv"):
            if (self.folder / name).is_file() and not (self.folder / name).is_symlink():
                return name
        return "chunks"

    def parts(self, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        """The table a part at a time (the whole table when it is in memory; else at most a
        chunk or :data:`PART_ROWS` rows at a time), with only ``columns`` (those it has)."""
        if self._table is not None:
            cols = None if columns is None else [c for c in columns if c in self._table.columns]
            yield self._table if cols is None else self._table[cols]
            return
        assert self.folder is not None
        source = self._source()
        if source == "table.parquet":
            import pyarrow.parquet as pq

            pf = pq.ParquetFile(self.folder / source)
            cols = None if columns is None else [c for c in columns if c in pf.schema_arrow.names]
            for batch in pf.iter_batches(batch_size=PART_ROWS, columns=cols):
                yield batch.to_pandas()
        elif source == "table.csv":
            yield from pd.read_csv(
                self.folder / source,
                chunksize=PART_ROWS,
                usecols=None if columns is None else lambda c: c in columns,
            )
        else:
            for c in sorted(self.manifest.done):
                yield self._chunk(c, columns)

    def _chunk(self, c: int, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """One chunk file of the folder, read after checking that it is this sweep's chunk ``c``
        (its fingerprint and point range; files written before chunks carried them are read as
        they are)."""
        assert self.folder is not None
        path = self.folder / "chunks" / chunk_file(c)
        m = self.manifest
        try:
            meta, rows = chunk_metadata(path)
        except Exception as exc:  # pyarrow's errors share no base class
            raise SweepError(
                f"{path}: cannot be read ({type(exc).__name__}); rerun the sweep with out= "
                "this folder to recompute it"
            ) from None
        if meta is not None and m.chunk_size:
            want = (c, c * m.chunk_size, min((c + 1) * m.chunk_size, m.n_points), rows)
            have = (
                meta.get("chunk"),
                meta.get("start"),
                meta.get("stop"),
                meta.get("rows"),
            )
            # the folder's manifest vouches for the order of a grid's parameters: chunks written by
            # earlier versions carry a fingerprint blind to it
            if have != want or meta.get("fingerprint") not in m.reusable_fingerprints(vouched=True):
                raise SweepError(
                    f"{path}: is not chunk {c} of this folder's sweep (damaged, copied or foreign); "
                    "rerun the sweep with out= this folder to recompute it"
                )
        return _read_columns(path, columns)

    # ---------------------------------------------------------------- storage
    def save(self, folder: str | os.PathLike[str], log: Callable[[str], Any] | None = None) -> Path:
        """Write ``table.csv``, ``table.parquet`` and ``manifest.json`` into ``folder`` (atomically,
        with the user's file mode; a table kept in a folder is copied a part at a time).

        ``log``, when given, is called with one line if writing the table files takes more than
        two seconds (millions of rows take many seconds), as :func:`deterrence.sweep` says it.

        Raises
        ------
        SweepError
            ``folder`` is empty, is a file or below one, holds a symbolic link where the files
            go, or cannot be written.
        """
        path = check_out(folder, what="folder=")
        _refuse_another_sweep(path, self.manifest)
        try:
            path.mkdir(parents=True, exist_ok=True)
            with say_if_slow(log or _silent, writing_tables(self.manifest.n_rows or 0)):
                if self._table is not None:
                    write_table_files(path, lambda: iter([self._table]), list(self._table.columns))
                else:
                    write_table_files(path, lambda: self.parts(), self._columns())
            write_manifest(path / "manifest.json", self.manifest)
        except OSError as exc:
            raise SweepError(f"{path}: cannot save the sweep there ({exc.strerror or exc})") from None
        return path

    def _columns(self) -> list[str]:
        """The table's columns, read from the folder without reading the table."""
        assert self.folder is not None
        import pyarrow.parquet as pq

        source = self._source()
        if source == "table.parquet":
            return list(pq.read_schema(self.folder / source).names)
        if source == "table.csv":
            return list(pd.read_csv(self.folder / source, nrows=0).columns)
        names: list[str] = []
        for c in sorted(self.manifest.done):
            for n in pq.read_schema(self.folder / "chunks" / chunk_file(c)).names:
                if n not in names:
                    names.append(n)
        return [n for n in names if not n.startswith("__")]

    # ---------------------------------------------------------------- summary
    def summary(self) -> dict[str, Any]:
        """What the sweep found, computed a part at a time (bounded memory for a table left in
        a folder): ``points``, ``rows``, ``regimes`` (share of points in each selected regime,
        largest first), ``several_equilibria`` (points with more than one equilibrium) and
        ``paths`` (points per path)."""
        regimes: Counter[str] = Counter()
        paths: Counter[str] = Counter()
        rows = several = 0
        for part in self.parts(["point", "regime", "selected", "n_equilibria", "path"]):
            rows += len(part)
            sel = part[part["selected"].to_numpy(dtype=bool)]
            regimes.update(sel["regime"].astype(str).to_numpy().tolist())
            paths.update(sel["path"].astype(str).to_numpy().tolist())
            several += int((sel["n_equilibria"].to_numpy() > 1).sum())
        points = sum(regimes.values())
        return {
            "points": points,
            "rows": rows,
            "regimes": {r: n / points for r, n in regimes.most_common()} if points else {},
            "several_equilibria": several,
            "paths": dict(paths.most_common()),
        }

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> SweepResult:
        """Read a result written by :meth:`save` or by ``sweep(..., out=folder)``.

        Raises
        ------
        SweepError
            The folder has no manifest, or its sweep is not finished: the message says whether
            it is running now (another process holds the folder's lock), was interrupted, failed
            at an error, or stopped without recording why (killed).
        """
        path = check_out(folder, what="folder=")
        mpath = path / "manifest.json"
        if not mpath.is_file():
            raise SweepError(f"{path}: no manifest.json; not a saved sweep")
        data = read_manifest(mpath)
        if not isinstance(data, Mapping) or "format" not in data:
            raise SweepError(f"{path}: manifest.json holds something other than a deterrence sweep")
        manifest = Manifest.from_json(data)
        tables = [
            n for n in ("table.parquet", "table.csv") if (path / n).is_file() and not (path / n).is_symlink()
        ]
        if not tables and manifest.status != "complete":
            raise SweepError(f"{path}: {_unfinished(path, manifest)}")
        return cls(None, manifest, path)  # the table is read on first access

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
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 1 <= bins <= 10_000:
            raise SweepError(f"bins must be an integer from 1 to 10,000, got {bins!r}")
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
            raise SweepError(f"Sobol indices need a finite {indicator} at every one of the {n_points} points")
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

        drawn = self._drawn((x, y), at, [] if indicator is None else [indicator])
        return regime_map(drawn, x, y, indicator=indicator, ax=ax, path=path, at=at)

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

        keep = (x,) if by is None else (x, by)
        drawn = self._drawn(keep, None, [indicator])
        return lines(drawn, x, indicator=indicator, by=by, values=values, ax=ax, path=path)

    def _drawn(
        self, keep: Sequence[str], at: Mapping[str, float] | None, measures: Sequence[str] = ()
    ) -> SweepResult:
        """What a picture reads: this result when its table is in memory and not large; else the
        selected rows of a thinned slice (bounded memory; read from the folder with only the
        columns a picture needs: the parameters, the regime and ``measures``): a grid's axes
        ``keep`` at most :data:`MAP_SIDE` values each, the axes in ``at`` at their nearest
        value, the others thinned so that at most :data:`MAP_POINTS` points are read; a
        sample's first :data:`MAP_POINTS` points."""
        if self._table is not None and self.manifest.n_points <= MAP_POINTS:
            return self
        for name in (*keep, *(at or {})):
            if name not in self.parameters:
                raise SweepError(f"unknown parameter '{name}'; parameters are {', '.join(self.parameters)}")
        ids = _thinned_points(self.manifest, keep, at or {})
        if self._table is not None:  # a large grid held in memory: drawn thinned all the same
            if ids is None:
                return self
            t = self._table
            return SweepResult(
                t[t["selected"].to_numpy(dtype=bool) & np.isin(t["point"].to_numpy(), ids)],
                self.manifest,
                None,
            )
        columns = ["point", *self.parameters, "regime", "selected", "n_equilibria", *measures]
        parts = []
        have = 0
        for part in self._parts_with(ids, columns):
            part = part[part["selected"].to_numpy(dtype=bool)]
            if ids is not None:
                part = part[np.isin(part["point"].to_numpy(), ids)]
            parts.append(part)
            have += len(part)
            if ids is None and have >= MAP_POINTS:
                break
        table = coerce(pd.concat(parts, ignore_index=True)) if parts else pd.DataFrame(columns=columns)
        return SweepResult(table, self.manifest, None)

    def _parts_with(self, ids: np.ndarray | None, columns: Sequence[str]) -> Iterator[pd.DataFrame]:
        """The parts that hold the points ``ids`` (only their chunks when the table is in chunks),
        with ``columns``."""
        assert self.folder is not None
        if ids is None or self._source() != "chunks" or not self.manifest.chunk_size:
            yield from self.parts(columns)
            return
        for c in np.unique(ids // int(self.manifest.chunk_size)):
            yield self._chunk(int(c), columns)

    def __repr__(self) -> str:
        m = self.manifest
        name = m.model.name if m.model is not None else "?"
        rows = "?" if m.n_rows is None else m.n_rows
        return f"<SweepResult {name}: {m.n_points} points, {rows} rows, concept {m.concept}>"


def _silent(message: str) -> None:
    """Says nothing (``save`` without ``log``)."""


def _refuse_another_sweep(path: Path, manifest: Manifest) -> None:
    """``save`` into a folder: refused when the folder's manifest describes another sweep (its
    chunks would then sit beside a manifest that is not theirs)."""
    mpath = path / "manifest.json"
    if not mpath.is_file():
        return
    try:
        there = Manifest.from_json(read_manifest(mpath))
    except SweepError:
        return  # not a sweep's manifest: replaced like any file of the same name
    differ = there.differences(manifest) if there.format == manifest.format else []
    if differ and (path / "chunks").is_dir():
        raise SweepError(
            f"{path}: holds a different sweep (differs in {', '.join(differ)}); save into another folder"
        )


def _read_columns(path: Path, columns: Sequence[str] | None) -> pd.DataFrame:
    if columns is None:
        return read_chunk(path)
    import pyarrow.parquet as pq

    names = pq.read_schema(path).names
    return read_chunk(path, [c for c in columns if c in names])


def _axis_values(axis: Any) -> tuple[int, Any]:
    if isinstance(axis, Linspace):
        return axis.size, axis
    values = np.asarray(axis, dtype=float)
    return len(values), values


def _nearest(axis: Any, value: float) -> int:
    size, values = _axis_values(axis)
    if isinstance(values, Linspace):
        if size == 1:
            return 0
        k = round((float(value) - values.lo) / (values.hi - values.lo) * (size - 1))
        return min(max(k, 0), size - 1)
    return int(np.argmin(np.abs(values - float(value))))


def _spread(size: int, most: int) -> np.ndarray:
    return np.unique(np.linspace(0, size - 1, min(size, max(1, most))).round().astype(np.int64))


def _thinned_points(manifest: Manifest, keep: Sequence[str], at: Mapping[str, float]) -> np.ndarray | None:
    """Grid designs: the point numbers of a thinned slice (see :meth:`SweepResult._drawn`);
    ``None`` for samples."""
    design = manifest.design
    if design is None or design.kind != "grid" or not design.grid:
        return None
    names = list(design.grid)
    sizes = [_axis_values(design.grid[n])[0] for n in names]
    free = [n for n in names if n not in keep and n not in at]
    kept_side = [min(s, MAP_SIDE) for n, s in zip(names, sizes, strict=True) if n in keep]
    budget = MAP_POINTS / max(1, int(np.prod(kept_side)))
    other = max(1, int(budget ** (1 / len(free)))) if free else 1
    index = []
    for n, size in zip(names, sizes, strict=True):
        if n in keep:
            index.append(_spread(size, MAP_SIDE))
        elif n in at:
            index.append(np.array([_nearest(design.grid[n], at[n])]))
        else:
            index.append(_spread(size, other))
    mesh = np.meshgrid(*index, indexing="ij")
    return np.ravel_multi_index([m.ravel() for m in mesh], sizes).astype(np.int64)


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


def _unfinished(path: Path, manifest: Manifest) -> str:
    """Why a folder's sweep cannot be loaded yet: running now, or how its last run ended."""
    done = f"{len(manifest.done):,} of {manifest.n_chunks or '?'} chunks finished"
    state = folder_state(path, manifest)
    if state == "running":
        holder = lock_holder(path) or "holder unknown"
        return f"the sweep there is running now ({holder}; {done}): wait for it to finish"
    last = manifest.runs[-1] if manifest.runs else None
    reason = last.stopped if last is not None and last.stopped else "unrecorded"
    how = {
        "interrupted": "was interrupted",
        "failed": f"stopped at an error ({reason})",
    }.get(state, "stopped without recording why (killed?)")
    return (f"the sweep there is not finished: its last run {how} ({done}); run the same sweep with "
            f"out='{path}' to resume it")
