"""Points where Nature fixes the belief at an information set of several nodes, for the guard.

At a point where Nature reaches exactly one node of a set of several nodes (its other nodes lie
behind a chance move of probability 0: a type drawn with probability 0), the per-point PBE solver
gives that set, when a support pattern leaves it unreached, the point mass on the node Nature
reaches under every belief policy (:func:`~deterrence.solvers._pbe_context.fixed_by_nature`). Under
``free`` it then solves patterns mixing there, or carrying a belief on from there to the mover's
later sets, which it skips where the set's belief is free; under ``d1`` it carries that belief on
where it would form D1's. The compiled kernels and their guard (:mod:`deterrence.kernels._guard`)
pick the specs of points where every chance move is positive, at which Nature reaches one node
of a set only when the set has one node.

:class:`FixedSets` finds, per point, whether some support pattern the per-point solver may solve
(over the kept actions, mixing at 2 .. ``MAX_MIXED_SETS`` sets) gets its specs there from such a
set: the solver's spec rule (:func:`~deterrence.solvers._pbe_context.belief_spec_rule`) at the
point's pattern of chance moves of probability 0 asks whether Nature fixes the belief at a set of
several nodes the pattern leaves unreached and is told yes, and no set the pattern mixes at is
left free. Those patterns get the guard's vertex tests under the solver's specs at the point
(:meth:`~deterrence.kernels._guard.PatternGuard.tests_under`, their rows evaluated at the point:
a node Nature does not reach weighs 0 under Nature's odds), and a point where one of them
survives its tests is flagged (solved per point). At the other points the per-point solver picks
the specs it picked before sets of several nodes could be fixed, which the guard and the engine
reproduce. Which patterns take such specs, and their specs, depend on which nodes Nature reaches
at the point only: they are worked out, and their tests built, once per such pattern of nodes (a
sweep over a probability pinned at 0 has one).

A pattern reaches a set at a point iff, for some node ``v`` of it with positive chance reach, the
supports hold every player move on ``v``'s path (the indicator profile's reach at ``v`` is Nature's
factors times 0 or 1); a carried spec gives a set weight iff, for some such ``v``, the supports
hold the moves the spec checks at ``v`` (:meth:`deterrence.kernels._guard._Profiles.checked`),
the other factors of its weight being Nature's.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..solvers._pbe_context import belief_spec_rule, fixed_by_nature

Pattern = tuple[tuple[int, ...], ...]


class FixedSets:
    """Per point, whether a pattern whose specs rest on a set of several nodes whose belief Nature
    fixes there may hold a PBE (module docstring).

    Parameters
    ----------
    guard
        The guard (:class:`~deterrence.kernels._guard.PatternGuard`): its tree, belief policy,
        kept actions and tests.
    max_mixed
        The most sets a pattern the per-point solver solves mixes at.
    encode
        The guard's encoding of tests and patterns (``_guard._encode``), for its scan.
    """

    def __init__(self, guard: Any, max_mixed: int, encode: Callable) -> None:
        self.guard, self.game, self.policy, self.kept = guard, guard.game, guard.policy, guard.kept
        self.max_mixed, self.encode = max_mixed, encode
        self.several = ([k for k, h in enumerate(self.game.infosets) if len(h.nodes) > 1]
                        if self.policy in ("free", "d1") else [])
        self._checks: dict[bytes, tuple | None] = {}
        self._patterns: tuple[list[Pattern], np.ndarray] | None = None

    def checks(self, ce: np.ndarray, npts: int) -> list[tuple[list[int], tuple]]:
        """The points (``ce`` as :meth:`PatternGuard.flags <deterrence.kernels._guard.PatternGuard.flags>`
        takes it) where some pattern's specs rest on a set of several nodes whose belief Nature
        fixes, by pattern of nodes Nature reaches: per such group, its points and the tests of
        those patterns there (:meth:`_check`: the rows' sparse matrix, the encoded tests and their
        number), for the guard to run."""
        if not self.several:
            return []
        positive = self.guard._profiles.chance_reach(ce, npts) > 0  # (nodes, P)
        candidates = np.zeros(npts, dtype=bool)
        for k in self.several:
            candidates |= positive[list(self.game.infosets[k].nodes)].sum(axis=0) == 1
        groups: dict[bytes, list[int]] = {}
        for p in np.flatnonzero(candidates).tolist():
            groups.setdefault(np.ascontiguousarray(positive[:, p]).tobytes(), []).append(p)
        out = []
        for key, pts in groups.items():
            if key not in self._checks:
                self._checks[key] = self._check(np.frombuffer(key, dtype=bool))
            if self._checks[key] is not None:
                out.append((pts, self._checks[key]))
        return out

    # ------------------------------------------------------------------ per pattern of nodes
    def _check(self, positive: np.ndarray) -> tuple | None:
        """The tests of the patterns whose specs rest on a set of several nodes whose belief Nature
        fixes (``positive``: per node, its chance reach is positive), under those specs: the rows'
        sparse matrix, the encoded tests and their number; ``None`` if no pattern's do."""
        game = self.game
        fixed = [k for k in self.several if fixed_by_nature(game, positive, k)]
        if not fixed:
            return None
        patterns, ind = self._all_patterns()
        reached = self._reached(ind, positive)
        mixing = self._mixing(ind)
        rows = np.flatnonzero((mixing & ~reached).any(axis=1) & (~reached[:, fixed]).any(axis=1))
        sub = copy.copy(self.guard)  # its tests' rows in a matrix of their own
        sub._profiles = type(self.guard._profiles)(game)
        tests: dict[tuple, int] = {}
        pattern_tests: list[list[int]] = []
        for r in rows.tolist():
            specs = self._fixed_specs(patterns[r], reached[r], mixing[r], positive)
            if specs is not None:
                mix = np.flatnonzero(mixing[r]).tolist()
                found = sub.tests_under(patterns[r], mix, specs, unreached_free=False)
                pattern_tests.append([tests.setdefault(t, len(tests)) for t in found])
        if not pattern_tests:
            return None
        return sub._profiles.matrix(), self.encode(list(tests), pattern_tests), len(tests)

    def _fixed_specs(self, pattern: Pattern, reached: np.ndarray, mixing: np.ndarray,
                     positive: np.ndarray) -> dict | None:
        """The specs the solver's rule gives ``pattern`` at the point (the sets it reaches there and
        the ones it mixes at, with what they carry from) if they rest on a set of several nodes
        whose belief Nature fixes and leave no set where the pattern mixes free (it is then solved
        with them), else ``None``."""
        game, checked = self.game, self.guard._profiles.checked
        told: list[int] = []

        def determined(k: int) -> bool:
            out = fixed_by_nature(game, positive, k)
            if out and len(game.infosets[k].nodes) > 1:
                told.append(k)
            return out

        def carries(k: int, cand: tuple, specs: dict) -> bool:
            return any(positive[v] and all(a in pattern[s] for s, a in checked(k, cand, v, specs))
                       for v in game.infosets[k].nodes)

        on_path = [bool(x) for x in reached]
        specs = {h: ("reach",) for h, r in enumerate(on_path) if r}
        rule = belief_spec_rule(game, self.policy, specs, on_path.__getitem__, carries, determined)
        for k in np.flatnonzero(mixing).tolist():
            if rule(k) is None:  # a free belief where it mixes: not solved, with or without fixed sets
                return None
        return specs if told else None
    def _all_patterns(self) -> tuple[list[Pattern], np.ndarray]:
        """Every pattern over the kept actions mixing at 2 .. ``max_mixed`` sets, and their support
        indicators over the flat actions (``game._action_offset``), built once."""
        if self._patterns is None:
            kept, offsets = self.kept, self.game._action_offset
            wide = [[c for r in range(2, len(a) + 1) for c in itertools.combinations(a, r)] for a in kept]
            patterns: list[Pattern] = []
            for m in range(2, self.max_mixed + 1):
                for combo in itertools.combinations(range(len(kept)), m):
                    choices = [wide[h] if h in combo else [(a,) for a in kept[h]] for h in range(len(kept))]
                    patterns.extend(itertools.product(*choices))
            ind = np.zeros((len(patterns), int(offsets[-1])), dtype=bool)
            for r, pattern in enumerate(patterns):
                for h, support in enumerate(pattern):
                    ind[r, [int(offsets[h]) + a for a in support]] = True
            self._patterns = (patterns, ind)
        return self._patterns

    def _mixing(self, ind: np.ndarray) -> np.ndarray:
        """``(patterns, sets)``: where each pattern mixes."""
        offsets = self.game._action_offset
        return np.stack([ind[:, int(offsets[h]):int(offsets[h + 1])].sum(axis=1) > 1
                         for h in range(len(self.game.infosets))], axis=1)

    def _reached(self, ind: np.ndarray, positive: np.ndarray) -> np.ndarray:
        """``(patterns, sets)``: does each pattern reach each set at the point (module docstring)?"""
        game, offsets = self.game, self.game._action_offset
        out = np.zeros((ind.shape[0], len(game.infosets)), dtype=bool)
        for k, h in enumerate(game.infosets):
            for v in h.nodes:
                if positive[v]:
                    cols = [int(offsets[s]) + a for s, a in self.guard._profiles.path[v]]
                    out[:, k] |= ind[:, cols].all(axis=1)
        return out
