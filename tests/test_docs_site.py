"""The docs site (mkdocs.yml): `mkdocs build --strict` passes (no broken link, no missing page),
the CLI page has a section for every click command with every option, the op page has every op
of the op table, every tutorial is there in English and in Korean, the outputs on the pages are
gradtrace's own, and the site asks the network for nothing.

The build needs the docs extra (pip install -e ".[docs]"): without it the build test skips and
names mkdocs, and under CI (where .ci/run installs it) it fails. The hook's own pieces
(tools/docs_hooks.py) are tested without mkdocs.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import needs
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import docs_hooks  # noqa: E402

from gradtrace.cli import cli  # noqa: E402
from gradtrace.core.ops import OPS  # noqa: E402

TUTORIALS = ["lecture", "homework", "teaching", "scripts", "value"]


def _text(page: Path) -> str:
    """A built page's article as plain text."""
    source = page.read_text(encoding="utf-8")
    article = source[source.find("<article"):source.find("</article>")]
    return html.unescape(re.sub(r"<[^>]+>", "", article))


# ---- the build ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    needs.module("mkdocs", "the docs extra: pip install -e '.[docs]'")
    for name in ("material", "mkdocs_click", "mkdocstrings_handlers.python"):
        needs.module(name, "the docs extra: pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                           str(ROOT / "mkdocs.yml"), "--site-dir", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return out


@pytest.mark.slow
def test_every_command_and_option_is_on_the_cli_page(site):
    page = (site / "reference" / "cli.html").read_text(encoding="utf-8")
    assert 'id="gradtrace"' in page
    ctx = cli.make_context("gradtrace", [], resilient_parsing=True)
    for name, command in cli.commands.items():
        assert f'<h3 id="{name}"' in page, f"no section for gradtrace {name}"
        section = page[page.index(f'<h3 id="{name}"'):]
        section = html.unescape(re.sub(r"<[^>]+>", "", section[:section.find("<h3", 1) % len(section) or None]))
        assert (command.help or "").split(".")[0].split("\n")[0] in section, name
        for param in command.get_params(ctx):
            for opt in param.opts:
                if opt.startswith("-"):
                    assert opt in section, f"gradtrace {name} {opt} is not on the CLI page"
    assert "Sentinel" not in _text(site / "reference" / "cli.html")


@pytest.mark.slow
def test_every_op_is_on_the_op_page(site):
    page = (site / "reference" / "ops.html").read_text(encoding="utf-8")
    for name in OPS:
        assert f'<h2 id="{name}"' in page, f"{name} has no section on the op page"
        assert f'href="#{name}"' in page, f"{name} is not in the op page's table"


@pytest.mark.slow
def test_every_tutorial_is_there_in_english_and_korean(site):
    for name in TUTORIALS:
        english = _text(site / "tutorials" / f"{name}.html")
        korean = _text(site / "ko" / "tutorials" / f"{name}.html")
        assert re.search(r"[가-힣]", korean) and not re.search(r"[가-힣]{3}", english.replace("한국어", ""))
    for page in ("index.html", "ko/index.html", "glossary.ko.html", "reference/api.html"):
        assert (site / page).is_file(), page


@pytest.mark.slow
def test_the_pages_show_what_gradtrace_printed(site):
    """No block to run is left in a page, and its output is there: the lecture's numbers, a
    wrong answer's exit code, the Korean table, a Python block's printout, the API's docstrings."""
    lecture = _text(site / "tutorials" / "lecture.html")
    assert "$ gradtrace \"q = x + y; f = q * z\" -x -2 -y 5 -z -4" in lecture
    assert "∂f/∂x = -4" in lecture and "switcher" in lecture
    homework = _text(site / "tutorials" / "homework.html")
    assert "$ echo $?\n3" in homework and "✗" in homework
    assert "노드" in _text(site / "ko" / "tutorials" / "lecture.html")
    assert "{'x': -4.0, 'y': -4.0, 'z': 3.0}" in _text(site / "tutorials" / "value.html")
    assert "Trace a program at the given bindings" in _text(site / "reference" / "api.html")
    for page in site.rglob("*.html"):
        assert "```gradtrace" not in page.read_text(encoding="utf-8"), page
    if shutil.which("dot"):
        for picture in ("headline", "sigmoid", "patterns", "copy_gate"):
            svg = site / "generated" / f"tutorials-lecture-{picture}.svg"
            assert svg.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg")), svg
            assert f'src="../generated/tutorials-lecture-{picture}.svg"' in \
                (site / "tutorials" / "lecture.html").read_text(encoding="utf-8")
    else:
        assert "not drawn here" in lecture


@pytest.mark.slow
def test_the_site_reads_offline(site):
    """No web fonts, no script or style from another site."""
    for page in site.rglob("*.html"):
        source = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in source and "fonts.gstatic" not in source, page
        for _tag, url in re.findall(r'<(script|link)[^>]*(?:src|href)="(https?://[^"]+)"', source):
            pytest.fail(f"{page.relative_to(site)} loads {url}")


# ---- the hook's pieces, without mkdocs ----------------------------------------------------------

def test_the_op_page_has_every_op_with_its_local_gradients():
    text = docs_hooks.ops_markdown()
    for name, op in OPS.items():
        section = text[text.index(f"\n## {name}\n"):]
        section = section[:section.find("\n## ", 1) if "\n## " in section[1:] else None]
        assert "| Arity |" in section, name
        assert ("Local gradient ∂out/∂" in section) != op.arrays_only, name
        if op.text.pattern:
            assert f"| Pattern | {op.text.pattern}:" in section, name
    assert "| Local gradient ∂out/∂x | `y` |" in text[text.index("\n## mul\n"):]
    assert "`c·x^(c-1)`" in text


def test_blocks_to_run_are_found_and_replaced_in_order():
    page = ("# T\n\n```gradtrace exit=3\ngradtrace a\n```\n\n```python\nshown()\n```\n\n"
            "```python run\nprint(1)\n```\n")
    found = docs_hooks.blocks(page)
    assert [(b.kind, b.options, b.body) for b in found] == [("gradtrace", {"exit": "3"}, "gradtrace a\n"),
                                                            ("python", {"run": ""}, "print(1)\n")]
    out = docs_hooks.replace_blocks(page, ["ONE", "TWO"])
    assert out == "# T\n\nONE\n\n```python\nshown()\n```\n\nTWO\n"


def test_a_block_runs_the_real_tool_and_a_wrong_exit_code_stops_the_build():
    shown, pictures = docs_hooks.run_page("t.md", "```gradtrace\ngradtrace \"x*y\" -x 3 -y 2 --json\n```\n")
    assert pictures == {}
    assert shown[0].startswith("```console\n$ gradtrace \"x*y\" -x 3 -y 2 --json\n{")
    printed = shown[0].split("\n", 2)[2].rsplit("\n```", 1)[0]
    assert json.loads(printed)["gradients"] == {"x": 2.0, "y": 3.0}
    with pytest.raises(docs_hooks.DocsBuildError, match=r"exited 3, and the page expects 0"):
        docs_hooks.run_page("t.md", "```gradtrace\ngradtrace \"x*y\" -x 3 -y 2 --expect x=5\n```\n")
    with pytest.raises(docs_hooks.DocsBuildError, match=r"exited 0, and the page expects 2"):
        docs_hooks.run_page("t.md", "```gradtrace exit=2\ngradtrace \"x*y\" -x 3 -y 2\n```\n")


def test_a_picture_without_dot_is_named_outside_ci_and_fails_in_ci(monkeypatch):
    page = "```gradtrace picture=f.svg\ngradtrace \"x*y\" -x 3 -y 2 --render f.svg\n```\n"
    monkeypatch.setattr(docs_hooks.shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    shown, pictures = docs_hooks.run_page("t.md", page)
    assert pictures == {} and "f.svg is not drawn here" in shown[0] and "$ gradtrace" in shown[0]
    monkeypatch.setenv("CI", "true")
    with pytest.raises(docs_hooks.DocsBuildError, match="needs Graphviz's dot"):
        docs_hooks.run_page("t.md", page)


def test_a_screenshot_gives_a_wide_character_two_cells_and_fetches_no_font():
    """rich's SVG sizes a text by its characters, so Hangul would be squeezed into one cell each;
    tools/screenshots.py sizes it by its terminal cells, and leaves out the web font's addresses."""
    import io

    import screenshots
    from rich.console import Console
    from rich.text import Text

    console = Console(record=True, width=20, force_terminal=True, file=io.StringIO())
    console.print(Text("ab 노드", style="bold"), Text("xy"))
    before = console.export_svg(clear=False)
    svg = screenshots._offline_and_wide(before)
    assert 'url("https://' in before and 'url("https://' not in svg

    def lengths(svg):
        return {html.unescape(text).replace("\u00a0", " "): float(length)
                for length, text in re.findall(r'textLength="([\d.]+)"[^>]*>([^<]+)</text>', svg)}
    cell = lengths(before)[" xy"] / 3
    assert lengths(before)["ab 노드"] == pytest.approx(5 * cell)  # rich: one cell a character
    assert lengths(svg)["ab 노드"] == pytest.approx(7 * cell)     # two for each Hangul syllable
    assert lengths(svg)[" xy"] == pytest.approx(3 * cell)
