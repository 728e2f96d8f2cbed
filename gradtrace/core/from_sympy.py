"""A sympy expression walked into the graph, node by node, with no text parsed.

gradtrace.trace(sympy_expr) hands the expression here. Each piece of sympy's tree becomes the
builder call the parser would make for the same piece written in gradtrace's language (x - y a
sub gate, 1/x a reciprocal gate, 2*x a one-constant gate), so a sympy expression and the text it
is shown as make the same graph. The text is written as the walk goes, for the trace's header and
for error messages to point into, and is never read back. Nothing recurses: sympy's tree is walked
with an explicit stack.

sympy is not imported here: whoever calls has a sympy object, so sympy is loaded already.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from .errors import GradtraceError, ParseError
from .graph import Graph, _Lowering, paused_gc
from .ops import CONSTANTS, FUNCTIONS, VARIADIC
from .syntax import tokenize
from .terms import Term, lower, write

MAX_TERMS = 10 ** 6  # sympy shares subexpressions; written out as a tree, one could have 2^40 terms


class SympyError(GradtraceError, ValueError):
    """A sympy expression with something gradtrace has no gate for: also a ValueError."""


def build_from_sympy(expr: Any, output: str | None = None, bound: frozenset[str] | set[str] = frozenset()) -> Graph:
    """The graph of a sympy expression, or of an equation Eq(f, expression) whose left side names
    the output."""
    import sympy

    target = None
    if isinstance(expr, sympy.Equality):
        if not isinstance(expr.lhs, sympy.Symbol):
            raise SympyError(f"an equation is traced as name = expression, and the left side of {_short(expr)} "
                             "is not a sympy Symbol")
        target, expr = _name(expr.lhs), expr.rhs
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"trace() takes a sympy expression (sympy.Expr) or an equation Eq(f, expression), "
                        f"not sympy's {type(expr).__name__} ({_short(expr)})")
    _check_size(expr)
    root = _terms(sympy, expr)
    prefix = f"{target} = " if target is not None else ""
    text = write(root, len(prefix))
    source = prefix + text
    with paused_gc():
        lowering = _Lowering(source, bound=bound)
        try:
            value = lower(lowering, root)
        except ParseError as err:  # a symbol named nan, a constant's domain (log(0)): the sympy's fault
            raise SympyError(err.message, source=err.source, span=err.span, hint=err.hint) from None
        lowering.statement(target, (0, len(target)) if target is not None else None, value, (0, len(source)))
        return lowering.finish(output)


# ---- sympy's tree -> terms --------------------------------------------------------------------

def _terms(sympy: Any, expr: Any) -> Term:
    """The terms of the program that writes expr, made bottom-up with an explicit stack."""
    functions = _functions(sympy)
    work: list[tuple[bool, Any]] = [(False, expr)]
    made: list[Term] = []
    while work:
        done, item = work.pop()
        if done:
            make, count = item
            kids = made[len(made) - count:] if count else []
            del made[len(made) - count:]
            made.append(make(kids))
            continue
        make, kids = _plan(sympy, functions, item)
        work.append((True, (make, len(kids))))
        work.extend((False, kid) for kid in reversed(kids))
    return made[0]


def _plan(sympy: Any, functions: dict[Any, str], e: Any) -> tuple[Any, list[Any]]:
    """How one sympy node is written: (make, kids), make building its term from its kids' terms."""
    if isinstance(e, sympy.Symbol):
        name = _name(e)
        return (lambda kids: Term("name", name)), []
    if isinstance(e, sympy.Number):
        return _number(sympy, e), []
    if e is sympy.pi:
        return (lambda kids: Term("name", "pi")), []
    if e is sympy.E:
        return (lambda kids: Term("name", "e")), []
    if isinstance(e, sympy.Add):
        terms = e.as_ordered_terms()  # as sympy prints it: x - y, not -y + x
        signs = [t.could_extract_minus_sign() for t in terms]

        def add(kids: list[Term]) -> Term:
            out = Term("unary", "-", (kids[0],)) if signs[0] else kids[0]
            for sign, kid in zip(signs[1:], kids[1:]):
                out = Term("binary", "-" if sign else "+", (out, kid))
            return out
        return add, [-t if sign else t for t, sign in zip(terms, signs)]
    if isinstance(e, sympy.Mul):
        coeff, rest = e.as_coeff_Mul()
        if coeff == -1:  # -x*y: the neg gate over x*y
            return (lambda kids: Term("unary", "-", (kids[0],))), [rest]
        numerator, denominator = [], []
        for factor in e.as_ordered_factors():
            if isinstance(factor, sympy.Rational) and factor.q != 1:
                if factor.p != 1:
                    numerator.append(sympy.Integer(factor.p))
                denominator.append(sympy.Integer(factor.q))
            elif isinstance(factor, sympy.Pow) and factor.exp.is_Number and factor.exp < 0:
                denominator.append(sympy.Pow(factor.base, -factor.exp))
            else:
                numerator.append(factor)
        split = len(numerator)

        def mul(kids: list[Term]) -> Term:
            top = _product(kids[:split]) if split else Term("number", "1")
            return Term("binary", "/", (top, _product(kids[split:]))) if len(kids) > split else top
        return mul, numerator + denominator
    if isinstance(e, sympy.Pow):
        base, exponent = e.args
        if exponent == sympy.S.Half:
            return (lambda kids: Term("call", "sqrt", (kids[0],))), [base]
        if exponent.is_Number and exponent < 0:
            if exponent == -sympy.S.Half:
                return (lambda kids: Term("binary", "/", (Term("number", "1"), Term("call", "sqrt", (kids[0],))))), \
                    [base]
            inverse = base if exponent == -1 else sympy.Pow(base, -exponent)
            return (lambda kids: Term("binary", "/", (Term("number", "1"), kids[0]))), [inverse]
        if not (exponent.is_real or exponent.is_real is None) or exponent.has(sympy.I):
            raise SympyError(f"gradtrace's gates are of real numbers, and {_short(e)} has a complex exponent "
                             "(sympy's I)")
        return (lambda kids: Term("binary", "**", (kids[0], kids[1]))), [base, exponent]
    if isinstance(e, sympy.Heaviside):
        if len(e.args) > 1 and e.args[1] != sympy.S.Half:
            raise SympyError(f"gradtrace's heaviside is 1/2 at 0, and {_short(e)} is {e.args[1]} there: sympy's "
                             "Heaviside(x) is the one it takes")
        return (lambda kids: Term("call", "heaviside", (kids[0],))), [e.args[0]]
    func = functions.get(e.func)
    if func is not None:
        return (lambda kids: Term("call", func, tuple(kids))), list(e.args)
    raise _no_gate(sympy, functions, e)


def _number(sympy: Any, e: Any) -> Any:
    """A sympy number as written: 3, 0.25, 3/4, and a minus sign before a negative one."""
    if not e.is_finite or not e.is_real:
        raise SympyError(f"gradients need finite real numbers, and the expression has sympy's {e}")
    if isinstance(e, sympy.Integer):
        text = str(abs(int(e)))
        term = Term("number", _checked(text))
    elif isinstance(e, sympy.Rational):
        term = Term("binary", "/", (Term("number", _checked(str(abs(e.p)))), Term("number", _checked(str(e.q)))))
    else:
        value = float(e)
        if not math.isfinite(value):
            raise SympyError(f"the number {_short(e)} is too large for a float (the largest is about 1.8e308)")
        term = Term("number", repr(abs(value)))
    negative = e < 0
    return lambda kids: Term("unary", "-", (term,)) if negative else term


def _checked(digits: str) -> str:
    if len(digits) > 308 and math.isinf(float(digits)):
        raise SympyError(f"the number {digits[:12]}…({len(digits)} digits) is too large for a float "
                         "(the largest is about 1.8e308)")
    return digits


def _product(kids: list[Term]) -> Term:
    out = kids[0]
    for kid in kids[1:]:
        out = Term("binary", "*", (out, kid))
    return out


def _name(symbol: Any) -> str:
    """A sympy Symbol's name, if gradtrace's language can write it as one name."""
    name = str(symbol.name)
    try:
        tokens = list(tokenize(name)) if name and name.isprintable() else []
    except ParseError:  # a character no token starts with: $x
        tokens = []
    if len(tokens) != 2 or tokens[0][0] != "name" or tokens[0][1] != name:
        raise SympyError(f"the sympy symbol {name!r} is not a name gradtrace can write (a letter or _ first, "
                         "then letters, digits and _: x, w0, α, w₁)")
    if name in CONSTANTS:
        raise SympyError(f"the sympy symbol {name!r} is named like the constant {name}: gradtrace writes "
                         "sympy.pi as pi and sympy.E as e, so give the symbol another name")
    if name in FUNCTIONS:
        raise SympyError(f"the sympy symbol {name!r} is named like gradtrace's function {name}(); give it "
                         "another name")
    return name


@functools.cache
def _functions(sympy: Any) -> dict[Any, str]:
    """sympy's function classes that are one gradtrace gate each, read from the op table: exp, sin,
    Abs, Max, ... (each op's sympy counterpart, applied to a symbol, is that class of it)."""
    x, y = sympy.symbols("x y")
    out: dict[Any, str] = {}
    for name, op in sorted(FUNCTIONS.items()):
        rule = op.oracles.sympy
        if rule is None or op.name != name or op.syntax.infix is not None or (op.rule_params and op.arity != VARIADIC):
            continue
        inputs = [x, y] if op.arity == VARIADIC else [x, y][:op.arity]
        made = rule(sympy, inputs) if op.arity == VARIADIC else rule(sympy, *inputs)
        if type(made) is made.func and sorted(map(str, made.args)) == sorted(map(str, inputs)) \
                and made.func not in out:  # exp(x), Abs(x), Max(x, y); not sigmoid's 1/(1 + exp(-x))
            out[made.func] = name
    return out


def _no_gate(sympy: Any, functions: dict[Any, str], e: Any) -> Exception:
    names = ", ".join(sorted({*functions.values(), "sqrt", "heaviside"}))
    what = f"sympy's {type(e).__name__}" if not isinstance(e, sympy.Expr) or not e.args else \
        f"sympy's {e.func.__name__}"
    accepted = (f"a sympy expression may use symbols, numbers, pi, E, +, -, *, /, ** and the functions {names}")
    if not isinstance(e, sympy.Expr):
        return TypeError(f"gradtrace has no gate for {what} ({_short(e)}): {accepted}")
    return SympyError(f"gradtrace has no gate for {what} ({_short(e)}): {accepted}")


def _short(e: Any) -> str:
    text = str(e)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_size(expr: Any) -> None:
    """Refuse an expression whose tree (sympy stores a DAG) is too large to write out."""
    size: dict[int, int] = {}
    work: list[tuple[bool, Any]] = [(False, expr)]
    while work:
        done, e = work.pop()
        if id(e) in size and not done:
            continue
        if done:
            size[id(e)] = 1 + sum(size[id(a)] for a in e.args)
            if size[id(e)] > MAX_TERMS:
                raise SympyError(f"the sympy expression written out as a tree has more than {MAX_TERMS:,} terms "
                                 "(sympy shares repeated subexpressions; gradtrace's graph would not)")
            continue
        work.append((True, e))
        work.extend((False, a) for a in e.args if id(a) not in size)
