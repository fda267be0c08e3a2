"""MkDocs hooks: write the generated pages and figures before the pages are collected.

Registered in ``mkdocs.yml`` (``hooks: [docs/hooks.py]``). At the start of every build:

1. ``docs/gen_models.py`` writes the model catalogue (``docs/reference/models/``: one page and
   one tree picture per file in ``models/``) and the pages are added to the navigation;
2. the command-line reference ``docs/reference/cli.md`` is written from the ``deterrence``
   argument parser (the same text as ``deterrence COMMAND --help``);
3. every teaching demo shipped in the package (``deterrence/demos/``, listed by ``deterrence
   demo``) runs in a fresh Python process (``python -m deterrence demo NAME --out ...``) and
   writes its figure(s) to ``docs/examples/figures/``; a demo that fails or writes no PNG stops
   the build.

After each page is rendered, its mathematics (``\\( ... \\)`` and ``\\[ ... \\]``, marked by
``pymdownx.arithmatex``) is converted to MathML by ``latex2mathml`` (:func:`math_to_mathml`), so
the site needs no script to show formulas, from a CDN or otherwise, and reads the same offline.

All of these are build outputs, listed in ``.gitignore``. Set ``DETERRENCE_DOCS_QUICK=1`` to
run the demos at a small size (a fast check of the build), and
``DETERRENCE_DOCS_REUSE_FIGURES=1`` to keep existing demo figures (for ``mkdocs serve``).
"""

from __future__ import annotations

import argparse
import contextlib
import html
import importlib.util
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
EXAMPLES = DOCS / "examples"
FIGURES = EXAMPLES / "figures"


def _log(message: str) -> None:
    import logging

    logging.getLogger("mkdocs.hooks.deterrence").info(message)


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _load_gen_models() -> Any:
    spec = importlib.util.spec_from_file_location("deterrence_docs_gen_models", DOCS / "gen_models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------- the CLI page
def cli_page() -> str:
    """The command-line reference, from the argument parser itself."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from deterrence.cli import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parser = build_parser()
        lines = [
            "# Command line",
            "",
            "The `deterrence` command has the same verbs as the Python API and calls only the public "
            "API. Any error prints one line (`deterrence: error: ...`) and exits with status 2; "
            "`--debug` shows the traceback. This page is generated from the program's own `--help` "
            "at each docs build.",
            "",
            "```text",
            parser.format_help().rstrip(),
            "```",
            "",
        ]
        subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for name, sub in subs.choices.items():
            lines += [f"## `deterrence {name}`", "", "```text", sub.format_help().rstrip(), "```", ""]
        return "\n".join(lines)
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


# ---------------------------------------------------------------------------- the demos
def demo_names() -> list[str]:
    """The demos shipped in the package (``deterrence demo`` lists the same)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import deterrence as dt

    return dt.demos.names()


def _stamps(folder: Path) -> dict[Path, tuple[int, int]]:
    """Each PNG in ``folder`` with its modification time and size: what a demo wrote is what changed
    (a time window would also name the figures the previous demo wrote a moment before)."""
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*.png")}


def run_examples(out: Path = FIGURES, quick: bool | None = None) -> list[Path]:
    """Run every teaching demo in its own process; return the figures written.

    Raises
    ------
    RuntimeError
        If a demo fails or does not write its figure (the message has its stderr).
    """
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    if quick is None:
        quick = os.environ.get("DETERRENCE_DOCS_QUICK") == "1"
    reuse = os.environ.get("DETERRENCE_DOCS_REUSE_FIGURES") == "1"
    written = []
    for name in demo_names():
        source, png = ROOT / "deterrence" / "demos" / f"{name}.py", out / f"{name}.png"
        if reuse and png.is_file() and png.stat().st_mtime > source.stat().st_mtime:
            written.append(png)
            continue
        started = time.time()
        before = _stamps(out)
        cmd = [sys.executable, "-m", "deterrence", "demo", name, "--out", str(out)]
        cmd += ["--quick"] if quick else []
        proc = subprocess.run(cmd, cwd=str(ROOT), env=env, capture_output=True, text=True, check=False)
        new = sorted(p for p, stamp in _stamps(out).items() if before.get(p) != stamp)
        if proc.returncode != 0 or not new:
            raise RuntimeError(f"teaching demo {name} failed (status {proc.returncode}) or wrote no "
                               f"PNG figure:\n{proc.stderr[-3000:]}")
        _log(f"{name}: {', '.join(p.name for p in new)} in {time.time() - started:.1f} s")
        written.extend(new)
    return written


# ---------------------------------------------------------------------------- mathematics
#: what pymdownx.arithmatex (generic mode) writes around inline and display mathematics
_MATH = re.compile(
    r'<span class="arithmatex">\\\((?P<inline>.*?)\\\)</span>'
    r'|<div class="arithmatex">\\\[(?P<block>.*?)\\\]</div>',
    re.S,
)


#: a character escaped in TeX text (``\_``), shown by latex2mathml with its backslash
_TEXT_ESCAPE = re.compile(r"\\([_%&#$])")


def math_to_mathml(html_text: str, where: str = "") -> str:
    """Every formula that arithmatex marked in a rendered page, converted to MathML.

    Raises
    ------
    ValueError
        If a formula cannot be converted, or keeps a TeX command latex2mathml does not know (it
        would show as text); the message names the page and the formula.
    """
    from latex2mathml.converter import convert

    def one(match: re.Match[str]) -> str:
        block = match.group("block") is not None
        tex = html.unescape(match.group("block") if block else match.group("inline"))
        try:
            mathml = convert(tex, display="block" if block else "inline")
        except Exception as exc:  # latex2mathml raises several types for bad TeX
            raise ValueError(f"{where}: cannot convert the formula {tex!r} to MathML: {exc}") from None
        mathml = _TEXT_ESCAPE.sub(r"\1", mathml)  # \texttt{deter\_threshold} shows deter_threshold
        if "\\" in mathml:
            command = re.search(r"\\[A-Za-z]+", mathml)
            raise ValueError(f"{where}: the formula {tex!r} uses a TeX command MathML cannot show: "
                             f"{command.group(0) if command else mathml}")
        tag = "div" if block else "span"
        return f'<{tag} class="arithmatex">{mathml}</{tag}>'

    return _MATH.sub(one, html_text)


# ---------------------------------------------------------------------------- mkdocs entry points
def _models_nav(nav: list[Any], names: list[str]) -> None:
    """Replace the nav entry pointing at reference/models/index.md by the catalogue's pages."""
    for i, item in enumerate(nav):
        if isinstance(item, dict):
            for title, value in item.items():
                if value == "reference/models/index.md":
                    nav[i] = {title: [{"Overview": "reference/models/index.md"},
                                      *({n: f"reference/models/{n}.md"} for n in names)]}
                    return
                if isinstance(value, list):
                    _models_nav(value, names)


SECTIONS = {"tutorials": "Tutorials", "how-to": "How-to guides", "discussion": "Discussion"}


def _nav_files(nav: Any) -> set[str]:
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, dict):
        return set().union(*(_nav_files(v) for v in nav.values())) if nav else set()
    if isinstance(nav, list):
        return set().union(*(_nav_files(v) for v in nav)) if nav else set()
    return set()


def _add_unlisted(nav: list[Any]) -> None:
    """Append pages added to tutorials/, how-to/ or discussion/ but not yet named in mkdocs.yml
    to their section (titled by their first heading), so a new page is never left out."""
    listed = _nav_files(nav)
    for item in nav:
        if not isinstance(item, dict):
            continue
        for title, pages in item.items():
            folder = next((f for f, t in SECTIONS.items() if t == title), None)
            if folder is None or not isinstance(pages, list):
                continue
            for path in sorted((DOCS / folder).glob("*.md")):
                rel = f"{folder}/{path.name}"
                if rel not in listed:
                    lines = path.read_text().splitlines()
                    heading = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), path.stem)
                    pages.append({heading: rel})
                    _log(f"added {rel} to the navigation under {title}")


def on_config(config: Any) -> Any:
    """Generate the model pages, the CLI page and the demo figures; list the models in the nav."""
    from mkdocs.exceptions import PluginError

    gen = _load_gen_models()
    with contextlib.redirect_stdout(io.StringIO()):
        names = gen.generate()
    _write_if_changed(DOCS / "reference" / "cli.md", cli_page())
    try:
        run_examples()
    except RuntimeError as exc:
        raise PluginError(str(exc)) from None
    if config.get("nav"):
        _models_nav(config["nav"], names)
        _add_unlisted(config["nav"])
    return config


def on_page_content(html_text: str, page: Any, **kwargs: Any) -> str:
    """Formulas as MathML (see :func:`math_to_mathml`): no math script in the site."""
    from mkdocs.exceptions import PluginError

    try:
        return math_to_mathml(html_text, page.file.src_uri)
    except ValueError as exc:
        raise PluginError(str(exc)) from None
