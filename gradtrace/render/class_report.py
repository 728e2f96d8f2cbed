"""The class report (teach/class_report.py) as Markdown: the counts per question, then each
student's slips, follow-throughs and feedback. Every text is escaped (render/markdown.escape), so a
name such as <script> or a pipe in an answer is only text, and a table cell stays one cell."""

from __future__ import annotations

from typing import Any

from ..i18n import _
from ..teach.class_report import basis, score_text
from .markdown import escape


def markdown(report: dict[str, Any]) -> str:
    """The whole report as GitHub-flavoured Markdown."""
    title, students = _("Class report"), _("Students")
    lines = [f"# {escape(title)}", ""]
    counts = [(q, entry["text"]) for q in report["questions"] for entry in q["misconceptions"]]
    counts += [(q, q["follow_throughs"]["text"]) for q in report["questions"] if q["follow_throughs"]["count"]]
    per_question = _("Misconceptions and follow-throughs per question")
    lines += [f"## {escape(per_question)}", ""]
    if counts:
        lines += [escape(basis(report)), ""] + [f"- {escape(text)}" for _q, text in counts]
    else:
        lines.append(escape(_("No misconception and no follow-through found.")))
    heads = [_("question"), _("asked"), _("right"), _("wrong"), _("follow-throughs"), _("slips"), _("unexplained")]
    lines += ["", "| " + " | ".join(map(escape, heads)) + " |", "|---|---:|---:|---:|---:|---:|---:|"]
    for q in report["questions"]:
        lines.append(f"| {escape(q['question'])} | {q['asked']} | {q['right']} | {q['wrong']} | "
                     f"{q['follow_throughs']['count']} | {q['slips']} | {q['unexplained']} |")
    lines += ["", f"## {escape(students)}", ""]
    for s in report["students"]:
        lines.append(f"### {escape(s['student'])} ({escape(score_text(s))})")
        lines.append("")
        if s["error"] is not None:
            lines += [escape(_("error: {message}").format(message=s["error"])), ""]
            continue
        if not s["findings"]:
            lines += [escape(_("No wrong answer.")), ""]
            continue
        for f in s["findings"]:
            head = _("{question} = {given}: follows through from {slips}").format(
                question=f["question"], given=f["given"], slips=", ".join(f["follows_from"])) if f["follows_from"] \
                else _("{question} = {given}: a slip").format(question=f["question"], given=f["given"])
            if f["labels"]:
                head += " (" + "; ".join(f["labels"]) + ")"
            lines.append(f"- **{escape(head)}**")
            for text in ([f["feedback"]] if f["feedback"] else []) + f["report"]:
                lines.append(f"  - {escape(text)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
