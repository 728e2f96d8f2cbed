import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

# Property tests: a small, derandomized run by default (fast, and the same in CI every time);
# --hypothesis-profile=long for a long random search.
_quiet = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture]
settings.register_profile("default", max_examples=25, derandomize=True, deadline=None,
                          suppress_health_check=_quiet, print_blob=True)
settings.register_profile("long", max_examples=1000, deadline=None, suppress_health_check=_quiet)
settings.load_profile("default")

from gradtrace.cli import cli  # noqa: E402  (after the profiles, which must be registered first)

HEADLINE = ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4"]
SIGMOID = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
SIGMOID_BINDINGS = ["--w0", "2", "--x0", "-1", "--w1", "-3", "--x1", "-2", "--w2", "-3"]


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch):
    """Renderer output must not depend on the developer's terminal."""
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "GRADTRACE_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "25")


@pytest.fixture
def gt():
    """Run the CLI in-process: gt(*args, input=None) -> click Result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def invoke(*args, input=None, env=None):
        return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)
    return invoke
