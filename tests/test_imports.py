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
