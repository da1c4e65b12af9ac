"""The figures next to the rule pages: `img/<CODE>.json` (the data) and `img/<CODE>.svg` (drawn from it).

Staleness is decided on the data: the JSON must match what the contract computes now (to the
digits float32 arithmetic keeps across platforms) and the SVG must record the digest of that
JSON and of the drawing code (`plot.stamp`). Checking needs no matplotlib; drawing does, and happens only for an SVG that is stale.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional, Sequence

from xentlint.figures.data import dumps, figure_data, same_data
from xentlint.rule import Rule

FOLDER = "img"


def figure_path(code: str) -> str:
    """The figure of rule `code`, relative to the folder of the pages."""
    return f"{FOLDER}/{code}.svg"


def title(rule: type[Rule]) -> str:
    return f"{rule.code} {rule.name}"


def _with_contracts(rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    return [rule for rule in rules if rule.contract is not None]


def _stored(path: Path) -> Optional[dict]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _up_to_date(svg: Path, data: dict) -> bool:
    from xentlint.figures.plot import recorded_stamp, stamp

    try:
        return recorded_stamp(svg.read_text()) == stamp(data)
    except OSError:
        return False


def _orphans(folder: Path, rules: Sequence[type[Rule]]) -> list[Path]:
    expected = {f"{rule.code}{suffix}" for rule in _with_contracts(rules) for suffix in (".json", ".svg")}
    images = folder / FOLDER
    return sorted(path for path in images.glob("*") if path.name not in expected) if images.is_dir() else []


def stale_figures(folder: Path, rules: Sequence[type[Rule]]) -> list[str]:
    """The figure files under `folder` (the pages' folder) that are missing, out of date or orphaned."""
    stale = []
    for rule in _with_contracts(rules):
        data_path = folder / FOLDER / f"{rule.code}.json"
        stored = _stored(data_path)
        if stored is None or not same_data(stored, figure_data(rule.code, rule.contract)):
            stale.append(f"{FOLDER}/{data_path.name}")
        if stored is None or not _up_to_date(folder / figure_path(rule.code), stored):
            stale.append(figure_path(rule.code))
    return stale + [f"{FOLDER}/{path.name}" for path in _orphans(folder, rules)]


def write_figures(folder: Path, rules: Sequence[type[Rule]]) -> list[str]:
    """Bring the figures under `folder` up to date; return the names written or removed.

    Raises `MatplotlibMissing` only when an SVG has to be drawn."""
    from xentlint.figures.plot import render

    (folder / FOLDER).mkdir(parents=True, exist_ok=True)
    changed = []
    for rule in _with_contracts(rules):
        data_path = folder / FOLDER / f"{rule.code}.json"
        computed = figure_data(rule.code, rule.contract)
        stored = _stored(data_path)
        if stored is None or not same_data(stored, computed):
            data_path.write_text(dumps(computed))
            stored = json.loads(dumps(computed))  # what is read back next time, to the key order
            changed.append(f"{FOLDER}/{data_path.name}")
        svg_path = folder / figure_path(rule.code)
        if not _up_to_date(svg_path, stored):
            render(stored, title(rule), svg_path)
            changed.append(figure_path(rule.code))
    for path in _orphans(folder, rules):
        path.unlink()
        changed.append(f"{FOLDER}/{path.name}")
    return changed
