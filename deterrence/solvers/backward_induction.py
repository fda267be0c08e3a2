"""Subgame-perfect equilibria: backward induction, subgame by subgame, with ties reported.

The game is cut at every node that roots a proper subgame (``game.subgame_roots()``). The
subgames are solved deepest first; each solved subgame is replaced by the payoff vector of
each of its equilibria in turn, and the next subgame up is solved with those payoffs (one
branch of the roll-back per combination of equilibria below). So:

* **Perfect information** (every decision node roots a subgame, chance nodes allowed): each
  reduced subgame is one decision, solved by taking the best actions. Where the mover is
  indifferent (within ``tol``) every best action gives an equilibrium: all pure SPE are
  enumerated, and the notes say at how many nodes ties occurred. Mixtures over tied actions
  are subgame perfect as well (a continuum), so a game with ties is reported with
  ``complete=False`` and ``degenerate=True``: every *pure* SPE is listed, not the continuum.
* **Information sets**: a reduced subgame that is not a single decision (it has information
  sets of several nodes, and no proper subgame inside) is solved for all its Nash equilibria
  by the method ``deterrence.solve(subgame, "nash")`` would choose, and each of them is
  certified (:func:`deterrence.certificates.certify_candidate`) before it is rolled back;
  mixed equilibria of such subgames yield mixed SPE. The result is complete when every such
  solve was complete and non-degenerate.

Options (``solve(..., **options)``): see :class:`BackwardInductionOptions`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..certificates import certify_candidate
from ..errors import ResourceError, SolverError
from ..game.extensive import CHANCE, DECISION, TERMINAL, ExtensiveFormGame
from ._dispatch import sub_candidates
from ._tree_utils import subtree_game
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions


class _Sol(NamedTuple):
    """One equilibrium of a subgame: its payoff vector (and its bytes, to group equal payoffs) and
    the moves it prescribes (a tree of parts). A named tuple: ties can make millions of them."""

    payoff: np.ndarray
    key: bytes
    own: tuple[tuple[int, np.ndarray], ...]
    below: tuple[_Sol, ...]

    def assignments(self) -> Iterator[tuple[int, np.ndarray]]:
        stack: list[_Sol] = [self]
        while stack:
            s = stack.pop()
            yield from s.own
            stack.extend(s.below)


@dataclass
class _Log:
    ties: set[int] = field(default_factory=set)
    capped: bool = False
    incomplete: list[str] = field(default_factory=list)
    degenerate_subgames: list[str] = field(default_factory=list)
    nash_solves: int = 0


@dataclass(frozen=True)
class BackwardInductionOptions(SolverOptions):
    """Options of ``backward_induction``.

    Parameters
    ----------
    max_equilibria
        Cap on the number of SPE listed (and of equilibria kept per subgame); at least 1.
    subgame_method
        The Nash method for subgames with information sets: ``"auto"`` or a method name.
    """

    max_equilibria: int = 1000
    subgame_method: str = "auto"


def _nested_roots(game: ExtensiveFormGame, roots: list[int]) -> dict[int, list[int]]:
    """For each subgame root, the subgame roots directly inside it (no other root in between)."""
    kids: dict[int, list[int]] = {r: [] for r in roots}
    stack: list[int] = []
    for r in roots:  # preorder
        while stack and not (stack[-1] < r < game.nodes[stack[-1]].end):
            stack.pop()
        if stack:
            kids[stack[-1]].append(r)
        stack.append(r)
    return kids


def listing_order(game: ExtensiveFormGame) -> list[int] | None:
    """The information sets of a perfect-information game in the order that ranks its listed SPE.

    :func:`spe_candidates` solves the subgames deepest first and lists, at each subgame root,
    the combinations of its nested subgames' equilibria in ``itertools.product`` order (the
    first nested subgame varies slowest), each followed by the root's best actions in action
    order. With perfect information every decision node roots a subgame, so the pure SPE come
    out sorted lexicographically by the action they play at each decision node, the nodes
    taken in postorder of the subgames (nested subgames left to right, each before its root).
    Whatever the point, at any ties: the compiled kernels sort their structures by this key
    (:class:`deterrence.kernels._compiled.CompiledModel`) so that a sweep lists equilibria in
    the same order on both paths.

    Parameters
    ----------
    game
        A game with perfect information (one node per information set).

    Returns
    -------
    list of int or None
        Information set indices, most significant first, each once; ``None`` if some decision
        node roots no subgame (a chance set spanning several branches joins them into one
        subgame, solved for its Nash equilibria, in the Nash solver's order).
    """
    if game.nodes[0].kind == TERMINAL:
        return []
    roots = game.subgame_roots()
    rooted = set(roots)
    if any(nd.kind == DECISION and nd.index not in rooted for nd in game.nodes):
        return None
    nested = _nested_roots(game, roots)
    order: list[int] = []
    stack: list[tuple[int, bool]] = [(0, False)]
    while stack:
        s, expanded = stack.pop()
        if expanded:
            if game.nodes[s].kind == DECISION:
                order.append(game.nodes[s].infoset)
            continue
        stack.append((s, True))
        stack.extend((k, False) for k in reversed(nested[s]))
    return order


def _region(game: ExtensiveFormGame, s: int, cut: set[int]) -> list[int]:
    """Nodes of the subgame at ``s`` that are not inside a nested subgame (cut nodes included as leaves)."""
    out = []
    stack = [s]
    while stack:
        v = stack.pop()
        out.append(v)
        if v != s and v in cut:
            continue
        stack.extend(game.nodes[v].children)
    return out


def _leaf_value(game: ExtensiveFormGame, v: int, s: int, cut_values: dict[int, np.ndarray]) -> np.ndarray:
    """Value of a node of a decision-free part of a region (chance nodes, terminals, cut subgames)."""
    if v != s and v in cut_values:
        return cut_values[v]
    nd = game.nodes[v]
    if nd.kind == TERMINAL:
        return game.payoffs[game.terminal_index(v)]
    if nd.kind == CHANCE:
        ci = game.chance_infos[nd.infoset]
        return sum(
            (
                float(p) * _leaf_value(game, c, s, cut_values)
                for p, c in zip(ci.probs, nd.children, strict=True)
            ),
            start=np.zeros(game.num_players),
        )
    raise SolverError(f"internal: decision node '{nd.path}' inside a decision-free region")


def _solve_region(
    game: ExtensiveFormGame,
    s: int,
    cut_values: dict[int, np.ndarray],
    options: SolveOptions,
    log: _Log,
    name_to_index: dict[str, int],
) -> list[tuple[np.ndarray, tuple[tuple[int, np.ndarray], ...]]]:
    """Equilibria of the subgame at ``s`` with nested subgames replaced by ``cut_values``."""
    region = _region(game, s, set(cut_values))
    deciders = [v for v in region if game.nodes[v].kind == DECISION and not (v != s and v in cut_values)]
    if not deciders:
        return [(_leaf_value(game, s, s, cut_values), ())]
    nd = game.nodes[s]
    if deciders == [s] and len(game.infosets[nd.infoset].nodes) == 1:
        # one decision with known position: take the best actions, every tie is an equilibrium
        h = game.infosets[nd.infoset]
        vals = np.array([_leaf_value(game, c, s, cut_values) for c in nd.children])
        own = vals[:, nd.player]
        best = own.max()
        winners = np.flatnonzero(own >= best - options.tol)
        if len(winners) > 1:
            log.ties.add(s)
        out = []
        for a in winners:
            beh = np.zeros(len(h.actions))
            beh[a] = 1.0
            out.append((vals[a].copy(), ((h.index, beh),)))
        return out
    # a reduced subgame with information sets: all its Nash equilibria
    return _nash_of_subgame(game, s, cut_values, options, log, name_to_index)


def _nash_of_subgame(
    game: ExtensiveFormGame,
    s: int,
    cut_values: dict[int, np.ndarray],
    options: SolveOptions,
    log: _Log,
    name_to_index: dict[str, int],
) -> list[tuple[np.ndarray, tuple[tuple[int, np.ndarray], ...]]]:
    """Every Nash equilibrium of the reduced subgame at ``s``, each certified, with its payoffs."""
    sub = subtree_game(game, s, cut_values)
    method = options.of(BackwardInductionOptions).subgame_method
    found = sub_candidates(sub, "nash", method, options)
    log.nash_solves += 1
    where = game.nodes[s].path
    if not found.complete:
        log.incomplete.append(
            f"the Nash solve of the subgame at '{where}' ({found.info.name}) is not complete"
        )
    if found.degenerate:
        log.degenerate_subgames.append(where)
    if not found.candidates:
        raise SolverError(f"no Nash equilibrium found for the subgame at '{where}' by '{found.info.name}'")
    out = []
    for cand in found.candidates:
        certify_candidate(sub, cand, "nash", options.tol, options.exact)
        strategies = [np.asarray(b, dtype=float) for b in cand.strategies]
        value = dict(zip(sub.players, sub.expected_payoffs(strategies), strict=True))
        pay = np.array([value[p] for p in game.players], dtype=float)
        parts = tuple((name_to_index[h.name], b) for h, b in zip(sub.infosets, strategies, strict=True))
        out.append((pay, parts))
    return out


def spe_candidates(game: ExtensiveFormGame, options: SolveOptions) -> tuple[list[Candidate], _Log, int]:
    """All SPE found by rolling back subgames; returns candidates, the log and the cap."""
    cap = options.of(BackwardInductionOptions).max_equilibria
    if cap < 1:
        raise SolverError(f"max_equilibria must be at least 1, got {cap}")
    log = _Log()
    if game.nodes[0].kind == TERMINAL:
        return [Candidate(strategies=())], log, cap
    roots = game.subgame_roots()
    nested = _nested_roots(game, roots)
    name_to_index = {h.name: h.index for h in game.infosets}
    sols: dict[int, list[_Sol]] = {}
    for s in reversed(roots):
        kids = nested[s]
        out: list[_Sol] = []
        # the region's equilibria depend on the nested subgames' payoffs only: solved once per
        # distinct combination of payoffs (ties give many combinations of the same payoffs)
        solved: dict[tuple[bytes, ...], list[tuple[np.ndarray, tuple[tuple[int, np.ndarray], ...]]]] = {}
        for combo in itertools.product(*(sols[k] for k in kids)):
            key = tuple(sol.key for sol in combo)
            if key not in solved:
                cut_values = {k: sol.payoff for k, sol in zip(kids, combo, strict=True)}
                solved[key] = _solve_region(game, s, cut_values, options, log, name_to_index)
            for pay, own in solved[key]:
                out.append(_Sol(pay, pay.tobytes(), own, combo))
                if len(out) >= cap:
                    break
            if len(out) >= cap:
                log.capped = True
                break
        sols[s] = out
        for k in kids:  # free memory of solved children (kept alive through _Sol.below)
            del sols[k]
    cands = []
    for sol in sols[0]:
        strategies: list[np.ndarray | None] = [None] * len(game.infosets)
        for k, b in sol.assignments():
            strategies[k] = b
        missing = [game.infosets[k].name for k, b in enumerate(strategies) if b is None]
        if missing:
            raise SolverError(f"internal: no move computed at information set(s) {missing}")
        cands.append(Candidate(strategies=tuple(strategies)))  # type: ignore[arg-type]
    return cands, log, cap


#: about how many operations certifying and reporting one equilibrium takes, per node and player
#: (the front door certifies every candidate: each is a pass over the tree in Python)
WRAP_COST = 1000


def _check_report_work(
    game: ExtensiveFormGame, cands: list[Candidate], log: _Log, options: SolveOptions
) -> None:
    """Refuse to hand over more equilibria than can be certified and reported within ``max_work``.

    Ties multiply the pure SPE (a chain of tied choices has 2**n of them), so the number found is
    known only now; each costs a pass over the tree downstream.
    """
    work = float(len(cands)) * len(game.nodes) * game.num_players * WRAP_COST
    if len(cands) > 1 and work > options.max_work:
        more = " (there are more)" if log.capped else ""
        raise ResourceError(
            f"backward induction found {len(cands):,} subgame-perfect equilibria{more}, the mover being "
            f"indifferent at {len(log.ties):,} node(s); certifying and reporting them on this tree of "
            f"{len(game.nodes):,} nodes would take about {work:.3g} operations, more than "
            f"max_work={options.max_work:.3g}: ask for fewer with the option max_equilibria (e.g. "
            f"max_equilibria={max(1, int(options.max_work // (work / len(cands))))}), or raise max_work",
            estimate=work,
        )


def _run(game: ExtensiveFormGame, options: SolveOptions) -> RawResult:
    cands, log, cap = spe_candidates(game, options)
    _check_report_work(game, cands, log, options)
    notes = []
    if log.ties:
        first = sorted(log.ties)[:10]  # in preorder; a path is built only for the nodes shown
        shown = ", ".join(f"'{game.nodes[v].path}'" for v in first) + (" ..." if len(log.ties) > 10 else "")
        notes.append(
            f"ties: the mover is indifferent at {len(log.ties)} node(s) ({shown}); every optimal "
            f"action gives an equilibrium: {len(cands)} pure SPE listed; mixtures over tied "
            "actions are subgame perfect too (a continuum, not listed)"
        )
    if log.capped:
        notes.append(f"stopped at max_equilibria={cap}: there are more SPE than listed")
    if log.degenerate_subgames:
        notes.append(
            "degenerate subgame(s) at "
            + ", ".join(f"'{p}'" for p in log.degenerate_subgames)
            + ": their equilibrium continua enter only through the extreme points the Nash solver "
            "returned"
        )
    notes.extend(log.incomplete)
    if log.nash_solves:
        notes.append(f"{log.nash_solves} subgame(s) with information sets solved for all Nash equilibria")
    complete = not (log.ties or log.capped or log.incomplete or log.degenerate_subgames)
    degenerate = bool(log.ties or log.degenerate_subgames)
    return RawResult(candidates=cands, complete=complete, degenerate=degenerate, notes=tuple(notes))


def _estimate(game: ExtensiveFormGame) -> float:
    # one pass over the tree per subgame level; Nash solves of imperfect-information
    # subgames check their own work estimate
    return 20.0 * len(game.nodes)


def _applicable(game: ExtensiveFormGame) -> str | None:
    bad = game.recall_violation()
    if bad is not None:
        return (f"'backward_induction' needs perfect recall (the game lacks it at information set "
                f"'{bad}'): a subgame's solution is then not a best reply of a player who forgets")
    return None


SOLVER = SolverInfo(
    name="backward_induction",
    concepts=frozenset({"spe"}),
    kinds=frozenset({"extensive"}),
    run=_run,
    options=BackwardInductionOptions,
    finds="all",
    estimate=_estimate,
    applicable=_applicable,
    description="subgame-perfect equilibria by backward induction subgame by subgame; ties reported",
)
