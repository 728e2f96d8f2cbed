"""Issue: pictures. DOT, rendered PNG/SVG/PDF, Mermaid, the HTML page and the terminal drawing."""

import re
import struct
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import goldens
import pytest
from conftest import HEADLINE, SIGMOID, SIGMOID_BINDINGS

GOLDEN = Path(__file__).parent / "golden"
WIRE = re.compile(r'^  (w\d+) \[shape=plaintext.*<font color="#1a7f37">([^<]+)</font>.*'
                  r'<font color="#cf222e">([^<]+)</font>.*\];$')


def needs_dot():
    """Rendering must run in CI (which installs Graphviz); elsewhere it may be skipped."""
    import needs

    needs.program("dot", "graphviz")


# ---- DOT --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["headline", "sigmoid_neuron"])
def test_dot_golden(gt, name):
    path = GOLDEN / f"{name}.dot"
    assert gt(*goldens.goldens()[path]).stdout == path.read_text()  # python tests/goldens.py rewrites it


def test_every_wire_carries_its_value_and_its_gradient(gt):
    out = gt(SIGMOID, *SIGMOID_BINDINGS, "--dot").stdout
    wires = {m.group(1): (m.group(2), m.group(3)) for m in map(WIRE.match, out.splitlines()) if m}
    assert len(wires) == 13  # 12 edges and the output wire
    edges = re.findall(r"^  (\w+) -> (\w+)", out, flags=re.M)
    assert len(edges) == 2 * len(wires)
    for source, target in edges:
        assert source in wires or target in wires, "an edge without its numbers"
    # The lecture's numbers on the wires: value above, gradient below.
    assert ("0.3679", "-0.5344") in wires.values() and ("-1", "-0.1966") in wires.values()
    assert ("0.7311", "1") in wires.values()
    assert out.count("shape=circle") == 8 and "rankdir=LR" in out


def test_fan_out_goes_through_a_visible_adder(gt):
    out = gt("x*y + x", "-x", "3", "-y", "-2", "--dot").stdout
    assert out.count("shape=point, width=0.09") == 1 and "adder" in out
    wires = [(m.group(2), m.group(3)) for m in map(WIRE.match, out.splitlines()) if m]
    assert ("3", "-1") in wires        # into the adder: the total
    assert ("3", "-2") in wires and ("3", "1") in wires  # its two branches


def test_dot_is_deterministic(gt):
    assert gt(*HEADLINE, "--dot").stdout == gt(*HEADLINE, "--dot").stdout


# ---- rendering through Graphviz ---------------------------------------------------------------

def test_sigmoid_renders_to_png_svg_and_pdf(gt, tmp_path):
    needs_dot()
    png, svg, pdf = tmp_path / "s.png", tmp_path / "s.svg", tmp_path / "s.pdf"
    for path in (png, svg, pdf):
        result = gt(SIGMOID, *SIGMOID_BINDINGS, "--render", str(path))
        assert result.exit_code == 0, result.stderr
        assert f"wrote {path}" in result.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert 1000 < width < 5000 and 200 < height < 2000 and width > height
    root = ET.fromstring(svg.read_bytes())
    assert root.tag.endswith("svg")
    texts = "".join(root.itertext())
    assert "0.7311" in texts and "-0.5344" in texts and "σ" not in texts
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_svg_is_deterministic(gt, tmp_path):
    needs_dot()
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    gt(*HEADLINE, "--render", str(a))
    gt(*HEADLINE, "--render", str(b))
    assert a.read_bytes() == b.read_bytes()


def test_without_dot_render_exits_1_and_says_how_to_install_but_dot_text_still_works(gt, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot program anywhere
    result = gt(*HEADLINE, "--render", str(tmp_path / "x.png"))
    assert result.exit_code == 1
    assert "Graphviz's dot program is not installed" in result.stderr
    assert "apt-get install graphviz" in result.stderr
    assert not (tmp_path / "x.png").exists()
    result = gt(*HEADLINE, "--dot")
    assert result.exit_code == 0 and result.stdout.startswith("digraph gradtrace {")


def test_render_refuses_unknown_suffixes(gt, tmp_path):
    result = gt(*HEADLINE, "--render", str(tmp_path / "x.gif"))
    assert result.exit_code == 2 and "must end in .svg, .png or .pdf" in result.stderr


# ---- the HTML page ----------------------------------------------------------------------------

class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.external = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "data", "action") and value and not value.startswith("#"):
                self.external.append((tag, name, value))
        if tag in ("link", "iframe", "img", "object", "embed") or (tag == "script" and "src" in dict(attrs)):
            self.external.append((tag, "", ""))  # an inline <script> is part of the page itself


def test_html_page_embeds_the_svg_and_references_nothing_external(gt, tmp_path):
    needs_dot()
    page = tmp_path / "lesson.html"
    result = gt(*HEADLINE, "--html", str(page))
    assert result.exit_code == 0
    text = page.read_text()
    parser = _Page()
    parser.feed(text)
    assert "svg" in parser.tags and "table" in parser.tags and "pre" in parser.tags
    assert parser.external == []
    assert "http://" not in text and "https://" not in text and "<!DOCTYPE svg" not in text
    assert "∂f/∂x = ∂f/∂t1 · ∂t1/∂x = -4 · 1 = -4" in text.replace("&gt;", ">")
    assert text.count("<tr") == 1 + 5
    assert "<script src" not in text and "<link" not in text  # the page's script is inline


# ---- Mermaid ----------------------------------------------------------------------------------

def test_mermaid_flowchart_with_values_and_gradients_on_edges(gt):
    out = gt(*HEADLINE, "--mermaid").stdout
    assert out.startswith("flowchart LR\n")
    # Each wire carries its value (class value: green), then its gradient (class grad: red).
    wires = re.findall(r"  (\w+) --- (v\d+) --- (g\d+) (?:-->|---) (\w+)", out)
    assert len(wires) == 5
    assert 'v1["-2"]:::value' in out and 'g1["∂ -4"]:::grad' in out
    assert "classDef value fill:none,stroke:none,color:#1a7f37" in out
    assert "classDef grad fill:none,stroke:none,color:#cf222e" in out
    last = wires[-1]
    assert last[3] == "output" and f'{last[1]}["-12"]:::value' in out and f'{last[2]}["∂ 1"]:::grad' in out
    # "end" is a Mermaid keyword: no node may be called that.
    assert not re.search(r"\bend\b", out)


# ---- the terminal drawing ---------------------------------------------------------------------

def test_graph_golden_at_80_columns_and_piped(gt):
    result = gt(*HEADLINE, "--graph")
    assert result.stdout == (GOLDEN / "headline.graph.txt").read_text()
    assert "\x1b[" not in result.stdout


def test_graph_of_a_deep_circuit_fits_80_columns_in_bands(gt):
    out = gt(SIGMOID, *SIGMOID_BINDINGS, "--graph").stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "▸ t5" in out and "t5 ───" in out  # the cut, continued by name
    for number in ("0.3679", "-0.5344", "1.368", "0.7311", "-0.1966"):
        assert number in out


def test_graph_too_large_prints_a_summary(gt):
    program = " + ".join(f"x{i}*y" for i in range(30))
    bindings = [f"x{i}=1" for i in range(30)] + ["y=2"]
    out = " ".join(gt(program, *bindings, "--graph").stdout.split())
    assert "59 gates are more than a terminal drawing can show readably" in out
    assert "--render graph.svg" in out


@pytest.mark.slow
def test_large_graphs_draw_quickly_or_are_refused_clearly(gt, tmp_path):
    needs_dot()
    terms = 100  # 200 gates, one value fanning out to 100 of them: minutes without iteration limits
    program = " + ".join(f"x{i}*y" for i in range(terms))
    bindings = [f"x{i}=1" for i in range(terms)] + ["y=2"]
    result = gt(program, *bindings, "--render", str(tmp_path / "big.svg"))
    assert result.exit_code == 0 and (tmp_path / "big.svg").stat().st_size > 0
    assert "nslimit=2" in gt(program, *bindings, "--dot").stdout
    program = " + ".join(f"x{i}*y" for i in range(200))
    bindings = [f"x{i}=1" for i in range(200)] + ["y=2"]
    result = gt(program, *bindings, "--render", str(tmp_path / "huge.svg"))
    assert result.exit_code == 1 and "399 gates, too many to draw readably (at most 250)" in result.stderr
    assert gt(program, *bindings, "--dot").exit_code == 0


MERMAID_PROGRAMS = [
    ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4"],
    ["1/(1+exp(-(w0*x0+w1*x1+w2)))", "--w0", "2", "--x0", "-1", "--w1", "-3", "--x1", "-2", "--w2", "-3"],
    ["x*y + x + max(x, y)", "-x", "3", "-y", "-2"],
    ["α*√w₁ + σ(x)²", "--alpha", "0.5", "--w1", "2", "-x", "1"],
    ["sum(W @ x)", "-W", "[[1, 2], [3, 4]]", "-x", "[1, -1]"],
    ["q = x + y; f = q * z"],
    ['a_"quoted" + b<script>', "--a_", "1"],
]


def test_mermaid_output_passes_the_real_mermaid_parser(gt, tmp_path):
    import subprocess

    import needs

    node, modules = needs.node_tools()
    files = []
    for k, args in enumerate(MERMAID_PROGRAMS):
        result = gt(*args, "--mermaid")
        if result.exit_code != 0:
            continue  # a program the language refuses has no diagram to check
        path = tmp_path / f"d{k}.mmd"
        path.write_text(result.stdout)
        files.append(str(path))
    assert len(files) >= 6
    done = subprocess.run([node, str(modules.parent / "mermaid_parse.mjs"), *files], capture_output=True, text=True,
                          timeout=120, cwd=modules.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("ok ") == len(files)


@pytest.mark.parametrize("blank, values_shown, gradients_shown", [
    ("gradients", {"-2", "5", "-4", "3", "-12"}, {"1"}),
    ("values", {"-2", "5", "-4"}, {"-4", "3", "1"}),
    ("values,gradients", {"-2", "5", "-4"}, {"1"}),
])
def test_a_fill_in_picture_leaves_the_chosen_numbers_blank(gt, tmp_path, blank, values_shown, gradients_shown):
    """--render FILE --blank ...: the variables keep their values and the output wire its 1."""
    needs_dot()
    path = tmp_path / "blank.svg"
    result = gt(*HEADLINE, "--render", str(path), "--blank", blank)
    assert result.exit_code == 0, result.stderr
    import html

    svg = html.unescape(path.read_text())
    green = set(re.findall(r'<text[^>]*fill="#1a7f37"[^>]*>([^<]*)</text>', svg))
    red = set(re.findall(r'<text[^>]*fill="#cf222e"[^>]*>([^<]*)</text>', svg))
    assert green == values_shown and red == gradients_shown


def test_blank_needs_a_picture_and_known_words(gt):
    assert gt(*HEADLINE, "--blank", "gradients").exit_code == 2
    assert gt(*HEADLINE, "--render", "x.svg", "--blank", "answers").exit_code == 2
