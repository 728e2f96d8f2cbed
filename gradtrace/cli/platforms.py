"""gradtrace autograder and gradtrace lms: files for the platforms a class runs on. What goes in
them is teach/autograder.py's, teach/lms.py's and render/lms.py's; this module only reads the
options and writes the files."""

from __future__ import annotations

import os

import click

from ..core.errors import GradtraceError
from ..core.numbers import NumberFormat
from ..i18n import N_, _, ngettext
from .common import LANG_OPTION, Section, TranslatedHelp, fail

AUTOGRADER_HELP = N_("""Make a Gradescope autograder for KEY (the key of gradtrace grade --key).

The folder (or with --zip, the zip file) holds setup.sh, which installs Python 3 and this version of
gradtrace from PyPI (or the wheel given with --wheel), run_autograder, which grades the one answers
file a student uploads and writes /autograder/results/results.json, and the key. Upload the zip
as a programming assignment's autograder. Exit 0 when it was written, 2 when the key or an option
is wrong.""")

LMS_HELP = N_("""Write a quiz for a learning platform: FORMAT is moodle (Moodle XML), gift (Moodle's GIFT)
or canvas (a QTI 1.2 package that Canvas imports).

Each blank is a numerical question whose tolerance matches gradtrace's own rule for an answer
given to --precision significant digits. The problems are your own (--from FILE) or random
(--problems N). With --students FILE (a name per line) each student gets the circuits with
numbers of their own, drawn from --seed; key.json and key.csv list who got which numbers and
every answer with its tolerance. Exit 0 when the files were written, 2 when an input is wrong.""")

FORMATS = {"moodle": "quiz.xml", "gift": "quiz.gift", "canvas": "quiz-qti.zip"}


@click.command(cls=TranslatedHelp, help=AUTOGRADER_HELP,
               context_settings={"help_option_names": ["--help"], "max_content_width": 100})
@click.argument("key", metavar="KEY", type=click.Path(exists=True, dir_okay=False))
@LANG_OPTION
@click.option("--out", "out_path", metavar="PATH", required=True,
              help=N_("The folder to write (a new or empty one, or one it wrote before), or with --zip the zip "
                      "file."))
@click.option("--zip", "as_zip", is_flag=True, help=N_("Write one zip file to upload, instead of a folder."))
@click.option("--wheel", metavar="FILE", type=click.Path(exists=True, dir_okay=False),
              help=N_("Ship this gradtrace wheel in the autograder and install it, instead of the release from "
                      "PyPI."))
@click.option("--tol", metavar="TOL", help=N_("Tolerance for every answer: 0.01 or abs:0.01, 1% or rel:0.01."))
@click.option("--precision", type=click.IntRange(1, 17), default=4, show_default=True,
              help=N_("Significant digits a whole-number answer must match."))
@click.option("--time-limit", metavar="SECONDS", type=click.FloatRange(0, 86400), default=60, show_default=True,
              help=N_("Time one submission may take to grade (0: no limit)."))
@click.option("--replace", is_flag=True,
              help=N_("Replace the --out folder even if it holds files gradtrace did not write (they are deleted)."))
def autograder(key: str, out_path: str, as_zip: bool, wheel: str | None, tol: str | None, precision: int,
               time_limit: float, replace: bool) -> None:
    # What it does is AUTOGRADER_HELP (--help shows it, in the language of the run).
    import gradtrace

    from ..teach import autograder as maker
    from .files import write_file, write_folder

    try:
        files = maker.folder(key, gradtrace.__version__, NumberFormat(digits=precision), tol, time_limit, wheel)
        if as_zip:
            write_file(out_path, maker.zipped(files))
        else:
            write_folder(out_path, files, replace)
            for name in maker.EXECUTABLE:
                os.chmod(os.path.join(out_path, name), 0o755)
    except GradtraceError as err:
        fail(err)
    click.echo("gradtrace: " + _("wrote {path} ({files})").format(path=out_path, files=", ".join(sorted(files))),
               err=True)


autograder.sections = (
    (Section.FILES, ("out_path", "as_zip", "wheel", "replace")),
    (Section.CHECKING, ("tol", "precision", "time_limit")),
    (Section.LANGUAGE, ("lang",)),
    (Section.HELP, ("help",)),
)


@click.command(cls=TranslatedHelp, help=LMS_HELP,
               context_settings={"help_option_names": ["--help"], "max_content_width": 100})
@click.argument("format_name", metavar="FORMAT", type=click.Choice(sorted(FORMATS)))
@LANG_OPTION
@click.option("--out", "out_dir", metavar="DIR", required=True,
              help=N_("The folder to write: a new or empty one, or one it wrote before."))
@click.option("--from", "problems_file", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True),
              help=N_("Your own problems: one per line as '(x+y)*z   at x = -2, y = 5, z = -4', or TOML/JSON "
                      "with a problems list of expression and bindings."))
@click.option("--problems", "count", type=click.IntRange(1, 50), help=N_("How many random problems (default 3)."))
@click.option("--difficulty", type=click.IntRange(1, 3), default=1, show_default=True,
              help=N_("The random problems' difficulty, as gradtrace quiz --difficulty."))
@click.option("--seed", type=int, help=N_("The random seed the problems and every student's numbers are drawn "
                                          "from: the same seed gives the same files again."))
@click.option("--students", "students_file", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True),
              help=N_("A roster, one name per line: each student gets numbers of their own."))
@click.option("--variants", type=click.IntRange(1, 500),
              help=N_("Anonymous variants, each with numbers of its own (instead of --students)."))
@click.option("--ask", "ask_text", default="upstream", show_default=True, metavar="WHAT",
              help=N_("What to ask, comma-separated: values (the forward pass), local, upstream, downstream "
                      "(gradients)."))
@click.option("--precision", type=click.IntRange(1, 17), default=4, show_default=True,
              help=N_("Significant digits each answer is asked for; the tolerance follows from it."))
@click.option("--tol", metavar="TOL", help=N_("One tolerance for every answer instead: 0.01 or abs:0.01, 1% or "
                                             "rel:0.01."))
@click.option("--title", default="gradtrace", show_default=True, help=N_("The quiz's name on the platform."))
@click.option("--replace", is_flag=True,
              help=N_("Replace the --out folder even if it holds files gradtrace did not write (they are deleted)."))
def lms(format_name: str, out_dir: str, problems_file: str | None, count: int | None, difficulty: int,
        seed: int | None, students_file: str | None, variants: int | None, ask_text: str, precision: int,
        tol: str | None, title: str, replace: bool) -> None:
    # What it does is LMS_HELP (--help shows it, in the language of the run).
    import json
    import random

    from ..core.errors import printable
    from ..modes.answers import Tolerance
    from ..render import lms as formats
    from ..teach import lms as platform
    from ..teach import quiz as practice
    from .files import write_folder
    from .inputs import read_text
    from .quiz import _asks, _seed_note

    if problems_file is not None and count is not None:
        raise click.UsageError(_("--problems N draws random problems, and --from gives your own; pick one"))
    if students_file is not None and variants is not None:
        raise click.UsageError(_("--students gives each student their own numbers, and --variants makes anonymous "
                                 "ones; pick one"))
    ask = _asks(ask_text)
    numbers = NumberFormat(digits=precision)
    title = printable(title, one_line=True).strip() or "gradtrace"
    try:
        tolerance = Tolerance(tol) if tol else None
        if problems_file is not None:
            problems = practice.read_problems(problems_file, read_text(problems_file, "--from"))
        else:
            if seed is None:
                seed = random.SystemRandom().randrange(10**6)
                click.echo("gradtrace: " + _seed_note().format(seed=seed), err=True)
            problems = practice.worksheet(seed, count or 3, difficulty)
        students = platform.read_students(students_file, read_text(students_file, "--students")) \
            if students_file is not None else None
        if (students is not None or variants is not None) and seed is None:
            seed = random.SystemRandom().randrange(10**6)
            click.echo("gradtrace: " + _seed_note().format(seed=seed), err=True)
        chosen = platform.variants(problems, seed or 0, students, variants)
        platform.build(chosen, numbers, ask, tolerance)
        if format_name == "moodle":
            quiz = formats.moodle(chosen, title)
        elif format_name == "gift":
            quiz = formats.gift(chosen, title)
        else:
            quiz = formats.qti(chosen, title)
        key = platform.key(chosen, title, format_name, seed, numbers, ask, tolerance)
        files = {FORMATS[format_name]: quiz,
                 "key.json": (json.dumps(key, ensure_ascii=False, allow_nan=False, indent=2) + "\n").encode(),
                 "key.csv": platform.key_csv(chosen).encode()}
        write_folder(out_dir, files, replace)
    except GradtraceError as err:
        fail(err)
    questions = sum(len(rows) for v in chosen for rows in v.items)
    click.echo("gradtrace: " + _("wrote {path} ({files}): {questions} in {variants}").format(
        path=out_dir, files=", ".join(sorted(files)),
        questions=ngettext("{count} question", "{count} questions", questions).format(count=questions),
        variants=ngettext("{count} variant", "{count} variants", len(chosen)).format(count=len(chosen))), err=True)


lms.sections = (
    (Section.PROBLEMS, ("problems_file", "count", "difficulty", "seed", "students_file", "variants", "ask_text")),
    (Section.CHECKING, ("precision", "tol")),
    (Section.FILES, ("out_dir", "title", "replace")),
    (Section.LANGUAGE, ("lang",)),
    (Section.HELP, ("help",)),
)
