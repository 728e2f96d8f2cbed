"""The --html page's stylesheet and script are package files (gradtrace/render/page), shipped
with the package."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from importlib import resources
from pathlib import Path

import needs
from conftest import SIGMOID

import gradtrace
from gradtrace.render import html

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "gradtrace" / "render" / "page"
ASSETS = ("page.css", "page.js")
SIGMOID_AT = dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)


def _asset(name: str) -> str:
    return resources.files("gradtrace.render").joinpath("page", name).read_text(encoding="utf-8")


def _page(trace=None) -> str:
    needs.program("dot", "graphviz")  # the page's circuit
    if trace is None:
        trace = gradtrace.trace(SIGMOID, **SIGMOID_AT)
    return html.render(trace)


def test_the_page_carries_its_stylesheet_from_the_package_file():
    page = _page()
    assert f"<style>\n{_asset('page.css')}</style>" in page
    assert page.count("<style>") == 1


def test_the_page_carries_its_script_from_the_package_file():
    """Line for line, but the two lines where html.py fills in the reader's functions and their
    aliases (READER_FUNCTIONS, READER_ALIASES: the tests compare them with the op table)."""
    page = _page()
    script = re.findall(r"<script>\n(.*?)</script>", page, re.DOTALL)
    assert len(script) == 1
    shipped, written = script[0].split("\n"), _asset("page.js").split("\n")
    assert len(shipped) == len(written)
    filled = [k for k, line in enumerate(written) if "{FUNCTIONS}" in line or "{ALIASES}" in line]
    assert len(filled) == 2
    assert [line for k, line in enumerate(shipped) if k not in filled] == \
        [line for k, line in enumerate(written) if k not in filled]
    functions, aliases = (shipped[k] for k in filled)
    assert all(f'"{name}": function (x) {{ return {code}; }}' in functions
               for name, code in html.READER_FUNCTIONS.items())
    assert aliases.strip() == f"var ALIASES = {json.dumps(html.READER_ALIASES, ensure_ascii=False)};"


def test_html_py_holds_no_stylesheet_or_script_of_its_own():
    source = (ROOT / "gradtrace" / "render" / "html.py").read_text(encoding="utf-8")
    for marker in ("font-family", "@media", "use strict", "addEventListener", "querySelector"):
        assert marker not in source, marker


def test_every_data_file_of_the_package_ships():
    """Each file in gradtrace/ that is not Python is matched by a package-data pattern of
    pyproject.toml, so the wheel and the sdist carry it (the page's CSS and JS among them)."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["gradtrace"]
    package = ROOT / "gradtrace"
    data = [path.relative_to(package).as_posix() for path in package.rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts]
    assert {f"render/page/{name}" for name in ASSETS} <= set(data)
    unshipped = [name for name in data if not any(fnmatch.fnmatchcase(name, p) for p in patterns)]
    assert not unshipped, unshipped
