"""The teaching demos shipped in the package: each runs (quick), draws a real figure and says what it
found; ``deterrence demo`` lists and runs them; no demo picks a matplotlib backend."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

import deterrence as dt
from deterrence.cli import main

DEMOS = Path(dt.__file__).parent / "demos"


@pytest.mark.parametrize("name", dt.demos.names())
def test_demo_writes_its_figure(name: str, tmp_path: Path) -> None:
    result = dt.demos.run(name, tmp_path, quick=True)
    pngs = sorted(tmp_path.glob("*.png"))
    assert pngs and set(pngs) <= set(result.written)
    assert result.lines, f"{name} says nothing about what it found"
    import matplotlib.image

    for png in pngs:
        img = matplotlib.image.imread(png)
        assert img.shape[0] > 200 and img.shape[1] > 300, png.name
        assert float(img[..., :3].std()) > 0.05, f"{png.name} is blank"
    demo = dt.demos.get(name)
    assert demo.title and demo.shows
    generated = demo.tutorial.startswith("reference/models/")  # written by the docs build
    assert generated or (Path(__file__).parent.parent / "docs" / demo.tutorial).is_file(), demo.tutorial


def test_no_demo_forces_a_backend() -> None:
    """Figures come from ``_common``'s two factories; only ``screen_figure`` touches pyplot."""
    for source in DEMOS.glob("*.py"):
        text = source.read_text()
        assert "matplotlib.use(" not in text, source.name
        assert source.name == "_common.py" or "import matplotlib.pyplot" not in text, source.name


def test_show_draws_pyplot_figures() -> None:
    import matplotlib.pyplot as plt

    with contextlib.redirect_stdout(io.StringIO()) as out:
        result = dt.demos.show("entrapment_window", quick=True)
    try:
        assert all(plt.fignum_exists(fig.number) for fig in result.figures.values())
        assert "deters and restrains" in out.getvalue()
    finally:
        plt.close("all")


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(list(args))
    return status, out.getvalue()


def test_cli_lists_and_runs_demos(tmp_path: Path) -> None:
    status, text = _cli("demo")
    assert status == 0 and all(name in text for name in dt.demos.names())
    status, text = _cli("demo", "entrapment_window", "--quick", "--out", str(tmp_path))
    assert status == 0
    assert dt.demos.get("entrapment_window").shows[:40] in text
    assert f"Figure: {tmp_path / 'entrapment_window.png'}" in text
    assert (tmp_path / "entrapment_window.png").is_file()


def test_cli_unknown_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "no_such_demo"]) == 2
    err = capsys.readouterr().err
    assert "no demo named 'no_such_demo'" in err and "entrapment_window" in err


def test_burden_sharing_pledge_line_is_what_the_table_says() -> None:
    import pandas as pd

    from deterrence.demos.burden_sharing import _pledge_line

    sanctions = [0.1 * k for k in range(4)]  # 0.1 * 3 = 0.30000000000000004
    d = pd.DataFrame({"sanction": sanctions, "total": [1.3, 1.3, 1.6, 2.0], "members_meeting": [1, 1, 2, 3],
                      "deterred": [False, False, False, True], "n_pledge_equilibria": [1, 1, 2, 1]})
    line = _pledge_line("quasilinear", d, members=8)
    # it printed "deterrence holds from sanction 0.30000000000000004" and "all 3 meet" of 8 members
    assert "deterrence holds from sanction 0.300;" in line
    assert "at most 3 of 8 meet from sanction 0.300" in line and "all 3" not in line
    assert "more than one pledge equilibrium: [0.2]" in line
    assert "all 3 meet" in _pledge_line("log", d, members=3)
