"""Untrusted and careless input to the file-writing, stdin-reading and worksheet paths (issue:
a class is untrusted input): worksheets of every allowed size, stdin in every state, folders
holding other people's files, targets that are devices or FIFOs, concurrent writers, and the
tokenizer's cost on long runs of whitespace and comments."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gradtrace.cli import cli


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


# ---- worksheets of every size the help allows ---------------------------------------------------

SWEEP = [1, 2, 3, 7, 12, 39, 40, 41, 200]  # a sheet's first problems don't depend on its size


@pytest.mark.slow
@pytest.mark.parametrize("difficulty", [1, 2, 3])
@pytest.mark.parametrize("seed", [0, 5, 77])
def test_worksheet_sweep_every_size_is_made(difficulty, seed):
    from gradtrace.teach import quiz

    for count in SWEEP:
        problems = quiz.worksheet(seed, count, difficulty)
        assert len(problems) == count
        assert not [p for p in problems if quiz.flaws(p)]
        exact = [(p.program, tuple(sorted(p.bindings.items()))) for p in problems]
        assert len(set(exact)) == count  # a shape may come back once they run out, never the same problem
        if count <= 12:  # while there are shapes enough, no two share one
            assert len({quiz.shape(p) for p in problems}) == count


@pytest.mark.slow
def test_worksheet_of_40_at_seed_5_is_written(tmp_path):
    out = tmp_path / "w"
    result = run("quiz", "--worksheet", "40", "--seed", "5", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "key-40.toml").is_file()


# ---- standard input in every state ----------------------------------------------------------------

STDIN_COMMANDS = [
    ["--file", "-", "-x", "1"],
    ["x", "--vars", "-"],
    ["x", "-x", "1", "--answers", "-"],
    ["quiz", "--worksheet", "--from", "-", "--out", "sheet"],
    ["quiz", "--seed", "1"],
]


def _gradtrace(args: list[str], tmp_path, **kwargs):
    import os
    import subprocess
    import sys

    env = {**os.environ, "GRADTRACE_DEBUG": ""}
    return subprocess.run([sys.executable, "-m", "gradtrace", *args], cwd=tmp_path, capture_output=True,
                          env=env, timeout=60, **kwargs)


def _close_stdin() -> None:
    import os

    os.close(0)


@pytest.mark.parametrize("args", STDIN_COMMANDS, ids=lambda a: " ".join(a))
def test_closed_stdin_is_a_clear_error(args, tmp_path):
    done = _gradtrace(args, tmp_path, stdin=None, preexec_fn=_close_stdin)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "standard input is closed" in err
    assert "internal error" not in err and "Traceback" not in err


@pytest.mark.parametrize("args", STDIN_COMMANDS[:4], ids=lambda a: " ".join(a))
def test_stdin_that_is_not_utf8_is_a_clear_error(args, tmp_path):
    done = _gradtrace(args, tmp_path, input=b"x + \xff\xfe\n")
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "not a UTF-8 text file" in err
    assert "internal error" not in err and "\\udc" not in err


@pytest.mark.parametrize("args", STDIN_COMMANDS, ids=lambda a: " ".join(a))
def test_empty_stdin_never_crashes(args, tmp_path):
    import subprocess

    done = _gradtrace(args, tmp_path, stdin=subprocess.DEVNULL)
    err = done.stderr.decode()
    assert done.returncode in (2, 3), err  # nothing to read: a usage error, or a quiz stopped early
    assert "internal error" not in err and "Traceback" not in err


# ---- a folder that holds someone else's files ---------------------------------------------------

def _sheet(out, *extra: str, seed: str = "1"):
    return run("quiz", "--worksheet", "1", "--seed", seed, "--out", str(out), *extra)


def test_folder_with_a_strangers_file_survives(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "worksheet.md").write_text("mine\n")
    (notes / "thesis.tex").write_text("irreplaceable\n")
    (notes / "chapters").mkdir()
    (notes / "chapters" / "one.tex").write_text("also mine\n")
    result = _sheet(notes)
    assert result.exit_code == 1
    assert "thesis.tex" in result.output and "--replace" in result.output
    assert (notes / "thesis.tex").read_text() == "irreplaceable\n"
    assert (notes / "worksheet.md").read_text() == "mine\n"
    assert (notes / "chapters" / "one.tex").read_text() == "also mine\n"


def test_a_file_added_to_a_sheet_gradtrace_wrote_makes_it_someone_elses(tmp_path):
    out = tmp_path / "sheet"
    assert _sheet(out).exit_code == 0
    assert _sheet(out, seed="2").exit_code == 0  # gradtrace's own sheet is replaced
    (out / "notes.txt").write_text("mine\n")
    result = _sheet(out, seed="3")
    assert result.exit_code == 1 and "notes.txt" in result.output
    assert (out / "notes.txt").read_text() == "mine\n"
    result = _sheet(out, "--replace", seed="3")
    assert result.exit_code == 0, result.output
    assert not (out / "notes.txt").exists()
    assert "seed 3" in (out / "worksheet.md").read_text()


def test_a_sheet_that_lost_its_files_is_still_replaced(tmp_path):
    out = tmp_path / "sheet"
    assert _sheet(out).exit_code == 0
    (out / "answers.md").unlink()
    assert _sheet(out, seed="2").exit_code == 0
    assert (out / "answers.md").is_file()


# ---- targets that are not regular files ---------------------------------------------------------

def _html(target, *extra):
    import needs

    needs.program("dot", "graphviz")  # the page's circuit
    return run("x*y", "-x", "2", "-y", "3", "--html", str(target), *extra)


def _mknod_null(path) -> None:
    import os
    import stat

    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is


def test_a_device_target_is_written_through_never_replaced(tmp_path):
    import os
    import stat

    device = tmp_path / "null"
    _mknod_null(device)
    result = _html(device)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]  # no page left beside it


def test_a_link_to_a_device_is_written_through(tmp_path):
    import os
    import stat

    device = tmp_path / "null"
    _mknod_null(device)
    (tmp_path / "out.html").symlink_to(device)
    assert _html(tmp_path / "out.html").exit_code == 0
    assert (tmp_path / "out.html").is_symlink() and stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_link_to_a_regular_file_is_written_through(tmp_path):
    mine = tmp_path / "mine.html"
    mine.write_text("mine\n")
    (tmp_path / "out.html").symlink_to(mine)
    assert _html(tmp_path / "out.html").exit_code == 0
    assert (tmp_path / "out.html").is_symlink()
    assert mine.read_text().startswith("<!")


def test_a_fifo_target_is_written_through_to_its_reader(tmp_path):
    import os
    import stat
    import threading
    import time

    fifo = tmp_path / "page.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as stream:  # waits for a writer
            got.append(stream.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    for _try in range(100):  # until the reader is in its open(): before, the FIFO is refused
        result = _html(fifo)
        if result.exit_code == 0 or "nothing is reading" not in result.output:
            break
        time.sleep(0.05)
    thread.join(30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].startswith(b"<!doctype html>")


def test_a_fifo_nobody_reads_is_refused_without_waiting(tmp_path):
    import os
    import stat

    fifo = tmp_path / "page.fifo"
    os.mkfifo(fifo)
    result = _html(fifo)
    assert result.exit_code == 1
    assert "nothing is reading" in result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_socket_target_is_refused_and_kept(tmp_path):
    import os
    import socket
    import stat

    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        for target in (path, ):
            result = _html(target)
            assert result.exit_code == 1 and "socket" in result.output
            assert stat.S_ISSOCK(os.lstat(path).st_mode)
        result = _sheet(path)  # --out: a folder is never made over it either
        assert result.exit_code == 1
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()


# ---- writers at the same time ---------------------------------------------------------------------

def test_concurrent_folder_writers_leave_one_whole_sheet(tmp_path):
    from gradtrace.cli.files import MANIFEST, write_folder
    from gradtrace.core.errors import OutputError

    target = tmp_path / "same"
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        for round_ in range(25):
            files = {f"part-{i}.txt": f"{k} {round_}\n".encode() for i in range(5)}
            try:
                write_folder(str(target), files)
            except OutputError:
                pass  # a clean refusal is allowed
            except BaseException as exc:
                errors.append(exc)

    _all_at_once(writer, 8)
    assert not errors
    contents = {p.read_text() for p in target.iterdir() if p.name != MANIFEST}
    assert len(contents) == 1  # every file from the same writer and round
    assert sorted(p.name for p in target.iterdir()) == sorted([MANIFEST, *(f"part-{i}.txt" for i in range(5))])
    assert [p.name for p in tmp_path.iterdir()] == ["same"]  # nothing left beside it


def test_concurrent_file_writers_leave_one_whole_file(tmp_path):
    from gradtrace.cli.files import write_file

    target = tmp_path / "page.html"
    datas = [bytes([65 + k]) * (1 << 16) for k in range(8)]
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for _round in range(25):
                write_file(str(target), datas[k])
        except BaseException as exc:
            errors.append(exc)

    _all_at_once(writer, 8)
    assert not errors
    assert target.read_bytes() in datas
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


@pytest.mark.slow
def test_concurrent_worksheet_processes(tmp_path):
    import subprocess
    import sys

    procs = [subprocess.Popen([sys.executable, "-m", "gradtrace", "quiz", "--worksheet", "1", "--seed", str(k),
                               "--out", "same"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for k in range(8)]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 or (proc.returncode == 1 and b"can't write" in err), err
        assert b"internal error" not in err and b"Traceback" not in err
    sheet = (tmp_path / "same" / "worksheet.md").read_text()
    seed = sheet.split("seed ", 1)[1].split(".", 1)[0]
    assert (tmp_path / "same" / "answers.md").read_text().count(f"seed {seed}.") == 1


# ---- the tokenizer's work is linear in the length of the text ----------------------------------
#
# Work is counted, not timed. Every regular expression the parser compiles is wrapped to count
# the characters its calls look at: a successful match costs its length plus one; a position where
# a search fails before finding its match (or the end) costs, at most, the rest of the window it
# could have scanned, which is what the engine spends on a pattern that reads a run of spaces and
# then fails, again at every position of the run. A failed anchored match costs one and is counted
# apart (the parser's anchored patterns are bounded by what they match).

class _Work:
    def __init__(self):
        self.regex = self.failed = 0


class _CountingPattern:
    def __init__(self, real, work: _Work):
        self._real, self._work = real, work

    def __getattr__(self, name):
        return getattr(self._real, name)

    def match(self, string, pos=0, endpos=None):
        m = self._real.match(string, pos, len(string) if endpos is None else endpos)
        if m is None:
            self._work.failed += 1
            self._work.regex += 1
        else:
            self._work.regex += m.end() - pos + 1
        return m

    def _scan(self, string, pos, endpos):
        end = min(len(string), endpos)
        at, empty = pos, False
        for m in self._real.finditer(string, pos, end):
            gap_from = at + 1 if empty else at  # after an empty match the next try is one further on
            self._work.regex += sum(end - p for p in range(gap_from, m.start())) + (m.end() - m.start() + 1)
            at, empty = m.end(), m.end() == m.start()
            yield m
        gap_from = at + 1 if empty else at
        self._work.regex += sum(end - p for p in range(gap_from, end + 1))  # tried to the end, and failed

    def finditer(self, string, pos=0, endpos=None):
        return self._scan(string, pos, len(string) if endpos is None else endpos)

    def findall(self, string, pos=0, endpos=None):
        assert not self._real.groups
        return [m.group(0) for m in self._scan(string, pos, len(string) if endpos is None else endpos)]

    def sub(self, repl, string, count=0):
        self._work.regex += len(string) + 1
        return self._real.sub(repl, string, count)


def _count_parse(source: str, monkeypatch) -> _Work:
    import re
    import types

    from gradtrace.core import syntax
    from gradtrace.core.errors import ParseError

    work = _Work()
    fake_re = types.SimpleNamespace(**{k: getattr(re, k) for k in dir(re) if not k.startswith("__")})
    fake_re.compile = lambda *a, **k: _CountingPattern(re.compile(*a, **k), work)
    cached = [f for f in vars(syntax).values() if callable(getattr(f, "cache_clear", None))]
    for f in cached:
        f.cache_clear()
    monkeypatch.setattr(syntax, "re", fake_re)
    try:
        try:
            syntax.parse_program(source, _NullBuilder())
        except ParseError:
            pass
    finally:
        monkeypatch.undo()
        for f in cached:
            f.cache_clear()
    return work


class _NullBuilder:
    def number(self, *a): return 0
    def name(self, *a): return 0
    def binary(self, *a): return 0
    def unary(self, *a): return 0
    def call(self, *a): return 0
    def index(self, *a): return 0
    def sequence(self, *a): return 0
    def nest(self, *a): return 0
    def statement(self, *a): return None
    def declare(self, *a): return None


RUNS = {
    "spaces": lambda n: "x" + " " * n + "+ y",
    "tabs, returns and form feeds": lambda n: "x" + " \t\r\f" * (n // 4) + "* y",
    "spaces at the end": lambda n: "x + y" + " " * n,
    "spaces before a bad character": lambda n: "x" + " " * n + "$",
    "blank lines": lambda n: "x\n" + "\n" * n + "y",
    "blank statements": lambda n: "x" + ";" * n + "y",
    "spaces and line breaks in parentheses": lambda n: "(x" + " \n" * (n // 2) + ")",
    "a comment of spaces": lambda n: "x\n#" + " " * n + "\ny",
    "a comment at the end": lambda n: "x + y # " + "ab " * (n // 3),
    "comment lines": lambda n: "x\n" + "# c \n" * (n // 5) + "y",
    "spaces after a comment": lambda n: "x #\n" + " " * n,
    "a long name": lambda n: "x" * n + " + y",
    "a long number": lambda n: "1" * n + "e+2 * y",
    "calls after a comment": lambda n: "# c\n" + "relu(x)\n" * (n // 8),
    "calls in a large program": lambda n: "relu(x)\n" * (n // 8),
    "closing two-argument calls": lambda n: "f = " + "max(a, " * (n // 7) + "x" + ")" * (n // 7),
    "statements with a run of spaces": lambda n: "h = x*y\n" * 600 + "g = x" + " " * n + "* y\n" + "h = x*y\n" * 600,
    "terms without spaces": lambda n: "f=" + "+".join("x*y" if i % 40 else "x*y*z" + "*x" * (i % 9)
                                                      for i in range(n // 4)),
}


@pytest.mark.parametrize("family", list(RUNS))
def test_the_tokenizers_work_is_linear_in_the_length(family, monkeypatch):
    counts = []
    for n in (20_000, 80_000):
        source = RUNS[family](n)
        work = _count_parse(source, monkeypatch)
        counts.append((len(source), work.regex, work.failed))
    (small, small_work, small_failed), (large, large_work, large_failed) = counts
    assert large_work <= 60 * large + 1000, counts  # a bounded amount of work per character
    assert large_work <= 1.3 * (large / small) * small_work, counts  # and it grows as the length does
    assert large_failed <= 1.3 * (large / small) * small_failed + 50, counts


# ---- a teacher's problems in every printed form ---------------------------------------------------

HOSTILE_PROGRAMS = [
    "q = x + y\n\nf = q * z",                          # a blank line
    "q = x + y\n\n\n\nf = q * z  # after blank lines",
    "x * y  # a DEL\x7f here",
    "x * y  # a NUL\x00 here",
    "x * y  # bell\x07 escape\x1b[31m red, carriage\rreturn",
    "x * y  # a `tick`, `` two ``` three",
    "x * y  # ` at the end `",
    "x * y  # LaTeX: \\end{document} $ & % # _ ^ ~ { } < > | -- \\\\",
    "x * y  # Markdown: | pipe | *star* _under_ [link](http://e.x) <b>html</b>",
    "x * y  # Greek ά ο ϝ ς Ω, é, 한글, 😀, zero\u200bwidth, bidi\u202eoverride",
    "x" + " + 1" * 200,  # a picture wider than a TeX dimension holds (so is a sum of 120 terms, slow to lay out)
]


def _problems_file(tmp_path, programs) -> str:
    import tomli_w

    from gradtrace.teach.quiz import read_problems

    problems = []
    for program in programs:
        names = [n for n in ("x", "y", "z") if n in program.split("#")[0]]
        problems.append({"expression": program, "bindings": {n: float(k + 2) for k, n in enumerate(names)}})
    path = tmp_path / "problems.toml"
    path.write_text(tomli_w.dumps({"problems": problems}), encoding="utf-8")
    read_problems(str(path), path.read_text(encoding="utf-8"))  # each is a problem gradtrace takes
    return str(path)


@pytest.mark.slow
def test_hostile_problems_make_a_pdf(tmp_path):
    import needs

    needs.program("pdflatex", "texlive-latex-base")
    path = _problems_file(tmp_path, HOSTILE_PROGRAMS)
    out = tmp_path / "sheet"
    result = run("quiz", "--worksheet", "--from", path, "--out", str(out), "--pdf")
    assert result.exit_code == 0, result.output
    for name in ("worksheet.pdf", "answers.pdf"):
        assert (out / name).read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("program", HOSTILE_PROGRAMS, ids=range(len(HOSTILE_PROGRAMS)))
def test_each_problem_is_one_code_span_or_block_in_markdown(tmp_path, program):
    from markdown_it import MarkdownIt

    from gradtrace.render import worksheet
    from gradtrace.teach.quiz import read_problems

    path = _problems_file(tmp_path, [program])
    problem, = read_problems(path, open(path, encoding="utf-8").read())
    text = worksheet.markdown([problem], "Problems.", True, pictures=False)
    assert all(ch.isprintable() or ch == "\n" for ch in text)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    shown = worksheet.statement(problem)
    codes = [t.content for t in tokens if t.type in ("code_block", "fence")]
    codes += [c.content for t in tokens if t.type == "inline" for c in t.children or [] if c.type == "code_inline"]
    from gradtrace.core.errors import printable

    want = printable(shown)
    assert want in codes or want + "\n" in codes, codes


def _all_at_once(writer, count: int) -> None:
    """writer(k) for k in range(count), each in a thread of its own, all started before any is awaited."""
    import threading

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
