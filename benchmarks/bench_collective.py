"""Benchmark: the collective-defence family (issue 16) at 32 members.

Run from the repository root::

    python benchmarks/bench_collective.py            # 20 repeats of the point, 3 of the sweep
    python benchmarks/bench_collective.py --repeats 50 --sweeps 5 --out benchmarks/results/collective.json

Measures, with CPU time (``time.process_time``: what the computation costs, whatever else runs
on the machine) next to wall-clock time:

* one point with 32 allies: ``dt.solve(model.game(members=32, ...), "pbe")`` (every symmetric
  equilibrium, certified), for the ``free`` and ``prior`` belief policies and three credibilities;
* the sweep of the issue: ``dt.sweep("collective_defence", grid={"members": 1..32,
  "credibility": 101 values})``, the no-pledge baseline included (3,232 points), in process;
* the kernel alone on the same points (no baseline, no storage).

The targets (issue 16): a point under 50 ms, the sweep under 10 s. Prints medians and writes
JSON with every repeat when ``--out`` is given.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import deterrence as dt  # noqa: E402


def _timed(fn: Any) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def _summary(runs: list[tuple[float, float]]) -> dict[str, Any]:
    return {
        "wall_median_s": statistics.median(r[0] for r in runs),
        "cpu_median_s": statistics.median(r[1] for r in runs),
        "wall_s": [r[0] for r in runs],
        "cpu_s": [r[1] for r in runs],
    }


def point(repeats: int) -> dict[str, Any]:
    model = dt.load_model("collective_defence")
    out = {}
    for policy in ("free", "prior"):
        for credibility in (0.1, 0.5, 0.9):
            dt.solve(model.game(members=32, credibility=credibility), "pbe", belief_policy=policy)  # warm
            runs = [
                _timed(
                    lambda c=credibility, p=policy: dt.solve(
                        model.game(members=32, credibility=c), "pbe", belief_policy=p
                    )
                )
                for _ in range(repeats)
            ]
            out[f"{policy}, credibility {credibility}"] = _summary(runs)
    return out


def sweep(repeats: int) -> dict[str, Any]:
    grid = {"members": np.arange(1, 33), "credibility": np.linspace(0, 1, 101)}
    dt.sweep("collective_defence", grid={"members": [1, 5], "credibility": [0.5]}, progress=False)  # warm
    runs = [_timed(lambda: dt.sweep("collective_defence", grid=grid, progress=False)) for _ in range(repeats)]
    model = dt.load_model("collective_defence")
    pts = pd.DataFrame(
        [
            {**model.defaults, "members": n, "credibility": c}
            for n in grid["members"]
            for c in grid["credibility"]
        ]
    )
    kernel = model.compiled_kernel("pbe", "free")
    kernel_runs = [_timed(lambda: kernel.evaluate(pts)) for _ in range(repeats)]
    return {
        "sweep (model + baseline, 3,232 points)": _summary(runs),
        "kernel only (model, 3,232 points)": _summary(kernel_runs),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=20, help="repeats of the one-point solve")
    ap.add_argument("--sweeps", type=int, default=3, help="repeats of the sweep")
    ap.add_argument("--out", help="write the results as JSON here")
    args = ap.parse_args(argv)
    results = {
        "machine": {
            "python": platform.python_version(),
            "processor": platform.processor(),
            "deterrence": dt.__version__,
        },
        "point_32_members": point(args.repeats),
        "sweep": sweep(args.sweeps),
    }
    for group in ("point_32_members", "sweep"):
        print(group)
        for name, r in results[group].items():
            print(
                f"  {name:45s} cpu {1000 * r['cpu_median_s']:9.1f} ms"
                f"   wall {1000 * r['wall_median_s']:9.1f} ms"
            )
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
