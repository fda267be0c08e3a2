"""Structures over the actions that survive iterated conditional dominance (kernels, private).

The per-point PBE solver first drops the actions that iterated conditional strict dominance
removes (:func:`deterrence.solvers._pbe_pruning.iterated_undominated_actions`): action ``b`` at
set ``h`` goes when some action ``a`` does better by more than ``tol`` at every node of ``h``
for every continuation over the actions still allowed below. A model too large to compile over
all its actions may fit over the actions that survive at every point of its domain.

:func:`kept_actions` takes, per set, the union of the survivors at the probe points (points
inside the domains). :class:`DominanceCheck` then verifies, at every point the kernel
evaluates (vectorised over the points), that each action outside that union is dominated
there: some kept action ``a`` has ``lo(v, a) > hi(v, b) + tol`` at every node ``v`` of the set
(payoffs on the per-point solver's scale, :func:`deterrence.game.scaling.solver_units`),
the bounds ``lo``, ``hi`` of the player's payoff below each child taken over the *kept* actions
(decision nodes: min / max over the kept children; chance nodes: Nature's expectation).

*Why that suffices.* Induction from the bottom of the tree: once every removed action below a
set is gone from the per-point solver's allowed actions, its bounds over the allowed actions
lie inside the bounds over the kept ones, so the same ``a`` (or an action dominating it, which
dominates ``b`` too) removes ``b`` in a later round. So the per-point solver's survivors at the
point are among the kept actions, and the structures over the kept actions include every
structure it examines; a structure playing a removed action is no PBE (the proof in
:mod:`deterrence.solvers._pbe_pruning`). A point where a removed action is not dominated, or
is dominated only within floating point of the tolerance, is flagged undecided and solved per
point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..game.extensive import CHANCE, DECISION, ExtensiveFormGame
from ..game.scaling import solver_units
from ..solvers._pbe_pruning import iterated_undominated_actions
from ._trees import SymbolicTree

#: a dominance margin within this of the tolerance (relative to the payoffs' size) is undecided
MARGIN = 1e-9


def kept_actions(
    model: Any, probe: Mapping[str, np.ndarray], tol: float
) -> list[tuple[int, ...]]:
    """Per information set, the actions that survive iterated conditional dominance at some
    probe point (the union over the points), in order.

    Parameters
    ----------
    model
        The model (its numeric game is built at each probe point).
    probe
        Parameter arrays of points inside the domains.
    tol
        The solver's tolerance.
    """
    names = list(probe)
    n = len(probe[names[0]]) if names else 0
    union: list[set[int]] | None = None
    for k in range(n):
        game = model.game({name: float(probe[name][k]) for name in names}, exact=False)
        allowed = iterated_undominated_actions(game, tol)
        sets = [set(a) for a in allowed]
        union = sets if union is None else [u | a for u, a in zip(union, sets, strict=True)]
    if union is None:
        raise ValueError("kept_actions needs at least one probe point")
    return [tuple(sorted(u)) for u in union]


class DominanceCheck:
    """Verifies, vectorised over points, that every action outside ``kept`` is dominated (see
    the module documentation).

    Parameters
    ----------
    tree
        The model's symbolic tree (numeric payoffs and chance probabilities at the points).
    kept
        Per information set, the actions the structures play.
    tol
        The solver's tolerance (the dominance margin must exceed it).
    """

    def __init__(self, tree: SymbolicTree, kept: Sequence[Sequence[int]], tol: float) -> None:
        game: ExtensiveFormGame = tree.structure
        self.tree, self.game, self.tol = tree, game, tol
        self.kept = [tuple(a) for a in kept]
        self._row = {t: z for z, t in enumerate(game.terminals)}
        # (set h, action b): the actions outside the kept ones, each to be shown dominated
        self._removed = [
            (h, b) for h, info in enumerate(game.infosets)
            for b in range(len(info.actions)) if b not in self.kept[h]
        ]  # fmt: skip

    @property
    def removes(self) -> bool:
        """Whether any action is removed (else every point passes)."""
        return bool(self._removed)

    def _bounds(self, pay: np.ndarray, chance: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Smallest and largest payoff ``(nodes, P, N)`` of each player below each node over the
        kept actions (children come after their parent in the game's node order)."""
        game, P, N = self.game, pay.shape[0], pay.shape[2]
        lo, hi = np.empty((len(game.nodes), P, N)), np.empty((len(game.nodes), P, N))
        for v in range(len(game.nodes) - 1, -1, -1):
            nd = game.nodes[v]
            if nd.kind == CHANCE:
                probs = chance[nd.infoset]
                lo[v] = sum(probs[:, game.nodes[c].action, None] * lo[c] for c in nd.children)
                hi[v] = sum(probs[:, game.nodes[c].action, None] * hi[c] for c in nd.children)
            elif nd.kind == DECISION:
                kids = [c for c in nd.children if game.nodes[c].action in self.kept[nd.infoset]]
                lo[v] = np.min(lo[kids], axis=0)
                hi[v] = np.max(hi[kids], axis=0)
            else:
                lo[v] = hi[v] = pay[:, self._row[v], :]
        return lo, hi

    def undecided(self, cols: Mapping[str, np.ndarray]) -> np.ndarray:
        """Per point: True where some removed action is not dominated by a margin floating point
        can place (not dominated, within :data:`MARGIN` of the tolerance, or not finite)."""
        npts = len(next(iter(cols.values()))) if cols else 1
        if not self._removed:
            return np.zeros(npts, dtype=bool)
        pay, chance = self.tree.numeric(cols)
        # on the per-point solver's scale, where it compares with tol (the bounds scale with it)
        pay = pay / solver_units(pay)[:, None, :]
        lo, hi = self._bounds(pay, chance)
        scale = MARGIN * np.maximum(1.0, np.max(np.abs(pay), axis=(1, 2)))
        bad = ~np.all(np.isfinite(pay), axis=(1, 2))
        for probs in chance:
            bad |= ~np.all(np.isfinite(probs), axis=1)
        game = self.game
        for h, b in self._removed:
            info = game.infosets[h]
            best = np.full(npts, -np.inf)
            for a in self.kept[h]:
                gap = np.full(npts, np.inf)
                for v in info.nodes:
                    child = {game.nodes[c].action: c for c in game.nodes[v].children}
                    gap = np.minimum(gap, lo[child[a], :, info.player] - hi[child[b], :, info.player])
                best = np.maximum(best, gap)
            bad |= ~(best - self.tol > scale)
        return bad
