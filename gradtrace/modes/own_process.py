"""Running a student's forward and backward functions in a process of their own.

check_gate and check_layer call code that was just written: it may loop forever, crash the
interpreter, change its inputs in place or print. So it runs in a child process, forked from the
caller's (a notebook's classes and functions are there as they are, and nothing is ever turned
into text and evaluated), which receives numbers and sends numbers back. A call that takes longer
than its time limit ends the child, and a child that dies is reported, not followed.

Where fork is not available (Windows), the child is spawned, and the functions must then be ones
pickle can send: defined at the top of an importable module.
"""

from __future__ import annotations

import io
import multiprocessing
import pickle
import sys
import traceback
from typing import Any

from ..core.errors import GradtraceError
from ..i18n import _

MAX_PRINTED = 8000  # characters of what the student's code printed, kept for the report
MAX_TRACE_LINES = 12


class StudentError(GradtraceError):
    """The student's code failed: it raised, ran past its time limit, or its process died."""

    def __init__(self, message: str, stage: str, details: str = "", printed: str = ""):
        super().__init__(message)
        self.stage, self.details, self.printed = stage, details, printed


class OwnProcess:
    """A child process holding the student's callables (target: a gate object, or the pair
    (forward, backward)), answering one request at a time: (kind, inputs, dout, probes, h, count),
    kind "gate" or "layer", probes per input the coordinates to take central differences at (None:
    none), count the inputs backward answers for. Use it as a context manager: the child ends when
    the block does."""

    def __init__(self, target: Any, timeout: float = 60.0):
        self.target, self.timeout = target, timeout
        self.process: Any = None
        self.conn: Any = None

    def __enter__(self) -> OwnProcess:
        methods = multiprocessing.get_all_start_methods()
        context: Any
        if "fork" in methods:
            context = multiprocessing.get_context("fork")
        else:
            try:
                pickle.dumps(self.target)
            except Exception as exc:
                raise GradtraceError(
                    _("the functions to check can't be sent to a process of their own on this system ({exc})").format(
                        exc=exc),
                    hint=_("define them at the top of a module that can be imported")) from None
            context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        import warnings

        with warnings.catch_warnings():  # Python 3.12+ warns about forking a process with threads (a notebook's)
            warnings.simplefilter("ignore", DeprecationWarning)
            self.process = context.Process(target=_serve, args=(child, self.target), daemon=True)
            self.process.start()
        child.close()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self.process is None:
            return
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        self.conn.close()
        self.process = None

    def ask(self, request: tuple[Any, ...]) -> dict[str, Any]:
        """Send one request and wait for its reply, at most `timeout` seconds."""
        if self.process is None:
            raise StudentError(_("the process running your code has already ended"), "start")
        try:
            self.conn.send(request)
            if not self.conn.poll(self.timeout):
                self.process.kill()
                self.process.join(2)
                self.process = None
                raise StudentError(_("your code did not finish within {seconds} s").format(seconds=f"{self.timeout:g}"),
                                   "timeout")
            reply: dict[str, Any] = self.conn.recv()
        except (EOFError, OSError, ConnectionError):
            code = None
            if self.process is not None:
                self.process.join(2)
                code = self.process.exitcode
            self.process = None
            raise StudentError(_("the process running your code died (exit code {code})").format(code=code),
                               "crash") from None
        return reply


def _serve(conn: Any, target: Any) -> None:
    """The child: answer requests until told to stop (None) or the parent goes."""
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        printed = io.StringIO()
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = printed
        try:
            reply = _answer(target, request)
        except BaseException as exc:  # the student's code may raise anything, SystemExit included
            cause = getattr(exc, "cause", exc)
            reply = {"ok": False, "stage": getattr(exc, "stage", "call"),
                     "error": f"{type(cause).__name__}: {cause}", "traceback": _trace_text(cause)}
        finally:
            sys.stdout, sys.stderr = saved
        reply["printed"] = printed.getvalue()[:MAX_PRINTED]
        try:
            conn.send(reply)
        except Exception as exc:  # something in the reply pickle can't send
            conn.send({"ok": False, "stage": "reply", "error": f"{type(exc).__name__}: {exc}", "traceback": "",
                       "printed": reply["printed"]})


class _Stage(Exception):
    def __init__(self, stage: str, cause: BaseException):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.stage, self.cause = stage, cause


def _answer(target: Any, request: tuple[Any, ...]) -> dict[str, Any]:
    import numpy as np

    kind, inputs, dout, probes, step, count = request
    copies = [_copy(x) for x in inputs]

    def run_forward(args: list[Any]) -> Any:
        if kind == "gate":
            return target.forward(*args)
        out = target[0](*args)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError(_("the forward function returned {kind}, not (out, cache)").format(kind=type(out).__name__))
        return out

    try:
        result = run_forward(copies)
    except BaseException as exc:
        raise _Stage("forward", exc) from exc
    out, cache = (result, None) if kind == "gate" else result
    try:
        grads = target.backward(_copy(dout)) if kind == "gate" else target[1](_copy(dout), cache)
    except BaseException as exc:
        raise _Stage("backward", exc) from exc
    mutated = [k for k, (x, c) in enumerate(zip(inputs, copies)) if not _same(x, c)]
    try:
        out_numbers = _numbers(out)
        grad_numbers = [None if g is None else _numbers(g) for g in _as_tuple(grads, count)]
    except (TypeError, ValueError) as exc:
        raise _Stage("convert", exc) from exc
    numerical: list[Any] = []
    weights = np.asarray(dout, dtype=float)
    for k, coords in enumerate(probes):
        if coords is None:
            numerical.append(None)
            continue
        values = []
        for coord in coords:
            plus, minus = [_copy(x) for x in inputs], [_copy(x) for x in inputs]
            plus[k], minus[k] = _moved(plus[k], coord, step), _moved(minus[k], coord, -step)
            try:
                f_plus = np.sum(weights * _numbers(_output(run_forward(plus), kind)))
                f_minus = np.sum(weights * _numbers(_output(run_forward(minus), kind)))
            except BaseException as exc:
                raise _Stage("numerical", exc) from exc
            values.append(float((f_plus - f_minus) / (2 * step)))
        numerical.append(values)
    return {"ok": True, "out": out_numbers, "grads": grad_numbers, "numerical": numerical, "mutated": mutated}


def _output(result: Any, kind: str) -> Any:
    return result if kind == "gate" else result[0]


def _as_tuple(grads: Any, count: int) -> tuple[Any, ...]:
    """backward's result as one gradient per input: a tuple or list of them, or one alone (a gate
    of one input may return its gradient bare, even as a list of numbers)."""
    if isinstance(grads, tuple) or (isinstance(grads, list) and count > 1):
        return tuple(grads)
    return (grads,)


def _numbers(value: Any) -> Any:
    """What the student's code returned, as float64 numbers (a float stays a float)."""
    import numpy as np

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        value = value.detach().cpu().numpy()
    array = np.array(value)
    if array.dtype.kind != "f":  # a float32 answer keeps its dtype: it is graded at its precision
        array = array.astype(float)
    return float(array) if array.ndim == 0 else array


def _copy(value: Any) -> Any:
    import copy

    return copy.deepcopy(value)


def _same(a: Any, b: Any) -> bool:
    import numpy as np

    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
    except (TypeError, ValueError):
        return True


def _moved(value: Any, coord: Any, step: float) -> Any:
    import numpy as np

    if coord is None or np.ndim(value) == 0:
        return type(value)(value + step) if isinstance(value, float) else np.asarray(value, dtype=float) + step
    out = np.array(value, dtype=float)
    out[tuple(coord)] += step
    return out


def _trace_text(exc: BaseException) -> str:
    """The end of the exception's traceback: where in the student's code it was raised."""
    lines = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip().splitlines()
    return "\n".join(lines[-MAX_TRACE_LINES:])
