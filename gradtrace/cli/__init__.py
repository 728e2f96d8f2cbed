"""The command line: options -> request -> modes -> renderer -> exit code. Nothing else lives here.

  main.py     the program: the command group, routing, errors to exit codes, streams
  trace.py    the trace command (the default): its options gathered into one TraceRequest
  quiz.py     gradtrace quiz: practice circuits and worksheets
  grade.py    gradtrace grade: a class's answer files
  common.py   what every command shares: translated --help, --lang, the console, failing cleanly
  inputs.py   the files a trace reads: the program, --vars, --answers, --upstream; --seed

Variables are bound with their own names as options (-x -2, --w0 2, --w0=2, w0=2), so the
tool's own options are all long (--json, --precision, ...) and every single letter is free.
"""

from .main import cli, entry, main

__all__ = ["cli", "entry", "main"]
