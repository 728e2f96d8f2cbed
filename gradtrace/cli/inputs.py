"""The inputs a trace reads: the program, --vars, --answers and --expect, --upstream and --seed. Every file
is read through core.reading.read_input, to at most MAX_TEXT bytes, so /dev/zero or a FIFO nothing
writes to ends with a message, while a pipe (<(...)) is read."""

from __future__ import annotations

import re
import sys
from typing import Any

import click

from ..core.errors import BindingError, GradtraceError
from ..core.reading import MAX_TEXT, read_input
from ..i18n import _


def read_text(path: str, option: str, errors: str = "strict") -> str:
    """A UTF-8 text file's contents ('-' is stdin; a leading byte-order mark is dropped), or a usage
    error that names the file. It is read through files.read_input, to at most MAX_TEXT bytes,
    so /dev/zero or a FIFO nothing writes to ends with a message, while a pipe (<(...)) is read.
    errors="surrogateescape" keeps bytes that are not UTF-8 as lone surrogates, for a caller that
    refuses them line by line (a batch)."""
    try:
        if path == "-":
            text = read_stdin(option, errors)
        else:
            try:
                data = read_input(path, MAX_TEXT)
            except GradtraceError as err:
                raise GradtraceError(f"{option} {err}", hint=err.hint) from None
            text = data.decode("utf-8", errors)
    except UnicodeDecodeError:
        raise GradtraceError(_("{option} {path}: not a UTF-8 text file").format(option=option, path=path)) from None
    return text[1:] if text.startswith("\ufeff") else text


def read_stdin(option: str, errors: str = "strict") -> str:
    """All of standard input as UTF-8 text, decoded strictly from its bytes (the stream's own
    decoding would let invalid bytes through as lone surrogates), read through files.read_input to
    at most MAX_TEXT bytes; closed (<&-) is a usage error."""
    import io

    stream = sys.stdin
    if stream is None:
        raise GradtraceError(_("{option} -: standard input is closed").format(option=option),
                             hint=_("give the input on standard input, or name a file"))
    raw = getattr(stream, "buffer", None)
    if raw is None:  # a text stream with no bytes beneath (a program embedding gradtrace set it)
        raw = io.BytesIO(stream.read(MAX_TEXT + 1).encode("utf-8", "surrogateescape"))
        raw.name = "-"
    try:
        return read_input(raw, MAX_TEXT).decode("utf-8", errors)
    except GradtraceError as err:
        raise GradtraceError(f"{option} {err}", hint=err.hint) from None


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # a byte that was not UTF-8, as surrogateescape keeps it


def program_text(expression: tuple[str, ...], program_file: str | None) -> str:
    if program_file is not None:
        if expression:
            raise GradtraceError(_("give the program either as an argument or with --file, not both (got "
                                   "{expression!r} too)").format(expression=expression[0]))
        return read_text(program_file, "--file")
    if not expression:
        raise GradtraceError(_("no expression given"), hint=_("try: gradtrace \"(x+y)*z\" -x -2 -y 5 -z -4"))
    if len(expression) > 1:
        import difflib

        hint = _("quote the expression, and bind variables with -x 2 or x=2")
        for word in expression:  # --explain backwrd: click leaves a misspelt pass as an expression
            close = difflib.get_close_matches(word.strip().lower(), ["backward", "forward"], n=1, cutoff=0.7)
            if close:
                hint = _("--explain takes backward or forward: did you mean --explain {word}?").format(word=close[0])
                break
        raise GradtraceError(_("expected one expression, got {count}: {expressions}").format(
            count=len(expression), expressions=", ".join(repr(e) for e in expression)), hint=hint)
    return expression[0]


def load_vars(path: str) -> tuple[str, Any]:
    """--vars FILE.json or FILE.toml: (path, the mapping), for bindings.resolve to check. A file
    named neither way is JSON when it starts with '{', TOML otherwise. A JSON-lines file (.jsonl,
    or lines that each hold one object) gives (path, a list of mappings): a batch of points."""
    from ..core.bindings import read_json

    text = read_text(path, "--vars", errors="surrogateescape")  # a batch refuses a bad line alone
    lines = text.splitlines()
    if path.endswith(".jsonl") or _json_lines(lines):
        points: list[tuple[int, Any]] = []
        for k, line in enumerate(lines, 1):
            if line.strip():  # a blank line is no point, and the lines after it keep their numbers
                points.append((k, _point(path, k, line)))
        if not points:
            raise BindingError(_("--vars {path}: no points (one JSON object per line)").format(path=path))
        return path, points
    if _NOT_UTF8.search(text):
        raise GradtraceError(_("{option} {path}: not a UTF-8 text file").format(option="--vars", path=path))
    if path.endswith(".toml") or (not path.endswith(".json") and not text.lstrip().startswith("{")):
        import tomllib

        try:
            data: Any = tomllib.loads(text)
        except (ValueError, RecursionError) as exc:
            raise BindingError(_("--vars {path}: not valid TOML ({exc})").format(path=path, exc=exc),
                               hint=_("write x = 2 per line, or a JSON object such as {\"x\": 2}")) from None
        data = {k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in data.items()}
    else:
        data = read_json(text, f"--vars {path}")
    if not isinstance(data, dict):
        raise BindingError(_("--vars {path}: expected a JSON object such as {{\"x\": 2}}").format(path=path))
    return path, data


def _json_lines(lines: list[str]) -> bool:
    """Whether a --vars file not named .jsonl is JSON lines: two or more lines that aren't blank,
    the first of them a whole JSON object by itself (a JSON file's object spans its lines)."""
    import json

    filled = [line for line in lines if line.strip()]
    if len(filled) < 2 or not filled[0].lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(filled[0]), dict)
    except ValueError:  # the first line is a bad point, or the start of one object: the rest says which
        return all(line.lstrip().startswith("{") for line in filled)


def _point(path: str, k: int, line: str) -> dict[Any, Any] | GradtraceError:
    """Line k of a JSON-lines --vars file: its point, or the error that is its result."""
    from ..core.bindings import read_json

    if _NOT_UTF8.search(line):
        return BindingError(_("--vars {path} line {k}: {message}").format(
            path=path, k=k, message=_("the line is not UTF-8 text")))
    try:
        point = read_json(line, f"--vars {path} line {k}")
    except GradtraceError as err:
        return err
    if not isinstance(point, dict):
        return BindingError(
            _('--vars {path} line {k}: expected a JSON object such as {{"x": 2}}').format(path=path, k=k))
    return point


def expected_answers(expect: tuple[str, ...], answers_file: str | None) -> list[Any]:
    """--answers FILE (JSON or TOML) then each --expect NAME=VALUE, as answers to grade."""
    if not expect and answers_file is None:
        return []
    from ..modes.answers import Expected, flatten_answers

    out: list[Expected] = []
    if answers_file is not None:
        from ..core.bindings import read_document

        text = read_text(answers_file, "--answers")
        # As --vars: TOML by its name, or, named neither way (a pipe, <(...)), when it doesn't start with '{'.
        toml = answers_file.endswith(".toml") or (not answers_file.endswith(".json") and bool(text.strip())
                                                  and not text.lstrip().startswith(("{", "[")))
        data = read_document(text, f"--answers {answers_file}", toml)
        if not isinstance(data, dict):
            raise GradtraceError(
                _('--answers {answers_file}: expected a mapping such as {{"x": -4}}').format(answers_file=answers_file)
            )
        import os

        out += [Expected(name, value, f"{name} in {answers_file}", os.path.dirname(answers_file) or ".")
                for name, value in flatten_answers(data, origin="--answers")]
    for item in expect:
        name, eq, value = item.partition("=")
        if not eq or not name.strip() or not value.strip():
            raise GradtraceError(
                _("--expect {item}: write NAME=VALUE").format(item=item),
                hint=_("e.g. --expect x=-4 or --expect q.value=3"),
            )
        out.append(Expected(name.strip(), value.strip(), f"--expect {item}"))
    return out


def upstream_value(text: str | None) -> Any:
    """--upstream: the gradient backprop starts from. A number (the slide's "upstream 2"), ones, an
    array written inline ("[1, 0, 0]") or @grad.npy, read like any binding's value; random or
    random:N, a random upstream drawn from the seed N (the core reads N, run_program draws one)."""
    if text is None or text == "ones" or text == "random" or text.startswith("random:"):
        return text
    from ..core.bindings import Binding, check_finite, value_of

    binding = Binding("upstream", text, f"--upstream {text}", files=True)
    try:
        return check_finite(binding, value_of(binding))
    except GradtraceError as err:
        said = str(err)  # the message names the option once, whether or not the value's error did
        if said.startswith(f"upstream={text.strip()}: "):  # a file's error names it as upstream=@path
            said = f"--upstream {text}: " + said[len(f"upstream={text.strip()}: "):]
        raise BindingError(
            said if said.startswith(f"--upstream {text}") else _("--upstream {text}: {err}").format(text=text, err=err),
            hint=_('write a number (--upstream 2), ones, random, an array (--upstream "[1, 0]") or a file '
                   '(--upstream @grad.npy)'),
        ) from None


def _is_upstream(text: str) -> bool:
    """Whether text is an upstream --upstream would take (what --seed once was); a file's name
    (@dout.npy) is one whether or not the file is there."""
    if text.startswith("@"):
        return True
    try:
        upstream_value(text)
    except GradtraceError:
        return False
    return True


def random_seed(text: str | None, upstream: str | None) -> int | None:
    """--seed: the random seed of whatever the run draws at random, a whole number ≥ 0. It once was
    the gradient backprop starts from, which is --upstream now: anything else is refused, naming it."""
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        if upstream is not None or not _is_upstream(text):  # the upstream is given, or this is none (--seed abc)
            raise click.UsageError(_("--seed {text}: --seed is the random seed, a whole number ≥ 0").format(text=text))
        raise click.UsageError(_("--seed {text}: --seed is the random seed (a whole number ≥ 0); the gradient "
                                 "backprop starts from is --upstream {text}").format(text=text))
    if upstream is not None and upstream.startswith("random:"):
        raise click.UsageError(_("--upstream {upstream} already names its random seed; give --upstream random "
                                 "--seed {text}, or --upstream {upstream} alone").format(upstream=upstream, text=text))
    return int(text)
