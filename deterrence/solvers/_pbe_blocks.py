"""Mixed support patterns ruled out by their on-path block, in batches (private).

In a tree of :mod:`deterrence.solvers._typed_structure` (two players, Nature's moves first, every
later move public), take a support pattern that mixes at some information sets it reaches and at
some it does not. Its indifference conditions at the sets it *reaches* depend only on its mixing
at reached sets: a reached set's conditions weigh each of its nodes by the node's reach (Bayes'
rule), a node of zero reach weighs nothing, and below a node of positive reach every path of
positive probability (through support actions) passes through reached nodes only. So the
pattern's *on-path block* (the same supports at the reached sets, the first action of the support
at each unreached set) reaches the same sets (reach is decided top down at reached sets, whose
supports are the same) and has, at them, the same conditions in the same unknowns, and it mixes
only where it reaches. A root of the pattern strictly inside its box gives one of the block (its
mixing at the reached sets); so if the block has no root inside its box, neither has the
pattern, whatever its mixing where it does not reach.

Many patterns share a block: :func:`rootless_mask` groups the patterns of a list by block (the
grouping reads the list's classification, :func:`~deterrence.solvers._pbe_unbalanced.unbalanced`,
and is kept with it for the points of a sweep), decides each block that the rows asked about have once,
with :func:`~deterrence.solvers._pbe_typed_linear.typed_roots` in exact integers (no root when
one of its two linear systems has no solution, or when each has one and it is not strictly inside
the box; a block it does not decide is not ruled out), and marks every row whose block has no
root. A pattern that mixes only where it reaches is its own block (the solver's linear route
decides it), and one that mixes only where it does not reach has a pure block: neither is marked.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._pbe_context import _Ctx
from ._pbe_patterns import Pattern
from ._pbe_pruning import BeliefSupportPruner
from ._pbe_typed_linear import rootless
from ._pbe_unbalanced import Blocks, Unbalanced, unbalanced


def on_path_blocks(pruner: BeliefSupportPruner, patterns: Sequence[Pattern]) -> Blocks:
    """The patterns' on-path blocks (:class:`Blocks`), kept with the list's classification
    (:func:`~deterrence.solvers._pbe_unbalanced.unbalanced`, whose support sizes and reached sets
    they read): per tree, pattern list (an equal list gets the kept blocks) and reach."""
    return _blocks_of(unbalanced(pruner.game, pruner, patterns), patterns)


def _blocks_of(split: Unbalanced | None, patterns: Sequence[Pattern]) -> Blocks:
    """:func:`on_path_blocks` from the list's classification (``None``: outside the class, no block)."""
    if split is None:
        return Blocks(np.full(len(patterns), -1, dtype=np.int64), [])
    if split.blocks is None:
        split.blocks = _grouped(split, patterns)
    return split.blocks


def _grouped(split: Unbalanced, patterns: Sequence[Pattern]) -> Blocks:
    """:func:`on_path_blocks` worked out: the patterns mixing at a reached and at an unreached set,
    grouped by their supports at the sets they reach (which fix the sets they reach)."""
    ind, reached = split.indicators, split.reached
    mixing = split.sizes > 1
    rows = np.flatnonzero((mixing & reached).any(axis=1) & (mixing & ~reached).any(axis=1))
    block_of = np.full(len(patterns), -1, dtype=np.int64)
    blocks: list[tuple[Pattern, list[int], np.ndarray]] = []
    if len(rows):
        on_path_actions = np.repeat(reached[rows], split.widths, axis=1)
        keys = np.packbits(ind[rows] & on_path_actions, axis=1)
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        block_of[rows] = inverse.reshape(-1)
        for r in rows[first].tolist():
            on_path = reached[r].copy()
            on_path.setflags(write=False)
            block = tuple([s if on_path[k] else s[:1] for k, s in enumerate(patterns[r])])
            blocks.append((block, [k for k, s in enumerate(block) if len(s) > 1], on_path))
    block_of.setflags(write=False)
    return Blocks(block_of, blocks)


def rootless_mask(ctx: _Ctx, pruner: BeliefSupportPruner, patterns: Sequence[Pattern], rows: np.ndarray,
                  max_mixed: int | None = None) -> np.ndarray:
    """Per row of ``rows`` (indices into ``patterns``), whether its pattern is proved to have no
    root strictly inside its box by its on-path block (see the module documentation): booleans.
    ``max_mixed``: if given, a pattern mixing at more sets is not marked (the solver counts it
    as skipped, unsolved).

    ``False`` everywhere for a tree outside the class of
    :mod:`deterrence.solvers._typed_structure`. Each block that the rows have is decided once
    (:func:`~deterrence.solvers._pbe_typed_linear.rootless`: what
    :func:`~deterrence.solvers._pbe_typed_linear.typed_roots` gives each, on the solver's context)."""
    rows = np.asarray(rows, dtype=np.int64)
    out = np.zeros(len(rows), dtype=bool)
    split = unbalanced(ctx.game, pruner, patterns) if len(rows) else None  # (None outside the class)
    if split is None:
        return out
    grouping = _blocks_of(split, patterns)
    ids = grouping.block_of[rows]
    asked = ids >= 0
    if max_mixed is not None:
        asked &= split.n_mixed[rows] <= max_mixed
    if not asked.any():
        return out
    wanted = np.unique(ids[asked])
    verdict = np.zeros(len(grouping.blocks), dtype=bool)
    # (a block mixes only at sets it reaches, by construction: typed_roots' checks hold)
    verdict[wanted] = rootless(ctx, [grouping.blocks[b][:2] for b in wanted.tolist()])
    out[asked] = verdict[ids[asked]]
    return out
