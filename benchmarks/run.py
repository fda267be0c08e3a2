"""Run the deterrence benchmark suite: one command, a JSON result file, a Markdown table, PNG plots.

Usage (from the repository root)::

    python benchmarks/run.py --quick                       # every case, small (a few minutes)
    python benchmarks/run.py                               # the full suite
    python benchmarks/run.py --cases two_player sweeps --repeats 5 --timeout 120
    python benchmarks/run.py --out benchmarks/results/my-machine

Cases: ``two_player`` (random n x n games and von Stengel's 6x6), ``n_player`` (3- and
4-player games), ``extensive`` (pygambit's catalogue trees: sequence form and logit QRE),
``sweeps`` (every catalogue model: compiled, per-point and a pygambit loop; memory; grid
scaling; the sweep engine). Peers run in worker subprocesses with a time limit; equilibrium
sets are compared and every disagreement is reported. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.suite import (  # noqa: E402
    cases_bimatrix,
    cases_estimation,
    cases_extensive,
    cases_nplayer,
    cases_reputation,
    cases_sweeps,
    cases_trees,
    machine,
    profiling,
    report,
)
from benchmarks.suite.measure import Settings, strip  # noqa: E402
from benchmarks.suite.peers import PeerPool  # noqa: E402

GROUPS = ("two_player", "n_player", "extensive", "trees", "sweeps", "estimation", "reputation")


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _warm_kernels() -> dict[str, Any]:
    """Compile every kernel into numba's cache before the cases (``python -m deterrence warm``,
    untimed), so that no case's first call compiles one: a kernel whose source changed since it
    was last cached would otherwise be compiled inside whichever case first calls it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # as the first-call cases run their processes
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "deterrence", "warm"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    lines = (done.stdout.strip() or done.stderr.strip() or "no output").splitlines()
    return {"seconds": time.perf_counter() - start, "ok": done.returncode == 0, "last_line": lines[-1]}


def _worst_cases(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per group (sweeps aside), our case with the worst speedup against its fastest peer, if below 1."""
    worst: dict[str, tuple[float, dict[str, Any]]] = {}
    for c in cases:
        if c["group"] == "sweeps":
            continue
        rs = report.ratios(c)
        peers = [v["speedup"] for k, v in rs.items() if not k.startswith("deterrence") and v["speedup"]]
        if peers and min(peers) < 1 and (c["group"] not in worst or min(peers) < worst[c["group"]][0]):
            worst[c["group"]] = (min(peers), c)
    return [c for _, c in sorted(worst.values(), key=lambda x: x[0])]


def _rerun(case: dict[str, Any], st: Settings):
    """A zero-argument function repeating our reference tool's whole job on ``case``."""
    ref = report.reference(case)
    if ref is None:
        return None
    tool = ref["tool"].split()[1]
    if case["group"] == "two_player":
        if case["case"].startswith("random"):
            games = cases_bimatrix.random_games(case["size"], case["items"], st.seed)
        else:
            import deterrence as dt

            games = [tuple(dt.read_game(case["file"]).payoffs)]
        call = cases_bimatrix._solver(tool)
        items = [{"a": a.tolist(), "b": b.tolist()} for a, b in games]
    elif case["group"] == "n_player":
        shape = tuple(case["games_seed"][1:])
        call = cases_nplayer._solver(tool)
        items = [
            {"payoffs": [p.tolist() for p in g]}
            for g in cases_nplayer.random_games(shape, case["items"], st.seed)
        ]
    elif case["group"] == "extensive":
        trees = cases_extensive.catalogue_trees()
        items = [{"efg": t, "lam": cases_extensive.LAM} for _, t in trees]
        call = cases_extensive._seq if tool == "sequence_form" else cases_extensive._qre
    elif case["group"] == "trees":
        game = dict(cases_trees.games(st.quick))[case["case"]]
        items = [{"efg": __import__("deterrence").write_game(game)}]
        call = cases_trees._pure_agent if "pure_agent" in ref["tool"] else cases_trees._nash
    else:
        return None
    return lambda: [call(it) for it in items]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small version of every case (a few minutes)")
    ap.add_argument("--out", type=Path, help="output folder (default benchmarks/results/[quick-]<date>)")
    ap.add_argument("--cases", nargs="+", choices=GROUPS, default=list(GROUPS), help="case groups to run")
    ap.add_argument("--repeats", type=int, help="repeats per tool and case (default 3 quick, 7 full)")
    ap.add_argument(
        "--budget", type=float, help="seconds a tool may spend repeating one case (default 3 quick, 20)"
    )
    ap.add_argument("--timeout", type=float, help="seconds per peer job (default 60 quick, 600 full)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(cases_bimatrix.SIZES),
        help="n of the random n x n 2-player games",
    )
    ap.add_argument("--models", nargs="+", help="catalogue models for the sweep cases (default all)")
    ap.add_argument("--no-profile", action="store_true")
    args = ap.parse_args(argv)
    st = Settings(
        quick=args.quick,
        repeats=args.repeats or (3 if args.quick else 7),
        budget=args.budget if args.budget is not None else (3.0 if args.quick else 20.0),
        timeout=args.timeout or (60.0 if args.quick else 600.0),
        seed=args.seed,
    )
    today = _dt.date.today().isoformat()
    out = args.out or ROOT / "benchmarks" / "results" / (f"quick-{today}" if args.quick else today)
    out.mkdir(parents=True, exist_ok=True)
    started = _dt.datetime.now().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    res: dict[str, Any] = {
        "suite": "deterrence benchmarks",
        "started": started,
        "command": " ".join(["python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine.machine(),
        "versions": machine.versions(),
        "settings": {
            "quick": st.quick,
            "repeats": st.repeats,
            "budget": st.budget,
            "timeout": st.timeout,
            "seed": st.seed,
        },
        "cases": [],
    }
    _log(f"writing to {out}; {res['machine']['cpu']}, load {res['machine']['load_average_at_start']}")
    _log("compiling the kernels into numba's cache (python -m deterrence warm; untimed)")
    res["warm_up"] = _warm_kernels()
    _log(f"  {res['warm_up']['last_line']}")
    full_cases: list[dict[str, Any]] = []
    with PeerPool() as pool:
        if "two_player" in args.cases:
            _log("2-player games")
            full_cases += cases_bimatrix.run(pool, st, tuple(args.sizes), log=_log)
        if "n_player" in args.cases:
            _log("N-player games")
            full_cases += cases_nplayer.run(pool, st, log=_log)
        if "extensive" in args.cases:
            _log("extensive games")
            full_cases += cases_extensive.run(pool, st, log=_log)
        if "trees" in args.cases:
            _log("N-player trees")
            tree_cases, res["trees_first_call"] = cases_trees.run(pool, st, log=_log)
            full_cases += tree_cases
        if "sweeps" in args.cases:
            _log("sweeps")
            sw = cases_sweeps.run(pool, st, args.models, log=_log)
            full_cases += sw.pop("cases")
            res["sweeps"] = sw
        if "estimation" in args.cases:
            _log("estimation")
            full_cases += cases_estimation.run(pool, st, log=_log)
        if "reputation" in args.cases:
            _log("reputation and signalling trees")
            full_cases += cases_reputation.run(pool, st, log=_log)
    res["cases"] = full_cases
    res["profiles"] = []
    if not args.no_profile:
        for worst in _worst_cases(full_cases):
            fn = _rerun(worst, st)
            if fn is None:
                continue
            slug = "".join(ch if ch.isalnum() else "_" for ch in worst["case"]).strip("_")
            _log(f"profiling our slowest case relative to peers ({worst['group']}): {worst['case']}")
            what = (
                f"{report.reference(worst)['tool']} on {worst['case']} (our worst speedup against "
                f"the fastest peer in group {worst['group']})"
            )
            res["profiles"].append(profiling.profile(fn, out / f"profile_{slug}.txt", what))
        if "sweeps" in args.cases:
            _log("profiling the compiled sweep kernel (10^5 points)")
            cm = cases_sweeps.compile_fresh(cases_sweeps.SCALING_MODEL)
            import deterrence as dt

            pts = cases_sweeps.points(dt.load_model(cases_sweeps.SCALING_MODEL), 100_000, st.seed)
            res["profiles"].append(
                profiling.profile(
                    lambda: cm.evaluate(pts),
                    out / "profile_compiled_sweep.txt",
                    f"compiled evaluate of {cases_sweeps.SCALING_MODEL}, {len(pts):,} points",
                )
            )
    res["duration_s"] = time.perf_counter() - t0
    res["targets"] = report.targets(res)
    for c in res["cases"]:
        c["ratios"] = report.ratios(c)
    res["plots"] = report.plots(res, out)
    res["cases"] = [{**c, "tools": strip(c["tools"])} for c in res["cases"]]
    (out / "results.json").write_text(json.dumps(res, indent=1, default=_json_default, allow_nan=True))
    (out / "results.md").write_text(report.markdown(res))
    _log(f"done in {res['duration_s']:.0f} s: {out / 'results.md'}")
    return 0


def _json_default(x: Any) -> Any:
    if hasattr(x, "item"):
        return x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return str(x)


if __name__ == "__main__":
    raise SystemExit(main())
