"""Parametric models: the shipped catalogue, Model.game / evaluate / baseline, and every error case
of the model-file format (each naming the file, the key and the line)."""

from __future__ import annotations

import hashlib
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.catalogue import loads_model, models_dir
from deterrence.errors import DeterrenceError, ExpressionError, ModelError, ParameterError
from deterrence.game import decision, terminal
from deterrence.model import Model, Parameter
from deterrence.outcomes import OUTCOMES

ROOT = Path(__file__).resolve().parents[1]


def line_of(text: str, needle: str, occurrence: int = 0) -> int:
    """1-based line of the n-th line containing ``needle`` (computed independently of the library)."""
    hits = [i for i, ln in enumerate(text.splitlines(), start=1) if needle in ln]
    return hits[occurrence]


# ----------------------------------------------------------------------------- the shipped catalogue
def test_list_models_from_a_fresh_interpreter() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import deterrence as dt; print(dt.list_models())"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    assert "extended_deterrence" in out.stdout


@pytest.mark.parametrize("name", dt.list_models("files"))
def test_every_shipped_model_loads_and_builds(name: str) -> None:
    m = dt.load_model(name)
    path = models_dir() / f"{name}.toml"
    assert m.name == name == path.stem
    assert m.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert m.concepts and m.references and m.title
    for p in m.parameters.values():
        assert p.description, f"parameter {p.name} has no description"
        assert p.contains(float(p.default))
    g = m.game()
    assert g.players == m.players
    assert len(g.terminals) == len(m.terminals)
    # the game's terminals come in the model's preorder, with the model's node ids as labels
    assert [g.nodes[i].label for i in g.terminals] == list(m.terminals)
    assert [g.nodes[i].path for i in g.terminals] == [m.paths[t] for t in m.terminals]
    for labels in g.terminal_outcomes:
        assert labels and set(labels) <= set(OUTCOMES)
    # the baseline (if declared) is a model over the same parameters
    try:
        base = m.baseline()
    except ModelError:
        return
    assert base.is_baseline and set(base.parameters) == set(m.parameters)
    base.game()


def test_models_dir_holds_the_checkout_models() -> None:
    """From a checkout (editable install) it is ``models/``; from a wheel, the packaged copy
    ``deterrence/_models``, which must hold the same files."""
    found = models_dir()
    checkout = ROOT / "models"
    assert found == checkout or found.parts[-2:] == ("deterrence", "_models")
    ours = {p.name: p.read_bytes() for p in checkout.glob("*.toml")}
    theirs = {p.name: p.read_bytes() for p in found.glob("*.toml")}
    assert ours and theirs == ours


# ----------------------------------------------------------------------------- extended deterrence
DEFAULTS = dict(
    credibility=0.5,
    stakes=1.0,
    p_alone=0.3,
    p_allied=0.8,
    cost_attacker=0.4,
    cost_defender=0.35,
    cost_ally=0.3,
    interest_committed=1.0,
    interest_uncommitted=0.2,
    audience_cost=0.1,
)


def expected_payoffs(v: dict[str, float]) -> dict[str, tuple[float, float, float]]:
    """The payoffs of the file, written out by hand (Attacker, Defender, Ally)."""
    s, p0, p1 = v["stakes"], v["p_alone"], v["p_allied"]
    cA, cD, cL, a = v["cost_attacker"], v["cost_defender"], v["cost_ally"], v["audience_cost"]
    out = {}
    for t, w in (("committed", v["interest_committed"]), ("uncommitted", v["interest_uncommitted"])):
        out[f"{t}/no_attack"] = (0, s, w * s)
        out[f"{t}/attack/concede"] = (s, 0, 0)
        out[f"{t}/attack/resist/intervene"] = ((1 - p1) * s - cA, p1 * s - cD, w * p1 * s - cL)
        out[f"{t}/attack/resist/stay_out"] = ((1 - p0) * s - cA, p0 * s - cD, w * p0 * s - a)
    return out


def game_payoffs(g: dt.ExtensiveFormGame) -> dict[str, tuple[float, ...]]:
    return {g.nodes[i].path: tuple(g.payoffs[g.terminal_index(i)]) for i in g.terminals}


def test_extended_deterrence_defaults_by_hand() -> None:
    m = dt.load_model("extended_deterrence")
    assert m.defaults == DEFAULTS
    g = m.game()
    assert g.players == ("Attacker", "Defender", "Ally")
    got = game_payoffs(g)
    want = {
        "committed/no_attack": (0, 1, 1),
        "committed/attack/concede": (1, 0, 0),
        "committed/attack/resist/intervene": (-0.2, 0.45, 0.5),
        "committed/attack/resist/stay_out": (0.3, -0.05, 0.2),
        "uncommitted/no_attack": (0, 1, 0.2),
        "uncommitted/attack/concede": (1, 0, 0),
        "uncommitted/attack/resist/intervene": (-0.2, 0.45, -0.14),
        "uncommitted/attack/resist/stay_out": (0.3, -0.05, -0.04),
    }
    assert set(got) == set(want)
    for path, row in want.items():
        np.testing.assert_allclose(got[path], row, atol=1e-12, err_msg=path)
    # exact: decimals stay decimals
    idx = {g.nodes[i].path: g.terminal_index(i) for i in g.terminals}
    assert g.payoff_values[idx["uncommitted/attack/resist/intervene"]] == (
        Fraction(-1, 5),
        Fraction(9, 20),
        Fraction(-7, 50),
    )
    (ch,) = g.chance_infos
    assert ch.actions == ("committed", "uncommitted") and ch.probs == (Fraction(1, 2), Fraction(1, 2))
    # information: the Attacker and the Defender do not know the ally's type; the ally does
    sets = {h.name: (g.players[h.player], len(h.nodes), h.actions) for h in g.infosets}
    assert sets == {
        "attacker": ("Attacker", 2, ("no_attack", "attack")),
        "defender": ("Defender", 2, ("concede", "resist")),
        "ally_committed": ("Ally", 1, ("intervene", "stay_out")),
        "ally_uncommitted": ("Ally", 1, ("intervene", "stay_out")),
    }
    labels = {g.nodes[i].path: g.terminal_outcomes[g.terminal_index(i)] for i in g.terminals}
    assert labels["uncommitted/attack/resist/intervene"] == ("allied_war", "entrapment")
    assert labels["committed/attack/resist/intervene"] == ("allied_war",)
    assert labels["committed/attack/resist/stay_out"] == ("war", "abandonment")


@pytest.mark.parametrize(
    "values",
    [
        dict(credibility=0.7, cost_attacker=0.1),
        dict(
            credibility=0.05,
            stakes=3,
            audience_cost=2.5,
            interest_committed=2,
            interest_uncommitted=0.1,
            cost_ally=0.5,
        ),
        dict(p_alone=0.1, p_allied=0.95, cost_ally=0.05, interest_uncommitted=0.0, interest_committed=0.5),
    ],
)
def test_extended_deterrence_other_points_by_hand(values: dict[str, float]) -> None:
    m = dt.load_model("extended_deterrence")
    v = {**DEFAULTS, **values}
    got = game_payoffs(m.game(**values))
    for path, row in expected_payoffs(v).items():
        np.testing.assert_allclose(got[path], row, atol=1e-12, err_msg=path)
    (ch,) = m.game(**values).chance_infos
    assert float(ch.probs[0]) == pytest.approx(v["credibility"])


def test_the_types_behave_as_documented() -> None:
    """The committed type prefers to intervene; the uncommitted type stays out unless the audience
    cost exceeds the entrapment threshold."""
    m = dt.load_model("extended_deterrence")
    for a in (0.0, 0.1, 0.19):
        p = game_payoffs(m.game(audience_cost=a))
        assert p["committed/attack/resist/intervene"][2] > p["committed/attack/resist/stay_out"][2]
        assert p["uncommitted/attack/resist/intervene"][2] < p["uncommitted/attack/resist/stay_out"][2]
    assert m.derived_value("entrapment_threshold") == Fraction(1, 5)
    p = game_payoffs(m.game(audience_cost=0.21))
    assert p["uncommitted/attack/resist/intervene"][2] > p["uncommitted/attack/resist/stay_out"][2]
    # non-trivial at the defaults: attacking a resisting Defender pays below the threshold only
    assert m.derived_value("credibility_threshold_attacker") == Fraction(3, 5)
    for cred, sign in ((0.5, 1), (0.7, -1)):
        p = game_payoffs(m.game(credibility=cred))
        attack = (
            cred * p["committed/attack/resist/intervene"][0]
            + (1 - cred) * p["uncommitted/attack/resist/stay_out"][0]
        )
        assert sign * attack > 0


def test_payoff_expressions_are_sympy() -> None:
    m = dt.load_model("extended_deterrence")
    s = m.symbols
    ex = m.payoff_expressions()
    e = ex["uncommitted/attack/resist/stay_out"]
    assert (
        sp.simplify(e["Ally"] - (s["interest_uncommitted"] * s["p_alone"] * s["stakes"] - s["audience_cost"]))
        == 0
    )
    assert sp.simplify(e["Attacker"] - ((1 - s["p_alone"]) * s["stakes"] - s["cost_attacker"])) == 0
    assert set(m.payoff_expressions(key="id")) == set(m.terminals)
    probs = m.probability_expressions()
    assert probs == {"root": {"committed": s["credibility"], "uncommitted": 1 - s["credibility"]}}
    assert set(m.symbols) == set(m.parameters)


def test_exact_and_float_games_agree() -> None:
    m = dt.load_model("extended_deterrence")
    vals = dict(credibility=0.37, cost_attacker=0.123, stakes=2.5)
    np.testing.assert_allclose(m.game(**vals).payoffs, m.game(exact=False, **vals).payoffs, atol=1e-12)


def test_evaluate_matches_game_on_arrays() -> None:
    m = dt.load_model("extended_deterrence")
    rng = np.random.default_rng(7)
    cred = rng.uniform(0, 1, 50)
    cost = rng.uniform(0, 2, 50)
    ev = m.evaluate({"credibility": cred, "cost_attacker": cost})
    assert ev.shape == (50,) and ev.payoffs.shape == (50, 8, 3) and ev.probs.shape == (50, 2)
    assert ev.terminals == m.terminals and ev.branches == (
        ("ally_type", "committed"),
        ("ally_type", "uncommitted"),
    )
    assert ev.ordering_ok.all()
    for k in (0, 17, 49):
        g = m.game(credibility=float(cred[k]), cost_attacker=float(cost[k]))
        np.testing.assert_allclose(ev.payoffs[k], g.payoffs, atol=1e-12)
        np.testing.assert_allclose(ev.probs[k], [float(p) for p in g.chance_infos[0].probs], atol=1e-12)
    # a grid by broadcasting
    grid = m.evaluate({"credibility": np.linspace(0, 1, 11)[:, None], "stakes": np.linspace(1, 2, 4)})
    assert grid.payoffs.shape == (11, 4, 8, 3)
    assert grid.values["credibility"].shape == (11, 4)


def test_evaluate_errors() -> None:
    m = dt.load_model("extended_deterrence")
    with pytest.raises(ParameterError, match="credibility") as info:
        m.evaluate({"credibility": np.array([0.2, 1.5])})
    assert info.value.name == "credibility" and info.value.value == 1.5
    with pytest.raises(ParameterError, match="nope"):
        m.evaluate({"nope": [1.0]})
    with pytest.raises(ParameterError):
        m.evaluate({"credibility": np.array([0.2, np.nan])})
    with pytest.raises(ParameterError):
        m.evaluate({"credibility": ["a"]})
    with pytest.raises(ParameterError, match="broadcast"):
        m.evaluate({"credibility": np.zeros(3), "stakes": np.ones(4)})
    with pytest.raises(ParameterError, match="ordering"):
        m.evaluate({"interest_uncommitted": np.array([0.1, 5.0])})
    ev = m.evaluate({"interest_uncommitted": np.array([0.1, 5.0])}, check_orderings=False)
    assert ev.ordering_ok.tolist() == [True, False]


# ----------------------------------------------------------------------------- parameters
def test_unknown_parameter_names_the_valid_ones() -> None:
    m = dt.load_model("extended_deterrence")
    with pytest.raises(ParameterError) as info:
        m.game(credibilty=0.5)
    err = info.value
    assert err.name == "credibilty"
    assert "credibilty" in str(err) and "credibility" in str(err) and "audience_cost" in str(err)
    assert isinstance(err, ValueError)


@pytest.mark.parametrize(
    "value", [1.5, -0.1, float("nan"), float("inf"), -float("inf"), True, "0.5", None, 1j, [0.5]]
)
def test_bad_parameter_values(value: object) -> None:
    m = dt.load_model("extended_deterrence")
    with pytest.raises(ParameterError) as info:
        m.game(credibility=value)
    err = info.value
    assert err.name == "credibility" and err.domain == (0.0, 1.0)
    assert "credibility" in str(err) and "[0, 1]" in str(err)


def test_open_domain_ends() -> None:
    m = dt.load_model("extended_deterrence")
    with pytest.raises(ParameterError, match=r"\(0, inf\)"):
        m.game(stakes=0)
    m.game(stakes=1e-6, check_orderings=False)
    assert m.parameters["stakes"].domain_text == "(0, inf)"


def test_values_as_mapping_and_numpy_scalars() -> None:
    m = dt.load_model("extended_deterrence")
    a = m.game({"credibility": np.float64(0.25)}, cost_attacker=Fraction(1, 3))
    b = m.game(credibility=0.25, cost_attacker=1 / 3)
    np.testing.assert_allclose(a.payoffs, b.payoffs, atol=1e-12)


def test_ordering_violation_and_opt_out() -> None:
    m = dt.load_model("extended_deterrence")
    with pytest.raises(ParameterError) as info:
        m.game(interest_uncommitted=2.0)
    assert "interest_uncommitted * (p_allied - p_alone) * stakes < cost_ally" in str(info.value)
    assert "check_orderings=False" in str(info.value)
    g = m.game(interest_uncommitted=2.0, check_orderings=False)
    assert g.payoffs.shape == (8, 3)
    with pytest.raises(ParameterError, match="p_alone < p_allied"):
        m.game(p_alone=0.9)
    with pytest.raises(ParameterError, match="ordering"):
        m.game(p_alone=0.9, exact=False)


def test_parameter_declaration_errors() -> None:
    with pytest.raises(ParameterError, match="outside its domain"):
        Parameter("x", 2.0, (0, 1))
    with pytest.raises(ParameterError, match="empty"):
        Parameter("x", 0.5, (1, 0))
    with pytest.raises(ParameterError, match="cannot name"):
        Parameter("__x", 0.5, (0, 1))
    with pytest.raises(ParameterError, match="cannot name"):
        Parameter("exact", 0.5, (0, 1))
    with pytest.raises(ParameterError, match="cannot name"):
        Parameter("lambda", 0.5, (0, 1))


# ----------------------------------------------------------------------------- the baseline
def test_baseline_pins_the_audience_cost_and_relabels() -> None:
    m = dt.load_model("extended_deterrence")
    base = m.baseline()
    assert base.is_baseline and base.fixed == {"audience_cost": 0}
    assert base.baseline() is base
    assert "audience_cost = 0" in m.baseline_description
    # same parameters: the same point can be passed to both; the pinned one no longer matters
    p1 = game_payoffs(base.game(audience_cost=0.1))
    p2 = game_payoffs(base.game(audience_cost=5.0))
    assert p1 == p2
    assert p1["committed/attack/resist/stay_out"] == pytest.approx((0.3, -0.05, 0.3))
    assert base.outcomes()["war_c"] == ("war",)
    assert base.outcomes()["allied_war_u"] == ("allied_war",)
    assert m.outcomes()["allied_war_u"] == ("allied_war", "entrapment")
    for e in base.payoff_expressions().values():
        for expr in e.values():
            assert m.symbols["audience_cost"] not in expr.free_symbols


def test_model_without_baseline() -> None:
    m = loads_model(MINI, "mini.toml")
    with pytest.raises(ModelError, match="no no-pledge baseline"):
        m.baseline()


# ----------------------------------------------------------------------------- numeric failures
MINI = """\
[model]
name = "mini"
title = "A two-player toy"
players = ["A", "B"]
concepts = ["spe"]

[[model.references]]
citation = "nobody (2024)"

[parameters.v]
default = 1.0
domain = [0, 10]
description = "value"

[parameters.c]
default = 0.5
domain = [0, 10]
description = "cost"

[parameters.q]
default = 0.5
domain = [0, 1]
description = "a probability"

[[nodes]]
id = "root"
player = "A"
actions = { stay = "sq", attack = "b" }

[[nodes]]
id = "sq"
outcome = "status_quo"
payoffs = { A = 0, B = "v" }

[[nodes]]
id = "b"
player = "B"
actions = { fight = "war", yield = "cap" }

[[nodes]]
id = "war"
outcome = "war"
payoffs = { A = "-c", B = "-c" }

[[nodes]]
id = "cap"
outcome = "capitulation"
payoffs = { A = "v", B = 0 }
"""


def test_mini_loads() -> None:
    m = loads_model(MINI, "mini.toml")
    g = m.game(v=2)
    assert g.payoffs.tolist() == [[0, 2], [-0.5, -0.5], [2, 0]]


def test_payoff_not_finite_names_the_node() -> None:
    text = MINI.replace('payoffs = { A = "-c", B = "-c" }', 'payoffs = { A = "v / c", B = "-c" }')
    m = loads_model(text, "mini.toml")
    with pytest.raises(ModelError) as info:
        m.game(c=0)
    err = info.value
    assert err.file == "mini.toml" and err.key == "nodes.war.payoffs.A"
    assert err.line == line_of(text, '"v / c"')
    assert "war" in str(err) and "not a finite" in str(err)
    with pytest.raises(ModelError, match="war"):
        m.evaluate({"c": np.array([1.0, 0.0])})
    with pytest.raises(ModelError, match="war"):
        m.game(c=0, exact=False)
    text = MINI.replace('payoffs = { A = "-c", B = "-c" }', 'payoffs = { A = "log(c)", B = "sqrt(c - 1)" }')
    m = loads_model(text, "mini.toml")
    with pytest.raises(ModelError, match="'B' at node 'war'"):
        m.game(c=0.5)
    with pytest.raises(ModelError, match="'A' at node 'war'"):
        m.game(c=0)


CHANCE = MINI.replace(
    '''[[nodes]]
id = "root"
player = "A"''',
    '''[[nodes]]
id = "nature"
kind = "chance"
actions = { hi = "root", lo = "cap2" }
probs = { hi = "q", lo = "1 - q" }

[[nodes]]
id = "cap2"
outcome = "capitulation"
payoffs = { A = 1, B = 0 }

[[nodes]]
id = "root"
player = "A"''',
)


@pytest.mark.parametrize(
    ("probs", "values", "fragment"),
    [
        ('{ hi = "2 * q", lo = "1 - 2 * q" }', {"q": 0.7}, "outside [0, 1]"),
        ('{ hi = "q", lo = "1.1 - q" }', {}, "sum to 1.1"),
        ('{ hi = "q / (q - 0.5)", lo = "0" }', {}, "not a finite"),
        ('{ hi = "-q", lo = "1 + q" }', {"q": 0.3}, "outside [0, 1]"),
    ],
)
def test_bad_chance_probabilities_name_the_node(probs: str, values: dict, fragment: str) -> None:
    text = CHANCE.replace('probs = { hi = "q", lo = "1 - q" }', f"probs = {probs}")
    m = loads_model(text, "chance.toml")
    for exact in (True, False):
        with pytest.raises(ModelError) as info:
            m.game(exact=exact, **values)
        err = info.value
        assert "nature" in str(err) and fragment in str(err), str(err)
        assert err.file == "chance.toml" and err.line == line_of(text, "probs = {")
        assert err.key.startswith("nodes.nature.probs")


def test_chance_model_works() -> None:
    m = loads_model(CHANCE, "chance.toml")
    g = m.game(q=0.25)
    assert g.chance_infos[0].probs == (Fraction(1, 4), Fraction(3, 4))
    assert m.root == "nature"


# ----------------------------------------------------------------------------- file-format errors
def err_of(text: str) -> ModelError:
    with pytest.raises(ModelError) as info:
        loads_model(text, "bad.toml")
    assert info.value.file == "bad.toml"
    return info.value


def test_duplicate_node_ids() -> None:
    text = MINI.replace('id = "cap"', 'id = "war"')
    err = err_of(text)
    assert "duplicate node id 'war'" in str(err)
    assert err.line == line_of(text, "[[nodes]]", 4) and err.key == "nodes.war"
    assert f"first at line {line_of(text, '[[nodes]]', 3)}" in str(err)


def test_cycle() -> None:
    text = MINI.replace(
        'actions = { fight = "war", yield = "cap" }', 'actions = { fight = "war", yield = "root" }'
    )
    err = err_of(text)
    assert "cycle" in str(err) and "root" in str(err)
    assert err.key == "nodes.b.actions.yield" and err.line == line_of(text, 'yield = "root"')


def test_node_reachable_twice() -> None:
    text = MINI.replace(
        'actions = { fight = "war", yield = "cap" }', 'actions = { fight = "war", yield = "sq" }'
    )
    text = text.replace('id = "cap"', 'id = "cap_unused"')
    err = err_of(text)
    assert "reachable twice" in str(err) and "'sq'" in str(err)
    assert err.line == line_of(text, 'yield = "sq"')


def test_unreachable_node() -> None:
    text = (
        MINI
        + """
[[nodes]]
id = "orphan"
outcome = "war"
payoffs = { A = 0, B = 0 }
"""
    )
    err = err_of(text)
    assert "'orphan' is unreachable" in str(err)
    assert err.line == line_of(text, "[[nodes]]", 5) and err.key == "nodes.orphan"


def test_child_that_does_not_exist() -> None:
    text = MINI.replace('yield = "cap"', 'yield = "cpa"')
    err = err_of(text)
    assert "'cpa', which does not exist" in str(err)
    assert err.key == "nodes.b.actions.yield" and err.line == line_of(text, 'yield = "cpa"')


@pytest.mark.parametrize(
    ("old", "new", "key", "needle"),
    [
        ('name = "mini"\n', "", "model.name", "[model]"),
        ('players = ["A", "B"]\n', "", "model.players", "[model]"),
        ("default = 0.5\ndomain = [0, 10]", "domain = [0, 10]", "parameters.c.default", "[parameters.c]"),
        ('id = "b"\nplayer = "B"\n', 'id = "b"\nkind = "decision"\n', "nodes.b.player", 'id = "b"'),
        ('payoffs = { A = "v", B = 0 }', 'note = "no payoffs"', "nodes.cap.payoffs", 'id = "cap"'),
        ('outcome = "capitulation"\n', "", "nodes.cap.outcome", 'id = "cap"'),
    ],
)
def test_missing_required_key(old: str, new: str, key: str, needle: str) -> None:
    assert old in MINI
    text = MINI.replace(old, new, 1)
    err = err_of(text)
    assert "missing" in str(err) or "needs" in str(err), str(err)
    assert err.key == key, str(err)
    want = line_of(text, needle)
    if needle.startswith("id ="):
        want -= 1  # the node's [[nodes]] header
    assert err.line == want, str(err)


@pytest.mark.parametrize(
    ("old", "new", "key", "needle"),
    [
        (
            "default = 0.5\ndomain = [0, 10]",
            'default = "abc"\ndomain = [0, 10]',
            "parameters.c.default",
            '"abc"',
        ),
        ('players = ["A", "B"]', 'players = "A"', "model.players", 'players = "A"'),
        ('actions = { fight = "war", yield = "cap" }', "actions = 3", "nodes.b.actions", "actions = 3"),
        (
            'actions = { fight = "war", yield = "cap" }',
            'actions = { fight = 1, yield = "cap" }',
            "nodes.b.actions.fight",
            "fight = 1",
        ),
        (
            'payoffs = { A = "v", B = 0 }',
            'payoffs = { A = "v", B = true }',
            "nodes.cap.payoffs.B",
            "B = true",
        ),
        (
            'domain = [0, 10]\ndescription = "cost"',
            'domain = [0]\ndescription = "cost"',
            "parameters.c.domain",
            "domain = [0]",
        ),
        (
            'domain = [0, 10]\ndescription = "cost"',
            'domain = "0 to 10"\ndescription = "cost"',
            "parameters.c.domain",
            "0 to 10",
        ),
        ('outcome = "war"', "outcome = 3", "nodes.war.outcome", "outcome = 3"),
        ('id = "b"', "id = 7", "nodes.b", None),
        ('concepts = ["spe"]', 'concepts = "spe"', "model.concepts", 'concepts = "spe"'),
    ],
)
def test_wrong_type(old: str, new: str, key: str, needle: str | None) -> None:
    assert old in MINI
    text = MINI.replace(old, new, 1)
    err = err_of(text)
    assert "wrong type" in str(err) or "must be" in str(err) or "interval" in str(err), str(err)
    if needle is not None:
        assert err.key == key, str(err)
        assert err.line == line_of(text, needle), str(err)


def test_default_outside_domain() -> None:
    text = MINI.replace("default = 0.5\ndomain = [0, 10]", "default = 50\ndomain = [0, 10]", 1)
    err = err_of(text)
    assert "outside its domain [0, 10]" in str(err) and err.key == "parameters.c.default"
    assert err.line == line_of(text, "default = 50")


def test_outcome_label_outside_vocabulary() -> None:
    text = MINI.replace('outcome = "war"', 'outcome = ["war", "victory"]')
    err = err_of(text)
    assert "'victory'" in str(err) and "vocabulary" in str(err) and "status_quo" in str(err)
    assert err.key == "nodes.war.outcome" and err.line == line_of(text, '"victory"')


def test_infoset_mixing_players() -> None:
    text = MINI.replace('id = "root"\nplayer = "A"', 'id = "root"\nplayer = "A"\ninfoset = "h"').replace(
        'id = "b"\nplayer = "B"', 'id = "b"\nplayer = "B"\ninfoset = "h"'
    )
    err = err_of(text)
    assert "information set 'h' mixes players" in str(err)
    assert err.line == line_of(text, 'infoset = "h"', 1)


def test_infoset_mixing_actions() -> None:
    text = (
        CHANCE.replace('actions = { hi = "root", lo = "cap2" }', 'actions = { hi = "root", lo = "a2" }')
        + """
[[nodes]]
id = "a2"
player = "A"
infoset = "hA"
actions = { stay = "sq2", strike = "war2" }

[[nodes]]
id = "sq2"
outcome = "status_quo"
payoffs = { A = 0, B = 1 }

[[nodes]]
id = "war2"
outcome = "war"
payoffs = { A = -1, B = -1 }
"""
    )
    text = text.replace('id = "root"\nplayer = "A"', 'id = "root"\nplayer = "A"\ninfoset = "hA"')
    text = text.replace('id = "cap2"', 'id = "cap2_unused"')
    text = text.replace(
        '[[nodes]]\nid = "cap2_unused"\noutcome = "capitulation"\npayoffs = { A = 1, B = 0 }\n', ""
    )
    err = err_of(text)
    assert "information set 'hA' mixes actions" in str(err) and "strike" in str(err)
    assert err.line == line_of(text, 'strike = "war2"')


def test_toml_syntax_error_has_the_line() -> None:
    text = MINI.replace("default = 1.0", "default = = 1.0")
    err = err_of(text)
    assert "TOML syntax error" in str(err)
    assert err.line == line_of(text, "default = = 1.0")


@pytest.mark.parametrize(
    ("old", "new", "fragment", "needle"),
    [
        (
            'payoffs = { A = "-c", B = "-c" }',
            'payofs = { A = "-c", B = "-c" }',
            "unknown key 'payofs'",
            "payofs",
        ),
        ("[parameters.v]", "[parameter.v]", "unknown key 'parameter'", None),
        ('description = "value"', 'descripton = "value"', "unknown key 'descripton'", "descripton"),
        ('player = "B"', 'player = "C"', "'C' of node 'b' is not one of the players", 'player = "C"'),
        ('concepts = ["spe"]', 'concepts = ["sp"]', "unknown solution concept", "concepts"),
    ],
)
def test_other_content_errors(old: str, new: str, fragment: str, needle: str | None) -> None:
    text = MINI.replace(old, new, 1)
    err = err_of(text)
    assert fragment in str(err), str(err)
    if needle is not None:
        assert err.line == line_of(text, needle), str(err)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            'payoffs = { A = "-c", B = "-c" }',
            "payoffs = { A = \"__import__('os').system('touch {p}')\", B = 0 }",
            "nodes.war.payoffs.A",
        ),
        (
            'payoffs = { A = "-c", B = "-c" }',
            'payoffs = { A = "c.__class__", B = "eval(\'1\')" }',
            "nodes.war.payoffs.A",
        ),
        ('payoffs = { A = "-c", B = "-c" }', 'payoffs = { A = "-c", B = "-d" }', "nodes.war.payoffs.B"),
    ],
)
def test_bad_expressions_in_files(tmp_path: Path, old: str, new: str, key: str) -> None:
    target = tmp_path / "pwned"
    text = MINI.replace(old, new.replace("{p}", str(target)))
    with pytest.raises(ExpressionError) as info:
        loads_model(text, "bad.toml")
    err = info.value
    assert err.file == "bad.toml" and err.key == key
    assert err.line == line_of(text, "payoffs = { A = ", 1)
    assert not target.exists()


def test_malicious_payload_everywhere_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    bad = f"__import__('os').system('touch {target}')"
    variants = [
        MINI.replace('[[nodes]]\nid = "root"', f'[derived]\nx = "{bad}"\n\n[[nodes]]\nid = "root"', 1),
        MINI.replace('concepts = ["spe"]', f'concepts = ["spe"]\norderings = ["{bad} > 0"]'),
        CHANCE.replace('probs = { hi = "q", lo = "1 - q" }', f'probs = {{ hi = "{bad}", lo = "1 - q" }}'),
        MINI + f'\n[baseline]\nparameters = {{ c = "{bad}" }}\n',
    ]
    for text in variants:
        with pytest.raises(ExpressionError):
            loads_model(text, "bad.toml")
    path = tmp_path / "evil.toml"
    path.write_text(variants[0])
    with pytest.raises(ExpressionError):
        dt.load_model(path)
    assert not target.exists()


def test_load_model_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        dt.load_model("no_such_model")
    assert "extended_deterrence" in str(info.value) and "no_such_model" in str(info.value)
    with pytest.raises(ModelError, match="cannot read"):
        dt.load_model(tmp_path / "missing.toml")
    p = tmp_path / "latin1.toml"
    p.write_bytes(b'[model]\nname = "\xe9"\n')
    with pytest.raises(ModelError, match="UTF-8"):
        dt.load_model(p)
    p = tmp_path / "mini.toml"
    p.write_text(MINI)
    m = dt.load_model(str(p))
    assert m.name == "mini" and m.file == str(p)
    assert dt.load_model(p) is m  # cached while the file is unchanged


# ----------------------------------------------------------------------------- Python-built models
def test_from_tree_matches_the_file() -> None:
    params = [
        Parameter("v", 1.0, (0, 10), "value"),
        Parameter("c", 0.5, (0, 10), "cost"),
        Parameter("q", 0.5, (0, 1), "a probability"),
    ]
    root = decision(
        "A",
        {
            "stay": terminal({"A": 0, "B": "v"}, "status_quo", label="sq"),
            "attack": decision(
                "B",
                {
                    "fight": terminal({"A": "-c", "B": "-c"}, "war", label="war"),
                    "yield": terminal({"A": sp.Symbol("v"), "B": 0}, "capitulation", label="cap"),
                },
                label="b",
            ),
        },
        label="root",
    )
    built = Model.from_tree(root, name="mini", players=["A", "B"], parameters=params)
    filed = loads_model(MINI, "mini.toml")
    assert built.terminals == filed.terminals
    pb, pf = built.payoff_expressions(), filed.payoff_expressions()
    assert pb == pf
    for vals in ({}, {"v": 3, "c": 0.25}):
        np.testing.assert_array_equal(built.game(**vals).payoffs, filed.game(**vals).payoffs)


def test_model_constructor_errors() -> None:
    params = [Parameter("v", 1.0, (0, 10))]
    root = decision("A", {"x": terminal({"A": "v"}, "war"), "y": terminal({"A": "w"}, "war")})
    with pytest.raises(ExpressionError, match="unknown name 'w'"):
        Model.from_tree(root, name="m", players=["A"], parameters=params)
    root = decision("A", {"x": terminal({"A": sp.Symbol("w")}, "war")})
    with pytest.raises(ModelError, match="undeclared"):
        Model.from_tree(root, name="m", players=["A"], parameters=params)
    root = decision("A", {"x": terminal({"A": 1}, "war")})
    with pytest.raises(ModelError, match="distinct"):
        Model.from_tree(root, name="m", players=["A", "A"], parameters=params)
    with pytest.raises(ModelError, match="unknown status"):
        Model.from_tree(root, name="m", players=["A"], parameters=params, status="canonical")
    with pytest.raises(ModelError, match="can never hold"):
        Model.from_tree(root, name="m", players=["A"], parameters=params, orderings=["1 > 2"])
    assert math.isfinite(
        float(Model.from_tree(root, name="m", players=["A"], parameters=params).game().payoffs[0, 0])
    )


def test_model_takes_a_spec_object() -> None:
    from dataclasses import FrozenInstanceError

    from deterrence.model import ModelSpec, NodeSpec

    params = [Parameter("v", 1.0, (0, 10))]
    nodes = [
        NodeSpec("root", "decision", player="A", actions={"x": "sq", "y": "war"}),
        NodeSpec("sq", "terminal", payoffs={"A": 0}, outcome=("status_quo",)),
        NodeSpec("war", "terminal", payoffs={"A": "v - 1"}, outcome=("war",)),
    ]
    spec = ModelSpec("m", ["A"], params, nodes, title="a model", orderings=["v > 0"])
    m = Model(spec)
    assert m.spec is spec and m.title == "a model" and m.terminals == ("sq", "war")
    assert float(m.game(v=3).payoffs[1, 0]) == 2.0
    with pytest.raises(FrozenInstanceError):
        spec.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ModelSpec("m", ["A"], params, nodes, "root")  # the optional fields are keywords
    with pytest.raises(ModelError, match="ModelSpec"):
        Model("m")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="is unreachable"):
        Model(ModelSpec("m", ["A"], params, [*nodes, NodeSpec("lost", "terminal", payoffs={"A": 1},
                                                                  outcome=("war",))]))
    assert dt.ModelSpec is ModelSpec


# ----------------------------------------------------------------------------- robustness
_TOKENS = st.sampled_from(
    [
        '"',
        "'",
        "[",
        "]",
        "{",
        "}",
        "=",
        ",",
        "\n",
        " ",
        "x",
        "1",
        "-1",
        "inf",
        "nan",
        "true",
        '"war"',
        '"root"',
        '"sq"',
        "[[nodes]]",
        "[model]",
        "id",
        "kind",
        "player",
        "infoset",
        "actions",
        "probs",
        "payoffs",
        "outcome",
        "default",
        "domain",
        '"(0, 1]"',
        "__import__",
        ".",
        "*",
        "/0",
        "A",
        "B",
        '"A"',
        "v",
        "c",
    ]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cuts=st.lists(
        st.tuples(st.integers(0, len(MINI)), st.integers(0, 12), st.lists(_TOKENS, max_size=3)),
        min_size=1,
        max_size=3,
    )
)
def test_mangled_files_raise_only_library_errors(cuts: list[tuple[int, int, list[str]]]) -> None:
    text = MINI
    for pos, length, tokens in cuts:
        pos = min(pos, len(text))
        text = text[:pos] + "".join(tokens) + text[pos + length :]
    try:
        m = loads_model(text, "mangled.toml")
    except ModelError as exc:
        assert exc.file == "mangled.toml"
        return
    try:
        m.game()
        m.evaluate({})
    except DeterrenceError:
        pass


@pytest.mark.parametrize("name", dt.list_models("files"))
def test_a_model_pickles_after_it_has_been_evaluated(name):
    """A sweep sends its model to worker processes pickled (spawned or forked from a server);
    the evaluator a model lambdifies on first use is left out and rebuilt by the copy."""
    import pickle

    model = dt.load_model(name)
    before = model.evaluate()
    assert model._kernel is not None
    copy = pickle.loads(pickle.dumps(model))
    assert copy._kernel is None and model._kernel is not None
    after = copy.evaluate()
    np.testing.assert_array_equal(after.payoffs, before.payoffs)
    np.testing.assert_array_equal(after.probs, before.probs)
    np.testing.assert_array_equal(copy.game().payoffs, model.game().payoffs)
