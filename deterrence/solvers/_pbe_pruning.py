"""Belief-free and belief-support pruning for the PBE solver (private).

Two sound reductions of the search of :mod:`deterrence.solvers.pbe`, applied before any
indifference system is solved. Both only drop actions or support patterns that hold no PBE the
solver keeps, under *every* belief policy (``free``, ``prior``, ``d1``).

Iterated conditional strict dominance (:func:`iterated_undominated_actions`)
    Action ``b`` at set ``h`` (player ``i``) is dropped when some action ``a`` does strictly
    better (by more than ``tol``) at every node ``v`` of ``h`` for every continuation still
    allowed: ``lo(v, a) > hi(v, b) + tol``, where ``lo``/``hi`` bound ``i``'s payoff below the
    child over all behaviour profiles that play only allowed actions at the sets below (a decision
    node takes the min / max over its allowed children, a chance node the expectation of its
    children's bounds). The allowed actions shrink and the bounds are recomputed until nothing
    changes. The first round is :func:`deterrence.solvers._tree_utils.undominated_actions`.

    *Proof.* By induction on the rounds: suppose no PBE plays (with positive probability) an
    action dropped in an earlier round. In a PBE, the continuation payoff after ``(v, b)`` is
    the value of a profile playing only allowed actions below, so it lies in
    ``[lo(v, b), hi(v, b)]``; likewise after ``(v, a)``. Whatever the belief ``μ`` at ``h``
    (Bayes, carried forward, Nature's odds, D1 or free: every policy puts it on the nodes of
    ``h``), ``μ·Q(a) − μ·Q(b) > tol``, so ``b`` is not optimal and no PBE plays it.
    Ties are never dropped (the inequality is strict with the tolerance on the safe side).
    The pruning is belief-free: it uses no belief, so it holds for every policy.

Belief support of a support pattern (:class:`BeliefSupportPruner`)
    In a profile whose supports are exactly the pattern ``P``, a node is reached with positive
    probability iff every move on its path is in ``P`` and every chance move on it has positive
    probability; call these nodes ``R(P)``. At a set ``h`` that meets ``R(P)`` Bayes' rule fixes
    the belief, under every policy, with support exactly ``R(P) ∩ h``. Each action ``a`` in the
    support ``P(h)`` must then be optimal: ``μ·Q(a) ≥ μ·Q(b) − tol`` for every action ``b``. As
    ``Q(v, a) ≤ hi(v, a)`` and ``Q(v, b) ≥ lo(v, b)`` (bounds over the pattern's supports
    below ``h``, as in :mod:`deterrence.solvers._pbe_patterns`), some node of ``R(P) ∩ h`` has
    ``hi(v, a) ≥ lo(v, b) − tol`` (a weighted average exceeding ``−tol`` has a term that
    does). When moreover every player move above ``h`` in ``P`` is pure, the belief is known
    exactly: Nature's odds restricted to ``R(P) ∩ h``, and the test becomes
    ``μ·hi(a) ≥ μ·lo(b) − tol``. A pattern failing either test at some reached set holds no PBE.
    The test of :mod:`deterrence.solvers._pbe_patterns` uses all nodes Nature can reach
    instead of ``R(P) ∩ h`` (the reached nodes are not known in its deepest-first search),
    so this one is strictly stronger on the sets the pattern reaches. It uses only Bayes'
    rule on the path, which every policy shares.

    At a set the pattern does not reach the belief is the policy's, and two policies pin it down
    enough to test there too (``belief_kinds``, given by the solver from
    :func:`~deterrence.solvers._pbe_beliefs.unreached_belief_kinds`). Under ``prior``, at a set
    whose mover has not moved before (:data:`NATURE`), it is Nature's odds on the nodes Nature
    reaches, whatever the profile: the exact test above with those odds. Under ``d1``, and under
    ``prior`` at the other sets (:data:`SOME_SUBSET`), it is the belief carried forward from the
    mover's previous set, or the D1 belief (Bayes' rule after the chosen types' deviations), or
    Nature's odds; when every player move above the set is pure and Nature reaches every node,
    each weighs a node by Nature's probability of it or by 0, so it is Nature's odds on some
    non-empty subset of the nodes, and the test is that each support action passes the exact
    test under the odds on some subset (the same subset for all of them where the set's support
    is read whole, :func:`_some_subset_passes`; each action on its own where its passing actions
    are kept, :func:`_subset_passing`: weaker, still necessary). Under ``free`` (any belief that
    supports the move) unreached sets are left alone.

All the patterns of a solve are tested in one compiled pass (:meth:`BeliefSupportPruner.admits_all`):
per pattern the test at every set until one fails, each pattern keeping from the one before the
verdicts that read no set whose support changed. The test at a set is one condition per support
action, and the set's own support changes none of them (they read the bounds below the set and the
reach above it), so the kernel computes the set's *passing actions* (those that would pass as
support actions; a support passes iff all its actions do) and writes them to a table under two
keys that determine them (the supports at every other set the test reads; and the supports at the
sets below with, for the sets above, only the bits it reads of them: which of its nodes have
positive reach and whether every set above is pure), so that a later pattern with the same key,
whatever its support at the set, finds them (the keys are kept up to date as supports change);
the reach of a node is read from the products with every decision move in the supports (the
same numbers), and the support bounds are refolded only below the set tested and only where a
support changed (the same numbers and verdicts as a pass over the pattern alone, see
:func:`_admits_kernel`); the sets each admitted pattern reaches come from the same path bits
(:meth:`BeliefSupportPruner.reached`), and the indicators and support ranks of a pattern list are
kept for the next solve of the same list (a sweep's points share it).

Indifference systems with no root inside the box (:func:`no_interior_root`)
    Before a pattern's system goes to the Gröbner basis, its equations (exact integer
    coefficients, unknowns ``x > 0`` inside the box) are row-reduced exactly. Every row of the
    reduced echelon form is a linear combination of the equations, so it vanishes at every
    common root; if one row has all its nonzero coefficients of one sign it is a sum of
    positive monomials (or of negative ones) inside the box and cannot vanish there: the
    system has no interior root. (Two Defender types whose indifference conditions differ by
    one term give such a row; the lex Gröbner basis finds the same ``[1]`` but can take a minute
    on the 50-digit coefficients that float payoffs give.) When a row of one term settles it,
    :func:`root_screen` also names the equations that row combines: any system with those
    equations (renamed injectively) is ruled out too, which the solver remembers
    (:meth:`deterrence.solvers._pbe_exact.ExactTree.note_one_term`).

The pattern list of :func:`deterrence.solvers._pbe_patterns.feasible_patterns` is remembered
across calls by :func:`cached_patterns`, keyed on the tree's shape and the *order* of each
player's terminal payoffs (see there): in a sweep over points that keep a model's orderings
the deepest-first search runs once.

``ENABLED`` switches both reductions off for the soundness tests (the oracle examines every
pattern the older test admits); it is not a user option.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

from .._jit import njit
from ..game.extensive import CHANCE, DECISION, ExtensiveFormGame
from ._pbe_patterns import Pattern, _below, feasible_patterns
from ._tree_utils import BatchTree, child_tables, undominated_actions

ENABLED = True  # the soundness tests switch the pruning off to compare (not a user option)


class SupportBounds:
    """Smallest and largest payoff of each player below each node when every information set
    plays only the actions of a support pattern (decision nodes: min / max over the support's
    children; chance nodes: Nature's expectation of the children's bounds), in one compiled pass
    over the nodes, deepest level first.

    Parameters
    ----------
    tree
        The tree's batch evaluator (:class:`~deterrence.solvers._tree_utils.BatchTree`).
    offsets
        Where each information set's actions start among all actions (last entry: their number).
    """

    def __init__(self, tree: BatchTree, offsets: np.ndarray) -> None:
        self.tree, self.offsets = tree, offsets
        self._order, self._start_lo, self._start_hi = _bounds_start(tree)

    def __call__(self, pattern: Pattern) -> tuple[np.ndarray, np.ndarray]:
        t = self.tree
        ind = np.zeros(int(self.offsets[-1]), dtype=np.bool_)
        for k, s in enumerate(pattern):
            for a in s:
                ind[self.offsets[k] + a] = True
        lo, hi = self._start_lo.copy(), self._start_hi.copy()
        _bounds_kernel(self._order, t.parent, t.flat, t.chance, t.decision, ind, lo, hi)
        return lo, hi


def _action_offsets(game: ExtensiveFormGame) -> np.ndarray:
    return np.cumsum([0] + [len(h.actions) for h in game.infosets])


def iterated_undominated_actions(game: ExtensiveFormGame, tol: float = 1e-12) -> list[tuple[int, ...]]:
    """Per information set, the actions that survive iterated conditional strict dominance.

    See the module documentation for the rule and its proof. With ``ENABLED`` off, only the
    first round (:func:`deterrence.solvers._tree_utils.undominated_actions`).

    Kept in the tree's ``tree_cache`` by what the rounds read of the payoffs when that is their
    order (:func:`_dominance_key`): the points of a sweep that keep a model's orderings share one
    result (the asymmetric escalation game: every point of its domain).
    """
    if not ENABLED:
        return undominated_actions(game, tol)
    order = _dominance_key(game, tol)
    if order is None:
        return _iterated_undominated(game, tol)
    kept = game.tree_cache.setdefault("undominated_by_order", {})
    hit = kept.get((order, tol))
    if hit is None:
        hit = tuple(_iterated_undominated(game, tol))
        if len(kept) >= _DOMINANCE_MAX:
            kept.clear()
        kept[(order, tol)] = hit
    return list(hit)


#: the most dominance results kept per tree (by payoff order, :func:`iterated_undominated_actions`)
_DOMINANCE_MAX = 64


def _iterated_undominated(game: ExtensiveFormGame, tol: float) -> list[tuple[int, ...]]:
    """:func:`iterated_undominated_actions` worked out."""
    allowed = undominated_actions(game, tol)
    tables = child_tables(game)
    bounds = SupportBounds(BatchTree(game), _action_offsets(game))
    while True:
        lo, hi = bounds(allowed)
        new: list[tuple[int, ...]] = []
        for h, kids, acts in zip(game.infosets, tables, allowed, strict=True):
            p = h.player
            keep = tuple(b for b in acts if not any(
                a != b and bool(np.all(lo[kids[:, a], p] > hi[kids[:, b], p] + tol)) for a in acts))
            new.append(keep)
        if new == allowed:
            return allowed
        allowed = new


class BeliefSupportPruner:
    """The belief-support test of support patterns (see the module documentation), for many
    patterns in one compiled pass (:meth:`admits_all`).

    Parameters
    ----------
    game
        The tree.
    possible
        Per set, the mask of its nodes that Nature reaches with positive probability.
    tol
        The solver's tolerance.
    tree, kids
        The solver's batch evaluator and child tables of the same game, if it has them (built
        here otherwise).
    belief_kinds
        Per set, what its belief is known to be wherever a pattern does not reach it (:data:`ANY`,
        :data:`NATURE` or :data:`SOME_SUBSET`: under the solver's policy,
        :func:`~deterrence.solvers._pbe_beliefs.unreached_belief_kinds`); the sets of the last two
        kinds are tested there too. ``None``: :data:`ANY` at every set (the test holds at every
        set a pattern does not reach: right under every policy).
    """

    def __init__(self, game: ExtensiveFormGame, possible: Sequence[np.ndarray], tol: float,
                 tree: BatchTree | None = None, kids: Sequence[np.ndarray] | None = None,
                 belief_kinds: Sequence[int] | None = None) -> None:
        self.game, self.tol = game, tol
        n_sets = len(game.infosets)
        self._kinds = np.full(n_sets, ANY, dtype=np.int64) if belief_kinds is None else \
            np.array(belief_kinds, dtype=np.int64).reshape(n_sets)
        kids = child_tables(game) if kids is None else kids
        self.offsets = _action_offsets(game)
        self._bounds = SupportBounds(BatchTree(game) if tree is None else tree, self.offsets)
        self._sets = _SetTables(game, possible, kids, self._above(game))
        self._steps = _step_tables(game, self._bounds._order)
        t = self._bounds.tree
        self._full = _full_reach(self._bounds._order, t.parent, t.chance, t.decision)
        self.dropped = 0

    @staticmethod
    def _above(game: ExtensiveFormGame) -> list[list[int]]:
        """For each information set, the sets with a decision node on the path to one of its nodes
        (kept in the game's ``tree_cache``, stored only once complete: a solve interrupted while
        it is built, or another thread, never finds part of it)."""
        out: list[list[int]] | None = game.tree_cache.get("sets_above")
        if out is not None:
            return out
        out = []
        for h in game.infosets:
            seen: set[int] = set()
            for v in h.nodes:
                p = game.nodes[v].parent
                while p >= 0:
                    if game.nodes[p].kind != CHANCE:
                        seen.add(game.nodes[p].infoset)
                    p = game.nodes[p].parent
            out.append(sorted(seen))
        game.tree_cache["sets_above"] = out
        return out

    def indicators(self, patterns: Sequence[Pattern]) -> np.ndarray:
        """The patterns' support indicators, ``(patterns, actions)`` booleans (sets in game order),
        read-only; the last few lists' are remembered (a sweep's points share their pattern lists,
        :func:`cached_patterns`, and a list equal to a remembered one gets its indicators)."""
        return self._listed(patterns)[0]

    def _listed(self, patterns: Sequence[Pattern]) -> tuple[np.ndarray, ...]:
        """:meth:`indicators` and the supports as :func:`_support_ranks` gives them (ranks, counts and
        the sets that change from one pattern to the next), remembered together."""
        offsets = tuple(self.offsets.tolist())
        for kept_offsets, kept_patterns, arrays in _INDICATORS:
            if kept_offsets == offsets and kept_patterns == patterns:
                return arrays
        ind = self._indicators(patterns)
        arrays = (ind, *_support_ranks(ind, self._sets.offsets))
        for a in arrays:
            a.setflags(write=False)
        _INDICATORS.insert(0, (offsets, list(patterns), arrays))
        del _INDICATORS[_INDICATORS_MAX:]
        return arrays

    def _indicators(self, patterns: Sequence[Pattern]) -> np.ndarray:
        width = int(self.offsets[-1])
        masks: list[dict[tuple[int, ...], int]] = [{} for _ in self.offsets[:-1]]
        bits = []
        for pattern in patterns:
            word = 0
            for off, s, known in zip(self.offsets.tolist(), pattern, masks):  # noqa: B905 (one more offset)
                m = known.get(s)
                if m is None:
                    m = known[s] = sum(1 << (off + a) for a in s)
                word |= m
            bits.append(word)
        size = (width + 7) // 8
        raw = np.frombuffer(b"".join(w.to_bytes(size, "little") for w in bits), dtype=np.uint8)
        unpacked = np.unpackbits(raw.reshape(len(patterns), size), axis=1, bitorder="little")
        return unpacked[:, :width].astype(np.bool_)

    def admits_all(self, patterns: Sequence[Pattern]) -> np.ndarray:
        """Per pattern, whether it passes the test at every set it reaches (boolean array)."""
        if not ENABLED or not patterns:
            return np.ones(len(patterns), dtype=np.bool_)
        t, b, s = self._bounds.tree, self._bounds, self._sets
        ok = _admits_kernel(*self._listed(patterns), t.flat, t.chance, t.decision, b._start_lo, b._start_hi,
                            *self._steps, s.ptr, s.nodes, s.possible, s.kid_ptr, s.kids, s.player, s.offsets,
                            s.above_ptr, s.above, self._full, self._kinds, self.tol, _TABLE_BYTES)
        self.dropped += int(len(ok) - ok.sum())
        return ok

    def reached(self, ind: np.ndarray) -> np.ndarray:
        """Per pattern (rows of the indicators ``ind``) and information set, whether a profile with
        these supports reaches the set: some node of it has positive reach, every move on its path
        in the supports (reach as the pure table's vertex rows have it, the same products top
        down; :meth:`PureTable.on_path <deterrence.solvers._pbe_table.PureTable.on_path>`; see
        :func:`_full_reach`), ``(patterns, sets)`` booleans."""
        s, steps = self._sets, self._steps
        return _reached_kernel(np.ascontiguousarray(ind), s.ptr, s.nodes, steps[-2], steps[-1], self._full)

    def reach_key(self) -> bytes:
        """What :meth:`reached` reads of the probabilities: which nodes have positive full reach
        (:func:`_full_reach`), as bytes."""
        return (self._full > 0).tobytes()

    def admits(self, pattern: Pattern) -> bool:
        """Whether ``pattern`` passes the test at every set it reaches."""
        return bool(self.admits_all([pattern])[0])


#: the last pattern lists (offsets, patterns, their indicators and :func:`_support_ranks`), newest first
_INDICATORS: list[tuple[tuple[int, ...], list[Pattern], tuple[np.ndarray, ...]]] = []
_INDICATORS_MAX = 4


class _SetTables:
    """The information sets as flat arrays for the compiled test: nodes (with Nature's
    possibility mask), child tables, movers, action offsets and the sets above each one."""

    def __init__(self, game: ExtensiveFormGame, possible: Sequence[np.ndarray], kids: Sequence[np.ndarray],
                 above: Sequence[Sequence[int]]) -> None:
        sets = game.infosets
        self.ptr = np.cumsum([0] + [len(h.nodes) for h in sets]).astype(np.int64)
        self.nodes = np.array([v for h in sets for v in h.nodes], dtype=np.int64)
        self.possible = np.concatenate([np.asarray(m, dtype=np.bool_) for m in possible]) if sets \
            else np.zeros(0, dtype=np.bool_)
        self.kid_ptr = np.cumsum([0] + [k.size for k in kids]).astype(np.int64)
        self.kids = np.concatenate([np.asarray(k, dtype=np.int64).ravel() for k in kids]) if sets \
            else np.zeros(0, dtype=np.int64)
        self.player = np.array([h.player for h in sets], dtype=np.int64)
        self.offsets = _action_offsets(game).astype(np.int64)
        self.above_ptr = np.cumsum([0] + [len(a) for a in above]).astype(np.int64)
        self.above = np.array([j for a in above for j in a], dtype=np.int64)


def _step_tables(game: ExtensiveFormGame, order: np.ndarray) -> tuple[np.ndarray, ...]:
    """What :func:`_admits_kernel` reads of the tree alone (kept in its ``tree_cache``), as CSR
    arrays (``ptr``, ``items``), per information set unless said otherwise:

    * ``folded`` (the nodes with children, deepest level first), ``child_ptr`` / ``children``
      (each one's children in the order of ``order``, as :func:`_bounds_kernel` folds them);
    * ``fold_ptr`` / ``folds``: positions in ``folded`` of the set's nodes and their ancestors
      whose support bounds a test reads (those below a decision node), the bounds its support
      changes;
    * ``sub_ptr`` / ``sub``: positions in ``folded`` of the nodes strictly below the set's nodes,
      increasing (deepest first), the bounds its test reads (at its nodes' children) and those
      they are folded from;
    * ``hit_ptr`` / ``hits``: the sets whose verdict reads its support (itself, the sets with a node
      below one of its nodes, the sets above it);
    * ``dep_ptr`` / ``deps``: their inverse, the sets whose supports a set's verdict reads;
    * ``low_ptr`` / ``lows``: the set itself and the sets with a node strictly below one of its
      nodes (the supports its test reads through the bounds);
    * ``path_ptr`` / ``paths``: per node of the sets (in the order of :class:`_SetTables`), the flat
      actions of the decision moves on its path from the root.
    """
    cached = game.tree_cache.get("admits_tables")
    if cached is not None:
        return cached
    parent = [nd.parent for nd in game.nodes]
    folded: list[int] = []
    kids: dict[int, list[int]] = {}
    for c in order.tolist():
        p = parent[c]
        if p not in kids:
            kids[p] = []
            folded.append(p)
        kids[p].append(c)
    position = {p: q for q, p in enumerate(folded)}
    bounds_read = _read_nodes(game)
    above = BeliefSupportPruner._above(game)
    folds, subs, hits, lows = [], [], [], []
    for h in game.infosets:
        ups: set[int] = set()
        below: set[int] = set()
        for v in h.nodes:
            u = v
            while u >= 0:
                if bounds_read[u]:
                    ups.add(position[u])
                u = parent[u]
            stack = list(game.nodes[v].children)
            while stack:
                c = stack.pop()
                below.add(c)
                stack.extend(game.nodes[c].children)
        folds.append(sorted(ups))
        subs.append(sorted(position[c] for c in below if c in position))
        under = {j.index for j in game.infosets if j.index != h.index and any(v in below for v in j.nodes)}
        hits.append(sorted({h.index, *above[h.index]} | under))
        lows.append([h.index, *sorted(under)])
    deps = [[j for j in range(len(hits)) if k in hits[j]] for k in range(len(hits))]
    paths = [_path_actions(game, v) for h in game.infosets for v in h.nodes]
    out = (np.array(folded, dtype=np.int64), *_csr([kids[p] for p in folded]), *_csr(folds), *_csr(subs),
           *_csr(hits), *_csr(deps), *_csr(lows), *_csr(paths))
    game.tree_cache["admits_tables"] = out
    return out


def _path_actions(game: ExtensiveFormGame, v: int) -> list[int]:
    """The flat actions (:func:`_action_offsets`) of the decision moves on node ``v``'s path."""
    offsets = _action_offsets(game)
    out = []
    while game.nodes[v].parent >= 0:
        p = game.nodes[game.nodes[v].parent]
        if p.kind == DECISION:
            out.append(int(offsets[p.infoset]) + int(game.nodes[v].action))
        v = game.nodes[v].parent
    return out[::-1]


def _csr(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    return (np.cumsum([0] + [len(x) for x in lists]).astype(np.int64),
            np.array([i for x in lists for i in x], dtype=np.int64))


def _read_nodes(game: ExtensiveFormGame) -> list[bool]:
    """Per node, whether a test of :func:`_set_passes` reads its support bounds, directly or
    through its ancestors' (it lies below a decision node)."""
    nodes = game.nodes
    bounds = [False] * len(nodes)
    for v in range(1, len(nodes)):  # preorder: a parent before its children
        p = nodes[v].parent
        bounds[v] = bounds[p] or nodes[p].kind == DECISION
    return bounds


def _support_ranks(ind: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per pattern (rows of ``ind``) and set, the support's rank among the set's supports in the
    list (``int32``; equal ranks iff equal supports), the number of supports per set, and as CSR
    arrays per pattern the sets whose support differs from the pattern before (none for the first).
    Sets of at most :data:`_NARROW` actions are ranked in order of first appearance
    (:func:`_rank_narrow`), wider ones in the order of ``np.unique``."""
    n_pat, n_sets = ind.shape[0], offsets.shape[0] - 1
    ranks = np.zeros((n_pat, n_sets), dtype=np.int32)
    counts = np.ones(n_sets, dtype=np.int64)
    _rank_narrow(np.ascontiguousarray(ind), offsets.astype(np.int64), ranks, counts)
    for k in range(n_sets):
        if offsets[k + 1] - offsets[k] > _NARROW:
            present, inverse = np.unique(ind[:, offsets[k]:offsets[k + 1]], axis=0, return_inverse=True)
            ranks[:, k] = inverse.ravel()
            counts[k] = max(1, len(present))
    rows, sets = np.nonzero(ranks[1:] != ranks[:-1])
    chg_ptr = np.zeros(n_pat + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows + 1, minlength=n_pat), out=chg_ptr[1:])
    return ranks, counts, chg_ptr, sets.astype(np.int64)


#: the widest set :func:`_rank_narrow` ranks (through a table of ``2 ** _NARROW`` entries)
_NARROW = 16


@njit
def _rank_narrow(ind: np.ndarray, offsets: np.ndarray, ranks: np.ndarray, counts: np.ndarray) -> None:
    """:func:`_support_ranks` into ``ranks`` and ``counts`` for the sets of at most :data:`_NARROW`
    actions: a support's bits as an integer, its rank the number of distinct ones seen before it."""
    n_pat = ind.shape[0]
    seen = np.empty(1 << _NARROW, dtype=np.int32)
    for k in range(offsets.shape[0] - 1):
        width = offsets[k + 1] - offsets[k]
        if width > _NARROW:
            continue
        seen[:1 << width] = -1
        n = 0
        for r in range(n_pat):
            code = 0
            for a in range(width):
                if ind[r, offsets[k] + a]:
                    code |= 1 << a
            if seen[code] < 0:
                seen[code] = n
                n += 1
            ranks[r, k] = seen[code]
        counts[k] = max(1, n)


#: the most bytes of the direct verdict tables of :func:`_admits_kernel` (eight per key); a set whose
#: table does not fit has its verdicts remembered in a hash table (:func:`_memo_find`)
_TABLE_BYTES = 1 << 22

#: the hash table of :func:`_admits_kernel` has at most ``2 ** _MEMO_BITS`` slots (17 bytes each) and
#: remembers verdicts until it is half full
_MEMO_BITS = 20


@njit
def _full_reach(order: np.ndarray, parent: np.ndarray, chance: np.ndarray, decision: np.ndarray
                ) -> np.ndarray:
    """The reach of every node when every decision move is in the supports: the products of
    :func:`_reached_kernel`'s pass, top down, with every decision move's factor 1.

    The pass sets ``reach[c] = reach[parent] if c's move is in the supports else 0`` at a
    decision move and ``reach[parent] * chance[c]`` at a chance move. Along a path whose decision
    moves are all in the supports it performs the operations this one does, in the same order,
    so a node's reach is ``full[v]`` to the bit; otherwise it is 0 from the first move out of the
    supports down (``0 * p = 0`` for ``p >= 0``). So ``reach[v] = full[v]`` if every decision move
    on ``v``'s path is in the supports, else 0, and ``reach[v] > 0`` iff moreover ``full[v] > 0``.
    """
    reach = np.zeros(parent.shape[0])
    reach[0] = 1.0
    for j in range(order.shape[0] - 1, -1, -1):
        c = order[j]
        reach[c] = reach[parent[c]] if decision[c] else reach[parent[c]] * chance[c]
    return reach


@njit
def _admits_kernel(ind: np.ndarray, ranks: np.ndarray, counts: np.ndarray, chg_ptr: np.ndarray,
                   chg: np.ndarray, flat: np.ndarray, chance: np.ndarray, decision: np.ndarray,
                   start_lo: np.ndarray, start_hi: np.ndarray, folded: np.ndarray, child_ptr: np.ndarray,
                   children: np.ndarray, fold_ptr: np.ndarray, folds: np.ndarray, sub_ptr: np.ndarray,
                   sub: np.ndarray, hit_ptr: np.ndarray, hits: np.ndarray, dep_ptr: np.ndarray,
                   deps: np.ndarray, low_ptr: np.ndarray, lows: np.ndarray, path_ptr: np.ndarray,
                   paths: np.ndarray, ptr: np.ndarray, nodes: np.ndarray, possible: np.ndarray,
                   kid_ptr: np.ndarray, kids: np.ndarray, player: np.ndarray, offsets: np.ndarray,
                   above_ptr: np.ndarray, above: np.ndarray, full: np.ndarray, kinds: np.ndarray, tol: float,
                   budget: int) -> np.ndarray:
    """The belief-support test of every pattern (rows of ``ind``; supports also as the ranks,
    counts and changes of :func:`_support_ranks`): the pattern passes iff the test of
    :func:`_set_passes` holds at every set.

    *What a verdict reads.* The test at set ``k`` reads (a) ``k``'s support; (b) the reach at
    ``k``'s nodes, which is ``full[v]`` if every decision move on ``v``'s path is in the supports
    and 0 otherwise (:func:`_full_reach`): one bit per node (``_above_part``); (c) whether every
    set above ``k`` is pure (one bit); (d) the support bounds at the children of ``k``'s nodes,
    each folded (:func:`_refold`, always the same operations in the same order) from the supports
    of the sets with a node below ``k``'s nodes. So a verdict is a function of its *fine key*
    (the supports at ``lows[k]``: ``k`` and the sets below it, and the bits of (b) and (c)), and,
    as (b) and (c) read only the supports of the sets above ``k``, of its *coarse key* (the
    supports at ``deps[k]``: ``k``, the sets below and the sets above). Each key is a mixed-radix
    number of the supports' ranks (a bijection of the supports present in the list), the fine
    key's bits on top.

    *Passing actions.* The test is one condition per support action ``a`` of ``k`` on (b), (c) and
    (d), which ``k``'s own support does not change; so what is computed and remembered is the set's
    passing actions (bit ``a``: ``a`` passes, :func:`_passing_actions`, plus 1 in the tables), and
    the keys leave ``k``'s support out (:func:`_without_self`); the verdict is whether the support
    is among them (:func:`_within`). A set wider than :data:`_MASK_ACTS` keeps its support in its
    keys and its verdict in the tables (1 passes, 2 fails). The keys' support part is kept up to
    date as supports change (each change of a set's rank moves the keys of the sets that read it by
    its stride there, :func:`_strides_by_hit`), and a set's value is held while no other set it
    reads changes.

    *What is kept.* A set's verdict is kept from the pattern before when no set of its ``deps``
    changed (its coarse key is the same). After a pattern fails at a set, the patterns that follow
    fail as long as no set of that set's ``deps`` changes (``watch``); their changes are only
    collected (``dirty``) and applied once per set, with the net change of its rank, at the first
    pattern that changes a watched set (what a change does depends only on the supports before and
    after it). A computed value is written to a table per set and key
    (direct tables of eight bytes per key while they fit in ``budget`` bytes, the fine keys' first;
    for a fine key that does not, the hash table of :func:`_memo_find`); a pattern with a kept
    failing verdict fails without more work. A verdict found under either key is the one a pass
    over the pattern would compute, as the key determines it.

    *What is computed.* Before a test, the bounds below ``k``'s nodes are brought up to date
    (:func:`_refold_below`): every node whose subtree holds a node of a set whose support changed
    is marked (``folds``), and the marked nodes below ``k`` are refolded deepest first, each from
    its start value and its children in the same order; an unmarked node holds the bounds of the
    current pattern. So every number a test reads is the one a pass over the pattern alone gives
    (the reach as (b) says), and so is every verdict."""
    n_pat, n_sets = ind.shape[0], ptr.shape[0] - 1
    fspan, base, fbase, hashed, size, hit_stride, hit_fstride, ckey, rkey = _key_layout(
        counts, dep_ptr, deps, low_ptr, lows, offsets, ptr, hit_ptr, hits, ranks, budget)
    table = np.zeros(size, dtype=np.int64)
    memo_key, memo_set, memo_val, room, bits = _memo_tables(hashed.any(), n_pat)
    ok, dirty_sets = np.ones(n_pat, dtype=np.bool_), np.empty(n_sets, dtype=np.int64)
    lo, hi, refold = start_lo.copy(), start_hi.copy(), np.ones(folded.shape[0], dtype=np.bool_)
    known, verdict = np.zeros(n_sets, dtype=np.bool_), np.zeros(n_sets, dtype=np.bool_)
    held = np.zeros(n_sets, dtype=np.int64)  # per set its value (as in the tables) while its key holds
    narrow, reached, mask, mu_lo, mu_hi = _set_scratch(ptr, offsets)
    failing = 0  # the kept verdicts that fail
    watch = np.zeros(n_sets, dtype=np.bool_)  # the sets the latest computed failure reads
    dirty = np.zeros(n_sets, dtype=np.bool_)  # the sets changed since row ``last`` while ``lazy``
    n_dirty, last, lazy = 0, 0, False
    for r in range(n_pat):
        if lazy:  # the patterns after a failure at a set fail while no set it reads changes
            n_dirty = _mark_dirty(chg_ptr[r], chg_ptr[r + 1], chg, dirty, dirty_sets, n_dirty)
            if not _any_marked(chg_ptr[r], chg_ptr[r + 1], chg, watch):
                ok[r] = False
                continue
            lazy = False
            for e in range(n_dirty):
                c = dirty_sets[e]
                dirty[c] = False
                failing = _note_change(c, np.int64(ranks[r, c]) - np.int64(ranks[last, c]), fold_ptr, folds,
                                       hit_ptr, hits, hit_stride, hit_fstride, refold, known, verdict, held,
                                       narrow, ckey, rkey, failing)
            n_dirty = 0
        else:
            for e in range(chg_ptr[r], chg_ptr[r + 1]):
                c = chg[e]
                failing = _note_change(c, np.int64(ranks[r, c]) - np.int64(ranks[r - 1, c]), fold_ptr, folds,
                                       hit_ptr, hits, hit_stride, hit_fstride, refold, known, verdict, held,
                                       narrow, ckey, rkey, failing)
        if failing:
            ok[r] = False
            continue
        row = ind[r]
        for k in range(n_sets):
            if known[k]:
                continue
            slot, fslot, found, fkey, pure = -1, -1, held[k], 0, True
            if not found and base[k] >= 0:
                slot = base[k] + ckey[k]
                found = table[slot]
            if not found and fspan[k] >= 0:
                part, pure = _above_part(k, row, full, ptr, nodes, path_ptr, paths, above_ptr, above, offsets,
                                         reached)
                fkey = rkey[k] + part * fspan[k]
                if fbase[k] >= 0:
                    fslot = fbase[k] + fkey
                    found = table[fslot]
                elif hashed[k]:
                    found = _memo_find(memo_key, memo_set, memo_val, bits, fkey, k)
                if found and slot >= 0:
                    table[slot] = found
            if not found:
                if fspan[k] < 0:
                    pure = _above_part(k, row, full, ptr, nodes, path_ptr, paths, above_ptr, above, offsets,
                                       reached)[1]
                _refold_below(sub_ptr[k], sub_ptr[k + 1], sub, refold, folded, child_ptr, children, flat,
                              chance, decision, row, start_lo, start_hi, lo, hi)
                if not narrow[k]:
                    passes = _set_passes(k, row, reached, pure, full, lo, hi, ptr, nodes, possible, kid_ptr,
                                         kids, player[k], offsets, tol, mask, mu_lo, mu_hi, kinds[k])
                    found = 1 if passes else 2
                else:
                    found = _passing_actions(k, reached, pure, full, lo, hi, ptr, nodes, possible, kid_ptr,
                                             kids, player[k], offsets, tol, mask, mu_lo, mu_hi, kinds[k]) + 1
                if slot >= 0:
                    table[slot] = found
                if fslot >= 0:
                    table[fslot] = found
                elif fspan[k] >= 0 and hashed[k]:
                    _memo_store(memo_key, memo_set, memo_val, bits, room, fkey, k, found)
            held[k] = found
            if not narrow[k]:
                passes = found == 1
            else:
                passes = _within_packed(row, offsets[k], offsets[k + 1], found - 1)
            known[k], verdict[k] = True, passes
            if not passes:
                failing += 1
                ok[r] = False
                _watch(watch, dep_ptr, deps, k)  # (the sets a verdict reads, its own included)
                lazy, last = True, r
                break
    return ok


@njit
def _key_layout(counts: np.ndarray, dep_ptr: np.ndarray, deps: np.ndarray, low_ptr: np.ndarray,
                lows: np.ndarray, offsets: np.ndarray, ptr: np.ndarray, hit_ptr: np.ndarray, hits: np.ndarray,
                ranks: np.ndarray, budget: int) -> tuple:
    """The keys of :func:`_admits_kernel` (its docstring): the sets' coarse (``deps``) and fine
    (``lows``) keys without their own support, their mixed-radix strides, the tables' layout, the
    strides by changed set, and the keys at the first pattern."""
    dep_ptr, deps = _without_self(dep_ptr, deps, offsets)
    low_ptr, lows = _without_self(low_ptr, lows, offsets)
    stride, span = _mixed_radix(counts, dep_ptr, deps)
    fstride, fspan = _mixed_radix(counts, low_ptr, lows)
    base, fbase, hashed, size = _table_layout(span, fspan, ptr, budget // 8)
    hit_stride = _strides_by_hit(hit_ptr, hits, dep_ptr, deps, stride)
    hit_fstride = _strides_by_hit(hit_ptr, hits, low_ptr, lows, fstride)
    ckey, rkey = _first_keys(ranks, dep_ptr, deps, stride, low_ptr, lows, fstride)
    return fspan, base, fbase, hashed, size, hit_stride, hit_fstride, ckey, rkey


@njit
def _first_keys(ranks: np.ndarray, dep_ptr: np.ndarray, deps: np.ndarray, stride: np.ndarray,
                low_ptr: np.ndarray, lows: np.ndarray, fstride: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per set, the coarse and the fine key's support part at the first pattern (zeros if none)."""
    n_sets = dep_ptr.shape[0] - 1
    ckey, rkey = np.zeros(n_sets, dtype=np.int64), np.zeros(n_sets, dtype=np.int64)
    if ranks.shape[0]:
        for k in range(n_sets):
            ckey[k] = _key(ranks[0], dep_ptr[k], dep_ptr[k + 1], deps, stride)
            rkey[k] = _key(ranks[0], low_ptr[k], low_ptr[k + 1], lows, fstride)
    return ckey, rkey


@njit
def _memo_tables(hashed: bool, n_pat: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """The hash table of :func:`_memo_find` (keys, sets, values), its room (half its slots) and
    its size in bits: two slots per pattern up to ``2 ** _MEMO_BITS``, two if no key is hashed."""
    bits = 1
    while hashed and (1 << bits) < 2 * n_pat and bits < _MEMO_BITS:
        bits += 1
    memo_key, memo_set = np.empty(1 << bits, dtype=np.int64), np.empty(1 << bits, dtype=np.int64)
    memo_val = np.zeros(1 << bits, dtype=np.int64)
    return memo_key, memo_set, memo_val, np.array([1 << (bits - 1)]), bits


@njit
def _set_scratch(ptr: np.ndarray, offsets: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per set whether it is narrow (its passing actions fit a mask: :data:`_MASK_ACTS`), and the
    scratch arrays of a set's test, as long as the widest set's nodes or actions."""
    n_sets = ptr.shape[0] - 1
    narrow = np.empty(n_sets, dtype=np.bool_)
    widest = 1
    for k in range(n_sets):
        narrow[k] = offsets[k + 1] - offsets[k] <= _MASK_ACTS
        widest = max(widest, ptr[k + 1] - ptr[k], offsets[k + 1] - offsets[k])
    reached, mask = np.empty(widest, dtype=np.bool_), np.empty(widest, dtype=np.bool_)
    return narrow, reached, mask, np.empty(widest), np.empty(widest)


@njit(inline=True)
def _note_change(c: int, step: int, fold_ptr: np.ndarray, folds: np.ndarray, hit_ptr: np.ndarray,
                 hits: np.ndarray, hit_stride: np.ndarray, hit_fstride: np.ndarray, refold: np.ndarray,
                 known: np.ndarray, verdict: np.ndarray, held: np.ndarray, narrow: np.ndarray,
                 ckey: np.ndarray, rkey: np.ndarray, failing: int) -> int:
    """Set ``c``'s support changed (its rank by ``step``): its nodes' and their ancestors' bounds
    marked to refold, the verdicts that read it forgotten, the values held that read it (a narrow
    set's own support changes only its verdict), and the keys that read it moved. Returns the
    number of kept verdicts that fail."""
    for f in range(fold_ptr[c], fold_ptr[c + 1]):
        refold[folds[f]] = True
    for f in range(hit_ptr[c], hit_ptr[c + 1]):
        j = hits[f]
        if j != c or not narrow[j]:
            held[j] = 0
        if known[j]:
            known[j] = False
            if not verdict[j]:
                failing -= 1
        ckey[j] += step * hit_stride[f]
        rkey[j] += step * hit_fstride[f]
    return failing


@njit(inline=True)
def _mark_dirty(start: int, stop: int, chg: np.ndarray, dirty: np.ndarray, dirty_sets: np.ndarray,
                n_dirty: int) -> int:
    """Add the sets ``chg[start:stop]`` to the ``dirty`` ones (listed in ``dirty_sets[:n_dirty]``)."""
    for e in range(start, stop):
        c = chg[e]
        if not dirty[c]:
            dirty[c] = True
            dirty_sets[n_dirty] = c
            n_dirty += 1
    return n_dirty


@njit(inline=True)
def _any_marked(start: int, stop: int, chg: np.ndarray, marked: np.ndarray) -> bool:
    """Whether one of the sets ``chg[start:stop]`` is ``marked``."""
    for e in range(start, stop):
        if marked[chg[e]]:
            return True
    return False


@njit(inline=True)
def _watch(watch: np.ndarray, dep_ptr: np.ndarray, deps: np.ndarray, k: int) -> None:
    """Mark in ``watch`` exactly the sets whose supports set ``k``'s verdict reads (``deps``)."""
    watch[:] = False
    for e in range(dep_ptr[k], dep_ptr[k + 1]):
        watch[deps[e]] = True


@njit
def _mixed_radix(counts: np.ndarray, key_ptr: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per entry of ``keys`` (CSR per set) its stride in the set's mixed-radix key (the product of the
    counts before it), and per set the number of keys (-1 when it reaches ``2 ** 62``)."""
    n_sets = key_ptr.shape[0] - 1
    stride = np.zeros(keys.shape[0], dtype=np.int64)
    span = np.zeros(n_sets, dtype=np.int64)
    for k in range(n_sets):
        s = 1
        for e in range(key_ptr[k], key_ptr[k + 1]):
            stride[e] = s
            c = counts[keys[e]]
            if s >= _SPAN_MAX // c:
                s = -1
                break
            s *= c
        span[k] = s
    return stride, span


#: the most keys of a set (:func:`_mixed_radix`, with :func:`_above_part` on top), below ``2 ** 62``
_SPAN_MAX = 1 << 62


@njit
def _table_layout(span: np.ndarray, fspan: np.ndarray, ptr: np.ndarray, budget: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Where each set's direct table of coarse and of fine keys starts (-1: none), the fine ones
    first while the ``budget`` (bytes) lasts, then the coarse ones; and whether a set's fine keys
    go to the hash table. ``fspan`` becomes the stride of the fine key's top part (-1 when the
    fine keys reach ``2 ** 62``); and the tables' size."""
    n_sets = span.shape[0]
    base, fbase = np.full(n_sets, -1, dtype=np.int64), np.full(n_sets, -1, dtype=np.int64)
    hashed = np.zeros(n_sets, dtype=np.bool_)
    total = 0
    for k in range(n_sets):
        top = ptr[k + 1] - ptr[k] + 1  # the bits of _above_part
        if fspan[k] < 0 or top >= 62 or fspan[k] >= _SPAN_MAX >> top:
            fspan[k] = -1
            continue
        size = fspan[k] << top
        if size <= budget - total:
            fbase[k] = total
            total += size
        else:
            hashed[k] = True
    for k in range(n_sets):
        if 0 <= span[k] <= budget - total:
            base[k] = total
            total += span[k]
    return base, fbase, hashed, total


@njit
def _strides_by_hit(hit_ptr: np.ndarray, hits: np.ndarray, key_ptr: np.ndarray, keys: np.ndarray,
                    stride: np.ndarray) -> np.ndarray:
    """Per entry ``f`` of ``hits`` (CSR per set ``c``: the sets ``j`` whose verdicts read ``c``), the
    stride of ``c`` in ``j``'s key (``keys``, CSR per set, with their ``stride``; 0 when ``c`` is not
    in it): a change of ``c``'s rank by ``d`` changes ``j``'s key by ``d`` times it."""
    out = np.zeros(hits.shape[0], dtype=np.int64)
    for c in range(hit_ptr.shape[0] - 1):
        for f in range(hit_ptr[c], hit_ptr[c + 1]):
            j = hits[f]
            for e in range(key_ptr[j], key_ptr[j + 1]):
                if keys[e] == c:
                    out[f] = stride[e]
                    break
    return out


@njit(inline=True)
def _key(rank: np.ndarray, start: int, stop: int, keys: np.ndarray, stride: np.ndarray) -> int:
    """The mixed-radix number of the ranks at the sets ``keys[start:stop]``."""
    key = 0
    for e in range(start, stop):
        key += np.int64(rank[keys[e]]) * stride[e]
    return key


@njit(inline=True)
def _above_part(k: int, row: np.ndarray, full: np.ndarray, ptr: np.ndarray, nodes: np.ndarray,
                path_ptr: np.ndarray, paths: np.ndarray, above_ptr: np.ndarray, above: np.ndarray,
                offsets: np.ndarray, reached: np.ndarray) -> tuple[int, bool]:
    """What the test at set ``k`` reads of the supports above it: per node ``i`` of the set whether
    its reach is positive (``reached[i]``: every decision move on its path in the supports and
    ``full > 0``, :func:`_full_reach`), and whether every set above is pure; as one number (bit
    ``i + 1``: ``reached[i]``, bit 0: pure) and the purity."""
    part = 0
    for i in range(ptr[k + 1] - ptr[k]):
        b = full[nodes[ptr[k] + i]] > 0
        if b:
            for e in range(path_ptr[ptr[k] + i], path_ptr[ptr[k] + i + 1]):
                if not row[paths[e]]:
                    b = False
                    break
        reached[i] = b
        if b:
            part |= 2 << i
    pure = True
    for e in range(above_ptr[k], above_ptr[k + 1]):
        j = above[e]
        count = 0
        for a in range(offsets[j], offsets[j + 1]):
            count += row[a]
        if count != 1:
            pure = False
            break
    return part | (1 if pure else 0), pure


@njit(inline=True)
def _refold_below(start: int, stop: int, sub: np.ndarray, refold: np.ndarray, folded: np.ndarray,
                  child_ptr: np.ndarray, children: np.ndarray, flat: np.ndarray, chance: np.ndarray,
                  decision: np.ndarray, row: np.ndarray, start_lo: np.ndarray, start_hi: np.ndarray,
                  lo: np.ndarray, hi: np.ndarray) -> None:
    """Refold the marked nodes among ``folded[sub[start:stop]]`` (a set's subtrees), deepest first."""
    for e in range(start, stop):
        q = sub[e]
        if refold[q]:
            refold[q] = False
            _refold(folded[q], child_ptr[q], child_ptr[q + 1], children, flat, chance, decision, row,
                    start_lo, start_hi, lo, hi)


@njit(inline=True)
def _memo_slot(bits: int, key: int, k: int) -> int:
    h = key * 0x5851F42D4C957F2D + (k + 1) * 0x14057B7EF767814F
    return (h >> (63 - bits)) & ((1 << bits) - 1)


@njit(inline=True)
def _memo_find(memo_key: np.ndarray, memo_set: np.ndarray, memo_val: np.ndarray, bits: int, key: int,
               k: int) -> int:
    """Set ``k``'s remembered passing actions for ``key``, plus 1 (0: not remembered)."""
    mask = (1 << bits) - 1
    i = _memo_slot(bits, key, k)
    while memo_val[i]:
        if memo_key[i] == key and memo_set[i] == k:
            return memo_val[i]
        i = (i + 1) & mask
    return 0


@njit(inline=True)
def _memo_store(memo_key: np.ndarray, memo_set: np.ndarray, memo_val: np.ndarray, bits: int, room: np.ndarray,
                key: int, k: int, value: int) -> None:
    """Remember set ``k``'s ``value`` (its passing actions + 1) for ``key`` while the table is at most
    half full."""
    if room[0] <= 0:
        return
    room[0] -= 1
    mask = (1 << bits) - 1
    i = _memo_slot(bits, key, k)
    while memo_val[i]:
        i = (i + 1) & mask
    memo_key[i], memo_set[i], memo_val[i] = key, k, value


@njit(inline=True)
def _refold(p: int, start: int, stop: int, children: np.ndarray, flat: np.ndarray, chance: np.ndarray,
            decision: np.ndarray, row: np.ndarray, start_lo: np.ndarray, start_hi: np.ndarray, lo: np.ndarray,
            hi: np.ndarray) -> None:
    """Node ``p``'s support bounds from its start value and its children ``children[start:stop]``,
    as :func:`_bounds_kernel` folds them."""
    for i in range(lo.shape[1]):
        lo[p, i], hi[p, i] = start_lo[p, i], start_hi[p, i]
    for e in range(start, stop):
        _fold(p, children[e], flat, chance, decision, row, lo, hi)


@njit
def _reached_kernel(ind: np.ndarray, ptr: np.ndarray, nodes: np.ndarray, path_ptr: np.ndarray,
                    paths: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Per pattern (rows of ``ind``), the information sets with a node of positive reach: ``full > 0``
    and every decision move on its path in the supports (:func:`_full_reach`)."""
    n_pat, n_sets = ind.shape[0], ptr.shape[0] - 1
    out = np.zeros((n_pat, n_sets), dtype=np.bool_)
    for r in range(n_pat):
        row = ind[r]
        for k in range(n_sets):
            for i in range(ptr[k], ptr[k + 1]):
                if full[nodes[i]] > 0 and _on_path(row, path_ptr[i], path_ptr[i + 1], paths):
                    out[r, k] = True
                    break
    return out


@njit(inline=True)
def _on_path(row: np.ndarray, start: int, stop: int, paths: np.ndarray) -> bool:
    """Whether every action ``paths[start:stop]`` is in the supports ``row``."""
    for e in range(start, stop):
        if not row[paths[e]]:
            return False
    return True


#: the widest set whose verdicts :func:`_admits_kernel` remembers as its passing actions (bits of an
#: ``int64``, plus 1); a wider set's verdicts are remembered per support (1 passes, 2 fails)
_MASK_ACTS = 62


@njit
def _without_self(key_ptr: np.ndarray, keys: np.ndarray, offsets: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The CSR lists ``keys`` (per set) without the set itself where it has at most :data:`_MASK_ACTS`
    actions (its verdicts are remembered as its passing actions, which its support does not change)."""
    n_sets = key_ptr.shape[0] - 1
    out_ptr = np.zeros(n_sets + 1, dtype=np.int64)
    out = np.empty(keys.shape[0], dtype=np.int64)
    n = 0
    for k in range(n_sets):
        for e in range(key_ptr[k], key_ptr[k + 1]):
            if keys[e] != k or offsets[k + 1] - offsets[k] > _MASK_ACTS:
                out[n] = keys[e]
                n += 1
        out_ptr[k + 1] = n
    return out_ptr, out[:n]


@njit(inline=True)
def _within(row: np.ndarray, start: int, stop: int, passing: int) -> bool:
    """Whether every action of the supports ``row[start:stop]`` is among the ``passing`` ones (bits)."""
    for a in range(stop - start):
        if row[start + a] and not (passing >> a) & 1:
            return False
    return True


@njit(inline=True)
def _passing_actions(k: int, reached: np.ndarray, pure: bool, full: np.ndarray, lo: np.ndarray,
                     hi: np.ndarray, ptr: np.ndarray, nodes: np.ndarray, possible: np.ndarray,
                     kid_ptr: np.ndarray, kids: np.ndarray, p: int, offsets: np.ndarray, tol: float,
                     buf_mask: np.ndarray, buf_lo: np.ndarray, buf_hi: np.ndarray, kind: int = 0) -> int:
    """The actions ``a`` of set ``k`` (bit ``a``) that pass the test of :func:`_set_passes` as
    support actions: a support passes it iff every action of it does (the test is one condition
    per support action, on the bounds below the set and the reach above it, which the support at
    the set does not change); every action when the pattern does not reach the set, unless its
    belief there is known (``kind``, :func:`_set_passes`; for :data:`SOME_SUBSET`, the passing
    actions under each subset's odds, packed, :func:`_subset_passing`: read with
    :func:`_within_packed`, as every value of this function).

    It repeats :func:`_set_passes`' mask and its test under Nature's odds instead of sharing
    helpers with it: a numba helper inlined here still counts references to every array it takes,
    on every set tested (shared helpers cost about 2 ms per point on ``asymmetric_escalation``)."""
    m = ptr[k + 1] - ptr[k]
    acts = offsets[k + 1] - offsets[k]
    mask = buf_mask
    any_reached = False
    for i in range(m):
        mask[i] = reached[i] and possible[ptr[k] + i]
        if mask[i]:
            any_reached = True
    out = 0
    base = kid_ptr[k]
    if not any_reached:
        if kind == SOME_SUBSET and pure and m <= _MAX_SUBSET_NODES and _all_possible(k, m, ptr, nodes, full):
            return _subset_passing(k, m, acts, full, lo, hi, ptr, nodes, kids, base, p, tol, buf_lo, buf_hi)
        if kind == NATURE:  # the belief is Nature's odds on the nodes it reaches
            for i in range(m):
                mask[i] = possible[ptr[k] + i]
            pure = True
        else:
            for a in range(acts):
                out |= 1 << a
            return out
    if pure:  # the belief is Nature's odds on the reached nodes
        total = 0.0
        for i in range(m):
            if mask[i]:
                total += full[nodes[ptr[k] + i]]
        if not total > 0.0:  # (an unreached set Nature never reaches: no test)
            for a in range(acts):
                out |= 1 << a
            return out
        mu_lo, mu_hi = buf_lo, buf_hi
        for a in range(acts):
            mu_lo[a] = mu_hi[a] = 0.0
        for i in range(m):
            if mask[i]:
                mu = full[nodes[ptr[k] + i]] / total
                for a in range(acts):
                    mu_lo[a] += mu * lo[kids[base + i * acts + a], p]
                    mu_hi[a] += mu * hi[kids[base + i * acts + a], p]
        for a in range(acts):
            good = True
            for b in range(acts):
                if b != a and not mu_hi[a] >= mu_lo[b] - tol:
                    good = False
                    break
            if good:
                out |= 1 << a
        return out
    for a in range(acts):
        if _action_passes(a, acts, mask, m, lo, hi, kids, base, p, tol):
            out |= 1 << a
    return out


@njit(inline=True)
def _action_passes(a: int, acts: int, mask: np.ndarray, m: int, lo: np.ndarray, hi: np.ndarray,
                   kids: np.ndarray, base: int, p: int, tol: float) -> bool:
    """Whether action ``a`` has, against every other action ``b``, some node ``i < m`` of the mask
    with ``hi(a) >= lo(b) - tol`` (:func:`_some_node_passes` for one support action)."""
    for b in range(acts):
        if b == a:
            continue
        found = False
        for i in range(m):
            if mask[i] and hi[kids[base + i * acts + a], p] >= lo[kids[base + i * acts + b], p] - tol:
                found = True
                break
        if not found:
            return False
    return True


@njit(inline=True)
def _set_passes(k: int, row: np.ndarray, reached: np.ndarray, pure: bool, full: np.ndarray, lo: np.ndarray,
                hi: np.ndarray, ptr: np.ndarray, nodes: np.ndarray, possible: np.ndarray, kid_ptr: np.ndarray,
                kids: np.ndarray, p: int, offsets: np.ndarray, tol: float, buf_mask: np.ndarray,
                buf_lo: np.ndarray, buf_hi: np.ndarray, kind: int = 0) -> bool:
    """The test at set ``k`` (true if the pattern does not reach it, unless ``kind`` says what its
    belief is there): every support action is, at some reached node, at least as good as each
    other action under the bounds; when every move above is pure (``pure``), under Nature's odds on
    the reached nodes. At a set the pattern does not reach: under Nature's odds on the nodes Nature
    reaches if ``kind`` is :data:`NATURE` (no test if it reaches none); under Nature's odds on
    some non-empty subset of its nodes if ``kind`` is :data:`SOME_SUBSET`, every move above is pure
    and Nature reaches every node (no test otherwise, nor on more than
    :data:`_MAX_SUBSET_NODES` nodes). See the module documentation.
    ``reached[i]``: node ``i`` of the set has positive reach, which is then ``full`` at it
    (:func:`_full_reach`). ``buf_*``: scratch arrays at least as long as the set's nodes and
    actions."""
    m = ptr[k + 1] - ptr[k]
    acts = offsets[k + 1] - offsets[k]
    mask = buf_mask
    total = 0.0
    any_reached = False
    for i in range(m):
        mask[i] = reached[i] and possible[ptr[k] + i]
        if mask[i]:
            any_reached = True
    base = kid_ptr[k]
    if not any_reached:
        if kind == SOME_SUBSET and pure and m <= _MAX_SUBSET_NODES and _all_possible(k, m, ptr, nodes, full):
            return _some_subset_passes(k, row, m, acts, full, lo, hi, ptr, nodes, kids, base, p, offsets, tol,
                                       buf_lo, buf_hi)
        if kind != NATURE:
            return True
        for i in range(m):  # the belief is Nature's odds on the nodes it reaches
            mask[i] = possible[ptr[k] + i]
        pure = True
    if pure:  # the belief is Nature's odds on the reached nodes
        for i in range(m):
            if mask[i]:
                total += full[nodes[ptr[k] + i]]
        if not total > 0.0:  # (an unreached set Nature never reaches: no test)
            return True
        mu_lo, mu_hi = buf_lo, buf_hi
        for a in range(acts):
            mu_lo[a] = mu_hi[a] = 0.0
        for i in range(m):
            if mask[i]:
                mu = full[nodes[ptr[k] + i]] / total
                for a in range(acts):
                    mu_lo[a] += mu * lo[kids[base + i * acts + a], p]
                    mu_hi[a] += mu * hi[kids[base + i * acts + a], p]
        for a in range(acts):
            if row[offsets[k] + a]:
                for b in range(acts):
                    if b != a and not mu_hi[a] >= mu_lo[b] - tol:
                        return False
        return True
    return _some_node_passes(row, offsets[k], acts, mask, m, lo, hi, kids, base, p, tol)


@njit(inline=True)
def _some_node_passes(row: np.ndarray, first: int, acts: int, mask: np.ndarray, m: int, lo: np.ndarray,
                      hi: np.ndarray, kids: np.ndarray, base: int, p: int, tol: float) -> bool:
    """Whether every support action ``a`` (``row[first + a]``) has, against every other action
    ``b``, some node ``i < m`` of the mask with ``hi(a) >= lo(b) - tol`` (the set's child table,
    row-major, from ``kids[base]``)."""
    for a in range(acts):
        if not row[first + a]:
            continue
        for b in range(acts):
            if b == a:
                continue
            found = False
            for i in range(m):
                if mask[i] and hi[kids[base + i * acts + a], p] >= lo[kids[base + i * acts + b], p] - tol:
                    found = True
                    break
            if not found:
                return False
    return True


#: what the belief at an information set is known to be wherever a support pattern does not reach
#: it (``BeliefSupportPruner(belief_kinds=...)``): nothing (any belief on its nodes), Nature's odds
#: on the nodes Nature reaches, or Nature's odds on some non-empty subset of its nodes when every
#: move above it is pure (:func:`~deterrence.solvers._pbe_beliefs.unreached_belief_kinds`)
ANY, NATURE, SOME_SUBSET = 0, 1, 2
#: the most nodes of a set whose subsets :data:`SOME_SUBSET` tries (no test on larger sets)
_MAX_SUBSET_NODES = 10


@njit(inline=True)
def _all_possible(k: int, m: int, ptr: np.ndarray, nodes: np.ndarray, full: np.ndarray) -> bool:
    """Whether Nature reaches every node of set ``k`` (``m`` nodes): ``full`` is positive at each."""
    for i in range(m):
        if not full[nodes[ptr[k] + i]] > 0.0:
            return False
    return True


@njit
def _subset_odds(k: int, m: int, acts: int, subset: int, full: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                 ptr: np.ndarray, nodes: np.ndarray, kids: np.ndarray, base: int, p: int, mu_lo: np.ndarray,
                 mu_hi: np.ndarray) -> None:
    """``mu_lo[a]``, ``mu_hi[a]``: the bounds after each action of set ``k`` under Nature's odds on the
    nodes of ``subset`` (bit ``i``: node ``i``), in the order of the exact test of :func:`_set_passes`.
    That test's own loop (over the reached nodes' mask, in :func:`_set_passes` and
    :func:`_passing_actions`) is not this helper: a call there, on every set tested, would count
    references to its arrays (see :func:`_passing_actions`); here it runs only at unreached sets
    of known subset odds, on a table miss."""
    total = 0.0
    for i in range(m):
        if (subset >> i) & 1:
            total += full[nodes[ptr[k] + i]]
    for a in range(acts):
        mu_lo[a] = mu_hi[a] = 0.0
    for i in range(m):
        if (subset >> i) & 1:
            mu = full[nodes[ptr[k] + i]] / total
            for a in range(acts):
                mu_lo[a] += mu * lo[kids[base + i * acts + a], p]
                mu_hi[a] += mu * hi[kids[base + i * acts + a], p]


@njit
def _some_subset_passes(k: int, row: np.ndarray, m: int, acts: int, full: np.ndarray, lo: np.ndarray,
                        hi: np.ndarray, ptr: np.ndarray, nodes: np.ndarray, kids: np.ndarray, base: int,
                        p: int, offsets: np.ndarray, tol: float, mu_lo: np.ndarray, mu_hi: np.ndarray
                        ) -> bool:
    """Whether, under Nature's odds on some non-empty subset of the nodes of set ``k``, every support
    action (``row``) is at least as good as each other action under the bounds."""
    for subset in range(1, 1 << m):
        _subset_odds(k, m, acts, subset, full, lo, hi, ptr, nodes, kids, base, p, mu_lo, mu_hi)
        good = True
        for a in range(acts):
            if row[offsets[k] + a]:
                for b in range(acts):
                    if b != a and not mu_hi[a] >= mu_lo[b] - tol:
                        good = False
                        break
            if not good:
                break
        if good:
            return True
    return False


@njit
def _subset_passing(k: int, m: int, acts: int, full: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                    ptr: np.ndarray, nodes: np.ndarray, kids: np.ndarray, base: int, p: int, tol: float,
                    mu_lo: np.ndarray, mu_hi: np.ndarray) -> int:
    """The actions of set ``k`` that are, under Nature's odds on a non-empty subset of its nodes, at
    least as good as each other action under the bounds: per subset ``j`` (bit ``i`` of ``j + 1``:
    node ``i``) its passing actions at bits ``j * acts`` to ``(j + 1) * acts``, with the flag
    :data:`_PACKED` (a support passes iff it is within one subset's, :func:`_within_packed`: the
    test of :func:`_some_subset_passes`); where they do not fit in :data:`_PACKED_BITS` bits, the
    actions that pass under some subset's odds each on its own (a plain mask: weaker, still
    necessary)."""
    packed = ((1 << m) - 1) * acts <= _PACKED_BITS
    out = _PACKED if packed else 0
    for subset in range(1, 1 << m):
        _subset_odds(k, m, acts, subset, full, lo, hi, ptr, nodes, kids, base, p, mu_lo, mu_hi)
        shift = (subset - 1) * acts if packed else 0
        for a in range(acts):
            good = True
            for b in range(acts):
                if b != a and not mu_hi[a] >= mu_lo[b] - tol:
                    good = False
                    break
            if good:
                out |= 1 << (shift + a)
    return out


#: the flag of a value of :func:`_subset_passing` that packs each subset's passing actions (above the
#: :data:`_MASK_ACTS` bits of a plain mask), and the most bits those may take (the values are kept
#: plus one in the kernel's int64 tables)
_PACKED = 1 << 62
_PACKED_BITS = 60


@njit(inline=True)
def _within_packed(row: np.ndarray, start: int, stop: int, passing: int) -> bool:
    """:func:`_within` for a value of :func:`_passing_actions`: with the flag :data:`_PACKED`, whether
    the support ``row[start:stop]`` is within the passing actions of some subset's block."""
    if not passing & _PACKED:
        return _within(row, start, stop, passing)
    acts = stop - start
    block = (1 << acts) - 1
    rest = passing & (_PACKED - 1)
    while rest:
        if _within(row, start, stop, rest & block):
            return True
        rest >>= acts
    return False


def _bounds_start(t: BatchTree) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The non-root nodes deepest level first, and the bounds before any child is folded in:
    payoffs at terminals, 0 at chance nodes (sums of weighted children), ±inf at decision nodes."""
    order = np.concatenate(t.levels[::-1]) if t.levels else np.zeros(0, dtype=np.int64)
    lo = np.full((t.n, t.players), np.inf)
    hi = np.full((t.n, t.players), -np.inf)
    lo[t.terminals] = hi[t.terminals] = t.payoffs
    chance_nodes = np.unique(t.parent[order[~t.decision[order]]])
    lo[chance_nodes] = hi[chance_nodes] = 0.0
    return order.astype(np.int64), lo, hi


@njit
def _bounds_kernel(order: np.ndarray, parent: np.ndarray, flat: np.ndarray, chance: np.ndarray,
                   decision: np.ndarray, ind: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
    """Fold every node into its parent, deepest level first: min / max over a decision node's
    support children, Nature's weighted sum at a chance node (in node order, as ``np.add.at``)."""
    for c in order:
        _fold(parent[c], c, flat, chance, decision, ind, lo, hi)


@njit(inline=True)
def _fold(p: int, c: int, flat: np.ndarray, chance: np.ndarray, decision: np.ndarray, ind: np.ndarray,
          lo: np.ndarray, hi: np.ndarray) -> None:
    """Fold child ``c`` into its parent ``p``: min / max if ``c`` is a support action's child
    (``ind``), Nature's weighted sum if ``c`` is a chance move's."""
    if decision[c]:
        if ind[flat[c]]:
            for i in range(lo.shape[1]):
                lo[p, i] = min(lo[p, i], lo[c, i])
                hi[p, i] = max(hi[p, i], hi[c, i])
    else:
        w = chance[c]
        for i in range(lo.shape[1]):
            lo[p, i] += w * lo[c, i]
            hi[p, i] += w * hi[c, i]


# ---------------------------------------------------------------------------------- pattern cache
_PATTERNS: OrderedDict[tuple, tuple[list[Pattern], list[Pattern]]] = OrderedDict()
_PATTERNS_MAX = 8
# The process-wide pattern caches (``_PATTERNS``, ``_REPLAYS``' entries) are shared by solves on
# several threads and take no lock (a lock left held by a Ctrl-C at the wrong moment would stop
# every later solve): each is read as a copy made in one step (one thread iterating a cache while
# another added to it raised ``RuntimeError: OrderedDict mutated during iteration``), and a key
# another thread has evicted meanwhile is let go (it raised ``KeyError``).


def _evict(cache: OrderedDict, most: int) -> None:
    """Drop the oldest entries of ``cache`` beyond ``most`` (another thread may drop them too)."""
    while len(cache) > most:
        try:
            cache.popitem(last=False)
        except KeyError:  # emptied by another thread meanwhile
            return


def _ordinal_key(game: ExtensiveFormGame, tol: float) -> tuple | None:
    """What the pattern test reads of the payoffs, if that is their order (``None`` otherwise).

    The test compares bounds that are, at a decision node, a min or max of its children's
    bounds. When no chance node lies below a decision node, every bound at a child of a
    decision node is a terminal payoff, so each verdict is fixed by the exact order of each
    player's terminal payoffs (which one is the min / max) and by which pairs satisfy
    ``x >= y - tol``. Chance probabilities enter only through ``possible`` (part of the key).
    """
    return _order_key(game, lambda col: col[:, None] >= col[None, :] - tol)


def _dominance_key(game: ExtensiveFormGame, tol: float) -> tuple | None:
    """What :func:`iterated_undominated_actions` reads of the payoffs, if that is their order
    (``None`` otherwise).

    Each round compares ``lo(v, a) > hi(v, b) + tol`` at the children of a set's nodes, the
    bounds being a min or max over children at a decision node. When no chance node lies below a
    decision node, each such bound is a terminal payoff of the mover, which one fixed by the order
    of the mover's payoffs; so every comparison, hence the result, is fixed by that order and by
    which pairs of the mover's payoffs satisfy ``x > y + tol`` (the same float operations)."""
    return _order_key(game, lambda col: col[:, None] > col[None, :] + tol)


def _order_key(game: ExtensiveFormGame, pairs: Callable[[np.ndarray], np.ndarray]) -> tuple | None:
    """Each player's payoff ranks and the pair table ``pairs(col)`` of the player's payoffs
    ``col``, as bytes; ``None`` when a chance node lies below a decision node (kept in the
    ``tree_cache``): then a bound is an expectation, not a payoff, and no order fixes it."""
    below = game.tree_cache.get("chance_below_decision")
    if below is None:
        below = game.tree_cache["chance_below_decision"] = _chance_below_decision(game)
    if below:
        return None
    pay = np.asarray(game.payoffs, dtype=float)
    parts: list[bytes] = []
    for i in range(pay.shape[1]):
        col = pay[:, i]
        parts.append(np.unique(col, return_inverse=True)[1].astype(np.int32).tobytes())
        parts.append(np.packbits(pairs(col)).tobytes())
    return tuple(parts)


def _chance_below_decision(game: ExtensiveFormGame) -> bool:
    """Whether some chance node has a decision node above it."""
    for nd in game.nodes:
        if nd.kind == CHANCE:
            p = nd.parent
            while p >= 0:
                if game.nodes[p].kind == DECISION:
                    return True
                p = game.nodes[p].parent
    return False


def _shape_key(game: ExtensiveFormGame) -> tuple:
    """The tree's shape (kept in its ``tree_cache``)."""
    key = game.tree_cache.get("shape_key")
    if key is None:
        nodes = tuple((nd.kind, nd.parent, nd.infoset, nd.player, nd.action) for nd in game.nodes)
        sets = tuple((h.player, len(h.actions), tuple(h.nodes)) for h in game.infosets)
        key = game.tree_cache["shape_key"] = (nodes, sets)
    return key


def cached_patterns(search: Callable[..., tuple[list[Pattern], list[Pattern]]], game: ExtensiveFormGame,
                    allowed: Sequence[tuple[int, ...]], possible: Sequence[np.ndarray], tol: float,
                    mixed: bool = True) -> tuple[list[Pattern], list[Pattern]]:
    """``search(game, allowed, possible, tol, mixed=mixed)``, remembered for trees of the same shape
    whose payoffs are in the same order (:func:`_ordinal_key`); for the other trees, the lists of
    :func:`~deterrence.solvers._pbe_patterns.feasible_patterns` are replayed when the search's
    verdicts come out the same on the new tree (:class:`_Replays`)."""
    if not ENABLED:
        return search(game, allowed, possible, tol, mixed=mixed)
    order = _ordinal_key(game, tol)
    if order is None:
        if search is feasible_patterns and game.has_perfect_recall():
            return _REPLAYS.patterns(game, allowed, possible, tol, mixed)
        return search(game, allowed, possible, tol, mixed=mixed)
    key = (search, _shape_key(game), order, tuple(tuple(a) for a in allowed),
           tuple(np.asarray(m, dtype=bool).tobytes() for m in possible), tol, mixed)
    hit = _PATTERNS.get(key)
    if hit is None:
        hit = _PATTERNS[key] = search(game, allowed, possible, tol, mixed=mixed)
        _evict(_PATTERNS, _PATTERNS_MAX)
    else:
        with contextlib.suppress(KeyError):  # (evicted by another thread meanwhile)
            _PATTERNS.move_to_end(key)
    return list(hit[0]), list(hit[1])


class _Replays:
    """Pattern lists of :func:`~deterrence.solvers._pbe_patterns.feasible_patterns` with the
    verdicts that made them, replayed on trees of the same shape.

    The depth-first search is a function of its verdicts ``(set, support, supports of the sets
    below) -> passes`` (it visits a key only through the verdicts before it), so a tree on which
    every remembered verdict comes out the same gets the same lists. The verdicts are recomputed
    on the new tree in one compiled pass (the support bounds of each key, then the test at its
    set); a comparison within ``margin`` of its threshold (where the order of the floating-point
    sums could matter) counts as different, and the search runs afresh.
    """

    #: remembered searches (all shapes together), and the most tried per solve
    MAX, TRIES = 64, 16

    def __init__(self) -> None:
        self.entries: OrderedDict[int, tuple[tuple, np.ndarray, np.ndarray, np.ndarray, tuple]]
        self.entries = OrderedDict()
        self.serials = itertools.count(1)  # (each number taken in one step, on any thread)

    def patterns(self, game: ExtensiveFormGame, allowed: Sequence[tuple[int, ...]],
                 possible: Sequence[np.ndarray], tol: float, mixed: bool
                 ) -> tuple[list[Pattern], list[Pattern]]:
        key = (_shape_key(game), tuple(tuple(a) for a in allowed),
               tuple(np.asarray(m, dtype=bool).tobytes() for m in possible), tol, mixed)
        tables = None
        entries = list(self.entries.items())  # (a copy: another thread may add one meanwhile)
        kept = [(serial, entry) for serial, entry in reversed(entries) if entry[0] == key]
        for serial, (_, ks, rows, verdicts, lists) in kept[:self.TRIES]:
            if tables is None:
                tables = _VerdictTables(game, possible)
            if tables.agree(ks, rows, verdicts, tol):
                with contextlib.suppress(KeyError):  # (dropped by another thread meanwhile)
                    self.entries.move_to_end(serial)
                return list(lists[0]), list(lists[1])
        memo: dict[tuple, bool] = {}
        lists = feasible_patterns(game, allowed, possible, tol, mixed=mixed, memo=memo)
        if memo:  # (empty when the sets have no order: nothing to replay)
            ks, rows = _verdict_rows(game, memo)
            entry = (key, ks, rows, np.array(list(memo.values()), dtype=np.bool_), lists)
            self.entries[next(self.serials)] = entry
            _evict(self.entries, self.MAX)
        return list(lists[0]), list(lists[1])


def _verdict_rows(game: ExtensiveFormGame, memo: dict[tuple, bool]) -> tuple[np.ndarray, np.ndarray]:
    """Per remembered verdict, its set and a support indicator (``(verdicts, actions)``): the
    key's support at its set, the key's supports at the sets below it, every action elsewhere."""
    below = {k: sorted(v) for k, v in _below(game).items()}
    offsets = _action_offsets(game)
    rows = np.ones((len(memo), int(offsets[-1])), dtype=np.bool_)
    ks = np.zeros(len(memo), dtype=np.int64)
    segments: dict[tuple[int, tuple[int, ...]], np.ndarray] = {}  # (set, support) -> its indicator
    for r, (k, support, context) in enumerate(memo):
        ks[r] = k
        for j, s in ((k, support), *zip(below[k], context, strict=True)):
            seg = segments.get((j, s))
            if seg is None:
                seg = segments[(j, s)] = np.zeros(int(offsets[j + 1] - offsets[j]), dtype=np.bool_)
                seg[list(s)] = True
            rows[r, offsets[j]:offsets[j + 1]] = seg
    return ks, rows


class _VerdictTables:
    """A tree's arrays for recomputing pattern-search verdicts (:func:`_verdicts_kernel`)."""

    def __init__(self, game: ExtensiveFormGame, possible: Sequence[np.ndarray]) -> None:
        tree = BatchTree(game)
        self.tree, self.bounds = tree, SupportBounds(tree, _action_offsets(game))
        self.sets = _SetTables(game, possible, child_tables(game), [[] for _ in game.infosets])
        self.margin = 1e-9 * max(1.0, float(np.abs(tree.payoffs).max(initial=0.0)))

    def agree(self, ks: np.ndarray, rows: np.ndarray, verdicts: np.ndarray, tol: float) -> bool:
        """Whether every verdict comes out as remembered, each clear of its threshold by the margin."""
        t, b, s = self.tree, self.bounds, self.sets
        return bool(_verdicts_agree(rows, ks, verdicts, b._order, t.parent, t.flat, t.chance, t.decision,
                                    b._start_lo, b._start_hi, s.ptr, s.possible, s.kid_ptr, s.kids, s.player,
                                    s.offsets, tol, self.margin))


_REPLAYS = _Replays()


@njit
def _verdicts_agree(rows: np.ndarray, ks: np.ndarray, verdicts: np.ndarray, order: np.ndarray,
                    parent: np.ndarray, flat: np.ndarray, chance: np.ndarray, decision: np.ndarray,
                    start_lo: np.ndarray, start_hi: np.ndarray, ptr: np.ndarray, possible: np.ndarray,
                    kid_ptr: np.ndarray, kids: np.ndarray, player: np.ndarray, offsets: np.ndarray,
                    tol: float, margin: float) -> bool:
    """Whether the pattern test at set ``ks[r]`` under the supports ``rows[r]`` gives ``verdicts[r]``
    for every ``r``, with the threshold moved by ``±margin`` and the same answer both ways."""
    for r in range(rows.shape[0]):
        row, k = rows[r], ks[r]
        lo, hi = start_lo.copy(), start_hi.copy()
        _bounds_kernel(order, parent, flat, chance, decision, row, lo, hi)
        mask = possible[ptr[k]:ptr[k + 1]]
        acts, m, p = offsets[k + 1] - offsets[k], ptr[k + 1] - ptr[k], player[k]
        strict = _some_node_passes(row, offsets[k], acts, mask, m, lo, hi, kids, kid_ptr[k], p, tol - margin)
        loose = _some_node_passes(row, offsets[k], acts, mask, m, lo, hi, kids, kid_ptr[k], p, tol + margin)
        if strict != loose or strict != verdicts[r]:
            return False
    return True


# ---------------------------------------------------------------------------------- root screen
def no_interior_root(polys: Sequence[dict[tuple[int, ...], int]]) -> bool:
    """Whether a row of the exact reduced echelon form of the equations (monomial -> integer
    coefficient; columns in increasing monomial order) has all its nonzero coefficients of one
    sign: then no common root has every unknown positive (see the module documentation).
    ``False`` when no such row shows up (or ``ENABLED`` is off); it never claims a root exists.

    The reduced echelon form is computed by fraction-free Gauss-Jordan elimination on sparse
    rows (:func:`_reduced_rows`), and its rows are only known up to a nonzero factor each, which
    changes no row's "one sign". The elimination stops early when a row of a single term turns
    up: a vector ``c · e_m`` of the row space is, up to its factor, the row of the reduced form
    with pivot ``m`` (``m`` is a pivot column, since ``e_m`` is a vector of the row space whose
    first nonzero entry is at ``m``; the row ``r`` of pivot ``m`` is ``e_m`` plus entries at
    non-pivot columns, so ``r − e_m`` is a vector of the row space that vanishes at every pivot
    column, hence zero), and one term has one sign. So the verdict is ``True`` for every system
    whose row space holds a vector of one term, whatever else it holds.
    """
    return root_screen(polys) is not None


def root_screen(polys: Sequence[dict[tuple[int, ...], int]]) -> int | None:
    """:func:`no_interior_root` with the equations that settle it: ``None`` when it is ``False``;
    otherwise a bitmask of the equations (bit ``i``: ``polys[i]``) whose row space holds a vector
    of one term (the one-term row :func:`_reduced_rows` found is a combination of them), or ``0``
    when only a one-sign row of the full reduced form settles it (a row that names no subset:
    more equations can change it)."""
    if not ENABLED:
        return None
    key = tuple([tuple(p.items()) for p in polys])
    kept = _SCREENED.get(key, _UNSEEN)  # (one lookup: another thread may clear the dict between two)
    if kept is not _UNSEEN:
        return kept
    rows, mask = _reduced_rows(polys)
    out = mask if rows is None else 0 if any(_one_sign(row) for row in rows) else None
    if len(_SCREENED) >= SCREENED_KEPT:
        _SCREENED.clear()
    _SCREENED[key] = out
    return out


#: the most verdicts :func:`root_screen` keeps, by its equations as given (terms in order): a solve
#: screens some systems again (one met again under other supports at sets its conditions do not read,
#: or in another weight spec's combination that shares its equations); cleared when full
SCREENED_KEPT = 4096
_SCREENED: dict[tuple, int | None] = {}
_UNSEEN = object()  # (a verdict not kept: ``None`` is a verdict)


def without_monomial_factors(polys: Sequence[dict[tuple[int, ...], int]]) -> list[dict[tuple[int, ...], int]]:
    """Each polynomial divided by the largest monomial that divides all its terms (the same dictionary
    when that is 1; the ones given are never changed).

    Inside the box every unknown is positive, so a monomial is too, and ``m · q`` vanishes there
    exactly where ``q`` does: the systems have the same interior roots, and the root screen
    (:func:`root_screen`) may read these instead. It then also rules out systems whose equations
    hold a one-term vector only once such factors are divided out: two Challenger types' conditions
    after a response, ``x_H · (a − b·y)`` and ``x_S · (c − d·y)``, that fix the Defender's mixture
    ``y`` at two different values (only ``1`` in the span of ``a − b·y`` and ``c − d·y``). Dividing
    renames nothing: an injective renaming of the unknowns maps the largest common monomial of a
    polynomial to that of its image, so a set of conditions whose quotients hold a vector of one
    term holds one in every system that has them
    (:meth:`deterrence.solvers._pbe_exact.ExactTree.note_one_term`)."""
    out = []
    for p in polys:
        common = None
        for mono in p:
            common = mono if common is None else tuple([min(a, b) for a, b in zip(common, mono, strict=True)])
            if not any(common):
                break
        if common is not None and any(common):
            p = {tuple([a - b for a, b in zip(mono, common, strict=True)]): c for mono, c in p.items()}
        out.append(p)
    return out


def one_term_mask(polys: Sequence[dict[tuple[int, ...], int]]) -> int | None:
    """A bitmask of the equations (bit ``i``: ``polys[i]``) whose row space holds a vector of one term
    found by the exact row reduction (:func:`_reduced_rows`: the equations its one-term row was
    combined from, or all of them when a row of their reduced echelon form has one term), or
    ``None`` (none found, or ``ENABLED`` off)."""
    if not ENABLED:
        return None
    rows, mask = _reduced_rows(polys)
    if rows is None:
        return mask
    return (1 << len(polys)) - 1 if any(len(row) == 1 for row in rows) else None


def _one_sign(row: dict[tuple[int, ...], int]) -> bool:
    values = row.values()
    return all(x > 0 for x in values) or all(x < 0 for x in values)


def _reduced_rows(polys: Sequence[dict[tuple[int, ...], int]]
                  ) -> tuple[list[dict[tuple[int, ...], int]] | None, int]:
    """The nonzero rows of the reduced echelon form of ``polys`` (columns: the monomials in
    increasing order), each up to a nonzero factor, as dictionaries of their nonzero entries,
    and ``0``; or ``None`` as soon as a row of one term turns up (see :func:`no_interior_root`),
    and the bitmask of the equations that row is a combination of (bit ``i``: ``polys[i]``).

    Column by column, a row with a nonzero entry there (the shortest: the reduced form does not
    depend on which) becomes the pivot row, and every other row, those of the earlier pivots
    included, is replaced by ``lead · row − f · pivot`` divided by the gcd of its entries (a
    nonzero multiple of what exact division would give); rows that vanish are dropped. Each row
    carries the bitmask of the equations it is a combination of: an equation's own bit, and the
    union of both masks after each elimination (the rows of earlier pivots need none: they are
    not looked at for one term). The dictionaries given are never changed (they are shared
    between calls)."""
    live = [(p, 1 << i) for i, p in enumerate(polys) if p]
    for p, mask in live:
        if len(p) == 1:
            return None, mask
    done: list[dict[tuple[int, ...], int]] = []
    for col in sorted({m for p, _ in live for m in p}):
        pivot = None
        for row, mask in live:
            if col in row and (pivot is None or len(row) < len(pivot)):
                pivot, pmask = row, mask
        if pivot is None:
            continue
        rest = []
        for row, mask in live:
            if row is not pivot:
                if col in row:
                    row, mask = _eliminated(row, pivot, col), mask | pmask
                    if len(row) == 1:
                        return None, mask
                if row:
                    rest.append((row, mask))
        done = [_eliminated(row, pivot, col) if col in row else row for row in done]
        done.append(pivot)
        if not rest:
            break
        live = rest
    return done, 0


def _eliminated(row: dict[tuple[int, ...], int], pivot: dict[tuple[int, ...], int], col: tuple[int, ...]
                ) -> dict[tuple[int, ...], int]:
    """``lead · row − f · pivot`` (``lead``, ``f``: their entries at ``col``, which it clears),
    divided by the gcd of its entries, as a new dictionary of its nonzero entries."""
    lead, f = pivot[col], row[col]
    out = {m: lead * x for m, x in row.items()}
    for m, y in pivot.items():
        x = out.get(m, 0) - f * y
        if x:
            out[m] = x
        else:
            del out[m]
    g = math.gcd(*out.values()) if out else 1
    return {m: x // g for m, x in out.items()} if g > 1 else out
