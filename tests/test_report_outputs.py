"""Issue 33: a wrong array answer's report (CS231n's relative error and its band, the worst element,
the upstream, the diagnosis) in every output of the main command, not only the table and --json:
markdown, LaTeX, CSV and the page, each in its own idiom and each escaping what the student gave.
A mistake is planted in dW for mean(W @ x) and the report must name it; a right answer has none."""

import csv
import html
import io
import re
import subprocess

import numpy as np
import pytest

import gradtrace
from gradtrace.core.numbers import DEFAULT
from gradtrace.render.tex import text as tex_text

RNG = np.random.default_rng(3333)
W, X = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2))
PROGRAM = "mean(W @ x)"
TRUE_DW = np.ones((3, 2)) @ X.T / 6
MISTAKES = {  # the student's dW, and the mistake the report must name
    "transposed": (TRUE_DW.T, "transposed: your array is the true one's transpose"),
    "missing 1/N": (TRUE_DW * 6, "a missing 1/N: your array is N = 6"),
    "sign": (-TRUE_DW, "the sign flipped: your array is minus the true one"),
}
FORMATS = ["markdown", "latex", "csv", "html"]


def _run(gt, tmp_path, fmt, answer, program=PROGRAM, name="dW.npy"):
    """The CLI's output in one format, with W, x and the answer given as .npy files."""
    for var, value in (("W", W), ("x", X)):
        np.save(tmp_path / f"{var}.npy", value)
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, answer)
    args = [program, "-W", f"@{tmp_path / 'W.npy'}", "-x", f"@{tmp_path / 'x.npy'}", "--expect", f"W=@{path}"]
    if fmt == "html":
        import needs

        needs.program("dot", "graphviz")
        page = tmp_path / "page.html"
        result = gt(*args, "--html", str(page))
        return result, page.read_text(encoding="utf-8")
    result = gt(*args, "--format", fmt)
    return result, result.stdout


def _report(answer, program=PROGRAM):
    (graded,) = gradtrace.trace(program, W=W, x=X, expect={"W": answer}).answers
    return graded.report


def _shown(fmt, out):
    """The output's text as its reader sees it: markdown through a CommonMark renderer, the page
    without its tags, LaTeX's and CSV's as written (their tests read them in their own way)."""
    if fmt == "markdown":
        from markdown_it import MarkdownIt

        out = MarkdownIt("commonmark").enable("table").render(out)
    if fmt in ("markdown", "html"):
        out = html.unescape(re.sub(r"<[^>]+>", " ", out))
    return " ".join(out.split())


def _csv_report(out):
    rows = list(csv.reader(io.StringIO(out), strict=True))
    head, body = rows[0], rows[1:]
    assert all(len(row) == len(head) for row in body)  # a strict CSV: one width
    (row,) = [dict(zip(head, row)) for row in body if row[0] == "W"]
    return head, row


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mistake", MISTAKES)
def test_every_format_shows_the_report_and_names_the_planted_mistake(gt, tmp_path, fmt, mistake):
    answer, named = MISTAKES[mistake]
    result, out = _run(gt, tmp_path, fmt, answer)
    assert result.exit_code == 3, result.stderr
    report = _report(answer)
    assert named in report.diagnosis.text  # the catalogue names it; now each format must show it
    error = None if report.error is None else f"{report.error:.1e}"
    worst = report.worst
    if fmt == "csv":
        head, row = _csv_report(out)
        assert head[-9:] == [f"answer_{c}" for c in ("relative_error", "band", "worst_index", "worst_given",
                                                      "worst_true", "upstream", "diagnosis", "mistake", "warnings")]
        assert row["answer_diagnosis"] == report.diagnosis.text and row["answer_mistake"] == \
            report.diagnosis.mistake.key
        assert row["answer_upstream"] == "∂f/∂f = 1"
        if error is None:  # the shapes differ: no relative error, no worst element
            assert row["answer_relative_error"] == row["answer_worst_index"] == row["answer_band"] == ""
        else:
            assert float(row["answer_relative_error"]) == report.error and row["answer_band"] == "wrong"
            assert row["answer_worst_index"] == "[" + ", ".join(map(str, worst[0])) + "]"
            assert float(row["answer_worst_given"]) == worst[1] and float(row["answer_worst_true"]) == worst[2]
        return
    if fmt == "latex":
        assert tex_text(report.diagnosis.text) in out and r"\item[{diagnosis}]" in out
        assert r"\item[{upstream}] $\partial$f/$\partial$f = 1" in out
        if error is not None:
            assert rf"\item[{{relative error}}] {error} ($\ge$ 1e-2: wrong)" in out
            index, given, true = worst
            assert (rf"\item[{{worst element: yours / true}}] [{', '.join(map(str, index))}]: "
                    rf"{DEFAULT.text(given)} / {DEFAULT.text(true)}") in out
        return
    shown = _shown(fmt, out)
    assert f"diagnosis {report.diagnosis.text}" in shown or "| diagnosis |" in out  # the page's dl, or md's table
    assert report.diagnosis.text in shown and "∂f/∂f = 1" in shown
    if error is not None:
        index, given, true = worst
        assert f"{error} (≥ 1e-2: wrong)" in shown
        assert f"[{', '.join(map(str, index))}]: {DEFAULT.text(given)} / {DEFAULT.text(true)}" in shown


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_right_answer_shows_no_report(gt, tmp_path, fmt):
    result, out = _run(gt, tmp_path, fmt, TRUE_DW)
    assert result.exit_code == 0, result.stderr
    assert _report(TRUE_DW) is None
    if fmt == "csv":
        head, row = _csv_report(out)
        assert not any(h.startswith("answer_") and h != "answer_correct" for h in head)
        assert row["answer_correct"] == "true"
    else:
        assert "diagnosis" not in _shown(fmt, out) and "relative error" not in _shown(fmt, out)


def test_no_known_mistake_fits_is_said(gt, tmp_path):
    answer = RNG.standard_normal(TRUE_DW.shape)
    for fmt in FORMATS:
        result, out = _run(gt, tmp_path, fmt, answer)
        assert result.exit_code == 3
        if fmt == "csv":
            assert _csv_report(out)[1]["answer_diagnosis"] == "no known mistake fits"
            assert _csv_report(out)[1]["answer_mistake"] == ""
        else:
            assert "no known mistake fits" in (out if fmt == "latex" else _shown(fmt, out))


HOSTILE = "<b>x</b>.npy"  # a folder "<b>x<" and a file "b>.npy": the student's own path


def test_the_page_escapes_a_hostile_file_name(gt, tmp_path):
    result, page = _run(gt, tmp_path, "html", -TRUE_DW, name=HOSTILE)
    assert result.exit_code == 3
    assert "<b>x</b>" not in page
    assert html.escape(f"@{tmp_path / HOSTILE}") in page
    assert "<dt>diagnosis</dt><dd>the sign flipped: your array is minus the true one</dd>" in page


def test_markdown_and_csv_keep_a_hostile_file_name_as_text(gt, tmp_path):
    result, out = _run(gt, tmp_path, "markdown", -TRUE_DW, name=HOSTILE)
    assert result.exit_code == 3
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable("table").render(out)
    assert "<b>" not in rendered and "&lt;b&gt;x&lt;/b&gt;.npy" in rendered
    result, out = _run(gt, tmp_path, "csv", -TRUE_DW, name=HOSTILE)
    assert _csv_report(out)[1]["answer"] == f"'@{tmp_path / HOSTILE}"  # ' : no spreadsheet formula


def test_an_array_outputs_random_upstream_is_in_every_format(gt, tmp_path):
    """W @ x has an array output: the upstream is random, and each report says how to draw it."""
    seed = np.random.default_rng(0).standard_normal((3, 2))
    answer = -(seed @ X.T)
    drawn = "numpy.random.default_rng(0).standard_normal((3, 2))"
    for fmt in FORMATS:
        result, out = _run(gt, tmp_path, fmt, answer, program="W @ x")
        assert result.exit_code == 3, result.stderr
        if fmt == "csv":
            assert _csv_report(out)[1]["answer_upstream"] == f"random, ∂f/∂f = {drawn}"
        elif fmt == "latex":
            assert tex_text(drawn) in out
        else:
            assert f"random, ∂f/∂f = {drawn}" in _shown(fmt, out)


@pytest.mark.slow
@pytest.mark.parametrize("mistake", [*MISTAKES, "hostile"])
def test_the_latex_with_reports_compiles_with_pdflatex(gt, tmp_path, mistake):
    import needs

    needs.program("pdflatex", "texlive-latex-base")
    if mistake == "hostile":
        result, out = _run(gt, tmp_path, "latex", -TRUE_DW, name=HOSTILE + "_%$#&{}~^\\.npy")
    else:
        result, out = _run(gt, tmp_path, "latex", MISTAKES[mistake][0])
    assert result.exit_code == 3
    body = "\n".join(line for line in out.splitlines() if not line.startswith("%"))
    assert body.isascii(), [ch for ch in body if not ch.isascii()]
    (tmp_path / "t.tex").write_text("\\documentclass{article}\\begin{document}\n" + out + "\\end{document}\n")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "t.pdf").stat().st_size > 1000
