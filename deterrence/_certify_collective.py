"""Certificates for the aggregated collective-defence game (part of :mod:`deterrence.certificates`).

Independent of the solver that found the profile: from the game's primitives alone (type
probabilities, payoffs, the contest function on the capability sums) it recomputes, for every
information set, the value of each action given the profile and the stated belief about the
allies' types, and reports the largest gain from a deviation (relative to each player's payoff
range, as for trees), and the largest gap between the stated beliefs and the prior at the
information sets the profile reaches (Bayes' rule: nothing before a war reveals a type).

* an ally type's set (simultaneous timing): joining is worth ``w_t v (E[p(K + k_i)] - E[p(K)])
  - c_i`` more than staying out minus its audience cost, ``K`` the capability of the *other*
  allies that join, independent Bernoulli draws with ``q_j = mu_j s_j(C) + (1 - mu_j) s_j(U)``
  (``mu`` the belief that ally ``j`` is committed); the distribution of ``K`` is built by a plain
  dynamic programme over the allies, on every row at once;
* sequential timing: the same gain with ``E[p]`` replaced by the continuation value after the
  state ``s`` and ``s + k_i``, by backward recursion over the later allies;
* the Target's sets: resisting against conceding (``E[p] v - c_D`` against 0) and provoking
  against the status quo (``E[p] (v + g) - c_D`` against ``v``);
* the Attacker: attacking against not, given the Target's resistance and the allies.

Beliefs are ``None`` (the prior at every set) or one entry per set: ``None`` (the prior) or the
probability that each ally is committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .equilibrium import Certificate
from .errors import GameError, UnsupportedError
from .game.collective import CollectiveDefenceGame, win_probability


def certify_collective(
    game: CollectiveDefenceGame,
    strategies: Sequence[Any],
    concept: str = "pbe",
    *,
    beliefs: Sequence[Any] | None = None,
    tol: float = 1e-8,
    exact: bool = False,
) -> Certificate:
    """Certify one profile of a collective-defence game (see the module docstring)."""
    return certify_collective_batch([game], [strategies], concept, beliefs=[beliefs], tol=tol, exact=exact)[0]


def certify_collective_batch(
    games: Sequence[CollectiveDefenceGame],
    profiles: Sequence[Sequence[Any]],
    concept: str = "pbe",
    *,
    beliefs: Sequence[Any] | None = None,
    tol: float = 1e-8,
    exact: bool = False,
) -> list[Certificate]:
    """Certify many profiles (one per game; games may repeat) at once.

    Rows whose games have the same timing, number of allies and capabilities (or all equal
    capabilities) are checked together on arrays.

    Parameters
    ----------
    games
        One game per row.
    profiles
        One profile per row: a vector per information set (or an array ``(sets, 2)``).
    beliefs
        ``None`` (the prior everywhere), or one entry per row: ``None``, or one entry per
        information set, ``None`` (the prior) or ``P(committed)`` of each ally.

    Raises
    ------
    UnsupportedError
        ``exact=True`` (the contest function is irrational in general), or a concept other
        than ``"pbe"``/``"nash"``.
    GameError
        A profile or a belief that does not fit its game.
    """
    if exact:
        raise UnsupportedError(
            "exact certificates of collective-defence games are not implemented: the "
            "contest function is irrational in general; the float certificate's "
            "tolerance is relative to each player's payoff range"
        )
    if concept not in ("pbe", "nash"):
        raise UnsupportedError(
            f"collective-defence games are certified as 'pbe' (or 'nash'), not '{concept}'"
        )
    if len(games) != len(profiles):
        raise GameError(f"{len(games)} games and {len(profiles)} profiles")
    groups: dict[tuple, list[int]] = {}
    for r, g in enumerate(games):
        caps = ("equal", g.equal_capability == 0) if g.equal_capability is not None else g.capability
        groups.setdefault((g.timing, g.n, g.initiative > 0, caps), []).append(r)
    out: list[Certificate | None] = [None] * len(games)
    for rows in groups.values():
        sub = [games[r] for r in rows]
        if isinstance(profiles, np.ndarray):  # (rows, sets, 2)
            prof = _checked_array(sub[0], profiles[rows], tol)
        else:
            prof = np.stack([_checked(games[r], profiles[r], tol) for r in rows])
        if isinstance(beliefs, np.ndarray):  # (rows, sets, n), NaN where the prior holds
            mu = beliefs[rows]
            mu = None if np.isnan(mu).all() else mu
        else:
            mu = _belief_array(sub, [beliefs[r] for r in rows] if beliefs is not None else [None] * len(rows))
        for r, cert in zip(rows, _certify_rows(sub, prof, mu, tol, concept), strict=True):
            out[r] = cert
    return [c for c in out if c is not None]


def _checked_array(game: CollectiveDefenceGame, arr: np.ndarray, tol: float) -> np.ndarray:
    """Profiles ``(rows, sets, 2)`` checked at once."""
    if arr.shape[1:] != (len(game.infosets), 2):
        raise GameError(
            f"profiles of shape {arr.shape[1:]} for a game with {len(game.infosets)} information sets"
        )
    atol = max(tol, 1e-9)
    bad = (
        (~np.isfinite(arr)).any(axis=2)
        | (arr < -atol).any(axis=2)
        | (np.abs(arr.sum(axis=2) - 1) > max(atol, 1e-6))
    )
    if bad.any():
        r, k = np.argwhere(bad)[0]
        h = game.infosets[int(k)]
        raise GameError(f"not a probability vector over {h.actions}: {arr[r, k]}", infoset=h.name)
    return arr


def _checked(game: CollectiveDefenceGame, profile: Any, tol: float) -> np.ndarray:
    """A profile as an array ``(sets, 2)``, checked (a fast path for arrays)."""
    arr = (
        np.asarray(profile, dtype=float)
        if not isinstance(profile, list | tuple) or all(np.shape(x) == (2,) for x in profile)
        else None
    )
    if arr is None or arr.shape != (len(game.infosets), 2):
        return np.array(game.check_behaviour(profile, atol=max(tol, 1e-9)))
    atol = max(tol, 1e-9)
    bad = (
        (~np.isfinite(arr)).any(axis=1)
        | (arr < -atol).any(axis=1)
        | (np.abs(arr.sum(axis=1) - 1) > max(atol, 1e-6))
    )
    if bad.any():
        h = game.infosets[int(np.flatnonzero(bad)[0])]
        raise GameError(f"not a probability vector over {h.actions}: {arr[h.index]}", infoset=h.name)
    return arr


def _belief_array(games: list[CollectiveDefenceGame], stated: list[Any]) -> np.ndarray | None:
    """``(rows, sets, n)`` beliefs, NaN where the prior holds; ``None`` if the prior holds everywhere."""
    if all(b is None for b in stated):
        return None
    g0 = games[0]
    out = np.full((len(games), len(g0.infosets), g0.n), np.nan)
    for r, b in enumerate(stated):
        if b is None:
            continue
        if len(b) != len(g0.infosets):
            raise GameError(f"{len(b)} beliefs for {len(g0.infosets)} information sets")
        for k, mu in enumerate(b):
            if mu is not None:
                out[r, k] = np.asarray(mu, dtype=float)
    return out


# ====================================================================== one group of rows
def _certify_rows(
    games: list[CollectiveDefenceGame], profiles: np.ndarray, mu: np.ndarray | None, tol: float, concept: str
) -> list[Certificate]:
    g0 = games[0]
    rows = _Rows(games, profiles, mu)
    gains: list[
        tuple[np.ndarray, np.ndarray, int]
    ] = []  # (gain of action 1 over 0, prob of action 1, player)
    wins = {}
    for war in g0.wars:
        if g0.timing == "simultaneous":
            win, ally_gains = _simultaneous(rows, war)
        else:
            win, ally_gains = _sequential(rows, war)
        wins[war] = win
        gains.extend(ally_gains)
    v = rows.v
    gains.append((_believed_win(rows, "defence", 1, wins["defence"]) * v - rows.c_d, rows.tau, 1))
    if g0.initiative > 0:
        provoked = _believed_win(rows, "provoked", 2, wins["provoked"])
        gains.append((provoked * (v + rows.g) - rows.c_d - v, rows.beta, 1))
    attack = (1 - rows.tau) * v + rows.tau * ((1 - wins["defence"]) * v - rows.c_a)
    gains.append((attack, rows.alpha, 0))
    regret = np.zeros((len(games), g0.num_players))
    for gain, p1, player in gains:
        r = np.where(gain > 0, (1 - p1) * gain, p1 * (-gain))
        regret[:, player] = np.maximum(regret[:, player], r)
    relative = (np.maximum(regret, 0) / rows.payoff_ranges()).max(axis=1)
    bayes = _bayes_error(rows, wins)
    return [
        Certificate(
            concept=concept,
            regret=float(regret[k].max()),
            bayes_error=float(bayes[k]),
            tolerance=tol,
            exact=False,
            passed=bool(relative[k] <= tol and bayes[k] <= max(tol, 1e-9)),
            details={"relative_regret": float(relative[k])},
        )
        for k in range(len(games))
    ]


class _Rows:
    """The primitives of a group of rows as arrays."""

    def __init__(
        self, games: list[CollectiveDefenceGame], profiles: np.ndarray, mu: np.ndarray | None
    ) -> None:
        g0 = games[0]
        self.games = games
        self.profiles = profiles  # (R, sets, 2)
        self.mu = mu
        self.v = np.array([g.stakes for g in games])
        self.c_a = np.array([g.cost_attacker for g in games])
        self.c_d = np.array([g.cost_defender for g in games])
        self.g = np.array([g.revision for g in games])
        self.rho = np.array([g.initiative for g in games])
        self.pi = np.array([g.credibility for g in games])
        self.cost = np.array([g.cost_ally for g in games])
        self.interest = np.stack([g.interest() for g in games])  # (R, n, 2)
        self.sums = g0.sums
        p0 = np.array([g.contest.p_alone for g in games])[:, None]
        p1 = np.array([g.contest.p_allied for g in games])[:, None]
        r = np.array([g.contest.decisiveness for g in games])[:, None]
        if g0.equal_capability is not None:  # the same counts for every row, p(m k) per row
            m = np.arange(g0.n + 1) if g0.equal_capability > 0 else np.zeros(1)
            k = np.array([g.equal_capability for g in games])[:, None]
            self.win = win_probability(p0, p1, r, m[None, :] * k)
        else:
            self.win = win_probability(p0, p1, r, g0.sums.values[None, :])  # (R, S)
        self.alpha = profiles[:, 0, 1]
        self.tau = profiles[:, 1, 1]
        self.beta = profiles[:, 2, 1] if g0.initiative > 0 else np.zeros(len(games))

    def belief(self, index: int) -> np.ndarray | None:
        """``(R, n)`` belief at a set (the prior where none was stated); ``None``: prior everywhere."""
        if self.mu is None:
            return None
        b = self.mu[:, index, :]
        if np.isnan(b).all():
            return None
        return np.where(np.isnan(b), self.pi, b)

    def audience(self, war: str) -> np.ndarray:
        return np.stack([g.audience(war) for g in self.games])

    def joins(self, war: str) -> list[np.ndarray]:
        """Simultaneous: ``(R, n, 2)``; sequential: per ally ``(R, 2, states)``."""
        g0 = self.games[0]
        if g0.timing == "simultaneous":
            out = np.zeros((len(self.games), g0.n, 2))
            for h in g0.infosets:
                if h.war == war:
                    out[:, h.ally, h.kind] = self.profiles[:, h.index, 0]
            return [out]
        per = [np.zeros((len(self.games), 2, len(g0.sequential_states(i)))) for i in range(g0.n)]
        for h in g0.infosets:
            if h.war == war:
                per[h.ally][:, h.kind, h.state] = self.profiles[:, h.index, 0]
        return per

    def payoff_ranges(self) -> np.ndarray:
        """Max minus min of each player's payoffs over the game's outcomes (1 where constant)."""
        g0 = self.games[0]
        p_lo, p_hi = self.win.min(axis=1), self.win.max(axis=1)
        v, g = self.v, self.g
        att = np.stack(
            [
                np.zeros_like(v),
                v,
                (1 - p_hi) * v - self.c_a,
                (1 - p_lo) * v - self.c_a,
                (1 - p_hi) * v - p_hi * g - self.c_a,
                (1 - p_lo) * v - p_lo * g - self.c_a,
            ],
            axis=1,
        )
        dfn = np.stack(
            [
                np.zeros_like(v),
                v,
                p_lo * v - self.c_d,
                p_hi * v - self.c_d,
                p_lo * (v + g) - self.c_d,
                p_hi * (v + g) - self.c_d,
            ],
            axis=1,
        )
        out = [np.ptp(att, axis=1), np.ptp(dfn, axis=1)]
        a_max = np.stack([self.audience(w) for w in g0.wars]).max(axis=0)  # (R, n)
        w = self.interest * v[:, None, None]  # (R, n, 2)
        lo, hi = p_lo[:, None, None], p_hi[:, None, None]
        cost, aud = self.cost[:, :, None], a_max[:, :, None]
        vals = np.concatenate(
            [np.zeros_like(w[:, :, :1]), w, w * lo - cost, w * hi - cost, w * lo - aud, w * hi - aud], axis=2
        )  # (R, n, 9)
        allies = np.ptp(vals, axis=2)
        r = np.column_stack([*out, allies])
        return np.where(r > 0, r, 1.0)


# ====================================================================== simultaneous
def _steps(rows: _Rows) -> list[np.ndarray]:
    """Per ally: the index of ``s + k_j`` for each sum index ``s`` (``-1``: not a sum)."""
    g0 = rows.games[0]
    if g0.equal_capability is not None:
        m = rows.win.shape[1]
        up = np.append(np.arange(1, m), -1) if m > 1 else np.zeros(1, dtype=np.int64)
        return [up.astype(np.int64)] * g0.n
    return rows.sums.step


def _distribution(rows: _Rows, q: np.ndarray, skip: int | None) -> np.ndarray:
    """``(R, S)``: probability of each capability sum when ally ``j`` joins with ``q[:, j]``."""
    steps = _steps(rows)
    dist = np.zeros((q.shape[0], rows.win.shape[1]))
    dist[:, 0] = 1.0
    for j in range(q.shape[1]):
        if j == skip:
            continue
        move = steps[j]
        ok = move >= 0
        stay = dist * (1 - q[:, j : j + 1])
        stay[:, move[ok]] += dist[:, ok] * q[:, j : j + 1]
        dist = stay
    return dist


def _join_probabilities(rows: _Rows, sigma: np.ndarray, mu: np.ndarray | None) -> np.ndarray:
    """``(R, n)``: each ally's probability of joining under the belief ``mu`` (the prior if ``None``)."""
    prob = rows.pi if mu is None else mu
    return prob * sigma[:, :, 0] + (1 - prob) * sigma[:, :, 1]


def _simultaneous(rows: _Rows, war: str) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, int]]]:
    g0 = rows.games[0]
    (sigma,) = rows.joins(war)
    steps = _steps(rows)
    q = _join_probabilities(rows, sigma, None)
    win = (_distribution(rows, q, None) * rows.win).sum(axis=1)
    audience = rows.audience(war)
    caps = g0.capability
    out = []
    cache: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
    # allies alike (capability and join probability at every row) leave the same others behind
    alike = [np.float64(caps[i]).tobytes() + q[:, i].tobytes() for i in range(g0.n)]
    for h in g0.infosets:
        if h.war != war:
            continue
        i = h.ally
        mu = rows.belief(h.index)
        qq = q if mu is None else _join_probabilities(rows, sigma, mu)
        if mu is None:
            key = b"prior" + alike[i]
        else:
            others = np.column_stack([np.delete(np.asarray(caps), i), np.delete(qq, i, axis=1).T])
            key = np.float64(caps[i]).tobytes() + others[np.lexsort(others.T[::-1])].tobytes()
        if key not in cache:
            dist = _distribution(rows, qq, i)
            move = steps[i]
            ok = move >= 0
            cache[key] = ((dist * rows.win).sum(axis=1), (dist[:, ok] * rows.win[:, move[ok]]).sum(axis=1))
        stay, fight = cache[key]
        w = rows.interest[:, i, h.kind] * rows.v
        gain = w * (fight - stay) - rows.cost[:, i] + audience[:, i]
        out.append((gain, sigma[:, i, h.kind], 2 + i))
    return win, out


def _believed_win(rows: _Rows, war: str, index: int, prior_win: np.ndarray) -> np.ndarray:
    """The Target side's chance of winning under the belief stated at set ``index``."""
    mu = rows.belief(index)
    if mu is None:
        return prior_win
    if rows.games[0].timing == "sequential":
        return _sequential_values(rows, war, mu)[0][:, 0]
    (sigma,) = rows.joins(war)
    return (_distribution(rows, _join_probabilities(rows, sigma, mu), None) * rows.win).sum(axis=1)


# ====================================================================== sequential
def _sequential_values(rows: _Rows, war: str, mu: np.ndarray | None = None) -> list[np.ndarray]:
    """``V[i]`` ``(R, S)``: expected ``p`` at the end with allies ``i..n-1`` still to decide
    (``mu``: the belief that each is committed; the prior by default)."""
    g0 = rows.games[0]
    sums = g0.sums
    joins = rows.joins(war)
    n = g0.n
    prob = rows.pi if mu is None else mu
    values: list[np.ndarray] = [np.zeros(0)] * (n + 1)
    values[n] = np.stack([g.win for g in rows.games])
    for i in range(n - 1, -1, -1):
        idx = sums.index(g0.sequential_states(i))
        move = sums.step[i][idx]
        q = prob[:, i : i + 1] * joins[i][:, 0, :] + (1 - prob[:, i : i + 1]) * joins[i][:, 1, :]
        cur = np.full(values[i + 1].shape, np.nan)
        cur[:, idx] = q * values[i + 1][:, move] + (1 - q) * values[i + 1][:, idx]
        values[i] = cur
    return values


def _sequential(rows: _Rows, war: str) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, int]]]:
    g0 = rows.games[0]
    sums = g0.sums
    values = _sequential_values(rows, war)
    joins = rows.joins(war)
    audience = rows.audience(war)
    out = []
    for h in g0.infosets:
        if h.war != war:
            continue
        i, s = h.ally, h.state
        mu = rows.belief(h.index)
        vals = values if mu is None else _sequential_values(rows, war, mu)
        here = int(sums.index(g0.sequential_states(i)[s : s + 1])[0])
        there = int(sums.step[i][here])
        w = rows.interest[:, i, h.kind] * rows.v
        gain = w * (vals[i + 1][:, there] - vals[i + 1][:, here]) - rows.cost[:, i] + audience[:, i]
        out.append((gain, joins[i][:, h.kind, s], 2 + i))
    return values[0][:, 0], out


# ====================================================================== beliefs
def _bayes_error(rows: _Rows, wins: dict[str, np.ndarray]) -> np.ndarray:
    """Per row: the largest gap between a stated belief and the prior at a set the row reaches
    (nothing before a war reveals a type; the payoff-relevant belief of an ally is about the others)."""
    out = np.zeros(len(rows.games))
    if rows.mu is None:
        return out
    g0 = rows.games[0]
    reached = _reached(rows)
    for h in g0.infosets:
        mu = rows.mu[:, h.index, :]
        gap = np.abs(np.where(np.isnan(mu), rows.pi, mu) - rows.pi)
        if h.ally >= 0:
            gap[:, h.ally] = 0.0
        out = np.maximum(out, np.where(reached[:, h.index], gap.max(axis=1), 0.0))
    return out


def _reached(rows: _Rows) -> np.ndarray:
    """``(R, sets)``: whether each set is reached, computed from the profile (not from the game)."""
    g0 = rows.games[0]
    war_prob = {"defence": (1 - rows.rho) * rows.alpha * rows.tau, "provoked": rows.rho * rows.beta}
    out = np.zeros((len(rows.games), len(g0.infosets)), dtype=bool)
    for h in g0.infosets:
        if h.name == "attacker":
            out[:, h.index] = True
        elif h.name == "defender":
            out[:, h.index] = (1 - rows.rho) * rows.alpha > 0
        elif h.name == "defender_initiative":
            out[:, h.index] = rows.rho > 0
        else:
            type_prob = rows.pi[:, h.ally] if h.kind == 0 else 1 - rows.pi[:, h.ally]
            out[:, h.index] = (war_prob[h.war] > 0) & (type_prob > 0)  # sequential states: conservative
    return out


__all__ = ["certify_collective", "certify_collective_batch"]
