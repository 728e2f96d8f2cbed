"""Build-time steps: the man page, written from the click commands (gradtrace/cli/manpage.py), the
README as PyPI shows it (tools/pypi_readme.py: no relative link or image, which PyPI can't show),
and an sdist that is the same bytes wherever and whenever it is built from the same tree.

Everything else about the package is in pyproject.toml. The wheel installs the page as
share/man/man1/gradtrace.1, which `man gradtrace` finds next to the gradtrace script.
"""

import gzip
import io
import os
import sys
import tarfile
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
MAN_PAGE = Path("build") / "man" / "gradtrace.1"


def write_man_page() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    sys.path.insert(0, str(ROOT))
    try:
        from gradtrace.cli import cli
        from gradtrace.cli.manpage import manpage
    finally:
        sys.path.remove(str(ROOT))
    (ROOT / MAN_PAGE).parent.mkdir(parents=True, exist_ok=True)
    (ROOT / MAN_PAGE).write_text(manpage(cli, version), encoding="utf-8")


def pypi_description() -> str:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from pypi_readme import pypi_readme, repository_url
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return pypi_readme((ROOT / "README.md").read_text(encoding="utf-8"), repository_url(ROOT / "pyproject.toml"))


def reproducible_tar_gz(path: str, epoch: int | None) -> None:
    """Rewrite an sdist so that only the tree's contents decide its bytes, as the wheel's already
    do: members in name order, owned by root (0/0, no names), modes 644 or 755 (the umask of the
    checkout left out), and with SOURCE_DATE_EPOCH every mtime and the gzip header's time set to it.
    setuptools writes the checkout's mtimes, the builder's user and the time of the build."""
    with tarfile.open(path, "r:gz") as source:
        members = sorted(source.getmembers(), key=lambda member: member.name)
        contents = {m.name: source.extractfile(m).read() for m in members if m.isfile()}
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as target:
        for member in members:
            # what PAX records would say again, and win with (the mtime to the microsecond)
            member.pax_headers = {key: value for key, value in member.pax_headers.items()
                                  if key not in ("mtime", "atime", "ctime", "uid", "gid", "uname", "gname")}
            member.uid = member.gid = 0
            member.uname = member.gname = ""
            member.mode = 0o755 if member.isdir() or member.mode & 0o100 else 0o644
            if epoch is not None:
                member.mtime = epoch
            target.addfile(member, io.BytesIO(contents[member.name]) if member.isfile() else None)
    with open(path, "wb") as out, gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9,
                                                mtime=epoch if epoch is not None else None) as packed:
        packed.write(tar_bytes.getvalue())


class ReproducibleSdist(sdist):
    """setuptools' sdist, then made reproducible (reproducible_tar_gz)."""

    def make_distribution(self) -> None:
        super().make_distribution()
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        for archive in self.archive_files:
            if archive.endswith(".tar.gz"):
                reproducible_tar_gz(archive, int(epoch) if epoch else None)


write_man_page()
setup(data_files=[("share/man/man1", [str(MAN_PAGE)])], cmdclass={"sdist": ReproducibleSdist},
      long_description=pypi_description(), long_description_content_type="text/markdown")
