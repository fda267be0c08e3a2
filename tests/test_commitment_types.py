"""Commitment types (issue 9 section 1): does assistance follow defence pact > entente > non-aggression pact?

The sweep (:func:`deterrence.studies.commitment.commitment_type_sweep`, compiled kernels) is checked on a
seeded Sobol sample of 1,024 points against a characterisation derived by hand in this file
(not by the library) from the model's tree and its ``[meta]`` multipliers:

* the ally's singleton information sets pin its strategy in every PBE: the committed type
  intervenes (ordering 2 of the model), the uncommitted type intervenes iff its audience cost
  ``a_k`` exceeds ``entrapment_threshold`` (theta). Neither the Attacker nor the Defender knows the
  type, so given that the Defender is attacked and resists, the ally fights with probability
  ``A_k = c_k + (1 - c_k) [a_k > theta]`` (``c_k`` the credibility of type k);
* the Defender resists iff ``R_k = (p_alone + A_k (p_allied - p_alone)) v - cost_defender > 0`` and
  the Attacker attacks a resisting Defender iff
  ``W_k = (1 - p_alone - A_k (p_allied - p_alone)) v - cost_attacker > 0``; under the pessimistic
  selection there is a war on the path iff both hold, capitulation iff ``R_k < 0`` and no attack
  iff ``R_k > 0 > W_k``.

Hence the ordering can fail in two ways only: a *tie* when the weaker type's audience cost already
exceeds the entrapment threshold (both types assist with certainty), or *no comparison* when some
type has no war on its path (a weak pledge makes the Defender concede, a strong one deters).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import deterrence as dt
from deterrence.errors import ParameterError, SweepError
from deterrence.studies import commitment as ct

N = 1024
SEED = 20260911
MARGIN = 1e-7  # analytic conditions closer than this to a knife edge are not asserted
TYPES = ("coalition_of_convenience", "non_aggression_pact", "entente", "defence_pact")  # weakest first


@pytest.fixture(scope="module")
def model() -> dt.Model:
    return dt.load_model(ct.MODEL)


@pytest.fixture(scope="module")
def swept() -> pd.DataFrame:
    return ct.commitment_type_sweep(samples=N, seed=SEED)


@pytest.fixture(scope="module")
def analytic(swept: pd.DataFrame, model: dt.Model) -> pd.DataFrame:
    """The hand-derived prediction per (point, type), from the parameters and the [meta] multipliers."""
    meta = model.meta
    cred = swept["max_credibility"] * swept["type"].map(meta["credibility_multiplier"])
    aud = swept["max_audience_cost"] * swept["type"].map(meta["audience_multiplier"])
    gain = swept["p_allied"] - swept["p_alone"]
    v = swept["stakes"]
    theta = swept["cost_ally"] - swept["interest_uncommitted"] * gain * v
    entrapped = aud > theta
    A = cred + (1 - cred) * entrapped
    R = (swept["p_alone"] + A * gain) * v - swept["cost_defender"]
    W = (1 - swept["p_alone"] - A * gain) * v - swept["cost_attacker"]
    status = np.select([(R > 0) & (W > 0), R < 0, (R > 0) & (W < 0)], ["war", "capitulation", "deterred"],
                       "edge")
    edge = (np.abs(aud - theta) < MARGIN) | (np.abs(R) < MARGIN) | (np.abs(W) < MARGIN)
    return pd.DataFrame({"point": swept["point"], "type": swept["type"], "cred": cred, "aud": aud,
                         "theta": theta, "entrapped": entrapped, "A": A, "status": status, "edge": edge})


def _wide(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.pivot(index="point", columns="type", values=column)


# ------------------------------------------------------------------ assistance_probability
def test_assistance_probability_definition() -> None:
    # P(war) counts every war the ally stayed out of, treaty broken (abandonment) or not
    table = pd.DataFrame({"outcome_allied_war": [0.3, 0.0, 0.0, 1.0, 0.2],
                          "outcome_war": [0.1, 0.5, 0.0, 0.0, 1e-12]})
    got = ct.assistance_probability(table)
    assert got.name == "assistance"
    np.testing.assert_allclose(got.to_numpy(), [0.75, 0.0, np.nan, 1.0, 0.2 / (0.2 + 1e-12)])


def test_assistance_probability_needs_both_kinds_of_war() -> None:
    with pytest.raises(SweepError, match="outcome_war"):
        ct.assistance_probability(pd.DataFrame({"outcome_allied_war": [0.5]}))


def test_type_is_a_numeric_parameter_of_the_model(model: dt.Model) -> None:
    codes = ct.type_codes(model)
    assert codes == {"coalition_of_convenience": 0, "non_aggression_pact": 1, "entente": 2, "defence_pact": 3}
    lo, hi = model.parameters["commitment_type"].domain
    assert (lo, hi) == (0.0, 3.0)


# ------------------------------------------------------------------ the sample
def test_sample_is_seeded_and_satisfies_the_orderings(swept: pd.DataFrame, model: dt.Model) -> None:
    assert swept["point"].nunique() == N
    assert len(swept) == 4 * N
    assert (swept.groupby("point")["commitment_type"].apply(sorted).map(tuple) == (0, 1, 2, 3)).all()
    # the same points for every type
    params = [n for n in model.parameters if n != "commitment_type"]
    per_type = [g[params].to_numpy() for _, g in swept.groupby("commitment_type")]
    for other in per_type[1:]:
        np.testing.assert_array_equal(per_type[0], other)
    values = {n: swept[n].to_numpy() for n in params}
    values["commitment_type"] = swept["commitment_type"].to_numpy(float)
    assert np.all(model.evaluate(values, check=False, check_orderings=False).ordering_ok)
    again = ct.sample_points(16, SEED)
    first = swept[swept["commitment_type"] == 0].set_index("point")[params].iloc[:16]
    np.testing.assert_array_equal(again[params].to_numpy(), first.to_numpy())
    assert (swept["path"] == "compiled").mean() > 0.99  # the compiled path does the work
    # declared domains are covered (as far as the orderings p_alone < p_allied etc. allow)
    assert swept["max_credibility"].min() < 0.01 and swept["max_credibility"].max() > 0.99
    assert swept["p_alone"].min() < 0.01 and swept["p_allied"].max() > 0.99


def test_bad_arguments(model: dt.Model) -> None:
    with pytest.raises(SweepError, match="commitment_type"):
        ct.commitment_type_sweep(samples=8, commitment_type=2.0)
    with pytest.raises(SweepError, match="no_such"):
        ct.commitment_type_sweep(samples=8, no_such=1.0)
    with pytest.raises(SweepError, match="samples"):
        ct.sample_points(0)
    with pytest.raises(ParameterError, match="p_alone"):
        ct.sample_points(8, bounds={"p_alone": (-1.0, 0.5)})
    with pytest.raises(SweepError, match="stakes"):
        ct.sample_points(8, bounds={"stakes": (1, np.inf)})
    varied = ct.sample_points(64, 1, bounds={"stakes": (0.5, 2.0)})  # bounds= unpins stakes
    assert varied["stakes"].nunique() == 64 and varied["stakes"].between(0.5, 2.0).all()
    with pytest.raises(SweepError, match="commitment_type"):
        ct.type_codes(dt.load_model("extended_deterrence"))

    # wrong types: SweepErrors naming what is wrong (were a stray ValueError / TypeError)
    for bad in ("ab", 1.0, (0.0, "1")):
        with pytest.raises(SweepError, match="bounds for 'cost_ally'"):
            ct.sample_points(8, bounds={"cost_ally": bad})
    for seed in ("a", -1, 1.5):
        with pytest.raises(SweepError, match="seed"):
            ct.sample_points(8, seed)


# ------------------------------------------------------------------ agreement with dt.sweep
def test_agrees_with_the_sweep_engine(swept: pd.DataFrame, model: dt.Model) -> None:
    params = [n for n in model.parameters if n != "commitment_type"]
    rows = swept.drop_duplicates("point")
    picks = [rows[rows["ordering_case"] == case].iloc[0] for case in ("strict", "tie", "undefined")]
    for row in picks:
        fixed = {n: float(row[n]) for n in params}
        res = dt.sweep(model, grid={"commitment_type": [0, 1, 2, 3]}, fixed=fixed, concept="pbe",
                       belief_policy="free", progress=False)
        sel = res.table[res.table["selected"]].sort_values("commitment_type")
        mine = swept[swept["point"] == row["point"]].sort_values("commitment_type")
        for col in ("p_attack", "p_war", "p_entrapment"):
            np.testing.assert_allclose(mine[col].to_numpy(), sel[col].to_numpy(), atol=1e-9)
        np.testing.assert_allclose(mine["assistance"].to_numpy(), ct.assistance_probability(sel).to_numpy(),
                                   atol=1e-9)


# ------------------------------------------------------------------ the characterisation
def test_derived_quantities_follow_the_meta_multipliers(swept: pd.DataFrame, analytic: pd.DataFrame) -> None:
    np.testing.assert_allclose(swept["credibility"], analytic["cred"], atol=1e-12)
    np.testing.assert_allclose(swept["audience_cost"], analytic["aud"], atol=1e-12)
    np.testing.assert_allclose(swept["entrapment_threshold"], analytic["theta"], atol=1e-12)


def test_war_on_path_and_assistance_match_the_derivation(swept: pd.DataFrame, analytic: pd.DataFrame) -> None:
    ok = ~analytic["edge"]
    assert ok.mean() > 0.99
    predicted = pd.Series(analytic["status"][ok], name="war_status")
    pd.testing.assert_series_equal(swept["war_status"][ok], predicted, check_index=False)
    war = ok & (analytic["status"] == "war")
    np.testing.assert_allclose(swept["assistance"][war], analytic["A"][war], atol=1e-9)
    assert swept["assistance"][ok & (analytic["status"] != "war")].isna().all()
    # the uncommitted type fights only when its audience cost beats the threshold: that is entrapment
    entrapment = (1 - analytic["cred"]) * analytic["entrapped"]
    np.testing.assert_allclose(swept["p_entrapment"][war], entrapment[war], atol=1e-9)


def test_ordering_holds_weakly_everywhere(swept: pd.DataFrame) -> None:
    per_point = ct.ordering_by_point(swept)
    assert not per_point["ordering_reversed"].any()
    a = per_point[[f"assistance_{t}" for t in ct.COMPARED]].to_numpy()
    for i in range(len(ct.COMPARED) - 1):  # every pair of types that both have a war
        both = ~np.isnan(a[:, i]) & ~np.isnan(a[:, i + 1])
        assert np.all(a[both, i] >= a[both, i + 1] - 1e-12)
    # and the coalition of convenience assists least of all
    cc = _wide(swept, "assistance")
    both = cc["coalition_of_convenience"].notna() & cc["non_aggression_pact"].notna()
    assert (cc.loc[both, "non_aggression_pact"] >= cc.loc[both, "coalition_of_convenience"] - 1e-12).all()


def test_strict_share_and_the_exceptions(swept: pd.DataFrame, analytic: pd.DataFrame) -> None:
    summary = ct.summarise(swept)
    per_point = ct.ordering_by_point(swept)
    print(f"\n{N} points: strict {summary['share_strict']:.3f}, tie {summary['share_tie']:.3f}, "
          f"undefined {summary['share_undefined']:.3f}, reversed {summary['share_reversed']:.3f}; "
          f"strict among fully defined {summary['share_strict_of_defined']:.3f}; pairs {summary['pairs']}")
    assert summary["share_reversed"] == 0.0
    assert summary["share_strict"] > 0.02  # strict on a real share of the sample
    assert summary["share_strict"] + summary["share_tie"] + summary["share_undefined"] == pytest.approx(1.0)
    edge_points = set(analytic.loc[analytic["edge"], "point"])
    aud = _wide(analytic, "aud")
    theta = _wide(analytic, "theta")["entente"]
    status = _wide(analytic, "status")
    clean = ~per_point.index.isin(edge_points)
    case = per_point["ordering_case"][clean]
    # every point with war at all three types: strict iff the entente's uncommitted ally stays out ...
    defined = case.index[case.isin(["strict", "tie"])]
    entente_entrapped = aud.loc[defined, "entente"] > theta[defined]
    assert ((case[defined] == "tie") == entente_entrapped).all()
    # ... and a tie means the entente and the defence pact both assist with certainty
    ties = case.index[case == "tie"]
    assert np.allclose(per_point.loc[ties, "assistance_defence_pact"], 1.0)
    assert np.allclose(per_point.loc[ties, "assistance_entente"], 1.0)
    all_three = ties[aud.loc[ties, "non_aggression_pact"] > theta[ties]]
    assert np.allclose(per_point.loc[all_three, "assistance_non_aggression_pact"], 1.0)
    # every undefined point: some compared type's Defender concedes (the pledge is too weak to make it
    # fight) or its Attacker is deterred; types with war lie between the two, in order of the code
    undefined = case.index[case == "undefined"]
    compared = status.loc[undefined, list(ct.COMPARED)]
    assert (compared != "war").any(axis=1).all()
    rank = {"capitulation": 0, "war": 1, "deterred": 2}
    codes = status[list(TYPES)]
    ranks = codes.loc[per_point.index[clean]].apply(lambda col: col.map(rank)).to_numpy()
    assert np.all(np.diff(ranks, axis=1) >= 0)
    # the shares the summary reports agree with the characterisation
    assert summary["share_tie"] == pytest.approx(float((case == "tie").sum()) / N, abs=len(edge_points) / N)


def test_stronger_commitment_never_invites_more_attack(swept: pd.DataFrame) -> None:
    p = _wide(swept, "p_attack")[list(TYPES)]
    assert np.all(np.diff(p.to_numpy(), axis=1) <= 1e-9)
    means = p.mean().to_numpy()
    assert np.all(np.diff(means) < 0)


def test_entente_partners_attacking_each_other_is_not_expressible(model: dt.Model) -> None:
    """"Great powers rarely start wars against their entente partners" cannot be tested here.

    In this model only the Attacker, who is outside the alliance, can start a war: every war
    terminal lies below the Attacker's ``attack``, and the Ally's only choices are to intervene on
    the Defender's side or stay out. If the model ever lets a partner start a war, this fails and
    the claim (and docs/tutorials/commitment-types.md) must be revisited.
    """
    nodes = {n.id: n for n in model.nodes}
    parent = {child: (n.id, action) for n in model.nodes for action, child in n.actions.items()}
    for n in model.nodes:
        if n.kind == "decision" and n.player == "Ally":
            assert set(n.actions) == {"intervene", "stay_out"}
        if n.kind == "terminal" and {"war", "allied_war"} & set(n.outcome):
            path, node = [], n.id
            while node in parent:
                node, action = parent[node]
                path.append((nodes[node].player, action))
            assert ("Attacker", "attack") in path


def test_a_mis_specified_model_fails_the_ordering(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check has teeth: swap the entente's and the defence pact's multipliers and it sees reversals."""
    from deterrence.catalogue.builders import alliances

    monkeypatch.setitem(alliances.COMMITMENT_TYPES, 2, ("entente", 1.0, 1.0))
    monkeypatch.setitem(alliances.COMMITMENT_TYPES, 3, ("defence_pact", 0.6, 0.75))
    wrong = alliances.extended_deterrence_commitment_types()
    summary = ct.summarise(ct.commitment_type_sweep(samples=256, seed=SEED, model=wrong))
    assert summary["share_reversed"] > 0.02
    assert summary["pairs"]["defence_pact>entente"]["reversed"] > 0.1


def test_knife_edge_points_are_decided_as_per_point(model: dt.Model) -> None:
    """At the defaults the entente sits on a knife edge: the compiled path decides it, and every
    selected equilibrium is the one the per-point path selects."""
    from deterrence.kernels import compile_model
    from deterrence.sweeps import evaluate_points, select

    fixed = {n: float(p.default) for n, p in model.parameters.items()
             if n not in ("commitment_type", "max_audience_cost", "stakes")}
    table = ct.commitment_type_sweep(samples=32, seed=0, **fixed)
    assert (table["path"] == "compiled").all()
    assert len(table) == 4 * 32 and table.groupby(["point", "type"]).size().eq(1).all()
    assert not table["ordering_reversed"].any()
    base = ct.sample_points(32, 0, model=model, fixed=fixed)
    edges = 0
    for name, code in ct.type_codes(model).items():
        pts = base.copy()
        pts["commitment_type"] = float(code)
        edges += int(compile_model(model, "pbe", "free").knife_edges(pts).sum())
        rows = evaluate_points(model, pts.reset_index(names="point"), "pbe", "free")
        chosen = rows[select(rows, "pessimistic").to_numpy()].set_index("point").loc[pts.index]
        ours = table[table["type"] == name].set_index("point").loc[pts.index]
        assert ours["regime"].tolist() == chosen["regime"].tolist()
        np.testing.assert_allclose(ours["p_attack"], chosen["p_attack"], atol=1e-9)
    assert edges > 0


@pytest.mark.parametrize("concept", ["nash", "qre"])
def test_a_concept_the_kernels_do_not_compile_says_what_the_study_and_a_sweep_can_do(concept: str) -> None:
    """The error used to be the kernel's own ("methods that can serve: pointwise"), a path this
    study does not offer although its docstring said its concept works "as for dt.sweep"."""
    with pytest.raises(dt.UnsupportedError, match=r"commitment_type_sweep runs on the compiled kernels.*"
                       r"default concept 'pbe'.*dt\.sweep with commitment_type"):
        ct.commitment_type_sweep(8, concept=concept)


def test_a_misspelt_policy_is_still_an_option_error() -> None:
    with pytest.raises(dt.OptionError):
        ct.commitment_type_sweep(8, belief_policy="fre")
