"""``--json`` on ``models``, ``show`` and ``regimes``: valid JSON (no NaN or Infinity) that says what
the Python API says."""

from __future__ import annotations

import json
import math

import pytest
import sympy as sp

import deterrence as dt
from deterrence.cli import main


def run_json(capsys, *argv: str):
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    # strict JSON: Infinity and NaN are not JSON
    return json.loads(out, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c} in the output"))


def test_models_json_lists_the_catalogue(capsys):
    doc = run_json(capsys, "models")
    assert [d["name"] for d in doc] == dt.list_models()
    for d in doc:
        m = dt.load_model(d["name"])
        assert d["title"] == m.title and d["status"] == m.status
        assert d["players"] == list(m.players) and d["concepts"] == list(m.concepts)


@pytest.mark.parametrize("name", ["extended_deterrence", "tripartite_crisis"])
def test_show_json_matches_the_model(capsys, name):
    doc = run_json(capsys, "show", name)
    m = dt.load_model(name)
    assert doc["name"] == name and doc["players"] == list(m.players)
    assert [p["name"] for p in doc["parameters"]] == list(m.parameters)
    for p in doc["parameters"]:
        param = m.parameters[p["name"]]
        assert p["default"] == param.default and p["domain"] == param.domain_text
        for end, value in (("lower", param.domain[0]), ("upper", param.domain[1])):
            assert p[end] == (None if math.isinf(value) else value)
    assert {t["id"]: tuple(t["outcome"]) for t in doc["terminals"]} == m.outcomes()
    # payoffs are expressions in the parameters, as sympy reads them back
    pays = m.payoff_expressions(key="id")
    t = doc["terminals"][-1]
    for player, text in t["payoffs"].items():
        expr = sp.sympify(text, locals={n: p.sympy for n, p in m.parameters.items()})
        assert sp.simplify(expr - pays[t["id"]][player]) == 0
    assert [d["name"] for d in doc["derived"]] == list(m.derived)
    assert doc["baseline"]["description"] == m.baseline_description
    assert doc["sha256"] == m.sha256 and len(doc["references"]) == len(m.references)


def test_show_json_gives_infinite_domain_ends_as_null(capsys):
    doc = run_json(capsys, "show", "tripartite_crisis")
    p = next(p for p in doc["parameters"] if p["name"] == "c_status_quo")
    assert p["lower"] is None and p["upper"] is None and p["open_lower"] and p["open_upper"]


def test_regimes_json_matches_the_api(capsys):
    doc = run_json(capsys, "regimes", "extended_deterrence", "--concept", "pbe")
    regs = dt.regimes("extended_deterrence", concept="pbe")
    assert doc["closed_form"] is True and doc["concept"] == "pbe" and doc["belief_policy"] == "free"
    assert [r["label"] for r in doc["regimes"]] == [r.label for r in regs.regimes]
    for r, reg in zip(doc["regimes"], regs.regimes, strict=True):
        assert r["condition"] == sp.sstr(reg.shown_condition)
        assert len(r["structures"]) == len(reg.structures) and r["latex"]
    # the thresholds on credibility, as `regimes` prints them
    crossings = dt.threshold("extended_deterrence", "credibility", concept="pbe")
    assert doc["threshold"]["parameter"] == "credibility"
    got = doc["threshold"]["crossings"]
    assert [c["numeric"] for c in got] == pytest.approx([float(c["numeric"]) for c in crossings])
    assert all(c["exact"] and c["value"] for c in got)


def test_regimes_json_without_closed_form_gives_numeric_boundaries(capsys):
    doc = run_json(capsys, "regimes", "extended_deterrence", "--concept", "spe", "--grid", "5",
                   "--tol", "0.01")
    assert doc["closed_form"] is False and doc["reason"] and doc["regimes"] is None
    crossings = doc["threshold"]["crossings"]
    assert crossings and all(c["value"] is None and not c["exact"] for c in crossings)
    assert all(0 < c["numeric"] < 1 and c["below"] != c["above"] for c in crossings)


def test_regimes_json_without_a_threshold_parameter(capsys):
    doc = run_json(capsys, "regimes", "rudimentary_asymmetric_deterrence", "--set", "c_status_quo=2")
    assert doc["closed_form"] is True and doc["fixed"] == {"c_status_quo": 2}
    assert doc["threshold"] is None and doc["regimes"]
