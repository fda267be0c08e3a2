"""What starting the library and the command line costs in imports (behaviour, not timing).

``import deterrence`` loads its subpackages on first use, so importing it brings in none of the
heavy numeric packages; the command line's sweep brings in only what it uses. Checked in a fresh
interpreter, by the modules it holds afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sympy", "scipy", "matplotlib", "pandas", "numba", "dask", "statsmodels", "pygambit")


def _modules_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter holds after running ``code``."""
    probe = code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_deterrence_imports_no_heavy_package() -> None:
    held = _modules_after("import deterrence as dt\nassert dt.__version__\nassert 'sweep' in dt.__all__")
    assert not {m for m in held if m.split(".")[0] in HEAVY}


def test_the_command_line_parser_imports_no_heavy_package() -> None:
    held = _modules_after("from deterrence.cli import build_parser\nbuild_parser()")
    assert not {m for m in held if m.split(".")[0] in HEAVY}


def test_a_compiled_sweep_imports_no_scipy_module_it_does_not_use(tmp_path: Path) -> None:
    """The README's job, small: no scipy.special or scipy.sparse (the solvers and the compiled
    rows import them only where used; scipy.linalg is imported by numba's start-up itself),
    no pyplot (the map is drawn on a bare figure, here in the main process)."""
    held = _modules_after(
        "import os\nos.environ['DETERRENCE_PICTURE_HELPER'] = '0'\n"
        "from deterrence.cli import main\n"
        "main(['sweep', 'extended_deterrence', '--vary', 'credibility=0:1:5', '--vary', "
        f"'cost_attacker=0:2:5', '--out', {str(tmp_path / 'out')!r}, '--no-progress'])"
    )
    assert (tmp_path / "out" / "regime_map.png").is_file()
    for name in ("scipy.special", "scipy.sparse", "matplotlib.pyplot"):
        assert name not in held, name


def test_with_a_helper_drawing_the_sweep_imports_no_matplotlib(tmp_path: Path) -> None:
    """When the pictures are drawn by the helper process (a core to spare), the main process
    never imports matplotlib; the map is drawn all the same."""
    held = _modules_after(
        "import os\nos.environ['DETERRENCE_PICTURE_HELPER'] = '1'\n"
        "from deterrence.cli import main\n"
        "main(['sweep', 'extended_deterrence', '--vary', 'credibility=0:1:5', '--vary', "
        f"'cost_attacker=0:2:5', '--out', {str(tmp_path / 'out')!r}, '--no-progress'])"
    )
    assert (tmp_path / "out" / "regime_map.png").is_file()
    assert not {m for m in held if m.split(".")[0] == "matplotlib"}
