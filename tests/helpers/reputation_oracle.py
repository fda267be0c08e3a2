"""An exact check of an assessment on an explicit tree, from the definitions (test oracle).

Written for the reputation solver's trees (``ReputationGame.tree()``), where every
information set with several nodes holds one node per type with the same public history:

* beliefs where a set is reached are Bayes' rule on the reach probabilities;
* *Bayes wherever possible*: a set's belief is the previous set's belief (of the same player
  and size) times the conditional probabilities of the moves in between, whenever that is
  defined (off the path too);
* sequential rationality: at every set, every action played with positive probability is a
  best reply to the belief and the continuation play.

Payoffs are read as the exact rationals of the tree's floats, so parameters that are dyadic
rationals (``k / 2**m``) give an exact check. Nothing here uses the solvers.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from deterrence.game.extensive import ExtensiveFormGame


def _edge(game: ExtensiveFormGame, behaviour: Sequence[Sequence[Fraction]], v: int) -> Fraction:
    node = game.nodes[v]
    parent = game.nodes[node.parent]
    if parent.kind == "chance":
        return Fraction(game.chance_infos[parent.infoset].probs[node.action])
    return Fraction(behaviour[parent.infoset][node.action])


def _values(game: ExtensiveFormGame, behaviour: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
    """Every node's expected payoff vector under the behaviour (exact)."""
    out: list[list[Fraction]] = [[]] * len(game.nodes)
    for v in reversed(range(len(game.nodes))):
        node = game.nodes[v]
        if node.kind == "terminal":
            out[v] = [Fraction(float(x)) for x in game.payoffs[game.terminal_index(v)]]
            continue
        acc = [Fraction(0)] * game.num_players
        for c in node.children:
            e = _edge(game, behaviour, c)
            if e:
                acc = [a + e * b for a, b in zip(acc, out[c], strict=True)]
        out[v] = acc
    return out


def _predecessors(
    game: ExtensiveFormGame, behaviour: Sequence[Sequence[Fraction]], h: int
) -> tuple[int, list[tuple[int, Fraction]]] | None:
    """The nearest earlier set of the same player and size above each node of set ``h``, with the
    probability of the moves from its node down to this one; ``None`` if there is none."""
    target = game.infosets[h]
    found: list[tuple[int, Fraction]] = []
    for v in target.nodes:
        x, u, w = v, game.nodes[v].parent, Fraction(1)
        while u >= 0:
            w *= _edge(game, behaviour, x)
            nu = game.nodes[u]
            if (
                nu.kind == "decision"
                and nu.player == target.player
                and len(game.infosets[nu.infoset].nodes) == len(target.nodes)
            ):
                break
            x, u = u, nu.parent
        if u < 0:
            return None
        found.append((u, w))
    sets = {game.nodes[u].infoset for u, _ in found}
    return (sets.pop(), found) if len(sets) == 1 else None


def assessment_problems(
    game: ExtensiveFormGame,
    behaviour: Sequence[Sequence[Fraction]],
    beliefs: Sequence[Sequence[float]],
    belief_tol: float = 1e-9,
) -> list[str]:
    """What is wrong with the assessment (empty if nothing): see the module documentation.

    ``behaviour[h]`` are exact action probabilities of set ``h``; ``beliefs[h]`` the stated
    belief over the set's nodes (floats, as :class:`~deterrence.Equilibrium` holds them).
    """
    values = _values(game, behaviour)
    reach = [Fraction(1)] * len(game.nodes)
    for v in range(1, len(game.nodes)):
        reach[v] = reach[game.nodes[v].parent] * _edge(game, behaviour, v)
    mu: list[dict[int, Fraction]] = []
    problems: list[str] = []
    for h in game.infosets:
        total = sum(reach[v] for v in h.nodes)
        stated = {
            v: Fraction(float(x)).limit_denominator(10**12)
            for v, x in zip(h.nodes, beliefs[h.index], strict=True)
        }
        mu.append({v: reach[v] / total for v in h.nodes} if total > 0 else stated)
        if any(abs(float(mu[-1][v]) - float(stated[v])) > belief_tol for v in h.nodes):
            problems.append(
                f"belief at {h.name}: stated {[float(x) for x in stated.values()]}, "
                f"Bayes {[float(x) for x in mu[-1].values()]}"
            )
    for h in game.infosets:
        before = _predecessors(game, behaviour, h.index) if len(h.nodes) > 1 else None
        if before is None:
            continue
        prev, pairs = before
        total = sum(mu[prev][u] * w for u, w in pairs)
        if total > 0:
            for v, (u, w) in zip(h.nodes, pairs, strict=True):
                if abs(mu[prev][u] * w / total - mu[h.index][v]) > Fraction(1, 10**9):
                    problems.append(f"belief at {h.name} is not Bayes' rule from {game.infosets[prev].name}")
    for h in game.infosets:
        gains = [
            sum(mu[h.index][v] * values[game.nodes[v].children[a]][h.player] for v in h.nodes)
            for a in range(len(h.actions))
        ]
        best = max(gains)
        for a, p in enumerate(behaviour[h.index]):
            if p > 0 and gains[a] < best:
                problems.append(
                    f"at {h.name} '{h.actions[a]}' (probability {p}) earns {float(gains[a])} < {float(best)}"
                )
    return problems
