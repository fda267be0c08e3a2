"""Reading a model's specification: expressions parsed, errors located, the tree checked.

:class:`_ModelChecks` holds the methods of :class:`~deterrence.model.Model` that its
constructor runs: errors that name the file, the key and the line (``_line``, ``_error``),
expression and ordering parsing (``_parse``, ``_ordering``), the structural checks of the
tree (ids, children, cycles, reachability, information sets; ``_check_structure``,
``_check_node``) and the parsing of every payoff and chance probability (``_parse_tree``).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import sympy as sp

from ..errors import ModelError
from ..expr import Condition, parse_condition, parse_expression
from ..outcomes import OUTCOMES
from ._specs import _ID_RE, NODE_KINDS, ExprLike, NodeSpec, Ordering, _to_number


class _ModelChecks:
    """Parsing and checking methods of :class:`~deterrence.model.Model` (a mixin: they use and set
    its attributes; ``Model.__init__`` calls them in order)."""

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
