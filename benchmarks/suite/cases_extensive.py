"""Sequence-form Nash and logit QRE on the 2-player extensive games of pygambit's catalogue,
and sequence-form Nash on seeded random trees with hundreds of sequences.

Ours: ``dt.solve(game, method="sequence_form")`` (one Nash equilibrium by Lemke's algorithm)
and ``dt.solve(game, concept="qre", lam=LAM)`` (agent logit QRE on the principal branch).
Peers: pygambit ``lcp_solve(g, rational=False)`` and ``qre.logit_solve_lambda(g, LAM)``.
Every timed call parses the ``.efg`` text (ours with ``dt.read_game``, pygambit with
``read_efg``) and solves. Lemke may end at different equilibria, so the Nash answers are
certified (regret) rather than matched; the QRE answers are matched within 1e-6 and
disagreements are certified with the logit residual. The random trees (``tests/helpers/trees.py``,
the family the tests solve too) are written to ``.efg`` text once, untimed, and then timed like
the catalogue's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import deterrence as dt

from .compare import PATH_REGRET, TOL, behaviour_from_paths, regret, regret_tol
from .measure import Settings, ours, peer

LAM = 1.0
ROOT = Path(__file__).resolve().parents[2]


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


def random_trees(st: Settings) -> list[tuple[str, tuple[int, ...], str]]:
    """``(case name, sizes, efg texts)`` of the seeded random trees with many sequences.

    The trees are ``tests/helpers/trees.py``'s family (player 1 has a private type, then rounds
    of moves in which player 2 does not see player 1's type or move of the round; perfect
    recall): 128 and 512 sequences (one tree each) quick; also 1,022 in the full suite (two
    trees each).
    """
    trees = _load_trees()
    shapes = [(3, 2), (4, 2)] if st.quick else [(3, 2), (4, 2), (4, 5)]
    count = 1 if st.quick else 2
    out = []
    for rounds, types in shapes:
        n_seq = trees.sequence_count(rounds, types, 2, 2)
        texts = [dt.write_game(trees.random_tree(st.seed + k, rounds=rounds, types=types))
                 for k in range(count)]
        out.append((f"sequence form, random trees with {n_seq} sequences", (rounds, types, n_seq), texts))
    return out


def _load_trees():
    """``tests/helpers/trees.py`` as a module (the tests and this case solve the same trees)."""
    import importlib.util

    path = ROOT / "tests" / "helpers" / "trees.py"
    spec = importlib.util.spec_from_file_location("deterrence_bench_trees", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sequence_form_case(pool, st: Settings, name: str, items: list[dict[str, Any]], slugs: list[str],
                       extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Time our sequence form and pygambit's ``lcp_solve`` on ``items``; certify both sides' answers."""
    games = [dt.read_game(it["efg"], text=True) for it in items]
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
    return {
        "group": "extensive",
        "case": name,
        "task": "one Nash equilibrium",
        "unit": "s per game",
        "items": len(items),
        "tools": rows,
        "disagreements": dis,
        "games": slugs,
        "same_equilibrium_as_peer": same,
        **(extra or {}),
    }


def run(pool, st: Settings, log=print) -> list[dict[str, Any]]:
    """Sequence form vs lcp_solve (catalogue trees, then random trees with many sequences), and
    logit QRE vs logit_solve_lambda (catalogue trees)."""
    trees = catalogue_trees()
    slugs = [s for s, _ in trees]
    items = [{"efg": text, "lam": LAM, "slug": s} for s, text in trees]
    games = [dt.read_game(it["efg"], text=True) for it in items]
    _seq(items[0])
    _qre(items[0])
    log(f"  sequence form on {len(items)} catalogue trees")
    cases = [sequence_form_case(pool, st, f"sequence form, {len(items)} catalogue trees", items, slugs)]
    for name, (rounds, types, n_seq), texts in random_trees(st):
        log(f"  {name} ({len(texts)} trees)")
        tree_items = [{"efg": t, "lam": LAM, "slug": f"random tree {k}"} for k, t in enumerate(texts)]
        extra = {"sequences": n_seq, "tree_family": "tests/helpers/trees.py", "rounds": rounds,
                 "types": types, "seeds": [st.seed + k for k in range(len(texts))]}
        cases.append(sequence_form_case(pool, st, name, tree_items, [it["slug"] for it in tree_items], extra))

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
