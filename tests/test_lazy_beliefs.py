"""A tree's PBE beliefs in the result of ``solve`` are built when first read, and are then what
they were when built at once: labelled dictionaries by information set and node path, one
distribution per set, kept, pickled and copied with the rest of the equilibrium."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

import deterrence as dt
from deterrence.errors import LabelError


@pytest.fixture(scope="module")
def solved() -> dt.EquilibriumSet:
    return dt.solve(dt.load_model("asymmetric_escalation").game(), "pbe", belief_policy="free")


def test_tree_beliefs_wait_for_their_first_reading(solved: dt.EquilibriumSet) -> None:
    eq = solved[0]
    assert "beliefs" not in vars(eq)
    beliefs = eq.beliefs
    assert vars(eq)["beliefs"] is beliefs  # kept: read once
    assert eq.beliefs is beliefs


def test_tree_beliefs_read_late_are_the_belief_vectors_by_set_and_node(solved: dt.EquilibriumSet) -> None:
    game = solved.game
    for eq in solved:
        assert list(eq.beliefs) == [h.name for h in game.infosets]
        for h in game.infosets:
            mu = eq.beliefs[h.name]
            assert list(mu) == [game.nodes[v].path for v in h.nodes]
            assert all(type(p) is float for p in mu.values())
            assert sum(mu.values()) == pytest.approx(1.0)
        with pytest.raises(LabelError):
            eq.beliefs["no such set"]


def test_tree_beliefs_survive_pickling_and_replace(solved: dt.EquilibriumSet) -> None:
    fresh = dt.solve(solved.game, "pbe", belief_policy="free")
    eq = fresh[1]
    copy = pickle.loads(pickle.dumps(eq))  # never read before: built for the copy
    assert "beliefs" in vars(copy)
    assert copy.beliefs == solved[1].beliefs
    assert dataclasses.replace(fresh[2], label="x").beliefs == solved[2].beliefs


def test_normal_form_and_constructed_equilibria_keep_their_beliefs() -> None:
    g = dt.NormalFormGame([np.array([[1, 0], [0, 1]]), np.array([[1, 0], [0, 1]])])
    assert all(eq.beliefs is None for eq in dt.solve(g))
    eq = dt.solve(g)[0]
    made = dt.Equilibrium(profile=eq.profile, payoffs=eq.payoffs, outcomes=eq.outcomes,
                          certificate=eq.certificate, strategies=eq.strategies)
    assert made.beliefs is None
