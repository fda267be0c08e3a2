"""The derived claims of the collective-defence family (issue 16), tested on sampled parameters.

Each claim is derived in ``docs/discussion/derivations.md#collective-defence`` [D]; where it fails
in the model, the counterexample stated there is checked here too. Claims are about the
*symmetric* equilibrium of exchangeable allies (unique with a concave contest), the PBE with
consistent beliefs, and the pessimistic selection where several hold.
"""

from __future__ import annotations

import numpy as np
import pytest

import deterrence as dt
from deterrence.game.collective import win_probability
from deterrence.solvers._collective_symmetric import symmetric_solutions

MEMBERS = range(1, 33)


def _draws(rng: np.random.Generator, n: int, provocation: bool = False) -> list[dict[str, float]]:
    out = []
    for _ in range(n):
        p0 = float(rng.uniform(0, 0.6))
        d = {
            "credibility": rng.uniform(0, 1),
            "cost_attacker": rng.uniform(0, 1),
            "cost_defender": rng.uniform(0, 1),
            "cost_ally": rng.uniform(0, 0.8),
            "interest_committed": rng.uniform(0, 2),
            "interest_uncommitted": rng.uniform(0, 1),
            "audience_cost": rng.uniform(0, 0.6),
            "p_alone": p0,
            "p_allied": p0 + rng.uniform(0, 1) * (1 - p0),
        }
        if provocation:
            d.update(initiative=rng.uniform(0, 1), revision=rng.uniform(0, 1))
        out.append({k: float(v) for k, v in d.items()})
    return out


def _symmetric(name: str, values: dict[str, float], members: range) -> np.ndarray:
    """Per member count: p_attack, p_entrapment, join_probability, p_chain_gang of the symmetric
    equilibrium (the pessimistic one if several)."""
    model = dt.load_model(name)
    out = []
    for n in members:
        g = model.game(members=n, **values)
        eqs = [e for e in dt.solve(g, "pbe", belief_policy="prior") if "asymmetric" not in e.label]
        e = max(eqs, key=lambda x: x.indicators["p_attack"])
        m = g.measures(e.strategies)
        out.append(
            [e.indicators["p_attack"], e.indicators["p_entrapment"], m["join_probability"], m["p_chain_gang"]]
        )
    return np.array(out)


# ---------------------------------------------------------------------------- buck-passing
def test_buck_passing_holds_with_a_concave_contest() -> None:
    """The symmetric join equilibrium is unique and each ally's join probability never rises
    with the number of members (2000 sampled games, 1 to 32 members)."""
    rng = np.random.default_rng(1)
    n = 2000
    pi, w_c, w_u = rng.uniform(0, 1, n), rng.uniform(0, 2, n), rng.uniform(0, 1, n)
    c, a = rng.uniform(0, 1, n), rng.uniform(0, 0.5, n)
    p0 = rng.uniform(0, 0.7, n)
    p1 = p0 + rng.uniform(0, 1, n) * (1 - p0)
    r, k = rng.choice([0.5, 1.0], n), rng.choice([0.25, 1.0, 2.0], n)
    q = np.full((n, 32), np.nan)
    for m in MEMBERS:
        win = win_probability(p0[:, None], p1[:, None], r[:, None], np.arange(m + 1)[None, :] * k[:, None])
        sols = symmetric_solutions(pi, w_c, w_u, c, a, np.ones(n), np.diff(win, axis=1))
        assert np.array_equal(np.bincount(sols.point, minlength=n), np.ones(n, dtype=int))  # unique
        q[sols.point, m - 1] = sols.q
    assert np.diff(q, axis=1).max() <= 1e-12


def test_buck_passing_fails_with_an_s_shaped_contest() -> None:
    """Counterexample: decisiveness 4, a weak Target (p_alone 0.11, p_allied 0.19): one ally's
    help barely matters, two or more turn the war, so the uncommitted type joins once there are
    others to join with -- the join probability rises from 0.79 (one member) to 1 (two to five)
    and falls back to 0.79 at eight."""
    fam = dt.builders.collective_defence(
        credibility=0.79,
        interest_committed=1.3,
        interest_uncommitted=0.53,
        cost_ally=0.32,
        audience_cost=0.27,
        p_alone=0.11,
        p_allied=0.19,
        decisiveness=4.0,
    )
    res = _symmetric(
        "collective_defence",
        {k: p.default for k, p in fam.parameters.items() if k != "members"},
        (1, 2, 5, 8),
    )
    assert res[:, 2] == pytest.approx([0.79, 1.0, 1.0, 0.79])


# ---------------------------------------------------------------------------- deterrence
def test_more_members_can_deter_less_when_committed_allies_pass_the_buck() -> None:
    """Counterexample to "more members deter more": one committed ally joins for sure and the
    Target resists; with two or more each committed ally joins with a probability that falls
    with the number of members, the Target's chance drops below c_D / v and it concedes."""
    values = {
        "credibility": 0.78,
        "cost_attacker": 0.2,
        "cost_defender": 0.83,
        "cost_ally": 0.4,
        "interest_committed": 1.24,
        "interest_uncommitted": 0.53,
        "audience_cost": 0.06,
        "p_alone": 0.54,
        "p_allied": 0.97,
    }
    res = _symmetric("collective_defence", values, range(1, 5))
    assert res[0, 0] == 0 and np.all(res[1:, 0] == 1)
    assert np.all(np.diff(res[:, 2]) < 0)  # each ally joins less


def test_more_members_deter_more_when_committed_allies_join_whatever_the_others_do() -> None:
    """The sufficient condition: if each committed type joins even when all the others do and
    each uncommitted type stays out even when nobody else joins (up to 8 members here), then
    q = credibility at every size, the Target side's chance rises with the number of members, and
    p_attack never rises."""
    rng = np.random.default_rng(5)
    checked = 0
    for values in _draws(rng, 300):
        delta = np.diff(win_probability(values["p_alone"], values["p_allied"], 1.0, np.arange(9.0)))
        values["interest_uncommitted"] *= 0.1
        lo = values["interest_uncommitted"] * delta.max()
        hi = values["interest_committed"] * delta.min()
        if not lo < hi:
            continue
        hurdle = lo + rng.uniform(0.05, 0.95) * (hi - lo)
        values["audience_cost"] = values["cost_ally"] - hurdle
        if values["audience_cost"] < 0:
            continue
        res = _symmetric("collective_defence", values, range(1, 9))
        assert np.allclose(res[:, 2], values["credibility"])
        assert np.diff(res[:, 0]).max() <= 1e-12, values
        checked += 1
    assert checked >= 10


# ---------------------------------------------------------------------------- chain-ganging
def test_chain_ganging_rises_with_members_when_pledges_bind() -> None:
    """With binding pledges (audience cost >= cost of fighting) every pledged type joins whatever
    the others do: more members make a provoked war both likelier (the Target is emboldened) and
    more crowded with entrapped allies, so p_chain_gang never falls."""
    rng = np.random.default_rng(7)
    checked = 0
    for values in _draws(rng, 60, provocation=True):
        if values["audience_cost"] < values["cost_ally"]:
            continue
        res = _symmetric("collective_defence_chain_gang", values, range(1, 33, 4))
        assert np.diff(res[:, 3]).min() >= -1e-12, values
        checked += 1
    assert checked >= 8


def test_chain_ganging_can_fall_when_pledges_do_not_bind() -> None:
    """Counterexample: an audience cost below the cost of fighting. The unwilling types pass the
    buck as members are added, and fewer are dragged into the Target's war."""
    values = {
        "credibility": 0.25,
        "cost_attacker": 0.34,
        "cost_defender": 0.22,
        "cost_ally": 0.78,
        "interest_committed": 1.77,
        "interest_uncommitted": 0.85,
        "audience_cost": 0.55,
        "p_alone": 0.15,
        "p_allied": 0.97,
        "initiative": 0.82,
        "revision": 0.7,
    }
    res = _symmetric("collective_defence_chain_gang", values, (1, 2, 3, 5))
    assert res[0, 3] > 0.5 and res[-1, 3] == 0 and np.all(np.diff(res[:, 3]) < 0)


def test_entrapment_can_fall_because_more_members_deter() -> None:
    """Counterexample to "p_entrapment rises with members" even with binding pledges: at four
    members the Attacker is deterred, and the defensive wars in which allies were entrapped stop."""
    values = {
        "credibility": 0.01,
        "cost_attacker": 0.2,
        "cost_defender": 0.13,
        "cost_ally": 0.32,
        "interest_committed": 0.74,
        "interest_uncommitted": 0.3,
        "audience_cost": 0.51,
        "p_alone": 0.35,
        "p_allied": 0.6,
        "initiative": 0.05,
        "revision": 0.26,
    }
    res = _symmetric("collective_defence_chain_gang", values, range(1, 6))
    assert res[2, 1] > 0.9 and res[3, 1] == 0 and res[3, 0] == 0


# ---------------------------------------------------------------------------- burden sharing
def test_free_riders_in_peace_are_unreliable_in_war() -> None:
    """Capabilities from the burden-sharing equilibrium: members below the 2 % pledge bring less
    capability and join a war less often than those that meet it; a sanction that makes everyone
    meet the pledge raises the alliance's capability."""
    b = dt.studies.burden
    game = b.BurdenGame(
        incomes=(10, 10, 5, 5, 2, 2),
        valuations=(3, 3, 2, 2, 1, 1),
        technology=b.Technology("contest", 1.0),
        target_share=0.02,
    )
    table = dt.studies.collective.burden_link(game, [0.0, 0.03, 0.05], credibility=0.6)
    mixed = table.dropna(subset=["join_free_riders", "join_contributors"])
    assert len(mixed) >= 1 and (mixed["join_free_riders"] <= mixed["join_contributors"]).all()
    assert table["below_pledge"].iloc[0] > 0 and table["below_pledge"].iloc[-1] == 0
    assert table["total_capability"].iloc[-1] > table["total_capability"].iloc[0]
    with pytest.raises(dt.ParameterError, match="target_share"):
        dt.studies.collective.burden_link(b.BurdenGame(incomes=(1.0,), valuations=(1.0,)), [0.0])


def test_burden_link_bad_input_is_typed() -> None:
    from deterrence.studies import burden as b
    from deterrence.studies.collective import burden_link, capabilities_from_spending

    game = b.BurdenGame(incomes=(1.0, 2.0), valuations=(1.0, 1.0), target_share=0.05)
    for sanctions, name in ((0.1, "sanctions"), ("0.1", "sanctions"), (["a"], "sanction"),
                            ([-0.1], "sanction"), ([float("nan")], "sanction")):
        with pytest.raises(dt.ParameterError) as err:  # were TypeErrors for the wrong types
            burden_link(game, sanctions)
        assert err.value.name == name
    with pytest.raises(dt.ParameterError, match="BurdenGame"):
        burden_link("game", [0.1])
    with pytest.raises(dt.ParameterError, match="target_share"):
        capabilities_from_spending([1.0], [1.0], "0.1")
