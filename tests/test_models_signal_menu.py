"""``costly_signal_menu``: Fearon (1997)'s first result (F1, "leaders never bluff") when the leader
chooses the level of its signal from a menu (none, low, high).

The fixed-level tree ``costly_signal_pledge`` has a bluffing PBE at a low audience cost
(``test_claim_f1_leaders_never_bluff`` in ``tests/test_models_alliances.py``). Here the defender
chooses the level. A PBE *bluffs* if it has positive probability of ``abandonment``: a type signals
(low or high) and then backs down when challenged.

What the PBE solver searches (``deterrence/solvers/pbe.py``): every pure profile, and mixed support
patterns mixing at up to ``max_mixed_sets`` information sets. The defender's choice after a
challenge is always conditionally dominated in this tree (a type's payoffs do not depend on the
challenger's type), so at most five sets can mix (both signal sets and the deterrable challenger
after each level). At FE1 the full default search runs (all patterns). At the random points a
full search costs about 4 s per policy, so the default-run test searches pure profiles under every
policy plus mixed patterns of up to two sets under ``d1`` where F1 is asserted to hold or fail by a
mixed bluff; the ``slow`` test searches up to two mixing sets under every policy. On these 32 seeded
points the up-to-two-set search found exactly the PBE and bluffs of the full search (checked when
the test was written: the semi-separating bluffs mix the irresolute signal and one challenger set).

Findings (numbers in the docstrings of the tests, asserted there):

* FE1 (p = 0.4 < deterring_belief = 8/17): one PBE under each policy, both types send the committing
  high signal; no bluff, while the fixed-level tree at audience_cost = 0.1 bluffs under every policy.
* Tying-hands menus with a free committing level, resolve < deterring_belief: no bluff under any
  policy, also where commitment_value_irresolute < 0 (the irresolute type then does not signal).
* resolve >= deterring_belief: the prior alone deters the deterrable challenger, so signals buy no
  deterrence; both types pool on the cheap non-committing level and the irresolute one backs down
  when the determined challenger calls. A bluff, under ``free`` and ``d1`` (the deviator to ``none``
  is the irresolute type, which saves the audience cost) but not ``prior``.
* Sunk-cost menus, resolve < deterring_belief, separation feasible (least_cost_sunk <
  separating_sunk_high): a semi-separating bluff (resolute sends low, the irresolute mixes low and
  none, the deterrable challenger mixes after low) under ``free`` and ``prior``, held up by a
  pessimistic belief after the unused high signal. ``d1`` removes it unless the high level is dear:
  sunk_high - sunk_low > separating_sunk_high * (1 - sunk_low / least_cost_sunk) (the resolute type
  then prefers the cheap level with its risk of challenge). With the least-cost separating level on
  the menu (sunk_high = least_cost_sunk) the bluff never survives ``d1``.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.beliefs import belief_vectors
from test_models_alliances import _same_model

import deterrence as dt
from deterrence.catalogue.builders import signalling

MENU = "costly_signal_menu"
POLICIES = ("free", "prior", "d1")
FE1 = dict(
    resolve=0.4,
    value_resolute=1.0,
    war_resolute=0.3,
    value_irresolute=0.5,
    war_irresolute=-0.2,
    share_determined=0.1,
)
SHARED = (*FE1, "cost_determined", "cost_deterrable")
BLUFF = 1e-9  # abandonment probability above which a PBE counts as bluffing


def _bluffs(eqs) -> int:
    return sum(e.outcomes.get("abandonment", 0.0) > BLUFF for e in eqs)


def _levels(e, t: str) -> dict[str, float]:
    return {a: p for a, p in e.profile["Defender"][f"signal_{t}"].items() if p > 0}


@pytest.fixture(scope="module")
def fe1() -> dict[str, dt.EquilibriumSet]:
    """The menu at its defaults (FE1, audience_low = 0.1, audience_high = 0.25): full PBE search."""
    g = dt.load_model(MENU).game()
    return {pol: dt.solve(g, "pbe", belief_policy=pol) for pol in POLICIES}


# ---------------------------------------------------------------------------- the model
def test_builder_equals_file_and_arguments_set_the_defaults() -> None:
    _same_model(signalling.costly_signal_menu(), dt.load_model(MENU))
    assert signalling.costly_signal_menu().claims == dt.load_model(MENU).claims
    m = signalling.costly_signal_menu(sunk_high=0.45, audience_high=0.0)
    assert m.parameters["sunk_high"].default == 0.45 and m.parameters["audience_high"].default == 0.0
    assert (
        m.game().payoffs.tolist()
        == dt.load_model(MENU).game(sunk_high=0.45, audience_high=0.0).payoffs.tolist()
    )
    # the shared parameters are the fixed-level model's, word for word
    pledge = dt.load_model("costly_signal_pledge")
    for name in SHARED:
        p, q = m.parameters[name], pledge.parameters[name]
        assert (p.default, p.domain_text, p.description, p.symbol) == (
            q.default,
            q.domain_text,
            q.description,
            q.symbol,
        )
    with pytest.raises(dt.ParameterError, match="audience_low"):
        signalling.costly_signal_menu(audience_low=-0.1)


def test_menu_payoffs_and_outcome_labels() -> None:
    """Level L costs sunk_L always and audience_L on backing down; labels as in costly_signal_pledge."""
    m = dt.load_model(MENU)
    v = dict(sunk_low=0.01, audience_low=0.02, sunk_high=0.04, audience_high=0.08)
    g = m.game(**v)
    pay = {g.nodes[i].label: g.payoffs[g.terminal_index(i)] for i in g.terminals}
    for code, level in (("l", "low"), ("h", "high")):
        s, a = v[f"sunk_{level}"], v[f"audience_{level}"]
        assert pay[f"status_quo_r_{code}_e"][0] == pytest.approx(1.0 - s)
        assert pay[f"war_i_{code}_d"][0] == pytest.approx(-0.2 - s)
        assert pay[f"back_down_i_{code}_d"][0] == pytest.approx(-s - a)
        assert set(m.outcomes()[f"back_down_r_{code}_e"]) == {"capitulation", "abandonment"}
        # the defender is the pledging party: the vocabulary's ally
        assert set(m.outcomes()[f"war_i_{code}_e"]) == {"allied_war", "entrapment"}
    assert pay["back_down_i_n_d"][0] == 0 and set(m.outcomes()["back_down_i_n_d"]) == {"capitulation"}
    assert m.derived_value("deterring_belief") == pytest.approx(8 / 17)
    assert m.derived_value("commitment_value_irresolute") == pytest.approx(0.43)
    assert m.derived_value("commitment_audience_cost") == pytest.approx(0.2)


def test_loads_solves_and_certifies_and_baseline(fe1) -> None:
    m = dt.load_model(MENU)
    assert m.references and list(m.concepts) == ["pbe"] and m.status == "stylised"
    g = m.game()
    for pol, eqs in fe1.items():
        assert len(eqs) >= 1, pol
        for e in eqs:
            beliefs = belief_vectors(g, e)
            cert = dt.certify(g, e.strategies, "pbe", beliefs=beliefs)
            assert cert.passed and cert.regret <= 1e-8, (pol, cert)
    base = m.baseline()
    assert "back_down_i_l_d" not in base.terminals and "back_down_i_n_d" in base.terminals
    (b,) = dt.solve(base.game(), "pbe")  # no signal: R fights, I backs down, both challengers challenge
    assert b.outcomes["allied_war"] == pytest.approx(0.4) and b.outcomes["capitulation"] == pytest.approx(0.6)


# ---------------------------------------------------------------------------- F1 at FE1
def test_claim_f1_menu_fe1(fe1) -> None:
    """ "In the games' equilibria, leaders never bluff with either type of signal; they do not incur or
    create costs and then fail to respond if challenged." [S: Fearon 1997 abstract, F1]

    At FE1 with the menu (none, low = audience 0.1, high = audience 0.25) the full search finds one PBE
    under each belief policy: both types tie their hands at the committing level, P(war) = P0 = 0.1,
    no abandonment. The fixed-level tree at audience_cost = 0.1 (the menu's low level alone) has a
    bluffing PBE under every policy: choosing the level removes it."""
    for pol, eqs in fe1.items():
        assert len(eqs) == 1, pol
        (e,) = eqs
        assert _levels(e, "r") == {"high": 1.0} and _levels(e, "i") == {"high": 1.0}
        assert _bluffs(eqs) == 0
        assert e.outcomes["allied_war"] == pytest.approx(0.1)
        assert e.outcomes["status_quo"] == pytest.approx(0.9)
        assert e.payoffs["Defender"] == pytest.approx(0.4 * 0.93 + 0.6 * 0.43)
    fixed = dt.load_model("costly_signal_pledge").game(**FE1, sunk_cost=0.0, audience_cost=0.1)
    for pol in POLICIES:
        assert _bluffs(dt.solve(fixed, "pbe", belief_policy=pol)) >= 1, pol


def test_claim_f1_menu_irresolute_stays_silent_when_commitment_does_not_pay() -> None:
    """FE1's tying-hands menu with share_determined = 0.4, value_irresolute = 0.1, so that
    commitment_value_irresolute = -0.02 < 0: the irresolute type prefers not to signal. Under every policy
    (pure profiles and mixing at up to two sets) the one PBE separates: the resolute type ties its hands
    at the committing level, the irresolute sends nothing and backs down if challenged; no bluff."""
    m = dt.load_model(MENU)
    v = dict(share_determined=0.4, value_irresolute=0.1)
    assert m.derived_value("commitment_value_irresolute", **v) == pytest.approx(-0.02)
    g = m.game(**v)
    for pol in POLICIES:
        eqs = dt.solve(g, "pbe", belief_policy=pol, max_mixed_sets=2)
        assert len(eqs) == 1 and _bluffs(eqs) == 0, pol
        assert _levels(eqs[0], "r") == {"high": 1.0} and _levels(eqs[0], "i") == {"none": 1.0}
        assert eqs[0].outcomes["allied_war"] == pytest.approx(0.4 * 0.4)


# ---------------------------------------------------------------------------- F1 at random points
def _points(seed: int = 20260, per_cell: int = 8) -> list[dict]:
    """Seeded points in four cells: {tying-hands menu, sunk-cost menu} x {resolve below, above
    deterring_belief}. Tying hands: audience_low uniform in (5%, 95%) of -war_irresolute (it would not
    commit; the fixed-level tree at that level has a bluffing PBE at most such points),
    audience_high above it (commits), sunk costs 0. Sunk costs: sunk_low uniform in (5%, 95%) of
    least_cost_sunk (it would be mimicked), sunk_high = least_cost_sunk + U(0, 0.4), audience costs 0;
    only points where separation is feasible (least_cost_sunk < separating_sunk_high - 0.02)."""
    m = dt.load_model(MENU)
    rng = np.random.default_rng(seed)
    out: list[dict] = []
    for tech in ("tie", "sunk"):
        for above in (False, True):
            n = 0
            while n < per_cell:
                v = {
                    "value_resolute": rng.uniform(0.5, 2),
                    "war_resolute": rng.uniform(0.05, 0.4),
                    "value_irresolute": rng.uniform(0.1, 1),
                    "war_irresolute": -rng.uniform(0.05, 0.5),
                    "share_determined": rng.uniform(0.02, 0.4),
                    "cost_deterrable": rng.uniform(0.5, 2),
                }
                thr = 1 / (1 + v["cost_deterrable"])
                v["resolve"] = rng.uniform(thr + 0.02, 0.95) if above else rng.uniform(0.05, thr - 0.02)
                s_star = float(m.derived_value("least_cost_sunk", **v))
                if tech == "tie":
                    a_commit = -v["war_irresolute"]
                    v.update(
                        sunk_low=0.0,
                        sunk_high=0.0,
                        audience_low=rng.uniform(0.05, 0.95) * a_commit,
                        audience_high=a_commit + rng.uniform(0.01, 0.5),
                    )
                else:
                    if s_star > float(m.derived_value("separating_sunk_high", **v)) - 0.02:
                        continue
                    v.update(
                        audience_low=0.0,
                        audience_high=0.0,
                        sunk_low=rng.uniform(0.05, 0.95) * s_star,
                        sunk_high=s_star + rng.uniform(0.0, 0.4),
                    )
                out.append({"tech": tech, "above": above, "v": v})
                n += 1
    return out


def _predicted(m: dt.Model, tech: str, above: bool, v: dict) -> dict[str, bool]:
    """Whether a bluffing PBE exists, by policy (the findings of the module docstring)."""
    p0, vi = v["share_determined"], v["value_irresolute"]
    # resolve >= deterring_belief: both pool on low if the irresolute prefers that to being challenged
    pooling = above and (1 - p0) * vi - p0 * v["audience_low"] - v["sunk_low"] > 0
    if tech == "tie":
        return {"free": pooling, "prior": False, "d1": pooling}
    s_star = float(m.derived_value("least_cost_sunk", **v))
    s_high = float(m.derived_value("separating_sunk_high", **v))
    dear = v["sunk_high"] - v["sunk_low"] > s_high * (1 - v["sunk_low"] / s_star)
    return {"free": True, "prior": not above, "d1": pooling or (not above and dear)}


def test_claim_f1_menu_random_points() -> None:
    """F1 on 32 seeded points (16 tying-hands menus, 16 sunk-cost menus; half with resolve below
    deterring_belief). Searched: every pure profile under free, prior and d1; under d1 also every
    support pattern mixing at up to two information sets, at the 16 points with resolve below
    deterring_belief. Asserted, point by point, against the conditions of the module docstring:

    * resolve < deterring_belief, tying hands: no PBE found bluffs, while the fixed-level tree
      (``costly_signal_pledge`` at the menu's low level) bluffs under d1 at every one of these points;
    * resolve < deterring_belief, sunk costs: a d1 PBE bluffs iff the high level is dear;
    * resolve >= deterring_belief: a pure pooling bluff under free and d1 iff the irresolute type
      gains from pooling on low, never a pure bluff under prior.

    Numbers when written (seed 20260; the full search of every pattern gave the same): under d1 the
    16 low-resolve points have 16 PBE, 4 bluffing (4 dear sunk-cost menus of 8); the fixed-level tree
    bluffs under d1 at 8 of the 8 tying-hands points. Over all 32 points the full search found
    free 143 PBE (39 bluffing, at 24 points), prior 54 (8 bluffing, at the 8 low-resolve sunk-cost
    points), d1 70 (23 bluffing, at 20 points)."""
    m = dt.load_model(MENU)
    pledge = dt.load_model("costly_signal_pledge")
    fixed_bluffs = n_low = found = bluffing = 0
    for pt in _points():
        tech, above, v = pt["tech"], pt["above"], pt["v"]
        pred = _predicted(m, tech, above, v)
        g = m.game(**v)
        for pol in POLICIES:
            pure = dt.solve(g, "pbe", belief_policy=pol, mixed=False)
            pooled = _bluffs(pure) > 0
            assert pooled == (pred[pol] and above), (pol, pt)
            for e in pure:  # a pure bluff is the pooling one: both types on low, the irresolute backs down
                if e.outcomes.get("abandonment", 0.0) > BLUFF:
                    assert _levels(e, "r") == _levels(e, "i") == {"low": 1.0}, (pol, pt)
        if above:
            continue
        eqs = dt.solve(g, "pbe", belief_policy="d1", max_mixed_sets=2)
        assert (_bluffs(eqs) > 0) == pred["d1"], pt
        n_low += 1
        found += len(eqs)
        bluffing += _bluffs(eqs)
        if tech == "tie":
            shared = {k: v[k] for k in SHARED if k in v}
            fixed = pledge.game(**shared, sunk_cost=0.0, audience_cost=v["audience_low"])
            fixed_bluffs += _bluffs(dt.solve(fixed, "pbe", belief_policy="d1")) > 0
    assert n_low == 16 and fixed_bluffs == 8
    print(
        f"d1, resolve < deterring_belief: {found} PBE at {n_low} points, {bluffing} bluffing; "
        f"fixed-level tree bluffs (d1) at {fixed_bluffs} of 8 tying-hands points"
    )


def test_sunk_menu_semi_separating_bluff_under_free_and_prior_not_d1() -> None:
    """The semi-separating bluff of sunk-cost menus is held up by the belief after the unused high
    signal: at FE1 with sunk_low = 0.2, sunk_high = 0.45 = least_cost_sunk (no audience costs) free and
    prior find it (the resolute type sends low; the irresolute mixes low and none; the deterrable
    challenger mixes after low and challenges after high, believing the prior) and d1 does not (the
    deviator to high is the resolute type)."""
    m = dt.load_model(MENU)
    g = m.game(audience_low=0.0, audience_high=0.0, sunk_low=0.2, sunk_high=0.45)
    for pol in ("free", "prior", "d1"):
        eqs = dt.solve(g, "pbe", belief_policy=pol, max_mixed_sets=2)
        bluffs = [e for e in eqs if e.outcomes.get("abandonment", 0.0) > BLUFF]
        if pol == "d1":
            assert not bluffs and [(_levels(e, "r"), _levels(e, "i")) for e in eqs] == [
                ({"high": 1.0}, {"none": 1.0})
            ]  # the least-cost separating PBE
            continue
        assert len(bluffs) == 1, pol
        (e,) = bluffs
        assert _levels(e, "r") == {"low": 1.0} and set(_levels(e, "i")) == {"none", "low"}
        assert e.profile["Challenger"]["challenger_deterrable_h"]["challenge"] == 1.0
        # the irresolute type is indifferent: challenged for sure after none, so it gets 0 there
        c = e.profile["Challenger"]["challenger_deterrable_l"]["challenge"]
        assert (1 - 0.1) * (1 - c) * 0.5 - 0.2 == pytest.approx(0.0, abs=1e-9)


def test_claim_f2_on_a_menu_with_both_technologies() -> None:
    """ "Leaders do better on average by tying hands, despite the fact that the ability to do so creates a
    greater ex ante risk of war than does the use of sunk-cost signals." [S: Fearon 1997 abstract, F2]

    FE1 with a menu offering both technologies: low = the least-cost separating sunk cost (0.45, no
    audience cost), high = a committing audience cost (0.25, no sunk cost). Every d1 PBE found (pure,
    and mixed at up to two sets) has both types tie their hands; against the sunk-cost-only menu
    (both levels sink 0.45) the defender's expected payoff is higher (0.63 > 0.192) and so is P(war)
    (0.10 > 0.04)."""
    m = dt.load_model(MENU)
    both = dt.solve(
        m.game(sunk_low=0.45, audience_low=0.0, sunk_high=0.0, audience_high=0.25),
        "pbe",
        belief_policy="d1",
        max_mixed_sets=2,
    )
    sunk = dt.solve(
        m.game(sunk_low=0.45, audience_low=0.0, sunk_high=0.45, audience_high=0.0),
        "pbe",
        belief_policy="d1",
        max_mixed_sets=2,
    )
    assert len(both) >= 1 and len(sunk) >= 1
    for e in both:
        assert _levels(e, "r") == _levels(e, "i") == {"high": 1.0}
        assert e.payoffs["Defender"] == pytest.approx(0.63)
        assert e.outcomes["allied_war"] == pytest.approx(0.10)
    for e in sunk:  # least-cost separation: the resolute type sinks 0.45, the irresolute does not signal
        assert _levels(e, "i") == {"none": 1.0} and "none" not in _levels(e, "r")
        assert e.payoffs["Defender"] == pytest.approx(0.192)
        assert e.outcomes["allied_war"] == pytest.approx(0.04)
    assert min(e.payoffs["Defender"] for e in both) > max(e.payoffs["Defender"] for e in sunk)
    assert min(e.outcomes["allied_war"] for e in both) > max(e.outcomes["allied_war"] for e in sunk)


@pytest.mark.slow
def test_claim_f1_menu_random_points_every_policy() -> None:
    """The 32 points of ``test_claim_f1_menu_random_points`` under free, prior and d1, each searching
    every pure profile and every support pattern mixing at up to two information sets: a bluffing PBE
    is found exactly where ``_predicted`` says."""
    m = dt.load_model(MENU)
    for pt in _points():
        pred = _predicted(m, pt["tech"], pt["above"], pt["v"])
        g = m.game(**pt["v"])
        for pol in POLICIES:
            eqs = dt.solve(g, "pbe", belief_policy=pol, max_mixed_sets=2)
            assert (_bluffs(eqs) > 0) == pred[pol], (pol, pt)
