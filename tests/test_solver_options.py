"""Typed solver options: every method declares its options; ``dt.solve`` and the CLI check them.

For every registered method: an unknown and a misspelt option are refused with an error that
names the option, the method and the valid options; every declared option is accepted with a
valid value (and takes effect where that is cheap to see) and refused with a value of the
wrong type. The command line's ``--option`` is typed from the same declarations.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import numpy as np
import pytest

import deterrence as dt
from deterrence.cli import main
from deterrence.errors import OptionError, ParameterError, SolverError, UnsupportedError
from deterrence.game import ExtensiveFormGame, chance, decision, terminal
from deterrence.solvers import (
    AUTO,
    SOLVER_MODULES,
    SolveOptions,
    SolverOptions,
    check_options,
    registry,
    solver_options,
)
from deterrence.solvers._dispatch import STAND_INS
from deterrence.solvers._options import describe_type, parse_text, supported


def _bimatrix() -> dt.NormalFormGame:
    """A 3x3 game with one mixed and two pure equilibria (small, generic)."""
    a = np.array([[3, 0, 1], [0, 2, 0], [1, 0, 2]])
    b = np.array([[2, 0, 1], [0, 3, 0], [0, 1, 1]])
    return dt.NormalFormGame([a, b])


def _signalling() -> ExtensiveFormGame:
    """Nature draws a strong or weak challenger; it fights or quits; the defender, who sees only
    a fight, attacks or retreats. Two players, perfect recall, one information set with two nodes."""
    def branch(kind: str, win: int) -> Any:
        return decision("C", {
            "quit": terminal({"C": 0, "D": 2}),
            "fight": decision("D", {"attack": terminal({"C": win, "D": -win}),
                                    "retreat": terminal({"C": 1, "D": 0})}, infoset="after fight"),
        }, infoset=f"C {kind}")

    root = chance({"strong": (0.4, branch("strong", 2)), "weak": (0.6, branch("weak", -2))})
    return ExtensiveFormGame(root, players=["C", "D"])


def _collective() -> Any:
    """A small collective-defence game (the aggregated form the ``collective`` method serves)."""
    return dt.load_model("collective_defence").game(members=2)


def _game_and_concept(method: str) -> tuple[Any, str]:
    info = registry()[method]
    concept = sorted(info.concepts)[0]
    game = (_bimatrix() if "normal" in info.kinds else _collective() if "collective" in info.kinds
            else _signalling())
    if method == "reputation":  # serves only repeated crises with a persistent private type
        game = dt.builders.chain_store_game(markets=2).tree()
    assert info.serves(game, concept) is None, (method, info.serves(game, concept))
    return game, concept


#: a valid, non-default value of every declared option (a new option must be added here)
VALID: dict[tuple[str, str], Any] = {
    ("vertex_enumeration", "vertex_method"): "pivot",
    ("vertex_enumeration", "threads"): False,
    ("lemke_howson", "labels"): [0],
    ("lemke_howson", "traverse"): True,
    ("polynomial", "max_boxes"): 2000,
    ("polynomial", "min_width"): 1e-6,
    ("homotopy", "max_steps"): 5000,
    ("homotopy", "max_lambda"): 1e8,
    ("sequence_form", "seed"): 1,
    ("collective", "belief_policy"): "prior",
    ("sequence_form", "attempts"): 2,
    ("enumerate_reduced", "normal_method"): "support_enumeration",
    ("enumerate_reduced", "max_strategies"): 1000,
    ("backward_induction", "max_equilibria"): 1,
    ("backward_induction", "subgame_method"): "enumerate_reduced",
    ("pure_agent", "max_equilibria"): 5,
    ("pbe", "belief_policy"): "d1",
    ("pbe", "mixed"): False,
    ("pbe", "max_mixed_sets"): 2,
    ("pbe", "seeds"): True,
    ("reputation", "belief_policy"): "d1",
    ("qre", "lam"): 1.5,
    ("qre", "trace"): True,
    ("qre", "lam_max"): 5.0,
    ("qre", "link"): "logit",
    ("qre", "max_steps"): 5000,
}

DECLARED = [(m, f.name) for m, info in registry().items() for f in dataclasses.fields(info.options)]


def _wrong_type(hint: Any) -> list[Any]:
    """Values no member of the annotation accepts."""
    members = typing.get_args(hint) or (hint,)
    out: list[Any] = [object()]
    if str not in members:
        out.append("2")
    if bool not in members:
        out.append(True if int in members or float in members else 2)
    if int in members and float not in members:
        out.append(2.5)
    if str in members:
        out.append(3)
    return out


# ---------------------------------------------------------------------------- declarations
def test_every_solver_module_declares_typed_options() -> None:
    reg = registry()
    assert sorted(reg) == sorted(SOLVER_MODULES)
    for name, info in reg.items():
        assert issubclass(info.options, SolverOptions), name
        assert dataclasses.is_dataclass(info.options) and info.options.__dataclass_params__.frozen, name
        hints = typing.get_type_hints(info.options)
        for f in dataclasses.fields(info.options):
            assert supported(hints[f.name]), (name, f.name, hints[f.name])
            spec = solver_options(name)[f.name]
            assert spec.description, f"option '{f.name}' of '{name}' is not explained in its docstring"
            assert spec.default == info.options().__getattribute__(f.name)


def test_valid_values_cover_every_declared_option() -> None:
    assert sorted(VALID) == sorted(DECLARED)


def test_auto_table_names_registered_methods_only() -> None:
    reg = registry()
    assert all(m in reg for names in AUTO.values() for m in names)
    for (concept, kind, _), names in AUTO.items():  # a stand-in computes a refinement of the concept
        assert all((concept in reg[m].concepts or (concept, m) in STAND_INS) and kind in reg[m].kinds
                   for m in names)


def test_methods_sharing_an_option_name_agree_on_its_type() -> None:
    seen: dict[str, tuple[Any, dict]] = {}
    for method, info in registry().items():
        hints = typing.get_type_hints(info.options)
        for f in dataclasses.fields(info.options):
            decl = (hints[f.name], dict(f.metadata))
            assert seen.setdefault(f.name, decl) == decl, (method, f.name)


def test_front_door_options_are_not_solver_options() -> None:
    for method, info in registry().items():
        names = {f.name for f in dataclasses.fields(info.options)}
        assert not names & {"tol", "exact", "max_work", "method", "concept"}, method


def test_belief_policy_belongs_to_pbe_and_lam_to_qre() -> None:
    owners = {name: spec.methods for name, spec in solver_options().items()}
    assert owners["belief_policy"] == ("pbe", "reputation", "collective")
    assert owners["lam"] == ("qre",)
    assert set(owners) >= {"mixed", "max_mixed_sets", "seeds"}
    assert solver_options("pbe")["belief_policy"].choices == dt.BELIEF_POLICIES


# ---------------------------------------------------------------------------- dt.solve
@pytest.mark.parametrize("method", SOLVER_MODULES)
def test_unknown_option_is_refused_with_the_valid_ones(method: str) -> None:
    game, concept = _game_and_concept(method)
    valid = [f.name for f in dataclasses.fields(registry()[method].options)]
    with pytest.raises(ParameterError) as info:
        dt.solve(game, concept, method, no_such_option=1)
    msg = str(info.value)
    assert "'no_such_option'" in msg and f"'{method}'" in msg
    assert all(v in msg for v in valid) and (valid or "no options" in msg)
    assert isinstance(info.value, OptionError) and isinstance(info.value, UnsupportedError)
    assert info.value.name == "no_such_option" and info.value.method == method
    assert info.value.valid == tuple(valid)


@pytest.mark.parametrize("method", [m for m in SOLVER_MODULES if dataclasses.fields(registry()[m].options)])
def test_misspelt_option_is_refused_with_a_suggestion(method: str) -> None:
    game, concept = _game_and_concept(method)
    name = dataclasses.fields(registry()[method].options)[0].name
    typo = name[:-1] + ("x" if name[-1] != "x" else "y")
    with pytest.raises(ParameterError, match=f"did you mean '{name}'") as info:
        dt.solve(game, concept, method, **{typo: VALID[(method, name)]})
    assert f"'{typo}'" in str(info.value) and f"'{method}'" in str(info.value)


@pytest.mark.parametrize(("method", "name"), DECLARED)
def test_each_declared_option_is_accepted(method: str, name: str) -> None:
    game, concept = _game_and_concept(method)
    kwargs = {name: VALID[(method, name)]}
    if method == "qre" and name == "lam_max":
        kwargs["trace"] = True  # lam_max matters only when tracing the limit
    eqs = dt.solve(game, concept, method, **kwargs)
    assert eqs.method == method and (len(eqs) >= 1 or not eqs.complete)
    assert all(e.certificate.passed for e in eqs)


@pytest.mark.parametrize(("method", "name"), DECLARED)
def test_each_declared_option_refuses_a_wrong_type(method: str, name: str) -> None:
    game, concept = _game_and_concept(method)
    cls = registry()[method].options
    hint = typing.get_type_hints(cls)[name]
    allowed = describe_type(hint, next(f for f in dataclasses.fields(cls) if f.name == name).metadata)
    for bad in _wrong_type(hint):
        with pytest.raises(ParameterError) as info:
            dt.solve(game, concept, method, **{name: bad})
        assert str(info.value) == f"option '{name}' of method '{method}' must be {allowed}, got {bad!r}"


def test_options_take_effect() -> None:
    tree = _signalling()
    assert dt.solve(tree, "pbe", belief_policy="d1").belief_policy == "d1"
    assert any("only pure PBE listed" in n for n in dt.solve(tree, "pbe", mixed=False).notes)
    assert len(dt.solve(tree, "spe", max_equilibria=1)) == 1
    assert dt.solve(_bimatrix(), "qre", lam=1.5)[0].lam == 1.5
    one = dt.solve(_bimatrix(), method="lemke_howson", labels=[0])
    assert any(n.startswith("1 Lemke-Howson paths") for n in one.notes)
    assert "support_enumeration" in " ".join(dt.solve(tree, method="enumerate_reduced",
                                                      normal_method="support_enumeration").notes)


def test_the_issue_examples_raise() -> None:
    game = dt.load_model("unilateral_deterrence").game()
    with pytest.raises(ParameterError, match=r"'beliefs'.*did you mean 'belief_policy'"):
        dt.solve(game, concept="pbe", beliefs="d1")
    with pytest.raises(ParameterError, match=r"'belief_polcy'.*did you mean 'belief_policy'"):
        dt.solve(game, concept="pbe", belief_polcy="d1")
    with pytest.raises(ParameterError, match="'lam'"):
        dt.solve(game, concept="nash", lam=3)
    with pytest.raises(ParameterError, match="free, prior, d1"):
        dt.solve(game, concept="pbe", belief_policy="D1")
    with pytest.raises(ParameterError, match="non-negative integer, got '2'"):
        dt.solve(game, concept="pbe", max_mixed_sets="2")
    # the D1 answer the misspellings used to hide differs from the free-policy one
    assert len(dt.solve(game, "pbe", belief_policy="d1")) < len(dt.solve(game, "pbe"))


def test_belief_policy_is_refused_where_there_are_no_beliefs() -> None:
    with pytest.raises(OptionError, match="'belief_policy' for method 'vertex_enumeration'"):
        dt.solve(_bimatrix(), "nash", belief_policy="free")
    with pytest.raises(OptionError, match="'belief_policy' for method 'backward_induction'"):
        dt.solve(_signalling(), "spe", belief_policy="d1")


def test_option_values_are_normalised() -> None:
    from deterrence.solvers.lemke_howson import LemkeHowsonOptions
    from deterrence.solvers.qre import QREOptions

    assert LemkeHowsonOptions(labels=[0, np.int64(2)]).labels == (0, 2)
    assert QREOptions(lam=np.array([1, 2])).lam == (1.0, 2.0)
    assert QREOptions(lam=np.float64(2)).lam == 2.0
    with pytest.raises(OptionError, match="'labels' of LemkeHowsonOptions"):
        LemkeHowsonOptions(labels=[0.5])


# ---------------------------------------------------------------------------- check_options
def test_check_options_types_the_options_of_one_method() -> None:
    opts = check_options("pbe", {"belief_policy": "d1", "max_mixed_sets": 2, "tol": 1e-7}, method="pbe")
    assert isinstance(opts, SolveOptions) and opts.tol == 1e-7
    assert opts.method_options.belief_policy == "d1" and opts.method_options.max_mixed_sets == 2
    opts = check_options("nash", {"labels": (1,)}, method="lemke_howson")
    assert opts.method_options.labels == (1,)
    opts = check_options("nash", {"method": "lemke_howson", "traverse": True})  # a sweep's solve_options
    assert opts.method_options.traverse is True
    with pytest.raises(ParameterError, match="two methods"):
        check_options("nash", {"method": "lemke_howson"}, method="pure")


def test_check_options_with_auto_and_several_methods() -> None:
    # nash on an unknown game: any nash method's option is accepted, values checked by each
    assert check_options("nash", {"max_boxes": 10}).method_options is None
    with pytest.raises(OptionError, match="max_boxes"):
        check_options("nash", {"max_boxes": "10"})
    with pytest.raises(OptionError, match="unknown option 'belief_policy'"):
        check_options("nash", {"belief_policy": "d1"})
    # with a game, the methods auto may choose for it
    with pytest.raises(OptionError, match="unknown option 'max_boxes'"):
        check_options("nash", {"max_boxes": 10}, game=_bimatrix())
    assert check_options("spe", {"max_equilibria": 3}, game=_signalling()).method_options.max_equilibria == 3


def test_check_options_front_door_errors() -> None:
    with pytest.raises(UnsupportedError, match="unknown concept"):
        check_options("nashh", {})
    with pytest.raises(UnsupportedError, match="unknown method"):
        check_options("nash", {}, method="magic")
    with pytest.raises(SolverError, match="tol"):
        check_options("nash", {"tol": -1})
    with pytest.raises(UnsupportedError, match="extensive-form"):
        check_options("pbe", {}, game=_bimatrix())
    with pytest.raises(UnsupportedError, match="'vertex_enumeration' does not take extensive-form"):
        check_options("nash", {}, method="vertex_enumeration", game=_signalling())


def test_solver_options_listing() -> None:
    assert set(dt.solver_options("pure")) == set()
    assert set(dt.solver_options(concept="pbe")) == {"belief_policy", "mixed", "max_mixed_sets", "seeds"}
    assert dt.solver_options(concept="qre")["lam"].allowed == "a number, a sequence of numbers or None"
    with pytest.raises(UnsupportedError, match="unknown method"):
        dt.solver_options("magic")
    with pytest.raises(UnsupportedError, match="unknown concept"):
        dt.solver_options(concept="magic")


# ---------------------------------------------------------------------------- command-line text
@pytest.mark.parametrize(
    ("hint", "text", "value"),
    [
        (bool, "TRUE", True), (bool, "no", False), (bool, "0", False),
        (int, "12", 12), (int, " -3 ", -3),
        (float, "1e-6", 1e-6), (float, ".5", 0.5), (float, "2", 2.0),
        (float | None, "none", None),
        (tuple[int, ...] | None, "0,2", (0, 2)),
        (float | tuple[float, ...] | None, "1,2.5", (1.0, 2.5)),
        (str, "D1", "D1"),
    ],
)
def test_text_is_parsed_by_type(hint: Any, text: str, value: Any) -> None:
    assert parse_text(hint, text) == value


@pytest.mark.parametrize(
    ("hint", "text"),
    [
        (int, "²"), (int, "٣"), (int, "1e3"), (int, "2.0"), (int, ""), (int, "1_000"),
        (bool, "maybe"), (bool, "2"),
        (float, "nan"), (float, "inf"), (float, "1,5"), (float, "١"),
        (tuple[int, ...] | None, "0,x"),
    ],
)
def test_text_is_refused_strictly(hint: Any, text: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        parse_text(hint, text)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("item", "needle"),
    [
        ("max_mixed_sets=²", "--option max_mixed_sets: expected a non-negative integer, got '²'"),
        ("max_mixed_sets=2.0", "non-negative integer"),
        ("mixed=maybe", "--option mixed: expected true or false, got 'maybe'"),
        ("seeds=", "expected true or false"),
        ("mixd=false", "unknown solver option 'mixd' (did you mean 'mixed'?); options: belief_policy, mixed"),
        ("lam=2", "unknown solver option 'lam'"),
        ("belief_policy=D1", "expected one of free, prior, d1, got 'D1'"),
    ],
)
def test_cli_option_is_typed(capsys: pytest.CaptureFixture[str], item: str, needle: str) -> None:
    code, out, err = _cli(capsys, "solve", "chain_store", "--option", item)
    assert code == 2 and out == "" and err.count("\n") == 1 and needle in err, err


def test_cli_option_accepts_typed_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(capsys, "solve", "chain_store", "--option", "max_mixed_sets=1",
                          "--option", "mixed=FALSE", "--belief-policy", "prior")
    assert code == 0 and err == "" and "only pure PBE listed" in out and "belief policy prior" in out


def test_cli_belief_policy_only_for_pbe(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, "solve", "extended_deterrence", "--concept", "spe", "--belief-policy", "d1")
    assert code == 2 and "unknown option 'belief_policy' for method 'backward_induction'" in err
    code, out, _ = _cli(capsys, "solve", "extended_deterrence", "--concept", "spe")
    assert code == 0 and "1 spe equilibrium" in out


def test_cli_option_given_twice(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, "solve", "chain_store", "--belief-policy", "d1",
                        "--option", "belief_policy=free")
    assert code == 2 and "already given by --belief-policy" in err
    code, _, err = _cli(capsys, "solve", "chain_store", "--option", "seeds=true", "--option", "seeds=false")
    assert code == 2 and "'seeds' is given twice" in err


def test_option_descriptions_do_not_depend_on_docstring_indentation():
    """Python 3.13 strips a docstring's indentation when compiling; 3.11 and 3.12 keep it."""
    from deterrence.solvers._options import descriptions

    kept = (
        "Options.\n\n    Parameters\n    ----------\n    alpha, beta\n        What they do,\n"
        "        in two lines.\n    gamma\n        Another.\n\n    Notes\n    -----\n    gamma2\n"
        "        Not an option.\n    "
    )
    stripped = "\n".join(line.removeprefix("    ") for line in kept.splitlines())
    both = "What they do, in two lines."
    want = {"alpha": both, "beta": both, "gamma": "Another."}
    for doc in (kept, stripped):
        cls = type("Options", (), {"__doc__": doc})
        assert descriptions(cls) == want
