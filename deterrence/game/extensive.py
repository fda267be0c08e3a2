"""Extensive-form games: decision, chance and terminal nodes, information sets, outcome labels.

A game is built from a tree of builder nodes (:mod:`deterrence.game.tree`) and flattened
into arrays in preorder, so that realisation probabilities, expected payoffs, beliefs and
outcome probabilities of any behaviour profile are cheap to compute.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from .._jit import njit
from ..errors import GameError, ResourceError
from ..outcomes import OUTCOMES
from .tree import ChanceNode, DecisionNode, Node, TerminalNode

Behaviour = list[np.ndarray]
"""A behaviour profile: one probability vector per information set (``game.infosets`` order)."""

DECISION, CHANCE, TERMINAL = "decision", "chance", "terminal"


#: most characters of the default information-set names (``player@path``) of a tree; a deep tree
#: whose decision nodes have no information-set names would need more than its file ever had
MAX_DEFAULT_NAME_CHARS = 20_000_000


class Paths:
    """The action paths of a tree's nodes (``"attack/resist"``; ``"root"`` for the root).

    Only each node's parent and the action leading to it are stored: a path is built when
    asked, so a deep tree does not hold a string as long as its depth at every node.
    """

    def __init__(self) -> None:
        self.parents: list[int] = []
        self.steps: list[str] = []
        self.lengths: list[int] = []  # the length of each path, without building it

    def add(self, parent: int, step: str) -> int:
        """Record a node (its parent's index, -1 for the root, and the action leading to it)."""
        step = str(step)
        self.parents.append(parent)
        self.steps.append(step)
        if parent < 0:
            self.lengths.append(len("root"))
        else:
            self.lengths.append(
                len(step) if self.parents[parent] < 0 else self.lengths[parent] + 1 + len(step)
            )
        return len(self.parents) - 1

    def path(self, index: int) -> str:
        """The action path of node ``index``."""
        steps = []
        while index >= 0 and self.parents[index] >= 0:
            steps.append(self.steps[index])
            index = self.parents[index]
        return "/".join(reversed(steps)) or "root"

    def child_path(self, parent: int, step: str) -> str:
        """The path of a child not yet recorded."""
        return str(step) if self.parents[parent] < 0 else f"{self.path(parent)}/{step}"


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
    label: str | None
    end: int  # preorder index one past the last node of this subtree
    paths: Paths = field(repr=False, compare=False)

    @property
    def path(self) -> str:
        """The action path, e.g. ``"attack/resist"``; ``"root"`` for the root."""
        return self.paths.path(self.index)


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
    if isinstance(x, Fraction) and max(x.numerator.bit_length(), x.denominator.bit_length()) > 1024:
        digits = int(max(abs(x.numerator), x.denominator).bit_length() * 0.30103)
        return f"a fraction of about {digits} digits"
    return str(x)


def _finite(x: Any) -> bool:
    """True if ``x`` is a finite number that fits in a float."""
    try:
        return math.isfinite(float(x))
    except OverflowError:
        return False


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, Fraction, np.integer, np.floating)) and not isinstance(x, bool)


def _plain(x: Any) -> Any:
    """A numpy number as the Python number of the same value (``np.float32(0.3)`` as the float
    it is, ``np.int64(1)`` as an int), anything else as it is: chance probabilities are kept as
    given and read exactly by ``Fraction``, which takes no numpy float."""
    return x.item() if isinstance(x, (np.integer, np.floating)) else x


def _where(path: str, label: str | None) -> str:
    return f"'{label}' ({path})" if label else f"'{path}'"


def _branches(node: Any) -> list[tuple[str, Any]]:
    """The (name, child) pairs below a node (``None`` child: a chance branch that is not a pair)."""
    if isinstance(node, DecisionNode):
        return list(node.actions.items())
    if isinstance(node, ChanceNode):
        return [(k, v[1] if isinstance(v, tuple) and len(v) == 2 else None) for k, v in node.branches.items()]
    return []


def _preorder(root: Node) -> tuple[list[tuple[Any, int, int]], dict[int, list[int]], Paths]:
    """The nodes in preorder as ``(node, parent, action)``, each node's children, and the paths.

    Iterative, with an explicit stack, so deep trees do not hit the recursion limit.

    Raises
    ------
    GameError
        A value that is not a node, a node reachable twice, a chance branch that is not a
        ``(probability, subtree)`` pair.
    """
    seen: set[int] = set()
    children_of: dict[int, list[int]] = {}
    order_nodes: list[tuple[Any, int, int]] = []
    paths = Paths()
    stack: list[tuple[Any, int, int, str]] = [(root, -1, -1, "root")]
    while stack:
        node, parent, action, step = stack.pop()
        if not isinstance(node, (TerminalNode, DecisionNode, ChanceNode)):
            where = "root" if parent < 0 else paths.child_path(parent, step)
            raise GameError(
                f"expected a decision, chance or terminal node, got {type(node).__name__}", node=where
            )
        if id(node) in seen:
            raise GameError(
                "node is reachable twice (a tree node may appear only once; build a fresh "
                "subtree for each branch)",
                node=_where(paths.child_path(parent, step), getattr(node, "label", None)),
            )
        seen.add(id(node))
        idx = paths.add(parent, step)
        order_nodes.append((node, parent, action))
        if parent >= 0:
            children_of.setdefault(parent, []).append(idx)
        if type(node) is TerminalNode:
            continue
        branches = _branches(node)
        for a in range(len(branches) - 1, -1, -1):
            name, child = branches[a]
            if child is None:
                raise GameError(
                    f"branch '{name}' must be a (probability, subtree) pair",
                    node=_where(paths.path(idx), node.label),
                )
            stack.append((child, idx, a, name))
    return order_nodes, children_of, paths


def _subtree_ends(n: int, children_of: dict[int, list[int]]) -> list[int]:
    """For each node in preorder, one past the index of its last descendant."""
    ends = [0] * n
    for idx in range(n - 1, -1, -1):
        kids = children_of.get(idx, [])
        ends[idx] = ends[kids[-1]] if kids else idx + 1
    return ends


def sum_text(total: Any) -> str:
    """A sum of probabilities that is not 1, shown with enough digits to see that it is not 1."""
    shown = f"{float(total):.12g}"
    if shown != "1":
        return shown
    if isinstance(total, (int, Fraction)):  # exact: the difference may be below the float range
        diff = Fraction(total) - 1
        size = Decimal(abs(diff.numerator)) / Decimal(diff.denominator)
        return f"1 {'+' if diff > 0 else '-'} {size:.3g}"
    diff = float(total) - 1.0
    return f"1 {'+' if diff > 0 else '-'} {abs(diff):.3g}"


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


def _probability_problem(acts: tuple[str, ...], probs: tuple[Any, ...]) -> str | None:
    """What is wrong with chance probabilities (not finite numbers in ``[0, 1]`` summing to one)."""
    if _exact_total_is_one(probs) and all(0 <= p.numerator <= p.denominator for p in probs):
        return None  # exact probabilities in [0, 1] summing to one (ints are Rationals too)
    for a, p in zip(acts, probs, strict=True):
        if not _is_number(p):
            return f"probability of branch '{a}' is not a number: {p!r}"
        if not _finite(p):
            return f"probability of branch '{a}' is not finite: {_show(p)}"
        if p < 0 or p > 1:
            return f"probability of branch '{a}' is {p}, outside [0, 1]"
    total = sum(probs)
    exact = all(isinstance(p, (int, Fraction, np.integer)) for p in probs)
    if (exact and total != 1) or (not exact and abs(float(total) - 1.0) > 1e-9):
        return f"chance probabilities sum to {sum_text(total)}, not 1"
    return None


def _check_default_names(order: list[tuple[Any, int, int]], paths: Paths) -> None:
    """Refuse a tree whose default information-set names (``player@path``) would be too long.

    Raises
    ------
    ResourceError
        With the total length of those names as the estimate.
    """
    total = 0
    for idx, (node, _, _) in enumerate(order):
        if isinstance(node, (DecisionNode, ChanceNode)) and node.infoset is None:
            total += paths.lengths[idx] + len(str(getattr(node, "player", "chance"))) + 1
    if total > MAX_DEFAULT_NAME_CHARS:
        raise ResourceError(
            f"the tree is {max(paths.lengths):,} characters deep in action names and its decision nodes "
            f"have no information-set names: the default names (player@path) would take {total:,} "
            f"characters (at most {MAX_DEFAULT_NAME_CHARS:,}); name the information sets (infoset=...)",
            estimate=total,
        )


class _Flattener:
    """Collects the flat tables of a tree node by node (in preorder), checking each node."""

    def __init__(
        self, declared: list[str] | None, found: list[str], check_labels: bool, paths: Paths
    ) -> None:
        self.declared, self.found, self.check_labels = declared, found, check_labels
        self.paths = paths
        self.nodes: list[NodeInfo] = []
        self.infoset_map: dict[tuple[str, str], list[int]] = {}
        self.infoset_order: list[tuple[str, str]] = []
        self.infoset_index: dict[tuple[str, str], int] = {}
        self.infoset_owner: dict[str, str] = {}  # a named information set's player
        self.infoset_meta: dict[tuple[str, str], tuple[str, tuple[str, ...], str]] = {}
        self.chance_map: dict[str, list[int]] = {}
        self.chance_order: list[str] = []
        self.chance_index: dict[str, int] = {}
        self.chance_meta: dict[str, tuple[tuple[str, ...], tuple[Any, ...], str]] = {}
        self.terminal_payoffs: list[Any] = []
        self.terminal_outcomes: list[tuple[str, ...]] = []
        self.terminal_names: list[str | None] = []
        self.terminal_of_node: dict[int, int] = {}
        self.interior_outcomes: dict[int, tuple[str, tuple[Any, ...]]] = {}
        self.player_index: dict[str, int] = {p: i for i, p in enumerate(declared)} if declared else {}

    def add(self, idx: int, node: Any, parent: int, action: int, kids: tuple[int, ...], end: int) -> None:
        """Check node ``idx`` and record it."""
        paths = self.paths
        if getattr(node, "gambit_outcome", None) is not None and not isinstance(node, TerminalNode):
            self.interior_outcomes[idx] = self._interior(node.gambit_outcome, self.where(idx, node))
        if isinstance(node, DecisionNode):
            player, infoset = self._decision(idx, node)
            kind = DECISION
        elif isinstance(node, ChanceNode):
            player, infoset = -1, self._chance(idx, node)
            kind = CHANCE
        else:
            self._terminal(idx, node)
            player, infoset, kind, kids = -1, -1, TERMINAL, ()
        info = object.__new__(NodeInfo)  # the frozen dataclass's fields, without its per-field setattr
        info.__dict__.update(index=idx, kind=kind, parent=parent, action=action, children=kids, player=player,
                             infoset=infoset, label=node.label, end=end, paths=paths)
        self.nodes.append(info)

    def where(self, idx: int, node: Any) -> str:
        """Node ``idx`` as error messages name it (its label and path)."""
        return _where(self.paths.path(idx), getattr(node, "label", None))

    def _player(self, pname: str, where: str) -> int:
        if pname not in self.player_index:
            if self.declared is not None:
                raise GameError(
                    f"player '{pname}' is not one of the game's players {self.declared}", node=where
                )
            self.player_index[pname] = len(self.found)
            self.found.append(pname)
        return self.player_index[pname]

    def _decision(self, idx: int, node: DecisionNode) -> tuple[int, int]:
        """The player's index and the information set's index of a decision node."""
        if not node.actions:
            raise GameError("decision node has no actions", node=self.where(idx, node))
        pname = node.player
        pl = (
            self._player(pname, self.where(idx, node))
            if pname not in self.player_index
            else (self.player_index[pname])
        )
        iname = node.infoset if node.infoset is not None else f"{pname}@{self.paths.path(idx)}"
        key = (pname, iname)
        acts = tuple(str(a) for a in node.actions)
        if len(set(acts)) != len(acts):
            raise GameError(f"duplicate action names {acts}", node=self.where(idx, node))
        owner = self.infoset_owner.setdefault(iname, pname)
        if node.infoset is not None and owner != pname:
            raise GameError(
                f"nodes of information set '{iname}' belong to different players ('{owner}' and '{pname}')",
                infoset=iname,
                node=self.where(idx, node),
            )
        if key in self.infoset_meta:
            if self.infoset_meta[key][1] != acts:
                raise GameError(
                    f"nodes of information set '{iname}' offer different actions "
                    f"{list(self.infoset_meta[key][1])} and {list(acts)}",
                    infoset=iname,
                    node=self.where(idx, node),
                )
        else:
            self.infoset_meta[key] = (pname, acts, iname)
            self.infoset_index[key] = len(self.infoset_order)
            self.infoset_order.append(key)
            self.infoset_map[key] = []
        self.infoset_map[key].append(idx)
        return pl, self.infoset_index[key]

    def _chance(self, idx: int, node: ChanceNode) -> int:
        """The chance set's index of a chance node."""
        if not node.branches:
            raise GameError("chance node has no branches", node=self.where(idx, node))
        acts = tuple(str(a) for a in node.branches)
        probs = tuple(_plain(v[0]) for v in node.branches.values())
        problem = _probability_problem(acts, probs)
        if problem is not None:
            raise GameError(problem, node=self.where(idx, node))
        cname = node.infoset if node.infoset is not None else f"chance@{self.paths.path(idx)}"
        if cname in self.chance_meta:
            if self.chance_meta[cname][0] != acts or self.chance_meta[cname][1] != probs:
                raise GameError(
                    f"chance nodes of set '{cname}' differ in actions or probabilities",
                    node=self.where(idx, node),
                )
        else:
            self.chance_meta[cname] = (acts, probs, cname)
            self.chance_index[cname] = len(self.chance_order)
            self.chance_order.append(cname)
            self.chance_map[cname] = []
        self.chance_map[cname].append(idx)
        return self.chance_index[cname]

    def _interior(self, outcome: Any, where: str) -> tuple[str, tuple[Any, ...]]:
        """A Gambit outcome on a decision or chance node, checked: ``(name, finite numbers)``."""
        try:
            name, payoffs = outcome
            payoffs = tuple(payoffs)
        except (TypeError, ValueError):
            raise GameError(f"gambit_outcome must be (name, payoffs), got {outcome!r}", node=where) from None
        if not all(_is_number(v) and _finite(v) for v in payoffs):
            raise GameError(f"gambit_outcome payoffs must be finite numbers, got {payoffs!r}", node=where)
        return str(name), payoffs

    def _terminal(self, idx: int, node: TerminalNode) -> None:
        for lab in node.outcome:
            if self.check_labels and lab not in OUTCOMES:
                raise GameError(
                    f"outcome label '{lab}' is not in the vocabulary {sorted(OUTCOMES)}",
                    node=self.where(idx, node),
                )
        self.terminal_of_node[idx] = len(self.terminal_payoffs)
        self.terminal_payoffs.append((node.payoffs, idx, node.label))
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


@njit
def _first_not_distribution(flat: np.ndarray, offset: np.ndarray, atol: float) -> int:
    """The first information set whose vector (``flat[offset[k]:offset[k + 1]]``) is not a probability
    vector: an entry not finite or below ``-atol``, or a sum off 1 by more than ``max(atol, 1e-6)``
    (NaN included); -1 if none."""
    for k in range(offset.shape[0] - 1):
        total = 0.0
        for j in range(offset[k], offset[k + 1]):
            if not np.isfinite(flat[j]) or flat[j] < -atol:
                return k
            total += flat[j]
        if not abs(total - 1.0) <= max(atol, 1e-6):
            return k
    return -1


@njit
def _reach(parent: np.ndarray, edge_flat: np.ndarray, chance_prob: np.ndarray, flat: np.ndarray
           ) -> np.ndarray:
    """Each node's probability of being reached (preorder: a parent's before its children's), the
    behaviour given flat (``flat[edge_flat[v]]`` on the decision edge into ``v``)."""
    reach = np.ones(parent.shape[0])
    for v in range(1, parent.shape[0]):
        f = edge_flat[v]
        reach[v] = reach[parent[v]] * (flat[f] if f >= 0 else chance_prob[v])
    return reach


@njit
def _set_reach(parent: np.ndarray, edge_set: np.ndarray, edge_action: np.ndarray, reach: np.ndarray,
               n_sets: int) -> np.ndarray:
    """Per information set, the sum of ``reach`` over its nodes (each met once, by its first action's
    edge; in preorder)."""
    out = np.zeros(n_sets)
    for v in range(1, parent.shape[0]):
        if edge_set[v] >= 0 and edge_action[v] == 0:
            out[edge_set[v]] += reach[parent[v]]
    return out


@njit
def _fold_values(order: np.ndarray, parent: np.ndarray, edge: np.ndarray, val: np.ndarray) -> None:
    """``val[parent[c]] += edge[c] * val[c]`` for every node ``c`` in ``order``."""
    for c in order:
        p = parent[c]
        for i in range(val.shape[1]):
            val[p, i] += edge[c] * val[c, i]


def _builder_tree(game: ExtensiveFormGame) -> Node:
    """The tree of builder nodes of a game (children first, from its tables): what
    :class:`ExtensiveFormGame` would have been given to build the same game."""
    built: list[Any] = [None] * len(game.nodes)
    interior = game.interior_outcomes
    for nd in reversed(game.nodes):
        v = nd.index
        if nd.kind == TERMINAL:
            t = game.terminal_index(v)
            built[v] = TerminalNode(payoffs=list(game.payoff_values[t]), outcome=game.terminal_outcomes[t],
                                    label=nd.label, name=game.terminal_names[t])
            continue
        outcome = interior.get(v)
        if nd.kind == DECISION:
            h = game.infosets[nd.infoset]
            moves = {a: built[c] for a, c in zip(h.actions, nd.children, strict=True)}
            built[v] = DecisionNode(player=game.players[nd.player], actions=moves, infoset=h.name,
                                    label=nd.label, gambit_outcome=outcome)
        else:
            c = game.chance_infos[nd.infoset]
            branches = {a: (p, built[k]) for a, p, k in zip(c.actions, c.probs, nd.children, strict=True)}
            built[v] = ChanceNode(branches=branches, label=nd.label, infoset=c.name, gambit_outcome=outcome)
    return built[0]



#: what :meth:`ExtensiveFormGame.with_numbers` shares between a game and its copy: the tree's tables
#: and what was worked out from them alone (neither payoffs nor chance probabilities)
_TREE_ONLY = (
    "title", "players", "_paths", "_nodes", "infosets", "terminals", "_terminal_of_node", "terminal_outcomes",
    "terminal_names", "_own_sequences", "_recall", "_subgame_roots", "_parent",
    "_terminal_idx", "_edge_infoset", "_edge_action", "_action_counts", "_action_offset", "_edge_flat",
    "_decision_edge", "_depth", "_deep", "_level_arrays", "_nodes_builder", "_records", "_node_sets",
    "_node_array_cache", "_tree_cache", "_value_order",
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
        self._root_node: Node | None = root
        declared = list(players) if players is not None else None
        if declared is not None and len(set(declared)) != len(declared):
            raise GameError(f"player names must be distinct: {declared}")
        found: list[str] = []
        self._flatten(root, declared, found, check_labels)
        self.players: tuple[str, ...] = tuple(declared if declared is not None else found)
        self._finish()
        for idx, (_, payoffs) in self.interior_outcomes.items():
            if len(payoffs) != len(self.players):
                where = _where(self.nodes[idx].path, self.nodes[idx].label)
                raise GameError(
                    f"gambit_outcome gives {len(payoffs)} payoffs for {len(self.players)} players", node=where
                )

    # ------------------------------------------------------------------ construction
    def _flatten(self, root: Node, declared: list[str] | None, found: list[str], check_labels: bool) -> None:
        order, children, paths = _preorder(root)
        _check_default_names(order, paths)
        flat = _Flattener(declared, found, check_labels, paths)
        ends = _subtree_ends(len(order), children)
        for idx, (node, parent, action) in enumerate(order):
            flat.add(idx, node, parent, action, tuple(children.get(idx, [])), ends[idx])
        self._paths = paths
        self._own_sequences: tuple[np.ndarray, tuple[tuple[int, int, int], ...]] | None = None
        self._recall: tuple[str | None] | None = None
        self._subgame_roots: tuple[int, ...] | None = None
        self._sequence_form: Any = None  # the sequence form's tree-only parts (game.convert.sequence_form)
        self.nodes = tuple(flat.nodes)
        self.infosets: tuple[InfoSet, ...] = flat.infosets()
        self.chance_infos: tuple[ChanceInfo, ...] = flat.chance_infos()
        self._raw_payoffs = flat.terminal_payoffs
        self.terminal_outcomes: tuple[tuple[str, ...], ...] = tuple(flat.terminal_outcomes)
        self.terminal_names: tuple[str | None, ...] = tuple(flat.terminal_names)
        #: node index -> ``(name, payoffs)`` of the Gambit outcomes on decision and chance nodes (a
        #: file read by :func:`~deterrence.read_game`; their payoffs are in the terminals' already)
        self.interior_outcomes: dict[int, tuple[str, tuple[Any, ...]]] = flat.interior_outcomes
        self.terminals: tuple[int, ...] = tuple(sorted(flat.terminal_of_node))
        self._terminal_of_node = flat.terminal_of_node

    @property
    def nodes(self) -> tuple[NodeInfo, ...]:
        """Every node, in preorder (built on first use when the game was read straight into its
        tables, as a plainly written ``.efg`` file is: solving needs only the tables)."""
        nodes = self.__dict__["_nodes"]
        if nodes is None:
            nodes = self._nodes_builder(self)  # set by the reader that left them out
        return nodes

    @nodes.setter
    def nodes(self, value: tuple[NodeInfo, ...]) -> None:
        self.__dict__["_nodes"] = value

    @property
    def root_node(self) -> Node:
        """The root of the game's tree of builder nodes (built from the game's tables on first use when
        the game was read straight into them, as a plainly written ``.efg`` file is)."""
        if self._root_node is None:
            self._root_node = _builder_tree(self)
        return self._root_node

    def _finish(self) -> None:
        rows = tuple(self._payoff_rows())
        del self._raw_payoffs
        self._set_payoffs(rows)

    def _set_payoffs(self, rows: tuple[tuple[Any, ...], ...]) -> None:
        """The terminals' payoffs (checked rows, one value per player) and the tables that follow."""
        self.payoff_values: tuple[tuple[Any, ...], ...] = rows
        self.payoffs = np.array(rows, dtype=float).reshape(-1, len(self.players))
        self.payoffs.setflags(write=False)
        self._edge_tables()

    def with_numbers(self, payoffs: Sequence[Sequence[Any]], chance_probs: Sequence[Sequence[Any]]
                     ) -> ExtensiveFormGame:
        """The same tree with other terminal payoffs and chance probabilities.

        The copy shares the tree's tables with this game (nodes, information sets, edge tables,
        and what was worked out from the tree alone: perfect recall, own sequences, subgame
        roots), so a model evaluated at many points builds its tree once. The payoffs given are
        the terminals' whole payoffs: a file's Gambit outcomes on interior nodes are not kept.

        Parameters
        ----------
        payoffs
            One row per terminal (in ``terminals`` order), one number per player.
        chance_probs
            One row per chance set (in ``chance_infos`` order), one probability per action.

        Raises
        ------
        GameError
            Rows of the wrong length, payoffs that are not finite numbers, or chance
            probabilities that are not finite numbers in ``[0, 1]`` summing to one.
        """
        if len(payoffs) != len(self.terminals) or len(chance_probs) != len(self.chance_infos):
            want = (len(self.terminals), len(self.chance_infos))
            raise GameError(f"with_numbers needs {want[0]} payoff rows and {want[1]} chance rows, "
                            f"got {len(payoffs)} and {len(chance_probs)}")
        game = object.__new__(type(self))
        mine = self.__dict__
        game.__dict__.update({k: mine[k] for k in _TREE_ONLY if k in mine})
        game._root_node = None  # built from the tables on first use
        game._sequence_form = None  # holds Nature's reach weights
        game.interior_outcomes = {}  # their payoffs are in the old terminals' (a file's); the new are whole
        game.chance_infos, game._chance_prob = self.chance_infos, self._chance_prob
        game._set_chance(chance_probs)
        rows = tuple(tuple(r) for r in payoffs)
        for t, row in zip(self.terminals, rows, strict=True):
            if len(row) != len(self.players) or not all(_is_number(v) and _finite(v) for v in row):
                raise GameError(f"payoffs {row!r} are not {len(self.players)} finite numbers",
                                node=_where(self.nodes[t].path, self.nodes[t].label))
        game.payoff_values = rows
        game.payoffs = np.array(rows, dtype=float).reshape(-1, len(self.players))
        game.payoffs.setflags(write=False)
        return game

    def _set_chance(self, chance_probs: Sequence[Sequence[Any]]) -> None:
        """New chance probabilities (checked) on a copy made by :meth:`with_numbers`."""
        infos, edge = [], self._chance_prob.copy()
        nodes = self.nodes
        for c, row in zip(self.chance_infos, chance_probs, strict=True):
            probs = tuple(_plain(p) for p in row)
            first = nodes[c.nodes[0]]
            problem = (_probability_problem(c.actions, probs) if len(probs) == len(c.actions)
                       else f"{len(probs)} probabilities for {len(c.actions)} branches")
            if problem is not None:
                raise GameError(problem, node=_where(first.path, first.label))
            info = object.__new__(ChanceInfo)
            info.__dict__.update(index=c.index, name=c.name, actions=c.actions, probs=probs, nodes=c.nodes)
            infos.append(info)
            for v in c.nodes:
                for child, p in zip(nodes[v].children, probs, strict=True):
                    edge[child] = float(p)
        self.chance_infos = tuple(infos)
        self._chance_prob = edge

    def _payoff_rows(self) -> list[tuple[Any, ...]]:
        """Every terminal's payoffs, one per player in order, checked."""
        nplayers = len(self.players)
        index = {p: i for i, p in enumerate(self.players)}
        values: list[tuple[Any, ...]] = []
        for raw, idx, label in self._raw_payoffs:
            if isinstance(raw, Mapping):
                unknown = [k for k in raw if k not in index]
                if unknown:
                    raise GameError(
                        f"payoff for unknown player(s) {unknown}; players are {list(self.players)}",
                        node=_where(self._paths.path(idx), label),
                    )
                missing = [p for p in self.players if p not in raw]
                if missing:
                    raise GameError(
                        f"no payoff for player(s) {missing}", node=_where(self._paths.path(idx), label)
                    )
                row = tuple(raw[p] for p in self.players)
            else:
                row = tuple(raw)
                if len(row) != nplayers:
                    raise GameError(
                        f"{len(row)} payoffs given for {nplayers} players",
                        node=_where(self._paths.path(idx), label),
                    )
            for p, v in zip(self.players, row, strict=True):
                if not _is_number(v):
                    raise GameError(
                        f"payoff of '{p}' is not a number: {v!r}", node=_where(self._paths.path(idx), label)
                    )
                if not _finite(v):
                    raise GameError(
                        f"payoff of '{p}' is not finite: {_show(v)}",
                        node=_where(self._paths.path(idx), label),
                    )
            values.append(row)
        return values

    def _edge_tables(self) -> None:
        """Arrays of the tree's edges, for vectorised realisation probabilities and values."""
        nodes = self.nodes
        n = len(nodes)
        chance_prob, edge_infoset, edge_action = [1.0] * n, [-1] * n, [-1] * n
        depth = [0] * n
        for nd in nodes[1:]:  # preorder: a parent comes before its children
            v, par = nd.index, nodes[nd.parent]
            depth[v] = depth[nd.parent] + 1
            if par.kind == CHANCE:
                chance_prob[v] = float(self.chance_infos[par.infoset].probs[nd.action])
            else:
                edge_infoset[v], edge_action[v] = par.infoset, nd.action
        self._edge_arrays([nd.parent for nd in nodes], chance_prob, edge_infoset, edge_action, depth)

    def _edge_arrays(self, parent: list[int], chance_prob: list[float], edge_infoset: list[int],
                     edge_action: list[int], depth: list[int]) -> None:
        """The edge tables from per-node lists (nodes in preorder): each node's parent, the chance
        probability of the edge into it (1 for decision edges), the information set and action of a
        decision edge into it (-1 otherwise), its depth."""
        n = len(parent)
        self._parent = np.array(parent, dtype=np.int64)
        self._terminal_idx = np.array(self.terminals, dtype=np.int64)
        self._chance_prob = np.array(chance_prob, dtype=float)
        self._edge_infoset = np.array(edge_infoset, dtype=np.int64)
        self._edge_action = np.array(edge_action, dtype=np.int64)
        self._action_counts = [len(h.actions) for h in self.infosets]
        offsets = np.cumsum([0, *self._action_counts])
        self._action_offset = offsets
        mask = self._edge_infoset >= 0
        self._edge_flat = np.where(mask, offsets[np.maximum(self._edge_infoset, 0)] + self._edge_action, -1)
        self._decision_edge = mask
        self._depth = depth
        self._deep = max(depth, default=0) > 64 and max(depth, default=0) * 8 > n

    @property
    def _levels(self) -> list[np.ndarray]:
        """The nodes by depth (in preorder within a depth; the root's level left out), so that values
        need one numpy operation per level; built on first use."""
        levels = self.__dict__.get("_level_arrays")
        if levels is None:
            by_depth: list[list[int]] = [[] for _ in range(max(self._depth, default=0) + 1)]
            for v, d in enumerate(self._depth):
                by_depth[d].append(v)
            levels = self.__dict__["_level_arrays"] = [np.array(lv, dtype=np.int64) for lv in by_depth[1:]]
        return levels

    @property
    def tree_cache(self) -> dict[str, Any]:
        """A dictionary for what solvers work out from the tree alone (never from payoffs or
        chance probabilities), shared with the copies :meth:`with_numbers` makes."""
        return self.__dict__.setdefault("_tree_cache", {})

    @property
    def node_arrays(self) -> tuple[np.ndarray, ...]:
        """The nodes as arrays, for compiled walks of the tree (built on first use, kept, and shared
        with the copies :meth:`with_numbers` makes).

        Returns
        -------
        kind, player, infoset, child_ptr, children, terminal_row
            Per node: 0 decision, 1 chance, 2 terminal; the mover (-1 off decision nodes); the
            information set or chance set (-1 at terminals); ``children[child_ptr[v]:child_ptr[v + 1]]``
            in action order; the row of ``payoffs`` of a terminal (-1 elsewhere).
        """
        arrays = self.__dict__.get("_node_array_cache")
        if arrays is None:
            nodes = self.nodes
            codes = {DECISION: 0, CHANCE: 1, TERMINAL: 2}
            kind = np.array([codes[nd.kind] for nd in nodes], dtype=np.int64)
            player = np.array([nd.player for nd in nodes], dtype=np.int64)
            infoset = np.array([nd.infoset for nd in nodes], dtype=np.int64)
            child_ptr = np.cumsum([0] + [len(nd.children) for nd in nodes]).astype(np.int64)
            children = np.array([c for nd in nodes for c in nd.children], dtype=np.int64)
            terminal_row = np.full(len(nodes), -1, dtype=np.int64)
            terminal_row[list(self.terminals)] = np.arange(len(self.terminals))
            arrays = (kind, player, infoset, child_ptr, children, terminal_row)
            for a in arrays:
                a.setflags(write=False)
            self.__dict__["_node_array_cache"] = arrays
        return arrays

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
        return self.recall_violation() is None

    def recall_violation(self) -> str | None:
        """Name of the first information set at which its player forgets own earlier moves (its
        nodes have different own histories; this also excludes absent-mindedness), else ``None``."""
        if self._recall is None:
            ids, _ = self.own_sequences()
            bad = [
                h.name
                for h in self.infosets
                if len(h.nodes) > 1 and len(set(ids[list(h.nodes), h.player])) > 1
            ]
            self._recall = (bad[0] if bad else None,)
        return self._recall[0]

    def own_sequences(self) -> tuple[np.ndarray, tuple[tuple[int, int, int], ...]]:
        """Every player's own history at every node, as numbers: linear in the nodes, however deep.

        Returns
        -------
        ids, table
            ``ids[v, i]``: the number of player ``i``'s own history (its ``(infoset, action)``
            moves from the root) at node ``v``; equal numbers are equal histories, 0 the empty
            one. ``table[k]``: history ``k`` as ``(previous history, infoset, action)``
            (``(-1, -1, -1)`` for 0), so a history is read back by following ``previous``.
        """
        if self._own_sequences is None:
            nodes, players = self.nodes, self.num_players
            rows: list[list[int]] = [[0] * players] * len(nodes)  # a chance node's children share its row
            table: list[tuple[int, int, int]] = [(-1, -1, -1)]
            known: dict[tuple[int, int, int], int] = {}
            for nd in nodes[1:]:  # preorder: a parent comes before its children
                par = nodes[nd.parent]
                row = rows[nd.parent]
                if par.kind == DECISION:
                    key = (row[par.player], par.infoset, nd.action)
                    k = known.get(key)
                    if k is None:
                        k = known[key] = len(table)
                        table.append(key)
                    row = list(row)
                    row[par.player] = k
                rows[nd.index] = row
            ids = np.array(rows, dtype=np.int64).reshape(len(nodes), players)
            ids.setflags(write=False)
            self._own_sequences = (ids, tuple(table))
        return self._own_sequences

    def own_sequence(self, node: int, player: int) -> tuple[tuple[int, int], ...]:
        """The player's own (infoset, action) pairs on the path from the root to ``node``."""
        ids, table = self.own_sequences()
        seq = []
        k = int(ids[node, player])
        while k > 0:
            k, infoset, action = table[k]
            seq.append((infoset, action))
        return tuple(reversed(seq))

    def subgame_roots(self) -> list[int]:
        """Nodes that root a proper subgame (or the whole game), in preorder.

        A node roots a subgame when every information set (and chance set) met below it lies
        wholly below it: the range of preorder indices its sets reach is computed children
        first, in one pass.
        """
        if self._subgame_roots is not None:
            return list(self._subgame_roots)
        first: dict[tuple[str, int], int] = {}
        last: dict[tuple[str, int], int] = {}
        for sets, tag in ((self.infosets, DECISION), (self.chance_infos, CHANCE)):
            for h in sets:
                first[(tag, h.index)], last[(tag, h.index)] = min(h.nodes), max(h.nodes)
        low = list(range(len(self.nodes)))
        high = list(range(len(self.nodes)))
        for nd in reversed(self.nodes):
            if nd.kind != TERMINAL:
                lo, hi = first[(nd.kind, nd.infoset)], last[(nd.kind, nd.infoset)]
                for c in nd.children:
                    lo, hi = min(lo, low[c]), max(hi, high[c])
                low[nd.index], high[nd.index] = lo, hi
        self._subgame_roots = tuple(
            nd.index
            for nd in self.nodes
            if nd.kind != TERMINAL and low[nd.index] >= nd.index and high[nd.index] < nd.end
        )
        return list(self._subgame_roots)

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
        """Validate a behaviour profile and return it as float arrays (checked all at once)."""
        if type(behaviour) not in (list, tuple) and (
            not isinstance(behaviour, Sequence | np.ndarray) or isinstance(behaviour, str)
        ):
            raise GameError(
                f"a behaviour profile is one vector per information set, got {type(behaviour).__name__}"
            )
        if len(behaviour) != len(self.infosets):
            raise GameError(
                f"behaviour profile has {len(behaviour)} entries, game has "
                f"{len(self.infosets)} information sets"
            )
        out = []
        for h, b, count in zip(self.infosets, behaviour, self._action_counts, strict=True):
            if type(b) is np.ndarray and b.ndim == 1 and b.dtype.char == "d":
                v = b  # already a float vector
            else:
                try:
                    v = np.asarray(b, dtype=float).reshape(-1)
                except (TypeError, ValueError):
                    raise GameError(f"behaviour {b!r} is not numbers", infoset=h.name) from None
            if v.size != count:
                raise GameError(f"{v.size} probabilities given for {count} actions", infoset=h.name)
            out.append(v)
        if not out:
            return out
        k = _first_not_distribution(np.concatenate(out), self._action_offset, atol)
        if k >= 0:
            raise GameError(f"not a probability vector: {out[k]}", infoset=self.infosets[k].name)
        return out

    def edge_probabilities(self, behaviour: Behaviour) -> np.ndarray:
        """Probability of the move leading into each node (1 for the root)."""
        flat = np.concatenate([np.asarray(b, dtype=float) for b in behaviour]) if behaviour else np.zeros(0)
        probs = self._chance_prob.copy()
        probs[self._decision_edge] = flat[self._edge_flat[self._decision_edge]]
        return probs

    def realization_probabilities(self, behaviour: Behaviour) -> np.ndarray:
        """Probability of reaching each node under a behaviour profile."""
        flat = np.concatenate([np.asarray(b, dtype=float) for b in behaviour]) if behaviour else np.zeros(0)
        if flat.ndim == 1 and flat.shape[0] == self._action_offset[-1]:  # one compiled pass down the tree
            return _reach(self._parent, self._edge_flat, self._chance_prob, flat)
        edge = self.edge_probabilities(behaviour)  # (which says what is wrong with the profile)
        if self._deep:  # one pass over the nodes beats one numpy call per level of a deep, narrow tree
            out = [1.0] * len(self.nodes)
            for v, (par, e) in enumerate(zip(self._parent.tolist(), edge.tolist(), strict=True)):
                if par >= 0:
                    out[v] = out[par] * e
            return np.array(out)
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

    def infoset_reach(self, reach: np.ndarray) -> np.ndarray:
        """The probability of reaching each information set (the sum over its nodes of ``reach``, the
        nodes' :meth:`realization_probabilities`), in one compiled pass."""
        return _set_reach(self._parent, self._edge_infoset, self._edge_action,
                          np.ascontiguousarray(reach, dtype=float), len(self.infosets))

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

    def node_values(self, behaviour: Behaviour, edge: np.ndarray | None = None,
                    payoffs: np.ndarray | None = None) -> np.ndarray:
        """Expected payoff vector at every node (conditional on reaching it), shape ``(nodes, N)``.

        ``edge``: the profile's :meth:`edge_probabilities` if already computed; ``payoffs``: the
        terminals' payoffs to use instead of the game's (e.g. on the players' scales, terminals
        x players). Every node's value
        is added into its parent's in one compiled pass, deepest level first (node order within a
        level; last node first on deep, narrow trees).
        """
        if edge is None:
            edge = self.edge_probabilities(behaviour)
        val = np.zeros((len(self.nodes), self.num_players))
        val[self._terminal_idx] = self.payoffs if payoffs is None else payoffs
        order = self.__dict__.get("_value_order")
        if order is None:
            n = len(self._parent)
            order = (np.arange(n - 1, 0, -1, dtype=np.int64) if self._deep or n < 2
                     else np.concatenate(self._levels[::-1]).astype(np.int64))
            self.__dict__["_value_order"] = order
        _fold_values(order, self._parent, np.asarray(edge, dtype=float), val)
        return val

    def labelled(self, behaviour: Behaviour) -> dict[str, dict[str, dict[str, float]]]:
        """A behaviour profile as ``{player: {infoset: {action: prob}}}``."""
        out: dict[str, dict[str, dict[str, float]]] = {p: {} for p in self.players}
        for h, b in zip(self.infosets, behaviour, strict=True):
            out[self.players[h.player]][h.name] = {a: float(x) for a, x in zip(h.actions, b, strict=True)}
        return out
