"""gradtrace grade: a class's submissions graded in one process. Reading and grading live in
grade.py; this module only prints. Every text a submission controls reaches the terminal as a
rich Text (never markup) made printable by grade.shown."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..core.errors import ExitCode, GradtraceError
from ..core.numbers import DEFAULT, NumberFormat
from ..i18n import N_, _, ngettext
from .common import LANG_OPTION, Section, TranslatedHelp, fail, make_console

GRADE_HELP = N_("""Grade a whole class: each SUBMISSION is a TOML or JSON file with its answers (and, without
--key, its expression and bindings).

A score is out of every question: the key's [answers] (each worth 1 point, or what the key's
[points] table gives it), or, without them, the gradient of every input. A question a file does
not answer is missing; an answer that can't be read is that answer's error. A file that can't be
read or graded is reported as that student's error and never stops the others. Exit 0 when every
student got every answer right, 3 when any answer is wrong or missing, 2 when a file could not be
graded.

A question is NAME (∂f/∂NAME), NAME.value, or a wire: GATE->INPUT.local (the gate's local gradient)
or GATE->INPUT.downstream (what the gate sends that input).

A wrong answer that is the right step from the student's own earlier wrong answer follows through:
it names that first slip and earns the key's follow_through share of its points ("full", the
default, "none", or a fraction such as 0.5). Each other wrong answer is tried against a catalogue
of typical mistakes, named only when one reproduces the answer. --report writes the class report
(how many made each mistake at each question, and each student's feedback) instead of the
gradebook; --format markdown always writes it.""")


@click.command(cls=TranslatedHelp, help=GRADE_HELP,
               context_settings={"help_option_names": ["--help"], "max_content_width": 100})
@click.argument("files", nargs=-1, required=True, metavar="SUBMISSION...", type=click.Path())
@LANG_OPTION
@click.option("--key", metavar="FILE", type=click.Path(exists=True, dir_okay=False),
              help=N_("The problem (expression and bindings) every submission answers; without it each file "
                   "carries its own."))
@click.option("--format", "format_name",
              type=click.Choice(["table", "csv", "csv-wide", "json", "markdown", "gradescope", "prairielearn"]),
              default="table", show_default=True,
              help=N_("table for people; csv (a row per answer), csv-wide (a row per student) and json for the "
                      "gradebook; markdown for the class report; gradescope and prairielearn write one "
                      "submission's results.json for that platform's autograder."))
@click.option("--report", "class_report", is_flag=True,
              help=N_("Write the class report instead of the gradebook: each misconception and follow-through counted "
                      "per question, and each student's slips with feedback (table, csv, json or markdown)."))
@click.option("--tol", metavar="TOL", help=N_("Tolerance for every answer: 0.01 or abs:0.01, 1% or rel:0.01."))
@click.option("--precision", type=click.IntRange(1, 17), default=4, show_default=True,
              help=N_("Significant digits a whole-number answer must match."))
@click.option("--time-limit", metavar="SECONDS", type=click.FloatRange(0, 86400), default=60, show_default=True,
              help=N_("Time one submission may take to grade; a file over it is that student's error (0: no limit)."))
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help=N_("Colour; auto means on a terminal, unless NO_COLOR is set."))
def grade(files: tuple[str, ...], key: str | None, format_name: str, class_report: bool, tol: str | None,
          precision: int, time_limit: float, color: str) -> None:
    # What it does is GRADE_HELP (--help shows it, in the language of the run).
    import time

    from ..modes.answers import Tolerance
    from ..teach import grade as grading
    from . import progress

    if format_name in ("gradescope", "prairielearn") and len(files) != 1:
        raise click.UsageError(_("--format {format} writes one student's results.json: give one submission, "
                                 "not {count} (the platform runs the grader once per student)").format(
            format=format_name, count=len(files)))
    files = _expand(files)
    started = time.monotonic()
    display = progress.for_terminal()  # many files: progress on a terminal's stderr, nothing otherwise
    try:
        tolerance = Tolerance(tol) if tol else None
        graded = grading.grade(list(files), key, tolerance, NumberFormat(digits=precision), time_limit or None,
                               report=display)
    except GradtraceError as err:
        fail(err)  # the key itself is broken: nobody can be graded
    finally:
        if display is not None:
            display.close()  # before the report is written
    if format_name in ("gradescope", "prairielearn"):
        if class_report:
            fail(GradtraceError(_("--report is written as table, csv, json or markdown, not {format}").format(
                format=format_name), about="format"))
        _platform(graded, format_name, time.monotonic() - started)
    elif class_report or format_name == "markdown":
        from ..teach import class_report as reporting

        if format_name == "csv-wide":
            fail(GradtraceError(_("--report is written as table, csv, json or markdown, not {format}").format(
                format=format_name), about="format"))
        report = reporting.build(graded)
        if format_name == "json":
            sys.stdout.write(reporting.to_json(report))
        elif format_name == "csv":
            sys.stdout.write(reporting.to_csv(report))
        elif format_name == "markdown":
            from ..render.class_report import markdown

            sys.stdout.write(markdown(report))
        else:
            _report_table(report, make_console(color))
    elif format_name == "json":
        sys.stdout.write(grading.to_json(graded))
    elif format_name == "csv":
        sys.stdout.write(grading.to_csv(graded))
    elif format_name == "csv-wide":
        sys.stdout.write(grading.to_wide_csv(graded))
    else:
        _table(graded, make_console(color))
    if any(g.error is not None for g in graded):
        raise click.exceptions.Exit(int(ExitCode.USAGE))
    if not all(g.passed for g in graded):
        raise click.exceptions.Exit(int(ExitCode.CHECK_FAILED))


def _expand(files: tuple[str, ...]) -> tuple[str, ...]:
    """The submissions named: a pattern such as class/*.toml that no file is named (a shell that
    doesn't expand patterns, or one that matched nothing and passed it on) stands for the files it
    matches, in order. A pattern that matches none is noted on stderr, and if no file is left at
    all, that is a usage error (exit 2), not a class of one unreadable file named '*'."""
    import glob
    import os

    out: list[str] = []
    unmatched: list[str] = []
    for name in files:
        if os.path.lexists(name) or not any(c in name for c in "*?["):
            out.append(name)
            continue
        matches = sorted(glob.glob(name))
        out += matches
        if not matches:
            unmatched.append(name)
    if unmatched and not out:
        raise click.UsageError(ngettext("no file matches {patterns}: there is nothing to grade",
                                        "no file matches any of {patterns}: there is nothing to grade",
                                        len(unmatched)).format(patterns=", ".join(map(repr, unmatched))))
    for name in unmatched:
        click.echo("gradtrace: " + _("note: no file matches {pattern}").format(pattern=repr(name)), err=True)
    return tuple(out)


def _platform(graded: list[Any], format_name: str, seconds: float) -> None:
    """One submission's results.json for an autograding platform (render/autograders.py)."""
    from ..render import autograders

    data = autograders.gradescope(graded[0], execution_time=seconds) if format_name == "gradescope" \
        else autograders.prairielearn(graded[0])
    sys.stdout.write(autograders.to_json(data))


grade.sections = (
    (Section.INPUT, ("key", "time_limit")),
    (Section.CHECKING, ("tol", "precision")),
    (Section.OUTPUT, ("format_name", "class_report", "color")),
    (Section.LANGUAGE, ("lang",)),
    (Section.HELP, ("help",)),
)


def _table(graded: list[Any], console: Any) -> None:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from ..render.table import print_clean
    from ..teach.grade import most_missed, number_text, shown, summary

    title = ngettext("{count} submission", "{count} submissions", len(graded)).format(count=len(graded))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title=title,
                  title_justify="left")
    table.add_column(_("student"), style="bold", overflow="fold")  # a long name wraps, never cut to "…"
    table.add_column(_("score"), justify="right", no_wrap=True)
    table.add_column(_("wrong (true value)"), overflow="fold")
    # Only when someone left a question out: an empty column takes a narrow terminal's room for nothing.
    any_missing = any(m.status == "missing" for g in graded if g.error is None for m in g.marks)
    if any_missing:
        table.add_column(_("missing"), overflow="fold")
    for g in graded:
        # Text, never a str: a str cell is read as rich markup, and a name like "[/]" is not a name to rich.
        name = Text(shown(g.student))
        if g.error is not None:
            table.add_row(name, "—", Text(_("error: {message}").format(message=shown(g.error)), style="yellow"),
                          *[Text("")] * any_missing)
            continue
        score, out_of = g.score
        wrong = []
        for m in g.marks:
            if m.status == "wrong":
                text = f"{shown(m.name)} = {shown(m.answer.given)} ({shown(DEFAULT.text(m.actual))})"
                if m.follows:
                    text += " ↳ " + _("follows through from {slips}").format(slips=", ".join(map(shown, m.follows)))
                elif m.misconceptions:
                    text += " — " + " / ".join(x.label for x in m.misconceptions)
                report = getattr(m.answer, "report", None)
                if report is not None and report.diagnosis is not None and not m.follows and not m.misconceptions:
                    text += " — " + _("diagnosis: {text}").format(text=shown(report.diagnosis.text))
                wrong.append(text)
            elif m.status == "error":
                given = f' = "{m.given_text}"' if isinstance(m.given, str) else \
                    f" = {m.given_text}" if m.given_text else ""  # quoted: a blank answer shows as ""
                why = shown(m.error).removeprefix(shown(f"{m.name} in {g.path}: "))  # the row says who and what
                wrong.append(f"{shown(m.name)}{given}: {why}")
        note = f"  [{shown(g.note)}]" if g.note else ""
        missing = ", ".join(shown(m.name) for m in g.marks if m.status == "missing")
        table.add_row(name, Text(f"{number_text(score)}/{number_text(out_of)}", style="green" if g.passed else "red"),
                      Text(", ".join(wrong) + note), *[Text(missing)] * any_missing)
    counts = summary(graded)
    lines = []
    if counts["not_graded"]:
        lines.append(ngettext("{count} of {total} file could not be graded", "{count} of {total} files could not "
                              "be graded", counts["students"]).format(count=counts["not_graded"],
                                                                     total=counts["students"]))
    if counts["missing"]:
        lines.append(ngettext("{count} answer missing", "{count} answers missing", counts["missing"]).format(
            count=counts["missing"]))
    if counts["errors"]:
        lines.append(ngettext("{count} answer could not be read", "{count} answers could not be read",
                              counts["errors"]).format(count=counts["errors"]))
    missed = most_missed(graded)
    if missed:
        lines.append(_("most missed: {questions}").format(questions=", ".join(
            _missed(shown(q), w, e, m, a, n) for q, w, e, m, a, n in missed[:10])))
    if graded and counts["passed"] == len(graded):
        lines.append(_("every answer right"))
    print_clean(console, Group(table, Text("\n".join(lines))))


def _missed(question: str, wrong: int, unreadable: int, missing: int, answered: int, asked: int) -> str:
    if not missing and not unreadable:
        return _("{question} ({wrong} of {answered} wrong)").format(question=question, wrong=wrong, answered=answered)
    if not wrong and not unreadable:
        return _("{question} ({missing} of {asked} missing)").format(question=question, missing=missing, asked=asked)
    if not wrong and not missing:
        return _("{question} ({unreadable} of {answered} unreadable)").format(
            question=question, unreadable=unreadable, answered=answered)
    if not unreadable:
        return _("{question} ({wrong} wrong and {missing} missing of {asked})").format(
            question=question, wrong=wrong, missing=missing, asked=asked)
    return _("{question} ({wrong} wrong, {unreadable} unreadable and {missing} missing of {asked})").format(
        question=question, wrong=wrong, unreadable=unreadable, missing=missing, asked=asked)


def _report_table(report: dict[str, Any], console: Any) -> None:
    """The class report for people: the counts per question, then each student's findings."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from ..render.table import print_clean
    from ..teach.class_report import basis, score_text

    counts = [entry["text"] for q in report["questions"] for entry in q["misconceptions"]]
    counts += [q["follow_throughs"]["text"] for q in report["questions"] if q["follow_throughs"]["count"]]
    head = Text("\n".join([basis(report), *counts] if counts else [_("No misconception and no follow-through found.")]))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title=_("Students"), title_justify="left")
    table.add_column(_("student"), style="bold", overflow="fold")
    table.add_column(_("score"), justify="right", no_wrap=True)
    table.add_column(_("slips, follow-throughs and feedback"), overflow="fold")
    for s in report["students"]:
        if s["error"] is not None:
            table.add_row(Text(s["student"]), "—", Text(_("error: {message}").format(message=s["error"]),
                                                        style="yellow"))
            continue
        lines = []
        for f in s["findings"]:
            what = _("follows through from {slips}").format(slips=", ".join(f["follows_from"])) if f["follows_from"] \
                else "; ".join(f["labels"]) or _("a slip")
            lines.append(f"{f['question']} = {f['given']}: {what}")
            lines += [f"  {t}" for t in ([f["feedback"]] if f["feedback"] else []) + f["report"]]
        table.add_row(Text(s["student"]), Text(score_text(s)), Text("\n".join(lines) or _("No wrong answer.")))
    print_clean(console, Group(Text(_("Class report"), style="bold"), head, Text(""), table))
