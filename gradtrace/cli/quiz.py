"""gradtrace quiz: the practice command. Problems, questions and grading live in quiz.py; this
module only asks, prints and writes files."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..core.errors import ExitCode, GradtraceError
from ..core.numbers import DEFAULT, NumberFormat
from ..i18n import N_, _, current
from .common import LANG_OPTION, Section, TranslatedHelp, blank_words, fail, make_console

QUIZ_HELP = N_("""Practice backprop: a random circuit, its forward values, and you fill in the gradients.

Type each node's upstream gradient, from the output back, then each variable's gradient
(--ask chooses: forward values, local, upstream and downstream gradients). A wrong answer
gets the lecture's hint for that gate; a second one shows the worked step. 'h' or '?' shows
the hint (half a point), 's' skips (none), 'q' stops. Answers can come from stdin, one per
line, read the same way. Exit 0 when the quiz is completed, 3 when it stops early.""")


class _DifficultyOption(click.Option):
    """--difficulty: its help names the functions difficulty 3 draws (the op records with Op.teach.quiz),
    filled in when the help is shown, after the text is translated, so the list is never typed twice
    and costs nothing at start-up."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from ..teach.quiz import FUNCTIONS_3

        text = self.help
        if text:
            self.help = text.format(functions=", ".join(sorted(FUNCTIONS_3)))
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = text


@click.command(cls=TranslatedHelp, help=QUIZ_HELP,
               context_settings={"help_option_names": ["--help"], "max_content_width": 100})
@LANG_OPTION
@click.option("--difficulty", cls=_DifficultyOption, type=click.IntRange(1, 3), default=1, show_default=True,
              help=N_("1: add and mul; 2: adds max, fan-out and constants; 3: adds 1/x and the functions "
                      "{functions}."))
@click.option("--seed", type=int, help=N_("The random seed the problems are drawn from: the same seed, difficulty and "
                                          "count give the same problems again. Without it one is drawn and shown."))
@click.option("--problems", "count", type=click.IntRange(1, 50), default=1, show_default=True,
              help=N_("How many circuits to work through."))
@click.option("--worksheet", "worksheet_text", is_flag=False, flag_value="", metavar="[N]",
              help=N_("Write a worksheet and its answer key into --out DIR instead of asking: N random problems "
                   "(10 if N is left out), or the problems of --from FILE."))
@click.option("--from", "problems_file", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True),
              help=N_("The worksheet's problems, your own: one per line as '(x+y)*z   at x = -2, y = 5, z = -4', "
                   "or TOML/JSON with a problems list of expression and bindings."))
@click.option("--blank", "blank_text", default="gradients", show_default=True, metavar="WHAT",
              help=N_("What a worksheet leaves to fill in: gradients, values, or values,gradients."))
@click.option("--pdf", is_flag=True, help=N_("Also make worksheet.pdf and answers.pdf, with pdflatex."))
@click.option("--out", "out_dir", metavar="DIR",
              help=N_("Where --worksheet writes its files: a new or empty folder, or one it wrote before."))
@click.option("--replace", is_flag=True,
              help=N_("Replace the --out folder even if it holds files gradtrace did not write (they are deleted)."))
@click.option("--ask", "ask_text", default="upstream", show_default=True, metavar="WHAT",
              help=N_("What to ask, comma-separated, asked in the lecture's order: values (the forward pass), "
                   "local, upstream, downstream (gradients)."))
@click.option("--precision", type=click.IntRange(1, 17), default=4, show_default=True,
              help=N_("Significant digits shown in values and worked steps."))
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help=N_("Colour; auto means on a terminal, unless NO_COLOR is set."))
def quiz(difficulty: int, seed: int | None, count: int, worksheet_text: str | None, problems_file: str | None,
         blank_text: str, pdf: bool, out_dir: str | None, replace: bool, ask_text: str, precision: int,
         color: str) -> None:
    # What it does is QUIZ_HELP (--help shows it, in the language of the run).
    import random

    from ..teach import quiz as practice

    numbers = NumberFormat(digits=precision)
    ask = _asks(ask_text)
    if worksheet_text is None and (problems_file or pdf or replace or blank_text != "gradients"):
        raise click.UsageError(_("--from, --blank, --pdf and --replace make a worksheet: add --worksheet and "
                                 "--out DIR"))
    if worksheet_text is not None:
        if not out_dir:
            raise click.UsageError(_("--worksheet needs --out DIR for its files"))
        blanks = blank_words(blank_text)
        if problems_file is not None and worksheet_text:
            raise click.UsageError(_("--worksheet N draws N random problems, and --from gives your own; pick one "
                                     "(--worksheet --from FILE takes every problem in FILE)"))
        try:
            if problems_file is not None:
                from .inputs import read_text

                problems = practice.read_problems(problems_file, read_text(problems_file, "--from"))
                for i, problem in enumerate(problems, 1):
                    for flaw in practice.flaws(problem):
                        click.echo("gradtrace: " + _("note: problem {number}: {flaw}").format(number=i, flaw=flaw),
                                   err=True)
                heading = _("Problems from {file}. Rebuild with {command}.").format(
                    file=problems_file, command=f"`gradtrace quiz --worksheet --from {problems_file} --out DIR`")
            else:
                if seed is None:
                    seed = random.SystemRandom().randrange(10**6)
                    click.echo("gradtrace: " + _seed_note().format(seed=seed), err=True)
                count_ = _worksheet_count(worksheet_text)
                problems = practice.worksheet(seed, count_, difficulty)
                heading = _("Difficulty {difficulty}, seed {seed}. Regenerate with {command}.").format(
                    difficulty=difficulty, seed=seed,
                    command=f"`gradtrace quiz --worksheet {count_} --difficulty {difficulty} --seed {seed} --out DIR`")
            _write_worksheet(problems, heading, out_dir, numbers, blanks, pdf, replace)
        except GradtraceError as err:
            fail(err)
        return
    if seed is None:
        seed = random.SystemRandom().randrange(10**6)
        click.echo("gradtrace: " + _seed_note().format(seed=seed), err=True)
    try:
        rng = random.Random(seed)
        problems = [practice.generate(rng, difficulty) for _ in range(count)]
    except GradtraceError as err:
        fail(err)
    if sys.stdin is None:  # started with <&-: there is nowhere to read the answers from
        fail(GradtraceError(_("the quiz reads its answers from standard input, and standard input is closed"),
                             hint=_("run it at a terminal, pipe the answers in, or write a sheet with --worksheet")))
    console = make_console(color)
    score = total = 0.0
    for number, problem in enumerate(problems, 1):
        got, asked, finished = _ask(console, problem, number, len(problems), difficulty, seed, numbers, ask)
        score, total = score + got, total + asked
        if not finished:
            console.print("\n" + _("stopped: score {score} / {total} so far").format(score=f"{score:g}",
                                                                                     total=f"{total:g}"))
            raise click.exceptions.Exit(int(ExitCode.CHECK_FAILED))
    console.print("\n" + _("score: {score}").format(score=f"[bold]{score:g} / {total:g}[/bold]")
                  + ("  " + _("(full marks!)") if score == total else ""))


quiz.sections = (
    (Section.PROBLEMS, ("difficulty", "seed", "count", "ask_text")),
    (Section.WORKSHEETS, ("worksheet_text", "problems_file", "blank_text", "out_dir", "replace", "pdf")),
    (Section.OUTPUT, ("precision", "color")),
    (Section.LANGUAGE, ("lang",)),
    (Section.HELP, ("help",)),
)


def _seed_note() -> str:
    """A message, looked up in the language of the moment."""
    return _("seed {seed} (pass --seed {seed} to get these problems again)")


def _asks(text: str) -> tuple[str, ...]:
    """--ask values,local: what to ask, in the lecture's order whatever order it was written in."""
    from ..teach.quiz import ASKS

    chosen = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(chosen - set(ASKS))
    if not chosen or unknown:
        raise click.UsageError(
            _("--ask {text}: choose from {join} (comma-separated)").format(text=text, join=", ".join(ASKS))
        )
    return tuple(a for a in ASKS if a in chosen)


HINT, SKIP, STOP = ("h", "?", "hint"), ("s", "skip"), ("q", "quit", "exit")


def _ask(console: Any, problem: Any, number: int, of: int, difficulty: int, seed: int,
         numbers: NumberFormat, ask: tuple[str, ...] = ("upstream",)) -> tuple[float, int, bool]:
    """One problem at the prompt: (points, questions, finished). Every line read is one attempt,
    a hint request or a skip, so a scripted quiz (stdin) and a typed one go the same way."""
    from rich.markup import escape
    from rich.prompt import Prompt

    from ..modes.answers import grade
    from ..render import graph

    t = problem.trace
    at = ", ".join(f"{k} = {DEFAULT.text(v)}" for k, v in t.bindings.items())
    head = _("Problem {number} of {count}").format(number=number, count=of)
    about = _("(difficulty {difficulty}, seed {seed})").format(difficulty=difficulty, seed=seed)
    console.print(f"\n[bold]{head}[/bold] {about}: {escape(t.output)} = {escape(problem.program)}   "
                  + escape(_("at {bindings}").format(bindings=at)) + "\n")
    for line in graph.render(t, console.width, numbers, blank=True, blank_values="values" in ask):
        console.print(line)
    start = f"∂{t.output}/∂{t.output} = 1"
    first = _("Work forwards from the inputs, then back from {start}.") if "values" in ask else \
        _("Work backwards from {start}.")
    console.print("\n" + first.format(start=start) + " " + _("Type each answer ('h' hint, 's' skip, 'q' stops)."))
    points = 0.0
    questions = problem.questions(numbers, ask)
    for q in questions:
        tries = 0
        hinted = False
        while True:
            try:
                text = Prompt.ask(escape(f"{q.prompt}"), console=console).strip()
            except EOFError:  # the answers ran out: stopped early (exit 3); Ctrl-C goes up to main (exit 130)
                return points, len(questions), False
            if not sys.stdin.isatty():
                console.print(text, highlight=False, markup=False)  # a scripted answer: shown, so the transcript reads
            word = text.lower()
            if word in STOP:
                return points, len(questions), False
            if word in HINT:
                hinted = True
                console.print("  " + _("hint: {hint}").format(hint=escape(q.hint)))
                continue
            if word in SKIP:
                console.print("  " + _("skipped: the answer is {answer}.").format(
                    answer=f"[bold]{numbers.text(q.answer)}[/bold]") + " " + escape(q.worked))
                break
            try:
                correct, _rule = grade(text, q.answer, numbers.digits)
            except GradtraceError:
                console.print("  " + _("type a number, such as -4 or 0.39 ('h' hint, 's' skip, 'q' stops)"))
                continue
            if correct:
                points += 1.0 if tries == 0 and not hinted else 0.5
                console.print("  [green]✓[/green]")
                break
            tries += 1
            if tries == 1 and not hinted:
                hinted = True
                console.print("  [red]✗[/red] " + _("hint: {hint}").format(hint=escape(q.hint)))
            else:
                console.print("  [red]✗[/red] " + _("the answer is {answer}.").format(
                    answer=f"[bold]{numbers.text(q.answer)}[/bold]") + " " + escape(q.worked))
                break
    return points, len(questions), True


def _worksheet_count(text: str) -> int:
    if not text:
        return 10
    if not text.isdigit() or not 1 <= int(text) <= 200:
        raise click.UsageError(_("--worksheet {text}: give a number of problems from 1 to 200").format(text=text))
    return int(text)


def _write_worksheet(problems: list[Any], heading: str, out_dir: str, numbers: NumberFormat,
                     blanks: frozenset[str], pdf: bool, replace: bool = False) -> None:
    """The folder, replaced as a whole: worksheet.md and answers.md with a picture of each circuit
    (blanks on the sheet, filled in on the key), worksheet.html (printable, pictures inline),
    key-N.toml for `gradtrace grade --key`, and with --pdf worksheet.pdf and answers.pdf. Without
    Graphviz the text is written and the pictures are named as skipped; without pdflatex the PDFs
    are, and the exit code is 1."""
    from ..render import picture
    from . import progress

    for problem in problems:
        picture.check_size(problem.trace)

    display = progress.for_terminal()  # Graphviz and pdflatex take seconds: progress on a terminal's stderr
    try:
        _make_worksheet(problems, heading, out_dir, numbers, blanks, pdf, replace, display)
    finally:
        if display is not None:
            display.close()


def _make_worksheet(problems: list[Any], heading: str, out_dir: str, numbers: NumberFormat,
                    blanks: frozenset[str], pdf: bool, replace: bool, display: Any) -> None:
    """_write_worksheet's work, telling display (if any) which phase it is in."""
    from ..core.errors import MissingProgram
    from ..render import picture, worksheet
    from .files import write_folder

    files: dict[str, bytes] = {}
    svgs: dict[str, str] = {}
    pdfs: dict[str, bytes] = {}
    skipped: str | None = None
    needed = worksheet.pictures_needed(len(problems))
    try:
        for k, name in enumerate(needed):
            if display is not None:
                display("drawing the pictures", k, len(needed))
            problem = problems[int(name.rsplit("-", 1)[1]) - 1]
            dot_text = worksheet.picture_dot(problem, name, blanks, numbers)
            files[f"{name}.svg"] = picture.draw(dot_text, "svg")
            svgs[name] = picture.inline(files[f"{name}.svg"])
            if pdf:
                pdfs[f"{name}.pdf"] = picture.draw(_fit_for_tex(dot_text), "pdf")
    except MissingProgram as err:
        files, svgs, pdfs = {}, {}, {}
        skipped = err.message
    drawn = skipped is None
    files["worksheet.md"] = worksheet.markdown(problems, heading, False, numbers, blanks, drawn).encode()
    files["answers.md"] = worksheet.markdown(problems, heading, True, numbers, blanks, drawn).encode()
    files["worksheet.html"] = worksheet.html(problems, heading, numbers, blanks, svgs).encode()
    for i, problem in enumerate(problems, 1):
        files[f"key-{i}.toml"] = worksheet.key_toml(problem, blanks, numbers).encode()
    failed: GradtraceError | None = None
    if pdf and current() != "en":
        # pdflatex with latex-base alone has no Hangul (every Korean letter would print as '?'), so a
        # Korean sheet is printed from its own page by headless Chromium, as a browser prints it.
        try:
            for key in (False, True):
                if display is not None:
                    display("making the PDFs", int(key), 2)
                page = worksheet.html(problems, heading, numbers, blanks, svgs, sheet=not key, key=key)
                files["answers.pdf" if key else "worksheet.pdf"] = _print_pdf(page)
        except GradtraceError as err:
            failed = err
    elif pdf:
        try:
            for key in (False, True):
                if display is not None:
                    display("making the PDFs", int(key), 2)
                tex = worksheet.latex(problems, heading, key, numbers, blanks, drawn)
                files["answers.pdf" if key else "worksheet.pdf"] = _pdflatex(tex, pdfs)
        except GradtraceError as err:
            failed = err
    if display is not None:
        display.close()  # the lines below go to the same screen
    write_folder(out_dir, files, replace)
    click.echo(f"gradtrace: wrote {out_dir} ({', '.join(sorted(files))})", err=True)
    if skipped is not None:
        names = ", ".join(f"{name}.svg" for name in worksheet.pictures_needed(len(problems)))
        click.echo(f"gradtrace: note: {skipped}; skipped the pictures {names} (the worksheet's tables are "
                   "complete without them)", err=True)
    if failed is not None:
        failed.message = _("no PDF was made: {reason}").format(reason=failed.message)
        fail(failed)


def _fit_for_tex(dot_text: str) -> str:
    """A picture for pdflatex: a large circuit (120 terms) is drawn wider than the 16,384 pt a TeX
    dimension can hold, and \\includegraphics stops at it. Graphviz scales a drawing larger than
    `size` down to it, 100 inches here; the page scales every picture to fit anyway."""
    head, brace, rest = dot_text.partition("{")
    return f'{head}{brace}\n  graph [size="100,100"];{rest}' if brace else dot_text


def _print_pdf(page: str) -> bytes:
    """A self-contained HTML page printed to PDF by headless Chromium (its print CSS: A4, a page
    per problem)."""
    import os
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from ..core.errors import EvaluationError, MissingProgram

    browser = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                    if (found := shutil.which(name))), None)
    if browser is None:
        raise MissingProgram(_("a PDF in this language is printed by Chromium, which is not installed"),
                             hint=_("install it (apt-get install chromium on Debian), or print worksheet.html from a "
                                    "browser"))
    with tempfile.TemporaryDirectory(prefix="gradtrace-pdf-") as scratch:
        folder = Path(scratch)
        (folder / "sheet.html").write_text(page, encoding="utf-8")
        sandbox = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # root can't sandbox
        try:
            subprocess.run([browser, "--headless", "--disable-gpu", *sandbox, "--no-pdf-header-footer",
                            f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={folder / 'sheet.pdf'}",
                            (folder / "sheet.html").as_uri()], capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            raise EvaluationError(_("Chromium took more than 2 minutes to print the worksheet")) from None
        result = folder / "sheet.pdf"
        if not result.exists() or not result.read_bytes().startswith(b"%PDF"):
            raise EvaluationError(_("Chromium could not print the worksheet to PDF"),
                                  hint=_("print worksheet.html from a browser"))
        return result.read_bytes()


def _pdflatex(tex: str, pictures: dict[str, bytes]) -> bytes:
    """Compile a LaTeX document with pdflatex in a scratch folder holding its pictures."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from ..core.errors import EvaluationError, MissingProgram

    program = shutil.which("pdflatex")
    if program is None:
        raise MissingProgram(_("pdflatex is not installed"), hint=_("install it (apt-get install texlive-latex-base on "
                                                                 "Debian and Ubuntu, MacTeX or MiKTeX elsewhere), "
                                                                 "or print worksheet.html from a browser"))
    with tempfile.TemporaryDirectory(prefix="gradtrace-tex-") as scratch:
        folder = Path(scratch)
        for name, data in pictures.items():
            (folder / name).write_bytes(data)
        (folder / "sheet.tex").write_text(tex, encoding="utf-8")
        try:
            run = subprocess.run([program, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                                  "sheet.tex"], cwd=folder, capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            raise EvaluationError(_("pdflatex took more than 2 minutes")) from None
        result = folder / "sheet.pdf"
        if run.returncode != 0 or not result.exists():
            log = run.stdout.decode(errors="replace")
            first = next((line for line in log.splitlines() if line.startswith("!")), "see its log")
            raise EvaluationError(_("pdflatex could not compile the worksheet ({first})").format(first=first[:200]),
                                  hint=_("this is a bug in gradtrace's LaTeX; please report it"))
        return result.read_bytes()
