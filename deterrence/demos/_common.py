"""What every demo returns, and the two ways its figures are made.

A demo's ``make(quick, new_figure)`` computes and draws; it never picks a matplotlib backend.
:func:`file_figure` makes a bare :class:`matplotlib.figure.Figure` (drawn to a file by Agg
without touching pyplot or any display); :func:`screen_figure` makes a pyplot figure, so a
notebook shows it inline and a desktop session in a window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FigureFactory = Callable[..., Any]


def file_figure(**kwargs: Any) -> Any:
    """A figure for a file: no pyplot, no backend choice."""
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def screen_figure(**kwargs: Any) -> Any:
    """A pyplot figure: shown inline in Jupyter (its inline backend), or by the session's backend."""
    import matplotlib.pyplot as plt

    return plt.figure(**kwargs)


@dataclass
class DemoOutput:
    """A demo's results.

    Attributes
    ----------
    figures
        file name (without ``.png``) -> figure.
    tables
        file name (without ``.csv``) -> :class:`pandas.DataFrame`.
    texts
        file name (with its extension) -> text (a JSON summary, ...).
    lines
        What the demo found, in sentences (printed by ``deterrence demo``).
    written
        The files :func:`deterrence.demos.run` wrote.
    """

    figures: dict[str, Any] = field(default_factory=dict)
    tables: Mapping[str, Any] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    def __repr__(self) -> str:
        figs = ", ".join(self.figures) or "none"
        return (
            f"<DemoOutput figures: {figs}; {len(self.tables)} table(s); {len(self.written)} file(s) written>"
        )
