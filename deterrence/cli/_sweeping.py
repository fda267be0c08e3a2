"""The ``sweep`` verb: a grid or sample of parameter points, a table and a regime map."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import deterrence as dt

from ._args import parse_options, parse_sets, parse_vary


def cmd_sweep(args: argparse.Namespace) -> int:
    import numpy as np

    sampling = args.samples is not None
    if not args.vary and not sampling:
        raise dt.SweepError("give at least one --vary NAME=LO:HI:N (or --samples N)")
    varied, bounds = parse_vary(args.vary, sampling)
    fixed = {k: float(v) for k, v in parse_sets(args.set).items()}
    model = dt.load_model(args.model)
    out = Path(args.out)
    t0 = time.time()
    common: dict[str, Any] = dict(
        fixed=fixed, concept=args.concept, belief_policy=args.belief_policy, selection=args.selection,
        path=args.path, backend=args.backend, scheduler=args.scheduler, workers=args.workers,
        chunk_size=args.chunk_size, out=out, progress=not args.no_progress,
    )
    options = parse_options(args.option)
    if options:
        common["solve_options"] = options
    if sampling:
        result = dt.sweep(model, samples=args.samples, method=args.method, vary=list(varied) or None,
                       bounds=bounds or None, rng=args.seed, **common)
    else:
        result = dt.sweep(model, grid=varied, **common)
    elapsed = time.time() - t0
    files = [out / "table.csv", out / "table.parquet", out / "manifest.json"]
    names = result.varied
    x = args.x or (names[0] if names else None)
    y = args.y or (names[1] if len(names) > 1 else None)
    sel = result.selected()
    if x is not None and y is not None:
        at = {n: float(np.median(sel[n])) for n in names if n not in (x, y)} or None
        if at:
            at = {n: float(sel[n].to_numpy()[np.argmin(np.abs(sel[n].to_numpy() - v))])
                  for n, v in at.items()}
        result.plot(x, y, indicator=args.indicator, path=out / "regime_map.png", at=at)
        files.append(out / "regime_map.png")
    elif x is not None:
        result.plot_lines(x, indicator=args.indicator or "p_attack", path=out / "lines.png")
        files.append(out / "lines.png")
    if x is not None and getattr(model, "measures", ()):
        files.append(_plot_measures(result, x, y, out / "measures.png"))
    manifest = result.manifest
    n = manifest.n_points
    name = manifest.model.name if manifest.model is not None else args.model
    print(f"{name}: {n:,} points, {len(result.table):,} rows "
          f"({manifest.concept}, selection {manifest.selection})")
    print("regimes (selected):")
    for regime, share in result.regime_shares().items():
        print(f"  {share:7.2%}  {regime}")
    multi = int((sel["n_equilibria"] > 1).sum())
    if multi:
        print(f"points with several equilibria: {multi:,} ({multi / max(1, n):.1%})")
    paths = manifest.paths or {}
    computed = sum(run.computed_chunks or 0 for run in manifest.runs[-1:])
    print(f"paths: {', '.join(f'{k} {v:,}' for k, v in paths.items())}; "
          f"{computed} of {manifest.n_chunks} chunks computed in this run")
    print(f"time {elapsed:.2f} s, {n / max(elapsed, 1e-9):,.0f} points/second")
    print("wrote: " + ", ".join(str(f) for f in files))
    return 0


#: the alliance measures drawn for a model family that reports them (collective_defence)
MEASURE_PLOTS = ("expected_allies_at_war", "expected_entrapped")


def _plot_measures(result: Any, x: str, y: str | None, path: Path) -> Path:
    """Expected allies at war and entrapped against ``x``, one line per value of ``y``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(MEASURE_PLOTS), figsize=(6.4 * len(MEASURE_PLOTS), 4.4))
    for ax, measure in zip(axes, MEASURE_PLOTS, strict=True):
        result.plot_lines(x, indicator=measure, by=y, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def register_sweep(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``sweep`` verb: sweep parameters."""
    s = sub.add_parser("sweep", parents=[common],
                       help="sweep parameters; write table, manifest and regime map")
    s.add_argument("model", help="catalogue name or model file (.toml)")
    s.add_argument("--vary", action="append", metavar="NAME=LO:HI:N",
                   help="grid: NAME=LO:HI:N or NAME=V1,V2,...; with --samples: NAME or NAME=LO:HI "
                        "(repeatable)")
    s.add_argument("--samples", type=int, help="number of sample points instead of a grid")
    s.add_argument("--method", default="sobol", choices=("sobol", "lhs", "random", "saltelli"),
                   help="sampling method (default sobol)")
    s.add_argument("--seed", type=int, help="seed of the sample (default: fresh, recorded in the manifest)")
    s.add_argument("--set", action="append", metavar="NAME=VALUE", help="fixed parameter value (repeatable)")
    s.add_argument("--concept", choices=("nash", "spe", "pbe", "qre"), help="default: the model's concept")
    s.add_argument("--belief-policy", default="free", choices=("free", "prior", "d1"))
    s.add_argument("--selection", default="pessimistic", choices=("pessimistic", "optimistic", "first"),
                   help="which equilibrium gives the point's regime on the map (default pessimistic)")
    s.add_argument("--path", default="auto", choices=("auto", "compiled", "pointwise"))
    s.add_argument("--backend", default="numpy", choices=("numpy", "processes", "dask"))
    s.add_argument("--scheduler", help="Dask scheduler address (default: a LocalCluster)")
    s.add_argument("--workers", type=int, help="worker processes (processes/dask backends)")
    s.add_argument("--chunk-size", type=int, help="points per chunk")
    s.add_argument("--option", action="append", metavar="NAME=VALUE",
                   help="solver option for points solved one by one (repeatable): mixed=true|false, "
                   "max_mixed_sets=N, seeds=true|false")
    s.add_argument("--out", required=True, help="output folder (resumes an interrupted sweep there)")
    s.add_argument("--x", help="regime map x parameter (default: first varied)")
    s.add_argument("--y", help="regime map y parameter (default: second varied)")
    s.add_argument("--indicator", default="p_attack", help="contoured indicator (default p_attack)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_sweep)
