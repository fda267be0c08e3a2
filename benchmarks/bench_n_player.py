"""Benchmark: N-player Nash in ``deterrence`` against pygambit, on seeded random games.

Run from the repository root (pygambit must be installed)::

    python benchmarks/bench_n_player.py              # default sizes, 5 games each
    python benchmarks/bench_n_player.py --games 10 --timeout 120
    python benchmarks/bench_n_player.py --trees 12   # 5-player trees of about 200 information sets

For every size it times, per game (median over games):

* all pure equilibria: ``deterrence`` ``pure`` vs pygambit ``enumpure_solve``;
* one mixed equilibrium: ``deterrence`` ``homotopy`` (logit path + Newton polish) vs
  pygambit ``simpdiv_solve``, ``gnm_solve`` and ``logit_solve``;
* all equilibria on the small sizes: ``deterrence`` ``polynomial`` vs ``enumpoly_solve``.

Each pygambit call runs in its own subprocess with a timeout (some can hang); the time
reported is measured inside the subprocess around the solver call alone (building the game
and importing pygambit are excluded), so the comparison is like for like. The script also
reports the largest regret of the profiles each method returned, computed by
``deterrence``'s ``NormalFormGame.regrets`` on the same payoffs.

``--trees N`` instead times one Nash equilibrium of N seeded 5-player trees of about 200
information sets (the wrong-answer hunt's generator, ``tests/helpers/hunt_trees.py``; every
fourth without perfect recall): ``dt.solve(game, "nash")`` (the ``homotopy`` fallback, certified)
in CPU seconds, against pygambit's ``logit_solve`` on the same Gambit text (in a subprocess with
the timeout), and reports how many of ours stayed under the 2 s aim.

The early exit of ``homotopy`` (after 256 steps, the branch's current point is refined every 32
steps; see :mod:`deterrence.solvers.homotopy`), CPU seconds of ``dt.solve(game, "nash")`` on a
shared 2-core machine, before and after (trees whose branch ends within 256 steps are
unchanged, answers included)::

    sample                                   trees  median   largest  under 2 s  changed answers
    --trees 24 (5 players, ~200 sets)   before   24   0.08 s   4.49 s    23         -
                                        after    24   0.08 s   1.00 s    24         2 (143, 170)
    hunt_tree 3-5 players, 150-300      before   60   0.02 s   5.24 s*   59         -
    decision nodes, recall True/False,  after    60   0.02 s   2.07 s    59         4
    payoffs 0..9 (seeds 7000-7059)

    seed 143 (5 players, no recall, 129 sets): 6,455 steps, 4.49 s -> 384 steps, 0.29 s
    seed 170 (5 players, recall, 212 sets):    1,277 steps, 1.81 s -> 384 steps, 0.57 s
    seed 7027 (3 players, no recall, 99 sets): * SolverError after 20,000 steps -> 7,366 steps, 2.07 s
      then (unused actions tied in the refinement, from scaled lambda 1e4): 218 steps, 0.09 s

A further 60 trees (seeds 5000-5059, 50-300 decision nodes, payoffs 0..2 or 0..9) all took at
most 0.12 s and 257 steps before, so the probes never start there.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deterrence.game import NormalFormGame
from deterrence.solvers.homotopy import logit_homotopy
from deterrence.solvers.polynomial import polynomial_equilibria
from deterrence.solvers.pure import pure_equilibria

_GAMBIT = r"""
import json, sys, time
import numpy as np
import pygambit as gbt
job = json.load(sys.stdin)
g = gbt.Game.from_arrays(*[np.array(a, dtype=float) for a in job["payoffs"]])
method = job["method"]
t0 = time.perf_counter()
if method == "enumpure":
    res = gbt.nash.enumpure_solve(g)
elif method == "simpdiv":
    res = gbt.nash.simpdiv_solve(g.mixed_strategy_profile(rational=True))
elif method == "gnm":
    res = gbt.nash.gnm_solve(g)
elif method == "logit":
    res = gbt.nash.logit_solve(g)
elif method == "enumpoly":
    res = gbt.nash.enumpoly_solve(g)
else:
    raise SystemExit("unknown method " + method)
dt = time.perf_counter() - t0
eqs = [[[float(e[s]) for s in p.strategies] for p in g.players] for e in res.equilibria]
print(json.dumps({"time": dt, "equilibria": eqs}))
"""


def gambit(method: str, payoffs: list[np.ndarray], timeout: float) -> tuple[float | None, list]:
    """Run one pygambit solver in a subprocess; ``(seconds or None on timeout/failure, equilibria)``."""
    job = json.dumps({"method": method, "payoffs": [a.tolist() for a in payoffs]})
    try:
        proc = subprocess.run([sys.executable, "-c", _GAMBIT], input=job, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, []
    if proc.returncode != 0:
        return None, []
    out = json.loads(proc.stdout)
    return float(out["time"]), out["equilibria"]


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def regret(game: NormalFormGame, eqs: list) -> float:
    if not eqs:
        return float("nan")
    return max(float(game.regrets([np.asarray(s, dtype=float) for s in e]).max()) for e in eqs)


def fmt(x: float | None) -> str:
    if x is None:
        return "timeout"
    if x != x:  # nan
        return "-"
    return f"{x * 1e3:9.2f} ms" if x < 10 else f"{x:9.2f} s "


def median(xs: list[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    if len(vals) < len(xs) or not vals:
        return None
    return statistics.median(vals)


_GAMBIT_TREE = r"""
import io, json, sys, time
import pygambit as gbt
g = gbt.read_efg(io.StringIO(sys.stdin.read()))
t0 = time.process_time()
res = gbt.nash.logit_solve(g)
print(json.dumps({"time": time.process_time() - t0, "found": len(res.equilibria)}))
"""


def gambit_tree(efg: str, timeout: float) -> float | None:
    """CPU seconds of pygambit's ``logit_solve`` on a tree (None on timeout or failure)."""
    try:
        proc = subprocess.run([sys.executable, "-c", _GAMBIT_TREE], input=efg, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        return None
    return float(json.loads(proc.stdout)["time"])


def trees_main(count: int, timeout: float) -> None:
    """One Nash equilibrium of ``count`` 5-player trees of about 200 information sets."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from helpers.hunt_trees import hunt_tree

    import deterrence as dt

    dt.solve(hunt_tree(0, 3, 20).game(), "nash")  # compile (or load) the kernels outside the timings
    print("5-player trees (hunt generator, 300 decision nodes, payoffs in 0..9); CPU seconds\n")
    print(f"{'seed':>5}{'recall':>8}{'sets':>6}{'steps':>7}{'deterrence':>12}{'pygambit logit':>16}")
    ours: list[float] = []
    for k in range(count):
        seed = 101 + 3 * k  # players 3 + seed % 3 = 5 in the hunt's slow test
        recall = seed % 4 != 3
        tree = hunt_tree(seed, 5, 300, recall=recall, payoff_range=10, p_chain=0.02)
        game = tree.game()
        t0 = time.process_time()
        eqs = dt.solve(game, "nash")
        t = time.process_time() - t0
        assert all(eq.certificate.passed for eq in eqs)
        ours.append(t)
        steps = next((n.split(" after ")[1].split(" steps")[0] for n in eqs.notes if " after " in n), "-")
        theirs = gambit_tree(tree.efg(), timeout)
        print(f"{seed:>5}{recall!s:>8}{len(game.infosets):>6}{steps:>7}{t:>11.2f}s"
              f"{'timeout' if theirs is None else f'{theirs:.2f}s':>16}")
        sys.stdout.flush()
    print(f"\nmedian {statistics.median(ours):.2f} s, largest {max(ours):.2f} s, "
          f"{sum(t < 2.0 for t in ours)}/{len(ours)} under 2 s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", type=int, default=5, help="games per size (default 5)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per pygambit call (default 60)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--trees", type=int, default=0, help="time N trees of ~200 information sets instead")
    args = ap.parse_args()
    if args.trees:
        trees_main(args.trees, args.timeout)
        return
    rng = np.random.default_rng(args.seed)
    sizes = [(3, 3, 3), (4, 4, 4), (5, 5, 5), (2, 2, 2, 2), (3, 3, 3, 3)]
    small = {(2, 2, 2), (3, 3, 3), (2, 2, 2, 2)}
    print(f"seed {args.seed}, {args.games} games per size, integer payoffs in [-9, 9]; "
          "times are medians per game; ratio = pygambit / deterrence (>1: deterrence faster)\n")
    header = f"{'size':<10}{'task':<10}{'method':<22}{'median':>12}{'ratio':>9}{'max regret':>12}"
    print(header)
    print("-" * len(header))
    for shape in [(2, 2, 2), *sizes]:
        name = "x".join(map(str, shape))
        games = [[rng.integers(-9, 10, size=shape) for _ in shape] for _ in range(args.games)]
        rows: list[tuple[str, str, list[float | None], float]] = []

        ours_t, ours_r = [], []
        for p in games:
            g = NormalFormGame(p)
            t, eqs = timed(pure_equilibria, g)
            ours_t.append(t)
            ours_r.append(regret(g, [g.pure_profile(list(r)) for r in eqs]))
        rows.append(("pure", "deterrence pure", ours_t, max(ours_r, default=float("nan"))))
        rows.append(_gambit_row("pure", "enumpure", games, args.timeout))

        ours_t, ours_r = [], []
        for p in games:
            g = NormalFormGame(p)
            try:
                t, res = timed(logit_homotopy, g)
                ours_t.append(t)
                ours_r.append(regret(g, [res.profile]))
            except Exception:  # a failure is reported, not hidden
                ours_t.append(None)
        rows.append(("one", "deterrence homotopy", ours_t, max(ours_r, default=float("nan"))))
        for method in ("simpdiv", "gnm", "logit"):
            rows.append(_gambit_row("one", method, games, args.timeout))

        if shape in small:
            ours_t, ours_r = [], []
            for p in games:
                g = NormalFormGame(p)
                t, res = timed(polynomial_equilibria, g)
                ours_t.append(t)
                ours_r.append(regret(g, res.profiles))
            rows.append(("all", "deterrence polynomial", ours_t, max(ours_r, default=float("nan"))))
            rows.append(_gambit_row("all", "enumpoly", games, args.timeout))

        base: dict[str, float | None] = {}
        for task, method, ts, worst in rows:
            med = median(ts)
            if method.startswith("deterrence"):
                base[task] = med
                ratio = ""
            else:
                b = base.get(task)
                ratio = f"{med / b:8.1f}x" if med is not None and b else "      -"
            print(f"{name:<10}{task:<10}{method:<22}{fmt(med):>12}{ratio:>9}{worst:>12.1e}")
        print()
        sys.stdout.flush()


def _gambit_row(task: str, method: str, games: list, timeout: float):
    ts, worst = [], []
    for p in games:
        t, eqs = gambit(method, p, timeout)
        ts.append(t)
        if eqs:
            worst.append(regret(NormalFormGame(p), eqs))
    return task, f"pygambit {method}", ts, max(worst, default=float("nan"))


if __name__ == "__main__":
    main()
