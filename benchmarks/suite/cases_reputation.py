"""Repeated crises with reputation, and signalling trees per point, against pygambit on the same trees.

Cases (group ``reputation``):

* **chain store with N markets** (KW1's parameters b = 1/2, a = 2, p = 1/10; N = 2, 3, 5, 8, 10,
  20, 50; quick: 2, 3, 5, 10, 50). Ours: ``dt.solve_reputation`` on the compact game (solve and
  exact certificate on the (stage, posterior) states), and, where the tree fits (N <= 8, quick
  N <= 5), ``dt.solve(tree, "pbe", belief_policy="d1")`` (``auto``: the generic PBE solver at
  N = 2, the reputation solver from N = 3; tree built and certified inside the timing). Peers on
  the same tree (its ``.efg`` text written beforehand, untimed, parsed inside the timing):
  pygambit ``logit_solve`` (the limit of the agent logit QRE, which is a sequential equilibrium:
  the comparable answer) and ``enumpure_agent_solve`` (pure agent-form equilibria: a speed
  proxy; the chain store has none in pure strategies when the Weak incumbent must mix).
  ``lcp_solve`` needs two players and the chain store has N + 1.
* **patron_reputation** (the file, 3 crises, tree) the same way, and in compact form with 10 and
  50 protégés (ours only: no tree).
* **signalling trees per point**: ``costly_signal_menu``, ``asymmetric_escalation``,
  ``chain_store`` (2 markets) at 30 (quick; 100 full) seeded points of their domains, each point
  solved once, one after the other, by every tool (no repeats: a repeat of the same point would
  be served by caches a sweep of fresh points does not have; and ``d1`` solves other points
  than ``free``, so that no pattern search of one serves the other). Ours: ``dt.solve(game, "pbe",
  belief_policy=...)`` for ``free`` and ``d1`` (in the worker process, with the time limit; the
  game is built from the model inside the timing). Peers: ``lcp_solve`` (2-player trees),
  ``enumpure_agent_solve`` and ``logit_solve`` on the same trees. pygambit has no PBE solver:
  its rows solve other concepts (one Nash equilibrium, pure agent equilibria, the logit limit)
  on the same tree, a speed reference, not the same answer.
* **signalling trees end to end**: the same three models swept as a user sweeps them,
  ``dt.sweep(model, samples=N, method="random", rng=seed, vary=..., bounds=..., concept="pbe",
  belief_policy=..., progress=False)`` on 2,000 (quick; 10,000 full) random points (every
  parameter over the box ``domain_sample`` draws from; and the default slice, without ``vary``),
  for ``free``, ``d1`` and ``prior`` (``prior`` has no per-point rows: a case of its own): compile
  time alone, the sweep with compile (fresh model, caches cleared) and without (kernels cached,
  other points), CPU and wall per point, the share of points the kernel left to the per-point
  solver, and 30 (100) of the sweep's points solved again one by one, whose rows must match
  (``end_to_end``). A model that does not compile is not swept: its end-to-end rate is its
  per-point rate.

Agreement: pygambit's logit limit and our equilibrium are compared on the tree's outcome
distribution: the largest gap in a terminal's probability is recorded (``logit_outcome_gap``;
pygambit stops the trace at a relative regret of 1e-8 per step, so gaps of 1e-4 are its
approximation), and a gap above 1e-3 is listed as a disagreement with both profiles' Nash regrets
from ``deterrence.certificates``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

import deterrence as dt
from deterrence import kernels

from . import end_to_end
from .compare import behaviour_from_paths, regret
from .measure import Settings, ours, peer, skipped

KW1 = {"p_tough": 0.1, "monopoly_profit": 2, "entry_profit": 0.5}
SIGNALLING = ("costly_signal_menu", "asymmetric_escalation", "chain_store")
#: added to the run's seed for each belief policy's points (no point is solved under both)
POLICY_SEED = {"free": 0, "d1": 1, "prior": 2}
#: points of each end-to-end sweep (quick, full): enough that the fixed costs (compile, the first
#: call) are reported on their own and spread; the sweep's seeds are offset from the per-point ones
SWEEP_POINTS = (2_000, 10_000)
SWEEP_SEED = 1_000
#: points of the sweep solved again one by one to compare rows (quick, full)
AGREE_POINTS = (30, 100)


def _markets(st: Settings) -> tuple[list[int], int]:
    """Chain-store sizes, and the largest solved (and given to pygambit) as an explicit tree."""
    return ([2, 3, 5, 10, 50], 5) if st.quick else ([2, 3, 5, 8, 10, 20, 50], 8)


def _compact(item: dict[str, Any]) -> Any:
    build = dt.builders.chain_store_game if item["kind"] == "chain" else dt.builders.patron_reputation_game
    key = "markets" if item["kind"] == "chain" else "proteges"
    return dt.solve_reputation(build(**{key: item["n"]}, **item["values"]))


def _tree(item: dict[str, Any]) -> Any:
    return dt.solve(dt.read_game(item["efg"], text=True), "pbe", belief_policy="d1")


def _terminal_probs(game: Any, profile: list[np.ndarray]) -> np.ndarray:
    return game.terminal_probabilities(list(profile))


def _agreement(case: dict[str, Any], game: Any, our_profile: list[np.ndarray], rows: list[dict]) -> None:
    """Compare pygambit's logit limit with our equilibrium on the outcome distribution."""
    mine = _terminal_probs(game, our_profile)
    for row in rows:
        if row.get("tool", "").startswith("pygambit logit") and row.get("results"):
            try:
                theirs = behaviour_from_paths(game, row["results"][0][0])
            except (ValueError, IndexError, TypeError) as exc:
                case["disagreements"].append({"where": case["case"], "tool": row["tool"], "kind": "mapping",
                                              "verdict": str(exc)})
                continue
            gap = float(np.abs(_terminal_probs(game, theirs) - mine).max())
            case["logit_outcome_gap"] = gap
            if gap > 1e-3:
                case["disagreements"].append({
                    "where": case["case"], "tool": row["tool"], "kind": "outcome distribution", "gap": gap,
                    "their_nash_regret": regret(game, theirs), "our_nash_regret": regret(game, our_profile),
                    "verdict": "a different equilibrium (both certified as Nash by their regret)"})


def _tree_peers(pool, efg: str, st: Settings, players: int, timeout: float) -> list[dict[str, Any]]:
    item = [{"efg": efg}]
    rows = [peer(pool, "gambit_logit_limit", "pygambit logit_solve (limit)", item, st, timeout=timeout),
            peer(pool, "gambit_enumpure_agent", "pygambit enumpure_agent_solve", item, st, timeout=timeout)]
    if players == 2:
        rows.append(peer(pool, "gambit_lcp_tree", "pygambit lcp_solve (float, tree)", item, st,
                         timeout=timeout))
    return rows


def _reputation_case(pool, st: Settings, kind: str, n: int, values: dict, tree_max: int,
                     log=print) -> dict[str, Any]:
    label = "chain store" if kind == "chain" else "patron_reputation"
    unit = "markets" if kind == "chain" else "crises"
    case: dict[str, Any] = {"group": "reputation", "case": f"{label}, {n} {unit}",
                            "task": "one sequential equilibrium, certified", "unit": "s", "items": 1,
                            "disagreements": []}
    item = {"kind": kind, "n": n, "values": values}
    rows = [ours("deterrence solve_reputation (compact)", _compact, [item], st)]
    if n <= tree_max:
        game = (dt.builders.chain_store_game(markets=n, **values) if kind == "chain"
                else dt.builders.patron_reputation_game(proteges=n, **values)).tree()
        efg = dt.write_game(game)
        log(f"  {case['case']}: tree of {len(game.nodes)} nodes")
        tree_item = {"efg": efg}
        rows.append(ours("deterrence dt.solve (tree, pbe d1)", _tree, [tree_item], st,
                         keep=lambda eqs: [np.asarray(s).tolist() for s in eqs[0].strategies]))
        limit = min(st.timeout, 60.0) if st.quick else st.timeout
        rows += _tree_peers(pool, efg, st, game.num_players, limit)
        ref = next(r for r in rows if r["tool"].startswith("deterrence dt.solve"))
        if ref.get("results"):
            _agreement(case, game, [np.asarray(s) for s in ref["results"][0]], rows)
        case["tree_nodes"] = len(game.nodes)
    else:
        rows.append(skipped("deterrence dt.solve (tree, pbe d1)", f"the tree has 4*3**{n} - 1 nodes"))
        rows.append(skipped("pygambit logit_solve (limit)", f"the tree has 4*3**{n} - 1 nodes"))
    case["tools"] = rows
    return case


def _signalling_case(pool, st: Settings, name: str, policy: str) -> dict[str, Any]:
    """Per point: our PBE (policy) against pygambit's three methods on the same trees."""
    m = dt.load_model(name)
    # distinct points, each solved once, in sequence, as a sweep of random points solves them:
    # the model is loaded once (its tree template and tree caches serve the later points), but no
    # point is solved twice, so no cache keyed by a point's numbers flatters a repeat
    n = 30 if st.quick else 100
    # one repeat only (a second would solve the same points again), and each policy its own
    # points (d1 after free on the same points would replay free's pattern searches)
    budget = st.budget
    st = replace(st, repeats=1, budget=0.0)
    pts = pd.DataFrame(kernels.domain_sample(m, n, seed=st.seed + POLICY_SEED[policy]))
    values = [{k: float(v) for k, v in row.items()} for _, row in pts.iterrows()]
    limit = min(st.timeout, 60.0) if st.quick else st.timeout
    case: dict[str, Any] = {"group": "reputation", "case": f"{name} per point (PBE {policy})",
                            "task": "all PBE at a point", "unit": "s per point", "items": len(values),
                            "disagreements": [], "model": name}
    items = [{"model": name, "values": v, "policy": policy} for v in values]
    rows = [peer(pool, "deterrence_pbe_point", f"deterrence dt.solve (pbe {policy})", items, st,
                 timeout=limit, item_budget=budget, role="ours")]
    if policy == "free":
        efgs = [{"efg": dt.write_game(m.game(**v))} for v in values]
        players = m.game().num_players
        rows += [peer(pool, "gambit_logit_limit", "pygambit logit_solve (limit)", efgs, st, timeout=limit,
                      item_budget=budget),
                 peer(pool, "gambit_enumpure_agent", "pygambit enumpure_agent_solve", efgs, st, timeout=limit,
                      item_budget=budget)]
        if players == 2:
            rows.append(peer(pool, "gambit_lcp_tree", "pygambit lcp_solve (float, tree)", efgs, st,
                             timeout=limit, item_budget=budget))
    for row in rows:
        if row.get("stats") and row["stats"].get("median"):
            row["points_per_second"] = 1.0 / row["stats"]["median"]
    case["tools"] = rows
    return case


def _sweep_end_to_end(case: dict[str, Any], st: Settings, name: str, policy: str, log=print) -> None:
    """Add ``case["sweep"]``: ``dt.sweep`` of the model end to end (``end_to_end.measure``),
    its disagreements with the per-point path into the case's."""
    n, k = (SWEEP_POINTS[0], AGREE_POINTS[0]) if st.quick else (SWEEP_POINTS[1], AGREE_POINTS[1])
    seed = st.seed + SWEEP_SEED + 10 * POLICY_SEED[policy]
    try:
        record, disagreements = end_to_end.measure(name, policy, n, seed, k, case["case"], log)
    except Exception as exc:  # our failures are results too
        record = {"model": name, "policy": policy, "error": f"{type(exc).__name__}: {exc}"}
        disagreements = []
    case["sweep"] = record
    case["disagreements"] += disagreements


def _sweep_only_case(st: Settings, name: str, policy: str, log=print) -> dict[str, Any]:
    """A case with the end-to-end sweep alone (a policy without per-point rows)."""
    case: dict[str, Any] = {"group": "reputation", "case": f"{name} end to end (PBE {policy})",
                            "task": "all PBE at every point of a sweep", "unit": "s per point",
                            "items": 0, "disagreements": [], "model": name, "tools": []}
    _sweep_end_to_end(case, st, name, policy, log)
    return case


def run(pool, st: Settings, log=print) -> list[dict[str, Any]]:
    """Every case of the group (see the module documentation)."""
    dt.solve_reputation(dt.builders.chain_store_game(markets=2))  # imports and caches outside the timing
    sizes, tree_max = _markets(st)
    cases = []
    for n in sizes:
        log(f"  chain store, {n} markets")
        cases.append(_reputation_case(pool, st, "chain", n, KW1, tree_max, log))
    for n in (3, 10, 50):
        log(f"  patron_reputation, {n} crises")
        cases.append(_reputation_case(pool, st, "patron", n, {}, 3, log))
    for name in SIGNALLING:
        for policy in ("free", "d1"):
            log(f"  {name} per point, PBE {policy}")
            case = _signalling_case(pool, st, name, policy)
            log(f"  {name} end to end (dt.sweep), PBE {policy}")
            _sweep_end_to_end(case, st, name, policy, log)
            cases.append(case)
        log(f"  {name} end to end (dt.sweep), PBE prior")
        cases.append(_sweep_only_case(st, name, "prior", log))
    return cases
