"""Caches a solve leaves behind when it is interrupted, or when another thread solves meanwhile.

The PBE solver keeps what it works out from a tree alone in the game's ``tree_cache`` (shared
by every game of the model) and pattern lists in process-wide caches. A solve interrupted while
it filled one (Ctrl-C: ``KeyboardInterrupt``) must not leave it half-filled, and a solve on
another thread must not break one being read: either made every later solve of the model in
the process fail (``IndexError``), or a solve raise ``RuntimeError``.
"""

from __future__ import annotations

import pickle
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import CodeType
from typing import Any

import pytest

import deterrence as dt
from deterrence.solvers import _pbe_pruning, pbe

#: points of tripartite_crisis whose pattern searches have the same key (the same actions not
#: dominated) but different verdicts: each adds its own replay entry, and each is tried first
#: against those kept before it
_POINTS = [
    {"p_realigner": 0.16, "c_realignment": 4.0, "c_concession": 8.5, "c_status_quo": 6.0,
     "c_war_determined": 5.5, "c_back_down": 0.5, "d_status_quo": 10, "d_back_down": 7.0,
     "d_concession": 6, "d_war": 3, "pro_realign_realigner": 2, "pro_realign_loyal": -0.5},
    {"p_determined": 0.36, "p_realigner": 0.24, "c_realignment": 11, "c_concession": 8.5,
     "c_status_quo": 7.0, "c_war_determined": 7, "c_back_down": 1.5, "c_war_hesitant": -1.0,
     "d_status_quo": 2.5, "d_back_down": 8, "d_concession": 4, "d_war": 3, "pro_realign_loyal": -3},
    {"p_determined": 0.24, "p_realigner": 0.16, "c_realignment": 5, "c_concession": 6,
     "c_status_quo": 3, "c_back_down": 2, "c_war_hesitant": 1, "d_status_quo": 11,
     "d_back_down": 2.0, "d_concession": 4, "d_war": 4, "d_realignment": 1.0,
     "pro_realign_realigner": 0.5},
    {"p_determined": 0.36, "p_realigner": 0.24, "c_concession": 6.5, "c_status_quo": 3,
     "c_back_down": 1.5, "d_status_quo": 11, "d_back_down": 9, "d_concession": 5, "d_war": 1,
     "d_realignment": -1, "pro_realign_loyal": -2},
]


def _fresh_game(i: int = 0) -> dt.ExtensiveFormGame:
    """Point ``i`` of tripartite_crisis as a game with an empty ``tree_cache`` of its own: a pickled
    copy (what its solves keep is not kept for the model's games), with the cache emptied (the
    pickle carries what the model's cache held: after any earlier PBE solve of the model in the
    process, another test's, ``sets_above`` was there already and the interrupted solves below
    never built it)."""
    game = pickle.loads(pickle.dumps(_model_game(i)))
    game.tree_cache.clear()
    return game


def _model_game(i: int = 0) -> dt.ExtensiveFormGame:
    """Point ``i`` of tripartite_crisis as the model gives it (its ``tree_cache`` is the model's)."""
    return dt.load_model("tripartite_crisis").game(**_POINTS[i], check_orderings=False)


@pytest.fixture(scope="module")
def models_cache_filled() -> None:
    """The model's own ``tree_cache`` filled by a PBE solve, as any earlier test solving
    tripartite_crisis leaves it (these tests passed alone and failed after such a test)."""
    game = _model_game()
    dt.solve(game, "pbe")
    assert "sets_above" in game.tree_cache


@pytest.mark.usefixtures("models_cache_filled")
def test_fresh_games_keep_nothing_the_models_games_kept() -> None:
    """The games the tests below interrupt start with an empty cache, whatever the model's holds."""
    assert _fresh_game().tree_cache == {}


def _answer(eqs: Any) -> list[str]:
    return [repr(e) for e in eqs]


@contextmanager
def _interrupt_at(code: CodeType, line: int) -> Iterator[None]:
    """Raise ``KeyboardInterrupt`` (as Ctrl-C does) at the ``line``-th line run in ``code``."""
    seen = [0]

    def local(frame: Any, event: str, arg: Any) -> Callable[..., Any]:
        if event == "line":
            seen[0] += 1
            if seen[0] == line:
                raise KeyboardInterrupt
        return local

    def tracer(frame: Any, event: str, arg: Any) -> Callable[..., Any] | None:
        return local if frame.f_code is code else None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(old)


@pytest.mark.usefixtures("models_cache_filled")
@pytest.mark.parametrize("line", [4, 8, 12, 20])
def test_interrupted_sets_above_are_not_kept_half_built(line: int) -> None:
    """A Ctrl-C while the sets above each set were listed left the list short in the tree's cache:
    every later PBE solve of the model raised IndexError."""
    expected = _answer(dt.solve(_fresh_game(), "pbe"))
    game = _fresh_game()
    above = _pbe_pruning.BeliefSupportPruner._above.__code__
    with pytest.raises(KeyboardInterrupt), _interrupt_at(above, line):
        dt.solve(game, "pbe")
    assert "sets_above" not in game.tree_cache
    assert _answer(dt.solve(game, "pbe")) == expected


@pytest.mark.usefixtures("models_cache_filled")
def test_solves_interrupted_while_numbering_specs_lose_nothing() -> None:
    """A Ctrl-C between numbering a weight spec and listing it left the number to the next spec
    too: later solves of the model tested the wrong spec and lost an equilibrium (or raised
    IndexError). Interrupted at each line in turn, until a solve completes."""
    expected = _answer(dt.solve(_fresh_game(), "pbe"))
    for line in range(1, 200):
        game = _fresh_game()
        try:
            with _interrupt_at(pbe._Programs.spec_index.__code__, line):
                dt.solve(game, "pbe")
        except KeyboardInterrupt:
            assert _answer(dt.solve(game, "pbe")) == expected, f"interrupted at line {line}"
        else:
            break
    assert line > 1


def test_replays_tried_while_another_thread_adds_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A solve trying the kept pattern searches while another thread's solve added one raised
    ``RuntimeError: OrderedDict mutated during iteration`` (reproduced here in one thread: the
    other solve runs while the first compares its verdicts with a kept search's)."""
    expected = [_answer(dt.solve(_fresh_game(i), "pbe")) for i in range(4)]
    monkeypatch.setattr(_pbe_pruning, "_REPLAYS", _pbe_pruning._Replays())
    for i in range(2):  # two kept searches (with one, its iterator ends before checking)
        assert _answer(dt.solve(_fresh_game(i), "pbe")) == expected[i]
    assert len(_pbe_pruning._REPLAYS.entries) == 2
    agree = _pbe_pruning._VerdictTables.agree
    other: list[list[str]] = []

    def agree_while_another_solves(self: Any, *args: Any, **kwargs: Any) -> bool:
        if not other:  # once: the other solve runs its search and keeps it meanwhile
            other.append([])
            other[0] = _answer(dt.solve(_fresh_game(3), "pbe"))
        return agree(self, *args, **kwargs)

    monkeypatch.setattr(_pbe_pruning._VerdictTables, "agree", agree_while_another_solves)
    assert _answer(dt.solve(_fresh_game(2), "pbe")) == expected[2]
    assert other == [expected[3]]
    assert len(_pbe_pruning._REPLAYS.entries) == 4


def test_pbe_solves_on_threads_agree_with_serial() -> None:
    """PBE solves of one model's points on several threads give the answers solved one by one
    (they share the tree's cache and the pattern caches)."""
    games = [_fresh_game(i % len(_POINTS)) for i in range(24)]
    expected = [_answer(dt.solve(_fresh_game(i), "pbe")) for i in range(len(_POINTS))]
    out: list[Any] = [None] * len(games)

    def run(k: int) -> None:
        for i in range(k, len(games), 4):
            try:
                out[i] = _answer(dt.solve(games[i], "pbe"))
            except Exception as exc:  # (compared below)
                out[i] = exc

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often: more interleavings
    try:
        threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)  # a hang guard only
    finally:
        sys.setswitchinterval(old)
    assert out == [expected[i % len(_POINTS)] for i in range(len(games))]
