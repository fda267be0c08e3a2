"""Compiled PBE kernels under free beliefs where Nature reaches some nodes of an information set
with probability 0 (a chance probability at 0 or 1).

Nature's zero-probability moves carry no belief under every policy (see
:mod:`deterrence.solvers.pbe`): at an unreached two-node set where Nature reaches one node only,
the belief is on that node; where it reaches neither, any belief (as the per-point solver, which
then frees every node). The engine decides these points itself; here its rows are compared with
the certified per-point solve (regimes, probability of attack, payoffs, number of equilibria) on
every catalogue model that compiles for PBE and has Nature moves, and on the no-pledge baselines
the sweep solves with them.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from test_kernels import _sets_agree

import deterrence as dt
from deterrence.errors import ModelError, UnsupportedError
from deterrence.kernels import MAX_STRUCTURES, compile_model, domain_sample, symbolic_tree


def _baseline(model):
    try:
        return model.baseline()
    except ModelError:
        return None


def _cases():
    out = []
    for name in dt.list_models("files"):
        m = dt.load_model(name)
        if "pbe" not in m.concepts:
            continue
        for which, mm in (("model", m), ("baseline", _baseline(m))):
            if mm is None:
                continue
            game = mm.game()
            n_pure = int(np.prod([len(h.actions) for h in game.infosets]))
            if game.chance_infos and n_pure <= MAX_STRUCTURES:  # the others are solved per point
                out.append((name, which))
    return out


def _model(name, which):
    m = dt.load_model(name)
    return m if which == "model" else _baseline(m)


def _chance_parameters(m):
    """The parameters in Nature's probabilities."""
    tree = symbolic_tree(m)
    return sorted({str(x) for row in tree.chance for e in row for x in getattr(e, "free_symbols", ())})


def _zero_chance_points(m, n_random, seed):
    """Seeded random points with every chance parameter (and every pair of them) at the ends of
    its domain, within the domains and orderings."""
    base = pd.DataFrame(domain_sample(m, n_random, seed=seed))
    chance = _chance_parameters(m)
    frames = []
    for r in (1, 2):
        for combo in itertools.combinations(chance, r):
            ends = [[float(v) for v in m.parameters[c].domain if np.isfinite(float(v))] for c in combo]
            for values in itertools.product(*ends):
                frames.append(base.assign(**dict(zip(combo, values, strict=True))))
    pts = pd.concat(frames, ignore_index=True) if frames else base.iloc[:0]
    inside = np.all([np.asarray(p.contains(pts[k].to_numpy())) for k, p in m.parameters.items()], axis=0)
    pts = pts[inside].reset_index(drop=True)
    ok = np.asarray(m.evaluate({k: pts[k].to_numpy() for k in m.parameters}, check=False,
                               check_orderings=False).ordering_ok)  # fmt: skip
    return pts[ok].reset_index(drop=True)


def _mixes_reached_and_unreached(game):
    """Does some information set hold a node Nature reaches and one it never reaches?"""
    reach = game.realization_probabilities([np.ones(len(h.actions)) for h in game.infosets])
    return any(
        (reach[list(h.nodes)] > 0).any() and (reach[list(h.nodes)] <= 0).any()
        for h in game.infosets
        if len(h.nodes) > 1
    )


def _agree(m, table, points):
    """Compiled rows equal the certified per-point PBE (free beliefs) at every point (regimes,
    probability of attack, payoffs, number of equilibria); returns how many points have an
    information set of reached and unreached nodes."""
    _sets_agree(m, table, points)
    assert (table.n_equilibria == table.groupby("point").point.transform("size")).all()
    return sum(_mixes_reached_and_unreached(m.game(**row.to_dict())) for _, row in points.iterrows())


@pytest.mark.parametrize(("name", "which"), _cases())
def test_zero_chance_points_are_decided_and_agree_with_per_point(name, which):
    m = _model(name, which)
    try:
        cm = compile_model(m, "pbe", "free")
    except UnsupportedError as exc:
        pytest.skip(f"{name} ({which}) does not compile for PBE: {exc}")
    pts = _zero_chance_points(m, 6, seed=21)
    if pts.empty:
        pytest.skip(f"{name} ({which}): no chance parameter reaches 0 or 1 within the domains")
    table, undecided = cm.evaluate(pts)
    # the engine decides these points (the knife edges of a random point aside)
    assert undecided.mean() <= 0.05, (name, which, int(undecided.sum()), len(pts))
    mixed = _agree(m, table, pts[~undecided])  # points with a set of reached and unreached nodes
    assert table.path.eq("compiled").all()
    if any(len(h.nodes) > 1 for h in m.game().infosets):
        assert mixed > 0, (name, which)


def _readme_grid_at_credibility_zero_and_one(n_costs):
    """The README's sweep (credibility x cost_attacker) at credibility 0 and 1, where Nature never
    draws one type: every point is decided on the compiled path, for the model and its no-pledge
    baseline, and each equals the per-point solve."""
    m = dt.load_model("extended_deterrence")
    c, a = np.meshgrid([0.0, 1.0], np.linspace(0, 2, n_costs), indexing="ij")
    for mm in (m, m.baseline()):
        pts = pd.DataFrame({n: np.full(c.size, float(p.default)) for n, p in mm.parameters.items()})
        pts["credibility"], pts["cost_attacker"] = c.ravel(), a.ravel()
        table, undecided = compile_model(mm, "pbe", "free").evaluate(pts)
        assert not undecided.any()
        assert _agree(mm, table, pts) == len(pts)


def test_readme_grid_at_credibility_zero_and_one():
    """Every fourth cost of the README's 201 (the same points, 0.04 apart)."""
    _readme_grid_at_credibility_zero_and_one(51)


@pytest.mark.slow
def test_readme_grid_at_credibility_zero_and_one_full():
    """All 201 costs of the README's grid (804 per-point solves)."""
    _readme_grid_at_credibility_zero_and_one(201)


def test_some_cases_meet_sets_of_reached_and_unreached_nodes():
    """The random boundary points do reach the rule: an information set with a node Nature reaches
    and one it does not, and the rows still agree (for the models where that happens)."""
    hits = 0
    for name, which in [("unilateral_deterrence", "model"), ("tripartite_crisis", "model"),
                        ("extended_deterrence_commitment_types", "model")]:  # fmt: skip
        m = _model(name, which)
        pts = _zero_chance_points(m, 3, seed=22)
        table, undecided = compile_model(m, "pbe", "free").evaluate(pts)
        hits += _agree(m, table, pts[~undecided]) > 0
    assert hits == 3


@pytest.mark.parametrize("name", ["extended_deterrence", "unilateral_deterrence", "tripartite_crisis"])
def test_reference_path_puts_the_belief_on_the_node_nature_reaches(name):
    """The tree-walking reference path knows the rule too: at the zero-chance points it finds the
    engine's equilibria (structures and outcome probabilities)."""
    m = dt.load_model(name)
    cm = compile_model(m, "pbe", "free")
    pts = _zero_chance_points(m, 8, seed=23)
    fast, und_f = cm.evaluate(pts, with_structure=True)
    ref, und_r = cm.evaluate_reference(pts, with_structure=True)
    assert not und_f.any() and not und_r.any()
    assert fast.point.tolist() == ref.point.tolist() and fast.structure.tolist() == ref.structure.tolist()
    np.testing.assert_allclose(fast.filter(like="outcome_"), ref.filter(like="outcome_"), atol=1e-10)
