"""A compiled model flattened into integer arrays: what the numba engine reads.

:mod:`deterrence.kernels._linforms` compiles every candidate structure into a
:class:`~deterrence.kernels._linforms.StructurePlan` (rows of a sparse matrix ``W`` of linear
forms over per-point features, per corner of the mixing square). The engine
(:mod:`deterrence.kernels._engine`) reads no Python objects, and it compiles fastest on few,
plain arguments, so this module lays the plans (:func:`flatten`) and the arrays that compute a
point's features from the tree's shape (:func:`feature_arrays`) out as ``int64`` arrays, and
packs them all into one code array with a header of offsets (:func:`pack`, :class:`Packed`; slot
``k`` of :data:`SLOTS` is read as ``code[code[2k] : code[2k] + code[2k+1]]``). Nothing here is
numeric: it is built once per compiled model.

Layout of one structure ``s`` (``ncorner`` is 1 for a pure structure, 4 for one mixing at two
binary information sets ``h1``, ``h2`` with ``x = P(h1 plays action 1)``, ``y`` likewise):

* ``s_roots[2 s], s_roots[2 s + 1]``: the linear equations that pin ``y`` and ``x``: ``h1``'s
  indifference (it does not depend on ``h1``'s own mixture: perfect recall) at ``y = 0`` and
  ``y = 1``, and ``h2``'s at ``x = 0`` and ``x = 1``; equation ``e`` has its two rows at
  ``root_rows[2 e], root_rows[2 e + 1]`` (structures share equations: each is solved once per
  point);
* checks ``s_chk[s] .. s_chk[s+1]``; check ``c`` has ``c_nplans[c]`` plans of its player and
  ``c_nnodes[c]`` nodes, its rows at ``c_val[c] + corner * nplans + plan`` (reach-weighted
  value differences), ``c_tot[c] + corner`` (reach total), ``c_cond[c] + (corner * nplans +
  plan) * nnodes + node`` (conditional differences, for off-path sets and SPE),
  ``c_pv[c] + plan`` and ``c_pt[c]`` (the prior policy's rows), ``c_reach[c] + node`` (each
  node's chance reach, for PBE checks of several nodes: free beliefs give no weight to a node
  Nature reaches with probability 0), ``c_depth[c]`` and ``c_carry[c] + corner * T + j`` (the
  mover's carried beliefs, for PBE checks of several nodes: the depth of its chain of own earlier
  sets, 0 if none, and row ``j`` of its carry block, ``T`` rows per corner:
  :mod:`deterrence.kernels._carry`); the checks of pure
  structures with the same rows share a slot ``c_memo[c]`` (-1 for checks of mixed structures),
  and ``memo_check[m]`` is the first check of slot ``m`` (the engine computes each slot once);
* outcome rows ``s_out[s] + corner * L + label``, payoff rows ``s_pay[s] + corner * N + player``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import UnsupportedError
from ..game.extensive import CHANCE, ExtensiveFormGame
from ._linforms import FeatureSpace, RowSet, StructurePlan

#: the arrays packed into one ``int64`` code array, in order (see :func:`pack`)
SLOTS = (
    "parent", "chance_col", "terminals", "pair_ptr", "pair_nodes", "cond_pair", "cond_z", "cond_i",
    "W_ptr", "W_idx",
    "s_mix", "s_roots", "root_rows", "s_chk", "s_out", "s_pay",
    "c_player", "c_nnodes", "c_nplans", "c_mixing", "c_val", "c_tot", "c_cond", "c_pv", "c_pt", "c_reach",
    "c_memo", "c_depth", "c_carry",
    "rows", "err_rows", "dims", "memo_check",
)  # fmt: skip
(PARENT, CHANCE_COL, TERMINALS, PAIR_PTR, PAIR_NODES, COND_PAIR, COND_Z, COND_I, W_PTR, W_IDX,
 S_MIX, S_ROOTS, ROOT_ROWS, S_CHK, S_OUT, S_PAY,
 C_PLAYER, C_NNODES, C_NPLANS, C_MIXING, C_VAL, C_TOT, C_COND, C_PV, C_PT, C_REACH, C_MEMO, C_DEPTH,
 C_CARRY, ROWS, ERR_ROWS, DIMS, MEMO_CHECK) = range(len(SLOTS))  # fmt: skip
#: entries of the ``dims`` slot
DIM_ROWS, DIM_PLANS, DIM_FEATURES, DIM_LABELS = range(4)


def pack(arrays: dict[str, Sequence[int] | np.ndarray]) -> np.ndarray:
    """One ``int64`` array: a header of ``(start, length)`` per slot of :data:`SLOTS`, then the
    arrays one after the other (2-D arrays flattened by rows)."""
    parts = [np.asarray(arrays[name], dtype=np.int64).reshape(-1) for name in SLOTS]
    header = np.zeros(2 * len(SLOTS), dtype=np.int64)
    start = len(header)
    for k, part in enumerate(parts):
        header[2 * k], header[2 * k + 1] = start, len(part)
        start += len(part)
    return np.concatenate([header, *parts])


class _Rows:
    """An append-only list of row ids; ``put`` returns the offset of what it appended."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def put(self, ids: Sequence[int]) -> int:
        start = len(self.ids)
        self.ids.extend(int(r) for r in ids)
        return start


def _indifference_rows(plan: StructurePlan) -> list[int]:
    """The indifference rows ``(h1 at y=0, h1 at y=1, h2 at x=0, h2 at x=1)``.

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
    return [r1[0], r1[1], r2[0], r2[2]]


def flatten(game: ExtensiveFormGame, plans: Sequence[StructurePlan], n_labels: int) -> dict[str, np.ndarray]:
    """The plans of a compiled model (pure ones and ones mixing at two sets) as arrays, by slot."""
    rows = _Rows()
    s_cols: dict[str, list] = {k: [] for k in ("mix", "roots", "chk", "out", "pay")}
    equations: dict[tuple[int, int], int] = {}
    c_cols: dict[str, list[int]] = {
        k: []
        for k in ("player", "nnodes", "nplans", "mixing", "val", "tot", "cond", "pv", "pt", "reach", "memo",
                  "depth", "carry")
    }
    shared: dict[tuple, int] = {}  # a pure structure's check, by its rows: its shared slot
    max_plans, max_nodes = 1, 1
    for plan in plans:  # one entry per structure (pure ones use equation 0 for nothing)
        if plan.mixing and len(plan.mixing) != 2:
            raise UnsupportedError("the engine compiles pure structures and two mixing sets")
        s_cols["mix"].append(len(plan.mixing))
        ind = _indifference_rows(plan) if plan.mixing else [0, 0, 0, 0]
        for pair in ((ind[0], ind[1]), (ind[2], ind[3])):
            s_cols["roots"].append(equations.setdefault(pair, len(equations)))
        s_cols["chk"].append(len(c_cols["player"]))
        for chk in plan.checks:
            max_plans = max(max_plans, len(chk.strict))
            max_nodes = max(max_nodes, len(chk.nodes))
            c_cols["player"].append(chk.player)
            c_cols["nnodes"].append(len(chk.nodes))
            c_cols["nplans"].append(len(chk.strict))
            c_cols["mixing"].append(int(chk.mixing))
            c_cols["val"].append(rows.put([r for corner in chk.value for r in corner]))
            c_cols["tot"].append(rows.put(chk.total))
            c_cols["cond"].append(rows.put([r for corner in chk.cond for per in corner for r in per]))
            c_cols["pv"].append(rows.put(chk.prior_value[0]) if chk.prior_value else 0)
            c_cols["pt"].append(chk.prior_total)
            c_cols["reach"].append(rows.put(chk.reach))
            c_cols["depth"].append(chk.depth)
            c_cols["carry"].append(rows.put([r for corner in chk.carry for r in corner]) if chk.depth else 0)
            key = (chk.player, len(chk.nodes), tuple(chk.total), tuple(map(tuple, chk.value)),
                   tuple(tuple(map(tuple, per)) for per in chk.cond), chk.prior_total,
                   tuple(map(tuple, chk.prior_value)), tuple(chk.reach), chk.mixing,
                   chk.depth, tuple(map(tuple, chk.carry)))  # fmt: skip
            c_cols["memo"].append(-1 if plan.mixing else shared.setdefault(key, len(shared)))
        s_cols["out"].append(rows.put([corner[lab] for corner in plan.outcome for lab in corner]))
        s_cols["pay"].append(rows.put([r for corner in plan.payoff for r in corner]))
        if any(len(corner) != n_labels for corner in plan.outcome):
            raise UnsupportedError("outcome rows do not match the tree's labels")
    s_cols["chk"].append(len(c_cols["player"]))

    out = {f"s_{k}": np.asarray(v, dtype=np.int64) for k, v in s_cols.items()}
    out.update({f"c_{k}": np.asarray(v, dtype=np.int64) for k, v in c_cols.items()})
    out["rows"] = np.asarray(rows.ids, dtype=np.int64)
    out["root_rows"] = np.asarray([r for pair in equations for r in pair], dtype=np.int64)
    out["err_rows"] = np.unique(out["root_rows"])
    out["max_plans"] = np.asarray([max_plans])
    out["max_nodes"] = np.asarray([max_nodes])
    out["n_memo"] = np.asarray([max(1, len(shared))])
    # each shared check's first check: the engine computes the shared checks from these
    first = {m: c for c, m in reversed(list(enumerate(c_cols["memo"]))) if m >= 0}
    out["memo_check"] = np.asarray([first[m] for m in range(len(shared))], dtype=np.int64)
    return out


def chance_columns(game: ExtensiveFormGame) -> np.ndarray:
    """Per node, the column of its incoming chance probability in the stacked chance arrays, or -1."""
    offsets = np.cumsum([0, *[len(ci.actions) for ci in game.chance_infos]])
    col = np.full(len(game.nodes), -1, dtype=np.int64)
    for nd in game.nodes[1:]:
        par = game.nodes[nd.parent]
        if par.kind == CHANCE:
            col[nd.index] = offsets[par.infoset] + nd.action
    return col


def feature_arrays(game: ExtensiveFormGame, feats: FeatureSpace, rowset: RowSet) -> dict[str, np.ndarray]:
    """The arrays that compute a point's features and rows, by slot: per node its parent and the
    column of its incoming chance probability (-1 for a decision edge); the terminal nodes; per
    ``(v, z)`` pair of a conditional feature the nodes whose incoming chance edges lie between
    ``v`` and terminal ``z``; per conditional feature ``C(v, z, i)`` its pair, terminal row and
    player; the rows' sparse matrix (CSR) and its values (returned as ``"W_val"``)."""
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
    return {
        "parent": np.array([max(nd.parent, 0) for nd in game.nodes]),
        "chance_col": col,
        "terminals": np.array(game.terminals),
        "pair_ptr": np.array(ptr),
        "pair_nodes": np.array(nodes, dtype=np.int64),
        "cond_pair": np.array([pair_index[(v, z)] for (v, z, _i), _k in conds], dtype=np.int64),
        "cond_z": np.array([z for (_v, z, _i), _k in conds], dtype=np.int64),
        "cond_i": np.array([i for (_v, _z, i), _k in conds], dtype=np.int64),
        "W_ptr": W.indptr,
        "W_idx": W.indices,
        "W_val": W.data.astype(np.float64),
        "n_features": np.asarray([feats.size]),
    }


@dataclass(frozen=True)
class Packed:
    """A compiled model as the engine reads it: the code array, the rows' coefficients, and the
    sizes of its scratch arrays (nodes, chance pairs, features, rows, plans per check, labels,
    mixing equations, shared checks, nodes per check)."""

    code: np.ndarray
    weights: np.ndarray
    n_nodes: int
    n_pairs: int
    n_features: int
    n_rows: int
    max_plans: int
    n_labels: int
    n_equations: int
    n_memo: int
    max_set_nodes: int = 1


def packed(game: ExtensiveFormGame, plans: Sequence[StructurePlan], feats: FeatureSpace, rowset: RowSet,
           n_labels: int) -> Packed:
    """Lay out a compiled model's plans and tree for the engine (:func:`pack`)."""
    arrays = {**flatten(game, plans, n_labels), **feature_arrays(game, feats, rowset)}
    n_rows = len(rowset)
    max_plans, n_features = int(arrays["max_plans"][0]), int(arrays["n_features"][0])
    arrays["dims"] = [n_rows, max_plans, n_features, n_labels]
    return Packed(
        pack(arrays), np.ascontiguousarray(arrays["W_val"]), len(game.nodes), len(arrays["pair_ptr"]) - 1,
        n_features, n_rows, max_plans, n_labels, max(1, len(arrays["root_rows"]) // 2),
        int(arrays["n_memo"][0]), int(arrays["max_nodes"][0]),
    )  # fmt: skip
