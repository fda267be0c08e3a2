"""All isolated Nash equilibria of small N-player games: support enumeration on polynomial systems.

For each support profile ``S = (S_1, ..., S_N)`` an equilibrium with exactly that support
solves the *indifference system*: every strategy in ``S_i`` earns player ``i`` the same
payoff against the others' mix, and each mix sums to one. Writing each mix in free
coordinates (``sigma_j(S_j[0]) = 1 - sum(x_j)``, ``sigma_j(S_j[m]) = x_j[m]``) gives a square
polynomial system that is *multiaffine*: of degree at most one in each variable.

The real roots in the product of simplices are found by **interval subdivision with
Krawczyk verification** (in the spirit of Gambit's ``enumpoly``):

* the range of a multiaffine polynomial over a box is spanned by its values at the box's
  vertices, so a box where some equation keeps one strict sign at every vertex holds no
  root; the same vertex rule gives the exact range of every Jacobian entry;
* the Krawczyk operator ``K(X) = m - Y f(m) + (I - Y J(X)) (X - m)`` excludes boxes with
  ``K(X) ∩ X = ∅`` and proves a *unique* root where ``K(X) ⊂ int X``;
* small boxes that resist both tests are handled by a Newton step and Krawczyk
  verification of a box around the Newton root that covers them.

When every box of every support is excluded or verified, every equilibrium of the game has
been found and each is isolated (a nonsingular root of its support system): the result is
``complete=True``. The guarantee is up to floating-point rounding (intervals are widened
by a small margin, not by directed rounding). Boxes that stay unresolved down to the
minimum width or past the box budget mean a singular root or a positive-dimensional set of
roots (a degenerate game); then roots found by Newton from those boxes are reported, the
result is ``complete=False`` and ``degenerate=True``.

Pruning: iterated removal of strictly dominated pure strategies first; then a support
profile is skipped when one of its strategies is weakly dominated (with one strict
inequality) against the others' supports — a profile where every opponent support is
fully used turns that into a strict loss, so such a strategy cannot be a best response.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import SolverError
from ..game import NormalFormGame
from ._options import option
from .base import Candidate, Clock, RawResult, SolveOptions, SolverInfo, SolverOptions
from .pure import iterated_dominance

# the domain of each free coordinate: [-_LO_PAD, 1 + _HI_PAD]; asymmetric pads keep the
# bisection points away from simple rationals such as 1/2, where roots of integer games sit
_LO_PAD = 0.0123456789
_HI_PAD = 0.0234567891
_EPS_F = 1e-11  # margin added to value/derivative enclosures (rounding)


# ----------------------------------------------------------------------------- the system
class SupportSystem:
    """The indifference equations of one support profile, in free coordinates.

    Parameters
    ----------
    payoffs
        One payoff array of shape ``(n_1, ..., n_N)`` per player.
    supports
        Strategy indices in the support of each player (non-empty, distinct).

    Attributes
    ----------
    n
        Number of unknowns (= number of equations), ``sum(len(S_i) - 1)``.
    blocks
        For each player with at least two strategies in its support, the slice of the
        unknown vector holding its free coordinates.

    Notes
    -----
    The equations of player ``i`` are ``u_i(S_i[m], sigma_-i) - u_i(S_i[0], sigma_-i) = 0``
    for ``m >= 1``, each divided by the largest payoff difference of that player (so every
    equation is of order one). The free coordinates of player ``i`` come in the same block
    as its equations, so the Jacobian's diagonal blocks are zero.
    """

    def __init__(self, payoffs: Sequence[np.ndarray], supports: Sequence[Sequence[int]]) -> None:
        self.supports = [np.asarray(s, dtype=int) for s in supports]
        self.shape = tuple(np.shape(payoffs[0]))
        self.active = [j for j, s in enumerate(self.supports) if s.size >= 2]
        ks = [int(self.supports[j].size) for j in self.active]
        self.ks = ks
        self.n = int(sum(k - 1 for k in ks))
        offsets = np.concatenate([[0], np.cumsum([k - 1 for k in ks])]).astype(int)
        self.blocks = [slice(int(offsets[a]), int(offsets[a + 1])) for a in range(len(ks))]
        na = len(ks)
        coef = np.zeros([*ks, max(self.n, 1)])
        for a, i in enumerate(self.active):
            sub = np.asarray(payoffs[i], dtype=float)[np.ix_(*self.supports)].reshape(ks)
            sub = np.moveaxis(sub, a, 0)
            diff = sub[1:] - sub[:1]  # (k_i - 1, other active blocks...)
            scale = float(np.abs(diff).max())
            if scale > 0:
                diff = diff / scale
            others = [b for b in range(na) if b != a]
            for pos, b in enumerate(others, start=1):
                diff = np.moveaxis(np.tensordot(diff, _to_free(ks[b]), axes=([pos], [0])), -1, pos)
            idx: list[slice | int] = [slice(None)] * na
            idx[a] = 0
            idx.append(self.blocks[a])
            coef[tuple(idx)] = np.moveaxis(diff, 0, -1)
        self._coef = coef.reshape(-1, coef.shape[-1])[:, : self.n]
        # derivative coefficients: block b's variable m picks index m + 1 on axis b
        self._dcoef = []
        for b, k in enumerate(ks):
            c = np.take(coef, np.arange(1, k), axis=b)
            c = np.moveaxis(c, b, -2)  # (..., k - 1, n)
            self._dcoef.append(c.reshape(-1, (k - 1) * coef.shape[-1]))
        self.identically_zero = any(
            not np.any(self._coef[:, blk]) for blk in self.blocks
        )

    # -- evaluation --------------------------------------------------------------------
    def _factors(self, x: np.ndarray) -> list[np.ndarray]:
        p = x.shape[0]
        return [np.concatenate([np.ones((p, 1)), x[:, blk]], axis=1) for blk in self.blocks]

    @staticmethod
    def _outer(factors: Sequence[np.ndarray], p: int) -> np.ndarray:
        out = np.ones((p, 1))
        for f in factors:
            out = (out[:, :, None] * f[:, None, :]).reshape(p, -1)
        return out

    def values(self, x: np.ndarray) -> np.ndarray:
        """Equation values at points ``x`` of shape ``(P, n)``; returns ``(P, n)``."""
        x = np.atleast_2d(x)
        return self._outer(self._factors(x), x.shape[0]) @ self._coef

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """Jacobians at points ``x`` of shape ``(P, n)``; returns ``(P, n, n)`` (equation, variable)."""
        x = np.atleast_2d(x)
        p = x.shape[0]
        fac = self._factors(x)
        jac = np.zeros((p, self.n, self.n))
        for b, blk in enumerate(self.blocks):
            mono = self._outer([f for c, f in enumerate(fac) if c != b], p)
            part = (mono @ self._dcoef[b]).reshape(p, self.ks[b] - 1, self.n)
            jac[:, :, blk] = np.swapaxes(part, 1, 2)
        return jac

    def profile(self, x: np.ndarray) -> list[np.ndarray]:
        """The full mixed profile (one vector per player over all its strategies) at ``x``."""
        x = np.asarray(x, dtype=float).reshape(-1)
        out = []
        for j, (n_j, sup) in enumerate(zip(self.shape, self.supports, strict=True)):
            v = np.zeros(n_j)
            if j in self.active:
                blk = self.blocks[self.active.index(j)]
                v[sup[1:]] = x[blk]
                v[sup[0]] = 1.0 - x[blk].sum()
            else:
                v[sup[0]] = 1.0
            out.append(v)
        return out

    def coordinates(self, profile: Sequence[np.ndarray]) -> np.ndarray:
        """Free coordinates of a profile (its mass on each support, renormalised)."""
        x = np.zeros(self.n)
        for a, j in enumerate(self.active):
            v = np.asarray(profile[j], dtype=float)[self.supports[j]]
            s = v.sum()
            v = v / s if s > 0 else np.full(v.size, 1.0 / v.size)
            x[self.blocks[a]] = v[1:]
        return x

    def newton(self, x0: np.ndarray, iterations: int = 30, tol: float = 1e-13) -> tuple[np.ndarray, bool]:
        """Newton's method from ``x0`` (pseudo-inverse steps); returns ``(x, converged)``."""
        if self.n == 0:
            return np.zeros(0), True
        x = np.asarray(x0, dtype=float).reshape(1, -1).copy()
        for _ in range(iterations):
            f = self.values(x)[0]
            if not np.all(np.isfinite(f)):
                return x[0], False
            jac = self.jacobian(x)[0]
            step = np.linalg.lstsq(jac, f, rcond=None)[0]
            x = x - step
            if np.abs(step).max() < 1e-15 and np.abs(f).max() < tol:
                break
        f = self.values(x)[0]
        return x[0], bool(np.all(np.isfinite(x)) and np.abs(f).max() < tol)


def _to_free(k: int) -> np.ndarray:
    """``T`` with ``sigma = T @ [1, x_1, ..., x_{k-1}]``."""
    t = np.eye(k)
    t[0, 1:] = -1.0
    return t


# ----------------------------------------------------------------------------- subdivision
@dataclass
class RootSearch:
    """Result of :func:`find_roots` on one support system.

    Attributes
    ----------
    roots
        Verified roots (free coordinates), each the unique root of a verified box.
    resolved
        True if every box was excluded or verified: the roots are all roots in the domain.
    unresolved
        Centres of boxes left unresolved (singular or positive-dimensional root sets).
    boxes
        Number of boxes examined.
    """

    roots: list[np.ndarray] = field(default_factory=list)
    resolved: bool = True
    unresolved: list[np.ndarray] = field(default_factory=list)
    boxes: int = 0


def _krawczyk(system: SupportSystem, lo: np.ndarray, hi: np.ndarray,
              vert_f: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Krawczyk test on boxes ``[lo, hi]`` (each ``(B, n)``).

    Returns ``(excluded, verified, centre, klo, khi)``: boxes that hold no root, boxes
    that hold exactly one, the Newton point ``m - Y f(m)`` of each box and the Krawczyk
    box ``K(X)`` (every root in ``X`` lies in it).
    """
    b, n = lo.shape
    bits = _bits(n)
    verts = lo[:, None, :] + bits[None, :, :] * (hi - lo)[:, None, :]
    jv = system.jacobian(verts.reshape(-1, n)).reshape(b, -1, n, n)
    jlo, jhi = jv.min(axis=1) - _EPS_F, jv.max(axis=1) + _EPS_F
    mid = 0.5 * (lo + hi)
    rad = 0.5 * (hi - lo)
    fm = system.values(mid)
    ym = np.linalg.pinv(system.jacobian(mid))
    centre = mid - np.einsum("bij,bj->bi", ym, fm)
    if vert_f is None:
        vert_f = system.values(verts.reshape(-1, n)).reshape(b, -1, n)
    # exact range of the preconditioned equations Y f (still multiaffine): a sign test
    g = np.einsum("bij,bvj->bvi", ym, vert_f)
    gscale = _EPS_F * (1.0 + np.abs(ym).sum(axis=2))
    sign_out = np.any((g.min(axis=1) > gscale) | (g.max(axis=1) < -gscale), axis=1)
    jc, jr = 0.5 * (jlo + jhi), 0.5 * (jhi - jlo)
    mc = np.eye(n)[None] - ym @ jc
    mr = np.abs(ym) @ jr
    spread = np.einsum("bij,bj->bi", np.abs(mc) + mr, rad)
    spread += _EPS_F * (1.0 + np.abs(ym).sum(axis=2))
    finite = np.all(np.isfinite(centre) & np.isfinite(spread), axis=1)
    excluded = sign_out | (finite & np.any((centre + spread < lo) | (centre - spread > hi), axis=1))
    verified = finite & np.all((centre - spread > lo) & (centre + spread < hi), axis=1)
    klo = np.where(finite[:, None], centre - spread, -np.inf)
    khi = np.where(finite[:, None], centre + spread, np.inf)
    return excluded, verified & ~excluded, centre, klo, khi


def _bits(n: int) -> np.ndarray:
    return np.array(list(itertools.product((0.0, 1.0), repeat=n))).reshape(-1, n)


def find_roots(system: SupportSystem, *, max_boxes: int = 4000, min_width: float = 1e-7,
               newton_width: float = 1e-3) -> RootSearch:
    """All real roots of a support system in (a slight enlargement of) the product of simplices.

    Parameters
    ----------
    system
        The support system.
    max_boxes
        Box budget; past it the search stops and reports ``resolved=False``.
    min_width
        Boxes narrower than this that are neither excluded nor verified are unresolved.
    newton_width
        Boxes narrower than this are also tried with a Newton step and verification of a
        box around the Newton root that covers them.

    Returns
    -------
    RootSearch
    """
    n = system.n
    out = RootSearch()
    if n == 0:
        out.roots.append(np.zeros(0))
        return out
    if system.identically_zero:
        # a player is indifferent among its support whatever the others do: a continuum
        out.resolved = False
        out.unresolved.append(np.full(n, 0.5 / max(system.ks)))
        return out
    bits = _bits(n)
    nv = bits.shape[0]
    chunk = max(1, 16384 // nv)
    root_lo: list[np.ndarray] = []
    root_hi: list[np.ndarray] = []
    lo = np.full((1, n), -_LO_PAD)
    hi = np.full((1, n), 1.0 + _HI_PAD)
    block_ids = [np.arange(n)[blk] for blk in system.blocks]
    while lo.shape[0]:
        if out.boxes + lo.shape[0] > max_boxes:
            out.resolved = False
            pick = np.linspace(0, lo.shape[0] - 1, min(lo.shape[0], 8)).astype(int)
            out.unresolved.extend(0.5 * (lo[pick] + hi[pick]))
            break
        out.boxes += lo.shape[0]
        next_lo: list[np.ndarray] = []
        next_hi: list[np.ndarray] = []
        for s in range(0, lo.shape[0], chunk):
            blo, bhi = lo[s:s + chunk], hi[s:s + chunk]
            # the box must meet the (padded) simplex of every block
            keep = np.ones(blo.shape[0], dtype=bool)
            for ids in block_ids:
                keep &= blo[:, ids].sum(axis=1) <= 1.0 + _LO_PAD
            # boxes inside an already verified root box hold only that root
            for rlo, rhi in zip(root_lo, root_hi, strict=True):
                keep &= ~np.all((blo >= rlo) & (bhi <= rhi), axis=1)
            blo, bhi = blo[keep], bhi[keep]
            if not blo.shape[0]:
                continue
            verts = blo[:, None, :] + bits[None, :, :] * (bhi - blo)[:, None, :]
            fv = system.values(verts.reshape(-1, n)).reshape(blo.shape[0], nv, n)
            sign_out = np.any((fv.min(axis=1) > _EPS_F) | (fv.max(axis=1) < -_EPS_F), axis=1)
            blo, bhi, fv = blo[~sign_out], bhi[~sign_out], fv[~sign_out]
            if not blo.shape[0]:
                continue
            excl, ver, centre, klo, khi = _krawczyk(system, blo, bhi, fv)
            for k in np.flatnonzero(ver):
                _add_root(system, out, root_lo, root_hi, blo[k], bhi[k], centre[k])
            rest = ~excl & ~ver
            # interval Newton contraction: every root of X lies in X ∩ K(X)
            old_width = (bhi[rest] - blo[rest]).max(axis=1) if rest.any() else np.zeros(0)
            blo, bhi = np.maximum(blo[rest], klo[rest]), np.minimum(bhi[rest], khi[rest])
            width = (bhi - blo).max(axis=1) if blo.shape[0] else np.zeros(0)
            small = width < newton_width
            done = np.zeros(blo.shape[0], dtype=bool)
            for k in np.flatnonzero(small):
                done[k] = _newton_cover(system, out, root_lo, root_hi, blo[k], bhi[k])
            tiny = ~done & (width < min_width)
            if tiny.any():
                out.resolved = False
                out.unresolved.extend(0.5 * (blo[tiny] + bhi[tiny])[:8])
            # a box that contracted a lot goes round again whole; the others are bisected
            again = ~done & ~tiny & (width < 0.5 * old_width)
            next_lo.append(blo[again])
            next_hi.append(bhi[again])
            split = ~done & ~tiny & ~again
            blo, bhi = blo[split], bhi[split]
            if blo.shape[0]:
                dim = np.argmax(bhi - blo, axis=1)
                mid = 0.5 * (blo[np.arange(blo.shape[0]), dim] + bhi[np.arange(bhi.shape[0]), dim])
                lo1, hi1 = blo.copy(), bhi.copy()
                hi1[np.arange(hi1.shape[0]), dim] = mid
                lo2, hi2 = blo.copy(), bhi.copy()
                lo2[np.arange(lo2.shape[0]), dim] = mid
                next_lo += [lo1, lo2]
                next_hi += [hi1, hi2]
        lo = np.concatenate(next_lo) if next_lo else np.zeros((0, n))
        hi = np.concatenate(next_hi) if next_hi else np.zeros((0, n))
    return out


def _add_root(system: SupportSystem, out: RootSearch, root_lo: list[np.ndarray], root_hi: list[np.ndarray],
              lo: np.ndarray, hi: np.ndarray, start: np.ndarray) -> None:
    x, ok = system.newton(np.clip(start, lo, hi))
    if not ok or np.any(x < lo - 1e-9) or np.any(x > hi + 1e-9):
        # Newton left the box: the box still has its unique root; use the Krawczyk point
        x = np.clip(start, lo, hi)
    root_lo.append(lo.copy())
    root_hi.append(hi.copy())
    for r in out.roots:
        if np.all(np.abs(r - x) <= 1e-9):
            return
    if any(np.all((r >= lo) & (r <= hi)) for r in out.roots):
        return  # the box has a unique root and it is already recorded
    out.roots.append(x)


def _newton_cover(system: SupportSystem, out: RootSearch, root_lo: list[np.ndarray],
                  root_hi: list[np.ndarray], lo: np.ndarray, hi: np.ndarray) -> bool:
    """Newton from the box centre; verify a box around the root that covers ``[lo, hi]``."""
    mid = 0.5 * (lo + hi)
    x, ok = system.newton(mid, iterations=12)
    width = float((hi - lo).max())
    if not ok or np.abs(x - mid).max() > 2 * width:
        return False
    rad = np.maximum(np.maximum(np.abs(x - lo), np.abs(hi - x)) * 1.01, 1e-12)
    blo, bhi = (x - rad)[None], (x + rad)[None]
    _, ver, centre, _, _ = _krawczyk(system, blo, bhi)
    if not ver[0]:
        return False
    _add_root(system, out, root_lo, root_hi, blo[0], bhi[0], centre[0])
    return True


# ----------------------------------------------------------------------------- supports
def _nonempty_subsets(items: np.ndarray) -> list[np.ndarray]:
    return [np.array(c, dtype=int) for r in range(1, items.size + 1)
            for c in itertools.combinations(items.tolist(), r)]


def _conditionally_dominated(payoffs: Sequence[np.ndarray], alive: Sequence[np.ndarray],
                             supports: Sequence[np.ndarray]) -> bool:
    """True if some support strategy is weakly dominated (one strict) against the others' supports."""
    n = len(payoffs)
    for i in range(n):
        if supports[i].size == 0:
            continue
        index = [supports[j] if j != i else alive[i] for j in range(n)]
        sub = np.moveaxis(payoffs[i][np.ix_(*index)], i, 0).reshape(alive[i].size, -1)
        pos = np.searchsorted(alive[i], supports[i])
        mine = sub[pos]  # (|S_i|, R)
        ge = (sub[None, :, :] >= mine[:, None, :]).all(axis=2)
        gt = (sub[None, :, :] > mine[:, None, :]).any(axis=2)
        if np.any(ge & gt):
            return True
    return False


def support_profiles(payoffs: Sequence[np.ndarray],
                     alive: Sequence[np.ndarray]) -> Iterator[list[np.ndarray]]:
    """Support profiles over the surviving strategies, skipping conditionally dominated ones.

    Profiles come in order of total support size (pure profiles first).
    """
    subsets = [_nonempty_subsets(a) for a in alive]
    combos = sorted(itertools.product(*[range(len(s)) for s in subsets]),
                    key=lambda c: (sum(subsets[i][k].size for i, k in enumerate(c)), c))
    for combo in combos:
        sup = [subsets[i][k] for i, k in enumerate(combo)]
        if any(s.size > 1 for s in sup) and _conditionally_dominated(payoffs, alive, sup):
            continue
        yield sup


# ----------------------------------------------------------------------------- the solver
@dataclass
class PolynomialResult:
    """All equilibria found by :func:`polynomial_equilibria`, with the evidence."""

    profiles: list[list[np.ndarray]]
    complete: bool
    degenerate: bool
    supports_tried: int
    supports_unresolved: int
    notes: list[str]


def polynomial_equilibria(game: NormalFormGame, tol: float = 1e-8, *, max_boxes: int = 4000,
                          min_width: float = 1e-7, clock: Clock | None = None) -> PolynomialResult:
    """Every isolated Nash equilibrium of a (small) N-player game.

    Parameters
    ----------
    game
        The normal-form game.
    tol
        Largest regret a returned profile may have.
    max_boxes
        Box budget per support profile.
    min_width
        Smallest box width before a box counts as unresolved.
    clock
        Time limit and progress reports, checked between support profiles.

    Returns
    -------
    PolynomialResult
        ``complete`` is True when every support system was fully resolved.
    """
    payoffs = game.payoffs
    alive = iterated_dominance(payoffs, 0.0)
    removed = sum(n - a.size for n, a in zip(game.shape, alive, strict=True))
    profiles: list[list[np.ndarray]] = []
    tried = unresolved = 0
    notes: list[str] = []
    if removed:
        notes.append(f"{removed} strictly dominated strateg{'y' if removed == 1 else 'ies'} removed first")
    for sup in support_profiles(payoffs, alive):
        if clock is not None:
            clock.check(f"{tried} support profiles solved, {len(profiles)} equilibria")
        tried += 1
        system = SupportSystem(payoffs, sup)
        search = find_roots(system, max_boxes=max_boxes, min_width=min_width)
        points = list(search.roots)
        if not search.resolved:
            unresolved += 1
            for c in search.unresolved:
                x, ok = system.newton(c, iterations=40)
                if ok:
                    points.append(x)
        for x in points:
            prof = system.profile(x)
            if any(np.any(p < -1e-9) for p in prof):
                continue
            prof = [np.clip(p, 0.0, None) / np.clip(p, 0.0, None).sum() for p in prof]
            if float(game.regrets(prof).max()) > tol:
                continue
            if not any(all(np.allclose(p, q, atol=1e-9) for p, q in zip(prof, r, strict=True))
                       for r in profiles):
                profiles.append(prof)
    degenerate = unresolved > 0
    if not degenerate:
        for prof in profiles:
            for i in range(game.num_players):
                dev = game.deviation_payoffs(prof, i)
                unused_best = (dev >= dev.max() - tol) & (prof[i] <= 1e-12)
                if unused_best.any():
                    degenerate = True
    notes.append(f"{tried} support profiles examined")
    if unresolved:
        notes.append(
            f"{unresolved} support profiles unresolved (singular roots or a positive-dimensional set of "
            "equilibria: a degenerate game); points found there are reported, the set may be incomplete")
    else:
        notes.append("every support system resolved by subdivision and Krawczyk verification: all equilibria "
                     "are isolated and all were found (up to floating-point rounding)")
    return PolynomialResult(profiles, unresolved == 0, degenerate, tried, unresolved, notes)


@dataclass(frozen=True)
class PolynomialOptions(SolverOptions):
    """Options of ``polynomial``.

    Parameters
    ----------
    max_boxes
        Box budget of the subdivision, per support profile; a support still unresolved
        when it runs out makes the result incomplete.
    min_width
        Smallest box width before a box counts as unresolved (a singular root or a
        continuum of equilibria).
    """

    max_boxes: int = option(4000, minimum=1)
    min_width: float = option(1e-7, minimum=0, exclusive=True)


def _run(game: NormalFormGame, options: SolveOptions) -> RawResult:
    opts = options.of(PolynomialOptions)
    res = polynomial_equilibria(game, options.tol, max_boxes=opts.max_boxes, min_width=opts.min_width,
                                clock=options.clock("polynomial"))
    if res.complete and not res.profiles:
        raise SolverError("polynomial: no equilibrium found although every support resolved "
                          "(every finite game has one); this is a bug")
    cands = [Candidate(strategies=tuple(p)) for p in res.profiles]
    return RawResult(candidates=cands, complete=res.complete, degenerate=res.degenerate,
                     notes=tuple(res.notes))


def estimate(game: NormalFormGame) -> float:
    """Work estimate: support profiles × vertices per box × monomials × a box budget."""
    shape = game.shape
    supports = math.prod(2.0 ** min(k, 60) - 1 for k in shape)
    unknowns = sum(k - 1 for k in shape)
    return float(supports * 2.0 ** min(unknowns, 900) * math.prod(float(k) for k in shape) * 20)


SOLVER = SolverInfo(
    name="polynomial",
    concepts=frozenset({"nash"}),
    kinds=frozenset({"normal"}),
    run=_run,
    options=PolynomialOptions,
    finds="all",
    min_players=2,
    max_players=None,
    estimate=estimate,
    stops_at_time_limit=True,
    description="all isolated Nash equilibria of small N-player games: support enumeration, "
    "polynomial indifference systems solved by subdivision with Krawczyk verification",
)

__all__ = ["SOLVER", "PolynomialOptions", "PolynomialResult", "RootSearch", "SupportSystem", "estimate",
           "find_roots", "polynomial_equilibria", "support_profiles"]
