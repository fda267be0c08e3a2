"""The ``solve`` verb: a model or a Gambit file, solved and certified."""

from __future__ import annotations

import argparse
import json
from typing import Any

import deterrence as dt

from ._args import add_check_orderings, parse_lam, parse_options, parse_sets
from ._format import equilibrium_dict, jsonable, nonzero, print_profile

GAME_SUFFIXES = (".efg", ".nfg")

def _target(args: argparse.Namespace) -> tuple[Any, Any, str]:
    """(game, model or None, default concept) for ``solve``."""
    sets = parse_sets(args.set)
    target = args.target
    if target.lower().endswith(GAME_SUFFIXES):
        if sets:
            raise dt.ParameterError(f"--set applies to models, not to the game file '{target}'",
                                 name=next(iter(sets)))
        game = dt.read_game(target)
        return game, None, "nash"
    model = dt.load_model(target)
    game = model.game(sets, check_orderings=args.check_orderings)
    return game, model, model.default_concept


def _solve_options(args: argparse.Namespace, concept: str) -> dict[str, Any]:
    """``dt.solve``'s keyword options from ``--tol``, ``--belief-policy``, ``--lam`` and ``--option``.

    ``--belief-policy`` defaults to ``free`` for PBE and is passed only when given otherwise
    (so a non-PBE solve rejects it, as ``dt.solve`` rejects any option its method lacks).
    """
    options: dict[str, Any] = {}
    if args.belief_policy is not None or concept == "pbe":
        options["belief_policy"] = args.belief_policy or "free"
    if args.lam is not None:
        options["lam"] = parse_lam(args.lam)
    if args.tol is not None:
        options["tol"] = args.tol
    for name, value in parse_options(args.option, concept=concept, method=args.method).items():
        if name in options:
            flag = "--" + name.replace("_", "-")
            raise dt.ParameterError(f"--option {name}: already given by {flag}", name=name)
        options[name] = value
    return options


def cmd_solve(args: argparse.Namespace) -> int:
    game, model, default_concept = _target(args)
    concept = args.concept or default_concept
    options = _solve_options(args, concept)
    eqs = dt.solve(game, concept=concept, method=args.method, **options)
    if args.json:
        doc = {
            "target": args.target, "model": getattr(model, "name", None),
            "parameters": None if model is None else jsonable(dict(model.defaults, **parse_sets(args.set))),
            "concept": eqs.concept, "method": eqs.method, "complete": eqs.complete,
            "degenerate": eqs.degenerate, "belief_policy": eqs.belief_policy, "tolerance": eqs.tolerance,
            "notes": list(eqs.notes), "equilibria": [equilibrium_dict(e) for e in eqs],
        }
        print(json.dumps(doc, indent=2))
        return 0
    title = getattr(game, "title", "") or args.target
    print(f"{title}: {len(eqs)} {concept} equilibri{'um' if len(eqs) == 1 else 'a'} "
          f"(method {eqs.method}, complete={eqs.complete}, degenerate={eqs.degenerate}"
          + (f", belief policy {eqs.belief_policy}" if eqs.belief_policy else "") + ")")
    for note in eqs.notes:
        print(f"  note: {note}")
    for k, eq in enumerate(eqs):
        d = equilibrium_dict(eq)
        print(f"\n[{k}] {d['regime']}" + (f" ({eq.label})" if eq.label else ""))
        print("  profile:")
        print_profile(eq.profile)
        if eq.beliefs:
            print("  beliefs:")
            for infoset, dist in eq.beliefs.items():
                tag = " (off path)" if infoset in eq.off_path else ""
                shown = ", ".join(f"{n}={p:.4g}" for n, p in dist.items())
                print(f"    {infoset}{tag}: {shown}")
        print("  payoffs:  " + ", ".join(f"{p}={v:.6g}" for p, v in eq.payoffs.items()))
        if eq.outcomes:
            print("  outcomes: " + ", ".join(f"{o}={v:.4g}" for o, v in nonzero(eq.outcomes).items()))
            print("  indicators: " + ", ".join(f"{o}={v:.4g}" for o, v in eq.indicators.items()))
        print("  " + certificate_line(eq.certificate, concept))
    return 0


def certificate_line(cert: Any, concept: str) -> str:
    """The certificate in one line, each number next to the tolerance it is checked against: the
    regret relative to the players' payoff ranges (and in payoff units), the Bayes error and the
    QRE residual as probabilities."""
    if concept == "qre":
        regret = f"Nash regret {cert.regret:.3g} in payoff units (not checked)"
    else:
        relative = cert.details.get("relative_regret", float("nan"))
        regret = f"relative regret {relative:.3g} ({cert.regret:.3g} in payoff units)"
    return (f"{regret}, Bayes error {cert.bayes_error:.3g}"
            + (f", QRE residual {cert.qre_residual:.3g}" if concept == "qre" else "")
            + (" (exact)" if cert.exact else "")
            + f"; tolerance {cert.tolerance:.3g} ({'passed' if cert.passed else 'FAILED'})")


def register_solve(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``solve`` verb: solve a model or a Gambit file."""
    s = sub.add_parser("solve", parents=[common], help="solve a model or a Gambit .efg/.nfg game")
    s.add_argument("target", help="catalogue name, model file (.toml) or Gambit file (.efg, .nfg)")
    s.add_argument("--set", action="append", metavar="NAME=VALUE", help="parameter value (repeatable)")
    s.add_argument("--concept", choices=dt.CONCEPTS,
                   help="solution concept (default for a model: pbe, else spe, nash, qre, the first "
                        "of these it declares; nash for game files)")
    s.add_argument("--method", default="auto", help="solver (default auto)")
    s.add_argument("--belief-policy", choices=dt.BELIEF_POLICIES,
                   help="PBE off-path beliefs (default free)")
    s.add_argument("--lam", help="QRE precision: a number or one per player, comma-separated")
    s.add_argument("--tol", type=float, help="certification tolerance (default 1e-8)")
    s.add_argument("--option", action="append", metavar="NAME=VALUE",
                   help="an option of the method (repeatable), typed as the method declares it, e.g. for "
                   "pbe mixed=true|false, max_mixed_sets=N, seeds=true|false; for qre trace=true "
                   "(dt.solver_options(method) lists them)")
    add_check_orderings(s)
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_solve)
