"""The teaching notebooks in docs/notebooks/ run from top to bottom, with their figures inline.

Each notebook is executed in a fresh kernel (nbclient + ipykernel) with the quick flag, and
without ``MPLBACKEND`` set, so matplotlib uses the kernel's inline backend as in a classroom:
the demo's figure must come back as an ``image/png`` output (a forced non-interactive backend
would leave no picture), and no cell may raise.
"""

from __future__ import annotations

import os
from pathlib import Path

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


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebook_runs_with_inline_figures(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.setenv("DETERRENCE_DOCS_QUICK", "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name}: no inline figure"
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert printed.strip(), f"{path.name}: the demo printed nothing"
