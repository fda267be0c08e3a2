"""Seeded N-player game trees for tests and benchmarks: random trees with perfect recall, jury voting.

* :func:`random_tree` builds a tree with a given number of players and roughly a given number
  of information sets: random moves (two or three actions, now and then a chance move),
  decision nodes of one player grouped into information sets only when that player's own
  history of sets and actions is the same at every node (so the tree has perfect recall),
  integer payoffs. ``recall=False`` instead merges nodes whose own histories differ (the
  player forgets one of its earlier moves).
* :func:`jury_voting` is the jury game of Feddersen and Pesendorfer (1998, APSR 92): Nature
  draws guilt or innocence, every juror sees a private signal of it (right with probability
  ``accuracy``) and votes without seeing the others' votes; the defendant is convicted only
  by a unanimous vote. Juror ``j`` has two information sets (one per signal), so ``n``
  jurors make ``2 n`` information sets over ``2 * 4**n`` terminal nodes.
* :func:`signalling_game` is a seeded random signalling game: Nature draws the sender's type,
  the sender sends a message, the receiver sees the message only and responds.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import numpy as np

from deterrence.game import ExtensiveFormGame, chance, decision, terminal


class _Spec:
    """A node of the skeleton: a decision (player, number of actions), a chance move or a leaf."""

    def __init__(self, kind: str, player: int = -1, arity: int = 0, history: tuple = ()) -> None:
        self.kind = kind
        self.player = player
        self.arity = arity
        self.history = history  # own (set key, action) pairs of the mover on the way here
        self.children: list[_Spec] = []
        self.infoset = ""


def _grow(rng: np.random.Generator, n_players: int, target: int) -> tuple[_Spec, list[_Spec]]:
    """A random skeleton with about ``target`` decision nodes, breadth first."""
    root = _Spec("decision", int(rng.integers(n_players)), int(rng.integers(2, 4)))
    frontier, decisions = [(root, {})], [root]
    while frontier:
        node, hist = frontier.pop(0)
        node.history = tuple(hist.get(node.player, ())) if node.kind == "decision" else ()
        for a in range(node.arity):
            child_hist = dict(hist)
            if node.kind == "decision":
                child_hist[node.player] = (*hist.get(node.player, ()), (id(node), a))
            stop = len(decisions) >= target or rng.random() < 0.12
            if stop:
                child = _Spec("terminal")
            elif rng.random() < 0.08:
                child = _Spec("chance", arity=2)
            else:
                child = _Spec("decision", int(rng.integers(n_players)), int(rng.integers(2, 4)))
                decisions.append(child)
            node.children.append(child)
            frontier.append((child, child_hist))
    return root, decisions


def _history_key(d: _Spec, name_of: dict[int, str]) -> tuple:
    return tuple((name_of[i], a) for i, a in d.history)


def _build(node: _Spec, rng: np.random.Generator, players: list[str]) -> Any:
    if node.kind == "terminal":
        return terminal([int(x) for x in rng.integers(-9, 10, size=len(players))])
    kids = [_build(c, rng, players) for c in node.children]
    if node.kind == "chance":
        p = float(np.round(rng.uniform(0.2, 0.8), 2))
        return chance({"c0": (p, kids[0]), "c1": (round(1 - p, 2), kids[1])})
    return decision(players[node.player], {f"a{a}": k for a, k in enumerate(kids)}, infoset=node.infoset)


def random_tree(n_players: int, infosets: int, seed: int, *, recall: bool = True) -> ExtensiveFormGame:
    """A seeded random tree of ``n_players`` with roughly ``infosets`` information sets.

    With ``recall=True`` (the default) the tree has perfect recall; with ``recall=False``
    nodes whose mover's own histories differ may share a set (imperfect recall, usually).
    """
    rng = np.random.default_rng([seed, n_players, infosets, int(recall)])
    root, decisions = _grow(rng, n_players, max(2, int(infosets * 1.19)))
    _group_by_names(rng, root, decisions, recall)
    players = [f"P{i + 1}" for i in range(n_players)]
    return ExtensiveFormGame(_build(root, rng, players), players=players,
                             title=f"random tree {n_players} players seed {seed}")


def _group_by_names(rng: np.random.Generator, root: _Spec, decisions: list[_Spec], recall: bool) -> None:
    """Name the information sets, top down: nodes of one player at one depth with as many actions,
    and (with ``recall``) the same own history of set names and actions, share sets of 1 to 3."""
    name_of: dict[int, str] = {}
    depth: dict[int, int] = {}
    stack = [(root, 0)]
    while stack:
        n, dep = stack.pop()
        depth[id(n)] = dep
        stack.extend((c, dep + 1) for c in n.children)
    count = 0
    for dep in sorted({depth[id(d)] for d in decisions}):
        level = [d for d in decisions if depth[id(d)] == dep]
        groups: dict[Any, list[_Spec]] = {}
        for d in level:
            key = _history_key(d, name_of) if recall else ()
            groups.setdefault((d.player, d.arity, key), []).append(d)
        for members in groups.values():
            order = rng.permutation(len(members))
            k = 0
            while k < len(order):
                size = int(rng.integers(1, 4))
                for m in order[k:k + size]:
                    members[m].infoset = f"h{count}"
                    name_of[id(members[m])] = f"h{count}"
                count += 1
                k += size


def jury_voting(jurors: int, *, prior: float = 0.5, accuracy: float = 0.7,
                q: float = 0.5) -> ExtensiveFormGame:
    """Feddersen–Pesendorfer jury voting under unanimity, as a tree.

    Parameters
    ----------
    jurors
        Number of jurors (players).
    prior
        Probability that the defendant is guilty.
    accuracy
        Probability that a juror's signal matches the truth.
    q
        Threshold of reasonable doubt: convicting an innocent costs ``q``, acquitting a
        guilty defendant ``1 - q`` (to every juror).
    """
    players = [f"J{j + 1}" for j in range(jurors)]

    def votes(state: str, signals: tuple[str, ...], j: int, cast: tuple[str, ...]) -> Any:
        if j == jurors:
            convict = all(v == "C" for v in cast)
            if state == "guilty":
                u = 0.0 if convict else -(1 - q)
            else:
                u = -q if convict else 0.0
            return terminal([u] * jurors)
        return decision(players[j], {v: votes(state, signals, j + 1, (*cast, v)) for v in ("C", "A")},
                        infoset=f"{players[j]}:{signals[j]}")

    def after_signals(state: str) -> Any:
        right = "g" if state == "guilty" else "i"
        wrong = "i" if state == "guilty" else "g"
        branches = {}
        for sig in itertools.product((right, wrong), repeat=jurors):
            p = float(np.prod([accuracy if s == right else 1 - accuracy for s in sig]))
            branches["".join(sig)] = (p, votes(state, sig, 0, ()))
        return chance(branches)

    root = chance({"guilty": (prior, after_signals("guilty")),
                   "innocent": (1 - prior, after_signals("innocent"))})
    return ExtensiveFormGame(root, players=players, title=f"jury voting, {jurors} jurors (unanimity)")


def signalling_game(seed: int, types: int = 2, messages: int = 2, responses: int = 2,
                    payoff_range: int = 3, zero_type: bool = False) -> ExtensiveFormGame:
    """A seeded random signalling game with small integer payoffs (ties are common).

    Parameters
    ----------
    seed
        Seed of the prior and the payoffs.
    types, messages, responses
        Numbers of sender types (Nature's draw), messages (sender's actions, set ``S<t>``
        per type) and responses (receiver's actions, set ``R<m>`` per message).
    payoff_range
        Payoffs of both players are integers in ``[0, payoff_range)``.
    zero_type
        Give type 0 prior probability 0 (its set is reached by no profile).
    """
    rng = np.random.default_rng([seed, types, messages, responses, payoff_range, int(zero_type)])
    weights = rng.integers(1, 5, types)
    if zero_type:
        weights[0] = 0
    branches = {}
    for t in range(types):
        sends = {}
        for m in range(messages):
            answers = {f"r{a}": terminal([int(x) for x in rng.integers(0, payoff_range, 2)])
                       for a in range(responses)}
            sends[f"m{m}"] = decision("R", answers, infoset=f"R{m}")
        prior = Fraction(int(weights[t]), int(weights.sum()))
        branches[f"t{t}"] = (prior, decision("S", sends, infoset=f"S{t}"))
    return ExtensiveFormGame(chance(branches), players=["S", "R"],
                             title=f"random signalling game seed {seed}")
