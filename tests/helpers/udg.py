"""The Unilateral Deterrence Game (docs/discussion/derivations.md#unilateral-deterrence) built by hand.

``build(values, num)``: ``num`` is a function mapping a parameter name to its value (a number
or a sympy symbol), so the same code gives the numeric game and the symbolic payoffs.
"""

from __future__ import annotations

import sympy as sp

from deterrence.game import ExtensiveFormGame, chance, decision, terminal

NAMES = ("pCh", "pDef", "cDC", "cSQ", "cDDh", "cCD", "cDDs", "dSQ", "dCD", "dDDh", "dDC", "dDDs")
DEFAULTS = dict(pCh=0.5, pDef=0.2, cDC=4, cSQ=3, cDDh=2, cCD=1, cDDs=0, dSQ=4, dCD=3, dDDh=2, dDC=1, dDDs=0)


def build(v):
    """Return (game, payoff rows) where payoff rows are [[ch, def], ...] in terminal order."""
    rows = []

    def t(ch, de, label):
        rows.append((ch, de))
        return terminal({"Ch": ch, "Def": de}, label)

    def branch(ch_type, def_type):
        cdd = v("cDDh") if ch_type == "H" else v("cDDs")
        ddd = v("dDDh") if def_type == "H" else v("dDDs")
        return decision(
            "Ch",
            {
                "C": t(v("cSQ"), v("dSQ"), "status_quo"),
                "D": decision(
                    "Def",
                    {
                        "C": t(v("cDC"), v("dDC"), "capitulation"),
                        "D": decision(
                            "Ch",
                            {
                                "C": t(v("cCD"), v("dCD"), "capitulation"),
                                "D": t(cdd, ddd, "war"),
                            },
                            infoset=f"Ch{ch_type}3",
                        ),
                    },
                    infoset=f"Def{def_type}",
                ),
            },
            infoset=f"Ch{ch_type}",
        )

    def types(ch_type):
        if isinstance(v("pDef"), sp.Basic):
            branch(ch_type, "H"), branch(ch_type, "S")
            return None
        return chance({"H": (v("pDef"), branch(ch_type, "H")), "S": (1 - v("pDef"), branch(ch_type, "S"))})

    if isinstance(v("pCh"), sp.Basic):
        types("H"), types("S")
        return None, rows
    root = chance({"H": (v("pCh"), types("H")), "S": (1 - v("pCh"), types("S"))})
    return ExtensiveFormGame(root, players=["Ch", "Def"]), rows


def numeric_game(**values):
    vals = {**DEFAULTS, **values}
    game, _ = build(lambda k: vals[k])
    return game


def _expr(x):
    return sp.Integer(x) if isinstance(x, int) else x


def symbolic_tree():
    from deterrence.kernels import symbolic_tree_from

    syms = {k: sp.Symbol(k) for k in NAMES}
    _, rows = build(lambda k: syms[k])
    game = numeric_game()
    p, d = syms["pCh"], syms["pDef"]
    chance_exprs = [(p, 1 - p), (d, 1 - d), (d, 1 - d)]
    return symbolic_tree_from(
        game, NAMES, [syms[k] for k in NAMES], [[_expr(a), _expr(b)] for a, b in rows], chance_exprs
    )
