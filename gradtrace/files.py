"""Writing outputs safely: a file is written to a temporary file beside it and renamed into place
(so a half-written file never appears, and a symlink at the path is replaced, never written
through); a folder of files is built beside its target and swapped in whole."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .core.errors import OutputError
from .i18n import _


def write_file(path: str, data: bytes) -> None:
    """Write data to path atomically; an unwritable path or a full disk is an OutputError."""
    target = Path(path)
    if target.is_dir() and not target.is_symlink():
        raise OutputError(_("can't write {path}: it is a folder").format(path=path))
    directory = target.parent if str(target.parent) else Path(".")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".part")
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise OutputError(_("can't write {path}: {value}").format(path=path, value=exc.strerror or exc)) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


MARKER = "worksheet.md"  # a folder holding this was written by gradtrace, and may be replaced whole


def write_folder(path: str, files: dict[str, bytes]) -> None:
    """Replace the folder at path with exactly these files, or change nothing: the new folder is
    built beside it and swapped in. An existing folder is replaced only when it is empty or holds
    a sheet gradtrace wrote (it has worksheet.md), so a mistyped --out never deletes other files."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise OutputError(_("can't write the folder {path}: a file of that name is in the way").format(path=path))
    if target.is_dir() and not target.is_symlink() and any(target.iterdir()) and not (target / MARKER).exists():
        raise OutputError(
            _(
                "{path} is a folder with other files in it; gradtrace replaces only a folder it wrote "
                "itself (one holding worksheet.md)"
            ).format(path=path),
            hint=_("choose a new or empty folder"),
        )
    parent = target.parent if str(target.parent) else Path(".")
    fresh = old = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".part"))
        os.chmod(fresh, 0o777 & ~_umask())
        for name, data in files.items():
            (fresh / name).write_bytes(data)
        if target.is_symlink():
            target.unlink()
        elif target.exists():
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".old"))
            os.rmdir(old)
            os.replace(target, old)
        os.replace(fresh, target)
        fresh = None
    except OSError as exc:
        if old is not None and not target.exists():
            os.replace(old, target)  # put the old sheet back: all or nothing
            old = None
        raise OutputError(
            _("can't write the folder {path}: {value}").format(path=path, value=exc.strerror or exc)
        ) from None
    finally:
        for leftover in (fresh, old):
            if leftover is not None:
                shutil.rmtree(leftover, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
