"""Which mixed support patterns mix at an unreached information set whose belief is free, for a
whole list of patterns at once (:func:`free_offpath_mask`).

Under the ``free`` policy the solver does not solve such a pattern, it only counts it
(:func:`deterrence.solvers.pbe._tabled_patterns`): ``_pattern_specs`` gives it no specs. Whether
it does depends on the pattern's supports and on which nodes Nature can reach, not on payoffs, so
the mask is worked out once per pattern list (kept in the tree's cache for the points of a sweep)
and the solver counts the admitted patterns it marks with numpy instead of visiting each.

*Why the mask is exact.* ``_pattern_specs`` (policy ``free``) gives a pattern no specs iff one of
its mixing sets ``k`` is unreached (``on_path[k]`` false; ``on_path`` is the pruner's
:meth:`~deterrence.solvers._pbe_pruning.BeliefSupportPruner.reached`, as the solver passes it)
and has no spec. An unreached set ``k`` has a spec iff it carries its mover's own belief: with
``(s_1, a_1)`` the last own move on the path to ``k``'s first node, ``s_1`` has a spec (``reach``
if reached, else, in turn, a carried one from its own ``(s_2, a_2)``, and so on: the *chain*
``s_1, s_2, ...`` of :func:`_chain`, which stops at its first reached set ``s_j``) and the
carried weights at ``k`` have a positive sum. Those weights are sums of *terms*, one per
carrying route (:func:`~deterrence.solvers._pbe_exact.carry_paths` at each step): a node ``v``
of ``k`` and the nodes ``u_i`` of ``s_i`` on its path with ``v`` below ``u_i``'s child by
``a_i``. A term is the indicator profile's reach at ``u_j`` times the edge probabilities from
there down to ``v`` with the edges out of the ``u_i`` left out, root first: the products of the
profile's reach pass (``realization_probabilities``), each factor a chance probability or a
player's 1.0 or 0.0. If every player factor kept is 1.0, the term is, to the bit,
``chance_reach[v]`` (the same chance factors in the same order; a factor 1.0 changes nothing);
otherwise it is 0 (every factor is finite). The terms are not negative, so the sum is positive iff
some term is: iff for some route ``chance_reach[v] > 0`` and every decision move on ``v``'s path
other than those out of the route's ``u_i`` is in the supports. An unreached ``s_i`` before
``s_j`` has a spec exactly when such a route through it exists, so the chain's intermediate
specs need no test of their own. :func:`_routes` lists, per set and chain depth, each route's
moves to be in the supports; ``tests/test_pbe_offpath.py`` compares the mask with the programs'
``free`` flags on recorded and random trees.

*Sets whose belief Nature fixes* (Nature reaches exactly one of their nodes, ``u*``: a set of
one node, or one whose other nodes lie behind a chance move of probability 0;
:func:`~deterrence.solvers._pbe_context.fixed_by_nature`) always have a spec: their own carried
belief, else Nature's odds. Such a set ``k`` is never free; and a chain also stops at such a set
``s_j`` left unreached. Its weights are positive at ``u*`` alone (Nature's odds,
``chance_reach[u*]``, or its carried weights, whose sum is positive and each of whose terms at
another node has a chance factor 0): a term through ``s_j``'s node ``u_j`` is ``u_j``'s weight
times the edge probabilities below ``u_j``, so it is positive iff ``chance_reach[v] > 0`` (which
makes ``u_j``, above ``v``, the node ``u*``) and every decision move on ``v``'s path below
``u_j``, other than those out of the route's ``u_i``, is in the supports.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..game.extensive import ExtensiveFormGame
from ._pbe_beliefs import _last_own_moves
from ._pbe_context import _Ctx, fixed_by_nature
from ._pbe_exact import carry_paths
from ._pbe_patterns import Pattern
from ._pbe_pruning import BeliefSupportPruner

#: per set: whether Nature alone fixes its belief (:func:`~deterrence.solvers._pbe_context.fixed_by_nature`),
#: its chain (:func:`_chain`) and, per chain depth, the columns each route needs in the supports
#: where the chain stops at a reached set, and where it stops at an unreached set whose belief
#: Nature fixes (``None`` where the set at that depth is not one)
Routes = list[tuple[bool, list[int], list[list[np.ndarray]], list[list[np.ndarray] | None]]]


def free_offpath_mask(ctx: _Ctx, pruner: BeliefSupportPruner, patterns: Sequence[Pattern], max_mixed: int
                      ) -> np.ndarray | None:
    """Per pattern of ``patterns``, whether it mixes at no more than ``max_mixed`` sets (the solver
    skips the others before it looks at their beliefs) and at an unreached set whose belief is
    free (``_pattern_specs`` gives it no specs), read-only; ``None`` if the policy is not ``free``
    (no belief is free then) or a chain of own moves comes back to a set.

    Kept in the tree's cache by what it reads: the pattern list (an equal list gets the kept
    mask), which nodes Nature reaches with positive probability (``chance_reach > 0``) and the
    pruner's reach (:meth:`~deterrence.solvers._pbe_pruning.BeliefSupportPruner.reach_key`)."""
    if ctx.policy != "free" or not patterns:
        return None
    positive = ctx.chance_reach() > 0
    key = ("pbe_free_offpath", positive.tobytes(), pruner.reach_key())
    cache = ctx.game.tree_cache
    hit = cache.get(key)
    if hit is None or hit[0] != patterns:
        routes = _routes(ctx.game, positive)
        if routes is None:
            return None
        ind = pruner.indicators(patterns)
        hit = cache[key] = (list(patterns), _mask(ind, pruner.reached(ind), pruner.offsets, routes),
                            _mixing_counts(ind, pruner.offsets), {})
    _, free, counts, by_limit = hit
    mask = by_limit.get(max_mixed)
    if mask is None:
        mask = by_limit[max_mixed] = free & (counts <= max_mixed)
        mask.setflags(write=False)
    return mask


def _mixing_counts(ind: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per pattern (rows of its support indicators ``ind``), the number of sets where it mixes."""
    bounds = offsets.tolist()
    counts = np.zeros(ind.shape[0], dtype=np.int64)
    for k in range(len(bounds) - 1):
        counts += ind[:, bounds[k]:bounds[k + 1]].sum(axis=1) > 1
    return counts


def _chain(game: ExtensiveFormGame, k: int) -> list[tuple[int, int]] | None:
    """The sets ``s_1, s_2, ...`` whose beliefs set ``k``'s carries, each with the own action
    carried through (``(s_1, a_1)``: the last own move on the path to ``k``'s first node, then
    ``s_1``'s, ...: :func:`~deterrence.solvers._pbe_beliefs._last_own_moves`), as ``_pattern_specs``
    follows them; ``None`` if the chain comes back to a set."""
    last = _last_own_moves(game)
    out: list[tuple[int, int]] = []
    seen = {k}
    move = last[k]
    while move is not None:
        prev, act = move
        if prev in seen:
            return None
        seen.add(prev)
        out.append((prev, act))
        move = last[prev]
    return out


def _routes(game: ExtensiveFormGame, positive: np.ndarray) -> Routes | None:
    """Per set, whether Nature fixes its belief, its chain's sets and, per depth ``j`` (the chain
    stopping at ``s_j``), the columns of the supports each route with ``chance_reach[v] > 0``
    (``positive``) needs: where ``s_j`` is reached, the decision moves on ``v``'s path except those
    out of the route's nodes ``u_i``; where ``s_j`` is unreached and Nature fixes its belief, those
    below ``u_j`` only (``s_j``'s weight at the one node Nature reaches, above ``v``: Nature's odds
    or its own carried one, is positive).
    ``None`` if a chain comes back to a set."""
    out: Routes = []
    for k in range(len(game.infosets)):
        chain = _chain(game, k)
        if chain is None:
            return None
        depths, fixed_depths = [], []
        # routes as (v, the nodes u_i left out, position of the last u_i in its set)
        routes = [(v, (), pos) for pos, v in enumerate(game.infosets[k].nodes)]
        below = k
        for prev, act in chain:
            nodes = game.infosets[prev].nodes
            steps = carry_paths(game, prev, act, below)
            routes = [(v, (*skip, nodes[u_pos]), u_pos) for v, skip, top in routes
                      for u_pos, v_pos, _ in steps if v_pos == top]
            depths.append([_needed(game, v, skip) for v, skip, _ in routes if positive[v]])
            fixed_depths.append([_needed(game, v, skip, top=skip[-1]) for v, skip, _ in routes if positive[v]]
                                if fixed_by_nature(game, positive, prev) else None)
            below = prev
        out.append((fixed_by_nature(game, positive, k), [s for s, _ in chain], depths, fixed_depths))
    return out


def _needed(game: ExtensiveFormGame, v: int, skip: Sequence[int], top: int = 0) -> np.ndarray:
    """The columns (``game._edge_flat``) of the decision moves on the path to node ``v`` below node
    ``top`` (the root: all of them), except the moves out of the nodes ``skip``."""
    cols = []
    x = v
    while x > top:
        p = game.nodes[x].parent
        f = int(game._edge_flat[x])
        if f >= 0 and p not in skip:
            cols.append(f)
        x = p
    return np.array(sorted(cols), dtype=np.int64)


def _mask(ind: np.ndarray, reached: np.ndarray, offsets: np.ndarray, routes: Routes) -> np.ndarray:
    """:func:`free_offpath_mask` from the patterns' support indicators ``ind`` (rows), the sets
    they reach and the routes of :func:`_routes`."""
    free = np.zeros(ind.shape[0], dtype=np.bool_)
    bounds = offsets.tolist()
    for k, (fixed, chain, depths, fixed_depths) in enumerate(routes):
        if fixed:  # Nature's odds if nothing is carried: never free
            continue
        unreached_mixing = (ind[:, bounds[k]:bounds[k + 1]].sum(axis=1) > 1) & ~reached[:, k]
        open_rows = np.flatnonzero(unreached_mixing & ~free)  # those whose chain has not stopped yet
        for s, needs, fixed_needs in zip(chain, depths, fixed_depths, strict=True):
            if not len(open_rows):
                break
            stop = reached[open_rows, s]
            free[open_rows[stop][~_carried(ind, open_rows[stop], needs)]] = True
            open_rows = open_rows[~stop]
            if fixed_needs is not None:  # an unreached set whose belief Nature fixes: the chain stops
                free[open_rows[~_carried(ind, open_rows, fixed_needs)]] = True
                open_rows = open_rows[:0]
        free[open_rows] = True  # the chain ends with no reached set: no carried belief
    return free


def _carried(ind: np.ndarray, rows: np.ndarray, needs: list[np.ndarray]) -> np.ndarray:
    """Per pattern of ``rows``: do its supports hold every column of some route of ``needs``?"""
    carried = np.zeros(len(rows), dtype=np.bool_)
    for cols in needs:
        carried |= ind[np.ix_(rows, cols)].all(axis=1)
    return carried
