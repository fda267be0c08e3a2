"""Pure equilibria and one mixed equilibrium of seeded random 3- and 4-player games.

Ours: ``dt.solve(game, method="pure")`` (all pure equilibria; sets matched against pygambit's
``enumpure_solve``) and ``dt.solve(game, method="homotopy")`` (one equilibrium; against
pygambit's ``simpdiv_solve`` and ``gnm_solve``, which may return different equilibria, so
here every tool's answers are certified by our certifier instead of matched).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import deterrence as dt

from .compare import PATH_REGRET, compare_sets, regret, regret_tol
from .measure import Settings, ours, peer
from .peers import PeerPool

QUICK_SHAPES = ((3, 3, 3), (2, 2, 2, 2))
FULL_SHAPES = ((3, 3, 3), (4, 4, 4), (5, 5, 5), (2, 2, 2, 2), (3, 3, 3, 3))


def random_games(shape: tuple[int, ...], count: int, seed: int) -> list[list[np.ndarray]]:
    """``count`` seeded games of ``shape`` with integer payoffs in [-9, 9]."""
    rng = np.random.default_rng([seed, *shape])
    return [[rng.integers(-9, 10, size=shape) for _ in shape] for _ in range(count)]


def _solver(method: str):
    def call(item: dict[str, Any]):
        return dt.solve(
            dt.NormalFormGame([np.array(p) for p in item["payoffs"]]), method=method, max_work=1e18
        )

    return call


def _keep(eqs) -> list:
    return [[np.asarray(s).tolist() for s in e.strategies] for e in eqs]


def _certify_rows(rows: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    """Attach the worst certified regret of each tool's answers (and how many games it answered)."""
    for row in rows:
        res = row.get("results")
        if res is None:
            continue
        worst, answered = 0.0, 0
        for item, profiles in zip(items, res, strict=True):
            game = dt.NormalFormGame([np.array(p) for p in item["payoffs"]])
            if profiles:
                answered += 1
                worst = max(worst, max(regret(game, p) for p in profiles))
        row["max_regret"] = worst
        row["answered"] = answered


def run(pool: PeerPool, st: Settings, log=print) -> list[dict[str, Any]]:
    """One case per (shape, task)."""
    shapes = QUICK_SHAPES if st.quick else FULL_SHAPES
    count = 3 if st.quick else 5
    warm = {"payoffs": [np.eye(2).tolist(), np.eye(2).tolist()]}
    for m in ("pure", "homotopy"):
        _solver(m)(warm)
    cases = []
    for shape in shapes:
        name = "x".join(map(str, shape))
        log(f"  {len(shape)}-player {name} ({count} games)")
        items = [{"payoffs": [p.tolist() for p in g]} for g in random_games(shape, count, st.seed)]
        # all pure equilibria: sets matched
        rows = [
            ours("deterrence pure", _solver("pure"), items, st, keep=_keep),
            peer(pool, "gambit_enumpure", "pygambit enumpure_solve", items, st),
        ]
        dis: list[dict[str, Any]] = []
        if rows[0]["results"] is not None and rows[1]["results"] is not None:
            for k, (mine, theirs) in enumerate(zip(rows[0]["results"], rows[1]["results"], strict=True)):
                game = dt.NormalFormGame([np.array(p) for p in items[k]["payoffs"]])
                dis += compare_sets(game, mine, theirs, rows[1]["tool"], f"{name} game {k}")
        _certify_rows(rows, items)
        cases.append(
            {
                "group": "n_player",
                "case": f"{len(shape)}-player {name}: pure",
                "task": "all pure equilibria",
                "unit": "s per game",
                "items": count,
                "tools": rows,
                "disagreements": dis,
                "games_seed": [st.seed, *shape],
            }
        )
        # one mixed equilibrium: every answer certified
        rows = [
            ours("deterrence homotopy", _solver("homotopy"), items, st, keep=_keep),
            peer(pool, "gambit_simpdiv", "pygambit simpdiv_solve", items, st),
            peer(pool, "gambit_gnm", "pygambit gnm_solve", items, st),
        ]
        _certify_rows(rows, items)
        dis = []
        tol = max(
            regret_tol(dt.NormalFormGame([np.array(p) for p in it["payoffs"]]), PATH_REGRET) for it in items
        )
        for row in rows:
            if row.get("answered") is not None and row["answered"] < count:
                dis.append(
                    {
                        "where": name,
                        "tool": row["tool"],
                        "kind": "no_answer",
                        "verdict": f"{row['tool']} returned no equilibrium on {count - row['answered']} "
                        f"of {count} games",
                    }
                )
            if row.get("max_regret") is not None and not row["max_regret"] <= tol:
                dis.append(
                    {
                        "where": name,
                        "tool": row["tool"],
                        "kind": "not_equilibrium",
                        "verdict": f"{row['tool']} returned a profile with regret {row['max_regret']:.1e} "
                        f"> {tol:.1e} (not an equilibrium to our certifier)",
                    }
                )
        cases.append(
            {
                "group": "n_player",
                "case": f"{len(shape)}-player {name}: one equilibrium",
                "task": "one equilibrium",
                "unit": "s per game",
                "items": count,
                "tools": rows,
                "disagreements": dis,
                "games_seed": [st.seed, *shape],
            }
        )
    return cases
