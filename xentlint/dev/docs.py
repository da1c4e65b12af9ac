"""`python -m xentlint.dev.docs [--check]`: regenerate (or check) the pages in rules/."""
from __future__ import annotations

import sys
from pathlib import Path

from xentlint.docs import stale_pages, write_pages
from xentlint.registry import all_rules

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_pages(RULES_DIR, all_rules())
        for name in stale:
            print(f"stale: rules/{name}")
        return 1 if stale else 0
    for name in write_pages(RULES_DIR, all_rules()):
        print(f"wrote rules/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
