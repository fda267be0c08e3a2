"""The explorer in a real browser: headless Chromium drives the live page and the static page.

The live page is started the way a teacher starts it (``deterrence explore ... --no-browser
--port 0`` in a subprocess, on 127.0.0.1); the tests press keys on the sliders' handles as a
person would and check what the page then shows: the regime and indicators, the marker on the
map, a knife-edge warning, an orderings message, per-point solving with its visible state, and
that nothing was fetched from anywhere but the local server. The exported page is opened from
a file with the network unreachable. ``DETERRENCE_SCREENSHOTS=DIR`` saves the screenshots used
in the docs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import browser
from helpers.explorer_server import start_explorer, stop_explorer

import deterrence as dt

ROOT = Path(__file__).resolve().parent.parent
WHY = browser.missing()
pytestmark = pytest.mark.skipif(WHY is not None and not os.environ.get("CI"), reason=f"no browser: {WHY}")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    driver, profile = browser.start_chromium()
    try:
        yield driver
    finally:
        browser.stop_chromium(driver, profile)


def _start(*args: str) -> tuple[subprocess.Popen, str]:
    proc, port = start_explorer(*args)
    return proc, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def live() -> Iterator[str]:
    proc, url = _start("extended_deterrence", "--x", "credibility", "--y", "cost_attacker")
    try:
        yield url
    finally:
        stop_explorer(proc, wait=10)


def _open(driver: Any, url: str) -> None:
    driver.get(url)
    browser.wait_for(
        driver,
        lambda d: (
            "Regime:" in browser.shown_text(d, "indicators")
            and "p_attack" in browser.shown_text(d, "indicators")
        ),
        "the page never answered",
    )


def _press(driver: Any, slider: str, key: str, times: int = 1) -> None:
    handle = browser.slider_handle(driver, slider)
    handle.click()
    for _ in range(times):
        handle.send_keys(key)


def _pick(driver: Any, name: str, words: str) -> None:
    """Choose the option showing ``words`` in the menu named ``name`` (the <select> in its shadow root)."""
    from selenium.webdriver.support.ui import Select

    element = driver.execute_script(
        browser.FIND + "return viewOf(arguments[0]).shadow_el.querySelector('select');", name
    )
    menu = Select(element)
    menu.select_by_visible_text(next(o.text for o in menu.options if words in o.text))


def _only_local(driver: Any, origin: str) -> None:
    fetched = browser.resources(driver)
    assert fetched, "the page fetched nothing (not even its scripts)"
    outside = [u for u in fetched if not u.startswith(origin)]
    assert not outside, f"the page fetched from outside the local server: {outside}"


def test_slider_moves_the_answer_and_the_marker(chromium: Any, live: str) -> None:
    from selenium.webdriver.common.keys import Keys

    _open(chromium, live)
    # at the defaults (credibility 0.5, cost_attacker 0.4) the Attacker attacks
    assert "war+allied_war+abandonment" in browser.shown_text(chromium, "indicators")
    assert "p_attack 1.000" in browser.shown_text(chromium, "indicators")
    browser.wait_for(
        chromium,
        lambda d: "Map 41×41 (compiled)" in browser.shown_text(d, "map_status"),
        "the compiled map never arrived",
    )
    browser.wait_for(  # the legend is a separate model update that may land a moment after the status
        chromium,
        lambda d: "status_quo" in browser.shown_text(d, "legend"),
        "the map's legend never showed the status_quo regime",
    )
    _press(chromium, "credibility", Keys.END)  # a fully credible pledge deters
    browser.wait_for(
        chromium,
        lambda d: "Regime: status_quo" in browser.shown_text(d, "indicators"),
        "moving credibility to 1 did not show deterrence",
    )
    assert "p_attack 0.000" in browser.shown_text(chromium, "indicators")
    assert browser.model_value(chromium, "credibility", "value") == 1.0
    assert browser.wait_for(
        chromium,
        lambda d: d.execute_script("return Bokeh.documents[0].get_model_by_name('marker').data.x[0]") == 1.0,
        "the marker did not move",
    )
    _only_local(chromium, live)
    folder = browser.screenshot_folder()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        chromium.save_screenshot(str(folder / "explorer.png"))


def test_knife_edge_and_orderings_are_explained(chromium: Any, live: str) -> None:
    from selenium.webdriver.common.keys import Keys

    _open(chromium, live)
    # cost_attacker 0.40 -> 0.45 in ten steps of 0.005: exactly on the boundary at credibility 0.5
    _press(chromium, "cost_attacker", Keys.ARROW_RIGHT, 10)
    browser.wait_for(
        chromium,
        lambda d: "Knife edge" in browser.shown_text(d, "warning"),
        "no knife-edge warning at cost_attacker = 0.45",
    )
    assert browser.model_value(chromium, "cost_attacker", "value") == pytest.approx(0.45)
    assert "2 equilibria" in browser.shown_text(chromium, "equilibria")
    shown = browser.shown_text(chromium, "indicators")  # the pessimistic one: war
    assert "Regime: war+allied_war+abandonment" in shown
    _pick(chromium, "equilibrium", "status_quo")  # the other equilibrium at the edge: deterrence holds
    browser.wait_for(
        chromium,
        lambda d: "Regime: status_quo" in browser.shown_text(d, "indicators"),
        "picking the second equilibrium did not show it",
    )
    _press(chromium, "p_alone", Keys.END)  # p_alone = 1 > p_allied = 0.8 violates an ordering
    browser.wait_for(
        chromium,
        lambda d: "violate the ordering" in browser.shown_text(d, "status"),
        "no message for values that violate an ordering",
    )
    assert "Traceback" not in browser.shown_text(chromium, "status")


def test_extremes_quick_switches_and_resizes_leave_the_console_clean(chromium: Any, live: str) -> None:
    """Every slider to both ends, models switched faster than they load, the window resized: the
    page always shows an answer or a readable message, and the console has no error (nor a Bokeh
    warning, such as a glyph asking for a column that does not exist)."""
    from selenium.webdriver.common.keys import Keys

    browser.console_problems(chromium)  # forget what earlier tests left
    _open(chromium, live)
    for name in ("credibility", "stakes", "p_alone", "cost_attacker"):
        for key, end in ((Keys.END, "end"), (Keys.HOME, "start")):
            _press(chromium, name, key)
            browser.wait_for(
                chromium,
                lambda d, n=name, e=end: browser.model_value(d, n, "value") == browser.model_value(d, n, e),
                f"{name} never reached its {end}",
            )
            browser.wait_for(
                chromium,
                lambda d: (
                    "Regime:" in browser.shown_text(d, "indicators")
                    or "No answer" in browser.shown_text(d, "status")
                ),
                f"no answer nor message with {name} at its {end}",
            )
    for model in ("egame12", "brinkmanship", "chain_store", "mutual_deterrence"):
        chromium.get(live + "?model=" + model)  # the next load starts before this page answers
    browser.wait_for(
        chromium,
        lambda d: "Regime:" in browser.shown_text(d, "indicators"),
        "the last model switched to never answered",
    )
    for width, height in ((420, 300), (200, 200), (1500, 1250)):
        chromium.set_window_size(width, height)
    assert "Regime:" in browser.shown_text(chromium, "indicators")
    assert browser.console_problems(chromium) == []


def test_unknown_model_shows_a_message(chromium: Any, live: str) -> None:
    """The 404 page the server answers (no explorer page is made) says why, in the browser."""
    chromium.get(live + "?model=no_such_modle")
    browser.wait_for(
        chromium,
        lambda d: "no model named 'no_such_modle' here" in d.find_element("tag name", "body").text,
        "no message for an unknown model",
    )
    assert "404" in chromium.title


def test_per_point_fallback_shows_its_state(chromium: Any) -> None:
    """SPE of a game with information sets does not compile: the page solves per point and says so."""
    proc, url = _start("extended_deterrence", "--concept", "spe", "--grid", "9")
    try:
        chromium.get(url)
        browser.wait_for(
            chromium,
            lambda d: "per-point solving" in browser.shown_text(d, "status"),
            "the status does not say the point is solved per point",
        )
        seen = browser.wait_for(
            chromium,
            lambda d: (
                (t := browser.shown_text(d, "map_status")) and ("per-point" in t or "per point" in t) and t
            ),
            "no per-point map state",
        )
        assert "per" in seen
        browser.wait_for(
            chromium,
            lambda d: "(per point)" in browser.shown_text(d, "map_status"),
            "the per-point map never finished",
        )
    finally:
        stop_explorer(proc, wait=10)


def test_static_page_works_offline(chromium: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    page = dt.explorer.export(
        "extended_deterrence",
        tmp_path,
        params=["credibility", "cost_attacker"],
        cells=9,
        values={"cost_attacker": 0.4},
    )
    chromium.get(page.as_uri())
    browser.wait_for(
        chromium,
        lambda d: "Regime:" in browser.shown_text(d, "indicators"),
        "the static page shows no answer",
    )
    before = browser.shown_text(chromium, "indicators")
    assert "war+allied_war+abandonment" in before
    _press(chromium, "credibility", Keys.END)
    browser.wait_for(
        chromium,
        lambda d: "Regime: status_quo" in browser.shown_text(d, "indicators"),
        "moving credibility did not change the static page's answer",
    )
    assert "p_attack 0.000" in browser.shown_text(chromium, "indicators")
    fetched = browser.resources(chromium)
    assert all(u.startswith("file:") or u.startswith("data:") for u in fetched), fetched
    folder = browser.screenshot_folder()
    if folder is not None:
        chromium.save_screenshot(str(folder / "explorer-static.png"))


def test_port_in_use_is_a_clear_error(live: str) -> None:
    port = live.rstrip("/").rsplit(":", 1)[1]
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    proc = subprocess.run(
        [sys.executable, "-m", "deterrence", "explore", "--no-browser", "--port", port],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert f"port {port} on 127.0.0.1 is in use" in proc.stderr and "Traceback" not in proc.stderr
