"""What a packager and a citing scholar read: licence, citation file, metadata."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_license_file_is_the_mit_licence_the_metadata_names() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text
    project = _project()
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]


def test_citation_file_names_title_version_and_licence() -> None:
    text = (ROOT / "CITATION.cff").read_text()
    fields = dict(re.findall(r"^([a-z-]+):\s*(.*)$", text, flags=re.M))
    assert fields["cff-version"] == "1.2.0"
    assert fields["type"] == "software"
    assert "deterrence" in fields["title"]
    assert fields["license"] == "MIT"
    import deterrence as dt

    assert fields["version"].strip('"') == dt.__version__


def test_classifiers_name_every_supported_python() -> None:
    project = _project()
    minimum = tuple(int(x) for x in re.findall(r"\d+", project["requires-python"]))
    assert minimum == (3, 11)
    versions = [c.rsplit("::", 1)[1].strip() for c in project["classifiers"]
                if c.startswith("Programming Language :: Python :: 3.")]
    assert "3.11" in versions
    assert all(tuple(int(x) for x in v.split(".")) >= minimum for v in versions)
