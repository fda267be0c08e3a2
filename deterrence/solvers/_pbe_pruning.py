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
    rule on the path, which every policy shares; unreached sets are left alone.

Verdicts depend only on the set, its support, the supports of the sets below it (the bounds),
the reached nodes of the set and whether the belief is exact, so they are remembered by that key.

Indifference systems with no root inside the box (:func:`no_interior_root`)
    Before a pattern's system goes to the Gröbner basis, its equations (exact integer
    coefficients, unknowns ``x > 0`` inside the box) are row-reduced exactly. Every row of the
    reduced echelon form is a linear combination of the equations, so it vanishes at every
    common root; if one row has all its nonzero coefficients of one sign it is a sum of
    positive monomials (or of negative ones) inside the box and cannot vanish there: the
    system has no interior root. (Two Defender types whose indifference conditions differ by
    one term give such a row; the lex Gröbner basis finds the same ``[1]`` but can take a minute
    on the 50-digit coefficients that float payoffs give.)

The pattern list of :func:`deterrence.solvers._pbe_patterns.feasible_patterns` is remembered
across calls by :func:`cached_patterns`, keyed on the tree's shape and the *order* of each
player's terminal payoffs (see there): in a sweep over points that keep a model's orderings
the deepest-first search runs once.

``ENABLED`` switches both reductions off for the soundness tests (the oracle examines every
pattern the older test admits); it is not a user option.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

from .._jit import njit
from ..game.extensive import CHANCE, DECISION, ExtensiveFormGame
from ._pbe_patterns import Pattern, _below
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
    """
    allowed = undominated_actions(game, tol)
    if not ENABLED:
        return allowed
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
    """The belief-support test of support patterns (see the module documentation).

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
    """

    def __init__(self, game: ExtensiveFormGame, possible: Sequence[np.ndarray], tol: float,
                 tree: BatchTree | None = None, kids: Sequence[np.ndarray] | None = None) -> None:
        self.game, self.tol = game, tol
        self.possible = possible
        self.kids = child_tables(game) if kids is None else kids
        self.nodes = [np.array(h.nodes, dtype=np.int64) for h in game.infosets]
        self._bounds = SupportBounds(BatchTree(game) if tree is None else tree, _action_offsets(game))
        self.below = {k: sorted(v) for k, v in _below(game).items()}
        self.above = self._above(game)
        self.memo: dict[tuple, bool] = {}
        self.dropped = 0

    @staticmethod
    def _above(game: ExtensiveFormGame) -> dict[int, list[int]]:
        """For each information set, the sets with a decision node on the path to one of its nodes."""
        out: dict[int, list[int]] = {}
        for h in game.infosets:
            seen: set[int] = set()
            for v in h.nodes:
                p = game.nodes[v].parent
                while p >= 0:
                    if game.nodes[p].kind != CHANCE:
                        seen.add(game.nodes[p].infoset)
                    p = game.nodes[p].parent
            out[h.index] = sorted(seen)
        return out

    def admits(self, pattern: Pattern, reach: np.ndarray) -> bool:
        """Whether ``pattern`` passes the test at every set it reaches.

        ``reach`` is the realisation probability of every node under the pattern's indicator
        profile (1 on each support action), positive exactly on the reached nodes.
        """
        if not ENABLED:
            return True
        bounds = None
        for k, nodes in enumerate(self.nodes):
            mask = (reach[nodes] > 0) & self.possible[k]
            if not mask.any():
                continue
            exact = all(len(pattern[j]) == 1 for j in self.above[k])
            key = (k, pattern[k], tuple(pattern[j] for j in self.below[k]), mask.tobytes(), exact)
            ok = self.memo.get(key)
            if ok is None:
                if bounds is None:
                    bounds = self._bounds(pattern)
                ok = self.memo[key] = self._passes(k, pattern[k], mask, bounds, reach if exact else None)
            if not ok:
                self.dropped += 1
                return False
        return True

    def _passes(self, k: int, support: tuple[int, ...], mask: np.ndarray,
                bounds: tuple[np.ndarray, np.ndarray], reach: np.ndarray | None) -> bool:
        h = self.game.infosets[k]
        kids = self.kids[k][mask]
        lo, hi = bounds[0][kids, h.player], bounds[1][kids, h.player]
        if reach is not None:  # the belief is Nature's odds on the reached nodes
            w = reach[self.nodes[k]][mask]
            mu = w / w.sum()
            lo, hi = (mu @ lo)[None, :], (mu @ hi)[None, :]
        for a in support:
            for b in range(len(h.actions)):
                if b != a and not np.any(hi[:, a] >= lo[:, b] - self.tol):
                    return False
        return True


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
    players = lo.shape[1]
    for c in order:
        p = parent[c]
        if decision[c]:
            if ind[flat[c]]:
                for i in range(players):
                    lo[p, i] = min(lo[p, i], lo[c, i])
                    hi[p, i] = max(hi[p, i], hi[c, i])
        else:
            w = chance[c]
            for i in range(players):
                lo[p, i] += w * lo[c, i]
                hi[p, i] += w * hi[c, i]


# ---------------------------------------------------------------------------------- pattern cache
_PATTERNS: OrderedDict[tuple, tuple[list[Pattern], list[Pattern]]] = OrderedDict()
_PATTERNS_MAX = 8


def _ordinal_key(game: ExtensiveFormGame, tol: float) -> tuple | None:
    """What the pattern test reads of the payoffs, if that is their order (``None`` otherwise).

    The test compares bounds that are, at a decision node, a min or max of its children's
    bounds. When no chance node lies below a decision node, every bound at a child of a
    decision node is a terminal payoff, so each verdict is fixed by the exact order of each
    player's terminal payoffs (which one is the min / max) and by which pairs satisfy
    ``x >= y - tol``. Chance probabilities enter only through ``possible`` (part of the key).
    """
    for nd in game.nodes:
        if nd.kind == CHANCE:
            p = nd.parent
            while p >= 0:
                if game.nodes[p].kind == DECISION:
                    return None
                p = game.nodes[p].parent
    pay = np.asarray(game.payoffs, dtype=float)
    parts: list[bytes] = []
    for i in range(pay.shape[1]):
        col = pay[:, i]
        parts.append(np.unique(col, return_inverse=True)[1].astype(np.int32).tobytes())
        parts.append(np.packbits(col[:, None] >= col[None, :] - tol).tobytes())
    return tuple(parts)


def _shape_key(game: ExtensiveFormGame) -> tuple:
    nodes = tuple((nd.kind, nd.parent, nd.infoset, nd.player, nd.action) for nd in game.nodes)
    sets = tuple((h.player, len(h.actions), tuple(h.nodes)) for h in game.infosets)
    return nodes, sets


def cached_patterns(search: Callable[..., tuple[list[Pattern], list[Pattern]]], game: ExtensiveFormGame,
                    allowed: Sequence[tuple[int, ...]], possible: Sequence[np.ndarray], tol: float,
                    mixed: bool = True) -> tuple[list[Pattern], list[Pattern]]:
    """``search(game, allowed, possible, tol, mixed=mixed)``, remembered for trees of the same shape
    whose payoffs are in the same order (:func:`_ordinal_key`); not remembered otherwise."""
    order = _ordinal_key(game, tol) if ENABLED else None
    if order is None:
        return search(game, allowed, possible, tol, mixed=mixed)
    key = (search, _shape_key(game), order, tuple(tuple(a) for a in allowed),
           tuple(np.asarray(m, dtype=bool).tobytes() for m in possible), tol, mixed)
    hit = _PATTERNS.get(key)
    if hit is None:
        hit = _PATTERNS[key] = search(game, allowed, possible, tol, mixed=mixed)
        while len(_PATTERNS) > _PATTERNS_MAX:
            _PATTERNS.popitem(last=False)
    else:
        _PATTERNS.move_to_end(key)
    return list(hit[0]), list(hit[1])


# ---------------------------------------------------------------------------------- root screen
def no_interior_root(polys: Sequence[dict[tuple[int, ...], int]]) -> bool:
    """Whether a row of the exact reduced echelon form of the equations (monomial -> integer
    coefficient) has all its nonzero coefficients of one sign: then no common root has every
    unknown positive (see the module documentation). ``False`` when no such row shows up (or
    ``ENABLED`` is off); it never claims a root exists."""
    if not ENABLED or not polys:
        return False
    # fraction-free Gauss-Jordan in integers: every row stays a nonzero multiple of the same row
    # of the reduced echelon form (row r becomes lead * r - f * pivot, then divided by its
    # content), and a row's "one sign" is the same for any nonzero multiple of it
    monos = sorted({m for p in polys for m in p})
    rows = [[p.get(m, 0) for m in monos] for p in polys]
    pivot_row = 0
    for col in range(len(monos)):
        piv = next((r for r in range(pivot_row, len(rows)) if rows[r][col] != 0), None)
        if piv is None:
            continue
        rows[pivot_row], rows[piv] = rows[piv], rows[pivot_row]
        prow = rows[pivot_row]
        lead = prow[col]
        for r in range(len(rows)):
            f = rows[r][col]
            if r != pivot_row and f != 0:
                new = [lead * x - f * y for x, y in zip(rows[r], prow, strict=True)]
                g = math.gcd(*new)
                rows[r] = [x // g for x in new] if g > 1 else new
        pivot_row += 1
        if pivot_row == len(rows):
            break
    for row in rows:
        nz = [x for x in row if x != 0]
        if nz and (all(x > 0 for x in nz) or all(x < 0 for x in nz)):
            return True
    return False
