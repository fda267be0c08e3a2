"""Certificates: is a profile an equilibrium of the stated concept, and by how much?

This module is independent of every solver. It recomputes, from the game alone,

* the largest gain from a unilateral deviation (Nash regret) of a mixed or behaviour profile;
* the same in every subgame (subgame perfection);
* sequential rationality at every information set given stated beliefs, and the largest gap
  between those beliefs and Bayes' rule where the set is reached (perfect Bayesian);
* the fixed-point residual of the logit response (quantal response).

With ``exact=True`` the check runs in rational arithmetic (``fractions.Fraction``): float
profiles are rationalised (``limit_denominator``), payoffs are taken exactly as given.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ._jit import njit
from .equilibrium import Certificate
from .errors import GameError, SolverError, UnsupportedError
from .game import ExtensiveFormGame, NormalFormGame
from .game.extensive import CHANCE, DECISION, TERMINAL

_MAX_PURE_ENUMERATION = 1_000_000


# ----------------------------------------------------------------------------- helpers
def _rationalise(values: Sequence[Any], max_den: int = 10**9) -> list[Fraction]:
    fr = [Fraction(v).limit_denominator(max_den) if not isinstance(v, Fraction) else v for v in values]
    fr = [max(x, Fraction(0)) for x in fr]
    total = sum(fr)
    if total == 0:
        raise GameError("a strategy has no positive probability")
    return [x / total for x in fr]


def _lam_per_player(lam: Any, n: int) -> list[float]:
    if lam is None:
        raise UnsupportedError("a QRE certificate needs the precision lam")
    if np.ndim(lam) == 0:
        return [float(lam)] * n
    lams = [float(x) for x in lam]
    if len(lams) != n:
        raise GameError(f"{len(lams)} precisions given for {n} players")
    return lams


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max())
    return z / z.sum()


# ----------------------------------------------------------------------------- normal form
def _scales(ranges: Sequence[float]) -> np.ndarray:
    """Per-player payoff ranges (1 where a player's payoffs are all equal): tolerances are relative."""
    r = np.asarray([float(x) for x in ranges], dtype=float)
    return np.where(r > 0, r, 1.0)


def _normal_regret_exact(game: NormalFormGame, strategies: Sequence[Sequence[Fraction]]) -> list[float]:
    ints = game.integer_payoffs()
    out = []
    for i in range(game.num_players):
        arr = ints[i] if ints is not None else game.payoffs[i]
        a = np.moveaxis(np.asarray(arr, dtype=object), i, 0)
        if ints is None:
            a = np.vectorize(Fraction, otypes=[object])(a)
        else:
            a = np.vectorize(int, otypes=[object])(a)
        for j in reversed([j for j in range(game.num_players) if j != i]):
            a = a.dot(np.array(strategies[j], dtype=object))
        dev = list(a.reshape(-1))
        cur = sum(d * p for d, p in zip(dev, strategies[i], strict=True))
        out.append(float(max(dev) - cur))
    return out


def _certify_normal(
    game: NormalFormGame,
    strategies: Sequence[Any],
    concept: str,
    tol: float,
    exact: bool,
    lam: Any,
    exact_strategies: Any,
) -> Certificate:
    prof = game.check_profile(strategies, atol=max(tol, 1e-9))
    scales = _scales(game.payoff_ranges())
    regrets = game.regrets(prof)
    regret = float(regrets.max())
    residual = 0.0
    details: dict[str, float] = {"relative_regret": float((np.maximum(regrets, 0) / scales).max())}
    if concept == "qre" and lam is not None:
        lams = _lam_per_player(lam, game.num_players)
        for i in range(game.num_players):
            target = _softmax(lams[i] * game.deviation_payoffs(prof, i))
            residual = max(residual, float(np.abs(target - prof[i]).max()))
        passed = residual <= tol
    else:
        if exact:
            fr = exact_strategies if exact_strategies is not None else [_rationalise(s) for s in prof]
            per = _normal_regret_exact(game, fr)
            details["float_regret"] = regret
            regret = float(max(per))
            details["relative_regret"] = float(
                max(max(r, 0.0) / sc for r, sc in zip(per, scales, strict=True))
            )
        passed = details["relative_regret"] <= tol
    return Certificate(
        concept=concept,
        regret=max(regret, 0.0),
        qre_residual=residual,
        tolerance=tol,
        exact=exact and concept != "qre",
        passed=passed,
        details=details,
    )


@njit
def _bimatrix_kernel(a: np.ndarray, b: np.ndarray, xs: np.ndarray, ys: np.ndarray, tol: float):
    """The regrets of many profiles of the bimatrix game ``(a, b)``, in one pass.

    Profile ``e``: the row player's payoff of each pure strategy against ``ys[e]`` (``a @ y``)
    and the column player's against ``xs[e]`` (``x @ b``); a regret is the best of these minus
    the expected payoff, and the profile passes if neither regret exceeds ``tol`` times the
    player's payoff range (1 if all its payoffs are equal). A strategy is not a probability
    vector if an entry is not finite or below ``-max(tol, 1e-9)`` or its sum is off 1 by more
    than ``max(tol, 1e-9, 1e-6)``.

    Returns
    -------
    tuple
        Expected payoffs ``(E, 2)``, the larger regret (``>= 0``) ``(E,)``, the larger regret
        relative to the player's scale ``(E,)``, passed ``(E,)``, the first profile failing
        the test (-1: none), and the player (0 or 1) and profile of the first strategy that is
        not a probability vector (profile -1: none; the row player's are checked first).
    """
    n_prof, m = xs.shape
    n = ys.shape[1]
    atol = max(tol, 1e-9)
    scale_a, scale_b = a.max() - a.min(), b.max() - b.min()
    scale_a, scale_b = scale_a if scale_a > 0 else 1.0, scale_b if scale_b > 0 else 1.0
    pay = np.empty((n_prof, 2))
    regret = np.empty(n_prof)
    relative = np.empty(n_prof)
    passed = np.empty(n_prof, dtype=np.bool_)
    failed, bad_who, bad_row = -1, 0, -1
    for e in range(n_prof - 1, -1, -1):  # the row player's first bad strategy wins
        if _not_probabilities(ys, e, atol):
            bad_who, bad_row = 1, e
    for e in range(n_prof - 1, -1, -1):
        if _not_probabilities(xs, e, atol):
            bad_who, bad_row = 0, e
    for e in range(n_prof):
        best_a, best_b, u_a, u_b = -np.inf, -np.inf, 0.0, 0.0
        for i in range(m):
            acc = 0.0
            for j in range(n):
                acc += a[i, j] * ys[e, j]
            u_a += xs[e, i] * acc
            best_a = max(best_a, acc)
        for j in range(n):
            acc = 0.0
            for i in range(m):
                acc += xs[e, i] * b[i, j]
            u_b += ys[e, j] * acc
            best_b = max(best_b, acc)
        pay[e, 0], pay[e, 1] = u_a, u_b
        regret[e] = max(best_a - u_a, best_b - u_b, 0.0)
        relative[e] = max(max(best_a - u_a, 0.0) / scale_a, max(best_b - u_b, 0.0) / scale_b)
        passed[e] = relative[e] <= tol
        if not passed[e] and failed < 0:
            failed = e
    return pay, regret, relative, passed, failed, bad_who, bad_row


@njit
def _not_probabilities(s: np.ndarray, e: int, atol: float) -> bool:
    total, ok = 0.0, True
    for v in s[e]:
        ok = ok and np.isfinite(v) and v >= -atol
        total += v
    return not ok or abs(total - 1.0) > max(atol, 1e-6)


class BimatrixCertificates:
    """Nash certificates of many profiles of a two-player game, computed at once (floating point).

    Built by :func:`certify_bimatrix_profiles`; :meth:`certificate` gives profile ``k``'s
    :class:`~deterrence.Certificate` (the same as :func:`certify` with ``concept="nash"``).

    Attributes
    ----------
    payoffs
        Expected payoffs ``(E, 2)``.
    regret
        Largest gain of a pure deviation over both players, ``>= 0`` ``(E,)``.
    relative
        The same relative to each player's payoff range (the tested quantity) ``(E,)``.
    passed
        ``relative <= tol`` ``(E,)``.
    first_failed
        The first profile that did not pass (-1 if all did).
    tol
        The tolerance.
    """

    __slots__ = ("first_failed", "passed", "payoffs", "regret", "relative", "tol")

    def __init__(self, payoffs: np.ndarray, regret: np.ndarray, relative: np.ndarray, passed: np.ndarray,
                 first_failed: int, tol: float) -> None:
        self.payoffs, self.regret, self.relative, self.passed = payoffs, regret, relative, passed
        self.first_failed, self.tol = first_failed, tol

    def __len__(self) -> int:
        return len(self.regret)

    def certificate(self, k: int) -> Certificate:
        """Profile ``k``'s certificate."""
        rel = float(self.relative[k])
        return Certificate(concept="nash", regret=float(self.regret[k]), tolerance=self.tol, exact=False,
                           passed=bool(self.passed[k]), details={"relative_regret": rel})


def certify_bimatrix_profiles(game: NormalFormGame, xs: np.ndarray, ys: np.ndarray, tol: float = 1e-8
                              ) -> BimatrixCertificates:
    """Nash certificates of many profiles of a two-player game at once (floating point).

    The same checks as :func:`certify` with ``concept="nash"``: each row of ``xs`` and ``ys``
    must be a probability vector, and no player may gain more than ``tol`` times its payoff
    range by a pure deviation; computed in one compiled pass over the profiles.

    Parameters
    ----------
    game
        A two-player :class:`~deterrence.NormalFormGame`.
    xs, ys
        Mixed strategies of the row and the column player, one profile per row.
    tol
        Tolerance on the regret relative to each player's payoff range.

    Raises
    ------
    GameError
        If the game does not have two players or a row is not a probability vector.
    """
    if game.num_players != 2:
        raise GameError(f"certify_bimatrix_batch needs a two-player game, not {game.num_players} players")
    xs = np.ascontiguousarray(xs, dtype=float)
    ys = np.ascontiguousarray(ys, dtype=float)
    m, n = game.shape
    if xs.ndim != 2 or ys.ndim != 2 or xs.shape[1] != m or ys.shape[1] != n or len(xs) != len(ys):
        raise GameError(f"profiles of shapes {xs.shape} and {ys.shape} do not fit a {m}x{n} game")
    a, b = game.payoffs
    pay, regret, relative, passed, failed, who, row = _bimatrix_kernel(a, b, xs, ys, tol)
    if row >= 0:
        raise GameError(f"strategy of player {game.players[who]} is not a probability vector: "
                        f"{(xs, ys)[who][row]}")
    return BimatrixCertificates(pay, regret, relative, passed, failed, tol)


def certify_bimatrix_batch(
    game: NormalFormGame, xs: np.ndarray, ys: np.ndarray, tol: float = 1e-8
) -> tuple[list[Certificate], np.ndarray]:
    """Nash certificates of many profiles of a two-player game at once (floating point).

    :func:`certify_bimatrix_profiles`, with every certificate built.

    Returns
    -------
    certificates, payoffs
        One certificate per profile, and the expected payoffs (profiles x 2).
    """
    res = certify_bimatrix_profiles(game, xs, ys, tol)
    return [res.certificate(k) for k in range(len(res))], res.payoffs


# ----------------------------------------------------------------------------- trees
class _TreeNumbers:
    """The game's numbers as Python objects: floats, or exact Fractions."""

    def __init__(
        self, game: ExtensiveFormGame, behaviour: Sequence[Any], exact: bool, exact_strategies: Any = None
    ) -> None:
        self.game = game
        if exact:
            self.payoffs = [[Fraction(v) for v in row] for row in game.payoff_values]
            self.chance = [[Fraction(p) for p in ci.probs] for ci in game.chance_infos]
            src = exact_strategies if exact_strategies is not None else behaviour
            self.beh = [_rationalise(b) for b in src]
        else:
            self.payoffs = game.payoffs.tolist()
            self.chance = [[float(p) for p in ci.probs] for ci in game.chance_infos]
            self.beh = [list(map(float, b)) for b in behaviour]
        self.zero = Fraction(0) if exact else 0.0
        self.one = Fraction(1) if exact else 1.0
        self.exact = exact

    def edge(self, parent: int, action: int) -> Any:
        nd = self.game.nodes[parent]
        if nd.kind == CHANCE:
            return self.chance[nd.infoset][action]
        return self.beh[nd.infoset][action]


def _deviation_gain(nums: _TreeNumbers, player: int, starts: Sequence[tuple[int, Any]]) -> tuple[Any, Any]:
    """Best-response value and current value of ``player`` from weighted start nodes.

    The weights are the probabilities (or beliefs) of the start nodes. Other players and chance
    follow the profile; ``player`` may change its behaviour at every one of its information sets
    below the starts (a sequence-form dynamic programme; perfect recall below the starts assumed,
    otherwise pure strategies are enumerated).
    """
    game = nums.game
    acc: dict[tuple, Any] = {}
    kids: dict[tuple, dict[int, int]] = {}
    current = nums.zero
    stack: list[tuple[int, Any, Any, tuple]] = [(v, w, nums.one, ()) for v, w in starts]
    recall_ok = True
    seen_infoset_key: dict[int, tuple] = {}
    while stack:
        v, w, own, key = stack.pop()
        if w == 0:
            continue
        nd = game.nodes[v]
        if nd.kind == TERMINAL:
            u = nums.payoffs[game.terminal_index(v)][player]
            acc[key] = acc.get(key, nums.zero) + w * u
            current += w * own * u
        elif nd.kind == DECISION and nd.player == player:
            h = nd.infoset
            prev = seen_infoset_key.setdefault(h, key)
            if prev != key:
                recall_ok = False
            kids.setdefault(key, {})[h] = len(game.infosets[h].actions)
            for a, c in enumerate(nd.children):
                stack.append((c, w, own * nums.beh[h][a], (*key, (h, a))))
        else:
            for a, c in enumerate(nd.children):
                stack.append((c, w * nums.edge(v, a), own, key))
    if not recall_ok:
        return _deviation_gain_pure(nums, player, starts), current

    def value(key: tuple) -> Any:
        total = acc.get(key, nums.zero)
        for h, n_act in kids.get(key, {}).items():
            total += max(value((*key, (h, a))) for a in range(n_act))
        return total

    return value(()), current


def _deviation_gain_pure(nums: _TreeNumbers, player: int, starts: Sequence[tuple[int, Any]]) -> Any:
    """Best-response value by enumerating pure strategies (imperfect recall)."""
    game = nums.game
    sets = sorted(
        {
            game.nodes[v].infoset
            for s, _ in starts
            for v in range(s, game.nodes[s].end)
            if game.nodes[v].kind == DECISION and game.nodes[v].player == player
        }
    )
    sizes = [len(game.infosets[h].actions) for h in sets]
    total = int(np.prod(sizes)) if sizes else 1
    if total > _MAX_PURE_ENUMERATION:
        raise UnsupportedError(
            f"certifying this imperfect-recall game needs {total} pure strategies of player "
            f"{game.players[player]}; too many"
        )
    best = None
    for flat in np.ndindex(*sizes) if sizes else [()]:
        choice = dict(zip(sets, flat, strict=True))
        val = nums.zero
        stack = list(starts)
        while stack:
            v, w = stack.pop()
            if w == 0:
                continue
            nd = game.nodes[v]
            if nd.kind == TERMINAL:
                val += w * nums.payoffs[game.terminal_index(v)][player]
            elif nd.kind == DECISION and nd.player == player:
                stack.append((nd.children[choice[nd.infoset]], w))
            else:
                for a, c in enumerate(nd.children):
                    stack.append((c, w * nums.edge(v, a)))
        best = val if best is None or val > best else best
    return best


@dataclass(frozen=True)
class _TreeArrays:
    """A game's tree as flat arrays for :func:`_root_regret_kernel` (built once per game object)."""

    parent: np.ndarray  # per node (preorder), -1 at the root
    owner: np.ndarray  # player moving on the edge into the node, -1 for chance edges and the root
    edge_flat: np.ndarray  # flat action index of a decision edge into the node, -1 otherwise
    chance_prob: np.ndarray  # chance probability of the edge into the node (1 otherwise)
    terminals: np.ndarray  # terminal nodes (rows of game.payoffs)
    set_player: np.ndarray  # per information set
    set_offset: np.ndarray  # flat index of each set's first action; the last entry is the total
    set_nodes: np.ndarray  # member nodes of every set, set after set
    set_start: np.ndarray  # where each set's members start in set_nodes; last entry: the total


_TREE_ARRAYS: weakref.WeakKeyDictionary[ExtensiveFormGame, _TreeArrays] = weakref.WeakKeyDictionary()


def _tree_arrays(game: ExtensiveFormGame) -> _TreeArrays:
    arrays = _TREE_ARRAYS.get(game)
    if arrays is None:
        nodes = game.nodes
        owner = np.array([nodes[nd.parent].player if nd.parent >= 0 and nodes[nd.parent].kind == DECISION
                          else -1 for nd in nodes], dtype=np.int64)
        members = [v for h in game.infosets for v in h.nodes]
        arrays = _TreeArrays(
            parent=np.asarray(game._parent, dtype=np.int64), owner=owner,
            edge_flat=np.asarray(game._edge_flat, dtype=np.int64), chance_prob=np.asarray(game._chance_prob),
            terminals=np.asarray(game.terminals, dtype=np.int64),
            set_player=np.array([h.player for h in game.infosets], dtype=np.int64),
            set_offset=np.asarray(game._action_offset, dtype=np.int64),
            set_nodes=np.array(members, dtype=np.int64),
            set_start=np.cumsum([0] + [len(h.nodes) for h in game.infosets]).astype(np.int64),
        )
        _TREE_ARRAYS[game] = arrays
    return arrays


@njit
def _reach_and_last(parent: np.ndarray, owner: np.ndarray, edge_flat: np.ndarray, chance_prob: np.ndarray,
                    beh: np.ndarray, n_players: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per node: the probability of reaching it, the same without each player's own moves
    ``(nodes, N)``, and each player's last own move (flat action, -1: none) ``(nodes, N)``."""
    n = parent.shape[0]
    reach = np.ones(n)
    others = np.ones((n, n_players))
    last = np.full((n, n_players), -1, dtype=np.int64)
    for v in range(1, n):
        p = parent[v]
        j = owner[v]
        prob = beh[edge_flat[v]] if j >= 0 else chance_prob[v]
        reach[v] = reach[p] * prob
        for i in range(n_players):
            others[v, i] = others[p, i] * (prob if i != j else 1.0)
            last[v, i] = last[p, i]
        if j >= 0:
            last[v, j] = edge_flat[v]
    return reach, others, last


@njit
def _root_regret_kernel(t: tuple, beh: np.ndarray, payoffs: np.ndarray) -> tuple[np.ndarray, bool]:
    """Each player's largest gain from a deviation at the root, and whether recall is perfect.

    With perfect recall the best response is a backward induction over the player's own
    sequences: the payoff of the other players' and chance's moves is summed by the player's
    last own move at each terminal node, then, from the last information set to the first,
    each set adds its best action's value to the sequence that leads to it. (Without perfect
    recall this is not valid: ``ok`` is False and the caller enumerates.)
    """
    parent, owner, edge_flat, chance_prob, terminals, set_player, set_offset, set_nodes, set_start = t
    n_players = payoffs.shape[1]
    reach, others, last = _reach_and_last(parent, owner, edge_flat, chance_prob, beh, n_players)
    n_flat = set_offset[set_offset.shape[0] - 1]
    out = np.zeros(n_players)
    for i in range(n_players):
        for h in range(set_player.shape[0]):
            if set_player[h] == i:
                first = last[set_nodes[set_start[h]], i]
                for k in range(set_start[h], set_start[h + 1]):
                    if last[set_nodes[k], i] != first:
                        return out, False
        value = np.zeros(n_flat + 1)  # by own sequence: the flat actions, then the empty sequence
        current = 0.0
        for r in range(terminals.shape[0]):
            z = terminals[r]
            s = last[z, i] if last[z, i] >= 0 else n_flat
            value[s] += others[z, i] * payoffs[r, i]
            current += reach[z] * payoffs[r, i]
        for h in range(set_player.shape[0] - 1, -1, -1):
            if set_player[h] == i:
                best = -np.inf
                for f in range(set_offset[h], set_offset[h + 1]):
                    best = max(best, value[f])
                up = last[set_nodes[set_start[h]], i]
                value[up if up >= 0 else n_flat] += best
        out[i] = max(0.0, value[n_flat] - current)
    return out, True


def _root_regret(game: ExtensiveFormGame, beh: Sequence[np.ndarray]) -> np.ndarray | None:
    """Per-player Nash regret of a behaviour profile (floating point), or ``None`` without perfect recall."""
    a = _tree_arrays(game)
    flat = np.concatenate([np.asarray(b, dtype=float) for b in beh]) if len(beh) else np.zeros(0)
    packed = (a.parent, a.owner, a.edge_flat, a.chance_prob, a.terminals, a.set_player, a.set_offset,
              a.set_nodes, a.set_start)
    regret, ok = _root_regret_kernel(packed, flat, np.asarray(game.payoffs, dtype=float))
    return regret if ok else None


def _nash_regret(game: ExtensiveFormGame, beh: Sequence[np.ndarray], exact: bool, exact_strategies: Any
                 ) -> np.ndarray:
    """Per-player largest gain from a deviation in the whole game (compiled in floating point with
    perfect recall; else :func:`_tree_regret`)."""
    if not exact:
        fast = _root_regret(game, beh)
        if fast is not None:
            return fast
    nums = _TreeNumbers(game, beh, exact, exact_strategies)
    return _tree_regret(nums, [(game.root, nums.one)])


def _tree_regret(nums: _TreeNumbers, starts: Sequence[tuple[int, Any]]) -> np.ndarray:
    """Per-player largest gain from a deviation below the weighted starts."""
    game = nums.game
    if not nums.exact and len(starts) == 1 and starts[0][0] == game.root and starts[0][1] == 1:
        fast = _root_regret(game, nums.beh)  # compiled, for the whole game (perfect recall)
        if fast is not None:
            return fast
    out = np.zeros(nums.game.num_players)
    for i in range(nums.game.num_players):
        br, cur = _deviation_gain(nums, i, starts)
        out[i] = max(0.0, float(br - cur))
    return out


def _qre_residual_tree(game: ExtensiveFormGame, beh: Sequence[np.ndarray], lam: Any) -> float:
    """Largest gap between the behaviour and the agent logit response to it."""
    lams = _lam_per_player(lam, game.num_players)
    # beliefs from log reach probabilities: at high precision plain products underflow
    with np.errstate(divide="ignore"):
        log_edge = np.log(game.edge_probabilities(beh))
    log_reach = np.zeros(len(game.nodes))
    for nd in game.nodes[1:]:
        log_reach[nd.index] = log_reach[nd.parent] + log_edge[nd.index]
    values = game.node_values(beh)
    residual = 0.0
    for h, b in zip(game.infosets, beh, strict=True):
        lr = log_reach[list(h.nodes)]
        if not np.isfinite(lr.max()):
            raise GameError("a QRE profile must reach every information set", infoset=h.name)
        mu = np.exp(lr - lr.max())
        mu = mu / mu.sum()
        q = np.array(
            [
                sum(m * values[game.nodes[v].children[a], h.player] for m, v in zip(mu, h.nodes, strict=True))
                for a in range(len(h.actions))
            ]
        )
        residual = max(residual, float(np.abs(_softmax(lams[h.player] * q) - b).max()))
    return residual


def _spe_regret(nums: _TreeNumbers, scales: np.ndarray, details: dict[str, float]) -> tuple[float, float]:
    """Largest gain (absolute, relative) from a deviation in any subgame; one detail per subgame."""
    game = nums.game
    regret = relative = 0.0
    for r in game.subgame_roots():
        per = _tree_regret(nums, [(r, nums.one)])
        details[f"subgame {game.nodes[r].path}"] = float(per.max())
        regret = max(regret, float(per.max()))
        relative = max(relative, float((per / scales).max()))
    return regret, relative


def _pbe_regret(
    nums: _TreeNumbers,
    beh: Sequence[np.ndarray],
    beliefs: Any,
    scales: np.ndarray,
    tol: float,
    exact: bool,
    details: dict[str, float],
) -> tuple[float, float, float]:
    """Largest gain (absolute, relative) at any information set given the beliefs, and the Bayes error."""
    game = nums.game
    if beliefs is None or len(beliefs) != len(game.infosets):
        raise GameError("a PBE certificate needs a belief vector at every information set")
    reach = game.realization_probabilities(beh)
    regret = relative = bayes_error = 0.0
    for h, mu in zip(game.infosets, beliefs, strict=True):
        mu = np.asarray(mu, dtype=float).reshape(-1)
        if mu.shape != (len(h.nodes),) or np.any(mu < -tol) or abs(mu.sum() - 1) > 1e-6:
            raise GameError(
                f"beliefs {mu} are not a distribution over the set's {len(h.nodes)} nodes", infoset=h.name
            )
        r = reach[list(h.nodes)]
        if r.sum() > 1e-12:
            bayes_error = max(bayes_error, float(np.abs(r / r.sum() - mu).max()))
        weights = _rationalise(mu) if exact else [float(m) for m in mu]
        br, cur = _deviation_gain(nums, h.player, list(zip(h.nodes, weights, strict=True)))
        gain = float(br - cur)
        details[f"infoset {h.name}"] = gain
        regret = max(regret, gain)
        relative = max(relative, gain / scales[h.player])
    per = _tree_regret(nums, [(game.root, nums.one)])
    regret = max(regret, float(per.max()))
    relative = max(relative, float((per / scales).max()))
    return regret, relative, bayes_error


def _certify_tree(
    game: ExtensiveFormGame,
    strategies: Sequence[Any],
    concept: str,
    beliefs: Any,
    tol: float,
    exact: bool,
    lam: Any,
    exact_strategies: Any,
) -> Certificate:
    beh = game.check_behaviour(strategies, atol=max(tol, 1e-9))
    details: dict[str, float] = {}
    bayes_error = 0.0
    if concept == "qre" and lam is not None:
        residual = _qre_residual_tree(game, beh, lam)
        regret = float(_nash_regret(game, beh, False, None).max())
        return Certificate(
            concept="qre",
            regret=regret,
            qre_residual=residual,
            tolerance=tol,
            passed=residual <= tol,
            details=details,
        )
    scales = (
        _scales(game.payoffs.max(axis=0) - game.payoffs.min(axis=0))
        if len(game.payoffs)
        else np.ones(game.num_players)
    )
    if concept in ("nash", "qre"):
        per = _nash_regret(game, beh, exact, exact_strategies)
        regret, relative = float(per.max()), float((per / scales).max())
    elif concept == "spe":
        regret, relative = _spe_regret(_TreeNumbers(game, beh, exact, exact_strategies), scales, details)
    elif concept == "pbe":
        nums = _TreeNumbers(game, beh, exact, exact_strategies)
        regret, relative, bayes_error = _pbe_regret(nums, beh, beliefs, scales, tol, exact, details)
    else:
        raise UnsupportedError(f"unknown concept '{concept}'")
    details["relative_regret"] = relative
    passed = relative <= tol and bayes_error <= max(tol, 1e-9)
    return Certificate(
        concept=concept,
        regret=max(regret, 0.0),
        bayes_error=bayes_error,
        tolerance=tol,
        exact=exact,
        passed=passed,
        details=details,
    )


# ----------------------------------------------------------------------------- entry point
def certify(
    game: NormalFormGame | ExtensiveFormGame,
    strategies: Sequence[Any],
    concept: str = "nash",
    *,
    beliefs: Sequence[Any] | None = None,
    tol: float = 1e-8,
    exact: bool = False,
    lam: Any = None,
    exact_strategies: Any = None,
) -> Certificate:
    """Certify a profile as an equilibrium of ``concept``.

    Parameters
    ----------
    game
        The game.
    strategies
        Normal form: one mixed strategy per player; extensive form: one behaviour vector per
        information set (``game.infosets`` order).
    concept
        ``"nash"``, ``"spe"``, ``"pbe"`` or ``"qre"``. For ``"qre"`` with ``lam=None`` (the
        lambda -> infinity limit) the Nash conditions are checked.
    beliefs
        PBE: one distribution per information set over its nodes.
    tol
        Tolerance on the regret *relative to each player's payoff range* (max minus min of its
        payoffs; so certificates do not depend on the units of the payoffs), and absolute
        tolerance on the Bayes error and the QRE residual (probabilities).
    exact
        Compute regrets in rational arithmetic.
    lam
        QRE precision (number or one per player).
    exact_strategies
        Exact rational version of ``strategies`` if the solver has one.

    Returns
    -------
    Certificate
        ``passed`` is True when every quantity is within ``tol``.

    Examples
    --------
    >>> import numpy as np
    >>> from deterrence import NormalFormGame
    >>> g = NormalFormGame([np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])])
    >>> certify(g, [np.array([0.5, 0.5]), np.array([0.5, 0.5])], exact=True).regret
    0.0
    """
    if isinstance(game, NormalFormGame):
        if concept in ("spe", "pbe"):
            raise UnsupportedError(f"{concept} needs an extensive-form game")
        return _certify_normal(game, strategies, concept, tol, exact, lam, exact_strategies)
    if isinstance(game, ExtensiveFormGame):
        return _certify_tree(game, strategies, concept, beliefs, tol, exact, lam, exact_strategies)
    raise GameError(f"cannot certify a {type(game).__name__}")


def check_passed(cert: Certificate) -> Certificate:
    """``cert`` if it passed.

    Raises
    ------
    SolverError
        If it failed: the candidate it certifies is not an equilibrium within the tolerance.
    """
    if not cert.passed:
        raise SolverError(
            f"a {cert.concept} candidate failed certification (regret {cert.regret:.3g}, Bayes error "
            f"{cert.bayes_error:.3g}, QRE residual {cert.qre_residual:.3g}, tolerance {cert.tolerance:.3g}); "
            "this is a bug in the solver or a numerically hard game: try exact=True or another method"
        )
    return cert


def certify_candidate(
    game: NormalFormGame | ExtensiveFormGame,
    candidate: Any,
    concept: str,
    tol: float = 1e-8,
    exact: bool = False,
) -> Certificate:
    """Certify a solver's candidate (anything with ``strategies``, ``beliefs``, ``lam``, ``exact``).

    The precision of a QRE candidate is its own ``lam``; ``exact`` values the solver computed
    are used by an exact certificate.

    Raises
    ------
    SolverError
        If the candidate fails certification (:func:`check_passed`).
    """
    cert = certify(
        game,
        candidate.strategies,
        concept=concept,
        beliefs=candidate.beliefs,
        tol=tol,
        exact=exact,
        lam=candidate.lam,
        exact_strategies=candidate.exact,
    )
    return check_passed(cert)
