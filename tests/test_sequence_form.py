"""Nash equilibria of extensive games: the sequence-form LCP (Lemke) and the reduced-normal-form enumeration.

Every sequence-form result is checked by an independent best-response computation on the
reduced normal form, and on pygambit's catalogue by pygambit's own regret computation.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from test_convert import random_games

import deterrence as dt
from deterrence.errors import GameError, ResourceError, SolverError, UnsupportedError
from deterrence.game import (
    ExtensiveFormGame,
    behaviour_to_mixed,
    behaviour_to_realization_plan,
    chance,
    decision,
    reduced_normal_form,
    sequence_form,
    terminal,
)
from deterrence.game.convert import recall_violation
from deterrence.solvers import enumerate_reduced
from deterrence.solvers import sequence_form as sf_solver
from deterrence.solvers.base import SolveOptions
from deterrence.solvers.lemke import lemke

try:
    import pygambit as gbt
except ImportError:  # pragma: no cover - pygambit is a test dependency
    gbt = None

needs_gambit = pytest.mark.skipif(gbt is None, reason="pygambit is not installed")


def rnf_regret(game: ExtensiveFormGame, behaviour) -> float:
    """Nash regret of a behaviour profile, by best responses in the reduced normal form."""
    rnf = reduced_normal_form(game)
    return float(rnf.normal.regrets(behaviour_to_mixed(rnf, behaviour)).max())


def lemke_profile(game: ExtensiveFormGame, **extra):
    raw = sf_solver.run(game, SolveOptions(method_options=sf_solver.SequenceFormOptions(**extra)))
    assert len(raw.candidates) == 1 and raw.complete is False
    return list(raw.candidates[0].strategies)


# ------------------------------------------------------------------------------- Lemke core
def test_lemke_core_on_a_bimatrix_lcp():
    # w = M z + q, the classic Lemke setting: z, w >= 0, z.w = 0; here written as
    # w - M z - d z0 = q with w basic at the start and covering vector d = 1.
    M = np.array([[2.0, 1.0], [1.0, 3.0]])
    q = np.array([-3.0, -4.0])
    n = 2
    full = np.hstack([np.eye(n), -M, -np.ones((n, 1))])  # columns: w (0..1), z (2..3), z0 (4)
    comp = {k: n + k for k in range(n)} | {n + k: k for k in range(n)}
    res = lemke(full, q, basis=[0, 1], z0=2 * n, complement=comp)
    w, z = res.values[:n], res.values[n:2 * n]
    np.testing.assert_allclose(w - M @ z, q, atol=1e-12)
    assert np.all(w >= -1e-12) and np.all(z >= -1e-12) and abs(w @ z) < 1e-12
    np.testing.assert_allclose(z, np.linalg.solve(M, -q))  # M positive definite: unique solution


def test_lemke_core_reports_infeasible_start():
    full = np.array([[1.0, -1.0, 0.0]])  # w - z = -1 and z0 has a zero column: no covering
    with pytest.raises(SolverError, match="not feasible"):
        lemke(full, np.array([-1.0]), basis=[0], z0=2, complement={0: 1, 1: 0})


# ------------------------------------------------------------------------------- textbook games
def _matching_pennies() -> ExtensiveFormGame:
    def second(h, t):
        return decision("B", {"H": terminal([h, -h]), "T": terminal([t, -t])}, infoset="B")

    return ExtensiveFormGame(decision("A", {"H": second(1, -1), "T": second(-1, 1)}), players=["A", "B"])


def test_matching_pennies_as_a_tree():
    beh = lemke_profile(_matching_pennies())
    np.testing.assert_allclose(beh[0], [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(beh[1], [0.5, 0.5], atol=1e-12)


def _kuhn_like_poker() -> ExtensiveFormGame:
    # Myerson's simple poker (Myerson 1991, fig. 2.1): card red/black, player 1 raises or
    # folds, player 2 (who does not see the card) meets or passes.
    def deal(card):
        win = 1 if card == "red" else -1
        meet = decision("2", {"meet": terminal([2 * win, -2 * win]), "pass": terminal([1, -1])}, infoset="2")
        return decision("1", {"raise": meet, "fold": terminal([win, -win])}, infoset=card)

    root = chance({"red": (Fraction(1, 2), deal("red")), "black": (Fraction(1, 2), deal("black"))})
    return ExtensiveFormGame(root, players=["1", "2"])


def test_simple_poker_value_and_strategies():
    # the unique equilibrium: raise on red; raise on black with prob 1/3; meet with prob 2/3; value 1/3
    game = _kuhn_like_poker()
    beh = lemke_profile(game)
    np.testing.assert_allclose(game.expected_payoffs(beh), [1 / 3, -1 / 3], atol=1e-10)
    labelled = game.labelled(beh)
    assert labelled["1"]["red"]["raise"] == pytest.approx(1.0)
    assert labelled["1"]["black"]["raise"] == pytest.approx(1 / 3)
    assert labelled["2"]["2"]["meet"] == pytest.approx(2 / 3)


def test_degenerate_tree_with_ties_everywhere():
    # all payoffs equal: every profile is an equilibrium; the LCP is maximally degenerate
    def sub(k):
        return decision("B", {"x": terminal([0, 0]), "y": terminal([0, 0])}, infoset=f"B{k}")

    root = decision("A", {"l": sub(1), "r": sub(2), "m": terminal([0, 0])})
    game = ExtensiveFormGame(root, players=["A", "B"])
    assert rnf_regret(game, lemke_profile(game)) == 0.0


def test_one_player_moves_only():
    # the second player never moves: the LCP must still return player 1's optimum
    root = decision("A", {"l": decision("A", {"x": terminal([1, 0]), "y": terminal([3, 0])}),
                          "r": terminal([2, 0])})
    game = ExtensiveFormGame(root, players=["A", "B"])
    beh = lemke_profile(game)
    assert game.expected_payoffs(beh)[0] == pytest.approx(3.0)


def test_imperfect_recall_is_refused_with_the_information_set():
    root = decision("A", {
        "l": decision("B", {"x": decision("A", {"u": terminal([1, 0]), "d": terminal([0, 1])},
                                          infoset="late"),
                            "y": terminal([0, 0])}),
        "r": decision("A", {"u": terminal([0, 0]), "d": terminal([2, 0])}, infoset="late"),
    })
    game = ExtensiveFormGame(root, players=["A", "B"])
    assert sf_solver.SOLVER.serves(game, "nash") is not None
    assert "late" in sf_solver.SOLVER.serves(game, "nash")
    with pytest.raises(UnsupportedError, match="late"):
        dt.solve(game, "nash", method="sequence_form")
    with pytest.raises(GameError, match="late"):
        sf_solver.run(game, SolveOptions())


def test_registry_entry():
    from deterrence.solvers import registry

    info = registry()["sequence_form"]
    assert info is sf_solver.SOLVER
    assert registry()["enumerate_reduced"] is enumerate_reduced.SOLVER
    assert info.finds == "one" and info.concepts == {"nash"} and info.kinds == {"extensive"}
    three = ExtensiveFormGame(decision("A", {"x": terminal([0, 0, 0]), "y": terminal([1, 1, 1])}),
                              players=["A", "B", "C"])
    assert sf_solver.SOLVER.serves(three, "nash") is not None


# ------------------------------------------------------------------------------- random trees
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(game=random_games(players=2, max_nodes=45, max_depth=6))
def test_lemke_result_is_nash_on_random_trees(game):
    beh = lemke_profile(game)
    assert rnf_regret(game, beh) <= 1e-8


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(game=random_games(players=2, max_nodes=90, max_depth=7))
def test_lemke_result_is_nash_on_many_larger_random_trees(game):
    beh = lemke_profile(game, attempts=1)  # no restarts: the first Lemke path must succeed
    try:
        assert rnf_regret(game, beh) <= 1e-8
    except ResourceError:  # reduced normal form too large: best responses by backward induction
        sf = sequence_form(game)
        plans = [behaviour_to_realization_plan(sf, i, beh) for i in range(2)]
        assert sf_solver._regret(sf, sf.A, sf.B, *plans) <= 1e-8


@SETTINGS
@given(game=random_games(players=2, max_nodes=30, max_depth=5, with_chance=False))
def test_lemke_is_invariant_under_positive_affine_payoff_maps(game):
    # the solver normalises payoffs itself, so an affine map must give the same path
    beh = lemke_profile(game)
    scaled = ExtensiveFormGame(_rescaled(game.root_node, 3.0, -7.0), players=list(game.players))
    beh2 = lemke_profile(scaled)
    for a, b in zip(beh, beh2, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-8)


def _rescaled(node, a, b):
    if hasattr(node, "payoffs"):
        return terminal([a * float(p) + b for p in node.payoffs], outcome=node.outcome)
    if hasattr(node, "branches"):
        return chance({k: (p, _rescaled(c, a, b)) for k, (p, c) in node.branches.items()})
    acts = {k: _rescaled(c, a, b) for k, c in node.actions.items()}
    return decision(node.player, acts, infoset=node.infoset)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(game=random_games(players=2, max_nodes=14, max_depth=4))
def test_solve_front_end_certifies_both_methods(game):
    one = dt.solve(game, "nash", method="sequence_form")
    assert len(one) == 1 and not one.complete and one.method == "sequence_form"
    assert one[0].regret <= 1e-8
    try:
        every = dt.solve(game, "nash", method="enumerate_reduced")
    except ResourceError:
        return
    assert len(every) >= 1 and every.method == "enumerate_reduced"
    for eq in every:
        assert rnf_regret(game, list(eq.strategies)) <= 1e-6
    if every.complete and every.degenerate is False:
        # isolated equilibria only: the Lemke equilibrium must be one of those enumerated
        pay = np.array(list(one[0].payoffs.values()))
        assert any(np.allclose(pay, list(e.payoffs.values()), atol=1e-6) for e in every)


# ------------------------------------------------------------------------------- enumerate_reduced
def test_enumerate_reduced_entry_deterrence_game():
    # entrant: out (0, 2) or in; incumbent: fight (-1, -1) or share (1, 1).
    # Nash equilibria: (in, share) and the component (out, fight with prob >= 1/2).
    root = decision("Entrant", {"out": terminal([0, 2], "status_quo"),
                                "in": decision("Incumbent", {"fight": terminal([-1, -1], "war"),
                                                             "share": terminal([1, 1], "capitulation")})})
    game = ExtensiveFormGame(root)
    eqs = dt.solve(game, "nash", method="enumerate_reduced")
    found = sorted((round(e.profile["Entrant"]["Entrant@root"]["in"], 9),
                    round(e.profile["Incumbent"]["Incumbent@in"]["fight"], 9)) for e in eqs)
    assert found == [(0.0, 0.5), (0.0, 1.0), (1.0, 0.0)]
    assert eqs.complete
    assert sorted(e.outcomes.get("status_quo", 0.0) for e in eqs) == [0.0, 1.0, 1.0]


def test_enumerate_reduced_estimate_fails_fast():
    def rounds(k):
        if k == 0:
            return terminal([0, 0])
        return decision("B", {b: decision("A", {"l": rounds(k - 1), "r": rounds(k - 1)}) for b in "xy"})

    game = ExtensiveFormGame(rounds(3), players=["A", "B"])
    assert enumerate_reduced.estimate(game) >= 16384 * 128
    with pytest.raises(ResourceError) as err:
        dt.solve(game, "nash", method="enumerate_reduced", max_work=1e6)
    assert err.value.estimate is not None and err.value.estimate > 1e6
    # the sequence form solves it at once
    beh = list(dt.solve(game, "nash", method="sequence_form")[0].strategies)
    assert len(beh) == len(game.infosets)


def _tie_in_floats_tree() -> ExtensiveFormGame:
    """A tree drawn by ``test_solve_front_end_certifies_both_methods``: only P2 moves, and at the
    root ``0R`` pays -1, as does ``0L`` followed by the best replies
    (``1/2 (1/6 * 2 + 1/3 * (-5) + 1/2 * (-2)) + 1/6 * 1 = -1``), which the floats of the reduced
    normal form sum to -0.9999999999999999: an exact tie, one bit apart in floats."""
    half = Fraction(1, 2)
    inner = chance({
        "c0": (Fraction(1, 6), decision("P2", {"1L": terminal([0, 0]), "1R": terminal([1, 2]),
                                               "1M": terminal([0, 0])}, infoset="P2:1")),
        "c1": (Fraction(1, 3), terminal([0, -5])),
        "c2": (half, decision("P2", {"2L": terminal([0, -2]), "2R": terminal([0, -3]),
                                      "2M": terminal([0, -3])}, infoset="P2:2")),
    })
    after = chance({
        "c0": (half, inner),
        "c1": (Fraction(1, 6), decision("P2", {"3L": terminal([0, 0]), "3R": terminal([0, 1])},
                                           infoset="P2:3")),
        "c2": (Fraction(1, 3), terminal([0, 0])),
    })
    root = decision("P2", {"0L": after, "0R": terminal([0, -1])}, infoset="P2:0")
    return ExtensiveFormGame(root, players=["P1", "P2"])


@needs_gambit
def test_enumerate_reduced_keeps_exact_ties_that_floats_split():
    # the floats' exact re-check of vertex_enumeration (payoffs one bit apart) once solved the
    # reduced normal form's floats as if exact: a strict preference, one equilibrium,
    # complete and not degenerate, without the pure equilibrium 0R that Lemke finds
    game = _tie_in_floats_tree()
    eqs = dt.solve(game, "nash", method="enumerate_reduced")
    assert eqs.complete and eqs.degenerate is True
    found = sorted((round(e.payoffs["P1"], 9), round(e.payoffs["P2"], 9)) for e in eqs)
    # pygambit's extreme equilibria of the reduced normal form in exact arithmetic
    a, b = reduced_normal_form(game, exact=True).normal.rational_payoffs()
    g = gbt.Game.from_arrays(*([[Fraction(v) for v in row] for row in m.tolist()] for m in (a, b)))
    oracle = gbt.nash.enummixed_solve(g, rational=True).equilibria
    expected = sorted(tuple(round(float(eq.payoff(p)), 9) for p in g.players) for eq in oracle)
    assert found == expected == [(0.0, -1.0), (round(1 / 12, 9), -1.0)]
    lemke_pay = dt.solve(game, "nash", method="sequence_form")[0].payoffs
    assert (round(lemke_pay["P1"], 9), round(lemke_pay["P2"], 9)) in found


def test_reduced_normal_form_rational_payoffs_are_the_trees():
    # built without exact=True, the normal form still gives the tree's exact payoffs when asked
    # (computed then), not its floats as rationals: P2's two best profiles pay -1 exactly
    game = _tie_in_floats_tree()
    later = reduced_normal_form(game).normal.rational_payoffs()
    now = reduced_normal_form(game, exact=True).normal.rational_payoffs()
    assert [a.tolist() for a in later] == [a.tolist() for a in now]
    assert sorted(later[1].ravel().tolist())[-2:] == [-1, -1]


def test_enumerate_reduced_three_players_selten_horse():
    # Selten's horse: no proper subgames, two Nash outcomes: (A, a, R-ish) with payoffs
    # (1, 1, 1) and the non-sequential (D, a, L) with payoffs (3, 3, 2)
    after_d = decision("3", {"L": terminal([3, 3, 2]), "R": terminal([0, 0, 0])}, infoset="3")
    after_ad = decision("3", {"L": terminal([4, 4, 0]), "R": terminal([0, 0, 1])}, infoset="3")
    root = decision("1", {"A": decision("2", {"a": terminal([1, 1, 1]), "d": after_ad}), "D": after_d})
    game = ExtensiveFormGame(root, players=["1", "2", "3"])
    try:
        eqs = dt.solve(game, "nash", method="enumerate_reduced")
    except (ResourceError, UnsupportedError) as exc:  # the N-player normal-form solver is not available
        pytest.skip(str(exc))
    assert len(eqs) >= 2
    for e in eqs:
        assert rnf_regret(game, list(e.strategies)) <= 1e-6
    outcomes = {tuple(np.round(list(e.payoffs.values()), 6)) for e in eqs}
    assert outcomes == {(1.0, 1.0, 1.0), (3.0, 3.0, 2.0)}


# ------------------------------------------------------------------------------- pygambit catalogue
def _gambit_trees() -> list:
    if gbt is None:
        return []
    return [pytest.param(slug, id=slug) for slug in gbt.catalog.games()["Game"]
            if gbt.catalog.load(slug).is_tree]


GAMBIT_TREES = _gambit_trees()


def _ours(g) -> ExtensiveFormGame:
    return dt.read_game(g.to_efg(), text=True)


def _gambit_path(node) -> tuple[int, ...]:
    path = []
    while node.parent is not None:
        path.append(list(node.parent.children).index(node))
        node = node.parent
    return tuple(reversed(path))


def _our_path(game: ExtensiveFormGame, v: int) -> tuple[int, ...]:
    path = []
    while game.nodes[v].parent >= 0:
        path.append(game.nodes[v].action)
        v = game.nodes[v].parent
    return tuple(reversed(path))


def _infoset_map(g, game: ExtensiveFormGame) -> dict[int, object]:
    """Our infoset index -> pygambit infoset, matched by the paths of their nodes."""
    by_path = {_our_path(game, v): h.index for h in game.infosets for v in h.nodes}
    out = {}
    for p in g.players:
        for h in p.infosets:
            ours = {by_path[_gambit_path(m)] for m in h.members}
            assert len(ours) == 1, "information sets differ"
            out[ours.pop()] = h
    assert len(out) == len(game.infosets)
    return out


def _gambit_regret(g, game: ExtensiveFormGame, behaviour) -> float:
    prof = g.mixed_behavior_profile()
    for k, h in _infoset_map(g, game).items():
        for action, prob in zip(h.actions, behaviour[k], strict=True):
            prof[action] = float(prob)
    return float(prof.max_regret())


@needs_gambit
def test_gambit_catalogue_has_trees():
    assert len(GAMBIT_TREES) >= 20


@needs_gambit
@pytest.mark.oracle
@pytest.mark.parametrize("slug", GAMBIT_TREES)
def test_sequence_form_on_gambit_catalogue(slug):
    g = gbt.catalog.load(slug)
    game = _ours(g)
    if not g.is_perfect_recall:
        assert recall_violation(game) is not None
        with pytest.raises(GameError):
            sequence_form(game)
        return
    assert recall_violation(game) is None
    if len(g.players) != 2:
        assert sf_solver.SOLVER.serves(game, "nash") is not None
        return
    beh = lemke_profile(game)
    assert rnf_regret(game, beh) <= 1e-8
    # the regret is scale-dependent: compare relative to the payoff range
    span = max(float(game.payoffs.max() - game.payoffs.min()), 1.0)
    assert _gambit_regret(g, game, beh) <= 1e-6 * span
    eqs = dt.solve(game, "nash", method="sequence_form")
    assert len(eqs) == 1


@needs_gambit
@pytest.mark.oracle
@pytest.mark.parametrize("slug", GAMBIT_TREES)
def test_reduced_normal_form_matches_gambit(slug):
    g = gbt.catalog.load(slug)
    game = _ours(g)
    rnf = reduced_normal_form(game)
    assert rnf.shape == tuple(len(p.strategies) for p in g.players)
    if not g.is_perfect_recall:
        return
    # every pure profile of pygambit's reduced strategic form maps to a pure profile of ours
    # with the same payoffs
    infosets = _infoset_map(g, game)
    profiles = itertools.product(*(list(p.strategies) for p in g.players))
    for prof in itertools.islice(profiles, 300):
        mixed = g.mixed_strategy_profile()
        for p, s in zip(g.players, prof, strict=True):
            for t in p.strategies:
                mixed[t] = 1.0 if t == s else 0.0
        beh = mixed.as_behavior()
        ours = game.uniform_behaviour()
        for k, h in infosets.items():
            if beh.infoset_prob(h) > 0 or any(beh[a] > 0 for a in h.actions):
                vals = np.array([float(beh[a]) for a in h.actions])
                if vals.sum() > 0:
                    ours[k] = vals / vals.sum()
        pure = behaviour_to_mixed(rnf, ours)
        idx = tuple(int(np.argmax(m)) for m in pure)
        assert all(m.max() == pytest.approx(1.0) for m in pure)
        for i, p in enumerate(g.players):
            assert rnf.normal.payoffs[i][idx] == pytest.approx(float(mixed.payoff(p)), abs=1e-9)


@needs_gambit
@pytest.mark.oracle
@pytest.mark.parametrize("slug", GAMBIT_TREES)
def test_enumerate_reduced_on_gambit_catalogue(slug):
    g = gbt.catalog.load(slug)
    game = _ours(g)
    if not g.is_perfect_recall or len(g.players) != 2:
        pytest.skip("enumeration test covers 2-player perfect-recall games")
    eqs = dt.solve(game, "nash", method="enumerate_reduced")
    assert len(eqs) >= 1
    span = max(float(game.payoffs.max() - game.payoffs.min()), 1.0)
    for e in eqs:
        assert _gambit_regret(g, game, list(e.strategies)) <= 1e-6 * span


@needs_gambit
@pytest.mark.oracle
@pytest.mark.parametrize("slug", GAMBIT_TREES)
def test_reduced_normal_form_regret_equals_gambit_regret(slug):
    # random (non-equilibrium) behaviour profiles: our best responses in the reduced normal
    # form and pygambit's regret computation on the tree agree, for any number of players
    g = gbt.catalog.load(slug)
    if not g.is_perfect_recall:
        pytest.skip("Kuhn's theorem needs perfect recall")
    game = _ours(g)
    rng = np.random.default_rng(abs(hash(slug)) % 2**32)
    for _ in range(3):
        beh = [rng.dirichlet(np.ones(len(h.actions))) for h in game.infosets]
        assert rnf_regret(game, beh) == pytest.approx(_gambit_regret(g, game, beh), abs=1e-9)
