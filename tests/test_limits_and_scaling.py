"""Limits and numerical edges (issue 20): work bounded before it is done, games at any scale.

The refused inputs (each a typed error) are in ``tests/test_bad_inputs.py``; this module checks
what still works, and works right, at the edges:

* exact evaluation of model expressions: exact where the numbers stay small, floats (never a
  hang) where they would not, the same values as sympy where both apply;
* deep trees: a Gambit chain of 20,000 nodes is read, its subgames and recall found in linear
  time, and its SPE certified; a tied chain solves when fewer equilibria are asked for;
* scale: equilibria of a game with every payoff multiplied by 1e-12 or 1e12, or shifted by
  1e12, are the equilibria of the game itself (hypothesis), reported in the game's units;
  certificates fail when a deviation gains, even when payoffs span the whole float range;
* files and names: a byte-order mark, baseline pins that use each other, parameters named
  ``maximum`` and ``minimum``, titles with escape sequences on the command line.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence._numbers import MAX_EXACT_BITS, evaluate, float_value
from deterrence.catalogue import loads_model
from deterrence.cli import main as cli_main
from deterrence.game import ChanceNode, DecisionNode, TerminalNode, chance, decision, terminal
from deterrence.game.extensive import NodeInfo, sum_text

ROOT = Path(__file__).resolve().parents[1]
TINY_TEXT = (ROOT / "tests" / "data" / "tiny_pledge.toml").read_text(encoding="utf-8")
CAP_PAYOFF = 'payoffs = { Attacker = "v", Defender = "-1", Ally = "-1/5" }'
V, C = sp.symbols("v c", real=True)


def _with_payoff(expr: str) -> str:
    """The tiny pledge model with the Attacker's payoff at capitulation replaced."""
    assert CAP_PAYOFF in TINY_TEXT
    return TINY_TEXT.replace(
        CAP_PAYOFF, f'payoffs = {{ Attacker = "{expr}", Defender = "-1", Ally = "-1/5" }}'
    )


def _cli_subprocess(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``deterrence ARGV`` in a real process (what it computes is checked, not how long it takes:
    speed is measured in ``benchmarks/``)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "deterrence", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(ROOT),
    )


# ---------------------------------------------------------------------------- exact evaluation
@pytest.mark.parametrize(
    ("expr", "values", "expected"),
    [
        (V**2 + sp.Rational(1, 3), {V: Fraction(1, 2)}, Fraction(7, 12)),
        (sp.sqrt(V), {V: Fraction(9, 4)}, Fraction(3, 2)),  # a rational root stays exact
        (sp.Max(V, C), {V: Fraction(1, 3), C: Fraction(1, 4)}, Fraction(1, 3)),
        (sp.Abs(V - 1), {V: Fraction(1, 4)}, Fraction(3, 4)),
        (sp.exp(V - V), {V: 5}, 1),
        (V**-2, {V: 2}, Fraction(1, 4)),
    ],
)
def test_small_rational_values_stay_exact(expr: sp.Expr, values: dict[Any, Any], expected: Any) -> None:
    got = evaluate(expr, values)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("expr", "values"),
    [
        (sp.sqrt(V), {V: 2}),
        (sp.exp(V) * sp.log(C), {V: Fraction(1, 3), C: 7}),
        (sp.Max(sp.sqrt(2), V) ** 3, {V: Fraction(7, 5)}),
        (sp.exp(-V) / (1 + sp.exp(-V)), {V: Fraction(-3, 2)}),
    ],
)
def test_irrational_values_are_sympy_s_correctly_rounded_floats(
    expr: sp.Expr, values: dict[Any, Any]
) -> None:
    reference = float(expr.xreplace({k: sp.Rational(v) for k, v in values.items()}).evalf(40))
    assert evaluate(expr, values) == reference


@pytest.mark.parametrize(
    ("expr", "values", "expected"),
    [
        (sp.exp(sp.exp(sp.exp(sp.exp(sp.exp(V))))), {V: 1}, None),  # beyond the float range
        ((V**10000) ** 10000, {V: 2}, None),  # v**100000000
        ((V**10000) ** 10000, {V: Fraction(1, 2)}, 0.0),  # underflows: a float, never the exact rational
        ((V**10000 + 1) ** 10000, {V: Fraction(1, 2)}, 1.0),
        (sp.exp(-sp.exp(sp.exp(sp.exp(V)))), {V: 2}, 0.0),
        (sp.log(V), {V: 0}, None),
        (sp.sqrt(V), {V: -1}, None),
    ],
)
def test_huge_exact_forms_are_evaluated_in_floating_point(
    expr: sp.Expr, values: dict[Any, Any], expected: Any
) -> None:
    assert evaluate(expr, values) == expected


def test_the_exact_limit_is_where_floats_take_over() -> None:
    bits_per_power = 2 * 7  # 100/127: 7 bits each
    n = MAX_EXACT_BITS // bits_per_power
    assert isinstance(evaluate(V**n, {V: Fraction(100, 127)}), Fraction)
    assert isinstance(evaluate(V ** (2 * n), {V: Fraction(100, 127)}), float)
    assert math.isinf(float_value(sp.exp(sp.exp(V)), {V: 10}))


def test_model_game_at_a_power_tower_point_ends(tmp_path: Path) -> None:
    """Where the exact value has 2.4e9 bits but the float is 0: the game is built (in a real process)."""
    path = tmp_path / "tower.toml"
    path.write_text(_with_payoff("(v**10000)**10000"), encoding="utf-8")
    proc = _cli_subprocess(["solve", str(path), "--concept", "spe", "--set", "v=0.5"])
    assert proc.returncode == 0, proc.stderr
    assert "spe equilibri" in proc.stdout


def test_derived_chains_under_the_limit_load_and_evaluate() -> None:
    levels = 10  # 4,000 operations written out: allowed
    chain = ['p0 = "(v+c)*(v-c)"'] + [f'p{i} = "(p{i - 1}+c)*(p{i - 1}-c)"' for i in range(1, levels)]
    text = _with_payoff(f"p{levels - 1}").replace(
        "[[nodes]]", "[derived]\n" + "\n".join(chain) + "\n\n[[nodes]]", 1
    )
    model = loads_model(text, "chain.toml")
    v, c = Fraction(3, 2), Fraction(1, 2)
    p = (v + c) * (v - c)
    for _ in range(1, levels):
        p = (p + c) * (p - c)
    assert model.derived_value(f"p{levels - 1}", v=1.5, c=0.5) == p
    game = model.game(v=1.5, c=0.5)
    assert (
        game.payoff_values[
            game.terminal_index(next(i for i in game.terminals if game.nodes[i].label == "cap"))
        ][0]
        == p
    )


# ---------------------------------------------------------------------------- model files
def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    plain = tmp_path / "plain.toml"
    marked = tmp_path / "marked.toml"
    plain.write_text(TINY_TEXT, encoding="utf-8")
    marked.write_bytes(b"\xef\xbb\xbf" + TINY_TEXT.encode("utf-8"))
    a, b = dt.load_model(plain), dt.load_model(marked)
    assert a.name == b.name and a.game().payoffs.tolist() == b.game().payoffs.tolist()


def test_baseline_pins_may_use_each_other() -> None:
    text = TINY_TEXT.replace("parameters = { r = 0 }", 'parameters = { r = "k / 2", k = "1/2" }')
    base = loads_model(text, "pins.toml").baseline()
    assert base.fixed["k"] == sp.Rational(1, 2) and base.fixed["r"] == sp.Rational(1, 4)
    g = base.game()  # the Ally's payoffs use r and k: both pinned
    ally = [row[2] for row in g.payoff_values]
    assert Fraction(-1, 4) in ally and Fraction(-1, 2) in ally


def _model_with_max_named_parameters() -> dt.Model:
    extra = "\n".join(
        f"[parameters.{n}]\ndefault = {d}\ndomain = [0, 3]\n" for n, d in (("maximum", 1.0), ("minimum", 0.5))
    )
    text = _with_payoff("max(maximum, v) + min(minimum, v)").replace(
        "[parameters.v]", extra + "\n[parameters.v]"
    )
    return loads_model(text, "names.toml")


def test_parameters_named_like_numpy_functions_evaluate() -> None:
    model = _model_with_max_named_parameters()  # the documentation allows these names
    exact = model.game(v=2.0)
    fast = model.game(v=2.0, exact=False)
    assert exact.payoffs.tolist() == fast.payoffs.tolist()
    ev = model.evaluate({"v": np.array([0.25, 2.0])})
    cap = model.terminals.index("cap")
    assert ev.payoffs[:, cap, 0].tolist() == [1.0 + 0.25, 2.0 + 0.5]
    assert len(dt.solve(fast, concept="spe")) >= 1


def test_parameters_named_like_numpy_functions_sweep() -> None:
    # every generated numpy function takes dummy argument names: 'maximum' does not shadow numpy's
    model = _model_with_max_named_parameters()
    table = dt.sweep(model, grid={"v": [0.25, 2.0]}, path="compiled", progress=False).table
    pointwise = dt.sweep(model, grid={"v": [0.25, 2.0]}, path="pointwise", progress=False).table
    assert table["regime"].tolist() == pointwise["regime"].tolist()
    assert np.allclose(table["payoff_Attacker"], pointwise["payoff_Attacker"])


def test_every_numpy_function_of_expressions_is_made_by_one_helper() -> None:
    # the helper gives the generated code dummy argument names; a direct lambdify call would not
    package = ROOT / "deterrence"
    direct = [p.relative_to(package).as_posix() for p in package.rglob("*.py")
              if "lambdify(" in p.read_text(encoding="utf-8") and p.name != "_numbers.py"]
    assert direct == []


def test_parameters_named_like_numpy_functions_in_regimes() -> None:
    model = _model_with_max_named_parameters()
    regs = dt.regimes(model, "spe")
    points = {"v": np.array([0.25, 2.0]), "c": np.array([0.5, 0.5]), "r": np.array([0.9, 0.1]),
              "k": np.array([0.6, 0.6]), "maximum": np.array([1.0, 1.0]), "minimum": np.array([0.5, 0.5])}
    held = regs.holds(points)
    assert held["status_quo"].tolist() == [True, False] and held["capitulation"].tolist() == [False, True]


# ---------------------------------------------------------------------------- deep trees
def _chain_efg(levels: int, tied: bool) -> str:
    lines = ['EFG 2 R "chain" { "A" "B" }', '""', ""]
    for k in range(levels):
        lines.append(f'p "" {1 + k % 2} {k + 1} "i{k}" {{ "stop" "go" }} 0')
        lines.append(f't "" {k + 1} "o{k}" {{ {"0, 0" if tied else f"{k}, {-k}"} }}')
    lines.append(f't "" {levels + 1} "end" {{ 0, 0 }}')
    return "\n".join(lines) + "\n"


def test_a_deep_gambit_chain_is_read_and_analysed_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "chain.efg"
    path.write_text(_chain_efg(10_000, tied=False), encoding="utf-8")
    g = dt.read_game(path)
    assert len(g.nodes) == 20_001
    assert "path" not in NodeInfo.__dataclass_fields__  # paths are built when asked, not stored per node
    assert g.nodes[-1].path == "/".join(["go"] * 10_000)
    assert len(g.subgame_roots()) == 10_000 and g.has_perfect_recall() and g.is_perfect_information()
    assert g.own_sequence(len(g.nodes) - 1, 0) == tuple((2 * k, 1) for k in range(5_000))


def test_spe_of_a_deep_chain_is_certified() -> None:
    g = dt.read_game(_chain_efg(2_000, tied=False), text=True)
    eqs = dt.solve(g, concept="spe")
    assert len(eqs) == 1 and eqs.complete and eqs[0].certificate.passed
    cert = eqs[0].certificate
    assert cert.details["subgames_checked"] == 2_000  # every subgame checked, the details kept short
    assert sum(k.startswith("subgame ") for k in cert.details) <= 50


def test_a_tied_chain_solves_when_fewer_equilibria_are_asked_for() -> None:
    g = dt.read_game(_chain_efg(300, tied=True), text=True)
    eqs = dt.solve(g, concept="spe", max_equilibria=5)
    assert len(eqs) == 5 and not eqs.complete and eqs.degenerate
    assert all(e.certificate.passed for e in eqs)
    with pytest.raises(dt.ResourceError) as info:
        dt.solve(g, concept="spe")
    assert info.value.estimate > 1e9 and "max_equilibria=" in str(info.value)


def _subgame_roots_by_definition(game: dt.ExtensiveFormGame) -> list[int]:
    """A node roots a subgame when every information set met below it lies wholly below it."""
    roots = []
    for nd in game.nodes:
        if nd.kind == "terminal":
            continue
        inside = range(nd.index, nd.end)
        sets = [
            game.infosets[w.infoset] if w.kind == "decision" else game.chance_infos[w.infoset]
            for w in (game.nodes[v] for v in inside)
            if w.kind != "terminal"
        ]
        if all(u in inside for h in sets for u in h.nodes):
            roots.append(nd.index)
    return roots


@pytest.mark.parametrize("name", dt.list_models("files"))  # families: tests/test_collective_defence.py
def test_subgame_roots_and_recall_match_their_definitions(name: str) -> None:
    game = dt.load_model(name).game()
    assert game.subgame_roots() == _subgame_roots_by_definition(game)
    histories = {h.index: {tuple(game.own_sequence(v, h.player)) for v in h.nodes} for h in game.infosets}
    assert game.has_perfect_recall() == all(len(s) == 1 for s in histories.values())


# ---------------------------------------------------------------------------- scale
_PAYOFFS = st.integers(-9, 9)


def _game(shape: tuple[int, ...], data: st.DataObject) -> list[np.ndarray]:
    n = len(shape)
    return [
        np.array(
            data.draw(st.lists(_PAYOFFS, min_size=math.prod(shape), max_size=math.prod(shape))), dtype=float
        ).reshape(shape)
        for _ in range(n)
    ]


def _profiles(eqs: dt.EquilibriumSet) -> list[tuple[float, ...]]:
    return sorted(_profiles_one(e) for e in eqs)


def _same_profiles(a: dt.EquilibriumSet, b: dt.EquilibriumSet, tol: float = 1e-7) -> bool:
    """Whether the two sets hold the same profiles up to ``tol`` (a matching, not rounding:
    rounding flips at a half-way digit such as 63/128 = 0.4921875)."""
    left = [np.array([float(x) for s in e.strategies for x in s]) for e in a]
    right = [np.array([float(x) for s in e.strategies for x in s]) for e in b]
    if len(left) != len(right):
        return False
    for x in left:
        hit = next(
            (i for i, y in enumerate(right) if x.shape == y.shape and np.allclose(x, y, rtol=0, atol=tol)),
            None,
        )
        if hit is None:
            return False
        right.pop(hit)
    return True


_MAPS = {
    "x1e-12": lambda a: a * 1e-12,
    "x1e12": lambda a: a * 1e12,
    "+1e12": lambda a: a + 1e12,
    "x1e-300": lambda a: a * 1e-300,
    "x1e300": lambda a: a * 1e300,
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=st.sampled_from([(2, 2), (3, 3), (3, 2), (2, 2, 2)]), data=st.data())
def test_equilibria_do_not_depend_on_the_payoffs_scale(shape: tuple[int, ...], data: st.DataObject) -> None:
    """Each map is exact on these payoffs' floats (or rounds them by less than their spacing), so
    the equilibria must be those of the game as given; payoffs come back in the game's units."""
    arrays = _game(shape, data)
    try:
        base = dt.solve(dt.NormalFormGame(arrays))
    except dt.SolverError:  # a game the method cannot solve at any scale is not this test's business
        return
    for name, f in _MAPS.items():
        scaled = dt.solve(dt.NormalFormGame([f(a) for a in arrays]))
        assert _same_profiles(scaled, base), (name, _profiles(scaled), _profiles(base))
        for e, b in zip(_matched(scaled, base), base, strict=True):
            span = float(f(np.array(9.0)) - f(np.array(-9.0)))  # the payoffs' range, mapped
            for p in e.payoffs:
                want = float(f(np.array(b.payoffs[p])))
                assert e.payoffs[p] == pytest.approx(want, rel=1e-9, abs=1e-9 * span), name


def test_a_half_way_digit_does_not_split_equal_profiles() -> None:
    """Regression (found by CI): a 3-player game whose equilibrium holds 63/128 = 0.4921875; at
    scale 1e-12 the sixth digit rounded the other way, and a rounding comparison called the
    equal sets different."""
    draws = [[-4, 7, -8, 2, 1, 3, -7, 6], [-3, -8, -6, 1, 7, 8, -8, 2], [-4, -1, 1, 6, -5, 4, 6, -9]]
    arrays = [np.array(d, dtype=float).reshape(2, 2, 2) for d in draws]
    base = dt.solve(dt.NormalFormGame(arrays))
    scaled = dt.solve(dt.NormalFormGame([a * 1e-12 for a in arrays]))
    assert _same_profiles(scaled, base)
    assert any(abs(float(x) - 63 / 128) < 1e-9 for e in base for s in e.strategies for x in s)


def _profiles_one(e: dt.Equilibrium) -> tuple[float, ...]:
    return tuple(round(float(x), 6) for s in e.strategies for x in s)


def _matched(scaled: dt.EquilibriumSet, base: dt.EquilibriumSet) -> list[dt.Equilibrium]:
    """The equilibria of ``scaled`` in the order of their matches in ``base``."""

    def flat(e: dt.Equilibrium) -> np.ndarray:
        return np.array([float(x) for s in e.strategies for x in s])

    pool = list(scaled)
    out = []
    for b in base:
        i = min(range(len(pool)), key=lambda k: float(np.abs(flat(pool[k]) - flat(b)).max()))
        out.append(pool.pop(i))
    return out


def _scaled_tree(node: Any, f: Any) -> Any:
    """A copy of a builder tree with every payoff mapped by ``f``."""
    if isinstance(node, TerminalNode):
        pay = node.payoffs
        pay = {k: f(v) for k, v in pay.items()} if isinstance(pay, dict) else [f(v) for v in pay]
        return terminal(pay, node.outcome, label=node.label)
    if isinstance(node, DecisionNode):
        return decision(
            node.player,
            {a: _scaled_tree(c, f) for a, c in node.actions.items()},
            infoset=node.infoset,
            label=node.label,
        )
    assert isinstance(node, ChanceNode)
    return chance(
        {a: (p, _scaled_tree(c, f)) for a, (p, c) in node.branches.items()},
        infoset=node.infoset,
        label=node.label,
    )


@pytest.mark.parametrize("concept", ["spe", "pbe"])
@pytest.mark.parametrize("name", list(_MAPS))
def test_tree_equilibria_do_not_depend_on_the_payoffs_scale(concept: str, name: str) -> None:
    game = dt.load_model("extended_deterrence").game(credibility=0.7)
    f = _MAPS[name]
    scaled = dt.ExtensiveFormGame(
        _scaled_tree(game.root_node, lambda v: float(f(np.float64(v)))),
        players=game.players,
        title=game.title,
    )
    base, other = dt.solve(game, concept=concept), dt.solve(scaled, concept=concept)
    assert _same_profiles(other, base), (_profiles(other), _profiles(base))
    assert all(e.certificate.passed for e in other)


# ---------------------------------------------------------------------------- certificates at the edges
OVERFLOW = dt.NormalFormGame([[[0, -1.7e308], [1.7e308, 1]], [[0, 1.7e308], [-1.7e308, 1]]])


def test_a_certificate_fails_a_profile_that_gains_even_when_the_range_overflows() -> None:
    cert = dt.certify(OVERFLOW, [[1, 0], [1, 0]])  # passed (regret 1.7e308) when the range was inf
    assert not cert.passed and cert.details["relative_regret"] == pytest.approx(0.5)
    good = dt.certify(OVERFLOW, [[0, 1], [0, 1]])
    assert good.passed and good.regret == 0


def test_a_certificate_whose_numbers_are_not_finite_fails() -> None:
    pd = dt.NormalFormGame([np.array([[3.0, 0], [5, 1]]), np.array([[3.0, 5], [0, 1]])])
    cert = dt.certify(pd, [[0.5, 0.5], [0.5, 0.5]], concept="qre", lam=math.inf)
    assert not cert.passed and cert.details.get("non_finite") == 1.0


def test_games_spanning_the_float_range_are_solved() -> None:
    eqs = dt.solve(OVERFLOW)  # was a GameError about [nan nan]
    assert len(eqs) == 1 and eqs[0].certificate.passed
    assert eqs[0].profile["1"]["2"] == pytest.approx(1.0)
    big = np.array([[0, -1.7e308], [1.7e308, 1]])
    three = dt.NormalFormGame([np.stack([big, big + 0]), np.stack([-big, -big]), np.full((2, 2, 2), 1e308)])
    assert all(e.certificate.passed for e in dt.solve(three))  # was an untyped LinAlgError


def test_probability_sums_are_shown_with_the_digits_that_matter() -> None:
    assert sum_text(Fraction(1) + Fraction(1, 10**15)) == "1 + 1e-15"
    assert sum_text(1 - 2e-16) == "1 - 2.22e-16"
    assert sum_text(Fraction(2, 3)) == "0.666666666667"
    with pytest.raises(dt.GameError, match="sum to 1 \\+ 1e-15"):
        dt.ExtensiveFormGame(
            chance(
                {
                    "h": (Fraction(1, 3), terminal([0])),
                    "t": (Fraction(2, 3) + Fraction(1, 10**15), terminal([1])),
                }
            )
        )


# ---------------------------------------------------------------------------- the command line
def test_no_check_orderings_solves_what_the_orderings_refuse(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["solve", "extended_deterrence", "--set", "p_alone=0.9"]) == 2
    assert "--no-check-orderings" in capsys.readouterr().err
    assert cli_main(["solve", "extended_deterrence", "--set", "p_alone=0.9", "--no-check-orderings"]) == 0
    assert "equilibri" in capsys.readouterr().out


def test_the_regret_is_printed_next_to_the_tolerance_it_is_checked_against(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli_main(["solve", "extended_deterrence"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if "tolerance" in ln)
    assert line.strip().startswith("relative regret ") and "in payoff units" in line and "(passed)" in line


def test_escape_sequences_in_a_title_are_shown_not_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "evil.toml"
    title = 'title = "Evil \\u001b[31mRED\\u001b[0m \\u202e end"'
    path.write_text(TINY_TEXT.replace('title = "Tiny pledge game (test fixture)"', title), encoding="utf-8")
    for verb in ("show", "solve"):
        assert cli_main([verb, str(path)]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\u202e" not in out
        assert "Evil \\x1b[31mRED\\x1b[0m \\u202e end" in out


# ---------------------------------------------------------------------------- the red-team pass
def test_nested_functions_evaluate_in_linear_time(tmp_path: Path) -> None:
    """sympy's evalf of 50 nested exp took time exponential in the depth (in a real process)."""
    path = tmp_path / "nested.toml"
    path.write_text(_with_payoff("exp(-" * 50 + "v" + ")" * 50), encoding="utf-8")
    proc = _cli_subprocess(["solve", str(path), "--set", "v=0.3"])
    assert proc.returncode == 0, proc.stderr
    value = 0.3
    for _ in range(50):
        value = math.exp(-value)
    model = dt.load_model(path)
    cap = model.game(v=0.3).payoffs[model.terminals.index("cap"), 0]
    assert cap == pytest.approx(value, rel=1e-15)


def test_deep_model_paths_are_built_when_asked() -> None:
    nodes = []
    for k in range(2000):
        nodes.append(
            f'[[nodes]]\nid = "d{k}"\nplayer = "{"Attacker" if k % 2 == 0 else "Defender"}"\n'
            f'actions = {{ stop = "t{k}", go = "{f"d{k + 1}" if k + 1 < 2000 else "end"}" }}\n'
        )
        nodes.append(
            f'[[nodes]]\nid = "t{k}"\noutcome = "war"\npayoffs = {{ Attacker = "v - {k}", '
            f'Defender = "c + {k}", Ally = "0" }}\n'
        )
    nodes.append(
        '[[nodes]]\nid = "end"\noutcome = "status_quo"\npayoffs = { Attacker = 0, Defender = 0, Ally = 0 }\n'
    )
    head = TINY_TEXT[: TINY_TEXT.index("[[nodes]]")].replace('root = "attacker"', 'root = "d0"')
    model = loads_model(head + "\n".join(nodes), "deep.toml")
    assert not isinstance(model.paths, dict) and len(model.paths) == 4001
    assert model.paths["d0"] == "root" and model.paths["t3"] == "go/go/go/stop"
    assert model.paths["end"] == "/".join(["go"] * 2000)
    g = model.game()
    assert [g.nodes[i].path for i in g.terminals[:3]] == [model.paths[t] for t in model.terminals[:3]]


def test_action_names_need_not_be_strings() -> None:
    g = dt.ExtensiveFormGame(
        decision("A", {1: terminal([0]), 2: decision("A", {3: terminal([2]), 4: terminal([1])})})
    )
    assert [g.nodes[i].path for i in g.terminals] == ["1", "2/3", "2/4"]
    assert dt.solve(g, concept="spe")[0].payoffs == {"A": 2.0}


# ---------------------------------------------------------------------------- parameter names
def _tiny_with_v_named(name: str) -> str:
    text = TINY_TEXT.replace("[parameters.v]", f"[parameters.{name}]")
    text = text.replace(CAP_PAYOFF, CAP_PAYOFF.replace('"v"', f'"{name}"'))
    return text.replace('Attacker = "v - c"', f'Attacker = "{name} - c"')


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("path", "column of a sweep's table"),  # the sweep overwrote it, then failed with AttributeError
        ("regret", "column of a sweep's table"),
        ("payoff_Attacker", "column of a sweep's table"),
        ("regimes", "column of a sweep's table"),  # SweepResult.regime_table() overwrote it with text
        ("mean", "column of a sweep's table"),  # partial_dependence() gave two columns 'mean'
        ("seed", "option given by keyword"),  # dt.threshold passed it to dt.regimes as the seed
        ("concept", "option given by keyword"),  # dt.threshold: TypeError, multiple values
        ("hi", "option given by keyword"),  # dt.numeric_threshold would take it as its search bound
    ],
)
def test_a_parameter_named_like_a_table_column_or_an_option_is_refused(name: str, why: str) -> None:
    with pytest.raises(dt.ModelError) as info:
        loads_model(_tiny_with_v_named(name), "names.toml")
    line = TINY_TEXT.splitlines().index("[parameters.v]") + 1
    assert f"names.toml:{line}" in str(info.value) and f"'parameters.{name}'" in str(info.value)
    assert f"'{name}' cannot name a parameter: it" in str(info.value) and why in str(info.value)


def test_the_reserved_column_names_are_the_sweep_tables_columns() -> None:
    from deterrence.expr import FUNCTIONS
    from deterrence.model._specs import TABLE_COLUMNS, TABLE_PREFIXES
    from deterrence.sweeps._tidy import ERROR_COLUMN, column_order

    fixed = set(column_order([], ["P"], ["L"])) - {f"{TABLE_PREFIXES[0]}P", f"{TABLE_PREFIXES[1]}L"}
    model = loads_model(TINY_TEXT, "plain.toml")
    result = dt.sweep(model, grid={"v": [1.0]}, progress=False)
    tables = [result.regime_table(), result.partial_dependence("p_attack", "v")]
    others = set().union(*(set(t.columns) for t in tables)) - set(model.parameters) - set(FUNCTIONS)
    assert TABLE_COLUMNS == fixed | {ERROR_COLUMN} | others


@pytest.mark.parametrize("name", ["model", "parameter"])
def test_parameters_named_like_the_model_or_parameter_arguments_give_the_same_thresholds(name: str) -> None:
    plain = dt.threshold(loads_model(TINY_TEXT, "plain.toml"), "r", "spe")
    named = dt.threshold(loads_model(_tiny_with_v_named(name), "names.toml"), "r", "spe")  # was a TypeError
    assert [(x["value"], x["below"], x["above"]) for x in named] == [
        (x["value"], x["below"], x["above"]) for x in plain
    ]
    regs = dt.regimes(loads_model(_tiny_with_v_named(name), "names.toml"), "spe", **{name: 1})
    assert regs.fixed == {name: 1}


def test_a_parameter_named_name_is_given_to_derived_value() -> None:
    text = _tiny_with_v_named("name") + '\n[derived]\ngain = "name - c"\n'
    model = loads_model(text, "names.toml")
    assert model.derived_value("gain", name=2, c=Fraction(1, 2)) == Fraction(3, 2)  # was a TypeError


def test_a_non_ascii_parameter_name_is_refused_with_its_line() -> None:
    text = TINY_TEXT.replace("[parameters.v]", '[parameters."vé"]')  # a quoted TOML key may hold any letter
    with pytest.raises(dt.ModelError) as info:
        loads_model(text, "names.toml")
    line = TINY_TEXT.splitlines().index("[parameters.v]") + 1
    assert f"names.toml:{line}, key 'parameters.vé'" in str(info.value)  # the line was missing
    assert "use ASCII letters" in str(info.value)
