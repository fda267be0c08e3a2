"""Games read straight into their tables (:mod:`deterrence.game._flat`, what a plainly written ``.efg``
file gives) against the same games built from a tree of builder nodes (the checked reader's way):
every table the same, and the builder tree rebuilt on first use gives the game again."""

from __future__ import annotations

import numpy as np
import pytest
from test_efg_plain_reader import TEXTS, _checked

import deterrence as dt
from deterrence.gambit import _efg, parse_efg
from deterrence.game import ExtensiveFormGame
from deterrence.game._flat import game_from_preorder


def _built(text: str) -> ExtensiveFormGame:
    """The game as the checked reader builds it (from a tree of builder nodes)."""
    return _checked(text)


def _tables(game: ExtensiveFormGame) -> tuple:
    nodes = [(nd.index, nd.kind, nd.parent, nd.action, nd.children, nd.player, nd.infoset, nd.label, nd.end,
              nd.path) for nd in game.nodes]
    arrays = [np.asarray(getattr(game, name)).tolist() for name in (
        "payoffs", "_parent", "_terminal_idx", "_chance_prob", "_edge_infoset", "_edge_action",
        "_action_offset", "_edge_flat", "_decision_edge")]
    return (game.title, game.players, nodes, game.infosets, game.chance_infos, game.payoff_values,
            game.terminal_outcomes, game.terminal_names, game.interior_outcomes, game.terminals,
            game._terminal_of_node, arrays, [lv.tolist() for lv in game._levels], game._deep,
            game._action_counts, game._paths.lengths)


@pytest.mark.parametrize("name,text", TEXTS, ids=[n for n, _ in TEXTS])
def test_a_game_read_into_its_tables_is_the_game_built_from_its_tree(name: str, text: str) -> None:
    flat = parse_efg(text)
    assert flat._root_node is None, f"{name} was not read straight into its tables"
    built = _built(text)
    assert _tables(flat) == _tables(built)
    assert _tables(ExtensiveFormGame(flat.root_node, players=flat.players, title=flat.title,
                                     check_labels=False)) == _tables(built)
    assert dt.write_game(flat) == dt.write_game(built)


def test_records_with_payoffs_beyond_the_float_range_are_left_to_the_tree_builder() -> None:
    # the reader refuses such numbers itself; the tables builder declines them too
    text = 'EFG 2 R "t" { "1" "2" }\n""\np "" 1 1 "" { "a" "b" } 0\nt "" 1 "o" { 1, 0 }\nt "" 0\n'
    title, players, records = _efg._read_plain(text)
    assert game_from_preorder(records, players, title) is not None
    records.payoffs[0] = (10**400, 0)
    assert game_from_preorder(records, players, title) is None
    records.payoffs[0] = (1, 0)
    records.interior[0] = ("x", (float("inf"), 0))
    assert game_from_preorder(records, players, title) is None


@pytest.mark.slow
def test_solving_a_game_read_into_its_tables_does_not_build_its_nodes() -> None:
    game = parse_efg(TEXTS[-1][1])
    eqs = dt.solve(game, method="sequence_form")
    assert game.__dict__["_nodes"] is None  # the solve and its certificate used the tables only
    assert len(game.nodes) == game.nodes[0].end and eqs[0].certificate.passed
