"""Sequential equilibria of repeated crises with a persistent private type (chain-store games).

What it serves
--------------
Trees that :mod:`deterrence.solvers._reputation_structure` recognises as a
:class:`~deterrence.game.reputation.ReputationGame`: Nature draws the long-run player's type
(resolute or weak) once; in each of N stages a new challenger stays quiet or challenges, and
after a challenge the long-run player resists or yields; all moves are public and payoffs add
up over stages. The chain store (Selten 1978; Kreps & Wilson 1982) and the catalogue's
``patron_reputation`` are such trees; so is any tree with that shape, whatever its names.

How
---
The explicit tree has ``4·3**N − 1`` nodes and the generic PBE solver would enumerate support
patterns over its ``3**N``-odd information sets (about 10¹⁰¹ operations at N = 5). This solver
works on the structure instead: the state before a stage is the stage and the public posterior
(the probability of the resolute type), and a backward recursion over stages
(:mod:`deterrence.solvers._reputation_recursion`) finds the equilibrium play at every posterior,
in exact rational arithmetic, in ``O(N²)`` operations. The equilibrium is the one in which the
resolute type always resists and the weak type resists for sure, mixes (so that the posterior
after a resist is the next challenger's point of indifference, where that challenger mixes to
make the weak type indifferent) or yields; a yield reveals the weak type. For the chain store this
is Kreps and Wilson's sequential equilibrium (entry iff ``p < b**n`` with ``n`` markets to go,
the weak incumbent fights with probability ``p(1 − b**(n−1))/((1 − p) b**(n−1))``, the next entrant
stays out with probability ``1/a`` at the threshold).

The equilibrium is written back on the tree: at every information set the behaviour of its
state and the belief ``(q, 1 − q)`` over its two nodes; :func:`deterrence.solve` certifies it on
the tree like any other candidate. Off the path a yield reveals the weak type (posterior 0)
and a type Nature never draws keeps belief 0; with two types, such beliefs updated by Bayes'
rule wherever possible are those of a sequential equilibrium (Fudenberg & Tirole 1991).

Games too large for any tree are solved in compact form with
:func:`deterrence.solve_reputation` (certified by
:func:`deterrence.certificates.certify_reputation` on the recursion's states).

Result: one equilibrium (``complete=False``: other PBE may exist, e.g. under ``free`` beliefs).
Option ``belief_policy``: ``free`` and ``d1`` accept these beliefs (``d1`` selects them in the
chain store; see ``docs/discussion/derivations.md#chain-store``); ``prior`` is not served.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..equilibrium import BELIEF_POLICIES
from ..errors import UnsupportedError
from ..game.extensive import ExtensiveFormGame
from ._options import option
from ._reputation_recursion import MarkovProfile, solve_recursion
from ._reputation_structure import Structure, detect
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions


@dataclass(frozen=True)
class ReputationOptions(SolverOptions):
    """Options of ``reputation``.

    Parameters
    ----------
    belief_policy
        The off-path belief policy the caller asks for: ``"free"`` and ``"d1"`` are served
        (the solver's beliefs are consistent ones; see the module documentation), ``"prior"``
        is not (its beliefs after a yield are Nature's odds, not a revealed weak type).
    """

    belief_policy: str = option("free", choices=BELIEF_POLICIES)


def _applicable(game: ExtensiveFormGame) -> str | None:
    found = detect(game)
    return found if isinstance(found, str) else None


def _estimate(game: ExtensiveFormGame) -> float:
    found = detect(game)
    n = found.game.num_stages if isinstance(found, Structure) else 1
    return float(len(game.nodes)) * 20.0 + 200.0 * n * n


def _branch_of(game: ExtensiveFormGame) -> np.ndarray:
    """For every node, the index of the root's branch (type) it lies under."""
    out = np.zeros(len(game.nodes), dtype=np.int64)
    second = game.nodes[game.nodes[0].children[1]].index
    out[second:] = 1
    return out


def _posteriors(struct: Structure, profile: MarkovProfile) -> dict[tuple[int, ...], Fraction]:
    """The public posterior after every public history that some information set follows."""
    out: dict[tuple[int, ...], Fraction] = {(): struct.game.prior}

    def post(history: tuple[int, ...]) -> Fraction:
        hit = out.get(history)
        if hit is None:
            hit = profile.posterior(len(history) - 1, post(history[:-1]), history[-1])
            out[history] = hit
        return hit

    for _, hist in struct.challenger_sets.values():
        post(hist)
    for _, _, hist in struct.long_run_sets.values():
        post(hist)
    return out


def profile_candidate(game: ExtensiveFormGame, struct: Structure, profile: MarkovProfile) -> Candidate:
    """The equilibrium as behaviour and beliefs on the explicit tree (exact values attached)."""
    posts = _posteriors(struct, profile)
    branch = _branch_of(game)
    exact: list[tuple[Fraction, ...]] = [()] * len(game.infosets)
    beliefs: list[np.ndarray] = [np.ones(1)] * len(game.infosets)
    for h, (k, hist) in struct.challenger_sets.items():
        q = posts[hist]
        quiet = profile.play(k, q)[0]
        pair = [Fraction(0), Fraction(0)]
        pair[struct.challenge_order[0]], pair[struct.challenge_order[1]] = quiet, 1 - quiet
        exact[h] = tuple(pair)
        nodes = game.infosets[h].nodes
        beliefs[h] = np.array([float(q if branch[v] == struct.type_branch[0] else 1 - q) for v in nodes])
    for h, (t, k, hist) in struct.long_run_sets.items():
        resist = profile.play(k, posts[hist])[1 + t]
        pair = [Fraction(0), Fraction(0)]
        pair[struct.response_order[0]], pair[struct.response_order[1]] = resist, 1 - resist
        exact[h] = tuple(pair)
    strategies = tuple(np.array([float(x) for x in e]) for e in exact)
    return Candidate(strategies=strategies, beliefs=tuple(beliefs), exact=tuple(exact), label="reputation")


def solved_structure(game: ExtensiveFormGame) -> tuple[Structure, MarkovProfile]:
    """The tree's reputation structure (:func:`detect`) and its solved Markov profile: the
    structure as read first, or its alternative reading of the types when the recursion refuses
    the first (``UnsupportedError`` when the tree has no such structure or neither reading
    solves)."""
    struct = detect(game)
    if isinstance(struct, str):
        raise UnsupportedError(struct, methods=("pbe",))
    try:
        return struct, MarkovProfile(solve_recursion(struct.game))
    except UnsupportedError:
        if struct.alternative is None:
            raise
        return struct.alternative, MarkovProfile(solve_recursion(struct.alternative.game))


def _run(game: ExtensiveFormGame, options: SolveOptions) -> RawResult:
    opts = options.of(ReputationOptions)
    if opts.belief_policy == "prior":
        raise UnsupportedError(
            "'reputation' computes the sequential equilibrium, whose belief after an unexpected yield "
            "is that the long-run player is weak, not the 'prior' policy's Nature's odds; use "
            "belief_policy 'free' or 'd1', or method='pbe'", methods=("pbe",))
    struct, profile = solved_structure(game)
    notes = (
        f"reputation: {struct.game.num_stages} stage(s) solved on (stage, public posterior); the "
        f"'{struct.game.types[0]}' type always resists",
        "one sequential equilibrium (the Kreps-Wilson construction); other PBE may exist",
    )
    return RawResult(candidates=[profile_candidate(game, struct, profile)], complete=False, degenerate=None,
                     notes=notes)


SOLVER = SolverInfo(
    name="reputation",
    concepts=frozenset({"pbe"}),
    kinds=frozenset({"extensive"}),
    run=_run,
    options=ReputationOptions,
    finds="one",
    min_players=2,
    applicable=_applicable,
    estimate=_estimate,
    description="sequential equilibrium of repeated crises with a persistent private type (chain store): "
                "backward recursion on the stage and the public posterior",
)
