"""Commands as a user types them: answer keys that `grade --key` reads back, and command names
that are mistyped."""

import json
import re
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

# ---- answer keys: written by a TOML writer, read back by `grade --key` -------------------------

# Programs a teacher writes: several lines, comments with quotes and backslashes, tabs, Unicode
# names (some TOML keys must quote), semicolons, a trailing newline, CRLF line ends.
PROGRAMS = [
    "q = x + y\nf = q * z",
    'a = x*2   # "double" it \\ here\nf = a + 1\t',
    "αβ = x*x\nw₁ = αβ + y\nf = w₁*y\n",
    "q = x + y; f = q*z  # one line\n\n",
    "h = x*y\r\nf = h + x\r\n",
    "é = x\nf = é*é",
    "q = x - y  # comment with ''' and \"\"\" in it\nf = exp(q)",
]
BINDINGS = {"x": -2, "y": 5, "z": -4}


def _bindings(program):
    """BINDINGS for the variables the program uses (outside its comments)."""
    code = " ".join(line.split("#", 1)[0] for line in program.splitlines())
    return {name: value for name, value in BINDINGS.items() if re.search(rf"\b{name}\b", code)}


def _worksheet(gt, tmp_path, problems, blank):
    spec = tmp_path / "problems.json"
    spec.write_text(json.dumps({"problems": problems}), encoding="utf-8")
    out = tmp_path / f"sheet-{blank.replace(',', '-')}"
    result = gt("quiz", "--worksheet", "--from", str(spec), "--blank", blank, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def _read_back_and_grade(gt, out, problems):
    """Every key the worksheet wrote: valid TOML holding the problem as given, and its own answers,
    handed in as a submission, graded all right by `grade --key`."""
    keys = sorted(out.glob("key-*.toml"), key=lambda p: int(p.stem.split("-")[1]))
    assert len(keys) == len(problems)
    for path, problem in zip(keys, problems):
        key = tomllib.loads(path.read_text(encoding="utf-8"))
        assert key["expression"] == problem["expression"]
        assert {k: float(v) for k, v in key["bindings"].items()} == {
            k: float(v) for k, v in problem["bindings"].items()}
        answers = key["answers"]
        assert answers and all(isinstance(v, str) for v in answers.values())
        itself = gt("grade", "--key", str(path), str(path))  # the key handed in as a submission
        assert itself.exit_code == 0 and "every answer right" in itself.stdout, (itself.stdout, itself.stderr)
        submission = path.parent / f"submission-{path.stem}.json"
        submission.write_text(json.dumps({"student": "Key", "answers": answers}), encoding="utf-8")
        graded = gt("grade", "--key", str(path), str(submission), "--format", "json")
        assert graded.exit_code == 0, (path.read_text(encoding="utf-8"), graded.stdout, graded.stderr)
        report = json.loads(graded.stdout)
        verdicts = [a["verdict"] if "verdict" in a else a.get("correct") for s in _students(report)
                    for a in s["answers"]]
        assert len(verdicts) == len(answers) and all(v in ("right", True) for v in verdicts), report


def _students(report):
    return report["students"] if isinstance(report, dict) and "students" in report else report


@pytest.mark.parametrize("blank", ["gradients", "values", "values,gradients"])
def test_every_answer_key_is_valid_toml_and_grades_its_own_answers_right(gt, tmp_path, blank):
    problems = [{"expression": program, "bindings": _bindings(program)} for program in PROGRAMS]
    _read_back_and_grade(gt, _worksheet(gt, tmp_path, problems, blank), problems)


_COMMENT_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x00"), max_size=30)
_NAME = st.sampled_from(["q", "h", "α", "w₁", "é", "node_2", "Θ"])


@pytest.mark.slow
@given(comment=_COMMENT_TEXT, name=_NAME, sep=st.sampled_from(["\n", "\r\n", "; ", "\n\n  "]),
       tail=st.sampled_from(["", "\n", "\t", "  # end"]))
def test_generated_multi_line_problems_give_keys_that_read_back(gt, tmp_path_factory, comment, name, sep, tail):
    """Any comment text, any statement separator, any target name: the key is TOML that reads
    back to the problem, and the key's answers pass against the key."""
    tmp_path = tmp_path_factory.mktemp("keys")
    program = f"{name} = x*y  # {comment}{sep}f = {name} + x{tail}"
    problems = [{"expression": program, "bindings": {"x": 3, "y": -0.5}}]
    _read_back_and_grade(gt, _worksheet(gt, tmp_path, problems, "values,gradients"), problems)


def test_key_toml_is_what_tomli_w_writes():
    """The writer is a TOML library, not string formatting: the key is exactly tomli_w's text of
    the key's data."""
    import tomli_w

    from gradtrace.render import worksheet
    from gradtrace.teach import quiz

    [problem] = quiz.read_problems("p.json", json.dumps({"problems": [
        {"expression": PROGRAMS[1], "bindings": {"x": 3}}]}))
    text = worksheet.key_toml(problem, frozenset({"values", "gradients"}))
    assert text == tomli_w.dumps(tomllib.loads(text))


# ---- mistyped commands: a lone unbound word close to a command's name ------------------------

def _commands():
    from gradtrace.cli import cli

    return sorted(cli.commands)


def _one_edit(word):
    """Every word one edit from word: a letter left out, added, changed, two neighbours swapped."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    edits = {word[:i] + word[i + 1:] for i in range(len(word))}
    edits |= {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in letters}
    edits |= {word[:i] + c + word[i + 1:] for i in range(len(word)) for c in letters}
    edits |= {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    return edits


def _case_changes(word):
    return {word.upper(), word.title(), word.swapcase(), word[:-1] + word[-1].upper(),
            "".join(c.upper() if i % 2 else c for i, c in enumerate(word))}


def _typos():
    commands = _commands()
    return sorted({(typo, command) for command in commands
                   for typo in _one_edit(command) | _case_changes(command) if typo and typo not in commands})


def test_every_one_edit_typo_and_case_change_of_a_command_is_refused_with_did_you_mean(gt):
    typos = _typos()
    assert len(typos) > 600  # the family, not a sample: ~250 one-edit words per command
    for typo, command in typos:
        result = gt(typo)
        assert result.exit_code == 2, (typo, result.stdout)
        assert f"No such command {typo!r}." in result.stderr, (typo, result.stderr)
        assert f"'{command}'" in result.stderr.split("No such command", 1)[1], (typo, result.stderr)
        assert result.stdout == "", typo


@pytest.mark.parametrize("word", ["help", "Help", "HELP", "hlep", "hepl", "elp"])
def test_help_as_a_word_says_did_you_mean_help(gt, word):
    result = gt(word)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"No such command {word!r}. Did you mean '--help'?" in result.stderr


def test_the_issues_examples(gt):
    for word, command in [("qiuz", "quiz"), ("grdae", "grade"), ("rtace", "trace"), ("Quiz", "quiz")]:
        result = gt(word)
        assert result.exit_code == 2
        assert f"Error: No such command {word!r}. Did you mean '{command}'?" in result.stderr


@pytest.mark.parametrize("args", [
    ["x", "-x", "2"], ["quiz", "-quiz", "2"], ["quiz", "--quiz", "2"], ["quiz", "quiz=2"], ["quiz", "--quiz=2"],
    ["grade", "-grade", "2"], ["trace", "-trace", "2"], ["qiuz", "-qiuz", "2"], ["help", "-help", "2"],
    ["Quiz", "-Quiz", "2"], ["--json", "quiz", "-quiz", "2"], ["-quiz", "2", "quiz"],
])
def test_a_bound_variable_named_like_a_command_is_traced(gt, args):
    result = gt(*args)
    assert result.exit_code == 0, (args, result.stderr)
    word = next(a for a in args if not a.startswith("-") and "=" not in a and a != "2")
    assert word in result.stdout and "2" in result.stdout


@pytest.mark.parametrize("args", [
    ["x"], ["qiuz*2"], ["qiuz + x"], ["trace", "qiuz"], ["trace", "quiz"], ["trace", "(x+y)*z", "-x", "1", "-y", "2",
                                                                           "-z", "3"],
    ["q", "-q", "1"], ["zzz"], ["quizzical_variable_name"],
])
def test_programs_and_explicit_traces_are_traced(gt, args):
    result = gt(*args)
    assert result.exit_code == 0, (args, result.stderr)


def test_a_typo_with_json_is_a_json_error(capsys):
    from gradtrace.cli import main

    assert main(["qiuz", "--json"]) == 2
    out, err = capsys.readouterr()
    error = json.loads(out)["error"]
    assert error["exit_code"] == 2 and "Did you mean 'quiz'?" in error["message"] and "Did you mean 'quiz'?" in err


def test_a_typo_with_a_commands_options_still_says_did_you_mean(gt):
    result = gt("qiuz", "--difficulty", "2")
    assert result.exit_code == 2 and "Did you mean 'quiz'?" in result.stderr


def test_the_real_commands_still_run(gt):
    assert gt("quiz", "--help").exit_code == 0 and "Practice backprop" in gt("quiz", "--help").stdout
    assert gt("grade", "--help").exit_code == 0
    assert gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4").exit_code == 0


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_help_lists_the_commands_in_a_commands_section(gt, lang):
    from gradtrace.cli import cli
    from gradtrace.i18n import _, language

    out = gt("--lang", lang, "--help").stdout
    with language(lang):
        heading = _("Commands") + ":"
        helps = {name: _(command.help).split(".")[0] for name, command in cli.commands.items()}
    lines = out.splitlines()
    assert heading in lines, out
    section = lines[lines.index(heading) + 1:]
    section = section[:next((i for i, line in enumerate(section) if not line.strip()), len(section))]
    listed = {line.split()[0]: " ".join(line.split()[1:]) for line in section if line.startswith("  ")
              and not line.startswith("   ")}
    assert sorted(listed) == _commands(), section
    for name, first_words in helps.items():
        assert " ".join(first_words.split()[:3]) in " ".join(" ".join(section).split()), (name, section)
