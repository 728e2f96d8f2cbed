"""Worksheets: problems as Markdown with blank gradients, and the answer key with them filled in
and the worked steps. Pictures are referenced, not embedded; the CLI writes them beside."""

from __future__ import annotations

from ..quiz import Problem
from . import fmt

PATTERN_REMINDER = ("Remember the lecture's patterns: an add gate distributes the gradient unchanged, a max gate "
                    "routes it to the larger input, a mul gate switches (each input gets the other one), a "
                    "constant scales it, and a value used twice adds up its gradients.")


def _header(problem: Problem, i: int, precision: int) -> list[str]:
    t = problem.trace
    at = ", ".join(f"{k} = {fmt(v, precision)}" for k, v in t.bindings.items())
    return [f"## Problem {i}", "", f"`{t.output} = {problem.program}`   at {at}", ""]


def render(problems: list[Problem], seed: int, difficulty: int, key: bool, precision: int = 4) -> str:
    """The worksheet (key=False) or its answer key (key=True), picturing problem-N.svg / answer-N.svg."""
    title = "Backprop worksheet: answer key" if key else "Backprop worksheet"
    regenerate = f"gradtrace quiz --worksheet {len(problems)} --difficulty {difficulty} --seed {seed} --out DIR"
    lines = [f"# {title}", "", f"Difficulty {difficulty}, seed {seed}. Regenerate with `{regenerate}`.", ""]
    if not key:
        lines += ["For each circuit, fill in the gradient below every wire and the upstream gradient ∂f/∂node "
                  "of every node, working back from ∂f/∂f = 1. " + PATTERN_REMINDER, ""]
    for i, problem in enumerate(problems, 1):
        t = problem.trace
        f = t.output
        lines += _header(problem, i, precision)
        picture = f"answer-{i}.svg" if key else f"problem-{i}.svg"
        lines += [f"![Problem {i}]({picture})", ""]
        lines += [f"| node | computes | value | upstream ∂{f}/∂node |", "|---|---|--:|--:|"]
        for row in t.nodes:
            known = key or row.name == f
            lines.append(f"| {row.name} | `{row.expr}` | {fmt(row.value, precision)} | "
                         f"{fmt(row.upstream, precision) if known else ' '} |")
        lines.append("")
        if key:
            lines += ["Worked steps:", ""]
            lines += [f"- {q.worked}" for q in problem.questions(precision)]
            lines.append("")
    return "\n".join(lines)
