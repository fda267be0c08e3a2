"""``solve()``, the front door: validate, dispatch, run, certify every candidate, wrap.

Choosing the method, checking the options and running the solver are the job of
:mod:`deterrence.solvers` (its dispatch module); certifying, of :mod:`deterrence.certificates`.
This module ties them together and builds the result objects, in one path: a badly scaled game
is solved on a common scale (:func:`on_common_scale`), every candidate is
certified (two-player Nash candidates in one batch of matrix products), evaluated, and
assembled into an :class:`~deterrence.Equilibrium` by :func:`_assemble`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .certificates import certify_bimatrix_batch, certify_candidate, check_passed
from .equilibrium import Certificate, Equilibrium, EquilibriumSet
from .errors import GameError, ResourceError
from .game import ExtensiveFormGame, Game, NormalFormGame
from .game.collective import CollectiveDefenceGame
from .game.scaling import payoff_scales, rescaled, well_scaled
from .solvers import Candidate, SolveOptions
from .solvers._dispatch import (
    check_common,
    check_concept,
    check_game_kind,
    choice_options,
    choose,
    dedupe,
    method_options,
    run_choice,
)


@dataclass(frozen=True)
class _Evaluated:
    """A certified candidate with its payoffs (one per player) and outcome probabilities."""

    candidate: Candidate
    certificate: Certificate
    strategies: tuple[np.ndarray, ...]
    payoffs: Sequence[float]
    outcomes: dict[str, float]


def _evaluate_one(game: Any, cand: Candidate, concept: str, options: SolveOptions) -> _Evaluated:
    """Certify one candidate (SolverError if it fails) and compute its payoffs and outcomes."""
    cert = certify_candidate(game, cand, concept, options.tol, options.exact)
    strategies = tuple(np.asarray(s, dtype=float) for s in cand.strategies)
    profile = strategies if isinstance(game, NormalFormGame) else list(strategies)
    return _Evaluated(cand, cert, strategies, game.expected_payoffs(profile),
                      game.outcome_probabilities(profile))


def _batchable(game: Any, cands: list[Candidate], concept: str, options: SolveOptions) -> bool:
    """Nash candidates of a two-player normal form, certified in floating point, of the right sizes."""
    return (
        isinstance(game, NormalFormGame)
        and game.num_players == 2
        and concept == "nash"
        and not options.exact
        and len(cands) >= 1
        and all(
            len(c.strategies) == 2
            and all(np.size(s) == n for s, n in zip(c.strategies, game.shape, strict=True))
            for c in cands
        )
    )


def _evaluate_batch(game: NormalFormGame, cands: list[Candidate], options: SolveOptions) -> list[_Evaluated]:
    """Certify two-player Nash candidates in one batch; payoffs and outcomes by matrix products.

    The same checks and results as :func:`_evaluate_one` candidate by candidate
    (:func:`deterrence.certificates.certify_bimatrix_batch`).
    """
    xs = np.array([np.asarray(c.strategies[0], dtype=float).reshape(-1) for c in cands])
    ys = np.array([np.asarray(c.strategies[1], dtype=float).reshape(-1) for c in cands])
    certs, pay = certify_bimatrix_batch(game, xs, ys, options.tol)
    probs = {
        lab: ((xs @ np.asarray(arr, dtype=float)) * ys).sum(axis=1) for lab, arr in game.outcomes.items()
    }
    out = []
    for k, (cand, cert) in enumerate(zip(cands, certs, strict=True)):
        outcomes = {lab: float(v[k]) for lab, v in probs.items()}
        out.append(_Evaluated(cand, check_passed(cert), (xs[k], ys[k]), pay[k], outcomes))
    return out


def _beliefs(game: Any, cand: Candidate) -> tuple[dict[str, dict[str, float]] | None, tuple[str, ...]]:
    """The candidate's beliefs by information set and node path, and the unreached information sets."""
    if isinstance(game, NormalFormGame):
        return None, ()
    if hasattr(game, "belief_table"):  # the aggregated collective-defence game: beliefs about types
        return game.belief_table(cand.beliefs, cand.strategies)
    bayes = game.beliefs(list(np.asarray(s, dtype=float) for s in cand.strategies))
    off_path = tuple(h.name for h, b in zip(game.infosets, bayes, strict=True) if b is None)
    if cand.beliefs is None:
        return None, off_path
    beliefs = {
        h.name: {game.nodes[v].path: float(x) for v, x in zip(h.nodes, mu, strict=True)}
        for h, mu in zip(game.infosets, cand.beliefs, strict=True)
    }
    return beliefs, off_path


def _assemble(game: Any, ev: _Evaluated) -> Equilibrium:
    """The :class:`~deterrence.Equilibrium` of a certified, evaluated candidate."""
    beliefs, off_path = _beliefs(game, ev.candidate)
    profile = ev.strategies if isinstance(game, NormalFormGame) else list(ev.strategies)
    return Equilibrium(
        profile=game.labelled(profile),
        payoffs={p: float(x) for p, x in zip(game.players, ev.payoffs, strict=True)},
        outcomes=ev.outcomes,
        certificate=ev.certificate,
        strategies=ev.strategies,
        beliefs=beliefs,
        off_path=off_path,
        label=ev.candidate.label,
        lam=ev.candidate.lam,
    )


def certify_and_wrap(game: Any, cands: list[Candidate], concept: str, options: SolveOptions
                     ) -> tuple[Equilibrium, ...]:
    """Certify every candidate and wrap it as an :class:`~deterrence.Equilibrium`.

    Raises
    ------
    SolverError
        If a candidate fails certification.
    ResourceError
        If the tree is too deep to certify (Python's recursion limit).
    """
    try:
        if _batchable(game, cands, concept, options):
            evaluated = _evaluate_batch(game, cands, options)
        else:
            evaluated = [_evaluate_one(game, c, concept, options) for c in cands]
        return tuple(_assemble(game, ev) for ev in evaluated)
    except RecursionError:
        raise ResourceError(
            "the game tree is too deep to certify (Python recursion limit); shorten the tree or raise "
            "sys.setrecursionlimit"
        ) from None


#: probabilities closer to 0 than this are reported as 0 (and the rest of their vector rescaled)
SNAP = 1e-12


def snapped(cands: Any, concept: str) -> Any:
    """The candidates with float noise around 0 removed (``3.7e-17`` -> ``0``, so a pure
    equilibrium reads pure), before they are certified: every probability or belief within
    :data:`SNAP` of 0 becomes 0 and its vector is rescaled to sum to 1. Not for QRE, whose
    probabilities are all positive however small."""
    if concept == "qre" or not isinstance(cands, list):
        return cands
    return [
        replace(
            c,
            strategies=tuple(_snap(s) for s in c.strategies),
            beliefs=None if c.beliefs is None else tuple(_snap(b) for b in c.beliefs),
        )
        if isinstance(c, Candidate)
        else c
        for c in cands
    ]


def _snap(vector: Any) -> Any:
    """One probability vector with its entries within :data:`SNAP` of 0 set to 0, rescaled."""
    if vector is None:
        return None
    v = np.asarray(vector, dtype=float)
    small = np.abs(v) < SNAP
    if v.ndim != 1 or not small.any() or small.all():
        return vector
    out = np.where(small, 0.0, v)
    total = out.sum()
    return out / total if total > 0 else vector


def on_common_scale(game: Game, concept: str) -> Game:
    """The game the solver sees: a badly scaled game with each player's payoffs mapped into
    [-8, 8] (:mod:`deterrence.game.scaling`; equilibria do not change), else the game itself.

    Not for QRE, whose precision ``lam`` is in the payoffs' units. Candidates are certified, and
    their payoffs reported, on the game as given.
    """
    if concept == "qre" or not isinstance(game, (NormalFormGame, ExtensiveFormGame)):
        return game  # the aggregated games of model families keep their own parameters
    scales = payoff_scales(game)
    return game if well_scaled(scales) else rescaled(game, scales)


def solve(
    game: NormalFormGame | ExtensiveFormGame | CollectiveDefenceGame,
    concept: str = "nash",
    method: str = "auto",
    *,
    tol: float = 1e-8,
    exact: bool = False,
    max_work: float = 1e9,
    time_limit: float | None = None,
    **options: Any,
) -> EquilibriumSet:
    """Find the equilibria of a game and certify each one.

    Parameters
    ----------
    game
        A :class:`~deterrence.NormalFormGame` or :class:`~deterrence.ExtensiveFormGame`, or the
        aggregated game of a collective-defence family (``dt.load_model("collective_defence")
        .game(members=32)``; method ``collective``).
    concept
        ``"nash"``, ``"spe"`` (subgame-perfect), ``"pbe"`` (perfect Bayesian) or
        ``"qre"`` (logit quantal response).
    method
        ``"auto"`` or a solver name (see ``deterrence.solvers.registry()``), e.g.
        ``"vertex_enumeration"``, ``"support_enumeration"``, ``"lemke_howson"``, ``"pure"``.
    tol
        Certification tolerance: no player gains more than ``tol`` by deviating.
    exact
        Certify in exact rational arithmetic.
    max_work
        Fail fast with :class:`~deterrence.ResourceError` if the method's work estimate
        exceeds this. With ``method="auto"``, when every method that finds all equilibria
        exceeds it, a method that finds one runs instead and the result says so
        (``complete=False`` and a note).
    time_limit
        Seconds the solve may take (``None``: no limit). The long-running methods (``qre``,
        ``homotopy``, ``polynomial``, ``pure_agent``) stop with :class:`~deterrence.TimeLimitError`
        when it passes, and log their progress to the ``deterrence.solvers`` logger (level
        INFO) about once a second; the others run to the end and the result says if they
        took longer.
    **options
        The chosen method's own options (:func:`deterrence.solver_options` lists them), e.g.
        for ``pbe``: ``belief_policy`` (off-path beliefs: ``"free"``, ``"prior"`` or ``"d1"``),
        ``mixed``, ``max_mixed_sets``, ``seeds``; for ``qre``: ``lam`` (the precision, a number
        or one per player; ``None``: the lambda -> infinity limit), ``trace``. An option the
        method does not take, or a value of the wrong type, is an
        :class:`~deterrence.OptionError`.

    Returns
    -------
    EquilibriumSet
        Certified equilibria, the method used, and whether the set is ``complete``.

    Raises
    ------
    UnsupportedError
        Unknown concept or method, or a method that does not serve this game.
    OptionError
        An option the method does not take (a ``ParameterError`` and an ``UnsupportedError``).
    ResourceError
        The game is too large for the method (every method, with ``method="auto"``).
    TimeLimitError
        The solve ran past ``time_limit``.
    SolverError
        A candidate failed certification.

    Examples
    --------
    >>> import numpy as np, deterrence as dt
    >>> g = dt.NormalFormGame([np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])])
    >>> eqs = dt.solve(g)
    >>> len(eqs), eqs.complete
    (1, True)
    >>> eqs[0].profile["1"]
    {'1': 0.5, '2': 0.5}
    """
    if not isinstance(game, (NormalFormGame, ExtensiveFormGame, CollectiveDefenceGame)):
        raise GameError(f"solve() takes a NormalFormGame, an ExtensiveFormGame or a CollectiveDefenceGame, "
                        f"not {type(game).__name__}")
    check_concept(concept)
    common = check_common(tol, exact, max_work, time_limit)
    check_game_kind(game, concept)
    choice = choose(game, concept, method, max_work)
    info = choice.info
    opts = method_options(info, common, choice_options(choice, options))
    raw = run_choice(choice, on_common_scale(game, concept), opts)
    eqs = certify_and_wrap(game, snapped(dedupe(raw.candidates, tol), concept), concept, opts)
    return EquilibriumSet(
        equilibria=eqs,
        concept=concept,
        method=info.name,
        complete=raw.complete,
        degenerate=raw.degenerate,
        tolerance=tol,
        belief_policy=getattr(opts.method_options, "belief_policy", None) if concept == "pbe" else None,
        notes=tuple(raw.notes),
        game=game,
    )
