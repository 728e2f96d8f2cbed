"""The sympy bridge: symbolic and exact traces, built from gradtrace's own graph.

sympy objects come from the op table's `sympy` rules applied to symbols and to constants rebuilt
from how they were made (graph.Const), never from parsing the user's text, since sympify and
parse_expr run eval. sympy is imported here only, and only when a mode needs it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .core.errors import GradtraceError
from .core.graph import Const, Graph, Node
from .core.trace import Trace
from .i18n import _

MAX_NODES = 400  # symbolic expressions grow fast; past this they stop being readable or quick
MAX_EXACT_EXPONENT = 10_000  # exact powers beyond this have too many digits to compute or show


def _sympy() -> Any:
    import sympy

    return sympy


def exact_const(const: Const) -> Any:
    """The exact sympy value of a constant: 0.5 -> 1/2, pi -> pi, 1/3 -> 1/3, exp(1) -> E."""
    sp = _sympy()
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
        if c.op is None:
            done[id(c)] = {"pi": sp.pi, "π": sp.pi, "e": sp.E}.get(c.text) or _rational(sp, c.text)
            continue
        args = [done[id(a)] for a in c.args]
        params = [_exact_param(sp, p, done) for p in c.params]
        rule = c.op.sympy
        assert rule is not None, f"{c.op.name} has no sympy counterpart"
        done[id(c)] = rule(sp, args, *params) if c.op.variadic else rule(sp, *args, *params)
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


def _node_params(sp: Any, node: Node) -> tuple[Any, ...]:
    """A node's parameters, exactly: constant operands, alpha as given or its default."""
    op = node.op
    assert op is not None
    consts = [a for a in node.args if isinstance(a, Const)]
    if op.variadic:
        return (tuple(exact_const(c) for c in consts),)
    out = [exact_const(consts[0])] if op.constant else []
    given = dict(node.keywords)
    for (name, _default), value in zip(op.keyword_params, node.params[len(out):]):
        out.append(exact_const(given[name]) if name in given else _rational(sp, repr(float(value))))
    return tuple(out)


TIDY_OPS = 80  # simplify takes minutes on expressions past this many operations: they are left as built


def tidy(expr: Any) -> Any:
    """sympy's simplify, unless it brings in functions the expression did not have (the sigmoid's
    gradient as 1/(4 cosh²(x/2))): then the lecture's form, over a common denominator."""
    sp = _sympy()
    if sp.count_ops(expr) > TIDY_OPS:
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


def symbolic_trace(graph: Graph, exact: dict[str, Any] | None = None, numeric: Trace | None = None,
                   expanded: bool = False, simplify: bool = True) -> Trace:
    """A trace whose values and gradients are sympy expressions, or, with exact (name -> sympy
    number), exact numbers such as 1/3 or e/(1+e).

    Gradients are compact by default, in the program's own names as the table writes them
    (∂f/∂z = t1, ∂f/∂t4 = σ(t4)·(1 - σ(t4))); expanded=True writes each in the variables alone,
    simplified. Values are always in the variables. simplify=False leaves every expression as
    built (for grading, which compares expressions and never shows these).

    At a kink sympy's conventions differ from gradtrace's (its Heaviside(0) is 1/2, relu'(0) is
    0 here), so there the local gradients come from the numeric trace, made exact."""
    if len(graph.nodes) > MAX_NODES:
        raise GradtraceError(
            _("the graph has {count} nodes; symbolic and exact modes stop at {MAX_NODES}").format(
                count=len(graph.nodes), MAX_NODES=MAX_NODES
            ),
            hint=_("bind the variables to numbers instead"),
        )
    arrays = sorted({n.op.name for n in graph.nodes if n.op is not None and n.op.sympy is None})
    if arrays:
        raise GradtraceError(
            _("symbolic and exact modes work on scalar expressions, and {join} needs arrays").format(
                join=", ".join(arrays)
            ),
            hint=_('bind the variables to arrays, e.g. -x "[1, 2]"'),
        )
    if exact and numeric is not None:
        _check_exact_sizes(graph, numeric)
    sp = _sympy()
    n = len(graph.nodes)
    compact = not exact and not expanded
    symbol = [sp.Symbol(node.name, real=True) for node in graph.nodes]  # each node by its own name
    values: list[Any] = [None] * n
    local: list[Any] = [()] * n
    subs = {sp.Symbol(name, real=True): v for name, v in (exact or {}).items()}
    kinks: list[Any] = list(numeric.kinks) if numeric is not None else [None] * n
    for node in graph.nodes:
        if node.op is None:
            values[node.id] = sp.Symbol(node.name, real=True)
            continue
        op = node.op
        params = _node_params(sp, node)
        # The local rule is sympy's derivative of the op on placeholders, then the inputs put in.
        slots = sp.symbols(f"_a0:{len(node.inputs)}", real=True)
        rule = op.sympy
        assert rule is not None  # checked above: array ops were refused
        template = rule(sp, slots, *params) if op.variadic else rule(sp, *slots, *params)
        inputs = dict(zip(slots, (values[i] for i in node.inputs)))
        values[node.id] = template.subs(inputs)
        at_kink = _exact_kink(sp, node, values, subs) if subs else (numeric is not None and numeric.kinks[node.id])
        if at_kink:
            # gradtrace's kink conventions (relu'(0) = 0, a tie splits evenly), not sympy's
            # (Heaviside(0) = 1/2): the op's own rule at the kink, whose floats are exact there.
            local[node.id] = tuple(sp.nsimplify(g) for g in _rule_at(sp, node, values, subs))
            if subs and op.kink is not None:
                kinks[node.id] = op.kink[1]
        elif compact:
            names = dict(zip(slots, (symbol[i] for i in node.inputs)))
            rule_c = template if op.name != "sigmoid" else _sigma(sp)(slots[0])
            local[node.id] = tuple(_diff(sp, rule_c, s).subs(names) for s in slots)
        else:
            local[node.id] = tuple(_diff(sp, template, s).subs(inputs) for s in slots)

    upstream: list[Any] = [sp.Integer(0)] * n
    downstream: list[Any] = [()] * n
    upstream[graph.output.id] = sp.Integer(1)
    for node in reversed(graph.nodes):
        if node.op is None:
            continue
        down = tuple(upstream[node.id] * g for g in local[node.id])
        downstream[node.id] = down
        for i, d in zip(node.inputs, down):
            upstream[i] = upstream[i] + d

    def finish(expr: Any) -> Any:
        expr = expr.subs(subs) if subs else expr
        return tidy(expr) if simplify else expr

    values = [finish(v) for v in values]
    if not compact:
        upstream = [finish(u) for u in upstream]
        local = [tuple(finish(g) for g in gs) for gs in local]
        downstream = [tuple(finish(g) for g in gs) for gs in downstream]
    if subs:
        _check_exact(graph, values, upstream, local)
    return Trace(graph, dict(exact or {}), values, upstream, local, downstream, kinks,
                 mode="exact" if subs else "symbolic")


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
        if op is None or op.exponent is None:
            continue
        args = tuple(numeric.values[i] for i in node.inputs)
        base, power = op.exponent(args, node.params)
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


def _exact_kink(sp: Any, node: Node, values: list[Any], subs: dict[Any, Any]) -> bool:
    """Whether a piecewise op sits exactly on its kink at the exact bindings (0.1 + 0.2 - 0.3 is
    0 here, though not in floats)."""
    op = node.op
    if op is None or op.kink is None:
        return False
    out = sp.simplify(values[node.id].subs(subs))
    args = tuple(sp.simplify(values[i].subs(subs)) for i in node.inputs)
    params = tuple(float(p) if isinstance(p, (int, float)) else p for p in node.params)
    from .core.ops import scalar

    predicate = op.kink[0]
    return bool(predicate(scalar, out, args, *params) if op.variadic else predicate(scalar, out, *args, *params))


def _rule_at(sp: Any, node: Node, values: list[Any], subs: dict[Any, Any]) -> tuple[Any, ...]:
    """The op table's local rule evaluated at the node's exact point, in floats."""
    from .core.ops import scalar

    op = node.op
    assert op is not None
    out = float(sp.simplify(values[node.id].subs(subs)))
    args = tuple(float(sp.simplify(values[i].subs(subs))) for i in node.inputs)
    return op.local(scalar, out, args, node.params)


def _check_exact(graph: Graph, values: list[Any], upstream: list[Any], local: list[Any]) -> None:
    """Exact arithmetic can still meet log(-1) or 1/0: report it as the float path would."""
    from .core.errors import EvaluationError

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


def exact_trace(graph: Graph, bindings: dict[str, Any], numeric: Trace) -> Trace:
    """The exact trace at these bindings; numbers too large for exact arithmetic are refused."""
    try:
        return symbolic_trace(graph, exact_bindings(bindings), numeric)
    except (OverflowError, RecursionError, MemoryError) as exc:
        raise GradtraceError(
            _("exact arithmetic can't handle numbers this large ({exc})").format(exc=exc),
            about="mode",
            hint=_("numeric mode computes this in floats"),
        ) from None


def exact_bindings(bindings: dict[str, Any]) -> dict[str, Any]:
    """Binding values as exact sympy numbers: '1/3' -> 1/3, '-pi/2' -> -pi/2, 0.1 -> 1/10."""
    from .core.graph import constant

    out = {}
    for name, value in bindings.items():
        text = value if isinstance(value, str) else repr(float(value))
        value = constant(text)
        assert isinstance(value, Const), f"{name}'s value was checked to be a constant"
        out[name] = exact_const(value)
    return out


# ---- symbolic answers -------------------------------------------------------------------------

def answer_expression(text: str, origin: str, meanings: dict[str, Any]) -> Any:
    """A student's symbolic answer (x + y, 2*q, sigmoid(s)*(1 - sigmoid(s))) as a sympy expression
    in the program's variables. It is read by gradtrace's own parser and built into a graph like
    any program, never sympified; a node's name stands for its value (q means x + y when q = x + y).
    meanings: each name the answer may use -> its value in the variables."""
    from .core.graph import build, constant

    try:
        value = constant(text)
        if isinstance(value, Const):
            return exact_const(value)
        graph = build(text)
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
            hint=_("its names are {join}").format(join=", ".join(meanings)),
        )
    sp = _sympy()
    expr = symbolic_trace(graph, expanded=True, simplify=False).values[graph.output.id]
    return expr.subs({sp.Symbol(v.name, real=True): meanings[v.name] for v in graph.variables}, simultaneous=True)


def same_expression(a: Any, b: Any) -> bool:
    """Whether two expressions are equal for every value of their variables: their difference
    simplifies to 0, or sympy proves it is 0. Two expressions that differ anywhere are never equal
    here, so a wrong answer is never passed; sympy's `equals` settles forms simplify leaves apart."""
    sp = _sympy()
    difference = sp.expand(a - b)
    if difference == 0:
        return True
    if sp.count_ops(difference) <= 4 * TIDY_OPS and sp.simplify(difference) == 0:
        return True
    return bool(difference.equals(0) is True)
