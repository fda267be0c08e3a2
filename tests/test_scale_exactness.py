"""Exact certificates and solver answers on badly scaled payoffs.

An exact certificate (``exact=True``) computes the regret in rational arithmetic and reports it
as it is (a real gain is never rounded to 0); it passes within the same tolerance, relative to
each player's payoff range, as a floating-point certificate, so that equilibria with irrational
probabilities, given in floats, can be certified.
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
    exact = dt.certify(tiny, pure, exact=True)
    assert exact.passed and exact.exact
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
    cert = dt.certify(tiny, not_eq, concept, beliefs=beliefs, exact=True)
    assert cert.passed and cert.regret > 0  # reported, within the tolerance
    assert not dt.certify(_gain_tree(s, s / 1e4), not_eq, concept, beliefs=beliefs, exact=True).passed
    assert dt.certify(tiny, equilibrium, concept, beliefs=beliefs, exact=True).regret == 0


def test_an_irrational_equilibrium_in_floats_passes_an_exact_certificate() -> None:
    # a 3-player game whose equilibria include an irrational one: the solver gives it in floats,
    # its exact regret is ~1e-16 of the range, and exact=True must not refuse it
    a = np.array([[[[-1, -1], [2, 1]], [[-4, 3], [3, 5]]], [[[3, -2], [-2, 2]], [[2, 2], [4, -2]]],
                  [[[5, -5], [-5, 5]], [[5, -2], [-4, -2]]]])
    res = dt.solve(dt.NormalFormGame(list(a)), "nash", exact=True)
    assert res.equilibria and all(e.certificate.passed and e.certificate.exact for e in res.equilibria)
    assert any(e.certificate.regret > 0 for e in res.equilibria)


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
