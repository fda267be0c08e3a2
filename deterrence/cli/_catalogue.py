"""The ``models`` and ``show`` verbs: the catalogue and one model (as text, or as JSON with ``--json``)."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

import deterrence as dt

from ._format import jsonable, table


def cmd_models(args: argparse.Namespace) -> int:
    models = [dt.load_model(name) for name in dt.list_models()]
    if args.json:
        doc = [{"name": m.name, "status": m.status or "", "title": m.title or "", "players": list(m.players),
                "concepts": list(m.concepts or ())} for m in models]
        print(json.dumps(doc, indent=2))
        return 0
    print(table([(m.name, m.status or "", m.title or "") for m in models], ("name", "status", "title")))
    return 0


def _bound(x: float) -> float | None:
    """A domain end for JSON: ``None`` for an infinite end (JSON has no infinity)."""
    return None if math.isinf(float(x)) else jsonable(x)


def model_dict(m: Any) -> dict[str, Any]:
    """Everything ``show`` prints about a model, as plain JSON data."""
    baseline: dict[str, Any] | None
    try:
        m.baseline()
        baseline = {"description": m.baseline_description}
    except dt.ModelError:
        baseline = None
    pays = m.payoff_expressions(key="id")
    return jsonable({
        "name": m.name, "title": m.title, "status": m.status or "",
        "description": (m.description or "").strip(),
        "players": list(m.players), "concepts": list(m.concepts or ()),
        "parameters": [
            {"name": name, "default": p.default, "domain": p.domain_text, "lower": _bound(p.domain[0]),
             "upper": _bound(p.domain[1]), "open_lower": p.open_lower or math.isinf(p.domain[0]),
             "open_upper": p.open_upper or math.isinf(p.domain[1]), "symbol": p.symbol,
             "description": p.description}
            for name, p in m.parameters.items()
        ],
        "derived": [{"name": name, "expression": d.text or str(d.expr), "description": d.description}
                    for name, d in m.derived.items()],
        "orderings": [{"condition": o.text, "note": o.note} for o in m.orderings],
        "terminals": [{"id": t, "path": m.paths[t], "outcome": list(m.node(t).outcome),
                       "payoffs": {p: str(pays[t][p]) for p in m.players}} for t in m.terminals],
        "entrapment": " ".join((m.entrapment or "").split()),
        "baseline": baseline,
        "references": [{"citation": r.citation, "key": r.key, "doi": r.doi, "url": r.url,
                        "provenance": r.provenance, "note": r.note} for r in m.references],
        "claims": [dict(c) for c in m.claims],
        "file": m.file, "sha256": m.sha256,
    })


def cmd_show(args: argparse.Namespace) -> int:
    m = dt.load_model(args.model)
    if args.json:
        print(json.dumps(model_dict(m), indent=2))
        return 0
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
    s.add_argument("--json", action="store_true",
                   help="machine-readable output: a list of {name, status, title, players, concepts}")
    s.set_defaults(func=cmd_models)


def register_show(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``show`` verb: describe a model."""
    s = sub.add_parser("show", parents=[common], help="describe a model: parameters, players, references")
    s.add_argument("model", help="catalogue name or model file (.toml)")
    s.add_argument("--json", action="store_true",
                   help="machine-readable output: the model's description, parameters (infinite domain "
                   "ends as null), derived quantities, orderings, terminal nodes with outcome labels and "
                   "payoffs, baseline, references, claims, file and SHA-256")
    s.set_defaults(func=cmd_show)
