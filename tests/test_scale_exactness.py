"""Exact certificates and solver answers on badly scaled payoffs.

An exact certificate (``exact=True``) passes only when every deviation gain is exactly 0: a
gain that is tiny against the payoffs' range (1 ulp at 1e29) is still a gain. Floating-point
certificates keep their stated tolerance, relative to each player's payoff range.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence import decision, terminal


def _ulp_gain_bimatrix(s: float) -> dt.NormalFormGame:
    """Row's second strategy beats its first by one ulp of ``s`` against column 1."""
    a = np.array([[s, 0.0], [s + np.spacing(s), 0.0]])
    return dt.NormalFormGame([a, np.array([[1.0, 0.0], [1.0, 0.0]])])  # column: column 1 dominates


@pytest.mark.parametrize("s", [1.0, 1e9, 1e29, 1e-12, 1e300])
def test_exact_normal_form_certificate_fails_on_a_positive_gain_at_any_scale(s: float) -> None:
    g = _ulp_gain_bimatrix(s)
    pure = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    gain = Fraction(s + np.spacing(s)) - Fraction(s)
    exact = dt.certify(g, pure, exact=True)
    assert not exact.passed and exact.exact
    assert exact.regret == pytest.approx(float(gain), rel=1e-12)
    # the float certificate's tolerance is relative to the range, as documented: one ulp passes
    assert dt.certify(g, pure).passed
    assert dt.certify(g, [np.array([0.0, 1.0]), np.array([1.0, 0.0])], exact=True).passed


def test_exact_normal_form_certificate_fails_on_a_gain_below_the_tolerance() -> None:
    g = dt.NormalFormGame([np.array([[1.0, 0.0], [1.0 + 1e-10, 0.0]]), np.eye(2)])
    pure = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    assert dt.certify(g, pure, tol=1e-8).passed
    assert not dt.certify(g, pure, tol=1e-8, exact=True).passed


def _ulp_gain_tree(s: float) -> dt.ExtensiveFormGame:
    """A moves l (payoff ``s``) or r, after which B's x gives A one ulp more than ``s``."""
    u = np.spacing(s)
    return dt.ExtensiveFormGame(decision("A", {
        "l": terminal({"A": s, "B": 0.0}),
        "r": decision("B", {"x": terminal({"A": s + u, "B": 1.0}), "y": terminal({"A": 0.0, "B": 0.0})}),
    }))


@pytest.mark.parametrize("s", [1.0, 1e29])
@pytest.mark.parametrize("concept", ["nash", "spe", "pbe"])
def test_exact_tree_certificate_fails_on_a_positive_gain(s: float, concept: str) -> None:
    g = _ulp_gain_tree(s)
    beliefs = [np.array([1.0]), np.array([1.0])] if concept == "pbe" else None
    not_eq = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]  # A takes l, forgoing one ulp
    equilibrium = [np.array([0.0, 1.0]), np.array([1.0, 0.0])]
    assert dt.certify(g, not_eq, concept, beliefs=beliefs).passed  # within the float tolerance
    cert = dt.certify(g, not_eq, concept, beliefs=beliefs, exact=True)
    assert not cert.passed and cert.regret > 0
    assert dt.certify(g, equilibrium, concept, beliefs=beliefs, exact=True).passed


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
