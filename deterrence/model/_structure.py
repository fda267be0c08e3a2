"""A model's tree checked and parsed: ids, children, cycles, reachability, information sets.

:func:`check_tree` runs the structural checks on a model's node specs, in named stages (each
node's shape, the root, a depth-first walk for missing children, cycles and nodes reachable
twice, unreachable nodes, information sets), then parses every payoff and chance probability,
and returns the checked :class:`Tree`. Errors name the file, the key and the line
(:class:`~deterrence.model._checks.Where`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from ..outcomes import OUTCOMES
from ._checks import Where, parse, substitute
from ._specs import NODE_ID, NODE_KINDS, NodeSpec


@dataclass(frozen=True)
class Tree:
    """A model's checked and parsed tree.

    Attributes
    ----------
    root
        The root's id.
    by_id
        Node id -> spec.
    order
        Node ids in preorder (root first).
    paths
        Node id -> action path from the root (``"attack/resist"``; the root is ``"root"``).
    infosets
        Information set -> its decision nodes, in preorder.
    payoffs
        Terminal id -> player -> payoff expression (pinned parameters substituted).
    probs
        Chance node id -> action -> probability expression.
    terminals, chance_nodes
        Terminal and chance node ids, in preorder.
    branches
        ``(chance node id, action)`` of every chance branch, in order.
    """

    root: str
    by_id: Mapping[str, NodeSpec]
    order: tuple[str, ...]
    paths: Mapping[str, str]
    infosets: Mapping[str, tuple[str, ...]]
    payoffs: Mapping[str, Mapping[str, sp.Expr]]
    probs: Mapping[str, Mapping[str, sp.Expr]]
    terminals: tuple[str, ...]
    chance_nodes: tuple[str, ...]
    branches: tuple[tuple[str, str], ...]


def check_tree(
    specs: Sequence[NodeSpec],
    root: str | None,
    players: Sequence[str],
    names: Mapping[str, sp.Expr],
    subs: Mapping[sp.Symbol, sp.Expr],
    where: Where,
) -> Tree:
    """Check the tree's structure and parse its payoffs and probabilities.

    Raises
    ------
    ModelError
        No nodes, a malformed node, a duplicate id, a missing root or child, a cycle, a node
        reachable twice or not at all, an information set mixing players or actions, chance
        nodes of one set that differ, or an expression that does not parse.
    """
    if not specs:
        raise where.error("the model has no nodes", "nodes")
    by_id = _index_nodes(specs, players, where)
    root_id = root if root is not None else specs[0].id
    if root_id not in by_id:
        raise where.error(f"root node '{root_id}' does not exist", "model.root")
    order, paths = _walk(by_id, root_id, where)
    _check_reachable(specs, set(order), root_id, where)
    _check_infosets(by_id, order, where)
    payoffs, probs = _parse_numbers(by_id, order, players, names, subs, where)
    _check_chance_sets(by_id, probs, where)
    chance_nodes = tuple(n for n in order if by_id[n].kind == "chance")
    return Tree(
        root=root_id,
        by_id=by_id,
        order=tuple(order),
        paths=paths,
        infosets=_infosets(by_id, order),
        payoffs=payoffs,
        probs=probs,
        terminals=tuple(n for n in order if by_id[n].kind == "terminal"),
        chance_nodes=chance_nodes,
        branches=tuple((n, a) for n in chance_nodes for a in by_id[n].actions),
    )


# ---------------------------------------------------------------------------------- structure
def _index_nodes(specs: Sequence[NodeSpec], players: Sequence[str], where: Where) -> dict[str, NodeSpec]:
    """Node id -> spec, every node checked on its own (valid and distinct ids, right shape)."""
    by_id: dict[str, NodeSpec] = {}
    for node in specs:
        if not isinstance(node, NodeSpec):
            raise where.error(f"expected a NodeSpec, got {type(node).__name__}", "nodes")
        if not isinstance(node.id, str) or not NODE_ID.match(node.id):
            raise where.error(
                f"node id {node.id!r} is not valid (letters, digits, '_', '.', '-')", "nodes", node.line
            )
        if node.id in by_id:
            first = by_id[node.id].line
            raise where.error(
                f"duplicate node id '{node.id}'" + (f" (first at line {first})" if first else ""),
                f"nodes.{node.id}",
                node.line,
            )
        by_id[node.id] = node
        check_node(node, players, where)
    return by_id


class ActionPaths(Mapping[str, str]):
    """Node id -> action path from the root (``"attack/resist"``; ``"root"`` for the root).

    Each node's parent and action are stored and a path is built when asked, so a deep tree
    does not hold a string as long as its depth for every node.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self.parent: dict[str, tuple[str, str]] = {}  # child -> (parent, action)

    def __getitem__(self, nid: str) -> str:
        if nid != self.root and nid not in self.parent:
            raise KeyError(nid)
        steps = []
        while nid != self.root:
            nid, action = self.parent[nid]
            steps.append(action)
        return "/".join(reversed(steps)) or "root"

    def __iter__(self) -> Iterator[str]:
        yield self.root
        yield from self.parent

    def __len__(self) -> int:
        return 1 + len(self.parent)


def _walk(by_id: Mapping[str, NodeSpec], root_id: str, where: Where) -> tuple[list[str], ActionPaths]:
    """Depth-first from the root: the preorder and each node's action path; refuses missing
    children, cycles and nodes reachable twice."""
    order: list[str] = []
    paths = ActionPaths(root_id)
    seen: set[str] = set()
    on_path: set[str] = set()
    stack: list[tuple[str, bool]] = [(root_id, False)]
    while stack:
        nid, leaving = stack.pop()
        if leaving:
            on_path.discard(nid)
            continue
        seen.add(nid)
        on_path.add(nid)
        order.append(nid)
        stack.append((nid, True))
        node = by_id[nid]
        for action, child in reversed(list(node.actions.items())):
            key = f"nodes.{nid}.actions.{action}"
            if child not in by_id:
                problem = f"action '{action}' leads to node '{child}', which does not exist"
            elif child in on_path:
                problem = f"action '{action}' leads back to node '{child}': the tree has a cycle"
            elif child in seen or child in paths:
                problem = (
                    f"node '{child}' is reachable twice (also from action '{action}' of "
                    f"'{nid}'); a tree node has exactly one parent"
                )
            else:
                paths.parent[child] = (nid, action)
                stack.append((child, False))
                continue
            raise where.error(problem, key, node.line_of("actions"))
    return order, paths


def _check_reachable(specs: Sequence[NodeSpec], seen: set[str], root_id: str, where: Where) -> None:
    unreachable = [n for n in specs if n.id not in seen]
    if unreachable:
        n = unreachable[0]
        raise where.error(
            f"node '{n.id}' is unreachable from the root '{root_id}'"
            + (f" (also unreachable: {[m.id for m in unreachable[1:]]})" if len(unreachable) > 1 else ""),
            f"nodes.{n.id}",
            n.line,
        )


def _check_infosets(by_id: Mapping[str, NodeSpec], order: Sequence[str], where: Where) -> None:
    """The nodes of an information set belong to one player and offer the same actions."""
    groups: dict[str, NodeSpec] = {}
    for nid in order:
        node = by_id[nid]
        if node.kind != "decision":
            continue
        iset = node.infoset or node.id
        first = groups.setdefault(iset, node)
        if first.player != node.player:
            raise where.error(
                f"information set '{iset}' mixes players: node '{first.id}' belongs to "
                f"'{first.player}', node '{node.id}' to '{node.player}'",
                f"nodes.{nid}.infoset",
                node.line_of("infoset"),
            )
        if tuple(first.actions) != tuple(node.actions):
            raise where.error(
                f"information set '{iset}' mixes actions: node '{first.id}' offers "
                f"{list(first.actions)}, node '{node.id}' offers {list(node.actions)}",
                f"nodes.{nid}.actions",
                node.line_of("actions"),
            )


def _infosets(by_id: Mapping[str, NodeSpec], order: Sequence[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for nid in order:
        node = by_id[nid]
        if node.kind == "decision":
            out[node.infoset or node.id] = (*out.get(node.infoset or node.id, ()), nid)
    return out


# ---------------------------------------------------------------------------------- one node
def check_node(node: NodeSpec, players: Sequence[str], where: Where) -> None:
    """One node's shape: its kind, and the keys that kind needs and forbids."""
    if node.kind not in NODE_KINDS:
        raise where.error(
            f"node kind must be one of {list(NODE_KINDS)}, got {node.kind!r}",
            f"nodes.{node.id}.kind",
            node.line_of("kind"),
        )
    if node.kind in ("decision", "chance"):
        _check_inner(node, where)
    if node.kind == "decision":
        _check_decision(node, players, where)
    elif node.kind == "chance":
        _check_chance(node, where)
    else:
        _check_terminal(node, players, where)


def _check_inner(node: NodeSpec, where: Where) -> None:
    nid = node.id
    if not isinstance(node.actions, Mapping) or not node.actions:
        raise where.error(
            f"{node.kind} node '{nid}' needs at least one action",
            f"nodes.{nid}.actions",
            node.line_of("actions"),
        )
    for a, child in node.actions.items():
        if not isinstance(a, str) or not a or not isinstance(child, str):
            raise where.error(
                f"actions must map action names to node ids, got {a!r} = {child!r}",
                f"nodes.{nid}.actions",
                node.line_of("actions"),
            )
    if node.payoffs or node.outcome:
        raise where.error(
            f"{node.kind} node '{nid}' cannot have payoffs or an outcome", f"nodes.{nid}", node.line
        )


def _check_decision(node: NodeSpec, players: Sequence[str], where: Where) -> None:
    nid = node.id
    if node.player not in players:
        raise where.error(
            f"player {node.player!r} of node '{nid}' is not one of the players {list(players)}",
            f"nodes.{nid}.player",
            node.line_of("player"),
        )
    if node.probs:
        raise where.error(
            f"decision node '{nid}' cannot have probs (only chance nodes)",
            f"nodes.{nid}.probs",
            node.line_of("probs"),
        )


def _check_chance(node: NodeSpec, where: Where) -> None:
    nid = node.id
    if node.player is not None:
        raise where.error(
            f"chance node '{nid}' cannot have a player", f"nodes.{nid}.player", node.line_of("player")
        )
    if set(node.probs) != set(node.actions):
        missing = [a for a in node.actions if a not in node.probs]
        extra = [a for a in node.probs if a not in node.actions]
        raise where.error(
            f"chance node '{nid}' needs one probability per action"
            + (f"; missing for {missing}" if missing else "")
            + (f"; probs for unknown actions {extra}" if extra else ""),
            f"nodes.{nid}.probs",
            node.line_of("probs"),
        )


def _check_terminal(node: NodeSpec, players: Sequence[str], where: Where) -> None:
    nid = node.id
    if node.actions or node.probs or node.player is not None:
        raise where.error(
            f"terminal node '{nid}' cannot have actions, probs or a player", f"nodes.{nid}", node.line
        )
    missing = [p for p in players if p not in node.payoffs]
    extra = [p for p in node.payoffs if p not in players]
    if missing or extra:
        raise where.error(
            f"terminal node '{nid}' needs one payoff per player {list(players)}"
            + (f"; missing {missing}" if missing else "")
            + (f"; unknown player(s) {extra}" if extra else ""),
            f"nodes.{nid}.payoffs",
            node.line_of("payoffs"),
        )
    if not node.outcome:
        raise where.error(
            f"terminal node '{nid}' needs an outcome label from {sorted(OUTCOMES)}",
            f"nodes.{nid}.outcome",
            node.line,
        )
    for lab in node.outcome:
        if lab not in OUTCOMES:
            raise where.error(
                f"outcome label {lab!r} of node '{nid}' is not in the vocabulary {sorted(OUTCOMES)}",
                f"nodes.{nid}.outcome",
                node.line_of("outcome"),
            )


# ---------------------------------------------------------------------------------- numbers
def _parse_numbers(
    by_id: Mapping[str, NodeSpec],
    order: Sequence[str],
    players: Sequence[str],
    names: Mapping[str, sp.Expr],
    subs: Mapping[sp.Symbol, sp.Expr],
    where: Where,
) -> tuple[dict[str, dict[str, sp.Expr]], dict[str, dict[str, sp.Expr]]]:
    """Every payoff and chance probability parsed, with the pinned parameters substituted."""
    payoffs: dict[str, dict[str, sp.Expr]] = {}
    probs: dict[str, dict[str, sp.Expr]] = {}
    for nid in order:
        node = by_id[nid]
        if node.kind == "terminal":
            payoffs[nid] = {
                p: substitute(
                    parse(
                        node.payoffs[p],
                        f"nodes.{nid}.payoffs.{p}",
                        node.line_of(f"payoffs.{p}"),
                        names,
                        where,
                    ),
                    subs,
                    f"nodes.{nid}.payoffs.{p}",
                    node.line_of(f"payoffs.{p}"),
                    where,
                )
                for p in players
            }
        elif node.kind == "chance":
            probs[nid] = {
                a: substitute(
                    parse(node.probs[a], f"nodes.{nid}.probs.{a}", node.line_of(f"probs.{a}"), names, where),
                    subs,
                    f"nodes.{nid}.probs.{a}",
                    node.line_of(f"probs.{a}"),
                    where,
                )
                for a in node.actions
            }
    return payoffs, probs


def _check_chance_sets(
    by_id: Mapping[str, NodeSpec], probs: Mapping[str, Mapping[str, sp.Expr]], where: Where
) -> None:
    """Chance nodes that share a set (``infoset``) have the same actions and probabilities."""
    sets: dict[str, str] = {}
    for nid, row in probs.items():
        node = by_id[nid]
        if node.infoset is None:
            continue
        if node.infoset not in sets:
            sets[node.infoset] = nid
            continue
        other = by_id[sets[node.infoset]]
        same = tuple(other.actions) == tuple(node.actions) and all(
            sp.simplify(probs[other.id][a] - row[a]) == 0 for a in node.actions
        )
        if not same:
            raise where.error(
                f"chance nodes '{other.id}' and '{nid}' share the set '{node.infoset}' "
                "but differ in actions or probabilities",
                f"nodes.{nid}.infoset",
                node.line_of("infoset"),
            )
