"""--seed means one thing in every command (issue 36): the random seed of whatever the run draws at
random. The gradient backprop starts from is --upstream (upstream= in Python and in a grade key),
and every old use of --seed for it is refused with a message naming --upstream, never read as
something else."""

from __future__ import annotations

import json

import click
import numpy as np
import pytest

import gradtrace
from gradtrace.cli import cli
from gradtrace.i18n import _, language

HEADLINE = ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4"]
W, X = "[[0.1, 0.5], [-0.3, 0.8]]", "[0.2, 0.4]"
ARRAY = ["W @ x", "-W", W, "-x", X]


def _seed_options():
    """(command name, its --seed option) for every command that has one, the trace command too."""
    found = []
    for name, command in cli.commands.items():
        for param in command.params:
            if isinstance(param, click.Option) and "--seed" in param.opts:
                found.append((name, param))
    return found


def test_every_seed_option_is_a_random_seed():
    found = _seed_options()
    assert {name for name, _option in found} >= {"trace", "quiz", "lms"}, found
    for name, option in found:
        assert "random seed" in option.help, (name, option.help)
        assert "backprop starts from" not in option.help and "∂out" not in option.help, (name, option.help)
        with language("ko"):
            assert "난수 seed" in _(option.help), (name, _(option.help))


def test_the_trace_commands_upstream_is_the_gradient_backprop_starts_from(gt):
    (upstream,) = [p for p in cli.commands["trace"].params if "--upstream" in getattr(p, "opts", ())]
    assert "upstream gradient backprop starts from" in upstream.help
    help_text = gt("--help").stdout
    assert "--upstream" in help_text and "--seed N" in help_text


def _json(gt, *args):
    result = gt(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_number_scales_the_whole_backward_pass(gt):
    one, two = _json(gt, *HEADLINE), _json(gt, *HEADLINE, "--upstream", "2")
    for name in ("x", "y", "z"):
        assert two["gradients"][name] == 2 * one["gradients"][name]


@pytest.mark.parametrize("kind", ["ones", "inline", "file", "random:N"])
def test_each_kind_of_upstream_of_an_array_output(gt, tmp_path, kind):
    Wa, xa = np.array(json.loads(W)), np.array(json.loads(X))
    dout = {"ones": np.ones(2), "inline": np.array([1.0, 0.0]), "file": np.array([0.5, -2.0]),
            "random:N": np.random.default_rng(7).standard_normal(2)}[kind]
    np.save(tmp_path / "dout.npy", dout)
    value = {"ones": "ones", "inline": "[1, 0]", "file": f"@{tmp_path / 'dout.npy'}", "random:N": "random:7"}[kind]
    data = _json(gt, *ARRAY, "--upstream", value)
    np.testing.assert_allclose(data["gradients"]["x"], Wa.T @ dout)
    np.testing.assert_allclose(data["gradients"]["W"], np.outer(dout, xa))


def test_random_with_a_seed_is_random_n(gt):
    seeded = gt(*ARRAY, "--upstream", "random", "--seed", "7", "--json")
    named = gt(*ARRAY, "--upstream", "random:7", "--json")
    assert seeded.exit_code == named.exit_code == 0
    assert json.loads(seeded.stdout)["gradients"] == json.loads(named.stdout)["gradients"]
    assert "--upstream random:7" in seeded.stderr and "--seed" not in seeded.stderr  # how to draw it again
    other = gt(*ARRAY, "--upstream", "random", "--seed", "8", "--json")
    assert json.loads(other.stdout)["gradients"] != json.loads(named.stdout)["gradients"]


def test_random_alone_says_how_to_draw_the_same_upstream_again(gt):
    drawn = gt(*ARRAY, "--upstream", "random", "--json")
    assert drawn.exit_code == 0
    n = drawn.stderr.split("(--upstream random:")[1].split(")")[0]
    again = gt(*ARRAY, "--upstream", "random", "--seed", n, "--json")
    assert json.loads(again.stdout)["gradients"] == json.loads(drawn.stdout)["gradients"]


def test_answers_about_an_array_output_are_checked_from_the_seeds_random_upstream(gt):
    seeded = gt(*ARRAY, "--expect", "x=[0, 0]", "--seed", "5", "--json")
    assert seeded.exit_code == 3
    assert "numpy.random.default_rng(5)" in seeded.stderr and "--upstream random:5" in seeded.stderr


def test_the_seed_draws_the_checks_sample_of_a_large_array(gt):
    """--check checks 10 coordinates of a 40-element array, drawn from default_rng(--seed): a kink at
    a coordinate one seed draws and the other doesn't is reported by the one alone."""
    drawn = {seed: {int(k) for k in np.random.default_rng(seed).choice(40, size=10, replace=False)}
             for seed in range(20)}
    other = next(seed for seed in range(1, 20) if drawn[seed] - drawn[0])
    k = min(drawn[other] - drawn[0])
    x = [float(i + 1) for i in range(40)]
    x[k] = 0.0  # relu's kink
    args = ["sum(relu(x))", "-x", json.dumps(x), "--check", "--json"]
    reports = {}
    for seed in (0, other):
        result = gt(*args, "--seed", str(seed))
        assert result.exit_code in (0, 3), result.stderr
        reports[seed] = json.dumps(json.loads(result.stdout)["check"], ensure_ascii=False)
    assert f"x[{k}]" in reports[other] and f"x[{k}]" not in reports[0], reports
    assert gt(*args).stdout == gt(*args, "--seed", "0").stdout  # 0 unless given


@pytest.mark.parametrize("value", ["ones", "[1, 0]", "@dout.npy", "random:7", "random", "2.5", "-1"])
def test_an_old_seed_that_is_no_random_seed_exits_2_naming_upstream(gt, value):
    result = gt(*ARRAY, "--seed", value)
    assert result.exit_code == 2
    assert "--seed is the random seed" in result.stderr and f"--upstream {value}" in result.stderr


@pytest.mark.parametrize("value", ["abc", "[1, ", "2 +"])
def test_a_seed_that_is_no_upstream_either_is_not_offered_as_one(gt, value):
    result = gt(*ARRAY, "--seed", value)
    assert result.exit_code == 2 and "--seed is the random seed, a whole number ≥ 0" in result.stderr
    assert "--upstream" not in result.stderr


@pytest.mark.parametrize("args", [HEADLINE, [*HEADLINE, "--check"], ARRAY])
def test_a_whole_number_seed_where_nothing_is_random_exits_2_naming_upstream(gt, args):
    result = gt(*args, "--seed", "2")
    assert result.exit_code == 2, result.stdout
    assert "nothing in this run is random" in result.stderr and "--upstream 2" in result.stderr


def test_the_migration_messages_are_in_korean_too(gt):
    for value in ("ones", "2"):
        result = gt(*HEADLINE, "--seed", value, "--lang", "ko")
        assert result.exit_code == 2
        assert "난수 seed" in result.stderr and f"--upstream {value}" in result.stderr


def test_two_seeds_for_one_draw_are_refused(gt):
    result = gt(*ARRAY, "--upstream", "random:3", "--seed", "7")
    assert result.exit_code == 2 and "already names its random seed" in result.stderr


def test_python_upstream_and_seed():
    t = gradtrace.trace("(x+y)*z", x=-2, y=5, z=-4, upstream=2)
    assert t.gradients == {"x": -8.0, "y": -8.0, "z": 6.0}
    arrays = {"W": json.loads(W), "x": json.loads(X)}
    seeded = gradtrace.trace("W @ x", **arrays, upstream="random", seed=7)
    named = gradtrace.trace("W @ x", **arrays, upstream="random:7")
    np.testing.assert_array_equal(seeded.gradients["W"], named.gradients["W"])
    np.testing.assert_array_equal(gradtrace.trace("W @ x", **arrays, upstream="random", seed=np.int64(7)).seed,
                                  named.seed)


@pytest.mark.parametrize("seed", ["ones", 2.5, [1, 0], "random:7", True, -1])
def test_python_seed_that_is_no_random_seed_is_a_type_error_naming_upstream(seed):
    with pytest.raises(TypeError, match=r"upstream="):
        gradtrace.trace("(x+y)*z", x=-2, y=5, z=-4, seed=seed)


def test_python_seed_where_nothing_is_random_is_a_type_error_naming_upstream():
    with pytest.raises(TypeError, match=r"nothing in this trace is random.*upstream=2"):
        gradtrace.trace("(x+y)*z", x=-2, y=5, z=-4, seed=2)


def test_a_variable_named_upstream_or_seed_is_bound_by_bindings():
    for name in ("upstream", "seed"):
        with pytest.raises(TypeError, match="ambiguous"):
            gradtrace.trace(f"{name}*2", **{name: 3})
        assert gradtrace.trace(f"{name}*2", bindings={name: 3}).value == 6.0
    t = gradtrace.trace("upstream*x", bindings={"upstream": 3.0}, x=2.0, upstream=2)
    assert t.gradients == {"upstream": 4.0, "x": 6.0}


KEY = 'expression = "f = 3 * (x * y)"\nbindings = { x = 2, y = 5 }\n'


@pytest.mark.parametrize("upstream", ["2", '"2"'])
def test_a_grade_keys_upstream(gt, tmp_path, upstream):
    (tmp_path / "key.toml").write_text(KEY + f"upstream = {upstream}\n[answers]\nx = 0\n")
    (tmp_path / "right.toml").write_text("[answers]\nx = 30\n")
    (tmp_path / "wrong.toml").write_text("[answers]\nx = 15\n")
    result = gt("grade", "--key", str(tmp_path / "key.toml"), str(tmp_path / "right.toml"),
                str(tmp_path / "wrong.toml"), "--format", "json")
    assert result.exit_code == 3, result.stderr
    assert "right" in result.stdout and "ignored the upstream gradient" in result.stdout
    text = gt("grade", "--key", str(tmp_path / "key.toml"), str(tmp_path / "right.toml"))
    assert text.exit_code == 0, text.stderr


@pytest.mark.parametrize("line, words", [
    ("seed = 2", "upstream = 2"),
    ('seed = "ones"', "upstream = ones"),
    ('seed = "random:7"', "upstream = random:7"),
    ('upstream = "random"', "seed = N"),
])
def test_a_grade_key_with_an_old_seed_is_the_keys_error_naming_upstream(gt, tmp_path, line, words):
    (tmp_path / "key.toml").write_text(KEY + f"{line}\n[answers]\nx = 0\n")
    (tmp_path / "a.toml").write_text("[answers]\nx = 30\n")
    result = gt("grade", "--key", str(tmp_path / "key.toml"), str(tmp_path / "a.toml"))
    assert result.exit_code == 2
    assert "key.toml" in result.stderr and words in result.stderr


def test_a_grade_key_may_seed_its_random_upstream(gt, tmp_path):
    (tmp_path / "key.toml").write_text('expression = "f = W @ x"\nbindings = { W = [[1, 2], [3, 4]], x = [1, 1] }\n'
                                       'upstream = "random"\nseed = 7\n[answers]\nx = 0\n')
    dout = np.random.default_rng(7).standard_normal(2)
    truth = np.array([[1, 2], [3, 4]]).T @ dout
    (tmp_path / "a.json").write_text(json.dumps({"answers": {"x": truth.tolist()}}))
    result = gt("grade", "--key", str(tmp_path / "key.toml"), str(tmp_path / "a.json"))
    assert result.exit_code == 0, result.stdout + result.stderr


_PROGRAMS = [("x * 2", {"x": 1.0}), ("x * 2", {"x": [1.0, 2.0]}), (lambda x: x * 2, {"x": np.array([1.0, 2.0])})]
_BAD_UPSTREAMS = [("abc", "must be a number"), (float("nan"), "is NaN"), (float("inf"), "is infinite")]


@pytest.mark.parametrize("program, bound, upstream, words",
                         [(*p, *u) for p in _PROGRAMS for u in _BAD_UPSTREAMS]
                         + [(*p, [1.0, float("nan")], r"upstream\[1\] is NaN") for p in _PROGRAMS[1:]])
def test_python_upstream_is_read_as_a_binding_is(program, bound, upstream, words):
    """upstream= that is no number or array, or not finite, is a ValueError that says so (as --upstream's
    value is), never numpy's or the engine's own error nor a silent NaN gradient."""
    with pytest.raises(ValueError, match=words):
        gradtrace.trace(program, **bound, upstream=upstream)


def test_python_upstream_of_any_array_like_and_a_numbers_text():
    torch = pytest.importorskip("torch")
    for upstream in ([0.5, -2.0], (0.5, -2.0), np.array([0.5, -2.0]), torch.tensor([0.5, -2.0])):
        np.testing.assert_array_equal(gradtrace.trace("x * 3", x=[1.0, 2.0], upstream=upstream).gradients["x"],
                                      [1.5, -6.0])
    assert gradtrace.trace("x * 3", x=1, upstream="1/2").gradients == {"x": 1.5}
    with pytest.raises(TypeError, match="bytes"):
        gradtrace.trace("x * 3", x=1, upstream=b"2")


@pytest.mark.parametrize("mode", ["--exact", "--symbolic"])
def test_an_upstream_other_than_1_in_exact_or_symbolic_mode_exits_2(gt, mode):
    """Exact and symbolic traces start from 1: --upstream 3 was left out of their gradients (∂f/∂x = 2,
    not 6) while answers were graded from 3; it is refused, naming the option."""
    args = ["x * 2", "-x", "1"] if mode == "--exact" else ["x * y"]
    result = gt(*args, mode, "--upstream", "3")
    assert result.exit_code == 2, result.stdout
    assert f"--upstream 3: {mode[2:]} mode starts backprop from 1" in result.stderr
    assert gt(*args, mode, "--upstream", "1").exit_code == 0
    assert gt(*args, mode, "--upstream", "ones").exit_code == 0


def test_python_upstream_other_than_1_in_exact_mode_is_a_value_error():
    with pytest.raises(ValueError, match="exact mode starts backprop from 1"):
        gradtrace.trace("x * 2", x=1, mode="exact", upstream=3)
    assert gradtrace.trace("x * 2", x=1, mode="exact", upstream=1).gradients == {"x": 2}


@pytest.mark.parametrize("upstream, seed, words", [("random", "1e3", "a whole number ≥ 0"),
                                                    ("ones", "-3", "a whole number ≥ 0"),
                                                    ("2", "3", "nothing in this run is random")])
def test_a_bad_seed_beside_an_upstream_is_not_taken_for_the_upstream(gt, upstream, seed, words):
    """With --upstream given, a bad --seed is no old upstream: the message says what --seed takes and
    never offers --upstream SEED in place of the upstream given."""
    result = gt(*ARRAY, "--upstream", upstream, "--seed", seed)
    assert result.exit_code == 2
    assert f"--seed {seed}: --seed is the random seed" in result.stderr and words in result.stderr
    assert f"--upstream {seed}" not in result.stderr


def test_python_bad_seed_beside_an_upstream_is_not_taken_for_the_upstream():
    arrays = {"W": json.loads(W), "x": json.loads(X)}
    with pytest.raises(TypeError, match="whole number ≥ 0, not -1") as raised:
        gradtrace.trace("W @ x", **arrays, upstream="random", seed=-1)
    assert "upstream=-1" not in str(raised.value)
    with pytest.raises(TypeError, match="nothing in this trace is random") as raised:
        gradtrace.trace("(x+y)*z", x=-2, y=5, z=-4, upstream=2, seed=3)
    assert "upstream=3" not in str(raised.value)


@pytest.mark.parametrize("name, content", [("missing.npy", None), ("bad.npy", "hello"), ("nan.npy", [1.0, "nan"])])
def test_an_upstream_files_error_names_the_option_once(gt, tmp_path, monkeypatch, name, content):
    monkeypatch.chdir(tmp_path)  # the path relative, so that only the message can say "upstream"
    path = name
    if isinstance(content, str):
        (tmp_path / name).write_text(content)
    elif content is not None:
        np.save(path, np.array(content, dtype=float))
    result = gt(*ARRAY, "--upstream", f"@{path}")
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"gradtrace: binding error: --upstream @{path}: "), first
    assert "upstream=@" not in first and first.count("upstream") == 1 + ("of upstream[" in first), first


def test_the_upstream_help_says_random_alone_takes_the_seed(gt):
    """'(random: N is --seed, or drawn)' read as if random:N were --seed; it is random alone whose N is."""
    (upstream,) = [p for p in cli.commands["trace"].params if "--upstream" in getattr(p, "opts", ())]
    assert "random alone: N is --seed, or one drawn and shown" in upstream.help
    assert "(random: N is --seed" not in upstream.help
    with language("ko"):
        assert "random만 주면 N은" in _(upstream.help)
