"""Ratios, targets, the Markdown report and the PNG plots, all computed from the results dict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CAVEAT = (
    "Measured on a shared 2-core machine while other jobs were running (see the load average): "
    "absolute times are pessimistic and noisy; ratios within one run are the meaningful numbers."
)


def _median(row: dict[str, Any]) -> float | None:
    s = row.get("stats")
    return None if not s else s.get("median")


def reference(case: dict[str, Any]) -> dict[str, Any] | None:
    """Our fastest row of a case (the one peers are compared to)."""
    mine = [r for r in case["tools"] if r["role"] == "ours" and _median(r)]
    return min(mine, key=_median) if mine else None


def ratios(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per other row: ``speedup`` = its median / our fastest median (>1: we are faster).

    A peer that timed out before finishing one repeat gets a lower bound (``">="``).
    """
    ref = reference(case)
    out: dict[str, dict[str, Any]] = {}
    if ref is None:
        # none of ours finished: compare with our lower bound (our speedup is at most this)
        bounds = [
            r["lower_bound_per_item"]
            for r in case["tools"]
            if r["role"] == "ours" and r.get("lower_bound_per_item")
        ]
        if bounds:
            for row in case["tools"]:
                if row["role"] == "peer" and _median(row):
                    out[row["tool"]] = {"speedup": _median(row) / min(bounds), "bound": "<="}
        return out
    base = _median(ref)
    for row in case["tools"]:
        if row is ref:
            continue
        med = _median(row)
        if med:
            out[row["tool"]] = {"speedup": med / base, "bound": "="}
        elif row["status"] == "timeout" and row.get("lower_bound_per_item"):
            out[row["tool"]] = {"speedup": row["lower_bound_per_item"] / base, "bound": ">="}
        else:
            out[row["tool"]] = {"speedup": None, "bound": row["status"]}
    return out


def _fmt_t(x: float | None) -> str:
    if x is None:
        return "-"
    if x >= 1:
        return f"{x:.2f} s"
    if x >= 1e-3:
        return f"{x * 1e3:.2f} ms"
    if x >= 1e-6:
        return f"{x * 1e6:.2f} µs"
    return f"{x * 1e9:.1f} ns"


def _fmt_r(r: dict[str, Any] | None) -> str:
    if r is None:
        return "-"
    if r["speedup"] is None:
        return r["bound"]
    v = r["speedup"]
    s = f"{v:.3g}×" if v < 1000 else f"{v:,.0f}×"
    return {">=": "≥", "<=": "≤"}.get(r["bound"], "") + s


def _spread(row: dict[str, Any]) -> str:
    s = row.get("stats")
    if not s or s.get("median") is None:
        return "-"
    return f"IQR {_fmt_t(s['q1'])}–{_fmt_t(s['q3'])}; min–max {_fmt_t(s['min'])}–{_fmt_t(s['max'])}"


def _status(row: dict[str, Any]) -> str:
    if row["status"] == "ok":
        return row.get("error") or "ok"
    if row["status"] == "timeout":
        return (
            f"timeout: over {row['timeout']:.0f} s without finishing a repeat (at least "
            f"{_fmt_t(row.get('lower_bound_per_item'))} per item)"
        )
    return f"{row['status']}: {row.get('error')}"


# ----------------------------------------------------------------------------- targets
def targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's speed targets, each with the measured value and met / missed."""
    out = []
    for case in res["cases"]:
        if case["group"] != "two_player" or not case["case"].startswith("random"):
            continue
        rs = ratios(case)
        ref = reference(case)
        peers = {k: v for k, v in rs.items() if not k.startswith("deterrence") and v["speedup"] is not None}
        if peers:
            worst_name, worst = min(peers.items(), key=lambda kv: kv[1]["speedup"])
            out.append(
                {
                    "target": f"{case['case']}: no slower than the fastest peer",
                    "value": f"{_fmt_r(worst)} vs {worst_name} (ours: {ref['tool'] if ref else '-'})",
                    "met": worst["speedup"] >= 1 if worst["bound"] == "=" else None,
                }
            )
        npy = {k: v for k, v in peers.items() if k.startswith("nashpy")}
        if npy:
            name, best = min(npy.items(), key=lambda kv: kv[1]["speedup"])
            out.append(
                {
                    "target": f"{case['case']}: ≥ 100× nashpy (its faster algorithm)",
                    "value": f"{_fmt_r(best)} vs {name}",
                    "met": best["speedup"] >= 100
                    if best["bound"] == "="
                    else (True if best["speedup"] >= 100 else None),
                }
            )
    for case in res["cases"]:
        if case["group"] != "sweeps":
            continue
        rs = ratios(case)
        comp = next((r for r in case["tools"] if r["tool"] == "deterrence compiled" and _median(r)), None)
        loop = next((v for k, v in rs.items() if k.startswith("pygambit")), None)
        if comp is not None and loop is not None and loop["speedup"] is not None:
            out.append(
                {
                    "target": f"{case['case']}: compiled ≥ 1,000× the pygambit loop",
                    "value": _fmt_r(loop),
                    "met": loop["speedup"] >= 1000,
                }
            )
    out += _solver_targets(res)
    grid = res.get("sweeps", {}).get("grid_scaling") or []
    engine = [e for e in res.get("sweeps", {}).get("sweep_engine") or [] if e.get("points_per_second")]
    best = max(
        [g["points_per_second"] for g in grid] + [e["points_per_second"] for e in engine], default=None
    )
    if best is not None:
        out.append(
            {
                "target": "≥ 1e6 points/s (compiled, extended_deterrence, 2 cores)",
                "value": f"{best:,.0f} points/s (best of compiled evaluate and dt.sweep backends)",
                "met": best >= 1e6,
            }
        )
    jobs = res.get("sweeps", {}).get("readme_job") or []
    warm = [j for j in jobs if j["when"].startswith("warm") and not j.get("error")]
    if warm:
        fastest = min(warm, key=lambda j: j["wall_s"])
        paths = ", ".join(f"{k} {v:,}" for k, v in (fastest.get("paths") or {}).items())
        out.append(
            {
                "target": "README main job ≤ 2 s after install (numba cache warm)",
                "value": f"{fastest['wall_s']:.2f} s wall, {fastest['cpu_s']:.2f} s CPU; paths: {paths}",
                "met": fastest["wall_s"] <= 2.0,
            }
        )
    return out


def _solver_targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 15's rows for logit tracing (QRE, one N-player equilibrium) and issue 14's 2 s per tree."""
    out = []
    for case in res["cases"]:
        rs = ratios(case)
        if (case["group"] == "n_player" and "one equilibrium" in case["case"]) or (
                case["group"] == "extensive" and case["case"].startswith("logit QRE")):
            for name, r in rs.items():
                if name.startswith("pygambit") and r["speedup"] is not None:
                    out.append({"target": f"{case['case']}: ≥ 1× {name}", "value": _fmt_r(r),
                                "met": r["speedup"] >= 1 if r["bound"] == "=" else True})
        if case["group"] == "trees" and 3 <= case.get("players", 0) <= 5 and case.get("infosets", 0) <= 200:
            row = next((r for r in case["tools"] if r["tool"] == "deterrence nash (auto)"), None)
            med = _median(row) if row else None
            out.append({"target": f"{case['case']}: a certified equilibrium in under 2 s",
                        "value": f"{_fmt_t(med)} ({row.get('method', '?')})" if med else (row or {}).get(
                            "status", "-"),
                        "met": bool(med is not None and med < 2.0 and row.get("certified"))})
        if case["group"] == "reputation" and " per point (PBE " in case["case"]:
            out.append(_signalling_target(case))
    return out


def _signalling_target(case: dict[str, Any]) -> dict[str, Any]:
    """Issue 14 item 4: a signalling tree's PBE at 100 points/s or more (fresh points, game built).

    The better (less CPU per point) of the per-point solve and the end-to-end ``dt.sweep``
    (kernels cached, the undecided points solved per point inside it; compile reported next to
    it), named; met when its CPU per point is at most 10 ms.
    """
    target = f"{case['case']}: ≥ 100 points/s"
    options = [o for o in (_per_point_option(case), _sweep_option(case)) if o is not None]
    if not options:
        row = next((r for r in case["tools"] if r["tool"].startswith("deterrence")), None)
        bound = (row or {}).get("lower_bound_per_item")
        value = f"≥ {_fmt_t(bound)} per point (time limit)" if bound else (row or {}).get("status", "-")
        return {"target": target, "value": value + _no_sweep_note(case), "met": False}
    best = min(options, key=lambda o: o["cpu"])
    others = [o["text"] for o in options if o is not best]
    value = f"{best['text']}" + (f" [other: {'; '.join(others)}]" if others else "") + _no_sweep_note(case)
    return {"target": target, "value": value, "met": best["cpu"] <= 0.01, "via": best["via"]}


def _per_point_option(case: dict[str, Any]) -> dict[str, Any] | None:
    """The per-point row as a candidate for the target: CPU and wall per point."""
    row = next((r for r in case["tools"] if r["tool"].startswith("deterrence")), None)
    med = _median(row) if row else None
    if med is None:
        return None
    cpu = row.get("cpu_median") or med
    done = row.get("items_done") or case.get("items")
    steady = _after_first(row)
    if steady is None:
        return {"via": "per point", "cpu": cpu,
                "text": f"per point dt.solve: {1 / cpu:,.0f} points/s by CPU ({_fmt_t(cpu)} CPU, "
                        f"{_fmt_t(med)} wall per point over {done} distinct points, the first included)"}
    cpu_after, wall_after, cpu_median, first = steady
    return {"via": "per point", "cpu": cpu_after,
            "text": f"per point dt.solve: {1 / cpu_after:,.0f} points/s by CPU ({_fmt_t(cpu_after)} CPU, "
                    f"{_fmt_t(wall_after)} wall per point over the {done - 1} distinct points after the "
                    f"first; median {_fmt_t(cpu_median)} CPU; the first point, with the process's "
                    f"first imports and the tree's caches, {_fmt_t(first)} CPU; over all {done}: "
                    f"{_fmt_t(cpu)} CPU per point)"}


def _after_first(row: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """The per-point CPU and wall means over the items after the first of the first repeat (a
    sweep's steady state: the first item pays the imports a solve makes on first use and the
    tree's caches, once per process and model), the CPU median over those items and the first
    item's CPU; ``None`` without per-item times or with fewer than three items."""
    cpu, wall = row.get("item_cpu") or [], row.get("item_wall") or []
    if len(cpu) < 3 or len(wall) != len(cpu):
        return None
    rest = sorted(cpu[1:])
    mid = len(rest) // 2
    median = rest[mid] if len(rest) % 2 else (rest[mid - 1] + rest[mid]) / 2
    return sum(cpu[1:]) / len(rest), sum(wall[1:]) / len(rest), median, cpu[0]


def _sweep_option(case: dict[str, Any]) -> dict[str, Any] | None:
    """The end-to-end sweep (kernels cached) as a candidate for the target."""
    sw = case.get("sweep") or {}
    warm, cold = sw.get("warm"), sw.get("cold")
    if not warm:
        return None
    comp = sw["compile"]
    return {"via": "end-to-end dt.sweep", "cpu": warm["cpu_per_point"],
            "text": f"end-to-end dt.sweep: {1 / warm['cpu_per_point']:,.0f} points/s by CPU "
                    f"({_fmt_t(warm['cpu_per_point'])} CPU, {_fmt_t(warm['wall_per_point'])} wall per point "
                    f"over {warm['points']:,} random points, kernels cached, "
                    f"{warm['pointwise_share']:.1%} solved per point inside the sweep; with compile: "
                    f"{_fmt_t(cold['cpu_per_point'])} CPU per point; "
                    f"compile alone {comp['cpu_s']:.2f} s CPU){_slice_note(sw.get('default_slice'))}"}


def _slice_note(sliced: dict[str, Any] | None) -> str:
    """The default slice's figures, next to the whole domain's."""
    if not sliced:
        return ""
    return (f"; default slice (varies {', '.join(sliced['varied'])}): {_fmt_t(sliced['cpu_per_point'])} CPU "
            f"per point, {sliced['pointwise_share']:.1%} per point")


def _no_sweep_note(case: dict[str, Any]) -> str:
    """Why a case has no end-to-end sweep option, if it has none."""
    sw = case.get("sweep") or {}
    if sw.get("error"):
        return f" (end-to-end sweep failed: {sw['error']})"
    if sw.get("compile") and not sw["compile"]["compiles"]:
        return " (does not compile: dt.sweep solves every point per point, so end to end = per point)"
    return ""


# ----------------------------------------------------------------------------- markdown
def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return out


def ratio_tables(res: dict[str, Any]) -> list[str]:
    """One ratio table per group: rows are cases, columns other tools; cells speedups."""
    lines: list[str] = []
    titles = {
        "two_player": "2-player, all equilibria",
        "n_player": "N-player",
        "extensive": "Extensive games",
        "trees": "N-player trees, one equilibrium",
        "sweeps": "Sweeps (per point)",
        "estimation": "Estimation (maximum likelihood)",
        "reputation": "Reputation games and signalling trees (PBE; pygambit on the same trees)",
    }
    for group, title in titles.items():
        cases = [c for c in res["cases"] if c["group"] == group]
        if not cases:
            continue
        cols: list[str] = []
        for c in cases:
            for r in c["tools"]:
                if r["tool"] not in cols:
                    cols.append(r["tool"])
        rows = []
        for c in cases:
            ref = reference(c)
            rs = ratios(c)
            cells = [c["case"], f"{ref['tool']}: {_fmt_t(_median(ref))}" if ref else "-"]
            present = {r["tool"]: r for r in c["tools"]}
            for col in cols:
                if ref is not None and col == ref["tool"]:
                    cells.append("1 (ref)")
                elif col in rs:
                    cells.append(_fmt_r(rs[col]))
                elif col in present:
                    cells.append(present[col]["status"])
                else:
                    cells.append("")
            rows.append(cells)
        lines += [
            f"### {title}",
            "",
            *_table(["case", "ours (fastest), median " + cases[0]["unit"], *cols], rows),
            "",
        ]
    return lines


def _estimation_lines(res: dict[str, Any]) -> list[str]:
    """Each fit next to the cost of one evaluation of its log-likelihood with the gradient."""
    cases = [c for c in res["cases"] if c["group"] == "estimation"]
    if not cases:
        return []
    rows = []
    for c in cases:
        fit = next((r for r in c["tools"] if r["tool"] == "deterrence dt.fit"), None)
        per_call, per_row = c.get("likelihood_per_call_s"), c.get("likelihood_per_row_s")
        rows.append([c["case"], c["task"], _fmt_t(_median(fit) if fit else None), _fmt_t(per_call),
                     _fmt_t(per_row)])  # fmt: skip
    head = ["case", "task", "fit (median)", "log-likelihood + gradient, per call", "per row"]
    return ["", "## Estimation", "", *_table(head, rows), ""]
def _estimate_pps(est: dict[str, Any] | None) -> str:
    """The end-to-end estimate of a compiled row, in points per second."""
    if not est or not est.get("points_per_second"):
        return "-"
    pps = est["points_per_second"]
    bound = "≤ " if est.get("bound") == ">=" else ""  # a lower bound on time: an upper bound on rate
    return bound + (f"{pps:,.0f}" if pps >= 100 else f"{pps:.3g}")


def _estimate_note(est: dict[str, Any]) -> str:
    """The compiled row's note: what a sweep would cost with the undecided points solved."""
    return (f"{est['undecided_share']:.1%} undecided; end to end ≈ kernel + share × per point = "
            f"{_fmt_t(est['estimate_s_per_point'])} per point ({_estimate_pps(est)} points/s)")


def _end_to_end_lines(res: dict[str, Any]) -> list[str]:
    """The signalling models swept end to end (``dt.sweep``), per belief policy."""
    cases = [c for c in res["cases"] if c.get("sweep")]
    if not cases:
        return []
    rows = [_end_to_end_row(c["sweep"]) for c in cases]
    head = ["model", "policy", "compile alone (CPU / wall)", "points", "with compile: CPU / wall per point",
            "kernels cached: CPU / wall per point", "points/s (CPU, cached)", "solved per point (cached run)",
            "default slice, cached: CPU / wall per point; solved per point (varied)",
            "rows checked against per point"]
    return ["", "## Signalling trees end to end (`dt.sweep`)", "",
            "Each policy: `dt.sweep(model, samples=N, method=\"random\", rng=seed, vary=..., "
            "bounds=..., concept=\"pbe\", belief_policy=policy, progress=False)` once on a fresh model "
            "with the caches cleared (the sweep compiles the model and its baseline: *with compile*), "
            "then on other points with the kernels cached. The points the kernel leaves undecided are "
            "solved per point inside the sweep, in both runs. The points: every parameter varied over "
            "the box `domain_sample` draws from (the per-point cases' distribution); the *default "
            "slice* is the same call without `vary`, which varies only the parameters with bounded "
            "domains and holds the others at their defaults. A model that does not compile is not "
            "swept: `dt.sweep` would solve every point per point, so its end-to-end rate "
            "is its per-point rate.", "", *_table(head, rows), ""]


def _end_to_end_row(sw: dict[str, Any]) -> list[str]:
    comp = sw.get("compile") or {}
    if sw.get("error") or not comp.get("compiles"):
        reason = comp.get("reason", "?")[:160]
        why = sw.get("error") or f"does not compile ({reason}…): end to end = per point"
        return [sw["model"], sw["policy"], why, "", "", "", "", "", "", ""]
    cold, warm, sliced = sw["cold"], sw["warm"], sw["default_slice"]
    agree = [sw["agreement"], sw["agreement_default_slice"]]
    return [sw["model"], sw["policy"], f"{comp['cpu_s']:.2f} s / {comp['wall_s']:.2f} s",
            f"{warm['points']:,}",
            f"{_fmt_t(cold['cpu_per_point'])} / {_fmt_t(cold['wall_per_point'])}",
            f"{_fmt_t(warm['cpu_per_point'])} / {_fmt_t(warm['wall_per_point'])}",
            f"{1 / warm['cpu_per_point']:,.0f}",
            f"{warm['pointwise_share']:.1%} (with compile run: {cold['pointwise_share']:.1%})",
            f"{_fmt_t(sliced['cpu_per_point'])} / {_fmt_t(sliced['wall_per_point'])}; "
            f"{sliced['pointwise_share']:.1%} ({', '.join(sliced['varied'])})",
            "; ".join(f"{a['points']} ({a['compiled']} compiled, {a['pointwise']} per point): "
                      f"{a['disagreements']} differ" for a in agree)]


def _first_call(res: dict[str, Any]) -> list[str]:
    """The first call of the compiled logit tracing in a fresh process, warm and empty numba cache."""
    rows = res.get("trees_first_call") or []
    if not rows:
        return []
    table = [[r["cache"], f"{r['import_and_build_s']:.2f} s", f"{r['first_solve_s']:.2f} s",
              f"{r['second_solve_s']:.3f} s"] for r in rows]
    return ["### First call (fresh process, a 4-player tree with ~60 information sets)", "",
            *_table(["numba cache", "import and build", "first dt.solve", "second dt.solve"], table), ""]


def _warm_up_line(warm: dict[str, Any] | None) -> list[str]:
    """The machine section's line on the kernels compiled before the cases (none in older results)."""
    if warm is None:
        return []
    how = "done" if warm["ok"] else "**failed**: cases may include compiling"
    return [f"- kernels compiled into numba's cache before the cases (`python -m deterrence warm`, untimed): "
            f"{how} in {warm['seconds']:.1f} s ({warm['last_line']})"]


def markdown(res: dict[str, Any]) -> str:
    m, v, s = res["machine"], res["versions"], res["settings"]
    lines = [
        f"# deterrence benchmarks — {res['started'][:10]}{' (quick)' if s['quick'] else ''}",
        "",
        f"Command: `{res['command']}`; started {res['started']}, took {res['duration_s']:.0f} s.",
        "",
        f"> {CAVEAT}",
        "",
        "## Machine and versions",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), {m['memory_gb']} GB memory",
        f"- OS: {m['os']}; Python {m['python']} ({m['implementation']})",
        f"- load average at start (1, 5, 15 min): {m['load_average_at_start']}",
        *_warm_up_line(res.get("warm_up")),
        f"- git commit: {m['git'].get('commit')} "
        f"(tracked files modified: {m['git'].get('modified_tracked_files')})",
        "- packages: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- seeds: {s['seed']} (random games: `numpy.random.default_rng([seed, *shape])`; sweep points: "
        "`domain_sample(model, n, seed)`)",
        f"- repeats: up to {s['repeats']} per tool and case, fewer once a tool has spent {s['budget']} s; "
        f"peer time limit {s['timeout']} s per job; times are wall-clock medians per item "
        "(CPU medians are in the JSON)",
        "",
        "Ratios are **speedups**: the other tool's median time divided by our fastest tool's median "
        "time in the same case, measured in the same run (> 1: we are faster; ≥: the peer hit its time "
        "limit, so the true ratio is at least this).",
        "",
        "## Targets",
        "",
    ]
    rows = [
        [t["target"], t["value"], {True: "met", False: "**missed**", None: "n/a"}[t["met"]]]
        for t in res["targets"]
    ]
    lines += [*_table(["target", "measured", ""], rows), ""]
    lines += ["## Ratio table", "", *ratio_tables(res)]
    lines += _first_call(res)
    lines += ["## Every measurement", ""]
    rows = []
    rs_all = {c["case"]: ratios(c) for c in res["cases"]}
    for c in res["cases"]:
        for r in c["tools"]:
            extra = []
            if r.get("max_regret") is not None:
                extra.append(f"max regret {r['max_regret']:.1e}")
            if r.get("max_residual") is not None:
                extra.append(f"max logit residual {r['max_residual']:.1e}")
            if r.get("undecided") is not None:
                extra.append(f"{r['undecided']} of {r['points']} points undecided")
                if r.get("end_to_end_estimate"):
                    extra.append(_estimate_note(r["end_to_end_estimate"]))
            elif r.get("points") is not None:
                extra.append(f"{r['points']} points")
            rows.append(
                [
                    c["case"],
                    r["tool"],
                    _fmt_t(_median(r)),
                    _spread(r),
                    str(r.get("repeats", 0)),
                    _fmt_r(rs_all[c["case"]].get(r["tool"])) if r["tool"] in rs_all[c["case"]] else "ref",
                    "; ".join([_status(r), *extra]),
                ]
            )
    lines += [*_table(["case", "tool", "median", "spread", "repeats", "speedup", "notes"], rows), ""]
    lines += ["## Agreement", ""]
    for c in res["cases"]:
        if c.get("counts"):
            ref = next(iter(c["counts"].values()))
            same = [k for k, cnt in c["counts"].items() if cnt == ref]
            lines.append(
                f"- {c['case']}: equilibria per game (ours) {ref}; same counts: {', '.join(same)}"
                + (f"; degenerate games: {sum(c['degenerate'])}" if c.get("degenerate") else "")
            )
    dis = [d for c in res["cases"] for d in c.get("disagreements", [])]
    lines += [
        "",
        f"Disagreements (equilibrium sets matched within 1e-6; unmatched profiles certified with "
        f"`deterrence.certificates.certify`): {len(dis) or 'none'}",
        "",
    ]
    lines += [f"- {d['where']}: {d['verdict']}" for d in dis]
    lines += _estimation_lines(res)
    lines += _end_to_end_lines(res)
    sw = res.get("sweeps") or {}
    if sw:
        lines += ["", "## Sweeps", ""]
        rows = []
        for c in [c for c in res["cases"] if c["group"] == "sweeps"]:
            t = {r["tool"]: r for r in c["tools"]}
            comp = t.get("deterrence compiled")
            pp = t.get("deterrence per-point")
            gl = next((r for k, r in t.items() if k.startswith("pygambit")), None)

            def pps(r):
                med = _median(r) if r else None
                if not med:
                    return r["status"] if r else "-"
                return f"{1 / med:,.0f}" if 1 / med >= 100 else f"{1 / med:.3g}"

            rs = ratios(c)
            est = c.get("end_to_end_estimate")
            rows.append(
                [
                    c["model"],
                    f"{c['compile']['stats']['median']:.2f} s" if c.get("compile") else "does not compile",
                    str(c.get("structures", "-")),
                    pps(comp),
                    f"{est['undecided_share']:.1%}" if est else "-",
                    _estimate_pps(est),
                    pps(pp),
                    pps(gl),
                    _fmt_r(rs.get(gl["tool"])) if gl and comp and _median(comp) else "-",
                    _fmt_r(rs.get("deterrence per-point")) if comp and _median(comp) else "-",
                    f"{c['memory']['mb_per_million']:.0f}" if c.get("memory") else "-",
                ]
            )
        lines += [
            *_table(
                [
                    "model",
                    "compile",
                    "structures",
                    "compiled points/s (kernel alone)",
                    "undecided (sent per point)",
                    "end-to-end estimate points/s",
                    "per-point points/s",
                    "pygambit loop points/s",
                    "compiled vs pygambit",
                    "compiled vs per-point",
                    "MB per 10⁶ points",
                ],
                rows,
            ),
            "",
        ]
        lines += [
            "The compiled column times `evaluate` alone, which leaves the undecided points unsolved; "
            "a sweep solves them per point. The end-to-end estimate is kernel time + undecided share × "
            "the per-point median (over the sample's first points, not the undecided ones; ≥: a bound "
            "from the per-point time limit); the signalling models are also swept for real in "
            "\"Signalling trees end to end\".",
            "",
        ]
        lines += [
            "Memory of the compiled path (tracemalloc peak during `evaluate`, "
            f"{sw['memory'][0]['points'] if sw.get('memory') else ''}… points):",
            "",
        ]
        lines += [
            *_table(
                ["points", "peak MB", "MB per 10⁶ points", "input table MB"],
                [
                    [
                        f"{x['points']:,}",
                        f"{x['peak_bytes'] / 2**20:.1f}",
                        f"{x['mb_per_million']:.0f}",
                        f"{x['input_bytes'] / 2**20:.1f}",
                    ]
                    for x in sw.get("memory", [])
                ],
            ),
            "",
        ]
        lines += [
            "Cost growth (compiled `evaluate` of extended_deterrence, in chunks as a sweep runs them; "
            "tracemalloc peak over the whole run, points included):",
            "",
        ]
        lines += _table(
            ["points", "chunks", "median", "spread", "repeats", "points/s", "peak MB", "undecided"],
            [
                [
                    f"{x['points']:,}",
                    f"{x.get('chunks', 1)} × {x.get('chunk', x['points']):,}",
                    _fmt_t(x["stats"]["median"]),
                    _spread(x),
                    str(x["repeats"]),
                    f"{x['points_per_second']:,.0f}",
                    f"{x['peak_bytes'] / 2**20:.0f}" if x.get("peak_bytes") else "-",
                    str(x["undecided"]),
                ]
                for x in sw.get("grid_scaling", [])
            ],
        )
        lines += _kernel_lines(sw)
        lines += [
            "",
            "Sweep engine end to end (`dt.sweep` of extended_deterrence on a credibility × cost_attacker "
            "grid: "
            "compile + grid + evaluate + per-point fallback + tidy table):",
            "",
        ]
        lines += [
            *_table(
                ["backend", "points", "median", "points/s", "rows", "notes"],
                [
                    [
                        x["backend"],
                        f"{x['points']:,}",
                        _fmt_t(x.get("stats", {}).get("median")) if x.get("stats") else "-",
                        f"{x['points_per_second']:,.0f}" if x.get("points_per_second") else "-",
                        str(x.get("rows", "-")),
                        x.get("error", ""),
                    ]
                    for x in sw.get("sweep_engine", [])
                ],
            ),
            "",
        ]
        lines += [
            "Parallel speed-up (`dt.sweep` of the README's 40,401-point extended_deterrence grid with the "
            "default chunk sizes; speed-up over the in-process run):",
            "",
            *_table(
                ["backend", "workers", "chunks", "median", "points/s", "speed-up", "notes"],
                [
                    [
                        x["backend"],
                        str(x.get("workers", "-")),
                        str(x.get("chunks", "-")),
                        _fmt_t(x["stats"]["median"]) if x.get("stats") else "-",
                        f"{x['points_per_second']:,.0f}" if x.get("points_per_second") else "-",
                        f"{x['speedup']:.2f}x" if x.get("speedup") else "-",
                        x.get("error", ""),
                    ]
                    for x in sw.get("parallel_speedup", [])
                ],
            ),
            "",
        ]
    if res.get("profiles"):
        lines += ["## Profiles", ""]
        for p in res["profiles"]:
            lines.append(f"- `{p['file']}`: {p['what']}")
            for t in p.get("top", [])[:8]:
                lines.append(f"  - {t}")
    if res.get("plots"):
        lines += ["", "## Plots", ""] + [f"![{p}]({p})" for p in res["plots"]]
    return "\n".join(lines) + "\n"


def _kernel_lines(sw: dict[str, Any]) -> list[str]:
    """Where the compiled path's time goes, its first call, and the README's main job."""
    lines: list[str] = []
    st = sw.get("stages")
    if st:
        us = st["us_per_point"]
        lines += [
            "",
            f"Where the time goes (CPU µs per point, {st['model']}, {st['points']:,} points, one thread): "
            f"payoffs {us['payoffs']:.3f}, engine {us['engine']:.3f}, tidy table {us['table']:.3f}; "
            f"`evaluate` {us['evaluate']:.3f}.",
        ]
    if sw.get("first_call"):
        lines += ["", "First `evaluate` in a fresh process (one point; numba compiles or loads the engine):"]
        lines += [""]
        lines += _table(
            ["numba cache", "wall", "CPU"],
            [
                [x["when"], f"{x['wall_s']:.2f} s", f"{x['cpu_s']:.2f} s"]
                if "wall_s" in x
                else [x["when"], "error", str(x.get("error"))]
                for x in sw["first_call"]
            ],
        )
    if sw.get("readme_job"):
        lines += [
            "",
            "The README's main job (`deterrence sweep extended_deterrence --vary credibility=0:1:201 "
            "--vary cost_attacker=0:2:201 --out ...`), a fresh process each time:",
            "",
        ]
        lines += _table(
            ["run", "load (1 min)", "wall", "CPU", "points by path"],
            [
                [
                    x["when"],
                    "?" if x.get("load_1min") is None else f"{x['load_1min']:.2f}",
                    f"{x['wall_s']:.2f} s",
                    f"{x['cpu_s']:.2f} s",
                    ", ".join(f"{k} {v:,}" for k, v in (x.get("paths") or {}).items()) or str(x.get("error")),
                ]
                if "cpu_s" in x
                else [x["when"], "", "error", "", str(x.get("error"))]
                for x in sw["readme_job"]
            ],
        )
    return lines


# ----------------------------------------------------------------------------- plots
def plots(res: dict[str, Any], out: Path) -> list[str]:
    """``scaling_grid.png``, ``scaling_game_size.png``, ``sweep_throughput.png``; file names written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    grid = (res.get("sweeps") or {}).get("grid_scaling") or []
    if grid:
        fig, ax = plt.subplots(figsize=(6, 4))
        xs = [g["points"] for g in grid]
        ys = [g["stats"]["median"] for g in grid]
        ax.loglog(xs, ys, "o-", label="compiled evaluate (extended_deterrence)")
        ax.loglog(xs, [ys[-1] * x / xs[-1] for x in xs], ":", color="grey", label="linear in points")
        ax.loglog(xs, [x / 1e6 for x in xs], "--", color="green", label="1e6 points/s target")
        ax.set_xlabel("points")
        ax.set_ylabel("seconds")
        ax.set_title("Time against number of points")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "scaling_grid.png", dpi=120)
        plt.close(fig)
        written.append("scaling_grid.png")
    rand = [c for c in res["cases"] if c["group"] == "two_player" and c["case"].startswith("random")]
    if rand:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        tools = []
        for c in rand:
            for r in c["tools"]:
                if r["tool"] not in tools:
                    tools.append(r["tool"])
        for tool in tools:
            pts = [
                (c["size"], _median(r)) for c in rand for r in c["tools"] if r["tool"] == tool and _median(r)
            ]
            if pts:
                style = "o-" if tool.startswith("deterrence") else "s--"
                ax.semilogy([p[0] for p in pts], [p[1] for p in pts], style, label=tool)
        ax.set_xlabel("n (n × n random game)")
        ax.set_ylabel("median seconds per game")
        ax.set_title("All equilibria of 2-player games: time against game size")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / "scaling_game_size.png", dpi=120)
        plt.close(fig)
        written.append("scaling_game_size.png")
    sweeps = [c for c in res["cases"] if c["group"] == "sweeps"]
    if sweeps:
        import numpy as np

        fig, ax = plt.subplots(figsize=(8, 4.5))
        paths = ["deterrence compiled", "deterrence per-point", "pygambit"]
        width = 0.27
        for k, path in enumerate(paths):
            vals = []
            for c in sweeps:
                r = next((r for r in c["tools"] if r["tool"].startswith(path)), None)
                med = _median(r) if r else None
                vals.append(1 / med if med else 0)
            ax.bar(np.arange(len(sweeps)) + (k - 1) * width, vals, width, label=path)
        ax.set_yscale("log")
        ax.axhline(1e6, color="green", ls="--", lw=1, label="1e6 points/s")
        ax.set_xticks(np.arange(len(sweeps)))
        ax.set_xticklabels([c["model"] for c in sweeps], rotation=30, ha="right", fontsize=7)
        ax.set_ylabel("points per second")
        ax.set_title("Sweep throughput per catalogue model (PBE, free)")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / "sweep_throughput.png", dpi=120)
        plt.close(fig)
        written.append("sweep_throughput.png")
    return written
