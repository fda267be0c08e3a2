"""Benchmark: all Nash equilibria of random 2-player games, deterrence vs nashpy, QuantEcon, pygambit.

Seeded random integer payoffs at each size; per tool, the median time per game and its
ratio to ``deterrence`` vertex enumeration; the number of equilibria found by each tool
is checked against ours game by game (for nondegenerate games every tool must agree;
for degenerate ones only pygambit's ``enummixed``, which also returns extreme points).

Slow tools run in subprocesses with a time limit (nashpy is skipped above 8x8).

Run::

    python benchmarks/bench_two_player.py                 # sizes 4 6 8 10 12, 5 games each
    python benchmarks/bench_two_player.py --sizes 4 8 --games 9 --clock wall

``--clock cpu`` (default) measures the CPU time of the process doing the work, which is
steadier than wall time on a shared machine; all BLAS/numba thread pools are pinned to
one thread so the two agree on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

TOOLS_IN_PROCESS = ("ours_vertex", "ours_support", "ours_solve", "quantecon_vertex", "quantecon_support")
TOOLS_SUBPROCESS = ("nashpy_support", "nashpy_vertex", "gambit_enummixed", "gambit_enummixed_rational")


def games(size: int, count: int, seed: int, lo: int, hi: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``count`` seeded random ``size x size`` games with integer payoffs in ``[lo, hi]``."""
    rng = np.random.default_rng([seed, size])
    return [(rng.integers(lo, hi + 1, (size, size)), rng.integers(lo, hi + 1, (size, size)))
            for _ in range(count)]


def _clock(kind: str):
    return time.process_time if kind == "cpu" else time.perf_counter


def _solver(tool: str):
    """A function ``(A, B) -> number of equilibria`` for one tool (imports inside)."""
    if tool == "ours_vertex":
        from deterrence.solvers.vertex_enumeration import extreme_equilibria
        return lambda a, b: len(extreme_equilibria(a, b)["x"])
    if tool == "ours_support":
        from deterrence.solvers.support_enumeration import support_equilibria
        return lambda a, b: len(support_equilibria(a, b)["x"])
    if tool == "ours_solve":
        import deterrence as dt
        return lambda a, b: len(dt.solve(dt.NormalFormGame([a, b]), method="vertex_enumeration",
                                         max_work=1e15))
    if tool.startswith("quantecon"):
        import quantecon.game_theory as gt
        fn = gt.vertex_enumeration if tool.endswith("vertex") else gt.support_enumeration

        def qe(a, b):
            return len(fn(gt.NormalFormGame((gt.Player(a), gt.Player(b.T)))))
        qe(np.eye(3), np.eye(3))  # numba compilation outside the timing
        return qe
    if tool.startswith("nashpy"):
        import warnings

        import nashpy
        method = "support_enumeration" if tool.endswith("support") else "vertex_enumeration"

        # nashpy's default support tolerance (1e-16) misses equilibria of integer games
        kwargs = {"tol": 1e-6} if method == "support_enumeration" else {}

        def npy(a, b):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return len(list(getattr(nashpy.Game(a, b), method)(**kwargs)))
        return npy
    if tool.startswith("gambit"):
        import pygambit as gbt
        rational = tool.endswith("rational")
        return lambda a, b: len(
            gbt.nash.enummixed_solve(gbt.Game.from_arrays(a, b), rational=rational).equilibria)
    raise SystemExit(f"unknown tool {tool}")


def time_tool(tool: str, gs, clock: str) -> list[tuple[float, int]]:
    """Time one tool on each game; returns ``(seconds, equilibria)`` per game."""
    fn = _solver(tool)
    tick = _clock(clock)
    out = []
    for a, b in gs:
        t0 = tick()
        n = fn(a, b)
        out.append((tick() - t0, n))
    return out


def time_in_subprocess(tool: str, gs, clock: str, timeout: float) -> list[tuple[float, int]] | None:
    """Like :func:`time_tool` in a fresh interpreter; ``None`` if it exceeds ``timeout`` seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "games.npz"
        np.savez(path, a=np.array([g[0] for g in gs]), b=np.array([g[1] for g in gs]))
        cmd = [sys.executable, __file__, "--worker", tool, "--games-file", str(path), "--clock", clock]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return None
        if proc.returncode != 0:
            print(f"  {tool} failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            return None
        return [tuple(r) for r in json.loads(proc.stdout)]


def _worker(tool: str, games_file: str, clock: str) -> None:
    data = np.load(games_file)
    gs = list(zip(data["a"], data["b"], strict=True))
    print(json.dumps(time_tool(tool, gs, clock)))


def _degenerate(gs) -> list[bool]:
    from deterrence.solvers.vertex_enumeration import extreme_equilibria
    return [bool(extreme_equilibria(a, b)["degenerate"]) for a, b in gs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[4, 6, 8, 10, 12])
    ap.add_argument("--games", type=int, default=5, help="games per size (median reported)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--payoffs", type=int, nargs=2, default=[-1000, 1000], metavar=("LO", "HI"))
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds per subprocess tool and size")
    ap.add_argument("--nashpy-max", type=int, default=8)
    ap.add_argument("--rational-max", type=int, default=10, help="largest size for exact pygambit")
    ap.add_argument("--slow-games", type=int, default=3,
                    help="games per size for nashpy and exact pygambit (the first ones)")
    ap.add_argument("--support-max", type=int, default=12, help="largest size for our support enumeration")
    ap.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    ap.add_argument("--worker")
    ap.add_argument("--games-file")
    args = ap.parse_args()
    if args.worker:
        _worker(args.worker, args.games_file, args.clock)
        return

    tools = list(TOOLS_IN_PROCESS) + list(TOOLS_SUBPROCESS)
    table: dict[int, dict[str, float | None]] = {}
    problems: list[str] = []
    for size in args.sizes:
        gs = games(size, args.games, args.seed, *args.payoffs)
        degen = _degenerate(gs)
        row: dict[str, float | None] = {}
        counts: dict[str, list[int]] = {}
        for tool in tools:
            if tool.startswith("nashpy") and size > args.nashpy_max:
                row[tool] = None
                continue
            if (tool == "ours_support" and size > args.support_max) or (
                    tool == "gambit_enummixed_rational" and size > args.rational_max):
                row[tool] = None
                continue
            slow = tool.startswith("nashpy") or tool == "gambit_enummixed_rational"
            if tool in TOOLS_IN_PROCESS:
                res = time_tool(tool, gs, args.clock)
            else:
                res = time_in_subprocess(tool, gs[:args.slow_games] if slow else gs, args.clock, args.timeout)
            if res is None:
                row[tool] = float("inf")
                continue
            row[tool] = float(np.median([r[0] for r in res]))
            counts[tool] = [int(r[1]) for r in res]
        ref = counts["ours_vertex"]
        for tool, cnt in counts.items():
            for k, (c, r) in enumerate(zip(cnt, ref, strict=False)):
                exact_tool = tool.startswith("gambit") or tool == "ours_solve"
                if c != r and (exact_tool or not degen[k]):
                    problems.append(f"{size}x{size} game {k}: {tool} found {c} equilibria, ours {r}")
        table[size] = row
        print(f"{size}x{size}: done ({sum(degen)} of {len(gs)} games degenerate; "
              f"equilibria per game {ref})", file=sys.stderr)

    clock = "CPU" if args.clock == "cpu" else "wall"
    print(f"\nMedian {clock} time per game (ms), {args.games} seeded games per size ({args.slow_games} for "
          f"nashpy and exact pygambit), integer payoffs in [{args.payoffs[0]}, {args.payoffs[1]}]; "
          "ratio = tool / ours_vertex")
    head = f"{'tool':20s}" + "".join(f"{f'{s}x{s}':>20s}" for s in args.sizes)
    print(head)
    for tool in tools:
        cells = []
        for size in args.sizes:
            t = table[size].get(tool)
            base = table[size]["ours_vertex"]
            if t is None:
                cells.append(f"{'-':>20s}")
            elif t == float("inf"):
                cells.append(f"{'timeout':>20s}")
            elif tool == "ours_vertex":
                cells.append(f"{t * 1e3:20.2f}")
            else:
                ratio = t / base if base else float("nan")
                cells.append(f"{t * 1e3:11.2f} ({ratio:5.3g}x)")
        print(f"{tool:20s}" + "".join(cells))
    if problems:
        print("\nCOUNT DISAGREEMENTS:")
        for p in problems:
            print("  " + p)
    else:
        print("\nequilibrium counts agree (all tools on nondegenerate games; pygambit on all)")


if __name__ == "__main__":
    main()
