"""The package as a packager sees it: one version, a license, type information."""

import tomllib
from pathlib import Path

import needs
import pytest

import gradtrace
from gradtrace.cli import cli
from gradtrace.cli.manpage import manpage

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
    assert project["tool"]["setuptools"]["package-data"]["gradtrace"] == [
        "py.typed", "schema/*.json", "locale/*.pot", "locale/*/LC_MESSAGES/gradtrace.po",
        "locale/*/LC_MESSAGES/gradtrace.mo",  # the catalogs, compiled: --lang ko needs the .mo
        "render/page/*.css", "render/page/*.js"]  # the --html page's stylesheet and script


def test_the_man_page_documents_every_option_and_exit_code():
    """setup.py writes this page at build time; `man gradtrace` shows it once installed."""
    from gradtrace.cli.trace import EXIT_CODES

    page = manpage(cli, "9.9")
    assert page.startswith('.TH GRADTRACE 1 "" "gradtrace 9.9"')
    for command in cli.commands.values():
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt.replace("-", "\\-") in page, opt
    section = page[page.index(".SH EXIT STATUS"):page.index(".SH EXAMPLES")]
    for code, _ in EXIT_CODES:
        assert f".B {int(code)}" in section


def test_the_man_page_renders_with_man(tmp_path):
    import subprocess


    man = needs.program("man", "man-db")
    (tmp_path / "gradtrace.1").write_text(manpage(cli))
    # --warnings: groff's own warnings (a bad escape, a macro it doesn't know) on stderr
    shown = subprocess.run([man, "--warnings", "-l", str(tmp_path / "gradtrace.1")], capture_output=True, text=True,
                           env={"MANWIDTH": "80", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, check=True)
    assert "EXIT STATUS" in shown.stdout and "--expect NAME=VALUE" in shown.stdout
    assert "ENVIRONMENT" in shown.stdout and "LC_MESSAGES" in shown.stdout and "gradtrace --man" in shown.stdout
    assert shown.stderr == ""


def _section(page: str, name: str) -> str:
    start = page.index(f".SH {name}\n")
    end = page.find("\n.SH ", start + 1)
    return page[start:end if end >= 0 else len(page)]


def test_man_prints_the_page_however_gradtrace_was_installed():
    """gradtrace --man is the page (roff, when stdout is not a terminal), at the version installed:
    uv tool install and pipx put no page where `man gradtrace` looks."""
    import subprocess
    import sys


    done = subprocess.run([sys.executable, "-m", "gradtrace", "--man"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == manpage(cli)
    assert done.stdout.startswith(f'.TH GRADTRACE 1 "" "gradtrace {gradtrace.__version__}"')
    assert "gradtrace \\-\\-man" in _section(done.stdout, "DESCRIPTION")  # the page says how to get it


def test_help_says_how_to_get_the_man_page(gt):
    shown = gt("--help").stdout
    assert "--man" in shown and "Manual: gradtrace --man" in shown


def test_man_goes_through_man_on_a_terminal(monkeypatch, tmp_path, capsys):
    """On a terminal --man hands the page to `man -l -`; without man it prints the roff."""
    import io
    import shutil

    from gradtrace.cli import manpage as module

    fake = tmp_path / "man"
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path}/args\ncat > {tmp_path}/page\n")
    fake.chmod(0o755)

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr(shutil, "which", lambda name: str(fake) if name == "man" else None)
    assert module.show("the page\n") == 0
    assert (tmp_path / "args").read_text().split() == ["-l", "-"] and (tmp_path / "page").read_text() == "the page\n"
    assert out.getvalue() == ""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert module.show("the page\n") == 0 and out.getvalue() == "the page\n"


def test_the_man_page_lists_the_environment_and_every_exit_status():
    """ENVIRONMENT names every variable gradtrace reads (os.environ in its source, and the locale's
    LC_ALL, LC_MESSAGES and LANG); EXIT STATUS has 0, 1, 2, 3 and 130."""
    import ast
    import re

    from gradtrace.i18n import from_environment

    page = manpage(cli, "9.9")
    environment = _section(page, "ENVIRONMENT")
    listed = set(re.findall(r"^\.B (\S+)$", environment, re.M))
    read = set()
    for path in (ROOT / "gradtrace").rglob("*.py"):  # code that runs, not scripts it writes (the autograder's)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
                owner, args = node.func.value, node.args
            elif isinstance(node, ast.Subscript):
                owner, args = node.value, [node.slice]
            else:
                continue
            if isinstance(owner, ast.Attribute) and owner.attr == "environ" and args \
                    and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                read.add(args[0].value)
    read.discard("LANGUAGE")  # i18n sets it for click's gettext and puts back what it found; it never chooses
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):  # read through a loop, not by name
        assert from_environment({key: "ko_KR.UTF-8"}) == "ko"
        read.add(key)
    assert read <= {name.replace("\\", "") for name in listed}, read - listed
    assert {"NO_COLOR", "COLUMNS", "GRADTRACE_DEBUG"} <= read
    statuses = set(re.findall(r"^\.B (\d+)$", _section(page, "EXIT STATUS"), re.M))
    assert statuses == {"0", "1", "2", "3", "130"}



# How the suite uses each package of the published test extra: a word its tests (or, for the
# runner's plugin, .ci/run's test command) write.
TEST_EXTRA_USES = {
    "pytest": "import pytest", "hypothesis": "from hypothesis import", "nbclient": "nbclient",
    "nbformat": "nbformat", "ipykernel": "ipykernel", "websocket-client": "import websocket",
    "jsonschema": "jsonschema", "babel": "pybabel", "pyte": "pyte", "pytest-xdist": "pytest -q -n 2",
    "import-linter": "lint-imports", "micrograd": "micrograd",
    "build": '"-m", "build"', "setuptools": '"--no-isolation"', "xmlschema": "import xmlschema",
    "pygiftparserrgmf": "from pygiftparser import",
}


def _extras() -> dict[str, list[str]]:
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {extra: [Requirement(text).name for text in texts]
            for extra, texts in project["optional-dependencies"].items()}


def test_the_test_extra_holds_only_what_the_tests_need():
    """The published test extra: each package is used by the suite (ruff and mypy, which no test
    runs, are in the dev extra)."""
    extras = _extras()
    assert sorted(extras["test"]) == sorted(TEST_EXTRA_USES)
    assert sorted(extras["dev"]) == "mypy ruff".split()
    suite = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "tests").glob("*.py"))
    table = suite.index("TEST_EXTRA_USES = {")
    suite = suite[:table] + suite[suite.index("}\n", table):]  # the words themselves are no use
    suite += (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for name, word in TEST_EXTRA_USES.items():
        assert word in suite, f"no test uses {name} ({word!r}): drop it from the test extra"
    for tool in extras["dev"]:
        assert f'"{tool}"' not in suite and f"import {tool}" not in suite and f"-m {tool}" not in suite, \
            f"a test runs {tool}: it needs the test extra then, and to skip naming it where it is missing"


def test_ci_installs_the_dev_extra_before_it_lints():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = ci.index('.venv/bin/pip install --quiet ".[dev]"')
    assert install < ci.index(".venv/bin/ruff check") and install < ci.index(".venv/bin/mypy gradtrace")
    assert '.venv-newest/bin/pip install --quiet ".[test,dev,docs]"' in ci


def test_the_classifiers_claim_only_the_python_versions_ci_tests():
    """.ci/run names the versions it tests (python_versions=(...)) and refuses an interpreter that is
    not one of them; the classifiers claim exactly those, and requires-python starts at the oldest."""
    import re

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    declared = re.search(r"^python_versions=\(([^)]*)\)$", ci, re.M)
    assert declared, ".ci/run names no python_versions"
    tested = declared.group(1).split()
    assert '"$python3_managed" -c' in ci and "not one of the versions CI claims to test" in ci
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    claimed = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"]
               if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert sorted(claimed, key=Version) == sorted(tested, key=Version)
    oldest = min(tested, key=Version)
    assert SpecifierSet(project["requires-python"]) == SpecifierSet(f">={oldest}")


def _copy_of_the_tree(into: Path) -> Path:
    """The source tree as an sdist's builder meets it (a checkout or an unpacked sdist), without
    what builds and runs leave in it."""
    import shutil

    skip = shutil.ignore_patterns("build", "dist", ".venv*", "node_modules", "__pycache__", ".git", "*.egg-info",
                                  ".pytest_cache", ".mypy_cache", ".ruff_cache", "results")
    return Path(shutil.copytree(ROOT, into, ignore=skip, symlinks=True))


def _build(tree: Path, out: Path, epoch: str) -> dict[str, bytes]:
    import os
    import subprocess
    import sys

    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}  # setup.py imports the tree it builds, first on sys.path
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(tree)],
                          capture_output=True, text=True, timeout=600, env=env, cwd=tree)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


@pytest.mark.slow
def test_the_sdist_and_the_wheel_are_reproducible_with_source_date_epoch(tmp_path):
    """Built twice from copies of the tree in other folders, with other mtimes, at other times, but
    the same SOURCE_DATE_EPOCH: the same bytes (python -m build: the sdist, then the wheel from it)."""
    import os
    import tarfile
    import time

    needs.module("build", "pip install build, in the test extra")
    first = _copy_of_the_tree(tmp_path / "one" / "gradtrace")
    second = _copy_of_the_tree(tmp_path / "two" / "elsewhere")
    for path in second.rglob("*"):
        if path.is_file():
            os.utime(path, (1_500_000_000, 1_500_000_000))
    built = _build(first, tmp_path / "out1", "1700000000")
    time.sleep(1.1)  # a build at another second: the gzip header and the release tree's times
    again = _build(second, tmp_path / "out2", "1700000000")
    version = gradtrace.__version__
    assert sorted(built) == [f"gradtrace-{version}-py3-none-any.whl", f"gradtrace-{version}.tar.gz"]
    for name in built:
        assert built[name] == again[name], f"{name} differs between two builds"
    with tarfile.open(tmp_path / "out1" / f"gradtrace-{version}.tar.gz") as sdist:
        members = sdist.getmembers()
        info = sdist.extractfile(f"gradtrace-{version}/PKG-INFO").read().decode()
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(1700000000, 0, 0, "", "")}
    tool = _pypi_readme()
    description = info.split("\n\n", 1)[1]  # PyPI's page: no relative link or image in it
    assert "## Quickstart" in description and all(tool.is_absolute(t) for t in tool.targets(description))


def test_the_changelog_follows_the_release_process():
    """CONTRIBUTING.md's release process: ## [Unreleased] first, then the releases, newest first,
    each ## [X.Y.Z] - YYYY-MM-DD; the version in pyproject.toml is the newest release's."""
    import datetime
    import re

    from packaging.version import Version

    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.*)$", changelog, re.M)
    assert headings[0] == "[Unreleased]", headings[:2]
    released = []
    for heading in headings[1:]:
        match = re.fullmatch(r"\[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})", heading)
        assert match, f"not a release heading: ## {heading}"
        released.append((Version(match.group(1)), datetime.date.fromisoformat(match.group(2))))
    assert released, "no release in CHANGELOG.md"
    assert released == sorted(released, reverse=True), "releases are not newest first"
    written = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert Version(written) == released[0][0], f"pyproject.toml says {written}, the newest release is {released[0][0]}"
    process = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for step in ("## [Unreleased]", 'version = "X.Y.Z"', "git tag -a vX.Y.Z", "SOURCE_DATE_EPOCH=",
                 "twine check --strict", "twine upload"):
        assert step in process, step


def _pypi_readme():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import pypi_readme
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return pypi_readme


@pytest.mark.parametrize("readme", ["README.md", "README.ko.md"])
def test_the_readme_pypi_shows_has_no_relative_link_or_image(readme):
    """PyPI's page can't follow a relative target: what setup.py gives it as the description has
    only absolute URLs and in-page anchors, and keeps every sentence of the README."""
    tool = _pypi_readme()
    text = (ROOT / readme).read_text(encoding="utf-8")
    shown = tool.pypi_readme(text, tool.repository_url())
    assert all(tool.is_absolute(target) for target in tool.targets(shown)), \
        [t for t in tool.targets(shown) if not tool.is_absolute(t)]
    relative = [t for t in tool.targets(text) if not tool.is_absolute(t)]
    if tool.repository_url() is None:  # no public URL yet: each file is named, each picture described
        for target in relative:
            assert target.split("#")[0] in shown, target
    assert len(shown.splitlines()) == len(text.splitlines())  # one line for one line: nothing dropped


def test_relative_targets_become_the_repositorys_urls():
    tool = _pypi_readme()
    text = ("![a picture](docs/a.png) and [CONTRIBUTING.md](CONTRIBUTING.md#translations), "
            "[up](#quickstart), [PyPI](https://pypi.org/)\n[ref]: ./docs/b.svg\n<img src=\"docs/c.png\">\n"
            "```sh\n[not a link](docs/x.png)\n```\n")
    shown = tool.pypi_readme(text, "https://example.org/team/gradtrace")
    assert shown == ("![a picture](https://example.org/team/gradtrace/raw/main/docs/a.png) and "
                     "[CONTRIBUTING.md](https://example.org/team/gradtrace/blob/main/CONTRIBUTING.md#translations), "
                     "[up](#quickstart), [PyPI](https://pypi.org/)\n"
                     "[ref]: https://example.org/team/gradtrace/raw/main/docs/b.svg\n"
                     "<img src=\"https://example.org/team/gradtrace/raw/main/docs/c.png\">\n"
                     "```sh\n[not a link](docs/x.png)\n```\n")
    plain = tool.pypi_readme(text, None)
    assert plain.startswith("*(a picture, docs/a.png in the sdist: a picture)* and CONTRIBUTING.md, [up](#quickstart)")


def test_project_urls_are_absolute():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"].get("urls", {})
    assert all(url.startswith("https://") for url in urls.values()), urls
