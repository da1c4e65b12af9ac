"""Precision check on code nobody here wrote: lint installed ML libraries and list every finding.

    python scripts/scan_real_code.py                       # keras, transformers, torch, tensorflow
    python scripts/scan_real_code.py --package keras -o findings.txt

Each finding is printed with its source line so it can be triaged by reading; the counts per
code and per package close the report. Every false positive found this way becomes a good
fixture. This is a check for people, not a unit test.
"""
from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

DEFAULT_PACKAGES = ("keras", "transformers", "torch", "tensorflow")


def package_root(name: str) -> Optional[Path]:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def scan(root: Path, jobs: Optional[int]) -> list[dict]:
    """Lint a copy: an installed package may sit under a .gitignore'd folder (pyenv, a repository)."""
    with tempfile.TemporaryDirectory(prefix="xentlint-scan-") as scratch:
        copy = Path(scratch) / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc", "*.dll"))
        # Run from the folder above the copy: `python -m` puts the working folder first on sys.path,
        # and a package's own `multiprocessing/` or `random.py` must not shadow the standard library.
        command = [sys.executable, "-m", "xentlint", "check", "--no-cache", "--exit-zero", "--output-format",
                   "json", "--select", "ALL", root.name]
        if jobs:
            command += ["--jobs", str(jobs)]
        result = subprocess.run(command, capture_output=True, text=True, cwd=scratch)
    if result.returncode != 0:
        raise SystemExit(f"xentlint failed on {root}:\n{result.stderr}")
    return json.loads(result.stdout)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", action="append", help="installed package to scan (repeatable)")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("-o", "--output", type=Path, default=None, help="write the report here too")
    args = parser.parse_args(argv)

    lines: list[str] = []
    counts: collections.Counter = collections.Counter()
    for name in args.package or DEFAULT_PACKAGES:
        root = package_root(name)
        if root is None:
            lines.append(f"## {name}: not installed")
            continue
        files = sum(1 for _ in root.rglob("*.py"))
        findings = [f for f in scan(root, args.jobs) if f["code"] not in ("XL001", "XL002", "XL004")]
        lines.append(f"## {name} ({root}): {files} files, {len(findings)} findings")
        for finding in findings:
            path = root.parent / finding["filename"]
            row = finding["location"]["row"]
            try:
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()[row - 1].strip()
            except (OSError, IndexError):
                text = ""
            lines.append(f"{finding['filename']}:{row}: {finding['code']} {finding['message']}\n    | {text}")
            counts[(name, finding["code"])] += 1
    lines.append("## counts")
    lines += [f"{package} {code}: {count}" for (package, code), count in sorted(counts.items())]
    report = "\n".join(lines) + "\n"
    print(report, end="")
    if args.output:
        args.output.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
