"""Regenerate the screenshots in docs/images/ from the real tool: python tools/screenshots.py

- table.png, quiz.png, grade.png, json.png (and NAME.ko.png with --lang ko): gradtrace runs in a tmux
  terminal (100 columns, colour on, as on a user's terminal); `tmux capture-pane -e` keeps its
  colours as ANSI escapes, rich reads them (Text.from_ansi) and writes the screen as an SVG
  (Console.save_svg), and headless Chromium turns that into a PNG. The quiz is answered by typing
  into the terminal (tmux send-keys).
- page.png, worksheet.png (page.ko.png, worksheet.ko.png): headless Chromium opens the page
  gradtrace wrote (--html, the stepping page at a step of the backward pass; quiz --worksheet's
  worksheet.html).

Needs tmux and chromium (Debian: apt-get install tmux chromium) and gradtrace importable by this
Python. Run it from anywhere; it writes only docs/images/*.png. --only NAME makes one of them.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
COLUMNS, ROWS = 100, 40
HEADLINE = 'gradtrace "q = x + y; f = q * z" -x -2 -y 5 -z -4'


def need(program: str, package: str) -> str:
    path = shutil.which(program)
    if path is None:
        sys.exit(f"screenshots: {program} is not installed (Debian: apt-get install {package})")
    return path


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    return need("chromium", "chromium")


def shot(url: str, out: Path, width: int, height: int) -> None:
    """A PNG of the page at url, as headless Chromium draws it at this window size."""
    with tempfile.TemporaryDirectory(prefix="gradtrace-shot-") as profile:
        subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=3000",
                        f"--window-size={width},{height}", f"--screenshot={out}", url],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    print(f"screenshots: {out.relative_to(ROOT)}")


class Terminal:
    """A tmux session of its own (its own socket), COLUMNS × ROWS, running a shell in folder."""

    def __init__(self, folder: Path):
        need("tmux", "tmux")
        self.socket = str(folder / ".tmux")
        env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "TMUX")}
        # gradtrace and python in the terminal are this Python's, running this checkout's gradtrace.
        bin_dir = folder / ".bin"
        bin_dir.mkdir()
        for name, line in (("gradtrace", f'exec {shlex.quote(sys.executable)} -m gradtrace "$@"'),
                           ("python", f'exec {shlex.quote(sys.executable)} "$@"')):
            (bin_dir / name).write_text(f"#!/bin/sh\n{line}\n", encoding="utf-8")
            (bin_dir / name).chmod(0o755)
        env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", TERM="xterm-256color", COLORTERM="truecolor",
                   LANG="C.UTF-8", PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
           )
        self.env = env
        self.tmux("new-session", "-d", "-x", str(COLUMNS), "-y", str(ROWS), "-c", str(folder),
                  "bash --norc --noprofile")
        self.tmux("set-option", "-g", "status", "off")
        self.type("PS1='$ '; clear")
        self.wait_prompt()

    def wait_prompt(self, timeout: float = 60) -> None:
        """Wait until the shell's prompt is back: the screen's last line that is not blank is `$`."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            lines = [line for line in self.tmux("capture-pane", "-p").splitlines() if line.strip()]
            if lines and lines[-1].strip() == "$":
                return
            time.sleep(0.2)
        raise SystemExit(f"screenshots: the prompt never came back:\n{self.tmux('capture-pane', '-p')}")

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, *args], env=self.env, check=True, capture_output=True,
                              text=True, timeout=60)
        return done.stdout

    def type(self, line: str) -> None:
        self.tmux("send-keys", "-l", line)
        self.tmux("send-keys", "Enter")

    def wait_for(self, text: str, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.tmux("capture-pane", "-p"):
                return
            time.sleep(0.2)
        raise SystemExit(f"screenshots: the terminal never showed {text!r}:\n{self.tmux('capture-pane', '-p')}")

    def capture(self) -> str:
        """The screen with its colours, as ANSI escapes (capture-pane -e), trailing blank lines cut."""
        return self.tmux("capture-pane", "-p", "-e").rstrip("\n") + "\n"

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], env=self.env, check=False,
                       capture_output=True, timeout=30)


def terminal_png(ansi: str, out: Path, title: str) -> None:
    """The captured screen as a PNG: rich draws the ANSI text as an SVG, Chromium rasterizes it."""
    from rich.console import Console
    from rich.text import Text

    console = Console(record=True, width=COLUMNS, force_terminal=True, color_system="truecolor",
                      file=open(os.devnull, "w", encoding="utf-8"))
    console.print(Text.from_ansi(ansi), end="")
    with tempfile.TemporaryDirectory(prefix="gradtrace-svg-") as folder:
        svg = Path(folder) / "screen.svg"
        console.save_svg(str(svg), title=title)
        svg.write_text(_offline_and_wide(svg.read_text(encoding="utf-8")), encoding="utf-8")
        width, height = _svg_size(svg.read_text(encoding="utf-8"))
        page = Path(folder) / "screen.html"
        page.write_text(f'<!doctype html><html><body style="margin:0;background:#fff">'
                        f'<img src="screen.svg" width="{width}" height="{height}"></body></html>', encoding="utf-8")
        shot(page.as_uri(), out, width, height)


def _offline_and_wide(svg: str) -> str:
    """rich's SVG with two things changed: its web font's addresses left out (Chromium reads the
    local Fira Code or a local monospace font, and never the network), and each piece of text as
    wide as the terminal cells it takes. rich sets a text's length from its number of characters,
    which squeezes a double-width character such as Hangul into one cell."""
    import html
    import re

    from rich.cells import cell_len

    svg = re.sub(r',\s*url\("https://[^"]+"\) format\("[a-z0-9]+"\)', "", svg)
    widths = [float(w) / len(html.unescape(t)) for w, t in re.findall(r'textLength="([\d.]+)"[^>]*>([^<]+)</text>', svg)
              if html.unescape(t)]
    char_width = min(widths, default=0.0)

    def widen(m: re.Match[str]) -> str:
        text = html.unescape(m.group(3))
        return f'{m.group(1)}textLength="{char_width * cell_len(text):g}"{m.group(2)}>{m.group(3)}</text>'
    return re.sub(r'(<text [^>]*?)textLength="[\d.]+"([^>]*)>([^<]+)</text>', widen, svg)


def _svg_size(svg: str) -> tuple[int, int]:
    import re

    m = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    assert m, "rich's SVG has a viewBox"
    return int(float(m.group(1))) + 1, int(float(m.group(2))) + 1


def _command_shot(folder: Path, command: str, shot: str, lang: str, title: str, pipe: str = "") -> None:
    """One gradtrace command typed into the terminal (with --lang when not English, before any
    pipe), captured once its prompt is back."""
    term = Terminal(folder)
    try:
        term.type(command + ("" if lang == "en" else f" --lang {lang}") + pipe)
        term.wait_prompt()
        terminal_png(_without_last_prompt(term.capture()), IMAGES / _name(shot, lang), title)
    finally:
        term.close()


def table(folder: Path, lang: str = "en") -> None:
    _command_shot(folder, HEADLINE, "table", lang, "gradtrace")


def quiz(folder: Path, lang: str = "en") -> None:
    term = Terminal(folder)
    try:
        term.type("gradtrace quiz --seed 7" + ("" if lang == "en" else f" --lang {lang}"))
        term.wait_for("∂f/∂t2:")
        term.type("4")       # right
        term.wait_for("∂f/∂t1:")
        term.type("1")       # wrong: the lecture's hint for the mul gate
        term.wait_for("hint" if lang == "en" else "힌트")
        time.sleep(0.5)
        terminal_png(term.capture(), IMAGES / _name("quiz", lang), "gradtrace quiz")
        term.type("q")
    finally:
        term.close()


def _name(shot: str, lang: str) -> str:
    """table.png, and table.ko.png for Korean."""
    return f"{shot}.png" if lang == "en" else f"{shot}.{lang}.png"


def _without_last_prompt(screen: str) -> str:
    lines = screen.rstrip("\n").split("\n")
    if lines and lines[-1].strip() in ("$", "$ "):
        lines.pop()
    return "\n".join(lines) + "\n"


def _gradtrace(folder: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    subprocess.run([sys.executable, "-m", "gradtrace", *args], cwd=folder, env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=300)


def page(folder: Path, lang: str = "en") -> None:
    _gradtrace(folder, "--file", str(ROOT / "examples" / "sigmoid_neuron.gt"), "--w0", "2", "--x0", "-1",
               "--w1", "-3", "--x1", "-2", "--w2", "-3", "--decimals", "2", "--lang", lang, "--html", "neuron.html")
    shot((folder / "neuron.html").as_uri() + "#step=14", IMAGES / _name("page", lang), 1200, 900)


def worksheet(folder: Path, lang: str = "en") -> None:
    (folder / "examples").symlink_to(ROOT / "examples")  # the sheet names its problems file as given
    _gradtrace(folder, "quiz", "--worksheet", "--from", "examples/teacher/problems.gt", "--out", "sheet",
               "--lang", lang)
    shot((folder / "sheet" / "worksheet.html").as_uri(), IMAGES / _name("worksheet", lang), 900, 1100)


def grade(folder: Path, lang: str = "en") -> None:
    """grade's class report for twelve simulated students of the teacher example, in the terminal."""
    (folder / "examples").symlink_to(ROOT / "examples")
    _gradtrace(folder, "quiz", "--worksheet", "--from", "examples/teacher/problems.gt", "--out", "sheet")
    subprocess.run([sys.executable, str(ROOT / "examples" / "teacher" / "make_class.py"), "sheet/key-2.toml", "class"],
                   cwd=folder, check=True, stdout=subprocess.DEVNULL, timeout=120)
    for student in sorted((folder / "class").glob("*.toml"))[12:]:
        student.unlink()  # twelve students fit the picture; the rest, the broken file among them, go
    _command_shot(folder, "gradtrace grade class/*.toml --key sheet/key-2.toml --report", "grade", lang,
                  "gradtrace grade")


def json(folder: Path, lang: str = "en") -> None:
    """--json piped to head, as a script reads it: its keys are the same in every language."""
    _command_shot(folder, HEADLINE + " --json", "json", lang, "gradtrace --json", pipe=" | head -24")


SHOTS: dict[str, Callable[..., None]] = {"table": table, "quiz": quiz, "page": page, "worksheet": worksheet,
                                         "grade": grade, "json": json}
LANGS = ("en", "ko")  # each shot in English, then with --lang ko as NAME.ko.png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--only", choices=[_name(n, lang).removesuffix(".png") for n in SHOTS for lang in LANGS],
                        action="append", help="make only this one, e.g. quiz or quiz.ko (repeatable)")
    args = parser.parse_args(argv)
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name in SHOTS:
        for lang in LANGS:
            if args.only and _name(name, lang).removesuffix(".png") not in args.only:
                continue
            with tempfile.TemporaryDirectory(prefix=f"gradtrace-{name}-") as folder:
                SHOTS[name](Path(folder), lang)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
