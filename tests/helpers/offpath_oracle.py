"""The selection of the mixed patterns to solve as ``pbe_candidates`` made it before the mask of
:mod:`deterrence.solvers._pbe_offpath` (commit 4288d73): every admitted pattern went through the
pattern loop (``_tabled_patterns`` / ``_untabled_patterns``), which counted those mixing at an
unreached set whose belief is free one by one. The oracle of ``tests/test_pbe_offpath.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from deterrence.solvers import pbe
from deterrence.solvers._pbe_pruning import BeliefSupportPruner


def old_selection(ctx, pruner: BeliefSupportPruner, patterns: Sequence[tuple], max_mixed: int
                  ) -> tuple[list[tuple], int, int]:
    """The patterns to solve (as the loop yields them), and the numbers skipped and mixing where
    beliefs are free, with every admitted pattern visited."""
    admitted = np.flatnonzero(pruner.admits_all(patterns))
    reached = pruner.reached(pruner.indicators(patterns)[admitted]) if len(admitted) else []
    select = pbe._tabled_patterns if ctx.table is not None else pbe._untabled_patterns
    work, skipped, free = select(ctx, patterns, admitted, reached, max_mixed)
    return list(work), skipped, free


def old_free_flags(ctx, pruner: BeliefSupportPruner, patterns: Sequence[tuple], max_mixed: int) -> np.ndarray:
    """Per pattern, whether the loop would count it as mixing where beliefs are free: it mixes at no
    more than ``max_mixed`` sets and ``_specs_of`` gives it no specs (what ``_Programs.build``
    marks ``free``), pattern by pattern."""
    reached = pruner.reached(pruner.indicators(patterns))
    out = np.zeros(len(patterns), dtype=bool)
    for j, pattern in enumerate(patterns):
        mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
        if len(mixed) <= max_mixed and not all(reached[j][k] for k in mixed):
            out[j] = pbe._specs_uncached(ctx, pattern, mixed, reached[j].copy()) is None
    return out
