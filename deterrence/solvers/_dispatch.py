"""Dispatch: which solver serves a game and concept, with which options, within what work.

The one place that says

* which solver modules exist (:data:`SOLVER_MODULES`, loaded by :func:`registry`),
* which method ``method="auto"`` runs (:data:`AUTO`, first that serves and fits ``max_work``),
* how options are checked (:func:`check_options`, against each solver's options dataclass),
* how a solver is run (:func:`run_solver`) and its candidates deduplicated (:func:`dedupe`).

The front door :func:`deterrence.solve` uses it, and so do solvers that solve a smaller game
on the way (:func:`sub_candidates`: backward induction solves subgames, ``enumerate_reduced``
a reduced normal form, the PBE solver's Nash seeds a bimatrix game). Nothing here certifies:
the front door certifies every equilibrium it returns, and a solver that relies on the
equilibria of a sub-solve certifies them itself with :mod:`deterrence.certificates`.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from types import MappingProxyType
from typing import Any

import numpy as np

from ..equilibrium import instance
from ..errors import OptionError, ParameterError, ResourceError, SolverError, UnsupportedError
from ._options import OptionSpec, default_options, merge_specs, specs_of, typed_options, unknown_option
from .base import (
    CONCEPTS,
    Candidate,
    CandidateArrays,
    RawResult,
    SolveOptions,
    SolverInfo,
    distinct_rows,
    same_equilibrium,
)

#: the solver modules (each defines ``SOLVER``), in the order listings and messages name them
SOLVER_MODULES: tuple[str, ...] = (
    "pure",
    "vertex_enumeration",
    "support_enumeration",
    "lemke_howson",
    "polynomial",
    "homotopy",
    "sequence_form",
    "enumerate_reduced",
    "backward_induction",
    "pbe",
    "reputation",
    "qre",
    "collective",
    "pure_agent",
)

#: ``method="auto"``: (concept, game kind, two players?) -> methods in order of preference;
#: the first that serves the game and whose work estimate fits ``max_work`` runs
AUTO: dict[tuple[str, str, bool], tuple[str, ...]] = {
    ("nash", "normal", True): ("vertex_enumeration", "support_enumeration", "lemke_howson"),
    ("nash", "normal", False): ("polynomial", "homotopy"),
    ("nash", "extensive", True): ("enumerate_reduced", "sequence_form", "homotopy"),
    ("nash", "extensive", False): ("enumerate_reduced", "backward_induction", "homotopy"),
    ("spe", "extensive", True): ("backward_induction",),
    ("spe", "extensive", False): ("backward_induction",),
    ("pbe", "extensive", True): ("pbe", "reputation"),
    ("pbe", "extensive", False): ("pbe", "reputation"),
    ("pbe", "collective", False): ("collective",),
    ("qre", "normal", True): ("qre",),
    ("qre", "normal", False): ("qre",),
    ("qre", "extensive", True): ("qre",),
    ("qre", "extensive", False): ("qre",),
}


#: ``method="auto"``: (concept, game kind, two players?) -> methods tried, in order, when the method
#: ``auto`` chose finds one equilibrium and fails (:class:`~deterrence.SolverError`: the logit path of
#: ``homotopy`` stalls near a degenerate game); the first that serves and fits ``max_work`` runs
RESCUES: dict[tuple[str, str, bool], tuple[str, ...]] = {
    ("nash", "extensive", True): ("pure_agent",),
    ("nash", "extensive", False): ("pure_agent",),
}


@dataclass(frozen=True)
class StandIn:
    """A method of another concept that ``auto`` may run for a concept whose equilibria include its own.

    Attributes
    ----------
    concept
        The concept the method computes (e.g. ``"spe"``: every subgame-perfect equilibrium is
        a Nash equilibrium).
    applies
        ``applies(game) -> bool``: where it stands in.
    options
        The method's options when it stands in.
    note
        What the result says about it.
    """

    concept: str
    applies: Callable[[Any], bool]
    options: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


#: (concept, method) -> how a method of another concept stands in for ``auto``
STAND_INS: dict[tuple[str, str], StandIn] = {
    ("nash", "backward_induction"): StandIn(
        "spe", lambda g: g.is_perfect_information(), {"max_equilibria": 1},
        "a subgame-perfect equilibrium by backward induction (the tree has perfect information): every "
        "subgame-perfect equilibrium is a Nash equilibrium"),
}

#: options of :func:`deterrence.solve` itself, taken by every method
COMMON_OPTIONS: tuple[str, ...] = ("tol", "exact", "max_work", "time_limit")


@cache
def registry() -> dict[str, SolverInfo]:
    """All registered solvers by method name, in the order of :data:`SOLVER_MODULES`.

    The modules are loaded by name on the first call (plugins: a solver module may import
    this module to solve a sub-game, never the other way round at import time).
    """
    out: dict[str, SolverInfo] = {}
    for mod_name in SOLVER_MODULES:
        mod = importlib.import_module(f"{__package__}.{mod_name}")
        info: SolverInfo = mod.SOLVER
        out[info.name] = info
    return out


def auto_methods(concept: str, kind: str, two_player: bool, *, finds: str | None = None) -> tuple[str, ...]:
    """The methods ``method="auto"`` tries, in order, for a concept and game shape.

    ``finds="all"`` keeps only methods that find every equilibrium.
    """
    names = AUTO.get((concept, kind, two_player), ())
    if finds is None:
        return names
    reg = registry()
    return tuple(n for n in names if n in reg and reg[n].finds == finds)


def serving(game: Any, concept: str) -> list[str]:
    """The registered methods that can serve ``(game, concept)``."""
    return [name for name, info in registry().items() if info.serves(game, concept) is None]


# ---------------------------------------------------------------------------- work estimates
def estimate_work(info: SolverInfo, game: Any) -> float:
    """The solver's work estimate on ``game``; an estimate too large for a float counts as infinite."""
    if info.estimate is None:
        return 0.0
    try:
        return float(info.estimate(game))
    except OverflowError:
        return float("inf")


def check_work(info: SolverInfo, game: Any, max_work: float) -> None:
    """Raise :class:`~deterrence.ResourceError` if ``info``'s estimate on ``game`` exceeds ``max_work``."""
    if info.estimate is None:
        return
    est = estimate_work(info, game)
    if est > max_work:
        raise ResourceError(
            f"method '{info.name}' is estimated to need about {est:.3g} operations on this game, "
            f"more than max_work={max_work:.3g}; raise max_work to run it anyway",
            estimate=est,
        )


# ---------------------------------------------------------------------------- choosing a method
@dataclass(frozen=True)
class Choice:
    """The method :func:`choose` picked, and what the result must say about the choice.

    Attributes
    ----------
    info
        The solver to run.
    concept
        The concept it computes (another one when it stands in: see :data:`STAND_INS`).
    options
        Options it runs with unless the caller gives them.
    notes
        Why it was chosen, when ``auto`` fell back from methods that find every equilibrium.
    complete
        False when the result cannot be the complete set of the concept asked for.
    """

    info: SolverInfo
    concept: str
    options: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    complete: bool = True


#: the options of a :class:`Choice` that sets none (read only: ``choice_options`` copies them)
_NO_OPTIONS: Mapping[str, Any] = MappingProxyType({})


def _auto_serves(name: str, game: Any, concept: str) -> tuple[SolverInfo, StandIn | None] | None:
    """The solver ``auto`` may run under ``name`` for ``(game, concept)``, if it serves it."""
    info = registry()[name]
    stand = STAND_INS.get((concept, name))
    if stand is not None:
        if not stand.applies(game) or info.serves(game, stand.concept) is not None:
            return None
        return info, stand
    return (info, None) if info.serves(game, concept) is None else None


def _fallback_note(concept: str, info: SolverInfo, skipped: list[tuple[str, float]], max_work: float) -> str:
    big = ", ".join(f"'{n}' (about {e:.3g} operations)" for n, e in skipped)
    return (f"every method that finds all {concept} equilibria of this game is estimated to exceed "
            f"max_work={max_work:.3g}: {big}; fell back to '{info.name}', which finds one "
            "(complete=False: other equilibria may exist; raise max_work to run the complete method)")


def choose(game: Any, concept: str, method: str = "auto", max_work: float = 1e9) -> Choice:
    """The method ``solve`` runs for ``(game, concept, method)``, with the notes the choice needs.

    With ``method="auto"`` the methods of :data:`AUTO` are tried in order; the first that serves
    the game and whose estimate fits ``max_work`` runs. When it finds one equilibrium after
    every method that finds all of them was skipped for its work estimate, the choice says so.

    Raises
    ------
    UnsupportedError
        If no registered method serves the combination (the message names those that
        serve the concept for other games, or the game for other concepts).
    ResourceError
        If every serving method estimates more work than ``max_work`` (the message lists each
        with its estimate, the last one tried included).
    """
    reg = registry()
    if method != "auto":
        if method not in reg:
            raise UnsupportedError(f"unknown method '{method}'", methods=tuple(serving(game, concept)))
        info = reg[method]
        reason = info.serves(game, concept)
        if reason is not None:
            raise UnsupportedError(reason, methods=tuple(serving(game, concept)))
        check_work(info, game, max_work)
        return instance(Choice, {"info": info, "concept": concept, "options": _NO_OPTIONS, "notes": (),
                                 "complete": True})  # Choice(info, concept), without the per-field setattr
    too_big: list[tuple[str, float]] = []
    refused: list[str] = []
    for name in auto_methods(concept, game.kind, game.num_players == 2):
        found = _auto_serves(name, game, concept)
        if found is None:
            reason = reg[name].serves(game, concept)
            if reason is not None:
                refused.append(reason)
            continue
        info, stand = found
        est = estimate_work(info, game)
        if est > max_work:
            too_big.append((name, est))
            continue
        return _choice(info, stand, concept, too_big, max_work)
    if too_big:
        listed = ", ".join(f"'{n}' about {e:.3g}" for n, e in too_big)
        raise ResourceError(
            f"every method for {concept} on this game is estimated to need too much work (max_work="
            f"{max_work:.3g}): {listed} operations; the last, '{too_big[-1][0]}', is the last resort; "
            "raise max_work to run one anyway",
            estimate=min(e for _, e in too_big),
        )
    bad = game.recall_violation() if game.kind == "extensive" else None
    if bad is not None and not any(f"'{bad}'" in r for r in refused):
        refused.append(f"the game lacks perfect recall at information set '{bad}'")
    why = f" like this one ({'; '.join(dict.fromkeys(refused))})" if refused else ""
    raise UnsupportedError(
        f"no method computes {concept} equilibria of {game.num_players}-player {game.kind}-form games{why}",
        methods=tuple(serving(game, concept)),
    )


def _choice(info: SolverInfo, stand: StandIn | None, concept: str, too_big: list[tuple[str, float]],
            max_work: float) -> Choice:
    notes: list[str] = []
    skipped_all = [(n, e) for n, e in too_big
                   if registry()[n].finds == "all" and (concept, n) not in STAND_INS]
    fell_back = bool(skipped_all) and (info.finds != "all" or stand is not None)
    if fell_back:
        notes.append(_fallback_note(concept, info, skipped_all, max_work))
    if stand is not None:
        notes.append(stand.note)
        return Choice(info, stand.concept, stand.options, tuple(notes), complete=False)
    return Choice(info, concept, {}, tuple(notes), complete=not fell_back)


def choose_method(game: Any, concept: str, method: str = "auto", max_work: float = 1e9) -> SolverInfo:
    """The solver ``solve`` would run for ``(game, concept, method)`` (see :func:`choose`)."""
    return choose(game, concept, method, max_work).info


def check_concept(concept: str) -> None:
    """Raise :class:`~deterrence.UnsupportedError` for an unknown concept."""
    if concept not in CONCEPTS:
        raise UnsupportedError(f"unknown concept '{concept}'; concepts are {', '.join(CONCEPTS)}")


def check_game_kind(game: Any, concept: str) -> None:
    """Raise :class:`~deterrence.UnsupportedError` if ``concept`` needs a tree and ``game`` is a matrix."""
    if concept in ("spe", "pbe") and game.kind == "normal":
        raise UnsupportedError(
            f"{concept} needs an extensive-form game (a tree); a normal-form game has only Nash and QRE",
            methods=tuple(serving(game, "nash")),
        )


# ---------------------------------------------------------------------------- options
def check_common(tol: Any, exact: Any, max_work: Any, time_limit: Any = None,
                 started: float | None = None) -> SolveOptions:
    """The options every method takes, checked (as :func:`deterrence.solve` does).

    ``started`` is the ``time.perf_counter()`` at which the caller's solve began: the time limit
    counts from there (``None``: from when the solver starts, see :func:`run_solver`).

    Raises
    ------
    SolverError
        ``tol`` not a positive finite number, ``max_work`` not a positive number, or
        ``exact`` not a bool.
    OptionError
        ``time_limit`` neither ``None`` nor a positive number of seconds.
    """
    if not _positive_number(tol) or not math.isfinite(tol):
        raise SolverError(f"tol must be a positive number, got {tol!r}")
    if not _positive_number(max_work):
        raise SolverError(f"max_work must be a positive number, got {max_work!r}")
    if not isinstance(exact, bool):
        raise SolverError(f"exact must be True or False, got {exact!r}")
    if time_limit is not None and not (_positive_number(time_limit) and math.isfinite(time_limit)):
        raise OptionError(f"time_limit must be None or a positive number of seconds, got {time_limit!r}",
                          name="time_limit", value=time_limit, method="solve")
    return _solve_options(tol, exact, max_work, None, None if time_limit is None else float(time_limit),
                          started)


def _solve_options(tol: float, exact: bool, max_work: float, typed: Any, time_limit: float | None = None,
                   started: float | None = None) -> SolveOptions:
    """``SolveOptions`` of values already checked (built without the dataclass's per-field setattr)."""
    return instance(SolveOptions, {"tol": tol, "exact": exact, "max_work": max_work, "method_options": typed,
                                   "time_limit": time_limit, "started": started})


def _positive_number(x: Any) -> bool:
    if type(x) is float or type(x) is int:  # the common case, without the isinstance chain
        return x > 0
    return (not isinstance(x, bool) and isinstance(x, int | float | np.floating | np.integer)
            and bool(x > 0))


def method_options(info: SolverInfo, common: SolveOptions, options: Mapping[str, Any]) -> SolveOptions:
    """``common`` with ``info``'s own options checked and typed from keyword ``options``.

    Raises
    ------
    OptionError
        An option the method does not declare, or a value of the wrong type.
    """
    typed = typed_options(info.options, options, info.name) if options else default_options(info.options)
    return _solve_options(common.tol, common.exact, common.max_work, typed, common.time_limit, common.started)


def _candidate_methods(concept: str, method: str, game: Any) -> tuple[str, ...]:
    """The methods ``solve`` may run: the one named, or those ``auto`` may choose."""
    reg = registry()
    if method != "auto":
        if method not in reg:
            raise UnsupportedError(f"unknown method '{method}'", methods=tuple(reg))
        reason = None if game is None else reg[method].serves(game, concept)
        if reason is not None:
            raise UnsupportedError(reason, methods=tuple(serving(game, concept)))
        return (method,)
    if game is not None:
        names = auto_methods(concept, game.kind, game.num_players == 2)
        return tuple(n for n in names if _auto_serves(n, game, concept) is not None) or names
    return tuple(dict.fromkeys(n for (c, _, _), names in AUTO.items() if c == concept for n in names))


def check_options(concept: str, options: Mapping[str, Any], method: str = "auto",
                  game: Any = None) -> SolveOptions:
    """Check :func:`deterrence.solve`'s keyword options before solving; return them typed.

    Parameters
    ----------
    concept
        The solution concept.
    options
        Keyword options as given to ``solve`` (``tol``, ``exact``, ``max_work`` and the
        method's own, e.g. ``belief_policy``, ``lam``, ``max_mixed_sets``); a ``method``
        key, as in a sweep's ``solve_options``, stands for the argument ``method``.
    method
        A method name, or ``"auto"``.
    game
        The game (or one like those to be solved), if known: with ``method="auto"`` it
        decides which methods may run (ignoring their work estimates).

    Returns
    -------
    SolveOptions
        The common options, and ``method_options`` typed for the method when only one can
        run (``None`` when ``auto`` may choose among several: each option was then checked
        against every candidate method that declares it).

    Raises
    ------
    UnsupportedError
        Unknown concept or method, or (with ``game``) a method that does not serve it.
    SolverError
        A bad ``tol``, ``exact`` or ``max_work``.
    OptionError
        An option no candidate method declares (the closest valid name is suggested), or a
        value of the wrong type.
    """
    check_concept(concept)
    given = dict(options)
    if "method" in given:  # solve_options of a sweep may name the method
        named = given.pop("method")
        if method not in ("auto", named):
            raise ParameterError(f"two methods given: '{method}' and '{named}'", name="method", value=named)
        method = named
    common = check_common(given.pop("tol", 1e-8), given.pop("exact", False), given.pop("max_work", 1e9),
                          given.pop("time_limit", None))
    if game is not None:
        check_game_kind(game, concept)
    reg = registry()
    names = _candidate_methods(concept, method, game)
    if len(names) == 1:
        return method_options(reg[names[0]], common, given)
    label = f"auto ({', '.join(names)})"
    specs = merge_specs(specs_of(reg[n].options, n) for n in names)
    for name, value in given.items():
        if name not in specs:
            raise unknown_option(name, label, tuple(specs), value)
        for n in specs[name].methods:
            typed_options(reg[n].options, {name: value}, n)
    return common


def belief_options(concept: str, belief_policy: str = "free") -> dict[str, str]:
    """The keyword options that carry a belief policy to :func:`deterrence.solve` for ``concept``.

    ``{"belief_policy": belief_policy}`` for PBE; ``{}`` for the other concepts, which have no
    beliefs (``solve`` rejects ``belief_policy`` for their methods). For callers that solve
    several concepts with one policy setting, e.g. a sweep.
    """
    return {"belief_policy": belief_policy} if concept == "pbe" else {}


def solver_options(method: str | None = None, *, concept: str | None = None) -> dict[str, OptionSpec]:
    """The options a solver takes beyond ``tol``, ``exact`` and ``max_work``, by name.

    Parameters
    ----------
    method
        A method name (see ``deterrence.solvers.registry()``); ``None`` or ``"auto"``: every
        method (that computes ``concept``, if given).
    concept
        With no method: only the methods that compute this concept.

    Returns
    -------
    dict
        ``{name: OptionSpec}``: type, default, allowed values, explanation, and the methods
        that take the option.

    Raises
    ------
    UnsupportedError
        Unknown method or concept.

    Examples
    --------
    >>> import deterrence as dt
    >>> spec = dt.solver_options("pbe")["belief_policy"]
    >>> spec.default, spec.choices
    ('free', ('free', 'prior', 'd1'))
    """
    reg = registry()
    if method not in (None, "auto"):
        if method not in reg:
            raise UnsupportedError(f"unknown method '{method}'", methods=tuple(reg))
        return specs_of(reg[method].options, method)
    if concept is not None and concept not in CONCEPTS:
        raise UnsupportedError(f"unknown concept '{concept}'; concepts are {', '.join(CONCEPTS)}")
    names = [n for n, info in reg.items() if concept is None or concept in info.concepts]
    return merge_specs(specs_of(reg[n].options, n) for n in names)


# ---------------------------------------------------------------------------- running
def run_solver(info: SolverInfo, game: Any, options: SolveOptions) -> RawResult:
    """``info.run(game, options)``; a tree too deep for Python's recursion is a ResourceError.

    Starts the solve's clock (``options.started``) unless a caller already did (``solve`` starts it
    on entry), or nothing reads it: a solver that does not stop at the time limit
    (``SolverInfo.stops_at_time_limit`` False) and no limit given. A result that comes past
    ``options.time_limit`` gets a note saying so: from a solver that does not stop at it, or from
    one that does but finished between two of its checks (they come before it loads its compiled
    kernels and between stretches of work, not during a kernel's compilation or a stretch).
    """
    if options.started is None and (options.time_limit is not None or info.stops_at_time_limit):
        # (as ``replace``, without the dataclass's checks: one field changes)
        options = instance(SolveOptions, {**options.__dict__, "started": time.perf_counter()})
    try:
        raw = info.run(game, options)
    except RecursionError:
        raise ResourceError(
            f"the game tree is too deep for method '{info.name}' (Python recursion limit); "
            "shorten the tree or raise sys.setrecursionlimit"
        ) from None
    if options.time_limit is None:
        return raw
    spent = time.perf_counter() - options.started
    if spent > options.time_limit:
        why = ("finished between two of its checks of time_limit" if info.stops_at_time_limit
               else "does not stop at time_limit")
        raw = replace(raw, notes=(*raw.notes, f"method '{info.name}' {why}: it ran "
                                  f"{spent:.3g} s, past the limit of {options.time_limit:g} s"))
    return raw


def run_choice(choice: Choice, game: Any, options: SolveOptions) -> RawResult:
    """Run the chosen method (:func:`run_solver`); the result carries the choice's notes and limits."""
    raw = run_solver(choice.info, game, options)
    if not choice.notes and choice.complete:
        return raw
    notes = tuple(n for n in raw.notes if not (choice.options and n.startswith("stopped at max_equilibria")))
    return replace(raw, complete=raw.complete and choice.complete, notes=(*choice.notes, *notes))


def run_auto(game: Any, concept: str, method: str, max_work: float, common: SolveOptions,
             options: Mapping[str, Any]) -> tuple[SolverInfo, SolveOptions, RawResult]:
    """Choose a method (:func:`choose`), run it (:func:`run_choice`), and return what ran, with
    which options, and its result.

    When ``method="auto"`` chose a method that finds one equilibrium and it fails with a
    :class:`~deterrence.SolverError`, the methods of :data:`RESCUES` that serve the game and fit
    ``max_work`` run in turn (with none of the caller's method options: those were meant for the
    method that failed); the result then says what failed (a note, ``complete=False``).

    Raises
    ------
    SolverError
        If the method fails and no rescue runs, or every rescue fails or finds no equilibrium
        (the message says what each method reported and what the caller can do).
    """
    choice = choose(game, concept, method, max_work)
    failed: list[tuple[str, str]] = []
    while True:
        opts = method_options(choice.info, common, choice_options(choice, options if not failed else {}))
        try:
            raw = run_choice(choice, game, opts)
        except SolverError as exc:
            if method != "auto" or choice.info.finds == "all" or (options and not failed):
                raise
            failed.append((choice.info.name, str(exc)))
            rescue = _rescue(game, concept, max_work, [name for name, _ in failed])
            if rescue is None and len(failed) == 1:  # nothing else ran: the method's own error and advice
                raise SolverError(f"{exc}{_too_big_rescues(game, concept, max_work)}") from None
            if rescue is None:
                raise SolverError(_failed_message(game, concept, failed)) from None
            choice = rescue
            continue
        if not failed:
            return choice.info, opts, raw
        if len(raw.candidates) == 0:
            failed.append((choice.info.name, "it found no equilibrium"))
            raise SolverError(_failed_message(game, concept, failed)) from None
        why = "; ".join(f"'{name}' failed ({msg})" for name, msg in failed)
        note = f"{why}; ran '{choice.info.name}' instead"
        return choice.info, opts, replace(raw, complete=False, notes=(note, *raw.notes))


def _rescue(game: Any, concept: str, max_work: float, tried: Sequence[str]) -> Choice | None:
    """The next method of :data:`RESCUES` not yet tried that serves the game and fits ``max_work``."""
    for name in RESCUES.get((concept, game.kind, game.num_players == 2), ()):
        info = registry().get(name)
        if (name in tried or info is None or info.serves(game, concept) is not None
                or estimate_work(info, game) > max_work):
            continue
        return Choice(info, concept, {}, (), complete=False)
    return None


def _too_big_rescues(game: Any, concept: str, max_work: float) -> str:
    """The rescues of :data:`RESCUES` skipped for their work estimate, as a clause ("" if none)."""
    big = [(name, estimate_work(registry()[name], game))
           for name in RESCUES.get((concept, game.kind, game.num_players == 2), ())
           if registry()[name].serves(game, concept) is None]
    big = [(name, est) for name, est in big if est > max_work]
    if not big:
        return ""
    listed = ", ".join(f"'{name}' (about {est:.3g} operations)" for name, est in big)
    return f" ({listed} did not run: more than max_work={max_work:.3g})"


def _failed_message(game: Any, concept: str, failed: Sequence[tuple[str, str]]) -> str:
    """What each method tried reported, and what the caller can do instead."""
    tried = "; ".join(f"'{name}': {msg}" for name, msg in failed)
    if game.kind == "extensive":
        instead = ("try concept='spe' or 'pbe' (each such equilibrium is a Nash equilibrium), raise max_work "
                   "for a method that finds every equilibrium, or move the parameters off the threshold "
                   "where the game is (nearly) degenerate")
    else:
        instead = ("raise max_work for a method that finds every equilibrium, or move the parameters off "
                   "the threshold where the game is (nearly) degenerate")
    return f"no method found a {concept} equilibrium of this game: {tried}; {instead}"


def choice_options(choice: Choice, options: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword options the chosen method runs with: the choice's defaults, then the caller's."""
    return {**choice.options, **options}


def _flat(c: Candidate) -> np.ndarray:
    """The candidate's strategies, then its beliefs, each as a flat float vector, one after another.

    One concatenation when every vector is one-dimensional and of a type numpy casts to float
    (``same_kind``: bool, integers, floats), as the solvers give them: the same numbers as each
    vector converted alone (``np.asarray(v, dtype=float)``, the same cast). Anything else (a
    scalar, a 2-d vector, ``Fraction`` objects, strings, no vector at all) is converted vector by
    vector."""
    parts = c.strategies if c.beliefs is None else (*c.strategies, *c.beliefs)
    try:
        out = np.concatenate(parts, dtype=float)
    except (ValueError, TypeError):
        out = None
    if out is not None and out.ndim == 1:
        return out
    flats = [np.asarray(v, dtype=float).ravel() for v in parts]
    return np.concatenate(flats) if flats else np.zeros(0)


#: the fewest candidates :func:`dedupe` passes to the compiled greedy pass (fewer: the vectorised
#: test per candidate costs less than stacking them)
_MIN_COMPILED_DEDUPE = 8


def dedupe(cands: Iterable[Candidate], tol: float) -> Sequence[Candidate]:
    """Drop candidates that are the same equilibrium as an earlier one (within ``10 * tol``, with the
    same support: :func:`~deterrence.solvers.base.same_equilibrium`): :data:`_MIN_COMPILED_DEDUPE`
    or more candidates whose vectors are of one length and finite in one compiled greedy pass
    (:func:`~deterrence.solvers.base.distinct_rows`, the same test entry by entry), else one
    vectorised test per candidate (:class:`~deterrence.solvers.base.CandidateArrays`: one pairwise
    test of the whole batch)."""
    atol = max(tol, 1e-9) * 10
    if isinstance(cands, CandidateArrays):
        return cands.distinct(atol)
    if isinstance(cands, list) and len(cands) <= 1:
        return cands  # nothing to compare
    cands = list(cands)
    if cands and all(getattr(c, "exact", None) is not None and getattr(c, "beliefs", None) is None
                     for c in cands):  # exact strategy profiles (not assessments: beliefs count too)
        return _dedupe_exact(cands)
    flats = [_flat(c) for c in cands]
    if len({len(v) for v in flats}) > 1:
        return _dedupe_ragged(cands, flats, atol)
    if len(flats) >= _MIN_COMPILED_DEDUPE:
        stacked = np.array(flats)
        if np.isfinite(stacked).all():  # (a NaN is never the same as anything: left to the test below)
            return [cands[k] for k in distinct_rows([stacked], atol).tolist()]
    out: list[Candidate] = []
    kept = np.empty((len(flats), len(flats[0]) if flats else 0))  # the kept vectors, rows [:len(out)]
    for c, v in zip(cands, flats, strict=True):
        if out and same_equilibrium(kept[:len(out)], v, atol).any():
            continue
        kept[len(out)] = v
        out.append(c)
    return out


def _dedupe_exact(cands: list[Candidate]) -> list[Candidate]:
    """:func:`dedupe` of candidates that all carry exact profiles: the same equilibrium only if
    exactly equal (two exact equilibria ``1e-12`` apart are two equilibria)."""
    seen: set[tuple[tuple[Any, ...], ...]] = set()
    out: list[Candidate] = []
    for c in cands:
        key = tuple(tuple(s) for s in c.exact)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _dedupe_ragged(cands: list[Candidate], flats: list[np.ndarray], atol: float) -> list[Candidate]:
    """:func:`dedupe` of candidates whose vectors differ in length (compared with the first kept
    one's length only)."""
    out: list[Candidate] = []
    kept: list[np.ndarray] = []
    for c, v in zip(cands, flats, strict=True):
        if kept and len(kept[0]) == len(v):
            if same_equilibrium(np.asarray(kept), v, atol).any():
                continue
        out.append(c)
        kept.append(v)
    return out


@dataclass(frozen=True)
class SubSolve:
    """What :func:`sub_candidates` returns: the method that ran and its deduplicated candidates.

    Attributes
    ----------
    info
        The solver that ran.
    candidates
        Its candidates, deduplicated, **not certified**.
    complete, degenerate, notes
        As the solver reported them (:class:`~deterrence.solvers.RawResult`).
    """

    info: SolverInfo
    candidates: Sequence[Candidate]
    complete: bool
    degenerate: bool | None
    notes: tuple[str, ...]


def sub_candidates(game: Any, concept: str, method: str, options: SolveOptions) -> SubSolve:
    """Candidates of a sub-game from the method ``solve`` would choose, uncertified.

    For solvers that solve a smaller game on the way. The method runs with its default
    options and ``options``' ``tol``, ``exact`` and ``max_work``.

    Raises
    ------
    UnsupportedError, ResourceError
        As :func:`choose_method`.
    SolverError
        As :func:`run_auto` (which also runs the rescues of a failed ``auto`` choice).
    """
    info, _, raw = run_auto(game, concept, method, options.max_work, options.common(), {})
    return SubSolve(info=info, candidates=dedupe(raw.candidates, options.tol), complete=raw.complete,
                    degenerate=raw.degenerate, notes=tuple(raw.notes))


def work_of_methods(names: Iterable[str], game: Any) -> float | None:
    """The smallest work estimate among ``names`` on ``game`` (``None`` if none gives one).

    ``game`` may be a stand-in with only the sizes an estimate reads: an estimate that fails
    on it is left out.
    """
    reg = registry()
    ests = []
    for name in names:
        info = reg.get(name)
        if info is None or info.estimate is None:
            continue
        try:
            ests.append(float(info.estimate(game)))
        except (AttributeError, TypeError, ValueError, OverflowError):
            continue
    return min(ests) if ests else None
