"""Every Nash equilibrium of random 2-player trees against pygambit's ``enummixed_solve``.

``dt.solve(game, "nash", method="enumerate_reduced")`` on seeded random trees
(``helpers.random_trees.random_tree``: chance moves, information sets of up to three nodes,
perfect recall) must give the same set of realization plans as pygambit's exact enumeration
of the extreme equilibria of the reduced strategic form (``helpers.enummixed_oracle``, in a
subprocess with a time limit). Realization plans, not behaviour, are compared: behaviour at
information sets a player's own moves preclude is arbitrary on both sides.

The catalogue tests of ``test_sequence_form.py`` check only that each equilibrium of ours has
zero regret; these check that none is missing and none is extra. Trees that our work estimate
refuses at ``max_work=1e6`` are left out (the count compared is checked). When the default
normal-form method reports an incomplete set (support enumeration on a degenerate reduced
normal form), the tree is solved again with ``normal_method="vertex_enumeration"``, which must
then be complete.
"""

from __future__ import annotations

import pytest
from helpers.enummixed_oracle import enummixed_behaviours, plan_differences, realization_plan
from helpers.random_trees import random_tree

import deterrence as dt
from deterrence.errors import ResourceError

pytest.importorskip("pygambit")

SIZES = (3, 4, 5, 6, 7, 8)  # about this many information sets
BATCH = 10  # seeds per pygambit subprocess (one start of pygambit costs about a second)


def _solve(game: dt.ExtensiveFormGame):
    """Our complete set, or ``None`` if the tree is over the work budget."""
    try:
        eqs = dt.solve(game, "nash", method="enumerate_reduced", max_work=1e6)
    except ResourceError:
        return None
    if not eqs.complete:
        assert eqs.degenerate, eqs.notes  # an incomplete set must say why
        eqs = dt.solve(game, "nash", method="enumerate_reduced", max_work=1e8,
                       normal_method="vertex_enumeration")
        assert eqs.complete, eqs.notes
    return eqs


def check_seeds(seeds: range) -> int:
    """Compare every tree of ``seeds`` x ``SIZES`` within budget; return how many were compared."""
    cases = []
    for seed in seeds:
        for size in SIZES:
            game = random_tree(2, size, seed)
            assert game.has_perfect_recall()
            eqs = _solve(game)
            if eqs is not None:
                cases.append((seed, size, game, eqs))
    theirs = enummixed_behaviours([c[2] for c in cases], timeout=300)
    if theirs is None:
        pytest.skip("pygambit enummixed_solve ran out of time")
    for (seed, size, game, eqs), their_eqs in zip(cases, theirs, strict=True):
        ours = [realization_plan(game, list(e.strategies)) for e in eqs]
        missing, extra = plan_differences(ours, [realization_plan(game, b) for b in their_eqs])
        assert not missing and not extra, (
            f"random_tree(2, {size}, {seed}): {len(missing)} of pygambit's plans missing, "
            f"{len(extra)} of ours extra; missing {missing[:2]}, extra {extra[:2]}")
    return len(cases)


@pytest.mark.oracle
@pytest.mark.parametrize("start", range(0, 40, BATCH))
def test_all_nash_equilibria_of_random_trees_equal_enummixed(start: int) -> None:
    compared = check_seeds(range(start, start + BATCH))
    assert compared >= 30  # of 60 trees; fewer would mean the work estimate left most out


@pytest.mark.slow
@pytest.mark.oracle
@pytest.mark.parametrize("start", range(40, 400, 2 * BATCH))
def test_all_nash_equilibria_of_random_trees_equal_enummixed_sweep(start: int) -> None:
    compared = check_seeds(range(start, start + 2 * BATCH))
    assert compared >= 60
