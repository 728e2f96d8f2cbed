"""The README as PyPI shows it: python tools/pypi_readme.py [BASE_URL]

README.md links to the repository's own files (docs/headline.png, CONTRIBUTING.md, ...) by
relative paths, which work on the repository's host and in a checkout or an sdist, but not on
PyPI's page, where a relative image is a broken picture and a relative link a 404. setup.py gives
PyPI this version of it instead: every relative target made absolute under the repository's URL,
`[project.urls] Repository` in pyproject.toml (a GitHub-style host: files under /blob/main/,
images under /raw/main/). The project has no public repository URL yet, so until one is written
there, a relative link becomes its text with the path named (the file ships in the sdist) and a
relative image its alt text: nothing on the page is broken. In-page anchors (#quickstart) and
absolute URLs are kept; fenced code blocks are left as they are.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# ![alt](target "title"), [text](target "title"); <img src="..."> and <a href="...">; [label]: target
INLINE = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"\n]*\")?\)")
HTML = re.compile(r"(?P<attr>\b(?:src|href))=\"(?P<target>[^\"]+)\"")
DEFINITION = re.compile(r"^(?P<label> {0,3}\[[^\]\n]+\]:[ \t]*)(?P<target>\S+)", re.M)
FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)


def is_absolute(target: str) -> bool:
    """An absolute URL (https:, mailto:, ...) or an in-page anchor: renders the same anywhere."""
    return target.startswith("#") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", target) is not None


def repository_url(pyproject: Path = ROOT / "pyproject.toml") -> str | None:
    urls = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"].get("urls", {})
    url = urls.get("Repository") or urls.get("Source")
    return url.rstrip("/") if url else None


def _absolute(target: str, base: str, image: bool) -> str:
    return f"{base}/{'raw' if image else 'blob'}/main/{target.removeprefix('./')}"


def _outside_code(text: str, rewrite) -> str:
    """rewrite applied to the text between fenced code blocks."""
    out, end = [], 0
    for block in FENCE.finditer(text):
        out += [rewrite(text[end:block.start()]), block.group(0)]
        end = block.end()
    return "".join([*out, rewrite(text[end:])])


def pypi_readme(text: str, base: str | None) -> str:
    """text with every relative link and image made absolute under base, or, with no base, made
    into plain text (a link: its text and the path; an image: its alt text)."""

    def inline(match: re.Match[str]) -> str:
        target, image = match.group("target"), bool(match.group("bang"))
        if is_absolute(target):
            return match.group(0)
        if base is not None:
            return f"{match.group('bang')}[{match.group('text')}]({_absolute(target, base, image)}" \
                   f"{match.group('title') or ''})"
        path = target.split("#", 1)[0]
        if image:
            alt = re.sub(r"([\\`*_\[\]<>])", r"\\\1", match.group("text"))
            return f"*(a picture, {path} in the sdist: {alt})*"
        return match.group("text") if match.group("text").strip("`") == path else f"{match.group('text')} (`{path}`)"

    def html(match: re.Match[str]) -> str:
        target = match.group("target")
        if is_absolute(target) or base is None:  # raw HTML without a base: left for PyPI to drop
            return match.group(0)
        return f'{match.group("attr")}="{_absolute(target, base, match.group("attr") == "src")}"'

    def definition(match: re.Match[str]) -> str:
        target = match.group("target")
        if is_absolute(target) or base is None:
            return match.group(0)
        return match.group("label") + _absolute(target, base, target.lower().endswith((".png", ".svg", ".jpg")))

    return _outside_code(text, lambda part: DEFINITION.sub(definition, HTML.sub(html, INLINE.sub(inline, part))))


def targets(text: str) -> list[str]:
    """Every link and image target outside code blocks."""
    found: list[str] = []

    def collect(part: str) -> str:
        found.extend(m.group("target") for pattern in (INLINE, HTML, DEFINITION) for m in pattern.finditer(part))
        return part

    _outside_code(text, collect)
    return found


if __name__ == "__main__":
    base = sys.argv[1] if len(sys.argv) > 1 else repository_url()
    sys.stdout.write(pypi_readme((ROOT / "README.md").read_text(encoding="utf-8"), base))
