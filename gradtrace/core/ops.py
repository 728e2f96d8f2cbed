"""THE op table: every gate gradtrace knows, one record each.

A record is an op's name and arity and a few small groups of fields, each read by one part of
gradtrace:

  Maths    how the gate computes: its output (`fn`), its local gradients ∂out/∂input_i (`grads`,
           or `vjp` for an array op), its parameters, domain, kinks and branches (the engine, the
           modes);
  Syntax   how the language writes it: an infix operator and its precedence, a prefix or postfix
           operator, a function name and its aliases (the parser, the writer of expressions);
  Text     how it is shown: the local gradient as formula text, the picture's label, the
           backward-flow pattern, the LaTeX name and notes (the trace and the renderers);
  Oracles  its sympy and PyTorch counterparts (symbolic mode and the tests);
  Teach    from which quiz difficulty practice circuits may use it (the quiz).

Adding an op means adding one record. softsign, x/(1+|x|), would be:

    Op("softsign", 1,
       Maths(lambda xp, x: x / (1.0 + abs(x)), lambda xp, out, x: (1.0 / ((1.0 + abs(x)) * (1.0 + abs(x))),)),
       Syntax(callable=True),
       Text(("1/(1+abs({0}))²",), label="softsign", notes="x/(1+|x|): local gradient 1/(1+|x|)²."),
       Oracles(sympy=lambda sp, x: x / (1 + sp.Abs(x)), torch=lambda t, x: t.nn.functional.softsign(x))),

Maths, Syntax and Text are required, Oracles and Teach may be left out, and a field a group is
not given keeps its default (no infix operator, no kink, no quiz). The tests then check the new
record against its sympy and PyTorch counterparts, central differences and its own formula text,
and `python tools/op_lists.py` adds it to the README's function list.

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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..i18n import N_, _, ngettext
from .backends import scalar as scalar

VARIADIC = -1
Rule = Callable[..., Any]  # a rule's signature depends on its op's arity and parameters

# The kinds of parameter that are not any number (Maths.kinds): an axis, an integer that may be
# left out (sum(x) sums every axis); a shape, a tuple of integers with one -1 at most, as numpy's
# reshape takes it; an index, what x[0, 1:3, ::2] writes between its brackets, a tuple with an
# integer or a (start, stop, step) slice, each part an integer or None, per axis; and a count
# (Whole), see below.
AXIS, SHAPE, INDEX = "axis", "shape", "index"


@dataclass(frozen=True, slots=True)
class Whole:
    """A parameter that counts something (a stride, a padding, a window's size): a whole number,
    at least `least`, or the program does not parse. Its value stays the float it was written as."""

    least: int


Kind = str | Whole  # AXIS, SHAPE, INDEX or a Whole


def shape_text(shape: Sequence[int]) -> str:
    """A shape as Python writes a tuple: (2, 3), (6,), ()."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def index_text(index: Sequence[Any]) -> str:
    """What goes between the brackets of x[...], as Python writes it: 0, :, 1:3, ::2, -1."""
    def part(p: Any) -> str:
        return "" if p is None else str(p)

    def item(i: Any) -> str:
        if not isinstance(i, tuple):
            return str(i)
        start, stop, step = i
        return f"{part(start)}:{part(stop)}" + ("" if step is None else f":{step}")
    return ", ".join(item(i) for i in index)


@dataclass(frozen=True, slots=True)
class Maths:
    """How the gate computes: its forward rule, its local-gradient rules and its conventions."""

    fn: Rule                      # fn(xp, *inputs, *params) -> output
    grads: Rule | None            # grads(xp, out, *inputs, *params) -> tuple of ∂out/∂input_i; None for an
                                  # array op, which has a vjp instead
    # Array ops whose Jacobian is not diagonal give a vector-Jacobian product instead of local
    # partials: vjp(xp, upstream, out, *inputs, *params) -> downstream per input (None: no
    # gradient, e.g. class labels).
    vjp: Rule | None = None
    # ((name, default), ...): the keyword parameters a user may give, e.g. (("alpha", 0.01),).
    # Two kinds are implied instead (Op.rule_params lists all of them): a one-constant gate
    # (constant=True: x + c, c / x) takes its constant first, as {c} in its label and formulas;
    # a variadic op (max, min) takes the constants among its arguments as one tuple.
    params: tuple[tuple[str, float | None], ...] = ()
    constant: bool = False
    # (predicate(xp, *inputs, *params) -> bool, what it needs: text, or a function of the params
    # returning the text)
    domain: tuple[Rule, str | Callable[..., str]] | None = None
    # Array ops that accept only some shapes: (predicate(*input shapes, *params) -> bool, what they
    # need: text marked N_ (shown translated), or a function of the same arguments returning the
    # text already translated, which can name the sizes).
    shapes: tuple[Rule, str | Callable[..., str]] | None = None
    kink: tuple[Rule, str] | None = None  # (predicate(xp, out, *inputs, *params) -> bool, "the convention")
    kink_at_zero: bool = False    # the predicate can only hold where the input is 0 (relu'(0)): a trace
                                  # with no value 0 skips it (tests/test_ops.py checks it)
    branch: Rule | None = None    # branch(xp, out, *inputs, *params) -> which piece of a piecewise op
    # Powers: exponent(inputs, params) -> (base, exponent), so that exact mode can refuse a
    # power whose exact value would have millions of digits (x^100000000 at x = 1.0000001).
    exponent: Rule | None = None
    # Parameters that are not any number, by name, and what each is (AXIS, SHAPE, INDEX, or a
    # Whole count such as a stride): the program writes them as integers or tuples of integers,
    # and nothing moves them as it moves a constant.
    kinds: tuple[tuple[str, Kind], ...] = ()


@dataclass(frozen=True, slots=True)
class Syntax:
    """How the language writes the gate: as an operator, as a function, or both."""

    infix: str | None = None      # operator symbol for infix ops, None for calls
    precedence: int = 0           # infix operators: how tightly they bind (+ 1, * 2, ** 4)
    right: bool = False           # and whether they group to the right (2**3**2 = 2**9)
    aliases: tuple[str, ...] = ()  # other spellings of the operator (^ for **, ⋅ and × for ·), or
                                   # other names of the function (ln, arctan, σ)
    prefix: str | None = None     # a prefix operator that writes this op: - for neg
    postfix: str | None = None    # a postfix attribute that writes it: .T for transpose
    subscript: bool = False       # written x[...] after its operand: indexing and slicing
    callable: bool = False        # reachable as name(...) from the language
    const_left: str | None = None   # the unary gate for `c <op> x` with a constant c
    const_right: str | None = None  # the unary gate for `x <op> c`
    inputs: tuple[str, ...] = ()  # the inputs' names as the docs write them: (x, W, b); x, y, z if not given


@dataclass(frozen=True, slots=True)
class Text:
    """How the gate is shown: its local gradients as formula text, its label and its notes."""

    formula: tuple[Any, ...]      # per input: a template ({0} {1} name the inputs, {i} the input itself,
                                  # {c} {alpha} the params, {out} the node) or a function of those fields
    label: str                    # the gate's picture label, e.g. "*", "+{c}", "1/x"
    pattern: str | None = None    # backward-flow pattern: distributor, router, switcher, scaler
    latex: str | None = None      # the function's LaTeX name, e.g. \exp, \sigma (default \mathrm{name})
    jacobian: tuple[Any, ...] = ()  # array ops: the structure of ∂out/∂input_i, in words (their formula
                                    # text then describes the Jacobian's structure)
    vjp_formula: tuple[Any, ...] = ()  # an op with both grads and vjp: the formula shown when its vjp is used
    # Array ops whose formula text is no product of their inputs (conv2d's im2col, dot's bare
    # vector): each gradient as the lecture states it, a product of up and the inputs ({0} {1})
    # that the shapes line reads (factors joined by · ⋆ ∗, each a name, name ᵀ or f(name)), and
    # product_words, that product in words (marked N_).
    product: tuple[Any, ...] = ()
    product_words: tuple[Any, ...] = ()
    notes: str | Callable[..., str] = ""  # domain and kink conventions in words (or a function of the
                                          # fields, as a formula is, that writes them translated)


@dataclass(frozen=True, slots=True)
class Oracles:
    """The gate's counterparts in other libraries, which symbolic mode and the tests compare with."""

    sympy: Rule | None = None     # sympy(sp, *inputs, *params) -> sympy expression
    # The PyTorch counterpart, torch(torch_module, *inputs, *params): the oracle the tests compare
    # values, gradients and kink conventions with (gradtrace itself never imports torch).
    torch: Rule | None = None


@dataclass(frozen=True, slots=True)
class Teach:
    """What the quiz may do with the gate, and the lecture's typical slips in its local gradient."""

    quiz: int | None = None       # the quiz difficulty from which practice circuits may use this function
    # Typical wrong local gradients, which grading names when one reproduces an answer: each
    # (key, words, rule), rule(xp, out, *inputs, *params) -> one wrong local gradient per input,
    # None where the slip does not apply. The patterns' own mistakes (a router, a switcher, a
    # copy gate, a subtraction's sign) are general and live in teach/marking.py, not here.
    slips: tuple[tuple[str, str, Rule], ...] = ()


_NO_ORACLES, _NO_TEACH = Oracles(), Teach()


class Op:
    """One gate: its name, its arity and its record's groups of fields."""

    __slots__ = ("arity", "maths", "name", "oracles", "rule_params", "syntax", "teach", "text")

    def __init__(self, name: str, arity: int, maths: Maths, syntax: Syntax, text: Text,
                 oracles: Oracles = _NO_ORACLES, teach: Teach = _NO_TEACH):
        self.name = name
        self.arity = arity            # number of graph inputs; VARIADIC for max/min
        self.maths = maths
        self.syntax = syntax
        self.text = text
        self.oracles = oracles
        self.teach = teach
        # Every parameter the rules take after the inputs, in order: a one-constant gate's c, a
        # variadic op's consts, then the keyword parameters.
        self.rule_params = ((("c", None),) if maths.constant else ()) + \
            ((("consts", ()),) if arity == VARIADIC else ()) + maths.params

    @property
    def keyword_params(self) -> tuple[tuple[str, Any], ...]:
        """The parameters a user may give by name or after the inputs: alpha, beta."""
        return self.maths.params

    def bind(self, name: str, args: Sequence[Any], keywords: dict[str, Any]) -> dict[str, Any]:
        """gradtrace.<name>(*args, **keywords) of a fixed-arity op from Python: its keyword parameters
        by name, from the arguments after the inputs and from the keywords (a TypeError says what
        does not fit). What a parameter may be is the caller's to check: a Value's or an array's."""
        if len(args) < self.arity:
            raise TypeError(ngettext("{name}() takes {arity} input, got {count}", "{name}() takes {arity} inputs, "
                                     "got {count}", self.arity).format(name=name, arity=self.arity, count=len(args)))
        params = dict(self.keyword_params)
        extra = args[self.arity:]
        if len(extra) > len(params):
            raise TypeError(_("{name}() takes {most} arguments at most, got {count}").format(
                name=name, most=self.arity + len(params), count=len(args)))
        given: dict[str, Any] = dict(zip(params, extra))
        for key, value in keywords.items():
            if key not in params:
                raise TypeError(_("{name}() has no parameter {key!r}; its parameters: {names}").format(
                    name=name, key=key, names=", ".join(params) or _("none")))
            if key in given:
                raise TypeError(_("{name}() got {key} twice").format(name=name, key=key))
            given[key] = value
        return given

    @property
    def variadic(self) -> bool:
        return self.arity == VARIADIC

    @property
    def arrays_only(self) -> bool:
        """An op that needs array values (matmul, sum, softmax, ...): it has no local partials."""
        return self.maths.grads is None

    # The engine and the gate API go through these two, so the calling convention lives here.
    def apply(self, xp: Any, inputs: Sequence[Any], params: tuple[Any, ...]) -> Any:
        """The output for these inputs (a tuple) and parameters."""
        if self.variadic:
            return self.maths.fn(xp, inputs, *params)
        return self.maths.fn(xp, *inputs, *params)

    def local(self, xp: Any, out: Any, inputs: Sequence[Any], params: tuple[Any, ...]) -> tuple[Any, ...]:
        """The local gradients ∂out/∂input_i, one per input."""
        grads = self.maths.grads
        assert grads is not None, f"{self.name} is an array op: it has a vector-Jacobian product, not partials"
        if self.variadic:
            return tuple(grads(xp, out, inputs, *params))
        return tuple(grads(xp, out, *inputs, *params))

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
        for name, default in self.rule_params:
            value = given.get(name, default)
            if value is None and self.param_kind(name) != AXIS:  # an axis left out: every axis
                raise TypeError(f"{self.name} needs the parameter {name}")
            values.append(value)
        return tuple(values)

    def param_kind(self, name: str) -> Kind | None:
        """What a parameter that is not any number is (AXIS, SHAPE, INDEX or a Whole count); None
        for a number."""
        return dict(self.maths.kinds).get(name)

    def param_text(self, name: str, value: Any) -> str:
        """A parameter's value as the language writes it: 0.01, an axis 1, a shape (2, 3), an
        index :, 1 (as between the brackets of x[:, 1])."""
        kind = self.param_kind(name)
        if kind == SHAPE:
            return shape_text(value)
        if kind == INDEX:
            return index_text(value)
        if kind == AXIS:
            return str(value)
        return format(value, ".6g")

    def in_domain(self, xp: Any, inputs: Sequence[Any], params: tuple[Any, ...]) -> Any:
        """Where these inputs are inside the op's domain: True, or elementwise for arrays."""
        domain = self.maths.domain
        if domain is None:
            return True
        predicate = domain[0]
        return predicate(xp, inputs, *params) if self.variadic else predicate(xp, *inputs, *params)

    def needs(self, params: tuple[Any, ...]) -> str:
        """What the op's domain requires, in words, e.g. 'a positive input'."""
        domain = self.maths.domain
        assert domain is not None
        text = domain[1]
        return _(text) if isinstance(text, str) else text(*params)

    def shapes_fit(self, shapes: Sequence[tuple[int, ...]], params: tuple[Any, ...]) -> bool:
        """Whether the op takes inputs of these shapes with these parameters."""
        allowed = self.maths.shapes
        return allowed is None or bool(allowed[0](*shapes, *params))

    def shapes_need(self, shapes: Sequence[tuple[int, ...]], params: tuple[Any, ...]) -> str:
        """What the op needs of its inputs' shapes, in words (naming the sizes where it can)."""
        allowed = self.maths.shapes
        assert allowed is not None
        text = allowed[1]
        return _(text) if isinstance(text, str) else text(*shapes, *params)

    def which_branch(self, xp: Any, out: Any, inputs: Sequence[Any], params: tuple[Any, ...]) -> Any:
        """Which piece of a piecewise op (relu's side of 0, max's winner) these inputs select."""
        branch = self.maths.branch
        if branch is None:
            return None
        if self.variadic:
            return branch(xp, out, inputs, *params)
        return branch(xp, out, *inputs, *params)

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
    Op("add", 2,
       Maths(lambda xp, a, b: a + b, lambda xp, out, a, b: (1.0, 1.0)),
       Syntax(infix="+", precedence=1, const_left="add_const", const_right="add_const"),
       Text(("1", "1"), label="+", pattern="distributor",
            notes="add gate: passes the upstream gradient unchanged to both inputs."),
       Oracles(sympy=lambda sp, a, b: a + b, torch=lambda t, a, b: a + b)),
    Op("sub", 2,
       Maths(lambda xp, a, b: a - b, lambda xp, out, a, b: (1.0, -1.0)),
       Syntax(infix="-", precedence=1, const_left="rsub_const", const_right="sub_const"),
       Text(("1", "-1"), label="-", pattern="distributor",
            notes="sub gate: passes the upstream gradient to the first input and its negative to the second."),
       Oracles(sympy=lambda sp, a, b: a - b, torch=lambda t, a, b: a - b)),
    Op("mul", 2,
       Maths(lambda xp, a, b: a * b, lambda xp, out, a, b: (b, a)),
       Syntax(infix="*", precedence=2, const_left="mul_const", const_right="mul_const"),
       Text(("{1}", "{0}"), label="*", pattern="switcher",
            notes="mul gate: each input's local gradient is the other input's value."),
       Oracles(sympy=lambda sp, a, b: a * b, torch=lambda t, a, b: a * b)),
    Op("div", 2,
       Maths(lambda xp, a, b: a / b, lambda xp, out, a, b: (1.0 / b, -(a / b) / b),
             domain=(lambda xp, a, b: b != 0, N_("a nonzero divisor"))),
       Syntax(infix="/", precedence=2, const_left="rdiv_const", const_right="div_const"),
       Text(("1/{1}", "-{0}/{1}²"), label="/", notes="Undefined where the divisor is 0."),
       Oracles(sympy=lambda sp, a, b: a / b, torch=lambda t, a, b: a / b),
       Teach(slips=(("reciprocal_sign", N_("the sign of -a/b² lost: +a/b²"),
                     lambda xp, out, a, b: (None, (a / b) / b)),
                    ("reciprocal_square", N_("the square of -a/b² lost: -a/b"),
                     lambda xp, out, a, b: (None, -a / b))))),
    Op("pow", 2,
       Maths(lambda xp, a, b: xp.pow(a, b), _pow_grads,
             domain=(lambda xp, a, b: (a > 0) | ((a == 0) & (b >= 0)),
                     N_("a positive base when the exponent is a variable")),
             exponent=lambda xs, ps: (xs[0], xs[1])),
       Syntax(infix="**", precedence=4, right=True, aliases=("^",), callable=True,
              const_left="rpow_const", const_right="pow_const"),
       Text(("{1}·{0}^({1}-1)", "ln({0})·{0}^{1}"), label="x^y",
            notes="With a variable exponent the base must be positive, since ∂/∂y x^y = ln(x)·x^y."),
       Oracles(sympy=lambda sp, a, b: a ** b, torch=lambda t, a, b: t.pow(a, b))),
    # Unary gates for a binary operator with one constant operand (the lecture's +1, *-1, 1/x) ----
    Op("neg", 1,
       Maths(lambda xp, x: -x, lambda xp, out, x: (-1.0,)),
       Syntax(infix="-", prefix="-"),
       Text(("-1",), label="*-1", pattern="scaler", notes="Unary minus is the lecture's *-1 gate."),
       Oracles(sympy=lambda sp, x: -x, torch=lambda t, x: -x)),
    Op("add_const", 1,
       Maths(lambda xp, x, c: x + c, lambda xp, out, x, c: (1.0,), constant=True),
       Syntax(infix="+"),
       Text(("1",), label="+{c}", pattern="distributor", notes="Adding a constant passes the gradient unchanged."),
       Oracles(sympy=lambda sp, x, c: x + c, torch=lambda t, x, c: x + c)),
    Op("sub_const", 1,
       Maths(lambda xp, x, c: x - c, lambda xp, out, x, c: (1.0,), constant=True),
       Syntax(infix="-"),
       Text(("1",), label="-{c}", pattern="distributor"),
       Oracles(sympy=lambda sp, x, c: x - c, torch=lambda t, x, c: x - c)),
    Op("rsub_const", 1,
       Maths(lambda xp, x, c: c - x, lambda xp, out, x, c: (-1.0,), constant=True),
       Syntax(infix="-"),
       Text(("-1",), label="{c}-x", pattern="distributor"),
       Oracles(sympy=lambda sp, x, c: c - x, torch=lambda t, x, c: c - x)),
    Op("mul_const", 1,
       Maths(lambda xp, x, c: x * c, lambda xp, out, x, c: (c,), constant=True),
       Syntax(infix="*"),
       Text(("{c}",), label="*{c}", pattern="scaler", notes="Multiplying by a constant scales the gradient by it."),
       Oracles(sympy=lambda sp, x, c: x * c, torch=lambda t, x, c: x * c)),
    Op("div_const", 1,
       Maths(lambda xp, x, c: x / c, lambda xp, out, x, c: (1.0 / c,), constant=True),
       Syntax(infix="/"),
       Text(("1/{c}",), label="/{c}", pattern="scaler"),
       Oracles(sympy=lambda sp, x, c: x / c, torch=lambda t, x, c: x / c)),
    Op("rdiv_const", 1,
       Maths(lambda xp, x, c: c / x, lambda xp, out, x, c: (-(c / x) / x,), constant=True,
             domain=(lambda xp, x, c: x != 0, N_("a nonzero input"))),
       Syntax(infix="/"),
       Text(("-{c}/{0}²",), label="{c}/x", notes="The lecture's 1/x gate: local gradient -1/x². Undefined at x = 0."),
       Oracles(sympy=lambda sp, x, c: c / x, torch=lambda t, x, c: c / x),
       Teach(slips=(("reciprocal_sign", N_("the sign of -1/x² lost: +1/x²"), lambda xp, out, x, c: ((c / x) / x,)),
                    ("reciprocal_square", N_("the square of -1/x² lost: -1/x"), lambda xp, out, x, c: (-c / x,))))),
    # NOTE: x^0 is 1 everywhere, 0^0 included, with gradient 0 (as PyTorch takes it).
    Op("pow_const", 1,
       Maths(lambda xp, x, c: xp.pow(x, c), lambda xp, out, x, c: (c * xp.pow(x, c - 1) if c != 0 else 0.0 * x,),
             constant=True,
             domain=(lambda xp, x, c: (xp.is_integer(c) | (x >= 0)) & ((c >= 0) | (x != 0)),
                     lambda c: _("a nonzero base for a negative power") if float(c).is_integer() else
                     _("a positive base for a negative fractional power") if c < 0 else
                     _("a nonnegative base for a fractional power")),
             exponent=lambda xs, ps: (xs[0], ps[0])),
       Syntax(infix="**"),
       Text((_power_rule,), label="x^{c}", notes="x^c: local gradient c·x^(c-1)."),
       Oracles(sympy=lambda sp, x, c: x ** c, torch=lambda t, x, c: t.pow(x, c))),
    Op("rpow_const", 1,
       Maths(lambda xp, x, c: xp.pow(c, x), lambda xp, out, x, c: (math.log(c) * out,), constant=True,
             domain=(lambda xp, x, c: c > 0, N_("a positive constant base (∂/∂x c^x = ln(c)·c^x)")),
             exponent=lambda xs, ps: (ps[0], xs[0])),
       Syntax(infix="**"),
       Text(("ln({c})·{c}^{0}",), label="{c}^x", notes="c^x: local gradient ln(c)·c^x; the base must be positive."),
       Oracles(sympy=lambda sp, x, c: c ** x, torch=lambda t, x, c: t.pow(c, x))),
    # Functions ------------------------------------------------------------------------------------
    Op("exp", 1,
       Maths(lambda xp, x: xp.exp(x), lambda xp, out, x: (out,)),
       Syntax(callable=True),
       Text(("e^{0}",), label="exp", latex=r"\exp", notes="Its local gradient is its own output."),
       Oracles(sympy=lambda sp, x: sp.exp(x), torch=lambda t, x: t.exp(x)),
       Teach(quiz=3)),
    Op("log", 1,
       Maths(lambda xp, x: xp.log(x), lambda xp, out, x: (1.0 / x,),
             domain=(lambda xp, x: x > 0, N_("a positive input"))),
       Syntax(aliases=("ln",), callable=True),
       Text(("1/{0}",), label="log", latex=r"\log", notes="Natural log; needs x > 0."),
       Oracles(sympy=lambda sp, x: sp.log(x), torch=lambda t, x: t.log(x))),
    Op("sqrt", 1,
       Maths(lambda xp, x: xp.sqrt(x), lambda xp, out, x: (0.5 / out,),
             domain=(lambda xp, x: x >= 0, N_("a nonnegative input"))),
       Syntax(prefix="√", callable=True),
       Text(("1/(2·sqrt({0}))",), label="√", notes="Needs x ≥ 0; its gradient is infinite at 0."),
       Oracles(sympy=lambda sp, x: sp.sqrt(x), torch=lambda t, x: t.sqrt(x))),
    Op("abs", 1,
       Maths(lambda xp, x: abs(x), lambda xp, out, x: (xp.sign(x),),
             kink=(lambda xp, out, x: xp.any(x == 0), N_("abs'(0) is taken as 0")), kink_at_zero=True,
             branch=_sign_branch),
       Syntax(callable=True),
       Text(("sign({0})",), label="abs", notes="NOTE: abs'(0) = 0, as in PyTorch and JAX."),
       Oracles(sympy=lambda sp, x: sp.Abs(x), torch=lambda t, x: t.abs(x))),
    Op("sign", 1,
       Maths(lambda xp, x: xp.sign(x), lambda xp, out, x: (0.0 * x,),
             kink=(lambda xp, out, x: xp.any(x == 0), N_("sign'(0) is taken as 0")), kink_at_zero=True,
             branch=_sign_branch),
       Syntax(callable=True),
       Text(("0",), label="sign", notes="-1, 0 or 1: abs's local gradient. Flat, so it passes no gradient back."),
       Oracles(sympy=lambda sp, x: sp.sign(x), torch=lambda t, x: t.sign(x))),
    Op("heaviside", 1,
       Maths(lambda xp, x: 0.5 + 0.5 * xp.sign(x), lambda xp, out, x: (0.0 * x,),
             kink=(lambda xp, out, x: xp.any(x == 0), N_("heaviside'(0) is taken as 0")), kink_at_zero=True,
             branch=_sign_branch),
       Syntax(callable=True),
       Text(("0",), label="H",
            notes="The step: 0 below 0, 1 above, 1/2 at 0 (sympy's Heaviside). relu's local gradient, as "
                  "symbolic mode writes it. Flat, so it passes no gradient back."),
       Oracles(sympy=lambda sp, x: sp.Heaviside(x),
               torch=lambda t, x: 0.5 + 0.5 * t.sign(x))),  # torch.heaviside has no backward
    Op("erf", 1,
       Maths(lambda xp, x: xp.erf(x), lambda xp, out, x: (_TWO_OVER_SQRT_PI * xp.exp(-x * x),)),
       Syntax(callable=True),
       Text(("2/√π·exp(-{0}²)",), label="erf", notes="The error function, as in gelu's exact form."),
       Oracles(sympy=lambda sp, x: sp.erf(x), torch=lambda t, x: t.erf(x))),
    Op("erfc", 1,
       Maths(lambda xp, x: xp.erfc(x), lambda xp, out, x: (-_TWO_OVER_SQRT_PI * xp.exp(-x * x),)),
       Syntax(callable=True),
       Text(("-2/√π·exp(-{0}²)",), label="erfc", notes="1 - erf(x), with its digits kept where erf is near 1."),
       Oracles(sympy=lambda sp, x: sp.erfc(x), torch=lambda t, x: t.erfc(x))),
    Op("sin", 1,
       Maths(lambda xp, x: xp.sin(x), lambda xp, out, x: (xp.cos(x),)),
       Syntax(callable=True),
       Text(("cos({0})",), label="sin", latex=r"\sin"),
       Oracles(sympy=lambda sp, x: sp.sin(x), torch=lambda t, x: t.sin(x))),
    Op("cos", 1,
       Maths(lambda xp, x: xp.cos(x), lambda xp, out, x: (-xp.sin(x),)),
       Syntax(callable=True),
       Text(("-sin({0})",), label="cos", latex=r"\cos"),
       Oracles(sympy=lambda sp, x: sp.cos(x), torch=lambda t, x: t.cos(x))),
    Op("tanh", 1,
       Maths(lambda xp, x: xp.tanh(x), _tanh_grads),
       Syntax(callable=True),
       Text(("1 - {out}²",), label="tanh", latex=r"\tanh"),
       Oracles(sympy=lambda sp, x: sp.tanh(x), torch=lambda t, x: t.tanh(x)),
       Teach(quiz=3, slips=(("tanh_at_input", N_("tanh's shortcut 1 - tanh² taken at its input x instead of at "
                                                  "tanh: 1 - x²"), lambda xp, out, x: (1.0 - x * x,)),))),
    Op("sigmoid", 1,
       Maths(lambda xp, x: xp.sigmoid(x), _sigmoid_grads),
       Syntax(aliases=("σ",), callable=True),
       Text(("(1 - {out})·{out}",), label="σ", latex=r"\sigma",
            notes="The lecture's sigmoid gate: σ(x) = 1/(1+e^-x), local gradient (1-σ)σ."),
       Oracles(sympy=lambda sp, x: 1 / (1 + sp.exp(-x)), torch=lambda t, x: t.sigmoid(x)),
       Teach(quiz=3, slips=(("sigmoid_at_input", N_("the sigmoid's shortcut (1-σ)σ taken at its input x instead of "
                                                     "at σ: (1-x)·x"), lambda xp, out, x: ((1.0 - x) * x,)),))),
    Op("atan", 1,
       Maths(lambda xp, x: xp.atan(x), lambda xp, out, x: (1.0 / (1.0 + x * x),)),
       Syntax(aliases=("arctan",), callable=True),
       Text(("1/(1+{0}²)",), label="atan", latex=r"\arctan"),
       Oracles(sympy=lambda sp, x: sp.atan(x), torch=lambda t, x: t.atan(x)),
       Teach(quiz=3)),
    Op("softplus", 1,
       Maths(lambda xp, x, beta: (xp.maximum(beta * x, 0.0) + xp.log1p(xp.exp(-abs(beta * x)))) / beta,
             lambda xp, out, x, beta: (xp.sigmoid(beta * x),), params=(("beta", 1.0),)),
       Syntax(callable=True),
       Text(("σ({beta}·{0})",), label="softplus",
            notes="A smooth relu, log(1 + e^(βx))/β, computed without overflow; its local gradient is σ(βx)."),
       Oracles(sympy=lambda sp, x, beta: sp.log(1 + sp.exp(beta * x)) / beta,
               torch=lambda t, x, beta: t.nn.functional.softplus(x, beta=beta, threshold=1e9))),
    Op("tan", 1,
       Maths(lambda xp, x: xp.tan(x), lambda xp, out, x: (1.0 + out * out,)),
       Syntax(callable=True),
       Text(("1+tan({0})²",), label="tan", latex=r"\tan", notes="Its local gradient is 1 + tan², which is 1/cos²."),
       Oracles(sympy=lambda sp, x: sp.tan(x), torch=lambda t, x: t.tan(x))),
    Op("sinh", 1,
       Maths(lambda xp, x: xp.sinh(x), lambda xp, out, x: (xp.cosh(x),)),
       Syntax(callable=True),
       Text(("cosh({0})",), label="sinh", latex=r"\sinh"),
       Oracles(sympy=lambda sp, x: sp.sinh(x), torch=lambda t, x: t.sinh(x))),
    Op("cosh", 1,
       Maths(lambda xp, x: xp.cosh(x), lambda xp, out, x: (xp.sinh(x),)),
       Syntax(callable=True),
       Text(("sinh({0})",), label="cosh", latex=r"\cosh"),
       Oracles(sympy=lambda sp, x: sp.cosh(x), torch=lambda t, x: t.cosh(x))),
    Op("log2", 1,
       Maths(lambda xp, x: xp.log2(x), lambda xp, out, x: (1.0 / (x * _LN2),),
             domain=(lambda xp, x: x > 0, N_("a positive input"))),
       Syntax(callable=True),
       Text(("1/({0}·ln(2))",), label="log2", latex=r"\log_2", notes="Base-2 log; needs x > 0."),
       Oracles(sympy=lambda sp, x: sp.log(x, 2), torch=lambda t, x: t.log2(x))),
    Op("log10", 1,
       Maths(lambda xp, x: xp.log10(x), lambda xp, out, x: (1.0 / (x * _LN10),),
             domain=(lambda xp, x: x > 0, N_("a positive input"))),
       Syntax(callable=True),
       Text(("1/({0}·ln(10))",), label="log10", latex=r"\log_{10}", notes="Base-10 log; needs x > 0."),
       Oracles(sympy=lambda sp, x: sp.log(x, 10), torch=lambda t, x: t.log10(x))),
    Op("exp2", 1,
       Maths(lambda xp, x: xp.pow(2.0, x), lambda xp, out, x: (_LN2 * out,)),
       Syntax(callable=True),
       Text(("ln(2)·2^{0}",), label="2^x", notes="2^x; its local gradient is ln(2)·2^x."),
       Oracles(sympy=lambda sp, x: 2 ** x, torch=lambda t, x: t.exp2(x))),
    Op("square", 1,
       Maths(lambda xp, x: x * x, lambda xp, out, x: (2.0 * x,)),
       Syntax(callable=True),
       Text(("2·{0}",), label="x²", notes="x²: local gradient 2x."),
       Oracles(sympy=lambda sp, x: x ** 2, torch=lambda t, x: t.square(x))),
    Op("silu", 1,
       Maths(lambda xp, x: x * xp.sigmoid(x), _silu_grads),
       Syntax(aliases=("swish",), callable=True),
       Text(("σ({0})·(1+{0}·(1-σ({0})))",), label="silu",
            notes="SiLU, also called swish: x·σ(x); local gradient σ(x)·(1 + x·(1 - σ(x)))."),
       Oracles(sympy=lambda sp, x: x / (1 + sp.exp(-x)), torch=lambda t, x: t.nn.functional.silu(x))),
    Op("gelu", 1,
       Maths(_gelu, _gelu_grads),
       Syntax(callable=True),
       Text(("Φ({0})+{0}·φ({0})",), label="gelu",
            notes="The exact GELU, x·Φ(x) with Φ the normal CDF (PyTorch's gelu, approximate='none'); "
                  "gelu_tanh is the tanh approximation."),
       Oracles(sympy=lambda sp, x: x * (1 + sp.erf(x / sp.sqrt(2))) / 2, torch=lambda t, x: t.nn.functional.gelu(x))),
    Op("gelu_tanh", 1,
       Maths(_gelu_tanh, _gelu_tanh_grads),
       Syntax(callable=True),
       Text(("(1+tanh(u))/2 + {0}·(1-tanh(u)²)·u'/2 with u = √(2/π)·({0}+0.044715·{0}³), "
             "u' = √(2/π)·(1+0.134145·{0}²)",),
            label="gelu~",
            notes="GELU's tanh approximation (PyTorch's approximate='tanh', GPT-2's): "
                  "x·(1 + tanh u)/2 with u = √(2/π)(x + 0.044715x³)."),
       Oracles(sympy=lambda sp, x: x * (1 + sp.tanh(sp.sqrt(2 / sp.pi) *
                                                    (x + sp.Rational(44715, 1000000) * x ** 3))) / 2,
               torch=lambda t, x: t.nn.functional.gelu(x, approximate="tanh"))),
    Op("hardtanh", 1,
       Maths(lambda xp, x, lo, hi: xp.minimum(xp.maximum(x, lo), hi),
             lambda xp, out, x, lo, hi: (xp.where((x > lo) & (x < hi), 1.0, 0.0),),
             params=(("lo", -1.0), ("hi", 1.0)),
             domain=(lambda xp, x, lo, hi: lo < hi,
                     lambda lo, hi: _("lo < hi (got lo = {lo:g}, hi = {hi:g})").format(lo=lo, hi=hi)),
             kink=(lambda xp, out, x, lo, hi: xp.any((x == lo) | (x == hi)),
                   N_("at lo and hi the slope is taken as 0")),
             branch=lambda xp, out, x, lo, hi: xp.key(xp.sign(x - lo) + xp.sign(x - hi))),
       Syntax(callable=True),
       Text(("[{lo} < {0} < {hi}]",), label="hardtanh", pattern="router",
            notes="Clamps x to [lo, hi] (default [-1, 1]): passes the gradient inside, 0 outside. "
                  "NOTE: at lo and hi the slope is 0, as in PyTorch's hardtanh."),
       Oracles(sympy=lambda sp, x, lo, hi: sp.Min(sp.Max(x, lo), hi),
               torch=lambda t, x, lo, hi: t.nn.functional.hardtanh(x, lo, hi))),
    Op("clip", 1,
       Maths(lambda xp, x, lo, hi: xp.minimum(xp.maximum(x, lo), hi),
             lambda xp, out, x, lo, hi: (xp.where((x >= lo) & (x <= hi), 1.0, 0.0),),
             params=(("lo", None), ("hi", None)),
             domain=(lambda xp, x, lo, hi: lo <= hi,
                     lambda lo, hi: _("lo ≤ hi (got lo = {lo:g}, hi = {hi:g})").format(lo=lo, hi=hi)),
             kink=(lambda xp, out, x, lo, hi: xp.any((x == lo) | (x == hi)),
                   N_("at lo and hi the slope is taken as 1")),
             branch=lambda xp, out, x, lo, hi: xp.key(xp.sign(x - lo) + xp.sign(x - hi))),
       Syntax(callable=True),
       Text(("[{lo} ≤ {0} ≤ {hi}]",), label="clip", pattern="router",
            notes="clip(x, lo, hi) clamps x to [lo, hi]: passes the gradient inside, 0 outside. "
                  "NOTE: at lo and hi the slope is 1, as in PyTorch's clamp (hardtanh takes 0 there)."),
       Oracles(sympy=lambda sp, x, lo, hi: sp.Min(sp.Max(x, lo), hi), torch=lambda t, x, lo, hi: t.clamp(x, lo, hi))),
    Op("relu", 1,
       Maths(lambda xp, x: xp.maximum(x, 0.0), lambda xp, out, x: (xp.where(x > 0, 1.0, 0.0),),
             kink=(lambda xp, out, x: xp.any(x == 0), N_("relu'(0) is taken as 0")), kink_at_zero=True,
             branch=_sign_branch),
       Syntax(callable=True),
       Text(("[{0} > 0]",), label="relu", pattern="router", notes="NOTE: relu'(0) = 0, as in PyTorch and JAX."),
       Oracles(sympy=lambda sp, x: sp.Max(0, x), torch=lambda t, x: t.relu(x))),
    Op("leaky_relu", 1,
       Maths(lambda xp, x, alpha: xp.where(x > 0, x, alpha * x),
             lambda xp, out, x, alpha: (xp.where(x > 0, 1.0, alpha),), params=(("alpha", 0.01),),
             kink=(lambda xp, out, x, alpha: xp.any(x == 0), N_("leaky_relu'(0) is taken as alpha")), kink_at_zero=True,
             branch=_sign_branch),
       Syntax(callable=True),
       Text(("1 if {0} > 0 else {alpha}",), label="leaky", notes="NOTE: at x = 0 the slope is alpha, as in PyTorch."),
       Oracles(sympy=lambda sp, x, alpha: sp.Max(0, x) + alpha * sp.Min(0, x),  # no Piecewise: typed back as written
               torch=lambda t, x, alpha: t.nn.functional.leaky_relu(x, alpha))),
    Op("elu", 1,
       Maths(lambda xp, x, alpha: xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0.0))),
             # NOTE: alpha·e^x, not out + alpha, which cancels to 0 for very negative x.
             lambda xp, out, x, alpha: (xp.where(x > 0, 1.0, alpha * xp.exp(xp.minimum(x, 0.0))),),
             params=(("alpha", 1.0),),
             kink=(lambda xp, out, x, alpha: xp.any(x == 0) and alpha != 1, N_("elu'(0) is taken as alpha")),
             kink_at_zero=True, branch=_sign_branch),
       Syntax(callable=True),
       Text(("1 if {0} > 0 else {alpha}·exp({0})",), label="elu",
            notes="NOTE: at x = 0 the slope is alpha (the left branch), as in PyTorch."),
       Oracles(sympy=lambda sp, x, alpha: sp.Max(0, x) + alpha * (sp.exp(sp.Min(0, x)) - 1),
               torch=lambda t, x, alpha: t.nn.functional.elu(x, alpha))),
    Op("max", VARIADIC,
       Maths(_extreme(lambda xp: xp.maximum), _extreme_grads,
             kink=(_tie, N_("a tie: the gradient is split evenly between the tied inputs")), branch=_winners),
       Syntax(callable=True),
       Text(("[{i} is max]",), label="max", pattern="router", latex=r"\max",
            notes="max gate: routes the whole gradient to the largest input. NOTE: a tie splits it evenly."),
       Oracles(sympy=lambda sp, xs, consts=(): sp.Max(*xs, *consts),
               torch=lambda t, xs, consts=(): _stacked(t, xs, consts).amax(dim=0))),
    Op("min", VARIADIC,
       Maths(_extreme(lambda xp: xp.minimum), _extreme_grads,
             kink=(_tie, N_("a tie: the gradient is split evenly between the tied inputs")), branch=_winners),
       Syntax(callable=True),
       Text(("[{i} is min]",), label="min", pattern="router", latex=r"\min",
            notes="min gate: routes the whole gradient to the smallest input. NOTE: a tie splits it evenly."),
       Oracles(sympy=lambda sp, xs, consts=(): sp.Min(*xs, *consts),
               torch=lambda t, xs, consts=(): _stacked(t, xs, consts).amin(dim=0))),
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


def _sum(xp: Any, x: Any, axis: int | None = None) -> Any:
    return xp.np.sum(x, axis=axis)


def _sum_vjp(xp: Any, up: Any, out: Any, x: Any, axis: int | None = None) -> Any:
    # Each element of the input fed one element of the output: its upstream, copied along the axis.
    np = xp.np
    return (np.broadcast_to(up if axis is None else np.expand_dims(up, axis), np.shape(x)),)


def _mean(xp: Any, x: Any, axis: int | None = None) -> Any:
    return xp.np.mean(x, axis=axis)


def _mean_vjp(xp: Any, up: Any, out: Any, x: Any, axis: int | None = None) -> Any:
    np = xp.np
    n = np.size(x) if axis is None else np.shape(x)[axis]
    return (np.broadcast_to((up if axis is None else np.expand_dims(up, axis)) / n, np.shape(x)),)


def _axis_fits(x: tuple[int, ...], axis: int | None = None) -> bool:
    return axis is None or -len(x) <= axis < len(x)


def _axis_needs(x: tuple[int, ...], axis: int | None = None) -> str:
    if not x:
        return _("an array with an axis {axis}, but its input is one number").format(axis=axis)
    return ngettext("an axis from {lo} to {hi} (its input has {count} axis), not {axis}",
                    "an axis from {lo} to {hi} (its input has {count} axes), not {axis}", len(x)).format(
        lo=-len(x), hi=len(x) - 1, count=len(x), axis=axis)


def _along(fields: dict[str, str], whole: str, along: str) -> str:
    """A reduction's text: for every axis (sum(x)), or along the one given (sum(x, axis=1))."""
    axis = fields.get("axis")
    return whole if axis is None else along.format(axis=axis)


_LABELS = (_labels_ok, N_("integer class labels y, one per row of scores, each in 0..C-1"))
_LOSS_SHAPES = (lambda scores, y: (len(scores) == 1 and y in ((), (1,))) or
                (len(scores) == 2 and (y == (scores[0],) or (y == () and scores[0] == 1))),
                N_("scores of shape (C,) or (N, C) and labels y with one integer per row (N of them)"))

_RECORDS += [
    Op("matmul", 2,
       Maths(lambda xp, a, b: xp.np.matmul(a, b), None, vjp=_matmul_vjp),
       Syntax(infix="@", precedence=2),
       Text(("up·{1}ᵀ", "{0}ᵀ·up"), label="@",
            jacobian=(N_("block-structured: sends upstream·{1}ᵀ"), N_("block-structured: sends {0}ᵀ·upstream")),
            notes=N_("Matrix product (vectors, matrices, batches). ∂/∂W of W@x sends upstream·xᵀ, "
                     "∂/∂x sends Wᵀ·upstream.")),
       Oracles(torch=lambda t, a, b: t.matmul(a, b))),
    # The slides' W·x: between two arrays the product they mean is the matrix (or dot) product,
    # never the elementwise one; with a number on either side it is the ordinary product. × alike.
    Op("cdot", 2,
       Maths(_cdot, lambda xp, out, a, b: (b, a), vjp=_cdot_vjp),
       Syntax(infix="·", precedence=2, aliases=("⋅", "×"), const_left="mul_const", const_right="mul_const"),
       Text(("{1}", "{0}"), label="·", pattern="switcher",
            jacobian=(N_("as in W·x, the matrix product's: sends upstream·{1}ᵀ"),
                      N_("as in W·x, the matrix product's: sends {0}ᵀ·upstream")),
            vjp_formula=("up·{1}ᵀ", "{0}ᵀ·up"),
            notes=N_("· and × as the slides write them: the matrix/dot product between two arrays, "
                     "the ordinary product when either side is a number.")),
       Oracles(sympy=lambda sp, a, b: a * b,
               torch=lambda t, a, b: a * b if a.dim() == 0 or b.dim() == 0 else t.matmul(a, b))),
    # sum(x) and mean(x) reduce every axis; sum(x, axis=1) (or sum(x, 1)) one, as numpy's do.
    Op("sum", 1,
       Maths(_sum, None, vjp=_sum_vjp, params=(("axis", None),), kinds=(("axis", AXIS),),
             shapes=(_axis_fits, _axis_needs)),
       Syntax(callable=True),
       Text((lambda f: _along(f, "ones", "expand_dims(up, {axis})"),), label="Σ", pattern="distributor",
            jacobian=(lambda f: _along(f, _("all ones: copies the upstream to every element"),
                                       _("ones along axis {axis}: copies each upstream element along axis {axis}")),),
            notes=lambda f: _along(f, _("Sum of all elements: distributes the upstream gradient to every element."),
                                   _("Sum along axis {axis}: copies each upstream element back to every element "
                                     "along that axis."))),
       Oracles(torch=lambda t, x, axis=None: t.sum(x) if axis is None else t.sum(x, dim=axis))),
    Op("mean", 1,
       Maths(_mean, None, vjp=_mean_vjp, params=(("axis", None),), kinds=(("axis", AXIS),),
             shapes=(_axis_fits, _axis_needs)),
       Syntax(callable=True),
       Text((lambda f: _along(f, "1/n", "expand_dims(up, {axis})/n"),), label="mean",
            jacobian=(lambda f: _along(f, _("all 1/n: shares the upstream evenly"),
                                       _("1/n along axis {axis}: shares each upstream element evenly between the n "
                                         "elements along axis {axis}")),)),
       Oracles(torch=lambda t, x, axis=None: t.mean(x) if axis is None else t.mean(x, dim=axis))),
    Op("dot", 2,
       Maths(lambda xp, a, b: xp.np.dot(a, b), None, vjp=lambda xp, up, out, a, b: (up * b, up * a),
             shapes=(lambda a, b: len(a) == 1 and a == b, N_("two vectors of the same length (as torch.dot); "
                     "use @ for matrix products and sum(a * b) for an elementwise product"))),
       Syntax(callable=True),
       Text(("{1}", "{0}"), label="·", pattern="switcher",
            jacobian=(N_("one row: the other vector, {1}"), N_("one row: the other vector, {0}")),
            product=("up·{1}", "up·{0}"),
            product_words=(N_("the other vector, {1}, times the upstream number"),
                           N_("the other vector, {0}, times the upstream number")),
            notes=N_("Dot product of two vectors: each one's gradient is the other, scaled by the upstream.")),
       Oracles(torch=lambda t, a, b: t.dot(a, b))),
    Op("transpose", 1,
       Maths(lambda xp, x: xp.np.transpose(x), None, vjp=lambda xp, up, out, x: (xp.np.transpose(up),)),
       Syntax(postfix=".T", callable=True),
       Text(("upᵀ",), label="ᵀ", jacobian=(N_("a permutation: transposes the upstream"),),
            notes=N_("x.T or transpose(x): reverses the axes.")),
       Oracles(torch=lambda t, x: x.permute(*reversed(range(x.dim()))))),
    Op("norm", 1,
       Maths(lambda xp, x: xp.np.sqrt(xp.np.vdot(x, x)), None, vjp=lambda xp, up, out, x: (up * x / out,)),
       Syntax(callable=True),
       Text(("{0}/‖{0}‖",), label="‖·‖", jacobian=(N_("one row: {0}/‖{0}‖"),),
            notes=N_("The Euclidean norm; its gradient x/‖x‖ is undefined at 0.")),
       Oracles(torch=lambda t, x: t.linalg.vector_norm(x))),
    Op("softmax", 1,
       Maths(_softmax, None, vjp=lambda xp, up, out, x: (out * (up - xp.np.sum(up * out, axis=-1, keepdims=True)),)),
       Syntax(callable=True),
       Text(("diag(p)-p·pᵀ",), label="softmax",
            jacobian=(N_("dense within each row: diag(p) - p·pᵀ, p = softmax(x)"),),
            notes=N_("Softmax along the last axis.")),
       Oracles(torch=lambda t, x: t.softmax(x, dim=-1))),
    Op("log_softmax", 1,
       Maths(_log_softmax, None,
             vjp=lambda xp, up, out, x: (up - xp.np.exp(out) * xp.np.sum(up, axis=-1, keepdims=True),)),
       Syntax(callable=True),
       Text(("I-1·pᵀ",), label="log σ", jacobian=(N_("dense within each row: I - 1·pᵀ, p = softmax(x)"),),
            notes=N_("Log-softmax along the last axis, computed stably.")),
       Oracles(torch=lambda t, x: t.log_softmax(x, dim=-1))),
    Op("cross_entropy", 2,
       Maths(_cross_entropy, None, vjp=_cross_entropy_vjp, domain=_LABELS, shapes=_LOSS_SHAPES),
       Syntax(callable=True),
       Text(("(p-onehot({1}))/N", "none"), label="CE",
            jacobian=(N_("one row: (p - one-hot(y)) / N, p = softmax(scores)"),
                      N_("none: labels are not differentiable")),
            notes=N_("Softmax cross-entropy, averaged over the rows of scores; y holds integer labels.")),
       Oracles(torch=lambda t, s, y: t.nn.functional.cross_entropy(s.reshape(-1, s.shape[-1]),
                                                                    y.reshape(-1).long()))),
    Op("svm_loss", 2,
       Maths(_svm_loss, None, vjp=_svm_vjp, domain=_LABELS, shapes=_LOSS_SHAPES),
       Syntax(callable=True),
       Text(("([m > 0]-onehot({1})·Σ[m > 0])/N with m = {0}-{0}_{1}+1", "none"), label="SVM",
            jacobian=(N_("one row: 1 where a margin is violated, minus their count at y, over N"),
                      N_("none: labels are not differentiable")),
            notes=N_("The multiclass hinge loss with margin 1, averaged over the rows of scores.")),
       Oracles(torch=lambda t, s, y: s.shape[-1] * t.nn.functional.multi_margin_loss(s.reshape(-1, s.shape[-1]),
                                                                                    y.reshape(-1).long()))),
]

# Convolution and pooling, in CS231n's conventions: images (N, C, H, W), filters (F, C, HH, WW). ---
# Both read their input one window offset (i, j) at a time: _at gives the entry at that offset of
# every window, a strided view (no copy). Python loops run over a window's offsets, never over
# windows or pixels, and no array as large as every window of the batch is ever made.

def _at(x: Any, i: int, j: int, stride: int, oh: int, ow: int) -> Any:
    """Entry (i, j) of each of x's oh×ow windows, stride apart: a view of shape (N, C, oh, ow)."""
    return x[:, :, i:i + stride * (oh - 1) + 1:stride, j:j + stride * (ow - 1) + 1:stride]


def _padded(np: Any, x: Any, pad: int) -> Any:
    x = np.asarray(x, dtype=float)
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x


# The columns (im2col) of a few images at a time: enough for a matrix product to run at full
# speed, few enough that their memory stays bounded however large the batch.
_COLUMN_BYTES = 4 << 20


def _column_batches(np: Any, padded: Any, kh: int, kw: int, stride: int, oh: int,
                    ow: int) -> Iterator[tuple[int, int, Any]]:
    """(lo, hi, cols) for consecutive images lo..hi-1 of padded: cols (hi-lo, C·kh·kw, oh·ow) holds
    each window as a column, in w's (C, kh, kw) order. The buffer is reused from batch to batch."""
    n, c = padded.shape[:2]
    step = max(1, min(n, _COLUMN_BYTES // (8 * c * kh * kw * oh * ow)))
    buffer = np.empty((step, c, kh, kw, oh, ow))
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        cols, images = buffer[:hi - lo], padded[lo:hi]
        for i in range(kh):
            for j in range(kw):
                cols[:, :, i, j] = _at(images, i, j, stride, oh, ow)
        yield lo, hi, cols.reshape(hi - lo, c * kh * kw, oh * ow)


def _conv_sizes(x: Any, w: Any, stride: int, pad: int) -> tuple[int, int]:
    return 1 + (x.shape[2] + 2 * pad - w.shape[2]) // stride, 1 + (x.shape[3] + 2 * pad - w.shape[3]) // stride


def _conv2d(xp: Any, x: Any, w: Any, b: Any, stride: float, pad: float) -> Any:
    np = xp.np
    s, p = int(stride), int(pad)
    w = np.asarray(w, dtype=float)
    oh, ow = _conv_sizes(x, w, s, p)
    f = w.shape[0]
    out = np.empty((x.shape[0], f, oh, ow))
    rows = out.reshape(x.shape[0], f, oh * ow)
    filters = w.reshape(f, -1)
    for lo, hi, cols in _column_batches(np, _padded(np, x, p), w.shape[2], w.shape[3], s, oh, ow):
        np.matmul(filters, cols, out=rows[lo:hi])  # (F, C·HH·WW)(C·HH·WW, H'·W') per image
    out += np.reshape(b, (f, 1, 1))
    return out


def _conv2d_vjp(xp: Any, up: Any, out: Any, x: Any, w: Any, b: Any, stride: float, pad: float) -> Any:
    np = xp.np
    s, p = int(stride), int(pad)
    w = np.asarray(w, dtype=float)
    n, f, oh, ow = np.shape(out)
    kh, kw = w.shape[2:]
    up = np.ascontiguousarray(np.broadcast_to(up, (n, f, oh, ow)), dtype=float).reshape(n, f, oh * ow)
    filters = w.reshape(f, -1)
    padded = _padded(np, x, p)
    dfilters = np.zeros(filters.shape)
    dpadded = np.zeros(padded.shape)
    for lo, hi, cols in _column_batches(np, padded, kh, kw, s, oh, ow):
        # Σ over images of up·colsᵀ, then each window's share wᵀ·up written over the columns
        # (no longer needed) and added back where its window came from (col2im), offset by offset.
        dfilters += np.matmul(up[lo:hi], cols.transpose(0, 2, 1)).sum(axis=0)
        shares = np.matmul(filters.T, up[lo:hi], out=cols).reshape(hi - lo, -1, kh, kw, oh, ow)
        images = dpadded[lo:hi]
        for i in range(kh):
            for j in range(kw):
                _at(images, i, j, s, oh, ow)[...] += shares[:, :, i, j]
    dx = dpadded[:, :, p:p + x.shape[2], p:p + x.shape[3]] if p else dpadded
    return dx, dfilters.reshape(w.shape), up.sum(axis=(0, 2))


def _pool_sizes(x: Any, size: int, stride: int) -> tuple[int, int]:
    return 1 + (x.shape[2] - size) // stride, 1 + (x.shape[3] - size) // stride


def _window_max(np: Any, x: Any, size: int, stride: int) -> Any:
    """Each size×size window's maximum: a running maximum over the window's offsets."""
    # (x reshaped to (N, C, H', k, W', k) and maxed over its two k axes, when stride = size,
    # measured 10 to 60 times slower: numpy reduces small strided axes slowly.)
    oh, ow = _pool_sizes(x, size, stride)
    out = _at(x, 0, 0, stride, oh, ow).copy()
    for i in range(size):
        for j in range(size):
            if i or j:
                np.maximum(out, _at(x, i, j, stride, oh, ow), out=out)
    return out


def _first_max(np: Any, x: Any, size: int, stride: int) -> Any:
    """Each window's first maximum in row-major order (as PyTorch picks it), as an index 0..size²-1."""
    oh, ow = _pool_sizes(x, size, stride)
    best = _at(x, 0, 0, stride, oh, ow).copy()
    first = np.zeros(best.shape, dtype=np.intp)
    for i in range(size):
        for j in range(size):
            if i or j:
                later = _at(x, i, j, stride, oh, ow) > best  # strictly: a tie keeps the earlier one
                first[later] = i * size + j
                np.maximum(best, _at(x, i, j, stride, oh, ow), out=best)
    return first


def _route_to_first_max(np: Any, up: Any, x: Any, size: int, stride: int, tiles: bool) -> Any:
    """maxpool2d's vector-Jacobian product: each window's upstream gradient sent to its first
    maximum, offset by offset. tiles: the windows tile x (stride = size), so each entry of x is in
    exactly one window and is written once, with no zeros first and no sums."""
    # The maxima are found again from x, not taken from the forward pass's output, which the
    # float-noise runs move by a few ulps (then no entry would equal its window's maximum).
    top = _window_max(np, x, size, stride)
    oh, ow = np.shape(top)[2:]
    dx = np.empty(np.shape(x)) if tiles else np.zeros(np.shape(x))
    hit = np.empty(np.shape(top), dtype=bool)
    taken = None  # the windows whose first maximum an earlier offset held
    for i in range(size):
        for j in range(size):
            np.equal(_at(x, i, j, stride, oh, ow), top, out=hit)
            if taken is None:
                taken = hit.copy()
            else:
                np.greater(hit, taken, out=hit)  # a maximum here, and none before: hit and not taken
                taken |= hit
            dst = _at(dx, i, j, stride, oh, ow)
            if stride >= size:  # windows apart: nothing has been sent here yet
                np.multiply(up, hit, out=dst)
            else:  # overlapping windows add up
                dst += up * hit
    return dx


def _maxpool2d_vjp(xp: Any, up: Any, out: Any, x: Any, size: float, stride: float) -> Any:
    np = xp.np
    k, s = int(size), int(stride)
    up = np.broadcast_to(up, np.shape(out))
    return (_route_to_first_max(np, up, np.asarray(x, dtype=float), k, s, tiles=s == k),)


def _maxpool2d_tie(xp: Any, out: Any, x: Any, size: float, stride: float) -> bool:
    # Every window holds its maximum at least once, so there is a tie exactly when the windows'
    # entries equal to their maximum outnumber the windows. (The maxima found again from x, as above.)
    np = xp.np
    k, s = int(size), int(stride)
    top = _window_max(np, x, k, s)
    oh, ow = np.shape(top)[2:]
    hits = sum(int(np.count_nonzero(_at(x, i, j, s, oh, ow) == top)) for i in range(k) for j in range(k))
    return hits > int(np.size(top))


def _window_misfit(sizes: Sequence[int], window: Sequence[int], stride: float, pad: float, fits: str,
                   whole: str) -> str | None:
    """What a window op needs that these sizes lack: windows inside the padded input that each see
    some of the input (so pad < the window), and a whole number of them along each axis, as CS231n
    asserts (PyTorch would drop the rest)."""
    s, p = int(stride), int(pad)
    for axis, size, k in zip((_("height"), _("width")), sizes, window):
        span = size + 2 * p - k
        if span < 0:
            return _(fits).format(axis=axis, size=size, pad=p, padded=size + 2 * p, window=k)
        if p >= k:
            return _("a pad smaller than the filters, so that every window sees some of the input, but pad is "
                     "{pad} and the filters' {axis} is {window}").format(pad=format(pad, "g"), axis=axis, window=k)
        if span % s:
            value = format(1 + span / s, ".6g")
            if float(value).is_integer():  # a huge stride: 1 + 1/1e+300 is not 1
                value = f"1 + {span}/{stride:g}"
            return _(whole).format(axis=axis, size=size, pad=p, window=k, stride=format(stride, "g"), value=value)
    return None


def _conv2d_misfit(x: Sequence[int], w: Sequence[int], b: Sequence[int], stride: float, pad: float) -> str | None:
    if len(x) != 4 or len(w) != 4 or len(b) != 1 or x[1] != w[1] or b[0] != w[0] or 0 in (*x, *w):
        return _("x of shape (N, C, H, W), filters w of shape (F, C, HH, WW) with the same C, and biases b "
                 "of shape (F,)")
    return _window_misfit(x[2:], w[2:], stride, pad,
                          N_("filters that fit the padded input, but its {axis} is {size} + 2·{pad} = {padded}, "
                             "less than the filters' {window}"),
                          N_("1 + (H + 2·pad − HH)/stride and 1 + (W + 2·pad − WW)/stride to be whole numbers, "
                             "but the {axis} gives 1 + ({size} + 2·{pad} − {window})/{stride} = {value}"))


def _maxpool2d_misfit(x: Sequence[int], size: float, stride: float) -> str | None:
    if len(x) != 4 or 0 in x:
        return _("x of shape (N, C, H, W)")
    return _window_misfit(x[2:], (int(size), int(size)), stride, 0,
                          N_("a window that fits the input, but its {axis} is {size}, less than the window's {window}"),
                          N_("1 + (H − size)/stride and 1 + (W − size)/stride to be whole numbers, "
                             "but the {axis} gives 1 + ({size} − {window})/{stride} = {value}"))


_RECORDS += [
    Op("conv2d", 3,
       Maths(_conv2d, None, vjp=_conv2d_vjp, params=(("stride", 1), ("pad", 0)),
             kinds=(("stride", Whole(1)), ("pad", Whole(0))),
             shapes=(lambda *a: _conv2d_misfit(*a) is None, lambda *a: _conv2d_misfit(*a) or "")),
       Syntax(callable=True),
       Text(("col2im({1}ᵀ·up)", "up·im2col({0})ᵀ", "up·ones"), label="conv",
            jacobian=(N_("sparse: each output reads one window of {0}; sends col2im({1}ᵀ·upstream)"),
                      N_("block-structured, a block per filter: sends upstream·im2col({0})ᵀ"),
                      N_("a 1 per output, at its filter's bias: sends the upstream summed over n, i, j")),
            product=("up ∗ flip({1})", "{0} ⋆ up", "Σ_N,H′,W′(up)"),
            product_words=(N_("the full convolution of the upstream with the flipped filters {1} (each "
                              "filter turned 180°), at the stride, cropped by the padding"),
                           N_("the correlation of {0}'s windows with the upstream, summed over the batch"),
                           N_("the upstream summed over N, H′ and W′, one number per filter")),
            notes=N_("2-D convolution (a cross-correlation, as in CS231n and PyTorch) of images x (N, C, H, W) "
                     "with filters w (F, C, HH, WW) and biases b (F,), zero-padded by pad on each side, windows "
                     "stride apart: the output (N, F, H', W') has H' = 1 + (H + 2·pad − HH)/stride. Its formulas "
                     "are those of a matrix product (im2col): im2col(x) holds each window as a column, w and up "
                     "are matrices with a row per filter, ones sums each row, and col2im adds each column back "
                     "into its window, where windows overlap adding up.")),
       Oracles(torch=lambda t, x, w, b, stride, pad: t.nn.functional.conv2d(x, w, b, stride=int(stride),
                                                                            padding=int(pad)))),
    Op("maxpool2d", 1,
       Maths(lambda xp, x, size, stride: _window_max(xp.np, x, int(size), int(stride)), None,
             vjp=_maxpool2d_vjp, params=(("size", 2), ("stride", 2)),
             kinds=(("size", Whole(1)), ("stride", Whole(1))),
             shapes=(lambda *a: _maxpool2d_misfit(*a) is None, lambda *a: _maxpool2d_misfit(*a) or ""),
             kink=(_maxpool2d_tie, N_("a tie in a window: the whole gradient goes to its first maximum")),
             branch=lambda xp, out, x, size, stride: xp.key(_first_max(xp.np, x, int(size), int(stride)))),
       Syntax(callable=True),
       Text(("col2im(onehot(argmax(im2col({0}))) * up)",), label="maxpool", pattern="router",
            jacobian=(N_("sparse: a single 1 per output, at its window's first maximum in {0}"),),
            product=("route(up)",),
            product_words=(N_("each window's upstream goes to the window's maximum in {0} (the first one on a "
                              "tie), adding up where windows overlap; every other element gets 0"),),
            notes=N_("Max pooling over size×size windows of x (N, C, H, W), stride apart, each channel on its "
                     "own: the output (N, C, H', W') has H' = 1 + (H − size)/stride. Routes each window's "
                     "upstream gradient to the window's maximum; where windows overlap (stride < size) their "
                     "gradients add up. Its formula: im2col(x) holds each window of a channel as a column, up "
                     "is one row, and col2im adds each column back into its window. NOTE: a tie goes to the "
                     "window's first maximum in row-major order, as in PyTorch.")),
       Oracles(torch=lambda t, x, size, stride: t.nn.functional.max_pool2d(x, int(size), int(stride)))),
]

# The course's layers (CS231n assignment 2) -----------------------------------------------------
# Each takes the course's shapes: a batch of N examples along axis 0, features along axis 1 (and
# H, W after them for images). A per-feature vector (b, gamma, beta) is laid along axis 1.

def _feature(np: Any, v: Any, ndim: int) -> Any:
    """A per-feature vector (D,) or (C,) shaped to broadcast along axis 1 of an ndim array."""
    return np.reshape(v, (1, -1) + (1,) * (ndim - 2))


def _affine(xp: Any, x: Any, w: Any, b: Any) -> Any:
    np = xp.np
    return np.reshape(x, (np.shape(x)[0], -1)) @ w + b


def _affine_vjp(xp: Any, up: Any, out: Any, x: Any, w: Any, b: Any) -> Any:
    np = xp.np
    rows = np.reshape(x, (np.shape(x)[0], -1))
    return np.reshape(up @ np.transpose(w), np.shape(x)), np.transpose(rows) @ up, np.sum(up, axis=0)


def _centred(np: Any, x: Any, axes: tuple[int, ...]) -> Any:
    """x - μ, μ the mean over `axes`, and the biased variance (as the course and PyTorch's training
    mode take it), kept broadcastable."""
    # Shifted by one of its own values first: for values far from 0 with a tiny spread (300 ±
    # 0.001), x - mean(x) keeps only the digits the rounded mean leaves (about 1e-11 of them here,
    # as PyTorch's), while x - x0 is exact or nearly and its mean is small, so all are kept.
    d = x - x[tuple(slice(0, 1) if a in axes else slice(None) for a in range(np.ndim(x)))]
    centred = d - np.mean(d, axis=axes, keepdims=True)
    return centred, np.mean(centred * centred, axis=axes, keepdims=True)


def _normalized(np: Any, x: Any, axes: tuple[int, ...], eps: float) -> Any:
    """x̂ = (x - μ)/σ with σ = √(var + eps), and σ."""
    centred, var = _centred(np, x, axes)
    if not np.all(np.isfinite(var)):
        raise OverflowError  # a spread beyond 1e154: x̂ would silently be 0 (the engine says so instead)
    sigma = np.sqrt(var + eps)
    return centred / sigma, sigma


def _norm_layer(stats: tuple[int, ...], params: tuple[int, ...]) -> tuple[Rule, Rule, Rule]:
    """forward, vjp and domain of a normalization layer: statistics over the axes `stats`, gamma and
    beta per feature, their gradients summed over the axes `params`."""
    def fn(xp: Any, x: Any, gamma: Any, beta: Any, eps: float) -> Any:
        np = xp.np
        xhat, _sigma = _normalized(np, x, stats, eps)
        return _feature(np, gamma, np.ndim(x)) * xhat + _feature(np, beta, np.ndim(x))

    def vjp(xp: Any, up: Any, out: Any, x: Any, gamma: Any, beta: Any, eps: float) -> Any:
        # The compact form: with g = up·gamma (the gradient reaching x̂), m values per statistic,
        # dx = (1/σ)/m·(m·g - Σg - x̂·Σ(g·x̂)), which for batchnorm is the course's
        # (gamma/σ)/N·(N·up - Σup - x̂·Σ(up·x̂)). x̂ is recomputed: (out - beta)/gamma would lose
        # every digit where gamma is near 0.
        np = xp.np
        xhat, sigma = _normalized(np, x, stats, eps)
        g = up * _feature(np, gamma, np.ndim(x))
        m = math.prod(np.shape(x)[a] for a in stats)
        dx = (m * g - np.sum(g, axis=stats, keepdims=True)
              - xhat * np.sum(g * xhat, axis=stats, keepdims=True)) / (m * sigma)
        return dx, np.sum(up * xhat, axis=params), np.sum(up, axis=params)

    def domain(xp: Any, x: Any, gamma: Any, beta: Any, eps: float) -> Any:
        # element by element, so that an error points at the first element of a constant feature
        np = xp.np
        return eps >= 0 and np.broadcast_to(_centred(np, x, stats)[1] + eps > 0, np.shape(x))

    return fn, vjp, domain


def _eps_needed(eps: float) -> str:
    if eps < 0:
        return _("eps ≥ 0")
    return _("a variance above 0 in every feature when eps = 0 (a constant feature would divide 0 by 0)")


def _dims(shape: tuple[int, ...], ndim: int) -> bool:
    return len(shape) == ndim and all(n >= 1 for n in shape)


_BATCHNORM = _norm_layer((0,), (0,))
_SPATIAL_BATCHNORM = _norm_layer((0, 2, 3), (0, 2, 3))
_LAYERNORM = _norm_layer((1,), (0,))
_EPS = (("eps", 1e-5),)
_ROWS_SHAPES = (lambda x, gamma, beta, eps: _dims(x, 2) and gamma == beta == x[1:],
                N_("x of shape (N, D) and gamma, beta of shape (D,)"))


def _dropout_inside(xp: Any, x: Any, mask: Any, p: float) -> Any:
    if not 0 < p <= 1:
        return False
    return (mask == 0) | (mask == 1)  # element by element, so an error points at the first other value


def _dropout_needed(p: float) -> str:
    if not 0 < p <= 1:
        return _("a keep probability 0 < p ≤ 1")
    return _("a mask of 0s and 1s (it divides by p itself: the course's (rand < p)/p is mask/p)")


def _torch_batch_norm(t: Any, x: Any, gamma: Any, beta: Any, eps: float) -> Any:
    """PyTorch's batch_norm in training mode; for one value per channel, which it refuses, the same
    formula written with torch's own mean and var (the oracle still differentiates it itself)."""
    if x.numel() // x.shape[1] > 1:
        return t.nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
    shape = (1, -1) + (1,) * (x.dim() - 2)
    axes = [0, *range(2, x.dim())]
    xhat = (x - x.mean(axes, keepdim=True)) / t.sqrt(x.var(axes, correction=0, keepdim=True) + eps)
    return gamma.reshape(shape) * xhat + beta.reshape(shape)


_RECORDS += [
    Op("affine", 3,
       Maths(_affine, None, vjp=_affine_vjp,
             shapes=(lambda x, w, b: len(x) >= 2 and all(n >= 1 for n in x) and _dims(w, 2)
                     and w[0] == math.prod(x[1:]) and b == w[1:],
                     N_("x of shape (N, d1, ..., dk), W of shape (D, M) with D = d1·...·dk, and b of shape (M,)"))),
       Syntax(callable=True, inputs=("x", "W", "b")),
       Text(("up·{1}ᵀ", "rows({0})ᵀ·up", "Σ_N(up)"), label="affine",
            jacobian=(N_("block-structured: sends upstream·{1}ᵀ, reshaped to {0}'s shape"),
                      N_("block-structured: sends rows({0})ᵀ·upstream"),
                      N_("each output has one 1, at its own column: sends the upstream summed over the batch")),
            notes=N_("The course's affine layer: rows(x) is x of shape (N, d1, ..., dk) as N rows of D = "
                     "d1·...·dk, and out = rows(x)·W + b. ∂/∂x sends upstream·Wᵀ reshaped to x's shape, "
                     "∂/∂W sends rows(x)ᵀ·upstream, ∂/∂b the upstream summed over the batch.")),
       Oracles(torch=lambda t, x, w, b: x.reshape(x.shape[0], -1) @ w + b)),
    Op("batchnorm", 3,
       Maths(_BATCHNORM[0], None, vjp=_BATCHNORM[1], params=_EPS, domain=(_BATCHNORM[2], _eps_needed),
             shapes=_ROWS_SHAPES),
       Syntax(callable=True, inputs=("x", "gamma", "beta")),
       Text(("{1}/σ⊙(up-mean_N(up)-x̂⊙mean_N(up⊙x̂)) with σ = √(var_N({0})+{eps}), x̂ = ({0}-mean_N({0}))/σ",
             "Σ_N(up⊙x̂) with σ = √(var_N({0})+{eps}), x̂ = ({0}-mean_N({0}))/σ", "Σ_N(up)"), label="BN",
            jacobian=(N_("dense within each column: each output depends on its whole column of the batch, "
                         "through the column's mean and variance"),
                      N_("each output has one nonzero, x̂, at its own feature: sends the sum over the batch of "
                         "upstream⊙x̂"),
                      N_("each output has one 1, at its own feature: sends the upstream summed over the batch")),
            notes=N_("Batch normalization in training mode: each column (feature) of x, of shape (N, D), is "
                     "normalized by the batch's mean μ and biased variance var, x̂ = (x-μ)/σ with σ = √(var+eps), "
                     "and out = gamma·x̂ + beta. ∂/∂x is the compact form (gamma/σ)/N·(N·up - Σup - x̂·Σ(up·x̂)). "
                     "With one row the variance is 0, so x̂ = 0 and out = beta (PyTorch refuses a batch of one "
                     "in training mode).")),
       Oracles(torch=_torch_batch_norm)),
    Op("spatial_batchnorm", 3,
       Maths(_SPATIAL_BATCHNORM[0], None, vjp=_SPATIAL_BATCHNORM[1], params=_EPS,
             domain=(_SPATIAL_BATCHNORM[2], _eps_needed),
             shapes=(lambda x, gamma, beta, eps: _dims(x, 4) and gamma == beta == x[1:2],
                     N_("x of shape (N, C, H, W) and gamma, beta of shape (C,)"))),
       Syntax(callable=True, inputs=("x", "gamma", "beta")),
       Text(("{1}/σ⊙(up-mean_NHW(up)-x̂⊙mean_NHW(up⊙x̂)) with σ = √(var_NHW({0})+{eps}), "
             "x̂ = ({0}-mean_NHW({0}))/σ",
             "Σ_NHW(up⊙x̂) with σ = √(var_NHW({0})+{eps}), x̂ = ({0}-mean_NHW({0}))/σ", "Σ_NHW(up)"),
            label="spatial BN",
            jacobian=(N_("dense within each channel: each output depends on all N·H·W inputs of its channel, "
                         "through the channel's mean and variance"),
                      N_("each output has one nonzero, x̂, at its own channel: sends the sum over N, H and W of "
                         "upstream⊙x̂"),
                      N_("each output has one 1, at its own channel: sends the upstream summed over N, H and W")),
            notes=N_("Spatial batch normalization in training mode: x of shape (N, C, H, W) is normalized "
                     "per channel, by the mean and biased variance over N, H and W; gamma and beta hold one "
                     "value per channel. It is batchnorm of x as N·H·W rows of C features.")),
       Oracles(torch=_torch_batch_norm)),
    Op("layernorm", 3,
       Maths(_LAYERNORM[0], None, vjp=_LAYERNORM[1], params=_EPS, domain=(_LAYERNORM[2], _eps_needed),
             shapes=_ROWS_SHAPES),
       Syntax(callable=True, inputs=("x", "gamma", "beta")),
       Text(("(dx̂-mean_D(dx̂)-x̂⊙mean_D(dx̂⊙x̂))/σ with dx̂ = up⊙{1}, σ = √(var_D({0})+{eps}), "
             "x̂ = ({0}-mean_D({0}))/σ",
             "Σ_N(up⊙x̂) with σ = √(var_D({0})+{eps}), x̂ = ({0}-mean_D({0}))/σ", "Σ_N(up)"), label="LN",
            jacobian=(N_("dense within each row: each output depends on its whole row, through the row's "
                         "mean and variance"),
                      N_("each output has one nonzero, x̂, at its own feature: sends the sum over the batch of "
                         "upstream⊙x̂"),
                      N_("each output has one 1, at its own feature: sends the upstream summed over the batch")),
            notes=N_("Layer normalization: each row (example) of x, of shape (N, D), is normalized by its own "
                     "mean and biased variance over its D features, then out = gamma·x̂ + beta with gamma and "
                     "beta per feature. It needs no batch: training and test time compute the same.")),
       Oracles(torch=lambda t, x, gamma, beta, eps: t.nn.functional.layer_norm(x, x.shape[1:], gamma, beta, eps))),
    Op("dropout", 2,
       Maths(lambda xp, x, mask, p: x * mask / p, None,
             vjp=lambda xp, up, out, x, mask, p: (up * mask / p, None), params=(("p", None),),
             domain=(_dropout_inside, _dropout_needed),
             shapes=(lambda x, mask, p: x == mask, N_("a mask of the same shape as x"))),
       Syntax(callable=True, inputs=("x", "mask")),
       Text(("up⊙{1}/{p}", "none"), label="dropout",
            jacobian=(N_("diagonal: mask/p, 0 where a unit is dropped and 1/p where it is kept"),
                      N_("none: the mask is not differentiable")),
            notes=N_("Inverted dropout with the mask given: out = x·mask/p, where mask holds 0 (dropped) or 1 "
                     "(kept) and p is the probability of keeping a unit, as in the course's assignments since "
                     "2017 (their mask (rand < p)/p is this mask/p; PyTorch's p is the probability of dropping "
                     "one, 1 - p). The mask gets no gradient.")),
       Oracles(torch=lambda t, x, mask, p: x * mask / p)),
]

# Shapes and subscripts: reshape(x, (2, 3)) and x[0], x[:, 1], x[1:3], x[::2] ----------------------

def _size_of(shape: Sequence[int]) -> int:
    n = 1
    for k in shape:
        n *= k
    return n


def _reshape_fits(x: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    known = _size_of([k for k in shape if k != -1])
    return known == _size_of(x) if -1 not in shape else known > 0 and _size_of(x) % known == 0


def _reshape_needs(x: tuple[int, ...], shape: tuple[int, ...]) -> str:
    if -1 in shape:
        return _("a shape whose other sizes divide its input's {size} elements, not {shape}").format(
            size=_size_of(x), shape=shape_text(shape))
    return _("a shape of as many elements as its input ({size}), not {shape} ({count})").format(
        size=_size_of(x), shape=shape_text(shape), count=_size_of(shape))


def _subscript(index: Sequence[Any]) -> tuple[Any, ...]:
    """An index as numpy and PyTorch take it: integers, and a slice for each (start, stop, step)."""
    return tuple(slice(*i) if isinstance(i, tuple) else i for i in index)


def _index(xp: Any, x: Any, index: tuple[Any, ...]) -> Any:
    return xp.np.asarray(x)[_subscript(index)]


def _index_vjp(xp: Any, up: Any, out: Any, x: Any, index: tuple[Any, ...]) -> Any:
    # The picked elements get their upstream, every other element 0. A basic index never picks an
    # element twice, so assigning is all the scatter there is.
    np = xp.np
    down = np.zeros(np.shape(x))
    down[_subscript(index)] = up
    return (down,)


def _index_problem(x: tuple[int, ...], index: tuple[Any, ...]) -> str | None:
    """What is wrong with an index for an input of shape x, or None when it fits."""
    if len(index) > len(x):
        if not x:
            return _("an array to index, but its input is one number")
        return ngettext("at most {count} index, one per axis of its input, not {given}",
                        "at most {count} indices, one per axis of its input, not {given}", len(x)).format(
            count=len(x), given=len(index))
    for axis, (item, n) in enumerate(zip(index, x)):
        if not isinstance(item, tuple) and not -n <= item < n:
            return _("an index from {lo} to {hi} on axis {axis}, whose size is {n}, not {index}").format(
                lo=-n, hi=n - 1, axis=axis, n=n, index=item)
        if isinstance(item, tuple) and not range(n)[slice(*item)]:
            return _("a slice that picks an element: {slice} picks none of the {n} on axis {axis}").format(
                slice=index_text((item,)), n=n, axis=axis)
    return None


def _torch_index(t: Any, x: Any, index: tuple[Any, ...]) -> Any:
    # PyTorch's own indexing, which takes no negative step: x[::-1] picks its elements by number.
    if all(not isinstance(i, tuple) or i[2] is None or i[2] > 0 for i in index):
        return x[_subscript(index)]
    out, axis = x, 0
    for item in index:
        if isinstance(item, tuple):
            picked = list(range(out.shape[axis])[slice(*item)])
            out = out.index_select(axis, t.tensor(picked, dtype=t.long))
            axis += 1
        else:
            out = out.select(axis, item)
    return out


_RECORDS += [
    Op("reshape", 1,
       Maths(lambda xp, x, shape: xp.np.reshape(x, shape), None,
             vjp=lambda xp, up, out, x, shape: (xp.np.reshape(up, xp.np.shape(x)),),
             params=(("shape", None),), kinds=(("shape", SHAPE),), shapes=(_reshape_fits, _reshape_needs)),
       Syntax(callable=True),
       Text(("reshape(up, {0}.shape)",), label="reshape",
            jacobian=(N_("the identity, in other shapes: sends the upstream back reshaped to {0}'s shape"),),
            notes=N_("reshape(x, (2, 3)): the same elements in another shape (-1 once: whatever size fits); "
                     "the gradient is the upstream reshaped back.")),
       Oracles(torch=lambda t, x, shape: t.reshape(x, shape))),
    # x[0], x[-1], x[:, 1], x[1:3], x[::2], x[0, 2]: integers and slices of integer constants, as
    # numpy reads them (no array indexing). The node is written x[:, 1], as typed.
    Op("index", 1,
       Maths(_index, None, vjp=_index_vjp, params=(("index", None),), kinds=(("index", INDEX),),
             shapes=(lambda x, index: _index_problem(x, index) is None,
                     lambda x, index: _index_problem(x, index) or "")),
       Syntax(subscript=True),
       Text(("zeros_like({0}).at[{index}].set(up)",), label="[{index}]",
            jacobian=(N_("a selection: sends each picked element its upstream, and 0 to the others"),),
            notes=N_("Indexing and slicing: sends each picked element's upstream gradient back to it; "
                     "the elements left out get 0.")),
       Oracles(torch=_torch_index)),
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
FUNCTIONS: dict[str, Op] = {name: op for op in _RECORDS if op.syntax.callable
                            for name in (op.name, *(op.syntax.aliases if op.syntax.infix is None else ()))}
INFIX: dict[str, Op] = {symbol: op for op in _RECORDS if op.syntax.infix and op.arity == 2
                        for symbol in (op.syntax.infix, *op.syntax.aliases)}
PREFIX: dict[str, Op] = {op.syntax.prefix: op for op in _RECORDS if op.syntax.prefix}
POSTFIX: dict[str, Op] = {op.syntax.postfix: op for op in _RECORDS if op.syntax.postfix}
SUBSCRIPT: Op = next(op for op in _RECORDS if op.syntax.subscript)  # x[...]: the one op brackets write
CONSTANTS = {"pi": math.pi, "π": math.pi, "e": math.e}
