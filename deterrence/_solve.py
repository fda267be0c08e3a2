"""``solve()``, the front door: validate, dispatch, run, certify every candidate, wrap.

Choosing the method, checking the options and running the solver are the job of
:mod:`deterrence.solvers` (its dispatch module); certifying, of :mod:`deterrence.certificates`.
This module ties them together and builds the result objects, in one path: a badly scaled game,
or one whose payoffs span less than 1, is solved on a common scale
(:func:`deterrence.game.scaling.on_common_scale`), every candidate is
certified (two-player Nash candidates in one batch of matrix products), evaluated, and
assembled into an :class:`~deterrence.Equilibrium` by :func:`_assemble`.
"""

from __future__ import annotations

import operator
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ._jit import njit
from .certificates import (
    BimatrixCertificates,
    certify_bimatrix_profiles,
    certify_candidate,
    certify_pbe_batch,
    check_passed,
)
from .equilibrium import Certificate, Equilibrium, EquilibriumSet, instance
from .errors import GameError, ResourceError
from .game import ExtensiveFormGame, NormalFormGame
from .game._vectors import float_vectors
from .game.collective import CollectiveDefenceGame
from .game.scaling import on_common_scale
from .solvers import Candidate, CandidateArrays, SolveOptions
from .solvers._dispatch import (
    check_common,
    check_concept,
    check_game_kind,
    dedupe,
    run_auto,
)
from .solvers.base import ZERO_PROBABILITY


@dataclass(frozen=True)
class _Evaluated:
    """A certified candidate with its payoffs (one per player) and outcome probabilities."""

    candidate: Candidate
    certificate: Certificate
    strategies: tuple[np.ndarray, ...]
    payoffs: Sequence[float] | None  # trees: None, computed from ``reach`` when asked for
    outcomes: dict[str, float] | None
    reach: np.ndarray | None  # trees: the profile's realisation probabilities


def _evaluate_one(game: Any, cand: Candidate, concept: str, options: SolveOptions) -> _Evaluated:
    """Certify one candidate (SolverError if it fails) and compute its payoffs and outcomes."""
    return _evaluated(game, cand, certify_candidate(game, cand, concept, options.tol, options.exact))


def _evaluated(game: Any, cand: Candidate, cert: Certificate, reach: np.ndarray | None = None) -> _Evaluated:
    """A certified candidate with its payoffs and outcomes (a tree's: from ``reach``, its realisation
    probabilities, computed here if not given)."""
    strategies = tuple(np.asarray(s, dtype=float) for s in cand.strategies)
    if isinstance(game, NormalFormGame):
        return _Evaluated(cand, cert, strategies, game.expected_payoffs(strategies),
                          game.outcome_probabilities(strategies), None)
    profile = list(strategies)
    if not isinstance(game, ExtensiveFormGame):  # an aggregated game of a model family
        return _Evaluated(cand, cert, strategies, game.expected_payoffs(profile),
                          game.outcome_probabilities(profile), None)
    if reach is None:
        reach = game.realization_probabilities(profile)  # payoffs and outcomes from it on first access
    return instance(_Evaluated, {"candidate": cand, "certificate": cert, "strategies": strategies,
                                 "payoffs": None, "outcomes": None, "reach": reach})


def _batch_arrays(game: Any, cands: Sequence[Candidate], concept: str, options: SolveOptions
                  ) -> tuple[np.ndarray, np.ndarray] | None:
    """The candidates as stacked arrays ``(xs, ys)`` if they are certified in one batch, else ``None``:
    Nash candidates of a two-player normal form, certified in floating point, of the right sizes."""
    if not (isinstance(game, NormalFormGame) and game.num_players == 2 and concept == "nash"
            and not options.exact and len(cands) >= 1):
        return None
    if isinstance(cands, CandidateArrays):
        xs, ys = cands.strategies
    elif all(len(c.strategies) == 2 for c in cands):
        xs = np.array([np.asarray(c.strategies[0], dtype=float).reshape(-1) for c in cands], dtype=float)
        ys = np.array([np.asarray(c.strategies[1], dtype=float).reshape(-1) for c in cands], dtype=float)
    else:
        return None
    m, n = game.shape
    if xs.ndim != 2 or ys.ndim != 2 or xs.shape[1] != m or ys.shape[1] != n:
        return None
    return xs, ys


class _Fields:
    """The labelled fields of one evaluated candidate, built on first access (:meth:`Equilibrium.lazy`)."""

    __slots__ = ("beliefs", "game", "outcomes", "payoffs", "reach", "strategies")

    def __init__(self, game: Any, strategies: tuple[np.ndarray, ...], payoffs: Sequence[float] | None,
                 outcomes: dict[str, float] | None, reach: np.ndarray | None = None,
                 beliefs: Sequence[Any] | None = None) -> None:
        self.game, self.strategies, self.payoffs, self.outcomes = game, strategies, payoffs, outcomes
        self.reach = reach  # a tree's realisation probabilities, when payoffs and outcomes wait for it
        self.beliefs = beliefs  # a tree's belief vectors, when its beliefs wait for access

    def field(self, name: str, k: int) -> Any:
        if name == "beliefs":
            return None if self.beliefs is None else _tree_beliefs(self.game, self.beliefs)
        if name == "profile":
            s = self.strategies
            return self.game.labelled(s if isinstance(self.game, NormalFormGame) else list(s))
        if name == "payoffs":
            payoffs = self.payoffs
            if payoffs is None:
                payoffs = self.game.expected_payoffs(list(self.strategies), self.reach)
            return {p: float(x) for p, x in zip(self.game.players, payoffs, strict=True)}
        if self.outcomes is None:
            return self.game.outcome_probabilities(list(self.strategies), self.reach)
        return dict(self.outcomes)


class _BatchFields:
    """The fields of a batch of certified two-player equilibria, built on first access."""

    __slots__ = ("certs", "game", "probs", "xs", "ys")

    def __init__(self, game: NormalFormGame, xs: np.ndarray, ys: np.ndarray, certs: BimatrixCertificates,
                 probs: dict[str, np.ndarray]) -> None:
        self.game, self.xs, self.ys, self.certs, self.probs = game, xs, ys, certs, probs

    def field(self, name: str, k: int) -> Any:
        if name == "beliefs":
            return None
        if name == "strategies":
            return self.xs[k], self.ys[k]
        if name == "certificate":
            return self.certs.certificate(k)
        if name == "profile":
            return self.game.labelled((self.xs[k], self.ys[k]))
        if name == "payoffs":
            return {p: float(x) for p, x in zip(self.game.players, self.certs.payoffs[k], strict=True)}
        return {lab: float(v[k]) for lab, v in self.probs.items()}


def _wrap_batch(game: NormalFormGame, xs: np.ndarray, ys: np.ndarray, cands: Sequence[Candidate],
                options: SolveOptions) -> tuple[Equilibrium, ...]:
    """Certify two-player Nash candidates in one batch and wrap them (payoffs and outcomes by matrix
    products); the same checks and values as :func:`_evaluate_one` candidate by candidate
    (:func:`deterrence.certificates.certify_bimatrix_profiles`)."""
    certs = certify_bimatrix_profiles(game, xs, ys, options.tol)
    if certs.first_failed >= 0:
        check_passed(certs.certificate(certs.first_failed))
    probs = {lab: ((xs @ arr) * ys).sum(axis=1) for lab, arr in game.outcomes.items()}
    source = _BatchFields(game, xs, ys, certs, probs)
    lazy = Equilibrium.lazy
    if isinstance(cands, CandidateArrays):
        return tuple([lazy({}, source, k) for k in range(len(xs))])
    return tuple([lazy({"label": c.label, "lam": c.lam}, source, k) for k, c in enumerate(cands)])


def _beliefs(game: Any, cand: Candidate, reach: np.ndarray | None
             ) -> tuple[dict[str, dict[str, float]] | object | None, tuple[str, ...]]:
    """The candidate's beliefs by information set and node path, and the unreached information sets;
    a tree's beliefs :data:`_LATER` (:func:`_tree_beliefs` builds them on first access)."""
    if isinstance(game, NormalFormGame):
        return None, ()
    if hasattr(game, "belief_table"):  # the aggregated collective-defence game: beliefs about types
        return game.belief_table(cand.beliefs, cand.strategies)
    if reach is None:
        reach = game.realization_probabilities([np.asarray(s, dtype=float) for s in cand.strategies])
    totals = game.infoset_reach(reach).tolist()
    off_path = tuple(h.name for h, total in zip(game.infosets, totals, strict=True) if not total > 0)
    return (None if cand.beliefs is None else _LATER), off_path


#: a tree's beliefs, built when first read (:class:`_Fields`)
_LATER = object()


def _tree_beliefs(game: Any, beliefs: Sequence[Any]) -> dict[str, dict[str, float]]:
    """A tree's beliefs (one vector per information set) by information set and node path."""
    return {
        name: dict(zip(paths, np.asarray(mu, dtype=float).tolist(), strict=True))
        for (name, paths), mu in zip(_set_paths(game), beliefs, strict=True)
    }


def _set_paths(game: Any) -> list[tuple[str, tuple[str, ...]]]:
    """Each information set's name and its nodes' paths (the tree alone: kept in its ``tree_cache``)."""
    cache = getattr(game, "tree_cache", {})
    out = cache.get("set_paths")
    if out is None:
        out = cache["set_paths"] = [
            (h.name, tuple(game.nodes[v].path for v in h.nodes)) for h in game.infosets]
    return out


def _assemble(game: Any, ev: _Evaluated) -> Equilibrium:
    """The :class:`~deterrence.Equilibrium` of a certified, evaluated candidate (a tree's beliefs
    built on first access, as its profile, payoffs and outcomes)."""
    beliefs, off_path = _beliefs(game, ev.candidate, ev.reach)
    fields = {
        "certificate": ev.certificate,
        "strategies": ev.strategies,
        "beliefs": beliefs,
        "off_path": off_path,
        "label": ev.candidate.label,
        "lam": ev.candidate.lam,
    }
    later = None
    if beliefs is _LATER:
        del fields["beliefs"]
        later = ev.candidate.beliefs
    return Equilibrium.lazy(fields, _Fields(game, ev.strategies, ev.payoffs, ev.outcomes, ev.reach, later))


def certify_and_wrap(game: Any, cands: Sequence[Candidate], concept: str, options: SolveOptions
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
        if options.exact and concept != "qre":
            return _exact_equilibria(game, cands, concept, options)[0]
        arrays = _batch_arrays(game, cands, concept, options)
        if arrays is not None:
            return _wrap_batch(game, *arrays, cands, options)
        batch = _pbe_batch(game, cands, concept, options)
        if batch is not None:
            certs, reach = batch
            return tuple(_assemble(game, _evaluated(game, c, cert, r))
                         for c, cert, r in zip(cands, certs, reach, strict=True))
        return tuple(_assemble(game, _evaluate_one(game, c, concept, options)) for c in cands)
    except RecursionError:
        raise ResourceError(
            "the game tree is too deep to certify (Python recursion limit); shorten the tree or raise "
            "sys.setrecursionlimit"
        ) from None


def _exact_equilibria(game: Any, cands: Sequence[Candidate], concept: str, options: SolveOptions
                      ) -> tuple[tuple[Equilibrium, ...], int]:
    """``exact=True``: the candidates that are exact equilibria (their exact certificates passed),
    wrapped, and how many were not (left out: a solver without an exact mode proposes floats,
    which may stand for an irrational equilibrium or a near one; see :func:`solve`)."""
    kept = []
    for c in cands:
        cert = certify_candidate(game, c, concept, options.tol, True, check=False)
        if cert.passed:
            kept.append(_assemble(game, _evaluated(game, c, cert)))
    return tuple(kept), len(cands) - len(kept)


def _pbe_batch(game: Any, cands: Sequence[Candidate], concept: str, options: SolveOptions
               ) -> tuple[list[Certificate], np.ndarray] | None:
    """PBE candidates of a tree certified in floating point all at once, with their realisation
    probabilities (:func:`deterrence.certificates.certify_pbe_batch`: each certificate as
    :func:`_evaluate_one` makes it), else ``None`` (then one by one, which raises the first error)."""
    if concept != "pbe" or options.exact or not isinstance(cands, list):
        return None
    return certify_pbe_batch(game, cands, options.tol)  # None for anything but a tree


#: probabilities closer to 0 than this are reported as 0 (and the rest of their vector rescaled)
SNAP = ZERO_PROBABILITY


def snapped(cands: Any, concept: str) -> Any:
    """The candidates with float noise around 0 removed (``3.7e-17`` -> ``0``, so a pure
    equilibrium reads pure), before they are certified: every probability or belief within
    :data:`SNAP` of 0 becomes 0 and its vector is rescaled to sum to 1. Not for QRE, whose
    probabilities are all positive however small, nor for candidates a solver also gave in exact
    arithmetic (a probability of ``1e-18`` there is real). Every snapped candidate is then
    certified as it is reported."""
    if concept == "qre":
        return cands
    if isinstance(cands, CandidateArrays):
        if cands.exact is not None or not _any_noisy(cands.strategies):
            return cands
        return CandidateArrays([_snap_rows(s) for s in cands.strategies])
    if not isinstance(cands, list):
        return cands
    if _plain_without_noise(cands):
        return list(cands)
    return [
        _snapped_candidate(c)
        if isinstance(c, Candidate) and c.exact is None  # exact answers hold their zeros exactly
        else c
        for c in cands
    ]


def _plain_without_noise(cands: list[Any]) -> bool:
    """Whether :func:`_snapped_candidate` returns every candidate of the list itself, told for all at
    once: each is a :class:`Candidate` without an exact profile, its strategies and beliefs (if any)
    tuples of one-dimensional, non-empty arrays of floats (which :func:`_snap_all` keeps as they
    are), and no entry of them is within :data:`SNAP` of 0 but not 0 (one test of their
    concatenation). ``False`` sends the list candidate by candidate."""
    vectors: list[Any] = []
    for c in cands:
        if type(c) is not Candidate or c.exact is not None or type(c.strategies) is not tuple:
            return False
        vectors += c.strategies
        if c.beliefs is not None:
            if type(c.beliefs) is not tuple:
                return False
            vectors += c.beliefs
    if not vectors:
        return True
    if not float_vectors(vectors) or not min(map(len, vectors)):
        return False
    return not _has_noise(np.concatenate(vectors)[None, :], SNAP)


def _snapped_candidate(c: Candidate) -> Candidate:
    """:func:`snapped` of one candidate (the candidate itself if nothing changes)."""
    strategies = _snap_all(c.strategies)
    beliefs = None if c.beliefs is None else _snap_all(c.beliefs)
    if _same_vectors(strategies, c.strategies) and (beliefs is None or _same_vectors(beliefs, c.beliefs)):
        return c
    return replace(c, strategies=strategies, beliefs=beliefs)


def _same_vectors(snapped: tuple[Any, ...], given: Any) -> bool:
    """Whether :func:`_snap_all` gave back the tuple ``given``'s own vectors (nothing to replace)."""
    return type(given) is tuple and all(map(operator.is_, snapped, given))


@njit
def _has_noise(rows: np.ndarray, snap: float) -> bool:
    """Whether an entry of the 2-d array ``rows`` is within ``snap`` of 0 but not 0 (one pass)."""
    for r in range(rows.shape[0]):
        for c in range(rows.shape[1]):
            v = rows[r, c]
            if v != 0.0 and abs(v) < snap:
                return True
    return False


@njit
def _has_noise_pair(xs: np.ndarray, ys: np.ndarray, snap: float) -> bool:
    """:func:`_has_noise` of two arrays in one compiled call."""
    return _has_noise(xs, snap) or _has_noise(ys, snap)


def _any_noisy(parts: Sequence[np.ndarray]) -> bool:
    """Whether :func:`_noisy` holds for one of the arrays (two 2-d float arrays: one compiled call)."""
    if len(parts) == 2:
        xs, ys = parts
        if (type(xs) is np.ndarray and type(ys) is np.ndarray and xs.dtype == np.float64
                and ys.dtype == np.float64 and xs.ndim == 2 and ys.ndim == 2):
            return _has_noise_pair(xs, ys, SNAP)
    return any(_noisy(s) for s in parts)


def _noisy(rows: np.ndarray) -> bool:
    """Whether :func:`_snap_rows` would change ``rows``: float noise around 0 in a 2-d array, or
    not an array of floats (it converts)."""
    if not (isinstance(rows, np.ndarray) and rows.dtype == np.float64):
        return True
    return rows.ndim == 2 and _has_noise(rows, SNAP)


def _snap_rows(rows: np.ndarray) -> np.ndarray:
    """:func:`_snap` on every row of a stack of probability vectors (the rows themselves if no entry
    is within :data:`SNAP` of 0 but not 0: exact zeros need no snapping)."""
    rows = np.asarray(rows, dtype=float)
    if rows.ndim != 2 or not _has_noise(rows, SNAP):
        return rows
    small = np.abs(rows) < SNAP
    out = np.where(small, 0.0, rows)
    total = out.sum(axis=1, keepdims=True)
    keep = (total > 0) & ~small.all(axis=1, keepdims=True)
    return np.where(keep, out / np.where(total > 0, total, 1.0), rows)


def _snap_all(vectors: Sequence[Any]) -> tuple[Any, ...]:
    """:func:`_snap` on every vector of a profile, after one noise test of their concatenation
    (most profiles have none, and are returned as float arrays at once)."""
    arrays = [v if type(v) is np.ndarray and v.dtype == np.float64 else  # float arrays kept as they are
              np.asarray(v, dtype=float) if v is not None else v for v in vectors]
    if not arrays or any(a is None or a.ndim != 1 or a.size == 0 for a in arrays):
        return tuple(_snap(v) for v in vectors)
    if not _has_noise(np.concatenate(arrays)[None, :], SNAP):
        return tuple(arrays)
    return tuple(_snap(a) for a in arrays)


def _snap(vector: Any) -> Any:
    """One probability vector with its entries within :data:`SNAP` of 0 set to 0, rescaled."""
    if vector is None or np.ndim(vector) != 1:
        return vector
    return _snap_rows(np.asarray(vector, dtype=float)[None, :])[0]


def _left_out_note(count: int) -> str:
    """The note of an exact solve that left out candidates failing their exact certificates."""
    return (f"exact=True: {count} candidate{'s' if count != 1 else ''} of the method "
            f"{'are' if count != 1 else 'is'} no exact equilibrium (a positive exact regret: an "
            "irrational equilibrium given in floats, or a near one) and left out, so complete=False; "
            "exact=False lists equilibria certified within tol")


def _model_hint(value: Any) -> str:
    """What to do when a model or a name, not a game, was passed to :func:`solve` (else "")."""
    if isinstance(value, (str, os.PathLike)):
        name = os.fspath(value)
        if name.lower().endswith((".efg", ".nfg")):
            return f": read the file first, dt.solve(dt.read_game({name!r}))"
        return f": load the model and fix its parameters first, dt.solve(dt.load_model({name!r}).game(...))"
    if not callable(getattr(value, "game", None)) or not hasattr(value, "parameters"):
        return ""
    concept = getattr(value, "default_concept", "pbe")
    return (f": a model has parameters, a game has numbers; fix them first with model.game(...), "
            f"e.g. dt.solve(model.game(), concept={concept!r}) at the defaults, or "
            f"model.game({next(iter(value.parameters), 'NAME')}=...) to set one")


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
        List exact equilibria only (of the game with its payoffs, floats included, taken as the
        exact rationals they are): every certificate is exact (:func:`~deterrence.certify`
        with ``exact=True``: regret and Bayes error exactly 0, ``tol`` allows none), methods
        with an exact mode compute in rational arithmetic (``vertex_enumeration``,
        ``support_enumeration``, ``lemke_howson``, ``pure``), and a candidate of another method
        that is no exact equilibrium (an irrational one given in floats) is left out, with a
        note and ``complete=False``.
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
    started = time.perf_counter()  # time_limit counts from here: choosing and scaling are part of the solve
    if not isinstance(game, (NormalFormGame, ExtensiveFormGame, CollectiveDefenceGame)):
        raise GameError(f"solve() takes a NormalFormGame, an ExtensiveFormGame or a CollectiveDefenceGame, "
                        f"not {type(game).__name__}{_model_hint(game)}")
    check_concept(concept)
    common = check_common(tol, exact, max_work, time_limit, started)
    check_game_kind(game, concept)
    seen = on_common_scale(game, concept)  # the method is chosen, and its work estimated, on it too
    info, opts, raw = run_auto(seen, concept, method, max_work, common, options)
    cands = snapped(dedupe(raw.candidates, tol), concept)
    eqs = certify_and_wrap(game, cands, concept, opts)
    complete, notes = raw.complete, tuple(raw.notes)
    if len(eqs) < len(cands):  # exact=True: candidates that are no exact equilibrium were left out
        complete, notes = False, (*notes, _left_out_note(len(cands) - len(eqs)))
    return instance(EquilibriumSet, {  # every field, as EquilibriumSet(...) would set them
        "equilibria": eqs,
        "concept": concept,
        "method": info.name,
        "complete": complete,
        "degenerate": raw.degenerate,
        "tolerance": tol,
        "belief_policy": getattr(opts.method_options, "belief_policy", None) if concept == "pbe" else None,
        "notes": notes,
        "game": game,
    })
