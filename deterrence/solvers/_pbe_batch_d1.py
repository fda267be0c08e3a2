"""The D1 beliefs of the pure profiles of one solve, worked out together (:func:`d1_beliefs`).

:meth:`_Beliefs._d1 <deterrence.solvers._pbe_beliefs._Beliefs._d1>` works out the D1-style belief
at an unreached set for one profile. The batch of :mod:`deterrence.solvers._pbe_purebatch`
(the admitted pure profiles of a solve, rows of its pure table) gets it here for all its rows at
once, to the bit:

* the rows are split into *classes* by what the types and the admissible answers read: the bytes
  of the mover's payoffs on the nodes Nature reaches (``_br_actions``' own key) and which moves on
  the paths to the set the row does not play (``_kept_deviation_groups``' own key); each class's
  answers and types are worked out once, by those functions on one of its rows;
* each type's score reads, per row, the belief at the set of its last deviation (resolved first,
  by the batch, as ``_Beliefs.belief`` resolves it), the mover's values there, and its values
  after the deviation with each answer played at the set (the table row with the answer forced,
  :meth:`~deterrence.solvers._pbe_table.PureTable.forced_row`, whose values are those
  ``_Beliefs._answer_values`` reads); the score itself takes ``_d1``'s dot products with
  ``np.vecdot``, whose loop calls numpy's dot product of two vectors pair by pair, on arrays with
  the strides of ``_d1``'s vectors (a batched matrix product does not add as that function does,
  and a vector's stride decides how BLAS adds), and ``_profitable_share`` of one or two answers in
  its closed form elementwise (the same float operations), of more once per distinct row (the same
  inputs give the same share), the scores of all the set's last deviations together;
* the types kept (the largest score, or all when none gains) and their Bayes-after-deviation
  weights are elementwise: the forced rows' reach at the type's nodes (what ``_deviation_weights``
  reads off the table), Nature's odds where it reaches none, and the belief ``w / w.sum()``.

A row whose numbers the table does not hold (an answer or a deviation outside the table's
actions, where ``_Beliefs`` evaluates the profile) or with no admissible answer is left to
``pbe._assess`` (the batch's fall-back). ``tests/test_pbe_purebatch.py`` compares the verdicts
with ``_assess``'s under ``d1`` too.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ._pbe_beliefs import _br_actions, _kept_deviation_groups, _path_actions, _path_moves, _profitable_share

#: the batch of rows these functions read and fill: a :class:`deterrence.solvers._pbe_purebatch._Batch`
#: (not imported, even for type checking: that module imports this one, and the package's modules
#: import one way)
_Batch = Any


def d1_beliefs(b: _Batch, k: int, idx: np.ndarray) -> None:
    """The D1-style belief at unreached set ``k`` for the batch rows ``idx`` (alive, not left to
    ``_assess``, belief at ``k`` not known), kept in ``b.mu[k]``; rows it cannot work out as
    ``_Beliefs._d1`` does are left to ``_assess``."""
    ctx = b.ctx
    qm = b.q(k)[idx][:, ctx.possible(k)]  # per row, ``ctx.q(values, k)[ctx.possible(k)]``
    zeros = ~_played(b)[idx]
    path = zeros[:, _path_actions(ctx.game, k)]
    first, inverse = _classes(np.concatenate([qm.reshape(len(idx), -1).view(np.uint8), path.view(np.uint8)],
                                             axis=1))
    pos = ctx.table.pos[k]
    classes = []
    lasts: dict[tuple[int, int], list[int]] = {}  # per last deviation, the classes whose types end with it
    for c, j in enumerate(first):
        members = idx[inverse == c]
        answers = _br_actions(qm[j], ctx.tol)
        groups = _kept_deviation_groups(ctx.game, functools.partial(_profile, b, int(idx[j])), k, zeros[j])
        if not groups:
            b.mu[k][members] = ctx.prior_belief(k)
            b.known[members, k] = True
        elif not answers or any(a not in pos for a in answers):  # (no answer, or the profile evaluated)
            b.fallback[members] = True
        else:
            for devs in groups:
                lasts.setdefault(devs[-1], []).append(len(classes))
            classes.append((members, answers, groups))
    if not classes:
        return
    for iota in dict.fromkeys(last[0] for last in lasts):  # the beliefs the scores read, resolved first
        rows = np.concatenate([classes[c][0] for last, cs in lasts.items() if last[0] == iota for c in cs])
        if not b.known[rows, iota].all():  # (else there is nothing to resolve)
            b.belief(iota, _mask(len(b.rows), rows))
    scores = _all_scores(b, k, lasts, classes)
    types: dict[tuple, list[np.ndarray]] = {}  # per type (deviations, positions), the rows that keep it
    done = []
    for members, _, groups in classes:
        live = members[b.alive[members] & ~b.fallback[members]]
        if len(live):
            for key, rows in zip(groups.items(), _kept_types(live, groups, scores), strict=True):
                types.setdefault((key[0], tuple(key[1])), []).append(rows)
            done.append(live)
    if not done:
        return
    w = np.zeros((len(b.rows), len(ctx.set_nodes[k])))
    for (devs, positions), parts in types.items():
        rows = np.concatenate(parts)
        if len(rows):
            w[rows[:, None], list(positions)] += _type_reach(b, k, rows, devs, positions)
    live = np.concatenate(done)
    w = w[live]
    b.mu[k][live] = w / w.sum(axis=1)[:, None]
    b.known[live, k] = True


def _kept_types(live: np.ndarray, groups: dict[tuple[tuple[int, int], ...], list[int]],
                scores: dict[tuple[int, int], np.ndarray]) -> list[np.ndarray]:
    """Per type of a class (``groups``, in order), the rows of ``live`` (its rows) that keep it
    (``_d1``): the types with the largest score (``scores`` per batch row, by the types' last
    deviation), or all of them when none gains."""
    table = np.stack([scores[devs[-1]][live] for devs in groups], axis=1)
    best = table.max(axis=1)
    chosen = (best <= 0)[:, None] | (table >= (best - 1e-9)[:, None])
    return [live[chosen[:, g]] for g in range(len(groups))]


def _all_scores(b: _Batch, k: int, lasts: dict[tuple[int, int], list[int]], classes: list[tuple]
                ) -> dict[tuple[int, int], np.ndarray]:
    """Per last deviation of ``lasts`` (with the classes whose types end with it), per batch row of
    those classes (alive, belief at its set known: the others stay NaN), the score of its type
    (:func:`_score_inputs`, one last deviation after the other); the shares of all of them are
    taken together, by number of answers (:func:`_shares`, elementwise but for three answers or
    more)."""
    pos = b.ctx.table.pos[k]
    sizes = np.array([len(c[1]) for c in classes])
    picks = np.zeros((len(classes), sizes.max()), dtype=np.intp)  # per class, its answers' table actions
    for c, (_, answers, _) in enumerate(classes):
        picks[c, :len(answers)] = [pos[x] for x in answers]
    out: dict[tuple[int, int], np.ndarray] = {}
    parts: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]] = {}
    for last, cs in lasts.items():
        out[last] = np.full(len(b.rows), np.nan)
        for m, rows, dev, ustar in _score_inputs(b, k, last, classes, np.asarray(cs), sizes, picks):
            parts.setdefault(m, []).append((out[last], rows, dev, ustar))
    for got in parts.values():
        shares = _shares(np.concatenate([g[2] for g in got]), np.concatenate([g[3] for g in got]), b.ctx.tol)
        at = 0
        for target, rows, _, _ in got:
            target[rows] = shares[at:at + len(rows)]
            at += len(rows)
    return out


#: per number of answers: the batch rows scored and their dot products (:func:`_score_inputs`)
_Inputs = list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]


def _score_inputs(b: _Batch, k: int, last: tuple[int, int], classes: list[tuple], cs: np.ndarray,
                  sizes: np.ndarray, picks: np.ndarray) -> _Inputs:
    """What the scores of the type whose last deviation is ``last`` (set ``iota``, action ``a``)
    read in the classes ``cs`` (``sizes``, ``picks``: per class, its number of answers and their
    table actions): per number of answers ``m``, the batch rows scored (:func:`_scored_rows`), and
    ``_d1``'s dot products on the row's belief at ``iota``: with its values after ``a`` with each
    of its class's answers played at ``k`` (the table row with the answer forced:
    ``_Beliefs._answer_values``), ``(rows, m)``, and with its values there, ``(rows,)``.

    The dot products are ``np.vecdot``'s, whose loop calls numpy's dot function of two vectors
    once per pair, the function ``m @ x`` of two vectors calls, with the same strides (the values
    at ``iota`` keep the layout of the array ``_d1``'s products read row by row: a vector's stride
    decides how BLAS adds)."""
    ctx = b.ctx
    iota, a = last
    i = ctx.game.infosets[iota].player
    live, code = _scored_rows(b, iota, [classes[c][0] for c in cs.tolist()])
    if not len(live):
        return []
    code = cs[code]
    mu = b.mu[iota][live]
    ustar = np.vecdot(mu, b.values[live][:, ctx.set_nodes[iota], i])
    after = ctx.kids[iota][:, a]
    forced = _answer_rows(b, k)[live]  # (rows, table actions)
    devs = ctx.table.values[forced[:, :, None], after[None, None, :], i]  # (rows, table actions, nodes)
    size = sizes[code]
    out = []
    for m in sorted(set(size.tolist())):  # the rows whose classes have m answers, together
        sel = np.flatnonzero(size == m)
        dev = np.vecdot(mu[sel][:, None, :], devs[sel[:, None], picks[code[sel], :m]])
        out.append((m, live[sel], dev, ustar[sel]))
    return out


def _scored_rows(b: _Batch, iota: int, members: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the classes ``members`` (each an array of batch rows) that :func:`_score_inputs`
    scores: alive and not left to ``_assess``; of those, the rows whose belief at ``iota`` is not
    known are left to ``_assess`` now. Returns the scored rows and each one's class."""
    rows = np.concatenate(members)
    code = np.repeat(np.arange(len(members), dtype=np.intp), [len(m) for m in members])
    ok = b.alive[rows] & ~b.fallback[rows]
    known = b.known[rows, iota]
    unknown = ok & ~known
    if unknown.any():
        b.fallback[rows[unknown]] = True
        ok &= known
    return rows[ok], code[ok]


def _shares(dev: np.ndarray, ustar: np.ndarray, tol: float) -> np.ndarray:
    """:func:`_profitable_share` of each row of ``dev`` (rows, answers) with ``ustar`` (rows):
    on one or two answers its closed form elementwise, with the same float operations (Python's
    ``max(x, 0.0)`` keeps ``x`` unless ``0.0 > x``: so does ``np.where(0.0 > x, 0.0, x)``; likewise
    ``min``), on more the function itself, once per distinct row."""
    m = dev.shape[1]
    thr = ustar + tol
    if m == 1:
        return np.where(dev[:, 0] > thr, 1.0, 0.0)
    if m == 2:
        d1, d2 = dev[:, 0], dev[:, 1]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            t0 = (thr - d2) / (d1 - d2)
        t = np.where(d1 > d2, 1.0 - t0, t0)
        t = np.where(0.0 > t, 0.0, t)
        t = np.where(1.0 < t, 1.0, t)
        return np.where(np.abs(d1 - d2) <= 1e-15, np.where(d1 > thr, 1.0, 0.0), t)
    first, inverse = _classes(np.concatenate([dev, ustar[:, None]], axis=1))
    return np.array([_profitable_share(dev[r], float(ustar[r]), tol) for r in first])[inverse]


def _answer_rows(b: _Batch, k: int) -> np.ndarray:
    """Per batch row and table action ``x`` of set ``k``, the table row of the row's profile with
    ``x`` played at ``k``, whose node values are those ``_Beliefs._answer_values`` reads,
    ``(rows, actions)``, worked out once per set: the row with the set's first table action played
    (:meth:`~deterrence.solvers._pbe_table.PureTable.forced_row`) plus ``x``'s step (the table
    numbers its rows by the actions' positions times the sets' strides)."""
    kept = b.__dict__.setdefault("_answer_rows", {})
    out = kept.get(k)
    if out is None:
        table = b.ctx.table
        first = table.forced_row(np.asarray(b.rows, dtype=np.int64), [(k, table.allowed[k][0])])
        steps = np.array([table.steps[k][x] for x in table.allowed[k]], dtype=np.int64)
        out = kept[k] = first[:, None] + steps
    return out


def _type_reach(b: _Batch, k: int, rows: np.ndarray, devs: tuple[tuple[int, int], ...],
                positions: list[int]) -> np.ndarray:
    """The Bayes-after-deviation weights of a type at its nodes of set ``k`` for the batch rows
    ``rows`` (``_deviation_weights``): the reach of each row's pure profile with the type's
    deviations played, Nature's odds where that reaches none of the nodes (uniform if Nature
    reaches none either).

    A pure profile with its deviations played reaches node ``v`` with Nature's mass of ``v``
    (``ctx.prior``) if it plays every player move on the path to ``v``, else with 0.0: its reach
    is the product, root first, of the edge probabilities on the path (Nature's, and 1.0 or 0.0 at
    the player moves), and factors 1.0 change nothing (the argument of ``_type_unreached``); so
    the numbers are those the table or the evaluated profile give, to the bit."""
    ctx = b.ctx
    nodes = ctx.set_nodes[k][list(positions)]
    part = np.where(_type_plays(b, devs, nodes)[rows], ctx.prior[nodes], 0.0)
    none = ~(part > 0).any(axis=1)  # (weights are not negative: their sum is <= 0 iff each is 0)
    if none.any():
        prior = ctx.prior[nodes]
        part[none] = prior if prior.sum() > 0 else np.ones(len(nodes))
    return part


def _type_plays(b: _Batch, devs: tuple[tuple[int, int], ...], nodes: np.ndarray) -> np.ndarray:
    """Per batch row and node of ``nodes``, whether the row's pure profile with ``devs`` played
    plays every player move on the path to the node (:func:`_plays`; ``False`` where a move of
    Nature's on it has probability 0), ``(rows, nodes)``, worked out once per deviations and nodes."""
    kept = b.__dict__.setdefault("_type_plays", {})
    key = (devs, nodes.tobytes())
    out = kept.get(key)
    if out is None:
        out = kept[key] = np.zeros((len(b.rows), len(nodes)), dtype=bool)
        for col, v in enumerate(nodes.tolist()):
            plays = _plays(b, v, devs)
            if plays is not None:
                out[:, col] = plays
    return out


def _plays(b: _Batch, v: int, devs: tuple[tuple[int, int], ...]) -> np.ndarray | None:
    """Per batch row, whether its pure profile with ``devs`` played plays every player move on the
    path to node ``v`` (``None``: a move of Nature's on it has probability 0, and Nature's mass of
    ``v`` is 0.0 too), worked out once per node and deviations."""
    kept = b.__dict__.setdefault("_plays", {})
    key = (v, devs)
    if key in kept:
        return kept[key]
    moves = _path_moves(b.ctx.game, v)
    out = None
    if moves is not None:
        forced = dict(devs)  # (each deviation set in turn: the last one stays)
        free = [(j, a) for j, a in moves if j not in forced]
        if any(forced[j] != a for j, a in moves if j in forced):
            out = np.zeros(len(b.rows), dtype=bool)
        elif free:
            sets, acts = zip(*free, strict=True)
            out = (b.act[:, list(sets)] == np.array(acts)).all(axis=1)
        else:
            out = np.ones(len(b.rows), dtype=bool)
    kept[key] = out
    return out


def _played(b: _Batch) -> np.ndarray:
    """Per batch row, which flat actions (sets in order) the pure profile plays, worked out once."""
    played = b.__dict__.get("_played")
    if played is None:
        offsets = np.asarray(b.ctx.game._action_offset[:-1], dtype=np.intp)
        played = np.zeros((len(b.rows), int(b.ctx.game._action_offset[-1])), dtype=bool)
        played[np.arange(len(b.rows))[:, None], offsets[None, :] + b.act] = True
        b.__dict__["_played"] = played
    return played


def _profile(b: _Batch, r: int) -> list[np.ndarray]:
    """Batch row ``r``'s pure profile (one behaviour vector per set)."""
    beh = [np.zeros(n) for n in b.ctx.game._action_counts]
    for x, a in zip(beh, b.act[r].tolist(), strict=True):
        x[a] = 1.0
    return beh


def _classes(key: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Rows of ``key`` (a 2-d array) with the same bytes: the first row of each class (classes in
    order of their first row) and each row's class."""
    key = np.ascontiguousarray(key)
    width = key.shape[1] * key.itemsize
    rows = key.view(np.dtype((np.void, width))).reshape(len(key)).tolist() if width else [b""] * len(key)
    seen: dict[bytes, int] = {}
    first: list[int] = []
    codes: list[int] = []
    for r, row in enumerate(rows):
        c = seen.setdefault(row, len(first))
        if c == len(first):
            first.append(r)
        codes.append(c)
    return first, np.array(codes, dtype=np.intp)


def _mask(n: int, members: np.ndarray) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[members] = True
    return out
