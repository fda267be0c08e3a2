"""Two-player games with private types: Nature draws first, every later move is public (private).

A tree is in this class when it has two players, every chance node precedes every decision node
(no decision node lies above a chance node), and each player's information sets are keyed by the
player's own type and the public history: a *world* is a node where Nature's moves end (the
first node below the chance moves that is not a chance node), the *public history* of a node is
the sequence of moves (mover, action label) from its world down to it, and a player's *types* are
the classes of worlds that its information sets join (two worlds are of one type of the player
when one of its sets has a node in each, and so on transitively). The class asks that every set
of a player has one public history and that no two sets of the player share a type and a public
history: a set is then exactly the player's nodes with its type and history, whatever the
opponent's type. The asymmetric escalation game is such a tree (Nature draws the Challenger's
type, then the Defender's; both then move in the open).

In such a tree an information set of player ``i`` is ``(t, h)``, and its indifference conditions
are linear in the opponent's realization plan once ``i``'s own later mixing is expressed by its
own indifference there (:mod:`deterrence.solvers._pbe_typed_linear`). The structure reads the
tree alone, so it is kept in the game's ``tree_cache`` (shared by the copies with other numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..game.extensive import CHANCE, DECISION, ExtensiveFormGame


@dataclass(frozen=True)
class TypedStructure:
    """The typed structure of a tree (see the module documentation).

    Attributes
    ----------
    worlds
        The worlds (node indices), in preorder.
    world_of
        Per node, the index (into ``worlds``) of its world, ``-1`` for a chance node.
    types
        Per world, its type of each player (``types[w][p]``, numbered from 0 per player).
    set_type
        Per information set, the mover's type.
    set_history
        Per information set, its public history (a tuple of ``(player, action label)``).
    """

    worlds: tuple[int, ...]
    world_of: tuple[int, ...]
    types: tuple[tuple[int, int], ...]
    set_type: tuple[int, ...]
    set_history: tuple[tuple[tuple[int, str], ...], ...]


def typed_structure(game: ExtensiveFormGame) -> TypedStructure | None:
    """The tree's :class:`TypedStructure`, or ``None`` if it is not in the class (kept in the
    ``tree_cache``)."""
    cache = game.tree_cache
    if "pbe_typed_structure" not in cache:
        cache["pbe_typed_structure"] = _detected(game)
    return cache["pbe_typed_structure"]


def _detected(game: ExtensiveFormGame) -> TypedStructure | None:
    """:func:`typed_structure` worked out."""
    if game.num_players != 2:
        return None
    nodes = game.nodes
    world_of = [-1] * len(nodes)
    history: list[tuple[tuple[int, str], ...]] = [()] * len(nodes)
    worlds: list[int] = []
    for v, nd in enumerate(nodes):  # preorder: a parent before its children
        par = nodes[nd.parent] if nd.parent >= 0 else None
        if nd.kind == CHANCE:
            if par is not None and par.kind != CHANCE:
                return None  # a chance move below a player's move
            continue
        if par is None or par.kind == CHANCE:
            world_of[v] = len(worlds)
            worlds.append(v)
            continue
        world_of[v] = world_of[nd.parent]
        label = game.infosets[par.infoset].actions[nd.action]
        history[v] = (*history[nd.parent], (par.player, label))
    found = _types(game, world_of, history, len(worlds))
    if found is None:
        return None
    types, set_type, set_history = found
    return TypedStructure(tuple(worlds), tuple(world_of), types, set_type, set_history)


def _types(game: ExtensiveFormGame, world_of: list[int], history: list[tuple], n_worlds: int
           ) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...], tuple[tuple, ...]] | None:
    """Per world its types, per set its mover's type and its public history; ``None`` if a set has
    two public histories or two sets of a player share a type and a history."""
    roots = [list(range(n_worlds)) for _ in range(2)]  # union-find over the worlds, per player

    def find(p: int, w: int) -> int:
        while roots[p][w] != w:
            roots[p][w] = roots[p][roots[p][w]]
            w = roots[p][w]
        return w

    set_history = []
    for h in game.infosets:
        hist = {history[v] for v in h.nodes}
        if len(hist) != 1 or game.nodes[h.nodes[0]].kind != DECISION:
            return None
        set_history.append(hist.pop())
        first = find(h.player, world_of[h.nodes[0]])
        for v in h.nodes[1:]:
            roots[h.player][find(h.player, world_of[v])] = first
    numbers: list[dict[int, int]] = [{}, {}]
    types = tuple(tuple(numbers[p].setdefault(find(p, w), len(numbers[p])) for p in range(2))
                  for w in range(n_worlds))
    set_type = tuple(types[world_of[h.nodes[0]]][h.player] for h in game.infosets)
    keys = {(h.player, t, hist) for h, t, hist in zip(game.infosets, set_type, set_history, strict=True)}
    if len(keys) != len(game.infosets):
        return None
    return types, set_type, tuple(set_history)
