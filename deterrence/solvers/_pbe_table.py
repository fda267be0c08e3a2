"""Every pure profile of the PBE solver's search, evaluated once per solve.

The vertices of every support pattern that :mod:`deterrence.solvers.pbe` solves are pure
behaviour profiles over the actions that survive the conditional-dominance test, so they are
rows of one table: the pure profiles over those actions, numbered in mixed radix (the first
information set slowest, as ``itertools.product`` lists them). :class:`PureTable` evaluates
them all in one batch (:class:`~deterrence.solvers._tree_utils.BatchTree`) and gives a
pattern's vertices as row numbers, the information sets each pattern reaches, and the mover's
unnormalised payoff per action at a set under Bayes' rule (reach weights) or Nature's odds at
every row, computed once per set. The numbers are those the per-pattern batch evaluation gave
(the same rows of the same batch code).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..game.extensive import ExtensiveFormGame
from ._tree_utils import BatchTree

#: the most table entries (profiles x nodes x players) built; larger searches evaluate per pattern
MAX_TABLE_ENTRIES = 1_000_000


#: the most table layouts kept per tree (by the allowed actions, :func:`_layout`)
_LAYOUTS_MAX = 4


def _layout(game: ExtensiveFormGame, allowed: tuple[tuple[int, ...], ...]) -> tuple:
    """What :class:`PureTable` reads of the tree and the allowed actions alone, kept in the
    ``tree_cache`` (the points of a sweep mostly keep the same actions): the strides (an array and
    a list), per set the actions' positions and steps, the profiles as one array of concatenated
    behaviour vectors (``BatchTree.evaluate``'s input, read only), each row's positions, the
    sets' nodes and the sets' node indicators (read only)."""
    kept = game.tree_cache.setdefault("pure_table_layouts", {})
    hit = kept.get(allowed)
    if hit is not None:
        return hit
    sizes = [len(a) for a in allowed]
    strides = np.array([math.prod(sizes[k + 1:]) for k in range(len(sizes))], dtype=np.int64)
    pos = [{a: i for i, a in enumerate(acts)} for acts in allowed]
    #: per set, each table action's step in the row number (its position times the set's stride)
    steps = [{a: stride * i for a, i in p.items()} for stride, p in zip(strides.tolist(), pos, strict=True)]
    n = math.prod(sizes)
    offsets = np.cumsum([0] + [len(h.actions) for h in game.infosets])
    flat = np.zeros((n, int(offsets[-1])))
    rows = np.arange(n)
    for k, acts in enumerate(allowed):
        choice = np.asarray(acts, dtype=np.int64)[(rows // strides[k]) % sizes[k]]
        flat[rows, offsets[k] + choice] = 1.0
    #: per row and set, the row's action as its position among the set's table actions
    positions = np.stack([(rows // strides[k]) % sizes[k] for k in range(len(sizes))], axis=1) \
        if sizes else np.zeros((n, 0), dtype=np.int64)
    nodes = [np.asarray(h.nodes, dtype=np.int64) for h in game.infosets]
    members = np.zeros((len(game.infosets), len(game.nodes)))
    for k, v in enumerate(nodes):
        members[k, v] = 1.0
    for a in (strides, flat, positions, members, *nodes):
        a.setflags(write=False)
    if len(kept) >= _LAYOUTS_MAX:
        kept.clear()
    out = kept[allowed] = (strides, strides.tolist(), pos, steps, flat, positions, nodes, members)
    return out


class PureTable:
    """The pure profiles over ``allowed`` actions: (reach, edge, values) per row, and per-set payoffs.

    Parameters
    ----------
    game
        The tree.
    allowed
        Per information set, the actions the solver keeps.
    batch
        The tree's batch evaluator.
    kids, prior
        The solver's child tables (per set, ``(nodes, actions)`` child node numbers) and
        Nature's mass of every node.
    """

    def __init__(self, game: ExtensiveFormGame, allowed: Sequence[tuple[int, ...]], batch: BatchTree,
                 kids: Sequence[np.ndarray], prior: np.ndarray) -> None:
        self.game, self.kids, self.prior = game, kids, prior
        self.allowed = tuple(tuple(a) for a in allowed)
        self.strides, self._strides, self.pos, self.steps, flat, self.positions, self.nodes, self.members \
            = _layout(game, self.allowed)
        self.reach, self.edge, self.values = batch.evaluate(flat)
        #: what the solver works out about rows (``pbe._reach_plan``), kept for the solve
        self.plans: dict = {}
        #: per set and weight spec, the mover's payoffs at every row (``pbe._spec_payoffs``)
        self.spec_payoffs: dict[tuple, np.ndarray] = {}
        self._payoffs: dict[tuple[int, str], np.ndarray] = {}
        self._q: dict[int, np.ndarray] = {}

    @staticmethod
    def fits(game: ExtensiveFormGame, allowed: Sequence[tuple[int, ...]]) -> bool:
        """Whether the table of ``allowed`` stays within :data:`MAX_TABLE_ENTRIES`."""
        n = math.prod(len(a) for a in allowed)
        return n * len(game.nodes) * max(1, game.num_players) <= MAX_TABLE_ENTRIES

    def rows(self, pattern: Sequence[tuple[int, ...]], mixed: Sequence[int]) -> np.ndarray:
        """Row numbers of the pattern's vertices, in ``itertools.product`` order over ``mixed``."""
        return self.vertex_rows(self.pure_row(pattern), pattern, mixed)

    def pure_row(self, pattern: Sequence[tuple[int, ...]]) -> int:
        """The sum of the steps of the pattern's one-action sets: the row of a pattern without mixed
        sets (:meth:`rows`' only vertex), the base row of its vertices otherwise."""
        steps = self.steps
        return sum([steps[k][s[0]] for k, s in enumerate(pattern) if len(s) == 1])

    def vertex_rows(self, row: int, pattern: Sequence[tuple[int, ...]], mixed: Sequence[int]) -> np.ndarray:
        """:meth:`rows` from ``row``, the sum of the steps of the pattern's one-action sets."""
        out = [row]
        for k in mixed:
            step = self.steps[k]
            out = [r + step[a] for r in out for a in pattern[k]]
        return np.array(out, dtype=np.int64)

    def on_path(self, rows: np.ndarray) -> np.ndarray:
        """Per information set, whether some vertex profile reaches it (as the indicator profile
        of the pattern's supports does)."""
        reached = (self.reach[rows].max(axis=0) > 0).astype(float)
        return (self.members @ reached) > 0

    def row_of(self, beh: Sequence[np.ndarray]) -> int | None:
        """The row of a pure profile over the table's actions (``None`` for any other profile)."""
        row = 0
        for k, b in enumerate(beh):
            probs = b.tolist()
            if 1.0 not in probs or probs.count(0.0) != len(probs) - 1:
                return None
            p = self.pos[k].get(probs.index(1.0))
            if p is None:
                return None
            row += int(self.strides[k]) * p
        return row

    def evaluated(self, row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The (reach, edge probabilities, node values) of row ``row``'s profile, read only, as
        ``game.realization_probabilities``, ``game.edge_probabilities`` and ``game.node_values``
        give them to the bit (the same products top down; the values folded in the same order,
        deepest level first and node order within a level, as ``np.add.at`` adds them); ``None``
        on a deep, narrow tree, where ``node_values`` folds in node order instead."""
        if self.game._deep:
            return None
        return self.reach[row], self.edge[row], self.values[row]

    def answer_values(self, row: int, k: int, b: int) -> np.ndarray | None:
        """The node values of row ``row``'s profile with action ``b`` played at set ``k``, read
        only: those of the row with ``b`` forced at ``k`` (:meth:`forced_row`), which are
        ``game.node_values`` of the profile under its edge probabilities with ``b``'s at ``k``'s
        edges, to the bit (:meth:`evaluated`); ``None`` if ``b`` is not a table action or on a
        deep tree."""
        forced = self.forced_row(row, [(k, b)])
        if forced is None or self.game._deep:
            return None
        return self.values[forced]

    def forced_row(self, row: int | np.ndarray, devs: Sequence[tuple[int, int]]) -> int | np.ndarray | None:
        """Row ``row`` (or each of an integer array of rows, the same integer steps) with every
        (set, action) of ``devs`` played instead (``None`` if an action is not in the table)."""
        out = row
        for k, a in devs:
            p = self.pos[k].get(a)
            if p is None:
                return None
            stride = self._strides[k]
            out = out + stride * (p - (out // stride) % len(self.pos[k]))
        return out

    def forced_reach(self, beh: Sequence[np.ndarray], devs: Sequence[tuple[int, int]]) -> np.ndarray | None:
        """Reach probabilities of the pure profile ``beh`` with every (set, action) of ``devs``
        played instead (``None`` if that profile is not in the table)."""
        row = self.row_of(beh)
        return None if row is None else self.forced_reach_of_row(row, devs)

    def forced_reach_of_row(self, row: int, devs: Sequence[tuple[int, int]]) -> np.ndarray | None:
        """:meth:`forced_reach` of the profile of table row ``row``."""
        forced = self.forced_row(row, devs)
        return None if forced is None else self.reach[forced]

    def q(self, k: int) -> np.ndarray:
        """The mover's payoff below each action at each node of set ``k`` at every row,
        ``(rows, nodes, actions)``, cached."""
        out = self._q.get(k)
        if out is None:
            out = self._q[k] = self.values[:, self.kids[k], self.game.infosets[k].player]
        return out

    def payoffs(self, k: int, kind: str) -> np.ndarray:
        """The mover's unnormalised payoff per action at set ``k`` at every row, ``(rows, actions)``:
        weights ``"reach"`` (Bayes' rule on the path) or ``"prior"`` (Nature's odds)."""
        key = (k, kind)
        out = self._payoffs.get(key)
        if out is None:
            q = self.q(k)
            nodes = self.nodes[k]
            if kind == "reach":
                out = np.einsum("cn,cna->ca", self.reach[:, nodes], q)
            else:
                weights = np.broadcast_to(self.prior[nodes], (q.shape[0], len(nodes)))
                out = np.einsum("cn,cna->ca", weights, q)
            self._payoffs[key] = out
        return out
