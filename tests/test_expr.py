"""The allow-list expression parser: what it accepts, what it refuses, and that it never executes text."""

from __future__ import annotations

import ast
import math
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from deterrence.errors import ExpressionError, ModelError
from deterrence.expr import MAX_DEPTH, MAX_LENGTH, parse_condition, parse_expression

NAMES = ("a", "b", "stakes")
SYM = {n: sp.Symbol(n, real=True) for n in NAMES}
a, b, stakes = SYM["a"], SYM["b"], SYM["stakes"]


def parse(text: str) -> sp.Expr:
    return parse_expression(text, SYM)


# ----------------------------------------------------------------------------- accepted
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.1 * a", a / 10),
        ("1e-3 + a", a + sp.Rational(1, 1000)),
        ("1_000 * b", 1000 * b),
        ("(1 - a) * stakes - b", (1 - a) * stakes - b),
        ("-a", -a),
        ("+a", a),
        ("a ** 2 / b", a**2 / b),
        ("a ** 0.5", sp.sqrt(a)),
        ("exp(a) + log(b) + sqrt(stakes)", sp.exp(a) + sp.log(b) + sp.sqrt(stakes)),
        ("min(a, b)", sp.Min(a, b)),
        ("max(a, b, 0.5)", sp.Max(a, b, sp.Rational(1, 2))),
        ("abs(a - b)", sp.Abs(a - b)),
        ("  a + b", a + b),
        ("(a\n + b)", a + b),
        ("a\n - b", a - b),
        ("3", sp.Integer(3)),
        ("2 ** 10", sp.Integer(1024)),
    ],
)
def test_accepted(text: str, expected: sp.Expr) -> None:
    got = parse(text)
    assert sp.simplify(got - expected) == 0
    assert got.free_symbols <= set(SYM.values())


def test_decimals_stay_exact() -> None:
    assert parse("0.1") == sp.Rational(1, 10)
    assert parse("0.1 + 0.2") == sp.Rational(3, 10)
    assert parse_expression(0.1, SYM) == sp.Rational(1, 10)
    assert parse_expression(7, SYM) == sp.Integer(7)


def test_long_sums_are_not_nesting() -> None:
    text = " + ".join(["a"] * 400)
    assert len(text) < MAX_LENGTH
    assert parse(text) == 400 * a


def test_names_as_iterable() -> None:
    expr = parse_expression("x * y", ["x", "y"])
    assert {str(s) for s in expr.free_symbols} == {"x", "y"}


def test_names_map_to_expressions() -> None:
    # derived quantities: a name may stand for an expression
    expr = parse_expression("gain - 1", {"gain": 2 * a})
    assert expr == 2 * a - 1


# ----------------------------------------------------------------------------- refused
REFUSED = [
    ("a.b", "attribute", 1),
    ("a.__class__", "attribute", 1),
    ("a[0]", "subscript", 1),
    ("open('x')", "call of 'open'", 1),
    ("eval('1')", "call of 'eval'", 1),
    ("exec('1')", "call of 'exec'", 1),
    ("__import__('os')", "call of '__import__'", 1),
    ("(lambda: 1)()", "lambda", 1),
    ("[x for x in a]", "comprehension", 1),
    ("(x for x in a)", "generator", 1),
    ("a < b", "comparison", 1),
    ("a and b", "boolean", 1),
    ("a if b else 1", "conditional", 1),
    ("'s'", "string", 1),
    ("b'x'", "string", 1),
    ("f'{a}'", "f-string", 1),
    ("__a", "'_'", 1),
    ("_a + 1", "'_'", 1),
    ("x", "unknown name 'x'", 1),
    ("a + zz", "unknown name 'zz'", 5),
    ("max(*a)", "starred", 5),
    ("exp(x=1)", "keyword", 7),
    ("(y := 1)", "assignment", 2),
    ("a // b", "'//'", 1),
    ("a % b", "'%'", 1),
    ("a @ b", "'@'", 1),
    ("a ^ b", "'^'", 1),
    ("~a", "'~'", 1),
    ("not a", "'not'", 1),
    ("(a, b)", "tuple", 1),
    ("[a]", "list", 1),
    ("{a: 1}", "dictionar", 1),
    ("{a}", "set", 1),
    ("True", "constant True", 1),
    ("None", "constant None", 1),
    ("...", "Ellipsis", 1),
    ("1j", "complex", 1),
    ("exp", "must be called", 1),
    ("exp(a, b)", "takes 1 argument", 1),
    ("min(a)", "at least 2", 1),
    ("a b", "syntax error", 3),
    ("a +", "syntax error", None),
    ("", "empty", None),
    ("   ", "empty", None),
    ("1/0", "division by zero", 3),
    ("a/(b-b)", "division by zero", 4),
    ("log(0)", "not finite", 1),
    ("sqrt(-1)", "complex", None),
    ("(-8)**(1/3)", "complex", 1),
    ("10**10**10", "too large", 1),
    ("2**2**2**2**2", "too large", 1),
    ("a**100000", "too large", 4),
    ("1e999", "too large", 1),
    ("1e-999", "too small", 1),
    ("\u03c0 * a", "not allowed", 1),
    ("a\x00", "control character", 2),
    ("a;b", "syntax error", None),
    ("import os", "syntax error", None),
]


@pytest.mark.parametrize(("text", "fragment", "column"), REFUSED)
def test_refused(text: str, fragment: str, column: int | None) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    err = info.value
    assert fragment.lower() in str(err).lower(), str(err)
    assert err.text == text
    if column is not None:
        assert err.column == column, str(err)
    assert isinstance(err, ModelError) and isinstance(err, ValueError)


def test_not_a_string() -> None:
    for bad in (None, [1], {"a": 1}, True, b"a"):
        with pytest.raises(ExpressionError):
            parse_expression(bad, SYM)  # type: ignore[arg-type]
    with pytest.raises(ExpressionError, match="not finite"):
        parse_expression(float("nan"), SYM)


def test_length_and_depth_guards() -> None:
    with pytest.raises(ExpressionError, match="characters long"):
        parse("a+" * (MAX_LENGTH // 2) + "a")
    with pytest.raises(ExpressionError, match="nested"):
        parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ExpressionError, match="nested"):
        parse("-" * 500 + "a")
    with pytest.raises(ExpressionError, match="nested"):
        parse("exp(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    # within the limits it works
    assert parse("(" * 50 + "a" + ")" * 50) == a


def test_error_carries_file_key_line() -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression("a.b", SYM, file="m.toml", key="nodes.x.payoffs.A", line=12)
    err = info.value
    assert (err.file, err.key, err.line, err.column) == ("m.toml", "nodes.x.payoffs.A", 12, 1)
    assert str(err).startswith("m.toml:12, key 'nodes.x.payoffs.A':")


@pytest.mark.parametrize(
    "payload",
    [
        "__import__('os').system('touch {p}')",
        '__import__("os").system("touch {p}")',
        "exec(\"open('{p}', 'w')\")",
        "eval(\"__import__('os').system('touch {p}')\")",
        "open('{p}', 'w').write('x')",
        "().__class__.__bases__[0].__subclasses__()[0]('{p}')",
        "(lambda: __import__('os').system('touch {p}'))()",
        "[__import__('os').system('touch {p}') for _ in (1,)]",
        "a if __import__('os').system('touch {p}') else b",
    ],
)
def test_malicious_payload_is_rejected_and_runs_nothing(tmp_path: Path, payload: str) -> None:
    target = tmp_path / "pwned"
    text = payload.format(p=target)
    with pytest.raises(ExpressionError):
        parse(text)
    with pytest.raises(ExpressionError):
        parse_condition(f"{text} < 1", SYM)
    assert not target.exists()


def test_the_modules_never_evaluate_text() -> None:
    """Static check: the text-reading modules call no eval/exec/compile/sympify/parse_expr."""
    import deterrence.catalogue._files
    import deterrence.expr
    import deterrence.model._checks
    import deterrence.model._model
    import deterrence.model._numeric
    import deterrence.model._specs
    import deterrence.model._structure

    banned_names = {"eval", "exec", "compile", "sympify", "parse_expr", "__import__", "S"}
    banned_attrs = {"eval", "exec", "sympify", "parse_expr", "__import__", "S", "import_module"}
    for mod in (deterrence.expr, deterrence.model, deterrence.model._specs, deterrence.model._checks,
                deterrence.model._structure, deterrence.model._model, deterrence.model._numeric,
                deterrence.catalogue, deterrence.catalogue._files):
        tree = ast.parse(Path(mod.__file__).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                if isinstance(f, ast.Name):
                    assert f.id not in banned_names, f"{mod.__name__} calls {f.id} at line {node.lineno}"
                elif isinstance(f, ast.Attribute):
                    assert f.attr not in banned_attrs, f"{mod.__name__} calls .{f.attr} at line {node.lineno}"


# ----------------------------------------------------------------------------- conditions
def test_conditions() -> None:
    c = parse_condition("a < b <= 1 and stakes > 0", SYM)
    assert [(str(x.lhs), x.op, str(x.rhs)) for x in c.comparisons] == [
        ("a", "<", "b"),
        ("b", "<=", "1"),
        ("stakes", ">", "0"),
    ]
    assert c.expr == sp.And(a < b, b <= 1, stakes > 0)
    assert c.free_symbols == {a, b, stakes}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a or b", "only 'and'"),
        ("a == b", "'=='"),
        ("a != b", "'!='"),
        ("a", "expected a comparison"),
        ("a < b or b < a", "only 'and'"),
        ("not a < b", "expected a comparison"),
        ("a in b", "'in'"),
        ("a < zz", "unknown name 'zz'"),
        ("a < b.c", "attribute"),
    ],
)
def test_conditions_refused(text: str, fragment: str) -> None:
    with pytest.raises(ExpressionError, match=None) as info:
        parse_condition(text, SYM)
    assert fragment in str(info.value)


# ----------------------------------------------------------------------------- property tests
# A small grammar of allowed expressions, generated as text. Literals are binary-exact decimals so
# that the reference evaluator below (mpmath at 50 digits, written independently over the AST)
# and the sympy result must agree to many digits.
_LEAF = st.one_of(
    st.sampled_from(list(NAMES)),
    st.integers(0, 9).map(str),
    st.sampled_from(["0.5", "0.25", "1.5", "2.75", "0.125"]),
)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(children, st.sampled_from(["0", "1", "2", "3", "0.5", "-1"])).map(
            lambda t: f"({t[0]}) ** {t[1]}"
        ),
        st.tuples(st.sampled_from(["-", "+"]), children).map(lambda t: f"{t[0]}{t[1]}"),
        st.tuples(st.sampled_from(["log", "sqrt", "abs"]), children).map(lambda t: f"{t[0]}({t[1]})"),
        _LEAF.map(lambda x: f"exp({x})"),
        st.tuples(st.sampled_from(["min", "max"]), st.lists(children, min_size=2, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
    )


EXPRESSIONS = st.recursive(_LEAF, _extend, max_leaves=12)

#: digits of the reference evaluation (set around it, never for the whole process)
REFERENCE_DPS = 50


class _Undefined(Exception):
    pass


def _reference(node: ast.AST, env: dict[str, mpmath.mpf]) -> mpmath.mpf:
    """Evaluate an allowed expression's AST with mpmath, independently of deterrence.expr."""
    if isinstance(node, ast.Expression):
        return _reference(node.body, env)
    if isinstance(node, ast.Constant):
        return mpmath.mpf(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        v = _reference(node.operand, env)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        x, y = _reference(node.left, env), _reference(node.right, env)
        if isinstance(node.op, ast.Add):
            return x + y
        if isinstance(node.op, ast.Sub):
            return x - y
        if isinstance(node.op, ast.Mult):
            return x * y
        if isinstance(node.op, ast.Div):
            if y == 0:
                raise _Undefined
            return x / y
        if isinstance(node.op, ast.Pow):
            if x == 0 and y < 0:
                raise _Undefined
            if x < 0 and y != int(y):
                raise _Undefined
            if x == 0 and y == 0:
                return mpmath.mpf(1)
            return mpmath.power(x, y)
    if isinstance(node, ast.Call):
        args = [_reference(arg, env) for arg in node.args]
        name = node.func.id  # type: ignore[attr-defined]
        if name == "log":
            if args[0] <= 0:
                raise _Undefined
            return mpmath.log(args[0])
        if name == "sqrt":
            if args[0] < 0:
                raise _Undefined
            return mpmath.sqrt(args[0])
        if name == "exp":
            return mpmath.exp(args[0])
        if name == "abs":
            return abs(args[0])
        if name == "min":
            return min(args)
        if name == "max":
            return max(args)
    raise AssertionError(f"generator produced {ast.dump(node)}")


_VALUES = st.fixed_dictionaries({n: st.integers(-300, 300).map(lambda k: Fraction(k, 100)) for n in NAMES})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=EXPRESSIONS, values=_VALUES)
def test_parsed_value_matches_reference(text: str, values: dict[str, Fraction]) -> None:
    with mpmath.workdps(REFERENCE_DPS):
        env = {n: mpmath.mpf(v.numerator) / v.denominator for n, v in values.items()}
        try:
            ref = _reference(ast.parse(text, mode="eval"), env)
            ok = mpmath.isfinite(ref) and abs(ref) < mpmath.mpf(10) ** 40
        except (_Undefined, ZeroDivisionError, OverflowError, ValueError):
            ok = False
    try:
        expr = parse(text)
    except ExpressionError as exc:
        # refusals of well-formed text only for values that are not finite or not real
        assert any(w in str(exc) for w in ("finite", "division by zero", "complex", "too large")), str(exc)
        return
    assume(ok)
    subs = {SYM[n]: sp.Rational(v.numerator, v.denominator) for n, v in values.items()}
    value = expr.xreplace(subs)
    assume(not value.has(sp.zoo, sp.nan, sp.oo, -sp.oo))
    got = complex(value.evalf(50))
    assert abs(got.imag) <= 1e-30 * max(1.0, abs(got.real))
    assert math.isclose(got.real, float(ref), rel_tol=1e-12, abs_tol=1e-12), (text, values, got, ref)


_JUNK_ALPHABET = st.sampled_from(
    [
        *"ab_xs() +-*/.,[]{}:;=<>!~%&|^@'\"\\#0123456789eEjJ\n\t ",
        "__",
        "**",
        "//",
        "lambda",
        "import",
        "exec",
        "exp",
        "min",
        "max",
        "log",
        "sqrt",
        "abs",
        "and",
        "or",
        "not",
        "if",
        "else",
        "for",
        "in",
        ":=",
        "1e999",
        "\u03c0",
        "\x00",
        "stakes",
        "True",
        "None",
        "yield",
        "await",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_JUNK_ALPHABET, max_size=40).map("".join))
def test_junk_only_raises_expression_error(text: str) -> None:
    for fn in (parse_expression, parse_condition):
        try:
            result = fn(text, SYM)
        except ExpressionError:
            continue
        assert result is not None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_only_raises_expression_error(text: str) -> None:
    try:
        parse_expression(text, SYM)
    except ExpressionError:
        pass
