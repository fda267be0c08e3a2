"""The repository's top level holds the project's parts only, not a stray run's output.

A sweep run by hand in a checkout writes its table, manifest and regime map where it is told
(``--out``); such a folder was once committed at the top level by accident. The tracked top
level is the list below: the package, its models, benchmarks, tests and docs, and the
project's files.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

TOP_LEVEL = {
    ".ci", ".gitignore", "CHANGELOG.md", "CITATION.cff", "LICENSE", "README.md", "benchmarks",
    "deterrence", "docs", "mkdocs.yml", "models", "pyproject.toml", "tests",
}


def _tracked_top_level() -> set[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {line.split("/", 1)[0] for line in out.splitlines() if line}


def test_tracked_top_level_is_the_projects_parts() -> None:
    stray = sorted(_tracked_top_level() - TOP_LEVEL)
    assert not stray, f"tracked at the repository's top level but not part of the project: {stray}"


def test_required_parts_are_tracked() -> None:
    missing = sorted({"deterrence", "models", "benchmarks", "tests", "docs", "pyproject.toml",
                      "README.md"} - _tracked_top_level())
    assert not missing, f"required top-level parts not tracked: {missing}"
