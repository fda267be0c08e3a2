"""Reduced normal form and sequence form: property tests on random trees, and pygambit as an oracle."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deterrence.errors import GameError, ResourceError
from deterrence.game import (
    ExtensiveFormGame,
    behaviour_to_mixed,
    behaviour_to_realization_plan,
    chance,
    decision,
    mixed_to_behaviour,
    plans_to_behaviour,
    reduced_normal_form,
    sequence_form,
    terminal,
)
from deterrence.game.convert import recall_violation, reduced_strategy_counts
from deterrence.outcomes import OUTCOMES

LABELS = sorted(OUTCOMES)


# ------------------------------------------------------------------------------- random trees
@st.composite
def random_games(draw, players=(2, 3), max_depth: int = 4, max_nodes: int = 40,
                 perfect_recall: bool = True, with_chance: bool = True) -> ExtensiveFormGame:
    """A random extensive game: decision, chance and terminal nodes, shared information sets.

    With ``perfect_recall`` a decision node may join an existing information set of its
    player only if it has the same number of actions and the same own history (infoset,
    action pairs) as that set, which makes recall perfect by construction. Otherwise it may
    join any set of its player with the same number of actions that has no node on its path.
    """
    n = draw(st.sampled_from(players)) if not isinstance(players, int) else players
    names = [f"P{i + 1}" for i in range(n)]
    budget = {"nodes": 0}
    infosets: dict[str, tuple[int, tuple, int]] = {}  # name -> (player, own history, n actions)

    def build(depth: int, hist: tuple, path_sets: frozenset):
        budget["nodes"] += 1
        kinds = ["decision", "decision", "terminal"] + (["chance"] if with_chance else [])
        if depth == 0:
            kind = "decision"
        elif depth >= max_depth or budget["nodes"] >= max_nodes:
            kind = "terminal"
        else:
            kind = draw(st.sampled_from(kinds))
        if kind == "terminal":
            pay = [draw(st.integers(-5, 5)) for _ in range(n)]
            labels = draw(st.lists(st.sampled_from(LABELS), max_size=2, unique=True))
            return terminal(pay, outcome=labels)
        if kind == "chance":
            k = draw(st.integers(2, 3))
            w = draw(st.lists(st.integers(0, 3), min_size=k, max_size=k).filter(lambda v: sum(v) > 0))
            probs = [Fraction(x, sum(w)) for x in w]
            return chance({f"c{j}": (probs[j], build(depth + 1, hist, path_sets)) for j in range(k)})
        pl = draw(st.integers(0, n - 1))
        k = draw(st.integers(2, 3))
        if perfect_recall:
            same = [name for name, (p, hh, kk) in infosets.items() if p == pl and kk == k and hh == hist[pl]]
        else:
            same = [name for name, (p, _, kk) in infosets.items()
                    if p == pl and kk == k and name not in path_sets]
        join = draw(st.sampled_from([None, *same])) if same else None
        if join is None:
            join = f"{names[pl]}:{len(infosets)}"
            infosets[join] = (pl, hist[pl], k)
        acts = {}
        for a in range(k):
            new_hist = tuple((*h, (join, a)) if i == pl else h for i, h in enumerate(hist))
            acts[f"{join.split(':')[1]}{'LRM'[a]}"] = build(depth + 1, new_hist, path_sets | {join})
        return decision(names[pl], acts, infoset=join)

    root = build(0, tuple(() for _ in range(n)), frozenset())
    return ExtensiveFormGame(root, players=names)


def random_simplex(draw, n: int) -> np.ndarray:
    w = np.array(draw(st.lists(st.integers(0, 20), min_size=n, max_size=n).filter(lambda v: sum(v) > 0)),
                 dtype=float)
    return w / w.sum()


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------- reduced normal form
@SETTINGS
@given(data=st.data())
def test_rnf_mixed_profile_matches_tree_via_kuhn(data):
    game = data.draw(random_games())
    rnf = reduced_normal_form(game)
    assert rnf.shape == reduced_strategy_counts(game)
    profile = [random_simplex(data.draw, k) for k in rnf.shape]
    beh = mixed_to_behaviour(rnf, profile)
    np.testing.assert_allclose(rnf.normal.expected_payoffs(profile), game.expected_payoffs(beh), atol=1e-9)
    tree_out = game.outcome_probabilities(beh)
    nf_out = rnf.normal.outcome_probabilities(profile)
    assert set(nf_out) == set(tree_out)
    for lab in tree_out:
        assert nf_out[lab] == pytest.approx(tree_out[lab], abs=1e-9)


@SETTINGS
@given(data=st.data())
def test_rnf_behaviour_profile_matches_tree(data):
    game = data.draw(random_games())
    rnf = reduced_normal_form(game)
    beh = [random_simplex(data.draw, len(h.actions)) for h in game.infosets]
    mixed = behaviour_to_mixed(rnf, beh)
    for sigma in mixed:
        assert sigma.sum() == pytest.approx(1.0)
        assert np.all(sigma >= 0)
    np.testing.assert_allclose(rnf.normal.expected_payoffs(mixed), game.expected_payoffs(beh), atol=1e-9)
    # and back: Kuhn's map returns the same behaviour wherever the player's own plan reaches
    back = mixed_to_behaviour(rnf, mixed)
    np.testing.assert_allclose(game.expected_payoffs(back), game.expected_payoffs(beh), atol=1e-9)


@SETTINGS
@given(game=random_games(perfect_recall=False, max_nodes=25))
def test_rnf_pure_profiles_match_tree_without_perfect_recall(game):
    rnf = reduced_normal_form(game)
    assert all(c >= s for c, s in zip(reduced_strategy_counts(game), rnf.shape, strict=True))
    for prof in itertools.islice(itertools.product(*(range(k) for k in rnf.shape)), 50):
        beh = game.uniform_behaviour()
        for i, k in enumerate(prof):
            for h, a in rnf.strategies[i][k].items():
                beh[h] = np.eye(len(game.infosets[h].actions))[a]
        # infosets a strategy leaves free are never reached, so the uniform filler does not matter
        expected = game.expected_payoffs(beh)
        got = np.array([p[prof] for p in rnf.normal.payoffs])
        np.testing.assert_allclose(got, expected, atol=1e-9)


@SETTINGS
@given(game=random_games())
def test_reduced_strategies_are_distinct_and_named(game):
    rnf = reduced_normal_form(game)
    for i in range(game.num_players):
        strats = rnf.strategies[i]
        assert len({tuple(sorted(s.items())) for s in strats}) == len(strats)
        own = {h.index for h in game.infosets_of(i)}
        for s, name in zip(strats, rnf.strategy_names(i), strict=True):
            assert set(s) <= own
            if own:
                assert name.count("/") == len(own) - 1
                assert name.count("*") == len(own) - len(s)


def _entry_game() -> ExtensiveFormGame:
    # Selten's chain-store stage with a chance move: entrant sees nothing of the incumbent's type
    strong = decision("Incumbent", {"fight": terminal([-1, 1], "war"),
                                    "share": terminal([1, 0], "capitulation")},
                      infoset="strong")
    weak = decision("Incumbent", {"fight": terminal([-1, -1], "war"),
                                  "share": terminal([1, 1], "capitulation")},
                    infoset="weak")
    e1 = decision("Entrant", {"out": terminal([0, 2], "status_quo"), "in": strong}, infoset="E")
    e2 = decision("Entrant", {"out": terminal([0, 2], "status_quo"), "in": weak}, infoset="E")
    root = chance({"strong": (Fraction(1, 3), e1), "weak": (Fraction(2, 3), e2)})
    return ExtensiveFormGame(root, players=["Entrant", "Incumbent"])


def test_rnf_by_hand():
    rnf = reduced_normal_form(_entry_game())
    g = rnf.normal
    assert g.strategies == (("out", "in"), ("fight/fight", "fight/share", "share/fight", "share/share"))
    # Entrant "in" against Incumbent "fight/share": 1/3 * -1 + 2/3 * 1
    assert g.payoffs[0][1, 1] == pytest.approx(1 / 3)
    assert g.payoffs[1][1, 1] == pytest.approx(1 / 3 * 1 + 2 / 3 * 1)
    assert g.outcomes["war"][1, 1] == pytest.approx(1 / 3)
    assert g.outcomes["status_quo"][0].tolist() == [1.0] * 4


def test_irrelevant_infosets_are_starred():
    root = decision("A", {
        "stop": terminal([0, 0]),
        "go": decision("B", {"l": decision("A", {"x": terminal([1, 1]), "y": terminal([2, 2])}, infoset="A2"),
                             "r": terminal([3, 3])}),
    })
    rnf = reduced_normal_form(ExtensiveFormGame(root))
    assert rnf.normal.strategies[0] == ("stop/*", "go/x", "go/y")


def test_too_many_strategies_fails_fast_with_estimate():
    def rounds(k):  # B moves, then A moves after each of B's moves (all of A's sets stay relevant)
        if k == 0:
            return terminal([0, 0])
        return decision("B", {b: decision("A", {"l": rounds(k - 1), "r": rounds(k - 1)}) for b in "xy"})

    game = ExtensiveFormGame(rounds(3), players=["A", "B"])
    # A: N(k) = (2 N(k-1))^2 = 4, 64, 16384; B: M(k) = 2 M(k-1)^2 = 2, 8, 128
    assert reduced_strategy_counts(game) == (16384, 128)
    assert reduced_normal_form(ExtensiveFormGame(rounds(2), players=["A", "B"])).shape == (64, 8)
    with pytest.raises(ResourceError) as err:
        reduced_normal_form(game, max_strategies=1000)
    assert err.value.estimate == 16384
    assert "A" in str(err.value)


def _forgetful() -> ExtensiveFormGame:
    # player A forgets its first move: both second-stage nodes share one information set
    root = decision("A", {
        "l": decision("A", {"x": terminal([1, 0]), "y": terminal([0, 0])}, infoset="forget"),
        "r": decision("A", {"x": terminal([0, 0]), "y": terminal([2, 0])}, infoset="forget"),
    }, infoset="first")
    return ExtensiveFormGame(root, players=["A", "B"])


def test_imperfect_recall_errors_name_the_information_set():
    game = _forgetful()
    assert recall_violation(game) == "forget"
    with pytest.raises(GameError, match="forget"):
        sequence_form(game)
    rnf = reduced_normal_form(game)  # the reduced normal form itself is fine
    assert rnf.shape == (4, 1)
    with pytest.raises(GameError, match="forget"):
        behaviour_to_mixed(rnf, game.uniform_behaviour())


# ------------------------------------------------------------------------------- sequence form
@SETTINGS
@given(data=st.data())
def test_sequence_form_payoffs_match_tree(data):
    game = data.draw(random_games())
    sf = sequence_form(game)
    beh = [random_simplex(data.draw, len(h.actions)) for h in game.infosets]
    plans = [behaviour_to_realization_plan(sf, i, beh) for i in range(game.num_players)]
    for i, x in enumerate(plans):
        assert sf.is_plan(i, x)
        E, e = sf.constraints[i]
        np.testing.assert_allclose(E @ x, e, atol=1e-12)
    expected = game.expected_payoffs(beh)
    np.testing.assert_allclose(sf.expected_payoffs(plans), expected, atol=1e-9)
    for i in range(game.num_players):
        t = sf.payoff_tensor(i)
        for x in reversed(plans):
            t = t @ x
        assert float(t) == pytest.approx(expected[i], abs=1e-9)
    if game.num_players == 2:
        x, y = plans
        assert x @ sf.A @ y == pytest.approx(expected[0], abs=1e-9)
        assert x @ sf.B @ y == pytest.approx(expected[1], abs=1e-9)
    # plan -> behaviour -> plan is the identity on plans
    back = plans_to_behaviour(sf, plans)
    for i in range(game.num_players):
        np.testing.assert_allclose(behaviour_to_realization_plan(sf, i, back), plans[i], atol=1e-12)


def test_sequence_form_by_hand():
    sf = sequence_form(_entry_game())
    assert sf.sizes == (3, 5)
    assert sf.sequences[0] == (None, (0, 0), (0, 1))
    E, e = sf.constraints[1]
    assert E.tolist() == [[1, 0, 0, 0, 0], [-1, 1, 1, 0, 0], [-1, 0, 0, 1, 1]]
    assert e.tolist() == [1, 0, 0]
    A = sf.A
    # entrant "in" (seq 2) and incumbent "strong: fight" (seq 1): chance 1/3 times payoff -1
    assert A[2, 1] == pytest.approx(-1 / 3)
    # "out" (seq 1) meets the incumbent's empty sequence in both chance branches
    assert A[1, 0] == 0.0
    assert sf.B[1, 0] == pytest.approx(2.0)
