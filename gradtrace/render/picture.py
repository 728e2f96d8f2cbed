"""--render FILE: the DOT picture drawn by Graphviz's `dot` program into SVG, PNG or PDF bytes."""

from __future__ import annotations

from typing import Any

from ..core.errors import EvaluationError, MissingProgram
from ..i18n import _

FORMATS = ("svg", "png", "pdf")
MAX_GATES = 250  # past this a picture is unreadably large, and Graphviz takes minutes
INSTALL_HINT = ("install Graphviz: apt-get install graphviz (Debian, Ubuntu), brew install graphviz (macOS), "
                "or see graphviz.org/download; --dot prints the picture's DOT text without it")


def draw(dot_text: str, fmt: str) -> bytes:
    """Run Graphviz's dot on the text; a missing dot program is an error that says how to install it."""
    import graphviz

    try:
        out = graphviz.Source(dot_text).pipe(format=fmt, quiet=True)  # dot's own stderr is not for users
    except graphviz.ExecutableNotFound:
        raise MissingProgram(_("Graphviz's dot program is not installed, so no picture can be drawn"),
                              hint=INSTALL_HINT) from None
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        first = detail[0].removeprefix("Error: <stdin>: ")[:200] if detail else str(exc)
        raise EvaluationError(_("Graphviz's dot could not draw this circuit ({first})").format(first=first),
                              hint=_("--dot prints the DOT text; --graph draws the circuit in the terminal")) from None
    if not out:
        raise EvaluationError(_("Graphviz's dot drew nothing for this circuit"),
                              hint=_("--dot prints the DOT text; --graph draws the circuit in the terminal"))
    return out


def svg_inline(dot_text: str) -> str:
    """The picture as an <svg> element for embedding in HTML (see inline)."""
    return inline(draw(dot_text, "svg"))


def inline(svg_bytes: bytes) -> str:
    """Graphviz's SVG as an element for embedding in HTML: no XML prolog, no DOCTYPE (which names
    an external DTD), no namespace URLs."""
    import re

    svg = svg_bytes.decode("utf-8")
    svg = svg[svg.index("<svg"):]
    return re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg, count=2)


def check_size(trace: Any) -> None:
    """Refuse to draw a graph too large to read as a picture, before Graphviz spends minutes on it."""
    gates = trace.gate_count
    if gates > MAX_GATES:
        raise EvaluationError(
            _("the graph has {gates} gates, too many to draw readably (at most {MAX_GATES})").format(
                gates=gates, MAX_GATES=MAX_GATES
            ),
            hint=_("--dot prints the DOT text if you want to try anyway; --graph summarises it"),
        )


def has_hangul(text: str) -> bool:
    """Whether text has Korean letters (Hangul syllables or jamo)."""
    return any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f"
               for ch in text)


def hangul_font_missing() -> bool:
    """Whether fontconfig knows no font with Hangul, so Graphviz would draw Korean letters as
    boxes in a PNG or PDF (fonts-nanum or fonts-noto-cjk on Debian provide one)."""
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False  # no fontconfig to ask: say nothing rather than guess
    try:
        found = subprocess.run([fc_list, ":lang=ko", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return not found.strip()


HANGUL_FONT_HINT = "apt-get install fonts-nanum (or fonts-noto-cjk) on Debian and Ubuntu"
