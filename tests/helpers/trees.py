"""Seeded random two-player trees with perfect recall and imperfect information, of any size.

Used by the sequence-form tests and by the benchmark case (``benchmarks/suite/cases_extensive``
loads this file), so both solve the same trees.

The game: chance first draws a private type for player 1 (``types`` of them, random
probabilities); then ``rounds`` rounds in which player 1 moves (seeing its type and every
earlier move) and player 2 moves without seeing player 1's type or its move of this round
(but seeing every earlier round). Both players remember all they knew, so recall is perfect;
player 2's information sets hold one node per (type, move of player 1 this round).
Terminal payoffs are seeded random integers.

With ``b1``, ``b2`` actions per move, player 1 has ``types * (1 + r + ... + r**(rounds-1))``
information sets (``r = b1 * b2``) and player 2 ``1 + r + ... + r**(rounds-1)``; e.g.
``rounds=4, types=2, b1=b2=2`` gives 341 + 171 = 512 sequences.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from deterrence.game import ExtensiveFormGame, chance, decision, terminal


def sequence_count(rounds: int, types: int, b1: int, b2: int) -> int:
    """Number of sequences (both players, empty sequences included) of :func:`random_tree`."""
    sets = sum((b1 * b2) ** t for t in range(rounds))
    return (1 + types * sets * b1) + (1 + sets * b2)


def random_tree(seed: int, rounds: int = 2, types: int = 2, b1: int = 2, b2: int = 2,
                payoff_range: int = 20) -> ExtensiveFormGame:
    """A seeded random tree of the family described in the module doc."""
    rng = np.random.default_rng([seed, rounds, types, b1, b2])
    weights = rng.integers(1, 10, types)
    probs = [Fraction(int(w), int(weights.sum())) for w in weights]

    def rounds_from(t: int, kind: int, history: str):
        if t == rounds:
            return terminal([int(v) for v in rng.integers(-payoff_range, payoff_range + 1, 2)])
        moves = {}
        for a in range(b1):
            replies = {f"y{b}": rounds_from(t + 1, kind, f"{history}{a}{b}") for b in range(b2)}
            moves[f"x{a}"] = decision("2", replies, infoset=f"2:{history}")
        return decision("1", moves, infoset=f"1:{kind}:{history}")

    root = chance({f"type{k}": (probs[k], rounds_from(0, k, "")) for k in range(types)})
    return ExtensiveFormGame(root, players=["1", "2"], title=f"random tree {seed}")
