"""--help in sections, by the same names in every command (input, output formats, checking,
pictures, language, ...), and the man page's OPTIONS in the same sections."""

import re

import click
import pytest

from gradtrace.cli import cli

SECTIONS = {
    "trace": ["Input", "Output formats", "Pictures", "Checking", "Modes", "Language", "Help"],
    "quiz": ["Problems", "Worksheets", "Output formats", "Language", "Help"],
    "grade": ["Input", "Checking", "Output formats", "Language", "Help"],
    "autograder": ["Files", "Checking", "Language", "Help"],
    "lms": ["Problems", "Checking", "Files", "Language", "Help"],
}
KOREAN = {"Input": "입력", "Output formats": "출력 형식", "Checking": "검사", "Pictures": "그림", "Modes": "모드",
          "Problems": "문제", "Worksheets": "연습 문제지", "Files": "파일", "Language": "언어", "Help": "도움말"}


def _help(gt, command: str, *more: str) -> str:
    args = [*more, "--help"] if command == "trace" else [command, *more, "--help"]  # --lang first: both are eager
    done = gt(*args)
    assert done.exit_code == 0, done.output
    return done.stdout


def _headings(text: str) -> list[str]:
    return re.findall(r"^(\S[^:\n]*):$", text, re.M)


@pytest.mark.parametrize("command", SECTIONS)
def test_help_is_in_sections(gt, command):
    headings = _headings(_help(gt, command))
    assert [h for h in headings if h not in ("Usage", "Commands")] == SECTIONS[command]


@pytest.mark.parametrize("command", SECTIONS)
def test_every_option_is_in_its_own_section(command):
    """Each name a command's sections list is one of its options, once; every option but click's
    --help (shown under Help) is listed, so none lands in a section by accident."""
    cmd = cli.commands[command]
    options = {p.name for p in cmd.params if isinstance(p, click.Option)}
    listed = [name for _title, names in cmd.sections for name in names]
    assert len(listed) == len(set(listed)), listed
    assert set(listed) - {"help"} == options - {"help"}, set(listed) ^ options


@pytest.mark.parametrize("command", SECTIONS)
def test_the_sections_share_one_column(gt, command):
    """One column for every section's descriptions, as one list would have."""
    starts = set()
    for line in _help(gt, command).splitlines():
        match = re.match(r"^  (--\S+(?: \S+)?)( {2,})\S", line)
        if match:
            starts.add(len(match.group(1)) + len(match.group(2)))
    assert len(starts) == 1, starts


@pytest.mark.parametrize("command", SECTIONS)
def test_the_headings_are_translated(gt, command):
    headings = _headings(_help(gt, command, "--lang", "ko"))
    assert [KOREAN[h] for h in SECTIONS[command]] == [h for h in headings if h in KOREAN.values()]


def test_every_command_has_sections():
    assert sorted(SECTIONS) == sorted(name for name, command in cli.commands.items() if not command.hidden)


def test_seed_means_one_thing_in_the_commands_that_draw_problems():
    """quiz, lms: --seed is the random seed the problems are drawn from, said the same way.
    (trace's --seed is the random seed of its own draws: tests/test_seed_means_one_thing.py.)"""
    seeds = {name: [p for p in command.params if p.name == "seed"] for name, command in cli.commands.items()}
    drawing = {name: found[0] for name, found in seeds.items() if found and name != "trace"}
    assert sorted(drawing) == ["lms", "quiz"]
    for name, seed in drawing.items():
        assert seed.type == click.INT, name
        assert seed.help.startswith("The random seed the problems "), (name, seed.help)
        assert "same seed" in seed.help and "again" in seed.help, (name, seed.help)


def test_the_man_page_has_the_same_sections():
    from gradtrace.cli.manpage import manpage

    page = manpage(cli, "9.9")
    options = page[page.index(".SH OPTIONS"):page.index(".SH COMMANDS")]
    assert re.findall(r"^\.SS (.*)$", options, re.M) == SECTIONS["trace"]
