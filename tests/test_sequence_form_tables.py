"""The sequence-form solver's arrays, built in one compiled pass over a game's edge tables
(``solvers.sequence_form._tables_kernel``), against the sequence form that
``game.convert.sequence_form`` builds from the players' histories (the oracle): the same
sequences, parents, leaves and chance weights, and ``None`` exactly for games without perfect
recall."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from test_convert import random_games

from deterrence.errors import GameError
from deterrence.game import ExtensiveFormGame, decision, terminal
from deterrence.game.convert import sequence_form
from deterrence.solvers import sequence_form as sf_solver

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(game=random_games(players=2, max_nodes=50, max_depth=6))
def test_compiled_tables_are_the_sequence_form(game: ExtensiveFormGame) -> None:
    sf_solver._STRUCTURES.pop(game, None)
    st = sf_solver._structure(game)
    sf = sequence_form(game)
    assert st is not None
    leaf = np.asarray(sf.leaf_sequences)
    assert st.leaf1.tolist() == leaf[:, 0].tolist() and st.leaf2.tolist() == leaf[:, 1].tolist()
    assert st.weights.tolist() == np.asarray(sf.leaf_weights).tolist()
    offset = game._action_offset.tolist()
    for i, pl in enumerate(st.players):
        assert pl.size == len(sf.sequences[i])
        assert pl.parent.tolist() == np.asarray(sf.parent[i]).tolist()
        assert pl.n_actions.tolist() == [len(game.infosets[h].actions) for h in sf.infosets[i]]
        assert (st.flat1, st.flat2)[i].tolist() == [offset[h] for h in sf.infosets[i]]
        for k, h in enumerate(sf.infosets[i]):  # the set's actions are consecutive sequences from start
            assert [sf.sequences[i][pl.starts[k] + a] for a in range(pl.n_actions[k])] == [
                (h, a) for a in range(pl.n_actions[k])]


@SETTINGS
@given(game=random_games(players=2, max_nodes=30, max_depth=5, perfect_recall=False))
def test_compiled_tables_decline_exactly_the_games_without_perfect_recall(game: ExtensiveFormGame) -> None:
    sf_solver._STRUCTURES.pop(game, None)
    assert (sf_solver._structure(game) is None) == (not game.has_perfect_recall())
    reason = sf_solver._applicable(game)
    assert (reason is None) == game.has_perfect_recall()
    if reason is not None:
        assert f"'{game.recall_violation()}'" in reason


def test_compiled_tables_take_two_players_only() -> None:
    leaf = decision("C", {"z": terminal([1, 2, 3])})
    game = ExtensiveFormGame(decision("A", {"x": decision("B", {"y": leaf})}))
    with pytest.raises(GameError, match="2-player"):
        sf_solver._structure(game)
