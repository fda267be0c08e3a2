"""A model's PBE swept end to end: ``dt.sweep`` on a seeded random sample, as a user calls it.

What :func:`measure` records for one model and belief policy:

* **compile**: ``compile_model(model, "pbe", policy)`` alone on a freshly loaded model (model
  and compile caches cleared), wall and CPU seconds; or the reason it is refused. A model
  that does not compile is not swept here: ``dt.sweep`` would solve every point per point, so
  its end-to-end rate *is* the per-point rate (the case's per-point row).
* **cold sweep**: ``dt.sweep(model, samples=N, method="random", rng=seed, vary=<every
  parameter>, bounds=<the box domain_sample draws from>, concept="pbe", belief_policy=policy,
  progress=False)`` on a fresh model object with the caches cleared, so the sweep compiles
  (the model and its baseline) inside the timing: the rate with compile. The points are
  distributed as the per-point cases' (``domain_sample``: uniform over the domains, infinite
  ends replaced by the default +- max(1, 3 |default|), orderings enforced), so the two rates
  compare the same kind of points.
* **warm sweep**: the same call on the same model object with another seed (fresh points, no
  point solved twice): the kernels are cached, so this is the rate without compile. Points the
  kernel leaves undecided are solved per point inside the sweep in both runs (the manifest's
  ``paths`` counts them), and their time is in both rates.
* **default slice**: ``dt.sweep(model, samples=N, method="random", rng=seed, ...)`` without
  ``vary``: what the shortest call sweeps, the parameters with bounded domains, the others at
  their defaults (kernels cached). Its share sent per point can differ much from the whole
  domain's (a default on a knife edge puts the whole slice on it).
* **agreement**: up to ``k`` points of each warm sweep that the kernel decided (and a few it
  sent per point) solved again one by one (``deterrence.sweeps.evaluate_points``, the per-point
  path); every row must match the sweep's row within 1e-9 (same equilibria in the same order).

CPU time is ``time.process_time()`` (every thread of the process; the numpy backend runs the
kernel and the per-point fallback in this process).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

import deterrence as dt
from deterrence import kernels
from deterrence.errors import DeterrenceError
from deterrence.sweeps import evaluate_points

from .cases_sweeps import fresh_model

#: columns the sweep fills after solving (selection, the baseline), which the per-point
#: path leaves empty, and the column naming the path: not compared
NOT_COMPARED = ("path", "selected", "deterred")
#: at most this many points solved per point are added to the agreement check (they were
#: solved by the same per-point solver inside the sweep)
POINTWISE_CHECKED = 5
#: tolerance of the agreement check (the kernels' own tests use the same)
ATOL = 1e-9


def _timed(call) -> tuple[Any, float, float]:
    """``call()``, its wall and CPU seconds."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = call()
    return out, time.perf_counter() - t0, time.process_time() - c0


def compile_cost(name: str, policy: str) -> dict[str, Any]:
    """Wall and CPU seconds of compiling ``name`` under ``policy`` from scratch, or the refusal."""
    model = fresh_model(name)
    try:
        _, wall, cpu = _timed(lambda: kernels.compile_model(model, "pbe", policy))
    except DeterrenceError as exc:
        return {"compiles": False, "reason": f"{type(exc).__name__}: {exc}"}
    return {"compiles": True, "wall_s": wall, "cpu_s": cpu}


#: a finite end of an open domain is refused as a bound: the box stops this far inside (relative)
INSIDE = 1e-9


def domain_box(model: Any) -> dict[str, tuple[float, float]]:
    """Per parameter, the interval ``kernels.domain_sample`` draws from (infinite ends replaced by
    the default +- max(1, 3 |default|)), a hair inside finite ends (open domains refuse them)."""
    box = {}
    for name, p in model.parameters.items():
        lo, hi, d = float(p.domain[0]), float(p.domain[1]), float(p.default)
        lo = lo if np.isfinite(lo) else d - max(1.0, 3 * abs(d))
        hi = hi if np.isfinite(hi) else d + max(1.0, 3 * abs(d))
        box[name] = (lo + INSIDE * (hi - lo), hi - INSIDE * (hi - lo))
    return box


def timed_sweep(model: Any, n: int, seed: int, policy: str,
                box: dict[str, tuple[float, float]] | None = None) -> tuple[dict[str, Any], pd.DataFrame]:
    """One ``dt.sweep`` of ``n`` seeded random points (over ``box`` when given, every parameter
    varied; else the default slice): its times, paths and table."""
    design = {} if box is None else {"vary": list(box), "bounds": box}
    res, wall, cpu = _timed(lambda: dt.sweep(model, samples=n, method="random", rng=seed, concept="pbe",
                                             belief_policy=policy, progress=False, **design))
    paths = dict(res.manifest.paths)
    points = res.manifest.n_points
    record = {
        "points": points,
        "seed": seed,
        "rows": len(res.table),
        "wall_s": wall,
        "cpu_s": cpu,
        "wall_per_point": wall / points,
        "cpu_per_point": cpu / points,
        "paths": paths,
        "pointwise_share": paths.get("pointwise", 0) / points,
        "varied": list(res.manifest.varied),
        "rejected_by_orderings": res.manifest.design.rejected_by_orderings,
    }
    return record, res.table


def _compared_columns(table: pd.DataFrame, ref: pd.DataFrame) -> list[str]:
    return [c for c in table.columns
            if c in ref.columns and c not in NOT_COMPARED and not c.endswith("_baseline")
            and not ref[c].isna().all()]


def _differs(a: pd.Series, b: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
        x, y = a.to_numpy(float), b.to_numpy(float)
        return not np.allclose(x, y, atol=ATOL, rtol=0.0, equal_nan=True)
    return list(a.astype(str)) != list(b.astype(str))


def _checked_points(table: pd.DataFrame, k: int) -> list[int]:
    """The first ``k`` points the kernel decided, then a few the sweep solved per point."""
    by_path = table.groupby("point", sort=True)["path"].first()
    compiled = [int(p) for p in by_path.index[by_path == "compiled"][:k]]
    pointwise = [int(p) for p in by_path.index[by_path != "compiled"][:POINTWISE_CHECKED]]
    return compiled + pointwise


def agreement(model: Any, table: pd.DataFrame, policy: str, k: int, where: str) -> tuple[dict, list[dict]]:
    """The sweep's rows against the per-point path's at up to ``k`` decided points (and a few
    sent per point): a summary and one disagreement per point whose rows differ."""
    chosen = _checked_points(table, k)
    params = [p for p in model.parameters if p in table.columns]
    rows = table[table["point"].isin(chosen)]
    pts = rows.groupby("point", sort=True)[params].first().reset_index()
    ref = evaluate_points(model, pts, "pbe", policy)
    cols = _compared_columns(table, ref)
    disagreements = []
    for point in chosen:
        ours = rows[rows["point"] == point].sort_values("equilibrium", kind="stable")[cols]
        theirs = ref[ref["point"] == point].sort_values("equilibrium", kind="stable")[cols]
        bad = ([c for c in cols if _differs(ours[c].reset_index(drop=True), theirs[c].reset_index(drop=True))]
               if len(ours) == len(theirs) else ["number of equilibria"])
        if bad:
            path = str(rows.loc[rows["point"] == point, "path"].iloc[0])
            values = {p: float(v) for p, v in pts.loc[pts["point"] == point, params].iloc[0].items()}
            disagreements.append({
                "where": where, "kind": "sweep vs per point", "point": values, "path": path,
                "columns": bad,
                "verdict": f"dt.sweep ({path} path) and the per-point path differ at {values} in {bad}"})
    paths = rows.groupby("point")["path"].first()
    summary = {"points": len(chosen), "compiled": int((paths == "compiled").sum()),
               "pointwise": int((paths != "compiled").sum()), "columns": cols,
               "disagreements": len(disagreements)}
    return summary, disagreements


def measure(name: str, policy: str, n: int, seed: int, k: int, where: str,
            log=print) -> tuple[dict[str, Any], list[dict]]:
    """Compile cost, the cold and warm sweeps of ``n`` points, and the agreement check (see the
    module documentation); returns the record and the disagreements."""
    record: dict[str, Any] = {"model": name, "policy": policy, "call": (
        f'dt.sweep("{name}", samples={n}, method="random", rng=<seed>, vary=<every parameter>, '
        f'bounds=<domain_sample\'s box>, concept="pbe", belief_policy="{policy}", progress=False)')}
    record["compile"] = compile_cost(name, policy)
    if not record["compile"]["compiles"]:
        log(f"    {name} ({policy}) does not compile: end to end = per point")
        return record, []
    model = fresh_model(name)  # caches cleared: this sweep compiles the model and its baseline
    box = domain_box(model)
    log(f"    {name} ({policy}): dt.sweep of {n:,} random points, compile included")
    record["cold"], _ = timed_sweep(model, n, seed, policy, box)
    log(f"    {name} ({policy}): dt.sweep of {n:,} other points, kernels cached")
    record["warm"], table = timed_sweep(model, n, seed + 1, policy, box)
    log(f"    {name} ({policy}): dt.sweep of {n:,} points of the default slice, kernels cached")
    record["default_slice"], sliced = timed_sweep(model, n, seed + 2, policy)
    record["agreement"], disagreements = agreement(model, table, policy, k, where)
    record["agreement_default_slice"], more = agreement(model, sliced, policy, k, where + " (default slice)")
    return record, disagreements + more
