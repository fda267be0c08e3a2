"""The regimes of a model family expose what a single model's regimes do (``concept``,
``belief_policy``), and a misspelt belief policy is a typed error, not silently ignored."""

from __future__ import annotations

import pytest

import deterrence as dt


@pytest.fixture(scope="module")
def family() -> object:
    return dt.load_model("collective_defence")


def test_family_regimes_has_the_single_model_attributes(family: object) -> None:
    single = dt.regimes("extended_deterrence")
    fam = dt.regimes(family, belief_policy="prior")
    for name in ("model", "concept", "belief_policy", "symbols", "fixed", "notes", "latex_names"):
        assert hasattr(single, name) and hasattr(fam, name), name
    assert (fam.concept, fam.belief_policy) == ("pbe", "prior")
    assert "belief policy prior" in fam.to_text()


def test_family_regimes_says_what_free_beliefs_add(family: object) -> None:
    fam = dt.regimes(family)  # the default policy, "free"
    assert fam.belief_policy == "free"
    assert any("only other off-path beliefs support" in n for n in fam.notes)


def test_family_regimes_rejects_a_misspelt_belief_policy(family: object) -> None:
    with pytest.raises(dt.OptionError, match="unknown belief policy 'fre'"):
        dt.regimes(family, belief_policy="fre")
