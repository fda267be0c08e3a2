"""Compare equilibrium sets across tools, and decide who is right with our certifier.

Sets, not counts: two profiles are the same equilibrium when every probability differs by at
most ``TOL`` (1e-6). A profile that one tool returns and the other does not is certified
with :func:`deterrence.certificates.certify` (its regret, or its logit-QRE residual), so a
disagreement says who is right: a missing genuine equilibrium, or a returned non-equilibrium.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from deterrence.certificates import certify

TOL = 1e-6
#: regret tolerance, relative to the payoff span, for sets from exact enumeration methods
SET_REGRET = 1e-10
#: regret tolerance, relative to the payoff span, for one equilibrium from a float path method
PATH_REGRET = 1e-6


def _flat(profile: Sequence[Any]) -> np.ndarray:
    return np.concatenate([np.asarray(p, dtype=float).ravel() for p in profile])


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and float(np.max(np.abs(a - b), initial=0.0)) <= TOL


def match(ours: Sequence[Sequence[Any]], theirs: Sequence[Sequence[Any]]) -> tuple[list[int], list[int]]:
    """Indices of our profiles the peer lacks, and of the peer's profiles we lack."""
    a = [_flat(p) for p in ours]
    b = [_flat(p) for p in theirs]
    missing = [i for i, x in enumerate(a) if not any(_same(x, y) for y in b)]
    extra = [j for j, y in enumerate(b) if not any(_same(x, y) for x in a)]
    return missing, extra


def regret_tol(game: Any, rel: float = SET_REGRET) -> float:
    """Certification tolerance: ``rel`` times the game's payoff span (at least ``rel``)."""
    arrs = game.payoffs if isinstance(game.payoffs, (list, tuple)) else [game.payoffs]
    span = max(float(np.max(a) - np.min(a)) for a in arrs)
    return rel * max(1.0, span)


def regret(game: Any, profile: Sequence[Any], concept: str = "nash", lam: float | None = None) -> float:
    """The certifier's regret (Nash) or logit residual (``concept="qre"``) of a profile."""
    strategies = [np.asarray(p, dtype=float) for p in profile]
    try:
        cert = certify(game, strategies, concept, tol=1.0, lam=lam)
    except Exception:  # a malformed profile from a peer is a finding (infinite regret), not a crash
        return float("inf")
    return float(cert.qre_residual if concept == "qre" else cert.regret)


def compare_sets(
    game: Any,
    ours: Sequence[Sequence[Any]],
    theirs: Sequence[Sequence[Any]],
    tool: str,
    where: str,
    degenerate: bool = False,
) -> list[dict[str, Any]]:
    """Disagreements between our set and a peer's, each with the certifier's verdict."""
    missing, extra = match(ours, theirs)
    tol = regret_tol(game)
    found: list[dict[str, Any]] = []
    if missing:
        worst = max(regret(game, ours[i]) for i in missing)
        found.append(
            {
                "where": where,
                "tool": tool,
                "kind": "peer_missed",
                "count": len(missing),
                "ours": len(ours),
                "theirs": len(theirs),
                "max_regret": worst,
                "verdict": (
                    f"{tool} misses {len(missing)} of our {len(ours)} equilibria; ours certify "
                    f"(max regret {worst:.1e} <= {tol:.1e})"
                    if worst <= tol
                    else f"{tool} misses {len(missing)} profiles that WE return but which do not certify "
                    f"(max regret {worst:.1e}): our error"
                ),
            }
        )
    if extra:
        regs = [regret(game, theirs[j]) for j in extra]
        bad = [r for r in regs if not r <= tol]
        good = len(regs) - len(bad)
        parts = []
        if good:
            note = " (game degenerate: may be non-extreme points of a component)" if degenerate else ""
            parts.append(f"{good} genuine equilibria that our result lacks{note}")
        if bad:
            parts.append(
                f"{len(bad)} profiles that are not equilibria (max regret {max(bad):.1e} > {tol:.1e})"
            )
        found.append(
            {
                "where": where,
                "tool": tool,
                "kind": "peer_extra",
                "count": len(extra),
                "ours": len(ours),
                "theirs": len(theirs),
                "genuine": good,
                "wrong": len(bad),
                "max_regret": max(regs),
                "verdict": f"{tool} returns " + " and ".join(parts),
            }
        )
    return found


def node_path(game: Any, v: int) -> tuple[int, ...]:
    """The actions leading from the root to node ``v`` of one of our extensive games."""
    path = []
    while game.nodes[v].parent >= 0:
        path.append(game.nodes[v].action)
        v = game.nodes[v].parent
    return tuple(reversed(path))


def behaviour_from_paths(game: Any, infosets: Sequence[dict[str, Any]]) -> list[np.ndarray]:
    """A peer's behaviour profile (infosets given by member node paths) in our infoset order."""
    where = {node_path(game, v): h.index for h in game.infosets for v in h.nodes}
    out: list[np.ndarray | None] = [None] * len(game.infosets)
    for h in infosets:
        idx = {where[tuple(p)] for p in h["paths"]}
        if len(idx) != 1:
            raise ValueError("information sets of the two games differ")
        out[idx.pop()] = np.asarray(h["probs"], dtype=float)
    if any(b is None for b in out):
        raise ValueError("the peer's profile does not cover every information set")
    return out  # type: ignore[return-value]
