"""The fast path of the compiled kernels: every test as linear forms over per-point features.

:class:`_LinearFormPath` holds the methods of :class:`~deterrence.kernels.CompiledModel` that
test one structure's plan (:mod:`deterrence.kernels._linforms`) on the product ``G = W @ X`` of the
compiled sparse matrix and the per-point features: multilinear interpolation of the pure
corners (``_combine``), the mixing solutions (``_corner_weights``), the on-path and off-path
checks (``_test_plan``, ``_off_path``). :meth:`CompiledModel.evaluate
<deterrence.kernels.CompiledModel.evaluate>` drives them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._linforms import StructurePlan
from ._roots import _belief_interval, _bilinear_roots, _corner_coefficients, _linear_root


class _LinearFormPath:
    """Linear-form methods of :class:`~deterrence.kernels.CompiledModel` (a mixin: they use the
    attributes set by its ``__init__``: ``game``, ``concept``, ``belief_policy``, ``tol``,
    ``edge``)."""

    @staticmethod
    def _combine(
        G: np.ndarray,
        rows: Sequence[int],
        weights: Sequence[np.ndarray] | None,
        idx: np.ndarray | None = None,
    ) -> np.ndarray:
        """Multilinear interpolation of corner rows (``weights`` per corner), on points ``idx``."""
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

    def _corner_weights(self, plan: StructurePlan, G: np.ndarray, npts: int) -> list[tuple]:
        """Per solution: (corner weights or None, mixing arrays, defined mask, knife-edge mask)."""
        if not plan.mixing:
            return [(None, [], None, None)]
        if len(plan.mixing) == 1:
            r = plan.indifference[plan.mixing[0]]
            x, ok, knife = _linear_root(G[r[0]], G[r[1]], self.edge)
            return [([1 - x, x], [x], ok, knife)]
        h1, h2 = plan.mixing
        v1 = [G[r] for r in plan.indifference[h1]]
        v2 = [G[r] for r in plan.indifference[h2]]
        out = []
        for x, y, ok, knife in _bilinear_roots(_corner_coefficients(v1), _corner_coefficients(v2), self.edge):
            out.append(([(1 - x) * (1 - y), (1 - x) * y, x * (1 - y), x * y], [x, y], ok, knife))
        return out

    def _test_plan(
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
        tol, eps = self.tol, self.edge
        n = len(idx)
        worst = np.full(n, np.inf)  # smallest normalised margin over every check
        tie = np.zeros(n, dtype=bool)
        regret = np.zeros(n)
        unknown = np.zeros(n, dtype=bool)
        ncorner = len(plan.corners)
        spe = self.concept == "spe"

        full = len(idx) == npts  # idx is every point, in order: use whole rows (views, no copies)

        def comb(rows: Sequence[int]) -> np.ndarray:
            return self._combine(G, rows, weights, None if full else idx)

        def unit(player: int) -> np.ndarray:  # margins are measured in units of the player's payoff range
            return scale[player] if full else scale[player, idx]

        with np.errstate(divide="ignore", invalid="ignore"):
            for chk in plan.checks:
                if not len(idx):
                    break
                nplans = len(chk.strict)
                u = unit(chk.player)
                if spe:
                    margins = [comb([chk.cond[k][c][0] for k in range(ncorner)]) / u for c in range(nplans)]
                    m = functools.reduce(np.minimum, margins)
                    worst = np.minimum(worst, m)
                    regret = np.maximum(regret, -m)
                    strict = [mm for mm, st in zip(margins, chk.strict, strict=True) if st]
                    if strict:
                        tie |= functools.reduce(np.minimum, strict) <= eps
                else:
                    tot = comb(chk.total)
                    on = tot > 0
                    if chk.mixing:
                        worst = np.where(on, worst, -np.inf)
                    vals = [
                        comb([chk.value[k][c] for k in range(ncorner)]) / (tot * u) for c in range(nplans)
                    ]
                    m_on = np.where(on, functools.reduce(np.minimum, vals), np.inf)
                    worst = np.minimum(worst, m_on)
                    regret = np.maximum(regret, np.where(on, -m_on, 0.0))
                    strict = [v for v, st in zip(vals, chk.strict, strict=True) if st]
                    if strict:
                        tie |= on & (functools.reduce(np.minimum, strict) <= eps)
                    off = ~on
                    if off.any():
                        scaled = functools.partial(_scaled, comb, u)
                        self._off_path(chk, plan, scaled, off, worst, tie, unknown)
                keep = worst >= -eps
                if not keep.all():
                    idx, worst, tie, regret, unknown = (
                        idx[keep],
                        worst[keep],
                        tie[keep],
                        regret[keep],
                        unknown[keep],
                    )
                    full = False
        holds_l = (worst >= -tol) & ~unknown
        soft = (worst < -tol) & (worst >= -eps)
        und_l = soft | ((worst >= -tol) & (tie | unknown))
        holds = np.zeros(npts, dtype=bool)
        und = np.zeros(npts, dtype=bool)
        reg = np.zeros(npts)
        holds[idx] = holds_l
        und[idx] = und_l
        reg[idx] = np.maximum(regret, 0.0)
        return holds, und, reg

    def _off_path(
        self,
        chk: Any,
        plan: StructurePlan,
        comb: Any,
        off: np.ndarray,
        worst: np.ndarray,
        tie: np.ndarray,
        unknown: np.ndarray,
    ) -> None:
        """Off-path test of one information set (updates ``worst``, ``tie``, ``unknown`` in place)."""
        tol, eps = self.tol, self.edge
        ncorner = len(plan.corners)
        nplans = len(chk.strict)
        if len(chk.nodes) == 1 or self.belief_policy == "prior":
            if len(chk.nodes) == 1:
                offv = [comb([chk.cond[k][c][0] for k in range(ncorner)]) for c in range(nplans)]
            else:
                pt = comb([chk.prior_total] * ncorner)
                offv = [comb([chk.prior_value[0][c]] * ncorner) / pt for c in range(nplans)]
                unknown |= off & ~(pt > 0)
            m_off = np.where(off, functools.reduce(np.minimum, offv), np.inf)
            np.minimum(worst, m_off, out=worst)
            strict = [v for v, st in zip(offv, chk.strict, strict=True) if st]
            if strict:
                tie |= off & (functools.reduce(np.minimum, strict) <= eps)
            return
        if len(chk.nodes) != 2:
            unknown |= off
            return
        d = [[comb([chk.cond[k][c][j] for k in range(ncorner)]) for j in (0, 1)] for c in range(nplans)]
        feasible = _belief_interval(d, [True] * nplans, -tol)
        near_ok = _belief_interval(d, [True] * nplans, -eps)
        strict_ok = _belief_interval(d, list(chk.strict), eps) if any(chk.strict) else feasible
        m_off = np.where(feasible, 0.0, np.where(near_ok, -0.5 * (tol + eps), -np.inf))
        np.minimum(worst, np.where(off, m_off, np.inf), out=worst)
        tie |= off & feasible & ~strict_ok


def _scaled(comb: Any, unit: np.ndarray, rows: Sequence[int]) -> np.ndarray:
    return comb(rows) / unit

