"""Logit QRE by pygambit in a subprocess, and the logit response and Nash regret from their definitions.

pygambit's ``qre.logit_solve_lambda`` traces the principal branch of the *agent* logit QRE on a
tree (behaviour profiles, one logit response per information set; the default
``use_strategic=False``) and of the QRE of a normal-form game; ``nash.logit_solve`` returns its
approximation to the branch's limit. Both run on the game written out by ``dt.write_game``, in a
fresh process with a time limit (:mod:`helpers.json_subprocess`). Information sets come back
named by the path of child positions to one member.

The other functions are written from the definitions, sharing no code with the library: the
fixed-point residual ``max |sigma - softmax(lambda_i * expected payoffs)|`` (beliefs at a set
from the realisation probabilities of its nodes) and the Nash regret of a behaviour profile by
enumerating every pure strategy of every player.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

import deterrence as dt

from .enummixed_oracle import SET_PATH_SNIPPET, node_paths
from .json_subprocess import run_json_script

_SCRIPT = r"""
import io, json, sys
import pygambit as gbt
""" + SET_PATH_SNIPPET + r"""
def sets_of(g):
    return [(set_path(h), len(h.actions)) for player in g.players for h in player.infosets]

def behaviour(g, flat):
    out, k = [], 0
    for path, n in sets_of(g):
        out.append([path, [float(x) for x in flat[k:k + n]]])
        k += n
    return out

out = []
for job in json.load(sys.stdin):
    tree = job["text"].startswith("EFG")
    g = (gbt.read_efg if tree else gbt.read_nfg)(io.StringIO(job["text"]))
    points = []
    for lam in job["lams"]:
        r = gbt.qre.logit_solve_lambda(g, [lam])[0]
        if tree:
            points.append([r.lam, behaviour(g, [r[i] for i in range(len(r))])])
        else:
            points.append([r.lam, [[float(r.profile[s]) for s in p.strategies] for p in g.players]])
    eq = gbt.nash.logit_solve(g).equilibria[0]
    if tree:
        limit = behaviour(g, [eq[a] for p in g.players for h in p.infosets for a in h.actions])
    else:
        limit = [[float(eq[s]) for s in p.strategies] for p in g.players]
    out.append({"points": points, "limit": limit})
print(json.dumps(out))
"""


def gambit_logit(games: Sequence[Any], lams: Sequence[float], timeout: float = 300.0) -> list[dict] | None:
    """pygambit's principal-branch points at ``lams`` and its limit, for each game.

    Returns
    -------
    list or None
        Per game ``{"points": [(lambda reached, profile), ...], "limit": profile}``, profiles
        as one array per player (normal form) or per information set in ``game.infosets``
        order (trees); ``None`` if pygambit ran out of time.

    Raises
    ------
    RuntimeError
        If the subprocess failed (its standard error is in the message).
    """
    jobs = [{"text": dt.write_game(g), "lams": [float(x) for x in lams]} for g in games]
    ran = run_json_script(_SCRIPT, json.dumps(jobs), timeout)
    if ran is None:
        return None
    raw, stderr = ran
    if stderr:
        raise RuntimeError(f"pygambit subprocess failed:\n{stderr[-2000:]}")
    read = _read_tree if games and games[0].kind == "extensive" else _read_normal
    return [{"points": [(lam, read(g, prof)) for lam, prof in res["points"]], "limit": read(g, res["limit"])}
            for g, res in zip(games, raw, strict=True)]


def _read_normal(game: Any, profile: list) -> list[np.ndarray]:
    return [np.array(p) for p in profile]


def _read_tree(game: Any, sets: list) -> list[np.ndarray]:
    where = {path: v for v, path in enumerate(node_paths(game))}
    beh: list[np.ndarray | None] = [None] * len(game.infosets)
    for path, probs in sets:
        beh[game.nodes[where[tuple(path)]].infoset] = np.array(probs)
    assert all(b is not None for b in beh), "pygambit's information sets differ from ours"
    return beh  # type: ignore[return-value]


# ---------------------------------------------------------------------------- from the definitions
def _softmax(s: np.ndarray) -> np.ndarray:
    q = np.exp(s - s.max())
    return q / q.sum()


def normal_values(arrays: Sequence[np.ndarray], profile: Sequence[np.ndarray], i: int) -> np.ndarray:
    """Player ``i``'s expected payoff of each pure strategy against the others' mixed strategies."""
    a = np.asarray(arrays[i], dtype=float)
    for ax in reversed(range(len(profile))):
        if ax != i:
            a = np.tensordot(a, profile[ax], axes=([ax], [0]))
    return a


def normal_residual(arrays: Sequence[np.ndarray], profile: Sequence[np.ndarray],
                    lams: Sequence[float]) -> float:
    """Largest ``|sigma_i - softmax(lambda_i u_i(., sigma_-i))|`` over players and strategies."""
    return max(float(np.abs(profile[i] - _softmax(lams[i] * normal_values(arrays, profile, i))).max())
               for i in range(len(profile)))


def normal_regret(arrays: Sequence[np.ndarray], profile: Sequence[np.ndarray]) -> float:
    """Largest gain of a player from switching to a pure best response."""
    out = 0.0
    for i in range(len(profile)):
        v = normal_values(arrays, profile, i)
        out = max(out, float(v.max() - v @ profile[i]))
    return out


def _edge(game: Any, beh: Sequence[np.ndarray], v: int) -> float:
    nd = game.nodes[v]
    par = game.nodes[nd.parent]
    if par.kind == "chance":
        return float(game.chance_infos[par.infoset].probs[nd.action])
    return float(beh[par.infoset][nd.action])


def _node_values(game: Any, beh: Sequence[np.ndarray]) -> dict[int, np.ndarray]:
    val: dict[int, np.ndarray] = {}

    def value(v: int) -> np.ndarray:
        nd = game.nodes[v]
        if nd.kind == "terminal":
            out = np.asarray(game.payoffs[game.terminal_index(v)], dtype=float)
        else:
            out = sum(_edge(game, beh, c) * value(c) for c in nd.children)
        val[v] = out
        return out

    value(0)
    return val


def tree_residual(game: Any, beh: Sequence[np.ndarray], lams: Sequence[float]) -> float:
    """Largest gap between the behaviour and the agent logit response to it (every set must be reached)."""
    reach = np.ones(len(game.nodes))
    for nd in game.nodes[1:]:
        reach[nd.index] = reach[nd.parent] * _edge(game, beh, nd.index)
    val = _node_values(game, beh)
    out = 0.0
    for h in game.infosets:
        w = reach[list(h.nodes)]
        assert w.sum() > 0, f"set {h.name} is not reached"
        mu = w / w.sum()
        kids = [game.nodes[v].children for v in h.nodes]
        q = np.array([sum(m * val[c[a]][h.player] for m, c in zip(mu, kids, strict=True))
                      for a in range(len(h.actions))])
        out = max(out, float(np.abs(beh[h.index] - _softmax(lams[h.player] * q)).max()))
    return out


def tree_nash_regret(game: Any, beh: Sequence[np.ndarray]) -> float:
    """Largest gain of a player from switching to its best pure strategy (every one enumerated)."""
    now = _node_values(game, beh)[0]
    out = 0.0
    for i in range(game.num_players):
        mine = [h for h in game.infosets if h.player == i]
        best = -np.inf
        for choice in itertools.product(*[range(len(h.actions)) for h in mine]):
            dev = list(beh)
            for h, a in zip(mine, choice, strict=True):
                dev[h.index] = np.eye(len(h.actions))[a]
            best = max(best, float(_node_values(game, dev)[0][i]))
        out = max(out, best - float(now[i]))
    return out


def maxdiff(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    """Largest absolute difference of two profiles."""
    return max(float(np.abs(np.asarray(x) - np.asarray(y)).max()) for x, y in zip(a, b, strict=True))
