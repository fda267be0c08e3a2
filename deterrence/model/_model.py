"""Parametric models: a game tree whose payoffs and chance probabilities are sympy expressions.

A :class:`Model` is a symbolic template: named players, named :class:`Parameter` s with
defaults and domains, a tree of decision, chance and terminal nodes (given as a flat list of
:class:`NodeSpec` s that refer to their children by id), outcome labels on the terminals,
published orderings of the parameters, derived quantities, and the model's no-pledge
baseline. ``model.game(**values)`` turns it into a numeric
:class:`~deterrence.game.extensive.ExtensiveFormGame`; ``model.evaluate(arrays)`` evaluates every
payoff and chance probability on whole arrays of parameter points at once (compiled once
with :func:`sympy.lambdify`), for sweeps.

Models are usually read from TOML files (:mod:`deterrence.catalogue`, format in
``docs/reference/model-format.md``); :meth:`Model.from_tree` builds one in Python from the
tree builders of :mod:`deterrence.game.tree` with expressions as payoffs.

Where the parts live
--------------------
This module holds :class:`Model`: its constructor, its public methods and the derivation of
baselines and restrictions. :class:`Parameter`, :class:`NodeSpec` and the other parts of a
model are in :mod:`deterrence.model._specs`; the parsing and structural checks the constructor
runs are in :mod:`deterrence.model._checks`; the numeric helpers behind :meth:`Model.game` and
:meth:`Model.evaluate` in :mod:`deterrence.model._numeric` (both mixins of :class:`Model`).
Their public names are re-exported here.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp

from ..errors import ModelError, ParameterError
from ..expr import is_identifier
from ..game.extensive import ExtensiveFormGame
from ..game.tree import ChanceNode, DecisionNode, TerminalNode
from ._checks import _ModelChecks
from ._numeric import _ModelNumeric
from ._specs import (
    CONCEPTS,
    RESERVED,
    STATUSES,
    Baseline,
    Derived,
    Evaluation,
    ExprLike,
    NodeSpec,
    Ordering,
    Parameter,
    Reference,
    _exact,
    _expr_key,
    _to_number,
)


# ---------------------------------------------------------------------------------- the model
class Model(_ModelChecks, _ModelNumeric):
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

    # ------------------------------------------------------------------ vectorised evaluation
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
