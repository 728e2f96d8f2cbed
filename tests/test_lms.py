"""gradtrace lms: Moodle XML, GIFT and Canvas (QTI 1.2) quizzes. Each format is read back by a
real reader (ElementTree for Moodle XML, pygiftparser's grammar for GIFT, xmlschema with the QTI
subset in tests/platforms/ for Canvas) and every question's answer and tolerance is checked
against the key; the tolerances are held to gradtrace's own grading rule by a table."""

import html
import io
import json
import random
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from gradtrace.modes.answers import Tolerance, grade
from gradtrace.render.lms import gift_escape
from gradtrace.teach.lms import plain, tolerance

HERE = Path(__file__).parent / "platforms"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
HOSTILE = 'Kim <b>&"x"{=}:~ \\ ü'
ROSTER = f"Alice\nBob   # a comment\n\n{HOSTILE}\n"
PROBLEMS = "(x+y)*z   at x = -2, y = 5, z = -4\nsigmoid(w*x + b)  at w = 2, x = -1, b = 0.5\n"


# ---- the tolerance, as a table: gradtrace's verdict and the platform's, side by side -------------

def platform_accepts(answer, actual, digits, tol=None):
    return abs(Decimal(answer) - Decimal(repr(actual))) <= tolerance(actual, digits, tol)


# (true value, significant digits asked, answer, gradtrace's verdict, the platform's verdict)
TABLE = [
    # An answer written to the digits asked: the two agree, on both sides of the boundary.
    (0.3932, 4, "0.3932", True, True),
    (0.39324999, 4, "0.3932", True, True),
    (0.39315, 4, "0.3932", True, True),        # exactly half a unit away: both accept the boundary
    (0.39325001, 4, "0.3932", False, False),
    (0.39314999, 4, "0.3932", False, False),
    (-4.0, 4, "-4", True, True),               # a whole number: to 4 significant digits
    (-4.0005, 4, "-4.000", True, True),
    (-4.0006, 4, "-4.000", False, False),
    (12345.0, 4, "12350", True, True),         # half a unit of the 4th digit is 5
    (12344.9, 4, "12350", False, False),
    (0.017662706213291114, 4, "0.01766", True, True),
    (0.017662706213291114, 4, "0.01767", False, False),
    (0.017662706213291114, 2, "0.018", True, True),
    (0.017662706213291114, 2, "0.017", False, False),
    (1 / 3, 4, "0.3333", True, True),
    (2 / 3, 4, "0.6667", True, True),
    (2 / 3, 4, "0.6666", False, False),
    (-1.5, 3, "-1.50", True, True),
    (-1.5, 3, "-1.51", False, False),
    (0.0, 4, "0", True, True),                  # a true zero: only 0 passes
    (0.0, 4, "0.0001", False, False),
    # Where one fixed tolerance can't follow the rule (the module's docstring says why):
    (0.3932, 4, "0.39", True, False),           # fewer digits than asked: gradtrace rounds at them
    (0.3932, 4, "0.39324", False, True),        # more: gradtrace holds it to all of them
    (0.9996, 4, "1.000", True, False),          # the answer's power of ten is not the value's
]


@pytest.mark.parametrize("actual, digits, answer, ours, theirs", TABLE)
def test_the_platform_tolerance_against_the_grading_rule(actual, digits, answer, ours, theirs):
    assert grade(answer, actual, digits)[0] is ours
    assert platform_accepts(answer, actual, digits) is theirs


def test_correctly_rounded_answers_and_their_neighbours_get_one_verdict_on_both_sides():
    rng = random.Random(35)
    checked = 0
    for _ in range(3000):
        actual = rng.choice([-1, 1]) * 10 ** rng.uniform(-4, 4)
        digits = rng.randint(1, 6)
        exponent = Decimal(repr(actual)).adjusted()
        unit = Decimal(1).scaleb(exponent - digits + 1)
        rounded = Decimal(repr(actual)).quantize(unit)
        for answer in (rounded, rounded + unit, rounded - unit):
            if answer == 0 or answer.adjusted() != exponent:
                continue  # across a power of ten: the documented exception
            if len(answer.normalize().as_tuple().digits) < digits:
                continue  # -3.320 is the number -3.32, so gradtrace rounds it at 2 decimals: fewer digits
            text = format(answer, "f")
            assert grade(text, actual, digits)[0] is platform_accepts(text, actual, digits), (actual, digits, text)
            checked += 1
    assert checked > 5000


@pytest.mark.parametrize("tol", ["0.01", "abs:0.5", "1%", "rel:0.001"])
def test_an_explicit_tolerance_is_the_same_on_both_sides(tol):
    rule = Tolerance(tol)
    for actual in (-4.0, 0.3932, 123.25):
        for step in (-2, -1, 0, 1, 2):
            width = tolerance(actual, 4, rule)
            answer = Decimal(repr(actual)) + width * Decimal(step) / 2 * Decimal("1.01")
            text = plain(answer)
            assert grade(text, actual, 4, tol=rule)[0] is platform_accepts(text, actual, 4, rule), (tol, text)


def test_numbers_are_written_out_without_an_exponent():
    assert [plain(Decimal(x)) for x in ("5E-5", "-4.000", "0E-7", "1.25E+3", "-0")] == \
        ["0.00005", "-4", "0", "1250", "0"]
    assert plain(tolerance(0.017662706213291114, 4)) == "0.000005"


# ---- the files -----------------------------------------------------------------------------------

@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "roster.txt").write_text(ROSTER)
    (tmp_path / "problems.txt").write_text(PROBLEMS)
    return tmp_path


def _export(gt, inputs, fmt, *more, out="out"):
    result = gt("lms", fmt, "--from", str(inputs / "problems.txt"), "--students", str(inputs / "roster.txt"),
                "--seed", "7", "--title", "Week 3: backprop {quiz}", "--out", str(inputs / out), *more)
    assert result.exit_code == 0, result.stderr
    return inputs / out, json.loads((inputs / out / "key.json").read_text())


def _key_items(key):
    return {q["id"]: (v, p, q) for v in key["variants"] for p in v["problems"] for q in p["questions"]}


def test_moodle_xml_round_trip_reads_back_every_question_with_its_tolerance(gt, inputs):
    out, key = _export(gt, inputs, "moodle", "--ask", "values,upstream")
    items = _key_items(key)
    root = ET.parse(out / "quiz.xml").getroot()
    assert root.tag == "quiz"
    category, seen = None, {}
    for question in root.findall("question"):
        if question.get("type") == "category":
            category = question.findtext("category/text")
            continue
        assert question.get("type") == "numerical"
        ident = question.findtext("idnumber")
        answers = question.findall("answer")
        assert len(answers) == 1 and answers[0].get("fraction") == "100"
        seen[ident] = (category, question.findtext("name/text"), question.findtext("questiontext/text"),
                       Decimal(answers[0].findtext("text")), Decimal(answers[0].findtext("tolerance")))
    assert set(seen) == set(items) and len(seen) == 3 * 14  # 3 students, 5 + 9 questions each
    for ident, (category, name, text, value, tol) in seen.items():
        variant, _problem, q = items[ident]
        assert value == Decimal(q["value"]) and tol == Decimal(q["tolerance"])
        assert Decimal(repr(q["answer"])) == value
        assert category.endswith("/" + variant["label"].replace("/", "-"))
        assert name.startswith(variant["label"] + " · P")
        assert q["prompt"] in html.unescape(text)
    names = [v["student"] for v in key["variants"]]
    assert names == ["Alice", "Bob", HOSTILE]


def test_gift_is_read_back_by_a_gift_parser_with_every_answer_and_tolerance(gt, inputs):
    from pygiftparser import parser  # pygiftparserrgmf's grammar (ply)

    out, key = _export(gt, inputs, "gift")
    items = _key_items(key)
    # This parser reads $CATEGORY only as a file's first line, so each category's part is parsed
    # on its own (Moodle reads them all in one file).
    text = (out / "quiz.gift").read_text()
    parts = ["$CATEGORY:" + part for part in text.split("$CATEGORY:")[1:]]
    assert len(parts) == 3
    questions = [q for part in parts for q in parser.parse(part).questions]
    by_order = [q for v in key["variants"] for p in v["problems"] for q in p["questions"]]
    assert len(questions) == len(by_order) == len(items) == 27
    for parsed, q in zip(questions, by_order):
        assert type(parsed.answer).__name__ == "Numerical"
        assert parsed.answer.get_number() == float(q["value"]) == q["answer"]
        assert parsed.answer.get_error_margin() == float(q["tolerance"])
        assert q["prompt"] in parsed.text and "\\" not in parsed.text  # every escape read as its character
    categories = [q.category.rsplit("/", 1)[1] for q in questions]
    assert categories == 9 * ["Alice"] + 9 * ["Bob"] + 9 * ['Kim <b>&"x"----- - ü']


def test_the_gift_parser_fails_on_text_that_is_not_escaped(gt, inputs, monkeypatch):
    from pygiftparser import parser

    from gradtrace.render import lms
    monkeypatch.setattr(lms, "gift_escape", lambda text: text)
    out, key = _export(gt, inputs, "gift", out="raw")
    text = (out / "quiz.gift").read_text()
    try:
        questions = parser.parse("$CATEGORY:" + text.split("$CATEGORY:")[3]).questions  # the hostile name's
    except Exception:
        return
    # Read without an error, it is not read right: '{', '=' and ':' change what a question is.
    numbers = [q.answer.get_number() if type(q.answer).__name__ == "Numerical" else None for q in questions]
    expected = [float(q["value"]) for p in key["variants"][2]["problems"] for q in p["questions"]]
    assert numbers != expected


@pytest.mark.parametrize("text, escaped", [
    ("a = b", "a \\= b"), ("{x}", "\\{x\\}"), ("~#:", "\\~\\#\\:"), ("back\\slash", "back\\\\slash"),
    ("two\n\nlines", "two lines"), ("∂f/∂x", "∂f/∂x"),
])
def test_gift_escapes_its_special_characters(text, escaped):
    assert gift_escape(text) == escaped


def test_canvas_qti_passes_the_schema_and_reads_back_every_range(gt, inputs):
    out, key = _export(gt, inputs, "canvas", "--ask", "local,downstream")
    items = _key_items(key)
    qti = xmlschema.XMLSchema(str(HERE / "qti12_subset.xsd"))
    manifest = xmlschema.XMLSchema(str(HERE / "imscp_subset.xsd"))
    with zipfile.ZipFile(out / "quiz-qti.zip") as archive:
        names = archive.namelist()
        manifest.validate(io.BytesIO(archive.read("imsmanifest.xml")))
        listed = re.findall(r'<file href="([^"]+)"', archive.read("imsmanifest.xml").decode())
        assert sorted(listed) == sorted(n for n in names if n != "imsmanifest.xml") and len(listed) == 3
        seen = {}
        for name in listed:
            data = archive.read(name)
            qti.validate(io.BytesIO(data))
            root = ET.fromstring(data)
            assessment = root.find(f"{QTI}assessment")
            for item in assessment.iter(f"{QTI}item"):
                condition = item.find(f".//{QTI}conditionvar")
                seen[item.get("ident")] = (assessment.get("title"),
                                           Decimal(condition.findtext(f".//{QTI}varequal")),
                                           Decimal(condition.findtext(f".//{QTI}vargte")),
                                           Decimal(condition.findtext(f".//{QTI}varlte")))
    assert set(seen) == set(items)
    for ident, (title, value, low, high) in seen.items():
        variant, _problem, q = items[ident]
        assert title.endswith(variant["label"])
        assert (value, low, high) == (Decimal(q["value"]), Decimal(q["low"]), Decimal(q["high"]))
        assert high - value == value - low == Decimal(q["tolerance"])


def test_the_qti_schema_refuses_what_canvas_would_misread(gt, inputs):
    out, _key = _export(gt, inputs, "canvas")
    qti = xmlschema.XMLSchema(str(HERE / "qti12_subset.xsd"))
    with zipfile.ZipFile(out / "quiz-qti.zip") as archive:
        data = archive.read("gradtrace_variant_1/gradtrace_variant_1.xml").decode()
    for broken in (re.sub(r"(<vargte respident=\"response1\">)[^<]+", r"\g<1>5e-05", data, count=1),
                   data.replace(' respident="response1"', "", 1),
                   data.replace('fibtype="Decimal"', 'fibtype="Float"', 1)):
        assert not qti.is_valid(io.StringIO(broken))


# ---- variants and the key --------------------------------------------------------------------------

def test_each_student_has_numbers_of_their_own_from_the_seed_alone(gt, inputs):
    _out, key = _export(gt, inputs, "moodle")
    again = _export(gt, inputs, "moodle", out="again")[1]
    assert key == again
    (inputs / "roster.txt").write_text("Zoe\n" + ROSTER)
    more = _export(gt, inputs, "moodle", out="more")[1]
    bindings = {v["student"]: [p["bindings"] for p in v["problems"]] for v in key["variants"]}
    for v in more["variants"][1:]:
        assert [p["bindings"] for p in v["problems"]] == bindings[v["student"]]  # Zoe changed nobody's
    assert len({json.dumps(b) for b in bindings.values()}) == 3
    other = gt("lms", "moodle", "--from", str(inputs / "problems.txt"), "--students", str(inputs / "roster.txt"),
               "--seed", "8", "--out", str(inputs / "seed8"))
    assert other.exit_code == 0
    assert json.loads((inputs / "seed8" / "key.json").read_text())["variants"] != key["variants"]


def test_the_key_answers_are_the_trace_at_each_students_bindings(gt, inputs):
    import gradtrace

    _out, key = _export(gt, inputs, "gift")
    for variant in key["variants"]:
        for problem in variant["problems"]:
            t = gradtrace.trace(problem["expression"], **problem["bindings"])
            for q in problem["questions"]:
                assert q["answer"] == pytest.approx(float(t.node(q["question"]).upstream), rel=1e-12)


def test_without_a_roster_the_problems_are_asked_as_they_are(gt, inputs):
    result = gt("lms", "gift", "--from", str(inputs / "problems.txt"), "--out", str(inputs / "plain"))
    assert result.exit_code == 0, result.stderr
    key = json.loads((inputs / "plain" / "key.json").read_text())
    assert len(key["variants"]) == 1 and key["variants"][0]["student"] is None
    assert key["variants"][0]["problems"][0]["bindings"] == {"x": -2.0, "y": 5.0, "z": -4.0}
    assert [q["answer"] for q in key["variants"][0]["problems"][0]["questions"]] == [-4.0, -4.0, -4.0, 3.0]


def test_a_program_that_names_its_output_is_stated_as_written(gt, inputs):
    # Not "f = f = x * y + x", nor "f = a = x * y; f = a + x": only a bare expression gets "f = ".
    (inputs / "named.txt").write_text("f = x * y + x  at x = 1.5, y = -2\na = x * y; f = a + x  at x = 1, y = 2\n"
                                      "(x+y)*z  at x = 1, y = 2, z = 3\n")
    result = gt("lms", "gift", "--from", str(inputs / "named.txt"), "--out", str(inputs / "named"))
    assert result.exit_code == 0, result.stderr
    quiz = (inputs / "named" / "quiz.gift").read_text()
    assert "Problem 1\\: f \\= x * y + x at x \\= 1.5" in quiz
    assert "Problem 2\\: a \\= x * y; f \\= a + x at x \\= 1" in quiz
    assert "Problem 3\\: f \\= (x+y)*z at x \\= 1" in quiz
    assert "f \\= f \\=" not in quiz and "f \\= a \\=" not in quiz


def test_the_summary_counts_in_the_singular_and_the_plural(gt, inputs):
    (inputs / "one.txt").write_text("2 * x  at x = 3\n")
    one = gt("lms", "gift", "--from", str(inputs / "one.txt"), "--out", str(inputs / "one"))
    assert one.exit_code == 0 and one.stderr.endswith("quiz.gift): 1 question in 1 variant\n"), one.stderr
    two = gt("lms", "gift", "--from", str(inputs / "problems.txt"), "--variants", "2", "--seed", "1",
             "--out", str(inputs / "two"))
    assert two.exit_code == 0 and " questions in 2 variants\n" in two.stderr


def test_a_value_that_is_zero_up_to_float_noise_accepts_a_typed_zero_on_both_sides(gt, inputs):
    # 0.1 + 0.2 - 0.3 is 5.551e-17: gradtrace grades a typed 0 right, so the platform must too.
    (inputs / "noise.txt").write_text("(x + y - z) * w  at x = 0.1, y = 0.2, z = 0.3, w = 1\n")
    result = gt("lms", "gift", "--from", str(inputs / "noise.txt"), "--ask", "values,upstream",
                "--out", str(inputs / "noise"))
    assert result.exit_code == 0, result.stderr
    questions = {(q["kind"], q["question"]): q for _v, _p, q in _key_items(
        json.loads((inputs / "noise" / "key.json").read_text())).values()}
    dusty = [questions[("value", "t2")], questions[("value", "f")], questions[("upstream", "w")]]
    assert all(0 < abs(q["answer"]) < 1e-16 for q in dusty)
    for q in dusty:
        assert abs(Decimal("0") - Decimal(q["value"])) <= Decimal(q["tolerance"]), q
        assert abs(Decimal("0.00001") - Decimal(q["value"])) > Decimal(q["tolerance"]), q
    assert questions[("upstream", "x")]["tolerance"] == "0.0005"  # a value clear of its noise: as before
    key = 'expression = "f = (x + y - z) * w"\nbindings = { x = 0.1, y = 0.2, z = 0.3, w = 1 }\n'
    (inputs / "key.toml").write_text(key + '[answers]\n"t2.value" = 0\n"f.value" = 0\nw = 0\n')
    (inputs / "zero.toml").write_text('[answers]\n"t2.value" = 0\n"f.value" = 0\nw = 0\n')
    assert gt("grade", str(inputs / "zero.toml"), "--key", str(inputs / "key.toml")).exit_code == 0


def test_random_problems_and_anonymous_variants(gt, inputs):
    result = gt("lms", "moodle", "--problems", "2", "--difficulty", "2", "--variants", "4", "--seed", "3",
                "--out", str(inputs / "random"))
    assert result.exit_code == 0, result.stderr
    key = json.loads((inputs / "random" / "key.json").read_text())
    assert [v["label"] for v in key["variants"]] == [f"variant {k}" for k in range(1, 5)]
    assert len({p["expression"] for v in key["variants"] for p in v["problems"]}) == 2
    rows = (inputs / "random" / "key.csv").read_text().splitlines()
    assert rows[0].startswith("variant,student,problem") and len(rows) == 1 + sum(
        len(p["questions"]) for v in key["variants"] for p in v["problems"])


@pytest.mark.parametrize("args, message", [
    (["--problems", "2", "--from", "{dir}/problems.txt"], "pick one"),
    (["--students", "{dir}/roster.txt", "--variants", "2"], "pick one"),
    (["--from", "{dir}/nope.txt"], "nope.txt"),
    (["--from", "{dir}/bad.txt"], "problem 1"),
    (["--students", "{dir}/twice.txt"], "already on line 1"),
    (["--students", "{dir}/empty.txt"], "no students"),
    (["--tol", "wide"], "is not a tolerance"),
    (["--ask", "gradients"], "--ask gradients"),
])
def test_bad_input_gets_a_message_and_exit_2(gt, inputs, args, message):
    (inputs / "bad.txt").write_text("(x+ at x = 1\n")
    (inputs / "twice.txt").write_text("Ann\nAnn\n")
    (inputs / "empty.txt").write_text("# nobody\n\n")
    result = gt("lms", "moodle", "--out", str(inputs / "never"), *[a.format(dir=inputs) for a in args])
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (inputs / "never").exists()
