"""Numeric games: normal form (N players) and extensive form (trees with chance and information sets)."""

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
    "TerminalNode",
    "chance",
    "decision",
    "terminal",
]
