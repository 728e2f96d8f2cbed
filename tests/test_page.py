"""The --html page in a real browser (headless Chromium over the DevTools protocol): stepping
through the sigmoid neuron gate by gate, the self-test mode graded by --expect's rule, the
permalink, JavaScript off, a phone's width, dark mode, and an accessibility check (axe-core)."""

import json

import needs
import pytest
from conftest import SIGMOID

import gradtrace
from gradtrace.modes.answers import grade, with_float_noise
from gradtrace.render import html

pytestmark = pytest.mark.slow  # drives the page in Chromium

BINDINGS = dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    needs.program("dot", "graphviz")  # the page's circuit
    path = tmp_path_factory.mktemp("page") / "neuron.html"
    trace = with_float_noise(gradtrace.trace(SIGMOID, **BINDINGS))  # the self-test grades by it, as --html
    path.write_text(html.render(trace), encoding="utf-8")
    return path, trace


def _browser(**kwargs):
    chromium = needs.program("chromium", "chromium")
    needs.module("websocket", "pip install '.[test]'")
    from browser import Browser

    return Browser(chromium, **kwargs)


@pytest.fixture(scope="module")
def browser():
    b = _browser()
    yield b
    b.close()


def _state(b):
    return b.js("""({where: document.getElementById('where').textContent,
        step: document.getElementById('step').textContent,
        gates: Array.from(document.querySelectorAll('g.node.current title')).map(t => t.textContent),
        rows: Array.from(document.querySelectorAll('tr.current')).map(r => r.dataset.node),
        hash: location.hash,
        hiddenValues: Array.from(document.querySelectorAll('tr.no-value')).map(r => r.dataset.node),
        hiddenGrads: Array.from(document.querySelectorAll('tr.no-grad')).map(r => r.dataset.node)})""")


def test_stepping_through_every_gate_of_the_sigmoid_neuron(browser, page):
    path, trace = page
    walk = html.steps(trace)
    forward = [s for s in walk if s["phase"] == "forward"]
    assert [s["name"] for s in forward] == ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "f"]
    assert walk[len(forward)]["name"] == "f" and walk[-1]["name"] == "t1"
    browser.open(path.as_uri())
    for k, expected in enumerate(walk):
        if k:
            if k % 2:
                browser.key("ArrowRight", "ArrowRight", 39)
            else:
                browser.js("document.getElementById('next').click()")
        state = _state(browser)
        assert state["where"].startswith(f"Step {k + 1} of {len(walk)}: the {expected['phase']} pass at "
                                          f"{expected['name']}")
        assert state["gates"] == [expected["id"]] and state["rows"] == [expected["id"]]
        assert state["step"] == expected["text"] and state["hash"] == f"#step={k + 1}"
        if expected["phase"] == "forward":
            # Gates not reached yet show no value, and no gradient is shown in the forward pass.
            later = {s["id"] for s in forward[k + 1:]}
            assert set(state["hiddenValues"]) == later
            assert len(state["hiddenGrads"]) == len(trace.nodes)
    # The lecture's numbers on the way back.
    texts = [s["text"] for s in walk if s["phase"] == "backward"]
    assert "∂f/∂t7 = -1/t7² = -1/1.368² = -0.5344" in texts[0]
    assert any("e^-1 = 0.3679" in t for t in texts)
    assert _state(browser)["hiddenGrads"] == []  # at the last step every gradient is known
    browser.key("ArrowLeft", "ArrowLeft", 37)
    assert _state(browser)["where"].startswith(f"Step {len(walk) - 1} of")
    browser.key("Home", "Home", 36)
    assert _state(browser)["where"].startswith("Step 1 of")


def test_the_permalink_opens_at_its_step(browser, page):
    path, _ = page
    browser.open(path.as_uri() + "#step=12&hide=1")
    state = _state(browser)
    assert state["where"].startswith("Step 12 of") and state["hash"] == "#step=12&hide=1"
    assert browser.js("document.getElementById('hide').checked") is True


@pytest.mark.parametrize("answer", ["0.39", "0.393", "0.4", "0.3932", "0.3", "0.38", "0", "0.00", "1e-2", "abc", ""])
def test_self_test_mode_grades_as_expect_does(browser, page, answer):
    path, trace = page
    browser.open(path.as_uri() + "#step=1&hide=1")
    row = trace.node("x0")
    shown = browser.js(f"""(() => {{
        const input = document.querySelector("tr[data-node='n{row.id}'] input");
        input.value = {json.dumps(answer)};
        input.dispatchEvent(new Event('input'));
        return input.parentNode.querySelector('output').textContent; }})()""")
    if not answer:
        assert shown == ""
    elif answer == "abc":
        assert shown == "type a number"
    else:
        right, _ = grade(answer, row.upstream)
        assert shown == ("✓ right" if right else "✗ not yet"), (answer, row.upstream)


def test_the_pages_rule_is_the_python_rule(browser, page):
    """The JavaScript port of answers.py's rule, on a table of answers and true values."""
    path, _ = page
    browser.open(path.as_uri())
    cases = [(a, v) for v in (0.3932238664829637, -0.5344, 12.0, 1.2244e-06, -3.0, 2.0 / 3, 1e-20, 0.0)
             for a in ("0.39", "0.393", "0.4", "-0.53", "-0.5344", "12", "12.0", "12.01", "1.224e-06", "1.22e-6",
                       "-3", "-3.000", "0.6667", "0.667", "0.67", "0", "0.0", "1e-20", "0.3932")]
    page_says = browser.js(f"{json.dumps(cases)}.map(c => window.gradtraceGrade(c[0], c[1], 0))")
    python_says = [grade(a, v)[0] for a, v in cases]
    assert page_says == python_says


def test_with_javascript_off_everything_is_shown(page):
    path, _ = page
    b = _browser(javascript=False)
    try:
        b.open(path.as_uri())
        assert b.js("document.getElementById('controls').hidden") is True
        assert b.js("document.body.classList.contains('stepping')") is False
        visible = b.js("""Array.from(document.querySelectorAll('td.value, td.grad, td.local'))
            .every(td => getComputedStyle(td).visibility === 'visible')""")
        assert visible
    finally:
        b.close()


@pytest.mark.parametrize("width, dark", [(420, False), (420, True), (1000, True)])
def test_a_phone_and_dark_mode(page, tmp_path, width, dark):
    path, _ = page
    b = _browser(width=width, height=900, dark=dark)
    try:
        b.open(path.as_uri())
        assert b.js("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
        background = b.js("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(13, 17, 23)") == dark
        b.screenshot(tmp_path / f"page-{width}{'-dark' if dark else ''}.png")
    finally:
        b.close()


@pytest.mark.parametrize("width, dark, hide", [(1000, False, False), (420, True, False), (1000, False, True)])
def test_accessibility_with_axe_core(page, width, dark, hide):
    """axe-core's WCAG 2 A and AA rules (labels, contrast, landmarks, focus), in the browser."""
    path, _ = page
    _, modules = needs.node_tools()
    b = _browser(width=width, dark=dark)
    try:
        b.open(path.as_uri() + ("#step=5&hide=1" if hide else ""))
        b.js((modules / "axe-core" / "axe.min.js").read_text())
        result = b.js("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})"
                      ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.length + ' ' + v.help))")
        assert result == []
    finally:
        b.close()


def test_tab_order_follows_the_controls(browser, page):
    path, _ = page
    browser.open(path.as_uri())
    order = []
    for _ in range(6):
        browser.key("Tab", "Tab", 9)
        order.append(browser.js("document.activeElement.id || document.activeElement.tagName"))
    # Back is disabled at the first step, so focus starts at Next.
    assert order[:4] == ["next", "restart", "all", "hide"]


def test_typing_gradients_into_the_picture(browser, page):
    """In the self-test each red number on a wire is a box; the page grades what is typed there."""
    path, _ = page
    browser.open(path.as_uri() + "#step=1&hide=1")
    boxes = browser.js("document.querySelectorAll('foreignObject.wire-answer input').length")
    # Every wire but the output's, whose gradient of 1 is where backprop starts, given.
    wires = browser.js("JSON.parse(document.getElementById('gradtrace-data').textContent).wires.length")
    assert boxes == wires - 1 > 10
    labels = browser.js("Array.from(document.querySelectorAll('foreignObject.wire-answer input'))"
                        ".map(i => i.getAttribute('aria-label'))")
    assert "your gradient on the wire from x0 to t1" in labels
    k = labels.index("your gradient on the wire from x0 to t1")
    verdicts = {}
    for answer in ("0.39", "0.3932", "-0.39", "0"):
        verdicts[answer] = browser.js(f"""(() => {{
            const input = document.querySelectorAll('foreignObject.wire-answer input')[{k}];
            input.value = {json.dumps(answer)}; input.dispatchEvent(new Event('input'));
            return input.parentNode.querySelector('output').textContent; }})()""")
    assert verdicts == {"0.39": "✓ right", "0.3932": "✓ right", "-0.39": "✗ not yet", "0": "✗ not yet"}
    browser.js("document.getElementById('hide').click()")
    assert browser.js("Array.from(document.querySelectorAll('foreignObject.wire-answer'))"
                      ".every(box => box.getClientRects().length === 0)")  # kept, with their answers, but not shown


def _sum_of_tanh(terms: int):
    """tanh(w0*x0) + tanh(w1*x1) + ...: about three gates a term."""
    bindings = {f"w{i}": 0.1 * i for i in range(terms)} | {f"x{i}": 0.5 for i in range(7)}
    return with_float_noise(gradtrace.trace(" + ".join(f"tanh(w{i}*x{i % 7})" for i in range(terms)), **bindings))


def test_the_page_is_small_and_a_250_gate_circuit_steps_smoothly(page, tmp_path):
    """Counted, never timed: the page grows linearly with the circuit, and stepping through all of
    it changes each row, line and gate of the page a few times in all (not every one at every
    step) and lays the page out at most twice a step (no layout read in a loop over the rows)."""
    path, _ = page
    assert path.stat().st_size < 200_000
    small, big = _sum_of_tanh(20), _sum_of_tanh(83)
    assert big.gate_count >= 248
    sizes = {}
    for name, trace in (("small", small), ("big", big)):
        (tmp_path / f"{name}.html").write_text(html.render(trace), encoding="utf-8")
        sizes[name] = (tmp_path / f"{name}.html").stat().st_size / trace.gate_count
    assert sizes["big"] < 1.25 * sizes["small"], sizes  # bytes per gate: linear, not quadratic
    b = _browser()
    try:
        b.open((tmp_path / "big.html").as_uri())
        b.send("Performance.enable")
        layouts = lambda: next(m["value"] for m in b.send("Performance.getMetrics")["metrics"]
                               if m["name"] == "LayoutCount")
        before = layouts()
        walked = b.js("""(() => {
            const next = document.getElementById('next'), seen = new MutationObserver(() => {});
            seen.observe(document.body, {attributes: true, childList: true, subtree: true, characterData: true});
            let steps = 0, changes = 0;
            while (!next.disabled && steps < 100000) {
              next.click();
              document.body.offsetHeight;  // lay the step out, as the screen would
              changes += seen.takeRecords().length;
              steps++;
            }
            seen.disconnect();
            return {steps, changes, where: document.getElementById('where').textContent,
                    parts: document.querySelectorAll('tr[data-node], [data-at], figure svg g').length};
            })()""")
        laid_out = layouts() - before
        assert walked["steps"] == len(html.steps(big)) - 1
        assert walked["where"].startswith(f"Step {walked['steps'] + 1} of {walked['steps'] + 1}:")
        assert walked["changes"] <= 4 * walked["parts"], walked
        assert laid_out <= 2 * walked["steps"], (laid_out, walked)
    finally:
        b.close()
