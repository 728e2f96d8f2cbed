"""Write the guide's function list from the op table: python tools/op_lists.py

The list sits between the lines `<!-- functions ... -->` and `<!-- /functions -->` in
docs/guide/expressions.md;
everything between them is replaced by gradtrace.core.ops_text.readme_functions(), and nothing
else is touched. tests/test_op_lists.py fails while the guide's copy differs from the table's.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "guide" / "expressions.md"
BLOCK = re.compile(r"(^[ \t]*<!-- functions\b[^\n]*-->\n)(.*?)(^[ \t]*<!-- /functions -->$)", re.M | re.S)


def rewrite(text: str, block: str) -> str:
    """text with its function list replaced by block; ValueError if it has no (or two) lists."""
    found = BLOCK.findall(text)
    if len(found) != 1:
        raise ValueError(f"expected one <!-- functions --> ... <!-- /functions --> block, found {len(found)}")
    return BLOCK.sub(lambda m: m.group(1) + block + m.group(3), text)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from gradtrace.core.ops_text import readme_functions

    text = PAGE.read_text(encoding="utf-8")
    new = rewrite(text, readme_functions())
    if new != text:
        PAGE.write_text(new, encoding="utf-8")
        print("docs/guide/expressions.md: the function list is rewritten from the op table")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
