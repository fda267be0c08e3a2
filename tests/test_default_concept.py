"""One default solution concept per model, whatever the entry point (docs/how-to/choose-concept.md).

A model that declares both ``spe`` and ``pbe`` (``extended_deterrence`` declares ``spe, pbe,
qre``) used to be solved as an SPE by ``deterrence solve`` and ``dt.numeric_threshold`` (the
first declared concept) but as a PBE by ``dt.sweep``, ``dt.regimes`` and the explorer; and
``deterrence regimes --belief-policy d1`` scanned an SPE under a belief policy that only a PBE
has. Also here: what ``dt.solve`` says when it is given a model or a name instead of a game.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import deterrence as dt
from deterrence.cli import main
from deterrence.equilibrium import DEFAULT_CONCEPT_ORDER, default_concept


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("name", dt.list_models())
def test_every_model_has_the_default_the_rule_gives(name: str) -> None:
    model = dt.load_model(name)
    assert model.default_concept == default_concept(model.concepts)
    assert model.default_concept in model.concepts


def test_the_rule_prefers_the_concept_that_handles_the_most() -> None:
    assert DEFAULT_CONCEPT_ORDER == ("pbe", "spe", "nash", "qre")
    assert default_concept(("spe", "pbe", "qre")) == "pbe"
    assert default_concept(("qre", "spe")) == "spe"
    assert default_concept(("qre", "nash")) == "nash"
    assert default_concept(()) == "pbe"


def test_cli_solve_uses_the_same_concept_as_the_sweep(capsys, tmp_path) -> None:
    model = dt.load_model("extended_deterrence")
    assert model.concepts[0] == "spe"  # the case that differed: the first declared is not the default
    solved = json.loads(_cli(capsys, "solve", "extended_deterrence", "--set", "credibility=0.7", "--json"))
    swept = dt.sweep(model, grid={"credibility": np.array([0.7])}, progress=False)
    assert solved["concept"] == swept.manifest["concept"] == model.default_concept == "pbe"


def test_cli_regimes_numeric_path_scans_a_pbe_under_d1(capsys) -> None:
    out = _cli(capsys, "regimes", "extended_deterrence", "--belief-policy", "d1",
               "--threshold", "credibility", "--grid", "5")
    assert "(pbe, beliefs d1)" in out.splitlines()[0], out


def test_numeric_threshold_defaults_to_the_models_concept(monkeypatch) -> None:
    import deterrence._solve as solve_module

    seen: list[str] = []
    real = solve_module.solve

    def spy(game, concept="nash", *args, **kwargs):
        seen.append(concept)
        return real(game, concept, *args, **kwargs)

    monkeypatch.setattr(solve_module, "solve", spy)  # _boundaries imports it when it scans
    dt.numeric_threshold("extended_deterrence", "credibility", grid=3, tol=0.2)
    assert seen and set(seen) == {"pbe"}, seen


@pytest.mark.parametrize(("given", "advice"), [
    ("extended_deterrence", "dt.load_model('extended_deterrence').game(...)"),
    ("entry.efg", "dt.read_game('entry.efg')"),
])
def test_solve_given_a_name_says_how_to_get_a_game(given: str, advice: str) -> None:
    with pytest.raises(dt.GameError, match=r"not str") as err:
        dt.solve(given)
    assert advice in str(err.value)


@pytest.mark.parametrize("name", ["extended_deterrence", "collective_defence"])
def test_solve_given_a_model_says_to_call_game(name: str) -> None:
    model = dt.load_model(name)
    with pytest.raises(dt.GameError) as err:
        dt.solve(model, concept="pbe")
    text = str(err.value)
    assert "model.game(" in text and f"model.game({next(iter(model.parameters))}=...)" in text


def test_solve_given_something_else_names_only_its_type() -> None:
    with pytest.raises(dt.GameError, match=r"not int$"):
        dt.solve(3)
