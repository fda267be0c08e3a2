"""Extensive-form games: decision, chance and terminal nodes, information sets, outcome labels.

A game is built from a tree of builder nodes (:mod:`deterrence.game.tree`) and flattened
into arrays in preorder, so that realisation probabilities, expected payoffs, beliefs and
outcome probabilities of any behaviour profile are cheap to compute.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import GameError
from ..outcomes import OUTCOMES
from .tree import ChanceNode, DecisionNode, Node, TerminalNode

Behaviour = list[np.ndarray]
"""A behaviour profile: one probability vector per information set (``game.infosets`` order)."""

DECISION, CHANCE, TERMINAL = "decision", "chance", "terminal"


@dataclass(frozen=True)
class NodeInfo:
    """One node of a flattened tree (all indices are into the game's arrays)."""

    index: int
    kind: str  # "decision" | "chance" | "terminal"
    parent: int  # -1 for the root
    action: int  # index of the action at the parent that leads here (-1 for the root)
    children: tuple[int, ...]
    player: int  # player index for decision nodes, -1 otherwise
    infoset: int  # infoset index for decision nodes, chance-infoset index for chance nodes, -1 for terminals
    path: str  # e.g. "attack/resist"; "root" for the root
    label: str | None
    end: int  # preorder index one past the last node of this subtree


@dataclass(frozen=True)
class InfoSet:
    """An information set: a player, its actions, the nodes it holds."""

    index: int
    player: int
    name: str
    actions: tuple[str, ...]
    nodes: tuple[int, ...]


@dataclass(frozen=True)
class ChanceInfo:
    """A chance move (possibly shared by several chance nodes, as in Gambit)."""

    index: int
    name: str
    actions: tuple[str, ...]
    probs: tuple[Any, ...]  # as given: int, float or Fraction
    nodes: tuple[int, ...]


def _show(x: Any) -> str:
    """A number for a message; integers beyond the float range are described, not printed."""
    if isinstance(x, int) and not isinstance(x, bool) and x.bit_length() > 1024:
        return f"an integer with about {int(x.bit_length() * 0.30103)} digits (beyond the float range)"
    return str(x)


def _finite(x: Any) -> bool:
    """True if ``x`` is a finite number that fits in a float."""
    try:
        return math.isfinite(float(x))
    except OverflowError:
        return False


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, Fraction, np.integer, np.floating)) and not isinstance(x, bool)


def _where(path: str, label: str | None) -> str:
    return f"'{label}' ({path})" if label else f"'{path}'"


def _branches(node: Any, path: str) -> list[tuple[str, Any]]:
    """The (name, child) pairs below a node (``None`` child: a chance branch that is not a pair)."""
    if isinstance(node, DecisionNode):
        return list(node.actions.items())
    if isinstance(node, ChanceNode):
        return [(k, v[1] if isinstance(v, tuple) and len(v) == 2 else None) for k, v in node.branches.items()]
    return []


def _preorder(root: Node) -> tuple[list[tuple[Any, int, int, str]], dict[int, list[int]]]:
    """The nodes in preorder as ``(node, parent, action, path)``, and each node's children.

    Iterative, with an explicit stack, so deep trees do not hit the recursion limit.

    Raises
    ------
    GameError
        A value that is not a node, a node reachable twice, a chance branch that is not a
        ``(probability, subtree)`` pair.
    """
    seen: set[int] = set()
    children_of: dict[int, list[int]] = {}
    order_nodes: list[tuple[Any, int, int, str]] = []
    stack: list[tuple[Any, int, int, str]] = [(root, -1, -1, "root")]
    while stack:
        node, parent, action, path = stack.pop()
        if not isinstance(node, (TerminalNode, DecisionNode, ChanceNode)):
            raise GameError(
                f"expected a decision, chance or terminal node, got {type(node).__name__}", node=path
            )
        if id(node) in seen:
            raise GameError(
                "node is reachable twice (a tree node may appear only once; build a fresh "
                "subtree for each branch)",
                node=_where(path, getattr(node, "label", None)),
            )
        seen.add(id(node))
        idx = len(order_nodes)
        order_nodes.append((node, parent, action, path))
        if parent >= 0:
            children_of.setdefault(parent, []).append(idx)
        for a, (name, child) in reversed(list(enumerate(_branches(node, path)))):
            child_path = name if path == "root" else f"{path}/{name}"
            if child is None:
                raise GameError(
                    f"branch '{name}' must be a (probability, subtree) pair", node=_where(path, node.label)
                )
            stack.append((child, idx, a, child_path))
    return order_nodes, children_of


def _subtree_ends(n: int, children_of: dict[int, list[int]]) -> list[int]:
    """For each node in preorder, one past the index of its last descendant."""
    ends = [0] * n
    for idx in range(n - 1, -1, -1):
        kids = children_of.get(idx, [])
        ends[idx] = ends[kids[-1]] if kids else idx + 1
    return ends


def _exact_total_is_one(probs: tuple[Any, ...]) -> bool | None:
    """Whether ints and Fractions sum to exactly one, by integer arithmetic over the common
    denominator (much faster than adding Fractions); ``None`` if some value is of another type."""
    nums, dens = [], []
    for p in probs:
        t = type(p)
        if t is int:
            nums.append(p)
            dens.append(1)
        elif t is Fraction:
            nums.append(p.numerator)
            dens.append(p.denominator)
        else:
            return None
    common = math.lcm(*dens)
    return sum(n * (common // d) for n, d in zip(nums, dens, strict=True)) == common


def _check_chance_probabilities(acts: tuple[str, ...], probs: tuple[Any, ...], where: str) -> None:
    """Raise GameError unless the probabilities are finite numbers in ``[0, 1]`` summing to one."""
    if _exact_total_is_one(probs) and all(0 <= p.numerator <= p.denominator for p in probs):
        return  # exact probabilities in [0, 1] summing to one (ints are Rationals too)
    for a, p in zip(acts, probs, strict=True):
        if not _is_number(p):
            raise GameError(f"probability of branch '{a}' is not a number: {p!r}", node=where)
        if not _finite(p):
            raise GameError(f"probability of branch '{a}' is not finite: {_show(p)}", node=where)
        if p < 0 or p > 1:
            raise GameError(f"probability of branch '{a}' is {p}, outside [0, 1]", node=where)
    total = sum(probs)
    exact = all(isinstance(p, (int, Fraction, np.integer)) for p in probs)
    if (exact and total != 1) or (not exact and abs(float(total) - 1.0) > 1e-9):
        raise GameError(f"chance probabilities sum to {float(total):.12g}, not 1", node=where)


class _Flattener:
    """Collects the flat tables of a tree node by node (in preorder), checking each node."""

    def __init__(self, declared: list[str] | None, found: list[str], check_labels: bool) -> None:
        self.declared, self.found, self.check_labels = declared, found, check_labels
        self.nodes: list[NodeInfo] = []
        self.infoset_map: dict[tuple[str, str], list[int]] = {}
        self.infoset_order: list[tuple[str, str]] = []
        self.infoset_index: dict[tuple[str, str], int] = {}
        self.name_owner: dict[str, str] = {}  # an information set name -> the first player using it
        self.infoset_meta: dict[tuple[str, str], tuple[str, tuple[str, ...], str]] = {}
        self.chance_map: dict[str, list[int]] = {}
        self.chance_order: list[str] = []
        self.chance_index: dict[str, int] = {}
        self.chance_meta: dict[str, tuple[tuple[str, ...], tuple[Any, ...], str]] = {}
        self.terminal_payoffs: list[Any] = []
        self.terminal_outcomes: list[tuple[str, ...]] = []
        self.terminal_names: list[str | None] = []
        self.terminal_of_node: dict[int, int] = {}
        self.player_index: dict[str, int] = {p: i for i, p in enumerate(declared)} if declared else {}

    def add(self, idx: int, node: Any, parent: int, action: int, path: str, kids: tuple[int, ...],
            end: int) -> None:
        """Check node ``idx`` and record it."""
        where = _where(path, node.label)
        if isinstance(node, DecisionNode):
            player, infoset = self._decision(idx, node, path, where)
            kind = DECISION
        elif isinstance(node, ChanceNode):
            player, infoset = -1, self._chance(idx, node, path, where)
            kind = CHANCE
        else:
            self._terminal(idx, node, where)
            player, infoset, kind, kids = -1, -1, TERMINAL, ()
        info = object.__new__(NodeInfo)  # the frozen dataclass's fields, without its per-field setattr
        info.__dict__.update(index=idx, kind=kind, parent=parent, action=action, children=kids, player=player,
                             infoset=infoset, path=path, label=node.label, end=end)
        self.nodes.append(info)

    def _player(self, pname: str, where: str) -> int:
        if pname not in self.player_index:
            if self.declared is not None:
                raise GameError(
                    f"player '{pname}' is not one of the game's players {self.declared}", node=where
                )
            self.player_index[pname] = len(self.found)
            self.found.append(pname)
        return self.player_index[pname]

    def _decision(self, idx: int, node: DecisionNode, path: str, where: str) -> tuple[int, int]:
        """The player's index and the information set's index of a decision node."""
        if not node.actions:
            raise GameError("decision node has no actions", node=where)
        pname = node.player
        pl = self._player(pname, where)
        iname = node.infoset if node.infoset is not None else f"{pname}@{path}"
        key = (pname, iname)
        acts = tuple(str(a) for a in node.actions)
        if len(set(acts)) != len(acts):
            raise GameError(f"duplicate action names {acts}", node=where)
        if node.infoset is not None:
            other = self.name_owner.get(iname, pname)
            if other != pname:
                raise GameError(
                    f"nodes of information set '{iname}' belong to different players "
                    f"('{other}' and '{pname}')",
                    infoset=iname,
                    node=where,
                )
        if key in self.infoset_meta:
            if self.infoset_meta[key][1] != acts:
                raise GameError(
                    f"nodes of information set '{iname}' offer different actions "
                    f"{list(self.infoset_meta[key][1])} and {list(acts)}",
                    infoset=iname,
                    node=where,
                )
        else:
            self.infoset_meta[key] = (pname, acts, iname)
            self.name_owner.setdefault(iname, pname)
            self.infoset_index[key] = len(self.infoset_order)
            self.infoset_order.append(key)
            self.infoset_map[key] = []
        self.infoset_map[key].append(idx)
        return pl, self.infoset_index[key]

    def _chance(self, idx: int, node: ChanceNode, path: str, where: str) -> int:
        """The chance set's index of a chance node."""
        if not node.branches:
            raise GameError("chance node has no branches", node=where)
        acts = tuple(str(a) for a in node.branches)
        probs = tuple(v[0] for v in node.branches.values())
        _check_chance_probabilities(acts, probs, where)
        cname = node.infoset if node.infoset is not None else f"chance@{path}"
        if cname in self.chance_meta:
            if self.chance_meta[cname][0] != acts or self.chance_meta[cname][1] != probs:
                raise GameError(
                    f"chance nodes of set '{cname}' differ in actions or probabilities", node=where
                )
        else:
            self.chance_meta[cname] = (acts, probs, cname)
            self.chance_index[cname] = len(self.chance_order)
            self.chance_order.append(cname)
            self.chance_map[cname] = []
        self.chance_map[cname].append(idx)
        return self.chance_index[cname]

    def _terminal(self, idx: int, node: TerminalNode, where: str) -> None:
        for lab in node.outcome:
            if self.check_labels and lab not in OUTCOMES:
                raise GameError(
                    f"outcome label '{lab}' is not in the vocabulary {sorted(OUTCOMES)}", node=where
                )
        self.terminal_of_node[idx] = len(self.terminal_payoffs)
        self.terminal_payoffs.append((node.payoffs, where))
        self.terminal_outcomes.append(tuple(node.outcome))
        self.terminal_names.append(node.name)

    def infosets(self) -> tuple[InfoSet, ...]:
        meta = self.infoset_meta
        return tuple(
            InfoSet(
                k, self.player_index[meta[key][0]], meta[key][2], meta[key][1], tuple(self.infoset_map[key])
            )
            for k, key in enumerate(self.infoset_order)
        )

    def chance_infos(self) -> tuple[ChanceInfo, ...]:
        meta = self.chance_meta
        return tuple(
            ChanceInfo(k, name, meta[name][0], meta[name][1], tuple(self.chance_map[name]))
            for k, name in enumerate(self.chance_order)
        )


class ExtensiveFormGame:
    """A finite extensive-form game.

    Parameters
    ----------
    root
        The root of a tree built with :func:`~deterrence.game.tree.decision`,
        :func:`~deterrence.game.tree.chance` and :func:`~deterrence.game.tree.terminal`.
    players
        Player names in order. Default: the order in which players first appear.
    title
        A human-readable title.
    check_labels
        Check that every outcome label is in the vocabulary (``deterrence.outcomes``).

    Raises
    ------
    GameError
        For a node reachable twice, a cycle, a decision node without actions, chance
        probabilities that are not finite, negative or do not sum to one, payoffs that are
        not finite, an unknown player, an outcome label outside the vocabulary, or an
        information set whose nodes belong to different players or offer different actions.
    """

    kind = "extensive"

    def __init__(
        self,
        root: Node,
        players: Sequence[str] | None = None,
        title: str = "",
        *,
        check_labels: bool = True,
    ) -> None:
        self.title = title
        self.root_node = root
        declared = list(players) if players is not None else None
        if declared is not None and len(set(declared)) != len(declared):
            raise GameError(f"player names must be distinct: {declared}")
        found: list[str] = []
        self._flatten(root, declared, found, check_labels)
        self.players: tuple[str, ...] = tuple(declared if declared is not None else found)
        self._finish()

    # ------------------------------------------------------------------ construction
    def _flatten(self, root: Node, declared: list[str] | None, found: list[str], check_labels: bool) -> None:
        flat = _Flattener(declared, found, check_labels)
        order, children = _preorder(root)
        ends = _subtree_ends(len(order), children)
        for idx, (node, parent, action, path) in enumerate(order):
            flat.add(idx, node, parent, action, path, tuple(children.get(idx, [])), ends[idx])
        self.nodes: tuple[NodeInfo, ...] = tuple(flat.nodes)
        self.infosets: tuple[InfoSet, ...] = flat.infosets()
        self.chance_infos: tuple[ChanceInfo, ...] = flat.chance_infos()
        self._raw_payoffs = flat.terminal_payoffs
        self.terminal_outcomes: tuple[tuple[str, ...], ...] = tuple(flat.terminal_outcomes)
        self.terminal_names: tuple[str | None, ...] = tuple(flat.terminal_names)
        self.terminals: tuple[int, ...] = tuple(sorted(flat.terminal_of_node))
        self._terminal_of_node = flat.terminal_of_node

    def _finish(self) -> None:
        nplayers = len(self.players)
        index = {p: i for i, p in enumerate(self.players)}
        values: list[tuple[Any, ...]] = []
        for raw, where in self._raw_payoffs:
            if isinstance(raw, Mapping):
                unknown = [k for k in raw if k not in index]
                if unknown:
                    raise GameError(
                        f"payoff for unknown player(s) {unknown}; players are {list(self.players)}",
                        node=where,
                    )
                missing = [p for p in self.players if p not in raw]
                if missing:
                    raise GameError(f"no payoff for player(s) {missing}", node=where)
                row = tuple(raw[p] for p in self.players)
            else:
                row = tuple(raw)
                if len(row) != nplayers:
                    raise GameError(f"{len(row)} payoffs given for {nplayers} players", node=where)
            for p, v in zip(self.players, row, strict=True):
                if not _is_number(v):
                    raise GameError(f"payoff of '{p}' is not a number: {v!r}", node=where)
                if not _finite(v):
                    raise GameError(f"payoff of '{p}' is not finite: {_show(v)}", node=where)
            values.append(row)
        del self._raw_payoffs
        self.payoff_values: tuple[tuple[Any, ...], ...] = tuple(values)
        self.payoffs = np.array([[float(v) for v in row] for row in values], dtype=float).reshape(
            -1, nplayers
        )
        self.payoffs.setflags(write=False)
        # edge table for vectorised realisation probabilities
        n = len(self.nodes)
        self._parent = np.array([nd.parent for nd in self.nodes], dtype=np.int64)
        self._terminal_idx = np.array(self.terminals, dtype=np.int64)
        self._chance_prob = np.ones(n)
        self._edge_infoset = np.full(n, -1, dtype=np.int64)
        self._edge_action = np.full(n, -1, dtype=np.int64)
        for nd in self.nodes:
            if nd.parent < 0:
                continue
            par = self.nodes[nd.parent]
            if par.kind == CHANCE:
                self._chance_prob[nd.index] = float(self.chance_infos[par.infoset].probs[nd.action])
            else:
                self._edge_infoset[nd.index] = par.infoset
                self._edge_action[nd.index] = nd.action
        self._action_counts = [len(h.actions) for h in self.infosets]
        offsets = np.cumsum([0, *self._action_counts])
        self._action_offset = offsets
        flat = np.full(n, -1, dtype=np.int64)
        mask = self._edge_infoset >= 0
        flat[mask] = offsets[self._edge_infoset[mask]] + self._edge_action[mask]
        self._edge_flat = flat
        self._decision_edge = mask
        # depth levels, so realisation probabilities need one numpy op per level
        depth = np.zeros(n, dtype=np.int64)
        for nd in self.nodes[1:]:
            depth[nd.index] = depth[nd.parent] + 1
        self._levels = [np.flatnonzero(depth == d) for d in range(1, int(depth.max()) + 1)] if n > 1 else []
        for p_i in range(nplayers):
            if not any(h.player == p_i for h in self.infosets):
                pass  # a player without moves is allowed (payoff-only player)

    # ------------------------------------------------------------------ basic facts
    @property
    def num_players(self) -> int:
        """Number of players (Nature not counted)."""
        return len(self.players)

    @property
    def root(self) -> int:
        """Index of the root node (always 0)."""
        return 0

    def infosets_of(self, player: int) -> list[InfoSet]:
        """The information sets of a player, in game order."""
        return [h for h in self.infosets if h.player == player]

    def infoset_by_name(self, name: str) -> InfoSet:
        """Look up an information set by name."""
        for h in self.infosets:
            if h.name == name:
                return h
        raise GameError(f"no information set named '{name}'", infoset=name)

    def terminal_index(self, node: int) -> int:
        """Row of ``payoffs`` for a terminal node."""
        return self._terminal_of_node[node]

    def is_perfect_information(self) -> bool:
        """True if every information set holds one node."""
        return all(len(h.nodes) == 1 for h in self.infosets)

    def has_perfect_recall(self) -> bool:
        """True if every player remembers its own earlier information sets and actions."""
        for h in self.infosets:
            seqs = {self.own_sequence(v, h.player) for v in h.nodes}
            if len(seqs) != 1:
                return False
        return True

    def own_sequence(self, node: int, player: int) -> tuple[tuple[int, int], ...]:
        """The player's own (infoset, action) pairs on the path from the root to ``node``."""
        seq = []
        cur = node
        while self.nodes[cur].parent >= 0:
            par = self.nodes[self.nodes[cur].parent]
            if par.kind == DECISION and par.player == player:
                seq.append((par.infoset, self.nodes[cur].action))
            cur = par.index
        return tuple(reversed(seq))

    def subgame_roots(self) -> list[int]:
        """Nodes that root a proper subgame (or the whole game), in preorder."""
        roots = []
        for nd in self.nodes:
            if nd.kind == TERMINAL:
                continue
            lo, hi = nd.index, nd.end
            ok = True
            for v in range(lo, hi):
                w = self.nodes[v]
                if w.kind == DECISION:
                    if any(u < lo or u >= hi for u in self.infosets[w.infoset].nodes):
                        ok = False
                        break
                elif w.kind == CHANCE:
                    if any(u < lo or u >= hi for u in self.chance_infos[w.infoset].nodes):
                        ok = False
                        break
            if ok:
                roots.append(nd.index)
        return roots

    def __repr__(self) -> str:
        title = f" {self.title!r}" if self.title else ""
        return (
            f"<ExtensiveFormGame{title} {self.num_players} players, {len(self.nodes)} nodes, "
            f"{len(self.infosets)} information sets>"
        )

    # ------------------------------------------------------------------ profiles
    def uniform_behaviour(self) -> Behaviour:
        """The behaviour profile that mixes uniformly at every information set."""
        return [np.full(len(h.actions), 1.0 / len(h.actions)) for h in self.infosets]

    def behaviour_from_mapping(self, mapping: Mapping[str, Mapping[str, Mapping[str, float]]]) -> Behaviour:
        """Build a behaviour profile from ``{player: {infoset: {action: prob}}}``.

        Information sets that are not mentioned are uniform.
        """
        beh = self.uniform_behaviour()
        for h in self.infosets:
            pl = self.players[h.player]
            if pl in mapping and h.name in mapping[pl]:
                probs = mapping[pl][h.name]
                unknown = [a for a in probs if a not in h.actions]
                if unknown:
                    raise GameError(f"unknown action(s) {unknown}", infoset=h.name)
                beh[h.index] = np.array([float(probs.get(a, 0.0)) for a in h.actions])
        return self.check_behaviour(beh)

    def check_behaviour(self, behaviour: Sequence[Any], atol: float = 1e-9) -> Behaviour:
        """Validate a behaviour profile and return it as float arrays."""
        if len(behaviour) != len(self.infosets):
            raise GameError(
                f"behaviour profile has {len(behaviour)} entries, game has "
                f"{len(self.infosets)} information sets"
            )
        out = [np.asarray(b, dtype=float).reshape(-1) for b in behaviour]
        sizes = [v.size for v in out]
        if sizes == self._action_counts and out:  # the common case: every test at once
            flat = np.concatenate(out)
            sums = np.add.reduceat(flat, self._action_offset[:-1])
            if (np.isfinite(flat).all() and flat.min() >= -atol
                    and np.abs(sums - 1).max() <= max(atol, 1e-6)):
                return out
        for h, v in zip(self.infosets, out, strict=True):  # find the culprit
            if v.shape != (len(h.actions),):
                raise GameError(f"{v.size} probabilities given for {len(h.actions)} actions", infoset=h.name)
            if not np.all(np.isfinite(v)) or np.any(v < -atol) or abs(v.sum() - 1) > max(atol, 1e-6):
                raise GameError(f"not a probability vector: {v}", infoset=h.name)
        return out

    def edge_probabilities(self, behaviour: Behaviour) -> np.ndarray:
        """Probability of the move leading into each node (1 for the root)."""
        flat = np.concatenate([np.asarray(b, dtype=float) for b in behaviour]) if behaviour else np.zeros(0)
        probs = self._chance_prob.copy()
        probs[self._decision_edge] = flat[self._edge_flat[self._decision_edge]]
        return probs

    def realization_probabilities(self, behaviour: Behaviour) -> np.ndarray:
        """Probability of reaching each node under a behaviour profile."""
        edge = self.edge_probabilities(behaviour)
        reach = np.ones(len(self.nodes))
        for level in self._levels:
            reach[level] = reach[self._parent[level]] * edge[level]
        return reach

    def terminal_probabilities(self, behaviour: Behaviour, reach: np.ndarray | None = None) -> np.ndarray:
        """Probability of each terminal node (rows of ``payoffs``).

        ``reach``: the profile's :meth:`realization_probabilities` if already computed (here and
        in the methods below).
        """
        if reach is None:
            reach = self.realization_probabilities(behaviour)
        return reach[self._terminal_idx]

    def expected_payoffs(self, behaviour: Behaviour, reach: np.ndarray | None = None) -> np.ndarray:
        """Expected payoff of every player under a behaviour profile."""
        return self.terminal_probabilities(behaviour, reach) @ self.payoffs

    def outcome_probabilities(self, behaviour: Behaviour, reach: np.ndarray | None = None
                              ) -> dict[str, float]:
        """Probability of each outcome label that appears in the game."""
        probs = self.terminal_probabilities(behaviour, reach)
        out: dict[str, float] = {}
        for p, labels in zip(probs.tolist(), self.terminal_outcomes, strict=True):
            for lab in labels:
                out[lab] = out.get(lab, 0.0) + p
        return out

    def beliefs(self, behaviour: Behaviour, reach: np.ndarray | None = None) -> list[np.ndarray | None]:
        """Bayes beliefs at each information set (``None`` where the set is reached with probability 0)."""
        if reach is None:
            reach = self.realization_probabilities(behaviour)
        out: list[np.ndarray | None] = []
        for h in self.infosets:
            r = reach[list(h.nodes)]
            s = r.sum()
            out.append(r / s if s > 0 else None)
        return out

    def node_values(self, behaviour: Behaviour) -> np.ndarray:
        """Expected payoff vector at every node (conditional on reaching it), shape ``(nodes, N)``."""
        edge = self.edge_probabilities(behaviour)
        val = np.zeros((len(self.nodes), self.num_players))
        val[self._terminal_idx] = self.payoffs
        for level in reversed(self._levels):
            np.add.at(val, self._parent[level], edge[level][:, None] * val[level])
        return val

    def labelled(self, behaviour: Behaviour) -> dict[str, dict[str, dict[str, float]]]:
        """A behaviour profile as ``{player: {infoset: {action: prob}}}``."""
        out: dict[str, dict[str, dict[str, float]]] = {p: {} for p in self.players}
        for h, b in zip(self.infosets, behaviour, strict=True):
            out[self.players[h.player]][h.name] = {a: float(x) for a, x in zip(h.actions, b, strict=True)}
        return out
