"""A batch: one program traced at many points (--vars POINTS.jsonl), the graph built once.

Each point gives its own result, a Trace or the error that stopped it, in order and numbered by
its line in the file; a point that fails, or a line that can't be read, never stops the others.
The batch's exit code is the worst of its points': 2 if a point's bindings were wrong, else 1 if
one could not be evaluated, else 3 if a check or answer failed, else 0. Writing the results
(one JSON line each) is the renderers' work.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..core.bindings import Binding, match_variable
from ..core.errors import ExitCode, GradtraceError
from ..core.graph import Graph
from ..core.trace import Trace
from ..i18n import _
from .run import run_program


def fit_values(values_file: tuple[str, dict[Any, Any]], graph: Graph,
               bindings: list[Binding]) -> tuple[tuple[str, dict[Any, Any]], list[str]]:
    """One parameter file serves many expressions: keys this program doesn't use are left out (and
    returned, for a note), a binding on the command line overrides the file's value, and w1 or
    alpha in the file binds a variable typed w₁ or α. Returns the fitted file and the keys left out."""
    path, data = values_file
    known = graph.variable_names
    if data.keys() <= known and not any(b.name in data for b in bindings):
        return values_file, []  # the usual case, however large: nothing to change
    on_command_line = {match_variable(b.name, known) or b.name for b in bindings}
    kept: dict[Any, Any] = {}
    extra = []
    for key, value in data.items():
        name = match_variable(key, known)
        if name is None:
            extra.append(key)
        elif name not in on_command_line:
            kept[name] = value
    return (path, kept), extra


def run_points(source: str, graph: Graph, bindings: list[Binding], path: str,
               points: Iterable[tuple[int, Any]], **options: Any) -> Iterator[tuple[int, Trace | GradtraceError]]:
    """Each point (its line number, and its mapping or the error reading it gave) traced with
    run_program's options: (line, the Trace) or (line, the error), every error's message naming
    the line it is about."""
    for k, point in points:
        try:
            if isinstance(point, GradtraceError):
                raise point
            values, _extra = fit_values((f"{path} line {k}", point), graph, bindings)
            yield k, run_program(source, bindings, values, graph=graph, **options).trace
        except GradtraceError as err:
            if f"line {k}" not in str(err):  # every message says which line it is about
                err.message = _("--vars {path} line {k}: {message}").format(path=path, k=k, message=str(err))
            yield k, err


def point_code(result: Trace | GradtraceError) -> int:
    """One point's exit code: its error's, 3 for a failed check or answer, else 0."""
    if isinstance(result, GradtraceError):
        return int(result.exit_code)
    answers: list[Any] = result.answers or []
    failed = bool(result.check is not None and result.check.failed) or any(not a.correct for a in answers)
    return int(ExitCode.CHECK_FAILED) if failed else 0


def batch_code(codes: set[int]) -> int:
    """The batch's exit code: the worst of its points' (2, then 1, then 3), or 0."""
    for code in (ExitCode.USAGE, ExitCode.EVALUATION, ExitCode.CHECK_FAILED):
        if int(code) in codes:
            return int(code)
    return 0
