"""Linear forms over per-point features: the fast engine of compiled kernels.

For a *pure* behaviour profile every quantity a kernel tests — a player's expected payoff from
an information set under any plan, weighted by the reach probabilities of the set's nodes; the
probability of each outcome label; payoffs — is a sum, over terminal nodes, of

* ``F(z, i) = chance(z) * u_i(z)`` (chance probability of reaching terminal ``z`` times player
  ``i``'s payoff there),
* ``R(v) = chance(v)`` (chance probability of reaching node ``v``), or
* ``C(v, z, i) = chance(v -> z) * u_i(z)`` (chance probability from ``v`` down to ``z``, for
  values conditional on reaching ``v``),

with coefficients 0 or ±1 fixed by the tree and the profile. With one or two information sets
that mix, every such quantity is multilinear in the mixing probabilities, so it is the
multilinear interpolation of its values at the pure *corners*.

So a model compiles into a sparse matrix of rows (each a linear form over the features),
deduplicated across structures; evaluating a chunk of points is one sparse-times-dense
product (``rows @ features``) followed by elementwise logic per structure.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..game.extensive import CHANCE, DECISION, ExtensiveFormGame
from ._carry import carry_block

Profile = Mapping[int, int]  # information set -> action


class FeatureSpace:
    """Index of the per-point features of a tree (see the module docstring)."""

    def __init__(self, game: ExtensiveFormGame) -> None:
        self.game = game
        self.Z = len(game.terminals)
        self.N = game.num_players
        self.n = len(game.nodes)
        self._cond: dict[tuple[int, int, int], int] = {}
        self._term_row = {v: k for k, v in enumerate(game.terminals)}

    def F(self, z: int, i: int) -> int:
        """Feature index of ``chance(z) * u_i(z)`` (``z`` a terminal row)."""
        return z * self.N + i

    def R(self, v: int) -> int:
        """Feature index of ``chance(v)``."""
        return self.Z * self.N + v

    def C(self, v: int, z: int, i: int) -> int:
        """Feature index of ``chance(v -> z) * u_i(z)``."""
        key = (v, z, i)
        if key not in self._cond:
            self._cond[key] = self.Z * self.N + self.n + len(self._cond)
        return self._cond[key]

    @property
    def size(self) -> int:
        return self.Z * self.N + self.n + len(self._cond)

    def matrix(
        self, pay: np.ndarray, chance_reach: np.ndarray, chance_below: Mapping[tuple[int, int], np.ndarray]
    ) -> np.ndarray:
        """Feature matrix ``(size, P)``.

        Parameters
        ----------
        pay
            Payoffs ``(Z, N, P)``.
        chance_reach
            ``(n, P)`` chance probability of reaching each node.
        chance_below
            ``(v, z) -> (P,)`` chance probability from node ``v`` to terminal row ``z``.
        """
        P = pay.shape[2]
        X = np.empty((self.size, P))
        term_nodes = np.asarray(self.game.terminals)
        X[: self.Z * self.N] = (chance_reach[term_nodes][:, None, :] * pay).reshape(self.Z * self.N, P)
        X[self.Z * self.N : self.Z * self.N + self.n] = chance_reach
        for (v, z, i), k in self._cond.items():
            X[k] = chance_below[(v, z)] * pay[z, i]
        return X

    def conditional_features(self) -> dict[tuple[int, int, int], int]:
        """Every conditional feature ``(v, z, i)`` and its index."""
        return dict(self._cond)

    def needed_chance_below(self) -> set[tuple[int, int]]:
        """The ``(v, z)`` pairs whose conditional chance probability the features need."""
        return {(v, z) for v, z, _ in self._cond}


class RowSet:
    """Deduplicated sparse rows (linear forms over the features)."""

    def __init__(self) -> None:
        self._ids: dict[tuple, int] = {(): 0}
        self._rows: list[tuple] = [()]

    def add(self, entries: Mapping[int, float]) -> int:
        key = tuple(sorted((k, float(c)) for k, c in entries.items() if c != 0))
        if key not in self._ids:
            self._ids[key] = len(self._rows)
            self._rows.append(key)
        return self._ids[key]

    def __len__(self) -> int:
        return len(self._rows)

    def matrix(self, n_features: int) -> CSR:
        """The rows as a compressed sparse row matrix (each row's columns ascending, no duplicates)."""
        data, cols, ptr = [], [], [0]
        for row in self._rows:
            for k, c in row:
                cols.append(k)
                data.append(c)
            ptr.append(len(cols))
        return CSR(
            np.array(ptr, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(data, dtype=float),
            (len(self._rows), n_features),
        )


class CSR(NamedTuple):
    """A sparse matrix in compressed sparse row form (the layout of ``scipy.sparse.csr_matrix``,
    without importing scipy.sparse, slow to import, for three arrays)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]


class TreePaths:
    """Static path facts of a tree: the decision edges on the path to every node."""

    def __init__(self, game: ExtensiveFormGame) -> None:
        self.game = game
        # for every node: list of (parent node, infoset, action, player) for decision edges root -> node
        self.edges: list[tuple[tuple[int, int, int, int], ...]] = [()] * len(game.nodes)
        for nd in game.nodes[1:]:
            par = game.nodes[nd.parent]
            prev = self.edges[par.index]
            if par.kind == DECISION:
                self.edges[nd.index] = (*prev, (par.index, par.infoset, nd.action, par.player))
            else:
                self.edges[nd.index] = prev
        self.term_rows = {v: k for k, v in enumerate(game.terminals)}

    def terminals_below(self, v: int) -> list[int]:
        """Terminal rows in the subtree of ``v``."""
        end = self.game.nodes[v].end
        return [self.term_rows[t] for t in self.game.terminals if v <= t < end]

    def reaches(self, v: int, profile: Profile) -> bool:
        """True if every decision edge from the root to ``v`` follows ``profile``."""
        return all(profile[h] == a for _p, h, a, _i in self.edges[v])

    def follows(
        self, z: int, start: int, profile: Profile, player: int = -1, plan: Profile | None = None
    ) -> bool:
        """True if every decision edge from ``start`` down to terminal row ``z`` follows the
        profile (``player``'s own edges follow ``plan`` instead, when given)."""
        node = self.game.terminals[z]
        for p, h, a, i in self.edges[node]:
            if p < start:
                continue
            want = plan[h] if (plan is not None and i == player) else profile[h]
            if want != a:
                return False
        return True

    def own_sets_below(self, nodes: Sequence[int], player: int) -> list[int]:
        """The player's information sets at or below ``nodes`` (sorted)."""
        out = set()
        for v in nodes:
            for w in range(v, self.game.nodes[v].end):
                nd = self.game.nodes[w]
                if nd.kind == DECISION and nd.player == player:
                    out.add(nd.infoset)
        return sorted(out)


@dataclass
class InfosetCheck:
    """Rows of one information set's test, per corner (PBE) or per node (SPE)."""

    infoset: int
    player: int
    nodes: tuple[int, ...]
    strict: tuple[bool, ...]  # per plan: differs from the profile at the set's own action
    value: list[list[int]] = field(default_factory=list)  # [corner][plan] weighted value rows
    total: list[int] = field(default_factory=list)  # [corner] reach total row
    prior_value: list[list[int]] = field(default_factory=list)
    prior_total: int = 0
    cond: list[list[list[int]]] = field(default_factory=list)  # [corner][plan][node] conditional rows
    reach: list[int] = field(default_factory=list)  # [node] chance reach row (PBE, several nodes)
    mixing: bool = False
    depth: int = 0  # PBE, several nodes: the mover's own earlier sets (the chain of _carry)
    carry: list[list[int]] = field(default_factory=list)  # [corner] carry block rows (_carry.carry_block)


@dataclass
class StructurePlan:
    """Everything needed to test one structure: its checks, outcome and payoff rows, per corner."""

    mixing: tuple[int, ...]
    corners: list[tuple[int, ...]]
    checks: list[InfosetCheck]
    outcome: list[dict[str, int]]  # [corner] label -> row
    payoff: list[list[int]]  # [corner][player] -> row
    indifference: dict[int, list[int]] = field(default_factory=dict)  # mixing set -> [corner] row


def corner_profiles(
    pure: Sequence[int], mixing: Sequence[int]
) -> tuple[list[tuple[int, ...]], list[dict[int, int]]]:
    """The pure profiles at the corners of a structure's mixing cube (action 1 = the mixed-in action)."""
    corners = list(itertools.product((0, 1), repeat=len(mixing)))
    profiles = []
    for corner in corners:
        prof = {h: a for h, a in enumerate(pure)}
        for h, a in zip(mixing, corner, strict=True):
            prof[h] = a
        profiles.append(prof)
    return corners, profiles


def build_plan(
    game: ExtensiveFormGame,
    paths: TreePaths,
    feats: FeatureSpace,
    rows: RowSet,
    pure: Sequence[int],
    mixing: Sequence[int],
    concept: str,
    labels: Sequence[str],
) -> StructurePlan:
    """Compile one structure into rows: the checks of every information set (SPE: every
    decision node), then the outcome and payoff rows, then the indifference rows of the mixing
    sets (rows are added in this order, so equal structures compile to equal row ids)."""
    corners, profiles = corner_profiles(pure, mixing)
    if concept == "spe":
        sets = [(nd.infoset, nd.player, (nd.index,)) for nd in game.nodes if nd.kind == DECISION]
    else:
        sets = [(h.index, h.player, tuple(h.nodes)) for h in game.infosets]
    checks = [
        _infoset_check(game, paths, feats, rows, pure, mixing, profiles, concept, h, i, nodes)
        for h, i, nodes in sets
    ]
    outcome, payoff = [], []
    for prof in profiles:
        reached = [z for z in range(feats.Z) if paths.follows(z, 0, prof)]
        term_nodes = game.terminals
        outcome.append(
            {
                lab: rows.add(
                    {feats.R(term_nodes[z]): 1.0 for z in reached if lab in game.terminal_outcomes[z]}
                )
                for lab in labels
            }
        )
        payoff.append([rows.add({feats.F(z, i): 1.0 for z in reached}) for i in range(feats.N)])
    indiff = {h: [_indifference_row(game, paths, feats, rows, h, prof) for prof in profiles] for h in mixing}
    return StructurePlan(tuple(mixing), corners, checks, outcome, payoff, indiff)


def _infoset_check(
    game: ExtensiveFormGame,
    paths: TreePaths,
    feats: FeatureSpace,
    rows: RowSet,
    pure: Sequence[int],
    mixing: Sequence[int],
    profiles: Sequence[Profile],
    concept: str,
    h: int,
    i: int,
    nodes: tuple[int, ...],
) -> InfosetCheck:
    """The rows of one information set's test: for every corner profile and every plan of the
    player below the set, the value and conditional value differences, and the reach total."""
    own = paths.own_sets_below(nodes, i)
    plans = [
        dict(zip(own, combo, strict=True))
        for combo in itertools.product(*[range(len(game.infosets[x].actions)) for x in own])
    ]
    is_mix = h in mixing
    strict = tuple((not is_mix) and plan[h] != pure[h] for plan in plans)
    chk = InfosetCheck(h, i, nodes, strict, mixing=is_mix)
    below = {v: paths.terminals_below(v) for v in nodes}
    for prof in profiles:
        vals = []
        conds = []
        reach = {v: paths.reaches(v, prof) for v in nodes}
        # (whether the profile itself plays down to each terminal: the same for every plan)
        played = {v: [float(paths.follows(z, v, prof)) for z in below[v]] for v in nodes}
        for plan in plans:
            entries: dict[int, float] = {}
            cond_rows = []
            for v in nodes:
                centries: dict[int, float] = {}
                for z, on in zip(below[v], played[v], strict=True):
                    coef = on - float(paths.follows(z, v, prof, i, plan))
                    if coef == 0:
                        continue
                    if reach[v]:
                        entries[feats.F(z, i)] = entries.get(feats.F(z, i), 0.0) + coef
                    centries[feats.C(v, z, i)] = coef
                cond_rows.append(rows.add(centries))
            vals.append(rows.add(entries))
            conds.append(cond_rows)
        chk.value.append(vals)
        chk.cond.append(conds)
        chk.total.append(rows.add({feats.R(v): 1.0 for v in nodes if reach[v]}))
    if concept == "pbe" and len(nodes) > 1:
        _prior_rows(paths, feats, rows, chk, profiles[0], plans, below)
        chk.depth, chk.carry = carry_block(game, paths, feats, rows, h, plans, profiles, below)
    return chk


def _prior_rows(
    paths: TreePaths,
    feats: FeatureSpace,
    rows: RowSet,
    chk: InfosetCheck,
    prof: Profile,
    plans: Sequence[dict[int, int]],
    below: Mapping[int, list[int]],
) -> None:
    """The prior belief policy's rows: every node weighted by its chance probability, whatever
    the profile; and each node's chance reach alone, which free beliefs need too (Nature's
    zero-probability nodes carry no belief). Set on ``chk``."""
    pv = []
    for plan in plans:
        entries: dict[int, float] = {}
        for v in chk.nodes:
            for z in below[v]:
                coef = float(paths.follows(z, v, prof)) - float(paths.follows(z, v, prof, chk.player, plan))
                if coef:
                    entries[feats.F(z, chk.player)] = entries.get(feats.F(z, chk.player), 0.0) + coef
        pv.append(rows.add(entries))
    chk.prior_value = [pv]
    chk.prior_total = rows.add({feats.R(v): 1.0 for v in chk.nodes})
    chk.reach = [rows.add({feats.R(v): 1.0}) for v in chk.nodes]


def _indifference_row(
    game: ExtensiveFormGame, paths: TreePaths, feats: FeatureSpace, rows: RowSet, h: int, prof: Profile
) -> int:
    """The row of a binary mixing set's indifference (first action minus second) at one corner."""
    info = game.infosets[h]
    entries: dict[int, float] = {}
    for v in info.nodes:
        if not paths.reaches(v, prof):
            continue
        c0, c1 = game.nodes[v].children
        for a, child in ((0, c0), (1, c1)):
            sign = 1.0 if a == 0 else -1.0
            for z in paths.terminals_below(child):
                if paths.follows(z, child, prof):
                    entries[feats.F(z, info.player)] = entries.get(feats.F(z, info.player), 0.0) + sign
    return rows.add(entries)


def chance_arrays(
    game: ExtensiveFormGame, chance: Sequence[np.ndarray], P: int, pairs: set[tuple[int, int]]
) -> tuple[np.ndarray, dict[tuple[int, int], np.ndarray]]:
    """Chance reach of every node ``(n, P)`` and chance probabilities below ``v`` for the pairs."""
    n = len(game.nodes)
    edge = np.ones((n, P))
    for nd in game.nodes[1:]:
        par = game.nodes[nd.parent]
        if par.kind == CHANCE:
            edge[nd.index] = chance[par.infoset][:, nd.action]
    reach = np.ones((n, P))
    for nd in game.nodes[1:]:
        reach[nd.index] = reach[nd.parent] * edge[nd.index]
    below: dict[tuple[int, int], np.ndarray] = {}
    for v, z in pairs:
        node = game.terminals[z]
        prod = np.ones(P)
        cur = node
        while cur != v:
            prod = prod * edge[cur]
            cur = game.nodes[cur].parent
        below[(v, z)] = prod
    return reach, below
