"""Equilibria of the allies' join stage of one collective-defence game, by the structure it has.

Once a war starts, the allies' decisions form a game of their own (the other players have
moved; the allies' beliefs about each other's types are the prior, since nothing before the
war depends on a type). :func:`join_equilibria` finds its equilibria:

``sequential`` timing
    Backward induction on the capability already joined (the payoff-relevant state): exact;
    a tie (an indifferent type) branches into both pure choices, flagged.
simultaneous, at most :data:`SMALL` allies
    *Every* equilibrium, symmetric or not: each ally's regime (each type joins, stays out, or
    one type mixes) is enumerated after pruning by the range of its marginal contribution, and
    the mixing allies' indifference conditions -- a multilinear system -- are solved in their box
    by :func:`~deterrence.solvers._collective_boxes.solve_multilinear` (all solutions, each proved).
simultaneous, exchangeable allies (all parameters equal)
    Every *symmetric* equilibrium (:mod:`~deterrence.solvers._collective_symmetric`); the
    asymmetric ones (``C(n, m)`` ways to pick who joins) are not searched: ``complete=False``.
simultaneous, heterogeneous allies, more than :data:`SMALL`
    Every *pure* equilibrium in cutoff strategies (each ally's types join above a cutoff:
    nobody, the committed type, both), by branch and bound on the monotone bounds that
    strategic substitutes give (needs a contest concave in capability); mixed ones are not
    searched (``complete=False``). A search over more than :data:`MAX_NODES` nodes raises
    :class:`~deterrence.ResourceError`.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field

import numpy as np

from ..errors import ResourceError, UnsupportedError
from ..game.collective import CollectiveDefenceGame
from ._collective_boxes import solve_multilinear
from ._collective_symmetric import gain_scale, symmetric_solutions

#: at most this many allies: every equilibrium of the simultaneous join game
SMALL = 4
#: branch-and-bound nodes before giving up (heterogeneous allies beyond SMALL)
MAX_NODES = 200_000
#: ties resolved both ways in the sequential game before giving up
MAX_TIE_BRANCHES = 64


@dataclass(frozen=True)
class JoinSolution:
    """One equilibrium of the join stage.

    ``sigma`` is ``(n, 2)`` (probability that each ally's committed / uncommitted type joins)
    in the simultaneous game, a list of ``(2, states)`` arrays in the sequential one.
    """

    sigma: np.ndarray | list[np.ndarray]
    label: str
    knife: bool = False
    degenerate: bool = False


@dataclass(frozen=True)
class JoinResult:
    """The join equilibria found, whether the search is complete, and notes."""

    solutions: list[JoinSolution]
    complete: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)


def join_equilibria(game: CollectiveDefenceGame, war: str = "defence", tol: float = 1e-9) -> JoinResult:
    """The equilibria of the allies' join stage in a war of kind ``war`` (see the module docstring)."""
    if game.timing == "sequential":
        return _sequential(game, war, tol)
    if game.n <= SMALL:
        return _small(game, war, tol)
    if _exchangeable(game):
        return _symmetric(game, war, tol)
    return _cutoff(game, war, tol)


def _exchangeable(game: CollectiveDefenceGame) -> bool:
    vectors = (
        game.credibility,
        game.cost_ally,
        game.interest_committed,
        game.interest_uncommitted,
        game.audience_cost,
        game.capability,
        game.pledged,
    )
    return all(len(set(v)) == 1 for v in vectors)


def _eps(game: CollectiveDefenceGame, war: str, tol: float) -> np.ndarray:
    a = game.audience(war)
    return tol * gain_scale(
        np.asarray(game.interest_committed),
        np.asarray(game.interest_uncommitted),
        np.asarray(game.cost_ally),
        a,
        np.full(game.n, game.stakes),
    )


# ====================================================================== exchangeable: symmetric
def _symmetric(game: CollectiveDefenceGame, war: str, tol: float) -> JoinResult:
    n, k = game.n, game.capability[0]
    win = game.contest.win(np.arange(n + 1) * k)
    delta = (win[1:] - win[:-1])[None, :]
    a = game.audience(war)[0]
    sols = symmetric_solutions(
        np.array([game.credibility[0]]),
        np.array([game.interest_committed[0]]),
        np.array([game.interest_uncommitted[0]]),
        np.array([game.cost_ally[0]]),
        np.array([a]),
        np.array([game.stakes]),
        delta,
        tol,
    )
    out = [
        JoinSolution(np.tile([s_c, s_u], (n, 1)), "symmetric", bool(kn), bool(dg))
        for s_c, s_u, kn, dg in zip(sols.s_c, sols.s_u, sols.knife, sols.degenerate, strict=True)
    ]
    note = (
        f"{n} exchangeable allies: every symmetric equilibrium of the join game is listed; "
        f"asymmetric ones (which allies join) are searched only up to {SMALL} allies"
    )
    return JoinResult(out, complete=False, notes=(note,))


# ====================================================================== small: every equilibrium
_MARGINAL: weakref.WeakKeyDictionary[CollectiveDefenceGame, np.ndarray] = weakref.WeakKeyDictionary()


def marginal_coefficients(game: CollectiveDefenceGame) -> np.ndarray:
    """``c[i, T]``: ally ``i``'s expected marginal contribution ``D_i`` as a multilinear polynomial
    in the others' join probabilities, ``D_i(q) = sum_T c[i, T] prod_{j in T} q_j`` (``T`` a bit
    mask over all allies, never holding ``i``; cached per game)."""
    if game in _MARGINAL:
        return _MARGINAL[game]
    n = game.n
    caps = np.asarray(game.capability, dtype=float)
    masks = np.arange(1 << n)
    bits = (masks[:, None] >> np.arange(n)) & 1
    sums = bits @ caps
    base = game.contest.win(sums)
    out = np.zeros((n, 1 << n))
    for i in range(n):
        delta = np.where(bits[:, i] == 1, 0.0, game.contest.win(sums + caps[i]) - base)
        out[i] = moebius(delta, n)
        out[i, bits[:, i] == 1] = 0.0
    _MARGINAL[game] = out
    return out


def moebius(values: np.ndarray, n: int) -> np.ndarray:
    """The multilinear coefficients ``c_T = sum_{S in T} (-1)^|T - S| f(S)`` of ``f`` on subsets."""
    c = np.array(values, dtype=float, copy=True)
    masks = np.arange(1 << n)
    for j in range(n):
        has = masks[(masks >> j) & 1 == 1]
        c[has] -= c[has ^ (1 << j)]
    return c


def _value(coef: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Every ``D_i`` at the profile ``q`` (``(n,)``)."""
    n = len(q)
    mono = np.ones(1 << n)
    for t in range(1, 1 << n):
        low = t & -t
        mono[t] = mono[t ^ low] * q[low.bit_length() - 1]
    return coef @ mono


#: a regime: each type's action, ``None`` where that type mixes
Regime = tuple[float | None, float | None]
REGIMES: tuple[Regime, ...] = (
    (0.0, 0.0),
    (1.0, 0.0),
    (0.0, 1.0),
    (1.0, 1.0),
    (None, 0.0),
    (None, 1.0),
    (0.0, None),
    (1.0, None),
    (None, None),
)


def _interval(pi: float, regime: Regime) -> tuple[float, float]:
    s_c, s_u = regime
    if s_c is None and s_u is None:
        return 0.0, 1.0
    if s_c is None:
        lo = (1 - pi) * s_u
        return lo, lo + pi
    if s_u is None:
        lo = pi * s_c
        return lo, lo + (1 - pi)
    q = pi * s_c + (1 - pi) * s_u
    return q, q


def _feasible(
    regime: Regime, g_lo: np.ndarray, g_hi: np.ndarray, eps: float, identical: bool, pi: float
) -> bool:
    """Whether the regime can hold for some profile of the others (``g_lo, g_hi``: each type's
    gain range)."""
    s_c, s_u = regime
    if s_c is None and s_u is None:
        if not identical:
            return False
    for t, s in enumerate(regime):
        share = pi if t == 0 else 1 - pi
        if s is None:
            if share <= 0 or g_lo[t] > eps or g_hi[t] < -eps:
                return False
        elif s == 1.0 and g_hi[t] < -eps:
            return False
        elif s == 0.0 and g_lo[t] > eps:
            return False
    return True


def _small(game: CollectiveDefenceGame, war: str, tol: float) -> JoinResult:
    n = game.n
    coef = marginal_coefficients(game)
    weights = game.interest() * game.stakes
    hurdle = np.asarray(game.cost_ally) - game.audience(war)
    eps = _eps(game, war, tol)
    pi = np.asarray(game.credibility, dtype=float)
    corners = np.array(list(itertools.product((0.0, 1.0), repeat=n)))
    d_at = np.array([_value(coef, c) for c in corners])  # (2**n, n): D_i at every corner
    options = []
    for i in range(n):
        d_lo, d_hi = d_at[:, i].min(), d_at[:, i].max()
        g = np.sort(np.column_stack([weights[i] * d_lo, weights[i] * d_hi]), axis=1) - hurdle[i]
        identical = abs(weights[i, 0] - weights[i, 1]) <= eps[i]
        options.append([r for r in REGIMES if _feasible(r, g[:, 0], g[:, 1], eps[i], identical, pi[i])])
    found: list[JoinSolution] = []
    keys: set[tuple] = set()
    degenerate = False
    exchangeable = _exchangeable(game)
    combos = (
        itertools.combinations_with_replacement(options[0], n)
        if exchangeable
        else itertools.product(*options)
    )
    for combo in combos:
        sols, deg = _solve_combo(game, coef, weights, hurdle, eps, pi, combo)
        degenerate |= deg
        for sigma, knife, dg in sols:
            for perm in _permutations(sigma) if exchangeable else [sigma]:
                key = tuple(np.round(perm, 9).ravel())
                if key not in keys:
                    keys.add(key)
                    found.append(JoinSolution(perm, _label(game, perm), knife, dg))
    notes = (
        ("some join equilibria form a continuum here (a knife edge): the listed ones are its extreme points",)
        if degenerate
        else ()
    )
    return JoinResult(found, complete=True, notes=notes)


def _permutations(sigma: np.ndarray) -> list[np.ndarray]:
    """The distinct reorderings of the allies' rows (exchangeable allies: each is an equilibrium)."""
    rows = [tuple(r) for r in np.round(sigma, 12)]
    out, seen = [], set()
    for order in itertools.permutations(range(len(rows))):
        key = tuple(rows[k] for k in order)
        if key not in seen:
            seen.add(key)
            out.append(sigma[list(order)])
    return out


def _label(game: CollectiveDefenceGame, sigma: np.ndarray) -> str:
    same = np.abs(sigma - sigma[0]).max() <= 1e-9
    return (
        "symmetric"
        if same and _exchangeable(game)
        else ("asymmetric" if _exchangeable(game) else "equilibrium")
    )


def _solve_combo(
    game: CollectiveDefenceGame,
    coef: np.ndarray,
    weights: np.ndarray,
    hurdle: np.ndarray,
    eps: np.ndarray,
    pi: np.ndarray,
    combo: tuple[Regime, ...],
) -> tuple[list[tuple[np.ndarray, bool, bool]], bool]:
    """The equilibria with each ally in its regime of ``combo``; and whether a continuum was met."""
    mixing = [i for i, r in enumerate(combo) if None in r]
    q = np.array([_interval(pi[i], r)[0] for i, r in enumerate(combo)])
    if len(mixing) == 1:  # its indifference does not involve its own q: a knife edge at most
        i = mixing[0]
        t = 0 if combo[i][0] is None else 1
        d = _value(coef, q)[i]
        return [], bool(abs(weights[i, t] * d - hurdle[i]) <= eps[i])
    candidates: list[np.ndarray] = []
    degenerate = False
    if not mixing:
        candidates.append(q)
    else:
        system, lo, hi = _system(coef, weights, hurdle, pi, combo, mixing, q)
        res = solve_multilinear(system, lo, hi, tol=1e-14)
        degenerate = len(res.unresolved) > 0
        for x in res.points:
            if np.all(x > lo + 1e-12) and np.all(x < hi - 1e-12):
                qq = q.copy()
                qq[mixing] = x
                candidates.append(qq)
    out = []
    for qq in candidates:
        checked = _check(combo, qq, coef, weights, hurdle, eps, pi)
        if checked is not None:
            out.append((*checked, False))
    return out, degenerate


def _system(
    coef: np.ndarray,
    weights: np.ndarray,
    hurdle: np.ndarray,
    pi: np.ndarray,
    combo: tuple[Regime, ...],
    mixing: list[int],
    q: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mixing allies' indifference conditions as a multilinear system in their own q's."""
    n = len(combo)
    m = len(mixing)
    local = {j: k for k, j in enumerate(mixing)}
    system = np.zeros((m, 1 << m))
    for row, i in enumerate(mixing):
        t = 0 if combo[i][0] is None else 1
        for mask in range(1 << n):
            c = coef[i, mask]
            if c == 0.0:
                continue
            factor, sub = 1.0, 0
            for j in range(n):
                if mask >> j & 1:
                    if j in local:
                        sub |= 1 << local[j]
                    else:
                        factor *= q[j]
            system[row, sub] += weights[i, t] * c * factor
        system[row, 0] -= hurdle[i]
    bounds = [_interval(pi[i], combo[i]) for i in mixing]
    return system, np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])


def _check(
    combo: tuple[Regime, ...],
    q: np.ndarray,
    coef: np.ndarray,
    weights: np.ndarray,
    hurdle: np.ndarray,
    eps: np.ndarray,
    pi: np.ndarray,
) -> tuple[np.ndarray, bool] | None:
    """``(sigma, knife)`` if every ally's regime is a best response at ``q``, else ``None``."""
    d = _value(coef, q)
    sigma = np.zeros((len(combo), 2))
    knife = False
    for i, (s_c, s_u) in enumerate(combo):
        g = weights[i] * d[i] - hurdle[i]
        for t, s in enumerate((s_c, s_u)):
            if s is None:
                continue
            if (s == 1.0 and g[t] < -eps[i]) or (s == 0.0 and g[t] > eps[i]):
                return None
            knife |= bool(abs(g[t]) <= eps[i])
        if s_c is None and s_u is None:
            sigma[i] = q[i]
        elif s_c is None:
            sigma[i] = ((q[i] - (1 - pi[i]) * s_u) / pi[i], s_u)
        elif s_u is None:
            sigma[i] = (s_c, (q[i] - pi[i] * s_c) / (1 - pi[i]))
        else:
            sigma[i] = (s_c, s_u)
    return np.clip(sigma, 0.0, 1.0), knife


# ====================================================================== heterogeneous: cutoffs
def _cutoff(game: CollectiveDefenceGame, war: str, tol: float) -> JoinResult:
    sums = game.sums
    win = game.win
    n = game.n
    deltas = []
    for i in range(n):
        move = sums.step[i]
        ok = move >= 0
        d = np.full(sums.size, np.nan)
        d[ok] = win[move[ok]] - win[ok]
        if np.any(np.diff(d[ok]) > 1e-12 * max(1.0, float(np.nanmax(np.abs(d))))):
            raise UnsupportedError(
                f"equilibria of {n} heterogeneous allies are found exactly only with strategic "
                "substitutes (each ally adds less the more capability has joined: a contest concave in "
                "capability, decisiveness <= 1 and p_allied >= p_alone); give at most "
                f"{SMALL} allies, identical allies, or the sequential timing",
                methods=("sequential timing", f"at most {SMALL} allies"),
            )
        deltas.append(d)
    search = _CutoffSearch(game, war, tol, deltas)
    search.run()
    sols = [JoinSolution(s, "cutoff", kn) for s, kn in search.found]
    note = (
        f"{n} heterogeneous allies: every pure equilibrium in cutoff strategies (nobody / the "
        "committed type / both types join) is listed; mixed equilibria are not searched"
    )
    return JoinResult(sols, complete=False, notes=(note,))


class _CutoffSearch:
    """Branch and bound over pure cutoff profiles: with substitutes, an ally's marginal
    contribution is largest when the allies not yet assigned stay out and smallest when they
    all join, so an ally whose regime fails on that whole range prunes the branch."""

    PATTERNS = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))

    def __init__(self, game: CollectiveDefenceGame, war: str, tol: float, deltas: list[np.ndarray]) -> None:
        self.g = game
        self.sums = game.sums
        self.deltas = deltas
        self.weights = game.interest() * game.stakes
        self.hurdle = np.asarray(game.cost_ally) - game.audience(war)
        self.eps = _eps(game, war, tol)
        self.pi = np.asarray(game.credibility, dtype=float)
        self.nodes = 0
        self.found: list[tuple[np.ndarray, bool]] = []

    def _fits(self, i: int, pattern: tuple[float, float], d_lo: float, d_hi: float) -> bool:
        for t, s in enumerate(pattern):
            w, h, e = self.weights[i, t], self.hurdle[i], self.eps[i]
            g_lo, g_hi = sorted((w * d_lo - h, w * d_hi - h))
            if (s == 1.0 and g_hi < -e) or (s == 0.0 and g_lo > e):
                return False
        return True

    def run(self) -> None:
        dist = np.zeros(self.sums.size)
        dist[0] = 1.0
        self._branch(0, dist, [])

    def _branch(self, i: int, dist: np.ndarray, chosen: list[tuple[float, float]]) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ResourceError(
                f"the search for the cutoff equilibria of {self.g.n} heterogeneous allies passed "
                f"{MAX_NODES:,} nodes (many allies nearly alike have very many equilibria); give fewer "
                "members, identical allies (symmetric equilibria), or the sequential timing"
            )
        if i == self.g.n:
            self._leaf(chosen)
            return
        rest = float(sum(self.g.capability[i + 1 :]))
        d = self.deltas[i]
        d_hi = float(dist @ np.nan_to_num(d))
        shifted = self._shift(dist, rest)
        d_lo = float(shifted @ np.nan_to_num(d))
        for pattern in self.PATTERNS:
            if not self._fits(i, pattern, min(d_lo, d_hi), max(d_lo, d_hi)):
                continue
            q = self.pi[i] * pattern[0] + (1 - self.pi[i]) * pattern[1]
            self._branch(i + 1, self._add(dist, i, q), [*chosen, pattern])

    def _add(self, dist: np.ndarray, i: int, q: float) -> np.ndarray:
        move = self.sums.step[i]
        ok = move >= 0
        new = dist * (1 - q)
        new[move[ok]] += dist[ok] * q
        return new

    def _shift(self, dist: np.ndarray, amount: float) -> np.ndarray:
        """The distribution moved up by ``amount`` (every later ally joins)."""
        idx = self.sums.index(self.sums.values + amount)
        out = np.zeros_like(dist)
        ok = idx >= 0
        np.add.at(out, idx[ok], dist[ok])
        return out

    def _leaf(self, chosen: list[tuple[float, float]]) -> None:
        pattern = np.array(chosen)
        q = (np.column_stack([self.pi, 1 - self.pi]) * pattern).sum(axis=1)
        knife = False
        for i in range(self.g.n):
            dist = self.sums.distribution(q, skip=i)
            d = float(dist @ np.nan_to_num(self.deltas[i]))
            for t, s in enumerate(pattern[i]):
                gain = self.weights[i, t] * d - self.hurdle[i]
                if (s == 1.0 and gain < -self.eps[i]) or (s == 0.0 and gain > self.eps[i]):
                    return
                knife |= bool(abs(gain) <= self.eps[i])
        self.found.append((pattern.copy(), knife))


# ====================================================================== sequential: backward induction
def _sequential(game: CollectiveDefenceGame, war: str, tol: float) -> JoinResult:
    n = game.n
    sums = game.sums
    weights = game.interest() * game.stakes
    hurdle = np.asarray(game.cost_ally) - game.audience(war)
    eps = _eps(game, war, tol)
    ptype = game.type_probabilities()
    partial = [(game.win.copy(), [None] * n, False)]
    for i in range(n - 1, -1, -1):
        idx = sums.index(game.sequential_states(i))
        move = sums.step[i][idx]
        nxt: list[tuple[np.ndarray, list, bool]] = []
        for values, decisions, knife in partial:
            gain = weights[i][:, None] * (values[move] - values[idx])[None, :] - hurdle[i]  # (2, states)
            base = (gain > eps[i]).astype(float)
            ties = np.argwhere(np.abs(gain) <= eps[i])
            if len(ties) > 6:
                raise ResourceError(
                    f"{len(ties)} indifferent choices of ally {i + 1} in the sequential "
                    "game (a knife edge with too many ties to resolve both ways)"
                )
            for bits in itertools.product((0.0, 1.0), repeat=len(ties)):
                sigma = base.copy()
                for (t, s), b in zip(ties, bits, strict=True):
                    sigma[t, s] = b
                q = ptype[i] @ sigma
                cur = np.full(sums.size, np.nan)
                cur[idx] = q * values[move] + (1 - q) * values[idx]
                dec = list(decisions)
                dec[i] = sigma
                nxt.append((cur, dec, knife or len(ties) > 0))
        if len(nxt) > MAX_TIE_BRANCHES:
            raise ResourceError("too many ties in the sequential join game to resolve them both ways")
        partial = nxt
    sols = [JoinSolution(dec, "sequential", kn, kn) for _v, dec, kn in partial]
    return JoinResult(sols, complete=True)


__all__ = ["MAX_NODES", "SMALL", "JoinResult", "JoinSolution", "join_equilibria", "marginal_coefficients"]
