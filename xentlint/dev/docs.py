"""`python -m xentlint.dev.docs [--check]`: regenerate (or check) rules/*.md, the rule figures
rules/img/<CODE>.json and .svg (drawing needs the `docs` extra) and xentlint/rule_index.py."""
from __future__ import annotations

import sys
from pathlib import Path

from xentlint.dev.rule_index import INDEX_MODULE, render_rule_index
from xentlint.docs import stale_pages, write_pages
from xentlint.figures.files import stale_figures, write_figures
from xentlint.figures.plot import MatplotlibMissing
from xentlint.registry import all_rules

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"


def main(argv: list[str]) -> int:
    index = render_rule_index(all_rules())
    index_stale = not INDEX_MODULE.exists() or INDEX_MODULE.read_text() != index
    if "--check" in argv:
        stale = [f"rules/{name}" for name in stale_pages(RULES_DIR, all_rules()) + stale_figures(RULES_DIR, all_rules())]
        stale += ["xentlint/rule_index.py"] if index_stale else []
        for name in stale:
            print(f"stale: {name}")
        return 1 if stale else 0
    for name in write_pages(RULES_DIR, all_rules()):
        print(f"wrote rules/{name}")
    if index_stale:
        INDEX_MODULE.write_text(index)
        print("wrote xentlint/rule_index.py")
    try:
        for name in write_figures(RULES_DIR, all_rules()):
            print(f"wrote rules/{name}")
    except MatplotlibMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
