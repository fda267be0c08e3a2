"""Compiled kernels agree with the tree-walking reference path and with per-point solving."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import udg

import deterrence as dt
from deterrence.errors import UnsupportedError
from deterrence.kernels import compile_model, compile_tree, domain_sample
from deterrence.outcomes import regime_label
from deterrence.solvers import belief_options


def _udg_compiled(policy):
    rng = np.random.default_rng(0)
    probe = {
        k: rng.uniform(0.05, 0.95, 64) if k in ("pCh", "pDef") else np.full(64, float(udg.DEFAULTS[k]))
        for k in udg.NAMES
    }
    return compile_tree(udg.symbolic_tree(), "pbe", policy, probe=probe)


def _udg_points(n, seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            k: (rng.uniform(0, 1, n) if k in ("pCh", "pDef") else np.full(n, float(udg.DEFAULTS[k])))
            for k in udg.NAMES
        }
    )


def _by_point(table, index):
    out = {k: [] for k in index}
    for k, regime, p in zip(table["point"], table["regime"], table["p_attack"], strict=True):
        out[k].append((regime, round(float(p), 6)))
    return {k: sorted(v) for k, v in out.items()}


def _pointwise(game_of_row, points, concept, policy):
    out = {}
    for k, row in points.iterrows():
        eqs = dt.solve(game_of_row(row), concept, **belief_options(concept, policy))
        out[k] = sorted(
            (regime_label(e.outcomes, e.is_pure()), round(1 - e.outcomes.get("status_quo", 0.0), 6))
            for e in eqs
        )
    return out


def _compare_fast_reference(cm, points):
    fast, und_f = cm.evaluate(points, with_structure=True)
    ref, und_r = cm.evaluate_reference(points, with_structure=True)
    decided = points.index[~(und_f | und_r)]
    f = fast[fast.point.isin(decided)]
    r = ref[ref.point.isin(decided)]
    assert set(zip(f.point, f.structure, strict=True)) == set(zip(r.point, r.structure, strict=True))
    merged = f.merge(r, on=["point", "structure"], suffixes=("", "_ref"))
    for col in ("p_attack", "p_war", "p_allied_war", "p_entrapment", "p_abandonment"):
        np.testing.assert_allclose(merged[col], merged[col + "_ref"], atol=1e-10)
    return (und_f | und_r).mean()


@pytest.mark.parametrize("policy", ["free", "prior"])
def test_fast_path_matches_reference_udg(policy):
    share = _compare_fast_reference(_udg_compiled(policy), _udg_points(600, seed=1))
    assert share < 0.05


@pytest.mark.parametrize("policy", ["free", "prior"])
def test_fast_path_matches_reference_extended_deterrence(policy):
    m = dt.load_model("extended_deterrence")
    pts = pd.DataFrame(domain_sample(m, 1500, seed=2))
    assert _compare_fast_reference(compile_model(m, "pbe", policy), pts) < 0.05


@pytest.mark.parametrize("policy", ["free", "prior"])
def test_udg_compiled_matches_per_point_solver(policy):
    cm = _udg_compiled(policy)
    pts = _udg_points(40, seed=5)
    table, undecided = cm.evaluate(pts)
    compiled = _by_point(table, pts.index)
    pointwise = _pointwise(lambda r: udg.numeric_game(pCh=r.pCh, pDef=r.pDef), pts, "pbe", policy)
    for k in pts.index[~undecided]:
        assert compiled[k] == pointwise[k], (pts.loc[k, ["pCh", "pDef"]].tolist(), compiled[k], pointwise[k])


def test_udg_worked_examples_from_the_literature():
    """U1–U4 (derivations.md#unilateral-deterrence) under free beliefs: SQ everywhere plus the named class."""
    cm = _udg_compiled("free")
    pts = _udg_points(4, seed=0)
    pts["pCh"] = [0.5, 0.5, 0.8, 0.5]
    pts["pDef"] = [0.6, 0.4, 0.2, 0.2]
    table, undecided = cm.evaluate(pts)
    assert not undecided.any()
    regimes = {k: set(table[table.point == k].regime) for k in range(4)}
    assert regimes[0] == {"status_quo"}
    assert regimes[1] == {"status_quo", "status_quo+capitulation+war"}  # separating: SQ 0.5, DD 0.2, DC 0.3
    assert regimes[2] == {"status_quo", "capitulation+war"}  # attack
    assert regimes[3] == {"status_quo", "mixed:status_quo+capitulation+war"}  # bluff
    bluff = table[(table.point == 3) & table.regime.str.startswith("mixed")].iloc[0]
    assert bluff.outcome_status_quo == pytest.approx(0.25)
    assert bluff.outcome_war == pytest.approx(1 / 6)


def _catalogue_models():
    out = []
    for name in dt.list_models("files"):  # the model families bring their own kernels (test_collective_*)
        m = dt.load_model(name)
        for concept in ("pbe", "spe"):
            if concept in m.concepts:
                out.append((name, concept))
    return out


@pytest.mark.parametrize(("name", "concept"), _catalogue_models())
def test_catalogue_compiled_matches_per_point(name, concept):
    m = dt.load_model(name)
    try:
        cm = compile_model(m, concept, "free")
    except UnsupportedError as exc:
        pytest.skip(f"{name} does not compile for {concept}: {exc}")
    pts = pd.DataFrame(domain_sample(m, 30, seed=11))
    table, undecided = cm.evaluate(pts)
    compiled = _by_point(table, pts.index)
    pointwise = _pointwise(lambda r: m.game(**r.to_dict()), pts, concept, "free")
    for k in pts.index[~undecided]:
        assert compiled[k] == pointwise[k], (name, pts.loc[k].to_dict(), compiled[k], pointwise[k])


@pytest.mark.slow
@pytest.mark.parametrize(("name", "concept"), _catalogue_models())
def test_catalogue_compiled_matches_per_point_10k(name, concept):
    """Issue 5: agreement on at least 10,000 random points per compiling model (slow)."""
    m = dt.load_model(name)
    try:
        cm = compile_model(m, concept, "free")
    except UnsupportedError as exc:
        pytest.skip(f"{name} does not compile for {concept}: {exc}")
    pts = pd.DataFrame(domain_sample(m, 10_000, seed=12))
    assert len(pts) >= 10_000
    table, undecided = cm.evaluate(pts)
    compiled = _by_point(table, pts.index)
    pointwise = _pointwise(lambda r: m.game(**r.to_dict()), pts, concept, "free")
    bad = [k for k in pts.index[~undecided] if compiled[k] != pointwise[k]]
    assert not bad, (len(bad), bad[:5])


def test_unsupported_concepts_raise_typed_errors():
    m = dt.load_model("extended_deterrence")
    with pytest.raises(UnsupportedError):
        compile_model(m, "qre", "free")
    with pytest.raises(UnsupportedError):
        compile_model(m, "pbe", "d1")
