"""Parametric models: a game tree whose payoffs and chance probabilities are sympy expressions.

A :class:`Model` is a symbolic template: named players, named :class:`Parameter` s with
defaults and domains, a tree of decision, chance and terminal nodes (given as a flat list of
:class:`NodeSpec` s that refer to their children by id), outcome labels on the terminals,
published orderings of the parameters, derived quantities, and the model's no-pledge
baseline. ``model.game(**values)`` turns it into a numeric
:class:`~deterrence.game.ExtensiveFormGame`; ``model.evaluate(arrays)`` evaluates every
payoff and chance probability on whole arrays of parameter points at once (compiled once
with :func:`sympy.lambdify`), for sweeps.

Models are usually read from TOML files (:mod:`deterrence.catalogue`, format in
``docs/reference/model-format.md``); :meth:`Model.from_tree` builds one in Python from the
tree builders of :mod:`deterrence.game.tree` with expressions as payoffs.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp

from .errors import GameError, ModelError, ParameterError
from .expr import Condition, is_identifier, parse_condition, parse_expression
from .game.extensive import ExtensiveFormGame
from .game.tree import ChanceNode, DecisionNode, TerminalNode, chance, decision, terminal
from .outcomes import OUTCOMES

#: solution concepts a model may declare
CONCEPTS: tuple[str, ...] = ("nash", "spe", "pbe", "qre")
#: what a model's specification rests on (see ``shared/models-literature.md`` §0.1)
STATUSES: tuple[str, ...] = ("", "published", "reconstruction", "stylised", "teaching")
#: names that cannot be parameters (they are keyword options of :meth:`Model.game`)
RESERVED: frozenset[str] = frozenset({"check_orderings", "exact", "values", "self"})
NODE_KINDS: tuple[str, ...] = ("decision", "chance", "terminal")

_ID_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_PROB_TOL = 1e-9

ExprLike = str | int | float | Fraction | sp.Expr


# ---------------------------------------------------------------------------------- parameters
def _shown(value: Any) -> str:
    """A value for a message; very large integers are described, not printed."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 330:
        return f"an integer with about {int(value.bit_length() * 0.30103)} digits"
    return str(value)


def _fmt(x: float) -> str:
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _is_real_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


@dataclass(frozen=True)
class Parameter:
    """A named model parameter.

    Parameters
    ----------
    name
        An identifier (ASCII letters, digits, ``_``; starts with a letter).
    default
        The value used when :meth:`Model.game` is not given one.
    domain
        ``(lo, hi)``: the closed interval of allowed values; ``-inf``/``inf`` for no bound.
    description
        What the parameter means, in words.
    symbol
        How to typeset it (LaTeX), e.g. ``"\\pi"``; empty for the name itself.
    open_lower, open_upper
        Exclude the lower / upper end of ``domain`` (an infinite end is always excluded).
    """

    name: str
    default: float
    domain: tuple[float, float] = (-math.inf, math.inf)
    description: str = ""
    symbol: str = ""
    open_lower: bool = False
    open_upper: bool = False

    def __post_init__(self) -> None:
        if not is_identifier(self.name) or self.name in RESERVED:
            raise ParameterError(
                f"'{self.name}' cannot name a parameter (use ASCII letters, digits and '_', start with a "
                f"letter; not a Python keyword, a function name or one of {sorted(RESERVED)})",
                name=self.name,
            )
        dom = tuple(self.domain)
        if len(dom) != 2 or not all(_is_real_number(x) and not math.isnan(float(x)) for x in dom):
            raise ParameterError(
                f"domain of parameter '{self.name}' must be two numbers [lo, hi], got {self.domain!r}",
                name=self.name,
                domain=self.domain,
            )
        lo, hi = float(dom[0]), float(dom[1])
        if lo > hi or (lo == hi and (self.open_lower or self.open_upper)):
            raise ParameterError(
                f"domain of parameter '{self.name}' is empty: {self.domain_text}",
                name=self.name,
                domain=self.domain,
            )
        object.__setattr__(self, "domain", (lo, hi))
        self.check(self.default, what="default")

    @property
    def sympy(self) -> sp.Symbol:
        """The parameter's sympy symbol (real)."""
        return sp.Symbol(self.name, real=True)

    @property
    def domain_text(self) -> str:
        """The domain in interval notation, e.g. ``[0, 1]`` or ``(0, inf)``."""
        lo, hi = self.domain
        left = "(" if self.open_lower or math.isinf(float(lo)) else "["
        right = ")" if self.open_upper or math.isinf(float(hi)) else "]"
        return f"{left}{_fmt(lo)}, {_fmt(hi)}{right}"

    def contains(self, value: float) -> bool:
        """Whether a finite number lies in the domain."""
        lo, hi = self.domain
        if value < lo or value > hi:
            return False
        if value == lo and (self.open_lower or math.isinf(lo)):
            return False
        return not (value == hi and (self.open_upper or math.isinf(hi)))

    def check(self, value: Any, *, what: str = "value") -> Any:
        """Return ``value`` if it is a finite real number in the domain.

        Raises
        ------
        ParameterError
            Naming the parameter, the value and the domain: for a bool, a string or another
            non-number, NaN, an infinite value, or a value outside the domain.
        """
        if not _is_real_number(value):
            raise ParameterError(
                f"{what} of parameter '{self.name}' must be a real number, got {type(value).__name__} "
                f"{value!r} (domain {self.domain_text})",
                name=self.name,
                value=value,
                domain=self.domain,
            )
        if not abs(value) <= 1.7976931348623157e308:  # NaN, inf, or an int too large for a float
            raise ParameterError(
                f"{what} of parameter '{self.name}' must be finite, got {_shown(value)} "
                f"(domain {self.domain_text})",
                name=self.name,
                value=value,
                domain=self.domain,
            )
        if not self.contains(float(value)):
            raise ParameterError(
                f"{what} {value} of parameter '{self.name}' is outside its domain {self.domain_text}",
                name=self.name,
                value=value,
                domain=self.domain,
            )
        return value


# ---------------------------------------------------------------------------------- tree specs
@dataclass(frozen=True, eq=False)
class NodeSpec:
    """One node of a model's tree, referring to its children by id.

    Parameters
    ----------
    id
        Unique node id (letters, digits, ``_ . -``).
    kind
        ``"decision"``, ``"chance"`` or ``"terminal"``.
    player
        Decision nodes: the player who moves.
    infoset
        Decision nodes: the information set (nodes sharing it must have the same player and
        actions); default: the node's own id. Chance nodes: a chance set (rarely needed).
    actions
        Decision and chance nodes: ``{action name: child id}``, in order.
    probs
        Chance nodes: ``{action name: probability expression}``.
    payoffs
        Terminal nodes: ``{player: payoff expression}``, one per player.
    outcome
        Terminal nodes: outcome labels from :data:`deterrence.outcomes.OUTCOMES`.
    line, lines
        Where the node (and each of its keys) was written in its file, for error messages.
    """

    id: str
    kind: str
    player: str | None = None
    infoset: str | None = None
    actions: Mapping[str, str] = field(default_factory=dict)
    probs: Mapping[str, ExprLike] = field(default_factory=dict)
    payoffs: Mapping[str, ExprLike] = field(default_factory=dict)
    outcome: tuple[str, ...] = ()
    label: str = ""
    line: int | None = None
    lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int | None:
        """Line of one of the node's keys (falls back to the node's own line)."""
        return self.lines.get(key, self.line)


@dataclass(frozen=True)
class Reference:
    """A bibliographic reference of a model; ``provenance`` uses the tags of the literature note
    (``S`` seen in the source, ``L`` recalled, ``D`` derived, ``N`` numerically checked)."""

    citation: str
    key: str = ""
    url: str = ""
    doi: str = ""
    provenance: str = ""
    note: str = ""


@dataclass(frozen=True)
class Ordering:
    """A published (or assumed) ordering of the parameters, checked by :meth:`Model.game`."""

    condition: Condition
    note: str = ""
    provenance: str = ""
    line: int | None = None

    @property
    def text(self) -> str:
        return self.condition.text


@dataclass(frozen=True)
class Derived:
    """A named quantity defined from the parameters (a threshold, a win probability, ...)."""

    name: str
    expr: sp.Expr
    text: str = ""
    description: str = ""


@dataclass(frozen=True)
class Baseline:
    """How to obtain a model's no-pledge baseline from the model itself.

    Parameters
    ----------
    description
        What the counterfactual world is, in words.
    parameters
        Parameters pinned in the baseline: ``{name: value or expression}`` (e.g. an audience
        cost of 0). The pinned parameters stay in the baseline's parameter list, so the same
        values can be passed to both models; in the baseline they no longer matter.
    outcomes
        ``{terminal id: labels}``: new outcome labels (e.g. staying out is not
        ``abandonment`` when nothing was promised).
    nodes
        Node specs that replace nodes of the same id, or add nodes; nodes no longer reachable
        from the root are dropped.
    """

    description: str = ""
    parameters: Mapping[str, ExprLike] = field(default_factory=dict)
    outcomes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    nodes: tuple[NodeSpec, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Evaluation:
    """Payoffs and chance probabilities of a model on an array of parameter points.

    Attributes
    ----------
    shape
        The broadcast shape of the parameter arrays.
    payoffs
        ``shape + (terminals, players)``; terminals in ``terminals`` order (the row order of
        ``model.game().payoffs``), players in ``model.players`` order.
    probs
        ``shape + (branches,)``: the probability of each chance branch, in ``branches`` order.
    terminals
        Terminal node ids, in preorder.
    branches
        ``(chance node id, action)`` per column of ``probs``.
    ordering_ok
        ``shape``: whether every ordering of the model holds at the point.
    values
        The parameter arrays used, broadcast to ``shape`` (defaults filled in).
    """

    shape: tuple[int, ...]
    payoffs: np.ndarray
    probs: np.ndarray
    terminals: tuple[str, ...]
    branches: tuple[tuple[str, str], ...]
    ordering_ok: np.ndarray
    values: dict[str, np.ndarray]


# ---------------------------------------------------------------------------------- helpers
def _exact(value: Any) -> sp.Expr:
    """A parameter value as an exact sympy number (a float is taken as the decimal it prints as)."""
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, sp.Rational):
        return value
    f = float(value)
    return sp.Rational(Fraction(repr(f)))


def _to_number(expr: sp.Expr) -> int | Fraction | float | None:
    """An evaluated sympy expression as int/Fraction (exact) or float; None if not finite/real."""
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return None
    if expr.is_Integer:
        return int(expr)
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    try:
        value = complex(expr.evalf(30))
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return None
    if abs(value.imag) > 0 or not math.isfinite(value.real):
        return None
    return float(value.real)


def _expr_key(expr: sp.Expr) -> str:
    return sp.srepr(expr)


# ---------------------------------------------------------------------------------- the model
class Model:
    """A parametric extensive-form game: sympy payoffs and probabilities over named parameters.

    Parameters
    ----------
    name
        Short identifier (the catalogue name), e.g. ``"extended_deterrence"``.
    players
        Player names, in order.
    parameters
        :class:`Parameter` objects (or ``{name: Parameter}``).
    nodes
        The tree as :class:`NodeSpec` s; the root is ``root`` or else the first node. Every
        node must be reachable from the root exactly once.
    root
        Id of the root node (default: the first node).
    title, description, references, concepts, status, entrapment, claims, meta
        Documentation: a readable title, a description, :class:`Reference` s, the solution
        concepts the model is meant for (``nash``, ``spe``, ``pbe``, ``qre``), what the spec
        rests on (``published``, ``reconstruction``, ``stylised``, ``teaching``), the model's
        definition of entrapment, published claims (dicts with at least ``text``) and free
        metadata.
    orderings
        Conditions on the parameters (``"cost_attacker > 0"``, chains ``"a < b < c"``), or
        :class:`Ordering` s; :meth:`game` refuses values that violate one unless
        ``check_orderings=False``.
    derived
        ``{name: expression}`` (or :class:`Derived` s): quantities defined from the parameters,
        usable in later derived quantities, payoffs, probabilities and orderings.
    baseline
        A :class:`Baseline`: how to get the no-pledge counterfactual (:meth:`baseline`).
    fixed
        Parameters pinned to values in this model (set by :meth:`baseline`).
    file, text
        The file the model was read from and its text (for error messages and :attr:`sha256`).

    Raises
    ------
    ModelError
        Naming the file, the key and the line where known: duplicate node ids, a child id that
        does not exist, a cycle or a node reachable twice, an unreachable node, a node of the
        wrong shape, an unknown player, an outcome label outside the vocabulary, an information
        set mixing players or actions, an undeclared concept or status.
    ExpressionError
        For an expression outside the allow-list (a subclass of :class:`ModelError`).
    """

    def __init__(
        self,
        name: str,
        players: Sequence[str],
        parameters: Mapping[str, Parameter] | Iterable[Parameter],
        nodes: Sequence[NodeSpec],
        *,
        root: str | None = None,
        title: str = "",
        description: str = "",
        references: Sequence[Reference] = (),
        concepts: Sequence[str] = (),
        status: str = "",
        orderings: Sequence[str | Ordering] = (),
        derived: Mapping[str, ExprLike] | Sequence[Derived] | None = None,
        baseline: Baseline | None = None,
        entrapment: str = "",
        claims: Sequence[Mapping[str, Any]] = (),
        meta: Mapping[str, Any] | None = None,
        fixed: Mapping[str, ExprLike] | None = None,
        is_baseline: bool = False,
        file: str | None = None,
        text: str | None = None,
        lines: Mapping[str, int] | None = None,
    ) -> None:
        self.file = file
        self._text = text
        self._lines = dict(lines or {})
        if not isinstance(name, str) or not name:
            raise self._error("model name must be a non-empty string", "model.name")
        self.name = name
        self.title = title or name
        self.description = description
        self.references: tuple[Reference, ...] = tuple(references)
        self.entrapment = entrapment
        self.claims: tuple[dict[str, Any], ...] = tuple(dict(c) for c in claims)
        self.meta: dict[str, Any] = dict(meta or {})
        self.is_baseline = is_baseline
        self._baseline_spec = baseline

        # players
        players = list(players)
        if not players or not all(isinstance(p, str) and p for p in players):
            raise self._error("players must be a non-empty list of names", "model.players")
        if len(set(players)) != len(players):
            dup = sorted({p for p in players if players.count(p) > 1})
            raise self._error(f"player names must be distinct; repeated: {dup}", "model.players")
        self.players: tuple[str, ...] = tuple(players)

        # concepts and status
        bad = [c for c in concepts if c not in CONCEPTS]
        if bad:
            raise self._error(
                f"unknown solution concept(s) {bad}; choose from {list(CONCEPTS)}", "model.concepts"
            )
        self.concepts: tuple[str, ...] = tuple(concepts)
        if status not in STATUSES:
            raise self._error(
                f"unknown status '{status}'; choose from {[s for s in STATUSES if s]}", "model.status"
            )
        self.status = status

        # parameters
        params = list(parameters.values()) if isinstance(parameters, Mapping) else list(parameters)
        self.parameters: dict[str, Parameter] = {}
        for p in params:
            if not isinstance(p, Parameter):
                raise self._error(f"expected a Parameter, got {type(p).__name__}", "parameters")
            if p.name in self.parameters:
                raise self._error(f"parameter '{p.name}' declared twice", f"parameters.{p.name}")
            self.parameters[p.name] = p
        self.symbols: dict[str, sp.Symbol] = {n: p.sympy for n, p in self.parameters.items()}

        # pinned parameters (baselines)
        self.fixed: dict[str, sp.Expr] = {}
        for pname, value in (fixed or {}).items():
            key = f"baseline.parameters.{pname}"
            if pname not in self.parameters:
                raise self._error(
                    f"cannot pin unknown parameter '{pname}'; parameters are {sorted(self.parameters)}", key
                )
            expr = self._parse(value, key, self._line(key), self.symbols)
            if not expr.free_symbols and expr.is_Number:
                try:
                    self.parameters[pname].check(
                        Fraction(int(expr.p), int(expr.q)) if expr.is_Rational else float(expr),
                        what="pinned value",
                    )
                except ParameterError as exc:
                    raise self._error(str(exc), key) from None
            self.fixed[pname] = expr
        self._subs: dict[sp.Symbol, sp.Expr] = {self.symbols[k]: v for k, v in self.fixed.items()}

        # derived quantities, in order; each may use the parameters and earlier ones
        self.derived: dict[str, Derived] = {}
        names: dict[str, sp.Expr] = dict(self.symbols)
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
                raise self._error(f"'{dname}' cannot name a derived quantity", key)
            if dname in names:
                raise self._error(
                    f"derived quantity '{dname}' clashes with a parameter or an earlier derived quantity", key
                )
            expr = self._parse(raw, key, self._line(key), names)
            expr = expr.xreplace(self._subs)
            self.derived[dname] = Derived(dname, expr, raw if isinstance(raw, str) else str(raw), desc)
            names[dname] = expr
        self._names = names

        # orderings
        self.orderings: tuple[Ordering, ...] = tuple(self._ordering(o, i) for i, o in enumerate(orderings))

        # the tree
        self._specs: tuple[NodeSpec, ...] = tuple(nodes)
        self._check_structure(root)
        self._parse_tree()
        self._kernel: Any = None
        self._baseline_model: Model | None = None
        if baseline is not None and not is_baseline:
            self._baseline_model = self._make_baseline(baseline)

    # ------------------------------------------------------------------ errors and parsing
    def _line(self, key: str) -> int | None:
        return self._lines.get(key)

    def _error(self, message: str, key: str | None = None, line: int | None = None) -> ModelError:
        if line is None and key is not None:
            line = self._line(key)
        return ModelError(message, file=self.file, key=key, line=line)

    def _parse(
        self, raw: ExprLike, key: str, line: int | None, names: Mapping[str, sp.Expr] | None = None
    ) -> sp.Expr:
        names = names if names is not None else self._names
        if isinstance(raw, sp.Basic):
            if not isinstance(raw, sp.Expr):
                raise self._error(f"expected an arithmetic expression, got {raw}", key, line)
            unknown = sorted(str(s) for s in raw.free_symbols if str(s) not in names)
            if unknown:
                raise self._error(f"expression {raw} uses undeclared name(s) {unknown}", key, line)
            return raw.xreplace({s: names[str(s)] for s in raw.free_symbols})
        if isinstance(raw, Fraction):
            return sp.Rational(raw.numerator, raw.denominator)
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise self._error(
                f"expected an expression (a string or a number), got {type(raw).__name__} {raw!r}", key, line
            )
        return parse_expression(raw, names, file=self.file, key=key, line=line)

    def _ordering(self, item: str | Ordering, index: int) -> Ordering:
        key = f"model.orderings[{index}]"
        line = self._line(key)
        if isinstance(item, Ordering):
            cond, note, prov, line = item.condition, item.note, item.provenance, item.line or line
            if isinstance(cond, str):
                cond = parse_condition(cond, self._names, file=self.file, key=key, line=line)
        elif isinstance(item, str):
            cond, note, prov = parse_condition(item, self._names, file=self.file, key=key, line=line), "", ""
        else:
            raise self._error(f"an ordering must be a string, got {type(item).__name__}", key, line)
        comps = []
        for c in cond.comparisons:
            c2 = type(c)(c.lhs.xreplace(self._subs), c.op, c.rhs.xreplace(self._subs))
            if not (c2.lhs - c2.rhs).free_symbols:
                value = _to_number(c2.lhs - c2.rhs)
                if value is not None and not c2.holds(value, 0):
                    pinned = ", ".join(f"{k} = {v}" for k, v in self.fixed.items())
                    raise self._error(
                        f"the ordering '{cond.text}' can never hold" + (f" when {pinned}" if pinned else ""),
                        key,
                        line,
                    )
                continue
            comps.append(c2)
        return Ordering(Condition(cond.text, tuple(comps)), note, prov, line)

    # ------------------------------------------------------------------ structure
    def _check_structure(self, root: str | None) -> None:
        specs = self._specs
        if not specs:
            raise self._error("the model has no nodes", "nodes")
        by_id: dict[str, NodeSpec] = {}
        for node in specs:
            if not isinstance(node, NodeSpec):
                raise self._error(f"expected a NodeSpec, got {type(node).__name__}", "nodes")
            if not isinstance(node.id, str) or not _ID_RE.match(node.id):
                raise self._error(
                    f"node id {node.id!r} is not valid (letters, digits, '_', '.', '-')", "nodes", node.line
                )
            if node.id in by_id:
                first = by_id[node.id].line
                raise self._error(
                    f"duplicate node id '{node.id}'" + (f" (first at line {first})" if first else ""),
                    f"nodes.{node.id}",
                    node.line,
                )
            by_id[node.id] = node
            self._check_node(node)
        self._by_id = by_id
        root_id = root if root is not None else specs[0].id
        if root_id not in by_id:
            raise self._error(f"root node '{root_id}' does not exist", "model.root")
        self.root = root_id
        # depth-first walk: missing children, cycles, nodes reachable twice
        order: list[str] = []
        paths: dict[str, str] = {root_id: "root"}
        seen: set[str] = set()
        on_path: set[str] = set()
        stack: list[tuple[str, bool]] = [(root_id, False)]
        while stack:
            nid, leaving = stack.pop()
            if leaving:
                on_path.discard(nid)
                continue
            seen.add(nid)
            on_path.add(nid)
            order.append(nid)
            stack.append((nid, True))
            node = by_id[nid]
            for action, child in reversed(list(node.actions.items())):
                key = f"nodes.{nid}.actions.{action}"
                if child not in by_id:
                    raise self._error(
                        f"action '{action}' leads to node '{child}', which does not exist",
                        key,
                        node.line_of("actions"),
                    )
                if child in on_path:
                    raise self._error(
                        f"action '{action}' leads back to node '{child}': the tree has a cycle",
                        key,
                        node.line_of("actions"),
                    )
                if child in seen or child in paths:
                    raise self._error(
                        f"node '{child}' is reachable twice (also from action '{action}' of "
                        f"'{nid}'); a tree node has exactly one parent",
                        key,
                        node.line_of("actions"),
                    )
                paths[child] = action if nid == root_id else f"{paths[nid]}/{action}"
                stack.append((child, False))
        unreachable = [n for n in specs if n.id not in seen]
        if unreachable:
            n = unreachable[0]
            raise self._error(
                f"node '{n.id}' is unreachable from the root '{root_id}'"
                + (f" (also unreachable: {[m.id for m in unreachable[1:]]})" if len(unreachable) > 1 else ""),
                f"nodes.{n.id}",
                n.line,
            )
        self._order: tuple[str, ...] = tuple(order)
        self.paths: dict[str, str] = {nid: paths[nid] for nid in order}
        # information sets: same player, same actions
        groups: dict[str, NodeSpec] = {}
        for nid in order:
            node = by_id[nid]
            if node.kind != "decision":
                continue
            iset = node.infoset or node.id
            if iset in groups:
                first = groups[iset]
                if first.player != node.player:
                    raise self._error(
                        f"information set '{iset}' mixes players: node '{first.id}' belongs to "
                        f"'{first.player}', node '{node.id}' to '{node.player}'",
                        f"nodes.{nid}.infoset",
                        node.line_of("infoset"),
                    )
                if tuple(first.actions) != tuple(node.actions):
                    raise self._error(
                        f"information set '{iset}' mixes actions: node '{first.id}' offers "
                        f"{list(first.actions)}, node '{node.id}' offers {list(node.actions)}",
                        f"nodes.{nid}.actions",
                        node.line_of("actions"),
                    )
            else:
                groups[iset] = node
        self.infosets: dict[str, tuple[str, ...]] = {}
        for nid in order:
            node = by_id[nid]
            if node.kind == "decision":
                self.infosets.setdefault(node.infoset or node.id, ())
                self.infosets[node.infoset or node.id] += (nid,)

    def _check_node(self, node: NodeSpec) -> None:
        nid = node.id
        if node.kind not in NODE_KINDS:
            raise self._error(
                f"node kind must be one of {list(NODE_KINDS)}, got {node.kind!r}",
                f"nodes.{nid}.kind",
                node.line_of("kind"),
            )
        if node.kind in ("decision", "chance"):
            if not isinstance(node.actions, Mapping) or not node.actions:
                raise self._error(
                    f"{node.kind} node '{nid}' needs at least one action",
                    f"nodes.{nid}.actions",
                    node.line_of("actions"),
                )
            for a, child in node.actions.items():
                if not isinstance(a, str) or not a or not isinstance(child, str):
                    raise self._error(
                        f"actions must map action names to node ids, got {a!r} = {child!r}",
                        f"nodes.{nid}.actions",
                        node.line_of("actions"),
                    )
            if node.payoffs or node.outcome:
                raise self._error(
                    f"{node.kind} node '{nid}' cannot have payoffs or an outcome", f"nodes.{nid}", node.line
                )
        if node.kind == "decision":
            if node.player not in self.players:
                raise self._error(
                    f"player {node.player!r} of node '{nid}' is not one of the players {list(self.players)}",
                    f"nodes.{nid}.player",
                    node.line_of("player"),
                )
            if node.probs:
                raise self._error(
                    f"decision node '{nid}' cannot have probs (only chance nodes)",
                    f"nodes.{nid}.probs",
                    node.line_of("probs"),
                )
        elif node.kind == "chance":
            if node.player is not None:
                raise self._error(
                    f"chance node '{nid}' cannot have a player", f"nodes.{nid}.player", node.line_of("player")
                )
            if set(node.probs) != set(node.actions):
                missing = [a for a in node.actions if a not in node.probs]
                extra = [a for a in node.probs if a not in node.actions]
                raise self._error(
                    f"chance node '{nid}' needs one probability per action"
                    + (f"; missing for {missing}" if missing else "")
                    + (f"; probs for unknown actions {extra}" if extra else ""),
                    f"nodes.{nid}.probs",
                    node.line_of("probs"),
                )
        else:
            if node.actions or node.probs or node.player is not None:
                raise self._error(
                    f"terminal node '{nid}' cannot have actions, probs or a player", f"nodes.{nid}", node.line
                )
            missing = [p for p in self.players if p not in node.payoffs]
            extra = [p for p in node.payoffs if p not in self.players]
            if missing or extra:
                raise self._error(
                    f"terminal node '{nid}' needs one payoff per player {list(self.players)}"
                    + (f"; missing {missing}" if missing else "")
                    + (f"; unknown player(s) {extra}" if extra else ""),
                    f"nodes.{nid}.payoffs",
                    node.line_of("payoffs"),
                )
            if not node.outcome:
                raise self._error(
                    f"terminal node '{nid}' needs an outcome label from {sorted(OUTCOMES)}",
                    f"nodes.{nid}.outcome",
                    node.line,
                )
            for lab in node.outcome:
                if lab not in OUTCOMES:
                    raise self._error(
                        f"outcome label {lab!r} of node '{nid}' is not in the vocabulary {sorted(OUTCOMES)}",
                        f"nodes.{nid}.outcome",
                        node.line_of("outcome"),
                    )

    def _parse_tree(self) -> None:
        self._payoffs: dict[str, dict[str, sp.Expr]] = {}
        self._probs: dict[str, dict[str, sp.Expr]] = {}
        for nid in self._order:
            node = self._by_id[nid]
            if node.kind == "terminal":
                row = {}
                for p in self.players:
                    key = f"nodes.{nid}.payoffs.{p}"
                    row[p] = self._parse(node.payoffs[p], key, node.line_of(f"payoffs.{p}")).xreplace(
                        self._subs
                    )
                self._payoffs[nid] = row
            elif node.kind == "chance":
                row = {}
                for a in node.actions:
                    key = f"nodes.{nid}.probs.{a}"
                    row[a] = self._parse(node.probs[a], key, node.line_of(f"probs.{a}")).xreplace(self._subs)
                self._probs[nid] = row
        # chance sets (shared infoset) must agree
        sets: dict[str, str] = {}
        for nid, row in self._probs.items():
            node = self._by_id[nid]
            if node.infoset is None:
                continue
            if node.infoset in sets:
                other = self._by_id[sets[node.infoset]]
                same = tuple(other.actions) == tuple(node.actions) and all(
                    sp.simplify(self._probs[other.id][a] - row[a]) == 0 for a in node.actions
                )
                if not same:
                    raise self._error(
                        f"chance nodes '{other.id}' and '{nid}' share the set '{node.infoset}' "
                        "but differ in actions or probabilities",
                        f"nodes.{nid}.infoset",
                        node.line_of("infoset"),
                    )
            else:
                sets[node.infoset] = nid
        self.terminals: tuple[str, ...] = tuple(n for n in self._order if self._by_id[n].kind == "terminal")
        self.chance_nodes: tuple[str, ...] = tuple(n for n in self._order if self._by_id[n].kind == "chance")
        self.branches: tuple[tuple[str, str], ...] = tuple(
            (n, a) for n in self.chance_nodes for a in self._by_id[n].actions
        )

    def _make_baseline(self, spec: Baseline) -> Model:
        return self._derive(spec, title=f"{self.title} — no-pledge baseline", is_baseline=True)

    def _derive(self, spec: Baseline, *, title: str, is_baseline: bool) -> Model:
        """A model with the nodes, outcome labels and pinned parameters of ``spec`` applied."""
        by_id = dict(self._by_id)
        order = [n.id for n in self._specs]
        for node in spec.nodes:
            if node.id not in by_id:
                order.append(node.id)
            by_id[node.id] = node
        for nid, labels in spec.outcomes.items():
            key = f"baseline.outcomes.{nid}"
            if nid not in by_id:
                raise self._error(f"baseline relabels node '{nid}', which does not exist", key)
            node = by_id[nid]
            if node.kind != "terminal":
                raise self._error(f"baseline relabels node '{nid}', which is not a terminal node", key)
            by_id[nid] = NodeSpec(
                **{
                    **node.__dict__,
                    "outcome": tuple(labels),
                    "lines": {**node.lines, "outcome": self._line(key) or node.line_of("outcome")},
                }
            )
        # keep only nodes reachable from the root (the baseline may cut branches off)
        reach: set[str] = set()
        stack = [self.root]
        while stack:
            nid = stack.pop()
            if nid in reach or nid not in by_id:
                continue
            reach.add(nid)
            stack.extend(by_id[nid].actions.values())
        nodes = [by_id[n] for n in order if n in reach]
        fixed = {**self.fixed, **dict(spec.parameters)}
        derived = [Derived(d.name, d.expr, d.text, d.description) for d in self.derived.values()]
        orderings = [Ordering(o.condition.text, o.note, o.provenance, o.line) for o in self.orderings]
        return Model(
            self.name,
            self.players,
            self.parameters,
            nodes,
            root=self.root,
            title=title,
            description=spec.description or self.description,
            references=self.references,
            concepts=self.concepts,
            status=self.status,
            orderings=orderings,
            derived=derived,
            entrapment=self.entrapment,
            claims=self.claims,
            meta=self.meta,
            fixed=fixed,
            is_baseline=is_baseline,
            file=self.file,
            text=self._text,
            lines=self._lines,
        )

    # ------------------------------------------------------------------ construction from Python
    @classmethod
    def from_tree(
        cls,
        root: DecisionNode | ChanceNode | TerminalNode,
        *,
        name: str,
        players: Sequence[str],
        parameters: Mapping[str, Parameter] | Iterable[Parameter],
        **kwargs: Any,
    ) -> Model:
        """Build a model from the tree builders, with expressions (text or sympy) as payoffs.

        Node ids are the nodes' ``label`` s where given, else their action paths
        (``"attack.resist"``; the root is ``"root"``). Decision nodes keep their ``infoset``.

        Examples
        --------
        >>> from deterrence.game import decision, terminal
        >>> m = Model.from_tree(
        ...     decision("A", {"stay": terminal({"A": 0, "B": "v"}, "status_quo"),
        ...                    "attack": terminal({"A": "v - c", "B": "-c"}, "war")}),
        ...     name="toy", players=["A", "B"],
        ...     parameters=[Parameter("v", 1.0, (0, 10)), Parameter("c", 0.5, (0, 10))])
        >>> m.game(v=2).payoffs.tolist()
        [[0.0, 2.0], [1.5, -0.5]]
        """
        specs: list[NodeSpec] = []
        stack: list[tuple[Any, str]] = [(root, "root")]
        while stack:
            node, path = stack.pop()
            nid = getattr(node, "label", None) or path
            kids: list[tuple[str, Any]] = []
            if isinstance(node, DecisionNode):
                kids = list(node.actions.items())
                ids = {
                    a: (getattr(c, "label", None) or (a if path == "root" else f"{path}.{a}"))
                    for a, c in kids
                }
                specs.append(NodeSpec(nid, "decision", player=node.player, infoset=node.infoset, actions=ids))
            elif isinstance(node, ChanceNode):
                kids = [(a, v[1]) for a, v in node.branches.items()]
                ids = {
                    a: (getattr(c, "label", None) or (a if path == "root" else f"{path}.{a}"))
                    for a, c in kids
                }
                specs.append(
                    NodeSpec(
                        nid,
                        "chance",
                        infoset=node.infoset,
                        actions=ids,
                        probs={a: v[0] for a, v in node.branches.items()},
                    )
                )
            elif isinstance(node, TerminalNode):
                pay = node.payoffs
                if not isinstance(pay, Mapping):
                    pay = dict(zip(players, pay, strict=False))
                specs.append(NodeSpec(nid, "terminal", payoffs=dict(pay), outcome=tuple(node.outcome)))
            else:
                raise ModelError(
                    f"expected a decision, chance or terminal node at '{path}', got {type(node).__name__}"
                )
            for a, child in reversed(kids):
                stack.append((child, a if path == "root" else f"{path}.{a}"))
        return cls(name, players, parameters, specs, **kwargs)

    # ------------------------------------------------------------------ facts
    def __repr__(self) -> str:
        kind = " (baseline)" if self.is_baseline else ""
        return (
            f"<Model {self.name!r}{kind}: {len(self.players)} players, {len(self.parameters)} parameters, "
            f"{len(self._order)} nodes>"
        )

    @property
    def nodes(self) -> tuple[NodeSpec, ...]:
        """The node specs in preorder (root first)."""
        return tuple(self._by_id[n] for n in self._order)

    def node(self, node_id: str) -> NodeSpec:
        """The spec of one node."""
        if node_id not in self._by_id:
            raise ModelError(f"model '{self.name}' has no node '{node_id}'; nodes: {list(self._order)}")
        return self._by_id[node_id]

    @property
    def defaults(self) -> dict[str, float]:
        """Default value of every parameter."""
        return {n: p.default for n, p in self.parameters.items()}

    @property
    def text(self) -> str | None:
        """The text of the file the model was read from (None if built in Python)."""
        return self._text

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of the model file's text (or of a canonical dump of a model built in Python)."""
        if self._text is not None:
            return hashlib.sha256(self._text.encode("utf-8")).hexdigest()
        canon = {
            "name": self.name,
            "players": self.players,
            "root": self.root,
            "parameters": {
                n: [p.default, list(p.domain), p.open_lower, p.open_upper] for n, p in self.parameters.items()
            },
            "fixed": {k: _expr_key(v) for k, v in self.fixed.items()},
            "nodes": [
                [n.id, n.kind, n.player, n.infoset, list(n.actions.items()), list(n.outcome)]
                for n in self.nodes
            ],
            "payoffs": {k: {p: _expr_key(e) for p, e in v.items()} for k, v in self._payoffs.items()},
            "probs": {k: {a: _expr_key(e) for a, e in v.items()} for k, v in self._probs.items()},
            "orderings": [o.text for o in self.orderings],
        }
        return hashlib.sha256(json.dumps(canon, sort_keys=True, default=str).encode()).hexdigest()

    def payoff_expressions(self, key: str = "path") -> dict[str, dict[str, sp.Expr]]:
        """Payoffs as sympy expressions: ``{terminal: {player: expression}}``.

        Parameters
        ----------
        key
            ``"path"`` to name terminals by action path (as ``game.nodes[i].path``, e.g.
            ``"committed/attack/resist/intervene"``), ``"id"`` by node id.
        """
        if key not in ("path", "id"):
            raise ValueError(f"key must be 'path' or 'id', got {key!r}")
        return {(self.paths[t] if key == "path" else t): dict(self._payoffs[t]) for t in self.terminals}

    def probability_expressions(self, key: str = "path") -> dict[str, dict[str, sp.Expr]]:
        """Chance probabilities as sympy expressions: ``{chance node: {action: expression}}``."""
        if key not in ("path", "id"):
            raise ValueError(f"key must be 'path' or 'id', got {key!r}")
        return {(self.paths[c] if key == "path" else c): dict(self._probs[c]) for c in self.chance_nodes}

    def outcomes(self) -> dict[str, tuple[str, ...]]:
        """Outcome labels of every terminal node, by id."""
        return {t: self._by_id[t].outcome for t in self.terminals}

    def baseline(self) -> Model:
        """The model's no-pledge baseline (a model with the same parameters).

        Raises
        ------
        ModelError
            If the model declares no baseline.
        """
        if self.is_baseline:
            return self
        if self._baseline_model is None:
            raise self._error(
                f"model '{self.name}' declares no no-pledge baseline (add a [baseline] table)", "baseline"
            )
        return self._baseline_model

    def restrict(self, keep: Mapping[str, Iterable[str]], *, label: str = "", description: str = "") -> Model:
        """The model with some players' options taken away (a posture, a pledge not to act).

        Parameters
        ----------
        keep
            ``{information set: actions kept}``: at every node of each named information set
            (or of the node with that id) only the listed actions remain, in their order;
            subtrees that can no longer be reached are dropped. For example, a no-first-use
            posture keeps ``["concede", "respond"]`` at the Defender's first move.
        label
            Short name of the restriction, appended to the title (``"no-first-use"``).
        description
            What the restriction means, in words (default: the model's description).

        Returns
        -------
        Model
            A model with the same parameters, orderings and outcome labels. Its baseline, if the
            model has one, is the baseline with the same restriction.

        Raises
        ------
        ModelError
            If a key names no information set or node, an action does not exist there, or no
            action would remain.
        """
        if not isinstance(keep, Mapping) or not keep:
            raise self._error("restrict() needs a non-empty mapping {information set: actions kept}")
        by_set: dict[str, list[NodeSpec]] = {}
        for spec in self._specs:
            if spec.kind == "decision":
                by_set.setdefault(spec.infoset or spec.id, []).append(spec)
        replaced = []
        for key, actions in keep.items():
            targets = by_set.get(key) or [n for n in self._specs if n.id == key and n.kind == "decision"]
            if not targets:
                raise self._error(
                    f"restrict(): '{key}' is neither an information set nor a decision node of model "
                    f"'{self.name}'; information sets: {', '.join(by_set)}"
                )
            if isinstance(actions, str) or not isinstance(actions, Iterable):
                raise self._error(f"restrict(): the actions kept at '{key}' must be a list of action names")
            wanted = list(actions)
            have = list(targets[0].actions)
            unknown = [a for a in wanted if a not in have]
            if unknown:
                raise self._error(
                    f"restrict(): '{key}' has no action '{unknown[0]}'; its actions: {', '.join(have)}"
                )
            if not wanted:
                raise self._error(f"restrict(): no action would remain at '{key}'")
            for node in targets:
                acts = {a: c for a, c in node.actions.items() if a in wanted}
                replaced.append(NodeSpec(**{**node.__dict__, "actions": acts}))
        spec = Baseline(description=description, nodes=tuple(replaced))
        suffix = f" — {label}" if label else " — restricted"
        out = self._derive(spec, title=f"{self.title}{suffix}", is_baseline=self.is_baseline)
        if self._baseline_model is not None:
            out._baseline_spec = self._baseline_spec
            out._baseline_model = self._baseline_model.restrict(keep, label=label, description=description)
        return out

    @property
    def baseline_description(self) -> str:
        """What the no-pledge baseline is, in words (empty if none)."""
        return self._baseline_spec.description if self._baseline_spec is not None else ""

    # ------------------------------------------------------------------ values
    def _values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        unknown = [k for k in values if k not in self.parameters]
        if unknown:
            raise ParameterError(
                f"unknown parameter '{unknown[0]}' for model '{self.name}'; valid parameters: "
                f"{', '.join(self.parameters)}",
                name=unknown[0],
                value=values[unknown[0]],
            )
        out = {}
        for n, p in self.parameters.items():
            out[n] = p.check(values[n]) if n in values else p.default
        return out

    def _check_orderings_exact(self, subs: Mapping[sp.Symbol, sp.Expr], shown: Mapping[str, Any]) -> None:
        for o in self.orderings:
            for c in o.condition.comparisons:
                diff = _to_number((c.lhs - c.rhs).xreplace(subs))
                if diff is None or not c.holds(diff, 0):
                    names = sorted(str(s) for s in (c.lhs.free_symbols | c.rhs.free_symbols))
                    at = ", ".join(f"{k}={shown[k]}" for k in names if k in shown)
                    raise ParameterError(
                        f"values violate the ordering '{o.text}' of model '{self.name}' ({c} fails at {at}); "
                        "pass check_orderings=False to use them anyway",
                        name=names[0] if names else None,
                        value={k: shown[k] for k in names if k in shown},
                        domain=o.text,
                    )

    def game(
        self,
        values: Mapping[str, Any] | None = None,
        /,
        *,
        check_orderings: bool = True,
        exact: bool = True,
        **kwargs: Any,
    ) -> ExtensiveFormGame:
        """The numeric game at given parameter values (unspecified ones take their defaults).

        Parameters
        ----------
        values, **kwargs
            Parameter values, as a mapping and/or keyword arguments.
        check_orderings
            Refuse values that violate one of the model's orderings (default).
        exact
            Evaluate exactly (payoffs and probabilities become ``int``/``Fraction`` where the
            expressions allow; a float value is taken as the decimal it prints as, so ``0.1``
            is 1/10). ``False`` evaluates in floating point with the compiled kernel (faster).

        Raises
        ------
        ParameterError
            An unknown parameter (the message lists the valid ones); a value that is not a real
            number, not finite or outside its domain; values that violate an ordering.
        ModelError
            A payoff or probability that is not finite at these values, or chance probabilities
            outside [0, 1] or not summing to one (naming the node).
        """
        vals = self._values({**(values or {}), **kwargs})
        if exact:
            subs = {self.symbols[n]: _exact(v) for n, v in vals.items()}
            if check_orderings:
                self._check_orderings_exact(subs, vals)
            pay = {
                t: {p: _to_number(e.xreplace(subs)) for p, e in row.items()}
                for t, row in self._payoffs.items()
            }
            prob = {
                c: {a: _to_number(e.xreplace(subs)) for a, e in row.items()} for c, row in self._probs.items()
            }
        else:
            ev = self.evaluate(
                {k: np.asarray(v, dtype=float) for k, v in vals.items()},
                check=False,
                check_orderings=check_orderings,
            )
            pay = {
                t: {p: float(ev.payoffs[i, j]) for j, p in enumerate(self.players)}
                for i, t in enumerate(self.terminals)
            }
            prob = {c: {} for c in self.chance_nodes}
            for k, (c, a) in enumerate(self.branches):
                prob[c][a] = float(ev.probs[k])
        at = ", ".join(f"{k}={v}" for k, v in vals.items())
        for t, row in pay.items():
            node = self._by_id[t]
            for p, v in row.items():
                if v is None or not abs(v) <= 1.7976931348623157e308:  # NaN, inf or too large for a float
                    raise self._error(
                        f"payoff of '{p}' at node '{t}' is not a finite number "
                        f"({self._payoffs[t][p]} at {at})",
                        f"nodes.{t}.payoffs.{p}",
                        node.line_of(f"payoffs.{p}"),
                    )
        for c, row in prob.items():
            self._check_probs(c, row, at)
        return self._build_game(pay, prob)

    def _check_probs(self, c: str, row: Mapping[str, Any], at: str) -> None:
        node = self._by_id[c]
        for a, v in row.items():
            key = f"nodes.{c}.probs.{a}"
            if v is None or not abs(v) <= 1.7976931348623157e308:  # NaN, inf or too large for a float
                raise self._error(
                    f"probability of branch '{a}' at chance node '{c}' is not a finite number "
                    f"({self._probs[c][a]} at {at})",
                    key,
                    node.line_of(f"probs.{a}"),
                )
            if v < 0 or v > 1:
                raise self._error(
                    f"probability of branch '{a}' at chance node '{c}' is {v}, outside [0, 1] "
                    f"({self._probs[c][a]} at {at})",
                    key,
                    node.line_of(f"probs.{a}"),
                )
        total = sum(row.values())
        exact = all(isinstance(v, (int, Fraction)) for v in row.values())
        if (exact and total != 1) or (not exact and abs(float(total) - 1.0) > _PROB_TOL):
            raise self._error(
                f"probabilities at chance node '{c}' sum to {float(total):.12g}, not 1 (at {at})",
                f"nodes.{c}.probs",
                node.line_of("probs"),
            )

    def _build_game(
        self, pay: Mapping[str, Mapping[str, Any]], prob: Mapping[str, Mapping[str, Any]]
    ) -> ExtensiveFormGame:
        built: dict[str, Any] = {}
        for nid in reversed(self._order):
            node = self._by_id[nid]
            if node.kind == "terminal":
                built[nid] = terminal(dict(pay[nid]), node.outcome, label=nid)
            elif node.kind == "decision":
                built[nid] = decision(
                    node.player or "",
                    {a: built[c] for a, c in node.actions.items()},
                    infoset=node.infoset or nid,
                    label=nid,
                )
            else:
                built[nid] = chance(
                    {a: (prob[nid][a], built[c]) for a, c in node.actions.items()},
                    infoset=node.infoset,
                    label=nid,
                )
        try:
            return ExtensiveFormGame(built[self.root], players=self.players, title=self.title)
        except GameError as exc:  # should not happen: the model checked the same things
            raise self._error(f"the numeric game is malformed: {exc}") from exc

    # ------------------------------------------------------------------ vectorised evaluation
    def _compile(self) -> Any:
        if self._kernel is None:
            syms = list(self.symbols.values())
            exprs = [self._payoffs[t][p] for t in self.terminals for p in self.players]
            exprs += [self._probs[c][a] for c, a in self.branches]
            conds: list[sp.Expr] = []
            for o in self.orderings:
                for comp in o.condition.comparisons:
                    conds.append(comp.lhs - comp.rhs)
            self._kernel = sp.lambdify(syms, exprs + conds, modules="numpy", cse=True)
        return self._kernel

    def evaluate(
        self, values: Mapping[str, Any] | None = None, *, check: bool = True, check_orderings: bool = True
    ) -> Evaluation:
        """Evaluate every payoff and chance probability on arrays of parameter points.

        The expressions are compiled once per model with :func:`sympy.lambdify` (numpy) and
        cached; parameters not given take their defaults; arrays broadcast together.

        Parameters
        ----------
        values
            ``{parameter: array-like}``.
        check
            Raise :class:`ModelError` if a payoff or probability is not finite, or the
            probabilities at a chance node leave [0, 1] or do not sum to one, at any point.
        check_orderings
            Raise :class:`ParameterError` if a point violates an ordering (else see
            ``Evaluation.ordering_ok``).

        Returns
        -------
        Evaluation
        """
        values = dict(values or {})
        unknown = [k for k in values if k not in self.parameters]
        if unknown:
            raise ParameterError(
                f"unknown parameter '{unknown[0]}' for model '{self.name}'; valid parameters: "
                f"{', '.join(self.parameters)}",
                name=unknown[0],
            )
        arrays: dict[str, np.ndarray] = {}
        for n, p in self.parameters.items():
            raw = values.get(n, p.default)
            try:
                arr = np.asarray(raw)
                if arr.dtype == bool or arr.dtype.kind not in "iuf":
                    raise TypeError
                arr = arr.astype(float)
            except (TypeError, ValueError):
                raise ParameterError(
                    f"values of parameter '{n}' must be real numbers, got {raw!r}",
                    name=n,
                    value=raw,
                    domain=p.domain,
                ) from None
            bad = ~np.isfinite(arr)
            if not bad.any():
                lo, hi = p.domain
                bad = (arr < lo) | (arr > hi)
                if p.open_lower or math.isinf(lo):
                    bad |= arr == lo
                if p.open_upper or math.isinf(hi):
                    bad |= arr == hi
            if bad.any():
                v = arr[bad].flat[0]
                idx = tuple(int(i) for i in np.argwhere(bad)[0])
                raise ParameterError(
                    f"value {v} of parameter '{n}' (at index {idx}) is outside its domain {p.domain_text}",
                    name=n,
                    value=float(v),
                    domain=p.domain,
                )
            arrays[n] = arr
        try:
            shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
        except ValueError:
            raise ParameterError(
                "parameter arrays do not broadcast together: "
                + ", ".join(f"{k}{a.shape}" for k, a in arrays.items())
            ) from None
        arrays = {k: np.broadcast_to(a, shape) for k, a in arrays.items()}
        kernel = self._compile()
        try:
            with np.errstate(all="ignore"):
                out = kernel(*(arrays[n] for n in self.parameters))
        except OverflowError:
            raise self._huge_constant_error() from None
        nt, npl, nb = len(self.terminals), len(self.players), len(self.branches)
        cols = [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in out]
        payoffs = (np.stack(cols[: nt * npl], axis=-1) if nt * npl else np.zeros((*shape, 0))).reshape(
            (*shape, nt, npl)
        )
        probs = np.stack(cols[nt * npl : nt * npl + nb], axis=-1) if nb else np.zeros((*shape, 0))
        ok = np.ones(shape, dtype=bool)
        k = nt * npl + nb
        for o in self.orderings:
            for comp in o.condition.comparisons:
                diff = cols[k]
                k += 1
                holds = comp.holds(diff, 0.0)
                ok &= holds
                if check_orderings and not np.all(holds):
                    idx = tuple(int(i) for i in np.argwhere(~holds)[0])
                    at = ", ".join(
                        f"{n}={arrays[n][idx]:.6g}"
                        for n in sorted(str(s) for s in (comp.lhs.free_symbols | comp.rhs.free_symbols))
                    )
                    raise ParameterError(
                        f"values violate the ordering '{o.text}' of model '{self.name}' at index {idx} "
                        f"({comp} fails at {at}); pass check_orderings=False to use them anyway",
                        domain=o.text,
                    )
        if check:
            self._check_arrays(payoffs, probs, arrays)
        payoffs.setflags(write=False)
        probs.setflags(write=False)
        return Evaluation(
            shape=tuple(shape),
            payoffs=payoffs,
            probs=probs,
            terminals=self.terminals,
            branches=self.branches,
            ordering_ok=ok,
            values=arrays,
        )

    def _huge_constant_error(self) -> ModelError:
        """The error for an expression holding a constant beyond the float range (named by node)."""
        limit = sp.Float(1.7976931348623157e308)
        for t in self.terminals:
            for p, e in self._payoffs[t].items():
                if any(abs(a) > limit for a in e.atoms(sp.Number)):
                    return self._error(
                        f"payoff of '{p}' at node '{t}' holds a constant beyond the float range",
                        f"nodes.{t}.payoffs.{p}",
                        self._by_id[t].line_of(f"payoffs.{p}"),
                    )
        for c, a in self.branches:
            if any(abs(x) > limit for x in self._probs[c][a].atoms(sp.Number)):
                return self._error(
                    f"probability of branch '{a}' at chance node '{c}' holds a constant beyond "
                    "the float range",
                    f"nodes.{c}.probs.{a}",
                    self._by_id[c].line_of(f"probs.{a}"),
                )
        return self._error("an expression overflows the float range when evaluated")

    def _check_arrays(self, payoffs: np.ndarray, probs: np.ndarray, arrays: Mapping[str, np.ndarray]) -> None:
        def at(idx: tuple[int, ...]) -> str:
            return ", ".join(f"{n}={a[idx]:.6g}" for n, a in arrays.items())

        bad = ~np.isfinite(payoffs)
        if bad.any():
            pos = tuple(int(i) for i in np.argwhere(bad)[0])
            idx, t, p = pos[:-2], self.terminals[pos[-2]], self.players[pos[-1]]
            raise self._error(
                f"payoff of '{p}' at node '{t}' is not a finite number at index {idx} ({at(idx)})",
                f"nodes.{t}.payoffs.{p}",
                self._by_id[t].line_of(f"payoffs.{p}"),
            )
        if probs.shape[-1]:
            bad = ~np.isfinite(probs) | (probs < -_PROB_TOL) | (probs > 1 + _PROB_TOL)
            if bad.any():
                pos = tuple(int(i) for i in np.argwhere(bad)[0])
                idx, (c, a) = pos[:-1], self.branches[pos[-1]]
                raise self._error(
                    f"probability of branch '{a}' at chance node '{c}' is {probs[pos]}, not in "
                    f"[0, 1], at index {idx} ({at(idx)})",
                    f"nodes.{c}.probs.{a}",
                    self._by_id[c].line_of(f"probs.{a}"),
                )
            k = 0
            for c in self.chance_nodes:
                m = len(self._by_id[c].actions)
                total = probs[..., k : k + m].sum(axis=-1)
                k += m
                bad = np.abs(total - 1.0) > _PROB_TOL
                if bad.any():
                    idx = tuple(int(i) for i in np.argwhere(bad)[0])
                    raise self._error(
                        f"probabilities at chance node '{c}' sum to {total[idx]:.12g}, not 1, at "
                        f"index {idx} ({at(idx)})",
                        f"nodes.{c}.probs",
                        self._by_id[c].line_of("probs"),
                    )

    def derived_value(self, name: str, **values: Any) -> int | Fraction | float:
        """Exact value of a derived quantity at given parameter values (defaults elsewhere)."""
        if name not in self.derived:
            raise ModelError(
                f"model '{self.name}' has no derived quantity '{name}'; derived: {sorted(self.derived)}"
            )
        vals = self._values(values)
        subs = {self.symbols[n]: _exact(v) for n, v in vals.items()}
        value = _to_number(self.derived[name].expr.xreplace(subs))
        if value is None:
            raise ModelError(f"derived quantity '{name}' is not finite at these values")
        return value


__all__ = [
    "CONCEPTS",
    "STATUSES",
    "Baseline",
    "Derived",
    "Evaluation",
    "Model",
    "NodeSpec",
    "Ordering",
    "Parameter",
    "Reference",
]
