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
This module holds :class:`Model`: its constructor (named stages run on a
:class:`~deterrence.model.ModelSpec`), its public methods and the derivation of baselines and
restrictions. :class:`~deterrence.model.ModelSpec`, :class:`Parameter`, :class:`NodeSpec` and the
other parts of a model are in :mod:`deterrence.model._specs`; the checks of names, parameters,
pinned values, derived quantities and orderings in :mod:`deterrence.model._checks`; the tree's
structural checks and parsing in :mod:`deterrence.model._structure`; the numeric helpers behind
:meth:`Model.game` and :meth:`Model.evaluate` in :mod:`deterrence.model._numeric` (plain
functions of what they use). :mod:`deterrence.model` exports the public names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp

from .._numbers import evaluate_many
from ..equilibrium import default_concept
from ..errors import ModelError
from ..game.extensive import ExtensiveFormGame
from ..game.tree import ChanceNode, DecisionNode, TerminalNode
from ._checks import (
    Where,
    check_name,
    check_parameters,
    check_players,
    check_vocabulary,
    parse_derived,
    parse_ordering,
    pin_parameters,
)
from ._numeric import (
    GameTemplate,
    build_game,
    check_arrays,
    check_numbers,
    check_orderings_exact,
    check_values,
    huge_constant_error,
    lambdify_tree,
    orderings_hold,
    orderings_mask,
    parameter_arrays,
    split_outputs,
)
from ._specs import (
    Baseline,
    Derived,
    Evaluation,
    ModelSpec,
    NodeSpec,
    Ordering,
    Parameter,
    Reference,
    exact_fraction,
    exact_value,
    expr_key,
    to_number,
)
from ._structure import Tree, check_tree


# ---------------------------------------------------------------------------------- the model
class Model:
    """A parametric extensive-form game: sympy payoffs and probabilities over named parameters.

    Parameters
    ----------
    spec
        A :class:`~deterrence.model.ModelSpec`: the name, players, parameters and node specs,
        and optionally the root, documentation, orderings, derived quantities, baseline, pinned
        values and the file it was read from (see :class:`~deterrence.model.ModelSpec`).
        ``Model(ModelSpec("toy", ["A", "B"], parameters, nodes, title="..."))``; or build one
        from the tree builders with :meth:`from_tree`, or read one with
        :func:`deterrence.load_model`.

    Raises
    ------
    ModelError
        Naming the file, the key and the line where known: duplicate node ids, a child id that
        does not exist, a cycle or a node reachable twice, an unreachable node, a node of the
        wrong shape, an unknown player, an outcome label outside the vocabulary, an information
        set mixing players or actions, an undeclared concept or status; or ``spec`` that is not
        a :class:`~deterrence.model.ModelSpec`.
    ExpressionError
        For an expression outside the allow-list (a subclass of :class:`ModelError`).
    """

    def __init__(self, spec: ModelSpec, /) -> None:
        if not isinstance(spec, ModelSpec):
            raise ModelError(
                f"Model() takes a ModelSpec, got {type(spec).__name__}: write "
                "Model(ModelSpec(name, players, parameters, nodes, ...)), or use Model.from_tree(...) "
                "or deterrence.load_model(...)"
            )
        self.spec = spec
        self._where = Where(spec.file, spec.lines)
        self._describe(spec)
        self.players: tuple[str, ...] = check_players(spec.players, self._where)
        self.concepts, self.status = check_vocabulary(spec.concepts, spec.status, self._where)
        self.parameters: dict[str, Parameter] = check_parameters(spec.parameters, self._where)
        self.symbols: dict[str, sp.Symbol] = {n: p.sympy for n, p in self.parameters.items()}
        self.fixed: dict[str, sp.Expr] = pin_parameters(
            spec.fixed, self.parameters, self.symbols, self._where
        )
        self._subs: dict[sp.Symbol, sp.Expr] = {self.symbols[k]: v for k, v in self.fixed.items()}
        self.derived, self._names = parse_derived(spec.derived, self.symbols, self._subs, self._where)
        self.orderings: tuple[Ordering, ...] = tuple(
            parse_ordering(o, i, self._names, self.fixed, self._subs, self._where)
            for i, o in enumerate(spec.orderings)
        )
        self._specs: tuple[NodeSpec, ...] = tuple(spec.nodes)
        self._set_tree(check_tree(self._specs, spec.root, self.players, self._names, self._subs, self._where))
        self._kernel: Any = None
        self._baseline_model: Model | None = None
        if spec.baseline is not None and not spec.is_baseline:
            self._baseline_model = self._make_baseline(spec.baseline)

    # ------------------------------------------------------------------ construction stages
    def _describe(self, spec: ModelSpec) -> None:
        """The file, the name and the documentation (checked: a non-empty name)."""
        self.file = spec.file
        self._text = spec.text
        self._lines = dict(spec.lines or {})
        self.name = check_name(spec.name, self._where)
        self.title = spec.title or self.name
        self.description = spec.description
        self.references: tuple[Reference, ...] = tuple(spec.references)
        self.entrapment = spec.entrapment
        self.claims: tuple[dict[str, Any], ...] = tuple(dict(c) for c in spec.claims)
        self.meta: dict[str, Any] = dict(spec.meta or {})
        self.is_baseline = spec.is_baseline
        self._baseline_spec = spec.baseline

    def _set_tree(self, tree: Tree) -> None:
        """The checked tree, and the attributes that show it."""
        self._tree = tree
        self.root = tree.root
        self._by_id = tree.by_id
        self._order = tree.order
        self.paths: Mapping[str, str] = tree.paths  # built when asked (deep trees)
        self.infosets: dict[str, tuple[str, ...]] = dict(tree.infosets)
        self._payoffs = tree.payoffs
        self._probs = tree.probs
        self.terminals: tuple[str, ...] = tree.terminals
        self.chance_nodes: tuple[str, ...] = tree.chance_nodes
        self.branches: tuple[tuple[str, str], ...] = tree.branches

    def _line(self, key: str) -> int | None:
        return self._where.line(key)

    def __getstate__(self) -> dict[str, Any]:
        """The model's state for pickling (a sweep sends its model to worker processes), without
        the evaluator :meth:`evaluate` lambdified: a generated function that pickle cannot name.
        The copy builds its own on first use."""
        state = self.__dict__.copy()
        state["_kernel"] = None
        return state

    def _error(self, message: str, key: str | None = None, line: int | None = None) -> ModelError:
        return self._where.error(message, key, line)

    def _make_baseline(self, spec: Baseline) -> Model:
        return self._derive(spec, title=f"{self.title} — no-pledge baseline", is_baseline=True)

    def _derive(self, spec: Baseline, *, title: str, is_baseline: bool) -> Model:
        """A model with the nodes, outcome labels and pinned parameters of ``spec`` applied."""
        nodes = self._derived_nodes(spec)
        fixed = {**self.fixed, **dict(spec.parameters)}
        derived = [Derived(d.name, d.expr, d.text, d.description) for d in self.derived.values()]
        orderings = [Ordering(o.condition.text, o.note, o.provenance, o.line) for o in self.orderings]
        return Model(
            ModelSpec(
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
        )

    def _derived_nodes(self, spec: Baseline) -> list[NodeSpec]:
        """The node specs with ``spec``'s nodes and outcome labels applied, reachable from the root."""
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
        return [by_id[n] for n in order if n in reach]

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
        return cls(ModelSpec(name, players, parameters, _node_specs(root, players), **kwargs))

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
    def default_concept(self) -> str:
        """The solution concept used when none is given (``pbe``, else ``spe``, ``nash``, ``qre``:
        the first of these the model declares; see :func:`deterrence.equilibrium.default_concept`)."""
        return default_concept(self.concepts)

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
            "fixed": {k: expr_key(v) for k, v in self.fixed.items()},
            "nodes": [
                [n.id, n.kind, n.player, n.infoset, list(n.actions.items()), list(n.outcome)]
                for n in self.nodes
            ],
            "payoffs": {k: {p: expr_key(e) for p, e in v.items()} for k, v in self._payoffs.items()},
            "probs": {k: {a: expr_key(e) for a, e in v.items()} for k, v in self._probs.items()},
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
        spec = Baseline(description=description, nodes=tuple(self._restricted_nodes(keep)))
        suffix = f" — {label}" if label else " — restricted"
        out = self._derive(spec, title=f"{self.title}{suffix}", is_baseline=self.is_baseline)
        if self._baseline_model is not None:
            out._baseline_spec = self._baseline_spec
            out._baseline_model = self._baseline_model.restrict(keep, label=label, description=description)
        return out

    def _restricted_nodes(self, keep: Mapping[str, Iterable[str]]) -> list[NodeSpec]:
        """The decision nodes of the information sets (or nodes) in ``keep`` with only the kept
        actions, in their order."""
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
        return replaced

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
            number, not finite or outside its domain; values that violate an ordering
            (:class:`~deterrence.errors.OrderingError`, a ``ParameterError``).
        ModelError
            A payoff or probability that is not finite at these values, or chance probabilities
            outside [0, 1] or not summing to one (naming the node).
        """
        vals = check_values(self.parameters, self.name, {**(values or {}), **kwargs})
        pay, prob = (
            self._exact_numbers(vals, check_orderings)
            if exact
            else self._float_numbers(vals, check_orderings)
        )
        check_numbers(self._tree, pay, prob, ", ".join(f"{k}={v}" for k, v in vals.items()), self._where)
        template = self.__dict__.get("_game_template")
        if template is not None and template.tree is self._tree:
            game = template.fill(self.players, pay, prob)
            if game is not None:
                return game
        game = build_game(self._tree, self.players, self.title, pay, prob, self._where)
        self.__dict__["_game_template"] = GameTemplate(game, self._tree)  # the tree, for the next points
        return game

    def _exact_numbers(self, vals: Mapping[str, Any], check_orderings: bool) -> tuple[dict, dict]:
        """Payoffs and chance probabilities at ``vals``, exactly (``int``/``Fraction`` where the
        expressions allow)."""
        subs = {self.symbols[n]: exact_fraction(v) for n, v in vals.items()}
        if check_orderings:
            check_orderings_exact(self.orderings, self.name, subs, vals)
        distinct, index = self._distinct_expressions
        values = evaluate_many(distinct, subs)  # each distinct expression once
        numbers = iter([values[i] for i in index])
        pay = {t: {p: next(numbers) for p in row} for t, row in self._payoffs.items()}
        prob = {c: {a: next(numbers) for a in row} for c, row in self._probs.items()}
        return pay, prob

    @cached_property
    def _exact_expressions(self) -> tuple[sp.Expr, ...]:
        """Every payoff, then every chance probability, in the order :meth:`_exact_numbers` reads them."""
        return tuple(
            e for table in (self._payoffs, self._probs) for row in table.values() for e in row.values()
        )

    @cached_property
    def _distinct_expressions(self) -> tuple[tuple[sp.Expr, ...], tuple[int, ...]]:
        """The distinct expressions of :attr:`_exact_expressions` (many payoffs repeat) and, for each
        of those, the position of its expression among them."""
        position: dict[sp.Expr, int] = {}
        index = tuple(position.setdefault(e, len(position)) for e in self._exact_expressions)
        return tuple(position), index

    def _float_numbers(self, vals: Mapping[str, Any], check_orderings: bool) -> tuple[dict, dict]:
        """Payoffs and chance probabilities at ``vals``, in floating point (the compiled kernel)."""
        ev = self.evaluate(
            {k: np.asarray(v, dtype=float) for k, v in vals.items()},
            check=False,
            check_orderings=check_orderings,
        )
        pay = {
            t: {p: float(ev.payoffs[i, j]) for j, p in enumerate(self.players)}
            for i, t in enumerate(self.terminals)
        }
        prob: dict[str, dict[str, float]] = {c: {} for c in self.chance_nodes}
        for k, (c, a) in enumerate(self.branches):
            prob[c][a] = float(ev.probs[k])
        return pay, prob

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
            Raise :class:`~deterrence.errors.OrderingError` (a ``ParameterError``) if a point
            violates an ordering (else see ``Evaluation.ordering_ok``). Decided as :meth:`game`
            decides it: exactly at ties and near ties (see
            :func:`deterrence.model._numeric.comparison_holds`).

        Returns
        -------
        Evaluation
        """
        arrays, shape = parameter_arrays(self.parameters, self.name, dict(values or {}))
        if self._kernel is None:
            self._kernel = lambdify_tree(list(self.symbols.values()), self._tree, self.players)
        try:
            with np.errstate(all="ignore"):
                out = self._kernel(*(arrays[n] for n in self.parameters))
        except OverflowError:
            raise huge_constant_error(self._tree, self._where) from None
        payoffs, probs = split_outputs(out, self._tree, self.players, shape)
        ok = orderings_mask(self.orderings, self.name, self.symbols, arrays, shape, check_orderings)
        if check:
            check_arrays(self._tree, self.players, payoffs, probs, arrays, self._where)
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

    def ordering_ok(self, values: Mapping[str, Any] | None = None) -> np.ndarray:
        """Per point of ``values`` (as :meth:`evaluate` takes them): whether every ordering holds,
        as ``evaluate(values, check=False, check_orderings=False).ordering_ok`` gives it, without
        the payoffs (and each comparison decided only where those before it hold)."""
        arrays, shape = parameter_arrays(self.parameters, self.name, dict(values or {}))
        return orderings_hold(self.orderings, self.symbols, arrays, shape)

    def derived_value(self, name: str, /, **values: Any) -> int | Fraction | float:
        """Exact value of a derived quantity at given parameter values (defaults elsewhere)."""
        if name not in self.derived:
            raise ModelError(
                f"model '{self.name}' has no derived quantity '{name}'; derived: {sorted(self.derived)}"
            )
        vals = check_values(self.parameters, self.name, values)
        subs = {self.symbols[n]: exact_value(v) for n, v in vals.items()}
        value = to_number(self.derived[name].expr, subs)
        if value is None:
            raise ModelError(f"derived quantity '{name}' is not finite at these values")
        return value


def _node_specs(root: DecisionNode | ChanceNode | TerminalNode, players: Sequence[str]) -> list[NodeSpec]:
    """The node specs of a tree made by the tree builders, in preorder: ids are the nodes'
    ``label`` s where given, else their action paths (``"attack.resist"``; the root ``"root"``)."""
    specs: list[NodeSpec] = []
    stack: list[tuple[Any, str]] = [(root, "root")]
    while stack:
        node, path = stack.pop()
        nid = getattr(node, "label", None) or path
        kids: list[tuple[str, Any]] = []
        if isinstance(node, DecisionNode):
            kids = list(node.actions.items())
            specs.append(
                NodeSpec(
                    nid, "decision", player=node.player, infoset=node.infoset, actions=_child_ids(kids, path)
                )
            )
        elif isinstance(node, ChanceNode):
            kids = [(a, v[1]) for a, v in node.branches.items()]
            specs.append(
                NodeSpec(
                    nid,
                    "chance",
                    infoset=node.infoset,
                    actions=_child_ids(kids, path),
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
    return specs


def _child_ids(kids: Sequence[tuple[str, Any]], path: str) -> dict[str, str]:
    """Action -> the child's id: its label, or its action path."""
    return {a: (getattr(c, "label", None) or (a if path == "root" else f"{path}.{a}")) for a, c in kids}


__all__ = ["Model"]
