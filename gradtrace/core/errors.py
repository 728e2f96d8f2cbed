"""One error hierarchy for the core. Each error knows its exit code and, where it can, the span
of user text it is about, so the CLI can point at it with a caret."""

from __future__ import annotations

import re
from enum import IntEnum

from ..i18n import N_, _


class ExitCode(IntEnum):
    OK = 0
    EVALUATION = 1   # the input is well-formed but its value or gradient is undefined
    USAGE = 2        # bad options, syntax or bindings
    CHECK_FAILED = 3  # a gradient check or an expected answer failed
    INTERRUPTED = 130  # Ctrl-C (SIGINT), as a shell reports a command it interrupted: 128 + 2


class GradtraceError(Exception):
    """Base of every error a user can cause; never raised for internal bugs. It carries the
    message, the source text and the span it is about (source, span), a hint, and the exit code
    the command line gives it (exit_code)."""

    kind = N_("error")
    exit_code = ExitCode.USAGE

    def __init__(self, message: str, *, source: str | None = None,
                 span: tuple[int, int] | None = None, hint: str | None = None, about: str | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.span = span
        self.hint = hint
        # Which input the error is about, for a front end to name it its own way: "output" (the
        # value traced), "upstream" or "tolerance". The core never names command-line options.
        self.about = about

    def format(self) -> str:
        """The message, the offending line with a caret under the span, and any hint."""

        # kind stays English in JSON ("kind"); a message is a few lines, however large the program
        lines = [f"{_(self.kind)}: {printable(bounded(self.message))}"]
        if self.source is not None and self.span is not None:
            lines.extend(point_at(self.source, self.span))
        if self.hint:
            lines.append(_("hint: {hint}").format(hint=printable(bounded(self.hint))))
        return "\n".join(lines)


class ParseError(GradtraceError):
    """A program that can't be read: a syntax error, an unknown function (exit code 2)."""

    kind = N_("parse error")


class BindingError(GradtraceError):
    """A variable's value that can't be used: unbound, not a number, of the wrong shape (exit code 2)."""

    kind = N_("binding error")


class EvaluationError(GradtraceError):
    """A well-formed program whose value or gradient is undefined at the bindings: log(-1), 1/0,
    an overflow (exit code 1)."""

    kind = N_("evaluation error")
    exit_code = ExitCode.EVALUATION


class OutputError(GradtraceError):
    """An output can't be written: an unwritable path, a full disk."""
    kind = N_("error")
    exit_code = ExitCode.EVALUATION


class MissingProgram(GradtraceError):
    """A program gradtrace drives (Graphviz's dot) is not installed."""
    kind = N_("error")
    exit_code = ExitCode.EVALUATION


def printable(text: str, *, one_line: bool = False) -> str:
    """User text made safe to show, the one function every output uses for it: anything Python
    does not call printable is written as a visible escape, so nothing a user or a submission
    wrote can move the cursor, recolour, retitle or clear a terminal, reorder a line (bidi
    overrides) or hide in it (zero-width characters). Control characters and bytes that were not
    UTF-8 (kept by surrogateescape) become \\x1b and the like, others \\u202e or \\U000e0001; a
    tab is a space. Line breaks stay, unless one_line (a name, an answer, a table cell)."""
    if text.isprintable() and not _HIDDEN.search(text):  # the common case, at C speed
        return text
    out = []
    run = 0  # combining marks in a row so far: a base letter takes two (ế), a pile of them is zalgo
    for k, ch in enumerate(text):
        if ch in _JOINERS and 0 < k < len(text) - 1 and _joins(text[k - 1]) and _joins(text[k + 1]):
            out.append(ch)  # ZWJ/ZWNJ inside a word or an emoji (علی‌رضا, 👩‍💻): part of the name
            continue
        mark = _COMBINING.match(ch) is not None
        run = run + 1 if mark else 0
        if mark and (run > 2 or k < run or not _joins(text[k - run])):
            out.append(_escape(ch, one_line, force=True))  # no letter under it: it would paint another
        elif ch in _FILLERS or not ch.isprintable():
            out.append(_escape(ch, one_line, force=ch in _FILLERS))
        else:
            out.append(ch)
    return "".join(out)


# Printable to Python but shown as nothing, or drawn over the character before them: combining
# marks with no letter under them (or piled up), and fillers that look like a blank name.
_COMBINING = re.compile("[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e")
_JOINERS = frozenset("\u200c\u200d")
_HIDDEN = re.compile("[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
                     "\u115f\u1160\u3164\uffa0\u2800\u034f\u180e]")


def _joins(ch: str) -> bool:
    """Whether a character can carry a mark or a joiner: a visible one, not a space or a control."""
    return ch.isprintable() and not ch.isspace() and ch not in _FILLERS and _COMBINING.match(ch) is None


def _escape(ch: str, one_line: bool, force: bool = False) -> str:
    code = ord(ch)
    if ch == "\n" and not one_line:
        return ch
    if ch == "\t":
        return " "
    import unicodedata

    if not force and unicodedata.category(ch) == "Zs":  # a space of another width (no-break): a space
        return ch
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


WINDOW = 40          # characters of a long line shown on each side of the problem
MAX_TEXT = 600       # characters of a message or hint before the rest is only counted
MAX_LINES = 4        # lines of a message or hint before the rest is only counted
NAMES_SHOWN = 5      # names in a list (unbound variables, a program's nodes) before the rest is counted


def bounded(text: str, limit: int = MAX_TEXT) -> str:
    """A message or hint cut to `limit` characters and MAX_LINES lines, the rest counted, so that
    no error is more than a few lines whatever the program's size (a list of 20,000 names, a
    program quoted whole)."""
    if len(text) <= limit and text.count("\n") < MAX_LINES:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", max(0, limit - 40))
    if space > 0 and len(text) > limit:  # end at a word, not inside a name
        cut = cut[:space].rstrip(",")
    if cut.count("\n") >= MAX_LINES:
        cut = "\n".join(cut.split("\n")[:MAX_LINES])
    return cut + " … " + _("{count} more characters").format(count=f"{len(text) - len(cut):,}")


def some(names: list[str] | tuple[str, ...], limit: int = NAMES_SHOWN) -> str:
    """Names for a message: the first `limit`, and how many more (x0, x1, x2, x3, x4, … and 19,995 more)."""
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + ", " + _("… and {count} more").format(count=f"{len(names) - limit:,}")


def point_at(source: str, span: tuple[int, int], width: int = 2 * WINDOW) -> list[str]:
    """Lines showing where span falls in source: the line itself and carets under the span. A
    long line is cut to a window of `width` characters around the span; when that, or the other
    lines of a large program, leaves text out, a third line gives the line and column and counts
    what is not shown."""
    start, end = span
    start = max(0, min(start, len(source)))
    end = max(start + 1, min(end, len(source) + 1))
    line_start = source.rfind("\n", 0, start) + 1
    line_end = source.find("\n", start)
    if line_end == -1:
        line_end = len(source)
    line = source[line_start:line_end]
    col = start - line_start
    column = col + 1
    length = max(1, min(end, line_end + 1) - start)
    # Long lines (a 100,000-term sum) are cut to a window around the span.
    offset = 0
    whole_line = len(line)
    if len(line) > width:
        offset = max(0, min(col - width // 2, len(line) - width))
        line = ("…" if offset else "") + line[offset:offset + width] + ("…" if offset + width < len(line) else "")
        col = col - offset + (1 if offset else 0)
        length = max(1, min(length, len(line) - col))
    prefix = ""
    lineno = 1
    if "\n" in source:
        lineno = source.count("\n", 0, line_start) + 1
        prefix = f"line {lineno}: "
    shown = printable(line)
    if shown != line:  # escapes are wider than what they stand for: move the caret with them
        col = len(printable(line[:col]))
        length = max(1, len(printable(line[col:col + length])))
    lines = ["  " + prefix + shown, "  " + " " * (len(prefix) + col) + "^" * length]
    hidden = len(source) - min(whole_line, width)
    if whole_line > width or hidden > LARGE:
        lines.append("  " + _("(line {line}, column {column}; {count} more characters not shown)").format(
            line=f"{lineno:,}", column=f"{column:,}", count=f"{hidden:,}"))
    return lines


LARGE = 1000  # characters of a program's other lines left out before the message counts them


def did_you_mean(name: str, candidates: list[str]) -> str | None:
    """'did you mean w0?' for a near miss among candidates, or None."""
    import difflib  # only on the error path

    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
    if not close:
        return None
    # Runners-up only when about as close as the best: sigmod is sigmoid, not sigmoid or sign.
    best = difflib.SequenceMatcher(None, name, close[0]).ratio()
    close = [c for c in close if difflib.SequenceMatcher(None, name, c).ratio() >= best - 0.15]
    return _("did you mean {names}?").format(names=_(" or ").join(close))
