"""A misspelt name looked up in a result (an outcome, player, indicator, information set, action
or node) raises a typed LabelError that names what is missing and what is there, not a bare
KeyError; the dictionaries stay dictionaries in every other respect."""

from __future__ import annotations

import copy
import json
import pickle

import numpy as np
import pytest

import deterrence as dt


@pytest.fixture(scope="module")
def tree_equilibrium() -> dt.Equilibrium:
    return dt.solve(dt.load_model("extended_deterrence").game(), "pbe")[0]


def _raises_label_error(mapping: dict, key: str, kind: str, hint: str | None = None) -> dt.LabelError:
    with pytest.raises(dt.LabelError) as info:
        mapping[key]
    error = info.value
    assert isinstance(error, KeyError) and isinstance(error, dt.DeterrenceError)
    assert (error.name, error.kind, error.valid) == (key, kind, tuple(mapping))
    text = str(error)
    assert text.startswith(f"no {kind} {key!r}") and all(repr(k) in text for k in mapping)
    if hint is not None:
        assert f"did you mean {hint!r}" in text
    return error


def test_a_tree_equilibrium_names_each_kind_of_missing_key(tree_equilibrium: dt.Equilibrium) -> None:
    eq = tree_equilibrium
    _raises_label_error(eq.outcomes, "warr", "outcome", "war")
    _raises_label_error(eq.indicators, "p_wr", "indicator", "p_war")
    _raises_label_error(eq.payoffs, "Atacker", "player", "Attacker")
    _raises_label_error(eq.beliefs, "defendr", "information set", "defender")
    _raises_label_error(eq.beliefs["defender"], "root", "node")
    _raises_label_error(eq.profile, "Ally2", "player")
    _raises_label_error(eq.profile["Attacker"], "atacker", "information set", "attacker")
    error = _raises_label_error(eq.profile["Attacker"]["attacker"], "atack", "action", "attack")
    assert "the actions here: 'no_attack', 'attack'" in str(error)


def test_a_normal_form_profile_names_strategies() -> None:
    eq = dt.solve(dt.NormalFormGame([np.eye(2), np.eye(2)]), "nash")[0]
    player = next(iter(eq.profile))
    error = _raises_label_error(eq.profile[player], "3", "strategy")
    assert "the strategies here" in str(error)


def test_a_reputation_equilibrium_names_missing_keys() -> None:
    eq = dt.solve_reputation(dt.builders.chain_store_game(markets=3, p_tough=0.1))
    _raises_label_error(eq.outcomes, "wr", "outcome", "war")
    _raises_label_error(eq.payoffs, "Incumbnt", "player", "Incumbent")
    _raises_label_error(eq.indicators, "p_attak", "indicator", "p_attack")


def test_an_equilibrium_built_by_hand_gets_labelled_fields(tree_equilibrium: dt.Equilibrium) -> None:
    eq = tree_equilibrium
    mine = dt.Equilibrium(profile=dict(eq.profile), payoffs=dict(eq.payoffs), outcomes=dict(eq.outcomes),
                          certificate=eq.certificate, strategies=eq.strategies, beliefs=None)
    _raises_label_error(mine.outcomes, "peace", "outcome")
    assert mine.beliefs is None


def test_labelled_results_behave_as_dicts(tree_equilibrium: dt.Equilibrium) -> None:
    eq = tree_equilibrium
    plain = dict(eq.outcomes)
    assert eq.outcomes == plain and isinstance(eq.outcomes, dict)
    assert eq.outcomes.get("warr") is None and "warr" not in eq.outcomes
    assert json.loads(json.dumps(eq.outcomes)) == plain
    for again in (pickle.loads(pickle.dumps(eq)), copy.deepcopy(eq)):
        assert again.outcomes == plain
        _raises_label_error(again.outcomes, "warr", "outcome")
        _raises_label_error(again.beliefs["defender"], "x", "node")
    _raises_label_error(eq.outcomes.copy(), "warr", "outcome")


def test_a_label_error_pickles_whole() -> None:
    error = pickle.loads(pickle.dumps(dt.LabelError("warr", "outcome", ["war", "status_quo"])))
    assert str(error) == "no outcome 'warr' (did you mean 'war'?); the outcomes here: 'war', 'status_quo'"
    assert (error.name, error.kind, error.valid) == ("warr", "outcome", ("war", "status_quo"))


def test_an_equilibrium_index_out_of_range_says_how_many_there_are() -> None:
    found = dt.solve(dt.NormalFormGame([np.eye(2), np.eye(2)]), "nash")
    n = len(found)
    with pytest.raises(IndexError, match=f"no equilibrium {n} in a set of {n} \\(indices 0 to {n - 1}"):
        found[n]
    assert found[-n] is found[0] and len(found[0:2]) == min(n, 2)
