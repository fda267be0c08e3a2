"""The ``.efg`` writer: outcomes stay where the source had them, distinct outcomes get distinct
labels, and pygambit reads, edits and writes our files back to the same game.

pygambit is the oracle: it reads what we write (its labels must be the ones in the file: Gambit
renames empty or repeated outcome labels, so a file it has to rename had ambiguous labels), and
what it writes back we read as the same game.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from test_gambit_files import assert_same_tree, canon_gambit_tree, canon_ours_tree

import deterrence as dt
from deterrence.errors import GameError
from deterrence.gambit import read_game, write_game
from deterrence.game import ExtensiveFormGame, decision, terminal

gbt = pytest.importorskip("pygambit")
DATA = Path(__file__).parent / "data"
INTERIOR = DATA / "gambit_interior_outcomes.efg"


def _gambit_outcomes(g) -> dict[tuple[int, ...], tuple[str, tuple[Fraction, ...]]]:
    """Node path -> (label, payoffs) of the outcome pygambit sees on that node."""
    out = {}
    stack = [(g.root, ())]
    while stack:
        node, path = stack.pop()
        if node.outcome:  # pygambit's null outcome is falsy
            out[path] = (node.outcome.label, tuple(Fraction(str(node.outcome[p])) for p in g.players))
        stack.extend((child, (*path, k)) for k, child in enumerate(node.children))
    return out


def _our_outcome_names(game: ExtensiveFormGame) -> dict[tuple[int, ...], str]:
    """Node path -> the outcome name our reader kept (interior outcomes and terminal names)."""
    paths: dict[int, tuple[int, ...]] = {}
    out = {}
    for nd in game.nodes:
        paths[nd.index] = () if nd.parent < 0 else (*paths[nd.parent], nd.action)
        if nd.index in game.interior_outcomes:
            out[paths[nd.index]] = game.interior_outcomes[nd.index][0]
        elif nd.kind == "terminal" and game.terminal_names[game.terminal_index(nd.index)] is not None:
            out[paths[nd.index]] = game.terminal_names[game.terminal_index(nd.index)]
    return out


def _assert_labels_name_outcomes(text: str) -> None:
    """Every outcome label in the file is non-empty and names one payoff vector, so Gambit keeps
    the labels as written (it would rename an empty or repeated one)."""
    g = gbt.read_efg(io.StringIO(text))
    ours = read_game(text, text=True)
    seen = _gambit_outcomes(g)
    assert {path: label for path, (label, _) in seen.items()} == _our_outcome_names(ours)
    by_label: dict[str, set] = {}
    for label, payoffs in seen.values():
        by_label.setdefault(label, set()).add(payoffs)
    assert all(label and len(p) == 1 for label, p in by_label.items()), by_label


def _sources() -> list:
    files = [pytest.param(INTERIOR, id="interior_outcomes"),
             pytest.param(DATA / "gambit_features.efg", id="features")]
    catalog = Path(gbt.__file__).parent / "catalog_data"
    files += [pytest.param(f, id=f.stem) for f in sorted(catalog.rglob("*.efg"))]
    return files


# ------------------------------------------------------------------------ the bug of issue 19
def test_one_label_no_longer_names_two_payoff_vectors():
    text = write_game(read_game(INTERIOR))
    g = gbt.read_efg(io.StringIO(text))
    labels = {o.label: tuple(Fraction(str(o[p])) for p in g.players) for o in g.outcomes}
    # the interior outcomes are back on their nodes and the leaf outcome is the source's {3, 3}
    assert labels == {"Outcome 1": (3, 3), "Outcome 2": (3, 3), "Outcome 3": (0, 4),
                      "Outcome 4": (Fraction(1, 3), -1)}
    assert_same_tree(canon_gambit_tree(g), canon_gambit_tree(gbt.read_efg(str(INTERIOR))))


@pytest.mark.oracle
@pytest.mark.parametrize("path", _sources())
def test_interior_outcomes_stay_where_the_source_had_them(path):
    source = gbt.read_efg(str(path))
    written = gbt.read_efg(io.StringIO(write_game(read_game(path))))
    assert_same_tree(canon_gambit_tree(written), canon_gambit_tree(source))
    got, want = _gambit_outcomes(written), _gambit_outcomes(source)
    assert {k: v[1] for k, v in got.items()} == {k: v[1] for k, v in want.items()}
    # a name that names one payoff vector in the source is kept (an empty or shared one is made
    # distinct, and Gambit's own names for empty ones, "_k", follow its outcome numbers)
    raw = _our_outcome_names(read_game(path))
    vectors: dict[str, set] = {}
    for where, name in raw.items():
        vectors.setdefault(name, set()).add(want[where][1])
    kept = {where: name for where, name in raw.items() if name and len(vectors[name]) == 1}
    assert {where: got[where][0] for where in kept} == kept


@pytest.mark.oracle
@pytest.mark.parametrize("path", _sources())
def test_labels_of_gambit_files_are_distinct(path):
    _assert_labels_name_outcomes(write_game(read_game(path)))


@pytest.mark.oracle
@pytest.mark.parametrize("name", dt.list_models("files"))  # families: tests/test_collective_defence.py
def test_labels_of_catalogue_trees_are_distinct(name):
    game = dt.load_model(name).game()
    text = write_game(game)
    _assert_labels_name_outcomes(text)
    # the same payoffs, and the outcome names say the vocabulary labels
    back = read_game(text, text=True)
    np.testing.assert_allclose(back.payoffs, game.payoffs, rtol=0, atol=1e-12)
    for t, labels in enumerate(game.terminal_outcomes):
        if labels:
            assert back.terminal_names[t].split(" (")[0] == "+".join(labels)


def test_shared_label_gets_the_node_label():
    root = decision("A", {
        "l": terminal([1, 0], outcome="war", label="early"),
        "r": terminal([2, 0], outcome="war", label="late"),
        "s": terminal([1, 0], outcome="war", label="again"),
    })
    text = write_game(ExtensiveFormGame(root, players=["A", "B"]))
    assert '"war (early)" { 1, 0 }' in text and '"war (late)" { 2, 0 }' in text
    assert text.count('"war (early)"') == 1  # the third leaf reuses outcome 1 by number
    _assert_labels_name_outcomes(text)


# ------------------------------------------------------------------------ pygambit round trips
@pytest.mark.oracle
@pytest.mark.parametrize("path", [INTERIOR, DATA / "gambit_features.efg"], ids=["interior", "features"])
def test_gambit_writes_our_file_back_to_the_same_game(path):
    ours = read_game(path)
    again = read_game(gbt.read_efg(io.StringIO(write_game(ours))).to_efg(), text=True)
    assert_same_tree(canon_ours_tree(again), canon_ours_tree(ours))
    assert again.interior_outcomes.keys() == ours.interior_outcomes.keys()
    for k, (name, payoffs) in ours.interior_outcomes.items():
        assert again.interior_outcomes[k] == (name, payoffs)
    for name, back in zip(ours.terminal_names, again.terminal_names, strict=True):
        assert back == name or not name  # an empty name comes back as Gambit's "_k"
    _assert_labels_name_outcomes(write_game(again))


@pytest.mark.oracle
def test_gambit_edits_our_file_and_we_read_the_edit():
    g = gbt.read_efg(io.StringIO(write_game(read_game(INTERIOR))))
    interior = next(o for o in g.outcomes if o.label == "Outcome 3")
    interior[list(g.players)[1]] = 5  # B's payoff on the interior outcome under "right": 4 -> 5
    next(iter(g.root.children)).label = "edited"
    again = read_game(g.to_efg(), text=True)
    before = read_game(INTERIOR)
    for t, (old, new) in enumerate(zip(before.payoff_values, again.payoff_values, strict=True)):
        below_right = before.nodes[before.terminals[t]].path.startswith("right")
        assert new == ((old[0], old[1] + 1) if below_right else old)
    br = next(k for k, nd in enumerate(again.nodes) if nd.path == "right")
    assert again.interior_outcomes[br] == ("Outcome 3", (0, 5))
    assert again.nodes[1].label == "edited"
    # and what we write of the edited game, Gambit reads as the edited game
    assert_same_tree(canon_gambit_tree(gbt.read_efg(io.StringIO(write_game(again)))), canon_gambit_tree(g))


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["tripartite_crisis", "extended_deterrence", "chain_store"])
def test_gambit_round_trip_of_catalogue_trees(name):
    ours = dt.load_model(name).game()
    text = write_game(ours)
    back = gbt.read_efg(io.StringIO(text)).to_efg()
    assert_same_tree(canon_ours_tree(read_game(back, text=True)), canon_ours_tree(read_game(text, text=True)))
    assert read_game(back, text=True).terminal_names == read_game(text, text=True).terminal_names


# ------------------------------------------------------------------------ bad input
def test_interior_outcome_must_match_the_players():
    root = decision("A", {"l": terminal([1, 0]), "r": terminal([2, 0])})
    root.gambit_outcome = ("fee", (1, 2, 3))
    with pytest.raises(GameError, match="3 payoffs for 2 players"):
        ExtensiveFormGame(root, players=["A", "B"])
    root.gambit_outcome = ("fee", (1, float("nan")))
    with pytest.raises(GameError, match="finite numbers"):
        ExtensiveFormGame(root, players=["A", "B"])
