"""The Zagare–Kilgour family, the chain store, Snyder's 2×2 and mutual deterrence (catalogue models).

For each model in ``models/`` built by :mod:`deterrence.catalogue.builders.perfect_deterrence`:

* the file and the builder agree (tree, payoffs, chance probabilities, parameters, orderings,
  derived quantities, baseline);
* it solves at its defaults under each declared concept and every equilibrium certifies;
* the worked examples of ``docs/discussion/derivations.md`` (RADG, U1–U4, A1, T1–T4, KW, SN1/SN2, M1,
  each in its model's section) come out of the generic solvers;
* each closed-form condition the model implements is checked on >= 1,000 seeded parameter
  points (the compiled kernel, belief policy ``free``, against the free-policy class
  table derived there), and on >= 200 points per point with ``dt.solve`` under ``d1`` (the partition);
* the published (or derived) qualitative claims listed in each file hold (each test quotes the
  claim and its provenance tag).

The expected numbers come from those derivations (by hand, and re-computed by an independent
script), never from the solvers under test.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sympy as sp
from helpers.beliefs import belief_vectors

import deterrence as dt
from deterrence.catalogue.builders import perfect_deterrence as builders
from deterrence.catalogue.builders import reputation as reputation_builders
from deterrence.errors import ParameterError
from deterrence.game import ExtensiveFormGame, reduced_normal_form
from deterrence.kernels import compile_model
from deterrence.solvers import registry

MODELS = {
    "rudimentary_asymmetric_deterrence": builders.rudimentary_asymmetric_deterrence,
    "unilateral_deterrence": builders.unilateral_deterrence,
    "asymmetric_escalation": builders.asymmetric_escalation,
    "tripartite_crisis": builders.tripartite_crisis,
    "chain_store": builders.chain_store,
    "snyder_alliance_dilemma": builders.snyder_alliance_dilemma,
    "mutual_deterrence": builders.mutual_deterrence,
    "patron_reputation": reputation_builders.patron_reputation,
}
EDGE = 1e-6  # stay this far from every threshold (knife edges: continua of equilibria)


# ------------------------------------------------------------------ helpers
def solve(game, concept="pbe", policy=None, **kw):
    """dt.solve, asserting that every equilibrium carries a passed certificate."""
    if concept == "pbe":
        kw["belief_policy"] = policy or "free"
    eqs = dt.solve(game, concept, **kw)
    assert len(eqs) >= 1
    for e in eqs:
        assert e.certificate.passed and e.certificate.regret <= eqs.tolerance, e.certificate
    return eqs


def move(game, eq, infoset):
    return np.asarray(eq.strategies[game.infoset_by_name(infoset).index], dtype=float)


def node_probs(game, eq):
    """Probability of reaching each terminal node, by model node id."""
    tp = game.terminal_probabilities(eq.strategies)
    return {game.nodes[v].label: float(p) for v, p in zip(game.terminals, tp, strict=True)}


def reach(game, eq, suffix):
    """Total probability of the terminal nodes whose id ends with ``suffix``."""
    return sum(p for k, p in node_probs(game, eq).items() if k.endswith(suffix))


def chain(rng, n, names, lo=-5.0, hi=5.0):
    """Values satisfying names[0] < names[1] < ...: sorted uniform draws."""
    v = np.sort(rng.uniform(lo, hi, (n, len(names))), axis=1)
    return {k: v[:, i] for i, k in enumerate(names)}


def derived(model, points):
    """Derived quantities on arrays of points (sympy -> numpy)."""
    syms = [model.symbols[n] for n in model.parameters]
    out = {}
    for name, d in model.derived.items():
        f = sp.lambdify(syms, d.expr, modules="numpy")
        with np.errstate(all="ignore"):
            out[name] = np.broadcast_to(
                f(*(np.asarray(points[n], float) for n in model.parameters)),
                (len(points[next(iter(points))]),),
            ).astype(float)
    return out


def away(*gaps):
    """Mask of points farther than EDGE from every threshold."""
    return np.logical_and.reduce([np.abs(g) > EDGE for g in gaps])


def kernel_classes(model, points: pd.DataFrame, classify):
    """Equilibrium classes per decided point from the compiled kernel (policy free)."""
    cm = compile_model(model, "pbe" if "pbe" in model.concepts else "spe", "free")
    table, undecided = cm.evaluate(points)
    found: dict[int, set[str]] = {int(i): set() for i in points.index[~undecided]}
    for row in table.itertuples(index=False):
        found[int(row.point)].add(classify(row))
    return found, undecided


# ================================================================== file == builder
def _node_key(n):
    return (n.id, n.kind, n.player, n.infoset, tuple(n.actions.items()), tuple(n.outcome))


def assert_same_model(a: dt.Model, b: dt.Model) -> None:
    assert a.name == b.name and a.players == b.players and a.root == b.root
    assert a.concepts == b.concepts and a.status == b.status
    assert [_node_key(n) for n in a.nodes] == [_node_key(n) for n in b.nodes]
    pa, pb = a.payoff_expressions(), b.payoff_expressions()
    assert pa.keys() == pb.keys()
    for path in pa:
        for p in a.players:
            assert sp.simplify(pa[path][p] - pb[path][p]) == 0, (path, p)
    qa, qb = a.probability_expressions(), b.probability_expressions()
    assert qa.keys() == qb.keys()
    for path in qa:
        for act in qa[path]:
            assert sp.simplify(qa[path][act] - qb[path][act]) == 0, (path, act)
    assert list(a.parameters) == list(b.parameters)
    for name, p in a.parameters.items():
        q = b.parameters[name]
        assert (p.default, p.domain_text, p.description, p.symbol) == (
            q.default,
            q.domain_text,
            q.description,
            q.symbol,
        ), name
    assert [(o.text, o.note, o.provenance) for o in a.orderings] == [
        (o.text, o.note, o.provenance) for o in b.orderings
    ]
    assert list(a.derived) == list(b.derived)
    for name in a.derived:
        assert sp.simplify(a.derived[name].expr - b.derived[name].expr) == 0, name
    assert " ".join(a.description.split()) == " ".join(b.description.split())
    assert [(r.key, r.provenance) for r in a.references] == [(r.key, r.provenance) for r in b.references]
    assert a.claims == b.claims
    ba, bb = a.baseline(), b.baseline()
    assert ba.fixed == bb.fixed and ba.outcomes() == bb.outcomes()
    assert [_node_key(n) for n in ba.nodes] == [_node_key(n) for n in bb.nodes]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_file_and_builder_agree(name):
    assert_same_model(dt.load_model(name), MODELS[name]())


def test_every_claim_names_a_test_here():
    """Each claim in the files points at the test (in this module, or ``file.py::name`` in
    ``tests/``) that reproduces it."""
    names = set(globals())
    here = Path(__file__).parent
    for name in MODELS:
        for claim in dt.load_model(name).claims:
            assert claim.get("provenance") in ("S", "L", "D", "N"), claim
            if claim["test"].startswith("not tested"):
                continue
            for t in claim["test"].split(", "):
                if "::" in t:
                    file, func = t.split(" ")[0].split("::")
                    assert f"def {func}(" in (here / file).read_text(), (name, t)
                else:
                    assert t.split(" ")[0] in names, (name, t)


def test_builders_take_parameters_by_name():
    m = builders.unilateral_deterrence(p_defender_hard=0.7, c_status_quo=3.5)
    assert m.defaults["p_defender_hard"] == 0.7 and m.derived_value("rho_H_star") == pytest.approx(0.25)
    with pytest.raises(ParameterError, match="c_status_quo"):  # the default violates the ordering
        builders.unilateral_deterrence(c_status_quo=10).game()
    three = builders.chain_store(markets=3)
    assert three.players == ("Entrant1", "Entrant2", "Entrant3", "Incumbent")
    assert len(three.terminals) == 2 * 3**3
    assert three.derived_value("entry_threshold") == pytest.approx(0.125)  # b**3, KW: market with 3 to go
    with pytest.raises(ParameterError, match="markets"):
        builders.chain_store(markets=0)


# ================================================================== every model solves and certifies
DEFAULT_SOLVES = [
    ("rudimentary_asymmetric_deterrence", "pbe", "free", {}),
    ("rudimentary_asymmetric_deterrence", "pbe", "d1", {}),
    ("unilateral_deterrence", "pbe", "free", {}),
    ("unilateral_deterrence", "pbe", "d1", {}),
    ("tripartite_crisis", "pbe", "free", {}),
    ("tripartite_crisis", "pbe", "d1", {}),
    ("chain_store", "pbe", "free", {"max_mixed_sets": 2}),
    ("chain_store", "pbe", "d1", {"max_mixed_sets": 2}),
    # the AEG has 1,296 undominated pure profiles: pure PBE here, the full mixed search is slow
    ("asymmetric_escalation", "pbe", "free", {"mixed": False}),
    pytest.param("asymmetric_escalation", "pbe", "d1", {"mixed": False}, marks=pytest.mark.slow),
    ("snyder_alliance_dilemma", "nash", None, {}),
    ("mutual_deterrence", "spe", None, {}),
    ("patron_reputation", "pbe", "d1", {}),  # 3 crises: the reputation solver (auto)
]


@pytest.mark.parametrize(("name", "concept", "policy", "options"), DEFAULT_SOLVES)
def test_solves_at_defaults_and_certifies(name, concept, policy, options):
    m = dt.load_model(name)
    assert concept in m.concepts
    g = m.game()
    eqs = solve(g, concept, policy, **options)
    for e in list(eqs)[:6]:  # an independent second certification
        beliefs = None
        if concept == "pbe":
            beliefs = belief_vectors(g, e)
        cert = dt.certify(g, e.strategies, concept, beliefs=beliefs)
        assert cert.passed
    base = m.baseline().game()
    assert solve(base, concept, policy, **options)


def test_declared_concepts_cover_every_model():
    assert {n: dt.load_model(n).concepts for n in MODELS} == {
        "rudimentary_asymmetric_deterrence": ("pbe",),
        "unilateral_deterrence": ("pbe",),
        "asymmetric_escalation": ("pbe",),
        "tripartite_crisis": ("pbe",),
        "chain_store": ("pbe",),
        "snyder_alliance_dilemma": ("nash",),
        "mutual_deterrence": ("spe",),
        "patron_reputation": ("pbe",),
    }
    assert dt.load_model("tripartite_crisis").status == "reconstruction"
    assert "NOT VERIFIED" in dt.load_model("tripartite_crisis").description


# ==================================================== RADG (derivations.md#rudimentary-asymmetric-deterrence)
RADG = dt.load_model("rudimentary_asymmetric_deterrence")


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_radg_worked_example(policy):
    """aDD = 0, aSQ = 2, aDC = 3 => pB* = 1/3; pB = 0.5 deterrence [0;1,0], pB = 0.2 attack [1;1,0]."""
    assert RADG.derived_value("pB_star") == sp.Rational(1, 3)
    g = RADG.game(p_defender_hard=0.5)
    (e,) = solve(g, "pbe", policy)
    assert e.outcomes["status_quo"] == pytest.approx(1)
    g = RADG.game(p_defender_hard=0.2)
    (e,) = solve(g, "pbe", policy)
    assert move(g, e, "challenger")[1] == 1
    assert reach(g, e, ".DD") == pytest.approx(0.2) and reach(g, e, ".DC") == pytest.approx(0.8)


def _radg_points(n, seed):
    rng = np.random.default_rng(seed)
    pts = {
        "p_defender_hard": rng.uniform(0, 1, n),
        **chain(rng, n, ["c_conflict", "c_status_quo", "c_defender_concedes"]),
        **chain(rng, n, ["d_conflict_soft", "d_defender_concedes", "d_conflict_hard", "d_status_quo"]),
    }
    star = derived(RADG, pts)["pB_star"]
    keep = away(pts["p_defender_hard"] - star)
    return pd.DataFrame({k: v[keep] for k, v in pts.items()}), star[keep]


def test_radg_threshold_sweep():
    """[D] attack iff pB < pB* = (aDC - aSQ)/(aDC - aDD): kernel (free) on 1,200 points, and
    claim [S] 'yH = 1 and yS = 0 at any Bayesian equilibrium' with d1 per point on 200."""
    pts, star = _radg_points(1200, seed=11)

    def cls(row):
        return "deter" if row.outcome_status_quo > 1 - 1e-9 else "attack"

    found, undecided = kernel_classes(RADG, pts, cls)
    assert undecided.sum() <= 5 and len(found) >= 1000
    for k, classes in found.items():
        assert classes == {"deter" if pts["p_defender_hard"].iloc[k] > star[k] else "attack"}, k
    sub = pts.iloc[:200]
    for k, row in enumerate(sub.itertuples(index=False)):
        g = RADG.game(**row._asdict())
        (e,) = solve(g, "pbe", "d1")
        assert move(g, e, "defender_hard")[1] == 1 and move(g, e, "defender_soft")[1] == 0  # yH = 1, yS = 0
        assert move(g, e, "challenger")[1] == (0 if row.p_defender_hard > star[k] else 1)


# ================================================================= UDG (derivations.md#unilateral-deterrence)
UDG = dt.load_model("unilateral_deterrence")


def udg_class(g, e):
    xh, xs = move(g, e, "challenger_hard")[1], move(g, e, "challenger_soft")[1]
    if xh < 1e-9 and xs < 1e-9:
        return "SQ"
    if xh > 1 - 1e-9 and xs < 1e-9:
        return "Separating"
    if xh > 1 - 1e-9 and xs > 1 - 1e-9:
        return "Attack"
    return "Bluff" if xh > 1 - 1e-9 else "other"


UDG_EXAMPLES = {  # (pCh, pDef): classes under free / prior / d1 (U1-U4)
    "U1": ((0.5, 0.6), {"free": {"SQ"}, "prior": {"SQ"}, "d1": {"SQ"}}),
    "U2": ((0.5, 0.4), {"free": {"SQ", "Separating"}, "prior": {"SQ", "Separating"}, "d1": {"Separating"}}),
    "U3": ((0.8, 0.2), {"free": {"SQ", "Attack"}, "prior": {"Attack"}, "d1": {"Attack"}}),
    "U4": ((0.5, 0.2), {"free": {"SQ", "Bluff"}, "prior": {"SQ", "Bluff"}, "d1": {"Bluff"}}),
}


@pytest.mark.parametrize("example", sorted(UDG_EXAMPLES))
def test_udg_worked_examples(example):
    (p_ch, p_def), expected = UDG_EXAMPLES[example]
    assert (
        UDG.derived_value("rho_H_star"),
        UDG.derived_value("rho_S_star"),
        UDG.derived_value("r_star"),
    ) == (sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(2, 3))
    g = UDG.game(p_challenger_hard=p_ch, p_defender_hard=p_def)
    for policy, classes in expected.items():
        eqs = solve(g, "pbe", policy)
        assert {udg_class(g, e) for e in eqs} == classes, policy
        if policy == "d1":
            assert len(eqs) == 1 and eqs.complete
    (e,) = solve(g, "pbe", "d1")
    if example == "U2":  # SQ 0.5, Conflict 0.2, DC 0.3
        assert (reach(g, e, ".SQ"), reach(g, e, ".DD"), reach(g, e, ".DC")) == pytest.approx((0.5, 0.2, 0.3))
    if example == "U3":  # DC 0.80, Conflict 0.16, CD 0.04
        assert (reach(g, e, ".DC"), reach(g, e, ".DD"), reach(g, e, ".CD")) == pytest.approx(
            (0.8, 0.16, 0.04)
        )
    if example == "U4":  # xS = 0.5, yS = 1/6, r = 2/3; SQ 0.25, DC 0.5, Conflict 1/6, CD 1/12
        assert move(g, e, "challenger_soft")[1] == pytest.approx(0.5, abs=1e-9)
        assert move(g, e, "defender_soft")[1] == pytest.approx(1 / 6, abs=1e-9)
        assert e.beliefs["defender_soft"]["hard/soft/challenge"] == pytest.approx(2 / 3, abs=1e-9)
        assert (
            reach(g, e, ".SQ"),
            reach(g, e, ".DC"),
            reach(g, e, ".DD"),
            reach(g, e, ".CD"),
        ) == pytest.approx((0.25, 0.5, 1 / 6, 1 / 12))


def _udg_points(n, seed):
    rng = np.random.default_rng(seed)
    pts = {
        "p_challenger_hard": rng.uniform(0, 1, n),
        "p_defender_hard": rng.uniform(0, 1, n),
        **chain(
            rng,
            n,
            [
                "c_conflict_soft",
                "c_challenger_concedes",
                "c_conflict_hard",
                "c_status_quo",
                "c_defender_concedes",
            ],
        ),
        **chain(
            rng,
            n,
            [
                "d_conflict_soft",
                "d_defender_concedes",
                "d_conflict_hard",
                "d_challenger_concedes",
                "d_status_quo",
            ],
        ),
    }
    d = derived(UDG, pts)
    keep = away(
        pts["p_defender_hard"] - d["rho_H_star"],
        pts["p_defender_hard"] - d["rho_S_star"],
        pts["p_challenger_hard"] - d["r_star"],
    )
    return pd.DataFrame({k: v[keep] for k, v in pts.items()}).reset_index(drop=True), {
        k: v[keep] for k, v in d.items()
    }


def test_udg_free_class_table_sweep():
    """The UDG class table (free beliefs): SQ always; Separating iff rho_S* < pDef < rho_H*; Attack iff
    pDef < rho_S* and pCh > r*; Bluff iff pDef < rho_S* and pCh < r*; with the table's outcome
    probabilities. Compiled kernel, 1,200 seeded points."""
    pts, d = _udg_points(1200, seed=7)
    pch, pdef = pts["p_challenger_hard"].to_numpy(), pts["p_defender_hard"].to_numpy()

    def cls(row):
        k = int(row.point)
        if row.regime == "status_quo":
            return "SQ"
        war = pch[k] * pdef[k]  # only a Hard Challenger presses, against a Hard Defender that resists
        if not row.regime.startswith("mixed") and abs(row.outcome_war - war) < 1e-9:
            if abs(row.outcome_status_quo - (1 - pch[k])) < 1e-9:
                return "Separating"
            if abs(row.outcome_status_quo) < 1e-9:
                return "Attack"
        if row.regime.startswith("mixed"):
            r = d["r_star"][k]
            xs = pch[k] * (1 - r) / ((1 - pch[k]) * r)
            if abs(row.outcome_status_quo - (1 - pch[k]) * (1 - xs)) < 1e-8:
                return "Bluff"
        return f"other:{row.regime}"

    found, undecided = kernel_classes(UDG, pts, cls)
    assert undecided.sum() <= 10 and len(found) >= 1000
    for k, classes in found.items():
        lo, hi, r = d["rho_S_star"][k], d["rho_H_star"][k], d["r_star"][k]
        expected = {"SQ"}
        if lo < pdef[k] < hi:
            expected.add("Separating")
        if pdef[k] < lo:
            expected.add("Attack" if pch[k] > r else "Bluff")
        assert classes == expected, (k, pts.iloc[k].to_dict())


def test_udg_d1_partition_sweep():
    """[D] Under d1 the PBE is unique: SQ if pDef > rho_H*; Separating if rho_S* < pDef < rho_H*;
    Attack if pDef < rho_S* and pCh > r*; Bluff if pDef < rho_S* and pCh < r*. 200 points."""
    pts, d = _udg_points(260, seed=8)
    pts = pts.iloc[:200]
    for k, row in enumerate(pts.itertuples(index=False)):
        g = UDG.game(**row._asdict())
        eqs = solve(g, "pbe", "d1")
        lo, hi, r = d["rho_S_star"][k], d["rho_H_star"][k], d["r_star"][k]
        pdef = row.p_defender_hard
        want = (
            "SQ"
            if pdef > hi
            else "Separating"
            if pdef > lo
            else "Attack"
            if row.p_challenger_hard > r
            else "Bluff"
        )
        assert [udg_class(g, e) for e in eqs] == [want], (k, row)


def test_udg_claim_credibility_neither_necessary_nor_sufficient():
    """'Credible threats are neither necessary nor sufficient for deterrence' [S: ORE summary of
    perfect deterrence theory]; in the UDG, deterring every Challenger needs pDef >= rho_H*, set
    by the Challenger's utilities [D]."""
    # not necessary: a Defender that is Soft with probability 0.4 deters every Challenger
    g = UDG.game(p_challenger_hard=0.9, p_defender_hard=0.6)
    assert {udg_class(g, e) for e in solve(g, "pbe", "d1")} == {"SQ"}
    # same credibility, a Challenger that values the status quo less (cSQ 3 -> 3.5): rho_H* = 0.25 ...
    assert builders.unilateral_deterrence(c_status_quo=3.5).derived_value("rho_H_star") == sp.Rational(1, 4)
    # ... one that values it more (cSQ 3 -> 2.5, cDD+ 2 -> 1.5): rho_H* = 0.6 > pDef: deterrence fails
    g = UDG.game(p_challenger_hard=0.9, p_defender_hard=0.55, c_status_quo=2.5, c_conflict_hard=1.5)
    assert {udg_class(g, e) for e in solve(g, "pbe", "d1")} == {"Separating"}
    # not sufficient: a certainly Hard Defender facing an incapable threat (cDD+ > cSQ, outside the
    # ordering) does not deter the Hard Challenger
    g = UDG.game(p_challenger_hard=0.5, p_defender_hard=1, c_conflict_hard=3.5, check_orderings=False)
    eqs = solve(g, "pbe", "d1")
    assert all(move(g, e, "challenger_hard")[1] == 1 for e in eqs)
    assert all(e.outcomes["war"] == pytest.approx(0.5) for e in eqs)


@pytest.mark.slow  # about 20 s: dt.regimes compiles and simplifies every structure
def test_udg_thresholds_from_exact_regimes():
    """dt.threshold on the UDG reproduces rho_S* = 1/3, rho_H* = 1/2 (in pDef) and r* = 2/3 (in pCh)."""
    util = {k: v for k, v in UDG.defaults.items() if not k.startswith("p_")}
    found = {x["value"] for x in dt.threshold(UDG, "p_defender_hard", "pbe", p_challenger_hard=0.5, **util)}
    assert {sp.Rational(1, 3), sp.Rational(1, 2)} <= found
    found = {x["value"] for x in dt.threshold(UDG, "p_challenger_hard", "pbe", p_defender_hard=0.2, **util)}
    assert sp.Rational(2, 3) in found


@pytest.mark.slow
def test_udg_exact_regimes_hold_at_u4_and_no_spurious_threshold():
    util = {k: v for k, v in UDG.defaults.items() if not k.startswith("p_")}
    regs = dt.regimes(UDG, "pbe", **util)
    held = regs.holds({"p_challenger_hard": np.array([0.5]), "p_defender_hard": np.array([0.2])})
    assert held["mixed:status_quo+capitulation+war"][0]
    found = {x["value"] for x in dt.threshold(UDG, "p_defender_hard", "pbe", p_challenger_hard=0.5, **util)}
    assert found == {sp.Rational(1, 3), sp.Rational(1, 2)}


# ================================================================= AEG (derivations.md#asymmetric-escalation)
AEG = dt.load_model("asymmetric_escalation")
AEG_TYPES = {"HH": (1, 0, 0), "HS": (0, 1, 0), "SH": (0, 0, 1), "SS": (0, 0, 0)}
A1 = {
    ("H", "HH"): "SQ",
    ("H", "HS"): "DC",
    ("H", "SH"): "DC",
    ("H", "SS"): "DC",
    ("S", "HH"): "SQ",
    ("S", "HS"): "SQ",
    ("S", "SH"): "SQ",
    ("S", "SS"): "SQ",
}


def test_aeg_orderings_are_validated():
    with pytest.raises(ParameterError, match="ordering"):
        AEG.game(c_limited_conflict=4.5)  # cDD above cED
    with pytest.raises(ParameterError, match="ordering"):
        AEG.game(d_limited_hard=3.5)  # dDD+ below dDC: the tactically Hard type would concede
    with pytest.raises(ParameterError, match="ordering"):
        AEG.game(p_defender_hh=0.5, p_defender_hs=0.5, p_defender_sh=0.5)  # type probabilities above 1
    AEG.game(c_limited_conflict=4.5, check_orderings=False)


@pytest.mark.parametrize(("ch", "dfn"), sorted(A1))
def test_aeg_complete_information_table_A1(ch, dfn):
    """Test A1 [D][N]: subgame-perfect outcome for each of the 8 type combinations."""
    hh, hs, sh = AEG_TYPES[dfn]
    g = AEG.game(
        p_challenger_hard=1 if ch == "H" else 0, p_defender_hh=hh, p_defender_hs=hs, p_defender_sh=sh
    )
    # the complete-information game: the subtree below Nature's moves for these types (perfect information)
    sub = g.root_node.branches["hard" if ch == "H" else "soft"][1].branches[dfn][1]
    full = ExtensiveFormGame(sub, players=g.players)
    assert full.is_perfect_information()
    (e,) = solve(full, "spe")
    assert {k.split(".")[1] for k, p in node_probs(full, e).items() if p > 1e-9} == {A1[(ch, dfn)]}
    # the same outcome in the incomplete-information model when the types are certain (prior beliefs)
    for e in solve(g, "pbe", "prior", mixed=False):
        assert {k.split(".")[1] for k, p in node_probs(g, e).items() if p > 1e-9} == {A1[(ch, dfn)]}


def test_aeg_incomplete_information_pbe():
    """Interior points: every pure PBE certifies, types play their dominant final moves, and with
    a mostly Hard-Hard Defender and a mostly Soft Challenger the status quo holds (A1 limit)."""
    g = AEG.game(p_challenger_hard=0.1, p_defender_hh=0.9, p_defender_hs=0.04, p_defender_sh=0.03)
    eqs = solve(g, "pbe", "prior", mixed=False)
    assert any(e.outcomes["status_quo"] == pytest.approx(1) for e in eqs)
    g = AEG.game()
    for e in solve(g, "pbe", "free", mixed=False):
        for t in ("HH", "SH"):  # strategically Hard Defender counter-escalates, Soft ones hold
            assert move(g, e, f"defender_{t}_after_escalation")[1] == 1
        for t in ("HS", "SS"):
            assert move(g, e, f"defender_{t}_after_escalation")[0] == 1
        assert move(g, e, "challenger_hard_after_escalation")[1] == 1
        assert move(g, e, "challenger_soft_after_escalation")[0] == 1


# ================================================================== TCG-R (derivations.md#tripartite-crisis)
TCG = dt.load_model("tripartite_crisis")
C_T4 = {"c_realignment": 8, "c_concession": 3, "c_status_quo": 4, "c_war_determined": 3.5, "c_back_down": 1}


def tcg_summary(g, e):
    return {
        "det": move(g, e, "challenger_determined")[1],
        "h": move(g, e, "challenger_hesitant")[1],
        "sigma": move(g, e, "defender")[0],
    }


def test_tcg_t1_straddle():
    """T1 pCh = 0.3, pPro = 0.2: pi* = 1/3, delta* = 0.8, sigma_H* = 2/7; straddle h = 0.107143."""
    assert [TCG.derived_value(k) for k in ("pi_star", "delta_star", "sigma_H_star")] == [
        sp.Rational(1, 3),
        sp.Rational(4, 5),
        sp.Rational(2, 7),
    ]
    assert float(TCG.derived_value("sigma_D_star")) == pytest.approx(0.545455, abs=1e-6)
    g = TCG.game()
    (e,) = solve(g, "pbe", "d1")
    s = tcg_summary(g, e)
    assert (
        s["det"] == 1 and s["h"] == pytest.approx(0.107143, abs=1e-6) and s["sigma"] == pytest.approx(2 / 7)
    )
    assert 1 - e.outcomes["status_quo"] == pytest.approx(0.375)
    for node, p in {".WAR": 0.085714, ".CB": 0.021429, ".RA": 0.053571, ".PC": 0.214286}.items():
        assert reach(g, e, node) == pytest.approx(p, abs=1e-6), node
    # war is allied_war, never entrapment; a withdrawn demand is backdown, not capitulation (issue 19)
    assert e.outcomes["allied_war"] == pytest.approx(0.085714, abs=1e-6) and "entrapment" not in e.outcomes
    assert e.outcomes["backdown"] == pytest.approx(0.021429, abs=1e-6)
    assert e.outcomes["capitulation"] == pytest.approx(e.outcomes["abandonment"])  # only the Protege gives in
    prior = solve(g, "pbe", "prior")  # a second PBE (no demand, sigma = 1) that d1 eliminates
    kinds = sorted((round(tcg_summary(g, x)["h"], 6), round(tcg_summary(g, x)["sigma"], 6)) for x in prior)
    assert kinds == [(0.0, 1.0), (0.107143, 0.285714)]


def test_tcg_claim_r1_unequivocal_support():
    """'Unequivocal commitments are efficacious but only when Protege's threat to sever its
    relationship with Defender is highly credible' [S: Zagare & Kilgour 2006 abstract, R1].
    T2 (pPro = 0.5 > pi*): no demand, sigma = 1. T3 (pCh = 0.9 > delta*): both demand, sigma = 0."""
    g = TCG.game(p_realigner=0.5)
    (e,) = solve(g, "pbe", "d1")
    assert tcg_summary(g, e) == {"det": 0, "h": 0, "sigma": 1}
    g = TCG.game(p_determined=0.9)
    (e,) = solve(g, "pbe", "d1")
    assert tcg_summary(g, e) == {"det": 1, "h": 1, "sigma": 0} and e.outcomes["allied_war"] == 0


def test_tcg_t4_non_monotonic():
    """Z–K (2003) [S: abstract]: 'when Challenger ... stands to gain a great deal, Protege's threat
    may actually prompt Challenger to make a demand'. T4 [D][N]: P(demand) 0, 0.342857, 0."""
    demand = {}
    for p_pro in (0.10, 0.25, 0.50):
        g = TCG.game(p_realigner=p_pro, **C_T4)
        (e,) = solve(g, "pbe", "d1")
        demand[p_pro] = 1 - e.outcomes["status_quo"]
        if p_pro == 0.25:
            s = tcg_summary(g, e)
            assert s["sigma"] == pytest.approx(1 / 13) and s["h"] == pytest.approx(0.061224, abs=1e-6)
    assert demand == {0.10: pytest.approx(0), 0.25: pytest.approx(0.342857, abs=1e-6), 0.50: pytest.approx(0)}
    # with cPC > cSQ (T1 numbers) a more credible realignment threat only lowers initiation
    demand = [
        1 - solve(TCG.game(p_realigner=x), "pbe", "d1")[0].outcomes["status_quo"]
        for x in (0.0, 0.1, 0.2, 0.3)
    ]
    assert all(a > b for a, b in itertools.pairwise(demand))


def _tcg_points(n, seed):
    rng = np.random.default_rng(seed)
    pts = {
        "p_determined": rng.uniform(0, 1, n),
        "p_realigner": rng.uniform(0, 1, n),
        **chain(rng, n, ["c_war_hesitant", "c_back_down", "c_war_determined", "c_status_quo"]),
        **chain(rng, n, ["d_realignment", "d_war", "d_concession", "d_back_down", "d_status_quo"]),
        "pro_realign_realigner": rng.uniform(0.1, 2, n),
        "pro_realign_loyal": -rng.uniform(0.1, 2, n),
    }
    pts["c_concession"] = pts["c_back_down"] + rng.uniform(-1, 6, n)  # often above cSQ: demands pay
    pts["c_realignment"] = pts["c_concession"] + rng.uniform(0, 4, n)
    d = derived(TCG, pts)
    keep = away(
        pts["p_realigner"] - d["pi_star"],
        pts["p_determined"] - d["delta_star"],
        d["V_N_c"] - pts["c_status_quo"],
    )
    return pd.DataFrame({k: v[keep] for k, v in pts.items()}).reset_index(drop=True), {
        k: v[keep] for k, v in d.items()
    }


def test_tcg_free_class_table_sweep():
    """The TCG-R class table under free beliefs: no-demand always; Straddle iff pPro < pi*, pCh < delta*,
    V_N^c > cSQ (war w.p. pCh * sigma_H*); Attack without support iff pPro < pi*, pCh > delta*,
    V_N^c > cSQ. Compiled kernel, 1,200 seeded points."""
    pts, d = _tcg_points(1200, seed=5)
    pch = pts["p_determined"].to_numpy()

    def cls(row):
        k = int(row.point)
        if row.regime == "status_quo":
            return "NoDemand"
        if (
            row.regime.startswith("mixed")
            and abs(row.outcome_allied_war - pch[k] * d["sigma_H_star"][k]) < 1e-8
        ):
            return "Straddle"
        if (
            not row.regime.startswith("mixed")
            and row.outcome_status_quo < 1e-9
            and row.outcome_allied_war < 1e-9
        ):
            return "Attack"
        return f"other:{row.regime}"

    found, undecided = kernel_classes(TCG, pts, cls)
    assert undecided.sum() <= 10 and len(found) >= 1000
    counts = {"Straddle": 0, "Attack": 0}
    for k, classes in found.items():
        expected = {"NoDemand"}
        if pts["p_realigner"].iloc[k] < d["pi_star"][k] and d["V_N_c"][k] > pts["c_status_quo"].iloc[k]:
            expected.add("Straddle" if pch[k] < d["delta_star"][k] else "Attack")
        for c in expected - {"NoDemand"}:
            counts[c] += 1
        assert classes == expected, (k, pts.iloc[k].to_dict())
    assert min(counts.values()) >= 50  # the sample exercises every class


def test_tcg_claim_r2_r3_straddle_sweep():
    """'Otherwise a straddle (or mixed) strategy is optimal for Defender' (R2) and 'a straddle
    strategy will always fail to deter determined Challengers ... that prefer to fight rather than
    back down', and may fail even against hesitant ones (R3) [S: Zagare & Kilgour 2006 abstract].
    d1 per point on 200 seeded points: the unique PBE is the derived class, and in every straddle
    the Determined Challenger demands for sure, war has probability pCh * sigma_H* > 0, and some
    Hesitant Challengers demand too (h > 0)."""
    pts, d = _tcg_points(300, seed=6)
    pts = pts.iloc[:200]
    straddles = 0
    for k, row in enumerate(pts.itertuples(index=False)):
        g = TCG.game(**row._asdict())
        (e,) = solve(g, "pbe", "d1")
        s = tcg_summary(g, e)
        if row.p_realigner > d["pi_star"][k] or d["V_N_c"][k] < row.c_status_quo:
            assert s["det"] == 0 and s["h"] == 0 and e.outcomes["status_quo"] == pytest.approx(1)  # R1
            if row.p_realigner > d["pi_star"][k]:
                assert s["sigma"] == 1  # unequivocal support
        elif row.p_determined < d["delta_star"][k]:  # R2: the straddle
            straddles += 1
            assert 0 < s["sigma"] < 1 and s["sigma"] == pytest.approx(d["sigma_H_star"][k], abs=1e-8)
            assert s["det"] == 1  # R3: never deters the Determined Challenger
            assert e.outcomes["allied_war"] == pytest.approx(
                row.p_determined * d["sigma_H_star"][k], abs=1e-8
            )
            assert e.outcomes["allied_war"] > 0 and s["h"] > 0
        else:
            assert s == {"det": 1, "h": 1, "sigma": 0}
    assert straddles >= 20


# ================================================================== chain store (derivations.md#chain-store)
CS = dt.load_model("chain_store")


def _cs_profile(g, p, a, b):
    """The derived sequential equilibrium (N = 2) as behaviour and beliefs, from the closed form."""
    sigma = min(1.0, p * (1 - b) / ((1 - p) * b)) if p < 1 else 1.0
    post_f = b if p < b else p  # posterior after a fight
    beh = {
        "entrant1": [1.0, 0.0] if p > b * b else [0.0, 1.0],
        "incumbent_tough_1": [1.0, 0.0],
        "incumbent_weak_1": [sigma, 1 - sigma],
        "entrant2_o": [1.0, 0.0] if p > b else [0.0, 1.0],
        "entrant2_f": [1 / a, 1 - 1 / a] if p < b else [1.0, 0.0],
        "entrant2_a": [0.0, 1.0],
    }
    for h in ("o", "f", "a"):
        beh[f"incumbent_tough_2_{h}"] = [1.0, 0.0]
        beh[f"incumbent_weak_2_{h}"] = [0.0, 1.0]
    belief = {"entrant2_o": p, "entrant2_f": post_f, "entrant2_a": 0.0}
    strategies = [np.array(beh[h.name]) for h in g.infosets]
    beliefs = []
    for h in g.infosets:
        if h.name in belief:  # nodes: tough first, then weak
            beliefs.append(np.array([belief[h.name], 1 - belief[h.name]]))
        elif h.name == "entrant1":
            beliefs.append(np.array([p, 1 - p]))
        else:  # the incumbent's sets are singletons
            beliefs.append(np.ones(len(h.nodes)))
    return strategies, beliefs


def test_chain_store_kw_numbers():
    """Kreps–Wilson with N = 2, a = 2, b = 0.5 [D][N]. p = 0.2 < b^2: the first entrant enters,
    Weak fights w.p. p(1-b)/((1-p)b) = 1/4, Pr(fight) = p/b = 0.4 < b, posterior after a fight b,
    and the second entrant then stays out w.p. 1/a. p = 0.3 > b^2: no entry (as KW1's markets 5 and 4)."""
    assert CS.derived_value("entry_threshold") == sp.Rational(1, 4)
    g = CS.game(p_tough=0.2)
    (e,) = solve(g, "pbe", "d1")
    assert move(g, e, "entrant1")[1] == 1
    assert (
        move(g, e, "incumbent_weak_1")[0] == pytest.approx(0.25) and move(g, e, "incumbent_tough_1")[0] == 1
    )
    assert e.beliefs["entrant2_f"]["tough/enter/fight"] == pytest.approx(0.5)
    assert move(g, e, "entrant2_f")[0] == pytest.approx(0.5)
    assert reach(g, e, ".fo") + reach(g, e, ".ff") + reach(g, e, ".fa") == pytest.approx(0.4)
    g = CS.game(p_tough=0.3)
    (e,) = solve(g, "pbe", "d1", max_mixed_sets=2)
    assert move(g, e, "entrant1")[0] == 1  # deterred; the last entrant (belief p < b) enters
    assert e.outcomes["war"] == pytest.approx(0.3) and e.outcomes["capitulation"] == pytest.approx(0.7)
    assert move(g, e, "incumbent_weak_1")[0] == pytest.approx(3 / 7)  # off path, posterior after fight b


def test_chain_store_selten_paradox():
    """Selten (1978) [S]: with complete information (p = 0) every entrant enters and the incumbent
    always acquiesces; the baseline of the model is exactly this game. Under every policy, ``free``
    included: no belief may rest on the Tough type Nature never draws (issue 14), so no off-path
    belief in toughness deters the first entrant."""
    for g in (CS.game(p_tough=0), CS.baseline().game(p_tough=0.4)):
        for policy in ("prior", "d1", "free"):
            (e,) = solve(g, "pbe", policy, max_mixed_sets=2)
            assert reach(g, e, "weak.aa") == pytest.approx(1)
            entrants = [b for name, b in e.beliefs.items() if name.startswith("entrant")]
            assert all(p == 0 for b in entrants for path, p in b.items() if path.startswith("tough"))


def test_chain_store_entry_sweep():
    """[D] The closed form (entry iff p < b^2; Weak fights w.p. min(1, p(1-b)/((1-p)b)); the next
    entrant stays out w.p. 1/a after a fight) is a PBE at 1,200 seeded points (independent
    certifier), and the generic d1 solver finds it at 10 of them, on both sides of p = b."""
    rng = np.random.default_rng(3)
    n = 1200
    pts = pd.DataFrame(
        {
            "p_tough": rng.uniform(0, 0.95, n),
            "monopoly_profit": rng.uniform(1.05, 5, n),
            "entry_profit": rng.uniform(0.05, 0.95, n),
        }
    )
    b = pts["entry_profit"]
    pts = pts[away(pts["p_tough"] - b**2, pts["p_tough"] - b)].reset_index(drop=True)
    assert len(pts) >= 1000
    g0 = CS.game()
    for row in pts.itertuples(index=False):
        g = CS.game(**row._asdict(), exact=False)
        strategies, beliefs = _cs_profile(g0, row.p_tough, row.monopoly_profit, row.entry_profit)
        assert dt.certify(g, strategies, "pbe", beliefs=beliefs, tol=1e-7).passed, row
    below = pts[pts["p_tough"] < pts["entry_profit"]]
    above = pts[pts["p_tough"] > pts["entry_profit"]]
    for row in pd.concat([below.iloc[:6], above.iloc[:4]]).itertuples(index=False):
        g = CS.game(**row._asdict())
        eqs = solve(g, "pbe", "d1", max_mixed_sets=2)
        assert len(eqs) >= 1, row
        p, a, b = row.p_tough, row.monopoly_profit, row.entry_profit
        want, _ = _cs_profile(g, p, a, b)
        for e in eqs:
            for h, s in zip(g.infosets, want, strict=True):
                pinned = ("entrant1", "incumbent_weak_1", "entrant2_a")
                if h.name in pinned or (h.name == "entrant2_f" and p < b):
                    assert move(g, e, h.name) == pytest.approx(s, abs=1e-7), (h.name, row)


def test_chain_store_kw1_five_markets():
    """Test KW1 [D][N] (b = 0.5, a = 2, p = 0.1, N = 5): no entry in markets 5 and 4 (p > b^5, b^4);
    entry in market 3 (p < b^3 = 0.125), where Weak fights w.p. 1/3, so Pr(fight) = 0.4 < b and the
    posterior after a fight is 0.25 = b^2, at which the next entrant stays out w.p. 1/a."""
    g = builders.chain_store(markets=5).game(
        p_tough=sp.Rational(1, 10), monopoly_profit=2, entry_profit=sp.Rational(1, 2)
    )
    (e,) = solve(g, "pbe", "d1")
    assert move(g, e, "entrant1")[0] == 1 and move(g, e, "entrant2_o")[0] == 1  # deterred
    assert move(g, e, "entrant3_oo")[1] == 1  # enters
    tough, weak = move(g, e, "incumbent_tough_3_oo")[0], move(g, e, "incumbent_weak_3_oo")[0]
    assert weak == pytest.approx(1 / 3) and 0.1 * tough + 0.9 * weak == pytest.approx(0.4)
    assert e.beliefs["entrant4_oof"]["tough/stay_out/stay_out/enter/fight"] == pytest.approx(0.25)
    assert move(g, e, "entrant4_oof")[0] == pytest.approx(0.5)


def test_chain_store_first_entry_threshold_with_three_and_four_markets():
    """[D] 'With N markets to go the entrant stays out iff p > b**N' for N = 3, 4 (the other tests
    use N = 2), and the Weak incumbent's first fight probability min(1, p(1 - b**(N-1)) /
    ((1 - p) b**(N-1))) wherever the first entrant enters. Seeded points, d1."""
    rng = np.random.default_rng(13)
    seen = {True: 0, False: 0}
    for n in (3, 4):
        model = builders.chain_store(markets=n)
        for _ in range(8):
            b, a = float(rng.uniform(0.3, 0.9)), float(rng.uniform(1.05, 4))
            p = float(rng.uniform(0.3, 1.7)) * b**n
            if abs(p - b**n) < 1e-3 or abs(p - b ** (n - 1)) < 1e-3 or p >= 0.95:
                continue
            g = model.game(p_tough=p, monopoly_profit=a, entry_profit=b, exact=False)
            (e,) = solve(g, "pbe", "d1")
            stays_out = p > b**n
            seen[stays_out] += 1
            assert move(g, e, "entrant1")[0] == (1 if stays_out else 0), (n, p, b)
            sigma = min(1.0, p * (1 - b ** (n - 1)) / ((1 - p) * b ** (n - 1)))
            assert move(g, e, "incumbent_weak_1")[0] == pytest.approx(sigma, abs=1e-9), (n, p, b)
    assert min(seen.values()) >= 3, seen


def test_chain_store_d1_above_the_fight_threshold():
    """p > b (the Weak incumbent would fight an entrant for sure): nobody enters, and off the path
    the d1 belief after an acquiescence is 0 — an acquiescence is the Weak type's one-step
    deviation but would be the Tough type's second — so the second entrant enters after it and
    the Weak incumbent fights the first entry. (Regression: the belief used to fall back on the
    prior there, and the solver then found no PBE, or one that is not sequential.)"""
    g = CS.game(p_tough=0.41, monopoly_profit=1.56, entry_profit=0.25)
    (e,) = dt.solve(g, "pbe", belief_policy="d1", max_mixed_sets=2)
    assert e.outcomes["status_quo"] == pytest.approx(1)
    assert move(g, e, "incumbent_weak_1")[0] == 1 and move(g, e, "entrant2_a")[1] == 1
    assert e.beliefs["entrant2_a"]["tough/enter/acquiesce"] == 0
    assert e.beliefs["entrant2_f"]["tough/enter/fight"] == pytest.approx(0.41)


# ============================================================ Snyder (derivations.md#snyder-alliance-dilemma)
SNY = dt.load_model("snyder_alliance_dilemma")


def nash_set(game):
    """All Nash equilibria of the tree: the reduced-normal-form enumeration when registered,
    else vertex enumeration on the reduced normal form built from the tree (TODO: use the
    enumerate_reduced solver once it lands)."""
    if "enumerate_reduced" in registry():
        eqs = solve(game, "nash", method="enumerate_reduced")
        return {tuple(tuple(np.round(np.asarray(s, float), 9)) for s in e.strategies) for e in eqs}
    rnf = reduced_normal_form(game)
    eqs = solve(rnf.normal, "nash")
    assert eqs.complete
    return {tuple(tuple(np.round(np.asarray(s, float), 9)) for s in e.strategies) for e in eqs}


def test_snyder_examples_sn1_sn2():
    """SN1 alpha = 2, beta = 3, epsilon = 1: equilibria (strong, strong), (weak, weak) and a mixed one
    (Stag Hunt), u(SS) = 4, u(WW) = 0. SN2 beta = 0.5: (weak, weak) only, though u(SS) = 1.5 > 0."""
    g = SNY.game()
    assert g.payoffs.tolist() == [[4, 4], [-1, 2], [2, -1], [0, 0]]
    ss, ww = ((1.0, 0.0), (1.0, 0.0)), ((0.0, 1.0), (0.0, 1.0))
    eqs = nash_set(g)
    assert {ss, ww} <= eqs and len(eqs) == 3  # plus the mixed equilibrium (strong w.p. 1/3)
    (mixed,) = eqs - {ss, ww}
    assert mixed[0][0] == pytest.approx(1 / 3) and mixed[1][0] == pytest.approx(1 / 3)
    g = SNY.game(cohesion_value=0.5)
    assert g.payoffs[0].tolist() == [1.5, 1.5]
    assert nash_set(g) == {ww}


def test_snyder_regimes_sweep():
    """[D] beta > epsilon: Stag Hunt, pure equilibria {SS, WW}; beta < epsilon < alpha + beta: weak
    dominant, {WW} only, although SS Pareto-dominates (alliance PD). 1,200 seeded points, pure Nash
    equilibria of the tree's reduced normal form. Snyder [S]: 'tension between fears of entrapment
    and abandonment'."""
    rng = np.random.default_rng(2)
    n = 1200
    al, be, ep = rng.uniform(0, 4, n), rng.uniform(0, 4, n), rng.uniform(0, 4, n)
    keep = away(be - ep, al + be - ep)
    seen = {"stag_hunt": 0, "pd": 0}
    for alpha, beta, eps in zip(al[keep], be[keep], ep[keep], strict=True):
        g = SNY.game(partner_commitment_value=alpha, cohesion_value=beta, entrapment_risk=eps, exact=False)
        pure = {
            tuple(("strong" if e.strategies[i][0] > 0.5 else "weak") for i in range(2))
            for e in solve(reduced_normal_form(g).normal, "nash", method="pure")
        }
        if beta > eps:
            seen["stag_hunt"] += 1
            assert pure == {("strong", "strong"), ("weak", "weak")}
        else:
            assert pure == {("weak", "weak")}
            if eps < alpha + beta:
                seen["pd"] += 1
                assert alpha + beta - eps > 0  # both prefer (strong, strong): a Prisoners' Dilemma
    assert keep.sum() >= 1000 and min(seen.values()) >= 200


# ======================================================= mutual deterrence (derivations.md#mutual-deterrence)
MUT = dt.load_model("mutual_deterrence")
M1 = {("Hard", "Hard"): "SQ", ("Hard", "Soft"): "DC", ("Soft", "Hard"): "CD", ("Soft", "Soft"): "DC"}


@pytest.mark.parametrize(("a_type", "b_type"), sorted(M1))
def test_mutual_deterrence_table_M1(a_type, b_type):
    """Test M1 (payoffs DC 4, SQ 3, CD 1, DD 2 Hard / 0 Soft). Zagare (1992) [S]: 'mutual
    credibility at each stage implies stable deterrence; mutually incredible threats ... result in
    an unstable deterrence relationship, as does an asymmetry of credibility'."""
    g = MUT.game(a_conflict=2 if a_type == "Hard" else 0, b_conflict=2 if b_type == "Hard" else 0)
    (e,) = solve(g, "spe")
    assert {k.split(".")[1] for k, p in node_probs(g, e).items() if p > 1e-9} == {M1[(a_type, b_type)]}
    assert (e.outcomes["status_quo"] == 1) == (a_type == b_type == "Hard")


def test_mutual_deterrence_sweep():
    """[D] SPE outcome by credibility signs (A Hard iff aDD > aCD, B Hard iff bDD > bDC) on 1,200
    seeded points with the compiled SPE kernel: SQ iff both Hard."""
    rng = np.random.default_rng(4)
    n = 1200
    pts = {
        **chain(rng, n, ["a_loses", "a_status_quo", "a_wins"]),
        **chain(rng, n, ["b_loses", "b_status_quo", "b_wins"]),
    }
    pts["a_conflict"] = pts["a_status_quo"] - rng.uniform(0, 6, n)
    pts["b_conflict"] = pts["b_status_quo"] - rng.uniform(0, 6, n)
    pts = pd.DataFrame(pts)
    ah = (pts["a_conflict"] - pts["a_loses"]).to_numpy()
    bh = (pts["b_conflict"] - pts["b_loses"]).to_numpy()
    keep = away(ah, bh)
    pts, ah, bh = pts[keep].reset_index(drop=True), ah[keep], bh[keep]
    cm = compile_model(MUT, "spe")
    table, undecided = cm.evaluate(pts)
    assert not undecided.any() and len(pts) >= 1000
    assert table.groupby("point").size().eq(1).all()  # generic points: a unique SPE
    got = table.set_index("point")
    for k in range(len(pts)):
        row = got.loc[k]
        if ah[k] > 0 and bh[k] > 0:
            assert row.regime == "status_quo"
        else:
            assert row.regime == "capitulation"
            # who capitulates: B (DC) when B is Soft and A Hard or both Soft, else A (CD)
            assert row.payoff_A == pytest.approx(pts.a_wins[k] if bh[k] < 0 else pts.a_loses[k])
