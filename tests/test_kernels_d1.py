"""Compiled kernels under D1 beliefs agree with the per-point solver (``belief_policy="d1"``).

The per-point solver (:mod:`deterrence.solvers.pbe`, beliefs in ``_pbe_beliefs._Beliefs._d1``)
is the oracle: at domain samples of every catalogue model that compiles, at points next to the
boundaries where the D1 choice changes the equilibria, and at the points where the D1 belief is
not Nature's odds (so that a kernel whose D1 belief were the prior fails).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import deterrence as dt
from deterrence.kernels import compile_model, domain_sample
from deterrence.sweeps import evaluate_points

D1_MODELS = [
    "alliance_moral_hazard",
    "extended_deterrence",
    "extended_deterrence_commitment_types",
    "rudimentary_asymmetric_deterrence",
    "tripartite_crisis",
    "unilateral_deterrence",
]


def _assert_agree(model, points: pd.DataFrame) -> int:
    """The compiled ``d1`` rows equal the per-point solver's at the points the kernel decides
    (same equilibria in the same order, every column the kernel writes, atol 1e-9); returns
    how many points it decided."""
    cm = compile_model(model, "pbe", "d1")
    table, undecided = cm.evaluate(points)
    decided = points.loc[~undecided]
    ref = evaluate_points(model, decided.assign(point=decided.index), "pbe", "d1")
    cols = [c for c in table.columns if c in ref.columns and c != "path"]
    ours = table[table["point"].isin(decided.index)][cols].reset_index(drop=True)
    theirs = ref[cols].sort_values(["point", "equilibrium"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, theirs, check_exact=False, atol=1e-9, check_dtype=False)
    return len(decided)


@pytest.mark.parametrize("name", D1_MODELS)
def test_compiled_d1_matches_per_point_at_domain_samples(name):
    m = dt.load_model(name)
    pts = pd.DataFrame(domain_sample(m, 60, seed=31))
    assert _assert_agree(m, pts) >= 0.9 * len(pts)


@pytest.mark.parametrize("name", D1_MODELS)
def test_compiled_and_pointwise_d1_sweeps_agree(name):
    """``tests/test_sweep.py::test_compiled_and_pointwise_paths_agree`` under ``d1``."""
    m = dt.load_model(name)
    comp = dt.sweep(m, samples=40, rng=4, belief_policy="d1", progress=False, path="compiled")
    point = dt.sweep(m, samples=40, rng=4, belief_policy="d1", progress=False, path="pointwise")
    assert comp.manifest["paths"].get("compiled", 0) > 0
    pd.testing.assert_frame_equal(comp.table.drop(columns="path"), point.table.drop(columns="path"),
                                  check_exact=False, atol=1e-9)


def _regimes(cm, pts: pd.DataFrame) -> list:
    """Per point: its regimes under ``cm`` (``None`` where undecided)."""
    table, undecided = cm.evaluate(pts)
    by = table.groupby("point")["regime"].agg(lambda r: tuple(sorted(r)))
    return [None if u else by.get(k, ()) for k, u in zip(pts.index, undecided, strict=True)]


def _d1_edges(m, n_pairs: int = 6) -> pd.DataFrame:
    """Points next to boundaries where the compiled ``d1`` equilibria change, first those between
    ends whose ``free`` or ``prior`` equilibria are the same (the D1 choice changes there):
    bisected to about 1e-13 of the segment between two domain samples (convex combinations: the
    domains are kept; points breaking a non-convex ordering are left out), then offsets of 0,
    +-1e-12, +-1e-10, +-1e-8 and +-1e-6 of the segment."""
    d1 = compile_model(m, "pbe", "d1")
    pts = pd.DataFrame(domain_sample(m, 200, seed=7))
    a_r = _regimes(d1, pts)
    others = [_regimes(compile_model(m, "pbe", p), pts) for p in ("free", "prior")]
    names = list(pts.columns)
    out = []
    pairs = [(i, j) for i in range(len(pts)) for j in range(i + 1, len(pts))
             if None not in (a_r[i], a_r[j]) and a_r[i] != a_r[j]]
    # first the pairs whose free or prior equilibria are the same at both ends: D1 moves those
    pairs.sort(key=lambda ij: not any(o[ij[0]] == o[ij[1]] for o in others))
    for i, j in pairs[:n_pairs]:
        a, b = pts.iloc[i].to_numpy(), pts.iloc[j].to_numpy()
        lo, hi = 0.0, 1.0
        for _ in range(44):
            mid = 0.5 * (lo + hi)
            r = _regimes(d1, pd.DataFrame([a + mid * (b - a)], columns=names))[0]
            if r is None:
                break
            lo, hi = (mid, hi) if r == a_r[i] else (lo, mid)
        for off in (0.0, 1e-12, -1e-12, 1e-10, -1e-10, 1e-8, -1e-8, 1e-6, -1e-6):
            x = a + min(max(lo + off, 0.0), 1.0) * (b - a)
            try:
                m.game(**dict(zip(names, x.tolist(), strict=True)))
            except dt.OrderingError:  # some orderings are not convex: such points are left out
                continue
            out.append(x)
    return pd.DataFrame(out, columns=names)


@pytest.mark.parametrize("name", ["extended_deterrence", "extended_deterrence_commitment_types",
                                  "tripartite_crisis", "unilateral_deterrence"])
def test_compiled_d1_matches_per_point_near_d1_knife_edges(name):
    m = dt.load_model(name)
    pts = _d1_edges(m)
    assert len(pts) > 0
    assert _assert_agree(m, pts) > 0


@pytest.mark.parametrize("name", ["tripartite_crisis", "unilateral_deterrence"])
def test_compiled_d1_is_not_the_prior(name):
    """At points where the per-point solver's D1 equilibria differ from its prior ones, the
    kernel gives the D1 ones (a kernel whose D1 belief were Nature's odds fails here)."""
    m = dt.load_model(name)
    pts = pd.DataFrame(domain_sample(m, 80, seed=17))
    d1 = evaluate_points(m, pts, "pbe", "d1").groupby("point")["regime"].agg(tuple)  # (ids: the index)
    prior = evaluate_points(m, pts, "pbe", "prior").groupby("point")["regime"].agg(tuple)
    differ = [k for k in pts.index if d1.get(k, ()) != prior.get(k, ())]
    assert 3 <= len(differ) < len(pts)
    assert _assert_agree(m, pts.loc[differ]) == len(differ)


def test_unsupported_shapes_go_per_point():
    """A structure the D1 check cannot treat (mixing, with an unreached set of several nodes)
    leaves its points undecided rather than guessing."""
    from deterrence.kernels._d1 import D1Check
    from deterrence.kernels._trees import Structure

    m = dt.load_model("tripartite_crisis")
    cm = compile_model(m, "pbe", "d1")
    pts = pd.DataFrame(domain_sample(m, 5, seed=1))
    cols = {k: pts[k].to_numpy(dtype=float) for k in cm.tree.names}
    check = D1Check(cm.tree, cm.game, cm.vt, cm.tol, cm.edge)
    # mixing at the two binary sets of player 2 with everything else at action 0: sets unreached
    s = Structure(tuple(-1 if h in (3, 4) else 0 for h in range(len(cm.game.infosets))), (3, 4))
    holds, undecided = check.verdicts(s, cols)
    assert np.all(holds | undecided)


def test_models_compiled_over_undominated_actions_agree_under_d1():
    """A model that compiles only over the actions surviving iterated dominance compiles under d1
    too: where the kernel decides a point its rows are the per-point solver's."""
    model = dt.load_model("costly_signal_pledge")
    sample = pd.DataFrame(domain_sample(model, 40, seed=8))
    table, undecided = compile_model(model, "pbe", "d1").evaluate(sample)
    assert not undecided.all()
    points = sample[~undecided]
    expected = evaluate_points(model, points.assign(point=points.index), "pbe", "d1")
    payoffs = list(table.filter(like="payoff_").columns)
    assert len(table) == len(expected) and (payoffs or not len(table))
    np.testing.assert_allclose(table[payoffs].to_numpy(), expected[payoffs].to_numpy(), atol=1e-9)


def test_a_kernel_that_decides_no_point_is_not_used_by_sweeps():
    """``chain_store``'s D1 beliefs are beyond the kernel, which hands every point back to the
    per-point solver: a sweep (``path="auto"``) then solves per point, without paying for the
    kernel on top; under free beliefs the kernel decides points and is used."""
    from deterrence.sweeps._backends import compiled_kernel

    model = dt.load_model("chain_store")
    assert not compile_model(model, "pbe", "d1").decides_some_probe_point()
    assert compiled_kernel(model, "pbe", "d1", "auto") is None
    assert compiled_kernel(model, "pbe", "d1", "compiled") is not None  # asked for: still served
    assert compiled_kernel(model, "pbe", "free", "auto") is not None
    sweep = dt.sweep(model, samples=6, rng=3, belief_policy="d1", progress=False)
    assert set(sweep.table["path"]) == {"pointwise"}
