"""Builders that show a game tree's shape in code: ``decision``, ``chance``, ``terminal``.

Examples
--------
>>> from deterrence.game import decision, chance, terminal, ExtensiveFormGame
>>> root = decision("Attacker", {
...     "stay": terminal({"Attacker": 0, "Defender": 0}, outcome="status_quo"),
...     "attack": decision("Defender", {
...         "fight": terminal({"Attacker": -1, "Defender": -1}, outcome="war"),
...         "yield": terminal({"Attacker": 1, "Defender": -2}, outcome="capitulation"),
...     }),
... })
>>> g = ExtensiveFormGame(root, players=["Attacker", "Defender"])
>>> g.num_players, len(g.infosets), len(g.terminals)
(2, 2, 3)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import GameError

Number = int | float | Fraction


@dataclass(eq=False)
class TerminalNode:
    """A leaf: payoffs per player and outcome labels."""

    payoffs: Mapping[str, Any] | Sequence[Any]
    outcome: tuple[str, ...] = ()
    label: str | None = None
    name: str | None = None  # Gambit outcome name, kept for round trips


@dataclass(eq=False)
class DecisionNode:
    """A move by a player: action name -> subtree, in order."""

    player: str
    actions: dict[str, Node]
    infoset: str | None = None
    label: str | None = None
    #: a Gambit outcome attached to this node, ``(name, payoffs in player order)``, kept for round
    #: trips: its payoffs are already included in every terminal node's payoffs below
    gambit_outcome: tuple[str, tuple[Any, ...]] | None = None


@dataclass(eq=False)
class ChanceNode:
    """A move by Nature: action name -> (probability, subtree), in order."""

    branches: dict[str, tuple[Any, Node]]
    label: str | None = None
    infoset: str | None = None
    extra: dict = field(default_factory=dict)
    #: a Gambit outcome attached to this node (see :attr:`DecisionNode.gambit_outcome`)
    gambit_outcome: tuple[str, tuple[Any, ...]] | None = None


Node = TerminalNode | DecisionNode | ChanceNode


def terminal(
    payoffs: Mapping[str, Any] | Sequence[Any],
    outcome: str | Sequence[str] = (),
    *,
    label: str | None = None,
    name: str | None = None,
) -> TerminalNode:
    """A terminal node.

    Parameters
    ----------
    payoffs
        ``{player: payoff}`` or a sequence in the game's player order.
    outcome
        One label or several from the outcome vocabulary (``deterrence.outcomes.OUTCOMES``),
        e.g. ``("allied_war", "entrapment")``.
    label
        A name for the node, used in error messages and tables.
    name
        The Gambit outcome name (kept on round trips).
    """
    labels = (outcome,) if isinstance(outcome, str) else tuple(outcome)
    return TerminalNode(payoffs=payoffs, outcome=labels, label=label, name=name)


def decision(
    player: str,
    actions: Mapping[str, Node] | None = None,
    *,
    infoset: str | None = None,
    label: str | None = None,
    **named_actions: Node,
) -> DecisionNode:
    """A decision node of ``player``.

    Parameters
    ----------
    player
        The player's name.
    actions
        Action name -> subtree, in order; or give them as keyword arguments.
    infoset
        Name of the information set; decision nodes that share a name share the set
        (they must belong to the same player and offer the same actions). By default
        each node has its own information set.
    label
        A name for the node.
    """
    acts: dict[str, Node] = dict(actions or {})
    for k, v in named_actions.items():
        if k in acts:
            raise GameError(f"action '{k}' given twice", node=label)
        acts[k] = v
    return DecisionNode(player=str(player), actions=acts, infoset=infoset, label=label)


def chance(
    branches: Mapping[str, tuple[Any, Node]],
    *,
    label: str | None = None,
    infoset: str | None = None,
) -> ChanceNode:
    """A chance node: ``{action: (probability, subtree)}``.

    Probabilities may be floats, ints or :class:`fractions.Fraction` (kept exact).
    """
    return ChanceNode(branches=dict(branches), label=label, infoset=infoset)
