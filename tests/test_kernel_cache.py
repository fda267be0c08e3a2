"""numba's kernel caches are dropped when a kernel module changes (deterrence._jit)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.waiting import HANG_GUARD

from deterrence._jit import STAMP, drop_stale_kernel_caches


def _package(root: Path) -> Path:
    """A package with a kernel module, a plain module and a subpackage."""
    (root / "sub").mkdir(parents=True)
    (root / "kernel.py").write_text("from ._jit import njit\n\n@njit\ndef f(x):\n    return x\n")
    (root / "plain.py").write_text("X = 1\n")
    (root / "sub" / "inner.py").write_text("from .._jit import njit\n")
    return root


def _cache(root: Path) -> list[Path]:
    """numba-style cache files (and a bytecode file, which must survive) in two ``__pycache__``."""
    files = []
    for folder in (root / "__pycache__", root / "sub" / "__pycache__"):
        folder.mkdir(exist_ok=True)
        for name in ("k.f-3.py311.nbi", "k.f-3.py311.1.nbc", "k.cpython-311.pyc"):
            (folder / name).write_bytes(b"x")
            files.append(folder / name)
    return files


def _edit(path: Path, text: str) -> None:
    """Change a file's content and make sure its modification time moves."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def _numba_files(files: list[Path]) -> list[Path]:
    return [f for f in files if f.suffix in (".nbi", ".nbc")]


def _dropped(files: list[Path]) -> bool:
    """Whether numba's cache files among ``files`` are all gone."""
    return not any(f.exists() for f in _numba_files(files))


def _checked_package(tmp_path: Path) -> Path:
    """:func:`_package` after its first check (its stamp written), before any cache is made."""
    root = _package(tmp_path / "pkg")
    drop_stale_kernel_caches(root)
    return root


def test_first_check_drops_caches_of_unknown_sources(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    files = _cache(root)
    assert drop_stale_kernel_caches(root) is True
    assert _dropped(files)
    assert all(f.exists() for f in files if f.suffix == ".pyc")
    assert (root / "__pycache__" / STAMP).exists()


def test_unchanged_sources_keep_the_caches(tmp_path: Path) -> None:
    root = _checked_package(tmp_path)
    files = _cache(root)
    assert drop_stale_kernel_caches(root) is False
    assert all(f.exists() for f in files)


def test_an_edit_outside_the_kernels_keeps_the_caches(tmp_path: Path) -> None:
    root = _checked_package(tmp_path)
    files = _cache(root)
    _edit(root / "plain.py", "X = 2\n")
    assert drop_stale_kernel_caches(root) is False
    assert all(f.exists() for f in files)


def test_an_edit_of_any_kernel_module_drops_every_cache(tmp_path: Path) -> None:
    root = _checked_package(tmp_path)
    files = _cache(root)
    # the callee's module changes, not the caller's: numba alone would keep the caller's cache
    _edit(root / "sub" / "inner.py", "from .._jit import njit\n# changed\n")
    assert drop_stale_kernel_caches(root) is True
    assert _dropped(files)
    files = _cache(root)
    assert drop_stale_kernel_caches(root) is False
    assert all(f.exists() for f in files)


def test_a_new_kernel_module_drops_the_caches(tmp_path: Path) -> None:
    root = _checked_package(tmp_path)
    files = _cache(root)
    (root / "more.py").write_text("from ._jit import njit\n")
    assert drop_stale_kernel_caches(root) is True
    assert _dropped(files)


def test_an_unreadable_stamp_counts_as_none(tmp_path: Path) -> None:
    root = _checked_package(tmp_path)
    (root / "__pycache__" / STAMP).write_text("{not json")
    files = _cache(root)
    assert drop_stale_kernel_caches(root) is True
    assert _dropped(files)


def test_a_read_only_package_is_left_alone(tmp_path: Path, monkeypatch) -> None:
    # numba caches a read-only package's kernels in its user cache directory, not here; the check
    # neither reads the sources nor writes a stamp (os.access is patched: the tests may run as root)
    import deterrence._jit as jit

    root = _package(tmp_path / "pkg")
    files = _cache(root)
    monkeypatch.setattr(jit.os, "access", lambda path, mode: False)
    monkeypatch.setattr(jit, "_kernel_digest", lambda *args: pytest.fail("the sources were read"))
    assert drop_stale_kernel_caches(root) is False
    assert all(f.exists() for f in files)
    assert not (root / "__pycache__" / STAMP).exists()


def test_a_missing_package_is_no_error(tmp_path: Path) -> None:
    assert drop_stale_kernel_caches(tmp_path / "absent") is False


def test_the_package_checks_its_own_sources_before_its_kernels_load() -> None:
    import deterrence
    from deterrence._jit import numba_module

    numba_module()  # what every kernel module calls first

    stamp = Path(deterrence.__file__).parent / "__pycache__" / STAMP
    if os.access(stamp.parent.parent, os.W_OK):
        assert stamp.exists()


def test_an_edit_of_a_module_a_kernel_imports_drops_the_caches(tmp_path: Path) -> None:
    """numba compiles the globals a kernel reads into it: a constant imported from a plain module
    is part of the kernel's machine code."""
    root = _package(tmp_path / "pkg")
    (root / "consts.py").write_text("T = 1.0\n")
    (root / "sub" / "deep.py").write_text("from .. import consts\n")  # reached through another module
    (root / "kernel.py").write_text("from ._jit import njit\nfrom .sub.inner import *\n")
    (root / "sub" / "inner.py").write_text("from .._jit import njit\nfrom . import deep\n")
    drop_stale_kernel_caches(root)
    files = _cache(root)
    _edit(root / "consts.py", "T = 2.0\n")
    assert drop_stale_kernel_caches(root) is True
    assert _dropped(files)


def test_the_caches_in_numba_cache_dir_are_dropped_too(tmp_path: Path, monkeypatch) -> None:
    root = _checked_package(tmp_path)
    user = tmp_path / "user-cache"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(user))
    folder = user / f"sub_{hashlib.sha1(os.path.abspath(root / 'sub').encode()).hexdigest()}"
    folder.mkdir(parents=True)
    files = [folder / "inner.f-3.py311.nbi", folder / "inner.f-3.py311.1.nbc"]
    for f in files:
        f.write_bytes(b"x")
    other = user / "elsewhere_0123" / "x.f-1.py311.nbi"  # another package's: left alone
    other.parent.mkdir()
    other.write_bytes(b"x")
    _edit(root / "sub" / "inner.py", "from .._jit import njit\n# changed\n")
    assert drop_stale_kernel_caches(root) is True
    assert _dropped(files) and other.exists()


_RUN = """
import sys
sys.path.insert(0, {parent!r})
from pathlib import Path
from deterrence._jit import drop_stale_kernel_caches
drop_stale_kernel_caches(Path({root!r}))
from pkg.kern import f
print(f())
"""


@pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba compiles the kernels")
@pytest.mark.parametrize("case", ["constant of a plain module", "callee with NUMBA_CACHE_DIR"])
def test_numba_runs_the_edited_code_after_the_check(tmp_path: Path, case: str) -> None:
    """With numba itself: a kernel cached on disk, then a change it depends on that numba alone
    does not see (its own file is unchanged); after the check, the next process computes with
    the new code. Subprocesses (numba's caches are per process); ``timeout`` only guards a hang."""
    parent = tmp_path / "src"
    root = parent / "pkg"
    root.mkdir(parents=True)
    (root / "__init__.py").write_text("")
    kernel = "import numba\nfrom .{0} import {1}\n\n@numba.njit(cache=True)\ndef f():\n    return {2}\n"
    env = {**os.environ}
    if case.startswith("constant"):
        (root / "consts.py").write_text("T = 1.0\n")
        (root / "kern.py").write_text(kernel.format("consts", "T", "T"))
        edited, new = root / "consts.py", "T = 2.0\n"
    else:
        env["NUMBA_CACHE_DIR"] = str(tmp_path / "numba-cache")
        (root / "inner.py").write_text("import numba\n\n@numba.njit(cache=True)\ndef g():\n    return 1.0\n")
        (root / "kern.py").write_text(kernel.format("inner", "g", "g()"))
        edited, new = root / "inner.py", (root / "inner.py").read_text().replace("1.0", "2.0")
    code = _RUN.format(parent=str(parent), root=str(root))

    def run() -> str:
        argv = [sys.executable, "-c", code]
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=HANG_GUARD)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run() == "1.0"
    _edit(edited, new)
    assert run() == "2.0"
