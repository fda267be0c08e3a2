"""The shared text layer of the Gambit file formats: tokens, a parsing cursor, numbers and labels.

Used by :mod:`deterrence.gambit._nfg` and :mod:`deterrence.gambit._efg`: the tokenizer (which
tracks line numbers so every error names its line), the cursor :class:`_Parser` with its
error helpers, exact numbers (``int`` or :class:`fractions.Fraction`) read and written, and
Gambit 16's rule for making labels distinct. The public entry points are in
:mod:`deterrence.gambit`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

from ..errors import FormatError

Exact = int | Fraction
"""An exact number read from a file."""

# ---------------------------------------------------------------------------------- tokens
NUMBER, TEXT, SYMBOL, LBRACE, RBRACE, COMMA, EOF = "number", "text", "symbol", "{", "}", ",", "eof"

_INT_RE = re.compile(r"[+-]?\d+\Z")
_RATIONAL_RE = re.compile(r"[+-]?\d+/\d+\Z")
_DECIMAL_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_NUMBER_START = frozenset("0123456789+-.")
_QUOTED_RE = re.compile(r'"(?:[^"\\]|\\.)*"|(")', re.DOTALL)  # a quoted text, or (group 1) an open quote
# a quoted text, a brace or comma, a word, a newline, or (last) a quote that is never closed
_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[{},]|[^\s{},"]+|\n|"', re.DOTALL)
_UNESCAPE_RE = re.compile(r'\\(["\\])')
_MAX_DIGITS = 400  # longer numbers are surely a mistake (and would be slow to convert)
#: decimal exponents beyond this are refused before the number is made exact (``1e999999999``
#: would be a billion-digit integer); every float, subnormals included, is within it
_MAX_EXPONENT = 400
#: the largest magnitude read: the largest float (a payoff must be a float for the solvers)
_MAX_MAGNITUDE = Fraction(np.finfo(float).max)


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


def _out_of_range(text: str, line: int, file: str | None) -> FormatError:
    """The error of a number beyond what a game file may hold (its text shortened if long)."""
    shown = text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} characters)"
    return FormatError(
        f"number '{shown}' is out of range: numbers in a game file must be at most about 1.8e308 "
        "in size (the float range) and written with exponents from e-400 to e+400",
        file=file,
        line=line,
    )


def _number(text: str, line: int, file: str | None) -> Exact:
    """Parse one numeric token exactly: ``int`` for integers, ``Fraction`` otherwise."""
    if len(text) > _MAX_DIGITS:
        raise FormatError(f"number '{text[:20]}...' is too long", file=file, line=line)
    value: Exact
    if _INT_RE.match(text):
        value = int(text)
    elif _RATIONAL_RE.match(text):
        num, den = text.split("/")
        if int(den) == 0:
            raise FormatError(f"number '{text}' divides by zero", file=file, line=line)
        value = Fraction(int(num), int(den))
    elif _DECIMAL_RE.match(text):
        exponent = text.lower().partition("e")[2]
        if exponent and abs(int(exponent)) > _MAX_EXPONENT:
            raise _out_of_range(text, line, file)
        value = Fraction(text)
    else:
        raise FormatError(f"malformed number '{text}'", file=file, line=line)
    # the same bound however the number is written (an integer, a rational, a decimal): a value
    # beyond the float range would overflow when the game is made (an untyped OverflowError)
    if abs(value) > _MAX_MAGNITUDE:
        raise _out_of_range(text, line, file)
    return int(value) if isinstance(value, Fraction) and value.denominator == 1 else value


def tokenize(text: str, file: str | None = None) -> list[Token]:
    """Split Gambit file text into tokens, each with its 1-based line number.

    Quoted text may span lines. Inside it, ``\\"`` stands for a quote and ``\\\\`` for a
    backslash; any other backslash is kept as it is, as Gambit does (its own catalogue has
    LaTeX such as ``\\neg`` in game descriptions).

    The text between quoted texts is split into words at whitespace, braces and commas.

    Raises
    ------
    FormatError
        For an unterminated quoted text or a malformed number.
    """
    return list(iter_tokens(text, file))


def iter_tokens(text: str, file: str | None = None) -> Iterator[Token]:
    """The tokens of :func:`tokenize` one at a time (a large file is never held as a token list).

    One regular expression scans the text: a quoted text, a brace or comma, a word (up to
    whitespace, a brace, a comma or a quote), a newline (counted), or a quote never closed.
    """
    new = tuple.__new__  # Token(...) without the Python-level __new__ of a NamedTuple
    line = last = 1
    for match in _TOKEN_RE.finditer(text):
        word = match.group()
        first = word[0]
        if first == "\n":
            line += 1
            continue
        last = line
        if first == '"':
            if len(word) == 1 or word[-1] != '"':  # a quote that is never closed
                raise FormatError(f"quoted text opened on line {line} is never closed", file=file, line=line)
            body = word[1:-1]
            yield new(Token, (TEXT, _UNESCAPE_RE.sub(r"\1", body) if "\\" in body else body, line, None))
            if "\n" in body:
                line += body.count("\n")
        elif first in "{},":
            yield new(Token, (word, word, line, None))
        elif first in _NUMBER_START:
            value = int(word) if len(word) < 20 and _INT_RE.match(word) else _number(word, line, file)
            yield new(Token, (NUMBER, word, line, value))
        else:
            yield new(Token, (SYMBOL, word, line, None))
    yield Token(EOF, "", last)


def _check_quotes(text: str, file: str | None) -> None:
    """Raise for a quoted text that is never closed (every '"' opens or closes a quoted text)."""
    if "\\" not in text and text.count('"') % 2 == 0:
        return  # without backslashes every quote opens or closes one: an even count closes them all
    for m in _QUOTED_RE.finditer(text):
        if m.group(1) is not None:
            line = text.count("\n", 0, m.start()) + 1
            raise FormatError(f"quoted text opened on line {line} is never closed", file=file, line=line)


class _Parser:
    """A cursor over the tokens with helpers that raise ``FormatError`` naming the line.

    Tokens are read one at a time from :func:`iter_tokens`, one ahead of the cursor.
    """

    def __init__(self, text: str, file: str | None) -> None:
        self.file = file
        _check_quotes(text, file)  # a quote never closed is reported first, wherever it is
        self._tokens = iter_tokens(text, file)
        self._current = next(self._tokens)
        self._previous: Token | None = None

    def peek(self) -> Token:
        return self._current

    def next(self) -> Token:
        tok = self._current
        if tok.kind != EOF:
            self._previous = tok
            self._current = next(self._tokens)
        return tok

    def error(self, message: str, line: int) -> FormatError:
        return FormatError(message, file=self.file, line=line)

    def expect(self, kind: str, what: str) -> Token:
        prior = self._previous
        tok = self.next()
        if tok.kind != kind:
            if tok.kind == EOF:
                raise self.error(f"the file ends where {what} was expected", tok.line)
            before = prior.line if prior is not None else tok.line
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
    if "" not in labels and len(set(labels)) == len(labels):
        return list(labels)  # distinct and non-empty: kept
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


__all__ = [
    "COMMA",
    "EOF",
    "LBRACE",
    "NUMBER",
    "RBRACE",
    "SYMBOL",
    "TEXT",
    "Exact",
    "Token",
    "format_number",
    "normalize_labels",
    "tokenize",
]
