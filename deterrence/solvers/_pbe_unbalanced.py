"""Support patterns of two-player type games that hold no isolated PBE (private).

In a tree of :mod:`deterrence.solvers._typed_structure` (two players, Nature's moves first, every
later move public), take a support pattern that mixes only at information sets it reaches. Inside
its box, each player ``i``'s indifference conditions are ``d_i`` linear equations in the other
player ``j``'s ``d_j`` realization-plan coordinates, ``d`` a player's mixing dimension (the sum over
its mixing sets of the support size less one; :mod:`deterrence.solvers._pbe_typed_linear`), and
the map from the open box to the positive realization plans is one to one. The solutions inside
the box are therefore the product of two affine sets cut by open polytopes: ``j``'s plans that solve
``i``'s equations (of dimension at least ``d_j - d_i`` when not empty) and ``i``'s that solve
``j``'s. When ``d_C != d_D`` one of the two has dimension one or more, so the pattern's solutions
inside the box are none or a continuum: **it holds no isolated equilibrium** (the "unbalanced"
patterns of ``docs/discussion/typed-pbe.md``).

The generic route solves such a pattern only to report what it finds: nothing, or the note of a
continuum ("a curve of solutions mixing at ..."), which makes the result ``degenerate``. The
solver (:func:`deterrence.solvers.pbe.pbe_candidates`) therefore solves these patterns after all
the others, and only until a first continuum is noted by any pattern: ``degenerate`` and
``complete`` come out as if it had solved them all (with a continuum noted, the result is
degenerate and not complete whatever the rest would add; with none noted, it has solved them
all). The patterns that noted a continuum are remembered per tree and pattern list and tried
first at the next point (a sweep's neighbouring points usually share them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..game.extensive import ExtensiveFormGame
from ._pbe_pruning import BeliefSupportPruner
from ._typed_structure import typed_structure

#: stop solving the unbalanced patterns once a continuum is noted (the tests turn it off to check
#: that the rest give no root and the same flags)
STOP_AT_FIRST_CONTINUUM = True
#: per tree (``tree_cache``), the classified pattern lists kept (cleared when full)
MAX_LISTS = 8
#: the patterns that noted a continuum kept per list, newest first
MAX_WITNESSES = 8
#: the first batch of unbalanced patterns solved after the remembered ones (then doubling)
FIRST_BATCH = 8


@dataclass
class Unbalanced:
    """A pattern list's classification: per pattern, whether it is unbalanced and mixes only where
    it reaches (``mask``), and its number of mixing sets (``n_mixed``); ``witnesses``: indices of
    the patterns that noted a continuum at earlier points, newest first."""

    indicators: np.ndarray
    mask: np.ndarray
    n_mixed: np.ndarray
    witnesses: list[int] = field(default_factory=list)

    def remember(self, index: int) -> None:
        """Put pattern ``index`` first among the witnesses."""
        kept = [index, *(i for i in self.witnesses if i != index)]
        self.witnesses = kept[:MAX_WITNESSES]

    def ordered(self, rows: np.ndarray) -> tuple[np.ndarray, int]:
        """``rows`` (pattern indices) with the remembered witnesses among them first, and how many
        of those there are."""
        if not self.witnesses or not len(rows):
            return rows, 0
        present = set(rows.tolist())
        first = np.array([i for i in self.witnesses if i in present], dtype=rows.dtype)
        return np.concatenate([first, rows[~np.isin(rows, first)]]), len(first)


def unbalanced(game: ExtensiveFormGame, pruner: BeliefSupportPruner, patterns: Sequence[tuple]
               ) -> Unbalanced | None:
    """The classification of ``patterns`` (mixed support patterns of ``game``), or ``None`` when the
    tree is not a two-player type game; kept per tree, pattern list and reach (what
    :meth:`~deterrence.solvers._pbe_pruning.BeliefSupportPruner.reached` reads)."""
    if not patterns or typed_structure(game) is None:
        return None
    ind = pruner.indicators(patterns)  # (the same array for an equal list: remembered by the pruner)
    lists = game.tree_cache.setdefault("pbe_unbalanced", {})
    key = (id(ind), pruner.reach_key())
    hit = lists.get(key)
    if hit is not None and hit.indicators is ind:
        return hit
    found = _classified(game, pruner, ind)
    if len(lists) >= MAX_LISTS:
        lists.clear()
    lists[key] = found
    return found


def _classified(game: ExtensiveFormGame, pruner: BeliefSupportPruner, ind: np.ndarray) -> Unbalanced:
    """:class:`Unbalanced` of the patterns whose support indicators are ``ind``."""
    starts = np.asarray(pruner.offsets[:-1], dtype=np.intp)
    sizes = np.add.reduceat(ind.astype(np.int64), starts, axis=1)
    mixing = sizes > 1
    reached = pruner.reached(ind)
    movers = np.array([h.player for h in game.infosets])
    extra = sizes - 1
    dims = [extra[:, movers == p].sum(axis=1) for p in (0, 1)]
    only_reached = ~np.any(mixing & ~reached, axis=1)
    mask = only_reached & (dims[0] != dims[1])
    return Unbalanced(indicators=ind, mask=mask, n_mixed=mixing.sum(axis=1))


def batches(rows: np.ndarray, first: int) -> list[np.ndarray]:
    """``rows`` cut into batches: the first ``first`` rows (the remembered witnesses), then
    :data:`FIRST_BATCH` rows, then batches twice as large each time."""
    out, at, size = [], 0, FIRST_BATCH
    if first:
        out.append(rows[:first])
        at = first
    while at < len(rows):
        out.append(rows[at:at + size])
        at, size = at + size, 2 * size
    return out
