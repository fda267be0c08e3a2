"""The reputation models: the chain store at every N (Kreps–Wilson) and ``patron_reputation``.

* the chain store, in compact form, agrees with Kreps and Wilson's closed form
  (``docs/discussion/derivations.md#chain-store``) at every N from 1 to 50, on and off the path;
* on explicit trees (N up to 6 here, 8 in the slow tests) the reputation solver's equilibrium is
  certified by ``deterrence.certificates`` (exactly too) and equals the compact one; where the
  generic PBE solver can run (N = 1, 2) it finds exactly this equilibrium under ``d1``;
* the claims of ``models/patron_reputation.toml`` (each test quotes its claim; provenance [D],
  derived in ``docs/discussion/derivations.md#patron-reputation``).

The expected numbers come from the closed forms written here from the derivations, never from
the solver under test.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

import deterrence as dt
from deterrence.game.reputation import RESIST, YIELD

B = dt.builders
PR = dt.load_model("patron_reputation")


# ------------------------------------------------------------------ the closed forms (derivations.md)
def kreps_wilson(n: int, q: F, b: F) -> tuple[F | None, F]:
    """(challenger's probability of staying quiet, or None at its threshold; the weak type's
    probability of resisting) with ``n`` stages to go at posterior ``q`` and ratio ``b``."""
    thr = b**n
    quiet = None if q == thr else (F(0) if q < thr else F(1))
    if n == 1 or q == 0:
        weak = F(0)
    elif q >= b ** (n - 1):
        weak = F(1)
    else:
        weak = q * (1 - b ** (n - 1)) / ((1 - q) * b ** (n - 1))
    return quiet, weak


def check_closed_form(eq, b: F, holdback: F, rng) -> int:
    """Compare the equilibrium with the closed form on the path and at random posteriors; return
    the number of states compared."""
    g = eq.game
    n_stages = g.num_stages
    states = 0
    on_path = {(r["stage"] - 1, F(r["posterior"]).limit_denominator(10**12)) for r in eq.path}
    extra = {(k, F(int(x), 1000)) for k in range(n_stages) for x in rng.integers(0, 1001, 12)}
    for k, q in on_path | extra:
        n = n_stages - k
        quiet, res_r, res_w = eq.profile.play(k, q)
        want_quiet, want_weak = kreps_wilson(n, q, b)
        assert res_r == 1 and res_w == want_weak, (k, q)
        if want_quiet is not None:
            assert quiet == want_quiet, (k, q)
        elif k > 0:  # at the threshold, reached by a resist: the mixing that keeps the weak type indifferent
            assert quiet == holdback, (k, q)
        states += 1
    return states


def kw1() -> dt.ReputationGame:
    """KW1: b = 1/2, a = 2, p = 1/10, five markets."""
    return B.chain_store_game(markets=5, p_tough=0.1, monopoly_profit=2, entry_profit=0.5)


# ================================================================== chain store, compact and tree
def test_kw1_five_markets():
    """KW1 (derivations.md#chain-store): no entry in markets 1 and 2 (0.1 > b^5, b^4); in market 3
    (0.1 < b^3) entry, the Weak incumbent fights w.p. 1/3, P(fight) = 2/5, posterior after a fight
    1/4 = b^2; in market 4 the entrant stays out w.p. 1/a = 1/2."""
    eq = dt.solve_reputation(kw1())
    assert eq.certificate.passed and eq.certificate.exact and eq.certificate.regret == 0
    play = eq.profile.play
    assert play(0, F(1, 10)) == (1, 1, 1) and play(1, F(1, 10)) == (1, 1, F(7, 9))
    assert play(2, F(1, 10)) == (0, 1, F(1, 3))
    assert eq.profile.posterior(2, F(1, 10), RESIST) == F(1, 4)
    assert play(3, F(1, 4)) == (F(1, 2), 1, F(1, 3))
    assert eq.outcomes["war"] == pytest.approx(0.4)
    # the tree: the generic solver's estimate is ~1e101; auto falls back to the reputation solver
    g = B.chain_store(markets=5, p_tough=0.1).game()
    eqs = dt.solve(g, "pbe", belief_policy="d1")
    assert eqs.method == "reputation" and len(eqs) == 1 and not eqs.complete
    e = eqs[0]
    beliefs = [np.array(list(e.beliefs[h.name].values())) for h in g.infosets]
    assert dt.certify(g, e.strategies, "pbe", beliefs=beliefs, exact=True).passed
    assert e.outcomes["war"] == pytest.approx(eq.outcomes["war"])
    assert e.payoffs["Incumbent"] == pytest.approx(eq.payoffs["Incumbent"])


@pytest.mark.parametrize("n", range(1, 51))
def test_chain_store_closed_form_at_every_n(n):
    """[D] Kreps–Wilson with n markets: the compact solution agrees with the closed form at KW1's
    parameters and two seeded others, on the path and at 12 random posteriors per market; each
    solution is certified exactly on the (stage, posterior) states."""
    rng = np.random.default_rng(n)
    cases = [(F(1, 10), F(2), F(1, 2))]
    for _ in range(2):
        cases.append((F(int(rng.integers(1, 100)), 100), F(int(rng.integers(11, 60)), 10),
                      F(int(rng.integers(5, 95)), 100)))
    for p, a, b in cases:
        eq = dt.solve_reputation(B.chain_store_game(markets=n, p_tough=float(p), monopoly_profit=float(a),
                                                    entry_profit=float(b)))
        assert eq.certificate.passed and eq.certificate.regret == 0 and eq.certificate.bayes_error == 0
        assert check_closed_form(eq, b, 1 / a, rng) >= 12 * n


def _tree_matches_compact(game: dt.ReputationGame, policy: str = "free") -> None:
    tree = game.tree()
    eqs = dt.solve(tree, "pbe", method="reputation", belief_policy=policy, exact=True)
    (e,) = eqs
    assert e.certificate.passed and e.certificate.exact
    compact = dt.solve_reputation(game)
    for label, p in compact.outcomes.items():
        assert e.outcomes[label] == pytest.approx(p, abs=1e-12), label
    for player, u in compact.payoffs.items():
        assert e.payoffs[player] == pytest.approx(u, abs=1e-12), player


@pytest.mark.parametrize("n", range(1, 7))
def test_chain_store_tree_certified_and_equal_to_compact(n):
    """On the explicit tree the reputation solver's equilibrium passes the exact certificate and
    has the compact solution's outcome probabilities and payoffs."""
    _tree_matches_compact(B.chain_store_game(markets=n, p_tough=0.1, monopoly_profit=2, entry_profit=0.5))
    other = B.chain_store_game(markets=n, p_tough=0.3, monopoly_profit=1.5, entry_profit=0.7)
    _tree_matches_compact(other, "d1")


@pytest.mark.slow
@pytest.mark.parametrize("n", [7, 8])
def test_chain_store_large_trees_certified(n):
    _tree_matches_compact(B.chain_store_game(markets=n, p_tough=0.05, monopoly_profit=3, entry_profit=0.6))


def _generic_agrees(model: dt.Model, values: dict) -> None:
    g = model.game(**values)
    generic = dt.solve(g, "pbe", method="pbe", belief_policy="d1")
    rep = dt.solve(g, "pbe", method="reputation")
    assert generic.complete and len(generic) == 1, values
    for a, b in zip(generic[0].strategies, rep[0].strategies, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-9, err_msg=str(values))


@pytest.mark.parametrize("markets", [1, 2])
def test_chain_store_generic_d1_finds_the_same_equilibrium(markets):
    """Where the generic PBE solver runs, its d1 set is exactly the reputation solver's equilibrium
    (complete, one PBE, equal at every information set) at seeded points."""
    rng = np.random.default_rng(markets)
    model = B.chain_store(markets=markets)
    for _ in range(3):
        _generic_agrees(model, {"p_tough": round(float(rng.uniform(0.01, 0.95)), 3),
                                "monopoly_profit": round(float(rng.uniform(1.1, 4)), 2),
                                "entry_profit": round(float(rng.uniform(0.05, 0.95)), 2)})


# ================================================================== patron_reputation: the claims
def _patron_points(n: int, rng, margin: str = "any") -> list[dict]:
    pts = []
    while len(pts) < n:
        v = round(float(rng.uniform(0.5, 5)), 2)
        d = round(float(rng.uniform(0.1, 1)), 2)
        c = round(v + float(rng.uniform(0.05, 2.5)) * v, 2)
        if (margin == "kw" and c > (1 + d) * v) or (margin == "none" and c <= (1 + d) * v):
            continue
        pts.append({"p_committed": round(float(rng.uniform(0.0, 0.99)), 3), "protege_value": v, "war_cost": c,
                    "committed_war_cost": round(v * float(rng.uniform(0, 0.95)), 2),
                    "challenge_gain": round(float(rng.uniform(0.1, 3)), 2),
                    "challenger_war_cost": round(float(rng.uniform(0.1, 3)), 2), "discount": d})
    return pts


def test_patron_last_crisis_abandoned():
    """[D] 'In the last crisis the opportunistic patron abandons a challenged protege: no later
    protege is left to impress.' At every posterior of the last crisis, at 40 seeded points with
    1 to 3 proteges (1 to 8 where reputation_margin >= 0); and on the file's tree at its defaults
    (every last-crisis set abandons)."""
    rng = np.random.default_rng(11)
    points = [(1 + k % 3, pt) for k, pt in enumerate(_patron_points(20, rng))]
    points += [(1 + k % 8, pt) for k, pt in enumerate(_patron_points(20, rng, margin="kw"))]
    for n, pt in points:
        eq = dt.solve_reputation(B.patron_reputation_game(proteges=n, **pt))
        for q in [F(0), F(1), *(F(int(x), 97) for x in rng.integers(1, 97, 6))]:
            assert eq.profile.play(n - 1, q)[2] == 0
    g = PR.game()
    (e,) = dt.solve(g, "pbe")
    for h in g.infosets:
        if h.name.startswith("patron_opportunistic_3"):
            assert e.strategies[h.index][1] == 1, h.name


def test_patron_closed_form():
    """[D] 'With n crises to go and reputation q, the challenger challenges iff q < b**n, b = g/(g + w);
    the opportunistic patron defends for sure iff q >= b**(n-1), otherwise with probability
    q(1 - b**(n-1))/((1 - q) b**(n-1)); the next challenger then holds back with probability
    (c - v)/(delta v) ... when c <= (1 + delta) v.' 40 seeded points, 1 to 12 proteges, on the path
    and at random posteriors; and the file's derived quantities at its defaults."""
    rng = np.random.default_rng(12)
    for k, pt in enumerate(_patron_points(40, rng, margin="kw")):
        n = 1 + k % 12
        eq = dt.solve_reputation(B.patron_reputation_game(proteges=n, **pt))
        b = F(str(pt["challenge_gain"])) / (F(str(pt["challenge_gain"])) + F(str(pt["challenger_war_cost"])))
        v, c, d = (F(str(pt[x])) for x in ("protege_value", "war_cost", "discount"))
        assert check_closed_form(eq, b, (c - v) / (d * v), rng) >= 12 * n
    eq = dt.solve_reputation(B.patron_reputation_game())
    p = F(1, 10)
    b = F(1, 3)
    assert PR.derived_value("challenge_ratio") == b and PR.derived_value("first_challenge_threshold") == b**3
    assert PR.derived_value("defence_threshold") == b**2 and PR.derived_value("reputation_margin") > 0
    # p = 0.1 > b^3: the first challenger holds back; challenged, the opportunistic patron would defend
    # w.p. p(1 - b^2)/((1 - p) b^2) = 8/9 (the file's opportunistic_defence_probability)
    assert eq.profile.play(0, p) == (1, 1, F(8, 9))
    assert float(PR.derived_value("opportunistic_defence_probability")) == pytest.approx(8 / 9)
    assert eq.profile.play(1, p) == (0, 1, p * (1 - b) / ((1 - p) * b))  # 0.1 < b^2: challenged
    assert eq.profile.play(2, b)[0] == PR.derived_value("holdback_probability") == F(1, 27) * 10


def test_patron_reputational_entrapment():
    """[D] 'The opportunistic patron fights for early proteges it would abandon in a single crisis,
    for the sake of its reputation with the next challengers (p_entrapment > 0 on the path when some
    early challenger challenges).' At the defaults p_entrapment = 0.2 (crisis 2 challenged, the
    opportunistic patron defends w.p. 2/9 of the 0.9); with a single protege it is always 0."""
    eqs = dt.solve(PR.game(), "pbe")
    assert eqs[0].indicators["p_entrapment"] == pytest.approx(0.9 * F(2, 9))
    rng = np.random.default_rng(13)
    for pt in _patron_points(20, rng):
        assert dt.solve_reputation(B.patron_reputation_game(proteges=1, **pt)).indicators["p_entrapment"] == 0
    found = 0
    for pt in _patron_points(30, rng, margin="kw"):
        eq = dt.solve_reputation(B.patron_reputation_game(proteges=4, **pt))
        early_challenge = any(r["quiet"] < 1 and r["stage"] < 4 and r["probability"] > 0 for r in eq.path)
        weak_fights = any(r["resist_weak"] > 0 and r["quiet"] < 1 and r["stage"] < 4 and r["posterior"] < 1
                          for r in eq.path)
        expected = early_challenge and weak_fights and pt["p_committed"] < 1
        assert (eq.indicators["p_entrapment"] > 0) == expected
        found += eq.indicators["p_entrapment"] > 0
    assert found >= 5


def test_patron_reputation_spent():
    """[D] 'After the patron abandons one protege every later protege is challenged and abandoned.'
    At posterior 0 (an abandonment reveals the opportunistic type), at every later crisis, 30 seeded
    points; on the file's tree every set after an abandonment challenges / abandons; and the
    baseline (p_committed = 0) is the chain-store paradox: every protege challenged and abandoned."""
    rng = np.random.default_rng(14)
    for pt in _patron_points(30, rng):
        eq = dt.solve_reputation(B.patron_reputation_game(proteges=3, **pt))
        for k in range(3):
            assert eq.profile.play(k, F(0)) == (0, 1, 0)
            assert eq.profile.posterior(k, F(1, 3), YIELD) == 0
    g = PR.game()
    (e,) = dt.solve(g, "pbe")
    for h in g.infosets:
        hist = h.name.rsplit("_", 1)[-1] if "_" in h.name else ""
        if "a" in hist and h.name.startswith("challenger"):
            assert e.strategies[h.index][1] == 1, h.name
        if "a" in hist and h.name.startswith("patron_opportunistic"):
            assert e.strategies[h.index][1] == 1, h.name
    (base,) = dt.solve(PR.baseline().game(), "pbe")
    assert base.outcomes["abandonment"] == pytest.approx(1) and base.outcomes.get("allied_war", 0) == 0


def test_patron_without_reputation_margin():
    """[D] 'If c > (1 + delta) v ... with two crises the opportunistic patron abandons the first
    protege too, and the first challenger challenges iff p < b.' 30 seeded points, compact; and
    the generic PBE solver (d1) finds the same equilibrium on the tree at 3 of them."""
    rng = np.random.default_rng(15)
    m2 = B.patron_reputation(proteges=2)
    for k, pt in enumerate(_patron_points(30, rng, margin="none")):
        eq = dt.solve_reputation(B.patron_reputation_game(proteges=2, **pt))
        b = pt["challenge_gain"] / (pt["challenge_gain"] + pt["challenger_war_cost"])
        p = F(str(pt["p_committed"]))
        assert eq.profile.play(0, p)[2] == 0
        if abs(float(p) - b) > 1e-9:
            assert eq.profile.play(0, p)[0] == (0 if p < b else 1)
        if k < 3:
            _generic_agrees(m2, pt)


def test_patron_generic_d1_agrees_with_two_proteges():
    """Where the generic solver runs (2 proteges), its d1 set is the reputation solver's equilibrium."""
    rng = np.random.default_rng(16)
    m2 = B.patron_reputation(proteges=2)
    for pt in _patron_points(3, rng, margin="kw"):
        _generic_agrees(m2, pt)


def test_patron_many_proteges_compact():
    """Fifty proteges in compact form: solved and certified exactly; the first challengers are
    deterred while the reputation lasts."""
    eq = dt.solve_reputation(B.patron_reputation_game(proteges=50, p_committed=0.05))
    assert eq.certificate.passed and eq.certificate.details["states"] < 50 * 10
    assert eq.path[0]["quiet"] == 1 and eq.outcomes.get("status_quo", 0) == 0
    assert eq.outcomes["allied_war"] > 0 and eq.payoffs["Patron"] < 0
