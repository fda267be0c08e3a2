"""Small helpers on flattened game trees shared by the SPE and PBE solvers (private)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._jit import njit
from ..game.extensive import CHANCE, DECISION, TERMINAL, ExtensiveFormGame
from ..game.tree import Node, chance, decision, terminal


def child_tables(game: ExtensiveFormGame) -> list[np.ndarray]:
    """Per information set, an int array ``(nodes of h, actions of h)`` of child node indices
    (read-only; kept in the game's ``tree_cache``)."""
    tables = game.tree_cache.get("child_tables")
    if tables is None:
        tables = [np.array([game.nodes[v].children for v in h.nodes], dtype=np.int64) for h in game.infosets]
        for t in tables:
            t.setflags(write=False)
        game.tree_cache["child_tables"] = tables
    return list(tables)


def prior_mass(game: ExtensiveFormGame) -> np.ndarray:
    """Product of Nature's probabilities on the path to each node (players' moves count as 1)."""
    ones = [np.ones(len(h.actions)) for h in game.infosets]
    return game.realization_probabilities(ones)


def payoff_bounds(game: ExtensiveFormGame) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest payoff of each player over the terminals below each node."""
    n, k = len(game.nodes), game.num_players
    lo = np.full((n, k), np.inf)
    hi = np.full((n, k), -np.inf)
    terminals = np.asarray(game.terminals, dtype=np.int64)
    lo[terminals] = hi[terminals] = game.payoffs
    _fold_min_max(game._parent, lo, hi)
    return lo, hi


@njit
def _fold_min_max(parent: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
    """Fold every node into its parent, last node first (preorder: children after parents)."""
    for c in range(parent.shape[0] - 1, 0, -1):
        p = parent[c]
        for i in range(lo.shape[1]):
            lo[p, i] = min(lo[p, i], lo[c, i])
            hi[p, i] = max(hi[p, i], hi[c, i])


def undominated_actions(game: ExtensiveFormGame, tol: float = 1e-12) -> list[tuple[int, ...]]:
    """Per information set, the actions that are not *conditionally strictly dominated*.

    Action ``b`` at ``h`` is dropped when some action ``a`` guarantees more at every node of
    ``h``: the worst payoff below ``(v, a)`` exceeds the best below ``(v, b)`` for all
    ``v`` in ``h``. Such a ``b`` is never optimal at ``h``, whatever the belief and the
    continuation play, so no sequentially rational profile uses it.
    """
    lo, hi = payoff_bounds(game)
    out: list[tuple[int, ...]] = []
    for h, kids in zip(game.infosets, child_tables(game), strict=True):
        p = h.player
        keep = []
        for b in range(len(h.actions)):
            dominated = any(a != b and bool(np.all(lo[kids[:, a], p] > hi[kids[:, b], p] + tol))
                            for a in range(len(h.actions)))
            if not dominated:
                keep.append(b)
        out.append(tuple(keep))
    return out


def pure_behaviour(game: ExtensiveFormGame, choice: Sequence[int]) -> list[np.ndarray]:
    """The pure behaviour profile choosing action ``choice[k]`` at information set ``k``."""
    out = []
    for h, a in zip(game.infosets, choice, strict=True):
        v = np.zeros(len(h.actions))
        v[a] = 1.0
        out.append(v)
    return out


def subtree_game(
    game: ExtensiveFormGame, root: int, replace: Mapping[int, np.ndarray] | None = None
) -> ExtensiveFormGame:
    """The subtree below ``root`` as a game of its own, with some subtrees cut off.

    Parameters
    ----------
    game
        The game.
    root
        A node that roots a subgame (see ``game.subgame_roots()``).
    replace
        Node -> payoff vector: those nodes (below ``root``) become terminals with these
        payoffs (used to roll back solved subgames).

    Information sets and chance moves keep their names, so a behaviour profile of the
    subgame maps back to the game by ``infoset.name``.
    """
    replace = replace or {}

    def build(v: int) -> Node:
        nd = game.nodes[v]
        if v != root and v in replace:
            return terminal([float(x) for x in replace[v]])
        if nd.kind == TERMINAL:
            return terminal(list(game.payoff_values[game.terminal_index(v)]))
        if nd.kind == DECISION:
            h = game.infosets[nd.infoset]
            acts = {a: build(c) for a, c in zip(h.actions, nd.children, strict=True)}
            return decision(game.players[nd.player], acts, infoset=h.name)
        assert nd.kind == CHANCE
        ci = game.chance_infos[nd.infoset]
        return chance({a: (p, build(c)) for a, p, c in zip(ci.actions, ci.probs, nd.children, strict=True)},
                      infoset=ci.name)

    return ExtensiveFormGame(build(root), players=game.players, title=f"subgame at {game.nodes[root].path}",
                             check_labels=False)


class BatchTree:
    """Realisation probabilities and node values of many behaviour profiles at once.

    Built from the game's public node data; :meth:`evaluate` takes profiles as one array of
    concatenated behaviour vectors per profile (``(profiles, actions)``, information sets in
    game order) and returns ``(reach, edge, values)`` with shapes ``(profiles, nodes)``,
    ``(profiles, nodes)`` and ``(profiles, nodes, players)``, as
    ``game.realization_probabilities``, ``game.edge_probabilities`` and ``game.node_values`` would
    for each profile.
    """

    def __init__(self, game: ExtensiveFormGame) -> None:
        n = len(game.nodes)
        self.parent = game._parent
        self.flat = game._edge_flat  # the flat action of a decision edge, -1 for chance edges and the root
        self.chance = game._chance_prob.copy()  # 1 on decision edges
        self.decision = game._decision_edge
        self.levels = list(game._levels) if n > 1 else []
        self.terminals = np.array(game.terminals, dtype=np.int64)
        self.payoffs = np.array(game.payoffs, dtype=float).reshape(len(game.terminals), game.num_players)
        self.n, self.players = n, game.num_players
        self._down: np.ndarray | None = None  # the levels in order, and reversed (:meth:`evaluate`)
        self._up: np.ndarray | None = None

    def evaluate(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(reach, edge, values)`` of the profiles ``flat`` (see the class documentation), in one
        compiled pass (:func:`_evaluate_batch`)."""
        if self._down is None or self._up is None:
            levels = self.levels or [np.zeros(0, np.int64)]
            self._down = np.concatenate(levels).astype(np.int64)
            self._up = np.concatenate(levels[::-1]).astype(np.int64)
        values = np.zeros((flat.shape[0], self.n, self.players))
        values[:, self.terminals] = self.payoffs
        reach, edge = _evaluate_batch(np.ascontiguousarray(flat, dtype=float), self.flat, self.chance,
                                      self._down, self._up, self.parent, values)
        return reach, edge, values


@njit
def _evaluate_batch(flat: np.ndarray, edge_flat: np.ndarray, chance: np.ndarray, down: np.ndarray,
                    up: np.ndarray, parent: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`BatchTree.evaluate` row by row, with the operations its numpy form had, in the same
    order (so the same numbers, to the bit): the edge probabilities (Nature's, or the profile's on
    a decision edge), the reach top down level by level (``down``: the levels in order, each in
    preorder), each node's the product of its parent's and its edge's, and the values (``values``,
    the terminals' payoffs set, filled in place) folded into the parents deepest level first, in
    node order within a level (``up``; ``values[p] += edge[c] * values[c]``, as ``np.add.at`` adds
    them, and as ``ExtensiveFormGame.node_values`` folds one profile)."""
    batch, n = flat.shape[0], chance.shape[0]
    edge = np.empty((batch, n))
    reach = np.ones((batch, n))
    for b in range(batch):
        for v in range(n):
            f = edge_flat[v]
            edge[b, v] = flat[b, f] if f >= 0 else chance[v]
        for v in down:
            reach[b, v] = reach[b, parent[v]] * edge[b, v]
        for c in up:
            p = parent[c]
            for i in range(values.shape[2]):
                values[b, p, i] += edge[b, c] * values[b, c, i]
    return reach, edge
