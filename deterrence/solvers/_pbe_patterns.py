"""The support patterns the PBE solver examines, pruned by a necessary condition.

A support pattern gives every information set a non-empty set of actions it plays with
positive probability. :func:`feasible_patterns` lists, in the order
``itertools.product(*(subsets of allowed actions))`` would, only the patterns that pass this
test at every set ``h`` of player ``i`` with support ``S``:

    for each ``a`` in ``S`` and each other action ``b`` of ``h``, at some node ``v`` of ``h`` that
    Nature reaches with positive probability, ``hi(v, a) >= lo(v, b) − tol``,

where ``lo`` and ``hi`` bound player ``i``'s continuation payoff after the action at ``v`` over all
profiles with the pattern's supports (a decision node takes the smallest / largest bound over
its set's support, a chance node the expected bounds). The test is necessary for every PBE the
solver keeps: there an action in the support is optimal, up to ``tol``, under some belief over
the possible nodes (Nature's zero-probability nodes carry no belief) and the pattern's
continuation, so some node of the belief's support favours it; with pure supports below ``h``
the bounds are exact.

The sets are assigned deepest first (a depth-first search over a topological order of the
relation "has a node below"), so a support that fails is dropped together with every
completion of the rest; where the relation has a cycle the test runs on complete patterns
only (bounds from the leaves up, which needs no order).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from ..game.extensive import CHANCE, DECISION, ExtensiveFormGame

Pattern = tuple[tuple[int, ...], ...]


def subsets(actions: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Non-empty subsets of ``actions``: singletons first, then pairs, ... (the pattern order)."""
    return [c for r in range(1, len(actions) + 1) for c in itertools.combinations(actions, r)]


def _below(game: ExtensiveFormGame) -> dict[int, set[int]]:
    """For each information set, the other sets with a node below one of its nodes (read from
    the tree alone: kept in the game's ``tree_cache``, shared; callers must not change it)."""
    below: dict[int, set[int]] | None = game.tree_cache.get("pbe_sets_below")
    if below is not None:
        return below
    below = {h.index: set() for h in game.infosets}
    for h in game.infosets:
        for v in h.nodes:
            for w in range(v + 1, game.nodes[v].end):
                nd = game.nodes[w]
                if nd.kind == DECISION and nd.infoset != h.index:
                    below[h.index].add(nd.infoset)
    game.tree_cache["pbe_sets_below"] = below
    return below


def _order(game: ExtensiveFormGame) -> list[int] | None:
    """Information sets so that every set with a node below a node of ``h`` comes before ``h``
    (``None`` if the relation has a cycle; kept in the game's ``tree_cache``, shared: callers
    must not change it)."""
    if "pbe_set_order" not in game.tree_cache:
        game.tree_cache["pbe_set_order"] = _order_of(_below(game))
    return game.tree_cache["pbe_set_order"]  # type: ignore[no-any-return]


def _order_of(below: dict[int, set[int]]) -> list[int] | None:
    """:func:`_order` worked out."""
    order: list[int] = []
    done: set[int] = set()
    pending = sorted(below, key=lambda k: len(below[k]))
    while pending:
        ready = [k for k in pending if below[k] <= done]
        if not ready:
            return None
        for k in ready:
            order.append(k)
            done.add(k)
        pending = [k for k in pending if k not in done]
    return order


class _Bounds:
    """Lower and upper payoff bounds per node under the supports assigned so far."""

    def __init__(self, game: ExtensiveFormGame, possible: Sequence[np.ndarray], tol: float) -> None:
        self.game, self.tol = game, tol
        n = len(game.nodes)
        self.lo = np.zeros((n, game.num_players))
        self.hi = np.zeros((n, game.num_players))
        for v in game.terminals:
            self.lo[v] = self.hi[v] = game.payoffs[game.terminal_index(v)]
        self.kids = [np.array([game.nodes[v].children for v in h.nodes], dtype=np.int64)[possible[h.index]]
                     for h in game.infosets]
        self.all_kids = [np.array([game.nodes[v].children for v in h.nodes], dtype=np.int64)
                         for h in game.infosets]
        self.probs = {nd.index: game._chance_prob[list(nd.children)]
                      for nd in game.nodes if nd.kind == CHANCE}
        # per set and action, the children that are chance nodes
        self.chance_kids = [[[int(c) for c in kids[:, a] if game.nodes[c].kind == CHANCE]
                             for a in range(kids.shape[1])] for kids in self.all_kids]
        #: per set, every child of its nodes that is a chance node (what :meth:`refresh` updates)
        self.set_chance_kids = [sorted({c for per in kids for c in per}) for kids in self.chance_kids]
        self._assign_at: dict[tuple[int, tuple[int, ...]], tuple[np.ndarray, np.ndarray]] = {}
        #: the sets with a node below another of their nodes (none with perfect recall): assigning
        #: one changes the bounds below it
        self.nested = set() if game.has_perfect_recall() else {
            h.index for h in game.infosets for v in h.nodes
            if any(game.nodes[w].kind == DECISION and game.nodes[w].infoset == h.index
                   for w in range(v + 1, game.nodes[v].end))}
        #: per chance node, the chance nodes below it through chance moves only, children first,
        #: each with its children and their probabilities: the order ``_chance`` updates them in
        self._chance_steps: dict[int, list[tuple[int, list[int], np.ndarray]]] = {}
        for nd in reversed(game.nodes):  # children before parents
            if nd.kind == CHANCE:
                kids = list(nd.children)
                steps = [st for c in kids if game.nodes[c].kind == CHANCE for st in self._chance_steps[c]]
                self._chance_steps[nd.index] = [*steps, (nd.index, np.array(kids, dtype=np.int64),
                                                         self.probs[nd.index])]

    def _chance(self, v: int) -> None:
        """Expected bounds at a chance node from its children (chance children first, depth first)."""
        lo, hi = self.lo, self.hi
        for u, kids, p in self._chance_steps[v]:
            lo[u] = p @ lo[kids]
            hi[u] = p @ hi[kids]

    def refresh(self, k: int) -> None:
        """Expected bounds at every chance node that is a child of a node of set ``k`` (the sets
        below ``k`` already assigned): what :meth:`verdicts` and :meth:`assign` read there."""
        for c in self.set_chance_kids[k]:
            self._chance(c)

    def assign(self, k: int, support: tuple[int, ...]) -> None:
        """Bounds at the nodes of set ``k`` playing ``support`` (the sets below already assigned
        and the chance children of ``k`` refreshed, :meth:`refresh`)."""
        key = (k, support)
        at = self._assign_at.get(key)
        if at is None:
            at = self._assign_at[key] = (np.array(self.game.infosets[k].nodes, dtype=np.int64),
                                         self.all_kids[k][:, list(support)])
        nodes, kids = at
        self.lo[nodes] = self.lo[kids].min(axis=1)
        self.hi[nodes] = self.hi[kids].max(axis=1)

    def assign_all(self, pattern: Pattern) -> None:
        """Bounds at every node under a complete pattern, from the leaves up (any order of sets)."""
        game = self.game
        for nd in reversed(game.nodes):
            v = nd.index
            if nd.kind == DECISION:
                cs = [nd.children[a] for a in pattern[nd.infoset]]
                self.lo[v] = self.lo[cs].min(axis=0)
                self.hi[v] = self.hi[cs].max(axis=0)
            elif nd.kind == CHANCE:
                kids = list(nd.children)
                self.lo[v] = self.probs[v] @ self.lo[kids]
                self.hi[v] = self.probs[v] @ self.hi[kids]

    def verdicts(self, k: int) -> np.ndarray:
        """The necessary condition at set ``k`` for every pair of its actions, ``(a, b)``: some
        possible node where ``a`` may do as well as ``b`` (up to ``tol``; true where ``a == b``).
        A support passes where all its rows are true. The children's bounds must be current."""
        kids = self.kids[k]
        p = self.game.infosets[k].player
        lo, hi = self.lo[kids, p], self.hi[kids, p]  # possible nodes x actions
        ok = (hi[:, :, None] >= lo[:, None, :] - self.tol).any(axis=0)  # (actions, actions)
        np.fill_diagonal(ok, True)
        return ok

    def passes(self, k: int, support: tuple[int, ...]) -> bool:
        """The necessary condition at set ``k`` (the sets below assigned)."""
        self.refresh(k)
        return bool(self.verdicts(k)[list(support)].all())


def feasible_patterns(game: ExtensiveFormGame, allowed: Sequence[tuple[int, ...]],
                      possible: Sequence[np.ndarray], tol: float, mixed: bool = True,
                      memo: dict[tuple, bool] | None = None) -> tuple[list[Pattern], list[Pattern]]:
    """The pure and the mixed patterns passing the test, each list in ``itertools.product`` order.

    Parameters
    ----------
    game
        The tree.
    allowed
        Per set, the actions the solver keeps (not conditionally dominated).
    possible
        Per set, the mask of its nodes that Nature reaches with positive probability (all if
        none is).
    tol
        The solver's tolerance.
    mixed
        ``False``: pure profiles only (no mixed pattern is listed).
    memo
        Filled with every verdict of the depth-first search, ``(set, support, supports of the
        sets below) -> passes``; the search is a function of them (left empty when the sets
        have no order and complete patterns are tested instead).
    """
    options = [subsets(a) if mixed else [(x,) for x in a] for a in allowed]
    rank = [{s: i for i, s in enumerate(opts)} for opts in options]
    found: list[Pattern] = []
    bounds = _Bounds(game, possible, tol)
    order = _order(game)
    if order is None:
        for pattern in itertools.product(*options):
            bounds.assign_all(pattern)
            if all(bounds.passes(k, pattern[k]) for k in range(len(pattern))):
                found.append(pattern)
    else:
        assigned: list[tuple[int, ...]] = [()] * len(allowed)
        below = {k: sorted(v) for k, v in _below(game).items()}
        memo = {} if memo is None else memo
        if order:
            _search(bounds, order, 0, options, assigned, below, memo, found)
        else:
            found.append(())
    found.sort(key=lambda p: tuple(r[s] for r, s in zip(rank, p, strict=True)))
    pure = [p for p in found if all(len(s) == 1 for s in p)]
    mixed = [p for p in found if any(len(s) > 1 for s in p)]
    return pure, mixed


def _search(bounds: _Bounds, order: list[int], depth: int, options: list[list[tuple[int, ...]]],
            assigned: list[tuple[int, ...]], below: dict[int, list[int]], memo: dict[tuple, bool],
            found: list[Pattern]) -> None:
    """Depth-first over ``order``, adding the patterns that pass to ``found``; a set's test
    depends only on the supports of the sets below it, so its verdicts are remembered by those.

    The bounds at the children of set ``k`` stay as they are while its supports are tried
    (the deeper search assigns only sets that are not below ``k``), so they are refreshed and
    the verdicts of all supports taken once per visit; the last set of the order is not
    assigned (no set reads its bounds)."""
    k = order[depth]
    last = depth == len(order) - 1
    context = tuple(assigned[j] for j in below[k])
    fresh = False
    table: np.ndarray | None = None
    for support in options[k]:
        key = (k, support, context)
        ok = memo.get(key)
        if ok is None or not last:
            if not fresh:
                bounds.refresh(k)
                fresh, table = True, None
            if ok is None:
                if table is None:
                    table = bounds.verdicts(k)
                ok = memo[key] = bool(table[list(support)].all())
        if not ok:
            continue
        assigned[k] = support
        if last:
            found.append(tuple(assigned))
            continue
        bounds.assign(k, support)
        fresh = fresh and k not in bounds.nested
        _search(bounds, order, depth + 1, options, assigned, below, memo, found)
