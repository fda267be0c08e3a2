"""The teaching demos: short computations that each draw a slide-ready figure.

Each demo is a module here with ``TITLE``, ``SHOWS`` (what the figure shows, in a sentence or
two), ``TUTORIAL`` (the docs page it goes with) and ``make(quick, new_figure)``. Run one:

* from the command line: ``deterrence demo`` lists them, ``deterrence demo NAME --out DIR``
  runs one and says what it shows and where it wrote its figure;
* in Python: :func:`run` writes the figures (PNG) and tables (CSV) into a folder;
* in a notebook: :func:`show` draws the figures inline (no backend is forced; the
  notebooks in ``docs/notebooks/`` do this).

``quick=True`` runs at a small size (seconds; used by the tests and the docs' quick build).

Examples
--------
>>> import deterrence as dt
>>> "entrapment_window" in dt.demos.names()
True
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ._common import DemoOutput, file_figure, screen_figure

#: the demos, in the order ``deterrence demo`` lists them
NAMES = (
    "extended_deterrence_regime_map",
    "pledge_effect",
    "entrapment_window",
    "qre_branch",
    "udg_phase_diagram",
    "burden_sharing",
    "commitment_types",
    "article_five",
)


@dataclass(frozen=True)
class Demo:
    """One demo: its name, title, what it shows and its tutorial page."""

    name: str
    title: str
    shows: str
    tutorial: str
    module: ModuleType


def names() -> list[str]:
    """The names of the shipped demos."""
    return list(NAMES)


def get(name: str) -> Demo:
    """The demo called ``name``.

    Raises
    ------
    UnsupportedError
        No demo has this name (the message lists them).
    """
    if name not in NAMES:
        from ..errors import UnsupportedError, close_match_hint

        raise UnsupportedError(f"no demo named '{name}'{close_match_hint(name, NAMES)}; "
                               f"demos: {', '.join(NAMES)}")
    module = importlib.import_module(f".{name}", __name__)
    return Demo(name, module.TITLE, " ".join(module.SHOWS.split()), module.TUTORIAL, module)


def run(name: str, out: str | Path = ".", quick: bool = False) -> DemoOutput:
    """Run a demo and write its figures (``NAME.png``), tables (``NAME.csv``) and texts into ``out``."""
    demo = get(name)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    result = demo.module.make(quick, file_figure)
    for stem, fig in result.figures.items():
        path = folder / f"{stem}.png"
        fig.savefig(path, dpi=120)
        result.written.append(path)
    for stem, table in result.tables.items():
        path = folder / f"{stem}.csv"
        table.to_csv(path, index=False)
        result.written.append(path)
    for file, text in result.texts.items():
        path = folder / file
        path.write_text(text)
        result.written.append(path)
    return result


def show(name: str, quick: bool = False) -> DemoOutput:
    """Run a demo with pyplot figures (shown inline in a notebook) and print what it found."""
    result = get(name).module.make(quick, screen_figure)
    for line in result.lines:
        print(line)
    return result


__all__ = ["NAMES", "Demo", "DemoOutput", "get", "names", "run", "show"]
