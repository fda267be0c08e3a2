"""Perfect Bayesian equilibria: textbook and catalogue-model cases under each belief policy.

The games are built here from the orderings and numbers of ``docs/discussion/derivations.md``
(UDG examples U1–U4, TCG-R examples T1–T4, RADG, Kreps–Wilson: one section each) and from
textbooks (Spence job-market signalling, Selten's horse). Every returned equilibrium is also
checked by an independent recursive evaluation written in this file (Bayes' rule on the path,
one-shot optimality at every information set given the reported beliefs).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import deterrence as dt
from deterrence.errors import ResourceError
from deterrence.game import ExtensiveFormGame, chance, decision, terminal
from deterrence.solvers.base import SolveOptions
from deterrence.solvers.pbe import SOLVER as PBE
from deterrence.solvers.pbe import PBEOptions

POLICIES = ("free", "prior", "d1")


# ------------------------------------------------------------------ independent checker
def _node_value(game, beh, v):
    """Expected payoff vector at node ``v`` by plain recursion (not ``game.node_values``)."""
    nd = game.nodes[v]
    if nd.kind == "terminal":
        return np.array(game.payoffs[game.terminal_index(v)], dtype=float)
    if nd.kind == "chance":
        probs = [float(p) for p in game.chance_infos[nd.infoset].probs]
    else:
        probs = list(beh[nd.infoset])
    return sum((p * _node_value(game, beh, c) for p, c in zip(probs, nd.children, strict=True) if p > 0),
               start=np.zeros(game.num_players))


def _reach(game, beh, v):
    p = 1.0
    while game.nodes[v].parent >= 0:
        par = game.nodes[game.nodes[v].parent]
        a = game.nodes[v].action
        p *= float(game.chance_infos[par.infoset].probs[a]) if par.kind == "chance" else beh[par.infoset][a]
        v = par.index
    return p


def check_pbe(game, eq, tol=1e-7):
    """Assert Bayes consistency on the path and one-shot optimality everywhere."""
    beh = [np.asarray(s, dtype=float) for s in eq.strategies]
    for h in game.infosets:
        mu = np.array([eq.beliefs[h.name][game.nodes[v].path] for v in h.nodes])
        assert mu.min() >= -1e-12 and abs(mu.sum() - 1) < 1e-9, h.name
        r = np.array([_reach(game, beh, v) for v in h.nodes])
        if r.sum() > 1e-12:
            assert np.allclose(mu, r / r.sum(), atol=1e-7), f"Bayes fails at {h.name}"
        else:
            assert h.name in eq.off_path
        q = np.array([sum(m * _node_value(game, beh, game.nodes[v].children[a])[h.player]
                          for m, v in zip(mu, h.nodes, strict=True)) for a in range(len(h.actions))])
        assert q.max() - q @ beh[h.index] <= tol, f"not sequentially rational at {h.name}: {q}"


def terminal_probs(game, eq):
    """Probability of each terminal name."""
    beh = [np.asarray(s, dtype=float) for s in eq.strategies]
    out: dict[str, float] = {}
    for t, name in zip(game.terminals, game.terminal_names, strict=True):
        out[name] = out.get(name, 0.0) + _reach(game, beh, t)
    return out


def move(game, eq, infoset):
    return np.asarray(eq.strategies[game.infoset_by_name(infoset).index], dtype=float)


def solve_checked(game, policy, **kw):
    eqs = dt.solve(game, "pbe", belief_policy=policy, **kw)
    assert eqs.method == "pbe" and eqs.belief_policy == policy
    for eq in eqs:
        assert eq.certificate.passed
        check_pbe(game, eq)
    return eqs


# ------------------------------------------------------------------ games
def udg(p_ch, p_def):
    """Unilateral Deterrence Game, the worked examples' utilities."""
    c = {"DC": 4, "SQ": 3, "DD+": 2, "CD": 1, "DD-": 0}
    d = {"SQ": 4, "CD": 3, "DD+": 2, "DC": 1, "DD-": 0}

    def branch(ct, dt_):
        return decision("Ch", {
            "C": terminal({"Ch": c["SQ"], "Def": d["SQ"]}, name="SQ"),
            "D": decision("Def", {
                "C": terminal({"Ch": c["DC"], "Def": d["DC"]}, name="DC"),
                "D": decision("Ch", {
                    "C": terminal({"Ch": c["CD"], "Def": d["CD"]}, name="CD"),
                    "D": terminal({"Ch": c["DD+" if ct == "H" else "DD-"],
                                   "Def": d["DD+" if dt_ == "H" else "DD-"]}, name="DD"),
                }, infoset=f"Ch3_{ct}"),
            }, infoset=f"Def_{dt_}"),
        }, infoset=f"Ch1_{ct}")

    def ch(ct):
        return chance({"DefHard": (p_def, branch(ct, "H")), "DefSoft": (1 - p_def, branch(ct, "S"))})

    return ExtensiveFormGame(chance({"ChHard": (p_ch, ch("H")), "ChSoft": (1 - p_ch, ch("S"))}),
                             players=["Ch", "Def"], title="UDG")


def udg_class(game, eq):
    """The class names of the UDG's derived class table from (xH, xS, yS)."""
    xh, xs = move(game, eq, "Ch1_H")[1], move(game, eq, "Ch1_S")[1]
    if xh < 1e-9 and xs < 1e-9:
        return "SQ"
    if xh > 1 - 1e-9 and xs < 1e-9:
        return "Separating"
    if xh > 1 - 1e-9 and xs > 1 - 1e-9:
        return "Attack"
    if xh > 1 - 1e-9:
        return "Bluff"
    return "other"


def tcg(p_ch, p_pro, c, d, c_war_h=0):
    """TCG-R reconstruction: Ch (Determined/Hesitant), Def, Protégé (Realigner/Loyal)."""
    def node(ct, pt):
        war = c["WAR_D"] if ct == "D" else c_war_h
        pro = {"RA": 1, "PC": 0} if pt == "R" else {"RA": 0, "PC": 1}
        return decision("Ch", {
            "N": terminal({"Ch": c["SQ"], "Def": d["SQ"], "Pro": 0}, name="SQ"),
            "Dm": decision("Def", {
                "S": decision("Ch", {
                    "B": terminal({"Ch": c["CB"], "Def": d["CB"], "Pro": 0}, name="CB"),
                    "F": terminal({"Ch": war, "Def": d["WAR"], "Pro": 0}, name="WAR"),
                }, infoset=f"Ch4_{ct}"),
                "N": decision("Pro", {
                    "C": terminal({"Ch": c["PC"], "Def": d["PC"], "Pro": pro["PC"]}, name="PC"),
                    "R": terminal({"Ch": c["RA"], "Def": d["RA"], "Pro": pro["RA"]}, name="RA"),
                }, infoset=f"Pro_{pt}"),
            }, infoset="Def"),
        }, infoset=f"Ch1_{ct}")

    def ch(ct):
        return chance({"Realigner": (p_pro, node(ct, "R")), "Loyal": (1 - p_pro, node(ct, "L"))})

    return ExtensiveFormGame(chance({"Determined": (p_ch, ch("D")), "Hesitant": (1 - p_ch, ch("H"))}),
                             players=["Ch", "Def", "Pro"], title="TCG-R")


C_T1 = {"RA": 6, "PC": 5, "SQ": 4, "WAR_D": 3, "CB": 1}
C_T4 = {"RA": 8, "PC": 3, "SQ": 4, "WAR_D": 3.5, "CB": 1}
D_T = {"SQ": 5, "CB": 4, "PC": 3, "WAR": 2, "RA": 0}


def kreps_wilson(p, a=2.0, b=0.5):
    """Two-market chain store with a Tough (always fights) or Weak incumbent."""
    def inc_pay(t, res):
        if res == "out":
            return a
        if t == "T":
            return 0.0 if res == "F" else -1.0
        return -1.0 if res == "F" else 0.0

    ent_pay = {"out": 0.0, "F": b - 1, "A": b}

    def market2(t, hist, base_inc, e1):
        def leaf(res):
            pay = {"E1": e1, "E2": ent_pay[res], "Inc": base_inc + inc_pay(t, res)}
            return terminal(pay, name=f"{hist}-{res}")
        return decision("E2", {
            "out": leaf("out"),
            "in": decision("Inc", {"F": leaf("F"), "A": leaf("A")}, infoset=f"Inc2_{t}_{hist}"),
        }, infoset=f"E2_{hist}")

    def market1(t):
        return decision("E1", {
            "out": market2(t, "out", inc_pay(t, "out"), 0.0),
            "in": decision("Inc", {
                "F": market2(t, "F", inc_pay(t, "F"), ent_pay["F"]),
                "A": market2(t, "A", inc_pay(t, "A"), ent_pay["A"]),
            }, infoset=f"Inc1_{t}"),
        }, infoset="E1")

    return ExtensiveFormGame(chance({"Tough": (p, market1("T")), "Weak": (1 - p, market1("W"))}),
                             players=["E1", "E2", "Inc"], title="Kreps-Wilson, 2 markets")


def job_market(p_high=0.4):
    """Spence-style signalling: worker type High/Low, education costs 0.5/1.5, wage 2 or 1."""
    def worker(t):
        cost = 0.5 if t == "H" else 1.5

        def firm(msg, c):
            return decision("Firm", {
                "high": terminal({"Worker": 2 - c, "Firm": 1 if t == "H" else 0}, name=f"{t}{msg}-high"),
                "low": terminal({"Worker": 1 - c, "Firm": 1 if t == "L" else 0}, name=f"{t}{msg}-low"),
            }, infoset=f"Firm_{msg}")

        return decision("Worker", {"E": firm("E", cost), "N": firm("N", 0.0)}, infoset=f"Worker_{t}")

    return ExtensiveFormGame(chance({"High": (p_high, worker("H")), "Low": (1 - p_high, worker("L"))}),
                             players=["Worker", "Firm"], title="job market")


def horse():
    """Selten's horse (Selten 1975): three players, player 3 cannot tell D from (C, d)."""
    return ExtensiveFormGame(decision("1", {
        "C": decision("2", {
            "c": terminal([1, 1, 1], name="Cc"),
            "d": decision("3", {"L": terminal([4, 4, 0], name="CdL"), "R": terminal([1, 1, 1], name="CdR")},
                          infoset="3"),
        }, infoset="2"),
        "D": decision("3", {"L": terminal([3, 3, 2], name="DL"), "R": terminal([0, 0, 0], name="DR")},
                      infoset="3"),
    }, infoset="1"), players=["1", "2", "3"], title="Selten's horse")


def radg(p_b, a=(0, 2, 3), b=(0, 1, 2, 3)):
    """RADG: A does not know B's type; aDD, aSQ, aDC and bDD-, bDC, bDD+, bSQ."""
    a_dd, a_sq, a_dc = a
    b_ddm, b_dc, b_ddp, b_sq = b

    def node(t):
        return decision("A", {
            "C": terminal({"A": a_sq, "B": b_sq}, name="SQ"),
            "D": decision("B", {
                "C": terminal({"A": a_dc, "B": b_dc}, name="DC"),
                "D": terminal({"A": a_dd, "B": b_ddp if t == "H" else b_ddm}, name="DD"),
            }, infoset=f"B_{t}"),
        }, infoset="A")

    return ExtensiveFormGame(chance({"Hard": (p_b, node("H")), "Soft": (1 - p_b, node("S"))}),
                             players=["A", "B"], title="RADG")


# ----------------------------------------------------------------- UDG (derivations.md#unilateral-deterrence)
UDG_EXPECTED = {  # (pCh, pDef): {policy: classes}
    "U1": ((0.5, 0.6), {"free": {"SQ"}, "prior": {"SQ"}, "d1": {"SQ"}}),
    "U2": ((0.5, 0.4), {"free": {"SQ", "Separating"}, "prior": {"SQ", "Separating"}, "d1": {"Separating"}}),
    "U3": ((0.8, 0.2), {"free": {"SQ", "Attack"}, "prior": {"Attack"}, "d1": {"Attack"}}),
    "U4": ((0.5, 0.2), {"free": {"SQ", "Bluff"}, "prior": {"SQ", "Bluff"}, "d1": {"Bluff"}}),
}


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("example", sorted(UDG_EXPECTED))
def test_udg_classes(example, policy):
    (p_ch, p_def), expected = UDG_EXPECTED[example]
    g = udg(p_ch, p_def)
    eqs = solve_checked(g, policy)
    assert {udg_class(g, e) for e in eqs} == expected[policy]
    for e in eqs:  # SQ off path: Soft Def resists (yS = 1) only if r <= r* = 2/3
        if udg_class(g, e) == "SQ":
            r = e.beliefs["Def_S"]["ChHard/DefSoft/D"]
            resists = move(g, e, "Def_S")[1] == 1
            assert r <= 2 / 3 + 1e-9 if resists else r >= 2 / 3 - 1e-9
            assert "Def_S" in e.off_path
    if policy == "prior":  # prior belief r = pCh: the SQ profile is unique, with yS = 1 (U1)
        sq = [e for e in eqs if udg_class(g, e) == "SQ"]
        assert all(move(g, e, "Def_S")[1] == 1 for e in sq) and len(sq) <= 1
    if policy == "d1" and example != "U1":
        assert len(eqs) == 1 and eqs.complete  # the d1 classification is a partition


def test_udg_u2_separating_numbers():
    g = udg(0.5, 0.4)
    (e,) = solve_checked(g, "d1")
    assert e.label == "separating"
    pr = terminal_probs(g, e)
    assert (pr["SQ"], pr["DD"], pr["DC"]) == pytest.approx((0.5, 0.2, 0.3))


def test_udg_u3_attack_numbers():
    g = udg(0.8, 0.2)
    (e,) = solve_checked(g, "d1")
    assert e.label == "pooling"
    pr = terminal_probs(g, e)
    assert (pr["DC"], pr["DD"], pr["CD"]) == pytest.approx((0.80, 0.16, 0.04))


@pytest.mark.parametrize("policy", POLICIES)
def test_udg_u4_bluff_numbers(policy):
    g = udg(0.5, 0.2)
    eqs = solve_checked(g, policy)
    (e,) = [e for e in eqs if udg_class(g, e) == "Bluff"]
    assert e.label == "semi-separating"
    assert move(g, e, "Ch1_S")[1] == pytest.approx(0.5, abs=1e-9)  # xS
    assert move(g, e, "Def_S")[1] == pytest.approx(1 / 6, abs=1e-9)  # yS
    assert e.beliefs["Def_S"]["ChHard/DefSoft/D"] == pytest.approx(2 / 3, abs=1e-9)  # r = r*
    pr = terminal_probs(g, e)
    assert pr["SQ"] == pytest.approx(0.25) and pr["DC"] == pytest.approx(0.5)
    assert pr["DD"] == pytest.approx(1 / 6) and pr["CD"] == pytest.approx(1 / 12)


# ------------------------------------------------------------------ TCG-R (derivations.md#tripartite-crisis)
def tcg_summary(g, e):
    return {"h": move(g, e, "Ch1_H")[1], "det": move(g, e, "Ch1_D")[1], "sigma": move(g, e, "Def")[0]}


def test_tcg_t1_straddle():
    g = tcg(0.3, 0.2, C_T1, D_T)
    (e,) = solve_checked(g, "d1")
    s = tcg_summary(g, e)
    assert s["det"] == 1 and s["h"] == pytest.approx(0.107143, abs=1e-6)
    assert s["sigma"] == pytest.approx(2 / 7, abs=1e-9)
    assert e.label == "semi-separating"
    pr = terminal_probs(g, e)
    assert 1 - pr["SQ"] == pytest.approx(0.375, abs=1e-6)
    for name, p in {"WAR": 0.085714, "CB": 0.021429, "RA": 0.053571, "PC": 0.214286}.items():
        assert pr[name] == pytest.approx(p, abs=1e-6), name
    # under prior beliefs the "no demand, sigma = 1" profile is a second PBE; d1 removes it
    prior = solve_checked(g, "prior")
    kinds = sorted((round(tcg_summary(g, x)["h"], 6), round(tcg_summary(g, x)["sigma"], 6)) for x in prior)
    assert kinds == [(0.0, 1.0), (0.107143, 0.285714)]


def test_tcg_t2_t3_unique():
    t2 = tcg(0.3, 0.5, C_T1, D_T)
    (e,) = solve_checked(t2, "d1")  # unequivocal support deters
    assert tcg_summary(t2, e) == {"h": 0.0, "det": 0.0, "sigma": 1.0}
    t3 = tcg(0.9, 0.2, C_T1, D_T)
    (e,) = solve_checked(t3, "d1")  # both demand, no support
    assert tcg_summary(t3, e) == {"h": 1.0, "det": 1.0, "sigma": 0.0}
    assert terminal_probs(t3, e)["WAR"] == pytest.approx(0.0)


def test_tcg_t4_nonmonotonic():
    """Z–K (2003): a moderately credible realignment threat prompts the demand."""
    demand = {}
    for p_pro in (0.10, 0.25, 0.50):
        g = tcg(0.3, p_pro, C_T4, D_T)
        eqs = solve_checked(g, "d1")
        outcomes = {round(1 - terminal_probs(g, e)["SQ"], 6) for e in eqs}
        assert len(outcomes) == 1, p_pro  # one equilibrium class per point
        demand[p_pro] = outcomes.pop()
        if p_pro == 0.25:
            (e,) = eqs
            s = tcg_summary(g, e)
            assert s["sigma"] == pytest.approx(1 / 13, abs=1e-9)
            assert s["h"] == pytest.approx(0.061224, abs=1e-6)
    assert demand == {0.10: 0.0, 0.25: pytest.approx(0.342857, abs=1e-6), 0.50: 0.0}


# ---------------------------------------------------- RADG (derivations.md#rudimentary-asymmetric-deterrence)
@pytest.mark.parametrize("policy", POLICIES)
def test_radg_worked_example(policy):
    deter = radg(0.5)  # pB > pB* = 1/3: [0; 1, 0]
    (e,) = solve_checked(deter, policy)
    assert move(deter, e, "A")[1] == 0 and move(deter, e, "B_H")[1] == 1 and move(deter, e, "B_S")[1] == 0
    attack = radg(0.2)  # pB < pB*: [1; 1, 0], P(DD) = 0.2, P(DC) = 0.8
    (e,) = solve_checked(attack, policy)
    pr = terminal_probs(attack, e)
    assert pr["DD"] == pytest.approx(0.2) and pr["DC"] == pytest.approx(0.8)
    assert solve_checked(deter, policy).complete


# ------------------------------------------------------------------ job market (Spence)
def _jm_kind(g, e):
    hi, lo = move(g, e, "Worker_H"), move(g, e, "Worker_L")
    return ("sep" if hi[0] == 1 and lo[1] == 1 else "pool-N" if hi[1] == 1 and lo[1] == 1
            else "pool-E" if hi[0] == 1 and lo[0] == 1 else "other")


@pytest.mark.parametrize("policy", POLICIES)
def test_job_market_signalling(policy):
    g = job_market(0.4)
    eqs = solve_checked(g, policy)
    kinds = sorted(_jm_kind(g, e) for e in eqs)
    sep = [e for e in eqs if _jm_kind(g, e) == "sep"]
    assert len(sep) == 1 and sep[0].label == "separating"
    assert move(g, sep[0], "Firm_E")[0] == 1 and move(g, sep[0], "Firm_N")[1] == 1
    if policy in ("free", "prior"):
        # pooling on no education with a low wage after the unexpected signal survives ...
        assert kinds == ["pool-N", "sep"]
        (pool,) = [e for e in eqs if _jm_kind(g, e) == "pool-N"]
        assert pool.label == "pooling" and "Firm_E" in pool.off_path
        assert move(g, pool, "Firm_E")[1] == 1 and pool.beliefs["Firm_E"]["High/E"] <= 0.5
    else:
        # ... but fails D1 (and the intuitive criterion): only the High type could gain from
        # education, so the firm must believe High after it and pay the high wage
        assert kinds == ["sep"]


# ------------------------------------------------------------------ Kreps–Wilson (derivations.md#chain-store)
def test_kreps_wilson_two_markets_entry():
    """p = 0.2 < b^2: the first entrant enters, Weak fights w.p. p(1-b)/((1-p)b), the posterior
    after a fight is b, and the second entrant then stays out w.p. 1/a."""
    p, a, b = 0.2, 2.0, 0.5
    g = kreps_wilson(p, a, b)
    for policy in ("prior", "d1"):
        (e,) = solve_checked(g, policy)
        assert move(g, e, "E1")[1] == 1  # in
        sigma = p * (1 - b) / ((1 - p) * b)
        assert move(g, e, "Inc1_W")[0] == pytest.approx(sigma, abs=1e-9)
        assert move(g, e, "Inc1_T")[0] == 1
        assert e.beliefs["E2_F"]["Tough/in/F"] == pytest.approx(b, abs=1e-9)
        assert move(g, e, "E2_F")[0] == pytest.approx(1 / a, abs=1e-9)  # stays out
        assert move(g, e, "E2_A")[1] == 1
        assert p + (1 - p) * sigma == pytest.approx(0.4)  # Pr(fight) < b: entry pays
        for hist in ("out", "F", "A"):  # last market: Weak acquiesces, Tough fights
            assert move(g, e, f"Inc2_W_{hist}")[1] == 1 and move(g, e, f"Inc2_T_{hist}")[0] == 1


def test_kreps_wilson_two_markets_deterrence():
    """b^2 < p = 0.3 < b: the first entrant stays out; off the path Weak would fight w.p.
    p(1-b)/((1-p)b) = 3/7 (posterior after a fight b), so Pr(fight) = 0.6 >= b."""
    p, a, b = 0.3, 2.0, 0.5
    g = kreps_wilson(p, a, b)
    (e,) = solve_checked(g, "d1")
    assert move(g, e, "E1")[0] == 1
    assert move(g, e, "Inc1_W")[0] == pytest.approx(3 / 7, abs=1e-9)
    assert e.beliefs["E2_F"]["Tough/in/F"] == pytest.approx(b, abs=1e-9)
    assert move(g, e, "E2_F")[0] == pytest.approx(1 / a, abs=1e-9)
    # complete-information limit p = 0 (Selten): entry and acquiescence
    for p0 in (0.0,):
        g0 = kreps_wilson(p0, a, b)
        (e0,) = solve_checked(g0, "d1")
        assert move(g0, e0, "E1")[1] == 1 and move(g0, e0, "Inc1_W")[1] == pytest.approx(1, abs=1e-8)


# ------------------------------------------------------------------ Selten's horse
def test_horse_pbe_excludes_the_incredible_threat():
    g = horse()
    for policy in POLICIES:
        eqs = solve_checked(g, policy)
        assert len(eqs) >= 1
        for e in eqs:
            assert move(g, e, "1")[0] == 1  # player 1 continues: (D, ., L) is Nash but not PBE
            assert move(g, e, "3")[1] == 1
        assert not eqs.complete  # player 2 is indifferent on a continuum when 3 plays R
    # prior belief 1/2 at player 3's unreached set makes L optimal: (C, c, R) needs free or d1
    cc = {p: any(move(g, e, "2")[0] == 1 for e in solve_checked(g, p)) for p in POLICIES}
    assert cc == {"free": True, "prior": False, "d1": True}


# ------------------------------------------------------------------ API behaviour
def test_options_and_errors():
    g = udg(0.5, 0.2)
    pure = dt.solve(g, "pbe", belief_policy="d1", mixed=False)
    assert len(pure) == 0 and not pure.complete
    with pytest.raises(ResourceError):
        dt.solve(g, "pbe", max_work=10)
    assert PBE.estimate(g) > 0
    raw = PBE.run(g, SolveOptions(method_options=PBEOptions(belief_policy="d1")))
    assert all(c.beliefs is not None and len(c.beliefs) == len(g.infosets) for c in raw.candidates)


def test_imperfect_recall_is_refused():
    root = decision("1", {
        "a": decision("1", {"x": terminal([1]), "y": terminal([0])}, infoset="late"),
        "b": decision("1", {"x": terminal([0]), "y": terminal([1])}, infoset="late"),
    })
    g = ExtensiveFormGame(root, players=["1"])
    with pytest.raises(dt.UnsupportedError):
        dt.solve(g, "pbe")


def test_semi_separating_counts_are_finite():
    """The mixed solutions are isolated points: the set sizes stay small."""
    for ex in UDG_EXPECTED.values():
        g = udg(*ex[0])
        assert len(dt.solve(g, "pbe", belief_policy="free")) <= 3
    assert math.isfinite(PBE.estimate(kreps_wilson(0.2)))


def test_horse_from_the_pygambit_catalogue():
    """Oracle: pygambit's pure Nash equilibria of its Selten's horse; the PBE drop (L, R, R)."""
    gbt = pytest.importorskip("pygambit")
    from deterrence.gambit import parse_efg

    ref = gbt.catalog.load("journals/ijgt/selten1975/fig1")
    nash = {tuple(next(s.label for s in p.strategies if float(eq[s]) == 1) for p in ref.players)
            for eq in gbt.nash.enumpure_solve(ref).equilibria}
    g = parse_efg(ref.to_efg())
    assert len(nash) == 2 and ("2", "1", "1") in nash  # player 1 'L' (strategy 2): the bad equilibrium
    labels = {h.index: h.actions for h in g.infosets}
    for policy in POLICIES:
        pure = {tuple(str(int(np.argmax(s)) + 1) for s in e.strategies) for e in solve_checked(g, policy)
                if all(s.max() == 1 for s in e.strategies)}
        assert pure <= nash - {("2", "1", "1")}
        if policy != "prior":
            assert pure == nash - {("2", "1", "1")}
    assert all(len(a) == 2 for a in labels.values())


def _profitable_share_loop(dev, ustar, tol):
    """The oracle of ``_profitable_share`` for three or more actions: the grid walked one
    mixture at a time (the solver's code before it took the grid as one matrix)."""
    import itertools

    m = len(dev)
    res = {3: 40, 4: 16, 5: 8}.get(m, 5)
    hits = total = 0
    for comp in itertools.product(range(res + 1), repeat=m - 1):
        if sum(comp) > res:
            continue
        sig = np.array([*comp, res - sum(comp)], dtype=float) / res
        total += 1
        hits += bool(sig @ dev > ustar + tol)
    return hits / total


def test_profitable_share_is_the_grid_walked_one_mixture_at_a_time():
    from deterrence.solvers._pbe_beliefs import _profitable_share

    rng = np.random.default_rng(8)
    for _ in range(300):
        m = int(rng.integers(3, 7))
        dev = rng.choice([rng.normal(size=m), rng.integers(-3, 4, size=m).astype(float) / 4])
        # thresholds at a deviation payoff, at a grid mixture's payoff (ties) and anywhere
        ustar = float(rng.choice([dev[int(rng.integers(m))], float(np.full(m, 1 / m) @ dev), rng.normal()]))
        tol = float(rng.choice([0.0, 1e-12]))
        assert _profitable_share(dev, ustar, tol) == _profitable_share_loop(dev, ustar, tol)


def test_supporting_belief_remembers_each_linear_program_by_its_exact_input():
    from deterrence.solvers import _pbe_beliefs as beliefs

    rng = np.random.default_rng(3)
    asked = []
    for _ in range(200):
        n, m = int(rng.integers(3, 6)), int(rng.integers(2, 4))
        q = rng.integers(-4, 5, size=(n, m)).astype(float)
        sigma = np.eye(m)[int(rng.integers(m))]
        mu0 = rng.dirichlet(np.ones(n))
        asked.append((q, sigma, mu0))
        if rng.random() < 0.5:  # a neighbour one ulp away gets its own program
            q2 = q.copy()
            q2[int(rng.integers(n)), int(rng.integers(m))] = np.nextafter(q2[0, 0], np.inf)
            asked.append((q2, sigma, mu0))
    beliefs._LP_BELIEFS.clear()
    for _round in range(2):  # the second round answers from memory
        for q, sigma, mu0 in asked:
            got = beliefs._supporting_belief(q, sigma, mu0, 1e-12)
            gap = (q @ sigma)[:, None] - q
            if (mu0 @ gap).min() >= -1e-12:
                assert got is mu0
                continue
            want = beliefs._lp_belief(gap, mu0, 1e-12)
            assert (got is None) == (want is None)
            if want is not None:
                assert got.tobytes() == want.tobytes()
        assert len(beliefs._LP_BELIEFS) > 100


def _carried_by_walk(game, edge, prev, act, k, mu_prev):
    """The carried-forward weights by a walk per profile (the solver's way before its paths were kept)."""
    targets = {v: i for i, v in enumerate(game.infosets[k].nodes)}
    w = np.zeros(len(game.infosets[k].nodes))
    stack = [(int(game.nodes[u].children[act]), float(m))
             for u, m in zip(game.infosets[prev].nodes, mu_prev, strict=True) if m > 0]
    while stack:
        v, p = stack.pop()
        if p <= 0:
            continue
        if v in targets:
            w[targets[v]] += p
            continue
        for c in game.nodes[v].children:
            stack.append((c, p * edge[c]))
    return w


def test_carried_beliefs_equal_the_walk_bit_for_bit():
    from deterrence.solvers._pbe_beliefs import _carried

    game = dt.load_model("asymmetric_escalation").game()
    pairs = [(h.index, game.own_sequence(h.nodes[0], h.player)[-1]) for h in game.infosets
             if game.own_sequence(h.nodes[0], h.player)]
    assert len(pairs) >= 4
    rng = np.random.default_rng(11)
    for _ in range(300):
        beh = []
        for h in game.infosets:
            x = rng.dirichlet(np.ones(len(h.actions))) * (rng.random(len(h.actions)) < 0.7)
            beh.append(x / x.sum() if x.sum() > 0 else np.eye(len(h.actions))[0])
        edge = game.edge_probabilities(beh)
        k, (prev, act) = pairs[int(rng.integers(len(pairs)))]
        mu_prev = rng.dirichlet(np.ones(len(game.infosets[prev].nodes))) * (rng.random() < 0.8)
        mu_prev[int(rng.integers(len(mu_prev)))] = 0.0
        want = _carried_by_walk(game, edge, prev, act, k, mu_prev)
        assert _carried(game, edge, prev, act, k, mu_prev).tobytes() == want.tobytes()


def test_profitable_share_of_two_actions_is_the_clipped_crossing():
    from deterrence.solvers._pbe_beliefs import _profitable_share

    rng = np.random.default_rng(12)
    for _ in range(500):
        dev = rng.choice([rng.normal(size=2), rng.integers(-3, 4, size=2).astype(float) / 4])
        ustar = float(rng.choice([dev[int(rng.integers(2))], float(dev.mean()), rng.normal()]))
        tol = float(rng.choice([0.0, 1e-12]))
        d1, d2, thr = float(dev[0]), float(dev[1]), ustar + tol
        if abs(d1 - d2) <= 1e-15:
            want = 1.0 if d1 > thr else 0.0
        else:
            t0 = (thr - d2) / (d1 - d2)
            want = float(np.clip(1.0 - t0, 0.0, 1.0)) if d1 > d2 else float(np.clip(t0, 0.0, 1.0))
        assert _profitable_share(dev, ustar, tol) == want


def test_label_closeness_is_numpys_allclose():
    from deterrence.solvers.pbe import _close

    rng = np.random.default_rng(13)
    for _ in range(2000):
        a = rng.dirichlet(np.ones(3))
        b = a + rng.choice([0.0, 1e-12, 1e-9, 2e-9, 1e-6, 1e-3]) * rng.normal(size=3)
        if rng.random() < 0.05:
            b[int(rng.integers(3))] = rng.choice([np.nan, np.inf, -np.inf])
        if rng.random() < 0.05:
            a[int(rng.integers(3))] = rng.choice([np.nan, np.inf])
        assert _close(a, b) == bool(np.allclose(a, b, atol=1e-9))
