"""All equilibria of 2-player games: seeded random n x n games and von Stengel's 6x6 game.

Ours: ``dt.solve(game, method="vertex_enumeration")`` and ``method="support_enumeration"``.
Peers: nashpy support and vertex enumeration, QuantEcon ``game_theory.vertex_enumeration``
and ``support_enumeration``, pygambit ``enummixed_solve`` (floating point and rational).
Every tool's equilibrium set is matched game by game against our vertex enumeration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import deterrence as dt

from .compare import compare_sets
from .measure import Settings, ours, peer, skipped
from .peers import PeerPool

SIZES = (4, 6, 8, 10, 12, 14)
PAYOFFS = (-1000, 1000)
ROOT = Path(__file__).resolve().parents[2]
#: von Stengel's 6x6 game with 75 equilibria, shipped with the tests (see tests/data/README.md)
VON_STENGEL = ROOT / "tests" / "data" / "6x6_game_with_75_eq.nfg"
PEERS = (
    ("nashpy_support", "nashpy support_enumeration"),
    ("nashpy_vertex", "nashpy vertex_enumeration"),
    ("quantecon_vertex", "QuantEcon vertex_enumeration"),
    ("quantecon_support", "QuantEcon support_enumeration"),
    ("gambit_enummixed", "pygambit enummixed_solve (float)"),
    ("gambit_enummixed_rational", "pygambit enummixed_solve (rational)"),
)
OURS = ("vertex_enumeration", "support_enumeration")


def random_games(size: int, count: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``count`` seeded ``size x size`` games with integer payoffs in ``PAYOFFS``."""
    rng = np.random.default_rng([seed, size])
    lo, hi = PAYOFFS
    return [
        (rng.integers(lo, hi + 1, (size, size)), rng.integers(lo, hi + 1, (size, size))) for _ in range(count)
    ]


def _solver(method: str):
    def call(item: dict[str, Any]):
        game = dt.NormalFormGame([np.array(item["a"]), np.array(item["b"])])
        return dt.solve(game, method=method, max_work=1e18)

    return call


def _core(item: dict[str, Any]):
    from deterrence.solvers.vertex_enumeration import extreme_equilibria

    return extreme_equilibria(np.array(item["a"]), np.array(item["b"]))


CORE = "deterrence vertex core (extreme_equilibria: no certify, no wrapping)"


def _keep(eqs) -> dict[str, Any]:
    return {
        "profiles": [[np.asarray(s).tolist() for s in e.strategies] for e in eqs],
        "degenerate": bool(eqs.degenerate),
        "complete": bool(eqs.complete),
    }


def warm_up() -> None:
    """Imports and thread pools of our solvers, outside every timing (as the peers' JIT warm-up)."""
    a = np.array([[3, 0, 1], [0, 2, 1], [1, 1, 1]])
    for m in OURS:
        _solver(m)({"a": a.tolist(), "b": a.T.tolist()})
    _core({"a": a.tolist(), "b": a.T.tolist()})


def _ours_allowed(method: str, size: int, st: Settings) -> str | None:
    if method == "support_enumeration" and st.quick and size > 10:
        return "quick mode: our support enumeration only up to 10x10 (it grows like 4^n)"
    return None


def _peer_allowed(tool: str, size: int, st: Settings) -> str | None:
    if tool.startswith("nashpy") and st.quick and size > 8:
        return "quick mode: nashpy only up to 8x8"
    if tool == "gambit_enummixed_rational" and st.quick and size > 8:
        return "quick mode: rational enummixed only up to 8x8"
    if tool in ("quantecon_support", "gambit_enummixed") and st.quick and size > 12:
        return "quick mode: only up to 12x12 (beyond the time limit at 14x14: several minutes per game)"
    return None


def run_case(
    pool: PeerPool,
    name: str,
    games: list[tuple[np.ndarray, np.ndarray]],
    st: Settings,
    size: int,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Time every tool on ``games`` and compare every equilibrium set with ours."""
    items = [{"a": np.asarray(a).tolist(), "b": np.asarray(b).tolist()} for a, b in games]
    rows = [
        ours(f"deterrence {m}", _solver(m), items, st, keep=_keep)
        if _ours_allowed(m, size, st) is None
        else skipped(f"deterrence {m}", _ours_allowed(m, size, st), role="ours")
        for m in OURS
    ]
    core = ours(CORE, _core, items, st)
    core["role"] = "core"
    rows.append(core)
    for tool, label in PEERS:
        why = _peer_allowed(tool, size, st)
        rows.append(skipped(label, why) if why else peer(pool, tool, label, items, st))
    ref = rows[0].get("results")
    disagreements: list[dict[str, Any]] = []
    counts: dict[str, list[int]] = {}
    if ref is not None:
        counts[rows[0]["tool"]] = [len(r["profiles"]) for r in ref]
        for row in rows[1:]:
            res = row.get("results")
            if res is None:
                continue
            theirs_all = [r["profiles"] if isinstance(r, dict) else r for r in res]
            counts[row["tool"]] = [len(t) for t in theirs_all]
            for k, (mine, theirs) in enumerate(zip(ref, theirs_all, strict=True)):
                game = dt.NormalFormGame([np.array(items[k]["a"]), np.array(items[k]["b"])])
                disagreements += compare_sets(
                    game, mine["profiles"], theirs, row["tool"], f"{name} game {k}", mine["degenerate"]
                )
    return {
        "group": "two_player",
        "case": name,
        "task": "all equilibria",
        "size": size,
        "unit": "s per game",
        "items": len(items),
        "tools": rows,
        "counts": counts,
        "degenerate": [r["degenerate"] for r in ref] if ref else None,
        "disagreements": disagreements,
        **extra,
    }


def run(pool: PeerPool, st: Settings, sizes: tuple[int, ...] = SIZES, log=print) -> list[dict[str, Any]]:
    """The random-game cases (one per size) and the 75-equilibrium game."""
    warm_up()
    count = 2 if st.quick else 5
    cases = []
    for n in sizes:
        log(f"  two-player random {n}x{n} ({count} games)")
        cases.append(
            run_case(
                pool,
                f"random {n}x{n}",
                random_games(n, count, st.seed),
                st,
                n,
                {"games_seed": [st.seed, n], "payoffs": list(PAYOFFS)},
            )
        )
    log("  von Stengel 6x6 (75 equilibria)")
    g = dt.read_game(VON_STENGEL)
    a, b = (np.asarray(p) for p in g.payoffs)
    case = run_case(
        pool,
        "von Stengel 6x6, 75 equilibria",
        [(a, b)],
        st,
        6,
        {"file": VON_STENGEL.relative_to(ROOT).as_posix(), "expected_equilibria": 75},
    )
    cases.append(case)
    return cases
