"""The catalogue: finding model files (checkout and wheel layout), the documented example, and
writing models back to TOML."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import deterrence as dt
from deterrence.catalogue import dumps_model, expression_text, loads_model, models_dir
from deterrence.model import Model, Parameter

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reference" / "model-format.md"


def doc_models() -> list[str]:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(), flags=re.S)
    return [b for b in blocks if "[model]" in b]


def test_list_models_matches_the_folder() -> None:
    files = dt.list_models("files")
    assert files == sorted(p.stem for p in (ROOT / "models").glob("*.toml"))
    assert "extended_deterrence" in files
    # the model families built in Python (no file) are listed with the files, by their builders
    families = dt.list_models("families")
    assert families == sorted(dt.catalogue.FAMILIES) and "collective_defence" in families
    assert dt.list_models() == sorted(files + families)
    assert all(hasattr(dt.builders, dt.catalogue.FAMILIES[name]) for name in families)
    assert dt.load_model("collective_defence") is dt.load_model("collective_defence")
    with pytest.raises(dt.ModelError, match="kinds are all, files, families"):
        dt.list_models("toml")


def test_the_documented_example_loads_and_solves_to_the_stated_threshold() -> None:
    (text,) = doc_models()
    m = loads_model(text, "model-format.md")
    assert m.name == "toy_deterrence" and m.players == ("Challenger", "Defender")
    g = m.game()
    assert g.chance_infos[0].probs == (Fraction(2, 5), Fraction(3, 5))
    # the derived threshold is what the tree implies: attack pays iff resolve < stakes / (stakes + cost)
    thr = m.derived_value("attack_threshold")
    assert thr == Fraction(2, 3)
    pay = {g.nodes[i].path: g.payoffs[g.terminal_index(i)] for i in g.terminals}
    for p in (0.5, 0.8):
        attack = p * pay["resolute/attack/fight"][0] + (1 - p) * pay["irresolute/attack/yield"][0]
        assert (attack > 0) == (p < thr)
    base = m.baseline()
    assert base.game().chance_infos[0].probs == (0, 1)
    with pytest.raises(dt.ParameterError, match="stakes > cost_defender"):
        m.game(cost_defender=2)


def test_every_documented_snippet_is_valid_toml() -> None:
    import tomllib

    for block in re.findall(r"```toml\n(.*?)```", DOC.read_text(), flags=re.S):
        tomllib.loads(block)


@pytest.mark.parametrize("name", dt.list_models("files"))
def test_dump_round_trip_of_shipped_models(name: str) -> None:
    m = dt.load_model(name)
    again = loads_model(dumps_model(m), "dumped.toml")
    assert again.players == m.players and again.terminals == m.terminals
    assert again.defaults == m.defaults
    assert {n: p.domain_text for n, p in again.parameters.items()} == {
        n: p.domain_text for n, p in m.parameters.items()
    }
    a, b = m.payoff_expressions(), again.payoff_expressions()
    assert all(sp.simplify(a[k][p] - b[k][p]) == 0 for k in a for p in a[k])
    assert [o.text for o in again.orderings] == [o.text for o in m.orderings]
    assert again.outcomes() == m.outcomes()
    assert again.baseline().outcomes() == m.baseline().outcomes()
    assert again.baseline().fixed == m.baseline().fixed
    np.testing.assert_array_equal(again.game().payoffs, m.game().payoffs)


def test_dump_of_a_python_built_model_uses_the_file_syntax() -> None:
    x, y = sp.symbols("x y", real=True)
    assert expression_text(sp.Min(x, y) + sp.Abs(x) + sp.exp(1)) == "abs(x) + min(x, y) + exp(1)"
    params = [Parameter("x", 0.5, (0, 1), "x"), Parameter("y", 1.0, (0, 2), "y", open_lower=True)]
    root = dt.decision(
        "A",
        {
            "a": dt.terminal({"A": sp.Max(x, y / 2), "B": sp.sqrt(y)}, "war"),
            "b": dt.chance(
                {
                    "h": (x, dt.terminal({"A": 0, "B": 1}, "status_quo")),
                    "t": (1 - x, dt.terminal({"A": 1, "B": 0}, "capitulation")),
                }
            ),
        },
    )
    m = Model.from_tree(root, name="py", players=["A", "B"], parameters=params)
    text = dumps_model(m)
    again = loads_model(text, "py.toml")
    assert again.payoff_expressions() == m.payoff_expressions()
    assert again.probability_expressions() == m.probability_expressions()
    assert again.parameters["y"].domain_text == "(0, 2]"
    assert (
        len(m.sha256) == 64
        and m.sha256 == Model.from_tree(root, name="py", players=["A", "B"], parameters=params).sha256
    )


def test_models_are_found_in_the_wheel_layout(tmp_path: Path) -> None:
    """An installed wheel carries models/ as deterrence/_models (pyproject force-include)."""
    assert '"models" = "deterrence/_models"' in (ROOT / "pyproject.toml").read_text()
    site = tmp_path / "site"
    shutil.copytree(
        ROOT / "deterrence", site / "deterrence", ignore=shutil.ignore_patterns("__pycache__", "_models")
    )
    shutil.copytree(ROOT / "models", site / "deterrence" / "_models")
    code = (
        "import deterrence as dt; from deterrence.catalogue import models_dir; "
        "print(models_dir()); print(dt.list_models()); print(dt.load_model('extended_deterrence').name)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == str(site / "deterrence" / "_models")
    assert "extended_deterrence" in lines[1] and lines[2] == "extended_deterrence"


def test_models_dir_exists() -> None:
    assert models_dir().is_dir()


@pytest.mark.parametrize("name", dt.list_models())
def test_every_model_defines_entrapment(name: str) -> None:
    """Issue 4: entrapment is defined per model in its file, also where it does not apply; a
    model whose terminals carry the label names them."""
    m = dt.load_model(name)
    assert m.entrapment.strip(), name
    labelled = [t for t, labels in m.outcomes().items() if "entrapment" in labels]
    if not labelled:
        assert "0 by construction" in " ".join(m.entrapment.split())
