"""The command line's own inputs and outputs (issue: a class is untrusted input): every file a user
names on the command line is read through one function with a size cap while it is read, so an
endless device, a huge sparse file or a FIFO that nothing writes to ends with a clear message and
exit 2, while pipes and FIFOs that something does write to (process substitution) are read; a
symlink a user made to a file or a folder is written through, never replaced; and the options
that a command takes work before its name (gradtrace --lang ko quiz --help)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 3 << 30  # bytes of address space a run gets: reading /dev/zero whole would pass it


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def gradtrace(*args: str, cwd: Path, stdin=subprocess.DEVNULL, timeout: float = 60, shell: bool = False):
    """The installed program in a fresh process, with a bound on its memory (so reading something
    whole fails here as it would on a small machine) and on its time (a hang fails the test)."""
    env = {**os.environ, "GRADTRACE_DEBUG": "", "LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    if shell:  # process substitution needs bash: args[0] is the command line, gradtrace named $GT
        env["GT"] = f"{sys.executable} -m gradtrace"
        command = ["bash", "-c", args[0]]
    else:
        command = [sys.executable, "-m", "gradtrace", *args]
    done = subprocess.run(command, cwd=cwd, stdin=stdin, capture_output=True, env=env, timeout=timeout,
                          preexec_fn=_limit_memory)
    done.err = done.stderr.decode("utf-8", "replace")  # type: ignore[attr-defined]
    done.out = done.stdout.decode("utf-8", "replace")  # type: ignore[attr-defined]
    return done


def _clean(done) -> None:
    for bad in ("Traceback", "internal error", "out of memory"):
        assert bad not in done.err, done.err


# ---- what a user can name on the command line ------------------------------------------------------
#
# Each reader: (arguments with {} for the path, the suffix the path needs, good contents). The
# contents give a run that exits 0 (or 3, a wrong answer, for --answers).

READERS = {
    "--file": (["--file", "{}", "-x", "2", "-y", "3"], "", b"x*y\n", 0),
    "--vars": (["x*y", "--vars", "{}", "-y", "3"], ".json", b'{"x": 2}\n', 0),
    "--vars toml": (["x*y", "--vars", "{}", "-y", "3"], ".toml", b"x = 2\n", 0),
    "--answers": (["x*y", "-x", "2", "-y", "3", "--answers", "{}"], ".json", b'{"x": 3}\n', 0),
    "-W @.npy": (["sum(W*x)", "-W", "@{}", "-x", "2"], ".npy", None, 0),
    "-W @.csv": (["sum(W*x)", "-W", "@{}", "-x", "2"], ".csv", b"1,2\n", 0),
    "-W @.json": (["sum(W*x)", "-W", "@{}", "-x", "2"], ".json", b"[1, 2]\n", 0),
    "--upstream @.json": (["W*x", "-W", "[1, 2]", "-x", "2", "--upstream", "@{}"], ".json", b"[1, 0]\n", 0),
    "quiz --from": (["quiz", "--worksheet", "--from", "{}", "--out", "sheet"], ".txt", b"x*y   at x = 2, y = 3\n", 0),
}


def _npy() -> bytes:
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.array([1.0, 2.0]))
    return buffer.getvalue()


def _good(reader: str) -> bytes:
    data = READERS[reader][2]
    return _npy() if data is None else data


def _args(reader: str, path: str) -> list[str]:
    return [a.replace("{}", path) for a in READERS[reader][0]]


def _zero_link(folder: Path, suffix: str) -> str:
    link = folder / f"zero{suffix}"
    link.symlink_to("/dev/zero")
    return link.name


def _sparse(folder: Path, suffix: str) -> str:
    path = folder / f"big{suffix}"
    with open(path, "wb") as stream:
        stream.truncate(2 << 30)  # 2 GB that take no room on the disk
    return path.name


@pytest.mark.slow
@pytest.mark.parametrize("source", [_zero_link, _sparse], ids=["link to /dev/zero", "2 GB sparse file"])
@pytest.mark.parametrize("reader", sorted(READERS))
def test_an_endless_or_huge_input_is_refused_by_its_size(reader, source, tmp_path):
    done = gradtrace(*_args(reader, source(tmp_path, READERS[reader][1])), cwd=tmp_path)
    _clean(done)
    assert done.returncode == 2, done.err
    assert "too large to read" in done.err


def test_dev_zero_itself_is_refused_by_its_size(tmp_path):
    for args in (["x*y", "--vars", "/dev/zero"], ["x*y", "-x", "1", "-y", "1", "--answers", "/dev/zero"],
                 ["--file", "/dev/zero", "-x", "1"]):
        done = gradtrace(*args, cwd=tmp_path)
        _clean(done)
        assert done.returncode == 2 and "too large to read" in done.err, (args, done.err)


def test_standard_input_is_read_with_the_same_cap(tmp_path):
    for args in (["--file", "-", "-x", "1"], ["x", "--vars", "-"]):
        with open("/dev/zero", "rb") as zero:
            done = gradtrace(*args, cwd=tmp_path, stdin=zero)
        _clean(done)
        assert done.returncode == 2 and "too large to read" in done.err, (args, done.err)


@pytest.mark.slow
@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_fifo_nothing_writes_to_ends_with_a_message(reader, tmp_path):
    fifo = tmp_path / f"f{READERS[reader][1]}"
    os.mkfifo(fifo)
    done = gradtrace(*_args(reader, fifo.name), cwd=tmp_path, timeout=30)
    _clean(done)
    assert done.returncode == 2, done.err
    assert "FIFO" in done.err and "nothing" in done.err


def _writer(path: Path, data: bytes) -> threading.Thread:
    """A thread that opens the FIFO at path for writing (which waits for its reader) and writes data."""
    def write() -> None:
        with open(path, "wb") as stream:
            stream.write(data)
    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_fifo_something_writes_to_is_read(reader, tmp_path):
    fifo = tmp_path / f"f{READERS[reader][1]}"
    os.mkfifo(fifo)
    writer = _writer(fifo, _good(reader))
    done = gradtrace(*_args(reader, fifo.name), cwd=tmp_path)
    writer.join(5)
    _clean(done)
    assert done.returncode == READERS[reader][3], done.err


@pytest.mark.slow
@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_fifo_that_writes_without_end_is_cut_at_the_cap(reader, tmp_path):
    fifo = tmp_path / f"f{READERS[reader][1]}"
    os.mkfifo(fifo)
    source = tmp_path / "source.sh"  # the writer is its own process: killed with the test's folder
    source.write_text(f"exec cat /dev/zero > {fifo.name}\n")
    writer = subprocess.Popen(["sh", str(source)], cwd=tmp_path, stderr=subprocess.DEVNULL)
    try:
        done = gradtrace(*_args(reader, fifo.name), cwd=tmp_path)
    finally:
        writer.kill()
        writer.wait()
    _clean(done)
    assert done.returncode == 2 and "too large to read" in done.err, done.err


@pytest.mark.slow
@pytest.mark.parametrize("line, code, shown", [
    ('$GT --file <(echo "x*y") -x 2 -y 3 --json', 0, '"x": 3.0'),
    ("$GT x*y -y 3 --vars <(printf '{\"x\":1}\\n') --json", 0, '"x": 3.0'),
    ("$GT x*y -x 2 -y 3 --answers <(printf 'x = 3\\n')", 0, "✓"),
    ("$GT 'sum(W*x)' -W @<(printf '[1, 2]') -x 2 --json", 0, '"x": 3.0'),
    ("$GT 'sum(W*x)' -W @<(printf '1,2\\n') -x 2 --json", 0, '"x": 3.0'),
    ("$GT 'W*x' -W '[1, 2]' -x 2 --upstream @<(printf '[1, 0]') --json", 0, '"x": 1.0'),
    ("$GT x*y -y 3 --vars <(sleep 1; printf '{\"x\":1}\\n') --json", 0, '"x": 3.0'),  # a slow writer is waited for
    ('$GT --file <(cat /dev/zero) -x 1', 2, "too large to read"),
    ("$GT 'sum(W*x)' -W @<(cat /dev/zero) -x 2", 2, "too large to read"),
])
def test_process_substitution_is_read(line, code, shown, tmp_path):
    done = gradtrace(line, cwd=tmp_path, shell=True)
    _clean(done)
    assert done.returncode == code, done.err
    assert shown in (done.out if code == 0 else done.err), (done.out, done.err)


def test_a_npy_piped_in_is_read_by_its_contents(tmp_path):
    (tmp_path / "w.npy").write_bytes(_npy())
    done = gradtrace("$GT 'sum(W*x)' -W @<(cat w.npy) -x 2 --json", cwd=tmp_path, shell=True)
    _clean(done)
    assert done.returncode == 0 and '"x": 3.0' in done.out, done.err


@pytest.mark.parametrize("reader", [r for r in sorted(READERS) if r != "quiz --from"])
def test_a_folder_is_a_clear_message(reader, tmp_path):
    (tmp_path / f"d{READERS[reader][1]}").mkdir()
    done = gradtrace(*_args(reader, f"d{READERS[reader][1]}"), cwd=tmp_path)
    _clean(done)
    assert done.returncode == 2, done.err
    assert "folder" in done.err or "directory" in done.err


def test_an_empty_fifo_writer_reads_as_empty(tmp_path):
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    writer = _writer(fifo, b"")
    done = gradtrace("x*y", "-y", "3", "--vars", "p.json", cwd=tmp_path)
    writer.join(5)
    _clean(done)
    assert done.returncode == 2, done.err


# ---- the one reading function --------------------------------------------------------------------

@given(size=st.integers(0, 3000), limit=st.integers(1, 2000), chunk=st.integers(1, 700))
def test_read_input_returns_exactly_the_bytes_up_to_its_limit(size, limit, chunk, tmp_path_factory):
    """Regular files and pipes alike: every byte when there are at most limit, else a refusal."""
    from gradtrace.core.errors import GradtraceError
    from gradtrace.core.reading import read_input

    data = bytes(range(256)) * (size // 256 + 1)
    data = data[:size]
    folder = tmp_path_factory.mktemp("r")
    path = folder / "f.bin"
    path.write_bytes(data)
    fifo = folder / "p.bin"
    os.mkfifo(fifo)

    def write() -> None:
        try:
            with open(fifo, "wb") as stream:
                for k in range(0, size, chunk):  # in pieces, as a slow writer would
                    stream.write(data[k:k + chunk])
                    stream.flush()
        except BrokenPipeError:  # the reader stopped at its limit
            pass
    for source in (path, fifo):
        writer = threading.Thread(target=write, daemon=True) if source == fifo else None
        if writer is not None:
            writer.start()
        try:
            got = read_input(str(source), limit)
        except GradtraceError as err:
            assert size > limit and "too large to read" in str(err)
        else:
            assert size <= limit and got == data
        if writer is not None:
            writer.join(5)
            assert not writer.is_alive()


def test_an_array_file_is_opened_once(tmp_path, monkeypatch):
    """Checked and read as one: no second open by name that a swap between the two could redirect."""
    import builtins

    import numpy as np

    import gradtrace
    from gradtrace.core.bindings import load_array

    for name, data in (("w.npy", _npy()), ("w.csv", b"1,2\n"), ("w.json", b"[1, 2]")):
        (tmp_path / name).write_bytes(data)
    (tmp_path / "dw.npy").write_bytes(_npy())
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, *args, **kwargs):
        opened.append(os.fspath(file) if not isinstance(file, int) else "")
        return real_open(file, *args, **kwargs)

    def spy_os_open(path, *args, **kwargs):
        opened.append(os.fspath(path))
        return real_os_open(path, *args, **kwargs)
    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    for name in ("w.npy", "w.csv", "w.json"):
        opened.clear()
        assert np.array_equal(load_array("W", str(tmp_path / name)), [1.0, 2.0])
        assert [p for p in opened if p.endswith(name)] == [str(tmp_path / name)], opened
    opened.clear()
    monkeypatch.chdir(tmp_path)
    trace = gradtrace.trace("sum(W*x)", W=np.array([3.0, 4.0]), x=np.array([5.0, 6.0]), expect={"x": "@dw.npy"})
    assert [p for p in opened if p.endswith("dw.npy")] == ["dw.npy"], opened
    assert not trace.answers[0].correct  # [3, 4] is ∂/∂x, not [1, 2]


# ---- a user's symlinks are written through -----------------------------------------------------

def _quiz(out: Path, *extra: str):
    from click.testing import CliRunner

    from gradtrace.cli import cli

    return CliRunner().invoke(cli, ["quiz", "--worksheet", "1", "--seed", "1", "--out", str(out), *extra])


def test_a_link_to_a_folder_is_written_through(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    for _run in range(2):  # into the empty folder, then over the sheet it holds
        result = _quiz(link)
        assert result.exit_code == 0, result.output
        assert link.is_symlink() and os.readlink(link) == str(real)
        assert (real / "worksheet.md").is_file() and (real / ".gradtrace-files").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name not in ("real", "link")]  # no leftovers beside it


def test_a_link_to_a_folder_of_someone_elses_files_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "thesis.tex").write_text("irreplaceable\n")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    result = _quiz(link)
    assert result.exit_code == 1 and "thesis.tex" in result.output
    assert link.is_symlink() and sorted(p.name for p in real.iterdir()) == ["thesis.tex"]
    result = _quiz(link, "--replace")  # asked for: the folder it points to is replaced, the link stays
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and (real / "worksheet.md").is_file() and not (real / "thesis.tex").exists()


def test_a_link_through_links_to_a_folder_is_written_through(tmp_path):
    real = tmp_path / "deep" / "real"
    real.mkdir(parents=True)
    (tmp_path / "hop").symlink_to(real)
    (tmp_path / "link").symlink_to("hop")
    assert _quiz(tmp_path / "link").exit_code == 0
    assert (tmp_path / "link").is_symlink() and (tmp_path / "hop").is_symlink()
    assert (real / "worksheet.md").is_file()


def test_a_dangling_link_makes_the_folder_it_points_to(tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "later" / "sheet")
    assert _quiz(link).exit_code == 0
    assert link.is_symlink() and (tmp_path / "later" / "sheet" / "worksheet.md").is_file()


def test_a_link_to_a_file_is_not_a_folder_to_replace(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("mine\n")
    link = tmp_path / "link"
    link.symlink_to(mine)
    result = _quiz(link)
    assert result.exit_code == 1 and "in the way" in result.output
    assert link.is_symlink() and mine.read_text() == "mine\n"


def test_a_link_loop_is_refused_and_kept(tmp_path):
    from gradtrace.cli.files import write_file, write_folder
    from gradtrace.core.errors import OutputError

    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(OutputError, match="symbolic links"):
        write_file(str(tmp_path / "a"), b"page")
    with pytest.raises(OutputError, match="symbolic links"):
        write_folder(str(tmp_path / "a"), {"x.md": b"x"})
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()


@pytest.mark.parametrize("hops", [1, 2])
def test_a_link_to_a_file_is_written_through(hops, tmp_path):
    from gradtrace.cli.files import write_file

    real = tmp_path / "site" / "page.html"
    real.parent.mkdir()
    real.write_text("old\n")
    os.chmod(real, 0o640)
    target = real
    for k in range(hops):
        link = tmp_path / f"link{k}.html"
        link.symlink_to(target)
        target = link
    write_file(str(target), b"new\n")
    assert real.read_bytes() == b"new\n" and (real.stat().st_mode & 0o777) == 0o640
    assert all((tmp_path / f"link{k}.html").is_symlink() for k in range(hops))
    assert sorted(p.name for p in real.parent.iterdir()) == ["page.html"]  # no .part left
    write_file(str(target), b"newer\n")
    assert real.read_bytes() == b"newer\n"


def test_a_dangling_link_to_a_file_makes_the_file(tmp_path):
    from gradtrace.cli.files import write_file

    link = tmp_path / "out.svg"
    link.symlink_to(tmp_path / "pictures" / "c.svg")
    (tmp_path / "pictures").mkdir()
    write_file(str(link), b"<svg/>")
    assert link.is_symlink() and (tmp_path / "pictures" / "c.svg").read_bytes() == b"<svg/>"


def test_the_page_is_written_through_a_link(tmp_path):
    import needs

    needs.program("dot", "graphviz")
    from click.testing import CliRunner

    from gradtrace.cli import cli

    real = tmp_path / "site" / "page.html"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "page.html"
    link.symlink_to(real)
    for option, name in (("--html", "page.html"), ("--render", "c.svg")):
        if name != "page.html":
            (tmp_path / "site" / name).write_text("old\n")
            (tmp_path / name).symlink_to(tmp_path / "site" / name)
        result = CliRunner().invoke(cli, ["x*y", "-x", "2", "-y", "3", option, str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).is_symlink() and (tmp_path / "site" / name).read_text().startswith("<")


# ---- options before a command's name ------------------------------------------------------------

PREFIXES = [["--lang", "ko"], ["--lang=ko"], ["--color", "never"], ["--color=never", "--lang", "en"],
            ["--lang", "ko", "--color", "always"], ["--precision", "3"]]


def _main(args: list[str], capsys) -> tuple[int, str, str]:
    from gradtrace.cli import main

    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("prefix", PREFIXES, ids=" ".join)
@pytest.mark.parametrize("command", ["quiz", "grade"])
def test_a_commands_options_work_before_its_name(command, prefix, capsys):
    code, out, err = _main([*prefix, command, "--help"], capsys)
    after, help_text, _err = _main([command, *prefix, "--help"], capsys)  # the same options after its name
    assert code == 0 and after == 0, err
    assert f"gradtrace {command}" in out.splitlines()[0]  # the command's own usage, not tracing's
    assert out == help_text


@pytest.mark.slow
@pytest.mark.parametrize("prefix", PREFIXES, ids=" ".join)
def test_a_worksheet_is_made_with_options_before_quiz(prefix, tmp_path, capsys):
    out = tmp_path / "sheet"
    code, _out, err = _main([*prefix, "quiz", "--worksheet", "--seed", "2", "--out", str(out)], capsys)
    assert code == 0, err
    assert (out / "worksheet.md").is_file()


@pytest.mark.parametrize("prefix", PREFIXES, ids=" ".join)
def test_a_class_is_graded_with_options_before_grade(prefix, tmp_path, capsys):
    for name, answer in (("a.toml", 3), ("b.toml", 4)):
        (tmp_path / name).write_text(f'expression = "x*y"\nbindings = {{ x = 2, y = 3 }}\n[answers]\nx = {answer}\n')
    code, out, err = _main([*prefix, "grade", str(tmp_path / "a.toml"), str(tmp_path / "b.toml"), "--format", "csv"],
                           capsys)
    assert code in (0, 3), err
    assert "a.toml" in out and "b.toml" in out


def test_a_program_named_like_a_command_is_still_traced(capsys):
    code, out, err = _main(["--lang", "en", "quiz", "-quiz", "2", "--json"], capsys)
    assert code == 0 and '"quiz": 1.0' in out, err
    code, out, err = _main(["--color", "never", "x*grade", "-x", "2", "-grade", "3", "--json"], capsys)
    assert code == 0, err


def test_an_option_the_command_lacks_is_its_usage_error(capsys):
    code, _out, err = _main(["--json", "quiz", "--seed", "1"], capsys)
    assert code == 2 and "--json" in err
