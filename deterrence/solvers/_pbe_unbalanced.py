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
first at the next point (a sweep's neighbouring points usually share them), then their *kin*, the
patterns that mix at the same sets with the same supports and differ from one only in their pure
actions (where a witness no longer notes one, a kin of it often does): an order, which changes no
flag, only how many patterns are solved before the first continuum.

The classification (:class:`Unbalanced`: each pattern's support sizes, the sets it reaches, each
player's mixing dimension, whether it is balanced and mixes only where it reaches) is worked out
here once per tree, pattern list and reach, and read by the other screens of these trees
(:mod:`~deterrence.solvers._pbe_blocks`, :mod:`~deterrence.solvers._pbe_typed_float`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..game.extensive import ExtensiveFormGame
from ._pbe_patterns import Pattern
from ._pbe_pruning import BeliefSupportPruner
from ._typed_structure import typed_structure

#: stop solving the unbalanced patterns once a continuum is noted (the tests turn it off to check
#: that the rest give no root and the same flags)
STOP_AT_FIRST_CONTINUUM = True
#: per tree (``tree_cache``), the classified pattern lists kept (cleared when full)
MAX_LISTS = 8
#: the patterns that noted a continuum kept per list, newest first
MAX_WITNESSES = 8
#: the first batch of unbalanced patterns solved after the remembered ones and their kin (then doubling)
FIRST_BATCH = 8


@dataclass(frozen=True)
class Blocks:
    """The on-path blocks of a pattern list (:func:`~deterrence.solvers._pbe_blocks.on_path_blocks`).

    Attributes
    ----------
    block_of
        Per pattern, the number of its block, ``-1`` if it mixes at no unreached set or at no
        reached set.
    blocks
        Per block: its pattern, its mixing sets and the sets it reaches (booleans, per set).
    """

    block_of: np.ndarray
    blocks: list[tuple[Pattern, list[int], np.ndarray]]


@dataclass
class Unbalanced:
    """A pattern list's classification at one set of nodes of positive reach, worked out once per
    tree and read by the three screens of two-player type games (this module,
    :mod:`~deterrence.solvers._pbe_blocks` and :mod:`~deterrence.solvers._pbe_typed_float`).

    Attributes
    ----------
    indicators
        The list's support indicators
        (:meth:`~deterrence.solvers._pbe_pruning.BeliefSupportPruner.indicators`).
    widths
        Per set, its number of actions.
    sizes
        Per pattern and set, the support's size.
    reached
        Per pattern and set, whether the pattern reaches the set
        (:meth:`~deterrence.solvers._pbe_pruning.BeliefSupportPruner.reached`).
    dims
        Per pattern, each player's mixing dimension (``(patterns, 2)``: the sum over its mixing sets
        of the support size less one).
    only_reached
        Per pattern, whether it mixes only at sets it reaches.
    mask
        Per pattern, whether it is unbalanced (``d_C != d_D``) and mixes only where it reaches.
    n_mixed
        Per pattern, its number of mixing sets.
    float_open
        Per pattern, whether the float route (:mod:`~deterrence.solvers._pbe_typed_float`) looks at
        it: balanced with ``d > 0`` and mixing only where it reaches, until that route leaves it
        undecided (it clears it then).
    blocks
        The on-path blocks (:func:`~deterrence.solvers._pbe_blocks.on_path_blocks`), worked out on
        first use.
    witnesses
        Indices of the patterns that noted a continuum at earlier points, newest first.
    """

    indicators: np.ndarray
    widths: np.ndarray
    sizes: np.ndarray
    reached: np.ndarray
    dims: np.ndarray
    only_reached: np.ndarray
    mask: np.ndarray
    n_mixed: np.ndarray
    float_open: np.ndarray
    blocks: Blocks | None = None
    witnesses: list[int] = field(default_factory=list)

    def remember(self, index: int) -> None:
        """Put pattern ``index`` first among the witnesses."""
        kept = [index, *(i for i in self.witnesses if i != index)]
        self.witnesses = kept[:MAX_WITNESSES]

    def batches(self, rows: np.ndarray) -> Iterator[np.ndarray]:
        """``rows`` (pattern indices) in batches, worked out as they are asked for: the remembered
        witnesses among them (newest first), then their kin (:meth:`kin`), then the rest in order,
        :data:`FIRST_BATCH` rows, then batches twice as large each time."""
        rest = rows
        if self.witnesses and len(rows):
            first = np.array([w for w in self.witnesses if (rows == w).any()], dtype=rows.dtype)
            if len(first):  # (np.isin over the rows would cost more than the whole batch's screens)
                yield first
                rest = rows[~np.isin(rows, first)]
            near = self.kin(rest)
            if near.any():
                yield rest[near]
                rest = rest[~near]
        at, size = 0, FIRST_BATCH
        while at < len(rest):
            yield rest[at:at + size]
            at, size = at + size, 2 * size

    def kin(self, rows: np.ndarray) -> np.ndarray:
        """Per row of ``rows`` (pattern indices), whether its pattern mixes at the same sets with the
        same supports as a witness (it differs from one only in pure actions), booleans."""
        out = np.zeros(len(rows), dtype=bool)
        if not len(rows):
            return out
        mixing = self.sizes[rows] > 1
        for w in self.witnesses:
            at = self.sizes[w] > 1
            same = np.all(mixing == at, axis=1)
            cols = np.repeat(at, self.widths)
            same[same] = np.all(self.indicators[np.ix_(rows[same], cols)] == self.indicators[w, cols], axis=1)
            out |= same
        return out


def unbalanced(game: ExtensiveFormGame, pruner: BeliefSupportPruner, patterns: Sequence[tuple]
               ) -> Unbalanced | None:
    """The classification of ``patterns`` (mixed support patterns of ``game``), or ``None`` when the
    list is empty or the tree is not a two-player type game; kept per tree, pattern list and reach
    (what :meth:`~deterrence.solvers._pbe_pruning.BeliefSupportPruner.reached` reads)."""
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
    """:class:`Unbalanced` of the patterns whose support indicators are ``ind``: one pass of
    :meth:`~deterrence.solvers._pbe_pruning.BeliefSupportPruner.reached` over the whole list."""
    starts = np.asarray(pruner.offsets[:-1], dtype=np.intp)
    sizes = np.add.reduceat(ind, starts, axis=1, dtype=np.int64)
    mixing = sizes > 1
    reached = pruner.reached(ind)
    movers = np.array([h.player for h in game.infosets])
    extra = sizes - 1
    dims = np.stack([extra[:, movers == p].sum(axis=1) for p in (0, 1)], axis=1)
    only_reached = ~np.any(mixing & ~reached, axis=1)
    balanced = dims[:, 0] == dims[:, 1]
    out = Unbalanced(indicators=ind, widths=np.diff(pruner.offsets), sizes=sizes, reached=reached, dims=dims,
                     only_reached=only_reached, mask=only_reached & ~balanced, n_mixed=mixing.sum(axis=1),
                     float_open=only_reached & balanced & (dims[:, 0] > 0))
    for a in (sizes, reached, dims, only_reached, out.mask, out.n_mixed):
        a.setflags(write=False)
    return out
