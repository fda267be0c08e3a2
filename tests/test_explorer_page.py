"""The live page's callbacks without a browser or a server: values the page never sends.

The page's widgets only offer valid values, but a browser's console (or any websocket client)
can set a widget to anything: NaN on a slider, an equilibrium index that does not exist, a map
axis that is not a parameter, a concept the model does not declare. Each must put the widget
back and leave the page working, never raise in a server callback (a traceback in the server's
log and a page whose state is broken for good). The page runs here on a :class:`FakeDoc` that
queues the callbacks the workers hand to the document, and :func:`pump` runs them (both in
``helpers.explorer_pages``).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers.explorer_pages import FakeDoc, pump, pump_until
from helpers.waiting import HANG_GUARD, wait_until

import deterrence as dt
from deterrence.explorer import _regime_map, _tree
from deterrence.explorer._app import Page
from deterrence.explorer._regime_map import MapCache


def text(div: Any) -> str:
    import re

    return " ".join(re.sub(r"<style>.*?</style>|<[^>]+>", " ", div.text, flags=re.S).split())


@pytest.fixture(scope="module")
def page() -> Any:
    cfg = dt.explorer.make_config("mutual_deterrence", x="a_wins", y="a_conflict")
    p = Page(FakeDoc(), cfg, MapCache(), ("mutual_deterrence",))
    pump(p)
    assert "Regime:" in text(p.indicators) and p.map is not None
    yield p
    p.close()


def _state(p: Page) -> tuple:
    return (dict(p.values), p.concept, p.policy, p.x, p.y, p.colour_by, p.shown, p.point_gen)


def _widget(p: Page, name: str) -> Any:
    return p.doc.get_model_by_name(name)


BAD_VALUES = [
    ("a_wins", "value", math.nan),  # (None, "0.5", True: Bokeh's own property check refuses them)
    ("a_wins", "value", 10**400),
    ("equilibrium", "value", "abc"),
    ("equilibrium", "value", "-5"),
    ("equilibrium", "value", "99"),
    ("equilibrium", "value", "\u00b2"),
    ("map_x", "value", "no_such_parameter"),
    ("map_y", "value", ""),
    ("concept", "value", "bogus"),
    ("concept", "value", "pbe"),  # a real concept that mutual_deterrence does not declare
    ("belief_policy", "value", "bogus"),
    ("colour_by", "value", "<b>bogus</b>"),
]


@pytest.mark.parametrize(("name", "attr", "value"), BAD_VALUES)
def test_a_value_no_widget_offers_is_put_back(page: Page, name: str, attr: str, value: Any) -> None:
    widget = _widget(page, name)
    before, shown = _state(page), getattr(widget, attr)
    widget.update(**{attr: value})  # as a websocket message would (Bokeh's property check passes it)
    pump(page)
    assert getattr(widget, attr) == shown, f"{name} kept {value!r}"
    assert _state(page) == before
    # the page still answers a real move
    slider = page.sliders["a_wins"]
    old = slider.value
    slider.value = page.config.ranges["a_wins"].snap(old + 5 * page.config.ranges["a_wins"].step)
    pump(page)
    assert page.answer is not None and page.answer.ok and page.answer.values["a_wins"] == slider.value
    slider.value = old
    pump(page)


def test_a_tap_outside_numbers_moves_nothing(page: Page) -> None:
    before = _state(page)
    page._on_tap(type("Tap", (), {"x": math.nan, "y": 1.0})())
    pump(page)
    assert _state(page) == before


def test_swapping_the_map_axes_shows_the_swap_in_both_menus(page: Page) -> None:
    x, y = page.x, page.y
    _widget(page, "map_y").value = x  # y := the parameter on x: the axes swap
    pump(page)
    assert (page.x, page.y) == (y, x)
    assert (_widget(page, "map_x").value, _widget(page, "map_y").value) == (y, x)
    assert (page.map.x, page.map.y) == (y, x)
    _widget(page, "map_x").value = x  # and back
    pump(page)
    assert (page.x, page.y) == (x, y)
    assert (_widget(page, "map_x").value, _widget(page, "map_y").value) == (x, y)


def test_a_closed_page_stops_its_per_point_map(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing the tab (the session is destroyed) while a per-point map is being solved stops the
    map after the row in hand, rather than solving every row for nobody."""
    rows: list[float] = []
    started, release = threading.Event(), threading.Event()

    def one_row(req: Any, grid: dict, path: str) -> pd.DataFrame:
        rows.append(float(grid[req.y][0]))
        started.set()
        release.wait(HANG_GUARD)  # hang guard only
        return pd.DataFrame()

    monkeypatch.setattr(_regime_map, "_sweep", one_row)
    cfg = dt.explorer.make_config("chain_store", grid=5)  # its PBE does not compile: per-point map
    page = Page(FakeDoc(), cfg, MapCache(), ())
    assert not page.compiled
    pump_until(page, started.is_set, "the per-point map never started")  # the point, then the map
    page.close()
    release.set()
    wait_until(lambda: page.maps.idle, "the closed page's map never stopped", lambda: time.sleep(0.05))
    assert len(rows) == 1, f"the closed page went on solving {len(rows) - 1} more rows"


@pytest.mark.parametrize("name", ["extended_deterrence", "chain_store", "brinkmanship"])
def test_tree_figure_passes_bokehs_checks(name: str) -> None:
    """Bokeh checks every document it serves; a glyph property naming a column that does not exist
    (a misspelt enum value reads as a column name) is logged as an error and warned in the
    browser's console on every page load."""
    from bokeh.core.validation import check_integrity

    model = dt.load_model(name)
    fig, _edges = _tree.figure(_tree.layout(model.game(check_orderings=False)))
    issues = check_integrity(list(fig.references()))
    assert not issues.error, [str(e) for e in issues.error]


# ---------------------------------------------------------------------------- racing requests
def _one_request(cfg: Any, kind: int) -> tuple:
    from deterrence.explorer import _kernel

    if kind == 0:
        return ("compiled", _kernel.compiled(cfg.model, "spe", "free")[0] is not None)
    if kind == 1:
        a = dt.explorer.answer(cfg.model, cfg.values, "spe")
        return ("answer", a.ok, tuple(e.regime for e in a.equilibria), a.selected, a.knife_edge)
    req = _regime_map.request(cfg.model, "spe", "free", cfg.x, cfg.y, cfg.ranges, 7, cfg.values)
    return ("map", tuple(_regime_map.compute(req).regime.ravel()))


def test_racing_requests_give_the_serial_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages, points and maps asking for the same kernel at once (the first compile races the
    others) neither deadlock nor answer differently from one request at a time."""
    from deterrence.explorer import _kernel
    from deterrence.kernels import _compiled

    cfg = dt.explorer.make_config("brinkmanship")
    monkeypatch.setattr(_compiled, "_COMPILED", {})  # a cold cache: every thread wants the compile
    results: dict[int, Any] = {}

    def run(k: int) -> None:
        try:
            results[k] = _one_request(cfg, k % 3)
        except Exception as exc:  # reported by the assertion below
            results[k] = repr(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(HANG_GUARD)  # hang guard only
    assert not any(t.is_alive() for t in threads), "a request never finished (deadlock?)"
    serial = [_one_request(cfg, kind) for kind in range(3)]
    assert [results[k] for k in range(9)] == [serial[k % 3] for k in range(9)]
    assert _kernel._LOCK.acquire(blocking=False)
    _kernel._LOCK.release()


@pytest.mark.parametrize("failure", [RuntimeError("compiler bug"), KeyboardInterrupt()])
def test_a_failing_compile_leaves_no_lock_and_no_kernel(
    monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    from deterrence.explorer import _kernel
    from deterrence.kernels import _compiled

    model = dt.load_model("egame12")
    monkeypatch.setattr(_compiled, "_COMPILED", {})
    real = _compiled.compile_tree

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise failure

    monkeypatch.setattr(_compiled, "compile_tree", failing)
    with pytest.raises(type(failure)):
        _kernel.compiled(model, "spe", "free")
    assert not _compiled._COMPILED, "a half-built kernel was cached"
    monkeypatch.setattr(_compiled, "compile_tree", real)
    done = threading.Event()
    threading.Thread(target=lambda: (_kernel.compiled(model, "spe", "free"), done.set()), daemon=True).start()
    assert done.wait(HANG_GUARD), "the kernel lock was left held (hang guard)"
    assert _kernel.compiled(model, "spe", "free")[0] is not None


def test_a_model_familys_point_answer_has_no_knife_edge_test() -> None:
    """A model family compiles to its own kernel, which has no knife-edge test: the point answer
    says nothing about knife edges rather than raising (the live page dropped the error silently;
    ``deterrence.explorer.answer`` raised AttributeError)."""
    cfg = dt.explorer.make_config("collective_defence")
    a = dt.explorer.answer(cfg.model, cfg.values, cfg.concept, cfg.belief_policy)
    assert a.ok and not a.knife_edge
    kw = {"belief_policy": cfg.belief_policy}
    found = dt.solve(cfg.model.game(cfg.values), cfg.concept, **kw)
    assert sorted(e.regime for e in a.equilibria) == sorted(
        dt.regime_label(e.outcomes, e.is_pure()) for e in found
    )


# ---------------------------------------------------------------------------- what a page builds
# Every page is built on the server, one after another when a class opens a model at once: these
# keep a page's Bokeh models few (the tree draws with the same number of models whatever its
# information sets), its map's columns sent as arrays, and its tree's layout made once per model.
def _model_count(fig: Any) -> int:
    return len(fig.references())


def test_the_tree_draws_every_information_set_as_one_glyph() -> None:
    """unilateral_deterrence has six information sets of several nodes, extended_deterrence two:
    each is a dashed line of the same one glyph (before: a line, a source and their helpers per
    set), and neither figure builds the invisible axes and grid or glyph variants nothing shows
    (the tree's tools only pan, zoom and hover: nothing is ever selected or muted)."""
    from bokeh.models import GlyphRenderer, MultiLine

    figures, sets_drawn = {}, {}
    for name in ("unilateral_deterrence", "extended_deterrence"):
        tree = _tree.layout(dt.load_model(name).game(check_orderings=False))
        fig, _edges = _tree.figure(tree)
        sets = [r for r in fig.renderers if isinstance(r.glyph, MultiLine)]
        assert len(sets) == 1
        assert sets[0].data_source.data["xs"] == [list(xs) for xs in tree.infoset_xs]
        assert sets[0].data_source.data["ys"] == [list(ys) for ys in tree.infoset_ys]
        assert not fig.axis and not fig.grid
        for r in fig.select(type=GlyphRenderer):
            assert (r.nonselection_glyph, r.muted_glyph, r.hover_glyph) == ("auto", "auto", None)
        figures[name], sets_drawn[name] = fig, len(sets[0].data_source.data["xs"])
    assert sets_drawn == {"unilateral_deterrence": 6, "extended_deterrence": 2}
    assert _model_count(figures["unilateral_deterrence"]) == _model_count(figures["extended_deterrence"])


def test_the_map_columns_go_to_the_browser_as_arrays(page: Page) -> None:
    """The map's numbers go as one binary block per column and its strings as one list, not as a
    value at a time (a 41×41 map to each page of a class); the cells are those of the map."""
    from bokeh.core.serialization import Serializer

    data, m = page.cells.data, page.map
    assert m is not None and m.complete
    gx, gy = np.meshgrid(m.xs, m.ys)
    assert data["x"].tolist() == gx.ravel().tolist() and data["y"].tolist() == gy.ravel().tolist()
    assert data["regime"].tolist() == m.regime.ravel().tolist()
    assert data["n"].tolist() == m.n_equilibria.ravel().tolist()
    assert data["colour"].tolist() == [page.colours(r) for r in m.regime.ravel().tolist()]
    encoded = Serializer(deferred=False).encode(dict(data))
    entries = dict(encoded["entries"])
    for name in ("x", "y", "w", "h", "n", "value"):
        assert entries[name]["type"] == "ndarray" and entries[name]["array"]["type"] == "bytes", name
    for name in ("colour", "regime"):
        assert entries[name]["type"] == "ndarray" and isinstance(entries[name]["array"], list), name


def test_pages_of_a_model_share_one_read_only_tree_layout() -> None:
    """A class's pages of a model open at the same values: its game is built and its tree laid out
    once, and no page can change the layout the others draw."""
    cfg = dt.explorer.make_config("extended_deterrence")
    first = Page(FakeDoc(), cfg, MapCache(), ())
    second = Page(FakeDoc(), cfg, MapCache(), ())
    first.close()
    second.close()
    assert first.tree_layout is second.tree_layout
    with pytest.raises(ValueError, match="read-only"):
        first.tree_layout.x[0] = 1.0
    other = dict(cfg.values, credibility=cfg.ranges["credibility"].snap(cfg.values["credibility"] / 2))
    assert _tree.layout_at(cfg.model, other) is not first.tree_layout
    fresh = _tree.layout(cfg.model.game(cfg.values, check_orderings=False))
    assert np.array_equal(fresh.x, first.tree_layout.x) and fresh.node_text == first.tree_layout.node_text


def test_a_d1_map_is_drawn_whole_by_the_compiled_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """D1 beliefs compile now: the page's map under ``d1`` is the compiled one (drawn whole, not row
    by row), and its regimes are those of the map whose every cell is solved on its own."""
    import functools

    from deterrence.explorer import _kernel

    cfg = dt.explorer.make_config("extended_deterrence", belief_policy="d1")
    req = _regime_map.request(cfg.model, "pbe", "d1", cfg.x, cfg.y, cfg.ranges, 5, cfg.values)
    compiled_map = _regime_map.compute(req)
    assert compiled_map.compiled and compiled_map.complete
    monkeypatch.setattr(_kernel, "compiled", lambda *a: (None, "solved per point for the comparison"))
    monkeypatch.setattr(dt, "sweep", functools.partial(dt.sweep, path="pointwise"))
    per_point_map = _regime_map.compute(req)
    assert not per_point_map.compiled and per_point_map.complete
    assert (compiled_map.regime == per_point_map.regime).all()
