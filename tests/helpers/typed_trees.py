"""Seeded random trees of the two-player type class (:mod:`deterrence.solvers._typed_structure`):
Nature draws a type for each player, then the first player moves, the second answers, and the
first moves again, every move public."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from deterrence.game import ExtensiveFormGame, chance, decision, terminal


def typed_game(seed: int, types: tuple[int, int] = (2, 2), answers: int = 2, *,
               integer: bool = False) -> ExtensiveFormGame:
    """A random tree of the class: ``types`` types per player (Nature's odds random), two first moves,
    ``answers`` answers, two last moves after the first answer; payoffs uniform in [0, 10)
    (``integer``: integers in [0, 3), which makes ties and singular systems common)."""
    rng = np.random.default_rng([seed, *types, answers, int(integer)])

    def payoff() -> list:
        if integer:
            return [int(x) for x in rng.integers(0, 3, 2)]
        return [round(float(x), 3) for x in rng.uniform(0, 10, 2)]

    def world(tc: int, td: int):
        moves = {}
        for m in range(2):
            replies = {}
            for r in range(answers):
                if r:
                    replies[f"r{r}"] = terminal(payoff())
                    continue
                last = {f"l{x}": terminal(payoff()) for x in range(2)}
                replies[f"r{r}"] = decision("C", last, infoset=f"C{tc}_m{m}_r{r}")
            moves[f"m{m}"] = decision("D", replies, infoset=f"D{td}_m{m}")
        return decision("C", moves, infoset=f"C{tc}")

    weights = rng.integers(1, 6, types[0] * types[1])
    total = int(weights.sum())
    branches = {f"t{tc}{td}": (Fraction(int(weights[tc * types[1] + td]), total), world(tc, td))
                for tc in range(types[0]) for td in range(types[1])}
    return ExtensiveFormGame(chance(branches), players=["C", "D"], title=f"random typed game {seed}")
