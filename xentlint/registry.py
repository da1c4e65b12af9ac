"""Every rule: the classes, found by importing each module of `xentlint.rules` (no hand-kept list),
and their codes, read from the generated `xentlint.rule_index` without importing any rule."""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import TYPE_CHECKING

from xentlint.rule_index import RULES

if TYPE_CHECKING:
    from xentlint.rule import Rule


@lru_cache(maxsize=None)
def all_rules() -> tuple[type[Rule], ...]:
    import xentlint.rules as package
    from xentlint.rule import registered_rules

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return tuple(sorted(registered_rules().values(), key=lambda rule: rule.code))


def rule_by_code(code: str) -> type[Rule]:
    for rule in all_rules():
        if rule.code == code:
            return rule
    raise KeyError(code)


def all_codes() -> tuple[str, ...]:
    return tuple(entry.code for entry in RULES)


def default_codes() -> frozenset[str]:
    return frozenset(entry.code for entry in RULES if entry.default_enabled)


def expand_selector(selector: str) -> frozenset[str]:
    """`XL3` -> every code starting with it; `ALL` -> every code. Raises KeyError if none match."""
    selector = selector.strip().upper()
    if selector == "ALL":
        return frozenset(all_codes())
    matched = frozenset(code for code in all_codes() if code.startswith(selector))
    if not matched or not selector.startswith("XL"):
        raise KeyError(selector)
    return matched
