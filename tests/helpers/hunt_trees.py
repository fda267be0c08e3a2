"""Random N-player trees of awkward shapes, and a regret oracle that shares no code with the library.

* :func:`hunt_tree` makes a seeded random tree as plain nested tuples (:class:`Tree`): 2 to 5
  players, integer payoffs in a small range (ties) or spread out, chance moves with
  zero-probability branches, single-action information sets, deep chains of moves; with
  perfect recall (a set holds only nodes where its mover's own history of sets and actions
  is the same) or without (sets merge nodes of one player whatever their histories, never a
  node with one of its ancestors: no absent-mindedness).
* :meth:`Tree.game` builds the library's tree from it; :meth:`Tree.efg` writes Gambit's .efg
  text of it directly (not through the library's writer), for pygambit.
* :func:`regrets` computes, from the nested tuples alone, every player's largest gain from a
  pure deviation: at one information set alone (agent form), and over whole behaviour
  strategies (pure behaviour strategies enumerated when there are few, else a best response
  by backward induction over the player's own sets, which perfect recall makes exact).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

#: a node: ("T", payoffs) | ("C", ((prob, child), ...)) | ("D", player, set name, (child, ...))
Node = tuple


@dataclass
class Tree:
    """A random tree as nested tuples, its information sets and its players."""

    root: Node
    players: int
    sets: dict[str, tuple[int, int]]  # name -> (player, number of actions), in order of creation
    recall: bool
    notes: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ the library's game
    def game(self) -> Any:
        """The same tree as a :class:`deterrence.ExtensiveFormGame` (actions ``a0``, ``a1``, ...)."""
        from deterrence.game import ExtensiveFormGame, chance, decision, terminal

        names = [f"P{i + 1}" for i in range(self.players)]

        def build(node: Node) -> Any:
            if node[0] == "T":
                return terminal(list(node[1]))
            if node[0] == "C":
                return chance({f"c{k}": (p, build(child)) for k, (p, child) in enumerate(node[1])})
            _, player, name, kids = node
            return decision(names[player], {f"a{k}": build(c) for k, c in enumerate(kids)}, infoset=name)

        return ExtensiveFormGame(build(self.root), players=names)

    # ------------------------------------------------------------------ Gambit's text
    def efg(self) -> str:
        """Gambit's .efg text of the tree (set labels are the set names)."""
        numbers: dict[str, int] = {}
        per_player = [0] * self.players
        for name, (player, _) in self.sets.items():
            per_player[player] += 1
            numbers[name] = per_player[player]
        lines = ['EFG 2 R "hunt" { ' + " ".join(f'"P{i + 1}"' for i in range(self.players)) + " }", '""']
        outcome = itertools.count(1)
        chance_set = itertools.count(1)

        def write(node: Node) -> None:
            if node[0] == "T":
                pays = ", ".join(str(x) for x in node[1])
                lines.append(f't "" {next(outcome)} "" {{ {pays} }}')
                return
            if node[0] == "C":
                acts = " ".join(f'"c{k}" {Fraction(p)}' for k, (p, _) in enumerate(node[1]))
                lines.append(f'c "" {next(chance_set)} "" {{ {acts} }} 0')
                for _, child in node[1]:
                    write(child)
                return
            _, player, name, kids = node
            acts = "{ " + " ".join(f'"a{k}"' for k in range(len(kids))) + " } "
            lines.append(f'p "" {player + 1} {numbers[name]} "{name}" {acts}0')
            for child in kids:
                write(child)

        write(self.root)
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- the generator
@dataclass
class _Open:
    """A node under construction: what it is, and where its children go."""

    kind: str
    player: int = -1
    arity: int = 0
    probs: tuple[Fraction, ...] = ()
    payoffs: tuple[int, ...] = ()
    history: tuple = ()  # own (set name, action) pairs per player, as a tuple of tuples
    ancestors: frozenset = frozenset()
    name: str = ""
    kids: list[_Open] = field(default_factory=list)
    ident: int = 0


def hunt_tree(seed: int, players: int, decisions: int, *, recall: bool = True, payoff_range: int = 3,
              p_chance: float = 0.12, p_single: float = 0.1, p_chain: float = 0.05,
              max_set: int = 3) -> Tree:
    """A seeded random tree with about ``decisions`` decision nodes (see the module's notes).

    Parameters
    ----------
    seed, players, decisions
        Seed, number of players, decision nodes wanted (the sets are fewer: they hold 1 to
        ``max_set`` nodes).
    recall
        Perfect recall (True) or sets merged regardless of the movers' histories (False).
    payoff_range
        Payoffs are integers in ``[0, payoff_range)``: 2 or 3 make many ties.
    p_chance, p_single, p_chain
        Chances of a chance move (often with a zero-probability branch), of a single-action
        set, and of starting a chain of 6 to 20 moves of one or two actions.
    max_set
        Most nodes in one information set.
    """
    rng = np.random.default_rng([seed, players, decisions, int(recall), payoff_range])
    counter = itertools.count()
    made = 0
    root = _decision_spec(rng, players, p_single, next(counter))
    made += 1
    frontier = [root]
    chain_left = 0
    while frontier:
        node = frontier.pop(0)
        for _ in range(node.arity):
            if made >= decisions or (rng.random() < 0.1 and chain_left == 0):
                child = _Open("T", payoffs=tuple(int(x) for x in rng.integers(0, payoff_range, players)),
                              ident=next(counter))
            elif rng.random() < p_chance:
                child = _chance_spec(rng, next(counter))
            else:
                if chain_left == 0 and rng.random() < p_chain:
                    chain_left = int(rng.integers(6, 21))
                child = _decision_spec(rng, players, p_single if chain_left == 0 else 0.5, next(counter))
                made += 1
                chain_left = max(0, chain_left - 1)
            node.kids.append(child)
            frontier.append(child)
    sets = _name_sets(rng, root, players, recall, max_set)
    return Tree(_freeze(root), players, sets, recall)


def _decision_spec(rng: np.random.Generator, players: int, p_single: float, ident: int) -> _Open:
    arity = 1 if rng.random() < p_single else int(rng.integers(2, 4))
    return _Open("D", player=int(rng.integers(players)), arity=arity, ident=ident)


def _chance_spec(rng: np.random.Generator, ident: int) -> _Open:
    arity = int(rng.integers(2, 4))
    weights = [int(x) for x in rng.integers(1, 5, arity)]
    if rng.random() < 0.5:  # a branch that is never taken
        weights[int(rng.integers(arity))] = 0
    total = sum(weights)
    return _Open("C", arity=arity, probs=tuple(Fraction(w, total) for w in weights), ident=ident)


def _name_sets(rng: np.random.Generator, root: _Open, players: int, recall: bool,
               max_set: int) -> dict[str, tuple[int, int]]:
    """Give every decision node a set, breadth first (so a node's ancestors have theirs)."""
    sets: dict[str, tuple[int, int]] = {}
    members: dict[str, list[_Open]] = {}
    open_sets: dict[tuple, list[str]] = {}
    root.history = tuple(() for _ in range(players))
    queue = [root]
    while queue:
        node = queue.pop(0)
        if node.kind == "D":
            key = (node.player, node.arity, node.history[node.player] if recall else ())
            choices = [s for s in open_sets.get(key, []) if len(members[s]) < max_set
                       and not any(m.ident in node.ancestors for m in members[s])]
            if choices and rng.random() < 0.6:
                name = choices[int(rng.integers(len(choices)))]
            else:
                name = f"h{len(sets)}"
                sets[name] = (node.player, node.arity)
                members[name] = []
                open_sets.setdefault(key, []).append(name)
            node.name = name
            members[name].append(node)
        for a, child in enumerate(node.kids):
            hist = list(node.history)
            if node.kind == "D":
                hist[node.player] = (*hist[node.player], (node.name, a))
            child.history = tuple(hist)
            child.ancestors = node.ancestors | {node.ident}
            queue.append(child)
    return sets


def _freeze(node: _Open) -> Node:
    if node.kind == "T":
        return ("T", node.payoffs)
    if node.kind == "C":
        return ("C", tuple((p, _freeze(c)) for p, c in zip(node.probs, node.kids, strict=True)))
    return ("D", node.player, node.name, tuple(_freeze(c) for c in node.kids))


# ---------------------------------------------------------------------------- the regret oracle
Profile = Mapping[str, Sequence[float]]  # set name -> probabilities of its actions


def expected(node: Node, profile: Profile, player: int, fixed: Mapping[str, int] | None = None) -> float:
    """``player``'s expected payoff below ``node``; sets in ``fixed`` play that action for sure."""
    fixed = fixed or {}
    kind = node[0]
    if kind == "T":
        return float(node[1][player])
    if kind == "C":
        return sum(float(p) * expected(c, profile, player, fixed) for p, c in node[1] if p > 0)
    _, _, name, kids = node
    if name in fixed:
        return expected(kids[fixed[name]], profile, player, fixed)
    pairs = zip(profile[name], kids, strict=True)
    return sum(float(q) * expected(c, profile, player, fixed) for q, c in pairs if q > 0)


@dataclass
class Regrets:
    """Each player's largest gain from a pure deviation: at one set alone, and over whole strategies."""

    values: list[float]
    agent: list[float]
    nash: list[float | None]  # None: too many pure strategies to enumerate without perfect recall

    @property
    def max_agent(self) -> float:
        return max(self.agent, default=0.0)

    @property
    def max_nash(self) -> float | None:
        if any(r is None for r in self.nash):
            return None
        return max((r for r in self.nash if r is not None), default=0.0)


def regrets(tree: Tree, profile: Profile, *, enumerate_up_to: int = 4096) -> Regrets:
    """Every player's regret of ``profile`` on ``tree``, by brute force (see the module's notes)."""
    values = [expected(tree.root, profile, i) for i in range(tree.players)]
    agent = [0.0] * tree.players
    for name, (player, arity) in tree.sets.items():
        for a in range(arity):
            gain = expected(tree.root, profile, player, {name: a}) - values[player]
            agent[player] = max(agent[player], gain)
    nash: list[float | None] = []
    for i in range(tree.players):
        own = [(n, k) for n, (p, k) in tree.sets.items() if p == i]
        count = math.prod(k for _, k in own)
        if count <= enumerate_up_to:
            best = max(expected(tree.root, profile, i, dict(zip([n for n, _ in own], acts, strict=True)))
                       for acts in itertools.product(*[range(k) for _, k in own]))
            nash.append(best - values[i])
        elif tree.recall:
            nash.append(best_response_value(tree, profile, i) - values[i])
        else:
            nash.append(None)
    return Regrets(values, agent, nash)


def best_response_value(tree: Tree, profile: Profile, player: int) -> float:
    """``player``'s best-response payoff with perfect recall: its sets decided deepest own history
    first, each by the action that maximises the others'-and-chance-weighted sum over its nodes."""
    where: dict[str, list[tuple[float, Node]]] = {}
    depth: dict[str, int] = {}

    def collect(node: Node, weight: float, own: int) -> None:
        if node[0] == "T" or weight == 0:
            return
        if node[0] == "C":
            for p, c in node[1]:
                collect(c, weight * float(p), own)
            return
        _, mover, name, kids = node
        if mover == player:
            where.setdefault(name, []).append((weight, node))
            depth[name] = own
            for c in kids:
                collect(c, weight, own + 1)
        else:
            for q, c in zip(profile[name], kids, strict=True):
                collect(c, weight * float(q), own)

    collect(tree.root, 1.0, 0)
    fixed: dict[str, int] = {}
    for name in sorted(where, key=lambda n: -depth[n]):
        nodes = where[name]
        arity = len(nodes[0][1][3])
        scores = [sum(w * expected(nd[3][a], profile, player, fixed) for w, nd in nodes)
                  for a in range(arity)]
        fixed[name] = int(np.argmax(scores))
    for name, (p, _) in tree.sets.items():  # sets never reached: any action
        if p == player and name not in fixed:
            fixed[name] = 0
    return expected(tree.root, profile, player, fixed)


def profile_of(game: Any, strategies: Sequence[Sequence[float]]) -> dict[str, list[float]]:
    """A behaviour profile of the library's game (one vector per set, in its order) by set name."""
    return {h.name: [float(x) for x in s] for h, s in zip(game.infosets, strategies, strict=True)}


def count_sets(tree: Tree) -> int:
    return len(tree.sets)


__all__ = ["Regrets", "Tree", "best_response_value", "count_sets", "expected", "hunt_tree", "profile_of",
           "regrets"]
