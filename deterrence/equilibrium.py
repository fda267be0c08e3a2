"""Result objects: :class:`Certificate`, :class:`Equilibrium`, :class:`EquilibriumSet` (data only)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from .outcomes import indicators

#: the solution concepts: Nash, subgame-perfect, perfect Bayesian, logit quantal response
CONCEPTS: tuple[str, ...] = ("nash", "spe", "pbe", "qre")

#: off-path belief policies of perfect Bayesian equilibria (see :mod:`deterrence.solvers.pbe`)
BELIEF_POLICIES: tuple[str, ...] = ("free", "prior", "d1")

T = TypeVar("T")


def instance(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of the frozen dataclass ``cls`` holding ``values`` (every field), made without
    its generated ``__init__`` (which sets each field through ``object.__setattr__``): for
    building many results at once. The values are taken as they are, unchecked.
    """
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj


@dataclass(frozen=True)
class Certificate:
    """Evidence that a profile is an equilibrium of the stated concept (from ``deterrence.certificates``).

    Attributes
    ----------
    concept
        ``"nash"``, ``"spe"``, ``"pbe"`` or ``"qre"``.
    regret
        Largest gain any player can get by a unilateral deviation (for SPE: in any subgame;
        for PBE: at any information set, given the beliefs). For QRE this is the Nash regret,
        reported for information only.
    bayes_error
        Largest gap between the beliefs and Bayes' rule at information sets reached with
        positive probability (PBE; 0 otherwise).
    qre_residual
        Largest gap between the profile and the logit response to it (QRE; 0 otherwise).
    tolerance
        The tolerance the quantities above were checked against: relative to each player's
        payoff range for the regret (``details["relative_regret"]``), absolute for the Bayes
        error and the QRE residual.
    exact
        True if the check ran in exact rational arithmetic.
    passed
        True if every quantity is within the tolerance.
    """

    concept: str
    regret: float
    bayes_error: float = 0.0
    qre_residual: float = 0.0
    tolerance: float = 1e-8
    exact: bool = False
    passed: bool = True
    details: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """One equilibrium.

    Attributes
    ----------
    profile
        Normal form: ``{player: {strategy: prob}}``; extensive form:
        ``{player: {infoset: {action: prob}}}``. The shape depends only on the game kind.
    payoffs
        ``{player: expected payoff}``.
    outcomes
        ``{outcome label: probability}`` (empty if the game has no labels).
    certificate
        The :class:`Certificate`.
    beliefs
        ``{infoset: {node path: prob}}`` at every information set (PBE; ``None`` otherwise).
    off_path
        Names of information sets reached with probability 0 (their beliefs come from the
        belief policy).
    strategies
        The profile as numeric arrays: one per player (normal form) or per information set
        (extensive form, in ``game.infosets`` order).
    label
        Equilibrium class label where the solver or model assigns one (``"separating"``, ...).
    lam
        The logit precision (QRE only).

    Equilibria returned by :func:`deterrence.solve` may build their fields (the labelled
    dictionaries, the certificate object) on first access (:meth:`lazy`); the values are the
    same as if they had been given.
    """

    profile: Mapping[str, Any]
    payoffs: Mapping[str, float]
    outcomes: Mapping[str, float]
    certificate: Certificate
    strategies: tuple[np.ndarray, ...]
    beliefs: Mapping[str, Mapping[str, float]] | None = None
    off_path: tuple[str, ...] = ()
    label: str = ""
    lam: float | None = None

    @classmethod
    def lazy(cls, fields: dict[str, Any], source: Any, index: int = 0) -> Equilibrium:
        """An equilibrium holding ``fields`` whose other fields among ``profile``, ``payoffs``,
        ``outcomes``, ``certificate`` and ``strategies`` are ``source.field(name, index)``,
        computed on first access and kept.

        Used by :func:`deterrence.solve`, which certifies every equilibrium before it builds it
        (the certificate's numbers are computed then; only the objects wait for access).
        ``beliefs``, ``off_path``, ``label`` and ``lam`` default as in the constructor (their
        defaults are class attributes).
        """
        obj = object.__new__(cls)
        obj.__dict__.update(fields, _source=source, _index=index)
        return obj

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: the fields ``lazy`` left to be computed
        state = self.__dict__
        if name not in _LAZY_FIELDS or "_source" not in state:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        value = state["_source"].field(name, state["_index"])
        state[name] = value
        return value

    def __getstate__(self) -> dict[str, Any]:
        """Every field computed (for pickling and copying): the source is not kept."""
        state = dict(self.__dict__)
        if "_source" in state:
            for name in _LAZY_FIELDS:
                state.setdefault(name, getattr(self, name))
            del state["_source"], state["_index"]
        return state

    @property
    def regret(self) -> float:
        """Largest gain from a unilateral deviation (from the certificate)."""
        return self.certificate.regret

    @property
    def indicators(self) -> dict[str, float]:
        """Mission indicators (``p_attack``, ``p_war``, ...) from the outcome probabilities."""
        return indicators(self.outcomes)

    def is_pure(self, tol: float = 1e-9) -> bool:
        """True if every strategy puts probability 1 on one action."""
        return all(float(np.max(s)) >= 1 - tol for s in self.strategies)

    def __repr__(self) -> str:
        def fmt(d: Any) -> str:
            if isinstance(d, Mapping):
                inner = ", ".join(
                    f"{k}: {fmt(v)}" for k, v in d.items() if not (isinstance(v, float) and v == 0)
                )
                return "{" + inner + "}"
            if isinstance(d, float):
                return f"{d:.4g}"
            return repr(d)

        return f"Equilibrium({fmt(dict(self.profile))}, regret={self.regret:.2g})"


_LAZY_FIELDS = frozenset({"profile", "payoffs", "outcomes", "certificate", "strategies"})


@dataclass(frozen=True, eq=False)
class EquilibriumSet:
    """The equilibria a solver found, with what the method guarantees.

    Attributes
    ----------
    equilibria
        The certified equilibria.
    concept
        ``"nash"``, ``"spe"``, ``"pbe"`` or ``"qre"``.
    method
        The solver that ran.
    complete
        True if the method guarantees that every equilibrium of the concept was found
        (for degenerate games: every extreme point of every component).
    degenerate
        True if the game was found degenerate (equilibria may form continua), ``None`` if
        the method does not check.
    tolerance
        The certification tolerance.
    belief_policy
        The off-path belief policy (PBE only).
    notes
        Anything else the method reports (ties, components, rejected candidates).
    """

    equilibria: tuple[Equilibrium, ...]
    concept: str
    method: str
    complete: bool
    degenerate: bool | None = None
    tolerance: float = 1e-8
    belief_policy: str | None = None
    notes: tuple[str, ...] = ()
    game: Any = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self) -> Iterator[Equilibrium]:
        return iter(self.equilibria)

    def __getitem__(self, i: int) -> Equilibrium:
        return self.equilibria[i]

    def __repr__(self) -> str:
        flags = f"complete={self.complete}, degenerate={self.degenerate}"
        return f"<EquilibriumSet {self.concept} by {self.method}: {len(self)} equilibria, {flags}>"
