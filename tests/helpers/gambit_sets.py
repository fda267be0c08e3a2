"""Our information sets matched with pygambit's on the same tree (through a member's path)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def matched_sets(game: Any, gg: Any) -> Iterator[tuple[int, Any]]:
    """``(our information set index, pygambit's information set)`` for every set of ``gg``, the
    tree ``game`` written out or read back; a set is found by the path of child positions from
    the root to one of its members."""
    paths: list[tuple[int, ...]] = [()] * len(game.nodes)
    for nd in game.nodes[1:]:
        paths[nd.index] = (*paths[nd.parent], nd.action)
    where = {p: v for v, p in enumerate(paths)}
    for player in gg.players:
        for h in player.infosets:
            node = next(iter(h.members))
            path = []
            while node.parent is not None:
                path.append(list(node.parent.children).index(node))
                node = node.parent
            yield game.nodes[where[tuple(reversed(path))]].infoset, h
