"""gradtrace grade: a class's submissions graded in one process. Reading and grading live in
grade.py; this module only prints."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..core.errors import ExitCode, GradtraceError
from ..i18n import N_, _, ngettext
from . import LANG_OPTION, TranslatedHelp, _fail, make_console

GRADE_HELP = N_("""Grade a whole class: each SUBMISSION is a TOML or JSON file with its answers (and, without
--key, its expression and bindings).

A file that can't be read or graded is reported as that student's error and never stops the
others. Exit 0 when every student got every answer right, 3 when any answer is wrong, 2 when a
file could not be graded.""")


@click.command(cls=TranslatedHelp, help=GRADE_HELP,
               context_settings={"help_option_names": ["--help"], "max_content_width": 100})
@click.argument("files", nargs=-1, required=True, metavar="SUBMISSION...",
                type=click.Path(exists=True, dir_okay=False))
@LANG_OPTION
@click.option("--key", metavar="FILE", type=click.Path(exists=True, dir_okay=False),
              help=N_("The problem (expression and bindings) every submission answers; without it each file "
                   "carries its own."))
@click.option("--format", "format_name", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help=N_("table for people; csv and json for the gradebook."))
@click.option("--tol", metavar="TOL", help=N_("Tolerance for every answer: 0.01 or abs:0.01, 1% or rel:0.01."))
@click.option("--precision", type=click.IntRange(1, 17), default=4, show_default=True,
              help=N_("Significant digits a whole-number answer must match."))
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help=N_("Colour; auto means on a terminal, unless NO_COLOR is set."))
def grade(files: tuple[str, ...], key: str | None, format_name: str, tol: str | None, precision: int,
          color: str) -> None:
    # What it does is GRADE_HELP (--help shows it, in the language of the run).
    from .. import grade as grading
    from ..answers import Tolerance

    try:
        tolerance = Tolerance(tol) if tol else None
        graded = grading.grade(list(files), key, tolerance, precision)
    except GradtraceError as err:
        _fail(err)  # the key itself is broken: nobody can be graded
    if format_name == "json":
        sys.stdout.write(grading.to_json(graded))
    elif format_name == "csv":
        sys.stdout.write(grading.to_csv(graded, precision))
    else:
        _table(graded, make_console(color))
    if any(g.error is not None for g in graded):
        raise click.exceptions.Exit(int(ExitCode.USAGE))
    if not all(g.passed for g in graded):
        raise click.exceptions.Exit(int(ExitCode.CHECK_FAILED))


def _table(graded: list[Any], console: Any) -> None:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from ..grade import most_missed
    from ..render import fmt
    from ..render.table import print_clean

    title = ngettext("{count} submission", "{count} submissions", len(graded)).format(count=len(graded))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title=title,
                  title_justify="left")
    table.add_column(_("student"), style="bold")
    table.add_column(_("score"), justify="right")
    table.add_column(_("wrong (true value)"))
    for g in graded:
        if g.error is not None:
            table.add_row(g.student, "—", Text(_("error: {message}").format(message=g.error), style="yellow"))
            continue
        right, total = g.score
        wrong = ", ".join(f"{a.name} = {a.given} ({fmt(a.actual)})" for a in g.answers or [] if not a.correct)
        table.add_row(g.student, Text(f"{right}/{total}", style="green" if right == total else "red"),
                      wrong + (f"  [{g.note}]" if g.note else ""))
    missed = most_missed(graded)
    questions = ", ".join(_("{question} ({wrong} of {answered} wrong)").format(question=q, wrong=w, answered=n)
                          for q, w, n in missed[:10])
    summary = Text(_("most missed: {questions}").format(questions=questions) if missed else _("every answer right"))
    print_clean(console, Group(table, summary))
