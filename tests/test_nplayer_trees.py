"""One certified equilibrium of N-player trees: logit tracing (agent form), its fallback and its limits.

Oracles: the pure-Python logit path (``deterrence.solvers._qre_path``, the reference the compiled
kernels replaced), pygambit (its regret of our profiles, ``logit_solve`` on the same trees,
``enumpure_agent_solve``), and Feddersen & Pesendorfer's (1998) closed form of the responsive
symmetric equilibrium of jury voting under unanimity.
"""

from __future__ import annotations

import io
import logging
import math

import numpy as np
import pytest
from helpers.gambit_sets import matched_sets
from helpers.random_trees import jury_voting, random_tree
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.errors import ResourceError, TimeLimitError
from deterrence.solvers import _logit
from deterrence.solvers import _logit_kernels as kern
from deterrence.solvers._qre_path import NormalValues, TreeValues

gbt = pytest.importorskip("pygambit")


# ---------------------------------------------------------------------------- helpers
def _gambit_profile(game: dt.ExtensiveFormGame, strategies, gg=None) -> tuple:
    """pygambit's game read from our .efg text (or ``gg``) and our behaviour profile set on it."""
    gg = gbt.read_efg(io.StringIO(dt.write_game(game))) if gg is None else gg
    prof = gg.mixed_behavior_profile(rational=False)
    for ours, h in matched_sets(game, gg):
        for a, act in enumerate(h.actions):
            prof[act] = float(strategies[ours][a])
    return gg, prof


def _flat(strategies) -> np.ndarray:
    return np.concatenate([np.ravel(s) for s in strategies])


TREES = [(3, 12, 1), (4, 20, 2), (5, 16, 3), (3, 30, 4)]


# ---------------------------------------------------------------------------- compiled kernels
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), players=st.integers(2, 5))
def test_tree_values_and_jacobian_match_the_python_oracle(seed: int, players: int) -> None:
    game = random_tree(players, 12, seed % 50)
    lg = _logit.logit_game(game)
    oracle = TreeValues(game)
    rng = np.random.default_rng(seed)
    x = np.log(np.concatenate([rng.dirichlet(np.ones(n)) for n in oracle.sizes]))
    v, jac = kern.values_x(lg.sy, x, True)
    v0, jac0 = oracle.jacobian_x(x)
    # the kernels trace payoffs less each player's shift (_logit._shifts: a player whose payoffs lie
    # far from 0 next to their spread, e.g. all equal, is traced from 0; the logit response is the
    # same): an action's value is its mover's, so less the mover's shift
    shifts = np.repeat(_logit._shifts(game)[lg.sy.owner], np.diff(lg.goff))
    assert np.allclose(v * lg.scale, v0 - shifts, atol=1e-12)
    assert np.allclose(jac * lg.scale, jac0, atol=1e-11)


def test_the_values_of_a_player_whose_payoffs_are_all_equal_are_traced_from_zero() -> None:
    """Hypothesis found it (seed 366, two players): the second player's payoffs are all 9, its
    shift is 9, and the kernel's values are 0 where the oracle's are 9; the test now takes the
    shift off the oracle's values, as the kernels take it off the payoffs."""
    test_tree_values_and_jacobian_match_the_python_oracle.hypothesis.inner_test(seed=366, players=2)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), shape=st.sampled_from([(2, 2, 2), (3, 2, 4), (2, 3, 2, 2), (3, 3)]))
def test_normal_values_and_jacobian_match_the_python_oracle(seed: int, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(seed)
    game = dt.NormalFormGame([rng.integers(-9, 10, size=shape) for _ in shape])
    lg = _logit.logit_game(game)
    oracle = NormalValues(game)
    x = np.log(np.concatenate([rng.dirichlet(np.ones(n)) for n in shape]))
    v, jac = kern.values_x(lg.sy, x, True)
    v0, jac0 = oracle.jacobian_x(x)
    shifts = np.repeat(_logit._shifts(game), shape)  # as for trees: less each strategy's player's shift
    assert np.allclose(v * lg.scale, v0 - shifts, atol=1e-12)
    assert np.allclose(jac * lg.scale, jac0, atol=1e-11)


def test_system_jacobian_matches_finite_differences() -> None:
    rng = np.random.default_rng(5)
    for game in (random_tree(4, 40, 7), jury_voting(3)):
        lg = _logit.logit_game(game)
        y = np.concatenate([rng.normal(0, 2, lg.n), [3.0]])
        _, jac = kern.system(lg.sy, y, True)
        for j in range(lg.n + 1):
            e = np.zeros(lg.n + 1)
            e[j] = 1e-6
            fd = (kern.system(lg.sy, y + e, False)[0] - kern.system(lg.sy, y - e, False)[0]) / 2e-6
            assert np.allclose(jac[:, j], fd, atol=1e-6)


def test_sparse_lu_solves_and_gives_the_sign_of_the_determinant() -> None:
    rng = np.random.default_rng(2)
    for n in (1, 5, 40):
        a = rng.normal(size=(n, n)) * (rng.random((n, n)) < 0.2) + np.eye(n) * rng.choice([-1, 1], n)
        lu, perm, sign = kern.lu_factor(a)
        b = rng.normal(size=n)
        assert np.allclose(a @ kern.lu_solve(lu, perm, b), b)
        assert sign == np.sign(np.linalg.det(a))


def test_tree_regret_matches_the_certificate() -> None:
    rng = np.random.default_rng(3)
    for spec in TREES:
        game = random_tree(*spec)
        lg = _logit.logit_game(game)
        beh = [rng.dirichlet(np.ones(len(h.actions))) for h in game.infosets]
        cert = dt.certify(game, beh, "nash", tol=10.0)
        assert lg.regret(_flat(beh)) * lg.scale == pytest.approx(cert.regret, abs=1e-9)


# ---------------------------------------------------------------------------- the branch
@pytest.mark.parametrize("spec", TREES[:3])
def test_compiled_branch_matches_pygambit_logit_at_lambda_one(spec) -> None:
    game = random_tree(*spec)
    ours = dt.solve(game, "qre", lam=1.0)[0]
    gg = gbt.read_efg(io.StringIO(dt.write_game(game)))
    res = gbt.qre.logit_solve_lambda(gg, 1.0)[0]
    theirs = [float(res[k]) for k in range(len(res))]  # players, their sets, the sets' actions
    _, prof = _gambit_profile(game, ours.strategies, gg)
    mine = [float(prof[a]) for p in gg.players for h in p.infosets for a in h.actions]
    assert np.max(np.abs(np.array(mine) - theirs)) < 1e-6


def test_compiled_branch_matches_the_python_tracer() -> None:
    from deterrence.solvers._qre_path import LogitSystem, StepControl, follow

    game = random_tree(3, 15, 11)
    oracle = TreeValues(game)
    system = LogitSystem(oracle, np.ones(3))
    target = 2.0
    prev = None
    for y, _, _ in follow(system, system.start(), StepControl()):
        if y[-1] >= target:
            break
        prev = y
    assert prev is not None
    lg = _logit.logit_game(game)
    point = _logit.LogitPath(lg).point_at(target)
    from deterrence.solvers._qre_path import newton_at

    ref = system.probs(newton_at(system, prev, target))
    assert np.max(np.abs(lg.probs(point) - ref)) < 1e-9


# ---------------------------------------------------------------------------- one Nash equilibrium
@pytest.mark.parametrize("spec", [(3, 60, 1), (4, 60, 2), (5, 60, 3), (4, 120, 4), (5, 200, 5)])
def test_nash_of_large_n_player_trees_falls_back_to_logit_tracing(spec) -> None:
    game = random_tree(*spec)
    eqs = dt.solve(game, "nash")
    assert eqs.method == "homotopy" and not eqs.complete and len(eqs) == 1
    assert any("fell back to 'homotopy'" in n and "enumerate_reduced" in n for n in eqs.notes)
    assert eqs[0].certificate.passed and eqs[0].certificate.details["relative_regret"] <= 1e-8
    _, prof = _gambit_profile(game, eqs[0].strategies)  # pygambit's agent regret (its Nash regret is
    assert float(prof.agent_max_regret()) <= 1e-8 * float(np.ptp(game.payoffs))  # exponential in size)


@pytest.mark.parametrize("spec", [(3, 12, 6), (4, 14, 7), (5, 12, 8)])
def test_pygambit_nash_regret_of_our_equilibrium_is_zero(spec) -> None:
    game = random_tree(*spec)
    eqs = dt.solve(game, "nash", method="homotopy")
    _, prof = _gambit_profile(game, eqs[0].strategies)
    assert float(prof.max_regret()) <= 1e-8 * float(np.ptp(game.payoffs))


@pytest.mark.parametrize("jurors", [3, 4, 5])
def test_jury_voting_limit_is_the_feddersen_pesendorfer_equilibrium(jurors: int) -> None:
    """Unanimity, accuracy p, doubt q: guilty-signal jurors convict; innocent-signal jurors convict
    with probability sigma solving ((p + (1-p) s) / ((1-p) + p s))^(n-1) = q p / ((1-q)(1-p))."""
    p, q = 0.7, 0.5
    game = jury_voting(jurors, accuracy=p, q=q)
    ratio = (q * p / ((1 - q) * (1 - p))) ** (1 / (jurors - 1))
    sigma = (p - ratio * (1 - p)) / (ratio * p - (1 - p))
    for eqs in (dt.solve(game, "nash"), dt.solve(game, "qre")):
        assert eqs[0].certificate.passed
        prof = eqs[0].profile
        for j in range(jurors):
            assert prof[f"J{j + 1}"][f"J{j + 1}:g"]["C"] == pytest.approx(1.0, abs=1e-12)
            assert prof[f"J{j + 1}"][f"J{j + 1}:i"]["C"] == pytest.approx(sigma, abs=1e-10)


@pytest.mark.parametrize("spec", [(3, 6, 1), (4, 8, 2), (5, 6, 3)])
def test_limit_matches_pygambit_logit_solve_on_small_trees(spec) -> None:
    game = random_tree(*spec)
    ours = dt.solve(game, "qre")[0]
    gg, prof = _gambit_profile(game, ours.strategies)
    theirs = gbt.nash.logit_solve(gg).equilibria[0]
    # the same branch's limit (pygambit stops at regret 1e-8 times the payoff range)
    assert max(abs(float(prof[a]) - float(theirs[a])) for a in gg.actions) < 1e-3


def test_perfect_information_trees_fall_back_to_backward_induction() -> None:
    pi = _perfect_information(random_tree(3, 60, 9))
    eqs = dt.solve(pi, "nash")
    assert eqs.method == "backward_induction" and not eqs.complete and len(eqs) == 1
    assert any("subgame-perfect" in n for n in eqs.notes)
    assert not any(n.startswith("stopped at max_equilibria") for n in eqs.notes)
    assert dt.certify(pi, eqs[0].strategies, "spe").passed


def _perfect_information(game: dt.ExtensiveFormGame) -> dt.ExtensiveFormGame:
    """The same tree with every information set split into its nodes."""
    from deterrence.game import chance, decision, terminal

    def build(v: int):
        nd = game.nodes[v]
        if nd.kind == "terminal":
            return terminal(list(game.payoffs[game.terminal_index(v)]))
        kids = [build(c) for c in nd.children]
        if nd.kind == "chance":
            info = game.chance_infos[nd.infoset]
            return chance({a: (p, k) for a, p, k in zip(info.actions, info.probs, kids, strict=True)})
        acts = game.infosets[nd.infoset].actions
        return decision(game.players[nd.player], dict(zip(acts, kids, strict=True)))

    return dt.ExtensiveFormGame(build(0), players=list(game.players))


def test_resource_error_lists_every_method_with_its_estimate() -> None:
    game = random_tree(4, 60, 2)
    with pytest.raises(ResourceError, match=r"'enumerate_reduced' about .*'homotopy' about") as info:
        dt.solve(game, "nash", max_work=10.0)
    assert info.value.estimate is not None and info.value.estimate > 10.0


def test_small_trees_still_get_every_equilibrium() -> None:
    game = random_tree(3, 3, 1)
    eqs = dt.solve(game, "nash")
    assert eqs.method == "enumerate_reduced"
    assert not any("fell back" in n for n in eqs.notes)


# ---------------------------------------------------------------------------- imperfect recall
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_imperfect_recall_gets_an_agent_form_equilibrium(seed: int) -> None:
    game = random_tree(3, 14, seed, recall=False)
    if game.has_perfect_recall():
        pytest.skip("this seed happens to have perfect recall")
    eqs = dt.solve(game, "nash")
    assert eqs.method == "homotopy" and not eqs.complete
    assert any("agent form" in n for n in eqs.notes)
    cert = eqs[0].certificate
    assert cert.passed and "agent_regret" in cert.details
    _, prof = _gambit_profile(game, eqs[0].strategies)
    assert float(prof.agent_max_regret()) <= 1e-8 * float(np.ptp(game.payoffs))


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_pure_agent_equilibria_match_pygambit(seed: int) -> None:
    for recall in (False, True):
        game = random_tree(3, 6, seed, recall=recall)
        eqs = dt.solve(game, "nash", method="pure_agent")
        gg = gbt.read_efg(io.StringIO(dt.write_game(game)))
        theirs = gbt.nash.enumpure_agent_solve(gg).equilibria
        ours = {tuple(np.round(_flat(e.strategies)).astype(int)) for e in eqs}
        if not game.has_perfect_recall():
            assert len(ours) == len(theirs)
            assert all(e.certificate.passed and "agent_regret" in e.certificate.details for e in eqs)
        else:  # with perfect recall only those that are Nash (pygambit's regret 0) are kept
            nash = [eq for eq in theirs if float(eq.max_regret()) <= 1e-12]
            assert len(ours) == len(nash)
        assert not eqs.complete


# ---------------------------------------------------------------------------- time limit and progress
def test_time_limit_stops_a_long_solve_with_a_typed_error(caplog) -> None:
    game = random_tree(5, 200, 5)
    caplog.set_level(logging.INFO, logger="deterrence.solvers")
    with pytest.raises(TimeLimitError, match="time limit of 1e-06 s") as info:
        dt.solve(game, "nash", method="homotopy", time_limit=1e-6)
    assert info.value.limit == 1e-6 and math.isfinite(info.value.elapsed)  # it reports, not times
    assert isinstance(info.value, ResourceError)


def test_time_limit_is_checked_and_reported() -> None:
    game = random_tree(2, 5, 1)
    with pytest.raises(dt.OptionError, match="time_limit"):
        dt.solve(game, "nash", time_limit=-1)
    eqs = dt.solve(game, "nash", method="sequence_form", time_limit=1e-9)
    assert any("does not stop at time_limit" in n for n in eqs.notes)
    assert dt.solvers.registry()["homotopy"].stops_at_time_limit
    assert not dt.solvers.registry()["enumerate_reduced"].stops_at_time_limit


def test_a_method_that_stops_at_time_limit_stops_at_a_limit_spent_before_it_started() -> None:
    """``qre`` at one ``lam`` checked the clock only between stretches of its path: a short path
    finished past a tiny limit without a check. It now checks before it starts (a result that
    comes past the limit between two checks is noted: tests/test_qre_edges.py)."""
    game = dt.load_model("unilateral_deterrence").game()
    assert dt.solvers.registry()["qre"].stops_at_time_limit
    with pytest.raises(TimeLimitError, match="starting"):
        dt.solve(game, "qre", lam=2.0, time_limit=1e-9)


def test_progress_is_logged_once_a_second(caplog) -> None:
    from deterrence.solvers.base import Clock

    caplog.set_level(logging.INFO, logger="deterrence.solvers")
    clock = Clock("homotopy", None, interval=0.0)
    clock.check("lambda=3")
    assert any("homotopy: lambda=3" in r.getMessage() for r in caplog.records)


def test_work_estimates_of_huge_trees_are_infinite_not_computed() -> None:
    """A 2-player tree of 220 information sets has about 1e30 reduced profiles: the estimate of
    the reduced normal form is infinite at once (pricing its vertex enumeration used to compute
    binomials of 1e30 and hang), so ``auto`` passes on to the sequence form."""
    import math

    from deterrence.solvers._dispatch import choose, estimate_work, registry

    game = random_tree(2, 200, 1)
    assert math.isinf(estimate_work(registry()["enumerate_reduced"], game))
    assert choose(game, "nash").info.name == "sequence_form"
