"""--json: the trace as strict JSON. The contract itself, and its one writer, live in
core/contract.py, so the CLI, Trace.to_dict() and every test read the same document."""

from __future__ import annotations

from ..core.contract import chunks, render, write

__all__ = ["chunks", "render", "write"]
