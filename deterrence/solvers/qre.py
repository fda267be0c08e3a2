"""Logit quantal-response equilibrium: the principal branch, the point at a given precision, the limit.

Normal-form games (N players): ``sigma_i = softmax(lambda_i * u_i(., sigma_-i))``.
Extensive-form games: the *agent* logit QRE (McKelvey & Palfrey 1998): at every
information set the mover's choice probabilities are the logit response to the expected
payoffs of its actions, with beliefs from the realisation probabilities (every
information set is reached under a full-support profile).

The principal branch starts at the centroid (``lambda = 0``) and is traced by a
predictor–corrector continuation method in ``(lambda, log-probabilities)`` (Turocy 2005;
the method of Gambit's ``logit``), with step-size control (Allgower & Georg 1990).
Precision may differ by player: the branch then follows the ray ``lambda = t * w`` with
``w = lam / max(lam)``.

* ``lam`` a number or one per player: trace to the first crossing of ``lam``, then polish
  by Newton's method (logit fixed-point residual below ``1e-12``).
* ``lam=None``: trace to large ``lambda`` and return the limit of the branch — a Nash
  equilibrium *selected* by the logit tracing procedure (on generic perfect-information
  trees, the subgame-perfect equilibrium). The limit point is made exact: its support is
  read off the branch, the indifference equations on that support are solved, and the
  result is verified (non-negative, no profitable deviation). It is returned with
  ``lam=None`` and certified as a Nash equilibrium.

Solver options (``solve(game, "qre", lam=..., **options)``): see :class:`QREOptions`. Besides
``"logit"``, :func:`qre_at` and :func:`qre_branch` take ``link="probit"`` on games whose choices
all have two actions (``p = Phi(lambda * (v_1 - v_0))``; the ``games`` R package's agent probit
is ``lambda = 1/sqrt(2)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ParameterError, SolverError, UnsupportedError
from ._options import option
from ._qre_path import (
    BinarySystem,
    LogitSystem,
    NormalValues,
    StepControl,
    TreeValues,
    follow,
    locate_bifurcation,
    newton_at,
)
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions

LINKS = ("logit", "probit")


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True)
class QREPoint:
    """One quantal-response equilibrium.

    Attributes
    ----------
    lam
        Precision per player.
    strategies
        One mixed strategy per player (normal form) or behaviour vector per information
        set (extensive form, ``game.infosets`` order).
    residual
        Largest gap between the profile and the quantal response to it.
    bifurcations
        Values of the path parameter (the largest precision) where the branch passed a
        bifurcation point on its way (non-generic games, e.g. symmetric ones): other
        branches of quantal-response equilibria split off there, and the tracer kept to
        the continuation of the branch it was on.
    """

    lam: tuple[float, ...]
    strategies: tuple[np.ndarray, ...]
    residual: float
    bifurcations: tuple[float, ...] = ()


@dataclass(frozen=True)
class QREBranch:
    """The principal branch as arrays, for plotting.

    Attributes
    ----------
    lam
        Path parameter at each point: the largest player's precision, shape ``(m,)``.
    lam_per_player
        Precision of each player at each point, shape ``(m, N)``.
    probs
        Choice probabilities at each point, shape ``(m, K)``, columns as in ``columns``.
    columns
        ``"player:strategy"`` (normal form) or ``"player:infoset:action"`` (extensive form).
    groups
        Column slice of each player (normal form) or information set (extensive form).
    bifurcations
        Path parameter values of bifurcation points the branch passed (see :class:`QREPoint`).
    """

    lam: np.ndarray
    lam_per_player: np.ndarray
    probs: np.ndarray
    columns: tuple[str, ...]
    groups: tuple[slice, ...]
    bifurcations: tuple[float, ...] = ()

    def __len__(self) -> int:
        return len(self.lam)

    def profile(self, k: int) -> tuple[np.ndarray, ...]:
        """The profile at point ``k`` (one vector per player or information set)."""
        return tuple(self.probs[k, s].copy() for s in self.groups)


@dataclass(frozen=True)
class QRELimit:
    """The limit of the principal branch as ``lambda -> infinity``.

    Attributes
    ----------
    strategies
        The limiting Nash equilibrium, exact on its support.
    lam_reached
        Path parameter at which the branch was left for the exact solution.
    bifurcations
        Bifurcation points passed on the way (see :class:`QREPoint`).
    settled
        True if two exact solutions, at precisions a factor 4 apart, agreed to ``1e-6``;
        False if the branch approaches a continuum of equilibria too slowly (degenerate
        games): the point is then an exact equilibrium near the branch's end.
    """

    strategies: tuple[np.ndarray, ...]
    lam_reached: float
    bifurcations: tuple[float, ...] = ()
    settled: bool = True


# ---------------------------------------------------------------------------- set-up
def _oracle(game: Any) -> NormalValues | TreeValues:
    if game.kind == "normal":
        return NormalValues(game)
    reason = _applicable(game)
    if reason is not None:
        raise UnsupportedError(reason)
    return TreeValues(game)


def _lam_vector(lam: Any, n: int) -> np.ndarray:
    try:
        vec = np.full(n, float(lam)) if np.ndim(lam) == 0 else np.array([float(x) for x in lam])
    except (TypeError, ValueError):
        raise ParameterError(
            f"lam must be a number or one number per player, got {lam!r}",
            name="lam",
            value=lam,
            domain="[0, inf)",
        ) from None
    if vec.shape != (n,):
        raise ParameterError(
            f"lam gives {vec.size} precisions for a game of {n} players",
            name="lam",
            value=lam,
            domain=f"a number or {n} numbers",
        )
    if not np.all(np.isfinite(vec)) or np.any(vec < 0):
        raise ParameterError(
            f"lam must be finite and non-negative, got {lam!r}", name="lam", value=lam, domain="[0, inf)"
        )
    return vec


def _system(oracle: NormalValues | TreeValues, weights: np.ndarray, link: str) -> LogitSystem | BinarySystem:
    if link == "logit":
        return LogitSystem(oracle, weights)
    if link == "probit":
        if any(n != 2 for n in oracle.sizes):
            raise UnsupportedError(
                "link='probit' needs every choice to have exactly two actions; use link='logit'"
            )
        from scipy.stats import norm  # late: scipy.stats costs half a second to import

        return BinarySystem(oracle, weights, norm.logcdf, norm.logpdf)
    raise UnsupportedError(f"unknown link {link!r}; links are {', '.join(LINKS)}")


def _ray(lam: Any, n: int) -> tuple[np.ndarray, float]:
    """Weights ``w`` (max 1) and the target ``t`` with ``lam = t * w``."""
    vec = _lam_vector(lam, n)
    top = float(vec.max()) if n else 0.0
    if top <= 0:
        return np.ones(n), 0.0
    return vec / top, top


def _columns(game: Any) -> tuple[str, ...]:
    if game.kind == "normal":
        return tuple(
            f"{p}:{s}" for p, names in zip(game.players, game.strategies, strict=True) for s in names
        )
    return tuple(f"{game.players[h.player]}:{h.name}:{a}" for h in game.infosets for a in h.actions)


def _lam_out(vec: np.ndarray) -> float | tuple[float, ...]:
    return float(vec[0]) if vec.size and np.all(vec == vec[0]) else tuple(float(x) for x in vec)


# ---------------------------------------------------------------------------- tracing
def _trace_to(
    system: LogitSystem | BinarySystem,
    t_target: float,
    ctl: StepControl,
    record: list[np.ndarray] | None = None,
    bifurcations: list[float] | None = None,
) -> np.ndarray:
    """The first point of the branch with ``t = t_target``, polished by Newton's method.

    Where the branch passes a bifurcation point (the orientation determinant changes
    sign), the path parameter there is appended to ``bifurcations``.
    """
    y0 = system.start()
    if t_target <= 0:
        if record is not None:
            record.append(y0)
        return y0
    prev = None
    sign, tau_prev = 0.0, None
    for y, tau, sgn in follow(system, y0, ctl):
        if prev is not None and sgn * sign < 0 and bifurcations is not None:
            bifurcations.append(locate_bifurcation(system, prev, tau_prev, sign, y))
        sign, tau_prev = (sgn if sgn != 0 else sign), tau
        if prev is not None and y[-1] >= t_target:
            s = (t_target - prev[-1]) / (y[-1] - prev[-1])
            point = newton_at(system, prev + s * (y - prev), t_target)
            if record is not None:
                record.append(point)
            return point
        if record is not None:
            record.append(y)
        prev = y
    raise SolverError("QRE path following ended unexpectedly")  # pragma: no cover


def qre_at(
    game: Any, lam: float | Sequence[float], *, link: str = "logit", max_steps: int = 20000
) -> QREPoint:
    """The quantal-response equilibrium on the principal branch at precision ``lam``.

    Parameters
    ----------
    game
        A normal-form or extensive-form game (agent QRE on trees).
    lam
        Precision: a number, or one per player.
    link
        ``"logit"`` or ``"probit"`` (two-action choices only).
    max_steps
        Bound on continuation steps.

    Returns
    -------
    QREPoint
        The first point of the principal branch at ``lam``, polished to a residual
        below about ``1e-12``.

    Examples
    --------
    >>> import numpy as np, deterrence as dt
    >>> g = dt.NormalFormGame([np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])])
    >>> [s.round(3).tolist() for s in qre_at(g, 2.0).strategies]
    [[0.5, 0.5], [0.5, 0.5]]
    """
    oracle = _oracle(game)
    w, t = _ray(lam, game.num_players)
    if oracle.K == 0:
        return QREPoint(tuple(t * w), (), 0.0)
    system = _system(oracle, w, link)
    bif: list[float] = []
    y = _trace_to(system, t, StepControl(max_steps=max_steps), bifurcations=bif)
    p = system.probs(y)
    return QREPoint(tuple(float(x) for x in t * w), tuple(oracle.split(p)), system.residual(y), tuple(bif))


def qre_branch(
    game: Any, lam_max: float | Sequence[float], *, link: str = "logit", max_steps: int = 20000
) -> QREBranch:
    """The principal branch from the centroid to ``lam_max``, as arrays for plotting.

    Parameters
    ----------
    game
        A normal-form or extensive-form game.
    lam_max
        Where to stop: a number, or one per player (the branch follows the ray
        ``lambda = t * lam_max / max(lam_max)``).
    link
        ``"logit"`` or ``"probit"``.
    max_steps
        Bound on continuation steps.

    Returns
    -------
    QREBranch
        One row per accepted continuation step; the last row is at ``lam_max``.

    Examples
    --------
    >>> import numpy as np, deterrence as dt
    >>> g = dt.NormalFormGame([np.array([[3, 0], [0, 1]]), np.array([[3, 0], [0, 1]])])
    >>> br = qre_branch(g, 5.0)
    >>> float(br.lam[0]), float(br.lam[-1]), br.columns
    (0.0, 5.0, ('1:1', '1:2', '2:1', '2:2'))
    """
    oracle = _oracle(game)
    w, t = _ray(lam_max, game.num_players)
    system = _system(oracle, w, link)
    pts: list[np.ndarray] = []
    bif: list[float] = []
    if oracle.K == 0:
        pts = [system.start()]
    else:
        _trace_to(system, t, StepControl(max_steps=max_steps), record=pts, bifurcations=bif)
    ts = np.array([y[-1] for y in pts])
    probs = np.array([system.probs(y) for y in pts]).reshape(len(pts), oracle.K)
    groups = tuple(
        slice(int(a), int(b)) for a, b in zip(oracle.offsets[:-1], oracle.offsets[1:], strict=True)
    )
    return QREBranch(
        lam=ts,
        lam_per_player=ts[:, None] * w[None, :],
        probs=probs,
        columns=_columns(game),
        groups=groups,
        bifurcations=tuple(bif),
    )


# ---------------------------------------------------------------------------- the limit
def _support_system(
    oracle: NormalValues | TreeValues, q: np.ndarray, cols: np.ndarray, skip: frozenset[int] = frozenset()
) -> tuple[np.ndarray, np.ndarray]:
    """Indifference equations on the support ``cols`` and their Jacobian in ``q[cols]``.

    Groups in ``skip`` (information sets off the path of ``q``) get no indifference
    equations: there only deviations matter, which the Nash check covers.
    """
    v, dv = oracle.jacobian(q)
    rows_f: list[float] = []
    rows_j: list[np.ndarray] = []
    in_supp = np.zeros(oracle.K, dtype=bool)
    in_supp[cols] = True
    for g, (a, b) in enumerate(zip(oracle.offsets[:-1], oracle.offsets[1:], strict=True)):
        s = np.flatnonzero(in_supp[a:b]) + a
        ref = s[0]
        for j in s[1:] if g not in skip else ():
            rows_f.append(v[j] - v[ref])
            rows_j.append(dv[j, cols] - dv[ref, cols])
        rows_f.append(q[s].sum() - 1.0)
        rows_j.append(in_supp[cols] & (oracle.group[cols] == oracle.group[a]))
    return np.array(rows_f), np.array(rows_j, dtype=float).reshape(len(rows_f), len(cols))


def _frozen_offpath(oracle: TreeValues, q: np.ndarray, p_traced: np.ndarray) -> frozenset[int]:
    """Freeze, at sets that ``q`` does not reach, the beliefs of the traced full-support point.

    Returns the indices of every information set off the path of ``q``.
    """
    reach_q = oracle.reach(q)
    reach_p = oracle.reach(p_traced)
    frozen = {}
    for h in oracle.game.infosets:
        if h.index in oracle.structurally_frozen:
            continue
        nodes = list(h.nodes)
        if reach_q[nodes].sum() <= 0:
            w = reach_p[nodes]
            frozen[h.index] = w / w.sum() if w.sum() > 0 else np.full(len(nodes), 1.0 / len(nodes))
    oracle.freeze(frozen)
    return frozenset(frozen) | oracle.structurally_frozen


def _polish_support(oracle: NormalValues | TreeValues, p: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    """Solve the indifference equations on the support ``mask`` from ``p``; verify; or None."""
    scale = oracle.scale
    cols = np.flatnonzero(mask)
    q = np.where(mask, p, 0.0)
    q = q / np.bincount(oracle.group, weights=q, minlength=oracle.num_groups)[oracle.group]
    tree = isinstance(oracle, TreeValues)
    off: frozenset[int] = frozenset()
    if tree:
        off = _frozen_offpath(oracle, q, p)
    try:
        for _ in range(40):
            f, jac = _support_system(oracle, q, cols, off)
            if not np.all(np.isfinite(f)):
                return None
            if np.max(np.abs(f), initial=0.0) <= 1e-14 * scale:
                break
            dq = np.linalg.lstsq(jac, -f, rcond=None)[0]
            q[cols] += dq
            if np.max(np.abs(dq), initial=0.0) <= 1e-16:
                break
        f, _ = _support_system(oracle, q, cols, off)
        if not np.all(np.isfinite(f)) or np.max(np.abs(f), initial=0.0) > 1e-10 * scale:
            return None
        if np.any(q[cols] < -1e-12):
            return None
        q = np.clip(q, 0.0, None)
        q = q / np.bincount(oracle.group, weights=q, minlength=oracle.num_groups)[oracle.group]
        # no action outside the support does better (sequential rationality w.r.t. the beliefs)
        v = oracle.values(q)
        for g, (a, b) in enumerate(zip(oracle.offsets[:-1], oracle.offsets[1:], strict=True)):
            inside = mask[a:b]
            gap = float(v[a:b][~inside].max(initial=-np.inf) - v[a:b][inside].max())
            slack = 1e-7 if g in off else 1e-9
            if gap > slack * scale:
                return None
        if tree and not oracle.game.has_perfect_recall():
            return q
        if oracle.regret(q) > 1e-10 * scale:
            return None
        return q
    finally:
        if tree:
            oracle.unfreeze(keep=oracle.structurally_frozen)


def _limit_from(oracle: NormalValues | TreeValues, p: np.ndarray, t: float) -> np.ndarray | None:
    """Try the supports the traced point ``p`` at ``t`` suggests; the first exact equilibrium near ``p``."""
    tried: set[bytes] = set()
    gmax = np.zeros(oracle.num_groups)
    np.maximum.at(gmax, oracle.group, p)
    near = max(1e-3, 20.0 / max(t * oracle.scale, 1e-300))
    for thr in (1e-3, 1e-6, 1e-9, 1e-12):
        mask = p >= thr * gmax[oracle.group]
        key = mask.tobytes()
        if key in tried:
            continue
        tried.add(key)
        q = _polish_support(oracle, p, mask)
        if q is not None and float(np.max(np.abs(q - p))) <= near:
            return q
    return None


def qre_limit(
    game: Any, *, link: str = "logit", max_steps: int = 20000, record: list[np.ndarray] | None = None
) -> QRELimit:
    """The limit of the principal branch as ``lambda -> infinity``: an exact Nash equilibrium.

    On trees without perfect recall the limit is an equilibrium of the agent form (no
    information set's mover gains by deviating there), which need not be a Nash equilibrium.

    Parameters
    ----------
    game
        A normal-form or extensive-form game.
    link
        ``"logit"`` or ``"probit"``.
    max_steps
        Bound on continuation steps.
    record
        If a list is given, the branch points ``y = (coordinates, t)`` are appended to it.

    Returns
    -------
    QRELimit
        The limiting equilibrium (one vector per player or information set), the
        precision at which the branch was left for the exact solution, and the
        bifurcation points passed.

    Raises
    ------
    SolverError
        If no exact equilibrium could be identified before ``lambda * payoff range`` reached
        ``1e9``.

    Examples
    --------
    >>> import numpy as np, deterrence as dt
    >>> g = dt.NormalFormGame([np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])])
    >>> [s.tolist() for s in qre_limit(g).strategies]
    [[0.0, 1.0], [0.0, 1.0]]
    """
    oracle = _oracle(game)
    if oracle.K == 0:
        return QRELimit((), 0.0)
    system = _system(oracle, np.ones(game.num_players), link)
    scale = oracle.scale
    next_check = 64.0 / scale
    bif: list[float] = []
    sign, y_prev, tau_prev = 0.0, None, None
    last: tuple[np.ndarray, float] | None = None
    for y, tau, sgn in follow(system, system.start(), StepControl(max_steps=max_steps)):
        if record is not None:
            record.append(y)
        t = float(y[-1])
        if sgn * sign < 0:
            bif.append(locate_bifurcation(system, y_prev, tau_prev, sign, y))
        sign, y_prev, tau_prev = (sgn if sgn != 0 else sign), y, tau
        if t >= next_check:
            q = _limit_from(oracle, system.probs(y), t)
            if q is not None and last is not None and float(np.max(np.abs(q - last[0]))) <= 1e-6:
                return QRELimit(tuple(oracle.split(q)), t, tuple(bif))
            if q is not None:
                last = (q, t)
            if t * scale > 1e9:
                break
            next_check = 4.0 * t
    if last is not None:
        return QRELimit(tuple(oracle.split(last[0])), last[1], tuple(bif), settled=False)
    raise SolverError(
        "the logit branch did not settle on an exact Nash equilibrium up to "
        f"lambda = {next_check:.3g}; the game may be degenerate: try method='vertex_enumeration'"
    )


# ---------------------------------------------------------------------------- solver protocol
def _applicable(game: Any) -> str | None:
    if game.kind != "extensive":
        return None
    for h in game.infosets:
        for v in h.nodes:
            end = game.nodes[v].end
            if any(v < u < end for u in h.nodes):
                return (
                    f"'qre' needs a game without absent-mindedness; information set '{h.name}' "
                    "is met twice on one path"
                )
    return None


def _estimate(game: Any) -> float:
    steps = 400.0
    if game.kind == "normal":
        k = float(sum(game.shape))
        return steps * (game.num_players**2 * float(np.prod(game.shape)) + (k + game.num_players) ** 3)
    k = float(sum(len(h.actions) for h in game.infosets))
    return steps * (len(game.nodes) * game.num_players * k + (k + len(game.infosets)) ** 3)


def _underflows(game: Any, strategies: tuple[np.ndarray, ...]) -> bool:
    """True if some information set of a tree is reached with probability 0.0 in floating point."""
    if game.kind != "extensive":
        return False
    reach = game.realization_probabilities(list(strategies))
    return any(reach[list(h.nodes)].sum() <= 0 for h in game.infosets)


@dataclass(frozen=True)
class QREOptions(SolverOptions):
    """Options of ``qre``.

    Parameters
    ----------
    lam
        Logit precision: a number, or one per player (the branch follows the ray
        ``lambda = t * w``); ``None``: the limit of the principal branch as
        ``lambda -> infinity`` (a Nash equilibrium selected by logit tracing).
    trace
        Also return the points of the branch as candidates, each certified at its own
        ``lambda``: the requested point first, then the branch from ``lambda = 0`` on.
    lam_max
        With ``lam=None`` and ``trace=True``: trace the branch at least this far.
    link
        ``"logit"``, the only link :func:`deterrence.solve` certifies (``qre_at`` and
        ``qre_branch`` also take ``"probit"``).
    max_steps
        Bound on the continuation steps.
    """

    lam: float | tuple[float, ...] | None = None
    trace: bool = False
    lam_max: float | None = option(None, minimum=0, exclusive=True)
    link: str = option("logit", choices=LINKS)
    max_steps: int = option(20000, minimum=1)


def _check_link(opts: QREOptions) -> None:
    if opts.link != "logit":
        raise UnsupportedError(
            f"solve() certifies the logit fixed point only, so 'qre' takes link='logit', not {opts.link!r}; "
            "for other links call deterrence.solvers.qre.qre_at or qre_branch directly"
        )


def run(game: Any, options: SolveOptions) -> RawResult:
    """Solver entry point (see :class:`QREOptions` for the options)."""
    opts = options.of(QREOptions)
    _check_link(opts)
    oracle = _oracle(game)
    n = game.num_players
    ctl = StepControl(max_steps=opts.max_steps)
    if oracle.K == 0:
        return RawResult(
            candidates=[Candidate(strategies=(), lam=opts.lam)],
            complete=False,
            notes=("the game has no choices",),
        )
    notes: list[str] = []
    record: list[np.ndarray] | None = [] if opts.trace else None
    if opts.lam is None:
        if game.kind == "extensive" and not game.has_perfect_recall():
            raise UnsupportedError(
                "without perfect recall the lambda -> infinity limit of the agent QRE is an equilibrium "
                "of the agent form, not necessarily Nash; give a finite lam or use concept='nash'"
            )
        system = _system(oracle, np.ones(n), "logit")
        lim = qre_limit(game, max_steps=opts.max_steps, record=record)
        strategies, reached, bif = lim.strategies, lim.lam_reached, lim.bifurcations
        if not lim.settled:
            notes.append(
                "the branch approaches a continuum of equilibria (a degenerate game) too slowly to settle "
                f"by lambda={reached:.4g}; the equilibrium returned is exact but is only near the limit"
            )
        if record is not None and opts.lam_max is not None and record[-1][-1] < opts.lam_max:
            record.clear()
            _trace_to(system, opts.lam_max, ctl, record=record)
        final = Candidate(strategies=strategies, lam=None, label="logit limit")
        notes.append(
            f"limit of the logit principal branch (left the branch at lambda={reached:.4g} for the "
            "exact equilibrium on its support): a Nash equilibrium selected by the logit tracing procedure"
        )
    else:
        w, t = _ray(opts.lam, n)
        system = _system(oracle, w, "logit")
        bif_list: list[float] = []
        y = _trace_to(system, t, ctl, record=record, bifurcations=bif_list)
        bif = tuple(bif_list)
        final = Candidate(strategies=tuple(oracle.split(system.probs(y))), lam=_lam_out(t * w))
        notes.append(
            f"first point of the logit principal branch at lambda={_lam_out(t * w)} "
            f"(fixed-point residual {system.residual(y):.2g})"
        )
    if bif:
        notes.append(
            "the branch passed bifurcation point(s) near lambda="
            + ", ".join(f"{b:.4g}" for b in bif)
            + "; other QRE branches split off there and the tracer kept to the continuation of "
            "its own branch (the game is not generic, e.g. symmetric)"
        )
    cands = []
    if record is not None:
        skipped = 0
        for y in record[:-1] if opts.lam is not None else record:
            ty = float(y[-1])
            if ty > 0:
                y = newton_at(system, y, ty)
            strategies = tuple(oracle.split(system.probs(y)))
            if _underflows(game, strategies):
                skipped += 1
                continue
            cands.append(Candidate(strategies=strategies, lam=_lam_out(ty * system.w)))
        notes.append(f"trace: {len(cands)} branch points besides the requested one")
        if skipped:
            notes.append(
                f"trace: {skipped} branch points left out: an information set's realisation probability "
                "underflows to 0 in floating point there, so the logit response cannot be checked"
            )
    cands.insert(0, final)
    return RawResult(candidates=cands, complete=False, degenerate=None, notes=tuple(notes))


SOLVER = SolverInfo(
    name="qre",
    concepts=frozenset({"qre"}),
    kinds=frozenset({"normal", "extensive"}),
    run=run,
    options=QREOptions,
    finds="one",
    applicable=_applicable,
    estimate=_estimate,
    description="logit quantal-response equilibrium: principal branch from lambda=0 by path following "
    "(agent form on trees); the point at lambda, or the lambda->infinity limit as a selection",
)

__all__ = [
    "LINKS", "SOLVER", "QREBranch", "QRELimit", "QREOptions", "QREPoint", "qre_at", "qre_branch", "qre_limit",
    "run",
]
