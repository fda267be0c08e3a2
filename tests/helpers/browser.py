"""Headless Chromium for the explorer's browser tests (Debian's chromium and chromium-driver).

Only the distribution's browser is used (``/usr/bin/chromium`` driven by
``/usr/bin/chromedriver``; never a test tool's own download), started with the flags that keep
it off the network, and a host-resolver rule that makes every name but the loopback address
unresolvable, so a page that fetched anything from outside would fail visibly.

Bokeh renders each widget in a shadow root: :data:`FIND` locates a widget's view by its model
``name``, and :func:`shown_text` reads the text a person sees in it (style sheets left out).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .waiting import HANG_GUARD

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1500,1250",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)

FIND = """
function viewOf(name) {
  if (!window.Bokeh || !Bokeh.documents || !Bokeh.documents.length || !Bokeh.index) return null;
  const model = Bokeh.documents[0].get_model_by_name(name);
  if (!model) return null;
  function find(v) {
    if (v.model === model) return v;
    for (const c of (v._child_views ? Array.from(v._child_views.values()) : [])) {
      const r = find(c);
      if (r) return r;
    }
    return null;
  }
  for (const root of Object.values(Bokeh.index)) { const v = find(root); if (v) return v; }
  return null;
}
function deepText(n) {
  let t = "";
  if (n.shadowRoot) t += deepText(n.shadowRoot);
  for (const c of n.childNodes) {
    if (c.nodeName === "STYLE") continue;
    t += c.nodeType === 3 ? c.textContent + " " : deepText(c);
  }
  return t;
}
"""


def missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


def start_chromium() -> tuple[Any, str]:
    """A headless Chromium with a fresh profile folder; returns the driver and the folder."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="dt-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # for :func:`console_problems`
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    return driver, profile


def stop_chromium(driver: Any, profile: str) -> None:
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def shown_text(driver: Any, name: str) -> str:
    """The text a person sees in the widget named ``name`` ('' while it is not rendered)."""
    text = driver.execute_script(
        FIND + "const v = viewOf(arguments[0]); return v ? deepText(v.el) : '';", name
    )
    return " ".join(str(text or "").split())


def slider_handle(driver: Any, name: str) -> Any:
    """The draggable handle of the slider named ``name`` (it takes arrow, Home and End keys)."""
    return driver.execute_script(
        FIND + "return viewOf(arguments[0]).shadow_el.querySelector('.noUi-handle');", name
    )


def model_value(driver: Any, name: str, attr: str) -> Any:
    return driver.execute_script(
        "if (!window.Bokeh || !Bokeh.documents.length) return null;"
        "const m = Bokeh.documents[0].get_model_by_name(arguments[0]);"
        "return m ? m[arguments[1]] : null;",
        name,
        attr,
    )


def console_problems(driver: Any) -> list[str]:
    """The console's errors and Bokeh's warnings since the last call (reading the log empties it)."""
    entries = driver.get_log("browser")
    return [
        e["message"]
        for e in entries
        if e["level"] == "SEVERE" or (e["level"] == "WARNING" and "[bokeh" in e["message"])
    ]


def resources(driver: Any) -> list[str]:
    """Every URL the page fetched."""
    return list(driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)"))


def wait_for(driver: Any, condition: Any, what: str = "") -> Any:
    """Poll until ``condition(driver)`` holds, at most :data:`HANG_GUARD` seconds (a hang guard:
    past it the wait fails with ``what``)."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, HANG_GUARD, poll_frequency=0.05).until(
        lambda d: condition(d), message=f"{what} (hang guard: {HANG_GUARD:.0f} s)"
    )


def screenshot_folder() -> Path | None:
    """Where the tests save screenshots for the docs (``DETERRENCE_SCREENSHOTS=DIR``), if asked."""
    folder = os.environ.get("DETERRENCE_SCREENSHOTS")
    return Path(folder) if folder else None
