"""Recognise a repeated crisis with a persistent private type in an explicit tree.

:func:`detect` reads an :class:`~deterrence.ExtensiveFormGame` as a
:class:`~deterrence.game.reputation.ReputationGame` when it has that structure:

* the root is Nature's choice between two types (any probabilities, 0 and 1 included), and
  there is no other chance move;
* below it, the two type subtrees have the same shape and action names; every information
  set of the *challengers* holds exactly the two nodes (one per type) with the same public
  history, every information set of the one *long-run* player exactly one node;
* the play is a sequence of N stages: in stage ``k`` one challenger (the same at every history
  of the stage, a different one in each stage) chooses between an action that ends the stage
  and one that leads to the long-run player, who chooses between two actions; all stages have
  the same action names;
* payoffs are additive over stages (the long-run player's payoff is a sum of stage payoffs,
  each challenger's depends only on its own stage), checked at every terminal;
* one type strictly prefers one response in every stage's crisis taken alone (resist, the
  *resolute* type) and the other type strictly prefers the other (yield, the *weak* type).

Such a tree can always be read two ways (either type resolute, with its preferred response as
resist), and the construction may find a different equilibrium under each. The tree's own outcome
labels decide when they can: the response after which the terminals say the challenged side
gave in (``capitulation``) is *yield*, as :meth:`ReputationGame.tree
<deterrence.game.reputation.ReputationGame.tree>` and the catalogue write it, so a compact
game's tree is read as that game. Unlabelled trees are read with *resist* the response the
challengers like less.

The result also maps every information set of the tree to its stage, public history and (for
the long-run player) type, so that an equilibrium of the compact game can be written back as a
behaviour profile with beliefs.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from ..errors import GameError
from ..game.extensive import CHANCE, DECISION, TERMINAL, ExtensiveFormGame
from ..game.reputation import QUIET, RESIST, YIELD, CrisisStage, ReputationGame, exact_number

History = tuple[int, ...]

# tolerance of the additivity check when payoffs are floats (exact payoffs are compared exactly)
_FLOAT_TOL = 1e-9


@dataclass(frozen=True)
class Structure:
    """A tree read as a reputation game.

    Attributes
    ----------
    game
        The compact game (types ordered resolute first; actions ordered (quiet, challenge) and
        (resist, yield)).
    type_branch
        For each type of ``game`` (resolute, weak), the index of its branch at the root.
    challenger_sets
        Information set index -> (stage, public history) for the challengers' sets.
    long_run_sets
        Information set index -> (type of ``game``, stage, public history).
    response_order
        For the long-run player's sets: the tree's action index of (resist, yield).
    challenge_order
        For the challengers' sets: the tree's action index of (quiet, challenge).
    alternative
        The other reading of the same tree, if its two types and two responses can be named
        the other way round (each type prefers a different response): the solver tries it when
        the first reading is outside its class.
    """

    game: ReputationGame
    type_branch: tuple[int, int]
    challenger_sets: dict[int, tuple[int, History]]
    long_run_sets: dict[int, tuple[int, int, History]]
    response_order: tuple[int, int]
    challenge_order: tuple[int, int]
    alternative: Structure | None = None


class NotReputation(Exception):
    """Raised inside the detection with the reason the tree does not fit (never escapes)."""


_CACHE: weakref.WeakKeyDictionary[ExtensiveFormGame, Structure | str] = weakref.WeakKeyDictionary()


def detect(game: ExtensiveFormGame) -> Structure | str:
    """The tree's reputation structure, or the reason it has none (cached per game)."""
    hit = _CACHE.get(game)
    if hit is None:
        try:
            hit = _Reader(game).read()
        except NotReputation as exc:
            hit = f"'reputation' needs a repeated crisis with a persistent private type: {exc}"
        except GameError as exc:
            hit = f"'reputation' cannot read this tree's numbers: {exc}"
        _CACHE[game] = hit
    return hit


class _Reader:
    """One pass over the tree in public histories, both type subtrees side by side."""

    def __init__(self, game: ExtensiveFormGame) -> None:
        self.g = game
        self.challengers: list[int] = []  # player index per stage
        self.long_run: int | None = None
        self.actions: dict[str, tuple[str, ...]] = {}
        self.challenger_sets: dict[int, tuple[int, History]] = {}
        self.long_run_sets: dict[int, tuple[int, int, History]] = {}
        self.terminals: dict[History, tuple[int, int]] = {}  # history -> terminal node per branch
        self.challenge_order: tuple[int, int] | None = None

    def read(self) -> Structure:
        g = self.g
        root = g.nodes[0]
        if root.kind != CHANCE or len(root.children) != 2:
            raise NotReputation("the root is not Nature's choice between two types")
        if len(g.chance_infos) != 1:
            raise NotReputation("Nature moves again below the root")
        self._stage(root.children, ())
        n = len(self.challengers)
        if any(len(h) != n for h in self.terminals):
            raise NotReputation("plays do not all have the same number of stages")
        if self.long_run is None:
            raise NotReputation("nobody responds to a challenge")
        tables = self._stage_payoffs(n)
        readings = _resolute(tables, self._labelled_yield(n))
        first = self._assemble(tables, *readings[0])
        if len(readings) > 1:
            first = replace(first, alternative=self._assemble(tables, *readings[1]))
        return first

    # ------------------------------------------------------------------ shape
    def _pair(self, nodes: tuple[int, int]) -> tuple[Any, Any]:
        a, b = (self.g.nodes[v] for v in nodes)
        if a.kind != b.kind:
            raise NotReputation("the two types' subtrees differ in shape")
        return a, b

    def _stage(self, nodes: tuple[int, int], history: History) -> None:
        a, b = self._pair(nodes)
        if a.kind == TERMINAL:
            self.terminals[history] = nodes
            return
        if a.kind != DECISION or a.infoset != b.infoset:
            raise NotReputation("a challenger's information set must hold the two types' nodes")
        h = self.g.infosets[a.infoset]
        k = len(history)
        if len(h.nodes) != 2 or len(h.actions) != 2:
            raise NotReputation(f"information set '{h.name}' is not a challenger's two-way choice")
        if k == len(self.challengers):
            if a.player in self.challengers:
                raise NotReputation("the same challenger moves in two stages")
            self.challengers.append(a.player)
        elif self.challengers[k] != a.player:
            raise NotReputation(f"stage {k + 1} has different challengers at different histories")
        self._same_actions("challenger", h.actions, h.name)
        kids = [self._pair((c0, c1)) for c0, c1 in zip(a.children, b.children, strict=True)]
        to_lr = [x.kind == DECISION and x.infoset != y.infoset for x, y in kids]
        if sorted(to_lr) != [False, True]:
            raise NotReputation(f"at '{h.name}' one action must end the stage and the other lead to a "
                                "response")
        order = (to_lr.index(False), to_lr.index(True))
        if self.challenge_order not in (None, order):
            raise NotReputation("the quiet action is not the same in every stage")
        self.challenge_order = order
        self.challenger_sets[h.index] = (k, history)
        self._stage((a.children[order[0]], b.children[order[0]]), (*history, QUIET))
        self._response((a.children[order[1]], b.children[order[1]]), history)

    def _response(self, nodes: tuple[int, int], history: History) -> None:
        k = len(history)
        for branch, v in enumerate(nodes):
            nd = self.g.nodes[v]
            h = self.g.infosets[nd.infoset]
            if len(h.nodes) != 1 or len(h.actions) != 2:
                raise NotReputation(f"the long-run player's set '{h.name}' must be one node with two actions")
            if self.long_run not in (None, nd.player) or nd.player in self.challengers:
                raise NotReputation("more than one player responds to challenges")
            self.long_run = nd.player
            self._same_actions("long-run", h.actions, h.name)
            self.long_run_sets[h.index] = (branch, k, history)
        a, b = (self.g.nodes[v] for v in nodes)
        for j, o in enumerate((RESIST, YIELD)):  # tree action order for now; reordered in _assemble
            self._stage((a.children[j], b.children[j]), (*history, o))

    def _same_actions(self, who: str, actions: tuple[str, ...], name: str) -> None:
        seen = self.actions.setdefault(who, actions)
        if seen != actions:
            raise NotReputation(f"'{name}' offers {actions}, other {who} sets {seen}")

    # ------------------------------------------------------------------ payoffs
    def _payoff(self, branch: int, history: History, player: int) -> Fraction:
        v = self.terminals[history][branch]
        return exact_number(self.g.payoff_values[self.g.terminal_index(v)][player], "a payoff")

    def _stage_payoffs(self, n: int) -> list[list[list[list[Fraction]]]]:
        """Per stage, per branch: [long-run payoffs (3), challenger payoffs (3)] (tree action order)."""
        lr = self.long_run
        assert lr is not None
        quiet = (QUIET,) * n
        tables = []
        for k in range(n):
            per_branch = []
            for br in (0, 1):
                base = self._payoff(br, quiet, lr)
                hist = [(*quiet[:k], o, *quiet[k + 1:]) for o in (QUIET, RESIST, YIELD)]
                lrow = [self._payoff(br, h, lr) - (base if k else 0) for h in hist]
                crow = [self._payoff(br, h, self.challengers[k]) for h in hist]
                per_branch.append([lrow, crow])
            tables.append(per_branch)
        self._check_additive(tables, n)
        return tables

    def _check_additive(self, tables: list, n: int) -> None:
        lr = self.long_run
        assert lr is not None
        for history in self.terminals:
            for br in (0, 1):
                total = sum((tables[k][br][0][o] for k, o in enumerate(history)), Fraction(0))
                if not _close(self._payoff(br, history, lr), total):
                    raise NotReputation("the long-run player's payoffs are not a sum of stage payoffs")
                for k, o in enumerate(history):
                    if not _close(self._payoff(br, history, self.challengers[k]), tables[k][br][1][o]):
                        raise NotReputation(f"challenger {k + 1}'s payoff depends on other stages")

    def _labelled_yield(self, n: int) -> int | None:
        """The tree index of the response the outcome labels call giving in, if they say.

        That is the response whose terminals after a single challenge (stage ``k`` challenged,
        every other stage quiet) carry ``capitulation`` for both types in every stage, while
        the other response's never do; ``None`` if no response is labelled so.
        """
        quiet = (QUIET,) * n

        def gives_in(k: int, o: int) -> list[bool]:
            history = (*quiet[:k], o, *quiet[k + 1:])
            nodes = self.terminals[history]
            return ["capitulation" in self.g.terminal_outcomes[self.g.terminal_index(v)] for v in nodes]

        marks = [[gives_in(k, o) for k in range(n)] for o in (RESIST, YIELD)]  # tree action order
        for j in (0, 1):
            if all(all(m) for m in marks[j]) and not any(any(m) for m in marks[1 - j]):
                return j
        return None

    # ------------------------------------------------------------------ the compact game
    def _assemble(self, tables: list, resolute: int, resist: int) -> Structure:
        # tree order of the response actions: j = 0, 1 stood for RESIST, YIELD provisionally
        order_resp = (resist, 1 - resist)
        branches = (resolute, 1 - resolute)
        stages = []
        for k, per_branch in enumerate(tables):
            lrows, crows = [], []
            for br in branches:
                lrow, crow = per_branch[br]
                lrows.append((lrow[QUIET], lrow[1 + order_resp[0]], lrow[1 + order_resp[1]]))
                crows.append((crow[QUIET], crow[1 + order_resp[0]], crow[1 + order_resp[1]]))
            stages.append(CrisisStage(self.g.players[self.challengers[k]], tuple(lrows), tuple(crows)))
        probs = self.g.chance_infos[0].probs
        types = tuple(self.g.chance_infos[0].actions[b] for b in branches)
        chal = self.actions["challenger"]
        resp = self.actions["long-run"]
        assert self.challenge_order is not None and self.long_run is not None
        game = ReputationGame(
            long_run=self.g.players[self.long_run], types=(types[0], types[1]),
            prior=exact_number(probs[resolute], "a chance probability"), stages=tuple(stages),
            challenge_actions=(chal[self.challenge_order[0]], chal[self.challenge_order[1]]),
            response_actions=(resp[order_resp[0]], resp[order_resp[1]]), title=self.g.title)
        swap = resist == 1
        recode = {QUIET: QUIET, RESIST: YIELD if swap else RESIST, YIELD: RESIST if swap else YIELD}
        lr_sets = {h: (branches.index(br), k, tuple(recode[o] for o in hist))
                   for h, (br, k, hist) in self.long_run_sets.items()}
        ch_sets = {h: (k, tuple(recode[o] for o in hist)) for h, (k, hist) in self.challenger_sets.items()}
        return Structure(game=game, type_branch=branches, challenger_sets=ch_sets, long_run_sets=lr_sets,
                         response_order=order_resp, challenge_order=self.challenge_order)


def _resolute(tables: list, labelled_yield: int | None = None) -> list[tuple[int, int]]:
    """The readings (branch of the resolute type, tree index of its preferred response, *resist*).

    The types must disagree strictly in every stage; then either response could be called
    resist. Readings come in order of preference: first the one whose resist is not the response
    the outcome labels call giving in (``labelled_yield``, the tree index of that response, if
    the labels say), then resist the response the challengers like less (their payoffs summed
    over stages and types), the one that makes a challenge unattractive.
    """
    found = [(br, j) for br in (0, 1) for j in (0, 1)
             if all(t[br][0][1 + j] > t[br][0][2 - j] and t[1 - br][0][2 - j] > t[1 - br][0][1 + j]
                    for t in tables)]
    if not found:
        raise NotReputation("no type strictly prefers one response, and the other type the other, in every "
                            "stage")

    def challengers_payoff(j: int) -> Fraction:
        return sum((t[br][1][1 + j] for t in tables for br in (0, 1)), Fraction(0))

    return sorted(found, key=lambda f: (f[1] == labelled_yield, challengers_payoff(f[1])))


def _close(a: Fraction, b: Fraction) -> bool:
    return a == b or abs(a - b) <= _FLOAT_TOL * max(1, abs(a), abs(b))
