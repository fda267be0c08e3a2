"""The model catalogue: model files in TOML, read into :class:`~deterrence.model.Model` s.

``list_models()`` names the shipped models; ``load_model(name_or_path)`` reads one. The file
format is documented in ``docs/reference/model-format.md``. Files are read with the standard
library's :mod:`tomllib`; expressions in them go through the allow-list parser of
:mod:`deterrence.expr` and are never executed. Every error names the file, the key and the
line (tomllib reports no lines for keys, so lines are found by searching the text).

Shipped models live in the checkout's top-level ``models/`` folder; an installed wheel
carries them as ``deterrence/_models`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import bisect
import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from .._textfile import check_no_null_byte, read_bytes
from ..errors import ModelError, ParameterError, ResourceError, close_match_hint
from ..model import Baseline, Derived, Model, ModelSpec, NodeSpec, Ordering, Parameter, Reference
from ..model._specs import parameter_name_problem

__all__ = ["dumps_model", "list_models", "load_model", "loads_model", "models_dir"]

#: the largest model file read (the catalogue's largest is about 50 kB)
MAX_MODEL_BYTES = 8_000_000
#: the most nodes a model file may declare (the catalogue's largest model has 99)
MAX_MODEL_NODES = 10_000

_TOP_KEYS = ("model", "parameters", "derived", "nodes", "baseline", "meta")
_MODEL_KEYS = (
    "name",
    "title",
    "description",
    "players",
    "concepts",
    "status",
    "root",
    "orderings",
    "entrapment",
    "references",
    "claims",
)
_PARAM_KEYS = ("default", "domain", "description", "symbol")
_NODE_KEYS = ("id", "kind", "player", "infoset", "actions", "probs", "payoffs", "outcome", "note")
_BASELINE_KEYS = ("description", "parameters", "outcomes", "nodes")
_REFERENCE_KEYS = ("citation", "key", "url", "doi", "provenance", "note")
_ORDERING_KEYS = ("condition", "note", "provenance")
_DERIVED_KEYS = ("expr", "description")

# a quoted key may hold any letter (``[parameters."é"]``): ``\w`` is Unicode-aware
_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([\w.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_TOML_LINE_RE = re.compile(r"at line (\d+)")
_INTERVAL_RE = re.compile(r"^\s*([\[(])\s*([^,]+?)\s*,\s*([^,]+?)\s*([\])])\s*$")


# ---------------------------------------------------------------------------------- locations
class _Lines:
    """Best-effort line numbers for keys of a TOML text (1-based)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str, bool]] = []  # (line, dotted name, is array-of-tables)
        # indexed, so that a file of thousands of tables is located in linear time
        self._by_name: dict[tuple[str, bool | None], list[int]] = {}
        for i, raw in enumerate(self.lines, start=1):
            m = _HEADER_RE.match(raw)
            if m:
                name = re.sub(r"\s*\.\s*", ".", m.group(2).replace('"', "").replace("'", ""))
                array = m.group(1) == "[["
                self.headers.append((i, name, array))
                self._by_name.setdefault((name, array), []).append(i)
                self._by_name.setdefault((name, None), []).append(i)
        self._header_lines = [ln for ln, _, _ in self.headers]

    def header(self, name: str, index: int = 0, array: bool | None = None) -> int | None:
        found = self._by_name.get((name, array), [])
        return found[index] if index < len(found) else None

    def region(self, start: int) -> tuple[int, int]:
        """Lines from a header (exclusive) to the next header (exclusive)."""
        k = bisect.bisect_right(self._header_lines, start)
        return start, (self._header_lines[k] if k < len(self._header_lines) else len(self.lines) + 1)

    def key(self, key: str, start: int | None, stop: int | None = None) -> int | None:
        """First line in (start, stop) assigning ``key`` (bare or quoted, possibly dotted)."""
        lo = 0 if start is None else start
        hi = stop if stop is not None else (self.region(lo)[1] if start is not None else len(self.lines) + 1)
        pat = re.compile(r"""(^|[\s{,.])["']?""" + re.escape(key) + r"""["']?\s*=""")
        for i in range(lo + 1, min(hi, len(self.lines) + 1)):
            if pat.search(self.lines[i - 1]):
                return i
        return None

    def text(self, needle: str, start: int = 0) -> int | None:
        for i in range(start + 1, len(self.lines) + 1):
            if needle in self.lines[i - 1]:
                return i
        return None


# ---------------------------------------------------------------------------------- reading
@dataclass
class _Reader:
    file: str
    text: str
    lines: _Lines
    keylines: dict[str, int] = field(default_factory=dict)

    def err(self, message: str, key: str | None, line: int | None = None) -> ModelError:
        if line is None and key is not None:
            line = self.keylines.get(key)
        return ModelError(message, file=self.file, key=key, line=line)

    def check_keys(
        self,
        table: Mapping[str, Any],
        allowed: tuple[str, ...],
        where: str,
        line: int | None,
        region: tuple[int, int] | None = None,
    ) -> None:
        for k in table:
            if k not in allowed:
                kl = self.lines.key(k, *region) if region else None
                raise self.err(
                    f"unknown key '{k}' in {where or 'the top level'}; allowed keys: {list(allowed)}",
                    f"{where}.{k}" if where else k,
                    kl or line,
                )

    def want(
        self,
        table: Mapping[str, Any],
        key: str,
        types: type | tuple[type, ...],
        where: str,
        line: int | None,
        *,
        required: bool = False,
        default: Any = None,
        what: str = "",
    ) -> Any:
        if key not in table:
            if required:
                raise self.err(f"missing required key '{key}'", f"{where}.{key}" if where else key, line)
            return default
        value = table[key]
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in _as_tuple(types))
        if not ok:
            raise self.err(
                f"wrong type: '{key}' must be {what or _type_names(types)}, got "
                f"{type(value).__name__} {_short(value)}",
                f"{where}.{key}" if where else key,
                self.keylines.get(f"{where}.{key}", line),
            )
        return value


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _type_names(types: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        list: "an array",
        dict: "a table",
        bool: "true or false",
    }
    return " or ".join(names.get(t, t.__name__) for t in _as_tuple(types))


def _short(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 330:
        return f"an integer with about {int(value.bit_length() * 0.30103)} digits"
    r = repr(value)
    return r if len(r) <= 60 else r[:57] + "..."


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parse_domain(
    rd: _Reader, raw: Any, key: str, line: int | None
) -> tuple[tuple[float, float], bool, bool]:
    if isinstance(raw, list):
        if len(raw) != 2 or not all(_number(x) for x in raw):
            raise rd.err(
                f"wrong type: domain must be [lo, hi] (two numbers; inf allowed) or an interval "
                f'string like "(0, 1]", got {_short(raw)}',
                key,
                line,
            )
        try:
            return (float(raw[0]), float(raw[1])), False, False
        except OverflowError:
            raise rd.err(
                "domain bounds must fit in a float (use inf for an unbounded side)", key, line
            ) from None
    if isinstance(raw, str):
        m = _INTERVAL_RE.match(raw)
        if m:
            try:
                lo, hi = float(m.group(2)), float(m.group(3))
            except ValueError:
                lo = hi = math.nan
            if not (math.isnan(lo) or math.isnan(hi)):
                return (lo, hi), m.group(1) == "(", m.group(4) == ")"
        raise rd.err(f'domain {raw!r} is not an interval like "[0, 1]", "(0, inf)" or "[0, 1)"', key, line)
    raise rd.err(
        f"wrong type: domain must be [lo, hi] or an interval string, got {type(raw).__name__}", key, line
    )


def _labels(rd: _Reader, raw: Any, key: str, line: int | None) -> tuple[str, ...]:
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list) and raw and all(isinstance(x, str) for x in raw):
        return tuple(raw)
    raise rd.err(f"wrong type: outcome must be a label or an array of labels, got {_short(raw)}", key, line)


def _node(rd: _Reader, raw: Any, index: int, where: str) -> NodeSpec:
    """One entry of ``[[nodes]]`` (or ``[[baseline.nodes]]``, ``where``) as a node spec."""
    line = rd.lines.header(where, index, array=True)
    if not isinstance(raw, dict):
        raise rd.err(
            f"wrong type: each entry of '{where}' must be a table, got {type(raw).__name__}",
            f"{where}[{index}]",
            line,
        )
    nid = raw.get("id")
    if line is None and isinstance(nid, str):
        line = rd.lines.text(f'"{nid}"')
    region = rd.lines.region(line) if line is not None and rd.lines.header(where, index, array=True) else None
    section = _Section(raw, line, region, rd.lines)
    label = f"{where}.{nid}" if isinstance(nid, str) else f"{where}[{index}]"
    rd.check_keys(raw, _NODE_KEYS, label, line, region)
    nid = rd.want(raw, "id", str, label, line, required=True)
    lines = {k: section.key_line(k) for k in raw if k != "id"}
    kind = _node_kind(rd, section, nid, label)
    _check_node_keys(rd, section, kind, nid, label)
    _check_node_expressions(rd, section, label, lines)
    kl = section.key_line
    infoset = rd.want(raw, "infoset", str, label, kl("infoset"))
    rd.want(raw, "note", str, label, kl("note"))
    outcome = _labels(rd, raw["outcome"], f"{label}.outcome", kl("outcome")) if "outcome" in raw else ()
    return NodeSpec(
        id=nid,
        kind=kind,
        player=raw.get("player"),
        infoset=infoset,
        actions=dict(raw.get("actions") or {}),
        probs=dict(raw.get("probs") or {}),
        payoffs=dict(raw.get("payoffs") or {}),
        outcome=outcome,
        label=raw.get("note", ""),
        line=line,
        lines={k: v for k, v in lines.items() if v is not None},
    )


def _node_kind(rd: _Reader, section: _Section, nid: str, label: str) -> str:
    """The node's ``kind``, given or told by its keys (``payoffs``/``outcome``, ``probs``, ``player``)."""
    raw = section.table
    kind = rd.want(raw, "kind", str, label, section.key_line("kind"))
    if kind is None:
        if "payoffs" in raw or "outcome" in raw:
            kind = "terminal"
        elif "probs" in raw:
            kind = "chance"
        elif "player" in raw:
            kind = "decision"
        else:
            raise rd.err(
                f"missing key: node '{nid}' needs 'player' (a decision node), 'probs' (a chance node) "
                "or 'payoffs' and 'outcome' (a terminal node), or an explicit 'kind'",
                f"{label}.kind",
                section.line,
            )
    if kind not in ("decision", "chance", "terminal"):
        raise rd.err(
            f"node kind must be 'decision', 'chance' or 'terminal', got {kind!r}",
            f"{label}.kind",
            section.key_line("kind"),
        )
    return kind


def _check_node_keys(rd: _Reader, section: _Section, kind: str, nid: str, label: str) -> None:
    """The keys a node of this kind needs, of the right types."""
    raw, kl = section.table, section.key_line
    if kind == "decision":
        rd.want(raw, "player", str, label, kl("player"), required=True)
    if kind in ("decision", "chance"):
        rd.want(
            raw, "actions", dict, label, kl("actions"), required=True, what='a table {action = "child id"}'
        )
        for a, child in raw["actions"].items():
            if not isinstance(child, str):
                raise rd.err(
                    f"wrong type: action '{a}' must name a child node id (a string), got {_short(child)}",
                    f"{label}.actions.{a}",
                    kl("actions"),
                )
    if kind == "chance":
        rd.want(raw, "probs", dict, label, kl("probs"), required=True, what="a table {action = probability}")
    if kind == "terminal":
        rd.want(raw, "payoffs", dict, label, kl("payoffs"), required=True, what="a table {player = payoff}")
        if "outcome" not in raw:
            raise rd.err(
                f"missing required key 'outcome' (terminal node '{nid}')", f"{label}.outcome", section.line
            )


def _check_node_expressions(
    rd: _Reader, section: _Section, label: str, lines: dict[str, int | None]
) -> None:
    """Every probability and payoff is an expression (text or a number); their lines recorded."""
    raw = section.table
    for k in ("probs", "payoffs"):
        for sub, v in (raw.get(k) or {}).items() if isinstance(raw.get(k), dict) else ():
            lines[f"{k}.{sub}"] = lines.get(k, section.line)
            if isinstance(v, bool) or not isinstance(v, (str, int, float)):
                raise rd.err(
                    f"wrong type: '{k}.{sub}' must be an expression (a string or a number), got "
                    f"{type(v).__name__} {_short(v)}",
                    f"{label}.{k}.{sub}",
                    lines[f"{k}.{sub}"],
                )


def loads_model(text: str, file: str = "<text>") -> Model:
    """Read a model from TOML text.

    Raises
    ------
    ModelError
        For a TOML syntax error (with tomllib's line) or any problem of content, naming the
        file, the key and the line.
    """
    if not isinstance(text, str):
        raise ModelError(f"loads_model() takes the text of a model file (str), got {type(text).__name__}",
                         file=file)
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some editors write
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE_RE.search(str(exc))
        raise ModelError(
            f"TOML syntax error: {exc}", file=file, line=int(m.group(1)) if m else None
        ) from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        raise ModelError(f"TOML value error: {exc}", file=file) from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise ModelError("TOML syntax error: arrays or tables nested too deeply", file=file) from None
    nodes = data.get("nodes")
    if isinstance(nodes, list) and len(nodes) > MAX_MODEL_NODES:
        raise ResourceError(
            f"{file}: the model has {len(nodes):,} nodes, more than the limit of {MAX_MODEL_NODES:,} for a "
            "model file (write a larger tree as a Gambit .efg file, or build it in Python)",
            estimate=float(len(nodes)),
        )
    lines = _Lines(text)
    rd = _Reader(file, text, lines)
    return _build(rd, data)


def _build(rd: _Reader, data: dict[str, Any]) -> Model:
    """The model of a file's TOML data, read section by section (each error located)."""
    rd.check_keys(data, _TOP_KEYS, "", None)
    head = _model_table(rd, data)
    name = rd.want(head.table, "name", str, "model", head.line, required=True)
    players = rd.want(
        head.table, "players", list, "model", head.line, required=True, what="an array of player names"
    )
    if not all(isinstance(p, str) for p in players):
        raise rd.err("wrong type: players must be an array of strings", "model.players")
    concepts = rd.want(
        head.table, "concepts", list, "model", head.line, default=[], what="an array of strings"
    )
    if not all(isinstance(c, str) for c in concepts):
        raise rd.err("wrong type: concepts must be an array of strings", "model.concepts")
    for k in ("title", "description", "status", "root", "entrapment"):
        rd.want(head.table, k, str, "model", head.line)
    refs = _references(rd, head)
    claims = _claims(rd, head)
    params = _parameters(rd, data)
    derived = _derived(rd, data)
    orderings = _orderings(rd, head)
    raw_nodes = rd.want(data, "nodes", list, "", None, required=True, what="an array of tables [[nodes]]")
    nodes = [_node(rd, raw, i, "nodes") for i, raw in enumerate(raw_nodes)]
    baseline = _baseline(rd, data) if "baseline" in data else None
    model = head.table
    return Model(
        ModelSpec(
            name,
            players,
            params,
            nodes,
            root=model.get("root"),
            title=model.get("title", ""),
            description=model.get("description", ""),
            references=refs,
            concepts=concepts,
            status=model.get("status", ""),
            orderings=orderings,
            derived=derived,
            baseline=baseline,
            entrapment=model.get("entrapment", ""),
            claims=claims,
            meta=data.get("meta") or {},
            file=rd.file,
            text=rd.text,
            lines=rd.keylines,
        )
    )


@dataclass(frozen=True)
class _Section:
    """A table of the file: its data, the line of its header, and the lines up to the next header."""

    table: dict[str, Any]
    line: int | None
    region: tuple[int, int] | None
    lines: _Lines

    def key_line(self, key: str) -> int | None:
        """The line of one of the table's keys (its header's line if the key is not found)."""
        return (self.lines.key(key, *self.region) if self.region else None) or self.line


def _model_table(rd: _Reader, data: dict[str, Any]) -> _Section:
    """The ``[model]`` table, its keys checked and their lines recorded."""
    L = rd.lines
    mline = L.header("model", array=False)
    model = rd.want(data, "model", dict, "", 1, required=True, what="a table [model]")
    head = _Section(model, mline, L.region(mline) if mline else None, L)
    for k in _MODEL_KEYS:
        if k in model and head.key_line(k):
            rd.keylines[f"model.{k}"] = head.key_line(k)  # type: ignore[assignment]
    rd.check_keys(model, _MODEL_KEYS, "model", mline, head.region)
    return head


def _references(rd: _Reader, head: _Section) -> list[Reference]:
    L = rd.lines
    refs = []
    entries = rd.want(
        head.table, "references", list, "model", head.line, default=[],
        what="an array of tables [[model.references]]",
    )
    for i, r in enumerate(entries):
        line = L.header("model.references", i, array=True) or head.key_line("references")
        region = L.region(line) if L.header("model.references", i, array=True) else None
        if not isinstance(r, dict):
            raise rd.err("wrong type: each reference must be a table", f"model.references[{i}]", line)
        rd.check_keys(r, _REFERENCE_KEYS, f"model.references[{i}]", line, region)
        for k in _REFERENCE_KEYS:
            rd.want(r, k, str, f"model.references[{i}]", line, required=(k == "citation"))
        refs.append(Reference(**{k: r.get(k, "") for k in _REFERENCE_KEYS}))
    return refs


def _claims(rd: _Reader, head: _Section) -> list[dict[str, Any]]:
    claims = []
    entries = rd.want(
        head.table, "claims", list, "model", head.line, default=[], what="an array of tables [[model.claims]]"
    )
    for i, c in enumerate(entries):
        line = rd.lines.header("model.claims", i, array=True) or head.key_line("claims")
        if not isinstance(c, dict):
            raise rd.err("wrong type: each claim must be a table", f"model.claims[{i}]", line)
        rd.want(c, "text", str, f"model.claims[{i}]", line, required=True)
        claims.append(c)
    return claims


def _parameters(rd: _Reader, data: dict[str, Any]) -> list[Parameter]:
    L = rd.lines
    params: list[Parameter] = []
    ptable = rd.want(data, "parameters", dict, "", None, default={}, what="a table [parameters]")
    pline = L.header("parameters", array=False)
    for pname, spec in ptable.items():
        key = f"parameters.{pname}"
        line = L.header(key, array=False) or L.key(pname, pline) or pline
        section = _Section(spec, line, L.region(line) if L.header(key, array=False) else None, L)
        rd.keylines[key] = line  # type: ignore[assignment]
        params.append(_parameter(rd, pname, key, section))
    return params


def _parameter(rd: _Reader, pname: str, key: str, section: _Section) -> Parameter:
    spec, line, pk = section.table, section.line, section.key_line
    problem = parameter_name_problem(pname)
    if problem:
        raise rd.err(f"'{pname}' cannot name a parameter: {problem}", key, line)
    if not isinstance(spec, dict):
        raise rd.err(
            f"wrong type: parameter '{pname}' must be a table with 'default' (and 'domain', "
            f"'description'), got {type(spec).__name__}",
            key,
            line,
        )
    rd.check_keys(spec, _PARAM_KEYS, key, line, section.region)
    default = rd.want(spec, "default", (int, float), key, pk("default"), required=True, what="a number")
    domain, open_lo, open_hi = ((-math.inf, math.inf), False, False)
    if "domain" in spec:
        domain, open_lo, open_hi = _parse_domain(rd, spec["domain"], f"{key}.domain", pk("domain"))
    desc = rd.want(spec, "description", str, key, pk("description"), default="")
    symbol = rd.want(spec, "symbol", str, key, pk("symbol"), default="")
    try:
        return Parameter(pname, default, domain, desc, symbol, open_lo, open_hi)
    except ParameterError as exc:
        bad_key = "default" if exc.value is not None else "domain"
        raise rd.err(str(exc), f"{key}.{bad_key}", pk(bad_key)) from None


def _derived(rd: _Reader, data: dict[str, Any]) -> list[Derived]:
    L = rd.lines
    derived: list[Derived] = []
    dline = L.header("derived", array=False)
    for dname, spec in rd.want(data, "derived", dict, "", None, default={}, what="a table [derived]").items():
        key = f"derived.{dname}"
        line = L.header(key, array=False) or L.key(dname, dline) or dline
        rd.keylines[key] = line  # type: ignore[assignment]
        if isinstance(spec, dict):
            rd.check_keys(spec, _DERIVED_KEYS, key, line)
            expr = rd.want(spec, "expr", (str, int, float), key, line, required=True, what="an expression")
            desc = rd.want(spec, "description", str, key, line, default="")
        elif isinstance(spec, (str, int, float)) and not isinstance(spec, bool):
            expr, desc = spec, ""
        else:
            raise rd.err(
                f"wrong type: derived quantity '{dname}' must be an expression or a table with "
                f"'expr', got {type(spec).__name__}",
                key,
                line,
            )
        derived.append(Derived(dname, sp.Integer(0), str(expr) if not isinstance(expr, str) else expr, desc))
    return derived


def _orderings(rd: _Reader, head: _Section) -> list[Ordering | str]:
    L, mline, where = rd.lines, head.line, head.key_line("orderings")
    orderings: list[Ordering | str] = []
    entries = rd.want(
        head.table, "orderings", list, "model", mline, default=[], what="an array of conditions"
    )
    for i, o in enumerate(entries):
        key = f"model.orderings[{i}]"
        if isinstance(o, str):
            rd.keylines[key] = L.text(o, mline or 0) or where  # type: ignore[assignment]
            orderings.append(o)
        elif isinstance(o, dict):
            cond = rd.want(o, "condition", str, key, where, required=True)
            rd.check_keys(o, _ORDERING_KEYS, key, where)
            line = L.text(cond, mline or 0) or where
            rd.keylines[key] = line  # type: ignore[assignment]
            orderings.append(Ordering(cond, o.get("note", ""), o.get("provenance", ""), line))  # type: ignore[arg-type]
        else:
            raise rd.err(
                "wrong type: an ordering must be a string or a table with 'condition', got "
                f"{type(o).__name__}",
                key,
                where,
            )
    return orderings


def _baseline(rd: _Reader, data: dict[str, Any]) -> Baseline:
    L = rd.lines
    bline = L.header("baseline", array=False)
    b = rd.want(data, "baseline", dict, "", bline, what="a table [baseline]")
    section = _Section(b, bline, L.region(bline) if bline else None, L)
    rd.check_keys(b, _BASELINE_KEYS, "baseline", bline, section.region)
    desc = rd.want(b, "description", str, "baseline", bline, default="")
    pins = rd.want(b, "parameters", dict, "baseline", bline, default={}, what="a table {parameter = value}")
    for k, v in pins.items():
        rd.keylines[f"baseline.parameters.{k}"] = section.key_line(k)  # type: ignore[assignment]
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise rd.err(
                f"wrong type: baseline value of '{k}' must be a number or an expression, got {_short(v)}",
                f"baseline.parameters.{k}",
            )
    relabel = rd.want(b, "outcomes", dict, "baseline", bline, default={}, what="a table {node id = labels}")
    outcomes = {}
    for k, v in relabel.items():
        kline = section.key_line(k)
        rd.keylines[f"baseline.outcomes.{k}"] = kline  # type: ignore[assignment]
        outcomes[k] = _labels(rd, v, f"baseline.outcomes.{k}", kline)
    entries = rd.want(
        b, "nodes", list, "baseline", bline, default=[], what="an array of tables [[baseline.nodes]]"
    )
    bnodes = [_node(rd, raw, i, "baseline.nodes") for i, raw in enumerate(entries)]
    return Baseline(desc, dict(pins), outcomes, tuple(bnodes), bline)


# ---------------------------------------------------------------------------------- catalogue
def models_dir() -> Path:
    """The folder of shipped model files: ``deterrence/_models`` in an installed wheel, else the
    checkout's top-level ``models/``."""
    here = Path(__file__).resolve().parent.parent  # deterrence/
    for candidate in (here / "_models", here.parent / "models"):
        if candidate.is_dir():
            return candidate
    return here.parent / "models"


#: catalogue models that are model families built in Python, not files: name -> builder in
#: :mod:`deterrence.catalogue.builders` (a family's game changes shape with a parameter, e.g. the
#: number of members; see :mod:`deterrence.families`)
FAMILIES: dict[str, str] = {
    "collective_defence": "collective_defence",
    "collective_defence_chain_gang": "collective_defence_chain_gang",
    "collective_defence_sequential": "collective_defence_sequential",
}
#: what :func:`list_models` can list
KINDS = ("all", "files", "families")


def list_models(kind: str = "all") -> list[str]:
    """Names of the catalogue's models, sorted.

    Parameters
    ----------
    kind
        ``"all"`` (default): the shipped model files (their names in :func:`models_dir` without
        ``.toml``) and the model families built in Python (:data:`FAMILIES`); ``"files"`` or
        ``"families"``: one of the two.
    """
    if kind not in KINDS:
        raise ModelError(f"unknown kind '{kind}' of catalogue models; kinds are {', '.join(KINDS)}")
    folder = models_dir()
    files = sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []
    if kind == "files":
        return files
    if kind == "families":
        return sorted(FAMILIES)
    return sorted({*files, *FAMILIES})


_FAMILY_CACHE: dict[str, Any] = {}


def _family(name: str) -> Any:
    """The model family ``name`` (built once, then the same object: caches key on it)."""
    if name not in _FAMILY_CACHE:
        from . import builders

        _FAMILY_CACHE[name] = getattr(builders, FAMILIES[name])()
    return _FAMILY_CACHE[name]


_CACHE: dict[tuple[str, int, int], Model] = {}


def load_model(name_or_path: str | Path) -> Model:
    """Load a model by catalogue name (``"extended_deterrence"``) or from a ``.toml`` path.

    A model family's name (:data:`FAMILIES`, e.g. ``"collective_defence"``) gives the family
    built by its builder at its defaults (a :class:`deterrence.families.CollectiveDefence`).

    Raises
    ------
    ModelError
        An unknown name (the message lists the available ones), a missing or unreadable file,
        or any problem in the file (naming the file, the key and the line).
    """
    if isinstance(name_or_path, Path) or (
        isinstance(name_or_path, str)
        and (
            Path(name_or_path).suffix.lower() in (".toml", ".nfg", ".efg")
            or "/" in name_or_path
            or "\\" in name_or_path
        )
    ):
        path = Path(name_or_path)
    elif isinstance(name_or_path, str) and name_or_path in FAMILIES:
        return _family(name_or_path)
    elif isinstance(name_or_path, str):
        names = list_models()
        if name_or_path not in names:
            raise ModelError(
                f"no model named '{name_or_path}' in the catalogue"
                f"{close_match_hint(name_or_path, names)}; available: "
                f"{', '.join(names) or 'none'} (or give the path of a .toml file)"
            )
        path = models_dir() / f"{name_or_path}.toml"
    else:
        raise ModelError(f"expected a model name or a path, got {type(name_or_path).__name__}")
    try:
        check_no_null_byte(path)
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if key in _CACHE:
            return _CACHE[key]
        raw = read_bytes(path, max_bytes=MAX_MODEL_BYTES, what="model file")
    except OSError as exc:
        raise ModelError(f"cannot read model file: {exc.strerror or exc}", file=str(path)) from None
    except ValueError as exc:  # e.g. a path with a NUL character
        raise ModelError(f"cannot read model file: {exc}", file=repr(str(path))) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelError(
            f"model file is not UTF-8 text ({exc.reason} at byte {exc.start})", file=str(path)
        ) from None
    _refuse_game_file(text, path)
    model = loads_model(text, file=str(path))
    _CACHE[key] = model
    return model


_GAME_HEADER_RE = re.compile(r"\s*(NFG|EFG)\s+\d")


def _refuse_game_file(text: str, path: Path) -> None:
    """A Gambit game file given where a model is expected: say so, and what to do instead."""
    match = _GAME_HEADER_RE.match(text.removeprefix("\ufeff"))
    suffix = path.suffix.lower()
    if not (match or suffix in (".nfg", ".efg")):
        return
    kind = match.group(1).lower() if match else suffix[1:]
    how = (
        f"solve it with 'deterrence solve {path}'"
        if suffix == f".{kind}"
        else f"give it the suffix .{kind} to solve it with 'deterrence solve'"
    )
    raise ModelError(
        f"this is a Gambit game file (.{kind}), not a model file: read it with deterrence.read_game() or "
        f"{how} (show, sweep and regimes take a model: a .toml file or a catalogue name)",
        file=str(path),
    )


# ---------------------------------------------------------------------------------- writing
class _ExprPrinter(StrPrinter):
    """Prints sympy expressions in the model-file syntax (``min``, ``max``, ``abs``)."""

    def _print_Min(self, expr: sp.Expr) -> str:
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Max(self, expr: sp.Expr) -> str:
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Abs(self, expr: sp.Expr) -> str:
        return "abs(" + self._print(expr.args[0]) + ")"

    def _print_Exp1(self, expr: sp.Expr) -> str:
        return "exp(1)"


def expression_text(expr: Any) -> str:
    """An expression (sympy, number or text) in the model-file syntax."""
    if isinstance(expr, str):
        return expr
    if isinstance(expr, Fraction):
        return f"{expr.numerator}/{expr.denominator}" if expr.denominator != 1 else str(expr.numerator)
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        return repr(expr)
    return _ExprPrinter().doprint(expr)


def _s(value: str) -> str:
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _k(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_\-]+", key) else _s(key)


def _v(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _s(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_k(k)} = {_v(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_v(v) for v in value) + "]"
    return _s(expression_text(value))


def _node_toml(node: NodeSpec, header: str) -> list[str]:
    out = [f"[[{header}]]", f"id = {_s(node.id)}", f"kind = {_s(node.kind)}"]
    if node.player is not None:
        out.append(f"player = {_s(node.player)}")
    if node.infoset is not None:
        out.append(f"infoset = {_s(node.infoset)}")
    if node.actions:
        out.append(f"actions = {_v(dict(node.actions))}")
    if node.probs:
        out.append(f"probs = {_v({a: expression_text(e) for a, e in node.probs.items()})}")
    if node.payoffs:
        out.append(f"payoffs = {_v({p: expression_text(e) for p, e in node.payoffs.items()})}")
    if node.outcome:
        out.append(f"outcome = {_v(list(node.outcome))}")
    if node.label:
        out.append(f"note = {_s(node.label)}")
    return [*out, ""]


def dumps_model(model: Model) -> str:
    """Write a model as TOML text in the model-file format (``loads_model`` reads it back).

    Useful for models built in Python (:meth:`Model.from_tree`): the builder and the shipped
    file can then be compared, or a file can be generated from a builder.
    """
    if model.is_baseline:
        raise ModelError("write the full model, not its baseline")
    out = [*_model_toml(model), *_parameters_toml(model), *_derived_toml(model)]
    for node in model.nodes:
        out += _node_toml(node, "nodes")
    spec = model._baseline_spec
    if spec is not None:
        out += _baseline_toml(spec)
    if model.meta:
        out.append("[meta]")
        out += [f"{_k(k)} = {_v(v)}" for k, v in model.meta.items()]
        out.append("")
    return "\n".join(out)


def _model_toml(model: Model) -> list[str]:
    """The ``[model]`` table, its references and claims."""
    out = ["[model]", f"name = {_s(model.name)}"]
    if model.title and model.title != model.name:
        out.append(f"title = {_s(model.title)}")
    if model.description:
        out.append(f"description = {_s(model.description)}")
    out.append(f"players = {_v(list(model.players))}")
    if model.concepts:
        out.append(f"concepts = {_v(list(model.concepts))}")
    if model.status:
        out.append(f"status = {_s(model.status)}")
    out.append(f"root = {_s(model.root)}")
    if model.entrapment:
        out.append(f"entrapment = {_s(model.entrapment)}")
    if model.orderings:
        items = []
        for o in model.orderings:
            if o.note or o.provenance:
                table = {"condition": o.text, "note": o.note, "provenance": o.provenance}
                items.append(_v({k: v for k, v in table.items() if v}))
            else:
                items.append(_s(o.text))
        out.append("orderings = [\n  " + ",\n  ".join(items) + ",\n]")
    out.append("")
    for r in model.references:
        out.append("[[model.references]]")
        out += [f"{k} = {_s(getattr(r, k))}" for k in _REFERENCE_KEYS if getattr(r, k)]
        out.append("")
    for c in model.claims:
        out.append("[[model.claims]]")
        out += [f"{_k(k)} = {_v(v)}" for k, v in c.items()]
        out.append("")
    return out


def _parameters_toml(model: Model) -> list[str]:
    out = []
    for p in model.parameters.values():
        out.append(f"[parameters.{p.name}]")
        out.append(f"default = {_v(p.default)}")
        if p.open_lower or p.open_upper:
            out.append(f"domain = {_s(p.domain_text)}")
        else:
            out.append(f"domain = {_v(list(p.domain))}")
        if p.symbol:
            out.append(f"symbol = {_s(p.symbol)}")
        if p.description:
            out.append(f"description = {_s(p.description)}")
        out.append("")
    return out


def _derived_toml(model: Model) -> list[str]:
    if not model.derived:
        return []
    out = ["[derived]"]
    for d in model.derived.values():
        text = d.text or expression_text(d.expr)
        if d.description:
            out.append(f"{_k(d.name)} = {_v({'expr': text, 'description': d.description})}")
        else:
            out.append(f"{_k(d.name)} = {_s(text)}")
    out.append("")
    return out


def _baseline_toml(spec: Baseline) -> list[str]:
    out = ["[baseline]"]
    if spec.description:
        out.append(f"description = {_s(spec.description)}")
    if spec.parameters:
        pins = {
            k: v if isinstance(v, (int, float)) else expression_text(v) for k, v in spec.parameters.items()
        }
        out.append(f"parameters = {_v(pins)}")
    if spec.outcomes:
        out.append(f"outcomes = {_v({k: list(v) for k, v in spec.outcomes.items()})}")
    out.append("")
    for node in spec.nodes:
        out += _node_toml(node, "baseline.nodes")
    return out
