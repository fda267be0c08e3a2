"""Equilibria a near-tie parameter puts very close together are all reported, not merged.

At ``cohesion_value = 1 + 1e-7`` the Snyder alliance game (``entrapment_risk = 1``) is a
nondegenerate Stag Hunt with three isolated equilibria; its mixed one (each ally strong with
probability ``epsilon / beta = 1 / (1 + 1e-7)``) lies ``1e-7`` from the pure (strong, strong).
The solver used to merge the two as one "duplicate" (closer than ``10 * tol``) and still say
``complete=True``. The reference here is a brute force in exact rational arithmetic over the
2x2 game's supports, written for the tests (``helpers.exact_bimatrix``).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from helpers.exact_bimatrix import brute_force_equilibria

import deterrence as dt


def _two_by_two_equilibria(a: list[list[Fraction]], b: list[list[Fraction]]
                           ) -> list[tuple[Fraction, Fraction]]:
    """Every Nash equilibrium of a nondegenerate 2x2 game as (P(row 0), P(column 0)), exactly
    (the exact support enumeration of ``helpers.exact_bimatrix``)."""
    return [(x[0], y[0]) for x, y in brute_force_equilibria(a, b)]


def _snyder_matrices(alpha: Fraction, beta: Fraction, eps: Fraction) -> tuple[list, list]:
    """Ally1's and Ally2's payoffs, rows/columns (strong, weak), from the model file's terminals."""
    a = [[alpha - eps + beta, -eps], [alpha, Fraction(0)]]
    b = [[a[0][0], alpha], [-eps, Fraction(0)]]
    return a, b


@pytest.mark.parametrize("gap", [1e-7, 5e-8, 1e-6, 1e-5])
def test_snyder_near_tie_keeps_the_mixed_equilibrium(gap: float) -> None:
    beta = 1 + gap
    a, b = _snyder_matrices(Fraction(2), Fraction(beta), Fraction(1))
    want = sorted(_two_by_two_equilibria(a, b))
    assert len(want) == 3  # the game is a nondegenerate Stag Hunt
    eqs = dt.solve(dt.load_model("snyder_alliance_dilemma").game(cohesion_value=beta))
    got = sorted((e.profile["Ally1"]["ally1"]["strong"], e.profile["Ally2"]["ally2"]["strong"]) for e in eqs)
    assert eqs.complete and len(got) == len(want), (got, want)
    np.testing.assert_allclose(np.array(got, dtype=float), np.array(want, dtype=float), rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["support_enumeration", "vertex_enumeration", "auto"])
def test_normal_form_near_tie_keeps_the_mixed_equilibrium(method: str) -> None:
    a, b = _snyder_matrices(Fraction(2), Fraction(1 + 5e-8), Fraction(1))
    want = _two_by_two_equilibria(a, b)
    game = dt.NormalFormGame([np.array(a, dtype=float), np.array(b, dtype=float)])
    eqs = dt.solve(game, method=method)
    assert eqs.complete and len(eqs) == len(want) == 3, [e.strategies for e in eqs]
