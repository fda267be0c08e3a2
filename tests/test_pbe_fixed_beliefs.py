"""Mixing at unreached sets whose belief is fixed, under ``free`` beliefs.

An unreached set's belief is not free when the profile fixes it: the mover's own belief carried
forward from its previous set, or, at a set of one node that Nature reaches, the point mass on
that node (every policy gives it that belief). The per-point solver solved patterns mixing at
carried sets under ``free`` too, but gave a set of one node no spec there (a free belief): a
pattern mixing at it, such as the Challenger's unreached set after a pledge in
``tests/data/carried_pledge.toml``, was counted as mixing where beliefs are free and skipped
(``complete=False``), and its PBE were not listed, although ``prior`` and ``d1`` listed them;
nor was a belief carried on from such a set to its mover's later set.

The invariant checked on seeded random games: every PBE the solver lists under ``prior`` at
which each set where the profile mixes is reached, or carries its mover's own belief
(:meth:`~deterrence.solvers._pbe_beliefs._Beliefs.carried_belief`), or has one node that Nature
reaches, is listed under ``free`` too. Such a profile is a PBE under ``free`` (the belief
``prior`` gives a set whose belief is free is one of the beliefs ``free`` may pick, and the
certificate does not depend on the policy), and ``free`` forms the same indifference system for
its pattern as ``prior`` (Bayes' rule, the carried belief or Nature's odds at each mixing set).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers.kernel_checks import compiled_row_mismatches
from helpers.pbe_context import solver_context
from test_pbe_offpath import _compare

import deterrence as dt
from deterrence.game import chance, decision, terminal
from deterrence.kernels import compile_model, domain_sample
from deterrence.solvers._pbe_beliefs import _Beliefs

CARRIED = Path(__file__).parent / "data" / "carried_pledge.toml"
ZERO_TYPE = Path(__file__).parent / "data" / "zero_type_pledge.toml"


def _carried_pledge_point() -> tuple[dt.Model, dict[str, float]]:
    """``carried_pledge`` at a domain point where the one PBE (under ``prior`` and ``d1``) has the
    Defender stay quiet and mix after a pledge and a challenge (its belief carried from its pledge,
    Bayes over the types' moves), the deterrable Challenger mixing after the pledge (one node)."""
    m = dt.load_model(CARRIED)
    pts = pd.DataFrame(domain_sample(m, 40, seed=9))
    return m, {k: float(v) for k, v in pts.iloc[17].items()}


def _profile(e) -> tuple[float, ...]:
    return tuple(np.round(np.concatenate(e.strategies), 6))


def _mixes_only_where_beliefs_are_fixed(game: dt.ExtensiveFormGame, strategies) -> bool | None:
    """Whether the profile mixes at an unreached set, each such set carrying its mover's own
    belief or having exactly one node that Nature reaches (``None``: it mixes at an unreached set
    whose belief is neither)."""
    ctx = solver_context(game, "free")
    beh = [np.asarray(s, dtype=float) for s in strategies]
    beliefs = _Beliefs(ctx, beh)
    off_path = False
    for k, h in enumerate(game.infosets):
        if np.count_nonzero(beh[k] > 1e-10) < 2 or beliefs.on_path[k]:
            continue
        off_path = True
        nature_fixes = int(np.count_nonzero(ctx.prior[list(h.nodes)] > 0)) == 1
        if not nature_fixes and beliefs.carried_belief(k) is None:
            return None
    return off_path


def _prior_pbe_missing_under_free(game: dt.ExtensiveFormGame) -> tuple[int, int]:
    """How many PBE listed under ``prior`` mix at unreached sets whose beliefs are all fixed, and
    how many of those ``free`` does not list."""
    free = {_profile(e) for e in dt.solve(game, "pbe", belief_policy="free")}
    cases = missing = 0
    for e in dt.solve(game, "pbe", belief_policy="prior"):
        if _mixes_only_where_beliefs_are_fixed(game, e.strategies):
            cases += 1
            missing += _profile(e) not in free
    return cases, missing


def _pledge_tree(seed: int) -> dt.ExtensiveFormGame:
    """A seeded game shaped like ``carried_pledge``: the Defender sends one of 2-3 signals, Nature
    draws one of 2-3 Challenger types (a probability may be 0), the Challenger, knowing its type
    and the signal (a set of one node), stays or challenges, and the challenged Defender, seeing
    the signal only, fights or backs down; small integer payoffs."""
    rng = np.random.default_rng(seed)
    n_types, n_signals = int(rng.integers(2, 4)), int(rng.integers(2, 4))
    raw = rng.integers(0, 4, size=n_types)
    raw[0] += int(raw.sum() == 0)
    probs = [float(x) / float(raw.sum()) for x in raw]

    def pay() -> dict[str, int]:
        return {"D": int(rng.integers(-4, 5)), "C": int(rng.integers(-4, 5))}

    signals = {}
    for s in range(n_signals):
        types = {}
        for t in range(n_types):
            answer = decision("D", {"fight": terminal(pay()), "back": terminal(pay())},
                              infoset=f"D after s{s}")
            types[f"t{t}"] = (probs[t], decision("C", {"stay": terminal(pay()), "challenge": answer},
                                                 infoset=f"C{t} after s{s}"))
        signals[f"s{s}"] = chance(types)
    return dt.ExtensiveFormGame(decision("D", signals, infoset="signal"), players=["D", "C"])


def test_free_lists_the_pbe_mixing_at_a_carried_set_and_a_set_of_one_node():
    m, point = _carried_pledge_point()
    game = m.game(**point)
    prior = dt.solve(game, "pbe", belief_policy="prior")
    assert len(prior) == 1 and prior.complete
    for policy in ("free", "d1"):
        res = dt.solve(game, "pbe", belief_policy=policy)
        assert [_profile(e) for e in res] == [_profile(prior[0])]
        assert res.complete
        assert not any("beliefs are free" in note for note in res.notes)
    eq = dt.solve(game, "pbe", belief_policy="free")[0]
    assert eq.certificate.passed
    mixed = {h: [a for a, p in moves.items() if p > 1e-10] for player in eq.profile.values()
             for h, moves in player.items()}
    assert mixed["challenged_pledge"] == ["fight", "back_down"]
    assert mixed["deterrable_pledge"] == ["stay", "challenge"]
    assert mixed["signal"] == ["quiet"]
    # the Defender's belief after a pledge and a challenge is its own, carried: Bayes over the types
    # that challenge after a pledge (the deterrable type with its mixture), not a free one
    p_challenge, q = eq.profile["Challenger"]["deterrable_pledge"]["challenge"], point["q"]
    assert np.isclose(eq.beliefs["challenged_pledge"]["pledge/deterrable/challenge"],
                      (1 - q) * p_challenge / (q + (1 - q) * p_challenge), rtol=1e-9, atol=0)


def test_free_lists_every_prior_pbe_mixing_only_where_beliefs_are_fixed_on_carried_pledge():
    m = dt.load_model(CARRIED)
    pts = pd.DataFrame(domain_sample(m, 60, seed=3))
    cases = missing = 0
    for _, row in pts.iterrows():
        c, miss = _prior_pbe_missing_under_free(m.game(**{k: float(v) for k, v in row.items()}))
        cases, missing = cases + c, missing + miss
    assert cases >= 5  # the sample holds such PBE
    assert missing == 0


def _missed_over_seeds(tree_of_seed) -> tuple[int, int]:
    """Summed over 60 random games (``tree_of_seed(seed)``): the ``prior`` PBE mixing only where
    beliefs are fixed, and how many of them ``free`` misses."""
    cases = missing = 0
    for seed in range(60):
        c, miss = _prior_pbe_missing_under_free(tree_of_seed(seed))
        cases, missing = cases + c, missing + miss
    return cases, missing


def test_free_lists_every_prior_pbe_mixing_only_where_beliefs_are_fixed_on_random_pledge_games():
    cases, missing = _missed_over_seeds(_pledge_tree)
    assert cases >= 5
    assert missing == 0


def test_the_compiled_free_kernel_does_not_decide_the_carried_pledge_point_without_its_pbe():
    """The compiled kernels list no profile mixing at unreached sets: their guard must leave the
    point undecided (solved per point) now that the per-point solver lists the mixed PBE there
    under ``free``; it decided the point, with no equilibrium, while the per-point solver skipped
    the pattern. The other points of the sample keep the per-point rows."""
    m = dt.load_model(CARRIED)
    pts = pd.DataFrame(domain_sample(m, 40, seed=9))
    table, undecided = compile_model(m, "pbe", "free").evaluate(pts)
    if not undecided[17]:
        assert table[table["point"] == 17]["n_equilibria"].tolist() == [1]
    _, bad = compiled_row_mismatches(m, "free", pts, skip_no_equilibrium=True)
    assert bad == []


def _carried_on_tree() -> dt.ExtensiveFormGame:
    """The Defender stays quiet or pledges; after a pledge the Challenger (one node) stays or
    challenges; the challenged Defender (one node, its belief carried from its pledge) fights or
    yields, and the Challenger, not seeing which, presses or retreats (two nodes: its belief carried
    on from its set after the pledge, the Defender's mixture), in a game of matching pennies. The
    one mixed PBE: quiet, challenge, and both halves of matching pennies at 1/2, off the path."""
    pays = {("fight", "press"): (1, -1), ("fight", "retreat"): (-1, 1),
            ("yield", "press"): (-1, 1), ("yield", "retreat"): (1, -1)}

    def late(move: str):
        return decision("C", {a: terminal({"D": pays[(move, a)][0], "C": pays[(move, a)][1]})
                              for a in ("press", "retreat")}, infoset="C late")

    answer = decision("D", {m: late(m) for m in ("fight", "yield")}, infoset="D challenged")
    after = decision("C", {"stay": terminal({"D": 0, "C": -0.5}), "challenge": answer},
                     infoset="C after pledge")
    return dt.ExtensiveFormGame(decision("D", {"quiet": terminal({"D": 1, "C": 0}), "pledge": after},
                                         infoset="D"), players=["D", "C"])


def test_a_belief_carried_on_from_an_unreached_set_of_one_node_is_not_free():
    """The Challenger's last set carries its belief from its set after the pledge, unreached, of one
    node: fixed, so the pattern is solved under ``free`` (it was counted as free with eight others)
    and the mask of free patterns (a chain stopping at that set) is the solver's per-pattern test."""
    game = _carried_on_tree()
    expected = {"D": {"quiet": 1.0, "pledge": 0.0}, "D challenged": {"fight": 0.5, "yield": 0.5},
                "C after pledge": {"stay": 0.0, "challenge": 1.0}, "C late": {"press": 0.5, "retreat": 0.5}}
    for policy in ("free", "prior", "d1"):
        res = dt.solve(game, "pbe", belief_policy=policy)
        assert res.complete
        mixed = [e for e in res if not e.is_pure()]
        assert len(mixed) == 1 and mixed[0].certificate.passed
        got = {h: moves for player in mixed[0].profile.values() for h, moves in player.items()}
        assert got.keys() == expected.keys()
        for h, moves in expected.items():
            assert got[h] == pytest.approx(moves, abs=1e-9)
    assert _compare(game, "free") == 0
    assert _compare(game, "free", table=False) == 0


# ------------------------------------------------------------- sets of several nodes, one reached by Nature
def _moves(eq) -> dict[str, dict[str, float]]:
    return {h: moves for player in eq.profile.values() for h, moves in player.items()}


def _assert_profile(eq, expected: dict[str, dict[str, float]]) -> None:
    got = _moves(eq)
    assert got.keys() == expected.keys()
    for h, moves in expected.items():
        assert got[h] == pytest.approx(moves, abs=1e-9), h


def test_a_type_of_probability_zero_fixes_the_belief_at_an_unreached_set_of_two_nodes():
    """``zero_type_pledge`` at p = 1: the Challenger's set after a pledge has two nodes, and Nature
    reaches only the committed type's. Every consistent assessment puts belief 1 there, so the
    pattern mixing at that set (matching pennies off the path, derived by hand in the fixture) is
    solved under ``free`` as under ``prior`` and ``d1``; before, ``free`` counted it as mixing where
    beliefs are free, skipped it and listed no PBE (``complete=False``)."""
    m = dt.load_model(ZERO_TYPE)
    game = m.game(p=1.0, s=0.5, m=1.0, g=0.5)
    expected = {"committed": {"quiet": 1.0, "pledge": 0.0}, "committed_answer": {"l": 0.5, "r": 0.5},
                "bluffer": {"quiet": 1.0, "pledge": 0.0}, "bluffer_answer": {"l": 1.0, "r": 0.0},
                "after_pledge": {"L": 0.5, "R": 0.5}}
    for policy in ("free", "prior", "d1"):
        res = dt.solve(game, "pbe", belief_policy=policy)
        assert res.complete, policy
        assert not any("beliefs are free" in note for note in res.notes)
        assert len(res) == 1 and res[0].certificate.passed
        _assert_profile(res[0], expected)
        belief = res[0].beliefs["after_pledge"]
        assert belief["committed/pledge"] == pytest.approx(1.0) and belief["bluffer/pledge"] == 0.0


def _carried_from_two_nodes(p: float = 1.0) -> dt.ExtensiveFormGame:
    """Nature draws the Defender's type t1 (``p``) or t2; the Defender, knowing it, stays quiet or
    pledges; the Challenger, not knowing it (two nodes), stays or challenges; the challenged
    Defender (knowing its type) fights or yields, and the Challenger, not seeing which (four nodes,
    its belief carried from its set after the pledge), presses or retreats: matching pennies
    against t1, while t2 always fights. At p = 1 the one PBE (by hand): both types quiet, the
    Challenger challenges after a pledge, then t1 and the Challenger mix 1/2 (each indifferent only
    at the other's 1/2; the Challenger's belief carried from a set whose belief Nature fixes on
    t1), t2 fights."""
    pays = {("fight", "press"): (1, -1), ("fight", "retreat"): (-1, 1),
            ("yield", "press"): (-1, 1), ("yield", "retreat"): (1, -1)}

    def late(t: str, move: str):
        if t == "t1":
            return decision("C", {a: terminal({"D": pays[(move, a)][0], "C": pays[(move, a)][1]})
                                  for a in ("press", "retreat")}, infoset="C late")
        d = 3 if move == "fight" else -3
        return decision("C", {"press": terminal({"D": d, "C": 0}), "retreat": terminal({"D": d, "C": 1})},
                        infoset="C late")

    def typ(t: str, quiet: float):
        answer = decision("D", {mv: late(t, mv) for mv in ("fight", "yield")}, infoset=f"D challenged {t}")
        after = decision("C", {"stay": terminal({"D": 0, "C": -0.5}), "challenge": answer},
                         infoset="C after pledge")
        return decision("D", {"quiet": terminal({"D": quiet, "C": 0}), "pledge": after}, infoset=f"D {t}")

    return dt.ExtensiveFormGame(chance({"t1": (p, typ("t1", 1)), "t2": (1 - p, typ("t2", 5))}),
                                players=["D", "C"])


def test_a_belief_carried_on_from_a_set_whose_belief_nature_fixes_is_not_free():
    """The Challenger's last set (four nodes) carries its belief from its set after the pledge (two
    nodes, Nature reaching only t1's), both unreached: fixed, so the pattern is solved under
    ``free`` (before, it was counted as free with eight others), and the mask of free patterns (a
    chain stopping at a set whose belief Nature fixes) is the solver's per-pattern test."""
    game = _carried_from_two_nodes()
    expected = {"D t1": {"quiet": 1.0, "pledge": 0.0}, "D challenged t1": {"fight": 0.5, "yield": 0.5},
                "D t2": {"quiet": 1.0, "pledge": 0.0}, "D challenged t2": {"fight": 1.0, "yield": 0.0},
                "C after pledge": {"stay": 0.0, "challenge": 1.0}, "C late": {"press": 0.5, "retreat": 0.5}}
    for policy in ("free", "prior", "d1"):
        res = dt.solve(game, "pbe", belief_policy=policy)
        assert res.complete, policy
        assert len(res) == 1 and res[0].certificate.passed
        _assert_profile(res[0], expected)
        late = res[0].beliefs["C late"]
        assert late["t2/pledge/challenge/fight"] == 0.0 and late["t2/pledge/challenge/yield"] == 0.0
    assert _compare(game, "free") == 0
    assert _compare(game, "free", table=False) == 0


def _zero_type_tree(seed: int) -> dt.ExtensiveFormGame:
    """A seeded game shaped like ``zero_type_pledge``: Nature draws one of 2-3 Defender types, one
    of them with probability 1; each type stays quiet or pledges; after a pledge the Challenger,
    not knowing the type (a set of 2-3 nodes, one reached by Nature), moves left or right, and the
    Defender, knowing its type but not that move, answers left or right; small integer payoffs."""
    rng = np.random.default_rng(seed)
    n_types = int(rng.integers(2, 4))
    sure = int(rng.integers(n_types))

    def pay() -> dict[str, int]:
        return {"D": int(rng.integers(-3, 4)), "C": int(rng.integers(-3, 4))}

    types = {}
    for t in range(n_types):
        answers = {c: decision("D", {a: terminal(pay()) for a in ("l", "r")}, infoset=f"D{t} answer")
                   for c in ("L", "R")}
        after = decision("C", answers, infoset="C after pledge")
        types[f"t{t}"] = (1.0 if t == sure else 0.0,
                          decision("D", {"quiet": terminal(pay()), "pledge": after}, infoset=f"D{t}"))
    return dt.ExtensiveFormGame(chance(types), players=["D", "C"])


def test_free_lists_every_prior_pbe_mixing_only_where_nature_fixes_beliefs_on_random_zero_type_games():
    cases, missing = _missed_over_seeds(_zero_type_tree)
    assert cases >= 5
    assert missing == 0


def test_free_lists_the_prior_pbe_of_asymmetric_escalation_mixing_where_a_type_has_probability_zero():
    """``asymmetric_escalation`` with the Challenger surely hard (``p_challenger_hard = 1``): the
    mixed PBE ``prior`` lists mixes only at unreached sets whose belief is carried or which Nature
    reaches at one node alone (the soft Challenger's nodes are drawn with probability 0); ``free``
    did not list it."""
    m = dt.load_model("asymmetric_escalation")
    pts = domain_sample(m, 3, seed=7, fixed={"p_challenger_hard": 1.0})
    game = m.game(**{k: float(v[1]) for k, v in pts.items()})
    free = {_profile(e) for e in dt.solve(game, "pbe", belief_policy="free")}
    fixed = [e for e in dt.solve(game, "pbe", belief_policy="prior")
             if _mixes_only_where_beliefs_are_fixed(game, e.strategies)]
    assert fixed and all(_profile(e) in free for e in fixed)


def _zero_type_points(n: int) -> pd.DataFrame:
    m = dt.load_model(ZERO_TYPE)
    return pd.DataFrame(domain_sample(m, n, seed=5, fixed={"p": 1.0}))


def test_the_compiled_guard_leaves_no_point_decided_without_the_pbe_nature_fixes():
    """At p = 1 the compiled ``free`` kernel lists no profile mixing at the unreached set after a
    pledge; its guard, whose specs are those of points where every chance move is positive, must
    send per point every point where that pattern may hold (it decided one of them, with no
    equilibrium)."""
    m = dt.load_model(ZERO_TYPE)
    pts = _zero_type_points(12)
    table, undecided = compile_model(m, "pbe", "free").evaluate(pts)
    for i in np.flatnonzero(~undecided):
        assert table[table["point"] == i]["n_equilibria"].tolist() == [1]


def test_compiled_and_pointwise_free_sweeps_agree_where_a_type_has_probability_zero():
    """(``prior`` and ``d1`` listed this PBE before on both paths.)"""
    m = dt.load_model(ZERO_TYPE)
    kw = dict(samples=16, rng=3, fixed={"p": 1.0}, belief_policy="free", progress=False, concept="pbe")
    compiled = dt.sweep(m, path="compiled", **kw).table
    pointwise = dt.sweep(m, path="pointwise", **kw).table
    assert (pointwise["n_equilibria"] == 1).all()
    pd.testing.assert_frame_equal(compiled.drop(columns="path"), pointwise.drop(columns="path"),
                                  check_exact=False, atol=1e-9)
