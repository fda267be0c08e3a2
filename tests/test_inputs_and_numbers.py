"""Inputs and numbers a demanding user may give: payoffs at the ends of the float range (subnormal,
near 1.8e308), numpy numbers as chance probabilities, a tree without a decision, Gambit numbers
at the float range's ends, and sweep options that must be honoured or refused, never ignored.

Each test reproduces a bug found by hunting these inputs: before its fix it raised an untyped
error, reported a false failure, or returned an answer computed without an option given.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import deterrence as dt
from deterrence.errors import FormatError, SweepError
from deterrence.gambit import read_game
from deterrence.game import chance, decision, terminal
from deterrence.game.scaling import player_scale

MP = np.array([[1.0, -1.0], [-1.0, 1.0]])  # matching pennies: the unique equilibrium is (1/2, 1/2)


# ------------------------------------------------------------------------- payoffs at the float range's ends
def test_subnormal_payoffs_are_scaled_not_taken_as_all_equal() -> None:
    """``hi / 2 - lo / 2`` rounded payoffs of +-5e-324 to a spread of 0 (all payoffs equal)."""
    scale = player_scale(MP * 5e-324)
    assert scale.unit == 5e-324
    assert scale.apply(MP * 5e-324).tolist() == MP.tolist()


@pytest.mark.parametrize("method", ["pure", "polynomial", "auto"])
def test_matching_pennies_with_subnormal_payoffs(method: str) -> None:
    """``pure`` and ``polynomial`` returned candidates that failed certification (SolverError)."""
    g = dt.NormalFormGame([MP * 5e-324, -MP * 5e-324])
    eqs = dt.solve(g, "nash", method)
    if method == "pure":
        assert len(eqs) == 0  # matching pennies has no pure equilibrium
    else:
        assert len(eqs) == 1 and eqs[0].certificate.passed
        assert all(np.allclose(s, 0.5) for s in eqs[0].strategies)


def test_exact_certificate_of_payoffs_spanning_more_than_the_float_range() -> None:
    """A zero regret times the range in units (``inf``) was NaN: the true equilibrium failed."""
    g = dt.NormalFormGame([MP * 1.7e308, -MP * 1.7e308])
    cert = dt.certify(g, [np.array([0.5, 0.5]), np.array([0.5, 0.5])], exact=True)
    assert cert.passed and cert.regret == 0.0
    eqs = dt.solve(g, exact=True)  # raised SolverError ("regret nan ... this is a bug")
    assert len(eqs) == 1 and eqs[0].certificate.exact and eqs[0].certificate.passed


# ------------------------------------------------------------------------- trees
def _tree_with_numpy_probabilities() -> dt.ExtensiveFormGame:
    root = chance(
        {
            "a": (np.float32(0.3), decision("A", {"l": terminal([1, 0]), "r": terminal([0, 1])})),
            "b": (np.float32(0.7), terminal([1, 1])),
        }
    )
    return dt.ExtensiveFormGame(root, players=["A", "B"])


@pytest.mark.parametrize("concept", ["nash", "spe", "pbe"])
def test_numpy_chance_probabilities_certify_exactly(concept: str) -> None:
    """``Fraction(np.float32(0.3))`` raised an untyped TypeError in the exact certificate."""
    eqs = dt.solve(_tree_with_numpy_probabilities(), concept, exact=True)
    assert len(eqs) == 1 and eqs[0].certificate.exact and eqs[0].certificate.passed
    assert eqs[0].profile["A"]["A@a"] == {"l": 1.0, "r": 0.0}


def test_numpy_chance_probabilities_are_kept_as_python_numbers() -> None:
    g = _tree_with_numpy_probabilities()
    assert [type(p) for p in g.chance_infos[0].probs] == [float, float]
    assert g.chance_infos[0].probs[0] == float(np.float32(0.3))


@pytest.mark.parametrize("exact", [False, True])
def test_homotopy_on_a_tree_without_decisions(exact: bool) -> None:
    """The logit path of a tree with no choice raised ValueError (max of an empty array)."""
    g = dt.ExtensiveFormGame(terminal([1, 2]), players=["A", "B"])
    eqs = dt.solve(g, "nash", "homotopy", exact=exact)
    assert len(eqs) == 1 and eqs[0].certificate.passed
    assert eqs[0].payoffs == {"A": 1.0, "B": 2.0}


# ------------------------------------------------------------------------- Gambit numbers
def _nfg(tmp_path: Path, first: str) -> Path:
    path = tmp_path / "g.nfg"
    path.write_text(f'NFG 1 R "t" {{ "A" "B" }} {{ 2 2 }}\n{first} 0 0 0 0 0 0 1\n')
    return path


def test_nfg_integer_beyond_the_float_range_is_a_format_error(tmp_path: Path) -> None:
    """A 351-digit integer payoff raised an untyped OverflowError when the game was made."""
    with pytest.raises(FormatError, match=r"g\.nfg:2: number '1000.*\(351 characters\)' is out of range"):
        dt.read_game(_nfg(tmp_path, "1" + "0" * 350))


@pytest.mark.parametrize("text", ["1.7e308", "-1e301", "1e-320", "2e300"])
def test_nfg_reads_every_finite_float(tmp_path: Path, text: str) -> None:
    """Finite floats beyond 1e300 or with exponents beyond 300 were refused as "out of range",
    though the same numbers written as integers or rationals were read (and the API takes them)."""
    g = dt.read_game(_nfg(tmp_path, text))
    assert g.payoffs[0][0, 0] == float(text)


@pytest.mark.parametrize("text", ["1.8e308", "1e401", "1e-401"])
def test_nfg_numbers_beyond_the_float_range_say_so(tmp_path: Path, text: str) -> None:
    limit = r"out of range: numbers in a game file must be at most about 1\.8e308"
    with pytest.raises(FormatError, match=limit):
        dt.read_game(_nfg(tmp_path, text))


def test_efg_probabilities_off_one_by_1e_17_show_the_difference(tmp_path: Path) -> None:
    """The message said "sum to 1, not 1 (1/2, 0.5)": both numbers rounded to 15 digits."""
    path = tmp_path / "g.efg"
    path.write_text(
        'EFG 2 R "t" { "A" "B" }\n""\n'
        'c "n" 1 "" { "h" 1/2 "l" 0.50000000000000001 } 0\n'
        't "" 1 "o1" { 1, 0 }\n'
        't "" 2 "o2" { 0, 1 }\n'
    )
    with pytest.raises(FormatError, match=r"sum to 1 \+ 1e-17, not 1 \(1/2, 0\.50000000000000001\)"):
        dt.read_game(path)


def test_sum_text_of_a_difference_below_the_float_range() -> None:
    from fractions import Fraction

    from deterrence.game.extensive import sum_text

    assert sum_text(1 + Fraction(1, 10**400)) == "1 + 1e-400"  # was "1 - 0"


# ------------------------------------------------------------------------- sweeps
MODEL = "unilateral_deterrence"  # compiles for pbe; a mixed equilibrium at the first point
GRID = {"p_defender_hard": [0.05, 0.5], "p_challenger_hard": [0.1]}


def test_sweep_solve_options_are_honoured_on_the_default_path() -> None:
    """``mixed=False`` was ignored where the compiled kernel decided a point (path "auto")."""
    notes: list[str] = []
    auto = dt.sweep(MODEL, grid=GRID, progress=False, solve_options={"mixed": False}, log=notes.append)
    pointwise = dt.sweep(MODEL, grid=GRID, progress=False, path="pointwise", solve_options={"mixed": False})
    assert not any(r.startswith("mixed") for r in auto.table["regime"])
    assert list(auto.table["regime"]) == list(pointwise.table["regime"])
    assert any("solve_options (mixed)" in n for n in notes)


def test_sweep_solve_options_on_the_compiled_path_are_refused() -> None:
    with pytest.raises(SweepError, match=r"solve_options \(mixed\).*compiled path would ignore them"):
        dt.sweep(MODEL, grid=GRID, progress=False, path="compiled", solve_options={"mixed": False})


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ({"bounds": {"p_defender_hard": (0, 0.5)}}, "bounds only applies to samples"),
        ({"vary": ["p_defender_hard"]}, "vary only applies to samples"),
    ],
)
def test_sweep_sample_options_with_a_grid_are_refused(extra: dict, match: str) -> None:
    with pytest.raises(SweepError, match=match):
        dt.sweep(MODEL, grid={"p_defender_hard": [0.3]}, progress=False, **extra)


def test_sweep_bounds_of_a_parameter_not_sampled_are_refused() -> None:
    not_varied = r"bounds for 'p_challenger_hard' would be ignored: it is not in vary="
    with pytest.raises(SweepError, match=not_varied):
        dt.sweep(MODEL, samples=2, vary=["p_defender_hard"], bounds={"p_challenger_hard": (0, 0.1)},
                 rng=0, progress=False)
    with pytest.raises(SweepError, match=r"bounds for 'p_challenger_hard' would be ignored: it is fixed"):
        dt.sweep(MODEL, samples=2, fixed={"p_challenger_hard": 0.5}, bounds={"p_challenger_hard": (0, 0.1)},
                 rng=0, progress=False)


def test_sweep_vary_given_as_one_string() -> None:
    hint = r"vary= must be a list of parameter names.*vary=\['p_defender_hard'\]"
    with pytest.raises(SweepError, match=hint):
        dt.sweep(MODEL, samples=2, vary="p_defender_hard", rng=0, progress=False)


@pytest.mark.parametrize("values", [["0.3"], [True, False], None, [0.3, None], np.array([True])])
def test_sweep_grid_values_must_be_numbers(values: object) -> None:
    """Strings and bools were read as numbers, and None reported as "value nan is not finite"."""
    with pytest.raises(SweepError, match="are not numbers"):
        dt.sweep(MODEL, grid={"p_defender_hard": values}, progress=False)


def test_cli_sweep_method_and_seed_without_samples_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from deterrence.cli import main

    for flags in (["--seed", "1"], ["--method", "lhs"]):
        code = main(["sweep", MODEL, "--vary", "p_defender_hard=0:1:3", "--out", str(tmp_path / "o"),
                     "--no-progress", *flags])
        assert code == 2
        assert f"{flags[0]} applies to a sample (--samples N) only" in capsys.readouterr().err


# ---------------------------------------------------------------- payoffs that differ but not as floats
def _pennies_around(base: object, dtype: object) -> list[np.ndarray]:
    one = base + 1  # type: ignore[operator]
    return [np.array([[one, base], [base, one]], dtype=dtype),
            np.array([[base, one], [one, base]], dtype=dtype)]


@pytest.mark.parametrize("base, dtype", [(2**70, object), (2**62, np.int64),
                                         (Fraction(1, 3), object)], ids=["python-int", "int64", "fraction"])
def test_payoffs_that_differ_only_beyond_float_precision_are_refused(base: object, dtype: object) -> None:
    """Matching pennies around 2**70 (or 2**62 as int64) ties as floats: the solvers found four pure
    'equilibria' of the rounded game and certified them against it."""
    if isinstance(base, Fraction):  # 1/3 and 1/3 + 1e-20: distinct, one float
        tiny = Fraction(1, 10**20)
        pay = [np.array([[base + tiny, base], [base, base + tiny]], dtype=object),
               np.array([[0, 1], [1, 0]], dtype=object)]
    else:
        pay = _pennies_around(base, dtype)
    with pytest.raises(dt.GameError, match="differ but are the same float"):
        dt.NormalFormGame(pay)


def test_large_payoffs_that_stay_distinct_as_floats_are_kept() -> None:
    b, one = 2**70, 2**70 + 2**20  # distinct floats: their spacing there is 2**18
    pay = [np.array([[one, b], [b, one]], dtype=object), np.array([[b, one], [one, b]], dtype=object)]
    (eq,) = dt.solve(dt.NormalFormGame(pay), "nash")
    assert eq.strategies[0] == pytest.approx([0.5, 0.5]) and eq.certificate.passed


def test_an_nfg_file_whose_payoffs_tie_as_floats_is_refused(tmp_path: Path) -> None:
    b = 2**70
    cells = [b + 1, b, b, b + 1, b, b + 1, b + 1, b]
    path = tmp_path / "big.nfg"
    path.write_text('NFG 1 R "big" { "1" "2" } { 2 2 }\n' + " ".join(map(str, cells)) + "\n")
    with pytest.raises(FormatError, match="differ but are the same float"):
        read_game(path)
