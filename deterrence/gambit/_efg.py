"""Gambit ``.efg`` files (extensive form, ``EFG 2 R``): reading and writing.

Part of :mod:`deterrence.gambit` (which holds :func:`~deterrence.gambit.read_game`
and :func:`~deterrence.gambit.write_game`); the tokens and numbers come from
:mod:`deterrence.gambit._lexer`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

from ..errors import FormatError, GameError, ResourceError
from ..game._flat import PreorderRecords, game_from_preorder
from ..game.extensive import CHANCE, DECISION, ExtensiveFormGame, sum_text
from ..game.tree import ChanceNode, DecisionNode, Node, TerminalNode
from ._lexer import (
    _INT_RE,
    _NUMBER_START,
    _UNESCAPE_RE,
    EOF,
    LBRACE,
    NUMBER,
    RBRACE,
    SYMBOL,
    TEXT,
    Exact,
    Token,
    _as_exact,
    _exact_sum,
    _number,
    _Parser,
    _quote,
    _show,
    format_number,
    normalize_labels,
)

#: the most payoffs (terminal nodes x players) a .efg file may hold
MAX_PAYOFFS = 4_000_000


# ---------------------------------------------------------------------------------- .efg
@dataclass
class _Infoset:
    label: str
    actions: list[str]
    line: int
    probs: tuple[Exact, ...] | None = None  # chance only
    name: str = ""  # the name in deterrence (unique)
    names: list[str] = field(default_factory=list)  # action names, made distinct

    def __post_init__(self) -> None:
        self.names = normalize_labels(self.actions)


@dataclass
class _Outcome:
    label: str
    payoffs: tuple[Exact, ...]
    line: int


def parse_efg(text: str, file: str | None = None) -> ExtensiveFormGame:
    """Parse the text of a Gambit ``.efg`` file (``EFG 2 R``).

    Raises
    ------
    FormatError
        If the text is not a well-formed ``.efg`` file; the message names the line.
    """
    fast = _read_plain(text)
    if fast is not None:  # read straight into the game's tables (no tree of builder nodes)
        title, players, records = fast
        game = game_from_preorder(records, players, title)
        if game is not None:
            return game
    title, players, reader = _read_checked(text, file)
    _name_infosets(reader.infosets)
    for node, key in reader.members:
        node.infoset = reader.infosets[key].name
    try:
        return ExtensiveFormGame(reader.root, players=players, title=title, check_labels=False)
    except GameError as exc:  # payoffs beyond the float range; nothing else is expected
        raise FormatError(str(exc), file=file) from None


def _read_checked(text: str, file: str | None) -> tuple[str, list[str], _EfgReader]:
    """The title, the players and the reader (holding the tree) of an ``.efg`` text, token by token,
    every token checked: the reader that names the line of any problem."""
    p = _Parser(text, file)
    title = p.header("EFG", "2")
    raw_players, players_tok = p.text_list("list of player names")
    if not raw_players:
        raise p.error("the game has no players", players_tok.line)
    players = normalize_labels(raw_players)
    if p.peek().kind == TEXT:  # optional comment
        p.next()
    reader = _EfgReader(p, players)
    reader.root = reader.read_tree()
    p.end("the last node of the game tree")
    return title, players, reader


class _EfgReader:
    """Reads the node records of an ``.efg`` file: outcomes, information sets, the tree."""

    def __init__(self, p: _Parser, players: list[str]) -> None:
        self.p = p
        self.players = players
        self.nplayers = len(players)
        self.infosets: dict[tuple[int, int], _Infoset] = {}
        self.outcomes: dict[int, _Outcome] = {}
        self.members: list[tuple[Node, tuple[int, int]]] = []
        self.zero: tuple[Exact, ...] = (0,) * self.nplayers
        self.terminals = 0
        self.root: Node | None = None

    def read_outcome(self) -> _Outcome | None:
        """An outcome reference, with its name and payoffs where first given; ``None`` for 0."""
        p, outcomes = self.p, self.outcomes
        index, tok = p.integer("an outcome number", minimum=0)
        if p.peek().kind == TEXT:
            if index == 0:
                raise p.error("outcome 0 means 'no outcome' and cannot have a name or payoffs", tok.line)
            label = p.next().text
            opening = p.expect(LBRACE, f"'{{' opening the payoffs of outcome {index}")
            payoffs = p.numbers(f"outcome {index}", self.nplayers, opening)
            known = outcomes.get(index)
            if known is None:
                outcomes[index] = _Outcome(label, payoffs, tok.line)
            elif known.label != label or known.payoffs != payoffs:
                raise p.error(
                    f"outcome {index} is defined differently on line {known.line} "
                    f"({_quote(known.label)} {list(map(_show, known.payoffs))}) and here "
                    f"({_quote(label)} {list(map(_show, payoffs))})",
                    tok.line,
                )
            return outcomes[index]
        if index == 0:
            return None
        if index not in outcomes:
            raise p.error(
                f"unknown outcome {index}: it is used before its name and payoffs are given", tok.line
            )
        return outcomes[index]

    def _read_actions(self, who: str, chance: bool) -> tuple[list[str], list[Exact], Token]:
        """``{ "a" "b" ... }`` (chance: each action followed by its probability), after the label."""
        p = self.p
        opening = p.expect(LBRACE, f"'{{' opening the actions of {who}")
        actions: list[str] = []
        probs: list[Exact] = []
        while True:
            tok = p.next()
            if tok.kind == RBRACE:
                break
            if tok.kind != TEXT:
                if tok.kind == EOF:
                    raise p.error(f"the file ends inside the actions of {who} opened on line {opening.line}",
                                  tok.line)
                raise p.error(
                    f"expected an action name (quoted text) or '}}', found {tok.describe()}", tok.line
                )
            actions.append(tok.text)
            if chance:
                ptok = p.expect(NUMBER, f"the probability of chance action {_quote(tok.text)}")
                prob = ptok.value
                if prob < 0 or prob > 1:  # type: ignore[operator]
                    raise p.error(
                        f"probability {ptok.text} of chance action {_quote(tok.text)} is outside [0, 1]",
                        ptok.line,
                    )
                probs.append(prob)  # type: ignore[arg-type]
        return actions, probs, opening

    def read_infoset(self, key: tuple[int, int], who: str, start: Token, chance: bool) -> _Infoset:
        """An information set reference, with its label and actions where given (checked against
        an earlier definition)."""
        p = self.p
        known = self.infosets.get(key)
        if p.peek().kind != TEXT:
            if known is None:
                raise p.error(f"{who} is used before its actions are given", start.line)
            return known
        label = p.next().text
        actions, probs, opening = self._read_actions(who, chance)
        if not actions:
            raise p.error(f"{who} has no actions", opening.line)
        if chance and _exact_sum(probs) != 1:
            raise p.error(
                f"the probabilities of {who} sum to {_show_sum(_exact_sum(probs))}, not 1 "
                f"({', '.join(map(_show_digits, probs))})",
                start.line,
            )
        if known is None:
            info = _Infoset(label, actions, start.line, tuple(probs) if chance else None)
            self.infosets[key] = info
            return info
        self._check_same(known, who, label, actions, probs if chance else None, start)
        return known

    def _check_same(self, known: _Infoset, who: str, label: str, actions: list[str],
                    probs: list[Exact] | None, start: Token) -> None:
        """Raise unless a repeated definition of an information set matches the first one."""
        p = self.p
        if known.label != label:
            raise p.error(
                f"{who} is named {_quote(known.label)} on line {known.line} but {_quote(label)} here",
                start.line,
            )
        if known.actions != actions:
            raise p.error(
                f"{who} has actions {known.actions} on line {known.line} but {actions} here", start.line
            )
        if probs is not None and known.probs != tuple(probs):
            raise p.error(
                f"{who} has probabilities {list(map(_show, known.probs or ()))} on line {known.line} "
                f"but {list(map(_show, probs))} here",
                start.line,
            )

    def read_node(self, accumulated: tuple[Exact, ...]) -> tuple[Node, _Infoset | None, tuple[Exact, ...]]:
        """One node record; returns the node, its information set and the payoffs accumulated so far."""
        p = self.p
        start = p.next()
        if start.kind == EOF:
            raise p.error("the file ends before the game tree is complete", start.line)
        if start.kind != SYMBOL or start.text not in ("p", "c", "t"):
            raise p.error(f"expected a node type 'p', 'c' or 't', found {start.describe()}", start.line)
        label = p.expect(TEXT, "the node name (quoted text)").text or None
        if start.text == "t":
            self._count_terminal(start)
            return self.node("t", label, 0, (0, 0), None, self.read_outcome(), accumulated)
        if start.text == "c":
            number, _ = p.integer("a chance information set number", minimum=0)
            key = (0, number)
            info = self.read_infoset(key, f"chance information set {number}", start, chance=True)
            return self.node("c", label, 0, key, info, self.read_outcome(), accumulated)
        player, ptok = p.integer("a player number", minimum=1)
        if player > self.nplayers:
            raise p.error(
                f"player {player} does not exist (the file names {self.nplayers} players)", ptok.line
            )
        number, _ = p.integer("an information set number", minimum=0)
        key = (player, number)
        info = self.read_infoset(key, f"information set {number} of player {player}", start, chance=False)
        return self.node("p", label, player, key, info, self.read_outcome(), accumulated)

    def node(self, kind: str, label: str | None, player: int, key: tuple[int, int], info: _Infoset | None,
             outcome: _Outcome | None, accumulated: tuple[Exact, ...]
             ) -> tuple[Node, _Infoset | None, tuple[Exact, ...]]:
        """The node of a record that has been read (kind ``"p"``, ``"c"`` or ``"t"``), its information
        set and the payoffs accumulated down to it."""
        payoffs = _add(accumulated, outcome.payoffs) if outcome is not None else accumulated
        if kind == "t":
            name = outcome.label if outcome else None
            return TerminalNode(payoffs=list(payoffs), outcome=(), label=label, name=name), None, payoffs
        node: Node = (ChanceNode(branches={}, label=label) if kind == "c"
                      else DecisionNode(player=self.players[player - 1], actions={}, label=label))
        if outcome is not None:  # kept on the node, so that the writer puts it back there
            node.gambit_outcome = (outcome.label, outcome.payoffs)
        self.members.append((node, key))
        return node, info, payoffs

    def _count_terminal(self, start: Token) -> None:
        """Refuse the terminal node that takes the game past :data:`MAX_PAYOFFS` payoffs."""
        self.terminals += 1
        if self.terminals * self.nplayers > MAX_PAYOFFS:
            raise ResourceError(
                f"{self.p.file or '<text>'}:{start.line}: the game has more than {self.terminals - 1:,} "
                f"terminal nodes of {self.nplayers:,} payoffs each, more than {MAX_PAYOFFS:,} payoffs; "
                "too large to read",
                estimate=float(self.terminals * self.nplayers),
            )

    def read_tree(self) -> Node:
        """The whole tree, in preorder, with an explicit stack (deep trees need no recursion)."""
        # a stack of (node, its information set, payoffs so far, next child)
        root, info, acc = self.read_node(self.zero)
        stack: list[tuple[Node, _Infoset, tuple[Exact, ...], int]] = []
        if info is not None:
            stack.append((root, info, acc, 0))
        while stack:
            parent, info, acc, k = stack.pop()
            if k + 1 < len(info.actions):
                stack.append((parent, info, acc, k + 1))
            child, child_info, child_acc = self.read_node(acc)
            if isinstance(parent, DecisionNode):
                parent.actions[info.names[k]] = child
            elif isinstance(parent, ChanceNode):
                parent.branches[info.names[k]] = (info.probs[k], child)  # type: ignore[index]
            if child_info is not None:
                stack.append((child, child_info, child_acc, 0))
        return root


# ---------------------------------------------------------------------------------- plain files
# The records of a plainly written file (Gambit's own layout: tokens apart by whitespace, whole
# numbers as node and set numbers) are read one regular expression per record. Anything else, and
# anything wrong, is left to the checked reader (``_read_checked``), which reads the file again,
# token by token, and names the line of the problem: a plain reading only ever accepts a file the
# checked reader accepts, and builds the same game from it.
_Q = r'[^"\\]*(?:\\.[^"\\]*)*'  # the inside of a quoted text (unrolled: no alternation per character)
_END = r'(?![^\s{},"])'  # a word ends here (as the tokens end)
_OUTCOME = rf'\s+(?P<out>[0-9]+){_END}(?:\s*"(?P<oname>{_Q})"\s*\{{(?P<pay>[^{{}}"]*)\}})?'
_SET = rf'(?:\s*"(?P<iname>{_Q})"\s*\{{(?P<acts>(?:\s*"{_Q}"{{chance}})*)\s*\}})?'
_RECORD = {
    "t": re.compile(rf'\s*t\s+"(?P<label>{_Q})"{_OUTCOME}', re.DOTALL),
    "c": re.compile(rf'\s*c\s+"(?P<label>{_Q})"\s+(?P<set>[0-9]+){_END}'
                    + _SET.replace("{chance}", r'\s*[^\s{},"]+') + _OUTCOME, re.DOTALL),
    "p": re.compile(rf'\s*p\s+"(?P<label>{_Q})"\s+(?P<player>[0-9]+){_END}\s+(?P<set>[0-9]+){_END}'
                    + _SET.replace("{chance}", "") + _OUTCOME, re.DOTALL),
}
_RECORDS = tuple((k, _RECORD[k]) for k in "tpc")  # a failed match fails at once, at its first letter
_HEADER = re.compile(rf'\s*EFG\s+2\s+[RD]\s+"(?P<title>{_Q})"\s*\{{(?P<players>(?:\s*"{_Q}")*)\s*\}}'
                     rf'(?:\s*"{_Q}")?', re.DOTALL)
_QUOTED_TEXT = re.compile(rf'"({_Q})"', re.DOTALL)
_CHANCE_ACTION = re.compile(rf'"({_Q})"\s*([^\s{{}},"]+)', re.DOTALL)
_PAYOFF_WORD = re.compile(r"[^\s,]+|,")
_BLANK = re.compile(r"\s*\Z")


class _Unplain(Exception):
    """The file is not plainly written (or is wrong): the checked reader reads it."""


def _text(body: str) -> str:
    return _UNESCAPE_RE.sub(r"\1", body) if "\\" in body else body


def _read_plain(text: str) -> tuple[str, list[str], PreorderRecords] | None:
    """The title, the players and the nodes (in preorder, information sets named) of an ``.efg`` text,
    read record by record; ``None`` unless the file is plainly written and correct."""
    head = _HEADER.match(text)
    if head is None:
        return None
    raw_players = [_text(b) for b in _QUOTED_TEXT.findall(head["players"])]
    if not raw_players:
        return None
    players = normalize_labels(raw_players)
    reader = _PlainReader(text, head.end(), players)
    try:
        records = reader.read_records()
    except (_Unplain, FormatError, ResourceError):
        return None
    if _BLANK.match(text, reader.pos) is None:
        return None
    _name_infosets(reader.infosets)
    records.set_info = {key: (key[0] - 1, info.name, tuple(info.names), info.probs)
                        for key, info in reader.infosets.items()}
    return _text(head["title"]), players, records


class _PlainReader(_EfgReader):
    """Reads the records of a plainly written file, one regular expression per record, into
    :class:`~deterrence.game._flat.PreorderRecords`."""

    def __init__(self, text: str, pos: int, players: list[str]) -> None:
        super().__init__(None, players)  # type: ignore[arg-type]
        self.text, self.pos = text, pos
        self.words: dict[str, Exact] = {}  # number words read, and their values

    def read_records(self) -> PreorderRecords:
        """Every node record, in preorder (the order of the file), with an explicit stack."""
        rec = PreorderRecords([], [], [], {}, {})
        nodes, payoffs, names = rec.nodes, rec.payoffs, rec.outcome_names
        text, nplayers, infosets = self.text, self.nplayers, self.infosets
        stack: list[tuple[int, int, tuple[Exact, ...]]] = [(-1, -1, self.zero)]  # (parent, action, payoffs)
        while stack:
            parent, action, acc = stack.pop()
            kind, m = _match_record(text, self.pos)
            self.pos = m.end()
            out, oname, label = m["out"], m["oname"], m["label"]
            outcome = None if oname is None and out == "0" else self._outcome(int(out), oname, m["pay"])
            here = acc if outcome is None else _add(acc, outcome.payoffs)
            if kind == "t":
                nodes.append(("t", parent, action, _text(label) if label else None, None))
                payoffs.append(here)
                names.append(outcome.label if outcome is not None else None)
                if len(payoffs) * nplayers > MAX_PAYOFFS:
                    raise _Unplain
                continue
            player = int(m["player"]) if kind == "p" else 0
            if kind == "p" and not 1 <= player <= nplayers:
                raise _Unplain
            key = (player, int(m["set"]))
            iname = m["iname"]
            info = infosets.get(key) if iname is None else self._infoset(key, iname, m["acts"], kind == "c")
            if info is None:  # a reference to a set not defined before
                raise _Unplain
            v = len(nodes)
            nodes.append((kind, parent, action, _text(label) if label else None, key))
            if outcome is not None:  # kept, so that the writer puts it back on the node
                rec.interior[v] = (outcome.label, outcome.payoffs)
            stack.extend([(v, a, here) for a in range(len(info.actions) - 1, -1, -1)])
        return rec

    def _infoset(self, key: tuple[int, int], name: str | None, body: str | None, chance: bool) -> _Infoset:
        known = self.infosets.get(key)
        if name is None:  # a reference to a set defined before
            if known is None:
                raise _Unplain
            return known
        probs: tuple[Exact, ...] | None = None
        if chance:
            pairs = _CHANCE_ACTION.findall(body)
            actions = [_text(a) for a, _ in pairs]
            probs = tuple(_number_word(w, self.words) for _, w in pairs)
            if any(not 0 <= v.numerator <= v.denominator for v in probs) or _exact_sum(probs) != 1:
                raise _Unplain
        else:
            actions = [_text(a) for a in _QUOTED_TEXT.findall(body)]
        label = _text(name)
        if not actions:
            raise _Unplain
        if known is None:
            info = self.infosets[key] = _Infoset(label, actions, 0, probs)
            return info
        if known.label != label or known.actions != actions or (chance and known.probs != probs):
            raise _Unplain
        return known

    def _outcome(self, index: int, name: str | None, body: str | None) -> _Outcome | None:
        known = self.outcomes.get(index)
        if name is None:
            if index != 0 and known is None:
                raise _Unplain
            return known if index != 0 else None
        if index == 0:
            raise _Unplain
        values: list[Exact] = []
        for word in _PAYOFF_WORD.findall(body):
            if word == ",":
                if not values:
                    raise _Unplain
                continue
            values.append(_number_word(word, self.words))
        if len(values) != self.nplayers:
            raise _Unplain
        label, payoffs = _text(name), tuple(values)
        if known is None:
            known = self.outcomes[index] = _Outcome(label, payoffs, 0)
        elif known.label != label or known.payoffs != payoffs:
            raise _Unplain
        return known


def _match_record(text: str, pos: int) -> tuple[str, re.Match[str]]:
    """The kind and the match of the node record at ``pos`` (``_Unplain`` if none matches)."""
    for kind, record in _RECORDS:
        m = record.match(text, pos)
        if m is not None:
            return kind, m
    raise _Unplain


def _number_word(word: str, known: dict[str, Exact]) -> Exact:
    """A number word as the tokens read it (``_Unplain`` for a word that is not a number); ``known``:
    the words of the file read so far, and their values (a file repeats its payoffs)."""
    value = known.get(word)
    if value is None:
        if word[0] not in _NUMBER_START:
            raise _Unplain
        value = known[word] = int(word) if len(word) < 20 and _INT_RE.match(word) else _number(word, 0, None)
    return value


def _add(a: tuple[Exact, ...], b: tuple[Exact, ...]) -> tuple[Exact, ...]:
    if not any(b):
        return a
    if not any(a):  # zeros are the int 0 (an exact sum that is whole is an int)
        return b
    return tuple(_exact_sum((x, y)) for x, y in zip(a, b, strict=True))


def _name_infosets(infosets: dict[tuple[int, int], _Infoset]) -> None:
    """Give every information set a name that is unique within its namespace (players / chance).

    A unique non-empty Gambit label is kept; an empty one becomes ``(player,number)``
    and a repeated one ``label (player,number)``.
    """
    for chance in (True, False):
        keys = [k for k in infosets if (k[0] == 0) == chance]
        counts: dict[str, int] = {}
        for k in keys:
            counts[infosets[k].label] = counts.get(infosets[k].label, 0) + 1
        used = {lab for lab, c in counts.items() if c == 1 and lab}
        for k in keys:
            lab = infosets[k].label
            if lab and counts[lab] == 1:
                infosets[k].name = lab
                continue
            base = f"{lab} ({k[0]},{k[1]})" if lab else f"({k[0]},{k[1]})"
            name, extra = base, 0
            while name in used:
                extra += 1
                name = f"{base}_{extra}"
            used.add(name)
            infosets[k].name = name


def _show_sum(total: Exact) -> str:
    """A sum of probabilities that is not 1, for error messages: exact when short (``2/3``), else
    as 1 plus or minus the difference (:func:`~deterrence.game.extensive.sum_text`), which
    rounding to 15 digits would hide."""
    text = str(total)
    return text if len(text) <= 24 else sum_text(total)


def _show_digits(x: Exact) -> str:
    """A probability for error messages: exact when short, else to 25 significant digits (the
    15 of :func:`_show` would print ``0.50000000000000001`` as ``0.5``, hiding why a sum is not 1)."""
    text = str(x)
    if len(text) <= 24:
        return text
    with localcontext() as ctx:
        ctx.prec = 25
        return str(+(Decimal(x.numerator) / Decimal(x.denominator)))


def _probabilities(probs: Sequence[Any]) -> list[Exact]:
    """Chance probabilities as exact values that sum to exactly one (float rounding is absorbed)."""
    exact = [_as_exact(p) for p in probs]
    total = _exact_sum(exact)
    if total != 1 and abs(float(total) - 1) < 1e-9:
        big = max(range(len(exact)), key=lambda k: exact[k])
        exact[big] = _exact_sum([1, *(-v for k, v in enumerate(exact) if k != big)])
    return exact


def format_efg(game: ExtensiveFormGame) -> str:
    """The Gambit ``.efg`` text of an extensive-form game.

    Information sets keep their names. Outcomes go back where the game has them: a Gambit
    outcome on a decision or chance node (``game.interior_outcomes``, from a file read by
    :func:`~deterrence.read_game`) is written on that node, and each terminal node gets an
    outcome with the rest of its payoffs, named by the node's Gambit outcome name (or its outcome
    labels joined by ``+``). A terminal node without a Gambit outcome, outcome labels or remaining
    payoffs gets no outcome. Distinct outcomes get distinct, non-empty labels (see :func:`_outcome_labels`),
    so every label in the file names one payoff vector.
    """
    players = " ".join(_quote(p) for p in game.players)
    lines = [f"EFG 2 R {_quote(game.title)} {{ {players} }}", '""', ""]
    number_in_player: dict[int, int] = {}
    for p_i in range(game.num_players):
        for k, h in enumerate(game.infosets_of(p_i)):
            number_in_player[h.index] = k + 1
    outcome_of = _node_outcomes(game)
    labels = _outcome_labels(game, outcome_of)
    numbers = {key: k + 1 for k, key in enumerate(labels)}
    # Gambit 16.7 insists that non-empty node names are unique
    named = iter(normalize_labels([nd.label for nd in game.nodes if nd.label]))
    node_labels = [next(named) if nd.label else "" for nd in game.nodes]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for nd in game.nodes:
        key = outcome_of.get(nd.index)
        if key is None:
            tail = "0"
        elif key in seen:
            tail = str(numbers[key])
        else:
            seen.add(key)
            tail = f"{numbers[key]} {_quote(labels[key])} {{ {', '.join(key[1])} }}"
        label = _quote(node_labels[nd.index])
        if nd.kind == DECISION:
            h = game.infosets[nd.infoset]
            acts = " ".join(_quote(a) for a in h.actions)
            number = number_in_player[h.index]
            lines.append(f"p {label} {h.player + 1} {number} {_quote(h.name)} {{ {acts} }} {tail}")
        elif nd.kind == CHANCE:
            c = game.chance_infos[nd.infoset]
            probs = _probabilities(c.probs)
            branches = " ".join(
                f"{_quote(a)} {format_number(pr)}" for a, pr in zip(c.actions, probs, strict=True)
            )
            lines.append(f"c {label} {c.index + 1} {_quote(c.name)} {{ {branches} }} {tail}")
        else:
            lines.append(f"t {label} {tail}")
    return "\n".join(lines) + "\n"


def _node_outcomes(game: ExtensiveFormGame) -> dict[int, tuple[str, tuple[str, ...]]]:
    """Node index -> the outcome written on it, as ``(name, payoffs as Gambit text)``.

    Interior outcomes stay on their nodes; a terminal node's outcome is its payoffs less the
    interior outcomes above it (exact arithmetic), named by its Gambit name or its labels.
    """
    interior = getattr(game, "interior_outcomes", {}) or {}
    above: dict[int, tuple[Exact, ...]] = {}  # node -> interior payoffs on the path to it, itself included
    zero: tuple[Exact, ...] = (0,) * game.num_players
    out: dict[int, tuple[str, tuple[str, ...]]] = {}
    for nd in game.nodes:  # preorder: a parent comes before its children
        acc = above[nd.parent] if nd.parent >= 0 else zero
        if nd.index in interior:
            name, payoffs = interior[nd.index]
            exact = tuple(_as_exact(v) for v in payoffs)
            out[nd.index] = (name, tuple(format_number(v) for v in exact))
            acc = _add(acc, exact)
        above[nd.index] = acc
        if nd.kind not in (DECISION, CHANCE):
            t = game.terminal_index(nd.index)
            values = game.payoff_values[t]
            if any(acc):
                values = tuple(_exact_sum((_as_exact(v), -a)) for v, a in zip(values, acc, strict=True))
            name = game.terminal_names[t]  # None: the node had no Gambit outcome
            if name is None:
                name = "+".join(game.terminal_outcomes[t])
                if not name and all(_as_exact(v) == 0 for v in values):
                    continue
            out[nd.index] = (name, tuple(format_number(v) for v in values))
    return out


def _outcome_labels(
    game: ExtensiveFormGame, outcome_of: dict[int, tuple[str, tuple[str, ...]]]
) -> dict[tuple[str, tuple[str, ...]], str]:
    """A distinct, non-empty label for every distinct outcome, in the order of first use.

    An outcome keeps its name when no other outcome (other payoffs) has it; a name shared by
    outcomes with different payoffs gets the label of the first node each is on, in parentheses
    (``war+abandonment (abandoned_p)``); an empty name becomes that node's label. What is still
    empty or repeated is made distinct as Gambit 16 does (``_1``, ``_2``), so Gambit reads the
    labels back unchanged.
    """
    first_node: dict[tuple[str, tuple[str, ...]], int] = {}
    for index, key in outcome_of.items():
        first_node.setdefault(key, index)
    keys = sorted(first_node, key=first_node.__getitem__)
    variants: dict[str, int] = {}
    for name, _ in keys:
        variants[name] = variants.get(name, 0) + 1
    wanted = []
    for key in keys:
        name, node_label = key[0], game.nodes[first_node[key]].label or ""
        if not name:
            wanted.append(node_label)
        elif variants[name] > 1 and node_label:
            wanted.append(f"{name} ({node_label})")
        else:
            wanted.append(name)
    return dict(zip(keys, normalize_labels(wanted), strict=True))


__all__ = ["format_efg", "parse_efg"]
