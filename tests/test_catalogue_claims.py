"""Every published or derived claim of a catalogue model file names the test that checks it.

``[[model.claims]]`` entries carry ``test = "..."``: comma-separated test names, each either a
function of ``tests/`` (``file.py::name`` or a bare name defined in the model's test module) or
a sentence starting "not tested". This module checks that each named test exists, and holds the
tests of the claims that had none (``extended_deterrence``).
"""

from __future__ import annotations

import itertools
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import deterrence as dt

TESTS = Path(__file__).parent
NAMED = re.compile(r"(?:([\w/]+\.py)::)?(test_\w+)")


def _defined_in(name: str, file: str | None) -> list[Path]:
    """The test modules that define ``def name(``: ``file`` only when given, else any."""
    files = [TESTS / file] if file else sorted(TESTS.glob("test_*.py"))
    return [f for f in files if f.is_file() and re.search(rf"^def {name}\(", f.read_text(), re.M)]


@pytest.mark.parametrize("name", dt.list_models("files"))
def test_every_claim_names_tests_that_exist(name: str) -> None:
    for i, claim in enumerate(dt.load_model(name).claims):
        where = f"{name}: claim {i} ({claim['text'][:60]}...)"
        assert claim.get("provenance") in ("S", "L", "D", "N"), where
        assert "test" in claim, f"{where} names no test"
        if claim["test"].startswith("not tested"):
            continue
        named = NAMED.findall(claim["test"])
        assert named, f"{where}: no test_... name in {claim['test']!r}"
        for file, func in named:
            assert _defined_in(func, file or None), f"{where}: {file + '::' if file else ''}{func} not found"


def test_the_name_check_can_fail() -> None:
    assert not _defined_in("test_no_such_test_here", None)
    assert not _defined_in("test_every_claim_names_tests_that_exist", "test_sweep.py")
    assert _defined_in("test_every_claim_names_tests_that_exist", "test_catalogue_claims.py")


# ---------------------------------------------------------------- extended_deterrence
ED = dt.load_model("extended_deterrence")
GAP = Fraction(1, 1000)  # stay this far from every threshold (knife edges: continua of equilibria)


def _ed_points(n: int, seed: int, above: bool) -> list[dict[str, Fraction]]:
    """Seeded exact points satisfying the orderings, with audience_cost below (or above) the
    entrapment threshold and credibility, the two credibility thresholds and the deterrence
    conditions of claim 2 at least GAP apart."""
    rng = np.random.default_rng(seed)
    out: list[dict[str, Fraction]] = []
    while len(out) < n:
        r = [Fraction(int(x), 1000) for x in rng.integers(1, 1000, 9)]
        p0, p1 = sorted(r[:2])
        if p1 - p0 < GAP:
            continue
        v = {
            "credibility": r[2],
            "p_alone": p0,
            "p_allied": p1,
            "cost_attacker": r[3],
            "cost_defender": r[4],
            "cost_ally": r[5] * (p1 - p0),
            "interest_committed": 1 + r[6],
            "interest_uncommitted": r[7] * r[5],
        }
        theta = ED.derived_value("entrapment_threshold", **v)
        v["audience_cost"] = theta + r[8] if above else theta * r[8]
        gaps = [theta - v["audience_cost"], 1 - p1 - v["cost_attacker"], p1 - v["cost_defender"]]
        gaps += [v["credibility"] - ED.derived_value(k, **v) for k in ED.derived if k.startswith("cred")]
        if min(abs(g) for g in gaps) > GAP:
            out.append(v)
    return out


def _attack_probabilities(values: dict[str, Fraction], policy: str) -> set[float]:
    eqs = dt.solve(ED.game(**values), "pbe", belief_policy=policy)
    return {round(1 - float(e.outcomes["status_quo"]), 12) for e in eqs}


def test_extended_deterrence_claim_below_the_entrapment_threshold() -> None:
    """[D] audience_cost < entrapment_threshold: every PBE is free of attack iff credibility >
    max(credibility_threshold_attacker, credibility_threshold_defender); below it some PBE has the
    attack, and under prior and d1 beliefs every PBE has it. (Under free beliefs an optimistic
    off-path belief of the Defender can also hold up a PBE without attack when
    credibility_threshold_attacker < credibility < credibility_threshold_defender: checked to exist.)"""
    kinds = {"deter": 0, "attack": 0, "free_both": 0}
    for v in _ed_points(60, seed=31, above=False):
        bar = max(ED.derived_value(k, **v) for k in ED.derived if k.startswith("cred"))
        for policy in ("free", "prior", "d1"):
            attacks = _attack_probabilities(v, policy)
            if v["credibility"] > bar:
                assert attacks == {0.0}, (policy, v)
            else:
                assert 1.0 in attacks, (policy, v)
                if policy != "free":
                    assert attacks == {1.0}, (policy, v)
                elif attacks == {0.0, 1.0}:
                    kinds["free_both"] += 1
                    assert ED.derived_value("credibility_threshold_attacker", **v) < v["credibility"]
        kinds["deter" if v["credibility"] > bar else "attack"] += 1
    assert min(kinds.values()) >= 3, kinds  # the sample exercises each case


def test_extended_deterrence_claim_above_the_entrapment_threshold() -> None:
    """[D] audience_cost > entrapment_threshold: both types intervene, and the Attacker is deterred
    (in every PBE, each belief policy) iff (1 - p_allied) * stakes < cost_attacker and
    p_allied * stakes > cost_defender, whatever the credibility."""
    kinds = {True: 0, False: 0}
    for v in _ed_points(40, seed=32, above=True):
        deterred = (1 - v["p_allied"]) < v["cost_attacker"] and v["p_allied"] > v["cost_defender"]
        kinds[deterred] += 1
        g = ED.game(**v)
        for policy in ("free", "prior", "d1"):
            eqs = dt.solve(g, "pbe", belief_policy=policy)
            assert {round(1 - float(e.outcomes["status_quo"]), 12) for e in eqs} == (
                {0.0} if deterred else {1.0}
            ), (policy, v)
            for e in eqs:  # both types intervene
                assert e.profile["Ally"]["ally_committed"]["intervene"] == 1
                assert e.profile["Ally"]["ally_uncommitted"]["intervene"] == 1
    assert min(kinds.values()) >= 5, kinds


# -------------------------------------- extended_deterrence: Smith's published claims [S]
def _credibility_grid(values: dict[str, Fraction]) -> list[Fraction]:
    """Credibilities 1/20, 2/20, ..., 19/20 at least GAP from both credibility thresholds."""
    bars = [ED.derived_value(k, **values) for k in ED.derived if k.startswith("cred")]
    return [c for c in (Fraction(k, 20) for k in range(1, 20)) if all(abs(c - b) > GAP for b in bars)]


def _play(model: dt.Model, values: dict[str, Fraction], policy: str) -> tuple[float, float, float]:
    """P(attack), P(capitulation | attack) and P(war) of the unique PBE under ``policy``."""
    (e,) = dt.solve(model.game(**values), "pbe", belief_policy=policy)
    attack = 1 - float(e.outcomes["status_quo"])
    given = float(e.outcomes["capitulation"]) / attack if attack > 0 else float("nan")
    return attack, given, float(e.outcomes["war"]) + float(e.outcomes["allied_war"])


@pytest.mark.parametrize("policy", ["prior", "d1"])
def test_extended_deterrence_smith_unreliable_allies_attract_attacks_and_surrender(policy: str) -> None:
    """'Nations with unreliable alliances are more likely to be attacked than those with reliable
    alliances' [S: Smith 1995 abstract] and 'nations with unreliable allies are more likely to
    surrender if attacked than are nations with reliable allies' [S: Smith 1996 abstract]: with
    reliability = credibility (the probability that the ally is the committed type), P(attack) and
    P(capitulation | attack) never rise with credibility, and fall somewhere, on seeded points."""
    falls = {"attack": 0, "surrender": 0}
    for v in _ed_points(24, seed=33, above=False) + _ed_points(8, seed=34, above=True):
        runs = [_play(ED, {**v, "credibility": c}, policy) for c in _credibility_grid(v)]
        attack = [a for a, _, _ in runs]
        surrender = [s for a, s, _ in runs if a > 0]
        assert all(a >= b for a, b in itertools.pairwise(attack)), (v, attack)
        assert all(a >= b for a, b in itertools.pairwise(surrender)), (v, surrender)
        falls["attack"] += attack[0] > attack[-1]
        falls["surrender"] += bool(surrender) and surrender[0] > surrender[-1]
    assert min(falls.values()) >= 3, falls


def test_extended_deterrence_smith_alliances_raise_or_lower_war() -> None:
    """'The aggregate effect of alliances on the occurrence of war is ambiguous. Under some
    circumstances alliances increase the probability of war; in others, alliances reduce the
    likelihood of war' [S: Smith 1995 abstract], read as the pledge against the model's no-pledge
    baseline (audience_cost 0): P(war) of the unique PBE (prior beliefs) is higher with the pledge
    at some seeded points and lower at others."""
    base = ED.baseline()
    signs = {+1: 0, -1: 0}
    for point in _ed_points(12, seed=35, above=True):
        for c in _credibility_grid(point)[::3]:
            v = {**point, "credibility": c}
            pledged, alone = _play(ED, v, "prior")[2], _play(base, v, "prior")[2]
            if pledged != alone:
                signs[1 if pledged > alone else -1] += 1
    assert min(signs.values()) >= 3, signs
