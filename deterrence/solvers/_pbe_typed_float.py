"""The balanced support patterns of two-player type games decided in floating point, all at once
(private).

In a tree of :mod:`deterrence.solvers._typed_structure`, a mixed support pattern that mixes only at
information sets it reaches has, per player ``i``, ``d_i`` indifference conditions linear in the
other player's ``d_j`` realization-plan coordinates (:mod:`deterrence.solvers._pbe_typed_linear`,
whose docstring is the theory). When ``d_C = d_D`` ("balanced") and both square systems are
nonsingular, the pattern's one candidate root is their unique solution, which
:func:`~deterrence.solvers._pbe_typed_linear.typed_roots` finds exactly, pattern by pattern, after
the generic route's screens (or, for two sets of two actions, the closed form of
:func:`~deterrence.solvers._pbe_multilinear._solve_two_binary`).

Here the two systems of every admitted balanced pattern that mixes only where it reaches are built
and solved in float64 in one compiled pass (:func:`_decide_kernel`): player ``j``'s realization of
every node as an affine function of its coordinates, top down; player ``i``'s conditions from the
terminals' weights (Nature's probability times ``i``'s payoff) times those realizations, bottom up,
``i`` playing the first action of its support at its later sets, as ``_pbe_typed_linear`` reads
them. A pattern is *decided* only with a margin for rounding:

* each entry of a system is a sum of terminal weights with signs; the exact system
  (``_pbe_typed_linear``'s, from the game's numbers as rationals) differs from the float one by at
  most :func:`error_factor` times the sum of the absolute values of its terms;
* with ``X`` the float inverse of the float matrix, ``θ`` bounds ``‖I − X A‖∞`` for the exact
  ``A`` (the float product's distance to ``I``, its rounding, and ``|X|`` times the entries'
  bounds); a system with ``θ >= 1/2`` is left undecided (near-singular). Otherwise ``A`` is
  nonsingular, ``‖A⁻¹‖∞ <= ‖X‖∞ / (1 − θ)``, and the exact solution is within
  ``‖A⁻¹‖∞`` times a bound on the exact residual of the float solution (float residual, its
  rounding, and the entries' bounds times the solution) of the float one, in every coordinate;
* the mixtures are ``σ_s(a) = y_{s,a} / r(s)`` (``r(s)`` the realization of the set, an affine
  function of the coordinates, whose error follows) and ``1 −`` their sum for the support's first
  action. With every ``|r(s)|`` above its bound, a pattern whose every probability exceeds
  ``_INTERIOR`` by more than its bound (and :data:`SLACK`) has its one root there (returned, the
  pure sets' actions filled in as :func:`~deterrence.solvers.pbe._solve_pattern` fills them); one
  with a probability below ``_INTERIOR`` by more than its bound has none. A pattern of two sets of
  two actions each (the closed form's case) needs also both systems' coefficient above
  :data:`MIN_BINARY_SLOPE` (the closed form gives up at ``1e-14``).

Everything else (near-singular systems, probabilities near the boundary, realizations near 0,
other trees) is left to the generic route. A pattern left undecided is not looked at again for the
tree's later points with the same pattern list and the same nodes of positive reach (most are
singular, or have a vanishing realization, whatever the payoffs): it goes the generic way there
too, which gives the same answers. (Which patterns qualify is read from the list's classification,
:func:`~deterrence.solvers._pbe_unbalanced.unbalanced`, kept per tree, where the patterns left
undecided are marked.) Where this route decides, the generic route gives the
same roots and no notes: its screens are sound (they rule out only patterns without a root inside
the box, or with one that is no PBE: the vertex tests also drop patterns where an action outside
the support beats the support at every vertex, whose roots the assessment rejects), and
``typed_roots`` (or the closed form) decides the same nonsingular systems with the same root. The
tests compare the two routes pattern by pattern.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .._jit import njit
from ..game.extensive import CHANCE, DECISION, ExtensiveFormGame
from ._pbe_context import _INTERIOR, _Ctx
from ._pbe_pruning import BeliefSupportPruner
from ._pbe_unbalanced import unbalanced
from .lemke import _inverse

#: a probability is decided inside (outside) its simplex only if it clears ``_INTERIOR`` by its
#: error bound plus this (the generic route rounds its probabilities too)
SLACK = 1e-12

#: in a pattern of two binary sets, each system's one coefficient must exceed this by its error
#: bound (the generic route's closed form returns nothing, or notes a continuum, at ``1e-14``)
MIN_BINARY_SLOPE = 1e-12

#: the verdicts of :func:`_decide_kernel`, per pattern
UNDECIDED, ROOT, NO_ROOT = 0, 1, 2

_UNIT = 2.0 ** -53  # the unit roundoff of float64
#: the smallest normal float64: an operation whose result underflows errs by at most ``2 ** -1074``
#: absolutely (beyond the relative ``_UNIT``), far below this, added once per sum a bound reads
_TINY = 2.0 ** -1022


@dataclass(frozen=True)
class _Layout:
    """The tree as flat arrays for :func:`_decide_kernel` (kept in its ``tree_cache``): per node its
    kind (0 terminal, 1 decision, 2 chance), parent, action at the parent and information set (-1
    if none), its children in action order (``child_ptr``, ``children``); per set its mover and
    first node, its nodes (``set_ptr``, ``set_nodes``); per action (the game's flat order) its
    set; the longest run of chance moves on a path."""

    kind: np.ndarray
    parent: np.ndarray
    action: np.ndarray
    node_set: np.ndarray
    child_ptr: np.ndarray
    children: np.ndarray
    set_player: np.ndarray
    first_node: np.ndarray
    set_ptr: np.ndarray
    set_nodes: np.ndarray
    offsets: np.ndarray
    chance_depth: int


def _layout(game: ExtensiveFormGame) -> _Layout:
    """The tree's :class:`_Layout` (in its ``tree_cache``)."""
    out = game.tree_cache.get("pbe_typed_float_layout")
    if out is None:
        out = game.tree_cache["pbe_typed_float_layout"] = _built_layout(game)
    return out


def _built_layout(game: ExtensiveFormGame) -> _Layout:
    """:func:`_layout` worked out."""
    nodes = game.nodes
    kinds = {DECISION: 1, CHANCE: 2}
    kind = np.array([kinds.get(nd.kind, 0) for nd in nodes], dtype=np.int64)
    depth = [0] * len(nodes)
    for v, nd in enumerate(nodes):  # preorder
        if nd.parent >= 0:
            depth[v] = depth[nd.parent] + (nodes[nd.parent].kind == CHANCE)
    sizes = [len(nd.children) for nd in nodes]
    set_sizes = [len(h.nodes) for h in game.infosets]
    return _Layout(
        kind=kind,
        parent=np.array([nd.parent for nd in nodes], dtype=np.int64),
        action=np.array([nd.action for nd in nodes], dtype=np.int64),
        node_set=np.array([nd.infoset if nd.kind == DECISION else -1 for nd in nodes], dtype=np.int64),
        child_ptr=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        children=np.array([c for nd in nodes for c in nd.children], dtype=np.int64),
        set_player=np.array([h.player for h in game.infosets], dtype=np.int64),
        first_node=np.array([h.nodes[0] for h in game.infosets], dtype=np.int64),
        set_ptr=np.concatenate([[0], np.cumsum(set_sizes)]).astype(np.int64),
        set_nodes=np.array([v for h in game.infosets for v in h.nodes], dtype=np.int64),
        offsets=np.concatenate([[0], np.cumsum([len(h.actions) for h in game.infosets])]).astype(np.int64),
        chance_depth=max(depth),
    )


def error_factor(game: ExtensiveFormGame, layout: _Layout) -> float:
    """The factor ``g`` with ``|float entry − exact entry| <= g · Σ|terms|`` for every entry of the
    systems: a terminal's weight is a product of ``chance_depth`` probabilities and a payoff (each
    float a rational read exactly by the exact route), an entry a signed sum of at most twice as many
    weights as there are terminals; each operation adds a relative ``2^-53``, counted twice over."""
    ops = 2 * len(game.terminals) + layout.chance_depth + 4
    return 2.0 * ops * _UNIT


@dataclass
class FloatDecided:
    """What :func:`float_decided` settled: per admitted pattern (by position in ``admitted``),
    whether it is decided (``decided``), and the roots found, each with its pattern's index in the
    pattern list (``found``, in that order)."""

    decided: np.ndarray
    found: list[tuple[int, list[np.ndarray]]] = field(default_factory=list)

    def merged(self, patterns: Sequence[tuple], generic: list[tuple[tuple, list[np.ndarray]]]
               ) -> list[list[np.ndarray]]:
        """The roots of the decided patterns and those of the rest (``generic``: pairs of a pattern of
        ``patterns`` and a root, in the pattern list's order) in one list, in the pattern list's order
        (the order the generic route alone gives them in)."""
        if not self.found:
            return [beh for _, beh in generic]
        if not generic:
            return [beh for _, beh in self.found]
        where = _positions(patterns)
        tagged = [(where(p), 1, n, beh) for n, (p, beh) in enumerate(generic)]
        tagged += [(i, 0, n, beh) for n, (i, beh) in enumerate(self.found)]
        tagged.sort(key=lambda t: t[:3])
        return [t[3] for t in tagged]


def _positions(patterns: Sequence[tuple]):
    """A function giving a pattern's index in ``patterns``. The pattern lists of a sweep's points are
    copies of one list (:func:`~deterrence.solvers._pbe_pruning.cached_patterns`), sharing their
    patterns: the index by identity of the last list met is kept (with the list, so that the ids stay
    those of live objects), checked at each look-up and made again for a list it does not fit."""

    def where(pattern: tuple) -> int:
        for fresh in (False, True):
            if fresh or not _POSITIONS:
                _POSITIONS[:] = [(list(patterns), {id(p): i for i, p in enumerate(patterns)})]
            i = _POSITIONS[0][1].get(id(pattern))
            if i is not None and i < len(patterns) and patterns[i] is pattern:
                return i
        return patterns.index(pattern)
    return where


#: the last pattern list :func:`_positions` indexed, with its index by identity
_POSITIONS: list[tuple[list[tuple], dict[int, int]]] = []


def float_decided(ctx: _Ctx, pruner: BeliefSupportPruner, patterns: Sequence[tuple], admitted: np.ndarray,
                  max_mixed: int) -> FloatDecided:
    """The admitted mixed patterns (indices into ``patterns``) this route decides and their roots
    (see the module documentation): balanced, mixing at no more than ``max_mixed`` sets, all of
    them reached. Nothing is decided outside the class of trees or when no pattern qualifies."""
    out = FloatDecided(np.zeros(len(admitted), dtype=np.bool_))
    game = ctx.game
    split = unbalanced(game, pruner, patterns) if len(admitted) else None  # (kept per tree)
    if split is None:  # (outside the class of trees)
        return out
    layout = _layout(game)
    looked = split.float_open
    cand = np.flatnonzero(looked[admitted] & (split.n_mixed[admitted] <= max_mixed))
    if not len(cand):
        return out
    rows = admitted[cand]
    status, beh = _decided_rows(ctx, layout, split.indicators[rows], int(split.dims[rows, 0].max()))
    undecided = status == UNDECIDED
    out.decided[cand[~undecided]] = True
    looked[admitted[cand[undecided]]] = False  # (not looked at again: see the module documentation)
    found = np.flatnonzero(status == ROOT)
    if len(found):
        spans = list(itertools.pairwise(layout.offsets.tolist()))
        out.found = [(i, [flat[a:b] for a, b in spans])  # (views of the roots' own rows)
                     for i, flat in zip(admitted[cand[found]].tolist(), beh[found], strict=True)]
    return out


def _decided_rows(ctx: _Ctx, layout: _Layout, ind: np.ndarray, d_max: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_decide_kernel` on the patterns' indicators ``ind`` (at most ``d_max`` coordinates a
    player): the verdict per pattern and its root's behaviour profile (flat, the game's action order)."""
    game = ctx.game
    weights = np.zeros((2, len(game.nodes)))
    terminals = np.asarray(game.terminals, dtype=np.int64)
    weights[:, terminals] = (ctx.prior[terminals, None] * game.payoffs).T
    status = np.zeros(len(ind), dtype=np.int64)
    beh = np.zeros(ind.shape, dtype=np.float64)
    _decide_kernel(ind, layout.offsets, layout.set_player, layout.first_node, layout.set_ptr,
                   layout.set_nodes, layout.kind, layout.parent, layout.action, layout.node_set,
                   layout.child_ptr, layout.children, weights, error_factor(game, layout), d_max, status, beh)
    return status, beh


@njit
def _columns(ind: np.ndarray, offsets: np.ndarray, set_player: np.ndarray, first: np.ndarray,
             col: np.ndarray) -> None:
    """Per set its support's first action (``first``); per flat action of a mixing set but its
    support's first, its coordinate among its player's (``col``, -1 elsewhere), numbered set by set."""
    d = np.zeros(2, dtype=np.int64)
    for k in range(offsets.shape[0] - 1):
        first[k] = -1
        size = 0
        for a in range(offsets[k + 1] - offsets[k]):
            col[offsets[k] + a] = -1
            if ind[offsets[k] + a]:
                size += 1
                if first[k] < 0:
                    first[k] = a
        if size > 1:
            p = set_player[k]
            for a in range(first[k] + 1, offsets[k + 1] - offsets[k]):
                if ind[offsets[k] + a]:
                    col[offsets[k] + a] = d[p]
                    d[p] += 1


@njit
def _realizations(j: int, d: int, ind: np.ndarray, offsets: np.ndarray, set_player: np.ndarray,
                  first: np.ndarray, col: np.ndarray, kind: np.ndarray, parent: np.ndarray,
                  action: np.ndarray, node_set: np.ndarray, real: np.ndarray) -> None:
    """Player ``j``'s realization of every node as an affine function of its ``d`` coordinates (row
    ``v`` of ``real``: the coefficients, then the constant at column ``d``), top down."""
    w = d + 1
    for c in range(w):
        real[0, c] = 0.0
    real[0, d] = 1.0
    for v in range(1, kind.shape[0]):
        u = parent[v]
        s = node_set[u]
        if kind[u] != 1 or set_player[s] != j:
            for c in range(w):
                real[v, c] = real[u, c]
            continue
        b = action[v]
        f = offsets[s]
        if ind[f + b] and col[f + b] < 0 and b == first[s]:  # the support's first action
            for c in range(w):
                real[v, c] = real[u, c]
            for a in range(offsets[s + 1] - f):
                if col[f + a] >= 0:
                    real[v, col[f + a]] -= 1.0
            continue
        for c in range(w):
            real[v, c] = 0.0
        if ind[f + b]:
            real[v, col[f + b]] = 1.0


@njit
def _values(i: int, d: int, set_player: np.ndarray, first: np.ndarray, kind: np.ndarray, node_set: np.ndarray,
            child_ptr: np.ndarray, children: np.ndarray, weight: np.ndarray, real: np.ndarray,
            value: np.ndarray) -> None:
    """Per decision node, the sum over the terminals below it that player ``i`` reaches playing its
    support's first action at each of its sets of the terminal's weight (``weight``: ``i``'s) times
    the other player's realization (``real``), an affine function (``value``), bottom up."""
    w = d + 1
    for v in range(kind.shape[0] - 1, -1, -1):
        if kind[v] == 0:
            x = weight[v]
            for c in range(w):
                value[v, c] = x * real[v, c]
        elif kind[v] == 1 and set_player[node_set[v]] == i:
            c0 = children[child_ptr[v] + first[node_set[v]]]
            for c in range(w):
                value[v, c] = value[c0, c]
        elif kind[v] == 1:
            for c in range(w):
                value[v, c] = 0.0
            for e in range(child_ptr[v], child_ptr[v + 1]):
                u = children[e]
                for c in range(w):
                    value[v, c] += value[u, c]


@njit
def _system(i: int, d: int, offsets: np.ndarray, set_player: np.ndarray, set_ptr: np.ndarray,
            set_nodes: np.ndarray, first: np.ndarray, col: np.ndarray, child_ptr: np.ndarray,
            children: np.ndarray, value: np.ndarray, mass: np.ndarray, rows: np.ndarray, bounds: np.ndarray
            ) -> None:
    """Player ``i``'s conditions (``rows``, ``d`` of them, one per mixing set and support action but
    the first, in its coordinates' order: ``[A | c]``, ``A y + c = 0``) and per condition a bound on
    the sum of the absolute values of the terms of each of its entries (``bounds``: the set's
    ``mass``, the sum of the absolute weights below its nodes; each terminal's realization
    coefficients are -1, 0 or 1, and a terminal lies below one action at most)."""
    for k in range(offsets.shape[0] - 1):
        if set_player[k] != i:
            continue
        for a in range(offsets[k + 1] - offsets[k]):
            r = col[offsets[k] + a]
            if r < 0:
                continue
            bounds[r] = mass[k]
            for c in range(d + 1):
                rows[r, c] = 0.0
            for n in range(set_ptr[k], set_ptr[k + 1]):
                v = set_nodes[n]
                up = children[child_ptr[v] + a]
                down = children[child_ptr[v] + first[k]]
                for c in range(d + 1):
                    rows[r, c] += value[up, c] - value[down, c]


@njit
def _nan_max(a: float, b: float) -> float:
    """The larger of ``a`` and ``b``, NaN if either is NaN (``max`` keeps ``a`` when ``b`` is NaN)."""
    if a != a or b != b:
        return np.nan
    return a if a >= b else b


@njit
def _solved(d: int, rows: np.ndarray, bounds: np.ndarray, g: float, inv: np.ndarray, y: np.ndarray) -> float:
    """The solution of ``A y + c = 0`` (``rows``: ``[A | c]``) in ``y`` and a bound on its distance to
    the exact system's solution in every coordinate (the entries of row ``r`` within ``g`` times
    ``bounds[r]`` of the exact ones); -1 when the bound does not show the exact ``A`` nonsingular
    with a margin (see the module documentation). Results that underflow (subnormal or 0) err by
    more than ``_UNIT`` relatively: each sum the bound reads is given :data:`_TINY` more. An inverse
    that overflows (a subnormal pivot) or a sum that is NaN gives -1: the maxima keep a NaN
    (:func:`_nan_max`; Python's ``max(0.0, nan)`` is ``0.0``)."""
    got, ok = _inverse(rows[:d, :d])  # (Gauss-Jordan with partial pivoting)
    if not ok or not np.all(np.isfinite(got)):
        return -1.0
    inv[:d, :d] = got
    gam = (2 * d + 8) * _UNIT
    theta = 0.0
    norm_x = 0.0
    for r in range(d):
        acc = 0.0
        nx = 0.0
        for c in range(d):
            prod = 0.0
            mag = 0.0
            for t in range(d):
                prod += inv[r, t] * rows[t, c]
                mag += abs(inv[r, t]) * (abs(rows[t, c]) * (1.0 + gam) + g * bounds[t])
            acc += abs((1.0 if r == c else 0.0) - prod) + gam * mag + _TINY
            nx += abs(inv[r, c])
        theta = _nan_max(theta, acc)
        norm_x = _nan_max(norm_x, nx)
    if not theta < 0.5:  # (also NaN)
        return -1.0
    for r in range(d):
        acc = 0.0
        for t in range(d):
            acc -= inv[r, t] * rows[t, d]
        y[r] = acc
    tau = 0.0
    for r in range(d):
        res = rows[r, d]
        mag = abs(rows[r, d])
        off = 1.0
        for c in range(d):
            res += rows[r, c] * y[c]
            mag += abs(rows[r, c]) * abs(y[c])
            off += abs(y[c])
        off *= bounds[r]
        tau = _nan_max(tau, abs(res) + gam * mag + g * off + _TINY)
    bound = norm_x * tau / (1.0 - theta) * (1.0 + gam) + _TINY  # (its own rounding may underflow)
    if not bound < np.inf:  # (an overflow, or NaN: no bound, nothing claimed)
        return -1.0
    return bound


@njit
def _verdict(d: int, offsets: np.ndarray, set_player: np.ndarray, first_node: np.ndarray, first: np.ndarray,
             col: np.ndarray, real0: np.ndarray, real1: np.ndarray, y: np.ndarray, err: np.ndarray,
             beh: np.ndarray) -> int:
    """:data:`ROOT` (its behaviour profile in ``beh``, flat), :data:`NO_ROOT` or :data:`UNDECIDED`,
    from each player's solution ``y[q]`` within ``err[q]`` of the exact one (see the module
    documentation)."""
    lowest = np.inf
    outside = False
    for k in range(offsets.shape[0] - 1):
        f, q = offsets[k], set_player[k]
        beh[f:offsets[k + 1]] = 0.0
        at = real0[first_node[k]] if q == 0 else real1[first_node[k]]
        reach = at[d]
        mag = 1.0
        nnz = 0
        for c in range(d):
            if at[c] != 0.0:
                reach += at[c] * y[q, c]
                mag += abs(y[q, c])
                nnz += 1
        slack = nnz * err[q] + (d + 2) * _UNIT * mag
        mixing = False
        total = 0.0
        spread = 0.0
        for a in range(offsets[k + 1] - f):
            if col[f + a] < 0:
                continue
            mixing = True
            if not abs(reach) > slack:
                return UNDECIDED
            p = y[q, col[f + a]] / reach
            e = (err[q] + abs(p) * slack) / (abs(reach) - slack) + 4.0 * _UNIT * abs(p)
            beh[f + a] = p
            total += p
            spread += e
            lowest = min(lowest, p - e)
            outside = outside or p + e < _INTERIOR - SLACK
        if not mixing:
            beh[f + first[k]] = 1.0
            continue
        p = 1.0 - total
        e = spread + (d + 2) * _UNIT * (1.0 + abs(total))
        beh[f + first[k]] = p
        lowest = min(lowest, p - e)
        outside = outside or p + e < _INTERIOR - SLACK
    if outside:
        return NO_ROOT
    return ROOT if lowest > _INTERIOR + SLACK else UNDECIDED


@njit
def _part_ids(ind: np.ndarray, offsets: np.ndarray, set_player: np.ndarray, p: int, firsts: bool
              ) -> tuple[np.ndarray, int]:
    """Per pattern (rows of ``ind``), a number shared by the patterns with the same part at player
    ``p``'s sets (``firsts``: the same first support action at each of them), and how many numbers."""
    n = ind.shape[0]
    keys = np.zeros(n, dtype=np.int64)
    bit = 0
    for k in range(offsets.shape[0] - 1):
        if set_player[k] != p:
            continue
        for m in range(n):
            seen = False
            for a in range(offsets[k + 1] - offsets[k]):
                if ind[m, offsets[k] + a] and not (firsts and seen):
                    if bit + a < 62:
                        keys[m] |= np.int64(1) << (bit + a)
                    seen = True
        bit += offsets[k + 1] - offsets[k]
    if bit >= 62:  # (too wide for a key: no sharing)
        return np.arange(n), n
    known = np.unique(keys)
    return np.searchsorted(known, keys), known.shape[0]


@njit
def _decide_kernel(ind: np.ndarray, offsets: np.ndarray, set_player: np.ndarray, first_node: np.ndarray,
                   set_ptr: np.ndarray, set_nodes: np.ndarray, kind: np.ndarray, parent: np.ndarray,
                   action: np.ndarray, node_set: np.ndarray, child_ptr: np.ndarray, children: np.ndarray,
                   weights: np.ndarray, g: float, d_max: int, status: np.ndarray, beh: np.ndarray) -> None:
    """Per pattern (row of the support indicators ``ind``, balanced, mixing only where it reaches),
    its verdict (``status``) and its root's behaviour profile (``beh``, flat), see the module
    documentation. A player's realizations are worked out once per part of the patterns at its sets,
    and the values of a player's conditions once per pair of its first actions and the other's part."""
    n_sets, n_nodes, n_pat = offsets.shape[0] - 1, kind.shape[0], ind.shape[0]
    mass = _masses(weights, parent, set_player, set_ptr, set_nodes, n_sets)
    first = np.empty(n_sets, dtype=np.int64)
    col = np.empty(offsets[-1], dtype=np.int64)
    parts = np.empty((2, n_pat), dtype=np.int64)
    firsts = np.empty((2, n_pat), dtype=np.int64)
    n_firsts = np.zeros(2, dtype=np.int64)
    n_parts = np.zeros(2, dtype=np.int64)
    for p in range(2):
        # np.bool_, not the literals False and True, which would compile _part_ids twice
        parts[p], n_parts[p] = _part_ids(ind, offsets, set_player, p, np.bool_(False))
        firsts[p], n_firsts[p] = _part_ids(ind, offsets, set_player, p, np.bool_(True))
    most_parts = max(n_parts[0], n_parts[1])
    real = np.empty((2, most_parts, n_nodes, d_max + 1))
    real_done = np.zeros((2, most_parts), dtype=np.bool_)
    value_at = np.full((2, max(n_firsts[0], n_firsts[1]), most_parts), -1, dtype=np.int64)
    n_values = np.zeros(2, dtype=np.int64)
    for n in range(n_pat):  # number the pairs (the player's first actions, the other's part)
        for i in range(2):
            if value_at[i, firsts[i, n], parts[1 - i, n]] < 0:
                value_at[i, firsts[i, n], parts[1 - i, n]] = n_values[i]
                n_values[i] += 1
    value = np.empty((2, max(n_values[0], n_values[1]), n_nodes, d_max + 1))
    value_done = np.zeros((2, max(n_values[0], n_values[1])), dtype=np.bool_)
    rows = np.zeros((d_max, d_max + 1))
    bounds = np.zeros(d_max)
    inv = np.zeros((d_max, d_max))
    y = np.zeros((2, d_max))
    err = np.zeros(2)
    for n in range(n_pat):
        row = ind[n]
        _columns(row, offsets, set_player, first, col)
        d, binary = _shape(row, offsets, set_player)
        status[n] = UNDECIDED
        if d <= 0 or d > d_max:  # (the caller passes balanced patterns only)
            continue
        for j in range(2):
            if not real_done[j, parts[j, n]]:
                _realizations(j, d, row, offsets, set_player, first, col, kind, parent, action, node_set,
                              real[j, parts[j, n]])
                real_done[j, parts[j, n]] = True
        ok = True
        for i in range(2):  # player i's conditions pin the other's coordinates
            at = value_at[i, firsts[i, n], parts[1 - i, n]]
            if not value_done[i, at]:
                value_done[i, at] = True
                _values(i, d, set_player, first, kind, node_set, child_ptr, children, weights[i],
                        real[1 - i, parts[1 - i, n]], value[i, at])
            _system(i, d, offsets, set_player, set_ptr, set_nodes, first, col, child_ptr, children,
                    value[i, at], mass[i], rows, bounds)
            if binary and not abs(rows[0, 0]) - g * bounds[0] > MIN_BINARY_SLOPE:
                ok = False
                break
            err[1 - i] = _solved(d, rows, bounds, g, inv, y[1 - i])
            if err[1 - i] < 0.0:
                ok = False
                break
        if ok:
            status[n] = _verdict(d, offsets, set_player, first_node, first, col, real[0, parts[0, n]],
                                 real[1, parts[1, n]], y, err, beh[n])


@njit
def _masses(weights: np.ndarray, parent: np.ndarray, set_player: np.ndarray, set_ptr: np.ndarray,
            set_nodes: np.ndarray, n_sets: int) -> np.ndarray:
    """Per player and set of the player, the sum of the absolute weights (the player's) of the
    terminals below the set's nodes (0 at the other player's sets)."""
    n_nodes = parent.shape[0]
    below = np.zeros((2, n_nodes))
    for v in range(n_nodes - 1, 0, -1):
        for p in range(2):
            below[p, v] += abs(weights[p, v])
            below[p, parent[v]] += below[p, v]
    mass = np.zeros((2, n_sets))
    for k in range(n_sets):
        for n in range(set_ptr[k], set_ptr[k + 1]):
            mass[set_player[k], k] += below[set_player[k], set_nodes[n]]
    return mass


@njit
def _shape(row: np.ndarray, offsets: np.ndarray, set_player: np.ndarray) -> tuple[int, bool]:
    """A pattern's ``d`` (-1 if it is not balanced) and whether it mixes at exactly two sets of two
    actions each (the generic route's closed form)."""
    d = 0
    other = 0
    n_mixed = 0
    binary = True
    for k in range(offsets.shape[0] - 1):
        width = 0
        for a in range(offsets[k + 1] - offsets[k]):
            width += row[offsets[k] + a]
        if width > 1:
            n_mixed += 1
            binary = binary and width == 2
            if set_player[k] == 0:
                d += width - 1
            else:
                other += width - 1
    return (d if d == other else -1), binary and n_mixed == 2
