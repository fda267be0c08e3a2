"""The collective-defence family: an Attacker, a Target and ``members`` allies pledged to it.

:class:`CollectiveDefence` is what the catalogue returns for ``collective_defence`` (and its
variants): a *model family*, whose game changes shape with a parameter (the number of members,
1 to 32), so that it is not one tree. It offers what the rest of the library uses from a model:

* ``parameters``, ``defaults``, ``players``, ``concepts``, the documentation attributes, a
  ``sha256`` and a no-pledge ``baseline()`` (the same family with every pledge type 0);
* ``game(**values)``: the aggregated game at a point
  (:class:`~deterrence.game.collective.CollectiveDefenceGame`), which :func:`deterrence.solve`
  solves at any size; ``tree(**values)`` the explicit tree (up to 4 allies);
* ``compiled_kernel(concept, belief_policy, path)``: the vectorised evaluation a sweep uses
  (:class:`~deterrence.families._kernel.CollectiveKernel`), ``schema()`` and ``measures``: the
  tidy columns it fills;
* ``regimes(...)``: what is exact about the regimes (used by :func:`deterrence.regimes`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np

from ..equilibrium import default_concept
from ..errors import ParameterError, UnsupportedError
from ..game.collective import CollectiveDefenceGame, Contest
from ..model import Reference
from ._parameters import PER_ALLY, ally_vectors, build_parameters
from ._pledges import audience_multiplier
from ._schema import LABELS, MEASURES, TABLE_PLAYERS, summary_columns


class CollectiveDefence:
    """A collective-defence model family (see the module docstring).

    Parameters
    ----------
    name, title, description, references, claims, entrapment, baseline_text
        The catalogue entry's documentation.
    values
        The builder's arguments: parameter defaults, lists for per-ally quantities.
    timing
        ``"simultaneous"`` or ``"sequential"`` (the allies' joining).
    provocation
        The provocation-prone variant (adds ``initiative``, ``revision``, ``conditional``).
    is_baseline
        The no-pledge baseline (every pledge type 0: no audience cost, no abandonment, no
        entrapment).

    Raises
    ------
    ParameterError
        From :func:`~deterrence.families._parameters.build_parameters`: an unknown argument, a
        per-ally list of the wrong length, a value outside its domain (``members`` below 1 or
        above 32 or not whole, a pledge code that does not exist), or defaults at which the
        contest function is undefined.
    """

    concepts: tuple[str, ...] = ("pbe",)
    status = "stylised"
    orderings: tuple = ()
    fixed: Mapping[str, Any] = MappingProxyType({})
    file = None
    text = None

    def __init__(
        self,
        *,
        name: str,
        title: str,
        description: str,
        values: Mapping[str, Any],
        timing: str = "simultaneous",
        provocation: bool = False,
        is_baseline: bool = False,
        references: tuple[Reference, ...] = (),
        claims: tuple[dict[str, Any], ...] = (),
        entrapment: str = "",
        baseline_text: str = "",
    ) -> None:
        self.name = name
        self.title = title + (" — no-pledge baseline" if is_baseline else "")
        self.description = description
        self.timing = timing
        self.provocation = provocation
        self.is_baseline = is_baseline
        self.references = tuple(references)
        self.claims = tuple(dict(c) for c in claims)
        self.entrapment = entrapment
        self.baseline_description = baseline_text
        self._values = dict(values)
        self.parameters, self.members_fixed = build_parameters(values, provocation)
        self.derived: dict[str, Any] = {}
        self.meta = {
            "family": "collective_defence",
            "timing": timing,
            "provocation": provocation,
            "per_ally": [k for k in PER_ALLY if k not in self.parameters],
            "commitment_types": "deterrence.families.COMMITMENT_TYPES (pledge codes 0..3)",
        }
        self.game()  # the defaults must give a game (e.g. a defined contest function)

    # ------------------------------------------------------------------ facts
    def __repr__(self) -> str:
        kind = " (baseline)" if self.is_baseline else ""
        n = self.members_fixed or f"1..{int(self.parameters['members'].domain[1])}"
        return (f"<CollectiveDefence {self.name!r}{kind}: {n} members, {self.timing}, "
                f"{len(self.parameters)} parameters>")

    @property
    def players(self) -> tuple[str, ...]:
        """The players of the tidy tables (``Ally``: the allies' mean payoff)."""
        return TABLE_PLAYERS

    @property
    def default_concept(self) -> str:
        """The solution concept used when none is given (the same rule as a model file's)."""
        return default_concept(self.concepts)

    @property
    def defaults(self) -> dict[str, float]:
        return {n: p.default for n, p in self.parameters.items()}

    @property
    def measures(self) -> tuple[str, ...]:
        """The extra columns this family writes into a sweep's table."""
        return MEASURES

    @property
    def exchangeable(self) -> bool:
        """Whether every ally quantity is one shared parameter (allies identical at every point)."""
        return all(k in self.parameters for k in PER_ALLY)

    @cached_property
    def sha256(self) -> str:
        canon = {
            "name": self.name,
            "timing": self.timing,
            "provocation": self.provocation,
            "baseline": self.is_baseline,
            "version": 1,
            "parameters": {
                n: [p.default, list(p.domain), p.open_lower, p.open_upper, type(p).__name__]
                for n, p in self.parameters.items()
            },
        }
        return hashlib.sha256(json.dumps(canon, sort_keys=True, default=str).encode()).hexdigest()

    def table_values(self, game: Any, equilibrium: Any) -> dict[str, float]:
        """The family's columns of a sweep's row for one equilibrium solved at a point on its own
        (the per-point path): ``payoff_Ally``, the allies' mean payoff, and the :attr:`measures`,
        as the compiled path fills them (:func:`deterrence.families._kernel.point_rows`)."""
        return summary_columns(game.summary(equilibrium.strategies))

    def schema(self) -> tuple[list[str], list[str]]:
        """Players and outcome labels of the tidy columns (for the sweep engine)."""
        return list(TABLE_PLAYERS), list(LABELS)

    def outcomes(self) -> dict[str, tuple[str, ...]]:
        """The outcome labels (the family has no fixed terminal nodes: one entry per label)."""
        return {lab: (lab,) for lab in LABELS}

    def baseline(self) -> CollectiveDefence:
        """The no-pledge baseline: the same family with every pledge type 0 (no audience cost;
        staying out is not abandonment, fighting is never entrapment)."""
        if self.is_baseline:
            return self
        return self._baseline

    @cached_property
    def _baseline(self) -> CollectiveDefence:
        return CollectiveDefence(
            name=self.name,
            title=self.title,
            description=self.description,
            values=self._values,
            timing=self.timing,
            provocation=self.provocation,
            is_baseline=True,
            references=self.references,
            claims=self.claims,
            entrapment=self.entrapment,
            baseline_text=self.baseline_description,
        )

    # ------------------------------------------------------------------ values and games
    def point(self, values: Mapping[str, Any] | None = None, /, **kwargs: Any) -> dict[str, float]:
        """Every parameter's value at a point (defaults for those not given), checked.

        Raises
        ------
        ParameterError
            An unknown parameter (listing the valid ones), a value that is not a number, or one
            outside its domain (``members`` not a whole number in [1, 32], a pledge code that
            does not exist).
        """
        given = {**dict(values or {}), **kwargs}
        unknown = [k for k in given if k not in self.parameters]
        if unknown:
            raise ParameterError(
                f"unknown parameter '{unknown[0]}' for model '{self.name}'; parameters are "
                f"{', '.join(self.parameters)}",
                name=unknown[0],
            )
        out = {}
        for name, par in self.parameters.items():
            value = given.get(name, par.default)
            par.check(value)
            out[name] = float(value)
        return out

    def game(
        self,
        values: Mapping[str, Any] | None = None,
        /,
        *,
        check_orderings: bool = True,
        exact: bool = False,
        **kwargs: Any,
    ) -> CollectiveDefenceGame:
        """The aggregated game at a point (any number of members; :func:`deterrence.solve` solves it).

        ``check_orderings`` and ``exact`` are accepted for the model interface (the family has no
        orderings; its numbers are floats).

        Raises
        ------
        ParameterError
            A bad value (see :meth:`point`), or a capability at which the contest function is
            undefined (naming ``capability``).
        """
        return self.game_at(self.point(values, **kwargs))

    def game_at(self, point: Mapping[str, float]) -> CollectiveDefenceGame:
        """The aggregated game at a checked point (every parameter given)."""
        n = int(point["members"])
        ally = ally_vectors(self.parameters, point, n)
        codes = ally["pledge"]
        if "pledge" in self.parameters:  # shared: one code
            mult = np.full(n, audience_multiplier(codes[0], "pledge"))
        else:
            mult = np.array([audience_multiplier(c, f"pledge_{i + 1}") for i, c in enumerate(codes)])
        pledged = codes != 0
        if self.is_baseline:
            mult, pledged = np.zeros(n), np.zeros(n, dtype=bool)
        try:  # every value is in its domain (checked by point() or by the sweep's design)
            return CollectiveDefenceGame.trusted(
                stakes=point["stakes"],
                cost_attacker=point["cost_attacker"],
                cost_defender=point["cost_defender"],
                contest=Contest(point["p_alone"], point["p_allied"], point["decisiveness"]),
                credibility=tuple(ally["credibility"].tolist()),
                cost_ally=tuple(ally["cost_ally"].tolist()),
                interest_committed=tuple(ally["interest_committed"].tolist()),
                interest_uncommitted=tuple(ally["interest_uncommitted"].tolist()),
                audience_cost=tuple((point["audience_cost"] * mult).tolist()),
                capability=tuple(ally["capability"].tolist()),
                pledged=tuple(pledged.tolist()),
                timing=self.timing,
                initiative=point.get("initiative", 0.0),
                revision=point.get("revision", 0.0),
                conditional=point.get("conditional", 0.0),
                title=self.title,
            )
        except ParameterError as exc:
            if exc.name == "capability" and "capability" not in self.parameters:
                exc.add_note("the capabilities are the per-ally parameters capability_1, capability_2, ...")
            raise

    def tree(self, values: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Any:
        """The explicit game tree at a point (an :class:`~deterrence.ExtensiveFormGame`; up to 4 allies).

        Raises
        ------
        ResourceError
            More than 4 members.
        """
        from ..game.collective_tree import explicit_tree

        return explicit_tree(self.game(values, **kwargs))

    # ------------------------------------------------------------------ what the sweep engine uses
    def compiled_kernel(self, concept: str, belief_policy: str, path: str = "auto") -> Any:
        """The family's vectorised evaluation of many points (the compiled path of a sweep).

        Raises
        ------
        UnsupportedError
            A concept other than ``"pbe"`` with ``path="compiled"`` (``"auto"`` returns ``None``).
        """
        if concept != "pbe":
            if path == "compiled":
                raise UnsupportedError(
                    f"the {self.name} family is solved as 'pbe', not '{concept}'", methods=("pbe",)
                )
            return None
        from ._kernel import CollectiveKernel

        return CollectiveKernel(self, belief_policy)

    def regimes(self, concept: str | None = None, belief_policy: str = "free", **fixed: Any) -> Any:
        """What is exact about the regimes at a member count (see :mod:`deterrence.families._regimes`)."""
        from ._regimes import family_regimes

        return family_regimes(self, concept, belief_policy, **fixed)

    def threshold(
        self, parameter: str, concept: str | None = None, belief_policy: str = "free", **fixed: Any
    ) -> list[dict[str, Any]]:
        """Values of ``parameter`` where the set of regimes changes (used by :func:`deterrence.threshold`)."""
        from ._regimes import family_threshold

        return family_threshold(self, parameter, concept, belief_policy, **fixed)


__all__ = ["CollectiveDefence"]
