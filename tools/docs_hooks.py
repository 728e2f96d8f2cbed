"""The docs site's build hooks (mkdocs.yml `hooks:`): every output and picture on the site is made
by gradtrace itself while the site builds, and the op reference is written from the op table.

A tutorial writes what to run in fenced blocks, and the build replaces each with what running it
printed:

    ```gradtrace                  each line a shell command, run in a scratch folder where
    gradtrace "(x+y)*z" -x -2     `gradtrace` and `python` are this Python's and examples/ is
    ```                           the checkout's; shown as `$ command` and its output

    ```gradtrace exit=3           the block's last command is expected to exit 3 (any other code
    ...                           fails the build, and so does a nonzero code no block expects)
    ```

    ```gradtrace picture=f.svg    the command writes f.svg (e.g. --render f.svg): the page shows
    ...                           the command and the picture
    ```

    ```gradtrace needs=dot        a command that needs Graphviz to succeed (--html)
    ...
    ```

    ```python run                 Python run with this Python, shown with what it printed
    ...
    ```

Each page's blocks run in order in one scratch folder, so a block may use the files an earlier one
wrote. Pictures need Graphviz's dot: without it the page says the picture was not drawn and shows
the command, unless CI is set, where the build stops and says what to install.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```(gradtrace|python)([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)
GENERATED = "generated"  # where the pictures made during the build go in the site
OPS_PAGE = "reference/ops.md"
TIMEOUT = 120
_results: dict[str, list[str]] = {}


try:  # mkdocs stops the build on a PluginError and prints its message
    from mkdocs.exceptions import PluginError as _Failure
except ImportError:  # imported without mkdocs (tests/test_docs_site.py tests the pieces)
    _Failure = Exception  # type: ignore[misc,assignment]


class DocsBuildError(_Failure):
    """A tutorial's command did not do what its page says: the build stops with this message."""


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def _error(message: str) -> DocsBuildError:
    return DocsBuildError(message)


@dataclass
class Block:
    kind: str            # "gradtrace" or "python"
    options: dict[str, str]
    body: str


def blocks(markdown: str) -> list[Block]:
    """The blocks to run in a page's Markdown, in order."""
    out = []
    for m in BLOCK.finditer(markdown):
        words = m.group(2).split()
        if m.group(1) == "python" and "run" not in words:
            continue  # an ordinary Python listing
        options = {word.partition("=")[0]: word.partition("=")[2] for word in words}
        out.append(Block(m.group(1), options, m.group(3)))
    return out


def _scratch() -> Path:
    """A folder to run a page's commands in: examples/ is the checkout's, and bin/ holds `gradtrace`
    and `python`, this Python's, first on PATH."""
    folder = Path(tempfile.mkdtemp(prefix="gradtrace-docs-"))
    (folder / "examples").symlink_to(ROOT / "examples")
    bin_dir = folder / ".bin"
    bin_dir.mkdir()
    for name, line in (("gradtrace", f'exec {shlex.quote(sys.executable)} -m gradtrace "$@"'),
                       ("python", f'exec {shlex.quote(sys.executable)} "$@"')):
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\n{line}\n", encoding="utf-8")
        script.chmod(0o755)
    return folder


def _environment(folder: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LC_", "FORCE_COLOR"))}
    env.update(PATH=f"{folder / '.bin'}{os.pathsep}{env.get('PATH', '')}", NO_COLOR="1", COLUMNS="100",
               TERM="dumb", LANG="C.UTF-8", PYTHONIOENCODING="utf-8")
    # The commands run the gradtrace this build documents (mkdocs-click and mkdocstrings import it).
    import gradtrace

    package_parent = str(Path(gradtrace.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([package_parent, *filter(None, [env.get("PYTHONPATH")])])
    return env


def _commands(body: str) -> list[str]:
    """A block's command lines, a line ending in a backslash joined with the next."""
    lines, current = [], ""
    for line in body.splitlines():
        current += line
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        if current.strip():
            lines.append(current.strip())
        current = ""
    return lines


def _run(argv: list[str], folder: Path, label: str, expected: int, page: str) -> str:
    try:
        done = subprocess.run(argv, cwd=folder, env=_environment(folder), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=TIMEOUT, text=True, encoding="utf-8",
                              errors="replace", stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise _error(f"{page}: `{label}` took over {TIMEOUT} s") from None
    if done.returncode != expected:
        raise _error(f"{page}: `{label}` exited {done.returncode}, and the page expects {expected}:\n"
                     f"{done.stdout[-2000:]}")
    return done.stdout.rstrip()


def _fence(text: str, lang: str = "console") -> str:
    """text in a fenced block whose fence is longer than any run of backticks inside it."""
    ticks = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    return f"{ticks}{lang}\n{text}\n{ticks}"


def _depth(src_uri: str) -> str:
    return "../" * src_uri.count("/")


def run_page(src_uri: str, markdown: str) -> tuple[list[str], dict[str, bytes]]:
    """Run a page's blocks: the Markdown that replaces each, and the pictures they drew (by their
    site path)."""
    found = blocks(markdown)
    if not found:
        return [], {}
    folder = _scratch()
    pictures: dict[str, bytes] = {}
    out = []
    try:
        for block in found:
            expected = int(block.options.get("exit", "0"))
            if block.kind == "python":
                printed = _run([sys.executable, "-c", block.body], folder, "python block", expected, src_uri)
                listing = _fence(block.body.rstrip(), "python")
                out.append(listing + ("\n\n" + _fence(printed, "text") if printed else ""))
                continue
            picture = block.options.get("picture")
            drawn = picture or block.options.get("needs") == "dot"  # --render, --html: Graphviz draws
            if drawn and shutil.which("dot") is None:
                what = picture or "this page"
                if _ci():
                    raise _error(f"{src_uri}: drawing {what} needs Graphviz's dot, which is not installed "
                                 "(Debian: apt-get install graphviz); CI builds every picture")
                commands = "\n".join(f"$ {line}" for line in _commands(block.body))
                out.append(_fence(commands) + f"\n\n!!! note\n    {what} is not drawn here: this site was "
                           "built without Graphviz's `dot`.")
                continue
            shown: list[str] = []
            lines = _commands(block.body)
            for k, line in enumerate(lines):
                code = expected if k == len(lines) - 1 else 0  # exit=N is the block's last command's
                printed = _run(["bash", "-c", line], folder, line, code, src_uri)
                shown.append(f"$ {line}" + (f"\n{printed}" if printed else "")
                             + (f"\n$ echo $?\n{code}" if code else ""))
            text = _fence("\n".join(shown))
            if picture:
                path = folder / picture
                if not path.is_file():
                    raise _error(f"{src_uri}: the block says it draws {picture}, and no such file was written")
                stem = src_uri.removesuffix(".md").replace("/", "-")
                site_path = f"{GENERATED}/{stem}-{picture}"
                pictures[site_path] = path.read_bytes()
                text += f"\n\n![{picture}]({_depth(src_uri)}{site_path})"
            out.append(text)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out, pictures


def replace_blocks(markdown: str, replacements: list[str]) -> str:
    """markdown with its blocks to run replaced, in order, by what running them gave."""
    todo = iter(replacements)

    def swap(m: re.Match[str]) -> str:
        if m.group(1) == "python" and "run" not in m.group(2).split():
            return m.group(0)
        return next(todo)
    return BLOCK.sub(swap, markdown)


# ---- the op reference ---------------------------------------------------------------------------

_FIELD = re.compile(r"\{([A-Za-z0-9_\-]+)\}")


def _op_fields(op: Any) -> dict[str, str]:
    from gradtrace.core.ops import VARIADIC

    names = ["a", "b"] if op.arity == VARIADIC else list(op.syntax.inputs or ("x", "y", "z"))[:op.arity]
    fields = {str(k): name for k, name in enumerate(names)}
    fields.update({"out": "out", "c": "c", "c-1": "(c-1)"})
    fields.update({name: name for name, _ in op.keyword_params})
    return fields


def _text(template: Any, fields: dict[str, str], slot: int | None = None) -> str:
    from gradtrace.i18n import _

    if slot is not None:
        fields = {**fields, "i": fields.get(str(slot), "x")}
    if callable(template):
        return str(template(fields))
    return _FIELD.sub(lambda m: fields.get(m.group(1), m.group(0)), _(template))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def ops_markdown() -> str:
    """The op reference page: every record of the op table, as the table holds it."""
    from gradtrace.core.ops import OPS, PATTERNS, VARIADIC
    from gradtrace.core.ops_text import signature, spellings
    from gradtrace.i18n import _

    lines = ["# Ops", "",
             "Every gate gradtrace knows, written from its op table (`gradtrace/core/ops.py`) when this "
             "site is built, so this page can't drift from the code. The local gradient is "
             "∂out/∂input for each input; the engine multiplies it by the upstream gradient "
             "(downstream = upstream × local) and sums at forks. An array op has a vector-Jacobian "
             "product instead: its Jacobian's structure is described in words.", "",
             "| op | written | arity | local gradients (array ops: the gradient sent to each input) | pattern |",
             "|---|---|---|---|---|"]
    for op in OPS.values():
        fields = _op_fields(op)
        written = ", ".join(f"`{_cell(s)}`" for s in spellings(op)) or "(built from a constant operand)"
        arity = "2 or more" if op.arity == VARIADIC else str(op.arity)
        count = 2 if op.arity == VARIADIC else op.arity
        formulas = "; ".join(f"{'to' if op.arrays_only else '∂/∂'}{fields[str(k)]}: "
                             f"`{_cell(_text(op.text.formula[min(k, len(op.text.formula) - 1)], fields, k))}`"
                             for k in range(count))
        lines.append(f"| [{op.name}](#{op.name}) | {written} | {arity} | {formulas} | "
                     f"{op.text.pattern or ''} |")
    lines.append("")
    for op in OPS.values():
        fields = _op_fields(op)
        lines += [f"## {op.name}", ""]  # its anchor is #name: toc keeps letters, digits and _
        typed = spellings(op)
        rows = [("Written", ", ".join(f"`{s}`" for s in typed) if typed else
                 "not typed by itself: the parser makes it for an operator with one constant operand")]
        if op.syntax.callable:
            rows.append(("Called as", f"`{signature(op)}`"))
        rows.append(("Arity", "2 or more (variadic)" if op.arity == VARIADIC else str(op.arity)))
        rows.append(("Label in pictures", f"`{_text(op.text.label, fields)}`"))
        inputs = [fields[str(k)] for k in range(2 if op.arity == VARIADIC else op.arity)]
        for k, name in enumerate(inputs):
            template = op.text.formula[min(k, len(op.text.formula) - 1)]
            what = f"Gradient to {name} (vector-Jacobian product)" if op.arrays_only else f"Local gradient ∂out/∂{name}"
            rows.append((what, f"`{_text(template, fields, k)}`"))
        for k, template in enumerate(op.text.jacobian):
            rows.append((f"Jacobian for {inputs[k] if k < len(inputs) else k}", _text(template, fields, k)))
        if op.text.pattern:
            rows.append(("Pattern", f"{op.text.pattern}: {_(PATTERNS[op.text.pattern])}"))
        if op.keyword_params:
            rows.append(("Parameters", ", ".join(f"`{name}`" + ("" if default is None else f" = {default:g}")
                                                 for name, default in op.keyword_params)))
        if op.maths.domain is not None and isinstance(op.maths.domain[1], str):
            rows.append(("Domain", _(op.maths.domain[1])))
        if op.maths.kink is not None:
            rows.append(("Kink convention", _(op.maths.kink[1])))
        if op.text.notes:
            rows.append(("Notes", _text(op.text.notes, fields)))
        if op.teach.quiz is not None:
            rows.append(("In quizzes", f"from difficulty {op.teach.quiz}"))
        oracles = [name for name, rule in (("sympy", op.oracles.sympy), ("PyTorch", op.oracles.torch)) if rule]
        rows.append(("Checked against", ", ".join(oracles) + " and central differences" if oracles
                     else "central differences"))
        lines += ["| | |", "|---|---|", *(f"| {key} | {_cell(value)} |" for key, value in rows), ""]
    return "\n".join(lines) + "\n"


# ---- mkdocs hooks -------------------------------------------------------------------------------

def on_files(files: Any, config: Any) -> Any:
    """Write the op page, run every page's blocks (two pages at a time) and add the pictures."""
    from mkdocs.structure.files import File

    if importlib.util.find_spec("gradtrace") is None:  # a checkout that was never installed
        sys.path.insert(0, str(ROOT))
    files.append(File.generated(config, OPS_PAGE, content=ops_markdown()))
    pages = [f for f in files.documentation_pages() if f.abs_src_path]
    sources = {f.src_uri: Path(f.abs_src_path).read_text(encoding="utf-8") for f in pages}
    _results.clear()
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(zip(sources, pool.map(lambda item: run_page(*item), sources.items())))
    for src_uri, (replacements, pictures) in done.items():
        _results[src_uri] = replacements
        for site_path, data in pictures.items():
            files.append(File.generated(config, site_path, content=data))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    replacements = _results.get(page.file.src_uri)
    return replace_blocks(markdown, replacements) if replacements else markdown
