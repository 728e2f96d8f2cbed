"""Formulas as LaTeX, for the markdown and LaTeX renderers: t1 -> t_{1}, * -> \\cdot, σ -> \\sigma."""

from __future__ import annotations

import re

from ..core.ops import OPS

# Each op's LaTeX name comes from its record (\exp, \sigma); others are set upright. ln and sign
# appear in formulas without being ops.
_FUNCTIONS = {name: op.latex or r"\mathrm{" + name.replace("_", r"\_") + "}" for name, op in OPS.items()
              if op.callable}
_FUNCTIONS.update({"ln": r"\ln", "sign": r"\mathrm{sign}", "sqrt": r"\mathrm{sqrt}"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SYMBOLS = [("**", "^"), ("·", r" \cdot "), ("*", r" \cdot "), ("²", "^{2}"), ("σ", r"\sigma "),
            ("≤", r"\le "), ("≥", r"\ge "), ("∂", r"\partial ")]


def name(text: str) -> str:
    """A node or variable name: w0 -> w_{0}, t12 -> t_{12}, x_in -> x_{in}, alpha -> \\alpha."""
    m = re.fullmatch(r"([A-Za-z]+)_?([0-9]+)", text)
    if m:
        return f"{_word(m.group(1))}_{{{m.group(2)}}}"
    if "_" in text:
        head, _, tail = text.partition("_")
        return f"{_word(head)}_{{\\mathrm{{{tail.replace('_', r'_')}}}}}" if head else text.replace("_", r"\_")
    return _word(text)


def _word(word: str) -> str:
    if word in ("alpha", "beta", "gamma", "delta", "lambda", "sigma", "pi"):
        return "\\" + word
    if word == "e":
        return "e"
    return word if len(word) == 1 else rf"\mathrm{{{word}}}"


def formula(text: str) -> str:
    """An expression or local-gradient formula from gradtrace, as LaTeX math (without $)."""
    out = []
    pos = 0
    for m in _WORD.finditer(text):
        out.append(_symbols(text[pos:m.start()]))
        word = m.group()
        if word in _FUNCTIONS:
            out.append(_FUNCTIONS[word])
        elif word in ("if", "else", "is"):
            out.append(rf"\mbox{{ {word} }}")
        else:
            out.append(name(word))
        pos = m.end()
    out.append(_symbols(text[pos:]))
    tex = re.sub(r"\s*\^\s*", "^", "".join(out))
    tex = re.sub(r"\^\(([^()]*)\)", r"^{(\1)}", tex)
    tex = re.sub(r"\^(?!\{)(-?[A-Za-z0-9.]+(?:_\{[^}]*\})?)", r"^{\1}", tex)
    return re.sub(r" {2,}", " ", tex).strip()


def _symbols(text: str) -> str:
    for old, new in _SYMBOLS:
        text = text.replace(old, new)
    return text.replace("[", r"[").replace("%", r"\%").replace("#", r"\#").replace("&", r"\&")


def partial(top: str, bottom: str) -> str:
    """∂top/∂bottom as a LaTeX fraction."""
    return rf"\frac{{\partial {name(top)}}}{{\partial {name(bottom)}}}"
