"""Off-path beliefs of the compiled PBE kernels are the per-point solver's.

* At an unreached set that follows the mover's own earlier move, the belief is the mover's own,
  carried forward (:mod:`deterrence.kernels._carry`); the policy chooses only where that puts no
  weight on the set. The kernels gave such a set a free belief (``free``) or Nature's odds
  (``prior``), and listed profiles the per-point solver rejects (``carried_pledge`` at its
  defaults, about a third of its domain points under ``free``, random trees).
* A free belief over two nodes that leaves the prescribed move losing within rounding of the
  tolerance is a knife edge: the point is undecided (it was decided with the loss taken for a
  tie, while the per-point solver, whose payoffs round the other way, counts a loss).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers.kernel_checks import compiled_row_mismatches, symbolic_random_tree
from helpers.pbe_context import solver_context
from helpers.random_trees import random_tree
from helpers.samples import sample

import deterrence as dt
from deterrence.errors import UnsupportedError
from deterrence.kernels import _engine as engine
from deterrence.kernels import compile_model, compile_tree
from deterrence.kernels._carry import CARRIED as CARRIED_KIND
from deterrence.kernels._carry import POLICY, carried_beliefs, own_chain
from deterrence.kernels._vectree import VectorTree
from deterrence.solvers._pbe_beliefs import _Beliefs

CARRIED = Path(__file__).parent / "data" / "carried_pledge.toml"
#: (seed, sets) of random trees with a set of several nodes after its mover's own move, where the
#: kernels listed pure profiles the per-point solver rejects (free beliefs there, not carried)
RANDOM_TREES = [(7, 6), pytest.param(32, 6, marks=pytest.mark.slow)]  # (the larger seed's trees: slow)


def _mismatches(model: dt.Model, policy: str, points: pd.DataFrame) -> tuple[int, list[int]]:
    """:func:`helpers.kernel_checks.compiled_row_mismatches`, a point where the per-point solver
    finds no equilibrium left out (the kernel writes no row there)."""
    return compiled_row_mismatches(model, policy, points, skip_no_equilibrium=True)


# ------------------------------------------------------------------ knife edges at the tolerance
def test_a_free_pair_losing_within_rounding_of_tol_is_not_taken_for_a_tie():
    """Both types stay after a pledge (each is deterred by a fight), so the Defender's set after
    a pledge and a challenge is unreached and carries no belief: its belief is free. Fighting
    there loses ``a + w = -1e-8`` at both nodes: ``tol (1 - 6e-9)`` on the kernel's payoffs,
    more than ``tol`` on the per-point solver's, which rejects the profile. The kernel took it
    for a tie and listed the profile; it now leaves the point undecided."""
    m = dt.load_model(CARRIED)
    point = {"q": 0.3, "v": 0.5, "c": 0.17952991458815876, "a": 0.7544844211335516,
             "w_d": -0.7544844311335516, "w_e": -0.7544844311335516, "k_d": 0.5, "k_e": 0.5, "b_e": -0.5}
    decided, bad = _mismatches(m, "free", pd.DataFrame([point]))
    assert bad == []
    assert decided == 0


def test_costly_signal_menu_knife_edge_at_the_committing_audience_cost():
    """``audience_high = -war_irresolute - 1e-8``: the irresolute type's fight after the high
    signal loses ``1e-8`` (``tol``, within rounding) at both nodes of its set, unreached. The
    compiled sweep listed six equilibria here, the per-point solver four."""
    m = dt.load_model("costly_signal_menu")
    point = {"resolve": 0.0014900835088361708, "value_resolute": 1.2151088448800298,
             "war_resolute": 0.9736871934994518, "value_irresolute": 1.1162627692916736,
             "war_irresolute": -0.2695522282574031, "sunk_low": 0.6330616666411539,
             "audience_low": 0.1493560931566828, "sunk_high": 0.5509834846415614,
             "audience_high": 0.2695522182574031, "share_determined": 0.47670543076752103,
             "cost_determined": -0.25761533150997173, "cost_deterrable": 2.7351119218475795}
    _decided, bad = _mismatches(m, "free", pd.DataFrame([point]))
    assert bad == []


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_knife_edges_of_the_pledge_at_the_tolerance(policy):
    """Many such knife edges (fighting after a pledge loses ``1e-8`` up to a relative ``3e-7``):
    decided points have the per-point rows."""
    m = dt.load_model(CARRIED)
    rng = np.random.default_rng(1)
    n = 120
    pts = pd.DataFrame({k: np.full(n, float(p.default)) for k, p in m.parameters.items()})
    pts["k_d"] = 0.5
    pts["a"] = rng.uniform(0.05, 0.95, n)
    pts["c"] = rng.uniform(0.0, 0.5, n)
    pts["w_d"] = pts["w_e"] = -pts["a"] - 1e-8 * (1 + rng.uniform(-3e-7, 3e-7, n))
    _decided, bad = _mismatches(m, policy, pts)
    assert bad == []


# ------------------------------------------------------------------ beliefs carried forward
def _defaults(m: dt.Model) -> dict[str, float]:
    return {k: float(p.default) for k, p in m.parameters.items()}


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_the_belief_after_the_movers_own_move_is_carried(policy):
    """``carried_pledge`` at its defaults (its header derives the one PBE): after a pledge only
    the determined type challenges, so the Defender's carried belief is on it and it backs down.
    The kernels also listed fighting there, under a free belief on the deterrable type (``free``:
    two rows) or under Nature's odds (``prior``: fighting instead of backing down, a profile with
    the same row, which differs off the path)."""
    m = dt.load_model(CARRIED)
    point = pd.DataFrame([_defaults(m)])
    decided, bad = _mismatches(m, policy, point)
    assert decided == 1
    assert bad == []
    cm = compile_model(m, "pbe", policy)
    table, _undecided = cm.evaluate(point, with_structure=True)
    compiled = [cm.structures[int(float(x))].pure for x in table["structure"]]
    eqs = dt.solve(m.game(), "pbe", belief_policy=policy)
    assert compiled == [tuple(int(np.argmax(x)) for x in e.strategies) for e in eqs]
    assert eqs[0].profile["Defender"]["challenged_pledge"]["back_down"] == 1


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_carried_pledge_decided_points_have_the_per_point_rows(policy):
    m = dt.load_model(CARRIED)
    pts = pd.DataFrame(sample(CARRIED, 150, 9))
    decided, bad = _mismatches(m, policy, pts)
    assert decided >= 90
    assert bad == []


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
def test_the_reference_path_carries_the_belief_too(policy):
    """The tree-walking reference path (the engine's test oracle) finds the engine's rows."""
    m = dt.load_model(CARRIED)
    cm = compile_model(m, "pbe", policy)
    pts = pd.DataFrame(sample(CARRIED, 300, 2))
    fast, und_f = cm.evaluate(pts, with_structure=True)
    ref, und_r = cm.evaluate_reference(pts, with_structure=True)
    decided = pts.index[~(und_f | und_r)]
    assert len(decided) >= 150
    f, r = fast[fast.point.isin(decided)], ref[ref.point.isin(decided)]
    assert list(zip(f.point, f.structure, strict=True)) == list(zip(r.point, r.structure, strict=True))


def _random_game(seed: int, sets: int, players: int = 2):
    """A seeded random tree whose payoffs move with ``s``: ``a + s b``."""
    return symbolic_random_tree(seed, players, sets)


@pytest.mark.parametrize("policy", ["free", "prior", "d1"])
@pytest.mark.parametrize(("seed", "sets"), RANDOM_TREES)
def test_random_trees_with_sets_after_the_movers_own_move(seed, sets, policy):
    """Random two-player trees with an information set of several nodes after its mover's own
    earlier move: at every point the kernels decide, their pure equilibria and their number are
    the per-point solver's."""
    _agrees_on_a_random_tree(seed, sets, 2, policy)


def _agrees_on_a_random_tree(seed: int, sets: int, players: int, policy: str) -> np.ndarray:
    """At nine values of ``s``, every point the kernels decide has the per-point solver's pure
    equilibria and number of equilibria; returns the points the engine alone leaves undecided."""
    tree, game, a, b = _random_game(seed, sets, players)
    try:
        cm = compile_tree(tree, "pbe", policy)
    except UnsupportedError:
        pytest.skip("this tree does not compile")
    values = np.linspace(-1.0, 1.0, 9) + 0.0123
    table, undecided = cm.evaluate(pd.DataFrame({"s": values}), with_structure=True)
    assert not undecided.all()
    for k, s in enumerate(values):
        if undecided[k]:
            continue
        g = game.with_numbers((a + s * b).tolist(), [ci.probs for ci in game.chance_infos])
        eqs = dt.solve(g, "pbe", belief_policy=policy)
        structures = [cm.structures[int(float(x))] for x in table[table.point == k].structure]
        assert len(structures) == len(eqs), (seed, s)
        compiled = sorted(st.pure for st in structures if not st.mixing)
        pointwise = sorted(tuple(int(np.argmax(x)) for x in e.strategies) for e in eqs if e.is_pure())
        assert compiled == pointwise, (seed, s)
    return cm.engine_undecided({"s": values})


@pytest.mark.parametrize(("players", "sets", "seed"), [
    (2, 8, 39),
    pytest.param(2, 10, 119, marks=pytest.mark.slow),  # the largest of the three trees: slow
    (3, 10, 151),
])
def test_free_beliefs_over_three_nodes_are_placed_on_random_trees(players, sets, seed):
    """Random trees with an information set of three nodes, unreached under some profiles with
    no belief carried to it: the engine places the free belief there (it left every point
    undecided before) and the points the kernels decide agree with the per-point solver."""
    engine_undecided = _agrees_on_a_random_tree(seed, sets, players, "free")
    assert not engine_undecided.any()


def _pure_profiles_at_unreached_chained_sets(game, rng, n):
    """``n`` random pure profiles of ``game`` with, per profile, its behaviour, its edge
    probabilities and reach (one point) and the sets of several nodes it leaves unreached that
    follow their mover's own earlier move."""
    vt = VectorTree(game)
    chance = [np.asarray(ci.probs, dtype=float)[None, :] for ci in game.chance_infos]
    chained = [h.index for h in game.infosets if len(h.nodes) > 1 and own_chain(game, h.index)]
    for _ in range(n):
        beh = [np.eye(len(h.actions))[int(rng.integers(len(h.actions)))] for h in game.infosets]
        E = vt.edge_probabilities(chance, [b[None, :] for b in beh], 1)
        R = vt.reach(E)
        yield beh, E, R, [k for k in chained if not R[0, list(game.infosets[k].nodes)].sum() > 0]


@pytest.mark.parametrize("policy", ["free", "prior"])
def test_carried_beliefs_are_the_per_point_solvers(policy):
    """On random trees (Nature's first move also at 0 and 1), at every unreached set of several
    nodes after its mover's own move: where the kernels' rule (:func:`carried_beliefs`, the
    reference path's form of the engine's) carries a belief, the per-point solver's belief is
    carried and the same; where the policy chooses, it is not carried. Chains of two and more
    own sets, and (``prior``) beliefs carried from Nature's odds at an unreached set, are met."""
    met = {"carried": 0, "policy": 0, "deep": 0, "from_nature": 0}
    for sets in (6, 8, 10):
        for seed in range(120):
            first = random_tree(2, sets, seed)
            if not any(len(h.nodes) > 1 and own_chain(first, h.index) for h in first.infosets):
                continue
            rng = np.random.default_rng(seed)
            games = [first]
            if first.chance_infos:
                probs = [list(ci.probs) for ci in first.chance_infos]
                probs[0] = [1.0, 0.0] if rng.random() < 0.5 else [0.0, 1.0]
                games.append(first.with_numbers(first.payoffs.tolist(), probs))
            for game in games:
                ctx = solver_context(game, policy)
                chance = [np.asarray(ci.probs, dtype=float)[None, :] for ci in game.chance_infos]
                CR = VectorTree(game).chance_reach(chance, 1)
                for beh, E, R, unreached in _pure_profiles_at_unreached_chained_sets(game, rng, 30):
                    bel = _Beliefs(ctx, beh)
                    for k in unreached:
                        kind, mu = carried_beliefs(game, k, E, R, CR, policy == "prior")
                        belief = bel.belief(k)
                        if kind[0] == CARRIED_KIND:
                            assert k in bel.fixed, (sets, seed, k)
                            np.testing.assert_allclose(belief, mu[0], atol=1e-12)
                            met["carried"] += 1
                            met["deep"] += len(own_chain(game, k)) > 1
                            met["from_nature"] += not _bayes_weight(game, beh, chance, k) > 0
                        elif kind[0] == POLICY:
                            assert k not in bel.fixed, (sets, seed, k)
                            met["policy"] += 1
    assert met["carried"] >= 600 and met["policy"] >= 300 and met["deep"] >= 100, met
    assert met["from_nature"] >= (50 if policy == "prior" else 0), met


def _bayes_weight(game, beh, chance, k) -> float:
    """The weight at set ``k`` carried from Bayes' rule at a reached set of its mover's: its
    reach with the mover's own moves on its path taken (``E_0`` of :mod:`deterrence.kernels._carry`)."""
    vt = VectorTree(game)
    own = [b.copy() for b in beh]
    for s, a in own_chain(game, k):
        own[s] = np.eye(len(game.infosets[s].actions))[a]
    R = vt.reach(vt.edge_probabilities(chance, [b[None, :] for b in own], 1))
    return float(R[0, list(game.infosets[k].nodes)].sum())


# ------------------------------------------------------------------ free beliefs over three nodes or more
TOL, EDGE = 1e-8, 1e-7


def _highs_value(margins: np.ndarray) -> float:
    """``max_mu min_q mu . margins[q]`` over beliefs ``mu`` (scipy's HiGHS)."""
    from scipy.optimize import linprog

    npl, n = margins.shape
    res = linprog(np.r_[np.zeros(n), -1.0], A_ub=np.hstack([-margins, np.ones((npl, 1))]), b_ub=np.zeros(npl),
                  A_eq=np.r_[np.ones(n), 0.0][None], b_eq=[1.0], bounds=[(0, None)] * n + [(None, None)],
                  method="highs")
    assert res.status == 0
    return -float(res.fun)


def _free_verdict(margins: np.ndarray) -> float:
    npl, n = margins.shape
    d = np.zeros(engine.lp_room(n, npl))
    d[: n * npl] = margins.reshape(-1)
    return float(engine._free_value(d, n, npl, TOL, EDGE))


def _random_margins(rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Plans' margins at the nodes of a set: random, often with the prescribed plan's zero row and
    ties (whole numbers), now and then shifted so that the best belief's value sits within a few
    ``tol`` or ``edge`` of their thresholds (then ``True``)."""
    n, npl = int(rng.integers(2, 7)), int(rng.integers(1, 8))
    margins = rng.normal(size=(npl, n))
    if rng.random() < 0.3:
        margins = np.round(margins)
    if rng.random() < 0.5:
        margins[0] = 0.0
    near = rng.random() < 0.4
    if near:
        target = rng.choice([-TOL, -EDGE]) * (1 + rng.uniform(-3, 3) * rng.choice([1e-9, 1e-3, 1.0]))
        margins = margins - _highs_value(margins) + target
    return margins, near


def test_free_beliefs_linear_program_agrees_with_highs():
    """The engine's certified linear program (:func:`engine._free_value`) on seeded random
    instances: where it says some belief makes every plan lose at most ``tol`` (0), HiGHS finds a
    best belief within ``tol``; where it says none loses at most ``edge`` (``-inf``), HiGHS finds
    none within ``edge``. It leaves undecided only values near those thresholds."""
    rng = np.random.default_rng(2024)
    verdicts = {0.0: 0, -np.inf: 0, "undecided": 0, "undecided far": 0}
    for _ in range(3000):
        margins, near = _random_margins(rng)
        value, verdict = _highs_value(margins), _free_verdict(margins)
        if verdict == 0.0:
            assert value >= -TOL * (1 + 1e-9), (margins, value)
        elif verdict == -np.inf:
            assert value < -EDGE * (1 - 1e-9), (margins, value)
        else:
            assert verdict == -0.5 * (TOL + EDGE)
            assert min(abs(value + TOL), abs(value + EDGE)) <= 1e-6 * EDGE or -EDGE <= value < -TOL, value
            verdicts["undecided"] += 1
            verdicts["undecided far"] += not near
            continue
        verdicts[verdict] += 1
    assert verdicts[0.0] >= 800 and verdicts[-np.inf] >= 800, verdicts
    assert verdicts["undecided"] >= 300 and verdicts["undecided far"] == 0, verdicts
