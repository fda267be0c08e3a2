"""Reading a model's specification: errors located, names checked, expressions and orderings parsed.

The stages :class:`~deterrence.model.Model`'s constructor runs on a
:class:`~deterrence.model.ModelSpec`, as plain functions of what they check: the name, the
players, the concepts and status, the parameters, the pinned values, the derived quantities
and the orderings. Every error names the file, the key and the line where known, through a
:class:`Where` (the tree itself is checked in :mod:`deterrence.model._structure`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from .._numbers import substitution_problem
from ..errors import ModelError, ParameterError, ResourceError, close_match_hint, location
from ..expr import (
    MAX_POWER_BITS,
    Condition,
    check_tree_size,
    is_identifier,
    parse_condition,
    parse_expression,
)
from ._specs import CONCEPTS, RESERVED, STATUSES, Derived, ExprLike, Ordering, Parameter, to_number


class Where:
    """Where a model came from: its file and the line of each key, for located errors."""

    def __init__(self, file: str | None, lines: Mapping[str, int] | None) -> None:
        self.file = file
        self.lines = dict(lines or {})

    def line(self, key: str) -> int | None:
        """The line of a key (``"nodes.root.payoffs.A"``), if known."""
        return self.lines.get(key)

    def error(self, message: str, key: str | None = None, line: int | None = None) -> ModelError:
        """A :class:`ModelError` naming the file, the key and its line."""
        if line is None and key is not None:
            line = self.line(key)
        return ModelError(message, file=self.file, key=key, line=line)


# ---------------------------------------------------------------------------------- expressions
def parse(raw: ExprLike, key: str, line: int | None, names: Mapping[str, sp.Expr], where: Where) -> sp.Expr:
    """An expression (text by the allow-list parser, a number, or a sympy expression in the
    declared ``names``) as a sympy expression in them."""
    if isinstance(raw, sp.Basic):
        if not isinstance(raw, sp.Expr):
            raise where.error(f"expected an arithmetic expression, got {raw}", key, line)
        shown = f"<a sympy {type(raw).__name__}>"
        check_tree_size(raw, shown, file=where.file, key=key, line=line)
        unknown = sorted(str(s) for s in raw.free_symbols if str(s) not in names)
        if unknown:
            raise where.error(f"expression {raw} uses undeclared name(s) {unknown}", key, line)
        expr = raw.xreplace({s: names[str(s)] for s in raw.free_symbols})
        check_tree_size(expr, shown, file=where.file, key=key, line=line)
        return expr
    if isinstance(raw, Fraction):
        return sp.Rational(raw.numerator, raw.denominator)
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise where.error(
            f"expected an expression (a string or a number), got {type(raw).__name__} {raw!r}", key, line
        )
    return parse_expression(raw, names, file=where.file, key=key, line=line)


def substitute(
    expr: sp.Expr, subs: Mapping[sp.Symbol, sp.Expr], key: str | None, line: int | None, where: Where
) -> sp.Expr:
    """``expr`` with the pinned parameters ``subs`` substituted, its size checked again (pins that
    are expressions can make it grow; :func:`deterrence.expr.check_tree_size`)."""
    if not subs:
        return expr
    problem = substitution_problem(expr, subs, MAX_POWER_BITS)
    if problem is not None:
        raise ResourceError(
            (f"{location(where.file, key, line)}: " if key or where.file else "")
            + f"substituting the baseline's pinned parameters would make {problem}",
        )
    out = expr.xreplace(subs)
    check_tree_size(
        out, f"<{key or 'expression'} with the pinned parameters>", file=where.file, key=key, line=line
    )
    return out


# ---------------------------------------------------------------------------------- names
def check_name(name: Any, where: Where) -> str:
    if not isinstance(name, str) or not name:
        raise where.error("model name must be a non-empty string", "model.name")
    return name


def check_players(players: Iterable[Any], where: Where) -> tuple[str, ...]:
    """Distinct, non-empty player names."""
    players = list(players)
    if not players or not all(isinstance(p, str) and p for p in players):
        raise where.error("players must be a non-empty list of names", "model.players")
    if len(set(players)) != len(players):
        dup = sorted({p for p in players if players.count(p) > 1})
        raise where.error(f"player names must be distinct; repeated: {dup}", "model.players")
    return tuple(players)


def check_vocabulary(concepts: Sequence[str], status: str, where: Where) -> tuple[tuple[str, ...], str]:
    """The declared solution concepts and status, each from its vocabulary."""
    bad = [c for c in concepts if c not in CONCEPTS]
    if bad:
        raise where.error(
            f"unknown solution concept(s) {bad}; choose from {list(CONCEPTS)}", "model.concepts"
        )
    if status not in STATUSES:
        raise where.error(
            f"unknown status '{status}'; choose from {[s for s in STATUSES if s]}", "model.status"
        )
    return tuple(concepts), status


def check_parameters(
    parameters: Mapping[str, Parameter] | Iterable[Parameter], where: Where
) -> dict[str, Parameter]:
    """The parameters by name (each a :class:`Parameter`, declared once)."""
    params = list(parameters.values()) if isinstance(parameters, Mapping) else list(parameters)
    out: dict[str, Parameter] = {}
    for p in params:
        if not isinstance(p, Parameter):
            raise where.error(f"expected a Parameter, got {type(p).__name__}", "parameters")
        if p.name in out:
            raise where.error(f"parameter '{p.name}' declared twice", f"parameters.{p.name}")
        out[p.name] = p
    return out


# ---------------------------------------------------------------------------------- values
def pin_parameters(
    fixed: Mapping[str, ExprLike] | None,
    parameters: Mapping[str, Parameter],
    symbols: Mapping[str, sp.Expr],
    where: Where,
) -> dict[str, sp.Expr]:
    """Pinned parameters (a baseline's) as expressions in the parameters that are not pinned; a
    pin that is a number must lie in the domain."""
    parsed: dict[str, sp.Expr] = {}
    for pname, value in (fixed or {}).items():
        key = f"baseline.parameters.{pname}"
        if pname not in parameters:
            raise where.error(
                f"cannot pin unknown parameter '{pname}'{close_match_hint(pname, parameters)}; "
                f"parameters are {sorted(parameters)}", key
            )
        parsed[pname] = parse(value, key, where.line(key), symbols, where)
    out = _resolve_pins(parsed, symbols, where)
    for pname, expr in out.items():
        if not expr.free_symbols and expr.is_Number:
            try:
                parameters[pname].check(
                    Fraction(int(expr.p), int(expr.q)) if expr.is_Rational else float(expr),
                    what="pinned value",
                )
            except ParameterError as exc:
                raise where.error(str(exc), f"baseline.parameters.{pname}") from None
    return out


def _resolve_pins(
    pins: Mapping[str, sp.Expr], symbols: Mapping[str, sp.Expr], where: Where
) -> dict[str, sp.Expr]:
    """The pins with pinned parameters substituted into each other, so that each uses only free
    parameters (``a = "b + 1"``, ``b = 0`` pins ``a`` to 1).

    Raises
    ------
    ModelError
        A pin that uses its own parameter (``v = "v + 1"``), or pins that use each other in a
        cycle (``v = "c"``, ``c = "v"``), naming the entries.
    """
    uses = {
        name: [other for other in pins if symbols[other] in expr.free_symbols] for name, expr in pins.items()
    }
    resolved: dict[str, sp.Expr] = {}
    while len(resolved) < len(pins):
        ready = [n for n in pins if n not in resolved and all(u in resolved for u in uses[n])]
        if not ready:  # every pin left uses one that is left: follow the uses to a cycle
            _pin_cycle_error(
                pins, {n: [u for u in uses[n] if u not in resolved] for n in pins if n not in resolved}, where
            )
        for name in ready:
            subs = {symbols[u]: resolved[u] for u in uses[name]}
            key = f"baseline.parameters.{name}"
            resolved[name] = substitute(pins[name], subs, key, where.line(key), where)
    return resolved


def _pin_cycle_error(pins: Mapping[str, sp.Expr], uses: Mapping[str, list[str]], where: Where) -> None:
    """Raise the error naming a cycle of pins (``uses``: the unresolved pins, each using one)."""
    chain = [next(iter(uses))]
    while uses[chain[-1]][0] not in chain:
        chain.append(uses[chain[-1]][0])
    cycle = chain[chain.index(uses[chain[-1]][0]) :]
    first = cycle[0]
    what = (
        f"pins parameter '{first}' to an expression of '{first}' itself"
        if len(cycle) == 1
        else "pins parameters in a cycle: " + " -> ".join(f"'{c}'" for c in (*cycle, first))
    )
    raise where.error(
        f"the baseline {what} ({', '.join(f'{c} = {pins[c]}' for c in cycle)}); a pinned parameter "
        "may use only parameters that are not pinned",
        f"baseline.parameters.{first}",
    )


def parse_derived(
    derived: Mapping[str, ExprLike] | Sequence[Derived] | None,
    symbols: Mapping[str, sp.Expr],
    subs: Mapping[sp.Symbol, sp.Expr],
    where: Where,
) -> tuple[dict[str, Derived], dict[str, sp.Expr]]:
    """The derived quantities, in order (each may use the parameters and earlier ones), and
    every name an expression may use (parameters and derived quantities)."""
    names: dict[str, sp.Expr] = dict(symbols)
    out: dict[str, Derived] = {}
    items: list[Derived | tuple[str, ExprLike]]
    if derived is None:
        items = []
    elif isinstance(derived, Mapping):
        items = list(derived.items())
    else:
        items = list(derived)
    for item in items:
        if isinstance(item, Derived):
            dname, raw, desc = item.name, (item.text or item.expr), item.description
        else:
            dname, raw = item
            desc = ""
        key = f"derived.{dname}"
        if not is_identifier(dname) or dname in RESERVED:
            raise where.error(f"'{dname}' cannot name a derived quantity", key)
        if dname in names:
            raise where.error(
                f"derived quantity '{dname}' clashes with a parameter or an earlier derived quantity", key
            )
        expr = substitute(parse(raw, key, where.line(key), names, where), subs, key, where.line(key), where)
        out[dname] = Derived(dname, expr, raw if isinstance(raw, str) else str(raw), desc)
        names[dname] = expr
    return out, names


def parse_ordering(
    item: str | Ordering,
    index: int,
    names: Mapping[str, sp.Expr],
    fixed: Mapping[str, sp.Expr],
    subs: Mapping[sp.Symbol, sp.Expr],
    where: Where,
) -> Ordering:
    """One ordering, parsed, with the pinned parameters ``fixed`` substituted (``subs``: their
    symbols -> values); comparisons that no longer involve a parameter are dropped if they hold
    (an error if they cannot)."""
    key = f"model.orderings[{index}]"
    line = where.line(key)
    if isinstance(item, Ordering):
        cond, note, prov, line = item.condition, item.note, item.provenance, item.line or line
        if isinstance(cond, str):
            cond = parse_condition(cond, names, file=where.file, key=key, line=line)
    elif isinstance(item, str):
        cond, note, prov = parse_condition(item, names, file=where.file, key=key, line=line), "", ""
    else:
        raise where.error(f"an ordering must be a string, got {type(item).__name__}", key, line)
    comps = []
    for c in cond.comparisons:
        c2 = type(c)(
            substitute(c.lhs, subs, key, line, where), c.op, substitute(c.rhs, subs, key, line, where)
        )
        if not (c2.lhs - c2.rhs).free_symbols:
            value = to_number(c2.lhs - c2.rhs)
            if value is not None and not c2.holds(value, 0):
                pinned = ", ".join(f"{k} = {v}" for k, v in fixed.items())
                raise where.error(
                    f"the ordering '{cond.text}' can never hold" + (f" when {pinned}" if pinned else ""),
                    key,
                    line,
                )
            continue
        comps.append(c2)
    return Ordering(Condition(cond.text, tuple(comps)), note, prov, line)
