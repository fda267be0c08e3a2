"""Sweeps: points per second of every catalogue model, memory per million points, grid scaling.

For every model file of ``dt.list_models("files")`` (concept PBE, belief policy ``free``; the
model families have their own benchmark, ``benchmarks/bench_collective.py``):

* compile time: ``deterrence.kernels.compile_model`` on a freshly loaded model with the
  compile cache (``deterrence.kernels._compiled._COMPILED``) and the model cache cleared before every repeat;
* compiled throughput: ``compiled.evaluate(points)`` on a seeded ``domain_sample`` of 10^5
  points (quick; 2 x 10^5 full: a sweep's chunk, or two), compile and one warm-up call on 64
  points excluded; points with a knife-edge answer come back in the "undecided" mask and are
  counted; at least ``FAST_REPEATS`` repeats, as for the pygambit loop;
* per-point path: ``deterrence.sweeps.evaluate_points`` (build the game and ``dt.solve``
  at every point);
* end-to-end estimate, next to the compiled row: the compiled ``evaluate`` does not solve the
  points it leaves undecided (``dt.sweep`` sends them per point), so the report also gives
  the undecided share and kernel time + undecided share x the per-point median per point
  (:func:`end_to_end_estimate`), the rate a sweep of such points would see;
* pygambit loop (in a worker process): per point, ``pygambit.read_efg`` of the point's game
  (written beforehand with ``dt.write_game``, untimed) and ``lcp_solve`` (2 players) or
  ``enumpure_agent_solve`` (3+), on the first 20 (quick) or 200 of the same points, at least
  ``FAST_REPEATS`` repeats. pygambit has no PBE solver, so this is a speed proxy for
  "solve the same tree per point", not the same concept.

Memory: tracemalloc peak during ``evaluate`` (numpy reports its buffers to tracemalloc), per
million points. Cost growth: the compiled path of ``extended_deterrence`` on 10^3 .. 10^7
points, in chunks of the sweep's compiled chunk size, with points per second and the
tracemalloc peak at each size (flat throughput; memory bounded by the chunk). Where the time
goes: CPU seconds per point of the kernel's stages (payoffs, engine, tidy table). The first
call (the engine compiled by numba, or loaded from its disk cache) and the README's main job
(``deterrence sweep ... --out``, in a fresh process, cold and warm) are timed separately. And
the end-to-end sweep engine (``dt.sweep``, numpy and processes backends), and the speed-up of
the parallel backends with 2 workers and default chunk sizes on the README's sweep.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

import deterrence as dt
from deterrence import kernels
from deterrence.catalogue import _files as catalogue_files
from deterrence.cli._pictures import HELPER_VARIABLE
from deterrence.errors import DeterrenceError
from deterrence.kernels import _compiled as compiled_kernels

from .measure import Settings, ours, peer, skipped
from .peers import PeerPool
from .timing import summary

SCALING_MODEL = "extended_deterrence"
#: points per chunk in the cost-growth runs: the sweep's default on the compiled path
CHUNK = 100_000
#: repeats at least of the compiled path and the pygambit loop in the per-model cases
FAST_REPEATS = 7
#: the README's main job
README_JOB = (
    "sweep", "extended_deterrence", "--vary", "credibility=0:1:201", "--vary", "cost_attacker=0:2:201",
)  # fmt: skip


def fresh_model(name: str) -> Any:
    """The model loaded from its file again (no model cache, no compile cache)."""
    catalogue_files._CACHE.clear()
    compiled_kernels._COMPILED.clear()
    return dt.load_model(name)


def compile_fresh(name: str) -> kernels.CompiledModel:
    """Load and compile ``name`` from scratch (what the compile-time rows measure, load excluded)."""
    m = fresh_model(name)
    return kernels.compile_model(m, "pbe", "free")


def _compile_times(name: str, st: Settings) -> dict[str, Any]:
    times = []
    for r in range(max(1, st.repeats if not st.quick else min(st.repeats, 3))):
        m = fresh_model(name)
        t0 = time.perf_counter()
        kernels.compile_model(m, "pbe", "free")
        times.append(time.perf_counter() - t0)
        if r and sum(times) > st.budget:
            break
    return {"repeats": len(times), "per_item": times, "stats": summary(times)}


def points(m: Any, n: int, seed: int) -> pd.DataFrame:
    """``n`` seeded points of ``m``'s domain (``domain_sample``).

    Models with many orderings between parameters can reject almost every uniform draw; then
    the points are drawn near the defaults instead (each parameter times 1 +- 10%, clipped to
    its domain, kept where the orderings hold), and ``attrs["sampling"]`` says so.
    """
    parts, have = [], 0
    for k in range(8):  # domain_sample keeps the draws that satisfy the orderings: top up to n
        part = pd.DataFrame(kernels.domain_sample(m, n - have, seed=seed + 7919 * k))
        if len(part) == 0:
            break
        parts.append(part)
        have += len(part)
        if have >= n:
            break
    pts = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(m.parameters))
    pts.attrs["sampling"] = "domain_sample (uniform over the domains, orderings enforced)"
    if len(pts) >= n // 2:
        return pts
    rng = np.random.default_rng([seed, 1])
    draw = 4 * n
    cols = {}
    for name, p in m.parameters.items():
        d = float(p.default)
        lo, hi = float(p.domain[0]), float(p.domain[1])
        cols[name] = np.clip(d * (1 + rng.uniform(-0.1, 0.1, draw)) + rng.uniform(-0.01, 0.01, draw), lo, hi)
    ok = np.asarray(m.evaluate(cols, check=False, check_orderings=False).ordering_ok, dtype=bool)
    near = pd.DataFrame({k: v[ok][:n] for k, v in cols.items()})
    near.attrs["sampling"] = (
        "near the defaults (x(1 +- 10%) +- 0.01, orderings enforced): uniform draws were rejected"
    )
    return near if len(near) > len(pts) else pts


def peak_memory(cm: kernels.CompiledModel, pts: pd.DataFrame) -> int:
    """tracemalloc peak (bytes) of one ``cm.evaluate(pts)``."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        cm.evaluate(pts)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def model_case(pool: PeerPool, name: str, st: Settings, log=print) -> dict[str, Any]:
    """Throughput of one model through the three paths (seconds per point; ratios in the report)."""
    # the compiled path: as many points as a chunk of a sweep (quick) or two (full), so that the
    # fixed cost of a call (threads, the table's columns) is spread as in a sweep
    n_comp = CHUNK if st.quick else 2 * CHUNK
    n_point = 6 if st.quick else 40
    n_loop = 20 if st.quick else 200
    # the compiled path and the pygambit loop take tens of milliseconds a repeat: repeat both
    # at least 7 times (the same for both), so that their medians resist a busy machine
    st_fast = replace(st, repeats=max(st.repeats, FAST_REPEATS))
    # a point of a large tree can take minutes on either per-point path: cap the wait in quick mode
    limit = min(st.timeout, 30.0) if st.quick else st.timeout
    m = fresh_model(name)
    pts = points(m, n_comp, st.seed)
    n_comp = len(pts)
    rows: list[dict[str, Any]] = []
    case: dict[str, Any] = {
        "group": "sweeps",
        "case": f"sweep {name}",
        "task": "points per second (PBE, free)",
        "unit": "s per point",
        "model": name,
        "seed": st.seed,
        "compile": None,
        "items": n_comp,
        "disagreements": [],
        "sampling": pts.attrs.get("sampling"),
    }
    if n_comp == 0:
        why = "domain_sample found no point satisfying the model's orderings"
        case["tools"] = [
            skipped("deterrence compiled", why, role="ours"),
            skipped("deterrence per-point", why, role="ours"),
            skipped("pygambit loop", why),
        ]
        return case
    try:
        compile_stats = _compile_times(name, st)
        cm = kernels.compile_model(fresh_model(name), "pbe", "free")
    except DeterrenceError as exc:
        cm = None
        rows.append(skipped("deterrence compiled", f"{type(exc).__name__}: {exc}", role="ours"))
        case["compile"] = None
    if cm is not None:
        case["compile"] = compile_stats
        case["structures"] = len(cm.structures)
        undecided = []

        def evaluate(_item):
            _, und = cm.evaluate(pts)
            undecided.append(int(np.sum(und)))
            return None

        cm.evaluate(pts.iloc[:64])  # warm-up: the engine loaded from numba's cache, the thread pool
        row = ours("deterrence compiled", evaluate, [None], st_fast)
        row["per_item"] = [t / n_comp for t in row.get("per_item", [])]
        if row.get("cpu_median") is not None:
            row["cpu_median"] /= n_comp
        row["stats"] = summary(row["per_item"])
        row["points"] = n_comp
        row["undecided"] = undecided[0] if undecided else None
        rows.append(row)
        peak = peak_memory(cm, pts)
        case["memory"] = {"points": n_comp, "peak_bytes": peak, "mb_per_million": peak / n_comp * 1e6 / 2**20}
    # per-point path (in a worker, with the time limit: one point can take minutes on a large tree)
    sub = pts.iloc[:n_point]
    prow = peer(
        pool,
        "deterrence_pointwise",
        "deterrence per-point",
        [{"model": name, "values": {k: float(v) for k, v in row.items()}} for _, row in sub.iterrows()],
        st,
        timeout=limit,
        item_budget=st.budget,
        role="ours",
    )
    prow["points"] = prow.get("items_done")
    rows.append(prow)
    comp = next((r for r in rows if r["tool"] == "deterrence compiled" and r.get("stats")), None)
    if comp is not None:
        case["end_to_end_estimate"] = comp["end_to_end_estimate"] = end_to_end_estimate(comp, prow)
    # pygambit loop over the same points' games (the .efg texts are written beforehand, untimed)
    loop_pts = pts.iloc[:n_loop]
    texts = [dt.write_game(m.game(**{k: float(v) for k, v in row.items()})) for _, row in loop_pts.iterrows()]
    players = len(m.game().players)
    grow = peer(
        pool,
        "gambit_sweep_loop",
        "pygambit loop (" + ("lcp_solve" if players == 2 else "enumpure_agent_solve") + ")",
        [{"efg": t} for t in texts],
        st_fast,
        timeout=limit,
        item_budget=st.budget,
    )
    grow["points"] = grow.get("items_done")
    rows.append(grow)
    case["tools"] = rows
    return case


def end_to_end_estimate(comp: dict[str, Any], pointwise: dict[str, Any]) -> dict[str, Any]:
    """What a sweep would cost per point with the compiled row's undecided points solved per
    point: kernel time + undecided share x the per-point path's median (a lower bound when the
    per-point path hit its time limit). The per-point median is over the first points of the
    sample, not over the undecided points themselves (which sit next to knife edges)."""
    kernel = comp["stats"]["median"]
    share = (comp.get("undecided") or 0) / comp["points"]
    per_point = (pointwise.get("stats") or {}).get("median")
    bound = per_point is None and pointwise.get("lower_bound_per_item") is not None
    if per_point is None:
        per_point = pointwise.get("lower_bound_per_item")
    out: dict[str, Any] = {"undecided_share": share, "kernel_s_per_point": kernel, "per_point_s": per_point}
    if per_point is None:
        out["estimate_s_per_point"] = None if share else kernel
    else:
        out["estimate_s_per_point"] = kernel + share * per_point
    out["bound"] = ">=" if bound and share else "="
    est = out["estimate_s_per_point"]
    out["points_per_second"] = None if not est else 1.0 / est
    return out


def memory_scaling(st: Settings, log=print) -> list[dict[str, Any]]:
    """tracemalloc peak of the compiled path of ``SCALING_MODEL`` at 10^4 .. 10^6 points."""
    cm = compile_fresh(SCALING_MODEL)
    m = dt.load_model(SCALING_MODEL)
    out = []
    for n in (10_000, 100_000, 1_000_000):
        pts = points(m, n, st.seed + 1)
        log(f"  memory at {len(pts):,} points")
        peak = peak_memory(cm, pts)
        out.append(
            {
                "points": len(pts),
                "peak_bytes": peak,
                "mb_per_million": peak / len(pts) * 1e6 / 2**20,
                "input_bytes": int(pts.memory_usage(index=False).sum()),
            }
        )
    return out


def grid_scaling(st: Settings, log=print) -> list[dict[str, Any]]:
    """Cost growth: the compiled path on 10^3 .. 10^7 points (chunks of ``CHUNK``, as a sweep
    runs them), with points per second and the tracemalloc peak at each size.

    Each chunk's points are drawn (``domain_sample``, untimed) just before it is evaluated and
    dropped after, so memory stays bounded by the chunk; the peak is measured in a second pass
    (tracemalloc slows allocation), the time in the first.
    """
    cm = compile_fresh(SCALING_MODEL)
    m = dt.load_model(SCALING_MODEL)
    out = []
    for e in range(3, 8):
        n = 10**e
        sizes = [CHUNK] * (n // CHUNK) or [n]
        log(f"  cost growth: {n:,} points ({len(sizes)} chunk{'s' if len(sizes) > 1 else ''})")
        times, undecided, total = [], 0, 0
        for r in range(st.repeats if n <= 100_000 else 1):
            elapsed = 0.0
            for c, size in enumerate(sizes):
                pts = points(m, size, st.seed + 100 + c)
                t0 = time.perf_counter()
                _, und = cm.evaluate(pts)
                elapsed += time.perf_counter() - t0
                if r == 0:
                    undecided += int(np.sum(und))
                    total += len(pts)
            times.append(elapsed)
            if sum(times) > st.budget:
                break
        peak = _chunked_peak(cm, m, sizes, st.seed + 100)
        s = summary(times)
        out.append(
            {
                "points": total,
                "chunks": len(sizes),
                "chunk": sizes[0],
                "repeats": len(times),
                "stats": s,
                "points_per_second": total / s["median"],
                "undecided": undecided,
                "peak_bytes": peak,
            }
        )
    return out


def _chunked_peak(cm: kernels.CompiledModel, m: Any, sizes: list[int], seed: int) -> int:
    """tracemalloc peak (bytes) over evaluating the chunks one after the other (points included)."""
    tracemalloc.start()
    try:
        for c, size in enumerate(sizes):
            pts = points(m, size, seed + c)
            cm.evaluate(pts)
            del pts
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def stages(st: Settings, log=print) -> dict[str, Any]:
    """CPU seconds per point of the compiled path's stages on 10^5 points of ``SCALING_MODEL``
    (one thread): payoffs and chance probabilities (sympy-lambdified numpy), the numba engine,
    and the tidy table (pandas)."""
    from deterrence.kernels import _compiled

    cm = compile_fresh(SCALING_MODEL)
    pts = points(dt.load_model(SCALING_MODEL), 100_000, st.seed + 3)
    cols = {k: pts[k].to_numpy() for k in cm.tree.names}
    before = _compiled.threads()
    _compiled.set_threads(1)
    try:
        cm.evaluate(pts.iloc[:100])

        def best(call):
            out, least = None, float("inf")
            for _ in range(max(3, st.repeats)):
                c0 = time.process_time()
                out = call()
                least = min(least, time.process_time() - c0)
            return least, out

        t_pay, _ = best(lambda: cm.tree.numeric_columns(cols))
        t_block, (_und, found) = best(lambda: cm._evaluate_block(cols))
        t_table, _ = best(lambda: cm._table(pts, found))
        t_all, _ = best(lambda: cm.evaluate(pts))
    finally:
        _compiled.set_threads(before)
    n = len(pts)
    log(f"  stages: {1e6 * t_all / n:.2f} µs per point on one thread")
    return {
        "model": SCALING_MODEL,
        "points": n,
        "threads": 1,
        "us_per_point": {
            "payoffs": 1e6 * t_pay / n,
            "engine": 1e6 * (t_block - t_pay) / n,
            "table": 1e6 * t_table / n,
            "evaluate": 1e6 * t_all / n,
        },
    }


_FIRST_CALL = """
import time, pandas as pd, deterrence as dt
from deterrence.kernels import compile_model
m = dt.load_model({model!r}); cm = compile_model(m, "pbe", "free")
pts = pd.DataFrame({{n: [float(p.default)] for n, p in m.parameters.items()}})
t0 = time.perf_counter(); c0 = time.process_time(); cm.evaluate(pts)
print(time.perf_counter() - t0, time.process_time() - c0)
"""


def _run_limited(cmd: list[str], env: dict[str, str], limit: float) -> subprocess.CompletedProcess | None:
    """``cmd`` run to completion with its output captured; ``None`` if it passed ``limit`` seconds
    (the child is killed; the caller records a timeout instead of losing the whole group)."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=limit)
    except subprocess.TimeoutExpired:
        return None


def first_call(st: Settings, log=print) -> list[dict[str, Any]]:
    """The first ``evaluate`` in a fresh process: with an empty numba cache (the engine is
    compiled, as on the first run after install) and with the cache it wrote (every later run)."""
    out = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for when in ("cold (compiles the engine)", "warm (engine from the disk cache)"):
            log(f"  first evaluate, {when}")
            proc = _run_limited([sys.executable, "-c", _FIRST_CALL.format(model=SCALING_MODEL)],
                                env, st.timeout)
            if proc is None:
                out.append({"when": when, "error": [f"timeout after {st.timeout:g} s"]})
                continue
            if proc.returncode:
                out.append({"when": when, "error": proc.stderr.strip().splitlines()[-1:]})
                continue
            wall, cpu = map(float, proc.stdout.split()[-2:])
            out.append({"when": when, "wall_s": wall, "cpu_s": cpu})
    return out


#: the README job's runs: (label, DETERRENCE_PICTURE_HELPER: None = the command's own choice)
README_RUNS = (
    ("cold (compiles the engine)", None),
    ("warm", None),
    ("warm", None),
    ("warm, pictures in a helper process", "1"),
    ("warm, pictures in the main process", "0"),
    ("warm, pictures in a helper process", "1"),
    ("warm, pictures in the main process", "0"),
)


#: a warm README job starts once the 1-minute load average is below this (an idle machine, as a
#: user's after install; the cases before it leave the average high for a minute) ...
SETTLED_LOAD = 0.7
#: ... or after this many seconds of waiting (a machine busy with other work)
SETTLE_WAIT = 120.0


def _load() -> float | None:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def settled_load() -> float | None:
    """The 1-minute load average, after waiting (untimed) up to :data:`SETTLE_WAIT` seconds for
    it to fall below :data:`SETTLED_LOAD`: the command decides whether to draw in a helper
    process from it, so a run right after a busy case would see a machine busier than it is."""
    start = time.monotonic()
    load = _load()
    while load is not None and load >= SETTLED_LOAD and time.monotonic() - start < SETTLE_WAIT:
        time.sleep(1.0)
        load = _load()
    return load


def readme_job(st: Settings, log=print) -> list[dict[str, Any]]:
    """The README's main job, ``deterrence sweep extended_deterrence --vary credibility=0:1:201
    --vary cost_attacker=0:2:201 --out results/``, in a fresh process: wall and CPU time of the
    whole command (start-up, imports, compile, sweep, CSV, Parquet, manifest, map), cold (empty
    numba cache) and warm; how many points went to the compiled and per-point paths. The warm
    job runs as the command chooses (its pictures drawn by a helper process when a core is to
    spare) and with each choice forced, and each run records the load average it started at
    (the helper pays only with a free core). Each warm run waits, untimed, for the load average
    to settle (:func:`settled_load`), as on a user's idle machine."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        # after install the package's bytecode is compiled (pip does it): the cold run writes
        # it, unless the caller's environment forbids it (PYTHONDONTWRITEBYTECODE)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", HELPER_VARIABLE)}
        env["NUMBA_CACHE_DIR"] = os.path.join(tmp, "numba")
        for k, (when, helper) in enumerate(README_RUNS):
            log(f"  README job, {when}")
            folder = os.path.join(tmp, f"results{k}")
            cmd = [sys.executable, "-m", "deterrence", *README_JOB, "--out", folder, "--no-progress"]
            run_env = env if helper is None else {**env, HELPER_VARIABLE: helper}
            load = settled_load() if when.startswith("warm") else _load()
            before, t0 = os.times(), time.perf_counter()
            proc = _run_limited(cmd, run_env, st.timeout)
            wall, after = time.perf_counter() - t0, os.times()
            if proc is None:  # a loaded machine: recorded, and the other cases still run
                out.append({"when": when, "wall_s": wall, "error": [f"timeout after {st.timeout:g} s"]})
                continue
            cpu = sum(getattr(after, f) - getattr(before, f) for f in ("children_user", "children_system"))
            row: dict[str, Any] = {
                "when": when,
                "wall_s": wall,
                "cpu_s": cpu,
                "load_1min": load,
                "returncode": proc.returncode,
            }
            found = re.search(r"^paths: (.*)$", proc.stdout, re.M)  # "paths: compiled 39,999, pointwise 402"
            if found:
                pairs = re.findall(r"(\w[\w-]*) ([\d,]+)", found.group(1))
                row["paths"] = {path: int(count.replace(",", "")) for path, count in pairs}
            if proc.returncode:
                row["error"] = proc.stderr.strip().splitlines()[-1:]
            out.append(row)
    return out


def sweep_engine(st: Settings, log=print) -> list[dict[str, Any]]:
    """End to end ``dt.sweep`` on a credibility x cost_attacker grid, per backend.

    Compile (cache cleared), grid, evaluate, per-point fallback for undecided points, tidy table.
    """
    side = 317 if st.quick else 1000
    n = side * side
    grid = {"credibility": np.linspace(0, 1, side), "cost_attacker": np.linspace(0, 2, side)}
    out = []
    for backend in ("numpy", "processes"):
        log(f"  dt.sweep {SCALING_MODEL}, {side}x{side} grid, backend={backend}")
        times, rows = [], 0
        for _ in range(1 if st.quick else 3):
            fresh_model(SCALING_MODEL)
            t0 = time.perf_counter()
            kw = {"workers": 2} if backend == "processes" else {}
            try:
                res = dt.sweep(SCALING_MODEL, grid=grid, progress=False, backend=backend, **kw)
            except Exception as exc:  # reported, not hidden
                out.append({"backend": backend, "points": n, "error": f"{type(exc).__name__}: {exc}"})
                break
            times.append(time.perf_counter() - t0)
            rows = len(res.table)
        if times:
            s = summary(times)
            out.append(
                {
                    "backend": backend,
                    "points": n,
                    "grid": f"credibility x cost_attacker, {side}x{side}",
                    "rows": rows,
                    "repeats": len(times),
                    "stats": s,
                    "points_per_second": n / s["median"],
                }
            )
    return out


def parallel_speedup(st: Settings, log=print) -> list[dict[str, Any]]:
    """The README's sweep (``extended_deterrence``, credibility 0:1:201 x cost_attacker 0:2:201,
    40,401 points) with *default* chunk sizes on each backend: wall time, chunks, and the
    speed-up of 2 workers over the in-process run (the default chunking gives every worker
    several chunks, so the parallel backends are parallel without a chunk_size). Compile
    included, model cache cleared before every run."""
    grid = {"credibility": dt.Linspace(0, 1, 201), "cost_attacker": dt.Linspace(0, 2, 201)}
    runs = [
        ("numpy", {}),
        ("processes", {"workers": 2}),
        ("processes", {"workers": 2, "chunk_size": 100_000}),  # the old default: one chunk, one core
        ("dask", {"workers": 2}),
    ]
    out, base = [], None
    for backend, kw in runs:
        log(f"  parallel speed-up: README sweep, backend={backend} {kw}")
        times, chunks = [], None
        for _ in range(1 if st.quick else 3):
            fresh_model(SCALING_MODEL)
            t0 = time.perf_counter()
            try:
                res = dt.sweep(SCALING_MODEL, grid=grid, progress=False, backend=backend, **kw)
            except Exception as exc:  # reported, not hidden (e.g. no dask installed)
                out.append({"backend": backend, **kw, "error": f"{type(exc).__name__}: {exc}"})
                break
            times.append(time.perf_counter() - t0)
            chunks = res.manifest.n_chunks
        if not times:
            continue
        s = summary(times)
        base = s["median"] if backend == "numpy" else base
        out.append({
            "backend": backend + ("" if "chunk_size" not in kw else f" (chunk_size={kw['chunk_size']:,})"),
            "workers": kw.get("workers", 1), "points": 201 * 201, "chunks": chunks,
            "repeats": len(times), "stats": s, "points_per_second": 201 * 201 / s["median"],
            "speedup": None if base is None else base / s["median"],
        })
    return out


def run(pool: PeerPool, st: Settings, models: list[str] | None = None, log=print) -> dict[str, Any]:
    """All sweep measurements: per-model cases, memory, cost growth, stages, first call, the
    README job, sweep engine."""
    cases = []
    for name in models or dt.list_models("files"):  # model families: benchmarks/bench_collective.py
        log(f"  sweep model {name}")
        cases.append(model_case(pool, name, st, log))
    return {
        "cases": cases,
        "memory": memory_scaling(st, log),
        "grid_scaling": grid_scaling(st, log),
        "stages": stages(st, log),
        "first_call": first_call(st, log),
        "readme_job": readme_job(st, log),
        "sweep_engine": sweep_engine(st, log),
        "parallel_speedup": parallel_speedup(st, log),
    }
