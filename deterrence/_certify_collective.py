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
from .game.collective import CollectiveDefenceGame


def certify_collective(game: CollectiveDefenceGame, strategies: Sequence[Any], concept: str = "pbe", *,
                       beliefs: Sequence[Any] | None = None, tol: float = 1e-8, exact: bool = False
                       ) -> Certificate:
    """Certify one profile of a collective-defence game (see the module docstring)."""
    return certify_collective_batch([game], [strategies], concept, beliefs=[beliefs], tol=tol, exact=exact)[0]


def certify_collective_batch(games: Sequence[CollectiveDefenceGame], profiles: Sequence[Sequence[Any]],
                             concept: str = "pbe", *, beliefs: Sequence[Any] | None = None,
                             tol: float = 1e-8, exact: bool = False) -> list[Certificate]:
    """Certify many profiles (one per game; games may repeat) at once.

    Rows of the simultaneous timing with the same allies' capabilities, the same number of
    allies and no stated beliefs are checked together on arrays; other rows one by one.

    Raises
    ------
    UnsupportedError
        ``exact=True`` (the contest function is irrational in general), or a concept other
        than ``"pbe"``/``"nash"``.
    GameError
        A profile that does not fit its game.
    """
    if exact:
        raise UnsupportedError("exact certificates of collective-defence games are not implemented: the "
                               "contest function is irrational in general; the float certificate's "
                               "tolerance is relative to each player's payoff range")
    if concept not in ("pbe", "nash"):
        raise UnsupportedError(f"collective-defence games are certified as 'pbe' (or 'nash'), not '{concept}'")
    if len(games) != len(profiles):
        raise GameError(f"{len(games)} games and {len(profiles)} profiles")
    stated = list(beliefs) if beliefs is not None else [None] * len(games)
    checked = [g.check_behaviour(p, atol=max(tol, 1e-9)) for g, p in zip(games, profiles, strict=True)]
    groups: dict[tuple, list[int]] = {}
    for r, (g, b) in enumerate(zip(games, stated, strict=True)):
        key = (g.timing, g.n, g.initiative > 0, g.capability) if b is None else ("row", r)
        groups.setdefault(key, []).append(r)
    out: list[Certificate | None] = [None] * len(games)
    for rows in groups.values():
        for r, cert in zip(rows, _certify_rows([games[r] for r in rows], [checked[r] for r in rows],
                                               stated[rows[0]] if len(rows) == 1 else None, tol, concept),
                           strict=True):
            out[r] = cert
    return [c for c in out if c is not None]


# ====================================================================== one group of rows
def _certify_rows(games: list[CollectiveDefenceGame], profiles: list[list[np.ndarray]],
                  beliefs: Sequence[Any] | None, tol: float, concept: str) -> list[Certificate]:
    g0 = games[0]
    rows = _Rows(games, profiles)
    gains: list[tuple[np.ndarray, np.ndarray, int]] = []  # (gain of action 1 over 0, prob of action 1, player)
    wins = {}
    for war in g0.wars:
        set_beliefs = _set_beliefs(g0, beliefs, war)
        if g0.timing == "simultaneous":
            win, ally_gains = _simultaneous(rows, war, set_beliefs)
        else:
            win, ally_gains = _sequential(rows, war, set_beliefs)
        wins[war] = win
        gains.extend(ally_gains)
    defender_win = wins["defence"] if beliefs is None or beliefs[1] is None else \
        _believed_win(rows, "defence", np.asarray(beliefs[1], dtype=float))
    v = rows.v
    gains.append((defender_win * v - rows.c_d, rows.tau, 1))
    if g0.initiative > 0:
        gains.append((wins["provoked"] * (v + rows.g) - rows.c_d - v, rows.beta, 1))
    attack = (1 - rows.tau) * v + rows.tau * ((1 - wins["defence"]) * v - rows.c_a)
    gains.append((attack, rows.alpha, 0))
    regret = np.zeros((len(games), g0.num_players))
    for gain, p1, player in gains:
        r = np.where(gain > 0, (1 - p1) * gain, p1 * (-gain))
        regret[:, player] = np.maximum(regret[:, player], r)
    scale = rows.payoff_ranges()
    relative = (np.maximum(regret, 0) / scale).max(axis=1)
    bayes = _bayes_error(g0, profiles[0], beliefs) if beliefs is not None else 0.0
    return [Certificate(concept=concept, regret=float(regret[k].max()), bayes_error=bayes, tolerance=tol,
                        exact=False, passed=bool(relative[k] <= tol and bayes <= max(tol, 1e-9)),
                        details={"relative_regret": float(relative[k])})
            for k in range(len(games))]


def _set_beliefs(game: CollectiveDefenceGame, beliefs: Sequence[Any] | None, war: str) -> dict[int, np.ndarray]:
    """The stated belief (``P(committed)`` per ally) at each ally set of this war, by set index."""
    if beliefs is None:
        return {}
    return {h.index: np.asarray(beliefs[h.index], dtype=float) for h in game.infosets
            if h.war == war and beliefs[h.index] is not None}


class _Rows:
    """The primitives of a group of rows as arrays."""

    def __init__(self, games: list[CollectiveDefenceGame], profiles: list[list[np.ndarray]]) -> None:
        g0 = games[0]
        self.games = games
        self.profiles = profiles
        self.v = np.array([g.stakes for g in games])
        self.c_a = np.array([g.cost_attacker for g in games])
        self.c_d = np.array([g.cost_defender for g in games])
        self.g = np.array([g.revision for g in games])
        self.pi = np.array([g.credibility for g in games])
        self.cost = np.array([g.cost_ally for g in games])
        self.interest = np.stack([g.interest() for g in games])  # (R, n, 2)
        self.sums = g0.sums
        self.win = np.stack([g.contest.win(g0.sums.values) for g in games])  # (R, S)
        self.alpha = np.array([p[0][1] for p in profiles])
        self.tau = np.array([p[1][1] for p in profiles])
        self.beta = np.array([p[2][1] for p in profiles]) if g0.initiative > 0 else np.zeros(len(games))

    def audience(self, war: str) -> np.ndarray:
        return np.stack([g.audience(war) for g in self.games])

    def joins(self, war: str) -> list[np.ndarray]:
        """Simultaneous: ``(R, n, 2)``; sequential: per ally ``(R, 2, states)``."""
        g0 = self.games[0]
        if g0.timing == "simultaneous":
            out = np.zeros((len(self.games), g0.n, 2))
            for h in g0.infosets:
                if h.war == war:
                    out[:, h.ally, h.kind] = [p[h.index][0] for p in self.profiles]
            return [out]
        per = [np.zeros((len(self.games), 2, len(g0.sequential_states(i)))) for i in range(g0.n)]
        for h in g0.infosets:
            if h.war == war:
                per[h.ally][:, h.kind, h.state] = [p[h.index][0] for p in self.profiles]
        return per

    def payoff_ranges(self) -> np.ndarray:
        """Max minus min of each player's payoffs over the game's outcomes (1 where constant)."""
        g0 = self.games[0]
        p_lo, p_hi = self.win.min(axis=1), self.win.max(axis=1)
        v, g = self.v, self.g
        att = np.stack([np.zeros_like(v), v, (1 - p_hi) * v - self.c_a, (1 - p_lo) * v - self.c_a,
                        (1 - p_hi) * v - p_hi * g - self.c_a, (1 - p_lo) * v - p_lo * g - self.c_a], axis=1)
        dfn = np.stack([np.zeros_like(v), v, p_lo * v - self.c_d, p_hi * v - self.c_d,
                        p_lo * (v + g) - self.c_d, p_hi * (v + g) - self.c_d], axis=1)
        out = [np.ptp(att, axis=1), np.ptp(dfn, axis=1)]
        a_max = np.stack([self.audience(w) for w in g0.wars]).max(axis=0)
        for i in range(g0.n):
            w = self.interest[:, i, :] * v[:, None]  # (R, 2)
            vals = [np.zeros_like(v), *w.T, *(w * p_lo[:, None]).T - self.cost[:, i],
                    *(w * p_hi[:, None]).T - self.cost[:, i],
                    *(w * p_lo[:, None]).T - a_max[:, i], *(w * p_hi[:, None]).T - a_max[:, i]]
            out.append(np.ptp(np.stack(vals, axis=1), axis=1))
        r = np.stack(out, axis=1)
        return np.where(r > 0, r, 1.0)


# ====================================================================== simultaneous
def _distribution(rows: _Rows, q: np.ndarray, skip: int | None) -> np.ndarray:
    """``(R, S)``: probability of each capability sum when ally ``j`` joins with ``q[:, j]``."""
    sums = rows.sums
    dist = np.zeros((q.shape[0], sums.size))
    dist[:, 0] = 1.0
    for j in range(q.shape[1]):
        if j == skip:
            continue
        move = sums.step[j]
        ok = move >= 0
        stay = dist * (1 - q[:, j:j + 1])
        stay[:, move[ok]] += dist[:, ok] * q[:, j:j + 1]
        dist = stay
    return dist


def _simultaneous(rows: _Rows, war: str, believed: dict[int, np.ndarray]
                  ) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, int]]]:
    g0 = rows.games[0]
    (sigma,) = rows.joins(war)
    pi = rows.pi
    q = pi * sigma[:, :, 0] + (1 - pi) * sigma[:, :, 1]
    win = (_distribution(rows, q, None) * rows.win).sum(axis=1)
    audience = rows.audience(war)
    out = []
    cache: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
    for h in g0.infosets:
        if h.war != war:
            continue
        i = h.ally
        if h.index in believed:
            mu = believed[h.index]
            qq = mu[None, :] * sigma[:, :, 0] + (1 - mu[None, :]) * sigma[:, :, 1]
            key = b"b" + qq.tobytes() + bytes([i])
        else:
            qq = q
            others = sorted((g0.capability[j], q[:, j].tobytes()) for j in range(g0.n) if j != i)
            key = repr((g0.capability[i], others)).encode()
        if key not in cache:
            dist = _distribution(rows, qq, i)
            move = rows.sums.step[i]
            ok = move >= 0
            cache[key] = ((dist * rows.win).sum(axis=1), (dist[:, ok] * rows.win[:, move[ok]]).sum(axis=1))
        stay, fight = cache[key]
        w = rows.interest[:, i, h.kind] * rows.v
        gain = w * (fight - stay) - rows.cost[:, i] + audience[:, i]
        out.append((gain, sigma[:, i, h.kind], 2 + i))
    return win, out


def _believed_win(rows: _Rows, war: str, mu: np.ndarray) -> np.ndarray:
    """The Target side's chance of winning under the belief ``mu`` about the allies' types."""
    if rows.games[0].timing == "sequential":
        return _sequential_values(rows, war, mu)[0][:, 0]
    (sigma,) = rows.joins(war)
    q = mu[None, :] * sigma[:, :, 0] + (1 - mu[None, :]) * sigma[:, :, 1]
    return (_distribution(rows, q, None) * rows.win).sum(axis=1)


# ====================================================================== sequential
def _sequential_values(rows: _Rows, war: str, mu: np.ndarray | None = None) -> list[np.ndarray]:
    """``V[i]`` ``(R, S)``: expected ``p`` at the end with allies ``i..n-1`` still to decide
    (``mu``: the belief that each is committed; the prior by default)."""
    g0 = rows.games[0]
    sums = rows.sums
    joins = rows.joins(war)
    n = g0.n
    prob = rows.pi if mu is None else np.broadcast_to(mu, rows.pi.shape)
    values: list[np.ndarray] = [np.zeros(0)] * (n + 1)
    values[n] = rows.win.copy()
    for i in range(n - 1, -1, -1):
        idx = sums.index(g0.sequential_states(i))
        move = sums.step[i][idx]
        q = prob[:, i:i + 1] * joins[i][:, 0, :] + (1 - prob[:, i:i + 1]) * joins[i][:, 1, :]
        cur = np.full(values[i + 1].shape, np.nan)
        cur[:, idx] = q * values[i + 1][:, move] + (1 - q) * values[i + 1][:, idx]
        values[i] = cur
    return values


def _sequential(rows: _Rows, war: str, believed: dict[int, np.ndarray]
                ) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, int]]]:
    g0 = rows.games[0]
    sums = rows.sums
    values = _sequential_values(rows, war)
    joins = rows.joins(war)
    audience = rows.audience(war)
    out = []
    for h in g0.infosets:
        if h.war != war:
            continue
        i, s = h.ally, h.state
        vals = values if h.index not in believed else _sequential_values(rows, war, believed[h.index])
        here = int(sums.index(g0.sequential_states(i)[s:s + 1])[0])
        there = int(sums.step[i][here])
        w = rows.interest[:, i, h.kind] * rows.v
        gain = w * (vals[i + 1][:, there] - vals[i + 1][:, here]) - rows.cost[:, i] + audience[:, i]
        out.append((gain, joins[i][:, h.kind, s], 2 + i))
    return values[0][:, 0], out


# ====================================================================== beliefs
def _bayes_error(game: CollectiveDefenceGame, profile: list[np.ndarray], beliefs: Sequence[Any]) -> float:
    """The largest gap between a stated belief and the prior at a set the profile reaches."""
    if len(beliefs) != len(game.infosets):
        raise GameError(f"{len(beliefs)} beliefs for {len(game.infosets)} information sets")
    reached = _reached(game, profile)
    prior = np.asarray(game.credibility, dtype=float)
    gap = 0.0
    for h, b, r in zip(game.infosets, beliefs, reached, strict=True):
        if b is None or not r:
            continue
        mu = np.asarray(b, dtype=float)
        mask = np.ones(game.n, dtype=bool)
        if h.ally >= 0:
            mask[h.ally] = False
        gap = max(gap, float(np.abs(mu[mask] - prior[mask]).max(initial=0.0)))
    return gap


def _reached(game: CollectiveDefenceGame, profile: list[np.ndarray]) -> np.ndarray:
    """Whether each set is reached: computed from the profile, not taken from the game."""
    alpha, tau = float(profile[0][1]), float(profile[1][1])
    beta = float(profile[2][1]) if game.initiative > 0 else 0.0
    war_prob = {"defence": (1 - game.initiative) * alpha * tau, "provoked": game.initiative * beta}
    out = []
    pi = np.asarray(game.credibility, dtype=float)
    for h in game.infosets:
        if h.name == "attacker":
            out.append(True)
        elif h.name == "defender":
            out.append((1 - game.initiative) * alpha > 0)
        elif h.name == "defender_initiative":
            out.append(game.initiative > 0)
        else:
            type_prob = pi[h.ally] if h.kind == 0 else 1 - pi[h.ally]
            out.append(war_prob[h.war] > 0 and type_prob > 0)  # sequential states: conservative
    return np.array(out, dtype=bool)


__all__ = ["certify_collective", "certify_collective_batch"]
