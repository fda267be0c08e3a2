"""Result objects: :class:`Certificate`, :class:`Equilibrium`, :class:`EquilibriumSet` (data only)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from .errors import LabelError, OptionError
from .outcomes import indicators

#: the solution concepts: Nash, subgame-perfect, perfect Bayesian, logit quantal response
CONCEPTS: tuple[str, ...] = ("nash", "spe", "pbe", "qre")

#: off-path belief policies of perfect Bayesian equilibria (see :mod:`deterrence.solvers.pbe`)
BELIEF_POLICIES: tuple[str, ...] = ("free", "prior", "d1")


def check_belief_policy(belief_policy: Any) -> str:
    """Return ``belief_policy`` if it is one of :data:`BELIEF_POLICIES`.

    Raises
    ------
    OptionError
        Any other value: a misspelt policy must never yield an answer computed without it.
    """
    if not isinstance(belief_policy, str) or belief_policy not in BELIEF_POLICIES:
        raise OptionError(
            f"unknown belief policy {belief_policy!r}; policies are {', '.join(BELIEF_POLICIES)}",
            name="belief_policy", value=belief_policy, valid=BELIEF_POLICIES,
        )
    return belief_policy


#: the order in which a model's default concept is chosen from those it declares: the concept
#: that handles the most (perfect Bayesian handles private information, subgame-perfect credible
#: threats), so a model that declares ``spe`` and ``pbe`` is solved as a PBE unless told otherwise
DEFAULT_CONCEPT_ORDER: tuple[str, ...] = ("pbe", "spe", "nash", "qre")


def default_concept(declared: Sequence[str]) -> str:
    """The solution concept used when none is given, from the concepts a model declares.

    Every entry point that takes a model (``dt.sweep``, ``dt.numeric_threshold``, the explorer,
    ``deterrence solve``, ``deterrence regimes``) uses this one rule, so the same model is solved
    under the same concept everywhere.

    Parameters
    ----------
    declared
        The model's ``concepts`` (possibly empty).

    Returns
    -------
    str
        The first of :data:`DEFAULT_CONCEPT_ORDER` that ``declared`` holds; ``"pbe"`` when it
        holds none of them.

    Examples
    --------
    >>> default_concept(("spe", "pbe", "qre"))
    'pbe'
    >>> default_concept(("spe", "qre"))
    'spe'
    """
    return next((c for c in DEFAULT_CONCEPT_ORDER if c in declared), "pbe")


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
        True if the verdict is exact: the check ran in exact rational arithmetic and allowed no
        tolerance, so ``passed`` means an exact equilibrium (regret and Bayes error exactly 0)
        and a failure a positive regret or Bayes error. (A reputation certificate that passed
        within a positive ``tol`` of a nonzero regret says ``False``.)
    passed
        True if every quantity is within the tolerance (exact: exactly 0).
    """

    concept: str
    regret: float
    bayes_error: float = 0.0
    qre_residual: float = 0.0
    tolerance: float = 1e-8
    exact: bool = False
    passed: bool = True
    details: Mapping[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------------------------- labelled dictionaries
# An equilibrium's payoffs, outcomes, indicators, profile and beliefs are dictionaries keyed by names
# (players, outcome labels, information sets, actions, nodes). A misspelt name must not surface as a
# bare ``KeyError: 'warr'``: Labelled raises LabelError (a KeyError too) naming the kind of key, the
# keys there are and the closest one. In every other respect it is the dict it holds.
class Labelled(dict):
    """A ``dict`` whose missing keys raise :class:`~deterrence.errors.LabelError`.

    Parameters
    ----------
    items
        The entries.
    kind
        What the keys are, as the error names them (``"outcome"``, ``"player"``, ...).
    """

    __slots__ = ("kind",)

    def __init__(self, items: Any = (), kind: str = "key") -> None:
        super().__init__(items)
        self.kind = kind

    def __missing__(self, key: Any) -> Any:
        raise LabelError(key, self.kind, self.keys())

    def copy(self) -> Labelled:
        return Labelled(self, self.kind)

    def __reduce__(self) -> tuple[Any, ...]:
        return Labelled, (dict(self), self.kind)


def labelled(mapping: Mapping[Any, Any] | None, kinds: Sequence[str]) -> Labelled | None:
    """``mapping`` as a :class:`Labelled` whose keys are ``kinds[0]``, and its values that are
    mappings in turn as ``Labelled`` of ``kinds[1]``, and so on (``None`` stays ``None``)."""
    if mapping is None:
        return None
    rest = kinds[1:]
    return Labelled(
        ((k, labelled(v, rest) if rest and isinstance(v, Mapping) else v) for k, v in mapping.items()),
        kinds[0],
    )


def labelled_profile(profile: Mapping[str, Any] | None) -> Labelled | None:
    """A profile (``{player: {strategy: prob}}`` of a normal form, ``{player: {information set:
    {action: prob}}}`` of a tree) as :func:`labelled` dictionaries, the kinds read off its shape."""
    if profile is None:
        return None
    tree = any(isinstance(v, Mapping) for inner in profile.values() if isinstance(inner, Mapping)
               for v in inner.values())
    return labelled(profile, ("player", "information set", "action") if tree else ("player", "strategy"))


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
        ``outcomes``, ``certificate``, ``strategies`` and ``beliefs`` are
        ``source.field(name, index)``, computed on first access and kept.

        Used by :func:`deterrence.solve`, which certifies every equilibrium before it builds it
        (the certificate's numbers are computed then; only the objects wait for access).
        ``off_path``, ``label`` and ``lam`` default as in the constructor (their defaults are
        class attributes).
        """
        obj = object.__new__(cls)
        obj.__dict__.update({name: _with_labels(name, value) for name, value in fields.items()},
                            _source=source, _index=index)
        return obj

    def __post_init__(self) -> None:
        for name in (*_LABELLED_FIELDS, "profile"):  # a misspelt key: LabelError, not a bare KeyError
            object.__setattr__(self, name, _with_labels(name, getattr(self, name)))

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: the fields ``lazy`` left to be computed
        state = self.__dict__
        if name not in _LAZY_FIELDS or "_source" not in state:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        value = _with_labels(name, state["_source"].field(name, state["_index"]))
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
        return Labelled(indicators(self.outcomes), "indicator")

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


_LAZY_FIELDS = frozenset({"profile", "payoffs", "outcomes", "certificate", "strategies", "beliefs"})
# ``beliefs`` has a default (None), so the dataclass made it a class attribute, which normal lookup
# finds before ``__getattr__``: removed, so that a lazy equilibrium's beliefs are computed too (the
# generated ``__init__`` keeps the default)
del Equilibrium.beliefs
#: the fields keyed by names, and what their keys are (level by level)
_LABELLED_FIELDS: dict[str, tuple[str, ...]] = {
    "payoffs": ("player",), "outcomes": ("outcome",), "beliefs": ("information set", "node")}


def _with_labels(name: str, value: Any) -> Any:
    """A field's value with its dictionaries :class:`Labelled` (the profile's
    kinds read off its shape); other fields as they are."""
    if name == "profile":
        return labelled_profile(value)
    kinds = _LABELLED_FIELDS.get(name)
    return value if kinds is None or value is None else labelled(value, kinds)


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
        try:
            return self.equilibria[i]
        except IndexError:
            n = len(self.equilibria)
            held = f"indices 0 to {n - 1}, or -{n} to -1" if n else "it is empty"
            raise IndexError(f"no equilibrium {i} in a set of {n} ({held})") from None

    def __repr__(self) -> str:
        flags = f"complete={self.complete}, degenerate={self.degenerate}"
        return f"<EquilibriumSet {self.concept} by {self.method}: {len(self)} equilibria, {flags}>"

    def to_frame(self) -> Any:
        """The equilibria as a pandas DataFrame: one row per equilibrium.

        Columns, in order: ``equilibrium`` (its index in the set), ``regime`` (the regime label,
        :func:`deterrence.outcomes.regime_label`), ``label`` (the model's class name, if any),
        ``pure``; the profile, one column per probability: ``profile:<player>:<strategy>`` (normal
        form) or ``profile:<player>:<infoset>:<action>`` (extensive form); the beliefs
        ``belief:<infoset>:<node>`` (PBE); ``payoff_<player>``; ``outcome_<label>`` and the
        indicators (``p_attack``, ...), as in a sweep table; the certificate: ``regret``,
        ``bayes_error``, ``qre_residual``, ``tolerance``, ``exact``, ``certified``; then
        ``concept``, ``method``, ``belief_policy`` and ``lam`` (QRE). An empty set gives a frame with
        no rows.

        Examples
        --------
        >>> import deterrence as dt
        >>> g = dt.NormalFormGame([[[3, 0], [5, 1]], [[3, 5], [0, 1]]])
        >>> df = dt.solve(g, concept="nash").to_frame()
        >>> df[["regime", "payoff_1", "payoff_2", "regret", "certified"]].to_dict("records")
        [{'regime': 'none', 'payoff_1': 1.0, 'payoff_2': 1.0, 'regret': 0.0, 'certified': True}]
        """
        import pandas as pd

        rows = [_frame_row(k, eq, self) for k, eq in enumerate(self.equilibria)]
        columns = list(dict.fromkeys(c for row in rows for c in row)) or ["equilibrium", "regime"]
        return pd.DataFrame(rows, columns=columns)

    def classes(self, tol: float = 1e-9) -> tuple[tuple[int, ...], ...]:
        """The equilibria grouped by their play on the path, as tuples of indices into the set.

        Two equilibria of a tree are in one class when they leave the same information sets
        unreached and prescribe the same play (within ``tol``) at every other one: they differ,
        if at all, only off the path (play or beliefs at unreached sets), so they give the same
        outcome. Equilibria in different classes differ on the path. In a normal-form game every
        distinct equilibrium is its own class.
        """
        infosets = getattr(self.game, "infosets", None)
        names = [h.name for h in infosets] if infosets is not None else None
        groups: list[list[int]] = []
        for i, e in enumerate(self.equilibria):
            for g in groups:
                if _same_on_path(self.equilibria[g[0]], e, names, tol):
                    g.append(i)
                    break
            else:
                groups.append([i])
        return tuple(tuple(g) for g in groups)

    def class_summary(self, tol: float = 1e-9) -> str:
        """How many classes (see :meth:`classes`) the set holds, and how their members differ.

        Examples: ``"1 equilibrium"``, ``"3 equilibria in 3 classes, which differ on the path"``,
        ``"16 equilibria in 2 classes, which differ on the path; within a class they differ only
        off the path (class sizes 12, 4)"``.
        """
        n = len(self.equilibria)
        if n <= 1:
            return f"{n} equilibri{'um' if n == 1 else 'a'}"
        groups = self.classes(tol)
        k = len(groups)
        if k == 1:
            return f"{n} equilibria in 1 class: they differ only off the path"
        text = f"{n} equilibria in {k} classes, which differ on the path"
        if k < n:
            sizes = ", ".join(str(len(g)) for g in groups)
            text += f"; within a class they differ only off the path (class sizes {sizes})"
        return text


def _frame_row(index: int, eq: Equilibrium, eqs: EquilibriumSet) -> dict[str, Any]:
    """One row of :meth:`EquilibriumSet.to_frame`."""
    from .outcomes import regime_label

    pure = eq.is_pure()
    row: dict[str, Any] = {"equilibrium": index, "regime": regime_label(eq.outcomes, pure),
                           "label": eq.label, "pure": pure}
    for player, part in eq.profile.items():
        for name, value in part.items():
            if isinstance(value, Mapping):  # extensive form: infoset -> action -> probability
                row.update({f"profile:{player}:{name}:{a}": float(p) for a, p in value.items()})
            else:
                row[f"profile:{player}:{name}"] = float(value)
    for infoset, dist in (eq.beliefs or {}).items():
        row.update({f"belief:{infoset}:{node}": float(p) for node, p in dist.items()})
    row.update(result_columns(eq.payoffs, eq.outcomes, eq.certificate))
    row.update({"concept": eqs.concept, "method": eqs.method, "belief_policy": eqs.belief_policy,
                "lam": eq.lam})
    return row


def result_columns(payoffs: Mapping[str, float], outcomes: Mapping[str, float],
                   cert: Certificate) -> dict[str, Any]:
    """The columns of a result table that every equilibrium has, whatever its game: ``payoff_<player>``,
    ``outcome_<label>`` and the indicators (if there are outcome labels), then the certificate
    (``regret``, ``bayes_error``, ``qre_residual``, ``tolerance``, ``exact``, ``certified``).

    Shared by :meth:`EquilibriumSet.to_frame` and
    :meth:`deterrence.ReputationEquilibrium.to_frame`, so that the same column means the same.
    """
    row: dict[str, Any] = {f"payoff_{player}": float(v) for player, v in payoffs.items()}
    row.update({f"outcome_{label}": float(p) for label, p in outcomes.items()})
    row.update(indicators(outcomes) if outcomes else {})
    row.update({"regret": cert.regret, "bayes_error": cert.bayes_error, "qre_residual": cert.qre_residual,
                "tolerance": cert.tolerance, "exact": cert.exact, "certified": cert.passed})
    return row


def _same_on_path(a: Equilibrium, b: Equilibrium, names: list[str] | None, tol: float) -> bool:
    """Same unreached information sets and the same play at every reached one (``names``: the
    tree's information sets in ``strategies`` order; ``None`` for a normal-form game)."""
    if set(a.off_path) != set(b.off_path) or len(a.strategies) != len(b.strategies):
        return False
    reached = range(len(a.strategies)) if names is None else [
        k for k, name in enumerate(names) if name not in a.off_path]
    return all(np.allclose(a.strategies[k], b.strategies[k], atol=tol) for k in reached)
