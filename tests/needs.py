"""Real components a user meets (Graphviz, pdflatex, PyTorch): a test that needs one skips only
outside CI, and says so; in CI (CI=true, where .ci/run installs them) a missing one fails."""

import importlib
import os
import shutil

import pytest


def program(name: str, package: str) -> str:
    """The path of a program such as dot or pdflatex, or a skip (a failure in CI)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian package {package}; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message + ", and CI must run this test")
        pytest.skip(message)
    return path


def module(name: str, install: str):
    """An optional Python module such as torch, or a skip (a failure in CI)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        message = f"{name} is not installed ({install}; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message + ", and CI must run this test")
        pytest.skip(message)


def node_tools() -> "tuple[str, object]":
    """node and tests/js/node_modules (Mermaid's parser, axe-core), or a skip (a failure in CI):
    .ci/run installs nodejs and npm from Debian's packages and runs npm ci in tests/js."""
    from pathlib import Path

    node = program("node", "nodejs")
    modules = Path(__file__).resolve().parent / "js" / "node_modules"
    if not (modules / "mermaid").is_dir():
        message = "tests/js has no node_modules (run: npm ci --prefix tests/js; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message + ", and CI must run this test")
        pytest.skip(message)
    return node, modules
