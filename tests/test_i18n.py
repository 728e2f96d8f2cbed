"""Languages: the catalogs are complete and current, translations keep their placeholders, the
language comes from --lang or the locale, and it never changes JSON keys or exit codes.

The catalogs are kept by Babel's own workflow: the code marks messages, `pybabel extract` writes
the template, `pybabel update` merges it into each language's .po (the source a translator edits)
and `pybabel compile` writes the .mo that gradtrace reads and ships. The tests here run those
commands, as CONTRIBUTING.md gives them, and print them when a catalog is out of date."""

import copy
import functools
import gettext
import io
import json
import re
import shlex
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradtrace import i18n

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "gradtrace" / "locale"
GOLDEN = Path(__file__).resolve().parent / "golden"

EXTRACT = ("pybabel extract -F babel.cfg -k N_ --no-location --sort-output --project gradtrace "
           "-o gradtrace/locale/gradtrace.pot .")
UPDATE = ("pybabel update -i gradtrace/locale/gradtrace.pot -d gradtrace/locale -D gradtrace "
          "--ignore-obsolete --previous")
COMPILE = "pybabel compile -d gradtrace/locale -D gradtrace"
WORKFLOW = f"""To bring the catalogs up to date, from the top of the checkout:
    {EXTRACT}
    {UPDATE}
then in gradtrace/locale/<lang>/LC_MESSAGES/gradtrace.po translate every empty msgstr, and check every
'#, fuzzy' entry against its msgid (the '#|' line shows the msgid it was translated from) and delete
its fuzzy flag; then
    {COMPILE}
(CONTRIBUTING.md, "Translations", says more.)"""
LANGUAGES = sorted(path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/gradtrace.po"))


def _catalog(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as stream:
        return read_po(stream, abort_invalid=True)  # a malformed entry is an error, not a warning


def _babel(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run one of the pybabel commands above as pybabel would (python -m: the venv's own Babel)."""
    return subprocess.run([sys.executable, "-m", "babel.messages.frontend", *shlex.split(command)[1:]],
                          capture_output=True, text=True, cwd=cwd)


def _fields(text: str) -> set[str]:
    """The {placeholders} of a str.format text, each as written: name, conversion and format spec."""
    return {"{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            for _, name, spec, conversion in string.Formatter().parse(text) if name is not None}


def _forms(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


def catalog_problems(template, catalog, language: str) -> list[str]:
    """What keeps a language's catalog from being the template, fully translated: one line each."""
    from babel.messages import checkers

    problems = []
    if str(catalog.locale) != language:
        problems.append(f"the header says Language: {catalog.locale}, the folder is {language}")
    if catalog.fuzzy:
        problems.append("the header is marked fuzzy: delete the '#, fuzzy' line above its msgid \"\"")
    wanted = {(m.id, m.context) for m in template if m.id}
    messages = {(m.id, m.context): m for m in catalog if m.id}
    problems += [f"untranslated (not in the .po): {key[0]!r}" for key in sorted(wanted - messages.keys(), key=repr)]
    problems += [f"stale (the template, so the code, no longer has it; delete it): {key[0]!r}"
                 for key in sorted(messages.keys() - wanted, key=repr)]
    problems += [f"obsolete '#~' entry (delete it): {message_id!r}" for message_id in catalog.obsolete]
    for key in sorted(messages.keys() & wanted, key=repr):
        message = messages[key]
        try:
            checkers.num_plurals(catalog, message)  # Babel's own check of the plural forms
        except checkers.TranslationError as error:
            problems.append(f"plural forms of {message.id!r}: {error}")
        if not all(_forms(message)):
            problems.append(f"untranslated: {message.id!r}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy (check the translation, then delete its fuzzy flag): {message.id!r}")
        # gradtrace formats every message with str.format, so a translation keeps the {placeholders}
        # of its msgid (of both English forms for a plural; a form may drop what only one of them has).
        # Babel checks only %-placeholders, and reads the "% o" of "1% or" as one (babel#1268).
        given = [_fields(text) for text in (message.id if isinstance(message.id, tuple) else (message.id,))]
        least, most = set.intersection(*given), set.union(*given)
        for text in _forms(message):
            try:
                found = _fields(text)
            except ValueError as error:
                problems.append(f"the translation of {message.id!r} is no format string ({error}): {text!r}")
                continue
            if not least <= found <= most:
                problems.append(f"placeholders: {message.id!r} has {' '.join(sorted(most))}, its translation "
                                f"{text!r} has {' '.join(sorted(found)) or 'none'}")
    return problems


def po_problems(template, data: bytes, language: str) -> list[str]:
    """catalog_problems of a .po file's bytes, read as strictly as the test reads the real one."""
    from babel.messages.pofile import PoFileError, read_po

    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except PoFileError as error:
        return [f"the .po cannot be read, at line {error.lineno}: {error}"]
    return catalog_problems(template, catalog, language)


def test_the_template_is_what_the_code_marks(tmp_path):
    """gradtrace/locale/gradtrace.pot holds exactly the messages the code marks with _, N_ and
    ngettext: the documented extract, run into a temporary file, finds the same messages (the header,
    with its date and Babel's version, is not compared)."""
    fresh = tmp_path / "fresh.pot"
    command = EXTRACT.replace("-o gradtrace/locale/gradtrace.pot", f"-o {shlex.quote(str(fresh))}")
    result = _babel(command, ROOT)
    assert result.returncode == 0, result.stderr
    new = {(m.id, m.context) for m in _catalog(fresh) if m.id}
    old = {(m.id, m.context) for m in _catalog(LOCALE / "gradtrace.pot") if m.id}
    drift = [f"the code has {key[0]!r}, the template does not" for key in sorted(new - old, key=repr)]
    drift += [f"the template has {key[0]!r}, the code does not" for key in sorted(old - new, key=repr)]
    assert not drift, "gradtrace/locale/gradtrace.pot is out of date:\n" + "\n".join(drift[:20]) + "\n" + WORKFLOW


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders_and_plural_forms(language):
    """Every msgid of the template has a translation in the language's .po: none missing, fuzzy,
    obsolete or stale, each with its msgid's {placeholders}, plurals with all their forms."""
    po = LOCALE / language / "LC_MESSAGES" / "gradtrace.po"
    problems = po_problems(_catalog(LOCALE / "gradtrace.pot"), po.read_bytes(), language)
    assert not problems, f"{len(problems)} problems in {po.relative_to(ROOT)}:\n" + "\n".join(problems[:20]) + \
        "\n" + WORKFLOW


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shipped_mo_is_the_po_compiled(language):
    from babel.messages.mofile import write_mo

    folder = LOCALE / language / "LC_MESSAGES"
    assert (folder / "gradtrace.mo").exists(), f"no {folder.relative_to(ROOT)}/gradtrace.mo: run {COMPILE}"
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(folder / "gradtrace.po"))
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with (folder / "gradtrace.mo").open("rb") as stream:
        shipped = gettext.GNUTranslations(stream)
    # The messages, not the header: the header names the Babel version that wrote the catalog, and a
    # test must not depend on a tool's version. What the header means for reading (the charset and
    # the plural rule) is compared as gettext parsed it.
    messages = {key: text for key, text in fresh._catalog.items() if key != ""}  # type: ignore[attr-defined]
    shipped_messages = {key: text for key, text in shipped._catalog.items() if key != ""}  # type: ignore[attr-defined]
    differ = sorted({key if isinstance(key, str) else key[0] for key in messages.keys() ^ shipped_messages.keys()}
                    | {key if isinstance(key, str) else key[0] for key in messages.keys() & shipped_messages.keys()
                       if messages[key] != shipped_messages[key]})
    assert not differ, f"the shipped .mo is not the .po compiled ({len(differ)} messages differ, such as " \
        f"{differ[:3]}): run {COMPILE}"
    assert fresh._charset == shipped._charset, f"run {COMPILE}"  # type: ignore[attr-defined]
    assert [fresh.plural(n) for n in range(200)] == [shipped.plural(n) for n in range(200)], f"run {COMPILE}"


def test_the_documented_commands_leave_current_catalogs_as_they_are(tmp_path):
    """UPDATE and COMPILE, run as written on a copy of gradtrace/locale, change no message: each .po
    is already what Babel's update makes of it, and each .mo what its compile writes."""
    from babel.messages.pofile import read_po

    shutil.copytree(LOCALE, tmp_path / "gradtrace" / "locale")
    result = _babel(UPDATE, tmp_path)
    assert result.returncode == 0, result.stderr
    for language in LANGUAGES:
        po = Path("gradtrace", "locale", language, "LC_MESSAGES", "gradtrace.po")
        before, after = _catalog(ROOT / po), _catalog(tmp_path / po)
        assert {(m.id, m.context): (m.string, m.flags) for m in after if m.id} == \
            {(m.id, m.context): (m.string, m.flags) for m in before if m.id}
    result = _babel(COMPILE, tmp_path)
    # Babel's compile checks %-placeholders too, and reads the "% o" of "1% or" as one (babel#1268):
    # it names those messages, exits 1 and writes the .mo all the same. Any other complaint counts.
    for line in result.stderr.splitlines():
        if line.startswith("error:"):
            where = re.match(r"error: (.+?):(\d+): placeholders are incompatible$", line)
            assert where, line
            catalog = read_po((tmp_path / where.group(1)).open("rb"))
            flagged = [m for m in catalog if m.lineno == int(where.group(2))]
            assert flagged and "python-format" in flagged[0].flags, line
    assert result.returncode in (0, 1), result.stderr
    for language in LANGUAGES:
        mo = Path("gradtrace", "locale", language, "LC_MESSAGES", "gradtrace.mo")
        with (ROOT / mo).open("rb") as shipped, (tmp_path / mo).open("rb") as compiled:
            fresh, kept = (gettext.GNUTranslations(stream)._catalog for stream in (compiled, shipped))  # type: ignore[attr-defined]
        assert {k: v for k, v in fresh.items() if k} == {k: v for k, v in kept.items() if k}  # not the header


def test_contributing_gives_the_commands_the_tests_run():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert [command for command in (EXTRACT, UPDATE, COMPILE) if command not in text] == []


# The checks above can fail: each way a translator's or a coder's edit leaves a catalog behind,
# made on any message of the real catalog, is found and named.

@functools.cache
def _korean() -> tuple:
    """The template, the Korean catalog and its message ids: the sample every edit is made on."""
    korean = _catalog(LOCALE / "ko" / "LC_MESSAGES" / "gradtrace.po")
    return _catalog(LOCALE / "gradtrace.pot"), korean, sorted((m.id for m in korean if m.id), key=repr)


def _lose(text: str, field: str) -> str:
    """text without {field}, however many times it is written."""
    while field in _fields(text):
        text = _respell(text, field, "")
    return text


def _respell(text: str, field: str, into: str) -> str:
    """text with its first {field} written as into (braces kept escaped in the literal parts)."""
    out, done = [], False
    for literal, name, spec, conversion in string.Formatter().parse(text):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            out.append(into if written == field and not done else written)
            done = done or written == field
    return "".join(out)


EXTRA = "an entry to be given an extra plural form"


def _with_extra_form(data: bytes, forms: tuple[str, ...]) -> bytes:
    """The .po with the EXTRA entry's msgstr[k] lines replaced by its forms and one more, as a hand
    edit would leave it: Babel's writer only ever writes as many forms as the language has."""
    from babel.messages.pofile import normalize

    lines = "".join(f"msgstr[{k}] {normalize(text, width=0)}\n" for k, text in enumerate((*forms, forms[0])))
    text, count = re.subn(rf'(?:msgstr\[\d+\] "{EXTRA}"\n)+', lambda _match: lines, data.decode())
    assert count == 1
    return text.encode()


def _write(catalog) -> bytes:
    from babel.messages.pofile import write_po

    stream = io.BytesIO()
    write_po(stream, catalog, include_previous=True)
    return stream.getvalue()


@pytest.mark.slow
@pytest.mark.skipif("ko" not in LANGUAGES, reason="the Korean catalog is the sample")
@given(pick=st.integers(min_value=0),
       edit=st.sampled_from(["drop", "blank", "fuzzy", "obsolete", "stale", "lose a placeholder",
                             "add a placeholder", "respell a placeholder", "extra plural form"]))
def test_every_way_a_catalog_falls_behind_is_found(pick, edit):
    template, korean, ids = _korean()
    message_id = ids[pick % len(ids)]
    catalog = copy.deepcopy(korean)
    message = catalog.get(message_id)
    forms = _forms(message)
    plural = isinstance(message_id, tuple)
    ids = message_id if plural else (message_id,)
    keep = set.intersection(*(_fields(text) for text in ids))
    if edit == "drop":
        catalog.delete(message_id)
    elif edit == "blank":
        message.string = ("",) * len(forms) if plural else ""
    elif edit == "fuzzy":
        message.flags.add("fuzzy")
    elif edit == "obsolete":
        catalog.delete(message_id)
        catalog.obsolete[message_id] = message
    elif edit == "stale":
        message_id = tuple(text + " (an old wording)" for text in ids) if plural else message_id + " (an old wording)"
        catalog.add(message_id, message.string)
    elif edit == "lose a placeholder" and keep:  # every time it is written: {dtype} may come five times
        message.string = tuple(_lose(text, min(keep)) for text in forms) if plural else _lose(forms[0], min(keep))
    elif edit == "respell a placeholder" and keep:
        field = min(keep)
        other = field[:-1] + "!r}" if "!" not in field and ":" not in field else field.split("!")[0].split(":")[0] + "}"
        message.string = tuple(_respell(text, field, other) for text in forms) if plural else \
            _respell(forms[0], field, other)
    elif edit == "extra plural form" and plural:
        message.string = (EXTRA,) * len(forms)  # written as more forms than the language has, below
    else:  # add a placeholder, and the edits above where the message has no placeholder or plural
        message.string = tuple(text + " {surplus}" for text in forms) if plural else forms[0] + " {surplus}"
    data = _write(catalog)
    if edit == "extra plural form" and plural:
        data = _with_extra_form(data, forms)
    problems = po_problems(template, data, "ko")
    if edit == "extra plural form" and plural:  # Babel refuses to read it, at the entry's line
        assert len(problems) == 1 and "more translations than num_plurals" in problems[0], problems
    else:
        assert any(repr(message_id)[1:-1] in line for line in problems), (edit, problems)


@pytest.mark.slow
@pytest.mark.skipif("ko" not in LANGUAGES, reason="the Korean catalog is the sample")
@given(pick=st.integers(min_value=0), edit=st.sampled_from(["append", "cut", "rename"]))
def test_a_message_changed_in_the_code_fails_until_its_translation_is_checked(pick, edit):
    """A coder rewords a message; the documented update merges the template into the .po: the test
    then names the message (new and untranslated, or matched to the old one and marked fuzzy)."""
    template, korean, ids = _korean()
    message_id = ids[pick % len(ids)]
    template, catalog = copy.deepcopy(template), copy.deepcopy(korean)
    old = template.get(message_id)
    plural = isinstance(message_id, tuple)
    first = message_id[0] if plural else message_id
    if edit == "append":
        changed = first + " now"
    elif edit == "cut":
        head = first[: max(1, len(first) // 2)]
        if head.rfind("{") > head.rfind("}"):  # a coder cuts words, not a {placeholder} in two
            head = head[: head.rfind("{")] or "cut"
        changed = head + "!"
    else:
        changed = re.sub(r"\{(\w+)", r"{\1_new", first) if "{" in first else "new: " + first
    new_id = (changed, message_id[1]) if plural else changed
    template.delete(message_id)
    template.add(new_id, flags=old.flags - {"python-format", "python-brace-format"})
    catalog.update(template)  # what pybabel update does with the merged template
    problems = po_problems(template, _write(catalog), "ko")
    assert any(repr(changed)[1:-1] in line for line in problems), problems


@pytest.mark.parametrize("environ, language", [
    ({"LANG": "ko_KR.UTF-8"}, "ko"), ({"LANG": "ko"}, "ko"), ({"LC_ALL": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, "ko"),
    ({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, "en"), ({"LC_MESSAGES": "ko_KR.UTF-8", "LANG": "C"}, "ko"),
    ({"LANG": "de_DE.UTF-8"}, "en"), ({}, "en"), ({"LANG": "C.UTF-8"}, "en"),
])
def test_the_language_comes_from_the_locale_as_posix_orders_it(environ, language):
    assert i18n.from_environment(environ) == language


def test_the_headline_in_korean_is_the_golden(gt):
    result = gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--lang", "ko")
    assert result.exit_code == 0
    assert result.stdout == (GOLDEN / "headline.ko.txt").read_text(encoding="utf-8")


def test_a_korean_locale_gives_korean_and_lang_en_overrides_it(gt):
    korean = gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", env={"LANG": "ko_KR.UTF-8"})
    assert "노드" in korean.stdout
    english = gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--lang", "en", env={"LANG": "ko_KR.UTF-8"})
    assert "노드" not in english.stdout and "node" in english.stdout
    assert i18n.current() == "en"  # the run's language does not outlive the run


def test_json_keys_and_exit_codes_never_change_with_the_language(gt):
    args = ["relu(x)*y", "-x", "0", "-y", "2", "--check", "--expect", "x=1", "--json"]
    english, korean = gt(*args), gt(*args, "--lang", "ko")
    assert english.exit_code == korean.exit_code == 3

    def keys(value):
        if isinstance(value, dict):
            return {k: keys(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keys(v) for v in value]
        return None
    assert keys(json.loads(english.stdout)) == keys(json.loads(korean.stdout))
    assert gt("(x+y)*z", "--lang", "fr").exit_code == 2


def test_the_korean_table_and_verdicts_leave_no_english_words_but_the_glossarys(gt):
    """Everything the table, the check and the answers print is Korean, except the terms the lecture
    notes keep in English (docs/glossary.ko.md) and what the user typed."""
    glossary = {"upstream", "local", "downstream", "up", "switcher", "distributor", "router", "scaler",
                "adder", "gradient", "check", "central", "difference", "analytic", "numerical", "kink", "relu"}
    out = gt("relu(x)*y", "-x", "0", "-y", "2", "--check", "--expect", "x=1", "--lang", "ko").stdout
    words = set(re.findall(r"[A-Za-z]{3,}", out)) - {"relu"}
    assert words <= glossary, words - glossary


@pytest.mark.parametrize("which", ["backward", "forward"])
def test_the_sigmoid_neuron_explained_in_korean_is_the_golden(gt, which):
    """The lecture's neuron, both passes, in Korean at the slides' two decimals: the numbers are the
    English golden's, the sentences the catalog's."""
    args = ["--file", str(ROOT / "examples" / "sigmoid_neuron.gt"), "--w0", "2", "--x0", "-1", "--w1", "-3",
            "--x1", "-2", "--w2", "-3", "--explain", which, "--decimals", "2"]
    korean = gt(*args, "--lang", "ko").stdout
    assert korean == (GOLDEN / f"sigmoid_neuron.{which}.ko.txt").read_text(encoding="utf-8")
    numbers = re.compile(r"-?\d+\.\d+")
    english = (GOLDEN / f"sigmoid_neuron.{which}.decimals2.txt").read_text(encoding="utf-8")
    assert numbers.findall(korean) == numbers.findall(english)


def test_one_quiz_exchange_in_korean_is_the_golden(gt):
    """A hint asked for, a right answer, a skip, a wrong answer with its hint, and a stop."""
    result = gt("quiz", "--seed", "5", "--ask", "values,local", "--lang", "ko", input="h\n10\ns\n0\nq\n")
    assert result.exit_code == 3
    assert result.stdout == (GOLDEN / "quiz.ko.txt").read_text(encoding="utf-8")


def test_a_worksheet_in_korean_is_the_golden(gt, tmp_path, monkeypatch):
    """The teacher example's worksheet and key as Markdown, in Korean (no Graphviz needed: the
    pictures are referenced, and they hold only names and numbers)."""
    import needs

    needs.program("dot", "graphviz")  # without it the worksheet names no pictures, unlike the golden
    monkeypatch.chdir(ROOT)
    out = tmp_path / "sheet"
    result = gt("quiz", "--worksheet", "--from", "examples/teacher/problems.gt", "--out", str(out), "--lang", "ko")
    assert result.exit_code == 0, result.stderr
    for name in ("worksheet.md", "answers.md"):
        assert (out / name).read_text(encoding="utf-8") == (GOLDEN / f"{name[:-3]}.ko.md").read_text(encoding="utf-8")
    assert '<html lang="ko">' in (out / "worksheet.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_korean_pdf_is_printed_by_chromium_and_without_it_refused_with_a_way_out(gt, tmp_path, monkeypatch):
    """pdflatex with latex-base has no Hangul, so a Korean sheet's PDF is its own page printed by
    headless Chromium; one PDF for the sheet and one for the key, each with its pages."""
    import needs

    needs.program("chromium", "chromium")
    needs.program("dot", "graphviz")
    out = tmp_path / "s"
    result = gt("quiz", "--worksheet", "2", "--seed", "1", "--out", str(out), "--pdf", "--lang", "ko")
    assert result.exit_code == 0, result.stderr
    for name in ("worksheet.pdf", "answers.pdf"):
        data = (out / name).read_bytes()
        assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2, name
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-installed"))
    result = gt("quiz", "--worksheet", "1", "--seed", "1", "--out", str(out), "--pdf", "--lang", "ko")
    assert result.exit_code == 1 and "worksheet.html" in result.stderr and (out / "worksheet.md").exists()
    assert "Chromium" in result.stderr


def test_every_literal_message_in_the_code_is_in_the_template():
    """A _("...") written inside an f-string is invisible to the extractor (on Python 3.11 an
    f-string is one token): every literal message anywhere in the code must be in the template."""
    template = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(LOCALE / "gradtrace.pot") if m.id}
    literal = re.compile(r"""(?<![\w.])_\(\s*(['"])((?:\\.|(?!\1).)*)\1\s*\)""")
    missing = []
    for path in sorted((ROOT / "gradtrace").rglob("*.py")):
        for match in literal.finditer(path.read_text(encoding="utf-8")):
            text = match.group(2).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if text not in template:
                missing.append(f"{path.name}: {text}")
    assert not missing, missing


def test_korean_names_are_drawn_with_a_hangul_font_and_a_missing_one_is_said(gt, tmp_path, monkeypatch):
    import needs

    needs.program("dot", "graphviz")
    needs.program("fc-list", "fontconfig")
    from gradtrace.render import picture

    if picture.hangul_font_missing():
        import os

        if os.environ.get("CI"):
            pytest.fail("no font with Hangul (Debian package fonts-nanum; .ci/run installs it), and CI must run this")
        pytest.skip("no font with Hangul is installed (Debian package fonts-nanum)")
    out = tmp_path / "k.png"
    result = gt("손실 = (가+나)*다", "-가", "-2", "-나", "5", "-다", "-4", "--render", str(out), "--lang", "ko")
    assert result.exit_code == 0 and out.read_bytes().startswith(b"\x89PNG") and "boxes" not in result.stderr
    monkeypatch.setattr(picture, "hangul_font_missing", lambda: True)
    result = gt("손실 = (가+나)*다", "-가", "-2", "-나", "5", "-다", "-4", "--render", str(out))
    assert result.exit_code == 0 and "fonts-nanum" in result.stderr
    assert "fonts-nanum" not in gt("(x+y)*z", "-x", "1", "-y", "2", "-z", "3", "--render", str(out)).stderr


def test_the_html_page_in_korean(gt, tmp_path):
    import needs

    needs.program("dot", "graphviz")
    page = tmp_path / "p.html"
    result = gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--html", str(page), "--lang", "ko")
    assert result.exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert '<html lang="ko">' in html and "처음부터" in html and "단계별 backward pass" in html
    data = json.loads(re.search(r'id="gradtrace-data">(.*?)</script>', html, re.S).group(1))
    assert data["words"]["right"] == "✓ 맞음" and "{n}" in data["words"]["step"]
    copy = gt("q = x*y; f = q + q*x", "-x", "2", "-y", "3", "--html", str(page), "--lang", "ko")
    assert copy.exit_code == 0
    steps = json.loads(re.search(r'id="gradtrace-data">(.*?)</script>', page.read_text(encoding="utf-8"),
                                 re.S).group(1))["steps"]
    assert [s["name"] for s in steps if s["copy"]] == ["x", "q"] or [s["name"] for s in steps if s["copy"]] == \
        ["q", "x"]  # copy gates found by structure, not by the English words of their step


def test_lang_in_the_python_api_and_the_notebook_display():
    import gradtrace

    korean = gradtrace.trace("(x+y)*z", x=-2, y=5, z=-4, lang="ko")
    bundle = korean._repr_mimebundle_()
    assert "노드" in bundle["text/plain"] and "노드" in bundle["text/html"]
    assert i18n.current() == "en"  # showing it did not change the language of anything else
    english = gradtrace.trace("(x+y)*z", x=-2, y=5, z=-4)
    assert "노드" not in english._repr_mimebundle_()["text/plain"]
    with pytest.raises(ValueError):
        gradtrace.trace("(x+y)*z", x=1, y=2, z=3, lang="xx")


def test_help_and_clicks_own_words_in_korean():
    """--help in Korean, click's headings and usage errors included, as a user runs it."""
    korean = subprocess.run([sys.executable, "-m", "gradtrace", "--help", "--lang", "ko"], capture_output=True,
                            text=True)
    assert korean.returncode == 0 and "사용법:" in korean.stdout and "입력:" in korean.stdout
    assert "PATH에서 프로그램을 읽습니다" in korean.stdout and "이 도움말을 보여 주고 끝냅니다." in korean.stdout
    assert "Exit code:" in korean.stdout and "계산 오류" in korean.stdout
    wrong = subprocess.run([sys.executable, "-m", "gradtrace", "(x+y)*z", "--format", "nope"], capture_output=True,
                           text=True, env={**__import__("os").environ, "LANG": "ko_KR.UTF-8", "LC_ALL": ""})
    assert wrong.returncode == 2 and "오류:" in wrong.stderr and "중 하나가 아닙니다" in wrong.stderr
    english = subprocess.run([sys.executable, "-m", "gradtrace", "--help"], capture_output=True, text=True,
                             env={**__import__("os").environ, "LANG": "C.UTF-8", "LC_ALL": ""})
    assert "Usage:" in english.stdout and "Show this message and exit." in english.stdout


GLOSSARY = {  # kept in English, as the lecture notes write them (docs/glossary.ko.md), and code
    "upstream", "local", "downstream", "gradient", "gate", "add", "mul", "max", "copy", "adder", "distributor",
    "router", "switcher", "scaler", "kink", "check", "central", "difference", "analytic", "numerical", "forward",
    "backward", "pass", "backprop", "trace", "graph", "computational", "symbolic", "exact", "numeric", "mode",
    "seed", "binding", "parse", "error", "Jacobian", "Exit", "code", "key", "table", "list", "mapping", "object",
    "shape", "batch", "flowchart", "Graphviz", "DOT", "Mermaid", "JSON", "TOML", "CSV", "LaTeX", "HTML", "PDF",
    "kotex", "preamble", "xelatex", "texlive", "lang", "korean", "package", "gradtrace", "sigmoid", "exp",
    "relu", "log", "sqrt", "tanh", "input", "output", "value", "values", "gradients", "worksheet", "html", "answers",
    "markdown", "latex", "csv", "json", "ndjson", "dot", "mermaid", "format", "expect", "explain", "render", "vars",
    "file", "precision", "decimals", "full", "jacobian", "expanded", "help", "version", "step", "tol", "color",
    "auto", "always", "never", "blank", "ask", "difficulty", "problems", "from", "out", "pdf", "Usage",
    "OPTIONS", "EXPRESSION", "NAME", "VALUE", "PATH", "FILE", "DIR", "WHAT", "SUBMISSION", "quiz", "grade",
    "submissions", "toml", "man", "pdflatex", "Chromium", "chromium", "abs", "atan", "alpha", "beta", "float",
    "inf", "NaN", "COLUMNS", "NO_COLOR", "LC_ALL", "LC_MESSAGES", "LANG", "env", "var", "ones", "npy", "dtype",
    "float64", "heaviside", "sign", "erf", "erfc", "scalar", "option", "options", "Gradient", "INTEGER", "RANGE",
    "TEXT", "FLOAT", "NUMBER", "SVG", "TOL", "exit", "cli", "jsonl", "lines", "flow", "overflow", "fan", "bindings",
    "expression", "rel", "svg", "png", "block", "matmul", "time", "limit", "SECONDS", "wide", "points", "replace",
    "random", "numpy", "default_rng", "standard_normal",  # --seed random:N's recipe, as code
    "broadcast",
    "follow_through", "none", "report",  # grade: a key's follow_through = "none", and --report, as written
    "GATE", "INPUT",  # grade: a wire question, GATE->INPUT.local, as written
    "roff", "Ctrl",  # --man's format, and the key (Ctrl-C)
    # the platforms, their files and what they call things: names, as their Korean pages write them
    "autograder", "gradescope", "Gradescope", "prairielearn", "results", "lms", "moodle", "Moodle", "gift", "GIFT",
    "canvas", "Canvas", "QTI", "XML", "zip", "wheel", "PyPI", "Python", "setup", "run_autograder", "programming",
    "assignment", "KEY", "FORMAT", "students", "variants", "title",
}


def _english(text: str, typed: list[str]) -> set[str]:
    text = re.sub(r"\\[A-Za-z]+(\{[A-Za-z]*\})*", " ", text)  # LaTeX's commands and environments
    mine = {w for arg in typed for w in re.findall(r"[A-Za-z_]+", arg)}  # the program's own names, the options
    words = {w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", text)} - GLOSSARY - mine
    return {w for w in words if not any(w in g for g in GLOSSARY)}  # a glossary word folded at a narrow width


@pytest.mark.parametrize("args", [
    ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4"],
    ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--graph"],
    ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--explain", "backward"],
    ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--explain", "forward"],
    ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--format", "markdown", "--check", "--expect", "x=1"],
    ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--format", "latex", "--check", "--expect", "x=1"],
    ["max(x, y)*z", "-x", "1", "-y", "1", "-z", "2", "--check"],
    ["sum(relu(W @ x))", "-W", "[[1, 2], [3, -4]]", "-x", "[1, 1]", "--jacobian"],
    ["sum(relu(W @ x))", "-W", "[[1, 2], [3, -4]]", "-x", "[1, 1]", "--explain", "backward"],
    ["sum(x * b + c)", "-x", "[[1, 2], [3, 4]]", "-b", "[1, -1]", "-c", "2"],  # the sums broadcasting adds
    ["sum(x * b + c)", "-x", "[[1, 2], [3, 4]]", "-b", "[1, -1]", "-c", "2", "--explain", "backward"],
    ["x[0, 5] + sum(x, axis=3)", "-x", "[[1, 2], [3, 4]]"], ["x[1.5]", "-x", "[1, 2]"],
    ["q = x*y; f = q + q*x", "-x", "2", "-y", "3", "--explain", "backward"],
    ["(x+*y"], ["sigmod(x)", "-x", "1"], ["log(x)", "-x", "-1"], ["(x+y)*z", "-x", "1"],
    ["quiz", "--seed", "3", "--ask", "values,local,upstream,downstream"],
    ["--help"], ["quiz", "--help"], ["grade", "--help"], ["autograder", "--help"], ["lms", "--help"],
], ids=lambda a: " ".join(a)[:40])
def test_no_english_leaks_into_korean_output(gt, args):
    """Every renderer, the quiz, errors and --help in Korean: no English word but the glossary's,
    the program's own names and the options' names."""
    korean = [args[0], "--lang", "ko", *args[1:]] if args[0] in ("quiz", "grade", "autograder", "lms") \
        else ["--lang", "ko", *args]
    result = gt(*korean, input="h\n1\ns\n" * 12 + "q\n")
    leaked = _english(result.stdout + result.stderr, args)
    assert not leaked, leaked


def test_a_language_is_its_catalog():
    """The languages are English and every compiled catalog in gradtrace/locale: --lang offers them."""
    found = sorted(p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/gradtrace.mo"))
    assert i18n.LANGUAGES == ("en", *found) and "ko" in found


@pytest.mark.parametrize("width", [40, 60, 80])
def test_the_korean_terminal_circuit_keeps_to_the_width(gt, monkeypatch, width):
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", str(width))
    out = gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--graph", "--lang", "ko").stdout
    assert all(cell_len(line) <= width for line in out.splitlines()), out
