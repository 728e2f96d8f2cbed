"""The package as a packager sees it: one version, a license, type information."""

import tomllib
from pathlib import Path

import gradtrace

ROOT = Path(__file__).resolve().parent.parent


def test_the_version_is_written_once_and_read_everywhere(gt):
    written = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert gradtrace.__version__ == written
    assert gt("--version").stdout.strip() == f"gradtrace, version {written}"
    assert "__version__ =" not in (ROOT / "gradtrace" / "__init__.py").read_text()


def test_license_and_type_information_ship():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert (ROOT / "gradtrace" / "py.typed").exists()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "Typing :: Typed" in project["project"]["classifiers"]
    assert project["tool"]["setuptools"]["package-data"]["gradtrace"] == ["py.typed"]
