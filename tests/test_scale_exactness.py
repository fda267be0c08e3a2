"""Exact certificates and solver answers on badly scaled payoffs.

An exact certificate (``exact=True``) computes the regret in rational arithmetic and reports it
as it is (a real gain is never rounded to 0), and its verdict is exact: only a regret of exactly 0
passes (a floating-point certificate passes within ``tol`` of each player's payoff range). So an
equilibrium with irrational probabilities, given in floats, fails it, and an exact solve leaves
such candidates out and says so.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence import decision, terminal


def _gain_bimatrix(s: float, gain: float) -> dt.NormalFormGame:
    """Row's second strategy beats its first by ``gain`` against column 1."""
    a = np.array([[s, 0.0], [s + gain, 0.0]])
    return dt.NormalFormGame([a, np.array([[1.0, 0.0], [1.0, 0.0]])])  # column: column 1 dominates


@pytest.mark.parametrize("s", [1.0, 1e9, 1e29, 1e-12, 1e300])
def test_exact_normal_form_certificate_reports_the_exact_gain_at_any_scale(s: float) -> None:
    pure = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    tiny = _gain_bimatrix(s, float(np.spacing(s)))  # one ulp: within the relative tolerance
    assert dt.certify(tiny, pure).passed  # one ulp is within the float tolerance
    exact = dt.certify(tiny, pure, exact=True)
    assert not exact.passed and exact.exact  # but not an exact equilibrium
    assert exact.regret == pytest.approx(float(Fraction(s + np.spacing(s)) - Fraction(s)), rel=1e-12)
    assert exact.regret > 0
    big = _gain_bimatrix(s, s / 1e4)  # 1e-4 of the range: beyond it
    assert not dt.certify(big, pure, exact=True).passed
    assert not dt.certify(big, pure).passed
    assert dt.certify(tiny, [np.array([0.0, 1.0]), np.array([1.0, 0.0])], exact=True).regret == 0


def _gain_tree(s: float, gain: float) -> dt.ExtensiveFormGame:
    """A moves l (payoff ``s``) or r, after which B's x gives A ``gain`` more than ``s``."""
    return dt.ExtensiveFormGame(decision("A", {
        "l": terminal({"A": s, "B": 0.0}),
        "r": decision("B", {"x": terminal({"A": s + gain, "B": 1.0}), "y": terminal({"A": 0.0, "B": 0.0})}),
    }))


@pytest.mark.parametrize("s", [1.0, 1e29])
@pytest.mark.parametrize("concept", ["nash", "spe", "pbe"])
def test_exact_tree_certificate_reports_the_exact_gain(s: float, concept: str) -> None:
    beliefs = [np.array([1.0]), np.array([1.0])] if concept == "pbe" else None
    not_eq = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]  # A takes l, forgoing the gain
    equilibrium = [np.array([0.0, 1.0]), np.array([1.0, 0.0])]
    tiny = _gain_tree(s, float(np.spacing(s)))
    assert dt.certify(tiny, not_eq, concept, beliefs=beliefs).passed  # within the float tolerance
    cert = dt.certify(tiny, not_eq, concept, beliefs=beliefs, exact=True)
    assert not cert.passed and cert.regret > 0  # reported, and not an exact equilibrium
    assert not dt.certify(_gain_tree(s, s / 1e4), not_eq, concept, beliefs=beliefs, exact=True).passed
    assert dt.certify(tiny, equilibrium, concept, beliefs=beliefs, exact=True).regret == 0


def test_an_irrational_equilibrium_in_floats_is_left_out_of_an_exact_solve_which_says_so() -> None:
    # a 3-player game whose equilibria include an irrational one: the solver gives it in floats,
    # its exact regret is ~1e-16 of the range: certified within tol, but no exact equilibrium
    a = np.array([[[[-1, -1], [2, 1]], [[-4, 3], [3, 5]]], [[[3, -2], [-2, 2]], [[2, 2], [4, -2]]],
                  [[[5, -5], [-5, 5]], [[5, -2], [-4, -2]]]])
    g = dt.NormalFormGame(list(a))
    floats = dt.solve(g, "nash")
    assert len(floats) == 3 and floats.complete
    res = dt.solve(g, "nash", exact=True)
    assert len(res) == 2 and not res.complete  # the two rational equilibria, exactly
    assert all(e.certificate.passed and e.certificate.exact and e.certificate.regret == 0 for e in res)
    assert any("1 candidate of the method is no exact equilibrium" in n for n in res.notes)
    irrational = [e for e in floats if all(0 < p < 1 for s in e.strategies for p in s)]
    assert len(irrational) == 1 and not dt.certify(g, irrational[0].strategies, exact=True).passed


def test_an_exact_gain_below_the_float_range_is_not_rounded_to_zero() -> None:
    from deterrence.certificates import _gain

    tiny = Fraction(1, 10**400)
    assert float(tiny) == 0.0 and _gain(tiny) > 0.0
    assert _gain(Fraction(0)) == 0.0 and _gain(-tiny) <= 0.0 and _gain(0.25) == 0.25


# ----------------------------------------------------------------------------- logit QRE and scale
# QRE is not scale invariant in lambda, but lambda * payoff is: the QRE of ``a * G + b`` at
# ``lam / a`` is that of ``G`` at ``lam`` (the logit response ignores a constant), and so is the
# limit of the branch (``lam=None``). The solver divides by one common range and takes each
# player's shift off (exactly), so both hold in floating point too.


def _bimatrix(seed: int, shape: tuple[int, int] = (3, 3)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(-5, 6, shape).astype(float), rng.integers(-5, 6, shape).astype(float)


def _qre(game: object, lam: float | None) -> np.ndarray:
    eq = dt.solve(game, "qre", lam=lam)[0]
    assert eq.certificate.passed
    return np.concatenate([np.asarray(s, dtype=float) for s in eq.strategies])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), log_a=st.floats(-6, 6), lam=st.sampled_from([0.3, 1.0, 4.0]))
def test_qre_of_a_scaled_game_is_the_qre_at_the_scaled_precision(seed: int, log_a: float, lam: float) -> None:
    a_pay, b_pay = _bimatrix(seed)
    a = 10.0**log_a
    scaled = dt.NormalFormGame([a * a_pay, a * b_pay])
    np.testing.assert_allclose(_qre(scaled, lam / a), _qre(dt.NormalFormGame([a_pay, b_pay]), lam), atol=1e-8)


@pytest.mark.parametrize("shift", [1e6, 1e9, 2.0**40])
def test_qre_ignores_a_large_shift_of_the_payoffs(shift: float) -> None:
    """Payoffs near 1e9 stalled the tracing ('step size below 1e-10'), and the certificate's
    residual lost 1e-7 to cancellation: both now work on the payoffs less their shift."""
    a_pay, b_pay = _bimatrix(3)
    base, moved = dt.NormalFormGame([a_pay, b_pay]), dt.NormalFormGame([a_pay + shift, b_pay + shift])
    for lam in (0.5, 3.0, None):
        np.testing.assert_allclose(_qre(moved, lam), _qre(base, lam), atol=1e-8)


@pytest.mark.parametrize(("a", "b"), [(1e-6, 0.0), (1e6, 0.0), (1.0, 1e9), (2.0**20, 2.0**40)])
def test_tree_qre_of_an_affine_image_is_the_qre_at_the_scaled_precision(a: float, b: float) -> None:
    g = dt.load_model("extended_deterrence").game()
    moved = g.with_numbers([[a * float(v) + b for v in row] for row in g.payoff_values],
                           [list(ci.probs) for ci in g.chance_infos])
    for lam in (0.5, 3.0, None):
        np.testing.assert_allclose(_qre(moved, None if lam is None else lam / a), _qre(g, lam), atol=1e-8)


# ----------------------------------------------------------------------------- method choice and scale
def test_the_method_is_chosen_on_the_scale_the_game_is_solved_on() -> None:
    """``dt.solve`` solves a badly scaled game on a common scale, but chose the method, and
    estimated its work, on the game as given: at payoffs times 2**-40 (an exact map, the same
    equilibria) the PBE of ``chain_store`` went to the 'reputation' method, which refused the
    'prior' belief policy, while the game itself is solved by 'pbe'."""
    g = dt.load_model("chain_store").game()
    a = 2.0**-40
    small = g.with_numbers([[a * float(v) for v in row] for row in g.payoff_values],
                           [list(ci.probs) for ci in g.chance_infos])
    base, scaled = (dt.solve(x, "pbe", belief_policy="prior") for x in (g, small))
    assert scaled.method == base.method
    assert [[np.asarray(b).tolist() for b in e.strategies] for e in scaled] == \
        [[np.asarray(b).tolist() for b in e.strategies] for e in base]


def test_an_exact_tree_certificate_takes_float_payoffs_as_the_rationals_they_are() -> None:
    # in floats (0.1 + 0.5) / 2 == 0.3, but as rationals the lottery pays about 1.4e-17 more than
    # 0.3: taking l is no exact equilibrium (fixed bug: Fraction * float is a float, so the exact
    # tree certificate computed these payoffs in floating point)
    low, high = terminal({"A": 0.1, "B": 0.0}), terminal({"A": 0.5, "B": 0.0})
    lottery = dt.chance({"low": (0.5, low), "high": (0.5, high)})
    game = dt.ExtensiveFormGame(decision("A", {
        "l": terminal({"A": 0.3, "B": 0.0}),
        "r": decision("B", {"x": lottery, "y": terminal({"A": 0.0, "B": -1.0})}),
    }))
    take_l = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]  # B's x (off the path): A should take r
    take_r = [np.array([0.0, 1.0]), np.array([1.0, 0.0])]
    gain = (Fraction(0.1) + Fraction(0.5)) / 2 - Fraction(0.3)
    assert gain > 0
    assert dt.certify(game, take_l).passed  # in floats: a tie
    cert = dt.certify(game, take_l, exact=True)
    assert not cert.passed and cert.regret == pytest.approx(float(gain), rel=1e-9)
    assert dt.certify(game, take_r, exact=True).regret == 0
    res = dt.solve(game, "nash", exact=True)  # through the reduced normal form, built exactly
    found = [[s.tolist() for s in e.strategies] for e in res]
    assert res.complete and all(e.certificate.regret == 0 for e in res)
    assert [[0.0, 1.0], [1.0, 0.0]] in found and [[1.0, 0.0], [1.0, 0.0]] not in found
    # A takes l only if B's threat y has probability at least gain / 0.3...: 4.6e-17, exactly
    threat = float(gain / ((Fraction(0.1) + Fraction(0.5)) / 2))
    assert sorted(f[1][1] for f in found if f[0] == [1.0, 0.0]) == [threat, 1.0]


def test_an_exact_tree_solve_uses_the_trees_numbers_not_their_floats() -> None:
    # the model's payoff 2.000000001 is the decimal 2000000001/10**9, not its float: the mixed
    # equilibrium mixes 1e9 : 1 exactly (fixed bug: the reduced normal form held the floats, so the
    # exact solve found the equilibrium of a slightly different game)
    game = dt.load_model("snyder_alliance_dilemma").game(cohesion_value=1 + 1e-9)
    res = dt.solve(game, "nash", exact=True)
    assert len(res) == 3 and res.complete
    assert all(e.certificate.exact and e.certificate.regret == 0 for e in res)
    mixed = [e for e in res if 0 < e.strategies[0][0] < 1]
    assert len(mixed) == 1 and mixed[0].strategies[0][1] == float(Fraction(1, 10**9 + 1))
