"""Subgame-perfect equilibria: backward induction with ties, chance, and subgames with information sets.

Independent references: brute force over every pure profile checked by ``deterrence.certify``
(written separately from the solver), textbook results (Selten's chain-store paradox,
the centipede game), and hand-computed mixed equilibria of small subgames.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import deterrence as dt
from deterrence.certificates import certify
from deterrence.errors import SolverError
from deterrence.game import ExtensiveFormGame, TerminalNode, chance, decision, terminal
from deterrence.solvers import registry
from deterrence.solvers.backward_induction import SOLVER as BI
from deterrence.solvers.base import SolveOptions


def entry_game(fight_payoff_for_incumbent):
    return ExtensiveFormGame(decision("Entrant", {
        "out": terminal({"Entrant": 0, "Incumbent": 2}, outcome="status_quo"),
        "in": decision("Incumbent", {
            "fight": terminal({"Entrant": -1, "Incumbent": fight_payoff_for_incumbent}, outcome="war"),
            "accommodate": terminal({"Entrant": 1, "Incumbent": 0}, outcome="capitulation"),
        }),
    }), players=["Entrant", "Incumbent"])


def chain_store(markets, a=2.0, b=0.5):
    """Selten's chain store under complete information: each entrant sees the history."""
    players = ["Incumbent", *[f"E{k + 1}" for k in range(markets)]]

    def node(k, inc_total, ent_pay, hist):
        if k == markets:
            return terminal({"Incumbent": inc_total, **{f"E{j + 1}": ent_pay[j] for j in range(markets)}},
                            name=hist or "root")

        def after(res, inc, ent):
            return node(k + 1, inc_total + inc, [*ent_pay, ent], f"{hist}{res}")

        return decision(f"E{k + 1}", {
            "out": after("o", a, 0.0),
            "in": decision("Incumbent", {"fight": after("f", -1.0, b - 1), "acquiesce": after("a", 0.0, b)}),
        })

    return ExtensiveFormGame(node(0, 0.0, [], ""), players=players, title=f"chain store, {markets} markets")


def centipede(stages=4):
    """Rosenthal's centipede: the pot grows; the mover can take the larger share or pass."""
    def node(k):
        big, small = 2 ** (k + 2), 2 ** k
        mover = "1" if k % 2 == 0 else "2"
        take = {mover: big, ("2" if mover == "1" else "1"): small}
        rest = node(k + 1) if k + 1 < stages else terminal({"1": 2 ** stages, "2": 2 ** stages})
        return decision(mover, {"take": terminal(take), "pass": rest})

    return ExtensiveFormGame(node(0), players=["1", "2"])


def strategies_by_name(game, eq):
    return {h.name: tuple(np.round(s, 9)) for h, s in zip(game.infosets, eq.strategies, strict=True)}


def brute_force_spe(game, tol=1e-9):
    """Every pure profile that ``deterrence.certify`` accepts as subgame perfect."""
    sizes = [len(h.actions) for h in game.infosets]
    out = set()
    for choice in itertools.product(*(range(n) for n in sizes)):
        beh = [np.eye(n)[a] for n, a in zip(sizes, choice, strict=True)]
        if certify(game, beh, "spe", tol=tol).passed:
            out.add(choice)
    return out


def pure_choices(eqs):
    return {tuple(int(np.argmax(s)) for s in e.strategies) for e in eqs}


# ------------------------------------------------------------------ perfect information
def test_entry_game_with_a_tie_reports_both_spe():
    g = entry_game(0)  # the incumbent is indifferent between fighting and accommodating
    eqs = dt.solve(g, "spe")
    assert eqs.method == "backward_induction"
    assert len(eqs) == 2
    entrant, incumbent = (h.name for h in g.infosets)
    got = {(e.profile["Entrant"][entrant]["in"], e.profile["Incumbent"][incumbent]["fight"]) for e in eqs}
    assert got == {(1.0, 0.0), (0.0, 1.0)}  # (in, accommodate) and (out, fight)
    assert not eqs.complete and eqs.degenerate
    assert any("ties" in n and "1 node" in n for n in eqs.notes)
    assert all(e.certificate.passed for e in eqs)


def test_entry_game_without_tie_is_unique_and_complete():
    g = entry_game(-1)
    eqs = dt.solve(g, "spe")
    assert len(eqs) == 1 and eqs.complete and eqs.degenerate is False
    assert eqs[0].outcomes == {"status_quo": 0.0, "war": 0.0, "capitulation": 1.0}
    # (out, fight) is a Nash equilibrium but not subgame perfect
    nash_not_spe = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    assert certify(g, nash_not_spe, "nash").passed
    assert not certify(g, nash_not_spe, "spe").passed


@pytest.mark.parametrize("markets", [2, 3])
def test_chain_store_paradox(markets):
    """Selten (1978): with complete information every entrant enters and the incumbent
    acquiesces in every market, after every history."""
    g = chain_store(markets)
    eqs = dt.solve(g, "spe")
    assert len(eqs) == 1 and eqs.complete
    (e,) = eqs
    for h in g.infosets:
        chosen = h.actions[int(np.argmax(e.strategies[h.index]))]
        assert chosen == ("acquiesce" if g.players[h.player] == "Incumbent" else "in"), h.name
    assert e.payoffs["Incumbent"] == 0.0
    assert all(e.payoffs[f"E{k + 1}"] == 0.5 for k in range(markets))


def test_centipede_takes_at_once():
    g = centipede(6)
    eqs = dt.solve(g, "spe")
    assert eqs.complete
    (e,) = eqs
    for h in g.infosets:
        assert e.strategies[h.index][0] == 1.0  # take at every node
    assert e.payoffs == {"1": 4.0, "2": 1.0}


def test_chance_nodes_are_averaged():
    root = chance({
        "good": (0.25, decision("A", {"x": terminal([4, 0]), "y": terminal([1, 1])})),
        "bad": (0.75, decision("A", {"x": terminal([0, 0]), "y": terminal([1, 1])})),
    })
    g = ExtensiveFormGame(decision("B", {"safe": terminal([0, 0.5]), "risky": root}), players=["A", "B"])
    (e,) = dt.solve(g, "spe")
    assert e.profile["B"][g.infosets[0].name] == {"safe": 0.0, "risky": 1.0}
    assert e.payoffs["A"] == pytest.approx(0.25 * 4 + 0.75 * 1)
    assert e.payoffs["B"] == pytest.approx(0.75)


def _random_tree(rng, depth, players, values):
    if depth == 0 or rng.random() < 0.2:
        return terminal([int(rng.integers(values)) for _ in players])
    if rng.random() < 0.2:
        p = float(rng.choice([0.25, 0.5]))
        return chance({"l": (p, _random_tree(rng, depth - 1, players, values)),
                       "r": (1 - p, _random_tree(rng, depth - 1, players, values))})
    mover = players[int(rng.integers(len(players)))]
    n = int(rng.integers(2, 4))
    return decision(mover, {f"a{i}": _random_tree(rng, depth - 1, players, values) for i in range(n)})


def test_random_perfect_information_trees_match_brute_force():
    """Seeded random trees (2-3 players, chance nodes, payoffs in {0,1,2} so ties are common):
    the pure SPE are exactly the pure profiles the certifier accepts."""
    rng = np.random.default_rng(2024)
    with_ties = checked = 0
    while checked < 40:
        players = ["1", "2", "3"][: 2 + checked % 2]
        root = _random_tree(rng, 4, players, 3)
        if isinstance(root, TerminalNode):
            continue
        g = ExtensiveFormGame(root, players=players)
        if np.prod([len(h.actions) for h in g.infosets]) > 400:
            continue
        eqs = dt.solve(g, "spe")
        assert pure_choices(eqs) == brute_force_spe(g)
        assert len(pure_choices(eqs)) == len(eqs)
        tie = any("ties" in n for n in eqs.notes)
        assert eqs.complete == (not tie) and (len(eqs) == 1 or tie)
        with_ties += tie
        checked += 1
    assert 5 <= with_ties <= 35  # the sample exercises both cases


def test_cap_on_the_number_of_equilibria():
    # player 1 indifferent among 4 moves, player 2 between 2 at each of 4 nodes: 4 * 16 pure SPE
    root = decision("1", {f"m{i}": decision("2", {"a": terminal([0, 0]), "b": terminal([0, 0])})
                          for i in range(4)})
    g = ExtensiveFormGame(root, players=["1", "2"])
    assert len(dt.solve(g, "spe")) == 4 * 16
    capped = dt.solve(g, "spe", max_equilibria=5)
    assert len(capped) == 5 and not capped.complete
    assert any("max_equilibria=5" in n for n in capped.notes)
    with pytest.raises(SolverError):
        dt.solve(g, "spe", max_equilibria=0)


def test_run_returns_behaviour_for_every_information_set():
    g = chain_store(2)
    raw = BI.run(g, SolveOptions())
    assert len(raw.candidates) == 1
    assert all(s is not None and s.sum() == pytest.approx(1) for s in raw.candidates[0].strategies)
    assert BI.estimate(g) > 0


# ------------------------------------------------------------------ information sets
def _nash_available(players):
    return any("nash" in i.concepts and "extensive" in i.kinds and i.min_players <= players
               and (i.max_players is None or i.max_players >= players) for i in registry().values())


@pytest.mark.skipif(not _nash_available(2), reason="no extensive-form Nash solver registered yet")
@pytest.mark.parametrize("outside", [0.5, -0.5])
def test_subgame_with_only_a_mixed_equilibrium(outside):
    """Player 1 may take an outside option or play matching pennies (value 0 to both)."""
    def pennies():
        return decision("1", {
            "H": decision("2", {"h": terminal([1, -1]), "t": terminal([-1, 1])}, infoset="guess"),
            "T": decision("2", {"h": terminal([-1, 1]), "t": terminal([1, -1])}, infoset="guess"),
        }, infoset="call")

    g = ExtensiveFormGame(decision("1", {"out": terminal([outside, 0]), "in": pennies()}, infoset="entry"),
                          players=["1", "2"])
    eqs = dt.solve(g, "spe")
    assert len(eqs) == 1
    (e,) = eqs
    assert e.profile["1"]["call"] == pytest.approx({"H": 0.5, "T": 0.5})
    assert e.profile["2"]["guess"] == pytest.approx({"h": 0.5, "t": 0.5})
    assert e.profile["1"]["entry"]["out"] == (1.0 if outside > 0 else 0.0)
    assert e.payoffs["1"] == pytest.approx(max(outside, 0.0))
    assert any("information sets solved" in n for n in eqs.notes)


@pytest.mark.skipif(not _nash_available(2), reason="no extensive-form Nash solver registered yet")
def test_radg_spe_is_the_bayesian_equilibrium():
    """RADG worked example: B's moves are subgames (type known); A's set spans both types."""
    def node(t, p_bdd):
        return decision("A", {
            "C": terminal({"A": 2, "B": 3}),
            "D": decision("B", {"C": terminal({"A": 3, "B": 1}), "D": terminal({"A": 0, "B": p_bdd})},
                          infoset=f"B_{t}"),
        }, infoset="A")

    for p_b, attack in ((0.5, 0.0), (0.2, 1.0)):
        g = ExtensiveFormGame(chance({"Hard": (p_b, node("H", 2)), "Soft": (1 - p_b, node("S", 0))}),
                              players=["A", "B"])
        eqs = dt.solve(g, "spe")
        assert len(eqs) == 1
        (e,) = eqs
        assert e.profile["A"]["A"]["D"] == attack
        assert e.profile["B"]["B_H"]["D"] == 1.0 and e.profile["B"]["B_S"]["D"] == 0.0


@pytest.mark.skipif(not _nash_available(3), reason="no 3-player extensive-form Nash solver registered yet")
def test_selten_horse_spe_contains_the_incredible_threat():
    """Selten's horse has no proper subgame: SPE = Nash, including (D, ., L), which is not a PBE."""
    g = ExtensiveFormGame(decision("1", {
        "C": decision("2", {
            "c": terminal([1, 1, 1]),
            "d": decision("3", {"L": terminal([4, 4, 0]), "R": terminal([1, 1, 1])}, infoset="3"),
        }, infoset="2"),
        "D": decision("3", {"L": terminal([3, 3, 2]), "R": terminal([0, 0, 0])}, infoset="3"),
    }, infoset="1"), players=["1", "2", "3"])
    spe = dt.solve(g, "spe")
    assert any(e.profile["1"]["1"]["D"] == pytest.approx(1.0) for e in spe)
    pbe = dt.solve(g, "pbe")
    assert all(e.profile["1"]["1"]["C"] == pytest.approx(1.0) for e in pbe)
