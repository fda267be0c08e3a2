"""Generate the model catalogue reference pages from ``models/*.toml``.

For every model in :func:`deterrence.list_models` this writes

* ``docs/reference/models/<name>.md``: title, status, description, players, solution concepts,
  the parameters table, derived quantities, orderings, the terminal nodes with their outcome
  labels and payoffs, the entrapment definition, the no-pledge baseline, references and
  claims, and the model file itself;
* ``docs/reference/models/<name>.png``: the game tree drawn with matplotlib;

and ``docs/reference/models/index.md``, the catalogue's table of contents. These files are
build outputs (listed in ``.gitignore``); ``docs/hooks.py`` calls :func:`generate` at the
start of every ``mkdocs build``. Run it by hand with ``python docs/gen_models.py``.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "reference" / "models"

STATUS_TEXT = {
    "published": "the specification follows the published source",
    "reconstruction": "a reconstruction of a published model, not yet verified against the original figure",
    "stylised": "a stylised model built for this library from the mechanisms of the cited literature",
    "teaching": "a teaching model",
    "": "not stated",
}

#: a model file's pointer to its derivation, made a link on the generated page
DERIVATION = re.compile(r"docs/discussion/derivations\.md#(?P<anchor>[a-z0-9-]+)")

PROVENANCE = {"S": "seen in the source", "L": "recalled from the literature", "D": "derived for this library",
              "N": "checked numerically"}

#: a code span in free text (kept: the split puts it at the odd positions)
CODE_SPAN = re.compile(r"(`+[^`]*`+)")

#: a run of provenance tags in free text, ``[D]`` or ``[D][N]``
TAGS = re.compile(r"(?:\\\[[SLDN]\\\])+")

#: where the tags are explained, from a model page
LEGEND = "../../discussion/derivations.md#provenance-and-status"


def _prose(text: Any) -> str:
    """Free text from a model file as one Markdown paragraph: whitespace collapsed, and the
    characters Markdown would read as links or emphasis (``a * b``, brackets) escaped; pointers to
    ``docs/discussion/derivations.md#...`` become links, and provenance tags (``[D]``, ``[D][N]``)
    links to their legend that say what they mean."""
    parts = CODE_SPAN.split(" ".join(str(text).split()))
    for k in range(0, len(parts), 2):  # the text between code spans (a code span shows its text as is)
        for ch in ("\\", "[", "]", "*"):
            parts[k] = parts[k].replace(ch, "\\" + ch)
        parts[k] = DERIVATION.sub(_derivation_link, TAGS.sub(_tag_link, parts[k]))
    return "".join(parts)


def _tag_link(match: re.Match[str]) -> str:
    """``[D][N]`` as one link to the tags' legend, titled with what the tags mean."""
    codes = re.findall(r"[SLDN]", match.group(0))
    meaning = "; ".join(PROVENANCE[c] for c in codes)
    shown = "".join(f"\\[{c}\\]" for c in codes)
    return f'[{shown}]({LEGEND} "{meaning}")'


def _derivation_link(match: re.Match[str]) -> str:
    """``docs/discussion/derivations.md#SECTION`` as a link from a model page (the build checks it)."""
    anchor = match.group("anchor")
    return f"[derivations.md#{anchor}](../../discussion/derivations.md#{anchor})"


def _cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return _prose(text).replace("|", "\\|")


def _code(text: Any) -> str:
    """Text as a code span in a table cell: shown as it is (no Markdown escapes: a backslash in a
    code span is a backslash, and Python-Markdown's tables leave the ``|`` in a code span alone)."""
    shown = " ".join(str(text).split())
    if not shown:
        return ""
    fence = "``" if "`" in shown else "`"
    return f"{fence} {shown} {fence}" if fence == "``" else f"`{shown}`"


def _domain(p: Any) -> str:
    text = getattr(p, "domain_text", None)
    return str(text() if callable(text) else text) if text is not None else str(p.domain)


def _number(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


# ---------------------------------------------------------------------------- the tree picture
def _layout(model: Any) -> tuple[dict[str, tuple[float, float]], int, int]:
    """x (leaf order) and y (minus depth) of every node; number of leaves and depth."""
    pos: dict[str, tuple[float, float]] = {}
    leaves = 0
    depth = 0

    def place(node_id: str, d: int) -> float:
        nonlocal leaves, depth
        depth = max(depth, d)
        node = model.node(node_id)
        if node.kind == "terminal" or not node.actions:
            x = float(leaves)
            leaves += 1
        else:
            xs = [place(child, d + 1) for child in node.actions.values()]
            x = (xs[0] + xs[-1]) / 2
        pos[node_id] = (x, -float(d))
        return x

    place(model.root, 0)
    return pos, leaves, depth


def _leaf_payoffs(model: Any) -> dict[str, str]:
    """Terminal node id -> its payoffs at the model's defaults, as ``(a, b, c)`` in player order."""
    game = model.game()
    out = {}
    for t in game.terminals:
        values = game.payoffs[game.terminal_index(t)]
        out[game.nodes[t].label] = "(" + ", ".join(f"{float(v):.3g}" for v in values) + ")"
    return out


def draw_tree(model: Any, path: str | Path) -> Path:
    """Draw a model's game tree to a PNG file.

    Chance nodes are white circles marked N, decision nodes are circles coloured by player (named
    to their left),
    terminal nodes are squares with their outcome labels and their payoffs at the model's
    defaults (in player order); edges carry the action names (and the probability expression at
    chance nodes); the nodes of one information set are joined by a dashed line of one colour,
    named in the legend (so no name lies across the tree).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    from deterrence.catalogue import expression_text

    pos, leaves, depth = _layout(model)
    rotate = leaves > 14
    width = min(40.0, max(8.0, 1.15 * leaves + 2))
    height = max(4.0, 1.3 * depth + (3.4 if rotate else 2.4))
    fig, ax = plt.subplots(figsize=(width, height))
    colours = plt.get_cmap("tab10").colors
    player_colour = {p: colours[k % 10] for k, p in enumerate(model.players)}
    small = 7 if leaves > 16 else 8

    for node in model.nodes:
        x0, y0 = pos[node.id]
        for action, child in node.actions.items():
            x1, y1 = pos[child]
            ax.plot([x0, x1], [y0, y1], color="0.35", lw=1.0, zorder=1)
            label = action
            if node.kind == "chance" and action in node.probs:
                label += f"\n[{expression_text(node.probs[action])}]"
            # each label on the outer side of its edge, so that siblings' labels grow apart
            side = "right" if x1 < x0 - 1e-9 else "left" if x1 > x0 + 1e-9 else "center"
            nudge = {"right": -0.06, "left": 0.06, "center": 0.0}[side]
            ax.text((x0 + x1) / 2 + nudge, (y0 + y1) / 2, label, fontsize=small, ha=side,
                    va="center", zorder=3,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9})

    # information sets with more than one node: a dashed line of one colour through them, named
    # in the legend
    sets: dict[str, list[str]] = {}
    for node in model.nodes:
        if node.kind == "decision":
            sets.setdefault(node.infoset or node.id, []).append(node.id)
    set_colours = plt.get_cmap("Dark2").colors
    handles = []
    for name, members in sets.items():
        if len(members) < 2:
            continue
        colour = set_colours[len(handles) % len(set_colours)]
        pts = sorted(pos[m] for m in members)
        for a, b in itertools.pairwise(pts):
            ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-", connectionstyle="arc3,rad=-0.12", ls="--",
                                         color=colour, lw=1.2, zorder=0, shrinkA=9, shrinkB=9))
        handles.append(Line2D([], [], color=colour, ls="--", lw=1.2, label=name))

    payoffs = _leaf_payoffs(model)
    for node in model.nodes:
        x, y = pos[node.id]
        if node.kind == "chance":
            ax.scatter([x], [y], s=260, c="white", edgecolors="black", zorder=4)
            ax.text(x, y, "N", ha="center", va="center", fontsize=8, zorder=5)
        elif node.kind == "decision":
            ax.scatter([x], [y], s=260, color=player_colour[node.player], edgecolors="black", zorder=4)
            ax.text(x - 0.17, y, node.player, ha="right", va="center", fontsize=small + 1, weight="bold",
                    zorder=5, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.9})
        else:
            ax.scatter([x], [y], s=60, marker="s", c="black", zorder=4)
            labels = list(node.outcome) if node.outcome else [node.id]
            pay = payoffs.get(node.id, "")
            text = ", ".join(labels) + f"  {pay}" if rotate else "\n".join([*labels, pay])
            ax.text(x, y - 0.15, text, ha="center", va="top", fontsize=small, rotation=90 if rotate else 0,
                    zorder=5)

    ax.set_xlim(-0.8, max(leaves - 1, 1) + 0.8)
    ax.set_ylim(-depth - (2.4 if rotate else 1.3), 0.6)
    ax.axis("off")
    ax.set_title(f"{model.name}: {model.title}", fontsize=10)
    note = "payoffs at the default parameters: (" + ", ".join(model.players) + ")"
    handles.append(Line2D([], [], ls="none", marker="s", color="black", ms=5, label=note))
    ax.legend(handles=handles, loc="upper left", fontsize=small, frameon=False,
              title="information sets (dashed)" if len(handles) > 1 else None, title_fontsize=small)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


# ---------------------------------------------------------------------------- the page
def _parameter_table(model: Any) -> list[str]:
    lines: list[str] = []
    lines += ["## Parameters", "", "| name | symbol | default | domain | meaning |", "|---|---|---|---|---|"]
    for name, p in model.parameters.items():
        sym = f"\\({p.symbol}\\)" if getattr(p, "symbol", "") else ""
        lines.append(f"| `{name}` | {sym} | {_number(p.default)} | `{_domain(p)}` | {_cell(p.description)} |")
    lines.append("")
    return lines


def _references_and_claims(model: Any) -> list[str]:
    lines: list[str] = []
    if model.references:
        lines += ["## References", ""]
        for r in model.references:
            extra = []
            if r.provenance:
                extra.append(f"provenance {r.provenance} ({PROVENANCE.get(r.provenance, r.provenance)})")
            if r.note:
                extra.append(r.note)
            link = f" <{r.url}>" if r.url else (f" doi:{r.doi}" if r.doi else "")
            tail = f" — {_cell('; '.join(extra))}" if extra else ""
            lines.append(f"- {_cell(r.citation)}{link}{tail}")
        lines.append("")

    if model.claims:
        lines += ["## Claims", "", "What the model should reproduce (checked by a test or a sweep).", ""]
        for c in model.claims:
            prov = c.get("provenance", "")
            tag = f" *[{prov}: {PROVENANCE.get(prov, prov)}]*" if prov else ""
            lines.append(f"- {_cell(c.get('text', ''))}{tag}")
        lines.append("")
    return lines


def family_page(model: Any) -> str:
    """The Markdown reference page of a model family (built in Python, no file, no fixed tree)."""
    lines: list[str] = [f"# `{model.name}`: {model.title}", ""]
    status = STATUS_TEXT.get(model.status, model.status)
    lines += [f"**Status:** {model.status} — {status}.", ""]
    lines += ["**Players:** the Attacker, the Target (player `Defender`) and `members` allies "
              "(`Ally` alone; `Ally1`, `Ally2`, ... with several).  ", ""]
    lines += [f"**Solution concepts:** {', '.join(f'`{c}`' for c in model.concepts)}.", ""]
    lines += [_prose(model.description), ""]
    lines += [f"A *model family* (built by `dt.builders.{model.name}`, no model file): the number of "
              "members is a parameter, so the game is not one tree. `model.game(**values)` gives the "
              "aggregated game, which `dt.solve` solves at any size (method `collective`); "
              "`model.tree(**values)` the explicit tree up to 4 members. The analysis is in "
              "[Derivations](../../discussion/derivations.md#collective-defence) and the tutorial "
              "[Article 5 with N members](../../tutorials/article-5.md).", ""]
    lines += _parameter_table(model)
    outcomes = ", ".join(f"`{x}`" for x in model.outcomes())
    measures = ", ".join(f"`{x}`" for x in model.measures)
    lines += ["## Outcomes and measures", "", f"Outcome labels ([vocabulary](../outcomes.md)): {outcomes}. "
              f"A sweep's table also holds the alliance measures {measures} (`payoff_Ally` is the allies' "
              "mean payoff).", ""]
    lines += ["## Entrapment", "", _prose(model.entrapment), ""]
    lines += ["## No-pledge baseline", "", _prose(model.baseline_description) + " The pledges' deterrent "
              "effect in a sweep is `deterred = p_attack(baseline) − p_attack(model)`.", ""]
    lines += _references_and_claims(model)
    lines += ["## Metadata", "", "```text", *[f"{k} = {v!r}" for k, v in model.meta.items()], "```", ""]
    return "\n".join(lines)


def is_family(model: Any) -> bool:
    """Whether a catalogue entry is a model family (no fixed tree)."""
    return not hasattr(model, "terminals")


def model_page(model: Any) -> str:
    """The Markdown reference page of one model."""
    from deterrence.catalogue import expression_text

    if is_family(model):
        return family_page(model)
    lines: list[str] = [f"# `{model.name}`: {model.title}", ""]
    status = STATUS_TEXT.get(model.status, model.status)
    lines += [f"**Status:** {model.status or 'not stated'} — {status}.", ""]
    lines += [f"**Players:** {', '.join(model.players)}.  ", ""]
    if model.concepts:
        lines += [f"**Solution concepts:** {', '.join(f'`{c}`' for c in model.concepts)}.", ""]
    if model.description:
        lines += [_prose(model.description), ""]
    lines += [f"![The game tree of {model.name}]({model.name}.png)", ""]
    lines += ["Load it with `dt.load_model(\"" + model.name + "\")`; "
              f"solve it from the command line with `deterrence solve {model.name}`.", ""]

    lines += _parameter_table(model)

    if model.derived:
        lines += ["## Derived quantities", "", "| name | definition | meaning |", "|---|---|---|"]
        for name, d in model.derived.items():
            definition = _code(d.text or expression_text(d.expr))
            lines.append(f"| `{name}` | {definition} | {_cell(d.description)} |")
        lines.append("")

    if model.orderings:
        lines += ["## Orderings", "", "Checked by `Model.game()` (a violation is a `ParameterError`; "
                  "`check_orderings=False` opts out).", ""]
        for o in model.orderings:
            note = f" — {_cell(o.note)}" if o.note else ""
            lines.append(f"- {_code(o.text)}{note}")
        lines.append("")

    lines += ["## Outcomes and payoffs", "", "Terminal nodes, their outcome labels "
              "([vocabulary](../outcomes.md)) and payoffs.", ""]
    lines += ["| node | path | outcome | " + " | ".join(model.players) + " |",
              "|---" * (3 + len(model.players)) + "|"]
    pays = model.payoff_expressions(key="id")
    for t in model.terminals:
        labels = ", ".join(model.node(t).outcome)
        cells = " | ".join(_code(expression_text(pays[t][p])) for p in model.players)
        lines.append(f"| `{t}` | `{model.paths[t]}` | {labels} | {cells} |")
    lines.append("")

    lines += ["## Entrapment", ""]
    lines += [_prose(model.entrapment) if model.entrapment else
              "This model does not define entrapment (no terminal node carries the label).", ""]

    lines += ["## No-pledge baseline", ""]
    desc = getattr(model, "baseline_description", "")
    try:
        model.baseline()
        has_baseline = True
    except Exception:
        has_baseline = False
    if has_baseline:
        effect = (" The pledge's deterrent effect in a sweep is "
                  "`deterred = p_attack(baseline) − p_attack(model)`.")
        lines += [(_prose(desc) or "Declared without a description.") + effect, ""]
    else:
        lines += ["This model declares no baseline; sweeps report no `deterred` column for it.", ""]

    lines += _references_and_claims(model)

    if model.meta:
        lines += ["## Metadata", "", "```text"]
        lines += [f"{k} = {v!r}" for k, v in model.meta.items()]
        lines += ["```", ""]

    if model.text:
        lines += ["## The model file", "", f'??? note "models/{model.name}.toml"', "", "    ```toml"]
        lines += [f"    {line}" if line else "" for line in model.text.rstrip("\n").splitlines()]
        lines += ["    ```", ""]
    return "\n".join(lines)


def index_page(models: Iterable[Any]) -> str:
    """The catalogue's table of contents."""
    lines = ["# The model catalogue", "",
             "Every model shipped in `models/`, generated from the model files at each docs build, and "
             "the model families built in Python (`collective_defence` and its variants). "
             "`dt.list_models()` lists the same names; the file format is described in "
             "[the model file format](../model-format.md).", "",
             "| model | title | players | status |", "|---|---|---|---|"]
    for m in models:
        players = "Attacker, Defender, 1-32 allies" if is_family(m) else ", ".join(m.players)
        lines.append(f"| [`{m.name}`]({m.name}.md) | {_cell(m.title)} | {players} | {m.status} |")
    return "\n".join([*lines, ""])


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return True


def generate(out: Path = OUT, pictures: bool = True) -> list[str]:
    """Write every model page (and tree picture) into ``out``; return the model names.

    Pages of models no longer in the catalogue are removed, so the generated folder always
    matches ``models/``.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import deterrence as dt

    out.mkdir(parents=True, exist_ok=True)
    names = dt.list_models()
    models = [dt.load_model(n) for n in names]
    for m in models:
        _write_if_changed(out / f"{m.name}.md", model_page(m))
        if pictures and not is_family(m):
            draw_tree(m, out / f"{m.name}.png")
    _write_if_changed(out / "index.md", index_page(models))
    for stale in out.glob("*"):
        if stale.suffix in (".md", ".png") and stale.stem not in names and stale.name != "index.md":
            stale.unlink()
    return names


if __name__ == "__main__":
    print("\n".join(generate()))
