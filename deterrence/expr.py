"""Payoff and probability expressions: text → sympy through an allow-listed walk of Python's AST.

Model files write payoffs, chance probabilities, orderings and derived quantities as short
formulas in the model's parameters, e.g. ``"(1 - p_allied) * stakes - cost_attacker"``. This
module turns such text into a sympy expression **without ever executing it**: the text is
parsed with :func:`ast.parse` and the resulting tree is walked node by node; only the node
types below are accepted, everything else is an :class:`~deterrence.errors.ExpressionError`
that names the offending construct and its column.

Allowed
-------
* numbers: integer and decimal literals (``2``, ``0.25``, ``1e-3``), kept exact as sympy
  ``Integer``/``Rational`` (``0.1`` is exactly 1/10);
* names of declared parameters (and of the model's derived quantities);
* unary ``+``/``-``; binary ``+ - * / **``; parentheses;
* the functions ``exp``, ``log``, ``sqrt``, ``abs`` (one argument) and ``min``, ``max``
  (two or more arguments).

Conditions (published orderings such as ``"aDD < aSQ < aDC"``) additionally allow the
comparisons ``< <= > >=`` (chains included) joined by ``and``; see :func:`parse_condition`.

Never used on the text: ``eval``, ``exec``, ``compile`` of code objects, ``sympify`` or
``parse_expr``.

Examples
--------
>>> import sympy as sp
>>> s = {"stakes": sp.Symbol("stakes", real=True), "cost": sp.Symbol("cost", real=True)}
>>> parse_expression("0.5 * stakes - cost", s)
-cost + stakes/2
>>> try:
...     parse_expression("__import__('os').system('x')", s)
... except ExpressionError as exc:
...     print(exc.column, exc.reason[:45])
1 calling attribute access ('.') is not allowed
"""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

import sympy as sp

from ._numbers import float_value, postorder
from .errors import ExpressionError, ResourceError, location

#: longest expression text accepted (characters)
MAX_LENGTH = 2000
#: deepest nesting accepted (parentheses, unary operators, calls, right operands of powers, ...)
MAX_DEPTH = 100
#: a number computed from constants (``b**e``, products, sums) may have at most this many bits:
#: guards ``10**10**10``, and keeps every number printable (Python prints at most 4300 digits)
MAX_POWER_BITS = 14000
#: most operations an expression may have when written out as a tree, derived quantities
#: substituted (chains of derived quantities that each use the previous one twice double it)
MAX_TREE_SIZE = 20000


def _min(*args: sp.Expr) -> sp.Expr:
    return sp.Min(*args)


def _max(*args: sp.Expr) -> sp.Expr:
    return sp.Max(*args)


#: function name -> (sympy constructor, minimum arity, maximum arity or None for no limit)
FUNCTIONS: dict[str, tuple[Callable[..., sp.Expr], int, int | None]] = {
    "exp": (sp.exp, 1, 1),
    "log": (sp.log, 1, 1),
    "sqrt": (sp.sqrt, 1, 1),
    "abs": (sp.Abs, 1, 1),
    "min": (_min, 2, None),
    "max": (_max, 2, None),
}

_BINOPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

_COMPARE_OPS: dict[type, str] = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}

# what a rejected AST node is called in an error message
_NODE_NAMES: dict[str, str] = {
    "Attribute": "attribute access ('.')",
    "Subscript": "subscripts ('[...]')",
    "Lambda": "lambda expressions",
    "ListComp": "comprehensions",
    "SetComp": "comprehensions",
    "DictComp": "comprehensions",
    "GeneratorExp": "generator expressions",
    "Compare": "comparisons",
    "BoolOp": "boolean operators ('and'/'or')",
    "IfExp": "conditional expressions ('if'/'else')",
    "NamedExpr": "assignment expressions (':=')",
    "Starred": "starred arguments ('*')",
    "JoinedStr": "f-strings",
    "FormattedValue": "f-strings",
    "Tuple": "tuples",
    "List": "lists",
    "Dict": "dictionaries",
    "Set": "sets",
    "Await": "await",
    "Yield": "yield",
    "YieldFrom": "yield",
    "Slice": "slices",
}

_OP_NAMES: dict[type, str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Not: "not",
    ast.Invert: "~",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}

_BAD_VALUES = (sp.zoo, sp.oo, -sp.oo, sp.nan)
_LOG_FLOAT_MAX = math.log(1.7976931348623157e308)


@dataclass(frozen=True)
class Comparison:
    """One comparison ``lhs op rhs`` of a condition (``op`` is one of ``< <= > >=``)."""

    lhs: sp.Expr
    op: str
    rhs: sp.Expr

    def holds(self, lhs: Any, rhs: Any) -> Any:
        """Whether the comparison holds for evaluated sides (numbers or numpy arrays)."""
        if self.op == "<":
            return lhs < rhs
        if self.op == "<=":
            return lhs <= rhs
        if self.op == ">":
            return lhs > rhs
        return lhs >= rhs

    def __str__(self) -> str:
        return self.text

    @cached_property
    def text(self) -> str:
        """``lhs op rhs`` as sympy prints it, printed once: an ordering's message gives it at
        every point that violates it, and sympy's printer took about half the time of such a
        point in a sweep recording them."""
        return f"{self.lhs} {self.op} {self.rhs}"

    @cached_property
    def parameter_names(self) -> tuple[str, ...]:
        """The names of the parameters the two sides use, sorted; found once (for the same
        messages)."""
        return tuple(sorted(str(s) for s in self.lhs.free_symbols | self.rhs.free_symbols))


@dataclass(frozen=True)
class Condition:
    """A parsed condition: a conjunction of comparisons (chains are split into pairs).

    Attributes
    ----------
    text
        The condition as written.
    comparisons
        The comparisons, in order; the condition holds when all of them hold.
    """

    text: str
    comparisons: tuple[Comparison, ...]

    @property
    def expr(self) -> sp.Basic:
        """The condition as a sympy boolean (``And`` of relationals)."""
        rels = []
        for c in self.comparisons:
            rel = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge}[c.op](c.lhs, c.rhs)
            rels.append(rel)
        return sp.And(*rels)

    @property
    def free_symbols(self) -> set[sp.Symbol]:
        """Parameter symbols the condition depends on."""
        out: set[sp.Symbol] = set()
        for c in self.comparisons:
            out |= c.lhs.free_symbols | c.rhs.free_symbols
        return out


class _Context:
    """Everything an error message needs: the text and where it came from."""

    def __init__(
        self, text: str, names: Mapping[str, sp.Expr], file: str | None, key: str | None, line: int | None
    ) -> None:
        self.text = text
        self.names = names
        self.file = file
        self.key = key
        self.line = line

    def error(self, message: str, node: ast.AST | None = None, column: int | None = None) -> ExpressionError:
        if node is not None and hasattr(node, "col_offset"):
            column = int(node.col_offset) + 1  # text is ASCII, so byte offset == character offset
        return ExpressionError(
            message, text=self.text, column=column, file=self.file, key=self.key, line=self.line
        )


def _prepare(
    text: Any, ctx_args: tuple[str | None, str | None, int | None], max_length: int, max_depth: int
) -> tuple[str, str]:
    """Validate raw text before parsing; return (original text, single-line text for ast)."""
    file, key, line = ctx_args
    if isinstance(text, bool) or not isinstance(text, str):
        raise ExpressionError(
            f"expected an expression string, got {type(text).__name__}",
            text=repr(text),
            file=file,
            key=key,
            line=line,
        )
    if len(text) > max_length:
        raise ExpressionError(
            f"expression is {len(text)} characters long; the limit is {max_length}",
            text=text,
            file=file,
            key=key,
            line=line,
        )
    for i, ch in enumerate(text):
        if ord(ch) > 127:
            raise ExpressionError(
                f"character {ch!r} is not allowed (expressions are ASCII; spell Greek "
                "letters out, e.g. 'pi_commit')",
                text=text,
                column=i + 1,
                file=file,
                key=key,
                line=line,
            )
        if ord(ch) < 32 and ch not in "\t\n\r":
            raise ExpressionError(
                f"control character {ch!r} is not allowed",
                text=text,
                column=i + 1,
                file=file,
                key=key,
                line=line,
            )
    if not text.strip():
        raise ExpressionError("empty expression", text=text, file=file, key=key, line=line)
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
            if depth > max_depth:
                raise ExpressionError(
                    f"expression is nested more than {max_depth} levels deep",
                    text=text,
                    column=i + 1,
                    file=file,
                    key=key,
                    line=line,
                )
        elif ch in ")]}":
            depth -= 1
    # one line, same length: columns stay valid; leading blanks are tolerated
    flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return text, flat


def _parse_tree(flat: str, ctx: _Context) -> ast.expr:
    lead = len(flat) - len(flat.lstrip(" "))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for '1e' in junk text
            tree = ast.parse(flat.strip(" "), mode="eval")
    except SyntaxError as exc:
        col = (exc.offset + lead) if exc.offset else None
        msg = exc.msg or "invalid syntax"
        raise ctx.error(f"syntax error: {msg}", column=col) from None
    except (RecursionError, MemoryError, ValueError, OverflowError) as exc:
        raise ctx.error(f"cannot parse ({type(exc).__name__})") from None
    body = tree.body
    if lead:
        for node in ast.walk(body):
            if hasattr(node, "col_offset"):
                node.col_offset += lead  # type: ignore[attr-defined]
                if getattr(node, "end_col_offset", None) is not None:
                    node.end_col_offset += lead  # type: ignore[attr-defined]
    return body


def _number(node: ast.Constant, ctx: _Context) -> sp.Expr:
    value = node.value
    if isinstance(value, bool) or value is None or value is Ellipsis:
        raise ctx.error(f"the constant {value!r} is not allowed (only numbers)", node)
    if isinstance(value, (str, bytes)):
        raise ctx.error("strings are not allowed", node)
    if isinstance(value, complex):
        raise ctx.error("complex numbers are not allowed", node)
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ctx.error("number is too large", node)
        start = node.col_offset
        end = getattr(node, "end_col_offset", None)
        literal = ctx.text.replace("\n", " ")[start:end].strip().replace("_", "") if end else repr(value)
        try:
            frac = Fraction(literal)
        except (ValueError, ZeroDivisionError):
            frac = Fraction(repr(value))
        if frac != 0 and value == 0.0:
            raise ctx.error("number is too small", node)
        return sp.Rational(frac.numerator, frac.denominator)
    raise ctx.error(f"the constant {value!r} is not allowed", node)


def _log2_size(x: sp.Expr) -> float:
    """About how many bits a number's numerator and denominator take (for ``x**n``: n times it)."""
    if isinstance(x, sp.Rational):
        return math.log2(max(abs(int(x.p)), 1)) + math.log2(int(x.q)) or 1.0
    return 64.0


def _bits(x: sp.Expr) -> float:
    if isinstance(x, sp.Rational):
        return float(abs(x.p).bit_length() + abs(x.q).bit_length())
    return 64.0


class _Walker:
    def __init__(self, ctx: _Context, max_depth: int) -> None:
        self.ctx = ctx
        self.max_depth = max_depth

    def walk(self, node: ast.AST, depth: int) -> sp.Expr:
        ctx = self.ctx
        if depth > self.max_depth:
            raise ctx.error(f"expression is nested more than {self.max_depth} levels deep", node)
        if isinstance(node, ast.Constant):
            return _number(node, ctx)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.walk(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return self.walk(node.operand, depth + 1)
            raise ctx.error(
                f"operator '{_OP_NAMES.get(type(node.op), type(node.op).__name__)}' is not "
                "allowed (allowed: + - * / **)",
                node,
            )
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        kind = type(node).__name__
        raise ctx.error(f"{_NODE_NAMES.get(kind, kind)} not allowed", node)

    def name(self, node: ast.Name) -> sp.Expr:
        ctx = self.ctx
        ident = node.id
        if ident.startswith("_"):
            raise ctx.error(f"name '{ident}' is not allowed (names may not begin with '_')", node)
        if ident in ctx.names:
            return ctx.names[ident]
        if ident in FUNCTIONS:
            raise ctx.error(f"function '{ident}' must be called with arguments, e.g. {ident}(x)", node)
        known = ", ".join(sorted(ctx.names)) or "none"
        raise ctx.error(f"unknown name '{ident}' (not a declared parameter; declared: {known})", node)

    def binop(self, node: ast.BinOp, depth: int) -> sp.Expr:
        # Walk left-deep chains (a + b - c + ...) iteratively so long sums do not count as nesting.
        chain: list[ast.BinOp] = []
        cur: ast.expr = node
        while isinstance(cur, ast.BinOp) and type(cur.op) in (ast.Add, ast.Sub, ast.Mult, ast.Div):
            chain.append(cur)
            cur = cur.left
        if not chain:  # a power (right-associative) or a disallowed operator
            return self.single(node, depth)
        value = self.walk(cur, depth + 1)
        for op_node in reversed(chain):
            right = self.walk(op_node.right, depth + 1)
            value = self.apply(op_node, value, right)
        return value

    def single(self, node: ast.BinOp, depth: int) -> sp.Expr:
        ctx = self.ctx
        if type(node.op) not in _BINOPS:
            sym = _OP_NAMES.get(type(node.op), type(node.op).__name__)
            raise ctx.error(f"operator '{sym}' is not allowed (allowed: + - * / **)", node)
        left = self.walk(node.left, depth + 1)
        right = self.walk(node.right, depth + 1)
        return self.apply(node, left, right)

    def apply(self, node: ast.BinOp, left: sp.Expr, right: sp.Expr) -> sp.Expr:
        value = self.operate(node, left, right)
        if value.is_Rational and _bits(value) > MAX_POWER_BITS:
            raise self.ctx.error(f"number is too large (more than {MAX_POWER_BITS} bits)", node)
        return value

    def operate(self, node: ast.BinOp, left: sp.Expr, right: sp.Expr) -> sp.Expr:
        ctx = self.ctx
        op = type(node.op)
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            if right == 0:
                raise ctx.error("division by zero", node.right)
            return left / right
        if op is ast.Pow:
            if right.is_Number and left.is_Number:
                if left == 0 and right.is_negative:
                    raise ctx.error("division by zero (0 to a negative power)", node)
                if abs(float(right)) * _log2_size(left) > MAX_POWER_BITS:
                    raise ctx.error("number is too large (power)", node)
                value = left**right
                if value.is_real is False:
                    raise ctx.error("power has a complex value", node)
                return value
            elif right.is_Number and abs(right) > 10000:
                raise ctx.error("exponent is too large (at most 10000)", node.right)
            unevaluated = sp.Pow(left, right, evaluate=False)
            if not unevaluated.free_symbols and any(map(_beyond_floats, (left, right, unevaluated))):
                raise ctx.error("number is too large (a power of constants beyond the float range)", node)
            return left**right
        sym = _OP_NAMES.get(op, op.__name__)
        raise ctx.error(f"operator '{sym}' is not allowed (allowed: + - * / **)", node)

    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        ctx = self.ctx
        allowed = ", ".join(sorted(FUNCTIONS))
        func = node.func
        if not isinstance(func, ast.Name):
            kind = type(func).__name__
            raise ctx.error(
                f"calling {_NODE_NAMES.get(kind, kind)} is not allowed (allowed functions: {allowed})", node
            )
        if func.id not in FUNCTIONS:
            raise ctx.error(f"call of '{func.id}' is not allowed (allowed functions: {allowed})", node)
        if node.keywords:
            raise ctx.error(f"keyword arguments are not allowed in '{func.id}(...)'", node.keywords[0].value)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise ctx.error("starred arguments ('*') not allowed", arg)
        builder, lo, hi = FUNCTIONS[func.id]
        n = len(node.args)
        if n < lo or (hi is not None and n > hi):
            want = f"{lo}" if hi == lo else f"at least {lo}"
            raise ctx.error(
                f"'{func.id}' takes {want} argument{'s' if lo != 1 or hi is None else ''}, got {n}", node
            )
        args = [self.walk(a, depth + 1) for a in node.args]
        if func.id == "log" and args[0] == 0:
            raise ctx.error("log(0) is not finite", node)
        self.check_constants(func.id, args, node)
        try:
            return builder(*args)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise ctx.error(f"cannot apply '{func.id}': {exc}", node) from None

    def check_constants(self, name: str, args: list[sp.Expr], node: ast.AST) -> None:
        """Refuse a constant argument beyond the float range, or ``exp`` of a constant beyond it.

        sympy evaluates functions of constants eagerly and exactly (``max`` compares its
        arguments, ``exp(10**8*log(2))`` becomes ``2**100000000``): with constants beyond the
        float range that can run until killed, and no payoff can use such a number anyway.
        """
        for k, arg in enumerate(args):
            if _beyond_floats(arg):
                what = "too large (beyond the float range)" if abs(float_value(arg)) == math.inf else (
                    "not a real number (complex or undefined)")
                raise self.ctx.error(
                    f"argument {k + 1} of '{name}' is a constant that is {what}", node.args[k]  # type: ignore[attr-defined]
                )
        if name == "exp" and not args[0].free_symbols and float_value(args[0]) > _LOG_FLOAT_MAX:
            raise self.ctx.error("exp of this constant is too large (beyond the float range)", node)


def tree_size(expr: sp.Basic) -> int:
    """The number of operations and atoms of ``expr`` written out as a tree.

    sympy shares repeated subexpressions, so an expression built from derived quantities may be
    small in memory but exponentially large as a tree, and sympy's tree walks (``has``,
    ``xreplace``, printing) visit the tree. Counted on the shared graph, in time linear in its
    number of distinct nodes.
    """
    sizes: dict[sp.Basic, int] = {}
    for node in postorder(expr):
        sizes[node] = 1 + sum(sizes[a] for a in node.args)
    return sizes[expr]


def check_tree_size(
    expr: sp.Basic, text: str, *, file: str | None = None, key: str | None = None, line: int | None = None
) -> None:
    """Refuse an expression with more than :data:`MAX_TREE_SIZE` operations written out as a tree.

    Raises
    ------
    ResourceError
        Naming where the expression was written, with the size as ``estimate``.
    """
    size = tree_size(expr)
    if size > MAX_TREE_SIZE:
        where = location(file, key, line)
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise ResourceError(
            (f"{where}: " if where else "") + f"expression {shown!r} has {size:,} operations when its "
            f"derived quantities are written out, more than the limit of {MAX_TREE_SIZE:,} (a chain of "
            "derived quantities that each use the previous one more than once grows exponentially); "
            "simplify the chain",
            estimate=size,
        )


def _beyond_floats(expr: sp.Expr) -> bool:
    """Whether a constant expression's value is beyond the float range (or not a real number)."""
    return not expr.free_symbols and not math.isfinite(float_value(expr))


def _finish(expr: sp.Expr, ctx: _Context) -> sp.Expr:
    if not isinstance(expr, sp.Expr):
        raise ctx.error("not an arithmetic expression")
    check_tree_size(expr, ctx.text, file=ctx.file, key=ctx.key, line=ctx.line)
    if expr.has(*_BAD_VALUES):
        raise ctx.error("expression is not finite (division by zero or an infinite value)")
    if expr.has(sp.I):
        raise ctx.error("expression has a complex value (e.g. the square root or log of a negative number)")
    return expr


def _make_context(
    text: Any,
    names: Mapping[str, sp.Expr] | Any,
    file: str | None,
    key: str | None,
    line: int | None,
    max_length: int,
    max_depth: int,
) -> tuple[_Context, str]:
    original, flat = _prepare(text, (file, key, line), max_length, max_depth)
    if not isinstance(names, Mapping):
        names = {str(n): sp.Symbol(str(n), real=True) for n in names}
    return _Context(original, names, file, key, line), flat


def parse_expression(
    text: str | int | float,
    names: Mapping[str, sp.Expr] | Any,
    *,
    file: str | None = None,
    key: str | None = None,
    line: int | None = None,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
) -> sp.Expr:
    """Parse an arithmetic expression into sympy through an allow-list.

    Parameters
    ----------
    text
        The expression, e.g. ``"credibility * (p_allied * stakes) - cost_defender"``. An int or
        float (not bool) is accepted as a number (a float is taken as the decimal it prints as).
    names
        The names the expression may use: ``{name: sympy expression}`` (usually the parameter
        symbols, plus derived quantities), or an iterable of names (real symbols are made).
    file, key, line
        Where the text came from, for error messages.
    max_length, max_depth
        Limits on the text's length and nesting depth.

    Returns
    -------
    sympy.Expr
        A finite, real-valued expression in the given names.

    Raises
    ------
    ExpressionError
        For anything outside the allow-list (with its column), a syntax error, an unknown name,
        a constant that is not finite or not real, or text that is too long or too deep.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if isinstance(text, float) and not math.isfinite(text):
            raise ExpressionError(
                f"number {text} is not finite", text=repr(text), file=file, key=key, line=line
            )
        value = sp.Integer(text) if isinstance(text, int) else sp.Rational(Fraction(repr(text)))
        return value
    ctx, flat = _make_context(text, names, file, key, line, max_length, max_depth)
    body = _parse_tree(flat, ctx)
    try:
        expr = _Walker(ctx, max_depth).walk(body, 0)
        return _finish(expr, ctx)
    except (ExpressionError, ResourceError):
        raise
    except (RecursionError, MemoryError, OverflowError, ValueError, TypeError, ArithmeticError) as exc:
        raise ctx.error(f"cannot build the expression ({type(exc).__name__})") from None


def parse_condition(
    text: str,
    names: Mapping[str, sp.Expr] | Any,
    *,
    file: str | None = None,
    key: str | None = None,
    line: int | None = None,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
) -> Condition:
    """Parse a condition: comparisons ``< <= > >=`` (chains allowed) joined by ``and``.

    ``"aDD < aSQ < aDC"`` becomes two comparisons; ``"cost > 0 and stakes >= cost"`` two more.
    Each side is an expression as in :func:`parse_expression`.

    Raises
    ------
    ExpressionError
        If the text is not such a condition, or any side is not an allowed expression.
    """
    ctx, flat = _make_context(text, names, file, key, line, max_length, max_depth)
    body = _parse_tree(flat, ctx)
    parts: list[ast.expr]
    if isinstance(body, ast.BoolOp):
        if not isinstance(body.op, ast.And):
            raise ctx.error("only 'and' may join comparisons (write alternatives as separate models)", body)
        parts = list(body.values)
    else:
        parts = [body]
    walker = _Walker(ctx, max_depth)
    comps: list[Comparison] = []
    try:
        for part in parts:
            if not isinstance(part, ast.Compare):
                raise ctx.error("expected a comparison such as 'a < b' (operators < <= > >=)", part)
            operands = [part.left, *part.comparators]
            sides = [_finish(walker.walk(o, 1), ctx) for o in operands]
            for i, op in enumerate(part.ops):
                if type(op) not in _COMPARE_OPS:
                    sym = _OP_NAMES.get(type(op), type(op).__name__)
                    raise ctx.error(f"comparison '{sym}' is not allowed (allowed: < <= > >=)", part)
                comps.append(Comparison(sides[i], _COMPARE_OPS[type(op)], sides[i + 1]))
    except (ExpressionError, ResourceError):
        raise
    except (RecursionError, MemoryError, OverflowError, ValueError, TypeError, ArithmeticError) as exc:
        raise ctx.error(f"cannot build the condition ({type(exc).__name__})") from None
    return Condition(text=ctx.text, comparisons=tuple(comps))


def is_identifier(name: str) -> bool:
    """Whether ``name`` may name a parameter: ASCII letters, digits and '_', starting with a letter,
    not a Python keyword and not an allowed function name."""
    import keyword

    return (
        isinstance(name, str)
        and name.isascii()
        and name.isidentifier()
        and name[0].isalpha()
        and not keyword.iskeyword(name)
        and name not in FUNCTIONS
    )


__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_TREE_SIZE",
    "Comparison",
    "Condition",
    "check_tree_size",
    "is_identifier",
    "parse_condition",
    "parse_expression",
    "tree_size",
]
