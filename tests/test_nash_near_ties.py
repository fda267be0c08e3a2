"""Two-player games within a hair of a payoff tie: ``exact=True`` answers exactly.

The floating-point vertex kernel counts a slack below ``1e-9`` as zero, so near a tie it
enumerates a nearby degenerate game; its label sets then fixed no exact profile and the exact
re-solve raised "ill-conditioned". ``exact=True`` now enumerates the vertices in integer
arithmetic. Checked against a rational support enumeration written here and against
pygambit's exact ``enummixed_solve``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from helpers.exact_bimatrix import brute_force_equilibria

import deterrence as dt
from deterrence.game.convert import reduced_normal_form
from deterrence.solvers._exact_vertices import exact_extreme_equilibria, exact_payoffs


def _regrets(a, b, x, y) -> tuple[Fraction, Fraction]:
    m, n = len(a), len(a[0])
    row_pay = [sum(a[i][j] * y[j] for j in range(n)) for i in range(m)]
    col_pay = [sum(b[i][j] * x[i] for i in range(m)) for j in range(n)]
    return (max(row_pay) - sum(p * q for p, q in zip(x, row_pay, strict=True)),
            max(col_pay) - sum(p * q for p, q in zip(y, col_pay, strict=True)))


@pytest.mark.parametrize("cohesion", [1 + 1e-9, 1 + 1e-12])
def test_snyder_near_tie_exact_matches_brute_force(cohesion: float) -> None:
    game = dt.load_model("snyder_alliance_dilemma").game(cohesion_value=cohesion)
    nf = reduced_normal_form(game).normal
    a, b = exact_payoffs(nf)
    truth = brute_force_equilibria(a, b)
    assert len(truth) == 3  # nondegenerate: two pure equilibria and a mixed one next to (strong, strong)
    res = dt.solve(nf, "nash", exact=True)
    assert res.complete and not res.degenerate
    assert len(res) == 3
    profiles, _, degenerate = exact_extreme_equilibria(nf)
    assert set(profiles) == truth and not degenerate
    tree = dt.solve(game, "nash", exact=True)  # through the tree: three behaviour profiles, none merged
    assert len(tree) == 3 and tree.complete and not tree.degenerate


def test_snyder_float_solve_sees_its_near_tie_and_solves_it_exactly() -> None:
    """In floats the game is degenerate within the tie tolerance (2 of the 3 equilibria): the solve
    sees payoffs closer than that tolerance, enumerates again in exact arithmetic, and says so."""
    game = dt.load_model("snyder_alliance_dilemma").game(cohesion_value=1 + 1e-12)
    res = dt.solve(game, "nash")
    assert not res.degenerate and len(res) == 3 and res.complete
    assert any("closer together than the floating-point tie tolerance" in note for note in res.notes)


def _brinkmanship_points() -> list[tuple[str, dict[str, float]]]:
    model = dt.load_model("brinkmanship")
    thresholds = {"risk": 2 / 9, "p_hard": 5 / 9, "target_acquiesced": 2.0}
    found = {t["parameter"]: t["numeric"] for p in thresholds for t in dt.threshold(model, p)
             if abs(t["numeric"] - thresholds[p]) < 1e-9}
    assert set(found) == set(thresholds)  # the thresholds are where the model says they are
    points = [("brinkmanship", {p: v + d}) for p, v in found.items() for d in (-1e-12, 1e-12)]
    return [*points, ("brinkmanship", {"risk": 2 / 9 + 1e-7}), ("egame122", {"u24": -1e-7})]


@pytest.mark.parametrize(("name", "values"), _brinkmanship_points())
def test_exact_solve_near_thresholds_agrees_with_pygambit(name: str, values: dict[str, float]) -> None:
    gbt = pytest.importorskip("pygambit")
    game = dt.load_model(name).game(**values)
    nf = reduced_normal_form(game).normal
    a, b = exact_payoffs(nf)
    res = dt.solve(nf, "nash", exact=True)  # raised "ill-conditioned" (or a failed certification)
    assert res.complete
    ours = {(tuple(Fraction(v) for v in e.strategies[0]), tuple(Fraction(v) for v in e.strategies[1]))
            for e in _exact_candidates(nf)}
    for x, y in ours:
        assert _regrets(a, b, x, y) == (0, 0)
    g = gbt.Game.from_arrays(np.array(a, dtype=object), np.array(b, dtype=object))
    theirs = {tuple(tuple(Fraction(str(eq[s])) for s in player.strategies) for player in g.players)
              for eq in gbt.nash.enummixed_solve(g, rational=True).equilibria}
    assert ours == theirs
    assert len(res) == len(ours)
    assert dt.solve(game, "nash", exact=True).complete  # the tree, through its reduced normal form


class _Exact:
    def __init__(self, x, y) -> None:
        self.strategies = (x, y)


def _exact_candidates(nf) -> list[_Exact]:
    profiles, _, _ = exact_extreme_equilibria(nf)
    return [_Exact(x, y) for x, y in profiles]


@pytest.mark.parametrize(("name", "values"),
                         [("brinkmanship", {"risk": 2 / 9 + 1e-7}), ("egame122", {"u24": -1e-7})])
def test_float_solve_on_a_steep_edge_finds_the_exact_extreme_equilibria(name: str, values: dict[str, float]
                                                                        ) -> None:
    """The float kernel's ratio test lumped two distinct small ratios (an absolute 1e-9 on the ratio)
    and stepped to an infeasible point: a candidate with regret 1e-7 failed certification."""
    nf = reduced_normal_form(dt.load_model(name).game(**values)).normal
    res = dt.solve(nf, "nash")
    exact = [np.concatenate([np.array(x, dtype=float), np.array(y, dtype=float)])
             for x, y in exact_extreme_equilibria(nf)[0]]
    ours = [np.concatenate([np.asarray(e.strategies[0]), np.asarray(e.strategies[1])]) for e in res]
    assert len(ours) == len(exact)
    for v in exact:
        assert min(np.abs(v - w).max() for w in ours) < 1e-9
