"""Perfect Bayesian equilibria of small games with incomplete information.

What is computed
----------------
A PBE here is a behaviour profile with a belief at *every* information set such that

* **sequential rationality**: at every information set the mover's prescribed (possibly
  mixed) action is optimal given its belief and the continuation play of the profile
  (one-shot deviations; with perfect recall this is optimality of the continuation);
* **Bayes' rule on the path**: at information sets reached with positive probability the
  belief is the conditional distribution of the nodes;
* **own consistency**: at an unreached set that the mover reaches only by its *own* earlier
  deviation, the belief is the mover's belief at its previous set carried forward by Bayes'
  rule (a player's own deviation tells it nothing about the others). With this, one-shot
  optimality at every set is the same as optimality of the whole continuation strategy,
  which is what ``deterrence.certificates`` checks;
* **Nature's zero-probability moves** carry no belief: under every policy, a node that Nature
  reaches with probability 0 gets belief 0 when its information set has other nodes (Nature's
  probabilities are fixed, so no consistent assessment weighs it; the certificate checks this);
* **off-path beliefs** at the other unreached information sets follow the option ``belief_policy``:

  ``"free"``
      any belief (over the nodes Nature can reach) that makes the prescribed action optimal.
      The solver looks for one by a linear program over the belief simplex and reports the one
      closest (L1) to the ``prior`` belief below.
  ``"prior"``
      belief proportional to Nature's probabilities of the nodes: for node ``v`` of the
      set, the product of the chance probabilities on the path from the root to ``v``
      (players' moves count as 1). In type games this is the prior over the types the
      mover cannot tell apart. It ignores what the play after someone else's deviation
      reveals (after an unexpected entry, an acquiescence that only the Weak incumbent would
      choose still leaves the prior), so it can keep profiles that no consistent assessment
      supports, and miss those that need such a belief; ``d1`` does not (the compiled
      sweep kernels implement this policy exactly as here).
  ``"d1"``
      a D1-style refinement, operationalised for general trees as follows. For each node
      ``v`` of the unreached set ``h``, the *deviations* that lead to it are the moves on the
      path from the root that the profile plays with probability 0, each a pair
      (information set ``ι``, action ``a``); nodes reached through the same deviations form
      one *type*. A type is scored on its last deviation (the one that tells it apart from
      types sharing the earlier ones, e.g. which type of incumbent acquiesced after an
      unexpected entry), made by player ``i``: ``u*`` is ``i``'s equilibrium payoff at ``ι``
      (under the belief at ``ι``) and ``U(σ)`` its payoff from playing ``a`` at ``ι`` when
      the mover at ``h`` answers with ``σ`` (the rest of the profile fixed). The admissible
      answers are the mixtures of the actions that are a best response at ``h`` to *some*
      belief. The type's score is the share (Lebesgue measure) of admissible answers with
      ``U(σ) > u*``: the size of the set of responses for which deviating is profitable. The
      belief is concentrated on the type(s) with the largest score; on those nodes it is
      Bayes' rule after the deviations: node weights are reach probabilities under the
      profile with every deviation of the type played (Nature's probabilities if a chance
      move of probability 0 leaves them unreached even then). If no type gains for any
      admissible answer (all scores 0) the refinement does
      not bind and the same Bayes-after-deviation weights are used over *all* types, as in a
      sequential equilibrium (this, not "any belief", keeps e.g. the Kreps–Wilson
      reputation game to its sequential equilibrium). In two-type signalling games this is
      D1 (the type whose profitable-response set is larger gets the belief; the compiled sweep
      kernels refine their ``free`` equilibria by this belief, :mod:`deterrence.kernels._d1`); it reproduces
      the ``d1`` columns of the UDG examples U1–U4 and TCG-R examples T1–T4 of
      ``docs/discussion/derivations.md`` (see ``tests/test_pbe.py``).

Algorithm
---------
Actions that are conditionally strictly dominated (worse at every node of the set, whatever
follows among the actions still allowed; iterated from the last moves up) are dropped first.
Support patterns (and pure profiles) that cannot hold a PBE are skipped without being solved:
at every set each action of the support must be, at some node Nature can reach, at least as
good as every other action under the best and worst continuation the pattern allows
(:mod:`deterrence.solvers._pbe_patterns`, a depth-first search from the deepest sets up; its
list is remembered for trees of one shape whose payoffs keep their order), and at every set the
pattern reaches, the same must hold on the nodes it reaches, under Nature's odds when the
moves above are pure (:mod:`deterrence.solvers._pbe_pruning`, which also proves both sound for
every policy). Then

1. every **pure** behaviour profile is checked (beliefs by Bayes' rule or the policy);
2. every **support pattern** (a non-empty support per set) with mixing is solved: the
   indifference conditions ``Σ_v w_v(σ)·(Q_v(a) − Q_v(b)) = 0`` — ``w`` the unnormalised
   belief weights: reach probabilities on the path; off it Nature's odds (``prior``), the
   mover's own carried-forward belief, or Bayes after a chosen type's deviation (``d1``,
   one system per choice of type, the choices tested set by set and only the combinations
   of those that pass the vertex sign tests below solved) — are multilinear in the mixing
   probabilities of the *other* sets. Their coefficients are read off the pure profiles of the supports;
   patterns whose conditions cannot vanish in the box (vertex and grid sign tests, box
   contraction, or a combination of the equations with coefficients of one sign) are skipped;
   the vertex profiles of all patterns are rows of one table of the pure profiles over the
   undominated actions, evaluated once per solve (:mod:`deterrence.solvers._pbe_table`), and
   the vertex sign tests of all the patterns of a solve run in one compiled pass over each
   set's payoffs per weight spec at every row of that table
   (:mod:`deterrence.solvers._pbe_vertex`), and the float screens (grid sign test, box
   contraction) of the systems of the patterns that pass them in another
   (:mod:`deterrence.solvers._pbe_prescreen`), so that only the patterns, options and systems
   that pass them are handled one by one;
   two binary sets are solved in closed form; for larger systems the vertex values are
   recomputed exactly (:mod:`deterrence.solvers._pbe_exact`: integer-scaled rationals from the
   game's numbers, a float read as the binary rational it is), an exact row reduction rules out
   systems with a combination of one sign (of the conditions divided by their monomial factors; the
   sets of conditions found to hold a vector of one term are remembered for the tree, tested first
   at its next points, where the patterns of five or more unknowns all of whose systems hold one are
   dropped before the float screens, and the systems that hold one noted in the solve are dropped
   before they are solved), and the rest go to a lex Gröbner basis
   (sympy; factors that vanish only on the box boundary divided out),
   the real roots of its last unknown isolated exactly and extended to the others at 30 digits;
   in two-player games whose types Nature draws first and whose moves are then public
   (:mod:`deterrence.solvers._typed_structure`), a system of a pattern that mixes only where it
   reaches is first tried as the sequence form's two linear systems
   (:mod:`deterrence.solvers._pbe_typed_linear`: each player's conditions are linear in the other's
   realization plan), which answer it when each has one solution or one has none, with the roots
   the basis gives; the rest (continua among them) go on to the basis. Before all this, the
   admitted patterns of such a game that mix only where they reach and have as many free
   coordinates for one player as for the other have those two systems built and solved in floating
   point, all at once (:mod:`deterrence.solvers._pbe_typed_float`), and those whose answer clears a
   rounding bound (a nonsingular pair with a root inside the simplices, or none) are decided there.
   In those games a pattern that mixes only where it reaches, with unequal mixing dimensions of the
   two players, holds no isolated equilibrium, only none or a continuum
   (:mod:`deterrence.solvers._pbe_unbalanced`); nor, under ``d1``, does one whose on-path block has
   no root (:mod:`deterrence.solvers._pbe_blocks`): such patterns are solved after all the others,
   and only until some pattern notes a continuum, which gives the flags ``degenerate`` and
   ``complete`` of solving them all.
   Every root strictly inside the simplices is then checked like a pure profile (the roots of
   all the patterns together first at the sets they reach, where most fail: those that fail by
   more than any rounding are rejected without their beliefs being built,
   :mod:`deterrence.solvers._pbe_rootscreen`). This finds
   the semi-separating (bluffing, straddle) equilibria of signalling and screening games, and
   mixing off the path such as the Kreps–Wilson incumbent's fight probability after an unexpected entry.

Under ``free`` beliefs, mixing at unreached sets whose belief is free is not solved (the
belief there is not pinned down, so such PBE typically form continua); the result then says
``complete=False``. A belief the profile fixes is not free: the mover's own belief carried
forward (above), or at a set of which Nature reaches exactly one node (a set of one node, or
one whose other nodes lie behind a chance move of probability 0, such as a type drawn with
probability 0), the point mass on that node (every policy's belief there:
:func:`~deterrence.solvers._pbe_context.fixed_by_nature`,
:func:`~deterrence.solvers._pbe_context.belief_spec_rule`). Patterns
mixing only at such unreached sets, or at reached ones, are solved as under ``prior``.
Likewise when a pure choice at an unreached set could be replaced by a mixture (another
action optimal under some admissible belief, or tied under the policy's belief), when a
mover on the path is indifferent whatever the others do (a continuum), or when patterns were
skipped (``max_mixed_sets``). The notes say which.

Options (``solve(..., **options)``): see :class:`PBEOptions` (``belief_policy``, ``mixed``,
``max_mixed_sets``, ``seeds``). Seeds find PBE that the pattern search skips (many mixing sets)
or cannot list (points of continua); they never make the result complete.

Code layout: this module holds the driver, the PBE test of a profile and the support
patterns; the beliefs are in ``_pbe_beliefs``, the exact solver of the indifference systems in
``_pbe_multilinear`` (with the box-contraction screen of ``_pbe_contract``), the pruned list of
patterns in ``_pbe_patterns``, the table of pure vertex profiles in ``_pbe_table``, the
compiled vertex sign tests in ``_pbe_vertex``, the compiled float screens of the systems of the
patterns that pass them in ``_pbe_prescreen``, the screen of the patterns' roots in
``_pbe_rootscreen``, and the shared search context in ``_pbe_context``.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..equilibrium import BELIEF_POLICIES
from ..errors import ResourceError
from ..game.extensive import DECISION, ExtensiveFormGame
from . import _pbe_unbalanced
from ._gc_pause import collector_paused
from ._options import option
from ._pbe_beliefs import (
    _Beliefs,
    _br_actions,
    _deviation_groups,
    _deviation_weights,
    _type_unreached,
    unreached_belief_kinds,
)
from ._pbe_blocks import rootless_mask
from ._pbe_context import _INTERIOR, _Ctx, belief_spec_rule, fixed_by_nature
from ._pbe_exact import ExactTree, carry_paths, has_known_sets
from ._pbe_multilinear import _solve_multilinear
from ._pbe_offpath import free_offpath_mask
from ._pbe_patterns import feasible_patterns
from ._pbe_prescreen import PASSED, RULED_OUT, joined_prescreen
from ._pbe_pruning import BeliefSupportPruner, cached_patterns, iterated_undominated_actions
from ._pbe_purebatch import FALLBACK, assess_rows
from ._pbe_rootscreen import FAILS, HOLDS, UNDECIDED, onpath_verdicts
from ._pbe_seeds import nash_seeds, repaired
from ._pbe_table import PureTable
from ._pbe_typed_float import float_decided
from ._pbe_typed_linear import typed_roots
from ._pbe_unbalanced import Unbalanced, unbalanced
from ._pbe_vertex import JoinedCodes, encode_sets, joined_vertex_tests, set_code
from ._tree_utils import child_tables, prior_mass
from .base import Candidate, RawResult, SolveOptions, SolverInfo, SolverOptions


def _sender_sets(game: ExtensiveFormGame) -> tuple[int, ...]:
    """Information sets of the first informed mover after Nature (signalling 'types'), if any."""
    first: dict[int, list[int]] = {}
    for h in game.infosets:
        ok = True
        for v in h.nodes:
            p = game.nodes[v].parent
            while p >= 0:
                if game.nodes[p].kind == DECISION:
                    ok = False
                    break
                p = game.nodes[p].parent
            if not ok:
                break
        if ok:
            first.setdefault(h.player, []).append(h.index)
    for ks in first.values():
        if len(ks) >= 2 and len({game.infosets[k].actions for k in ks}) == 1:
            return tuple(ks)
    return ()


def _label(ctx: _Ctx, beh: Sequence[np.ndarray]) -> str:
    """The kind of signalling of the senders' moves (:func:`_sender_sets`): ``"pooling"`` when
    every sender's move is :func:`_close` to the first's, else ``"separating"`` when each sender
    plays a different pure action, ``"partially pooling"`` when they are pure but some pick the
    same, ``"semi-separating"`` when one mixes. Worked out on Python floats (a few numbers per
    candidate, tens of candidates per solve: numpy's calls cost more than the arithmetic), with
    numpy's results: a move with a NaN is not pure (its ``max`` is NaN), and ``argmax`` is the
    first largest entry."""
    if not ctx.senders:
        return ""
    moves = [np.asarray(beh[k], dtype=float).tolist() for k in ctx.senders]
    pure = all(_top(m) >= 1 - _INTERIOR for m in moves)
    first = moves[0]
    if all(_close(m, first) for m in moves):
        return "pooling"
    if pure:
        picks = [m.index(max(m)) for m in moves]
        return "separating" if len(set(picks)) == len(picks) else "partially pooling"
    return "semi-separating"


def _top(m: list[float]) -> float:
    """``np.max`` of the vector ``m``: NaN if an entry is (Python's ``max`` keeps a NaN only first)."""
    return math.nan if any(v != v for v in m) else max(m)


def _close(a: list[float], b: list[float]) -> bool:
    """``np.allclose(a, b, atol=1e-9)`` of two vectors of Python floats of one length: its formula
    entry by entry, ``(|a - b| <= 1e-9 + 1e-5·|b|) & isfinite(b) | (a == b)``, the same
    operations on the same doubles."""
    return all((abs(x - y) <= 1e-9 + 1e-5 * abs(y) and math.isfinite(y)) or x == y
               for x, y in zip(a, b, strict=True))


@dataclass
class _Verdict:
    beliefs: list[np.ndarray]
    loose: str | None  # why mixtures at unreached sets might also be PBE


def _assess(ctx: _Ctx, beh: list[np.ndarray], row: int | None = None, on_path_passed: bool = False
            ) -> _Verdict | None:
    """Beliefs making ``beh`` a PBE under the context's policy, or ``None``; ``row``: the profile's
    row in the pure table, if it is one (its numbers are then read off the table);
    ``on_path_passed``: the tests at the sets ``beh`` reaches are known to pass (decided with a
    margin for rounding, :mod:`~deterrence.solvers._pbe_rootscreen`), and are not run again."""
    game, tol = ctx.game, ctx.tol
    bel = _Beliefs(ctx, beh, row)
    for k in range(0 if on_path_passed else len(game.infosets)):  # on-path sets first: cheapest test
        if bel.on_path[k]:
            payoff = bel.mu[k] @ ctx.q(bel.values, k)
            if payoff.max() - payoff @ beh[k] > tol:
                return None
    if _carried_rejects(ctx, bel, beh):
        return None
    if _offpath_rejects(ctx, bel, beh):
        return None
    loose = None
    for k, h in enumerate(game.infosets):
        if bel.on_path[k]:
            continue
        mu = bel.belief(k)
        if mu is None:
            return None
        q = ctx.q(bel.values, k)
        payoff = mu @ q
        if payoff.max() - payoff @ beh[k] > tol:
            return None
        used = int(np.count_nonzero(beh[k] > _INTERIOR))
        if loose is None and len(h.actions) > used:
            if ctx.policy == "free" and k not in bel.fixed:
                if len(_br_actions(q[ctx.possible(k)], tol)) > used:
                    loose = f"'{h.name}' (unreached; another action is optimal under some belief)"
            elif int(np.sum(payoff >= payoff.max() - tol)) > used:
                loose = f"'{h.name}' (unreached; an unused action ties under the policy's belief)"
    beliefs = [np.asarray(bel.mu[k], dtype=float) for k in range(len(game.infosets))]
    return _Verdict(beliefs=beliefs, loose=loose)


_ASSESS = object()  # a verdict still to work out with :func:`_assess`
_ON_PATH_PASSED = object()  # the same, its tests at the sets the profile reaches known to pass
#: what :func:`pbe_candidates` does with a root by the screen's verdict: rejects it (as
#: :func:`_assess` would), assesses it, or assesses it without the tests at the sets it reaches
_ROOT_VERDICTS = {FAILS: None, UNDECIDED: _ASSESS, HOLDS: _ON_PATH_PASSED}


#: the fewest admitted pure profiles assessed together (:func:`_pure_verdicts`): the batch's set-by-set
#: numpy work costs about 2 ms whatever the number of rows, one profile assessed alone 0.1-0.3 ms
#: (`chain_store` and `costly_signal_menu` admit 1-5 per point, `asymmetric_escalation` about 80)
MIN_BATCH_ROWS = 16


def _pure_verdicts(ctx: _Ctx, patterns: Sequence[tuple]) -> list[tuple[list[np.ndarray], int | None, object]]:
    """The admitted pure profiles (one action per set), in order, each with its table row and
    its verdict: with a pure table and at least :data:`MIN_BATCH_ROWS` of them, worked out for
    all of them at once
    (:func:`~deterrence.solvers._pbe_purebatch.assess_rows`, the same verdicts as :func:`_assess`),
    else, and for the rows the batch leaves, ``_ASSESS`` (assessed one by one). The profiles the
    batch rejects are left out (``keep`` records nothing for them), so their behaviour profiles
    are never built; a row is :meth:`PureTable.pure_row
    <deterrence.solvers._pbe_table.PureTable.pure_row>`."""
    rows: list[int | None] = [None] * len(patterns)
    if ctx.table is not None:
        rows = [ctx.table.pure_row(pattern) for pattern in patterns]
    verdicts: list[object] = [_ASSESS] * len(patterns)
    if ctx.table is not None and len(patterns) >= MIN_BATCH_ROWS:
        batch = assess_rows(ctx, np.array(rows, dtype=np.int64))
        verdicts = [_ASSESS if v is FALLBACK else None if v is None else _Verdict(beliefs=v[0], loose=v[1])
                    for v in batch]
    sizes = [len(h.actions) for h in ctx.game.infosets]
    out = []
    for pattern, row, verdict in zip(patterns, rows, verdicts, strict=True):
        if verdict is None:
            continue
        beh = [np.zeros(n) for n in sizes]
        for b, s in zip(beh, pattern, strict=True):
            b[s[0]] = 1.0
        out.append((beh, row, verdict))
    return out


def _carried_rejects(ctx: _Ctx, bel: _Beliefs, beh: list[np.ndarray]) -> bool:
    """Whether some unreached set whose belief is its mover's own, carried forward from an on-path
    set, fails sequential rationality: a test that rejects before any off-path policy belief
    (``d1``, ``free``) is built.

    Sound and exact: such a set's belief (:meth:`_Beliefs.carried_belief`) is the one
    :meth:`_Beliefs.belief` gives it, whatever the order the sets are visited in (it reads only the
    on-path belief fixed when ``bel`` was built), and the test is :func:`_assess`'s own. So when
    it fails, :func:`_assess` returns ``None`` on reaching that set if not before, and returning
    ``None`` here is its verdict; when it passes, the beliefs it kept are those :func:`_assess`
    would work out. Rejections record nothing, so the order of the tests is not seen.
    """
    tol = ctx.tol
    for k in range(len(beh)):
        if bel.on_path[k]:
            continue
        mu = bel.carried_belief(k)
        if mu is None:
            continue
        payoff = mu @ ctx.q(bel.values, k)
        if payoff.max() - payoff @ beh[k] > tol:
            return True
    return False


def _offpath_rejects(ctx: _Ctx, bel: _Beliefs, beh: list[np.ndarray]) -> bool:
    """Whether some unreached set fails sequential rationality under its belief, the sets tried
    in the order of ``ctx.offpath_order`` (the set that rejected the last profile first: profiles
    assessed one after the other tend to fail at the same set, and each belief tried costs a D1
    or supporting belief): a test that finds a rejection sooner than :func:`_assess`'s loop in set
    order. Only on a tree whose sets are not above one another in a circle (:func:`_sets_in_order`);
    else ``False`` (that loop decides).

    Sound and exact: a belief at set ``k`` reads only the beliefs at sets above it (the mover's
    previous set for a carried belief, the sets of the deviations on the paths to ``k`` for D1;
    ``free`` and ``prior`` none), so without such a circle no set is met while its own belief is
    being worked out (``_Beliefs.belief``'s fallback to Nature's odds never runs), and each set's
    belief is the same whatever the order the sets are visited in: the tests here are
    :func:`_assess`'s own on the same numbers. When one fails, :func:`_assess` returns ``None`` on
    reaching it if not before; when none does, its loop finds every test passed, with the beliefs
    kept. Rejections record nothing but the order kept on the context (a matter of time only)."""
    if not _sets_in_order(ctx.game):
        return False
    order = ctx.offpath_order
    if not order:
        order.extend(range(len(beh)))
    tol = ctx.tol
    for i, k in enumerate(order):
        if bel.on_path[k]:
            continue
        mu = bel.belief(k)
        if mu is not None:
            payoff = mu @ ctx.q(bel.values, k)
            if not payoff.max() - payoff @ beh[k] > tol:
                continue
        if i:
            order.insert(0, order.pop(i))
        return True
    return False


def _sets_in_order(game: ExtensiveFormGame) -> bool:
    """Whether no information set is above itself through others (a node of ``a`` above one of
    ``b``, a node of ``b`` above one of ``c``, ..., back to ``a``), kept in the ``tree_cache``."""
    out = game.tree_cache.get("pbe_sets_in_order")
    if out is None:
        above = BeliefSupportPruner._above(game)
        state = [0] * len(above)  # 0 unseen, 1 on the current path, 2 done

        def circle(k: int) -> bool:
            state[k] = 1
            for j in above[k]:
                if state[j] == 1 or (state[j] == 0 and circle(j)):
                    return True
            state[k] = 2
            return False

        out = not any(state[k] == 0 and circle(k) for k in range(len(above)))
        del circle  # (a closure that calls itself is a reference cycle: _gc_pause)
        game.tree_cache["pbe_sets_in_order"] = out
    return out


# ---------------------------------------------------------------------------------- mixed patterns
Spec = tuple  # how an information set's (unnormalised) belief weights are formed in a pattern


def _weights(ctx: _Ctx, k: int, spec: Spec, beh: list[np.ndarray], reach: np.ndarray, edge: np.ndarray,
             specs: dict[int, Spec]) -> np.ndarray:
    """Unnormalised belief weights at set ``k`` under a profile; multilinear in the profile.

    ``("reach",)``: Bayes on the path; ``("prior",)``: Nature's odds; ``("own", prev, act)``:
    carried forward from the mover's previous set; ``("types", ((deviations, positions), ...))``:
    Bayes after each listed type's deviations (the D1 belief on those types).
    """
    game = ctx.game
    nodes = list(game.infosets[k].nodes)
    kind = spec[0]
    if kind == "reach":
        return reach[nodes]
    if kind == "prior":
        return ctx.prior[nodes]
    if kind == "own":
        prev, act = spec[1], spec[2]
        w_prev = _weights(ctx, prev, specs[prev], beh, reach, edge, specs)
        w = np.zeros(len(nodes))
        for u_pos, v_pos, path in _carry_paths(ctx, prev, act, k):
            acc = float(w_prev[u_pos])
            for x in path:
                acc *= edge[x]
            w[v_pos] += acc
        return w
    return _deviation_weights(ctx, beh, k, spec[1], spec[2])


def _pattern_specs(ctx: _Ctx, ind: list[np.ndarray], on_path: np.ndarray, mixed: list[int]
                   ) -> tuple[dict[int, Spec], list[list[Spec]]] | None:
    """Belief-weight specs for the sets of a pattern: the specs every choice shares, and per
    mixing set (in the order of ``mixed``) its options, one per D1 type choice (a single one
    under the other policies); the pattern's specs are the product of the options
    (:func:`_spec_combos`). ``None`` if a mixing set is unreached and its belief is free (such
    continua are not solved)."""
    game = ctx.game
    specs: dict[int, Spec] = {}
    evaluated: list[tuple[np.ndarray, np.ndarray]] = []  # the indicator profile's reach and edges

    def reach_edge() -> tuple[np.ndarray, np.ndarray]:
        if not evaluated:
            evaluated.append((game.realization_probabilities(ind), game.edge_probabilities(ind)))
        return evaluated[0]

    positive = ctx.reached_by_nature()[0]
    spec = belief_spec_rule(game, ctx.policy, specs, lambda k: bool(on_path[k]),
                            lambda k, cand, sp: _weights(ctx, k, cand, ind, *reach_edge(), sp).sum() > 0,
                            lambda k: fixed_by_nature(game, positive, k))

    choices: list[list[Spec]] = []
    for k in mixed:
        sp = spec(k)
        if sp is None:
            return None
        if sp[0] != "d1":
            choices.append([sp])
            continue
        groups = _deviation_groups(game, ind, k)
        types = [(devs, tuple(ps)) for devs, ps in groups.items()]
        zero = {t: _type_unreached(ctx, ind, k, *t) for t in types}
        opts = [("types", (t,), (zero[t],)) for t in types]
        if len(types) > 1:  # the refinement does not bind: every type
            opts.append(("types", tuple(types), tuple(zero[t] for t in types)))
        choices.append(opts)
    return specs, choices


def _spec_combos(base: dict[int, Spec], mixed: list[int], choices: Sequence[Sequence[Spec]]
                 ) -> list[dict[int, Spec]]:
    """The pattern's specs, one dict per combination of the mixing sets' options, in
    ``itertools.product`` order."""
    out = []
    for combo in itertools.product(*choices):
        d = dict(base)
        d.update(zip(mixed, combo, strict=True))
        out.append(d)
    return out


def _batch_payoffs(ctx: _Ctx, k: int, specs: dict[int, Spec], vertices: _Vertices) -> np.ndarray:
    """The mover's unnormalised expected payoff per action at set ``k``, at every vertex profile."""
    spec = specs.get(k, ("reach",))
    if vertices.rows is not None:
        return _spec_payoffs(ctx, _spec_key(k, spec, specs), k, spec, specs)[vertices.rows]
    h = ctx.game.infosets[k]
    nodes = list(h.nodes)
    reach, edge, values = vertices.evaluated()
    q = values[:, ctx.kids[k], h.player]  # (combos, nodes, actions)
    if spec[0] == "reach":
        weights = reach[:, nodes]
    elif spec[0] == "prior":
        weights = np.broadcast_to(ctx.prior[nodes], (len(q), len(nodes)))
    else:
        weights = np.array([_weights(ctx, k, spec, beh, reach[c], edge[c], specs)
                            for c, beh in enumerate(vertices.profiles())])
    return np.einsum("cn,cna->ca", weights, q)


def _spec_key(k: int, spec: Spec, specs: dict[int, Spec]) -> tuple:
    """What set ``k``'s payoffs under ``spec`` depend on besides the table row: the spec, and for a
    carried-forward one, the key of its source set's spec (whose weights it carries)."""
    if spec[0] != "own":
        return (k, spec)
    return (k, spec, _spec_key(spec[1], specs[spec[1]], specs))


def _spec_payoffs(ctx: _Ctx, key: tuple, k: int, spec: Spec, specs: dict[int, Spec]) -> np.ndarray:
    """The mover's unnormalised payoff per action at set ``k`` under ``spec`` at *every* row of the
    pure table, ``(rows, actions)``, kept on the table by :func:`_spec_key`.

    A row's payoffs depend on that row alone: the weights are computed row by row (elementwise,
    :func:`_row_weights`) and ``einsum`` sums each row's products over the nodes on its own, in
    node order, whatever the other rows (``tests/test_pbe_vertex.py`` checks, to the bit, that
    the pattern's rows of this table are what the pattern's vertices alone give); Bayes' rule and
    Nature's odds are the table's own payoffs."""
    table = ctx.table
    out = table.spec_payoffs.get(key)
    if out is None:
        if spec[0] in ("reach", "prior"):
            out = table.payoffs(k, spec[0])
        else:
            every = np.arange(len(table.reach))
            out = np.einsum("cn,cna->ca", _row_weights(ctx, k, spec, every, specs), table.q(k)[every])
        table.spec_payoffs[key] = out
    return out


def _row_weights(ctx: _Ctx, k: int, spec: Spec, rows: np.ndarray, specs: dict[int, Spec]) -> np.ndarray:
    """The unnormalised belief weights of ``spec`` at set ``k`` at the vertex rows of the pure
    table, ``(rows, nodes)``, as ``_weights`` gives them vertex by vertex."""
    kind = spec[0]
    nodes = ctx.table.nodes[k]
    if kind == "reach":
        return ctx.table.reach[rows][:, nodes]
    if kind == "prior":
        return np.broadcast_to(ctx.prior[nodes], (len(rows), len(nodes)))
    if kind == "types":
        return _type_weights(ctx, k, spec, rows)
    prev, act = spec[1], spec[2]
    w_prev = _row_weights(ctx, prev, specs[prev], rows, specs)
    edge = ctx.table.edge[rows]
    w = np.zeros((len(rows), len(nodes)))
    for u_pos, v_pos, path in _carry_paths(ctx, prev, act, k):
        acc = w_prev[:, u_pos]
        for x in path:  # in the order the vertex-by-vertex walk multiplies them
            acc = acc * edge[:, x]
        w[:, v_pos] += acc
    return w


def _carry_paths(ctx: _Ctx, prev: int, act: int, k: int) -> list[tuple[int, int, list[int]]]:
    """``_pbe_exact.carry_paths`` of the context's game, cached on the context."""
    key = (prev, act, k)
    out = ctx.carry.get(key)
    if out is None:
        out = ctx.carry[key] = carry_paths(ctx.game, prev, act, k)
    return out


def _type_weights(ctx: _Ctx, k: int, spec: Spec, rows: np.ndarray) -> np.ndarray:
    """The ``("types", ...)`` weights at set ``k`` at the vertex rows of the pure table, as
    ``_deviation_weights`` gives them vertex by vertex (:func:`forced_reach_at`)."""
    nodes = ctx.table.nodes[k]
    weights = np.zeros((len(rows), len(nodes)))
    for (devs, positions), use_prior in zip(spec[1], spec[2], strict=True):
        idx = nodes[list(positions)]
        if use_prior:
            weights[:, list(positions)] += ctx.prior[idx]
            continue
        weights[:, list(positions)] += forced_reach_at(ctx, rows, devs, idx)
    return weights


def forced_reach_at(ctx: _Ctx, rows: np.ndarray, devs: Sequence[tuple[int, int]], nodes: np.ndarray
                    ) -> np.ndarray:
    """Reach probabilities at ``nodes`` of the pure table's ``rows`` with every (set, action) of
    ``devs`` played instead, ``(rows, nodes)``.

    A pure profile reaches node ``v`` with Nature's mass of ``v`` (the product of the chance
    probabilities on its path, top down: :func:`prior_mass`) if it plays every player move on
    the path, and with 0 otherwise; the batch evaluation of the forced profiles multiplies the
    same chance probabilities in the same order, times moves of probability 1 or 0, so the
    numbers are the same to the bit (``tests/test_pbe_table.py`` compares them). Which rows
    play the path is read off the row numbers (:func:`_forced_hits`).
    """
    out = np.zeros((len(rows), len(nodes)))
    for col, v in enumerate(nodes.tolist()):
        hits = _forced_hits(ctx, v, devs)
        if hits is not None:
            out[hits[rows], col] = ctx.prior[v]
    return out


def _forced_hits(ctx: _Ctx, v: int, devs: Sequence[tuple[int, int]]) -> np.ndarray | None:
    """Per row of the pure table, whether its profile with ``devs`` played plays every player move
    on the path to node ``v`` (``None``: no row does, :func:`_reach_plan`): the rows whose
    moves (mixed radix, :class:`~deterrence.solvers._pbe_table.PureTable`) are the plan's. It
    reads the tree and the table's actions alone, so it is kept in the ``tree_cache`` by them,
    across the points of a sweep (emptied when full)."""
    table = ctx.table
    kept = ctx.game.tree_cache.setdefault("pbe_forced_hits", {})
    key = (table.allowed, v, tuple(devs))
    hits = kept.get(key, _NO_HITS)
    if hits is _NO_HITS:
        plan = _reach_plan(ctx, v, devs)
        hits = None
        if plan is not None:
            sets, want = plan
            hits = (table.positions[:, sets] == want).all(axis=1)
            hits.setflags(write=False)
        if len(kept) >= _FORCED_HITS_MAX:
            kept.clear()
        kept[key] = hits
    return hits


#: the belief policies under which the solver moves the admitted patterns whose on-path block has no
#: root inside the box (:func:`~deterrence.solvers._pbe_blocks.rootless_mask`) out of its pattern loop
#: to :func:`_unbalanced_last` (the tests empty it to compare). Under ``d1`` a pattern mixing where
#: it does not reach has one system per D1 option there, and many pass the vertex tests: on the AEG
#: the marking saves more than deciding the blocks costs. Under ``prior`` and ``free`` the patterns
#: it marks are ruled out by the compiled vertex tests at about the cost of a block's exact
#: decision, so it is not run
BLOCKS_POLICIES = frozenset({"d1"})

_NO_HITS = object()
_FORCED_HITS_MAX = 4096


def _reach_plan(ctx: _Ctx, v: int, devs: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray] | None:
    """What a row of the pure table must play to reach node ``v`` with ``devs`` forced: the sets
    on the path that ``devs`` leaves free and the table positions of their moves; ``None`` if no
    row does (a forced move off the path, or a move outside the table). Kept on the table."""
    key = (v, tuple(devs))
    plans = ctx.table.plans
    if key in plans:
        return plans[key]
    forced = dict(devs)
    sets, want = [], []
    plan: tuple[np.ndarray, np.ndarray] | None = None
    for j, b in _moves_above(ctx.game)[v]:
        if j in forced:
            if forced[j] != b:
                break
            continue
        p = ctx.table.pos[j].get(b)
        if p is None:
            break
        sets.append(j)
        want.append(p)
    else:
        plan = (np.array(sets, dtype=np.int64), np.array(want, dtype=np.int64))
    plans[key] = plan
    return plan


def _moves_above(game: ExtensiveFormGame) -> list[tuple[tuple[int, int], ...]]:
    """Per node, the player moves (information set, action) on its path from the root (kept in
    the game's ``tree_cache``)."""
    out = game.tree_cache.get("pbe_moves_above")
    if out is None:
        out = [()] * len(game.nodes)
        for v in range(1, len(game.nodes)):  # preorder: a parent before its children
            nd = game.nodes[v]
            par = game.nodes[nd.parent]
            out[v] = out[nd.parent] + ((par.infoset, nd.action),) if par.kind == DECISION else out[nd.parent]
        game.tree_cache["pbe_moves_above"] = out
    return out


class _Vertices:
    """The vertex profiles of a support pattern: rows of the solver's pure table when it has one
    (``rows``), else evaluated in one batch; the behaviour vectors are built only if asked for."""

    def __init__(self, ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                 rows: np.ndarray | None) -> None:
        self.ctx, self.pattern, self.mixed, self.rows = ctx, pattern, mixed, rows
        self._behs: list[list[np.ndarray]] | None = None
        self._evaluated: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def profiles(self) -> list[list[np.ndarray]]:
        if self._behs is None:
            base = [np.zeros(len(h.actions)) for h in self.ctx.game.infosets]
            for k, s in enumerate(self.pattern):
                if len(s) == 1:
                    base[k][s[0]] = 1.0
            self._behs = []
            for combo in itertools.product(*(self.pattern[k] for k in self.mixed)):
                beh = [b.copy() for b in base]
                for k, a in zip(self.mixed, combo, strict=True):
                    beh[k][a] = 1.0
                self._behs.append(beh)
        return self._behs

    def evaluated(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(reach, edge, values) of the vertex profiles, ``(combos, nodes[, players])``."""
        if self._evaluated is None:
            table = self.ctx.table
            if self.rows is not None:
                self._evaluated = (table.reach[self.rows], table.edge[self.rows], table.values[self.rows])
            else:
                flat = np.array([np.concatenate(b) for b in self.profiles()])
                self._evaluated = self.ctx.batch.evaluate(flat)
        return self._evaluated


def _set_conditions(ctx: _Ctx, k: int, pattern: Sequence[tuple[int, ...]], specs: dict[int, Spec],
                    vertices: _Vertices) -> list[list[float]] | None:
    """Set ``k``'s indifference conditions at the pattern's vertices (one list per ``j >= 1``),
    or ``None`` if the vertex sign test rules the pattern out at ``k``.

    The conditions are multilinear: their values anywhere in the box are convex combinations of
    the vertex values, so a strict sign at every vertex rules the pattern out; so does an action
    outside the support that beats ``s[0]`` at every vertex. They depend on the pattern, the
    vertices and ``k``'s own weight spec only (a carried-forward spec's source is not a D1
    choice), so a caller may remember them by ``(k, specs[k])`` across the pattern's specs.
    """
    tol, h = ctx.tol, ctx.game.infosets[k]
    w = _batch_payoffs(ctx, k, specs, vertices)  # (combos, actions), unnormalised
    s = pattern[k]
    out = []
    for j in range(1, len(s)):
        diff = w[:, s[j]] - w[:, s[0]]
        if diff.min() > tol or diff.max() < -tol:
            return None
        out.append(diff.tolist())
    others = [b for b in range(len(h.actions)) if b not in s]
    if others and float((w[:, [s[0]]] - w[:, others]).max(axis=0).min()) < -tol:
        return None
    return out


def _solve_pattern(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                   on_path: np.ndarray, specs: dict[int, Spec], rows: np.ndarray | None = None,
                   vertices: _Vertices | None = None, checks: dict | None = None,
                   sets: Sequence[int] | None = None, screened: tuple[str, ...] = ()
                   ) -> list[list[np.ndarray]]:
    """Profiles with exactly these supports that satisfy the indifference conditions (``rows``:
    the pattern's vertices in the solver's pure table, if it has one; ``vertices`` and
    ``checks``: the pattern's vertices and its sets' conditions (``_set_conditions``) kept
    across its weight specs; ``sets``: the sets whose conditions to read, by default every set;
    a caller that knows the reached sets that do not mix to pass their tests, which give them
    no condition, may pass only the mixing sets; ``screened``: the float screens the system is
    known to pass, :mod:`deterrence.solvers._pbe_prescreen`)."""
    game, tol = ctx.game, ctx.tol
    eqs_vals: dict[tuple[int, int], list[float]] = {
        (k, j): [] for k in mixed for j in range(1, len(pattern[k]))}
    if vertices is None:
        vertices = _Vertices(ctx, pattern, mixed, rows)
    checks = {} if checks is None else checks
    for k in range(len(game.infosets)) if sets is None else sets:
        if not (on_path[k] or (k in specs and len(pattern[k]) > 1)):
            continue
        key = (k, specs.get(k, ("reach",)))
        if key not in checks:
            checks[key] = _set_conditions(ctx, k, pattern, specs, vertices)
        conditions = checks[key]
        if conditions is None:
            return []
        for j, diff in enumerate(conditions, start=1):
            eqs_vals[(k, j)] = diff
    names = ", ".join(f"'{game.infosets[k].name}'" for k in mixed)
    if len(mixed) == 1:  # its conditions do not depend on its own mixture: constant
        if all(np.all(np.abs(v) <= tol) for v in eqs_vals.values()):
            ctx.continua.append(f"{names} indifferent on a continuum (supports {pattern[mixed[0]]})")
        return []
    def exact() -> list[dict[tuple[int, ...], int]] | None:
        # each set's conditions are kept by the tree, by the pattern at the sets they depend on;
        # None: the system holds conditions already found to rule it out (ExactTree.note_one_term)
        return ctx.exact.polynomials(pattern, mixed, specs)

    def linear() -> list[list[np.ndarray]] | None:
        # two-player type games: the linear systems of the sequence form, when they decide it
        return typed_roots(ctx, pattern, mixed, on_path, specs)

    points = _solve_multilinear(ctx, pattern, mixed, None, list(eqs_vals.values()), names, exact,
                                screened=screened, linear=linear)
    if not points:
        return []
    base = [np.zeros(len(h.actions)) for h in game.infosets]
    for k, s in enumerate(pattern):
        if len(s) == 1:
            base[k][s[0]] = 1.0
    out = []
    for point in points:
        beh = [b.copy() for b in base]
        for k, probs in zip(mixed, point, strict=True):
            beh[k][list(pattern[k])] = probs
        out.append(beh)
    return out


# ---------------------------------------------------------------------------------- options
@dataclass(frozen=True)
class PBEOptions(SolverOptions):
    """Options of ``pbe``.

    Parameters
    ----------
    belief_policy
        Off-path beliefs: ``"free"`` (any belief that makes the prescribed action optimal),
        ``"prior"`` (Nature's odds of the nodes) or ``"d1"`` (a D1-style refinement); see the
        module documentation.
    mixed
        Solve the support patterns with mixing (``False``: pure PBE only, and the result is
        not complete when mixed patterns exist).
    max_mixed_sets
        The most information sets that mix at once in a solved pattern; patterns with more
        are skipped (and the result is not complete).
    seeds
        Two-player games: also assess as candidates the Nash equilibria Lemke–Howson finds on
        the dominance-reduced normal form, as they are and with best replies at their
        unreached sets (:mod:`deterrence.solvers._pbe_seeds`).
    """

    belief_policy: str = option("free", choices=BELIEF_POLICIES)
    mixed: bool = True
    max_mixed_sets: int = option(6, minimum=0)
    seeds: bool = False


# ---------------------------------------------------------------------------------- driver
def _counts(game: ExtensiveFormGame, tol: float = 1e-12) -> tuple[list[tuple[int, ...]], int, int]:
    """The undominated actions per set (iterated conditional dominance) and the numbers of pure
    profiles and support patterns over them; kept on the game (the work estimate and the solve
    both ask), keyed by the tolerance and the payoff array (a rescaled copy of the game has its
    own)."""
    kept = game.__dict__.setdefault("_pbe_counts", {})
    hit = kept.get(tol)
    if hit is not None and hit[0] is game.payoffs:
        return hit[1]
    allowed = iterated_undominated_actions(game, tol)
    pure = math.prod(len(a) for a in allowed)
    patterns = math.prod(2 ** len(a) - 1 for a in allowed)
    kept[tol] = (game.payoffs, (allowed, pure, patterns))
    return allowed, pure, patterns


def _estimate(game: ExtensiveFormGame) -> float:
    """Work of a solve at the default tolerance (a larger tolerance prunes fewer actions, so the
    estimate errs high; a solve at the default shares the counts kept on the game)."""
    _, pure, patterns = _counts(game, SolveOptions.tol)
    return float(len(game.nodes)) * (50.0 * pure + 200.0 * (patterns - pure))


def _applicable(game: ExtensiveFormGame) -> str | None:
    if not game.has_perfect_recall():
        return ("'pbe' needs perfect recall (sequential rationality is checked information set by "
                "information set)")
    return None


Specs = tuple[np.ndarray, dict[int, Spec], list[list[Spec]]]  # on_path, shared specs, options per mixing set


def _specs_of(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int], on_path: np.ndarray | None
              ) -> Specs | None:
    """The sets a pattern reaches and its belief-weight specs (``_pattern_specs``: the shared
    specs and each mixing set's options); ``None`` if it mixes at an unreached set whose belief
    is free. ``on_path``: the sets the pattern reaches, if known (else worked out from its
    indicator profile). With every mixing set reached, each spec is Bayes' rule and the
    indicator profile is not needed."""
    game = ctx.game
    if on_path is not None and all(on_path[k] for k in mixed):
        return _reached_specs(on_path, mixed)
    # the specs read only the tree, the policy, which chance moves have probability 0 and which nodes
    # Nature reaches (``fixed_by_nature``): kept
    key = ("pbe_specs", ctx.policy, ctx.chance_key, ctx.reached_by_nature()[1], tuple(pattern),
           ctx.table is None)
    cache = game.tree_cache
    if key in cache:  # a kept ``None`` (a free belief where the pattern mixes) is a hit too
        hit = cache[key]
    else:
        hit = cache[key] = _specs_uncached(ctx, pattern, mixed, on_path)
    return None if hit is None else (hit[0].copy(), dict(hit[1]), hit[2])


def _reached_specs(on_path: np.ndarray, mixed: Sequence[int]) -> Specs:
    """:func:`_specs_of` of a pattern that reaches every set where it mixes (``on_path``: the sets
    it reaches): Bayes' rule at each."""
    return on_path, {k: ("reach",) for k in mixed}, [[("reach",)]] * len(mixed)


def _specs_uncached(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int],
                    on_path: np.ndarray | None) -> Specs | None:
    """:func:`_specs_of` worked out (when not every mixing set is reached)."""
    game = ctx.game
    ind = [np.zeros(len(h.actions)) for h in game.infosets]
    for b, s in zip(ind, pattern, strict=True):
        b[list(s)] = 1.0
    if on_path is None:
        reach = game.realization_probabilities(ind)
        on_path = np.array([reach[list(h.nodes)].sum() > 0 for h in game.infosets])
    found = _pattern_specs(ctx, ind, on_path, mixed)
    return None if found is None else (on_path, *found)


def _live_options(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int], on_path: np.ndarray,
                  base: dict[int, Spec], choices: list[list[Spec]], vertices: _Vertices, checks: dict
                  ) -> list[list[Spec]] | None:
    """Each mixing set's options whose conditions pass the vertex sign tests (``_set_conditions``,
    kept in ``checks`` by ``(set, spec)`` as :func:`_solve_pattern` keeps them); ``None`` if a
    reached set that does not mix, or every option of a mixing set, fails them.

    :func:`_solve_pattern` returns nothing for a combination of options in which any set it
    checks (the reached sets, with Bayes' rule, and the mixing sets, with their options) fails
    the tests, before it solves anything; a set's conditions depend on its own spec only. So the
    combinations it would solve are the product of these lists, in the same order. (A reached
    set that does not mix is not in ``base``, or is there with Bayes' rule.)
    """
    options = dict(zip(mixed, choices, strict=True))
    live = {}
    for k in range(len(pattern)):  # in the order _solve_pattern checks them
        if k not in options and not on_path[k]:
            continue
        keep = []
        for spec in options.get(k, [("reach",)]):
            key = (k, spec)
            if key not in checks:
                checks[key] = _set_conditions(ctx, k, pattern, {**base, k: spec}, vertices)
            if checks[key] is not None:
                keep.append(spec)
        if not keep:
            return None
        live[k] = keep
    return [live[k] for k in mixed]


def _solve_mixed(ctx: _Ctx, pattern: Sequence[tuple[int, ...]], mixed: list[int], rows: np.ndarray | None,
                 found: Specs, tested: tuple[list[list[Spec]], dict, list[int]] | None = None
                 ) -> list[list[np.ndarray]]:
    """The profiles of a support pattern that satisfy its indifference conditions, over every
    combination of its sets' weight specs that passes the vertex sign tests (``tested``: each
    mixing set's options that pass them, the conditions known and, per combination, the float
    screens' verdict on its system (:mod:`deterrence.solvers._pbe_prescreen`), if they were run
    already, :func:`_tabled_patterns`; a system a float screen rules out is not solved, one known
    to pass some is not screened by them again)."""
    on_path, base, choices = found
    vertices = _Vertices(ctx, pattern, mixed, rows)
    sets = None
    if tested is None:
        checks: dict = {}
        live = _live_options(ctx, pattern, mixed, on_path, base, choices, vertices, checks)
        if live is None:
            return []
        verdicts = None
    else:  # every set the pattern checks passed: only the mixing sets have conditions
        (live, checks, verdicts), sets = tested, mixed
    out = []
    for n, specs in enumerate(_spec_combos(base, mixed, live)):
        verdict = None if verdicts is None else verdicts[n]
        if verdict == RULED_OUT:
            continue
        out.extend(_solve_pattern(ctx, pattern, mixed, on_path, specs, rows, vertices, checks, sets,
                                  screened=() if verdict is None else PASSED[verdict]))
    return out


@dataclass(slots=True)
class _Program:
    """A mixed pattern's vertex sign tests (:mod:`deterrence.solvers._pbe_vertex`), worked out on
    first use (``built``): whether it mixes where beliefs are free (``free``), its specs
    (``found``; ``None`` when every mixing set is reached, where they are Bayes' rule and
    :func:`_reached_specs` gives them from the sets it reaches, ``on_path``: fewer objects kept for the
    garbage collector to walk), its vertex rows, the encoded tests, the number of options they
    test (``n_keys``, one per option of each set checked, in :func:`_live_options`'s order) and
    the weight specs they read (``key_set``, a set of bits, bit ``i`` for spec ``i``); per mixing
    set the position of its first option among those options (``starts``)."""

    mixed: tuple[int, ...]
    built: bool = False
    free: bool = False
    found: Specs | None = None
    on_path: np.ndarray | None = None
    rows: np.ndarray | None = None
    code: np.ndarray | None = None
    n_keys: int = 0
    key_set: int = 0
    starts: tuple[int, ...] = ()
    #: where its code is in its tree's joined codes (:class:`~deterrence.solvers._pbe_vertex.JoinedCodes`):
    #: the number of the version it was placed in, and its position
    placed: tuple[int, int] | None = None
    #: the store of sets of conditions (:class:`~deterrence.solvers._pbe_exact.OneTermStore`) and per
    #: combination of the mixing sets' options (their positions among the set's options) its numbers
    #: of the system's groups (:meth:`~deterrence.solvers._pbe_exact.ExactTree.system_numbers`)
    numbers: tuple | None = None
    #: whether :func:`_settled_patterns` looks at the pattern (``None``: not worked out yet), and the
    #: store with, per combination, its size and its sets within the system (:func:`_store_sets_within`)
    settles: bool | None = None
    within: tuple | None = None


class _Aligned:
    """The programs of a list of patterns by position (``programs``, ``None``: not looked up yet) and,
    as arrays to select from at once, per position what the pattern loop reads of its program:
    ``status`` (:data:`_UNBUILT`, :data:`_CHOSEN` when built to be tested, :data:`_FREE` when it mixes
    where beliefs are free), its numbers of mixing sets (``n_mixed``, -1 before it is looked up) and of
    options tested (``n_keys``), the number of its set of weight specs read (``key_sets``, numbers into
    ``sets_read``) and where its code was placed (``placed_number`` and ``placed_first``, -1 if not
    known here: :attr:`_Program.placed`). A program's fields but ``placed`` are set once, when it is built
    (:meth:`_Programs.build`), so copies of them stay true; one built through another list is marked
    here when first met, and a placement not copied here is read off the program."""

    def __init__(self, n: int) -> None:
        self.programs: list[_Program | None] = [None] * n
        self.status = np.zeros(n, dtype=np.int8)
        self.n_mixed = np.full(n, -1, dtype=np.int64)
        self.n_keys = np.zeros(n, dtype=np.int64)
        self.key_sets = np.zeros(n, dtype=np.int64)
        self.sets_read: list[int] = []
        self._set_numbers: dict[int, int] = {}
        self.placed_number = np.full(n, -1, dtype=np.int64)
        self.placed_first = np.zeros(n, dtype=np.int64)

    def mark(self, i: int, prog: _Program) -> None:
        """Record the built program ``prog`` at position ``i``."""
        self.n_keys[i] = prog.n_keys
        number = self._set_numbers.get(prog.key_set)
        if number is None:
            self.sets_read.append(prog.key_set)
            number = self._set_numbers[prog.key_set] = len(self.sets_read) - 1
        self.key_sets[i] = number
        self.status[i] = _FREE if prog.free else _CHOSEN

    def placed(self, picked: np.ndarray, versions: frozenset[int]) -> np.ndarray:
        """Where the codes of the programs at positions ``picked`` start in the joined codes of
        ``versions`` (-1: not there)."""
        here = np.isin(self.placed_number[picked], list(versions))
        at = np.where(here, self.placed_first[picked], -1)
        for n in np.flatnonzero(~here).tolist():  # placed through another list, if at all
            prog = self.programs[int(picked[n])]
            if prog.placed is not None and prog.placed[0] in versions:
                at[n] = prog.placed[1]
        return at

    def note_placed(self, where: np.ndarray) -> None:
        """Copy the placements of the programs at positions ``where`` (those :func:`_joined_codes`
        placed)."""
        for i in where.tolist():
            self.placed_number[i], self.placed_first[i] = self.programs[i].placed


class _AdmittedReach:
    """The sets the admitted patterns reach (:meth:`BeliefSupportPruner.reached
    <deterrence.solvers._pbe_pruning.BeliefSupportPruner.reached>`), worked out only for the rows asked
    for: :func:`_tabled_patterns` reads them only for the programs it builds (a few per point once a
    sweep has met its patterns)."""

    __slots__ = ("admitted", "patterns", "pruner")

    def __init__(self, pruner: BeliefSupportPruner, patterns: Sequence[tuple], admitted: np.ndarray) -> None:
        self.pruner, self.patterns, self.admitted = pruner, patterns, admitted

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        """The reached sets of the admitted patterns at positions ``rows``, ``(rows, sets)`` booleans."""
        return self.pruner.reached(self.pruner.indicators(self.patterns)[self.admitted[rows]])


class _Picked:
    """The items of a list at some positions, by number (a view: no list of the thousands of chosen
    programs is built for the few that :func:`_joined_codes` reads)."""

    __slots__ = ("items", "where")

    def __init__(self, items: Sequence, where: list[int]) -> None:
        self.items, self.where = items, where

    def __getitem__(self, n: int):
        return self.items[self.where[n]]

    def __len__(self) -> int:
        return len(self.where)


_UNBUILT, _CHOSEN, _FREE = 0, 1, 2


class _Programs:
    """The programs of a tree's patterns under one policy, set of zero chance moves and set of
    table actions (what they depend on; kept in the tree's cache for the points of a sweep),
    and the weight specs they read, numbered."""

    def __init__(self) -> None:
        self.of: dict[tuple, _Program] = {}
        self.index: dict[tuple, int] = {}
        #: the specs by number (numbers drawn from ``numbers``, each in one step: solves on
        #: other threads share a tree's programs)
        self.specs: dict[int, tuple[tuple, int, Spec, dict[int, Spec]]] = {}
        self.numbers = itertools.count()
        #: per (set, support): the set's part of the code when it is checked under Bayes' rule
        #: (a reached set that does not mix) and that option's spec number
        self.reach_parts: dict[tuple[int, tuple[int, ...]], tuple[list[int], int]] = {}
        #: the programs' codes in one array, for the compiled passes
        self.codes = JoinedCodes()
        #: the last lists of patterns met (the points of a sweep share them, :func:`cached_patterns`),
        #: each with its patterns' programs by position (``None``: not looked up yet), newest first
        self._lists: list[tuple[Sequence[tuple], _Aligned]] = []

    def aligned(self, patterns: Sequence[tuple]) -> _Aligned:
        """The programs of ``patterns`` by position, as far as looked up (:class:`_Aligned`: looking a
        pattern up by position saves hashing it, for the thousands of patterns of a solve). The lists
        of a sweep's points are copies of one list (:func:`cached_patterns`), so comparing them
        compares the same objects."""
        for listed, programs in self._lists:
            if listed is patterns or listed == patterns:  # (fast: the lists share their patterns)
                return programs
        programs = _Aligned(len(patterns))
        self._lists = [(patterns, programs), *self._lists[:3]]
        return programs

    def spec_index(self, k: int, spec: Spec, base: dict[int, Spec]) -> int:
        """The number of set ``k``'s ``spec`` among the pattern's specs ``base`` (``k``'s own spec
        in ``base`` replaced by ``spec``; the key reads only the sets ``spec`` carries from, which
        come before ``k``), numbered on first sight.

        A number is given to a key only once its spec is listed under it: numbered first, a
        solve interrupted before it listed the spec (Ctrl-C) left the number to the next spec
        too, and the programs reading it then tested the wrong one (equilibria lost for the rest
        of the process); two solves on threads could do the same. No lock (one left held by a
        Ctrl-C would stop every later solve): a number interrupted before use is never used, and
        of two threads numbering one key the first to record it wins (the other's spec stays
        listed under its number, unused)."""
        key = _spec_key(k, spec, base)
        i = self.index.get(key)
        if i is None:
            mine = next(self.numbers)
            self.specs[mine] = (key, k, spec, {**base, k: spec})
            i = self.index.setdefault(key, mine)
        return i

    def build(self, ctx: _Ctx, pattern: tuple, prog: _Program, on_path: np.ndarray) -> None:
        """Work out the pattern's program (``on_path``: the sets it reaches); ``built`` is set last,
        so a solve in another thread sharing the cache never reads a half-built program (it
        may build the same one again)."""
        flags = on_path.tolist()
        if all(flags[k] for k in prog.mixed):
            self._build_reached(ctx, pattern, prog, on_path, flags)
            return
        found = _specs_of(ctx, pattern, list(prog.mixed), on_path.copy())
        if found is None:
            prog.free = prog.built = True
            return
        reached, base, choices = found
        if all(reached[k] for k in prog.mixed):
            prog.on_path = reached
        else:
            prog.found = found
        options = dict(zip(prog.mixed, choices, strict=True))
        parts, keys, starts = [], [], {}
        for k, flag in enumerate(reached.tolist()):  # in the order _live_options checks them
            opts = options.get(k)
            if opts is None:
                if flag:
                    part, i = self._reach_part(ctx, k, pattern[k], base)
                    parts.append(part)
                    keys.append(i)
                continue
            idx = [self.spec_index(k, spec, base) for spec in opts]
            parts.append(set_code(pattern[k], _others(ctx, k, pattern[k]), idx))
            starts[k] = len(keys)
            keys += idx
        prog.starts = tuple(starts[k] for k in prog.mixed)
        prog.rows = ctx.table.rows(pattern, prog.mixed)
        prog.code, prog.n_keys = encode_sets(prog.rows, parts), len(keys)
        prog.key_set = sum(1 << i for i in set(keys))
        prog.built = True

    def _build_reached(self, ctx: _Ctx, pattern: tuple, prog: _Program, on_path: np.ndarray,
                       flags: list[bool]) -> None:
        """:meth:`build` of a pattern that reaches every set where it mixes (``flags``: ``on_path``
        as a list). Every spec is then Bayes' rule (:func:`_specs_of`), so every set checked, mixing
        or not, has one option and its part of the code is the kept :meth:`_reach_part`: the code
        is the rows followed by those parts, in set order, and a mixing set's options start at its
        place among the reached sets (what the general path gives, field by field)."""
        mixed, table, kept = prog.mixed, ctx.table, self.reach_parts
        steps = table.steps
        row = n_keys = key_set = 0
        body: list[int] = []
        starts = []
        for k, (flag, support) in enumerate(zip(flags, pattern, strict=True)):
            if len(support) == 1:
                row += steps[k][support[0]]
            elif flag:
                starts.append(n_keys)
            if flag:
                hit = kept.get((k, support))
                if hit is None:
                    hit = self._reach_part(ctx, k, support, {j: ("reach",) for j in mixed})
                body += hit[0]
                key_set |= 1 << hit[1]
                n_keys += 1
        rows = table.vertex_rows(row, pattern, mixed)
        code = [len(rows), *rows.tolist(), n_keys, *body]
        prog.on_path = on_path.copy()
        prog.starts = tuple(starts)
        prog.rows = rows
        prog.code, prog.n_keys, prog.key_set = np.array(code, dtype=np.int64), n_keys, key_set
        prog.built = True

    def _reach_part(self, ctx: _Ctx, k: int, support: tuple[int, ...], base: dict[int, Spec]
                    ) -> tuple[list[int], int]:
        """Set ``k``'s part of the code (:func:`~deterrence.solvers._pbe_vertex.set_code`) with
        support ``support`` checked under Bayes' rule alone, and that spec's number: the same for
        every pattern (the spec's key is ``(k, ("reach",))`` whatever the other sets' specs), kept."""
        key = (k, support)
        hit = self.reach_parts.get(key)
        if hit is None:
            i = self.spec_index(k, ("reach",), base)
            hit = self.reach_parts[key] = (set_code(support, _others(ctx, k, support), [i]), i)
        return hit


def _others(ctx: _Ctx, k: int, support: tuple[int, ...]) -> list[int]:
    """The actions of set ``k`` outside ``support`` (all the game's, not only the table's)."""
    return [b for b in range(ctx.game._action_counts[k]) if b not in support]


def _programs(ctx: _Ctx) -> _Programs:
    key = ("pbe_vertex_programs", ctx.policy, ctx.chance_key, ctx.reached_by_nature()[1], ctx.table.allowed)
    progs = ctx.game.tree_cache.get(key)
    if progs is None:
        progs = ctx.game.tree_cache[key] = _Programs()
    return progs


def _tabled_patterns(ctx: _Ctx, patterns: Sequence[tuple], admitted: np.ndarray,
                     reached: np.ndarray | _AdmittedReach, max_mixed: int
                     ) -> tuple[Iterable[tuple], int, int]:
    """The admitted patterns to solve, each with its mixing sets' options that pass the vertex sign
    tests and their conditions (all tests run in one compiled pass,
    :func:`deterrence.solvers._pbe_vertex.vertex_tests`) and the float screens' verdicts on its
    systems (in another, :func:`deterrence.solvers._pbe_prescreen.joined_prescreen`), in order; and the
    numbers of patterns skipped (``max_mixed``) and mixing where beliefs are free. ``reached``: the
    sets each admitted pattern reaches, by position among them (indexed by an array of positions:
    they are read only for the programs built here, :class:`_AdmittedReach`).

    A pattern passes the tests iff :func:`_live_options` keeps it, with the same options and
    conditions: the tests read the same payoffs (:func:`_spec_payoffs`) and compare them as
    :func:`_set_conditions` does, which forms the conditions from them as here. It is kept if a
    float screen rules out none of its systems (those it rules out would give
    :func:`_solve_pattern` nothing, with no side effect: :mod:`deterrence.solvers._pbe_prescreen`)."""
    progs = _programs(ctx)
    base = flat, versions = progs.codes.current  # (one read: another thread may store a new one)
    table = progs.aligned(patterns)
    aligned, status, n_mixed = table.programs, table.status, table.n_mixed
    # the programs not built yet (or built through another list) that may be chosen, one at a time
    to_build = []
    for j in np.flatnonzero((status[admitted] == _UNBUILT) & (n_mixed[admitted] <= max_mixed)).tolist():
        i = int(admitted[j])
        prog = aligned[i]
        if prog is None:
            pattern = patterns[i]
            prog = progs.of.get(pattern)
            if prog is None:
                mixed = tuple(k for k, s in enumerate(pattern) if len(s) > 1)
                prog = progs.of[pattern] = _Program(mixed=mixed)
            aligned[i] = prog
            n_mixed[i] = len(prog.mixed)
            if n_mixed[i] > max_mixed:
                continue
        if prog.built:
            table.mark(i, prog)
        else:
            to_build.append(j)
    if to_build:  # (in the same order: the specs are numbered as they are met)
        for j, on_path in zip(to_build, reached[np.array(to_build)], strict=True):
            i = int(admitted[j])
            progs.build(ctx, patterns[i], aligned[i], on_path)
            table.mark(i, aligned[i])
    within = n_mixed[admitted] <= max_mixed
    state = status[admitted]
    skipped = int(len(admitted) - np.count_nonzero(within))
    free_offpath = int(np.count_nonzero(within & (state == _FREE)))
    picked = admitted[within & (state == _CHOSEN)]
    if not len(picked):
        return [], skipped, free_offpath
    programs = _Picked(aligned, picked.tolist())  # (a view: the few not placed yet are read)
    at = table.placed(picked, versions)  # where each one's code starts in flat (-1: not there yet)
    unplaced = picked[at < 0]
    n_options = table.n_keys[picked]
    used_set = functools.reduce(operator.or_, map(table.sets_read.__getitem__,
                                                  np.unique(table.key_sets[picked]).tolist()), 0)
    used = np.array([i for i in range(used_set.bit_length()) if used_set >> i & 1], dtype=np.int64)
    tables = [_spec_payoffs(ctx, *progs.specs[i]) for i in used.tolist()]
    stacked = np.zeros((len(tables), len(ctx.table.reach), max(t.shape[1] for t in tables)))
    for j, t in enumerate(tables):
        stacked[j, :, :t.shape[1]] = t
    slot = np.full(used_set.bit_length(), -1, dtype=np.int64)  # (every spec number the codes read)
    slot[used] = np.arange(len(used))
    flat, starts = _joined_codes(progs, programs, base, at)
    table.note_placed(unplaced)
    ok, opt_starts, passed, values = joined_vertex_tests(flat, starts, n_options,
                                                         stacked, slot, ctx.tol)
    flags = passed.tolist()
    # the patterns that pass and their programs, by position among those chosen (the later steps
    # read no others)
    passing, where_passing = np.flatnonzero(ok).tolist(), picked[ok].tolist()
    chosen = dict(zip(passing, map(patterns.__getitem__, where_passing), strict=True))
    programs = dict(zip(passing, map(aligned.__getitem__, where_passing), strict=True))
    settled = _settled_patterns(ctx, chosen, programs, ok, opt_starts, flags)
    screens = joined_prescreen(flat, starts, ok, opt_starts, passed, values, settled)
    kept = _kept(ctx, chosen, programs, ok, opt_starts, flags, values, screens)
    return kept, skipped, free_offpath


#: the fewest systems among those :func:`_settled_patterns` looks at within which a set of the store
#: must be for it to be tested there (a test costs about as much as the float screens of two or three
#: systems; a set tested nowhere is left to the exact screens, as before)
MIN_SYSTEMS_TESTED = 2

#: how many sets the store may have gained since a program's sets within its systems were listed
#: before they are listed again (:func:`_store_sets_within`; sets not listed only settle nothing)
STALE_SETS = 16

#: the fewest unknowns of the patterns :func:`_settled_patterns` looks at (with fewer, the float
#: screens settle a system in a few microseconds, less than looking it up)
SETTLED_MIN_UNKNOWNS = 5


def _settled_patterns(ctx: _Ctx, chosen: Mapping[int, tuple], programs: Mapping[int, _Program],
                      ok: np.ndarray, opt_starts: np.ndarray, flags: list[bool]) -> np.ndarray | None:
    """Per pattern that passes the vertex tests (``ok``; ``chosen`` and ``programs``: those patterns and
    their programs by position), whether every system it would solve (one per
    combination of its mixing sets' passing options, ``flags``) holds a set of conditions that held a
    vector of one term at an earlier point of the tree (:class:`~deterrence.solvers._pbe_exact.OneTermStore`)
    and holds one here too (tested here once per solve:
    :meth:`~deterrence.solvers._pbe_exact.ExactTree.known_holds`, the sets within the most systems
    first, so that few are tested); ``None`` when the store is empty. Only patterns of at least
    :data:`SETTLED_MIN_UNKNOWNS` unknowns whose systems go through the exact screens
    (:func:`_screened_exactly`) are looked at: the float screens cost most on those, and the patterns
    settled here need not run them (:func:`~deterrence.solvers._pbe_prescreen.joined_prescreen`).

    Sound and without effect on the result: such a system's exact conditions would be ``None``
    (:meth:`~deterrence.solvers._pbe_exact.ExactTree.polynomials`, the set being noted) and the exact
    root screen would rule it out with no other effect, whatever screens ran before it (each only
    rules out: see :func:`_unsettled`), so it gives :func:`_solve_pattern` nothing either way."""
    if not has_known_sets(ctx.game):
        return None
    passing = np.flatnonzero(ok).tolist()
    exact = None
    looked: list[tuple[int, tuple, _Program, list[tuple[tuple | None, tuple[frozenset[int], ...]]]]] = []
    counts: dict[frozenset[int], int] = {}  # per set of the store: the systems looked at within which it is
    for n, i in enumerate(passing):
        prog = programs[i]
        if not prog.settles:
            if prog.settles is not None:
                continue
            pattern, mixed = chosen[i], prog.mixed
            prog.settles = sum(len(pattern[k]) for k in mixed) - len(mixed) >= SETTLED_MIN_UNKNOWNS \
                and _screened_exactly(pattern, list(mixed))
            if not prog.settles:
                continue
        if exact is None:
            exact, store = ctx.exact, ctx.exact.store
        pattern = chosen[i]
        if prog.found is None:  # Bayes' rule at every mixing set: one option each, which passes
            within = prog.within
            hit = within[1].get(None) if within is not None and within[0] is store else None
            known = hit[1] if hit is not None and store.size < hit[0] + STALE_SETS else \
                _store_sets_within(exact, pattern, prog, None, (0,) * len(prog.mixed))
            if known:
                looked.append((n, pattern, prog, [(None, known)]))
                for sets in known:
                    counts[sets] = counts.get(sets, 0) + 1
            continue
        live, kept = _passing(prog, prog.found[2], flags, int(opt_starts[i]))
        systems = []
        for at, combo in zip(itertools.product(*kept), itertools.product(*live), strict=True):
            known = _store_sets_within(exact, pattern, prog, combo, at)
            if not known:  # a system no set of the store can settle: nor the pattern
                break
            systems.append((combo, known))
        else:
            looked.append((n, pattern, prog, systems))
            for _, known in systems:
                for sets in known:
                    counts[sets] = counts.get(sets, 0) + 1
    out = np.zeros(len(passing), dtype=np.bool_)
    if not looked:
        return out
    held = exact.held
    for n, pattern, prog, systems in looked:
        for combo, known in systems:
            for sets in known:
                if held(sets):
                    break
            else:
                if not _holds_one(exact, pattern, prog, combo, known, counts):
                    break
        else:
            out[n] = True
    return out


def _store_sets_within(exact: ExactTree, pattern: tuple, prog: _Program, combo: tuple | None,
                       at: tuple[int, ...]) -> tuple[frozenset[int], ...]:
    """The store's sets within the groups of the pattern's system with the mixing sets' options
    ``combo`` (at positions ``at`` among their options; ``None``: Bayes' rule at each). The groups'
    store numbers (:meth:`~deterrence.solvers._pbe_exact.ExactTree.system_numbers`) and the sets
    within them read the tree alone: they are kept on the program (with the store they belong to),
    the latter with the store's size when they were found, and only the sets added since are looked
    at when it has grown by :data:`STALE_SETS` or more."""
    store = exact.store
    if prog.within is None or prog.within[0] is not store:  # (sets of another store mean nothing)
        prog.within = (store, {})
    key = None if combo is None else at  # (as :func:`_settled_patterns` reads it)
    hit = prog.within[1].get(key)
    if hit is not None and store.size < hit[0] + STALE_SETS:
        return hit[1]
    if prog.numbers is None or prog.numbers[0] is not store:
        prog.numbers = (store, {})
    numbers = prog.numbers[1].get(at)
    if numbers is None:
        # a pattern's system under Bayes' rule at every mixing set is the same in the programs of
        # every set of table actions: its numbers are kept by the store too
        numbers = store.reached.get(pattern) if combo is None else None
        if numbers is None:
            numbers = exact.system_numbers(pattern, prog.mixed, _combo_specs(prog, combo))
            if combo is None and len(store.reached) < 200_000:
                store.reached[pattern] = numbers
        prog.numbers[1][at] = numbers
    if hit is None:
        hit = (store.size, store.within(numbers))
    else:
        hit = (store.size, hit[1] + store.within(numbers, since=hit[0]))
    prog.within[1][key] = hit
    return hit[1]


def _holds_one(exact: ExactTree, pattern: tuple, prog: _Program, combo: tuple | None,
               known: tuple[frozenset[int], ...], counts: dict[frozenset[int], int]) -> bool:
    """Whether one of the store's sets ``known`` (within the system of ``combo``, none tested in this
    solve to hold) holds a vector of one term here: the untested ones tested in turn, those within the
    most systems (``counts``) first, up to the first that holds."""
    untested = [sets for sets in known if exact.held(sets) is None and counts[sets] >= MIN_SYSTEMS_TESTED]
    if not untested:
        return False
    specs = _combo_specs(prog, combo)
    for sets in sorted(untested, key=counts.__getitem__, reverse=True):
        if exact.known_holds(sets, pattern, prog.mixed, specs):
            return True
    return False


def _combo_specs(prog: _Program, combo: tuple | None) -> dict[int, Spec]:
    """The weight specs of a pattern's system: its shared specs with the mixing sets' options
    ``combo`` (``None``: Bayes' rule at every mixing set, the program keeping no specs)."""
    if combo is None:
        return {k: ("reach",) for k in prog.mixed}
    specs = dict(prog.found[1])
    specs.update(zip(prog.mixed, combo, strict=True))
    return specs


def _joined_codes(progs: _Programs, programs: Sequence[_Program], base: tuple[np.ndarray, frozenset[int]],
                  at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The codes of ``programs`` in one array (``base``, the version of ``progs.codes`` read before,
    extended with those not in it, ``at`` -1; ``at`` the others' positions in it) and where each
    starts (one more entry: its end). Each program placed is marked (:attr:`_Program.placed`)."""
    flat = base[0]
    new = np.flatnonzero(at < 0).tolist()
    starts = np.empty(len(at) + 1, dtype=np.int64)
    starts[:-1] = at
    if new:
        flat, number, first = progs.codes.extended(base, [programs[n].code for n in new])
        for n in new:
            prog = programs[n]
            prog.placed = (number, first)
            starts[n] = first
            first += len(prog.code)
    starts[-1] = len(flat)
    return flat, starts


def _kept(ctx: _Ctx, chosen: Mapping[int, tuple], programs: Mapping[int, _Program], ok: np.ndarray,
          opt_starts: np.ndarray, flags: list[bool], conditions: np.ndarray,
          screens: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Iterator[tuple]:
    """The patterns that pass the vertex tests (``chosen``, with their ``programs``, by position) and
    have a system that no float screen rules out
    (``screens``: :func:`deterrence.solvers._pbe_prescreen.joined_prescreen`), one at a time (their
    conditions are built as the solver reaches them, so that each pattern's lists are dropped once it
    is solved), each with its systems' verdicts."""
    verdicts, system_starts, condition_starts = screens
    passing = np.flatnonzero(ok)
    if not len(passing):
        return
    # the patterns with a system left: each has at least one (an option passes at every mixing set)
    alive = np.flatnonzero(np.logical_or.reduceat(verdicts != RULED_OUT, system_starts[:-1]))
    ends = np.append(condition_starts[1:], len(conditions))  # where each pattern's conditions end
    for n, i, begin, end in zip(alive.tolist(), passing[alive].tolist(), system_starts[alive].tolist(),
                                system_starts[alive + 1].tolist(), strict=True):
        pattern, prog = chosen[i], programs[i]
        mixed = list(prog.mixed)
        # a program keeps no specs only when the pattern reaches every set where it mixes
        found = prog.found if prog.found is not None else _reached_specs(prog.on_path, mixed)
        if prog.found is None:  # Bayes' rule at every mixing set: one option each, which passes
            live, kept = found[2], [[0]] * len(mixed)
        else:
            live, kept = _passing(prog, found[2], flags, int(opt_starts[i]))
        systems = verdicts[begin:end].tolist()
        exact = ctx._exact  # (the exact tree, once this solve built it: it may have noted some sets)
        if exact is not None and exact.has_noted() and _screened_exactly(pattern, mixed) \
                and not _unsettled(exact, pattern, prog, found[1], live, kept, systems):
            continue
        values = conditions[condition_starts[n]:ends[n]].reshape(-1, len(prog.rows)).tolist()
        checks = _option_conditions(pattern, prog, live, values)
        yield pattern, mixed, prog.rows, found, (live, checks, systems)


def _screened_exactly(pattern: tuple, mixed: list[int]) -> bool:
    """Whether the pattern's systems go through the exact screens
    (:func:`~deterrence.solvers._pbe_multilinear._screened`): it mixes at two sets or more, and not at
    exactly two sets of two actions each (solved in closed form)."""
    return len(mixed) > 2 or (len(mixed) == 2 and (len(pattern[mixed[0]]) > 2 or len(pattern[mixed[1]]) > 2))


def _unsettled(exact: ExactTree, pattern: tuple, prog: _Program, base: dict[int, Spec],
               live: list[list[Spec]], kept: list[list[int]], systems: list[int]) -> bool:
    """Mark :data:`RULED_OUT` (in ``systems``, the verdicts of the pattern's systems, in the order of
    :func:`_spec_combos` over ``live``, the options kept, at positions ``kept`` among the sets'
    options) the systems that hold every group of a set of conditions noted in this solve to hold a
    vector of one term (:meth:`~deterrence.solvers._pbe_exact.ExactTree.rules_out`); whether one is
    left. Such a system would reach the exact screens (the pattern's are :func:`_screened_exactly`),
    whose exact conditions (:meth:`~deterrence.solvers._pbe_exact.ExactTree.polynomials`) would be
    ``None``: ruled out with no other effect, whatever screens ran before (each only rules out), as
    here. The groups' store numbers read the tree alone and are kept on the program."""
    store = exact.store
    if prog.numbers is None or prog.numbers[0] is not store:  # (numbers of another store mean nothing)
        prog.numbers = (store, {})
    numbers = prog.numbers[1]
    mixed = prog.mixed
    left = False
    for n, (at, combo) in enumerate(zip(itertools.product(*kept), itertools.product(*live), strict=True)):
        if systems[n] == RULED_OUT:
            continue
        known = numbers.get(at)
        if known is None:
            specs = dict(base)
            specs.update(zip(mixed, combo, strict=True))
            known = numbers[at] = exact.system_numbers(pattern, mixed, specs)
        if exact.rules_out(known):
            systems[n] = RULED_OUT
        else:
            left = True
    return left


def _passed_options(pattern: tuple, prog: _Program, choices: list[list[Spec]], flags: list[bool], first: int,
                    conditions: list[list[float]]) -> tuple[list[list[Spec]], dict, list[list[int]]]:
    """A kept pattern's options per mixing set (``choices``) that pass (``flags[first + i]``: whether
    option ``i`` of its program does) and the conditions of every set it checks under them, read off
    the pattern's ``conditions`` (:func:`deterrence.solvers._pbe_vertex.vertex_tests`, in its
    order, one list of floats per condition, its values at the vertex rows, as
    ``_set_conditions`` gives them); and per mixing set the positions of the options kept
    (:func:`_passing` and :func:`_option_conditions`)."""
    live, kept = _passing(prog, choices, flags, first)
    return live, _option_conditions(pattern, prog, live, conditions), kept


def _passing(prog: _Program, choices: list[list[Spec]], flags: list[bool], first: int
             ) -> tuple[list[list[Spec]], list[list[int]]]:
    """Per mixing set of a kept pattern, its options (``choices``) that pass (``flags[first + i]``:
    whether option ``i`` of its program does) and their positions among its options."""
    live, kept = [], []
    for start, opts in zip(prog.starts, choices, strict=True):
        at = first + start
        where = [m for m in range(len(opts)) if flags[at + m]]
        live.append([opts[m] for m in where])
        kept.append(where)
    return live, kept


def _option_conditions(pattern: tuple, prog: _Program, live: list[list[Spec]], conditions: list[list[float]]
                       ) -> dict:
    """The conditions of each mixing set under each of its passing options (``live``), by ``(set,
    spec)``, read off the pattern's ``conditions`` in their order (set by set, option by option,
    ``j >= 1`` by ``j``)."""
    checks = {}
    at = 0
    for k, keep in zip(prog.mixed, live, strict=True):
        step = len(pattern[k]) - 1
        for spec in keep:
            checks[(k, spec)] = conditions[at:at + step]
            at += step
    return checks


def _untabled_patterns(ctx: _Ctx, patterns: Sequence[tuple], admitted: np.ndarray, reached: np.ndarray,
                       max_mixed: int) -> tuple[list[tuple], int, int]:
    """:func:`_tabled_patterns` without a pure table: every pattern to solve with its specs (its
    vertex sign tests are run by :func:`_solve_mixed`)."""
    out = []
    skipped = free_offpath = 0
    for i, on_path in zip(admitted.tolist(), reached, strict=True):
        pattern = patterns[i]
        mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
        if len(mixed) > max_mixed:
            skipped += 1
            continue
        found = _specs_of(ctx, pattern, mixed, on_path)
        if found is None:  # mixing at an unreached set under free beliefs
            free_offpath += 1
            continue
        out.append((pattern, mixed, None, found, None))
    return out, skipped, free_offpath


def _to_visit(ctx: _Ctx, pruner: BeliefSupportPruner, patterns: Sequence[tuple], max_mixed: int
              ) -> tuple[np.ndarray, int]:
    """The admitted mixed patterns (indices into ``patterns``) that the pattern loop must visit, and
    the number of admitted ones it need not: those mixing at no more than ``max_mixed`` sets, one
    of them unreached with a free belief (:func:`~deterrence.solvers._pbe_offpath.free_offpath_mask`),
    which it would only count (it counts any other such pattern itself)."""
    ok = pruner.admits_all(patterns)
    free = free_offpath_mask(ctx, pruner, patterns, max_mixed)
    if free is None:
        return np.flatnonzero(ok), 0
    counted = ok & free
    return np.flatnonzero(ok & ~counted), int(np.count_nonzero(counted))


def _work(ctx: _Ctx, pruner: BeliefSupportPruner, patterns: Sequence[tuple], admitted: np.ndarray,
          max_mixed: int) -> tuple[Iterable[tuple], int, int]:
    """The admitted patterns (indices into ``patterns``) to solve, with what the screens found, and the
    numbers skipped (``max_mixed``) and mixing where beliefs are free (:func:`_tabled_patterns`, or
    :func:`_untabled_patterns` without a pure table)."""
    if ctx.table is not None:
        reach = _AdmittedReach(pruner, patterns, admitted)
        return _tabled_patterns(ctx, patterns, admitted, reach, max_mixed)
    reached = pruner.reached(pruner.indicators(patterns)[admitted]) if len(admitted) else []
    return _untabled_patterns(ctx, patterns, admitted, reached, max_mixed)


#: the note of a continuum found among the unbalanced patterns (:func:`_unbalanced_last`)
UNBALANCED_CONTINUUM = (
    "a curve of solutions of some support pattern that holds no isolated PBE (in a two-player game of "
    "private types: one whose players mix in unequal dimensions where it reaches, or whose on-path "
    "block has no root; these patterns were solved until one was found)")


def _unbalanced_last(ctx: _Ctx, pruner: BeliefSupportPruner, patterns: Sequence[tuple], admitted: np.ndarray,
                     max_mixed: int, split: Unbalanced, roots: list[list[np.ndarray]]) -> int:
    """Solve the admitted patterns that hold no isolated equilibrium (indices into ``patterns``: the
    unbalanced ones, :mod:`deterrence.solvers._pbe_unbalanced`, and under ``d1`` those whose on-path
    block has no root, :mod:`deterrence.solvers._pbe_blocks`) until a continuum is noted, adding any
    root to ``roots`` (the generic route finds none; kept all the same); returns the number mixing at
    more than ``max_mixed`` sets (not solved, as any other pattern). The continua they give are noted
    as :data:`UNBALANCED_CONTINUUM`, whatever pattern gave the first: the note and the flags are
    those of any order (the pattern that gave one at the last point is tried first, then its kin)."""
    within = split.n_mixed[admitted] <= max_mixed
    stop = _pbe_unbalanced.STOP_AT_FIRST_CONTINUUM
    told = len(ctx.continua)
    batches = split.batches(admitted[within])  # (each worked out when asked for: after the check)
    while not (stop and ctx.continua) and (batch := next(batches, None)) is not None:
        for pattern, mixed, rows_of, found, tested in _work(ctx, pruner, patterns, batch, max_mixed)[0]:
            noted = len(ctx.continua)
            roots.extend(_solve_mixed(ctx, pattern, mixed, rows_of, found, tested))
            if len(ctx.continua) > noted:
                split.remember(next(i for i in batch.tolist() if patterns[i] == pattern))
                if stop:
                    break
    if len(ctx.continua) > told:  # (which of them noted one depends on the order: not named)
        del ctx.continua[told:]
        ctx.continua.append(UNBALANCED_CONTINUUM)
    return int(len(admitted) - np.count_nonzero(within))


def pbe_candidates(game: ExtensiveFormGame, options: SolveOptions) -> tuple[list[Candidate], _Ctx, bool]:
    """All PBE found under the option ``belief_policy``; returns candidates, the context and whether
    every support pattern was examined."""
    opts = options.of(PBEOptions)
    allowed, n_pure, n_patterns = _counts(game, options.tol)
    est = _estimate(game)
    if est > options.max_work:
        raise ResourceError(
            f"'pbe' would check {n_pure} pure profiles and {n_patterns - n_pure} mixed support patterns "
            f"(about {est:.3g} operations > max_work={options.max_work:.3g})", estimate=est)
    ctx = _Ctx(game=game, tol=options.tol, policy=opts.belief_policy, kids=child_tables(game),
               prior=prior_mass(game), senders=_sender_sets(game))
    cands: list[Candidate] = []
    loose: list[str] = []

    def keep(beh: list[np.ndarray], row: int | None = None, v: _Verdict | object | None = _ASSESS) -> None:
        """Record ``beh`` if it is a PBE: ``v`` is its verdict if already known (``None``: not one),
        else ``_assess``'s (``_ON_PATH_PASSED``: its tests at the sets ``beh`` reaches known to pass)."""
        if v is _ASSESS or v is _ON_PATH_PASSED:
            v = _assess(ctx, beh, row, on_path_passed=v is _ON_PATH_PASSED)
        if not isinstance(v, _Verdict):
            return
        if v.loose:
            loose.append(v.loose)
        cands.append(Candidate(strategies=tuple(beh), beliefs=tuple(v.beliefs), label=_label(ctx, beh)))

    possible = [ctx.possible(k) for k in range(len(game.infosets))]
    pure, mixed_patterns = cached_patterns(feasible_patterns, game, allowed, possible, options.tol,
                                           mixed=opts.mixed)
    if mixed_patterns and PureTable.fits(game, allowed):  # the vertices of every mixed pattern
        ctx.table = PureTable(game, allowed, ctx.batch, ctx.kids, ctx.prior)
    pruner = BeliefSupportPruner(game, possible, options.tol, ctx.batch, ctx.kids,
                                 unreached_belief_kinds(game, ctx.policy))
    admitted_pure = [p for p, ok in zip(pure, pruner.admits_all(pure), strict=True) if ok]
    for beh, row, v in _pure_verdicts(ctx, admitted_pure):
        keep(beh, row, v)
    all_patterns = True
    if opts.mixed and n_patterns > n_pure:
        max_mixed = opts.max_mixed_sets
        admitted, free_offpath = _to_visit(ctx, pruner, mixed_patterns, max_mixed)
        # the balanced patterns decided in floating point, with a margin (their roots join the others')
        early = float_decided(ctx, pruner, mixed_patterns, admitted, max_mixed)
        admitted = admitted[~early.decided]
        split = unbalanced(game, pruner, mixed_patterns)
        last = np.zeros(len(admitted), dtype=bool) if split is None else split.mask[admitted]
        if split is not None and ctx.policy in BLOCKS_POLICIES:  # no root in the box (_pbe_blocks)
            last |= rootless_mask(ctx, pruner, mixed_patterns, admitted, max_mixed)
        work, skipped, visited_free = _work(ctx, pruner, mixed_patterns, admitted[~last], max_mixed)
        free_offpath += visited_free
        solved = [(pattern, beh) for pattern, mixed, rows, found, tested in work
                  for beh in _solve_mixed(ctx, pattern, mixed, rows, found, tested)]
        roots = early.merged(mixed_patterns, solved)
        if split is not None:
            skipped += _unbalanced_last(ctx, pruner, mixed_patterns, admitted[last], max_mixed, split, roots)
        for beh, verdict in zip(roots, onpath_verdicts(ctx, roots), strict=True):
            keep(beh, None, _ROOT_VERDICTS[verdict])
        if free_offpath:
            all_patterns = False
            ctx.notes.append(f"{free_offpath} support pattern(s) mix at unreached information sets whose "
                             "beliefs are free; such PBE (typically continua) are not enumerated")
        if skipped:
            all_patterns = False
            ctx.notes.append(f"{skipped} support pattern(s) mixing at more than {max_mixed} information sets "
                             "were not solved (option max_mixed_sets)")
    elif n_patterns > n_pure:
        all_patterns = False
        ctx.notes.append("mixed support patterns not solved (mixed=False): only pure PBE listed")
    if opts.seeds:
        for beh in nash_seeds(game, allowed, options, ctx.notes):
            keep(beh)
            fixed = repaired(ctx, beh)
            if fixed is not None:
                keep(fixed)
    if loose:
        ctx.loose.extend(dict.fromkeys(loose))
    return cands, ctx, all_patterns


def _run(game: ExtensiveFormGame, options: SolveOptions) -> RawResult:
    # the collector paused (it would find no garbage: see _gc_pause) until the solve's context is
    # freed, which _solved does on returning: the first collection after walks only what is kept
    with collector_paused():
        return _solved(game, options)


def _solved(game: ExtensiveFormGame, options: SolveOptions) -> RawResult:
    cands, ctx, all_patterns = pbe_candidates(game, options)
    notes = [f"belief policy '{options.of(PBEOptions).belief_policy}'", *ctx.notes]
    if ctx.loose:
        notes.append("mixed play at unreached information sets is not enumerated; it also gives PBE at "
                     + "; ".join(ctx.loose[:5]))
    if ctx.continua:
        notes.append("continua of PBE on the path, not listed: " + "; ".join(dict.fromkeys(ctx.continua)))
    notes.extend(ctx.failed)
    complete = all_patterns and not (ctx.loose or ctx.continua or ctx.failed)
    return RawResult(candidates=cands, complete=complete, degenerate=bool(ctx.continua), notes=tuple(notes))


SOLVER = SolverInfo(
    name="pbe",
    concepts=frozenset({"pbe"}),
    kinds=frozenset({"extensive"}),
    run=_run,
    options=PBEOptions,
    finds="all",
    applicable=_applicable,
    estimate=_estimate,
    description="perfect Bayesian equilibria: pure profiles and mixed support patterns, "
                "off-path beliefs free, prior or D1-style",
)
