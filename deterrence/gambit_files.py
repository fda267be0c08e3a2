"""Read and write Gambit game files: ``.nfg`` (normal form) and ``.efg`` (extensive form).

The reader follows the formats of Gambit 16 (``NFG 1 R`` in both its payoff and its
outcome version, ``EFG 2 R``). Text is split by a tokenizer that tracks line numbers, so
every malformed file raises :class:`~deterrence.errors.FormatError` naming the file and the
line. Numbers stay exact: integers are ``int``, decimals and rationals such as ``1/3`` are
:class:`fractions.Fraction` (``NormalFormGame`` keeps integer payoffs as integers and the
rest as floats).

Gambit outcome names are not outcome labels of the ``deterrence`` vocabulary: they are kept
as the terminal nodes' ``name`` and the game is built with ``check_labels=False``. Payoffs of
outcomes attached to non-terminal nodes are added to every terminal node below them. As in
Gambit 16, empty or repeated player, strategy and action names are made distinct by a
suffix ``_1``, ``_2``, ... Information sets are keyed by name in ``deterrence``, so an
empty or repeated information-set name becomes ``(player,number)`` (chance: ``(0,number)``).

Examples
--------
>>> g = read_game('NFG 1 R "PD" { "Row" "Col" } { 2 2 } 3 3 5 0 0 5 1 1', text=True)
>>> g.players, g.shape
(('Row', 'Col'), (2, 2))
>>> g.payoffs[0].tolist()
[[3.0, 0.0], [5.0, 1.0]]
>>> print(write_game(g).splitlines()[0])
NFG 1 R "PD" { "Row" "Col" } { { "1" "2" } { "1" "2" } }
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .errors import FormatError, GameError, UnsupportedError
from .game.extensive import CHANCE, DECISION, ExtensiveFormGame
from .game.normal import NormalFormGame
from .game.tree import ChanceNode, DecisionNode, Node, TerminalNode

Exact = int | Fraction
"""An exact number read from a file."""

# ---------------------------------------------------------------------------------- tokens
NUMBER, TEXT, SYMBOL, LBRACE, RBRACE, COMMA, EOF = "number", "text", "symbol", "{", "}", ",", "eof"

_INT_RE = re.compile(r"[+-]?\d+\Z")
_RATIONAL_RE = re.compile(r"[+-]?\d+/\d+\Z")
_DECIMAL_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_NUMBER_START = frozenset("0123456789+-.")
_TOKEN_RE = re.compile(
    r'[^\S\n]*(?:(?P<newline>\n)|(?P<brace>[{},])|(?P<text>"(?:[^"\\]|\\.)*")|(?P<open>")'
    r'|(?P<word>[^\s{},"]+))',
    re.DOTALL,
)
_UNESCAPE_RE = re.compile(r'\\(["\\])')
_MAX_DIGITS = 400  # longer numbers are surely a mistake (and would be slow to convert)


class Token(NamedTuple):
    """One lexical token: its kind, its text (unescaped for quoted text), its line and value."""

    kind: str
    text: str
    line: int
    value: Exact | None = None

    def describe(self) -> str:
        """The token as shown in error messages."""
        if self.kind == EOF:
            return "the end of the file"
        if self.kind == TEXT:
            shown = self.text if len(self.text) <= 40 else self.text[:37] + "..."
            return f"quoted text {_quote(shown)}"
        if self.kind in (LBRACE, RBRACE, COMMA):
            return f"'{self.kind}'"
        return f"'{self.text}'"


def _number(text: str, line: int, file: str | None) -> Exact:
    """Parse one numeric token exactly: ``int`` for integers, ``Fraction`` otherwise."""
    if len(text) > _MAX_DIGITS:
        raise FormatError(f"number '{text[:20]}...' is too long", file=file, line=line)
    if _INT_RE.match(text):
        return int(text)
    if _RATIONAL_RE.match(text):
        num, den = text.split("/")
        if int(den) == 0:
            raise FormatError(f"number '{text}' divides by zero", file=file, line=line)
        value = Fraction(int(num), int(den))
    elif _DECIMAL_RE.match(text):
        exponent = text.lower().partition("e")[2]
        if exponent and abs(int(exponent)) > 300:
            raise FormatError(f"number '{text}' is out of range", file=file, line=line)
        value = Fraction(text)
    else:
        raise FormatError(f"malformed number '{text}'", file=file, line=line)
    if abs(value) > 1e300:
        raise FormatError(f"number '{text}' is out of range", file=file, line=line)
    return int(value) if value.denominator == 1 else value


def tokenize(text: str, file: str | None = None) -> list[Token]:
    """Split Gambit file text into tokens, each with its 1-based line number.

    Quoted text may span lines. Inside it, ``\\"`` stands for a quote and ``\\\\`` for a
    backslash; any other backslash is kept as it is, as Gambit does (its own catalogue has
    LaTeX such as ``\\neg`` in game descriptions).

    Raises
    ------
    FormatError
        For an unterminated quoted text or a malformed number.
    """
    tokens: list[Token] = []
    append = tokens.append
    line = 1
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "newline":
            line += 1
        elif kind == "word":
            word = m.group(kind)
            if word[0] in _NUMBER_START:
                value = int(word) if len(word) < 20 and _INT_RE.match(word) else _number(word, line, file)
                append(Token(NUMBER, word, line, value))
            else:
                append(Token(SYMBOL, word, line))
        elif kind == "text":
            body = m.group(kind)[1:-1]
            append(Token(TEXT, _UNESCAPE_RE.sub(r"\1", body) if "\\" in body else body, line))
            line += body.count("\n")
        elif kind == "brace":
            append(Token(m.group(kind), m.group(kind), line))
        else:  # a quote that is never closed
            raise FormatError(f"quoted text opened on line {line} is never closed", file=file, line=line)
    append(Token(EOF, "", tokens[-1].line if tokens else 1))
    return tokens


class _Parser:
    """A cursor over the tokens with helpers that raise ``FormatError`` naming the line."""

    def __init__(self, text: str, file: str | None) -> None:
        self.file = file
        self.tokens = tokenize(text, file)
        self.pos = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def next(self) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind != EOF:
            self.pos += 1
        return tok

    def error(self, message: str, line: int) -> FormatError:
        return FormatError(message, file=self.file, line=line)

    def expect(self, kind: str, what: str) -> Token:
        index = self.pos
        tok = self.next()
        if tok.kind != kind:
            if tok.kind == EOF:
                raise self.error(f"the file ends where {what} was expected", tok.line)
            before = self.tokens[index - 1].line if index > 0 else tok.line
            if before < tok.line:  # the record on the line before is incomplete
                raise self.error(f"expected {what}, found {tok.describe()} on line {tok.line}", before)
            raise self.error(f"expected {what}, found {tok.describe()}", tok.line)
        return tok

    def integer(self, what: str, minimum: int | None = None) -> tuple[int, Token]:
        tok = self.expect(NUMBER, what)
        if not isinstance(tok.value, int) or not _INT_RE.match(tok.text):
            raise self.error(f"expected {what} (a whole number), found '{tok.text}'", tok.line)
        if minimum is not None and tok.value < minimum:
            raise self.error(f"{what} must be at least {minimum}, found {tok.value}", tok.line)
        return tok.value, tok

    def text_list(self, what: str) -> tuple[list[str], Token]:
        """``{ "a" "b" ... }``: a braced list of quoted texts."""
        opening = self.expect(LBRACE, f"'{{' opening the {what}")
        items = []
        while self.peek().kind == TEXT:
            items.append(self.next().text)
        self.expect(RBRACE, f"quoted text or '}}' closing the {what}")
        return items, opening

    def numbers(self, what: str, count: int, opening: Token) -> tuple[Exact, ...]:
        """Numbers (optionally separated by commas) up to the closing ``}`` of ``opening``."""
        values: list[Exact] = []
        while True:
            tok = self.next()
            if tok.kind == RBRACE:
                break
            if tok.kind == COMMA and values:
                continue
            if tok.kind == NUMBER:
                values.append(tok.value)  # type: ignore[arg-type]
                continue
            if tok.kind == EOF:
                raise self.error(
                    f"the file ends inside the payoffs of {what} (line {opening.line})", tok.line
                )
            raise self.error(f"expected a payoff or '}}' in {what}, found {tok.describe()}", tok.line)
        if len(values) != count:
            raise self.error(
                f"{what} gives {len(values)} payoff(s), but the game has {count} player(s)", opening.line
            )
        return tuple(values)

    def header(self, kind: str, version: str) -> str:
        """``NFG 1 R "title"`` or ``EFG 2 R "title"``; returns the title."""
        tok = self.next()
        if tok.kind != SYMBOL or tok.text != kind:
            raise self.error(
                f"expected the file type '{kind}' at the start, found {tok.describe()}", tok.line
            )
        tok = self.next()
        if tok.kind != NUMBER or tok.text != version:
            raise self.error(f"only {kind} version {version} is supported, found {tok.describe()}", tok.line)
        tok = self.next()
        if tok.kind != SYMBOL or tok.text not in ("R", "D"):
            raise self.error(f"expected the number type 'R' or 'D', found {tok.describe()}", tok.line)
        return self.expect(TEXT, "the game title (quoted text)").text

    def end(self, after: str) -> None:
        tok = self.peek()
        if tok.kind != EOF:
            raise self.error(f"unexpected {tok.describe()} after {after}", tok.line)


def normalize_labels(labels: Sequence[str]) -> list[str]:
    """Make labels distinct and non-empty the way Gambit 16 does.

    A label that is empty or repeated gets the suffix ``_1``, ``_2``, ... (the next one
    not already in use); a unique non-empty label is kept.

    >>> normalize_labels(["x", "x", "", "y"])
    ['x_1', 'x_2', '_1', 'y']
    """
    counts: dict[str, int] = {}
    for lab in labels:
        counts[lab] = counts.get(lab, 0) + 1
    used = set(labels)
    visited: dict[str, int] = {}
    out = []
    for lab in labels:
        if counts[lab] == 1 and lab != "":
            out.append(lab)
            continue
        while True:
            visited[lab] = visited.get(lab, 0) + 1
            candidate = f"{lab}_{visited[lab]}"
            if candidate not in used:
                break
        used.add(candidate)
        out.append(candidate)
    return out


def _show(x: Exact) -> str:
    """A number for error messages: exact when short, else rounded."""
    text = str(x)
    return text if len(text) <= 24 else f"{float(x):.15g}"


def _exact_sum(values: Sequence[Exact]) -> Exact:
    total = sum(values, start=0)
    if isinstance(total, Fraction) and total.denominator == 1:
        return int(total)
    return total


# ---------------------------------------------------------------------------------- .nfg
def parse_nfg(text: str, file: str | None = None) -> NormalFormGame:
    """Parse the text of a Gambit ``.nfg`` file (payoff or outcome version).

    Payoffs are listed with player 1's strategy changing fastest.

    Raises
    ------
    FormatError
        If the text is not a well-formed ``.nfg`` file; the message names the line.
    """
    p = _Parser(text, file)
    title = p.header("NFG", "1")
    players, players_tok = p.text_list("list of player names")
    if not players:
        raise p.error("the game has no players", players_tok.line)
    opening = p.expect(LBRACE, "'{' opening the strategy list")
    strategies: list[list[str]] = []
    if p.peek().kind == LBRACE:
        while p.peek().kind == LBRACE:
            names, tok = p.text_list(f"strategy names of player {len(strategies) + 1}")
            if not names:
                raise p.error(f"player {len(strategies) + 1} has no strategies", tok.line)
            strategies.append(names)
        p.expect(RBRACE, "'{' or '}' in the strategy list")
    else:
        while p.peek().kind == NUMBER:
            count, _ = p.integer(f"the number of strategies of player {len(strategies) + 1}", minimum=1)
            strategies.append([str(k + 1) for k in range(count)])
        p.expect(RBRACE, "a number of strategies or '}'")
    if len(strategies) != len(players):
        raise p.error(
            f"strategies are given for {len(strategies)} player(s), but the file names {len(players)}",
            opening.line,
        )
    if p.peek().kind == TEXT:  # optional comment
        p.next()
    shape = tuple(len(s) for s in strategies)
    nplayers, ncells = len(players), math.prod(shape)
    start = p.peek()
    if start.kind == LBRACE:
        table = _nfg_outcome_body(p, nplayers, ncells)
    elif start.kind == NUMBER:
        table = _nfg_payoff_body(p, nplayers, ncells, shape)
    else:
        raise p.error(f"expected payoffs or an outcome list, found {start.describe()}", start.line)
    arrays = _payoff_arrays(table, shape)
    try:
        return NormalFormGame(
            arrays,
            players=normalize_labels(players),
            strategies=[normalize_labels(s) for s in strategies],
            title=title,
        )
    except GameError as exc:  # not expected: the parser checks what the game checks
        raise FormatError(str(exc), file=file) from None


def _nfg_payoff_body(
    p: _Parser, nplayers: int, ncells: int, shape: tuple[int, ...]
) -> list[tuple[Exact, ...]]:
    need = nplayers * ncells
    values: list[Exact] = []
    while len(values) < need:
        tok = p.next()
        if tok.kind == NUMBER:
            values.append(tok.value)  # type: ignore[arg-type]
        elif tok.kind == EOF:
            raise p.error(
                f"the file ends after {len(values)} payoffs; a game of {nplayers} players and shape "
                f"{'x'.join(map(str, shape))} needs {need}",
                tok.line,
            )
        else:
            raise p.error(f"expected a payoff (a number), found {tok.describe()}", tok.line)
    p.end(f"the last payoff ({need} payoffs expected)")
    return [tuple(values[k * nplayers : (k + 1) * nplayers]) for k in range(ncells)]


def _nfg_outcome_body(p: _Parser, nplayers: int, ncells: int) -> list[tuple[Exact, ...]]:
    p.expect(LBRACE, "'{' opening the outcome list")
    outcomes: list[tuple[Exact, ...]] = []
    while p.peek().kind == LBRACE:
        opening = p.next()
        p.expect(TEXT, f"the name of outcome {len(outcomes) + 1} (quoted text)")
        outcomes.append(p.numbers(f"outcome {len(outcomes) + 1}", nplayers, opening))
    p.expect(RBRACE, "'{' opening an outcome or '}' closing the outcome list")
    zero = (0,) * nplayers
    table: list[tuple[Exact, ...]] = []
    while len(table) < ncells:
        tok = p.peek()
        if tok.kind == EOF:
            raise p.error(
                f"the file ends after {len(table)} outcome indices; the game needs {ncells}", tok.line
            )
        index, tok = p.integer("an outcome index")
        if not 0 <= index <= len(outcomes):
            raise p.error(
                f"unknown outcome index {index} "
                f"(the file defines outcomes 1 to {len(outcomes)}; 0 means none)",
                tok.line,
            )
        table.append(outcomes[index - 1] if index else zero)
    p.end(f"the last outcome index ({ncells} expected)")
    return table


def _payoff_arrays(table: list[tuple[Exact, ...]], shape: tuple[int, ...]) -> list[np.ndarray]:
    """Per-player arrays from rows listed with player 1's strategy changing fastest."""
    integral = all(isinstance(v, int) and abs(v) < 2**62 for row in table for v in row)
    dtype = np.int64 if integral else float
    flat = np.array([[v if integral else float(v) for v in row] for row in table], dtype=dtype)
    return [flat[:, i].reshape(shape, order="F") for i in range(len(shape))]


# ---------------------------------------------------------------------------------- .efg
@dataclass
class _Infoset:
    label: str
    actions: list[str]
    line: int
    probs: tuple[Exact, ...] | None = None  # chance only
    name: str = ""  # the name in deterrence (unique)
    names: list[str] = field(default_factory=list)  # action names, made distinct

    def __post_init__(self) -> None:
        self.names = normalize_labels(self.actions)


@dataclass
class _Outcome:
    label: str
    payoffs: tuple[Exact, ...]
    line: int


def parse_efg(text: str, file: str | None = None) -> ExtensiveFormGame:
    """Parse the text of a Gambit ``.efg`` file (``EFG 2 R``).

    Raises
    ------
    FormatError
        If the text is not a well-formed ``.efg`` file; the message names the line.
    """
    p = _Parser(text, file)
    title = p.header("EFG", "2")
    raw_players, players_tok = p.text_list("list of player names")
    if not raw_players:
        raise p.error("the game has no players", players_tok.line)
    players = normalize_labels(raw_players)
    if p.peek().kind == TEXT:  # optional comment
        p.next()
    nplayers = len(players)
    infosets: dict[tuple[int, int], _Infoset] = {}
    outcomes: dict[int, _Outcome] = {}
    members: list[tuple[Node, tuple[int, int]]] = []
    zero: tuple[Exact, ...] = (0,) * nplayers

    def read_outcome() -> _Outcome | None:
        index, tok = p.integer("an outcome number", minimum=0)
        if p.peek().kind == TEXT:
            if index == 0:
                raise p.error("outcome 0 means 'no outcome' and cannot have a name or payoffs", tok.line)
            label = p.next().text
            opening = p.expect(LBRACE, f"'{{' opening the payoffs of outcome {index}")
            payoffs = p.numbers(f"outcome {index}", nplayers, opening)
            known = outcomes.get(index)
            if known is None:
                outcomes[index] = _Outcome(label, payoffs, tok.line)
            elif known.label != label or known.payoffs != payoffs:
                raise p.error(
                    f"outcome {index} is defined differently on line {known.line} "
                    f"({_quote(known.label)} {list(map(_show, known.payoffs))}) and here "
                    f"({_quote(label)} {list(map(_show, payoffs))})",
                    tok.line,
                )
            return outcomes[index]
        if index == 0:
            return None
        if index not in outcomes:
            raise p.error(
                f"unknown outcome {index}: it is used before its name and payoffs are given", tok.line
            )
        return outcomes[index]

    def read_infoset(key: tuple[int, int], who: str, start: Token, chance: bool) -> _Infoset:
        known = infosets.get(key)
        if p.peek().kind != TEXT:
            if known is None:
                raise p.error(f"{who} is used before its actions are given", start.line)
            return known
        label = p.next().text
        opening = p.expect(LBRACE, f"'{{' opening the actions of {who}")
        actions: list[str] = []
        probs: list[Exact] = []
        while True:
            tok = p.next()
            if tok.kind == RBRACE:
                break
            if tok.kind != TEXT:
                if tok.kind == EOF:
                    raise p.error(f"the file ends inside the actions of {who} opened on line {opening.line}",
                                  tok.line)
                raise p.error(
                    f"expected an action name (quoted text) or '}}', found {tok.describe()}", tok.line
                )
            actions.append(tok.text)
            if chance:
                ptok = p.expect(NUMBER, f"the probability of chance action {_quote(tok.text)}")
                prob = ptok.value
                if prob < 0 or prob > 1:  # type: ignore[operator]
                    raise p.error(
                        f"probability {ptok.text} of chance action {_quote(tok.text)} is outside [0, 1]",
                        ptok.line,
                    )
                probs.append(prob)  # type: ignore[arg-type]
        if not actions:
            raise p.error(f"{who} has no actions", opening.line)
        if chance and _exact_sum(probs) != 1:
            raise p.error(
                f"the probabilities of {who} sum to {_show(_exact_sum(probs))}, not 1 "
                f"({', '.join(map(_show, probs))})",
                start.line,
            )
        if known is None:
            info = _Infoset(label, actions, start.line, tuple(probs) if chance else None)
            infosets[key] = info
            return info
        if known.label != label:
            raise p.error(
                f"{who} is named {_quote(known.label)} on line {known.line} but {_quote(label)} here",
                start.line,
            )
        if known.actions != actions:
            raise p.error(
                f"{who} has actions {known.actions} on line {known.line} but {actions} here", start.line
            )
        if chance and known.probs != tuple(probs):
            raise p.error(
                f"{who} has probabilities {list(map(_show, known.probs or ()))} on line {known.line} "
                f"but {list(map(_show, probs))} here",
                start.line,
            )
        return known

    def read_node(accumulated: tuple[Exact, ...]) -> tuple[Node, _Infoset | None, tuple[Exact, ...]]:
        """One node record; returns the node, its information set and the payoffs accumulated so far."""
        start = p.next()
        if start.kind == EOF:
            raise p.error("the file ends before the game tree is complete", start.line)
        if start.kind != SYMBOL or start.text not in ("p", "c", "t"):
            raise p.error(f"expected a node type 'p', 'c' or 't', found {start.describe()}", start.line)
        label = p.expect(TEXT, "the node name (quoted text)").text or None
        if start.text == "t":
            outcome = read_outcome()
            payoffs = _add(accumulated, outcome.payoffs if outcome else zero)
            name = outcome.label if outcome else None
            return TerminalNode(payoffs=list(payoffs), outcome=(), label=label, name=name), None, payoffs
        if start.text == "c":
            number, _ = p.integer("a chance information set number", minimum=0)
            key = (0, number)
            info = read_infoset(key, f"chance information set {number}", start, chance=True)
            node: Node = ChanceNode(branches={}, label=label)
        else:
            player, ptok = p.integer("a player number", minimum=1)
            if player > nplayers:
                raise p.error(
                    f"player {player} does not exist (the file names {nplayers} players)", ptok.line
                )
            number, _ = p.integer("an information set number", minimum=0)
            key = (player, number)
            info = read_infoset(key, f"information set {number} of player {player}", start, chance=False)
            node = DecisionNode(player=players[player - 1], actions={}, label=label)
        outcome = read_outcome()
        members.append((node, key))
        return node, info, _add(accumulated, outcome.payoffs if outcome else zero)

    # iterative preorder: a stack of (node, its information set, payoffs so far, next child)
    root, info, acc = read_node(zero)
    stack: list[tuple[Node, _Infoset, tuple[Exact, ...], int]] = []
    if info is not None:
        stack.append((root, info, acc, 0))
    while stack:
        parent, info, acc, k = stack.pop()
        if k + 1 < len(info.actions):
            stack.append((parent, info, acc, k + 1))
        child, child_info, child_acc = read_node(acc)
        if isinstance(parent, DecisionNode):
            parent.actions[info.names[k]] = child
        elif isinstance(parent, ChanceNode):
            parent.branches[info.names[k]] = (info.probs[k], child)  # type: ignore[index]
        if child_info is not None:
            stack.append((child, child_info, child_acc, 0))
    p.end("the last node of the game tree")
    _name_infosets(infosets)
    for node, key in members:
        node.infoset = infosets[key].name
    try:
        return ExtensiveFormGame(root, players=players, title=title, check_labels=False)
    except GameError as exc:  # not expected: the parser checks what the game checks
        raise FormatError(str(exc), file=file) from None


def _add(a: tuple[Exact, ...], b: tuple[Exact, ...]) -> tuple[Exact, ...]:
    if not any(b):
        return a
    return tuple(_exact_sum((x, y)) for x, y in zip(a, b, strict=True))


def _name_infosets(infosets: dict[tuple[int, int], _Infoset]) -> None:
    """Give every information set a name that is unique within its namespace (players / chance).

    A unique non-empty Gambit label is kept; an empty one becomes ``(player,number)``
    and a repeated one ``label (player,number)``.
    """
    for chance in (True, False):
        keys = [k for k in infosets if (k[0] == 0) == chance]
        counts: dict[str, int] = {}
        for k in keys:
            counts[infosets[k].label] = counts.get(infosets[k].label, 0) + 1
        used = {lab for lab, c in counts.items() if c == 1 and lab}
        for k in keys:
            lab = infosets[k].label
            if lab and counts[lab] == 1:
                infosets[k].name = lab
                continue
            base = f"{lab} ({k[0]},{k[1]})" if lab else f"({k[0]},{k[1]})"
            name, extra = base, 0
            while name in used:
                extra += 1
                name = f"{base}_{extra}"
            used.add(name)
            infosets[k].name = name


# ---------------------------------------------------------------------------------- writing
def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _as_exact(x: Any) -> Exact:
    """A number as an exact value: ints and Fractions as they are; a float as the simplest fraction
    (denominator up to a million) that rounds to it, else as its shortest decimal."""
    if isinstance(x, bool):
        raise FormatError(f"cannot write {x!r} as a number")
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, Fraction):
        return int(x) if x.denominator == 1 else x
    try:
        f = float(x)
    except (TypeError, ValueError):
        raise FormatError(f"cannot write {x!r} as a number") from None
    if not math.isfinite(f):
        raise FormatError(f"cannot write the non-finite number {f} to a Gambit file")
    value = Fraction(Decimal(repr(f)))
    simple = value.limit_denominator(10**6)  # 1/3 as a float is written 1/3
    if simple != value and float(simple) == f:
        value = simple
    return int(value) if value.denominator == 1 else value


def format_number(x: Any) -> str:
    """A number as Gambit text: integers as such, exact decimals as decimals, else ``p/q``.

    >>> [format_number(v) for v in (3, Fraction(1, 3), Fraction(5, 4), 0.1, 2.0)]
    ['3', '1/3', '1.25', '0.1', '2']
    """
    v = _as_exact(x)
    if isinstance(v, int):
        return str(v)
    den = v.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den == 1 and max(twos, fives) <= 30:
        digits = max(twos, fives)
        scaled = v.numerator * (10**digits // v.denominator)
        sign = "-" if scaled < 0 else ""
        body = str(abs(scaled)).rjust(digits + 1, "0")
        return f"{sign}{body[:-digits]}.{body[-digits:]}"
    return f"{v.numerator}/{v.denominator}"


def _probabilities(probs: Sequence[Any]) -> list[Exact]:
    """Chance probabilities as exact values that sum to exactly one (float rounding is absorbed)."""
    exact = [_as_exact(p) for p in probs]
    total = _exact_sum(exact)
    if total != 1 and abs(float(total) - 1) < 1e-9:
        big = max(range(len(exact)), key=lambda k: exact[k])
        exact[big] = _exact_sum([1, *(-v for k, v in enumerate(exact) if k != big)])
    return exact


def format_nfg(game: NormalFormGame, outcome_version: bool = False) -> str:
    """The Gambit ``.nfg`` text of a normal-form game.

    Parameters
    ----------
    game
        The game.
    outcome_version
        Write the outcome version (a list of outcomes, then one outcome index per
        profile) instead of the payoff version.
    """
    exact = game.integer_payoffs()
    arrays = exact if exact is not None else game.payoffs
    columns = [np.asarray(a).reshape(-1, order="F") for a in arrays]
    rows = [" ".join(format_number(c[k]) for c in columns) for k in range(columns[0].size)]
    strategies = " ".join("{ " + " ".join(_quote(s) for s in names) + " }" for names in game.strategies)
    lines = [
        f"NFG 1 R {_quote(game.title)} {{ {' '.join(_quote(p) for p in game.players)} }} {{ {strategies} }}",
        '""',
        "",
    ]
    if outcome_version:  # one outcome per distinct payoff vector
        numbers: dict[str, int] = {}
        indices = [numbers.setdefault(row, len(numbers) + 1) for row in rows]
        lines.append("{")
        lines.extend(f'{{ "" {row.replace(" ", ", ")} }}' for row in numbers)
        lines.append("}")
        lines.append(" ".join(map(str, indices)))
    else:
        lines.extend(rows)
    return "\n".join(lines) + "\n"


def format_efg(game: ExtensiveFormGame) -> str:
    """The Gambit ``.efg`` text of an extensive-form game.

    Information sets keep their names; each terminal node gets an outcome whose name is
    the node's Gambit outcome name (or its outcome labels joined by ``+``) and whose
    payoffs are the node's payoffs. Terminal nodes without a name and with zero payoffs
    get no outcome.
    """
    players = " ".join(_quote(p) for p in game.players)
    lines = [f"EFG 2 R {_quote(game.title)} {{ {players} }}", '""', ""]
    number_in_player: dict[int, int] = {}
    for p_i in range(game.num_players):
        for k, h in enumerate(game.infosets_of(p_i)):
            number_in_player[h.index] = k + 1
    outcome_numbers: dict[tuple[str, tuple[str, ...]], int] = {}
    # Gambit 16.7 insists that non-empty node names are unique
    named = iter(normalize_labels([nd.label for nd in game.nodes if nd.label]))
    node_labels = [next(named) if nd.label else "" for nd in game.nodes]
    for nd in game.nodes:
        label = _quote(node_labels[nd.index])
        if nd.kind == DECISION:
            h = game.infosets[nd.infoset]
            acts = " ".join(_quote(a) for a in h.actions)
            number = number_in_player[h.index]
            lines.append(f"p {label} {h.player + 1} {number} {_quote(h.name)} {{ {acts} }} 0")
        elif nd.kind == CHANCE:
            c = game.chance_infos[nd.infoset]
            probs = _probabilities(c.probs)
            branches = " ".join(
                f"{_quote(a)} {format_number(pr)}" for a, pr in zip(c.actions, probs, strict=True)
            )
            lines.append(f"c {label} {c.index + 1} {_quote(c.name)} {{ {branches} }} 0")
        else:
            t = game.terminal_index(nd.index)
            values = tuple(format_number(v) for v in game.payoff_values[t])
            name = game.terminal_names[t]
            if name is None:
                name = "+".join(game.terminal_outcomes[t])
            if not name and all(_as_exact(v) == 0 for v in game.payoff_values[t]):
                lines.append(f"t {label} 0")
                continue
            number = outcome_numbers.setdefault((name, values), len(outcome_numbers) + 1)
            lines.append(f"t {label} {number} {_quote(name)} {{ {', '.join(values)} }}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------- public
def _read_text(path: str | os.PathLike[str]) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.removeprefix("\ufeff")


_PARSERS: dict[str, Callable[[str, str | None], NormalFormGame | ExtensiveFormGame]] = {
    "NFG": parse_nfg,
    "EFG": parse_efg,
}


def read_game(
    path_or_text: str | os.PathLike[str], *, text: bool = False
) -> NormalFormGame | ExtensiveFormGame:
    """Read a Gambit ``.nfg`` or ``.efg`` game.

    Parameters
    ----------
    path_or_text
        A file path, or the file's text when ``text=True``.
    text
        Treat ``path_or_text`` as the file's contents.

    Returns
    -------
    NormalFormGame or ExtensiveFormGame
        Chosen by the file's header (``NFG`` or ``EFG``), not by its suffix.

    Raises
    ------
    FormatError
        If the file cannot be read or is malformed; the message names the file and line.
    """
    if text:
        content, file = str(path_or_text), None
    else:
        file = os.fspath(path_or_text)
        content = _read_text(file)
    match = re.match(r"\s*(\S+)", content)
    kind = match.group(1)[:3] if match else ""
    if kind not in _PARSERS or (match and match.group(1) != kind):
        first = match.group(1)[:20] if match else "nothing"
        line = content[: match.start(1)].count("\n") + 1 if match else 1
        raise FormatError(
            f"not a Gambit game file: expected 'NFG' or 'EFG' at the start, found {first!r}",
            file=file,
            line=line,
        )
    return _PARSERS[kind](content, file)


def write_game(game: NormalFormGame | ExtensiveFormGame, path: str | os.PathLike[str] | None = None) -> str:
    """Write a game as Gambit text (``.nfg`` for normal form, ``.efg`` for extensive form).

    Parameters
    ----------
    game
        The game.
    path
        Where to write the file; ``None`` only returns the text.

    Returns
    -------
    str
        The file's text.
    """
    if isinstance(game, NormalFormGame):
        content, suffix = format_nfg(game), ".nfg"
    elif isinstance(game, ExtensiveFormGame):
        content, suffix = format_efg(game), ".efg"
    else:
        raise UnsupportedError(f"cannot write a {type(game).__name__} as a Gambit file")
    if path is not None:
        given = Path(path).suffix.lower()
        if given in (".nfg", ".efg") and given != suffix:
            raise UnsupportedError(
                f"this {game.kind}-form game is written as {suffix}, not {given} (file {os.fspath(path)}); "
                "convert it first"
            )
        Path(path).write_text(content, encoding="utf-8")
    return content


__all__ = [
    "Token",
    "format_efg",
    "format_nfg",
    "format_number",
    "normalize_labels",
    "parse_efg",
    "parse_nfg",
    "read_game",
    "tokenize",
    "write_game",
]
