"""THE op table: every gate gradtrace knows, one record each.

A record says how the gate computes its output (`fn`), its local gradients ∂out/∂input_i both as
values (`grads`) and as short formula text (`formula`), its backward-flow pattern, its sympy
counterpart, and its domain and kink conventions. The parser, the engine, the renderers and the
tests all read this table; adding an op means adding one record.

Rules take a backend `xp` first (`scalar` below, numpy for arrays), then the inputs, then the
op's parameters. A local-gradient rule also gets the op's output, because some derivatives are
best written with it (exp' = exp, σ' = (1-σ)σ). Rules return bare local partials: the engine
multiplies by the upstream gradient and sums at forks.

As the lecture puts it, each op is also a gate with a forward/backward API:

    >>> OPS["mul"].forward(-4.0, 3.0)
    -12.0
    >>> OPS["mul"].backward(1.0, -4.0, 3.0)
    (3.0, -4.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..i18n import N_, _
from .backends import scalar as scalar

VARIADIC = -1
Rule = Callable[..., Any]  # a rule's signature depends on its op's arity and parameters


class Op:
    """One gate: its forward rule, local-gradient rules, formula text and conventions."""

    __slots__ = (
        "aliases",
        "arity",
        "branch",
        "callable",
        "const_left",
        "const_right",
        "constant",
        "domain",
        "exponent",
        "fn",
        "formula",
        "grads",
        "infix",
        "jacobian",
        "kink",
        "kink_at_zero",
        "label",
        "latex",
        "name",
        "notes",
        "params",
        "pattern",
        "postfix",
        "precedence",
        "prefix",
        "quiz",
        "right",
        "shapes",
        "sympy",
        "torch",
        "vjp",
        "vjp_formula",
    )

    def __init__(self, name: str, arity: int, fn: Rule, grads: Rule | None, formula: tuple[Any, ...], *,
                 label: str, infix: str | None = None, pattern: str | None = None,
                 sympy: Rule | None = None, domain: tuple[Rule, str | Callable[..., str]] | None = None,
                 kink: tuple[Rule, str] | None = None, kink_at_zero: bool = False, branch: Rule | None = None,
                 notes: str = "",
                 params: tuple[tuple[str, float | None], ...] = (),
                 const_left: str | None = None, const_right: str | None = None, callable: bool = False,
                 vjp: Rule | None = None, jacobian: tuple[Any, ...] = (), vjp_formula: tuple[Any, ...] = (),
                 torch: Rule | None = None, shapes: tuple[Rule, str] | None = None,
                 exponent: Rule | None = None, constant: bool = False, precedence: int = 0,
                 right: bool = False, aliases: tuple[str, ...] = (), prefix: str | None = None,
                 postfix: str | None = None, latex: str | None = None, quiz: int | None = None):
        self.name = name
        self.arity = arity            # number of graph inputs; VARIADIC for max/min
        self.fn = fn                  # fn(xp, *inputs, *params) -> output
        self.grads = grads            # grads(xp, out, *inputs, *params) -> tuple of ∂out/∂input_i
        self.formula = formula        # per input: a template ({0} {1} name the inputs, {i} the input itself,
                                      # {c} {alpha} the params, {out} the node) or a function of those fields
        self.label = label            # the gate's picture label, e.g. "*", "+{c}", "1/x"
        self.infix = infix            # operator symbol for infix ops, None for calls
        self.pattern = pattern        # backward-flow pattern: distributor, router, switcher, scaler
        self.sympy = sympy            # sympy(sp, *inputs, *params) -> sympy expression
        self.domain = domain          # (predicate(xp, *inputs, *params) -> bool, what it needs: text, or
                                      #  a function of the params returning the text)
        self.kink = kink              # (predicate(xp, out, *inputs, *params) -> bool, "the convention")
        self.kink_at_zero = kink_at_zero  # the predicate can only hold where the input is 0 (relu'(0)): a
                                          # trace with no value 0 skips it (tests/test_ops.py checks it)
        self.branch = branch          # branch(xp, out, *inputs, *params) -> which piece of a piecewise op
        self.notes = notes            # domain and kink conventions in words
        # ((name, default), ...): the keyword parameters a user may give, e.g. (("alpha", 0.01),).
        # Two kinds are implied instead: a one-constant gate (constant=True: x + c, c / x) takes its
        # constant first, as {c} in its label and formulas; a variadic op (max, min) takes the
        # constants among its arguments as one tuple.
        self.constant = constant
        self.params = ((("c", None),) if constant else ()) + ((("consts", ()),) if arity == VARIADIC else ()) + params
        self.precedence = precedence  # infix operators: how tightly they bind (+ 1, * 2, ** 4)
        self.right = right            # and whether they group to the right (2**3**2 = 2**9)
        self.aliases = aliases        # other spellings of the operator: ^ for **, ⋅ and × for ·
        self.prefix = prefix          # a prefix operator that writes this op: - for neg
        self.postfix = postfix        # a postfix attribute that writes it: .T for transpose
        self.latex = latex            # the function's LaTeX name, e.g. \exp, \sigma (default \mathrm{name})
        self.quiz = quiz              # the quiz difficulty from which practice circuits may use this function
        self.const_left = const_left  # the unary gate for `c <op> x` with a constant c
        self.const_right = const_right  # the unary gate for `x <op> c`
        self.callable = callable      # reachable as name(...) from the language
        # Array ops whose Jacobian is not diagonal give a vector-Jacobian product instead of local
        # partials: vjp(xp, upstream, out, *inputs, *params) -> downstream per input (None: no
        # gradient, e.g. class labels). Their formula text then describes the Jacobian's structure.
        self.vjp = vjp
        self.jacobian = jacobian      # array ops: the structure of ∂out/∂input_i, in words
        self.vjp_formula = vjp_formula  # an op with both: the formula shown when its vjp is used
        # The PyTorch counterpart, torch(torch_module, *inputs, *params): the oracle the tests
        # compare values, gradients and kink conventions with (gradtrace itself never imports torch).
        self.torch = torch
        # Array ops that accept only some shapes: (predicate(*input shapes) -> bool, what they need).
        self.shapes = shapes
        # Powers: exponent(inputs, params) -> (base, exponent), so that exact mode can refuse a
        # power whose exact value would have millions of digits (x^100000000 at x = 1.0000001).
        self.exponent = exponent

    @property
    def keyword_params(self) -> tuple[tuple[str, Any], ...]:
        """The parameters a user may give by name or after the inputs: alpha, beta."""
        skip = int(self.constant) + int(self.variadic)
        return self.params[skip:]

    @property
    def variadic(self) -> bool:
        return self.arity == VARIADIC

    @property
    def arrays_only(self) -> bool:
        """An op that needs array values (matmul, sum, softmax, ...): it has no local partials."""
        return self.grads is None

    # The engine and the gate API go through these two, so the calling convention lives here.
    def apply(self, xp: Any, inputs: Sequence[Any], params: tuple[Any, ...]) -> Any:
        """The output for these inputs (a tuple) and parameters."""
        if self.variadic:
            return self.fn(xp, inputs, *params)
        return self.fn(xp, *inputs, *params)

    def local(self, xp: Any, out: Any, inputs: Sequence[Any], params: tuple[Any, ...]) -> tuple[Any, ...]:
        """The local gradients ∂out/∂input_i, one per input."""
        assert self.grads is not None, f"{self.name} is an array op: it has a vector-Jacobian product, not partials"
        if self.variadic:
            return tuple(self.grads(xp, out, inputs, *params))
        return tuple(self.grads(xp, out, *inputs, *params))

    # The lecture's modular gate API, on floats.
    def forward(self, *inputs: float, **params: float) -> float:
        """Run the gate forward on floats, e.g. OPS["mul"].forward(3, -4)."""
        return float(self.apply(scalar, tuple(float(x) for x in inputs), self._params(params)))

    def backward(self, upstream: float, *inputs: float, **params: float) -> tuple[float, ...]:
        """The downstream gradients: upstream × local, one per input."""
        ps = self._params(params)
        xs = tuple(float(x) for x in inputs)
        out = self.apply(scalar, xs, ps)
        return tuple(upstream * g for g in self.local(scalar, out, xs, ps))

    def _params(self, given: dict[str, float]) -> tuple[Any, ...]:
        values = []
        for name, default in self.params:
            value = given.get(name, default)
            if value is None:
                raise TypeError(f"{self.name} needs the parameter {name}")
            values.append(value)
        return tuple(values)

    def in_domain(self, xp: Any, inputs: Sequence[Any], params: tuple[Any, ...]) -> Any:
        """Where these inputs are inside the op's domain: True, or elementwise for arrays."""
        if self.domain is None:
            return True
        predicate = self.domain[0]
        return predicate(xp, inputs, *params) if self.variadic else predicate(xp, *inputs, *params)

    def needs(self, params: tuple[Any, ...]) -> str:
        """What the op's domain requires, in words, e.g. 'a positive input'."""
        assert self.domain is not None
        text = self.domain[1]
        return _(text) if isinstance(text, str) else text(*params)

    def which_branch(self, xp: Any, out: Any, inputs: Sequence[Any], params: tuple[Any, ...]) -> Any:
        """Which piece of a piecewise op (relu's side of 0, max's winner) these inputs select."""
        if self.branch is None:
            return None
        if self.variadic:
            return self.branch(xp, out, inputs, *params)
        return self.branch(xp, out, *inputs, *params)

    def __repr__(self) -> str:
        return f"<op {self.name}>"


# ---- rules that need more than a lambda -------------------------------------------------------

def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def fn(xp: Any, xs: tuple[Any, ...], consts: tuple[Any, ...] = ()) -> Any:
        values = tuple(xs) + tuple(consts)
        out = values[0]
        for v in values[1:]:
            out = pick(xp)(out, v)
        return out
    return fn


def _extreme_grads(xp: Any, out: Any, xs: tuple[Any, ...], consts: tuple[Any, ...] = ()) -> Any:
    # NOTE: a tie splits the gradient evenly between the tied arguments, as PyTorch and JAX do.
    # Tied constants take their share too, so max(0, x) at x=0 passes half, like torch.maximum.
    # Masks and the count are kept small (bools, bytes): only the results are float arrays.
    masks = [x == out for x in tuple(xs) + tuple(consts)]
    count = xp.count_true(masks)
    return tuple(m / count for m in masks[:len(xs)])


def _stacked(t: Any, xs: Any, consts: Any) -> Any:
    """max/min's inputs and constants as one tensor, for PyTorch's amax/amin (which split ties
    evenly, as gradtrace does)."""
    tensors = list(xs) + [t.tensor(float(c), dtype=xs[0].dtype) for c in consts]
    return t.stack(t.broadcast_tensors(*tensors))


def _winners(xp: Any, out: Any, xs: tuple[Any, ...], consts: tuple[Any, ...] = ()) -> Any:
    return tuple(xp.key(x == out) for x in tuple(xs) + tuple(consts))


def _sign_branch(xp: Any, out: Any, x: Any, *params: Any) -> Any:
    return xp.key(xp.sign(x))


def _tie(xp: Any, out: Any, xs: tuple[Any, ...], consts: tuple[Any, ...] = ()) -> Any:
    return xp.any(xp.count_true([x == out for x in tuple(xs) + tuple(consts)]) > 1)


def _pow_grads(xp: Any, out: Any, x: Any, y: Any) -> Any:
    # ∂/∂y x^y = ln(x)·x^y needs x > 0; at x = 0 the limit is 0 for y ≥ 0 (as PyTorch takes it,
    # 0^0 = 1 included), and the domain check has already refused x < 0.
    dx = xp.where(y != 0, y * xp.pow(x, y - 1 + xp.where(y != 0, 0.0, 1.0)), 0.0)
    dy = xp.where(x > 0, xp.log(xp.where(x > 0, x, 1.0)) * out, 0.0)
    return (dx, dy)


def _sigmoid_grads(xp: Any, out: Any, x: Any) -> Any:
    # (1-σ)σ written as e/(1+e)² with e = exp(-|x|): the same value, but 1-σ cancels to 0 for
    # x > 37 while this keeps full precision for every x (and never overflows: e ≤ 1).
    e = xp.exp(-abs(x))
    return (e / ((1.0 + e) * (1.0 + e)),)


def _tanh_grads(xp: Any, out: Any, x: Any) -> Any:
    # 1 - tanh² written as 4e/(1+e)² with e = exp(-2|x|), for the same reason as the sigmoid's.
    e = xp.exp(-2.0 * abs(x))
    return (4.0 * e / ((1.0 + e) * (1.0 + e)),)


def _gelu(xp: Any, x: Any) -> Any:
    # x·Φ(x), with Φ(x) = erfc(-x/√2)/2: 1 + erf(x/√2) would cancel to 0 for x < -8.
    return x * 0.5 * xp.erfc(-x * _SQRT1_2)


def _gelu_grads(xp: Any, out: Any, x: Any) -> Any:
    # Φ(x) + x·φ(x); x·x overflows to inf for huge |x|, and then φ is 0, as it should be.
    return (0.5 * xp.erfc(-x * _SQRT1_2) + x * xp.exp(-0.5 * x * x) * _INV_SQRT_2PI,)


def _gelu_tanh(xp: Any, x: Any) -> Any:
    # x·(1 + tanh u)/2 with u = √(2/π)(x + 0.044715x³), and (1 + tanh u)/2 = σ(2u), which keeps
    # its digits where 1 + tanh u cancels (x < -5). Beyond |x| = 1e100, x³ would overflow, and
    # σ(2u) is already exactly 0 or 1 there.
    xc = xp.minimum(xp.maximum(x, -1e50), 1e50)
    return x * xp.sigmoid(2.0 * _SQRT_2_PI * (xc + 0.044715 * xc * xc * xc))


def _gelu_tanh_grads(xp: Any, out: Any, x: Any) -> Any:
    # σ(2u) + x·sech²(u)·u'/2, with sech²(u) = 4e/(1+e)², e = exp(-2|u|). sech²(u) is exactly 0
    # beyond |x| = 30, so x is clipped there in that term (x·u' alone would overflow for huge x).
    xc = xp.minimum(xp.maximum(x, -30.0), 30.0)
    u = _SQRT_2_PI * (xc + 0.044715 * xc * xc * xc)
    e = xp.exp(-2.0 * abs(u))
    sech2 = 4.0 * e / ((1.0 + e) * (1.0 + e))
    return (xp.sigmoid(2.0 * u) + 0.5 * xc * sech2 * _SQRT_2_PI * (1.0 + 3 * 0.044715 * xc * xc),)


def _silu_grads(xp: Any, out: Any, x: Any) -> Any:
    # σ(x)·(1 + x·(1 - σ(x))), with 1 - σ(x) written as σ(-x), which keeps its digits for large x.
    return (xp.sigmoid(x) * (1.0 + x * xp.sigmoid(-x)),)


_SQRT1_2 = math.sqrt(0.5)
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _power_rule(fields: dict[str, str]) -> str:
    """The formula of x^c: c·x^(c-1), written as a person would (2·x, not 2·x^1)."""
    c, x, power = fields["c"], fields["0"], fields["c-1"]
    if power == "1":
        return f"{c}·{x}"
    return f"{c}·{x}^{power}" if not power.startswith("-") else f"{c}·{x}^({power})"


# ---- the table --------------------------------------------------------------------------------

_RECORDS = [
    # Binary operators ----------------------------------------------------------------------------
    Op("add", 2, lambda xp, a, b: a + b, lambda xp, out, a, b: (1.0, 1.0), ("1", "1"),
       precedence=1, label="+", infix="+", pattern="distributor", torch=lambda t, a, b: a + b,
       sympy=lambda sp, a, b: a + b,
       const_left="add_const", const_right="add_const",
       notes="add gate: passes the upstream gradient unchanged to both inputs."),
    Op("sub", 2, lambda xp, a, b: a - b, lambda xp, out, a, b: (1.0, -1.0), ("1", "-1"),
       precedence=1, label="-", infix="-", pattern="distributor", torch=lambda t, a, b: a - b,
       sympy=lambda sp, a, b: a - b,
       const_left="rsub_const", const_right="sub_const",
       notes="sub gate: passes the upstream gradient to the first input and its negative to the second."),
    Op("mul", 2, lambda xp, a, b: a * b, lambda xp, out, a, b: (b, a), ("{1}", "{0}"),
       precedence=2, label="*", infix="*", pattern="switcher", torch=lambda t, a, b: a * b,
       sympy=lambda sp, a, b: a * b,
       const_left="mul_const", const_right="mul_const",
       notes="mul gate: each input's local gradient is the other input's value."),
    Op("div", 2, lambda xp, a, b: a / b, lambda xp, out, a, b: (1.0 / b, -(a / b) / b),
       ("1/{1}", "-{0}/{1}²"), precedence=2, label="/", infix="/", torch=lambda t, a, b: a / b,
       sympy=lambda sp, a, b: a / b,
       domain=(lambda xp, a, b: b != 0, N_("a nonzero divisor")),
       const_left="rdiv_const", const_right="div_const", notes="Undefined where the divisor is 0."),
    Op("pow", 2, lambda xp, a, b: xp.pow(a, b), _pow_grads, ("{1}·{0}^({1}-1)", "ln({0})·{0}^{1}"),
       exponent=lambda xs, ps: (xs[0], xs[1]), precedence=4, right=True, aliases=("^",), label="x^y", infix="**",
       callable=True,
       torch=lambda t, a, b: t.pow(a, b), sympy=lambda sp, a, b: a ** b,
       domain=(lambda xp, a, b: (a > 0) | ((a == 0) & (b >= 0)),
               N_("a positive base when the exponent is a variable")),
       const_left="rpow_const", const_right="pow_const",
       notes="With a variable exponent the base must be positive, since ∂/∂y x^y = ln(x)·x^y."),
    # Unary gates for a binary operator with one constant operand (the lecture's +1, *-1, 1/x) ----
    Op("neg", 1, lambda xp, x: -x, lambda xp, out, x: (-1.0,), ("-1",),
       prefix="-", label="*-1", infix="-", pattern="scaler", torch=lambda t, x: -x, sympy=lambda sp, x: -x,
       notes="Unary minus is the lecture's *-1 gate."),
    Op("add_const", 1, lambda xp, x, c: x + c, lambda xp, out, x, c: (1.0,), ("1",),
       label="+{c}", infix="+", pattern="distributor", torch=lambda t, x, c: x + c, sympy=lambda sp, x, c: x + c,
       constant=True,
       notes="Adding a constant passes the gradient unchanged."),
    Op("sub_const", 1, lambda xp, x, c: x - c, lambda xp, out, x, c: (1.0,), ("1",),
       label="-{c}", infix="-", pattern="distributor", torch=lambda t, x, c: x - c, sympy=lambda sp, x, c: x - c,
       constant=True),
    Op("rsub_const", 1, lambda xp, x, c: c - x, lambda xp, out, x, c: (-1.0,), ("-1",),
       label="{c}-x", infix="-", pattern="distributor", torch=lambda t, x, c: c - x, sympy=lambda sp, x, c: c - x,
       constant=True),
    Op("mul_const", 1, lambda xp, x, c: x * c, lambda xp, out, x, c: (c,), ("{c}",),
       label="*{c}", infix="*", pattern="scaler", torch=lambda t, x, c: x * c, sympy=lambda sp, x, c: x * c,
       constant=True,
       notes="Multiplying by a constant scales the gradient by it."),
    Op("div_const", 1, lambda xp, x, c: x / c, lambda xp, out, x, c: (1.0 / c,), ("1/{c}",),
       label="/{c}", infix="/", pattern="scaler", torch=lambda t, x, c: x / c, sympy=lambda sp, x, c: x / c,
       constant=True),
    Op("rdiv_const", 1, lambda xp, x, c: c / x, lambda xp, out, x, c: (-(c / x) / x,), ("-{c}/{0}²",),
       label="{c}/x", infix="/", torch=lambda t, x, c: c / x, sympy=lambda sp, x, c: c / x, constant=True,
       domain=(lambda xp, x, c: x != 0, N_("a nonzero input")),
       notes="The lecture's 1/x gate: local gradient -1/x². Undefined at x = 0."),
    # NOTE: x^0 is 1 everywhere, 0^0 included, with gradient 0 (as PyTorch takes it).
    Op("pow_const", 1, lambda xp, x, c: xp.pow(x, c),
       lambda xp, out, x, c: (c * xp.pow(x, c - 1) if c != 0 else 0.0 * x,),
       (_power_rule,), exponent=lambda xs, ps: (xs[0], ps[0]), label="x^{c}", infix="**",
       torch=lambda t, x, c: t.pow(x, c), sympy=lambda sp, x, c: x ** c, constant=True,
       domain=(lambda xp, x, c: (xp.is_integer(c) | (x >= 0)) & ((c >= 0) | (x != 0)),
               lambda c: _("a nonzero base for a negative power") if float(c).is_integer() else
               _("a positive base for a negative fractional power") if c < 0 else
               _("a nonnegative base for a fractional power")),
       notes="x^c: local gradient c·x^(c-1)."),
    Op("rpow_const", 1, lambda xp, x, c: xp.pow(c, x), lambda xp, out, x, c: (math.log(c) * out,),
       ("ln({c})·{c}^{0}",), exponent=lambda xs, ps: (ps[0], xs[0]), label="{c}^x", infix="**",
       torch=lambda t, x, c: t.pow(c, x), sympy=lambda sp, x, c: c ** x, constant=True,
       domain=(lambda xp, x, c: c > 0, N_("a positive constant base (∂/∂x c^x = ln(c)·c^x)")),
       notes="c^x: local gradient ln(c)·c^x; the base must be positive."),
    # Functions ------------------------------------------------------------------------------------
    Op("exp", 1, lambda xp, x: xp.exp(x), lambda xp, out, x: (out,), ("e^{0}",),
       latex=r"\exp", quiz=3, label="exp", torch=lambda t, x: t.exp(x), sympy=lambda sp, x: sp.exp(x), callable=True,
       notes="Its local gradient is its own output."),
    Op("log", 1, lambda xp, x: xp.log(x), lambda xp, out, x: (1.0 / x,), ("1/{0}",),
       aliases=("ln",), latex=r"\log", label="log", torch=lambda t, x: t.log(x), sympy=lambda sp, x: sp.log(x),
       callable=True,
       domain=(lambda xp, x: x > 0, N_("a positive input")), notes="Natural log; needs x > 0."),
    Op("sqrt", 1, lambda xp, x: xp.sqrt(x), lambda xp, out, x: (0.5 / out,), ("1/(2·sqrt({0}))",),
       prefix="√", label="√", torch=lambda t, x: t.sqrt(x), sympy=lambda sp, x: sp.sqrt(x), callable=True,
       domain=(lambda xp, x: x >= 0, N_("a nonnegative input")),
       notes="Needs x ≥ 0; its gradient is infinite at 0."),
    Op("abs", 1, lambda xp, x: abs(x), lambda xp, out, x: (xp.sign(x),), ("sign({0})",),
       label="abs", torch=lambda t, x: t.abs(x), sympy=lambda sp, x: sp.Abs(x), callable=True,
       kink=(lambda xp, out, x: xp.any(x == 0), N_("abs'(0) is taken as 0")), kink_at_zero=True, branch=_sign_branch,
       notes="NOTE: abs'(0) = 0, as in PyTorch and JAX."),
    Op("sign", 1, lambda xp, x: xp.sign(x), lambda xp, out, x: (0.0 * x,), ("0",),
       label="sign", torch=lambda t, x: t.sign(x), sympy=lambda sp, x: sp.sign(x), callable=True,
       kink=(lambda xp, out, x: xp.any(x == 0), N_("sign'(0) is taken as 0")), kink_at_zero=True, branch=_sign_branch,
       notes="-1, 0 or 1: abs's local gradient. Flat, so it passes no gradient back."),
    Op("heaviside", 1, lambda xp, x: 0.5 + 0.5 * xp.sign(x), lambda xp, out, x: (0.0 * x,), ("0",),
       label="H", torch=lambda t, x: 0.5 + 0.5 * t.sign(x),  # torch.heaviside has no backward
       sympy=lambda sp, x: sp.Heaviside(x), callable=True,
       kink=(lambda xp, out, x: xp.any(x == 0), N_("heaviside'(0) is taken as 0")),
       kink_at_zero=True, branch=_sign_branch,
       notes="The step: 0 below 0, 1 above, 1/2 at 0 (sympy's Heaviside). relu's local gradient, as "
             "symbolic mode writes it. Flat, so it passes no gradient back."),
    Op("erf", 1, lambda xp, x: xp.erf(x), lambda xp, out, x: (_TWO_OVER_SQRT_PI * xp.exp(-x * x),),
       ("2/√π·exp(-{0}²)",), label="erf", torch=lambda t, x: t.erf(x), sympy=lambda sp, x: sp.erf(x),
       callable=True, notes="The error function, as in gelu's exact form."),
    Op("erfc", 1, lambda xp, x: xp.erfc(x), lambda xp, out, x: (-_TWO_OVER_SQRT_PI * xp.exp(-x * x),),
       ("-2/√π·exp(-{0}²)",), label="erfc", torch=lambda t, x: t.erfc(x), sympy=lambda sp, x: sp.erfc(x),
       callable=True, notes="1 - erf(x), with its digits kept where erf is near 1."),
    Op("sin", 1, lambda xp, x: xp.sin(x), lambda xp, out, x: (xp.cos(x),), ("cos({0})",),
       latex=r"\sin", label="sin", torch=lambda t, x: t.sin(x), sympy=lambda sp, x: sp.sin(x), callable=True),
    Op("cos", 1, lambda xp, x: xp.cos(x), lambda xp, out, x: (-xp.sin(x),), ("-sin({0})",),
       latex=r"\cos", label="cos", torch=lambda t, x: t.cos(x), sympy=lambda sp, x: sp.cos(x), callable=True),
    Op("tanh", 1, lambda xp, x: xp.tanh(x), _tanh_grads, ("1 - {out}²",),
       latex=r"\tanh", quiz=3, label="tanh", torch=lambda t, x: t.tanh(x), sympy=lambda sp, x: sp.tanh(x),
       callable=True),
    Op("sigmoid", 1, lambda xp, x: xp.sigmoid(x), _sigmoid_grads, ("(1 - {out})·{out}",),
       aliases=("σ",), latex=r"\sigma", quiz=3, label="σ", torch=lambda t, x: t.sigmoid(x),
       sympy=lambda sp, x: 1 / (1 + sp.exp(-x)),
       callable=True,
       notes="The lecture's sigmoid gate: σ(x) = 1/(1+e^-x), local gradient (1-σ)σ."),
    Op("atan", 1, lambda xp, x: xp.atan(x), lambda xp, out, x: (1.0 / (1.0 + x * x),), ("1/(1+{0}²)",),
       aliases=("arctan",), label="atan", latex=r"\arctan", quiz=3, torch=lambda t, x: t.atan(x),
       sympy=lambda sp, x: sp.atan(x),
       callable=True),
    Op("softplus", 1, lambda xp, x, beta: (xp.maximum(beta * x, 0.0) + xp.log1p(xp.exp(-abs(beta * x)))) / beta,
       lambda xp, out, x, beta: (xp.sigmoid(beta * x),), ("σ({beta}·{0})",), params=(("beta", 1.0),),
       label="softplus", torch=lambda t, x, beta: t.nn.functional.softplus(x, beta=beta, threshold=1e9),
       sympy=lambda sp, x, beta: sp.log(1 + sp.exp(beta * x)) / beta, callable=True,
       notes="A smooth relu, log(1 + e^(βx))/β, computed without overflow; its local gradient is σ(βx)."),
    Op("tan", 1, lambda xp, x: xp.tan(x), lambda xp, out, x: (1.0 + out * out,), ("1+tan({0})²",),
       latex=r"\tan", label="tan", torch=lambda t, x: t.tan(x), sympy=lambda sp, x: sp.tan(x), callable=True,
       notes="Its local gradient is 1 + tan², which is 1/cos²."),
    Op("sinh", 1, lambda xp, x: xp.sinh(x), lambda xp, out, x: (xp.cosh(x),), ("cosh({0})",),
       latex=r"\sinh", label="sinh", torch=lambda t, x: t.sinh(x), sympy=lambda sp, x: sp.sinh(x), callable=True),
    Op("cosh", 1, lambda xp, x: xp.cosh(x), lambda xp, out, x: (xp.sinh(x),), ("sinh({0})",),
       latex=r"\cosh", label="cosh", torch=lambda t, x: t.cosh(x), sympy=lambda sp, x: sp.cosh(x), callable=True),
    Op("log2", 1, lambda xp, x: xp.log2(x), lambda xp, out, x: (1.0 / (x * _LN2),), ("1/({0}·ln(2))",),
       latex=r"\log_2", label="log2", torch=lambda t, x: t.log2(x), sympy=lambda sp, x: sp.log(x, 2), callable=True,
       domain=(lambda xp, x: x > 0, N_("a positive input")), notes="Base-2 log; needs x > 0."),
    Op("log10", 1, lambda xp, x: xp.log10(x), lambda xp, out, x: (1.0 / (x * _LN10),), ("1/({0}·ln(10))",),
       latex=r"\log_{10}", label="log10", torch=lambda t, x: t.log10(x), sympy=lambda sp, x: sp.log(x, 10),
       callable=True, domain=(lambda xp, x: x > 0, N_("a positive input")), notes="Base-10 log; needs x > 0."),
    Op("exp2", 1, lambda xp, x: xp.pow(2.0, x), lambda xp, out, x: (_LN2 * out,), ("ln(2)·2^{0}",),
       label="2^x", torch=lambda t, x: t.exp2(x), sympy=lambda sp, x: 2 ** x, callable=True,
       notes="2^x; its local gradient is ln(2)·2^x."),
    Op("square", 1, lambda xp, x: x * x, lambda xp, out, x: (2.0 * x,), ("2·{0}",),
       label="x²", torch=lambda t, x: t.square(x), sympy=lambda sp, x: x ** 2, callable=True,
       notes="x²: local gradient 2x."),
    Op("silu", 1, lambda xp, x: x * xp.sigmoid(x), _silu_grads, ("σ({0})·(1+{0}·(1-σ({0})))",),
       aliases=("swish",), label="silu", torch=lambda t, x: t.nn.functional.silu(x),
       sympy=lambda sp, x: x / (1 + sp.exp(-x)), callable=True,
       notes="SiLU, also called swish: x·σ(x); local gradient σ(x)·(1 + x·(1 - σ(x)))."),
    Op("gelu", 1, _gelu, _gelu_grads, ("Φ({0})+{0}·φ({0})",),
       label="gelu", torch=lambda t, x: t.nn.functional.gelu(x),
       sympy=lambda sp, x: x * (1 + sp.erf(x / sp.sqrt(2))) / 2, callable=True,
       notes="The exact GELU, x·Φ(x) with Φ the normal CDF (PyTorch's gelu, approximate='none'); "
             "gelu_tanh is the tanh approximation."),
    Op("gelu_tanh", 1, _gelu_tanh, _gelu_tanh_grads,
       ("(1+tanh(u))/2 + {0}·(1-tanh(u)²)·u'/2 with u = √(2/π)·({0}+0.044715·{0}³), u' = √(2/π)·(1+0.134145·{0}²)",),
       label="gelu~", torch=lambda t, x: t.nn.functional.gelu(x, approximate="tanh"),
       sympy=lambda sp, x: x * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + sp.Rational(44715, 1000000) * x ** 3))) / 2,
       callable=True,
       notes="GELU's tanh approximation (PyTorch's approximate='tanh', GPT-2's): "
             "x·(1 + tanh u)/2 with u = √(2/π)(x + 0.044715x³)."),
    Op("hardtanh", 1, lambda xp, x, lo, hi: xp.minimum(xp.maximum(x, lo), hi),
       lambda xp, out, x, lo, hi: (xp.where((x > lo) & (x < hi), 1.0, 0.0),), ("[{lo} < {0} < {hi}]",),
       params=(("lo", -1.0), ("hi", 1.0)), label="hardtanh", pattern="router",
       torch=lambda t, x, lo, hi: t.nn.functional.hardtanh(x, lo, hi),
       sympy=lambda sp, x, lo, hi: sp.Min(sp.Max(x, lo), hi), callable=True,
       domain=(lambda xp, x, lo, hi: lo < hi,
               lambda lo, hi: _("lo < hi (got lo = {lo:g}, hi = {hi:g})").format(lo=lo, hi=hi)),
       kink=(lambda xp, out, x, lo, hi: xp.any((x == lo) | (x == hi)), N_("at lo and hi the slope is taken as 0")),
       branch=lambda xp, out, x, lo, hi: xp.key(xp.sign(x - lo) + xp.sign(x - hi)),
       notes="Clamps x to [lo, hi] (default [-1, 1]): passes the gradient inside, 0 outside. "
             "NOTE: at lo and hi the slope is 0, as in PyTorch's hardtanh."),
    Op("clip", 1, lambda xp, x, lo, hi: xp.minimum(xp.maximum(x, lo), hi),
       lambda xp, out, x, lo, hi: (xp.where((x >= lo) & (x <= hi), 1.0, 0.0),), ("[{lo} ≤ {0} ≤ {hi}]",),
       params=(("lo", None), ("hi", None)), label="clip", pattern="router",
       torch=lambda t, x, lo, hi: t.clamp(x, lo, hi),
       sympy=lambda sp, x, lo, hi: sp.Min(sp.Max(x, lo), hi), callable=True,
       domain=(lambda xp, x, lo, hi: lo <= hi,
               lambda lo, hi: _("lo ≤ hi (got lo = {lo:g}, hi = {hi:g})").format(lo=lo, hi=hi)),
       kink=(lambda xp, out, x, lo, hi: xp.any((x == lo) | (x == hi)), N_("at lo and hi the slope is taken as 1")),
       branch=lambda xp, out, x, lo, hi: xp.key(xp.sign(x - lo) + xp.sign(x - hi)),
       notes="clip(x, lo, hi) clamps x to [lo, hi]: passes the gradient inside, 0 outside. "
             "NOTE: at lo and hi the slope is 1, as in PyTorch's clamp (hardtanh takes 0 there)."),
    Op("relu", 1, lambda xp, x: xp.maximum(x, 0.0), lambda xp, out, x: (xp.where(x > 0, 1.0, 0.0),),
       ("[{0} > 0]",), label="relu", pattern="router", torch=lambda t, x: t.relu(x), sympy=lambda sp, x: sp.Max(0, x),
       callable=True,
       kink=(lambda xp, out, x: xp.any(x == 0), N_("relu'(0) is taken as 0")), kink_at_zero=True, branch=_sign_branch,
       notes="NOTE: relu'(0) = 0, as in PyTorch and JAX."),
    Op("leaky_relu", 1, lambda xp, x, alpha: xp.where(x > 0, x, alpha * x),
       lambda xp, out, x, alpha: (xp.where(x > 0, 1.0, alpha),), ("1 if {0} > 0 else {alpha}",),
       label="leaky", torch=lambda t, x, alpha: t.nn.functional.leaky_relu(x, alpha),
       sympy=lambda sp, x, alpha: sp.Max(0, x) + alpha * sp.Min(0, x),  # no Piecewise: typed back as written
       params=(("alpha", 0.01),), callable=True,
       kink=(lambda xp, out, x, alpha: xp.any(x == 0), N_("leaky_relu'(0) is taken as alpha")),
       kink_at_zero=True, branch=_sign_branch,
       notes="NOTE: at x = 0 the slope is alpha, as in PyTorch."),
    Op("elu", 1, lambda xp, x, alpha: xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0.0))),
       # NOTE: alpha·e^x, not out + alpha, which cancels to 0 for very negative x.
       lambda xp, out, x, alpha: (xp.where(x > 0, 1.0, alpha * xp.exp(xp.minimum(x, 0.0))),),
       ("1 if {0} > 0 else {alpha}·exp({0})",),
       label="elu", torch=lambda t, x, alpha: t.nn.functional.elu(x, alpha),
       sympy=lambda sp, x, alpha: sp.Max(0, x) + alpha * (sp.exp(sp.Min(0, x)) - 1),
       params=(("alpha", 1.0),), callable=True,
       kink=(lambda xp, out, x, alpha: xp.any(x == 0) and alpha != 1, N_("elu'(0) is taken as alpha")),
       kink_at_zero=True,
       branch=_sign_branch,
       notes="NOTE: at x = 0 the slope is alpha (the left branch), as in PyTorch."),
    Op("max", VARIADIC, _extreme(lambda xp: xp.maximum), _extreme_grads, ("[{i} is max]",),
       latex=r"\max", label="max", pattern="router", torch=lambda t, xs,
       consts=(): _stacked(t, xs, consts).amax(dim=0), sympy=lambda sp, xs, consts=(): sp.Max(*xs, *consts),
       kink=(_tie, N_("a tie: the gradient is split evenly between the tied inputs")), branch=_winners, callable=True,
       notes="max gate: routes the whole gradient to the largest input. NOTE: a tie splits it evenly."),
    Op("min", VARIADIC, _extreme(lambda xp: xp.minimum), _extreme_grads, ("[{i} is min]",),
       latex=r"\min", label="min", pattern="router", torch=lambda t, xs,
       consts=(): _stacked(t, xs, consts).amin(dim=0), sympy=lambda sp, xs, consts=(): sp.Min(*xs, *consts),
       kink=(_tie, N_("a tie: the gradient is split evenly between the tied inputs")), branch=_winners, callable=True,
       notes="min gate: routes the whole gradient to the smallest input. NOTE: a tie splits it evenly."),
]

# Array ops ----------------------------------------------------------------------------------------
# Rules reach numpy through xp.np; this module itself never imports it.

def _matmul_vjp(xp: Any, up: Any, out: Any, a: Any, b: Any) -> Any:
    np = xp.np
    a, b, up = np.asarray(a), np.asarray(b), np.asarray(up)
    if a.ndim == 1 and b.ndim == 1:          # (n,) @ (n,) -> ()
        return up * b, up * a
    # Batch axes stay in each gradient; the engine sums them back to each input's shape.
    if b.ndim == 1:                          # (..., m, n) @ (n,) -> (..., m)
        return up[..., :, None] * b, np.einsum("...mn,...m->...n", a, up)
    if a.ndim == 1:                          # (n,) @ (..., n, p) -> (..., p)
        return np.einsum("...np,...p->...n", b, up), a[:, None] * up[..., None, :]
    # The engine sums batch axes that broadcasting added back to each input's shape.
    return up @ np.swapaxes(b, -1, -2), np.swapaxes(a, -1, -2) @ up


def _cdot(xp: Any, a: Any, b: Any) -> Any:
    if xp is scalar or xp.np.ndim(a) == 0 or xp.np.ndim(b) == 0:
        return a * b
    return xp.np.matmul(a, b)


def _cdot_vjp(xp: Any, up: Any, out: Any, a: Any, b: Any) -> Any:
    np = xp.np
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return up * b, up * a  # the engine sums each back to its input's shape
    return _matmul_vjp(xp, up, out, a, b)


def _softmax(xp: Any, x: Any) -> Any:
    np = xp.np
    z = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return z / np.sum(z, axis=-1, keepdims=True)


def _log_softmax(xp: Any, x: Any) -> Any:
    np = xp.np
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _rows(xp: Any, scores: Any, y: Any) -> Any:
    """scores as (N, C) and labels as N integers, for the losses."""
    np = xp.np
    s = np.atleast_2d(scores)
    return s, np.atleast_1d(np.asarray(y)).astype(int)


def _labels_ok(xp: Any, scores: Any, y: Any) -> Any:
    np = xp.np
    s = np.atleast_2d(scores)
    labels = np.atleast_1d(np.asarray(y, dtype=float))
    return bool(labels.ndim == 1 and len(labels) == s.shape[0] and np.all(labels == np.round(labels))
                and np.all((labels >= 0) & (labels < s.shape[-1])))


def _cross_entropy(xp: Any, scores: Any, y: Any) -> Any:
    np = xp.np
    s, labels = _rows(xp, scores, y)
    return -np.mean(_log_softmax(xp, s)[np.arange(len(labels)), labels])


def _cross_entropy_vjp(xp: Any, up: Any, out: Any, scores: Any, y: Any) -> Any:
    np = xp.np
    s, labels = _rows(xp, scores, y)
    g = _softmax(xp, s)
    g[np.arange(len(labels)), labels] -= 1.0
    return (up * g / len(labels)).reshape(np.shape(scores)), None


def _svm_margins(xp: Any, scores: Any, y: Any) -> Any:
    np = xp.np
    s, labels = _rows(xp, scores, y)
    rows = np.arange(len(labels))
    margins = np.maximum(0.0, s - s[rows, labels][:, None] + 1.0)
    margins[rows, labels] = 0.0
    return margins, rows, labels


def _svm_loss(xp: Any, scores: Any, y: Any) -> Any:
    margins, _, labels = _svm_margins(xp, scores, y)
    return xp.np.sum(margins) / len(labels)


def _svm_vjp(xp: Any, up: Any, out: Any, scores: Any, y: Any) -> Any:
    np = xp.np
    margins, rows, labels = _svm_margins(xp, scores, y)
    g = (margins > 0).astype(float)
    g[rows, labels] = -g.sum(axis=1)
    return (up * g / len(labels)).reshape(np.shape(scores)), None


_LABELS = (_labels_ok, "integer class labels y, one per row of scores, each in 0..C-1")
_LOSS_SHAPES = (lambda scores, y: (len(scores) == 1 and y in ((), (1,))) or
                (len(scores) == 2 and (y == (scores[0],) or (y == () and scores[0] == 1))),
                "scores of shape (C,) or (N, C) and labels y with one integer per row (N of them)")

_RECORDS += [
    Op("matmul", 2, lambda xp, a, b: xp.np.matmul(a, b), None, ("up·{1}ᵀ", "{0}ᵀ·up"),
       jacobian=(N_("block-structured: sends upstream·{1}ᵀ"), N_("block-structured: sends {0}ᵀ·upstream")),
       torch=lambda t, a, b: t.matmul(a, b), precedence=2, label="@", infix="@", vjp=_matmul_vjp,
       notes=N_("Matrix product (vectors, matrices, batches). ∂/∂W of W@x sends upstream·xᵀ, ∂/∂x sends Wᵀ·upstream.")),
    # The slides' W·x: between two arrays the product they mean is the matrix (or dot) product,
    # never the elementwise one; with a number on either side it is the ordinary product. × alike.
    Op("cdot", 2, _cdot, lambda xp, out, a, b: (b, a), ("{1}", "{0}"),
       jacobian=(N_("as in W·x, the matrix product's: sends upstream·{1}ᵀ"),
                 N_("as in W·x, the matrix product's: sends {0}ᵀ·upstream")),
       precedence=2, aliases=("⋅", "×"), label="·", infix="·", pattern="switcher",
       torch=lambda t, a, b: a * b if a.dim() == 0 or b.dim() == 0 else t.matmul(a, b), sympy=lambda sp, a, b: a * b,
       vjp=_cdot_vjp,
       vjp_formula=("up·{1}ᵀ", "{0}ᵀ·up"), const_left="mul_const", const_right="mul_const",
       notes=N_("· and × as the slides write them: the matrix/dot product between two arrays, "
             "the ordinary product when either side is a number.")),
    Op("sum", 1, lambda xp, x: xp.np.sum(x), None, ("ones",),
       jacobian=(N_("all ones: copies the upstream to every element"),),
       torch=lambda t, x: t.sum(x), label="Σ", pattern="distributor", callable=True,
       vjp=lambda xp, up, out, x: (xp.np.broadcast_to(up, xp.np.shape(x)),),
       notes=N_("Sum of all elements: distributes the upstream gradient to every element.")),
    Op("mean", 1, lambda xp, x: xp.np.mean(x), None, ("1/n",), jacobian=(N_("all 1/n: shares the upstream evenly"),),
       torch=lambda t, x: t.mean(x), label="mean", callable=True,
       vjp=lambda xp, up, out, x: (xp.np.broadcast_to(up / xp.np.size(x), xp.np.shape(x)),)),
    Op("dot", 2, lambda xp, a, b: xp.np.dot(a, b), None, ("{1}", "{0}"),
       shapes=(lambda a, b: len(a) == 1 and a == b, "two vectors of the same length (as torch.dot); "
               "use @ for matrix products and sum(a * b) for an elementwise product"),
       torch=lambda t, a, b: t.dot(a, b),
       jacobian=(N_("one row: the other vector, {1}"), N_("one row: the other vector, {0}")),
       label="·", pattern="switcher", callable=True,
       vjp=lambda xp, up, out, a, b: (up * b, up * a),
       notes=N_("Dot product of two vectors: each one's gradient is the other, scaled by the upstream.")),
    Op("transpose", 1, lambda xp, x: xp.np.transpose(x), None, ("upᵀ",),
       jacobian=(N_("a permutation: transposes the upstream"),),
       torch=lambda t, x: x.permute(*reversed(range(x.dim()))), postfix=".T", label="ᵀ", callable=True,
       vjp=lambda xp, up, out, x: (xp.np.transpose(up),), notes=N_("x.T or transpose(x): reverses the axes.")),
    Op("norm", 1, lambda xp, x: xp.np.sqrt(xp.np.vdot(x, x)), None, ("{0}/‖{0}‖",),
       jacobian=(N_("one row: {0}/‖{0}‖"),),
       torch=lambda t, x: t.linalg.vector_norm(x), label="‖·‖", callable=True,
       vjp=lambda xp, up, out, x: (up * x / out,),
       notes=N_("The Euclidean norm; its gradient x/‖x‖ is undefined at 0.")),
    Op("softmax", 1, _softmax, None, ("diag(p)-p·pᵀ",),
       jacobian=(N_("dense within each row: diag(p) - p·pᵀ, p = softmax(x)"),),
       torch=lambda t, x: t.softmax(x, dim=-1), label="softmax", callable=True,
       vjp=lambda xp, up, out, x: (out * (up - xp.np.sum(up * out, axis=-1, keepdims=True)),),
       notes=N_("Softmax along the last axis.")),
    Op("log_softmax", 1, _log_softmax, None, ("I-1·pᵀ",),
       jacobian=(N_("dense within each row: I - 1·pᵀ, p = softmax(x)"),),
       torch=lambda t, x: t.log_softmax(x, dim=-1), label="log σ", callable=True,
       vjp=lambda xp, up, out, x: (up - xp.np.exp(out) * xp.np.sum(up, axis=-1, keepdims=True),),
       notes=N_("Log-softmax along the last axis, computed stably.")),
    Op("cross_entropy", 2, _cross_entropy, None, ("(p-onehot({1}))/N", "none"),
       jacobian=(N_("one row: (p - one-hot(y)) / N, p = softmax(scores)"), N_("none: labels are not differentiable")),
       label="CE", callable=True, vjp=_cross_entropy_vjp, domain=_LABELS, shapes=_LOSS_SHAPES,
       torch=lambda t, s, y: t.nn.functional.cross_entropy(s.reshape(-1, s.shape[-1]), y.reshape(-1).long()),
       notes=N_("Softmax cross-entropy, averaged over the rows of scores; y holds integer labels.")),
    Op("svm_loss", 2, _svm_loss, None, ("([m > 0]-onehot({1})·Σ[m > 0])/N with m = {0}-{0}_{1}+1", "none"),
       jacobian=(N_("one row: 1 where a margin is violated, minus their count at y, over N"),
                 N_("none: labels are not differentiable")),
       label="SVM", callable=True, vjp=_svm_vjp, domain=_LABELS, shapes=_LOSS_SHAPES,
       torch=lambda t, s, y: s.shape[-1] * t.nn.functional.multi_margin_loss(s.reshape(-1, s.shape[-1]),
                                                                            y.reshape(-1).long()),
       notes=N_("The multiclass hinge loss with margin 1, averaged over the rows of scores.")),
]

OPS: dict[str, Op] = {op.name: op for op in _RECORDS}

# The lecture's backward-flow patterns, in words (explanations, pictures and quiz hints read these).
PATTERNS = {  # English; shown through i18n._ where a language is spoken
    "distributor": N_("passes the upstream gradient on unchanged to its inputs"),
    "router": N_("routes the whole upstream gradient to the winning input; the others get 0"),
    "switcher": N_("switches its inputs: each input's local gradient is the other input's value"),
    "scaler": N_("scales the upstream gradient by its constant"),
    "adder": N_("adds up the gradients that come back from each of its uses"),
}

# Names the language can call, and the infix operators, both read off the table.
# A function's aliases are other names for it (ln, arctan, σ); an operator's are other symbols.
FUNCTIONS: dict[str, Op] = {name: op for op in _RECORDS if op.callable
                            for name in (op.name, *(op.aliases if op.infix is None else ()))}
INFIX: dict[str, Op] = {symbol: op for op in _RECORDS if op.infix and op.arity == 2
                        for symbol in (op.infix, *op.aliases)}
PREFIX: dict[str, Op] = {op.prefix: op for op in _RECORDS if op.prefix}
POSTFIX: dict[str, Op] = {op.postfix: op for op in _RECORDS if op.postfix}
CONSTANTS = {"pi": math.pi, "π": math.pi, "e": math.e}
