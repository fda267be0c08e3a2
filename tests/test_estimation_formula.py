"""Formula text (the R package's ``Formula`` syntax) and design matrices (R's ``model.matrix`` rules)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import deterrence as dt
from deterrence.studies.estimation._design import design_matrix, model_frame
from deterrence.studies.estimation._formula import Part, parse_formula


def test_the_war1800_formula() -> None:
    f = parse_formula("esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2")
    assert f.lhs == ("esc", "war")
    assert f.parts == (
        Part((("s_wt_re1",), ("revis1",)), True),
        Part((), False),
        Part((("regime1",),), True),
        Part((("balanc",), ("regime2",)), True),
    )
    assert f.parts[1].is_zero and not f.parts[0].is_zero
    assert f.variables() == ["esc", "war", "s_wt_re1", "revis1", "regime1", "balanc", "regime2"]


@pytest.mark.parametrize(
    ("text", "terms", "intercept"),
    [
        ("1", (), True),
        ("0", (), False),
        ("-1", (), False),
        ("x - 1", (("x",),), False),
        ("0 + x", (("x",),), False),
        ("x + 1", (("x",),), True),
        ("a:b + c", (("c",), ("a", "b")), True),  # main effects first, as model.matrix
        ("a*b", (("a",), ("b",), ("a", "b")), True),
        ("a*b - a:b", (("a",), ("b",)), True),
        ("a + b - a", (("b",),), True),
        ("a + a", (("a",),), True),
        ("`my col` + b", (("my col",), ("b",)), True),
        ("x.1 + y_2", (("x.1",), ("y_2",)), True),
    ],
)
def test_part_syntax(text: str, terms: tuple, intercept: bool) -> None:
    part = parse_formula(f"y ~ {text}").parts[0]
    assert part.terms == terms and part.intercept == intercept


def test_scale_formula_without_outcome() -> None:
    f = parse_formula("~ balanc | revis2 - 1")
    assert f.lhs == () and f.parts[1] == Part((("revis2",),), False)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("y ~ np.log(x)", "("),
        ("y ~ x | | z", "empty formula part"),
        ("y ~ 2 * x", "number 2"),
        ("y ~ x +", "expected a column name"),
        ("y ~ .", "'.'"),
        ("y ~ x ~ z", "unexpected '~'"),
        ("y ~ 1:x", "cannot be part of an interaction"),
        ("y + ~ x", "outcome column"),
        ("y ~ x; import os", "';'"),
        ("y ~ __import__('os')", "("),
    ],
)
def test_bad_text_is_an_expression_error_that_points_at_it(text: str, where: str) -> None:
    with pytest.raises(dt.ExpressionError) as exc:
        parse_formula(text)
    assert where in str(exc.value)
    assert exc.value.text == text


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_an_expression_error(text: str) -> None:
    try:
        parse_formula(text)
    except dt.ExpressionError:
        pass


def test_factor_dummies_and_names_follow_r() -> None:
    df = pd.DataFrame(
        {
            "regime": ["mixed", "autoc", "dem", "mixed"],
            "cat": pd.Categorical(["b", "a", "b", "a"], categories=["b", "a", "z"]),
            "flag": [True, False, True, True],
            "x": [0.5, 1.0, 2.0, -1.0],
            "z": [1.0, 2.0, 3.0, 4.0],
        }
    )
    f = parse_formula("y ~ regime + cat + flag + x + x:z + x:x")  # x:x is x, as in R
    frame = model_frame(df, ["regime", "cat", "flag", "x", "z"])
    X, names = design_matrix(frame.data, f.parts[0], frame.codings, "u")
    # sorted text levels (autoc first), categorical order with unused level z dropped, logical as TRUE
    assert names == ["(Intercept)", "regimedem", "regimemixed", "cata", "flagTRUE", "x", "x:z"]
    np.testing.assert_array_equal(X[:, 1], [0, 0, 1, 0])
    np.testing.assert_array_equal(X[:, 2], [1, 0, 0, 1])
    np.testing.assert_array_equal(X[:, 3], [0, 1, 0, 1])
    np.testing.assert_array_equal(X[:, 4], [1, 0, 1, 1])
    np.testing.assert_allclose(X[:, 6], df.x * df.z)


def test_missing_values_are_dropped_and_counted() -> None:
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0, 4.0], "g": ["a", "b", None, "a"], "unused": [np.nan] * 4})
    frame = model_frame(df, ["x", "g"])
    assert list(frame.data.index) == [0, 3]
    assert frame.n_missing == 2 and frame.missing_by_column == {"x": 1, "g": 1}
    # the level 'b' only occurred on a dropped row: dropped (R's drop.unused.levels)
    assert frame.codings["g"].levels == ("a",)


def test_interactions_with_factors_are_refused() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0], "g": ["a", "b"]})
    frame = model_frame(df, ["x", "g"])
    with pytest.raises(dt.UnsupportedError, match="factor 'g'"):
        design_matrix(frame.data, parse_formula("y ~ x:g").parts[0], frame.codings, "u11")
