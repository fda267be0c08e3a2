"""A compiled model flattened into integer arrays: what the numba engine reads.

:mod:`deterrence.kernels._linforms` compiles every candidate structure into a
:class:`~deterrence.kernels._linforms.StructurePlan` (rows of a sparse matrix ``W`` of linear
forms over per-point features, per corner of the mixing square). The engine
(:mod:`deterrence.kernels._engine`) cannot read Python objects, so this module lays the plans
out as flat ``int64`` arrays with offsets (:class:`Program`), and the tree's shape as the
arrays that compute the features at a point (:class:`FeaturePlan`). Nothing here is numeric:
both are built once per compiled model.

Layout of one structure ``s`` (``ncorner`` is 1 for a pure structure, 4 for one mixing at two
binary information sets ``h1``, ``h2`` with ``x = P(h1 plays action 1)``, ``y`` likewise):

* ``s_ind[s]``: the indifference rows ``h1 at y=0, h1 at y=1, h2 at x=0, h2 at x=1`` (each
  set's indifference does not depend on its own mixture: perfect recall);
* checks ``s_chk[s] .. s_chk[s+1]``; check ``c`` has ``c_nplans[c]`` plans of its player and
  ``c_nnodes[c]`` nodes, its rows at ``c_val[c] + corner * nplans + plan`` (reach-weighted
  value differences), ``c_tot[c] + corner`` (reach total), ``c_cond[c] + (corner * nplans +
  plan) * nnodes + node`` (conditional differences, for off-path sets and SPE),
  ``c_pv[c] + plan`` and ``c_pt[c]`` (the prior policy's rows);
* outcome rows ``s_out[s] + corner * L + label``, payoff rows ``s_pay[s] + corner * N + player``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import UnsupportedError
from ..game.extensive import CHANCE, ExtensiveFormGame
from ._linforms import FeatureSpace, RowSet, StructurePlan


@dataclass(frozen=True)
class Program:
    """Every structure's plan as flat arrays (see the module docstring for the layout)."""

    s_mix: np.ndarray
    s_ind: np.ndarray
    s_player: np.ndarray
    s_chk: np.ndarray
    s_out: np.ndarray
    s_pay: np.ndarray
    c_player: np.ndarray
    c_nnodes: np.ndarray
    c_nplans: np.ndarray
    c_mixing: np.ndarray
    c_val: np.ndarray
    c_tot: np.ndarray
    c_cond: np.ndarray
    c_pv: np.ndarray
    c_pt: np.ndarray
    rows: np.ndarray  # every row id the offsets above point into
    err_rows: np.ndarray  # the indifference rows (their floating-point error bounds are needed)
    max_plans: int

    def as_tuple(self) -> tuple[np.ndarray, ...]:
        """The arrays in the order the engine unpacks them."""
        return (
            self.s_mix, self.s_ind, self.s_player, self.s_chk, self.s_out, self.s_pay,
            self.c_player, self.c_nnodes, self.c_nplans, self.c_mixing, self.c_val, self.c_tot,
            self.c_cond, self.c_pv, self.c_pt, self.rows, self.err_rows,
        )  # fmt: skip


class _Rows:
    """An append-only list of row ids; ``put`` returns the offset of what it appended."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def put(self, ids: Sequence[int]) -> int:
        start = len(self.ids)
        self.ids.extend(int(r) for r in ids)
        return start


def _indifference_rows(game: ExtensiveFormGame, plan: StructurePlan) -> tuple[list[int], list[int]]:
    """``(h1 at y=0, h1 at y=1, h2 at x=0, h2 at x=1)`` and the two sets' players.

    Corners run ``(0,0), (0,1), (1,0), (1,1)`` (first coordinate: ``h1``'s action). With perfect
    recall a set's indifference does not depend on its own action, so the rows at corners that
    differ only there are the same row; anything else would make the system bilinear.
    """
    h1, h2 = plan.mixing
    r1, r2 = plan.indifference[h1], plan.indifference[h2]
    if not (r1[0] == r1[2] and r1[1] == r1[3] and r2[0] == r2[1] and r2[2] == r2[3]):
        raise UnsupportedError(
            "a mixing information set's indifference depends on its own mixture (no perfect recall?)",
            methods=("pointwise",),
        )
    return [r1[0], r1[1], r2[0], r2[2]], [game.infosets[h1].player, game.infosets[h2].player]


def flatten(game: ExtensiveFormGame, plans: Sequence[StructurePlan], n_labels: int) -> Program:
    """Lay out the plans of a compiled model (pure ones and ones mixing at two sets) as arrays."""
    rows = _Rows()
    s_cols: dict[str, list] = {k: [] for k in ("mix", "ind", "player", "chk", "out", "pay")}
    c_cols: dict[str, list[int]] = {
        k: [] for k in ("player", "nnodes", "nplans", "mixing", "val", "tot", "cond", "pv", "pt")
    }
    max_plans = 1
    for plan in plans:
        if plan.mixing and len(plan.mixing) != 2:
            raise UnsupportedError("the engine compiles pure structures and two mixing sets")
        ind, players = _indifference_rows(game, plan) if plan.mixing else ([0, 0, 0, 0], [0, 0])
        s_cols["mix"].append(len(plan.mixing))
        s_cols["ind"].append(ind)
        s_cols["player"].append(players)
        s_cols["chk"].append(len(c_cols["player"]))
        for chk in plan.checks:
            max_plans = max(max_plans, len(chk.strict))
            c_cols["player"].append(chk.player)
            c_cols["nnodes"].append(len(chk.nodes))
            c_cols["nplans"].append(len(chk.strict))
            c_cols["mixing"].append(int(chk.mixing))
            c_cols["val"].append(rows.put([r for corner in chk.value for r in corner]))
            c_cols["tot"].append(rows.put(chk.total))
            c_cols["cond"].append(rows.put([r for corner in chk.cond for per in corner for r in per]))
            c_cols["pv"].append(rows.put(chk.prior_value[0]) if chk.prior_value else 0)
            c_cols["pt"].append(chk.prior_total)
        s_cols["out"].append(rows.put([corner[lab] for corner in plan.outcome for lab in corner]))
        s_cols["pay"].append(rows.put([r for corner in plan.payoff for r in corner]))
        if any(len(corner) != n_labels for corner in plan.outcome):
            raise UnsupportedError("outcome rows do not match the tree's labels")
    s_cols["chk"].append(len(c_cols["player"]))

    def arr(values: list, shape: tuple[int, ...] | None = None) -> np.ndarray:
        out = np.asarray(values, dtype=np.int64)
        return out.reshape(shape) if shape is not None else out

    return Program(
        s_mix=arr(s_cols["mix"]), s_ind=arr(s_cols["ind"], (len(plans), 4)),
        s_player=arr(s_cols["player"], (len(plans), 2)), s_chk=arr(s_cols["chk"]),
        s_out=arr(s_cols["out"]), s_pay=arr(s_cols["pay"]),
        c_player=arr(c_cols["player"]), c_nnodes=arr(c_cols["nnodes"]), c_nplans=arr(c_cols["nplans"]),
        c_mixing=arr(c_cols["mixing"]), c_val=arr(c_cols["val"]), c_tot=arr(c_cols["tot"]),
        c_cond=arr(c_cols["cond"]), c_pv=arr(c_cols["pv"]), c_pt=arr(c_cols["pt"]),
        rows=arr(rows.ids), err_rows=np.unique(arr(s_cols["ind"])) if plans else arr([]),
        max_plans=max_plans,
    )  # fmt: skip


@dataclass(frozen=True)
class FeaturePlan:
    """How the features of one point are computed from its payoffs and chance probabilities.

    Attributes
    ----------
    parent, chance_col
        Per node: its parent, and the column of the chance probability on the edge into it
        (``-1`` for a decision edge, probability 1).
    terminals
        The terminal nodes, in the order of the payoff rows.
    pair_ptr, pair_nodes
        Per ``(v, z)`` pair of a conditional feature: the nodes whose incoming chance edges
        lie on the path from ``v`` down to terminal ``z``.
    cond_pair, cond_z, cond_i
        Per conditional feature ``C(v, z, i)``: its pair, terminal row and player.
    W_ptr, W_idx, W_val
        The sparse matrix of rows (CSR).
    """

    parent: np.ndarray
    chance_col: np.ndarray
    terminals: np.ndarray
    pair_ptr: np.ndarray
    pair_nodes: np.ndarray
    cond_pair: np.ndarray
    cond_z: np.ndarray
    cond_i: np.ndarray
    W_ptr: np.ndarray
    W_idx: np.ndarray
    W_val: np.ndarray
    n_features: int

    def as_tuple(self) -> tuple[np.ndarray, ...]:
        """The arrays in the order the engine unpacks them."""
        return (
            self.parent, self.chance_col, self.terminals, self.pair_ptr, self.pair_nodes,
            self.cond_pair, self.cond_z, self.cond_i, self.W_ptr, self.W_idx, self.W_val,
        )  # fmt: skip


def chance_columns(game: ExtensiveFormGame) -> np.ndarray:
    """Per node, the column of its incoming chance probability in the stacked chance arrays, or -1."""
    offsets = np.cumsum([0, *[len(ci.actions) for ci in game.chance_infos]])
    col = np.full(len(game.nodes), -1, dtype=np.int64)
    for nd in game.nodes[1:]:
        par = game.nodes[nd.parent]
        if par.kind == CHANCE:
            col[nd.index] = offsets[par.infoset] + nd.action
    return col


def feature_plan(game: ExtensiveFormGame, feats: FeatureSpace, rowset: RowSet) -> FeaturePlan:
    """The arrays that compute a point's features and rows (see :class:`FeaturePlan`)."""
    col = chance_columns(game)
    pairs = sorted(feats.needed_chance_below())
    pair_index = {p: k for k, p in enumerate(pairs)}
    ptr, nodes = [0], []
    for v, z in pairs:
        cur = game.terminals[z]
        while cur != v:
            if col[cur] >= 0:
                nodes.append(cur)
            cur = game.nodes[cur].parent
        ptr.append(len(nodes))
    conds = sorted(feats.conditional_features().items(), key=lambda kv: kv[1])
    W = rowset.matrix(feats.size)
    i64 = np.int64
    return FeaturePlan(
        parent=np.array([max(nd.parent, 0) for nd in game.nodes], dtype=i64),
        chance_col=col,
        terminals=np.array(game.terminals, dtype=i64),
        pair_ptr=np.array(ptr, dtype=i64),
        pair_nodes=np.array(nodes, dtype=i64),
        cond_pair=np.array([pair_index[(v, z)] for (v, z, _i), _k in conds], dtype=i64),
        cond_z=np.array([z for (_v, z, _i), _k in conds], dtype=i64),
        cond_i=np.array([i for (_v, _z, i), _k in conds], dtype=i64),
        W_ptr=W.indptr.astype(i64),
        W_idx=W.indices.astype(i64),
        W_val=W.data.astype(np.float64),
        n_features=feats.size,
    )
