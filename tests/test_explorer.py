"""The explorer without a browser: options, slider ranges, the point answer, maps, the tree, the
latest-request worker, the static export and the command line's errors.

The point answer (per-point :func:`deterrence.solve`) and the regime map (compiled
:func:`deterrence.sweep`) come from two different paths of the library; the tests check they
agree cell by cell, so the marker's regime and the map's colour under it cannot disagree.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import numpy as np
import pytest

import deterrence as dt
from deterrence.cli import main
from deterrence.explorer import _regime_map, _tree
from deterrence.explorer._config import Range, default_range
from deterrence.explorer._worker import LatestWorker


@pytest.fixture(scope="module")
def cfg() -> dt.explorer.ExplorerConfig:
    return dt.explorer.make_config("extended_deterrence", x="credibility", y="cost_attacker")


# ---------------------------------------------------------------------------- options
@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"x": "nope"}, dt.ParameterError, "has no parameter 'nope'"),
        ({"x": "stakes", "y": "stakes"}, dt.ParameterError, "two different parameters"),
        ({"concept": "nash"}, dt.UnsupportedError, "declares the concepts"),
        ({"belief_policy": "maybe"}, dt.UnsupportedError, "unknown belief policy"),
        ({"ranges": {"credibility": (0.0, 2.0)}}, dt.ParameterError, "credibility"),
        ({"ranges": {"credibility": (0.8, 0.2)}}, dt.ParameterError, "must be below"),
        ({"values": {"credibility": 1.5}}, dt.ParameterError, "credibility"),
        ({"grid": 1}, dt.ParameterError, "--grid"),
    ],
)
def test_bad_options_are_typed_errors(kwargs: dict, error: type, words: str) -> None:
    with pytest.raises(error, match=re.escape(words)):
        dt.explorer.make_config("extended_deterrence", **kwargs)


def test_unknown_model() -> None:
    with pytest.raises(dt.ModelError, match="no model named"):
        dt.explorer.make_config("no_such_model")


def test_slider_ranges_are_finite_and_inside_the_domain() -> None:
    for name in dt.list_models():
        model = dt.load_model(name)
        for p in model.parameters.values():
            r = default_range(p)
            assert np.isfinite([r.lo, r.hi, r.step]).all() and r.lo < r.hi and r.step > 0
            assert p.contains(r.lo) and p.contains(r.hi), (name, p.name, r)
            assert r.lo <= float(p.default) <= r.hi or not p.contains(float(p.default))


def test_snap_gives_the_number_the_slider_shows() -> None:
    r = Range(0.0, 1.0, 0.005)
    assert r.snap(0.45000000000000007) == 0.45
    assert r.snap(1.7) == 1.0 and r.snap(-3) == 0.0
    assert r.cell_centres(4) == [0.125, 0.375, 0.625, 0.875]


# ---------------------------------------------------------------------------- the point
def test_point_answer_is_certified_and_selected_like_a_sweep(cfg: dt.explorer.ExplorerConfig) -> None:
    a = dt.explorer.answer(cfg.model, {**cfg.values, "credibility": 1.0}, "pbe")
    assert a.ok and a.equilibria[a.selected].regime == "status_quo" and not a.knife_edge
    found = dt.solve(cfg.model.game({**cfg.values, "credibility": 1.0}), concept="pbe")
    assert len(a.equilibria) == len(found) and all(eq.certificate.passed for eq in found)


def test_knife_edge_is_flagged(cfg: dt.explorer.ExplorerConfig) -> None:
    # credibility 0.5: attacking stops paying at cost_attacker = 0.7 - 0.5 * 0.5 = 0.45 exactly
    edge = dt.explorer.answer(cfg.model, {**cfg.values, "cost_attacker": 0.45}, "pbe")
    assert edge.knife_edge and "Knife edge" in edge.warnings[0]
    assert {e.regime for e in edge.equilibria} == {"status_quo", "war+allied_war+abandonment"}
    clear = dt.explorer.answer(cfg.model, {**cfg.values, "cost_attacker": 0.44}, "pbe")
    assert not clear.knife_edge and not clear.warnings


def test_bad_values_become_a_message(cfg: dt.explorer.ExplorerConfig) -> None:
    a = dt.explorer.answer(cfg.model, {**cfg.values, "p_alone": 0.9}, "pbe")
    assert not a.ok and "violate the ordering 'p_alone < p_allied'" in a.error
    assert "check_orderings" not in a.error


def test_map_agrees_with_the_point_answers(cfg: dt.explorer.ExplorerConfig) -> None:
    req = _regime_map.request(
        cfg.model, "pbe", "free", "credibility", "cost_attacker", cfg.ranges, 7, cfg.values
    )
    m = _regime_map.compute(req)
    assert m.compiled and m.complete and m.regime.shape == (7, 7)
    for j, yv in enumerate(m.ys):
        for i, xv in enumerate(m.xs):
            a = dt.explorer.answer(cfg.model, {**cfg.values, "credibility": xv, "cost_attacker": yv}, "pbe")
            assert a.equilibria[a.selected].regime == m.regime[j, i], (xv, yv)
            assert a.equilibria[a.selected].indicators["p_attack"] == pytest.approx(
                m.indicators["p_attack"][j, i]
            )
    assert {"p_attack", "p_war", "p_entrapment", "p_abandonment", "deterred"} <= set(m.indicators)
    assert not set(m.indicators) & set(cfg.model.parameters)


def test_map_leaves_cells_that_violate_orderings_blank(cfg: dt.explorer.ExplorerConfig) -> None:
    req = _regime_map.request(cfg.model, "pbe", "free", "p_alone", "p_allied", cfg.ranges, 6, cfg.values)
    rows = []
    m = _regime_map.compute(req, on_row=lambda part: rows.append(part.rows_done) or True)
    assert rows == list(range(1, 7))
    gx, gy = np.meshgrid(m.xs, m.ys)
    assert (m.regime[gx >= gy] == _regime_map.OUTSIDE).all()
    assert (m.regime[gx < gy] != _regime_map.OUTSIDE).any()


def test_a_map_drawn_row_by_row_takes_the_kernels_the_process_holds(cfg: dt.explorer.ExplorerConfig,
                                                                     monkeypatch) -> None:
    """Cells breaking an ordering make the map go row by row: each row's sweep is short, and under
    ``path="auto"`` it would weigh the compile's cost again and go per point (while the map says
    compiled). Every row takes the kernels the page holds."""
    paths: list[dict] = []
    real = _regime_map.dt.sweep

    def recorded(*args, **kwargs):
        result = real(*args, **kwargs)
        paths.append(dict(result.manifest.paths))
        return result

    monkeypatch.setattr(_regime_map.dt, "sweep", recorded)
    req = _regime_map.request(cfg.model, "pbe", "free", "p_alone", "p_allied", cfg.ranges, 6, cfg.values)
    m = _regime_map.compute(req)
    rows_with_cells = int((m.regime != _regime_map.OUTSIDE).any(axis=1).sum())
    assert m.compiled and rows_with_cells > 1 and len(paths) == rows_with_cells
    assert all(set(p) == {"compiled"} for p in paths), paths


def test_a_partial_map_handed_on_is_not_filled_later(cfg: dt.explorer.ExplorerConfig) -> None:
    """Each row went to the page as the map being filled itself: a page read it complete before the
    map's last callback, with a partial map's status (a merged suite's explorer-loop test). Each
    row is now handed on as a snapshot that stays as it was."""
    req = _regime_map.request(cfg.model, "pbe", "free", "p_alone", "p_allied", cfg.ranges, 6, cfg.values)
    parts = []
    m = _regime_map.compute(req, on_row=lambda part: parts.append((part, part.rows_done)) or True)
    assert [done for _, done in parts] == list(range(1, 7))
    assert all(part.rows_done == done for part, done in parts)  # none moved on after it was handed on
    assert all(part is not m for part, _ in parts[:-1]) and not any(part.complete for part, _ in parts[:-1])


def test_per_point_map_can_be_stopped() -> None:
    c = dt.explorer.make_config("extended_deterrence", concept="spe")
    req = _regime_map.request(c.model, "spe", "free", c.x, c.y, c.ranges, 5, c.values)
    m = _regime_map.compute(req, on_row=lambda part: part.rows_done < 2)
    assert not m.compiled and m.rows_done == 2 and not m.complete


def test_map_cache_is_a_small_lru() -> None:
    cache = _regime_map.MapCache(size=2)
    maps = [
        _regime_map.RegimeMap(
            "a", "b", np.zeros(1), np.zeros(1), np.zeros((1, 1), object), np.zeros((1, 1), int), rows_done=1
        )
        for _ in range(3)
    ]
    for k, m in enumerate(maps):
        cache.put((k,), m)
    assert cache.get((0,)) is None and cache.get((2,)) is maps[2]


# ---------------------------------------------------------------------------- the tree
def test_tree_highlights_the_path_played(cfg: dt.explorer.ExplorerConfig) -> None:
    a = dt.explorer.answer(cfg.model, {**cfg.values, "credibility": 1.0}, "pbe")
    tree = _tree.layout(a.game)
    assert len(tree.x) == 15 and tree.leaves == 8 and tree.depth == 4
    eq = a.equilibria[a.selected]
    cols = _tree.edge_columns(tree, eq.edge, eq.reach)
    played = {t for t, c in zip(cols["text"], cols["colour"], strict=True) if c == _tree.ON_PATH}
    assert played == {"committed\n1.00", "no_attack\n1.00"}  # the uncommitted branch has probability 0
    assert all(
        c != _tree.ON_PATH
        for t, c in zip(cols["text"], cols["colour"], strict=True)
        if t.startswith("attack")
    )


# ---------------------------------------------------------------------------- the worker
def test_worker_runs_only_the_latest_request() -> None:
    ran, done = [], threading.Event()
    started, release = threading.Event(), threading.Event()
    worker = LatestWorker("test")
    try:
        # the first job holds the worker (no sleeps: events order the steps, no deadline)
        worker.submit(lambda: (started.set(), release.wait(), ran.append(0)), lambda _r: None)
        started.wait()
        for k in range(1, 6):
            worker.submit(lambda k=k: ran.append(k), lambda _r, k=k: done.set() if k == 5 else None)
        release.set()
        done.wait()
        assert ran == [0, 5]
        failed = threading.Event()
        worker.submit(lambda: 1 / 0, lambda r: failed.set() if isinstance(r, ZeroDivisionError) else None)
        failed.wait()
    finally:
        release.set()
        worker.close()


def test_worker_outlives_a_failing_callback(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
                                            ) -> None:
    """A callback that raises is logged and the next request still runs (a worker thread that died
    of it would report through ``threading.excepthook``: either event ends the wait)."""
    settled, died, second = threading.Event(), threading.Event(), threading.Event()
    monkeypatch.setattr(threading, "excepthook", lambda _args: (died.set(), settled.set()))
    started, release = threading.Event(), threading.Event()

    def fail(_result: object) -> None:
        raise RuntimeError("page gone")

    worker = LatestWorker("test")
    try:
        with caplog.at_level(logging.ERROR, logger="deterrence.explorer._worker"):
            worker.submit(lambda: (started.set(), release.wait()), fail)
            started.wait()
            worker.submit(lambda: 2, lambda r: (second.set(), settled.set()) if r == 2 else None)
            release.set()
            settled.wait()
        assert second.is_set() and not died.is_set()
        assert "the callback of a request failed" in caplog.text and "page gone" in caplog.text
    finally:
        release.set()
        worker.close()


# ---------------------------------------------------------------------------- the static page
def test_export_is_self_contained(tmp_path: Path) -> None:
    page = dt.explorer.export(
        "extended_deterrence",
        tmp_path,
        params=["credibility", "cost_attacker", "audience_cost"],
        cells=4,
        steps=2,
    )
    html = page.read_text()
    assert not re.search(r"<script[^>]+src=", html) and not re.search(r"<link[^>]+href=\"http", html)
    assert "Bokeh" in html and "edgeColumns" in html
    codes = re.search(r'\["regime",\[([0-9,]*)\]\]', html)  # the answers, serialised by Bokeh
    assert codes is not None and len(codes.group(1).split(",")) == 4 * 4 * 2


def test_export_refuses_bad_grids(tmp_path: Path) -> None:
    with pytest.raises(dt.ParameterError, match="two or three"):
        dt.explorer.export("extended_deterrence", tmp_path, params=["credibility"])
    with pytest.raises(dt.ParameterError, match="2 to 101"):
        dt.explorer.export("extended_deterrence", tmp_path, cells=500)
    with pytest.raises(dt.ResourceError, match="would take about"):
        dt.explorer.export("extended_deterrence", tmp_path, cells=40, max_seconds=1e-6)


# ---------------------------------------------------------------------------- the command line
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["explore", "no_such_model", "--no-browser"], "no model named 'no_such_model'"),
        (["explore", "--params", "credibility,stakes", "--no-browser"], "--params is for --export"),
        (["explore", "--range", "credibility=0:2", "--no-browser"], "credibility"),
        (["explore", "--range", "credibility", "--no-browser"], "expected NAME=LO:HI"),
        (["explore", "--port", "70000", "--no-browser"], "--port"),
        (["explore", "--export", "x", "--params", "a,b,c,d"], "two or three"),
    ],
)
def test_cli_errors(args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_cli_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "explore",
                "alliance_moral_hazard",
                "--export",
                str(tmp_path),
                "--params",
                "commitment,conditional",
                "--cells",
                "5",
            ]
        )
        == 0
    )
    assert f"Wrote {tmp_path / 'index.html'}" in capsys.readouterr().out
    assert (tmp_path / "index.html").stat().st_size > 100_000


def test_unknown_model_is_answered_404_over_loopback() -> None:
    """``?model=NAME`` of no model here is a 404 whose reason names it and the closest model (no
    page, no session); a known model is a page (200). Served on 127.0.0.1, read with the standard
    library's client (its timeout only a hang guard)."""
    import threading

    from helpers.explorer_server import answer
    from helpers.waiting import HANG_GUARD

    running = dt.explorer.start(dt.explorer.make_config("extended_deterrence"), port=0)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()

    def get(path: str) -> tuple[int, str, str]:
        return answer(running.port, "GET", path)

    try:
        status, reason, body = get("/?model=extended_deterence")
        assert status == 404
        assert "no model named 'extended_deterence'" in reason
        assert "did you mean 'extended_deterrence'" in reason
        assert "extended_deterence" in body
        status, reason, body = get("/?model=%3Cb%3Ex")  # markup in the name never reaches the page
        assert status == 404 and "<b>" not in body and "?b?x" in reason
        assert get("/?model=alliance_moral_hazard")[0] == 200
        assert get("/")[0] == 200
    finally:
        running.server.io_loop.add_callback(running.stop)
        thread.join(timeout=HANG_GUARD)


def test_a_server_stopped_by_ctrl_c_frees_its_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C ends the server's loop (``serve`` says "Explorer stopped."), and the server with it:
    it kept listening on its port, so a second ``serve`` in the same process (a notebook, a
    script that serves again) was refused with "port ... is in use (another explorer?)"."""
    import socket

    from deterrence.explorer import _server

    def interrupted(self: _server.RunningServer) -> None:  # Ctrl-C as the loop starts
        raise KeyboardInterrupt

    monkeypatch.setattr(_server.RunningServer, "run", interrupted)
    said: list[str] = []
    dt.explorer.serve("extended_deterrence", port=0, open_browser=False, say=said.append)
    port = int(re.search(r"127\.0\.0\.1:(\d+)/", said[0]).group(1))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))  # free again
    dt.explorer.serve("extended_deterrence", port=port, open_browser=False, say=said.append)
    assert said == [said[0], "Explorer stopped.", said[0], "Explorer stopped."]
