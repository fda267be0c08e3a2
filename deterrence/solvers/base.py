"""What every solver module provides, and what it returns.

A solver module ``deterrence/solvers/<name>.py`` defines one algorithm, the dataclass of
its options, and a module-level ``SOLVER = SolverInfo(...)`` that says which concepts and
games it serves and which options it takes. Its ``run``
function returns *candidates* (numeric profiles); it never builds result objects and never
certifies: :func:`deterrence.solve` certifies every candidate with :mod:`deterrence.certificates`
and wraps the survivors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, TypeVar, overload

import numpy as np

from .._jit import njit
from ..equilibrium import BELIEF_POLICIES, CONCEPTS
from ..errors import SolverError, TimeLimitError
from ._options import normalise_fields

T = TypeVar("T", bound="SolverOptions")


@dataclass(frozen=True)
class SolverOptions:
    """Base class of every solver's options (a solver without options declares it as is).

    A solver module declares its options as a frozen dataclass derived from this one: one
    field per option, with a type annotation, a default (:func:`deterrence.solvers.option`
    adds allowed values or bounds) and a numpy-style ``Parameters`` section in the class
    docstring explaining each. ``deterrence.solve(game, concept, method, **options)`` checks
    the keyword options against the chosen solver's class (names, types, values) and hands
    the solver an instance (``SolveOptions.method_options``). Building an instance checks
    every value (:class:`~deterrence.OptionError` if one has the wrong type).
    """

    def __post_init__(self) -> None:
        normalise_fields(self)


@dataclass(frozen=True)
class SolveOptions:
    """What :func:`deterrence.solve` hands a solver's ``run``: the common options and the solver's own.

    Attributes
    ----------
    tol
        Certification tolerance (solvers use it for their own zero tests too).
    exact
        Certify (and where the solver can, compute) in exact rational arithmetic.
    max_work
        Refuse to start (``ResourceError``) if the solver's estimate exceeds this.
    method_options
        The solver's own options, an instance of its ``SolverInfo.options`` class; ``None``
        means its defaults (see :meth:`of`).
    time_limit
        Seconds the solve may take (``None``: no limit). Solvers that declare
        ``SolverInfo.stops_at_time_limit`` check it through :meth:`clock` and stop with
        :class:`~deterrence.TimeLimitError`.
    started
        ``time.perf_counter()`` when the solve started (set by the dispatcher).
    """

    tol: float = 1e-8
    exact: bool = False
    max_work: float = 1e9
    method_options: SolverOptions | None = None
    time_limit: float | None = None
    started: float | None = None

    def of(self, cls: type[T]) -> T:
        """The solver's own options as an instance of ``cls`` (its defaults if none were given).

        Raises
        ------
        SolverError
            If ``method_options`` belongs to another solver (a bug in the caller).
        """
        if self.method_options is None:
            return cls()
        if not isinstance(self.method_options, cls):
            raise SolverError(
                f"internal: options of type {type(self.method_options).__name__} given to a solver that "
                f"takes {cls.__name__}"
            )
        return self.method_options

    def common(self) -> SolveOptions:
        """These options without the solver's own (for a sub-solve by another method)."""
        return replace(self, method_options=None)

    def clock(self, method: str) -> Clock:
        """The time limit and progress messages of this solve, for the solver ``method``."""
        return Clock(method, self.time_limit, self.started)


#: progress of long solves is logged here (level INFO, at most one message a second)
LOG = logging.getLogger("deterrence.solvers")


class Clock:
    """A solve's time limit and progress reports.

    A long-running solver calls :meth:`check` now and then (between chunks of work): it
    raises :class:`~deterrence.TimeLimitError` once the time limit has passed, and logs a
    progress message to the ``deterrence.solvers`` logger at most once a second.
    """

    def __init__(self, method: str, limit: float | None, started: float | None = None,
                 interval: float = 1.0) -> None:
        self.method = method
        self.limit = limit
        self.started = time.perf_counter() if started is None else started
        self.interval = interval
        self._last_report = self.started

    def elapsed(self) -> float:
        """Seconds since the solve started."""
        return time.perf_counter() - self.started

    def check(self, doing: str = "") -> None:
        """Stop if the time limit has passed; report progress (``doing``) if a second has passed.

        Raises
        ------
        TimeLimitError
            Past the time limit; the message says how far the solver got (``doing``).
        """
        now = time.perf_counter()
        spent = now - self.started
        if self.limit is not None and spent > self.limit:
            where = f" ({doing})" if doing else ""
            raise TimeLimitError(
                f"method '{self.method}' stopped at the time limit of {self.limit:g} s after "
                f"{spent:.3g} s{where}; raise time_limit to let it run longer",
                elapsed=spent, limit=self.limit)
        if doing and now - self._last_report >= self.interval:
            self._last_report = now
            LOG.info("%s: %s (%.1f s)", self.method, doing, spent)


@dataclass(frozen=True, eq=False)
class Candidate:
    """A candidate equilibrium from a solver, before certification.

    Attributes
    ----------
    strategies
        Normal form: one mixed strategy per player. Extensive form: one behaviour
        vector per information set, in ``game.infosets`` order.
    beliefs
        PBE: one belief vector per information set (over its nodes, in order), ``None``
        entries not allowed for PBE candidates. Otherwise ``None``.
    exact
        Optional exact rational version of ``strategies`` (tuples of ``Fraction``).
    label
        Optional class label (``"pooling"``, ``"separating"``, ...).
    lam
        QRE precision at which this point was computed (scalar or per player).
    agent
        True for an equilibrium of the *agent form* of a tree without perfect recall (no
        information set's mover gains by changing its move there alone); it is certified by
        the agent-form regret, since such a profile need not be a Nash equilibrium.
    """

    strategies: tuple[np.ndarray, ...]
    beliefs: tuple[np.ndarray, ...] | None = None
    exact: tuple[tuple[Fraction, ...], ...] | None = None
    label: str = ""
    lam: Any = None
    agent: bool = False


class CandidateArrays(Sequence[Candidate]):
    """Candidates of a normal-form game held as stacked arrays: one ``(E, n_i)`` array per player.

    A sequence of :class:`Candidate` (each built when it is taken out), so it stands wherever a
    list of candidates does; the front door deduplicates and certifies the arrays in one batch
    instead (two-player Nash), without a Python object per candidate.

    Parameters
    ----------
    strategies
        One array per player, row ``k`` being candidate ``k``'s mixed strategy.
    exact
        Optional exact rational profile of each candidate (as :attr:`Candidate.exact`).
    distinct
        True if the solver guarantees that no two candidates are the same profile (vertex
        enumeration of a nondegenerate game: each is a different pair of polytope vertices);
        :meth:`distinct` then keeps them all without comparing them, even two closer than its
        tolerance.
    """

    __slots__ = ("exact", "known_distinct", "strategies")

    def __init__(self, strategies: Sequence[np.ndarray],
                 exact: Sequence[tuple[tuple[Fraction, ...], ...]] | None = None, *,
                 distinct: bool = False) -> None:
        self.strategies = tuple(strategies)
        self.exact = None if exact is None else list(exact)
        self.known_distinct = distinct

    def __len__(self) -> int:
        return len(self.strategies[0])

    @overload
    def __getitem__(self, k: int) -> Candidate: ...

    @overload
    def __getitem__(self, k: slice) -> CandidateArrays: ...

    def __getitem__(self, k: int | slice) -> Candidate | CandidateArrays:
        if isinstance(k, slice):
            return self.take(np.arange(len(self))[k])
        return Candidate(strategies=tuple(s[k] for s in self.strategies),
                         exact=None if self.exact is None else self.exact[k])

    def __iter__(self) -> Iterator[Candidate]:
        return (self[k] for k in range(len(self)))

    def take(self, rows: np.ndarray) -> CandidateArrays:
        """The candidates at the given row indices, in that order."""
        exact = None if self.exact is None else [self.exact[int(k)] for k in rows]
        return CandidateArrays([s[rows] for s in self.strategies], exact)

    def distinct(self, atol: float) -> CandidateArrays:
        """The candidates without those that :func:`same_equilibrium` matches with an earlier kept one
        (with exact profiles: only those exactly equal to an earlier one; two exact equilibria
        ``1e-18`` apart are two equilibria)."""
        if self.known_distinct or len(self) <= 1:
            return self
        if self.exact is not None:
            first: dict[Any, int] = {}
            for k, profile in enumerate(self.exact):
                first.setdefault(tuple(tuple(s) for s in profile), k)
            keep = np.array(sorted(first.values()), dtype=np.int64)
            return self if len(keep) == len(self) else self.take(keep)
        keep = distinct_rows(self.strategies, atol)
        return self if len(keep) == len(self) else self.take(keep)


#: probabilities closer to 0 than this are float noise (the front door reports them as 0): a
#: candidate's support is its entries above it
ZERO_PROBABILITY = 1e-12


def distinct_rows(parts: Sequence[np.ndarray], atol: float) -> np.ndarray:
    """Indices of the rows kept by a greedy pass over the rows of the arrays ``parts`` side by side
    (one row per candidate): a row is dropped if an earlier kept row is the same equilibrium by
    :func:`same_equilibrium` (within ``atol`` entry by entry, with the same support)."""
    if not parts or len(parts[0]) <= 1:
        return np.arange(len(parts[0]) if parts else 0)
    if len(parts) == 2:
        x, y = np.ascontiguousarray(parts[0], dtype=float), np.ascontiguousarray(parts[1], dtype=float)
    else:
        x = np.ascontiguousarray(np.hstack(parts), dtype=float)
        y = x[:, :0]
    return _kept_rows(x, y, atol, ZERO_PROBABILITY)


def same_equilibrium(a: np.ndarray, b: np.ndarray, atol: float) -> np.ndarray:
    """Whether the flat candidate ``b`` is the same as each row of ``a`` (or as ``a`` itself):
    every entry within ``atol`` and the same support (the entries above :data:`ZERO_PROBABILITY`).

    Closeness alone would merge distinct equilibria of a near-degenerate game (a mixed
    equilibrium ``1e-7`` from a pure one); two equilibria with different supports are never
    the same, however close.
    """
    a = np.asarray(a, dtype=float)
    close = np.abs(a - b).max(axis=-1) <= atol
    same_support = ((np.abs(a) > ZERO_PROBABILITY) == (np.abs(b) > ZERO_PROBABILITY)).all(axis=-1)
    return close & same_support


@njit
def _kept_rows(x: np.ndarray, y: np.ndarray, atol: float, zero: float) -> np.ndarray:
    """Indices of the rows kept by the greedy pass over the rows of ``x`` and ``y`` side by side
    (see :func:`distinct_rows`)."""
    keep = np.ones(x.shape[0], dtype=np.bool_)
    count = 0
    for k in range(x.shape[0]):
        if keep[k]:
            count += 1
            for j in range(k + 1, x.shape[0]):
                if keep[j] and _within(x, k, j, atol, zero) and _within(y, k, j, atol, zero):
                    keep[j] = False
    rows = np.empty(count, dtype=np.int64)
    count = 0
    for k in range(x.shape[0]):
        if keep[k]:
            rows[count] = k
            count += 1
    return rows


@njit
def _within(p: np.ndarray, k: int, j: int, atol: float, zero: float) -> bool:
    """Rows ``k`` and ``j`` of ``p`` within ``atol`` entry by entry, with the same support."""
    for c in range(p.shape[1]):
        if abs(p[k, c] - p[j, c]) > atol or (abs(p[k, c]) > zero) != (abs(p[j, c]) > zero):
            return False
    return True


@dataclass(frozen=True)
class RawResult:
    """What a solver's ``run`` returns.

    Attributes
    ----------
    candidates
        Candidate equilibria (deduplicated by the solver): a list, or :class:`CandidateArrays`.
    complete
        True if the algorithm guarantees every equilibrium of the concept is among the
        candidates (for degenerate games: every extreme point of every component).
    degenerate
        True/False if the solver checked degeneracy, ``None`` if it did not.
    notes
        Human-readable remarks (ties, components, skipped supports, ...).
    """

    candidates: Sequence[Candidate]
    complete: bool
    degenerate: bool | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SolverInfo:
    """Registry entry of one solver.

    Attributes
    ----------
    name
        The method name users pass as ``solve(..., method=name)``.
    concepts
        Concepts it serves.
    kinds
        Game kinds it serves: ``"normal"`` and/or ``"extensive"``.
    min_players, max_players
        Player counts it serves (``max_players=None``: any).
    finds
        ``"all"`` (every equilibrium, or every extreme point), ``"one"`` or ``"some"``.
    run
        ``run(game, options: SolveOptions) -> RawResult``.
    options
        The solver's options: a frozen dataclass derived from :class:`SolverOptions` (one
        field per option, documented in its docstring); ``solve(**options)`` is checked
        against it.
    applicable
        Optional ``applicable(game) -> str | None``: a reason it cannot serve this game
        (e.g. imperfect recall), or ``None``.
    estimate
        Optional ``estimate(game) -> float``: estimated work units (roughly elementary
        operations), checked against ``options.max_work`` before running.
    description
        One line for ``deterrence solve --help`` and the docs.
    stops_at_time_limit
        True if the solver checks the ``time_limit`` option while it runs and stops with
        :class:`~deterrence.TimeLimitError`; False if it runs to the end (the result then
        says that it took longer than the limit).
    """

    name: str
    concepts: frozenset[str]
    kinds: frozenset[str]
    run: Callable[[Any, SolveOptions], RawResult]
    options: type[SolverOptions] = SolverOptions
    finds: str = "all"
    min_players: int = 1
    max_players: int | None = None
    applicable: Callable[[Any], str | None] | None = None
    estimate: Callable[[Any], float] | None = None
    description: str = ""
    stops_at_time_limit: bool = False

    def serves(self, game: Any, concept: str) -> str | None:
        """``None`` if this solver can serve ``(game, concept)``, else the reason it cannot."""
        if concept not in self.concepts:
            return f"'{self.name}' does not compute {concept} equilibria"
        if game.kind not in self.kinds:
            return f"'{self.name}' does not take {game.kind}-form games"
        n = game.num_players
        if n < self.min_players or (self.max_players is not None and n > self.max_players):
            hi = "any number of" if self.max_players is None else f"at most {self.max_players}"
            return f"'{self.name}' takes games of at least {self.min_players} and {hi} players, not {n}"
        if self.applicable is not None:
            return self.applicable(game)
        return None


__all__ = [
    "BELIEF_POLICIES",
    "CONCEPTS",
    "LOG",
    "Candidate",
    "CandidateArrays",
    "Clock",
    "RawResult",
    "SolveOptions",
    "SolverInfo",
    "SolverOptions",
]
