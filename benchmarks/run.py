"""Time xentlint against Ruff, TorchFix, Fixit and two LibCST baselines on the same files.

    python benchmarks/run.py                    # installed keras + transformers + torch sources
    python benchmarks/run.py --corpus DIR -n 5  # a folder of your own
    python benchmarks/run.py --floors -n 5      # xentlint against its floors (the acceptance ratios)

Every tool runs as a whole process, several times; the table gives the median wall time, the
spread (min-max), files per second, peak memory of the largest process, and each tool's ratio to
cold `xentlint check`. Tools that are not installed are reported as such. This is a benchmark,
not a test: it prints figures and judges nothing.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import xentlint

DEFAULT_PACKAGES = ("keras", "transformers", "torch")
# Runs a command; prints the peak RSS (KiB) of its largest process, the peak of the sum over the
# command and all its processes, sampled every 20 ms from /proc (0 where there is no /proc), its
# exit status and the CPU seconds of all its processes.
_MEASURE = """
import os, resource, subprocess, sys, time

def tree_rss(pid):
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            pass
    return total

process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak_sum = 0
while process.poll() is None:
    peak_sum = max(peak_sum, tree_rss(process.pid))
    time.sleep(0.02)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_maxrss, peak_sum, process.returncode, usage.ru_utime + usage.ru_stime)
"""
_PARSE_ONLY = (
    "import sys, libcst\n"
    "for p in open(sys.argv[1]).read().splitlines():\n"
    "    try: libcst.parse_module(open(p, encoding='utf-8', errors='replace').read())\n"
    "    except Exception: pass\n"
)
_PARSE_AND_POSITIONS = (
    "import sys, libcst\n"
    "from libcst.metadata import MetadataWrapper, PositionProvider\n"
    "for p in open(sys.argv[1]).read().splitlines():\n"
    "    try: MetadataWrapper(libcst.parse_module(open(p, encoding='utf-8', errors='replace').read()))"
    ".resolve(PositionProvider)\n"
    "    except Exception: pass\n"
)


@dataclass
class Timing:
    label: str
    seconds: list[float]
    peak_mib: float  # the largest process
    peak_sum_mib: float = 0.0  # all processes of the run at once (sampled)
    note: str = ""
    cpu: list[float] = field(default_factory=list)  # CPU seconds of all the run's processes

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def corpus_files(roots: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for root in roots:
        files.extend(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    return sorted(files)


def package_root(name: str) -> Optional[Path]:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def measure(label: str, command: Sequence[str], runs: int, cwd: Path, before=None) -> Timing:
    seconds, cpu, peak, peak_sum = [], [], 0.0, 0.0
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _MEASURE, *command], cwd=cwd, capture_output=True, text=True)
        seconds.append(time.perf_counter() - start)
        try:
            largest, total, _, cpu_seconds = out.stdout.split()
            peak, peak_sum = max(peak, int(largest) / 1024), max(peak_sum, int(total) / 1024)
            cpu.append(float(cpu_seconds))
        except ValueError:
            pass
    return Timing(label, seconds, peak, peak_sum, cpu=cpu)


def many_findings(folder: Path, count: int = 300) -> tuple[Path, Path]:
    """A file with `count` fixable findings (one per small function) and the same file without them."""
    head = "import torch\nimport torch.nn.functional as F\n\n"
    body = "".join(f"\ndef loss_{i}(z, y):\n    return F.cross_entropy(F.softmax(z, dim=1), y)\n\n"
                   for i in range(count))
    bad, clean = folder / "many_findings.py", folder / "no_findings.py"
    bad.write_text(head + body)
    clean.write_text(head + body.replace("F.softmax(z, dim=1)", "z"))
    return bad, clean


def loss_files(folder: Path) -> list[Path]:
    """Ten loss-heavy files of keras 3: its `losses` package and each backend's `nn.py` (where the
    cross-entropies are written out), copied flat into `folder`."""
    root = package_root("keras")
    if root is None:
        return []
    sources = sorted((root / "src" / "losses").glob("*.py")) + sorted((root / "src" / "backend").glob("*/nn.py"))
    folder.mkdir(exist_ok=True)
    copies = []
    for source in sources[:10]:
        copy = folder / "_".join(source.relative_to(root / "src").parts)
        shutil.copyfile(source, copy)
        copies.append(copy)
    return copies


def floors(runs: int) -> int:
    """xentlint against what it cannot beat, each pair measured alternately in one run:
    300 fixable findings against none in the same file; ten loss-heavy files and all of keras
    against one process that imports LibCST and parses the same files."""
    with tempfile.TemporaryDirectory(prefix="xentlint-floors-") as scratch:
        work = Path(scratch)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(xentlint.__file__).parent)], check=True)
        xl = [sys.executable, "-m", "xentlint", "check", "--exit-zero", "--quiet", "--no-cache"]

        def parse(files: Sequence[Path], name: str) -> list[str]:
            listing = work / name
            listing.write_text("\n".join(map(str, files)))
            return [sys.executable, "-c", _PARSE_ONLY, str(listing)]

        bad, clean = many_findings(work)
        ten = loss_files(work / "ten")
        keras = package_root("keras")
        pairs = [("300 fixable findings in one file", xl + [str(bad)], "the same file without them", xl + [str(clean)])]
        if ten:
            pairs.append(("ten loss-heavy keras files", xl + list(map(str, ten)),
                          "import libcst + parse them (1 process)", parse(ten, "ten.txt")))
        if keras is not None:
            copy = work / "keras"
            shutil.copytree(keras, copy, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc"))
            pairs.append(("keras cold check", xl + [str(copy)],
                          "import libcst + parse keras (1 process)", parse(corpus_files([copy]), "keras.txt")))
        # Wall time is what a user waits; CPU time (all processes) is the work, which a busy shared
        # machine disturbs less.
        print("| case | median s | CPU s | floor | median s | CPU s | ratio | CPU ratio |")
        print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
        for label, command, floor_label, floor_command in pairs:
            ours, theirs = Timing(label, [], 0.0), Timing(floor_label, [], 0.0)
            for _ in range(runs):  # alternate, so that a busy moment of the machine hits both
                for timing, run in ((ours, command), (theirs, floor_command)):
                    measured = measure(timing.label, run, 1, work)
                    timing.seconds += measured.seconds
                    timing.cpu += measured.cpu
            cpu_ours, cpu_theirs = statistics.median(ours.cpu), statistics.median(theirs.cpu)
            print(f"| {label} | {ours.median:.2f} | {cpu_ours:.2f} | {floor_label} | {theirs.median:.2f} "
                  f"| {cpu_theirs:.2f} | {ours.median / theirs.median:.2f} | {cpu_ours / cpu_theirs:.2f} |",
                  flush=True)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, action="append", help="folder of Python files (repeatable)")
    parser.add_argument("-n", "--runs", type=int, default=3, help="runs per tool (default 3)")
    parser.add_argument("--slow-runs", type=int, default=1,
                        help="runs of the tools that take minutes: TorchFix, Fixit, LibCST parse + positions (default 1)")
    parser.add_argument("--skip", action="append", default=[], help="skip a tool by label prefix")
    parser.add_argument("--floors", action="store_true",
                        help="only xentlint against its floors: many findings, ten loss files, keras")
    args = parser.parse_args(argv)
    if args.floors:
        return floors(args.runs)

    roots = args.corpus or [root for root in map(package_root, DEFAULT_PACKAGES) if root is not None]
    with tempfile.TemporaryDirectory(prefix="xentlint-bench-") as scratch:
        work = Path(scratch) / "corpus"
        # Copy the corpus so caches and `fix` never touch site-packages, and one file can be edited.
        for root in roots:
            shutil.copytree(root, work / root.name, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc"))
        files = corpus_files([work])
        listing = Path(scratch) / "files.txt"
        listing.write_text("\n".join(map(str, files)))
        lines = sum(p.read_bytes().count(b"\n") for p in files)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        print(f"corpus: {', '.join(str(r) for r in roots)}")
        print(f"files: {len(files)}, lines: {lines}, cores: {cores}, runs per tool: {args.runs}\n")

        xl = [sys.executable, "-m", "xentlint", "check", "--exit-zero", "--quiet"]
        # Bytecode as an installed package has it (an editable checkout may not have written it).
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(xentlint.__file__).parent)], check=True)
        changed = files[len(files) // 2]
        # The pre-commit case: ten files from across the corpus, as a commit touches them.
        ten = files[::max(1, len(files) // 10)][:10]
        original = changed.read_text(encoding="utf-8", errors="replace")

        def touch_one() -> None:
            changed.write_text(original + f"\n# edited {time.time()}\n", encoding="utf-8")

        plan = [
            ("xentlint cold", xl + ["--no-cache", "."], None),
            ("xentlint cold --jobs 1", xl + ["--no-cache", "--jobs", "1", "."], None),
            ("xentlint warm cache", xl + ["."], None),
            ("xentlint one file changed", xl + ["."], touch_one),
            ("xentlint 10 files (pre-commit)", xl + ["--no-cache", *map(str, ten)], None),
            ("libcst parse only (1 process)", [sys.executable, "-c", _PARSE_ONLY, str(listing)], None),
            ("libcst parse + positions (1 process)", [sys.executable, "-c", _PARSE_AND_POSITIONS, str(listing)], None),
            ("ruff check --no-cache", ["ruff", "check", "--no-cache", "--select", "E,F", "--exit-zero", "."], None),
            ("torchfix", ["torchfix", "."], None),
            ("fixit lint", ["fixit", "lint", "."], None),
        ]
        results: list[Timing] = []
        subprocess.run(xl + ["."], cwd=work, capture_output=True)  # fill the cache for the warm runs
        for label, command, before in plan:
            if any(label.startswith(prefix) for prefix in args.skip):
                continue
            if shutil.which(command[0]) is None and command[0] != sys.executable:
                results.append(Timing(label, [float("nan")], 0.0, note="not installed"))
                continue
            if label.startswith("xentlint warm"):
                subprocess.run(xl + ["."], cwd=work, capture_output=True)
            slow = label.startswith(("libcst parse +", "torchfix", "fixit"))
            results.append(measure(label, command, args.slow_runs if slow else args.runs, work, before))
            print(f"  measured {label}", file=sys.stderr)
        changed.write_text(original, encoding="utf-8")

    cold = next(t.median for t in results if t.label == "xentlint cold")
    print("| tool | median s | min-max s | files/s | peak MiB, largest process | peak MiB, all processes "
          "| ratio to xentlint cold |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for timing in results:
        if timing.note:
            print(f"| {timing.label} | {timing.note} | | | | | |")
            continue
        rate = len(files) / timing.median if "10 files" not in timing.label else 10 / timing.median
        print(f"| {timing.label} | {timing.median:.2f} | {min(timing.seconds):.2f}-{max(timing.seconds):.2f} "
              f"| {rate:.0f} | {timing.peak_mib:.0f} | {timing.peak_sum_mib:.0f} | {timing.median / cold:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
