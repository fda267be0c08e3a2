"""The vertex sign tests of every mixed support pattern of a PBE solve, in one compiled pass.

:func:`deterrence.solvers.pbe._live_options` tests, pattern by pattern, each set the pattern
checks (the reached sets with Bayes' rule, the mixing sets with each of their belief-weight
options) on the pattern's vertex profiles: a set fails when one of its indifference conditions
``P(s_j) − P(s_0)`` (``P`` the mover's unnormalised payoff per action) has a strict sign at
every vertex, or when an action outside the support beats ``s_0`` by more than ``tol`` at every
vertex (:func:`deterrence.solvers.pbe._set_conditions`, which proves the tests sound). The
pattern is solved over the options that pass, and not at all if a set has none.

The payoffs ``P`` of a set under a weight spec at a vertex depend on that vertex (a row of the
solver's pure table, :class:`~deterrence.solvers._pbe_table.PureTable`) and the spec only, not
on the pattern: the solver computes them once per solve for every row and every spec
(:func:`deterrence.solvers.pbe._spec_payoffs`), and this module runs the tests of all the
patterns over them in one compiled pass (:func:`vertex_tests`), so that Python only touches the
patterns, and the options, that pass. The tests compare the same numbers, in the same way, as
``_set_conditions`` (a NaN, which makes numpy's ``min``/``max`` NaN, never fails a test there
and never does here), so they pass exactly the options it passes
(``tests/test_pbe_vertex.py`` compares them).

A pattern's tests are encoded as one int64 array (:func:`encode`): the number of vertex rows and
the rows, the number of sets checked, then per set its support, the actions outside it and the
indices (into the stacked payoffs) of its options' payoff tables.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from .._jit import njit


def encode(rows: np.ndarray, groups: Sequence[tuple[Sequence[int], Sequence[int], Sequence[int]]]
           ) -> np.ndarray:
    """A pattern's tests as one int64 array: ``rows`` (its vertex rows) and, per set checked in
    order, ``(support, others, option payoff indices)``."""
    return encode_sets(rows, [set_code(*group) for group in groups])


def set_code(support: Sequence[int], others: Sequence[int], options: Sequence[int]) -> list[int]:
    """One set's part of a pattern's code (:func:`encode`): its support, the actions outside it and
    the payoff indices of its options, each list after its length."""
    return [len(support), *support, len(others), *others, len(options), *options]


def encode_sets(rows: np.ndarray, sets: Sequence[list[int]]) -> np.ndarray:
    """:func:`encode` from the sets' parts (:func:`set_code`; a caller may keep and reuse them)."""
    code = [len(rows), *rows.tolist(), len(sets)]
    for part in sets:
        code += part
    return np.array(code, dtype=np.int64)


def vertex_tests(codes: Sequence[np.ndarray], n_options: np.ndarray, payoffs: np.ndarray, slot: np.ndarray,
                 tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run the encoded tests of ``codes`` (one array per pattern, :func:`encode`, ``n_options``
    options each) over the stacked payoff tables ``payoffs`` ``(tables, rows, actions)``; an
    option's payoff index ``i`` reads table ``slot[i]``.

    Returns per pattern whether every set it checks has an option that passes, the start of each
    pattern's options in the third array, per option whether it passes (left ``False`` after
    a set with no passing option: the pattern is not solved), and the conditions of the patterns
    that pass: pattern by pattern, set by set, per passing option of a set that mixes, the
    values ``P(s_j) − P(s_0)`` at its vertex rows for ``j = 1, 2, ...`` (as ``_set_conditions``
    forms them).
    """
    return joined_vertex_tests(*joined(codes), n_options, payoffs, slot, tol)


def joined(codes: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The patterns' codes in one array, and where each starts in it (one more entry: the end)."""
    starts = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum([len(c) for c in codes], out=starts[1:])
    flat = np.concatenate(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    return flat, starts


class JoinedCodes:
    """The codes of a tree's patterns (:func:`encode`) in one array, kept from solve to solve: a
    solve tests a few thousand patterns, and joining their codes anew each time (:func:`joined`)
    costs more than the compiled tests of :func:`joined_vertex_tests` read them in. The codes a
    solve needs that are not in it yet are appended (:meth:`extended`); a pattern's sweep meets
    few new patterns after its first points, so the array soon stops growing.

    ``current`` is ``(array, versions)``: an array once stored is never changed (appending makes a
    new one), and a code placed in one version, at a position, is at that position in every
    version that extends it: ``versions`` holds the numbers of the array's own version and of the
    versions it extends. A caller keeps, per code, its version number and position, and looks it
    up only if that number is among ``versions``. Solves on other threads may extend the same
    version at once: each gets its own new version, the last stored is kept, and the codes the
    others placed are placed again when next needed (their versions are not among its own); a
    solve interrupted while it extends leaves the stored version as it was, or the new one whole.

    The arrays are the leading parts of a larger buffer, so that appending a few codes does not
    copy the whole array: a version's array is ``buffer[:n]``, and the one that extends it writes
    its codes after position ``n``, which it claims first (:meth:`_claimed`; one claim per ``n``,
    so no two versions write there, and no version's own part is ever written again). A version
    whose room is taken, or too small, is copied into a new buffer of twice the length needed.
    """

    def __init__(self) -> None:
        self.current: tuple[np.ndarray, frozenset[int]] = (np.zeros(0, dtype=np.int64), frozenset({0}))
        self._numbers = itertools.count(1)
        #: the buffer the arrays are leading parts of, and per length of one of them the number of the
        #: version written after it (its claim)
        self._room: tuple[np.ndarray, dict[int, int]] = (self.current[0], {})

    def extended(self, base: tuple[np.ndarray, frozenset[int]], codes: Sequence[np.ndarray]
                 ) -> tuple[np.ndarray, int, int]:
        """Store a new version: ``base`` (a version read from ``current`` before, which another
        thread may have replaced since) with ``codes`` appended, in order; returns its array, its
        number and where the first of ``codes`` starts in it. The new version extends ``base``,
        so the positions the caller read in ``base`` hold in it."""
        flat, versions = base
        number = next(self._numbers)
        first = len(flat)
        end = first + sum(len(c) for c in codes)
        buffer = self._claimed(flat, end, number)
        if buffer is None:  # (copied: the versions it extends keep their own arrays)
            buffer = np.empty(max(2 * end, 1024), dtype=np.int64)
            buffer[:first] = flat
            self._room = (buffer, {first: number})
        at = first
        for c in codes:
            buffer[at:at + len(c)] = c
            at += len(c)
        longer = buffer[:end]
        self.current = (longer, versions | {number})
        return longer, number, first

    def _claimed(self, flat: np.ndarray, end: int, number: int) -> np.ndarray | None:
        """The buffer ``flat`` leads, if the room after it (up to ``end``) is free and now claimed by
        version ``number`` (``dict.setdefault`` claims in one step, on any thread); else ``None``."""
        buffer, claims = self._room
        if flat.base is not buffer or end > len(buffer):
            return None
        return buffer if claims.setdefault(len(flat), number) == number else None


def joined_vertex_tests(flat: np.ndarray, starts: np.ndarray, n_options: np.ndarray, payoffs: np.ndarray,
                        slot: np.ndarray, tol: float
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`vertex_tests` of codes in one array ``flat``, starting at ``starts`` (one more entry: the
    end), as :func:`joined` gives them or as the solver reads them in its :class:`JoinedCodes`,
    for these tests and the float screens (:func:`deterrence.solvers._pbe_prescreen.joined_prescreen`)."""
    opt_starts = np.zeros(len(starts), dtype=np.int64)
    np.cumsum(n_options, out=opt_starts[1:])
    passed = np.zeros(int(opt_starts[-1]), dtype=np.bool_)
    ok = _tests_kernel(flat, starts, opt_starts, payoffs, slot, tol, passed)
    values = _conditions_kernel(flat, starts[:-1][ok], opt_starts[:-1][ok], passed, payoffs, slot)
    return ok, opt_starts, passed, values


@njit
def _tests_kernel(code: np.ndarray, starts: np.ndarray, opt_starts: np.ndarray, payoffs: np.ndarray,
                  slot: np.ndarray, tol: float, passed: np.ndarray) -> np.ndarray:
    n = len(starts) - 1
    ok = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        rows, n_groups, p = _pattern_head(code, starts[i])
        o = opt_starts[i]
        alive = True
        for _ in range(n_groups):
            support, others, n_opts, p = _set_head(code, p)
            some = False
            for m in range(n_opts):
                if _set_passes(payoffs[slot[code[p + m]]], rows, support, others, tol):
                    passed[o + m] = True
                    some = True
            p += n_opts
            o += n_opts
            if not some:
                alive = False
                break
        ok[i] = alive
    return ok


@njit
def _conditions_kernel(code: np.ndarray, starts: np.ndarray, opt_starts: np.ndarray, passed: np.ndarray,
                       payoffs: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """The conditions of the patterns starting at ``starts`` (in ``code``; their first options at
    ``opt_starts``), in the order :func:`vertex_tests` describes: one pass to count, one to fill."""
    out = np.empty(0)
    for fill in range(2):
        at = 0
        for i in range(len(starts)):
            rows, n_groups, p = _pattern_head(code, starts[i])
            o = opt_starts[i]
            for _ in range(n_groups):
                support, _, n_opts, p = _set_head(code, p)
                for m in range(n_opts):
                    if not passed[o + m] or len(support) < 2:
                        continue
                    w = payoffs[slot[code[p + m]]]
                    for j in range(1, len(support)):
                        for r in rows:
                            if fill:
                                out[at] = w[r, support[j]] - w[r, support[0]]
                            at += 1
                p += n_opts
                o += n_opts
        if not fill:
            out = np.empty(at)
    return out


@njit(inline=True)
def _pattern_head(code: np.ndarray, p: int) -> tuple[np.ndarray, int, int]:
    """A pattern's vertex rows and number of sets checked, and where its first set starts."""
    nv = code[p]
    return code[p + 1:p + 1 + nv], code[p + 1 + nv], p + 2 + nv


@njit(inline=True)
def _set_head(code: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """A set's support, the actions outside it, its number of options, and where they start."""
    ns = code[p]
    no = code[p + 1 + ns]
    return code[p + 1:p + 1 + ns], code[p + 2 + ns:p + 2 + ns + no], code[p + 2 + ns + no], p + 3 + ns + no


@njit(inline=True)
def _set_passes(w: np.ndarray, rows: np.ndarray, support: np.ndarray, others: np.ndarray, tol: float) -> bool:
    """``_set_conditions``'s tests of one set under one spec: ``w`` its payoffs at every table row."""
    s0 = support[0]
    for j in range(1, len(support)):
        sj = support[j]
        lo, hi, nan = np.inf, -np.inf, False
        for r in rows:
            d = w[r, sj] - w[r, s0]
            if d != d:
                nan = True
            else:
                lo = min(lo, d)
                hi = max(hi, d)
        if not nan and (lo > tol or hi < -tol):
            return False
    if len(others) == 0:
        return True
    best, nan = np.inf, False
    for b in others:
        top = -np.inf
        for r in rows:
            d = w[r, s0] - w[r, b]
            if d != d:
                nan = True
            else:
                top = max(top, d)
        best = min(best, top)
    return nan or not best < -tol
