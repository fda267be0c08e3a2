"""One Nash equilibrium of an N-player normal-form game by the logit homotopy.

The logit quantal-response equilibria of a game form, for generic games, a smooth curve
that starts at the uniform profile at precision ``lambda = 0`` and converges, as
``lambda -> infinity``, to a Nash equilibrium (McKelvey and Palfrey 1995; Turocy 2005). This
module traces that *principal branch* by predictor-corrector continuation in arclength
(Allgower and Georg), in log-probability coordinates so that vanishing probabilities stay
well conditioned, and parameterised by arclength so that turning points in ``lambda`` do
no harm.

At a geometric sequence of precisions the current point is *polished*: a support profile is
read off it (strategies that are nearly best responses, or carry visible probability), the
support's indifference system (see :class:`deterrence.solvers.polynomial.SupportSystem`)
is solved by Newton's method from the current point, and the result is kept if it is a
probability profile with regret at most ``min(tol, 1e-9)``. The equilibrium returned is the
limit of the principal branch (the logit *tracing* selection), found to machine precision.
If the path cannot be followed (near a bifurcation, or a very slow approach to the limit), a
last resort polishes from the last point with every profile of nested best-reply supports;
the result then says it is not the traced limit (``HomotopyResult.limit``, and a note).

Payoffs are rescaled per player to the range ``[0, 1]`` for tracing (a positive affine
change of payoffs leaves the equilibria unchanged); the polish and the regret test use the
game's own payoffs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import SolverError
from ..game import NormalFormGame
from ._options import option
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions
from .polynomial import SupportSystem

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class HomotopyResult:
    """What :func:`logit_homotopy` found.

    Attributes
    ----------
    profile
        The polished equilibrium (one mixed strategy per player).
    regret
        Its largest regret in the game's own payoffs.
    lam
        Precision (in rescaled payoffs) at which the polish succeeded.
    steps
        Continuation steps taken.
    support
        The support profile of the equilibrium.
    limit
        True if the polish started on the path (the logit limit); False if the path could
        not be followed and the equilibrium came from the last-resort polish near its end.
    """

    profile: list[np.ndarray]
    regret: float
    lam: float
    steps: int
    support: list[np.ndarray]
    limit: bool = True


class _LogitSystem:
    """``H(y, lambda) = 0``: the logit equilibrium conditions in log-probabilities."""

    def __init__(self, payoffs: Sequence[np.ndarray]) -> None:
        self.n_players = len(payoffs)
        self.shape = tuple(np.shape(payoffs[0]))
        scaled = []
        for a in payoffs:
            a = np.asarray(a, dtype=float)
            span = float(a.max() - a.min())
            scaled.append((a - a.min()) / span if span > 0 else np.zeros_like(a))
        self.payoffs = scaled
        self.offsets = np.concatenate([[0], np.cumsum(self.shape)]).astype(int)
        self.m = int(self.offsets[-1])
        n = self.n_players
        self._pair_subs: dict[tuple[int, int], str] = {}
        for i in range(n):
            for j in range(n):
                if i != j:
                    ins = [_LETTERS[:n]] + [_LETTERS[k] for k in range(n) if k not in (i, j)]
                    self._pair_subs[(i, j)] = ",".join(ins) + "->" + _LETTERS[i] + _LETTERS[j]

    def split(self, vec: np.ndarray) -> list[np.ndarray]:
        return [vec[self.offsets[i]:self.offsets[i + 1]] for i in range(self.n_players)]

    def _pair(self, i: int, j: int, probs: list[np.ndarray]) -> np.ndarray:
        """``W[s, t]``: player ``i``'s payoff from ``s`` against ``t`` of ``j`` and the others' mix."""
        ops = [self.payoffs[i]] + [probs[k] for k in range(self.n_players) if k not in (i, j)]
        return np.einsum(self._pair_subs[(i, j)], *ops)

    def _values(self, i: int, probs: list[np.ndarray]) -> np.ndarray:
        a = np.moveaxis(self.payoffs[i], i, 0)
        for k in reversed([k for k in range(self.n_players) if k != i]):
            a = a @ probs[k]
        return a

    def residual(self, z: np.ndarray) -> np.ndarray:
        y, lam = z[:-1], z[-1]
        ys = self.split(y)
        probs = [np.exp(v) for v in ys]
        out = np.empty(self.m)
        for i in range(self.n_players):
            o = self.offsets[i]
            val = self._values(i, probs)
            out[o] = probs[i].sum() - 1.0
            out[o + 1:self.offsets[i + 1]] = ys[i][1:] - ys[i][0] - lam * (val[1:] - val[0])
        return out

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        y, lam = z[:-1], z[-1]
        ys = self.split(y)
        probs = [np.exp(v) for v in ys]
        jac = np.zeros((self.m, self.m + 1))
        n = self.n_players
        for i in range(n):
            o, e = self.offsets[i], self.offsets[i + 1]
            jac[o, o:e] = probs[i]
            k = e - o
            if k > 1:
                jac[o + 1:e, o + 1:e] = np.eye(k - 1)
                jac[o + 1:e, o] = -1.0
            val = None
            for j in range(n):
                if j == i:
                    continue
                w = self._pair(i, j, probs)
                if val is None:
                    val = w @ probs[j]
                if k > 1:
                    cols = slice(self.offsets[j], self.offsets[j + 1])
                    jac[o + 1:e, cols] = -lam * (w[1:] - w[:1]) * probs[j][None, :]
            if val is None:  # one player: payoffs do not depend on others
                val = np.asarray(self.payoffs[i], dtype=float)
            if k > 1:
                jac[o + 1:e, -1] = -(val[1:] - val[0])
        return jac


def _tangent(jac: np.ndarray) -> np.ndarray:
    q, _ = np.linalg.qr(jac.T, mode="complete")
    t = q[:, -1]
    return t / np.linalg.norm(t)


def _correct(system: _LogitSystem, z: np.ndarray, tol: float, max_step: float,
             max_iter: int = 10) -> tuple[np.ndarray, bool, float]:
    """Moore-Penrose Newton corrector; returns ``(z, converged, first step length)``.

    Fails if the first step exceeds ``max_step`` or the steps stop contracting (ratio 0.5).
    """
    prev = math.inf
    first = 0.0
    for it in range(max_iter):
        jac = system.jacobian(z)
        res = system.residual(z)
        step = np.linalg.lstsq(jac, res, rcond=None)[0]
        norm = float(np.linalg.norm(step))
        if it == 0:
            first = norm
            if not norm <= max_step:
                return z, False, first
        if not np.isfinite(norm) or (it > 0 and norm > 0.5 * prev):
            return z, False, first
        z = z - step
        prev = norm
        if norm < tol:
            return z, True, first
    return z, False, first


def _candidate_supports(game: NormalFormGame, probs: list[np.ndarray], lam: float) -> list[list[np.ndarray]]:
    out: list[list[np.ndarray]] = []
    seen: set[tuple[tuple[int, ...], ...]] = set()
    gaps = []
    for i in range(game.num_players):
        dev = game.deviation_payoffs(probs, i)
        span = float(np.ptp(game.payoffs[i])) or 1.0
        gaps.append((dev.max() - dev) / span)
    rules: list[list[np.ndarray]] = []
    for theta in (1e-2, 1e-3, 1e-4, 1e-6, 1e-8):
        rules.append([np.flatnonzero(p >= theta * p.max()) for p in probs])
    for c in (3.0, 10.0, 30.0):
        rules.append([np.flatnonzero(g <= c / max(lam, 1e-12)) for g in gaps])
    for sup in rules:
        key = tuple(tuple(int(x) for x in s) for s in sup)
        if key not in seen and all(s.size for s in sup):
            seen.add(key)
            out.append(sup)
    return out


def _nested_supports(game: NormalFormGame, probs: list[np.ndarray]) -> list[list[np.ndarray]]:
    """Every profile of "the k best replies" supports, smallest total size first (last resort)."""
    orders = []
    for i in range(game.num_players):
        dev = game.deviation_payoffs(probs, i)
        orders.append(np.lexsort((-probs[i], -dev)))
    combos = sorted(itertools.product(*[range(1, k + 1) for k in game.shape]), key=lambda c: (sum(c), c))
    return [[np.sort(o[:k]) for o, k in zip(orders, combo, strict=True)] for combo in combos]


def _polish(game: NormalFormGame, probs: list[np.ndarray], lam: float, target: float,
            supports: list[list[np.ndarray]] | None = None,
            ) -> tuple[list[np.ndarray], float, list[np.ndarray]] | None:
    for sup in supports if supports is not None else _candidate_supports(game, probs, lam):
        system = SupportSystem(game.payoffs, sup)
        x, _ = system.newton(system.coordinates(probs), iterations=15)
        prof = system.profile(x)
        if any(np.any(p < -1e-12) or not np.all(np.isfinite(p)) for p in prof):
            continue
        prof = [np.clip(p, 0.0, None) / np.clip(p, 0.0, None).sum() for p in prof]
        regret = float(game.regrets(prof).max())
        if regret <= target:
            return prof, regret, sup
    return None


def logit_homotopy(game: NormalFormGame, tol: float = 1e-9, *, max_steps: int = 20000,
                   max_lambda: float = 1e9, first_polish: float = 3.0) -> HomotopyResult:
    """Trace the principal logit branch and polish its limit into an exact equilibrium.

    Parameters
    ----------
    game
        The normal-form game (any number of players).
    tol
        Largest regret accepted after polishing.
    max_steps
        Continuation step budget.
    max_lambda
        Give up beyond this precision (in payoffs rescaled to ``[0, 1]``).
    first_polish
        Precision of the first polish attempt; later ones follow at a factor of two.

    Returns
    -------
    HomotopyResult

    Raises
    ------
    SolverError
        If the path cannot be followed or its end does not polish into an equilibrium.
    """
    system = _LogitSystem(game.payoffs)
    z = np.concatenate([np.concatenate([np.full(k, -math.log(k)) for k in game.shape]), [0.0]])
    t = _tangent(system.jacobian(z))
    if t[-1] < 0:
        t = -t
    h, steps = 0.1, 0
    next_polish = first_polish
    ctol = 1e-10
    max_dist = 0.4  # largest first corrector step accepted (log-probability units)
    while steps < max_steps:
        lam = float(z[-1])
        if lam >= next_polish:
            probs = [np.exp(v) for v in system.split(z[:-1])]
            probs = [p / p.sum() for p in probs]
            found = _polish(game, probs, lam, tol)
            if found is not None:
                prof, regret, sup = found
                return HomotopyResult(prof, regret, lam, steps, sup)
            next_polish *= 2.0
        if lam > max_lambda:
            break
        zp = z + h * t
        znew, ok, first = _correct(system, zp, ctol, max_dist)
        if ok:
            tnew = _tangent(system.jacobian(znew))
            if tnew @ t < 0:
                tnew = -tnew
            # the principal branch never returns to lambda <= 0; a sharp turn means a jump
            ok = float(tnew @ t) > 0.95 and float(znew[-1]) > 0.0
        if not ok:
            h *= 0.5
            if h < 1e-12:
                break
            continue
        z, t = znew, tnew
        steps += 1
        # step-size adaptation from the predictor's error (quadratic in h)
        factor = math.sqrt(max_dist / max(first, 1e-12) / 4.0)
        h = min(h * min(max(factor, 0.5), 2.0), 1e6)
    # last resort: polish with every nested best-reply support around the last point
    probs = [np.exp(v) for v in system.split(z[:-1])]
    probs = [p / p.sum() for p in probs]
    if math.prod(game.shape) <= 10**5:
        found = _polish(game, probs, float(z[-1]), tol, _nested_supports(game, probs))
        if found is not None:
            prof, regret, sup = found
            return HomotopyResult(prof, regret, float(z[-1]), steps, sup, limit=False)
    raise SolverError(
        f"homotopy: no equilibrium after {steps} continuation steps (the path stopped at "
        f"lambda={float(z[-1]):.4g}); the game may be degenerate: try method='polynomial' or 'pure'")


@dataclass(frozen=True)
class HomotopyOptions(SolverOptions):
    """Options of ``homotopy``.

    Parameters
    ----------
    max_steps
        Bound on the continuation steps along the logit path.
    max_lambda
        Precision at which the path is abandoned (the last point is then polished).
    """

    max_steps: int = option(20000, minimum=1)
    max_lambda: float = option(1e9, minimum=0, exclusive=True)


def _run(game: NormalFormGame, options: SolveOptions) -> RawResult:
    opts = options.of(HomotopyOptions)
    target = min(options.tol, 1e-9)
    res = logit_homotopy(game, target, max_steps=opts.max_steps, max_lambda=opts.max_lambda)
    sizes = "x".join(str(s.size) for s in res.support)
    how = ("the limit of the principal logit-QRE branch (logit tracing selection), reached at"
           if res.limit else "an equilibrium near the end of the logit-QRE path (the path stopped at")
    notes = (f"{how} lambda={res.lam:.4g} after {res.steps} steps{'' if res.limit else ')'}; "
             f"support sizes {sizes}; polished to regret {res.regret:.2g}",
             "finds one equilibrium: other equilibria may exist")
    return RawResult(candidates=[Candidate(strategies=tuple(res.profile), label="logit-tracing")],
                     complete=False, degenerate=None, notes=notes)


def _estimate(game: NormalFormGame) -> float:
    # per step: N^2 partial payoff tables of prod(shape) entries, a few hundred steps
    return float(300 * game.num_players ** 2 * math.prod(float(k) for k in game.shape))


SOLVER = SolverInfo(
    name="homotopy",
    concepts=frozenset({"nash"}),
    kinds=frozenset({"normal"}),
    run=_run,
    options=HomotopyOptions,
    finds="one",
    min_players=1,
    max_players=None,
    estimate=_estimate,
    description="one Nash equilibrium of an N-player game: the logit-QRE path traced from lambda=0, "
    "its limit polished by Newton's method on the support's indifference system",
)

__all__ = ["SOLVER", "HomotopyOptions", "HomotopyResult", "logit_homotopy"]
