"""The teaching notebooks in docs/notebooks/ run from top to bottom, with their figures inline.

The notebooks are executed (nbclient + ipykernel) with the quick flag, and without
``MPLBACKEND`` set, so matplotlib uses the kernel's inline backend as in a classroom: the demo's
figure must come back as an ``image/png`` output (a forced non-interactive backend would leave
no picture), and no cell may raise. One kernel serves the notebooks of a test process (each
notebook imports what it uses; starting a kernel costs more than running a quick notebook).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

import deterrence as dt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "docs" / "notebooks"


def test_every_demo_has_a_notebook() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(dt.demos.names())
    index = (NOTEBOOKS / "index.md").read_text()
    assert all(f"({name}.ipynb)" in index for name in dt.demos.names())


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A python3 kernel started in a scratch folder, without MPLBACKEND, with the quick flag."""
    from jupyter_client.manager import KernelManager

    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["DETERRENCE_DOCS_QUICK"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env, cwd=str(tmp_path_factory.mktemp("notebooks")))
    try:
        yield km
    finally:
        km.shutdown_kernel(now=True)


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebook_runs_with_inline_figures(path: Path, kernel: Any) -> None:
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, km=kernel, timeout=None, kernel_name="python3")  # no deadline
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name}: no inline figure"
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert printed.strip(), f"{path.name}: the demo printed nothing"
