"""Variable bindings: values for the graph's inputs, checked before anything is computed.

A value is a number or a constant expression (1/3, -pi/2), read by gradtrace's own parser.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..i18n import _, ngettext
from .errors import BindingError, GradtraceError, did_you_mean, some
from .graph import Const, Graph, constant

if TYPE_CHECKING:
    import numpy as np


class Binding:
    """One name = value pair and where it came from (for messages such as 'bound twice')."""
    __slots__ = ("_origin", "files", "name", "source", "value")

    def __init__(self, name: str, value: Any, origin: str | Callable[[], str] | None = None,
                 source: str | None = None, files: bool = False):
        self.name, self.value = name, value
        self._origin = origin  # how it was written, e.g. "-x 2", or a function that writes it when asked
        self.source = source   # or the file it came from, e.g. "vals.json"
        self.files = files     # whether "@path" may load a file: only on the command line

    @property
    def origin(self) -> str:
        """Where the binding came from, for messages: '-x 2', 'x in vals.json' or 'x=2'."""
        if callable(self._origin):  # written only for a message: an array's repr is dear
            self._origin = self._origin()
        if self._origin is not None:
            return self._origin
        return f"{self.name} in {self.source}" if self.source else f"{self.name}={self.value}"


MAX_DEPTH = 32        # nested lists deeper than this are not an array anyone means (numpy stops at 64)
MAX_DIGITS = 400      # an integer literal longer than this can't be a float anyway (1.8e308 has 309)


def read_document(text: str, origin: str, toml: bool) -> Any:
    """A TOML or JSON document of answers or problems, numbers kept as their written text (so
    answers are graded at their own decimals); a document that doesn't parse is an error naming
    origin ("--answers a.toml", a file's path)."""
    if not toml:
        return read_json(text, origin, keep_text=True)
    import tomllib

    try:
        return tomllib.loads(text, parse_float=str)
    except (ValueError, RecursionError) as exc:
        raise GradtraceError(_("{origin}: not valid TOML ({exc})").format(origin=origin, exc=exc)) from None


def read_json(text: str, origin: str, keep_text: bool = False, what: str = "JSON") -> Any:
    """JSON that holds numbers: integers become floats (a 5000-digit one is refused, not
    converted), NaN and Infinity are refused, a key given twice is an error (not "last wins"),
    and lists nested past MAX_DEPTH are refused before the parser recurses into them. With
    keep_text, numbers stay the text they were written as (answers are graded at their decimals)."""
    import json

    depth = _max_depth(text)
    if depth > MAX_DEPTH:
        raise BindingError(
            _("{origin}: lists nested {depth} deep; an array has at most {MAX_DEPTH} dimensions here").format(
                origin=origin, depth=depth, MAX_DEPTH=MAX_DEPTH
            )
        )
    to_int, to_float = _json_int(origin), _json_float(origin)
    if keep_text:
        def parse_int(t: str) -> str:
            to_int(t)
            return t

        def parse_float(t: str) -> str:
            to_float(t)
            return t
    try:
        # Floats are left to json's C parser (1e999 becomes inf, refused later as infinite); integers
        # are checked, since a 5000-digit one would otherwise be converted, slowly, or refused raw.
        return json.loads(text, parse_int=parse_int if keep_text else to_int,
                          parse_float=parse_float if keep_text else None,
                          parse_constant=_json_constant(origin), object_pairs_hook=_unique_keys(origin))
    except json.JSONDecodeError as exc:
        message = (f"{origin}: not valid JSON ({exc.msg})" if what == "JSON"
                   else f"{origin} is not a valid {what}: {exc.msg}")
        raise BindingError(message, source=text if "\n" not in text else None,
                           span=(exc.pos, exc.pos + 1)) from None
    except RecursionError:
        raise BindingError(_("{origin}: nested too deeply to be numbers").format(origin=origin)) from None


def _max_depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings, found without recursion. Only brackets,
    quotes and backslashes are visited (a 10^5-entry --vars file has almost none of them)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return text.count("[") + text.count("{")  # an upper bound, and small: nothing to scan
    depth = deepest = 0
    in_string = escaped = False
    for m in _STRUCTURE.finditer(text):
        ch = m.group()
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


_STRUCTURE = re.compile(r'[\[\]{}"\\]')


def _json_int(origin: str) -> Callable[[str], float]:
    def convert(text: str) -> float:
        if len(text.lstrip("-")) > MAX_DIGITS:
            raise BindingError(
                _("{origin}: a {count}-digit integer is too large for a float").format(
                    origin=origin, count=len(text.lstrip("-"))
                )
            )
        try:
            return float(int(text))
        except OverflowError:
            raise BindingError(
                _(
                    "{origin}: the {count}-digit integer {text}… is too large for a float (the largest "
                    "is about 1.8e308)"
                ).format(origin=origin, count=len(text.lstrip("-")), text=text[:12])
            ) from None

    return convert


def _json_float(origin: str) -> Callable[[str], float]:
    def convert(text: str) -> float:
        value = float(text)
        if math.isinf(value):
            raise BindingError(
                _("{origin}: the number {text} is too large for a float").format(origin=origin, text=text[:30])
            )
        return value
    return convert


def _json_constant(origin: str) -> Callable[[str], float]:
    def refuse(text: str) -> float:
        raise BindingError(
            _("{origin}: {text} is not a number JSON allows, and gradients need finite numbers").format(
                origin=origin, text=text
            )
        )

    return refuse


def _unique_keys(origin: str) -> Callable[[list[Any]], dict[Any, Any]]:
    def build(pairs: list[Any]) -> dict[Any, Any]:
        out = dict(pairs)  # at C speed; only a short dict means a key came twice
        if len(out) != len(pairs):
            counts: dict[Any, int] = {}
            for key, _value in pairs:
                counts[key] = counts.get(key, 0) + 1
            twice = next(key for key, n in counts.items() if n > 1)
            raise BindingError(
                _("{origin}: the key {twice!r} is given twice").format(origin=origin, twice=twice),
                hint=_("give each name one value"),
            )
        return out
    return build


def parse_value(name: str, text: str) -> float:
    """A binding's value: a number or a constant expression such as 1/3 or -pi/2."""
    try:
        value = constant(text)
    except GradtraceError as err:
        raise BindingError(
            _("the value for {name} is not a number: {message}").format(name=name, message=err.message),
            source=err.source,
            span=err.span,
            hint=err.hint or "write a number such as -2, 0.5 or 1/3",
        ) from None
    if not isinstance(value, Const):
        raise BindingError(
            _("the value for {name} must be a number or a constant expression, not {text!r}").format(
                name=name, text=text
            ),
            source=text,
            span=(0, len(text)),
            hint=_("constants are numbers, pi and e"),
        )
    return value.value


def value_of(b: Binding) -> Any:
    """A float, or a numpy array for [...] literals, @files and lists."""
    value = b.value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return parse_array(b.name, text)
        if text.startswith("@"):
            if not b.files:
                where = f"in {b.source}" if b.source else "here"
                raise BindingError(
                    _("{origin}: a value {where} is a number or a list of numbers, not a file name").format(
                        origin=b.origin, where=where
                    ),
                    hint=_("only a command-line binding such as -x @x.npy loads a file"),
                )
            return load_array(b.name, text[1:])
        if b.source is not None:
            raise BindingError(
                _("{origin}: a value in a file is a number or a list of numbers, not text ({text!r})").format(
                    origin=b.origin, text=text[:40]
                ),
                hint=_('write it without quotes, e.g. {"x": 0.5}'),
            )
        return parse_value(b.name, value)
    if isinstance(value, list):
        return to_array(b.name, value, b.origin)
    if hasattr(value, "shape") or hasattr(value, "__array__"):
        return from_array(b.name, value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BindingError(
            _("the value for {name} must be a number or an array, not {value!r}").format(name=b.name, value=value)
        )
    return float(value)


def check_finite(b: Binding, value: Any) -> Any:
    """Refuse NaN and infinities up front: they would surface later as a puzzling gradient error."""
    if value.__class__ is float:
        if value - value == 0.0:
            return value
        bad, where = value, ""
    else:
        import numpy as np

        finite = np.isfinite(value)
        if finite.all():
            return value
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        bad, where = value[index], f"[{', '.join(map(str, index))}]"
    what = "NaN" if math.isnan(bad) else "infinite"
    raise BindingError(
        _("{origin}: the value of {name}{where} is {what}").format(
            origin=b.origin, name=b.name, where=where, what=what
        ),
        hint=_("gradients need finite numbers; NaN and inf have none"),
    )


def resolve(graph: Graph, bindings: Iterable[Binding],
            values_file: tuple[str, dict[Any, Any]] | None = None) -> dict[str, Any]:
    """Check bindings against the graph's variables and return name -> value, in the graph's order.

    values_file is (path, mapping) from --vars; a million entries of it are checked in bulk.
    Every missing variable is named at once; unknown names get close-match suggestions.
    """
    bindings = list(bindings)
    wanted = [v.name for v in graph.variables]
    known = graph.variable_names
    values: dict[str, Any] = _from_file(values_file, known, wanted) if values_file else {}
    if bindings and values_file is not None and values is values_file[1]:
        values = dict(values)  # the command line's bindings join it: leave the caller's mapping alone
    for b in bindings:
        if b.name in values:
            if values_file is not None and b.name in values_file[1]:
                first = Binding(b.name, values_file[1][b.name], source=values_file[0])
            else:
                first = next(a for a in bindings if a.name == b.name)
            raise BindingError(
                _("{name} is bound twice: {origin} and {origin2}").format(
                    name=b.name, origin=first.origin, origin2=b.origin
                ),
                hint=_("give each variable one value"),
            )
        if b.name not in known:
            name = match_variable(b.name, known)
            if name is None:
                raise _unknown(b, known, wanted)
            b = Binding(name, b.value, b.origin, files=b.files)
        if b.name in values:
            raise BindingError(
                _("{name} is bound twice (the second time as {origin})").format(name=b.name, origin=b.origin),
                hint=_("give each variable one value"),
            )
        values[b.name] = check_finite(b, value_of(b))
    try:
        return {name: values[name] for name in wanted}
    except KeyError:
        missing = [name for name in wanted if name not in values]
    example = " ".join(f"-{name} 1" for name in missing[:3])
    raise BindingError(ngettext("no value for the variable {names}", "no value for the variables {names}",
                                len(missing)).format(names=some(missing)),
                       hint=ngettext("bind it, e.g. {example}", "bind them, e.g. {example}", len(missing)).format(
                           example=example))


def _from_file(values_file: tuple[str, dict[Any, Any]], known: set[str], wanted: list[str]) -> dict[str, Any]:
    """A --vars mapping, checked with set operations and sums at C speed when it holds only finite
    floats for known variables (the usual case, however large); entry by entry otherwise."""
    path, data = values_file
    if not data.keys() <= known:
        name = next(k for k in data if k not in known)
        raise _unknown(Binding(name, data[name], source=path), known, wanted)
    if set(map(type, data.values())) <= {float} and math.isfinite(sum(data.values())):
        return data
    return {k: check_finite(b, value_of(b)) for k, b in ((k, Binding(k, v, source=path)) for k, v in data.items())}


def plain_spelling(name: str) -> str:
    """A name as it can be typed on any keyboard: w₁ -> w1, α -> alpha, Θ_1 -> Theta_1."""
    if name.isascii():
        return name
    out = []
    for ch in name:
        folded = unicodedata.normalize("NFKC", ch)
        if folded.isascii():
            out.append(folded)
            continue
        words = unicodedata.name(ch, "").split()
        letter = _LETTER_NAMES.get(words[3], words[3]) if words[2:3] == ["LETTER"] and len(words) > 3 else ""
        if words[:2] == ["GREEK", "SMALL"] and letter:
            out.append(letter.lower())  # α -> alpha, and ά (ALPHA WITH TONOS) -> alpha too
        elif words[:2] == ["GREEK", "CAPITAL"] and letter:
            out.append(letter.capitalize())
        else:
            out.append(ch)
    return "".join(out)


# Unicode names λ LAMDA; a keyboard, and the README, spell it lambda (lamda still binds).
_LETTER_NAMES = {"LAMDA": "LAMBDA"}


def _typed(name: str) -> str:
    """A binding's name as plain_spelling writes the letter it spells (lamda, as Unicode names it, is lambda)."""
    return re.sub(r"(?i)lamda", lambda m: m.group(0)[:3] + "b" + m.group(0)[3:], plain_spelling(name))


def match_variable(name: str, known: Iterable[str]) -> str | None:
    """The variable a binding means: the name itself, or the one variable typed as w₁ or α that
    the binding spells as w1 or alpha."""
    known = set(known)
    if name in known:
        return name
    matches = [v for v in known if not v.isascii() and plain_spelling(v) == _typed(name)]
    return matches[0] if len(matches) == 1 else None


def _unknown(b: Binding, known: set[str], wanted: list[str]) -> BindingError:
    hint = did_you_mean(b.name, sorted(known))
    if not hint:
        hint = f"its variables are {some(wanted)}" if wanted else "it has no variables"
    return BindingError(
        _("{origin}: the expression has no variable {name!r}").format(origin=b.origin, name=b.name), hint=hint
    )

# ---- array values: inline arrays, files (.npy, .csv, .json), arrays from Python, array answers ----
# numpy is imported inside these functions, which run only when a value is an array, so the scalar
# path never pays for it.

def parse_array(name: str, text: str) -> np.ndarray:
    """An inline array such as [[0.1, 0.5], [-0.3, 0.8]]."""

    try:
        data = read_json(text, f"the value for {name}", what="array")
    except BindingError as err:
        err.hint = err.hint or 'write it as nested lists of numbers, e.g. x=[0.2, 0.4]'
        raise
    return to_array(name, data, text)


def from_array(name: str, value: Any) -> np.ndarray:
    """An array given from Python, as gradtrace's own float64 copy (so changing the caller's array
    later can't change the trace): integers are converted exactly where float64 can hold them,
    and complex, boolean and object arrays are refused."""
    import numpy as np

    array = np.asarray(value)
    kind = array.dtype.kind
    if kind == "c":
        raise BindingError(_("the array for {name} is complex; gradients here are of real numbers").format(name=name),
                           hint=_("pass its real part, x.real, if that is what you mean"))
    if kind in "bOSUVMm":
        raise BindingError(
            _("the array for {name} must hold numbers, not {dtype}").format(name=name, dtype=array.dtype),
            hint=_("convert it, e.g. x.astype(float)"),
        )
    if kind in "iu" and array.size and np.abs(array.astype(object)).max() > 2 ** 53:
        raise BindingError(
            _("the array for {name} holds integers beyond 2^53, which float64 can't hold exactly").format(name=name)
        )
    out = np.array(array, dtype=np.float64, copy=True)
    if out.ndim == 0:
        return out
    if out.size == 0:
        raise BindingError(_("the array for {name} is empty").format(name=name))
    return out


def _depth(data: Any) -> int:
    """How deeply lists nest, without recursion (a list nested 30,000 deep must not crash)."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, list):
            deepest = max(deepest, level)
            if deepest > 64:
                return deepest
            stack.extend((v, level + 1) for v in item if isinstance(v, list))
    return deepest


def _numbers(data: Any) -> bool:
    """Whether nested lists hold only numbers (not bools, strings, None, dicts)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, bool) or not isinstance(item, (int, float)):
            return False
    return True


def to_array(name: str, data: Any, origin: str) -> np.ndarray:
    """Nested lists of numbers as a float array; ragged or non-numeric data is a binding error."""
    import numpy as np


    if _depth(data) > MAX_DEPTH:
        raise BindingError(
            _("the array for {name} nests lists more than {MAX_DEPTH} deep").format(name=name, MAX_DEPTH=MAX_DEPTH)
        )
    if not _numbers(data):
        raise BindingError(
            _("the array for {name} must hold only numbers ({origin})").format(name=name, origin=origin[:60])
        )
    try:
        array = np.array(data, dtype=float)
    except OverflowError:
        raise BindingError(_("the array for {name} holds an integer too large for a float").format(name=name)) from None
    except ValueError:
        raise BindingError(
            _("the array for {name} is ragged: its rows have different lengths ({origin})").format(
                name=name, origin=origin[:60]
            ),
            hint=_("every row of a matrix needs the same number of entries"),
        ) from None
    if array.size == 0:
        raise BindingError(_("the array for {name} is empty").format(name=name))
    return array


def answer_elements(origin: str, given: Any) -> np.ndarray:
    """An array answer as an object array of each element's text, as written (so each element is
    graded at its own decimals): nested lists (from JSON or TOML) or their text."""
    import numpy as np


    data = given
    if isinstance(given, str):
        data = read_json(given, origin, keep_text=True)
    if _depth(data) > MAX_DEPTH:
        raise BindingError(
            _("{origin}: lists nested more than {MAX_DEPTH} deep").format(origin=origin, MAX_DEPTH=MAX_DEPTH)
        )

    def texts(x: Any) -> Any:
        if isinstance(x, list):
            return [texts(v) for v in x]
        if isinstance(x, bool) or not isinstance(x, (str, int, float)):
            raise BindingError(_("{origin}: an array answer holds only numbers").format(origin=origin))
        return str(x)

    try:
        out = np.array(texts(data), dtype=object)
    except (ValueError, RecursionError):
        raise BindingError(_("{origin}: the array is ragged or too deeply nested").format(origin=origin),
                           hint=_("every row needs the same number of entries")) from None
    if out.size == 0 or any(isinstance(v, list) for v in out.ravel()):
        raise BindingError(
            _("{origin}: not a valid array").format(origin=origin),
            hint=_("write nested lists of numbers, e.g. x=[0.1, 0.2]"),
        )
    return out


MAX_ARRAY_FILE = 256 << 20  # bytes: an @W.npy (or .csv, .json) larger than this is refused, not read
_NPY_MAGIC = b"\x93NUMPY"


def _npy_header(name: str, path: str, data: bytes) -> None:
    """Refuse a .npy file whose data can't be what its header claims (a header that says 10^11
    elements on a 1 kB file), before numpy allocates for it."""
    import io

    import numpy as np

    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _fortran, dtype = read(stream)
    except (ValueError, OSError, SyntaxError) as exc:
        raise BindingError(
            _("{name}=@{path}: not a .npy file numpy can read ({exc})").format(name=name, path=path, exc=exc)
        ) from None
    count = 1
    for n in shape:
        count *= int(n)
    claimed = count * dtype.itemsize
    present = len(data) - stream.tell()
    if claimed > present:
        raise BindingError(
            _(
                "{name}=@{path}: its header says {count:,} elements of {dtype} ({claimed:,} bytes), "
                "but the file holds only {present:,} bytes of data"
            ).format(name=name, path=path, count=count, dtype=dtype, claimed=claimed, present=present)
        )


def _suffix(path: str) -> str:
    """The file name's suffix, lower case and without its dot ("" when it has none)."""
    import os

    return os.path.splitext(os.path.basename(path))[1].lower().lstrip(".")


def _sniff(data: bytes) -> str:
    """npy, json or csv by the contents, for a file whose name has no suffix (a pipe such as
    <(...), which the shell names /dev/fd/63)."""
    if data.startswith(_NPY_MAGIC):
        return "npy"
    return "json" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[") else "csv"


def read_array(name: str, path: str, regular: bool = False, limit: int = MAX_ARRAY_FILE) -> np.ndarray:
    """@path: a .npy, .csv or .json file, read once through reading.read_input (what is checked is
    what is read), in the file's own dtype (a .npy file's float32 stays float32; text is float64).
    regular=True takes only a regular file (an answer beside a student's answers file)."""
    from .errors import GradtraceError
    from .reading import read_input

    kind = _suffix(path)
    if kind not in ("npy", "csv", "json", ""):
        raise BindingError(_("{name}=@{path}: the file must be .npy, .csv or .json").format(name=name, path=path))
    try:
        data = read_input(path, limit, regular=regular)
    except GradtraceError as err:
        raise BindingError(f"{name}=@{err}", hint=err.hint) from None
    return array_of_bytes(name, path, data)


def array_of_bytes(name: str, path: str, data: bytes) -> np.ndarray:
    """The array in the bytes read from @path (.npy, .csv or .json by path's suffix, or by the
    contents when it has none), in the file's own dtype; a BindingError names name=@path."""
    import io

    import numpy as np

    kind = _suffix(path) or _sniff(data)
    if kind not in ("npy", "csv", "json"):
        raise BindingError(_("{name}=@{path}: the file must be .npy, .csv or .json").format(name=name, path=path))
    array: np.ndarray
    try:
        if kind == "npy":
            _npy_header(name, path, data)
            array = np.load(io.BytesIO(data), allow_pickle=False)
            if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
                raise BindingError(
                    _("{name}=@{path}: the array must be real numbers, not {dtype}").format(
                        name=name, path=path, dtype=array.dtype
                    )
                )
        elif kind == "csv":
            import warnings

            with warnings.catch_warnings():  # "input contained no data": reported below as an empty array
                warnings.simplefilter("ignore")
                array = np.loadtxt(io.StringIO(data.decode("utf-8-sig")), delimiter=",", dtype=float, ndmin=1)
        elif kind == "json":

            array = to_array(name, read_json(data.decode("utf-8-sig"), f"{name}=@{path}"), path)
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise BindingError(
            _("{name}=@{path}: can't read it as an array ({exc})").format(name=name, path=path, exc=exc)
        ) from None
    if array.size == 0:
        raise BindingError(_("{name}=@{path}: the array is empty").format(name=name, path=path))
    return array


def load_array(name: str, path: str, regular: bool = False, limit: int = MAX_ARRAY_FILE) -> np.ndarray:
    """@path: a .npy, .csv or .json file (read_array), as float64."""
    import numpy as np

    array: np.ndarray = np.asarray(read_array(name, path, regular, limit), dtype=float)
    return array
