"""The compiled tidy rows (``kernels/_rows.py``) follow the rules of ``deterrence.outcomes``.

The rows the engine writes are filled into the table in compiled code (indicators, regime codes,
gathered parameters and point ids); here they are checked against the numpy rules of
:mod:`deterrence.outcomes` (``indicator_values``, ``regime_labels``) on made-up engine blocks,
delivered in any order, with the table's arrays grown, odd indexes and non-float parameters.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deterrence as dt
from deterrence.kernels import _compiled, compile_model, domain_sample
from deterrence.kernels._rows import RowLayout, RowSink, untouched_zeros
from deterrence.outcomes import (
    INDICATOR_NAMES,
    LABEL_TOL,
    OUTCOMES,
    indicator_values,
    regime_code_names,
    regime_codes,
    regime_labels,
)

PLAYERS = ("A", "B")


def _block(rng, n_points, labels, n_structures, first):
    """A made-up engine block: 0-3 equilibria per point, probabilities with exact zeros, values
    at the label tolerance, negative zeros."""
    counts = rng.integers(0, 4, n_points)
    point = np.repeat(np.arange(n_points), counts)
    n = len(point)
    eq = np.concatenate([np.arange(c) for c in counts]) if n else np.zeros(0, dtype=np.int64)
    choices = np.array([0.0, -0.0, LABEL_TOL, 2 * LABEL_TOL, 0.25, 1.0])
    outcome = np.where(rng.random((len(labels), n)) < 0.5, rng.choice(choices, (len(labels), n)),
                       rng.random((len(labels), n)))  # fmt: skip
    arrays = (
        point.astype(np.int64), eq.astype(np.int64), np.repeat(counts, counts).astype(np.int64),
        rng.integers(0, n_structures, n).astype(np.int64), rng.random(n), outcome, rng.normal(size=(2, n)),
    )  # fmt: skip
    # the engine's arrays are longer than its rows: pad them
    padded = tuple(np.concatenate([a, np.full((*a.shape[:-1], 5), 7, a.dtype)], axis=-1) for a in arrays)
    return first, arrays, padded, n


def _expected(points, layout, blocks, pure):
    """The table by the numpy rules of deterrence.outcomes (the kernels' former table)."""
    parts = []
    for first, a, _padded, _n in blocks:
        point, eq, count, struct, regret, outcome, payoff = a
        rows = first + point
        out = {lab: outcome[k] for k, lab in enumerate(layout.labels)}
        data = {"point": points.index.to_numpy()[rows]}
        data.update({name: points[name].to_numpy()[rows] for name in layout.params})
        data.update(equilibrium=eq, n_equilibria=count)
        data["regime"] = pd.Series(regime_labels(out, pure[struct], n=len(rows)), dtype=object)
        data.update(indicator_values(out, np.zeros(len(rows))))
        data.update({f"payoff_{pl}": payoff[i] for i, pl in enumerate(PLAYERS)})
        data.update({f"outcome_{lab}": out[lab] for lab in layout.labels})
        data.update(regret=regret, bayes_error=np.zeros(len(rows)))
        data["path"] = pd.Series(np.full(len(rows), "compiled", dtype=object), dtype=object)
        data["structure"] = pd.Series(np.array([f"{s}.0" for s in struct], dtype=object), dtype=object)
        parts.append(pd.DataFrame(data))
    return pd.concat(parts, ignore_index=True)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert (got.dtypes == want.dtypes).all(), (got.dtypes, want.dtypes)
    for col in want.columns:
        g, w = got[col].to_numpy(), want[col].to_numpy()
        if w.dtype.kind == "f":  # bit for bit (a negative zero summed to 0 + -0 is +0)
            np.testing.assert_array_equal(g.view(np.int64), w.view(np.int64), err_msg=col)
        else:
            assert g.tolist() == w.tolist(), col


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    labels=st.lists(st.sampled_from(list(OUTCOMES)), min_size=1, max_size=7, unique=True),
    n_blocks=st.integers(1, 5),
    capacity=st.integers(0, 40),
    index=st.sampled_from(["range", "shuffled", "float"]),
    int_param=st.booleans(),
)
def test_rows_follow_the_outcome_rules(seed, labels, n_blocks, capacity, index, int_param):
    rng = np.random.default_rng(seed)
    labels = [lab for lab in OUTCOMES if lab in labels]
    n_structures = 6
    pure = rng.random(n_structures) < 0.5
    size = [int(k) for k in rng.integers(0, 9, n_blocks)]
    firsts = np.cumsum([0, *size[:-1]])
    n_points = int(sum(size))
    points = pd.DataFrame({"x": rng.random(n_points), "y": rng.normal(size=n_points)})
    if int_param:
        points["y"] = rng.integers(-5, 5, n_points)
    points.index = {
        "range": pd.RangeIndex(n_points) + 100,
        "shuffled": pd.Index(rng.permutation(n_points).astype(np.int64) * 3),
        "float": pd.Index(rng.random(n_points)),
    }[index]
    layout = RowLayout.of(("x", "y"), PLAYERS, labels, pure)
    blocks = [_block(rng, k, labels, n_structures, int(f)) for k, f in zip(size, firsts, strict=True)]
    sink = RowSink(layout, points, capacity, structures=True)
    for k in rng.permutation(n_blocks):  # chunks arrive in any order; each is copied in order
        first, _a, padded, n = blocks[k]
        sink.deliver(int(k), first, padded, n)
    names = np.array([f"{s}.0" for s in range(n_structures)], dtype=object)
    _same(sink.table(names), _expected(points, layout, blocks, pure))


def test_done_is_called_once_the_rows_are_copied():
    layout = RowLayout.of(("x",), PLAYERS, ["status_quo", "war"], np.array([True, False]))
    rng = np.random.default_rng(3)
    points = pd.DataFrame({"x": rng.random(8)})
    blocks = [_block(rng, 4, layout.labels, 2, 0), _block(rng, 4, layout.labels, 2, 4)]
    sink, done = RowSink(layout, points, 4), []
    sink.deliver(1, 4, blocks[1][2], blocks[1][3], lambda: done.append(1))
    assert done == [] and sink.rows == 0  # chunk 1 waits for chunk 0
    sink.deliver(0, 0, blocks[0][2], blocks[0][3], lambda: done.append(0))
    assert done == [0, 1] and sink.rows == blocks[0][3] + blocks[1][3]
    assert "structure" not in sink.table().columns


def test_layout_refuses_more_labels_than_a_byte_of_codes():
    with pytest.raises(ValueError, match="at most 7"):
        RowLayout.of((), PLAYERS, [f"l{k}" for k in range(8)], np.array([True]))


def test_unreached_indicators_are_zero_columns_never_written():
    layout = RowLayout.of(("x",), PLAYERS, ["status_quo", "capitulation"], np.array([True]))
    assert layout.summed == () and layout.float_names()[0] == "p_attack"
    points = pd.DataFrame({"x": [0.5, 0.25]})
    first, _a, padded, n = _block(np.random.default_rng(1), 2, layout.labels, 1, 0)
    sink = RowSink(layout, points, 0)
    sink.deliver(0, first, padded, n)
    table = sink.table()
    for name in (*INDICATOR_NAMES[1:], "bayes_error"):
        assert table[name].dtype == np.float64 and (table[name].to_numpy() == 0).all()


def test_untouched_zeros_are_zeros_writable_and_separate():
    z = untouched_zeros(3, 1000)
    assert z.shape == (3, 1000) and z.dtype == np.float64 and not z.any()
    z[0, 5] = 2.0
    assert z[1, 5] == 0 and z[2, 5] == 0
    df = pd.DataFrame({"a": z[1], "b": z[2]}, copy=False)
    df.loc[0, "a"] = 1.0  # a column is its own memory: the others do not change
    assert df["b"].sum() == 0 and z[2].sum() == 0
    assert pickle.loads(pickle.dumps(df)).equals(df)
    assert untouched_zeros(0, 10).shape == (0, 10)


@pytest.mark.parametrize("n_labels", [1, 3, 7, 9])
def test_regime_codes_name_what_regime_labels_does(n_labels):
    rng = np.random.default_rng(n_labels)
    labels = list(OUTCOMES)[:n_labels] + [f"z_extra{k}" for k in range(max(0, n_labels - 7))]
    outcomes = {lab: rng.choice([0.0, LABEL_TOL, 0.5, -0.0, 1.0], 200) for lab in labels}
    pure = rng.random(200) < 0.5
    codes = regime_codes(outcomes, labels, pure)
    assert codes.dtype == np.int64 and codes.max() < 1 << (n_labels + 1)
    np.testing.assert_array_equal(
        regime_code_names(tuple(labels))[codes], regime_labels(outcomes, pure, n=200)
    )


def test_regime_code_names_refuses_too_many_labels():
    with pytest.raises(ValueError, match="too many"):
        regime_code_names(tuple(f"l{k}" for k in range(12)))


def test_many_chunks_on_threads_give_the_one_chunk_table(monkeypatch):
    """Chunks of a few points on three threads (arriving out of order, spare buffers reused,
    the table's arrays grown) give the table of one chunk on one thread."""
    m = dt.load_model("egame122")
    cm = compile_model(m, "pbe", "free")
    pts = pd.DataFrame(domain_sample(m, 5000, seed=11))
    pts.index = pts.index * 2 + 7
    before = _compiled.threads()
    try:
        _compiled.set_threads(1)
        one, und1 = cm.evaluate(pts, with_structure=True)
        monkeypatch.setattr(_compiled, "CHUNK_POINTS", 37)
        monkeypatch.setattr(_compiled, "MIN_PARALLEL", 1)
        _compiled.set_threads(3)
        cm._rows_per_point = 0.001  # the table's arrays start small and grow
        cm._spare.clear()
        many, und3 = cm.evaluate(pts, with_structure=True)
        again, _ = cm.evaluate(pts, with_structure=True)  # the spare buffers reused
    finally:
        _compiled.set_threads(before)
    np.testing.assert_array_equal(und1, und3)
    _same(many, one)
    _same(again, one)
    assert 0 < len(cm._spare) <= _compiled.MAX_SPARE
