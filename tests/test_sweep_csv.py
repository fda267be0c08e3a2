"""``table.csv`` is written with its floats formatted once per distinct value, by the csv writer
pandas uses; the bytes are the ones ``pandas.DataFrame.to_csv`` writes for the table itself."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from deterrence.sweeps._storage import _column_texts, csv_text, write_csv

FLOATS = hnp.arrays(
    np.float64,
    st.integers(0, 40),
    elements=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True, width=64),
        st.sampled_from([0.0, -0.0, 1.0, 0.005, 1e-5, 1e16, 123456789.125, math.nan]),
    ),
)


@settings(max_examples=200, deadline=None)
@given(a=FLOATS, data=st.data())
def test_the_same_bytes_as_to_csv(a: np.ndarray, data: st.DataObject) -> None:
    n = len(a)
    texts = data.draw(st.lists(st.sampled_from(["war", "a,b", 'say "no"', "two\nlines", "", None]),
                               min_size=n, max_size=n))
    frame = pd.DataFrame({
        "point": np.arange(n, dtype=np.int64),
        "x": a,
        "y": a[::-1].copy(),
        "regime": pd.Series(texts, dtype=object),
        "selected": np.arange(n) % 2 == 0,
        "error": pd.Series([None] * n, dtype=object),
    })
    frame["label"] = pd.Series(texts, dtype="string")  # pandas' text dtype, with missing values
    frame["count"] = np.arange(n, dtype=np.int32) - 3
    for header in (True, False):
        assert csv_text(frame).to_csv(index=False, header=header) == frame.to_csv(index=False, header=header)
        assert _written(frame, header) == frame.to_csv(index=False, header=header)


def _written(frame: pd.DataFrame, header: bool = True) -> str:
    buf = io.StringIO(newline="")
    write_csv(frame, buf, header=header)
    return buf.getvalue()


def test_columns_of_other_kinds_are_written_by_pandas() -> None:
    odd = [
        pd.DataFrame({"when": pd.to_datetime(["2026-01-02", None]), "x": [1.5, 2.0]}),
        pd.DataFrame({"c": pd.Categorical(["a", "b,c"]), "x": [1.5, math.nan]}),
        pd.DataFrame({"mixed": [1.25, "war"], "n": [1, 2]}),  # an object column with a float
        pd.DataFrame({"a,b": [1.0], 'say "x"': [2]}),  # names that need quoting
        pd.DataFrame(np.zeros((2, 2)), columns=["x", "x"]),  # repeated names
        pd.DataFrame({"x": np.zeros(0), "s": pd.Series([], dtype=object)}),  # no rows
        pd.DataFrame({"f32": np.array([0.1, 2.5], dtype=np.float32)}),
    ]
    for frame in odd:
        for header in (True, False):
            assert _written(frame, header) == frame.to_csv(index=False, header=header)


def test_one_float_column_and_an_empty_table() -> None:
    for frame in (pd.DataFrame({"x": [math.nan, -0.0, 2.5]}), pd.DataFrame({"x": np.zeros(0)})):
        assert csv_text(frame).to_csv(index=False) == frame.to_csv(index=False)


def test_fields_that_need_no_quotes_are_joined_and_others_go_to_the_writer() -> None:
    plain = pd.DataFrame(
        {"point": [0, 1], "x": [0.5, math.nan], "regime": ["war", None], "ok": [True, False]}
    )
    quoted = plain.assign(regime=["war", "a,b"])
    lone = pd.DataFrame({"s": ["", "war"]})  # a one-column table's empty field is quoted
    named = pd.DataFrame({"two\nlines": [1.0], "x": [2.0]})  # a name with a line end
    assert _column_texts(plain)[1] is False and _column_texts(quoted)[1] is True  # type: ignore[index]
    for frame in (plain, quoted, lone, named):
        for header in (True, False):
            assert _written(frame, header) == frame.to_csv(index=False, header=header)
