"""The architecture, checked: each folder is one box of the README's picture, and the arrows only
point one way. The core never imports click, rich, the renderers or the CLI; a renderer never
imports the engine (it reads the Trace); and every name an op record's rules call on a backend is
one both backends answer."""

import ast
import math
import subprocess
import sys
from pathlib import Path

import pytest

from gradtrace.core.backends import BACKEND_NAMES, scalar
from gradtrace.core.ops import OPS

PACKAGE = Path(__file__).resolve().parent.parent / "gradtrace"


def imports(path: Path) -> set[str]:
    """Every module a file imports, as absolute dotted names (relative imports resolved)."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.add(module)
            out |= {f"{module}.{alias.name}" for alias in node.names}
    return out


def files(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).glob("*.py"))


@pytest.mark.parametrize("path", files("core"), ids=lambda p: p.name)
def test_the_core_knows_nothing_of_terminals_renderers_or_the_cli(path):
    bad = {m for m in imports(path) if m.split(".")[0] in ("click", "rich")
           or m.startswith(("gradtrace.render", "gradtrace.cli"))}
    assert not bad, f"core/{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", files("render"), ids=lambda p: p.name)
def test_renderers_read_the_trace_not_the_engine_or_the_cli(path):
    bad = {m for m in imports(path) if m.startswith(("gradtrace.core.engine", "gradtrace.cli", "click"))}
    assert not bad, f"render/{path.name} imports {sorted(bad)}"


def test_each_floor_imports_only_the_floors_below_it_and_no_folder_has_a_cycle():
    """import-linter's contracts in pyproject.toml ([tool.importlinter]): cli > render > teach >
    modes > core > i18n, and no import cycle between the modules of any folder, lazy imports
    (inside functions) included."""
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--no-cache"], cwd=PACKAGE.parent, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_no_module_imports_one_that_imports_it_back():
    """Zero cycles anywhere, a package and its own modules included (render/__init__ and a
    renderer, cli and a command), which the sibling contract does not look at."""
    import grimp

    graph = grimp.build_graph("gradtrace", cache_dir=None)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                cycles.append(" -> ".join((importer, *back)))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


class Recorder:
    """A backend stand-in that records every name a rule asks it for, answering with the scalar
    backend (or math) so that the rule runs on."""

    def __init__(self):
        self.names = set()

    def __getattr__(self, name):
        if name == "np":  # array-only rules reach numpy itself as xp.np (the numpy backend's)
            import numpy

            return numpy
        self.names.add(name)
        return getattr(scalar, name)


def _keywords(op):
    """The keyword parameters' defaults; one with none (clip's lo, hi) gets -1, 1, ..."""
    return tuple(default if default is not None else -1.0 + 2 * i for i, (_, default) in enumerate(op.keyword_params))


def _call_all(op, xp):
    """Run a scalar op's every rule once at an ordinary point inside its domain."""
    xs = (0.7, 1.3, 0.4)[: 2 if op.variadic else op.arity]
    params = []
    if op.maths.constant:
        params.append(2.0)
    if op.variadic:
        params.append(())
    params += list(_keywords(op))
    params = tuple(params)
    out = op.apply(xp, xs, params)
    op.local(xp, out, xs, params)
    op.in_domain(xp, xs, params)
    if op.maths.kink is not None:
        op.maths.kink[0](xp, out, xs, *params) if op.variadic else op.maths.kink[0](xp, out, *xs, *params)
    op.which_branch(xp, out, xs, params)


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if not op.arrays_only))
def test_every_backend_name_a_rule_uses_is_in_the_protocol_and_both_backends(name):
    import numpy as np

    from gradtrace.core.numpy_backend import numpy_backend

    recorder = Recorder()
    _call_all(OPS[name], recorder)
    unknown = recorder.names - BACKEND_NAMES
    assert not unknown, f"{name}'s rules call xp.{', xp.'.join(sorted(unknown))}, which Backend does not list"
    for used in recorder.names:
        assert callable(getattr(scalar, used)) and callable(getattr(numpy_backend, used)), used
    # The same rules on arrays give the same numbers as on floats.
    op = OPS[name]
    xs = (0.7, 1.3)[: 2 if op.variadic else op.arity]
    params = tuple([2.0] if op.maths.constant else []) + (((),) if op.variadic else ()) + \
        _keywords(op)
    on_floats = op.local(scalar, op.apply(scalar, xs, params), xs, params)
    arrays = tuple(np.array([x]) for x in xs)
    on_arrays = op.local(numpy_backend, op.apply(numpy_backend, arrays, params), arrays, params)
    for a, b in zip(on_floats, on_arrays):
        assert math.isclose(float(np.ravel(b)[0]), float(a), rel_tol=1e-12, abs_tol=1e-15), name


def test_the_protocol_lists_only_what_both_backends_have():
    from gradtrace.core.numpy_backend import numpy_backend

    for name in BACKEND_NAMES:
        assert callable(getattr(scalar, name)) and callable(getattr(numpy_backend, name)), name
