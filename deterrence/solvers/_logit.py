"""Logit tracing: the principal branch of a game's logit QRE, followed with the compiled kernels.

One implementation of the algorithm, used by two solvers:

* ``qre`` — the logit QRE at a precision (:meth:`LogitPath.point_at`), the branch as arrays
  (``record=``), and its limit as ``lambda -> infinity`` (:func:`limit`, ``settle=True``);
* ``homotopy`` — one Nash equilibrium of an N-player normal-form game or tree: the branch
  traced until a point near it refines to an exact equilibrium (:func:`limit`,
  ``settle=False``). On trees this is the *agent* logit QRE (McKelvey & Palfrey 1998), whose
  limit points are sequential equilibria; without perfect recall, they are equilibria of
  the agent form.

**Refinement.** At a traced point ``p`` (precision ``t``) a support is read off ``p``
(actions with probability at least ``theta`` times the largest in their group, for
``theta = 1e-3 ... 1e-12``); on that support the *indifference equations* — every action in
a group's support earns its mover the same — are solved by Newton's method in
log-probabilities, with every group whose support is one action held pure, and on trees with
the information sets that the support does not reach held at the traced behaviour (no
indifference needed there for Nash). The result is kept if it is close to ``p`` and its
regret (Nash regret; agent-form regret without perfect recall) is below ``1e-10`` of the
payoff range. On trees at ``t >= 1e4``, if an agent at a reached set gains by an action
outside the support, that action is also tried *tied* with the support, the behaviour at the
unreached sets then free (least-squares Newton): at a degenerate limit the branch plays such
an action with a probability that vanishes like ``1 / t`` and the behaviour below it only
tends to what keeps it tied, so holding that behaviour at the traced values leaves a gain of
order ``1 / t`` and no refinement certifies (seed 7027 of the tree hunt: none in 20,000 steps).

Payoffs are divided by their range for tracing (so step sizes do not depend on units); the
precision ``lambda`` of the game's own payoffs is ``t / scale``. The compiled kernels live in
:mod:`deterrence.solvers._logit_kernels`; they are compiled on first use and cached on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import SolverError
from ..game.scaling import payoff_scales
from .base import Clock


class _Kernels:
    """The compiled kernels, imported on first use (numba takes a noticeable time to import)."""

    def __getattr__(self, name: str) -> Any:
        from . import _logit_kernels

        return getattr(_logit_kernels, name)


kern = _Kernels()

_REGRET = 1e-10  # refined equilibria: largest regret, relative to the payoff range

#: what a result says about equilibria of the agent form of a tree without perfect recall
AGENT_NOTE = ("the tree lacks perfect recall: {what} of the agent form (no information set's mover "
              "gains by changing its move there alone), certified by the agent-form regret; {it} need not "
              "be a Nash equilibrium of the tree")


# ---------------------------------------------------------------------------- the game as arrays
@dataclass
class LogitGame:
    """A game's arrays for the kernels, with what the drivers need to read results.

    Attributes
    ----------
    sy
        The kernels' tuple of arrays (:data:`~deterrence.solvers._logit_kernels.Sys`).
    scale
        The payoff range the payoffs were divided by.
    goff
        Offsets of each group's actions (groups: players, or information sets).
    tree
        True for a tree (agent form).
    recall
        False for a tree without perfect recall (regret is then the agent-form regret).
    """

    game: Any
    sy: Any
    scale: float
    goff: np.ndarray
    tree: bool
    weights: np.ndarray
    recall: bool = True
    regret_args: tuple = ()
    ranges: np.ndarray = field(default_factory=lambda: np.ones(1))

    @property
    def K(self) -> int:
        return int(self.goff[-1])

    @property
    def n(self) -> int:
        """Number of log-odds coordinates (actions minus groups)."""
        return self.K - (len(self.goff) - 1)

    def split(self, p: np.ndarray) -> list[np.ndarray]:
        """One probability vector per group."""
        return [p[a:b].copy() for a, b in zip(self.goff[:-1], self.goff[1:], strict=True)]

    def probs(self, y: np.ndarray) -> np.ndarray:
        """Flat probability vector at the branch point ``y``."""
        return np.exp(kern.x_of_d(self.goff, y[: self.n]))

    @property
    def regret_mode(self) -> int:
        """0: normal form; 1: tree, Nash regret; 2: tree without perfect recall, agent-form regret."""
        return 0 if not self.tree else 1 if self.recall else 2

    def regret_arrays(self) -> tuple:
        """The arrays :func:`~._logit_kernels.tree_regret` needs (placeholders where unused)."""
        return self.regret_args or _NO_SEQUENCES

    def regret(self, p: np.ndarray) -> float:
        """Nash regret (agent-form regret without perfect recall), in scaled payoffs."""
        return float(kern.regret_of(self.sy, p, self.regret_mode, *self.regret_arrays()))

    def residual(self, y: np.ndarray) -> float:
        """Largest gap between the profile at ``y`` and the logit response to it (probabilities)."""
        x = kern.x_of_d(self.goff, y[: self.n])
        v, _ = kern.values_x(self.sy, x, False)
        lam = y[-1] * self.sy.wa
        out = 0.0
        for a, b in zip(self.goff[:-1], self.goff[1:], strict=True):
            s = lam[a:b] * v[a:b]
            q = np.exp(s - s.max())
            out = max(out, float(np.max(np.abs(q / q.sum() - np.exp(x[a:b])))))
        return out


_I0 = np.zeros(0, dtype=np.int64)
_NO_SEQUENCES = (np.zeros((1, 1), dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
_I1 = np.zeros(1, dtype=np.int64)
_F1 = np.zeros(0)
_F2 = np.zeros((0, 0))


def _weights(goff: np.ndarray, owner: np.ndarray, weights: np.ndarray) -> np.ndarray:
    sizes = np.diff(goff)
    return np.repeat(np.asarray(weights, dtype=float)[owner], sizes) if len(sizes) else np.zeros(0)


def _shifts(game: Any) -> np.ndarray:
    """Each player's payoff shift (:func:`payoff_scales`), taken off its payoffs before tracing:
    exact, and the logit response does not change when a player's payoffs move by a constant,
    but a game whose payoffs all lie near ``1e9`` would otherwise be traced in values
    ``1e9 / range`` large, where the tracing stalls in cancellation. Only the shift is taken: a
    player's unit would change its precision ``lambda`` (the QRE of ``a * G`` at ``lambda`` is
    that of ``G`` at ``a * lambda``), so all payoffs are divided by one common ``scale`` instead."""
    return np.array([float(sc.shift) for sc in payoff_scales(game)])


def _normal(game: Any, weights: np.ndarray) -> LogitGame:
    n = game.num_players
    shifts = _shifts(game).reshape((n,) + (1,) * len(game.shape))
    pay = np.stack([np.asarray(a, dtype=float) for a in game.payoffs]) - shifts
    scale = float(pay.max() - pay.min()) or 1.0
    shape = np.array(game.shape, dtype=np.int64)
    goff = np.concatenate([[0], np.cumsum(shape)]).astype(np.int64)
    owner = np.arange(n, dtype=np.int64)
    sy = kern.Sys(0, goff, owner, _weights(goff, owner, weights), shape,
                  np.ascontiguousarray((pay / scale).reshape(n, -1)),
                  _I1, np.zeros(1, dtype=np.int8), _I1, _F1, _F1, _I1, _I1, _I0, _F2, _I1, _I0, _F1,
                  np.arange(int(goff[-1]) - n + 1, dtype=np.int64))
    ranges = np.array([float(np.ptp(a)) for a in pay])
    return LogitGame(game, sy, scale, goff, tree=False, weights=weights, ranges=ranges)


def _tree(game: Any, weights: np.ndarray) -> LogitGame:
    nodes = game.nodes
    nn = len(nodes)
    sizes = [len(h.actions) for h in game.infosets]
    goff = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    owner = np.array([h.player for h in game.infosets], dtype=np.int64)
    kinds = {"decision": 0, "chance": 1, "terminal": 2}
    ntype = np.array([kinds[nd.kind] for nd in nodes], dtype=np.int8)
    parent = np.array([nd.parent for nd in nodes], dtype=np.int64)
    set_of = np.array([nd.infoset if nd.kind == "decision" else -1 for nd in nodes], dtype=np.int64)
    edge_act = np.full(nn, -1, dtype=np.int64)
    c = np.ones(nn)
    for nd in nodes[1:]:
        par = nodes[nd.parent]
        if par.kind == "decision":
            edge_act[nd.index] = goff[par.infoset] + nd.action
        else:
            c[nd.index] = float(game.chance_infos[par.infoset].probs[nd.action])
    with np.errstate(divide="ignore"):
        log_c = np.log(c)
    kid_ptr = np.concatenate([[0], np.cumsum([len(nd.children) for nd in nodes])]).astype(np.int64)
    kid_idx = np.array([k for nd in nodes for k in nd.children], dtype=np.int64)
    raw = np.asarray(game.payoffs, dtype=float).reshape(-1, game.num_players)
    shifted = raw - _shifts(game) if raw.size else raw
    scale = float(shifted.max() - shifted.min()) if raw.size else 1.0
    scale = scale or 1.0
    pay = np.zeros((nn, game.num_players))
    pay[np.array(game.terminals, dtype=np.int64)] = shifted / scale
    set_ptr = np.concatenate([[0], np.cumsum([len(h.nodes) for h in game.infosets])]).astype(np.int64)
    set_nodes = np.array([v for h in game.infosets for v in h.nodes], dtype=np.int64)
    n = int(goff[-1]) - len(sizes)
    sy = kern.Sys(1, goff, owner, _weights(goff, owner, weights), _I1, _F2, parent, ntype, edge_act,
                  log_c, c, set_of, kid_ptr, kid_idx, pay, set_ptr, set_nodes, np.full(nn, -1.0),
                  np.arange(n + 1, dtype=np.int64))
    sy = sy._replace(cols=np.append(fill_reducing_order(_jacobian_pattern(sy, n)), n).astype(np.int64))
    recall = game.has_perfect_recall()
    ranges = raw.max(axis=0) - raw.min(axis=0) if raw.size else np.ones(game.num_players)
    lg = LogitGame(game, sy, scale, goff, tree=True, weights=weights, recall=recall, ranges=ranges)
    if recall:
        lg.regret_args = _sequence_arrays(game, goff, parent, edge_act, set_of, owner, set_nodes, set_ptr)
    return lg


def _jacobian_pattern(sy: Any, n: int) -> np.ndarray:
    """Where the Jacobian ``dH/dd`` (``n x n``) is nonzero at a seeded generic point (precision 1,
    log-odds drawn at random: no accidental ties of the centroid)."""
    y = np.empty(n + 1)
    y[:n] = np.random.default_rng(0).uniform(-1.0, 1.0, n)
    y[n] = 1.0
    _, jac = kern.system(sy, y, True)
    return jac[:, :n] != 0.0


def fill_reducing_order(pattern: np.ndarray) -> np.ndarray:
    """A minimum-degree elimination order of the symmetrised ``pattern`` (``n x n`` booleans).

    Eliminating the unknowns of a sparse linear system in this order (columns of its LU
    factorisation) creates few new nonzeros ("fill-in"); the solution is the same up to
    rounding in any order. Greedy: repeatedly the unknown with the fewest remaining
    neighbours (lowest index among ties), its neighbours then joined pairwise.

    Returns
    -------
    numpy.ndarray
        A permutation of ``0 ... n - 1``.
    """
    n = pattern.shape[0]
    adj = np.asarray(pattern, dtype=bool)
    adj = adj | adj.T
    np.fill_diagonal(adj, False)
    alive = np.ones(n, dtype=bool)
    degree = adj.sum(axis=1)
    order = np.empty(n, dtype=np.int64)
    for k in range(n):
        v = int(np.argmin(np.where(alive, degree, n + 1)))
        order[k] = v
        alive[v] = False
        nb = np.flatnonzero(adj[v] & alive)
        adj[v, :] = False
        adj[:, v] = False
        if nb.size:
            adj[np.ix_(nb, nb)] = True
            adj[nb, nb] = False
            degree[nb] = (adj[nb] & alive).sum(axis=1)
    return order


def _sequence_arrays(game, goff, parent, edge_act, set_of, owner, set_nodes, set_ptr) -> tuple:
    """``last[v, i]`` (player i's last own action above v), each set's first node, sets bottom-up."""
    nn, npl = len(parent), game.num_players
    last = np.full((nn, npl), -1, dtype=np.int64)
    for v in range(1, nn):
        par = parent[v]
        last[v] = last[par]
        if edge_act[v] >= 0:
            last[v, owner[set_of[par]]] = edge_act[v]
    first = set_nodes[set_ptr[:-1]] if len(set_ptr) > 1 else np.zeros(0, dtype=np.int64)
    order = np.argsort(-first, kind="stable").astype(np.int64)
    return last, first.astype(np.int64), order


def absent_minded(game: Any, method: str) -> str | None:
    """Why ``method`` cannot serve a tree with absent-mindedness (a set met twice on one path), or None."""
    if game.kind != "extensive":
        return None
    for h in game.infosets:
        for v in h.nodes:
            end = game.nodes[v].end
            if any(v < u < end for u in h.nodes):
                return (f"'{method}' needs a game without absent-mindedness; information set '{h.name}' "
                        "is met twice on one path")
    return None


def logit_game(game: Any, weights: Any = None) -> LogitGame:
    """The game's arrays for tracing along the ray ``lambda = t * weights`` (default: all ones)."""
    w = np.ones(game.num_players) if weights is None else np.asarray(weights, dtype=float)
    return _tree(game, w) if game.kind == "extensive" else _normal(game, w)


# ---------------------------------------------------------------------------- following the branch
@dataclass
class StepControl:
    """Nominal values of the step-size adaptation (Allgower & Georg 1990, §6.1), in scaled units."""

    h0: float = 0.03
    hmin: float = 1e-10
    hmax: float = 1e7
    max_dist: float = 0.1
    max_contr: float = 0.3
    max_angle: float = 0.2
    corrector_iters: int = 10

    def array(self) -> np.ndarray:
        return np.array([self.hmin, self.hmax, self.max_dist, self.max_contr, self.max_angle,
                         float(self.corrector_iters)])


class LogitPath:
    """The principal branch from the centroid, followed on demand.

    Parameters
    ----------
    lg
        The game (:func:`logit_game`).
    max_steps
        Bound on the accepted continuation steps (``SolverError`` beyond).
    clock
        Time limit and progress reports (checked between chunks of steps).
    """

    def __init__(self, lg: LogitGame, max_steps: int = 20000, clock: Clock | None = None,
                 ctl: StepControl | None = None) -> None:
        self.lg = lg
        self.max_steps = max_steps
        self.clock = clock
        self.ctl = ctl or StepControl()
        self._ctl = self.ctl.array()
        n = lg.n
        self.y = np.zeros(n + 1)
        e_t = np.zeros(n + 1)
        e_t[n] = 1.0
        self.lu, self.perm, self.tau, self.sign = kern.frame(lg.sy, self.y, e_t)
        self.h = self.ctl.h0
        self.steps = 0
        self.bifurcations: list[float] = []  # in the game's own lambda
        self._chunk = 32

    @property
    def lam(self) -> float:
        """Precision (largest player's) of the current point, in the game's payoffs."""
        return float(self.y[-1]) / self.lg.scale

    def run_until(self, t_stop: float, record: list[np.ndarray] | None = None,
                  stop_at: int | None = None) -> np.ndarray:
        """Follow the branch until ``t >= t_stop`` (scaled units); return the point before that.

        ``record``: accepted points are appended (the starting point too, on the first call).
        ``stop_at``: also stop once ``stop_at`` steps in all were taken (the current point is
        then :attr:`y`, below ``t_stop``). Where it stops does not change the branch.
        """
        import time

        if record is not None and self.steps == 0 and not record:
            record.append(self.y.copy())
        while True:
            if self.clock is not None:  # before each chunk: the first comes after the kernels' load
                self.clock.check(f"lambda={self.lam:.4g} after {self.steps} steps")
            left = self.max_steps - self.steps
            if left <= 0:
                raise SolverError(f"logit path following took more than {self.max_steps} steps "
                                  f"(reached lambda={self.lam:.6g})")
            chunk = min(self._chunk, left)
            if stop_at is not None:
                if self.steps >= stop_at:
                    return self.y.copy()
                chunk = min(chunk, stop_at - self.steps)
            t0 = time.perf_counter()
            status, y, tau, h, sign, lu, perm, yp, tp, sp, k, pts = kern.advance(
                self.lg.sy, self.y, self.tau, self.h, self.sign, self.lu, self.perm, t_stop, chunk, self._ctl,
                record is not None)
            self.y, self.tau, self.h, self.sign, self.lu, self.perm = y, tau, h, sign, lu, perm
            self.steps += int(k)
            if record is not None:
                record.extend(pts)
            if status == 2:
                raise SolverError(f"logit path following stalled at lambda={self.lam:.6g} "
                                  f"(step size below {self.ctl.hmin})")
            if status == 3:
                self.bifurcations.append(self._locate(yp, tp, sp, y) / self.lg.scale)
            if y[-1] >= t_stop:
                return yp
            if status == 1 and time.perf_counter() - t0 < 0.05:
                self._chunk = min(4 * self._chunk, 4096)

    def _locate(self, y_a: np.ndarray, tau_a: np.ndarray, sign_a: float, y_b: np.ndarray,
                iters: int = 30) -> float:
        """Scaled path parameter of the bifurcation point between ``y_a`` and ``y_b`` (bisection)."""
        lo, hi = 0.0, 1.0
        for _ in range(iters):
            mid = 0.5 * (lo + hi)
            guess = y_a + mid * (y_b - y_a)
            y, res = kern.newton_fixed_t(self.lg.sy, guess, float(guess[-1]), 1e-13, 60)
            if not res <= 1e-9:
                break
            s = kern.frame(self.lg.sy, y, tau_a)[3]
            if s * sign_a > 0:
                lo = mid
            else:
                hi = mid
        return float(y_a[-1] + 0.5 * (lo + hi) * (y_b[-1] - y_a[-1]))

    def point_at(self, lam: float, record: list[np.ndarray] | None = None) -> np.ndarray:
        """The first point of the branch at precision ``lam`` (game units), polished by Newton."""
        t = float(lam) * self.lg.scale
        if t <= self.y[-1] and self.steps == 0:
            return self.y.copy()
        prev = self.run_until(t, record)
        y = self.y
        s = (t - prev[-1]) / (y[-1] - prev[-1]) if y[-1] != prev[-1] else 1.0
        guess = prev + s * (y - prev)
        point, res = kern.newton_fixed_t(self.lg.sy, guess, t, 1e-14, 60)
        if not self._polished(point, res):
            raise SolverError(f"Newton's method did not converge to the QRE at lambda={lam:.6g} (residual "
                              f"{res:.3g} in log-odds, {self.lg.residual(point):.3g} in probabilities)")
        if record is not None and record:
            record[-1] = point
        return point

    def polish_at(self, y: np.ndarray) -> np.ndarray:
        """The branch point ``y`` pulled back onto the branch at its own precision."""
        if y[-1] <= 0:
            return y
        point, res = kern.newton_fixed_t(self.lg.sy, y, float(y[-1]), 1e-14, 60)
        return point if self._polished(point, res) else y

    def _polished(self, point: np.ndarray, res: float) -> bool:
        """True if Newton's point is the QRE: its log-odds equations hold to ``1e-10``, or its
        probabilities are the logit response to themselves within ``1e-10``.

        The second test serves large precisions: a log-odds coordinate of ``10**6`` is only
        known to its last bit, ``1.2e-10``, so the equations cannot hold to ``1e-10`` there,
        while the probabilities are exact.
        """
        return bool(res <= 1e-10 or self.lg.residual(point) <= 1e-10)


# ---------------------------------------------------------------------------- refinement
def regret_unit(lg: LogitGame) -> float:
    """The smallest positive payoff range of a player, relative to the scale (at most 1)."""
    pos = lg.ranges[lg.ranges > 0]
    return float(min(1.0, pos.min() / lg.scale)) if pos.size else 1.0


_THRESHOLDS = np.array([1.0, 1e-3, 1e-6, 1e-9, 1e-12])  # 1.0: each group's best action alone
#: scaled precision from which an unused action that gains at a refined profile is tried tied
#: with the support, the sets below it free (:func:`~._logit_kernels.refine_support`): near the
#: branch's limit such a gain is of order ``1 / lambda`` at a degenerate limit; at low precision
#: it more often means the branch has not reached its limit's support yet
_TIES_FROM = 1e4


def refine_near(lg: LogitGame, p: np.ndarray, t: float) -> np.ndarray | None:
    """Try the supports that the traced point ``p`` (scaled precision ``t``) suggests; the first
    exact equilibrium close to ``p``, or None (:func:`~._logit_kernels.refine_near`).

    From ``t >= 1e4`` on trees, an action outside a support that an agent gains by is also
    tried tied with the support, with the behaviour at the sets the support does not reach
    free (a degenerate limit: see :func:`~._logit_kernels._tie_refine`).
    """
    ng = len(lg.goff) - 1
    near = max(1e-3, 20.0 / max(t, 1e-300))
    max_mixed = -1 if t >= 1e4 else max(8, ng // 10)
    q, found = kern.refine_near(lg.sy, p, _THRESHOLDS, near, max_mixed, _REGRET * regret_unit(lg),
                                lg.regret_mode, *lg.regret_arrays(), t >= _TIES_FROM)
    return q if found else None


@dataclass(frozen=True)
class Limit:
    """An exact equilibrium at the end of the traced branch.

    Attributes
    ----------
    strategies
        One vector per group (player or information set).
    lam_reached
        Precision (game units) of the traced point it was refined from.
    bifurcations
        Precisions of the bifurcation points the branch passed.
    settled
        True if two refinements, a factor 4 apart in precision, agreed (the branch's limit).
    steps
        Continuation steps taken.
    early
        True if it was refined from a point met while the branch was still winding (a probe
        every ``probe_every`` steps, see :func:`limit`), not at a new largest precision:
        one certified equilibrium, not necessarily the limit of the branch.
    """

    strategies: tuple[np.ndarray, ...]
    lam_reached: float
    bifurcations: tuple[float, ...] = ()
    settled: bool = True
    steps: int = 0
    early: bool = False


def limit(lg: LogitGame, *, settle: bool, max_steps: int = 20000, clock: Clock | None = None,
          record: list[np.ndarray] | None = None, first: float | None = None,
          ctl: StepControl | None = None, max_t: float = 1e9, probe_from: int | None = None,
          probe_every: int = 32) -> Limit:
    """An exact equilibrium at the end of the principal branch.

    Parameters
    ----------
    lg
        The game.
    settle
        True: the limit of the branch (two refinements a factor 4 apart in precision must
        agree; refinements from ``t = 64``); False: the first refinement that certifies (from
        ``t = 3``, then every doubling of the precision).
    max_steps, clock, ctl
        As :class:`LogitPath`.
    record
        If a list, the branch points are appended to it.
    first
        The scaled precision of the first refinement (default 64 or 3).
    max_t
        Give up beyond this scaled precision.
    probe_from, probe_every
        Only with ``settle=False``: once the branch has taken ``probe_from`` steps, also refine
        the current point every ``probe_every`` steps, wherever its precision is (a branch
        that turns back and forth in ``lambda`` may take thousands of steps before it reaches
        a new largest precision); the first certified equilibrium found so is returned, with
        :attr:`Limit.early` set. None (default): refine only at new precisions.

    Raises
    ------
    SolverError
        If no exact equilibrium was found before the scaled precision reached ``max_t``, or
        the path could not be followed (the exception's ``path`` attribute is then the
        :class:`LogitPath` where it stopped).
    """
    path = LogitPath(lg, max_steps=max_steps, clock=clock, ctl=ctl)
    check = first if first is not None else (64.0 if settle else 3.0)
    factor = 4.0 if settle else 2.0
    last: tuple[np.ndarray, float] | None = None
    probe = None if settle else probe_from
    while True:
        try:
            path.run_until(check, record, stop_at=probe)
        except SolverError as exc:
            exc.path = path  # type: ignore[attr-defined]
            raise
        t = float(path.y[-1])
        if probe is not None and t < check:  # stopped for a probe, below the next precision
            q = refine_near(lg, lg.probs(path.y), t)
            if q is not None:
                return Limit(tuple(lg.split(q)), t / lg.scale, tuple(path.bifurcations), True, path.steps,
                             early=True)
            probe = path.steps + probe_every
            continue
        q = refine_near(lg, lg.probs(path.y), t)
        if q is not None and (not settle or (last is not None and np.max(np.abs(q - last[0])) <= 1e-6)):
            return Limit(tuple(lg.split(q)), t / lg.scale, tuple(path.bifurcations), True, path.steps)
        if q is not None:
            last = (q, t)
        if probe is not None:
            probe = max(probe, path.steps + probe_every)
        if t > max_t:
            break
        check = factor * t
        if clock is not None:
            clock.check(f"lambda={path.lam:.4g}, no exact equilibrium yet")
    if last is not None:
        q, t = last
        return Limit(tuple(lg.split(q)), t / lg.scale, tuple(path.bifurcations), False, path.steps)
    exc = SolverError(
        "the logit branch did not settle on an exact equilibrium up to "
        f"lambda = {path.lam:.3g}; the game may be degenerate")
    exc.path = path  # type: ignore[attr-defined]
    raise exc
