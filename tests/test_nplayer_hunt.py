"""A seeded hunt for wrong answers on N-player trees (3 to 5 players), with and without perfect recall.

Trees of awkward shapes (:mod:`helpers.hunt_trees`: payoffs in a small integer range, so many
ties; chance moves with zero-probability branches; single-action sets; deep chains) are solved
with ``dt.solve(game, "nash")`` and every answer is checked against what nobody here wrote:

* a regret oracle on the generator's own nested tuples (every player's gain from a pure
  deviation, at one set alone and over whole behaviour strategies), which shares no code with
  the library, itself checked against plain enumeration;
* pygambit (in a subprocess with a timeout as a hang guard: some of its methods can run very
  long), reading Gambit text written by the generator: its agent regret of our profile and
  ``enumpure_agent_solve`` against our ``pure_agent``;
* the labels: ``complete`` only from a method that finds every equilibrium, the agent-form note
  exactly when the tree lacks perfect recall.

The default run is moderate; ``-m slow`` adds trees of about 200 information sets.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers.hunt_trees import Tree, best_response_value, expected, hunt_tree, profile_of, regrets
from helpers.json_subprocess import run_json_script

import deterrence as dt
from deterrence.gambit import parse_efg

pytest.importorskip("pygambit")

#: largest regret accepted, relative to the payoff range
TOL = 1e-7


def _cases(count: int, decisions: int, first: int = 0) -> list[tuple[int, int, int, bool, int]]:
    """``(seed, players, decisions, recall, payoff range)``: players 3-5, every fourth without
    perfect recall, payoffs in ranges of 2, 3 and 10 integers."""
    return [(s, 3 + s % 3, decisions, s % 4 != 3, (2, 3, 10)[s % 3]) for s in range(first, first + count)]


def _check_answer(tree: Tree, eqs: dt.EquilibriumSet) -> None:
    """Every equilibrium of ``eqs`` against the oracle, and the result's labels."""
    game = tree.game()
    unit = TOL * max(1.0, float(np.ptp(game.payoffs)))
    assert len(eqs) >= 1
    assert not eqs.complete or dt.solvers.registry()[eqs.method].finds == "all"
    agent_noted = any("agent form" in n for n in eqs.notes)
    assert agent_noted == (not game.has_perfect_recall())
    if not game.has_perfect_recall():
        assert not eqs.complete
    for eq in eqs[:10]:
        assert eq.certificate.passed
        reg = regrets(tree, profile_of(game, eq.strategies), enumerate_up_to=256)
        assert reg.max_agent <= unit
        if game.has_perfect_recall():
            assert reg.max_nash is not None and reg.max_nash <= unit
        ours = [eq.payoffs[p] for p in game.players]
        assert np.allclose(ours, reg.values, atol=1e-9)


# ---------------------------------------------------------------------------- the oracle itself
@pytest.mark.parametrize("seed", range(6))
def test_oracle_best_response_matches_enumerating_pure_strategies(seed: int) -> None:
    tree = hunt_tree(seed, 3, 14, payoff_range=10)
    rng = np.random.default_rng(seed)
    profile = {name: rng.dirichlet(np.ones(k)).tolist() for name, (_, k) in tree.sets.items()}
    full = regrets(tree, profile, enumerate_up_to=10**6)
    for i in range(tree.players):
        gain = best_response_value(tree, profile, i) - full.values[i]
        assert gain == pytest.approx(full.nash[i], abs=1e-12)


def test_oracle_payoffs_match_the_library() -> None:
    tree = hunt_tree(4, 4, 30, payoff_range=10)
    game = tree.game()
    beh = [np.random.default_rng(1).dirichlet(np.ones(len(h.actions))) for h in game.infosets]
    prof = profile_of(game, beh)
    assert np.allclose(game.expected_payoffs(beh), [expected(tree.root, prof, i) for i in range(4)])


def test_trees_read_from_the_generators_gambit_text_are_the_same() -> None:
    for seed in range(6):
        tree = hunt_tree(seed, 3 + seed % 3, 25, recall=seed % 2 == 0)
        game, read = tree.game(), parse_efg(tree.efg())
        assert [h.name for h in read.infosets] == [h.name for h in game.infosets]
        assert np.array_equal(np.asarray(read.payoffs, dtype=float), np.asarray(game.payoffs, dtype=float))


# ---------------------------------------------------------------------------- the hunt
@pytest.mark.parametrize("case", _cases(16, 30))
def test_nash_of_random_n_player_trees_is_an_equilibrium_by_the_oracle(case) -> None:
    seed, players, decisions, recall, span = case
    tree = hunt_tree(seed, players, decisions, recall=recall, payoff_range=span)
    _check_answer(tree, dt.solve(tree.game(), "nash"))


@pytest.mark.slow
@pytest.mark.parametrize("case", _cases(12, 300, first=100))
def test_nash_of_trees_of_about_200_information_sets(case) -> None:
    seed, players, decisions, recall, span = case
    tree = hunt_tree(seed, players, decisions, recall=recall, payoff_range=span, p_chain=0.02)
    _check_answer(tree, dt.solve(tree.game(), "nash"))


# ---------------------------------------------------------------------------- pygambit
_PEER = """
import io, json, sys
import pygambit as gbt
data = json.load(sys.stdin)
g = gbt.read_efg(io.StringIO(data["efg"]))
sets = {h.label: h for p in g.players for h in p.infosets}
prof = g.mixed_behavior_profile(rational=False)
for name, probs in data["profile"].items():
    for act, x in zip(sets[name].actions, probs):
        prof[act] = float(x)
pure = [{h.label: [float(eq[a]) for a in h.actions] for h in sets.values()}
        for eq in gbt.nash.enumpure_agent_solve(g).equilibria]
print(json.dumps({"agent_regret": float(prof.agent_max_regret()), "pure": pure}))
"""


@pytest.mark.parametrize("case", _cases(8, 10, first=200))
def test_pygambit_agrees_on_small_trees(case) -> None:
    seed, players, decisions, recall, span = case
    tree = hunt_tree(seed, players, decisions, recall=recall, payoff_range=span)
    game = tree.game()
    eqs = dt.solve(game, "nash")
    _check_answer(tree, eqs)
    data = json.dumps({"efg": tree.efg(), "profile": profile_of(game, eqs[0].strategies)})
    got = run_json_script(_PEER, data, timeout=120)  # a hang guard, not a timing assertion
    if got is None:
        pytest.skip("pygambit ran out of time")
    theirs, err = got
    assert theirs is not None, err
    assert theirs["agent_regret"] <= TOL * max(1.0, float(np.ptp(game.payoffs)))
    pure = dt.solve(game, "nash", method="pure_agent", max_equilibria=10**6)
    names = [h.name for h in game.infosets]
    ours = {tuple(int(np.argmax(s)) for s in eq.strategies) for eq in pure}
    expected_pure = set()
    for prof in theirs["pure"]:
        if game.has_perfect_recall() and regrets(tree, prof).max_nash > 1e-12:
            continue  # with perfect recall pure_agent keeps only the Nash equilibria among them
        expected_pure.add(tuple(int(np.argmax(prof[n])) for n in names))
    assert ours == expected_pure
