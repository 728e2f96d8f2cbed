"""The JSON renderer: strict RFC 8259 JSON of Trace.to_dict(), the contract scripts rely on."""

from __future__ import annotations

import json

from ..trace import Trace


def render(trace: Trace, extra: dict | None = None) -> str:
    """The trace as one strict-JSON document (no NaN or Infinity tokens)."""
    data = trace.to_dict()
    if extra:
        data.update(extra)
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2)
