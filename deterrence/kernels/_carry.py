"""Beliefs carried forward by the mover: the rows the compiled kernels read them from.

At an information set ``h`` that a profile leaves unreached, the per-point PBE solver does not let
the belief policy choose first (:meth:`deterrence.solvers._pbe_beliefs._Beliefs._own_consistent`):
if the mover has moved before, its belief at its previous set ``s_1`` is carried forward through
its own action there, by Bayes' rule over Nature's and the other players' moves, and only where
that puts no weight on ``h`` does the policy choose. The belief at ``s_1`` is itself Bayes' rule
where ``s_1`` is reached, else carried from the mover's set before it, and so on up the *chain*
``(s_1, a_1), (s_2, a_2), ..., (s_m, a_m)`` of the mover's own moves on the path to ``h`` (the
same for every node of ``h``: perfect recall), or chosen by the policy at the first set of the
chain where nothing is carried.

Weights, for a profile that is pure or multilinear in two mixtures (the corners of the kernels'
structures). With ``u_k(x)`` the node of ``s_k`` on the path to node ``x``:

* ``E_0(x) = chance(x) * [every decision move on the path to x follows the profile, the
  mover's own moves there being its chain's]``: the carried weight from a reached set of the
  chain. (Bayes' rule at a reached ``s_j`` weighs ``u`` by its reach; carrying it down through
  ``a_j``, ..., ``a_1`` multiplies by the edges below; the mover's moves above ``s_j`` are the
  same for all of ``s_j``'s nodes and cancel.)
* ``E_k(x) = chance(x) * [every decision move on the path from u_k(x) to x follows the profile
  (the chain's moves)]``, ``k = 1 .. m``: the carried weight from Nature's odds at ``s_k``
  (the ``prior`` policy's belief there).

Both are linear forms in the kernels' features (``R(x)`` with 0/1 coefficients per corner). A
belief carried from a reached set is ``E_0 / sum(E_0)``; one carried from the policy's belief at
``s_k`` is ``E_k / sum(E_k)`` under ``prior``; under ``free`` (and ``d1``, whose kernels run the
``free`` engine) it is carried from a belief the per-point solver picks (the supporting belief
closest to Nature's odds), and at a set Nature never reaches ``prior`` carries a uniform belief
through Nature's moves below it: the kernels form neither, and decide such a point only where
every belief over ``h``'s nodes decides alike (``ANY``; else the point is undecided). Which source
applies is worked out point by point from
the top of the chain (:func:`deterrence.kernels._engine._carried`): ``s_m`` is reached (source
``E_0``) or chosen by the policy (source ``k = m``); going down, a reached set restarts from
``E_0``, an unreached one keeps its predecessor's source where that gives it weight, else the
policy chooses there. The optimality of the set's prescribed move under the carried belief is
then the ratio of two linear forms per plan of the mover, as on the path.

Layout of a check's *carry block* (:func:`carry_block`; per corner, ``T`` rows): for ``i = m``
down to 1, ``[reach total of s_i, chance total of s_i, sum E_0(s_i), sum E_{i+1}(s_i), ...,
sum E_m(s_i)]``; then ``[sum E_0(h), sum E_1(h), ..., sum E_m(h)]``; then per source ``0 .. m``
the mover's weighted value difference of every plan at ``h`` (as the check's on-path rows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..game.extensive import ExtensiveFormGame

# The tree's paths, feature space, row set and profiles come from :mod:`deterrence.kernels._linforms`
# (``TreePaths``, ``FeatureSpace``, ``RowSet``, ``Profile``), which builds the carry blocks with
# this module: typed ``Any`` here, as importing them back, even for type checking, would make
# the two modules import each other.
TreePaths = FeatureSpace = RowSet = Profile = Any

#: what the mover's carried belief is at an unreached set, at a point (the engine's
#: :func:`deterrence.kernels._engine._carried` and :func:`carried_beliefs`): none, the policy
#: chooses; a belief carried forward; the kernels cannot tell (a weight within ``NEAR_ZERO`` of
#: 0); a belief the kernels do not form, so any belief over the set's nodes (carried from one
#: the ``free`` policy chose, or from Nature's odds at a set Nature never reaches)
POLICY, CARRIED, UNSURE, ANY = 0, 1, 2, 3
#: a reach total or carried weight in ``(0, NEAR_ZERO]`` is too close to the per-point solver's
#: threshold (``_REACH``, 1e-12, on weights normalised at the previous set) to tell reached from
#: unreached, or carried from not: unsure
NEAR_ZERO = 1e-9


def own_chain(game: ExtensiveFormGame, h: int) -> tuple[tuple[int, int], ...]:
    """The mover's own moves ``(s_1, a_1), ..., (s_m, a_m)`` on the path to set ``h``, the last
    one first (read at its first node; the same for all of them with perfect recall)."""
    info = game.infosets[h]
    return tuple(reversed(game.own_sequence(info.nodes[0], info.player)))


def carry_stride(depth: int, nplans: int) -> int:
    """Rows per corner of a carry block of a chain of ``depth`` sets and ``nplans`` plans."""
    return sum(3 + depth - i for i in range(1, depth + 1)) + (1 + depth) * (1 + nplans)


def _ancestor_in(game: ExtensiveFormGame, x: int, s: int) -> int:
    """The node of set ``s`` on the path to node ``x``."""
    members = set(game.infosets[s].nodes)
    v = x
    while v >= 0 and v not in members:
        v = game.nodes[v].parent
    if v < 0:
        raise ValueError(f"internal: set {s} is not on the path to node {x}")
    return v


def carry_block(
    game: ExtensiveFormGame,
    paths: TreePaths,
    feats: FeatureSpace,
    rows: RowSet,
    h: int,
    plans: Sequence[Mapping[int, int]],
    profiles: Sequence[Profile],
    below: Mapping[int, list[int]],
) -> tuple[int, list[list[int]]]:
    """The depth ``m`` of set ``h``'s chain and its carry block, per corner profile (see the
    module docstring); ``(0, [])`` for a set of one node or one whose mover has not moved before.
    ``plans``: the mover's plans below ``h`` (as the check lists them); ``below``: the terminal
    rows below each node of ``h``."""
    info = game.infosets[h]
    chain = own_chain(game, h)
    if len(info.nodes) < 2 or not chain:
        return 0, []
    m = len(chain)
    block = []
    for prof in profiles:
        star = dict(prof)
        star.update(dict(chain))
        weighed = _weighers(game, paths, chain, star)
        corner: list[int] = []
        for i in range(m, 0, -1):
            nodes = game.infosets[chain[i - 1][0]].nodes
            corner.append(rows.add({feats.R(v): 1.0 for v in nodes if paths.reaches(v, prof)}))
            corner.append(rows.add({feats.R(v): 1.0 for v in nodes}))
            for k in (0, *range(i + 1, m + 1)):
                corner.append(rows.add({feats.R(v): 1.0 for v in nodes if weighed(v, k)}))
        for k in range(m + 1):
            corner.append(rows.add({feats.R(v): 1.0 for v in info.nodes if weighed(v, k)}))
        for k in range(m + 1):
            corner += _value_rows(paths, feats, rows, star, plans, info.nodes, info.player, below,
                                  lambda v, k=k, weighed=weighed: weighed(v, k))
        block.append(corner)
    return m, block


def _weighers(
    game: ExtensiveFormGame, paths: TreePaths, chain: Sequence[tuple[int, int]], star: Mapping[int, int]
) -> Callable[[int, int], bool]:
    """``weighed(x, k)``: whether ``E_k(x)`` has weight ``chance(x)`` (else 0) under the corner
    profile with the chain's moves (``star``)."""

    def weighed(x: int, k: int) -> bool:
        top = -1 if k == 0 else _ancestor_in(game, x, chain[k - 1][0])
        return all(star[hh] == a for p, hh, a, _i in paths.edges[x] if p >= top)

    return weighed


def _value_rows(
    paths: TreePaths,
    feats: FeatureSpace,
    rows: RowSet,
    star: Mapping[int, int],
    plans: Sequence[Mapping[int, int]],
    nodes: Sequence[int],
    player: int,
    below: Mapping[int, list[int]],
    weighed: Callable[[int], bool],
) -> list[int]:
    """Per plan, the row of ``sum_v [weighed(v)] chance(v) (value of the profile - value of the
    plan from v)`` for the mover (the continuation below ``v`` is the profile's)."""
    out = []
    for plan in plans:
        entries: dict[int, float] = {}
        for v in nodes:
            if not weighed(v):
                continue
            for z in below[v]:
                coef = float(paths.follows(z, v, star)) - float(paths.follows(z, v, star, player, plan))
                if coef:
                    entries[feats.F(z, player)] = entries.get(feats.F(z, player), 0.0) + coef
        out.append(rows.add(entries))
    return out


def carried_beliefs(
    game: ExtensiveFormGame, h: int, E: np.ndarray, R: np.ndarray, CR: np.ndarray, prior: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The tree-walking form of the engine's carried beliefs at set ``h`` (the reference path,
    :mod:`deterrence.kernels._reference`): per point, what applies (the codes ``POLICY``,
    ``CARRIED``, ``UNSURE``, ``ANY``, as :func:`deterrence.kernels._engine._carried` finds them,
    in the same order) and the carried belief ``(P, nodes)`` where it is ``CARRIED``.

    ``E``: the profile's edge probabilities ``(P, n + 1)``; ``R``: its reach ``(P, n)``;
    ``CR``: Nature's reach ``(P, n)``; ``prior``: the policy is ``prior`` (else ``free`` or
    ``d1``, whose own choices the kernels do not carry)."""
    info = game.infosets[h]
    npts = E.shape[0]
    chain = own_chain(game, h)
    kind = np.full(npts, POLICY, dtype=np.int64)
    if len(info.nodes) < 2 or not chain:
        return kind, np.zeros((npts, len(info.nodes)))
    m = len(chain)
    star = E.copy()
    for s, a in chain:
        for u in game.infosets[s].nodes:
            for j, child in enumerate(game.nodes[u].children):
                star[:, child] = 1.0 if j == a else 0.0

    def weights(nodes: Sequence[int], k: int) -> np.ndarray:
        """``E_k`` at ``nodes``, ``(P, len(nodes))``."""
        out = np.empty((npts, len(nodes)))
        for j, x in enumerate(nodes):
            top = -1 if k == 0 else _ancestor_in(game, x, chain[k - 1][0])
            acc = np.ones(npts) if k == 0 else CR[:, top].copy()
            v = x
            while v > top and v > 0:  # the edges below ``top`` down to ``x``
                acc = acc * star[:, v]
                v = game.nodes[v].parent
            out[:, j] = acc
        return out

    final = np.full(npts, POLICY, dtype=np.int64)
    done = np.zeros(npts, dtype=bool)  # the points whose answer is known (the engine returns there)

    def settle(where: np.ndarray, what: int) -> None:
        new = where & ~done
        final[new] = what
        done[new] = True

    src = np.zeros(npts, dtype=np.int64)
    blind = np.zeros(npts, dtype=bool)
    for i in range(m, 0, -1):
        nodes = list(game.infosets[chain[i - 1][0]].nodes)
        tot = R[:, nodes].sum(axis=1)
        settle((tot > 0) & (tot <= NEAR_ZERO), UNSURE)
        reached = tot > 0
        keep = np.zeros(npts, dtype=bool)
        if i < m:
            settle(~reached & blind, ANY)
            got = np.zeros(npts)
            for k in np.unique(src).tolist():
                at = src == k
                got[at] = weights(nodes, k)[at].sum(axis=1)
            settle(~reached & (got > 0) & (got <= NEAR_ZERO), UNSURE)
            keep = ~reached & (got > 0)
            if not prior:
                settle(keep & (src > 0), ANY)
        own = ~reached & ~keep
        blind = np.where(reached, False, np.where(own, ~(CR[:, nodes].sum(axis=1) > 0), blind))
        src = np.where(reached, 0, np.where(own, i, src))
    w = np.zeros((npts, len(info.nodes)))
    for k in np.unique(src).tolist():
        at = src == k
        w[at] = weights(list(info.nodes), k)[at]
    s = w.sum(axis=1)
    settle((s > 0) & (s <= NEAR_ZERO), UNSURE)
    settle((src > 0) & (blind | ((s > 0) & (not prior))), ANY)
    carried = s > 0
    settle(carried, CARRIED)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(carried[:, None], w / np.where(carried, s, 1.0)[:, None], 0.0)
    return final, mu
