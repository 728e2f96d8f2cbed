"""The sympy bridge: symbolic and exact traces, built from gradtrace's own graph.

sympy objects come from the op table's `sympy` rules applied to symbols and to constants rebuilt
from how they were made (graph.Const), never from parsing the user's text, since sympify and
parse_expr run eval. sympy is imported here only, and only when a mode needs it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..core.errors import GradtraceError, some
from ..core.graph import Const, Graph, Node
from ..core.numbers import gradtrace_names
from ..core.trace import Trace
from ..i18n import _, ngettext

MAX_NODES = 400  # symbolic expressions grow fast; past this they stop being readable or quick
MAX_EXACT_EXPONENT = 10_000  # exact powers beyond this have too many digits to compute or show


class Budget:
    """How much symbolic or exact work one trace may do, in counts (never seconds). Sizes are
    measured as each expression is built, every shared subexpression once:

      size     parts (sympy tree nodes) of one expression written out; f = f*f + f doubles it
               at each statement though sympy shares what it repeats
      depth    how deeply one expression nests: sympy's printers, substitution and assumptions
               recurse about six Python frames a level
      total    parts of all the trace's expressions together (what the table prints)
      digits   decimal digits of an exact numerator or denominator (Python prints at most 4,300)
      exact_nesting  functions nested in an exact number (sigmoid of sigmoid of 1/3): sympy
               evaluates every level again to learn a sign, about three times the work a level
      window   how deeply sympy sees into the expressions it combines. Combining (sqrt(1 + t),
               tanh(t), a product) makes sympy ask what it knows of its arguments (is t real?
               positive?), and each question about a nested function asks again of the function
               inside, building new expressions as it goes: several times the work a level, and
               minutes for sqrt(1+tanh(…)) nested five deep. An argument nested deeper than this
               stands in as a new symbol, of which sympy knows nothing (so nothing it does with it
               can be wrong for the expression), and is written back in, as it is, after sympy is
               done: no question reaches deeper than window levels, and a deep expression is
               correct but less combined across the places it was written back
      simplify_size, simplify_nesting, simplify_work, simplify_depth  the expressions sympy's simplify is given,
               whose cost grows with their size (a power counts its base once per unit of the
               exponent) and about threefold with each level of functions nested in functions:
               one call takes at most simplify_size parts nested simplify_nesting deep, and all
               of a trace's calls together at most simplify_work of size × 3^nesting. Fractions
               nested in fractions cost more with each level (1/(2 + (1/(2 + x))^3) puts them over
               one denominator whose degree multiplies), so it is given expressions at most
               simplify_depth parts deep. The rest is left as built

    Past any of these a run stops with TooLarge, which names what was too large."""

    __slots__ = ("depth", "digits", "exact_nesting", "simplify_depth", "simplify_nesting", "simplify_size",
                 "simplify_work", "size", "total", "window")

    def __init__(self, size: int = 2_000, depth: int = 100, total: int = 200_000, digits: int = 4_000,
                 exact_nesting: int = 5, simplify_size: int = 160, simplify_nesting: int = 1,
                 simplify_work: int = 8_000, window: int = 6, simplify_depth: int = 10):
        self.size, self.depth, self.total, self.digits = size, depth, total, digits
        self.exact_nesting, self.simplify_size, self.simplify_nesting = exact_nesting, simplify_size, simplify_nesting
        self.simplify_work, self.window, self.simplify_depth = simplify_work, window, simplify_depth


DEFAULT_BUDGET = Budget()


class TooLarge(GradtraceError):
    """Symbolic or exact work past its Budget: the message names what was too large."""


_CAP = 10 ** 12  # weights and term counts past this are all "too large": no need to carry them exactly


class _Meter:
    """Sizes of sympy expressions, each distinct subexpression measured once and without recursion:
    (parts, depth, function nesting, digits, weight, terms, has symbols). weight counts a power's
    base once per unit of its exponent; terms is how many terms expanding it would give."""

    def __init__(self, budget: Budget, mode: str):
        self.budget, self.mode = budget, mode
        self.sizes: dict[int, tuple[int, int, int, int, int, int, bool]] = {}
        self.keep: list[Any] = []  # the measured objects stay alive, so their ids stay theirs
        self.total = 0
        self.work = 0  # what simplify has been given so far, in size × 3^nesting

    def measure(self, expr: Any, where: str = "") -> tuple[int, int, int, int, int, int, bool]:
        sizes = self.sizes
        known = sizes.get(id(expr))
        if known is not None:
            return known
        new = 0
        stack = [expr]
        while stack:
            e = stack[-1]
            if id(e) in sizes:
                stack.pop()
                continue
            args = e.args
            todo = [a for a in args if id(a) not in sizes]
            if todo:
                new += len(todo)
                if new > self.budget.size:  # more distinct parts than the bound: the whole is larger still
                    self.too_large(where, _("an expression of more than {limit:,} parts").format(
                        limit=self.budget.size), _("{limit:,} parts").format(limit=self.budget.size))
                stack.extend(todo)
                continue
            stack.pop()
            subs = [sizes[id(a)] for a in args]
            size = 1 + sum(s[0] for s in subs)
            depth = 1 + max((s[1] for s in subs), default=0)
            whole_power = e.is_Pow and e.exp.is_Integer
            layer = 0 if e.is_Atom or e.is_Add or e.is_Mul or whole_power else 1
            nesting = layer + max((s[2] for s in subs), default=0)
            digits = _digits(e) if e.is_Rational else max((s[3] for s in subs), default=0)
            if whole_power:
                n = abs(int(e.exp))
                weight = min(_CAP, subs[0][4] * n + 1)
                terms = 1 if subs[0][5] == 1 else _CAP if n > 40 else min(_CAP, subs[0][5] ** n)
            else:
                weight = min(_CAP, 1 + sum(s[4] for s in subs))
                terms = 1
                if e.is_Add:
                    terms = min(_CAP, sum(s[5] for s in subs))
                elif e.is_Mul:
                    for s in subs:
                        terms = min(_CAP, terms * s[5])
                else:  # expand works inside a function's arguments too
                    terms = max((s[5] for s in subs), default=1)
            symbols = e.is_Symbol or any(s[6] for s in subs)
            sizes[id(e)] = (size, depth, nesting, digits, weight, terms, symbols)
            self.keep.append(e)
        return sizes[id(expr)]

    def check(self, expr: Any, where: str, count: bool = True) -> Any:
        """expr, measured against the budget; where names it in a message ("f3 = f2 * f2: its value")."""
        size, depth, nesting, digits, _weight, _terms, symbols = self.measure(expr, where)
        budget = self.budget
        if size > budget.size:
            self.too_large(where, _("an expression of {size:,} parts").format(size=size),
                           _("{limit:,} parts").format(limit=budget.size))
        if depth > budget.depth:
            self.too_large(where, _("an expression nested {depth} deep").format(depth=depth),
                           _("{limit} levels").format(limit=budget.depth))
        if digits > budget.digits:
            self.too_large(where, _("a number of {digits:,} digits").format(digits=digits),
                           _("{limit:,} digits").format(limit=budget.digits))
        if not symbols and nesting > budget.exact_nesting:
            self.too_deep(where, nesting)
        if count:
            self.total += size
            if self.total > budget.total:
                together = _("expressions of {total:,} parts together").format(total=self.total)
                self.too_large(_("the trace"), together, _("{limit:,} parts").format(limit=budget.total))
        return expr

    def too_deep(self, where: str, nesting: int) -> None:
        self.too_large(where, _("an exact number that nests functions {nesting} deep").format(nesting=nesting),
                       _("{limit} levels (exact arithmetic does about three times the work at each)").format(
                           limit=self.budget.exact_nesting))

    def too_large(self, where: str, what: str, limit: str) -> None:
        raise TooLarge(
            _("{where} would be {what}, and {mode} mode stops at {limit}").format(
                where=where or _("an expression"), what=what, mode=self.mode, limit=limit),
            hint=_("bind the variables to numbers instead"), about="mode")

    def simple(self, expr: Any) -> bool:
        """Whether sympy's simplify may be given expr, its cost bounded there; if so, the call is
        counted against the trace's simplify_work."""
        size, depth, nesting, _digits, weight, _terms, _symbols = self.measure(expr)
        budget = self.budget
        work = weight * 3 ** nesting
        if size > budget.simplify_size or weight > budget.simplify_size or nesting > budget.simplify_nesting \
                or depth > budget.simplify_depth or self.work + work > budget.simplify_work:
            return False
        self.work += work
        return True


class _Window:
    """Keeps what sympy combines shallow (Budget.window). Expressions are built short: an argument
    nested deeper than the window is replaced by a stand-in (a Dummy with no assumptions, the same
    one wherever the argument recurs, so x - x still cancels), and sympy's questions stop there.
    full() writes the stand-ins back, without evaluating, into the expression a trace shows. depth
    None keeps every argument as it is (exact mode, whose numbers Budget.exact_nesting bounds)."""

    def __init__(self, sp: Any, meter: _Meter, depth: int | None):
        self.sp, self.meter, self.depth = sp, meter, depth
        self.stand_ins: dict[Any, Any] = {}  # short expression -> its stand-in
        self.meanings: dict[Any, Any] = {}  # stand-in -> the full expression it stands for
        self.written: dict[int, Any] = {}  # id(short expression) -> its full expression
        self.keep: list[Any] = []  # the short expressions of written, so their ids stay theirs

    def arg(self, expr: Any) -> Any:
        """expr, or its stand-in when it nests deeper than the window."""
        if self.depth is None or self.meter.measure(expr)[1] <= self.depth:
            return expr
        stand_in = self.stand_ins.get(expr)
        if stand_in is None:
            stand_in = self.sp.Dummy("w")
            self.meanings[stand_in] = self.full(expr)
            self.stand_ins[expr] = stand_in
        return stand_in

    def full(self, expr: Any) -> Any:
        """expr with each stand-in written back as the expression it stands for, left as written:
        evaluating it again would ask sympy's questions all the way down."""
        if not self.meanings:
            return expr
        known = self.written.get(id(expr))
        if known is not None:
            return known
        out = expr if expr.free_symbols.isdisjoint(self.meanings) else self._write_back(expr)
        self.written[id(expr)] = out
        self.keep.append(expr)
        return out

    def _write_back(self, expr: Any) -> Any:
        """xreplace of the stand-ins, without evaluating and without recursion over the short
        expression, where a sum put into a sum (a product into a product) joins it: x·(a·b)
        reads x·a·b, as sympy would have written it."""
        from sympy.core.parameters import evaluate

        done: dict[Any, Any] = {}
        stack = [expr]
        with evaluate(False):
            while stack:
                e = stack[-1]
                if e in done:
                    stack.pop()
                    continue
                if e in self.meanings:
                    done[e] = self.meanings[e]
                    continue
                todo = [a for a in e.args if a not in done]
                if todo:
                    stack.extend(todo)
                    continue
                stack.pop()
                args = [done[a] for a in e.args]
                if all(new is old for new, old in zip(args, e.args)):
                    done[e] = e
                    continue
                if e.is_Add or e.is_Mul:
                    args = [part for a in args for part in (a.args if a.func is e.func else (a,))]
                    numbers = [a for a in args if a.is_Rational]  # (1/8)·…·(1/2) reads (1/16)·…
                    if len(numbers) > 1:
                        with evaluate(True):
                            number = e.func(*numbers)
                        rest = [a for a in args if not a.is_Rational]
                        args = rest if number == e.func.identity else [number, *rest]
                    if len(args) == 1:  # all but one part were numbers that came to 0 (1)
                        done[e] = args[0]
                        continue
                done[e] = e.func(*args)
        return done[expr]


def _digits(number: Any) -> int:
    """Decimal digits of a rational's numerator or denominator, whichever is longer, without
    printing it (Python refuses to print past 4,300)."""
    bits = max(abs(int(number.p)).bit_length(), int(number.q).bit_length())
    return int(bits * 0.30103) + 1


def _power_digits(base: Any, power: Any) -> float:
    """About how many digits sympy would multiply out for base**power: 2**9000 has 2,710, and so
    has (2·√3)**9000's 2 part; 1 + √2 or e, which sympy leaves as powers, have none."""
    if not power.is_Rational:
        return 0.0
    import math

    total = 0.0
    stack = [(base, abs(float(power)))]
    while stack:
        e, times = stack.pop()
        if e.is_Rational:
            total += times * max(math.log10(abs(int(e.p)) or 1), math.log10(int(e.q)))
        elif e.is_Mul:
            stack.extend((a, times) for a in e.args)
        elif e.is_Pow and e.exp.is_Rational:
            stack.append((e.base, times * abs(float(e.exp))))
    return total


def _check_power(meter: _Meter, base: Any, power: Any, where: str) -> None:
    """Refuse, before sympy computes it, an exact power with more digits than the budget."""
    if getattr(base, "is_number", False) and getattr(power, "is_Rational", False):
        digits = _power_digits(base, power)
        if digits > meter.budget.digits:
            meter.too_large(where, _("a number of about {digits:,.0f} digits").format(digits=digits),
                            _("{limit:,} digits").format(limit=meter.budget.digits))


def _sympy() -> Any:
    import sympy

    return sympy


def exact_const(const: Const, budget: Budget = DEFAULT_BUDGET, meter: _Meter | None = None) -> Any:
    """The exact sympy value of a constant: 0.5 -> 1/2, pi -> pi, 1/3 -> 1/3, exp(1) -> E. A
    constant past the budget (1.0000001**9000, sigmoid(sigmoid(…1…)) nested deep) is refused."""
    sp = _sympy()
    meter = meter or _Meter(budget, _("exact"))
    done: dict[int, Any] = {}
    stack = [const]
    while stack:  # post-order without recursion: constant trees can be deep (1+1+...+1)
        c = stack[-1]
        pending = [a for a in c.args if id(a) not in done] if c.op is not None else []
        pending += [p for p in c.params if isinstance(p, Const) and id(p) not in done]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        where = _("the constant {text}").format(text=c.text[:60] + ("…" if len(c.text) > 60 else ""))
        if c.op is None:
            if sum(map(str.isdigit, c.text)) > meter.budget.digits:  # Python refuses to read it whole
                digits = sum(map(str.isdigit, c.text))
                meter.too_large(where, _("a number of {digits:,} digits").format(digits=digits),
                                _("{limit:,} digits").format(limit=meter.budget.digits))
            done[id(c)] = {"pi": sp.pi, "π": sp.pi, "e": sp.E}.get(c.text) or _rational(sp, c.text)
            meter.check(done[id(c)], where, count=False)
            continue
        args = [done[id(a)] for a in c.args]
        params = [_exact_param(sp, p, done) for p in c.params]
        rule = c.op.oracles.sympy
        assert rule is not None, f"{c.op.name} has no sympy counterpart"
        exponent = c.op.maths.exponent
        if exponent is not None:
            base, power = exponent(tuple(args), tuple(params))
            _check_power(meter, base, power, where)
        done[id(c)] = rule(sp, args, *params) if c.op.variadic else rule(sp, *args, *params)
        meter.check(done[id(c)], where, count=False)
    return done[id(const)]


def _rational(sp: Any, text: str) -> Any:
    frac = Fraction(text)  # the number token, already validated by the tokenizer
    return sp.Rational(frac.numerator, frac.denominator)


def _exact_param(sp: Any, param: Any, done: dict[int, Any]) -> Any:
    if isinstance(param, Const):
        return done[id(param)]
    if isinstance(param, tuple):
        return tuple(_exact_param(sp, p, done) for p in param)
    return _rational(sp, repr(float(param)))


def _node_params(sp: Any, node: Node, meter: _Meter) -> tuple[Any, ...]:
    """A node's parameters, exactly: constant operands, alpha as given or its default."""
    op = node.op
    assert op is not None
    consts = [a for a in node.args if isinstance(a, Const)]
    if op.variadic:
        return (tuple(exact_const(c, meter=meter) for c in consts),)
    out = [exact_const(consts[0], meter=meter)] if op.maths.constant else []
    given = dict(node.keywords)
    for (name, _default), value in zip(op.keyword_params, node.params[len(out):]):
        written = given.get(name)
        # A node here is a scalar gate's, so its parameters are numbers (a tuple is only an array op's shape).
        assert written is None or isinstance(written, Const)
        out.append(exact_const(written, meter=meter) if written is not None else _rational(sp, repr(float(value))))
    return tuple(out)


def tidy(expr: Any, meter: _Meter | None = None) -> Any:
    """sympy's simplify, unless it brings in functions the expression did not have (the sigmoid's
    gradient as 1/(4 cosh²(x/2))): then the lecture's form, over a common denominator. simplify's
    cost grows fast with size and nesting (minutes for sin(sin(…)) 20 deep), so an expression past
    the budget's simplify_size or simplify_nesting is left as built."""
    sp = _sympy()
    if not (meter or _Meter(DEFAULT_BUDGET, _("symbolic"))).simple(expr):
        return expr
    simple = sp.simplify(expr)
    kinds = {type(f) for f in expr.atoms(sp.Function)}
    if {type(f) for f in simple.atoms(sp.Function)} <= kinds:
        return simple
    return sp.together(expr)


def _sigma(sp: Any) -> Any:
    """σ as a sympy function, so that compact gradients read σ(s)·(1 - σ(s)) as the lecture does,
    printed σ(s) and \\sigma\\left(s\\right)."""
    global _SIGMA
    if _SIGMA is None:
        class σ(sp.Function):  # the lecture's name, printed as σ(x)
            def fdiff(self, argindex: int = 1) -> Any:
                return self * (1 - self)

            def _latex(self, printer: Any) -> str:
                return r"\sigma\left(" + printer._print(self.args[0]) + r"\right)"

            def _eval_rewrite_as_exp(self, x: Any, **kwargs: Any) -> Any:
                return 1 / (1 + sp.exp(-x))

        _SIGMA = σ
    return _SIGMA


_SIGMA: Any = None


def _refuse_deep_exact(meter: _Meter, template: Any, inputs: list[Any], where: str) -> None:
    """Before an exact value is built: an op whose rule nests functions (sigmoid's exp) put around
    inputs that already nest them as deep as the budget allows would nest deeper still. sympy
    would spend minutes evaluating such a number (deciding its sign digit by digit) only for the
    meter to refuse it afterwards, so it is refused first, by the same count."""
    own = meter.measure(template)[2]
    if not own:
        return
    deepest = max((meter.measure(v)[2] for v in inputs), default=0)
    if deepest + own > meter.budget.exact_nesting:
        meter.too_deep(where, deepest + own)


def symbolic_trace(graph: Graph, exact: dict[str, Any] | None = None, numeric: Trace | None = None,
                   expanded: bool = False, simplify: bool = True, budget: Budget = DEFAULT_BUDGET) -> Trace:
    """A trace whose values and gradients are sympy expressions, or, with exact (name -> sympy
    number), exact numbers such as 1/3 or e/(1+e).

    Gradients are compact by default, in the program's own names as the table writes them
    (∂f/∂z = t1, ∂f/∂t4 = σ(t4)·(1 - σ(t4))); expanded=True writes each in the variables alone,
    simplified. Values are always in the variables. simplify=False leaves every expression as
    built (for grading, which compares expressions and never shows these).

    Every expression is measured as it is built, and a trace past the budget stops with
    TooLarge, which names the node and what was too large (see Budget).

    At a kink sympy's conventions differ from gradtrace's (its Heaviside(0) is 1/2, relu'(0) is
    0 here), so there the local gradients come from the numeric trace, made exact."""
    if len(graph.nodes) > MAX_NODES:
        raise TooLarge(
            _("the graph has {count} nodes; symbolic and exact modes stop at {MAX_NODES}").format(
                count=len(graph.nodes), MAX_NODES=MAX_NODES
            ),
            hint=_("bind the variables to numbers instead"),
        )
    arrays = sorted({n.op.name for n in graph.nodes if n.op is not None and n.op.oracles.sympy is None})
    if arrays:
        raise GradtraceError(
            _("symbolic and exact modes work on scalar expressions, and {join} needs arrays").format(
                join=", ".join(arrays)
            ),
            hint=_('bind the variables to arrays, e.g. -x "[1, 2]"'),
        )
    is_exact = exact is not None
    if is_exact and numeric is not None:
        _check_exact_sizes(graph, numeric)
    sp = _sympy()
    meter = _Meter(budget, _("exact") if is_exact else _("symbolic"))
    n = len(graph.nodes)
    compact = not is_exact and not expanded
    symbol = [sp.Symbol(node.name, real=True) for node in graph.nodes]  # each node by its own name
    # Values and gradients are built short (see _Window) and written out in full for the trace.
    window = _Window(sp, meter, None if is_exact else budget.window)
    full = window.full
    values: list[Any] = [None] * n
    local: list[Any] = [()] * n
    kinks: list[Any] = list(numeric.kinks) if numeric is not None else [None] * n

    def where(node: Node, what: str) -> str:
        return _("{name} = {expr}: its {what}").format(name=node.name, expr=_short_expr(node), what=what)

    for node in graph.nodes:
        if node.op is None:
            # Exact mode computes with the bound numbers from the start, so each node's value is
            # measured (digits, nesting) before the next is built on it.
            if not is_exact:
                values[node.id] = sp.Symbol(node.name, real=True)
                continue
            if node.name not in exact:  # type: ignore[operator]
                # An exact value must never show a name where a number belongs (∂f/∂x = α).
                from ..core.errors import BindingError

                raise BindingError(ngettext("no value for the variable {names}", "no value for the variables {names}",
                                            1).format(names=node.name),
                                   hint=ngettext("bind it, e.g. {example}", "bind them, e.g. {example}", 1).format(
                                       example=f"-{node.name} 1"))
            values[node.id] = meter.check(exact[node.name], _("the value of {name}").format(name=node.name))  # type: ignore[index]
            continue
        op = node.op
        params = _node_params(sp, node, meter)
        # The local rule is sympy's derivative of the op on placeholders, then the inputs put in.
        slots = sp.symbols(f"_a0:{len(node.inputs)}", real=True)
        rule = op.oracles.sympy
        assert rule is not None  # checked above: array ops were refused
        template = rule(sp, slots, *params) if op.variadic else rule(sp, *slots, *params)
        inputs = dict(zip(slots, (window.arg(values[i]) for i in node.inputs)))
        exponent = op.maths.exponent
        if exponent is not None:
            base, power = exponent(tuple(values[i] for i in node.inputs), params)
            _check_power(meter, base, power, where(node, _("value")))
        if is_exact:
            _refuse_deep_exact(meter, template, [values[i] for i in node.inputs], where(node, _("value")))
        values[node.id] = template.subs(inputs)
        meter.check(full(values[node.id]), where(node, _("value")))
        at_kink = _exact_kink(sp, node, values, meter) if is_exact else (numeric is not None and numeric.kinks[node.id])
        if at_kink:
            # gradtrace's kink conventions (relu'(0) = 0, a tie splits evenly), not sympy's
            # (Heaviside(0) = 1/2): the op's own rule at the kink, whose floats are exact there.
            local[node.id] = tuple(sp.nsimplify(g) for g in _rule_at(sp, node, values, meter))
            if is_exact and op.maths.kink is not None:
                kinks[node.id] = op.maths.kink[1]
        elif compact:
            names = dict(zip(slots, (symbol[i] for i in node.inputs)))
            rule_c = template if op.name != "sigmoid" else _sigma(sp)(slots[0])
            local[node.id] = tuple(_diff(sp, rule_c, s).subs(names) for s in slots)
        else:
            local[node.id] = tuple(_diff(sp, template, s).subs(inputs) for s in slots)
        for k, g in enumerate(local[node.id]):
            meter.check(full(g), where(node, _("local gradient ∂{name}/∂{input}").format(
                name=node.name, input=graph.nodes[node.inputs[k]].name)))

    upstream: list[Any] = [sp.Integer(0)] * n
    downstream: list[Any] = [()] * n
    upstream[graph.output.id] = sp.Integer(1)
    out = graph.output.name
    # Compact gradients are in the nodes' names, as shallow as one op's rule: sympy combines them whole.
    chain = window if not compact else _Window(sp, meter, None)
    for node in reversed(graph.nodes):
        if node.op is None:
            continue
        up = chain.arg(upstream[node.id])
        down = tuple(up * chain.arg(g) for g in local[node.id])
        downstream[node.id] = down
        for i, d in zip(node.inputs, down):
            meter.check(full(d), where(node, _("downstream gradient")))
            upstream[i] = chain.arg(upstream[i]) + chain.arg(d)
            meter.check(full(upstream[i]), _("∂{out}/∂{name}").format(out=out, name=graph.nodes[i].name), count=False)
    for node in graph.nodes:  # the gradients as the table shows them, counted once each
        meter.check(full(upstream[node.id]), _("∂{out}/∂{name}").format(out=out, name=node.name))

    def finish(expr: Any) -> Any:
        return tidy(expr, meter) if simplify else expr

    values = [finish(full(v)) for v in values]
    upstream = [full(u) for u in upstream]
    local = [tuple(full(g) for g in gs) for gs in local]
    downstream = [tuple(full(g) for g in gs) for gs in downstream]
    if not compact:
        upstream = [finish(u) for u in upstream]
        local = [tuple(finish(g) for g in gs) for gs in local]
        downstream = [tuple(finish(g) for g in gs) for gs in downstream]
    if is_exact:
        _check_exact(graph, values, upstream, local)
    return Trace(graph, dict(exact or {}), values, upstream, local, downstream, kinks,
                 mode="exact" if is_exact else "symbolic")


def _short_expr(node: Node) -> str:
    """What a node computes, cut short for a message (a 10,000-term sum is not repeated)."""
    text = node.expr
    return text if len(text) <= 60 else text[:59] + "…"


def _diff(sp: Any, expr: Any, symbol: Any) -> Any:
    """sympy's derivative, with gradtrace's convention for steps: sign and heaviside are flat
    (their local gradient is 0, as in PyTorch), not DiracDelta."""
    out = sp.diff(expr, symbol)
    return out.replace(sp.DiracDelta, lambda *args: sp.Integer(0)) if out.has(sp.DiracDelta) else out


def _check_exact_sizes(graph: Graph, numeric: Trace) -> None:
    """Refuse, at once, exact work whose numbers would be too large to compute: a huge power of a
    base other than 0 or ±1, or a binding so large or small that its exact value has hundreds of
    digits in an exponential."""
    for node in graph.nodes:
        op = node.op
        exponent = None if op is None else op.maths.exponent
        if exponent is None:
            continue
        args = tuple(numeric.values[i] for i in node.inputs)
        base, power = exponent(args, node.params)
        if abs(float(power)) > MAX_EXACT_EXPONENT and float(base) not in (0.0, 1.0, -1.0):
            raise GradtraceError(
                _(
                    "{name} = {expr}: an exact power with exponent {float:.6g} would have too many digits to compute"
                ).format(name=node.name, expr=node.expr, float=float(power)),
                source=graph.source,
                span=node.span,
                hint=_("exact mode takes exponents up to {MAX_EXACT_EXPONENT:,}; numeric mode handles this one").format(
                    MAX_EXACT_EXPONENT=MAX_EXACT_EXPONENT
                ),
                about="mode",
            )


def _exact_kink(sp: Any, node: Node, values: list[Any], meter: _Meter) -> bool:
    """Whether a piecewise op sits exactly on its kink at the exact bindings (0.1 + 0.2 - 0.3 is
    0 here, though not in floats)."""
    op = node.op
    kink = None if op is None else op.maths.kink
    if op is None or kink is None:
        return False
    out = _simplified(sp, values[node.id], meter)
    args = tuple(_simplified(sp, values[i], meter) for i in node.inputs)
    params = tuple(float(p) if isinstance(p, (int, float)) else p for p in node.params)
    from ..core.ops import scalar

    predicate = kink[0]
    return bool(predicate(scalar, out, args, *params) if op.variadic else predicate(scalar, out, *args, *params))


def _rule_at(sp: Any, node: Node, values: list[Any], meter: _Meter) -> tuple[Any, ...]:
    """The op table's local rule evaluated at the node's exact point, in floats."""
    from ..core.ops import scalar

    op = node.op
    assert op is not None
    out = float(_simplified(sp, values[node.id], meter))
    args = tuple(float(_simplified(sp, values[i], meter)) for i in node.inputs)
    return op.local(scalar, out, args, node.params)


def _simplified(sp: Any, expr: Any, meter: _Meter) -> Any:
    """simplify, where the budget allows it (0.1 + 0.2 - 0.3 is 0 either way, since exact
    arithmetic adds rationals as it builds them)."""
    return sp.simplify(expr) if meter.simple(expr) else expr


def _check_exact(graph: Graph, values: list[Any], upstream: list[Any], local: list[Any]) -> None:
    """Exact arithmetic can still meet log(-1) or 1/0: report it as the float path would."""
    from ..core.errors import EvaluationError

    for node in graph.nodes:
        for what, v in [("value", values[node.id]), ("gradient", upstream[node.id])] + \
                [("local gradient", g) for g in local[node.id]]:
            if v.has(_sympy().zoo, _sympy().nan, _sympy().oo, -_sympy().oo) or not v.is_real:
                raise EvaluationError(
                    _("{name} = {expr}: its {what} is undefined here ({v})").format(
                        name=node.name, expr=node.expr, what=what, v=v
                    ),
                    source=graph.source,
                    span=node.span,
                )


def exact_trace(graph: Graph, bindings: dict[str, Any], numeric: Trace, budget: Budget = DEFAULT_BUDGET) -> Trace:
    """The exact trace at these bindings. Numbers too large for exact arithmetic are refused
    with TooLarge, whose hint gives the numeric answer."""
    try:
        return symbolic_trace(graph, exact_bindings(bindings, budget), numeric, budget=budget)
    except TooLarge as err:
        err.hint = _("numeric mode computes this in floats") + ": " + numeric_answer(numeric)
        raise
    except (OverflowError, RecursionError, MemoryError) as exc:
        raise TooLarge(
            _("exact arithmetic can't handle numbers this large ({exc})").format(exc=exc),
            about="mode",
            hint=_("numeric mode computes this in floats") + ": " + numeric_answer(numeric),
        ) from None


def numeric_answer(numeric: Trace, count: int = 4) -> str:
    """The output and the first few gradients in floats, for a message: f = 1.000065, ∂f/∂x = 650.04."""
    from ..core.trace import jsonable

    def shown(v: Any) -> str:
        v = jsonable(v)
        return format(v, ".10g") if isinstance(v, float) else str(v)

    out = numeric.output
    parts = [f"{out} = {shown(numeric.value)}"]
    gradients = list(numeric.gradients.items())
    parts += [f"∂{out}/∂{name} = {shown(v)}" for name, v in gradients[:count]]
    if len(gradients) > count:
        parts.append("…")
    return ", ".join(parts)


def exact_bindings(bindings: dict[str, Any], budget: Budget = DEFAULT_BUDGET) -> dict[str, Any]:
    """Binding values as exact sympy numbers: '1/3' -> 1/3, '-pi/2' -> -pi/2, 0.1 -> 1/10."""
    from ..core.graph import constant

    out = {}
    for name, value in bindings.items():
        text = value if isinstance(value, str) else repr(float(value))
        value = constant(text)
        assert isinstance(value, Const), f"{name}'s value was checked to be a constant"
        out[name] = exact_const(value, budget)
    return out


# ---- symbolic answers -------------------------------------------------------------------------

def answer_expression(text: str, origin: str, meanings: dict[str, Any], budget: Budget = DEFAULT_BUDGET) -> Any:
    """A student's symbolic answer (x + y, 2*q, sigmoid(s)*(1 - sigmoid(s))) as a sympy expression
    in the program's variables. It is read by gradtrace's own parser and built into a graph like
    any program, never sympified; a node's name stands for its value (q means x + y when q = x + y).
    meanings: each name the answer may use -> its value in the variables. An answer past the
    budget (q*q*…*q where q is large) is refused with TooLarge."""
    from ..core.graph import build, constant

    text = gradtrace_names(text)
    try:
        value = constant(text)
        if isinstance(value, Const):
            return exact_const(value, budget)
        graph = build(text)
    except TooLarge:
        raise
    except GradtraceError as err:
        raise GradtraceError(
            _("{origin}: the answer is not an expression gradtrace can read ({message})").format(
                origin=origin, message=err.message
            ),
            hint=_("write it as you would a program, e.g. x + y or 2*q"),
        ) from None
    unknown = [v.name for v in graph.variables if v.name not in meanings]
    if unknown:
        raise GradtraceError(
            _("{origin}: the answer uses {unknown}, which is not a name in the program").format(
                origin=origin, unknown=unknown[0]
            ),
            hint=_("its names are {join}").format(join=some(list(meanings))),
        )
    sp = _sympy()
    expr = symbolic_trace(graph, expanded=True, simplify=False, budget=budget).values[graph.output.id]
    meter = _Meter(budget, _("symbolic"))
    for v in graph.variables:  # each name's meaning is measured before it is put in
        meter.check(meanings[v.name], _("{origin}: {name}").format(origin=origin, name=v.name), count=False)
    # A deep meaning goes in as a stand-in, written back after sympy has combined the answer (see _Window).
    window = _Window(sp, meter, budget.window)
    expr = expr.subs({sp.Symbol(v.name, real=True): window.arg(meanings[v.name]) for v in graph.variables},
                     simultaneous=True)
    return meter.check(window.full(expr), _("{origin}: the answer").format(origin=origin), count=False)


def same_expression(a: Any, b: Any, budget: Budget = DEFAULT_BUDGET) -> bool:
    """Whether two expressions are equal for every value of their variables: their difference
    expands or simplifies to 0, or sympy proves it is 0. Two expressions that differ anywhere are
    never equal here, so a wrong answer is never passed; sympy's `equals` settles forms simplify
    leaves apart. A difference too large to expand or simplify within the budget is refused with
    TooLarge rather than guessed at."""
    sp = _sympy()
    difference = a - b
    if difference == 0:
        return True
    meter = _Meter(budget, _("symbolic"))
    where = _("the answer's difference from the true value")
    meter.check(difference, where, count=False)
    _size, _depth, nesting, _digits, _weight, terms, _symbols = meter.measure(difference)
    # expand rebuilds every level of nested functions, asking sympy's questions all the way down
    if terms <= budget.size and nesting <= budget.window:
        difference = meter.check(sp.expand(difference), where, count=False)
        if difference == 0:
            return True
    if not meter.simple(difference):
        # at a point, sympy rebuilds each level of nested functions too (and asks its questions)
        if nesting <= budget.window and _differs_somewhere(sp, a, b):
            return False
        size, _depth, nesting = meter.measure(difference)[:3]
        raise TooLarge(
            _("{where} is too large to decide within the budget ({size:,} parts, functions nested {nesting} "
              "deep)").format(where=where, size=size, nesting=nesting),
            hint=_("bind the variables to grade numbers instead"), about="mode")
    if sp.simplify(difference) == 0:
        return True
    return bool(difference.equals(0) is True)


_POINTS = ("0.6180339887", "-1.324717957", "2.718281828", "-0.3183098862")  # no special angles or roots


def _differs_somewhere(sp: Any, a: Any, b: Any) -> bool:
    """Whether a and b (within the budget's size) clearly differ at one of a few points, computed
    in 30-digit floats: enough to call an answer wrong, never to call it right."""
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    for k in range(len(_POINTS)):
        point = {s: sp.Float(_POINTS[(k + j) % len(_POINTS)], 30) for j, s in enumerate(symbols)}
        try:
            u, v = sp.N(a.xreplace(point), 30), sp.N(b.xreplace(point), 30)
        except (ArithmeticError, ValueError, TypeError, RecursionError):
            continue
        if not (u.is_Float and v.is_Float) or not (u.is_finite and v.is_finite):
            continue  # outside a domain, or complex there: try another point
        if abs(u - v) > 1e-9 * (1 + abs(u) + abs(v)):
            return True
    return False
