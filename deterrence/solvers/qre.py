"""Logit quantal-response equilibrium: the principal branch, the point at a given precision, the limit.

Normal-form games (N players): ``sigma_i = softmax(lambda_i * u_i(., sigma_-i))``.
Extensive-form games: the *agent* logit QRE (McKelvey & Palfrey 1998): at every
information set the mover's choice probabilities are the logit response to the expected
payoffs of its actions, with beliefs from the realisation probabilities (every
information set is reached under a full-support profile).

The principal branch starts at the centroid (``lambda = 0``) and is traced by a
predictor–corrector continuation method in ``(lambda, log-odds)`` (Turocy 2005; the method
of Gambit's ``logit``), with step-size control (Allgower & Georg 1990): the compiled logit
tracing of :mod:`deterrence.solvers._logit`, shared with the ``homotopy`` Nash solver.
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

Scale: ``lambda`` is in the units of the game's payoffs, as in the definition, so the QRE of
``a * G + b`` (``a > 0``) at ``lam / a`` is the QRE of ``G`` at ``lam``, and both have the same
limit. ``solve`` does not rescale a badly scaled game for QRE as it does for the other
concepts (a player's own unit would change its precision); the tracing takes each player's
payoffs less their shift (exact; the logit response ignores a constant) divided by one common
range, and converts its path parameter back to ``lambda``.

Solver options (``solve(game, "qre", lam=..., **options)``): see :class:`QREOptions`. Besides
``"logit"``, :func:`qre_at` and :func:`qre_branch` take ``link="probit"`` on games whose choices
all have two actions (``p = Phi(lambda * (v_1 - v_0))``; the ``games`` R package's agent probit
is ``lambda = 1/sqrt(2)``; that link is traced by the pure-Python follower of
:mod:`deterrence.solvers._qre_path`, which is also the test oracle of the compiled logit path).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import OptionError, ParameterError, SolverError, UnsupportedError
from . import _logit
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
from .base import Candidate, Clock, RawResult, SolveOptions, SolverInfo, SolverOptions

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


def _logit_game(game: Any, weights: np.ndarray) -> _logit.LogitGame:
    """The game's arrays for the compiled logit tracing (after the checks of :func:`_oracle_check`)."""
    _oracle_check(game)
    return _logit.logit_game(game, weights)


def _oracle_check(game: Any) -> None:
    """Raise :class:`~deterrence.UnsupportedError` for a tree the agent QRE does not serve."""
    reason = _applicable(game) if game.kind == "extensive" else None
    if reason is not None:
        raise UnsupportedError(reason)


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
    w, t = _ray(lam, game.num_players)
    if link == "logit":
        lg = _logit_game(game, w)
        if lg.K == 0:
            return QREPoint(tuple(t * w), (), 0.0)
        path = _logit.LogitPath(lg, max_steps=max_steps)
        y = path.point_at(t)
        return QREPoint(tuple(float(x) for x in t * w), tuple(lg.split(lg.probs(y))), lg.residual(y),
                        tuple(path.bifurcations))
    oracle = _oracle(game)
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
    w, t = _ray(lam_max, game.num_players)
    if link == "logit":
        lg = _logit_game(game, w)
        path = _logit.LogitPath(lg, max_steps=max_steps)
        pts: list[np.ndarray] = []
        if lg.K and t > 0:
            path.point_at(t, record=pts)
        else:
            pts.append(path.y.copy())
        ts = np.array([y[-1] for y in pts]) / lg.scale
        probs = np.array([lg.probs(y) for y in pts]).reshape(len(pts), lg.K)
        offsets, bif = lg.goff, tuple(path.bifurcations)
    else:
        oracle = _oracle(game)
        system = _system(oracle, w, link)
        pts = []
        bif_list: list[float] = []
        if oracle.K == 0:
            pts = [system.start()]
        else:
            _trace_to(system, t, StepControl(max_steps=max_steps), record=pts, bifurcations=bif_list)
        ts = np.array([y[-1] for y in pts])
        probs = np.array([system.probs(y) for y in pts]).reshape(len(pts), oracle.K)
        offsets, bif = oracle.offsets, tuple(bif_list)
    groups = tuple(slice(int(a), int(b)) for a, b in itertools.pairwise(offsets))
    return QREBranch(lam=ts, lam_per_player=ts[:, None] * w[None, :], probs=probs, columns=_columns(game),
                     groups=groups, bifurcations=bif)


# ---------------------------------------------------------------------------- the limit
def qre_limit(
    game: Any, *, link: str = "logit", max_steps: int = 20000, record: list[np.ndarray] | None = None,
    clock: Clock | None = None,
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
        If a list is given, the branch points ``y = (coordinates, t)`` are appended to it
        (logit: ``t`` is the precision times the payoff range).
    clock
        Time limit and progress reports (logit only).

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
    lg = _logit_game(game, np.ones(game.num_players))
    if lg.K == 0:
        return QRELimit((), 0.0)
    if link == "logit":
        try:
            lim = _logit.limit(lg, settle=True, max_steps=max_steps, clock=clock, record=record)
        except SolverError as exc:
            raise SolverError(f"{exc}: try method='vertex_enumeration'") from None
        return QRELimit(lim.strategies, lim.lam_reached, lim.bifurcations, lim.settled)
    return _probit_limit(game, lg, max_steps, record)


def _probit_limit(game: Any, lg: Any, max_steps: int, record: list[np.ndarray] | None) -> QRELimit:
    """The limit of the probit branch: traced in Python, refined like the logit one."""
    oracle = _oracle(game)
    system = _system(oracle, np.ones(game.num_players), "probit")
    next_check = 64.0 / oracle.scale
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
            q = _logit.refine_near(lg, system.probs(y), t * oracle.scale)
            if q is not None and last is not None and float(np.max(np.abs(q - last[0]))) <= 1e-6:
                return QRELimit(tuple(lg.split(q)), t, tuple(bif))
            if q is not None:
                last = (q, t)
            if t * oracle.scale > 1e9:
                break
            next_check = 4.0 * t
    if last is not None:
        return QRELimit(tuple(lg.split(last[0])), last[1], tuple(bif), settled=False)
    raise SolverError(
        "the probit branch did not settle on an exact Nash equilibrium up to "
        f"lambda = {next_check:.3g}; the game may be degenerate: try method='vertex_enumeration'"
    )


# ---------------------------------------------------------------------------- solver protocol
def _applicable(game: Any) -> str | None:
    return _logit.absent_minded(game, "qre")


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


def _underflowing_set(game: Any, strategies: tuple[np.ndarray, ...]) -> str | None:
    """The first information set of a tree that Nature reaches but the profile does not in floats.

    Sets that Nature's moves alone never reach (a zero-probability chance branch) are left out:
    no profile reaches them, and the certificate says so.
    """
    if game.kind != "extensive":
        return None
    reach = game.realization_probabilities(list(strategies))
    by_chance = game.realization_probabilities([np.ones_like(s) for s in strategies])
    return next((h.name for h in game.infosets
                 if reach[list(h.nodes)].sum() <= 0 < by_chance[list(h.nodes)].sum()), None)


def _check_representable(game: Any, strategies: tuple[np.ndarray, ...], lam: Any) -> None:
    """Raise :class:`~deterrence.SolverError` if the QRE at ``lam`` leaves a set unreached in floats.

    Every information set is reached under a QRE, but at a high precision the probability can
    fall below the smallest float: the set's beliefs, and so the logit response there, can then
    not be read from the profile, and the point cannot be certified.
    """
    name = _underflowing_set(game, strategies)
    if name is not None:
        raise SolverError(
            f"at lambda={lam} the logit QRE reaches information set '{name}' with a probability below "
            "the smallest float (it rounds to 0), so the profile cannot be certified there; use a smaller "
            "lam, or lam=None for the lambda -> infinity limit (a Nash equilibrium)")


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


def _check_lam_max(opts: QREOptions) -> None:
    """Refuse ``lam_max`` where it would change nothing: it serves ``lam=None`` with ``trace=True`` only."""
    if opts.lam_max is not None and (opts.lam is not None or not opts.trace):
        why = "lam is given" if opts.lam is not None else "trace is False"
        raise OptionError(
            f"option 'lam_max' of method 'qre' sets how far trace=True follows the branch when lam=None "
            f"(the limit); here {why}, so it would change nothing: drop it, or use lam=None, trace=True",
            name="lam_max", value=opts.lam_max, method="qre")


def run(game: Any, options: SolveOptions) -> RawResult:
    """Solver entry point (see :class:`QREOptions` for the options)."""
    opts = options.of(QREOptions)
    _check_link(opts)
    _check_lam_max(opts)
    _oracle_check(game)
    n = game.num_players
    clock = options.clock("qre")
    clock.check("starting")  # before the compiled kernels load: a limit already spent stops here
    w, t = _ray(opts.lam if opts.lam is not None else 1.0, n)
    lg = _logit_game(game, w)
    if lg.K == 0:
        return RawResult(candidates=[Candidate(strategies=(), lam=opts.lam)], complete=False,
                         notes=("the game has no choices",))
    record: list[np.ndarray] | None = [] if opts.trace else None
    if opts.lam is None:
        final, bif, notes = _limit_candidate(game, lg, opts, clock, record)
    else:
        path = _logit.LogitPath(lg, max_steps=opts.max_steps, clock=clock)
        y = path.point_at(t, record=record)
        bif = tuple(path.bifurcations)
        final = Candidate(strategies=tuple(lg.split(lg.probs(y))), lam=_lam_out(t * w))
        _check_representable(game, final.strategies, final.lam)
        notes = [f"first point of the logit principal branch at lambda={_lam_out(t * w)} "
                 f"(fixed-point residual {lg.residual(y):.2g})"]
    if bif:
        notes.append(
            "the branch passed bifurcation point(s) near lambda=" + ", ".join(f"{b:.4g}" for b in bif)
            + "; other QRE branches split off there and the tracer kept to the continuation of "
            "its own branch (the game is not generic, e.g. symmetric)")
    cands = [final]
    if record is not None:
        cands += _trace_candidates(game, lg, record[:-1] if opts.lam is not None else record, notes)
    return RawResult(candidates=cands, complete=False, degenerate=None, notes=tuple(notes))


def _limit_candidate(game: Any, lg: Any, opts: QREOptions, clock: Clock,
                     record: list[np.ndarray] | None) -> tuple[Candidate, tuple[float, ...], list[str]]:
    """The lambda -> infinity limit as a candidate, with its notes."""
    agent = game.kind == "extensive" and not game.has_perfect_recall()
    lim = qre_limit(game, max_steps=opts.max_steps, record=record, clock=clock)
    notes: list[str] = []
    if not lim.settled:
        notes.append(
            "the branch approaches a continuum of equilibria (a degenerate game) too slowly to settle "
            f"by lambda={lim.lam_reached:.4g}; the equilibrium returned is exact but is only near the limit")
    if record is not None and opts.lam_max is not None and record[-1][-1] < opts.lam_max * lg.scale:
        record.clear()
        _logit.LogitPath(lg, max_steps=opts.max_steps, clock=clock).point_at(opts.lam_max, record=record)
    notes.append(
        f"limit of the logit principal branch (left the branch at lambda={lim.lam_reached:.4g} for the "
        "exact equilibrium on its support): a Nash equilibrium selected by the logit tracing procedure")
    if agent:
        notes.append(_logit.AGENT_NOTE.format(what="the limit is an equilibrium", it="it"))
    final = Candidate(strategies=lim.strategies, lam=None, label="logit limit", agent=agent)
    return final, lim.bifurcations, notes


def _trace_candidates(game: Any, lg: Any, record: list[np.ndarray], notes: list[str]) -> list[Candidate]:
    """The recorded branch points, each pulled back onto the branch, as candidates at their own lambda."""
    cands = []
    skipped = 0
    path = _logit.LogitPath(lg)
    for y in record:
        y = path.polish_at(y)
        strategies = tuple(lg.split(lg.probs(y)))
        if _underflows(game, strategies):
            skipped += 1
            continue
        cands.append(Candidate(strategies=strategies, lam=_lam_out(float(y[-1]) / lg.scale * lg.weights)))
    notes.append(f"trace: {len(cands)} branch points besides the requested one")
    if skipped:
        notes.append(
            f"trace: {skipped} branch points left out: an information set's realisation probability "
            "underflows to 0 in floating point there, so the logit response cannot be checked")
    return cands


SOLVER = SolverInfo(
    name="qre",
    concepts=frozenset({"qre"}),
    kinds=frozenset({"normal", "extensive"}),
    run=run,
    options=QREOptions,
    finds="one",
    applicable=_applicable,
    estimate=_estimate,
    stops_at_time_limit=True,
    description="logit quantal-response equilibrium: principal branch from lambda=0 by path following "
    "(agent form on trees); the point at lambda, or the lambda->infinity limit as a selection",
)

__all__ = [
    "LINKS", "SOLVER", "QREBranch", "QRELimit", "QREOptions", "QREPoint", "qre_at", "qre_branch", "qre_limit",
    "run",
]
