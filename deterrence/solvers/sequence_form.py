"""One Nash equilibrium of a 2-player extensive game with perfect recall: the sequence-form LCP.

Koller, Megiddo and von Stengel (1996): with realisation plans ``x`` (``E x = e``) and
``y`` (``F y = f``) and sequence-form payoff matrices ``A``, ``B``, a Nash equilibrium is a
solution of the linear complementarity problem

    E^T p - A y >= 0  ⊥  x >= 0,        E x = e,
    F^T q - B^T x >= 0  ⊥  y >= 0,      F y = f,       (p, q free)

whose size is linear in the tree, not exponential like the normal form. It is solved by
Lemke's algorithm (:mod:`deterrence.solvers.lemke`) with the covering vector of
von Stengel, van den Elzen and Talman (2002): the costs ``-A t``, ``-B^T s`` of a fully mixed
prior ``(s, t)`` (here: uniform behaviour, with a tiny fixed perturbation that breaks ties).
At the start each player best-responds to the prior; as ``z0`` falls to 0 the path traces
the responses to the actual opponent. Payoffs are first moved by a positive affine map to
``[-2, -1]`` (costs), which changes no equilibrium. The free multipliers ``p, q`` stay basic.

The result is one equilibrium, as a behaviour profile; behaviour at information sets the
player's own plan never reaches is set uniform (any choice there gives the same outcome).

The fixed cost per solve is kept small: the tree's sequence arrays are built once per game
(:func:`deterrence.game.convert.sequence_form` keeps them on the game; :func:`_structure` the
solver's arrays), and one compiled kernel builds the LCP leaf by leaf, runs Lemke's pivoting and
computes the regret of the result (another turns the plans into behaviour).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from .._jit import njit
from ..errors import GameError, SolverError
from ..game.convert import SequenceForm, recall_violation, sequence_form
from ..game.extensive import ExtensiveFormGame
from ._options import option
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions
from .lemke import _lemke_kernel, check_status


class _Player(NamedTuple):
    """One player's sequences as arrays: where each information set's actions start, how many
    there are and the sequence leading to the set (information sets in the player's order); a
    tuple, as the compiled kernels take it."""

    starts: np.ndarray
    n_actions: np.ndarray
    parent: np.ndarray
    size: int


class _Structure(NamedTuple):
    """What the compiled LCP needs of a game, built once per game object (:func:`_structure`).

    ``players``: both players' sequence arrays; ``leaf1``, ``leaf2``: each terminal's sequence of
    either player; ``weights``: each terminal's chance probability; ``u``: the payoffs (terminals x
    2); ``flat1``, ``flat2``: where each of the player's information sets starts in the game's flat
    actions (``game.infosets`` order); ``flat_size``: the number of flat actions."""

    players: tuple[_Player, _Player]
    leaf1: np.ndarray
    leaf2: np.ndarray
    weights: np.ndarray
    u: np.ndarray
    flat1: np.ndarray
    flat2: np.ndarray
    flat_size: int
    bounds: tuple[int, ...]  # where each information set's actions start in the flat behaviour, then the end


def _players(sf: SequenceForm) -> tuple[_Player, _Player]:
    return _structure(sf).players


_STRUCTURES: weakref.WeakKeyDictionary[Any, _Structure | None] = weakref.WeakKeyDictionary()
_MISSING = object()


def _structure(sf: SequenceForm | ExtensiveFormGame) -> _Structure | None:
    """The arrays of :class:`_Structure` of a game (or of its sequence form), kept per game object
    (they hold no reference to it); ``None`` if the game lacks perfect recall.

    Built in one compiled pass over the game's edge tables (:func:`_tables_kernel`), numbered as
    :func:`deterrence.game.convert.sequence_form` numbers the sequences.
    """
    game = sf.game if isinstance(sf, SequenceForm) else sf
    cached = _STRUCTURES.get(game, _MISSING)
    if cached is not _MISSING:
        return cached
    if game.num_players != 2:  # the kernel numbers two players' sequences
        raise GameError(f"the sequence-form LCP takes 2-player games, not {game.num_players}-player ones")
    offset = np.asarray(game._action_offset, dtype=np.int64)
    set_player = np.fromiter((h.player for h in game.infosets), dtype=np.int64, count=len(game.infosets))
    out = _tables_kernel(game._parent, game._edge_infoset, game._edge_action, game._chance_prob, offset,
                         set_player, game._terminal_idx)
    ok, starts, n_act, parents, flats, sizes, leaf1, leaf2, weights = out
    cached = None
    if ok:
        players = tuple(_Player(starts[i], n_act[i], parents[i], int(sizes[i])) for i in range(2))
        cached = _Structure(players=players, leaf1=leaf1, leaf2=leaf2, weights=weights,  # type: ignore[arg-type]
                            u=np.ascontiguousarray(game.payoffs, dtype=float).reshape(-1, 2),
                            flat1=flats[0], flat2=flats[1], flat_size=int(offset[-1]),
                            bounds=tuple(offset.tolist()))
    _STRUCTURES[game] = cached
    return cached


@njit
def _tables_kernel(parent: np.ndarray, edge_set: np.ndarray, edge_action: np.ndarray, chance_prob: np.ndarray,
                   offset: np.ndarray, set_player: np.ndarray, terminals: np.ndarray):
    """Both players' sequence arrays from a tree's edge tables (nodes in preorder; ``edge_set``: the
    information set of the decision edge into a node, -1 for chance edges and the root).

    Returns ``(perfect recall?, starts, action counts, parent sequences, flat starts, sizes, leaf
    sequences of player 1 and 2, chance weights)``, the per-player arrays as lists of two. A set's
    parent sequence is its player's last own move at its first node; recall is perfect when every
    node of every set has that last own move (by induction, equal last moves are equal histories).
    """
    n_sets = set_player.shape[0]
    seq_of_flat = np.zeros(offset[n_sets], dtype=np.int64)
    count = np.ones(2, dtype=np.int64)
    local = np.zeros(n_sets, dtype=np.int64)
    own = np.zeros(2, dtype=np.int64)
    for h in range(n_sets):
        i = set_player[h]
        local[h] = own[i]
        own[i] += 1
    starts = [np.zeros(own[0], dtype=np.int64), np.zeros(own[1], dtype=np.int64)]
    n_act = [np.zeros(own[0], dtype=np.int64), np.zeros(own[1], dtype=np.int64)]
    parents = [np.full(own[0], -1, dtype=np.int64), np.full(own[1], -1, dtype=np.int64)]
    flats = [np.zeros(own[0], dtype=np.int64), np.zeros(own[1], dtype=np.int64)]
    for h in range(n_sets):
        i, k = set_player[h], local[h]
        starts[i][k], n_act[i][k], flats[i][k] = count[i], offset[h + 1] - offset[h], offset[h]
        for f in range(offset[h], offset[h + 1]):
            seq_of_flat[f] = count[i] + f - offset[h]
        count[i] += offset[h + 1] - offset[h]
    n = parent.shape[0]
    last = np.zeros((n, 2), dtype=np.int64)
    weight = np.ones(n)
    ok = True
    for v in range(1, n):
        p, h = parent[v], edge_set[v]
        last[v, 0], last[v, 1], weight[v] = last[p, 0], last[p, 1], weight[p]
        if h < 0:
            weight[v] = weight[p] * chance_prob[v]
            continue
        i, k = set_player[h], local[h]
        if parents[i][k] < 0:  # the set's first node (preorder: its children come first)
            parents[i][k] = last[p, i]
        elif parents[i][k] != last[p, i]:
            ok = False
        last[v, i] = seq_of_flat[offset[h] + edge_action[v]]
    leaf1, leaf2 = last[terminals, 0].copy(), last[terminals, 1].copy()
    return ok, starts, n_act, parents, flats, count, leaf1, leaf2, weight[terminals].copy()


@njit
def _optimal(starts: np.ndarray, n_actions: np.ndarray, parent: np.ndarray, cost: np.ndarray
             ) -> tuple[np.ndarray, float]:
    """Backward induction: the pure plan minimising ``cost @ x`` chosen at every information set.

    Returns the plan's support as a boolean mask over the sequences (the empty sequence and one
    action per information set, reached or not) and its cost.
    """
    after = np.zeros(cost.shape[0])
    support = np.zeros(cost.shape[0], dtype=np.bool_)
    support[0] = True
    for k in range(starts.shape[0] - 1, -1, -1):
        s0 = starts[k]
        best, best_val = s0, cost[s0] + after[s0]
        for s in range(s0 + 1, s0 + n_actions[k]):
            if cost[s] + after[s] < best_val:
                best, best_val = s, cost[s] + after[s]
        support[best] = True
        after[parent[k]] += best_val
    return support, cost[0] + after[0]


def optimal_plan(sf: SequenceForm, player: int, cost: np.ndarray) -> tuple[np.ndarray, float]:
    """The pure plan minimising ``cost @ x`` chosen at *every* information set (backward induction).

    Returns the support (sequence indices, one per information set plus the empty
    sequence) of the full pure strategy, and the minimal cost.
    """
    pl = _players(sf)[player]
    support, value = _optimal(pl.starts, pl.n_actions, pl.parent, np.ascontiguousarray(cost, dtype=float))
    return np.flatnonzero(support), float(value)


@njit
def _uniform(starts: np.ndarray, n_actions: np.ndarray, parent: np.ndarray, size: int) -> np.ndarray:
    """The realisation plan of uniform behaviour."""
    x = np.zeros(size)
    x[0] = 1.0
    for k in range(starts.shape[0]):
        for s in range(starts[k], starts[k] + n_actions[k]):
            x[s] = x[parent[k]] / n_actions[k]
    return x


@njit
def _costs(u: np.ndarray) -> np.ndarray:
    """The payoffs mapped by a positive affine map of each player's to ``[-2, -1]`` (costs)."""
    out = np.empty_like(u)
    for i in range(u.shape[1]):
        high, low = -np.inf, np.inf
        for r in range(u.shape[0]):
            high, low = max(high, u[r, i]), min(low, u[r, i])
        span = high - low if u.shape[0] > 0 and high - low > 0 else 1.0
        for r in range(u.shape[0]):
            out[r, i] = (u[r, i] - high) / span - 1.0
    return out


@njit
def _against(leaf_own: np.ndarray, leaf_other: np.ndarray, weights: np.ndarray, u: np.ndarray,
             plan: np.ndarray, size: int) -> np.ndarray:
    """The payoff ``u`` of each own sequence against the other player's ``plan`` (``A y``, ``B^T x``),
    summed leaf by leaf (chance folded in)."""
    out = np.zeros(size)
    for z in range(leaf_own.shape[0]):
        out[leaf_own[z]] += weights[z] * u[z] * plan[leaf_other[z]]
    return out


@njit
def _regret(p1: tuple, p2: tuple, leaf1: np.ndarray, leaf2: np.ndarray, weights: np.ndarray,
            u: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """Largest gain of a unilateral deviation, by backward induction on the sequence form."""
    ay = _against(leaf1, leaf2, weights, u[:, 0], y, p1[3])
    bx = _against(leaf2, leaf1, weights, u[:, 1], x, p2[3])
    _, best1 = _optimal(p1[0], p1[1], p1[2], -ay)
    _, best2 = _optimal(p2[0], p2[1], p2[2], -bx)
    return max(-best1 - x @ ay, -best2 - y @ bx, 0.0)


@lru_cache(maxsize=64)
def _jitter(seed: int, n1: int, n2: int) -> tuple[np.ndarray, np.ndarray]:
    """The seeded random positive vectors added to the covering vector (a stream of numbers,
    kept per seed and size: making a generator costs more than a small LCP)."""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.05, 1.0, n1), rng.uniform(0.05, 1.0, n2)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


@njit
def _system(p1: tuple, p2: tuple, leaf1: np.ndarray, leaf2: np.ndarray, weights: np.ndarray,
            costs: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The LCP as ``M v = rhs`` (columns ``x, y, wx, wy, z0, p, q``) and the column of ``z0``.

    Player 1's rows: ``wx - E^T p + A y - cx z0 = 0``; player 2's: ``wy - F^T q + B^T x - cy z0 = 0``
    (``A``, ``B`` the sequence-form matrices of the costs); then the plans' equalities ``E x = e``,
    ``F y = f`` (the empty sequence is 1; each information set's actions sum to its parent sequence).
    """
    n1, n2 = p1[3], p2[3]
    m1, m2 = p1[0].shape[0] + 1, p2[0].shape[0] + 1
    Y, WX, WY = n1, n1 + n2, 2 * n1 + n2
    Z0 = 2 * (n1 + n2)
    P, Q = Z0 + 1, Z0 + 1 + m1
    M = np.zeros((n1 + n2 + m1 + m2, Q + m2))
    rhs = np.zeros(M.shape[0])
    for z in range(leaf1.shape[0]):
        M[leaf1[z], Y + leaf2[z]] += weights[z] * costs[z, 0]
        M[n1 + leaf2[z], leaf1[z]] += weights[z] * costs[z, 1]
    for s in range(n1):
        M[s, WX + s] = 1.0
        M[s, Z0] = -cx[s]
    for s in range(n2):
        M[n1 + s, WY + s] = 1.0
        M[n1 + s, Z0] = -cy[s]
    _plan_rows(M, rhs, p1[0], p1[1], p1[2], n1 + n2, 0, 0, P)
    _plan_rows(M, rhs, p2[0], p2[1], p2[2], n1 + n2 + m1, Y, n1, Q)
    return M, rhs, Z0


@njit
def _plan_rows(M: np.ndarray, rhs: np.ndarray, starts: np.ndarray, n_actions: np.ndarray, parent: np.ndarray,
               row0: int, col0: int, own0: int, mult0: int) -> None:
    """One player's ``E x = e`` in rows ``row0...`` over its plan's columns ``col0...``, and ``-E^T``
    times its multipliers (columns ``mult0...``) in its own rows ``own0...``."""
    M[row0, col0] = 1.0
    M[own0, mult0] = -1.0
    rhs[row0] = 1.0
    for k in range(starts.shape[0]):
        r = k + 1
        M[row0 + r, col0 + parent[k]] = -1.0
        M[own0 + parent[k], mult0 + r] = 1.0
        for s in range(starts[k], starts[k] + n_actions[k]):
            M[row0 + r, col0 + s] = 1.0
            M[own0 + s, mult0 + r] = -1.0


@njit
def _start(p1: tuple, p2: tuple, leaf1: np.ndarray, leaf2: np.ndarray, weights: np.ndarray, costs: np.ndarray,
           jx: np.ndarray, jy: np.ndarray) -> tuple:
    """The LCP and Lemke's start: ``(M, rhs, basis, z0, complement, is_free)``.

    The covering vector: costs against the uniform prior plus the random positive ``jx``, ``jy``
    scaled alike, so that the starting best responses are unique with clear margins (a tiny
    perturbation would create near-ties and ill-conditioned pivots). The starting basis holds the
    free multipliers, each player's best response to the prior and the other slacks.
    """
    n1, n2 = p1[3], p2[3]
    cx = -_against(leaf1, leaf2, weights, costs[:, 0], _uniform(p2[0], p2[1], p2[2], n2), n1)
    cy = -_against(leaf2, leaf1, weights, costs[:, 1], _uniform(p1[0], p1[1], p1[2], n1), n2)
    cx = cx + max(np.abs(cx).max(), 1e-3) * jx
    cy = cy + max(np.abs(cy).max(), 1e-3) * jy
    M, rhs, z0 = _system(p1, p2, leaf1, leaf2, weights, costs, cx, cy)
    in1, _ = _optimal(p1[0], p1[1], p1[2], cx)
    in2, _ = _optimal(p2[0], p2[1], p2[2], cy)
    n_free = M.shape[1] - z0 - 1
    basis = np.empty(M.shape[0], dtype=np.int64)
    for k in range(n_free):
        basis[k] = z0 + 1 + k
    for s in range(n1):  # x or its slack wx
        basis[n_free + s] = s if in1[s] else n1 + n2 + s
    for s in range(n2):  # y or its slack wy
        basis[n_free + n1 + s] = n1 + s if in2[s] else 2 * n1 + n2 + s
    complement = np.full(M.shape[1], -1, dtype=np.int64)
    is_free = np.zeros(M.shape[1], dtype=np.bool_)
    for s in range(n1 + n2):
        complement[s] = n1 + n2 + s
        complement[n1 + n2 + s] = s
    is_free[z0 + 1:] = True
    return M, rhs, basis, z0, complement, is_free


@njit
def _solve_kernel(p1: tuple, p2: tuple, leaf1: np.ndarray, leaf2: np.ndarray, weights: np.ndarray,
                  u: np.ndarray, jx: np.ndarray, jy: np.ndarray, max_pivots: int):
    """One Lemke path: ``(x, y, pivots, status, regret)`` (the plans clipped at 0; ``status`` as
    :func:`deterrence.solvers.lemke._lemke_kernel` reports it; the regret in ``u``'s units)."""
    M, rhs, basis, z0, complement, is_free = _start(p1, p2, leaf1, leaf2, weights, _costs(u), jx, jy)
    values, _, pivots, status = _lemke_kernel(M, rhs, basis, z0, complement, is_free, max_pivots,
                                              max(50, M.shape[0]), 1e-10)
    n1, n2 = p1[3], p2[3]
    x = np.maximum(values[:n1], 0.0)
    y = np.maximum(values[n1:n1 + n2], 0.0)
    regret = _regret(p1, p2, leaf1, leaf2, weights, u, x, y) if status == 0 else np.inf
    return x, y, pivots, status, regret


@njit
def _behaviour_kernel(p1: tuple, p2: tuple, flat1: np.ndarray, flat2: np.ndarray, flat_size: int,
                      x: np.ndarray, y: np.ndarray, tol: float) -> np.ndarray:
    """The behaviour profile of the plans as one flat vector (``game.infosets`` order): at each
    information set ``b(a) = x[a] / x[parent]``; uniform where the plan reaches it with at most ``tol``."""
    out = np.empty(flat_size)
    for pl, flat, plan in ((p1, flat1, x), (p2, flat2, y)):
        starts, n_actions, parent = pl[0], pl[1], pl[2]
        for k in range(starts.shape[0]):
            total = 0.0
            for s in range(starts[k], starts[k] + n_actions[k]):
                total += plan[s]
            reached = plan[parent[k]] > tol and total > 0
            for a in range(n_actions[k]):
                out[flat[k] + a] = plan[starts[k] + a] / total if reached else 1.0 / n_actions[k]
    return out


def _packed(pl: _Player) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    return tuple.__new__(tuple, pl)  # a plain tuple: the kernels are compiled for those


def solve_lcp(sf: SequenceForm | ExtensiveFormGame, seed: int = 0, max_pivots: int = 100_000
              ) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Realisation plans ``(x, y)`` of one equilibrium, the number of pivots and the regret.

    Raises
    ------
    SolverError
        If Lemke's algorithm fails (secondary ray, singular basis, pivot limit).
    """
    st = _structure(sf)
    p1, p2 = _packed(st.players[0]), _packed(st.players[1])
    jx, jy = _jitter(seed, p1[3], p2[3])
    x, y, pivots, status, regret = _solve_kernel(p1, p2, st.leaf1, st.leaf2, st.weights, st.u, jx, jy,
                                                 max_pivots)
    check_status(status, pivots, max_pivots)
    return x, y, pivots, float(regret)


def lcp_system(sf: SequenceForm, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray,
                                                         np.ndarray]:
    """The LCP that :func:`solve_lcp` hands to Lemke's kernel with ``seed``: ``(M, rhs, basis, z0,
    complement, free columns)`` (for tests)."""
    st = _structure(sf)
    p1, p2 = _packed(st.players[0]), _packed(st.players[1])
    jx, jy = _jitter(seed, p1[3], p2[3])
    M, rhs, basis, z0, comp, is_free = _start(p1, p2, st.leaf1, st.leaf2, st.weights, _costs(st.u), jx, jy)
    return M, rhs, basis, z0, comp, np.flatnonzero(is_free)


def plans_behaviour(sf: SequenceForm | ExtensiveFormGame, x: np.ndarray, y: np.ndarray, tol: float = 1e-12
                    ) -> list[np.ndarray]:
    """The behaviour profile (``game.infosets`` order) of both players' realisation plans."""
    st = _structure(sf)
    flat = _behaviour_kernel(_packed(st.players[0]), _packed(st.players[1]), st.flat1, st.flat2,
                             st.flat_size, x, y, tol)
    b = st.bounds
    return [flat[b[k]:b[k + 1]] for k in range(len(b) - 1)]
@dataclass(frozen=True)
class SequenceFormOptions(SolverOptions):
    """Options of ``sequence_form``.

    Parameters
    ----------
    seed
        Seed of the tiny perturbation of the starting prior that breaks ties; restart ``k``
        uses ``seed + k``.
    attempts
        Lemke paths tried (each from a differently perturbed prior) until one ends at an
        equilibrium within the tolerance; the best is returned.
    """

    seed: int = option(0, minimum=0)
    attempts: int = option(3, minimum=1)


def run(game, options: SolveOptions) -> RawResult:
    """One Nash equilibrium of a 2-player perfect-recall extensive game (behaviour profile)."""
    opts = options.of(SequenceFormOptions)
    st = _structure(game)
    if st is None:  # not expected: the dispatcher checks applicability first
        sequence_form(game)  # raises the perfect-recall error, naming the information set
    seed, attempts = opts.seed, opts.attempts
    best: tuple[float, np.ndarray, np.ndarray, int, int] | None = None
    errors: list[str] = []
    for k in range(max(attempts, 1)):
        try:
            x, y, pivots, reg = solve_lcp(game, seed=seed + k)
        except SolverError as exc:
            errors.append(str(exc))
            continue
        if best is None or reg < best[0]:
            best = (reg, x, y, pivots, seed + k)
        if reg <= options.tol:
            break
    if best is None:
        raise SolverError("sequence-form Lemke failed: " + "; ".join(errors))
    reg, x, y, pivots, used = best
    beh = plans_behaviour(game, x, y, tol=1e-12)
    n_seq = st.players[0].size + st.players[1].size
    notes = [f"Lemke on the sequence form: {pivots} pivots, {n_seq} sequences, seed {used}",
             "behaviour at information sets the player's own plan never reaches is uniform"]
    if reg > options.tol:
        notes.append(f"sequence-form regret {reg:.3g} exceeds the tolerance")
    return RawResult(candidates=[Candidate(strategies=tuple(beh))], complete=False, degenerate=None,
                     notes=tuple(notes))


def _applicable(game) -> str | None:
    if _structure(game) is not None:  # the sequence arrays exist only with perfect recall
        return None
    return f"'sequence_form' needs perfect recall; information set '{recall_violation(game)}' violates it"


def _estimate(game) -> float:
    """Work estimate: rows of the LCP (sequences and information sets of both players, plus the two
    empty sequences and their constraints) cubed: about as many pivots as rows, each a rank-one
    update of the basis inverse."""
    rows = 4 + len(game.infosets) + int(game._action_offset[-1])  # each set, and its actions
    return float(rows) ** 3


SOLVER = SolverInfo(
    name="sequence_form",
    concepts=frozenset({"nash"}),
    kinds=frozenset({"extensive"}),
    run=run,
    options=SequenceFormOptions,
    finds="one",
    min_players=2,
    max_players=2,
    applicable=_applicable,
    estimate=_estimate,
    description="one Nash equilibrium of a 2-player extensive game with perfect recall: "
                "sequence-form LCP by Lemke's algorithm (Koller-Megiddo-von Stengel)",
)
