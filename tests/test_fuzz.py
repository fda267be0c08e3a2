"""Fuzzing the public API with hypothesis (issue 8).

Strategies generate random model files (random trees of chance, decision and terminal nodes,
information sets, random expressions over the declared parameters, orderings and derived
quantities), random junk mutations of a valid model file, random normal-form games of 2 and 3
players with many ties, and random game trees built in Python (chance probabilities of 0
included). Every input goes through loading, building and ``dt.solve``; the only exceptions
allowed are the library's typed errors that say "this input is bad" or "this method cannot
serve": ``ModelError``, ``ParameterError``, ``GameError``, ``UnsupportedError``,
``ResourceError``. A ``SolverError`` (a candidate that failed certification) is a failure.
Every returned equilibrium is also re-checked here, independently of the certifier: no player
gains by deviating to any pure strategy (computed from the game's expected payoffs).

The default suite runs a bounded number of examples (about 30 s in all); the ``slow`` variants
run many more (``pytest -m slow tests/test_fuzz.py``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence._solve import solve
from deterrence.catalogue import loads_model
from deterrence.errors import (
    DeterrenceError,
    GameError,
    ModelError,
    ParameterError,
    ResourceError,
    SolverError,
    UnsupportedError,
)
from deterrence.game import chance, decision, terminal
from deterrence.outcomes import OUTCOMES

# errors that mean "bad input" or "no method serves this": allowed outcomes of a fuzz case
ALLOWED = (ModelError, ParameterError, GameError, UnsupportedError, ResourceError)
MAX_WORK = 2e5  # keep every solve small: larger games must fail fast with ResourceError
LABELS = sorted(OUTCOMES)


def fast(n: int) -> settings:
    """Bounded example counts for the default suite (deterministic, so a failure reproduces)."""
    return settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


SLOW = settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))

COUNTS: dict[str, int] = {}


def _count(what: str) -> None:
    COUNTS[what] = COUNTS.get(what, 0) + 1


# ---------------------------------------------------------------------------- independent checks
def _pure_deviation_gain_tree(game: Any, strategies: tuple[np.ndarray, ...]) -> float:
    """Largest gain of a player from switching to any pure strategy (exhaustive, small games).

    Uses only the game's own expected-payoff computation, never the certifier.
    """
    base = game.expected_payoffs(list(strategies))
    worst = 0.0
    for i in range(game.num_players):
        mine = [h for h in game.infosets if h.player == i]
        if not mine:
            continue
        sizes = [len(h.actions) for h in mine]
        if int(np.prod(sizes)) > 512:
            continue
        for choice in itertools.product(*(range(n) for n in sizes)):
            prof = list(strategies)
            for h, a in zip(mine, choice, strict=True):
                prof[h.index] = np.eye(len(h.actions))[a]
            worst = max(worst, float(game.expected_payoffs(prof)[i] - base[i]))
    return worst


def _check_equilibria(game: Any, eqs: Any, concept: str) -> None:
    assert isinstance(eqs.complete, bool)
    assert eqs.degenerate in (True, False, None)
    scale = max(
        1.0, float(np.max(np.abs(game.payoffs if game.kind == "extensive" else game.payoff_tensor())))
    )
    for eq in eqs:
        cert = eq.certificate
        if concept == "qre":  # the regret of a QRE is reported for information only
            assert cert.passed and cert.qre_residual <= cert.tolerance, cert
            continue
        assert cert.passed and cert.regret <= cert.tolerance, cert
        if game.kind == "normal":
            gain = float(np.max(game.regrets(list(eq.strategies))))
        else:
            gain = _pure_deviation_gain_tree(game, eq.strategies)
        assert gain <= 1e-6 * scale, f"{concept} by {eqs.method}: a pure deviation gains {gain}"
        for s in eq.strategies:
            assert np.all(np.asarray(s) >= -1e-9) and abs(float(np.sum(s)) - 1) < 1e-7


def _solve_all(
    game: Any, concepts: tuple[str, ...], methods: dict[str, tuple[str, ...]] | None = None
) -> None:
    """Solve ``game`` for each concept (and listed methods); only ALLOWED errors may occur."""
    for concept in concepts:
        for method in (methods or {}).get(concept, ("auto",)):
            kwargs: dict[str, Any] = {"max_work": MAX_WORK}
            if concept == "qre":
                kwargs["lam"] = 2.0
            try:
                eqs = solve(game, concept=concept, method=method, **kwargs)
            except SolverError as exc:  # a certification failure is a bug: report it loudly
                raise AssertionError(f"SolverError from {concept}/{method}: {exc}\ngame: {game!r}") from exc
            except ALLOWED:
                _count("solve refused")
                continue
            _count(f"solved {concept}")
            _check_equilibria(game, eqs, concept)


# ---------------------------------------------------------------------------- random expressions
FUNCS1 = ("exp", "log", "sqrt", "abs")


@st.composite
def expressions(draw: Any, names: tuple[str, ...], depth: int = 2) -> str:
    """A random expression over ``names`` (mostly valid; sometimes not finite at some values)."""
    if depth <= 0 or draw(st.integers(0, 2)) == 0:
        if names and draw(st.booleans()):
            return draw(st.sampled_from(names))
        return draw(st.sampled_from(["0", "1", "2", "-1", "0.5", "1/3", "3", "0.25", "10", "1e-3"]))
    kind = draw(st.integers(0, 5))
    a = draw(expressions(names, depth - 1))
    if kind <= 2:
        b = draw(expressions(names, depth - 1))
        op = draw(st.sampled_from(["+", "-", "*", "/", "+", "-", "*"]))
        return f"({a}) {op} ({b})"
    if kind == 3:
        return f"({a})**{draw(st.integers(0, 3))}"
    if kind == 4:
        return f"{draw(st.sampled_from(FUNCS1))}({a})"
    b = draw(expressions(names, depth - 1))
    return f"{draw(st.sampled_from(['min', 'max']))}({a}, {b})"


# ---------------------------------------------------------------------------- random model files
@st.composite
def model_texts(draw: Any) -> tuple[str, dict[str, float]]:
    """A random model file and a random point of its parameter space (inside the domains)."""
    nplayers = draw(st.integers(1, 3))
    players = [f"P{k + 1}" for k in range(nplayers)]
    pnames = ("a", "b", "p")[: draw(st.integers(1, 3))]
    domains = {"a": (0.0, 2.0), "b": (-1.0, 1.0), "p": (0.0, 1.0)}
    derived = ("d",) if draw(st.booleans()) else ()
    names = tuple(pnames) + derived
    nodes: list[dict[str, Any]] = []
    budget = [draw(st.integers(3, 14))]

    def grow(depth: int) -> str:
        nid = f"n{len(nodes)}"
        spec: dict[str, Any] = {"id": nid}
        nodes.append(spec)
        budget[0] -= 1
        kind = "terminal"
        if depth < 4 and budget[0] > 0:
            kind = draw(st.sampled_from(["decision", "decision", "chance", "terminal"]))
        if kind == "terminal":
            spec["outcome"] = draw(st.sampled_from(LABELS))
            spec["payoffs"] = {p: draw(expressions(names, 1)) for p in players}
            return nid
        arity = draw(st.integers(1 if kind == "decision" else 2, 3))
        if kind == "decision":
            player = draw(st.sampled_from(players))
            spec["player"] = player
            if draw(st.booleans()):  # a shared information set (same player, same action names)
                spec["infoset"] = f"I_{player}_{arity}_{draw(st.integers(0, 1))}"
        else:
            spec["kind"] = "chance"
            style = draw(st.integers(0, 3))
            if style == 0 and "p" in pnames and arity == 2:
                probs = ["p", "1 - p"]
            elif style == 1:
                probs = ["0"] * (arity - 1) + ["1"]  # probabilities of 0
            elif style == 2:
                probs = [f"1/{arity}"] * arity
            else:
                probs = [draw(expressions(names, 1)) for _ in range(arity)]
            spec["probs"] = {f"a{k}": pr for k, pr in enumerate(probs)}
        spec["actions"] = {f"a{k}": grow(depth + 1) for k in range(arity)}
        return nid

    grow(0)
    lines = [
        "[model]",
        'name = "fuzz"',
        f"players = {json.dumps(players)}",
    ]
    values: dict[str, float] = {}
    if draw(st.booleans()) and len(pnames) >= 2:
        lines.append(f"orderings = [{json.dumps(f'{pnames[0]} >= {pnames[1]} - 3')}]")
    for n in pnames:
        lo, hi = domains[n]
        default = draw(st.sampled_from([lo, hi, (lo + hi) / 2]))
        lines += ["", f"[parameters.{n}]", f"default = {default}", f"domain = [{lo}, {hi}]"]
        values[n] = draw(st.sampled_from([lo, hi, (lo + hi) / 2, lo + (hi - lo) / 3]))
    if derived:
        lines += ["", "[derived]", f"d = {json.dumps(draw(expressions(tuple(pnames), 1)))}"]
    for spec in nodes:
        lines += ["", "[[nodes]]"]
        for key, val in spec.items():
            if isinstance(val, dict):
                inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in val.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f"{key} = {json.dumps(val)}")
    return "\n".join(lines) + "\n", values


def _check_model_text(text: str, values: dict[str, float], concepts: tuple[str, ...]) -> None:
    _count("model files")
    try:
        model = loads_model(text, "fuzz.toml")
    except ModelError as exc:  # includes ExpressionError
        assert exc.file == "fuzz.toml", exc
        _count("model refused at load")
        return
    try:
        game = model.game(**values)
    except (ModelError, ParameterError):
        _count("model refused at values")
        return
    _count("model built")
    try:
        model.evaluate({k: np.array([v, v]) for k, v in values.items()})
    except DeterrenceError:
        pass
    _solve_all(game, concepts)


@fast(60)
@given(model_texts())
def test_random_model_files(case: tuple[str, dict[str, float]]) -> None:
    _check_model_text(*case, concepts=("spe", "pbe", "nash"))


@pytest.mark.slow
@SLOW
@given(model_texts())
def test_random_model_files_long(case: tuple[str, dict[str, float]]) -> None:
    _check_model_text(*case, concepts=("spe", "pbe", "nash", "qre"))


# ---------------------------------------------------------------------------- junk mutations
SEED = """\
[model]
name = "seed"
players = ["A", "B"]
orderings = ["c > 0"]

[parameters.v]
default = 1.0
domain = [0, 10]

[parameters.c]
default = 0.5
domain = [0, 10]

[parameters.q]
default = 0.5
domain = [0, 1]

[[nodes]]
id = "nature"
kind = "chance"
actions = { hi = "a_h", lo = "a_l" }
probs = { hi = "q", lo = "1 - q" }

[[nodes]]
id = "a_h"
player = "A"
infoset = "ia"
actions = { stay = "sq_h", attack = "war_h" }

[[nodes]]
id = "sq_h"
outcome = "status_quo"
payoffs = { A = 0, B = "v" }

[[nodes]]
id = "war_h"
outcome = "war"
payoffs = { A = "v - c", B = "-c" }

[[nodes]]
id = "a_l"
player = "A"
infoset = "ia"
actions = { stay = "sq_l", attack = "war_l" }

[[nodes]]
id = "sq_l"
outcome = "status_quo"
payoffs = { A = 0, B = "v" }

[[nodes]]
id = "war_l"
outcome = ["war", "abandonment"]
payoffs = { A = "v / (1 + c)", B = "-2*c" }
"""

JUNK = st.sampled_from(
    [
        "",
        "\n",
        "[",
        "]",
        "[[nodes]]",
        "=",
        '"',
        "'",
        "{",
        "}",
        ",",
        "#",
        "\\",
        "\x00",
        "nan",
        "inf",
        "-",
        "1e999",
        "9" * 30,
        "__import__('os')",
        ".",
        "*",
        "**",
        "/0",
        "(",
        ")",
        "id",
        "A",
        "B",
        "v",
        "c",
        "q",
        "payoffs",
        "probs",
        "actions",
        "outcome",
        "kind",
        "player",
        "infoset",
        "default",
        "domain",
        "true",
        '"(0, 1]"',
        "[0, 1]",
        "\u03c0",
        "\t",
        "lambda",
        "x" * 3000,
        "1/0",
        "log(0)",
    ]
)


@st.composite
def mutated(draw: Any) -> str:
    text = SEED
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 20))
        text = text[:pos] + "".join(draw(st.lists(JUNK, max_size=3))) + text[pos + cut :]
    return text


def _check_mutant(text: str) -> None:
    _count("mutants")
    try:
        model = loads_model(text, "mutant.toml")
    except ModelError as exc:
        assert exc.file == "mutant.toml"
        return
    try:
        game = model.game()
    except (ModelError, ParameterError):
        return
    _solve_all(game, ("spe", "pbe"))


@fast(200)
@given(mutated())
def test_junk_mutations_of_a_valid_file(text: str) -> None:
    _check_mutant(text)


@pytest.mark.slow
@SLOW
@given(mutated())
def test_junk_mutations_long(text: str) -> None:
    _check_mutant(text)


def test_seed_is_valid() -> None:
    """The mutations start from a file that loads and solves (so the errors come from the junk)."""
    game = loads_model(SEED, "seed.toml").game()
    assert len(solve(game, concept="pbe")) >= 1


# ---------------------------------------------------------------------------- random normal forms
@st.composite
def normal_games(draw: Any, max_players: int = 3) -> dt.NormalFormGame:
    n = draw(st.integers(2, max_players))
    shape = tuple(draw(st.integers(1, 4 if n == 2 else 2)) for _ in range(n))
    if n == 3:
        shape = (*shape[:2], draw(st.integers(1, 3)))
    lo, hi = draw(st.sampled_from([(-1, 1), (-3, 3), (0, 9)]))  # small ranges: many ties
    arrays = [
        np.array(
            draw(st.lists(st.integers(lo, hi), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
        ).reshape(shape)
        for _ in range(n)
    ]
    return dt.NormalFormGame(arrays)


TWO_PLAYER_METHODS = ("auto", "pure", "vertex_enumeration", "support_enumeration", "lemke_howson")
MANY_PLAYER_METHODS = ("auto", "pure", "polynomial", "homotopy")


def _profile_key(strategies: Any) -> tuple[float, ...]:
    return tuple(round(float(x), 6) for s in strategies for x in s)


def _check_normal(game: dt.NormalFormGame, with_qre: bool) -> None:
    _count("normal-form games")
    methods = TWO_PLAYER_METHODS if game.num_players == 2 else MANY_PLAYER_METHODS
    concepts: tuple[str, ...] = ("nash", "qre") if with_qre else ("nash",)
    _solve_all(game, concepts, {"nash": methods})
    if game.num_players == 2:
        # pure equilibria are extreme equilibria: a complete vertex enumeration must contain them all
        ve = solve(game, method="vertex_enumeration", max_work=MAX_WORK)
        pure = solve(game, method="pure")
        if ve.complete:
            found = {_profile_key(e.strategies) for e in ve}
            for e in pure:
                assert _profile_key(e.strategies) in found, (game.payoffs, e)
            if ve.degenerate is False:
                assert len(ve) % 2 == 1, f"a nondegenerate game has an odd number of equilibria: {len(ve)}"


@fast(80)
@given(normal_games())
def test_random_normal_form_games(game: dt.NormalFormGame) -> None:
    _check_normal(game, with_qre=False)


@pytest.mark.slow
@SLOW
@given(normal_games())
def test_random_normal_form_games_long(game: dt.NormalFormGame) -> None:
    _check_normal(game, with_qre=True)


# ---------------------------------------------------------------------------- random trees (builders)
@st.composite
def trees(draw: Any) -> dt.ExtensiveFormGame:
    nplayers = draw(st.integers(1, 3))
    players = [f"P{k + 1}" for k in range(nplayers)]
    budget = [draw(st.integers(2, 12))]

    def grow(depth: int) -> Any:
        budget[0] -= 1
        kind = "terminal"
        if depth < 4 and budget[0] > 0:
            kind = draw(st.sampled_from(["decision", "decision", "chance", "terminal"]))
        if kind == "terminal":
            pay = {p: draw(st.integers(-3, 3)) for p in players}
            return terminal(pay, outcome=draw(st.sampled_from(LABELS)))
        arity = draw(st.integers(2, 3))
        if kind == "chance":
            weights = draw(st.lists(st.integers(0, 3), min_size=arity, max_size=arity).filter(any))
            total = sum(weights)
            return chance({f"c{k}": (Fraction(w, total), grow(depth + 1)) for k, w in enumerate(weights)})
        player = draw(st.sampled_from(players))
        infoset = f"I_{player}_{arity}_{draw(st.integers(0, 1))}" if draw(st.booleans()) else None
        return decision(player, {f"a{k}": grow(depth + 1) for k in range(arity)}, infoset=infoset)

    root = grow(0)
    return dt.ExtensiveFormGame(root, players=players)


def _check_tree(build: Callable[[], dt.ExtensiveFormGame], concepts: tuple[str, ...]) -> None:
    _count("trees")
    try:
        game = build()
    except GameError:  # e.g. an information set shared by a node and its descendant
        _count("tree refused")
        return
    _solve_all(game, concepts)


@fast(80)
@given(st.data())
def test_random_trees(data: Any) -> None:
    _check_tree(lambda: data.draw(trees()), ("spe", "pbe", "nash"))


@pytest.mark.slow
@SLOW
@given(st.data())
def test_random_trees_long(data: Any) -> None:
    _check_tree(lambda: data.draw(trees()), ("spe", "pbe", "nash", "qre"))


def test_report_counts() -> None:
    """Print how many examples the fuzzers ran in this session (for the closing note)."""
    print("\nfuzz counts:", json.dumps(COUNTS, sort_keys=True))
