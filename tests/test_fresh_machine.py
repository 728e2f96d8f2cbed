"""A fresh machine: the Quickstart works from a plain python3 that refuses global installs (PEP 668),
CI's test environment is locked (constraints/test.txt) so a release elsewhere can't turn main red,
and a test whose program (Graphviz, pdflatex, Chromium, node) is missing skips and names it, but
fails under CI. .ci/run runs the Quickstart itself, the suite on the lock and on the newest
releases, and the suite with those programs hidden from PATH."""

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import needs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "constraints" / "test.txt"
# The extras the lock pins: the tests' own, the linters' (dev) and the docs site's.
LOCKED_EXTRAS = ("test", "dev", "docs")
# Those installed when the suite runs in .ci/run: the dev extra (ruff, mypy) comes after it, for the lint step.
SUITE_EXTRAS = ("test", "docs")
HEADLINE = ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4"]
# The programs the suite drives, as its tests name them to tests/needs.py.
PROGRAMS = [("dot", "graphviz"), ("pdflatex", "texlive-latex-base"), ("chromium", "chromium"), ("node", "nodejs")]


# ---- the Quickstart -----------------------------------------------------------------------------

def quickstart(readme: Path) -> list[str]:
    """The command lines of the ```sh block under '## Quickstart', as .ci/run reads them."""
    section = re.search(r"^## Quickstart\n(.*?)(?=^## )", readme.read_text(encoding="utf-8"), re.M | re.S)
    assert section, f"{readme.name} has no Quickstart section"
    block = re.search(r"^```sh\n(.*?)^```$", section.group(1), re.M | re.S)
    assert block, f"{readme.name}'s Quickstart has no sh block"
    return block.group(1).splitlines()


def steps(line: str) -> list[list[str]]:
    """One command line split at && into its commands, each as the shell's words."""
    words = shlex.split(line)
    out: list[list[str]] = [[]]
    for word in words:
        if word == "&&":
            out.append([])
        else:
            out[-1].append(word)
    return out


@pytest.mark.parametrize("readme", ["README.md", "README.ko.md"])
def test_the_quickstart_makes_a_venv_and_installs_only_into_it(readme):
    """pip refuses to install into Debian's and Ubuntu's python3 (externally-managed-environment):
    each line makes .venv with python3 and runs nothing but that venv's programs after it, so either
    line works alone on a machine that has only python3."""
    lines = quickstart(ROOT / readme)
    assert len(lines) == 2, lines
    for line in lines:
        assert "|" not in line and ";" not in line and "activate" not in line, line  # one && chain, no state
        first, *rest = steps(line)
        assert first == ["python3", "-m", "venv", ".venv"], line
        assert rest and all(command[0].startswith(".venv/bin/") for command in rest), line
    install, run = steps(lines[0])[1:]
    assert install == [".venv/bin/pip", "install", "."]
    assert run == [".venv/bin/gradtrace", *HEADLINE]
    install, run = steps(lines[1])[1:]
    assert install == [".venv/bin/pip", "install", ".[test]"]
    assert run == [".venv/bin/python", "-m", "pytest"]


def test_the_korean_quickstart_is_the_english_one():
    assert quickstart(ROOT / "README.ko.md") == quickstart(ROOT / "README.md")


def test_readme_commands_run_on_the_install_of_the_python_that_runs_them(monkeypatch):
    """.ci/run runs tests/readme_examples.py with .venv/bin/python, not activated: the README's
    `gradtrace` and `python` must be that venv's, whatever PATH holds."""
    import readme_examples

    monkeypatch.setenv("PATH", "/nowhere")
    path = readme_examples.environment()["PATH"].split(os.pathsep)
    assert path == [str(Path(sys.executable).parent), "/nowhere"]


def test_ci_runs_the_quickstart_lines_as_written():
    """.ci/run reads the two lines from README.md and hands each to bash unchanged."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^mapfile -t commands < <\(sed -n '/\^## Quickstart/", ci, re.M)
    assert 'bash -euo pipefail -c "${commands[0]}"' in ci and 'bash -euo pipefail -c "${commands[1]}"' in ci
    # ... starting from a python3 that refuses global installs
    assert "EXTERNALLY-MANAGED" in ci and "externally-managed-environment" in ci


# ---- the lock -----------------------------------------------------------------------------------

def _lock() -> dict[str, tuple[Version, str]]:
    """constraints/test.txt as {canonical name: (version, line)}: every line a bare name==version."""
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        assert not text.startswith("-"), f"an option in the lock (no index or find-links): {line}"
        requirement = Requirement(text)
        assert not requirement.extras and not requirement.url and requirement.marker is None, line
        (spec,) = requirement.specifier
        assert spec.operator == "==" and "+" not in spec.version, f"not a plain pin: {line}"
        name = canonicalize_name(requirement.name)
        assert name not in pins, f"pinned twice: {name}"
        pins[name] = (Version(spec.version), line)
    return pins


def _project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    build = project["build-system"]["requires"]
    extras = project["project"]["optional-dependencies"]
    listed = [*build, *project["project"]["dependencies"], *(text for extra in LOCKED_EXTRAS for text in extras[extra])]
    ci_tools = (ROOT / "constraints" / "test.in").read_text(encoding="utf-8").splitlines()
    listed += [text for line in ci_tools if (text := line.split("#", 1)[0].strip())]
    return [Requirement(text) for text in listed]


def test_the_lock_pins_every_requirement_within_its_range():
    """Every dependency, test, dev and docs extra and build requirement in pyproject.toml, and each tool in
    constraints/test.in, is pinned in the lock to a version its range allows (a new or changed
    requirement without a refreshed lock fails here)."""
    pins = _lock()
    for requirement in _project_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in constraints/test.txt: refresh it (CONTRIBUTING.md)"
        version, line = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{line} is outside {requirement}"
    assert "torch" not in pins or pins["torch"][0] == Version("2.13.0")  # CI installs torch==2.13.0 itself


def _requires(dist, extras=("",)):
    """A distribution's requirements that apply here, with the given extras asked for."""
    environment = default_environment()
    for text in dist.requires or []:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({**environment, "extra": extra}) for extra in extras):
            yield requirement


def test_the_lock_is_closed_over_what_it_pins():
    """Each pinned package's own requirements are pinned too (read from what is installed here, where
    a locked version is installed), so pip has nothing left to choose freely."""
    from importlib import metadata

    pins = _lock()
    checked = 0
    for name, (version, _) in pins.items():
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if Version(dist.version) != version:
            continue
        checked += 1
        for requirement in _requires(dist):
            assert canonicalize_name(requirement.name) in pins, f"{name} needs {requirement}, not in the lock"
    assert checked, "no locked version is installed here"


def test_ci_runs_the_suite_on_the_lock():
    """Under .ci/run (GRADTRACE_LOCKED=1, pip held to the lock), gradtrace, its test and docs extras and all
    they need are installed at exactly the locked versions."""
    from importlib import metadata

    if not os.environ.get("GRADTRACE_LOCKED"):
        pytest.skip("only where .ci/run installs on the lock (GRADTRACE_LOCKED=1)")
    pins = _lock()
    todo, seen = [(metadata.distribution("gradtrace"), ("", *SUITE_EXTRAS))], set()
    while todo:
        dist, extras = todo.pop()
        for requirement in _requires(dist, extras):
            name = canonicalize_name(requirement.name)
            if name in seen:
                continue
            seen.add(name)
            installed = metadata.distribution(name)
            assert Version(installed.version) == pins[name][0], f"{name} {installed.version}, locked {pins[name][1]}"
            todo.append((installed, ("", *requirement.extras)))
    assert len(seen) > 20


def test_the_lock_says_how_to_refresh_it_and_contributing_says_the_same():
    header = [line for line in LOCK.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    command = next(text for line in header if (text := line.lstrip("# ").strip()).startswith("pip-compile "))
    assert "--output-file=constraints/test.txt" in command
    assert command in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "--strip-extras" in command  # pip refuses extras in a constraints file


# ---- a program that is missing ------------------------------------------------------------------

NOT_CI = ["", "0", "false", "False", "no", "off"]
CI = ["true", "1", "yes", "TRUE", "on"]


def _empty_path(monkeypatch, tmp_path, ci):
    monkeypatch.setenv("PATH", str(tmp_path))
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)


@pytest.mark.parametrize("ci", [None, *NOT_CI])
@pytest.mark.parametrize("name, package", PROGRAMS)
def test_a_missing_program_skips_outside_ci_and_names_it(monkeypatch, tmp_path, ci, name, package):
    _empty_path(monkeypatch, tmp_path, ci)
    with pytest.raises(pytest.skip.Exception) as skipped:
        needs.program(name, package)
    assert f"{name} is not installed" in str(skipped.value) and package in str(skipped.value)


@pytest.mark.parametrize("ci", CI)
@pytest.mark.parametrize("name, package", PROGRAMS)
def test_a_missing_program_fails_under_ci(monkeypatch, tmp_path, ci, name, package):
    _empty_path(monkeypatch, tmp_path, ci)
    with pytest.raises(pytest.fail.Exception) as failed:
        needs.program(name, package)
    assert f"{name} is not installed" in str(failed.value) and "CI must run this test" in str(failed.value)


@pytest.mark.parametrize("ci, outcome", [(None, pytest.skip.Exception), ("true", pytest.fail.Exception)])
def test_node_tools_without_node_names_node(monkeypatch, tmp_path, ci, outcome):
    _empty_path(monkeypatch, tmp_path, ci)
    with pytest.raises(outcome, match="node is not installed"):
        needs.node_tools()


def _executable(path: Path) -> None:
    path.write_text("#!/bin/sh\necho real\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@given(hidden=st.sets(st.sampled_from(["dot", "pdflatex", "chromium", "node", "neato"]), min_size=1),
       kept=st.sets(st.sampled_from(["python3", "sh", "fc-list", "man", "dotty"]), min_size=1),
       folders=st.integers(1, 3))
def test_hiding_programs_leaves_every_other_program_on_path(tmp_path_factory, hidden, kept, folders):
    """needs.hide(names, into) gives a PATH where exactly those programs are missing, in whatever
    folders of PATH they were, and every other program resolves to the same file as before."""
    base = tmp_path_factory.mktemp("path")
    dirs = [base / f"bin{k}" for k in range(folders)]
    for k, folder in enumerate(dirs):
        folder.mkdir()
        for name in sorted(hidden | kept):
            if (len(name) + k) % 2 == 0 or k == folders - 1:
                _executable(folder / name)
    original = os.pathsep.join(map(str, dirs))
    path = needs.hide(sorted(hidden), base / "hidden", path=original)
    for name in hidden:
        assert shutil.which(name, path=path) is None, name
    for name in kept:
        found = shutil.which(name, path=path)
        assert found is not None and Path(found).resolve() == Path(shutil.which(name, path=original)).resolve()


def test_hide_from_the_command_line(tmp_path):
    """python tests/needs.py hide FOLDER NAME... prints the PATH .ci/run runs the suite with."""
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "needs.py"), "hide", str(tmp_path / "h"), "sh", "ls"],
                          capture_output=True, text=True, timeout=60, check=True)
    path = done.stdout.strip()
    assert shutil.which("sh", path=path) is None and shutil.which("ls", path=path) is None
    assert shutil.which("env", path=path) is not None
