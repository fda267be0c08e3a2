"""The ``models`` and ``show`` verbs: the catalogue and one model."""

from __future__ import annotations

import argparse
from typing import Any

import deterrence as dt

from ._format import table


def cmd_models(args: argparse.Namespace) -> int:
    rows = []
    for name in dt.list_models():
        model = dt.load_model(name)
        rows.append((name, getattr(model, "status", "") or "", getattr(model, "title", "") or ""))
    print(table(rows, ("name", "status", "title")))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    m = dt.load_model(args.model)
    print(f"{m.name}: {getattr(m, 'title', '')}")
    if getattr(m, "status", ""):
        print(f"status: {m.status}")
    if getattr(m, "description", ""):
        print(f"\n{m.description.strip()}")
    print(f"\nplayers: {', '.join(m.players)}")
    concepts = getattr(m, "concepts", ()) or ()
    print(f"concepts: {', '.join(concepts) if concepts else '(any)'}")
    rows = []
    for name, p in m.parameters.items():
        dom = getattr(p, "domain_text", None) or f"[{p.domain[0]}, {p.domain[1]}]"
        rows.append((name, p.default, dom, getattr(p, "description", "")))
    print("\nparameters:\n" + table(rows, ("name", "default", "domain", "description")))
    orderings = getattr(m, "orderings", ()) or ()
    if orderings:
        print("\norderings: " + "; ".join(getattr(o, "text", str(o)) for o in orderings))
    desc = getattr(m, "baseline_description", "")
    if desc:
        print(f"\nno-pledge baseline: {desc}")
    refs = getattr(m, "references", ()) or ()
    if refs:
        print("\nreferences:")
        for r in refs:
            extra = getattr(r, "doi", "") or getattr(r, "url", "")
            print(f"  - {getattr(r, 'citation', r)}" + (f" ({extra})" if extra else ""))
    return 0


def register_models(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``models`` verb: list the models in the catalogue."""
    s = sub.add_parser("models", parents=[common], help="list the models in the catalogue")
    s.set_defaults(func=cmd_models)


def register_show(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``show`` verb: describe a model."""
    s = sub.add_parser("show", parents=[common], help="describe a model: parameters, players, references")
    s.add_argument("model", help="catalogue name or model file (.toml)")
    s.set_defaults(func=cmd_show)
