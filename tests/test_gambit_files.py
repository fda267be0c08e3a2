"""Gambit ``.nfg``/``.efg`` reading and writing, checked against pygambit as the oracle.

For every game of pygambit's catalogue (and von Stengel's ``.nfg`` games in ``tests/data/``) we
read the file with our reader, compare players, actions, information-set partitions, chance probabilities and
terminal payoffs with pygambit's own parse, then write it with our writer, read that text
with pygambit and compare again. Malformed files must raise ``FormatError`` naming the line.
"""

from __future__ import annotations

import io
import itertools
import string
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.errors import FormatError, UnsupportedError
from deterrence.gambit import (
    format_efg,
    format_nfg,
    format_number,
    normalize_labels,
    parse_efg,
    parse_nfg,
    read_game,
    tokenize,
    write_game,
)
from deterrence.gambit._lexer import _quote
from deterrence.game import ExtensiveFormGame, NormalFormGame, chance, decision, terminal

try:
    import pygambit as gbt
except ImportError:  # pragma: no cover - pygambit is a test dependency
    gbt = None

needs_gambit = pytest.mark.skipif(gbt is None, reason="pygambit is not installed")
DATA = Path(__file__).parent / "data"


# ------------------------------------------------------------------------ canonical forms
# A game is reduced to (players, nodes, partition): nodes maps the path of action indices
# from the root to ("p", player, action names) | ("c", action names, probabilities) |
# ("t", payoffs); partition maps a player (-1 for chance) to its set of information sets,
# each a frozenset of node paths.
def _exact(x) -> Fraction:
    return Fraction(str(x))


def canon_gambit_tree(g):
    players = [p.label for p in g.players]
    nodes, sets = {}, {}
    stack = [(g.root, (), (Fraction(0),) * len(players))]
    while stack:
        node, path, acc = stack.pop()
        if node.outcome:  # payoffs of outcomes on the path add up
            acc = tuple(a + _exact(node.outcome[p]) for a, p in zip(acc, g.players, strict=True))
        if node.is_terminal:
            nodes[path] = ("t", acc)
            continue
        h = node.infoset
        actions = tuple(a.label for a in h.actions)
        if h.is_chance:
            nodes[path] = ("c", actions, tuple(_exact(a.prob) for a in h.actions))
            key = (-1, h.number)
        else:
            key = (players.index(h.player.label), h.number)
            nodes[path] = ("p", key[0], actions)
        sets.setdefault(key, set()).add(path)
        for k, child in enumerate(node.children):
            stack.append((child, (*path, k), acc))
    return players, nodes, _partition(sets)


def canon_ours_tree(game: ExtensiveFormGame):
    paths: dict[int, tuple[int, ...]] = {}
    nodes, sets = {}, {}
    for nd in game.nodes:
        path = paths[nd.index] = () if nd.parent < 0 else (*paths[nd.parent], nd.action)
        if nd.kind == "terminal":
            values = game.payoff_values[game.terminal_index(nd.index)]
            nodes[path] = ("t", tuple(Fraction(v) for v in values))
        elif nd.kind == "chance":
            c = game.chance_infos[nd.infoset]
            nodes[path] = ("c", c.actions, tuple(Fraction(p) for p in c.probs))
            sets.setdefault((-1, c.index), set()).add(path)
        else:
            h = game.infosets[nd.infoset]
            nodes[path] = ("p", h.player, h.actions)
            sets.setdefault((h.player, h.index), set()).add(path)
    return list(game.players), nodes, _partition(sets)


def _partition(sets):
    out: dict[int, set[frozenset]] = {}
    for (player, _), paths in sets.items():
        out.setdefault(player, set()).add(frozenset(paths))
    return out


def canon_gambit_table(g):
    players = [p.label for p in g.players]
    strategies = [tuple(s.label for s in p.strategies) for p in g.players]
    shape = tuple(len(s) for s in strategies)
    arrays = [np.empty(shape) for _ in players]
    for idx in itertools.product(*(range(n) for n in shape)):
        outcome = g[idx]
        for i, p in enumerate(g.players):
            arrays[i][idx] = float(_exact(outcome[p])) if outcome is not None else 0.0
    return players, strategies, arrays


def canon_ours_table(game: NormalFormGame):
    return list(game.players), list(game.strategies), [np.asarray(a, dtype=float) for a in game.payoffs]


def assert_same_table(a, b):
    assert a[0] == b[0], "players differ"
    assert a[1] == b[1], "strategies differ"
    for i, (x, y) in enumerate(zip(a[2], b[2], strict=True)):
        np.testing.assert_array_equal(x, y, err_msg=f"payoffs of player {i + 1} differ")


def assert_same_tree(a, b):
    assert a[0] == b[0], "players differ"
    assert a[1].keys() == b[1].keys(), "the trees have different shapes"
    diff = {k: (a[1][k], b[1][k]) for k in a[1] if a[1][k] != b[1][k]}
    assert not diff, f"nodes differ: {dict(itertools.islice(diff.items(), 3))}"
    assert a[2] == b[2], "information-set partitions differ"


# ------------------------------------------------------------------------ the catalogue
def _catalogue() -> list:
    if gbt is None:
        return []
    root = Path(gbt.__file__).parent / "catalog_data"
    params = []
    for slug in gbt.catalog.games()["Game"]:
        files = [root / f"{slug}{sfx}" for sfx in (".efg", ".nfg")]
        path = next((f for f in files if f.is_file()), None)
        params.append(pytest.param(slug, path, id=slug))
    return params


CATALOGUE = _catalogue()


@needs_gambit
def test_catalogue_is_there():
    # guards the parametrised tests below against passing on an empty catalogue
    assert len(CATALOGUE) >= 30
    kinds = {gbt.catalog.load(p.values[0]).is_tree for p in CATALOGUE}
    assert kinds == {True, False}


def _check_against_gambit(g, ours):
    if g.is_tree:
        assert isinstance(ours, ExtensiveFormGame)
        assert_same_tree(canon_gambit_tree(g), canon_ours_tree(ours))
    else:
        assert isinstance(ours, NormalFormGame)
        assert_same_table(canon_gambit_table(g), canon_ours_table(ours))
    if "\\" not in g.title:  # Gambit reads an escaped backslash as three (it writes one as two)
        assert ours.title == g.title


@needs_gambit
@pytest.mark.oracle
@pytest.mark.parametrize(("slug", "path"), CATALOGUE)
def test_catalogue_file_reads_like_gambit(slug, path):
    if path is None:
        pytest.skip(f"{slug}: the catalogue file is not on disk")
    _check_against_gambit(gbt.catalog.load(slug), read_game(path))


@needs_gambit
@pytest.mark.oracle
@pytest.mark.parametrize(("slug", "path"), CATALOGUE)
def test_catalogue_text_from_gambit_writer_reads_like_gambit(slug, path):
    g = gbt.catalog.load(slug)
    text = g.to_efg() if g.is_tree else g.to_nfg()
    _check_against_gambit(g, read_game(text, text=True))


@needs_gambit
@pytest.mark.oracle
@pytest.mark.parametrize(("slug", "path"), CATALOGUE)
def test_catalogue_round_trip_through_gambit(slug, path):
    g = gbt.catalog.load(slug)
    ours = read_game(g.to_efg() if g.is_tree else g.to_nfg(), text=True)
    written = write_game(ours)
    if g.is_tree:
        again = gbt.read_efg(io.StringIO(written))
        assert_same_tree(canon_gambit_tree(again), canon_gambit_tree(g))
    else:
        for outcome_version in (False, True):
            again = gbt.read_nfg(io.StringIO(format_nfg(ours, outcome_version=outcome_version)))
            assert_same_table(canon_gambit_table(again), canon_gambit_table(g))
    # and our own reader gives the same game back
    _check_against_gambit(g, read_game(written, text=True))


STENGEL = [
    pytest.param(DATA / name, id=name)
    for name in ("6x6_game_with_75_eq.nfg", "6x6_game_with_75_eq_small_payoffs.nfg")
]


@needs_gambit
@pytest.mark.oracle
@pytest.mark.parametrize("path", STENGEL)
def test_von_stengel_games_read_and_round_trip(path):
    g = gbt.read_nfg(str(path))
    ours = read_game(path)
    _check_against_gambit(g, ours)
    assert ours.integer_payoffs() is not None
    for outcome_version in (False, True):
        again = gbt.read_nfg(io.StringIO(format_nfg(ours, outcome_version=outcome_version)))
        assert_same_table(canon_gambit_table(again), canon_gambit_table(g))


# ------------------------------------------------------------------------ hand-written fixtures
@needs_gambit
@pytest.mark.oracle
@pytest.mark.parametrize("name", ["gambit_features.efg", "gambit_outcomes.nfg"])
def test_feature_fixtures_match_gambit(name):
    path = DATA / name
    g = gbt.read_efg(str(path)) if name.endswith(".efg") else gbt.read_nfg(str(path))
    ours = read_game(path)
    _check_against_gambit(g, ours)
    written = write_game(ours)
    again = gbt.read_efg(io.StringIO(written)) if g.is_tree else gbt.read_nfg(io.StringIO(written))
    _check_against_gambit(again, ours)


def test_features_efg_by_hand():
    g = read_game(DATA / "gambit_features.efg")
    assert g.title == 'Features: "escapes" and a \\ backslash'
    assert g.players == ("Alice", "Bob", "_1")  # an empty player name is made non-empty, as Gambit does
    assert g.chance_infos[0].probs == (Fraction(1, 3), Fraction(1, 2), Fraction(1, 6))
    assert g.chance_infos[1].name == "(0,2)" and len(g.chance_infos[1].nodes) == 2
    bob = g.infosets_of(1)
    assert len(bob) == 1 and bob[0].actions == ("fight", "_1", "_2") and len(bob[0].nodes) == 2
    # entry fee (-1, 1/2, 0) at the root + Bob's cost (0, -1/4, 0) + "win" (3, 1, 0)
    first = g.terminal_index(g.terminals[0])
    assert g.payoff_values[first] == (2, Fraction(5, 4), 0)
    assert g.terminal_names[first] == "win"
    assert isinstance(g.payoff_values[first][0], int)
    assert g.terminal_outcomes[first] == ()


def test_nfg_payoff_order_player_one_fastest():
    text = 'NFG 1 R "order" { "A" "B" } { 2 3 }\n' + " ".join(f"{k} {-k}" for k in range(6))
    g = read_game(text, text=True)
    # profile k lists (a, b) with a = k % 2 changing fastest
    for k in range(6):
        assert g.payoffs[0][k % 2, k // 2] == k
        assert g.payoffs[1][k % 2, k // 2] == -k
    assert g.strategies == (("1", "2"), ("1", "2", "3"))
    assert g.integer_payoffs() is not None
    assert "0 0\n1 -1\n2 -2" in write_game(g)


def test_nfg_non_integer_payoffs_become_floats():
    g = read_game('NFG 1 R "" { "A" "B" } { 1 2 } 1/3 1 0.5 2', text=True)
    assert g.integer_payoffs() is None
    assert g.payoffs[0].tolist() == [[1 / 3, 0.5]]
    assert read_game(write_game(g), text=True).payoffs[0].tolist() == [[1 / 3, 0.5]]


# ------------------------------------------------------------------------ writing
def _deterrence_game(prob) -> ExtensiveFormGame:
    def attacker():
        return decision("Attacker", {
            "stay": terminal({"Attacker": 0, "Defender": 0}, "status_quo", label="end"),
            "attack": decision("Defender", {
                "fight": terminal([Fraction(-1, 3), -1], ("war", "entrapment"), label="end"),
                "yield": terminal([1.5, -2], "capitulation"),
            }, infoset="D"),
        }, label="A")
    root = chance({"resolved": (prob, attacker()), "irresolute": (1 - prob, attacker())})
    return ExtensiveFormGame(root, players=["Attacker", "Defender"], title="built in Python")


@needs_gambit
@pytest.mark.oracle
def test_builder_game_is_read_by_gambit():
    game = _deterrence_game(Fraction(1, 4))
    g = gbt.read_efg(io.StringIO(write_game(game)))
    assert_same_tree(canon_gambit_tree(g), canon_ours_tree(game))
    assert g.title == "built in Python"
    # labels of the vocabulary become outcome names; infoset names are kept
    text = write_game(game)
    assert '"war+entrapment"' in text and '"D"' in text
    back = read_game(text, text=True)
    assert [h.name for h in back.infosets] == [h.name for h in game.infosets]


def test_float_probabilities_are_written_exactly_summing_to_one():
    game = _deterrence_game(1 / 3)
    back = read_game(write_game(game), text=True)
    assert back.chance_infos[0].probs == (Fraction(1, 3), Fraction(2, 3))
    game = _deterrence_game(0.123456789123)
    back = read_game(write_game(game), text=True)
    probs = back.chance_infos[0].probs
    assert sum(probs) == 1 and abs(float(probs[0]) - 0.123456789123) < 1e-15


def test_write_game_to_path(tmp_path):
    g = read_game(DATA / "gambit_outcomes.nfg")
    target = tmp_path / "out.nfg"
    text = write_game(g, target)
    assert target.read_text(encoding="utf-8") == text
    assert dt.write_game is write_game and dt.read_game is read_game
    with pytest.raises(UnsupportedError):
        write_game(g, tmp_path / "out.efg")
    efg = read_game(DATA / "gambit_features.efg")
    write_game(efg, tmp_path / "x.efg")
    assert canon_ours_tree(read_game(tmp_path / "x.efg")) == canon_ours_tree(efg)


@needs_gambit
@pytest.mark.oracle
def test_quotes_and_backslashes_written_by_gambit():
    g = gbt.Game.new_table([1, 1])
    g.title = 'a "quoted" \\neg title'
    first = next(iter(g.players))
    first.label = 'say "hi"'
    ours = read_game(g.to_nfg(), text=True)
    assert ours.title == 'a "quoted" \\neg title'
    assert ours.players[0] == 'say "hi"'
    again = gbt.read_nfg(io.StringIO(write_game(ours)))
    assert next(iter(again.players)).label == 'say "hi"'


def test_format_number():
    assert [format_number(v) for v in (3, -7, Fraction(1, 3), Fraction(-5, 4), 0.1, 2.0, np.int64(4))] == [
        "3", "-7", "1/3", "-1.25", "0.1", "2", "4"]
    with pytest.raises(FormatError):
        format_number(float("nan"))


def test_normalize_labels_like_gambit():
    assert normalize_labels(["a", "b"]) == ["a", "b"]
    assert normalize_labels(["", ""]) == ["_1", "_2"]
    assert normalize_labels(["x", "x", "x_1"]) == ["x_2", "x_3", "x_1"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=string.printable + 'é"\\', max_size=12))
def test_quoted_text_round_trips(label):
    tokens = tokenize(_quote(label))
    assert tokens[0].kind == "text" and tokens[0].text == label


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 3), min_size=1, max_size=3).flatmap(
        lambda shape: st.tuples(
            st.just(tuple(shape)),
            st.lists(
                st.one_of(st.integers(-50, 50), st.fractions(min_value=-5, max_value=5, max_denominator=8)),
                min_size=len(shape) * int(np.prod(shape)),
                max_size=len(shape) * int(np.prod(shape)),
            ),
        )
    ),
    st.booleans(),
)
def test_nfg_round_trip_property(shape_values, outcome_version):
    shape, values = shape_values
    n = len(shape)
    arrays = [np.array([float(v) for v in values[i::n]]).reshape(shape) for i in range(n)]
    game = NormalFormGame(arrays, title="random")
    back = parse_nfg(format_nfg(game, outcome_version=outcome_version))
    assert_same_table(canon_ours_table(back), canon_ours_table(game))


def test_efg_round_trip_keeps_exact_values():
    g = read_game(DATA / "gambit_features.efg")
    back = parse_efg(format_efg(g))
    assert canon_ours_tree(back) == canon_ours_tree(g)
    assert back.payoff_values == g.payoff_values
    assert [type(v) for v in back.payoff_values[0]] == [type(v) for v in g.payoff_values[0]]


# ------------------------------------------------------------------------ malformed files
EFG = """EFG 2 R "base" { "A" "B" }
""

c "" 1 "nature" { "x" 1/3 "y" 2/3 } 0
p "" 1 1 "a1" { "L" "R" } 1 "start" { 1, -1 }
p "" 2 1 "b1" { "l" "r" } 0
t "" 2 "o2" { 2, 0 }
t "" 3 "o3" { 0, 2 }
t "" 4 "o4" { 1/2, .5 }
p "" 1 2 "a2" { "L" "R" } 0
p "" 2 1 "b1" { "l" "r" } 0
t "" 2
t "" 3 "o3" { 0, 2 }
t "" 0
"""

NFG = """NFG 1 R "base" { "A" "B" } { 2 2 }
""

1 1
2 2
3 3
4 4
"""

NFG_OUTCOMES = """NFG 1 R "base" { "A" "B" } { { "u" "d" } { "l" "r" } }

{
{ "one" 1, 1 }
{ "two" 2, 2 }
}
1 2
0 1
"""


def _edit(base: str, line: int, new: str | None) -> str:
    """The base text with one line replaced (``None`` deletes it)."""
    lines = base.splitlines()
    if new is None:
        del lines[line - 1]
    else:
        lines[line - 1] = new
    return "\n".join(lines) + "\n"


def test_base_texts_are_valid():
    g = parse_efg(EFG)
    # x/L/l: "start" (1, -1) + "o2" (2, 0)
    assert g.payoff_values[0] == (3, -1)
    assert len(g.infosets_of(1)[0].nodes) == 2
    assert parse_nfg(NFG).payoffs[0].tolist() == [[1, 3], [2, 4]]
    # outcome indices in profile order (u,l) (d,l) (u,r) (d,r)
    assert parse_nfg(NFG_OUTCOMES).payoffs[1].tolist() == [[1, 0], [2, 1]]


MALFORMED = [
    # (id, text, line named in the error, a fragment of the message)
    ("missing header", "\n\nGAME 1 R", 3, "expected 'NFG' or 'EFG'"),
    ("empty file", "", 1, "expected 'NFG' or 'EFG'"),
    ("efg wrong version", _edit(EFG, 1, 'EFG 3 R "base" { "A" "B" }'), 1, "version"),
    ("efg truncated", "\n".join(EFG.splitlines()[:-2]), 12, "ends before the game tree is complete"),
    ("efg trailing text", EFG + 't "" 0\n', 15, "after the last node"),
    ("efg unknown outcome", _edit(EFG, 12, 't "" 9'), 12, "unknown outcome 9"),
    ("efg outcome redefined", _edit(EFG, 13, 't "" 3 "o3" { 0, 5 }'), 13, "outcome 3 is defined differently"),
    ("efg payoff count", _edit(EFG, 7, 't "" 2 "o2" { 2 }'), 7, "gives 1 payoff(s), but the game has 2"),
    ("efg too many payoffs", _edit(EFG, 7, 't "" 2 "o2" { 2, 0, 5 }'), 7, "gives 3 payoff(s)"),
    ("efg non-numeric payoff", _edit(EFG, 7, 't "" 2 "o2" { 2, x }'), 7, "found 'x'"),
    ("efg malformed number", _edit(EFG, 7, 't "" 2 "o2" { 2, 1.2.3 }'), 7, "malformed number '1.2.3'"),
    ("efg unterminated string", _edit(EFG, 14, 't "oops 0'), 14, "never closed"),
    ("efg probabilities", _edit(EFG, 4, 'c "" 1 "nature" { "x" 1/3 "y" 1/3 } 0'), 4, "sum to 2/3, not 1"),
    ("efg negative probability", _edit(EFG, 4, 'c "" 1 "n" { "x" -1/3 "y" 4/3 } 0'), 4, "outside [0, 1]"),
    ("efg infoset actions differ", _edit(EFG, 11, 'p "" 2 1 "b1" { "l" "m" } 0'), 11, "has actions"),
    ("efg infoset name differs", _edit(EFG, 11, 'p "" 2 1 "b2" { "l" "r" } 0'), 11, "is named"),
    ("efg infoset undefined", _edit(EFG, 10, 'p "" 1 7 0'), 10, "used before its actions are given"),
    ("efg no such player", _edit(EFG, 10, 'p "" 3 2 "a2" { "L" "R" } 0'), 10, "player 3 does not exist"),
    ("efg unknown node type", _edit(EFG, 14, 'x "" 0'), 14, "node type"),
    ("efg missing outcome", _edit(EFG, 6, 'p "" 2 1 "b1" { "l" "r" }'), 6, "expected an outcome number"),
    ("efg null outcome with payoffs", _edit(EFG, 14, 't "" 0 "z" { 1, 1 }'), 14, "outcome 0"),
    ("efg no players", _edit(EFG, 1, 'EFG 2 R "base" { }'), 1, "no players"),
    ("efg no actions", _edit(EFG, 5, 'p "" 1 1 "a1" { } 0'), 5, "has no actions"),
    ("nfg truncated payoffs", NFG.rstrip()[:-4], 6, "ends after 6 payoffs"),
    ("nfg too many payoffs", NFG + "5 5\n", 8, "after the last payoff"),
    ("nfg non-numeric payoff", _edit(NFG, 5, "2 two"), 5, "found 'two'"),
    ("nfg strategy counts", _edit(NFG, 1, 'NFG 1 R "base" { "A" "B" } { 2 }'), 1, "given for 1 player(s)"),
    ("nfg no players", _edit(NFG, 1, 'NFG 1 R "base" { } { }'), 1, "no players"),
    ("nfg outcome payoff count", _edit(NFG_OUTCOMES, 5, '{ "two" 2 }'), 5, "gives 1 payoff(s)"),
    ("nfg unknown outcome index", _edit(NFG_OUTCOMES, 8, "0 3"), 8, "unknown outcome index 3"),
    ("nfg too few outcome indices", _edit(NFG_OUTCOMES, 8, "0"), 8, "ends after 3 outcome indices"),
    ("nfg fractional outcome index", _edit(NFG_OUTCOMES, 8, "0 1.5"), 8, "whole number"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), [pytest.param(*m[1:], id=m[0]) for m in MALFORMED])
def test_malformed_text_names_the_line(text, line, fragment):
    with pytest.raises(FormatError) as info:
        read_game(text, text=True)
    err = info.value
    assert err.line == line, str(err)
    assert f":{line}:" in str(err)
    assert fragment in str(err)


def test_malformed_file_names_the_file(tmp_path):
    path = tmp_path / "bad.efg"
    path.write_text(_edit(EFG, 12, 't "" 9'), encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad\.efg:12: unknown outcome 9"):
        read_game(path)
    with pytest.raises(FormatError, match="cannot read"):
        read_game(tmp_path / "missing.nfg")
    with pytest.raises(FormatError) as info:
        read_game(path)
    assert isinstance(info.value, ValueError) and info.value.file == str(path)
