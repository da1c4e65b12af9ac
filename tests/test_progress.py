"""The progress bar of long runs: on a terminal's stderr only, and never changing what stdout says."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

from xentlint import api
from xentlint.progress import MIN_FILES

MISUSE = "import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(z, dim=1))\n"
CLEAN = "import torch\n\nprint(torch.ones(2))\n"


def _project(folder: Path, files: int) -> Path:
    for index in range(files):
        (folder / f"m{index:03}.py").write_text(MISUSE if index % 3 == 0 else CLEAN)
    return folder


def _run_on_terminal(args: list[str], cwd: Path, ci: Optional[str] = None) -> tuple[bytes, bytes, int]:
    """`xentlint ARGS` with stderr on a pseudo-terminal and stdout on a pipe: (stdout, stderr, exit code)."""
    env = {name: value for name, value in os.environ.items() if name != "CI"}
    if ci is not None:
        env["CI"] = ci
    leader, follower = os.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "xentlint", *args], cwd=cwd, env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower)
        os.close(follower)
        stdout = process.stdout.read()
        stderr = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # Linux: EIO once the child has closed the terminal
                break
            if not chunk:
                break
            stderr += chunk
        return stdout, stderr, process.wait(timeout=120)
    finally:
        os.close(leader)


def _run_piped(args: list[str], cwd: Path) -> tuple[bytes, bytes, int]:
    result = subprocess.run([sys.executable, "-m", "xentlint", *args], cwd=cwd, capture_output=True,
                            timeout=120, env={name: value for name, value in os.environ.items() if name != "CI"})
    return result.stdout, result.stderr, result.returncode


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_long_run_on_a_terminal_shows_the_bar_on_stderr_and_the_same_stdout(tmp_path: Path, jobs: str) -> None:
    project = _project(tmp_path, MIN_FILES + 20)
    args = ["check", "--no-cache", "--jobs", jobs, "."]
    stdout, stderr, code = _run_on_terminal(args, project)
    plain_stdout, plain_stderr, plain_code = _run_piped(args, project)
    total = MIN_FILES + 20
    assert b"checking" in stderr and f"{total}/{total}".encode() in stderr
    assert b" s" in stderr  # the time elapsed
    assert b"XL301" not in stderr and b"checking" not in stdout
    assert stdout == plain_stdout and code == plain_code == 1
    assert plain_stderr == b""  # no terminal, no bar
    assert stdout.count(b"XL301") == len(range(0, total, 3))


@pytest.mark.parametrize("args, ci", [
    (["check", "--no-cache", "."], "true"),  # a CI log
    (["check", "--no-cache", "--quiet", "."], None),
    (["check", "--no-cache", "--output-format", "json", "."], None),
    (["fix", "--diff", "."], None),
])
def test_no_bar_in_ci_quiet_machine_formats_or_diffs(tmp_path: Path, args: list[str], ci: Optional[str]) -> None:
    stdout, stderr, _ = _run_on_terminal(args, _project(tmp_path, MIN_FILES + 5), ci)
    assert stderr == b"" and b"m000.py" in stdout


def test_fix_shows_its_bar_as_fixing(tmp_path: Path) -> None:
    stdout, stderr, code = _run_on_terminal(["fix", "."], _project(tmp_path, MIN_FILES + 5))
    assert code == 0 and b"fixing" in stderr and b"checking" not in stderr
    assert b"Found" in stdout and (tmp_path / "m000.py").read_text().endswith("F.log_softmax(z, dim=1)\n")


def test_no_bar_for_a_short_run_or_a_run_answered_by_the_cache(tmp_path: Path) -> None:
    few = tmp_path / "few"
    few.mkdir()
    assert b"checking" not in _run_on_terminal(["check", "--no-cache", "."], _project(few, 5))[1]
    many = tmp_path / "many"
    many.mkdir()
    _project(many, MIN_FILES + 5)
    assert b"checking" in _run_on_terminal(["check", "."], many)[1]  # cold: fills the cache
    assert b"checking" not in _run_on_terminal(["check", "."], many)[1]  # warm


def test_run_reports_progress_over_the_files_the_cache_does_not_answer(tmp_path: Path) -> None:
    _project(tmp_path, 6)
    codes = frozenset({"XL301"})
    tasks = [api.FileTask(path, path.name, codes, cache_dir=tmp_path, settings_key="k")
             for path in sorted(tmp_path.glob("*.py"))]
    heard: list[tuple[int, int]] = []
    api.run(tasks, jobs=1, progress=lambda done, total: heard.append((done, total)))
    assert heard == [(index, 6) for index in range(7)]
    (tmp_path / "m001.py").write_text(MISUSE)
    heard.clear()
    reports = api.run(tasks, jobs=1, progress=lambda done, total: heard.append((done, total)))
    assert heard == [(0, 1), (1, 1)]
    assert [bool(report.diagnostics) for report in reports] == [True, True, False, True, False, False]
