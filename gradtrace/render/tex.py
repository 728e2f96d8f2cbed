"""Formulas and values as LaTeX math, for the markdown and LaTeX renderers: t1 -> t_{1}, * -> \\cdot,
σ -> \\sigma, x² -> x^{2}, sympy values through sympy.latex. Everything it writes is ASCII, so
pdflatex takes it with no package, and KaTeX and MathJax render it (text is \\text{...} there:
KaTeX has no \\mbox)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..core.numbers import SMALL, NumberFormat
from ..core.ops import OPS

# Each op's LaTeX name comes from its record (\exp, \sigma); others are set upright. ln and sign
# appear in formulas without being ops.
_FUNCTIONS = {name: op.text.latex or r"\mathrm{" + name.replace("_", r"\_") + "}" for name, op in OPS.items()
              if op.syntax.callable}
_FUNCTIONS.update({"ln": r"\ln", "sign": r"\mathrm{sign}", "sqrt": r"\mathrm{sqrt}"})
_WORD = re.compile(r"[^\W\d⁰¹²³⁴⁵⁶⁷⁸⁹π][^\W⁰¹²³⁴⁵⁶⁷⁸⁹π\u0300-\u036f]*(?:[\u0300-\u036f][^\W⁰¹²³⁴⁵⁶⁷⁸⁹π]*)*")
_SYMBOLS = [("**", "^"), ("·", r" \cdot "), ("*", r" \cdot "), ("²", "^{2}"), ("σ", r"\sigma "),
            ("≤", r"\le "), ("≥", r"\ge "), ("∂", r"\partial ")]


# Unicode that gradtrace writes or users type, as LaTeX math (Greek letters are found by name).
_UNICODE = {"·": r"\cdot ", "⋅": r"\cdot ", "×": r"\times ", "⊙": r"\odot ", "ᵀ": r"^{\top}", "≈": r"\approx ",
            "≤": r"\le ", "≥": r"\ge ", "∂": r"\partial ", "√": r"\surd ", "‖": r"\|", "Σ": r"\Sigma ",
            "…": r"\ldots ", "—": "-", "−": "-", "π": r"\pi "}
_SUPERSCRIPT = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+"))
_ACCENTS = {"\u0302": "hat", "\u0303": "tilde", "\u0304": "bar", "\u0307": "dot"}  # x̂ -> \hat{x}
_SUBSCRIPT = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))


def ascii_math(tex: str) -> str:
    """Whatever Unicode is left in LaTeX math, as commands: x² -> x^{2}, w₁ -> w_{1}, α -> \\alpha."""
    if tex.isascii():
        return tex
    tex = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+", lambda m: "^{" + "".join(_SUPERSCRIPT[c] for c in m.group()) + "}", tex)
    tex = re.sub("[₀₁₂₃₄₅₆₇₈₉]+", lambda m: "_{" + "".join(_SUBSCRIPT[c] for c in m.group()) + "}", tex)
    tex = re.sub("(.)([\u0302\u0303\u0304\u0307])", lambda m: f"\\{_ACCENTS[m.group(2)]}{{{m.group(1)}}}", tex)
    out = []
    for ch in tex:
        if ch.isascii():
            out.append(ch)
        elif ch in _UNICODE:
            out.append(_UNICODE[ch])
        else:
            words = unicodedata.name(ch, "").split()
            if words[:2] == ["GREEK", "SMALL"] and words[-1] != "FINAL":
                out.append("\\" + words[-1].lower().replace("lamda", "lambda") + " ")
            elif words[:2] == ["GREEK", "CAPITAL"]:
                greek = words[-1].capitalize().replace("Lamda", "Lambda")
                out.append(("\\" + greek + " ") if greek in _UPPER_GREEK else greek[0])
            else:
                out.append("?")  # nothing gradtrace writes; never a character pdflatex stops at
    return "".join(out)


_UPPER_GREEK = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}


def name(text: str) -> str:
    """A node or variable name: w0 -> w_{0}, t12 -> t_{12}, x_in -> x_{in}, alpha -> \\alpha, w₁ -> w_{1}.
    Only the first underscore subscripts; later ones are written as underscores (a_b_c_d ->
    a_{\\mathrm{b\\_c\\_d}}), since TeX refuses a double subscript."""
    if not text.isascii():
        head, sep, tail = text.partition("_")
        if sep and head and tail and re.fullmatch(r"[^\W_]+", tail):
            return ascii_math(head) + "_{" + ascii_math(tail) + "}"
        return ascii_math(text.replace("_", "\\_"))
    m = re.fullmatch(r"([A-Za-z]+)_?([0-9]+)", text)
    if m:
        return f"{_word(m.group(1))}_{{{m.group(2)}}}"
    if "_" in text:
        head, _, tail = text.partition("_")
        if head and tail:
            return _word(head) + r"_{\mathrm{" + tail.replace("_", r"\_") + "}}"
        return r"\mathrm{" + text.replace("_", r"\_") + "}"
    return _word(text)


def _word(word: str) -> str:
    if word in ("alpha", "beta", "gamma", "delta", "lambda", "sigma", "pi"):
        return "\\" + word
    if word == "e":
        return "e"
    return word if len(word) == 1 else rf"\mathrm{{{word}}}"


def formula(text: str, words: str = r"\mbox") -> str:
    """An expression or local-gradient formula from gradtrace, as LaTeX math (without $). words:
    the command that sets a word such as 'if' upright (\\mbox for LaTeX, \\text for KaTeX)."""
    out = []
    pos = 0
    for m in _WORD.finditer(text):
        out.append(_symbols(text[pos:m.start()]))
        word = m.group()
        if word in _FUNCTIONS:
            out.append(_FUNCTIONS[word])
        elif word in ("if", "else", "is", "with"):
            out.append(rf"{words}{{ {word} }}")
        else:
            out.append(name(word))
        pos = m.end()
    out.append(_symbols(text[pos:]))
    tex = re.sub(r"\s*\^\s*", "^", ascii_math("".join(out)))
    tex = re.sub(r"\^\(([^()]*)\)", r"^{(\1)}", tex)
    tex = re.sub(r"\^(?!\{)(-?[A-Za-z0-9.]+(?:_\{[^}]*\})?)", r"^{\1}", tex)
    return re.sub(r" {2,}", " ", tex).strip()


def _symbols(text: str) -> str:
    for old, new in _SYMBOLS:
        text = text.replace(old, new)
    return text.replace("@", r" \mathbin{@} ").replace("%", r"\%").replace("#", r"\#").replace("&", r"\&")


def partial(top: str, bottom: str) -> str:
    """∂top/∂bottom as a LaTeX fraction."""
    return rf"\frac{{\partial {name(top)}}}{{\partial {name(bottom)}}}"


def value(v: Any, numbers: NumberFormat, words: str = r"\mbox") -> str:
    """A value as LaTeX math: a float as `numbers` shows it (1e-20 as 1 \\times 10^{-20}), an exact or
    symbolic one through sympy.latex with gradtrace's names, a small array as a bracketed array,
    a large one as its summary, no value (None) as a dash."""
    if v is None:
        return f"{words}{{--}}"
    if hasattr(v, "shape") and getattr(v, "ndim", 0) > 0:
        if v.size > SMALL or v.ndim > 2:
            return f"{words}{{{numbers.array(v)}}}"
        rows = v.reshape(1, -1) if v.ndim == 1 else v
        body = r" \\ ".join(" & ".join(_number(numbers.text(float(x))) for x in r) for r in rows)
        return rf"\left[\begin{{array}}{{{'r' * rows.shape[1]}}}{body}\end{{array}}\right]"
    if isinstance(v, (int, float)):
        return _number(numbers.text(v))
    import sympy

    names = {sym: name(str(sym)) for sym in getattr(v, "free_symbols", ())}
    # sympy writes some functions as \\operatorname{sign}, which needs amsmath: \\mathrm needs nothing
    tex = _OPERATORNAME.sub(r"\\mathrm{", sympy.latex(v, symbol_names=names))
    if getattr(v, "is_number", False):
        try:
            approx = numbers.text(float(v))
        except (TypeError, ValueError):
            return ascii_math(tex)
        if tex != approx:
            return ascii_math(f"{tex} \\approx {_number(approx)}")
    return ascii_math(tex)


_OPERATORNAME = re.compile(r"\\operatorname\{")


def text(value: str) -> str:
    """Any text (a student's answer, a name) as LaTeX text mode, in ASCII: TeX's specials escaped,
    math characters (≈, α, w₁) as math, control characters as visible escapes, and anything else
    LaTeX has no command for as '?'."""
    out = []
    for ch in value:
        if ch in _TEXT_SPECIALS:
            out.append(_TEXT_SPECIALS[ch])
        elif " " <= ch <= "~":
            out.append(ch)
        elif ch in "\t\n\r":
            out.append(" ")
        elif ord(ch) < 32 or 127 <= ord(ch) < 160:
            out.append(f"\\textbackslash{{}}x{ord(ch):02x}")
        else:
            math = ascii_math(ch)
            out.append("?" if math == "?" else "$" + math.strip() + "$")
    return "".join(out)


_TEXT_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "%": r"\%", "&": r"\&",
                  "$": r"\$", "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}",
                  "|": r"\textbar{}"}


def _number(text: str) -> str:
    """A number's text as math: 1e-20 -> 1 \\times 10^{-20}; inf and nan by name."""
    m = re.fullmatch(r"(-?[0-9.]+)e([+-])0*([0-9]+)", text)
    if m:
        return rf"{m.group(1)} \times 10^{{{'-' if m.group(2) == '-' else ''}{m.group(3)}}}"
    if text in ("inf", "-inf", "nan"):
        return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}[text]
    return text
