"""The parts a :class:`~deterrence.model.Model` is made of: parameters, node specs, orderings, ...

Frozen dataclasses, data with their own checks: :class:`Parameter` (name, default, domain),
:class:`NodeSpec` (one node of the tree, children by id, with the lines it was written on),
:class:`Reference`, :class:`Ordering`, :class:`Derived`, :class:`Baseline`, the whole
:class:`ModelSpec` a model is built from, and the result of
:meth:`Model.evaluate <deterrence.model.Model.evaluate>`, :class:`Evaluation`; the vocabulary
constants; and the exact-number helpers the model uses. Re-exported by :mod:`deterrence.model`.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from .._numbers import evaluate
from ..equilibrium import CONCEPTS  # the solution concepts a model may declare
from ..errors import ParameterError
from ..expr import Condition, is_identifier

#: what a model's specification rests on (see ``docs/discussion/derivations.md#provenance-and-status``)
STATUSES: tuple[str, ...] = ("", "published", "reconstruction", "stylised", "teaching")
#: names that cannot be parameters (they are keyword options of :meth:`Model.game`)
RESERVED: frozenset[str] = frozenset({"check_orderings", "exact", "values", "self"})
#: options passed by keyword beside parameter values (``dt.regimes(m, concept=..., seed=..., **fixed)``,
#: ``dt.threshold``, ``dt.numeric_threshold``): a parameter of that name could not be told from the option
KEYWORD_OPTIONS: frozenset[str] = frozenset(
    {"concept", "belief_policy", "seed", "lo", "hi", "grid", "tol", "solve_options", "progress"}
)
#: columns of a sweep's tidy table (:mod:`deterrence.sweeps._tidy`), of its
#: ``SweepResult.regime_table()`` (``regimes``) and ``partial_dependence()`` (``mean``, ``std``,
#: ``count``; ``min``, ``max`` are function names), which have a column per parameter beside them
#: (``tests/test_limits_and_scaling.py`` checks the lists agree)
TABLE_COLUMNS: frozenset[str] = frozenset({
    "point", "equilibrium", "n_equilibria", "regime", "selected", "p_attack", "p_war", "p_allied_war",
    "p_entrapment", "p_abandonment", "p_attack_baseline", "deterred", "regret", "bayes_error", "path",
    "error", "regimes", "mean", "std", "count",
})
#: prefixes of the tidy table's columns per player (``payoff_<player>``) and label (``outcome_<label>``)
TABLE_PREFIXES: tuple[str, ...] = ("payoff_", "outcome_")


def parameter_name_problem(name: Any) -> str | None:
    """Why ``name`` cannot name a parameter, or None if it can."""
    if not is_identifier(name):
        return ("use ASCII letters, digits and '_', start with a letter; not a Python keyword or a function "
                "name of expressions")
    if name in RESERVED:
        return f"it is a keyword option of Model.game() (reserved: {', '.join(sorted(RESERVED))})"
    if name in KEYWORD_OPTIONS:
        return (f"it is an option given by keyword beside parameter values in dt.regimes(), "
                f"dt.threshold() and dt.numeric_threshold() "
                f"(reserved: {', '.join(sorted(KEYWORD_OPTIONS))})")
    if name in TABLE_COLUMNS or name.startswith(TABLE_PREFIXES):
        return ("it names a column of a sweep's tables, which have a column per parameter (reserved: "
                f"{', '.join(sorted(TABLE_COLUMNS))} and names starting with {' or '.join(TABLE_PREFIXES)})")
    return None


NODE_KINDS: tuple[str, ...] = ("decision", "chance", "terminal")

NODE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
PROB_TOL = 1e-9

ExprLike = str | int | float | Fraction | sp.Expr


# ---------------------------------------------------------------------------------- parameters
def _shown(value: Any) -> str:
    """A value for a message; very large integers are described, not printed."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 330:
        return f"an integer with about {int(value.bit_length() * 0.30103)} digits"
    if isinstance(value, Fraction):
        bits = max(value.numerator.bit_length(), value.denominator.bit_length())
        if bits > 330:
            size = f"{float(value):.6g}" if abs(value) < 1e308 else "beyond the float range"
            return f"a fraction of about {int(bits * 0.30103)} digits ({size})"
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
        ``(lo, hi)``: the closed interval of allowed values; ``-inf``/``inf`` for no bound (see
        :meth:`contains` for the rule at the ends).
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
        problem = parameter_name_problem(self.name)
        if problem:
            raise ParameterError(f"'{self.name}' cannot name a parameter: {problem}", name=self.name)
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

    @property
    def bounded(self) -> bool:
        """Whether both ends of the domain are finite (a range to sample from)."""
        return all(math.isfinite(x) for x in self.domain)

    def contains(self, value: Any, *, closed: bool = False) -> Any:
        """Whether values lie in the domain: the one domain rule of models, designs and sweeps.

        The rule: a value lies in the domain when it is a finite real number with
        ``lo <= value <= hi`` that is not an open end (``open_lower``, ``open_upper``). An
        infinite end is always open: ``inf``, ``-inf`` and NaN lie in no domain. With
        ``closed=True`` the open ends count as inside (the closure of the domain, for the ends
        of a range to scan that steps inside them); infinite values are still outside.

        Parameters
        ----------
        value
            A number or an array of numbers.
        closed
            Test the closure of the domain instead of the domain.

        Returns
        -------
        bool or numpy.ndarray
            A bool for a number, a boolean array of ``value``'s shape for an array.
        """
        v = np.asarray(value, dtype=float)
        lo, hi = self.domain
        with np.errstate(invalid="ignore"):
            inside = np.isfinite(v) & (v >= lo) & (v <= hi)
        if not closed:
            if self.open_lower:
                inside &= v != lo
            if self.open_upper:
                inside &= v != hi
        return bool(inside) if inside.ndim == 0 else inside

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
        plain = value.item() if hasattr(value, "item") else value  # numpy scalars as Python numbers
        if not abs(plain) <= 1.7976931348623157e308:  # NaN, inf, or an int too large for a float
            raise ParameterError(
                f"{what} of parameter '{self.name}' must be finite, got {_shown(value)} "
                f"(domain {self.domain_text})",
                name=self.name,
                value=value,
                domain=self.domain,
            )
        if not self.contains(float(value)):
            raise ParameterError(
                f"{what} {_shown(value)} of parameter '{self.name}' is outside its domain {self.domain_text}",
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
    """A bibliographic reference of a model; ``provenance`` uses the tags of
    ``docs/discussion/derivations.md#provenance-and-status`` (``S`` seen in the source, ``L``
    recalled, ``D`` derived, ``N`` numerically checked)."""

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
        ``shape``: whether every ordering of the model holds at the point, as
        :meth:`Model.game <deterrence.model.Model.game>` decides it (exactly, at the decimals
        the values print as; floating point only where its error cannot change the verdict).
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


# ---------------------------------------------------------------------------------- the whole model
@dataclass(frozen=True, eq=False)
class ModelSpec:
    """Everything a :class:`~deterrence.model.Model` is built from: ``Model(ModelSpec(...))``.

    Data only: :class:`~deterrence.model.Model` checks it (naming the file, the key and the
    line where known) and parses its expressions. ``name``, ``players``, ``parameters`` and
    ``nodes`` may be given by position, the rest by keyword.

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
        Documentation: a readable title (default: the name), a description,
        :class:`Reference` s, the solution concepts the model is meant for (``nash``, ``spe``,
        ``pbe``, ``qre``), what the spec rests on (``published``, ``reconstruction``,
        ``stylised``, ``teaching``), the model's definition of entrapment, published claims
        (dicts with at least ``text``) and free metadata.
    orderings
        Conditions on the parameters (``"cost_attacker > 0"``, chains ``"a < b < c"``), or
        :class:`Ordering` s (whose condition may be text); :meth:`Model.game` refuses values
        that violate one unless ``check_orderings=False``.
    derived
        ``{name: expression}`` (or :class:`Derived` s, parsed from their ``text`` when given):
        quantities defined from the parameters, usable in later derived quantities, payoffs,
        probabilities and orderings.
    baseline
        A :class:`Baseline`: how to get the no-pledge counterfactual (:meth:`Model.baseline`).
    fixed
        Parameters pinned to values in this model (set by :meth:`Model.baseline`).
    is_baseline
        Whether this model is a no-pledge baseline.
    file, text, lines
        The file the model was read from, its text (for :attr:`Model.sha256`) and the line of
        each key (``"nodes.root.payoffs"`` -> line), for error messages.
    """

    name: str
    players: Sequence[str]
    parameters: Mapping[str, Parameter] | Iterable[Parameter]
    nodes: Sequence[NodeSpec]
    _: KW_ONLY
    root: str | None = None
    title: str = ""
    description: str = ""
    references: Sequence[Reference] = ()
    concepts: Sequence[str] = ()
    status: str = ""
    orderings: Sequence[str | Ordering] = ()
    derived: Mapping[str, ExprLike] | Sequence[Derived] | None = None
    baseline: Baseline | None = None
    entrapment: str = ""
    claims: Sequence[Mapping[str, Any]] = ()
    meta: Mapping[str, Any] | None = None
    fixed: Mapping[str, ExprLike] | None = None
    is_baseline: bool = False
    file: str | None = None
    text: str | None = None
    lines: Mapping[str, int] | None = None


# ---------------------------------------------------------------------------------- helpers
def exact_value(value: Any) -> sp.Expr:
    """A parameter value as an exact sympy number (a float is taken as the decimal it prints as)."""
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, sp.Rational):
        return value
    f = float(value)
    return sp.Rational(Fraction(repr(f)))


def exact_fraction(value: Any) -> Fraction:
    """:func:`exact_value` as a ``Fraction`` (what :func:`deterrence._numbers.evaluate` computes
    with; building the sympy number first costs more than the evaluation)."""
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    if isinstance(value, Fraction):
        return value
    if isinstance(value, sp.Rational):
        return Fraction(int(value.p), int(value.q))
    return Fraction(repr(float(value)))


def to_number(expr: sp.Expr, values: Mapping[sp.Basic, Any] | None = None) -> int | Fraction | float | None:
    """``expr`` (at ``values``: ``{symbol: exact number}``) as int/Fraction (exact) or float; None
    if not finite or not real. The cost is bounded (:func:`deterrence._numbers.evaluate`): pass
    the values rather than substituting them first, since sympy evaluates a substitution eagerly."""
    return evaluate(expr, values)


def expr_key(expr: sp.Expr) -> str:
    return sp.srepr(expr)


__all__ = [
    "CONCEPTS",
    "NODE_KINDS",
    "RESERVED",
    "STATUSES",
    "Baseline",
    "Derived",
    "Evaluation",
    "ExprLike",
    "ModelSpec",
    "NodeSpec",
    "Ordering",
    "Parameter",
    "Reference",
]
