"""At ties the compiled kernels list equilibria in the per-point solver's order.

``selection="first"`` (and the ``ties: first`` of the other selection rules) pick by that order,
and a sweep chooses the compiled path itself wherever a model compiles: so the order, not only
the set, must be the per-point solver's (the reference the kernels are tested against).
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pandas as pd
import pytest

import deterrence as dt
from deterrence.errors import UnsupportedError
from deterrence.kernels import compile_model, domain_sample
from deterrence.solvers.backward_induction import listing_order
from deterrence.sweeps import evaluate_points


def test_sweep_lists_a_tie_in_the_same_order_on_both_paths():
    """mutual_deterrence at b_loses == b_conflict: B is indifferent after a challenge; backward
    induction lists B capitulating first. The compiled path listed status quo first, so
    ``selected`` (selection "first") differed between the two paths."""
    grid = {"b_conflict": [0.05, 0.5], "b_loses": [0.05]}
    kw = {"concept": "spe", "progress": False, "selection": "first"}
    compiled = dt.sweep("mutual_deterrence", grid, path="compiled", **kw).table
    pointwise = dt.sweep("mutual_deterrence", grid, path="pointwise", **kw).table
    assert (compiled["path"] == "compiled").all()
    tie = compiled[compiled.point == 0]
    assert list(tie["regime"]) == ["capitulation", "status_quo"]
    assert list(tie["selected"]) == [True, False]
    pd.testing.assert_frame_equal(compiled.drop(columns="path"), pointwise.drop(columns="path"),
                                  check_exact=False, atol=1e-9)  # fmt: skip


#: compiles refused after the whole compile (the test skips them): slow. Their refusal is checked by
#: default in tests/test_kernels.py
#: (``test_models_keeping_three_actions_whose_kernel_decides_nothing_are_refused``)
REFUSED_AFTER_COMPILING = {("costly_signal_menu", "pbe", "d1")}


def _compiling() -> list:
    out = []
    for name in dt.list_models("files"):
        concepts = dt.load_model(name).concepts
        if "spe" in concepts:
            out.append((name, "spe", "free"))
        if "pbe" in concepts:
            out += [(name, "pbe", policy) for policy in ("free", "prior", "d1")]
    return [pytest.param(*c, marks=pytest.mark.slow) if c in REFUSED_AFTER_COMPILING else c for c in out]


def _valid(m: dt.Model, pts: pd.DataFrame) -> pd.DataFrame:
    """The points inside the domains whose games build exactly (orderings included)."""
    inside = np.all([np.asarray(p.contains(pts[n].to_numpy())) for n, p in m.parameters.items()], 0)
    pts = pts[inside].reset_index(drop=True)
    ok = []
    for k, row in pts.iterrows():
        try:
            m.game(**row.to_dict())
        except dt.ParameterError:
            continue
        ok.append(k)
    return pts.loc[ok].reset_index(drop=True)


def _tie_points(name: str) -> pd.DataFrame:
    """Constructed ties of the catalogue model ``name`` (:func:`_constructed_ties`), a copy: they
    are worked out once per process, and each of its concepts and policies reads them."""
    return _constructed_ties(name).copy()


@functools.cache
def _constructed_ties(name: str) -> pd.DataFrame:
    """Constructed ties: at a few domain samples, each pair of parameters set equal; and domain
    samples rounded to integers (several ties at once, at different nodes)."""
    m = dt.load_model(name)
    base = pd.DataFrame(domain_sample(m, 3, seed=3))
    frames = []
    for a, b in itertools.combinations(list(m.parameters), 2):
        f = base.copy()
        f[b] = f[a]
        frames.append(f)
    frames.append(pd.DataFrame(domain_sample(m, 30, seed=5)).round(0))
    return _valid(m, pd.concat(frames, ignore_index=True))


def _rows(table: pd.DataFrame, k: int, cols: list[str]) -> list[tuple]:
    rows = table[table.point == k]
    return [(r, *np.round(v, 7)) for r, v in zip(rows["regime"], rows[cols].to_numpy(float), strict=True)]


@pytest.mark.parametrize(("name", "concept", "policy"), _compiling())
def test_compiled_tables_list_ties_in_the_per_point_order(name, concept, policy):
    m = dt.load_model(name)
    try:
        cm = compile_model(m, concept, policy)
    except UnsupportedError as exc:
        pytest.skip(f"{name} does not compile for {concept}/{policy}: {exc}")
    pts = _tie_points(name)
    table, undecided = cm.evaluate(pts)
    decided = np.flatnonzero(~undecided)  # (the per-point rows of the others are not compared)
    pointwise = evaluate_points(m, pts.iloc[decided].assign(point=decided), concept, policy)
    cols = [c for c in table.columns if c.startswith(("payoff_", "outcome_"))]
    cols += ["n_equilibria", "equilibrium"]
    for k in decided:
        assert _rows(table, k, cols) == _rows(pointwise, k, cols), (name, pts.iloc[k].to_dict())


def test_the_tie_points_meet_ties():
    """The comparison above is not vacuous: the SPE models meet points with several equilibria."""
    several = 0
    for name in ("egame12", "egame123", "mutual_deterrence"):
        m = dt.load_model(name)
        table, _ = compile_model(m, "spe", "free").evaluate(_tie_points(name))
        several += int((table.groupby("point").size() > 1).sum())
    assert several >= 20


@pytest.mark.parametrize("name", ["egame12", "egame122", "egame123", "mutual_deterrence", "brinkmanship"])
def test_backward_induction_lists_pure_spe_sorted_by_listing_order(name):
    """Every payoff 0: every pure profile is an SPE. Backward induction lists them sorted by
    their actions at the sets of ``listing_order``, most significant first, and so does the
    compiled kernel."""
    m = dt.load_model(name)
    values = {n: (0.5 if float(p.domain[0]) == 0.0 and float(p.domain[1]) == 1.0 else 0.0)
              for n, p in m.parameters.items()}  # fmt: skip
    game = m.game(**values, check_orderings=False)
    order = listing_order(game)
    assert order is not None and sorted(order) == list(range(len(game.infosets)))
    listed = [tuple(int(np.argmax(b)) for b in e.strategies) for e in dt.solve(game, "spe")]
    n_profiles = int(np.prod([len(h.actions) for h in game.infosets]))
    assert len(listed) == n_profiles
    assert listed == sorted(listed, key=lambda p: tuple(p[h] for h in order))
    cm = compile_model(m, "spe", "free")
    table, undecided = cm.evaluate(pd.DataFrame([values]), with_structure=True)
    assert not undecided.any()
    compiled = [cm.structures[int(float(s))].pure for s in table["structure"]]
    assert compiled == listed


SHARED_CHANCE_EFG = """EFG 2 R "a chance set spanning two branches" { "P1" "P2" }
c "" 1 "" { "x" 1/2 "y" 1/2 } 0
p "" 1 1 "" { "L" "R" } 0
c "" 2 "" { "h" 1/2 "t" 1/2 } 0
t "" 1 "" { 1, 0 }
t "" 2 "" { 0, 1 }
t "" 3 "" { 1, 1 }
p "" 2 1 "" { "l" "r" } 0
c "" 2 "" { "h" 1/2 "t" 1/2 } 0
t "" 4 "" { 2, 0 }
t "" 5 "" { 0, 2 }
t "" 6 "" { 1, 1 }
"""


def test_spe_kernels_refuse_a_decision_node_that_roots_no_subgame():
    """One chance set under both decision nodes joins them into one subgame, which backward
    induction solves for its Nash equilibria (in the Nash solver's order, not ``listing_order``'s):
    the compiled SPE kernel refuses it (typed; the sweep solves it per point)."""
    from deterrence.gambit._efg import parse_efg
    from deterrence.kernels._compiled import _check_supported

    game = parse_efg(SHARED_CHANCE_EFG)
    assert game.is_perfect_information() and game.subgame_roots() == [0]
    assert listing_order(game) is None
    with pytest.raises(UnsupportedError, match="root a subgame"):
        _check_supported(game, "spe", "free")
    _check_supported(game, "pbe", "free")  # the PBE kernels do not rely on the subgames
