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
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .._jit import njit
from ..errors import SolverError
from ..game.convert import SequenceForm, plans_to_behaviour, recall_violation, sequence_form
from ._options import option
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions
from .lemke import lemke


@dataclass(frozen=True)
class _Player:
    """One player's sequences as arrays: where each information set's actions start, how many
    there are and the sequence leading to the set (information sets in the player's order)."""

    starts: np.ndarray
    n_actions: np.ndarray
    parent: np.ndarray
    size: int


def _players(sf: SequenceForm) -> tuple[_Player, _Player]:
    out = []
    for i in range(2):
        n_act = np.array([len(sf.game.infosets[h].actions) for h in sf.infosets[i]], dtype=np.int64)
        starts = 1 + np.concatenate([[0], np.cumsum(n_act)[:-1]]).astype(np.int64) if len(n_act) else n_act
        out.append(_Player(starts, n_act, np.asarray(sf.parent[i], dtype=np.int64), len(sf.sequences[i])))
    return out[0], out[1]


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


def _regret(players: tuple[_Player, _Player], A: np.ndarray, B: np.ndarray, x: np.ndarray,
            y: np.ndarray) -> float:
    """Largest gain of a unilateral deviation, by backward induction on the sequence form."""
    p1, p2 = players
    ay, bx = A @ y, B.T @ x
    _, best1 = _optimal(p1.starts, p1.n_actions, p1.parent, -ay)
    _, best2 = _optimal(p2.starts, p2.n_actions, p2.parent, -bx)
    return max(-best1 - float(x @ ay), -best2 - float(y @ bx), 0.0)


def _matrix(sf: SequenceForm, weights: np.ndarray) -> np.ndarray:
    """The sequence-form matrix with ``weights`` summed at every leaf's pair of sequences."""
    n1, n2 = sf.sizes
    flat = sf.leaf_sequences[:, 0] * n2 + sf.leaf_sequences[:, 1]
    return np.bincount(flat, weights=weights, minlength=n1 * n2).reshape(n1, n2)


def _payoffs_and_costs(sf: SequenceForm) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``A``, ``B`` and the same with payoffs mapped to ``[-2, -1]`` at every leaf (chance folded in)."""
    out = []
    u = sf.game.payoffs
    for i in range(2):
        ui = u[:, i]
        span = float(ui.max() - ui.min()) if ui.size else 0.0
        shifted = (ui - (ui.max() if ui.size else 0.0)) / (span if span > 0 else 1.0) - 1.0
        out.append(_matrix(sf, sf.leaf_weights * ui))
        out.append(_matrix(sf, sf.leaf_weights * shifted))
    return out[0], out[2], out[1], out[3]


@njit
def _uniform(starts: np.ndarray, n_actions: np.ndarray, parent: np.ndarray, size: int) -> np.ndarray:
    """The realisation plan of uniform behaviour."""
    x = np.zeros(size)
    x[0] = 1.0
    for k in range(starts.shape[0]):
        for s in range(starts[k], starts[k] + n_actions[k]):
            x[s] = x[parent[k]] / n_actions[k]
    return x


@lru_cache(maxsize=64)
def _jitter(seed: int, n1: int, n2: int) -> tuple[np.ndarray, np.ndarray]:
    """The seeded random positive vectors added to the covering vector (a stream of numbers,
    kept per seed and size: making a generator costs more than a small LCP)."""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.05, 1.0, n1), rng.uniform(0.05, 1.0, n2)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def _system(sf: SequenceForm, A: np.ndarray, B: np.ndarray, cx: np.ndarray, cy: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, int]:
    """The LCP as ``M v = rhs`` (columns ``x, y, wx, wy, z0, p, q``) and the column of ``z0``."""
    (E, e), (F, f) = sf.constraints
    n1, n2 = E.shape[1], F.shape[1]
    m1, m2 = E.shape[0], F.shape[0]
    X, Y, WX, WY = 0, n1, n1 + n2, 2 * n1 + n2
    Z0 = 2 * (n1 + n2)
    P, Q = Z0 + 1, Z0 + 1 + m1
    M = np.zeros((n1 + n2 + m1 + m2, Q + m2))
    rhs = np.zeros(M.shape[0])
    # player 1's rows: wx - E^T p + A y - cx z0 = 0; player 2's: wy - F^T q + B^T x - cy z0 = 0
    M[np.arange(n1), WX + np.arange(n1)] = 1.0
    M[:n1, P:P + m1] = -E.T
    M[:n1, Y:Y + n2] = A
    M[:n1, Z0] = -cx
    M[n1 + np.arange(n2), WY + np.arange(n2)] = 1.0
    M[n1:n1 + n2, Q:Q + m2] = -F.T
    M[n1:n1 + n2, X:X + n1] = B.T
    M[n1:n1 + n2, Z0] = -cy
    # realisation-plan equalities
    M[n1 + n2:n1 + n2 + m1, X:X + n1] = E
    rhs[n1 + n2:n1 + n2 + m1] = e
    M[n1 + n2 + m1:, Y:Y + n2] = F
    rhs[n1 + n2 + m1:] = f
    return M, rhs, Z0


def solve_lcp(sf: SequenceForm, seed: int = 0, max_pivots: int = 100_000,
              _cache: tuple | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Realisation plans ``(x, y)`` of one equilibrium and the number of pivots.

    Raises
    ------
    SolverError
        If Lemke's algorithm fails (secondary ray, singular basis, pivot limit).
    """
    players = _players(sf) if _cache is None else _cache[0]
    _, _, A, B = _payoffs_and_costs(sf) if _cache is None else _cache[1]
    p1, p2 = players
    n1, n2 = p1.size, p2.size
    # covering vector: costs against the uniform prior plus a random positive vector of the
    # same size, so that the starting best responses are unique with clear margins (a tiny
    # perturbation would create near-ties and ill-conditioned pivots)
    cx = -(A @ _uniform(p2.starts, p2.n_actions, p2.parent, n2))
    cy = -(B.T @ _uniform(p1.starts, p1.n_actions, p1.parent, n1))
    jx, jy = _jitter(seed, n1, n2)
    cx = cx + max(float(np.abs(cx).max()), 1e-3) * jx
    cy = cy + max(float(np.abs(cy).max()), 1e-3) * jy
    M, rhs, z0 = _system(sf, A, B, cx, cy)
    in1, _ = _optimal(p1.starts, p1.n_actions, p1.parent, cx)
    in2, _ = _optimal(p2.starts, p2.n_actions, p2.parent, cy)
    m1, m2 = len(p1.starts) + 1, len(p2.starts) + 1
    X, Y, WX, WY = 0, n1, n1 + n2, 2 * n1 + n2
    free = np.arange(z0 + 1, z0 + 1 + m1 + m2)
    basis = np.concatenate([free, np.where(in1, X, WX) + np.arange(n1), np.where(in2, Y, WY) + np.arange(n2)])
    complement = np.full(M.shape[1], -1, dtype=np.int64)
    complement[:n1 + n2] = np.arange(WX, WX + n1 + n2)
    complement[WX:WX + n1 + n2] = np.arange(n1 + n2)
    res = lemke(M, rhs, basis, z0, complement, free, max_pivots=max_pivots)
    x = np.clip(res.values[X:X + n1], 0.0, None)
    y = np.clip(res.values[Y:Y + n2], 0.0, None)
    return x, y, res.pivots


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
    sf = sequence_form(game)
    players = _players(sf)
    A, B, cost_a, cost_b = _payoffs_and_costs(sf)
    seed, attempts = opts.seed, opts.attempts
    best: tuple[float, np.ndarray, np.ndarray, int, int] | None = None
    errors: list[str] = []
    for k in range(max(attempts, 1)):
        try:
            x, y, pivots = solve_lcp(sf, seed=seed + k, _cache=(players, (A, B, cost_a, cost_b)))
        except SolverError as exc:
            errors.append(str(exc))
            continue
        reg = _regret(players, A, B, x, y)
        if best is None or reg < best[0]:
            best = (reg, x, y, pivots, seed + k)
        if reg <= options.tol:
            break
    if best is None:
        raise SolverError("sequence-form Lemke failed: " + "; ".join(errors))
    reg, x, y, pivots, used = best
    beh = plans_to_behaviour(sf, [x, y], tol=1e-12)
    notes = [f"Lemke on the sequence form: {pivots} pivots, {sum(sf.sizes)} sequences, seed {used}",
             "behaviour at information sets the player's own plan never reaches is uniform"]
    if reg > options.tol:
        notes.append(f"sequence-form regret {reg:.3g} exceeds the tolerance")
    return RawResult(candidates=[Candidate(strategies=tuple(beh))], complete=False, degenerate=None,
                     notes=tuple(notes))


def _applicable(game) -> str | None:
    bad = recall_violation(game)
    if bad is not None:
        return f"'sequence_form' needs perfect recall; information set '{bad}' violates it"
    return None


def _estimate(game) -> float:
    """Work estimate: rows of the LCP (sequences and information sets of both players, plus the two
    empty sequences and their constraints) cubed: about as many pivots as rows, each a rank-one
    update of the basis inverse."""
    rows = 4 + sum(1 + len(h.actions) for h in game.infosets)
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
