"""Real components a user meets (Graphviz, pdflatex, Chromium, node, PyTorch): a test that needs one
skips only outside CI, and says which; in CI (CI=true, where .ci/run installs them) a missing one
fails.

    python tests/needs.py hide FOLDER NAME...

prints a PATH without those programs (FOLDER holds the stand-in folders), for running the suite as
a machine without them: .ci/run does, with dot, pdflatex, Chromium and node, and expects skips.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """CI=true (or 1, yes, on): a missing component is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def _missing(message: str) -> NoReturn:
    if in_ci():
        pytest.fail(message + ", and CI must run this test")
    pytest.skip(message)


def program(name: str, package: str) -> str:
    """The path of a program such as dot or pdflatex, or a skip (a failure in CI)."""
    path = shutil.which(name)
    if path is None:
        _missing(f"{name} is not installed (Debian package {package}; .ci/run installs it)")
    return path


def module(name: str, install: str):
    """An optional Python module such as torch, or a skip (a failure in CI)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        _missing(f"{name} is not installed ({install}; .ci/run installs it)")


def node_tools() -> tuple[str, Path]:
    """node and tests/js/node_modules (Mermaid's parser, axe-core), or a skip (a failure in CI):
    .ci/run installs nodejs and npm from Debian's packages and runs npm ci in tests/js."""
    node = program("node", "nodejs")
    modules = Path(__file__).resolve().parent / "js" / "node_modules"
    if not (modules / "mermaid").is_dir():
        _missing("tests/js has no node_modules (run: npm ci --prefix tests/js; .ci/run does)")
    return node, modules


def hide(names: Iterable[str], into: Path, path: str | None = None) -> str:
    """PATH (or `path`) without the programs `names`: each folder that holds one of them is replaced
    by a folder in `into` of links to everything else it holds; other folders stay as they are."""
    names = set(names)
    into.mkdir(parents=True, exist_ok=True)
    folders = []
    for k, entry in enumerate((os.environ.get("PATH", "") if path is None else path).split(os.pathsep)):
        folder = Path(entry)
        if not entry or not folder.is_dir() or not any((folder / name).exists() for name in names):
            folders.append(entry)
            continue
        stand_in = into / f"{k}-{folder.name or 'root'}"
        stand_in.mkdir(exist_ok=True)
        for item in folder.iterdir():
            if item.name not in names and not (stand_in / item.name).exists():
                (stand_in / item.name).symlink_to(item)
        folders.append(str(stand_in))
    return os.pathsep.join(folders)


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "hide":
        sys.exit("usage: python tests/needs.py hide FOLDER NAME...")
    print(hide(sys.argv[3:], Path(sys.argv[2])))
