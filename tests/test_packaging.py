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
    assert project["tool"]["setuptools"]["package-data"]["gradtrace"] == [
        "py.typed", "schema/*.json", "locale/*.pot", "locale/*/LC_MESSAGES/gradtrace.po",
        "locale/*/LC_MESSAGES/gradtrace.mo",  # the catalogs, compiled: --lang ko needs the .mo
        "render/page/*.css", "render/page/*.js"]  # the --html page's stylesheet and script


def test_the_man_page_documents_every_option_and_exit_code():
    """setup.py writes this page at build time; `man gradtrace` shows it once installed."""
    from gradtrace.cli import cli
    from gradtrace.cli.manpage import manpage
    from gradtrace.cli.trace import EXIT_CODES

    page = manpage("9.9")
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

    import needs

    from gradtrace.cli.manpage import manpage

    man = needs.program("man", "man-db")
    (tmp_path / "gradtrace.1").write_text(manpage())
    shown = subprocess.run([man, "-l", str(tmp_path / "gradtrace.1")], capture_output=True, text=True,
                           env={"MANWIDTH": "80", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, check=True)
    assert "EXIT STATUS" in shown.stdout and "--expect NAME=VALUE" in shown.stdout
    assert "warning" not in shown.stderr.lower()

