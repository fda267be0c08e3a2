"""Sequence-form Nash and logit QRE on the 2-player extensive games of pygambit's catalogue.

Ours: ``dt.solve(game, method="sequence_form")`` (one Nash equilibrium by Lemke's algorithm)
and ``dt.solve(game, concept="qre", lam=LAM)`` (agent logit QRE on the principal branch).
Peers: pygambit ``lcp_solve(g, rational=False)`` and ``qre.logit_solve_lambda(g, LAM)``.
Every timed call parses the ``.efg`` text (ours with ``dt.read_game``, pygambit with
``read_efg``) and solves. Lemke may end at different equilibria, so the Nash answers are
certified (regret) rather than matched; the QRE answers are matched within 1e-6 and
disagreements are certified with the logit residual.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import deterrence as dt

from .compare import PATH_REGRET, TOL, behaviour_from_paths, regret, regret_tol
from .measure import Settings, ours, peer

LAM = 1.0


def catalogue_trees() -> list[tuple[str, str]]:
    """``(slug, efg text)`` of the catalogue's 2-player perfect-recall trees."""
    import pygambit as gbt

    out = []
    for slug in gbt.catalog.games()["Game"]:
        g = gbt.catalog.load(slug)
        if g.is_tree and len(g.players) == 2 and g.is_perfect_recall:
            out.append((slug, g.to_efg()))
    return out


def _seq(item: dict[str, Any]):
    return dt.solve(dt.read_game(item["efg"], text=True), method="sequence_form")


def _qre(item: dict[str, Any]):
    return dt.solve(dt.read_game(item["efg"], text=True), concept="qre", lam=item["lam"])


def _keep(eqs) -> list:
    return [[np.asarray(s).tolist() for s in e.strategies] for e in eqs]


def run(pool, st: Settings, log=print) -> list[dict[str, Any]]:
    """Two cases: sequence form vs lcp_solve, logit QRE vs logit_solve_lambda (all trees each)."""
    trees = catalogue_trees()
    slugs = [s for s, _ in trees]
    items = [{"efg": text, "lam": LAM, "slug": s} for s, text in trees]
    games = [dt.read_game(it["efg"], text=True) for it in items]
    _seq(items[0])
    _qre(items[0])
    cases = []

    log(f"  sequence form on {len(items)} catalogue trees")
    rows = [
        ours("deterrence sequence_form", _seq, items, st, keep=_keep),
        peer(pool, "gambit_lcp_tree", "pygambit lcp_solve (float, tree)", items, st),
    ]
    dis: list[dict[str, Any]] = []
    same = 0
    for row in rows:
        res = row.get("results")
        if res is None:
            continue
        worst = 0.0
        for k, profiles in enumerate(res):
            game = games[k]
            if row["role"] == "peer":
                try:
                    profiles = [behaviour_from_paths(game, p) for p in profiles]
                except ValueError as exc:
                    dis.append(
                        {"where": slugs[k], "tool": row["tool"], "kind": "mapping", "verdict": str(exc)}
                    )
                    continue
                mine = rows[0].get("results")
                if mine and mine[k] and profiles:
                    a = np.concatenate([np.ravel(x) for x in mine[k][0]])
                    b = np.concatenate([np.ravel(x) for x in profiles[0]])
                    same += int(a.shape == b.shape and np.max(np.abs(a - b)) <= TOL)
            if not profiles:
                dis.append(
                    {
                        "where": slugs[k],
                        "tool": row["tool"],
                        "kind": "no_answer",
                        "verdict": f"{row['tool']} returned no equilibrium",
                    }
                )
                continue
            r = max(regret(game, p) for p in profiles)
            worst = max(worst, r)
            tol = regret_tol(game, PATH_REGRET)
            if not r <= tol:
                dis.append(
                    {
                        "where": slugs[k],
                        "tool": row["tool"],
                        "kind": "not_equilibrium",
                        "verdict": f"{row['tool']} answer has regret {r:.1e} > {tol:.1e}",
                    }
                )
        row["max_regret"] = worst
    cases.append(
        {
            "group": "extensive",
            "case": f"sequence form, {len(items)} catalogue trees",
            "task": "one Nash equilibrium",
            "unit": "s per game",
            "items": len(items),
            "tools": rows,
            "disagreements": dis,
            "games": slugs,
            "same_equilibrium_as_peer": same,
        }
    )

    log(f"  logit QRE (lambda={LAM}) on {len(items)} catalogue trees")
    rows = [
        ours(f"deterrence qre (lam={LAM})", _qre, items, st, keep=_keep),
        peer(pool, "gambit_logit_lambda", f"pygambit logit_solve_lambda (lam={LAM})", items, st),
    ]
    dis = []
    mine, theirs = rows[0].get("results"), rows[1].get("results")
    worst = {"ours": 0.0, "peer": 0.0}
    if mine is not None and theirs is not None:
        for k, game in enumerate(games):
            try:
                b = behaviour_from_paths(game, theirs[k][0])
            except (ValueError, IndexError) as exc:
                dis.append(
                    {"where": slugs[k], "tool": rows[1]["tool"], "kind": "mapping", "verdict": str(exc)}
                )
                continue
            a = mine[k][0]
            ra, rb = regret(game, a, "qre", LAM), regret(game, b, "qre", LAM)
            worst["ours"] = max(worst["ours"], ra)
            worst["peer"] = max(worst["peer"], rb)
            diff = float(
                np.max(
                    np.abs(
                        np.concatenate([np.ravel(x) for x in a]) - np.concatenate([np.ravel(x) for x in b])
                    )
                )
            )
            if diff > TOL:
                who = (
                    "both satisfy the logit equations (different QRE)"
                    if ra <= TOL and rb <= TOL
                    else "ours is right"
                    if ra <= TOL
                    else "pygambit is right"
                    if rb <= TOL
                    else "neither certifies"
                )
                dis.append(
                    {
                        "where": slugs[k],
                        "tool": rows[1]["tool"],
                        "kind": "qre_differs",
                        "max_diff": diff,
                        "ours_residual": ra,
                        "peer_residual": rb,
                        "verdict": f"profiles differ by {diff:.1e}; logit residual ours {ra:.1e}, "
                        f"pygambit {rb:.1e}: {who}",
                    }
                )
    rows[0]["max_residual"] = worst["ours"]
    rows[1]["max_residual"] = worst["peer"]
    cases.append(
        {
            "group": "extensive",
            "case": f"logit QRE lam={LAM}, {len(items)} catalogue trees",
            "task": "logit QRE at one lambda",
            "unit": "s per game",
            "items": len(items),
            "tools": rows,
            "disagreements": dis,
            "games": slugs,
        }
    )
    return cases
