"""A misspelt name anywhere a user types one is answered with the close match.

The sites below listed the valid names but did not point at the one meant; the sweep, the
command line's sweep and regimes options and the explorer have their own tests
(``tests/test_bad_inputs.py``, ``tests/test_cli.py``, ``tests/test_explorer.py``).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from helpers.waiting import HANG_GUARD

import deterrence as dt
from deterrence.plot import regime_map
from deterrence.studies.burden import DeterrenceLink

HINT = "did you mean"


def _small_sweep() -> dt.SweepResult:
    return dt.sweep("extended_deterrence", {"credibility": [0.2, 0.8], "stakes": [1.0, 2.0]},
                    concept="spe", progress=False)


CASES: dict[str, tuple[Callable[[], object], type[Exception], str]] = {
    "load_model": (lambda: dt.load_model("extended_deterence"), dt.ModelError, "'extended_deterrence'"),
    "model.game": (lambda: dt.load_model("extended_deterrence").game(credibilty=0.3), dt.ParameterError,
                   "'credibility'"),
    "regime_map x": (lambda: regime_map(_small_sweep(), "credibilty", "stakes"), dt.SweepError,
                     "'credibility'"),
    "regime_map at": (lambda: regime_map(_small_sweep(), "credibility", "stakes", at={"stake": 1.0}),
                      dt.SweepError, "'stakes'"),
    "burden link": (lambda: DeterrenceLink(parameter="p_alied").load(), dt.ParameterError, "'p_allied'"),
    "burden fixed": (lambda: DeterrenceLink().values([0.5], credibilty=0.5), dt.ParameterError,
                     "'credibility'"),
    "demo": (lambda: dt.demos.get("pledge_efect"), dt.UnsupportedError, "'pledge_effect'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_misspelt_name_is_answered_with_the_close_match(case: str) -> None:
    call, error, meant = CASES[case]
    with pytest.raises(error) as info:
        call()
    assert f"{HINT} {meant}?" in str(info.value)


def test_a_name_close_to_none_gets_no_hint() -> None:
    with pytest.raises(dt.ModelError) as info:
        dt.load_model("zzzz")
    assert HINT not in str(info.value)


def test_the_command_line_passes_the_hint_on() -> None:
    out = subprocess.run([sys.executable, "-m", "deterrence", "show", "extended_deterence"],
                         capture_output=True, text=True, timeout=HANG_GUARD)  # hang guard only
    assert out.returncode == 2 and "did you mean 'extended_deterrence'?" in out.stderr


def test_a_model_files_misspelt_pin_is_answered_with_the_close_match() -> None:
    from test_model import MINI  # the suite's smallest model file

    from deterrence.catalogue import loads_model

    with pytest.raises(dt.ModelError) as info:
        loads_model(MINI + '\n[baseline]\nparameters = { qq = "0.5" }\n', "mini.toml")
    assert f"{HINT} 'q'?" in str(info.value) and "mini.toml" in str(info.value)
