"""The example notebook, run headless in a real kernel (nbclient, ipykernel): traces display as
the circuit (inline SVG) above the table, with plain text for text front-ends, and arrays as
summaries."""

from pathlib import Path

import needs
import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "lecture.ipynb"


@pytest.fixture(scope="module")
def executed():
    nbformat = needs.module("nbformat", "pip install '.[test]'")
    nbclient = needs.module("nbclient", "pip install '.[test]'")
    needs.module("ipykernel", "pip install '.[test]'")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _data(cell):
    out = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
    assert out, cell.source
    return out[-1]["data"]


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


def test_without_dot_the_html_falls_back_to_the_table_and_says_so_once(monkeypatch):
    import warnings

    import gradtrace
    from gradtrace import display
    from gradtrace.core.errors import MissingProgram
    from gradtrace.render import picture

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
