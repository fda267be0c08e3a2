"""The pattern search of :mod:`deterrence.solvers._pbe_patterns` as it was at 4288d73 (every set
assigned on the way down, the chance bounds refreshed and the verdicts taken once per visit, the
patterns sorted into product order by their tuple of ranks at the end): the oracle of
``tests/test_pbe_patterns_search.py``, for trees with perfect recall whose sets have an order.
"""

from __future__ import annotations

import numpy as np

from deterrence.game.extensive import ExtensiveFormGame
from deterrence.solvers._pbe_patterns import Pattern, _below, _Bounds, _order, subsets


def old_feasible_patterns(game: ExtensiveFormGame, allowed, possible, tol: float, mixed: bool = True,
                          memo: dict | None = None) -> tuple[list[Pattern], list[Pattern]]:
    """``feasible_patterns`` as it was (perfect recall and an order of the sets assumed)."""
    options = [subsets(a) if mixed else [(x,) for x in a] for a in allowed]
    rank = [{s: i for i, s in enumerate(opts)} for opts in options]
    found: list[Pattern] = []
    bounds = _Bounds(game, possible, tol)
    order = _order(game)
    assert order is not None and game.has_perfect_recall()
    assigned: list[tuple[int, ...]] = [()] * len(allowed)
    below = {k: sorted(v) for k, v in _below(game).items()}
    memo = {} if memo is None else memo
    if order:
        _search(bounds, order, 0, options, assigned, below, memo, found)
    else:
        found.append(())
    found.sort(key=lambda p: tuple(r[s] for r, s in zip(rank, p, strict=True)))
    pure = [p for p in found if all(len(s) == 1 for s in p)]
    mixed_ = [p for p in found if any(len(s) > 1 for s in p)]
    return pure, mixed_


def _search(bounds: _Bounds, order: list[int], depth: int, options, assigned, below, memo, found) -> None:
    k = order[depth]
    last = depth == len(order) - 1
    context = tuple(assigned[j] for j in below[k])
    fresh = False
    table: np.ndarray | None = None
    for support in options[k]:
        key = (k, support, context)
        ok = memo.get(key)
        if ok is None or not last:
            if not fresh:
                bounds.refresh(k)
                fresh, table = True, None
            if ok is None:
                if table is None:
                    table = bounds.verdicts(k)
                ok = memo[key] = bool(table[list(support)].all())
        if not ok:
            continue
        assigned[k] = support
        if last:
            found.append(tuple(assigned))
            continue
        bounds.assign(k, support)
        _search(bounds, order, depth + 1, options, assigned, below, memo, found)
