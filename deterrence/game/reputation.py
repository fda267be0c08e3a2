"""Repeated crises with a persistent private type: the compact form of chain-store-like games.

A :class:`ReputationGame` is a finite sequence of crises (stages) between one long-run player
and a new short-run *challenger* in every stage:

* Nature draws the long-run player's type once, before the first stage: ``types[0]`` (the
  *resolute* type) with probability ``prior``, else ``types[1]`` (the *weak* type). Only the
  long-run player learns it.
* In stage ``k`` challenger ``k`` chooses between ``challenge_actions[0]`` (quiet: the stage
  ends) and ``challenge_actions[1]`` (challenge); after a challenge the long-run player chooses
  ``response_actions[0]`` (resist) or ``response_actions[1]`` (yield). Every move is seen by
  everybody who moves later.
* Payoffs are additive over stages: stage ``k`` gives the long-run player
  ``stages[k].long_run_payoffs[type][outcome]`` and challenger ``k``
  ``stages[k].challenger_payoffs[type][outcome]`` (outcome 0 quiet, 1 resist, 2 yield); a
  challenger is paid only in its own stage.

The same game as an explicit tree (:meth:`ReputationGame.tree`) has ``4·3**N − 1``
nodes for ``N`` stages, which is why the compact form exists: the solver
:mod:`deterrence.solvers.reputation` works on the stage and the public posterior, and the
certificate :func:`deterrence.certificates.certify_reputation` checks its answer on the same
compact form. Numbers are kept exact (:class:`fractions.Fraction`; a float is read as the
decimal it prints as, so ``0.1`` is ``1/10``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..errors import GameError, ResourceError
from ..outcomes import OUTCOMES
from .extensive import ExtensiveFormGame
from .tree import Node, chance, decision, terminal

#: the outcomes of one stage, in the order of the payoff tables
QUIET, RESIST, YIELD = 0, 1, 2
STAGE_OUTCOMES: tuple[str, str, str] = ("quiet", "resist", "yield")

_LABEL_ORDER = {lab: k for k, lab in enumerate(OUTCOMES)}

#: the largest explicit tree :meth:`ReputationGame.tree` builds unless told otherwise
MAX_TREE_NODES = 200_000


def exact_number(x: Any, what: str = "a number") -> Fraction:
    """``x`` as an exact :class:`~fractions.Fraction` (a float as the decimal it prints as).

    Raises
    ------
    GameError
        If ``x`` is not a finite real number.
    """
    if isinstance(x, bool):
        raise GameError(f"{what} must be a number, not {x!r}")
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if hasattr(x, "p") and hasattr(x, "q"):  # a sympy Rational or Integer
        return Fraction(int(x.p), int(x.q))
    try:
        f = float(x)
    except (TypeError, ValueError):
        raise GameError(f"{what} must be a number, not {x!r}") from None
    if not math.isfinite(f):
        raise GameError(f"{what} must be finite, not {x!r}")
    return Fraction(repr(f))


def _table(rows: Sequence[Sequence[Any]], what: str) -> tuple[tuple[Fraction, ...], ...]:
    if len(rows) != 2 or any(len(r) != 3 for r in rows):
        raise GameError(f"{what} must give, for each of the 2 types, 3 payoffs (quiet, resist, yield)")
    return tuple(tuple(exact_number(v, what) for v in r) for r in rows)


@dataclass(frozen=True)
class CrisisStage:
    """One crisis: its challenger and the stage payoffs.

    Attributes
    ----------
    challenger
        The short-run player who moves (and is paid) in this stage.
    long_run_payoffs
        ``[type][outcome]``: the long-run player's stage payoff, outcome 0 quiet, 1 resist,
        2 yield.
    challenger_payoffs
        ``[type][outcome]``: the challenger's payoff (it may depend on the type it faced).
    """

    challenger: str
    long_run_payoffs: tuple[tuple[Fraction, ...], ...]
    challenger_payoffs: tuple[tuple[Fraction, ...], ...]

    def __post_init__(self) -> None:
        if not isinstance(self.challenger, str) or not self.challenger:
            raise GameError(f"a stage's challenger must be a player name, not {self.challenger!r}")
        object.__setattr__(self, "long_run_payoffs", _table(self.long_run_payoffs, "long_run_payoffs"))
        object.__setattr__(self, "challenger_payoffs", _table(self.challenger_payoffs, "challenger_payoffs"))


@dataclass(frozen=True)
class ReputationGame:
    """A long-run player with a persistent private type against a challenger per stage.

    Attributes
    ----------
    long_run
        The long-run player's name.
    types
        ``(resolute, weak)`` type names; Nature draws ``types[0]`` with probability ``prior``.
    prior
        The initial reputation: probability of ``types[0]``, in [0, 1].
    stages
        The crises in order (at least one); challengers' names must be distinct.
    challenge_actions
        The challenger's actions ``(quiet, challenge)``.
    response_actions
        The long-run player's actions after a challenge ``(resist, yield)``.
    codes
        One letter per stage outcome (quiet, resist, yield), used in the tree's information
        set names (``entrant2_f``: the second entrant after a fight).
    stage_labels
        ``[type][outcome]``: outcome labels of a stage (the quiet entry is not used: a play in
        which nobody challenges is ``status_quo``); a terminal of the tree carries the union
        of its stages' labels, in the vocabulary's order.
    title
        A human-readable title.
    """

    long_run: str
    types: tuple[str, str]
    prior: Fraction
    stages: tuple[CrisisStage, ...]
    challenge_actions: tuple[str, str] = ("stay_out", "enter")
    response_actions: tuple[str, str] = ("fight", "acquiesce")
    codes: tuple[str, str, str] = ("o", "f", "a")
    stage_labels: tuple[tuple[tuple[str, ...], ...], ...] = (
        ((), ("war",), ("capitulation",)),
        ((), ("war",), ("capitulation",)),
    )
    title: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "prior", exact_number(self.prior, "prior"))
        object.__setattr__(self, "stages", tuple(self.stages))
        object.__setattr__(self, "types", tuple(self.types))
        if not 0 <= self.prior <= 1:
            raise GameError(f"prior must be a probability in [0, 1], got {self.prior}")
        if not self.stages or not all(isinstance(s, CrisisStage) for s in self.stages):
            raise GameError("a reputation game needs at least one stage (CrisisStage)")
        names = [s.challenger for s in self.stages]
        if len(set(names)) != len(names) or self.long_run in names:
            raise GameError(f"challengers must be distinct and differ from the long-run player: {names}")
        for what, pair in (("types", self.types), ("challenge_actions", self.challenge_actions),
                           ("response_actions", self.response_actions)):
            if len(pair) != 2 or len(set(pair)) != 2:
                raise GameError(f"{what} must be two distinct names, got {pair!r}")
        if len(self.codes) != 3 or len(set(self.codes)) != 3:
            raise GameError(f"codes must be three distinct letters, got {self.codes!r}")
        for row in self.stage_labels:
            for labels in row:
                unknown = [lab for lab in labels if lab not in OUTCOMES]
                if unknown:
                    raise GameError(f"unknown outcome label(s) {unknown}")

    # ------------------------------------------------------------------ basic facts
    @property
    def num_stages(self) -> int:
        """Number of crises N."""
        return len(self.stages)

    @property
    def players(self) -> tuple[str, ...]:
        """The challengers in stage order, then the long-run player."""
        return (*(s.challenger for s in self.stages), self.long_run)

    @property
    def tree_nodes(self) -> int:
        """Number of nodes of the explicit tree: the root, then per type ``3**N − 1`` decision
        nodes and ``3**N`` terminals."""
        return 4 * 3**self.num_stages - 1

    def history_payoffs(self, type_index: int, history: Sequence[int]) -> tuple[Fraction, ...]:
        """Payoffs (in :attr:`players` order) of a complete play: the type and one outcome per stage."""
        if len(history) != self.num_stages:
            raise GameError(f"a complete history has {self.num_stages} stage outcomes, got {len(history)}")
        out = [st.challenger_payoffs[type_index][o] for st, o in zip(self.stages, history, strict=True)]
        pairs = zip(self.stages, history, strict=True)
        out.append(sum((st.long_run_payoffs[type_index][o] for st, o in pairs), Fraction(0)))
        return tuple(out)

    def history_labels(self, type_index: int, history: Sequence[int]) -> tuple[str, ...]:
        """Outcome labels of a complete play (``status_quo`` if nobody challenged)."""
        if all(o == QUIET for o in history):
            return ("status_quo",)
        labels = {lab for o in history if o != QUIET for lab in self.stage_labels[type_index][o]}
        return tuple(sorted(labels, key=_LABEL_ORDER.__getitem__))

    # ------------------------------------------------------------------ the explicit tree
    def tree(self, max_nodes: int = MAX_TREE_NODES) -> ExtensiveFormGame:
        """The game as an explicit tree (for certification and the generic solvers).

        Information sets: ``<challenger>_<history>`` holds the two nodes (one per type) where
        challenger ``k`` moves after the public history (``entrant2_f``; none for the first),
        ``<long_run>_<type>_<k>_<history>`` the long-run player's node after a challenge in
        stage ``k`` (``incumbent_weak_2_f``), all names lower-cased.

        Raises
        ------
        ResourceError
            If the tree would have more than ``max_nodes`` nodes.
        """
        if self.tree_nodes > max_nodes:
            raise ResourceError(
                f"the explicit tree of {self.num_stages} stages has {self.tree_nodes:.3g} nodes, more than "
                f"max_nodes={max_nodes}; solve the compact game instead", estimate=float(self.tree_nodes))
        branches = {name: (p, self._subtree(t, ())) for t, (name, p) in
                    enumerate(zip(self.types, (self.prior, 1 - self.prior), strict=True))}
        root = chance(branches, label="type")
        return ExtensiveFormGame(root, players=self.players, title=self.title)

    def _subtree(self, t: int, history: tuple[int, ...]) -> Node:
        k = len(history)
        code = "".join(self.codes[o] for o in history)
        if k == self.num_stages:
            pay = self.history_payoffs(t, history)
            labels = self.history_labels(t, history)
            return terminal(list(pay), outcome=labels, label=f"{self.types[t]}.{code}")
        st = self.stages[k]
        suffix = f"_{code}" if code else ""
        lr = decision(self.long_run, {self.response_actions[0]: self._subtree(t, (*history, RESIST)),
                                      self.response_actions[1]: self._subtree(t, (*history, YIELD))},
                      infoset=f"{self.long_run}_{self.types[t]}_{k + 1}{suffix}".lower())
        return decision(st.challenger, {self.challenge_actions[0]: self._subtree(t, (*history, QUIET)),
                                        self.challenge_actions[1]: lr},
                        infoset=f"{st.challenger}{suffix}".lower())


__all__ = [
    "MAX_TREE_NODES",
    "QUIET",
    "RESIST",
    "STAGE_OUTCOMES",
    "YIELD",
    "CrisisStage",
    "ReputationGame",
    "exact_number",
]
