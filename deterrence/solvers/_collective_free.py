"""Equilibria that only free off-path beliefs support, in the simultaneous collective-defence game.

Under ``belief_policy="free"`` a player at an information set the play never reaches may hold
any belief about the allies' types. Three parts of the game can be off the path:

* A: the Attacker does not attack, so the Target's decision and the allies' join stage are
  unreached; the Target may resist because it believes (off the path) that the allies are
  committed, and the allies' off-path play need only be optimal for *some* belief: that can
  deter the Attacker, who computes with the true odds;
* B: the attacked Target concedes (on the path: with the prior), so the join stage is unreached
  and the allies' strategies there need only be supportable;
* C: the Target has the initiative and keeps the status quo, so the join stage of a provoked
  war is unreached.

An ally type's action is *supportable* when some belief about the others' types makes it
optimal: its gain from joining is multilinear in those beliefs, so it suffices to try the prior
and the point-mass beliefs (a type for each other ally). The join profiles tried are the
consistent join equilibria and the four pure symmetric profiles (exchangeable allies, any number:
the same list at every member count) or every pure profile (heterogeneous allies, up to 4).
Mixed play at unreached sets is not enumerated (the generic
``pbe`` solver does not enumerate it under free beliefs either): such a result is not complete.

:func:`symmetric_free` does this on arrays of points for exchangeable allies (the compiled path
of a sweep); :func:`free_extras` at one point, for the solver.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from ..game.collective import CollectiveDefenceGame
from ._collective_join import (
    SMALL,
    JoinResult,
    JoinSolution,
    _eps,
    _exchangeable,
    marginal_coefficients,
    moebius,
)
from ._collective_profiles import strategies_of
from ._collective_symmetric import SymmetricSolutions, bernstein_mean
from .base import Candidate


# ====================================================================== exchangeable allies, arrays
@dataclass(frozen=True)
class FreeRows:
    """Join profiles of one kind of war that free beliefs add, at many points.

    ``point``, ``s_c``, ``s_u``, ``q`` the symmetric profile; ``alpha``, ``tau`` the top choices
    (defence) or ``beta`` (provoked); ``target`` the Target's off-path belief (``-1`` the prior,
    ``1`` every ally committed, ``0`` every ally uncommitted); ``believed[:, t]`` the number of
    other allies type ``t`` believes committed (``-1``: the prior supports its action).
    """

    point: np.ndarray
    s_c: np.ndarray
    s_u: np.ndarray
    q: np.ndarray
    win: np.ndarray
    alpha: np.ndarray
    tau: np.ndarray
    beta: np.ndarray
    target: np.ndarray
    believed: np.ndarray


@dataclass(frozen=True)
class SymmetricPoints:
    """What :func:`symmetric_free` needs per point (``win[:, m] = p(m k)``, ``m = 0..n``)."""

    pi: np.ndarray
    w_c: np.ndarray
    w_u: np.ndarray
    cost: np.ndarray
    audience: np.ndarray
    stakes: np.ndarray
    cost_attacker: np.ndarray
    cost_defender: np.ndarray
    revision: np.ndarray
    win: np.ndarray
    eps: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _candidates(pts: SymmetricPoints, sols: SymmetricSolutions, tol: float) -> dict[str, np.ndarray]:
    """The consistent symmetric equilibria, and each pure symmetric pattern where some belief
    (the prior or a known number of committed others) supports every type's action."""
    n = pts.win.shape[1] - 1
    delta = np.diff(pts.win, axis=1)
    hurdle = pts.cost - pts.audience
    scale = tol * (1 + pts.stakes * np.maximum(pts.w_c, pts.w_u) + pts.cost + pts.audience)
    out = {
        "pt": [sols.point],
        "s_c": [sols.s_c],
        "s_u": [sols.s_u],
        "consistent": [np.ones(len(sols.point), dtype=bool)],
        "believed": [np.full((len(sols.point), 2), -1)],
    }
    for pattern in ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)):
        m = np.arange(n)
        joined = (m * pattern[0] + (n - 1 - m) * pattern[1]).astype(int)  # others joining, per belief
        d_belief = delta[:, joined]
        d_prior = bernstein_mean(delta, pts.pi * pattern[0] + (1 - pts.pi) * pattern[1])
        ok = np.ones(len(pts.pi), dtype=bool)
        choice = np.full((len(pts.pi), 2), -1)
        for t, (w, s) in enumerate(((pts.w_c, pattern[0]), (pts.w_u, pattern[1]))):
            gain_b = (w * pts.stakes)[:, None] * d_belief - hurdle[:, None]
            gain_p = w * pts.stakes * d_prior - hurdle
            fits_b = gain_b >= -scale[:, None] if s == 1.0 else gain_b <= scale[:, None]
            fits_p = gain_p >= -scale if s == 1.0 else gain_p <= scale
            ok &= fits_p | fits_b.any(axis=1)
            choice[:, t] = np.where(fits_p, -1, np.argmax(fits_b, axis=1))
        same = np.zeros(len(pts.pi), dtype=bool)  # the pattern is a consistent equilibrium already
        same[sols.point[(sols.s_c == pattern[0]) & (sols.s_u == pattern[1])]] = True
        keep = np.flatnonzero(ok & ~same)
        out["pt"].append(keep)
        out["s_c"].append(np.full(len(keep), pattern[0]))
        out["s_u"].append(np.full(len(keep), pattern[1]))
        out["consistent"].append(np.zeros(len(keep), dtype=bool))
        out["believed"].append(choice[keep])
    return {k: np.concatenate(v) for k, v in out.items()}


def symmetric_free(
    pts: SymmetricPoints, sols: SymmetricSolutions, war: str = "defence", tol: float = 1e-9
) -> FreeRows:
    """Cases A and B (``war="defence"``) or C (``"provoked"``) at many points (module docstring)."""
    c = _candidates(pts, sols, tol)
    pt = c["pt"].astype(np.int64)
    pi, v = pts.pi[pt], pts.stakes[pt]
    q = pi * c["s_c"] + (1 - pi) * c["s_u"]
    win = bernstein_mean(pts.win[pt], q)
    eps = tol * (1.0 + pts.stakes + pts.revision + pts.cost_attacker + pts.cost_defender)[pt]
    consistent = c["consistent"]
    if war == "provoked":
        keep = np.flatnonzero(~consistent & (win * (v + pts.revision[pt]) - pts.cost_defender[pt] - v <= eps))
        zeros = np.zeros(len(keep))
        return FreeRows(
            pt[keep],
            c["s_c"][keep],
            c["s_u"][keep],
            q[keep],
            win[keep],
            zeros,
            zeros,
            zeros,
            np.full(len(keep), -1),
            c["believed"][keep],
        )
    win_c, win_u = bernstein_mean(pts.win[pt], c["s_c"]), bernstein_mean(pts.win[pt], c["s_u"])
    resist = win * v - pts.cost_defender[pt]
    case_a = ((1 - win) * v - pts.cost_attacker[pt] <= eps) & (
        np.maximum(win_c, win_u) * v - pts.cost_defender[pt] >= -eps
    )
    case_a &= ~consistent | (resist < -eps)
    case_b = ~consistent & (resist <= eps)
    rows = np.concatenate([np.flatnonzero(case_a), np.flatnonzero(case_b)])
    alpha = np.concatenate([np.zeros(int(case_a.sum())), np.ones(int(case_b.sum()))])
    target = np.where(
        (alpha == 0) & (resist[rows] < -eps[rows]), (win_c[rows] >= win_u[rows]).astype(int), -1
    )
    return FreeRows(
        pt[rows],
        c["s_c"][rows],
        c["s_u"][rows],
        q[rows],
        win[rows],
        alpha,
        1 - alpha,
        np.zeros(len(rows)),
        target,
        c["believed"][rows],
    )


def committed_others(n: int, m: int) -> np.ndarray:
    """``(n, n)``: row ``i`` is ally ``i``'s belief that the first ``m`` other allies are committed."""
    out = np.zeros((n, n))
    for i in range(n):
        others = [j for j in range(n) if j != i]
        out[i, others[:m]] = 1.0
    return out


# ====================================================================== one point
@dataclass(frozen=True)
class _Option:
    """One way to play a kind of war: the join profile, the top choices that go with it and the
    beliefs that support it (per information set index; absent: the prior)."""

    war: str
    sigma: np.ndarray
    alpha: float
    tau: float
    beta: float
    beliefs: dict[int, np.ndarray]
    free: bool


def free_extras(
    game: CollectiveDefenceGame, results: dict[str, JoinResult], tol: float
) -> tuple[list[Candidate], bool, tuple[str, ...]]:
    """The equilibria of cases A, B and C at one point, as candidates with their beliefs."""
    if game.timing == "sequential":
        return (
            [],
            False,
            (
                "free beliefs in the sequential timing: off-path play supported only by "
                "non-prior beliefs about later allies' types is not enumerated",
            ),
        )
    if game.n > SMALL and not _exchangeable(game):
        return (
            [],
            False,
            (
                f"free beliefs with {game.n} heterogeneous allies: off-path join profiles other "
                "than the consistent equilibria are not enumerated",
            ),
        )
    exchangeable = _exchangeable(game)
    per_war = {
        war: (
            _symmetric_options(game, war, results[war].solutions, tol)
            if exchangeable
            else _small_options(game, war, results[war].solutions, tol)
        )
        for war in game.wars
    }
    out: list[Candidate] = []
    for combo in itertools.product(*(per_war[w] for w in game.wars)):
        if not any(o.free for o in combo):
            continue  # consistent beliefs throughout: listed already
        d = combo[0]
        beta = combo[1].beta if len(combo) > 1 else 0.0
        joins = {o.war: JoinSolution(o.sigma, "free") for o in combo}
        strategies = strategies_of(game, d.alpha, d.tau, beta, joins)
        beliefs: list[np.ndarray | None] = [None] * len(game.infosets)
        for o in combo:
            for k, mu in o.beliefs.items():
                beliefs[k] = mu
        out.append(Candidate(strategies=strategies, beliefs=tuple(beliefs), label="free-beliefs"))
    note = (
        "free beliefs: pure off-path join profiles supported by some belief about the allies' types are "
        "listed; mixed off-path play is not enumerated"
    )
    return out, False, (note,)


def _pure_replies(value: float, eps: float) -> list[float]:
    """The best pure replies to a gain ``value`` of action 1 over action 0 (both at a tie)."""
    return [1.0] if value > eps else [0.0] if value < -eps else [1.0, 0.0]


def _consistent_options(
    game: CollectiveDefenceGame, war: str, sigma: np.ndarray, win: float, eps: float
) -> list[_Option]:
    """The consistent play of this war with the Target's and the Attacker's replies (the rules of
    :func:`~deterrence.solvers._collective_upper.top_choices`)."""
    v, g = game.stakes, game.revision
    if war == "provoked":
        return [
            _Option(war, sigma, 0.0, 0.0, b, {}, False)
            for b in _pure_replies(win * (v + g) - game.cost_defender - v, eps)
        ]
    out = []
    for tau in _pure_replies(win * v - game.cost_defender, eps):
        attack = (1 - tau) * v + tau * ((1 - win) * v - game.cost_attacker)
        out.extend(_Option(war, sigma, alpha, tau, 0.0, {}, False) for alpha in _pure_replies(attack, eps))
    return out


def _symmetric_options(
    game: CollectiveDefenceGame, war: str, solutions: list[JoinSolution], tol: float
) -> list[_Option]:
    """Exchangeable allies at one point: :func:`symmetric_free` with one point."""
    n = game.n
    k = game.capability[0]
    win = game.contest.win(np.arange(n + 1) * k)[None, :]
    one = np.ones(1)
    pts = SymmetricPoints(
        game.credibility[0] * one,
        game.interest_committed[0] * one,
        game.interest_uncommitted[0] * one,
        game.cost_ally[0] * one,
        game.audience(war)[0] * one,
        game.stakes * one,
        game.cost_attacker * one,
        game.cost_defender * one,
        game.revision * one,
        win,
    )
    eps = tol * (1.0 + game.stakes + game.revision + game.cost_attacker + game.cost_defender)
    prior = np.asarray(game.credibility, dtype=float)
    out: list[_Option] = []
    symmetric = []
    for sol in solutions:
        sigma = np.asarray(sol.sigma, dtype=float)
        w, _ = _believed_win(game, sigma, prior)
        out.extend(_consistent_options(game, war, sigma, w, eps))
        if np.abs(sigma - sigma[0]).max() <= 1e-12:
            symmetric.append(sigma[0])
        elif war == "defence":  # an asymmetric consistent profile: case A with an optimistic Target
            out.extend(_optimistic_target(game, sigma, w, eps))
    pi = game.credibility[0]
    sols = SymmetricSolutions(
        np.zeros(len(symmetric), dtype=np.int64),
        np.array([s[0] for s in symmetric]),
        np.array([s[1] for s in symmetric]),
        np.array([pi * s[0] + (1 - pi) * s[1] for s in symmetric]),
        np.zeros(len(symmetric), dtype=bool),
        np.zeros(len(symmetric), dtype=bool),
    )
    rows = symmetric_free(pts, sols, war, tol)
    for r in range(len(rows.point)):
        sigma = np.tile([rows.s_c[r], rows.s_u[r]], (n, 1))
        beliefs = _ally_beliefs(game, war, rows.believed[r])
        if rows.target[r] >= 0:
            beliefs[1] = np.full(n, float(rows.target[r]))
        out.append(
            _Option(war, sigma, float(rows.alpha[r]), float(rows.tau[r]), float(rows.beta[r]), beliefs, True)
        )
    return out


def _optimistic_target(
    game: CollectiveDefenceGame, sigma: np.ndarray, win: float, eps: float
) -> list[_Option]:
    """Case A for a consistent join profile: the Target resists off the path only because it
    believes the allies committed (or uncommitted: whichever makes them join more)."""
    v = game.stakes
    if not (win * v - game.cost_defender < -eps and (1 - win) * v - game.cost_attacker <= eps):
        return []
    # E[p] rises with every ally's join probability, so the most optimistic point mass makes each
    # ally the type that joins more (when p rises with capability; the other corner otherwise)
    ups = (sigma[:, 0] >= sigma[:, 1]).astype(float)
    best, mu_best = max(
        ((_believed_win(game, sigma, mu)[0], mu) for mu in (ups, 1 - ups)), key=lambda x: x[0]
    )
    if best * v - game.cost_defender < -eps:
        return []
    return [_Option("defence", sigma, 0.0, 1.0, 0.0, {1: mu_best}, True)]


def _ally_beliefs(game: CollectiveDefenceGame, war: str, believed: np.ndarray) -> dict[int, np.ndarray]:
    """The ally sets' beliefs when type ``t`` believes ``believed[t]`` others committed."""
    out = {}
    table = {t: committed_others(game.n, int(m)) for t, m in enumerate(believed) if m >= 0}
    for h in game.infosets:
        if h.war == war and h.kind in table:
            out[h.index] = table[h.kind][h.ally]
    return out


def _believed_win(game: CollectiveDefenceGame, sigma: np.ndarray, mu: np.ndarray) -> tuple[float, float]:
    q = mu * sigma[:, 0] + (1 - mu) * sigma[:, 1]
    return float(game.sums.distribution(q) @ game.win), 0.0


# ---------------------------------------------------------------------- up to four allies
def _win_coefficients(game: CollectiveDefenceGame) -> np.ndarray:
    """``E[p(K)] = sum_T a[T] prod_{j in T} q_j`` (every ally's join probability ``q_j``)."""
    n = game.n
    masks = np.arange(1 << n)
    bits = (masks[:, None] >> np.arange(n)) & 1
    return moebius(game.contest.win(bits @ np.asarray(game.capability, dtype=float)), n)


def _monomials(q: np.ndarray, n: int) -> np.ndarray:
    """``prod_{j in T} q_j`` for every subset ``T``, for each row of ``q`` (``(..., n)``)."""
    out = np.ones((*q.shape[:-1], 1 << n))
    for t in range(1, 1 << n):
        low = t & -t
        out[..., t] = out[..., t ^ low] * q[..., low.bit_length() - 1]
    return out


def _small_options(
    game: CollectiveDefenceGame, war: str, solutions: list[JoinSolution], tol: float
) -> list[_Option]:
    """Up to four allies: the consistent join equilibria and every pure profile, each with the
    prior or a point-mass belief supporting every ally type's action (all profiles at once)."""
    n = game.n
    prior = np.asarray(game.credibility, dtype=float)
    beliefs = np.vstack([prior[None, :], np.array(list(itertools.product((0.0, 1.0), repeat=n)))])  # (B, n)
    consistent = [np.asarray(s.sigma, dtype=float) for s in solutions]
    keys = {tuple(np.round(c, 9).ravel()) for c in consistent}
    patterns = [np.array(p, dtype=float).reshape(n, 2) for p in itertools.product((0.0, 1.0), repeat=2 * n)]
    profiles = np.array(consistent + [p for p in patterns if tuple(p.ravel()) not in keys])  # (P, n, 2)
    q = beliefs[None, :, :] * profiles[:, None, :, 0] + (1 - beliefs[None, :, :]) * profiles[:, None, :, 1]
    mono = _monomials(q, n)  # (P, B, 2**n)
    d = mono @ marginal_coefficients(game).T  # (P, B, n): D_i under each belief
    wins = mono @ _win_coefficients(game)  # (P, B)
    support = _supports(game, war, profiles, d, beliefs, tol)
    eps_v = tol * (1.0 + game.stakes + game.revision + game.cost_attacker + game.cost_defender)
    out: list[_Option] = []
    for k, sigma in enumerate(consistent):
        out.extend(_consistent_options(game, war, sigma, float(wins[k, 0]), eps_v))
    for k in range(len(profiles)):
        if support[k] is not None:
            out.extend(
                _small_cases(
                    game, war, profiles[k], beliefs, wins[k], support[k], k >= len(consistent), eps_v
                )
            )
    return out


def _supports(
    game: CollectiveDefenceGame,
    war: str,
    profiles: np.ndarray,
    d: np.ndarray,
    beliefs: np.ndarray,
    tol: float,
) -> list[dict[int, np.ndarray] | None]:
    """Per profile: the beliefs supporting every ally type's action (the prior where it does),
    or ``None`` if some action is supported by no belief."""
    weights = game.interest() * game.stakes
    hurdle = np.asarray(game.cost_ally) - game.audience(war)
    eps = _eps(game, war, tol)
    ok = np.ones(len(profiles), dtype=bool)
    chosen: dict[int, np.ndarray] = {}
    for h in game.infosets:
        if h.war != war:
            continue
        i, t = h.ally, h.kind
        gain = weights[i, t] * d[:, :, i] - hurdle[i]  # (P, B)
        s = profiles[:, i, t][:, None]
        good = np.where(
            (s > 0) & (s < 1), np.abs(gain) <= eps[i], np.where(s >= 0.5, gain >= -eps[i], gain <= eps[i])
        )
        ok &= good.any(axis=1)
        chosen[h.index] = np.where(good[:, 0], -1, np.argmax(good, axis=1))
    out: list[dict[int, np.ndarray] | None] = []
    for k in range(len(profiles)):
        out.append({h: beliefs[int(c[k])] for h, c in chosen.items() if c[k] >= 0} if ok[k] else None)
    return out


def _small_cases(
    game: CollectiveDefenceGame,
    war: str,
    sigma: np.ndarray,
    beliefs: np.ndarray,
    wins: np.ndarray,
    support: dict[int, np.ndarray],
    free: bool,
    eps: float,
) -> list[_Option]:
    """Cases A and B (defence) or C (provoked) for one supportable join profile (``wins``: the
    Target side's chance under the prior, then under each point-mass belief)."""
    prior_win = float(wins[0])
    v, g, c_a, c_d = game.stakes, game.revision, game.cost_attacker, game.cost_defender
    if war == "provoked":
        if free and prior_win * (v + g) - c_d - v <= eps:
            return [_Option(war, sigma, 0.0, 0.0, 0.0, support, True)]
        return []
    out = []
    if free and prior_win * v - c_d <= eps:  # B: the attacked Target concedes (with the prior)
        out.append(_Option(war, sigma, 1.0, 0.0, 0.0, support, True))
    resist = prior_win * v - c_d
    if (1 - prior_win) * v - c_a <= eps and (free or resist < -eps):  # A: a resisting Target deters
        beliefs_a = dict(support)
        if resist < -eps:
            best = int(np.argmax(wins))
            if wins[best] * v - c_d < -eps:
                return out
            beliefs_a[1] = beliefs[best]
        out.append(_Option(war, sigma, 0.0, 1.0, 0.0, beliefs_a, True))
    return out


__all__ = ["FreeRows", "SymmetricPoints", "committed_others", "free_extras", "symmetric_free"]
