"""A long-lived worker process that times one peer tool (pygambit, nashpy or QuantEcon).

(It also runs our own per-point sweep path, which can take minutes per point on large trees,
so that it gets the same time limit.)

The parent (:mod:`benchmarks.suite.peers`) writes one JSON job per line on stdin::

    {"tool": "nashpy_support", "items": [...], "repeats": 5, "budget": 10.0, "item_budget": null}

and reads JSON lines back: one record per repeat (see :func:`suite.timing.repeat_items`;
the first carries the equilibria found, as plain lists) and then ``{"done": true}``, or
``{"error": "..."}``. Streaming one record per repeat means a job killed at its time limit
still reports the repeats it finished. Every timed call builds the peer's game object from
the raw data and solves it: nothing is reused between repeats.
"""

from __future__ import annotations

import io
import json
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np

from benchmarks.suite.timing import repeat_items

# ----------------------------------------------------------------------------- 2-player normal form


def _nashpy(method: str):
    import nashpy

    # nashpy's default support tolerance (1e-16) misses equilibria of integer games; 1e-10 does not
    kwargs = {"tol": 1e-10} if method == "support_enumeration" else {}

    def call(item):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            game = nashpy.Game(np.array(item["a"], dtype=float), np.array(item["b"], dtype=float))
            return [
                [np.asarray(x, dtype=float).tolist(), np.asarray(y, dtype=float).tolist()]
                for x, y in getattr(game, method)(**kwargs)
            ]

    return call, None


def _quantecon(method: str):
    import quantecon.game_theory as gt

    fn = getattr(gt, method)

    def call(item):
        a = np.array(item["a"], dtype=float)
        b = np.array(item["b"], dtype=float)
        game = gt.NormalFormGame((gt.Player(a), gt.Player(b.T)))
        return [[np.asarray(x).tolist(), np.asarray(y).tolist()] for x, y in fn(game)]

    def warm():  # numba compiles on the first call: keep that out of the timing
        call({"a": np.eye(3).tolist(), "b": np.eye(3).tolist()})

    return call, warm


def _gambit_profiles(game, result) -> list:
    return [[[float(eq[s]) for s in p.strategies] for p in game.players] for eq in result.equilibria]


def _gambit_enummixed(rational: bool):
    import pygambit as gbt

    def call(item):
        g = gbt.Game.from_arrays(np.array(item["a"]), np.array(item["b"]))
        return _gambit_profiles(g, gbt.nash.enummixed_solve(g, rational=rational))

    return call, None


# ----------------------------------------------------------------------------- N-player normal form


def _gambit_nplayer(method: str):
    import pygambit as gbt

    def call(item):
        g = gbt.Game.from_arrays(*[np.array(a) for a in item["payoffs"]])
        if method == "enumpure":
            res = gbt.nash.enumpure_solve(g)
        elif method == "simpdiv":
            res = gbt.nash.simpdiv_solve(g.mixed_strategy_profile(rational=True))
        elif method == "gnm":
            res = gbt.nash.gnm_solve(g)
        else:
            raise ValueError(f"unknown pygambit N-player method {method!r}")
        return _gambit_profiles(g, res)

    return call, None


# ----------------------------------------------------------------------------- extensive form


def _node_path(node) -> list[int]:
    path = []
    while node.parent is not None:
        path.append(list(node.parent.children).index(node))
        node = node.parent
    return path[::-1]


def _behaviour(game, value) -> list[dict[str, Any]]:
    """A behaviour profile as ``[{"paths": member node paths, "probs": [...]}]`` per infoset."""
    out = []
    for p in game.players:
        for h in p.infosets:
            out.append(
                {"paths": [_node_path(m) for m in h.members], "probs": [float(value(a)) for a in h.actions]}
            )
    return out


def _gambit_tree(method: str):
    import pygambit as gbt

    def call(item):
        g = gbt.read_efg(io.StringIO(item["efg"]))
        if method == "lcp":
            res = gbt.nash.lcp_solve(g, rational=False)
            return [_behaviour(g, lambda a, eq=eq: eq[a]) for eq in res.equilibria]
        if method == "logit":  # the limit of the (agent) logit branch: one Nash equilibrium
            res = gbt.nash.logit_solve(g)
            return [_behaviour(g, lambda a, eq=eq: eq[a]) for eq in res.equilibria]
        if method == "enumpure_agent":
            res = gbt.nash.enumpure_agent_solve(g)
            return [_behaviour(g, lambda a, eq=eq: eq[a]) for eq in res.equilibria]
        if method == "logit_lambda":
            res = gbt.qre.logit_solve_lambda(g, float(item["lam"]))[0]
            flat = [float(res[i]) for i in range(len(res))]
            it = iter(flat)
            return [_behaviour(g, lambda a: next(it))]
        raise ValueError(f"unknown pygambit tree method {method!r}")

    return call, None


def _gambit_loop():
    """One sweep point: read the point's game from .efg text and solve it (pure Nash / LCP)."""
    import pygambit as gbt

    def call(item):
        g = gbt.read_efg(io.StringIO(item["efg"]))
        if len(g.players) == 2:
            res = gbt.nash.lcp_solve(g, rational=False)
        else:
            res = gbt.nash.enumpure_agent_solve(g)
        return len(res.equilibria)

    return call, None


def _gambit_tree_limit(method: str):
    """pygambit on a tree: the logit QRE's limit (``logit_solve``) or pure agent equilibria."""
    import pygambit as gbt

    def call(item):
        g = gbt.read_efg(io.StringIO(item["efg"]))
        if method == "logit":
            res = gbt.nash.logit_solve(g)
        else:
            res = gbt.nash.enumpure_agent_solve(g)
        return [_behaviour(g, lambda a, eq=eq: eq[a]) for eq in res.equilibria]

    return call, None


def _ours_pbe_point():
    """Our PBE solve of one model point (game built inside the timing), under a belief policy."""
    import deterrence as dt

    models: dict[str, Any] = {}

    def call(item):
        m = models.get(item["model"]) or models.setdefault(item["model"], dt.load_model(item["model"]))
        return len(dt.solve(m.game(**item["values"]), "pbe", belief_policy=item["policy"]))

    def warm():
        dt.solve(dt.load_model("chain_store").game(), "pbe", mixed=False)

    return call, warm


def _ours_pointwise():
    """Our per-point path for one sweep point (run here so that it too gets a time limit)."""
    import pandas as pd

    import deterrence as dt
    from deterrence.sweeps import evaluate_points

    models: dict[str, Any] = {}

    def call(item):
        m = models.get(item["model"]) or models.setdefault(item["model"], dt.load_model(item["model"]))
        return len(evaluate_points(m, pd.DataFrame([item["values"]]), "pbe", "free"))

    return call, None


TOOLS = {
    "nashpy_support": lambda: _nashpy("support_enumeration"),
    "nashpy_vertex": lambda: _nashpy("vertex_enumeration"),
    "quantecon_support": lambda: _quantecon("support_enumeration"),
    "quantecon_vertex": lambda: _quantecon("vertex_enumeration"),
    "gambit_enummixed": lambda: _gambit_enummixed(False),
    "gambit_enummixed_rational": lambda: _gambit_enummixed(True),
    "gambit_enumpure": lambda: _gambit_nplayer("enumpure"),
    "gambit_simpdiv": lambda: _gambit_nplayer("simpdiv"),
    "gambit_gnm": lambda: _gambit_nplayer("gnm"),
    "gambit_lcp_tree": lambda: _gambit_tree("lcp"),
    "gambit_logit_lambda": lambda: _gambit_tree("logit_lambda"),
    "gambit_logit_tree": lambda: _gambit_tree("logit"),
    "gambit_enumpure_agent_tree": lambda: _gambit_tree("enumpure_agent"),
    "gambit_sweep_loop": _gambit_loop,
    "deterrence_pointwise": _ours_pointwise,
    "gambit_logit_limit": lambda: _gambit_tree_limit("logit"),
    "gambit_enumpure_agent": lambda: _gambit_tree_limit("enumpure_agent"),
    "deterrence_pbe_point": _ours_pbe_point,
}


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main() -> None:
    ready: dict[str, tuple] = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        try:
            tool = job["tool"]
            if tool not in ready:
                ready[tool] = TOOLS[tool]()
                warm = ready[tool][1]
                if warm is not None:
                    warm()
            _emit({"ready": True})
            call = ready[tool][0]
            for rec in repeat_items(
                call,
                job["items"],
                int(job["repeats"]),
                float(job["budget"]),
                keep=lambda out: out,
                item_budget=job.get("item_budget"),
            ):
                _emit(rec)
            _emit({"done": True})
        except Exception as exc:  # reported to the parent, which records it with the case
            _emit({"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc(limit=3)})


if __name__ == "__main__":
    main()
