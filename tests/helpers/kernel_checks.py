"""Shared checks of the compiled kernels against the per-point solver, for the kernel tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sympy as sp

from deterrence.kernels import compile_model
from deterrence.kernels._trees import symbolic_tree_from
from deterrence.sweeps import evaluate_points
from helpers.random_trees import random_tree


def compiled_row_mismatches(model: Any, policy: str, points: pd.DataFrame, *,
                            skip_no_equilibrium: bool = False) -> tuple[int, list[int]]:
    """How many points the compiled model decides, and those whose rows differ from the
    per-point solver's (same equilibria in the same order, every column the kernel writes).
    ``skip_no_equilibrium``: drop the per-point rows of points where it finds none (the kernel
    writes no row there; the sweep solves such a point per point anyway)."""
    table, undecided = compile_model(model, "pbe", policy).evaluate(points)
    decided = points.loc[~undecided]
    ref = evaluate_points(model, decided.assign(point=decided.index), "pbe", policy)
    if skip_no_equilibrium:
        ref = ref[ref["n_equilibria"] > 0]
    cols = [c for c in table.columns if c in ref.columns and c != "path"]
    ours = table[table["point"].isin(decided.index)][cols]
    bad = []
    for k in decided.index:
        a = ours[ours["point"] == k].reset_index(drop=True)
        b = ref[ref["point"] == k][cols].sort_values("equilibrium", kind="stable").reset_index(drop=True)
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=False, atol=1e-9, check_dtype=False)
        except AssertionError:
            bad.append(int(k))
    return len(decided), bad


def symbolic_random_tree(seed: int, players: int, sets: int) -> tuple[Any, Any, np.ndarray, np.ndarray]:
    """A seeded random tree whose payoffs move with one parameter ``s``: ``a + s b`` (``a``, ``b``
    small random integers), chance probabilities fixed; returns the symbolic tree, the numeric
    tree, ``a`` and ``b``."""
    game = random_tree(players, sets, seed)
    rng = np.random.default_rng(seed)
    s = sp.Symbol("s")
    a = rng.integers(-3, 4, size=(len(game.terminals), game.num_players))
    b = rng.integers(-2, 3, size=(len(game.terminals), game.num_players))
    payoffs = [[sp.Integer(int(x)) + s * int(y) for x, y in zip(ra, rb, strict=True)]
               for ra, rb in zip(a, b, strict=True)]
    chance = [[sp.nsimplify(float(p)) for p in ci.probs] for ci in game.chance_infos]
    return symbolic_tree_from(game, ["s"], [s], payoffs, chance), game, a, b
