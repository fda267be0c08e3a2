"""The ``deterrence`` command: models, show, solve, sweep, regimes; errors are one line and status 2."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import deterrence as dt
from deterrence._solve import solve
from deterrence.cli import main

DATA = Path(__file__).parent / "data"
TINY = str(DATA / "tiny_pledge.toml")
ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_exit(capsys, *argv: str) -> tuple[int, str, str]:
    """For argparse errors, which exit through SystemExit."""
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(info.value.code), out, err


def test_models_lists_the_catalogue(capsys):
    code, out, err = run(capsys, "models")
    assert code == 0 and err == ""
    for name in dt.list_models():
        assert name in out
    assert "Extended deterrence" in out


def test_show_describes_a_model(capsys):
    code, out, _ = run(capsys, "show", "extended_deterrence")
    assert code == 0
    m = dt.load_model("extended_deterrence")
    for name, p in m.parameters.items():
        assert name in out and p.description[:40] in out
    assert "players: Attacker, Defender, Ally" in out
    assert "Fearon" in out and "concepts: spe, pbe, qre" in out


def test_solve_json_matches_the_api(capsys):
    code, out, _ = run(capsys, "solve", "extended_deterrence", "--set", "credibility=0.7",
                       "--concept", "pbe", "--json")
    assert code == 0
    doc = json.loads(out)
    m = dt.load_model("extended_deterrence")
    eqs = solve(m.game(credibility=0.7), "pbe")
    assert doc["concept"] == "pbe" and doc["method"] == eqs.method
    assert doc["parameters"]["credibility"] == 0.7
    assert len(doc["equilibria"]) == len(eqs)
    for d, eq in zip(doc["equilibria"], eqs, strict=True):
        assert d["outcomes"] == pytest.approx(dict(eq.outcomes))
        assert d["payoffs"] == pytest.approx(dict(eq.payoffs))
        assert d["regret"] <= 1e-8 and d["certificate"]["passed"] is True
        assert set(d["profile"]) == {"Attacker", "Defender", "Ally"}


def test_solve_readable(capsys):
    code, out, _ = run(capsys, "solve", TINY, "--concept", "spe", "--set", "r=1.5", "--set", "k=1/2")
    assert code == 0
    assert "1 spe equilibrium" in out and "[0] status_quo" in out
    assert "Ally @ ally: intervene=1" in out and "regret 0" in out


def test_solve_a_gambit_file(capsys, tmp_path):
    g = dt.NormalFormGame([np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])],
                          players=["Row", "Col"], title="Matching pennies")
    path = tmp_path / "pennies.nfg"
    dt.write_game(g, path)
    code, out, _ = run(capsys, "solve", str(path), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["concept"] == "nash" and len(doc["equilibria"]) == 1
    assert doc["equilibria"][0]["profile"]["Row"] == pytest.approx({"1": 0.5, "2": 0.5})
    code, _, err = run(capsys, "solve", str(path), "--set", "x=1")
    assert code == 2 and "--set applies to models" in err


def test_sweep_writes_table_manifest_and_map(capsys, tmp_path):
    out_dir = tmp_path / "sweep"
    code, out, err = run(capsys, "sweep", TINY, "--vary", "r=0.05:1.95:4", "--vary", "k=0.1:1.9:3",
                         "--out", str(out_dir), "--no-progress", "--chunk-size", "5")
    assert code == 0, err
    for name in ("table.csv", "table.parquet", "manifest.json", "regime_map.png"):
        assert (out_dir / name).is_file() and (out_dir / name).stat().st_size > 0
    table = pd.read_parquet(out_dir / "table.parquet")
    assert len(table.drop_duplicates("point")) == 12
    assert np.allclose(sorted(table["r"].unique()), np.linspace(0.05, 1.95, 4))
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert manifest["design"]["kind"] == "grid" and manifest["n_points"] == 12
    assert "12 points" in out and "regimes (selected):" in out and "points/second" in out
    assert "status_quo" in out and "capitulation" in out and "regime_map.png" in out
    # the same command again resumes: nothing to compute
    code, out, _ = run(capsys, "sweep", TINY, "--vary", "r=0.05:1.95:4", "--vary", "k=0.1:1.9:3",
                       "--out", str(out_dir), "--no-progress", "--chunk-size", "5")
    assert code == 0 and "this run: computed 0 points (0 of 3 chunks), reused 12 from earlier runs" in out
    assert "points/second" not in out and "nothing to compute" in out


def test_sweep_samples(capsys, tmp_path):
    code, _, err = run(capsys, "sweep", TINY, "--samples", "8", "--method", "lhs", "--seed", "4",
                         "--vary", "r", "--vary", "k=0.5:1.5", "--out", str(tmp_path / "s"), "--no-progress")
    assert code == 0, err
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["design"]["bounds"] == {"r": [0.0, 2.0], "k": [0.5, 1.5]}
    assert manifest["design"]["seed"] == 4 and manifest["design"]["method"] == "lhs"
    assert (tmp_path / "s" / "regime_map.png").is_file()


@pytest.mark.parametrize(
    ("argv", "culprit"),
    [
        (["show", "no_such_model"], "no_such_model"),
        (["solve", "extended_deterrence", "--set", "foo=1"], "foo"),
        (["solve", "extended_deterrence", "--set", "credibility=1.7"], "credibility"),
        (["solve", "extended_deterrence", "--set", "credibility=abc"], "abc"),
        (["solve", "extended_deterrence", "--set", "credibility"], "NAME=VALUE"),
        (["solve", "extended_deterrence", "--set", "credibility=nan"], "nan"),
        (["solve", "missing_file.efg"], "missing_file.efg"),
        (["sweep", TINY, "--vary", "r=0:1:0", "--out", "OUT"], "at least 1"),
        (["sweep", TINY, "--vary", "r=0:1", "--out", "OUT"], "three fields"),
        (["sweep", TINY, "--vary", "r=0:1:x", "--out", "OUT"], "'x'"),
        (["sweep", TINY, "--vary", "r=1:1:5", "--out", "OUT"], "empty range"),
        (["sweep", TINY, "--vary", "zz=0:1:3", "--out", "OUT"], "zz"),
        (["sweep", TINY, "--vary", "r=0:5:3", "--out", "OUT"], "'r'"),
        (["sweep", TINY, "--vary", "r=0:1:3", "--set", "r=0.5", "--out", "OUT"], "'r'"),
        (["sweep", TINY, "--out", "OUT"], "--vary"),
        (["sweep", TINY, "--samples", "0", "--out", "OUT"], "samples"),
        (["sweep", TINY, "--vary", "c=2:2.9:3", "--out", "OUT"], "c < 2.5"),
        # --seed and --method are options of --samples: with a grid they were silently ignored
        (["sweep", TINY, "--vary", "r=0:1:3", "--seed", "4", "--out", "OUT"], "--seed applies to a sample"),
        (["sweep", TINY, "--vary", "r=0:1:3", "--method", "lhs", "--out", "OUT"], "--method applies to"),
        (["sweep", TINY, "--vary", "r=0:1:3", "--method", "sobol", "--out", "OUT"], "--method applies to"),
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, tmp_path, argv, culprit):
    argv = [str(tmp_path / "out") if a == "OUT" else a for a in argv]
    code, _, err = run(capsys, *argv, "--no-progress") if argv[0] == "sweep" else run(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("deterrence: error: ") and culprit in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["sweep", TINY, "--vary", "r=0:1:3"],  # --out missing
        ["sweep", TINY, "--vary", "r=0:1:3", "--out", "x", "--backend", "spark"],
        ["solve", TINY, "--concept", "core"],
    ],
)
def test_bad_command_lines_are_one_line_and_status_2(capsys, argv):
    code, _, err = run_exit(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deterrence: error: "), err


def test_debug_shows_the_traceback(capsys):
    code, _, err = run(capsys, "--debug", "solve", "extended_deterrence", "--set", "foo=1")
    assert code == 2 and "Traceback (most recent call last)" in err and "ParameterError" in err
    assert err.strip().splitlines()[-1].startswith("deterrence: error: ")
    code, _, err = run(capsys, "solve", "extended_deterrence", "--set", "foo=1", "--debug")
    assert code == 2 and "Traceback" in err


def test_regimes(capsys):
    kernels = pytest.importorskip("deterrence.kernels")
    if not hasattr(kernels, "compile_model"):
        pytest.skip("dt.regimes needs deterrence.kernels.compile_model, not there yet")
    code, out, err = run(capsys, "regimes", TINY, "--concept", "spe")
    assert code == 0, err
    assert "tiny_pledge" in out
    code, out_latex, _ = run(capsys, "regimes", TINY, "--concept", "spe", "--latex")
    assert code == 0 and out_latex != out


def test_python_dash_m_and_exit_status():
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    ok = subprocess.run([sys.executable, "-m", "deterrence", "models"], capture_output=True, text=True,
                        env=env)
    assert ok.returncode == 0 and "extended_deterrence" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "deterrence", "show", "nope"], capture_output=True,
                         text=True, env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and bad.stdout == ""


def test_solve_passes_solver_options(capsys):
    code, out, _ = run(capsys, "solve", "asymmetric_escalation", "--belief-policy", "d1",
                       "--option", "mixed=false", "--option", "seeds=true")
    assert code == 0 and "only pure PBE listed" in out and "seeds:" in out


@pytest.mark.parametrize(
    ("item", "needle"),
    [
        ("mixd=false", "unknown solver option 'mixd'"),
        ("mixed=maybe", "expected true or false"),
        ("max_mixed_sets=-1", "non-negative integer"),
        ("seeds", "expected NAME=VALUE"),
    ],
)
def test_solve_rejects_bad_options(capsys, item, needle):
    code, _, err = run(capsys, "solve", "chain_store", "--option", item)
    assert code == 2 and needle in err


def test_sweep_passes_solver_options(capsys, tmp_path):
    code, out, _ = run(capsys, "sweep", "chain_store", "--vary", "p_tough=0.1:0.9:3", "--belief-policy", "d1",
                       "--option", "max_mixed_sets=1", "--out", str(tmp_path), "--no-progress")
    assert code == 0 and "pointwise 3" in out
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["solve_options"] == {"max_mixed_sets": 1}


def test_terminal_safe_stream_follows_the_stream_it_wraps():
    """Escapes are shown, not obeyed; once the stream underneath is closed the wrapper says so
    (an exit handler asking ``isatty`` then gets False, not a ValueError)."""
    import io

    from deterrence.cli._format import TerminalSafe

    raw = io.StringIO()
    safe = TerminalSafe(raw)
    safe.write("a\x1b[31mred\n")
    assert raw.getvalue() == "a\\x1b[31mred\n"
    assert not safe.closed and not safe.isatty()
    raw.close()
    assert safe.closed and safe.isatty() is False


def _verb_parsers() -> dict[str, Any]:
    from deterrence.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"": parser, **sub.choices}


#: the positional arguments each verb needs, so that only the option is wrong
_POSITIONALS = {"": [], "models": [], "show": ["extended_deterrence"], "solve": ["extended_deterrence"],
                "sweep": ["extended_deterrence", "--out", "x"], "regimes": ["extended_deterrence"],
                "explore": [], "demo": [], "warm": []}


def _abbreviations(parser: argparse.ArgumentParser) -> list[tuple[str, list[str]]]:
    """Each long option of ``parser`` less its last letter, where that is no prefix of another
    option (so only an abbreviation could read it), with a value the option accepts."""
    options = {o: a for a in parser._actions for o in a.option_strings if o.startswith("--")}
    out = []
    for option, action in options.items():
        short = option[:-1]
        if short == "--" or any(o != option and o.startswith(short) for o in options):
            continue  # refused as ambiguous with or without abbreviations
        takes_value = action.nargs != 0 and not isinstance(action, argparse._VersionAction)
        value = [str(next(iter(action.choices))) if action.choices else "1"] if takes_value else []
        out.append((short, value))
    return out


def test_every_verb_refuses_abbreviated_options(capsys):
    """A misspelt option is bad input: ``--sampl`` is not ``--samples`` (nor ``--belief`` the
    belief policy, ``--js`` JSON), on the program and on every verb: status 2, naming it. Only
    the command line is parsed (nothing runs, so nothing can hang when an abbreviation is read)."""
    parsers = _verb_parsers()
    assert set(parsers) == set(_POSITIONALS), "a verb was added: give it its positionals here"
    tried = 0
    for verb, parser in parsers.items():
        for short, value in _abbreviations(parser):
            argv = [short, *value, "models"] if verb == "" else [verb, *_POSITIONALS[verb], short, *value]
            with pytest.raises(SystemExit) as info:
                _verb_parsers()[""].parse_args(argv)
            err = capsys.readouterr().err
            assert info.value.code == 2 and "unrecognized arguments" in err and short in err, (argv, err)
            tried += 1
    assert tried > 40  # every verb's options were tried


@pytest.mark.parametrize("argv", [
    ["sweep", "extended_deterrence", "--vary", "credibility=0:1:3", "--sampl", "5", "--out", "x"],
    ["solve", "extended_deterrence", "--belief", "prior", "--concept", "nash"],
    ["regimes", "extended_deterrence", "--thresh", "credibility", "--grid", "1"],
    ["explore", "--no-brows", "--port", "70000"],
])
def test_abbreviation_examples_are_refused(capsys, argv):
    """Each would run (and fail later, or answer without the option) if the abbreviation were read."""
    code, _, err = run_exit(capsys, *argv)
    assert code == 2 and "unrecognized arguments" in err


@pytest.mark.parametrize(
    "extra", [["--grid", "5"], ["--tol", "0.01", "--lo", "0.1"], ["--max-mixed-sets", "1"]]
)
def test_regimes_refuses_numeric_options_a_closed_form_ignores(capsys, extra):
    """``brinkmanship`` has closed-form regimes: the numeric boundaries' options would change
    nothing, so they are bad input (status 2, each named), not silently ignored."""
    code, out, err = run(capsys, "regimes", "brinkmanship", *extra)
    assert code == 2 and out == ""
    named = [flag for flag in extra if flag.startswith("--")]
    assert all(flag in err for flag in named) and "closed form" in err, err
    assert run(capsys, "regimes", "brinkmanship")[0] == 0


@pytest.mark.parametrize("argv", [
    ["sweep", "extended_deterrence", "--vary", "credibilty=0:1:3", "--out", "never-written"],
    ["sweep", "extended_deterrence", "--samples", "4", "--vary", "credibilty", "--out", "never-written"],
    ["sweep", "extended_deterrence", "--vary", "credibility=0:1:3", "--set", "credibilty=1",
     "--out", "never-written"],
    ["sweep", "extended_deterrence", "--vary", "credibility=0:1:3", "--x", "credibilty",
     "--out", "never-written"],
    ["regimes", "extended_deterrence", "--threshold", "credibilty"],
    ["explore", "--x", "credibilty", "--no-browser", "--port", "0"],
])
def test_a_misspelt_parameter_is_named_with_the_close_match(capsys, argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == 2 and "'credibilty'" in err and "did you mean 'credibility'?" in err, err
    assert not (tmp_path / "never-written").exists()


def test_close_match_hint():
    from deterrence.errors import close_match_hint

    assert close_match_hint("stake", ["credibility", "stakes"]) == " (did you mean 'stakes'?)"
    assert close_match_hint("zzz", ["credibility", "stakes"]) == ""
