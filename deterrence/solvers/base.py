"""What every solver module provides, and what it returns.

A solver module ``deterrence/solvers/<name>.py`` defines one algorithm and a module-level
``SOLVER = SolverInfo(...)`` that says which concepts and games it serves. Its ``run``
function returns *candidates* (numeric profiles); it never builds result objects and never
certifies: :func:`deterrence.solve` certifies every candidate with :mod:`deterrence.certificates`
and wraps the survivors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

CONCEPTS = ("nash", "spe", "pbe", "qre")
BELIEF_POLICIES = ("free", "prior", "d1")


@dataclass(frozen=True)
class SolveOptions:
    """Options passed from :func:`deterrence.solve` to a solver's ``run``.

    Attributes
    ----------
    tol
        Certification tolerance (solvers use it for their own zero tests too).
    exact
        Certify (and where the solver can, compute) in exact rational arithmetic.
    belief_policy
        Off-path belief policy for PBE: ``"free"``, ``"prior"`` or ``"d1"``.
    lam
        Logit precision for QRE: a number, one per player, or ``None`` for the
        lambda -> infinity limit (equilibrium selection).
    max_work
        Refuse to start (``ResourceError``) if the solver's estimate exceeds this.
    extra
        Solver-specific options given to ``solve(**options)``.
    """

    tol: float = 1e-8
    exact: bool = False
    belief_policy: str = "free"
    lam: float | Sequence[float] | None = None
    max_work: float = 1e9
    extra: dict[str, Any] = field(default_factory=dict)


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
    """

    strategies: tuple[np.ndarray, ...]
    beliefs: tuple[np.ndarray, ...] | None = None
    exact: tuple[tuple[Fraction, ...], ...] | None = None
    label: str = ""
    lam: Any = None


@dataclass(frozen=True)
class RawResult:
    """What a solver's ``run`` returns.

    Attributes
    ----------
    candidates
        Candidate equilibria (deduplicated by the solver).
    complete
        True if the algorithm guarantees every equilibrium of the concept is among the
        candidates (for degenerate games: every extreme point of every component).
    degenerate
        True/False if the solver checked degeneracy, ``None`` if it did not.
    notes
        Human-readable remarks (ties, components, skipped supports, ...).
    """

    candidates: list[Candidate]
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
    applicable
        Optional ``applicable(game) -> str | None``: a reason it cannot serve this game
        (e.g. imperfect recall), or ``None``.
    estimate
        Optional ``estimate(game) -> float``: estimated work units (roughly elementary
        operations), checked against ``options.max_work`` before running.
    description
        One line for ``deterrence solve --help`` and the docs.
    """

    name: str
    concepts: frozenset[str]
    kinds: frozenset[str]
    run: Callable[[Any, SolveOptions], RawResult]
    finds: str = "all"
    min_players: int = 1
    max_players: int | None = None
    applicable: Callable[[Any], str | None] | None = None
    estimate: Callable[[Any], float] | None = None
    description: str = ""

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
