"""Compiled kernels agree with the tree-walking reference path and with per-point solving."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from helpers import udg

import deterrence as dt
from deterrence.errors import UnsupportedError
from deterrence.kernels import compile_model, compile_tree, domain_sample
from deterrence.outcomes import regime_label
from deterrence.solvers import belief_options


@functools.cache
def _udg_compiled(policy):
    """The unilateral deterrence game compiled under ``policy`` (once per process, as
    ``compile_model`` keeps a catalogue model's: the tests below read it)."""
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


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_fast_path_matches_reference_udg(policy):
    share = _compare_fast_reference(_udg_compiled(policy), _udg_points(600, seed=1))
    assert share < 0.05


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_fast_path_matches_reference_extended_deterrence(policy):
    m = dt.load_model("extended_deterrence")
    pts = pd.DataFrame(domain_sample(m, 1500, seed=2))
    assert _compare_fast_reference(compile_model(m, "pbe", policy), pts) < 0.05


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
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
    with pytest.raises(dt.OptionError):  # a misspelt policy is bad input, not "not compiled"
        compile_model(m, "pbe", "D1")


def test_a_tree_too_large_for_spe_is_refused_before_the_probe_is_sampled(monkeypatch):
    # the probe costs about a second on this model; the SPE refusal reads only the tree's shape
    import deterrence.kernels._compiled as compiled

    def no_probe(*args, **kwargs):
        raise AssertionError("the probe was sampled for a tree that cannot compile")

    monkeypatch.setattr(compiled, "domain_sample", no_probe)
    tree = compiled.symbolic_tree(dt.load_model("asymmetric_escalation"))
    with pytest.raises(UnsupportedError, match="82944 pure behaviour profiles are too many"):
        compiled._check_size(tree.structure, "spe")


@pytest.mark.parametrize("policy", ["free", "d1", "prior"])
def test_models_keeping_three_actions_with_sets_of_many_nodes_are_refused_before_building(policy):
    """Under every belief policy, a model some set of which keeps three actions after dominance
    and whose tree has information sets of more than two nodes is refused from its tree alone, a
    cost decision: on asymmetric_escalation its kernel leaves most points to the per-point path
    (test below) and building it to measure that costs about 30 s on every sweep."""
    many = r"information set\(s\) \[0, 2, 4, 11, 12, 13\] of more than two nodes the compiled kernel leaves"
    with pytest.raises(UnsupportedError, match=many):
        compile_model(dt.load_model("asymmetric_escalation"), "pbe", policy)


@pytest.mark.slow
def test_asymmetric_escalation_kernel_under_free_beliefs(monkeypatch):
    """Built all the same (the early refusal switched off), its engine places every belief at the
    Challenger's sets of four nodes (carried forward after the Challenger's own move, else free
    over four nodes: it left every point undecided before), its guard decides about one point
    in six, and the decided points have the per-point rows. ~40 s."""
    from test_kernel_offpath_beliefs import _mismatches

    from deterrence.kernels import _compiled as compiled

    monkeypatch.setattr(compiled, "_check_worth_building", lambda *args: None)
    monkeypatch.setattr(compiled, "_REFUSED", {})
    monkeypatch.setattr(compiled, "_COMPILED", {})
    m = dt.load_model("asymmetric_escalation")
    cm = compile_model(m, "pbe", "free")
    pts = pd.DataFrame(domain_sample(m, 300, seed=7))
    assert not cm.engine_undecided({k: pts[k].to_numpy() for k in pts}).any()
    decided, bad = _mismatches(m, "free", pts)
    assert decided >= 30
    assert bad == []


@pytest.mark.parametrize(("name", "policy", "stage"), [
    pytest.param("asymmetric_escalation", "d1", "its engine", marks=pytest.mark.slow),
    ("costly_signal_menu", "d1", "its guard")])
def test_models_keeping_three_actions_whose_kernel_decides_nothing_are_refused(
        name, policy, stage, monkeypatch):
    """After iterated dominance some set keeps three actions (the kernels list no mixture there;
    the guard flags the points where a pattern mixing there may hold): compiled, unless the
    kernel leaves (nearly) every probe point undecided, first by its engine alone (before the
    guard, ~15 s on asymmetric_escalation, is built; under d1 with the D1 check of its
    equilibria), then with the guard. (The early refusal of sets of many nodes is switched off,
    so the measurement is what refuses.) The refusal is remembered: asked again, nothing is built."""
    from deterrence.kernels import _compiled as compiled

    monkeypatch.setattr(compiled, "_check_worth_building", lambda *args: None)
    monkeypatch.setattr(compiled, "_REFUSED", {})
    monkeypatch.setattr(compiled, "_PREPARED", {})
    built, build = [], compiled.compile_tree
    monkeypatch.setattr(compiled, "compile_tree", lambda *args, **kw: built.append(1) or build(*args, **kw))
    refusal = f"probe points undecided under '{policy}' beliefs \\({stage}"
    for _ in range(2):  # the refusal is remembered: the second call builds nothing
        with pytest.raises(UnsupportedError, match=refusal):
            compile_model(dt.load_model(name), "pbe", policy)
    assert len(built) == 1 and not compiled._PREPARED


@pytest.mark.parametrize("policy", ["free", "prior"])
@pytest.mark.parametrize(("name", "n_structures"), [("chain_store", 128), ("costly_signal_pledge", 76)])
def test_models_compile_over_the_actions_that_survive_dominance(name, n_structures, policy):
    """Too many structures over all actions (4,096 / 12,544), few over the undominated ones:
    compiled, and compiled == per point at domain samples (points where a removed action is
    not surely dominated are left to the per-point path). The mixtures that the kernels do not list
    are mostly ruled out by the guard (chain_store's by its second stage,
    :mod:`deterrence.kernels._systems`, not by its vertex tests)."""
    m = dt.load_model(name)
    cm = compile_model(m, "pbe", policy)
    assert len(cm.structures) == n_structures
    pts = pd.DataFrame(domain_sample(m, 40, seed=23))
    table, undecided = cm.evaluate(pts)
    assert undecided.mean() < 0.5
    compiled = _by_point(table, pts.index)
    pointwise = _pointwise(lambda r: m.game(**r.to_dict()), pts, "pbe", policy)
    for k in pts.index[~undecided]:
        assert compiled[k] == pointwise[k], (name, pts.loc[k].to_dict(), compiled[k], pointwise[k])


def test_a_removed_action_not_dominated_at_a_point_sends_it_per_point():
    """The dominance check flags a point where an action outside the kept ones is not dominated."""
    from deterrence.kernels._dominance import DominanceCheck

    m = dt.load_model("chain_store")
    cm = compile_model(m, "pbe", "free")
    pts = {k: np.asarray(v) for k, v in domain_sample(m, 40, seed=23).items()}
    assert not DominanceCheck(cm.tree, cm.kept, cm.tol).undecided(pts).all()
    h = next(h for h, a in enumerate(cm.kept) if len(a) == 1)
    wrong = [a if k != h else (1 - a[0],) for k, a in enumerate(cm.kept)]  # keep the dominated one
    assert DominanceCheck(cm.tree, wrong, cm.tol).undecided(pts).all()
    _table, undecided = compile_tree(cm.tree, "pbe", "free", kept=wrong).evaluate(pd.DataFrame(pts))
    assert undecided.all()


def test_size_refusal_counts_the_mixed_structures_of_pbe_only():
    from types import SimpleNamespace

    from deterrence.kernels._compiled import MAX_STRUCTURES, _check_size

    # 11 binary sets: 2,048 pure profiles, plus 55 pairs x 512 = 28,160 mixing at two of them
    game = SimpleNamespace(infosets=[SimpleNamespace(actions=("a", "b"))] * 11)
    assert 2**11 <= MAX_STRUCTURES < 2**11 + 55 * 2**9
    _check_size(game, "spe")
    with pytest.raises(UnsupportedError, match="30208 candidate equilibrium structures"):
        _check_size(game, "pbe")
    _check_size(SimpleNamespace(infosets=game.infosets[:8]), "pbe")  # 256 + 28 x 64 = 2,048


# ---------------------------------------------------------------------------- knife edges
def _key(regime, p_attack, payoffs):
    return (regime, round(float(p_attack), 6), tuple(round(float(x), 6) for x in payoffs))


def _sets_agree(m, table, points, concept="pbe", policy="free"):
    """Compiled rows equal the certified per-point solve at every point (regimes, p_attack, payoffs)."""
    players = list(m.game().players)
    pay_cols = [f"payoff_{p}" for p in players]
    for k, row in points.iterrows():
        rows = table[table.point == k]
        compiled = sorted(_key(r.regime, r.p_attack, r[pay_cols]) for _, r in rows.iterrows())
        eqs = dt.solve(m.game(**row.to_dict()), concept, **belief_options(concept, policy))
        pointwise = sorted(
            _key(regime_label(e.outcomes, e.is_pure()), 1 - e.outcomes.get("status_quo", 0.0),
                 [e.payoffs[p] for p in players])
            for e in eqs
        )  # fmt: skip
        assert compiled == pointwise, (row.to_dict(), compiled, pointwise)


def test_knife_edges_of_a_round_grid_are_decided_on_the_compiled_path():
    """The README's grid, coarser: credibility = 1/10 (the Defender indifferent), the diagonal
    credibility = 1.4 - 2 cost_attacker (the Attacker indifferent), cost_attacker = 0.2 and 0.7.
    No point goes per point, not even those where Nature never draws a type (credibility 0 or 1:
    free beliefs may not weigh it; the engine then puts the belief on the type Nature draws),
    and on every boundary the compiled equilibria are the per-point solver's, several at once
    where a player is indifferent."""
    m = dt.load_model("extended_deterrence")
    c, a = np.meshgrid(np.linspace(0, 1, 41), np.linspace(0, 2, 41), indexing="ij")
    pts = pd.DataFrame({n: np.full(c.size, float(p.default)) for n, p in m.parameters.items()})
    pts["credibility"], pts["cost_attacker"] = c.ravel(), a.ravel()
    table, undecided = compile_model(m, "pbe", "free").evaluate(pts)
    cred, cost = pts["credibility"].to_numpy(), pts["cost_attacker"].to_numpy()
    assert not undecided.any()
    edge = (
        (cred == 0)
        | (cred == 1)
        | np.isclose(cred, 0.1, atol=1e-12)
        | np.isclose(cred, 1.4 - 2 * cost, atol=1e-12)
        | np.isclose(cost, 0.2, atol=1e-12)
        | np.isclose(cost, 0.7, atol=1e-12)
    )
    assert edge.sum() >= 60
    on_edge = pts[edge & ~undecided]
    assert (table[table.point.isin(on_edge.index)].groupby("point").size() > 1).sum() >= 40
    _sets_agree(m, table, on_edge)


@pytest.mark.parametrize(("name", "parameter"), [("extended_deterrence", "credibility"),
                                                 ("extended_deterrence", "audience_cost")])  # fmt: skip
def test_exact_boundaries_agree_with_per_point(name, parameter):
    """At the boundaries ``dt.threshold`` derives symbolically from the structures the kernel
    tests (and on each side of them), the compiled path decides every point, as the per-point
    solver does."""
    m = dt.load_model(name)
    values = []
    for b in dt.threshold(m, parameter):
        values += [b["numeric"], b["numeric"] - 1e-9, b["numeric"] + 1e-9]
    assert values
    pts = pd.DataFrame({n: np.full(len(values), float(p.default)) for n, p in m.parameters.items()})
    pts[parameter] = values
    table, undecided = compile_model(m, "pbe", "free").evaluate(pts)
    assert not undecided.any()
    _sets_agree(m, table, pts)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "concept"), _catalogue_models())
def test_catalogue_round_grids_agree_with_per_point(name, concept):
    """Grids of round values (knife edges galore) over pairs of parameters: every point the
    compiled path decides agrees with the per-point solver, and almost none is left undecided."""
    m = dt.load_model(name)
    try:
        cm = compile_model(m, concept, "free")
    except UnsupportedError as exc:
        pytest.skip(f"{name} does not compile for {concept}: {exc}")
    rng = np.random.default_rng(7)
    names = list(m.parameters)
    frames = []
    for _ in range(3):
        pair = rng.choice(len(names), 2, replace=False)
        base = {n: float(p.default) for n, p in m.parameters.items()}
        axes = []
        for k in pair:
            lo, hi = (float(v) for v in m.parameters[names[k]].domain)
            hi = hi if np.isfinite(hi) else max(2 * base[names[k]], 2.0)
            lo = lo if np.isfinite(lo) else -hi
            axes.append(np.round(np.linspace(lo, hi, 11), 10))
        A, B = np.meshgrid(*axes, indexing="ij")
        f = pd.DataFrame({n: np.full(A.size, v) for n, v in base.items()})
        f[names[pair[0]]], f[names[pair[1]]] = A.ravel(), B.ravel()
        frames.append(f)
    pts = pd.concat(frames, ignore_index=True)
    inside = np.all([np.asarray(p.contains(pts[n].to_numpy())) for n, p in m.parameters.items()], 0)
    pts = pts[inside].reset_index(drop=True)
    values = {n: pts[n].to_numpy() for n in m.parameters}
    ok = np.asarray(m.evaluate(values, check=False, check_orderings=False).ordering_ok)
    pts = pts[ok].reset_index(drop=True)
    table, undecided = cm.evaluate(pts)
    assert undecided.mean() < 0.02
    exact_ok = []
    for k, row in pts.iterrows():
        try:
            m.game(**row.to_dict())  # the orderings hold exactly (not only in floating point)
        except dt.ParameterError:
            continue
        exact_ok.append(k)
    decided = pts.loc[[k for k in exact_ok if not undecided[k]]]
    _sets_agree(m, table, decided, concept)


def test_engine_results_do_not_depend_on_threads_blocks_or_row_buffers():
    """Threads, block sizes and the row buffer's growth change nothing in the table."""
    from deterrence.kernels import _compiled

    m = dt.load_model("unilateral_deterrence")
    cm = compile_model(m, "pbe", "free")
    pts = pd.DataFrame(domain_sample(m, 9000, seed=4))
    before = _compiled.threads()
    try:
        _compiled.set_threads(1)
        one, und1 = cm.evaluate(pts)
        _compiled.set_threads(3)
        cm._rows_per_point = 0.001  # room for 16 rows: the buffers grow many times
        cm._spare.clear()  # (new engine buffers, sized by that)
        many, und3 = cm.evaluate(pts)
    finally:
        _compiled.set_threads(before)
    np.testing.assert_array_equal(und1, und3)
    pd.testing.assert_frame_equal(one, many)
    assert (one.groupby("point").size() > 1).any()


def test_non_finite_payoffs_go_per_point():
    m = dt.load_model("extended_deterrence")
    pts = pd.DataFrame(domain_sample(m, 5, seed=1))
    pts.loc[2, "stakes"] = np.nan
    pts.loc[3, "cost_ally"] = np.inf
    table, undecided = compile_model(m, "pbe", "free").evaluate(pts)
    assert undecided.tolist() == [False, False, True, True, False]
    assert not table.point.isin([2, 3]).any() and set(table.point) == {0, 1, 4}


@pytest.mark.parametrize("name", ["chain_store", "costly_signal_pledge"])
def test_models_compiled_over_undominated_actions_have_no_closed_form_regimes(name):
    """Their structures leave out the actions dominance removed, so regime conditions written
    from them would leave out where those actions are dominated: regimes() refuses (typed), and
    threshold() falls back on numeric boundaries."""
    m = dt.load_model(name)
    assert compile_model(m, "pbe", "free").prunes_by_dominance
    with pytest.raises(UnsupportedError, match="survive iterated dominance"):
        dt.regimes(m, "pbe", "free")


def test_threshold_of_a_model_compiled_over_undominated_actions_is_numeric():
    rows = dt.threshold("chain_store", "p_tough", "pbe", "free", entry_profit=0.4)
    assert rows and all(r["exact"] is False and r["value"] is None for r in rows)


def test_a_model_compiled_with_another_margin_is_not_the_cached_one():
    """``compile_model``'s cache was keyed without ``edge``: a call with another knife-edge margin
    got the model compiled with the first margin."""
    m = dt.load_model("extended_deterrence")
    assert compile_model(m, "pbe", "free").edge == 1e-7
    assert compile_model(m, "pbe", "free", edge=1e-5).edge == 1e-5
    assert compile_model(m, "pbe", "free").edge == 1e-7
