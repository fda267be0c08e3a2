"""The strategic statistical models (R package ``games``): closed forms, conventions, QRE agreement.

The reference numbers G1-G3 are those of ``docs/discussion/derivations.md#statistical-models`` (computed
from the package's formulas by an independent script, provenance N); the agreement with the
generic QRE solver checks the package's convention that its logit agent model is a logit QRE
with lambda = 1/sqrt(2).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import deterrence as dt
from deterrence.solvers.qre import qre_at
from deterrence.studies.statistical import (
    LAMBDA_AGENT,
    choice_probabilities,
    egame12_probs,
    egame122_probs,
    egame123_probs,
)

G1 = dict(u11=0.5, u13=1, u14=-1, u24=0.5)
G2 = dict(u11=1, u12=0, u13=0.5, u14=2, u22=-0.5, u24=1)
G3 = dict(u11=0, u13=1, u15=-1, u16=2, u23=0.5, u25=1, u26=-1, u36=0.3)


def _close(result, expected: dict[str, float]) -> None:
    got = {**result.choices, **result.outcomes}
    for k, v in expected.items():
        assert float(got[k]) == pytest.approx(v, abs=1e-6), k


@pytest.mark.parametrize(
    ("link", "kind", "expected"),
    [
        (
            "probit",
            "agent",
            dict(p4=0.638163, p2=0.291521, outcome1=0.708479, outcome3=0.105483, outcome4=0.186038),
        ),
        (
            "probit",
            "private",
            dict(p4=0.638163, p2=0.265673, outcome1=0.734327, outcome3=0.096130, outcome4=0.169543),
        ),
        (
            "logit",
            "agent",
            dict(p4=0.587479, p2=0.382898, outcome1=0.617102, outcome3=0.157953, outcome4=0.224944),
        ),
    ],
)
def test_g1_egame12(link: str, kind: str, expected: dict[str, float]) -> None:
    _close(egame12_probs(**G1, link=link, type=kind), expected)


def test_g2_egame122() -> None:
    _close(
        egame122_probs(**G2),
        dict(
            p2=0.760736,
            p4=0.361837,
            p6=0.760250,
            outcome1=0.152690,
            outcome2=0.086575,
            outcome3=0.182386,
            outcome4=0.578349,
        ),
    )
    _close(
        egame122_probs(**G2, type="private"),
        dict(p2=0.822545, outcome1=0.113245, outcome2=0.064210, outcome3=0.197205, outcome4=0.625340),
    )


def test_g3_egame123() -> None:
    _close(
        egame123_probs(**G3),
        dict(
            p2=0.742567,
            p4=0.318340,
            p6=0.583998,
            outcome1=0.257433,
            outcome3=0.506178,
            outcome5=0.098338,
            outcome6=0.138051,
        ),
    )
    _close(
        egame123_probs(**G3, type="private"),
        dict(
            p2=0.772270,
            p4=0.293610,
            outcome1=0.227730,
            outcome3=0.545524,
            outcome5=0.094327,
            outcome6=0.132419,
        ),
    )


def test_model_defaults_are_the_reference_cases() -> None:
    for name, ref in (("egame12", G1), ("egame122", G2), ("egame123", G3)):
        assert dt.load_model(name).defaults == {k: float(v) for k, v in ref.items()}


def test_logit_private_is_coerced_to_probit_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="probit"):
        r = egame12_probs(**G1, link="logit", type="private")
    assert r.link == "probit"
    p = egame12_probs(**G1, type="private")
    assert float(r.choices["p2"]) == float(p.choices["p2"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        egame12_probs(**G1, link="logit", type="agent")  # no warning there


def _terminal_vector(game, outcomes) -> np.ndarray:
    return np.array([float(outcomes[game.nodes[v].label]) for v in game.terminals])


def _random_utilities(model, rng: np.random.Generator) -> dict[str, float]:
    return {k: float(rng.uniform(-3, 3)) for k in model.parameters}


@pytest.mark.parametrize("name", ["egame12", "egame122", "egame123"])
def test_logit_agent_equals_the_generic_qre_solver_at_lambda_one_over_sqrt2(name: str) -> None:
    m = dt.load_model(name)
    rng = np.random.default_rng(7)
    points = [m.defaults] + [_random_utilities(m, rng) for _ in range(8)]
    for values in points:
        g = m.game(**values)
        eqs = dt.solve(g, "qre", lam=1 / math.sqrt(2))
        assert len(eqs) == 1 and eqs[0].certificate.passed
        solver = g.terminal_probabilities(eqs[0].strategies)
        closed = _terminal_vector(g, choice_probabilities(m, link="logit", **values).outcomes)
        np.testing.assert_allclose(solver, closed, atol=1e-9)
    assert LAMBDA_AGENT == pytest.approx(1 / math.sqrt(2))


@pytest.mark.parametrize("name", ["egame12", "egame122", "egame123"])
def test_probit_agent_equals_the_probit_qre_at_lambda_one_over_sqrt2(name: str) -> None:
    m = dt.load_model(name)
    rng = np.random.default_rng(11)
    for values in [m.defaults] + [_random_utilities(m, rng) for _ in range(4)]:
        g = m.game(**values)
        point = qre_at(g, 1 / math.sqrt(2), link="probit")
        solver = g.terminal_probabilities(point.strategies)
        closed = _terminal_vector(g, choice_probabilities(m, link="probit", **values).outcomes)
        np.testing.assert_allclose(solver, closed, atol=1e-9)


def test_scale_is_a_precision() -> None:
    # sigma scales the error: logit agent with sigma equals the logit QRE at lambda = 1/(sigma sqrt 2)
    m = dt.load_model("egame123")
    g = m.game()
    eqs = dt.solve(g, "qre", lam=1 / (0.5 * math.sqrt(2)))
    closed = _terminal_vector(g, egame123_probs(**G3, link="logit", scale=0.5).outcomes)
    np.testing.assert_allclose(g.terminal_probabilities(eqs[0].strategies), closed, atol=1e-9)


@pytest.mark.parametrize("kind", ["agent", "private"])
def test_small_errors_converge_to_the_subgame_perfect_equilibrium(kind: str) -> None:
    for name in ("egame12", "egame122", "egame123"):
        m = dt.load_model(name)
        g = m.game()
        spe = dt.solve(g, "spe")
        assert len(spe) == 1
        r = choice_probabilities(m, type=kind, scale=1e-4)
        np.testing.assert_allclose(
            _terminal_vector(g, r.outcomes), g.terminal_probabilities(spe[0].strategies), atol=1e-9
        )


def test_arrays_broadcast_and_match_pointwise() -> None:
    rng = np.random.default_rng(3)
    u = {k: rng.normal(size=(50,)) for k in G3}
    u["u36"] = 0.3  # a scalar broadcasts
    for kind in ("agent", "private"):
        r = egame123_probs(**u, type=kind)
        for i in (0, 17, 49):
            one = egame123_probs(**{k: (v[i] if np.ndim(v) else v) for k, v in u.items()}, type=kind)
            for k in one.outcomes:
                assert r.outcomes[k][i] == pytest.approx(float(one.outcomes[k]), abs=1e-15)
        total = sum(r.outcomes.values())
        np.testing.assert_allclose(total, 1.0, atol=1e-12)


def test_private_information_variance_differs_from_agent_error() -> None:
    # where Player 2 mixes, the private-information denominator sqrt(1 + p3^2 + p4^2) is not sqrt(2)
    a = egame12_probs(**G1, type="agent")
    p = egame12_probs(**G1, type="private")
    assert float(a.choices["p4"]) == float(p.choices["p4"])
    assert abs(float(a.choices["p2"]) - float(p.choices["p2"])) > 0.02


def test_errors_name_the_culprit() -> None:
    with pytest.raises(dt.ParameterError, match="link"):
        egame12_probs(**G1, link="cauchit")
    with pytest.raises(dt.ParameterError, match="type"):
        egame12_probs(**G1, type="mixed")
    with pytest.raises(dt.ParameterError, match="scale"):
        egame12_probs(**G1, scale=0)
    with pytest.raises(dt.ParameterError, match="u13"):
        egame12_probs(**{**G1, "u13": float("nan")})
    with pytest.raises(dt.ParameterError, match="ultimatum"):
        choice_probabilities("ultimatum")
    with pytest.raises(dt.ParameterError, match="u99"):
        choice_probabilities("egame12", u99=1.0)
