"""The live page: widgets, layout and callbacks of one browser session (a Bokeh document).

A slider move snaps the value to what the slider shows and asks the point worker for the
answer at the new point (:func:`._point.answer`); when the moved parameter is not on the map,
the map worker computes a new map (:mod:`._regime_map`, cached, and computed once for every page
that asks for the same map at the same time). Answers come back on the
workers' threads and are put on the document with ``add_next_tick_callback``. A point that
takes longer than :data:`BUSY_AFTER` seconds shows a "computing" box until it arrives; errors
(orderings violated, no equilibrium found, a solver's limit) show as messages in the page.

Nothing slow runs on the server's event loop, which every page shares: the compiled kernel of
the page's (model, concept, belief policy) comes from :func:`._kernel.prepare`, compiled on a
background thread the first time. Until it is ready the page says "Preparing the compiled
model…" where the map goes (the point is solved per point meanwhile, as always); when it is,
the map is drawn.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np

from . import _panels, _regime_map, _tree
from ._config import BELIEF_POLICIES, ExplorerConfig
from ._map_view import map_figure
from ._point import PointAnswer, answer, with_knife_edge
from ._worker import LatestWorker

#: seconds before a pending point answer shows the "computing" box
BUSY_AFTER = 0.15
#: per-point maps: a budget in seconds for the whole map, and the most a map may take
MAP_BUDGET, MAP_LIMIT = 60.0, 180.0
#: where the map goes while the kernel is compiled (the first page of a model and concept)
PREPARING = (
    "Preparing the compiled model for this concept (once per model and concept; other pages "
    "are served meanwhile)… The map follows when it is ready."
)


class Page:
    """One explorer page (see the module docstring)."""

    def __init__(
        self, doc: Any, config: ExplorerConfig, cache: _regime_map.MapCache, models: tuple[str, ...] = ()
    ) -> None:
        self.doc, self.config, self.cache = doc, config, cache
        self.model = config.model
        self.values = dict(config.values)
        self.concept, self.policy = config.concept, config.belief_policy
        self.x, self.y = config.x, config.y
        self.colour_by = "regime"
        self.colours = _panels.RegimeColours()
        self.answer: PointAnswer | None = None
        self.answer_gen = -1
        self.shown = 0
        self.shown_regime = ""
        #: whether the model compiles for the concept and policy; ``None`` while it is being prepared
        self.compiled: bool | None = None
        self.kernel_gen = 0
        self._prepare_kernel()
        self.map: _regime_map.RegimeMap | None = None
        self.map_key: tuple | None = None
        self.point_gen = self.map_gen = 0
        self.points = LatestWorker("point")
        self.maps = LatestWorker("map", delay=0.12)
        self._build(models)
        doc.on_session_destroyed(lambda _ctx: self.close())

    # ------------------------------------------------------------------ layout
    def _build(self, models: tuple[str, ...]) -> None:
        from bokeh.layouts import column, row

        w = self._widgets(models)
        self.tree_fig, self.tree_edges = self._tree_figure()
        self.map_fig, self.cells, self.marker = self._map_figure()
        controls = column(
            w["header"],
            w["model"],
            row(w["concept"], w["policy"]),
            column(
                *self.sliders.values(),
                height=560,
                sizing_mode="stretch_width",
                styles={"overflow-y": "auto", "overflow-x": "hidden"},
            ),
            w["meanings"],
            width=340,
        )
        right = column(
            self.status,
            row(self.indicators, column(self.pick, self.table), spacing=20),
            self.warning,
            row(
                self.map_fig,
                column(row(w["x"], w["y"]), w["colour"], self.map_status, self.legend, width=330),
            ),
            self.tree_holder,
            sizing_mode="stretch_width",
        )
        self.doc.add_root(row(controls, right, sizing_mode="stretch_width", name="explorer"))
        self.doc.title = f"deterrence explore: {self.model.name}"
        self.request_point()
        self.request_map()

    def _widgets(self, models: tuple[str, ...]) -> dict[str, Any]:
        from bokeh.models import CustomJS, Div, Select

        cfg = self.config
        w: dict[str, Any] = {"header": Div(text=_panels.header(self.model), width=330)}
        names = list(dict.fromkeys([*models, self.model.name])) if models else [self.model.name]
        w["model"] = Select(title="Model", value=self.model.name, options=names, name="model", width=320)
        w["model"].js_on_change("value", CustomJS(code="window.location.search = '?model=' + cb_obj.value;"))
        w["concept"] = Select(
            title="Concept", value=self.concept, options=list(cfg.concepts), name="concept", width=150
        )
        w["policy"] = Select(
            title="Off-path beliefs (PBE)",
            value=self.policy,
            options=["free", "prior", "d1"],
            name="belief_policy",
            width=160,
            visible=self.concept == "pbe",
        )
        params = list(self.model.parameters)
        w["x"] = Select(title="Map x", value=self.x, options=params, name="map_x", width=160)
        w["y"] = Select(title="Map y", value=self.y, options=params, name="map_y", width=160)
        w["colour"] = Select(
            title="Colour the map by", value="regime", options=["regime"], name="colour_by", width=320
        )
        self.colour_select = w["colour"]
        self.policy_select = w["policy"]
        self.concept_select = w["concept"]
        self.axis_selects = {"x": w["x"], "y": w["y"]}
        self.sliders = {n: self._slider(n) for n in params}
        w["meanings"] = Div(text=_panels.meanings(self.model), width=330)
        self.status = Div(text="", name="status", sizing_mode="stretch_width")
        self.indicators = Div(text="", name="indicators", width=300)
        self.pick = Select(
            title="Show equilibrium", value="0", options=[("0", "1")], name="equilibrium", width=360
        )
        self.table = Div(text="", name="equilibria", width=380)
        self.warning = Div(text="", name="warning", sizing_mode="stretch_width")
        self.map_status = Div(text="", name="map_status", width=320)
        self.legend = Div(text="", name="legend", width=320)
        w["concept"].on_change("value", self._on_concept)
        w["policy"].on_change("value", self._on_policy)
        w["x"].on_change("value", partial(self._on_axis, "x"))
        w["y"].on_change("value", partial(self._on_axis, "y"))
        w["colour"].on_change("value", self._on_colour)
        self.pick.on_change("value", self._on_pick)
        return w

    def _slider(self, name: str) -> Any:
        from bokeh.models import Slider

        rng = self.config.ranges[name]
        s = Slider(
            start=rng.lo,
            end=rng.hi,
            step=rng.step,
            value=self.values[name],
            title=name,
            name=name,
            format="0[.]000",
            sizing_mode="stretch_width",
        )
        s.on_change("value", partial(self._on_value, name))
        return s

    def _tree_figure(self) -> tuple[Any, Any]:
        from bokeh.layouts import column
        from bokeh.models import Div

        try:
            self.tree_layout = _tree.layout_at(self.model, self.values)
        except Exception as exc:  # a model whose defaults do not build: say so, draw no tree
            self.tree_layout = None
            self.tree_holder = column(Div(text=_panels.message(f"No tree: {exc}", "error")))
            return None, None
        if self.tree_layout is None:  # a model family's aggregated game: no tree
            self.tree_holder = column(Div(text=_panels.message(_panels.NO_TREE, "warn")))
            return None, None
        fig, edges = _tree.figure(self.tree_layout, "Game tree: the equilibrium path in red")
        self.tree_holder = column(fig, sizing_mode="stretch_width")
        return fig, edges

    def _map_figure(self) -> tuple[Any, Any, Any]:
        from bokeh.events import Tap

        rx, ry = self.config.ranges[self.x], self.config.ranges[self.y]
        empty = {k: [] for k in ("x", "y", "w", "h", "colour", "regime", "n", "value")}
        tips = [("regime", "@regime"), ("equilibria", "@n"), ("value", "@value{0.000}")]
        fig, cells, marker = map_figure(
            self.x,
            self.y,
            (rx.lo, rx.hi),
            (ry.lo, ry.hi),
            empty,
            (self.values[self.x], self.values[self.y]),
            tips,
        )
        fig.on_event(Tap, self._on_tap)
        return fig, cells, marker

    # ------------------------------------------------------------------ callbacks (document thread)
    # The page only sends values from its own widgets, but a browser's console (or any websocket
    # client) can send anything: a value no widget offers puts the widget back and changes nothing.
    def _on_value(self, name: str, _attr: str, _old: Any, new: Any) -> None:
        if not _is_number(new):  # NaN, None, a string: the slider goes back to the value in use
            self.sliders[name].value = self.values[name]
            return
        value = self.config.ranges[name].snap(new)
        if value == self.values.get(name):
            return
        self.values[name] = value
        if name in (self.x, self.y):
            self.marker.data = {"x": [self.values[self.x]], "y": [self.values[self.y]]}
        self.request_point()
        if name not in (self.x, self.y) and self.compiled:
            self.request_map()

    def _on_concept(self, _attr: str, _old: Any, new: str) -> None:
        if new not in self.config.concepts:
            self.concept_select.value = self.concept
            return
        if new == self.concept:
            return
        self.concept = new
        self._prepare_kernel()
        self.shown_regime = ""
        self.policy_select.visible = new == "pbe"
        self.request_point()
        self.request_map()

    def _on_policy(self, _attr: str, _old: Any, new: str) -> None:
        if new not in BELIEF_POLICIES:
            self.policy_select.value = self.policy
            return
        if new == self.policy:
            return
        self.policy = new
        self._prepare_kernel()
        self.request_point()
        self.request_map()

    def _on_axis(self, which: str, _attr: str, old: str, new: str) -> None:
        current, other = (self.x, self.y) if which == "x" else (self.y, self.x)
        if new not in self.model.parameters:
            self.axis_selects[which].value = current
            return
        if new == current:
            return
        if new == other:  # swap the axes rather than map one parameter against itself
            self.x, self.y = (new, current) if which == "x" else (current, new)
        elif which == "x":
            self.x = new
        else:
            self.y = new
        for axis, shown in (("x", self.x), ("y", self.y)):  # the other menu shows the swap too
            self.axis_selects[axis].value = shown
        rx, ry = self.config.ranges[self.x], self.config.ranges[self.y]
        self.map_fig.x_range.update(start=rx.lo, end=rx.hi)
        self.map_fig.y_range.update(start=ry.lo, end=ry.hi)
        self.map_fig.xaxis.axis_label, self.map_fig.yaxis.axis_label = self.x, self.y
        self.marker.data = {"x": [self.values[self.x]], "y": [self.values[self.y]]}
        self.request_map()

    def _on_colour(self, _attr: str, _old: Any, new: str) -> None:
        if new not in self.colour_select.options:
            self.colour_select.value = self.colour_by
            return
        self.colour_by = new
        self.draw_map()

    def _on_pick(self, _attr: str, _old: Any, new: str) -> None:
        if self.answer is None or not self.answer.ok:
            return
        index = int(new) if isinstance(new, str) and new.isascii() and new.isdigit() else -1
        if not 0 <= index < len(self.answer.equilibria):
            self.pick.value = str(self.shown)
            return
        self.shown = index
        self.draw_answer()

    def _on_tap(self, event: Any) -> None:
        if not (_is_number(event.x) and _is_number(event.y)):
            return
        self.sliders[self.x].value = self.config.ranges[self.x].snap(event.x)
        self.sliders[self.y].value = self.config.ranges[self.y].snap(event.y)

    # ------------------------------------------------------------------ the point
    def request_point(self) -> None:
        self.point_gen += 1
        gen = self.point_gen
        args = (self.model, dict(self.values), self.concept, self.policy, self.config.selection)
        self.points.submit(partial(self._point_job, gen, args), lambda res: None)
        self.doc.add_timeout_callback(partial(self._maybe_busy, gen), int(BUSY_AFTER * 1000))

    def _point_job(self, gen: int, args: tuple) -> None:
        """On the point worker: the answer first, then the (slower) knife-edge test as an update."""
        try:
            first = answer(*args, check_edge=False)
        except Exception as exc:  # shown in the page
            self._later(self._got_point, gen, exc)
            return
        self._later(self._got_point, gen, first)
        if first.ok and gen == self.point_gen:
            checked = with_knife_edge(first, args[0], args[3])
            if checked is not first:
                self._later(self._got_point, gen, checked)

    def _maybe_busy(self, gen: int) -> None:
        if gen == self.point_gen and (self.answer is None or self.answer_gen != gen):
            how = self._how()
            self.status.text = _panels.message(f"Computing the equilibria at this point ({how})…", "busy")

    def _got_point(self, gen: int, result: Any) -> None:
        if gen != self.point_gen:
            return  # the sliders have moved on; the newer answer is on its way
        if isinstance(result, Exception):
            result = PointAnswer(dict(self.values), self.concept, error=f"{type(result).__name__}: {result}")
        self.answer, self.answer_gen = result, gen
        self.shown = self._keep_shown(result) if result.ok else 0
        self.draw_answer()
        if not self.compiled:
            self.request_map()

    def _keep_shown(self, result: PointAnswer) -> int:
        """Keep showing the same class of equilibrium while the sliders move, if it still exists
        (else the one the map's selection rule picks)."""
        for k, eq in enumerate(result.equilibria):
            if self.shown_regime and eq.regime == self.shown_regime:
                return k
        return result.selected

    # ------------------------------------------------------------------ the compiled kernel
    def _prepare_kernel(self) -> None:
        """Ask for the kernel of the current concept and policy without waiting for it: known at
        once if compiled before, else :attr:`compiled` is ``None`` until :meth:`_kernel_ready`."""
        from . import _kernel

        self.kernel_gen += 1
        gen = self.kernel_gen
        future = _kernel.prepare(self.model, self.concept, self.policy)
        if future.done():
            self.compiled = _compiles(future)
            return
        self.compiled = None
        future.add_done_callback(lambda done: self._later(self._kernel_ready, gen, done))

    def _kernel_ready(self, gen: int, future: Any) -> None:
        """On the document's thread: the kernel asked for is ready; draw the map it was waiting for."""
        if gen != self.kernel_gen:
            return  # the concept or policy changed meanwhile; its own kernel is on its way
        self.compiled = _compiles(future)
        if self.answer is not None and self.answer_gen == self.point_gen:
            self.draw_answer()  # its status line says how the page answers
        self.request_map()

    def _how(self) -> str:
        if self.compiled is None:
            return "per-point solving while the compiled model is prepared"
        return "compiled model" if self.compiled else "per-point solving"

    def draw_answer(self) -> None:
        a = self.answer
        if a is None:
            return
        if not a.ok:
            self.status.text = _panels.message(f"No answer at these values: {a.error}", "error")
            self.indicators.text = _panels.indicators("–", "", {})
            self.table.text, self.warning.text = "", ""
            return
        eq = a.equilibria[self.shown]
        self.shown_regime = eq.regime
        how = self._how()
        self.status.text = (
            f"<small>{len(a.equilibria)} certified {a.concept.upper()} equilibri"
            f"{'um' if len(a.equilibria) == 1 else 'a'}, solved in {a.seconds * 1000:.0f} ms "
            f"({how}){'' if a.complete else '; this method does not promise to find every equilibrium'}"
            "</small>"
        )
        import deterrence as dt

        self.indicators.text = _panels.indicators(eq.regime, eq.label, eq.indicators, dt.INDICATOR_NAMES)
        rows = [(e.regime, e.label, e.indicators) for e in a.equilibria]
        self.table.text = _panels.equilibria(rows, self.shown, self.config.selection)
        options = [
            (str(k), f"{k + 1}: {e.regime} (p_attack {e.indicators.get('p_attack', 0):.2f})")
            for k, e in enumerate(a.equilibria)
        ]
        self.pick.options = options
        self.pick.value = str(self.shown)
        self.warning.text = _panels.message(" ".join(a.warnings), "warn")
        if self.tree_edges is not None and len(eq.edge) == len(self.tree_layout.x):
            self.tree_edges.data.update(_tree.edge_columns(self.tree_layout, eq.edge, eq.reach))

    # ------------------------------------------------------------------ the map
    def request_map(self) -> None:
        """Show the map for the current axes and values: from the cache, or computed by the map worker
        (the cache key is that of the full-size map, also for a coarser per-point map)."""
        req = _regime_map.request(
            self.model,
            self.concept,
            self.policy,
            self.x,
            self.y,
            self.config.ranges,
            self.config.grid,
            self.values,
            self.config.selection,
        )
        key = req.key()
        if self.compiled is None:  # :meth:`_kernel_ready` asks again
            self.map_gen += 1  # a map on its way for another concept is not shown
            self.map_key = None
            self.map_status.text = _panels.message(PREPARING, "busy")
            return
        cached = self.cache.get(key)
        if cached is not None:
            self.map_gen += 1
            self.map, self.map_key = cached, key
            self.map_status.text = f"<small>Map {len(cached.xs)}×{len(cached.ys)} (cached)</small>"
            self.draw_map()
            return
        if key == self.map_key:
            return  # this map is on its way
        if not self.compiled:
            req = self._pointwise_request(req)
            if req is None:
                return
        self.map_gen += 1
        gen = self.map_gen
        self.map_key = key

        def show_rows(partial_map: _regime_map.RegimeMap) -> None:
            self._later(self._got_map, gen, partial_map, key)

        def wanted() -> bool:
            """Whether this map is still wanted (not once the sliders moved on or the page is gone)."""
            return gen == self.map_gen and not self.maps.closed

        self.maps.submit(  # the same map asked for by other pages is computed once for all (MapCache)
            lambda: self.cache.compute(req, show_rows, wanted, key),
            lambda res: self._later(self._got_map, gen, res, key),
        )
        if self.compiled:
            self.map_status.text = _panels.message("Computing the regime map…", "busy")

    def _pointwise_request(self, req: _regime_map.MapRequest) -> _regime_map.MapRequest | None:
        """A coarser map for per-point solving, sized from the time of the last point answer."""
        if self.answer is None or self.answer_gen != self.point_gen:
            self.map_status.text = _panels.message(
                "The model does not compile for this concept: the map "
                "is solved per point once this point is answered.",
                "busy",
            )
            return None
        seconds = max(self.answer.seconds, 1e-3)
        if 9 * seconds > MAP_LIMIT:
            self.map_status.text = _panels.message(
                f"No map: per-point solving takes about {seconds:.0f} s a point here, so even a 3×3 map "
                f"would take {9 * seconds / 60:.0f} min (use `deterrence sweep` for it).",
                "warn",
            )
            return None
        cells = int(max(3, min(self.config.grid, np.sqrt(MAP_BUDGET / seconds))))
        from dataclasses import replace

        self.map_status.text = _panels.message(
            f"Computing a {cells}×{cells} map by per-point solving (about {seconds * cells * cells:.0f} s)…",
            "busy",
        )
        return replace(req, cells=cells)

    def _got_map(self, gen: int, result: Any, key: tuple) -> None:
        if gen != self.map_gen or result is None:  # None: a map nobody wanted any more
            return
        if isinstance(result, Exception):
            self.map_key = None
            self.map_status.text = _panels.message(f"No map: {result}", "error")
            return
        self.map = result
        if result.complete:
            self.cache.put(key, result)
            how = "compiled" if result.compiled else "per point"
            self.map_status.text = (
                f"<small>Map {len(result.xs)}×{len(result.ys)} ({how}) in {result.seconds:.2f} s</small>"
            )
        else:
            self.map_status.text = _panels.message(
                f"Computing the map by per-point solving: row {result.rows_done} of {len(result.ys)}…", "busy"
            )
        self.draw_map()

    def draw_map(self) -> None:
        m = self.map
        if m is None:
            return
        options = ["regime", *m.indicators]
        if list(self.colour_select.options) != options:
            self.colour_select.options = options
        if self.colour_by not in options:
            self.colour_by = "regime"
        self.cells.data = self._cell_columns(m)
        if self.colour_by == "regime":
            present = [r for r in dict.fromkeys(m.regime.ravel().tolist()) if r]
            self.legend.text = _panels.legend(
                [(r, self.colours(r)) for r in present], "Regime (selected equilibrium)"
            )
        else:
            lo, hi = self._value_range(m.indicators[self.colour_by])
            self.legend.text = _panels.ramp_legend(self.colour_by, lo, hi)

    def _cell_columns(self, m: _regime_map.RegimeMap) -> dict[str, np.ndarray]:
        """The map source's columns, as NumPy arrays: Bokeh sends numbers as one binary block and
        strings as one list (a map of a few thousand cells, per page, without encoding each value)."""
        gx, gy = np.meshgrid(m.xs, m.ys)
        done = np.zeros(m.regime.shape, dtype=bool)
        done[: m.rows_done] = True
        count = int(done.sum())
        w = float(m.xs[1] - m.xs[0]) if len(m.xs) > 1 else 1.0
        h = float(m.ys[1] - m.ys[0]) if len(m.ys) > 1 else 1.0
        values = m.indicators.get(self.colour_by, np.full(m.regime.shape, np.nan))
        if self.colour_by == "regime":
            colours = [self.colours(r) for r in m.regime[done].tolist()]
        else:
            lo, hi = self._value_range(values)
            colours = [_panels.ramp_colour(v, lo, hi) for v in values[done].tolist()]
        shown = (
            m.indicators.get("p_attack", np.full(m.regime.shape, np.nan))
            if self.colour_by == "regime"
            else values
        )
        return {
            "x": gx[done].astype(float),
            "y": gy[done].astype(float),
            "w": np.full(count, w),
            "h": np.full(count, h),
            "colour": _strings(colours),
            "regime": _strings(m.regime[done].tolist()),
            "n": m.n_equilibria[done].astype(int),
            "value": np.nan_to_num(shown[done].astype(float), nan=-1),
        }

    @staticmethod
    def _value_range(values: np.ndarray) -> tuple[float, float]:
        finite = values[np.isfinite(values)]
        if not len(finite):
            return 0.0, 1.0
        lo, hi = float(finite.min()), float(finite.max())
        return (min(lo, 0.0), max(hi, 1.0)) if lo >= 0 and hi <= 1 else (lo, hi)

    # ------------------------------------------------------------------ plumbing
    def _later(self, fn: Any, *args: Any) -> None:
        """Run ``fn(*args)`` on the document's thread (from a worker thread)."""
        try:
            self.doc.add_next_tick_callback(partial(fn, *args))
        except Exception:  # the session is gone
            self.close()

    def close(self) -> None:
        self.points.close()
        self.maps.close()


def _compiles(future: Any) -> bool:
    """Whether a finished :func:`._kernel.prepare` gave a kernel (a compile that raised did not:
    the page then solves per point, as for a model that does not compile)."""
    if future.cancelled() or future.exception() is not None:
        return False
    return future.result()[0] is not None


def _strings(items: list[str]) -> np.ndarray:
    """A column of strings as a NumPy string array (one list for Bokeh to send, not one value at a
    time); empty as such, not as an array of floats."""
    return np.array(items, dtype=str) if items else np.array([], dtype="<U1")


def _is_number(value: Any) -> bool:
    """A real number that is not NaN (infinities are clipped to a slider's ends; an integer too
    large for a float is refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return not math.isnan(value)
    except OverflowError:
        return False
