"""The float screens of the mixed patterns' indifference systems, in one compiled pass.

After the vertex sign tests (:mod:`deterrence.solvers._pbe_vertex`), each kept pattern of a PBE
solve is solved once per combination of its mixing sets' passing belief-weight options
(:func:`deterrence.solvers.pbe._solve_mixed`, in ``itertools.product`` order): the system of
that combination goes to :func:`deterrence.solvers._pbe_multilinear._solve_multilinear`, whose
float screens (the grid sign test ``_grid_may_vanish`` and the box contraction
:func:`~deterrence.solvers._pbe_contract.box_may_vanish`) rule out most of them. This module
runs those two screens on every such system in one compiled pass (:func:`joined_prescreen`), so that
Python only sees the systems that pass them (and the patterns with one).

It reads the conditions the vertex pass gives (the mixing sets' conditions, set by set, per
passing option, ``j`` by ``j``, at the pattern's vertex rows) and forms, per combination, exactly
the values :func:`~deterrence.solvers.pbe._solve_pattern` hands to ``_solve_multilinear`` (the
mixing sets in order, ``j`` by ``j``) and the box ``_pbe_multilinear._screened_box`` forms
(:func:`_corner_values`, the same operations as ``_box_corners`` for supports of two and three
actions), and runs the same compiled screens on them (``_grid_verdict`` with the ticks
``_grid_may_vanish`` uses, :func:`~deterrence.solvers._pbe_contract.box_verdict`; the box
contraction first, which rules out more of the AEG's systems; it takes most of the pass's time,
in its rounds at five and six unknowns): the same verdicts
(``tests/test_pbe_prescreen.py`` and ``tests/test_pbe_vertex.py`` compare them, system by
system, with those of the Python path, the box contraction in numpy). Not screened here
(:data:`UNSCREENED`, left to ``_solve_multilinear`` as before): a pattern mixing at one set (its
conditions are constant; a continuum note), two sets of two actions (closed form), a support of
four or more actions, and more than :data:`MAX_UNKNOWNS` unknowns (where ``_screen_order`` runs
the exact row reduction first, cheaper there than the float screens even compiled).

Why the result is the same: each screen only rules out systems without an interior root, and
``_screened`` returns ``None`` (``_solve_multilinear`` returns no point, adds no note) as soon as
any screen rules a system out, whatever the order of the screens; nothing before the screens has
an effect (``_solve_pattern`` only reads the kept conditions into lists; ``_solve_multilinear``
reaches ``ctx.solved_systems`` and ``ctx.continua`` only after ``_screened`` keeps the system;
``ctx.float_verdicts`` only remembers verdicts that are functions of the box values; the exact
polynomials are built, and kept, only on demand). So dropping a system a float screen rules out
before Python sees it changes nothing, and a system known to pass a float screen need not run it
again (:data:`PASSED`).

Patterns whose every system holds a set of conditions known to hold a vector of one term at the
point (:func:`deterrence.solvers.pbe._settled_patterns`, the ``settled`` argument) are not screened:
their systems are :data:`RULED_OUT`, the exact root screen's verdict, which the float screens' would
not change (each only rules out).

Which float screens run here: those ``_screen_order`` puts before the exact row reduction (the
grid and the box contraction up to four unknowns, the box contraction alone with five or six:
there the grid, after the row reduction, rules out almost nothing the box contraction keeps,
and it costs most on the systems the row reduction rules out).
"""

from __future__ import annotations

import numpy as np

from .._jit import njit
from ._pbe_contract import box_verdict
from ._pbe_multilinear import _grid_verdict, grid_ticks
from ._pbe_vertex import _pattern_head, _set_head

#: a system's verdicts: ruled out by a float screen, passed both, not screened here, passed the
#: box contraction (the grid left for after the exact row reduction)
RULED_OUT, SCREENED, UNSCREENED, BOX_PASSED = 0, 1, 2, 3
#: per verdict (but :data:`RULED_OUT`), the float screens the system passed here
PASSED: dict[int, tuple[str, ...]] = {SCREENED: ("grid", "box"), UNSCREENED: (), BOX_PASSED: ("box",)}
#: the most unknowns of the systems screened here (beyond, ``_screen_order`` runs the exact row
#: reduction first, which settles almost all of them)
MAX_UNKNOWNS = 6
#: from this many unknowns only the box contraction runs here (``_screen_order``: the box
#: contraction, the exact row reduction, then the grid)
BOX_ONLY = 5


def joined_prescreen(flat: np.ndarray, starts: np.ndarray, ok: np.ndarray, opt_starts: np.ndarray,
                     passed: np.ndarray, conditions: np.ndarray, settled: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The float screens' verdicts on the systems of the patterns that pass the vertex tests.

    Parameters
    ----------
    flat, starts
        The patterns' encoded tests in one array, each starting at ``starts`` (one more entry: the
        end), as the vertex tests read them
        (:func:`~deterrence.solvers._pbe_vertex.joined_vertex_tests`).
    ok, opt_starts, passed, conditions
        What :func:`~deterrence.solvers._pbe_vertex.joined_vertex_tests` returns for them.
    settled
        Per pattern ``ok``, whether every one of its systems is known to have no interior root
        already (each :data:`RULED_OUT`, not screened; by default none):
        :func:`deterrence.solvers.pbe._settled_patterns`.

    Returns
    -------
    Per system (pattern by pattern among those ``ok``, combination by combination of their mixing
    sets' passing options, in ``itertools.product`` order) its verdict (:data:`RULED_OUT`,
    :data:`SCREENED`, :data:`UNSCREENED`, :data:`BOX_PASSED`); per such pattern where its systems
    start in that array (one more entry: the end) and where its conditions start in ``conditions``.
    """
    kept = np.flatnonzero(ok)
    if settled is None:
        settled = np.zeros(len(kept), dtype=np.bool_)
    return _prescreen_kernel(flat, starts[kept], opt_starts[kept], passed, conditions, grid_ticks(8),
                             grid_ticks(4), settled)


@njit
def _prescreen_kernel(code: np.ndarray, starts: np.ndarray, opt_starts: np.ndarray, passed: np.ndarray,
                      conditions: np.ndarray, ticks8: np.ndarray, ticks4: np.ndarray, settled: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(starts)
    system_starts = np.zeros(n + 1, dtype=np.int64)
    condition_starts = np.zeros(n, dtype=np.int64)
    at = np.int64(0)  # not the literal 0, which would compile _mixing_options once more
    for i in range(n):  # count the systems and find the conditions
        condition_starts[i] = at
        sizes, counts, _, at = _mixing_options(code, starts[i], opt_starts[i], passed, at)
        total = 1
        for c in counts:
            total *= c
        system_starts[i + 1] = system_starts[i] + total
    verdicts = np.empty(system_starts[n], dtype=np.uint8)
    for i in range(n):
        if settled[i]:
            verdicts[system_starts[i]:system_starts[i + 1]] = RULED_OUT
            continue
        sizes, counts, offsets, _ = _mixing_options(code, starts[i], opt_starts[i], passed,
                                                    condition_starts[i])
        _pattern_verdicts(sizes, counts, offsets, conditions, len(_pattern_head(code, starts[i])[0]),
                          ticks8, ticks4, verdicts[system_starts[i]:system_starts[i + 1]])
    return verdicts, system_starts, condition_starts


@njit
def _mixing_options(code: np.ndarray, start: int, o: int, passed: np.ndarray, at: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Per mixing set of the pattern whose code starts at ``start`` (its options' flags from ``o``,
    its conditions from ``at``): its support size, its number of passing options, and, as rows of
    one array (a row per set, a column per passing option), where each option's conditions start;
    and where the next pattern's conditions start (the order of ``_conditions_kernel``)."""
    rows, n_groups, p = _pattern_head(code, start)
    n_rows = len(rows)
    sizes = np.empty(n_groups, dtype=np.int64)
    counts = np.zeros(n_groups, dtype=np.int64)
    offsets = np.zeros((n_groups, _most_options(code, p, n_groups)), dtype=np.int64)
    n_mixed = 0
    for _ in range(n_groups):
        support, _, n_opts, p = _set_head(code, p)
        if len(support) >= 2:
            sizes[n_mixed] = len(support)
            for m in range(n_opts):
                if passed[o + m]:
                    offsets[n_mixed, counts[n_mixed]] = at
                    counts[n_mixed] += 1
                    at += (len(support) - 1) * n_rows
            n_mixed += 1
        p += n_opts
        o += n_opts
    return sizes[:n_mixed], counts[:n_mixed], offsets[:n_mixed], at


@njit
def _most_options(code: np.ndarray, p: int, n_groups: int) -> int:
    """The most options of any set of a pattern (its sets' code from ``p``)."""
    most = 0
    for _ in range(n_groups):
        _, _, n_opts, p = _set_head(code, p)
        most = max(most, n_opts)
        p += n_opts
    return most


@njit
def _pattern_verdicts(sizes: np.ndarray, counts: np.ndarray, offsets: np.ndarray, conditions: np.ndarray,
                      n_rows: int, ticks8: np.ndarray, ticks4: np.ndarray, out: np.ndarray) -> None:
    """The verdicts of one pattern's systems (``out``), combination by combination of its mixing
    sets' passing options (``itertools.product`` order: the last set's option changes fastest)."""
    n_mixed = len(sizes)
    unknowns = np.int64(0)  # not the literal 0, which would compile the screens once more
    for m in sizes:
        unknowns += m - 1
    binary = unknowns == n_mixed
    if n_mixed == 1 or (binary and n_mixed == 2) or sizes.max() > 3 or unknowns > MAX_UNKNOWNS:
        out[:] = UNSCREENED
        return
    values = np.empty((unknowns, n_rows))
    choice = np.zeros(n_mixed, dtype=np.int64)
    for s in range(len(out)):
        r = 0
        for k in range(n_mixed):
            at = offsets[k, choice[k]]
            for _ in range(sizes[k] - 1):
                values[r, :] = conditions[at:at + n_rows]
                at += n_rows
                r += 1
        f = values if binary else _corner_values(values, sizes)
        # the box contraction first: on the AEG it rules out more systems than the grid at every
        # size, at about the same cost (the order changes no verdict)
        if not box_verdict(f, unknowns):
            out[s] = RULED_OUT
        elif unknowns >= BOX_ONLY:
            out[s] = BOX_PASSED
        else:
            ticks = ticks8 if unknowns <= 3 else ticks4
            out[s] = SCREENED if _grid_verdict(f, unknowns, ticks) else RULED_OUT
        for k in range(n_mixed - 1, -1, -1):  # the next combination
            choice[k] += 1
            if choice[k] < counts[k]:
                break
            choice[k] = 0


@njit
def _corner_values(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``_pbe_multilinear._box_corners`` for supports of two and three actions: the equations'
    values at the corners of the box of the unknowns from those at the vertices (rows of
    ``values``, vertices in ``itertools.product`` order over the sets' supports ``sizes``), one set
    at a time, last first; a set of three actions maps its vertex values ``v_0, v_1, v_2`` to the
    corners ``v_0, v_2, v_1, (−v_0 + v_1) + v_2`` (the same operations, in the same order)."""
    n_e = values.shape[0]
    f = values
    dims = sizes.copy()
    for i in range(len(sizes) - 1, -1, -1):
        if sizes[i] == 2:
            continue
        inner = 1
        for j in range(i + 1, len(sizes)):
            inner *= dims[j]
        outer = f.shape[1] // (3 * inner)
        g = np.empty((n_e, outer * 4 * inner))
        for e in range(n_e):
            for a in range(outer):
                for q in range(inner):
                    v0 = f[e, (3 * a) * inner + q]
                    v1 = f[e, (3 * a + 1) * inner + q]
                    v2 = f[e, (3 * a + 2) * inner + q]
                    g[e, (4 * a) * inner + q] = v0
                    g[e, (4 * a + 1) * inner + q] = v2
                    g[e, (4 * a + 2) * inner + q] = v1
                    g[e, (4 * a + 3) * inner + q] = -v0 + v1 + v2
        f = g
        dims[i] = 4
    return f
