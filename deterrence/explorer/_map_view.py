"""The regime map's Bokeh figure, shared by the live page and the static page.

Cells are rectangles coloured by a ``colour`` column (a regime's colour, or an indicator on a
ramp), so the two pages recolour a map by replacing columns; a ring marks the current point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

TITLE = "Regime map (click to move there)"


def map_figure(
    x: str,
    y: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    cells: Mapping[str, Sequence[Any]],
    marker: tuple[float, float],
    tooltips: Sequence[tuple[str, str]],
    width: int = 520,
) -> tuple[Any, Any, Any]:
    """The map figure, its cell source and its marker source (``x``, ``y`` columns of one point)."""
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    fig = figure(
        width=width,
        height=440,
        x_range=x_range,
        y_range=y_range,
        name="map",
        tools="tap,reset",
        title=TITLE,
        x_axis_label=x,
        y_axis_label=y,
    )
    source = ColumnDataSource(dict(cells), name="map_cells")
    rects = fig.rect("x", "y", "w", "h", source=source, fill_color="colour", line_color=None)
    ring = ColumnDataSource({"x": [marker[0]], "y": [marker[1]]}, name="marker")
    fig.scatter(
        "x", "y", source=ring, size=18, fill_color="white", fill_alpha=0.6, line_color="black", line_width=2.5
    )
    fig.scatter("x", "y", source=ring, size=5, fill_color="black", line_color="black")
    fig.add_tools(HoverTool(renderers=[rects], tooltips=list(tooltips)))
    return fig, source, ring
