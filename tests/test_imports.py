"""The scalar path stays light: no sympy, no numpy (they cost about 0.5 s and 0.15 s to import)."""

import json
import subprocess
import sys

PROBE = """
import sys
from gradtrace.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("sympy", "numpy", "graphviz") if m in sys.modules)
print("HEAVY=" + ",".join(heavy), file=sys.stderr)
"""


def run(*args):
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60)


def test_headline_imports_neither_sympy_nor_numpy():
    result = run("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4")
    assert "f = -12" in result.stdout
    assert result.stderr.strip().endswith("HEAVY="), result.stderr


def test_json_path_imports_neither_sympy_nor_numpy():
    result = run("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--json")
    assert json.loads(result.stdout)["output"]["value"] == -12
    assert result.stderr.strip().endswith("HEAVY="), result.stderr


def test_python_dash_m_and_exit_codes():
    ok = subprocess.run([sys.executable, "-m", "gradtrace", "x*2", "-x", "3", "--json"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and json.loads(ok.stdout)["gradients"] == {"x": 2.0}
    bad = subprocess.run([sys.executable, "-m", "gradtrace", "log(x)", "-x", "-1"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "log needs a positive input" in bad.stderr and bad.stdout == ""
    assert "Traceback" not in bad.stderr


# Every mode runs on the runtime dependencies alone: a module that is not in the standard library
# and not (transitively) required by gradtrace's own metadata is blocked, as on a plain install.
ONLY_RUNTIME = r"""
import importlib.metadata as md
import re
import sys

def requirements(dist, seen):
    for req in md.requires(dist) or ():
        if "extra ==" in req:
            continue
        name = re.match(r"[A-Za-z0-9_.\-]+", req).group(0)
        key = name.lower().replace("_", "-")
        if key not in seen:
            seen.add(key)
            try:
                requirements(name, seen)
            except md.PackageNotFoundError:
                pass
    return seen

allowed_dists = requirements("gradtrace", set())
by_module = md.packages_distributions()
allowed = {m for m, dists in by_module.items()
           if any(d.lower().replace("_", "-") in allowed_dists for d in dists)} | {"gradtrace"}

class Block:
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in sys.stdlib_module_names or top in allowed or top.startswith("_"):
            return None
        raise ImportError(f"{top} is not a runtime dependency of gradtrace")

sys.meta_path.insert(0, Block())
from gradtrace.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


import pytest  # noqa: E402


@pytest.mark.slow
@pytest.mark.parametrize("args, shows", [
    (["(x+y)*z"], "x + y"),
    (["x/y", "-x", "1", "-y", "3", "--exact"], "1/3"),
    (["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--expect", "x=-4"], "✓"),
    (["sum((W @ x)**2)", "-W", "[[0.1,0.5],[-0.3,0.8]]", "-x", "[0.2,0.4]", "--check"], "good"),
    (["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--dot"], "digraph"),
])
def test_every_mode_runs_on_the_runtime_dependencies_alone(args, shows):
    done = subprocess.run([sys.executable, "-c", ONLY_RUNTIME, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "internal error" not in done.stderr, done.stderr
    assert shows in done.stdout
