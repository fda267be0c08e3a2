"""``solve()``: pick a solver for (concept, method, game), run it, certify every candidate, wrap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .certificates import certify, certify_bimatrix_batch
from .equilibrium import Equilibrium, EquilibriumSet
from .errors import GameError, ResourceError, SolverError, UnsupportedError
from .game import ExtensiveFormGame, NormalFormGame
from .solvers import registry
from .solvers.base import BELIEF_POLICIES, CONCEPTS, Candidate, SolveOptions, SolverInfo

# preference order for method="auto": (concept, kind, two_player) -> methods
_AUTO: dict[tuple[str, str, bool], tuple[str, ...]] = {
    ("nash", "normal", True): ("vertex_enumeration", "support_enumeration", "lemke_howson"),
    ("nash", "normal", False): ("polynomial", "homotopy"),
    ("nash", "extensive", True): ("enumerate_reduced", "sequence_form"),
    ("nash", "extensive", False): ("enumerate_reduced",),
    ("spe", "extensive", True): ("backward_induction",),
    ("spe", "extensive", False): ("backward_induction",),
    ("pbe", "extensive", True): ("pbe",),
    ("pbe", "extensive", False): ("pbe",),
    ("qre", "normal", True): ("qre",),
    ("qre", "normal", False): ("qre",),
    ("qre", "extensive", True): ("qre",),
    ("qre", "extensive", False): ("qre",),
}


def _serving(game: Any, concept: str) -> list[str]:
    return [name for name, info in registry().items() if info.serves(game, concept) is None]


def choose_method(game: Any, concept: str, method: str = "auto", max_work: float = 1e9) -> SolverInfo:
    """The solver ``solve`` would run for ``(game, concept, method)``.

    Raises
    ------
    UnsupportedError
        If no registered method serves the combination (the message names those that
        serve the concept for other games, or the game for other concepts).
    ResourceError
        If every serving method estimates more work than ``max_work``.
    """
    reg = registry()
    if method != "auto":
        if method not in reg:
            raise UnsupportedError(f"unknown method '{method}'", methods=tuple(_serving(game, concept)))
        info = reg[method]
        reason = info.serves(game, concept)
        if reason is not None:
            raise UnsupportedError(reason, methods=tuple(_serving(game, concept)))
        _check_work(info, game, max_work)
        return info
    prefs = _AUTO.get((concept, game.kind, game.num_players == 2), ())
    too_big: list[tuple[str, float]] = []
    for name in prefs:
        info = reg.get(name)
        if info is None or info.serves(game, concept) is not None:
            continue
        est = _estimate(info, game)
        if est > max_work:
            too_big.append((name, est))
            continue
        return info
    if too_big:
        name, est = min(too_big, key=lambda t: t[1])
        raise ResourceError(
            f"every method for {concept} on this game is estimated to need too much work "
            f"(least: '{name}', about {est:.3g} operations > max_work={max_work:.3g}); "
            "raise max_work or pick a method that finds one equilibrium",
            estimate=est,
        )
    raise UnsupportedError(
        f"no method computes {concept} equilibria of {game.num_players}-player {game.kind}-form games",
        methods=tuple(_serving(game, concept)),
    )


def _estimate(info: SolverInfo, game: Any) -> float:
    """The solver's work estimate; an estimate too large for a float counts as infinite."""
    if info.estimate is None:
        return 0.0
    try:
        return float(info.estimate(game))
    except OverflowError:
        return float("inf")


def _check_work(info: SolverInfo, game: Any, max_work: float) -> None:
    if info.estimate is None:
        return
    est = _estimate(info, game)
    if est > max_work:
        raise ResourceError(
            f"method '{info.name}' is estimated to need about {est:.3g} operations on this game, "
            f"more than max_work={max_work:.3g}; raise max_work to run it anyway",
            estimate=est,
        )


def _flat(c: Candidate) -> np.ndarray:
    parts = [np.asarray(s, dtype=float).ravel() for s in c.strategies]
    if c.beliefs is not None:
        parts += [np.asarray(b, dtype=float).ravel() for b in c.beliefs]
    return np.concatenate(parts) if parts else np.zeros(0)


def _dedupe(cands: list[Candidate], tol: float) -> list[Candidate]:
    """Drop candidates equal (within tolerance) to an earlier one: one vectorised test per candidate."""
    atol = max(tol, 1e-9) * 10
    out: list[Candidate] = []
    kept: list[np.ndarray] = []
    for c in cands:
        v = _flat(c)
        if kept and len(kept[0]) == len(v):
            diff = np.abs(np.asarray(kept) - v).max(axis=1)
            if (diff <= atol).any():
                continue
        out.append(c)
        kept.append(v)
    return out


def wrap(game: Any, cand: Candidate, concept: str, options: SolveOptions) -> Equilibrium:
    """Certify one candidate and wrap it as an :class:`Equilibrium`.

    Raises
    ------
    SolverError
        If the candidate fails certification.
    """
    cert = certify(
        game,
        cand.strategies,
        concept=concept,
        beliefs=cand.beliefs,
        tol=options.tol,
        exact=options.exact,
        lam=cand.lam if cand.lam is not None else options.lam,
        exact_strategies=cand.exact,
    )
    if not cert.passed:
        raise SolverError(
            f"a {concept} candidate failed certification (regret {cert.regret:.3g}, Bayes error "
            f"{cert.bayes_error:.3g}, QRE residual {cert.qre_residual:.3g}, tolerance {cert.tolerance:.3g}); "
            "this is a bug in the solver or a numerically hard game: try exact=True or another method"
        )
    strategies = tuple(np.asarray(s, dtype=float) for s in cand.strategies)
    if isinstance(game, NormalFormGame):
        profile = game.labelled(strategies)
        pay = game.expected_payoffs(strategies)
        outcomes = game.outcome_probabilities(strategies)
        beliefs = None
        off_path: tuple[str, ...] = ()
    else:
        beh = list(strategies)
        profile = game.labelled(beh)
        pay = game.expected_payoffs(beh)
        outcomes = game.outcome_probabilities(beh)
        bayes = game.beliefs(beh)
        off_path = tuple(h.name for h, b in zip(game.infosets, bayes, strict=True) if b is None)
        beliefs = None
        if cand.beliefs is not None:
            beliefs = {
                h.name: {game.nodes[v].path: float(x) for v, x in zip(h.nodes, mu, strict=True)}
                for h, mu in zip(game.infosets, cand.beliefs, strict=True)
            }
    return Equilibrium(
        profile=profile,
        payoffs={p: float(x) for p, x in zip(game.players, pay, strict=True)},
        outcomes=outcomes,
        certificate=cert,
        strategies=strategies,
        beliefs=beliefs,
        off_path=off_path,
        label=cand.label,
        lam=cand.lam if cand.lam is not None else None,
    )


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


def wrap_bimatrix(
    game: NormalFormGame, cands: Sequence[Candidate], options: SolveOptions
) -> tuple[Equilibrium, ...]:
    """Certify Nash candidates of a two-player game in one batch and wrap them.

    Same checks and results as :func:`wrap` one candidate at a time, with the regrets, payoffs
    and outcome probabilities of all candidates computed by matrix products
    (:func:`deterrence.certificates.certify_bimatrix_batch`).

    Raises
    ------
    SolverError
        If a candidate fails certification.
    """
    xs = np.array([np.asarray(c.strategies[0], dtype=float).reshape(-1) for c in cands])
    ys = np.array([np.asarray(c.strategies[1], dtype=float).reshape(-1) for c in cands])
    certs, pay = certify_bimatrix_batch(game, xs, ys, options.tol)
    probs = {
        lab: ((xs @ np.asarray(arr, dtype=float)) * ys).sum(axis=1) for lab, arr in game.outcomes.items()
    }
    out = []
    for k, (cand, cert) in enumerate(zip(cands, certs, strict=True)):
        if not cert.passed:
            raise SolverError(
                f"a nash candidate failed certification (regret {cert.regret:.3g}, tolerance "
                f"{cert.tolerance:.3g}); this is a bug in the solver or a numerically hard game: try "
                "exact=True or another method"
            )
        strategies = (xs[k], ys[k])
        out.append(
            Equilibrium(
                profile=game.labelled(strategies),
                payoffs={p: float(x) for p, x in zip(game.players, pay[k], strict=True)},
                outcomes={lab: float(v[k]) for lab, v in probs.items()},
                certificate=cert,
                strategies=strategies,
                beliefs=None,
                off_path=(),
                label=cand.label,
                lam=cand.lam if cand.lam is not None else None,
            )
        )
    return tuple(out)


def solve(
    game: NormalFormGame | ExtensiveFormGame,
    concept: str = "nash",
    method: str = "auto",
    *,
    tol: float = 1e-8,
    exact: bool = False,
    belief_policy: str = "free",
    lam: float | Sequence[float] | None = None,
    max_work: float = 1e9,
    **options: Any,
) -> EquilibriumSet:
    """Find the equilibria of a game and certify each one.

    Parameters
    ----------
    game
        A :class:`~deterrence.NormalFormGame` or :class:`~deterrence.ExtensiveFormGame`.
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
    belief_policy
        PBE off-path beliefs: ``"free"`` (any belief that supports the profile),
        ``"prior"`` (off-path beliefs equal the prior) or ``"d1"`` (D1-style refinement).
    lam
        QRE precision: a number or one per player; ``None`` gives the lambda -> infinity
        limit (an equilibrium selection).
    max_work
        Fail fast with :class:`~deterrence.ResourceError` if the method's work estimate
        exceeds this.
    **options
        Solver-specific options.

    Returns
    -------
    EquilibriumSet
        Certified equilibria, the method used, and whether the set is ``complete``.

    Raises
    ------
    UnsupportedError
        Unknown concept or method, or a method that does not serve this game.
    ResourceError
        The game is too large for the method.
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
    if not isinstance(game, (NormalFormGame, ExtensiveFormGame)):
        raise GameError(f"solve() takes a NormalFormGame or ExtensiveFormGame, not {type(game).__name__}")
    if concept not in CONCEPTS:
        raise UnsupportedError(f"unknown concept '{concept}'; concepts are {', '.join(CONCEPTS)}")
    if belief_policy not in BELIEF_POLICIES:
        raise UnsupportedError(
            f"unknown belief policy '{belief_policy}'; policies are {', '.join(BELIEF_POLICIES)}"
        )
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating, np.integer)) or not (
            tol > 0 and np.isfinite(tol)):
        raise SolverError(f"tol must be a positive number, got {tol!r}")
    if isinstance(max_work, bool) or not isinstance(max_work, (int, float, np.floating, np.integer)) or not (
            max_work > 0):
        raise SolverError(f"max_work must be a positive number, got {max_work!r}")
    if not isinstance(exact, bool):
        raise SolverError(f"exact must be True or False, got {exact!r}")
    if concept in ("spe", "pbe") and game.kind == "normal":
        raise UnsupportedError(
            f"{concept} needs an extensive-form game (a tree); a normal-form game has only Nash and QRE",
            methods=tuple(_serving(game, "nash")),
        )
    info = choose_method(game, concept, method, max_work)
    opts = SolveOptions(
        tol=tol, exact=exact, belief_policy=belief_policy, lam=lam, max_work=max_work, extra=dict(options)
    )
    try:
        raw = info.run(game, opts)
    except RecursionError:
        raise ResourceError(
            f"the game tree is too deep for method '{info.name}' (Python recursion limit); "
            "shorten the tree or raise sys.setrecursionlimit"
        ) from None
    cands = _dedupe(list(raw.candidates), tol)
    try:
        if _batchable(game, cands, concept, opts):
            eqs = wrap_bimatrix(game, cands, opts)
        else:
            eqs = tuple(wrap(game, c, concept, opts) for c in cands)
    except RecursionError:
        raise ResourceError(
            "the game tree is too deep to certify (Python recursion limit); shorten the tree or raise "
            "sys.setrecursionlimit"
        ) from None
    return EquilibriumSet(
        equilibria=eqs,
        concept=concept,
        method=info.name,
        complete=raw.complete,
        degenerate=raw.degenerate,
        tolerance=tol,
        belief_policy=belief_policy if concept == "pbe" else None,
        notes=tuple(raw.notes),
        game=game,
    )
