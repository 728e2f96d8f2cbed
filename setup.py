"""Build-time step: the man page, written from the click commands (gradtrace/cli/manpage.py).

Everything else about the package is in pyproject.toml. The wheel installs the page as
share/man/man1/gradtrace.1, which `man gradtrace` finds next to the gradtrace script.
"""

import sys
import tomllib
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
MAN_PAGE = Path("build") / "man" / "gradtrace.1"


def write_man_page() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    sys.path.insert(0, str(ROOT))
    try:
        from gradtrace.cli.manpage import manpage
    finally:
        sys.path.remove(str(ROOT))
    (ROOT / MAN_PAGE).parent.mkdir(parents=True, exist_ok=True)
    (ROOT / MAN_PAGE).write_text(manpage(version), encoding="utf-8")


write_man_page()
setup(data_files=[("share/man/man1", [str(MAN_PAGE)])])
