"""The guard of the compiled PBE kernels: points where a support pattern they do not list may hold.

The kernels (:mod:`deterrence.kernels._compiled`) list the pure behaviour profiles and the
profiles mixing at two binary information sets (those left after the probe's pruning). The
per-point solver (:mod:`deterrence.solvers.pbe`) also solves patterns mixing at up to
``max_mixed_sets`` (6) sets, and at sets with three or more actions in the support. This module
proves, point by point in compiled code, that none of those other patterns has an equilibrium,
and flags the points where it cannot (the sweep then solves them per point).

The tests
---------
A pattern gives each set a support; its *mixing* sets are those with two or more actions. Write
``P_h(a)`` for the unnormalised expected payoff of set ``h``'s player from action ``a`` (the sum
over ``h``'s nodes of their reach times the continuation value). With perfect recall ``P_h(a)``
does not depend on ``h``'s own mixture and is multilinear in the other sets' mixtures, so on the
product of the mixing sets' simplices it is a convex combination of its values at the vertices
(the pure profiles playing a support action at every mixing set), with every weight strictly
positive inside the product. A pattern has no equilibrium with its mixing probabilities strictly
inside (the per-point solver lists no other) if, for some set ``h`` of it,

* (indifference) ``h`` mixes and some ``D = P_h(s_j) - P_h(s_0)`` is ``>= 0`` at every vertex and
  ``> 0`` at one (or the mirror): then ``D > 0`` everywhere inside, so ``h`` is reached and not
  indifferent; or
* (optimality) some action ``b`` outside ``h``'s support has ``P_h(b) - P_h(s_0) - t R_h >= 0`` at
  every vertex and ``> 0`` at one, ``R_h`` the reach of ``h`` and ``t = (tol + edge) max(1, U)``
  (``U`` the player's payoff range): then ``b`` beats ``s_0`` by more than ``t`` under Bayes
  beliefs everywhere inside, more than the certificates' tolerance (absolute or relative).

* (common root) two indifference conditions that each depend on the mixture ``x`` of one binary
  set only, the same set, ``(1 - x) A_k + x B_k``, have ``A_1 B_2 - B_1 A_2 != 0``: they never
  vanish together (two types of one player whose choices hinge on one opponent's mixture).

Weights are those of the per-point solver (:func:`deterrence.solvers.pbe._pattern_specs`): Bayes'
rule at the sets the pattern reaches, and at an unreached mixing set the mover's belief carried
forward from its own previous set, else Nature's odds (``prior``, and under every policy at a set
of one node); :func:`_set_specs`. The sets
checked are those it checks: the reached ones and the mixing ones.

"``>= 0``" and "``> 0``" are decided with the floating-point error bound of each value (a
constant times the sum of the sizes of its terms; a value with no terms is exactly 0) and, for
"``> 0``", the margin ``edge max(1, U)`` on top: floating point never rules a pattern out that
exact arithmetic would keep. The tests are those of :mod:`deterrence.solvers._pbe_vertex`, made
strict-inside rather than up to ``tol``.

What is not flagged
-------------------
Patterns mixing at one set only (the per-point solver lists none: a knife edge), patterns the
kernels list, and patterns the per-point solver does not solve list no equilibria per point
either, so they are not tested: patterns mixing at more than ``max_mixed_sets`` sets (its
default, 6; the solver says in its notes that they were skipped), and under ``free`` beliefs
patterns mixing at a set of two nodes or more left unreached with no belief carried to it
(once per model where no profile of the supports reaches it; per point where chance moves of
probability 0 cut it off: the test ``UNREACHED_FREE``, which reads every spec the solver could
pick there, Nature's odds at a set of one node among them).

Under ``d1`` the per-point solver also solves patterns mixing at an unreached set, whose belief
is D1's (:mod:`deterrence.solvers._pbe_beliefs`: Bayes after the deviations of the types it
picks, which depend on the point and on the mixtures). The guard does not form it: such a set
gets tests that hold for *every* belief (``INDIFFERENCE_ANY``, ``OPTIMALITY_ANY``,
:meth:`PatternGuard._any_belief_tests`): its conditions node by node, each node weighed by
Nature's odds alone, and the pattern is ruled out only where every node's condition has the same
strict sign inside the box. Then any weights that are not negative and not all 0 give the set's
condition that sign. A node Nature reaches with probability 0 has rows of 0 and rules nothing
out, so the guard never skips a pattern the solver might keep; the compiled ``d1`` kernel runs
the ``free`` engine with this guard (built for ``d1``) and refines its rows
(:mod:`deterrence.kernels._d1`).

The compiled kernels use :class:`deterrence.kernels._systems.SystemGuard`, which examines a pattern
that survives its tests as a system: one that is curve-shaped (the per-point solver lists no
equilibrium from it) does not flag the point.

A belief the guard cannot form otherwise (a point where a chance move of probability 0 makes the
solver pick another spec than :func:`_set_specs`) weighs its set 0 at every vertex: the set rules
nothing out there. The exception is a set of several nodes of which Nature reaches exactly one at
the point: the solver then fixes its belief on that node (Nature's odds) where :func:`_set_specs`
leaves it free, or to D1's, and may solve patterns it skips elsewhere. The patterns whose specs
rest on such a set are tested at those points under the solver's specs there
(:mod:`deterrence.kernels._fixedsets`, :meth:`PatternGuard.fixed_by_nature`), and a point where
one survives is flagged.

Cost
----
Built once per model: every pattern to test, its tests (shared between patterns), and the
0/1 matrix of the values ``P_h(a)`` and ``R_h`` at every pure profile (deduplicated rows,
numbered in the order they are first formed; the tests look a row up by profile in one dict per
set, action and spec key, :meth:`_Profiles.value_rows`). Per
point: the rows' sums and their error bounds (:func:`_row_sums`), then :func:`_flag_points`,
which stops at the first pattern that survives and at a pattern's first test that rules it out,
keeping every test's verdict for the other patterns that share it. Each pattern's tests are tried
in the order of their power, learnt once on the first points the guard sees
(:meth:`PatternGuard._order_tests`): the order changes the cost, never the flags.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from .._jit import njit
from ..errors import UnsupportedError
from ..game.extensive import CHANCE, DECISION, ExtensiveFormGame
from ..solvers._pbe_context import belief_spec_rule
from ._fixedsets import FixedSets
from ._trees import Structure

#: the per-point solver's default ``max_mixed_sets``: patterns mixing at more sets are not solved
MAX_MIXED_SETS = 6
#: more patterns than this to test: the model is not compiled (solved per point)
MAX_PATTERNS = 200_000
#: the tests' order (:meth:`PatternGuard._order_tests`) is learnt on up to this many points
ORDER_SAMPLE = 64
#: bound on the relative floating-point error of a value (times the sum of its terms' sizes)
ROUNDOFF = 1e-13

INDIFFERENCE, OPTIMALITY, COMMON_ROOT, UNREACHED_FREE, INDIFFERENCE_ANY, OPTIMALITY_ANY = 0, 1, 2, 3, 4, 5


class PatternGuard:
    """The patterns a compiled PBE model does not list, and their vertex tests (module docstring).

    Parameters
    ----------
    game
        The model's tree (its structure; perfect recall).
    structures
        The structures the kernels list (pure, and mixing at two binary sets).
    belief_policy
        The policy whose belief weights the per-point solver gives unreached sets.
    kept
        Per set, the actions the kernels compile over (``None``: all of them). A model compiled
        over the actions that survive iterated dominance (:mod:`deterrence.kernels._dominance`)
        sends every point where a removed action is not surely dominated per point; at the
        others the per-point solver prunes those actions too, so no pattern using one can hold
        a PBE there, and only patterns over the kept actions are guarded.
    """

    def __init__(self, game: ExtensiveFormGame, structures: Sequence[Structure], belief_policy: str = "free",
                 kept: Sequence[Sequence[int]] | None = None) -> None:
        self.game = game
        self.policy = belief_policy
        self.sizes = [len(h.actions) for h in game.infosets]
        self.kept = [tuple(range(k)) for k in self.sizes] if kept is None else [tuple(a) for a in kept]
        listed = {(s.pure, tuple(sorted(s.mixing))) for s in structures if s.mixing}
        self.patterns = _unlisted_patterns(self.kept, listed)
        self._profiles = _Profiles(game)
        self._chains: dict[int, list[dict[int, Spec]]] = {}  # _chain, per set
        self._specs: dict[tuple, dict[int, Spec] | None] = {}  # pattern_specs, per pattern
        tests: dict[tuple, int] = {}
        pattern_tests: list[list[int]] = []
        solved = []
        for pattern in self.patterns:
            found = self._pattern_tests(pattern)
            if found is None:  # not solved per point: lists nothing there either
                continue
            solved.append(pattern)
            pattern_tests.append([tests.setdefault(t, len(tests)) for t in found])
        self.patterns = solved
        self.n_tests = len(tests)
        self.W = self._profiles.matrix()
        self._tests, self._pattern_tests = list(tests), pattern_tests
        self.code = _encode(self._tests, pattern_tests)
        self._ordered = False  # each pattern's tests put in the order of their power (_order_tests)
        #: points where Nature fixes the belief at a set of several nodes for some pattern
        self._fixed = FixedSets(self, MAX_MIXED_SETS, _encode)

    # ------------------------------------------------------------------ per model
    def _pattern_tests(self, pattern: tuple[tuple[int, ...], ...]) -> list[tuple] | None:
        """The tests of one pattern: per set it checks, (kind, player, rows per vertex); ``None``
        if the per-point solver does not solve the pattern (a mixing set unreached with a free
        belief, :func:`_set_specs`)."""
        mixing = [h for h, s in enumerate(pattern) if len(s) > 1]
        specs = self.pattern_specs(pattern)
        if specs is None:
            return None
        return self.tests_under(pattern, mixing, specs, unreached_free=True)

    def pattern_specs(self, pattern: tuple[tuple[int, ...], ...]) -> dict[int, Spec] | None:
        """:func:`_set_specs` of ``pattern`` (worked out once per pattern; not to be modified)."""
        if pattern not in self._specs:
            mixing = [h for h, s in enumerate(pattern) if len(s) > 1]
            self._specs[pattern] = _set_specs(self.game, self.policy, pattern, mixing, self._profiles)
        return self._specs[pattern]

    def tests_under(self, pattern: tuple[tuple[int, ...], ...], mixing: list[int], specs: dict[int, Spec],
                    unreached_free: bool) -> list[tuple]:
        """The tests of one pattern under the belief-weight ``specs`` of the sets it checks (their
        rows registered in this guard's ``_profiles``); with ``unreached_free``, under ``free``,
        also each mixing set's ``UNREACHED_FREE`` test (specs picked for points where every chance
        move is positive; :class:`~deterrence.kernels._fixedsets.FixedSets` passes the specs of a
        pattern of chance moves of probability 0 itself, and no such test)."""
        out: list[tuple] = []
        lines: dict[int, list[tuple[int, tuple]]] = {}  # binary mixing set: conditions linear in it alone
        rows_of = self._profiles.value_rows
        for h, support in enumerate(pattern):
            spec = specs.get(h)
            if spec is None:  # not checked
                continue
            if len(support) == 1 and spec[0] != "reach":  # an unreached set that does not mix: not checked
                continue
            if spec[0] == "d1":  # a D1 belief, which the guard cannot form: tests that hold under any belief
                out += self._any_belief_tests(pattern, mixing, h, specs)
                continue
            vertices = self._vertices(pattern, mixing, h)
            player = self.game.infosets[h].player
            at_s0 = rows_of(h, support[0], specs)
            if unreached_free and self.policy == "free" and len(support) > 1:
                # weighed 0 at every vertex under every spec the solver may pick for it at a point
                # (chance moves of probability 0 cut it off): its belief is free there, and the
                # per-point solver does not solve the pattern
                reach = self._profiles.reach_rows
                rows = tuple(itertools.chain.from_iterable(
                    _triples(None, None, reach(h, chain), vertices) for chain in self._chain(h)))
                out.append((UNREACHED_FREE, player, rows))
            for sj in support[1:]:
                rows = tuple(_triples(rows_of(h, sj, specs), at_s0, None, vertices))
                out.append((INDIFFERENCE, player, rows))
                line = _one_variable(pattern, mixing, h, rows)
                if line is not None:
                    lines.setdefault(line[0], []).append((player, line[1]))
            optimality = self._optimality_rows(pattern, h, vertices, specs)
            out += [(OPTIMALITY, player, rows) for _, rows in optimality]
        for same in lines.values():  # two conditions that must vanish at one mixture of one set
            for (player, one), (_, two) in itertools.combinations(same, 2):
                out.append((COMMON_ROOT, player, one + two))
        return out

    def _optimality_rows(self, pattern: tuple[tuple[int, ...], ...], h: int, vertices: list[tuple[int, ...]],
                         specs: dict[int, Spec]) -> list[tuple[int, tuple]]:
        """Per action ``b`` outside set ``h``'s support, the rows of its optimality condition at
        each vertex: ``(P_h(b), P_h(s_0), R_h)``."""
        rows_of, s0 = self._profiles.value_rows, pattern[h][0]
        at_s0, reach = rows_of(h, s0, specs), self._profiles.reach_rows(h, specs)
        return [(b, tuple(_triples(rows_of(h, b, specs), at_s0, reach, vertices)))
                for b in range(self.sizes[h]) if b not in pattern[h]]

    def _any_belief_tests(self, pattern: tuple[tuple[int, ...], ...], mixing: list[int], h: int,
                          specs: dict[int, Spec]) -> list[tuple]:
        """The tests of set ``h`` under a belief the guard does not form (D1's): the conditions
        node by node (each node weighed by Nature's odds alone, ``("node", v)``), one group of
        rows per node, first a row ``(groups, 0, 0)``. A pattern is ruled out when every node's
        condition has the same strict sign inside the box (:func:`_rules_out`): then so has any
        combination of them with weights that are not negative and not all 0, whatever the
        solver's D1 belief (the per-point solver's weights: Bayes after a type's deviations,
        Nature's odds, or equal weights, :func:`deterrence.solvers._pbe_beliefs._deviation_weights`).
        A node Nature reaches with probability 0 has rows of 0 and rules nothing out."""
        support, nodes = pattern[h], self.game.infosets[h].nodes
        vertices = self._vertices(pattern, mixing, h)
        player, s0 = self.game.infosets[h].player, support[0]
        rows_of, reach = self._profiles.value_rows, self._profiles.reach_rows
        per_node = [{**specs, h: ("node", v)} for v in nodes]
        head = ((len(nodes), 0, 0),)
        out: list[tuple] = []
        for sj in support[1:]:
            rows = head + tuple(itertools.chain.from_iterable(
                _triples(rows_of(h, sj, sp), rows_of(h, s0, sp), None, vertices) for sp in per_node))
            out.append((INDIFFERENCE_ANY, player, rows))
        for b in (b for b in range(self.sizes[h]) if b not in support):
            rows = head + tuple(itertools.chain.from_iterable(
                _triples(rows_of(h, b, sp), rows_of(h, s0, sp), reach(h, sp), vertices) for sp in per_node))
            out.append((OPTIMALITY_ANY, player, rows))
        return out

    def _chain(self, h: int) -> list[dict[int, Spec]]:
        """The specs the per-point solver may give set ``h`` under ``free`` beliefs, whatever the
        chance moves of probability 0 at a point: Bayes' rule, Nature's odds at a set of one node
        (:func:`~deterrence.solvers._pbe_context.fixed_by_nature`: where Nature reaches it), and
        the belief carried forward from the mover's previous set under each spec that set may have
        (``None``: no spec, the pattern is not solved). Worked out once per set."""
        out = self._chains.get(h)
        if out is None:
            seq = self.game.own_sequence(self.game.infosets[h].nodes[0], self.game.infosets[h].player)
            out = [{h: ("reach",)}]
            if len(self.game.infosets[h].nodes) == 1:
                out.append({h: ("prior",)})
            if seq:
                prev, act = seq[-1]
                out += [{**c, h: ("own", prev, act)} for c in self._chain(prev)]
            self._chains[h] = out
        return out

    def _vertices(self, pattern: tuple[tuple[int, ...], ...], mixing: list[int], h: int
                  ) -> list[tuple[int, ...]]:
        """The vertex profiles of ``pattern`` as seen from set ``h`` (its own action set to its
        first support action: with perfect recall ``h``'s values do not depend on it)."""
        choices = [pattern[k] if k in mixing and k != h else (pattern[k][0],) for k in range(len(pattern))]
        return list(itertools.product(*choices))

    # ------------------------------------------------------------------ per point
    def flags(self, pay: np.ndarray, ce: np.ndarray, tol: float, edge: float) -> np.ndarray:
        """Per point: may an unlisted pattern hold there? ``pay`` ``(Z * N, P)`` and ``ce``
        ``(chance edges, P)`` as :meth:`deterrence.kernels._trees.SymbolicTree.numeric_columns`
        gives them. Points with a value that is not finite are flagged too."""
        npts = pay.shape[1]
        fixed = self.fixed_by_nature(pay, ce, tol, edge)
        if not self.patterns:
            return fixed
        G, E, unit = self.row_values(pay, ce)
        out = np.zeros(npts, dtype=bool)
        bad = ~(np.isfinite(G).all(axis=1) & np.isfinite(unit).all(axis=1))
        if not self._ordered and npts >= ORDER_SAMPLE // 4:
            self._order_tests(G, E, unit, tol, edge)
        self._flag_patterns(G, E, unit, tol, edge, pay, ce, out)
        return out | bad | fixed

    def fixed_by_nature(self, pay: np.ndarray, ce: np.ndarray, tol: float, edge: float) -> np.ndarray:
        """Per point (``pay``, ``ce`` as :meth:`flags` takes them): may a pattern hold there whose
        specs the per-point solver rests on a set of several nodes of which Nature reaches exactly
        one (:class:`~deterrence.kernels._fixedsets.FixedSets`)? The guard's own specs are those
        of points where every chance move is positive; such patterns are tested at those points
        under the solver's specs there (the first stage's tests alone)."""
        out = np.zeros(pay.shape[1], dtype=bool)
        for pts, ((indptr, indices), code, n_tests) in self._fixed.checks(ce, pay.shape[1]):
            X = self._profiles.features(pay[:, pts], ce[:, pts])
            G, E = _row_sums(indptr, indices, np.ascontiguousarray(X))
            unit = _units(pay[:, pts], self.game.num_players)
            found = np.zeros(len(pts), dtype=bool)
            _flag_points(code, G, E, unit, tol, edge, n_tests, found)
            out[pts] = found | ~(np.isfinite(G).all(axis=1) & np.isfinite(unit).all(axis=1))
        return out

    def row_values(self, pay: np.ndarray, ce: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows' values ``G`` and error bounds ``E`` (``(P, rows)``) and ``max(1, U)`` per
        point and player (``(P, N)``), from ``pay`` and ``ce`` as :meth:`flags` takes them."""
        X = self._profiles.features(pay, ce)
        indptr, indices = self.W
        G, E = _row_sums(indptr, indices, np.ascontiguousarray(X))
        return G, E, _units(pay, self.game.num_players)

    def _flag_patterns(self, G: np.ndarray, E: np.ndarray, unit: np.ndarray, tol: float, edge: float,
                       pay: np.ndarray, ce: np.ndarray, out: np.ndarray) -> None:
        """``out[p]`` True where some pattern survives its tests at point ``p`` (the first stage;
        :class:`deterrence.kernels._systems.SystemGuard` adds the second, which reads ``pay`` and
        ``ce`` as :meth:`flags` takes them; this stage reads the rows' values alone)."""
        _flag_points(self.code, G, E, unit, tol, edge, self.n_tests, out)


    def _order_tests(self, G: np.ndarray, E: np.ndarray, unit: np.ndarray, tol: float, edge: float) -> None:
        """Put each pattern's tests in the order of their power on the first points of the first
        call (up to :data:`ORDER_SAMPLE`): how many points a test rules its patterns out at, times
        how many patterns share it, per row it reads. A pattern survives only if none of its tests
        rules it out, so the order changes the cost (the first test tried, its verdict kept for
        every pattern sharing it, usually settles the pattern), never the flags."""
        k = min(len(G), ORDER_SAMPLE)
        hits = np.zeros(self.n_tests, dtype=np.int64)
        _test_hits(self.code, G[:k], E[:k], unit[:k], tol, edge, self.n_tests, hits)
        shared = np.zeros(self.n_tests)
        for ids in self._pattern_tests:
            shared[ids] += 1.0
        size = np.array([3 + len(rows) for _, _, rows in self._tests], dtype=float)
        power = hits * shared / size
        ordered = [sorted(ids, key=lambda t: -power[t]) for ids in self._pattern_tests]
        self.code = _encode(self._tests, ordered)  # one assignment: a thread reads the old or the new
        self._ordered = True


Spec = tuple  # how a set's belief weights are formed, as in :func:`deterrence.solvers.pbe._weights`


def _set_specs(game: ExtensiveFormGame, policy: str, pattern: Sequence[tuple[int, ...]],
               mixing: Sequence[int], profiles: _Profiles) -> dict[int, Spec] | None:
    """The belief-weight spec of every set the per-point solver checks in ``pattern``, as
    :func:`deterrence.solvers.pbe._pattern_specs` picks them when every chance move has positive
    probability: ``("reach",)`` at the sets the pattern reaches (Bayes' rule), and at an unreached
    mixing set the mover's own belief carried forward from its previous set (``("own", prev,
    act)``) if that gives the set weight, else Nature's odds ``("prior",)`` at a set of one node
    (its belief under every policy; where every chance move is positive, these are the sets whose
    belief Nature fixes: :mod:`deterrence.kernels._fixedsets` handles the points where a set of
    several nodes is one), else the policy's: ``("prior",)``, ``("d1",)`` (which the
    guard cannot form: the set gives no test), or, under ``free``, ``None`` for the whole pattern
    (not solved per point).

    At a point where a chance move has probability 0 the solver may pick another spec for a set;
    the rows of the spec picked here then weigh it 0 at every vertex (a set reached only through
    that move, or carried from one), so the set rules nothing out there: never a pattern the
    solver keeps.
    """
    reached = profiles.reached(pattern)
    specs: dict[int, Spec] = {h: ("reach",) for h in range(len(pattern)) if reached[h]}

    spec = belief_spec_rule(game, policy, specs, reached.__getitem__,
                            lambda k, cand, sp: bool(profiles.carried_weight(k, cand, pattern, sp)),
                            lambda k: len(game.infosets[k].nodes) == 1)

    for k in mixing:
        if spec(k) is None:
            return None
    return specs


def all_specs(game: ExtensiveFormGame, policy: str, pattern: Sequence[tuple[int, ...]], profiles: _Profiles
              ) -> dict[int, Spec | None]:
    """The belief-weight spec of *every* set in ``pattern`` by the rule of :func:`_set_specs`
    (:func:`~deterrence.solvers._pbe_context.belief_spec_rule`): Bayes' rule where the pattern
    reaches the set, the mover's own belief carried forward where that gives it weight, else the
    policy's (``("prior",)``, ``("d1",)``, or ``None`` under ``free``: a free belief). The beliefs the
    per-point solver gives a profile with these supports (:class:`deterrence.solvers._pbe_beliefs._Beliefs`)
    are these wherever the reaches it compares with its threshold are above it (every chance
    move positive); :mod:`deterrence.kernels._rootcheck` checks that at a root."""
    reached = profiles.reached(pattern)
    specs: dict[int, Spec] = {h: ("reach",) for h in range(len(pattern)) if reached[h]}
    spec = belief_spec_rule(game, policy, specs, reached.__getitem__,
                            lambda k, cand, sp: bool(profiles.carried_weight(k, cand, pattern, sp)),
                            lambda k: len(game.infosets[k].nodes) == 1)
    out: dict[int, Spec | None] = {k: spec(k) for k in range(len(pattern))}
    return out


class _Profiles:
    """The values ``P_h(a)`` and reaches ``R_h`` at pure profiles under a set's belief-weight spec,
    as rows of a sparse matrix over the features (reach-weighted payoffs ``z * N + i`` of every
    terminal, then the chance reach of every node), each distinct row once.

    Under a spec, node ``v`` of set ``h`` weighs the chance reach of ``v`` if the profile plays
    the moves of :meth:`checked` on its path (all of them for Bayes' rule; none for Nature's odds;
    for a belief carried from the mover's previous set ``h'`` through its action ``a'``, those
    ``h'``'s spec checks at ``v``'s node ``u`` in ``h'``, then the moves below ``u``'s move ``a'``:
    the weights of :func:`deterrence.solvers.pbe._weights` at a pure profile, where a path's edge
    probabilities are Nature's times 0 or 1)."""

    def __init__(self, game: ExtensiveFormGame) -> None:
        self.game = game
        self.N, self.Z = game.num_players, len(game.terminals)
        self._rows: dict[tuple, int] = {}
        self._cache: dict[tuple, tuple[int, ...]] = {}  # a value's or a reach's features
        self._maps: dict[tuple, _RowMap] = {}  # value_rows and reach_rows, by set, action and spec key
        # per node, the (set, action) moves on its path from the root, and the decision nodes making them
        self.path: list[tuple[tuple[int, int], ...]] = [()] * len(game.nodes)
        self.movers: list[tuple[int, ...]] = [()] * len(game.nodes)
        for nd in game.nodes[1:]:
            par = game.nodes[nd.parent]
            step = ((par.infoset, nd.action),) if par.kind == DECISION else ()
            self.path[nd.index] = self.path[nd.parent] + step
            self.movers[nd.index] = self.movers[nd.parent] + ((par.index,) if par.kind == DECISION else ())
        self.below: dict[tuple[int, int], list[int]] = {}  # (set, action): terminal rows below
        for z, t in enumerate(game.terminals):
            for s, a in self.path[t]:
                self.below.setdefault((s, a), []).append(z)

    def reached(self, pattern: Sequence[tuple[int, ...]]) -> list[bool]:
        """Per set: does a profile playing every support action reach it (chance moves positive)?"""
        out = [False] * len(self.game.infosets)
        for k, h in enumerate(self.game.infosets):
            out[k] = any(all(a in pattern[s] for s, a in self.path[v]) for v in h.nodes)
        return out

    def checked(self, h: int, spec: Spec, v: int, specs: dict[int, Spec]) -> tuple[tuple[int, int], ...]:
        """The moves on node ``v``'s path (``v`` in set ``h``) the profile must play for ``v`` to
        weigh under ``spec`` (class docstring)."""
        kind = spec[0]
        if kind == "reach":
            return self.path[v]
        if kind in ("prior", "node"):
            return ()
        if kind != "own":
            raise ValueError(f"no rows for the belief spec {spec!r}")
        prev = spec[1]
        pos = next(i for i, u in enumerate(self.movers[v]) if self.game.nodes[u].infoset == prev)
        u = self.movers[v][pos]
        return self.checked(prev, specs[prev], u, specs) + self.path[v][pos + 1:]

    def carried_weight(self, k: int, spec: Spec, pattern: Sequence[tuple[int, ...]], specs: dict[int, Spec]
                       ) -> bool:
        """Does ``spec`` give set ``k`` weight under the profile playing every support action?"""
        return any(all(a in pattern[s] for s, a in self.checked(k, spec, v, specs))
                   for v in self.game.infosets[k].nodes)

    def _row(self, key: tuple) -> int:
        return self._rows.setdefault(key, len(self._rows))

    @staticmethod
    def _plays(moves: Sequence[tuple[int, int]], profile: tuple[int, ...]) -> bool:
        return all(profile[s] == a for s, a in moves)

    def value(self, h: int, a: int, profile: tuple[int, ...], specs: dict[int, Spec]) -> int:
        """Row of ``P_h(a)`` at ``profile`` under set ``h``'s spec in ``specs``."""
        return self._row(self.value_key(h, a, profile, specs))

    def value_rows(self, h: int, a: int, specs: dict[int, Spec]) -> _RowMap:
        """The rows of :meth:`value` (``P_h(a)`` under set ``h``'s spec in ``specs``) by profile, one
        map per set, action and spec key (:func:`_spec_key`): a dict lookup per profile, the row
        formed and registered by :meth:`value` the first time a profile is looked up."""
        sk = _spec_key(h, specs)
        rows = self._maps.get(("v", h, a, sk))
        if rows is None:
            own = _chain_specs(h, specs)
            rows = self._maps["v", h, a, sk] = _RowMap(lambda profile: self.value(h, a, profile, own))
        return rows

    def reach_rows(self, h: int, specs: dict[int, Spec]) -> _RowMap:
        """The rows of :meth:`reach` (``R_h`` under set ``h``'s spec) by profile, as :meth:`value_rows`."""
        sk = _spec_key(h, specs)
        rows = self._maps.get(("r", h, sk))
        if rows is None:
            own = _chain_specs(h, specs)
            rows = self._maps["r", h, sk] = _RowMap(lambda profile: self.reach(h, profile, own))
        return rows

    def value_pairs(self, h: int, a: int, b: int, profiles: Sequence[tuple[int, ...]], specs: dict[int, Spec]
                    ) -> list[tuple[int, int]]:
        """The rows of ``P_h(a)`` and ``P_h(b)`` at each of ``profiles`` (:meth:`value_rows`; looked
        up profile by profile, ``a`` first, as :func:`_triples`)."""
        at_a, at_b = self.value_rows(h, a, specs), self.value_rows(h, b, specs)
        return list(zip(map(at_a.__getitem__, profiles), map(at_b.__getitem__, profiles), strict=True))

    def value_key(self, h: int, a: int, profile: tuple[int, ...], specs: dict[int, Spec]) -> tuple[int, ...]:
        """The features summed in :meth:`value`'s row (not registered as a row of the guard's
        matrix: the checks at a root, :mod:`deterrence.kernels._rootcheck`, keep their own)."""
        spec = specs[h]
        ck = ("v", h, a, profile, _spec_key(h, specs))
        key = self._cache.get(ck)
        if key is None:
            i = self.game.infosets[h].player
            zs = []
            for z in self.below.get((h, a), ()):
                t = self.game.terminals[z]
                pos = next(j for j, u in enumerate(self.movers[t]) if self.game.nodes[u].infoset == h)
                v = self.movers[t][pos]
                if spec[0] == "node" and v != spec[1]:  # one node's weight only
                    continue
                above, below = self.checked(h, spec, v, specs), self.path[t][pos + 1:]
                if self._plays(above, profile) and self._plays(below, profile):
                    zs.append(z)
            key = self._cache[ck] = tuple(sorted(z * self.N + i for z in zs))
        return key

    def reach(self, h: int, profile: tuple[int, ...], specs: dict[int, Spec]) -> int:
        """Row of ``R_h`` (the sum of set ``h``'s weights) at ``profile`` under its spec."""
        return self._row(self.reach_key(h, profile, specs))

    def reach_key(self, h: int, profile: tuple[int, ...], specs: dict[int, Spec]) -> tuple[int, ...]:
        """The features summed in :meth:`reach`'s row (not registered, as :meth:`value_key`)."""
        spec = specs[h]
        ck = ("r", h, profile, _spec_key(h, specs))
        key = self._cache.get(ck)
        if key is None:
            nodes = [v for v in self.game.infosets[h].nodes
                     if self._plays(self.checked(h, spec, v, specs), profile)
                     and (spec[0] != "node" or v == spec[1])]
            key = self._cache[ck] = tuple(sorted(self.Z * self.N + v for v in nodes))
        return key

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows as ``(indptr, indices)`` over the features (a 0/1 matrix in compressed rows;
        no scipy.sparse: a compiled sweep does not import it)."""
        indptr, idx = [0], []
        for key in self._rows:  # insertion order = row ids
            idx.extend(key)
            indptr.append(len(idx))
        return np.array(indptr, dtype=np.int64), np.array(idx, dtype=np.int64)

    def chance_reach(self, ce: np.ndarray, npts: int | None = None) -> np.ndarray:
        """``(nodes, P)``: the chance reach of every node (the product of Nature's probabilities
        ``ce`` on its path, root first) at each point."""
        game = self.game
        offsets = np.cumsum([0, *[len(ci.actions) for ci in game.chance_infos]])
        reach = np.ones((len(game.nodes), ce.shape[1] if npts is None else npts))
        for nd in game.nodes[1:]:
            par = game.nodes[nd.parent]
            reach[nd.index] = reach[nd.parent]
            if par.kind == CHANCE:
                reach[nd.index] = reach[nd.parent] * ce[offsets[par.infoset] + nd.action]
        return reach

    def features(self, pay: np.ndarray, ce: np.ndarray) -> np.ndarray:
        """``(features, P)``: chance reach times payoff per terminal and player, then the chance
        reach of every node."""
        game = self.game
        reach = self.chance_reach(ce, pay.shape[1])
        t = reach[np.asarray(game.terminals, dtype=np.int64)]  # (Z, P)
        x = pay.reshape(self.Z, self.N, -1) * t[:, None, :]
        return np.concatenate([x.reshape(self.Z * self.N, -1), reach])


def _units(pay: np.ndarray, n_players: int) -> np.ndarray:
    """``max(1, U)`` per point and player, ``(P, N)`` (``U`` the player's payoff range; ``pay`` as
    :meth:`PatternGuard.flags` takes it)."""
    N = n_players
    Z = pay.shape[0] // max(N, 1)
    span = pay.reshape(Z, N, pay.shape[1])
    return np.ascontiguousarray(np.maximum(span.max(axis=0) - span.min(axis=0), 1.0).T)


def _one_variable(pattern: Sequence[tuple[int, ...]], mixing: Sequence[int], h: int,
                  rows: Sequence[tuple[int, int, int]]) -> tuple[int, tuple] | None:
    """If an indifference condition of set ``h`` (``rows``, per vertex of
    :meth:`PatternGuard._vertices`, in :func:`itertools.product`'s order) depends on
    the mixture of one binary mixing set ``j`` only (its rows at two vertices that differ at one
    other set are the same rows unless that set is ``j``): ``(j, ((rows at j's first support
    action), (rows at its second)))``, the condition being ``(1 - x) A + x B`` in ``j``'s
    probability ``x`` of its second; else ``None``."""
    sizes = [len(pattern[k]) if k in mixing and k != h else 1 for k in range(len(pattern))]
    depends = []
    for j in mixing:
        if j != h and _reads(rows, math.prod(sizes[j + 1:]), sizes[j]):
            depends.append(j)
            if len(depends) > 1:
                return None
    if len(depends) != 1 or len(pattern[depends[0]]) != 2:
        return None
    j = depends[0]
    # every other mixing set at its first support action (vertices[0]), j at its first and second
    lo, hi = rows[0], rows[math.prod(sizes[j + 1:])]
    return j, (lo, hi)


class _RowMap(dict):
    """Profile -> row id of one value or reach under one spec key (:meth:`_Profiles.value_rows`):
    a profile not yet looked up gets its row from ``form``, which registers it."""

    def __init__(self, form: Callable[[tuple[int, ...]], int]) -> None:
        super().__init__()
        self.form = form

    def __missing__(self, profile: tuple[int, ...]) -> int:
        row = self[profile] = self.form(profile)
        return row


def _triples(first: _RowMap | None, second: _RowMap | None, third: _RowMap | None,
             vertices: Sequence[tuple[int, ...]]) -> Iterator[tuple[int, int, int]]:
    """The rows ``(first, second, third)`` at each of ``vertices`` (``-1`` for a map that is
    ``None``), looked up vertex by vertex and left to right: the order in which rows are first
    formed, which is their ids' order, is that of the calls to :meth:`_Profiles.value` and
    :meth:`_Profiles.reach` per vertex."""
    return zip(*(itertools.repeat(-1, len(vertices)) if rows is None else map(rows.__getitem__, vertices)
                 for rows in (first, second, third)), strict=True)


def _chain_specs(h: int, specs: dict[int, Spec]) -> dict[int, Spec]:
    """The specs of set ``h`` and of the sets it carries its belief from (those :func:`_spec_key`
    reads)."""
    out = {h: specs[h]}
    while specs[h][0] == "own":
        h = specs[h][1]
        out[h] = specs[h]
    return out


def _reads(rows: Sequence[tuple[int, int, int]], stride: int, size: int) -> bool:
    """Do ``rows`` (per vertex, in :func:`itertools.product`'s order) change along the set whose
    ``size`` choices step the vertex index by ``stride``: in some block of vertices that differ
    at that set alone, a vertex's rows differ from those at the set's first choice?"""
    span = stride * size
    for base in range(0, len(rows), span):
        first = rows[base:base + stride]
        if any(rows[base + b * stride:base + (b + 1) * stride] != first for b in range(1, size)):
            return True
    return False


def _spec_key(h: int, specs: dict[int, Spec]) -> tuple:
    """Set ``h``'s spec with the specs it carries from (what its rows depend on)."""
    spec = specs[h]
    return (spec, _spec_key(spec[1], specs)) if spec[0] == "own" else (spec,)


def count_patterns(sizes: Sequence[int]) -> int:
    """Patterns mixing at 2 .. :data:`MAX_MIXED_SETS` sets (each set, of ``sizes[h]`` actions: a
    single action, or a support of two or more)."""
    pure = [k for k in sizes]
    mixed = [2**k - 1 - k for k in sizes]
    total = 0
    for m in range(2, MAX_MIXED_SETS + 1):
        for combo in itertools.combinations(range(len(sizes)), m):
            total += math.prod(mixed[h] for h in combo) * math.prod(
                pure[h] for h in range(len(sizes)) if h not in combo)
    return total


def _unlisted_patterns(kept: Sequence[tuple[int, ...]], listed: set) -> list[tuple[tuple[int, ...], ...]]:
    """The patterns over the ``kept`` actions of each set mixing at 2 .. :data:`MAX_MIXED_SETS`
    sets that are not among ``listed`` (``(pure, mixing sets)`` of the kernels' structures mixing
    at two sets of two kept actions each).

    Raises
    ------
    UnsupportedError
        Above :data:`MAX_PATTERNS` patterns (the model is then solved per point).
    """
    sizes = [len(a) for a in kept]
    n = count_patterns(sizes)
    if n > MAX_PATTERNS:
        raise UnsupportedError(
            f"{n} mixed support patterns are too many for the compiled kernels' guard "
            f"(limit {MAX_PATTERNS}); this model is solved per point",
            methods=("pointwise",),
        )
    wide = [[c for r in range(2, len(a) + 1) for c in itertools.combinations(a, r)] for a in kept]
    out = []
    for m in range(2, MAX_MIXED_SETS + 1):
        for combo in itertools.combinations(range(len(sizes)), m):
            choices = [wide[h] if h in combo else [(a,) for a in kept[h]] for h in range(len(sizes))]
            for pattern in itertools.product(*choices):
                if m == 2 and all(sizes[h] == 2 for h in combo):
                    pure = tuple(s[0] if len(s) == 1 else -1 for s in pattern)
                    if (pure, combo) in listed:
                        continue
                out.append(pattern)
    return out


def _encode(tests: Sequence[tuple], pattern_tests: Sequence[Sequence[int]]) -> np.ndarray:
    """One int64 array: the number of tests, then per test ``(kind, player, vertices, rows...)``
    (three rows per vertex), then the number of patterns and per pattern its tests."""
    code: list[int] = [len(tests)]
    for kind, player, rows in tests:
        code += [kind, player, len(rows)]
        for triple in rows:
            code += list(triple)
    code.append(len(pattern_tests))
    for ids in pattern_tests:
        code += [len(ids), *ids]
    return np.asarray(code, dtype=np.int64)


def _flag_points(code: np.ndarray, G: np.ndarray, E: np.ndarray, unit: np.ndarray, tol: float, edge: float,
                 n_tests: int, out: np.ndarray) -> None:
    """``out[p]`` True where some pattern of ``code`` (:func:`_encode`) passes all its tests at
    point ``p`` (``G[p]`` the values, ``E[p]`` their error bounds, ``unit[p]`` ``max(1, U)`` per
    player): :func:`scan_patterns`, stopping at a point's first surviving pattern."""
    nowhere = np.zeros(len(G), dtype=np.bool_)  # no pattern is skipped at any point
    scan_patterns(code, G, E, unit, tol, edge, n_tests, np.zeros(0, dtype=np.int8), nowhere, out,
                  np.empty((0, 2), dtype=np.int64), True)


@njit
def scan_patterns(code: np.ndarray, G: np.ndarray, E: np.ndarray, unit: np.ndarray, tol: float, edge: float,
                  n_tests: int, skip: np.ndarray, exact_points: np.ndarray, out: np.ndarray, buf: np.ndarray,
                  first_only: bool) -> int:  # pragma: no cover - compiled
    """The patterns of ``code`` (:func:`_encode`) that pass all their tests, point by point.
    Tests are evaluated lazily, once per point each; a pattern with ``skip`` set is not tested at
    the points of ``exact_points`` (:mod:`deterrence.kernels._systems`: curve-shaped systems;
    ``skip`` is read only there, so it may be empty where no point is).
    ``first_only``: ``out[p]`` True at a point's first surviving pattern, and the point's other
    patterns are not tested; else every surviving ``(point, pattern)`` goes into ``buf`` (as many
    as fit). Returns the number of survivors recorded or found."""
    starts = np.empty(n_tests, dtype=np.int64)
    p = 1
    for t in range(n_tests):
        starts[t] = p
        p += 3 + 3 * code[p + 2]
    first_pattern = p
    verdict = np.zeros(n_tests, dtype=np.int8)  # 0 unknown, 1 rules out, 2 does not
    n = 0
    for pt in range(G.shape[0]):
        verdict[:] = 0
        g, e = G[pt], E[pt]
        q = first_pattern + 1
        for pat in range(code[first_pattern]):
            nt = code[q]
            if exact_points[pt] and skip[pat]:
                q += 1 + nt
                continue
            survives = True
            for j in range(nt):
                t = code[q + 1 + j]
                if verdict[t] == 0:
                    verdict[t] = 1 if _rules_out(code, starts[t], g, e, unit[pt], tol, edge) else 2
                if verdict[t] == 1:
                    survives = False
                    break
            q += 1 + nt
            if not survives:
                continue
            if first_only:
                out[pt] = True
                n += 1
                break
            if n < buf.shape[0]:
                buf[n, 0] = pt
                buf[n, 1] = pat
            n += 1
    return n


@njit
def _test_hits(code: np.ndarray, G: np.ndarray, E: np.ndarray, unit: np.ndarray, tol: float, edge: float,
               n_tests: int, hits: np.ndarray) -> None:  # pragma: no cover - compiled
    """``hits[t]``: at how many points of ``G`` test ``t`` of ``code`` rules its patterns out."""
    p = 1
    for t in range(n_tests):
        for pt in range(G.shape[0]):
            if _rules_out(code, p, G[pt], E[pt], unit[pt], tol, edge):
                hits[t] += 1
        p += 3 + 3 * code[p + 2]


@njit(inline=True)
def _rules_out(code: np.ndarray, at: int, g: np.ndarray, e: np.ndarray, unit: np.ndarray, tol: float,
               edge: float) -> bool:  # pragma: no cover - compiled
    """Does the test at ``code[at]`` rule its pattern out at this point (module docstring)?"""
    kind, player, nv = code[at], code[at + 1], code[at + 2]
    if kind == UNREACHED_FREE:  # its reach is 0 at every vertex (exactly: sums of products of chance)
        for v in range(nv):
            if g[code[at + 5 + 3 * v]] != 0.0:
                return False
        return True
    if kind == COMMON_ROOT:
        return _no_common_root(code, at, g, e, edge)
    if kind == INDIFFERENCE_ANY or kind == OPTIMALITY_ANY:
        return _rules_out_any_belief(code, at, g, e, unit, tol, edge)
    u = unit[player]
    pos_ok, neg_ok, pos_strict, neg_strict = _vertex_signs(
        code, at, 0, nv, g, e, edge * u, (tol + edge) * u, kind == OPTIMALITY)
    if pos_ok and pos_strict:
        return True
    return kind == INDIFFERENCE and neg_ok and neg_strict


@njit(inline=True)
def _vertex_signs(code: np.ndarray, at: int, v0: int, v1: int, g: np.ndarray, e: np.ndarray, margin: float,
                  t: float, optimality: bool) -> tuple[bool, bool, bool, bool]:  # pragma: no cover - compiled
    """The signs of a test's differences at its vertices ``v0 .. v1 - 1`` (``code[at]``'s rows),
    each with its error bound: all ``>= 0`` (``pos_ok``), all ``<= 0`` (``neg_ok``), one beyond the
    margin above 0 (``pos_strict``) or below it (``neg_strict``). An optimality test's difference
    is the support action's lead less ``t`` times the set's reach. Stops once neither sign can
    hold (an optimality test only asks for ``>= 0``)."""
    pos_ok, neg_ok, pos_strict, neg_strict = True, True, False, False
    for v in range(v0, v1):
        r1, r0, rr = code[at + 3 + 3 * v], code[at + 4 + 3 * v], code[at + 5 + 3 * v]
        d = g[r1] - g[r0]
        err = e[r1] + e[r0]
        if optimality:
            d -= t * g[rr]
            err += t * e[rr] + 1e-15 * abs(t * g[rr])
        if d < err:
            pos_ok = False
        if d > err + margin:
            pos_strict = True
        if d > -err:
            neg_ok = False
        if d < -err - margin:
            neg_strict = True
        if not pos_ok and (optimality or not neg_ok):
            break
    return pos_ok, neg_ok, pos_strict, neg_strict


@njit(inline=True)
def _rules_out_any_belief(code: np.ndarray, at: int, g: np.ndarray, e: np.ndarray, unit: np.ndarray,
                          tol: float, edge: float) -> bool:  # pragma: no cover - compiled
    """An ``INDIFFERENCE_ANY`` or ``OPTIMALITY_ANY`` test (:meth:`PatternGuard._any_belief_tests`):
    its first row holds the number of node groups; every group is ``>= 0`` at every vertex and
    ``> 0`` at one (or, for indifference, every group the mirror)."""
    kind, player, nv = code[at], code[at + 1], code[at + 2]
    groups = code[at + 3]
    per = (nv - 1) // groups
    u = unit[player]
    pos_all, neg_all = True, kind == INDIFFERENCE_ANY
    for grp in range(groups):
        first = 1 + grp * per
        pos_ok, neg_ok, pos_strict, neg_strict = _vertex_signs(
            code, at, first, first + per, g, e, edge * u, (tol + edge) * u, kind == OPTIMALITY_ANY)
        pos_all = pos_all and pos_ok and pos_strict
        neg_all = neg_all and neg_ok and neg_strict
        if not pos_all and not neg_all:
            return False
    return pos_all or neg_all


@njit(inline=True)
def _no_common_root(code: np.ndarray, at: int, g: np.ndarray, e: np.ndarray, edge: float
                    ) -> bool:  # pragma: no cover - compiled
    """Two conditions ``(1 - x) A_k + x B_k`` (``k = 1, 2``, the test's four rows) of one
    probability ``x``: they vanish together only if ``A_1 B_2 - B_1 A_2 = 0`` (``(1 - x, x)`` is
    never the zero vector). Ruled out when that determinant is farther from 0 than its error
    bound plus the relative margin ``edge (|A_1| + |B_1|) (|A_2| + |B_2|)``."""
    d = np.empty(4)
    r = np.empty(4)
    for k in range(4):
        r1, r0 = code[at + 3 + 3 * k], code[at + 4 + 3 * k]
        d[k] = g[r1] - g[r0]
        r[k] = e[r1] + e[r0] + 1e-16 * abs(d[k])
    det = d[0] * d[3] - d[1] * d[2]
    err = ((abs(d[0]) + r[0]) * r[3] + r[0] * abs(d[3]) + (abs(d[1]) + r[1]) * r[2] + r[1] * abs(d[2])
           + 4e-16 * (abs(d[0] * d[3]) + abs(d[1] * d[2])))
    margin = edge * (abs(d[0]) + abs(d[1])) * (abs(d[2]) + abs(d[3]))
    return abs(det) > err + margin


@njit
def _row_sums(indptr: np.ndarray, indices: np.ndarray, X: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Per point ``p`` and row ``r``: the row's value, the sum of ``X[f, p]`` over its features
    ``f``, and its error bound, :data:`ROUNDOFF` times the sum of their sizes; ``(P, rows)`` each."""
    n_rows, npts = len(indptr) - 1, X.shape[1]
    G = np.zeros((npts, n_rows))
    E = np.zeros((npts, n_rows))
    for r in range(n_rows):
        for q in range(indptr[r], indptr[r + 1]):
            f = indices[q]
            for p in range(npts):
                G[p, r] += X[f, p]
                E[p, r] += abs(X[f, p])
    return G, E * ROUNDOFF
