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

import numpy as np

from ..errors import SolverError
from ..game.convert import SequenceForm, plans_to_behaviour, recall_violation, sequence_form
from ._options import option
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions
from .lemke import lemke


def _starts(sf: SequenceForm, player: int) -> list[int]:
    """Index of the first sequence of each of the player's information sets."""
    out, k = [], 1
    for h in sf.infosets[player]:
        out.append(k)
        k += len(sf.game.infosets[h].actions)
    return out


def optimal_plan(sf: SequenceForm, player: int, cost: np.ndarray) -> tuple[np.ndarray, float]:
    """The pure plan minimising ``cost @ x`` chosen at *every* information set (backward induction).

    Returns the support (sequence indices, one per information set plus the empty
    sequence) of the full pure strategy, and the minimal cost.
    """
    own = sf.infosets[player]
    par = sf.parent[player]
    starts = _starts(sf, player)
    after = np.zeros(len(sf.sequences[player]))
    support = [0]
    for k in reversed(range(len(own))):
        s0 = starts[k]
        n_a = len(sf.game.infosets[own[k]].actions)
        vals = cost[s0:s0 + n_a] + after[s0:s0 + n_a]
        a = int(np.argmin(vals))
        support.append(s0 + a)
        after[par[k]] += vals[a]
    return np.array(sorted(support), dtype=np.int64), float(cost[0] + after[0])


def _regret(sf: SequenceForm, A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """Largest gain of a unilateral deviation, by backward induction on the sequence form."""
    _, best1 = optimal_plan(sf, 0, -(A @ y))
    _, best2 = optimal_plan(sf, 1, -(B.T @ x))
    return max(-best1 - float(x @ A @ y), -best2 - float(x @ B @ y), 0.0)


def _costs(sf: SequenceForm) -> tuple[np.ndarray, np.ndarray]:
    """Sequence-form matrices of payoffs mapped to [-2, -1] at every leaf (chance folded in)."""
    mats = []
    idx = (sf.leaf_sequences[:, 0], sf.leaf_sequences[:, 1])
    for i in range(2):
        u = sf.game.payoffs[:, i]
        span = float(u.max() - u.min()) if u.size else 0.0
        shifted = (u - (u.max() if u.size else 0.0)) / (span if span > 0 else 1.0) - 1.0
        m = np.zeros(sf.sizes)
        np.add.at(m, idx, sf.leaf_weights * shifted)
        mats.append(m)
    return mats[0], mats[1]


def _uniform_plan(sf: SequenceForm, player: int) -> np.ndarray:
    x = np.zeros(len(sf.sequences[player]))
    x[0] = 1.0
    for h, s0, par in zip(sf.infosets[player], _starts(sf, player), sf.parent[player], strict=True):
        n_a = len(sf.game.infosets[h].actions)
        x[s0:s0 + n_a] = x[par] / n_a
    return x


def solve_lcp(sf: SequenceForm, seed: int = 0,
              max_pivots: int = 100_000) -> tuple[np.ndarray, np.ndarray, int]:
    """Realisation plans ``(x, y)`` of one equilibrium and the number of pivots.

    Raises
    ------
    SolverError
        If Lemke's algorithm fails (secondary ray, singular basis, pivot limit).
    """
    A, B = _costs(sf)
    (E, e), (F, f) = sf.constraints
    n1, n2 = E.shape[1], F.shape[1]
    m1, m2 = E.shape[0], F.shape[0]
    rng = np.random.default_rng(seed)
    # covering vector: costs against the uniform prior plus a random positive vector of the
    # same size, so that the starting best responses are unique with clear margins (a tiny
    # perturbation would create near-ties and ill-conditioned pivots)
    cx = -(A @ _uniform_plan(sf, 1))
    cy = -(B.T @ _uniform_plan(sf, 0))
    cx = cx + max(float(np.abs(cx).max()), 1e-3) * rng.uniform(0.05, 1.0, n1)
    cy = cy + max(float(np.abs(cy).max()), 1e-3) * rng.uniform(0.05, 1.0, n2)

    X, Y = 0, n1
    WX, WY = n1 + n2, 2 * n1 + n2
    Z0 = 2 * (n1 + n2)
    P, Q = Z0 + 1, Z0 + 1 + m1
    n_cols = Q + m2
    n_rows = n1 + n2 + m1 + m2
    M = np.zeros((n_rows, n_cols))
    rhs = np.zeros(n_rows)
    # player 1's rows: wx - E^T p + A y - cx z0 = 0
    M[0:n1, WX:WX + n1] = np.eye(n1)
    M[0:n1, P:P + m1] = -E.T
    M[0:n1, Y:Y + n2] = A
    M[0:n1, Z0] = -cx
    # player 2's rows: wy - F^T q + B^T x - cy z0 = 0
    M[n1:n1 + n2, WY:WY + n2] = np.eye(n2)
    M[n1:n1 + n2, Q:Q + m2] = -F.T
    M[n1:n1 + n2, X:X + n1] = B.T
    M[n1:n1 + n2, Z0] = -cy
    # realisation-plan equalities
    M[n1 + n2:n1 + n2 + m1, X:X + n1] = E
    rhs[n1 + n2:n1 + n2 + m1] = e
    M[n1 + n2 + m1:, Y:Y + n2] = F
    rhs[n1 + n2 + m1:] = f

    s1, _ = optimal_plan(sf, 0, cx)
    s2, _ = optimal_plan(sf, 1, cy)
    in1 = np.zeros(n1, dtype=bool)
    in1[s1] = True
    in2 = np.zeros(n2, dtype=bool)
    in2[s2] = True
    basis = (
        list(range(P, P + m1)) + list(range(Q, Q + m2))
        + [X + k if in1[k] else WX + k for k in range(n1)]
        + [Y + k if in2[k] else WY + k for k in range(n2)]
    )
    complement = {X + k: WX + k for k in range(n1)} | {WX + k: X + k for k in range(n1)}
    complement |= {Y + k: WY + k for k in range(n2)} | {WY + k: Y + k for k in range(n2)}
    free = list(range(P, P + m1)) + list(range(Q, Q + m2))
    res = lemke(M, rhs, basis, Z0, complement, free, max_pivots=max_pivots)
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
    A, B = sf.A, sf.B
    seed, attempts = opts.seed, opts.attempts
    best: tuple[float, np.ndarray, np.ndarray, int, int] | None = None
    errors: list[str] = []
    for k in range(max(attempts, 1)):
        try:
            x, y, pivots = solve_lcp(sf, seed=seed + k)
        except SolverError as exc:
            errors.append(str(exc))
            continue
        reg = _regret(sf, A, B, x, y)
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
    size = 2 + sum(1 + 2 * len(h.actions) for h in game.infosets)
    return float(size) ** 3


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
