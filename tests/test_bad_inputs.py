"""A catalogue of malformed inputs fed through the public API and the command line (issue 8).

Every case is one distinct bad input: a model file, a Gambit file, a parameter value, a
``solve`` option, a game built in Python or a sweep specification. Each must raise the
library's own typed error (``deterrence.errors``) with a message that names the culprit (the
file and line, the key, the node, the parameter, the value ...). The same inputs through the
``deterrence`` command must exit with status 2 and print exactly one readable line on stderr,
``deterrence: error: ...``, with a traceback only under ``--debug``.

The last part proves that nothing in a model file is ever executed: payloads that would create
a file, wherever they are put in a model file, create nothing, and a Python audit hook sees no
process started and no such file opened while the model is loaded, built and evaluated.

``KNOWN_BUGS`` holds the cases that once leaked an untyped exception: all are fixed and kept as
regression cases. Inputs that once ran until killed or filled the memory (issue 20) also run in
real processes (``HANG_IDS``) and must end with the one-line error; there is no deadline, so a
regression hangs the test rather than failing it on a slow machine.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp

import deterrence as dt
from deterrence._solve import solve
from deterrence.catalogue import loads_model
from deterrence.cli import main as cli_main
from deterrence.errors import (
    DeterrenceError,
    ExpressionError,
    FormatError,
    GameError,
    ModelError,
    ParameterError,
    ResourceError,
    SolverError,
    SweepError,
    UnsupportedError,
)
from deterrence.game import chance, decision, terminal

ROOT = Path(__file__).resolve().parents[1]
TINY = str(ROOT / "tests" / "data" / "tiny_pledge.toml")

# ----------------------------------------------------------------------------- the valid base texts
# A small model with a chance node, an information set, a derived quantity, an ordering and a
# baseline: every model-file case below is one edit of it.
BASE = """\
[model]
name = "probe"
title = "A probe model"
players = ["A", "B"]
concepts = ["pbe"]
orderings = ["c > 0"]

[parameters.v]
default = 1.0
domain = [0, 10]
description = "value"

[parameters.c]
default = 0.5
domain = [0, 10]
description = "cost"

[parameters.q]
default = 0.5
domain = [0, 1]
description = "probability that B is tough"

[derived]
net = "v - c"

[[nodes]]
id = "nature"
kind = "chance"
actions = { tough = "a_t", weak = "a_w" }
probs = { tough = "q", weak = "1 - q" }

[[nodes]]
id = "a_t"
player = "A"
infoset = "a_info"
actions = { stay = "sq_t", attack = "b_t" }

[[nodes]]
id = "sq_t"
outcome = "status_quo"
payoffs = { A = 0, B = "v" }

[[nodes]]
id = "b_t"
player = "B"
actions = { fight = "war_t", yield = "cap_t" }

[[nodes]]
id = "war_t"
outcome = "war"
payoffs = { A = "-c", B = "net" }

[[nodes]]
id = "cap_t"
outcome = "capitulation"
payoffs = { A = "v", B = 0 }

[[nodes]]
id = "a_w"
player = "A"
infoset = "a_info"
actions = { stay = "sq_w", attack = "b_w" }

[[nodes]]
id = "sq_w"
outcome = "status_quo"
payoffs = { A = 0, B = "v" }

[[nodes]]
id = "b_w"
player = "B"
actions = { fight = "war_w", yield = "cap_w" }

[[nodes]]
id = "war_w"
outcome = "war"
payoffs = { A = "-c", B = "-c" }

[[nodes]]
id = "cap_w"
outcome = "capitulation"
payoffs = { A = "v", B = 0 }

[baseline]
description = "B is never tough"
parameters = { q = 0 }
"""

NFG = 'NFG 1 R "pd" { "Row" "Col" } { 2 2 }\n\n3 3 0 5 5 0 1 1\n'
EFG = """\
EFG 2 R "tiny" { "A" "B" }
""
p "" 1 1 "a" { "in" "out" } 0
p "" 2 1 "b" { "fight" "yield" } 0
t "" 1 "war" { -1, -1 }
t "" 2 "cap" { 1, 0 }
t "" 3 "sq" { 0, 1 }
"""

WAR_W = 'payoffs = { A = "-c", B = "-c" }'  # the payoff line most expression cases replace
PROBS = 'probs = { tough = "q", weak = "1 - q" }'
HUGE = "9" * 400  # an integer far beyond the float range


def line_of(text: str, needle: str, occurrence: int = 0) -> int:
    """1-based number of the n-th line containing ``needle`` (computed here, not by the library)."""
    hits = [i for i, ln in enumerate(text.splitlines(), start=1) if needle in ln]
    return hits[occurrence]


def edit(old: str, new: str, base: str = BASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


def toml_str(text: str) -> str:
    """``text`` as a TOML basic string (JSON's escapes are valid TOML escapes)."""
    return json.dumps(text)


# ----------------------------------------------------------------------------- the case record
@dataclass(frozen=True)
class Case:
    """One malformed input.

    ``run(tmp)`` performs the call (writing any file it needs into ``tmp``); it must raise
    ``error`` whose message contains every string of ``needles`` and whose attributes equal
    ``attrs``. ``argv(tmp)``, if given, is the same input through the command line.
    """

    id: str
    run: Callable[[Path], Any]
    error: type[Exception]
    needles: tuple[str, ...]
    attrs: Mapping[str, Any] = field(default_factory=dict)
    argv: Callable[[Path], list[str]] | None = None
    cli_needles: tuple[str, ...] | None = None  # what the CLI line must name (default: needles)


CASES: list[Case] = []


def _add(case: Case) -> None:
    assert case.id not in {c.id for c in CASES}, case.id
    CASES.append(case)


# ---------------------------------------------------------------------------- model files
def _write(tmp: Path, name: str, content: str | bytes) -> Path:
    path = tmp / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def model_case(
    cid: str,
    text: str | bytes,
    needles: Sequence[str],
    *,
    error: type[Exception] = ModelError,
    key: str | None = None,
    line: int | None = None,
    values: Mapping[str, Any] | None = None,
) -> None:
    """A model file that fails to load (``values is None``) or loads but fails in ``game(**values)``.

    The message must name the file (``bad.toml``) unless the error is about a value passed to
    ``game``, the key (if given) and the line (if given).
    """
    name = "bad.toml"

    def run(tmp: Path) -> Any:
        path = _write(tmp, name, text)
        if values is None:
            return dt.load_model(path)
        model = dt.load_model(path)  # must load: the fault shows only at these values
        return model.game(**values)

    def argv(tmp: Path) -> list[str]:
        path = _write(tmp, name, text)
        sets = [f"--set={k}={v}" for k, v in (values or {}).items()]
        return ["solve", str(path), *sets]

    attrs: dict[str, Any] = {}
    if key is not None:
        attrs["key"] = key
    if line is not None:
        attrs["line"] = line
    file_named = error is not ParameterError
    all_needles = (*needles, name) if file_named else tuple(needles)
    if line is not None:
        all_needles = (*all_needles, f"{name}:{line}")
    _add(Case(cid, run, error, all_needles, attrs, argv))


def payoff_case(
    cid: str,
    expr_toml: str,
    needles: Sequence[str],
    *,
    error: type[Exception] = ExpressionError,
    values: Mapping[str, Any] | None = None,
) -> None:
    """Player A's payoff at terminal node ``war_w`` replaced by ``expr_toml`` (TOML source text)."""
    text = edit(WAR_W, f'payoffs = {{ A = {expr_toml}, B = "-c" }}')
    model_case(
        cid, text, needles, error=error, key="nodes.war_w.payoffs.A", line=line_of(BASE, WAR_W), values=values
    )


def expr_case(cid: str, expr: str, needles: Sequence[str]) -> None:
    """An expression (Python-side text) refused by the allow-list, as player A's payoff."""
    payoff_case(cid, toml_str(expr), needles)


L_PROBS = line_of(BASE, PROBS)
L_CAP_T = line_of(BASE, 'id = "cap_t"') - 1
L_DEFAULT = line_of(BASE, "default = 1.0")
L_DOMAIN = line_of(BASE, "domain = [0, 10]")

# TOML syntax and encoding
model_case("toml-unterminated-string", edit('name = "probe"', 'name = "probe'), ["TOML syntax error"], line=2)
model_case(
    "toml-duplicate-key",
    edit('title = "A probe model"', 'title = "A"\ntitle = "B"'),
    ["TOML syntax error", "overwrite"],
    line=4,
)
model_case("toml-not-toml", "this is not toml at all ][\n", ["TOML syntax error"], line=1)
model_case("toml-latin1-bytes", b'[model]\nname = "\xe9"\n', ["not UTF-8"])
model_case("empty-file", "", ["missing required key 'model'"], key="model")
# missing keys and unknown keys
model_case(
    "missing-model-table", BASE[BASE.index("[parameters.v]") :], ["missing required key 'model'"], key="model"
)
model_case("missing-name", edit('name = "probe"\n', ""), ["missing required key 'name'"], key="model.name")
model_case(
    "missing-players",
    edit('players = ["A", "B"]\n', ""),
    ["missing required key 'players'"],
    key="model.players",
)
model_case("missing-nodes", BASE[: BASE.index("[[nodes]]")], ["missing required key 'nodes'"], key="nodes")
model_case(
    "missing-default",
    edit("default = 1.0\n", ""),
    ["missing required key 'default'"],
    key="parameters.v.default",
)
model_case("unknown-top-level-table", BASE + "\n[extra]\nx = 1\n", ["unknown key 'extra'"], key="extra")
_t = edit(
    'outcome = "war"\npayoffs = { A = "-c", B = "net" }', 'outcome = "war"\npayofs = { A = "-c", B = "net" }'
)
model_case(
    "misspelt-node-key",
    _t,
    ["unknown key 'payofs'", "war_t"],
    key="nodes.war_t.payofs",
    line=line_of(_t, "payofs"),
)
# wrong types
model_case(
    "players-not-an-array",
    edit('players = ["A", "B"]', 'players = "A"'),
    ["wrong type", "players"],
    key="model.players",
    line=4,
)
model_case(
    "players-not-strings",
    edit('players = ["A", "B"]', "players = [1, 2]"),
    ["wrong type", "players"],
    key="model.players",
    line=4,
)
model_case(
    "default-is-a-string",
    edit("default = 1.0", 'default = "one"'),
    ["wrong type", "'one'"],
    key="parameters.v.default",
    line=L_DEFAULT,
)
model_case(
    "default-is-a-bool",
    edit("default = 1.0", "default = true"),
    ["wrong type", "bool"],
    key="parameters.v.default",
    line=L_DEFAULT,
)
model_case(
    "default-is-nan",
    edit("default = 1.0", "default = nan"),
    ["parameter 'v'", "finite", "nan"],
    key="parameters.v.default",
    line=L_DEFAULT,
)
model_case(
    "default-is-inf",
    edit("default = 1.0", "default = inf"),
    ["parameter 'v'", "finite", "inf"],
    key="parameters.v.default",
    line=L_DEFAULT,
)
model_case(
    "default-huge-integer",
    edit("default = 1.0", f"default = {HUGE}"),
    ["parameter 'v'", "finite"],
    key="parameters.v.default",
    line=L_DEFAULT,
)
model_case(
    "default-outside-domain",
    edit("default = 1.0", "default = 11.0"),
    ["parameter 'v'", "11", "[0, 10]"],
    key="parameters.v.default",
    line=L_DEFAULT,
)
model_case(
    "domain-reversed",
    edit("domain = [0, 10]", "domain = [10, 0]"),
    ["parameter 'v'", "empty"],
    key="parameters.v.domain",
    line=L_DOMAIN,
)
model_case(
    "domain-three-numbers",
    edit("domain = [0, 10]", "domain = [0, 5, 10]"),
    ["domain", "[0, 5, 10]"],
    key="parameters.v.domain",
    line=L_DOMAIN,
)
model_case(
    "domain-nan",
    edit("domain = [0, 10]", "domain = [0, nan]"),
    ["parameter 'v'", "nan"],
    key="parameters.v.domain",
    line=L_DOMAIN,
)
model_case(
    "domain-not-an-interval",
    edit("domain = [0, 10]", 'domain = "zero to ten"'),
    ["'zero to ten'"],
    key="parameters.v.domain",
    line=L_DOMAIN,
)
model_case(
    "node-id-not-a-string",
    edit('id = "cap_w"', "id = 7"),
    ["wrong type", "'id'"],
    line=line_of(BASE, 'id = "cap_w"') - 1,  # the node's [[nodes]] header: its id is unusable
)
model_case(
    "payoff-is-a-bool",
    edit(WAR_W, 'payoffs = { A = true, B = "-c" }'),
    ["wrong type", "bool"],
    key="nodes.war_w.payoffs.A",
    line=line_of(BASE, WAR_W),
)
model_case(
    "payoff-is-an-array",
    edit(WAR_W, 'payoffs = { A = [1], B = "-c" }'),
    ["wrong type", "[1]"],
    key="nodes.war_w.payoffs.A",
    line=line_of(BASE, WAR_W),
)
model_case(
    "node-kind-unknown",
    edit('kind = "chance"', 'kind = "random"'),
    ["'random'"],
    key="nodes.nature.kind",
    line=line_of(BASE, 'kind = "chance"'),
)
model_case(
    "node-id-invalid-characters",
    edit('id = "cap_w"', 'id = "cap w!"'),
    ["'cap w!'"],
    line=line_of(BASE, 'id = "cap_w"') - 1,  # node errors point at the node's [[nodes]] header
)
# the tree's shape
_BW = 'actions = { fight = "war_w", yield = "cap_w" }'
L_BW = line_of(BASE, _BW)
model_case(
    "duplicate-node-id",
    edit('id = "cap_w"', 'id = "cap_t"'),
    ["duplicate node id 'cap_t'", f"line {L_CAP_T}"],
    key="nodes.cap_t",
    line=line_of(BASE, 'id = "cap_w"') - 1,
)
model_case(
    "cycle",
    edit(_BW, 'actions = { fight = "war_w", yield = "nature" }'),
    ["'nature'", "cycle"],
    key="nodes.b_w.actions.yield",
    line=L_BW,
)
model_case(
    "self-loop",
    edit(_BW, 'actions = { fight = "war_w", yield = "b_w" }'),
    ["'b_w'", "cycle"],
    key="nodes.b_w.actions.yield",
    line=L_BW,
)
model_case(
    "child-does-not-exist",
    edit(_BW, 'actions = { fight = "war_w", yield = "nowhere" }'),
    ["'nowhere'", "does not exist"],
    key="nodes.b_w.actions.yield",
    line=L_BW,
)
model_case(
    "node-with-two-parents",
    edit(_BW, 'actions = { fight = "war_w", yield = "cap_t" }'),
    ["'cap_t'", "reachable twice"],
    key="nodes.b_w.actions.yield",
    line=L_BW,
)
_t = BASE + '\n[[nodes]]\nid = "orphan"\noutcome = "war"\npayoffs = { A = 0, B = 0 }\n'
model_case(
    "unreachable-node", _t, ["'orphan'", "unreachable"], key="nodes.orphan", line=line_of(_t, '"orphan"') - 1
)
model_case(
    "root-does-not-exist",
    edit('orderings = ["c > 0"]', 'orderings = ["c > 0"]\nroot = "nope"'),
    ["'nope'", "does not exist"],
    key="model.root",
    line=7,
)
model_case(
    "decision-without-actions",
    edit(_BW, "actions = {}"),
    ["'b_w'", "at least one action"],
    key="nodes.b_w.actions",
    line=L_BW,
)
model_case(
    "player-not-declared",
    edit('player = "B"\nactions = { fight = "war_w"', 'player = "C"\nactions = { fight = "war_w"'),
    ["player 'C'", "'b_w'"],
    key="nodes.b_w.player",
    line=L_BW - 1,
)
model_case(
    "outcome-outside-vocabulary",
    edit(
        'outcome = "war"\npayoffs = { A = "-c", B = "-c" }',
        'outcome = "armageddon"\npayoffs = { A = "-c", B = "-c" }',
    ),
    ["'armageddon'", "'war_w'", "vocabulary"],
    key="nodes.war_w.outcome",
    line=line_of(BASE, WAR_W) - 1,
)
model_case(
    "payoffs-missing-a-player",
    edit(WAR_W, 'payoffs = { A = "-c" }'),
    ["'war_w'", "missing ['B']"],
    key="nodes.war_w.payoffs",
    line=line_of(BASE, WAR_W),
)
model_case(
    "payoffs-for-unknown-player",
    edit(WAR_W, 'payoffs = { A = "-c", B = "-c", C = 1 }'),
    ["'war_w'", "['C']"],
    key="nodes.war_w.payoffs",
    line=line_of(BASE, WAR_W),
)
model_case(
    "probs-missing-an-action",
    edit(PROBS, 'probs = { tough = "q" }'),
    ["'nature'", "['weak']"],
    key="nodes.nature.probs",
    line=L_PROBS,
)
model_case(
    "probs-for-unknown-action",
    edit(PROBS, 'probs = { tough = "q", weak = "1 - q", other = 0 }'),
    ["'nature'", "['other']"],
    key="nodes.nature.probs",
    line=L_PROBS,
)
_A_W = 'player = "A"\ninfoset = "a_info"\nactions = { stay = "sq_w"'
model_case(
    "infoset-mixes-players",
    edit(_A_W, 'player = "B"\ninfoset = "a_info"\nactions = { stay = "sq_w"'),
    ["'a_info'", "'a_t'", "'a_w'"],
    key="nodes.a_w.infoset",
    line=line_of(BASE, 'infoset = "a_info"', 1),
)
model_case(
    "infoset-mixes-actions",
    edit('actions = { stay = "sq_w", attack = "b_w" }', 'actions = { wait = "sq_w", attack = "b_w" }'),
    ["'a_info'", "'wait'"],
    key="nodes.a_w.actions",
    line=line_of(BASE, 'actions = { stay = "sq_w"'),
)
# parameter names and derived quantities
model_case(
    "parameter-named-lambda", edit("[parameters.q]", "[parameters.lambda]"), ["'lambda'", "cannot name"]
)
model_case(
    "parameter-named-dunder", edit("[parameters.q]", "[parameters.__class__]"), ["'__class__'", "cannot name"]
)
model_case(
    "parameter-named-like-a-function", edit("[parameters.q]", "[parameters.exp]"), ["'exp'", "cannot name"]
)
model_case(
    "derived-clashes-with-parameter",
    edit('net = "v - c"', 'net = "v - c"\nv = "c"'),
    ["'v'", "clashes"],
    key="derived.v",
    line=line_of(BASE, 'net = "v - c"') + 1,
)
model_case(
    "derived-refers-to-itself",
    edit('net = "v - c"', 'net = "v - net"'),
    ["'net'"],
    error=ExpressionError,
    key="derived.net",
    line=line_of(BASE, 'net = "v - c"'),
)
model_case(
    "baseline-pins-unknown-parameter",
    edit("parameters = { q = 0 }", "parameters = { zzz = 0 }"),
    ["'zzz'"],
    key="baseline.parameters.zzz",
    line=line_of(BASE, "parameters = { q = 0 }"),
)
model_case(
    "baseline-pin-outside-domain",
    edit("parameters = { q = 0 }", "parameters = { q = 2 }"),
    ["'q'", "[0, 1]"],
    key="baseline.parameters.q",
    line=line_of(BASE, "parameters = { q = 0 }"),
)
model_case(
    "baseline-relabels-unknown-node",
    edit("parameters = { q = 0 }", 'parameters = { q = 0 }\noutcomes = { nonode = "war" }'),
    ["'nonode'"],
    key="baseline.outcomes.nonode",
    line=line_of(BASE, "parameters = { q = 0 }") + 1,
)
# orderings
_ORD = 'orderings = ["c > 0"]'
model_case(
    "ordering-syntax-error",
    edit(_ORD, 'orderings = ["c >"]'),
    ["syntax error", "'c >'"],
    error=ExpressionError,
    key="model.orderings[0]",
    line=6,
)
model_case(
    "ordering-with-equality",
    edit(_ORD, 'orderings = ["c == 0"]'),
    ["'=='"],
    error=ExpressionError,
    key="model.orderings[0]",
    line=6,
)
model_case(
    "ordering-with-or",
    edit(_ORD, 'orderings = ["c > 0 or v > 0"]'),
    ["'and'"],
    error=ExpressionError,
    key="model.orderings[0]",
    line=6,
)

# expressions outside the allow-list (payoff of A at war_w)
payoff_case("expr-bare-nan", "nan", ["not finite", "nan"])
payoff_case("expr-bare-inf", "inf", ["not finite", "inf"])
payoff_case("expr-float-literal-overflow", "1e400", ["not finite"])
expr_case("expr-power-tower-10**10**10", "10**10**10", ["too large", "10**10**10"])
expr_case("expr-power-tower-2**2**2**2**2", "2**2**2**2**2", ["too large"])
expr_case("expr-exponent-too-large", "v**(10**6)", ["exponent", "too large"])
expr_case("expr-attribute-access", "c.real", ["attribute", "'c.real'"])
expr_case("expr-lambda", "(lambda: 1)()", ["lambda"])
expr_case("expr-comprehension", "[x for x in (1, 2)]", ["comprehensions"])
expr_case("expr-generator", "(x for x in (c,))", ["generator"])
expr_case("expr-dunder-name", "__builtins__", ["'__builtins__'"])
expr_case("expr-call-outside-allow-list", "sin(c)", ["'sin'", "allowed functions"])
expr_case("expr-call-eval", "eval('1')", ["'eval'"])
expr_case("expr-string", "'abc'", ["strings"])
expr_case("expr-bytes", "b'x'", ["strings"])
expr_case("expr-100k-characters", "+".join(["c"] * 50000), ["99999 characters", "limit is 2000"])
expr_case("expr-1000-parentheses", "(" * 1000 + "c" + ")" * 1000, ["2001 characters"])
expr_case("expr-150-parentheses", "(" * 150 + "c" + ")" * 150, ["nested more than 100 levels"])
expr_case("expr-1000-unary-minus", "-" * 1000 + "c", ["nested more than 100 levels"])
expr_case("expr-200-nested-calls", "exp(" * 200 + "c" + ")" * 200, ["nested more than 100 levels"])
expr_case("expr-undeclared-name", "-d", ["unknown name 'd'", "declared: c, net, q, v"])
expr_case("expr-syntax-error", "c +* 2", ["syntax error", "column 4"])
expr_case("expr-statement", "import os", ["syntax error"])
expr_case("expr-two-statements", "c; 1", ["syntax error"])
expr_case("expr-non-ascii", "-\u03c0", ["'\u03c0'", "ASCII"])
expr_case("expr-null-byte", "c\x00", ["control character"])
expr_case("expr-division-by-zero", "1/0", ["division by zero"])
expr_case("expr-log-of-zero", "log(0)", ["log(0)"])
expr_case("expr-sqrt-of-negative", "sqrt(-1)", ["complex"])
expr_case("expr-floor-division", "c // 2", ["'//'"])
expr_case("expr-keyword-argument", "max(c, x=1)", ["keyword arguments"])
expr_case("expr-subscript", "c[0]", ["subscripts"])
expr_case("expr-walrus", "(x := 1)", ["':='"])
expr_case("expr-f-string", "f'{c}'", ["f-strings"])
expr_case("expr-empty", "", ["empty expression"])
expr_case("expr-complex-literal", "1j", ["complex numbers"])
expr_case("expr-constant-true", "True", ["True"])
expr_case("expr-constant-none", "None", ["None"])
expr_case("expr-ellipsis", "...", ["Ellipsis"])
expr_case("expr-comparison-in-payoff", "c > 1", ["comparisons"])
expr_case("expr-conditional", "1 if c else 0", ["conditional"])
expr_case("expr-bitwise-xor", "c ^ 2", ["'^'"])
expr_case("expr-starred-argument", "max(*c)", ["starred"])
expr_case("expr-multiline-payload", "-c +\n\n__import__", ["'__import__'", "column 7"])
model_case(
    "prob-is-nan",
    edit(PROBS, 'probs = { tough = nan, weak = "1 - q" }'),
    ["not finite"],
    error=ExpressionError,
    key="nodes.nature.probs.tough",
    line=L_PROBS,
)

# files that load but whose numbers fail at some parameter values (ModelError from game())
model_case(
    "probs-negative-constant",
    edit(PROBS, 'probs = { tough = "-0.5", weak = "1.5" }'),
    ["'tough'", "'nature'", "outside [0, 1]"],
    key="nodes.nature.probs.tough",
    line=L_PROBS,
    values={},
)
model_case(
    "probs-sum-to-one-only-at-q-half",
    edit(PROBS, 'probs = { tough = "q", weak = "1/2" }'),
    ["'nature'", "sum to 1.2", "q=0.7"],
    key="nodes.nature.probs",
    line=L_PROBS,
    values={"q": 0.7},
)
model_case(
    "prob-above-one-at-some-q",
    edit(PROBS, 'probs = { tough = "2*q", weak = "1 - 2*q" }'),
    ["'tough'", "'nature'", "3/2", "q=0.75"],
    key="nodes.nature.probs.tough",
    line=L_PROBS,
    values={"q": 0.75},
)
model_case(
    "prob-overflows-float",
    edit(PROBS, 'probs = { tough = "q*10**400", weak = "1 - q" }'),
    ["'tough'", "'nature'", "not a finite number"],
    key="nodes.nature.probs.tough",
    line=L_PROBS,
    values={},
)
payoff_case(
    "payoff-division-by-zero-at-c-1",
    '"1/(c - 1)"',
    ["'war_w'", "not a finite number", "c=1"],
    error=ModelError,
    values={"c": 1},
)
payoff_case(
    "payoff-log-of-zero-at-v-1",
    '"log(v - 1)"',
    ["'war_w'", "log(v - 1)", "v=1"],
    error=ModelError,
    values={"v": 1},
)
payoff_case(
    "payoff-sqrt-negative-at-c-quarter",
    '"sqrt(c - 1)"',
    ["'war_w'", "sqrt(c - 1)", "c=0.25"],
    error=ModelError,
    values={"c": 0.25},
)
payoff_case(
    "payoff-exp-overflow", '"exp(1000*v)"', ["'war_w'", "exp(1000*v)"], error=ModelError, values={"v": 1}
)
payoff_case(
    "payoff-power-overflow-at-v-10", '"2**(1000*v)"', ["'war_w'", "v=10"], error=ModelError, values={"v": 10}
)
payoff_case(
    "payoff-huge-integer-literal", HUGE, ["'war_w'", "not a finite number"], error=ModelError, values={}
)
payoff_case(
    "payoff-constant-beyond-float",
    '"c*1e308*1e308"',
    ["'war_w'", "not a finite number"],
    error=ModelError,
    values={},
)
model_case(
    "ordering-violated-at-values",
    edit(_ORD, 'orderings = ["c < v"]'),
    ["ordering 'c < v'", "c=2", "v=1"],
    error=ParameterError,
    values={"c": 2, "v": 1},
)


# ---------------------------------------------------------------------------- parameter values
def param_case(
    cid: str,
    values: Mapping[str, Any],
    needles: Sequence[str],
    name: str | None,
    cli: Sequence[str] | None = None,
    cli_needles: Sequence[str] | None = None,
) -> None:
    """``extended_deterrence.game(**values)`` must raise ParameterError naming ``name`` (if given)."""

    def run(tmp: Path) -> Any:
        return dt.load_model("extended_deterrence").game(**values)

    argv = None
    if cli is not None:
        argv = lambda tmp, cli=cli: ["solve", "extended_deterrence", *cli]  # noqa: E731
    _add(
        Case(
            cid,
            run,
            ParameterError,
            (f"'{name}'", *needles) if name else tuple(needles),
            {"name": name} if name else {},
            argv,
            None if cli_needles is None else tuple(cli_needles),
        )
    )


param_case(
    "param-unknown-name",
    {"resolve": 0.5},
    ["unknown parameter", "credibility"],
    "resolve",
    cli=["--set", "resolve=0.5"],
    cli_needles=["'resolve'"],
)
param_case(
    "param-misspelt-name",
    {"credibilty": 0.5},
    ["unknown parameter", "valid parameters"],
    "credibilty",
    cli=["--set", "credibilty=0.5"],
    cli_needles=["'credibilty'"],
)
param_case("param-dunder-name", {"__class__": 1}, ["unknown parameter"], "__class__")
param_case(
    "param-str",
    {"credibility": "0.5"},
    ["real number", "str", "[0, 1]"],
    "credibility",
    cli=["--set", "credibility=half"],
    cli_needles=["credibility", "'half'"],
)
param_case("param-bool", {"credibility": True}, ["real number", "bool"], "credibility")
param_case("param-numpy-bool", {"credibility": np.bool_(True)}, ["real number", "bool"], "credibility")
param_case("param-none", {"credibility": None}, ["real number", "None"], "credibility")
param_case(
    "param-complex",
    {"credibility": 0.5 + 1j},
    ["real number", "complex"],
    "credibility",
    cli=["--set", "credibility=0.5+1j"],
    cli_needles=["credibility", "'0.5+1j'"],
)
param_case(
    "param-nan",
    {"credibility": math.nan},
    ["finite", "nan"],
    "credibility",
    cli=["--set", "credibility=nan"],
    cli_needles=["credibility", "'nan'"],
)
param_case("param-numpy-nan", {"credibility": np.float32("nan")}, ["finite", "nan"], "credibility")
param_case(
    "param-inf",
    {"stakes": math.inf},
    ["finite", "inf"],
    "stakes",
    cli=["--set", "stakes=inf"],
    cli_needles=["stakes", "'inf'"],
)
param_case("param-minus-inf", {"cost_attacker": -math.inf}, ["finite", "-inf"], "cost_attacker")
param_case(
    "param-above-domain",
    {"credibility": 1.5},
    ["1.5", "outside its domain [0, 1]"],
    "credibility",
    cli=["--set", "credibility=1.5"],
)
param_case(
    "param-below-domain",
    {"credibility": -0.1},
    ["-0.1", "[0, 1]"],
    "credibility",
    cli=["--set", "credibility=-0.1"],
)
param_case(
    "param-tiny-negative-cost",
    {"cost_attacker": -1e-300},
    ["-1e-300", "[0, inf)"],
    "cost_attacker",
    cli=["--set", "cost_attacker=-1e-300"],
)
param_case("param-open-end", {"stakes": 0}, ["0", "(0, inf)"], "stakes", cli=["--set", "stakes=0"])
param_case("param-list", {"credibility": [0.5]}, ["real number", "list"], "credibility")
param_case("param-array", {"credibility": np.array([0.5, 0.6])}, ["real number", "ndarray"], "credibility")
param_case("param-decimal", {"credibility": Decimal("0.5")}, ["real number", "Decimal"], "credibility")
param_case("param-sympy-symbol", {"credibility": sp.Symbol("x")}, ["real number", "Symbol"], "credibility")
param_case("param-bytes", {"credibility": b"0.5"}, ["real number", "bytes"], "credibility")
param_case("param-huge-integer", {"stakes": 10**400}, ["finite"], "stakes")
param_case(
    "param-violates-ordering",
    {"p_alone": 0.9},
    ["ordering 'p_alone < p_allied'", "p_alone=0.9"],
    None,  # the culprit is the ordering (it names both parameters)
    cli=["--set", "p_alone=0.9"],
)


# ---------------------------------------------------------------------------- Gambit files
def gambit_case(cid: str, name: str, text: str | bytes, needles: Sequence[str], line: int | None) -> None:
    """``dt.read_game`` on a malformed file: FormatError naming the file and the line."""

    def run(tmp: Path) -> Any:
        return dt.read_game(_write(tmp, name, text))

    def argv(tmp: Path) -> list[str]:
        return ["solve", str(_write(tmp, name, text))]

    all_needles = (name, *needles) + ((f"{name}:{line}:",) if line is not None else ())
    _add(Case(cid, run, FormatError, all_needles, {"line": line} if line is not None else {}, argv))


def _efg(old: str, new: str) -> str:
    return edit(old, new, EFG)


def _nfg(old: str, new: str) -> str:
    return edit(old, new, NFG)


gambit_case("nfg-truncated", "bad.nfg", NFG[:-6], ["ends after 5 payoffs", "needs 8"], 3)
gambit_case(
    "nfg-wrong-strategy-count", "bad.nfg", _nfg("{ 2 2 }", "{ 2 3 }"), ["ends after 8 payoffs", "2x3"], 3
)
gambit_case("nfg-too-many-payoffs", "bad.nfg", NFG + "7 7\n", ["after the last payoff"], 4)
gambit_case("nfg-non-numeric-payoff", "bad.nfg", _nfg("5 5", "5 five"), ["'five'"], 3)
gambit_case("nfg-nan-payoff", "bad.nfg", _nfg("5 5", "5 nan"), ["'nan'"], 3)
gambit_case("nfg-inf-payoff", "bad.nfg", _nfg("5 5", "5 inf"), ["'inf'"], 3)
gambit_case("nfg-payoff-out-of-range", "bad.nfg", _nfg("5 5", "5 1e400"), ["'1e400'", "out of range"], 3)
gambit_case("nfg-payoff-5000-digits", "bad.nfg", _nfg("5 5", "5 " + "9" * 5000), ["too long"], 3)
gambit_case("nfg-payoff-divides-by-zero", "bad.nfg", _nfg("5 5", "5 1/0"), ["'1/0'", "divides by zero"], 3)
gambit_case("nfg-zero-strategies", "bad.nfg", _nfg("{ 2 2 }", "{ 2 0 }"), ["player 2", "at least 1"], 1)
gambit_case("nfg-negative-strategies", "bad.nfg", _nfg("{ 2 2 }", "{ 2 -2 }"), ["player 2", "-2"], 1)
gambit_case("nfg-missing-header", "bad.nfg", _nfg("NFG 1 R ", ""), ["expected 'NFG' or 'EFG'"], 1)
gambit_case("nfg-unterminated-string", "bad.nfg", _nfg('"pd"', '"pd'), ["never closed"], 1)
gambit_case("nfg-escaped-closing-quote", "bad.nfg", _nfg('"pd"', '"pd\\"'), ["never closed"], 1)
gambit_case("nfg-binary-junk", "bad.nfg", b"\x00\xff\xfe" * 30, ["not a Gambit game file"], 1)
gambit_case("efg-truncated", "bad.efg", EFG[:-20], ["ends where"], 7)
gambit_case("efg-non-numeric-payoff", "bad.efg", _efg("{ -1, -1 }", "{ -1, x }"), ["'x'", "outcome 1"], 5)
gambit_case("efg-nan-payoff", "bad.efg", _efg("{ -1, -1 }", "{ -1, nan }"), ["'nan'"], 5)
gambit_case(
    "efg-wrong-payoff-count", "bad.efg", _efg("{ -1, -1 }", "{ -1 }"), ["gives 1 payoff(s)", "2 player(s)"], 5
)
gambit_case("efg-unterminated-string", "bad.efg", _efg('"cap"', '"cap'), ["never closed"], 7)
gambit_case("efg-bad-header", "bad.efg", _efg("EFG 2 R", "EFX 2 R"), ["'EFX'"], 1)
gambit_case(
    "efg-probabilities-do-not-sum-to-one",
    "bad.efg",
    _efg('p "" 1 1 "a" { "in" "out" } 0', 'c "" 1 "n" { "in" 1/2 "out" 1/3 } 0'),
    ["sum to 5/6"],
    3,
)
gambit_case(
    "efg-nan-probability",
    "bad.efg",
    _efg('p "" 1 1 "a" { "in" "out" } 0', 'c "" 1 "n" { "in" nan "out" 1/3 } 0'),
    ["'nan'"],
    3,
)
gambit_case("efg-player-does-not-exist", "bad.efg", _efg('p "" 2 1 "b"', 'p "" 5 1 "b"'), ["player 5"], 4)
gambit_case(
    "efg-unknown-node-type", "bad.efg", _efg('t "" 3 "sq" { 0, 1 }', 'x "" 3 "sq" { 0, 1 }'), ["node type"], 7
)
gambit_case("efg-empty-file", "bad.efg", "", ["expected 'NFG' or 'EFG'"], 1)


def _missing(tmp: Path) -> Any:
    return dt.read_game(tmp / "missing.efg")


_add(
    Case(
        "gambit-missing-file",
        _missing,
        FormatError,
        ("missing.efg", "cannot read"),
        argv=lambda tmp: ["solve", str(tmp / "missing.efg")],
    )
)


def _dir(tmp: Path) -> Any:
    (tmp / "folder.efg").mkdir(exist_ok=True)
    return dt.read_game(tmp / "folder.efg")


_add(Case("gambit-path-is-a-folder", _dir, FormatError, ("folder.efg", "cannot read")))


def _missing_model(tmp: Path) -> Any:
    return dt.load_model(tmp / "absent.toml")


_add(
    Case(
        "model-missing-file",
        _missing_model,
        ModelError,
        ("absent.toml", "cannot read"),
        argv=lambda tmp: ["solve", str(tmp / "absent.toml")],
    )
)
_add(
    Case(
        "model-unknown-catalogue-name",
        lambda tmp: dt.load_model("no_such_model"),
        ModelError,
        ("'no_such_model'", "extended_deterrence"),
        argv=lambda tmp: ["show", "no_such_model"],
    )
)


# ---------------------------------------------------------------------------- solve() options
def _pd() -> dt.NormalFormGame:
    return dt.NormalFormGame([np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])])


def _tree() -> Any:
    return dt.load_model("extended_deterrence").game()


def _three() -> dt.NormalFormGame:
    rng = np.random.default_rng(0)
    return dt.NormalFormGame([rng.integers(0, 5, (2, 2, 2)) for _ in range(3)])


def solve_case(
    cid: str,
    fn: Callable[[], Any],
    error: type[Exception],
    needles: Sequence[str],
    cli: Sequence[str] | None = None,
    attrs: Mapping[str, Any] | None = None,
) -> None:
    argv = None
    if cli is not None:
        argv = lambda tmp, cli=cli: ["solve", str(_write(tmp, "pd.nfg", NFG)), *cli]  # noqa: E731
    _add(Case(cid, lambda tmp: fn(), error, tuple(needles), dict(attrs or {}), argv))


solve_case(
    "solve-unknown-concept",
    lambda: solve(_pd(), concept="nashh"),
    UnsupportedError,
    ["'nashh'", "nash, spe, pbe, qre"],
)
solve_case("solve-concept-none", lambda: solve(_pd(), concept=None), UnsupportedError, ["'None'"])
solve_case(
    "solve-unknown-method",
    lambda: solve(_pd(), method="magic"),
    UnsupportedError,
    ["'magic'", "vertex_enumeration"],
    cli=["--method", "magic"],
)
solve_case(
    "solve-method-for-another-concept",
    lambda: solve(_pd(), method="backward_induction"),
    UnsupportedError,
    ["'backward_induction'", "nash"],
    cli=["--method", "backward_induction"],
)
solve_case(
    "solve-spe-on-normal-form",
    lambda: solve(_pd(), concept="spe"),
    UnsupportedError,
    ["spe", "extensive-form"],
    cli=["--concept", "spe"],
)
solve_case(
    "solve-pbe-on-normal-form",
    lambda: solve(_pd(), concept="pbe"),
    UnsupportedError,
    ["pbe", "extensive-form"],
    cli=["--concept", "pbe"],
)
solve_case(
    "solve-unknown-belief-policy",
    lambda: solve(_tree(), concept="pbe", belief_policy="optimistic"),
    UnsupportedError,
    ["'optimistic'", "free, prior, d1"],
)
solve_case(
    "solve-negative-tol", lambda: solve(_pd(), tol=-1), SolverError, ["tol", "-1"], cli=["--tol", "-1"]
)
solve_case(
    "solve-nan-tol", lambda: solve(_pd(), tol=math.nan), SolverError, ["tol", "nan"], cli=["--tol", "nan"]
)
solve_case("solve-zero-tol", lambda: solve(_pd(), tol=0), SolverError, ["tol", "0"])
solve_case(
    "solve-negative-lam",
    lambda: solve(_pd(), concept="qre", lam=-1),
    ParameterError,
    ["lam", "-1"],
    cli=["--concept", "qre", "--lam=-1"],
)
solve_case("solve-nan-lam", lambda: solve(_pd(), concept="qre", lam=math.nan), ParameterError, ["lam", "nan"])
solve_case(
    "solve-string-lam",
    lambda: solve(_pd(), concept="qre", lam="big"),
    ParameterError,
    ["lam", "'big'"],
    cli=["--concept", "qre", "--lam", "big"],
)
solve_case(
    "solve-lam-wrong-length",
    lambda: solve(_pd(), concept="qre", lam=[1, 2, 3]),
    ParameterError,
    ["lam", "3 precisions", "2 players"],
    cli=["--concept", "qre", "--lam", "1,2,3"],
)
solve_case("solve-not-a-game", lambda: solve([[1, 2], [3, 4]]), GameError, ["list"])
solve_case(
    "solve-model-instead-of-game", lambda: solve(dt.load_model("extended_deterrence")), GameError, ["Model"]
)
solve_case(
    "solve-too-much-work",
    lambda: solve(
        dt.NormalFormGame([np.random.default_rng(0).random((14, 14)) for _ in range(2)]), max_work=10
    ),
    ResourceError,
    ["max_work=10", "operations"],
)
solve_case(
    "solve-vertex-enumeration-3-players",
    lambda: solve(_three(), method="vertex_enumeration"),
    UnsupportedError,
    ["'vertex_enumeration'", "3"],
)
solve_case(
    "solve-sequence-form-3-players",
    lambda: solve(_tree(), method="sequence_form"),
    UnsupportedError,
    ["'sequence_form'", "3"],
)
solve_case(
    "solve-pure-for-spe",
    lambda: solve(_tree(), concept="spe", method="pure"),
    UnsupportedError,
    ["'pure'", "backward_induction"],
)


# ---------------------------------------------------------------------------- games built in Python
A2 = np.array([[1.0, 0.0], [0.0, 1.0]])


def game_case(
    cid: str, fn: Callable[[], Any], needles: Sequence[str], attrs: Mapping[str, Any] | None = None
) -> None:
    _add(Case(cid, lambda tmp: fn(), GameError, tuple(needles), dict(attrs or {})))


game_case(
    "nf-nan-payoff",
    lambda: dt.NormalFormGame([np.array([[1, np.nan], [0, 1]]), A2]),
    ["player 1", "(0, 1)", "not finite"],
)
game_case(
    "nf-inf-payoff",
    lambda: dt.NormalFormGame([A2, np.array([[1, np.inf], [0, 1]])]),
    ["player 2", "(0, 1)", "not finite"],
)
game_case(
    "nf-shapes-differ",
    lambda: dt.NormalFormGame([np.zeros((2, 2)), np.zeros((2, 3))]),
    ["player 2", "(2, 3)", "(2, 2)"],
)
game_case(
    "nf-too-few-arrays", lambda: dt.NormalFormGame([np.zeros((2, 2))]), ["1 payoff arrays", "2 dimensions"]
)
game_case("nf-too-many-arrays", lambda: dt.NormalFormGame([np.zeros((2, 2))] * 3), ["3 payoff arrays"])
game_case("nf-no-players", lambda: dt.NormalFormGame([]), ["at least one player"])
game_case("nf-zero-strategies", lambda: dt.NormalFormGame([np.zeros((2, 0)), np.zeros((2, 0))]), ["(2, 0)"])
game_case(
    "nf-string-payoffs",
    lambda: dt.NormalFormGame([np.array([["a", "b"], ["c", "d"]]), A2]),
    ["player 1", "not numbers"],
)
game_case(
    "nf-none-in-payoffs",
    lambda: dt.NormalFormGame([np.array([[1, None], [0, 1]], dtype=object), A2]),
    ["player 1", "(0, 1)"],
)
game_case("nf-bool-payoffs", lambda: dt.NormalFormGame([A2 > 0, A2]), ["player 1", "bool"])
game_case(
    "nf-duplicate-player-names", lambda: dt.NormalFormGame([A2, A2], players=["X", "X"]), ["['X', 'X']"]
)
game_case(
    "nf-wrong-number-of-player-names",
    lambda: dt.NormalFormGame([A2, A2], players=["X"]),
    ["expected 2 names, got 1"],
)
game_case(
    "nf-wrong-number-of-strategy-names",
    lambda: dt.NormalFormGame([A2, A2], strategies=[["a", "b"], ["c"]]),
    ["player 2", "got 1"],
)
game_case(
    "nf-duplicate-strategy-names",
    lambda: dt.NormalFormGame([A2, A2], strategies=[["a", "a"], ["c", "d"]]),
    ["['a', 'a']"],
)
game_case(
    "nf-outcome-array-shape",
    lambda: dt.NormalFormGame([A2, A2], outcomes={"war": np.zeros(3)}),
    ["'war'", "(3,)"],
)
game_case(
    "ef-nan-payoff",
    lambda: dt.ExtensiveFormGame(decision("A", {"x": terminal({"A": np.nan}), "y": terminal({"A": 0})})),
    ["'x'", "'A'", "nan"],
    {"node": "'x'"},
)
game_case(
    "ef-inf-payoff",
    lambda: dt.ExtensiveFormGame(decision("A", {"x": terminal({"A": math.inf}), "y": terminal({"A": 0})})),
    ["'x'", "inf"],
)
game_case(
    "ef-string-payoff",
    lambda: dt.ExtensiveFormGame(decision("A", {"x": terminal({"A": "1"}), "y": terminal({"A": 0})})),
    ["'x'", "not a number", "'1'"],
)
game_case(
    "ef-missing-payoff",
    lambda: dt.ExtensiveFormGame(decision("A", {"x": terminal({"A": 1}), "y": terminal({})})),
    ["'y'", "['A']"],
)
game_case(
    "ef-payoff-for-unknown-player",
    lambda: dt.ExtensiveFormGame(decision("A", {"x": terminal({"A": 1, "Z": 2}), "y": terminal({"A": 0})})),
    ["'x'", "['Z']"],
)
game_case(
    "ef-payoff-vector-length",
    lambda: dt.ExtensiveFormGame(decision("A", {"x": terminal([1, 2]), "y": terminal([0])})),
    ["'x'", "2 payoffs", "1 players"],
)


def _reused() -> Any:
    leaf = terminal({"A": 0})
    return dt.ExtensiveFormGame(decision("A", {"x": leaf, "y": leaf}))


def _cyclic() -> Any:
    node = decision("A", {"x": terminal({"A": 0})}, label="loop")
    node.actions["y"] = node
    return dt.ExtensiveFormGame(node)


game_case("ef-node-reused", _reused, ["'y'", "reachable twice"])
game_case("ef-cycle", _cyclic, ["'loop'", "reachable twice"])
game_case(
    "ef-decision-without-actions",
    lambda: dt.ExtensiveFormGame(decision("A", {}, label="empty")),
    ["'empty'", "no actions"],
)
game_case(
    "ef-negative-probability",
    lambda: dt.ExtensiveFormGame(
        chance({"h": (-0.5, terminal({"A": 0})), "t": (1.5, terminal({"A": 1}))}, label="n")
    ),
    ["'n'", "'h'", "-0.5"],
)
game_case(
    "ef-probabilities-sum-to-1.1",
    lambda: dt.ExtensiveFormGame(
        chance({"h": (0.5, terminal({"A": 0})), "t": (0.6, terminal({"A": 1}))}, label="n")
    ),
    ["'n'", "sum to 1.1"],
)
game_case(
    "ef-fractions-sum-to-2/3",
    lambda: dt.ExtensiveFormGame(
        chance(
            {"h": (Fraction(1, 3), terminal({"A": 0})), "t": (Fraction(1, 3), terminal({"A": 1}))}, label="n"
        )
    ),
    ["'n'", "0.666666666667"],
)
game_case(
    "ef-nan-probability",
    lambda: dt.ExtensiveFormGame(
        chance({"h": (math.nan, terminal({"A": 0})), "t": (1, terminal({"A": 1}))}, label="n")
    ),
    ["'n'", "'h'", "nan"],
)
game_case(
    "ef-string-probability",
    lambda: dt.ExtensiveFormGame(
        chance({"h": ("1/2", terminal({"A": 0})), "t": (0.5, terminal({"A": 1}))}, label="n")
    ),
    ["'n'", "'h'", "'1/2'"],
)
game_case(
    "ef-branch-not-a-pair",
    lambda: dt.ExtensiveFormGame(chance({"h": terminal({"A": 0})}, label="n")),
    ["'n'", "'h'", "pair"],
)
game_case(
    "ef-outcome-outside-vocabulary",
    lambda: dt.ExtensiveFormGame(
        decision("A", {"x": terminal({"A": 0}, outcome="nuke"), "y": terminal({"A": 0})})
    ),
    ["'x'", "'nuke'"],
)
game_case(
    "ef-infoset-mixes-players",
    lambda: dt.ExtensiveFormGame(
        chance(
            {
                "h": (0.5, decision("A", {"x": terminal([0, 0]), "y": terminal([0, 0])}, infoset="I")),
                "t": (0.5, decision("B", {"x": terminal([0, 0]), "y": terminal([0, 0])}, infoset="I")),
            }
        ),
        players=["A", "B"],
    ),
    ["'I'", "different players"],
    {"infoset": "I"},
)
game_case(
    "ef-infoset-mixes-actions",
    lambda: dt.ExtensiveFormGame(
        chance(
            {
                "h": (0.5, decision("A", {"x": terminal([0]), "y": terminal([0])}, infoset="I")),
                "t": (0.5, decision("A", {"x": terminal([0]), "z": terminal([0])}, infoset="I")),
            }
        )
    ),
    ["'I'", "different actions", "'z'"],
    {"infoset": "I"},
)
game_case(
    "ef-undeclared-player",
    lambda: dt.ExtensiveFormGame(decision("Q", {"x": terminal([0, 0])}), players=["A", "B"]),
    ["'Q'", "['A', 'B']"],
)
game_case(
    "ef-duplicate-players",
    lambda: dt.ExtensiveFormGame(decision("A", {"x": terminal([0, 0])}), players=["A", "A"]),
    ["['A', 'A']"],
)
game_case("ef-child-not-a-node", lambda: dt.ExtensiveFormGame(decision("A", {"x": 5})), ["x", "int"])
game_case("ef-root-none", lambda: dt.ExtensiveFormGame(None), ["NoneType"])
game_case(
    "ef-action-given-twice", lambda: decision("A", {"x": terminal([0])}, x=terminal([1])), ["'x'", "twice"]
)


# ---------------------------------------------------------------------------- sweep specifications
def _sweep(**kw: Any) -> Any:
    from deterrence.sweeps import sweep

    kw.setdefault("progress", False)
    return sweep(TINY, **kw)


def sweep_case(
    cid: str,
    kw: Mapping[str, Any],
    needles: Sequence[str],
    error: type[Exception] = SweepError,
    cli: Sequence[str] | None = None,
    cli_needles: Sequence[str] | None = None,
) -> None:
    argv = None
    if cli is not None:
        argv = lambda tmp, cli=cli: ["sweep", TINY, *cli, "--out", str(tmp / "out"), "--no-progress"]  # noqa: E731
    shown = None if cli_needles is None else tuple(cli_needles)
    _add(Case(cid, lambda tmp: _sweep(**kw), error, tuple(needles), {}, argv, shown))


sweep_case("sweep-empty-range", {"grid": {"v": []}}, ["'v'", "empty range"])
sweep_case(
    "sweep-zero-steps",
    {"grid": {"v": np.linspace(0, 1, 0)}},
    ["'v'", "no values"],
    cli=["--vary", "v=0:1:0"],
    cli_needles=["v=0:1:0", "at least 1"],
)
sweep_case(
    "sweep-values-not-numbers",
    {"grid": {"v": ["a", "b"]}},
    ["'v'", "not numbers"],
)
sweep_case(
    "sweep-nan-value",
    {"grid": {"v": [0.1, np.nan]}},
    ["'v'", "nan"],
    cli=["--vary", "v=nan:1:3"],
    cli_needles=["--vary v", "'nan'"],
)
sweep_case("sweep-inf-value", {"grid": {"v": [0.1, np.inf]}}, ["'v'", "inf"])
sweep_case("sweep-2d-values", {"grid": {"v": np.zeros((2, 2))}}, ["'v'", "one-dimensional"])
sweep_case(
    "sweep-unknown-parameter", {"grid": {"zz": [0.1]}}, ["'zz'", "v, c, r, k"], cli=["--vary", "zz=0:1:3"]
)
sweep_case(
    "sweep-value-outside-domain",
    {"grid": {"v": [0.1, 5.0]}},
    ["'v'", "[0, 3]"],
    error=ParameterError,
    cli=["--vary", "v=0:9:3"],
)
sweep_case(
    "sweep-ten-billion-points-in-memory",
    {"grid": {"v": np.linspace(0, 3, 100_000), "c": np.linspace(0, 2, 100_000)}},
    ["10,000,000,000 points", "out="],
)
sweep_case("sweep-ten-billion-samples", {"samples": 10**10}, ["10,000,000,000 points", "GB"])
sweep_case("sweep-zero-samples", {"samples": 0}, ["samples", "0"], cli=["--samples", "0"])
sweep_case("sweep-negative-samples", {"samples": -5}, ["samples", "-5"])
sweep_case("sweep-fractional-samples", {"samples": 2.5}, ["samples", "2.5"])
sweep_case("sweep-grid-and-samples", {"grid": {"v": [0.1]}, "samples": 4}, ["grid=", "samples="])
sweep_case("sweep-neither-grid-nor-samples", {}, ["grid=", "samples="])
sweep_case("sweep-empty-grid", {"grid": {}}, ["grid="])
sweep_case("sweep-unknown-backend", {"grid": {"v": [0.1]}, "backend": "gpu"}, ["'gpu'", "numpy"])
sweep_case("sweep-unknown-concept", {"grid": {"v": [0.1]}, "concept": "nashh"}, ["'nashh'"])
sweep_case("sweep-unknown-sampling-method", {"samples": 4, "method": "grid"}, ["'grid'", "sobol"])
sweep_case(
    "sweep-zero-chunk-size",
    {"grid": {"v": [0.1]}, "chunk_size": 0},
    ["chunk_size", "0"],
    cli=["--vary", "v=0:1:3", "--chunk-size", "0"],
)
sweep_case(
    "sweep-zero-workers", {"grid": {"v": [0.1]}, "backend": "processes", "workers": 0}, ["workers", "0"]
)
sweep_case("sweep-negative-seed", {"samples": 4, "rng": -1}, ["rng", "-1"])
sweep_case(
    "sweep-fixed-and-varied",
    {"grid": {"v": [0.1]}, "fixed": {"v": 0.2}},
    ["'v'", "both"],
    cli=["--vary", "v=0:1:3", "--set", "v=0.2"],
)
sweep_case("sweep-fixed-unknown", {"grid": {"v": [0.1]}, "fixed": {"zz": 0.2}}, ["'zz'"])
sweep_case(
    "sweep-fixed-outside-domain",
    {"grid": {"v": [0.1]}, "fixed": {"c": 9.0}},
    ["'c'", "[0, 3]"],
    error=ParameterError,
)
sweep_case(
    "sweep-reversed-bounds", {"samples": 4, "vary": ["v"], "bounds": {"v": (1, 0)}}, ["'v'", "lo < hi"]
)
sweep_case("sweep-vary-unknown", {"samples": 4, "vary": ["zz"]}, ["'zz'"])
sweep_case("sweep-unknown-selection", {"grid": {"v": [0.1]}, "selection": "best"}, ["'best'", "pessimistic"])
sweep_case("sweep-unknown-path", {"grid": {"v": [0.1]}, "path": "fast"}, ["'fast'", "compiled"])
sweep_case("sweep-unknown-on-error", {"grid": {"v": [0.1]}, "on_error": "ignore_all"}, ["'ignore_all'"])
_add(
    Case(
        "sweep-model-is-an-int",
        lambda tmp: dt.sweep(5, grid={"v": [0.1]}, progress=False),
        SweepError,
        ("int",),
    )
)
_add(
    Case(
        "sweep-load-folder-without-manifest",
        lambda tmp: dt.SweepResult.load(tmp),
        SweepError,
        ("manifest.json",),
    )
)


# ---------------------------------------------------------------------------- sweep sizes, folders (issue 20)
def _sweep_argv(*extra: str, out: str | None = None) -> Callable[[Path], list[str]]:
    def argv(tmp: Path) -> list[str]:
        return ["sweep", TINY, *extra, "--out", out if out is not None else str(tmp / "out"), "--no-progress"]

    return argv


def _folder_with(tmp: Path, name: str, content: str | None = None, link: bool = False) -> Path:
    """An ``out`` folder holding ``name``: a file with ``content``, or a symbolic link out of it."""
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    if link:
        target = _write(tmp, "precious.txt", "keep")
        if not (out / name).is_symlink():
            (out / name).symlink_to(target)
    else:
        _write(out, name, content or "")
    return out


def _below_a_file(tmp: Path) -> str:
    _write(tmp, "afile", "x")
    return str(tmp / "afile" / "sub")


_add(
    Case(
        "sweep-grid-beyond-numbering",
        lambda tmp: _sweep(grid={"v": dt.Linspace(0, 3, 10**20)}),
        ResourceError,
        ("1e+20 points", "more than a sweep can number"),
        argv=_sweep_argv("--vary", "v=0:3:99999999999999999999"),
    )
)
_add(
    Case(
        "sweep-explicit-values-beyond-memory",
        lambda tmp: _sweep(grid={"v": range(10**10)}),
        ResourceError,
        ("'v'", "10,000,000,000 explicit values", "Linspace"),
    )
)
_add(
    Case(
        "sweep-beyond-a-days-work",
        lambda tmp: _sweep(
            grid={"v": dt.Linspace(0, 3, 10**6), "r": dt.Linspace(0, 2, 10**6)}, out=tmp / "o"
        ),
        ResourceError,
        ("1,000,000,000,000 points", "beyond a day's work", "allow_large=True"),
        argv=_sweep_argv("--vary", "v=0:3:1000000", "--vary", "r=0:2:1000000"),
        cli_needles=("1,000,000,000,000 points", "beyond a day's work", "--yes"),
    )
)
_add(
    Case(
        "sweep-linspace-zero-values",
        lambda tmp: _sweep(grid={"v": dt.Linspace(0, 1, 0)}),
        SweepError,
        ("Linspace", "positive integer", "0"),
    )
)
_add(
    Case(
        "sweep-grid-value-given-twice",
        lambda tmp: _sweep(grid={"v": [0.5, 1.0, 0.5]}),
        SweepError,
        ("'v'", "0.5", "more than once"),
        argv=_sweep_argv("--vary", "v=0.5,1,0.5"),
    )
)
_add(
    Case(
        "sweep-linspace-one-value-two-ends",
        lambda tmp: _sweep(grid={"v": dt.Linspace(0, 1, 1)}),
        SweepError,
        ("'v'", "Linspace(0, 1, 1)", "one value", "n >= 2"),
        argv=_sweep_argv("--vary", "v=0:1:1"),
        cli_needles=("v=0:1:1", "one value", "v=0", "at least 2"),
    )
)
_add(
    Case(
        "sweep-linspace-below-float-resolution",
        lambda tmp: _sweep(grid={"v": dt.Linspace(1, 1 + 4e-16, 5)}),
        SweepError,
        ("'v'", "repeats values", "resolution"),
        argv=_sweep_argv("--vary", "v=1:1.0000000000000004:5"),
    )
)
_add(
    Case(
        "sweep-linspace-infinite-end",
        lambda tmp: _sweep(grid={"v": dt.Linspace(0, math.inf, 3)}),
        SweepError,
        ("Linspace", "hi=inf"),
    )
)
_add(
    Case(
        "sweep-out-empty",
        lambda tmp: _sweep(grid={"v": [0.1]}, out=""),
        SweepError,
        ("out= is empty",),
        argv=_sweep_argv("--vary", "v=0:1:3", out=""),
        cli_needles=("--out is empty",),
    )
)
_add(
    Case(
        "sweep-out-below-a-file",
        lambda tmp: _sweep(grid={"v": [0.1]}, out=_below_a_file(tmp)),
        SweepError,
        ("afile", "exists and is not a folder"),
        argv=lambda tmp: _sweep_argv("--vary", "v=0:1:3", out=_below_a_file(tmp))(tmp),
    )
)
_add(
    Case(
        "sweep-out-in-proc",
        lambda tmp: _sweep(grid={"v": [0.1]}, out="/proc/self/x"),
        SweepError,
        ("/proc/self/x", "cannot create"),
        argv=_sweep_argv("--vary", "v=0:1:3", out="/proc/self/x"),
    )
)
_add(
    Case(
        "sweep-out-map-is-a-symlink",
        lambda tmp: _sweep(grid={"v": [0.1]}, out=_folder_with(tmp, "regime_map.png", link=True)),
        SweepError,
        ("regime_map.png is a symbolic link",),
        argv=lambda tmp: _sweep_argv(
            "--vary", "v=0:1:3", out=str(_folder_with(tmp, "regime_map.png", link=True))
        )(tmp),
    )
)
_add(
    Case(
        "sweep-out-chunks-is-a-symlink",
        lambda tmp: _sweep(grid={"v": [0.1]}, out=_folder_with(tmp, "chunks", link=True)),
        SweepError,
        ("chunks is a symbolic link",),
    )
)
_add(
    Case(
        "sweep-out-manifest-holds-a-list",
        lambda tmp: _sweep(grid={"v": [0.1]}, out=_folder_with(tmp, "manifest.json", "[]")),
        SweepError,
        ("other than a deterrence sweep", "overwrite=True"),
        argv=lambda tmp: _sweep_argv("--vary", "v=0:1:3", out=str(_folder_with(tmp, "manifest.json", "[]")))(
            tmp
        ),
    )
)
_add(
    Case(
        "sweep-out-manifest-chunks-malformed",
        lambda tmp: _sweep(
            grid={"v": [0.1]},
            out=_folder_with(
                tmp,
                "manifest.json",
                json.dumps({"format": "deterrence-sweep/1", "chunks": {"records": [{"x": 1}]}}),
            ),
        ),
        SweepError,
        ("malformed", "overwrite=True"),
    )
)
_add(
    Case(
        "sweep-scheduler-not-a-url",
        lambda tmp: _sweep(grid={"v": [0.1]}, backend="dask", scheduler="not a url"),
        SweepError,
        ("'not a url'", "not a Dask scheduler address"),
        argv=_sweep_argv("--vary", "v=0:1:3", "--backend", "dask", "--scheduler", "not a url"),
    )
)
_add(
    Case(
        "sweep-scheduler-an-int",
        lambda tmp: _sweep(grid={"v": [0.1]}, backend="dask", scheduler=5),
        SweepError,
        ("scheduler=", "not int"),
    )
)
_add(
    Case(
        "sweep-overwrite-not-a-bool",
        lambda tmp: _sweep(grid={"v": [0.1]}, overwrite="yes"),
        SweepError,
        ("overwrite", "'yes'"),
    )
)
_add(
    Case(
        "sweep-max-points-zero",
        lambda tmp: _sweep(grid={"v": [0.1]}, max_points=0),
        SweepError,
        ("max_points", "0"),
    )
)
_add(
    Case(
        "sweep-log-not-callable",
        lambda tmp: _sweep(grid={"v": [0.1]}, log="stderr"),
        SweepError,
        ("log", "str"),
    )
)
_add(
    Case(
        "sweep-cli-unknown-indicator",
        lambda tmp: _sweep(grid={"v": [0.1]}).plot("v", "c", indicator="nope"),
        SweepError,
        ("'nope'",),
        argv=_sweep_argv("--vary", "v=0:1:3", "--indicator", "nope"),
    )
)
_add(
    Case(
        "sweep-cli-map-axis-not-varied",
        lambda tmp: _sweep(grid={"v": [0.1, 0.2]}).plot("v", "zz"),
        SweepError,
        ("'zz'",),
        argv=_sweep_argv("--vary", "v=0:1:3", "--x", "zz"),
        cli_needles=("--x 'zz'", "not a parameter"),
    )
)
_add(
    Case(
        "regimes-threshold-unknown",
        lambda tmp: dt.numeric_threshold(TINY, "nope"),
        ParameterError,
        ("'nope'",),
        argv=lambda tmp: ["regimes", TINY, "--threshold", "nope"],
        cli_needles=("--threshold 'nope'", "not a parameter"),
    )
)
_add(
    Case(
        "regimes-scan-grid-beyond-limit",
        lambda tmp: dt.numeric_threshold(TINY, "r", "pbe", "d1", grid=10**8),
        ResourceError,
        ("100,000,000 scan points",),
        argv=lambda tmp: [
            "regimes",
            TINY,
            "--belief-policy",
            "d1",
            "--threshold",
            "r",
            "--grid",
            "100000000",
        ],
    )
)
_add(
    Case(
        "regimes-scan-tol-wider-than-the-interval",
        lambda tmp: dt.numeric_threshold(TINY, "r", grid=5, tol=5.0),
        ParameterError,
        ("tol=5", "half the scan interval"),
    )
)
_add(
    Case(
        "regimes-scan-tol-nan",
        lambda tmp: dt.numeric_threshold(TINY, "r", grid=5, tol=math.nan),
        ParameterError,
        ("tol",),
        argv=lambda tmp: ["regimes", TINY, "--tol", "nan"],
    )
)


def _result() -> Any:
    return _sweep(grid={"v": [0.5, 1.5], "r": [0.2, 0.9]})


_add(
    Case(
        "sweep-plot-at-not-a-number",
        lambda tmp: _result().plot("v", "r", at={"c": "abc"}),
        SweepError,
        ("at=", "'abc'", "finite number"),
    )
)
_add(
    Case(
        "sweep-plot-path-a-folder",
        lambda tmp: _result().plot("v", "r", path=tmp),
        SweepError,
        ("path=", "picture file"),
    )
)
_add(
    Case(
        "sweep-plot-path-unknown-format",
        lambda tmp: _result().plot("v", "r", path=tmp / "map.zzz"),
        SweepError,
        ("map.zzz", ".png"),
    )
)
_add(
    Case(
        "sweep-plot-path-folder-missing",
        lambda tmp: _result().plot("v", "r", path=tmp / "no" / "map.png"),
        SweepError,
        ("does not exist",),
    )
)
_add(
    Case(
        "sweep-lines-100000-values",
        lambda tmp: _result().plot_lines("v", by="r", values=range(10**5)),
        SweepError,
        ("values=", "100,000 values"),
    )
)
_add(
    Case(
        "sweep-partial-dependence-zero-bins",
        lambda tmp: _result().partial_dependence("p_attack", "v", bins=0),
        SweepError,
        ("bins", "0"),
    )
)
_add(Case("sweep-load-none", lambda tmp: dt.SweepResult.load(None), SweepError, ("folder=", "NoneType")))
_add(Case("sweep-load-empty-path", lambda tmp: dt.SweepResult.load(""), SweepError, ("folder= is empty",)))
_add(
    Case(
        "sweep-chunks-beyond-memory",
        lambda tmp: _sweep(grid={"v": dt.Linspace(0, 3, 10**9)}, out=tmp / "o", chunk_size=10**9),
        ResourceError,
        ("chunks of 1,000,000,000 points", "GB in memory"),
        argv=_sweep_argv("--vary", "v=0:3:1000000000", "--chunk-size", "1000000000"),
    )
)
_add(
    Case(
        "sweep-out-holds-someone-elses-table",
        lambda tmp: _sweep(grid={"v": [0.1]}, out=_folder_with(tmp, "table.csv", "precious")),
        SweepError,
        ("table.csv", "no sweep's manifest", "overwrite=True"),
        argv=lambda tmp: _sweep_argv("--vary", "v=0:1:3", out=str(_folder_with(tmp, "table.csv", "mine")))(
            tmp
        ),
    )
)
# ------------------------------------------------------------------- limits, edges, messages (issue 20)
# Inputs that used to run until killed, fill the memory, leak a traceback or print a poor
# message. The hang-prone ones also run in real subprocesses (HANG_IDS below).
_TINY_TEXT = Path(TINY).read_text(encoding="utf-8")


def _derived_chain(levels: int) -> str:
    """BASE with derived quantities that each use the previous one twice (size doubles per level)."""
    chain = ['p0 = "(v+c)*(v-c)"'] + [f'p{i} = "(p{i - 1}+c)*(p{i - 1}-c)"' for i in range(1, levels)]
    return edit('net = "v - c"', 'net = "v - c"\n' + "\n".join(chain)).replace(
        WAR_W, f'payoffs = {{ A = "p{levels - 1}", B = "-c" }}'
    )


payoff_case(  # sympy's exact evaluation of this ran until killed; exact=False refused it at once
    "payoff-exp-tower", '"exp(exp(exp(exp(exp(v)))))"', ["'war_w'", "not a finite number"],
    error=ModelError, values={"v": 1.2},
)
payoff_case(  # (v**10000)**10000 is v**100000000: exactly, a rational of 2.4e9 bits
    "payoff-power-tower", '"(v**10000)**10000"', ["'war_w'", "not a finite number"],
    error=ModelError, values={"v": 1.2345},
)
_t = _derived_chain(26)
model_case(  # loading took 4 s at 18 levels, 37 s at 22, over 120 s at 26
    "derived-chain-doubling", _t, ["derived quantities", "limit of 20,000"], error=ResourceError,
)
expr_case("expr-max-of-exp-tower", "max(exp(exp(exp(exp(exp(1))))), 2)", ["too large"])  # sympy compared them
expr_case("expr-abs-of-exp-tower", "abs(exp(exp(exp(exp(exp(1))))) - 3)", ["too large"])
expr_case("expr-exp-of-log-power", "exp(log(2)*10**8)", ["too large"])  # sympy made it 2**100000000
expr_case("expr-integer-too-long-to-print", "3**9999", ["too large"])  # 4771 digits: str() raised
model_case(
    "baseline-pin-uses-itself",
    edit("parameters = { q = 0 }", 'parameters = { q = "q / 2" }'),
    ["'q'", "itself"],
    key="baseline.parameters.q",
)
model_case(
    "baseline-pins-in-a-cycle",
    edit("parameters = { q = 0 }", 'parameters = { q = "c", c = "q" }'),
    ["cycle", "'q' -> 'c' -> 'q'"],
    key="baseline.parameters.q",
)
model_case(  # exact probabilities off by 1e-15 were reported as "sum to 1, not 1"
    "probs-sum-to-one-plus-1e-15",
    edit(PROBS, 'probs = { tough = "q", weak = "1 - q + 1/10**15" }'),
    ["'nature'", "sum to 1 + 1e-15, not 1"],
    key="nodes.nature.probs",
    line=L_PROBS,
    values={},
)
model_case(  # an escape sequence in a name must reach the terminal as text (the CLI line is printable)
    "player-name-with-escape-sequence",
    edit('player = "B"\nactions = { fight = "war_w"', 'player = "\\u001b[31mX"\nactions = { fight = "war_w"'),
    ["'b_w'", "player"],
    key="nodes.b_w.player",
)
for _cid, _name, _text, _needles in (
    # allocated 10**9 strategy labels
    ("nfg-billion-strategies", "big.nfg", 'NFG 1 R "x" { "A" "B" } { 1000000000 2 }\n1 2\n',
     ("1,000,000,000", "too large")),
    # a ValueError traceback (numpy's 64 dimensions)
    ("nfg-200000-players", "many.nfg",
     'NFG 1 R "x" { ' + " ".join(f'"p{k}"' for k in range(200_000)) + " } { " + "1 " * 200_000 + "}\n",
     ("200,000 players", "at most 32")),
):
    _add(Case(_cid, lambda tmp, _n=_name, _t=_text: dt.read_game(_write(tmp, _n, _t)), ResourceError,
              (_name, *_needles), argv=lambda tmp, _n=_name, _t=_text: ["solve", str(_write(tmp, _n, _t))]))
_add(Case("nf-40-players", lambda tmp: dt.NormalFormGame([np.zeros((1,) * 40)] * 40), ResourceError,
          ("40 players",)))


def _special(kind: str, suffix: str) -> Callable[[Path], Path]:
    """A path to a FIFO, or a symbolic link to /dev/zero, named like a game or model file."""

    def make(tmp: Path) -> Path:
        path = tmp / f"{kind}{suffix}"
        if not path.exists() and not path.is_symlink():
            if kind == "fifo":
                os.mkfifo(path)
            else:
                os.symlink("/dev/zero", path)
        return path

    return make


_SPECIAL_OK = hasattr(os, "mkfifo") and Path("/dev/zero").exists()
for _kind, _what in (("fifo", "FIFO"), ("zero", "character device")):
    if not _SPECIAL_OK:
        break
    for _suffix, _error, _read in ((".efg", FormatError, dt.read_game), (".toml", ModelError, dt.load_model)):
        _make = _special(_kind, _suffix)
        _add(Case(  # read forever (a FIFO waits for a writer, /dev/zero never ends)
            f"{'game' if _suffix == '.efg' else 'model'}-file-{_kind}",
            lambda tmp, _make=_make, _read=_read: _read(_make(tmp)),
            _error,
            (_kind + _suffix, _what, "not a regular file"),
            argv=lambda tmp, _make=_make: ["solve", str(_make(tmp))],
        ))


def _huge_model(tmp: Path) -> Path:
    path = tmp / "huge.toml"
    with open(path, "wb") as fh:  # a sparse file: large, but nothing is written
        fh.truncate(9_000_000)
    return path


_add(Case("model-file-too-large", lambda tmp: dt.load_model(_huge_model(tmp)), ResourceError,
          ("huge.toml", "9 MB", "limit"), argv=lambda tmp: ["show", str(_huge_model(tmp))]))


def _tied_chain(levels: int) -> dt.ExtensiveFormGame:
    """A chain of decisions whose every payoff is 0: 2**levels pure SPE."""
    node: Any = terminal([0, 0])
    for k in reversed(range(levels)):
        node = decision("AB"[k % 2], {"stop": terminal([0, 0]), "go": node}, infoset=f"i{k}")
    return dt.ExtensiveFormGame(node, players=["A", "B"])


solve_case(  # 76 s at 500 levels, past 300 s at 2,000, no ResourceError (300 levels: 2**300 SPE)
    "spe-tied-chain-too-many-to-report",
    lambda: solve(_tied_chain(300), concept="spe"),
    ResourceError,
    ["1,000 subgame-perfect equilibria", "max_equilibria"],
)


def _forgetful() -> dt.ExtensiveFormGame:
    """Player A forgets its first move at information set I2."""

    def after(first: str) -> Any:
        pays = ([1, 0], [0, 1]) if first == "l" else ([0, 1], [1, 0])
        again = decision("A", {"u": terminal(pays[0]), "d": terminal(pays[1])}, infoset="I2")
        return decision("B", {"x": again, "y": terminal([0, 0])}, infoset="J")

    root = decision("A", {"l": after("l"), "r": after("r")}, infoset="I1")
    return dt.ExtensiveFormGame(root, players=["A", "B"])


# (nash on this tree: agent-form answers since issue 14; spe and pbe still need perfect recall)
solve_case("solve-imperfect-recall-names-the-set", lambda: solve(_forgetful(), concept="spe"),
           UnsupportedError, ["perfect recall", "information set 'I2'"])
solve_case("solve-pbe-imperfect-recall-names-the-set", lambda: solve(_forgetful(), concept="pbe"),
           UnsupportedError, ["information set 'I2'"])
_add(Case(  # isdigit() accepted '²'
    "option-superscript-digit", lambda tmp: solve(_tree(), concept="pbe", max_mixed_sets="²"), ParameterError,
    ("max_mixed_sets",),
    argv=lambda tmp: ["solve", "extended_deterrence", "--concept", "pbe", "--option", "max_mixed_sets=²"],
    cli_needles=("max_mixed_sets", "'²'"),
))
param_case(  # the CLI had no way to say check_orderings=False
    "param-violates-ordering-cli-flag", {"p_alone": 0.9}, ["check_orderings=False"], None,
    cli=["--set", "p_alone=0.9"], cli_needles=["--no-check-orderings"],
)
for _verb in ("show", "regimes"):  # reported a TOML syntax error
    _add(Case(
        f"{_verb}-gambit-game-file",
        lambda tmp: dt.load_model(_write(tmp, "pd.nfg", NFG)),
        ModelError,
        ("pd.nfg", "Gambit game file", "deterrence solve"),
        argv=lambda tmp, _verb=_verb: [_verb, str(_write(tmp, "pd.nfg", NFG))],
    ))
_add(Case(
    "sweep-gambit-game-file",
    lambda tmp: dt.sweep(_write(tmp, "pd.nfg", NFG), grid={"v": [0.1]}, progress=False),
    ModelError,
    ("pd.nfg", "Gambit game file"),
    argv=lambda tmp: ["sweep", str(_write(tmp, "pd.nfg", NFG)), "--vary", "v=0:1:2", "--out", str(tmp / "o"),
                      "--no-progress"],
))

# the fresh red-team pass (issue 20): new inputs of the same kinds
_a = "".join(f"[parameters.a{i}]\ndefault = 0.5\ndomain = [0, 1]\n\n" for i in range(30))
_pins = ", ".join(f'a{i} = "(a{i + 1} + a{i + 1})*a{i + 1}"' for i in range(29))
_t = BASE.replace("[parameters.q]", _a + "[parameters.q]").replace(
    "parameters = { q = 0 }", f"parameters = {{ q = 0, {_pins} }}"
)
model_case(  # pins that square each other: sympy computed 2**(2**29) while substituting
    "baseline-pins-square-each-other", _t, ["pinned parameters", "bits"], error=ResourceError,
)
_t = edit("parameters = { q = 0 }", 'parameters = { q = 0, v = "3**8000*c" }')
_t = _t.replace(WAR_W, 'payoffs = { A = "v**10000", B = "-c" }')
model_case(  # a pinned coefficient raised to a power: 3**80000000
    "baseline-pin-raised-to-a-power", _t, ["pinned parameters", "bits"], error=ResourceError,
)
model_case("toml-nested-5000-deep", "a = " + "[" * 5000 + "]" * 5000 + "\n", ["nested too deeply"])
_extra = '\n[[nodes]]\nid = "x{k}"\noutcome = "war"\npayoffs = {{ A = 0, B = 0 }}\n'
_t = BASE + "".join(_extra.format(k=k) for k in range(10_000))
model_case("model-10011-nodes", _t, ["10,011 nodes", "limit of 10,000"], error=ResourceError)
_add(Case("model-path-with-nul", lambda tmp: dt.load_model(f"{tmp}/a\x00b.toml"), ModelError, ("null byte",)))
_add(Case("game-path-with-nul", lambda tmp: dt.read_game(f"{tmp}/a\x00b.efg"), FormatError, ("null byte",)))
_add(Case("read-game-of-an-int", lambda tmp: dt.read_game(5), FormatError, ("takes a path", "int")))
_add(Case("loads-model-of-bytes", lambda tmp: loads_model(b"[model]"), ModelError, ("bytes",)))  # type: ignore[arg-type]
_many = 'EFG 2 R "x" { ' + " ".join(f'"p{i}"' for i in range(100_000)) + ' }\n""\np "" 1 1 "a" { '
_many += " ".join(f'"a{i}"' for i in range(1000)) + " } 0\n" + 't "" 0\n' * 1000
_add(Case(  # 100,000 players x 1,000 terminals: every terminal held a tuple of 100,000 zeros
    "efg-100000-players", lambda tmp: dt.read_game(_many, text=True), ResourceError,
    ("100,000 payoffs each", "too large"),
))


def _uniform(game: Any) -> list[np.ndarray]:
    return [np.full(len(h.actions), 1 / len(h.actions)) for h in game.infosets]


def _nan_beliefs() -> Any:
    tree = _tree()
    return dt.certify(tree, _uniform(tree), concept="pbe", beliefs=[np.full(len(h.nodes), np.nan)
                                                                    for h in tree.infosets])


# certify() on what is not a profile: untyped errors, or a pass
for _cid, _call, _error, _needles in (
    ("certify-strings", lambda: dt.certify(_pd(), [["a", "b"], [1, 0]]), GameError, ("not numbers",)),
    ("certify-none", lambda: dt.certify(_pd(), None), GameError, ("NoneType",)),
    ("certify-lam-text", lambda: dt.certify(_pd(), [[.5, .5]] * 2, concept="qre", lam="x"), GameError,
     ("lam",)),
    ("certify-unknown-concept", lambda: dt.certify(_pd(), [[1, 0], [1, 0]], concept="nah"),
     UnsupportedError, ("'nah'",)),
    ("certify-nan-tol", lambda: dt.certify(_pd(), [[1, 0], [1, 0]], tol=math.nan), SolverError,
     ("tol", "nan")),
    ("certify-exact-yes", lambda: dt.certify(_pd(), [[1, 0], [1, 0]], exact="yes"), SolverError, ("exact",)),
    ("certify-nan-beliefs", _nan_beliefs, GameError, ("not a distribution",)),
    # exact strategies summing to 2 were certified in place of the reported profile (and passed)
    ("certify-exact-strategies-not-a-distribution", lambda: dt.certify(
        _pd(), [[1, 0], [0, 1]], exact=True, exact_strategies=[[1, 1], [0, 1]]), GameError,
     ("exact strategy 1", "probability vector")),
):
    _add(Case(_cid, lambda tmp, _call=_call: _call(), _error, _needles))
param_case(  # silently read as 0
    "param-cli-underflow", {"credibility": "1e-400"}, ["real number"], "credibility",
    cli=["--set", "credibility=1e-400"], cli_needles=["'1e-400'", "too small"],
)

#: the cases that used to run until killed or fill the memory, each run in a real process (no
#: deadline: a regression hangs the test)
HANG_IDS = [
    "payoff-exp-tower",
    "payoff-power-tower",
    "derived-chain-doubling",
    "expr-max-of-exp-tower",
    "nfg-billion-strategies",
    "baseline-pins-square-each-other",
    *([f"{w}-file-{k}" for w in ("game", "model") for k in ("fifo", "zero")] if _SPECIAL_OK else []),
]


# ---------------------------------------------------------------------------- fixed bugs (regression cases)
def _bug(
    cid: str,
    run: Callable[[Path], Any],
    error: type[Exception],
    needles: Sequence[str],
    leaked: str,
    argv: Callable[[Path], list[str]] | None = None,
) -> Any:
    return pytest.param(
        Case(cid, run, error, tuple(needles), {}, argv),
        id=cid,
        # fixed: these were bugs (each leaked ``leaked``); kept as regression cases
    )


def _load_text(text: str) -> Callable[[Path], Any]:
    return lambda tmp: dt.load_model(_write(tmp, "bad.toml", text))


KNOWN_BUGS = [
    # deterrence/catalogue.py _parse_domain: float(raw[1]) overflows
    _bug(
        "domain-huge-integer",
        _load_text(edit("domain = [0, 10]", f"domain = [0, {HUGE}]")),
        ModelError,
        ["bad.toml", "domain"],
        "OverflowError (catalogue.py _parse_domain)",
    ),
    # tomllib raises ValueError (not TOMLDecodeError) for an integer of more than 4300 digits
    _bug(
        "toml-integer-5000-digits",
        _load_text(edit("default = 1.0", "default = " + "9" * 5000)),
        ModelError,
        ["bad.toml"],
        "ValueError from tomllib (catalogue.py catches only TOMLDecodeError)",
    ),
    # deterrence/model.py Model.evaluate: lambdified code multiplies a numpy array by a 400-digit int
    _bug(
        "evaluate-constant-beyond-float",
        lambda tmp: dt.load_model(
            _write(tmp, "bad.toml", edit(WAR_W, 'payoffs = { A = "c*10**400", B = "-c" }'))
        ).evaluate({"c": np.array([0.1, 0.2])}),
        ModelError,
        ["war_w"],
        "OverflowError (model.py evaluate)",
    ),
    # deterrence/model.py Parameter.check formats a >4300-digit int into its message
    _bug(
        "param-10**5000",
        lambda tmp: dt.load_model("extended_deterrence").game(stakes=10**5000),
        ParameterError,
        ["'stakes'"],
        "ValueError (int to str limit in the message)",
    ),
    # deterrence/game/normal.py: np.asarray on ragged input, complex accepted, non-iterable input, huge ints
    _bug(
        "nf-ragged-payoffs",
        lambda tmp: dt.NormalFormGame([[[1, 2], [3]], [[1, 2], [3, 4]]]),
        GameError,
        ["player 1"],
        "numpy ValueError (normal.py)",
    ),
    _bug(
        "nf-complex-payoffs",
        lambda tmp: dt.NormalFormGame([A2 * 1j, A2]),
        GameError,
        ["player 1"],
        "nothing: complex payoffs are silently cast to real (normal.py)",
    ),
    _bug(
        "nf-payoffs-not-iterable", lambda tmp: dt.NormalFormGame(5), GameError, ["5"], "TypeError (normal.py)"
    ),
    _bug(
        "nf-huge-integer-payoff",
        lambda tmp: dt.NormalFormGame([[[10**400, 0], [0, 1]], A2]),
        GameError,
        ["player 1"],
        "OverflowError (normal.py)",
    ),
    # deterrence/game/extensive.py _finish: float() of a huge int
    _bug(
        "ef-huge-integer-payoff",
        lambda tmp: dt.ExtensiveFormGame(
            decision("A", {"x": terminal({"A": 10**400}), "y": terminal({"A": 0})})
        ),
        GameError,
        ["'x'"],
        "OverflowError (extensive.py)",
    ),
    # out= naming an existing file: refused by deterrence/sweeps/_storage.py check_out (with every folder
    # above it, and "" and symbolic links where a sweep writes: the sweep-out-* cases above)
    _bug(
        "sweep-out-is-a-file",
        lambda tmp: _sweep(grid={"v": [0.1]}, out=_write(tmp, "taken.txt", "x")),
        SweepError,
        ["taken.txt"],
        "NotADirectoryError (sweeping.py mkdir)",
    ),
    # deterrence/solving.py: tol compared before its type is checked
    _bug(
        "solve-string-tol",
        lambda tmp: solve(_pd(), tol="small"),
        SolverError,
        ["tol", "'small'"],
        "TypeError (solving.py)",
    ),
]


# ---------------------------------------------------------------------------- the API tests
def _check(case: Case, exc: BaseException) -> None:
    assert isinstance(exc, DeterrenceError), f"{case.id}: untyped {type(exc).__name__}: {exc}"
    message = str(exc)
    for needle in case.needles:
        assert needle in message, f"{case.id}: {needle!r} not named in {message!r}"
    for name, want in case.attrs.items():
        assert getattr(exc, name) == want, f"{case.id}: {name}={getattr(exc, name)!r}, expected {want!r}"
    if isinstance(exc, ModelError) and any(n.endswith(".toml") for n in case.needles):
        assert exc.file is not None and exc.file.endswith(".toml"), case.id


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES] + KNOWN_BUGS)
def test_bad_input_raises_typed_error_naming_the_culprit(case: Case, tmp_path: Path) -> None:
    with pytest.raises(case.error) as info:
        case.run(tmp_path)
    _check(case, info.value)


def test_catalogue_size() -> None:
    """The issue asks for at least 60 distinct malformed inputs (we have many more)."""
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)


def test_valid_bases_are_valid(tmp_path: Path) -> None:
    """Every case is one edit away from these valid inputs, so the edit is the culprit."""
    m = dt.load_model(_write(tmp_path, "base.toml", BASE))
    assert m.game().num_players == 2 and m.game(q=0.7).num_players == 2
    assert dt.read_game(_write(tmp_path, "pd.nfg", NFG)).shape == (2, 2)
    assert len(dt.read_game(_write(tmp_path, "t.efg", EFG)).terminals) == 3
    assert len(solve(_pd())) == 1
    assert len(_sweep(grid={"v": [0.1, 0.5]}).table) >= 2


# ---------------------------------------------------------------------------- the command line
CLI_CASES = [c for c in CASES if c.argv is not None]


def _check_cli(case: Case, code: int, stderr: str) -> None:
    lines = stderr.strip("\n").splitlines()
    assert code == 2, f"{case.id}: exit status {code}, stderr {stderr!r}"
    assert len(lines) == 1, f"{case.id}: expected one line on stderr, got {stderr!r}"
    line = lines[0]
    assert line.startswith("deterrence: error: "), line
    assert "Traceback" not in stderr
    assert line.isprintable(), line
    needles = case.cli_needles if case.cli_needles is not None else case.needles
    for needle in needles:
        assert needle in line, f"{case.id}: {needle!r} not named in {line!r}"


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CLI_CASES])
def test_cli_in_process_one_line_status_2(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = case.argv(tmp_path)  # type: ignore[misc]
    try:
        code = cli_main(argv)
    except SystemExit as exc:  # argparse-level errors
        code = int(exc.code or 0)
    _check_cli(case, code, capsys.readouterr().err)


# A representative subset through a real `python -m deterrence` process (run concurrently).
SUBPROCESS_IDS = [
    # model files
    "toml-unterminated-string",
    "default-is-a-string",
    "cycle",
    "child-does-not-exist",
    "unreachable-node",
    "duplicate-node-id",
    "expr-attribute-access",
    "expr-100k-characters",
    "expr-1000-parentheses",
    "probs-sum-to-one-only-at-q-half",
    # parameter values
    "param-above-domain",
    "param-nan",
    "param-unknown-name",
    # Gambit files
    "nfg-truncated",
    "efg-non-numeric-payoff",
    "gambit-missing-file",
    # solve options
    "solve-unknown-method",
    "solve-spe-on-normal-form",
    # sweep specifications
    "sweep-zero-steps",
    "sweep-unknown-parameter",
    "sweep-grid-beyond-numbering",
    "sweep-out-below-a-file",
    "sweep-out-map-is-a-symlink",
    "regimes-scan-grid-beyond-limit",
]


def _run_cli(argv: list[str], debug: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "deterrence", *argv, *(["--debug"] if debug else [])]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(ROOT))


@pytest.fixture(scope="module")
def subprocess_results(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    by_id = {c.id: c for c in CLI_CASES}
    jobs = {}
    for cid in SUBPROCESS_IDS:
        jobs[cid] = by_id[cid].argv(tmp_path_factory.mktemp("cli"))  # type: ignore[misc]
    debug_argv = by_id["param-above-domain"].argv(tmp_path_factory.mktemp("cli"))  # type: ignore[misc]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {cid: pool.submit(_run_cli, argv) for cid, argv in jobs.items()}
        futures["--debug"] = pool.submit(_run_cli, debug_argv, True)
        return {cid: f.result() for cid, f in futures.items()}


def test_subprocess_subset_is_large_enough() -> None:
    assert len(SUBPROCESS_IDS) >= 20 and set(SUBPROCESS_IDS) <= {c.id for c in CLI_CASES}


@pytest.mark.parametrize("cid", SUBPROCESS_IDS)
def test_cli_subprocess_one_line_status_2(cid: str, subprocess_results: dict[str, Any]) -> None:
    case = next(c for c in CLI_CASES if c.id == cid)
    proc = subprocess_results[cid]
    _check_cli(case, proc.returncode, proc.stderr)


@pytest.fixture(scope="module")
def hang_results(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    by_id = {c.id: c for c in CLI_CASES}
    jobs = {cid: by_id[cid].argv(tmp_path_factory.mktemp("hang")) for cid in HANG_IDS}  # type: ignore[misc]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {cid: pool.submit(_run_cli, argv) for cid, argv in jobs.items()}
        return {cid: f.result() for cid, f in futures.items()}


@pytest.mark.parametrize("cid", HANG_IDS)
def test_cli_subprocess_no_hang(cid: str, hang_results: dict[str, Any]) -> None:
    """Inputs that used to run until killed now end, in a real process, with the one-line error."""
    proc = hang_results[cid]
    _check_cli(next(c for c in CLI_CASES if c.id == cid), proc.returncode, proc.stderr)


def test_cli_debug_shows_the_traceback(subprocess_results: dict[str, Any]) -> None:
    proc = subprocess_results["--debug"]
    assert proc.returncode == 2
    assert "Traceback (most recent call last)" in proc.stderr
    assert "ParameterError" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("deterrence: error: ")


# ---------------------------------------------------------------------------- nothing is executed
_FORBIDDEN_EVENTS = (
    "os.system",
    "subprocess.Popen",
    "os.posix_spawn",
    "os.exec",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "pty.spawn",
    "builtins.breakpoint",
    "ctypes.dlopen",
    "socket.connect",
)
_WATCH: dict[str, Any] = {"on": False, "marker": "", "seen": []}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _WATCH["on"]:
        return
    if event.startswith(_FORBIDDEN_EVENTS):
        _WATCH["seen"].append((event, repr(args)[:200]))
    elif event in ("open", "os.mkdir", "os.rename", "os.remove", "os.chmod", "shutil.copyfile") and args:
        if _WATCH["marker"] and _WATCH["marker"] in str(args[0]):
            _WATCH["seen"].append((event, repr(args)[:200]))


_HOOKED: list[bool] = []


def _install_audit_hook() -> None:
    if not _HOOKED:  # audit hooks cannot be removed: install once, switch on and off
        sys.addaudithook(_audit)
        _HOOKED.append(True)


def _payloads(marker: Path) -> list[str]:
    x = str(marker)
    return [
        f"__import__('os').system('touch {x}')",
        f"open('{x}', 'w')",
        "[c for c in ().__class__.__bases__[0].__subclasses__() if c.__name__ == 'Popen'][0]"
        f"(['touch', '{x}'])",
        "().__class__.__bases__[0].__subclasses__()",
        f"f\"{{open('{x}', 'w')}}\"",
        f"(lambda: open('{x}', 'w'))()",
        f"(fh := open('{x}', 'w'))",
        f"exec(\"open('{x}', 'w')\")",
        f"eval(\"open('{x}', 'w')\")",
        f"getattr(__builtins__, 'open')('{x}', 'w')",
        f"__import__('pathlib').Path('{x}').touch()",
        f"__import__('subprocess').run(['touch', '{x}'])",
        f"compile(\"open('{x}','w')\", 'f', 'exec')",
        "{0.__init__.__globals__}",
        "c.__class__.__mro__[-1].__subclasses__()",
        f"Symbol('x').__class__.__init__.__globals__['__builtins__']['open']('{x}', 'w')",
        "breakpoint()",
    ]


def _placements(payload: str) -> dict[str, tuple[str, bool]]:
    """Model texts with ``payload`` in every place a string can go -> (text, expression place?)."""
    p = toml_str(payload)
    bare_key = toml_str(payload)  # as a quoted TOML key
    return {
        "payoff": (edit(WAR_W, f'payoffs = {{ A = {p}, B = "-c" }}'), True),
        "probability": (edit(PROBS, f'probs = {{ tough = {p}, weak = "1 - q" }}'), True),
        "ordering-left": (edit(_ORD, f"orderings = [{toml_str(payload + ' > 0')}]"), True),
        "ordering-table": (edit(_ORD, f"orderings = [{{ condition = {toml_str('c > ' + payload)} }}]"), True),
        "derived": (edit('net = "v - c"', f"net = {p}"), True),
        "derived-table": (edit('net = "v - c"', f"net = {{ expr = {p} }}"), True),
        "baseline-pin": (edit("parameters = { q = 0 }", f"parameters = {{ q = {p} }}"), True),
        "parameter-default": (edit("default = 1.0", f"default = {p}"), False),
        "parameter-domain": (edit("domain = [0, 10]", f"domain = {p}"), False),
        "parameter-name": (edit("[parameters.q]", f"[parameters.{bare_key}]"), False),
        "node-id": (edit('id = "cap_w"', f"id = {p}"), False),
        "child-id": (edit(_BW, f'actions = {{ fight = "war_w", yield = {p} }}'), False),
        "player-name": (edit('players = ["A", "B"]', f'players = ["A", {p}]'), False),
        "infoset-name": (BASE.replace('infoset = "a_info"', f"infoset = {p}"), False),
        "outcome-label": (
            edit(
                'outcome = "war"\npayoffs = { A = "-c", B = "-c" }',
                f'outcome = {p}\npayoffs = {{ A = "-c", B = "-c" }}',
            ),
            False,
        ),
        "model-name": (edit('name = "probe"', f"name = {p}"), False),
        "title-and-description": (edit('title = "A probe model"', f"title = {p}\ndescription = {p}"), False),
        "node-note": (edit('id = "cap_w"', f'id = "cap_w"\nnote = {p}'), False),
        "meta": (BASE + f"\n[meta]\npolicy = {p}\n", False),
    }


def _exercise(path: Path) -> None:
    """Everything a user may do with a model file: load, build, evaluate, print, write back."""
    from deterrence.catalogue import dumps_model

    model = dt.load_model(path)
    model.game()
    model.payoff_expressions()
    model.evaluate({"q": np.array([0.25, 0.75])})
    dumps_model(model)
    repr(model)
    model.baseline().game()


def test_nothing_in_a_model_file_is_ever_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    _install_audit_hook()
    tried = 0
    refused_expressions = 0
    for k, payload in enumerate(_payloads(marker)):
        for place, (text, is_expression) in _placements(payload).items():
            path = _write(tmp_path, f"evil_{k}_{place}.toml", text)
            _WATCH.update(on=True, marker="pwned", seen=[])
            try:
                _exercise(path)
            except DeterrenceError as exc:
                if is_expression:
                    assert isinstance(exc, ExpressionError), f"{place}: {type(exc).__name__}: {exc}"
                    refused_expressions += 1
            finally:
                _WATCH["on"] = False
            tried += 1
            assert _WATCH["seen"] == [], f"payload {payload!r} in {place}: {_WATCH['seen']}"
            assert not marker.exists(), f"payload {payload!r} in {place} created {marker}"
    assert tried == len(_payloads(marker)) * len(_placements("x"))
    assert refused_expressions == len(_payloads(marker)) * sum(e for _, e in _placements("x").values())


def test_payloads_through_the_cli_show_and_solve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`deterrence show` prints descriptions and notes: printing them must not run them either."""
    marker = tmp_path / "pwned"
    _install_audit_hook()
    for k, payload in enumerate(_payloads(marker)[:6]):
        for place in ("title-and-description", "payoff", "meta"):
            path = _write(tmp_path, f"cli_{k}_{place}.toml", _placements(payload)[place][0])
            _WATCH.update(on=True, marker="pwned", seen=[])
            try:
                for verb in ("show", "solve"):
                    code = cli_main([verb, str(path)])
                    assert code in (0, 2)
            finally:
                _WATCH["on"] = False
            capsys.readouterr()
            assert _WATCH["seen"] == [] and not marker.exists()


def test_audit_hook_would_see_a_payload_that_runs(tmp_path: Path) -> None:
    """The watcher is not blind: really running one payload is seen (so the test above can fail)."""
    marker = tmp_path / "pwned"
    _install_audit_hook()
    _WATCH.update(on=True, marker="pwned", seen=[])
    try:
        with open(marker, "w"):  # what `open('X', 'w')` in a model file would do if it were executed
            pass
    finally:
        _WATCH["on"] = False
    assert _WATCH["seen"] and _WATCH["seen"][0][0] == "open"
