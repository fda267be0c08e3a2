"""Sound floating-point solution of the "closed form" multilinear systems of the PBE guard.

A system is given in the per-point solver's layout
(:func:`deterrence.solvers._pbe_exact._polynomial_plan`): ``coef`` (equations × monomials)
float coefficients with absolute error bounds ``err``, ``monomials`` (monomials × unknowns) 0/1
exponents (a monomial holds at most one unknown per mixing set, so every equation is affine in
each unknown and in any two unknowns of one set), and the mixing sets' ``groups`` of unknowns.
The open box is ``x > 0`` and ``Σ_{u in g} x_u < 1`` for every group ``g``.

**Closed form** (:func:`closed_form_plan`): every equation is first divided by the unknowns
common to all the terms of the structural zero ``pattern`` (they are ``> 0`` inside the box, so
the roots inside the box do not change; this module does the division itself, from the
pattern: callers pass the undivided coefficients). The blocks are square, of 1 or 2 unknowns,
in solving order: a block's equations involve only its own unknowns and earlier blocks'.
The ``unmatched`` equations are checked at each root. The decomposition (maximum matching,
strongly connected components) is :func:`deterrence.kernels._systems.classify`'s, the one
implementation; a system it calls ``CLOSED`` has one.

**Solving** (:func:`solve_closed_form`): every quantity is an interval that contains the exact
value for every choice of the coefficients within ``coef ± err_eff`` (interval arithmetic, each
operation widened by a few ulps for rounding), where

* ``err_eff = err + zero_tol · max_j |coef_{e,j}|`` on the structurally present coefficients of
  equation ``e`` (structural zeros stay exactly zero): every decision below is therefore also
  stable under a relative perturbation ``zero_tol`` (default ``1e-9``) of each equation, which is
  the "margin" of every "is it zero" decision;
* a coordinate is *inside* if its interval is ``> edge`` and every group sum's interval is
  ``< 1 − edge``; *outside* if its interval is ``< −edge`` or a group's (partial) sum is
  ``> 1 + edge`` (default ``edge = 1e-7``, the kernels' edge); otherwise it is *at the edge*.

Blocks, on each branch (a tuple of coordinate intervals so far):

* **1×1** ``a x + b = 0`` (``a``, ``b`` intervals after substituting the earlier blocks):
  ``x = −b/a`` if ``a`` excludes 0; if ``a`` may be 0, the branch is dead when
  ``|b| > (1 + edge)|a|`` (a root would be outside ``[−edge, 1 + edge]``), else UNSURE (a pivot
  indistinguishable from 0, or the equation vanishing identically).
* **2×2, unknowns of one set**: affine in both; Cramer's rule, UNSURE if the determinant may be 0.
* **2×2, unknowns of two sets**: ``p x y + a x + b y + c = 0`` twice; the resultant in ``x`` is the
  quadratic ``Q = (p₁x + b₁)(a₂x + c₂) − (p₂x + b₂)(a₁x + c₁)``. Its roots in
  ``D = [−edge, 1 + edge]`` are located by enclosures ``[r − ρ, r + ρ]`` around the float roots
  ``r`` (a certified sign change of ``Q`` at both ends and ``Q'`` of one sign inside: exactly one
  root), and the rest of ``D`` is certified root free (Bernstein coefficients of ``Q`` of one
  sign, bisecting up to :data:`_BISECTIONS` times). If any of this fails (a double root, ``Q``
  possibly identically 0, ...) the system is UNSURE. Then ``y = −(a_i x + c_i)/(p_i x + b_i)`` for
  an equation ``i`` whose denominator excludes 0 on the enclosure (UNSURE if neither does: a
  curve of roots).

Roots that are exactly 0 by the structure (a block's equations without constant terms, a
resultant without one, a second unknown whose equation has neither a constant nor an ``x`` term)
are on a face and dropped exactly. A homogeneous 2×2 block whose determinant may be 0 has its roots
inside the box, if any, on a ray ``x_w = κ x_u`` (the only root is 0 if the determinant is not 0):
the branch carries ``x_u = t``, ``x_w = κ t`` with ``t`` in ``(0, 1)``, every later equation is
divided by the power of ``t`` common to its terms, and the branch is UNSURE if it survives. A block
floating point cannot solve gives its unknowns the box's range ``[0, 1]`` on that branch, marked
UNSURE, so that later blocks and the unmatched equations may still rule the branch out.

After each block the new coordinates are classified: outside kills the branch, at the edge marks
it (UNSURE if it survives to the end). At the end each surviving branch's ``unmatched`` equations
are evaluated: one whose interval excludes 0 kills the branch; one that may be 0 makes the
system UNSURE (floats cannot confirm that an equation holds). The verdict is ``NO_ROOT`` when no
branch survives, ``ROOTS`` when every surviving branch is inside and satisfies every equation,
``UNSURE`` otherwise. ``ROOTS`` gives each root's midpoint and enclosure radius; the enclosures
are disjoint and each contains exactly one root of the exact system.

Soundness rests on (i) the caller's structural zero pattern (coefficients outside it are exactly
0; a point whose float coefficient there is not 0 is UNSURE) and (ii) ``err`` bounding the
coefficients' errors.

Plain Python, per system and point (a 3-d ``coef`` is a loop over the points): about 70-120 µs per
system-point on the AEG's closed-form systems. Not yet compiled (numba) nor batched over points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import SolverError

#: verdicts
NO_ROOT, ROOTS, UNSURE = 0, 1, 2
VERDICT_NAMES = ("NO_ROOT", "ROOTS", "UNSURE")

#: bisections of the root-free checks of a block's quadratic
_BISECTIONS = 10
#: relative widening of every interval operation (rounding to nearest errs by at most 2^-53)
_REL = 4.0 * 2.0 ** -52
_ABS = 1e-300

_Interval = tuple[float, float]


@dataclass(frozen=True)
class ClosedFormPlan:
    """A closed-form system's structure (see the module docstring); build with :func:`closed_form_plan`.

    ``terms[e]``: the structurally present terms of equation ``e`` after its monomial factor is
    divided out, as ``(column, unknowns of the reduced monomial)``; ``blocks``: ``(equations,
    unknowns, kind)`` with kind ``"affine"`` (1×1), ``"linear"`` (2×2 in one set) or
    ``"bilinear"`` (2×2 in two sets); ``group_of[u]``: the group of unknown ``u``.
    """

    n_eq: int
    n_unk: int
    pattern: np.ndarray
    terms: tuple[tuple[tuple[int, tuple[int, ...]], ...], ...]
    blocks: tuple[tuple[tuple[int, ...], tuple[int, ...], str], ...]
    unmatched: tuple[int, ...]
    groups: tuple[tuple[int, ...], ...]
    group_of: tuple[int, ...]


@dataclass(frozen=True)
class ClosedFormResult:
    """A system's verdict at one point: ``verdict`` (:data:`NO_ROOT`, :data:`ROOTS`, :data:`UNSURE`),
    for ROOTS the roots' midpoints ``roots`` and enclosure radii ``radii`` (both ``(r, n_unk)``),
    and for UNSURE the first undecidable step (``reason``)."""

    verdict: int
    roots: np.ndarray
    radii: np.ndarray
    reason: str = ""

    @property
    def name(self) -> str:
        """The verdict's name."""
        return VERDICT_NAMES[self.verdict]


class _Unsure(Exception):
    """A decision floating point cannot make (carries the reason)."""


# ---------------------------------------------------------------- structure

def _reduced_terms(pattern: np.ndarray, monomials: np.ndarray
                   ) -> tuple[tuple[tuple[int, tuple[int, ...]], ...], ...]:
    """Each equation's terms with the unknowns common to all of them divided out."""
    out = []
    for row in pattern:
        cols = np.flatnonzero(row)
        common = set(np.flatnonzero(monomials[cols].all(axis=0)).tolist()) if len(cols) else set()
        out.append(tuple((int(j), tuple(int(u) for u in np.flatnonzero(monomials[j]) if u not in common))
                         for j in cols))
    return tuple(out)


def _depends(terms: Sequence[tuple[int, tuple[int, ...]]]) -> set[int]:
    """The unknowns an equation (reduced terms) involves."""
    return {u for _, us in terms for u in us}


def _check_groups(groups: Sequence[Sequence[int]], n_unk: int) -> tuple[int, ...]:
    """Each unknown's group; the groups must partition the unknowns."""
    group_of = [-1] * n_unk
    for g, us in enumerate(groups):
        for u in us:
            if not 0 <= u < n_unk or group_of[u] != -1:
                raise SolverError(f"closed form: unknown {u} of group {g} is out of range or in two groups")
            group_of[u] = g
    if -1 in group_of:
        raise SolverError(f"closed form: unknown {group_of.index(-1)} is in no group")
    return tuple(group_of)


def closed_form_plan(pattern: np.ndarray, monomials: np.ndarray, groups: Sequence[Sequence[int]],
                     blocks: Sequence[tuple[Sequence[int], Sequence[int]]], unmatched: Sequence[int]
                     ) -> ClosedFormPlan:
    """Check and record a closed-form system's structure.

    Parameters
    ----------
    pattern : (n_eq, n_mono) bool
        The structurally present coefficients (the exact polynomial's terms).
    monomials : (n_mono, n_unk) 0/1
        The monomials' exponents.
    groups : sequence of sequences of int
        The unknowns of each mixing set (a partition of the unknowns).
    blocks : sequence of (equations, unknowns)
        Square blocks of 1 or 2 unknowns in solving order, for the equations *after* their
        monomial factors are divided out (as :func:`deterrence.kernels._systems.classify` gives them).
    unmatched : sequence of int
        The other equations.

    Raises
    ------
    SolverError
        If the blocks are not square, of 1-2 unknowns, in solving order, covering every unknown
        once and every equation once with ``unmatched``, or an unknown a block solves for is
        absent from its equations.
    """
    pattern = np.asarray(pattern, dtype=bool)
    monomials = np.asarray(monomials, dtype=np.int64)
    n_eq, n_unk = pattern.shape[0], monomials.shape[1]
    if pattern.shape[1] != monomials.shape[0]:
        raise SolverError(f"closed form: pattern has {pattern.shape[1]} columns for "
                          f"{monomials.shape[0]} monomials")
    if ((monomials != 0) & (monomials != 1)).any():
        raise SolverError("closed form: monomial exponents must be 0 or 1")
    group_of = _check_groups(groups, n_unk)
    for j, mono in enumerate(monomials):
        sets = [group_of[u] for u in np.flatnonzero(mono)]
        if len(sets) != len(set(sets)):
            raise SolverError(f"closed form: monomial {j} holds two unknowns of one mixing set")
    terms = _reduced_terms(pattern, monomials)
    known: set[int] = set()
    eqs_seen: list[int] = []
    out_blocks = []
    for b, (eqs, unks) in enumerate(blocks):
        eqs, unks = tuple(int(e) for e in eqs), tuple(int(u) for u in unks)
        if len(eqs) != len(unks) or len(unks) not in (1, 2):
            raise SolverError(f"closed form: block {b} has {len(eqs)} equations for {len(unks)} unknowns "
                              "(1 or 2 each)")
        if known & set(unks) or len(set(unks)) != len(unks):
            raise SolverError(f"closed form: block {b} solves again for an unknown of an earlier block")
        for e in eqs:
            extra = _depends(terms[e]) - known - set(unks)
            if extra:
                raise SolverError(f"closed form: equation {e} of block {b} involves unknowns {sorted(extra)} "
                                  "of no earlier block (blocks must be in solving order)")
        for u in unks:
            if not any(u in _depends(terms[e]) for e in eqs):
                raise SolverError(f"closed form: unknown {u} of block {b} is absent from its equations")
        same_set = len(unks) == 2 and group_of[unks[0]] == group_of[unks[1]]
        kind = "affine" if len(unks) == 1 else ("linear" if same_set else "bilinear")
        out_blocks.append((eqs, unks, kind))
        known |= set(unks)
        eqs_seen.extend(eqs)
    unmatched = tuple(int(e) for e in unmatched)
    if len(known) != n_unk or sorted(eqs_seen + list(unmatched)) != list(range(n_eq)):
        raise SolverError("closed form: the blocks must solve for every unknown once, and the blocks and "
                          "unmatched equations must list every equation once")
    groups = tuple(tuple(int(u) for u in g) for g in groups)
    return ClosedFormPlan(n_eq, n_unk, pattern, terms, tuple(out_blocks), unmatched, groups, group_of)


# ---------------------------------------------------------------- interval arithmetic

def _w(lo: float, hi: float) -> _Interval:
    """Widen for rounding."""
    return lo - abs(lo) * _REL - _ABS, hi + abs(hi) * _REL + _ABS


def _add(a: _Interval, b: _Interval) -> _Interval:
    return _w(a[0] + b[0], a[1] + b[1])


def _sub(a: _Interval, b: _Interval) -> _Interval:
    return _w(a[0] - b[1], a[1] - b[0])


def _mul(a: _Interval, b: _Interval) -> _Interval:
    p = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    return _w(min(p), max(p))


def _div(a: _Interval, b: _Interval) -> _Interval:
    """``a / b`` for ``b`` excluding 0."""
    p = (a[0] / b[0], a[0] / b[1], a[1] / b[0], a[1] / b[1])
    return _w(min(p), max(p))


def _nonzero(a: _Interval) -> bool:
    return a[0] > 0.0 or a[1] < 0.0


def _mag(a: _Interval) -> float:
    return max(abs(a[0]), abs(a[1]))


def _mig(a: _Interval) -> float:
    """The smallest magnitude in ``a``."""
    return 0.0 if a[0] <= 0.0 <= a[1] else min(abs(a[0]), abs(a[1]))


# ---------------------------------------------------------------- blocks

def _collected(terms: Sequence[tuple[int, tuple[int, ...]]], lo: Sequence[float], hi: Sequence[float],
               xs: dict[int, _Interval], unks: tuple[int, ...], ray: dict[int, _Interval] | None = None
               ) -> dict[tuple[int, ...], _Interval]:
    """An equation as a polynomial in the block's unknowns ``unks``: coefficient interval per
    subset of them (the other unknowns substituted by their intervals ``xs``).

    On a branch with a ray (``x_u = ray[u] · t`` for the unknowns of ``ray``, ``t`` in ``(0, 1)``),
    those unknowns are substituted by ``ray[u] · t``, the equation is divided by the largest power
    of ``t`` common to its terms (``t > 0``) and the remaining powers of ``t`` are bounded by
    ``(0, 1)``."""
    parts = []
    for j, us in terms:
        c: _Interval = (lo[j], hi[j])
        key = []
        deg = 0
        for u in us:
            if u in unks:
                key.append(u)
            elif ray and u in ray:
                c = _mul(c, ray[u])
                deg += 1
            else:
                c = _mul(c, xs[u])
        parts.append((tuple(key), c, deg))
    low = min((d for _, _, d in parts), default=0)
    out: dict[tuple[int, ...], _Interval] = {}
    for k, c, deg in parts:
        if deg > low:
            c = _mul(c, (0.0, 1.0))
        out[k] = _add(out[k], c) if k in out else c
    return out


def _solve_affine(eq: dict[tuple[int, ...], _Interval], u: int, edge: float) -> list[_Interval]:
    """Roots of ``a x + b`` (0 or 1 enclosure); raises _Unsure on a pivot that may be 0."""
    zero = (0.0, 0.0)
    a, b = eq.get((u,), zero), eq.get((), zero)
    if _nonzero(a):
        # b structurally absent: the root is x = 0 exactly, on the box's face
        return [_div((-b[1], -b[0]), a)] if () in eq else []
    if _mig(b) > (1.0 + edge) * _mag(a) * (1.0 + _REL):
        return []  # |x| = |b|/|a| > 1 + edge: no root in the box, whatever the pivot
    raise _Unsure("1x1 block: pivot indistinguishable from 0")


def _solve_linear(e1: dict, e2: dict, u: int, w: int) -> list[tuple[_Interval, _Interval]]:
    """``a_i x_u + b_i x_w + c_i = 0`` (i = 1, 2) by Cramer's rule."""
    zero = (0.0, 0.0)
    a1, b1, c1 = e1.get((u,), zero), e1.get((w,), zero), e1.get((), zero)
    a2, b2, c2 = e2.get((u,), zero), e2.get((w,), zero), e2.get((), zero)
    det = _sub(_mul(a1, b2), _mul(a2, b1))
    if not _nonzero(det):
        raise _Unsure("2x2 linear block: determinant indistinguishable from 0")
    if () not in e1 and () not in e2:
        return []  # homogeneous: the only root is 0, on the box's face
    xu = _div(_sub(_mul(b1, c2), _mul(b2, c1)), det)
    xw = _div(_sub(_mul(a2, c1), _mul(a1, c2)), det)
    return [(xu, xw)]


def _quad_at(q: tuple[_Interval, _Interval, _Interval], x: _Interval) -> _Interval:
    """``(A x + B) x + C``."""
    return _add(_mul(_add(_mul(q[0], x), q[1]), x), q[2])


def _dquad_at(q: tuple[_Interval, _Interval, _Interval], x: _Interval) -> _Interval:
    """``2 A x + B``."""
    return _add(_mul((2.0 * q[0][0], 2.0 * q[0][1]), x), q[1])


def _root_free(q: tuple[_Interval, _Interval, _Interval], s: float, t: float, depth: int) -> bool:
    """Whether every quadratic of the family is certified without a root in ``[s, t]`` (its
    Bernstein coefficients of one strict sign, bisecting ``depth`` more times)."""
    qs, qt = _quad_at(q, (s, s)), _quad_at(q, (t, t))
    mid = _add(qs, _mul(_dquad_at(q, (s, s)), _w(0.5 * (t - s), 0.5 * (t - s))))
    if all(v[0] > 0.0 for v in (qs, mid, qt)) or all(v[1] < 0.0 for v in (qs, mid, qt)):
        return True
    if depth == 0 or not (_nonzero(qs) and _nonzero(qt)):
        return False
    m = 0.5 * (s + t)
    return _root_free(q, s, m, depth - 1) and _root_free(q, m, t, depth - 1)


def _float_roots(a: float, b: float, c: float) -> list[float]:
    """Real roots of ``a x² + b x + c`` in floats (stable formulas), possibly none."""
    if a == 0.0:
        return [] if b == 0.0 else [-c / b]
    disc = b * b - 4.0 * a * c
    if disc < 0.0:
        return []
    q = -0.5 * (b + math.copysign(math.sqrt(disc), b))
    return sorted([q / a] + ([c / q] if q != 0.0 else []))


def _enclosure(q: tuple[_Interval, _Interval, _Interval], r: float) -> _Interval | None:
    """An interval around the float root ``r`` holding exactly one root of every quadratic of the
    family (sign change at the ends, derivative of one sign), or None."""
    half = [0.5 * (v[1] - v[0]) for v in q]
    slope = abs(2.0 * 0.5 * (q[0][0] + q[0][1]) * r + 0.5 * (q[1][0] + q[1][1]))
    if slope == 0.0:
        return None
    rho = 2.0 * (half[0] * r * r + half[1] * abs(r) + half[2]) / slope + 16.0 * _REL * max(abs(r), 1e-3)
    for _ in range(3):
        box = (r - rho, r + rho)
        ql, qh = _quad_at(q, (box[0], box[0])), _quad_at(q, (box[1], box[1]))
        if ((ql[0] > 0.0 and qh[1] < 0.0) or (ql[1] < 0.0 and qh[0] > 0.0)) and _nonzero(_dquad_at(q, box)):
            return box
        rho *= 8.0
    return None


def _quadratic_roots(q: tuple[_Interval, _Interval, _Interval], edge: float) -> list[_Interval]:
    """Enclosures of the family's roots in ``D = [-edge, 1 + edge]`` (those meeting ``D``); raises
    _Unsure when the roots in ``D`` cannot be located (double root, Q possibly ≡ 0, ...)."""
    lo_d, hi_d = -edge, 1.0 + edge
    mids = [0.5 * (v[0] + v[1]) for v in q]
    boxes = []
    for r in _float_roots(*mids):
        if not -0.5 <= r <= 1.5:
            continue
        box = _enclosure(q, r)
        if box is None:
            raise _Unsure("2x2 bilinear block: a root of the quadratic could not be isolated (double root?)")
        if box[1] >= lo_d and box[0] <= hi_d:
            boxes.append(box)
    boxes.sort()
    for k in range(len(boxes) - 1):
        if boxes[k][1] >= boxes[k + 1][0]:
            raise _Unsure("2x2 bilinear block: two roots of the quadratic too close to separate")
    s = lo_d
    for box in [*boxes, (hi_d, hi_d)]:
        if box[0] > s and not _root_free(q, s, min(box[0], hi_d), _BISECTIONS):
            raise _Unsure("2x2 bilinear block: a root-free stretch of the quadratic could not be certified")
        s = max(s, box[1])
    return boxes


def _solve_bilinear(e1: dict, e2: dict, u: int, w: int, edge: float) -> list[tuple[_Interval, _Interval]]:
    """``p_i x y + a_i x + b_i y + c_i = 0`` (i = 1, 2), ``x = x_u``, ``y = x_w``: the resultant's
    roots in ``x`` (only those meeting ``[-edge, 1 + edge]``), then ``y`` from either equation."""
    zero = (0.0, 0.0)
    pk = tuple(sorted((u, w)))
    p1, a1, b1, c1 = e1.get(pk, zero), e1.get((u,), zero), e1.get((w,), zero), e1.get((), zero)
    p2, a2, b2, c2 = e2.get(pk, zero), e2.get((u,), zero), e2.get((w,), zero), e2.get((), zero)
    qa = _sub(_mul(p1, a2), _mul(p2, a1))
    qb = _sub(_add(_mul(p1, c2), _mul(b1, a2)), _add(_mul(p2, c1), _mul(b2, a1)))
    if ((w,) not in e1 or () not in e2) and ((w,) not in e2 or () not in e1):
        # Q's constant term is structurally 0: Q = x (A x + B), and x = 0 is on the box's face
        xs = _solve_affine({(u,): qa, (): qb}, u, edge)
    else:
        qc = _sub(_mul(b1, c2), _mul(b2, c1))
        xs = _quadratic_roots((qa, qb, qc), edge)
    out = []
    for x in xs:
        best = None
        for e, (p, a, b, c) in ((e1, (p1, a1, b1, c1)), (e2, (p2, a2, b2, c2))):
            den = _add(_mul(p, x), b)
            if _mig(_add(_mul(a, x), c)) > (1.0 + edge) * _mag(den) * (1.0 + _REL):
                best = (0.0, 0.0)  # |y| = |a x + c| / |p x + b| > 1 + edge: not in the box
                break
            if _nonzero(den):
                if (u,) not in e and () not in e:
                    best = (0.0, 0.0)  # y = 0 exactly, on the box's face
                    break
                y = _div(_sub((0.0, 0.0), _add(_mul(a, x), c)), den)
                if best is None or y[1] - y[0] < best[1] - best[0]:
                    best = y
        if best is None:
            raise _Unsure("2x2 bilinear block: both equations may be free of the second unknown at a root "
                          "(a curve)")
        if best != (0.0, 0.0):
            out.append((x, best))
    return out


# ---------------------------------------------------------------- the box

def _where(xs: dict[int, _Interval], plan: ClosedFormPlan, new: Sequence[int], edge: float) -> int:
    """Where the branch's coordinates are: 0 outside the box, 1 inside (so far), 2 at its edge."""
    state = 1
    for u in new:
        lo, hi = xs[u]
        if hi < -edge:
            return 0
        if lo <= edge:
            state = 2
    for g in {plan.group_of[u] for u in new}:
        members = plan.groups[g]
        known = [xs[u] for u in members if u in xs]
        total = (0.0, 0.0)
        for v in known:
            total = _add(total, v)
        if total[0] > 1.0 + edge:
            return 0
        if len(known) == len(members) and total[1] >= 1.0 - edge:
            state = 2
    return state


# ---------------------------------------------------------------- the solver

def _effective_bounds(coef: np.ndarray, err: np.ndarray, plan: ClosedFormPlan, zero_tol: float
                      ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``coef ∓ err_eff`` at every point (``coef``, ``err``: ``(P, n_eq, n_mono)``; see the module
    docstring), and why a point cannot be decided at all ("" if it can)."""
    outside = (coef[:, ~plan.pattern] != 0.0).any(axis=1)
    sound = np.isfinite(coef) & np.isfinite(err) & (err >= 0)
    broken = ~sound.all(axis=(1, 2))
    why = ["coefficients or error bounds not finite (or a negative bound)" if b else
           ("a coefficient outside the structural pattern is not 0" if o else "")
           for o, b in zip(outside.tolist(), broken.tolist(), strict=True)]
    scale = np.abs(coef).max(axis=2, keepdims=True)
    e = np.where(plan.pattern, err + zero_tol * scale, 0.0)
    return coef - e, coef + e, why


def _block_roots(kind: str, polys: list[dict], unks: tuple[int, ...], edge: float
                 ) -> list[tuple[_Interval, ...]]:
    """A block's roots (enclosures) that may be in the box; raises _Unsure."""
    if kind == "affine":
        return [(x,) for x in _solve_affine(polys[0], unks[0], edge)]
    if kind == "linear":
        return _solve_linear(polys[0], polys[1], unks[0], unks[1])
    return _solve_bilinear(polys[0], polys[1], unks[0], unks[1], edge)


def _ray(polys: list[dict], unks: tuple[int, ...]) -> tuple[int, _Interval, int] | None:
    """For a homogeneous linear 2x2 block ``a_i x_u + b_i x_w = 0`` whose determinant may be 0: its
    roots inside the box lie on a ray ``x_w = κ x_u`` (if the determinant is not 0 the only root
    is 0). ``(u, κ, w)`` from the equation and direction with the best-determined ratio, or None."""
    if any(set(p) - {(unks[0],), (unks[1],)} for p in polys):
        return None
    best = None
    for p in polys:
        for u, w in (unks, unks[::-1]):
            b = p.get((w,), (0.0, 0.0))
            if _nonzero(b):
                a = p.get((u,), (0.0, 0.0))
                kappa = _div((-a[1], -a[0]), b)
                if best is None or kappa[1] - kappa[0] < best[1][1] - best[1][0]:
                    best = (u, kappa, w)
    return best


def _branches(plan: ClosedFormPlan, lo: list[list[float]], hi: list[list[float]], edge: float
              ) -> list[tuple[dict[int, _Interval], str, dict[int, _Interval]]]:
    """Every branch through the blocks that is not certified outside the box, with why it is
    uncertain ("" if it is not) and its ray (see :func:`_collected`; empty if none). A block
    floating point cannot solve on a branch gives its unknowns the box's range ``[0, 1]`` there
    (every root inside the box is in it), so later blocks and the unmatched equations can still
    rule the branch out; a homogeneous 2x2 block whose determinant may be 0 puts its unknowns on
    a ray (one per branch)."""
    branches: list[tuple[dict[int, _Interval], str, dict[int, _Interval]]] = [({}, "", {})]
    for eqs, unks, kind in plan.blocks:
        nxt = []
        for xs, why, ray in branches:
            polys = [_collected(plan.terms[e], lo[e], hi[e], xs, unks, ray) for e in eqs]
            new_ray = ray
            try:
                sols = _block_roots(kind, polys, unks, edge)
            except _Unsure as unsure:
                found = None if ray or len(unks) != 2 else _ray(polys, unks)
                if found is None:
                    sols, why = [((0.0, 1.0),) * len(unks)], why or str(unsure)
                else:
                    u, kappa, w = found
                    if kappa[1] < 0.0:
                        continue  # x_w = κ x_u < 0 inside the box: no root there
                    new_ray = {u: (1.0, 1.0), w: kappa}
                    w_range = (min(kappa[0], 0.0), max(kappa[1], 0.0))
                    sols = [tuple((0.0, 1.0) if v == u else w_range for v in unks)]
                    why = why or "a rank-deficient 2x2 block: roots in the box, if any, on a ray"
            for sol in sols:
                ys = dict(xs)
                ys.update(zip(unks, sol, strict=True))
                state = _where(ys, plan, unks, edge)
                if state:
                    edge_why = "a root within the edge margin of the box's boundary" if state == 2 else ""
                    nxt.append((ys, why or edge_why, new_ray))
        branches = nxt
    return branches


def _solve_one(lo: list[list[float]], hi: list[list[float]], plan: ClosedFormPlan, edge: float
               ) -> ClosedFormResult:
    """The verdict at one point, from the coefficients' bounds (:func:`_effective_bounds`)."""
    empty = np.zeros((0, plan.n_unk))
    try:
        roots = []
        for xs, why, ray in _branches(plan, lo, hi, edge):
            dead = False
            for e in plan.unmatched:
                val = _collected(plan.terms[e], lo[e], hi[e], xs, (), ray).get((), (0.0, 0.0))
                if _nonzero(val):
                    dead = True
                    break
            if dead:
                continue
            if why:
                raise _Unsure(why)
            if plan.unmatched:
                raise _Unsure("an unmatched equation's value at a root indistinguishable from 0")
            roots.append([xs[u] for u in range(plan.n_unk)])
    except _Unsure as why:
        return ClosedFormResult(UNSURE, empty, empty, str(why))
    if not roots:
        return ClosedFormResult(NO_ROOT, empty, empty)
    r = np.array(roots)
    return ClosedFormResult(ROOTS, 0.5 * (r[..., 0] + r[..., 1]), 0.5 * (r[..., 1] - r[..., 0]))


def solve_closed_form(coef: np.ndarray, err: np.ndarray | float, plan: ClosedFormPlan, *,
                      edge: float = 1e-7, zero_tol: float = 1e-9
                      ) -> ClosedFormResult | list[ClosedFormResult]:
    """The verdict of a closed-form system at one point, or at each of many.

    Parameters
    ----------
    coef : (n_eq, n_mono) or (P, n_eq, n_mono) float
        The coefficients (undivided: the monomial factors are divided out here).
    err : array broadcastable to ``coef``, or float
        Absolute error bounds of the coefficients.
    plan : ClosedFormPlan
        The structure (:func:`closed_form_plan`).
    edge : float
        Margin to the box's faces: a root closer (by its enclosure) is UNSURE.
    zero_tol : float
        Relative margin of every "is it zero" decision (see the module docstring).

    Returns
    -------
    ClosedFormResult, or a list of them (one per point) for 3-d ``coef``.
    """
    coef = np.asarray(coef, dtype=float)
    err = np.broadcast_to(np.asarray(err, dtype=float), coef.shape)
    if coef.shape[-2:] != plan.pattern.shape:
        raise SolverError(f"closed form: coefficients shaped {coef.shape} for a plan of {plan.pattern.shape}")
    lo, hi, why = _effective_bounds(coef.reshape((-1, *plan.pattern.shape)),
                                    err.reshape((-1, *plan.pattern.shape)), plan, zero_tol)
    empty = np.zeros((0, plan.n_unk))
    out = [ClosedFormResult(UNSURE, empty, empty, w) if w else _solve_one(a, b, plan, edge)
           for a, b, w in zip(lo.tolist(), hi.tolist(), why, strict=True)]
    return out[0] if coef.ndim == 2 else out
