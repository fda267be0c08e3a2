"""Compare the PBE sets of two versions of the solver on seeded parameter points of a model.

Each (point, belief policy) is solved in its own subprocess with a time limit, with whichever
``deterrence`` is first on ``PYTHONPATH``; the PBE set (strategies and beliefs), its classes,
``complete`` and the solve time are written one JSON line per job. ``diff`` compares two such
files on the jobs both finished; ``gambit`` checks each PBE of a file against pygambit: every
PBE must be a Nash equilibrium of the tree (pygambit's agent regret, and the max regret of the
mixed behaviour profile), and each pure PBE must be one of pygambit's pure agent equilibria
(``enumpure_agent_solve``; a PBE is an agent-form equilibrium, not conversely: the count of
those that are not PBE here, by sequential rationality off the path, is printed).

Usage::

    PYTHONPATH=/path/to/main/checkout python benchmarks/pbe_compare.py solve --out main.jsonl --points 20
    PYTHONPATH=$PWD python benchmarks/pbe_compare.py solve --out new.jsonl --points 20
    python benchmarks/pbe_compare.py diff main.jsonl new.jsonl
    PYTHONPATH=$PWD python benchmarks/pbe_compare.py gambit new.jsonl

Points: the model's defaults, then ``deterrence.kernels.domain_sample(model, n, seed)`` (the
model's orderings hold at every point).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import subprocess
import sys
import time
from typing import Any

POLICIES = ("free", "d1")


def points(model_name: str, n: int, seed: int) -> list[dict[str, float]]:
    """The default point, then ``n`` seeded points of the model's own sample."""
    import deterrence as dt
    from deterrence.kernels import domain_sample

    model = dt.load_model(model_name)
    out = [{k: float(p.default) for k, p in model.parameters.items()}]
    sample = domain_sample(model, n, seed=seed)
    count = len(next(iter(sample.values())))
    out += [{k: float(v[i]) for k, v in sample.items()} for i in range(count)]
    return out


def solve_one(model_name: str, point: dict[str, float], policy: str) -> dict[str, Any]:
    """One solve: the PBE set as plain lists (rounded to 9 digits), classes, complete, time."""
    import deterrence as dt

    game = dt.load_model(model_name).game(point)
    start = time.perf_counter()
    res = dt.solve(game, "pbe", belief_policy=policy)
    seconds = time.perf_counter() - start
    eqs = [{"strategies": [[round(float(x), 9) + 0.0 for x in s] for s in e.strategies],
            "beliefs": [[round(float(x), 9) + 0.0 for x in dist.values()]
                        for _, dist in sorted((e.beliefs or {}).items())]}
           for e in res.equilibria]
    return {"pbe": eqs, "classes": [list(c) for c in res.classes()], "complete": bool(res.complete),
            "seconds": seconds, "notes": list(res.notes)}


def run_solve(args: argparse.Namespace) -> None:
    pts = points(args.model, args.points, args.seed)
    done = set()
    if args.resume and os.path.exists(args.out):
        with open(args.out) as fh:
            done = {(r["index"], r["policy"]) for r in map(json.loads, fh)}
    with open(args.out, "a") as fh:
        for i, pt in enumerate(pts):
            if args.indices is not None and i not in args.indices:
                continue
            for policy in args.policies:
                if (i, policy) in done:
                    continue
                row = {"index": i, "policy": policy, "point": pt}
                start = time.perf_counter()
                try:
                    proc = subprocess.run(
                        [sys.executable, __file__, "one", args.model, json.dumps(pt), policy],
                        capture_output=True, text=True, timeout=args.timeout, check=False)
                    if proc.returncode == 0:
                        row.update(json.loads(proc.stdout.strip().splitlines()[-1]))
                    else:
                        row["error"] = proc.stderr[-2000:]
                except subprocess.TimeoutExpired:
                    row["timeout"] = args.timeout
                row["wall"] = time.perf_counter() - start
                fh.write(json.dumps(row) + "\n")
                fh.flush()
                status = ("timeout" if "timeout" in row else "error" if "error" in row
                          else f"{row['seconds']:.2f}s {len(row['pbe'])} PBE complete={row['complete']}")
                print(f"point {i} {policy}: {status}", flush=True)


def _load(path: str) -> dict[tuple[int, str], dict]:
    """The jobs of a result file (``.jsonl``, or gzipped ``.jsonl.gz``) by (point, policy)."""
    with (gzip.open(path, "rt") if path.endswith(".gz") else open(path)) as fh:
        return {(r["index"], r["policy"]): r for r in map(json.loads, fh)}


def _same_set(a: list[dict], b: list[dict], tol: float = 1e-7) -> bool:
    """Whether two PBE lists hold the same profiles (strategies and beliefs within ``tol``)."""
    if len(a) != len(b):
        return False

    def close(x: dict, y: dict) -> bool:
        return all(len(p) == len(q) and all(abs(s - t) <= tol for s, t in zip(p, q, strict=True))
                   for key in ("strategies", "beliefs")
                   for p, q in zip(x[key], y[key], strict=True))

    used = [False] * len(b)
    for x in a:
        j = next((j for j, y in enumerate(b) if not used[j] and close(x, y)), None)
        if j is None:
            return False
        used[j] = True
    return True


def run_diff(args: argparse.Namespace) -> int:
    old, new = _load(args.old), _load(args.new)
    differences = compared = 0
    for key in sorted(old):
        a, b = old[key], new.get(key)
        if b is None or "pbe" not in a or "pbe" not in b:
            continue
        compared += 1
        same = (_same_set(a["pbe"], b["pbe"]) and a["complete"] == b["complete"]
                and len(a["classes"]) == len(b["classes"]))
        if not same:
            differences += 1
            print(f"DIFFERENT {key}: {len(a['pbe'])} vs {len(b['pbe'])} PBE, complete {a['complete']} vs "
                  f"{b['complete']}, classes {len(a['classes'])} vs {len(b['classes'])}")
    print(f"{compared} jobs compared, {differences} differences")
    return 1 if differences else 0


def run_gambit(args: argparse.Namespace) -> int:
    import numpy as np
    import pygambit as gbt

    import deterrence as dt

    bad = checked = 0
    for (index, policy), row in sorted(_load(args.file).items()):
        if "pbe" not in row:
            continue
        game = dt.load_model(args.model).game(row["point"])
        g = gbt.read_efg(io.StringIO(dt.write_game(game)))
        for e in row["pbe"]:
            prof = g.mixed_behavior_profile(rational=False)
            _fill(g, game, prof, e["strategies"])
            regret = float(prof.max_regret())
            checked += 1
            if regret > 1e-6:
                bad += 1
                print(f"point {index} {policy}: a PBE with pygambit max_regret {regret:.3g}")
        agent = [_ours_order(g, game, eq) for eq in gbt.nash.enumpure_agent_solve(g).equilibria]
        for e in row["pbe"]:
            vec = np.concatenate(e["strategies"])
            if np.all((vec == 0) | (vec == 1)) and not any(np.allclose(vec, a, atol=1e-9) for a in agent):
                bad += 1
                print(f"point {index} {policy}: a pure PBE that is not a pure agent equilibrium of pygambit")
        ours = [np.concatenate(e["strategies"]) for e in row["pbe"]]
        missing = sum(not any(np.allclose(a, o, atol=1e-9) for o in ours) for a in agent)
        pure = sum(bool(np.all((o == 0) | (o == 1))) for o in ours)
        print(f"point {index} {policy}: {len(row['pbe'])} PBE ({pure} pure); pygambit: {len(agent)} pure "
              f"agent equilibria, {missing} of them not PBE here")
    print(f"{checked} PBE checked against pygambit, {bad} with positive regret")
    return 1 if bad else 0


def _ours_order(g: Any, game: Any, eq: Any) -> Any:
    """A pygambit behaviour profile as one vector in our information sets' order."""
    import numpy as np

    from tests.helpers.gambit_sets import matched_sets  # type: ignore[import-not-found]

    parts = [np.zeros(len(h.actions)) for h in game.infosets]
    for ours, theirs in matched_sets(game, g):
        parts[ours] = np.array([float(eq[a]) for a in theirs.actions])
    return np.concatenate(parts)


def _fill(g: Any, game: Any, prof: Any, strategies: list[list[float]]) -> None:
    from tests.helpers.gambit_sets import matched_sets  # type: ignore[import-not-found]

    for ours, theirs in matched_sets(game, g):
        for a, x in zip(theirs.actions, strategies[ours], strict=True):
            prof[a] = x


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "one":
        _, _, model, pt, policy = sys.argv
        print(json.dumps(solve_one(model, json.loads(pt), policy)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("solve")
    s.add_argument("--model", default="asymmetric_escalation")
    s.add_argument("--points", type=int, default=20)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--policies", nargs="+", default=list(POLICIES))
    s.add_argument("--timeout", type=float, default=180.0)
    s.add_argument("--out", required=True)
    s.add_argument("--resume", action="store_true")
    s.add_argument("--indices", type=int, nargs="+", help="solve only these points (0: the defaults)")
    d = sub.add_parser("diff")
    d.add_argument("old")
    d.add_argument("new")
    gb = sub.add_parser("gambit")
    gb.add_argument("file")
    gb.add_argument("--model", default="asymmetric_escalation")
    args = ap.parse_args()
    if args.cmd == "solve":
        run_solve(args)
        return 0
    return run_diff(args) if args.cmd == "diff" else run_gambit(args)


if __name__ == "__main__":
    sys.exit(main())
