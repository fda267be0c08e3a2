"""Exact certificates and solver answers on badly scaled payoffs.

An exact certificate (``exact=True``) passes only when every deviation gain is exactly 0: a
gain that is tiny against the payoffs' range (1 ulp at 1e29) is still a gain. Floating-point
certificates keep their stated tolerance, relative to each player's payoff range.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

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
