"""The brinkmanship teaching model: builder = file, solutions, example BR1, the closed forms, claims.

The closed forms come from ``docs/discussion/derivations.md#brinkmanship`` (derived general form [D], example
BR1 [N]): the Soft target complies with a threat iff ``risk >= q_eff = (s_a - s_c)/(s_a - s_d)``;
the threatener threatens iff ``q_eff <= risk <= q_acc = (1 - p)(u_c - u_a)/(p(u_a - u_d))``; the
optimal risk is ``q_eff``. They are derived there, not in this code: the tests check them against
the generic machinery (the compiled SPE kernel on >= 1,000 seeded points, ``dt.solve`` on a subset,
``dt.regimes`` / ``dt.threshold`` exactly).
"""

from __future__ import annotations

import importlib
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sympy as sp
from test_models_alliances import _same_model

import deterrence as dt
from deterrence.catalogue.builders import brinkmanship
from deterrence.kernels import compile_model

NAME = "brinkmanship"
EDGE = 1e-6  # stay this far from every threshold (knife edges: ties and continua of equilibria)
BR1 = dict(
    target_acquiesced=1,
    soft_complies=-1,
    soft_disaster=-8,
    threatener_complies=1,
    threatener_acquiesces=-2,
    threatener_disaster=-10,
)
TARGET_SETS = ("hard_threat", "soft_threat", "hard_no_threat", "soft_no_threat")


def _model() -> dt.Model:
    return dt.load_model(NAME)


def _closed_form(v: dict) -> tuple[float, float]:
    """(q_eff, q_acc) by the derived formulas, written out here independently of the file."""
    q_eff = (v["target_acquiesced"] - v["soft_complies"]) / (v["target_acquiesced"] - v["soft_disaster"])
    q_acc = (
        (1 - v["p_hard"])
        * (v["threatener_complies"] - v["threatener_acquiesces"])
        / (v["p_hard"] * (v["threatener_acquiesces"] - v["threatener_disaster"]))
    )
    return q_eff, q_acc


def _threat_payoff(v: dict, soft_complies: bool) -> float:
    """The threatener's expected payoff from threatening, by hand."""
    p, q = v["p_hard"], v["risk"]
    defy = q * v["threatener_disaster"] + (1 - q) * v["threatener_acquiesces"]
    return p * defy + (1 - p) * (v["threatener_complies"] if soft_complies else defy)


# ---------------------------------------------------------------------------- builder = file
def test_builder_equals_file() -> None:
    _same_model(brinkmanship(), _model())
    assert dt.builders.brinkmanship is brinkmanship  # registered with the other builders
    assert "brinkmanship" in dt.builders.__all__


def test_builder_arguments_set_the_defaults_and_validate() -> None:
    m = brinkmanship(p_hard=0.8, risk=0.05)
    assert m.parameters["p_hard"].default == 0.8 and m.parameters["risk"].default == 0.05
    assert m.game().payoffs.tolist() == _model().game(p_hard=0.8, risk=0.05).payoffs.tolist()
    with pytest.raises(dt.ParameterError, match="p_hard"):
        brinkmanship(p_hard=0.0)  # q_acc needs p > 0
    with pytest.raises(dt.ParameterError, match="soft_complies < target_acquiesced"):
        brinkmanship(soft_complies=2)  # the Soft target would comply unthreatened
    with pytest.raises(dt.ParameterError, match="hard_complies < hard_disaster"):
        brinkmanship(hard_complies=0)  # defiance would not be dominant for the Hard type
    with pytest.raises(dt.ParameterError, match="threatener_disaster < threatener_acquiesces"):
        _model().game(threatener_disaster=-1)  # the file refuses the same values


# ---------------------------------------------------------------------------- the model solves
def test_loads_solves_certifies_and_the_baseline() -> None:
    m = _model()
    assert m.concepts == ("spe",) and m.status == "teaching" and m.references
    assert not [t for t, labels in m.outcomes().items() if "entrapment" in labels]
    assert "0 by construction" in " ".join(m.entrapment.split())
    g = m.game()  # defaults: BR1 at p = 0.4, q = 0.3
    eqs = dt.solve(g, "spe")
    assert len(eqs) == 1 and eqs.complete
    e = eqs[0]
    assert e.certificate.passed and e.certificate.regret <= 1e-8
    assert dt.certify(g, e.strategies, "spe").passed
    assert e.profile["Threatener"]["threatener"]["threaten"] == 1.0
    assert e.profile["Target"]["soft_threat"]["comply"] == 1.0
    assert e.outcomes["status_quo"] == pytest.approx(0.6) and e.outcomes["war"] == pytest.approx(0.12)
    assert e.payoffs["Threatener"] == pytest.approx(_threat_payoff({**m.defaults}, True))  # -1.16
    # the baseline: no threat possible, both types defy and the threatener acquiesces
    base = m.baseline()
    assert set(base.terminals) == {"none.H.comply", "none.H.acquiesce", "none.S.comply", "none.S.acquiesce"}
    (b,) = dt.solve(base.game(), "spe")
    assert b.certificate.passed and b.outcomes["capitulation"] == pytest.approx(1.0)
    deterred = (1 - b.outcomes.get("status_quo", 0)) - (1 - e.outcomes["status_quo"])
    assert deterred == pytest.approx(1 - m.defaults["p_hard"])


# ---------------------------------------------------------------------------- example BR1
def test_br1_example() -> None:
    m = _model()
    q_eff = m.derived_value("q_eff", **BR1)
    assert q_eff == Fraction(2, 9)
    # p = 0.4: feasible; at q = q_eff the Soft type is indifferent, so there are two pure SPE (the
    # solver reports the tie); the one in which it complies gives example BR1's numbers
    assert m.derived_value("q_acc", **BR1, p_hard=0.4) == Fraction(9, 16)  # 0.5625
    g = m.game(**BR1, p_hard=0.4, risk=Fraction(2, 9))
    eqs = dt.solve(g, "spe")
    assert len(eqs) == 2 and not eqs.complete
    (e,) = [x for x in eqs if x.profile["Target"]["soft_threat"]["comply"] == 1.0]
    assert e.profile["Threatener"]["threatener"]["threaten"] == 1.0 and e.certificate.passed
    assert e.payoffs["Threatener"] == pytest.approx(-0.911111, abs=1e-6)
    assert e.payoffs["Threatener"] == pytest.approx(-41 / 45, abs=1e-12)
    assert e.outcomes["war"] == pytest.approx(0.088889, abs=1e-6)  # P(disaster) = p q_eff = 4/45
    assert e.outcomes["status_quo"] == pytest.approx(0.6)
    (other,) = [x for x in eqs if x is not e]  # Soft defies: the threat is not worth making
    assert other.profile["Threatener"]["threatener"]["no_threat"] == 1.0
    # just above q_eff the SPE is unique and threatens
    (e2,) = dt.solve(m.game(**BR1, p_hard=0.4, risk=Fraction(2, 9) + Fraction(1, 10**6)), "spe")
    assert e2.profile["Threatener"]["threatener"]["threaten"] == 1.0
    # p = 0.8: q_acc = 0.09375 < q_eff: no risk makes brinkmanship work
    assert m.derived_value("q_acc", **BR1, p_hard=0.8) == Fraction(3, 32)
    # (q = 0 is excluded: a threat with no risk is no threat, and the threatener is indifferent)
    for q in (0.05, 0.09375, 0.15, Fraction(2, 9), 0.3, 0.6, 1.0):
        eqs = dt.solve(m.game(**BR1, p_hard=0.8, risk=q), "spe")
        for x in eqs:  # every SPE (two at the tie q = q_eff)
            assert x.profile["Threatener"]["threatener"]["no_threat"] == 1.0, q
            assert x.outcomes["capitulation"] == pytest.approx(1.0)  # defiance and acquiescence
            assert x.payoffs["Threatener"] == pytest.approx(-2.0)


# ---------------------------------------------------------------------------- closed forms
def _sample(n: int, seed: int) -> pd.DataFrame:
    """Seeded points satisfying the orderings, with risk spread around q_eff and q_acc."""
    rng = np.random.default_rng(seed)
    s_a = rng.uniform(-3, 3, n)
    s_c = s_a - rng.uniform(0.1, 5, n)
    s_d = s_c - rng.uniform(0.1, 20, n)
    h_d = rng.uniform(-10, 3, n)
    h_c = np.minimum(s_a, h_d) - rng.uniform(0.1, 3, n)
    u_c = rng.uniform(-3, 3, n)
    u_a = u_c - rng.uniform(0.1, 5, n)
    u_d = u_a - rng.uniform(0.1, 20, n)
    p = rng.uniform(0.02, 1.0, n)
    v = dict(
        p_hard=p,
        target_acquiesced=s_a,
        soft_complies=s_c,
        soft_disaster=s_d,
        hard_complies=h_c,
        hard_disaster=h_d,
        threatener_complies=u_c,
        threatener_acquiesces=u_a,
        threatener_disaster=u_d,
    )
    q_eff, q_acc = _closed_form(v)
    # a third of the points near each threshold, a third uniform on [0, 1]
    pick = rng.integers(0, 3, n)
    jitter = rng.uniform(-0.2, 0.2, n)
    risk = np.where(pick == 0, q_eff + jitter, np.where(pick == 1, q_acc + jitter, rng.uniform(0, 1, n)))
    v["risk"] = np.clip(risk, 0.0, 1.0)
    return pd.DataFrame(v)


def test_closed_form_on_random_points_kernel_and_solver() -> None:
    """Soft complies with a threat iff risk >= q_eff; Hard always defies; the threatener threatens iff
    q_eff <= risk <= q_acc; unthreatened, both types defy. Kernel on >= 1,000 points, dt.solve on 120."""
    m = _model()
    pts = _sample(1500, seed=82)
    q_eff, q_acc = _closed_form(pts)
    q = pts["risk"]
    keep = (np.abs(q - q_eff) > EDGE) & (np.abs(q - q_acc) > EDGE) & (q > EDGE)
    pts, q_eff, q_acc, q = (x[keep].reset_index(drop=True) for x in (pts, q_eff, q_acc, q))
    soft = (q >= q_eff).to_numpy()
    threat = ((q_eff <= q) & (q <= q_acc)).to_numpy()
    feasible = (q_eff <= q_acc).to_numpy()
    assert len(pts) >= 1000
    assert threat.sum() > 150 and (~threat).sum() > 150  # both sides sampled, and the ways to fail:
    assert (
        (soft & ~threat).sum() > 50
        and (~soft).sum() > 150
        and (~feasible).sum() > 50
        and feasible.sum() > 300
    )
    assert m.evaluate({k: pts[k].to_numpy() for k in pts}, check=False).ordering_ok.all()

    cm = compile_model(m, "spe")
    table, undecided = cm.evaluate(pts, with_structure=True)
    assert not undecided.any()
    assert (table.groupby("point").size() == 1).all() and table["point"].nunique() == len(pts)
    table = table.set_index("point").sort_index()
    acts = []
    for sid in table["structure"]:
        s = cm.structures[int(str(sid).split(".")[0])]
        acts.append({h.name: h.actions[a] for h, a in zip(cm.game.infosets, s.pure, strict=True) if a >= 0})
    np.testing.assert_array_equal([a["threatener"] == "threaten" for a in acts], threat)
    np.testing.assert_array_equal([a["soft_threat"] == "comply" for a in acts], soft)
    for name in ("hard_threat", "hard_no_threat", "soft_no_threat"):
        assert all(a[name] == "defy" for a in acts), name
    # payoffs and P(disaster) of the closed form
    rows = pts.to_dict("records")
    want_t = [
        _threat_payoff(r, True) if t else r["threatener_acquiesces"]
        for r, t in zip(rows, threat, strict=True)
    ]
    np.testing.assert_allclose(table["payoff_Threatener"].to_numpy(), want_t, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(
        table["p_war"].to_numpy(), np.where(threat, pts["p_hard"] * q, 0.0), atol=1e-12
    )
    np.testing.assert_allclose(table["p_attack"].to_numpy(), np.where(threat, pts["p_hard"], 1.0), atol=1e-12)

    # the generic solver on a subset
    for i in range(0, len(pts), len(pts) // 120)[:120]:
        eqs = dt.solve(m.game(**rows[i]), "spe")
        assert len(eqs) == 1 and eqs.complete, rows[i]
        prof = eqs[0].profile
        assert (prof["Threatener"]["threatener"]["threaten"] == 1.0) == bool(threat[i]), rows[i]
        assert (prof["Target"]["soft_threat"]["comply"] == 1.0) == bool(soft[i]), rows[i]
        assert all(prof["Target"][k]["defy"] == 1.0 for k in TARGET_SETS if k != "soft_threat")


def test_optimal_risk_is_q_eff() -> None:
    """Over a sweep of the risk, the threatener's SPE payoff is highest at q = q_eff among feasible
    risks: it falls strictly as the risk rises above q_eff, is u_a (acquiescence) outside
    [q_eff, q_acc], and at q_eff itself the SPE in which the Soft type complies attains the maximum."""
    m = _model()
    cm = compile_model(m, "spe")
    rng = np.random.default_rng(3)
    points = [{**m.defaults, **BR1, "p_hard": 0.4}]
    while len(points) < 40:  # random points where brinkmanship is feasible with room to spare
        r = _sample(1, int(rng.integers(1 << 30))).iloc[0].to_dict()
        q_eff, q_acc = _closed_form(r)
        if q_acc - q_eff > 0.05:
            points.append(r)
    for r in points:
        q_eff, q_acc = _closed_form(r)
        grid = np.linspace(0, 1, 401)
        grid = grid[(np.abs(grid - q_eff) > EDGE) & (np.abs(grid - q_acc) > EDGE) & (grid > 0)]
        frame = pd.DataFrame({k: np.full(len(grid), v) for k, v in r.items()} | {"risk": grid})
        table, undecided = cm.evaluate(frame)
        assert not undecided.any() and (table.groupby("point").size() == 1).all()
        pay = table.sort_values("point")["payoff_Threatener"].to_numpy()
        inside = (grid > q_eff) & (grid < q_acc)
        assert inside.sum() >= 5
        np.testing.assert_allclose(pay[~inside], r["threatener_acquiesces"], atol=1e-9)
        assert (pay[inside] > r["threatener_acquiesces"]).all()
        assert (np.diff(pay[inside]) < 0).all()  # strictly decreasing in the risk: the smallest is best
        assert pay.argmax() == np.flatnonzero(inside)[0]
        # at q_eff exactly (a tie for the Soft type) the best SPE for the threatener beats the whole sweep
        best = max(e.payoffs["Threatener"] for e in dt.solve(m.game(**{**r, "risk": q_eff}), "spe"))
        assert best == pytest.approx(_threat_payoff({**r, "risk": q_eff}, True), abs=1e-9)
        assert best >= pay.max() - 1e-12
    # at BR1 (p = 0.4) the maximum is -41/45 at q_eff = 2/9, exactly
    eqs = dt.solve(m.game(**BR1, p_hard=0.4, risk=Fraction(2, 9)), "spe")
    assert max(e.payoffs["Threatener"] for e in eqs) == pytest.approx(-41 / 45, abs=1e-12)


def test_regimes_and_threshold_give_q_eff_and_q_acc() -> None:
    m = _model()
    thr = dt.threshold(m, "risk", concept="spe", **BR1, p_hard=0.4)
    assert [t["value"] for t in thr] == [sp.Rational(2, 9), sp.Rational(9, 16)]
    assert all(t["exact"] for t in thr)
    assert thr[0]["below"] == ["capitulation"] and thr[0]["above"] == ["status_quo+capitulation+war"]
    assert thr[1]["below"] == ["status_quo+capitulation+war"] and thr[1]["above"] == ["capitulation"]
    # p = 0.8: infeasible, the equilibrium outcome does not change with the risk
    thr8 = dt.threshold(m, "risk", concept="spe", **BR1, p_hard=0.8)
    assert all(t["below"] == t["above"] == ["capitulation"] for t in thr8)
    # the exact regime conditions, all parameters symbolic: the threat regime holds iff
    # q_eff <= risk <= q_acc on random points (its conditions are the closed form, rearranged)
    regs = dt.regimes(m, "spe")
    (threat,) = [r for r in regs.regimes if r.label == "status_quo+capitulation+war"]
    pts = _sample(400, seed=7)
    q_eff, q_acc = _closed_form(pts)
    keep = (np.abs(pts["risk"] - q_eff) > EDGE) & (np.abs(pts["risk"] - q_acc) > EDGE) & (pts["risk"] > EDGE)
    pts = pts[keep]
    held = regs.holds({k: pts[k].to_numpy() for k in pts})[threat.label]
    want = ((q_eff[keep] <= pts["risk"]) & (pts["risk"] <= q_acc[keep])).to_numpy()
    np.testing.assert_array_equal(held, want)
    # and at BR1, p = 0.4, the threat regime's boundaries in the risk are exactly 2/9 and 9/16
    regs1 = dt.regimes(m, "spe", **BR1, p_hard=0.4, hard_complies=-2, hard_disaster=-1)
    (threat1,) = [r for r in regs1.regimes if r.label == "status_quo+capitulation+war"]
    risk = regs1.symbols["risk"]
    cuts = {
        sp.nsimplify(s) for rel in threat1.condition.atoms(sp.Rel) for s in sp.solve(rel.lhs - rel.rhs, risk)
    }
    # (the Hard type's "defy beats comply", 1 - 2q >= -2, cuts at q = 3/2: outside the domain)
    assert {c for c in cuts if 0 <= c <= 1} == {sp.Rational(2, 9), sp.Rational(9, 16)}


def test_claim_a_pure_threat_can_be_too_large() -> None:
    """Schelling / Dixit & Skeath [L]: the threatener prefers acquiescing to disaster (u_d < u_a), so
    it would not carry out a threat; a risk q in [q_eff, q_acc] still deters the Soft type, while the
    pure threat q = 1 is unacceptable whenever q_acc < 1 (BR1 at p = 0.4: q_acc = 9/16)."""
    m = _model()
    assert m.defaults["threatener_disaster"] < m.defaults["threatener_acquiesces"]
    base = dt.solve(m.baseline().game(**BR1, p_hard=0.4), "spe")[0]
    assert base.outcomes.get("status_quo", 0.0) == 0.0  # without a threat nobody complies
    (pure,) = dt.solve(m.game(**BR1, p_hard=0.4, risk=1.0), "spe")
    assert pure.profile["Threatener"]["threatener"]["no_threat"] == 1.0
    assert pure.outcomes.get("status_quo", 0.0) == 0.0
    # were the pure threat made, the Soft type would comply: effective, but worse than acquiescing
    assert pure.profile["Target"]["soft_threat"]["comply"] == 1.0
    assert _threat_payoff({**BR1, "p_hard": 0.4, "risk": 1.0}, True) < BR1["threatener_acquiesces"]
    (chance,) = dt.solve(m.game(**BR1, p_hard=0.4, risk=0.3), "spe")
    assert chance.profile["Threatener"]["threatener"]["threaten"] == 1.0
    assert chance.outcomes["status_quo"] == pytest.approx(0.6)  # the Soft type is deterred


def test_every_claim_names_a_test_here() -> None:
    text = Path(__file__).read_text()
    claims = _model().claims
    assert len(claims) == 5
    for claim in claims:
        assert claim.get("provenance") in ("S", "L", "D", "N"), claim
        for t in claim["test"].split(", "):
            file, func = t.split("::")
            assert file == Path(__file__).name and re.search(rf"^def {func}\(", text, re.M), t
    # the module (shadowed in deterrence.catalogue.builders by its one function of the same name)
    assert importlib.import_module("deterrence.catalogue.builders.threats").__all__ == ["brinkmanship"]
