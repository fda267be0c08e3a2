"""The parameters of the collective-defence family: shared by every ally, or one per ally.

Every quantity an ally has (credibility, cost of fighting, the two types' interests, pledge
type, capability: :data:`PER_ALLY`) is one parameter shared by all allies, or, when the builder
is given a list, one parameter per ally (``credibility_1``, ``credibility_2``, ...); the number
of members is then fixed by the list's length. ``members`` and ``pledge`` are whole numbers
(:class:`IntegerParameter`): a sweep may vary them on a grid of whole numbers, and any other
value is refused with a :class:`~deterrence.ParameterError` naming the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..model import Parameter
from ._pledges import COMMITMENT_TYPES, DEFENCE_PACT

INF = math.inf
#: the most members the family takes (the aggregated game is solved up to here)
MAX_MEMBERS = 32


@dataclass(frozen=True)
class IntegerParameter(Parameter):
    """A parameter whose values are whole numbers in its domain (the number of members, a code).

    Its :meth:`contains` is the domain rule of :class:`~deterrence.Parameter` plus "is a whole
    number", so designs, sweeps and :meth:`check` refuse ``2.5`` as they refuse a value outside
    the domain.
    """

    #: sliders, scans and grids step by whole numbers
    integer = True

    def contains(self, value: Any, *, closed: bool = False) -> Any:
        inside = super().contains(value, closed=closed)
        v = np.asarray(value, dtype=float)
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(v) & (np.floor(v) == v)
        out = np.asarray(inside) & whole
        return bool(out) if out.ndim == 0 else out

    @property
    def domain_text(self) -> str:
        lo, hi = (int(x) if math.isfinite(x) else x for x in self.domain)
        return f"whole numbers in [{lo}, {hi}]"


@dataclass(frozen=True)
class Spec:
    """How the family declares one quantity: default, domain, words, symbol, whole-number flag."""

    default: float
    domain: tuple[float, float]
    description: str
    symbol: str
    open_lower: bool = False
    open_upper: bool = False
    integer: bool = False

    def make(self, name: str, default: float | None = None, description: str | None = None) -> Parameter:
        cls = IntegerParameter if self.integer else Parameter
        value = self.default if default is None else default
        if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
            raise ParameterError(f"{name} must be a number, got {value!r}", name=name, value=value)
        return cls(
            name,
            value,
            self.domain,
            description or self.description,
            self.symbol,
            self.open_lower,
            self.open_upper,
        )


_PLEDGES = ", ".join(f"{k} {v[0].replace('_', ' ')}" for k, v in COMMITMENT_TYPES.items())

#: every parameter of the family (shared form), in declaration order
SPECS: dict[str, Spec] = {
    "members": Spec(
        3, (1, MAX_MEMBERS), "number of allies pledged to the Target (a whole number)", "n", integer=True
    ),
    "credibility": Spec(
        0.5, (0, 1), "probability that an ally is the committed type (the credibility of its pledge)", "\\pi"
    ),
    "stakes": Spec(
        1.0,
        (0, INF),
        "value of the disputed prize to the Attacker and the Target",
        "v",
        open_lower=True,
        open_upper=True,
    ),
    "p_alone": Spec(0.3, (0, 1), "probability that the Target wins a war it fights alone", "p_0"),
    "p_allied": Spec(
        0.8, (0, 1), "probability that the Target wins a war fought with one ally of capability 1", "p_1"
    ),
    "cost_attacker": Spec(0.4, (0, INF), "the Attacker's cost of war", "c_A"),
    "cost_defender": Spec(0.35, (0, INF), "the Target's cost of war", "c_D"),
    "cost_ally": Spec(0.3, (0, INF), "an ally's cost of fighting", "c_L"),
    "interest_committed": Spec(
        1.0,
        (0, INF),
        "the committed type's interest in the Target: its value of the "
        "Target holding the prize, per unit of stakes",
        "w_C",
    ),
    "interest_uncommitted": Spec(
        0.2,
        (0, INF),
        "the uncommitted type's interest in the Target (how far an "
        "ally's interests diverge from the Target's)",
        "w_U",
    ),
    "audience_cost": Spec(
        0.1,
        (0, INF),
        "an ally's audience (reputation) cost of reneging on a defence pact; a "
        "pledge of another type costs its share of it (0, 0.25, 0.6, 1 for codes 0..3)",
        "a",
    ),
    "pledge": Spec(
        DEFENCE_PACT,
        (0, 3),
        f"an ally's pledge type: {_PLEDGES} (the commitment-type codes)",
        "\\tau",
        integer=True,
    ),
    "capability": Spec(
        1.0,
        (0, INF),
        "an ally's capability: one ally of capability 1 turns p_alone into "
        "p_allied, and the contest function adds the capabilities of those who fight",
        "k",
    ),
    "decisiveness": Spec(
        1.0,
        (0, INF),
        "decisiveness r of the ratio-form contest function: 1 the lottery form "
        "(each ally adds less than the one before), above 1 an S-shaped curve",
        "r",
        open_lower=True,
    ),
}

#: the parameters of the provocation-prone variant
PROVOCATION: dict[str, Spec] = {
    "initiative": Spec(
        0.3,
        (0, 1),
        "probability that the Target, not the Attacker, has the crisis initiative and may provoke a war",
        "\\rho",
    ),
    "revision": Spec(
        0.5,
        (0, INF),
        "the Target's extra prize in a war it provokes (what it would take from the Attacker)",
        "g",
    ),
    "conditional": Spec(
        0.0,
        (0, 1),
        "share of its audience cost a pledge waives in a war the Target provoked "
        "(1: the pledges cover only wars the Attacker starts)",
        "\\kappa",
    ),
}

#: the quantities each ally has: one shared parameter, or one per ally
PER_ALLY: tuple[str, ...] = (
    "credibility",
    "cost_ally",
    "interest_committed",
    "interest_uncommitted",
    "pledge",
    "capability",
)


def build_parameters(values: Mapping[str, Any], provocation: bool) -> tuple[dict[str, Parameter], int | None]:
    """The family's parameters from the builder's arguments, and the fixed member count (or ``None``).

    A list for a quantity of :data:`PER_ALLY` makes it one parameter per ally; the number of
    members is then the list's length (and ``members``, if given, must agree).

    Raises
    ------
    ParameterError
        An unknown argument, a list of the wrong length or outside the domain, a list for a
        shared-only quantity, lists of different lengths, ``members`` not a whole number in
        [1, 32], or a default outside its domain.
    """
    specs = {**SPECS, **(PROVOCATION if provocation else {})}
    unknown = [k for k in values if k not in specs]
    if unknown:
        raise ParameterError(
            f"unknown parameter '{unknown[0]}' for collective_defence; parameters are {', '.join(specs)}",
            name=unknown[0],
        )
    vectors = {k: v for k, v in values.items() if _is_vector(v)}
    bad = [k for k in vectors if k not in PER_ALLY]
    if bad:
        raise ParameterError(
            f"{bad[0]} is shared by all allies and takes one number, not a list; the "
            f"quantities given per ally are {', '.join(PER_ALLY)}",
            name=bad[0],
        )
    fixed = _member_count(values, vectors)
    out: dict[str, Parameter] = {}
    for name, spec in specs.items():
        if name in vectors:
            for i, x in enumerate(vectors[name]):
                out[f"{name}_{i + 1}"] = spec.make(f"{name}_{i + 1}", x, f"{spec.description} (ally {i + 1})")
        elif name == "members" and fixed is not None:
            out[name] = IntegerParameter(
                name,
                fixed,
                (fixed, fixed),
                f"number of allies pledged to the Target (fixed at {fixed} by the per-ally lists)",
                spec.symbol,
            )
        else:
            out[name] = spec.make(name, values.get(name))
    return out, fixed


def _is_vector(value: Any) -> bool:
    return isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes))


def _member_count(values: Mapping[str, Any], vectors: Mapping[str, Any]) -> int | None:
    """The member count the per-ally lists fix (``None`` without lists); checks the lengths."""
    if not vectors:
        return None
    lengths = {k: len(v) for k, v in vectors.items()}
    n = next(iter(lengths.values()))
    for k, m in lengths.items():
        if m != n:
            raise ParameterError(
                f"{k} has {m} values but {next(iter(lengths))} has {n}: give one value per "
                "ally for every per-ally quantity",
                name=k,
                value=m,
            )
    if not 1 <= n <= MAX_MEMBERS:
        k = next(iter(lengths))
        raise ParameterError(
            f"{k} has {n} values; the family takes 1 to {MAX_MEMBERS} allies", name=k, value=n
        )
    if "members" in values and float(values["members"]) != n:
        k = next(iter(lengths))
        raise ParameterError(
            f"{k} has {n} values for members = {values['members']}: a per-ally list needs one "
            "value per member",
            name=k,
            value=n,
        )
    return n


def ally_vectors(
    parameters: Mapping[str, Parameter], point: Mapping[str, float], n: int
) -> dict[str, np.ndarray]:
    """Per-ally values of every :data:`PER_ALLY` quantity at a point (shared ones repeated)."""
    out = {}
    for name in PER_ALLY:
        if name in parameters:
            out[name] = np.full(n, float(point[name]))
        else:
            out[name] = np.array([float(point[f"{name}_{i + 1}"]) for i in range(n)])
    return out


__all__ = [
    "MAX_MEMBERS",
    "PER_ALLY",
    "PROVOCATION",
    "SPECS",
    "IntegerParameter",
    "Spec",
    "ally_vectors",
    "build_parameters",
]
