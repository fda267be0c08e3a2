"""Formula text of the R package ``games`` (multi-part ``Formula`` syntax), parsed without eval.

``"esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2"``: the outcome column(s) on the
left (one column of outcome numbers or labels, or the package's dummy columns joined by ``+``),
one part per utility on the right, separated by ``|``. In a part, column names are joined by
``+``; an intercept is included unless the part says ``0`` (or ``- 1``); ``0`` alone fixes the
utility at 0, ``1`` alone estimates a constant; ``a:b`` is the product of two numeric columns and
``a*b`` means ``a + b + a:b``; ``- name`` removes a term. Names may be written in backquotes
(`` `my column` ``). The text is tokenised and read by a small recursive-descent parser: nothing
in it is evaluated, and anything else (function calls, numbers other than 0 and 1, ``.``) is an
:class:`~deterrence.ExpressionError` that points at the column.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from ...errors import ExpressionError

_TOKEN = re.compile(
    r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_.]*)|`(?P<quoted>[^`]+)`|(?P<number>\d+(?:\.\d*)?)|(?P<op>[~|+\-:*]))"
)


@dataclass(frozen=True)
class Part:
    """One right-hand side: the terms (each a tuple of column names; two or more is a product)
    and whether the part has an intercept. No terms and no intercept: the utility is fixed at 0."""

    terms: tuple[tuple[str, ...], ...]
    intercept: bool

    @property
    def is_zero(self) -> bool:
        return not self.terms and not self.intercept

    def variables(self) -> list[str]:
        return list(dict.fromkeys(v for term in self.terms for v in term))


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text, the outcome column(s) and the right-hand parts."""

    text: str
    lhs: tuple[str, ...]
    parts: tuple[Part, ...]

    def variables(self) -> list[str]:
        """Every column the formula uses, outcome columns first."""
        names = list(self.lhs)
        for part in self.parts:
            names += part.variables()
        return list(dict.fromkeys(names))


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """``(kind, text, column)`` triples; kind is ``name``, ``number`` or the operator itself."""
    out = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            hint = (
                "; functions are not evaluated: compute the column in the data first"
                if text[col - 1] == "("
                else ""
            )
            raise ExpressionError(
                f"unexpected character {text[col - 1]!r} (a formula holds column names, 0, 1 and "
                f"the operators ~ | + - : *){hint}",
                text=text,
                column=col,
            )
        col = m.start(m.lastgroup) + 1
        if m.group("name") or m.group("quoted"):
            out.append(("name", m.group("name") or m.group("quoted"), col))
        elif m.group("number"):
            out.append(("number", m.group("number"), col))
        else:
            out.append((m.group("op"), m.group("op"), col))
        pos = m.end()
    return out


class _Reader:
    def __init__(self, text: str, tokens: list[tuple[str, str, int]]) -> None:
        self.text = text
        self.toks = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str, int]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, message: str) -> ExpressionError:
        col = self.toks[self.i][2] if self.i < len(self.toks) else len(self.text) + 1
        return ExpressionError(message, text=self.text, column=col)

    # factor := name | 0 | 1
    def factor(self) -> tuple[str, str]:
        if self.peek() == "name":
            return ("name", self.take()[1])
        if self.peek() == "number":
            num = self.take()[1]
            if num not in ("0", "1"):
                self.i -= 1
                raise self.fail(f"number {num} in a formula (only 0 and 1, for the intercept, are allowed)")
            return ("number", num)
        raise self.fail("expected a column name, 0 or 1")

    # term := factor ((':' | '*') factor)* ; returns the terms it expands to (or an intercept marker)
    def term(self) -> list[tuple[str, ...]] | str:
        first = self.factor()
        if first[0] == "number":
            if self.peek() in (":", "*"):
                raise self.fail(f"'{first[1]}' cannot be part of an interaction")
            return first[1]
        names = [first[1]]
        star = False
        while self.peek() in (":", "*"):
            star |= self.take()[0] == "*"
            nxt = self.factor()
            if nxt[0] == "number":
                self.i -= 1
                raise self.fail("0 and 1 cannot be part of an interaction")
            names.append(nxt[1])
        if not star:
            return [tuple(names)]
        return [combo for r in range(1, len(names) + 1) for combo in itertools.combinations(names, r)]

    # part := ['-'|'+'] term (('+'|'-') term)*
    def part(self) -> Part:
        if self.peek() in ("|", "~", None):
            raise self.fail("empty formula part (write 0 to fix a utility at zero, 1 for a constant)")
        terms: list[tuple[str, ...]] = []
        intercept = True
        sign = "+"
        if self.peek() in ("+", "-"):
            sign = self.take()[0]
        while True:
            got = self.term()
            intercept, terms = _apply(sign, got, intercept, terms)
            if self.peek() not in ("+", "-"):
                break
            sign = self.take()[0]
        key = {frozenset(t) for t in terms}
        if len(key) != len(terms):
            terms = list({frozenset(t): t for t in terms}.values())
        terms.sort(key=len)  # main effects first, then products (as R's model.matrix)
        return Part(tuple(terms), intercept)


def _apply(sign: str, got: list[tuple[str, ...]] | str, intercept: bool, terms: list[tuple[str, ...]]):
    if isinstance(got, str):  # "0" or "1"
        return (got == "1") == (sign == "+"), terms
    if sign == "+":
        return intercept, terms + [t for t in got if frozenset(t) not in {frozenset(s) for s in terms}]
    drop = {frozenset(t) for t in got}
    return intercept, [t for t in terms if frozenset(t) not in drop]


def _outcomes(r: _Reader) -> list[str]:
    """``name (+ name)* ~``: the outcome columns."""
    lhs: list[str] = []
    if r.peek() == "~":
        r.take()
        return lhs
    while True:
        if r.peek() != "name":
            raise r.fail("the left of '~' names the outcome column(s), joined by '+'")
        lhs.append(r.take()[1])
        if r.peek() == "+":
            r.take()
        elif r.peek() == "~":
            r.take()
            return lhs
        else:
            raise r.fail("the left of '~' names the outcome column(s), joined by '+'")


def parse_formula(text: str, *, part_names: tuple[str, ...] | None = None, what: str = "formula") -> Formula:
    """Parse ``lhs ~ part | part | ...``.

    Parameters
    ----------
    text
        The formula.
    part_names
        The names of the right-hand parts required (one per utility of the tree), if known.
    what
        Name of the argument, for messages.

    Raises
    ------
    ExpressionError
        For text that is not a formula (with the column of the problem) or a wrong number of parts.
    """
    if not isinstance(text, str):
        raise ExpressionError(
            f"{what} must be a string such as 'y ~ x1 | 0 | x2 | x3', got {type(text).__name__}"
        )
    toks = _tokens(text)
    r = _Reader(text, toks)
    lhs: list[str] = []
    if "~" in (t[0] for t in toks):
        lhs = _outcomes(r)
    parts = [r.part()]
    while r.peek() == "|":
        r.take()
        parts.append(r.part())
    if r.peek() is not None:
        raise r.fail(f"unexpected '{r.toks[r.i][1]}'")
    if part_names is not None and len(parts) != len(part_names):
        raise ExpressionError(
            f"{what} has {len(parts)} right-hand part(s) separated by '|'; it needs {len(part_names)}, "
            f"one per {' | '.join(part_names)} (write 0 for a part fixed at zero)",
            text=text,
        )
    return Formula(text, tuple(lhs), tuple(parts))
