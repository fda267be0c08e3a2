"""Mixed support patterns of two-player type games solved as two linear systems (private).

In a tree of :mod:`deterrence.solvers._typed_structure` (two players, Nature's moves first, sets
keyed by own type and public history), write ``r_j(z)`` for player ``j``'s realization of the
terminal ``z``: the product of ``j``'s own move probabilities on its path. Under Bayes' rule the
indifference condition of player ``i`` at a set ``k`` between the support actions ``a`` and ``b``
is ``r_i(k) · Σ_{v ∈ k} Σ_z π(z) · r_j(z) · [ρ_i(z | v·a) − ρ_i(z | v·b)] · u_i(z) = 0``, with ``π``
Nature's probabilities and ``ρ_i`` ``i``'s own moves below ``v``. Inside the box of a pattern
that reaches every set where it mixes, ``r_i(k) > 0``, and ``i``'s mixture at a later set of its
own may be replaced by the first action of its support (the same value there, since ``i`` is
indifferent there too: by induction from the deepest sets up, the two systems have the same
roots inside the box). What is left is linear in ``j``'s realization plan, whose free
coordinates are ``y_{s,a} = r_j(s) · σ_s(a)`` for ``j``'s mixing sets ``s`` and the support actions
``a`` but the first (the first's is ``r_j(s) − Σ_a y_{s,a}``, ``r_j(s)`` the coordinate of the
last mixing move of ``j`` above ``s``, or 1): ``d_i`` equations (one per set of ``i`` and support
action but the first) in ``d_j`` unknowns, solved in integers (fraction-free Bareiss elimination
and back substitution, :func:`_solved`). The linear route answers when one of the two systems has
no solution (then the pattern's system has no root inside the box: none), or when each has
exactly one (``d_i >= d_j`` and rank ``d_j``; isolated equilibria have ``d_C = d_D``): then
``σ_s(a) = y_{s,a} / r_j(s)``, the one root inside the box if every probability is inside its
simplex, else none; the generic route (:mod:`deterrence.solvers._pbe_multilinear`) finds the same.
Every other case (a system with many solutions, where the generic route notes continua, mixing
where the pattern does not reach, a realization of a mixing set's own history that vanishes at
the solution, other trees) is left to the generic route (``None``), which gives its notes. (The
generic route notes a continuum by an algebraic test over the complex numbers, which could in
principle fire on a system the linear route answers, for a curve outside the box; the tests and
the regression solves compare the two routes and find none.)

The numbers are the exact ones of :class:`~deterrence.solvers._pbe_exact.ExactTree` (the game's
numbers as rationals, a float as the binary rational it is, scaled to integers).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from ..game.extensive import DECISION, TERMINAL, ExtensiveFormGame
from ._pbe_context import _INTERIOR, _Ctx
from ._typed_structure import typed_structure

_REACH = ("reach",)
_Move = tuple[int, int]  # (information set, action)


class _Tables:
    """What the linear systems read of the tree alone (kept in its ``tree_cache``): per set its
    mover and nodes, per player its sets; per player and node the player's own moves on its path;
    per decision node and action the terminals below the child, each with the mover's own moves
    after the node, and (:meth:`reference`) those its mover reaches when it plays given actions
    at its later sets."""

    def __init__(self, game: ExtensiveFormGame) -> None:
        nodes = game.nodes
        self.player = [h.player for h in game.infosets]
        self.set_nodes = [tuple(h.nodes) for h in game.infosets]
        self.sets_of = tuple(tuple(k for k, h in enumerate(game.infosets) if h.player == p) for p in range(2))
        self.own: list[list[tuple[_Move, ...]]] = [[()] * len(nodes) for _ in range(2)]
        below: list[list[int]] = [[] for _ in nodes]
        for v in range(1, len(nodes)):  # preorder
            par = nodes[nodes[v].parent]
            for p in range(2):
                self.own[p][v] = self.own[p][par.index]
            if par.kind == DECISION:
                p = par.player
                self.own[p][v] = (*self.own[p][v], (par.infoset, nodes[v].action))
        for v in range(len(nodes) - 1, -1, -1):
            if nodes[v].kind == TERMINAL:
                below[v] = [v]
            else:
                below[v] = [z for c in nodes[v].children for z in below[c]]
        self.after: dict[tuple[int, int], tuple[tuple[int, tuple[_Move, ...]], ...]] = {}
        for h in game.infosets:
            p = h.player
            for v in h.nodes:
                start = len(self.own[p][v]) + 1
                for a, c in enumerate(nodes[v].children):
                    self.after[(v, a)] = tuple((z, self.own[p][z][start:]) for z in below[c])
        self._reference: dict[tuple[int, int, tuple[int, ...]], tuple[int, ...]] = {}
        self._node_set = [nd.infoset for nd in nodes]
        #: per pattern and its mixing sets, its plans and systems (:func:`_systems`; emptied when full)
        self.systems: dict[tuple, _Systems | None] = {}

    def reference(self, v: int, a: int, firsts: tuple[int, ...]) -> tuple[int, ...]:
        """The terminals below ``v``'s child by ``a`` that its mover reaches playing ``firsts``
        (an action per set of the mover, in set order) at its later sets."""
        key = (v, a, firsts)
        out = self._reference.get(key)
        if out is None:
            chosen = dict(zip(self.sets_of[self.player[self._set_of(v)]], firsts, strict=True))
            out = tuple(z for z, later in self.after[(v, a)] if all(chosen[s] == b for s, b in later))
            if len(self._reference) >= _REFERENCE_MAX:
                self._reference.clear()
            self._reference[key] = out
        return out

    def _set_of(self, v: int) -> int:
        """The information set of decision node ``v``."""
        return self._node_set[v]


#: the most terminal lists :meth:`_Tables.reference` keeps, and the most plans and systems' rows
#: (each emptied when full)
_REFERENCE_MAX = 1 << 16


def _tables(game: ExtensiveFormGame) -> _Tables:
    """The tree's :class:`_Tables` (in its ``tree_cache``)."""
    out = game.tree_cache.get("pbe_typed_tables")
    if out is None:
        out = game.tree_cache["pbe_typed_tables"] = _Tables(game)
    return out


def _plans(game: ExtensiveFormGame) -> dict[tuple, _Plan]:
    """The players' plans (:class:`_Plan`, the tree's alone) by player and part of the pattern, in
    the tree's ``tree_cache`` (apart from the :class:`_Tables` the plans read: no reference cycle)."""
    out = game.tree_cache.get("pbe_typed_plans")
    if out is None:
        out = game.tree_cache["pbe_typed_plans"] = {}
    return out


class _Kept:
    """What the linear systems of one solve share (kept on the context): per player and node,
    Nature's probability of the node times the player's payoff there (terminals; 0 elsewhere), as
    integers with one common scale."""

    def __init__(self, ctx: _Ctx) -> None:
        tree = ctx.exact
        top = max(tree.c)
        self.weights: tuple[list[int], list[int]] = ([0] * len(tree.c), [0] * len(tree.c))
        for z, pay in tree.payoff.items():
            scale = tree.prior[z] * tree.power(top - tree.c[z])
            for p in range(2):
                self.weights[p][z] = scale * pay[p]


def typed_roots(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int], on_path: np.ndarray,
                specs: dict[int, tuple]) -> list[list[np.ndarray]] | None:
    """The interior roots of the pattern's indifference system (each a probability vector per
    mixing set, over its support, in the order of ``mixed``: none or one), or ``None`` when the
    linear route does not decide it (see the module documentation)."""
    if any(not on_path[k] or specs.get(k, _REACH) != _REACH for k in mixed):
        return None
    if typed_structure(ctx.game) is None:
        return None
    return _roots(ctx, _tables(ctx.game), pattern, mixed)


def rootless(ctx: _Ctx, patterns: Sequence[tuple[Sequence[tuple[int, ...]], list[int]]]) -> list[bool]:
    """Per pattern and its mixing sets ``(pattern, mixed)``, a pattern that mixes only at sets it
    reaches (Bayes' rule weights there), whether :func:`typed_roots` proves it has no root inside
    its box (returns ``[]``): the tree's class and tables looked up once for all of them (``False``
    everywhere outside the class)."""
    if typed_structure(ctx.game) is None:
        return [False] * len(patterns)
    tables = _tables(ctx.game)
    return [_roots(ctx, tables, pattern, mixed) == [] for pattern, mixed in patterns]


def _roots(ctx: _Ctx, tables: _Tables, pattern: Sequence[tuple[int, ...]], mixed: list[int]
           ) -> list[list[np.ndarray]] | None:
    """:func:`typed_roots` once its checks pass (a tree of the class, ``tables`` its tables)."""
    systems = _systems(tables, ctx.game, pattern, mixed)
    if systems is None:
        return None
    if ctx.typed is None:
        ctx.typed = _Kept(ctx)
    kept: _Kept = ctx.typed
    plans, order = systems
    solutions: list = [None, None]
    for p, terms in order:
        weight = kept.weights[p].__getitem__
        y = _solved([[sum(map(operator.mul, map(weight, zs), cs)) for zs, cs in row] for row in terms],
                    plans[1 - p].d)
        if y is False:  # no solution: no root
            return []
        solutions[p] = y
    if any(y is True for y in solutions):
        return None
    return _behaviour(pattern, mixed, tables, plans, solutions)


_UNKNOWN: object = object()  # (a pattern not in the tables' systems yet)

#: a pattern's plans (one per player) and its two systems, each as (player, its rows as terms), in
#: the order :func:`typed_roots` solves them
_Systems = tuple[list["_Plan"], tuple[tuple[int, tuple["_Terms", ...]], ...]]


def _systems(tables: _Tables, game: ExtensiveFormGame, pattern: Sequence[tuple[int, ...]], mixed: list[int]
             ) -> _Systems | None:
    """The players' plans (:class:`_Plan`, kept in the tree's ``tree_cache``) and conditions
    (:func:`_system_terms`) of the pattern, the system with more conditions than unknowns first
    (player ``p``'s conditions, ``d_p`` of them, pin the other's plan, ``d_{1-p}`` unknowns: the one
    more likely to have no solution); ``None`` if a player has no free coordinate or does not reach
    a mixing set of its own (the linear route does not decide the pattern). From the tree alone,
    kept in the tables by the pattern and ``mixed`` (emptied when full)."""
    key = (tuple(pattern), tuple(mixed))
    hit = tables.systems.get(key, _UNKNOWN)
    if hit is not _UNKNOWN:
        return hit  # type: ignore[return-value]
    parts = [tuple([pattern[s] for s in sets]) for sets in tables.sets_of]
    kept_plans = _plans(game)
    plans = []
    out: _Systems | None = None
    for p in range(2):
        plan = kept_plans.get((p, parts[p]))
        if plan is None:
            if len(kept_plans) >= _REFERENCE_MAX:
                kept_plans.clear()
            plan = kept_plans[(p, parts[p])] = _Plan(tables, pattern, p)
        if plan.d == 0 or not plan.reached:
            break
        plans.append(plan)
    else:
        order = (1, 0) if plans[1].d > plans[0].d else (0, 1)
        out = (plans, tuple([(p, _system_terms(tables, pattern, mixed, parts, plans, p)) for p in order]))
    if len(tables.systems) >= _REFERENCE_MAX:
        tables.systems.clear()
    tables.systems[key] = out
    return out


class _Plan:
    """Player ``p``'s realization of the nodes under the pattern, as affine functions of the free
    coordinates ``y``: sparse, tuples of ``(column, coefficient)`` with nonzero coefficients,
    column ``d`` for the constant term."""

    def __init__(self, tables: _Tables, pattern: Sequence[tuple[int, ...]], p: int) -> None:
        self.tables, self.p = tables, p
        self.pattern = pattern  # (read at the player's own sets only)
        self.cols: dict[_Move, int] = {}
        for k in tables.sets_of[p]:
            for a in pattern[k][1:]:
                self.cols[(k, a)] = len(self.cols)
        d = self.d = len(self.cols)
        self.one = ((d, 1),)
        self.zero = ()
        self.memo: dict[int, tuple[tuple[int, int], ...]] = {}
        self.seqs: dict[_Move, tuple[tuple[int, int], ...]] = {}
        #: whether the player's own moves reach each of its mixing sets (its realization there is
        #: not identically 0)
        self.reached = all(self.at(tables.set_nodes[k][0]) != self.zero
                           for k in tables.sets_of[p] if len(pattern[k]) > 1)

    def at(self, v: int) -> tuple[tuple[int, int], ...]:
        """The realization of node ``v``."""
        out = self.memo.get(v)
        if out is None:
            out = self.memo[v] = self._of(self.tables.own[self.p][v])
        return out

    def _of(self, moves: tuple[_Move, ...]) -> tuple[tuple[int, int], ...]:
        pattern = self.pattern
        last = None
        for i, (s, b) in enumerate(moves):
            support = pattern[s]
            if len(support) == 1:
                if support[0] != b:
                    return self.zero
            elif b in support:
                last = i
            else:
                return self.zero
        return self.one if last is None else self.sequence(moves[:last + 1])

    def sequence(self, moves: tuple[_Move, ...]) -> tuple[tuple[int, int], ...]:
        """The coordinate of the last move of ``moves`` (a move of a mixing set, in its support)."""
        s, b = moves[-1]
        out = self.seqs.get((s, b))
        if out is None:
            col = self.cols.get((s, b))
            if col is not None:
                out = ((col, 1),)
            else:  # the support's first action: the set's own realization less the others
                out = (*self._of(moves[:-1]), *((self.cols[(s, a)], -1) for a in self.pattern[s][1:]))
            self.seqs[(s, b)] = out
        return out


#: per column of a row, the terminals whose weights it sums and their integer coefficients
_Terms = tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]


def _system_terms(tables: _Tables, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                  parts: list[tuple], plans: list[_Plan], p: int) -> tuple[_Terms, ...]:
    """Player ``p``'s conditions at its sets in ``mixed`` (one row per set and support action but
    the first), each as :func:`_row_terms` (read: ``p``, its sets in ``mixed`` and both players'
    parts of the pattern)."""
    own = [k for k in mixed if tables.player[k] == p]
    firsts = tuple([s[0] for s in parts[p]])
    return tuple([_row_terms(tables, firsts, k, tables.sets_of[p].index(k), a, plans[1 - p])
                  for k in own for a in pattern[k][1:]])


def _row_terms(tables: _Tables, firsts: tuple[int, ...], k: int, k_pos: int, a: int, other: _Plan) -> _Terms:
    """The condition of set ``k`` between ``a`` and the support's first action, as an affine
    function of the other player's free coordinates (the mover's later sets play their first
    support action, ``firsts``; ``k_pos``: the position of ``k`` among the mover's sets): per
    coordinate (the constant last), the terminals whose weight it sums, each with its integer
    coefficient (the tree's alone: a point's row is the sum of the weights times them)."""
    row: list[dict[int, int]] = [{} for _ in range(other.d + 1)]
    at, memo, reference = other.at, other.memo, tables.reference
    for v in tables.set_nodes[k]:
        for act, sign in ((a, 1), (firsts[k_pos], -1)):
            for z in reference(v, act, firsts):
                r = memo.get(z)
                for i, x in at(z) if r is None else r:
                    col = row[i]
                    col[z] = col.get(z, 0) + sign * x
    out = []
    for col in row:
        kept = [(z, c) for z, c in col.items() if c]
        out.append((tuple([z for z, _ in kept]), tuple([c for _, c in kept])))
    return tuple(out)


def _solved(rows: list[list[int]], d: int) -> list[int] | bool:
    """The solution of ``A y + c = 0`` (rows ``[A | c]``, integers, any number of them): the
    unique one, in homogeneous integers ``[Y_0, ..., Y_{d-1}, Y_d]`` with ``y_i = Y_i / Y_d``;
    ``False`` if there is none, ``True`` if there are many (``A`` of rank below ``d``).
    Fraction-free (Bareiss) elimination to an echelon form, then back substitution (one unknown:
    :func:`_solved_one`)."""
    if d == 1:
        return _solved_one(rows)
    m = [[*row[:d], -row[d]] for row in rows]
    prev, rank = 1, 0
    for col in range(d + 1):
        piv = next((r for r in range(rank, len(m)) if m[r][col]), None)
        if piv is None:
            continue
        if col == d:
            return False  # a row 0 = c with c != 0
        m[rank], m[piv] = m[piv], m[rank]
        top = m[rank]
        p = top[col]
        for r in range(rank + 1, len(m)):
            row = m[r]
            f = row[col]
            for c in range(col + 1, d + 1):
                row[c] = (row[c] * p - f * top[c]) // prev
            row[col] = 0
        prev = p
        rank += 1
    if rank < d:
        return True
    # the first d rows are a square subsystem with determinant ``prev`` (the last pivot): by Cramer's
    # rule ``prev · y`` is integral, and back substitution divides exactly
    out = [0] * d + [prev]
    for r in range(d - 1, -1, -1):
        row = m[r]
        acc = prev * row[d] - sum(row[c] * out[c] for c in range(r + 1, d))
        out[r] = acc // row[r]
    return out


def _solved_one(rows: list[list[int]]) -> list[int] | bool:
    """:func:`_solved` with one unknown (rows ``[a, c]``, ``a y + c = 0``), what its elimination
    gives: with ``[a, c]`` the first row with ``a != 0``, ``[-c, a]`` if every row ``[a', c']`` has
    ``c' a = a' c`` (else ``False``); with no such row, ``False`` if some ``c != 0``, else ``True``."""
    top = next((row for row in rows if row[0]), None)
    if top is None:
        return not any(row[1] for row in rows)
    a, c = top
    if any(row[1] * a != row[0] * c for row in rows):
        return False
    return [-c, a]


def _behaviour(pattern: Sequence[tuple[int, ...]], mixed: list[int], tables: _Tables, plans: list[_Plan],
               solutions: list[list[int]]) -> list[list[np.ndarray]] | None:
    """The mixtures from the realization coordinates (player ``p``'s plan solved by the other's
    conditions: ``solutions[1 - p]``): ``[]`` if one is not strictly inside its simplex, ``None``
    if the realization of a mixing set's own history vanishes (left to the generic route)."""
    point = []
    for k in mixed:
        plan = plans[tables.player[k]]
        y = solutions[1 - plan.p]
        reach = _value(plan.at(tables.set_nodes[k][0]), y)
        if not reach:
            return None
        tail = [y[plan.cols[(k, a)]] / reach for a in pattern[k][1:]]  # correctly rounded
        point.append([1.0 - sum(tail), *tail])
    if all(min(p) > _INTERIOR for p in point):
        return [[np.array(p) for p in point]]
    return []


def _value(vec: tuple[tuple[int, int], ...], y: list[int]) -> int:
    """A sparse affine function (:class:`_Plan`) at ``y`` (homogeneous: times ``y[-1]``)."""
    return sum(c * y[i] for i, c in vec)

