"""The plain reading of ``.efg`` files (one regular expression per node record) against the checked
reader (token by token): on every file it reads, the same game; on any other text, it steps aside.

The checked reader is what ``parse_efg`` runs when the plain reading declines; these tests run it
directly (``_checked``) to compare. The fuzz test rewrites files token by token with random
separators, dropped or repeated tokens: whichever way ``parse_efg`` reads the result, the game or
the error must be the checked reader's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.trees import random_tree
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.errors import FormatError
from deterrence.gambit import _efg, format_efg, parse_efg, tokenize
from deterrence.gambit._lexer import EOF, TEXT, _quote

try:
    import pygambit as gbt
except ImportError:  # pragma: no cover - pygambit is a test dependency
    gbt = None

DATA = Path(__file__).parent / "data"


def _texts() -> list[tuple[str, str]]:
    out = [(p.name, p.read_text()) for p in sorted(DATA.glob("*.efg"))]
    out += [(f"random tree {s}", dt.write_game(random_tree(s, rounds=2, types=2))) for s in range(3)]
    if gbt is not None:
        for slug in gbt.catalog.games()["Game"]:
            g = gbt.catalog.load(slug)
            if g.is_tree:
                out.append((slug, g.to_efg()))
    return out


TEXTS = _texts()


def _checked(text: str):
    """The game as the checked reader alone reads it."""
    plain, _efg._read_plain = _efg._read_plain, lambda text: None
    try:
        return parse_efg(text)
    finally:
        _efg._read_plain = plain


def _facts(game) -> tuple:
    """Everything the reader sets, in a comparable form."""
    return (game.title, game.players, format_efg(game), game.payoff_values, [h.name for h in game.infosets],
            [(c.name, c.actions, c.probs) for c in game.chance_infos], game.interior_outcomes,
            game.terminal_names, [nd.label for nd in game.nodes])


def _assert_reads_as_checked(text: str) -> None:
    """``parse_efg`` gives the checked reader's game, or raises its error."""
    try:
        expected = _facts(_checked(text))
    except FormatError as exc:
        with pytest.raises(FormatError) as raised:
            parse_efg(text)
        assert str(raised.value) == str(exc)
    else:
        assert _facts(parse_efg(text)) == expected


@pytest.mark.parametrize("name,text", TEXTS, ids=[n for n, _ in TEXTS])
def test_plain_reading_reads_the_files_and_builds_the_checked_readers_game(name: str, text: str) -> None:
    assert _efg._read_plain(text) is not None, f"{name} is plainly written but was not read plainly"
    assert _facts(parse_efg(text)) == _facts(_checked(text))


@pytest.mark.parametrize("text", [
    'EFG 2 R "" { "A" "B" }\np "" 1 1 "" { "x" "y" } 0\nt ""1 "o" { 1 2 }\nt "" 2 "q" { 3, 4 }\n',  # glued
    'EFG 2 R "" { "A" "B" }\np "" 1 1 "" { "x" "y" } 0\nt "" +1 "o" { 1 2 }\nt "" 2 "q" { 3 4 }\n',  # +1
    'EFG 2 R "" { "A" "B" }\np "" 1 1 "" { "x" "y" } 0\nt "" 1 "o" { ,1 2 }\nt "" 2 "q" { 3 4 }\n',  # comma
    'EFG 2 R "" { "A" "B" }\np "" 1 1 "" { "x" "y" } 0\nt "" 1 "o" { 1 2 }\nt "" 1 "o" { 1 3 }\n',  # differs
    'EFG 2 R "" { "A" "B" }\nc "" 1 "" { "x" 1/2 "y" 1/3 } 0\nt "" 1 "o" { 1 2 }\nt "" 0\n',  # sum 5/6
    'EFG 2 R "" { "A" "B" }\np "" 3 1 "" { "x" "y" } 0\nt "" 1 "o" { 1 2 }\nt "" 0\n',  # no player 3
    'EFG 2 R "" { "A" "B" }\np "" 1 1 "" { "x" "y" } 0\nt "" 0p "" 1 1 0\n',  # 0p is one word
    'EFG 2 R "" { "A" "B" }\np "" 1 1 "" { "x" "y" } 0\nt "" \u0661 "o" { 1 2 }\nt "" 0\n',  # not 0-9
    'EFG 2 R "" { "A" "B" }\np "" 1 1 "" { "x" "y" } 0\nt "" 1 "o" { 1 2 }\nt "" 0\n t',  # trailing
    'EFG 2 R "" { "A" "B" }\np "" 1 1 "" { "x" "y } 0\nt "" 1 "o" { 1 2 }\nt "" 0\n',  # open quote
])
def test_other_texts_are_left_to_the_checked_reader(text: str) -> None:
    assert _efg._read_plain(text) is None
    _assert_reads_as_checked(text)


def _rewritten(text: str, seps: list[str], edits: list[tuple[int, int]]) -> str:
    """``text`` token by token, joined by ``seps`` in turn, with token ``k`` dropped (``d == 0``),
    repeated (``d == 2``) or kept for each edit ``(k, d)``."""
    words = [_quote(t.text) if t.kind == TEXT else t.text for t in tokenize(text) if t.kind != EOF]
    counts = [1] * len(words)
    for k, d in edits:
        counts[k % len(words)] = d
    out = []
    for n, (word, c) in enumerate(zip(words, counts, strict=True)):
        out.extend([word, seps[n % len(seps)]] * c)
    return "".join(out)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([t for _, t in TEXTS[:8]]),
       st.lists(st.sampled_from([" ", "\n", "", "  \t", " , "]), min_size=1, max_size=6),
       st.lists(st.tuples(st.integers(0, 400), st.integers(0, 2)), max_size=2))
def test_any_rewriting_reads_as_the_checked_reader_reads_it(text: str, seps: list[str],
                                                            edits: list[tuple[int, int]]) -> None:
    _assert_reads_as_checked(_rewritten(text, seps, edits))
