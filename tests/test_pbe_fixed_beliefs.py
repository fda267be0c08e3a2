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
    belief or having one node that Nature reaches (``None``: it mixes at an unreached set whose
    belief is neither)."""
    ctx = solver_context(game, "free")
    beh = [np.asarray(s, dtype=float) for s in strategies]
    beliefs = _Beliefs(ctx, beh)
    off_path = False
    for k, h in enumerate(game.infosets):
        if np.count_nonzero(beh[k] > 1e-10) < 2 or beliefs.on_path[k]:
            continue
        off_path = True
        one_node = len(h.nodes) == 1 and ctx.prior[h.nodes[0]] > 0
        if not one_node and beliefs.carried_belief(k) is None:
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


def test_free_lists_every_prior_pbe_mixing_only_where_beliefs_are_fixed_on_random_pledge_games():
    cases = missing = 0
    for seed in range(60):
        c, miss = _prior_pbe_missing_under_free(_pledge_tree(seed))
        cases, missing = cases + c, missing + miss
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
