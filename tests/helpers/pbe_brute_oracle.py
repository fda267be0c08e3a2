"""Perfect Bayesian equilibria checked from the definition: brute force and one assessment at a time.

Independent of the solver: values by a plain backward pass over the nodes, reach probabilities by
a forward pass, Bayes' rule by division, a free off-path belief by a linear program (scipy).

* :func:`pure_pbe_profiles` lists every pure behaviour profile of a tree that some assessment
  makes a PBE under ``belief_policy="free"``: Bayes' rule at every set the profile reaches; at
  every other set some belief over the nodes Nature can reach (all nodes if Nature reaches none,
  as at the one node of a type of prior 0) under which the prescribed action is optimal. That is
  the whole definition only where no player can reach an unreached set by its *own* deviation
  (the solver then carries its earlier belief forward): use it on trees such as signalling games,
  where every player moves at most once on any path.
* :func:`assessment_problems` checks one listed equilibrium, mixed or pure, with its reported
  beliefs: each a distribution, 0 on nodes Nature cannot reach in a set of several nodes,
  Bayes' rule where the profile reaches the set, and no action at any set better than the
  prescribed mixture under the reported belief (sequential rationality, one shot).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from scipy.optimize import linprog


def chance_probabilities(game: Any) -> np.ndarray:
    """Probability of the chance move into each node (1 after a player's move or at the root)."""
    probs = np.ones(len(game.nodes))
    for nd in game.nodes:
        if nd.kind == "chance":
            for c, p in zip(nd.children, game.chance_infos[nd.infoset].probs, strict=True):
                probs[c] = float(p)
    return probs


def _parents_first(game: Any) -> list[Any]:
    """The nodes in index order, which puts every parent before its children (checked)."""
    assert all(nd.parent < nd.index for nd in game.nodes[1:])
    return list(game.nodes)


def node_values(game: Any, behaviour: list[np.ndarray], chance: np.ndarray) -> np.ndarray:
    """Expected payoffs (nodes x players) under ``behaviour``, children before parents."""
    payoffs = np.asarray(game.payoffs, dtype=float)
    values = np.zeros((len(game.nodes), game.num_players))
    for nd in reversed(_parents_first(game)):
        if nd.kind == "terminal":
            values[nd.index] = payoffs[game.terminal_index(nd.index)]
        else:
            weights = chance[list(nd.children)] if nd.kind == "chance" else behaviour[nd.infoset]
            values[nd.index] = np.asarray(weights, dtype=float) @ values[list(nd.children)]
    return values


def reach_probabilities(game: Any, behaviour: list[np.ndarray], chance: np.ndarray) -> np.ndarray:
    """Probability of reaching each node, parents before children."""
    reach = np.zeros(len(game.nodes))
    reach[0] = 1.0
    for nd in _parents_first(game):
        for k, c in enumerate(nd.children):
            step = chance[c] if nd.kind == "chance" else behaviour[nd.infoset][k]
            reach[c] = reach[nd.index] * step
    return reach


def _continuations(game: Any, h: Any, values: np.ndarray) -> np.ndarray:
    """The mover's value of each action (columns) at each node (rows) of set ``h``."""
    return np.array([[values[c, h.player] for c in game.nodes[v].children] for v in h.nodes])


def _some_belief_supports(q: np.ndarray, action: int, tol: float) -> bool:
    """Is there a distribution over the rows of ``q`` under which ``action`` is a best column?"""
    gaps = np.delete(q - q[:, [action]], action, axis=1).T  # one row per other action
    if gaps.size == 0:
        return True
    res = linprog(np.zeros(len(q)), A_ub=gaps, b_ub=np.full(len(gaps), tol),
                  A_eq=np.ones((1, len(q))), b_eq=[1.0], bounds=[(0, 1)] * len(q), method="highs")
    return res.status == 0


def is_pure_pbe(game: Any, behaviour: list[np.ndarray], chance: np.ndarray, tol: float = 1e-9) -> bool:
    """Whether the pure profile ``behaviour`` is a PBE under free off-path beliefs (module doc)."""
    values = node_values(game, behaviour, chance)
    reach = reach_probabilities(game, behaviour, chance)
    nature = reach_probabilities(game, [np.ones(len(h.actions)) for h in game.infosets], chance) > 0
    for h in game.infosets:
        q, action = _continuations(game, h, values), int(np.argmax(behaviour[h.index]))
        w = reach[list(h.nodes)]
        if w.sum() > 0:
            u = (w / w.sum()) @ q
            if u.max() > u[action] + tol:
                return False
            continue
        rows = nature[list(h.nodes)]
        if not _some_belief_supports(q[rows] if rows.any() else q, action, tol):
            return False
    return True


def pure_pbe_profiles(game: Any) -> list[np.ndarray]:
    """Every pure PBE (free off-path beliefs) of ``game``, each as its concatenated behaviour."""
    chance = chance_probabilities(game)
    sizes = [len(h.actions) for h in game.infosets]
    found = []
    for profile in itertools.product(*(range(s) for s in sizes)):
        behaviour = [np.eye(s)[a] for s, a in zip(sizes, profile, strict=True)]
        if is_pure_pbe(game, behaviour, chance):
            found.append(np.concatenate(behaviour))
    return found


def assessment_problems(game: Any, eq: Any, tol: float = 1e-7) -> list[str]:
    """What is wrong with the equilibrium ``eq`` and its ``eq.beliefs`` as a PBE (empty if nothing)."""
    chance = chance_probabilities(game)
    behaviour = [np.asarray(s, dtype=float) for s in eq.strategies]
    values = node_values(game, behaviour, chance)
    reach = reach_probabilities(game, behaviour, chance)
    nature = reach_probabilities(game, [np.ones(len(h.actions)) for h in game.infosets], chance) > 0
    problems = []
    for h in game.infosets:
        mu = np.array([eq.beliefs[h.name][game.nodes[v].path] for v in h.nodes], dtype=float)
        w = reach[list(h.nodes)]
        if mu.min() < -1e-12 or abs(mu.sum() - 1) > 1e-9:
            problems.append(f"{h.name}: belief {mu} is not a distribution")
        if len(mu) > 1 and mu[~nature[list(h.nodes)]].max(initial=0) > 1e-12:
            problems.append(f"{h.name}: belief {mu} weighs a node Nature never reaches")
        if w.sum() > 1e-12 and not np.allclose(mu, w / w.sum(), rtol=0, atol=1e-7):
            problems.append(f"{h.name}: belief {mu} is not Bayes' rule {w / w.sum()}")
        u = mu @ _continuations(game, h, values)
        if u.max() - u @ behaviour[h.index] > tol * max(1.0, float(np.abs(u).max())):
            problems.append(f"{h.name}: {behaviour[h.index]} not optimal, action values {u}")
    return problems
