"""What the built documentation shows a reader (issue 19): formulas without a script, code without
stray escapes, every tutorial on the home page, the build log's figures.

The model pages are rendered here with Python-Markdown and the extensions of ``mkdocs.yml`` (a
full ``mkdocs build`` takes minutes; ``test_built_site_loads_no_external_script`` runs one, marked
slow), then passed through the build hook that turns formulas into MathML.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import deterrence as dt

markdown = pytest.importorskip("markdown")
yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"docs_{name}", DOCS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load("gen_models")
HOOKS = _load("hooks")


def _config() -> dict:
    class Loader(yaml.SafeLoader):  # mkdocs.yml may carry !!python tags; none are needed here
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=Loader)


def _render(text: str) -> str:
    """A page as the site renders it: Markdown with mkdocs.yml's extensions, then the math hook."""
    extensions, configs = [], {}
    for item in _config()["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        if name == "pymdownx.snippets":  # includes files by path; no model page uses it
            continue
        extensions.append(name)
        if options:
            configs[name] = options
    html = markdown.markdown(text, extensions=extensions, extension_configs=configs)
    return HOOKS.math_to_mathml(html, "test")


#: what a reader must never see: a Markdown escape shown literally
STRAY = re.compile(r"\\[*_\[\]|`]")


@pytest.mark.parametrize("name", dt.list_models())
def test_model_page_shows_no_escapes_and_its_formulas_as_mathml(name):
    html = _render(GEN.model_page(dt.load_model(name)))
    for code in re.findall(r"<code>(.*?)</code>", html, flags=re.S):
        assert not STRAY.search(code), f"{name}: a literal escape in code: {code}"
    text = re.sub(r"<[^>]+>", "", html)
    assert not STRAY.search(text), f"{name}: a literal escape: {STRAY.search(text).group(0)!r}"
    assert 'class="arithmatex">\\(' not in html, f"{name}: a formula left for a script to typeset"
    symbols = [p.symbol for p in dt.load_model(name).parameters.values() if p.symbol]
    assert html.count("<math") >= len(symbols)
    # provenance tags link to their legend, with what they mean
    assert "[D]" not in text or "derivations.md#provenance-and-status" in html


def test_extended_deterrence_payoffs_read_as_written():
    html = _render(GEN.model_page(dt.load_model("extended_deterrence")))
    assert re.search(r"<code>interest_committed ?\* ?stakes</code>", html)
    assert "\\*" not in html


@pytest.mark.parametrize("page", sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")))
def test_every_formula_converts_to_mathml(page):
    html = _render((DOCS / page).read_text())
    assert 'class="arithmatex">\\(' not in html and 'class="arithmatex">\\[' not in html


@pytest.mark.parametrize("tex", ["\\sqrt", "\\unknowncommand x"])
def test_a_bad_formula_is_an_error_naming_the_page(tex):
    with pytest.raises(ValueError, match=r"page\.md"):
        HOOKS.math_to_mathml(f'<span class="arithmatex">\\({tex}\\)</span>', "page.md")


def test_escaped_text_in_a_formula_shows_without_its_backslash():
    out = HOOKS.math_to_mathml('<div class="arithmatex">\\[x \\quad (\\texttt{deter\\_threshold})\\]</div>')
    assert "deter_threshold" in out and "\\" not in out and 'display="block"' in out


def test_the_site_loads_no_external_script():
    config = _config()
    scripts = config.get("extra_javascript") or []
    assert not [s for s in scripts if re.match(r"https?:", str(s))], scripts
    assert config["theme"].get("font") is False  # no font service either: the site reads offline
    overrides = DOCS / "overrides"
    for path in overrides.rglob("*.html") if overrides.is_dir() else ():
        assert not re.search(r"<script[^>]+src=\"https?:", path.read_text()), path


def test_home_page_lists_every_tutorial():
    home = (DOCS / "index.md").read_text()
    for page in sorted((DOCS / "tutorials").glob("*.md")):
        assert f"(tutorials/{page.name})" in home, f"the home page's reading list leaves out {page.name}"


def test_build_log_names_what_each_demo_wrote(tmp_path):
    (tmp_path / "old.png").write_bytes(b"old")
    before = HOOKS._stamps(tmp_path)
    (tmp_path / "new.png").write_bytes(b"new")
    (tmp_path / "old2.png").write_bytes(b"untouched")
    after_first = HOOKS._stamps(tmp_path)
    assert sorted(p.name for p, s in after_first.items() if before.get(p) != s) == ["new.png", "old2.png"]
    (tmp_path / "old.png").write_bytes(b"rewritten")
    changed = [p.name for p, s in HOOKS._stamps(tmp_path).items() if after_first.get(p) != s]
    assert changed == ["old.png"]


@pytest.mark.slow
def test_built_site_loads_no_external_script(tmp_path):
    pytest.importorskip("mkdocs")
    env = dict(os.environ, DETERRENCE_DOCS_QUICK="1", PYTHONPATH=str(ROOT))
    exe = Path(sys.executable).with_name("mkdocs")
    cmd = [str(exe)] if exe.is_file() else [sys.executable, "-m", "mkdocs"]
    proc = subprocess.run([*cmd, "build", "--strict", "-d", str(tmp_path / "site")], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    for page in (tmp_path / "site").rglob("*.html"):
        html = page.read_text()
        assert not re.search(r"<script[^>]*\ssrc=\"(?:https?:)?//", html), page
        if "reference/models/" in page.as_posix():
            assert "\\*" not in re.sub(r"<[^>]+>", "", html), page
    assert "<math" in (tmp_path / "site" / "discussion" / "derivations" / "index.html").read_text()


def _documented_objects(obj, seen: set[int]):
    """``obj`` and every member below it that is defined in the package (not an alias)."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield obj
    for member in list(getattr(obj, "members", {}).values()):
        if not member.is_alias:
            yield from _documented_objects(member, seen)


def test_docstring_sections_name_every_entry():
    """A numpy docstring's Attributes/Parameters entries all have names: a paragraph left under
    such a section (instead of above it) parses as entries with empty names, and the API page's
    build (``mkdocs build --strict``, marked slow) stops with "Empty strings are not supported"."""
    griffe = pytest.importorskip("griffe")
    lazy = _load("griffe_lazy")
    package = griffe.load("deterrence", search_paths=[str(ROOT)], docstring_parser="numpy",
                          extensions=griffe.load_extensions(lazy.LazyExports), resolve_aliases=False)
    empty = []
    for obj in _documented_objects(package, set()):
        if not obj.docstring:
            continue
        for section in obj.docstring.parse("numpy", warnings=False):
            if section.kind.value in ("attributes", "parameters", "other parameters"):
                empty += [obj.path for entry in section.value if not entry.name]
    assert not empty, f"docstring entries without a name (text under a section header?): {sorted(set(empty))}"
