"""Numeric games: normal form (N players) and extensive form (trees with chance and information sets)."""

from .convert import (
    ReducedNormalForm,
    SequenceForm,
    behaviour_to_mixed,
    behaviour_to_realization_plan,
    mixed_to_behaviour,
    plans_to_behaviour,
    realization_plan_to_behaviour,
    reduced_normal_form,
    sequence_form,
)
from .extensive import Behaviour, ChanceInfo, ExtensiveFormGame, InfoSet, NodeInfo
from .normal import NormalFormGame
from .tree import ChanceNode, DecisionNode, TerminalNode, chance, decision, terminal

Game = NormalFormGame | ExtensiveFormGame

__all__ = [
    "Behaviour",
    "ChanceInfo",
    "ChanceNode",
    "DecisionNode",
    "ExtensiveFormGame",
    "Game",
    "InfoSet",
    "NodeInfo",
    "NormalFormGame",
    "ReducedNormalForm",
    "SequenceForm",
    "TerminalNode",
    "behaviour_to_mixed",
    "behaviour_to_realization_plan",
    "chance",
    "decision",
    "mixed_to_behaviour",
    "plans_to_behaviour",
    "realization_plan_to_behaviour",
    "reduced_normal_form",
    "sequence_form",
    "terminal",
]
