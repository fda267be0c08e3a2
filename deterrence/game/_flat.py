"""An extensive-form game built straight from its nodes in preorder (no builder tree on the way).

A reader that meets the nodes of a tree one after another in preorder (a Gambit ``.efg`` file
lists them so) knows everything :class:`~deterrence.game.extensive.ExtensiveFormGame` works out
from a tree of builder nodes: each node's parent, the action leading to it, its information
set. :func:`game_from_preorder` fills the game's tables from such records directly, with one
pass over the nodes, and leaves the builder tree (``game.root_node``) to be built on first use
(``ExtensiveFormGame.root_node``). It checks nothing the reader has not checked already, and declines
(returns ``None``) where the tree builder would have to judge: payoffs that are not finite
floats. The games are the same as :class:`ExtensiveFormGame` builds from the same tree
(``tests/test_flat_game.py`` compares them field by field).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .extensive import CHANCE, DECISION, TERMINAL, ChanceInfo, ExtensiveFormGame, InfoSet, NodeInfo, Paths


@dataclass
class PreorderRecords:
    """The nodes of a tree in preorder.

    ``nodes``: one ``(kind, parent, action, label, set)`` per node: kind ``"p"`` (decision),
    ``"c"`` (chance) or ``"t"`` (terminal); the parent's index (-1 for the root); the index of the
    action at the parent that leads here (-1 for the root); the node's label (``None`` for none);
    for decision and chance nodes, the key of the node's set in ``set_info`` (``None`` for
    terminals). ``payoffs`` and ``outcome_names``: the terminal nodes' payoff rows in player order
    and Gambit outcome names (``None`` for none), in preorder. ``interior``: node index ->
    ``(name, payoffs)`` of a Gambit outcome on a decision or chance node.

    ``set_info``: set key -> ``(player index or -1 for chance, name, action names, chance
    probabilities or None)``.
    """

    nodes: list[tuple[str, int, int, str | None, Any]]
    payoffs: list[tuple[Any, ...]]
    outcome_names: list[str | None]
    interior: dict[int, tuple[str, tuple[Any, ...]]]
    set_info: dict[Any, tuple[int, str, tuple[str, ...], tuple[Any, ...] | None]]


def _all_finite(rows: Sequence[Sequence[Any]]) -> bool:
    try:
        return all(math.isfinite(float(v)) for row in rows for v in row)
    except OverflowError:
        return False


def game_from_preorder(rec: PreorderRecords, players: Sequence[str], title: str) -> ExtensiveFormGame | None:
    """The game of the records, or ``None`` if some payoff is not a finite float (the tree builder
    then says what is wrong). ``game.nodes`` (and the paths) wait for their first use
    (:func:`build_nodes`): solving needs only the tables."""
    terminal_rows = rec.payoffs
    if not _all_finite(terminal_rows) or not _all_finite([p for _, p in rec.interior.values()]):
        return None
    game = object.__new__(ExtensiveFormGame)
    game.title, game.players = title, tuple(players)
    game._root_node = None
    game._own_sequences = game._recall = game._subgame_roots = game._sequence_form = None
    game.__dict__["_nodes"] = None
    game._nodes_builder = build_nodes  # game.nodes calls it on first use
    game._records = rec
    _fill_tables(game, rec)
    game.interior_outcomes = dict(rec.interior)
    game.payoff_values = tuple(terminal_rows)
    game.payoffs = np.array(terminal_rows, dtype=float).reshape(-1, len(game.players))
    game.payoffs.setflags(write=False)
    return game


def _fill_tables(game: ExtensiveFormGame, rec: PreorderRecords) -> None:
    """The game's information sets, chance sets, terminals and edge tables, in one pass."""
    n = len(rec.nodes)
    set_index: dict[Any, int] = {}
    chance_index: dict[Any, int] = {}
    members: tuple[list[list[int]], list[list[int]]] = ([], [])  # of the decision sets, the chance sets
    keys: tuple[list[Any], list[Any]] = ([], [])
    index = [-1] * n  # per node: its set (decision nodes) or chance set (chance nodes)
    parents = [-1] * n
    chance_prob, edge_infoset, edge_action, depth = [1.0] * n, [-1] * n, [-1] * n, [0] * n
    terminal_of_node: dict[int, int] = {}
    nodes, info_of = rec.nodes, rec.set_info
    for v, (kind, p, action, _, key) in enumerate(nodes):
        if p >= 0:
            parents[v], depth[v] = p, depth[p] + 1
            up = nodes[p]
            if up[0] == "c":
                chance_prob[v] = float(info_of[up[4]][3][action])
            else:
                edge_infoset[v], edge_action[v] = index[p], action
        if kind == "t":
            terminal_of_node[v] = len(terminal_of_node)
            continue
        chance = kind == "c"
        found = (chance_index if chance else set_index)
        k = found.get(key)
        if k is None:
            k = found[key] = len(keys[chance])
            keys[chance].append(key)
            members[chance].append([])
        members[chance][k].append(v)
        index[v] = k
    game._node_sets = index
    game.infosets = tuple(_frozen(InfoSet, index=k, player=info_of[key][0], name=info_of[key][1],
                                  actions=info_of[key][2], nodes=tuple(members[False][k]))
                          for k, key in enumerate(keys[False]))
    game.chance_infos = tuple(_frozen(ChanceInfo, index=k, name=info_of[key][1], actions=info_of[key][2],
                                      probs=info_of[key][3], nodes=tuple(members[True][k]))
                              for k, key in enumerate(keys[True]))
    game.terminal_outcomes = ((),) * len(terminal_of_node)
    game.terminal_names = tuple(rec.outcome_names)
    game.terminals = tuple(terminal_of_node)
    game._terminal_of_node = terminal_of_node
    game._edge_arrays(parents, chance_prob, edge_infoset, edge_action, depth)


def build_nodes(game: ExtensiveFormGame) -> tuple[NodeInfo, ...]:
    """``game.nodes`` and ``game._paths`` of a game read straight into its tables, from its records."""
    rec, index = game._records, game._node_sets
    n = len(rec.nodes)
    children: list[list[int]] = [[] for _ in range(n)]
    for v in range(1, n):
        children[rec.nodes[v][1]].append(v)
    ends = [0] * n
    for v in range(n - 1, -1, -1):
        kids = children[v]
        ends[v] = ends[kids[-1]] if kids else v + 1
    paths = Paths()
    nodes: list[NodeInfo] = []
    info_of, kind_names = rec.set_info, {"t": TERMINAL, "c": CHANCE, "p": DECISION}
    for v, (kind, parent, action, label, key) in enumerate(rec.nodes):
        paths.add(parent, "root" if parent < 0 else info_of[rec.nodes[parent][4]][2][action])
        nodes.append(_frozen(NodeInfo, index=v, kind=kind_names[kind], parent=parent, action=action,
                             children=tuple(children[v]) if kind != "t" else (),
                             player=info_of[key][0] if kind == "p" else -1, infoset=index[v],
                             label=label, end=ends[v], paths=paths))
    game._paths = paths
    game.__dict__["_nodes"] = out = tuple(nodes)
    return out


def _frozen(cls: type, **fields: Any) -> Any:
    """An instance of the frozen dataclass ``cls`` holding ``fields`` (every field), made without its
    generated ``__init__`` (which sets each field through ``object.__setattr__``)."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


__all__ = ["PreorderRecords", "build_nodes", "game_from_preorder"]
