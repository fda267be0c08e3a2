"""The documentation runs: every code example in docs/ and the README, the teaching demos, the build.

* Every fenced ```python block in ``docs/**/*.md`` and ``README.md`` is executed. The blocks of
  one page share a namespace and run in order, in a temporary working directory.
* A ```bash / ```console block whose lines start with ``deterrence`` (optionally after ``$ ``)
  runs those commands through :func:`deterrence.cli.main` in the same directory; other shell
  blocks (installation commands) are not run.
* Shown output is checked: a ```text block right after a runnable block must match what the
  block printed, and a statement ending in ``# -> VALUE`` must have ``repr`` equal to VALUE.
  In both, ``...`` matches any text (a line holding only ``...`` matches any lines).
* Page markers (HTML comments, invisible in the site):
  ``<!-- skip-until: deterrence.sweep -->`` (a module or attribute), ``<!-- skip-until:
  model:NAME -->`` (a catalogue model): the page's blocks are reported as skipped, with the
  reason, until the feature exists, and then run without any edit;
  ``<!-- docs-test: slow -->``: the page runs only with ``-m slow`` (it starts a Dask cluster).
  ``<!-- docs-test: no-run -->`` right before a block: the block is not run (only for commands
  that need outside resources, such as a cluster's address; each use is listed in the report).
  A block whose whole body is a ``--8<--`` snippet include (a demo's source shown in the page) is
  not run here: the demos are run by ``tests/test_demos.py``.
* A fenced block with a ``title="NAME"`` attribute (e.g. ```` ```toml title="my_model.toml" ````)
  is written to ``NAME`` in the working directory when the page's blocks reach it, so pages can
  show a file and then load it.
* The teaching demos (``deterrence/demos/``) are tested in ``tests/test_demos.py``.
* ``mkdocs build --strict`` (marked slow; skipped when mkdocs is missing).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# build outputs written by docs/hooks.py (not source pages)
GENERATED = ("reference/models/", "reference/cli.md", "examples/figures/")

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})(?P<info>[^`]*)$")
SKIP_UNTIL = re.compile(r"<!--\s*skip-until:\s*(?P<what>[\w.:\-]+)\s*-->")
NO_RUN = re.compile(r"<!--\s*docs-test:\s*no-run\s*-->")
SLOW = re.compile(r"<!--\s*docs-test:\s*slow\s*-->")
ARROW = re.compile(r"#\s*->\s?(?P<value>.*)$")
RUNNABLE_SHELL = ("bash", "console", "sh", "shell")


@dataclass
class Block:
    lang: str
    code: str
    line: int
    expected: str | None = None
    snippet: bool = False
    title: str = ""


@dataclass
class Page:
    path: Path
    blocks: list[Block] = field(default_factory=list)
    skip_until: list[str] = field(default_factory=list)
    slow: bool = False

    @property
    def name(self) -> str:
        try:
            return self.path.relative_to(ROOT).as_posix()
        except ValueError:
            return self.path.name


def parse_page(path: Path) -> Page:
    """The fenced code blocks of a Markdown page, with expected outputs attached."""
    text = path.read_text()
    page = Page(path, skip_until=SKIP_UNTIL.findall(text), slow=bool(SLOW.search(text)))
    lines = text.splitlines()
    raw: list[tuple[str, str, int, int, str]] = []  # lang, code, first line, last line, title
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m.group("indent"), m.group("fence")
        lang = m.group("info").strip().split(" ")[0].strip("{}.").lower()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not (lines[j].strip() == fence and lines[j].startswith(indent)):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        if j >= len(lines):
            raise AssertionError(f"{path}:{i + 1}: unclosed code fence")
        title = re.search(r'title="([^"]+)"', m.group("info"))
        before = next((lines[b] for b in range(i - 1, -1, -1) if lines[b].strip()), "")
        if NO_RUN.search(before):  # an example that needs outside resources (a cluster address)
            i = j + 1
            continue
        raw.append((lang, "\n".join(body) + "\n", i + 1, j + 1, title.group(1) if title else ""))
        i = j + 1
    for k, (lang, code, first, _last, title) in enumerate(raw):
        if lang == "text" and k > 0 and page.blocks and page.blocks[-1].line == raw[k - 1][2]:
            prev_last = raw[k - 1][3]
            between = lines[prev_last:first - 1]
            if all(not s.strip() for s in between):
                page.blocks[-1].expected = code
                continue
        if title and lang != "python":  # a file the page shows: written to the working dir
            page.blocks.append(Block("file", code, first, title=title))
        elif lang == "python" or (lang in RUNNABLE_SHELL and _commands(code)):
            snippet = code.strip().startswith("--8<--")
            page.blocks.append(Block(lang, code, first, snippet=snippet))
    return page


def _commands(code: str) -> list[str]:
    """The ``deterrence ...`` command lines of a shell block (continuations joined)."""
    joined = re.sub(r"\\\n\s*", " ", code)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line.startswith("$ "):
            line = line[2:].strip()
        if line.startswith("deterrence "):
            out.append(line)
    return out


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip("\n")


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` output matches ``expected`` (trailing spaces ignored; ``...`` matches any
    text, and a line holding only ``...`` any one or more lines)."""
    pattern = "\n".join(
        ".*" if line.strip() == "..." else ".*?".join(re.escape(p) for p in line.split("..."))
        for line in _normalise(expected).split("\n")
    )
    return re.fullmatch(pattern, _normalise(actual), flags=re.DOTALL) is not None


def _feature_missing(what: str) -> str | None:
    """Why a ``skip-until`` feature is not yet present (None if it is)."""
    if what.startswith("model:"):
        import deterrence as dt

        name = what.split(":", 1)[1]
        return None if name in dt.list_models() else f"model '{name}' is not in the catalogue yet"
    # walk attributes from the top package (its lazy __getattr__ imports what is needed)
    parts = what.split(".")
    try:
        obj = importlib.import_module(parts[0])
    except ImportError:
        return f"{parts[0]} is not importable"
    for k, attr in enumerate(parts[1:], start=1):
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            try:
                obj = importlib.import_module(".".join(parts[: k + 1]))
            except ImportError:
                return f"{what} does not exist yet"
    return None


def _run_python(block: Block, namespace: dict, where: str) -> str:
    """Execute one python block statement by statement; check ``# -> value`` comments."""
    tree = ast.parse(block.code, filename=where)
    src_lines = block.code.splitlines()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for stmt in tree.body:
            last = src_lines[(stmt.end_lineno or stmt.lineno) - 1]
            arrow = ARROW.search(last) if isinstance(stmt, ast.Expr) else None
            if arrow:
                value = eval(compile(ast.Expression(stmt.value), where, "eval"), namespace)
                shown = repr(value)
                if not matches(arrow.group("value"), shown):
                    raise AssertionError(f"{where} (block line {stmt.lineno}): shown "
                                         f"'# -> {arrow.group('value')}', got {shown}")
            else:
                exec(compile(ast.Module([stmt], type_ignores=[]), where, "exec"), namespace)
    return out.getvalue()


def _run_shell(block: Block) -> str:
    from deterrence.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for cmd in _commands(block.code):
            status = main(shlex.split(cmd)[1:])
            assert status == 0, f"`{cmd}` exited with status {status}"
    return out.getvalue()


def run_page(page: Page, workdir: Path) -> int:
    """Run every block of a page in ``workdir``; return the number of blocks run."""
    namespace: dict = {"__name__": "__docs__"}
    old = Path.cwd()
    os.chdir(workdir)
    ran = 0
    try:
        for block in page.blocks:
            if block.snippet:
                continue
            if block.lang == "file":
                (workdir / block.title).parent.mkdir(parents=True, exist_ok=True)
                (workdir / block.title).write_text(block.code)
                continue
            where = f"{page.name}:{block.line}"
            printed = _run_python(block, namespace, where) if block.lang == "python" else _run_shell(block)
            ran += 1
            if block.expected is not None and not matches(block.expected, printed):
                raise AssertionError(
                    f"{where}: the shown output does not match.\n--- shown ---\n{block.expected}"
                    f"\n--- printed ---\n{printed}")
    finally:
        os.chdir(old)
        with contextlib.suppress(ImportError):
            import matplotlib.pyplot as plt

            plt.close("all")
    return ran


def _pages() -> list[Path]:
    pages = [p for p in sorted(DOCS.rglob("*.md"))
             if not any(p.relative_to(DOCS).as_posix().startswith(g) for g in GENERATED)]
    return [*pages, ROOT / "README.md"]


def _param(path: Path) -> object:
    page = parse_page(path)
    marks = [pytest.mark.slow] if page.slow else []
    return pytest.param(path, id=page.name, marks=marks)


@pytest.fixture(autouse=True)
def _agg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    with contextlib.suppress(ImportError):
        import matplotlib

        matplotlib.use("Agg")


# ---------------------------------------------------------------------------- the pages
@pytest.mark.parametrize("path", [_param(p) for p in _pages()])
def test_page_examples_run(path: Path, tmp_path: Path) -> None:
    page = parse_page(path)
    missing = [why for what in page.skip_until if (why := _feature_missing(what))]
    if missing:
        pytest.skip(f"{page.name}: waiting for a feature (skip-until marker): {'; '.join(missing)}")
    if not any(b.lang != "file" and not b.snippet for b in page.blocks):
        return
    # data files pages refer to are reachable from the working dir
    shutil.copytree(DOCS / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("figures"))
    assert run_page(page, tmp_path) > 0


def test_dt_sweep_survives_submodule_import() -> None:
    """The pages call ``dt.sweep`` after other code imported the sweep engine's module; a module
    named like the function would replace it on the package (the reason no module is named like a
    public function: the sweep engine is the package ``deterrence.sweeps``)."""
    code = "import deterrence as dt, deterrence.sweeps, deterrence.cli; print(callable(dt.sweep))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.stdout.strip() == "True", out.stderr[-2000:]


def test_api_reference_documents_every_public_name() -> None:
    """``docs/reference/api.md`` documents each name of ``dt.__all__`` under its public name: a
    ``::: deterrence.NAME`` section (rendered through ``docs/griffe_lazy.py``) or, for a constant,
    prose that names ``dt.NAME``."""
    import deterrence as dt

    text = (DOCS / "reference" / "api.md").read_text()
    missing = [
        n for n in dt.__all__
        if n != "__version__" and f"::: deterrence.{n}\n" not in text and f"`dt.{n}`" not in text
    ]
    assert not missing, f"not documented in docs/reference/api.md: {missing}"


def test_derivation_citations_resolve() -> None:
    """Every pointer to ``docs/discussion/derivations.md#SECTION`` (model files, builders, package
    docstrings, tests, pages) names a section of that page."""
    page = (DOCS / "discussion" / "derivations.md").read_text()
    anchors = set(re.findall(r"\{ #([a-z0-9-]+) \}", page))
    cited: dict[str, str] = {}
    for folder in ("models", "deterrence", "tests", "docs", "benchmarks"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".toml", ".py", ".md") or any(g in path.as_posix() for g in GENERATED):
                continue
            for anchor in re.findall(r"derivations\.md#([a-z0-9-]+)", path.read_text()):
                cited.setdefault(anchor, path.relative_to(ROOT).as_posix())
    assert len(cited) >= 10
    unknown = {a: where for a, where in cited.items() if a not in anchors}
    assert not unknown, f"cited sections that docs/discussion/derivations.md does not have: {unknown}"


#: a path into the repository named in a page (in backticks): it must exist
REPO_PATH = re.compile(r"`((?:deterrence|docs|tests|benchmarks|models)/[\w./-]*)`")
#: what a page names on purpose although it does not exist (a module that must never be written)
NOT_A_FILE = {"deterrence/sweep.py"}


def test_paths_named_in_pages_exist() -> None:
    """Every ``deterrence/...``, ``docs/...``, ``tests/...``, ``benchmarks/...`` or ``models/...``
    path a page or the README names exists (a module moved into a subpackage leaves a stale path)."""
    missing = [
        f"{path.relative_to(ROOT).as_posix()}: {name}"
        for path in _pages()
        for name in REPO_PATH.findall(path.read_text())
        if name not in NOT_A_FILE and "*" not in name and not (ROOT / name).exists()
    ]
    assert not missing, "pages name paths the repository does not have:\n" + "\n".join(missing)


def test_markers_are_understood() -> None:
    """Every skip-until marker names a module, attribute or model in the right form."""
    for path in _pages():
        for what in parse_page(path).skip_until:
            assert what.startswith("model:") or what.startswith("deterrence"), f"{path}: bad marker {what!r}"


# ---------------------------------------------------------------------------- the checker itself
def test_output_matching() -> None:
    assert matches("a\n...\nd", "a\nb\nc\nd\n")
    assert matches("x = ...", "x = 0.25")
    assert not matches("x = 1", "x = 2")
    assert not matches("a\nb", "a\nb\nc")


def test_checker_catches_wrong_output(tmp_path: Path) -> None:
    """A page whose shown output is wrong fails (the checker can fail)."""
    good = tmp_path / "good.md"
    good.write_text("```python\nprint(1 + 1)\n```\n\n```text\n2\n```\n\n```python\nx = 3\nx  # -> 3\n```\n"
                    "\n```bash\npip install deterrence\n```\n")
    page = parse_page(good)
    assert [b.lang for b in page.blocks] == ["python", "python"] and page.blocks[0].expected == "2\n"
    assert run_page(page, tmp_path) == 2
    wrong_output = "```python\nprint(1 + 1)\n```\n\n```text\n3\n```\n"
    wrong_value = "```python\nx = 3\nx  # -> 4\n```\n"
    for bad_text in (wrong_output, wrong_value):
        bad = tmp_path / "bad.md"
        bad.write_text(bad_text)
        with pytest.raises(AssertionError):
            run_page(parse_page(bad), tmp_path)


def test_model_pages_generate(tmp_path: Path) -> None:
    """docs/gen_models.py writes one page and one tree picture per catalogue model."""
    spec = importlib.util.spec_from_file_location("gen_models", DOCS / "gen_models.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    import deterrence as dt

    names = gen.generate(tmp_path, pictures=False)
    assert names == dt.list_models()
    for name in names:
        text = (tmp_path / f"{name}.md").read_text()
        model = dt.load_model(name)
        assert text.startswith(f"# `{name}`")
        for pname in model.parameters:
            assert f"| `{pname}` |" in text
        for ref in model.references:
            assert " ".join(ref.citation.split())[:40] in text
        assert f"({name}.png)" in text or name in dt.list_models("families")  # families: no one tree
    gen.draw_tree(dt.load_model("extended_deterrence"), tmp_path / "tree.png")
    assert (tmp_path / "tree.png").stat().st_size > 10_000
    index = (tmp_path / "index.md").read_text()
    assert all(f"]({n}.md)" in index for n in names)


def test_cli_page_matches_help() -> None:
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec and spec.loader
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    text = hooks.cli_page()
    for verb in ("models", "show", "solve", "sweep", "regimes"):
        assert f"## `deterrence {verb}`" in text
    assert "--latex" in text and "--vary NAME=LO:HI:N" in text


def test_nav_points_at_pages() -> None:
    """Every page named in mkdocs.yml exists (or is generated by the hook)."""
    text = (ROOT / "mkdocs.yml").read_text()
    nav = text[text.index("\nnav:"):]
    for target in re.findall(r":\s*([\w/\-.]+\.md)\s*$", nav, flags=re.MULTILINE):
        generated = any(target.startswith(g) for g in GENERATED)
        assert generated or (DOCS / target).is_file(), f"mkdocs.yml nav names a missing page: {target}"


# ---------------------------------------------------------------------------- the build
@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    env = dict(os.environ, DETERRENCE_DOCS_QUICK="1")
    exe = Path(sys.executable).with_name("mkdocs")
    cmd = [str(exe)] if exe.is_file() else [sys.executable, "-m", "mkdocs"]
    proc = subprocess.run([*cmd, "build", "--strict", "-d", str(tmp_path / "site")], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    site = tmp_path / "site"
    assert (site / "index.html").is_file()
    assert (site / "reference" / "models" / "extended_deterrence.png").is_file()
    assert list((site / "examples" / "figures").glob("*.png"))
