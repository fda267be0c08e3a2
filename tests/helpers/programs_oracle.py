"""``_Programs.build`` of :mod:`deterrence.solvers.pbe` as it was before it kept each set's part of
the code (:func:`deterrence.solvers._pbe_vertex.set_code`) by set and support (commit 03053c8):
the oracle of ``tests/test_pbe_programs.py``. Every set's part is formed afresh, pattern by
pattern, and the table rows by ``PureTable.rows`` as it was then.
"""

from __future__ import annotations

import numpy as np

from deterrence.solvers._pbe_prescreen import RULED_OUT
from deterrence.solvers._pbe_vertex import encode
from deterrence.solvers.pbe import _Program, _Programs, _specs_of


def old_rows(table, pattern, mixed) -> np.ndarray:
    """``PureTable.rows`` as it was: row numbers of the pattern's vertices."""
    strides, pos = table._strides, table.pos
    out = [sum(strides[k] * pos[k][s[0]] for k, s in enumerate(pattern) if len(s) == 1)]
    for k in mixed:
        steps = [strides[k] * pos[k][a] for a in pattern[k]]
        out = [r + step for r in out for step in steps]
    return np.array(out, dtype=np.int64)


def old_build(progs: _Programs, ctx, pattern: tuple, prog: _Program, on_path: np.ndarray) -> None:
    """``progs.build(ctx, pattern, prog, on_path)`` as it was."""
    found = _specs_of(ctx, pattern, list(prog.mixed), on_path.copy())
    if found is None:
        prog.free = prog.built = True
        return
    reached, base, choices = found
    if all(reached[k] for k in prog.mixed):
        prog.on_path = reached
    else:
        prog.found = found
    options = dict(zip(prog.mixed, choices, strict=True))
    coded, keys, starts = [], [], {}
    n_actions = ctx.game._action_counts
    for k in range(len(pattern)):
        if k not in options and not reached[k]:
            continue
        opts = options.get(k, [("reach",)])
        idx = [progs.spec_index(k, spec, base) for spec in opts]
        others = [b for b in range(n_actions[k]) if b not in pattern[k]]
        coded.append((pattern[k], others, idx))
        if k in options:
            starts[k] = len(keys)
        keys += idx
    prog.starts = tuple(starts[k] for k in prog.mixed)
    prog.rows = old_rows(ctx.table, pattern, prog.mixed)
    prog.code, prog.n_keys = encode(prog.rows, coded), len(keys)
    prog.key_set = sum(1 << i for i in set(keys))
    prog.built = True



def old_kept(ctx, chosen, programs, ok, opt_starts, flags, conditions, screens):
    """``pbe._kept`` as it was (commit 4dccd68): each kept pattern's conditions read as one flat
    list of floats and cut into one list per condition, and its specs from ``_specs_of``."""
    verdicts, system_starts, condition_starts = screens
    passing = np.flatnonzero(ok)
    if not len(passing):
        return
    alive = np.flatnonzero(np.logical_or.reduceat(verdicts != RULED_OUT, system_starts[:-1]))
    ends = np.append(condition_starts[1:], len(conditions))
    for n, i, begin, end in zip(alive.tolist(), passing[alive].tolist(), system_starts[alive].tolist(),
                                system_starts[alive + 1].tolist(), strict=True):
        pattern, prog = chosen[i], programs[i]
        mixed = list(prog.mixed)
        found = prog.found if prog.found is not None else _specs_of(ctx, pattern, mixed, prog.on_path)
        live, checks = old_passed_options(pattern, prog, found[2], flags, int(opt_starts[i]),
                                          conditions[condition_starts[n]:ends[n]].tolist())
        yield pattern, mixed, prog.rows, found, (live, checks, verdicts[begin:end].tolist())


def old_passed_options(pattern, prog, choices, flags, first, conditions):
    """``pbe._passed_options`` as it was: ``conditions`` one flat list of floats."""
    live, checks = [], {}
    n = len(prog.rows)
    at = 0
    for k, start, opts in zip(prog.mixed, prog.starts, choices, strict=True):
        keep = []
        for m, spec in enumerate(opts):
            if flags[first + start + m]:
                end = at + n * (len(pattern[k]) - 1)
                checks[(k, spec)] = [conditions[a:a + n] for a in range(at, end, n)]
                at = end
                keep.append(spec)
        live.append(keep)
    return live, checks
