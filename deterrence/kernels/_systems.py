"""The guard's second stage: a support pattern that survives the vertex tests, examined as a system.

:class:`~deterrence.kernels._guard.PatternGuard` flags a point where some unlisted support pattern
survives its vertex tests. This module looks at each such (pattern, point) as the per-point
solver would: the pattern's indifference system, in the solver's multilinear layout
(:func:`deterrence.solvers._pbe_exact._polynomial_plan`), and skips the systems that cannot
give the solver a root (*curve-shaped*, below), before the point is flagged.

The systems
-----------
A pattern mixing at the sets ``mixed`` (increasing; set ``k`` over ``s_0 .. s_m``) has unknowns
``x_{k,j} = sigma_k(s_j)``, ``j >= 1``, in the order of ``mixed`` and ``j``, and one equation
``P_k(s_j) - P_k(s_0) = 0`` per ``(k, j)`` (``groups``), multilinear, given by its values at the
vertices (``itertools.product`` over ``mixed``'s supports); :func:`_polynomial_plan` turns them
into one coefficient per monomial (``monomials``). The guard has each value as the difference of
two of its 0/1 rows (:class:`~deterrence.kernels._guard._Profiles`), so each coefficient is an
integer linear form over those rows (:attr:`PatternSystem.forms`), whatever the parameters:

* **structural zeros**: a coefficient whose form is identically 0 is 0 at every point. The rest
  are treated as nonzero (a cancellation among the parameters is not looked for): the structure
  below is read from a support that contains the support at every point.
* **floats**: :meth:`PatternSystem.coefficients` evaluates the forms at points from the guard's
  row sums, with an error bound (the rows' bounds plus the rounding of the sum).
* **exact**: :func:`exact_coefficients` evaluates them in :class:`fractions.Fraction` at a
  rational parameter point. They are the per-point solver's exact coefficients up to one
  positive constant per set (its ``ExactTree`` scales each set's conditions).

Under ``d1`` a mixing set the pattern leaves unreached gets D1 beliefs, which the guard does not
form (the solver picks them per point: Bayes after a "type"'s deviations, or Nature's odds). The
weight of node ``v`` is Nature's odds of ``v``, or Nature's odds times the probability of the
support moves of the mixing sets on ``v``'s path (the deviations are forced): multilinear in the
unknowns of those sets, which are not ``v``'s own set nor below it. The equation is a
nonnegative combination of the nodes' ``weight x payoff difference``; its support is in the
union, over the nodes and both weights, of the supports of those products, which is what its
structure is read from (:func:`_d1_support`). Its float coefficients are unknown (``NaN``): such
a system is classified but not solved (it flags unless curve-shaped).

Structure (built once per pattern)
----------------------------------
Each equation is divided by the unknowns common to all its terms (``common``; positive inside
the box). Its *unknowns* are those left in some term. A maximum matching of unknowns to
equations (:func:`maximum_matching`, augmenting paths):

* ``CURVE``: no matching covers every unknown;
* else the block-triangular decomposition: the strongly connected components of the graph
  "unknown ``u`` -> unknown ``w`` when ``w`` is in the equation matched to ``u``", in an order in
  which each block depends only on blocks before it (``blocks``: ``(equations, unknowns)``);
  the equations left unmatched (``unmatched``) must hold at the root too. ``CLOSED`` when
  every block has at most two unknowns, else ``BIG``.

Why a curve-shaped system gives the per-point solver no equilibrium
------------------------------------------------------------------
Hall's theorem: when no matching covers the unknowns there is a set ``T`` of unknowns that the
(divided) equations involving some unknown of ``T``, ``E(T)``, number fewer than ``|T|``.

1. *At every point.* The solver's exact polynomial ``p_i`` at a point has its terms among the
   structural ones, so the unknowns common to its terms include the structural ``common``, and
   its divided polynomial ``q_i`` has its unknowns among the structural ones: ``T`` still
   violates Hall's condition at the point (fewer edges, and ``E(T)`` only shrinks).
2. *The solver's roots are isolated.* :func:`~deterrence.solvers._pbe_multilinear._solved_exactly`
   lists roots only from a Groebner basis found zero-dimensional (``_System.attempt``: a basis
   ``[1]`` lists nothing, a non-zero-dimensional one or fewer equations than unknowns give a
   continuum note) of (a) the system ``p``, or (b) a choice of one factor ``f_i`` per equation
   among its factors not of one sign on the box (``factors_inside``; duplicates dropped). A root
   it keeps is strictly inside the box, and a zero-dimensional ideal has finitely many complex
   zeros.
3. *Fibre dimension.* Let ``V`` be the complex zeros of ``q`` (or of the factors ``f``). Take
   ``a`` in ``V``; fix the unknowns outside ``T`` at ``a``. The equations outside ``E(T)`` do not
   involve ``T`` and still hold; the ``|E(T)| < |T|`` others, in the ``|T|`` unknowns of ``T``,
   vanish at ``a_T``, so by Krull's principal ideal theorem every component of their zeros
   through ``a_T`` has dimension ``>= |T| - |E(T)| >= 1``. So ``a`` lies on a curve inside ``V``:
   ``V`` is empty or infinite.
4. (a) A root of ``p`` inside the box (all unknowns ``> 0``) is a zero of ``q``; were the
   ideal of ``p`` zero-dimensional, its zeros, which contain ``V(q)``, would be finite, and
   ``V(q)`` is then empty by 3: no root. (b) Every factor kept is not of one sign on the box,
   so it is no unknown ``x`` (``x`` is ``>= 0`` at every vertex) and, by unique factorisation of
   ``p_i = m_i q_i``, a factor of ``q_i``: its unknowns are among ``q_i``'s, Hall's violating
   ``T`` survives every choice, and by 3 the choice's zeros are empty or infinite: never a
   zero-dimensional basis with a root.

So the solver lists no point from a curve-shaped system, only notes (a continuum, or "indifferent
whatever the others do"). Its repeats (the memo of systems solved in one solve) give the same.

What a per-point solve records from one, and why a sweep row does not change: the continuum
notes set ``degenerate=True`` and ``complete=False`` on the :class:`~deterrence.EquilibriumSet`,
but a sweep's rows (:mod:`deterrence.sweeps._pointwise`: per equilibrium its payoffs, outcomes,
certificate, regime and indicators; ``no_equilibrium`` rows for none) read only the equilibria,
and the compiled rows do the same: a point whose only difference is such a note gives the same
rows (a compiled sweep already drops the notes of the one-set patterns the guard never tests).

Where the solver may form another system than the guard's, the skip is not taken:

* at a point where a chance move has probability 0 the solver may pick other belief specs than
  the guard (:func:`~deterrence.kernels._guard._set_specs`): no skip at such points;
* two sets mixing over two actions each are solved in floats (``_solve_two_binary``), where a
  structural zero need not be an exact float 0: no skip for them.

Under ``d1`` the solver solves one system per choice of D1 types at each unreached mixing set;
each has its support inside the union above, so the argument holds for each.

Verdicts on closed and big systems
----------------------------------
A formed ``CLOSED`` or ``BIG`` system that survives at a point where every chance move is
positive goes to :meth:`SystemStage.cleared`:

* **recipes** (:mod:`deterrence.kernels._recipes`), for both kinds: per pattern, found when it
  first survives (:class:`RecipeBook`: exact coefficients at the compile probe's points where
  the pattern survives, each candidate verified exactly at other probe points), then checked
  per point in floats with error bounds: a recipe that rules the system out clears it;
* **closed form** (:mod:`deterrence.kernels._closedform`, with this module's blocks), for
  ``CLOSED`` systems not cleared by a recipe: ``NO_ROOT`` clears; ``ROOTS`` clears when every
  root fails the per-point solver's test at some set (:class:`~._rootcheck.RootCheck`: an action
  outside the set's support beating the support by more than ``t = (tol + edge) max(1, U)`` per
  unit of belief, plus the margin ``edge max(1, U)``, at every point of the root's enclosure,
  under the belief the solver gives the set there: Bayes' rule on the path; off it the mover's
  own belief carried forward, else Nature's odds, or under ``free`` and ``d1`` every belief);
  otherwise (a root passing, ``UNSURE``) the point is flagged.

A point is cleared only when every system surviving there is skipped or cleared.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from ..errors import SolverError, UnsupportedError
from ..game.extensive import CHANCE
from ..solvers._pbe_exact import _polynomial_plan
from ._closedform import NO_ROOT as CF_NO_ROOT
from ._closedform import ROOTS as CF_ROOTS
from ._closedform import ClosedFormPlan, closed_form_plan, solve_closed_form
from ._guard import PatternGuard, _flag_points, _spec_key, scan_patterns
from ._recipes import RULED_OUT, Recipe, check_points, discover_recipes
from ._rootcheck import RootCheck
from ._trees import _as_expr

CURVE, CLOSED, BIG = "curve", "closed", "big"
#: a hook's verdicts: the system has no PBE with these supports at the point / cannot tell
NO_PBE, UNSURE = "none", "unsure"
#: a pattern's recipes are found from its exact coefficients at this many probe points ...
RECIPE_PROBES = 4
#: ... and each verified at this many other points (Schwartz-Zippel)
RECIPE_TRIALS = 3
#: the pool's points are rounded to multiples of 2**-DYADIC_BITS (small exact numbers)
DYADIC_BITS = 20
#: bound on the relative rounding of a coefficient's sum (times the number of rows, the sizes)
_SUM_ROUNDING = 2.3e-16


@dataclass(frozen=True)
class Block:
    """One block of the block-triangular decomposition: equation and unknown indices."""

    equations: tuple[int, ...]
    unknowns: tuple[int, ...]


@dataclass
class PatternSystem:
    """One support pattern's indifference system (module docstring).

    Attributes
    ----------
    pattern
        Per set, its support.
    mixed
        The mixing sets, increasing.
    monomials
        Per column, the monomial (one 0/1 exponent per unknown), :func:`_polynomial_plan`'s order.
    groups
        Per equation ``(set, j)``: ``P_set(s_j) - P_set(s_0) = 0``.
    forms
        Per equation, ``(rows, (columns, A))``: the guard's row ids, the monomial columns that
        are structurally nonzero and an integer matrix ``(rows, columns)``, those coefficients
        being ``G[rows] @ A`` (the others 0); ``None`` for an equation under a D1 belief (not
        formed).
    support
        ``(equations, monomials)``: structurally nonzero coefficients.
    common
        Per equation, the unknowns common to all its structural terms (divided out).
    kind, blocks, unmatched
        ``CURVE``, ``CLOSED`` or ``BIG``; the blocks in solving order (empty for ``CURVE``); the
        equations no unknown is matched to.
    """

    pattern: tuple[tuple[int, ...], ...]
    mixed: tuple[int, ...]
    monomials: list[tuple[int, ...]]
    groups: list[tuple[int, int]]
    forms: list[tuple[np.ndarray, tuple[np.ndarray, np.ndarray]] | None]
    support: np.ndarray
    common: list[tuple[int, ...]] = field(default_factory=list)
    kind: str = BIG
    blocks: list[Block] = field(default_factory=list)
    unmatched: tuple[int, ...] = ()

    @property
    def formed(self) -> bool:
        """Whether every equation's float coefficients are known (no D1 belief)."""
        return all(f is not None for f in self.forms)

    @property
    def skippable(self) -> bool:
        """A curve-shaped system the solver solves in exact arithmetic (not two binary sets)."""
        two_binary = len(self.mixed) == 2 and all(len(self.pattern[k]) == 2 for k in self.mixed)
        return self.kind == CURVE and not two_binary

    def coefficients(self, G: np.ndarray, E: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Float coefficients and their error bounds at points, ``(P, equations, monomials)``
        each, from the guard's row sums ``G`` and bounds ``E`` (``(P, rows)``); ``NaN`` rows for
        equations not formed."""
        P = G.shape[0]
        coef = np.full((P, len(self.groups), len(self.monomials)), np.nan)
        err = np.full_like(coef, np.nan)
        for i, form in enumerate(self.forms):
            if form is None:
                continue
            rows, (cols, A) = form
            g, a = G[:, rows], A.astype(float)
            coef[:, i] = 0.0
            err[:, i] = 0.0
            coef[:, i, cols] = g @ a
            size = np.abs(g) @ np.abs(a)
            err[:, i, cols] = E[:, rows] @ np.abs(a) + _SUM_ROUNDING * (len(rows) + 1) * size
        return coef, err


# ------------------------------------------------------------------ structure
def maximum_matching(adjacent: Sequence[Sequence[int]], n_right: int) -> list[int]:
    """A maximum matching of a bipartite graph by augmenting paths: ``adjacent[u]`` the right
    vertices (equations) of left vertex ``u`` (an unknown); per left vertex its match, or -1."""
    match_right = [-1] * n_right
    match_left = [-1] * len(adjacent)

    def augment(u: int, seen: list[bool]) -> bool:
        for e in adjacent[u]:
            if seen[e]:
                continue
            seen[e] = True
            if match_right[e] < 0 or augment(match_right[e], seen):
                match_right[e], match_left[u] = u, e
                return True
        return False

    for u in range(len(adjacent)):
        augment(u, [False] * n_right)
    return match_left


def _components(graph: Sequence[Sequence[int]]) -> list[list[int]]:
    """Strongly connected components (Tarjan), each after every component it reaches: a block's
    unknowns depend only on blocks listed before it."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on: set[int] = set()
    out: list[list[int]] = []

    def visit(v: int) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in range(len(graph)):
        if v not in index:
            visit(v)
    return out


def classify(support: np.ndarray, monomials: Sequence[tuple[int, ...]], n_unknowns: int
             ) -> tuple[str, list[Block], tuple[int, ...], list[tuple[int, ...]]]:
    """``(kind, blocks, unmatched, common)`` of a system with this structural ``support``
    (``(equations, monomials)`` bool) over ``monomials`` (module docstring)."""
    mono = np.asarray(monomials, dtype=bool).reshape(len(monomials), n_unknowns)
    common, involved = [], []
    for row in np.asarray(support, dtype=bool):
        terms = mono[row]
        shared = terms.all(axis=0) if len(terms) else np.zeros(n_unknowns, dtype=bool)
        common.append(tuple(np.flatnonzero(shared).tolist()))
        left = (terms & ~shared).any(axis=0) if len(terms) else shared
        involved.append(set(np.flatnonzero(left).tolist()))
    n_eq = len(involved)
    adjacent = [[e for e in range(n_eq) if u in involved[e]] for u in range(n_unknowns)]
    match = maximum_matching(adjacent, n_eq)
    if any(e < 0 for e in match):
        return CURVE, [], tuple(e for e in range(n_eq) if e not in match), common
    graph = [sorted(involved[match[u]] - {u}) for u in range(n_unknowns)]
    blocks = [Block(tuple(sorted(match[u] for u in comp)), tuple(comp)) for comp in _components(graph)]
    unmatched = tuple(e for e in range(n_eq) if e not in set(match))
    kind = CLOSED if all(len(b.unknowns) <= 2 for b in blocks) else BIG
    return kind, blocks, unmatched, common


# ------------------------------------------------------------------ extraction
_MAPS: dict[tuple[int, ...], np.ndarray] = {}


def _plan_matrix(shape: tuple[int, ...]) -> np.ndarray:
    """``M`` ``(monomials, vertices)``: the coefficients are ``M @ values`` (the in-place
    differences of :func:`_polynomial_plan` applied to the identity), cached."""
    M = _MAPS.get(shape)
    if M is None:
        differences, monomials = _polynomial_plan(shape)
        f = np.eye(len(monomials), dtype=np.int64)
        for p, q in differences:
            f[p] -= f[q]
        M = _MAPS[shape] = f[[p for p, _ in monomials]]
    return M


class _Extractor:
    """Builds the :class:`PatternSystem` of a guard's patterns, keeping each equation's local form
    (its rows and integer matrix over the monomials of the mixing sets it depends on) by set,
    actions, belief spec and the supports of the sets it reads: patterns share most of them."""

    def __init__(self, guard: Any) -> None:
        self.guard = guard
        self.profiles = guard._profiles
        self._forms: dict[tuple, tuple[tuple[int, ...], np.ndarray, np.ndarray]] = {}
        self._kinds: dict[tuple, tuple] = {}
        self._relevant: dict[int, tuple[int, ...]] = {}
        self._embeddings: dict[tuple, np.ndarray] = {}

    def relevant(self, k: int) -> tuple[int, ...]:
        """The sets set ``k``'s values may read, whatever its spec: those with a move on the path
        to one of its nodes (weights, carried beliefs too) or below one of its children."""
        out = self._relevant.get(k)
        if out is None:
            game, path = self.guard.game, self.profiles.path
            sets: set[int] = set()
            for v in game.infosets[k].nodes:
                sets.update(j for j, _ in path[v])
                for t in game.terminals:
                    if game.nodes[v].index < t < game.nodes[v].end:
                        sets.update(j for j, _ in path[t])
            sets.discard(k)
            out = self._relevant[k] = tuple(sorted(sets))
        return out

    def system(self, pattern: tuple[tuple[int, ...], ...]) -> PatternSystem:
        """The pattern's system, structure classified."""
        mixed = tuple(h for h, s in enumerate(pattern) if len(s) > 1)
        shape = tuple(len(pattern[k]) for k in mixed)
        monomials = [m for _, m in _polynomial_plan(shape)[1]]
        specs = self.guard.pattern_specs(pattern)
        groups: list[tuple[int, int]] = []
        forms: list[tuple[np.ndarray, tuple[np.ndarray, np.ndarray]] | None] = []
        support = np.zeros((sum(m - 1 for m in shape), len(monomials)), dtype=bool)
        for k in mixed:
            spec = specs.get(k, ("reach",)) if specs is not None else ("reach",)
            local = tuple(j for j in self.relevant(k) if j in mixed)
            key = (k, _spec_key(k, specs) if specs is not None else (spec,),
                   tuple(pattern[j] for j in self.relevant(k)), pattern[k])
            for j, sj in enumerate(pattern[k][1:], start=1):
                row = len(groups)
                groups.append((k, j))
                ck = (*key, sj)
                hit = self._forms.get(ck)
                if hit is None:
                    hit = self._forms[ck] = self._local_form(pattern, local, k, sj, specs, spec[0] == "d1")
                _, cols_local, A = hit
                cols = self._embedding(mixed, shape, local)
                support[row, cols[cols_local]] = True
                if spec[0] == "d1":
                    forms.append(None)
                else:
                    forms.append((np.asarray(hit[0], dtype=np.int64), (cols[cols_local], A)))
        ck = (shape, support.tobytes())
        if ck not in self._kinds:
            self._kinds[ck] = classify(support, monomials, sum(m - 1 for m in shape))
        kind, blocks, unmatched, common = self._kinds[ck]
        return PatternSystem(pattern, mixed, monomials, groups, forms, support, common, kind, blocks,
                             unmatched)

    def _embedding(self, mixed: tuple[int, ...], shape: tuple[int, ...], local: tuple[int, ...]
                   ) -> np.ndarray:
        """Per monomial of the sets ``local`` (a subset of ``mixed``, supports of sizes ``shape``),
        its column among the monomials of ``mixed`` (both in :func:`_polynomial_plan`'s order)."""
        key = (mixed, shape, local)
        out = self._embeddings.get(key)
        if out is None:
            strides = [int(np.prod(shape[i + 1:], dtype=np.int64)) for i in range(len(shape))]
            axes = [mixed.index(j) for j in local]
            out = np.asarray([sum(i * strides[a] for a, i in zip(axes, c, strict=True))
                              for c in itertools.product(*(range(shape[a]) for a in axes))], dtype=np.int64)
            self._embeddings[key] = out
        return out

    def _local_form(self, pattern: tuple[tuple[int, ...], ...], local: tuple[int, ...], k: int, sj: int,
                    specs: dict | None, d1: bool) -> tuple[tuple[int, ...], np.ndarray, np.ndarray]:
        """Set ``k``'s equation for ``sj`` over the mixing sets ``local`` it reads: ``(rows,
        columns, A)``, its structurally nonzero local monomial columns and the integer matrix
        ``(rows, columns)`` (under D1 beliefs: rows ``()``, the union support of
        :func:`_d1_support`)."""
        shape = tuple(len(pattern[j]) for j in local)
        M = _plan_matrix(shape)
        s0 = pattern[k][0]
        base = [s[0] for s in pattern]
        seen = []
        for c in itertools.product(*(pattern[j] for j in local)):
            prof = list(base)
            for j, a in zip(local, c, strict=True):
                prof[j] = a
            seen.append(tuple(prof))
        if d1:
            sup = _d1_support(self.guard, pattern, local, k, sj, s0, seen, M, specs or {})
            return (), np.flatnonzero(sup), np.zeros((0, int(sup.sum())), dtype=np.int64)
        pairs = self.profiles.value_pairs(k, sj, s0, seen, specs)
        rows, A = _form(pairs, M)
        cols = np.flatnonzero((A != 0).any(axis=0))
        return tuple(rows.tolist()), cols, A[:, cols]


def _form(pairs: Sequence[tuple[int, int]], M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows read and the integer matrix ``(rows, monomials)`` of one equation whose value at
    vertex ``c`` is ``row pairs[c][0] - row pairs[c][1]`` (rows whose every entry is 0 dropped)."""
    rows = sorted({r for pair in pairs for r in pair})
    at = {r: i for i, r in enumerate(rows)}
    V = np.zeros((len(pairs), len(rows)), dtype=np.int64)
    for c, (r1, r0) in enumerate(pairs):
        V[c, at[r1]] += 1
        V[c, at[r0]] -= 1
    A = (M @ V).T
    keep = (A != 0).any(axis=1)
    return np.asarray(rows, dtype=np.int64)[keep], A[keep]


def _d1_support(guard: Any, pattern: tuple[tuple[int, ...], ...], mixed: tuple[int, ...], k: int, sj: int,
                s0: int, seen: Sequence[tuple[int, ...]], M: np.ndarray, specs: dict) -> np.ndarray:
    """Structural support of set ``k``'s equation under a D1 belief, over the monomials of the
    mixing sets ``mixed`` at the vertex profiles ``seen``: the union over its nodes of the
    supports of the node's condition weighed by Nature's odds and by Nature's odds times the
    support moves of the mixing sets on its path (module docstring)."""
    profiles = guard._profiles
    out = np.zeros(M.shape[0], dtype=bool)
    for v in guard.game.infosets[k].nodes:
        sp_node = {**specs, k: ("node", v)}
        pairs = profiles.value_pairs(k, sj, s0, seen, sp_node)
        out |= _support_of(pairs, M)
        path = [(j, b) for j, b in profiles.path[v] if j in mixed and b in pattern[j]]
        plays = [all(x[j] == b for j, b in path) for x in seen]
        out |= _support_of([pair if ok else (-1, -1) for pair, ok in zip(pairs, plays, strict=True)], M)
    return out


def _support_of(pairs: Sequence[tuple[int, int]], M: np.ndarray) -> np.ndarray:
    """Per monomial, whether the form of ``pairs`` (as :func:`_form`; row -1: the value 0) is
    not identically 0."""
    rows = sorted({r for pair in pairs for r in pair if r >= 0})
    at = {r: i for i, r in enumerate(rows)}
    V = np.zeros((len(pairs), len(rows)), dtype=np.int64)
    for c, (r1, r0) in enumerate(pairs):
        if r1 >= 0:
            V[c, at[r1]] += 1
        if r0 >= 0:
            V[c, at[r0]] -= 1
    return (M @ V != 0).any(axis=1)


# ------------------------------------------------------------------ exact coefficients
def exact_features(guard: Any, tree: Any, params: Mapping[str, Any]) -> list[Fraction]:
    """The guard's features (:meth:`~deterrence.kernels._guard._Profiles.features`: chance reach
    times payoff per terminal and player, then the chance reach of every node) at a rational
    parameter point, exactly. ``tree``: the model's :class:`~deterrence.kernels.SymbolicTree`.

    Raises
    ------
    UnsupportedError
        A payoff or chance probability that is not rational at the point.
    """
    subs = {sym: sp.Rational(Fraction(params[name]))
            for name, sym in zip(tree.names, tree.symbols, strict=True)}

    def exact(expr: Any) -> Fraction:
        # the tree's parsed expressions (text is refused); symbols replaced by numbers, which
        # rebuilds and so evaluates every operation, as subs does, without its pattern matching
        val = _as_expr(expr).xreplace(subs)
        if isinstance(val, sp.Rational):
            return Fraction(int(val.p), int(val.q))
        if isinstance(val, sp.Float):
            return Fraction(float(val))
        raise UnsupportedError(f"the value {expr} is not rational at {dict(params)}: no exact coefficients")

    game = guard.game
    offsets = list(itertools.accumulate((len(ci.actions) for ci in game.chance_infos), initial=0))
    ce = [exact(p) for row in tree.chance for p in row]
    reach = [Fraction(1)] * len(game.nodes)
    for nd in game.nodes[1:]:
        par = game.nodes[nd.parent]
        edge = ce[offsets[par.infoset] + nd.action] if par.kind == CHANCE else 1
        reach[nd.index] = reach[nd.parent] * edge
    feats = []
    for z, t in enumerate(game.terminals):
        for i in range(game.num_players):
            feats.append(reach[t] * exact(tree.payoffs[z][i]))
    return feats + reach


def exact_coefficients(guard: Any, system: PatternSystem, tree: Any, params: Mapping[str, Any]
                       ) -> list[list[Fraction]] | None:
    """The system's coefficients, ``[equation][monomial]``, in exact arithmetic at a rational
    parameter point (``params``: name -> int, :class:`~fractions.Fraction` or a float, taken
    exactly); ``None`` if an equation is under a D1 belief (not formed). Proportional, set by set,
    to the per-point solver's exact coefficients (a positive constant per set)."""
    return exact_rows(guard, system, exact_features(guard, tree, params))


# ------------------------------------------------------------------ verdicts
def exact_rows(guard: Any, system: PatternSystem, feats: Sequence[Fraction]) -> list[list[Fraction]] | None:
    """:func:`exact_coefficients` from the exact features (:func:`exact_features`) of a point."""
    if not system.formed:
        return None
    keys = list(guard._profiles._rows)
    row_value: dict[int, Fraction] = {}
    out = []
    for rows, (cols, A) in system.forms:
        vals = []
        for r in rows.tolist():
            if r not in row_value:
                row_value[r] = sum((feats[f] for f in keys[r]), Fraction(0))
            vals.append(row_value[r])
        line = [Fraction(0)] * len(system.monomials)
        for c, m in enumerate(cols.tolist()):
            line[m] = sum((int(A[i, c]) * vals[i] for i in range(len(vals)) if A[i, c]), Fraction(0))
        out.append(line)
    return out


def _dyadic(x: float, bits: int = DYADIC_BITS) -> Fraction:
    """``x`` rounded to a multiple of ``2**-bits`` (small exact numbers for the recipes' tests)."""
    return Fraction(round(x * 2**bits), 2**bits)


class RecipeBook:
    """Recipes (:mod:`deterrence.kernels._recipes`) per pattern, discovered when a pattern first
    needs them, from a pool of parameter points inside the model's domains (the compile probe).

    A pattern's probes are the exact coefficients at the first :data:`RECIPE_PROBES` pool points
    where it survives the vertex tests (in floats); each candidate recipe is verified exactly at
    :data:`RECIPE_TRIALS` other pool points (Schwartz-Zippel). The pool's points are independent
    draws and a candidate depends on the probe points only, so a candidate whose cancellation is
    not structural is accepted with probability at most ``(d / N) ** trials`` for each of the at
    most :data:`RECIPE_PROBES` candidates (``N``: the ``2**DYADIC_BITS`` grid the points are
    rounded to per unit, ``d``: the degree of the determinants' numerators). A pattern that
    survives at fewer pool points than needed gets no recipe (its points go to the closed form
    or flag)."""

    def __init__(self, guard: Any, tree: Any, pool: Mapping[str, np.ndarray], seed: int = 0) -> None:
        self.guard, self.tree, self.seed = guard, tree, seed
        n = len(next(iter(pool.values()))) if pool else 0
        self.points = [{k: _dyadic(float(v[i])) for k, v in pool.items()} for i in range(n)]
        self._pool = {k: np.array([float(p[k]) for p in self.points]) for k in pool}
        self._features: dict[int, list[Fraction]] = {}
        self._where: dict[int, list[int]] | None = None
        self.recipes: dict[int, list[Recipe]] = {}
        self.seconds = 0.0  # time spent discovering (measured, reported by the benchmarks)

    def where(self, index: int) -> list[int]:
        """The pool points where pattern ``index`` survives its vertex tests (not skipped)."""
        if self._where is None:
            guard = self.guard
            pay, ce = self.tree.numeric_columns(self._pool)
            G, E, unit = guard.row_values(pay, ce)
            exact_points = (ce > 0).all(axis=0) if ce.size else np.ones(len(G), dtype=bool)
            pairs = guard.systems.survivors(guard.code, G, E, unit, guard.tol_edge[0], guard.tol_edge[1],
                                            guard.n_tests, np.ascontiguousarray(exact_points))
            where: dict[int, list[int]] = {}
            for pt, pat in pairs.tolist():
                where.setdefault(pat, []).append(pt)
            self._where = where
        return self._where.get(index, [])

    def features(self, point: int) -> list[Fraction]:
        """The exact features at a pool point (cached)."""
        if point not in self._features:
            self._features[point] = exact_features(self.guard, self.tree, self.points[point])
        return self._features[point]

    def get(self, index: int, system: PatternSystem) -> list[Recipe]:
        """Pattern ``index``'s recipes (discovered on the first call)."""
        found = self.recipes.get(index)
        if found is None:
            start = time.process_time()
            found = self.recipes[index] = self._discover(index, system)
            self.seconds += time.process_time() - start
        return found

    def _discover(self, index: int, system: PatternSystem) -> list[Recipe]:
        where = self.where(index)[:RECIPE_PROBES]
        others = [p for p in range(len(self.points)) if p not in where]
        if not where or len(others) < RECIPE_TRIALS or not system.formed:
            return []
        rng = np.random.default_rng((self.seed, index))
        order: list[int] = []

        def exact_at(r: np.random.Generator) -> list[list[Fraction]]:
            if not order:
                order.extend(r.permutation(others).tolist())
            return exact_rows(self.guard, system, self.features(order.pop()))  # type: ignore[return-value]

        probes = [exact_rows(self.guard, system, self.features(p)) for p in where]
        return discover_recipes(probes, exact_at, rng, RECIPE_TRIALS).recipes  # type: ignore[arg-type]


class SystemStage:
    """The second stage of a :class:`~deterrence.kernels._guard.PatternGuard` (module docstring):
    every pattern's system, built once, and the flagging of points with it.

    A formed CLOSED or BIG system surviving at a point (every chance move positive there) is
    cleared (:meth:`cleared`) when a recipe rules it out (:class:`RecipeBook`, when the guard
    has a tree and a pool of points to discover them), or, for CLOSED, when the closed form
    (:func:`~deterrence.kernels._closedform.solve_closed_form`) finds no root in the box, or only
    roots that fail the per-point solver's test at some set (:class:`~._rootcheck.RootCheck`).
    Anything else flags."""

    def __init__(self, guard: Any, tree: Any = None, pool: Mapping[str, np.ndarray] | None = None) -> None:
        self.guard = guard
        extract = _Extractor(guard)
        self.systems = [extract.system(p) for p in guard.patterns]
        self.skip = np.array([s.skippable for s in self.systems], dtype=np.int8)
        self.book = RecipeBook(guard, tree, pool) if tree is not None and pool else None
        self._plans: dict[int, ClosedFormPlan | None] = {}
        self._checks: dict[int, RootCheck] = {}
        self.counts = dict.fromkeys(("recipe", "no_root", "roots_fail", "roots", "unsure", "other"), 0)

    def flag_points(self, code: np.ndarray, G: np.ndarray, E: np.ndarray, unit: np.ndarray, tol: float,
                    edge: float, n_tests: int, pay: np.ndarray, ce: np.ndarray, out: np.ndarray) -> None:
        """``out[p]`` True where some pattern survives its vertex tests at point ``p`` and is not
        cleared as a system: skipped curve-shaped systems (not at points with a chance move of
        probability 0), and formed closed or big systems :meth:`cleared` clears. ``pay``, ``ce``:
        the points' payoffs and chance probabilities (the checks at roots read their features)."""
        exact_points = np.ascontiguousarray((ce > 0).all(axis=0)) if ce.size else np.ones(len(G), dtype=bool)
        if not any(s.kind != CURVE and s.formed for s in self.systems):
            if not self.skip.any():  # nothing to clear: the first stage alone
                _flag_points(code, G, E, unit, tol, edge, n_tests, out)
            else:
                _flag_skipping(code, G, E, unit, tol, edge, n_tests, self.skip, exact_points, out)
            return
        pairs = self.survivors(code, G, E, unit, tol, edge, n_tests, exact_points)
        self._hooked(pairs, G, E, unit, tol, edge, exact_points, out, _Features(self.guard, pay, ce))

    def survivors(self, code: np.ndarray, G: np.ndarray, E: np.ndarray, unit: np.ndarray, tol: float,
                  edge: float, n_tests: int, exact_points: np.ndarray, skipping: bool = True) -> np.ndarray:
        """Every ``(point, pattern)`` surviving the vertex tests, not skipped (``skipping``)."""
        skip = self.skip if skipping else np.zeros_like(self.skip)
        cap = max(1024, 4 * len(G))
        while True:
            buf = np.empty((cap, 2), dtype=np.int64)
            n = _collect(code, G, E, unit, tol, edge, n_tests, skip, exact_points, buf)
            if n <= cap:
                return buf[:n]
            cap = n

    def _hooked(self, pairs: np.ndarray, G: np.ndarray, E: np.ndarray, unit: np.ndarray, tol: float,
                edge: float, exact_points: np.ndarray, out: np.ndarray, features: _Features) -> None:
        """Flag the points of ``pairs`` :meth:`cleared` does not clear, pattern by pattern."""
        order = np.argsort(pairs[:, 1], kind="stable")
        pairs = pairs[order]
        cuts = np.flatnonzero(np.diff(pairs[:, 1])) + 1
        for chunk in np.split(pairs, cuts):
            if not len(chunk):
                continue
            index = int(chunk[0, 1])
            pts = chunk[:, 0][~out[chunk[:, 0]]]  # points flagged already need no more work
            system = self.systems[index]
            if system.kind == CURVE or not system.formed:  # not skippable here, or beliefs not formed
                out[pts] = True
                continue
            out[pts[~exact_points[pts]]] = True  # a chance move of probability 0: other belief specs
            pts = pts[exact_points[pts]]
            if len(pts):
                out[pts[~self.cleared(index, system, pts, G, E, unit, tol, edge, features)]] = True

    def cleared(self, index: int, system: PatternSystem, pts: np.ndarray, G: np.ndarray, E: np.ndarray,
                unit: np.ndarray, tol: float, edge: float, features: _Features | None = None) -> np.ndarray:
        """Per point of ``pts``: is the formed CLOSED or BIG system ``index`` proved to give the
        per-point solver no PBE there (class docstring)? ``features``: the points' features, for
        the checks at roots (without them a root is not checked: it flags)."""
        coef, err = system.coefficients(G[pts], E[pts])
        done = np.zeros(len(pts), dtype=bool)
        if self.book is not None:
            recipes = self.book.get(index, system)
            if recipes:
                done = check_points(recipes, coef, err) == RULED_OUT
                self.counts["recipe"] += int(done.sum())
        if system.kind != CLOSED:
            self.counts["other"] += int((~done).sum())
            return done
        plan = self._plan(index, system)
        if plan is None:
            return done
        todo = np.flatnonzero(~done)
        if not len(todo):
            return done
        results = solve_closed_form(coef[todo], err[todo], plan, edge=edge)
        rooted = [i for i, res in zip(todo.tolist(), results, strict=True)  # type: ignore[arg-type]
                  if res.verdict == CF_ROOTS]
        if rooted and features is not None:
            check = self._check(index, system)
            g, e = check.row_values(features.at(pts[rooted]))
        for i, res in zip(todo.tolist(), results, strict=True):  # type: ignore[arg-type]
            if res.verdict == CF_NO_ROOT:
                done[i] = True
                self.counts["no_root"] += 1
            elif res.verdict == CF_ROOTS and features is not None:
                p, at = pts[i], rooted.index(i)
                done[i] = all(check.fails(m, r, g[at], e[at], unit[p], tol, edge)
                              for m, r in zip(res.roots, res.radii, strict=True))
                self.counts["roots_fail" if done[i] else "roots"] += 1
            else:
                self.counts["unsure" if res.verdict != CF_ROOTS else "roots"] += 1
        return done

    def _plan(self, index: int, system: PatternSystem) -> ClosedFormPlan | None:
        if index not in self._plans:
            members = [[i for i, (k, _) in enumerate(system.groups) if k == h] for h in system.mixed]
            try:
                self._plans[index] = closed_form_plan(
                    system.support, np.asarray(system.monomials, dtype=np.int64), members,
                    [(b.equations, b.unknowns) for b in system.blocks], system.unmatched)
            except SolverError:  # pragma: no cover - a CLOSED system the plan refuses: flagged
                self._plans[index] = None
        return self._plans[index]

    def _check(self, index: int, system: PatternSystem) -> RootCheck:
        check = self._checks.get(index)
        if check is None:  # (two threads may build it at once: the same check, either kept)
            check = self._checks[index] = RootCheck(self.guard, system)
        return check


class _Features:
    """The guard's features (:meth:`~deterrence.kernels._guard._Profiles.features`) of one call's
    points, worked out on first use (the checks at roots read them)."""

    def __init__(self, guard: Any, pay: np.ndarray, ce: np.ndarray) -> None:
        self.guard, self.pay, self.ce = guard, pay, ce
        self._X: np.ndarray | None = None

    def at(self, pts: np.ndarray | Sequence[int]) -> np.ndarray:
        """``(features, len(pts))``."""
        if self._X is None:
            self._X = self.guard._profiles.features(self.pay, self.ce)
        return self._X[:, np.asarray(pts, dtype=np.int64)]


class SystemGuard(PatternGuard):
    """A :class:`~deterrence.kernels._guard.PatternGuard` with the second stage: a pattern that
    survives its vertex tests at a point is examined as a system (:class:`SystemStage`) before
    the point is flagged. Same parameters, and ``tree`` (the model's
    :class:`~deterrence.kernels.SymbolicTree`) and ``pool`` (parameter arrays of points inside its
    domains) to discover recipes from (none without them); ``tol``, ``edge``: the certificates'
    (the recipes' probe survivors are found with them)."""

    def __init__(self, *args: Any, tree: Any = None, pool: Mapping[str, np.ndarray] | None = None,
                 tol: float = 1e-8, edge: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tol_edge = (tol, edge)
        self.systems = SystemStage(self, tree, pool)

    def _flag_patterns(self, G: np.ndarray, E: np.ndarray, unit: np.ndarray, tol: float, edge: float,
                       pay: np.ndarray, ce: np.ndarray, out: np.ndarray) -> None:
        self.systems.flag_points(self.code, G, E, unit, tol, edge, self.n_tests, pay, ce, out)


def _flag_skipping(code: np.ndarray, G: np.ndarray, E: np.ndarray, unit: np.ndarray, tol: float, edge: float,
                   n_tests: int, skip: np.ndarray, exact_points: np.ndarray, out: np.ndarray) -> None:
    """:func:`~deterrence.kernels._guard._flag_points`, with the patterns of ``skip`` not
    flagging a point of ``exact_points`` when they survive."""
    no_buffer = np.empty((0, 2), dtype=np.int64)
    scan_patterns(code, G, E, unit, tol, edge, n_tests, skip, exact_points, out, no_buffer, True)


def _collect(code: np.ndarray, G: np.ndarray, E: np.ndarray, unit: np.ndarray, tol: float, edge: float,
             n_tests: int, skip: np.ndarray, exact_points: np.ndarray, buf: np.ndarray) -> int:
    """Every (point, pattern) surviving its vertex tests and not skipped, into ``buf`` (as many
    as fit); returns how many there are."""
    return scan_patterns(code, G, E, unit, tol, edge, n_tests, skip, exact_points,
                         np.zeros(len(G), dtype=np.bool_), buf, False)

