"""The shape benchmark's peer: micrograd builds a family's graph from Python, calls backward(), and
writes the output's value and every input's gradient as JSON.

    python benchmarks/peer_micrograd.py FAMILY N BINDINGS.json OUT.json

The graph is built by a loop (families.py), never by recursion, but micrograd's backward() sorts
the graph by recursion, one Python frame per level: a chain of 10^5 statements is about 5 * 10^5
levels deep. The recursion limit is raised, and the work runs in a thread with a 512 MiB stack,
so that no depth in the benchmark ends in RecursionError or a crash.
"""

import json
import sys
import threading

sys.setrecursionlimit(10**8)
threading.stack_size(1 << 29)

from families import FAMILIES, build_with  # noqa: E402  (this file's folder is on sys.path)
from micrograd.engine import Value  # noqa: E402

failed: list[BaseException] = []


def trace() -> None:
    family, n = FAMILIES[sys.argv[1]], int(sys.argv[2])
    with open(sys.argv[3]) as f:
        values = json.load(f)
    out, V = build_with(family, Value, values, n)
    out.backward()
    grads = {k: ([e.grad for e in v] if isinstance(v, list) else v.grad) for k, v in V.items()}
    with open(sys.argv[4], "w") as f:
        json.dump({"value": out.data, "gradients": grads}, f)


def main() -> None:
    try:
        trace()
    except BaseException as exc:  # a thread's error must fail the process, not vanish
        failed.append(exc)
        raise


if __name__ == "__main__":
    worker = threading.Thread(target=main)
    worker.start()
    worker.join()
    sys.exit(1 if failed else 0)
