"""One equilibrium of N-player trees: our logit tracing and its fallback against pygambit.

Games (every timed call parses the ``.efg`` text and solves):

* pygambit's catalogue trees with three or more players (Selten's horse and his Figure 3,
  Jakobsen et al.'s 4-player tree);
* jury voting under unanimity (Feddersen & Pesendorfer 1998) with 3, 4 and 5 jurors;
* seeded random trees with perfect recall, 3–5 players and 20–200 information sets
  (``tests/helpers/random_trees.py``), two 2-player random trees (where ``lcp_solve``
  applies), and random trees without perfect recall.

Ours: ``dt.solve(game, "nash")`` with ``method="auto"`` (the reduced normal form where it
fits ``max_work``, else the fallback: backward induction on perfect information, logit
tracing ``homotopy`` otherwise; the sequence form for two players), and ``method="pure_agent"``
where the pure profiles are few. Peers: pygambit ``logit_solve`` (the same tracing, stopped at
regret 1e-8 of the payoff range, without refinement), ``enumpure_agent_solve`` and, on 2-player
trees, ``lcp_solve``. Every answer of every tool is certified by our certifier (Nash regret, or
the agent-form regret without perfect recall), so each row says who returned equilibria.

The *first call* — a fresh process importing ``deterrence`` and solving one tree, with the
compiled kernels loaded from numba's disk cache, and once more with an empty cache (the
one-time compilation) — is measured separately (``first_call`` in the JSON and the Markdown).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

import deterrence as dt

from .compare import PATH_REGRET, behaviour_from_paths, regret_tol
from .measure import Settings, ours, peer, skipped

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.random_trees import jury_voting, random_tree  # noqa: E402

CATALOGUE = ("journals/ijgt/selten1975/fig1", "journals/ijgt/selten1975/fig3", "conf/itcs/jakobsen2016/fig3")
QUICK_RANDOM = ((3, 20, 1), (4, 60, 1), (5, 120, 1), (3, 200, 1), (5, 200, 2))
FULL_RANDOM = tuple((n, m, s) for n in (3, 4, 5) for m in (20, 60, 120, 200) for s in (1, 2))
TWO_PLAYER = ((2, 60, 1), (2, 200, 1))
NO_RECALL = ((3, 8, 1), (4, 30, 2))
MAX_PURE_PROFILES = 2e5  # pure-profile enumeration only below this


def games(quick: bool) -> list[tuple[str, Any]]:
    """``(name, game)`` of every tree of the case group."""
    import pygambit as gbt

    out: list[tuple[str, Any]] = []
    for slug in CATALOGUE:
        out.append((slug.split("/", 2)[-1], dt.read_game(gbt.catalog.load(slug).to_efg(), text=True)))
    for n in (3, 4, 5):
        out.append((f"jury voting, {n} jurors", jury_voting(n)))
    for n, m, s in QUICK_RANDOM if quick else FULL_RANDOM:
        out.append((f"random {n} players ~{m} sets (seed {s})", random_tree(n, m, s)))
    for n, m, s in TWO_PLAYER:
        out.append((f"random 2 players ~{m} sets (seed {s})", random_tree(n, m, s)))
    for n, m, s in NO_RECALL:
        out.append((f"random {n} players ~{m} sets, imperfect recall (seed {s})",
                    random_tree(n, m, s, recall=False)))
    return out


def _nash(item: dict[str, Any]):
    return dt.solve(dt.read_game(item["efg"], text=True), "nash")


def _pure_agent(item: dict[str, Any]):
    return dt.solve(dt.read_game(item["efg"], text=True), "nash", method="pure_agent", max_work=1e12)


def _keep(eqs) -> list:
    return {"method": eqs.method, "profiles": [[np.asarray(s).tolist() for s in e.strategies] for e in eqs]}


def _certify_row(row: dict[str, Any], game: Any) -> None:
    """The worst regret of the row's answers by our certifier, and how many it returned."""
    res = row.get("results")
    if res is None or not res:
        return
    profiles = res[0]
    if row["role"] == "ours":
        row["method"] = profiles["method"]
        profiles = profiles["profiles"]
    else:
        profiles = [behaviour_from_paths(game, p) for p in profiles]
    agent = not game.has_perfect_recall()
    regs = [dt.certify(game, p, "nash", tol=1.0, agent=agent).regret for p in profiles]
    row["answers"] = len(profiles)
    row["max_regret"] = max(regs, default=None)
    row["certified"] = sum(r <= regret_tol(game, PATH_REGRET) for r in regs)


def _case(name: str, game: Any, pool, st: Settings) -> dict[str, Any]:
    item = {"efg": dt.write_game(game), "slug": name}
    profiles = math.prod(len(h.actions) for h in game.infosets)
    rows = [ours("deterrence nash (auto)", _nash, [item], st, keep=_keep)]
    if profiles <= MAX_PURE_PROFILES:
        rows.append(ours("deterrence pure_agent", _pure_agent, [item], st, keep=_keep))
    rows.append(peer(pool, "gambit_logit_tree", "pygambit logit_solve", [item], st))
    if profiles <= MAX_PURE_PROFILES:
        rows.append(peer(pool, "gambit_enumpure_agent_tree", "pygambit enumpure_agent_solve", [item], st))
    else:
        rows.append(skipped("pygambit enumpure_agent_solve", f"{profiles:.3g} pure profiles"))
    if game.num_players == 2 and game.has_perfect_recall():
        rows.append(peer(pool, "gambit_lcp_tree", "pygambit lcp_solve (float, tree)", [item], st))
    for row in rows:
        _certify_row(row, game)
    dis = [
        {"where": name, "tool": r["tool"], "kind": "not_equilibrium",
         "verdict": f"{r['tool']} returned a profile with regret {r['max_regret']:.1e} "
                    f"(> {regret_tol(game, PATH_REGRET):.1e}: not an equilibrium to our certifier)"}
        for r in rows if r.get("max_regret") is not None and r["certified"] < r["answers"]
    ]
    return {
        "group": "trees",
        "case": name,
        "task": "one equilibrium (pure agent-form enumeration where listed)",
        "unit": "s per game",
        "items": 1,
        "players": game.num_players,
        "infosets": len(game.infosets),
        "nodes": len(game.nodes),
        "perfect_recall": game.has_perfect_recall(),
        "tools": rows,
        "disagreements": dis,
    }


FIRST_CALL = """
import sys, time
t0 = time.perf_counter()
import deterrence as dt
sys.path.insert(0, {tests!r})
from helpers.random_trees import random_tree
g = random_tree(4, 60, 1)
t1 = time.perf_counter()
dt.solve(g, "nash")
t2 = time.perf_counter()
dt.solve(random_tree(4, 60, 2), "nash")
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def first_call(cold: bool) -> dict[str, Any]:
    """Seconds of a fresh process: import and build, first solve, second solve (another tree)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        if cold:
            env["NUMBA_CACHE_DIR"] = tmp
        out = subprocess.run([sys.executable, "-c", FIRST_CALL.format(tests=str(ROOT / "tests"))], env=env,
                             capture_output=True, text=True, timeout=900, check=True)
    imp, first, second = (float(x) for x in out.stdout.split())
    return {"cache": "empty (compiles)" if cold else "warm (loads)", "import_and_build_s": imp,
            "first_solve_s": first, "second_solve_s": second}


def run(pool, st: Settings, log=print) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One case per tree; and the first-call measurements."""
    first = []
    for cold in (False, True):
        log(f"  first call, numba cache {'empty' if cold else 'warm'}")
        first.append(first_call(cold))
    cases = []
    for name, game in games(st.quick):
        log(f"  {name}: {game.num_players} players, {len(game.infosets)} information sets")
        cases.append(_case(name, game, pool, st))
    return cases, first
