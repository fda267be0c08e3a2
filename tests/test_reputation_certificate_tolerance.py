"""``certify_reputation`` computes exactly but passes within ``tol``: ``tol=0`` gives the exact
verdict, and a tolerance that is negative or not a number is a typed error, not a silent fail."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

import deterrence as dt
from deterrence.certificates import certify_reputation


class _Nudged:
    """The weak type resists in the last market with ``1e-12`` more probability than it should."""

    def __init__(self, base: object) -> None:
        self.base = base

    def play(self, k: int, q: F) -> tuple:
        out = self.base.play(k, q)
        return (out[0], out[1], out[2] + F(1, 10**12)) if k == 4 and out[2] + F(1, 10**12) <= 1 else out

    def posterior(self, k: int, q: F, o: int) -> F:
        return self.base.posterior(k, q, o)


def test_tolerance_is_the_verdict_and_zero_is_exact() -> None:
    game = dt.builders.chain_store_game(markets=5)
    eq = dt.solve_reputation(game)
    assert certify_reputation(game, eq.profile, tol=0).passed  # the solver's answer is exact
    nudged = certify_reputation(game, _Nudged(eq.profile))
    # passed within the default tol, so its verdict is not exact (Certificate.exact: an exact verdict)
    assert not nudged.exact and nudged.regret > 0 and nudged.passed
    strict = certify_reputation(game, _Nudged(eq.profile), tol=0)
    assert not strict.passed and strict.exact
    assert certify_reputation(game, eq.profile).exact  # regret exactly 0: exact under any tol


@pytest.mark.parametrize("tol", [-1.0, float("nan"), float("inf"), True, "0"])
def test_a_bad_tolerance_is_a_typed_error(tol: object) -> None:
    game = dt.builders.chain_store_game(markets=3)
    eq = dt.solve_reputation(game)
    with pytest.raises(dt.SolverError, match="tol must be"):
        certify_reputation(game, eq.profile, tol=tol)
