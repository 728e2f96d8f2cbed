"""Array values: inline arrays, files (.npy, .csv, .json), arrays from Python, and array answers.

numpy is imported here, and this module is imported only when a value is an array or the
program uses an array op, so the scalar path never pays for it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import _
from .errors import BindingError

# ---- bindings ---------------------------------------------------------------------------------

def parse_array(name: str, text: str) -> np.ndarray:
    """An inline array such as [[0.1, 0.5], [-0.3, 0.8]]."""
    from .bindings import read_json

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
    from .bindings import MAX_DEPTH

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
    from .bindings import MAX_DEPTH, read_json

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
            from .bindings import read_json

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
    array: np.ndarray = np.asarray(read_array(name, path, regular, limit), dtype=float)
    return array
