"""The --html page's stylesheet and script are package files (gradtrace/render/page), linted by
ESLint (tests/js/eslint.config.js) and shipped with the package; the page's float noise is a
report the modes attach to the Trace, so rendering the page never runs the engine."""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import tomllib
from importlib import resources
from pathlib import Path

import needs
import pytest
from conftest import SIGMOID

import gradtrace
from gradtrace.modes import answers
from gradtrace.render import html
from gradtrace.render.text import wires

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "gradtrace" / "render" / "page"
ASSETS = ("page.css", "page.js")
SIGMOID_AT = dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)


def _asset(name: str) -> str:
    return resources.files("gradtrace.render").joinpath("page", name).read_text(encoding="utf-8")


def _page(trace=None) -> str:
    needs.program("dot", "graphviz")  # the page's circuit
    if trace is None:
        trace = answers.with_float_noise(gradtrace.trace(SIGMOID, **SIGMOID_AT))
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


# ---- lint -------------------------------------------------------------------------------------

def _eslint(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    node, modules = needs.node_tools()
    if not (modules / "eslint").is_dir():
        message = "tests/js/node_modules has no eslint (run: npm ci --prefix tests/js; .ci/run does)"
        if needs.in_ci():
            pytest.fail(message + ", and CI must run this test")
        pytest.skip(message)
    cli = modules / "eslint" / "bin" / "eslint.js"
    # The config's folder is not the base path: with --config the files are named from ROOT.
    return subprocess.run([node, str(cli), "--config", str(ROOT / "tests" / "js" / "eslint.config.js"),
                           "--max-warnings", "0", "--no-color", *args],
                          cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120)


def test_the_page_script_and_stylesheet_pass_eslint():
    done = _eslint(*(str(PAGE.relative_to(ROOT) / name) for name in ASSETS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_script_the_page_carries_passes_eslint():
    """The script with its functions filled in, as the browser gets it."""
    script = re.findall(r"<script>\n(.*?)</script>", _page(), re.DOTALL)[0]
    done = _eslint("--stdin", "--stdin-filename", "gradtrace/render/page/page.js", stdin=script)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("name", "text", "rule"), [
    ("page.js", "(function () {\n  \"use strict\";\n  total = 1;\n})();\n", "no-undef"),
    ("page.js", "(function () {\n  var x = 1;\n  if (x == NaN) return;\n})();\n", "use-isnan"),
    ("page.css", "a { colr: red; }\n", "css/no-invalid-properties"),
    ("page.css", "a { color: red; color: blue; }\nb { }\n", "css/no-empty-blocks"),
])
def test_eslint_finds_a_mistake_in_either_file(name, text, rule):
    """The lint can fail: a mistake of each kind in a file named as the page's is reported."""
    done = _eslint("--stdin", "--stdin-filename", f"gradtrace/render/page/{name}", stdin=text)
    assert done.returncode == 1 and rule in done.stdout, done.stdout + done.stderr


# ---- the float noise is a report, not the renderer's work ---------------------------------------

def test_the_page_reads_the_float_noise_the_modes_attach_and_runs_no_engine(monkeypatch):
    """The modes measure the noise (answers.float_noise, three runs of the engine) and attach it to
    the Trace; rendering the page reads that report and calls neither the engine nor the noise."""
    from gradtrace.core import engine

    trace = gradtrace.trace("x*x - 0.3 + (0.1 + 0.2) + y", x=0.25, y=0)
    noisy = answers.with_float_noise(trace)
    expected = answers.float_noise(trace)[1]
    assert noisy.noise.upstream == expected and trace.noise is None
    assert any(n > 0 for n in expected)

    def refused(*args, **kwargs):
        raise AssertionError("the renderer ran the engine")

    monkeypatch.setattr(answers, "float_noise", refused)
    for name in ("forward", "backward", "run"):
        if hasattr(engine, name):
            monkeypatch.setattr(engine, name, refused)
    page = _page(noisy)
    shown = [float(v) for v in re.findall(r"data-noise='([^']*)'", page)]
    assert shown == [float(expected[row.id]) for row in trace.nodes if row.id != trace.output_id]  # table order
    data = json.loads(re.search(r'id="gradtrace-data">(.*?)</script>', page, re.DOTALL).group(1))
    on_wires = [float(expected[int(source[1:])]) for source, target, *_ in wires(trace) if target != "end"]
    assert [w["noise"] for w in data["wires"] if "noise" in w] == on_wires


def test_a_trace_without_the_report_gets_a_page_without_the_self_test_boxes():
    """No report, no grading: the page never measures the noise itself."""
    page = _page(gradtrace.trace(SIGMOID, **SIGMOID_AT))
    assert "data-noise" not in page and "class='answer'" not in page


@pytest.mark.parametrize(("args", "boxes"), [
    (["x*y + 0.1 + 0.2 - 0.3", "-x", "3", "-y", "0.5"], True),
    (["x*y", "-x", "1/3", "-y", "2", "--exact"], False),        # exact values: nothing to grade by noise
    (["sum(x*w)", "-x", "[1, 2]", "-w", "[3, 4]"], False),       # arrays: the page grades no arrays
])
def test_the_command_line_page_has_the_noise_where_it_grades(gt, args, boxes):
    needs.program("dot", "graphviz")
    page = gt(*args, "--html", "-").stdout
    assert ("data-noise" in page) is boxes
    if boxes:
        trace = gradtrace.trace(args[0], x=3, y=0.5)
        shown = [float(v) for v in re.findall(r"data-noise='([^']*)'", page)]
        noise = answers.float_noise(trace)[1]
        assert shown == [float(noise[row.id]) for row in trace.nodes if row.id != trace.output_id]
