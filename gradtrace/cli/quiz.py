"""gradtrace quiz: the practice command. Problems, questions and grading live in quiz.py; this
module only asks, prints and writes files."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..core.errors import ExitCode, GradtraceError
from . import _fail, make_console


@click.command(context_settings={"help_option_names": ["--help"], "max_content_width": 100})
@click.option("--difficulty", type=click.IntRange(1, 3), default=1, show_default=True,
              help="1: add and mul; 2: adds max, fan-out and constants; 3: adds exp, 1/x, sigmoid and tanh.")
@click.option("--seed", type=int, help="Make the problems reproducible.")
@click.option("--problems", "count", type=click.IntRange(1, 50), default=1, show_default=True,
              help="How many circuits to work through.")
@click.option("--worksheet", "worksheet_count", type=click.IntRange(1, 200), metavar="N",
              help="Write N problems as a Markdown worksheet and answer key (with --out) instead of asking.")
@click.option("--out", "out_dir", metavar="DIR", help="Where --worksheet writes its files.")
@click.option("--ask", "ask_text", default="upstream", show_default=True, metavar="WHAT",
              help="What to ask, comma-separated, asked in the lecture's order: values (the forward pass), "
                   "local, upstream, downstream (gradients).")
@click.option("--precision", type=click.IntRange(1, 17), default=4, show_default=True,
              help="Significant digits shown in values and worked steps.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour; auto means on a terminal, unless NO_COLOR is set.")
def quiz(difficulty: int, seed: int | None, count: int, worksheet_count: int | None, out_dir: str | None,
         ask_text: str, precision: int, color: str) -> None:
    """Practice backprop: a random circuit, its forward values, and you fill in the gradients.

    Type each node's upstream gradient, from the output back, then each variable's gradient
    (--ask chooses: forward values, local, upstream and downstream gradients). A wrong answer
    gets the lecture's hint for that gate; a second one shows the worked step. 'h' or '?' shows
    the hint (half a point), 's' skips (none), 'q' stops. Answers can come from stdin, one per
    line, read the same way. Exit 0 when the quiz is completed, 3 when it stops early.
    """
    import random

    from .. import quiz as practice

    ask = _asks(ask_text)

    if seed is None:
        seed = random.SystemRandom().randrange(10**6)
        click.echo(f"gradtrace: seed {seed} (pass --seed {seed} to get these problems again)", err=True)
    try:
        if worksheet_count is not None:
            if not out_dir:
                raise GradtraceError("--worksheet needs --out DIR for its files")
            _write_worksheet(practice.worksheet(seed, worksheet_count, difficulty), seed, difficulty, out_dir,
                             precision)
            return
        rng = random.Random(seed)
        problems = [practice.generate(rng, difficulty) for _ in range(count)]
    except GradtraceError as err:
        _fail(err)
    console = make_console(color)
    score = total = 0.0
    for number, problem in enumerate(problems, 1):
        got, asked, finished = _ask(console, problem, number, len(problems), difficulty, seed, precision, ask)
        score, total = score + got, total + asked
        if not finished:
            console.print(f"\nstopped: score {score:g} / {total:g} so far")
            raise click.exceptions.Exit(int(ExitCode.CHECK_FAILED))
    console.print(f"\nscore: [bold]{score:g} / {total:g}[/bold]"
                  + ("  (full marks!)" if score == total else ""))


def _asks(text: str) -> tuple[str, ...]:
    """--ask values,local: what to ask, in the lecture's order whatever order it was written in."""
    from ..quiz import ASKS

    chosen = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(chosen - set(ASKS))
    if not chosen or unknown:
        raise click.UsageError(f"--ask {text}: choose from {', '.join(ASKS)} (comma-separated)")
    return tuple(a for a in ASKS if a in chosen)


HINT, SKIP, STOP = ("h", "?", "hint"), ("s", "skip"), ("q", "quit", "exit")


def _ask(console: Any, problem: Any, number: int, of: int, difficulty: int, seed: int,
         precision: int, ask: tuple[str, ...] = ("upstream",)) -> tuple[float, int, bool]:
    """One problem at the prompt: (points, questions, finished). Every line read is one attempt,
    a hint request or a skip, so a scripted quiz (stdin) and a typed one go the same way."""
    from rich.markup import escape
    from rich.prompt import Prompt

    from ..answers import grade
    from ..render import graph

    t = problem.trace
    at = ", ".join(f"{k} = {fmt_number(v)}" for k, v in t.bindings.items())
    console.print(f"\n[bold]Problem {number} of {of}[/bold] (difficulty {difficulty}, seed {seed}): "
                  f"{escape(t.output)} = {escape(problem.program)}   at {escape(at)}\n")
    for line in graph.render(t, console.width, precision, blank=True, blank_values="values" in ask):
        console.print(line)
    first = "Work forwards from the inputs, then back" if "values" in ask else "Work backwards"
    console.print(f"\n{first} from ∂{t.output}/∂{t.output} = 1. Type each answer "
                  "('h' hint, 's' skip, 'q' stops).")
    points = 0.0
    questions = problem.questions(precision, ask)
    for q in questions:
        tries = 0
        hinted = False
        while True:
            try:
                text = Prompt.ask(escape(f"{q.prompt}"), console=console).strip()
            except (EOFError, KeyboardInterrupt):
                return points, len(questions), False
            if not sys.stdin.isatty():
                console.print(text, highlight=False, markup=False)  # a scripted answer: shown, so the transcript reads
            word = text.lower()
            if word in STOP:
                return points, len(questions), False
            if word in HINT:
                hinted = True
                console.print(f"  hint: {escape(q.hint)}")
                continue
            if word in SKIP:
                console.print(f"  skipped: the answer is [bold]{fmt_number(q.answer, precision)}[/bold]. "
                              f"{escape(q.worked)}")
                break
            try:
                correct, _ = grade(text, q.answer, precision)
            except GradtraceError:
                console.print("  type a number, such as -4 or 0.39 ('h' hint, 's' skip, 'q' stops)")
                continue
            if correct:
                points += 1.0 if tries == 0 and not hinted else 0.5
                console.print("  [green]✓[/green]")
                break
            tries += 1
            if tries == 1 and not hinted:
                hinted = True
                console.print(f"  [red]✗[/red] hint: {escape(q.hint)}")
            else:
                console.print(f"  [red]✗[/red] the answer is [bold]{fmt_number(q.answer, precision)}[/bold]. "
                              f"{escape(q.worked)}")
                break
    return points, len(questions), True


def fmt_number(value: Any, precision: int = 4) -> str:
    from ..render import fmt

    return fmt(value, precision)


def _write_worksheet(problems: list[Any], seed: int, difficulty: int, out_dir: str, precision: int) -> None:
    """The worksheet, the answer key, and a picture of each circuit (gradients blank, then filled)."""
    from ..files import write_folder
    from ..render import dot, picture, worksheet

    files: dict[str, bytes] = {}
    for i, problem in enumerate(problems, 1):
        for name, blank in ((f"problem-{i}.svg", True), (f"answer-{i}.svg", False)):
            files[name] = picture.draw(dot.render(problem.trace, precision, blank_gradients=blank), "svg")
    files["worksheet.md"] = worksheet.render(problems, seed, difficulty, False, precision).encode()
    files["answers.md"] = worksheet.render(problems, seed, difficulty, True, precision).encode()
    write_folder(out_dir, files)
    click.echo(f"gradtrace: wrote {out_dir} ({', '.join(sorted(files))})", err=True)
