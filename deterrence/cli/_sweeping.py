"""The ``sweep`` verb: a grid or sample of parameter points, a table and a regime map.

The summary (regime shares, paths, points with several equilibria) and the map are computed
from the sweep's folder a part at a time, so a sweep of any size runs in bounded memory; the
``wrote:`` line names only files that exist. ``--json`` prints the summary as JSON instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import deterrence as dt

from ._args import close_match_hint, parse_options, parse_sets, parse_vary
from ._pictures import HELPER_VARIABLE, SPARE_CORES, Painter, Picture

#: the indicators a map may contour (checked before the sweep runs)
CONTOURED = (*dt.INDICATOR_NAMES, "deterred", "p_attack_baseline")


def cmd_sweep(args: argparse.Namespace) -> int:
    sampling = args.samples is not None
    if not args.vary and not sampling:
        raise dt.SweepError("give at least one --vary NAME=LO:HI:N (or --samples N)")
    # --method and --seed shape a sample: without --samples they would be ignored without a word
    unused = [flag for flag, value in (("--method", args.method), ("--seed", args.seed)) if value is not None]
    if unused and not sampling:
        verb = "apply" if len(unused) > 1 else "applies"
        raise dt.SweepError(
            f"{' and '.join(unused)} {verb} to a sample (--samples N) only; a grid sweeps the --vary "
            "values (drop them, or add --samples N)"
        )
    if args.out is not None and not args.out.strip():
        raise dt.SweepError("--out is empty: name the folder for the sweep's output")
    with Painter() as painter:  # imports what drawing needs while the sweep runs
        varied, bounds = parse_vary(args.vary, sampling)
        fixed = {k: float(v) for k, v in parse_sets(args.set).items()}
        model = dt.load_model(args.model)
        _check_map_options(args, model, list(varied))
        out = Path(args.out)
        t0 = time.time()
        result = _run_sweep(args, model, varied, bounds, fixed, out, sampling)
        painter.submit(_pictures(result, args, model, out))  # drawn from the chunks ...
        _write_table_files(result, out, _sayer(args))  # ... while the table files are written here
        summary = result.summary()
        drawn = painter.wait()
    elapsed = time.time() - t0
    files = [
        f
        for f in (out / "table.csv", out / "table.parquet", out / "manifest.json", *drawn)
        if f.is_file()
    ]
    if args.json:
        print(json.dumps(_json(result, summary, files, out, elapsed), indent=2))
    else:
        _print(result, summary, files, out, elapsed, args.model)
    return 0


def _run_sweep(
    args: argparse.Namespace,
    model: Any,
    varied: dict[str, Any],
    bounds: dict[str, Any],
    fixed: dict[str, float],
    out: Path,
    sampling: bool,
) -> Any:
    """Run the sweep the command line asks for (a grid, or a sample with ``--samples``)."""
    say = _sayer(args)
    common: dict[str, Any] = dict(
        fixed=fixed,
        concept=args.concept,
        belief_policy=args.belief_policy,
        selection=args.selection,
        path=args.path,
        backend=args.backend,
        scheduler=args.scheduler,
        workers=args.workers,
        chunk_size=args.chunk_size,
        out=out,
        progress=not args.no_progress,
        overwrite=args.overwrite,
        allow_large=args.yes,
        allow_other_version=args.allow_other_version,
        table_files=False,  # written by cmd_sweep once the pictures are under way
        log=say,
        on_error=args.on_error,
    )
    options = parse_options(args.option)
    if options:
        common["solve_options"] = options
    if sampling:
        return dt.sweep(
            model,
            samples=args.samples,
            method=args.method or "sobol",
            vary=list(varied) or None,
            bounds=bounds or None,
            rng=args.seed,
            **common,
        )
    return dt.sweep(model, grid=varied, **common)


def _sayer(args: argparse.Namespace) -> Any:
    """How the command says a message: on stdout, or on stderr with ``--json``."""
    if args.json:
        return lambda m: print(m, file=sys.stderr, flush=True)
    return lambda m: print(m, flush=True)


def _write_table_files(result: Any, out: Path, say: Any) -> None:
    """``table.parquet`` and ``table.csv`` in ``out``, from the sweep's chunks (a sweep too large
    for one table file keeps its table in the chunks, as :func:`deterrence.sweep` would). The
    progress bar is full by then: a write that takes long is said (``say``)."""
    if result.manifest.n_points <= dt.MAX_POINTS_IN_MEMORY:
        result.save(out, log=say)


def _check_map_options(args: argparse.Namespace, model: Any, varied: list[str]) -> None:
    """Refuse, before the sweep runs, a map that cannot be drawn: an unknown indicator, or an
    axis that is not a parameter the sweep varies."""
    if args.indicator not in CONTOURED:
        raise dt.SweepError(
            f"--indicator '{args.indicator}' is not an indicator; indicators: {', '.join(CONTOURED)}"
        )
    for flag in ("x", "y"):
        name = getattr(args, flag)
        if name is None:
            continue
        if name not in model.parameters:
            raise dt.ParameterError(
                f"--{flag} '{name}' is not a parameter of '{model.name}'"
                f"{close_match_hint(name, model.parameters)}; parameters: {', '.join(model.parameters)}",
                name=name,
            )
        if varied and name not in varied:
            raise dt.SweepError(f"--{flag} '{name}' is not varied{close_match_hint(name, varied)}; the sweep "
                                f"varies {', '.join(varied)}")
    if args.x is not None and args.x == args.y:
        raise dt.SweepError(f"--x and --y must be different parameters, both are '{args.x}'")


def _middle(result: Any, name: str) -> float:
    """The middle value of a varied parameter (grid: its middle grid value; sample: the middle
    of its bounds), where the map slices the other varied parameters."""
    design = result.manifest.design
    if design.kind == "grid":
        axis = design.grid[name]
        if isinstance(axis, dt.Linspace):
            return float(axis.take([axis.size // 2])[0])
        values = sorted(axis)
        return float(values[len(values) // 2])
    lo, hi = design.bounds[name]
    return (lo + hi) / 2


def _pictures(result: Any, args: argparse.Namespace, model: Any, out: Path) -> list[Picture]:
    """The pictures of a finished sweep: the regime map (two varied parameters) or the indicator
    line (one), and the alliance measures for a model family that reports them."""
    names = result.varied
    x, y = _axes(result, args)
    if x is None:
        return []
    folder = str(out)
    if y is not None:
        at = {n: _middle(result, n) for n in names if n not in (x, y)} or None
        pictures = [Picture("map", folder, str(out / "regime_map.png"), x, y, args.indicator, at)]
    else:
        pictures = [Picture("lines", folder, str(out / "lines.png"), x, None, args.indicator)]
    if getattr(model, "measures", ()):
        pictures.append(Picture("measures", folder, str(out / "measures.png"), x, y))
    return pictures


def _this_run(result: Any) -> dict[str, Any]:
    m = result.manifest
    run = m.runs[-1]
    return {
        "computed_points": run.computed_points or 0,
        "computed_chunks": run.computed_chunks or 0,
        "chunks": m.n_chunks,
        "reused_points": run.reused_points or 0,
        "pointwise_points": run.pointwise_points or 0,
        "notes": list(run.notes),
    }


def _print(
    result: Any, summary: dict[str, Any], files: list[Path], out: Path, elapsed: float, given: str
) -> None:
    m = result.manifest
    n = m.n_points
    name = m.model.name if m.model is not None else given
    print(f"{name}: {n:,} points, {summary['rows']:,} rows ({m.concept}, selection {m.selection})")
    print("regimes (selected):")
    for regime, share in summary["regimes"].items():
        print(f"  {share:7.2%}  {regime}")
    if summary["several_equilibria"]:
        k = summary["several_equilibria"]
        print(f"points with several equilibria: {k:,} ({k / max(1, n):.1%})")
    print("paths: " + ", ".join(f"{k} {v:,}" for k, v in summary["paths"].items()))
    run = _this_run(result)
    line = (
        f"this run: computed {run['computed_points']:,} points ({run['computed_chunks']} of {run['chunks']} "
        f"chunks), reused {run['reused_points']:,} from earlier runs"
    )
    if run["pointwise_points"]:
        line += f"; {run['pointwise_points']:,} of the computed points solved one by one (per-point path)"
    print(line)
    if run["computed_points"]:
        print(
            f"time {elapsed:.2f} s, {run['computed_points'] / max(elapsed, 1e-9):,.0f} points/second computed"
        )
    else:
        print(f"time {elapsed:.2f} s (nothing to compute: every chunk was already in {out})")
    print("wrote: " + ", ".join(str(f) for f in files))
    if not (out / "table.parquet").is_file():
        print(
            f"the table stays in {out / 'chunks'} ({m.n_chunks:,} chunk files; too large for one "
            "table file): "
            f"dt.SweepResult.load('{out}') reads it"
        )


def _json(
    result: Any, summary: dict[str, Any], files: list[Path], out: Path, elapsed: float
) -> dict[str, Any]:
    m = result.manifest
    run = _this_run(result)
    run["elapsed_seconds"] = round(elapsed, 3)
    run["points_per_second"] = run["computed_points"] / max(elapsed, 1e-9) if run["computed_points"] else None
    return {
        "model": m.model.name if m.model is not None else None,
        "concept": m.concept,
        "belief_policy": m.belief_policy,
        "selection": m.selection,
        "varied": list(m.varied),
        "points": m.n_points,
        "rows": summary["rows"],
        "regimes": summary["regimes"],
        "several_equilibria": summary["several_equilibria"],
        "paths": summary["paths"],
        "run": run,
        "out": str(out),
        "wrote": [str(f) for f in files],
        "table_in_chunks": not (out / "table.parquet").is_file(),
    }


def _axes(result: Any, args: argparse.Namespace) -> tuple[str | None, str | None]:
    """The pictures' x and y parameters: ``--x``/``--y``, else the first two varied."""
    names = result.varied
    x = args.x or (names[0] if names else None)
    return x, args.y or next((n for n in names if n != x), None)


def register_sweep(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``sweep`` verb: sweep parameters."""
    s = sub.add_parser(
        "sweep",
        parents=[common],
        help="sweep parameters; write table, manifest and regime map",
        epilog="The pictures are drawn by a helper process, started first so that it imports "
        "matplotlib while the sweep runs, when a core is to spare (the cores exceed the load average "
        f"by {SPARE_CORES:g}); else by the command itself. The files are the same either way. "
        "The table files are written from the sweep's chunks while the pictures are drawn. "
        f"{HELPER_VARIABLE}=1 always starts the helper, {HELPER_VARIABLE}=0 never.",
    )
    s.add_argument("model", help="catalogue name or model file (.toml)")
    s.add_argument(
        "--vary",
        action="append",
        metavar="NAME=LO:HI:N",
        help="grid: NAME=LO:HI:N or NAME=V1,V2,...; with --samples: NAME or NAME=LO:HI (repeatable)",
    )
    s.add_argument("--samples", type=int, help="number of sample points instead of a grid")
    s.add_argument(
        "--method",
        choices=("sobol", "lhs", "random", "saltelli"),
        help="sampling method with --samples (default sobol)",
    )
    s.add_argument(
        "--seed", type=int, help="seed of the sample with --samples (default: fresh, kept in the manifest)"
    )
    s.add_argument("--set", action="append", metavar="NAME=VALUE", help="fixed parameter value (repeatable)")
    s.add_argument("--concept", choices=("nash", "spe", "pbe", "qre"), help="default: the model's concept")
    s.add_argument("--belief-policy", default="free", choices=("free", "prior", "d1"))
    s.add_argument(
        "--selection",
        default="pessimistic",
        choices=("pessimistic", "optimistic", "first"),
        help="which equilibrium gives the point's regime on the map (default pessimistic)",
    )
    s.add_argument("--path", default="auto", choices=("auto", "compiled", "pointwise"))
    s.add_argument("--backend", default="numpy", choices=("numpy", "processes", "dask"))
    s.add_argument("--scheduler", help="Dask scheduler address (default: a LocalCluster)")
    s.add_argument(
        "--workers",
        type=int,
        help="worker processes (processes/dask backends; capped at the cores unless --yes)",
    )
    s.add_argument("--chunk-size", type=int, help="points per chunk (default: several chunks per worker)")
    s.add_argument(
        "--on-error",
        default="raise",
        choices=("raise", "record"),
        help="a point whose solve fails stops the sweep (raise, default) or gets a row with regime 'error' "
        "and the message (record)",
    )
    s.add_argument(
        "--option",
        action="append",
        metavar="NAME=VALUE",
        help="solver option for points solved one by one (repeatable): mixed=true|false, "
        "max_mixed_sets=N, seeds=true|false",
    )
    s.add_argument("--out", required=True, help="output folder (resumes an interrupted sweep there)")
    s.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a different sweep held in --out (its files only) instead of refusing",
    )
    s.add_argument(
        "--allow-other-version",
        action="store_true",
        help="resume a sweep in --out whose chunks another version of deterrence computed (mixing "
        "the two versions' answers in one table; the manifest records each run's version) instead "
        "of refusing",
    )
    s.add_argument(
        "--yes",
        action="store_true",
        help="run a sweep estimated beyond a day's work or the free disk, and start more workers "
        "than cores, instead of refusing",
    )
    s.add_argument("--x", help="regime map x parameter (default: first varied)")
    s.add_argument("--y", help="regime map y parameter (default: second varied)")
    s.add_argument("--indicator", default="p_attack", help="contoured indicator (default p_attack)")
    s.add_argument("--json", action="store_true", help="print the summary as JSON (messages go to stderr)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_sweep)
