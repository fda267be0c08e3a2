"""The collective-defence game in aggregated form: an Attacker, a Target and ``n`` pledged allies.

Nature draws each ally's type (committed with probability ``credibility[i]``, else uncommitted);
the Attacker attacks or not; the Target (player ``"Defender"``, as in ``extended_deterrence``)
resists or concedes; the allies then decide whether to join the war, all at once (a Bayesian
game among them, ``timing="simultaneous"``) or one after the other along the pledge order, each
seeing who joined before it (``timing="sequential"``). With ``initiative > 0`` the Target is
provocation-prone: with that probability it has the initiative instead of the Attacker and may
provoke a war for an extra prize ``revision``, in which the allies decide again (a pledge may
waive a share ``conditional`` of its audience cost in such a war).

The Target's side wins a war with the probability :meth:`Contest.win` of the total capability
``K`` of the allies that fight; everyone's payoff depends on the other allies only through who
fights, so the game is *aggregated*: a profile gives each ally type's probability of joining
(per state ``K`` already joined, in the sequential game), not a strategy per node of a tree
with ``2**n`` type profiles. :func:`deterrence.game.collective_tree.explicit_tree` builds that
explicit tree where it is small (a test oracle for the generic solvers).

Payoffs (``v`` the stakes, ``p(K)`` the Target side's chance of winning, ``w`` an ally type's
interest in the Target, ``c`` its cost of fighting, ``a`` its audience cost of reneging):

* status quo: Attacker ``0``, Target ``v``, ally ``w_t v``;
* capitulation: Attacker ``v``, Target ``0``, ally ``0``;
* war, with the allies ``S`` fighting: Attacker ``(1 - p) v - c_A``, Target ``p v - c_D``, ally
  ``w_t p v - c`` if it fights and ``w_t p v - a`` if it stays out;
* a war the Target provoked: Attacker ``(1 - p) v - p g - c_A``, Target ``p (v + g) - c_D``, ally as
  above with ``a`` times ``1 - conditional``.

The Target's survival is a public good: every ally gets ``w_t p v`` whether it fought or not.
With one ally, ``p(0) = p_alone`` and ``p(1) = p_allied``: the game is ``extended_deterrence``.

Outcome labels (:data:`deterrence.outcomes.OUTCOMES`): ``war`` (no ally fights),
``allied_war`` (at least one fights), ``abandonment`` (a war in which at least one ally whose
pledge covers it stays out), ``entrapment`` (a war in which at least one pledged ally fights
whose interest could never justify fighting without the pledge: ``w_t v (p(K + k_i) - p(K)) <
c_i`` for every capability ``K`` the others could bring; :attr:`CollectiveDefenceGame.unwilling`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from ..errors import GameError, ParameterError, ResourceError

TIMINGS: tuple[str, ...] = ("simultaneous", "sequential")
TYPES: tuple[str, ...] = ("committed", "uncommitted")
WARS: tuple[str, ...] = ("defence", "provoked")
ATTACKER_ACTIONS = ("no_attack", "attack")
DEFENDER_ACTIONS = ("concede", "resist")
INITIATIVE_ACTIONS = ("status_quo", "provoke")
ALLY_ACTIONS = ("intervene", "stay_out")  # as in extended_deterrence

#: most distinct capability sums the exact arithmetic tracks (sums of subsets of the allies)
MAX_SUMS = 200_000
#: relative tolerance under which two capability sums are the same state
SUM_TOL = 1e-12


# ====================================================================== the contest
@dataclass(frozen=True)
class Contest:
    """The Target side's chance of winning a war from the capability ``K`` of the allies that fight.

    A ratio-form (Tullock 1980; Hirshleifer 1989) contest success function, written so that one
    ally of capability 1 turns ``p_alone`` into ``p_allied``::

        odds(K) = (x0 + K (x1 - x0)) ** r,   x = (p / (1 - p)) ** (1 / r),   p(K) = odds / (1 + odds)

    with ``x0`` from ``p_alone``, ``x1`` from ``p_allied`` and ``r`` the ``decisiveness``. In
    strengths: the Target brings ``x0``, an ally of capability ``k`` brings ``k (x1 - x0)``, the
    Attacker ``1``, and ``p = T**r / (T**r + A**r)``. ``r = 1`` is the lottery form, concave in
    ``K`` (each further ally adds less: the force behind buck-passing); ``r > 1`` makes ``p``
    S-shaped (a coalition must be big enough to turn the war). ``p(0) = p_alone``;
    ``p_allied = 1`` means any help wins for sure.

    Raises
    ------
    ParameterError
        From :meth:`check`: a total capability at which ``x0 + K (x1 - x0) < 0`` (allies that
        weaken the Target, ``p_allied < p_alone``, too many of them), or ``p_alone = 1`` with
        ``p_allied < 1`` (no ratio contest gives that).
    """

    p_alone: float
    p_allied: float
    decisiveness: float = 1.0

    @cached_property
    def _roots(self) -> tuple[float, float]:
        r = float(self.decisiveness)
        return _odds_root(self.p_alone, r), _odds_root(self.p_allied, r)

    def check(self, total: float) -> None:
        """Raise :class:`~deterrence.ParameterError` (naming ``capability`` or ``p_allied``)
        if the contest is undefined for some capability in ``[0, total]``."""
        if not self.decisiveness > 0 or not math.isfinite(self.decisiveness):
            raise ParameterError(
                f"decisiveness must be a positive number, got {self.decisiveness}",
                name="decisiveness",
                value=self.decisiveness,
            )
        if self.p_allied >= 1.0 or total <= 0:
            return
        if self.p_alone >= 1.0:
            raise ParameterError(
                "the contest function is undefined: p_alone = 1 (the Target cannot lose alone) with "
                f"p_allied = {self.p_allied:g} < 1 (an ally would make it lose); no ratio-form contest "
                "gives that",
                name="p_allied",
                value=self.p_allied,
            )
        x0, x1 = self._roots
        g = x0 + total * (x1 - x0)
        if g < -1e-12 * max(1.0, x0):
            raise ParameterError(
                f"the contest function is undefined at the allies' total capability {total:g}: with "
                f"p_alone = {self.p_alone:g} > p_allied = {self.p_allied:g} each unit of capability "
                f"weakens the Target, and its strength x0 + K (x1 - x0) turns negative above "
                f"K = {x0 / (x0 - x1):.6g}; lower the capability or the number of members",
                name="capability",
                value=total,
            )

    def win(self, capability: Any) -> np.ndarray:
        """``p(K)`` for an array of capabilities ``K >= 0`` (elementwise)."""
        return win_probability(self.p_alone, self.p_allied, self.decisiveness, capability)


def win_probability(p_alone: Any, p_allied: Any, decisiveness: Any, capability: Any) -> np.ndarray:
    """The contest function of :class:`Contest` on arrays (all arguments broadcast together).

    ``p(0) = p_alone``; with ``p_allied = 1`` any positive capability wins for sure; otherwise
    ``p = g**r / (1 + g**r)`` with ``g = x0 + K (x1 - x0)`` (clipped at 0; :meth:`Contest.check`
    refuses the points where it would be negative).
    """
    p0, p1, r, k = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (p_alone, p_allied, decisiveness, capability))
    )
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        x0 = np.where(p0 < 1, (p0 / np.where(p0 < 1, 1 - p0, 1.0)) ** (1 / r), np.inf)
        x1 = np.where(p1 < 1, (p1 / np.where(p1 < 1, 1 - p1, 1.0)) ** (1 / r), np.inf)
        g = np.maximum(x0 + k * (x1 - x0), 0.0)
        odds = g**r
        out = np.where(np.isinf(odds), 1.0, odds / (1.0 + odds))
    out = np.where(p1 >= 1, np.where(k > 0, 1.0, p0), out)
    return np.where(k > 0, out, p0)


def _odds_root(p: float, r: float) -> float:
    """``(p / (1 - p)) ** (1 / r)`` (``inf`` at ``p = 1``)."""
    if p >= 1.0:
        return math.inf
    return (p / (1.0 - p)) ** (1.0 / r)


# ====================================================================== capability sums
class Sums:
    """The distinct sums of capabilities of subsets of the allies, and the moves between them.

    ``values`` is the sorted array of every subset sum (two sums closer than :data:`SUM_TOL`
    relative are one); ``step[i]`` maps the index of a sum ``s`` to the index of ``s + k_i``
    (``-1`` where that is not a subset sum: ``s`` then already holds ally ``i``). With equal
    capabilities the sums are ``0, k, 2k, ..., nk``.

    Raises
    ------
    ResourceError
        More than :data:`MAX_SUMS` distinct sums (distinct capabilities: up to ``2**n``).
    """

    def __init__(self, capabilities: Sequence[float]) -> None:
        caps = np.asarray(capabilities, dtype=float)
        self.capabilities = caps
        n = len(caps)
        if n and np.all(np.abs(caps - caps[0]) <= SUM_TOL * np.maximum(1.0, np.abs(caps))):
            self._equal(n, float(caps[0]))
            return
        values = np.zeros(1)
        stages = [values]
        for k in caps:
            values = _merge(np.concatenate([values, values + k]))
            if len(values) > MAX_SUMS:
                raise ResourceError(
                    f"the allies' capabilities give more than {MAX_SUMS:,} distinct sums (distinct "
                    f"capabilities of {len(caps)} allies can give up to 2**{len(caps)}); the exact "
                    "methods track every sum: give the allies fewer distinct capabilities "
                    "(classes of equal capability) or fewer members"
                )
            stages.append(values)
        self.values = values
        self.stages = stages  # stages[i]: sums of subsets of allies 0..i-1
        self.step = [_index(values, values + k) for k in caps]

    def _equal(self, n: int, k: float) -> None:
        """Equal capabilities: the sums are ``m k``, ``m = 0..n`` (one sum if ``k = 0``)."""
        if k == 0:
            self.values = np.zeros(1)
            self.stages = [self.values] * (n + 1)
            self.step = [np.zeros(1, dtype=np.int64)] * n
            return
        self.values = np.arange(n + 1) * k
        self.stages = [np.arange(i + 1) * k for i in range(n + 1)]
        up = np.append(np.arange(1, n + 1), -1).astype(np.int64)
        self.step = [up] * n

    @property
    def size(self) -> int:
        return len(self.values)

    def index(self, x: Any) -> np.ndarray:
        """Index of each value of ``x`` among :attr:`values` (``-1`` where it is none)."""
        return _index(self.values, np.asarray(x, dtype=float))

    def distribution(self, join: Sequence[float], skip: int | None = None) -> np.ndarray:
        """Probability of each sum when ally ``j`` fights with probability ``join[j]``
        independently (ally ``skip`` left out)."""
        dist = np.zeros(self.size)
        dist[0] = 1.0
        for j, q in enumerate(join):
            if j == skip or q == 0.0:
                continue
            move = self.step[j]
            ok = move >= 0
            new = dist * (1.0 - q)
            np.add.at(new, move[ok], dist[ok] * q)
            dist = new
        return dist


@lru_cache(maxsize=256)
def sums_of(capabilities: tuple[float, ...]) -> Sums:
    """The :class:`Sums` of these capabilities (cached: games at many points share them)."""
    return Sums(capabilities)


def _merge(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (relative tolerance :data:`SUM_TOL`)."""
    v = np.sort(values)
    if len(v) <= 1:
        return v
    keep = np.ones(len(v), dtype=bool)
    keep[1:] = np.diff(v) > SUM_TOL * np.maximum(1.0, np.abs(v[1:]))
    return v[keep]


def _index(values: np.ndarray, x: np.ndarray) -> np.ndarray:
    pos = np.clip(np.searchsorted(values, x - SUM_TOL * np.maximum(1.0, np.abs(x))), 0, len(values) - 1)
    hit = np.abs(values[pos] - x) <= SUM_TOL * np.maximum(1.0, np.abs(x))
    return np.where(hit, pos, -1)


# ====================================================================== information sets
@dataclass(frozen=True)
class CollectiveInfoSet:
    """One information set of the aggregated game.

    ``war`` is ``"defence"`` or ``"provoked"`` for the allies' sets (``""`` otherwise),
    ``ally`` the ally's index (``-1`` otherwise), ``kind`` its type index (0 committed, 1
    uncommitted), ``state`` the index of the capability already joined (sequential timing;
    ``-1`` in the simultaneous game).
    """

    index: int
    player: int
    name: str
    actions: tuple[str, ...]
    war: str = ""
    ally: int = -1
    kind: int = -1
    state: int = -1


def ally_player(i: int, n: int) -> str:
    """The name of ally ``i`` (0-based): ``"Ally"`` when it is the only one, else ``"Ally1"``..."""
    return "Ally" if n == 1 else f"Ally{i + 1}"


def ally_prefix(i: int, n: int) -> str:
    """The information-set prefix of ally ``i``: ``"ally"`` alone (as ``extended_deterrence``), else
    ``"ally1"``, ``"ally2"``, ..."""
    return "ally" if n == 1 else f"ally{i + 1}"


@lru_cache(maxsize=512)
def _infosets_of(
    n: int, timing: str, provocation: bool, capabilities: tuple[float, ...] | None
) -> tuple[CollectiveInfoSet, ...]:
    """The information sets of every game of this shape (see :attr:`CollectiveDefenceGame.infosets`)."""
    caps = capabilities if capabilities is not None else (1.0,) * n
    probe = CollectiveDefenceGame(
        1.0,
        0.0,
        0.0,
        Contest(0.5, 0.5),
        (0.5,) * n,
        (0.0,) * n,
        (0.0,) * n,
        (0.0,) * n,
        (0.0,) * n,
        caps,
        (False,) * n,
        timing,
        0.5 if provocation else 0.0,
    )
    return probe._make_infosets()


def _state_text(value: float, equal: float | None) -> str:
    if equal is not None and equal > 0:
        return f"{round(value / equal)}"
    return f"K{value:.6g}"


# ====================================================================== the game
@dataclass(frozen=True, eq=False)
class CollectiveDefenceGame:
    """The aggregated collective-defence game (see the module docstring).

    Parameters
    ----------
    stakes, cost_attacker, cost_defender
        The prize ``v`` and the Attacker's and the Target's costs of war.
    contest
        The :class:`Contest` (``p_alone``, ``p_allied``, ``decisiveness``).
    credibility, cost_ally, interest_committed, interest_uncommitted, audience_cost, capability
        One number per ally: the probability that it is the committed type, its cost of
        fighting, each type's interest in the Target, its audience cost of reneging (already
        set by its pledge type), its capability.
    pledged
        One flag per ally: whether it made a pledge (staying out is abandonment only then).
    timing
        ``"simultaneous"`` or ``"sequential"`` (along the allies' order).
    initiative
        Probability that the Target has the initiative and may provoke (0: never; the game
        has no provocation stage).
    revision
        The Target's extra prize in a war it provokes.
    conditional
        Share of every audience cost waived in a war the Target provoked (1: the pledges cover
        only wars the Attacker starts).
    title
        A name for messages and tables.

    Raises
    ------
    GameError
        Per-ally vectors of different lengths, no ally, an unknown timing, a probability outside
        [0, 1] or a negative cost, interest or capability.
    ParameterError
        A contest function undefined at the allies' total capability (:meth:`Contest.check`).
    ResourceError
        Too many distinct capability sums for the exact arithmetic (:class:`Sums`).
    """

    stakes: float
    cost_attacker: float
    cost_defender: float
    contest: Contest
    credibility: tuple[float, ...]
    cost_ally: tuple[float, ...]
    interest_committed: tuple[float, ...]
    interest_uncommitted: tuple[float, ...]
    audience_cost: tuple[float, ...]
    capability: tuple[float, ...]
    pledged: tuple[bool, ...]
    timing: str = "simultaneous"
    initiative: float = 0.0
    revision: float = 0.0
    conditional: float = 0.0
    title: str = "collective defence"
    kind: str = field(default="collective", init=False)

    def __post_init__(self) -> None:
        vectors = (
            "credibility",
            "cost_ally",
            "interest_committed",
            "interest_uncommitted",
            "audience_cost",
            "capability",
            "pledged",
        )
        n = len(self.credibility)
        if n < 1:
            raise GameError("a collective-defence game needs at least one ally")
        for name in vectors:
            value = tuple(getattr(self, name))
            if len(value) != n:
                raise GameError(f"{name} has {len(value)} entries for {n} allies")
            object.__setattr__(
                self,
                name,
                tuple(bool(x) for x in value) if name == "pledged" else tuple(float(x) for x in value),
            )
        if self.timing not in TIMINGS:
            raise GameError(f"unknown timing '{self.timing}'; timings are {', '.join(TIMINGS)}")
        self._check_numbers()
        self.contest.check(float(sum(self.capability)))

    @classmethod
    def trusted(cls, **fields: Any) -> CollectiveDefenceGame:
        """A game from values already checked (a model family's point): the per-ally fields are
        tuples of floats of one length and every number lies in its domain; only the contest
        function is checked (:meth:`Contest.check`). For the family's fast paths."""
        game = object.__new__(cls)
        for name, value in fields.items():
            object.__setattr__(game, name, value)
        for name, f in cls.__dataclass_fields__.items():
            if name not in fields:
                object.__setattr__(game, name, f.default)
        game.contest.check(float(sum(game.capability)))
        return game

    def _check_numbers(self) -> None:
        probs = {
            "credibility": self.credibility,
            "initiative": (self.initiative,),
            "conditional": (self.conditional,),
            "p_alone": (self.contest.p_alone,),
            "p_allied": (self.contest.p_allied,),
        }
        for name, values in probs.items():
            v = np.asarray(values, dtype=float)
            if not np.all((v >= 0.0) & (v <= 1.0)):
                raise GameError(f"{name} must lie in [0, 1], got {list(values)}")
        nonneg = {
            "cost_ally": self.cost_ally,
            "interest_committed": self.interest_committed,
            "interest_uncommitted": self.interest_uncommitted,
            "audience_cost": self.audience_cost,
            "capability": self.capability,
            "revision": (self.revision,),
            "cost_attacker": (self.cost_attacker,),
            "cost_defender": (self.cost_defender,),
            "stakes": (self.stakes,),
        }
        for name, values in nonneg.items():
            v = np.asarray(values, dtype=float)
            if not np.all(np.isfinite(v) & (v >= 0.0)):
                raise GameError(f"{name} must be finite and non-negative, got {list(values)}")

    # ------------------------------------------------------------------ shape
    @property
    def n(self) -> int:
        """The number of allies."""
        return len(self.credibility)

    @property
    def players(self) -> tuple[str, ...]:
        return ("Attacker", "Defender", *(ally_player(i, self.n) for i in range(self.n)))

    @property
    def num_players(self) -> int:
        return 2 + self.n

    @property
    def wars(self) -> tuple[str, ...]:
        """The kinds of war the allies may face: ``("defence",)``, plus ``"provoked"`` with initiative."""
        return WARS if self.initiative > 0 else WARS[:1]

    @cached_property
    def sums(self) -> Sums:
        """The capability sums (:class:`Sums`; shared by games with the same capabilities)."""
        return sums_of(self.capability)

    @cached_property
    def equal_capability(self) -> float | None:
        """The allies' common capability, or ``None`` if they differ."""
        caps = self.capability
        return caps[0] if all(abs(k - caps[0]) <= SUM_TOL * max(1.0, abs(k)) for k in caps) else None

    @cached_property
    def win(self) -> np.ndarray:
        """``p(K)`` at every capability sum (:attr:`sums`)."""
        return self.contest.win(self.sums.values)

    def audience(self, war: str) -> np.ndarray:
        """Each ally's audience cost of staying out of a war of this kind."""
        a = np.asarray(self.audience_cost, dtype=float)
        return a * (1.0 - self.conditional) if war == "provoked" else a

    def covered(self, war: str) -> np.ndarray:
        """Whether each ally's staying out of a war of this kind is abandonment (a pledge covers it)."""
        p = np.asarray(self.pledged, dtype=bool)
        return p & (self.conditional < 1.0) if war == "provoked" else p

    def interest(self) -> np.ndarray:
        """Interests, shape ``(n, 2)``: column 0 committed, 1 uncommitted (do not modify)."""
        return self._interest

    @cached_property
    def _interest(self) -> np.ndarray:
        out = np.column_stack([self.interest_committed, self.interest_uncommitted])
        out.setflags(write=False)
        return out

    def type_probabilities(self) -> np.ndarray:
        """Type probabilities, shape ``(n, 2)`` (do not modify)."""
        return self._types

    @cached_property
    def _types(self) -> np.ndarray:
        pi = np.asarray(self.credibility, dtype=float)
        out = np.column_stack([pi, 1.0 - pi])
        out.setflags(write=False)
        return out

    @cached_property
    def unwilling(self) -> np.ndarray:
        """``(n, 2)`` flags: the type would never fight without its pledge, whatever the others do.

        Type ``t`` of ally ``i`` is unwilling when ``w_t v (p(K + k_i) - p(K)) < c_i`` at every
        sum ``K`` of the other allies' capabilities. A pledged ally of an unwilling type that
        fights is entrapped (label ``entrapment``): it fights only because reneging is costly.
        """
        out = np.zeros((self.n, 2), dtype=bool)
        gain = self._largest_marginal_gain()
        w = self.interest()
        for i in range(self.n):
            for t in range(2):
                out[i, t] = w[i, t] * self.stakes * gain[i] < self.cost_ally[i] - 1e-12 * max(
                    1.0, self.cost_ally[i]
                )
        return out & np.asarray(self.pledged, dtype=bool)[:, None]

    def _largest_marginal_gain(self) -> np.ndarray:
        """``max_K p(K + k_i) - p(K)`` over the sums ``K`` of the other allies, for each ally."""
        if self.equal_capability is not None:
            win = self.contest.win(np.arange(self.n + 1) * self.equal_capability)
            return np.full(self.n, float(np.diff(win).max()))
        out = np.zeros(self.n)
        for i in range(self.n):
            others = [k for j, k in enumerate(self.capability) if j != i]
            base = sums_of(tuple(others)).values if others else np.zeros(1)
            lifted = self.contest.win(base + self.capability[i]) - self.contest.win(base)
            out[i] = float(lifted.max())
        return out

    @cached_property
    def infosets(self) -> tuple[CollectiveInfoSet, ...]:
        """The information sets, in the order of a profile's strategies (shared by games of one shape)."""
        states = self.capability if self.timing == "sequential" else None
        return _infosets_of(self.n, self.timing, self.initiative > 0, states)

    def _make_infosets(self) -> tuple[CollectiveInfoSet, ...]:
        sets = [
            CollectiveInfoSet(0, 0, "attacker", ATTACKER_ACTIONS),
            CollectiveInfoSet(1, 1, "defender", DEFENDER_ACTIONS),
        ]
        if self.initiative > 0:
            sets.append(CollectiveInfoSet(2, 1, "defender_initiative", INITIATIVE_ACTIONS))
        for war in self.wars:
            suffix = "" if war == "defence" else "_provoked"
            for i in range(self.n):
                for t, tname in enumerate(TYPES):
                    base = f"{ally_prefix(i, self.n)}_{tname}"
                    if self.timing == "simultaneous":
                        sets.append(
                            CollectiveInfoSet(len(sets), 2 + i, base + suffix, ALLY_ACTIONS, war, i, t)
                        )
                        continue
                    for s, value in enumerate(self.sequential_states(i)):
                        name = f"{base}_after{_state_text(value, self.equal_capability)}{suffix}"
                        sets.append(CollectiveInfoSet(len(sets), 2 + i, name, ALLY_ACTIONS, war, i, t, s))
        return tuple(sets)

    def sequential_states(self, i: int) -> np.ndarray:
        """The capability sums ally ``i`` may find already joined (sequential timing)."""
        return self.sums.stages[i]

    def infoset_by_name(self, name: str) -> CollectiveInfoSet:
        for h in self.infosets:
            if h.name == name:
                return h
        raise GameError(f"no information set '{name}'", infoset=name)

    def __repr__(self) -> str:
        extra = f", initiative={self.initiative:g}" if self.initiative > 0 else ""
        return f"<CollectiveDefenceGame: {self.n} allies, {self.timing}{extra}>"

    # ------------------------------------------------------------------ profiles
    def check_behaviour(self, behaviour: Sequence[Any], atol: float = 1e-9) -> list[np.ndarray]:
        """Validate a profile (one probability vector per information set) as float arrays."""
        if len(behaviour) != len(self.infosets):
            raise GameError(
                f"the profile has {len(behaviour)} entries, the game {len(self.infosets)} information sets"
            )
        out = []
        for h, b in zip(self.infosets, behaviour, strict=True):
            v = np.asarray(b, dtype=float).reshape(-1)
            if (
                v.shape != (len(h.actions),)
                or not np.all(np.isfinite(v))
                or np.any(v < -atol)
                or abs(v.sum() - 1) > max(atol, 1e-6)
            ):
                raise GameError(f"not a probability vector over {h.actions}: {v}", infoset=h.name)
            out.append(v)
        return out

    def labelled(self, behaviour: Sequence[Any]) -> dict[str, dict[str, dict[str, float]]]:
        """A profile as ``{player: {infoset: {action: prob}}}``."""
        out: dict[str, dict[str, dict[str, float]]] = {p: {} for p in self.players}
        for h, b in zip(self.infosets, behaviour, strict=True):
            out[self.players[h.player]][h.name] = {a: float(x) for a, x in zip(h.actions, b, strict=True)}
        return out

    def join_table(self, behaviour: Sequence[Any], war: str = "defence") -> list[np.ndarray]:
        """Each ally's probability of intervening in a war of this kind, per type (and state).

        Returns one array per ally: shape ``(2,)`` in the simultaneous game, ``(2, states)`` in
        the sequential one (states: :meth:`sequential_states`).
        """
        out: list[np.ndarray] = []
        for i in range(self.n):
            if self.timing == "simultaneous":
                out.append(np.zeros(2))
            else:
                out.append(np.zeros((2, len(self.sequential_states(i)))))
        for h, b in zip(self.infosets, behaviour, strict=True):
            if h.ally >= 0 and h.war == war:
                p = float(np.asarray(b, dtype=float)[0])
                if self.timing == "simultaneous":
                    out[h.ally][h.kind] = p
                else:
                    out[h.ally][h.kind, h.state] = p
        return out

    def top(self, behaviour: Sequence[Any]) -> dict[str, float]:
        """The Attacker's, the Target's and (with initiative) the provoking probabilities."""
        b = [np.asarray(x, dtype=float) for x in behaviour]
        out = {"attack": float(b[0][1]), "resist": float(b[1][1]), "provoke": 0.0}
        if self.initiative > 0:
            out["provoke"] = float(b[2][1])
        return out

    # ------------------------------------------------------------------ the war stage
    def war_stage(self, behaviour: Sequence[Any], war: str = "defence") -> WarStage:
        """What happens once a war of this kind starts, under the profile (:class:`WarStage`)."""
        joins = self.join_table(behaviour, war)
        if self.timing == "simultaneous":
            return _simultaneous_stage(self, joins, war)
        return _sequential_stage(self, joins, war)

    # ------------------------------------------------------------------ results of a profile
    def _weights(self, behaviour: Sequence[Any]) -> dict[str, float]:
        """Probabilities of the status quo, capitulation and each kind of war."""
        t = self.top(behaviour)
        rho = self.initiative
        attacked = (1 - rho) * t["attack"]
        return {
            "status_quo": (1 - rho) * (1 - t["attack"]) + rho * (1 - t["provoke"]),
            "capitulation": attacked * (1 - t["resist"]),
            "defence": attacked * t["resist"],
            "provoked": rho * t["provoke"],
        }

    def summary(self, behaviour: Sequence[Any]) -> ProfileSummary:
        """Payoffs, outcome probabilities and alliance measures of a profile, in one pass.

        ``measures``: ``expected_allies_at_war`` (allies that fight), ``expected_entrapped``
        (pledged allies of an unwilling type that fight), ``p_full_abandonment`` (a war no ally
        joins although some pledge covers it), ``p_chain_gang`` (a war the Target provoked in which
        at least one ally is entrapped), ``join_probability`` (the mean over allies of the
        probability of joining a war the Attacker starts, once it has started: the equilibrium's
        behaviour there, defined on the path or off it), ``p_target_wins``; and per ally (arrays)
        ``p_join``, ``p_entrapped``, ``p_abandons`` (unconditional) and ``join_given_war`` (given
        that some war starts; NaN without war).
        """
        w = self._weights(behaviour)
        t = self.top(behaviour)
        v, g, n, rho = self.stakes, self.revision, self.n, self.initiative
        quo = np.array([0.0, v, *(v * (self.interest() * self.type_probabilities()).sum(axis=1))])
        payoffs = ((1 - rho) * (1 - t["attack"]) + rho * (1 - t["provoke"])) * quo
        payoffs[0] += w["capitulation"] * v
        outcomes = dict.fromkeys(self.labels, 0.0)
        outcomes["status_quo"], outcomes["capitulation"] = w["status_quo"], w["capitulation"]
        p_join, p_entrapped, p_abandons = np.zeros(n), np.zeros(n), np.zeros(n)
        full = win_total = chain = 0.0
        defence_join = None
        for war in self.wars:
            stage = self.war_stage(behaviour, war)
            if war == "defence":
                defence_join = stage.join
            if w[war] == 0:
                continue
            p = stage.win
            top = (
                [(1 - p) * v - self.cost_attacker, p * v - self.cost_defender]
                if war == "defence"
                else [(1 - p) * v - p * g - self.cost_attacker, p * (v + g) - self.cost_defender]
            )
            payoffs += w[war] * np.concatenate([top, stage.ally_payoffs])
            outcomes["war"] += w[war] * stage.none_join
            outcomes["allied_war"] += w[war] * (1 - stage.none_join)
            outcomes["abandonment"] += w[war] * stage.some_abandon
            outcomes["entrapment"] += w[war] * stage.some_entrapped
            p_join += w[war] * stage.join
            p_entrapped += w[war] * stage.entrapped
            p_abandons += w[war] * (1 - stage.join) * self.covered(war)
            full += w[war] * stage.none_join * float(self.covered(war).any())
            win_total += w[war] * p
            if war == "provoked":
                chain += w[war] * stage.some_entrapped
        total_war = sum(w[war] for war in self.wars)
        measures = {
            "expected_allies_at_war": float(p_join.sum()),
            "expected_entrapped": float(p_entrapped.sum()),
            "p_full_abandonment": float(full),
            "p_chain_gang": float(chain),
            "join_probability": float(np.mean(defence_join)),
            "p_target_wins": float(win_total),
            "p_join": p_join,
            "p_entrapped": p_entrapped,
            "p_abandons": p_abandons,
            "join_given_war": p_join / total_war if total_war > 0 else np.full(n, np.nan),
        }
        return ProfileSummary(payoffs, outcomes, measures)

    def expected_payoffs(self, behaviour: Sequence[Any]) -> np.ndarray:
        """Expected payoff of every player (Attacker, Defender, allies)."""
        return self.summary(behaviour).payoffs

    def outcome_probabilities(self, behaviour: Sequence[Any]) -> dict[str, float]:
        """Probability of every outcome label of the game."""
        return self.summary(behaviour).outcomes

    @property
    def labels(self) -> tuple[str, ...]:
        """The outcome labels the game uses, in vocabulary order."""
        return ("status_quo", "capitulation", "war", "allied_war", "abandonment", "entrapment")

    def measures(self, behaviour: Sequence[Any]) -> dict[str, Any]:
        """Alliance measures of a profile (see :meth:`summary`)."""
        return self.summary(behaviour).measures

    def beliefs(self, behaviour: Sequence[Any]) -> list[np.ndarray | None]:
        """Per information set: the prior of the other allies' types (``P(committed)`` per ally)
        where the set is reached, ``None`` where it is not (off the path)."""
        reached = self.reached(behaviour)
        prior = np.asarray(self.credibility, dtype=float)
        return [prior.copy() if r else None for r in reached]

    def reached(self, behaviour: Sequence[Any]) -> np.ndarray:
        """Whether each information set is reached with positive probability."""
        w = self._weights(behaviour)
        t = self.top(behaviour)
        out = np.zeros(len(self.infosets), dtype=bool)
        out[0] = True
        out[1] = (1 - self.initiative) * t["attack"] > 0
        if self.initiative > 0:
            out[2] = True
        pi = np.asarray(self.credibility, dtype=float)
        for war in self.wars:
            if w[war] <= 0:
                continue
            reach_state = (
                None if self.timing == "simultaneous" else self.war_stage(behaviour, war).state_reach
            )
            for h in self.infosets:
                if h.war != war:
                    continue
                type_prob = pi[h.ally] if h.kind == 0 else 1 - pi[h.ally]
                state_prob = 1.0 if reach_state is None else reach_state[h.ally][h.state]
                out[h.index] = type_prob > 0 and state_prob > 0
        return out

    def belief_table(
        self, beliefs: Sequence[Any] | None, behaviour: Sequence[Any]
    ) -> tuple[dict[str, dict[str, float]] | None, tuple[str, ...]]:
        """Beliefs by information set for an :class:`~deterrence.Equilibrium` (``P(<ally>
        committed)`` per ally), and the names of the sets off the path."""
        reached = self.reached(behaviour)
        off = tuple(h.name for h, r in zip(self.infosets, reached, strict=True) if not r)
        if beliefs is None:
            return None, off
        table = {}
        for h, b in zip(self.infosets, beliefs, strict=True):
            mu = np.asarray(self.credibility if b is None else b, dtype=float)
            table[h.name] = {
                f"{ally_player(j, self.n)} committed": float(mu[j]) for j in range(self.n) if j != h.ally
            }
        return table, off


# ====================================================================== war stages
@dataclass(frozen=True)
class ProfileSummary:
    """A profile's expected ``payoffs`` (one per player), ``outcomes`` (label -> probability) and
    alliance ``measures`` (see :meth:`CollectiveDefenceGame.summary`)."""

    payoffs: np.ndarray
    outcomes: dict[str, float]
    measures: dict[str, Any]


@dataclass(frozen=True)
class WarStage:
    """What happens once a war of one kind starts, under a profile.

    Attributes
    ----------
    win
        The Target side's probability of winning.
    join
        Each ally's probability of fighting.
    entrapped
        Each ally's probability of fighting as a pledged, unwilling type.
    none_join, some_abandon, some_entrapped
        Probabilities that no ally fights, that at least one ally whose pledge covers the war
        stays out, that at least one is entrapped.
    ally_payoffs
        Each ally's expected payoff in this war.
    state_reach
        Sequential timing: per ally, the probability of each state (capability already joined)
        when it decides; ``None`` in the simultaneous game.
    """

    win: float
    join: np.ndarray
    entrapped: np.ndarray
    none_join: float
    some_abandon: float
    some_entrapped: float
    ally_payoffs: np.ndarray
    state_reach: list[np.ndarray] | None = None


def _simultaneous_stage(game: CollectiveDefenceGame, joins: list[np.ndarray], war: str) -> WarStage:
    """Joins are independent across allies: ``q_i = sum_t P(t) sigma_i(t)``."""
    ptype = game.type_probabilities()
    sigma = np.array(joins)  # (n, 2)
    q = (ptype * sigma).sum(axis=1)
    entrapped = (ptype * sigma * game.unwilling).sum(axis=1)
    sums, win = game.sums, game.win
    dist = sums.distribution(q)
    covered = game.covered(war)
    payoffs = np.zeros(game.n)
    interest = game.interest()
    audience = game.audience(war)
    for i, (stay, fight) in _leave_one_out_wins(game, q).items():
        value = ptype[i] * (
            sigma[i] * (interest[i] * game.stakes * fight - game.cost_ally[i])
            + (1 - sigma[i]) * (interest[i] * game.stakes * stay - audience[i])
        )
        payoffs[i] = value.sum()
    return WarStage(
        win=float(dist @ win),
        join=q,
        entrapped=entrapped,
        none_join=float(np.prod(1 - q)),
        some_abandon=float(1 - np.prod(np.where(covered, q, 1.0))),
        some_entrapped=float(1 - np.prod(1 - entrapped)),
        ally_payoffs=payoffs,
    )


def _leave_one_out_wins(game: CollectiveDefenceGame, q: np.ndarray) -> dict[int, tuple[float, float]]:
    """Per ally: ``E[p(K_-i)]`` and ``E[p(K_-i + k_i)]`` when the others join with probabilities ``q``.

    Allies with the same capability and join probability share one computation.
    """
    sums, win = game.sums, game.win
    out: dict[int, tuple[float, float]] = {}
    seen: dict[tuple[float, float], tuple[float, float]] = {}
    for i in range(game.n):
        key = (game.capability[i], float(q[i]))
        if key not in seen:
            dist = sums.distribution(q, skip=i)
            move = sums.step[i]
            ok = move >= 0
            seen[key] = (float(dist @ win), float(dist[ok] @ win[move[ok]]))
        out[i] = seen[key]
    return out


def _sequential_stage(game: CollectiveDefenceGame, joins: list[np.ndarray], war: str) -> WarStage:
    """Allies decide in order; ally ``i`` sees the capability already joined (its state)."""
    n = game.n
    ptype = game.type_probabilities()
    sums, win = game.sums, game.win
    # forward: probability of each (state, no one joined, some covered ally out, some entrapped)
    flags = 8  # bit 0: someone joined, bit 1: a covered ally stayed out, bit 2: someone entrapped
    dist = np.zeros((sums.size, flags))
    dist[0, 0] = 1.0
    covered = game.covered(war)
    reach, join, entrapped = [], np.zeros(n), np.zeros(n)
    for i in range(n):
        states = game.sequential_states(i)
        idx = sums.index(states)
        here = dist[idx].sum(axis=1)
        reach.append(here)
        sigma = joins[i]  # (2, states)
        new = np.zeros_like(dist)
        move = sums.step[i][idx]
        for t in range(2):
            pj = ptype[i, t] * sigma[t]  # per state
            ps = ptype[i, t] * (1 - sigma[t])
            join[i] += float(here @ pj)
            entrapped[i] += float(here @ pj) * game.unwilling[i, t]
            stay_bits = np.arange(flags) | (2 if covered[i] else 0)
            fight_bits = np.arange(flags) | 1 | (4 if game.unwilling[i, t] else 0)
            for f in range(flags):
                np.add.at(new, (idx, stay_bits[f]), dist[idx, f] * ps)
                np.add.at(new, (move, fight_bits[f]), dist[idx, f] * pj)
        dist = new
    final = dist.sum(axis=1)
    bits = np.arange(flags)
    by_flag = dist.sum(axis=0)
    payoffs = _sequential_payoffs(game, joins, war, reach)
    return WarStage(
        win=float(final @ win),
        join=join,
        entrapped=entrapped,
        none_join=float(by_flag[(bits & 1) == 0].sum()),
        some_abandon=float(by_flag[(bits & 2) > 0].sum()),
        some_entrapped=float(by_flag[(bits & 4) > 0].sum()),
        ally_payoffs=payoffs,
        state_reach=reach,
    )


def continuation_values(game: CollectiveDefenceGame, joins: list[np.ndarray]) -> list[np.ndarray]:
    """Sequential timing: ``V[i][s]``, the expected ``p(K_final)`` when allies ``i..n-1`` are yet to
    decide and the capability sum is ``sums.values[s]`` (``V[n] = p``)."""
    n = game.n
    sums, win = game.sums, game.win
    ptype = game.type_probabilities()
    values: list[np.ndarray] = [np.zeros(0)] * (n + 1)
    values[n] = win.copy()
    for i in range(n - 1, -1, -1):
        nxt = values[i + 1]
        cur = np.full(sums.size, np.nan)
        idx = sums.index(game.sequential_states(i))
        move = sums.step[i][idx]
        q = ptype[i] @ joins[i]  # per state
        cur[idx] = q * nxt[move] + (1 - q) * nxt[idx]
        # values are also needed at sums a deviation of an earlier ally leads to: they are
        # states of stage i too (every subset sum of allies 0..i-1 is a stage-i state)
        values[i] = cur
    return values


def _sequential_payoffs(
    game: CollectiveDefenceGame, joins: list[np.ndarray], war: str, reach: list[np.ndarray]
) -> np.ndarray:
    values = continuation_values(game, joins)
    ptype = game.type_probabilities()
    interest = game.interest()
    audience = game.audience(war)
    sums = game.sums
    out = np.zeros(game.n)
    for i in range(game.n):
        idx = sums.index(game.sequential_states(i))
        move = sums.step[i][idx]
        after_join, after_stay = values[i + 1][move], values[i + 1][idx]
        for t in range(2):
            sigma = joins[i][t]
            val = sigma * (interest[i, t] * game.stakes * after_join - game.cost_ally[i]) + (1 - sigma) * (
                interest[i, t] * game.stakes * after_stay - audience[i]
            )
            out[i] += ptype[i, t] * float(reach[i] @ val)
    return out


__all__ = [
    "ALLY_ACTIONS",
    "ATTACKER_ACTIONS",
    "DEFENDER_ACTIONS",
    "INITIATIVE_ACTIONS",
    "MAX_SUMS",
    "TIMINGS",
    "TYPES",
    "WARS",
    "CollectiveDefenceGame",
    "CollectiveInfoSet",
    "Contest",
    "ProfileSummary",
    "Sums",
    "WarStage",
    "ally_player",
    "ally_prefix",
    "continuation_values",
    "win_probability",
]
