"""Numeric games: normal form (N players), extensive form (trees with chance and information sets),
and repeated crises with a persistent private type in compact form (:class:`ReputationGame`)."""

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
from .reputation import CrisisStage, ReputationGame
from .tree import ChanceNode, DecisionNode, TerminalNode, chance, decision, terminal

Game = NormalFormGame | ExtensiveFormGame

__all__ = [
    "Behaviour",
    "ChanceInfo",
    "ChanceNode",
    "CrisisStage",
    "DecisionNode",
    "ExtensiveFormGame",
    "Game",
    "InfoSet",
    "NodeInfo",
    "NormalFormGame",
    "ReducedNormalForm",
    "ReputationGame",
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
