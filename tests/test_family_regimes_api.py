"""The regimes of a model family expose what a single model's regimes do (``concept``,
``belief_policy``), and a misspelt belief policy is a typed error, not silently ignored."""

from __future__ import annotations

import pytest

import deterrence as dt


@pytest.fixture(scope="module")
def family() -> object:
    return dt.load_model("collective_defence")


@pytest.fixture(scope="module")
def free_regimes(family: object) -> object:
    """The family's regimes under the default policy (read only: shared by the tests below)."""
    return dt.regimes(family)


def test_family_regimes_has_the_single_model_attributes(family: object) -> None:
    single = dt.regimes("extended_deterrence")
    fam = dt.regimes(family, belief_policy="prior")
    for name in ("model", "concept", "belief_policy", "symbols", "fixed", "notes", "latex_names"):
        assert hasattr(single, name) and hasattr(fam, name), name
    assert (fam.concept, fam.belief_policy) == ("pbe", "prior")
    assert "belief policy prior" in fam.to_text()


def test_family_regimes_says_what_free_beliefs_add(free_regimes: object) -> None:
    fam = free_regimes  # the default policy, "free"
    assert fam.belief_policy == "free"
    assert any("only other off-path beliefs support" in n for n in fam.notes)


def test_family_regimes_rejects_a_misspelt_belief_policy(family: object) -> None:
    with pytest.raises(dt.OptionError, match="unknown belief policy 'fre'"):
        dt.regimes(family, belief_policy="fre")


def test_family_threshold_rejects_a_misspelt_belief_policy(family: object) -> None:
    # the misspelt policy used to be swallowed with the exact candidates (OptionError is an
    # UnsupportedError) and the numeric scan then ran with it: an answer computed without it
    with pytest.raises(dt.OptionError, match="unknown belief policy 'prio'"):
        dt.threshold(family, "credibility", belief_policy="prio")


def test_family_kernel_rejects_a_misspelt_belief_policy(family: object) -> None:
    with pytest.raises(dt.OptionError, match="unknown belief policy 'prio'"):
        family.compiled_kernel("pbe", "prio")


def test_family_boundaries_refuse_unknown_names(family: object) -> None:
    regs = dt.regimes(family, members=3)
    at = {n: p.default for n, p in family.parameters.items() if n not in ("members", "pledge", "credibility")}
    assert regs.boundaries("credibility", at)  # the defaults have boundaries on credibility
    with pytest.raises(dt.ParameterError, match="credibilty"):
        regs.boundaries("credibilty", at)
    misspelt = {("cost_aly" if k == "cost_ally" else k): v for k, v in at.items()}
    with pytest.raises(dt.ParameterError, match="cost_aly"):
        regs.boundaries("credibility", misspelt)
    with pytest.raises(dt.ParameterError, match="members"):
        regs.boundaries("credibility", {**at, "members": 5})  # the regimes are written for 3


def test_cli_regimes_json_of_a_family(capsys: pytest.CaptureFixture[str], free_regimes: object) -> None:
    import json

    from deterrence.cli import main

    # used to crash: the JSON writer read single-model attributes a family's regimes do not have
    assert main(["regimes", "collective_defence", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["label"] for r in doc["regimes"]] == list(free_regimes.conditions)  # of the same model
    (crossing,) = doc["threshold"]["crossings"]
    assert crossing["value"] == "17/15 - sqrt(2635)/75" and crossing["exact"]
    # by hand: 3 members, ratio contest from p(0) = 0.3, p(1) = 0.8 (p(2) = 53/60, p(3) = 78/85);
    # the committed types join iff D(pi) = (1-pi)^2/2 + 2 pi (1-pi)/12 + pi^2 7/204 >= 0.3 - 0.1
    import sympy as sp

    pi = sp.Symbol("pi")
    marginal = (1 - pi) ** 2 / 2 + 2 * pi * (1 - pi) / 12 + pi**2 * sp.Rational(7, 204)
    (root,) = [r for r in sp.solve(sp.Eq(marginal, sp.Rational(1, 5)), pi) if 0 < r < 1]
    assert sp.simplify(root - sp.sympify(crossing["value"])) == 0


def test_audience_multiplier_takes_codes_not_text() -> None:
    from deterrence.families import audience_multiplier

    assert audience_multiplier(3) == audience_multiplier(3.0) == 1.0
    for bad in ("3", None, True, 2.5, 7):  # "3" was read as the defence pact, None a TypeError
        with pytest.raises(dt.ParameterError, match="not a pledge type code") as err:
            audience_multiplier(bad, "pledge_2")
        assert err.value.name == "pledge_2"
