"""The fast path of the compiled kernels: every test as linear forms over per-point features.

:class:`LinearChecks` tests one structure's plan (:mod:`deterrence.kernels._linforms`) on the
product ``G = W @ X`` of the compiled sparse matrix and the per-point features: the mixing
solutions (:meth:`~LinearChecks.corner_weights`), the on-path and off-path checks
(:meth:`~LinearChecks.test_plan`); :func:`combine` is the multilinear interpolation of the pure
corners. A :class:`~deterrence.kernels.CompiledModel` holds one and drives it from
:meth:`~deterrence.kernels.CompiledModel.evaluate`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._linforms import StructurePlan
from ._roots import belief_interval, bilinear_roots, corner_coefficients, linear_root


def combine(
    G: np.ndarray,
    rows: Sequence[int],
    weights: Sequence[np.ndarray] | None,
    idx: np.ndarray | None = None,
) -> np.ndarray:
    """Multilinear interpolation of corner rows of ``G`` (``weights`` per corner), on points ``idx``."""
    if weights is None:
        return G[rows[0]] if idx is None else G[rows[0], idx]
    if idx is None:
        out = weights[0] * G[rows[0]]
        for w, r in zip(weights[1:], rows[1:], strict=True):
            out += w * G[r]
        return out
    out = weights[0][idx] * G[rows[0], idx]
    for w, r in zip(weights[1:], rows[1:], strict=True):
        out += w[idx] * G[r, idx]
    return out


@dataclass
class _Margins:
    """Per tested point: the smallest normalised margin over the checks so far, whether a strict
    preference is a near tie, the regret, and whether the kernel cannot decide the point."""

    worst: np.ndarray
    tie: np.ndarray
    regret: np.ndarray
    unknown: np.ndarray

    def keep(self, mask: np.ndarray) -> None:
        self.worst, self.tie = self.worst[mask], self.tie[mask]
        self.regret, self.unknown = self.regret[mask], self.unknown[mask]


@dataclass(frozen=True)
class LinearChecks:
    """The fast path's equilibrium tests of one structure's plan, on ``G = W @ X``.

    Attributes
    ----------
    concept, belief_policy
        ``"pbe"`` or ``"spe"``; ``"free"`` or ``"prior"`` (PBE off-path beliefs).
    tol, edge
        Certification tolerance, and the margin below which a point is a knife edge.
    """

    concept: str
    belief_policy: str
    tol: float
    edge: float

    def corner_weights(self, plan: StructurePlan, G: np.ndarray) -> list[tuple]:
        """Per solution: (corner weights or None, mixing arrays, defined mask, knife-edge mask)."""
        if not plan.mixing:
            return [(None, [], None, None)]
        if len(plan.mixing) == 1:
            r = plan.indifference[plan.mixing[0]]
            x, ok, knife = linear_root(G[r[0]], G[r[1]], self.edge)
            return [([1 - x, x], [x], ok, knife)]
        h1, h2 = plan.mixing
        v1 = [G[r] for r in plan.indifference[h1]]
        v2 = [G[r] for r in plan.indifference[h2]]
        out = []
        for x, y, ok, knife in bilinear_roots(corner_coefficients(v1), corner_coefficients(v2), self.edge):
            out.append(([(1 - x) * (1 - y), (1 - x) * y, x * (1 - y), x * y], [x, y], ok, knife))
        return out

    def test_plan(
        self,
        plan: StructurePlan,
        G: np.ndarray,
        weights: Sequence[np.ndarray] | None,
        npts: int,
        idx: np.ndarray,
        scale: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(holds, undecided, regret) of one structure (at one mixing solution), tested on points ``idx``.

        Checks run one information set at a time; points that fail a check by more than the
        knife-edge margin are dropped from the later checks.
        """
        n = len(idx)
        m = _Margins(np.full(n, np.inf), np.zeros(n, dtype=bool), np.zeros(n), np.zeros(n, dtype=bool))
        full = len(idx) == npts  # idx is every point, in order: use whole rows (views, no copies)
        with np.errstate(divide="ignore", invalid="ignore"):
            for chk in plan.checks:
                if not len(idx):
                    break
                at = None if full else idx
                comb = functools.partial(_combine_at, G, weights, at)
                unit = scale[chk.player] if full else scale[chk.player, idx]  # the player's payoff range
                if self.concept == "spe":
                    self._spe_check(chk, plan, comb, unit, m)
                else:
                    self._pbe_check(chk, plan, comb, unit, m)
                keep = m.worst >= -self.edge
                if not keep.all():
                    idx = idx[keep]
                    m.keep(keep)
                    full = False
        return self._verdict(m, idx, npts)

    def _spe_check(self, chk: Any, plan: StructurePlan, comb: Any, unit: np.ndarray, m: _Margins) -> None:
        ncorner, nplans = len(plan.corners), len(chk.strict)
        margins = [comb([chk.cond[k][c][0] for k in range(ncorner)]) / unit for c in range(nplans)]
        low = functools.reduce(np.minimum, margins)
        m.worst = np.minimum(m.worst, low)
        m.regret = np.maximum(m.regret, -low)
        strict = [mm for mm, st in zip(margins, chk.strict, strict=True) if st]
        if strict:
            m.tie |= functools.reduce(np.minimum, strict) <= self.edge

    def _pbe_check(self, chk: Any, plan: StructurePlan, comb: Any, unit: np.ndarray, m: _Margins) -> None:
        ncorner, nplans = len(plan.corners), len(chk.strict)
        tot = comb(chk.total)
        on = tot > 0
        if chk.mixing:
            m.worst = np.where(on, m.worst, -np.inf)
        vals = [comb([chk.value[k][c] for k in range(ncorner)]) / (tot * unit) for c in range(nplans)]
        m_on = np.where(on, functools.reduce(np.minimum, vals), np.inf)
        m.worst = np.minimum(m.worst, m_on)
        m.regret = np.maximum(m.regret, np.where(on, -m_on, 0.0))
        strict = [v for v, st in zip(vals, chk.strict, strict=True) if st]
        if strict:
            m.tie |= on & (functools.reduce(np.minimum, strict) <= self.edge)
        off = ~on
        if off.any():
            self._off_path(chk, plan, functools.partial(_scaled, comb, unit), off, m)

    def _verdict(self, m: _Margins, idx: np.ndarray, npts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(holds, undecided, regret) on every point from the margins of the points ``idx``."""
        holds_l = (m.worst >= -self.tol) & ~m.unknown
        soft = (m.worst < -self.tol) & (m.worst >= -self.edge)
        und_l = soft | ((m.worst >= -self.tol) & (m.tie | m.unknown))
        holds = np.zeros(npts, dtype=bool)
        und = np.zeros(npts, dtype=bool)
        reg = np.zeros(npts)
        holds[idx] = holds_l
        und[idx] = und_l
        reg[idx] = np.maximum(m.regret, 0.0)
        return holds, und, reg

    def _off_path(self, chk: Any, plan: StructurePlan, comb: Any, off: np.ndarray, m: _Margins) -> None:
        """Off-path test of one information set (updates the margins in place)."""
        tol, eps = self.tol, self.edge
        ncorner = len(plan.corners)
        nplans = len(chk.strict)
        if len(chk.nodes) == 1 or self.belief_policy == "prior":
            if len(chk.nodes) == 1:
                offv = [comb([chk.cond[k][c][0] for k in range(ncorner)]) for c in range(nplans)]
            else:
                pt = comb([chk.prior_total] * ncorner)
                offv = [comb([chk.prior_value[0][c]] * ncorner) / pt for c in range(nplans)]
                m.unknown |= off & ~(pt > 0)
            m_off = np.where(off, functools.reduce(np.minimum, offv), np.inf)
            np.minimum(m.worst, m_off, out=m.worst)
            strict = [v for v, st in zip(offv, chk.strict, strict=True) if st]
            if strict:
                m.tie |= off & (functools.reduce(np.minimum, strict) <= eps)
            return
        if len(chk.nodes) != 2:
            m.unknown |= off
            return
        d = [[comb([chk.cond[k][c][j] for k in range(ncorner)]) for j in (0, 1)] for c in range(nplans)]
        feasible = belief_interval(d, [True] * nplans, -tol)
        near_ok = belief_interval(d, [True] * nplans, -eps)
        strict_ok = belief_interval(d, list(chk.strict), eps) if any(chk.strict) else feasible
        m_off = np.where(feasible, 0.0, np.where(near_ok, -0.5 * (tol + eps), -np.inf))
        np.minimum(m.worst, np.where(off, m_off, np.inf), out=m.worst)
        m.tie |= off & feasible & ~strict_ok


def _combine_at(
    G: np.ndarray, weights: Sequence[np.ndarray] | None, idx: np.ndarray | None, rows: Sequence[int]
) -> np.ndarray:
    return combine(G, rows, weights, idx)


def _scaled(comb: Any, unit: np.ndarray, rows: Sequence[int]) -> np.ndarray:
    return comb(rows) / unit
