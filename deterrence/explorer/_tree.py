"""The game tree as a Bokeh figure, with the equilibrium path highlighted.

:func:`layout` places a game's nodes once (leaves in order along x, depth down y);
:func:`edge_columns` turns one equilibrium (the probability of every move and of reaching
every node) into the columns the figure draws: the path actually played is thick and red, a
move chosen at an unreached node is dark, the rest pale; every edge is labelled with its action
and probability. The static export repeats :func:`edge_columns` in JavaScript (see
:data:`EDGE_JS`), so the two pages draw the same thing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: colours of the edges: played, chosen off the path, not chosen
ON_PATH, CHOSEN, UNCHOSEN = "#c0392b", "#555555", "#cfcfcf"
#: player colours (colour-blind friendly, Paul Tol's bright scheme); Nature is white
PLAYER_COLOURS = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")


@dataclass(frozen=True)
class TreeLayout:
    """Positions and static texts of a game's nodes and edges (edge ``k`` enters node ``child[k]``)."""

    x: np.ndarray
    y: np.ndarray
    parent: np.ndarray
    child: np.ndarray
    action: tuple[str, ...]
    chance: np.ndarray
    node_kind: tuple[str, ...]
    node_colour: tuple[str, ...]
    node_text: tuple[str, ...]
    node_hover: tuple[str, ...]
    infoset_xs: tuple[tuple[float, ...], ...]
    infoset_ys: tuple[tuple[float, ...], ...]
    leaves: int
    depth: int


#: how many tree layouts :func:`layout_at` keeps (one per model and starting values a server shows)
LAYOUTS_KEPT = 32
_LAYOUTS: OrderedDict[tuple, TreeLayout | None] = OrderedDict()
_LAYOUTS_LOCK = threading.Lock()


def layout_at(model: Any, values: Mapping[str, float]) -> TreeLayout | None:
    """The layout of ``model``'s game at ``values``, or ``None`` for a game without a tree (a model
    family's aggregated game); made once per model and values in a process (every page of a model
    opens at the same values: a class's pages share one layout, which nobody changes).

    Raises what ``model.game`` raises (values at which the game does not build); that is not kept.
    """
    key = (model.name, model.sha256, tuple(sorted((k, float(v)) for k, v in values.items())))
    with _LAYOUTS_LOCK:
        if key in _LAYOUTS:
            _LAYOUTS.move_to_end(key)
            return _LAYOUTS[key]
    game = model.game(dict(values), check_orderings=False)
    made = layout(game) if getattr(game, "kind", "") == "extensive" else None
    if made is not None:  # shared by every page: read-only, so that no page can change another's
        for array in (made.x, made.y, made.parent, made.child, made.chance):
            array.flags.writeable = False
    with _LAYOUTS_LOCK:
        _LAYOUTS[key] = made
        while len(_LAYOUTS) > LAYOUTS_KEPT:
            _LAYOUTS.popitem(last=False)
    return made


def layout(game: Any) -> TreeLayout:
    """Place every node of an extensive-form game."""
    nodes = game.nodes
    x = np.zeros(len(nodes))
    y = np.zeros(len(nodes))
    leaves = 0
    for node in nodes:  # depth (preorder: a parent comes before its children)
        y[node.index] = 0.0 if node.parent < 0 else y[node.parent] - 1.0
    for node in nodes:  # preorder: leaves in order
        if not node.children:
            x[node.index] = leaves
            leaves += 1
    for node in reversed(nodes):
        if node.children:
            x[node.index] = (x[node.children[0]] + x[node.children[-1]]) / 2
    edges = [n for n in nodes if n.parent >= 0]
    child = np.array([n.index for n in edges], dtype=int)
    parent = np.array([n.parent for n in edges], dtype=int)
    action = tuple(_action_name(game, n) for n in edges)
    chance = np.array([nodes[n.parent].kind == "chance" for n in edges], dtype=bool)
    kinds = tuple(n.kind for n in nodes)
    colours = tuple(_node_colour(n) for n in nodes)
    texts = tuple(_node_text(game, n) for n in nodes)
    hovers = tuple(_node_hover(game, n) for n in nodes)
    sets = [h for h in game.infosets if len(h.nodes) > 1]
    ixs = tuple(tuple(float(x[v]) for v in sorted(h.nodes, key=lambda v: x[v])) for h in sets)
    iys = tuple(tuple(float(y[v]) for v in sorted(h.nodes, key=lambda v: x[v])) for h in sets)
    return TreeLayout(
        x,
        y,
        parent,
        child,
        action,
        chance,
        kinds,
        colours,
        texts,
        hovers,
        ixs,
        iys,
        leaves,
        int(-y.min()) if len(y) else 0,
    )


def _action_name(game: Any, node: Any) -> str:
    par = game.nodes[node.parent]
    if par.kind == "chance":
        return game.chance_infos[par.infoset].actions[node.action]
    return game.infosets[par.infoset].actions[node.action]


def _node_colour(node: Any) -> str:
    if node.kind == "chance":
        return "#ffffff"
    if node.kind == "terminal":
        return "#222222"
    return PLAYER_COLOURS[node.player % len(PLAYER_COLOURS)]


def _node_text(game: Any, node: Any) -> str:
    if node.kind == "decision":
        return game.players[node.player]
    if node.kind == "chance":
        return "Nature"
    return "+".join(game.terminal_outcomes[game.terminal_index(node.index)]) or (node.label or "")


def _node_hover(game: Any, node: Any) -> str:
    where = node.path
    if node.kind == "terminal":
        pay = game.payoffs[game.terminal_index(node.index)]
        shown = ", ".join(f"{p} {float(v):.3g}" for p, v in zip(game.players, pay, strict=True))
        return f"{where}: {_node_text(game, node)}; payoffs {shown}"
    if node.kind == "decision":
        infoset = game.infosets[node.infoset].name
        return f"{where}: {game.players[node.player]} chooses (information set {infoset})"
    return f"{where}: chance"


def edge_columns(tree: TreeLayout, edge: np.ndarray, reach: np.ndarray) -> dict[str, list]:
    """The dynamic columns of the edge source for one equilibrium (see the module docstring)."""
    prob = np.asarray(edge, dtype=float)[tree.child] if len(edge) else np.zeros(len(tree.child))
    played = (
        np.asarray(reach, dtype=float)[tree.child] > 1e-9 if len(reach) else np.zeros(len(tree.child), bool)
    )
    colour = np.where(played, ON_PATH, np.where(prob > 1e-9, CHOSEN, UNCHOSEN))
    width = np.where(played, 4.5, np.where(prob > 1e-9, 2.0, 1.0))
    text = [f"{a}\n{p:.2f}" for a, p in zip(tree.action, prob, strict=True)]
    return {"colour": colour.tolist(), "width": width.tolist(), "text": text, "prob": prob.tolist()}


#: the same as :func:`edge_columns` in JavaScript, for the static page (``prob``, ``reach`` arrays
#: over the edges, ``action`` names); returns the new columns
EDGE_JS = f"""
function edgeColumns(action, prob, reach) {{
  const colour = [], width = [], text = [];
  for (let k = 0; k < action.length; k++) {{
    const played = reach[k] > 1e-9, chosen = prob[k] > 1e-9;
    colour.push(played ? "{ON_PATH}" : (chosen ? "{CHOSEN}" : "{UNCHOSEN}"));
    width.push(played ? 4.5 : (chosen ? 2.0 : 1.0));
    text.push(action[k] + "\\n" + prob[k].toFixed(2));
  }}
  return {{colour, width, text, prob: Array.from(prob)}};
}}
"""


def _sources(tree: TreeLayout) -> tuple[Any, Any]:
    """The edge and node data sources (edges drawn as if no equilibrium were known yet)."""
    from bokeh.models import ColumnDataSource

    first = edge_columns(tree, np.ones(len(tree.x)), np.zeros(len(tree.x)))
    edges = ColumnDataSource(
        {
            "x0": tree.x[tree.parent].tolist(),
            "y0": tree.y[tree.parent].tolist(),
            "x1": tree.x[tree.child].tolist(),
            "y1": tree.y[tree.child].tolist(),
            "xm": ((tree.x[tree.parent] + tree.x[tree.child]) / 2).tolist(),
            "ym": ((tree.y[tree.parent] + tree.y[tree.child]) / 2).tolist(),
            "action": list(tree.action),
            **first,
        },
        name="tree_edges",
    )
    nodes = ColumnDataSource(
        {
            "x": tree.x.tolist(),
            "y": tree.y.tolist(),
            "colour": list(tree.node_colour),
            "text": list(tree.node_text),
            "hover": list(tree.node_hover),
            "dy": [12 if k == "terminal" else -12 for k in tree.node_kind],
        }
    )
    return edges, nodes


def figure(tree: TreeLayout, title: str = "") -> tuple[Any, Any]:
    """A Bokeh figure of the tree and its edge data source (update its columns to redraw).

    Built with as few Bokeh models as draw it (every page builds one, on the server's shared
    event loop): no axes or grid (none is shown), the information sets' dashed lines as one
    glyph, and each glyph without the selected/muted variants Bokeh's plotting functions add
    (nothing in the tree is ever selected or muted: its tools only pan, zoom and hover).
    """
    from bokeh.models import ColumnDataSource, HoverTool, MultiLine, Scatter, Segment, Text
    from bokeh.plotting import figure as bk_figure

    edges, nodes = _sources(tree)
    width = int(min(1400, max(520, 70 * tree.leaves)))
    fig = bk_figure(
        title=title,
        height=int(150 + 95 * tree.depth),
        width=width,
        tools="pan,wheel_zoom,reset",
        x_range=(-0.8, max(tree.leaves - 1, 1) + 0.8),
        y_range=(-tree.depth - 0.8, 0.5),
        x_axis_type=None,
        y_axis_type=None,
        toolbar_location="right",
        name="tree",
        sizing_mode="stretch_width",
    )
    fig.outline_line_color = None
    if tree.infoset_xs:
        sets = ColumnDataSource(
            {"xs": [list(xs) for xs in tree.infoset_xs], "ys": [list(ys) for ys in tree.infoset_ys]}
        )
        fig.add_glyph(sets, MultiLine(xs="xs", ys="ys", line_dash=[6], line_color="#999999", line_width=1.2))
    fig.add_glyph(edges, Segment(x0="x0", y0="y0", x1="x1", y1="y1", line_color="colour", line_width="width"))
    fig.add_glyph(
        edges,
        Text(
            x="xm",
            y="ym",
            text="text",
            text_font_size="8.5pt",
            text_color="black",
            text_align="center",
            text_baseline="middle",
            background_fill_color="white",
            background_fill_alpha=0.85,
        ),
    )
    dots = fig.add_glyph(nodes, Scatter(x="x", y="y", size=16, fill_color="colour", line_color="black"))
    fig.add_glyph(
        nodes,
        Text(
            x="x",
            y="y",
            text="text",
            y_offset="dy",
            text_font_size="8pt",
            text_color="black",
            text_align="center",
            text_baseline="alphabetic",
        ),
    )
    fig.add_tools(HoverTool(renderers=[dots], tooltips=[("", "@hover")]))
    return fig, edges
