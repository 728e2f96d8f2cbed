"""The example notebook, run headless in a real kernel (nbclient, ipykernel): traces display as
the circuit (inline SVG) above the table, with plain text for text front-ends, and arrays as
summaries. Every output of every cell is checked, not only the last: a trace shows once, and
nothing else (no stray prints, no second copy of a table) reaches the notebook."""

from pathlib import Path

import needs
import pytest

pytestmark = pytest.mark.slow  # runs a notebook in a Jupyter kernel

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "lecture.ipynb"
TRACES = (0, 2, 3, 6, 7)  # the code cells whose result is a trace
DRAW = 5  # gradtrace.draw(neuron)
CHECKED = 8  # gradtrace.check_layer(affine_forward, affine_backward, ...): a table of its own
MICROGRAD = NOTEBOOK.with_name("micrograd.ipynb")
MICROGRAD_TRACES = (1, 4, 5, 6)  # o.trace(), a trained neuron's trace, a Python function's, one of arrays
MICROGRAD_DRAW = 2  # draw_dot(o)


def _run(env=None, allow_errors=False, notebook=NOTEBOOK):
    nbformat = needs.module("nbformat", "pip install '.[test]'")
    nbclient = needs.module("nbclient", "pip install '.[test]'")
    needs.module("ipykernel", "pip install '.[test]'")
    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=allow_errors,
                                     resources={"metadata": {"path": str(notebook.parent)}})
    client.execute(**({"env": env} if env else {}))
    return [cell for cell in nb.cells if cell.cell_type == "code"]


@pytest.fixture(scope="module")
def executed():
    needs.program("dot", "graphviz")  # the notebook draws a circuit (gradtrace.draw)
    return _run()


@pytest.fixture(scope="module")
def executed_without_dot(tmp_path_factory):
    """The notebook in a kernel whose PATH has no Graphviz (nor anything else)."""
    import os

    return _run(env={**os.environ, "PATH": str(tmp_path_factory.mktemp("empty-path"))}, allow_errors=True)


def _data(cell):
    out = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
    assert out, cell.source
    return out[-1]["data"]


def _kinds(cell):
    """Every output of a cell, as (output type, mime types or stream name)."""
    return [(o.output_type, tuple(sorted(o.get("data", {}))) if "data" in o else o.get("name", o.get("ename")))
            for o in cell.outputs]


def test_every_cell_shows_its_result_once_and_nothing_else(executed):
    needs.program("dot", "graphviz")
    assert len(executed) == 9, "the notebook changed: update TRACES, DRAW and CHECKED"
    for number, cell in enumerate(executed):
        if number in TRACES or number == CHECKED:
            expected = [("execute_result", ("text/html", "text/plain"))]
        elif number == DRAW:
            expected = [("execute_result", ("image/svg+xml", "text/plain"))]
        else:
            expected = [("execute_result", ("text/plain",))]
        assert _kinds(cell) == expected, cell.source
    for number in TRACES:  # one table in the one result, circuit and all
        data = _data(executed[number])
        assert data["text/html"].count("<pre") == 1 and data["text/html"].count("<svg") == 1, executed[number].source


def test_without_dot_a_trace_shows_its_table_once_and_draw_says_what_to_install(executed_without_dot):
    cells = executed_without_dot
    for number, cell in enumerate(cells):
        kinds = _kinds(cell)
        if number == DRAW:  # displaying the circuit fails, clearly; its text repr still shows
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert len(errors) == 1 and errors[0].ename == "MissingProgram", kinds
            assert "install Graphviz" in errors[0].evalue and "apt-get install graphviz" in errors[0].evalue
            assert [k for k in kinds if k[0] != "error"] == [("execute_result", ("text/plain",))]
            continue
        results = [k for k in kinds if k[0] != "stream"]
        streams = [o for o in cell.outputs if o.output_type == "stream"]
        if number in TRACES:
            assert results == [("execute_result", ("text/html", "text/plain"))], cell.source
            html = _data(cell)["text/html"]
            assert html.count("<pre") == 1 and "<svg" not in html
        elif number == CHECKED:
            assert results == [("execute_result", ("text/html", "text/plain"))], cell.source
        else:
            assert results == [("execute_result", ("text/plain",))], cell.source
        # the one stream in the whole notebook: the first trace says, once, why it has no picture
        if number == TRACES[0]:
            assert len(streams) == 1 and streams[0].name == "stderr" and "only the table" in streams[0].text
        else:
            assert not streams, cell.source


def test_a_layer_checked_in_the_notebook_names_its_slip(executed):
    """The course's affine layer with an extra 1/N in db: check_layer's table fails db alone and
    names the mistake."""
    data = _data(executed[CHECKED])
    assert "failed" in data["text/plain"]
    html = data["text/html"]
    assert "an extra 1/N" in html and "divided by N = 4" in html, html[:2000]


def test_no_cell_fails(executed):
    for cell in executed:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source


def test_a_trace_shows_its_circuit_above_its_table(executed):
    needs.program("dot", "graphviz")
    data = _data(executed[0])
    assert "<svg" in data["text/html"] and data["text/html"].index("<svg") < data["text/html"].index("<pre")
    assert "∂f/∂t1 = z = -4" in data["text/html"] and "<script" not in data["text/html"]
    assert "switcher" in data["text/plain"] and "f = -12" in data["text/plain"]


def test_the_lecture_numbers_and_the_grading_show(executed):
    assert "(-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0}, ('distributor',))" in _data(executed[1])["text/plain"]
    assert "∂f/∂w0 = -0.1966" in _data(executed[2])["text/plain"]
    assert "(1 - f)·f" in _data(executed[3])["text/plain"]
    assert _data(executed[4])["text/plain"] == "[('x', True), ('y', True), ('z', False)]"


def test_draw_is_a_graphviz_object_that_shows_inline(executed):
    needs.program("dot", "graphviz")
    assert "image/svg+xml" in _data(executed[5])


def test_arrays_show_summaries(executed):
    big = _data(executed[7])["text/plain"]
    assert "shape (100000,)" in big and len(big) < 5000


def test_draw_without_dot_says_what_to_install(tmp_path, monkeypatch):
    """dot hidden from PATH: the circuit's DOT text is there, and every way of drawing it (as a
    notebook displays it, pipe, render) raises gradtrace's MissingProgram, which says what to install."""
    import gradtrace
    from gradtrace.core.errors import MissingProgram

    monkeypatch.setenv("PATH", str(tmp_path))
    circuit = gradtrace.draw(gradtrace.trace("(x+y)*z", x=-2, y=5, z=-4))
    assert circuit.source.startswith("digraph")
    for draw in (circuit._repr_mimebundle_, lambda: circuit.pipe(format="svg"),
                 lambda: circuit.render(tmp_path / "circuit", format="png")):
        with pytest.raises(MissingProgram) as caught:
            draw()
        message = str(caught.value)
        assert "Graphviz" in message and "install Graphviz" in message and "apt-get install graphviz" in message
        assert "brew install graphviz" in message and ".source" in message
    assert gradtrace.draw("x*y", x=2, y=3).source.startswith("digraph")  # a program and its bindings too


def test_without_dot_the_html_falls_back_to_the_table_and_says_so_once(monkeypatch):
    import warnings

    import gradtrace
    from gradtrace.core.errors import MissingProgram
    from gradtrace.render import display, picture

    def missing(*args, **kwargs):
        raise MissingProgram("Graphviz's dot program is not installed")

    monkeypatch.setattr(picture, "draw", missing)
    monkeypatch.setattr(display, "_WARNED", [])
    t = gradtrace.trace("(x+y)*z", x=-2, y=5, z=-4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first, second = t._repr_html_(), t._repr_html_()
    assert "<svg" not in first and "∂f/∂t1 = z = -4" in first and first == second
    assert len(caught) == 1 and "only the table" in str(caught[0].message)


def test_reprs_are_short_and_useful():
    import numpy as np

    import gradtrace

    t = gradtrace.trace("(x+y)*z", x=-2, y=5, z=-4)
    assert repr(t) == "<Trace (x+y)*z: f = -12.0; ∂f/∂x = -4.0, ∂f/∂y = -4.0, ∂f/∂z = 3.0>"
    assert repr(t.node("t1")) == "<NodeTrace t1 = x + y: value 3.0, upstream -4.0>"
    big = gradtrace.trace("sum(x*x)", x=np.ones((400, 400)))
    assert len(repr(big)) < 200 and "array(400, 400)" in repr(big)


# ---- examples/micrograd.ipynb: micrograd's Value, its nn.py on it, and a traced function ----------

@pytest.fixture(scope="module")
def micrograd_notebook():
    needs.program("dot", "graphviz")  # draw_dot and the traces' circuits
    needs.module("micrograd", "pip install '.[test]'")
    return _run(notebook=MICROGRAD)


def test_the_micrograd_notebook_shows_each_result_once(micrograd_notebook):
    cells = micrograd_notebook
    assert len(cells) == 7, "the notebook changed: update MICROGRAD_TRACES and MICROGRAD_DRAW"
    for number, cell in enumerate(cells):
        if number in MICROGRAD_TRACES:
            expected = [("execute_result", ("text/html", "text/plain"))]
        elif number == MICROGRAD_DRAW:
            expected = [("execute_result", ("image/svg+xml", "text/plain"))]
        else:
            expected = [("execute_result", ("text/plain",))]
        assert _kinds(cell) == expected, cell.source
    for number in MICROGRAD_TRACES:
        html = _data(cells[number])["text/html"]
        assert html.count("<pre") == 1 and html.count("<svg") == 1, cells[number].source


def test_the_micrograd_notebook_has_the_lectures_neuron_and_trains(micrograd_notebook):
    cells = micrograd_notebook
    assert _data(cells[0])["text/plain"] == "[('x1', -1.5), ('w1', 1.0), ('x2', 0.5), ('w2', 0.0), ('b', 0.5)]"
    neuron = _data(cells[1])["text/plain"]
    assert neuron.startswith("n = x1*w1 + x2*w2 + b; o = tanh(n)") and "∂o/∂n = 1 - o² = 0.5" in neuron
    curve = [float(v) for v in _data(cells[3])["text/plain"].strip("[]").split(",")]
    assert len(curve) == 15 and curve[-1] < 0.5 * curve[0]
    trained = _data(cells[4])["text/plain"]
    assert trained.startswith("relu(b + w0*x0 + w1*x1)") and "∂f/∂w0 = " in trained
    assert _data(cells[5])["text/plain"].startswith("f = (x + y)*z + exp(-z)")
    net = _data(cells[6])["text/plain"]
    assert net.startswith("net = sum(W2@relu(W1@x))") and "net = 22" in net
