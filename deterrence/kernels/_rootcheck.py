"""The per-point solver's optimality test at a closed-form root, on the path and off it.

The guard's second stage (:mod:`deterrence.kernels._systems`) solves a surviving pattern's
indifference system in closed form (:mod:`deterrence.kernels._closedform`): each root comes as a
certified enclosure of the mixing probabilities. The per-point solver checks every root it finds
like a pure profile (:func:`deterrence.solvers.pbe._assess`): at *every* information set the
prescribed action must be optimal, within its tolerance, under the set's belief
(:class:`deterrence.solvers._pbe_beliefs._Beliefs`):

* Bayes' rule at a set the profile reaches (its reach above the solver's threshold ``_REACH``);
* at another set, the mover's own belief carried forward from its previous set (``_own_consistent``)
  if that gives the set weight above ``_REACH``;
* else the policy's: Nature's odds (``prior``), a belief supporting the action if one exists
  (``free``), or D1's (``d1``).

:class:`RootCheck` proves, at a root, that some set fails that test: the root is then no PBE of
the per-point solver, and the guard may clear it. Soundness comes first: a condition clears only
when it fails by a certified margin at every point of the root's enclosure *and* the belief it is
read under is, certainly, the one the solver uses there.

Conditions
----------
A pattern fixes every set's belief-weight spec (:func:`deterrence.kernels._guard.all_specs`, the
solver's rule). For a set ``h`` and an action ``b`` outside its support, with ``P_h`` the
unnormalised expected payoff under the spec's weights and ``R_h`` their sum (multilinear in the
other sets' mixtures; the guard's 0/1 rows at the vertex profiles, :class:`~._guard._Profiles`),
``b`` beats the support's first action ``s_0`` by more than ``t = (tol + edge) max(1, U)`` per unit
of belief when ``P_h(b) - P_h(s_0) - t R_h > edge max(1, U)`` (``U`` the player's payoff range; the
solver's unit of tolerance is at most ``max(1, U)``, :mod:`deterrence.kernels._units`). At a root
each vertex value is weighed by the product of the root's probabilities, bounded by interval
arithmetic from the enclosure, with the values' floating-point error bounds.

* **Fixed beliefs** (the spec is Bayes', carried, or Nature's odds): the condition above, read
  only where the spec is the solver's belief at every point of the enclosure (*requirements*):
  Bayes' rule needs ``R_h > _REACH`` (``R_h`` is then the set's reach); a carried belief needs
  ``R_h / R_prev > _REACH`` (the solver normalises the previous set's belief, then carries it
  forward: the share it carries is this ratio), and the previous set's belief to be its spec too;
  Nature's odds need the previous set's belief to be its spec (the carried weight is then exactly 0:
  every path to the set has a move of probability 0, or a node of ``prev`` the belief does not
  weigh). A requirement floating point cannot certify keeps the condition from clearing.
* **Any belief** (the policy's ``free`` or ``d1`` belief at an unreached set that does not mix, or
  one carried from such a belief): the solver keeps the root only if *some* belief (which the guard
  does not form) makes the action optimal. The condition is read node by node, each node weighed
  by Nature's odds alone: if the same ``b`` beats ``s_0`` by the margin at every node, it does so
  under every belief (a combination of the nodes' conditions with weights that are not negative
  and sum to one), so no belief supports the action. A node Nature reaches with probability 0
  weighs nothing and rules nothing out.

Sets a pattern mixes at and leaves unreached under a ``free`` or ``d1`` belief have no condition
(their systems are not solved by the solver, or not formed by the guard).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..solvers._pbe_context import _REACH
from ._guard import Spec, _row_sums, all_specs

#: a reach or carried share certified above the solver's threshold by this relative margin
REACH_MARGIN = 1e-6
#: slack added to each end of a probability's enclosure (rounding of the solver's own root)
SIGMA_SLACK = 4e-16


@dataclass(frozen=True)
class _Form:
    """``sum over vertices of w_v(sigma) * row_v``: per vertex its slots (``(V, S)``, the
    probabilities whose product weighs it) and local row (or rows, for a condition)."""

    slots: np.ndarray
    rows: np.ndarray


@dataclass(frozen=True)
class _Condition:
    """``b`` beats ``s_0`` at one set: the player, one group of rows ``(V, 3)`` (``P(b), P(s_0),
    R``) per belief it must hold under (one for a fixed belief, one per node for any belief), and
    the requirements: ``(numerator, denominator or None)`` reach forms whose ratio must exceed
    ``_REACH``."""

    player: int
    slots: np.ndarray
    groups: tuple[np.ndarray, ...]
    requirements: tuple[tuple[_Form, _Form | None], ...]


class RootCheck:
    """A pattern's conditions at a root (module docstring), with their own rows over the guard's
    features (:meth:`row_values`).

    Parameters
    ----------
    guard
        The :class:`~deterrence.kernels._systems.SystemGuard` (its tree, policy and rows).
    system
        The pattern's :class:`~deterrence.kernels._systems.PatternSystem`.
    """

    def __init__(self, guard: object, system: object) -> None:
        self.guard = guard
        self.pattern = pattern = system.pattern  # type: ignore[attr-defined]
        self.mixed = mixed = list(system.mixed)  # type: ignore[attr-defined]
        groups = system.groups  # type: ignore[attr-defined]
        self._unknown = {kj: i for i, kj in enumerate(groups)}
        n_unk = len(groups)
        self._slot_s0 = {k: n_unk + i for i, k in enumerate(mixed)}
        self.one = n_unk + len(mixed)
        self.members = [[self._unknown[g] for g in groups if g[0] == k] for k in mixed]
        self._keys: dict[tuple[int, ...], int] = {}
        self.specs = all_specs(guard.game, guard.policy, pattern, guard._profiles)  # type: ignore[attr-defined]
        self.conditions: list[_Condition] = []
        for h in range(len(pattern)):
            self.conditions += self._conditions_at(h)
        indptr, idx = [0], []
        for key in self._keys:  # insertion order = local row ids
            idx.extend(key)
            indptr.append(len(idx))
        self.W = (np.array(indptr, dtype=np.int64), np.array(idx, dtype=np.int64))
        self._flat = _FlatConditions.of(self.conditions, max(1, len(mixed)))

    # ------------------------------------------------------------------ building
    def _row(self, key: tuple[int, ...]) -> int:
        return self._keys.setdefault(key, len(self._keys))

    def _vertices(self, h: int) -> list[tuple[int, ...]]:
        return self.guard._vertices(self.pattern, self.mixed, h)  # type: ignore[attr-defined]

    def _slots(self, vertices: Sequence[tuple[int, ...]], h: int) -> np.ndarray:
        """Per vertex (as seen from set ``h``), the slots of the probabilities weighing it."""
        slots = np.full((len(vertices), max(1, len(self.mixed))), self.one, dtype=np.int64)
        for v, prof in enumerate(vertices):
            for c, k in enumerate(self.mixed):
                if k == h:
                    continue
                j = self.pattern[k].index(prof[k])
                slots[v, c] = self._slot_s0[k] if j == 0 else self._unknown[(k, j)]
        return slots

    def _reach_form(self, k: int) -> _Form:
        """``R_k`` under set ``k``'s spec, over its vertices."""
        vertices = self._vertices(k)
        reach_key = self.guard._profiles.reach_key  # type: ignore[attr-defined]
        rows = np.array([self._row(reach_key(k, v, self.specs)) for v in vertices], dtype=np.int64)
        return _Form(self._slots(vertices, k), rows)

    def _requirements(self, k: int) -> list[tuple[_Form, _Form | None]]:
        """What must hold at a root for set ``k``'s belief to be its spec (module docstring)."""
        spec = self.specs[k]
        if spec is None or spec[0] == "d1":
            raise ValueError(f"set {k} has no fixed belief")  # not reached: the caller checks
        if spec[0] == "reach":
            return [(self._reach_form(k), None)]
        out: list[tuple[_Form, _Form | None]] = []
        h = self.guard.game.infosets[k]  # type: ignore[attr-defined]
        seq = self.guard.game.own_sequence(h.nodes[0], h.player)  # type: ignore[attr-defined]
        if not seq:
            return out
        prev = seq[-1][0]
        if spec[0] == "own":
            out.append((self._reach_form(k), self._reach_form(prev)))
        if _fixed(self.specs[prev]):
            out += self._requirements(prev)
        return out

    def _conditions_at(self, h: int) -> list[_Condition]:
        """Set ``h``'s conditions, one per action outside its support."""
        support, spec = self.pattern[h], self.specs[h]
        player = self.guard.game.infosets[h].player  # type: ignore[attr-defined]
        others = [b for b in range(len(self.guard.game.infosets[h].actions)) if b not in support]  # type: ignore[attr-defined]
        if not others:
            return []
        if _fixed(spec):
            beliefs = [self.specs]
            requirements = tuple(self._requirements(h))
        elif len(support) == 1:  # a free or D1 belief: every belief, node by node
            beliefs = [{**self.specs, h: ("node", v)} for v in self.guard.game.infosets[h].nodes]  # type: ignore[attr-defined]
            requirements = ()
        else:
            return []
        vertices = self._vertices(h)
        slots = self._slots(vertices, h)
        s0 = support[0]
        out = []
        for b in others:
            groups = tuple(self._condition_rows(h, b, s0, vertices, sp) for sp in beliefs)
            out.append(_Condition(player, slots, groups, requirements))
        return out

    def _condition_rows(self, h: int, b: int, s0: int, vertices: Sequence[tuple[int, ...]],
                        specs: dict[int, Spec | None]) -> np.ndarray:
        """``(V, 3)``: the local rows of ``P_h(b)``, ``P_h(s_0)`` and ``R_h`` at each vertex."""
        value, reach = self.guard._profiles.value_key, self.guard._profiles.reach_key  # type: ignore[attr-defined]
        return np.array([(self._row(value(h, b, v, specs)), self._row(value(h, s0, v, specs)),
                          self._row(reach(h, v, specs))) for v in vertices], dtype=np.int64)

    # ------------------------------------------------------------------ per point
    def row_values(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The local rows' values and error bounds ``(P, rows)`` from the guard's features
        ``X`` ``(features, P)`` (:meth:`~deterrence.kernels._guard._Profiles.features`)."""
        indptr, indices = self.W
        return _row_sums(indptr, indices, np.ascontiguousarray(X))

    def _sigma(self, mid: np.ndarray, rad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Interval bounds of every slot (unknowns, first actions, 1) at a root."""
        lo = np.maximum(mid - rad - SIGMA_SLACK, 0.0)
        hi = mid + rad + SIGMA_SLACK
        lo0 = [max(1.0 - hi[m].sum() - SIGMA_SLACK, 0.0) for m in self.members]
        hi0 = [1.0 - lo[m].sum() + SIGMA_SLACK for m in self.members]
        return np.concatenate([lo, lo0, [1.0]]), np.concatenate([hi, hi0, [1.0]])

    def fails(self, mid: np.ndarray, rad: np.ndarray, g: np.ndarray, e: np.ndarray, unit: np.ndarray,
              tol: float, edge: float) -> bool:
        """Is the root (midpoint ``mid``, enclosure radius ``rad`` per unknown) certainly no PBE of
        the per-point solver: does some condition fail by the margin, its requirements certain?
        ``g``, ``e``: the local rows' values and bounds at the point (:meth:`row_values`);
        ``unit``: ``max(1, U)`` per player."""
        if not self.conditions:
            return False
        lo, hi = self._sigma(mid, rad)
        held: dict[int, bool] = {}
        for c in np.flatnonzero(self._flat.beaten(lo, hi, g, e, unit, tol, edge)).tolist():
            if all(_holds(req, lo, hi, g, e, held) for req in self.conditions[c].requirements):
                return True
        return False


@dataclass(frozen=True)
class _FlatConditions:
    """Every condition's groups' vertex rows in one array (one row per (group, vertex)), to test
    them all at once (:meth:`beaten`): their slots ``(N, S)``, rows ``P(b), P(s_0), R`` ``(N, 3)``,
    the player of each, the group of each, and per group its condition."""

    slots: np.ndarray
    rows: np.ndarray
    player: np.ndarray
    group: np.ndarray
    group_player: np.ndarray
    group_condition: np.ndarray
    n_conditions: int

    @classmethod
    def of(cls, conditions: Sequence[_Condition], width: int) -> _FlatConditions:
        slots, rows, player, group, group_player, group_condition = [], [], [], [], [], []
        for c, cond in enumerate(conditions):
            for rws in cond.groups:
                slots.append(cond.slots)
                rows.append(rws)
                player.append(np.full(len(rws), cond.player, dtype=np.int64))
                group.append(np.full(len(rws), len(group_player), dtype=np.int64))
                group_player.append(cond.player)
                group_condition.append(c)
        if not conditions:
            empty = np.zeros(0, dtype=np.int64)
            return cls(np.zeros((0, width), dtype=np.int64), np.zeros((0, 3), dtype=np.int64), empty, empty,
                       empty, empty, 0)
        return cls(np.concatenate(slots), np.concatenate(rows), np.concatenate(player), np.concatenate(group),
                   np.array(group_player, dtype=np.int64), np.array(group_condition, dtype=np.int64),
                   len(conditions))

    def beaten(self, lo: np.ndarray, hi: np.ndarray, g: np.ndarray, e: np.ndarray, unit: np.ndarray,
               tol: float, edge: float) -> np.ndarray:
        """Per condition: does ``b`` beat ``s_0`` under every belief of its groups, at every weight
        in the slots' bounds ``[lo, hi]``? Per group, ``sum_v w_v (P_v(b) - P_v(s_0) - t R_v)`` at
        its lower bound (each term's, with the values' error bounds), less the rounding of the sum,
        beyond the margin."""
        w_lo, w_hi = lo[self.slots].prod(axis=1), hi[self.slots].prod(axis=1)
        t = (tol + edge) * unit[self.player]
        r1, r0, rr = self.rows[:, 0], self.rows[:, 1], self.rows[:, 2]
        d = g[r1] - g[r0] - t * g[rr]
        err = e[r1] + e[r0] + t * e[rr] + 1e-15 * np.abs(t * g[rr])
        n_groups = len(self.group_player)
        low = np.bincount(self.group, np.minimum(w_lo * (d - err), w_hi * (d - err)), minlength=n_groups)
        rounding = 1e-13 * np.bincount(self.group, w_hi * (np.abs(d) + err), minlength=n_groups)
        short = ~(low - rounding > edge * unit[self.group_player])
        return np.bincount(self.group_condition, short.astype(float), minlength=self.n_conditions) == 0


def _fixed(spec: Spec | None) -> bool:
    """A spec whose weights the guard forms (Bayes', carried, Nature's odds)."""
    return spec is not None and spec[0] in ("reach", "own", "prior")


def _bounds(form: _Form, lo: np.ndarray, hi: np.ndarray, g: np.ndarray, e: np.ndarray) -> tuple[float, float]:
    """Bounds of a reach form (rows of chance reaches: not negative) at the root."""
    w_lo, w_hi = lo[form.slots].prod(axis=1), hi[form.slots].prod(axis=1)
    val, err = g[form.rows], e[form.rows]
    low = float((w_lo * np.maximum(val - err, 0.0)).sum())
    high = float((w_hi * (val + err)).sum())
    return low * (1.0 - 1e-13), high * (1.0 + 1e-13)


def _holds(req: tuple[_Form, _Form | None], lo: np.ndarray, hi: np.ndarray, g: np.ndarray, e: np.ndarray,
           held: dict[int, bool]) -> bool:
    """``numerator / denominator > _REACH`` certainly (``denominator`` ``None``: 1); kept in ``held``
    by the requirement's identity within one root."""
    key = id(req)
    if key not in held:
        num, den = req
        low = _bounds(num, lo, hi, g, e)[0]
        high = 1.0 if den is None else _bounds(den, lo, hi, g, e)[1]
        held[key] = low > _REACH * (1.0 + REACH_MARGIN) * high
    return held[key]
