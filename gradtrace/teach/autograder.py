"""A ready Gradescope autograder for a key: the files of its zip, as Gradescope's specification
asks for them (https://gradescope-autograders.readthedocs.io/en/latest/specs/): setup.sh at the
root installs the dependencies when the image is built, and run_autograder (executable, any
language with a #! line) writes /autograder/results/results.json. Gradescope unpacks the zip into
/autograder/source and puts the student's upload in /autograder/submission.

Here setup.sh installs Python 3 and gradtrace (this version, from PyPI, or a wheel shipped in the
zip), and run_autograder, a Python script, grades the one answers file of the submission with
`gradtrace grade --key key.toml --format gradescope`. Whatever goes wrong (no answers file, two
of them, a file that isn't TOML, gradtrace missing or failing) it still writes a valid
results.json whose output tells the student what to fix, and it exits 0: a non-zero exit is
Gradescope's "autograder failed", which tells the student nothing.

Its paths can be moved with environment variables (GRADTRACE_AUTOGRADER_ROOT, and _SOURCE,
_SUBMISSION, _RESULTS, and GRADTRACE_PYTHON for the interpreter), so it can be tried on a laptop.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..core.errors import GradtraceError
from ..core.numbers import NumberFormat
from ..i18n import _, current
from ..modes.answers import Tolerance
from .grade import Key

EXECUTABLE = ("setup.sh", "run_autograder")
WHEEL = re.compile(r"gradtrace-[0-9A-Za-z_.+!-]+-py3-none-any\.whl\Z")

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
# Made by gradtrace {version}. gradtrace needs Python 3.11 or newer: pick Gradescope's
# Ubuntu 24.04 base image (its python3 is 3.12).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {{
    echo "gradtrace needs Python 3.11 or newer, and this image has $(python3 --version)." >&2
    echo "Choose the Ubuntu 24.04 base image in the autograder settings." >&2
    exit 1
}}
python3 -m venv /autograder/venv
{install}
/autograder/venv/bin/python -m gradtrace --version
"""

RUN = '''\
#!/usr/bin/env python3
"""Gradescope's run_autograder, made by gradtrace {version}: grades the submission's one answers
file against key{suffix} and always writes a valid results.json, then exits 0."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(os.environ.get("GRADTRACE_AUTOGRADER_ROOT", "/autograder"))
SOURCE = Path(os.environ.get("GRADTRACE_AUTOGRADER_SOURCE", str(ROOT / "source")))
SUBMISSION = Path(os.environ.get("GRADTRACE_AUTOGRADER_SUBMISSION", str(ROOT / "submission")))
RESULTS = Path(os.environ.get("GRADTRACE_AUTOGRADER_RESULTS", str(ROOT / "results")))
VENV = ROOT / "venv" / "bin" / "python"
PYTHON = os.environ.get("GRADTRACE_PYTHON") or (str(VENV) if VENV.exists() else sys.executable)
KEY = SOURCE / "key{suffix}"
OPTIONS = {options}
LANGUAGE = {language}
MESSAGES = {messages}
ANSWERS = (".toml", ".json")


def write(results):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\\n", encoding="utf-8")


def refuse(message):
    """A results.json that gives no points and tells the student what to fix."""
    write({{"score": 0, "output": message, "visibility": "visible", "stdout_visibility": "hidden", "tests": []}})


def main():
    found = sorted(p for p in SUBMISSION.rglob("*") if p.is_file() and p.suffix.lower() in ANSWERS) \\
        if SUBMISSION.is_dir() else []
    if not found:
        refuse(MESSAGES["none"])
        return
    if len(found) > 1:
        names = ", ".join(str(p.relative_to(SUBMISSION)) for p in found[:5])
        refuse(MESSAGES["several"].format(count=len(found), names=names))
        return
    command = [PYTHON, "-m", "gradtrace", "grade", "--lang", LANGUAGE, "--key", str(KEY), "--format", "gradescope",
               *OPTIONS, str(found[0])]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        refuse(MESSAGES["failed"].format(reason=str(exc)))
        return
    sys.stdout.write(run.stderr)  # Gradescope shows run_autograder's output to instructors only
    try:
        results = json.loads(run.stdout)
        if not isinstance(results, dict) or "score" not in results:
            raise ValueError("no score")
    except ValueError:
        reason = (run.stderr.strip().splitlines() or ["exit code %d" % run.returncode])[-1]
        refuse(MESSAGES["failed"].format(reason=reason))
        return
    write(results)


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # a results.json is written whatever happens: Gradescope needs one
        refuse(MESSAGES["failed"].format(reason="%s: %s" % (type(exc).__name__, exc)))
'''


def folder(key_path: str, version: str, numbers: NumberFormat, tol: str | None = None, time_limit: float = 60,
           wheel: str | None = None) -> dict[str, bytes]:
    """The autograder's files: the key, checked here first (a broken key is a GradtraceError, never a
    broken autograder), setup.sh, run_autograder, and the wheel if one is given."""
    if tol is not None:
        Tolerance(tol)  # refused here, with the tolerance's own message, rather than on every submission
    Key(key_path, numbers)
    suffix = Path(key_path).suffix.lower()
    if suffix not in (".toml", ".json"):
        raise GradtraceError(_("{path}: a key is a .toml or .json file").format(path=key_path))
    files = {f"key{suffix}": Path(key_path).read_bytes()}
    if wheel is not None:
        name = os.path.basename(wheel)
        if not WHEEL.match(name):
            raise GradtraceError(_("{path}: not a gradtrace wheel (gradtrace-VERSION-py3-none-any.whl)").format(
                path=wheel), hint=_("build one with: python -m build --wheel"))
        try:
            files[name] = Path(wheel).read_bytes()
        except OSError as exc:
            raise GradtraceError(_("can't read {path}: {reason}").format(path=wheel, reason=exc.strerror)) from None
        install = f"/autograder/venv/bin/pip install /autograder/source/{name}"
    else:
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)*([ab]|rc)?[0-9]*(\.post[0-9]+)?", version):
            raise GradtraceError(_("this gradtrace ({version}) is not a release on PyPI, so setup.sh can't install "
                                   "it by version").format(version=version),
                                 hint=_("ship a wheel with --wheel FILE"))
        install = f'/autograder/venv/bin/pip install "gradtrace=={version}"'
    options = ["--precision", str(numbers.digits), "--time-limit", f"{time_limit:g}"]
    if tol is not None:
        options += ["--tol", tol]
    messages = {
        "none": _("No answers file was found in the submission: upload one .toml or .json file with an [answers] "
                  "table."),
        "several": _("Upload one answers file: the submission has {count} ({names})."),
        "failed": _("The submission could not be graded ({reason}). Check that it is the answers file, or ask your "
                    "teacher."),
    }
    files["setup.sh"] = SETUP.format(version=version, install=install).encode()
    files["run_autograder"] = RUN.format(version=version, suffix=suffix, options=repr(options),
                                         language=repr(current()),
                                         messages=json.dumps(messages, ensure_ascii=False, indent=4)).encode()
    return files


def zipped(files: dict[str, bytes]) -> bytes:
    """The files at the root of a zip (Gradescope looks for setup.sh and run_autograder there), the
    scripts executable."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100755 if name in EXECUTABLE else 0o100644) << 16
            archive.writestr(info, files[name])
    return out.getvalue()
