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
completion of the rest; the bounds are brought up to date only where a verdict is not
remembered (:class:`_Search`). Where the relation has a cycle, or the tree lacks perfect recall
(the solver requires it), the test runs on complete patterns only (bounds from the leaves up,
which needs no order).
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence

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
        sets below) -> passes``, in the order the search first meets them; the search is a
        function of them (left empty when the sets have no order, or the tree lacks perfect
        recall, and complete patterns are tested instead).
    """
    options = [subsets(a) if mixed else [(x,) for x in a] for a in allowed]
    bounds = _Bounds(game, possible, tol)
    order = _order(game) if game.has_perfect_recall() else None
    if order is None:
        found = [p for p in itertools.product(*options) if _passes_all(bounds, p)]
        return ([p for p in found if all(len(s) == 1 for s in p)],
                [p for p in found if any(len(s) > 1 for s in p)])
    if not order:
        return [()], []
    search = _Search(bounds, order, options, _below(game), {} if memo is None else memo)
    search.visit(0, 0, False)
    return search.listed()


def _passes_all(bounds: _Bounds, pattern: Pattern) -> bool:
    """The test at every set of a complete pattern (bounds from the leaves up)."""
    bounds.assign_all(pattern)
    return all(bounds.passes(k, pattern[k]) for k in range(len(pattern)))


def _getter(indices: Sequence[int]) -> Callable[[list[tuple[int, ...]]], tuple[tuple[int, ...], ...]]:
    """A function giving the tuple of a list's items at ``indices`` (the supports of those sets)."""
    if not indices:
        return lambda _: ()
    if len(indices) == 1:
        i = indices[0]
        return lambda assigned: (assigned[i],)
    return operator.itemgetter(*indices)


class _Search:
    """The depth-first search over a topological order of the sets (``order``: every set below a
    set comes before it), adding the patterns that pass, with their keys in product order, to
    :attr:`pure` and :attr:`mixed`.

    A set's test depends only on the supports of the sets below it (``below``), so its verdicts
    are remembered by those (``memo``, which also gives the search's order of first visits). The
    bounds are brought up to date lazily, only when a verdict is not remembered: the sets below
    the tested set whose support, or the supports below them, changed since their nodes were
    last assigned are assigned again, deepest first (:meth:`_bring_up`). With perfect recall no
    set has a node below another of its nodes, so the bounds at a set's nodes are a function of
    its own support and the supports below it (min and max of its children's bounds, the chance
    children's expected bounds taken by the same products from the same values): each bound read,
    and so each verdict, is the one of assigning every set on the way down.
    """

    def __init__(self, bounds: _Bounds, order: list[int], options: list[list[tuple[int, ...]]],
                 below: dict[int, set[int]], memo: dict[tuple, bool]) -> None:
        self.bounds, self.order, self.options, self.memo = bounds, order, options, memo
        n = len(options)
        #: per set, the sets its test reads, in the search's order (deepest first): :func:`_reads`
        self.reads = _reads(order, below)
        #: per set, the supports below it (its memo's context)
        self.context = [_getter(sorted(below[k])) for k in range(n)]
        self.assigned: list[tuple[int, ...]] = [()] * n
        #: per set, the support and the supports below it when its nodes were last assigned
        self.written: list[tuple | None] = [None] * n
        #: a pattern's place in product order: the sum over the sets of its support's rank
        #: times these weights
        self.weights = [math.prod(len(o) for o in options[k + 1:]) for k in range(n)]
        #: per set and supports below it, :meth:`_passing`
        self.passing: dict[tuple[int, tuple], list[tuple[int, tuple[int, ...], bool]]] = {}
        self.pure: tuple[list[int], list[Pattern]] = ([], [])
        self.mixed: tuple[list[int], list[Pattern]] = ([], [])

    def visit(self, depth: int, key: int, mixing: bool) -> None:
        """Try every support of the set at ``depth`` (``key``: the product-order key of the
        supports above it in the order; ``mixing``: whether one of them mixes)."""
        k = self.order[depth]
        assigned = self.assigned
        context = self.context[k](assigned)
        supports: Iterable[tuple[int, tuple[int, ...], bool]] | None = self.passing.get((k, context))
        if supports is None:
            supports = self._tested(k, context, self.passing.setdefault((k, context), []))
        if depth < len(self.order) - 1:
            for offset, support, mixes in supports:
                assigned[k] = support
                self.visit(depth + 1, key + offset, mixing or mixes)
            return
        for offset, support, mixes in supports:
            assigned[k] = support
            keys, found = self.mixed if mixing or mixes else self.pure
            keys.append(key + offset)
            found.append(tuple(assigned))

    def _tested(self, k: int, context: tuple, passing: list[tuple[int, tuple[int, ...], bool]]
                ) -> Iterator[tuple[int, tuple[int, ...], bool]]:
        """The supports of set ``k`` that pass under the supports below it (``context``), each
        with its part of the product-order key and whether it mixes, also added to ``passing``;
        the verdicts taken from the memo, or tested and remembered there, one support at a time
        (the search below a support runs before the next one is tested: the memo's order). The
        search below ``k`` never comes back to ``k``, so the next visit under this context finds
        ``passing`` complete."""
        memo, weight = self.memo, self.weights[k]
        rows: list[bool] | None = None
        for rank, support in enumerate(self.options[k]):
            memo_key = (k, support, context)
            ok = memo.get(memo_key)
            if ok is None:
                if rows is None:
                    rows = self._rows(k)
                ok = memo[memo_key] = all(rows[a] for a in support)
            if ok:
                item = (rank * weight, support, len(support) > 1)
                passing.append(item)
                yield item

    def _rows(self, k: int) -> list[bool]:
        """Per action ``a`` of set ``k``, whether the test passes for ``a`` against every other
        action (a support passes where all its actions do; the bounds brought up to date)."""
        self._bring_up(k)
        self.bounds.refresh(k)
        return self.bounds.verdicts(k).all(axis=1).tolist()

    def _bring_up(self, k: int) -> None:
        """Assign again, deepest first, the sets whose bounds the test at ``k`` reads (:func:`_reads`)
        and whose nodes were last assigned under other supports (their own or those below them).
        A set is assigned at all its nodes, so the sets below any of them are brought up first;
        then its nodes' bounds are those of assigning every set on the way down."""
        assigned, written, context, bounds = self.assigned, self.written, self.context, self.bounds
        for j in self.reads[k]:
            now = (assigned[j], context[j](assigned))
            if written[j] != now:
                bounds.refresh(j)
                bounds.assign(j, assigned[j])
                written[j] = now

    def listed(self) -> tuple[list[Pattern], list[Pattern]]:
        """The pure and the mixed patterns found, each in product order."""
        return _in_order(*self.pure), _in_order(*self.mixed)


def _reads(order: list[int], below: dict[int, set[int]]) -> list[list[int]]:
    """Per set ``k``, the sets whose bounds its test reads, in the order ``order`` (every set
    below a set before it): the sets below ``k`` and, since a set is assigned at all its nodes,
    the sets below each of those, and so on (a set below ``k`` may have other nodes elsewhere in
    the tree, with other sets below them)."""
    closure: dict[int, set[int]] = {}
    for k in order:
        closure[k] = set(below[k]).union(*(closure[j] for j in below[k]))
    position = {k: i for i, k in enumerate(order)}
    return [sorted(closure[k], key=position.__getitem__) for k in range(len(order))]


def _in_order(keys: list[int], found: list[Pattern]) -> list[Pattern]:
    """``found`` sorted by ``keys`` (distinct)."""
    return [found[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]
