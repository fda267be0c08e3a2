"""The node list of a repeated crisis with a persistent private type, for a :class:`~deterrence.Model`.

Nature draws the long-run player's type; then in each of N stages challenger ``k`` stays quiet or
challenges and, after a challenge, the long-run player resists or yields; every move is seen by
all who move later. :func:`crisis_nodes` writes this tree as :class:`~deterrence.model.NodeSpec` s
with payoff *expressions* (the model's parameters), in the order and with the ids the chain
store's file uses: ``<type>.<challenger>1``, ``<type>.<history>.<challenger>k``,
``<type>.<history>.<long_run>k`` and the terminals ``<type>.<history>``, the history written one
letter per stage (``codes``: quiet, resist, yield). The same game in compact form, with numbers,
is a :class:`~deterrence.game.reputation.ReputationGame` (see
:mod:`deterrence.catalogue.builders.reputation`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...model import NodeSpec

#: stage payoff term of a player: (type, stage 1-based, outcome code) -> expression text ("0": none)
Term = Callable[[str, int, str], str]


@dataclass(frozen=True)
class CrisisText:
    """A repeated crisis as text: names, ids and the stage payoff terms.

    Attributes
    ----------
    root
        Id of Nature's node.
    types
        ``(type, probability expression)`` per type, in branch order.
    challengers, long_run
        Player names (``challengers[k]`` moves in stage ``k + 1``).
    node_names
        Lower-case stems of the node ids: ``(challenger stem, long-run stem)``, e.g.
        ``("entrant", "incumbent")``; the stage number is appended.
    challenge_actions, response_actions
        ``(quiet, challenge)`` and ``(resist, yield)``.
    codes
        One letter per outcome: quiet, resist, yield.
    long_run_term, challenger_term
        Stage payoff terms; a terminal's long-run payoff is the sum of its stages' terms.
    labels
        Outcome labels of a terminal: ``(type, history) -> labels``.
    """

    root: str
    types: Sequence[tuple[str, str]]
    challengers: Sequence[str]
    long_run: str
    node_names: tuple[str, str]
    challenge_actions: tuple[str, str]
    response_actions: tuple[str, str]
    codes: tuple[str, str, str]
    long_run_term: Term
    challenger_term: Term
    labels: Callable[[str, str], tuple[str, ...]]


def _sum(terms: Sequence[str]) -> str:
    """Terms joined by ``+`` (``+ -x`` written ``- x``); ``"0"`` if there are none."""
    kept = [t for t in terms if t != "0"]
    return " + ".join(kept).replace("+ -", "- ") if kept else "0"


def crisis_nodes(text: CrisisText) -> list[NodeSpec]:
    """The tree's nodes: Nature's choice, then each type's subtree in preorder."""
    n = len(text.challengers)
    quiet, resist, give = text.codes
    stem_c, stem_l = text.node_names

    def nid(t: str, hist: str, what: str) -> str:
        return f"{t}.{hist}.{what}" if hist else f"{t}.{what}"

    def leaf(t: str, hist: str) -> NodeSpec:
        pay = {text.challengers[k]: text.challenger_term(t, k + 1, r) for k, r in enumerate(hist)}
        pay[text.long_run] = _sum([text.long_run_term(t, k + 1, r) for k, r in enumerate(hist)])
        return NodeSpec(f"{t}.{hist}", "terminal", payoffs=pay, outcome=text.labels(t, hist))

    def child(t: str, hist: str, k: int) -> str:
        return f"{t}.{hist}" if k == n else nid(t, hist, f"{stem_c}{k + 1}")

    def below(t: str, hist: str, k: int) -> list[NodeSpec]:
        return [leaf(t, hist)] if k == n else market(t, hist)

    def market(t: str, hist: str) -> list[NodeSpec]:
        k = len(hist) + 1
        suffix = f"_{hist}" if hist else ""
        here = NodeSpec(nid(t, hist, f"{stem_c}{k}"), "decision", player=text.challengers[k - 1],
                        infoset=f"{stem_c}{k}{suffix}",
                        actions={text.challenge_actions[0]: child(t, hist + quiet, k),
                                 text.challenge_actions[1]: nid(t, hist, f"{stem_l}{k}")})
        lr = NodeSpec(nid(t, hist, f"{stem_l}{k}"), "decision", player=text.long_run,
                      infoset=f"{stem_l}_{t}_{k}{suffix}",
                      actions={text.response_actions[0]: child(t, hist + resist, k),
                               text.response_actions[1]: child(t, hist + give, k)})
        return [here, *below(t, hist + quiet, k), lr, *below(t, hist + resist, k), *below(t, hist + give, k)]

    root = NodeSpec(text.root, "chance", actions={t: f"{t}.{stem_c}1" for t, _ in text.types},
                    probs={t: p for t, p in text.types})
    out = [root]
    for t, _ in text.types:
        out += market(t, "")
    return out
