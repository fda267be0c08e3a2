"""The search context shared by the parts of the PBE solver (:mod:`deterrence.solvers.pbe`).

``_Ctx`` holds the game, the tolerance, the belief policy, the child tables and Nature's node
masses, caches the reach probabilities of behaviour profiles, and collects the notes that the solver
reports. ``_REACH`` and ``_INTERIOR`` are the thresholds for an unreached information set and
for an action in a mixture's support.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..game.extensive import ExtensiveFormGame
from ._tree_utils import BatchTree

_REACH = 1e-12  # reach probability below which an information set counts as unreached
_INTERIOR = 1e-10  # a mixing probability must exceed this to count as in the support


# ---------------------------------------------------------------------------------- context
@dataclass
class _Ctx:
    game: ExtensiveFormGame
    tol: float
    policy: str
    kids: list[np.ndarray]
    prior: np.ndarray
    senders: tuple[int, ...]
    notes: list[str] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)  # reasons the set may hold continua
    continua: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    cache: dict[bytes, np.ndarray] = field(default_factory=dict)  # :meth:`reach` by the profile's bytes
    batch: BatchTree = field(init=False)
    chance_key: bytes = field(init=False)
    carry: dict[tuple[int, int, int], list] = field(default_factory=dict)  # ``pbe._carry_paths``
    table: Any = None  # the pure profiles of the search evaluated once (``_pbe_table.PureTable``), if built
    _exact: Any = None
    #: what the linear route of two-player type games keeps for the solve (``_pbe_typed_linear._Kept``)
    typed: Any = None
    #: per information set: its nodes (indices), Nature's mask and Nature's odds (built on first use)
    set_nodes: list[np.ndarray] = field(init=False)
    #: the sets grouped by size: their indices and their nodes, one row per set (a row's sum is the
    #: sum numpy takes of that set's vector alone: the same additions in the same order)
    set_groups: list[tuple[list[int], np.ndarray]] = field(init=False)
    _possible: dict[int, np.ndarray] = field(default_factory=dict)
    _prior_belief: dict[int, np.ndarray] = field(default_factory=dict)
    _chance_reach: np.ndarray | None = None
    _reached_by_nature: tuple[np.ndarray, bytes] | None = None
    #: within the solve: the float screens' verdicts by their input, and the systems solved after
    #: the screens by their exact equations (``_pbe_multilinear``)
    float_verdicts: dict = field(default_factory=dict)
    solved_systems: dict = field(default_factory=dict)
    #: the order in which ``pbe._offpath_rejects`` tries the unreached sets (the last rejecting first)
    offpath_order: list[int] = field(default_factory=list)

    @property
    def exact(self) -> Any:
        """The tree's pure profiles in rational arithmetic (``_pbe_exact.ExactTree``), built on first use."""
        if self._exact is None:
            from ._pbe_exact import ExactTree

            self._exact = ExactTree(self.game)
        return self._exact

    def __post_init__(self) -> None:
        self.batch = BatchTree(self.game)
        #: which chance moves have positive probability (part of the keys of what the tree alone decides)
        self.chance_key = (self.game._chance_prob > 0).tobytes()
        self.set_nodes = [np.array(h.nodes, dtype=np.intp) for h in self.game.infosets]
        sizes = [len(nodes) for nodes in self.set_nodes]
        self.set_groups = [
            (members, np.array([self.set_nodes[k] for k in members], dtype=np.intp).reshape(len(members), n))
            for n in sorted(set(sizes)) for members in [[k for k, m in enumerate(sizes) if m == n]]]

    def reach(self, flat: np.ndarray) -> np.ndarray:
        """The reach probabilities of a profile given as its flat vector of action probabilities
        (every set's, in set order: ``np.concatenate`` of the profile), cached by its bytes;
        ``game.realization_probabilities`` of the profile (which concatenates it to this vector)."""
        key = flat.tobytes()
        reach = self.cache.get(key)
        if reach is None:
            reach = self.game.realization_probabilities([flat])
            if len(self.cache) < 100_000:
                self.cache[key] = reach
        return reach

    def chance_reach(self) -> np.ndarray:
        """``game.realization_probabilities`` of the profile with every action at 1.0: per node,
        the product of Nature's probabilities on its path, root first (worked out once)."""
        if self._chance_reach is None:
            self._chance_reach = self.game.realization_probabilities(
                [np.ones(len(h.actions)) for h in self.game.infosets])
        return self._chance_reach

    def reached_by_nature(self) -> tuple[np.ndarray, bytes]:
        """Per node, whether Nature reaches it (``chance_reach() > 0``, read-only), and that mask's
        bytes (a key of what depends on it), worked out once."""
        if self._reached_by_nature is None:
            positive = self.chance_reach() > 0
            positive.setflags(write=False)
            self._reached_by_nature = (positive, positive.tobytes())
        return self._reached_by_nature

    def q(self, values: np.ndarray, k: int) -> np.ndarray:
        """Mover's continuation payoff after each action at each node of set ``k``: (nodes, actions)."""
        return values[self.kids[k], self.game.infosets[k].player]

    def possible(self, k: int) -> np.ndarray:
        """Mask of the nodes of set ``k`` that Nature reaches with positive probability (all of
        them if none is): no belief may weigh the others, whatever the policy (kept, read-only)."""
        mask = self._possible.get(k)
        if mask is None:
            mask = self.prior[self.set_nodes[k]] > 0
            if not mask.any():
                mask = np.ones(len(mask), dtype=bool)
            mask.setflags(write=False)
            self._possible[k] = mask
        return mask

    def prior_belief(self, k: int) -> np.ndarray:
        """Nature's odds of the nodes of set ``k`` (uniform if Nature reaches none), a fresh copy."""
        mu = self._prior_belief.get(k)
        if mu is None:
            w = self.prior[self.set_nodes[k]]
            s = w.sum()
            mu = self._prior_belief[k] = w / s if s > 0 else np.full(len(w), 1.0 / len(w))
        return mu.copy()


def belief_spec_rule(game: ExtensiveFormGame, policy: str, specs: dict[int, tuple],
                     reached: Callable[[int], bool], carries: Callable[[int, tuple, dict[int, tuple]], bool],
                     determined: Callable[[int], bool]) -> Callable[[int], tuple | None]:
    """The solver's rule for the belief-weight spec of a set in a support pattern, as a function
    of the set that fills ``specs`` as it goes: ``("reach",)`` (Bayes' rule) where the pattern
    reaches the set (``reached``); else the mover's own belief carried forward from its previous
    set, ``("own", prev, act)``, if that gives the set weight (``carries(k, spec, specs)``); else
    Nature's odds ``("prior",)`` at a set whose belief Nature alone fixes, whatever the policy
    (``determined``: :func:`fixed_by_nature`); else the policy's, ``("prior",)`` or ``("d1",)``,
    and ``None`` under ``free`` (no spec: a free belief). Shared by the solver
    (:func:`deterrence.solvers.pbe._pattern_specs`) and the compiled kernels' guard, which must
    pick the same specs.

    A set of which Nature reaches exactly one node (one node, or several of which the others lie
    behind a chance move of probability 0) has one belief under every policy, the point mass on
    that node (:class:`~deterrence.solvers._pbe_beliefs._Beliefs`: a free belief weighs only the
    nodes Nature reaches, and so does D1's, normalised): its spec is Nature's odds, whose weights
    are that node's chance reach and 0 at the others. Under ``free`` this lets the solver solve
    patterns mixing there (before, it counted them as mixing where beliefs are free and skipped
    them), and carry the belief on from there to the mover's later sets; under ``d1`` the same
    belief no longer blocks that carrying (a ``("d1",)`` spec is not carried).

    The rule is an object, not a closure: a closure that calls itself is a reference cycle, and the
    solver builds one rule per pattern, thousands per point, which the garbage collector would
    then have to find."""
    return _SpecRule(game, policy, specs, reached, carries, determined)


class _SpecRule:
    """:func:`belief_spec_rule`'s function (calling it gives the spec of a set)."""

    __slots__ = ("carries", "determined", "game", "policy", "reached", "specs")

    def __init__(self, game: ExtensiveFormGame, policy: str, specs: dict[int, tuple],
                 reached: Callable[[int], bool], carries: Callable[[int, tuple, dict[int, tuple]], bool],
                 determined: Callable[[int], bool]):
        self.game, self.policy, self.specs = game, policy, specs
        self.reached, self.carries, self.determined = reached, carries, determined

    def __call__(self, k: int) -> tuple | None:
        specs = self.specs
        if k in specs:
            return specs[k]
        if self.reached(k):
            specs[k] = ("reach",)
            return specs[k]
        h = self.game.infosets[k]
        seq = self.game.own_sequence(h.nodes[0], h.player)
        out: tuple | None = None
        if seq:
            prev, act = seq[-1]
            ps = self(prev)
            if ps is not None and ps[0] != "d1":
                specs[prev] = ps
                cand = ("own", prev, act)
                if self.carries(k, cand, specs):
                    out = cand
        if out is None and self.determined(k):
            out = ("prior",)
        if out is None:
            out = {"prior": ("prior",), "d1": ("d1",)}.get(self.policy)
        if out is not None:
            specs[k] = out
        return out


def fixed_by_nature(game: ExtensiveFormGame, positive: np.ndarray, k: int) -> bool:
    """Whether Nature reaches exactly one node of set ``k`` (``positive``: per node, its chance reach
    is positive): every policy gives it the point mass on that node (:func:`belief_spec_rule`).

    A set of one node that Nature reaches is one such set; so is a set of several nodes of which
    all but one lie behind a move of Nature's of probability 0 (a type drawn with probability 0).
    No consistent assessment weighs a node Nature never reaches: the free beliefs are those over
    the nodes Nature reaches (:meth:`_Ctx.possible`), D1's weighs only the nodes some deviation
    reaches (:func:`~deterrence.solvers._pbe_beliefs._deviation_groups` leaves out the nodes behind
    a chance move of probability 0), and Nature's odds are 0 there."""
    return sum(bool(positive[v]) for v in game.infosets[k].nodes) == 1
